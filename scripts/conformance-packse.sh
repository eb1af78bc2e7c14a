#!/usr/bin/env bash
# uv's public resolver scenarios (packse 0.3.59's scenarios/, 147 of them) run through unilock
# and uv: each scenario becomes a file:// simple index, its root requirements are resolved by
# both offline, and each result is held against the scenario's expected one. Prints one line
# per scenario (unilock, uv: ok or NO), the counts, and writes target/packse/work/results.json.
# Live and opt-in: the packse sdist is fetched from the default index by pip (its scenarios are
# in the sdist only); uv is the one scripts/install-test-tools.sh installs.
# Usage: scripts/conformance-packse.sh [NAME_FILTER]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
work="$root/target/packse"
venv="${UNILOCK_TEST_TOOLS:-$root/target/test-tools/venv}"
PACKSE_VERSION=0.3.59
mkdir -p "$work"
if [ ! -d "$work/packse-$PACKSE_VERSION/scenarios" ]; then
  # packse needs Python 3.12 to run; only its sdist's scenario files are used here.
  "$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
    --no-binary :all: --ignore-requires-python -d "$work" "packse==$PACKSE_VERSION"
  tar -xzf "$work/packse-$PACKSE_VERSION.tar.gz" -C "$work"
fi
cargo build --quiet --release --bin unilock
python3 scripts/packse_conformance.py "$work/packse-$PACKSE_VERSION/scenarios" "$work/work" \
  "$root/target/release/unilock" "$venv/bin/uv" "${1:-}"
