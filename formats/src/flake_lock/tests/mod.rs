//! Parse errors, warnings, the writer and the unified model, specified on small hand-written
//! locks (corpus/fixtures/flake-lock/: every fetcher type, and versions 5 and 6).

mod errors;
mod model;
mod reading;
mod writing;

use super::*;

pub(super) const ALL_TYPES: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../corpus/fixtures/flake-lock/all-types.lock"
));
pub(super) const VERSION_5: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../corpus/fixtures/flake-lock/version-5.lock"
));
pub(super) const VERSION_6: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../corpus/fixtures/flake-lock/version-6.lock"
));

pub(super) const SMALL: &str = r#"{
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

pub(super) fn ok(text: &str) -> FlakeLock {
    parse("flake.lock", text).unwrap_or_else(|e| panic!("{}", e.render()))
}

pub(super) fn warnings(text: &str) -> Vec<String> {
    let (_, warnings) =
        parse_with_warnings("flake.lock", text).unwrap_or_else(|e| panic!("{}", e.render()));
    warnings.iter().map(ToString::to_string).collect()
}

/// The first line of the diagnostic for `text`.
pub(super) fn error(text: &str) -> String {
    match parse("flake.lock", text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.render().lines().next().unwrap_or_default().to_string(),
    }
}

/// `text` with `from` replaced once (which must occur).
pub(super) fn edit(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "`{from}` not in the text");
    text.replacen(from, to, 1)
}
