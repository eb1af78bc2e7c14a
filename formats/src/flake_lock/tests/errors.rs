//! What the parser refuses, and the place each error names.

use super::*;

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
