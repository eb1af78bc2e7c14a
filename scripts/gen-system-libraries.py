#!/usr/bin/env python3
"""Regenerates the generated parts of check/src/system/libraries.tsv and base_images.tsv from
the Debian and Ubuntu archives and auditwheel's manylinux policy. Standard library only.

    scripts/gen-system-libraries.py [--check] [--cache DIR]

What it rewrites, and what it keeps:
- libraries.tsv: the `apt` column (which Debian 12 / Ubuntu 24.04 package ships the soname in a
  library directory, from the archives' Contents files) and the `manylinux` column (whether
  any manylinux policy of ../shared/platform/auditwheel-6.8.2/manylinux-policy.json lists the
  soname in its `lib_whitelist`). Every other column (apk, dnf, conda_forge, nixpkgs, note)
  and the header comment are hand-written and kept as they are; rows are sorted by soname.
- base_images.tsv: the rows whose `source` is `generated` (Debian and Ubuntu images, and
  python:3.12-slim built on debian12-slim) are computed from the archives' Packages and
  Contents files; rows whose `source` is `hand` are kept as they are.

A minimal image is what `debootstrap --variant=minbase` installs, which is what Docker's
official debian:*-slim and ubuntu:* images are built from: every package of Priority
`required`, plus `apt`, plus the closure of their Depends and Pre-Depends (the first
alternative that names an existing package or a package's Provides). The non-slim `debian12`
row adds Priority `important` (debootstrap's default variant: a server or VM install). Only the
release pocket is read (no -updates/-security): later updates change versions, rarely sonames.
The GCC version of an image is the upstream version of the `gcc-N` source package its
libstdc++6 (or libgcc-s1) comes from.

DEBIAN_MIRROR and UBUNTU_MIRROR name the archives (each the base URL that holds `dists/`, e.g.
your distribution's usual mirror); a download without them stops with a message.

--check regenerates both tables in memory and exits 1 (printing a diff) when a committed table
differs; it needs the network (or a warm --cache). Downloads are cached in --cache
(default: $XDG_CACHE_HOME/unilock-gen-system or ~/.cache/unilock-gen-system); delete it to
fetch again.
"""

import argparse
import difflib
import gzip
import json
import lzma
import os
import re
import sys
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SYSTEM = os.path.join(REPO, "check", "src", "system")
LIBRARIES = os.path.join(SYSTEM, "libraries.tsv")
BASE_IMAGES = os.path.join(SYSTEM, "base_images.tsv")
POLICY = os.path.join(REPO, "..", "shared", "platform", "auditwheel-6.8.2", "manylinux-policy.json")

# The archive mirrors to read: DEBIAN_MIRROR and UBUNTU_MIRROR (the base URL of a Debian and
# an Ubuntu archive, the directory that holds dists/), required when something must be fetched.
DEBIAN = os.environ.get("DEBIAN_MIRROR", "").rstrip("/")
UBUNTU = os.environ.get("UBUNTU_MIRROR", "").rstrip("/")

# The library directories of an amd64 Debian/Ubuntu system (files directly in them).
LIB_DIRS = (
    "lib/x86_64-linux-gnu/",
    "usr/lib/x86_64-linux-gnu/",
    "lib64/",
    "usr/lib64/",
    "lib/",
    "usr/lib/",
)
SHARED_LIBRARY = re.compile(r"\.so(\.[0-9][0-9.]*)?$")

# The sources of the `apt` column of libraries.tsv: Debian 12 first, then Ubuntu 24.04.
APT_SOURCES = [
    ("Debian 12", DEBIAN, "bookworm", ["main", "contrib", "non-free"]),
    ("Ubuntu 24.04", UBUNTU, "noble", None),
]

# Where several packages of one release ship the file (NVIDIA driver branches, BLAS variants,
# drop-in replacements), the `apt` cell keeps only these, when the release has them.
PREFER = {
    "libasound.so.2": {"libasound2", "libasound2t64"},
    "libblas.so.3": {"libblas3", "libopenblas0-pthread"},
    "libcuda.so.1": {"libcuda1", "libnvidia-compute-550"},
    "liblapack.so.3": {"liblapack3", "libopenblas0-pthread"},
    "libnvidia-ml.so.1": {"libnvidia-ml1", "libnvidia-compute-550"},
    "libOpenCL.so.1": {"ocl-icd-libopencl1"},
    "libopenblas.so.0": {"libopenblas0-pthread"},
    "libsystemd.so.0": {"libsystemd0"},
}

