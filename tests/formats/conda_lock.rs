//! conda-lock.yml end to end: every real file re-emits byte for byte and keeps its model,
//! conversions take one environment on one platform, and conda-lock itself (installed by
//! scripts/install-test-tools.sh) reads what unilock writes with the same packages.

use crate::{corpus, stderr, stdout, tool, unilock};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use unilock_formats::conda_lock::{self, CondaLock, Manager};

/// The real conda-lock.yml files (the folder also holds explicit files).
fn real_locks() -> Vec<(String, String)> {
    super::real_texts("conda-lock")
        .into_iter()
        .filter(|(path, _)| path.ends_with(".yml"))
        .collect()
}

fn read(path: &str, text: &str) -> CondaLock {
    conda_lock::parse(path, text).unwrap_or_else(|e| panic!("{}", e.render()))
}

#[test]
fn every_real_lock_re_emits_byte_for_byte() {
    let files = real_locks();
    eprintln!("{} conda-lock.yml files", files.len());
    for (path, text) in &files {
        let emitted = conda_lock::emit(&read(path, text));
        assert!(emitted == *text, "{path} does not re-emit as written");
    }
}

#[test]
fn every_real_lock_keeps_its_model_through_a_round_trip() {
    for (path, text) in real_locks() {
        let lock = read(&path, &text);
        let again = read(&path, &conda_lock::emit(&lock));
        let doc = lock.to_document();
        assert_eq!(doc, again.to_document(), "{path}");
        assert_eq!(doc.packages.len(), lock.packages.len(), "{path}");
        assert!(
            !doc.platforms.is_empty() && !doc.channels.is_empty(),
            "{path}"
        );
        for p in doc.packages.iter().filter(|p| p.conda.is_some()) {
            let record = p.conda.as_ref().expect("conda record");
            assert!(!record.build.is_empty(), "{path}: {} has no build", p.name);
            assert!(
                p.used_in.values().all(|platforms| platforms.len() == 1),
                "{path}"
            );
        }
    }
}

fn lock_path(name: &str) -> Option<std::path::PathBuf> {
    super::shared(&format!("corpus/real/conda-lock/{name}"))
}

