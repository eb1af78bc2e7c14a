//! flake.lock over the real-world corpus: every lock parses without warnings, re-emits byte for
//! byte, keeps its unified model through a round trip and through the model itself, and what
//! unilock writes has exactly the form Nix writes; `unilock show` and `convert` on real locks.
//!
//! There is no acceptance test with the real `nix`: it cannot be installed without root from
//! the default Python index. The form checks below (an independent JSON reader that sees key
//! order, the line shapes of nlohmann's `dump(2)`) stand in for it.

use crate::{stderr, stdout, unilock};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use unilock_formats::flake_lock::{self, FlakeLock};

/// The real locks with their text (the corpus folder also holds each project's flake.nix,
/// which is not a lock).
fn corpus() -> Vec<(String, String)> {
    super::real_texts("flake-lock")
        .into_iter()
        .filter(|(path, _)| path.ends_with(".lock"))
        .collect()
}

fn parse(path: &str, text: &str) -> FlakeLock {
    flake_lock::parse(path, text).unwrap_or_else(|e| panic!("{}", e.render()))
}

#[test]
fn every_real_lock_parses_without_warnings_and_re_emits_byte_for_byte() {
    let files = corpus();
    eprintln!("{} flake.lock files", files.len());
    if files.is_empty() {
        return;
    }
    assert_eq!(files.len(), 12, "the corpus has 12 flake.lock files");
    for (path, text) in &files {
        let (lock, warnings) = flake_lock::parse_with_warnings(path, text)
            .unwrap_or_else(|e| panic!("{}", e.render()));
        assert!(warnings.is_empty(), "{path}: {warnings:?}");
        let emitted = flake_lock::emit(&lock);
        if emitted != *text {
            let line = text
                .lines()
                .zip(emitted.lines())
                .position(|(a, b)| a != b)
                .map_or(0, |n| n + 1);
            panic!("{path} does not re-emit byte for byte; first difference at line {line}");
        }
    }
}

#[test]
fn every_real_lock_keeps_its_model_through_a_round_trip() {
    for (path, text) in corpus() {
        let lock = parse(&path, &text);
        let again = parse(&path, &flake_lock::emit(&lock));
        let doc = lock.to_document();
        assert_eq!(
            doc.without_origins(),
            again.to_document().without_origins(),
            "{path}"
        );
        assert_eq!(doc.flake_inputs.len(), lock.nodes.len(), "{path}");
        assert!(doc.flake_inputs[0].root, "{path}: the root comes first");
        // Every node's origin is its key in the file.
        for input in &doc.flake_inputs {
            let origin = input.origin.as_ref().expect("an origin");
            let line = text
                .lines()
                .nth(origin.line as usize - 1)
                .expect("the line");
            let at: String = line.chars().skip(origin.column as usize - 1).collect();
            assert!(
                at.starts_with(&format!("\"{}\": {{", input.node)),
                "{path}: {origin} is `{line}`"
            );
        }
    }
}

#[test]
fn every_real_lock_comes_back_from_the_unified_model() {
    for (path, text) in corpus() {
        let doc = parse(&path, &text).to_document();
        let lock =
            FlakeLock::from_document(&doc).unwrap_or_else(|e| panic!("{path}: {}", e.render()));
        assert_eq!(flake_lock::emit(&lock), text, "{path}");
    }
}

/// The shapes nlohmann's `dump(2)` writes: two spaces per level, `"key": value`, `,` at the end
/// of every member but the last, one value per line, a newline at the end and nowhere blank.
fn assert_nix_layout(name: &str, text: &str) {
    assert!(
        text.ends_with("}\n") && !text.ends_with("\n\n"),
        "{name}: must end in `}}\\n`"
    );
    assert!(text.starts_with("{\n"), "{name}");
    let mut depth = 0usize;
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        let body = line.trim_start_matches(' ');
        let indent = line.len() - body.len();
        let closes = body.starts_with('}') || body.starts_with(']');
        if closes {
            depth = depth.saturating_sub(1);
        }
        assert_eq!(indent, 2 * depth, "{name}:{n}: indentation of `{line}`");
        assert!(
            !line.ends_with(' ') && !line.contains('\t'),
            "{name}:{n}: whitespace"
        );
        let value = if body.starts_with('"') && !closes {
            // `"key": value` inside objects, a bare string inside arrays.
            match body.find("\": ") {
                Some(i) if !body[..i].contains("\", ") => &body[i + 3..],
                _ => body,
            }
        } else {
            body
        };
        let value = value.strip_suffix(',').unwrap_or(value);
        if value == "{" || value == "[" {
            depth += 1;
        }
        assert!(
            !value.contains(": ") || value.starts_with('"'),
            "{name}:{n}: two members on a line"
        );
    }
    assert_eq!(depth, 0, "{name}: unbalanced");
}

