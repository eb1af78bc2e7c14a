//! The graph rules of a lock, checked after the schema: `root` names a node, every node but
//! the root has `locked` and `original`, every input names a node that exists (never the root:
//! Nix refuses that cycle), and every `follows` and `parent` path resolves from the root the
//! way Nix resolves it — input by input, following `follows` edges, and refusing a path that
//! comes back to itself. Each error points at the value that does not hold.

use super::{FlakeLock, Input};
use std::collections::BTreeMap;
use std::ops::Range;
use unilock_model::{Diagnostic, Span};

/// A value that is an input path, and each of its elements.
pub(super) type PathSpans = (Range<usize>, Vec<Range<usize>>);

/// Where the values the graph rules are about are in the text.
#[derive(Debug, Default)]
pub(super) struct Spans {
    /// The value of `root`.
    pub root: Range<usize>,
    /// Each node's key.
    pub node_keys: BTreeMap<String, Range<usize>>,
    /// (node, input) → the input's value and, for a `follows` path, each element.
    pub inputs: BTreeMap<(String, String), PathSpans>,
    /// node → its `parent` array and each element.
    pub parents: BTreeMap<String, PathSpans>,
}

/// Why a path does not resolve, and at which of its elements.
#[derive(Debug)]
pub(super) struct Unresolved {
    /// The element (0-based) of the path being resolved at which resolution failed.
    pub index: usize,
    pub reason: String,
}

/// Resolves an input path from the root to a node key.
pub(super) fn resolve<'l>(lock: &'l FlakeLock, path: &[String]) -> Result<&'l str, Unresolved> {
    resolve_in(lock, path, &mut Vec::new())
}

fn resolve_in<'l>(
    lock: &'l FlakeLock,
    path: &[String],
    visited: &mut Vec<Vec<String>>,
) -> Result<&'l str, Unresolved> {
    // Like Nix's `doFind`: a path met twice while resolving one path is a cycle.
    if let Some(first) = visited.iter().position(|p| p == path) {
        let mut cycle: Vec<String> = visited[first..].iter().map(|p| p.join("/")).collect();
        cycle.push(path.join("/"));
        return Err(Unresolved {
            index: 0,
            reason: format!("the `follows` paths form a cycle: {}", cycle.join(" -> ")),
        });
    }
    visited.push(path.to_vec());
    let mut at: &str = &lock.root;
    for (index, name) in path.iter().enumerate() {
        let edge = lock
            .nodes
            .get(at)
            .and_then(|n| n.inputs.as_ref())
            .and_then(|inputs| inputs.get(name));
        at = match edge {
            Some(Input::Node(key)) if lock.nodes.contains_key(key) => key,
            Some(Input::Node(key)) => {
                return Err(Unresolved {
                    index,
                    reason: format!("input `{name}` of node `{at}` names missing node `{key}`"),
                });
            }
            Some(Input::Follows(next)) => {
                resolve_in(lock, next, visited).map_err(|e| Unresolved {
                    index,
                    reason: e.reason,
                })?
            }
            None => {
                return Err(Unresolved {
                    index,
                    reason: format!("node `{at}` has no input `{name}`"),
                });
            }
        };
    }
    Ok(at)
}

/// Checks the graph rules; `spans` says where to point.
pub(super) fn check(
    lock: &FlakeLock,
    spans: &Spans,
    file: &str,
    text: &str,
) -> Result<(), Diagnostic> {
    let err = |span: &Range<usize>, message: String, expected: &str| {
        Diagnostic::invalid(message)
            .at(file, text, Span::new(span.start, span.end))
            .expected(expected.to_string())
    };
    if !lock.nodes.contains_key(&lock.root) {
        return Err(err(
            &spans.root,
            format!("`root` names node `{}`, which is not in `nodes`", lock.root),
            "the key of a node in `nodes` (Nix writes `root`)",
        ));
    }
    let no_span = 0..0;
    for (key, node) in &lock.nodes {
        let key_span = spans.node_keys.get(key).unwrap_or(&no_span);
        if *key != lock.root {
            for (field, value) in [("locked", &node.locked), ("original", &node.original)] {
                if value.is_none() {
                    return Err(err(
                        key_span,
                        format!("node `{key}` has no `{field}`"),
                        "`locked` and `original` on every node but the root",
                    ));
                }
            }
        }
        for (name, input) in node.inputs.iter().flatten() {
            let Input::Node(target) = input else { continue };
            let (span, _) = spans
                .inputs
                .get(&(key.clone(), name.clone()))
                .map_or((&no_span, None), |(s, e)| (s, Some(e)));
            if !lock.nodes.contains_key(target) {
                return Err(err(
                    span,
                    format!(
                        "input `{name}` of node `{key}` names node `{target}`, which is not in `nodes`"
                    ),
                    "the key of a node in `nodes`",
                ));
            }
            if *target == lock.root {
                return Err(err(
                    span,
                    format!("input `{name}` of node `{key}` leads back to the root node"),
                    "a node other than the root (follow the root with `[]`)",
                ));
            }
        }
    }
    for (key, node) in &lock.nodes {
        for (name, input) in node.inputs.iter().flatten() {
            let Input::Follows(path) = input else {
                continue;
            };
            let located = spans.inputs.get(&(key.clone(), name.clone()));
            if let Err(e) = resolve(lock, path) {
                let span = located
                    .and_then(|(whole, elements)| elements.get(e.index).or(Some(whole)))
                    .unwrap_or(&no_span);
                return Err(err(
                    span,
                    format!(
                        "input `{name}` of node `{key}` follows `{}`, which does not resolve: {}",
                        path.join("/"),
                        e.reason
                    ),
                    "a path of input names that leads, from the root, to a node",
                ));
            }
        }
        if let Some(parent) = &node.parent
            && let Err(e) = resolve(lock, parent)
        {
            let span = spans
                .parents
                .get(key)
                .and_then(|(whole, elements)| elements.get(e.index).or(Some(whole)))
                .unwrap_or(&no_span);
            return Err(err(
                span,
                format!(
                    "`parent` of node `{key}` is `{}`, which does not resolve: {}",
                    parent.join("/"),
                    e.reason
                ),
                "the input path, from the root, of the flake this input is relative to",
            ));
        }
    }
    Ok(())
}
