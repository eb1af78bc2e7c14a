//! `unilock resolve pixi.toml` end to end over `file://` conda channels (the shared snapshots
//! in ../shared/conda-channels): the manifest's channels are the ones solved against, its
//! conda dependencies land in the lock located at their keys, `[target.<platform>]` specs
//! apply on their platforms only (replacing the general spec of the same package there), and
//! system requirements a target does not meet are noted.

use super::write;
use crate::formats::shared;
use crate::{stderr, stdout, unilock};
use std::path::Path;

fn channel(name: &str) -> Option<String> {
    shared(&format!("conda-channels/{name}")).map(|p| format!("file://{}", p.display()))
}

fn resolve(dir: &Path, manifest: &str, targets: &[&str]) -> std::process::Output {
    let input = write(dir, "pixi.toml", manifest);
    let lock = dir.join("unilock.lock").display().to_string();
    let mut args = vec!["resolve", input.as_str(), "-o", lock.as_str()];
    for t in targets {
        args.extend(["--target", *t]);
    }
    unilock(&args)
}

/// The `name-version` of every build `export --to conda-explicit` lists for `target`.
fn explicit(dir: &Path, target: &str) -> Vec<String> {
    let lock = dir.join("unilock.lock").display().to_string();
    let out = unilock(&[
        "export",
        "--lock",
        &lock,
        "--to",
        "conda-explicit",
        "--target",
        target,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .filter(|l| l.starts_with("file://"))
        .filter_map(|l| l.split('#').next()?.rsplit('/').next().map(str::to_string))
        .collect()
}

#[test]
fn a_pixi_manifest_of_conda_dependencies_resolves_into_the_lock() {
    let Some(numpy) = channel("conda-forge-mamba-numpy-subset") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = format!(
        "[workspace]\nname = \"demo\"\nchannels = [\"{numpy}\"]\nplatforms = [\"linux-64\"]\n\n[dependencies]\npython = \"3.12.*\"\nnumpy = {{ version = \">=1.26\", build = \"py312*\" }}\n"
    );
    let out = resolve(dir.path(), &manifest, &["linux-64"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lock = std::fs::read_to_string(dir.path().join("unilock.lock")).expect("lock");
    let numpy_entry = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"numpy\""))
        .expect("numpy is locked");
    for needle in [
        "ecosystem = \"conda\"",
        "version = \"1.26.4\"",
        "build = \"py312h",
        "pixi.toml:8:1\"]",
        "subdir = \"linux-64\"",
    ] {
        assert!(numpy_entry.contains(needle), "{needle} in {numpy_entry}");
    }
    assert!(lock.contains("name = \"python\"") && lock.contains("version = \"3.12."));
}

#[test]
fn target_tables_apply_on_their_platforms_only_and_system_requirements_are_noted() {
    let Some(py39) = channel("conda-forge-subchannel-py39") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = format!(
        r#"[workspace]
channels = ["{py39}"]
platforms = ["linux-64", "win-64"]

[dependencies]
python = "3.9.18.*"

[target.win-64.dependencies]
python = "3.9.9.*"

[target.unix.dependencies]
six = "*"

[system-requirements]
cuda = "12"
"#
    );
    let out = resolve(dir.path(), &manifest, &["linux-64", "win-64"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let linux = explicit(dir.path(), "linux-64");
    let windows = explicit(dir.path(), "win-64");
    let has = |builds: &[String], prefix: &str| builds.iter().any(|b| b.starts_with(prefix));
    // The general python spec on linux-64, the win-64 one (which replaces it) on win-64.
    assert!(has(&linux, "python-3.9.18-"), "{linux:?}");
    assert!(has(&windows, "python-3.9.9-"), "{windows:?}");
    // six is asked for on unix only.
    assert!(has(&linux, "six-"), "{linux:?}");
    assert!(!has(&windows, "six-"), "{windows:?}");
    // Neither target has the CUDA the manifest requires: said once per target, located.
    let err = stderr(&out);
    assert_eq!(
        err.matches("pixi.toml:15:9: the inputs require cuda 12 (system-requirements)")
            .count(),
        2,
        "{err}"
    );
    assert!(err.contains("add `,cuda=12` to the target"), "{err}");
}

#[test]
fn a_bad_pixi_manifest_is_refused_at_its_place_and_writes_no_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = resolve(
        dir.path(),
        "[workspace]\nchannels = [\"conda-forge\"]\nplatforms = [\"linux-64\"]\n\n[dependencies]\nnumpy = { version = \">=1.26\", bulid = \"py312*\" }\n",
        &["linux-64"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("pixi.toml:6:31: error: unknown key `bulid` in conda dependency `numpy`"),
        "{err}"
    );
    assert!(!dir.path().join("unilock.lock").exists());
}

#[test]
fn platform_specific_pypi_dependencies_apply_on_their_targets_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(
        dir.path(),
        "pixi.toml",
        r#"[workspace]
channels = ["conda-forge"]
platforms = ["linux-64", "win-64"]

[pypi-dependencies]
alpha = "*"
beta = "*"

[target.linux-64.pypi-dependencies]
beta = "<2"

[target.win.pypi-dependencies]
gamma = "*"
"#,
    );
    let targets = ["linux-64,python=3.12", "win-64,python=3.12"];
    let out = super::resolve(dir.path(), &input, &targets, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    // linux-64 takes its own beta spec, which replaces the general one there (beta 2.0
    // otherwise); gamma is for Windows only (where alpha needs beta 1.0 anyway).
    assert_eq!(
        super::pins(&super::export(dir.path(), targets[0])),
        ["alpha==1.0", "beta==1.0"]
    );
    assert_eq!(
        super::pins(&super::export(dir.path(), targets[1])),
        ["alpha==1.0", "beta==1.0", "gamma==1.0"]
    );
}

#[test]
fn a_pyproject_with_tool_pixi_resolves_against_its_channels() {
    let Some(numpy) = channel("conda-forge-mamba-numpy-subset") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let input = write(
        dir.path(),
        "pyproject.toml",
        &format!(
            "[project]\nname = \"demo\"\nversion = \"0.1\"\n\n[tool.pixi.workspace]\nchannels = [\"{numpy}\"]\nplatforms = [\"linux-64\"]\n\n[tool.pixi.dependencies]\npython = \"3.12.*\"\nnumpy = \"*\"\n"
        ),
    );
    let lock = dir.path().join("unilock.lock").display().to_string();
    let out = unilock(&["resolve", &input, "--target", "linux-64", "-o", &lock]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lock = std::fs::read_to_string(&lock).expect("lock");
    assert!(lock.contains("pyproject.toml:11:1\"]"), "{lock}");
    assert!(lock.contains("name = \"numpy\""), "{lock}");
}

#[test]
fn the_features_of_the_default_environment_are_resolved_without_asking() {
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = "[workspace]\nchannels = [\"conda-forge\"]\nplatforms = [\"linux-64\"]\n\n[pypi-dependencies]\nalpha = \"*\"\n\n[feature.extra.pypi-dependencies]\ngamma = \"*\"\n\n[feature.other.pypi-dependencies]\ndelta = \"*\"\n\n[environments]\ndefault = [\"extra\"]\nother = [\"other\"]\n";
    let input = write(dir.path(), "pixi.toml", manifest);
    let t = "linux-64,python=3.12";
    let out = super::resolve(dir.path(), &input, &[t], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pins = super::pins(&super::export(dir.path(), t));
    assert!(pins.contains(&"gamma==1.0".to_string()), "{pins:?}");
    assert!(!pins.iter().any(|p| p.starts_with("delta")), "{pins:?}");
}
