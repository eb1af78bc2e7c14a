//! `unilock check` end to end, on real artifacts: skeletons of real wheels
//! (corpus/check-snapshot/wheels: every byte the check reads is the original's), resolved into a
//! lock from a find-links directory, then checked on other machines; conda packages built here
//! around a real ELF library; damaged, missing and mislabelled artifacts.

mod bad;
mod conda;
mod http;

use crate::{corpus, stderr, stdout, unilock};
use std::path::{Path, PathBuf};
use std::process::Output;

/// A find-links directory in `dir` holding the stored wheels whose names start with one of
/// `prefixes`.
pub fn links(dir: &Path, prefixes: &[&str]) -> PathBuf {
    let links = dir.join("links");
    std::fs::create_dir_all(&links).expect("mkdir");
    for entry in std::fs::read_dir(corpus("check-snapshot/wheels")).expect("corpus") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".whl") && prefixes.iter().any(|p| name.starts_with(p)) {
            std::fs::copy(&path, links.join(&name)).expect("copy");
        }
    }
    links
}

/// Resolves `requirements` from `links` for `target` into `dir/unilock.lock`.
pub fn lock(dir: &Path, links: &Path, requirements: &str, target: &str) -> String {
    let input = dir.join("requirements.in");
    std::fs::write(&input, requirements).expect("write");
    let lock = dir.join("unilock.lock").display().to_string();
    let out = unilock(&[
        "resolve",
        &input.display().to_string(),
        "--no-index",
        "--find-links",
        &links.display().to_string(),
        "--target",
        target,
        "-o",
        &lock,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    lock
}

/// `unilock check --lock LOCK ARGS…` with a cache of its own in the lock's directory.
pub fn check(lock: &str, args: &[&str]) -> Output {
    let cache = Path::new(lock)
        .with_file_name("cache")
        .display()
        .to_string();
    let mut all = vec!["check", "--lock", lock, "--cache-dir", &cache];
    all.extend(args);
    unilock(&all)
}

fn text(out: &Output) -> String {
    format!("{}{}", stdout(out), stderr(out))
}

#[test]
fn opencv_on_slim_images_names_libgl_with_the_package_of_every_distribution() {
    let dir = tempfile::tempdir().expect("tempdir");
    let links = links(dir.path(), &["opencv_python", "numpy"]);
    let lock = lock(
        dir.path(),
        &links,
        "opencv-python\n",
        "ubuntu24.04,python=3.12",
    );
    let out = check(&lock, &["--target", "debian12,python=3.12"]);
    let report = stdout(&out);
    // Missing but installable: exit 0, with the packages and the command that installs them.
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let libgl = report
        .lines()
        .find(|l| l.contains("needs libGL.so.1"))
        .unwrap_or_else(|| panic!("{report}"));
    for name in [
        "apt libgl1",
        "apk mesa-gl",
        "dnf mesa-libGL",
        "conda-forge libgl",
        "nixpkgs libGL",
        "debian12-slim lacks",
        "opencv_python.libs/libQt5",
    ] {
        assert!(libgl.contains(name), "{name}: {libgl}");
    }
    // Debian 12 takes the names before the 64-bit time_t transition, Ubuntu 24.04 after it.
    assert!(
        report.contains(
            "install first: apt-get install -y --no-install-recommends libgl1 libglib2.0-0 "
        ),
        "{report}"
    );
    let out = check(&lock, &["--target", "ubuntu24.04,python=3.12", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let target = &json["targets"][0];
    assert_eq!(target["base-image"], "ubuntu24.04");
    assert!(
        target["install"]
            .as_str()
            .unwrap()
            .contains("libglib2.0-0t64")
    );
    let libgl = target["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["library"]["soname"] == "libGL.so.1")
        .expect("libGL finding");
    assert_eq!(libgl["severity"], "missing");
    assert_eq!(libgl["package"], "opencv-python");
    assert_eq!(libgl["library"]["packages"]["apk"][0], "mesa-gl");
    // The facts came from the cache the first check filled: nothing was read this time.
    assert_eq!(target["artifacts"], 2);
    // On Alpine the glibc wheels do not install at all, and the libraries are named with
    // Alpine's packages.
    let out = check(&lock, &["--target", "alpine3.20,python=3.12"]);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    assert!(
        report.contains("is built for another C library"),
        "{report}"
    );
    assert!(report.contains("uses musl"), "{report}");
    assert!(report.contains("an installer refuses it"), "{report}");
    assert!(report.contains("apk add --no-cache"), "{report}");
    assert!(report.contains("mesa-gl"), "{report}");
    assert!(
        stderr(&out).contains("the check failed"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_manylinux_2_28_wheel_checked_on_centos7_names_the_glibc_symbol_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    let links = links(dir.path(), &["pillow"]);
    let lock = lock(dir.path(), &links, "pillow\n", "rhel8,python=3.12");
    // Where it was resolved, it runs.
    let out = check(&lock, &["--target", "rhel8,python=3.12"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stdout(&out).contains("everything it needs is there"),
        "{}",
        stdout(&out)
    );
    let out = check(&lock, &["--target", "centos7,python=3.12"]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    let report = stdout(&out);
    assert!(
        report.contains(
            "pillow 11.0.0: libsharpyuv-898c0cb5.so.0.1.0 needs GLIBC_2.27; centos7 has GLIBC_2.17"
        ),
        "{report}"
    );
    // The wheel itself is refused there, and the report says which of its tags is why.
    assert!(
        report.contains(
            "(the target takes no manylinux_2_28_x86_64 wheels); an installer refuses it"
        ),
        "{report}"
    );
}

#[test]
fn a_cuda_12_runtime_on_a_cuda_11_8_driver_names_the_driver_floor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let links = links(dir.path(), &["nvidia_cuda_runtime_cu12"]);
    let lock = lock(
        dir.path(),
        &links,
        "nvidia-cuda-runtime-cu12\n",
        "ubuntu24.04,python=3.12,cuda=12.8",
    );
    let out = check(&lock, &["--target", "ubuntu24.04,python=3.12,cuda=11.8"]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    let report = stdout(&out);
    assert!(report.contains("uses CUDA 12.8"), "{report}");
    assert!(
        report.contains("CUDA 12 needs an NVIDIA driver ≥ 525.60.13"),
        "{report}"
    );
    // An older minor of the same major runs (minor version compatibility), with a warning.
    let out = check(&lock, &["--target", "ubuntu24.04,python=3.12,cuda=12.4"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(stdout(&out).contains("warning"), "{}", stdout(&out));
}

#[test]
fn a_package_locked_as_an_sdist_is_reported_as_built_on_the_target() {
    let dir = tempfile::tempdir().expect("tempdir");
    let links = links(
        dir.path(),
        &["MarkupSafe-3.0.2-cp312-cp312-manylinux_2_17_x86_64"],
    );
    std::fs::write(links.join("tool-1.0.tar.gz"), b"").expect("sdist");
    std::fs::write(
        links.join("tool-1.0.tar.gz.metadata"),
        "Metadata-Version: 2.2\nName: tool\nVersion: 1.0\n",
    )
    .expect("metadata");
    let lock = lock(
        dir.path(),
        &links,
        "tool\nmarkupsafe\n",
        "centos7,python=3.12",
    );
    let out = check(&lock, &["--target", "centos7,python=3.12"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report = stdout(&out);
    assert!(
        report.contains("tool 1.0: built from source on the target (the lock has only its sdist tool-1.0.tar.gz there)"),
        "{report}"
    );
    assert!(report.contains("1 artifacts read"), "{report}");
}

#[test]
fn resolve_check_checks_the_lock_it_wrote_and_a_target_the_lock_lacks_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let links = links(dir.path(), &["pillow"]);
    let input = dir.path().join("requirements.in");
    std::fs::write(&input, "pillow\n").expect("write");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let resolve = |target: &str, image: &[&str]| {
        let mut args = vec![
            "resolve",
            input.to_str().unwrap(),
            "--no-index",
            "--find-links",
            links.to_str().unwrap(),
            "--target",
            target,
            "-o",
            &lock,
            "--check",
        ];
        args.extend(image);
        unilock(&args)
    };
    let out = resolve("rhel8,python=3.12", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        stdout(&out).contains("base image ubi8-minimal"),
        "{}",
        stdout(&out)
    );
    // The same lock on a base image whose C library is too old: the lock is written, exit 4.
    let out = resolve("rhel8,python=3.12", &["--base-image", "centos7"]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    assert!(
        stdout(&out).contains("needs GLIBC_2.27; centos7 has GLIBC_2.17"),
        "{}",
        stdout(&out)
    );
    assert!(Path::new(&lock).exists());
    // A target of another platform than the lock's is refused, naming what the lock has.
    let out = check(&lock, &["--target", "linux-aarch64,python=3.12"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        stderr(&out).contains("the lock has no target for linux-aarch64"),
        "{}",
        stderr(&out)
    );
    // An unknown base image is refused naming the known ones; one of another C library too.
    let out = check(
        &lock,
        &["--target", "rhel8,python=3.12", "--base-image", "nope"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(stderr(&out).contains("debian12-slim"), "{}", stderr(&out));
    let out = check(
        &lock,
        &[
            "--target",
            "rhel8,python=3.12",
            "--base-image",
            "alpine3.20",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(stderr(&out).contains("uses musl"), "{}", stderr(&out));
}
