//! Writing a [`FlakeLock`] the way Nix does: the lock as a JSON tree, printed like
//! nlohmann::json's `dump(2)` — object keys sorted bytewise, two spaces of indentation per
//! level, `"key": value`, empty objects and arrays as `{}` and `[]`, strings with only `"`,
//! `\` and control characters escaped (`\b \f \n \r \t`, the rest as lowercase `\u00xx`),
//! other characters as UTF-8 — and a final newline.

use super::*;

/// The text of `lock`, byte for byte as Nix writes it.
pub fn emit(lock: &FlakeLock) -> String {
    let mut out = String::new();
    write(&mut out, &to_json(lock), 0);
    out.push('\n');
    out
}

/// The lock as the JSON tree Nix writes (unknown keys where they were).
fn to_json(lock: &FlakeLock) -> Json {
    let mut top = lock.unknown.clone();
    let nodes = lock
        .nodes
        .iter()
        .map(|(key, node)| (key.clone(), node_json(node)))
        .collect();
    top.insert("nodes".into(), Json::Object(nodes));
    top.insert("root".into(), Json::String(lock.root.clone()));
    top.insert("version".into(), Json::Number(lock.version.to_string()));
    Json::Object(top)
}

fn node_json(node: &Node) -> Json {
    let mut n = node.unknown.clone();
    if let Some(inputs) = &node.inputs {
        let inputs = inputs
            .iter()
            .map(|(name, input)| (name.clone(), input_json(input)))
            .collect();
        n.insert("inputs".into(), Json::Object(inputs));
    }
    if let Some(locked) = &node.locked {
        n.insert("locked".into(), attrs_json(&locked.to_attrs()));
    }
    if let Some(original) = &node.original {
        n.insert("original".into(), attrs_json(&original.to_attrs()));
    }
    if let Some(info) = &node.info {
        n.insert("info".into(), attrs_json(info));
    }
    if let Some(flake) = node.flake {
        n.insert("flake".into(), Json::Bool(flake));
    }
    if let Some(parent) = &node.parent {
        n.insert("parent".into(), strings(parent));
    }
    Json::Object(n)
}

fn input_json(input: &Input) -> Json {
    match input {
        Input::Node(key) => Json::String(key.clone()),
        Input::Follows(path) => strings(path),
    }
}

fn strings(items: &[String]) -> Json {
    Json::Array(items.iter().cloned().map(Json::String).collect())
}

fn attrs_json(attrs: &BTreeMap<String, Attr>) -> Json {
    Json::Object(
        attrs
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Attr::String(s) => Json::String(s.clone()),
                    Attr::Integer(n) => Json::Number(n.to_string()),
                    Attr::Bool(b) => Json::Bool(*b),
                };
                (k.clone(), v)
            })
            .collect(),
    )
}

/// Writes `value` as nlohmann's `dump(2)` does, its first line already indented by the caller.
pub(super) fn write(out: &mut String, value: &Json, depth: usize) {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => out.push_str(n),
        Json::String(s) => string(out, s),
        Json::Array(items) if items.is_empty() => out.push_str("[]"),
        Json::Object(members) if members.is_empty() => out.push_str("{}"),
        Json::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                indent(out, depth + 1);
                write(out, item, depth + 1);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            indent(out, depth);
            out.push(']');
        }
        Json::Object(members) => {
            out.push_str("{\n");
            for (i, (key, item)) in members.iter().enumerate() {
                indent(out, depth + 1);
                string(out, key);
                out.push_str(": ");
                write(out, item, depth + 1);
                out.push_str(if i + 1 < members.len() { ",\n" } else { "\n" });
            }
            indent(out, depth);
            out.push('}');
        }
    }
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

/// A JSON string with nlohmann's escapes.
fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}
