//! conda explicit files (CEP 23) on the real-world corpus: every file parses with every package
//! URL, survives the canonical writer unchanged, py-rattler reads what unilock writes as the
//! same packages, and the pinned environment.yml made from one pins exactly its builds.

use super::{python_with, real_texts, run_script};
use crate::{stderr, stdout, unilock};
use unilock_formats::conda_env;
use unilock_formats::conda_explicit::{self, ExplicitFile};
use unilock_model::document::PinnedPackage;

/// The explicit files of the corpus (conda-lock's `*.lock` and conda's `*.pin.txt`).
fn corpus() -> Vec<(String, String)> {
    real_texts("conda-lock")
        .into_iter()
        .filter(|(_, text)| text.lines().any(|l| l.trim() == "@EXPLICIT"))
        .collect()
}

fn parse(name: &str, text: &str) -> ExplicitFile {
    conda_explicit::parse(name, text).unwrap_or_else(|e| panic!("{}", e.render()))
}

#[test]
fn every_real_explicit_file_parses_with_every_url() {
    let files = corpus();
    if files.is_empty() {
        return; // real_texts said why
    }
    assert_eq!(files.len(), 5, "the corpus has 5 explicit files");
    for (name, text) in files {
        let file = parse(&name, &text);
        let urls = text.lines().filter(|l| l.starts_with("https://")).count();
        assert_eq!(file.packages.len(), urls, "{name}");
        assert_eq!(file.platform.as_deref(), Some("linux-64"), "{name}");
        for p in &file.packages {
            assert!(
                p.md5.is_some() && p.subdir.is_some() && p.channel.is_some(),
                "{name}: {p:?}"
            );
            assert!(
                p.url
                    .ends_with(&format!("{}-{}-{}.conda", p.name, p.version, p.build))
                    || p.url.ends_with(".tar.bz2"),
                "{name}: {p:?}"
            );
        }
    }
}

#[test]
fn parse_emit_parse_gives_the_same_document() {
    for (name, text) in corpus() {
        let file = parse(&name, &text);
        let emitted = conda_explicit::emit(&file);
        let again = parse(&name, &emitted);
        assert_eq!(
            again.to_document().without_origins(),
            file.to_document().without_origins(),
            "{name}"
        );
        assert_eq!(
            conda_explicit::emit(&again),
            emitted,
            "{name}: emit is not idempotent"
        );
        let (back, warnings) =
            ExplicitFile::from_document(&file.to_document(), None).expect("from_document");
        assert!(warnings.is_empty(), "{name}: {warnings:?}");
        assert_eq!(
            conda_explicit::emit(&back),
            emitted,
            "{name}: from_document"
        );
    }
}

