#!/usr/bin/env bash
# Benchmarks `unilock check` on a lock of about 150 packages (a data-science and web stack,
# resolved live from the default index for linux-64 with Python 3.12): a cold check (an empty
# cache: every binary artifact's members read over the network) and a warm one (the facts
# cached by hash), each with wall time, peak memory and bytes downloaded, beside the sum of the
# artifacts' sizes. Live and opt-in; prints figures, asserts nothing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cargo build --quiet --release --bin unilock
unilock="$root/target/release/unilock"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/requirements.in" <<'REQ'
jupyterlab
pandas
scikit-learn
scikit-image
matplotlib
seaborn
statsmodels
pyarrow
polars
duckdb
opencv-python
sqlalchemy
psycopg2-binary
lxml
h5py
numba
bokeh
dask[complete]
fastapi[standard]
boto3
redis
requests
cryptography
REQ
target=ubuntu24.04,python=3.12
"$unilock" resolve "$work/requirements.in" --target "$target" -o "$work/unilock.lock" --cache-dir "$work/resolve-cache" 2>&1 | tail -1
packages=$(grep -c '^\[\[package\]\]' "$work/unilock.lock")
run() { # $1: label; the rest: arguments
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$unilock" check --lock "$work/unilock.lock" --target "$target" --json "$@" > "$work/report.json" || true
  read -r wall kib < <(tail -1 "$work/time")
  python3 - "$label" "$wall" "$kib" "$work/report.json" <<'PY'
import json, sys
label, wall, kib, path = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
r = json.load(open(path))
t = r["targets"][0]
print(f"{label:5} {wall:7.2f} s  {kib/1024:7.1f} MiB peak  {r['bytes-read']/1e6:9.1f} MB downloaded"
      f"  of {t['artifact-bytes']/1e6:9.1f} MB in {t['artifacts']} binary artifacts; {len(t['findings'])} findings")
if label == "cold":
    for f in t["findings"]:
        print(f"      {f['severity']:9} {f['package']} {f['version']}: {f['message'][:150]}")
PY
}
echo "lock: $packages packages for $target"
run cold --cache-dir "$work/check-cache"
run warm --cache-dir "$work/check-cache"
run warm --cache-dir "$work/check-cache" --offline
