//! `unilock resolve environment.yml` end to end over `file://` conda channels (the shared
//! snapshots in ../shared/conda-channels): the lock holds every build with the facts exports
//! need, `export --to conda-explicit|conda-env` writes them, and bad channels, specs that
//! cannot be met and inputs the conda solve cannot take yet are refused with the documented
//! exit codes, leaving the old lock as it was.

use super::write;
use crate::formats::shared;
use crate::{stderr, stdout, unilock};
use std::path::Path;

fn channel(name: &str) -> Option<String> {
    shared(&format!("conda-channels/{name}")).map(|p| format!("file://{}", p.display()))
}

fn resolve(dir: &Path, env: &str, extra: &[&str]) -> std::process::Output {
    let input = write(dir, "environment.yml", env);
    let lock = dir.join("unilock.lock").display().to_string();
    let mut args = vec!["resolve", input.as_str(), "-o", lock.as_str()];
    args.extend(extra);
    unilock(&args)
}

fn export(dir: &Path, to: &str, target: &str) -> std::process::Output {
    let lock = dir.join("unilock.lock").display().to_string();
    unilock(&["export", "--lock", &lock, "--to", to, "--target", target])
}

#[test]
fn an_environment_resolves_into_the_lock_and_exports_as_explicit_and_pinned_files() {
    let Some(numpy) = channel("conda-forge-mamba-numpy-subset") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let env = format!("channels:\n  - {numpy}\ndependencies:\n  - python=3.12\n  - numpy\n");
    let out = resolve(dir.path(), &env, &["--target", "linux-64"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lock = std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock");
    assert!(
        lock.starts_with(
            "# This file is written by unilock; do not edit it by hand.\nversion = 3\n"
        )
    );
    // numpy is there with its build, channel, record facts and who asked for it.
    let numpy_entry = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"numpy\""))
        .expect("numpy is locked");
    for needle in [
        "ecosystem = \"conda\"",
        "version = \"1.26.4\"",
        "build = \"py312h",
        "environment.yml:5:5\"]",
        "kind = \"conda\"",
        "md5 = \"md5:",
        "hash = \"sha256:",
        "[package.conda]",
        "subdir = \"linux-64\"",
        "constrains = [\"numpy-base <0a0\"]",
    ] {
        assert!(numpy_entry.contains(needle), "{needle} in {numpy_entry}");
    }
    assert!(lock.contains("name = \"python\"") && lock.contains("version = \"3.12."));
    // The explicit file lists every build once, by URL with its md5, python before numpy.
    let out = export(dir.path(), "conda-explicit", "linux-64");
    assert!(out.status.success(), "{}", stderr(&out));
    let explicit = stdout(&out);
    let urls: Vec<&str> = explicit
        .lines()
        .filter(|l| l.starts_with("file://"))
        .collect();
    assert_eq!(
        urls.len(),
        lock.matches("[[package]]").count(),
        "{explicit}"
    );
    assert!(
        urls.iter()
            .all(|u| u.contains(".conda#") || u.contains(".tar.bz2#"))
    );
    let at = |name: &str| urls.iter().position(|u| u.contains(&format!("/{name}-")));
    assert!(at("python") < at("numpy"), "{explicit}");
    // The pinned environment.yml names each build.
    let out = export(dir.path(), "conda-env", "linux-64");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("  - numpy=1.26.4=py312h"),
        "{}",
        stdout(&out)
    );
    // A requirements file cannot hold conda builds.
    let out = export(dir.path(), "requirements", "linux-64");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--to conda-explicit"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn one_lock_holds_an_environment_for_several_platforms() {
    let Some(py39) = channel("conda-forge-subchannel-py39") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let env = format!("channels:\n  - {py39}\ndependencies:\n  - python=3.9\n  - pip\n");
    let targets = ["linux-64", "linux-aarch64", "osx-arm64", "win-64"];
    let mut args = Vec::new();
    for t in &targets {
        args.extend(["--target", *t]);
    }
    let out = resolve(dir.path(), &env, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    let lock = std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock");
    // The targets name no Python: the lock says the one the solve chose.
    assert_eq!(
        lock.matches("python = \"3.9\"").count(),
        targets.len(),
        "{lock}"
    );
    for t in targets {
        let out = export(dir.path(), "conda-explicit", t);
        assert!(out.status.success(), "{t}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains(&format!("# platform: {t}")), "{text}");
        // Each platform's python, and only builds of its own subdir or noarch.
        assert!(text.contains(&format!("/{t}/python-3.9")), "{t}: {text}");
        for line in text.lines().filter(|l| l.starts_with("file://")) {
            assert!(
                line.contains(&format!("/{t}/")) || line.contains("/noarch/"),
                "{t}: {line}"
            );
        }
    }
    // pip is noarch: one entry, chosen on every target.
    let pip = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"pip\""))
        .expect("pip is locked");
    assert_eq!(lock.matches("name = \"pip\"").count(), 1, "{lock}");
    assert!(pip.contains("noarch = \"python\""), "{pip}");
    for t in targets {
        assert!(pip.contains(&format!("\"{t}\"")), "{t} in {pip}");
    }
}

