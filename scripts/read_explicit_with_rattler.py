"""Reads a conda explicit file with py-rattler and prints what it sees, as JSON.

Used by tests/formats/conda_explicit.rs to check that the explicit files unilock writes are read
by rattler (the library behind pixi and micromamba's successors) as the same packages:

    python read_explicit_with_rattler.py FILE

prints {"platform": "linux-64" | null, "packages": [{"url", "name", "md5", "sha256"}, ...]},
with the URL without its hash fragment and the hashes as lowercase hex (null when absent).
"""

import json
import sys

import rattler
from rattler.explicit_environment import ExplicitEnvironmentSpec


def main() -> None:
    spec = ExplicitEnvironmentSpec.from_path(sys.argv[1])
    packages = []
    for entry in spec.packages:
        match = rattler.MatchSpec.from_url(entry.url)
        packages.append(
            {
                "url": entry.url.split("#", 1)[0],
                "name": match.name.normalized,
                "md5": match.md5.hex() if match.md5 else None,
                "sha256": match.sha256.hex() if match.sha256 else None,
            }
        )
    platform = str(spec.platform) if spec.platform is not None else None
    json.dump({"platform": platform, "packages": packages}, sys.stdout)


if __name__ == "__main__":
    main()
