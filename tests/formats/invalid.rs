//! Every malformed file in `corpus/invalid/` is refused with exit 2 and a diagnostic that
//! names the file, line and column it is about (listed in `corpus/invalid/EXPECTED.tsv`).

use crate::{stderr, unilock};

#[test]
fn malformed_files_are_refused_at_the_right_place() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/invalid");
    let table =
        std::fs::read_to_string(root.join("EXPECTED.tsv")).expect("corpus/invalid/EXPECTED.tsv");
    let mut checked = 0;
    for row in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = row.split('\t').collect();
        let [file, format, location, message] = cols[..] else {
            panic!("bad EXPECTED.tsv row: {row}")
        };
        let input = root.join(file);
        assert!(input.exists(), "{file} is listed but missing");
        let out = unilock(&[
            "show",
            input.to_str().expect("utf-8 path"),
            "--format",
            format,
        ]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{file}: {err}");
        let expected = format!("{}: error:", root.join(location).display());
        assert!(
            err.starts_with(&expected),
            "{file}: expected `{expected}`, got:\n{err}"
        );
        assert!(
            err.contains(message),
            "{file}: expected `{message}` in:\n{err}"
        );
        checked += 1;
    }
    assert!(checked >= 75, "only {checked} malformed files checked");
}
