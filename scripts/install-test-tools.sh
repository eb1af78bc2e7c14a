#!/usr/bin/env bash
# Installs the real tools the tests use to check that unilock's output is accepted by the tools
# that own each format, pinned, from the default Python index, into target/test-tools/venv. The
# tests find them there (or through UNILOCK_TEST_TOOLS).
# Safe to run repeatedly: tools already present in the right versions are kept. Each block
# installs one tool; pip is always run as `python -m pip`, so a venv copied from elsewhere
# (whose scripts name another interpreter) installs into itself.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${UNILOCK_TEST_TOOLS:-$root/target/test-tools/venv}"
python="${PYTHON:-python3}"

# Is distribution $1 installed in the venv in version $2?
has() {
  "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('$1') != '$2')" 2>/dev/null
}

# --- uv and pip (uv.lock, pylock.toml, requirements files) -------------------------------------
UV_VERSION=0.13.9
PIP_VERSION=26.3
PACKAGING_VERSION=26.3
if [ -x "$venv/bin/python" ] && has uv "$UV_VERSION" && has pip "$PIP_VERSION"; then
  echo "uv and pip present in $venv"
else
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "pip==$PIP_VERSION" "uv==$UV_VERSION" "packaging==$PACKAGING_VERSION"
  echo "installed into $venv: $("$venv/bin/uv" --version), pip $PIP_VERSION"
fi

# --- py-rattler (conda explicit files, MatchSpecs and pixi.lock, as rattler reads them) --------
PY_RATTLER_VERSION=0.28.0
if has py-rattler "$PY_RATTLER_VERSION"; then
  echo "py-rattler $PY_RATTLER_VERSION present"
else
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "py-rattler==$PY_RATTLER_VERSION"
  echo "installed py-rattler $PY_RATTLER_VERSION"
fi

# --- conda-lock (environment.yml and conda-lock.yml, as conda-lock reads them) ----------------
CONDA_LOCK_VERSION=4.0.3
if has conda-lock "$CONDA_LOCK_VERSION"; then
  echo "conda-lock $CONDA_LOCK_VERSION present"
else
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "conda-lock==$CONDA_LOCK_VERSION"
  echo "installed conda-lock $CONDA_LOCK_VERSION"
fi

# --- msgpack and zstandard (CEP 16 shards of the generated scale channel) ----------------------
MSGPACK_VERSION=1.2.4
ZSTANDARD_VERSION=0.25.0
if has msgpack "$MSGPACK_VERSION" && has zstandard "$ZSTANDARD_VERSION"; then
  echo "msgpack $MSGPACK_VERSION and zstandard $ZSTANDARD_VERSION present"
else
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "msgpack==$MSGPACK_VERSION" "zstandard==$ZSTANDARD_VERSION"
  echo "installed msgpack $MSGPACK_VERSION and zstandard $ZSTANDARD_VERSION"
fi

# --- nix (flake.nix and flake.lock of `export --to nix`, locked and evaluated offline) ---------
# Debian's nix-bin (single-user, as root; flakes enabled per command by the tests). Skipped
# where apt-get cannot run; the tests then say so (and fail under CI).
if command -v nix >/dev/null 2>&1; then
  echo "nix present: $(nix --version)"
elif command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nix-bin >/dev/null
  echo "installed $(nix --version)"
else
  echo "nix is missing and apt-get cannot install it here (needs root): the Nix export's evaluation test will skip"
fi
