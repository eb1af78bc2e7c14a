#!/usr/bin/env bash
# Wall time and peak memory of `unilock resolve` and `uv pip compile` on the bench workload
# (corpus/bench/requirements.in) for one target: cold (empty caches, the default index) and
# warm offline (caches filled, no network), runs alternating between the two tools.
# Needs the network for the cold runs. RUNS (default 3) runs of each.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-test-tools.sh" >/dev/null
(cd "$root" && cargo build --release --quiet)
tools="${UNILOCK_TEST_TOOLS:-$root/target/test-tools/venv}"
input="${1:-$root/corpus/bench/requirements.in}"
runs="${RUNS:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 - "$runs" "$work" "$root/target/release/unilock" "$tools/bin/uv" "$input" <<'PY'
import os, statistics, subprocess, sys, time
runs, work, unilock, uv, req = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
def unilock_cmd(cache, offline):
    cmd = [unilock, "resolve", req, "--target", "linux-64,python=3.11,glibc=2.28",
           "--cache-dir", cache, "-o", os.path.join(work, "unilock.lock"), "--upgrade"]
    return cmd + (["--offline"] if offline else [])
def uv_cmd(cache, offline):
    cmd = [uv, "pip", "compile", req, "--quiet", "--python-platform", "x86_64-manylinux_2_28",
           "--python-version", "3.11", "--cache-dir", cache, "-o", os.path.join(work, "uv.txt")]
    return cmd + (["--offline"] if offline else [])
def run(cmd):
    t = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed: {p.stderr.decode()[-2000:]}")
    return wall
def peak(cmd):
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return int(out.stderr.decode().strip().splitlines()[-1]) / 1024
results = {}
for phase in ["cold", "warm offline"]:
    for _ in range(runs):
        for tool, make in [("unilock", unilock_cmd), ("uv pip compile", uv_cmd)]:
            cache = os.path.join(work, tool.split()[0] + "-cache")
            if phase == "cold":
                subprocess.run(["rm", "-rf", cache])
                cmd = make(cache, False)
            else:
                if not os.path.exists(cache):
                    subprocess.run(make(cache, False), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                cmd = make(cache, True)
            results.setdefault((phase, tool), []).append((run(cmd), None))
    for tool, make in [("unilock", unilock_cmd), ("uv pip compile", uv_cmd)]:
        cache = os.path.join(work, tool.split()[0] + "-cache")
        if phase == "cold":
            subprocess.run(["rm", "-rf", cache])
        mem = peak(make(cache, phase != "cold"))
        results[(phase, tool)] = [(w, mem) for w, _ in results[(phase, tool)]]
for (phase, tool), rs in results.items():
    walls = [w for w, _ in rs]
    print(f"{phase:13} {tool:15} median {statistics.median(walls):7.2f} s  min {min(walls):7.2f} s  peak {rs[0][1]:7.1f} MiB")
PY
