"""Compares unilock's host libraries per wheel (JSON from the host-libraries example) with
auditwheel's external references of the `linux` policy. See compare-check-auditwheel.sh."""
import json
import sys
from pathlib import Path

from auditwheel.wheel_abi import analyze_wheel_abi


def auditwheel_libraries(wheel: Path) -> set[str]:
    info = analyze_wheel_abi(
        None, None, wheel, frozenset(), disable_isa_ext_check=True, allow_graft=False
    )
    return set(info.external_refs["linux"].libs)


def main() -> int:
    ours = json.loads(Path(sys.argv[1]).read_text())
    differ = 0
    print(f"{'wheel':58} {'unilock':>7} {'auditwheel':>10}  differences")
    for arg in sys.argv[2:]:
        wheel = Path(arg)
        mine = set(ours.get(wheel.name, []))
        try:
            theirs = auditwheel_libraries(wheel)
        except Exception as e:  # auditwheel refuses some wheels; say so and go on
            print(f"{wheel.name[:58]:58} {len(mine):7} {'error':>10}  auditwheel: {e}")
            continue
        notes = []
        if mine - theirs:
            notes.append("only unilock: " + ", ".join(sorted(mine - theirs)))
        if theirs - mine:
            notes.append("only auditwheel: " + ", ".join(sorted(theirs - mine)))
        differ += bool(notes)
        print(f"{wheel.name[:58]:58} {len(mine):7} {len(theirs):10}  {'; '.join(notes) or 'same'}")
    print(f"{differ} of {len(sys.argv) - 2} wheels differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
