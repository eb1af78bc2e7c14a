//! Reading flake.lock text into the typed [`FlakeLock`]: JSON through [`json`] (which keeps
//! where every key and value is), then the schema key by key — version, nodes, inputs,
//! fetcher attributes and their types — so each error names the line and column of the
//! offending key or value. The graph itself (root, node keys, `follows` paths) is checked
//! afterwards by [`check`](super::check).

use super::check::{self, Spans};
use super::json::{self, Kind, Member, Value};
use super::schema::{AttrType, is_flake_id, is_rev};
use super::*;
use std::ops::Range;
use unilock_model::{Diagnostic, LineIndex, Span};

/// Parses a flake.lock. `path` names the file in diagnostics.
pub fn parse(path: &str, text: &str) -> Result<FlakeLock, Diagnostic> {
    parse_with_warnings(path, text).map(|(lock, _)| lock)
}

/// Parses a flake.lock and says what it kept without understanding (unknown attributes and
/// types, keys written twice).
pub fn parse_with_warnings(
    path: &str,
    text: &str,
) -> Result<(FlakeLock, Vec<Warning>), Diagnostic> {
    let (top, duplicates) = json::parse(text).map_err(|e| {
        let d = Diagnostic::invalid(format!("not valid JSON: {}", e.message)).at(
            path,
            text,
            Span::new(e.offset, e.offset + 1),
        );
        if e.message.contains("expected") {
            d
        } else {
            d.expected("JSON text as Nix writes flake.lock")
        }
    })?;
    let mut cx = Cx {
        file: path,
        text,
        lines: LineIndex::new(text),
        warnings: Vec::new(),
        spans: Spans::default(),
    };
    for d in duplicates {
        cx.warn(
            &d.span,
            format!(
                "`{}` is written twice; the last value is used, as Nix does",
                d.key
            ),
        );
    }
    let lock = cx.lock(&top)?;
    check::check(&lock, &cx.spans, path, text)?;
    Ok((lock, cx.warnings))
}

struct Cx<'a> {
    file: &'a str,
    text: &'a str,
    /// Line starts of `text`, built once: every warning and input is located.
    lines: LineIndex,
    warnings: Vec<Warning>,
    spans: Spans,
}

type R<T> = Result<T, Diagnostic>;

/// An attribute value with the spans of its key and of its value.
type Located = (Attr, Range<usize>, Range<usize>);

const TOP: &str = "a flake.lock: a JSON object with `nodes`, `root` and `version`";

