"""Compares unilock's host libraries per wheel (JSON from the host_libraries example) with
what auditwheel's lddtree finds outside the wheel. See compare-check-auditwheel.sh."""
import io
import json
import sys
import zipfile
from pathlib import Path

from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile

from auditwheel.wheel_abi import get_wheel_elfdata

SYSTEM = ("/lib/", "/lib64/", "/usr/")


def auditwheel_libraries(wheel: Path) -> set[str]:
    """Every DT_NEEDED of the wheel's ELF files that lddtree resolves on this host's system
    paths or cannot find at all: what the wheel leaves to the host."""
    data = get_wheel_elfdata(None, None, wheel, frozenset(), None)
    external = set()
    for tree in data.full_elftree.values():
        for name in tree.needed:
            lib = tree.libraries.get(name)
            path = getattr(lib, "path", None)
            if path is None or str(path).startswith(SYSTEM):
                external.add(name)
    return external


def bundled_needs(wheel: Path, analysed: set[str]) -> set[str]:
    """The DT_NEEDED of the wheel's ELF files auditwheel's tree leaves out (the libraries it
    grafted into `<name>.libs/`), that no member of the wheel provides: read with pyelftools,
    auditwheel's own ELF reader."""
    needed, provided = set(), set()
    with zipfile.ZipFile(wheel) as z:
        for info in z.infolist():
            name = info.filename.rsplit("/", 1)[-1]
            provided.add(name)
            if info.filename in analysed or info.is_dir():
                continue
            data = z.read(info)
            if not data.startswith(b"\x7fELF"):
                continue
            elf = ELFFile(io.BytesIO(data))
            for section in elf.iter_sections():
                if isinstance(section, DynamicSection):
                    for tag in section.iter_tags():
                        if tag.entry.d_tag == "DT_NEEDED":
                            needed.add(tag.needed)
                        elif tag.entry.d_tag == "DT_SONAME":
                            provided.add(tag.soname)
    return needed - provided


def main() -> int:
    ours = json.loads(Path(sys.argv[1]).read_text())
    differ = 0
    print(f"{'wheel':58} {'unilock':>7} {'auditwheel':>10}  differences")
    print(f"{'':58} {'':7} {'':10}  (auditwheel's tree leaves out the libraries it grafted into")
    print(f"{'':58} {'':7} {'':10}  <name>.libs/; their own needs, read with pyelftools, are shown")
    print(f"{'':58} {'':7} {'':10}  on the line below a wheel and count as agreeing)")
    for arg in sys.argv[2:]:
        wheel = Path(arg)
        mine = set(ours.get(wheel.name, []))
        try:
            theirs = auditwheel_libraries(wheel)
            analysed = {str(p) for p in get_wheel_elfdata(None, None, wheel, frozenset(), None).full_elftree}
            grafted = bundled_needs(wheel, analysed) - theirs
        except Exception as e:  # auditwheel refuses some wheels; say so and go on
            print(f"{wheel.name[:58]:58} {len(mine):7} {'error':>10}  auditwheel: {e}")
            continue
        notes = []
        if mine - theirs - grafted:
            notes.append("only unilock: " + ", ".join(sorted(mine - theirs - grafted)))
        bundled = ", ".join(sorted(grafted & mine))
        if theirs - mine:
            notes.append("only auditwheel: " + ", ".join(sorted(theirs - mine)))
        differ += bool(notes)
        print(f"{wheel.name[:58]:58} {len(mine):7} {len(theirs):10}  {'; '.join(notes) or 'same'}")
        if bundled:
            print(f"{'':58} {'':7} {'':10}  (+ needs of bundled libraries: {bundled})")
    print(f"{differ} of {len(sys.argv) - 2} wheels differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