# Generated base images: name -> (archive, suite, extra priorities, extra packages).
GENERATED_IMAGES = {
    "debian11-slim": (DEBIAN, "bullseye", [], []),
    "debian12-slim": (DEBIAN, "bookworm", [], []),
    "debian12": (DEBIAN, "bookworm", ["important"], []),
    "debian13-slim": (DEBIAN, "trixie", [], []),
    "ubuntu18.04": (UBUNTU, "bionic", [], []),
    "ubuntu20.04": (UBUNTU, "focal", [], []),
    "ubuntu22.04": (UBUNTU, "jammy", [], []),
    "ubuntu24.04": (UBUNTU, "noble", [], []),
    # The official python:3.12-slim (bookworm) image: debian12-slim plus ca-certificates,
    # netbase, tzdata and the runtime libraries its Dockerfile keeps for the extension modules
    # of the Python it builds into /usr/local (written from that Dockerfile, not fetched).
    "python3.12-slim": (
        DEBIAN,
        "bookworm",
        [],
        ["ca-certificates", "netbase", "tzdata", "libbz2-1.0", "libdb5.3", "libexpat1",
         "libffi8", "libgdbm6", "liblzma5", "libncursesw6", "libnsl2", "libreadline8",
         "libsqlite3-0", "libssl3", "libtinfo6", "libtirpc3", "libuuid1", "zlib1g"],
    ),
}
# Library files an image has that no package installs.
EXTRA_SONAMES = {"python3.12-slim": ["libpython3.12.so.1.0"]}


def cache_dir(arg):
    if arg:
        return arg
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "unilock-gen-system")


def fetch(url, cache):
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, re.sub(r"[^A-Za-z0-9._-]", "_", url))
    if not os.path.exists(path):
        if not url.startswith(("http://", "https://", "file://")):
            sys.exit(f"{url}: set DEBIAN_MIRROR and UBUNTU_MIRROR to the archives to read")
        print(f"fetching {url}", file=sys.stderr)
        with urllib.request.urlopen(url, timeout=120) as response, open(path + ".part", "wb") as out:
            while True:
                chunk = response.read(1 << 20)
                if not chunk:
                    break
                out.write(chunk)
        os.replace(path + ".part", path)
    return path


def contents(archive, suite, components, cache):
    """file path -> [package] for the amd64 Contents of a suite (library directories only)."""
    urls = (
        [f"{archive}/dists/{suite}/Contents-amd64.gz"]
        if components is None
        else [f"{archive}/dists/{suite}/{c}/Contents-amd64.gz" for c in components]
    )
    files = {}
    for url in urls:
        with gzip.open(fetch(url, cache), "rt", encoding="utf-8", errors="replace") as f:
            for line in f:
                if not line.startswith(("lib", "usr/lib")):
                    continue
                path, _, where = line.rstrip("\n").rpartition(" ")
                path = path.strip()
                if not path.startswith(LIB_DIRS) or path.startswith("usr/lib/debug/"):
                    continue
                if not SHARED_LIBRARY.search(path):
                    continue
                files.setdefault(path, []).extend(p.rsplit("/", 1)[-1] for p in where.split(","))
    return files


def packages(archive, suite, cache):
    """Package stanzas of the main component (amd64), as dicts of their fields."""
    path = fetch(f"{archive}/dists/{suite}/main/binary-amd64/Packages.xz", cache)
    with lzma.open(path, "rt", encoding="utf-8") as f:
        text = f.read()
    result = {}
    for stanza in text.split("\n\n"):
        fields, last = {}, None
        for line in stanza.splitlines():
            if line.startswith((" ", "\t")) and last:
                fields[last] += "\n" + line
            elif ":" in line:
                last, _, value = line.partition(":")
                fields[last] = value.strip()
        if "Package" in fields:
            result.setdefault(fields["Package"], fields)
    return result


def relation_names(value):
    """[[alternative names]] of a Depends-style field."""
    out = []
    for group in value.split(","):
        names = [re.split(r"[\s(:\[]", alt.strip(), maxsplit=1)[0] for alt in group.split("|")]
        names = [n for n in names if n]
        if names:
            out.append(names)
    return out


# debootstrap lays /usr out merged itself and installs usr-is-merged, not the usrmerge tool.
INSTEAD = {"usrmerge": "usr-is-merged"}


def minbase(pkgs, priorities, extra):
    providers = {}
    for name, fields in pkgs.items():
        for provided in relation_names(fields.get("Provides", "")):
            providers.setdefault(provided[0], []).append(name)
    seed = {n for n, f in pkgs.items() if f.get("Priority") in ["required", *priorities]}
    seed |= {"apt", *extra}
    wanted = sorted(seed)
    chosen = set()

    def candidates(alt):
        alt = INSTEAD.get(alt, alt)
        return [alt] if alt in pkgs else sorted(providers.get(alt, []))

    while wanted:
        name = wanted.pop()
        if name in chosen:
            continue
        if name not in pkgs:
            raise SystemExit(f"package {name} is not in the archive")
        chosen.add(name)
        for field in ("Pre-Depends", "Depends"):
            for alternatives in relation_names(pkgs[name].get(field, "")):
                options = [c for alt in alternatives for c in candidates(alt)]
                # An alternative the image has anyway satisfies the group; otherwise the
                # first one that exists, as apt and debootstrap choose.
                present = [c for c in options if c in chosen or c in seed]
                pick = (present or options or [None])[0]
                if pick is not None:
                    wanted.append(pick)
    return chosen


