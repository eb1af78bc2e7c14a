//! The joint solve end to end: environment.yml files whose conda specs and `pip:`
//! requirements are decided in one run, over `file://` conda channels and find-links
//! directories written by the tests (each wheel a stand-in file beside its PEP 658 metadata
//! file), and over the shared channel snapshots with the recorded index snapshot.
//!
//! The bridge: a conda build that installs a PyPI distribution provides it (conda-forge's
//! `pytorch` installs `torch`); a pip requirement on it is met by the conda package and
//! limits its version in the same run; a distribution never comes from both sides.

use super::write;
use crate::formats::shared;
use crate::{corpus, stderr, unilock};
use std::path::Path;

/// A conda record of the test channel: name, version, build, depends, subdir.
struct Rec<'a>(&'a str, &'a str, &'a str, &'a [&'a str], &'a str);

/// Writes a channel named `conda-forge` under `dir` holding `records`, and returns its URL.
fn channel(dir: &Path, records: &[Rec]) -> String {
    let root = dir.join("conda-forge");
    for subdir in ["linux-64", "noarch", "linux-aarch64"] {
        let mut packages = serde_json::Map::new();
        for (i, Rec(name, version, build, depends, sub)) in records.iter().enumerate() {
            if *sub != subdir {
                continue;
            }
            packages.insert(
                format!("{name}-{version}-{build}.conda"),
                serde_json::json!({
                    "name": name, "version": version, "build": build, "build_number": 0,
                    "depends": depends, "subdir": sub, "size": 1000 + i,
                    "md5": format!("{i:032x}"), "sha256": format!("{i:064x}"),
                    "timestamp": 1_700_000_000_000u64 + i as u64,
                }),
            );
        }
        let repodata = serde_json::json!({
            "info": {"subdir": subdir}, "packages": {}, "packages.conda": packages,
        });
        std::fs::create_dir_all(root.join(subdir)).expect("subdir");
        std::fs::write(
            root.join(subdir).join("repodata.json"),
            repodata.to_string(),
        )
        .expect("repodata");
    }
    format!("file://{}", root.display())
}

/// Writes a find-links directory under `dir` with one pure-Python wheel per (name, version,
/// requirements), each beside its metadata file, and returns its path.
fn wheels(dir: &Path, list: &[(&str, &str, &[&str])]) -> String {
    let root = dir.join("wheels");
    std::fs::create_dir_all(&root).expect("wheels");
    for (name, version, requires) in list {
        let file = root.join(format!("{name}-{version}-py3-none-any.whl"));
        std::fs::write(&file, format!("stand-in for {name} {version}")).expect("wheel");
        let mut metadata = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
        for r in *requires {
            metadata.push_str(&format!("Requires-Dist: {r}\n"));
        }
        std::fs::write(file.with_extension("whl.metadata"), metadata).expect("metadata");
    }
    root.display().to_string()
}

const PY: &[&str] = &[];
const NP312: &[&str] = &["python >=3.12,<3.13.0a0"];
const NP310: &[&str] = &["python >=3.10,<3.11.0a0"];

/// python 3.12 and 3.10; numpy 2.1.3 and 1.26.4 for both; conda-forge's pytorch (PyPI
/// `torch`) 2.5.1 (a cpu build, and a cuda build that needs `__cuda`) and 2.4.1; a library
/// whose newer build needs glibc 2.28.
fn base_channel(dir: &Path) -> String {
    channel(
        dir,
        &[
            Rec("python", "3.12.7", "h0", PY, "linux-64"),
            Rec("python", "3.10.15", "h0", PY, "linux-64"),
            Rec("numpy", "2.1.3", "py312h0", NP312, "linux-64"),
            Rec("numpy", "2.1.3", "py310h0", NP310, "linux-64"),
            Rec("numpy", "1.26.4", "py312h0", NP312, "linux-64"),
            Rec("numpy", "1.26.4", "py310h0", NP310, "linux-64"),
            Rec("pytorch", "2.5.1", "cpu_py312h0", NP312, "linux-64"),
            Rec(
                "pytorch",
                "2.5.1",
                "cuda126_py312h0",
                &["python >=3.12,<3.13.0a0", "__cuda >=12.6"],
                "linux-64",
            ),
            Rec("pytorch", "2.4.1", "cpu_py312h0", NP312, "linux-64"),
            Rec("libfast", "2.0", "h0", &["__glibc >=2.28"], "linux-64"),
            Rec("libfast", "1.0", "h0", PY, "linux-64"),
        ],
    )
}

