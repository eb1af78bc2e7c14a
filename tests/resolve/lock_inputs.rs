//! A lock that knows its inputs: the files and options it was made from are recorded,
//! `resolve --locked` names what would change, `export --locked` refuses a lock whose inputs
//! changed, targets are one target whatever their spelling, the lock's other targets are kept
//! or dropped on purpose, and one target with no resolution does not cost the others theirs.

use super::{export, find_links, pins, resolve, write};
use crate::{stderr, stdout, unilock, unilock_with_env};
use std::path::Path;

const LINUX: &str = "linux-64,python=3.12";
const WINDOWS: &str = "win-64,python=3.12";

fn lock_text(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("unilock.lock")).expect("lock")
}

#[test]
fn the_lock_records_its_input_files_with_their_hashes_and_the_options() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "base.txt", "beta==1.0\n");
    let input = write(dir.path(), "requirements.txt", "-r base.txt\ndelta\n");
    let out = resolve(
        dir.path(),
        &input,
        &[LINUX],
        &["--pre", "--only-binary", ":all:"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let lock = lock_text(dir.path());
    for says in [
        "version = 3\n",
        "[[input]]\npath = \"base.txt\"\nhash = \"sha256:",
        "[[input]]\npath = \"requirements.txt\"\nhash = \"sha256:",
        "[options]\n",
        "no-index = true\n",
        "only-binary = [\":all:\"]\n",
        "pre = true\n",
        &format!("find-links = [\"{}\"]\n", find_links()),
        "key = \"linux-64,glibc=2.28,linux=4.18,implementation=cpython,python=3.12,cuda=none,cpu=x86_64\"",
    ] {
        assert!(lock.contains(says), "{says}\n{lock}");
    }
    // The hash is the file's own.
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(b"-r base.txt\ndelta\n")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        lock.contains(&format!("hash = \"sha256:{digest}\"")),
        "{lock}"
    );
    // A constraints file is an input too, and the pre-release mode and --no-build are options.
    let constraints = write(dir.path(), "constraints.txt", "delta<9\n");
    let out = resolve(
        dir.path(),
        &input,
        &[LINUX],
        &["--prerelease", "allow", "-c", &constraints, "--no-build"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let lock = lock_text(dir.path());
    for says in [
        "[[input]]\npath = \"constraints.txt\"\nhash = \"sha256:",
        "prerelease = \"allow\"\n",
        "no-build = true\n",
    ] {
        assert!(lock.contains(says), "{says}\n{lock}");
    }
}

#[test]
fn resolve_locked_accepts_an_up_to_date_lock_and_names_every_change_without_writing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "beta==1.0\n");
    // No lock yet: --locked has nothing to hold the resolution against.
    let out = resolve(dir.path(), &input, &[LINUX], &["--locked"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("there is no lock at"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("unilock.lock").exists());

    assert!(resolve(dir.path(), &input, &[LINUX], &[]).status.success());
    let before = lock_text(dir.path());
    let out = resolve(dir.path(), &input, &[LINUX], &["--locked"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("is up to date"), "{}", stderr(&out));
    // Another spelling of the same target is the same lock.
    let out = resolve(dir.path(), &input, &["linux/amd64"], &["--locked"]);
    assert!(out.status.success(), "{}", stderr(&out));

    write(
        dir.path(),
        "requirements.txt",
        "beta>=2; sys_platform == 'linux'\n",
    );
    let out = resolve(
        dir.path(),
        &input,
        &[LINUX, WINDOWS],
        &["--locked", "--pre"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    for says in [
        "--locked: ",
        "would change",
        "input requirements.txt: its content changed",
        "option pre: not set → true",
        "target win-64,python=3.12: new",
        "package pypi beta: 1.0 → 2.0",
    ] {
        assert!(err.contains(says), "{says}\n{err}");
    }
    assert_eq!(lock_text(dir.path()), before, "--locked never writes");
    // A target with no resolution fails --locked too, and nothing is written.
    write(dir.path(), "requirements.txt", "beta>=2\n");
    let out = resolve(dir.path(), &input, &[LINUX, WINDOWS], &["--locked"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("target win-64,python=3.12 has no resolution"));
    assert!(stderr(&out).contains("--locked: the lock was not written"));
    assert_eq!(lock_text(dir.path()), before);
}

#[test]
fn export_locked_refuses_a_lock_whose_inputs_changed_and_frozen_uses_it_as_it_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "base.txt", "beta==1.0\n");
    let input = write(dir.path(), "requirements.txt", "-r base.txt\n");
    assert!(resolve(dir.path(), &input, &[LINUX], &[]).status.success());
    let lock = dir.path().join("unilock.lock").display().to_string();
    let run = |extra: &[&str]| {
        let mut args = vec!["export", "--lock", &lock, "--to", "requirements"];
        args.extend(extra);
        unilock(&args)
    };
    let out = run(&["--locked"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("beta==1.0"), "{}", stdout(&out));
    // An included file changes: the lock is out of date.
    write(dir.path(), "base.txt", "beta==2.0\n");
    let out = run(&["--locked"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("is out of date"), "{err}");
    assert!(
        err.contains("base.txt: changed since the lock was resolved"),
        "{err}"
    );
    assert!(stdout(&out).is_empty());
    // uv's --frozen: the lock as it is, unchecked (as without either flag).
    for extra in [&["--frozen"][..], &[]] {
        let out = run(extra);
        assert!(out.status.success(), "{extra:?}: {}", stderr(&out));
        assert!(stdout(&out).contains("beta==1.0"));
    }
    // A file that is gone is named too.
    std::fs::remove_file(dir.path().join("base.txt")).expect("remove");
    let out = run(&["--locked"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("base.txt: missing"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_version_2_lock_still_reads_and_says_it_records_no_inputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "beta==1.0\n");
    assert!(resolve(dir.path(), &input, &[LINUX], &[]).status.success());
    let v3 = lock_text(dir.path());
    let mut v2 = String::new();
    let mut skip = false;
    for line in v3.lines() {
        if line.starts_with('[') {
            skip = line == "[[input]]" || line == "[options]";
        }
        if skip || line.starts_with("key = ") {
            continue;
        }
        v2.push_str(&line.replace("version = 3", "version = 2"));
        v2.push('\n');
    }
    write(dir.path(), "unilock.lock", &v2);
    assert_eq!(pins(&export(dir.path(), "linux/amd64")), ["beta==1.0"]);
    let lock = dir.path().join("unilock.lock").display().to_string();
    let out = unilock(&[
        "export",
        "--lock",
        &lock,
        "--to",
        "requirements",
        "--locked",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("records no inputs"),
        "{}",
        stderr(&out)
    );
    let out = resolve(dir.path(), &input, &[LINUX], &["--locked"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("input requirements.txt: new"),
        "{}",
        stderr(&out)
    );
    assert!(resolve(dir.path(), &input, &[LINUX], &[]).status.success());
    assert_eq!(lock_text(dir.path()), v3, "rewritten as version 3");
}

#[test]
fn spellings_of_one_target_are_one_target_in_the_lock_and_on_export() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "delta\n");
    assert!(
        resolve(dir.path(), &input, &["linux-64"], &[])
            .status
            .success()
    );
    let first = export(dir.path(), "linux-64");
    for spelling in [
        "linux/amd64",
        "linux-64,python=3.12",
        "x86_64-unknown-linux-gnu",
    ] {
        assert_eq!(
            pins(&export(dir.path(), spelling)),
            pins(&first),
            "{spelling}"
        );
    }
    let out = resolve(dir.path(), &input, &["linux/amd64,python=3.12"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the lock spells it linux-64"),
        "{}",
        stderr(&out)
    );
    let lock = lock_text(dir.path());
    assert_eq!(lock.matches("[[target]]").count(), 1, "{lock}");
    assert!(lock.contains("name = \"linux-64\"\n"), "{lock}");
    // Another Python is another target.
    let other = dir.path().join("unilock.lock").display().to_string();
    let out = unilock(&[
        "export",
        "--lock",
        &other,
        "--to",
        "requirements",
        "--target",
        "linux-64,python=3.11",
    ]);
    assert_ne!(out.status.code(), Some(0));
}

#[test]
fn the_locks_other_targets_are_kept_until_dropped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "delta\n");
    assert!(
        resolve(dir.path(), &input, &[LINUX, WINDOWS], &[])
            .status
            .success()
    );
    let windows = export(dir.path(), WINDOWS);
    // Resolving one target keeps the other, untouched, and says so.
    let out = resolve(dir.path(), &input, &["linux/amd64"], &["--upgrade"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("target win-64,python=3.12: kept as the lock had it, not resolved again"),
        "{err}"
    );
    assert_eq!(export(dir.path(), WINDOWS), windows);
    assert_eq!(lock_text(dir.path()).matches("[[target]]").count(), 2);
    // --drop-target removes it, by any spelling.
    let out = resolve(dir.path(), &input, &[LINUX], &["--drop-target", "win-64"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("target win-64,python=3.12: dropped"),
        "{}",
        stderr(&out)
    );
    let lock = lock_text(dir.path());
    assert!(!lock.contains("win-64"), "{lock}");
    assert!(
        !lock.contains("gamma"),
        "gamma is only needed on Windows: {lock}"
    );
    // Dropping a target also asked for makes no sense; one the lock lacks is a warning.
    let out = resolve(
        dir.path(),
        &input,
        &[LINUX],
        &["--drop-target", "linux/amd64"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = resolve(
        dir.path(),
        &input,
        &[LINUX],
        &["--drop-target", "osx-arm64"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("--drop-target osx-arm64: the lock has no such target"));
}

#[test]
fn a_target_with_no_resolution_is_left_out_and_named_unless_consistent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "alpha\nbeta>=2\n");
    let targets = ["centos7,python=3.11", LINUX];
    let out = resolve(dir.path(), &input, &targets, &["--consistent"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!dir.path().join("unilock.lock").exists());

    let out = resolve(dir.path(), &input, &targets, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    for says in [
        "target centos7,python=3.11 has no resolution",
        "beta 2.0: only manylinux_2_28 wheels; target centos7,python=3.11 has glibc 2.17",
        "the lock was written for the targets that resolve (linux-64,python=3.12)",
    ] {
        assert!(err.contains(says), "{says}\n{err}");
    }
    let lock = lock_text(dir.path());
    assert!(!lock.contains("centos7"), "{lock}");
    assert_eq!(
        pins(&export(dir.path(), LINUX)),
        ["alpha==1.0", "beta==2.0"]
    );
}

#[test]
fn a_project_configuration_supplies_targets_and_locations_below_flags_and_variables() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "delta\n");
    let lock = dir.path().join("unilock.lock").display().to_string();
    let fl = find_links();
    write(
        dir.path(),
        "pyproject.toml",
        &format!(
            "[project]\nname = \"p\"\nversion = \"1\"\n\n[tool.unilock]\ntargets = [\"{LINUX}\"]\nfind-links = [\"{fl}\"]\nno-index = true\n"
        ),
    );
    let out = unilock(&["resolve", &input, "-o", &lock]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = lock_text(dir.path());
    assert!(text.contains(&format!("name = \"{LINUX}\"")), "{text}");
    assert_eq!(text.matches("[[target]]").count(), 1);

    // unilock.toml beside it wins over [tool.unilock], with a warning; a relative
    // find-links path is relative to the file.
    let relative = pathdiff(dir.path(), Path::new(&fl));
    write(
        dir.path(),
        "unilock.toml",
        &format!(
            "targets = [\"{WINDOWS}\", \"{LINUX}\"]\nfind-links = [\"{relative}\"]\nno-index = true\nconsistent = true\n"
        ),
    );
    let out = unilock(&["resolve", &input, "-o", &lock]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("[tool.unilock] in"),
        "{}",
        stderr(&out)
    );
    let text = lock_text(dir.path());
    assert_eq!(text.matches("[[target]]").count(), 2, "{text}");
    assert!(text.contains("consistent = true"), "{text}");

    // A flag wins over the file.
    let out = unilock(&[
        "resolve",
        &input,
        "-o",
        &lock,
        "--target",
        "linux-aarch64",
        "--locked",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("target linux-aarch64: new"),
        "{}",
        stderr(&out)
    );
    // An environment variable wins over the file: the file's index is never read.
    write(
        dir.path(),
        "unilock.toml",
        &format!(
            "targets = [\"{LINUX}\"]\nindex-url = \"missing-index\"\nfind-links = [\"{fl}\"]\n"
        ),
    );
    let out = unilock(&["resolve", &input, "-o", &lock]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("missing-index"), "{}", stderr(&out));
    let empty = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{}", empty.path().display());
    let out = unilock_with_env(
        &["resolve", &input, "-o", &lock],
        &[("PIP_INDEX_URL", &url)],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // --no-config reads none, so no target is known.
    let out = unilock(&["resolve", &input, "-o", &lock, "--no-config"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no target"), "{}", stderr(&out));
    // Mistakes are named at their line.
    write(
        dir.path(),
        "unilock.toml",
        "targets = [\"linux-64\"]\nindex_url = \"x\"\n",
    );
    let out = unilock(&["resolve", &input, "-o", &lock]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unilock.toml:2:1: error"),
        "{}",
        stderr(&out)
    );
    write(dir.path(), "unilock.toml", "targets = [\"linux-65\"]\n");
    let out = unilock(&["resolve", &input, "-o", &lock]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the targets are those of"),
        "{}",
        stderr(&out)
    );
}

/// `to` relative to `from` (both absolute), for a configuration's relative path.
fn pathdiff(from: &Path, to: &Path) -> String {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[test]
fn upgrade_replaces_a_lock_that_no_longer_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "beta==1.0\n");
    write(dir.path(), "unilock.lock", "version = 99\n");
    let out = resolve(dir.path(), &input, &[LINUX], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = resolve(dir.path(), &input, &[LINUX], &["--upgrade", "--locked"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = resolve(dir.path(), &input, &[LINUX], &["--upgrade"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--upgrade replaces it"),
        "{}",
        stderr(&out)
    );
    assert!(lock_text(dir.path()).contains("version = 3"));
}

#[test]
fn inputs_are_named_relative_to_a_lock_in_another_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(dir.path(), "requirements.txt", "beta==1.0\n");
    std::fs::create_dir(dir.path().join("locks")).expect("mkdir");
    let lock = dir.path().join("locks/u.lock").display().to_string();
    let fl = find_links();
    let out = unilock(&[
        "resolve",
        &input,
        "--no-index",
        "--find-links",
        &fl,
        "--target",
        LINUX,
        "-o",
        &lock,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&lock).expect("lock");
    assert!(text.contains("path = \"../requirements.txt\""), "{text}");
    write(dir.path(), "requirements.txt", "beta\n");
    let out = unilock(&[
        "export",
        "--lock",
        &lock,
        "--to",
        "requirements",
        "--locked",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(&format!("is out of date: {input}: changed")),
        "{}",
        stderr(&out)
    );
}
