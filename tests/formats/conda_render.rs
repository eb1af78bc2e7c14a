//! One environment of a conda-lock.yml or pixi.lock, converted without solving to a conda
//! explicit file or a pinned environment.yml: conda-lock's own `render` (installed by
//! scripts/install-test-tools.sh) writes the same packages in the same order, and py-rattler
//! reads our explicit files of pixi.lock environments as the records the lock holds.

use crate::{corpus, stderr, tool, unilock};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// The lines of a file that are not comments or blank, with conda-lock's spaced `==` closed
/// up, without a `platforms:` block (conda-lock's rendered environments have none; ours name
/// the platform) and without the hash of a `name @ URL` pip line (conda-lock leaves it out;
/// unilock keeps it, so pip checks what it downloads).
fn body(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut in_platforms = false;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if line == "platforms:" {
            in_platforms = true;
            continue;
        }
        if in_platforms && line.starts_with("  - ") {
            continue;
        }
        in_platforms = false;
        // An empty list: conda-lock writes a null, unilock an empty list.
        let line = line
            .replace(" == ", "==")
            .replace("dependencies: []", "dependencies:");
        match line.split_once(" --hash=") {
            Some((requirement, _)) if requirement.contains(" @ ") => {
                lines.push(requirement.to_string())
            }
            _ => lines.push(line),
        }
    }
    lines
}

fn convert(input: &Path, to: &str, extra: &[&str], output: &Path) {
    let mut args = vec![
        "convert",
        input.to_str().expect("utf-8"),
        "--to",
        to,
        "-o",
        output.to_str().expect("utf-8"),
    ];
    args.extend_from_slice(extra);
    let out = unilock(&args);
    assert!(
        out.status.success(),
        "{} → {to} {extra:?}: {}",
        input.display(),
        stderr(&out)
    );
}

/// The platforms a conda-lock.yml lists under `metadata.platforms`.
fn lock_platforms(text: &str) -> Vec<String> {
    let lock = unilock_formats::conda_lock::parse("lock", text).expect("lock");
    lock.to_document().platforms
}

