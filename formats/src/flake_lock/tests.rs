//! Parse errors, warnings, the writer and the unified model, specified on small hand-written
//! locks (corpus/fixtures/flake-lock/: every fetcher type, and versions 5 and 6).

use super::*;

const ALL_TYPES: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../corpus/fixtures/flake-lock/all-types.lock"
));
const VERSION_5: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../corpus/fixtures/flake-lock/version-5.lock"
));
const VERSION_6: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../corpus/fixtures/flake-lock/version-6.lock"
));

const SMALL: &str = r#"{
  "nodes": {
    "nixpkgs": {
      "locked": {
        "lastModified": 1700000000,
        "narHash": "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        "owner": "NixOS",
        "repo": "nixpkgs",
        "rev": "0123456789abcdef0123456789abcdef01234567",
        "type": "github"
      },
      "original": {
        "owner": "NixOS",
        "repo": "nixpkgs",
        "type": "github"
      }
    },
    "root": {
      "inputs": {
        "nixpkgs": "nixpkgs"
      }
    }
  },
  "root": "root",
  "version": 7
}
"#;

fn ok(text: &str) -> FlakeLock {
    parse("flake.lock", text).unwrap_or_else(|e| panic!("{}", e.render()))
}

fn warnings(text: &str) -> Vec<String> {
    let (_, warnings) =
        parse_with_warnings("flake.lock", text).unwrap_or_else(|e| panic!("{}", e.render()));
    warnings.iter().map(ToString::to_string).collect()
}

/// The first line of the diagnostic for `text`.
fn error(text: &str) -> String {
    match parse("flake.lock", text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.render().lines().next().unwrap_or_default().to_string(),
    }
}

