//! Conversions between lock formats, checked against what the owning tools produce.

use super::shared;
use crate::{stderr, stdout, unilock};
use std::path::Path;

/// `unilock convert uv.lock --to requirements` prints exactly what `uv export --frozen` prints
/// (recorded in corpus/uv-export by scripts/record-uv-exports.sh), for every real lock.
#[test]
fn uv_lock_to_requirements_matches_uv_export() {
    let recorded = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/uv-export");
    let mut entries: Vec<_> = std::fs::read_dir(&recorded)
        .expect("corpus/uv-export")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    let (mut identical, mut equivalent) = (0, 0);
    for expected_path in entries {
        let name = expected_path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("file name")
            .to_string();
        let Some((stem, variant)) = name.strip_suffix(".txt").and_then(|n| n.rsplit_once('.'))
        else {
            continue;
        };
        let Some(lock) = shared(&format!("corpus/real/uv-lock/{stem}.lock")) else {
            return;
        };
        let mut args = vec![
            "convert",
            lock.to_str().expect("utf-8"),
            "--to",
            "requirements",
        ];
        if variant == "all-extras" {
            args.push("--all-extras");
        }
        let out = unilock(&args);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let expected = std::fs::read_to_string(&expected_path).expect("recorded export");
        let ours = stdout(&out);
        if ours == expected {
            identical += 1;
        } else {
            assert_eq!(
                ours.lines().count(),
                expected.lines().count(),
                "{name}: line count differs from uv export"
            );
            for (n, (a, b)) in ours.lines().zip(expected.lines()).enumerate() {
                if a != b && !same_requirement_line(a, b) {
                    panic!(
                        "{name}: differs from uv export at line {}:\n  uv:      {b}\n  unilock: {a}",
                        n + 1
                    );
                }
            }
            equivalent += 1;
        }
    }
    eprintln!(
        "uv export: {identical} recorded exports matched byte for byte, {equivalent} line for line with equivalent markers"
    );
    assert!(
        identical + equivalent >= 20,
        "only {} exports compared",
        identical + equivalent
    );
}

/// The same pin and continuation with an equivalent marker written differently: uv factors
/// common terms out of a disjunction that pep508_rs writes expanded.
fn same_requirement_line(a: &str, b: &str) -> bool {
    let split = |l: &str| -> Option<(String, pep508_rs::MarkerTree, bool)> {
        let (body, continued) = match l.strip_suffix(" \\") {
            Some(body) => (body, true),
            None => (l, false),
        };
        let (pin, marker) = body.split_once(" ; ")?;
        Some((pin.to_string(), marker.parse().ok()?, continued))
    };
    matches!((split(a), split(b)), (Some(x), Some(y)) if x == y)
}

/// Every real uv.lock converts to a pylock.toml that unilock's PEP 751 reader (which checks
/// what `packaging.pylock` checks) accepts, for all targets and for one.
#[test]
fn uv_lock_to_pylock_is_valid_pep_751() {
    for lock in super::real_files("uv-lock") {
        for target in [None, Some("linux-64,python=3.12")] {
            let mut args = vec!["convert", lock.to_str().expect("utf-8"), "--to", "pylock"];
            if let Some(t) = target {
                args.extend(["--target", t]);
            }
            let out = unilock(&args);
            assert!(out.status.success(), "{}: {}", lock.display(), stderr(&out));
            let text = stdout(&out);
            let parsed = unilock_formats::pylock::parse("converted/pylock.toml", &text)
                .unwrap_or_else(|e| panic!("{} ({target:?}): {}", lock.display(), e.render()));
            assert!(
                parsed.to_document().packages.len() > 1,
                "{}",
                lock.display()
            );
        }
    }
}
