//! `pyproject.toml` over the real-world corpus: every file parses, emitting an unchanged model
//! reproduces the file byte for byte, and a rewritten file reads back as the model it was
//! written from.

use super::real_files;
use std::path::PathBuf;
use unilock_formats::pyproject;
use unilock_model::Requirement;

/// Every `pyproject.toml` of the corpus: the pyproject folder and the pixi-lock companions.
fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = real_files("pyproject");
    files.extend(
        real_files("pixi-lock")
            .into_iter()
            .filter(|p| p.to_string_lossy().ends_with("pyproject.toml")),
    );
    files
}

fn read(path: &PathBuf) -> (String, String) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (path.display().to_string(), text)
}

#[test]
fn every_corpus_pyproject_parses_with_located_requirements() {
    let files = corpus();
    let mut total = 0;
    for path in &files {
        let (name, text) = read(path);
        let doc = pyproject::parse(&name, &text).unwrap_or_else(|e| panic!("{}", e.render()));
        assert_eq!(doc.format, "pyproject");
        let reqs = &doc.manifest.requirements;
        for r in reqs {
            let origin = r
                .origin
                .as_ref()
                .unwrap_or_else(|| panic!("{name}: {} has no origin", r.requirement));
            assert_eq!(origin.file, name);
            let line = text.lines().nth(origin.line as usize - 1).unwrap_or("");
            let rest: String = line.chars().skip(origin.column as usize - 1).collect();
            let written = rest
                .trim_start_matches(['"', '\''])
                .to_ascii_lowercase()
                .replace(['_', '.'], "-");
            let named = r
                .requirement
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default();
            assert!(
                written.starts_with(&named.replace(['_', '.'], "-")),
                "{name}:{}:{}: origin of `{}` points at `{rest}`",
                origin.line,
                origin.column,
                r.requirement
            );
        }
        let groups: std::collections::BTreeSet<_> =
            reqs.iter().filter_map(|r| r.group.clone()).collect();
        println!(
            "{:>4} requirements, {:>2} groups, {} indexes, {} environments, requires-python {:?}: {}",
            reqs.len(),
            groups.len(),
            doc.indexes.len(),
            doc.environments.len(),
            doc.requires_python,
            path.file_name()
                .map(|f| f.to_string_lossy())
                .unwrap_or_default()
        );
        total += reqs.len();
    }
    println!("{total} requirements in {} files", files.len());
    if !files.is_empty() {
        assert!(total > 500, "only {total} requirements read");
    }
}

#[test]
fn emitting_an_unchanged_model_reproduces_every_corpus_file() {
    for path in corpus() {
        let (name, text) = read(&path);
        let doc = pyproject::parse(&name, &text).unwrap_or_else(|e| panic!("{}", e.render()));
        let out = pyproject::emit(&text, &doc).unwrap_or_else(|e| panic!("{name}: {}", e.render()));
        assert!(out == text, "{name}: emit changed the file");
    }
}

#[test]
fn a_rewritten_corpus_file_reads_back_as_the_model_it_was_written_from() {
    let mut rewritten = 0;
    for path in corpus() {
        let (name, text) = read(&path);
        let mut doc = pyproject::parse(&name, &text).unwrap_or_else(|e| panic!("{}", e.render()));
        // Bump the first requirement if it was read from `[project]`, so an array is rewritten.
        let Some(first) = doc.manifest.requirements.first_mut() else {
            continue;
        };
        let line = first.origin.as_ref().map_or(0, |o| o.line as usize);
        let Some(package) = first
            .requirement
            .name()
            .filter(|_| in_project_table(&text, line))
        else {
            continue;
        };
        first.requirement = Requirement::parse_pypi(&format!("{package}>=0.0.1"), "t", "", 0)
            .unwrap_or_else(|e| panic!("{}", e.render()));
        let out = pyproject::emit(&text, &doc).unwrap_or_else(|e| panic!("{name}: {}", e.render()));
        let back = pyproject::parse(&name, &out)
            .unwrap_or_else(|e| panic!("{name} after emit: {}\n{out}", e.render()));
        assert_eq!(
            back.without_origins(),
            doc.without_origins(),
            "{name}:\n{out}"
        );
        let changed: Vec<(&str, &str)> = text
            .lines()
            .zip(out.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(changed.len(), 1, "{name}: {changed:?}");
        assert_eq!(text.lines().count(), out.lines().count(), "{name}");
        rewritten += 1;
    }
    println!("{rewritten} files rewritten and read back");
}

/// Whether 1-based `line` of `text` lies inside the `[project]` table.
fn in_project_table(text: &str, line: usize) -> bool {
    let mut inside = false;
    for (i, l) in text.lines().enumerate() {
        let t = l.trim_start();
        if t.starts_with('[')
            && !t.starts_with("[[")
            && t.trim_end().ends_with(']')
            && !t.contains('"')
        {
            inside = t.trim_end() == "[project]";
        }
        if i + 1 == line {
            return inside;
        }
    }
    false
}

#[test]
fn a_corpus_file_cut_anywhere_parses_or_fails_with_a_location() {
    for path in corpus() {
        let (name, text) = read(&path);
        let cuts = text.char_indices().map(|(i, _)| i).step_by(23);
        for cut in cuts {
            let Some(head) = text.get(..cut) else {
                continue;
            };
            match pyproject::parse(&name, head) {
                Ok(doc) => assert_eq!(pyproject::emit(head, &doc).as_deref(), Ok(head)),
                Err(e) => assert!(e.origin().is_some(), "{name} cut at {cut}: {}", e.render()),
            }
        }
    }
}
