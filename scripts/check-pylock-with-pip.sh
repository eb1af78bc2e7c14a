#!/usr/bin/env bash
# Checks unilock's pylock.toml output with the reference reader, pip.
#
# For every pylock file of the shared corpus (or the files given as arguments) it writes
# unilock's canonical form (`unilock convert FILE --to pylock`). Then, in a throwaway venv under
# ${TMPDIR:-/tmp} with the newest pip and packaging from the default index:
#
#   1. every file, original and ours, is validated with packaging.pylock
#      (`Pylock.from_dict(tomllib.load(f))` + `validate()`), the reader pip itself uses;
#      our output must be valid wherever the original is, and `Pylock.select()` for this
#      interpreter must choose the same files from the direct output as from the original;
#   2. `pip install --dry-run -r pylock.toml` runs on the original and on the direct output for
#      this interpreter; pip's verdict must be the same for both (the packages it selects, or
#      the error it stops at). The corpus points at placeholder hosts, so a file whose
#      selection succeeds ends in the same download error for both.
#
# Usage: scripts/check-pylock-with-pip.sh [FILE...]
#   PYTHON=python3.13 picks the interpreter pip selects for (default: python3).
#   UNILOCK_SHARED=DIR names the shared folder when it is not beside the project.
# Exit status: 0 when every check passed, 1 otherwise.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
shared="${UNILOCK_SHARED:-$root/../shared}"
if [ "$#" -gt 0 ]; then
    files=("$@")
else
    shopt -s nullglob
    files=("$shared"/corpus/real/pylock/*)
    shopt -u nullglob
fi
if [ "${#files[@]}" -eq 0 ]; then
    echo "no pylock files to check (is $shared/corpus/real/pylock there?)" >&2
    exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/unilock-pylock-check.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "== building unilock"
(cd "$root" && cargo build --quiet)
unilock="$root/target/debug/unilock"

echo "== venv with the newest pip and packaging ($("$python" --version 2>&1))"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip packaging
"$work/venv/bin/python" -m pip --version

# Validates one file; writes what packaging.pylock selects for this interpreter beside it.
validate() {
    "$work/venv/bin/python" - "$1" <<'PY'
import os, sys, tomllib
from packaging.pylock import Pylock, PylockSelectError
with open(sys.argv[1], "rb") as f:
    lock = Pylock.from_dict(tomllib.load(f))
lock.validate()
try:
    chosen = sorted(
        f"{package.name} {package.version} {getattr(dist, 'filename', type(dist).__name__)}"
        for package, dist in lock.select()
    )
except PylockSelectError as e:
    chosen = [f"cannot select: {e}"]
with open(os.path.join(os.path.dirname(sys.argv[1]), "selected.txt"), "w") as f:
    f.write("\n".join(chosen) + "\n")
print(f"valid ({len(lock.packages)} packages, {len(chosen)} selected here)")
PY
}

# pip's verdict on one pylock file: what it selects, or where it stops, with paths removed.
pip_verdict() {
    local dir="$1"
    (cd "$dir" && "$work/venv/bin/python" -m pip install --dry-run --quiet \
        --disable-pip-version-check --retries 0 --timeout 5 --report report.json \
        -r pylock.toml 2>&1 || true) |
        grep -v "experimental feature" | sed "s|$dir|DIR|g"
    if [ -f "$dir/report.json" ]; then
        "$work/venv/bin/python" -c 'import json,sys; print(sorted(i["metadata"]["name"] for i in json.load(open(sys.argv[1]))["install"]))' "$dir/report.json"
    fi
}

failures=0
fail() {
    echo "   FAIL: $*"
    failures=$((failures + 1))
}

for file in "${files[@]}"; do
    name="$(basename "$file")"
    echo "== $name"
    mkdir -p "$work/original" "$work/direct"
    cp "$file" "$work/original/pylock.toml"
    rm -f "$work"/*/report.json "$work"/*/selected.txt
    "$unilock" convert "$file" --to pylock >"$work/direct/pylock.toml"

    original_valid=yes
    for kind in original direct; do
        if out="$(validate "$work/$kind/pylock.toml" 2>&1)"; then
            echo "   packaging.pylock, $kind: $out"
        else
            echo "   packaging.pylock, $kind: INVALID: $(echo "$out" | tail -1)"
            if [ "$kind" = original ]; then
                original_valid=no
            elif [ "$original_valid" = yes ]; then
                fail "our $kind output is invalid where the original is valid"
            fi
        fi
    done

    if ! cmp -s "$work/original/selected.txt" "$work/direct/selected.txt"; then
        diff "$work/original/selected.txt" "$work/direct/selected.txt" | head -5 || true
        fail "packaging.pylock selects other files from our output than from the original"
    fi

    original="$(pip_verdict "$work/original")"
    ours="$(pip_verdict "$work/direct")"
    echo "   pip on the original: $(echo "$original" | grep -v '^$' | head -2 | tr '\n' ' ' | cut -c1-220)"
    if [ "$original" = "$ours" ]; then
        echo "   pip on our output: the same verdict"
    else
        echo "   pip on our output: $(echo "$ours" | grep -v '^$' | head -2 | tr '\n' ' ' | cut -c1-220)"
        fail "pip's verdict on our output differs from its verdict on the original"
    fi
done

if [ "$failures" -eq 0 ]; then
    echo "== all ${#files[@]} files: our pylock output is accepted by pip as the originals are"
else
    echo "== $failures check(s) failed"
    exit 1
fi