/// Reads JSON with serde_json and checks, as it goes, that every object's keys come in
/// bytewise order and appear once.
struct Sorted;

impl<'de> Deserialize<'de> for Sorted {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Sorted;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Sorted, A::Error> {
                let mut last: Option<String> = None;
                while let Some(key) = map.next_key::<String>()? {
                    if let Some(prev) = &last
                        && prev.as_bytes() >= key.as_bytes()
                    {
                        return Err(serde::de::Error::custom(format!("`{key}` after `{prev}`")));
                    }
                    map.next_value::<Sorted>()?;
                    last = Some(key);
                }
                Ok(Sorted)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Sorted, A::Error> {
                while seq.next_element::<Sorted>()?.is_some() {}
                Ok(Sorted)
            }
            fn visit_str<E>(self, _: &str) -> Result<Sorted, E> {
                Ok(Sorted)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Sorted, E> {
                Ok(Sorted)
            }
            fn visit_i64<E>(self, _: i64) -> Result<Sorted, E> {
                Ok(Sorted)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Sorted, E> {
                Ok(Sorted)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Sorted, E> {
                Ok(Sorted)
            }
            fn visit_unit<E>(self) -> Result<Sorted, E> {
                Ok(Sorted)
            }
        }
        d.deserialize_any(V)
    }
}

fn assert_nix_form(name: &str, text: &str) {
    assert_nix_layout(name, text);
    if let Err(e) = serde_json::from_str::<Sorted>(text) {
        panic!("{name}: keys out of order or not JSON: {e}");
    }
    // serde_json's pretty printer writes the same layout for sorted maps; the two writers
    // must agree on every byte.
    let value: serde_json::Value = serde_json::from_str(text).expect("JSON");
    let pretty = serde_json::to_string_pretty(&value).expect("JSON") + "\n";
    assert_eq!(
        pretty, text,
        "{name}: differs from serde_json's pretty form"
    );
}

#[test]
fn what_unilock_writes_has_the_form_nix_writes() {
    let fixtures =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/fixtures/flake-lock");
    let mut texts = corpus();
    for entry in std::fs::read_dir(&fixtures).expect("corpus/fixtures/flake-lock") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("fixture");
        texts.push((path.display().to_string(), text));
    }
    for (path, text) in texts {
        // The real files are Nix's own output: the checks must hold for them first.
        assert_nix_form(&path, &text);
        let lock = parse(&path, &text);
        assert_nix_form(&path, &flake_lock::emit(&lock));
        // A lock written from the unified model is a new version 7 file.
        let fresh = FlakeLock::from_document(&lock.to_document()).expect("from the model");
        let written = flake_lock::emit(&fresh);
        assert_nix_form(&path, &written);
        assert!(written.ends_with("  \"version\": 7\n}\n"), "{path}");
    }
}

#[test]
fn the_corpus_exercises_every_part_of_the_format() {
    let mut kinds = std::collections::BTreeSet::new();
    let (mut follows, mut follows_root, mut not_flake, mut dir) = (0, 0, 0, 0);
    for (path, text) in corpus() {
        let lock = parse(&path, &text);
        for node in lock.nodes.values() {
            for r in [&node.locked, &node.original].into_iter().flatten() {
                kinds.insert(r.kind.name().to_string());
                dir += usize::from(r.attrs.contains_key("dir"));
            }
            not_flake += usize::from(node.flake == Some(false));
            for input in node.inputs.iter().flat_map(|i| i.values()) {
                if let flake_lock::Input::Follows(path) = input {
                    follows += 1;
                    follows_root += usize::from(path.is_empty());
                }
            }
        }
    }
    if kinds.is_empty() {
        return;
    }
    let kinds: Vec<&str> = kinds.iter().map(String::as_str).collect();
    assert_eq!(kinds, ["git", "github", "gitlab", "indirect", "tarball"]);
    assert!(
        follows > 100 && follows_root > 0 && not_flake > 0 && dir > 0,
        "{follows} {follows_root} {not_flake} {dir}"
    );
}

#[test]
fn show_json_gives_every_node_with_its_origin() {
    let Some((path, text)) = corpus().into_iter().find(|(p, _)| p.contains("dream2nix")) else {
        return;
    };
    let out = unilock(&["show", &path, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "no warnings for a lock Nix wrote");
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(json["format"], "flake-lock");
    let inputs = json["flake_inputs"].as_array().expect("flake_inputs");
    assert_eq!(inputs.len(), parse(&path, &text).nodes.len());
    assert_eq!(inputs[0]["node"], "root");
    assert_eq!(inputs[0]["root"], true);
    let nixpkgs = inputs
        .iter()
        .find(|i| i["node"] == "nixpkgs")
        .expect("nixpkgs");
    assert_eq!(nixpkgs["original"]["type"], "indirect");
    assert_eq!(nixpkgs["original"]["id"], "nixpkgs");
    assert!(nixpkgs["locked"]["lastModified"].is_u64());
    let devshell = inputs
        .iter()
        .find(|i| i["node"] == "devshell")
        .expect("devshell");
    assert_eq!(devshell["not_flake"], true);
    assert!(devshell["origin"]["line"].as_u64().is_some_and(|l| l > 1));
    let follows = inputs
        .iter()
        .flat_map(|i| i["inputs"].as_object().into_iter().flat_map(|m| m.values()))
        .filter(|v| v.is_array())
        .count();
    assert!(follows > 0);

    let out = unilock(&["show", &path]);
    assert!(out.status.success());
    let summary = stdout(&out);
    assert!(
        summary.contains("flake inputs (13):\n  root (root): inputs devshell, "),
        "{summary}"
    );
}

#[test]
fn convert_to_flake_lock_writes_the_lock_back_unchanged() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in corpus() {
        let out_path = dir.path().join("flake.lock");
        let out = unilock(&[
            "convert",
            &path,
            "--to",
            "flake-lock",
            "-o",
            out_path.to_str().expect("utf-8"),
        ]);
        assert!(out.status.success(), "{path}: {}", stderr(&out));
        assert_eq!(
            std::fs::read_to_string(&out_path).expect("written"),
            text,
            "{path}"
        );
        let out = unilock(&["convert", &path, "--to", "flake-lock"]);
        assert_eq!(stdout(&out), text, "{path}");
    }
}

#[test]
fn a_flake_lock_is_known_by_its_content_and_devenv_lock_by_its_name() {
    let Some((_, text)) = corpus().into_iter().next() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["pins.json", "devenv.lock", "flake.lock"] {
        let file = dir.path().join(name);
        std::fs::write(&file, &text).expect("write");
        let out = unilock(&["show", file.to_str().expect("utf-8"), "--json"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert!(
            stdout(&out).contains("\"format\": \"flake-lock\""),
            "{name}"
        );
    }
}

#[test]
fn warnings_about_unknown_attributes_reach_the_user() {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus/fixtures/flake-lock/version-6.lock");
    let text = std::fs::read_to_string(&fixture).expect("fixture");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("flake.lock");
    std::fs::write(
        &file,
        text.replace(
            "\"repo\": \"flake-utils\",\n        \"rev\"",
            "\"repo\": \"flake-utils\",\n        \"retries\": 3,\n        \"rev\"",
        ),
    )
    .expect("write");
    let file = file.to_str().expect("utf-8");
    for args in [
        vec!["show", file],
        vec!["convert", file, "--to", "flake-lock"],
    ] {
        let out = unilock(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("warning"), "{err}");
        assert!(err.contains(&format!("{file}:9:9: ")), "{err}");
        assert!(
            err.contains("`retries` of `nodes.flake-utils.locked` is not an attribute Nix defines"),
            "{err}"
        );
    }
}
