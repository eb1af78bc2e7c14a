//! Nix `flake.lock` (and devenv's `devenv.lock`, the same schema): the typed model of the file
//! ([`FlakeLock`]), its parser ([`parse`]) with located diagnostics, its writer in Nix's own
//! layout ([`emit`]), and the mapping to and from the unified model
//! ([`FlakeLock::to_document`], [`FlakeLock::from_document`]).
//!
//! A lock is a graph: `nodes` maps node keys to nodes, `root` names the node of the flake
//! itself, and each node's `inputs` lead either to another node (by key) or along a `follows`
//! path of input names taken from the root. Every other node pins one source: `original` is
//! the reference the user wrote, `locked` what it resolved to; both are fetcher attributes
//! with a `type` (`github`, `git`, `tarball`, …; see [`RefKind`]). Versions 5 to 7 are read
//! (version 5 kept `narHash` and `lastModified` apart, under `info`); new files are written as
//! version 7.
//!
//! Nix writes the file with nlohmann::json's `dump(2)` and a newline: keys sorted bytewise,
//! two-space indentation, `": "` between key and value. [`emit`] writes exactly that, so a
//! file Nix wrote re-emits byte for byte. Anything the model does not know — node attributes,
//! attributes of a known type Nix did not define, types unilock does not know, top-level keys —
//! is kept (with a warning) and written back where it was.

mod check;
mod document;
mod emit;
mod json;
mod parse;
mod schema;
#[cfg(test)]
mod tests;

pub use emit::emit;
pub use parse::{parse, parse_with_warnings};
pub use schema::RefKind;
/// An attribute value (string, non-negative integer or boolean) and an input's edge (a node
/// key or a `follows` path): the same in the file and in the unified model.
pub use unilock_model::nix::{FlakeAttr as Attr, FlakeEdge as Input};

use std::collections::BTreeMap;
use std::fmt;
use unilock_model::Origin;

/// The version this module writes for new files.
pub const VERSION: u64 = 7;
/// The versions Nix reads, and so does unilock.
pub const SUPPORTED_VERSIONS: std::ops::RangeInclusive<u64> = 5..=7;

/// One flake.lock file.
#[derive(Debug, Clone, PartialEq)]
pub struct FlakeLock {
    /// `version`: 5, 6 or 7.
    pub version: u64,
    /// `root`: the key of the node of the flake itself (Nix always writes `root`).
    pub root: String,
    /// `nodes`, by key (sorted, as Nix writes them).
    pub nodes: BTreeMap<String, Node>,
    /// Top-level keys Nix does not write, as JSON.
    pub unknown: BTreeMap<String, Json>,
}

/// One node of the graph: the root (usually only `inputs`) or a locked input.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Node {
    /// `inputs`: input name → where it leads. `None` when the key is absent (Nix leaves it
    /// out when a node has no inputs).
    pub inputs: Option<BTreeMap<String, Input>>,
    /// `locked`: what the input resolved to. Required on every node but the root.
    pub locked: Option<FlakeRef>,
    /// `original`: the reference as written in `flake.nix`. Required on every node but the root.
    pub original: Option<FlakeRef>,
    /// `info` (version 5 only): attributes Nix merges into `locked` (`narHash`, `lastModified`).
    pub info: Option<BTreeMap<String, Attr>>,
    /// `flake`: `false` for an input that is plain source, not a flake (Nix writes only `false`).
    pub flake: Option<bool>,
    /// `parent`: for an input relative to another flake (`path:./sub`), that flake's input path.
    pub parent: Option<Vec<String>>,
    /// Node attributes Nix does not write, as JSON.
    pub unknown: BTreeMap<String, Json>,
    /// Where the node's key is in the file.
    pub origin: Option<Origin>,
}

/// A flake reference as fetcher attributes: its type and the other attributes (`owner`,
/// `repo`, `rev`, `narHash`, `lastModified`, `url`, `dir`, …), which [`RefKind`] checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlakeRef {
    pub kind: RefKind,
    /// Every attribute but `type`.
    pub attrs: BTreeMap<String, Attr>,
}

impl FlakeRef {
    /// A string attribute.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.attrs.get(name).and_then(Attr::as_str)
    }

    /// An integer attribute (`lastModified`, `revCount`).
    pub fn get_int(&self, name: &str) -> Option<u64> {
        match self.attrs.get(name) {
            Some(Attr::Integer(n)) => Some(*n),
            _ => None,
        }
    }

    /// The commit (`rev`).
    pub fn rev(&self) -> Option<&str> {
        self.get_str("rev")
    }

    /// The NAR hash of the fetched tree, as SRI (`sha256-…`).
    pub fn nar_hash(&self) -> Option<&str> {
        self.get_str("narHash")
    }

    /// The attributes with `type` among them, as the file writes them.
    pub fn to_attrs(&self) -> BTreeMap<String, Attr> {
        let mut attrs = self.attrs.clone();
        attrs.insert("type".into(), Attr::String(self.kind.name().to_string()));
        attrs
    }
}

/// A JSON value kept as data (unknown keys). Numbers keep their text, so they are written
/// back as they were read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(BTreeMap<String, Json>),
}

/// Something a lock says that unilock keeps without understanding it, or that Nix reads
/// differently from how it looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub origin: Origin,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: warning: {}", self.origin, self.message)
    }
}

impl FlakeLock {
    /// The root node.
    pub fn root_node(&self) -> Option<&Node> {
        self.nodes.get(&self.root)
    }

    /// The node an input path (input names from the root) leads to, following `follows`
    /// edges as Nix does; `None` if the path leads nowhere or around a cycle.
    pub fn resolve(&self, path: &[String]) -> Option<&str> {
        check::resolve(self, path).ok()
    }
}