struct Run {
    code: Option<i32>,
    err: String,
    lock: Option<String>,
}

fn run(dir: &Path, env: &str, links: &str, extra: &[&str]) -> Run {
    let input = write(dir, "environment.yml", env);
    let lock = dir.join("unilock.lock");
    let lock_arg = lock.display().to_string();
    let mut args = vec![
        "resolve",
        input.as_str(),
        "--no-index",
        "--find-links",
        links,
        "-o",
        lock_arg.as_str(),
    ];
    args.extend(extra);
    let out = unilock(&args);
    Run {
        code: out.status.code(),
        err: stderr(&out),
        lock: std::fs::read_to_string(&lock).ok(),
    }
}

/// `name version ecosystem` of every locked package, sorted.
fn pins(lock: &str) -> Vec<String> {
    let value = toml::Value::Table(toml::from_str(lock).expect("lock is TOML"));
    let mut out: Vec<String> = value["package"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            format!(
                "{} {} {}",
                p["name"].as_str().unwrap_or_default(),
                p["version"].as_str().unwrap_or_default(),
                p["ecosystem"].as_str().unwrap_or_default()
            )
        })
        .collect();
    out.sort();
    out
}

/// The locked entry of `name` as TOML.
fn entry(lock: &str, name: &str) -> toml::Value {
    let value = toml::Value::Table(toml::from_str(lock).expect("lock is TOML"));
    value["package"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"].as_str() == Some(name))
        .cloned()
        .unwrap_or_else(|| panic!("{name} is not locked: {lock}"))
}

fn env(channel: &str, conda: &[&str], pip: &[&str]) -> String {
    let mut text = format!("channels:\n  - {channel}\ndependencies:\n");
    for c in conda {
        text.push_str(&format!("  - {c}\n"));
    }
    if !pip.is_empty() {
        text.push_str("  - pip:\n");
        for p in pip {
            text.push_str(&format!("    - {p}\n"));
        }
    }
    text
}

#[test]
fn a_pip_requirement_pushes_the_conda_package_down_in_the_same_run() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cf = base_channel(dir.path());
    let links = wheels(
        dir.path(),
        &[("foo", "1.0", &["numpy<2"]), ("numpy", "2.2.0", &[])],
    );
    let r = run(
        dir.path(),
        &env(&cf, &["python=3.12", "numpy"], &["foo"]),
        &links,
        &["--target", "linux-64"],
    );
    assert_eq!(r.code, Some(0), "{}", r.err);
    let lock = r.lock.expect("lock");
    assert_eq!(
        pins(&lock),
        ["foo 1.0 pypi", "numpy 1.26.4 conda", "python 3.12.7 conda"]
    );
    let numpy = entry(&lock, "numpy");
    assert_eq!(numpy["conda"]["provides"].to_string(), r#"["numpy"]"#);
    let by: Vec<&str> = numpy["requested-by"]
        .as_array()
        .expect("requested-by")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert!(
        by.len() == 2 && by[0].ends_with("environment.yml:5:5") && by[1] == "pypi:foo",
        "{by:?}"
    );
    // The pinned environment.yml holds both parts, the PyPI one under `pip:` with hashes; the
    // requirements file only the PyPI part.
    let lock_path = dir.path().join("unilock.lock").display().to_string();
    let export = |to: &str| {
        let out = unilock(&["export", "--lock", &lock_path, "--to", to]);
        assert!(out.status.success(), "{to}: {}", stderr(&out));
        (crate::stdout(&out), stderr(&out))
    };
    let (pinned, _) = export("conda-env");
    for line in [
        "  - numpy=1.26.4=py312h0",
        "  - python=3.12.7=h0",
        "  - pip:",
        "    - foo==1.0 --hash=sha256:",
    ] {
        assert!(pinned.contains(line), "{line}: {pinned}");
    }
    assert!(!pinned.contains("numpy=="), "{pinned}");
    let (requirements, warned) = export("requirements");
    assert!(requirements.contains("foo==1.0"), "{requirements}");
    assert!(!requirements.contains("numpy"), "{requirements}");
    assert!(
        warned.contains("the 2 conda packages of target `linux-64` are left out"),
        "{warned}"
    );
}

#[test]
fn a_dependency_the_conda_side_installs_comes_from_conda_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cf = base_channel(dir.path());
    let links = wheels(
        dir.path(),
        &[("bar", "1.0", &["numpy>=1.20"]), ("numpy", "2.2.0", &[])],
    );
    let r = run(
        dir.path(),
        &env(&cf, &["python=3.12", "numpy"], &["bar"]),
        &links,
        &["--target", "linux-64"],
    );
    assert_eq!(r.code, Some(0), "{}", r.err);
    // The index's newer numpy is not installed beside conda's: conda's 2.1.3 meets `numpy>=1.20`.
    assert_eq!(
        pins(&r.lock.expect("lock")),
        ["bar 1.0 pypi", "numpy 2.1.3 conda", "python 3.12.7 conda"]
    );
}

