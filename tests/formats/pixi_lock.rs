//! pixi.lock end to end: every real version 6 and 7 file re-emits byte for byte, older ones
//! upgrade to what rattler writes, the model survives a round trip, conversions take one
//! environment on one platform, and py-rattler (installed by scripts/install-test-tools.sh)
//! reads what unilock writes with the same records.

use crate::{corpus, stderr, stdout, tool, unilock};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use unilock_formats::pixi_lock::{self, PixiLock};

/// The real pixi.lock files (the folder also holds their manifests).
fn real_locks() -> Vec<(String, String)> {
    super::real_texts("pixi-lock")
        .into_iter()
        .filter(|(path, _)| path.ends_with(".lock"))
        .collect()
}

fn read(path: &str, text: &str) -> PixiLock {
    pixi_lock::parse(path, text).unwrap_or_else(|e| panic!("{}", e.render()))
}

#[test]
fn every_real_version_6_and_7_lock_re_emits_byte_for_byte() {
    let files = real_locks();
    let (mut same, mut upgraded) = (0, 0);
    for (path, text) in &files {
        let lock = read(path, text);
        let emitted = pixi_lock::emit(&lock);
        if lock.version >= 6 {
            assert!(
                emitted == *text,
                "{path} (version {}) does not re-emit as written",
                lock.version
            );
            same += 1;
        } else {
            assert!(emitted.starts_with("version: 7\n"), "{path}");
            upgraded += 1;
        }
    }
    eprintln!(
        "{} pixi.lock files: {same} re-emitted as written, {upgraded} upgraded to version 7",
        files.len()
    );
    assert!(
        files.is_empty() || same >= 7,
        "only {same} version 6/7 files"
    );
}

#[test]
fn every_real_lock_keeps_its_model_through_a_round_trip() {
    for (path, text) in real_locks() {
        let lock = read(&path, &text);
        let emitted = pixi_lock::emit(&lock);
        let again = read(&path, &emitted);
        assert_eq!(lock.to_document(), again.to_document(), "{path}");
        assert_eq!(
            pixi_lock::emit(&again),
            emitted,
            "{path}: the canonical form is stable"
        );
        let doc = lock.to_document();
        assert!(!doc.packages.is_empty(), "{path}");
        for p in &doc.packages {
            assert!(
                !p.used_in.is_empty(),
                "{path}: {} is installed nowhere",
                p.name
            );
            for platforms in p.used_in.values() {
                assert!(
                    platforms.iter().all(|pl| doc.platforms.contains(pl)),
                    "{path}"
                );
            }
        }
    }
}

fn real(name: &str) -> Option<PathBuf> {
    super::shared(&format!("corpus/real/pixi-lock/{name}"))
}

