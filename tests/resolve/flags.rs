//! The resolution flags pip and uv users type, end to end: `-c/--constraint`, `--override`,
//! `--prerelease`, `--python-version` and `--python-platform`, on a find-links directory of
//! real (tiny) wheels the test writes. Each case states uv's pins, and when the real uv is
//! installed the same command line is run through `uv pip compile` to show they agree.

use super::{pins, write};
use crate::{stderr, stdout, tool, unilock};
use std::io::Write;
use std::path::Path;
use std::process::Command;

/// A find-links directory of pure wheels, each `name version requirement…`.
fn wheels(dir: &Path, entries: &[&str]) -> String {
    let links = dir.join("links");
    std::fs::create_dir_all(&links).expect("mkdir");
    for entry in entries {
        let mut words = entry.split(' ');
        let (name, version) = (words.next().unwrap(), words.next().unwrap());
        let info = format!("{name}-{version}.dist-info");
        let mut metadata = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
        for r in words {
            metadata.push_str(&format!("Requires-Dist: {r}\n"));
        }
        let file = std::fs::File::create(links.join(format!("{name}-{version}-py3-none-any.whl")))
            .expect("create");
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default();
        for (member, text) in [
            (format!("{info}/METADATA"), metadata),
            (
                format!("{info}/WHEEL"),
                "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
                    .to_string(),
            ),
            (format!("{info}/RECORD"), String::new()),
        ] {
            zip.start_file(member, options).expect("member");
            zip.write_all(text.as_bytes()).expect("write");
        }
        zip.finish().expect("zip");
    }
    links.display().to_string()
}

/// `unilock resolve` then `export` of `requirements` with `flags` (the lock's one target, named
/// by `--python-platform linux --python-version 3.12` unless the flags name another): the
/// pins, or `Err(stderr)` with the exit code.
fn unilock_pins(
    dir: &Path,
    links: &str,
    requirements: &str,
    flags: &[&str],
) -> Result<Vec<String>, (Option<i32>, String)> {
    let input = write(dir, "requirements.in", requirements);
    let lock = dir.join("unilock.lock").display().to_string();
    let mut args = vec![
        "resolve",
        &input,
        "--no-index",
        "--find-links",
        links,
        "-o",
        &lock,
        "--upgrade",
    ];
    args.extend(flags);
    let out = unilock(&args);
    if !out.status.success() {
        return Err((out.status.code(), stderr(&out)));
    }
    let out = unilock(&["export", "--lock", &lock, "--to", "requirements"]);
    assert!(out.status.success(), "{}", stderr(&out));
    Ok(pins(&stdout(&out)))
}

/// What the real uv pins for the same input and flags; `None` when uv is not installed.
fn uv_pins(dir: &Path, links: &str, flags: &[&str]) -> Option<Result<Vec<String>, String>> {
    let uv = tool("uv")?;
    let out = Command::new(&uv)
        .args(["pip", "compile", "--quiet", "--no-header", "--no-annotate"])
        .args(["--offline", "--no-index", "--find-links", links])
        .arg(dir.join("requirements.in"))
        .args(flags)
        .env("UV_NO_CACHE", "1")
        .current_dir(dir)
        .output()
        .expect("run uv");
    Some(if out.status.success() {
        Ok(pins(&String::from_utf8_lossy(&out.stdout)))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    })
}

fn owned(pins: &[&str]) -> Vec<String> {
    pins.iter().map(|p| p.to_string()).collect()
}

const LINUX: [&str; 4] = ["--python-platform", "linux", "--python-version", "3.12"];

/// Resolves each case (requirements, flags, uv's pins or `None` for no solution) with unilock,
/// and with uv when it is installed.
/// One case: the requirements, the flags, and uv's pins (`None`: no solution).
type Case<'a> = (&'a str, &'a [&'a str], Option<&'a [&'a str]>);

fn agree(entries: &[&str], files: &[(&str, &str)], cases: &[Case]) {
    let dir = tempfile::tempdir().expect("tempdir");
    let links = wheels(dir.path(), entries);
    for (name, text) in files {
        write(dir.path(), name, text);
    }
    for (requirements, flags, expected) in cases {
        let mut all: Vec<&str> = flags.to_vec();
        all.extend(LINUX);
        // The files the flags name are relative to the test directory.
        let absolute: Vec<String> = all
            .iter()
            .map(|f| match files.iter().find(|(n, _)| n == f) {
                Some((n, _)) => dir.path().join(n).display().to_string(),
                None => f.to_string(),
            })
            .collect();
        let all: Vec<&str> = absolute.iter().map(String::as_str).collect();
        let got = unilock_pins(dir.path(), &links, requirements, &all);
        let case = format!("{requirements:?} {flags:?}");
        match expected {
            Some(pins) => assert_eq!(got.map_err(|e| e.1), Ok(owned(pins)), "{case}"),
            None => {
                let (code, err) = got.expect_err(&case);
                assert_eq!(code, Some(1), "{case}: {err}");
            }
        }
        if let Some(uv) = uv_pins(dir.path(), &links, &all) {
            match expected {
                Some(pins) => assert_eq!(uv, Ok(owned(pins)), "uv: {case}"),
                None => assert!(uv.is_err(), "uv: {case}: {uv:?}"),
            }
        }
    }
}

