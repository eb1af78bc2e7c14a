//! The writer: Nix's layout, byte for byte.

use super::*;

#[test]
fn nix_written_locks_re_emit_byte_for_byte() {
    for text in [SMALL, ALL_TYPES, VERSION_5, VERSION_6] {
        assert_eq!(emit(&ok(text)), text);
    }
}

#[test]
fn empty_objects_and_arrays_are_written_as_nix_writes_them() {
    let text =
        "{\n  \"nodes\": {\n    \"root\": {}\n  },\n  \"root\": \"root\",\n  \"version\": 7\n}\n";
    let lock = ok(text);
    assert_eq!(
        lock.nodes["root"],
        Node {
            origin: lock.nodes["root"].origin.clone(),
            ..Node::default()
        }
    );
    assert_eq!(emit(&lock), text);
    let with_empty_inputs =
        text.replace("\"root\": {}", "\"root\": {\n      \"inputs\": {}\n    }");
    assert_eq!(emit(&ok(&with_empty_inputs)), with_empty_inputs);
    assert!(ALL_TYPES.contains("\"self-flake\": []"));
}

#[test]
fn strings_are_escaped_as_nlohmann_json_escapes_them() {
    let lock = FlakeLock {
        version: VERSION,
        root: "root".into(),
        nodes: BTreeMap::from([(
            "root".into(),
            Node {
                unknown: BTreeMap::from([(
                    "note".into(),
                    Json::String("a\"b\\c/d\u{1}\u{8}\u{c}\n\r\té€\u{7f}".into()),
                )]),
                ..Node::default()
            },
        )]),
        unknown: BTreeMap::new(),
    };
    let text = emit(&lock);
    assert!(
        text.contains(r#""note": "a\"b\\c/d\u0001\b\f\n\r\té€"#),
        "{text}"
    );
    let (back, _) = parse_with_warnings("flake.lock", &text).unwrap();
    assert_eq!(back.nodes["root"].unknown, lock.nodes["root"].unknown);
}
