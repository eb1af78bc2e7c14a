#!/usr/bin/env bash
# Prints the time unilock takes to parse and re-emit the largest uv.lock of the shared corpus,
# and to export it as requirements, beside `uv export --frozen` on the same file (alternating
# runs, median of N). Installs uv with scripts/install-test-tools.sh; builds unilock --release.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${UNILOCK_SHARED:-$root/../shared}"
runs="${RUNS:-15}"
"$root/scripts/install-test-tools.sh" >/dev/null
(cd "$root" && cargo build --release --quiet)
uv="$root/target/test-tools/venv/bin/uv"
unilock="$root/target/release/unilock"
lock="$(ls -S "$shared"/corpus/real/uv-lock/*.lock | head -1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$lock" "$work/uv.lock"
# A minimal project for uv: the name of the lock's root package ("." source).
name="$(awk '/^\[\[package\]\]/{n=""} /^name = /{n=$3} /^source = \{ (editable|virtual) = "\." \}/{gsub(/"/,"",n); print n; exit}' "$work/uv.lock")"
rp="$(awk -F' = ' '/^requires-python/{print $2; exit}' "$work/uv.lock")"
printf '[project]\nname = "%s"\nversion = "0"\nrequires-python = %s\n' "$name" "$rp" > "$work/pyproject.toml"
echo "lock: $(basename "$lock") ($(wc -c < "$lock") bytes, $(grep -c '^\[\[package\]\]' "$lock") packages), $runs runs each"
"$uv" --version
python3 - "$runs" "$work" "$unilock" "$uv" <<'PY'
import statistics, subprocess, sys, time
runs, work, unilock, uv = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
cases = {
    "unilock parse + emit uv.lock": [unilock, "convert", "uv.lock", "--to", "uv-lock"],
    "unilock export to requirements": [unilock, "convert", "uv.lock", "--to", "requirements"],
    "uv export --frozen": [uv, "export", "--frozen", "--offline", "--no-header", "--quiet"],
}
times = {k: [] for k in cases}
for _ in range(runs):
    for name, cmd in cases.items():
        t = time.perf_counter()
        subprocess.run(cmd, cwd=work, check=True, stdout=subprocess.DEVNULL)
        times[name].append(time.perf_counter() - t)
for name, ts in times.items():
    print(f"{name:34} median {statistics.median(ts)*1000:8.1f} ms   min {min(ts)*1000:8.1f} ms")
PY