#[test]
fn requirements_of_one_environment_on_one_platform() {
    let Some(lock) = real("Deltares__Ribasim__pixi.lock") else {
        return;
    };
    let lock = lock.to_str().expect("utf-8");
    let out = unilock(&["convert", lock, "--to", "requirements"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`linux-64`, `linux-aarch64`, `osx-arm64`, `win-64`"),
        "{}",
        stderr(&out)
    );
    let out = unilock(&[
        "convert",
        lock,
        "--to",
        "requirements",
        "--platform",
        "linux-64",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("--index-url https://index.example/simple\n\n"),
        "{text}"
    );
    assert!(text.contains("\n./python/ribasim\n"), "{text}");
    assert!(
        text.contains("juliacall==0.9.35 \\\n    --hash=sha256:"),
        "{text}"
    );
    assert!(
        !text.contains("python-magic-bin"),
        "a Windows-only package on linux-64:\n{text}"
    );
    let windows = unilock(&[
        "convert",
        lock,
        "--to",
        "requirements",
        "--target",
        "win-64",
    ]);
    assert!(
        stdout(&windows).contains("python-magic-bin==0.4.14"),
        "{}",
        stderr(&windows)
    );
    let out = unilock(&[
        "convert",
        lock,
        "--to",
        "requirements",
        "--platform",
        "linux-64",
        "--environment",
        "docs",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("expected one of `default`, `pandas2`, `py312`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn show_says_where_each_package_is_installed() {
    let fixture = corpus("fixtures/pixi-lock/v7-environments.pixi.lock");
    let out = unilock(&["show", fixture.to_str().expect("utf-8"), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let python = doc["packages"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["name"] == "python"))
        .expect("python");
    assert_eq!(
        python["used_in"],
        serde_json::json!({"default": ["linux-64"], "test": ["linux-64"]})
    );
    assert_eq!(python["conda"]["build"], "hab00c5b_1_cpython");
    assert_eq!(
        doc["platforms"],
        serde_json::json!(["linux-64", "osx-arm64"])
    );
}

/// What py-rattler makes of a lock: per environment and platform, every package's record.
const PY_RATTLER_READER: &str = r#"
import json, sys, rattler
lock = rattler.LockFile.from_path(sys.argv[1])
out = {}
for name, env in lock.environments():
    platforms = {}
    for platform, packages in env.packages_by_platform().items():
        records = []
        for p in packages:
            kind = type(p).__name__
            if kind == "CondaLockedBinaryPackage":
                records.append([kind, str(p.location), json.loads(p.package_record.to_json())])
            elif kind == "PypiLockedPackage":
                records.append([kind, str(p.location), p.name, str(p.version),
                                list(p.requires_dist), str(p.requires_python), str(p.hashes)])
            else:
                records.append([kind, str(p.location), p.name, str(p.version)])
        platforms[str(platform)] = sorted(records, key=lambda r: (r[0], r[1]))
    out[name] = platforms
print(json.dumps(out, sort_keys=True))
"#;

fn py_rattler_reads(python: &Path, file: &Path) -> Value {
    let out = Command::new(python)
        .arg("-c")
        .arg(PY_RATTLER_READER)
        .arg(file)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "py-rattler refused {}:\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from py-rattler")
}

/// Every real lock and fixture, converted by unilock, reads in py-rattler with the same records
/// as the original; files older than version 6 come out exactly as py-rattler rewrites them
/// (whose own upgrade is lossy: of the per-platform copies of a noarch build in a version 3
/// file, one survives, so those are compared with py-rattler's rewrite, not the original).
#[test]
fn py_rattler_reads_what_unilock_writes_with_the_same_records() {
    let Some(python) = tool("python") else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut inputs: Vec<PathBuf> = real_locks()
        .into_iter()
        .map(|(p, _)| PathBuf::from(p))
        .collect();
    for fixture in [
        "v7-environments.pixi.lock",
        "v6-shared-url.pixi.lock",
        "v5-kinds.pixi.lock",
        "v6-source-packages.pixi.lock",
        "v7-named-platforms.pixi.lock",
    ] {
        inputs.push(corpus(&format!("fixtures/pixi-lock/{fixture}")));
    }
    let mut checked = 0;
    for input in &inputs {
        let name = input.file_name().and_then(|n| n.to_str()).expect("name");
        let ours = dir.path().join(format!("unilock-{name}"));
        let out = unilock(&[
            "convert",
            input.to_str().expect("utf-8"),
            "--to",
            "pixi-lock",
            "-o",
            ours.to_str().expect("utf-8"),
        ]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let text = std::fs::read_to_string(input).expect("read");
        if read(name, &text).version >= 6 {
            assert_eq!(
                py_rattler_reads(&python, &ours),
                py_rattler_reads(&python, input),
                "{name}"
            );
        } else {
            let theirs = dir.path().join(format!("py-rattler-{name}"));
            let rewrite = Command::new(&python)
                .args(["-c", "import sys, rattler; rattler.LockFile.from_path(sys.argv[1]).to_path(sys.argv[2])"])
                .arg(input)
                .arg(&theirs)
                .output()
                .expect("run python");
            assert!(
                rewrite.status.success(),
                "{}",
                String::from_utf8_lossy(&rewrite.stderr)
            );
            assert_eq!(
                py_rattler_reads(&python, &ours),
                py_rattler_reads(&python, &theirs),
                "{name}"
            );
            let ours = std::fs::read_to_string(&ours).expect("ours");
            let theirs = std::fs::read_to_string(&theirs).expect("theirs");
            assert!(
                ours == theirs,
                "{name}: the upgrade differs from py-rattler's"
            );
        }
        checked += 1;
    }
    eprintln!("py-rattler read {checked} pixi.lock files unilock wrote");
}
