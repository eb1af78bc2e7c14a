#!/usr/bin/env bash
# uv's resolver workloads, resolved by `unilock resolve` and by `uv pip compile` for linux-64
# with Python 3.12 (`--python-platform x86_64-manylinux_2_28 --python-version 3.12` for both),
# cold (empty caches, the default index) then warm (the same caches, --offline): wall time,
# peak memory (`/usr/bin/time -f "%e %M"`), whether each resolves, the size of unilock's error
# output when it fails, and a pin-by-pin comparison (equal / different version / only one side).
# Live and opt-in: needs the network; the airflow workload takes minutes.
#
#   scripts/bench-uv-workloads.sh [WORKLOAD...]     (default: all seven)
#
# airflow, sentry, boto3 and trio are read from corpus/uv-workloads/ (our own files, same
# packages and ranges). transformers-extras, pydantic and flyte are long files of uv's
# repository that we do not copy: they are read at run time from UV_SOURCE (a uv checkout, or
# its git directory) or downloaded from uv's repository at the commit UV_REF; a workload that
# cannot be obtained is skipped with a message.
#
# UNILOCK (default: target/release/unilock, built), UV (default: the test tools' uv),
# TIMEOUT seconds per run (default 900), KEEP=DIR keeps the outputs there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "${UNILOCK:-}" ]; then
  (cd "$root" && cargo build --release --locked --quiet)
  UNILOCK="$root/target/release/unilock"
fi
if [ -z "${UV:-}" ]; then
  "$root/scripts/install-test-tools.sh" >/dev/null
  UV="${UNILOCK_TEST_TOOLS:-$root/target/test-tools/venv}/bin/uv"
fi
uv_ref="${UV_REF:-26a9dd4b2125bc271b47855e1fa0c49af3365db5}"
work="${KEEP:-$(mktemp -d)}"
mkdir -p "$work"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT

# name|file: corpus files are ours, the others come from uv's repository (test/requirements/).
all="airflow|corpus:airflow.in sentry|corpus:sentry.in boto3|corpus:boto3.in trio|corpus:trio.in
transformers-extras|uv:transformers-extras.in pydantic|uv:pydantic.in flyte|uv:flyte.in"
want=" ${*:-airflow sentry boto3 trio transformers-extras pydantic flyte} "

obtain() { # SOURCE DEST
  case "$1" in
    corpus:*) cp "$root/corpus/uv-workloads/${1#corpus:}" "$2" ;;
    uv:*)
      local rel="test/requirements/${1#uv:}"
      if [ -n "${UV_SOURCE:-}" ] && [ -f "$UV_SOURCE/$rel" ]; then cp "$UV_SOURCE/$rel" "$2"
      elif [ -n "${UV_SOURCE:-}" ]; then git --git-dir "$UV_SOURCE" show "$uv_ref:$rel" >"$2" 2>/dev/null \
        || git --git-dir "$UV_SOURCE" show "HEAD:$rel" >"$2"
      else curl -fsSL --max-time 30 "https://github.com/astral-sh/uv/raw/$uv_ref/$rel" -o "$2"
      fi ;;
  esac
}