#[test]
fn a_dependency_conda_does_not_install_comes_from_the_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cf = base_channel(dir.path());
    let links = wheels(
        dir.path(),
        &[("foo", "1.0", &["numpy<2"]), ("numpy", "1.26.0", &[])],
    );
    let r = run(
        dir.path(),
        &env(&cf, &["python=3.12"], &["foo"]),
        &links,
        &["--target", "linux-64"],
    );
    assert_eq!(r.code, Some(0), "{}", r.err);
    assert_eq!(
        pins(&r.lock.expect("lock")),
        ["foo 1.0 pypi", "numpy 1.26.0 pypi", "python 3.12.7 conda"]
    );
}

#[test]
fn a_distribution_never_comes_from_both_sides() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cf = base_channel(dir.path());
    let links = wheels(dir.path(), &[("numpy", "2.2.0", &[])]);
    // conda installs numpy; the pip section asks for a version only the index has.
    let r = run(
        dir.path(),
        &env(&cf, &["python=3.12", "numpy"], &["numpy==2.2.0"]),
        &links,
        &["--target", "linux-64"],
    );
    assert_eq!(r.code, Some(1), "{}", r.err);
    assert!(r.lock.is_none());
    for says in [
        "cannot be satisfied together on target linux-64",
        "conda numpy",
        "installs PyPI numpy",
        "environment.yml:7:7 asks for `numpy==2.2.0`",
    ] {
        assert!(r.err.contains(says), "{says}: {}", r.err);
    }
}

#[test]
fn a_conflict_across_the_ecosystems_is_explained_in_both_and_keeps_the_old_lock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cf = base_channel(dir.path());
    let links = wheels(dir.path(), &[("foo", "1.0", &["numpy<2"])]);
    let good = run(
        dir.path(),
        &env(&cf, &["python=3.12", "numpy"], &["foo"]),
        &links,
        &["--target", "linux-64"],
    );
    assert_eq!(good.code, Some(0), "{}", good.err);
    let r = run(
        dir.path(),
        &env(&cf, &["python=3.12", "numpy=2.1"], &["foo"]),
        &links,
        &["--target", "linux-64"],
    );
    assert_eq!(r.code, Some(1), "{}", r.err);
    for says in [
        "PyPI numpy 1.26.4 (conda package numpy) is conda numpy 1.26.4",
        "PyPI foo 1.0 depends on `numpy<2`",
        "PyPI foo 1.0 needs conda numpy 1.26.4",
        "environment.yml:5:5 asks for `numpy 2.1.*`",
    ] {
        assert!(r.err.contains(says), "{says}: {}", r.err);
    }
    assert_eq!(r.lock, good.lock, "the old lock stays as it was");
}