#[test]
fn prerelease_modes_pin_what_uv_pins() {
    let entries = ["a 1.0", "a 2.0b1", "b 1.0 a>=2.0b1", "p 3.0rc1"];
    let stable: &[&str] = &["a==1.0"];
    let beta: &[&str] = &["a==2.0b1"];
    let transitive: &[&str] = &["a==2.0b1", "b==1.0"];
    let only_pre: &[&str] = &["p==3.0rc1"];
    agree(
        &entries,
        &[],
        &[
            // The default (if-necessary): stable first, even where a requirement names a
            // pre-release; a pre-release where the range has no stable version.
            ("a\n", &[], Some(stable)),
            ("a>=1.0b1\n", &[], Some(stable)),
            ("a>=2.0b1\n", &[], Some(beta)),
            ("b\n", &[], Some(transitive)),
            ("p\n", &[], Some(only_pre)),
            (
                "a>=1.0b1\n",
                &["--prerelease", "if-necessary-or-explicit"],
                Some(stable),
            ),
            ("a\n", &["--prerelease", "allow"], Some(beta)),
            ("a\n", &["--pre"], Some(beta)),
            ("a>=1.0b1\n", &["--prerelease", "disallow"], Some(stable)),
            ("a>=2.0b1\n", &["--prerelease", "disallow"], None),
            ("p\n", &["--prerelease", "disallow"], None),
            ("a>=2.0b1\n", &["--prerelease", "explicit"], Some(beta)),
            ("b\n", &["--prerelease", "explicit"], None),
            ("p\n", &["--prerelease", "explicit"], None),
        ],
    );
}

#[test]
fn constraint_and_override_files_pin_what_uv_pins() {
    let entries = ["a 1.0", "a 2.0", "a 3.0", "b 1.0 a>=2", "c 1.0"];
    let files = [
        ("constraints.txt", "a<3\nc<1\nnot-on-any-index==1\n"),
        ("more-constraints.txt", "a!=2.0\n"),
        ("overrides.txt", "a<3\na>=1\n"),
        ("pin-c.txt", "c==1.0\n"),
    ];
    agree(
        &entries,
        &files,
        &[
            ("b\n", &[], Some(&["a==3.0", "b==1.0"])),
            // A constraint limits a; c and a name no index has are not added.
            (
                "b\n",
                &["-c", "constraints.txt"],
                Some(&["a==2.0", "b==1.0"]),
            ),
            (
                "b\n",
                &[
                    "--constraint",
                    "constraints.txt",
                    "-c",
                    "more-constraints.txt",
                ],
                None,
            ),
            // Both overrides replace b's `a>=2`.
            (
                "b\n",
                &["--override", "overrides.txt"],
                Some(&["a==2.0", "b==1.0"]),
            ),
            (
                "b\n",
                &["--override", "pin-c.txt"],
                Some(&["a==3.0", "b==1.0"]),
            ),
        ],
    );
}

