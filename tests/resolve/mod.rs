//! `unilock resolve` and `unilock export` end to end, offline, on the fixture wheels of
//! corpus/fixtures/find-links (see scripts/make-fixture-wheels.py for what each requires):
//! the pins match what the real uv chooses for the same target, pip installs the exported
//! file unchanged, and failures explain themselves and leave the old lock untouched.

mod binary;
mod builds;
mod builds_ahead;
mod conda;
mod conda_bench;
mod conda_http;
mod determinism;
mod direct;
mod explain;
mod flags;
mod hashes;
mod hostile;
mod http;
mod joint;
mod lock_file;
mod lock_inputs;
mod pixi;
mod resources;
mod snapshot;
mod source_tree_locks;
mod source_trees;
mod stand_in;
mod user_input;
mod yanked;

use crate::formats::acceptance::pip_dry_run;
use crate::{corpus, stderr, stdout, tool, unilock};
use std::path::Path;
use std::process::Command;

fn find_links() -> String {
    corpus("fixtures/find-links").display().to_string()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path.display().to_string()
}

fn resolve(dir: &Path, input: &str, targets: &[&str], extra: &[&str]) -> std::process::Output {
    let lock = dir.join("unilock.lock").display().to_string();
    let fl = find_links();
    let mut args = vec![
        "resolve",
        input,
        "--no-index",
        "--find-links",
        &fl,
        "-o",
        &lock,
    ];
    for t in targets {
        args.extend(["--target", t]);
    }
    args.extend(extra);
    unilock(&args)
}

