#!/usr/bin/env bash
# Records corpus/explain-snapshot/: a file:// simple index of what the failing resolutions
# below consult on the default index, their explanations included (`unilock index record
# --allow-unsatisfiable` keeps the versions an explanation names, and the versions it suggests).
# tests/resolve/explain.rs resolves it offline and checks that each failure names its real
# cause. Needs the network; run it again to refresh the snapshot (the expected version spans
# in that test then change with it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --quiet --bin unilock
unilock="$root/target/debug/unilock"
into=corpus/explain-snapshot
merge=()

# record NAME REQUIREMENTS [OPTIONS...]: one recording, merged into the ones before it.
record() {
    local name="$1" requirements="$2"
    shift 2
    printf '%s' "$requirements" > "$work/$name.txt"
    "$unilock" index record "$work/$name.txt" "$@" --allow-unsatisfiable --into "$into" "${merge[@]}"
    merge=(--merge)
}

# torch 2.8.0 has Windows wheels for cp39-cp313 only: on Python 3.14 the cause is the Python
# tag, not the platform; torch 2.9.0 is the first with cp314 wheels.
record torch-python 'torch==2.8.*
' --target win-64,python=3.14

# numpy 2.3 and later ship only manylinux_2_27/2_28 wheels for Linux: on centos7 (glibc 2.17)
# the cause is the glibc; numpy 2.2.6 is the newest with manylinux2014 wheels.
record numpy-glibc 'numpy>=2.3
' --target centos7,python=3.12 --only-binary

# opencv-python has cp37-abi3 wheels (fine on 3.12) but no musllinux ones: on Alpine the
# cause is musl.
record opencv-musl 'opencv-python
' --target alpine3.20 --only-binary

# Every torchvision with cp314 wheels pins a torch of 2.9 or later: a failure over many
# versions of both, which must read as version spans, not range syntax (the lower bounds
# only keep the snapshot small).
record torchvision-spans 'torchvision>=0.20
torch>=2.5,<2.9
' --target win-64,python=3.14
