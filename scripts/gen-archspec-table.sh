#!/usr/bin/env bash
# Regenerate model/src/target/archspec_table.rs from archspec's bundled
# microarchitectures.json. Bump ARCHSPEC_VERSION to update the table.
set -euo pipefail

ARCHSPEC_VERSION=0.2.7

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$repo_root/model/src/target/archspec_table.rs"

work="$(mktemp -d "${TMPDIR:-/tmp}/gen-archspec-table.XXXXXX")"
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    "archspec==$ARCHSPEC_VERSION"

"$work/venv/bin/python" "$repo_root/scripts/gen_archspec_table.py" >"$work/archspec_table.rs"
rustfmt --edition 2021 "$work/archspec_table.rs"
mkdir -p "$(dirname "$out")"
mv "$work/archspec_table.rs" "$out"
echo "wrote ${out#"$repo_root"/} (archspec $ARCHSPEC_VERSION)"
