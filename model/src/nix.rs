//! Nix flake inputs: what a `flake.lock` pins. A flake input is not a package that unilock
//! resolves; it is a pinned source (a Git commit, a tarball with its NAR hash) that a Nix
//! output builds on, so the model keeps it beside the packages rather than among them.
//!
//! One [`FlakeInput`] stands for one node of the lock's graph. The root node (the flake whose
//! lock it is) is one of them too, marked [`FlakeInput::root`]: its `inputs` are the flake's
//! direct inputs, so the graph stays whole and a lock can be written back from the model.

use crate::diagnostic::Origin;
use serde::Serialize;
use std::collections::BTreeMap;

/// One node of a flake lock: the root (the flake itself) or a locked input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FlakeInput {
    /// The node's key in the lock (`root`, `nixpkgs`, `nixpkgs_2`).
    pub node: String,
    /// This node is the lock's root: the flake itself, with no `locked` or `original`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub root: bool,
    /// `flake = false`: the input is plain source, not a flake.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_flake: bool,
    /// The reference as the user wrote it (`original`): attribute → value, `type` included.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub original: BTreeMap<String, FlakeAttr>,
    /// What it resolved to (`locked`): attribute → value, `type` included. Lock files of
    /// version 5 kept `lastModified` and `narHash` apart, under `info`; they are merged in
    /// here, as Nix does when it reads them.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub locked: BTreeMap<String, FlakeAttr>,
    /// This node's own inputs: input name → the node it is, or the `follows` path it takes.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub inputs: BTreeMap<String, FlakeEdge>,
    /// For an input given as a path relative to another flake (`path:./sub`), the input path
    /// (from the root) of the flake it is relative to (`parent`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<Vec<String>>,
    /// Node attributes Nix does not define, as JSON, so that nothing a file says is lost.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

impl FlakeInput {
    /// The fetcher type of the locked reference (`github`, `git`, `tarball`, …).
    pub fn kind(&self) -> Option<&str> {
        self.locked.get("type").and_then(FlakeAttr::as_str)
    }

    /// A string attribute of the locked reference (`rev`, `narHash`, `url`, …).
    pub fn locked_str(&self, name: &str) -> Option<&str> {
        self.locked.get(name).and_then(FlakeAttr::as_str)
    }
}

/// The value of a fetcher attribute: Nix allows strings, non-negative integers and booleans.
/// Written to JSON as the plain value (`"github"`, `1712345678`, `true`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum FlakeAttr {
    String(String),
    Integer(u64),
    Bool(bool),
}

impl FlakeAttr {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            FlakeAttr::String(s) => Some(s),
            _ => None,
        }
    }
}

/// Where one input of a node leads: straight to a node, or along a `follows` path of input
/// names taken from the root (empty: the root itself). Written to JSON as in the lock file: a
/// node key string, or an array of input names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(untagged)]
pub enum FlakeEdge {
    Node(String),
    Follows(Vec<String>),
}
