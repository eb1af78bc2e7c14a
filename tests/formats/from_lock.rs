//! conda-lock.yml and pixi.lock written from unilock's own lock (`conda_lock::from_lock`,
//! `pixi_lock::from_lock`), checked by the tools that own the formats: a lock resolved over
//! the shared conda-forge snapshot for three platforms, with a `pip:` section met from a
//! find-links directory, is written in each format; conda-lock renders every platform of the
//! conda-lock.yml into an explicit file listing exactly the lock's builds and wheels, and
//! py-rattler reads the pixi.lock back record for record.

use super::{python_with, shared};
use crate::{stderr, stdout, tool, unilock};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use unilock_model::Lock;
use unilock_model::lock::ArtifactKind;

const TARGETS: [&str; 3] = ["linux-64", "osx-arm64", "win-64"];

/// Resolves python 3.9 and pip from the shared conda-forge snapshot with a pip requirement
/// (`tinyx`, which needs `attrs`) from a find-links directory, for [`TARGETS`]; `None` when
/// the snapshot is missing (outside CI).
fn joint_lock(dir: &Path) -> Option<Lock> {
    let channel = shared("conda-channels/conda-forge-subchannel-py39")?;
    let wheels = dir.join("wheels");
    std::fs::create_dir_all(&wheels).expect("wheels");
    for (name, version, requires) in [("attrs", "23.2.0", ""), ("tinyx", "1.0", "attrs>=22")] {
        let file = wheels.join(format!("{name}-{version}-py3-none-any.whl"));
        std::fs::write(&file, format!("stand-in for {name} {version}")).expect("wheel");
        let mut metadata = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
        if !requires.is_empty() {
            metadata.push_str(&format!("Requires-Dist: {requires}\n"));
        }
        std::fs::write(file.with_extension("whl.metadata"), metadata).expect("metadata");
    }
    let env = dir.join("environment.yml");
    std::fs::write(
        &env,
        format!(
            "channels:\n  - file://{}\ndependencies:\n  - python=3.9\n  - pip\n  - pip:\n    - tinyx\n",
            channel.display()
        ),
    )
    .expect("environment.yml");
    let lock_path = dir.join("unilock.lock");
    let mut args = vec![
        "resolve".to_string(),
        env.display().to_string(),
        "--no-index".into(),
        "--find-links".into(),
        wheels.display().to_string(),
        "-o".into(),
        lock_path.display().to_string(),
    ];
    for t in TARGETS {
        args.extend(["--target".to_string(), t.to_string()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = unilock(&args);
    assert!(out.status.success(), "resolve: {}", stderr(&out));
    let text = std::fs::read_to_string(&lock_path).expect("lock");
    Some(Lock::from_toml(&text, "unilock.lock").expect("the lock reads back"))
}

/// The URL of every file the lock installs on `target`.
fn lock_urls(lock: &Lock, target: &str) -> BTreeSet<String> {
    lock.packages
        .iter()
        .filter(|p| p.targets.iter().any(|t| t == target))
        .map(|p| {
            let a = p
                .artifacts
                .iter()
                .find(|a| a.targets.is_empty() || a.targets.iter().any(|t| t == target))
                .expect("an artifact");
            a.url.clone()
        })
        .collect()
}

#[test]
fn conda_lock_renders_every_platform_as_exactly_the_builds_and_wheels_of_the_lock() {
    let Some(python) = tool("python") else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(lock) = joint_lock(dir.path()) else {
        return;
    };
    assert!(lock.packages.iter().any(|p| p.name == "tinyx"));
    let (text, warnings) =
        unilock_formats::conda_lock::from_lock(&lock, &[]).expect("conda-lock.yml");
    assert!(warnings.is_empty(), "{warnings:?}");
    // Our own reader takes it, as one platform per target.
    let parsed = unilock_formats::conda_lock::parse("conda-lock.yml", &text).expect("reads back");
    assert_eq!(parsed.metadata.platforms, TARGETS);
    let file = dir.path().join("conda-lock.yml");
    std::fs::write(&file, &text).expect("write");
    let mut render = Command::new(python.with_file_name("conda-lock"));
    render
        .current_dir(dir.path())
        .args(["render", "--kind", "explicit"]);
    for t in TARGETS {
        render.args(["-p", t]);
    }
    let out = render.arg(&file).output().expect("run conda-lock render");
    assert!(
        out.status.success(),
        "conda-lock render: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    for t in TARGETS {
        let explicit = std::fs::read_to_string(dir.path().join(format!("conda-{t}.lock")))
            .unwrap_or_else(|e| panic!("conda-lock wrote no explicit file for {t}: {e}"));
        let mut rendered = BTreeSet::new();
        for line in explicit.lines() {
            if let Some(pip) = line.strip_prefix("# pip ") {
                // `# pip name @ URL#sha256=…`: the wheel, with the hash the lock holds.
                let (_, url) = pip.split_once(" @ ").expect("a pip line names a URL");
                let (url, hash) = url.split_once("#sha256=").expect("with its sha256");
                assert_eq!(hash.len(), 64, "{line}");
                rendered.insert(url.to_string());
            } else if !line.starts_with('#') && !line.trim().is_empty() && line != "@EXPLICIT" {
                // A conda build by URL with its md5 (`URL#md5`).
                let (url, md5) = line.split_once('#').expect("a build with its hash");
                assert_eq!(md5.len(), 32, "{line}");
                rendered.insert(url.to_string());
            }
        }
        assert_eq!(rendered, lock_urls(&lock, t), "{t}:\n{explicit}");
        let wheels = lock
            .packages
            .iter()
            .filter(|p| p.artifacts.iter().any(|a| a.kind == ArtifactKind::Wheel))
            .count();
        assert_eq!(explicit.matches("# pip ").count(), wheels, "{explicit}");
    }
}

#[test]
fn conda_lock_export_of_a_target_the_lock_lacks_or_of_two_targets_of_one_platform_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(mut lock) = joint_lock(dir.path()) else {
        return;
    };
    let err = unilock_formats::conda_lock::from_lock(&lock, &["linux-aarch64".into()])
        .expect_err("not in the lock");
    assert_eq!(err.kind().exit_code(), 2);
    assert!(
        err.render().contains("linux-64, osx-arm64, win-64"),
        "{}",
        err.render()
    );
    // A second linux-64 target (with a CUDA driver) cannot be a second conda-lock platform.
    let mut cuda = lock.targets[0].clone();
    cuda.name = "linux-64,cuda=12.0".into();
    lock.targets.push(cuda);
    let err = unilock_formats::conda_lock::from_lock(&lock, &[]).expect_err("one subdir");
    assert_eq!(err.kind().exit_code(), 2);
    assert!(
        err.message()
            .contains("`linux-64` and `linux-64,cuda=12.0`"),
        "{}",
        err.render()
    );
    // Either of them alone is fine.
    let (text, _) = unilock_formats::conda_lock::from_lock(&lock, &["linux-64,cuda=12.0".into()])
        .expect("one target");
    assert!(text.contains("platforms:\n  - linux-64\n"), "{text}");
}

/// What py-rattler reads of a pixi.lock: per platform of the default environment, its
/// subdir, virtual packages and every record (`conda name version build url md5 sha256`,
/// `pypi name version url sha256`), sorted.
const RATTLER_READ: &str = r#"
import json, sys, rattler
env = rattler.LockFile.from_path(sys.argv[1]).default_environment()
out = {}
for p in env.platforms():
    records = []
    for r in env.conda_repodata_records_for_platform(p) or []:
        records.append(f"conda {r.name.normalized} {r.version} {r.build} {r.url} {r.md5.hex()} {r.sha256.hex()}")
    for q in env.pypi_packages_for_platform(p) or []:
        sha = q.hashes.sha256.hex() if q.hashes and q.hashes.sha256 else None
        # rattler reports a file:// URL as the path it names.
        loc = str(q.location)
        loc = "file://" + loc if loc.startswith("/") else loc
        records.append(f"pypi {q.name} {q.version} {loc} {sha}")
    out[p.name] = {"subdir": str(p.subdir), "virtual_packages": list(p.virtual_packages), "records": sorted(records)}
print(json.dumps(out))
"#;

/// The same from the lock, for `target`.
fn lock_records(lock: &Lock, target: &str) -> Vec<String> {
    let hex = |h: &Option<String>| {
        h.as_deref()
            .and_then(|h| h.split_once(':'))
            .map(|(_, x)| x.to_string())
    };
    let mut out: Vec<String> = lock
        .packages
        .iter()
        .filter(|p| p.targets.iter().any(|t| t == target))
        .map(|p| {
            let a = p
                .artifacts
                .iter()
                .find(|a| a.targets.is_empty() || a.targets.iter().any(|t| t == target))
                .expect("an artifact");
            match p.ecosystem {
                unilock_model::Ecosystem::Conda => format!(
                    "conda {} {} {} {} {} {}",
                    p.name,
                    p.version,
                    p.build.as_deref().unwrap_or(""),
                    a.url,
                    hex(&a.md5).unwrap_or_default(),
                    hex(&a.hash).unwrap_or_default()
                ),
                unilock_model::Ecosystem::Pypi => format!(
                    "pypi {} {} {} {}",
                    p.name,
                    p.version,
                    a.url,
                    hex(&a.hash).unwrap_or_default()
                ),
            }
        })
        .collect();
    out.sort();
    out
}

#[test]
fn py_rattler_reads_the_pixi_lock_back_record_for_record_on_every_platform() {
    let Some(python) = python_with("rattler") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(mut lock) = joint_lock(dir.path()) else {
        return;
    };
    // A second linux-64 machine, with a CUDA driver: a named platform of its own.
    let mut cuda = lock
        .targets
        .iter()
        .find(|t| t.name == "linux-64")
        .expect("linux-64")
        .clone();
    cuda.name = "linux-64,cuda=12.0".into();
    cuda.virtual_packages.push("__cuda=12.0=0".into());
    for p in &mut lock.packages {
        if p.targets.iter().any(|t| t == "linux-64") {
            p.targets.push(cuda.name.clone());
        }
    }
    lock.targets.push(cuda.clone());
    let (text, warnings) = unilock_formats::pixi_lock::from_lock(&lock, &[]).expect("pixi.lock");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(text.starts_with("version: 7\nplatforms:\n"), "{text}");
    // Our own reader takes it and writes it back byte for byte.
    let parsed = unilock_formats::pixi_lock::parse("pixi.lock", &text).expect("reads back");
    assert_eq!(unilock_formats::pixi_lock::emit(&parsed), text);
    let file = dir.path().join("pixi.lock");
    std::fs::write(&file, &text).expect("write");
    let out = Command::new(&python)
        .args(["-c", RATTLER_READ])
        .arg(&file)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "py-rattler: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let platforms = read.as_object().expect("platforms");
    assert_eq!(platforms.len(), lock.targets.len(), "{read}");
    for (target, platform) in [
        ("linux-64", "linux-64"),
        ("osx-arm64", "osx-arm64"),
        ("win-64", "win-64"),
        ("linux-64,cuda=12.0", "linux-64-cuda-12-0"),
    ] {
        let got = &read[platform];
        let locked = lock
            .targets
            .iter()
            .find(|t| t.name == target)
            .expect("target");
        assert_eq!(got["subdir"], locked.conda_subdir.as_str(), "{platform}");
        let vps: Vec<String> =
            serde_json::from_value(got["virtual_packages"].clone()).expect("vps");
        assert_eq!(vps, locked.virtual_packages, "{platform}");
        let records: Vec<String> = serde_json::from_value(got["records"].clone()).expect("records");
        assert_eq!(records, lock_records(&lock, target), "{platform}");
    }
    // The named platform maps back to a target with the CUDA driver.
    let named = parsed
        .platforms
        .iter()
        .find(|p| p.name == "linux-64-cuda-12-0")
        .expect("named platform");
    assert!(named.target().contains("cuda=12.0"), "{}", named.target());
}

/// `name version ecosystem build` of every package `unilock show --json` prints of `file`.
fn shown(file: &Path) -> BTreeSet<String> {
    let out = unilock(&["show", file.to_str().expect("utf-8"), "--json"]);
    assert!(
        out.status.success(),
        "show {}: {}",
        file.display(),
        stderr(&out)
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    doc["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {}",
                p["ecosystem"].as_str().unwrap_or_default(),
                p["name"].as_str().unwrap_or_default(),
                p["version"].as_str().unwrap_or_default(),
                p["conda"]["build"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn lock_to_pixi_lock_to_show_gives_the_lock_s_package_set() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(lock) = joint_lock(dir.path()) else {
        return;
    };
    let (text, _) = unilock_formats::pixi_lock::from_lock(&lock, &[]).expect("pixi.lock");
    let file = dir.path().join("pixi.lock");
    std::fs::write(&file, &text).expect("write");
    let from_pixi = shown(&file);
    let from_lock = shown(&dir.path().join("unilock.lock"));
    assert_eq!(from_pixi, from_lock);
    assert!(
        from_pixi.iter().any(|p| p.starts_with("pypi tinyx 1.0")),
        "{from_pixi:?}"
    );
    assert!(
        from_pixi.iter().any(|p| p.starts_with("conda python 3.9")),
        "{from_pixi:?}"
    );
}