rows="$work/rows.tsv"
: >"$rows"
for entry in $all; do
  name="${entry%%|*}"
  case "$want" in *" $name "*) ;; *) continue ;; esac
  dir="$work/$name"
  mkdir -p "$dir"
  if ! obtain "${entry#*|}" "$dir/input.in" 2>/dev/null; then
    echo "$name: could not obtain ${entry#*|} (set UV_SOURCE to a uv checkout); skipped" >&2
    continue
  fi
  rm -rf "$dir/unilock-cache" "$dir/uv-cache"
  for phase in cold warm; do
    offline=(); [ "$phase" = warm ] && offline=(--offline)
    echo "== $name $phase: unilock" >&2
    set +e
    /usr/bin/time -f "%e %M" -o "$dir/unilock-$phase.time" timeout "${TIMEOUT:-900}" \
      "$UNILOCK" resolve "$dir/input.in" --python-platform x86_64-manylinux_2_28 --python-version 3.12 \
      --cache-dir "$dir/unilock-cache" --upgrade -o "$dir/unilock.lock" "${offline[@]}" \
      >/dev/null 2>"$dir/unilock-$phase.err"
    u_rc=$?
    if [ $u_rc -eq 0 ]; then
      "$UNILOCK" export --lock "$dir/unilock.lock" --to requirements --no-hashes --no-annotate \
        -o "$dir/unilock-$phase.txt" 2>/dev/null
    fi
    echo "== $name $phase: uv" >&2
    /usr/bin/time -f "%e %M" -o "$dir/uv-$phase.time" timeout "${TIMEOUT:-900}" \
      "$UV" pip compile "$dir/input.in" --quiet --no-header --no-annotate \
      --python-platform x86_64-manylinux_2_28 --python-version 3.12 \
      --cache-dir "$dir/uv-cache" -o "$dir/uv-$phase.txt" "${offline[@]}" \
      >/dev/null 2>"$dir/uv-$phase.err"
    v_rc=$?
    set -e
    [ $v_rc -eq 0 ] || rm -f "$dir/uv-$phase.txt"
    [ $u_rc -eq 0 ] || rm -f "$dir/unilock-$phase.txt"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$phase" "$u_rc" "$(tail -1 "$dir/unilock-$phase.time")" \
      "$(wc -c <"$dir/unilock-$phase.err")" "$v_rc" "$(tail -1 "$dir/uv-$phase.time")" "$dir" >>"$rows"
  done
done

python3 - "$rows" <<'PY'
import os, re, sys
def pins(path):
    out = {}
    if not os.path.exists(path):
        return None
    for line in open(path):
        m = re.match(r"^([A-Za-z0-9._-]+)(\[[^]]*\])?==([^ ;\\]+)", line.strip())
        if m:
            out[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(3)
    return out
def fmt(rc, t):
    parts = t.split()
    if len(parts) != 2:
        return f"{'?':>8} {'?':>8}", "error"
    wall, kib = float(parts[0]), int(parts[1])
    status = "ok" if rc == "0" else ("timeout" if rc == "124" else f"fails({rc})")
    return f"{wall:7.1f}s {kib / 1024:6.0f}MB", status
print(f"{'workload':20} {'phase':5} | {'unilock':15} {'result':10} {'err':>8} | {'uv':15} {'result':10} | pins: equal / differ / only unilock / only uv")
for line in open(sys.argv[1]):
    name, phase, u_rc, u_t, u_err, v_rc, v_t, d = line.rstrip("\n").split("\t")
    u_fig, u_status = fmt(u_rc, u_t)
    v_fig, v_status = fmt(v_rc, v_t)
    ours, theirs = pins(os.path.join(d, f"unilock-{phase}.txt")), pins(os.path.join(d, f"uv-{phase}.txt"))
    if ours is not None and theirs is not None:
        eq = sum(1 for k in ours if theirs.get(k) == ours[k])
        diff = [k for k in ours if k in theirs and theirs[k] != ours[k]]
        only_u = [k for k in ours if k not in theirs]
        only_v = [k for k in theirs if k not in ours]
        cmp = f"{eq} / {len(diff)} / {len(only_u)} / {len(only_v)}"
    else:
        cmp = f"unilock {len(ours) if ours is not None else '-'} pins, uv {len(theirs) if theirs is not None else '-'} pins"
        diff = only_u = only_v = []
    print(f"{name:20} {phase:5} | {u_fig} {u_status:10} {int(u_err):>7}B | {v_fig} {v_status:10} | {cmp}")
    for k in diff:
        print(f"{'':28} differ: {k} unilock {ours[k]}, uv {theirs[k]}")
    for k in only_u:
        print(f"{'':28} only unilock: {k}=={ours[k]}")
    for k in only_v:
        print(f"{'':28} only uv: {k}=={theirs[k]}")
PY
