#!/usr/bin/env python3
"""Generate the conda -> PyPI name table that `unilock_model::conda_pypi` embeds.

Inputs (read-only; standard library only, no network):
    ../shared/mappings/SOURCES.tsv                     where each mapping file came from
    ../shared/mappings/parselmouth/LICENSE             the data's licence (BSD-3-Clause)
    ../shared/mappings/parselmouth/v0/<channel>/compressed_mapping.json
        parselmouth's multi-valued maps, `{conda_name: [pypi_name, ...] | null}`, for the
        channels in CHANNELS below (null: the conda package installs no PyPI distribution).

Outputs (committed; the script rewrites them byte for byte from the same inputs):
    model/src/conda_pypi/table.txt                     the table
    model/src/conda_pypi/LICENSE-parselmouth           a copy of the data's licence

What the table keeps. The Rust module answers "which PyPI distributions does this conda package
install" with, in order: the record's `pypi` purls; this table; and, for a channel whose
section says `absent=same-name` (conda-forge, and any channel the table has no section for),
the conda name itself when it is a valid PyPI name (`absent=none`: nothing). So a section keeps
only the rows that rule would get wrong:
  - `absent=same-name` channels: every name the source marks as installing nothing (written `-`),
    and every name that installs something other than exactly its own normalised name;
  - `absent=none` channels: every name that installs something.
PyPI names are normalised as PEP 503 says (lowercase, runs of `-`, `_`, `.` become one `-`),
with duplicates dropped and the source's order kept (the first is the main distribution).

Format of table.txt: `#` lines are comments (source, licence, how to regenerate); a line
`[<channel>] absent=same-name|none` starts a channel's section (sections sorted by channel);
then one row per conda name, sorted bytewise: `<conda_name>\t<pypi>[,<pypi>...]` or
`<conda_name>\t-`.

Re-run (from the repository root, with the shared folder beside the repository):
    python3 scripts/gen-conda-pypi-map.py            # rewrite the outputs
    python3 scripts/gen-conda-pypi-map.py --check    # exit 1 if the committed outputs differ
    python3 scripts/gen-conda-pypi-map.py --mappings DIR   # read another copy of mappings/
To take a newer parselmouth snapshot, replace the files under ../shared/mappings/parselmouth/
and their rows in SOURCES.tsv, re-run, and commit the new table with the counts it prints.
"""

import argparse
import csv
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "model" / "src" / "conda_pypi"
TABLE = OUT_DIR / "table.txt"
LICENSE_COPY = OUT_DIR / "LICENSE-parselmouth"

# channel -> what the Rust module answers for a name the section does not list.
# conda-forge packages are mostly named as their PyPI distribution (pixi's rule); the other
# channels' names are not, so a name their map does not list installs nothing.
CHANNELS = {
    "conda-forge": "same-name",
    "pytorch": "none",
    "bioconda": "none",
}

