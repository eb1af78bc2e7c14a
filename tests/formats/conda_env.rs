//! environment.yml (CEP 24) on the real-world corpus and the project's fixtures: every file
//! parses, survives the canonical writer unchanged, and what unilock writes is read by
//! conda-lock (whose parser reads MatchSpecs with conda's own MatchSpec class) and py-rattler
//! exactly as the original is.

use super::{python_with, real_files, run_script};
use crate::{corpus, stderr, stdout, unilock};
use std::path::{Path, PathBuf};
use unilock_formats::conda_env;
use unilock_formats::{FsLoader, requirements::Context};
use unilock_model::{Document, Ecosystem};

fn ctx() -> Context<'static> {
    Context {
        loader: &FsLoader,
        env: &|_| None,
        cwd: None,
        hash_file: None,
    }
}

fn read(path: &Path, text: &str) -> conda_env::Read {
    conda_env::parse(path, text, &ctx()).unwrap_or_else(|e| panic!("{}", e.render()))
}

fn files() -> Vec<(PathBuf, String)> {
    let mut files = real_files("environment-yml");
    files.push(corpus("fixtures/conda-env/selectors.yml"));
    files.push(corpus("fixtures/conda-env/includes/environment.yml"));
    files
        .into_iter()
        .map(|p| {
            let text =
                std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p, text)
        })
        .collect()
}

/// The document read back from what the canonical writer makes of `doc`, written beside the
/// original (so that relative includes and paths resolve the same).
fn emitted(path: &Path, doc: &Document) -> (String, Document) {
    let text =
        conda_env::emit(doc).unwrap_or_else(|e| panic!("{}: {}", path.display(), e.render()));
    let again = read(path, &text).document;
    (text, again)
}

#[test]
fn every_real_environment_file_parses() {
    let real = real_files("environment-yml");
    if real.is_empty() {
        return; // real_files said why
    }
    assert_eq!(real.len(), 31, "the corpus has 31 environment.yml files");
    let mut conda = 0;
    let mut pypi = 0;
    for (path, text) in files() {
        let doc = read(&path, &text).document;
        assert!(!doc.manifest.requirements.is_empty(), "{}", path.display());
        for r in &doc.manifest.requirements {
            let origin = r.origin.as_ref().expect("origin");
            let line = text.lines().nth(origin.line as usize - 1).unwrap_or("");
            if origin.file == path.display().to_string()
                && r.requirement.ecosystem() == Ecosystem::Conda
            {
                let name = r
                    .requirement
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default();
                assert!(
                    line.to_lowercase().contains(&name),
                    "{}: `{line}` is not `{name}`",
                    path.display()
                );
            }
        }
        conda += doc.manifest.of(Ecosystem::Conda).count();
        pypi += doc.manifest.of(Ecosystem::Pypi).count();
    }
    // The 31 real files and the two fixtures.
    assert_eq!((conda, pypi), (666, 121), "conda and pip requirements");
}

#[test]
fn parse_emit_parse_gives_the_same_document() {
    for (path, text) in files() {
        let doc = read(&path, &text).document;
        let (emitted, again) = emitted(&path, &doc);
        assert_eq!(
            again.without_origins(),
            doc.without_origins(),
            "{}:\n{emitted}",
            path.display()
        );
        let twice = conda_env::emit(&again).expect("emit");
        assert_eq!(twice, emitted, "{}: emit is not idempotent", path.display());
    }
}

#[test]
fn the_cli_converts_shows_and_warns() {
    let path = corpus("fixtures/conda-env/includes/environment.yml");
    let file = path.to_str().expect("utf-8");
    let out = unilock(&["show", file]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = stdout(&out);
    assert!(
        shown.starts_with("format: conda-env\nproject: includes\n"),
        "{shown}"
    );
    assert!(
        shown.contains("index (extra): https://extra.example/simple\n"),
        "{shown}"
    );
    assert!(shown.contains("requirements/base.txt:2:1)"), "{shown}");
    let warnings = stderr(&out);
    assert!(
        warnings.contains(&format!(
            "warning: {file}:9:5: `numpy` is listed twice (first on line 8)"
        )),
        "{warnings}"
    );
    assert!(
        warnings.contains(&format!("warning: {file}:15:1: `prefix` is not kept")),
        "{warnings}"
    );
    let out = unilock(&["convert", file, "--to", "conda-env"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&path).expect("read");
    let expected = conda_env::emit(&read(&path, &text).document).expect("emit");
    assert_eq!(stdout(&out), expected);
    assert!(stderr(&out).contains("listed twice"), "{}", stderr(&out));
    let out = unilock(&["convert", file, "--to", "conda-explicit"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("pins nothing"), "{}", stderr(&out));
}

/// The PyPI-to-conda name mapping conda-lock looks `pip` up in, as a local file.
fn mapping(dir: &Path) -> PathBuf {
    let path = dir.join("mapping.json");
    std::fs::write(
        &path,
        r#"{"pip": {"conda_name": "pip", "conda_forge": "pip", "pypi_name": "pip"}}"#,
    )
    .expect("write mapping");
    path
}

#[test]
fn conda_lock_and_rattler_read_our_files_as_the_originals() {
    let Some(python) = python_with("conda_lock") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let mapping = mapping(dir.path());
    let files = files();
    let mut args = vec![
        mapping.to_str().expect("utf-8").to_string(),
        "linux-64,osx-arm64,win-64".to_string(),
    ];
    let mut docs = Vec::new();
    for (i, (path, text)) in files.iter().enumerate() {
        let doc = read(path, text).document;
        let copy = dir.path().join(format!("{i}.yml"));
        std::fs::write(&copy, conda_env::emit(&doc).expect("emit")).expect("write");
        args.push(path.display().to_string());
        args.push(copy.display().to_string());
        docs.push(doc);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let seen = run_script(&python, "read_env_with_conda_lock.py", &args);
    let seen = seen.as_array().expect("a list");
    let (mut compared, mut refused) = (0, Vec::new());
    for (((path, _), doc), pair) in files.iter().zip(&docs).zip(seen.chunks(2)) {
        let (original, ours) = (&pair[0], &pair[1]);
        if let Some(error) = original.get("error") {
            refused.push(format!("{}: {error}", path.display()));
            continue;
        }
        let emitted = conda_env::emit(doc).expect("emit");
        assert_eq!(ours.get("error"), None, "{}:\n{emitted}", path.display());
        assert_eq!(ours["channels"], original["channels"], "{}", path.display());
        assert_eq!(
            ours["dependencies"],
            original["dependencies"],
            "{}:\n{emitted}",
            path.display()
        );
        let rattler: Vec<String> = ours["rattler"]
            .as_array()
            .expect("rattler list")
            .iter()
            .map(|pair| pair[1].as_str().unwrap_or("").to_lowercase())
            .collect();
        let names: Vec<String> = doc
            .manifest
            .of(Ecosystem::Conda)
            .map(|r| {
                r.requirement
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(rattler, names, "{}", path.display());
        compared += 1;
    }
    eprintln!(
        "conda-lock refused {} originals (and so was not asked about ours):\n{}",
        refused.len(),
        refused.join("\n")
    );
    // 26 of the 31 real files and the selectors fixture; conda-lock refuses pip option lines.
    assert!(compared >= 27, "only {compared} files compared");
}
