#!/usr/bin/env bash
# Regenerate corpus/wheel-tags/reference.json from packaging's real
# packaging.tags code (see scripts/record_wheel_tags.py for the simulation).
# Needs python3 with venv/pip and access to the default Python package index.
set -euo pipefail

PACKAGING_VERSION=26.3
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$(mktemp -d "${TMPDIR:-/tmp}/unilock-wheel-tags.XXXXXX")"
trap 'rm -rf "$venv"' EXIT

"${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "packaging==${PACKAGING_VERSION}"

mkdir -p "$root/corpus/wheel-tags"
"$venv/bin/python" "$root/scripts/record_wheel_tags.py" \
    "$root/corpus/wheel-tags/reference.json"
echo "wrote corpus/wheel-tags/reference.json (packaging ${PACKAGING_VERSION})"