#[test]
fn python_platform_and_version_write_the_target() {
    let dir = tempfile::tempdir().expect("tempdir");
    let links = wheels(dir.path(), &["a 1.0"]);
    let input = write(dir.path(), "requirements.in", "a\n");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let base = [
        "resolve",
        &input,
        "--no-index",
        "--find-links",
        &links,
        "-o",
        &lock,
    ];
    let run = |flags: &[&str]| {
        let mut args = base.to_vec();
        args.extend(flags);
        unilock(&args)
    };
    let out = run(&[
        "--python-platform",
        "x86_64-manylinux_2_28",
        "--python-version",
        "3.11",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = std::fs::read_to_string(&lock).expect("lock");
    assert!(
        written.contains("name = \"x86_64-unknown-linux-gnu,python=3.11,glibc=2.28\""),
        "{written}"
    );
    // --python-version refines each --target that names no Python.
    let out = run(&[
        "--target",
        "osx-arm64",
        "--python-version",
        "3.13",
        "--upgrade",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = std::fs::read_to_string(&lock).expect("lock");
    assert!(
        written.contains("name = \"osx-arm64,python=3.13\""),
        "{written}"
    );
    for (flags, says) in [
        (
            &["--python-platform", "linux", "--target", "linux-64"][..],
            "cannot be used with",
        ),
        (&["--python-version", "3.12"][..], "add --python-platform"),
        (&["--python-platform", "linx"][..], "did you mean `linux`?"),
        (
            &[
                "--target",
                "linux-64,python=3.11",
                "--python-version",
                "3.12",
            ][..],
            "name two Pythons",
        ),
        (
            &["--prerelease", "sometimes", "--target", "linux-64"][..],
            "if-necessary",
        ),
        (
            &["--pre", "--prerelease", "allow", "--target", "linux-64"][..],
            "cannot be used with",
        ),
    ] {
        let out = run(flags);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{flags:?}: {}", stderr(&out));
    }
}

#[test]
fn a_constraints_file_that_names_no_package_is_refused_at_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let links = wheels(dir.path(), &["a 1.0"]);
    let constraints = write(dir.path(), "constraints.txt", "a<2\n./local/dir\n");
    let got = unilock_pins(
        dir.path(),
        &links,
        "a\n",
        &["-c", &constraints, "--target", "linux-64"],
    );
    let (code, err) = got.expect_err("refused");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("constraints.txt:2:1"), "{err}");
    assert!(err.contains("a --constraint file must name one"), "{err}");
    let missing = dir.path().join("nope.txt").display().to_string();
    let (code, err) = unilock_pins(
        dir.path(),
        &links,
        "a\n",
        &["--override", &missing, "--target", "linux-64"],
    )
    .expect_err("missing");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("nope.txt"), "{err}");
}

#[test]
fn an_extra_the_project_lacks_and_dynamic_dependencies_are_errors_not_empty_locks() {
    let dir = tempfile::tempdir().expect("tempdir");
    let links = wheels(dir.path(), &["a 1.0", "torch 2.0"]);
    let project = write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"app\"\nversion = \"1\"\ndependencies = [\"a\"]\n\n[project.optional-dependencies]\ngpu = [\"torch\"]\n\n[dependency-groups]\ndev = []\n",
    );
    let lock = dir.path().join("unilock.lock").display().to_string();
    let run = |input: &str, flags: &[&str]| {
        let mut args = vec![
            "resolve",
            input,
            "--no-index",
            "--find-links",
            &links,
            "-o",
            &lock,
        ];
        args.extend(["--target", "linux-64"]);
        args.extend(flags);
        unilock(&args)
    };
    let out = run(&project, &["--extra", "gpus"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("these extras and groups: dev, gpu"), "{err}");
    assert!(err.contains("did you mean `--extra gpu`?"), "{err}");
    assert!(!Path::new(&lock).exists());
    let out = run(&project, &["--extra", "GPU", "--group", "dev"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).expect("mkdir");
    let dynamic_project = write(
        &sub,
        "pyproject.toml",
        "[project]\nversion = \"1\"\ndynamic = [\"dependencies\"]\n",
    );
    let out = run(&dynamic_project, &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("pyproject.toml:3:11: the project's dependencies are `dynamic`"),
        "{err}"
    );
    assert!(!err.contains("resolved 0 packages"), "{err}");
}

/// A constraint by URL names the file a package comes from when something requires it, and
/// adds nothing by itself (uv's meaning).
#[test]
fn a_constraint_by_url_chooses_the_file_of_a_required_package_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let links = wheels(dir.path(), &["a 2.0", "a 3.0", "b 1.0 a>=3", "c 1.0"]);
    let url = |file: &str| {
        url::Url::from_file_path(Path::new(&links).join(file))
            .expect("absolute")
            .to_string()
    };
    let constraints = write(
        dir.path(),
        "constraints.txt",
        &format!(
            "a @ {}\nc @ {}\n",
            url("a-3.0-py3-none-any.whl"),
            url("c-1.0-py3-none-any.whl")
        ),
    );
    let input = write(dir.path(), "requirements.in", "b\n");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let out = unilock(&[
        "resolve",
        &input,
        "--no-index",
        "--find-links",
        &links,
        "-o",
        &lock,
        "-c",
        &constraints,
        "--target",
        "linux-64",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = unilock(&[
        "export",
        "--lock",
        &lock,
        "--to",
        "requirements",
        "--no-hashes",
    ]);
    let exported = stdout(&out);
    assert!(
        exported.contains(&format!("a @ {}", url("a-3.0-py3-none-any.whl"))),
        "{exported}"
    );
    assert!(!exported.contains("\nc"), "{exported}");
    if let Some(uv) = tool("uv") {
        let out = Command::new(&uv)
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
                &links,
                &input,
                "-c",
                &constraints,
            ])
            .args(["--python-version", "3.12"])
            .env("UV_NO_CACHE", "1")
            .output()
            .expect("run uv");
        let uv_pins = String::from_utf8_lossy(&out.stdout);
        assert!(
            uv_pins.contains(&format!("a @ {}", url("a-3.0-py3-none-any.whl"))),
            "{uv_pins}"
        );
        assert!(!uv_pins.contains("\nc"), "{uv_pins}");
    }
}
