//! A unilock.lock given to `show` and `convert` is recognised as one — by its name, or by its
//! content under another name — never mistaken for a uv.lock.

use super::{resolve, write};
use crate::{stderr, stdout, unilock};

fn a_lock(dir: &std::path::Path) -> String {
    let input = write(dir, "requirements.txt", "delta\n");
    let out = resolve(
        dir,
        &input,
        &["linux-64,python=3.12", "win-64,python=3.12"],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::read_to_string(dir.join("unilock.lock")).expect("lock")
}

#[test]
fn show_prints_the_packages_of_every_target() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = a_lock(dir.path());
    let renamed = write(dir.path(), "a.lock", &text);
    for file in [
        dir.path().join("unilock.lock").display().to_string(),
        renamed,
    ] {
        let out = unilock(&["show", &file]);
        assert!(out.status.success(), "{file}: {}", stderr(&out));
        let shown = stdout(&out);
        assert!(shown.starts_with("format: unilock-lock\n"), "{shown}");
        assert!(shown.contains("beta"), "{shown}");
        let out = unilock(&["show", &file, "--json"]);
        let json = stdout(&out);
        assert!(json.contains("\"win-64,python=3.12\""), "{json}");
    }
}

#[test]
fn convert_says_a_lock_is_exported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = a_lock(dir.path());
    let renamed = write(dir.path(), "a.lock", &text);
    let out = unilock(&["convert", &renamed, "--to", "requirements"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("is a unilock.lock"), "{err}");
    assert!(
        err.contains(&format!(
            "unilock export --lock {renamed} --to requirements"
        )),
        "{err}"
    );
    // To itself, it is written back as it is.
    let out = unilock(&["convert", &renamed, "--to", "unilock-lock"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), text);
}
