#!/usr/bin/env python3
"""Generates a conda channel of at least 300,000 records for the scale benchmark
(scripts/bench-conda-scale.sh): the shared real conda-forge records (linux-64 and noarch of
../shared/conda-channels/lockfile-union/conda-forge) replicated COPIES times under made-up
names, every name `pkg` of copy 17 written `pkg-s00017`, and every dependency and constraint
on a name of the channel renamed the same way, so each copy is as solvable as the original
(virtual packages such as `__glibc` keep their names). File names follow the names; md5 and
sha256 are those of the original files.

The channel is written twice under OUT (default target/scale-channel; never ../shared, never
committed):

    OUT/json/<subdir>/repodata.json                  the whole subdir, as one file
    OUT/shards/<subdir>/repodata_shards.msgpack.zst   CEP 16 shard index
    OUT/shards/<subdir>/shards/<sha256>.msgpack.zst   one shard per name

Shards are written as rattler writes them: MessagePack with `md5`/`sha256` as raw bytes,
zstd-compressed, named by the sha256 of the compressed file; the index names `./shards/` and
no `base_url` (files under the subdir). Needs the msgpack and zstandard modules (in the test
venv of scripts/install-test-tools.sh).

    gen-scale-channel.py [--copies 28] [--out target/scale-channel] [--shared ../shared]
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import sys

import msgpack
import zstandard

SUBDIRS = ("linux-64", "noarch")
# The name at the start of a MatchSpec: up to a space, an operator or a bracket.
NAME = re.compile(r"^([^\s\[<>=!~,|*]+)(.*)$", re.S)


def rename_spec(spec, names, suffix):
    match = NAME.match(spec)
    if not match or match.group(1).lower() not in names:
        return spec
    return match.group(1) + suffix + match.group(2)


def renamed(record, names, suffix):
    out = dict(record)
    out["name"] = record["name"] + suffix
    for field in ("depends", "constrains"):
        if record.get(field):
            out[field] = [rename_spec(s, names, suffix) for s in record[field]]
    return out


def file_name(key, name, suffix):
    # `name-version-build.ext`: the name is everything before the last two dashes.
    assert key.lower().startswith(name.lower() + "-"), (key, name)
    return name + suffix + key[len(name) :]


def packed(record):
    out = dict(record)
    for field in ("md5", "sha256"):
        if isinstance(out.get(field), str):
            out[field] = bytes.fromhex(out[field])
    return out


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=28)
    ap.add_argument("--out", default=os.path.join(root, "target", "scale-channel"))
    ap.add_argument(
        "--shared", default=os.environ.get("UNILOCK_SHARED", os.path.join(root, "..", "shared"))
    )
    args = ap.parse_args()
    source = os.path.join(args.shared, "conda-channels", "lockfile-union", "conda-forge")
    out = os.path.abspath(args.out)
    if os.path.realpath(out).startswith(os.path.realpath(args.shared) + os.sep):
        sys.exit(f"{out} is inside the shared data; write the channel elsewhere")

    originals = {}
    for subdir in SUBDIRS:
        with open(os.path.join(source, subdir, "repodata.json"), encoding="utf-8") as f:
            originals[subdir] = json.load(f)
    names = set()
    for data in originals.values():
        for key in ("packages", "packages.conda"):
            names.update(r["name"].lower() for r in (data.get(key) or {}).values())

    if os.path.exists(out):
        shutil.rmtree(out)
    compressor = zstandard.ZstdCompressor(level=3)
    total = 0
    for subdir in SUBDIRS:
        data = originals[subdir]
        json_dir = os.path.join(out, "json", subdir)
        shard_dir = os.path.join(out, "shards", subdir)
        os.makedirs(json_dir)
        os.makedirs(os.path.join(shard_dir, "shards"))
        index = {}
        with open(os.path.join(json_dir, "repodata.json"), "w", encoding="utf-8") as f:
            f.write('{"info": {"subdir": "%s"}, "repodata_version": 1' % subdir)
            for key in ("packages", "packages.conda"):
                f.write(', %s: {' % json.dumps(key))
                first = True
                for copy in range(args.copies):
                    suffix = "-s%05d" % copy
                    for file, record in (data.get(key) or {}).items():
                        new = renamed(record, names, suffix)
                        name = file_name(file, record["name"], suffix)
                        f.write(("" if first else ", ") + json.dumps(name) + ": ")
                        f.write(json.dumps(new, separators=(",", ":")))
                        first = False
                        total += 1
                f.write("}")
            f.write("}\n")
        for copy in range(args.copies):
            suffix = "-s%05d" % copy
            shards = {}
            for key in ("packages", "packages.conda"):
                for file, record in (data.get(key) or {}).items():
                    new = renamed(record, names, suffix)
                    shard = shards.setdefault(
                        new["name"].lower(),
                        {"packages": {}, "packages.conda": {}, "removed": []},
                    )
                    shard[key][file_name(file, record["name"], suffix)] = packed(new)
            for name, shard in shards.items():
                blob = compressor.compress(msgpack.packb(shard, use_bin_type=True))
                digest = hashlib.sha256(blob).digest()
                path = os.path.join(shard_dir, "shards", digest.hex() + ".msgpack.zst")
                with open(path, "wb") as f:
                    f.write(blob)
                index[name] = digest
        shard_index = {
            "version": 1,
            "info": {"subdir": subdir, "base_url": "", "shards_base_url": "./shards/"},
            "shards": index,
        }
        with open(os.path.join(shard_dir, "repodata_shards.msgpack.zst"), "wb") as f:
            f.write(compressor.compress(msgpack.packb(shard_index, use_bin_type=True)))
        print(f"{subdir}: {len(index)} names", file=sys.stderr)
    print(f"{total} records in {args.copies} copies under {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
