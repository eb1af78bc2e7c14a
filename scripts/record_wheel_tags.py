"""Record packaging's ordered wheel-tag lists for simulated target platforms.

Usage: python record_wheel_tags.py [OUTPUT.json]   (normally run through
scripts/record-wheel-tags.sh, which pins packaging==26.3 in a throwaway venv).

Every decision about which tags exist, and in which order, is made by
packaging's own code (packaging.tags, packaging._manylinux,
packaging._musllinux).  The recorder only fakes the *machine facts* that
packaging probes on the running host:

* ``platform.system()`` and ``sysconfig.get_platform()`` -- OS and arch;
* ``_manylinux._get_glibc_version()`` -- glibc (major, minor), or (-1, -1)
  on musl;
* ``_musllinux._get_musl_version()`` -- musl (major, minor), or None on glibc;
* ``_manylinux._have_compatible_abi()`` -> True and
  ``_manylinux._get_manylinux_module()`` -> None (no ELF header / no
  ``_manylinux`` override module to inspect);
* ``_linux_platforms(is_32bit=False)`` -- the interpreter matches the
  sysconfig arch (i686 / armv7l are named by sysconfig itself);
* ``tags._get_config_var`` -- Py_DEBUG=0, WITH_PYMALLOC=1,
  Py_GIL_DISABLED=1 only for free-threaded builds, and for PyPy 7.3 the
  EXT_SUFFIX ``.pypy3X-pp73-<triple>.so``.

macOS platform tags come from ``mac_platforms(version, arch)``.  The
interpreter part replicates ``packaging.tags.sys_tags()`` with explicit
arguments:

* CPython: ``cpython_tags(python_version, abis=_cpython_abis(...), platforms)``
  then ``compatible_tags(python_version, "cp3X", platforms)``;
* PyPy:    ``generic_tags("pp3X", abis=_generic_abi(), platforms)``
  then ``compatible_tags(python_version, "pp3", platforms)``.

When a target's interpreter is the one running this script, the result is
also checked against ``sys_tags()`` evaluated inside the same simulation.
"""

from __future__ import annotations

import contextlib
import functools
import json
import platform
import sys
import sysconfig
from pathlib import Path
from unittest import mock

import packaging
from packaging import _manylinux, _musllinux, tags

# (unilock target, description, implementation, python, free-threaded, machine)
# machine: ("linux", arch, libc, libc_version) | ("macos", arch, version)
#          | ("windows", arch)
TARGETS = [
    ("linux-aarch64,python=3.11,glibc=2.28", "CPython 3.11, glibc 2.28, aarch64",
     "cpython", "3.11", False, ("linux", "aarch64", "glibc", "2.28")),
    ("linux-64,python=3.11,glibc=2.17", "CPython 3.11, glibc 2.17, x86_64",
     "cpython", "3.11", False, ("linux", "x86_64", "glibc", "2.17")),
    ("linux-64,python=3.12,glibc=2.28", "CPython 3.12, glibc 2.28, x86_64",
     "cpython", "3.12", False, ("linux", "x86_64", "glibc", "2.28")),
    ("ubuntu24.04,python=3.13", "CPython 3.13, Ubuntu 24.04 (glibc 2.39), x86_64",
     "cpython", "3.13", False, ("linux", "x86_64", "glibc", "2.39")),
    ("centos7,python=3.8", "CPython 3.8, CentOS 7 (glibc 2.17), x86_64",
     "cpython", "3.8", False, ("linux", "x86_64", "glibc", "2.17")),
    ("linux-aarch64,python=3.12,glibc=2.17", "CPython 3.12, glibc 2.17, aarch64",
     "cpython", "3.12", False, ("linux", "aarch64", "glibc", "2.17")),
    ("linux-ppc64le,python=3.10,glibc=2.28", "CPython 3.10, glibc 2.28, ppc64le",
     "cpython", "3.10", False, ("linux", "ppc64le", "glibc", "2.28")),
    ("linux-s390x,python=3.11,glibc=2.34", "CPython 3.11, glibc 2.34, s390x",
     "cpython", "3.11", False, ("linux", "s390x", "glibc", "2.34")),
    ("linux-32,python=3.9,glibc=2.17", "CPython 3.9, glibc 2.17, i686",
     "cpython", "3.9", False, ("linux", "i686", "glibc", "2.17")),
    ("linux-armv7l,python=3.11,glibc=2.31", "CPython 3.11, glibc 2.31, armv7l",
     "cpython", "3.11", False, ("linux", "armv7l", "glibc", "2.31")),
    ("linux-64,python=3.7,glibc=2.17", "CPython 3.7 (pymalloc ABI cp37m), glibc 2.17, x86_64",
     "cpython", "3.7", False, ("linux", "x86_64", "glibc", "2.17")),
    ("linux-64,python=3.13t,glibc=2.28", "free-threaded CPython 3.13, glibc 2.28, x86_64",
     "cpython", "3.13", True, ("linux", "x86_64", "glibc", "2.28")),
    ("linux-64,implementation=pypy,python=3.10,glibc=2.28", "PyPy 7.3 (Python 3.10), glibc 2.28, x86_64",
     "pypy", "3.10", False, ("linux", "x86_64", "glibc", "2.28")),
    ("alpine3.20,python=3.12", "CPython 3.12, Alpine 3.20 (musl 1.2), x86_64",
     "cpython", "3.12", False, ("linux", "x86_64", "musl", "1.2")),
    ("aarch64-unknown-linux-musl,python=3.11,musl=1.2", "CPython 3.11, musl 1.2, aarch64",
     "cpython", "3.11", False, ("linux", "aarch64", "musl", "1.2")),
    ("osx-arm64,python=3.11,macos=14.0", "CPython 3.11, macOS 14.0, arm64",
     "cpython", "3.11", False, ("macos", "arm64", "14.0")),
    ("macos15-arm64,python=3.13", "CPython 3.13, macOS 15.0, arm64",
     "cpython", "3.13", False, ("macos", "arm64", "15.0")),
    ("osx-64,python=3.12,macos=13.0", "CPython 3.12, macOS 13.0, x86_64",
     "cpython", "3.12", False, ("macos", "x86_64", "13.0")),
    ("osx-64,python=3.10,macos=10.15", "CPython 3.10, macOS 10.15, x86_64",
     "cpython", "3.10", False, ("macos", "x86_64", "10.15")),
    ("win-64,python=3.11", "CPython 3.11, Windows, amd64",
     "cpython", "3.11", False, ("windows", "amd64")),
    ("win-arm64,python=3.12", "CPython 3.12, Windows, arm64",
     "cpython", "3.12", False, ("windows", "arm64")),
]

