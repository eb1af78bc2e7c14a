//! What the parser reads: nodes, inputs, every fetcher type, versions 5 and 6, and what it
//! keeps with a warning.

use super::*;

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
fn a_byte_order_mark_is_skipped() {
    let text = format!("\u{feff}{SMALL}");
    assert_eq!(emit(&ok(&text)), SMALL);
}
