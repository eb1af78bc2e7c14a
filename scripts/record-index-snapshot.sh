#!/usr/bin/env bash
# Records corpus/index-snapshot/: a file:// simple index of what resolving the requirement
# sets below consults on the default index, written by unilock's own client (`unilock index
# record`, the later sets merged into the first). tests/resolve/snapshot.rs resolves it
# offline. Needs the network; run it again to refresh the snapshot (the expected pins in that
# test then change with it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --quiet --bin unilock
unilock="$root/target/debug/unilock"
into=corpus/index-snapshot
merge=()

# record NAME REQUIREMENTS [OPTIONS...]: one recording, merged into the ones before it.
record() {
    local name="$1" requirements="$2"
    shift 2
    printf '%s' "$requirements" > "$work/$name.txt"
    "$unilock" index record "$work/$name.txt" "$@" --into "$into" "${merge[@]}"
    merge=(--merge)
}

# An extra with markers (requests[socks] -> PySocks), and a range holding yanked versions
# (urllib3 2.0.0, 2.0.1) and pre-releases (urllib3 2.0.0a1-a4) above the version chosen.
record extras-yanked-pre 'requests[socks]
urllib3<2.0.2
' --target linux-aarch64,python=3.11 --target win-64,python=3.12 --target macos14,python=3.13

# Kept pins: requests alone takes the newest urllib3, which an input lock pinning the
# urllib3 of the set above holds back until --upgrade-package urllib3.
record kept-pins 'requests
' --target linux-aarch64,python=3.11

# Source distributions only: mysqlclient has wheels for Windows and only an sdist for Linux,
# whose PKG-INFO is static (metadata 2.2 or later, PEP 643), so Linux locks it as needing a
# build; rouge-score's newest versions are sdists with metadata 2.1, skipped with a warning
# for the newest version with a wheel (0.0.4).
record sdists 'mysqlclient
rouge-score
' --target linux-64,python=3.12 --target win-64,python=3.12

# Per-target versions: onnxruntime's newest versions have no wheel for Intel macOS (whose
# newest is older, with other dependencies), and only manylinux_2_28 (or _2_27) wheels for
# Linux, so centos7 (glibc 2.17) cannot use any of them. --consistent also records the
# common versions.
record per-target 'onnxruntime
' --target linux-64,python=3.12 --target macos13-x86_64,python=3.12 --consistent
