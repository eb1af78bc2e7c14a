//! Yanked versions (PEP 592) as uv's scenario `transitive-yanked-and-unyanked-dependency` has
//! them: only a pin of the input itself opts in to a yanked version, never a dependency's pin.
//! The index is written here: `a` pins `c==2.0.0`, `b` asks `c<=3.0.0`, and `c` 2.0.0 is yanked.

use crate::{stderr, unilock};
use std::path::Path;

fn index(dir: &Path) -> String {
    let root = dir.join("index");
    let files = dir.join("files");
    std::fs::create_dir_all(&files).expect("mkdir");
    for (project, versions) in [
        ("a", &[("1.0.0", "Requires-Dist: c==2.0.0\n", "")][..]),
        ("b", &[("1.0.0", "Requires-Dist: c<=3.0.0\n", "")][..]),
        (
            "c",
            &[("1.0.0", "", ""), ("2.0.0", "", " data-yanked=\"broken\"")][..],
        ),
    ] {
        let mut page = String::from("<html><body>\n");
        for (version, requires, yanked) in versions {
            let name = format!("{project}-{version}-py3-none-any.whl");
            std::fs::write(files.join(&name), b"").expect("write");
            let metadata =
                format!("Metadata-Version: 2.1\nName: {project}\nVersion: {version}\n{requires}");
            std::fs::write(files.join(format!("{name}.metadata")), metadata).expect("write");
            page.push_str(&format!(
                "<a href=\"file://{}/{name}\" data-dist-info-metadata=\"true\"{yanked}>{name}</a>\n",
                files.display()
            ));
        }
        std::fs::create_dir_all(root.join(project)).expect("mkdir");
        std::fs::write(
            root.join(project).join("index.html"),
            page + "</body></html>\n",
        )
        .expect("write");
    }
    format!("file://{}/", root.display())
}

fn resolve(dir: &Path, requirements: &str) -> std::process::Output {
    let input = dir.join("requirements.in");
    std::fs::write(&input, requirements).expect("write");
    unilock(&[
        "resolve",
        input.to_str().unwrap(),
        "--index-url",
        &index(dir),
        "--target",
        "linux-64,python=3.12",
        "-o",
        dir.join("unilock.lock").to_str().unwrap(),
    ])
}

#[test]
fn a_yanked_version_is_taken_only_for_a_pin_of_the_input_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Only `a` pins the yanked c 2.0.0: no solution, and the explanation says it is yanked.
    let out = resolve(dir.path(), "a\nb\n");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("c 2.0.0: yanked"), "{}", stderr(&out));
    // The input pins it too: it may be taken.
    let out = resolve(dir.path(), "a\nb\nc==2.0.0\n");
    assert!(out.status.success(), "{}", stderr(&out));
    let lock = std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock");
    assert!(
        lock.contains("name = \"c\"\necosystem = \"pypi\"\nversion = \"2.0.0\""),
        "{lock}"
    );
}
