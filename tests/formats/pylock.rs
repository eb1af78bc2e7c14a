//! pylock.toml (PEP 751) on the real-world corpus: every file parses, survives the canonical
//! writer and the unified model unchanged, and the writer is idempotent.

use unilock_formats::pylock::{self, Pylock, Source};

/// The corpus files with their text.
fn corpus() -> Vec<(String, String)> {
    super::real_texts("pylock")
}

fn parse(name: &str, text: &str) -> Pylock {
    pylock::parse(name, text).unwrap_or_else(|d| panic!("{}", d.render()))
}

#[test]
fn every_corpus_file_parses_with_all_its_packages() {
    for (name, text) in corpus() {
        let lock = parse(&name, &text);
        let entries = text.lines().filter(|l| l.trim() == "[[packages]]").count();
        assert_eq!(lock.packages.len(), entries, "{name}");
        assert!(!lock.packages.is_empty(), "{name}");
    }
}

#[test]
fn parse_emit_parse_gives_the_same_model_and_document() {
    for (name, text) in corpus() {
        let lock = parse(&name, &text);
        let emitted = pylock::emit(&lock);
        let again = parse(&format!("{name} (emitted)"), &emitted);
        assert_eq!(again, lock, "{name}");
        assert_eq!(
            again.to_document().without_origins(),
            lock.to_document().without_origins(),
            "{name}"
        );
    }
}

#[test]
fn emit_is_idempotent() {
    for (name, text) in corpus() {
        let once = pylock::emit(&parse(&name, &text));
        let twice = pylock::emit(&parse(&name, &once));
        assert_eq!(twice, once, "{name}");
    }
}

#[test]
fn document_round_trips_through_from_document() {
    for (name, text) in corpus() {
        let doc = parse(&name, &text).to_document();
        let back = Pylock::from_document(&doc, "unilock");
        assert_eq!(back.to_document(), doc, "{name}");
        // What from_document writes is itself a valid pylock file.
        let emitted = pylock::emit(&back);
        let reparsed = parse(&format!("{name} (from document)"), &emitted);
        assert_eq!(reparsed, back, "{name}");
    }
}

#[test]
fn the_corpus_exercises_tool_tables_directories_and_both_wheel_styles() {
    let locks: Vec<(String, Pylock)> = corpus()
        .into_iter()
        .map(|(name, text)| {
            let lock = parse(&name, &text);
            (name, lock)
        })
        .collect();
    if locks.is_empty() {
        return; // shared corpus missing; real_files printed why
    }
    let pdm = locks
        .iter()
        .find(|(_, l)| l.created_by == "pdm")
        .map(|(_, l)| l)
        .expect("a pdm lock in the corpus");
    let targets = pdm
        .tool
        .as_ref()
        .and_then(|t| t.get("pdm"))
        .and_then(|t| t.get("targets"))
        .and_then(|t| t.as_array());
    assert_eq!(targets.map(Vec::len), Some(1));
    assert_eq!(pdm.extras, Some(vec![]));
    assert_eq!(pdm.default_groups, Some(vec!["default".to_string()]));
    assert!(pdm.packages.iter().all(|p| p.tool.is_some()));

    let directories: Vec<_> = locks
        .iter()
        .flat_map(|(_, l)| &l.packages)
        .filter(|p| matches!(&p.source, Source::Directory(d) if d.editable == Some(true)))
        .collect();
    assert_eq!(directories.len(), 1, "comfy-cli's own editable directory");

    let with_upload_times = locks
        .iter()
        .flat_map(|(_, l)| &l.packages)
        .filter_map(|p| match &p.source {
            Source::Distributions { wheels, .. } => wheels.as_ref(),
            _ => None,
        })
        .flatten()
        .filter(|w| w.upload_time.is_some())
        .count();
    assert!(with_upload_times > 100, "{with_upload_times}");
}
