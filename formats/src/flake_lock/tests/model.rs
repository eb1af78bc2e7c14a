//! The unified model and the way back from it.

use super::*;

#[test]
fn the_unified_model_has_the_root_first_and_every_node() {
    let lock = ok(ALL_TYPES);
    let doc = lock.to_document();
    assert_eq!(doc.format, "flake-lock");
    assert_eq!(doc.flake_inputs.len(), lock.nodes.len());
    let root = &doc.flake_inputs[0];
    assert!(root.root && root.node == "root" && root.locked.is_empty());
    assert_eq!(root.inputs.len(), 9);
    assert_eq!(doc.flake_inputs.iter().filter(|i| i.root).count(), 1);
    let archive = &doc.flake_inputs[1];
    assert_eq!(
        (archive.node.as_str(), archive.not_flake),
        ("archive", true)
    );
    assert_eq!(archive.kind(), Some("tarball"));
    assert_eq!(
        archive.origin.as_ref().map(|o| (o.line, o.column)),
        Some((3, 5))
    );
}

#[test]
fn a_lock_written_from_the_unified_model_is_the_lock_nix_wrote() {
    for text in [SMALL, ALL_TYPES, VERSION_6] {
        let doc = ok(text).to_document();
        let lock = FlakeLock::from_document(&doc).unwrap_or_else(|e| panic!("{}", e.render()));
        let written = emit(&lock);
        // Version 6 comes back as version 7, as Nix rewrites it.
        assert_eq!(written, text.replace("\"version\": 6", "\"version\": 7"));
    }
    // Version 5: `info` is merged into `locked`.
    let written = emit(&FlakeLock::from_document(&ok(VERSION_5).to_document()).unwrap());
    assert!(
        written.ends_with("\"version\": 7\n}\n") && !written.contains("\"info\""),
        "{written}"
    );
    assert_eq!(
        ok(&written).to_document().without_origins(),
        ok(VERSION_5).to_document().without_origins()
    );
}

#[test]
fn a_model_without_a_consistent_graph_is_refused() {
    let mut doc = ok(SMALL).to_document();
    doc.flake_inputs[0]
        .inputs
        .insert("gone".into(), Input::Node("gone".into()));
    let e = FlakeLock::from_document(&doc).unwrap_err().render();
    assert!(
        e.contains("names node `gone`, which is not in `nodes`"),
        "{e}"
    );
    doc.flake_inputs.remove(0);
    let e = FlakeLock::from_document(&doc).unwrap_err().render();
    assert!(e.contains("no root flake input"), "{e}");
}
