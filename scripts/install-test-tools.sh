#!/usr/bin/env bash
# Installs the real tools the tests use to check that unilock's output is accepted by the tools
# that own each format: uv and pip, pinned, from the default Python index, into
# target/test-tools/venv. The tests find them there (or through UNILOCK_TEST_TOOLS).
# Safe to run repeatedly: an existing venv with the right versions is kept.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${UNILOCK_TEST_TOOLS:-$root/target/test-tools/venv}"
UV_VERSION=0.13.9
PIP_VERSION=26.3
PACKAGING_VERSION=26.3
python="${PYTHON:-python3}"

if [ -x "$venv/bin/uv" ] && "$venv/bin/uv" --version | grep -q " $UV_VERSION" \
   && "$venv/bin/pip" --version | grep -q "^pip $PIP_VERSION "; then
  echo "test tools present in $venv"
else
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "pip==$PIP_VERSION" "uv==$UV_VERSION" "packaging==$PACKAGING_VERSION"
  echo "installed into $venv: $("$venv/bin/uv" --version), $("$venv/bin/pip" --version | cut -d' ' -f1-2)"
fi

# Installs a pinned Python distribution into the venv unless that version is already there.
ensure() {
  local dist="$1" version="$2"
  if "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('$dist') != '$version')" 2>/dev/null; then
    echo "$dist $version present"
  else
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$dist==$version"
    echo "installed $dist $version"
  fi
}

# --- conda-lock: reads the conda-lock.yml files unilock writes (tests/formats/conda_lock.rs) ---
CONDA_LOCK_VERSION=4.0.3
ensure conda-lock "$CONDA_LOCK_VERSION"

# --- py-rattler: reads the pixi.lock files unilock writes (tests/formats/pixi_lock.rs) ---
PY_RATTLER_VERSION=0.28.0
ensure py-rattler "$PY_RATTLER_VERSION"
