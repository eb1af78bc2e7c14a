//! Exports checked with the tools that own the formats (scripts/install-test-tools.sh): pip
//! installs the requirements and pylock files of several targets, and uv accepts an exported
//! uv.lock as current, plans exactly its versions, and exports the same pins as unilock.
//!
//! pip evaluates environment markers against the interpreter it runs on (Linux x86-64,
//! Python 3.11), whatever `--platform` says, so a file of several targets is checked on the
//! target that is this machine: pip must install exactly that target's pins and skip the
//! others' by their markers.

use super::{FIXTURE_TARGETS, export_ok, fixture_lock, names_versions};
use crate::formats::acceptance::pip_dry_run;
use crate::{corpus, stderr, tool, unilock};
use std::path::Path;
use std::process::Command;

/// What pip would install from `file`: a requirements file with this machine's platform
/// tags (`--platform`, `--python-version`), a pylock.toml for this interpreter (pip takes no
/// platform options with a pylock).
fn pip_installs(dir: &Path, file: &str) -> Vec<String> {
    let Some(pip) = tool("pip") else {
        return Vec::new();
    };
    let fl = corpus("fixtures/find-links").display().to_string();
    let site = dir.join("site").display().to_string();
    let mut args = vec![
        "--no-index",
        "--find-links",
        &fl,
        "--target",
        &site,
        "-r",
        file,
    ];
    if !file.ends_with(".toml") {
        args.extend([
            "--only-binary",
            ":all:",
            "--platform",
            "manylinux_2_28_x86_64",
            "--python-version",
            "3.11",
        ]);
    }
    pip_dry_run(&pip, dir, &args)
}

#[test]
fn pip_installs_the_requirements_and_pylock_of_several_targets() {
    if tool("pip").is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = fixture_lock(dir.path());
    let mine = names_versions(&export_ok(
        &lock,
        &["--to", "requirements", "--target", FIXTURE_TARGETS[0]],
    ));
    assert_eq!(mine, ["alpha==1.0", "beta==2.0"]);
    for to in ["requirements", "pylock"] {
        let mut args = vec!["--to", to];
        for t in FIXTURE_TARGETS {
            args.extend(["--target", t]);
        }
        let name = if to == "pylock" {
            "pylock.toml"
        } else {
            "requirements.txt"
        };
        let file = dir.path().join(name);
        let path = file.display().to_string();
        args.extend(["-o", &path]);
        export_ok(&lock, &args);
        assert_eq!(pip_installs(dir.path(), name), mine, "{to}");
    }
}

/// `--no-hashes` leaves the hashes out of a requirements file (which pip installs unchanged,
/// the same pins as with hashes) and out of a conda-env pip section; pylock.toml keeps them,
/// as PEP 751 requires and uv keeps them, with a warning saying so.
#[test]
fn no_hashes_writes_pins_pip_installs_without_hashes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = fixture_lock(dir.path());
    let t = FIXTURE_TARGETS[0];
    let hashed = export_ok(&lock, &["--to", "requirements", "--target", t]);
    assert!(hashed.contains("--hash=sha256:"), "{hashed}");
    let file = dir.path().join("requirements.txt");
    let path = file.display().to_string();
    export_ok(
        &lock,
        &[
            "--to",
            "requirements",
            "--target",
            t,
            "--no-hashes",
            "-o",
            &path,
        ],
    );
    let bare = std::fs::read_to_string(&file).expect("read");
    assert!(!bare.contains("--hash"), "{bare}");
    assert!(bare.contains("--no-hashes"), "the header's command: {bare}");
    assert_eq!(names_versions(&bare), names_versions(&hashed));
    if tool("pip").is_some() {
        assert_eq!(
            pip_installs(dir.path(), "requirements.txt"),
            names_versions(&hashed)
        );
    }
    let env = export_ok(&lock, &["--to", "conda-env", "--target", t]);
    assert!(env.contains("--hash=sha256:"), "{env}");
    let env = export_ok(&lock, &["--to", "conda-env", "--target", t, "--no-hashes"]);
    assert!(
        !env.contains("--hash") && env.contains("beta==2.0"),
        "{env}"
    );
    let out = unilock(&[
        "export",
        "--lock",
        &lock,
        "--to",
        "pylock",
        "--target",
        t,
        "--no-hashes",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        crate::stdout(&out).contains("sha256 = "),
        "{}",
        crate::stdout(&out)
    );
    assert!(
        stderr(&out).contains("pylock.toml keeps its hashes"),
        "{}",
        stderr(&out)
    );
}

