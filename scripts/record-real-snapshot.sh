#!/usr/bin/env bash
# Records corpus/real-snapshot/: real requirements and pyproject.toml files of public
# projects (copied byte for byte from ../shared/corpus/real into projects/, their sources in
# projects/SOURCES.tsv) and a file:// simple index (index/) of what resolving each of them
# consults on the default index for the two targets below, written by unilock's own client
# (`unilock index record`, the later projects merged into the first). tests/export/real.rs
# resolves each project offline from it and exports it to every format.
#
# pip checks the hashes of the files it installs, so the wheels pip takes for this machine
# (Linux x86-64, Python 3.11) are fetched into index/files/ by pip itself from the hashed
# requirements unilock exports (the recorder keeps only bodies up to 128 KiB). Needs the
# network and target/test-tools (scripts/install-test-tools.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
shared="$root/../shared/corpus/real"
[ -d "$shared" ] || { echo "no shared corpus at $shared" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --quiet --bin unilock
unilock="$root/target/debug/unilock"
pip="$root/target/test-tools/venv/bin/pip"
snap=corpus/real-snapshot
projects="$snap/projects"
into="$snap/index"
targets=(--target linux-64,python=3.11 --target win-64,python=3.11)
# The target of this machine, whose wheels pip installs in the tests.
here=linux-64,python=3.11
platforms=()
for v in $(seq 28 -1 5); do platforms+=(--platform "manylinux_2_${v}_x86_64"); done
platforms+=(--platform manylinux2014_x86_64 --platform manylinux2010_x86_64 --platform manylinux1_x86_64)

# Left out to keep the snapshot small (< 20 MB): pdm (virtualenv's wheel alone is 5.7 MB),
# aiohttp's base.in (uvloop, 4 MB), pydantic's pyodide requirements.in (5.4 MB of wheels no
# other project shares: faker, hypothesis, pytz, ...); torch projects (Lightning, dinov2, generative-models,
# jamun, kohya_ss) and the geo stacks (geopandas, Ribasim, imod) by far.
# certbot's tools/requirements.txt is left out: it pins python-augeas 1.2.0, an sdist whose
# dependencies are known only after a build (metadata 2.1), which unilock does not lock.
#
# The projects: SLUG, the file resolved (relative to the project's folder), then the files
# copied from the shared corpus (relative to its folder of that format) to the project folder.
PROJECTS=(
  "aiohttp-runtime|requirements/runtime-deps.in|requirements/aio-libs__aiohttp/requirements/runtime-deps.in=requirements/runtime-deps.in"
  "aiohttp-test|requirements/test-common-base.in|requirements/aio-libs__aiohttp/requirements/test-common-base.in=requirements/test-common-base.in"
  "mypy-build|build-requirements.txt|requirements/python__mypy/build-requirements.txt=build-requirements.txt requirements/python__mypy/mypy-requirements.txt=mypy-requirements.txt"
  "aiohttp-base-ft|requirements/base-ft.in|requirements/aio-libs__aiohttp/requirements/base-ft.in=requirements/base-ft.in requirements/aio-libs__aiohttp/requirements/runtime-deps.in=requirements/runtime-deps.in"
  "aiohttp-test-mobile|requirements/test-mobile.in|requirements/aio-libs__aiohttp/requirements/test-mobile.in=requirements/test-mobile.in requirements/aio-libs__aiohttp/requirements/base-ft.in=requirements/base-ft.in requirements/aio-libs__aiohttp/requirements/runtime-deps.in=requirements/runtime-deps.in requirements/aio-libs__aiohttp/requirements/test-common-base.in=requirements/test-common-base.in"
  "mypy|mypy-requirements.txt|requirements/python__mypy/mypy-requirements.txt=mypy-requirements.txt"
  "fastapi|pyproject.toml|pyproject/fastapi__fastapi__pyproject.toml=pyproject.toml"
  "openai-python|pyproject.toml|pyproject/openai__openai-python__pyproject.toml=pyproject.toml"
  "pydantic|pyproject.toml|pyproject/pydantic__pydantic__pyproject.toml=pyproject.toml"
  "pydantic-core|pyproject.toml|pyproject/pydantic__pydantic__pydantic-core_pyproject.toml=pyproject.toml"
)

rm -rf "$snap"
mkdir -p "$projects"
printf 'project\tfile\tsource (../shared/corpus/real, see its MANIFEST.tsv)\n' > "$projects/SOURCES.tsv"
merge=()
for entry in "${PROJECTS[@]}"; do
    IFS='|' read -r slug input copies <<< "$entry"
    for copy in $copies; do
        from="${copy%%=*}" to="${copy#*=}"
        mkdir -p "$(dirname "$projects/$slug/$to")"
        cp "$shared/$from" "$projects/$slug/$to"
        printf '%s\t%s\t%s\n' "$slug" "$to" "$from" >> "$projects/SOURCES.tsv"
    done
    recorded="$projects/$slug/$input"
    if [ "${input##*/}" = pyproject.toml ]; then
        # A recording serves every extra and dependency group of a pyproject.toml, and some
        # groups hold sdists that need a build (fastapi's dev group: jieba); the tests
        # resolve the main dependencies, so those are what is recorded.
        recorded="$work/$slug.txt"
        python3 -c 'import sys, tomllib; print("\n".join(tomllib.load(open(sys.argv[1], "rb"))["project"].get("dependencies", [])))' \
            "$projects/$slug/$input" > "$recorded"
    fi
    "$unilock" index record "$recorded" "${targets[@]}" --into "$into" "${merge[@]}"
    merge=(--merge)
done

# The wheels pip installs on this machine, with the hashes the lock holds.
index="file://$root/$into/simple"
for entry in "${PROJECTS[@]}"; do
    IFS='|' read -r slug input _ <<< "$entry"
    "$unilock" resolve "$projects/$slug/$input" --index-url "$index" --offline "${targets[@]}" \
        -o "$work/$slug.lock"
    "$unilock" export --lock "$work/$slug.lock" --to requirements --target "$here" \
        -o "$work/$slug-pins.txt"
    # With the target's platform tags (glibc 2.28: manylinux_2_28 down to manylinux1), as
    # the test asks pip for the requirements file, then for this machine (the pylock).
    PIP_FIND_LINKS= "$pip" download --quiet --no-deps --only-binary :all: --require-hashes \
        "${platforms[@]}" --python-version 3.11 --implementation cp \
        -d "$into/files" -r "$work/$slug-pins.txt"
    PIP_FIND_LINKS= "$pip" download --quiet --no-deps --only-binary :all: --require-hashes \
        -d "$into/files" -r "$work/$slug-pins.txt"
done
du -sh "$snap"
