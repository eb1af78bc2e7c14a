"""Reads environment.yml files with conda-lock's parser (which reads MatchSpecs with conda's own
MatchSpec class) and each conda dependency with py-rattler's MatchSpec, and prints what they
see, as JSON.

Used by the tests (tests/formats/conda_env.rs, conda_explicit.rs) to check that the
environment.yml files unilock writes are read by these tools as the originals are:

    python read_env_with_conda_lock.py MAPPING_JSON PLATFORMS FILE...

PLATFORMS is comma-separated (`linux-64,win-64`). For each FILE, in order, it prints
{"channels": [...], "dependencies": {PLATFORM: [dependency, ...]}, "rattler": [[spec, name], ...]},
or {"error": "..."} when conda-lock refuses the file; all in one JSON list. Each dependency is
conda-lock's model of it as sorted JSON, with conda version constraints spelled the way
rattler writes them (`>=2023.05.1` and `>=2023.5.1` are one constraint) and markers the way
`packaging` writes them (quotes). MAPPING_JSON is a local PyPI-to-conda name mapping, so that
nothing is downloaded.
"""

import json
import pathlib
import sys

import rattler
import yaml
from conda_lock.src_parser.environment_yaml import parse_environment_file
from packaging.markers import Marker


def model(dep) -> dict:
    data = dep.model_dump(mode="json")
    if data.get("manager") == "conda" and data.get("version"):
        data["version"] = str(rattler.VersionSpec(data["version"]))
    if data.get("markers"):
        data["markers"] = str(Marker(data["markers"]))
    return data


def read(path: pathlib.Path, platforms: list[str], mapping: str) -> dict:
    try:
        spec = parse_environment_file(path, platforms, mapping_url=mapping)
    except Exception as e:  # conda-lock refuses the file: say why, as data
        return {"error": f"{type(e).__name__}: {e}"}
    dependencies = {
        platform: sorted(json.dumps(model(dep), sort_keys=True) for dep in deps)
        for platform, deps in spec.dependencies.items()
    }
    data = yaml.safe_load(path.read_text())
    specs = [d for d in data.get("dependencies") or [] if isinstance(d, str)]
    return {
        "channels": [str(c.url) for c in spec.channels],
        "dependencies": dependencies,
        "rattler": [[s, rattler.MatchSpec(s).name.normalized] for s in specs],
    }


def main() -> None:
    mapping = "file://" + str(pathlib.Path(sys.argv[1]).resolve())
    platforms = sys.argv[2].split(",")
    files = [pathlib.Path(f) for f in sys.argv[3:]]
    json.dump([read(f, platforms, mapping) for f in files], sys.stdout)


if __name__ == "__main__":
    main()