/// Runs uv in `dir`, offline and without a cache; its exit status must be 0. Its stdout and
/// stderr.
fn uv(dir: &Path, args: &[&str]) -> (String, String) {
    let uv = tool("uv").expect("uv");
    let out = Command::new(uv)
        .current_dir(dir)
        .args(args)
        .args(["--offline", "--no-python-downloads"])
        .env("UV_NO_CACHE", "1")
        .env_remove("VIRTUAL_ENV")
        .output()
        .expect("run uv");
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    assert!(out.status.success(), "uv {args:?} failed:\n{e}");
    (o, e)
}

/// The `+ name==version` lines of `uv sync --dry-run`.
fn planned(stderr: &str) -> Vec<String> {
    let mut v: Vec<String> = stderr
        .lines()
        .filter_map(|l| l.trim().strip_prefix("+ "))
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

#[test]
fn uv_takes_the_exported_uv_lock_as_current_and_installs_exactly_it() {
    if tool("uv").is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let lock = fixture_lock(dir.path());
    let project = dir.path().join("project");
    export_ok(
        &lock,
        &["--to", "uv-lock", "-o", project.to_str().expect("utf-8")],
    );
    let written = std::fs::read_to_string(project.join("uv.lock")).expect("uv.lock");
    // uv agrees the lock is current: `--locked` fails when it would change a byte.
    let (_, log) = uv(&project, &["lock", "--locked", "-v"]);
    assert!(
        log.contains("Existing `uv.lock` satisfies workspace requirements"),
        "{log}"
    );
    assert_eq!(
        std::fs::read_to_string(project.join("uv.lock")).expect("uv.lock"),
        written
    );
    // On this machine (the first target) uv installs exactly that target's pins.
    let (_, plan) = uv(&project, &["sync", "--frozen", "--dry-run"]);
    assert_eq!(planned(&plan), ["alpha==1.0", "beta==2.0"], "{plan}");
    // uv's own export of the lock gives the pins unilock exports for every target.
    let (uv_pins, _) = uv(&project, &["export", "--frozen", "--no-header"]);
    let mut args = vec!["--to", "requirements"];
    for t in FIXTURE_TARGETS {
        args.extend(["--target", t]);
    }
    let ours = export_ok(&lock, &args);
    assert_eq!(names_versions(&uv_pins), names_versions(&ours), "{uv_pins}");
    assert_eq!(
        names_versions(&ours),
        ["alpha==1.0", "beta==1.0", "beta==2.0", "gamma==1.0"]
    );
}

#[test]
fn uv_takes_a_snapshot_lock_with_an_extra_as_current() {
    if tool("uv").is_none() {
        return;
    }
    // requests[socks] from the recorded index snapshot (a file:// index), on the snapshot's
    // Python 3.11 target.
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("requirements.txt");
    std::fs::write(&input, "requests[socks]\nurllib3<2.0.2\n").expect("write");
    let index = format!("file://{}", corpus("index-snapshot/simple").display());
    let lock = dir.path().join("unilock.lock").display().to_string();
    let out = unilock(&[
        "resolve",
        input.to_str().expect("utf-8"),
        "--index-url",
        &index,
        "--offline",
        "--target",
        "linux-aarch64,python=3.11",
        "-o",
        &lock,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let project = dir.path().join("project");
    export_ok(
        &lock,
        &["--to", "uv-lock", "-o", project.to_str().expect("utf-8")],
    );
    let pyproject = std::fs::read_to_string(project.join("pyproject.toml")).expect("pyproject");
    assert!(
        pyproject.contains("\"requests[socks]==2.34.2\""),
        "{pyproject}"
    );
    let (_, log) = uv(&project, &["lock", "--locked", "-v"]);
    assert!(
        log.contains("Existing `uv.lock` satisfies workspace requirements"),
        "{log}"
    );
    let (uv_pins, _) = uv(&project, &["export", "--frozen", "--no-header"]);
    let ours = export_ok(&lock, &["--to", "requirements"]);
    assert_eq!(names_versions(&uv_pins), names_versions(&ours), "{uv_pins}");
    assert!(names_versions(&ours).contains(&"pysocks==1.7.1".to_string()));
}
