#!/usr/bin/env bash
# Seeds every fuzz target's corpus (fuzz/corpus/<target>/, ignored by git) from the project's
# fixtures and ../shared/corpus/real/, then runs each target for SECONDS (default 600), JOBS at a
# time (default 2), and prints one line per target: runs, seconds, and whether it crashed.
# Needs cargo-fuzz and the nightly toolchain (see fuzz/README.md). Not part of CI.
#
#   scripts/fuzz-all.sh                       every target, 10 minutes each
#   SECONDS_EACH=60 scripts/fuzz-all.sh requirements uv_lock
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
shared=../../shared/corpus/real
each=${SECONDS_EACH:-600}
jobs=${JOBS:-2}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^unilock-fuzz$')
fi

# seed TARGET FILE... : copies the files (those that exist) into fuzz/corpus/TARGET/.
seed() {
    local target=$1 i=0
    shift
    mkdir -p "corpus/$target"
    for f in "$@"; do
        [ -f "$f" ] || continue
        i=$((i + 1))
        cp "$f" "corpus/$target/seed-$i-$(basename "$f")"
    done
}
# first_lines N FILE... : seeds of the first N lines of large files (whole files mutate slowly).
first_lines() {
    local target=$1 n=$2 i=0
    shift 2
    mkdir -p "corpus/$target"
    for f in "$@"; do
        [ -f "$f" ] || continue
        i=$((i + 1))
        head -n "$n" "$f" > "corpus/$target/head-$i-$(basename "$f")"
    done
}

seed_all() {
    seed requirements $shared/requirements/* ../corpus/invalid/requirements/* ../corpus/examples/*.in
    seed uv_lock $shared/uv-lock/* ../corpus/invalid/uv-lock/*
    seed pyproject $shared/pyproject/* ../corpus/invalid/pyproject/* ../corpus/fixtures/project/*.toml
    seed pylock $shared/pylock/* ../corpus/invalid/pylock/*
    seed conda_env $shared/environment-yml/* ../corpus/fixtures/conda-env/* ../corpus/invalid/conda-env/*
    seed conda_explicit ../corpus/invalid/conda-explicit/* $shared/conda-lock/*.pin.txt
    first_lines conda_explicit 40 $shared/conda-lock/*.lock
    seed conda_lock $shared/conda-lock/*.yml ../corpus/fixtures/conda-lock/* ../corpus/invalid/conda-lock/*
    seed pixi_lock $shared/pixi-lock/*.lock ../corpus/fixtures/pixi-lock/* ../corpus/invalid/pixi-lock/*
    seed pixi_toml $shared/pixi-lock/*.toml ../corpus/fixtures/pixi-toml/* ../corpus/invalid/pixi-toml/*
    seed flake_lock $shared/flake-lock/*.lock ../corpus/fixtures/flake-lock/*.lock ../corpus/invalid/flake-lock/*
    seed wheel_records ../corpus/fixtures/find-links/*.whl
    seed index_page ../corpus/fixtures/index/simple/*/index.html ../corpus/index-snapshot/simple/*/index.* \
        ../corpus/index-snapshot/files/*.metadata
    # Cache entries (and the packed pages inside pages-v1 entries): whatever a warm cache holds,
    # when one is at hand (FUZZ_CACHE, else the user's cache). cache_entries reads its first
    # byte as the kind of entry: 0 http-v1, 1 pages-v1, 2 metadata-v1, 3 direct-v1.
    local cache=${FUZZ_CACHE:-${UNILOCK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/unilock}}
    if [ -d "$cache" ]; then
        mkdir -p corpus/cache_entries corpus/packed_files
        local kind=0 dir f i
        for dir in http-v1 pages-v1 metadata-v1 direct-v1; do
            i=0
            while IFS= read -r f; do
                i=$((i + 1))
                { printf "\\$(printf '%03o' "$kind")"; cat "$f"; } > "corpus/cache_entries/$dir-$i"
                if [ "$dir" = pages-v1 ]; then
                    # The packed files start at their magic line, after the entry's header.
                    python3 - "$f" "corpus/packed_files/page-$i" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
at = data.find(b'unilock-files-1\n')
if at >= 0:
    open(sys.argv[2], 'wb').write(data[at:])
PY
                fi
            done < <(find "$cache/$dir" -type f -size -256k 2>/dev/null | head -n 40)
            kind=$((kind + 1))
        done
    fi
}

max_len() {
    case $1 in
        flake_lock | conda_lock | pixi_lock) echo 32768 ;;
        wheel_records | index_page | packed_files | cache_entries) echo 65536 ;;
        *) echo 8192 ;;
    esac
}

run_one() {
    local target=$1 log="fuzz-logs/$1.log"
    mkdir -p "corpus/$target"
    cargo +nightly fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$each" -max_len="$(max_len "$target")" > "$log" 2>&1
    local status=$?
    local runs
    runs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -n 1)
    if [ $status -eq 0 ]; then
        echo "$target: ${runs:-no summary} — no crash"
    else
        echo "$target: exit $status — see fuzz/$log and fuzz/artifacts/$target/"
    fi
}

seed_all
mkdir -p fuzz-logs
cargo +nightly fuzz build || exit 1
running=0
for t in "${targets[@]}"; do
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait
