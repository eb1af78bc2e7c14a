"""Times unilock against py-rattler (resolvo) on every conda-bench spec and target, and compares
what each chooses; run by scripts/bench-conda.sh, which says what it needs.

    conda_bench_compare.py --unilock BIN --alias file:///…/conda-channels/ --work DIR \
        [--runs 5] [SPEC.yml …]

For each spec (all of corpus/conda-bench/ by default) and each of its `# targets:`, runs
`unilock resolve SPEC --target T` and scripts/conda_bench_rattler.py alternately, RUNS times
each, and prints one table row: the median wall time of the unilock process, the median load
and solve time inside the rattler process (Python start-up and imports excluded), their
ratio, and whether both chose the same names and versions (the differences listed below the
table) or both found the spec unsatisfiable.
"""

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))


def targets_of(spec):
    with open(spec, encoding="utf-8") as f:
        for line in f:
            if line.startswith("# targets:"):
                return line.split(":", 1)[1].split()
    return []


def run_unilock(binary, alias, spec, target, lock):
    if os.path.exists(lock):
        os.remove(lock)
    start = time.perf_counter()
    out = subprocess.run(
        [binary, "resolve", spec, "--channel-alias", alias, "--target", target, "-o", lock],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if out.returncode == 1:
        return seconds, "unsat", {}, out.stderr
    if out.returncode != 0:
        return seconds, "error", {}, out.stderr
    with open(lock, "rb") as f:
        parsed = tomllib.load(f)
    chosen = {
        p["name"]: (p["version"], p.get("build", ""))
        for p in parsed.get("package", [])
        if p.get("ecosystem") == "conda"
    }
    return seconds, "ok", chosen, ""


def run_rattler(python, binary, alias, spec, target, work):
    out = subprocess.run(
        [
            python,
            os.path.join(HERE, "conda_bench_rattler.py"),
            spec,
            target,
            "--alias",
            alias,
            "--unilock",
            binary,
            "--work",
            work,
        ],
        capture_output=True,
        text=True,
    )
    try:
        result = json.loads(out.stdout)
    except json.JSONDecodeError:
        return None, "error", {}, out.stderr[-500:]
    chosen = {r["name"]: (r["version"], r["build"]) for r in result["records"]}
    return result["seconds"], result["status"], chosen, result["message"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--unilock", required=True)
    ap.add_argument("--alias", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("specs", nargs="*")
    args = ap.parse_args()
    specs = args.specs or sorted(
        glob.glob(os.path.join(HERE, "..", "corpus", "conda-bench", "*.yml"))
    )
    os.makedirs(args.work, exist_ok=True)
    lock = os.path.join(tempfile.mkdtemp(dir=args.work), "unilock.lock")
    header = f"{'spec':<34} {'target':<30} {'unilock':>8} {'rattler':>8} {'ratio':>6}  agree"
    print(header)
    print("-" * len(header))
    notes, ratios = [], []
    for spec in specs:
        name = os.path.basename(spec)
        for target in targets_of(spec):
            u_times, r_times = [], []
            for _ in range(args.runs):
                u_s, u_status, u_chosen, u_err = run_unilock(
                    args.unilock, args.alias, spec, target, lock
                )
                r_s, r_status, r_chosen, r_err = run_rattler(
                    sys.executable, args.unilock, args.alias, spec, target, args.work
                )
                u_times.append(u_s)
                if r_s is not None:
                    r_times.append(r_s)
            u_med = statistics.median(u_times)
            r_med = statistics.median(r_times) if r_times else float("nan")
            ratio = u_med / r_med if r_times else float("nan")
            if u_status == "ok" and r_status == "ok":
                ratios.append(ratio)
                u_nv = {n: v for n, (v, _) in u_chosen.items()}
                r_nv = {n: v for n, (v, _) in r_chosen.items()}
                diffs = [
                    f"{n} {u_nv.get(n, '-')} / {r_nv.get(n, '-')}"
                    for n in sorted(set(u_nv) | set(r_nv))
                    if u_nv.get(n) != r_nv.get(n)
                ]
                agree = "same" if not diffs else f"{len(diffs)} differ"
                if diffs:
                    notes.append(f"{name} {target} (unilock / rattler): " + "; ".join(diffs))
            elif u_status == r_status == "unsat":
                agree = "both unsat"
            else:
                agree = f"unilock {u_status}, rattler {r_status}"
                notes.append(
                    f"{name} {target}: unilock {u_status} {u_err.strip()[:300]!r}; "
                    f"rattler {r_status} {r_err.strip()[:300]!r}"
                )
            print(
                f"{name:<34} {target:<30} {u_med * 1000:>6.0f}ms {r_med * 1000:>6.0f}ms "
                f"{ratio:>6.2f}  {agree}",
                flush=True,
            )
    if ratios:
        print(
            f"\nratio unilock/rattler over {len(ratios)} solved rows: median "
            f"{statistics.median(ratios):.2f}, max {max(ratios):.2f}"
        )
    if notes:
        print("\nDifferences:")
        for n in notes:
            print(f"- {n}")


if __name__ == "__main__":
    main()