#[test]
fn a_conda_package_under_another_name_provides_its_distribution() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cf = base_channel(dir.path());
    let links = wheels(
        dir.path(),
        &[("vision", "1.0", &["torch<2.5"]), ("torch", "2.4.0", &[])],
    );
    let r = run(
        dir.path(),
        &env(&cf, &["python=3.12", "pytorch"], &["vision"]),
        &links,
        &["--target", "linux-64"],
    );
    assert_eq!(r.code, Some(0), "{}", r.err);
    let lock = r.lock.expect("lock");
    // conda-forge's pytorch installs PyPI torch: `torch<2.5` holds pytorch at 2.4.1, and no
    // torch wheel is locked.
    assert_eq!(
        pins(&lock),
        [
            "python 3.12.7 conda",
            "pytorch 2.4.1 conda",
            "vision 1.0 pypi"
        ]
    );
    assert_eq!(
        entry(&lock, "pytorch")["conda"]["provides"].to_string(),
        r#"["torch"]"#
    );
}

#[test]
fn a_cuda_target_takes_the_cuda_build_and_a_target_without_cuda_the_cpu_build() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cf = base_channel(dir.path());
    let links = wheels(dir.path(), &[("trainer", "1.0", &["torch>=2.5"])]);
    let input = env(&cf, &["python=3.12", "pytorch"], &["trainer"]);
    let build = |target: &str| {
        let r = run(dir.path(), &input, &links, &["--target", target]);
        assert_eq!(r.code, Some(0), "{target}: {}", r.err);
        let lock = r.lock.expect("lock");
        let pytorch = entry(&lock, "pytorch");
        assert_eq!(pytorch["version"].as_str(), Some("2.5.1"));
        pytorch["build"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(build("linux-64,cuda=12.8"), "cuda126_py312h0");
    assert_eq!(build("linux-64"), "cpu_py312h0");
}

#[test]
fn a_glibc_bound_target_keeps_the_build_its_glibc_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cf = base_channel(dir.path());
    let links = wheels(dir.path(), &[("foo", "1.0", &["numpy<2"])]);
    let input = env(&cf, &["python=3.12", "numpy", "libfast"], &["foo"]);
    let version = |target: &str, other: &str| {
        // --upgrade: the lock of the run before pins what it chose; --drop-target: it holds
        // the other target, which would otherwise be kept.
        let r = run(
            dir.path(),
            &input,
            &links,
            &["--target", target, "--upgrade", "--drop-target", other],
        );
        assert_eq!(r.code, Some(0), "{target}: {}", r.err);
        let lock = r.lock.expect("lock");
        entry(&lock, "libfast")["version"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(version("linux-64,glibc=2.17", "linux-64,glibc=2.28"), "1.0");
    assert_eq!(version("linux-64,glibc=2.28", "linux-64,glibc=2.17"), "2.0");
    // The Python the conda side chose does not make the target another one: the lock is up
    // to date for the target as asked.
    let r = run(
        dir.path(),
        &input,
        &links,
        &["--target", "linux-64,glibc=2.28", "--locked"],
    );
    assert_eq!(r.code, Some(0), "{}", r.err);
}

#[test]
fn the_python_the_conda_side_installs_decides_the_pip_markers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cf = base_channel(dir.path());
    let links = wheels(
        dir.path(),
        &[
            ("tool", "1.0", &["backport; python_version < \"3.11\""]),
            ("backport", "1.0", &[]),
        ],
    );
    let names = |python: &str| {
        let r = run(
            dir.path(),
            &env(&cf, &[python], &["tool"]),
            &links,
            &["--target", "linux-64"],
        );
        assert_eq!(r.code, Some(0), "{python}: {}", r.err);
        let lock = r.lock.expect("lock");
        let value = toml::Value::Table(toml::from_str(&lock).expect("lock is TOML"));
        assert_eq!(
            value["target"][0]["python"].as_str(),
            Some(&python["python=".len()..]),
            "the lock says which Python the conda side chose"
        );
        pins(&lock)
    };
    assert_eq!(
        names("python=3.10"),
        ["backport 1.0 pypi", "python 3.10.15 conda", "tool 1.0 pypi"]
    );
    assert_eq!(
        names("python=3.12"),
        ["python 3.12.7 conda", "tool 1.0 pypi"]
    );
}

#[test]
fn pip_requirements_without_a_conda_python_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cf = base_channel(dir.path());
    let links = wheels(dir.path(), &[("tool", "1.0", &[])]);
    let r = run(
        dir.path(),
        &env(&cf, &["libfast"], &["tool"]),
        &links,
        &["--target", "linux-64"],
    );
    assert_eq!(r.code, Some(2), "{}", r.err);
    assert!(
        r.err
            .contains("environment.yml:6:7: PyPI requirements need a Python"),
        "{}",
        r.err
    );
    assert!(r.lock.is_none());
}

