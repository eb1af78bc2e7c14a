"""Runs uv's public resolver scenarios (packse's scenarios/*.toml) through unilock and uv.

For each scenario a file:// simple index is written (PEP 503 pages with data-requires-python
and data-yanked, PEP 658 metadata files, minimal real wheels and static sdists), the root's
requirements are resolved by `unilock resolve` and by `uv pip compile` (both offline against
that index), and each result is held against the scenario's expected result: satisfiable or
not, and the expected version of each package it names.

Usage: packse_conformance.py SCENARIOS_DIR WORK_DIR UNILOCK UV [NAME_FILTER]
Prints one line per scenario and the counts; writes WORK_DIR/results.json.
"""
import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def dist_name(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name)


def metadata(name: str, version: str, meta: dict, version_22: bool = False) -> str:
    lines = [f"Metadata-Version: {'2.2' if version_22 else '2.1'}", f"Name: {name}", f"Version: {version}"]
    rp = meta.get("requires_python", ">=3.12")
    if rp:
        lines.append(f"Requires-Python: {rp}")
    for r in meta.get("requires", []):
        lines.append(f"Requires-Dist: {r}")
    for extra, reqs in meta.get("extras", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        for r in reqs:
            marker = f'extra == "{extra}"'
            if ";" in r:
                req, m = r.split(";", 1)
                lines.append(f"Requires-Dist: {req.strip()} ; ({m.strip()}) and {marker}")
            else:
                lines.append(f"Requires-Dist: {r} ; {marker}")
    return "\n".join(lines) + "\n"


def wheel_bytes(name: str, version: str, tag: str, text: str) -> bytes:
    buf = io.BytesIO()
    info = f"{dist_name(name)}-{version}.dist-info"
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(f"{info}/METADATA", text)
        py, abi, plat = tag.split("-", 2)
        z.writestr(f"{info}/WHEEL", f"Wheel-Version: 1.0\nGenerator: unilock-conformance\nRoot-Is-Purelib: true\nTag: {tag}\n")
        z.writestr(f"{info}/RECORD", "")
    return buf.getvalue()


def sdist_bytes(name: str, version: str, meta: dict) -> bytes:
    base = f"{dist_name(name)}-{version}"
    pkg_info = metadata(name, version, meta, version_22=True).encode()
    deps = ", ".join(json.dumps(r) for r in meta.get("requires", []))
    rp = meta.get("requires_python", ">=3.12")
    pyproject = (
        "[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n"
        f"[project]\nname = \"{name}\"\nversion = \"{version}\"\ndependencies = [{deps}]\n"
        + (f"requires-python = \"{rp}\"\n" if rp else "")
    ).encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for path, data in [(f"{base}/PKG-INFO", pkg_info), (f"{base}/pyproject.toml", pyproject)]:
            ti = tarfile.TarInfo(path)
            ti.size = len(data)
            tar.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def write_index(scenario: dict, root: Path) -> None:
    simple, files = root / "simple", root / "files"
    simple.mkdir(parents=True)
    files.mkdir()
    names = []
    for name, package in scenario.get("packages", {}).items():
        links = []
        for version, meta in package.get("versions", {}).items():
            text = metadata(name, version, meta)
            rp = meta.get("requires_python", ">=3.12")
            attrs = f' data-requires-python="{rp.replace(">", "&gt;").replace("<", "&lt;")}"' if rp else ""
            if meta.get("yanked"):
                attrs += ' data-yanked=""'
            dists = []
            if meta.get("wheel", True):
                for tag in meta.get("wheel_tags") or ["py3-none-any"]:
                    dists.append((f"{dist_name(name)}-{version}-{tag}.whl", wheel_bytes(name, version, tag, text), True))
            if meta.get("sdist", True):
                dists.append((f"{dist_name(name)}-{version}.tar.gz", sdist_bytes(name, version, meta), False))
            for filename, data, is_wheel in dists:
                (files / filename).write_bytes(data)
                sha = hashlib.sha256(data).hexdigest()
                extra = ""
                if is_wheel:
                    (files / f"{filename}.metadata").write_text(text)
                    msha = hashlib.sha256(text.encode()).hexdigest()
                    extra = f' data-dist-info-metadata="sha256={msha}" data-core-metadata="sha256={msha}"'
                links.append(f'<a href="../../files/{filename}#sha256={sha}"{attrs}{extra}>{filename}</a><br/>')
        project = simple / norm(name)
        project.mkdir()
        (project / "index.html").write_text("<!DOCTYPE html><html><body>\n" + "\n".join(links) + "\n</body></html>\n")
        names.append(norm(name))
    (simple / "index.html").write_text(
        "<!DOCTYPE html><html><body>\n" + "\n".join(f'<a href="{n}/">{n}</a>' for n in names) + "\n</body></html>\n"
    )


def python_of(scenario: dict) -> str:
    options = scenario.get("resolver_options", {})
    version = options.get("python") or scenario.get("environment", {}).get("python", "3.12")
    return ".".join(version.split(".")[:2])


PLATFORMS = {
    None: "linux-64",
    "x86_64-manylinux2014": "manylinux2014",
    "x86_64-unknown-linux-gnu": "linux-64",
}


def run_unilock(unilock: str, scenario: dict, work: Path) -> dict:
    options = scenario.get("resolver_options", {})
    target = f"{PLATFORMS.get(options.get('python_platform'), 'linux-64')},python={python_of(scenario)}"
    lock = work / "unilock.lock"
    args = [unilock, "resolve", str(work / "requirements.in"), "--index-url", (work / "index/simple").as_uri(),
            "--target", target, "-o", str(lock), "--cache-dir", str(work / "cache-unilock")]
    if options.get("prereleases"):
        args.append("--pre")
    if options.get("no_build"):
        args += ["--only-binary", ",".join(options["no_build"])]
    if options.get("no_binary"):
        args += ["--no-binary", ",".join(options["no_binary"])]
    out = subprocess.run(args, capture_output=True, text=True)
    if out.returncode != 0:
        return {"satisfiable": False, "code": out.returncode, "stderr": out.stderr[-600:]}
    packages = {}
    data = tomllib.loads(lock.read_text())
    for p in data.get("package", []):
        packages[norm(p["name"])] = p["version"]
    return {"satisfiable": True, "packages": packages}


def run_uv(uv: str, scenario: dict, work: Path) -> dict:
    options = scenario.get("resolver_options", {})
    args = [uv, "pip", "compile", str(work / "requirements.in"), "--index-url", (work / "index/simple").as_uri(),
            "--python-version", python_of(scenario), "--no-header", "--no-annotate", "--offline",
            "--cache-dir", str(work / "cache-uv"), "--quiet"]
    if options.get("python_platform"):
        args += ["--python-platform", options["python_platform"]]
    else:
        args += ["--python-platform", "x86_64-manylinux_2_28"]
    if options.get("prereleases"):
        args += ["--prerelease", "allow"]
    for name in options.get("no_build", []):
        args += ["--only-binary", name]
    for name in options.get("no_binary", []):
        args += ["--no-binary", name]
    if options.get("universal"):
        args.append("--universal")
    out = subprocess.run(args, capture_output=True, text=True)
    if out.returncode != 0:
        return {"satisfiable": False, "code": out.returncode, "stderr": out.stderr[-600:]}
    packages = {}
    for line in out.stdout.splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==([^ ;]+)", line.strip())
        if m:
            packages[norm(m.group(1))] = m.group(2)
    return {"satisfiable": True, "packages": packages}


def agrees(expected: dict, got: dict) -> bool:
    if expected.get("satisfiable") != got["satisfiable"]:
        return False
    for name, version in expected.get("packages", {}).items():
        if got.get("packages", {}).get(norm(name)) != version:
            return False
    return True


def main() -> int:
    scenarios_dir, work_dir = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    unilock, uv = str(Path(sys.argv[3]).resolve()), str(Path(sys.argv[4]).resolve())
    only = sys.argv[5] if len(sys.argv) > 5 else ""
    results = []
    for path in sorted(scenarios_dir.rglob("*.toml")):
        scenario = tomllib.loads(path.read_text())
        name = scenario["name"]
        if only not in name or "example" in path.parts[-2]:
            continue
        work = work_dir / name
        if work.exists():
            subprocess.run(["rm", "-rf", str(work)], check=True)
        write_index(scenario, work / "index")
        (work / "requirements.in").write_text("\n".join(scenario.get("root", {}).get("requires", [])) + "\n")
        expected = scenario["expected"]
        ours, theirs = run_unilock(unilock, scenario, work), run_uv(uv, scenario, work)
        row = {
            "scenario": name,
            "group": path.parent.name,
            "universal": scenario.get("resolver_options", {}).get("universal", False),
            "expected": expected,
            "unilock": ours,
            "uv": theirs,
            "unilock_agrees": agrees(expected, ours),
            "uv_agrees": agrees(expected, theirs),
        }
        results.append(row)
        mark = lambda ok: "ok " if ok else "NO "
        print(f"{mark(row['unilock_agrees'])} {mark(row['uv_agrees'])} {path.parent.name}/{name}")
    (work_dir / "results.json").write_text(json.dumps(results, indent=2))
    n = len(results)
    ours = sum(r["unilock_agrees"] for r in results)
    theirs = sum(r["uv_agrees"] for r in results)
    plain = [r for r in results if not r["universal"]]
    print(f"{n} scenarios: unilock agrees with the expected result on {ours}, uv on {theirs}")
    print(f"  without universal mode ({len(plain)}): unilock {sum(r['unilock_agrees'] for r in plain)}, "
          f"uv {sum(r['uv_agrees'] for r in plain)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