#[test]
fn channels_are_named_through_the_alias_and_bad_ones_are_refused_before_solving() {
    let Some(numpy) = channel("conda-forge-mamba-numpy-subset") else {
        return;
    };
    let alias = numpy
        .trim_end_matches("conda-forge-mamba-numpy-subset")
        .to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let env = "channels:\n  - conda-forge-mamba-numpy-subset\ndependencies:\n  - numpy\n";
    // A name needs an alias: unilock has no built-in one.
    let out = resolve(dir.path(), env, &["--target", "linux-64"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--channel-alias"), "{}", stderr(&out));
    let out = resolve(
        dir.path(),
        env,
        &["--target", "linux-64", "--channel-alias", &alias],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let good = std::fs::read(dir.path().join("unilock.lock")).expect("lock");
    // No channel at all, a channel directory that does not exist, a spec no build meets:
    // each fails with its exit code and leaves the lock as it was.
    let missing = format!("file://{}/no-such-channel", dir.path().display());
    for (env, code, says) in [
        (
            "dependencies:\n  - numpy\n".to_string(),
            2,
            "no channel is configured",
        ),
        (
            format!("channels:\n  - {missing}\ndependencies:\n  - numpy\n"),
            2,
            "no-such-channel",
        ),
        (
            format!("channels:\n  - {numpy}\ndependencies:\n  - numpy>=3\n"),
            1,
            "numpy",
        ),
        (
            format!("channels:\n  - {numpy}\ndependencies:\n  - no-such-package\n"),
            1,
            "no-such-package",
        ),
    ] {
        let out = resolve(dir.path(), &env, &["--target", "linux-64"]);
        assert_eq!(out.status.code(), Some(code), "{env}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{env}: {}", stderr(&out));
        assert_eq!(
            std::fs::read(dir.path().join("unilock.lock")).expect("lock"),
            good
        );
    }
    // The same channel by --channel works as well as by the file.
    let out = resolve(
        dir.path(),
        "dependencies:\n  - numpy\n",
        &["--target", "linux-64", "--channel", &numpy],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn defaults_stands_for_the_channels_conda_default_channels_names() {
    let Some(numpy) = channel("conda-forge-mamba-numpy-subset") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(
        dir.path(),
        "environment.yml",
        "channels:\n  - defaults\ndependencies:\n  - numpy\n",
    );
    let lock = dir.path().join("unilock.lock").display().to_string();
    let args = [
        "resolve",
        input.as_str(),
        "--target",
        "linux-64",
        "-o",
        lock.as_str(),
    ];
    let out = crate::unilock_with_env(&args, &[("CONDA_DEFAULT_CHANNELS", "")]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    for says in [
        "environment.yml:2:5: `defaults` stands for conda's default channels",
        "CONDA_DEFAULT_CHANNELS",
    ] {
        assert!(stderr(&out).contains(says), "{says}: {}", stderr(&out));
    }
    assert!(!dir.path().join("unilock.lock").exists());
    let out = crate::unilock_with_env(&args, &[("CONDA_DEFAULT_CHANNELS", &format!(" {numpy} ,"))]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock");
    assert!(written.contains("name = \"numpy\""), "{written}");
}

#[test]
fn a_record_that_cannot_be_read_is_skipped_with_a_warning_and_a_damaged_repodata_is_exit_3() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ch = dir.path().join("ch");
    for sub in ["linux-64", "noarch"] {
        std::fs::create_dir_all(ch.join(sub)).expect("subdir");
    }
    std::fs::write(
        ch.join("noarch/repodata.json"),
        r#"{"info":{"subdir":"noarch"},"packages":{}}"#,
    )
    .expect("noarch");
    let repodata = ch.join("linux-64/repodata.json");
    std::fs::write(
        &repodata,
        r#"{"info":{"subdir":"linux-64"},"packages":{
            "a-1-0.tar.bz2":{"name":"a","version":"1","build":"0","build_number":"zero","depends":[]},
            "b-1-0.tar.bz2":{"name":"b","version":"1","build":"0","build_number":0,"depends":[]}}}"#,
    )
    .expect("repodata");
    let env = |spec: &str| {
        format!(
            "channels:\n  - file://{}\ndependencies:\n  - {spec}\n",
            ch.display()
        )
    };
    // `b` resolves; the bad record of `a` is left out with a warning naming it (records are
    // read when their name is asked for), so `a` has no build.
    let out = resolve(dir.path(), &env("b"), &["--target", "linux-64"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let good = std::fs::read(dir.path().join("unilock.lock")).expect("lock");
    let out = resolve(dir.path(), &env("a"), &["--target", "linux-64"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("the record a-1-0.tar.bz2 is skipped: invalid type"),
        "{}",
        stderr(&out)
    );
    // A repodata.json cut short is exit 3 naming the file; the lock stays as it was.
    std::fs::write(
        &repodata,
        r#"{"info":{"subdir":"linux-64"},"packages":{"b-1"#,
    )
    .expect("cut");
    let out = resolve(dir.path(), &env("b"), &["--target", "linux-64"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("repodata.json: not repodata JSON"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(dir.path().join("unilock.lock")).expect("lock"),
        good
    );
}

#[test]
fn selectors_apply_a_spec_on_their_systems_only() {
    let Some(union) = channel("lockfile-union/conda-forge") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    // conda-lock's comment selectors: pywin32 on Windows only (it has no Linux build at
    // all), patchelf on Linux only (no Windows build).
    let env = format!(
        "channels:\n  - {union}\ndependencies:\n  - python=3.12\n  - pywin32  # [win]\n  - patchelf  # [linux]\n"
    );
    for (target, wanted, unwanted, other) in [
        ("linux-64", "patchelf", "pywin32", "win-64"),
        ("win-64", "pywin32", "patchelf", "linux-64"),
    ] {
        let out = resolve(
            dir.path(),
            &env,
            &["--target", target, "--upgrade", "--drop-target", other],
        );
        assert!(out.status.success(), "{target}: {}", stderr(&out));
        let lock = std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock");
        assert!(
            lock.contains(&format!("name = \"{wanted}\"")),
            "{target}: {lock}"
        );
        assert!(
            !lock.contains(&format!("name = \"{unwanted}\"")),
            "{target}"
        );
    }
    // A condition on a package (not the target's system) is refused at its place.
    let env = format!("channels:\n  - {union}\ndependencies:\n  - 'six[when=\"numpy\"]'\n");
    let out = resolve(dir.path(), &env, &["--target", "linux-64"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("environment.yml:4:6: the conda spec")
            && stderr(&out).contains("conditional on a package"),
        "{}",
        stderr(&out)
    );
}