#[test]
fn shared_channel_and_recorded_index_solve_together() {
    let Some(numpy) = shared("conda-channels/conda-forge-mamba-numpy-subset") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let index = format!("file://{}", corpus("index-snapshot/simple").display());
    let input = write(
        dir.path(),
        "environment.yml",
        &env(
            &format!("file://{}", numpy.display()),
            &["python=3.12", "numpy"],
            &["six"],
        ),
    );
    let lock = dir.path().join("unilock.lock").display().to_string();
    let out = unilock(&[
        "resolve",
        &input,
        "--index-url",
        &index,
        "--offline",
        "--target",
        "linux-64",
        "-o",
        &lock,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lock = std::fs::read_to_string(&lock).expect("lock");
    let pins = pins(&lock);
    assert!(
        pins.iter()
            .any(|p| p.starts_with("six ") && p.ends_with(" pypi")),
        "{pins:?}"
    );
    assert!(pins.contains(&"numpy 1.26.4 conda".to_string()), "{pins:?}");
    assert!(
        !pins
            .iter()
            .any(|p| p.starts_with("numpy ") && p.ends_with(" pypi"))
    );
}

#[test]
fn a_pixi_manifest_with_pypi_dependencies_solves_both_sides_together() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cf = base_channel(dir.path());
    let links = wheels(
        dir.path(),
        &[("foo", "1.0", &["numpy<2"]), ("numpy", "2.2.0", &[])],
    );
    let input = write(
        dir.path(),
        "pixi.toml",
        &format!(
            "[workspace]\nname = \"demo\"\nchannels = [\"{cf}\"]\nplatforms = [\"linux-64\"]\n\n\
             [dependencies]\npython = \"3.12.*\"\nnumpy = \"*\"\n\n[pypi-dependencies]\nfoo = \">=1\"\n"
        ),
    );
    let lock = dir.path().join("unilock.lock").display().to_string();
    let out = unilock(&[
        "resolve",
        &input,
        "--no-index",
        "--find-links",
        &links,
        "--target",
        "linux-64",
        "-o",
        &lock,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lock = std::fs::read_to_string(&lock).expect("lock");
    assert_eq!(
        pins(&lock),
        ["foo 1.0 pypi", "numpy 1.26.4 conda", "python 3.12.7 conda"]
    );
}

#[test]
fn consistent_holds_conda_and_pypi_packages_to_one_version_on_every_target() {
    let dir = tempfile::tempdir().expect("tempdir");
    // numpy 2.1.3 was built for linux-64 only; 1.26.4 for both subdirs.
    let cf = channel(
        dir.path(),
        &[
            Rec("python", "3.12.7", "h0", PY, "linux-64"),
            Rec("python", "3.12.7", "h1", PY, "linux-aarch64"),
            Rec("numpy", "2.1.3", "py312h0", NP312, "linux-64"),
            Rec("numpy", "1.26.4", "py312h0", NP312, "linux-64"),
            Rec("numpy", "1.26.4", "py312h1", NP312, "linux-aarch64"),
        ],
    );
    let links = wheels(
        dir.path(),
        &[("tool", "2.0", &["numpy>=2"]), ("tool", "1.0", &[])],
    );
    let input = env(&cf, &["python=3.12", "numpy"], &["tool"]);
    let targets = ["--target", "linux-64", "--target", "linux-aarch64"];
    let versions = |extra: &[&str]| {
        let mut args = targets.to_vec();
        args.extend(extra);
        args.push("--upgrade");
        let r = run(dir.path(), &input, &links, &args);
        assert_eq!(r.code, Some(0), "{}", r.err);
        let lock = r.lock.expect("lock");
        let value = toml::Value::Table(toml::from_str(&lock).expect("lock is TOML"));
        let mut out: Vec<String> = value["package"]
            .as_array()
            .expect("packages")
            .iter()
            .filter(|p| p["name"].as_str() != Some("python"))
            .map(|p| {
                format!(
                    "{} {} {}",
                    p["name"].as_str().unwrap_or_default(),
                    p["version"].as_str().unwrap_or_default(),
                    p["targets"]
                )
            })
            .collect();
        out.sort();
        out
    };
    // Alone, each target takes its newest: numpy 2.1.3 and tool 2.0 on linux-64 only.
    assert_eq!(
        versions(&[]),
        [
            r#"numpy 1.26.4 ["linux-aarch64"]"#,
            r#"numpy 2.1.3 ["linux-64"]"#,
            r#"tool 1.0 ["linux-aarch64"]"#,
            r#"tool 2.0 ["linux-64"]"#,
        ]
    );
    // --consistent: numpy 1.26.4 (a build per subdir) and tool 1.0 everywhere, in one run.
    assert_eq!(
        versions(&["--consistent"]),
        [
            r#"numpy 1.26.4 ["linux-64"]"#,
            r#"numpy 1.26.4 ["linux-aarch64"]"#,
            r#"tool 1.0 ["linux-64", "linux-aarch64"]"#,
        ]
    );
}

/// Without --consistent, a target whose conda specs cannot be met is left out of the lock and
/// named; the others are written. Conda specs alone and conda with pip: both.
#[test]
fn a_conda_target_with_no_resolution_is_left_out_and_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cf = base_channel(dir.path());
    let links = wheels(dir.path(), &[("foo", "1.0", &[])]);
    for pip in [&[][..], &["foo"]] {
        let input = env(&cf, &["python=3.12", "libfast>=2"], pip);
        let lock = dir.path().join("unilock.lock");
        let _ = std::fs::remove_file(&lock);
        let r = run(
            dir.path(),
            &input,
            &links,
            &[
                "--target",
                "linux-64,glibc=2.17",
                "--target",
                "linux-64,glibc=2.28",
            ],
        );
        assert_eq!(r.code, Some(1), "{pip:?}: {}", r.err);
        assert!(
            r.err
                .contains("target linux-64,glibc=2.17 has no resolution"),
            "{pip:?}: {}",
            r.err
        );
        assert!(
            r.err.contains(
                "the lock was written for the targets that resolve (linux-64,glibc=2.28)"
            ),
            "{}",
            r.err
        );
        let lock = r.lock.expect("the lock is written");
        assert!(!lock.contains("glibc=2.17"), "{lock}");
        assert_eq!(entry(&lock, "libfast")["version"].as_str(), Some("2.0"));
        // --consistent: the whole run fails, nothing is written.
        std::fs::remove_file(dir.path().join("unilock.lock")).expect("remove");
        let r = run(
            dir.path(),
            &input,
            &links,
            &[
                "--target",
                "linux-64,glibc=2.17",
                "--target",
                "linux-64,glibc=2.28",
                "--consistent",
            ],
        );
        assert_eq!(r.code, Some(1), "{}", r.err);
        assert!(r.lock.is_none());
    }
}