def gcc_of(pkgs, chosen):
    for runtime in ("libstdc++6", "libgcc-s1", "libgcc1"):
        if runtime in chosen:
            source = pkgs[runtime].get("Source", "")
            version = re.search(r"\(([^)]*)\)", source)
            version = version.group(1) if version else pkgs[runtime]["Version"]
            # 12.2.0-14 -> 12.2.0; 1:8.3.0-6 -> 8.3.0; 8-20180414-1ubuntu2 (a snapshot) -> 8
            upstream = version.split(":")[-1].split("-")[0]
            if "." not in upstream:
                name = re.match(r"gcc-(\d+)", source)
                upstream = name.group(1) if name else upstream
            return upstream
    return "-"


def libc_of(pkgs):
    # 2.36-9+deb12u4 -> 2.36; 2.35-0ubuntu3 -> 2.35
    return pkgs["libc6"]["Version"].split(":")[-1].split("-")[0]


def sonames_of(files, chosen):
    out = set()
    for path, owners in files.items():
        if "/" in path[len(next(d for d in LIB_DIRS if path.startswith(d))):]:
            continue
        if any(o in chosen for o in owners):
            out.add(path.rsplit("/", 1)[-1])
    return out


def split_table(path):
    header, columns, rows = [], None, []
    with open(path, encoding="utf-8") as f:
        for line in f.read().splitlines():
            if columns is None:
                if line.startswith("#") or not line.strip():
                    header.append(line)
                else:
                    columns = line.split("\t")
            elif line.strip():
                rows.append(line.split("\t"))
    return header, columns, rows


def join_table(header, columns, rows):
    lines = header + ["\t".join(columns)] + ["\t".join(r) for r in rows]
    return "\n".join(lines) + "\n"


def gen_libraries(cache):
    header, columns, rows = split_table(LIBRARIES)
    col = {c: i for i, c in enumerate(columns)}
    with open(POLICY, encoding="utf-8") as f:
        allowed = {lib for policy in json.load(f) for lib in policy["lib_whitelist"]}
    sources = [contents(a, s, c, cache) for _, a, s, c in APT_SOURCES]
    by_name = []
    for files in sources:
        index = {}
        for path, owners in files.items():
            rest = path[len(next(d for d in LIB_DIRS if path.startswith(d))):]
            depth = 0 if "/" not in rest else 1
            index.setdefault(rest.rsplit("/", 1)[-1], []).append((depth, path, owners))
        by_name.append(index)
    for row in rows:
        soname = row[col["soname"]]
        names = []
        for index in by_name:
            hits = index.get(soname, [])
            # Files directly in a library directory first; a subdirectory (blas/, openblas-
            # pthread/: Debian's alternatives) only when no package ships it directly.
            best = min((d for d, _, _ in hits), default=None)
            found = sorted({o for d, _, owners in hits if d == best for o in owners
                            if not o.endswith(("-dbg", "-dbgsym"))})
            preferred = [n for n in found if n in PREFER.get(soname, ())]
            found = preferred or found
            names += [n for n in found if n not in names]
        row[col["apt"]] = " ".join(names) if names else "-"
        row[col["manylinux"]] = "yes" if soname in allowed else "no"
    rows.sort(key=lambda r: r[col["soname"]])
    return join_table(header, columns, rows)


def gen_base_images(cache):
    header, columns, rows = split_table(BASE_IMAGES)
    col = {c: i for i, c in enumerate(columns)}
    loaded = {}
    for row in rows:
        name = row[col["name"]]
        if row[col["source"]] != "generated":
            continue
        if name not in GENERATED_IMAGES:
            raise SystemExit(f"base_images.tsv: {name} says `generated` but the script knows no recipe")
        archive, suite, priorities, extra = GENERATED_IMAGES[name]
        if suite not in loaded:
            loaded[suite] = (packages(archive, suite, cache), contents(archive, suite, ["main"] if archive == DEBIAN else None, cache))
        pkgs, files = loaded[suite]
        chosen = minbase(pkgs, priorities, extra)
        sonames = sonames_of(files, chosen) | set(EXTRA_SONAMES.get(name, []))
        row[col["libc_version"]] = libc_of(pkgs)
        row[col["gcc"]] = gcc_of(pkgs, chosen)
        row[col["sonames"]] = " ".join(sorted(sonames))
    rows.sort(key=lambda r: r[col["name"]])
    return join_table(header, columns, rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed tables")
    parser.add_argument("--cache", help="download cache directory")
    args = parser.parse_args()
    cache = cache_dir(args.cache)
    failed = False
    for path, generate in ((LIBRARIES, gen_libraries), (BASE_IMAGES, gen_base_images)):
        new = generate(cache)
        with open(path, encoding="utf-8") as f:
            old = f.read()
        if args.check:
            if new != old:
                failed = True
                sys.stdout.writelines(difflib.unified_diff(
                    old.splitlines(True), new.splitlines(True), path, path + " (generated)"))
        elif new != old:
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
            print(f"wrote {os.path.relpath(path, REPO)}", file=sys.stderr)
    if failed:
        print("the committed tables differ from the archives: run scripts/gen-system-libraries.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
