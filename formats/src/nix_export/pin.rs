//! Which nixpkgs the flake uses, and its `flake.lock`.
//!
//! Two ways in, from [`NixOptions`]:
//!
//! - **An input flake.lock** (`--nixpkgs-from`): the node its root input `nixpkgs` leads to
//!   (following `follows`) is copied as it is — `locked` with `rev`, `narHash` and
//!   `lastModified`, and `original` — so the written lock is complete and `nix develop` uses it
//!   without touching the network for locking. The node must be locked (a `narHash`) and have
//!   no inputs of its own (nixpkgs has none). With `--nixpkgs-rev` too, the two must name the
//!   same commit.
//! - **A commit** (`--nixpkgs-rev`, 40 hexadecimal digits): the input is
//!   `github:NixOS/nixpkgs/<rev>`, and the lock's node has the `rev` but no `narHash` and no
//!   `lastModified`: those are hashes of the fetched tree, which cannot be known without
//!   fetching it. Nix fills them on the first `nix flake lock` (or `nix develop`), which needs
//!   the network once; the pin itself cannot move, since the flake.nix names the commit.
//!
//! With neither, the export is refused (exit 2): an unpinned nixpkgs is what this output exists
//! to avoid. The flake.nix names the input with the same attributes as the lock's `original`
//! (an attribute-set flake reference), so Nix sees the lock as current.

use super::NixOptions;
use crate::flake_lock::{self, Attr, FlakeLock, FlakeRef, Input, Node, RefKind};
use std::collections::BTreeMap;
use unilock_model::Diagnostic;

/// What the input flake.lock is called in messages.
const INPUT_LOCK: &str = "flake.lock (--nixpkgs-from)";

/// The pinned nixpkgs: the flake input's attributes and the lock text.
#[derive(Debug)]
pub(super) struct Pinned {
    /// The attributes of `inputs.nixpkgs` in flake.nix (`type` included), sorted.
    pub original: BTreeMap<String, Attr>,
    pub flake_lock: String,
    /// What the reader must know about the pin.
    pub note: String,
}

