//! `unilock export` end to end: several targets in one file through environment markers, one
//! file per target, headers and `# via` annotations, the pins written into a pyproject.toml,
//! a uv.lock uv accepts as current, and refusals that write nothing. Locks are resolved
//! offline from the fixture wheels (corpus/fixtures/find-links: beta 2.0 has only a
//! manylinux_2_28 x86-64 wheel, so other targets take beta 1.0) and from the recorded index
//! snapshot (corpus/index-snapshot); the outputs are checked with the real pip and uv.

mod real;
mod tools;

use crate::{corpus, stderr, stdout, unilock};
use std::path::Path;

/// The three targets of the fixture lock: the first is the machine the tests run on
/// (Linux x86-64, the test tools' Python 3.11), the others differ in their pins.
pub const FIXTURE_TARGETS: [&str; 3] = [
    "linux-64,python=3.11,glibc=2.28",
    "linux-aarch64,python=3.11",
    "win-64,python=3.11",
];

/// `alpha` (which needs `beta`, and `gamma` on Windows) and `beta`, resolved offline for
/// [`FIXTURE_TARGETS`] into `dir/unilock.lock`.
pub fn fixture_lock(dir: &Path) -> String {
    let input = dir.join("req.in");
    std::fs::write(&input, "alpha\nbeta\n").expect("write");
    let lock = dir.join("unilock.lock").display().to_string();
    let fl = corpus("fixtures/find-links").display().to_string();
    let mut args = vec![
        "resolve",
        input.to_str().expect("utf-8"),
        "--no-index",
        "--find-links",
        &fl,
        "-o",
        &lock,
    ];
    for t in FIXTURE_TARGETS {
        args.extend(["--target", t]);
    }
    let out = unilock(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    lock
}

/// `unilock export --lock LOCK ARGS…`, which must succeed; its standard output.
pub fn export_ok(lock: &str, args: &[&str]) -> String {
    let mut all = vec!["export", "--lock", lock];
    all.extend(args);
    let out = unilock(&all);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// The `name==version` lines of a requirements file, with their markers, sorted.
pub fn pin_lines(requirements: &str) -> Vec<String> {
    let mut pins: Vec<String> = requirements
        .lines()
        .filter(|l| l.contains("==") && !l.starts_with('#'))
        .map(|l| l.trim_end_matches(['\\', ' ']).to_string())
        .collect();
    pins.sort();
    pins
}

/// Only `name==version` of each pin.
pub fn names_versions(requirements: &str) -> Vec<String> {
    let mut pins: Vec<String> = pin_lines(requirements)
        .iter()
        .map(|l| l.split([' ', ';']).next().unwrap_or("").to_string())
        .collect();
    pins.sort();
    pins.dedup();
    pins
}

#[test]
fn several_targets_share_one_requirements_file_through_markers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = fixture_lock(dir.path());
    let mut args = vec!["--to", "requirements"];
    for t in FIXTURE_TARGETS {
        args.extend(["--target", t]);
    }
    let text = export_ok(&lock, &args);
    let pins = pin_lines(&text);
    // alpha is the same everywhere: no marker. beta differs: each version says where.
    assert_eq!(pins[0], "alpha==1.0", "{text}");
    let beta1 = pins
        .iter()
        .find(|l| l.starts_with("beta==1.0 ;"))
        .expect("beta 1.0");
    assert!(
        beta1.contains("sys_platform == 'win32'")
            && beta1.contains("platform_machine == 'aarch64'"),
        "{beta1}"
    );
    let beta2 = pins
        .iter()
        .find(|l| l.starts_with("beta==2.0 ;"))
        .expect("beta 2.0");
    assert!(
        beta2.contains("platform_machine == 'x86_64'")
            && beta2.contains("sys_platform == 'linux'")
            && beta2.contains("3.11"),
        "{beta2}"
    );
    let gamma = pins
        .iter()
        .find(|l| l.starts_with("gamma==1.0 ;"))
        .expect("gamma");
    assert!(gamma.contains("sys_platform == 'win32'"), "{gamma}");
    // Every pin keeps its hashes; each is annotated with what requires it.
    assert_eq!(text.matches("--hash=sha256:").count(), 4, "{text}");
    assert!(text.contains("    # via\n    #   -r "), "{text}");
    assert!(text.contains("    # via alpha\n"), "{text}");
}

#[test]
fn all_targets_writes_one_file_per_target_named_for_docker_buildx() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = fixture_lock(dir.path());
    let out_dir = dir.path().join("locks");
    let out = out_dir.display().to_string();
    export_ok(
        &lock,
        &["--to", "requirements", "--all-targets", "-o", &out],
    );
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "requirements-linux-amd64.txt",
            "requirements-linux-arm64.txt",
            "requirements-windows-amd64.txt"
        ]
    );
    // Each is exactly the export of its target, bar the command in the header.
    for (file, target) in [
        ("requirements-linux-amd64.txt", FIXTURE_TARGETS[0]),
        ("requirements-linux-arm64.txt", FIXTURE_TARGETS[1]),
        ("requirements-windows-amd64.txt", FIXTURE_TARGETS[2]),
    ] {
        let written = std::fs::read_to_string(out_dir.join(file)).expect("read");
        let alone = export_ok(&lock, &["--to", "requirements", "--target", target]);
        assert_eq!(pin_lines(&written), pin_lines(&alone), "{file}");
        assert!(
            written.contains(&format!("for target {target}.")),
            "{written}"
        );
        assert!(
            !written.contains(" ; "),
            "one target needs no markers: {written}"
        );
    }
    // Several files and no directory: refused.
    let out = unilock(&[
        "export",
        "--lock",
        &lock,
        "--to",
        "requirements",
        "--all-targets",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("-o DIR"), "{}", stderr(&out));
}

