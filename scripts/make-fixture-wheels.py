"""Writes tiny, deterministic wheels for offline tests into corpus/fixtures/find-links/.

Each wheel is a real wheel (dist-info with METADATA, WHEEL and RECORD; one module) that pip
and uv install; dependencies and markers exercise what the tests need:

    alpha 1.0      requires beta>=1, gamma; sys_platform == "win32"
    beta 1.0, 2.0  (2.0 only as a py3 manylinux_2_28 x86_64 wheel, 1.0 pure Python)
    gamma 1.0      pure Python
    delta 1.0      requires alpha[extra-x]; extra "x" pulls in gamma

and, in corpus/fixtures/sdists/, source distributions for reading metadata without a build:

    gamma 2.0      sdist only, metadata 2.1: its dependencies are only known after a build
    epsilon 1.0    sdist only, metadata 2.2 (static): requires gamma
    zeta 1.0       sdist only, metadata 2.2 (static): requires alpha by a URL of its own

and corpus/fixtures/index/simple/, a PEP 503 file:// index over the same wheels that marks
beta 2.0 yanked and gives delta 1.0 `requires-python >=3.13` (gamma 1.1rc1 is a pre-release).

Run: python3 scripts/make-fixture-wheels.py   (no network; standard library only)
"""

import base64
import hashlib
import os
import io
import sys
import tarfile
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "corpus", "fixtures", "find-links")
EPOCH = (2020, 1, 1, 0, 0, 0)

WHEELS = [
    ("alpha", "1.0", "py3-none-any", ["beta>=1", 'gamma; sys_platform == "win32"'], [], {}),
    ("beta", "1.0", "py3-none-any", [], [], {}),
    ("beta", "2.0", "py3-none-manylinux_2_28_x86_64", [], [], {}),
    ("gamma", "1.0", "py3-none-any", [], [], {}),
    ("delta", "1.0", "py3-none-any", ["alpha", 'gamma; extra == "x"'], ["x"], {}),
    ("gamma", "1.1rc1", "py3-none-any", [], [], {}),
]


def record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def write(name, version, tag, requires, extras, _):
    dist = f"{name}-{version}.dist-info"
    files = {f"{name}/__init__.py": f'__version__ = "{version}"\n'.encode()}
    meta = [f"Metadata-Version: 2.3", f"Name: {name}", f"Version: {version}", "Requires-Python: >=3.8"]
    meta += [f"Provides-Extra: {e}" for e in extras]
    meta += [f"Requires-Dist: {r}" for r in requires]
    files[f"{dist}/METADATA"] = ("\n".join(meta) + "\n").encode()
    pure = "true" if tag.endswith("-none-any") else "false"
    files[f"{dist}/WHEEL"] = f"Wheel-Version: 1.0\nGenerator: unilock-fixtures\nRoot-Is-Purelib: {pure}\nTag: {tag}\n".encode()
    record = [record_line(p, d) for p, d in files.items()] + [f"{dist}/RECORD,,"]
    files[f"{dist}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = os.path.join(ROOT, f"{name}-{version}-{tag}.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for p, d in files.items():
            info = zipfile.ZipInfo(p, EPOCH)
            info.external_attr = 0o644 << 16
            z.writestr(info, d)
    return path


SDISTS_ROOT = os.path.join(os.path.dirname(ROOT), "sdists")

SDISTS = [
    ("gamma", "2.0", "2.1", []),
    ("epsilon", "1.0", "2.2", ["gamma"]),
    ("zeta", "1.0", "2.2", ["alpha @ https://files.example/alpha-1.0-py3-none-any.whl"]),
]


def write_sdist(name, version, metadata_version, requires):
    meta = [f"Metadata-Version: {metadata_version}", f"Name: {name}", f"Version: {version}"]
    meta += [f"Requires-Dist: {r}" for r in requires]
    files = {
        f"{name}-{version}/PKG-INFO": ("\n".join(meta) + "\n").encode(),
        f"{name}-{version}/{name}/__init__.py": f'__version__ = "{version}"\n'.encode(),
    }
    path = os.path.join(SDISTS_ROOT, f"{name}-{version}.tar.gz")
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for p, d in files.items():
            info = tarfile.TarInfo(p)
            info.size, info.mtime, info.mode = len(d), 1577836800, 0o644
            tar.addfile(info, io.BytesIO(d))
    import gzip
    with open(path, "wb") as f:
        f.write(gzip.compress(raw.getvalue(), mtime=0))
    return path


INDEX_ROOT = os.path.join(os.path.dirname(ROOT), "index", "simple")

# Per-file attributes of the index pages.
INDEX_ATTRS = {
    "beta-2.0-py3-none-manylinux_2_28_x86_64.whl": ' data-yanked="broken build"',
    "delta-1.0-py3-none-any.whl": ' data-requires-python="&gt;=3.13"',
}


def write_index():
    projects = {}
    for name in sorted(os.listdir(ROOT)):
        projects.setdefault(name.split("-")[0], []).append(name)
    for project, files in projects.items():
        links = []
        for f in files:
            digest = hashlib.sha256(open(os.path.join(ROOT, f), "rb").read()).hexdigest()
            attrs = INDEX_ATTRS.get(f, "")
            links.append(f'<a href="../../../find-links/{f}#sha256={digest}"{attrs}>{f}</a><br/>')
        page = "<!DOCTYPE html>\n<html><body>\n" + "\n".join(links) + "\n</body></html>\n"
        os.makedirs(os.path.join(INDEX_ROOT, project), exist_ok=True)
        path = os.path.join(INDEX_ROOT, project, "index.html")
        with open(path, "w") as f:
            f.write(page)
        print(path)


def main():
    os.makedirs(ROOT, exist_ok=True)
    os.makedirs(SDISTS_ROOT, exist_ok=True)
    for w in WHEELS:
        print(write(*w))
    for s in SDISTS:
        print(write_sdist(*s))
    write_index()


if __name__ == "__main__":
    sys.exit(main())