#[test]
fn explicit_files_are_recognised_by_content_whatever_their_name() {
    let Some((name, _)) = corpus().into_iter().find(|(n, _)| n.ends_with(".pin.txt")) else {
        return;
    };
    let out = unilock(&["show", &name]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("format: conda-explicit\nplatforms: linux-64\npackages (153):\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn py_rattler_reads_our_files_as_the_same_packages() {
    let Some(python) = python_with("rattler") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let mut checked = 0;
    for (name, _) in corpus() {
        let path = dir.path().join("explicit.txt");
        let out = unilock(&[
            "convert",
            &name,
            "--to",
            "conda-explicit",
            "-o",
            path.to_str().expect("utf-8"),
        ]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let ours = parse(&name, &std::fs::read_to_string(&path).expect("read"));
        let seen = run_script(
            &python,
            "read_explicit_with_rattler.py",
            &[path.to_str().expect("utf-8")],
        );
        assert_eq!(
            seen["platform"].as_str(),
            ours.platform.as_deref(),
            "{name}"
        );
        let seen: Vec<(String, String, Option<String>, Option<String>)> = seen["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .map(|p| {
                let s = |k: &str| p[k].as_str().map(str::to_string);
                (
                    s("url").unwrap_or_default(),
                    s("name").unwrap_or_default(),
                    s("md5"),
                    s("sha256"),
                )
            })
            .collect();
        let expected: Vec<(String, String, Option<String>, Option<String>)> = ours
            .packages
            .iter()
            .map(|p| {
                (
                    p.url.clone(),
                    p.name.clone(),
                    p.md5.clone(),
                    p.sha256.clone(),
                )
            })
            .collect();
        assert_eq!(seen, expected, "{name}");
        checked += seen.len();
    }
    assert!(checked > 2000, "only {checked} packages checked");
}

#[test]
fn a_pinned_environment_made_from_an_explicit_file_pins_its_builds() {
    for (name, text) in corpus() {
        let doc = parse(&name, &text).to_document();
        let out = unilock(&["convert", &name, "--to", "conda-env"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let pinned = stdout(&out);
        let back = conda_env::parse_str(std::path::Path::new("pinned.yml"), &pinned)
            .unwrap_or_else(|e| panic!("{}\n{pinned}", e.render()))
            .document;
        let specs: Vec<String> = back
            .manifest
            .requirements
            .iter()
            .map(|r| r.requirement.to_string())
            .collect();
        // Sorted by name, as conda-lock renders an environment.
        let mut expected: Vec<String> = doc.packages.iter().map(exact_spec).collect();
        expected.sort();
        let mut specs = specs;
        specs.sort();
        assert_eq!(specs, expected, "{name}");
        let channels: Vec<&str> = back.channels.iter().map(|c| c.name.as_str()).collect();
        let mut expected: Vec<&str> = Vec::new();
        for channel in doc
            .packages
            .iter()
            .filter_map(|p| p.conda.as_ref()?.channel.as_deref())
        {
            if !expected.contains(&channel) {
                expected.push(channel);
            }
        }
        assert_eq!(channels, expected, "{name}");
    }
}

/// The MatchSpec `name=version=build` reads as.
fn exact_spec(p: &PinnedPackage) -> String {
    let build = p.conda.as_ref().map_or("", |c| c.build.as_str());
    let spec = format!("{}={}={build}", p.name, p.version.as_deref().unwrap_or(""));
    conda_env::parse_matchspec(&spec)
        .unwrap_or_else(|e| panic!("{spec}: {e}"))
        .to_string()
}

#[test]
fn conda_lock_reads_the_pinned_environment_as_exact_builds() {
    let Some(python) = python_with("conda_lock") else {
        return;
    };
    let Some((name, text)) = corpus().into_iter().next() else {
        return;
    };
    let doc = parse(&name, &text).to_document();
    let dir = tempfile::tempdir().expect("tempdir");
    let env = dir.path().join("environment.yml");
    let out = unilock(&[
        "convert",
        &name,
        "--to",
        "conda-env",
        "-o",
        env.to_str().expect("utf-8"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mapping = dir.path().join("mapping.json");
    std::fs::write(
        &mapping,
        r#"{"pip": {"conda_name": "pip", "conda_forge": "pip", "pypi_name": "pip"}}"#,
    )
    .expect("write");
    let seen = run_script(
        &python,
        "read_env_with_conda_lock.py",
        &[
            mapping.to_str().expect("utf-8"),
            "linux-64",
            env.to_str().expect("utf-8"),
        ],
    );
    let seen = &seen[0];
    assert_eq!(seen.get("error"), None, "{seen}");
    let mut got: Vec<(String, String, String)> = seen["dependencies"]["linux-64"]
        .as_array()
        .expect("dependencies")
        .iter()
        .map(|d| {
            let d: serde_json::Value =
                serde_json::from_str(d.as_str().unwrap_or("{}")).expect("JSON");
            let s = |k: &str| d[k].as_str().unwrap_or("").to_string();
            (s("name"), s("version"), s("build"))
        })
        .collect();
    let mut expected: Vec<(String, String, String)> = doc
        .packages
        .iter()
        .map(|p| {
            let build = p.conda.as_ref().map_or(String::new(), |c| c.build.clone());
            // Spelled as rattler writes conda versions, like the script does (`22.01.0` is
            // `22.1.0`).
            let spec = format!("x {}", p.version.as_deref().unwrap_or(""));
            let version = conda_env::parse_matchspec(&spec)
                .ok()
                .and_then(|m| m.version)
                .map(|v| v.to_string())
                .unwrap_or_default();
            (p.name.clone(), version, build)
        })
        .collect();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
}