# PEP 508 names: ASCII letters and digits, with `-`, `_`, `.` inside.
VALID_PYPI = re.compile(r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$")
# What a conda name may hold here (it goes into a tab- and comma-separated file).
VALID_CONDA = re.compile(r"^[a-z0-9_][a-z0-9_.+-]*$")


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def same_name(conda_name):
    """What the module's same-name rule answers for a conda name the table does not list."""
    if conda_name.startswith("__") or not VALID_PYPI.match(conda_name):
        return []
    return [normalize(conda_name)]


def fail(message):
    sys.exit(f"gen-conda-pypi-map: {message}")


def read_sources(mappings):
    """SOURCES.tsv rows of the parselmouth v0 maps, by channel."""
    with open(mappings / "SOURCES.tsv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    by_channel = {}
    for row in rows:
        m = re.fullmatch(r"parselmouth/v0/([^/]+)/compressed_mapping\.json", row["file"])
        if m:
            by_channel[m.group(1)] = row
    for channel in CHANNELS:
        row = by_channel.get(channel)
        if row is None:
            fail(f"SOURCES.tsv lists no parselmouth/v0/{channel}/compressed_mapping.json")
        if row["license"] != "BSD-3-Clause":
            fail(f"{row['file']}: licence {row['license']!r}, expected BSD-3-Clause")
    return by_channel


def pypi_names(channel, conda_name, value):
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        fail(f"{channel}: {conda_name}: expected a list of names or null, got {value!r}")
    out = []
    for name in value:
        if not VALID_PYPI.match(name):
            fail(f"{channel}: {conda_name}: {name!r} is not a PyPI name")
        n = normalize(name)
        if n not in out:
            out.append(n)
    return out


def section(channel, absent, mapping, primary):
    rows = []
    for conda_name in sorted(mapping, key=lambda s: s.encode("utf-8")):
        if not VALID_CONDA.match(conda_name):
            fail(f"{channel}: {conda_name!r} is not a conda package name")
        names = pypi_names(channel, conda_name, mapping[conda_name])
        # The distribution pixi's single-valued map names comes first: it is the one a
        # conda package is known by (conda-forge `iris` is PyPI `scitools-iris` first).
        first = primary.get(conda_name)
        if isinstance(first, str) and normalize(first) in names:
            names.remove(normalize(first))
            names.insert(0, normalize(first))
        if absent == "same-name":
            keep = not names or names != same_name(conda_name)
        else:
            keep = bool(names)
        if keep:
            rows.append(f"{conda_name}\t{','.join(names) if names else '-'}\n")
    return rows


def generate(mappings):
    sources = read_sources(mappings)
    license_text = (mappings / "parselmouth" / "LICENSE").read_text(encoding="utf-8")
    copyright_line = next(
        (line.strip() for line in license_text.splitlines() if line.startswith("Copyright")),
        None,
    )
    if copyright_line is None:
        fail("parselmouth/LICENSE has no Copyright line")

    header = [
        "# The conda -> PyPI name table of unilock_model::conda_pypi. Generated; do not edit.\n",
        "# Regenerate: python3 scripts/gen-conda-pypi-map.py (see docs/conda-pypi-names.md).\n",
        "# Data: parselmouth's v0 name maps (prefix-dev/parselmouth, files/v0/<channel>/compressed_mapping.json),\n",
        f"#   licence BSD-3-Clause, {copyright_line}; full text in LICENSE-parselmouth beside this file.\n",
    ]
    body = []
    counts = []
    for channel in sorted(CHANNELS):
        absent = CHANNELS[channel]
        src = sources[channel]
        header.append(f"#   {channel}: commit {src['commit']} ({src['date']})\n")
        path = mappings / "parselmouth" / "v0" / channel / "compressed_mapping.json"
        with open(path, encoding="utf-8") as f:
            mapping = json.load(f)
        if not isinstance(mapping, dict):
            fail(f"{path}: expected an object")
        primary = {}
        if channel == "conda-forge":
            with open(mappings / "parselmouth" / "compressed_mapping.json", encoding="utf-8") as f:
                primary = json.load(f)
            if not isinstance(primary, dict):
                fail("parselmouth/compressed_mapping.json: expected an object")
        rows = section(channel, absent, mapping, primary)
        body.append(f"[{channel}] absent={absent}\n")
        body.extend(rows)
        counts.append((channel, len(mapping), len(rows)))
    header.append(
        "# Format: `[channel] absent=same-name|none` starts a channel; rows are\n"
        "#   `conda_name<TAB>pypi[,pypi...]`, or `conda_name<TAB>-` for a package that installs no\n"
        "#   PyPI distribution, sorted by conda name. Only rows the `absent=` rule gets wrong are kept.\n"
        "#   Of several names, the one parselmouth's single-valued map (compressed_mapping.json) gives\n"
        "#   comes first (conda-forge only).\n"
    )
    return "".join(header + body), license_text, counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--mappings",
        type=Path,
        default=REPO.parent / "shared" / "mappings",
        help="the shared mappings folder (default: ../shared/mappings beside the repository)",
    )
    parser.add_argument(
        "--check", action="store_true", help="compare with the committed files, write nothing"
    )
    args = parser.parse_args()

    table, license_text, counts = generate(args.mappings)
    outputs = [(TABLE, table), (LICENSE_COPY, license_text)]
    if args.check:
        stale = [
            p for p, text in outputs
            if not p.exists() or p.read_text(encoding="utf-8") != text
        ]
        for p in stale:
            print(f"{p.relative_to(REPO)} differs from what the script writes", file=sys.stderr)
        sys.exit(1 if stale else 0)

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for path, text in outputs:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    data = table.encode("utf-8")
    rows = sum(kept for _, _, kept in counts)
    for channel, total, kept in counts:
        print(f"{channel}: {kept} rows kept of {total} names")
    print(f"wrote {TABLE.relative_to(REPO)}: {len(data)} bytes, {rows} rows")


if __name__ == "__main__":
    main()