pub(super) fn pin(options: &NixOptions) -> Result<Pinned, Diagnostic> {
    if let Some(rev) = &options.nixpkgs_rev
        && !(rev.len() == 40
            && rev
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    {
        return Err(
            Diagnostic::usage(format!("--nixpkgs-rev `{rev}` is not a nixpkgs commit"))
                .expected("a full commit hash: 40 lowercase hexadecimal digits"),
        );
    }
    let node = match (&options.input_flake_lock, &options.nixpkgs_rev) {
        (Some(text), rev) => from_input_lock(text, rev.as_deref())?,
        (None, Some(rev)) => {
            let mut attrs = BTreeMap::new();
            attrs.insert("owner".to_string(), Attr::String("NixOS".into()));
            attrs.insert("repo".to_string(), Attr::String("nixpkgs".into()));
            attrs.insert("rev".to_string(), Attr::String(rev.clone()));
            let reference = FlakeRef {
                kind: RefKind::GitHub,
                attrs,
            };
            Node {
                locked: Some(reference.clone()),
                original: Some(reference),
                ..Node::default()
            }
        }
        (None, None) => {
            return Err(Diagnostic::usage(
                "the Nix export needs a pinned nixpkgs, and none was given",
            )
            .note("pass `--nixpkgs-rev REV` (a nixpkgs commit; `nix flake lock` then fills its narHash once, with network)")
            .note("or `--nixpkgs-from flake.lock` to take the locked nixpkgs of an existing flake (rev, narHash and lastModified)"));
        }
    };
    let locked = node.locked.clone().unwrap_or_else(|| FlakeRef {
        kind: RefKind::GitHub,
        attrs: BTreeMap::new(),
    });
    let note = match (&options.input_flake_lock, locked.nar_hash()) {
        (Some(_), _) => format!(
            "nixpkgs: the locked `nixpkgs` of the input flake.lock ({}{}), copied with its narHash",
            locked.kind.name(),
            locked
                .rev()
                .map(|r| format!(" rev {r}"))
                .unwrap_or_default()
        ),
        (None, _) => format!(
            "nixpkgs: github NixOS/nixpkgs rev {}; flake.lock has no narHash yet (it cannot be computed without fetching nixpkgs): run `nix flake lock` once with network to add it",
            locked.rev().unwrap_or_default()
        ),
    };
    let original = node
        .original
        .as_ref()
        .map(FlakeRef::to_attrs)
        .unwrap_or_default();
    let mut root_inputs = BTreeMap::new();
    root_inputs.insert("nixpkgs".to_string(), Input::Node("nixpkgs".into()));
    let mut nodes = BTreeMap::new();
    nodes.insert(
        "root".to_string(),
        Node {
            inputs: Some(root_inputs),
            ..Node::default()
        },
    );
    nodes.insert(
        "nixpkgs".to_string(),
        Node {
            origin: None,
            ..node
        },
    );
    let lock = FlakeLock {
        version: flake_lock::VERSION,
        root: "root".into(),
        nodes,
        unknown: BTreeMap::new(),
    };
    let flake_lock = flake_lock::emit(&lock);
    // The graph and attribute rules, as for any flake.lock unilock reads.
    flake_lock::parse("the written flake.lock", &flake_lock)?;
    Ok(Pinned {
        original,
        flake_lock,
        note,
    })
}

/// The locked nixpkgs node of an input flake.lock.
fn from_input_lock(text: &str, rev: Option<&str>) -> Result<Node, Diagnostic> {
    let lock = flake_lock::parse(INPUT_LOCK, text)?;
    let root_inputs: Vec<&str> = lock
        .root_node()
        .and_then(|r| r.inputs.as_ref())
        .map(|i| i.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let key = lock.resolve(&["nixpkgs".to_string()]).ok_or_else(|| {
        Diagnostic::invalid(format!(
            "{INPUT_LOCK}: the root has no input `nixpkgs` to take nixpkgs from (its inputs: {})",
            if root_inputs.is_empty() {
                "none".to_string()
            } else {
                root_inputs.join(", ")
            }
        ))
        .note("give the flake.lock of a flake whose nixpkgs input is named `nixpkgs`, or pass --nixpkgs-rev")
    })?;
    let Some(mut node) = lock.nodes.get(key).cloned() else {
        return Err(Diagnostic::invalid(format!(
            "{INPUT_LOCK}: the input `nixpkgs` leads to node `{key}`, which the lock lacks"
        )));
    };
    // Version 5 kept `narHash` and `lastModified` under `info`; Nix reads them into `locked`.
    if let (Some(info), Some(locked)) = (node.info.take(), node.locked.as_mut()) {
        locked.attrs.extend(info);
    }
    let locked = node.locked.as_ref();
    if locked.and_then(FlakeRef::nar_hash).is_none() {
        return Err(Diagnostic::invalid(format!(
            "{INPUT_LOCK}: node `{key}` (the input `nixpkgs`) is not locked: its `locked` has no `narHash`"
        ))
        .note("run `nix flake lock` in that flake first, or pass --nixpkgs-rev"));
    }
    if node.inputs.as_ref().is_some_and(|i| !i.is_empty()) {
        return Err(Diagnostic::invalid(format!(
            "{INPUT_LOCK}: node `{key}` (the input `nixpkgs`) has inputs of its own; the export copies a nixpkgs node without inputs"
        )));
    }
    if let Some(rev) = rev {
        let found = locked.and_then(FlakeRef::rev);
        if found != Some(rev) {
            return Err(Diagnostic::usage(format!(
                "--nixpkgs-rev {rev} and the nixpkgs of the input flake.lock ({}) differ",
                found.map_or("no rev".to_string(), |r| format!("rev {r}"))
            ))
            .note("pass one of them, or the same commit in both"));
        }
    }
    Ok(Node {
        info: None,
        parent: None,
        ..node
    })
}
