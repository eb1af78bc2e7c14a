#!/usr/bin/env bash
# The scale benchmark of conda channels: a 30-name `unilock resolve` for linux-64 against the
# generated channel of scripts/gen-scale-channel.py (>= 300,000 records; generated into
# target/scale-channel when missing) served over loopback HTTP by `python -m http.server`,
# once from its repodata.json and once from its CEP 16 shards, each cold (empty cache) and
# warm (the same cache again); beside py-rattler's SparseRepoData + solve_with_sparse_repodata
# on the same repodata.json read from disk (scripts/conda_bench_rattler.py; its first and
# second run). Prints a table of wall time and peak memory (`/usr/bin/time -v`, the whole
# process) and the number of requests the server saw; and whether both tools chose the same
# names and versions.
#
#   scripts/bench-conda-scale.sh
#
# COPY (default 7) picks which copy of the replicated records the 30 names come from;
# SCALE_CHANNEL puts the channel elsewhere. Needs the test venv of
# scripts/install-test-tools.sh (py-rattler, msgpack, zstandard; run here when missing) and
# builds unilock in release mode.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${UNILOCK_TEST_TOOLS:-$root/target/test-tools/venv}"
channel="${SCALE_CHANNEL:-$root/target/scale-channel}"
copy="$(printf 's%05d' "${COPY:-7}")"

if ! "$venv/bin/python" -c "import rattler, msgpack, zstandard" 2>/dev/null; then
  "$root/scripts/install-test-tools.sh"
fi
if [ ! -f "$channel/json/linux-64/repodata.json" ] || [ ! -f "$channel/shards/linux-64/repodata_shards.msgpack.zst" ]; then
  "$venv/bin/python" "$root/scripts/gen-scale-channel.py" --out "$channel"
fi
(cd "$root" && cargo build --release --locked --quiet --bin unilock)
unilock="$root/target/release/unilock"

work="$(mktemp -d "$root/target/conda-scale-bench.XXXXXX")"
port="$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
"$venv/bin/python" -m http.server --bind 127.0.0.1 --directory "$channel" "$port" 2>"$work/requests.log" >/dev/null &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do
  "$venv/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/json/noarch/', timeout=1)" 2>/dev/null && break
  sleep 0.1
done

names=(python=3.12 numpy scipy pandas matplotlib-base scikit-learn pyarrow polars dask distributed
  bokeh jupyterlab geopandas ruff mypy pytest pre-commit requests pyyaml click rich tqdm sympy
  networkx pillow h5py numba statsmodels seaborn xarray)
for variant in json shards; do
  {
    echo "channels:"
    echo "  - $variant"
    echo "dependencies:"
    for n in "${names[@]}"; do
      name="${n%%=*}"
      [ "$name" = "$n" ] && echo "  - $name-$copy" || echo "  - $name-$copy=${n#*=}"
    done
  } >"$work/$variant.yml"
done

# measure LABEL COMMAND…: wall seconds, peak RSS and requests served, one line in results.
measure() {
  local label="$1"
  shift
  : >"$work/requests.log"
  /usr/bin/time -v -o "$work/time" "$@" >"$work/out" 2>"$work/err" || {
    echo "$label failed:" >&2
    cat "$work/err" >&2
    exit 1
  }
  local wall rss requests
  wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$work/time")"
  rss="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")"
  requests="$(grep -c '"GET ' "$work/requests.log" || true)"
  echo "$label|$wall|$rss|$requests" >>"$work/results"
}

for variant in json shards; do
  cache="$work/cache-$variant"
  for run in cold warm; do
    measure "unilock, $variant over HTTP, $run" "$unilock" resolve "$work/$variant.yml" \
      --target linux-64 --channel-alias "http://127.0.0.1:$port/" --cache-dir "$cache" \
      -o "$work/$variant.lock"
  done
done
for run in first second; do
  measure "py-rattler, repodata.json from disk, $run run" "$venv/bin/python" \
    "$root/scripts/conda_bench_rattler.py" "$work/json.yml" linux-64 \
    --alias "file://$channel/" --unilock "$unilock" --work "$work/rattler"
  cp "$work/out" "$work/rattler.json"
done

"$venv/bin/python" - "$work" "$channel" <<'EOF'
import json, os, sys, tomllib
work, channel = sys.argv[1], sys.argv[2]
records = 0
for sub in ("linux-64", "noarch"):
    with open(os.path.join(channel, "json", sub, "repodata.json"), "rb") as f:
        data = json.load(f)
    records += sum(len(data.get(k) or {}) for k in ("packages", "packages.conda"))
print(f"channel: {records} records (linux-64 + noarch), 30 names asked\n")
print(f"| {'run':<48} | {'wall s':>7} | {'peak MiB':>8} | {'requests':>8} |")
print(f"|{'-'*50}|{'-'*9}|{'-'*10}|{'-'*10}|")
for line in open(os.path.join(work, "results")):
    label, wall, rss, requests = line.strip().split("|")
    requests = "-" if label.startswith("py-rattler") else requests
    print(f"| {label:<48} | {float(wall):>7.2f} | {int(rss)/1024:>8.0f} | {requests:>8} |")
rattler = json.load(open(os.path.join(work, "rattler.json")))
print(f"\npy-rattler in-process (load + solve): {rattler['seconds']:.2f} s, status {rattler['status']}")
def chosen(path):
    with open(path, "rb") as f:
        lock = tomllib.load(f)
    return {(p["name"], p["version"]) for p in lock.get("package", []) if "version" in p}
ours = {variant: chosen(os.path.join(work, f"{variant}.lock")) for variant in ("json", "shards")}
theirs = {(r["name"], r["version"]) for r in rattler["records"]}
print(f"unilock chose {len(ours['json'])} packages; the same from json and shards: {ours['json'] == ours['shards']}")
print(f"the same names and versions as py-rattler: {ours['json'] == theirs}")
for name, version in sorted(ours["json"] ^ theirs):
    side = "unilock" if (name, version) in ours["json"] else "py-rattler"
    print(f"  only {side}: {name} {version}")
EOF
