"""Solves one conda-bench spec for one target with py-rattler (resolvo), for
scripts/bench-conda.sh to compare with unilock on the same channel data.

    conda_bench_rattler.py SPEC.yml TARGET --alias file:///…/conda-channels/ \
        --unilock target/release/unilock --work DIR

Reads the spec's `channels:` and `dependencies:` (one `  - item` a line, as the corpus writes
them), takes the target's conda subdir and virtual packages from `unilock targets describe
TARGET --json`, loads every channel's `<subdir>/repodata.json` and `noarch/repodata.json` as
`SparseRepoData` and runs `solve_with_sparse_repodata` with strict channel priority, as unilock
does by default. Prints one JSON object: `status` (`ok`, `unsat` or `error`), `seconds` (load
and solve, measured inside the process, Python start-up and imports excluded), `records`
(name, version, build, subdir) and `message`.

Two adjustments make rattler read what unilock reads, both done before the clock starts:
- rattler refuses records whose `depends`/`constrains` is `null` (the shared mamba subset has
  them); such a repodata file is copied once into DIR with those lists empty, as unilock reads
  them;
- `channel::name` specs name a channel as unilock does, by the last segment of its path
  (`conda-forge::numpy` for `…/lockfile-union/conda-forge/`); rattler would look the name up
  under the alias instead, so the spec is given to rattler with the channel's URL.
"""

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import time

from rattler import (
    Channel,
    ChannelConfig,
    GenericVirtualPackage,
    MatchSpec,
    PackageName,
    SparseRepoData,
    Version,
    solve_with_sparse_repodata,
)
from rattler.package.build_string import BuildString

NULL_LIST = re.compile(rb'"(depends|constrains)":\s*null')


def read_spec(path):
    channels, deps, section = [], [], None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                continue
            if line.endswith(":") and not line.startswith(" "):
                section = line[:-1]
            elif line.strip().startswith("- "):
                item = line.strip()[2:].strip().strip('"')
                (channels if section == "channels" else deps).append(item)
    return channels, deps


def repodata_path(path, work):
    """The file to hand to rattler: the channel's own, or a copy with null lists emptied."""
    with open(path, "rb") as f:
        data = f.read()
    if not NULL_LIST.search(data):
        return path
    os.makedirs(work, exist_ok=True)
    copy = os.path.join(work, re.sub(r"[^A-Za-z0-9]+", "_", path) + ".json")
    if not os.path.exists(copy):
        parsed = json.loads(data)
        for key in ("packages", "packages.conda"):
            for record in (parsed.get(key) or {}).values():
                for field in ("depends", "constrains"):
                    if record.get(field, []) is None:
                        record[field] = []
        with open(copy + ".tmp", "w", encoding="utf-8") as f:
            json.dump(parsed, f)
        os.replace(copy + ".tmp", copy)
    return copy


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("spec")
    ap.add_argument("target")
    ap.add_argument("--alias", required=True)
    ap.add_argument("--unilock", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()

    described = json.loads(
        subprocess.run(
            [args.unilock, "targets", "describe", args.target, "--json"],
            check=True,
            capture_output=True,
        ).stdout
    )
    subdir = described["platform"]["conda_subdir"]
    virtual = [
        GenericVirtualPackage(
            PackageName(v["name"]), Version(v["version"]), BuildString(v["build"])
        )
        for v in described["virtual_packages"]
    ]
    channel_names, deps = read_spec(args.spec)
    config = ChannelConfig(channel_alias=args.alias)
    root = args.alias.removeprefix("file://")
    sources = []  # (channel, subdir, path)
    urls = {}
    for name in channel_names:
        channel = Channel(name, config)
        urls.setdefault(name.rstrip("/").rsplit("/", 1)[-1], channel.base_url)
        for sub in (subdir, "noarch"):
            path = os.path.join(root, name, sub, "repodata.json")
            if os.path.exists(path):
                sources.append((channel, sub, repodata_path(path, args.work)))
    specs = []
    for dep in deps:
        if "::" in dep:
            chan, rest = dep.split("::", 1)
            dep = f"{urls.get(chan, chan)}::{rest}"
        # Lenient, as unilock reads environment.yml (strict refuses `numpy=1.26.4=py311*`).
        specs.append(MatchSpec(dep, strict=False))

    result = {"status": "ok", "records": [], "message": ""}
    start = time.perf_counter()
    try:
        sparse = [SparseRepoData(c, s, p) for c, s, p in sources]
        records = asyncio.run(
            solve_with_sparse_repodata(specs, sparse, virtual_packages=virtual)
        )
        result["seconds"] = time.perf_counter() - start
        result["records"] = sorted(
            [
                {
                    "name": r.name.normalized,
                    "version": str(r.version),
                    "build": str(r.build),
                    "subdir": r.subdir,
                }
                for r in records
            ],
            key=lambda r: r["name"],
        )
    except Exception as e:  # noqa: BLE001 — the kind of failure is reported, not raised
        result["seconds"] = time.perf_counter() - start
        unsat = type(e).__name__ == "SolverError"
        result["status"] = "unsat" if unsat else "error"
        result["message"] = str(e)
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    # py-rattler 0.28 can crash while the interpreter tears down its sparse repodata maps;
    # the answer is written, so leave without the teardown.
    os._exit(0)


if __name__ == "__main__":
    main()