#[test]
fn requirements_hold_the_pip_packages_with_their_hashes() {
    let Some(lock) = lock_path("01-ai__Yi__conda-lock.yml") else {
        return;
    };
    let out = unilock(&[
        "convert",
        lock.to_str().expect("utf-8"),
        "--to",
        "requirements",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "flash-attn==2.3.6 \\\n    --hash=sha256:4fc6c08714ee1c88178946465498677c59448429b43bd6244b222feb23ac9d4c\n\
         ninja==1.11.1.1 \\\n    --hash=sha256:84502ec98f02a037a169c4b0d5d86075eaf6afc55e1879003d6cab51ced2ea4b\n"
    );
    assert!(
        stderr(&out).contains("conda packages of environment `default` on linux-64 are left out")
    );
}

#[test]
fn a_lock_of_several_platforms_needs_one_chosen() {
    let Some(lock) = lock_path("Clay-foundation__model__conda-lock.yml") else {
        return;
    };
    let lock = lock.to_str().expect("utf-8");
    let out = unilock(&["convert", lock, "--to", "requirements"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`linux-64`, `osx-64`, `osx-arm64`"),
        "{}",
        stderr(&out)
    );
    for args in [["--platform", "osx-arm64"], ["--target", "osx-arm64"]] {
        let out = unilock(&["convert", lock, "--to", "requirements", args[0], args[1]]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("on osx-arm64 are left out"),
            "{}",
            stderr(&out)
        );
    }
    let out = unilock(&[
        "convert",
        lock,
        "--to",
        "requirements",
        "--platform",
        "win-64",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = unilock(&[
        "convert",
        lock,
        "--to",
        "requirements",
        "--platform",
        "osx-64",
        "--environment",
        "dev",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no environment `dev`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_category_is_an_environment_with_the_main_packages() {
    let fixture = corpus("fixtures/conda-lock/categories.conda-lock.yml");
    let fixture = fixture.to_str().expect("utf-8");
    let out = unilock(&["show", fixture, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let used = |name: &str| {
        doc["packages"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == name))
            .map(|p| p["used_in"].clone())
    };
    assert_eq!(
        used("python"),
        Some(json!({"default": ["linux-64"], "dev": ["linux-64"]}))
    );
    assert_eq!(used("pytest"), Some(json!({"dev": ["linux-64"]})));
    let out = unilock(&[
        "convert",
        fixture,
        "--to",
        "requirements",
        "--platform",
        "linux-64",
        "--environment",
        "dev",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("my-tool @ https://files.example/my_tool-1.0.0-py3-none-any.whl"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("2 conda packages"),
        "{}",
        stderr(&out)
    );
}

/// What conda-lock's own parser makes of a file: its packages (one per name, manager and
/// platform, with their categories), platforms and channels.
const CONDA_LOCK_READER: &str = r#"
import json, pathlib, sys
from conda_lock.lockfile import parse_conda_lock_file
lock = parse_conda_lock_file(pathlib.Path(sys.argv[1]))
packages = sorted(
    ([p.name, p.version, p.manager, p.platform, p.url, p.hash.md5, p.hash.sha256,
      sorted(p.categories), dict(sorted(p.dependencies.items()))] for p in lock.package),
    key=lambda p: (p[0], p[2], p[3]))
print(json.dumps({"packages": packages, "platforms": lock.metadata.platforms,
                  "channels": [c.url for c in lock.metadata.channels]}))
"#;

/// The same, from unilock's model of the file.
fn as_conda_lock_reads_it(lock: &CondaLock) -> Value {
    let mut grouped: Vec<(
        String,
        Manager,
        String,
        Vec<String>,
        &conda_lock::LockedPackage,
    )> = Vec::new();
    for p in &lock.packages {
        match grouped
            .iter_mut()
            .find(|g| g.0 == p.name && g.1 == p.manager && g.2 == p.platform)
        {
            Some(g) => g.3.push(p.category.clone()),
            None => grouped.push((
                p.name.clone(),
                p.manager,
                p.platform.clone(),
                vec![p.category.clone()],
                p,
            )),
        }
    }
    grouped.sort_by(|a, b| (&a.0, a.1.as_str(), &a.2).cmp(&(&b.0, b.1.as_str(), &b.2)));
    let packages: Vec<Value> = grouped
        .into_iter()
        .map(|(_, _, _, mut categories, p)| {
            categories.sort();
            let deps: std::collections::BTreeMap<&str, &str> = p
                .dependencies
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            json!([
                p.name,
                p.version,
                p.manager.as_str(),
                p.platform,
                p.url,
                p.md5,
                p.sha256,
                categories,
                deps
            ])
        })
        .collect();
    json!({
        "packages": packages,
        "platforms": lock.metadata.platforms,
        "channels": lock.metadata.channels.iter().map(|c| c.url.clone()).collect::<Vec<_>>(),
    })
}

fn conda_lock_reads(python: &Path, file: &Path) -> Value {
    let out = Command::new(python)
        .arg("-c")
        .arg(CONDA_LOCK_READER)
        .arg(file)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "conda-lock refused {}:\n{}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from conda-lock")
}

#[test]
fn conda_lock_reads_what_unilock_writes_with_the_same_packages() {
    let Some(python) = tool("python") else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    let fixture = std::fs::read_to_string(corpus("fixtures/conda-lock/categories.conda-lock.yml"))
        .expect("fixture");
    let mut inputs = vec![
        ("categories.conda-lock.yml".to_string(), fixture.clone()),
        // The older layout without `version`: written with one, which conda-lock needs.
        (
            "unversioned.conda-lock.yml".to_string(),
            fixture.replace("version: 1\n", ""),
        ),
    ];
    for (path, text) in real_locks() {
        let name = Path::new(&path)
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name");
        inputs.push((name.to_string(), text));
    }
    for (name, text) in &inputs {
        let input = dir.path().join(format!("in-{name}"));
        std::fs::write(&input, text).expect("write input");
        let output = dir.path().join(format!("out-{name}"));
        let out = unilock(&[
            "convert",
            input.to_str().expect("utf-8"),
            "--to",
            "conda-lock",
            "-o",
            output.to_str().expect("utf-8"),
        ]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let ours = read(name, text);
        assert_eq!(
            conda_lock_reads(&python, &output),
            as_conda_lock_reads_it(&ours),
            "{name}"
        );
    }
}

/// Strings PyYAML quotes, folds or escapes in its own ways.
fn tricky_strings() -> Vec<String> {
    let mut strings: Vec<String> = [
        "0.1",
        "2_6_7",
        "1e5",
        "1_000",
        "0x1F",
        "0o17",
        "+1",
        ".5",
        ".inf",
        "yes",
        "No",
        "on",
        "null",
        "~",
        "",
        " lead",
        "trail ",
        "a: b",
        "a:b",
        "#x",
        "x #y",
        "x#y",
        "- x",
        "-x",
        "? x",
        "@x",
        "%x",
        "`x",
        "!x",
        "&x",
        "*x",
        "|x",
        ">x",
        "'q'",
        "\"dq\"",
        "it's",
        "---",
        "...",
        "2024-01-02",
        "2024-1-2 10:11:12",
        "=",
        "<<",
        "José",
        "tab\there",
        "a\nb",
        "a\n b",
        "a \nb",
        "\nlead",
        "trail\n",
        "line\u{2028}sep",
        "nbsp\u{a0}x",
        "emoji 😀",
        "bell\u{7}",
        ">=1.2,<2",
        "3.12.* *_cp312",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Keys around the length where PyYAML stops writing them as simple keys.
    strings.extend((110..=126).map(|n| "x".repeat(n)));
    let words = [
        "word",
        "x",
        "longerword",
        "a:b",
        "#",
        "é",
        "  ",
        "'",
        "\"",
        "-",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for n in 0..120 {
        let mut s = String::new();
        for _ in 0..(n % 40 + 1) {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            s.push_str(words[(seed >> 33) as usize % words.len()]);
            s.push(if seed & 1 == 0 { ' ' } else { '_' });
        }
        strings.push(s);
    }
    strings
}

/// A YAML double-quoted scalar with every character outside printable ASCII escaped, so both
/// YAML readers see the same string.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            c if (c as u32) <= 0xFFFF => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// unilock writes conda-lock.yml exactly as PyYAML does, for values PyYAML treats specially.
#[test]
fn strings_are_written_exactly_as_pyyaml_writes_them() {
    let Some(python) = tool("python") else { return };
    let custom: Vec<String> = tricky_strings()
        .iter()
        .enumerate()
        .map(|(i, s)| format!("{}: {}", quoted(&format!("k{i} {s}")), quoted(s)))
        .collect();
    let text = format!(
        "version: 1\nmetadata:\n  content_hash: {{}}\n  channels: []\n  platforms: []\n  sources: []\n  custom_metadata: {{{}}}\npackage: []\n",
        custom.join(", ")
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("tricky.conda-lock.yml");
    std::fs::write(&input, &text).expect("write");
    let out = unilock(&[
        "convert",
        input.to_str().expect("utf-8"),
        "--to",
        "conda-lock",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pyyaml = Command::new(&python)
        .arg("-c")
        .arg("import sys, yaml; sys.stdout.write(yaml.dump(yaml.safe_load(open(sys.argv[1])), sort_keys=False))")
        .arg(&input)
        .output()
        .expect("run python");
    assert!(
        pyyaml.status.success(),
        "{}",
        String::from_utf8_lossy(&pyyaml.stderr)
    );
    let expected = String::from_utf8_lossy(&pyyaml.stdout);
    let ours = stdout(&out);
    for (n, (a, b)) in ours.lines().zip(expected.lines()).enumerate() {
        assert_eq!(a, b, "line {} differs from PyYAML", n + 1);
    }
    assert_eq!(ours, expected);
}