GNU_TRIPLE_ARCH = {"x86_64": "x86_64", "aarch64": "aarch64", "ppc64le": "powerpc64le",
                   "s390x": "s390x", "i686": "i386", "armv7l": "arm"}


def _pair(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


@contextlib.contextmanager
def simulated_machine(impl: str, pyver: tuple[int, int], free_threaded: bool, machine):
    """Patch only the host facts that packaging probes."""
    os_name, arch = machine[0], machine[1]
    config = {"Py_DEBUG": 0, "WITH_PYMALLOC": 1, "Py_GIL_DISABLED": int(free_threaded)}
    if impl == "pypy":
        config["EXT_SUFFIX"] = (f".pypy{pyver[0]}{pyver[1]}-pp73-"
                                f"{GNU_TRIPLE_ARCH[arch]}-linux-gnu.so")
    real_config_var = tags._get_config_var

    def get_config_var(name, warn=False):
        return config[name] if name in config else real_config_var(name, warn)

    if os_name == "linux":
        system, sysplat = "Linux", f"linux-{arch}"
    elif os_name == "macos":
        system, sysplat = "Darwin", f"macosx-{machine[2]}-{arch}"
    else:
        system, sysplat = "Windows", f"win-{arch}"
    libc = machine[2] if os_name == "linux" else None
    glibc = _manylinux._GLibCVersion(*_pair(machine[3])) if libc == "glibc" else \
        _manylinux._GLibCVersion(-1, -1)
    musl = _musllinux._MuslVersion(*_pair(machine[3])) if libc == "musl" else None

    patches = [
        mock.patch.object(platform, "system", lambda: system),
        mock.patch.object(sysconfig, "get_platform", lambda: sysplat),
        mock.patch.object(tags, "_get_config_var", get_config_var),
        mock.patch.object(tags, "_linux_platforms",
                          functools.partial(tags._linux_platforms, is_32bit=False)),
        mock.patch.object(_manylinux, "_get_glibc_version", lambda: glibc),
        mock.patch.object(_manylinux, "_have_compatible_abi", lambda exe, archs: True),
        mock.patch.object(_manylinux, "_get_manylinux_module", lambda: None),
        mock.patch.object(_musllinux, "_get_musl_version", lambda exe: musl),
    ]
    if os_name == "macos":
        patches.append(mock.patch.object(
            platform, "mac_ver", lambda *a, **k: (machine[2], ("", "", ""), arch)))
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch)
        yield


def target_tags(impl: str, pyver: tuple[int, int], machine) -> list[tags.Tag]:
    """Replicate packaging.tags.sys_tags() with explicit arguments."""
    if machine[0] == "macos":
        platforms = list(tags.mac_platforms(version=_pair(machine[2]), arch=machine[1]))
    else:
        platforms = list(tags.platform_tags())
    nodot = f"{pyver[0]}{pyver[1]}"
    if impl == "cpython":
        result = list(tags.cpython_tags(pyver, tags._cpython_abis(pyver), platforms))
        interp = f"cp{nodot}"
    else:
        result = list(tags.generic_tags(f"pp{nodot}", tags._generic_abi(), platforms))
        interp = "pp3"
    result += tags.compatible_tags(pyver, interp, platforms)
    return result


def record(entry) -> dict:
    target, description, impl, python, free_threaded, machine = entry
    pyver = _pair(python)
    with simulated_machine(impl, pyver, free_threaded, machine):
        result = target_tags(impl, pyver, machine)
        running = (sys.implementation.name, sys.version_info[:2],
                   bool(sysconfig.get_config_var("Py_GIL_DISABLED")))
        if running == (impl, pyver, free_threaded):
            assert result == list(tags.sys_tags()), f"sys_tags() mismatch for {target}"
    if machine[0] == "linux":
        plat = {"os": "linux", "arch": machine[1], "libc": machine[2],
                "libc_version": machine[3]}
    elif machine[0] == "macos":
        plat = {"os": "macos", "arch": machine[1], "version": machine[2]}
    else:
        plat = {"os": "windows", "arch": machine[1]}
    return {"target": target, "description": description, "python": python,
            "implementation": impl, "free_threaded": free_threaded,
            "platform": plat, "tags": [str(tag) for tag in result]}


def main() -> None:
    doc = {"generator": "scripts/record_wheel_tags.py",
           "packaging_version": packaging.__version__,
           "targets": [record(entry) for entry in TARGETS]}
    text = json.dumps(doc, indent=1) + "\n"
    if len(sys.argv) > 1:
        Path(sys.argv[1]).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
