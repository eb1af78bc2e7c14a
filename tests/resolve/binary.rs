//! `--only-binary`, `--no-binary`, `--prefer-binary` and the source-build summary of
//! `unilock resolve`, on a find-links directory the test writes (empty distribution files
//! beside their core metadata): x 2.0 has an sdist and a manylinux_2_28 wheel, x 1.0 a
//! manylinux_2_17 wheel; z a pure wheel and an sdist.

use super::{export, pins, write};
use crate::{stderr, unilock};
use std::path::Path;

const CENTOS: &str = "centos7,python=3.12";

fn dists(dir: &Path) -> String {
    let links = dir.join("links");
    std::fs::create_dir(&links).expect("mkdir");
    for (name, project, version) in [
        ("x-1.0-py3-none-manylinux_2_17_x86_64.whl", "x", "1.0"),
        ("x-2.0-py3-none-manylinux_2_28_x86_64.whl", "x", "2.0"),
        ("x-2.0.tar.gz", "x", "2.0"),
        ("z-1.0-py3-none-any.whl", "z", "1.0"),
        ("z-1.0.tar.gz", "z", "1.0"),
    ] {
        std::fs::write(links.join(name), b"").expect("write");
        let metadata = format!("Metadata-Version: 2.2\nName: {project}\nVersion: {version}\n");
        std::fs::write(links.join(format!("{name}.metadata")), metadata).expect("write");
    }
    links.display().to_string()
}

fn resolve(
    dir: &Path,
    requirements: &str,
    targets: &[&str],
    extra: &[&str],
) -> std::process::Output {
    let links = dir.join("links");
    let links = if links.exists() {
        links.display().to_string()
    } else {
        dists(dir)
    };
    let input = write(dir, "requirements.txt", requirements);
    let lock = dir.join("unilock.lock").display().to_string();
    let mut args = vec![
        "resolve",
        &input,
        "--no-index",
        "--find-links",
        &links,
        "-o",
        &lock,
    ];
    for t in targets {
        args.extend(["--target", t]);
    }
    args.extend(extra);
    unilock(&args)
}

#[test]
fn the_summary_names_each_source_build_and_the_newest_version_with_a_wheel() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = resolve(dir.path(), "x\nz\n", &[CENTOS], &[]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning: x 2.0 has no wheel for centos7,python=3.12 (only manylinux_2_28 wheels; the target has glibc 2.17); 1.0 has one\n"),
        "{err}"
    );
    assert!(!err.contains("z 1.0"), "z has a wheel: {err}");
    assert_eq!(pins(&export(dir.path(), CENTOS)), ["x==2.0", "z==1.0"]);
    // --consistent: one line per target.
    let out = resolve(
        dir.path(),
        "x\n",
        &[CENTOS, "linux-64,python=3.12"],
        &["--consistent"],
    );
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(err.matches("x 2.0 has no wheel for").count(), 1, "{err}");
}

#[test]
fn prefer_binary_from_the_command_line_or_the_file_takes_the_older_wheel() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = resolve(dir.path(), "x\n", &[CENTOS], &["--prefer-binary"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("has no wheel"), "{err}");
    assert_eq!(pins(&export(dir.path(), CENTOS)), ["x==1.0"]);
    std::fs::remove_file(dir.path().join("unilock.lock")).expect("rm");
    let out = resolve(dir.path(), "--prefer-binary\nx\n", &[CENTOS], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(pins(&export(dir.path(), CENTOS)), ["x==1.0"]);
}

#[test]
fn no_binary_and_only_binary_by_name_in_pips_spelling() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = resolve(
        dir.path(),
        "x\nz\n",
        &[CENTOS],
        &["--no-binary", "z", "--only-binary", "X"],
    );
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains(
            "note: z 1.0 is built from source for centos7,python=3.12, as --no-binary asks\n"
        ),
        "{err}"
    );
    let exported = export(dir.path(), CENTOS);
    assert_eq!(pins(&exported), ["x==1.0", "z==1.0"]);
    // The lock's artifact for z is its sdist.
    let lock = std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock");
    assert!(
        lock.contains("z-1.0.tar.gz") && !lock.contains("z-1.0-py3"),
        "{lock}"
    );
    // A value that names no package is bad usage.
    let out = resolve(dir.path(), "x\n", &[CENTOS], &["--no-binary=a b"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`a b` is not a package name"),
        "{}",
        stderr(&out)
    );
}
