//! The lock is written byte for byte the same whatever order the targets and the input
//! requirements are given in, and its `dependencies` are requirement strings.

use super::{resolve, write};
use crate::stderr;

#[test]
fn the_lock_does_not_depend_on_the_order_of_targets_or_requirements() {
    let linux = "linux-64,python=3.12";
    let windows = "win-64,python=3.12";
    let locks: Vec<String> = [
        ("alpha\ndelta[x]\n", [linux, windows]),
        ("delta[x]\nalpha\n", [windows, linux]),
    ]
    .iter()
    .map(|(input, targets)| {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = write(dir.path(), "requirements.txt", input);
        let out = resolve(dir.path(), &file, targets, &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock")
    })
    .collect();
    // Origins name the line each requirement is on, and the input files differ; the rest
    // must agree byte for byte.
    let strip = |lock: &str| -> String {
        super::without_inputs(lock)
            .lines()
            .filter(|l| !l.starts_with("requested-by"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(strip(&locks[0]), strip(&locks[1]));
    // alpha needs gamma on Windows only: the marker says so.
    assert!(
        locks[0].contains(
            "dependencies = [\n    \"beta>=1\",\n    \"gamma ; sys_platform == 'win32'\",\n]"
        ) || locks[0].contains("dependencies = [\"beta>=1\", \"gamma ; sys_platform == 'win32'\"]"),
        "{}",
        locks[0]
    );
}
