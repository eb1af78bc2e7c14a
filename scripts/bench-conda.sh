#!/usr/bin/env bash
# unilock against py-rattler's solve (resolvo) on every conda-bench spec and target, on the same
# local channel data: corpus/conda-bench/*.yml over ../shared/conda-channels (or
# $UNILOCK_SHARED/conda-channels), named through --channel-alias. Runs alternate, RUNS of each
# (default 5); prints the median times, their ratio and whether both chose the same names and
# versions (differences listed under the table), or both found the spec unsatisfiable.
# unilock's time is the wall time of its process (read channels, solve, write the lock);
# rattler's is the load of its SparseRepoData and the solve, measured inside its process.
#
#   scripts/bench-conda.sh [SPEC.yml …]
#
# Needs py-rattler 0.28 from scripts/install-test-tools.sh (run here when missing) and builds
# unilock in release mode.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${UNILOCK_TEST_TOOLS:-$root/target/test-tools/venv}"
shared="${UNILOCK_SHARED:-$root/../shared}"
channels="$(cd "$shared/conda-channels" && pwd -P)"

if ! "$venv/bin/python" -c "import rattler" 2>/dev/null; then
  "$root/scripts/install-test-tools.sh"
fi
(cd "$root" && cargo build --release --locked --quiet --bin unilock)

exec "$venv/bin/python" "$root/scripts/conda_bench_compare.py" \
  --unilock "$root/target/release/unilock" \
  --alias "file://$channels/" \
  --work "$root/target/conda-bench" \
  --runs "${RUNS:-5}" \
  "$@"
