#!/usr/bin/env bash
# Compares, for 32 popular binary wheels (scientific, ML, image, database drivers, geo), the
# shared libraries `unilock check` says each wheel needs from the host with what auditwheel
# (the PyPI package, 6.8.2) finds for the same wheel. Live and opt-in: it downloads the wheels
# from the default index (Linux x86-64, CPython 3.12, manylinux) with pip and installs
# auditwheel into target/check-compare/venv.
#
# "Needs from the host" on unilock's side: every DT_NEEDED of the wheel's ELF files that no
# member of the wheel provides (by file name or DT_SONAME), as the example binary
# `host_libraries` of the unilock-check crate prints it. On auditwheel's side: every DT_NEEDED
# of the wheel's ELF files (auditwheel's `get_wheel_elfdata` lddtree) that resolves on this
# host's system paths or is not found at all, rather than inside the unpacked wheel.
# Prints one row per wheel and the differences; exits 1 when any wheel differs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/target/check-compare"
mkdir -p "$work/wheels"
python="${PYTHON:-python3}"
if [ ! -x "$work/venv/bin/auditwheel" ]; then
  "$python" -m venv "$work/venv"
  "$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "auditwheel==6.8.2" "pip==26.3"
fi
wheels=(
  numpy scipy pandas scikit-learn matplotlib pillow opencv-python opencv-python-headless
  pyarrow lxml psycopg2-binary psycopg-binary grpcio h5py shapely pyproj numba llvmlite
  tokenizers onnxruntime lightgbm polars-runtime-64 duckdb orjson cryptography pydantic-core pyzmq
  scikit-image pymupdf netcdf4 tables kiwisolver
)
platforms=()
for v in $(seq 34 -1 17); do platforms+=(--platform "manylinux_2_${v}_x86_64"); done
platforms+=(--platform manylinux2014_x86_64)
for w in "${wheels[@]}"; do
  if ! ls "$work/wheels" | grep -qi "^$(echo "$w" | tr - _)-"; then
    "$work/venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
      --only-binary :all: --python-version 3.12 "${platforms[@]}" -d "$work/wheels" "$w"
  fi
done
cargo run --quiet --release -p unilock-check --example host_libraries -- "$work"/wheels/*.whl \
  > "$work/unilock.json"
"$work/venv/bin/python" "$root/scripts/compare_check_auditwheel.py" "$work/unilock.json" "$work"/wheels/*.whl
