//! Nix flake inputs: what a `flake.lock` pins. A flake input is not a package that unilock
//! resolves; it is a pinned source (a Git commit, a tarball with its NAR hash) that a Nix
//! output builds on, so the model keeps it beside the packages rather than among them.

use crate::diagnostic::Origin;
use serde::Serialize;
use std::collections::BTreeMap;

/// One node of a flake lock other than the root.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FlakeInput {
    /// The node's key in the lock (`nixpkgs`, `nixpkgs_2`).
    pub node: String,
    /// `flake = false`: the input is plain source, not a flake.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_flake: bool,
    /// The reference as the user wrote it (`original`), attribute → value as text.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub original: BTreeMap<String, String>,
    /// What it resolved to (`locked`), attribute → value as text.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub locked: BTreeMap<String, String>,
    /// This node's own inputs: input name → the node it points at, or a `follows` path
    /// written as input names joined by `/`, prefixed `follows:`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub inputs: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}