impl Cx<'_> {
    fn err(&self, span: &Range<usize>, message: String, expected: &str) -> Diagnostic {
        Diagnostic::invalid(message)
            .at(self.file, self.text, Span::new(span.start, span.end))
            .expected(expected.to_string())
    }

    fn warn(&mut self, span: &Range<usize>, message: String) {
        self.warnings.push(Warning {
            origin: self.lines.origin(self.file, self.text, span.start),
            message,
        });
    }

    fn wrong(&self, value: &Value, what: &str, expected: &str) -> Diagnostic {
        self.err(
            &value.span,
            format!("{what} is {}", value.kind.describe()),
            expected,
        )
    }

    fn object<'v, 'a>(
        &self,
        value: &'v Value<'a>,
        what: &str,
        expected: &str,
    ) -> R<&'v [Member<'a>]> {
        match &value.kind {
            Kind::Object(members) => Ok(members),
            _ => Err(self.wrong(value, what, expected)),
        }
    }

    fn string(&self, value: &Value, what: &str, expected: &str) -> R<String> {
        match &value.kind {
            Kind::String(s) => Ok(s.clone()),
            _ => Err(self.wrong(value, what, expected)),
        }
    }

    fn lock(&mut self, top: &Value) -> R<FlakeLock> {
        let members = self.object(top, "the lock file", TOP)?;
        let start = top.span.start..top.span.start + 1;
        // The version decides how the rest is read, so it is checked first, as Nix does.
        let version = match members.iter().find(|m| m.key == "version") {
            Some(m) => self.version(&m.value)?,
            None => {
                return Err(self.err(
                    &start,
                    "the lock file has no `version`".into(),
                    "`\"version\": 7` (Nix reads versions 5 to 7)",
                ));
            }
        };
        let mut root = None;
        let mut nodes = None;
        let mut unknown = BTreeMap::new();
        for m in members {
            match m.key.as_str() {
                "version" => {}
                "root" => {
                    root = Some(self.string(
                        &m.value,
                        "`root`",
                        "the key of the root node, a string",
                    )?);
                    self.spans.root = m.value.span.clone();
                }
                "nodes" => nodes = Some(self.nodes(&m.value)?),
                _ => {
                    self.warn(
                        &m.key_span,
                        format!(
                            "`{}` is not a flake.lock key Nix writes; kept as written",
                            m.key
                        ),
                    );
                    unknown.insert(m.key.clone(), to_json(&m.value));
                }
            }
        }
        let Some(nodes) = nodes else {
            return Err(self.err(&start, "the lock file has no `nodes`".into(), TOP));
        };
        let Some(root) = root else {
            return Err(self.err(
                &start,
                "the lock file has no `root`".into(),
                "`\"root\": \"root\"`, naming the node of the flake itself",
            ));
        };
        Ok(FlakeLock {
            version,
            root,
            nodes,
            unknown,
        })
    }

    fn version(&self, value: &Value) -> R<u64> {
        let expected = "a lock file version: 5, 6 or 7";
        let Kind::Number(n) = value.kind else {
            return Err(self.wrong(value, "`version`", expected));
        };
        match n.parse::<u64>() {
            Ok(v) if SUPPORTED_VERSIONS.contains(&v) => Ok(v),
            _ => Err(self
                .err(
                    &value.span,
                    format!("unsupported flake.lock version {n}"),
                    expected,
                )
                .note("Nix 2.4 and later write version 7")),
        }
    }

    fn nodes(&mut self, value: &Value) -> R<BTreeMap<String, Node>> {
        let members = self.object(value, "`nodes`", "an object of node key → node")?;
        let mut nodes = BTreeMap::new();
        for m in members {
            self.spans
                .node_keys
                .insert(m.key.clone(), m.key_span.clone());
            let node = self.node(m)?;
            nodes.insert(m.key.clone(), node);
        }
        Ok(nodes)
    }

    fn node(&mut self, member: &Member) -> R<Node> {
        let key = &member.key;
        let members = self.object(
            &member.value,
            &format!("node `{key}`"),
            "a node: an object with `inputs`, `locked`, `original`",
        )?;
        let mut node = Node {
            origin: Some(
                self.lines
                    .origin(self.file, self.text, member.key_span.start),
            ),
            ..Node::default()
        };
        // Version 5's `info` is read into `locked` (as Nix does), so `locked` is checked with it.
        let info = match members.iter().find(|m| m.key == "info") {
            Some(m) => Some(self.info(&format!("`nodes.{key}.info`"), &m.value)?),
            None => None,
        };
        for m in members {
            let what = format!("`nodes.{key}.{}`", m.key);
            match m.key.as_str() {
                "inputs" => node.inputs = Some(self.inputs(key, &m.value)?),
                "locked" => node.locked = Some(self.flake_ref(&what, m, info.as_ref())?),
                "original" => node.original = Some(self.flake_ref(&what, m, None)?),
                "info" => {
                    let attrs = info.clone().unwrap_or_default();
                    node.info = Some(attrs.into_iter().map(|(k, (v, ..))| (k, v)).collect());
                }
                "flake" => match m.value.kind {
                    Kind::Bool(b) => node.flake = Some(b),
                    _ => return Err(self.wrong(&m.value, &what, "`false` (or `true`)")),
                },
                "parent" => {
                    let (path, spans) = self.path(&what, &m.value)?;
                    self.spans
                        .parents
                        .insert(key.clone(), (m.value.span.clone(), spans));
                    node.parent = Some(path);
                }
                _ => {
                    self.warn(
                        &m.key_span,
                        format!("{what} is not a node attribute Nix writes; kept as written"),
                    );
                    node.unknown.insert(m.key.clone(), to_json(&m.value));
                }
            }
        }
        Ok(node)
    }

    fn inputs(&mut self, node: &str, value: &Value) -> R<BTreeMap<String, Input>> {
        let what = format!("`nodes.{node}.inputs`");
        let members = self.object(
            value,
            &what,
            "an object of input name → node key or `follows` path",
        )?;
        let mut inputs = BTreeMap::new();
        for m in members {
            let what = format!("input `{}` of node `{node}`", m.key);
            let (input, elements) = match &m.value.kind {
                Kind::String(s) => (Input::Node(s.clone()), Vec::new()),
                Kind::Array(_) => {
                    let (path, spans) = self.path(&what, &m.value)?;
                    (Input::Follows(path), spans)
                }
                _ => {
                    return Err(self.wrong(
                        &m.value,
                        &what,
                        "a node key (a string) or a `follows` path (an array of input names)",
                    ));
                }
            };
            self.spans.inputs.insert(
                (node.to_string(), m.key.clone()),
                (m.value.span.clone(), elements),
            );
            inputs.insert(m.key.clone(), input);
        }
        Ok(inputs)
    }

    /// An input path: an array of input names, with the span of each.
    fn path(&self, what: &str, value: &Value) -> R<(Vec<String>, Vec<Range<usize>>)> {
        let expected = "an input path: an array of input names";
        let Kind::Array(items) = &value.kind else {
            return Err(self.wrong(value, what, expected));
        };
        let mut path = Vec::new();
        let mut spans = Vec::new();
        for (i, item) in items.iter().enumerate() {
            path.push(self.string(item, &format!("element {} of {what}", i + 1), expected)?);
            spans.push(item.span.clone());
        }
        Ok((path, spans))
    }

    /// Fetcher attributes: every value a string, a non-negative integer or a boolean, with
    /// the span of its key and of its value.
    fn attrs(&self, what: &str, value: &Value) -> R<BTreeMap<String, Located>> {
        let members = self.object(value, what, "an object of fetcher attributes")?;
        let mut attrs = BTreeMap::new();
        for m in members {
            let attr = match &m.value.kind {
                Kind::String(s) => Attr::String(s.clone()),
                Kind::Bool(b) => Attr::Bool(*b),
                Kind::Number(n) => match n.parse::<u64>() {
                    Ok(n) => Attr::Integer(n),
                    Err(_) => {
                        return Err(self.err(
                            &m.value.span,
                            format!("`{}` of {what} is {n}", m.key),
                            "a non-negative integer",
                        ));
                    }
                },
                _ => {
                    return Err(self.wrong(
                        &m.value,
                        &format!("`{}` of {what}", m.key),
                        "a string, a non-negative integer or a boolean (Nix allows no other attribute values)",
                    ));
                }
            };
            attrs.insert(
                m.key.clone(),
                (attr, m.key_span.clone(), m.value.span.clone()),
            );
        }
        Ok(attrs)
    }

    /// Version 5's `info`: attributes Nix adds to `locked`; never its `type`.
    fn info(&self, what: &str, value: &Value) -> R<BTreeMap<String, Located>> {
        let attrs = self.attrs(what, value)?;
        if let Some((_, key_span, _)) = attrs.get("type") {
            return Err(self.err(
                key_span,
                format!("{what} sets `type`"),
                "only attributes added to `locked`, such as `narHash` and `lastModified`",
            ));
        }
        Ok(attrs)
    }

    /// A `locked` or `original` reference, checked against its type's attributes (with
    /// `info`'s, which Nix adds to `locked`).
    fn flake_ref(
        &mut self,
        what: &str,
        member: &Member,
        info: Option<&BTreeMap<String, Located>>,
    ) -> R<FlakeRef> {
        let mut attrs = self.attrs(what, &member.value)?;
        let kind = match attrs.remove("type") {
            Some((Attr::String(t), ..)) => RefKind::from_name(&t),
            Some((_, _, span)) => {
                return Err(self.err(
                    &span,
                    format!("`type` of {what} is not a string"),
                    "a fetcher type such as \"github\", \"git\" or \"tarball\"",
                ));
            }
            None => {
                return Err(self.err(
                    &member.key_span,
                    format!("{what} has no `type`"),
                    "a fetcher type such as \"github\", \"git\" or \"tarball\"",
                ));
            }
        };
        let own: BTreeMap<String, Attr> = attrs
            .iter()
            .map(|(k, (v, ..))| (k.clone(), v.clone()))
            .collect();
        attrs.extend(
            info.into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        let Some(schema) = kind.attributes() else {
            self.warn(
                &member.key_span,
                format!(
                    "{what} has type `{}`, which unilock does not know; its attributes are kept unchecked",
                    kind.name()
                ),
            );
            return Ok(FlakeRef { kind, attrs: own });
        };
        for spec in schema {
            if spec.required && !attrs.contains_key(spec.name) {
                return Err(self.err(
                    &member.key_span,
                    format!("{what} has no `{}`", spec.name),
                    &format!(
                        "`{}` ({}) in a `{}` reference",
                        spec.name,
                        spec.ty.expected(),
                        kind.name()
                    ),
                ));
            }
        }
        let mut unknown = Vec::new();
        for (name, (value, key_span, span)) in &attrs {
            let Some(spec) = schema.iter().find(|s| s.name == name) else {
                unknown.push((name.clone(), key_span.clone()));
                continue;
            };
            let ok = match (spec.ty, value) {
                (AttrType::String, Attr::String(_)) => true,
                (AttrType::Integer, Attr::Integer(_)) => true,
                (AttrType::Bool, Attr::Bool(_)) => true,
                (AttrType::Rev, Attr::String(s)) => is_rev(s),
                (AttrType::FlakeId, Attr::String(s)) => is_flake_id(s),
                _ => false,
            };
            if !ok {
                return Err(self.err(
                    span,
                    format!("`{name}` of {what} is {}", describe(value)),
                    spec.ty.expected(),
                ));
            }
        }
        for (name, span) in unknown {
            self.warn(
                &span,
                format!(
                    "`{name}` of {what} is not an attribute Nix defines for `{}` references; kept as written",
                    kind.name()
                ),
            );
        }
        Ok(FlakeRef { kind, attrs: own })
    }
}

/// An attribute value for messages.
fn describe(value: &Attr) -> String {
    match value {
        Attr::String(s) => format!("\"{s}\""),
        Attr::Integer(n) => format!("the number {n}"),
        Attr::Bool(b) => format!("`{b}`"),
    }
}

/// A JSON value kept as data.
fn to_json(value: &Value) -> Json {
    match &value.kind {
        Kind::Null => Json::Null,
        Kind::Bool(b) => Json::Bool(*b),
        Kind::Number(n) => Json::Number(n.to_string()),
        Kind::String(s) => Json::String(s.clone()),
        Kind::Array(items) => Json::Array(items.iter().map(to_json).collect()),
        Kind::Object(members) => Json::Object(
            members
                .iter()
                .map(|m| (m.key.clone(), to_json(&m.value)))
                .collect(),
        ),
    }
}
