//! The unified model of a flake.lock: one [`FlakeInput`] per node, the root first (marked
//! `root`, its `inputs` being the flake's direct inputs), then the other nodes in key order,
//! each with its `locked` and `original` attributes (`type` included), its inputs, `flake =
//! false`, `parent` and any attributes Nix does not define. The way back
//! ([`FlakeLock::from_document`]) writes a version 7 lock from those nodes.
//!
//! What the unified model does not keep: the file's version (a lock written from the model is
//! version 7), a version 5 `info` apart from `locked` (it is merged in, as Nix reads it), an
//! explicit `"flake": true` (the default), and top-level keys Nix does not write.

use super::*;
use unilock_model::nix::FlakeInput;
use unilock_model::{Diagnostic, Document};

impl FlakeLock {
    /// The unified model: the root node first, then every other node in key order.
    pub fn to_document(&self) -> Document {
        let mut doc = Document::new("flake-lock");
        if let Some(root) = self.nodes.get(&self.root) {
            doc.flake_inputs.push(flake_input(&self.root, root, true));
        }
        for (key, node) in &self.nodes {
            if *key != self.root {
                doc.flake_inputs.push(flake_input(key, node, false));
            }
        }
        doc
    }

    /// A version 7 lock of the flake inputs of `doc`, checked by the same rules as a file
    /// (one root, every input leads to a node, every `follows` path resolves).
    pub fn from_document(doc: &Document) -> Result<FlakeLock, Diagnostic> {
        let mut roots = doc.flake_inputs.iter().filter(|i| i.root);
        let root = match (roots.next(), roots.next()) {
            (Some(root), None) => root.node.clone(),
            (None, _) => {
                return Err(Diagnostic::usage(
                    "the model has no root flake input, so no flake.lock can be written from it",
                ));
            }
            (Some(a), Some(b)) => {
                return Err(Diagnostic::usage(format!(
                    "the model has two root flake inputs, `{}` and `{}`",
                    a.node, b.node
                )));
            }
        };
        let mut nodes = BTreeMap::new();
        for input in &doc.flake_inputs {
            let node = Node {
                inputs: (!input.inputs.is_empty()).then(|| input.inputs.clone()),
                locked: flake_ref(&input.node, "locked", &input.locked)?,
                original: flake_ref(&input.node, "original", &input.original)?,
                info: None,
                flake: input.not_flake.then_some(false),
                parent: input.parent.clone(),
                unknown: input
                    .extra
                    .iter()
                    .map(|(k, v)| (k.clone(), from_value(v)))
                    .collect(),
                origin: None,
            };
            if nodes.insert(input.node.clone(), node).is_some() {
                return Err(Diagnostic::usage(format!(
                    "the model has two flake inputs named `{}`",
                    input.node
                )));
            }
        }
        let lock = FlakeLock {
            version: VERSION,
            root,
            nodes,
            unknown: BTreeMap::new(),
        };
        // The graph and attribute rules, exactly as for a file.
        parse("the unified model (as flake.lock)", &emit(&lock))?;
        Ok(lock)
    }
}

fn flake_input(key: &str, node: &Node, root: bool) -> FlakeInput {
    let mut locked = node
        .locked
        .as_ref()
        .map(FlakeRef::to_attrs)
        .unwrap_or_default();
    // Version 5 kept these apart; Nix reads them into the locked reference.
    for (k, v) in node.info.iter().flatten() {
        locked.insert(k.clone(), v.clone());
    }
    FlakeInput {
        node: key.to_string(),
        root,
        not_flake: node.flake == Some(false),
        original: node
            .original
            .as_ref()
            .map(FlakeRef::to_attrs)
            .unwrap_or_default(),
        locked,
        inputs: node.inputs.clone().unwrap_or_default(),
        parent: node.parent.clone(),
        extra: node
            .unknown
            .iter()
            .map(|(k, v)| (k.clone(), to_value(v)))
            .collect(),
        origin: node.origin.clone(),
    }
}

fn flake_ref(
    node: &str,
    field: &str,
    attrs: &BTreeMap<String, Attr>,
) -> Result<Option<FlakeRef>, Diagnostic> {
    if attrs.is_empty() {
        return Ok(None);
    }
    let mut attrs = attrs.clone();
    match attrs.remove("type") {
        Some(Attr::String(kind)) => Ok(Some(FlakeRef {
            kind: RefKind::from_name(&kind),
            attrs,
        })),
        _ => Err(Diagnostic::usage(format!(
            "flake input `{node}`: `{field}` has no `type` string"
        ))),
    }
}

fn to_value(json: &Json) -> serde_json::Value {
    use serde_json::Value;
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => n
            .parse::<serde_json::Number>()
            .map_or_else(|_| Value::String(n.clone()), Value::Number),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(to_value).collect()),
        Json::Object(members) => Value::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), to_value(v)))
                .collect(),
        ),
    }
}

fn from_value(value: &serde_json::Value) -> Json {
    use serde_json::Value;
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => Json::Number(n.to_string()),
        Value::String(s) => Json::String(s.clone()),
        Value::Array(items) => Json::Array(items.iter().map(from_value).collect()),
        Value::Object(members) => Json::Object(
            members
                .iter()
                .map(|(k, v)| (k.clone(), from_value(v)))
                .collect(),
        ),
    }
}
