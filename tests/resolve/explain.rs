//! Failures explained by their real cause, offline against corpus/explain-snapshot (recorded by
//! scripts/record-explain-snapshot.sh from the default index, explanations included): each
//! version left out is checked against the target one tag dimension at a time, consecutive
//! versions with the same reason read as one span, what would work instead is computed, and
//! the whole report stays a few lines.

use super::write;
use crate::{corpus, stderr, unilock_with_env};
use std::path::Path;

/// The most an explanation of one of these failures may print.
const SHORT: usize = 1500;

/// Resolves `requirements` offline against the snapshot; the failure's stderr.
fn fails(dir: &Path, requirements: &str, target: &str, extra: &[&str]) -> String {
    let input = write(dir, "requirements.txt", requirements);
    let lock = dir.join("unilock.lock").display().to_string();
    let cache = dir.join("cache").display().to_string();
    let index = format!("file://{}", corpus("explain-snapshot/simple").display());
    let mut args = vec![
        "resolve",
        &input,
        "--index-url",
        &index,
        "--offline",
        "--target",
        target,
        "-o",
        &lock,
    ];
    args.extend(extra);
    let out = unilock_with_env(&args, &[("UNILOCK_CACHE_DIR", &cache), ("NETRC", "")]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!dir.join("unilock.lock").exists());
    assert!(err.len() < SHORT, "{} bytes:\n{err}", err.len());
    assert!(!err.contains(" | "), "range syntax:\n{err}");
    err
}

/// torch 2.8.0 has Windows wheels, for cp39–cp313: on Python 3.14 the Python tag is the
/// cause, not the platform; torch 2.9.0 has cp314 wheels and 2.8.0 has wheels for 3.13.
#[test]
fn a_missing_python_tag_is_named_not_the_platform() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = fails(dir.path(), "torch==2.8.*\n", "win-64,python=3.14", &[]);
    assert!(
        err.contains("- torch 2.8.0: no cp314 wheels (cp39–cp313 only)"),
        "{err}"
    );
    assert!(!err.contains("AMD64"), "{err}");
    assert!(
        err.contains("torch>=2.9.0 (2.9.0 has wheels for this target)"),
        "{err}"
    );
    assert!(
        err.contains("torch 2.8.0 has wheels for python=3.13"),
        "{err}"
    );
}

/// numpy 2.3 and later have cp312 wheels for Linux, all manylinux_2_27/2_28: on centos7 the
/// glibc is the cause, for the whole span; 2.2.6 is the newest with wheels for centos7, and
/// glibc 2.28 targets take the newest.
#[test]
fn an_old_glibc_is_named_for_the_span_of_versions_it_excludes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = fails(
        dir.path(),
        "numpy>=2.3\n",
        "centos7,python=3.12",
        &["--only-binary"],
    );
    assert!(
        err.contains("- numpy 2.3.0–2.5.5: only manylinux_2_27, manylinux_2_28 wheels; target centos7,python=3.12 has glibc 2.17"),
        "{err}"
    );
    assert!(!err.contains("has wheels only for cp"), "{err}");
    assert!(
        err.contains("numpy<2.3.0rc1 (2.2.6 has wheels for this target)"),
        "{err}"
    );
    assert!(
        err.contains(
            "numpy 2.5.5 has wheels for ubuntu18.04, debian10, manylinux_2_28 (or glibc=2.28)"
        ),
        "{err}"
    );
}

/// opencv-python's cp37-abi3 wheels fit Python 3.12; there are no musllinux ones, so on
/// Alpine musl is the cause; glibc presets take the newest.
#[test]
fn musl_is_named_when_only_manylinux_wheels_exist() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = fails(
        dir.path(),
        "opencv-python\n",
        "alpine3.20",
        &["--only-binary"],
    );
    assert!(
        err.contains(
            "- opencv-python 4.5.5.64–5.1.0.95: only manylinux wheels; target alpine3.20 is musl"
        ),
        "{err}"
    );
    assert!(!err.contains("cp37 on"), "{err}");
    assert!(
        err.contains("opencv-python 5.1.0.95 has wheels for centos7,"),
        "{err}"
    );
}

/// Every torchvision with cp314 wheels pins a torch of 2.9 or later, and torch<2.9 has none:
/// the derivation reads as spans of versions, and the versions left out group by reason.
#[test]
fn a_failure_over_many_versions_reads_as_spans() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = fails(
        dir.path(),
        "torchvision>=0.20\ntorch>=2.5,<2.9\n",
        "win-64,python=3.14",
        &[],
    );
    assert!(
        err.contains("torchvision 0.24.0–0.29.2 depends on torch 2.9.0–2.15.0"),
        "{err}"
    );
    assert!(
        err.contains("- torch 2.5.0–2.8.0: no cp314 wheels (cp39–cp313 only)"),
        "{err}"
    );
    assert!(
        err.contains("- torchvision 0.20.0–0.23.0: no cp314 wheels (cp39–cp313 only)"),
        "{err}"
    );
    assert!(
        err.contains("torchvision 0.23.0 has wheels for python=3.13"),
        "{err}"
    );
}

/// `index record --allow-unsatisfiable` records a failing resolution with the versions its
/// explanation names, so the same explanation comes back offline from the new snapshot.
#[test]
fn a_recorded_failure_explains_itself_the_same_offline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "numpy>=2.3\n");
    let index = format!("file://{}", corpus("explain-snapshot/simple").display());
    let into = dir.path().join("snapshot");
    let into_text = into.display().to_string();
    let cache = dir.path().join("cache").display().to_string();
    let env = [("UNILOCK_CACHE_DIR", cache.as_str()), ("NETRC", "")];
    let mut args = vec![
        "index",
        "record",
        &input,
        "--index-url",
        &index,
        "--target",
        "centos7,python=3.12",
        "--only-binary",
        "--into",
        &into_text,
    ];
    let out = unilock_with_env(&args, &env);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!into.exists());
    args.push("--allow-unsatisfiable");
    let out = unilock_with_env(&args, &env);
    assert!(out.status.success(), "{}", stderr(&out));
    let recording = std::fs::read_to_string(into.join("RECORDING.txt")).expect("recording");
    assert!(
        recording.contains("unsatisfiable: centos7,python=3.12"),
        "{recording}"
    );
    let page = std::fs::read_to_string(into.join("simple/numpy/index.json")).expect("page");
    assert!(
        page.contains("numpy-2.2.6-"),
        "the suggested version is kept"
    );
    assert!(
        page.contains("numpy-2.3.0-"),
        "the span's oldest version is kept"
    );
    let replay = format!("file://{}", into.join("simple").display());
    let out = unilock_with_env(
        &[
            "resolve",
            &input,
            "--index-url",
            &replay,
            "--offline",
            "--only-binary",
            "--target",
            "centos7,python=3.12",
            "-o",
            &dir.path().join("unilock.lock").display().to_string(),
        ],
        &env,
    );
    let err = stderr(&out);
    assert!(
        err.contains("- numpy 2.3.0–2.5.5: only manylinux_2_27, manylinux_2_28 wheels")
            && err.contains("numpy<2.3.0rc1 (2.2.6 has wheels for this target)"),
        "{err}"
    );
}