/// `text` with `from` replaced once (which must occur).
fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` not in the text");
    text.replacen(from, to, 1)
}

#[test]
fn reads_nodes_inputs_and_references() {
    let lock = ok(SMALL);
    assert_eq!((lock.version, lock.root.as_str()), (7, "root"));
    let root = lock.root_node().unwrap();
    assert_eq!(
        root.inputs.as_ref().unwrap()["nixpkgs"],
        Input::Node("nixpkgs".into())
    );
    let locked = lock.nodes["nixpkgs"].locked.as_ref().unwrap();
    assert_eq!(locked.kind, RefKind::GitHub);
    assert_eq!(locked.get_int("lastModified"), Some(1_700_000_000));
    assert_eq!(
        locked.rev(),
        Some("0123456789abcdef0123456789abcdef01234567")
    );
    assert!(!locked.attrs.contains_key("type"), "type is the kind");
    let origin = lock.nodes["nixpkgs"].origin.as_ref().unwrap();
    assert_eq!((origin.line, origin.column), (3, 5));
}

#[test]
fn every_fetcher_type_is_read_with_its_attributes() {
    let lock = ok(ALL_TYPES);
    let kind = |node: &str| lock.nodes[node].locked.as_ref().unwrap().kind.clone();
    assert_eq!(kind("archive"), RefKind::Tarball);
    assert_eq!(kind("data"), RefKind::File);
    assert_eq!(kind("forge"), RefKind::GitLab);
    assert_eq!(kind("hg-repo"), RefKind::Mercurial);
    assert_eq!(kind("local"), RefKind::Path);
    assert_eq!(kind("nixpkgs"), RefKind::GitHub);
    assert_eq!(kind("srht"), RefKind::SourceHut);
    assert_eq!(kind("sub"), RefKind::Path);
    assert_eq!(kind("tools"), RefKind::Git);
    let original = lock.nodes["nixpkgs"].original.as_ref().unwrap();
    assert_eq!(original.kind, RefKind::Indirect);
    assert_eq!(original.get_str("id"), Some("nixpkgs"));
    let tools = lock.nodes["tools"].locked.as_ref().unwrap();
    assert_eq!(tools.attrs["shallow"], Attr::Bool(true));
    assert_eq!(tools.attrs["submodules"], Attr::Bool(true));
    assert_eq!(tools.get_int("revCount"), Some(42));
    assert_eq!(tools.get_str("dir"), Some("tools"));
    assert_eq!(
        lock.nodes["forge"].locked.as_ref().unwrap().get_str("host"),
        Some("gitlab.example.org")
    );
    assert_eq!(lock.nodes["archive"].flake, Some(false));
    assert_eq!(lock.nodes["sub"].parent, Some(vec![]));
    assert!(warnings(ALL_TYPES).is_empty(), "{:?}", warnings(ALL_TYPES));
}

#[test]
fn follows_paths_resolve_through_inputs_from_the_root() {
    let lock = ok(ALL_TYPES);
    let path = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // tools.nixpkgs follows forge/nixpkgs, which itself follows nixpkgs.
    assert_eq!(
        lock.nodes["tools"].inputs.as_ref().unwrap()["nixpkgs"],
        Input::Follows(path(&["forge", "nixpkgs"]))
    );
    assert_eq!(lock.resolve(&path(&["forge", "nixpkgs"])), Some("nixpkgs"));
    assert_eq!(lock.resolve(&path(&["tools", "nixpkgs"])), Some("nixpkgs"));
    // An empty path is the root itself.
    assert_eq!(lock.resolve(&[]), Some("root"));
    assert_eq!(lock.resolve(&path(&["srht", "self-flake"])), Some("root"));
    assert_eq!(lock.resolve(&path(&["forge", "missing"])), None);
}

#[test]
fn nix_written_locks_re_emit_byte_for_byte() {
    for text in [SMALL, ALL_TYPES, VERSION_5, VERSION_6] {
        assert_eq!(emit(&ok(text)), text);
    }
}

#[test]
fn versions_5_and_6_are_read_and_kept() {
    let v5 = ok(VERSION_5);
    assert_eq!(v5.version, 5);
    let info = v5.nodes["nixpkgs"].info.as_ref().unwrap();
    assert!(info.contains_key("narHash") && info.contains_key("lastModified"));
    assert_eq!(ok(VERSION_6).version, 6);
    // The unified model reads `info` into `locked`, as Nix does.
    let doc = v5.to_document();
    let nixpkgs = doc
        .flake_inputs
        .iter()
        .find(|i| i.node == "nixpkgs")
        .unwrap();
    assert!(nixpkgs.locked_str("narHash").is_some());
    assert!(nixpkgs.locked.contains_key("lastModified"));
}

#[test]
fn unsupported_versions_are_located_errors() {
    let e = error(&edit(SMALL, "\"version\": 7", "\"version\": 8"));
    assert_eq!(
        e,
        "flake.lock:25:14: error: unsupported flake.lock version 8: expected a lock file version: 5, 6 or 7"
    );
    let e = error(&edit(SMALL, "\"version\": 7", "\"version\": 4"));
    assert!(
        e.starts_with("flake.lock:25:14: error: unsupported flake.lock version 4"),
        "{e}"
    );
    let e = error(&edit(SMALL, "\"version\": 7", "\"version\": \"7\""));
    assert_eq!(
        e,
        "flake.lock:25:14: error: `version` is a string: expected a lock file version: 5, 6 or 7"
    );
    let e = error(&edit(SMALL, "\"version\": 7", "\"version\": 7.0"));
    assert!(
        e.starts_with("flake.lock:25:14: error: unsupported flake.lock version 7.0"),
        "{e}"
    );
    let e = error(&edit(SMALL, ",\n  \"version\": 7", ""));
    assert!(
        e.starts_with("flake.lock:1:1: error: the lock file has no `version`"),
        "{e}"
    );
}

#[test]
fn json_syntax_errors_name_line_and_column() {
    let e = error(&edit(
        SMALL,
        "\"repo\": \"nixpkgs\",\n        \"rev\"",
        "\"repo\": \"nixpkgs\"\n        \"rev\"",
    ));
    assert_eq!(
        e,
        "flake.lock:9:9: error: not valid JSON: expected `,` or `}`"
    );
    let e = error("{\n  \"nodes\": {\n");
    assert!(
        e.starts_with("flake.lock:3:1: error: not valid JSON: EOF while parsing an object"),
        "{e}"
    );
    assert!(
        e.ends_with("expected JSON text as Nix writes flake.lock"),
        "{e}"
    );
    let e = error("");
    assert!(
        e.starts_with("flake.lock:1:1: error: not valid JSON"),
        "{e}"
    );
    let e = error("[]");
    assert_eq!(
        e,
        "flake.lock:1:1: error: the lock file is an array: expected a flake.lock: a JSON object with `nodes`, `root` and `version`"
    );
    // Columns count characters, not bytes.
    let e = error(&edit(
        SMALL,
        "\"owner\": \"NixOS\",\n        \"repo\"",
        "\"owner\": \"Nïx\" x,\n        \"repo\"",
    ));
    assert!(
        e.starts_with("flake.lock:7:24: error: not valid JSON"),
        "{e}"
    );
}

#[test]
fn the_root_must_exist_and_name_a_node() {
    let e = error(&edit(SMALL, "\"root\": \"root\",", "\"root\": \"top\","));
    assert_eq!(
        e,
        "flake.lock:24:11: error: `root` names node `top`, which is not in `nodes`: expected the key of a node in `nodes` (Nix writes `root`)"
    );
    let e = error(&edit(SMALL, "\"root\": \"root\",\n", ""));
    assert!(
        e.starts_with("flake.lock:1:1: error: the lock file has no `root`"),
        "{e}"
    );
    let e = error(&edit(SMALL, "\"root\": \"root\",", "\"root\": 1,"));
    assert!(
        e.starts_with("flake.lock:24:11: error: `root` is a number"),
        "{e}"
    );
}

#[test]
fn inputs_must_name_nodes_that_exist() {
    let e = error(&edit(
        SMALL,
        "\"nixpkgs\": \"nixpkgs\"",
        "\"nixpkgs\": \"nixpkgs_2\"",
    ));
    assert_eq!(
        e,
        "flake.lock:20:20: error: input `nixpkgs` of node `root` names node `nixpkgs_2`, which is not in `nodes`: expected the key of a node in `nodes`"
    );
    let e = error(&edit(
        SMALL,
        "\"nixpkgs\": \"nixpkgs\"",
        "\"nixpkgs\": \"root\"",
    ));
    assert!(
        e.starts_with(
            "flake.lock:20:20: error: input `nixpkgs` of node `root` leads back to the root node"
        ),
        "{e}"
    );
    let e = error(&edit(SMALL, "\"nixpkgs\": \"nixpkgs\"", "\"nixpkgs\": 3"));
    assert!(e.starts_with("flake.lock:20:20: error: input `nixpkgs` of node `root` is a number: expected a node key (a string) or a `follows` path"), "{e}");
}

#[test]
fn follows_paths_must_resolve() {
    let text = edit(
        ALL_TYPES,
        "\"nixpkgs\": [\n          \"forge\",\n          \"nixpkgs\"",
        "\"nixpkgs\": [\n          \"forge\",\n          \"nixpkgz\"",
    );
    let e = error(&text);
    assert!(
        e.contains("error: input `nixpkgs` of node `tools` follows `forge/nixpkgz`, which does not resolve: node `forge` has no input `nixpkgz`"),
        "{e}"
    );
    let line = text
        .lines()
        .position(|l| l.contains("\"nixpkgz\""))
        .unwrap()
        + 1;
    assert!(
        e.starts_with(&format!("flake.lock:{line}:11: error:")),
        "{e}"
    );
    // A follows path element that is not a string.
    let e = error(&edit(
        ALL_TYPES,
        "\"forge\",\n          \"nixpkgs\"",
        "\"forge\",\n          7",
    ));
    assert!(
        e.contains("element 2 of input `nixpkgs` of node `tools` is a number"),
        "{e}"
    );
}

#[test]
fn follows_cycles_are_refused() {
    // forge.nixpkgs follows tools/nixpkgs, which follows forge/nixpkgs.
    let text = edit(
        ALL_TYPES,
        "\"nixpkgs\": [\n          \"nixpkgs\"\n        ]",
        "\"nixpkgs\": [\n          \"tools\",\n          \"nixpkgs\"\n        ]",
    );
    let e = error(&text);
    assert!(
        e.contains(
            "the `follows` paths form a cycle: tools/nixpkgs -> forge/nixpkgs -> tools/nixpkgs"
        ),
        "{e}"
    );
}

#[test]
fn parent_paths_must_resolve() {
    let e = error(&edit(
        ALL_TYPES,
        "\"parent\": []",
        "\"parent\": [\n        \"nowhere\"\n      ]",
    ));
    assert!(e.contains("`parent` of node `sub` is `nowhere`, which does not resolve: node `root` has no input `nowhere`"), "{e}");
}

#[test]
fn every_node_but_the_root_is_locked() {
    let text = edit(SMALL, "\"locked\": {", "\"lockd\": {");
    let e = error(&text);
    assert_eq!(
        e,
        "flake.lock:3:5: error: node `nixpkgs` has no `locked`: expected `locked` and `original` on every node but the root"
    );
}

#[test]
fn fetcher_attributes_are_checked_by_type() {
    let e = error(&edit(
        SMALL,
        "\"lastModified\": 1700000000",
        "\"lastModified\": \"1700000000\"",
    ));
    assert_eq!(
        e,
        "flake.lock:5:25: error: `lastModified` of `nodes.nixpkgs.locked` is \"1700000000\": expected a non-negative integer"
    );
    let e = error(&edit(
        SMALL,
        "\"lastModified\": 1700000000",
        "\"lastModified\": -1",
    ));
    assert!(
        e.starts_with("flake.lock:5:25: error: `lastModified` of `nodes.nixpkgs.locked` is -1"),
        "{e}"
    );
    let e = error(&edit(
        SMALL,
        "\"lastModified\": 1700000000",
        "\"lastModified\": null",
    ));
    assert!(
        e.contains("is null: expected a string, a non-negative integer or a boolean"),
        "{e}"
    );
    let e = error(&edit(
        SMALL,
        "\"rev\": \"0123456789abcdef0123456789abcdef01234567\"",
        "\"rev\": \"main\"",
    ));
    assert!(e.starts_with("flake.lock:9:16: error: `rev` of `nodes.nixpkgs.locked` is \"main\": expected a commit hash"), "{e}");
    let e = error(&edit(
        SMALL,
        "        \"owner\": \"NixOS\",\n        \"repo\": \"nixpkgs\",\n        \"type\": \"github\"",
        "        \"repo\": \"nixpkgs\",\n        \"type\": \"github\"",
    ));
    assert_eq!(
        e,
        "flake.lock:12:7: error: `nodes.nixpkgs.original` has no `owner`: expected `owner` (a string) in a `github` reference"
    );
    let e = error(&edit(
        SMALL,
        "        \"type\": \"github\"\n      },\n      \"original\"",
        "        \"type\": 1\n      },\n      \"original\"",
    ));
    assert!(
        e.starts_with("flake.lock:10:17: error: `type` of `nodes.nixpkgs.locked` is not a string"),
        "{e}"
    );
    let e = error(&edit(
        ALL_TYPES,
        "\"shallow\": true",
        "\"shallow\": \"yes\"",
    ));
    assert!(
        e.contains("`shallow` of `nodes.tools.locked` is \"yes\": expected `true` or `false`"),
        "{e}"
    );
    let e = error(&edit(
        ALL_TYPES,
        "\"id\": \"nixpkgs\"",
        "\"id\": \"9nixpkgs\"",
    ));
    assert!(e.contains("expected a flake registry name"), "{e}");
    let e = error(&edit(
        SMALL,
        "\"nixpkgs\": {\n      \"locked\"",
        "\"nixpkgs\": {\n      \"flake\": \"no\",\n      \"locked\"",
    ));
    assert!(
        e.starts_with("flake.lock:4:16: error: `nodes.nixpkgs.flake` is a string"),
        "{e}"
    );
}

#[test]
fn unknown_attributes_and_types_are_kept_with_a_warning() {
    let text = edit(
        SMALL,
        "\"repo\": \"nixpkgs\",\n        \"rev\"",
        "\"repo\": \"nixpkgs\",\n        \"retries\": 3,\n        \"rev\"",
    );
    let text = edit(
        &text,
        "\"type\": \"github\"\n      }\n    },\n    \"root\"",
        "\"type\": \"pijul\",\n        \"url\": \"https://example.org/repo\"\n      }\n    },\n    \"root\"",
    );
    let text = edit(
        &text,
        "\"nixpkgs\": {\n      \"locked\"",
        "\"nixpkgs\": {\n      \"comment\": {\n        \"by\": [\n          \"hand\",\n          1.50,\n          null\n        ]\n      },\n      \"locked\"",
    );
    let text = edit(
        &text,
        "{\n  \"nodes\"",
        "{\n  \"generator\": \"hand\",\n  \"nodes\"",
    );
    let (lock, found) =
        parse_with_warnings("flake.lock", &text).unwrap_or_else(|e| panic!("{}", e.render()));
    let found: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(
        found[1].starts_with(
            "flake.lock:5:7: warning: `nodes.nixpkgs.comment` is not a node attribute Nix writes"
        ),
        "{found:#?}"
    );
    assert!(found.iter().any(|w| w.contains("`retries` of `nodes.nixpkgs.locked` is not an attribute Nix defines for `github` references")), "{found:#?}");
    assert!(
        found
            .iter()
            .any(|w| w.contains("has type `pijul`, which unilock does not know")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|w| w.contains("`generator` is not a flake.lock key Nix writes")),
        "{found:#?}"
    );
    let original = lock.nodes["nixpkgs"].original.as_ref().unwrap();
    assert_eq!(original.kind, RefKind::Other("pijul".into()));
    // Nothing is dropped: the file comes back byte for byte, number text included.
    assert_eq!(emit(&lock), text);
    // and the unified model carries the unknown node attribute.
    let doc = lock.to_document();
    let nixpkgs = doc
        .flake_inputs
        .iter()
        .find(|i| i.node == "nixpkgs")
        .unwrap();
    assert!(nixpkgs.extra.contains_key("comment"));
    assert_eq!(nixpkgs.original["type"], Attr::String("pijul".into()));
}

#[test]
fn keys_written_twice_keep_the_last_value_as_nix_does() {
    let text = edit(
        SMALL,
        "\"owner\": \"NixOS\",\n        \"repo\": \"nixpkgs\",\n        \"type\"",
        "\"owner\": \"someone\",\n        \"owner\": \"NixOS\",\n        \"repo\": \"nixpkgs\",\n        \"type\"",
    );
    let found = warnings(&text);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].starts_with("flake.lock:14:9: warning: `owner` is written twice"),
        "{found:?}"
    );
    assert_eq!(
        ok(&text).nodes["nixpkgs"]
            .original
            .as_ref()
            .unwrap()
            .get_str("owner"),
        Some("NixOS")
    );
    assert_eq!(emit(&ok(&text)), SMALL);
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

#[test]
fn a_byte_order_mark_is_skipped() {
    let text = format!("\u{feff}{SMALL}");
    assert_eq!(emit(&ok(&text)), SMALL);
}

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

#[test]
fn version_5_info_is_checked_as_part_of_locked() {
    let e = error(&edit(
        VERSION_5,
        "\"lastModified\": 1700000004",
        "\"lastModified\": \"yesterday\"",
    ));
    assert!(
        e.starts_with(
            "flake.lock:5:25: error: `lastModified` of `nodes.nixpkgs.locked` is \"yesterday\""
        ),
        "{e}"
    );
    let e = error(&edit(
        VERSION_5,
        "\"lastModified\": 1700000004",
        "\"type\": \"git\"",
    ));
    assert!(
        e.starts_with("flake.lock:5:9: error: `nodes.nixpkgs.info` sets `type`"),
        "{e}"
    );
}
