#!/usr/bin/env bash
# Resolves corpus/bench/requirements.in with unilock and with `uv pip compile` in the same
# minute, against the default index, for two targets; prints where the pins differ; then asks
# pip's resolver (`pip install --dry-run --report`, the target's platform, --only-binary :all:)
# whether it installs our exported pins without adding or changing any. pip evaluates
# environment markers for the interpreter it runs on, whatever `--python-version` says, so it
# runs with the target's marker environment (from `unilock targets describe`) in place of its
# own. Needs the network.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-test-tools.sh" >/dev/null
(cd "$root" && cargo build --release --quiet)
tools="${UNILOCK_TEST_TOOLS:-$root/target/test-tools/venv}"
unilock="$root/target/release/unilock"
input="${1:-$root/corpus/bench/requirements.in}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pins() { grep -E '^[A-Za-z0-9._-]+(\[[^]]*\])?==' "$1" | sed -E 's/ .*//; s/\[[^]]*\]//' \
  | awk -F'==' '{ n = tolower($1); gsub(/[-_.]+/, "-", n); print n "==" $2 }' | sort; }
status=0
# unilock target | uv --python-platform | python
for spec in "linux-64,python=3.11,glibc=2.28|x86_64-manylinux_2_28|3.11" \
            "linux-aarch64,python=3.12,glibc=2.28|aarch64-manylinux_2_28|3.12"; do
  IFS='|' read -r target uv_platform python <<<"$spec"
  # pip takes the target's platform tags one by one (it does not widen manylinux_2_28 itself).
  "$unilock" targets describe "$target" --json >"$work/target.json"
  platforms="$(python3 -c '
import json, sys
seen = []
for tag in json.load(open(sys.argv[1]))["wheel_tags"]:
    p = tag.split("-")[2]
    if p != "any" and p not in seen:
        seen.append(p)
print(" ".join("--platform " + p for p in seen))' "$work/target.json")"
  echo "== $target"
  "$unilock" resolve "$input" --target "$target" -o "$work/unilock.lock" 2>"$work/unilock.err" \
    || { cat "$work/unilock.err"; status=1; continue; }
  "$unilock" export --lock "$work/unilock.lock" --to requirements --target "$target" -o "$work/ours.txt"
  "$tools/bin/uv" pip compile "$input" --quiet --no-header --no-annotate \
    --python-platform "$uv_platform" --python-version "$python" -o "$work/uv.txt"
  pins "$work/ours.txt" >"$work/ours.pins"
  pins "$work/uv.txt" >"$work/uv.pins"
  echo "unilock: $(wc -l <"$work/ours.pins") pins, uv: $(wc -l <"$work/uv.pins") pins"
  if diff "$work/uv.pins" "$work/ours.pins" >"$work/diff"; then
    echo "identical pins"
  else
    echo "differences (< uv, > unilock):"; cat "$work/diff"; status=1
  fi
  "$tools/bin/python" -c '
import json, sys
import pip._vendor.packaging.markers as markers
target = json.load(open(sys.argv.pop(1)))["markers"]
markers.default_environment = lambda: dict(target)
from pip._internal.cli.main import main
sys.exit(main())' "$work/target.json" install --dry-run --ignore-installed --quiet --disable-pip-version-check \
    --report "$work/report.json" --only-binary :all: $platforms \
    --python-version "$python" --implementation cp -r "$work/ours.txt" >/dev/null
  python3 - "$work/report.json" "$work/ours.pins" <<'PY'
import json, re, sys
report = json.load(open(sys.argv[1]))
got = sorted(re.sub(r"[-_.]+", "-", i["metadata"]["name"]).lower() + "==" + i["metadata"]["version"] for i in report["install"])
ours = open(sys.argv[2]).read().split()
if got == ours:
    print(f"pip installs our {len(ours)} pins unchanged")
else:
    print("pip differs:", sorted(set(got) ^ set(ours)))
    sys.exit(1)
PY
done
exit $status
