#!/usr/bin/env bash
# Records corpus/index-snapshot/: a file:// simple index of what resolving the requirements
# below consults on the default index, written by unilock's own client (`unilock index
# record`). tests/resolve/snapshot.rs resolves it offline. Needs the network; run it again to
# refresh the snapshot (the expected pins in that test then change with it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
requirements="$(mktemp -d)/requirements.txt"
trap 'rm -rf "$(dirname "$requirements")"' EXIT
# An extra with markers (requests[socks] -> PySocks), and a range holding yanked versions
# (urllib3 2.0.0, 2.0.1) and pre-releases (urllib3 2.0.0a1-a4) above the version chosen.
cat > "$requirements" <<'REQ'
requests[socks]
urllib3<2.0.2
REQ
cargo run --quiet --bin unilock -- index record "$requirements" \
    --target linux-aarch64,python=3.11 \
    --target win-64,python=3.12 \
    --target macos14,python=3.13 \
    --into corpus/index-snapshot
