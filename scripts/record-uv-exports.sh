#!/usr/bin/env bash
# Records what the real `uv export --frozen` prints for each uv.lock of the shared corpus, so
# the tests can check that `unilock convert uv.lock --to requirements` matches it byte for byte
# (uv's `# via` annotations are turned off with --no-annotate). A minimal pyproject.toml naming
# the lock's root package is enough for uv to export a lock without resolving.
# Output: corpus/uv-export/<lock file stem>.<variant>.txt, variants `default` and `all-extras`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${UNILOCK_SHARED:-$root/../shared}"
"$root/scripts/install-test-tools.sh" >/dev/null
uv="$root/target/test-tools/venv/bin/uv"
out="$root/corpus/uv-export"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for lock in "$shared"/corpus/real/uv-lock/*.lock; do
  stem="$(basename "$lock" .lock)"
  rm -rf "$work/p" && mkdir "$work/p" && cp "$lock" "$work/p/uv.lock"
  name="$(awk '/^\[\[package\]\]/{n=""} /^name = /{n=$3} /^source = \{ (editable|virtual) = "\." \}/{gsub(/"/,"",n); print n; exit}' "$lock")"
  if [ -z "$name" ]; then
    echo "skip $stem: no root package at \".\""
    continue
  fi
  rp="$(awk -F' = ' '/^requires-python/{print $2; exit}' "$lock")"
  printf '[project]\nname = "%s"\nversion = "0"\nrequires-python = %s\n' "$name" "$rp" > "$work/p/pyproject.toml"
  for variant in default all-extras; do
    flags=(--frozen --offline --no-header --no-annotate --quiet)
    [ "$variant" = all-extras ] && flags+=(--all-extras)
    if (cd "$work/p" && "$uv" export "${flags[@]}" > "$work/out.txt" 2> "$work/err.txt"); then
      cp "$work/out.txt" "$out/$stem.$variant.txt"
    else
      echo "skip $stem $variant: $(head -1 "$work/err.txt")"
    fi
  done
done
echo "recorded with $("$uv" --version) into $out: $(ls "$out" | wc -l) files"