#[test]
fn the_header_names_lock_targets_and_command_and_both_can_be_left_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = fixture_lock(dir.path());
    let t = FIXTURE_TARGETS[2];
    let text = export_ok(&lock, &["--to", "requirements", "--target", t]);
    let first: Vec<&str> = text.lines().take(3).collect();
    assert_eq!(
        first,
        [
            format!("# This file was written by unilock from {lock} for target {t}.").as_str(),
            "# Do not edit it by hand; write it again with:",
            format!("#    unilock export --lock {lock} --to requirements --target {t}").as_str(),
        ]
    );
    assert!(text.contains("# via"), "{text}");
    let bare = export_ok(
        &lock,
        &[
            "--to",
            "requirements",
            "--target",
            t,
            "--no-header",
            "--no-annotate",
        ],
    );
    assert!(!bare.contains('#'), "{bare}");
    assert_eq!(pin_lines(&bare), pin_lines(&text));
    // pylock carries both as TOML comments; uv.lock, a format uv rewrites, none.
    let pylock = export_ok(&lock, &["--to", "pylock", "--target", t]);
    assert!(
        pylock.starts_with("# This file was written by unilock from "),
        "{pylock}"
    );
    assert!(
        pylock.contains("\n# via alpha\n[[packages]]\nname = \"gamma\""),
        "{pylock}"
    );
    let out = dir.path().join("uv").display().to_string();
    export_ok(&lock, &["--to", "uv-lock", "-o", &out]);
    let uv_lock = std::fs::read_to_string(dir.path().join("uv/uv.lock")).expect("uv.lock");
    assert!(!uv_lock.contains('#'), "{uv_lock}");
}

#[test]
fn several_targets_in_one_pylock_through_environments_and_markers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = fixture_lock(dir.path());
    let mut args = vec!["--to", "pylock", "--no-header"];
    for t in FIXTURE_TARGETS {
        args.extend(["--target", t]);
    }
    let text = export_ok(&lock, &args);
    assert!(text.starts_with("lock-version = \"1.0\"\nenvironments = [\n    \"sys_platform == 'linux' and platform_machine == 'x86_64' and python_version == '3.11'\",\n"), "{text}");
    assert_eq!(text.matches("[[packages]]").count(), 4, "{text}");
    assert_eq!(text.matches("\nmarker = ").count(), 3, "{text}");
}

#[test]
fn what_a_format_cannot_hold_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = fixture_lock(dir.path());
    let file = dir.path().join("out.txt");
    let out_path = file.display().to_string();
    let cases: [(&[&str], &str); 5] = [
        (
            &["--to", "requirements", "--target", "osx-arm64,python=3.11"],
            "no target `osx-arm64,python=3.11` in the lock",
        ),
        (&["--to", "requirements"], "the lock has 3 targets"),
        (
            &[
                "--to",
                "conda-explicit",
                "--target",
                FIXTURE_TARGETS[0],
                "--target",
                FIXTURE_TARGETS[1],
            ],
            "holds one platform",
        ),
        (&["--to", "pyproject"], "existing pyproject.toml"),
        (
            &["--to", "flake-lock"],
            "unilock does not export to flake-lock",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["export", "--lock", &lock];
        all.extend(args);
        all.extend(["-o", &out_path]);
        let out = unilock(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
        assert!(!file.exists(), "{args:?} wrote {out_path}");
    }
}

#[test]
fn pins_go_into_an_existing_pyproject_keeping_its_comments_and_layout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = fixture_lock(dir.path());
    let pyproject = dir.path().join("pyproject.toml");
    let original = "[project]\nname = \"app\"  # the app\nversion = \"1\"\ndependencies = [\n    # the core\n    \"alpha>=1\",\n]\n\n[tool.other]\nkeep = true\n";
    std::fs::write(&pyproject, original).expect("write");
    let path = pyproject.display().to_string();
    export_ok(
        &lock,
        &[
            "--to",
            "pyproject",
            "--target",
            FIXTURE_TARGETS[2],
            "-o",
            &path,
        ],
    );
    let text = std::fs::read_to_string(&pyproject).expect("read");
    assert_eq!(
        text,
        "[project]\nname = \"app\"  # the app\nversion = \"1\"\ndependencies = [\n    # the core\n    \"alpha==1.0\",\n    \"beta==1.0\",\n]\n\n[tool.other]\nkeep = true\n"
    );
    // A pyproject.toml that does not exist is not created.
    let missing = dir.path().join("none/pyproject.toml");
    let out = unilock(&[
        "export",
        "--lock",
        &lock,
        "--to",
        "pyproject",
        "-o",
        missing.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(!missing.exists());
}