#[test]
fn conda_lock_renders_what_unilock_converts_line_for_line() {
    let Some(python) = tool("python") else { return };
    let conda_lock = python.with_file_name("conda-lock");
    let mut inputs: Vec<(String, String, &[&str], &[&str])> = super::real_texts("conda-lock")
        .into_iter()
        .filter(|(path, _)| path.ends_with(".yml"))
        .map(|(path, text)| (path, text, &[][..], &["--no-dev-dependencies"][..]))
        .collect();
    let fixture = corpus("fixtures/conda-lock/categories.conda-lock.yml");
    let fixture_text = std::fs::read_to_string(&fixture).expect("fixture");
    // A category is an environment holding the main packages too, as conda-lock renders it.
    inputs.push((
        fixture.display().to_string(),
        fixture_text.clone(),
        &["--environment", "dev"],
        &["--dev-dependencies"],
    ));
    inputs.push((
        fixture.display().to_string(),
        fixture_text,
        &[],
        &["--no-dev-dependencies"],
    ));
    let mut checked = 0;
    for (path, text, ours_args, render_args) in &inputs {
        let dir = tempfile::tempdir().expect("tempdir");
        let lock = dir.path().join("conda-lock.yml");
        std::fs::write(&lock, text).expect("write lock");
        let platforms = lock_platforms(text);
        let mut render = Command::new(&conda_lock);
        render
            .current_dir(dir.path())
            .args(["render", "--kind", "explicit", "--kind", "env"])
            .args(*render_args);
        for p in &platforms {
            render.args(["-p", p]);
        }
        let out = render.arg(&lock).output().expect("run conda-lock render");
        assert!(
            out.status.success(),
            "conda-lock render {path}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for platform in &platforms {
            let mut args = vec!["--platform", platform.as_str()];
            args.extend_from_slice(ours_args);
            let explicit = dir.path().join(format!("unilock-{platform}.txt"));
            convert(&lock, "conda-explicit", &args, &explicit);
            let env = dir.path().join(format!("unilock-{platform}.yml"));
            convert(&lock, "conda-env", &args, &env);
            let read = |p: &Path| std::fs::read_to_string(p).expect("read");
            let theirs = dir.path().join(format!("conda-{platform}.lock"));
            assert_eq!(
                body(&read(&explicit)),
                body(&read(&theirs)),
                "{path} {platform} {ours_args:?}: explicit file"
            );
            let theirs = dir.path().join(format!("conda-{platform}.lock.yml"));
            assert_eq!(
                body(&read(&env)),
                body(&read(&theirs)),
                "{path} {platform} {ours_args:?}: environment"
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} renders compared");
    eprintln!("conda-lock rendered {checked} platforms as unilock converts them");
}

const PIXI_RECORDS: &str = r#"
import json, sys, rattler
lock = rattler.LockFile.from_path(sys.argv[1])
env = lock.environment(sys.argv[2])
platform = [p for p in env.platforms() if p.name == sys.argv[3]][0]
records = env.conda_repodata_records_for_platform(platform) or []
print(json.dumps(sorted(
    [str(r.url), r.md5.hex() if r.md5 else None, r.sha256.hex() if r.sha256 else None]
    for r in records)))
"#;

fn py_rattler(python: &Path, args: &[&str]) -> Value {
    let out = Command::new(python)
        .args(args)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from py-rattler")
}

#[test]
fn py_rattler_reads_explicit_files_of_pixi_environments_as_the_locked_records() {
    let Some(python) = super::python_with("rattler") else {
        return;
    };
    let reader =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/read_explicit_with_rattler.py");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut checked = 0;
    for (path, text) in super::real_texts("pixi-lock") {
        if !path.ends_with(".lock") {
            continue;
        }
        let doc = unilock_formats::pixi_lock::parse(&path, &text)
            .expect("pixi.lock")
            .to_document();
        let input = Path::new(&path);
        let platforms: std::collections::BTreeSet<&String> = doc
            .packages
            .iter()
            .filter_map(|p| p.used_in.get("default"))
            .flatten()
            .collect();
        for platform in platforms {
            let locked = py_rattler(&python, &["-c", PIXI_RECORDS, &path, "default", platform]);
            let explicit = dir.path().join("explicit.txt");
            convert(
                input,
                "conda-explicit",
                &["--platform", platform],
                &explicit,
            );
            let seen = py_rattler(
                &python,
                &[
                    reader.to_str().expect("utf-8"),
                    explicit.to_str().expect("utf-8"),
                ],
            );
            assert_eq!(seen["platform"].as_str(), Some(platform.as_str()), "{path}");
            let packages = seen["packages"].as_array().expect("packages");
            let locked = locked.as_array().expect("records");
            assert_eq!(packages.len(), locked.len(), "{path} {platform}");
            let mut ours: Vec<(String, String)> = Vec::new();
            let mut expected: Vec<(String, String)> = Vec::new();
            for (p, r) in packages.iter().zip(locked) {
                // An explicit line carries one hash: the md5 when the lock has one.
                let hash = |v: &Value, md5: &str, sha: &str| {
                    v[md5]
                        .as_str()
                        .or(v[sha].as_str())
                        .unwrap_or("")
                        .to_string()
                };
                ours.push((
                    p["url"].as_str().unwrap_or("").into(),
                    hash(p, "md5", "sha256"),
                ));
                let r = |i: usize| r[i].as_str().unwrap_or("").to_string();
                let lock_hash = if r(1).is_empty() { r(2) } else { r(1) };
                expected.push((r(0), lock_hash));
            }
            ours.sort();
            assert_eq!(ours, expected, "{path} {platform}");
            checked += 1;
        }
    }
    eprintln!("py-rattler read {checked} explicit files of pixi.lock environments");
}