fn export(dir: &Path, target: &str) -> String {
    let lock = dir.join("unilock.lock").display().to_string();
    let out = unilock(&[
        "export",
        "--lock",
        &lock,
        "--to",
        "requirements",
        "--target",
        target,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

/// A lock's text without its `[[input]]` tables (their hashes differ between inputs that ask
/// for the same thing in other words).
fn without_inputs(lock: &str) -> String {
    lock.split("\n\n")
        .filter(|table| !table.starts_with("[[input]]"))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn pins(requirements: &str) -> Vec<String> {
    let mut pins: Vec<String> = requirements
        .lines()
        .filter(|l| l.contains("=="))
        .map(|l| l.split([' ', ';']).next().unwrap_or("").to_string())
        .collect();
    pins.sort();
    pins
}

#[test]
fn one_lock_holds_every_target_and_exports_hashed_pins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "delta\n");
    let out = resolve(
        dir.path(),
        &input,
        &["linux-64,python=3.12", "win-64,python=3.12"],
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let lock = std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock");
    assert!(lock.contains("name = \"linux-64,python=3.12\""), "{lock}");
    assert!(lock.contains("hash = \"sha256:"), "{lock}");
    let linux = export(dir.path(), "linux-64,python=3.12");
    let windows = export(dir.path(), "win-64,python=3.12");
    assert_eq!(pins(&linux), ["alpha==1.0", "beta==2.0", "delta==1.0"]);
    assert_eq!(
        pins(&windows),
        ["alpha==1.0", "beta==1.0", "delta==1.0", "gamma==1.0"]
    );
    assert!(windows.contains("--hash=sha256:"), "{windows}");
}

/// Exported pins for each target are exactly what pip installs from them (nothing added or
/// changed, hashes checked), and what the real uv resolves for the same target.
#[test]
fn pip_and_uv_agree_with_our_pins() {
    let (Some(pip), Some(uv)) = (tool("pip"), tool("uv")) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.in", "delta[x]\nbeta\n");
    let cases = [
        (
            "linux-64,python=3.12",
            "manylinux_2_28_x86_64",
            "x86_64-manylinux_2_28",
        ),
        ("win-64,python=3.11", "win_amd64", "x86_64-pc-windows-msvc"),
        (
            "centos7,python=3.11",
            "manylinux2014_x86_64",
            "x86_64-manylinux_2_17",
        ),
    ];
    let targets: Vec<&str> = cases.iter().map(|c| c.0).collect();
    let out = resolve(dir.path(), &input, &targets, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    for (target, pip_platform, uv_platform) in cases {
        let exported = export(dir.path(), target);
        let file = write(dir.path(), "out.txt", &exported);
        let python = target.rsplit('=').next().unwrap_or("3.12");
        let fl = find_links();
        let installed = pip_dry_run(
            &pip,
            dir.path(),
            &[
                "--no-index",
                "--find-links",
                &fl,
                "--only-binary",
                ":all:",
                "--no-deps",
                "--platform",
                pip_platform,
                "--python-version",
                python,
                "-r",
                &file,
            ],
        );
        assert_eq!(installed, pins(&exported), "pip on {target}");
        let uv_out = Command::new(&uv)
            .args([
                "pip",
                "compile",
                "--quiet",
                "--no-header",
                "--no-annotate",
                "--offline",
            ])
            .args([
                "--no-index",
                "--find-links",
                &fl,
                "--python-platform",
                uv_platform,
            ])
            .args(["--python-version", python, &input])
            .env("UV_NO_CACHE", "1")
            .output()
            .expect("run uv");
        assert!(
            uv_out.status.success(),
            "{}",
            String::from_utf8_lossy(&uv_out.stderr)
        );
        assert_eq!(
            pins(&String::from_utf8_lossy(&uv_out.stdout)),
            pins(&exported),
            "uv on {target}"
        );
    }
}

#[test]
fn an_impossible_request_is_explained_and_leaves_the_lock_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = write(dir.path(), "good.txt", "beta\n");
    assert!(
        resolve(dir.path(), &good, &["centos7,python=3.11"], &[])
            .status
            .success()
    );
    let before = std::fs::read(dir.path().join("unilock.lock")).expect("lock");
    let bad = write(dir.path(), "bad.txt", "alpha\nbeta>=2\n");
    let out = resolve(dir.path(), &bad, &["centos7,python=3.11"], &["--upgrade"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "beta 2.0: only manylinux_2_28 wheels; target centos7,python=3.11 has glibc 2.17"
        ),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("unilock.lock")).expect("lock"),
        before
    );
}

#[test]
fn consistent_takes_the_version_every_target_can_use() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "alpha\n");
    let targets = ["linux-64,python=3.12", "linux-aarch64,python=3.12"];
    let out = resolve(dir.path(), &input, &targets, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        pins(&export(dir.path(), targets[0])),
        ["alpha==1.0", "beta==2.0"]
    );
    let out = resolve(dir.path(), &input, &targets, &["--consistent", "--upgrade"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for t in targets {
        assert_eq!(
            pins(&export(dir.path(), t)),
            ["alpha==1.0", "beta==1.0"],
            "{t}"
        );
    }
}

#[test]
fn consistent_explains_a_package_no_common_version_fits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(
        dir.path(),
        "requirements.txt",
        "alpha\nbeta>=2; platform_machine == 'x86_64'\n",
    );
    let targets = ["linux-64,python=3.12", "linux-aarch64,python=3.12"];
    let out = resolve(dir.path(), &input, &targets, &["--consistent"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    for says in [
        "--consistent: no single set of versions works on every target",
        "--consistent holds PyPI beta 2.0 on every target",
        "PyPI beta 2.0 (or none) on target linux-aarch64,python=3.12",
        "on target linux-aarch64,python=3.12, PyPI alpha 1.0 depends on `beta>=1`",
        "asks for `beta>=2 ; platform_machine == 'x86_64'`",
    ] {
        assert!(err.contains(says), "{says}: {err}");
    }
    assert!(!dir.path().join("unilock.lock").exists());
}

#[test]
fn pins_of_the_existing_lock_are_kept_until_upgraded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let old = write(dir.path(), "old.txt", "beta==1.0\n");
    let t = "linux-64,python=3.12";
    assert!(resolve(dir.path(), &old, &[t], &[]).status.success());
    let open = write(dir.path(), "open.txt", "beta\n");
    assert!(resolve(dir.path(), &open, &[t], &[]).status.success());
    assert_eq!(pins(&export(dir.path(), t)), ["beta==1.0"]);
    let out = resolve(dir.path(), &open, &[t], &["--upgrade-package", "beta"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(pins(&export(dir.path(), t)), ["beta==2.0"]);
}

#[test]
fn a_pyproject_resolves_its_dependencies_and_the_extras_and_groups_asked_for() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(
        dir.path(),
        "pyproject.toml",
        r#"[project]
name = "proj"
version = "0.1"
dependencies = ["delta"]

[project.optional-dependencies]
x = ["gamma"]
all = ["proj[x]"]

[dependency-groups]
dev = ["beta<2"]
"#,
    );
    let t = "linux-64,python=3.12";
    assert!(resolve(dir.path(), &input, &[t], &[]).status.success());
    assert_eq!(
        pins(&export(dir.path(), t)),
        ["alpha==1.0", "beta==2.0", "delta==1.0"]
    );
    let out = resolve(dir.path(), &input, &[t], &["--extra", "all", "--upgrade"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        pins(&export(dir.path(), t)),
        ["alpha==1.0", "beta==2.0", "delta==1.0", "gamma==1.0"]
    );
    let out = resolve(dir.path(), &input, &[t], &["--group", "dev", "--upgrade"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        pins(&export(dir.path(), t)),
        ["alpha==1.0", "beta==1.0", "delta==1.0"]
    );
}
