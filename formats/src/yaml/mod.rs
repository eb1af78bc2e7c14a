//! YAML shared by the conda lock formats: reading a document into a tree whose every node can
//! be pointed at (file, line, column) when it turns out to be wrong, and ([`pyyaml`]) writing
//! YAML the way PyYAML does.
//!
//! Reading goes through `serde_yaml`, the YAML crate rattler uses. Its tree
//! ([`serde_yaml::Value`]) keeps mapping order but not positions, so a [`Node`] carries the
//! path from the root instead; only when a value is refused is the text read a second time
//! (by [`locate`]) to find where that path starts. A valid file therefore costs one parse.

mod depth;
mod locate;
pub(crate) mod pyyaml;
mod pyyaml_scalars;

pub(crate) use locate::locate;

use serde_yaml::Value;
use unilock_model::{Diagnostic, Span};

/// One step from a node to a child: the `n`th item of a sequence, or the key or the value of
/// the `n`th entry of a mapping (in file order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seg {
    Item(usize),
    Key(usize),
    Value(usize),
}

/// The text a tree was read from, for diagnostics.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'t> {
    pub file: &'t str,
    pub text: &'t str,
}

type R<T> = Result<T, Diagnostic>;

/// Refuses a text whose flow collections nest deeper than `serde_yaml` reads, before handing
/// it over (see [`depth`]): located at the bracket one level too deep. `what` names the
/// expected file.
pub(crate) fn check_depth(file: &str, text: &str, what: &str) -> R<()> {
    match depth::too_deep(text, depth::MAX_DEPTH) {
        None => Ok(()),
        Some(at) => Err(Diagnostic::invalid(format!(
            "not valid YAML: collections nested more than {} levels deep",
            depth::MAX_DEPTH
        ))
        .at(file, text, Span::new(at, at + 1))
        .expected(what.to_string())),
    }
}

/// Reads `text` as one YAML document. `what` names the expected file in the diagnostic
/// (`a conda-lock.yml file`).
pub(crate) fn parse(src: Source<'_>, what: &str) -> R<Value> {
    check_depth(src.file, src.text, what)?;
    serde_yaml::from_str::<Value>(src.text).map_err(|e| {
        // libyaml's messages name the place of the problem and, after "while …", of the
        // construct it was reading; the positions go into the location, not the text.
        let full = e.to_string();
        let (marks, message): (Vec<(usize, usize)>, String) = match MARK.as_ref() {
            Some(re) => (
                re.captures_iter(&full)
                    .filter_map(|c| Some((c[1].parse().ok()?, c[2].parse().ok()?)))
                    .collect(),
                re.replace_all(&full, "").into_owned(),
            ),
            None => (Vec::new(), full.clone()),
        };
        let mut start = e.location().map_or(0, |l| l.index());
        // Running out of input is noticed at the end; the unfinished construct is the news.
        if message.contains("end of stream") && marks.len() > 1 {
            let (line, column) = marks[marks.len() - 1];
            start = offset_of(src.text, line, column).unwrap_or(start);
        }
        let start = start.min(src.text.len());
        Diagnostic::invalid(format!("not valid YAML: {message}"))
            .at(src.file, src.text, Span::new(start, start + 1))
            .expected(what.to_string())
    })
}

static MARK: std::sync::LazyLock<Option<regex::Regex>> =
    std::sync::LazyLock::new(|| regex::Regex::new(r" at line (\d+) column (\d+)").ok());

/// The byte offset of a 1-based line and character column.
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let start = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum::<usize>();
    let rest = text.get(start..)?;
    let col = rest
        .char_indices()
        .nth(column.checked_sub(1)?)
        .map_or(rest.len(), |(i, _)| i);
    Some(start + col)
}

/// A node of a parsed document with the path that leads to it, so errors about it can name
/// its place in the file.
#[derive(Clone)]
pub(crate) struct Node<'a> {
    pub value: &'a Value,
    path: Vec<Seg>,
    src: Source<'a>,
}

impl<'a> Node<'a> {
    pub fn root(value: &'a Value, src: Source<'a>) -> Self {
        Node {
            value,
            path: Vec::new(),
            src,
        }
    }

    fn child(&self, value: &'a Value, seg: Seg) -> Node<'a> {
        let mut path = Vec::with_capacity(self.path.len() + 1);
        path.extend_from_slice(&self.path);
        path.push(seg);
        Node {
            value,
            path,
            src: self.src,
        }
    }

    /// An error about this node: located at its first character.
    pub fn error(&self, message: impl Into<String>, expected: impl Into<String>) -> Diagnostic {
        error_at(self.src, &self.path, message.into(), expected.into())
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// What kind of YAML value this is, for messages (`a mapping`, `the number 3`).
    pub fn describe(&self) -> String {
        describe(self.value)
    }

    /// The entries of a mapping, in file order, with string keys. `what` names the mapping.
    pub fn entries(&self, what: &str) -> R<Vec<Entry<'a>>> {
        let Value::Mapping(map) = self.value else {
            return Err(self.error(
                format!("{what} must be a mapping, not {}", self.describe()),
                "a mapping of `key: value` lines",
            ));
        };
        let mut out = Vec::with_capacity(map.len());
        for (i, (k, v)) in map.iter().enumerate() {
            let key_node = self.child(k, Seg::Key(i));
            let key = match k {
                Value::String(s) => s.clone(),
                Value::Number(_) | Value::Bool(_) => key_node.raw_scalar(),
                _ => {
                    return Err(key_node.error(
                        format!("keys of {what} must be strings, not {}", describe(k)),
                        "a plain key",
                    ));
                }
            };
            out.push(Entry {
                key,
                key_node,
                value: self.child(v, Seg::Value(i)),
            });
        }
        Ok(out)
    }

    /// The items of a sequence. `what` names the sequence.
    pub fn items(&self, what: &str) -> R<Vec<Node<'a>>> {
        let Value::Sequence(seq) = self.value else {
            return Err(self.error(
                format!("{what} must be a list, not {}", self.describe()),
                "a list of `- item` lines",
            ));
        };
        Ok(seq
            .iter()
            .enumerate()
            .map(|(i, v)| self.child(v, Seg::Item(i)))
            .collect())
    }

    /// A string value. Plain scalars that YAML reads as numbers or booleans (`version: 1.10`)
    /// are taken as the text they were written as.
    pub fn string(&self, what: &str) -> R<String> {
        match self.value {
            Value::String(s) => Ok(s.clone()),
            Value::Number(_) | Value::Bool(_) => Ok(self.raw_scalar()),
            _ => Err(self.error(
                format!("{what} must be a string, not {}", self.describe()),
                "a string",
            )),
        }
    }

    /// A string that must not be empty.
    pub fn nonempty_string(&self, what: &str) -> R<String> {
        let s = self.string(what)?;
        if s.trim().is_empty() {
            return Err(self.error(format!("{what} is empty"), "a non-empty string"));
        }
        Ok(s)
    }

    /// A string, or `None` for `null`.
    pub fn opt_string(&self, what: &str) -> R<Option<String>> {
        if self.is_null() {
            return Ok(None);
        }
        self.string(what).map(Some)
    }

    /// A non-negative integer.
    pub fn u64(&self, what: &str) -> R<u64> {
        match self.value {
            Value::Number(n) => n.as_u64().ok_or_else(|| {
                self.error(
                    format!("{what} must be a whole number of 0 or more, not {n}"),
                    "a whole number",
                )
            }),
            _ => Err(self.error(
                format!("{what} must be a number, not {}", self.describe()),
                "a whole number",
            )),
        }
    }

    /// `true` or `false`.
    pub fn bool(&self, what: &str) -> R<bool> {
        match self.value {
            Value::Bool(b) => Ok(*b),
            _ => Err(self.error(
                format!("{what} must be true or false, not {}", self.describe()),
                "`true` or `false`",
            )),
        }
    }

    /// A list of strings.
    pub fn strings(&self, what: &str) -> R<Vec<String>> {
        self.items(what)?
            .iter()
            .map(|item| item.string(&format!("an item of {what}")))
            .collect()
    }

    /// The text a number or boolean was written as, read back from the source (YAML keeps
    /// only the value); the value's own spelling when the text cannot be found.
    fn raw_scalar(&self) -> String {
        let fallback = || match self.value {
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => String::new(),
        };
        let Some(start) = locate(self.src.text, &self.path) else {
            return fallback();
        };
        let rest = &self.src.text[start..];
        let end = rest
            .find(|c: char| c.is_whitespace() || ",]}#".contains(c))
            .unwrap_or(rest.len());
        let raw = rest[..end].trim_end_matches(':');
        if raw.is_empty() || raw.starts_with(['\'', '"', '!', '&', '*']) {
            fallback()
        } else {
            raw.to_string()
        }
    }
}

/// A mapping entry: its key as text, and nodes for the key and the value.
#[derive(Clone)]
pub(crate) struct Entry<'a> {
    pub key: String,
    pub key_node: Node<'a>,
    pub value: Node<'a>,
}

impl Entry<'_> {
    /// "unknown key" error at the key, listing the keys that are allowed.
    pub fn unknown(&self, in_what: &str, allowed: &[&str]) -> Diagnostic {
        let list: Vec<String> = allowed.iter().map(|k| format!("`{k}`")).collect();
        self.key_node.error(
            format!("unknown key `{}` in {in_what}", self.key),
            format!("one of {}", list.join(", ")),
        )
    }
}

/// The diagnostic for the node at `path`.
fn error_at(src: Source<'_>, path: &[Seg], message: String, expected: String) -> Diagnostic {
    let start = locate(src.text, path).unwrap_or(0);
    let end = token_end(src.text, start);
    Diagnostic::invalid(message)
        .at(src.file, src.text, Span::new(start, end))
        .expected(expected)
}

/// Where the token starting at `start` ends, for the underline: a quoted scalar to its closing
/// quote, anything else to the end of its plain text on that line.
fn token_end(text: &str, start: usize) -> usize {
    let rest = &text[start.min(text.len())..];
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    if let Some(q) = line.chars().next().filter(|c| *c == '\'' || *c == '"') {
        return start + line[1..].find(q).map_or(line.len(), |i| i + 2);
    }
    let mut end = line.len();
    for pat in [": ", " #"] {
        if let Some(i) = line.find(pat) {
            end = end.min(i);
        }
    }
    if line.trim_end().ends_with(':') {
        end = end.min(line.trim_end().len() - 1);
    }
    start + line[..end].trim_end().len().max(1)
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null (an empty value)".into(),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) => format!("the string `{s}`"),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(t) => format!("a value tagged `{}`", t.tag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> Source<'_> {
        Source {
            file: "f.yml",
            text,
        }
    }

    #[test]
    fn locates_values_keys_and_items() {
        let text = "a: 1\nb:\n  - x\n  - 'y z'\nc: {d: e}\n";
        let at = |path: &[Seg]| locate(text, path).map(|i| &text[i..]);
        assert!(at(&[Seg::Value(0)]).unwrap().starts_with("1\n"));
        assert!(at(&[Seg::Key(1)]).unwrap().starts_with("b:"));
        assert!(
            at(&[Seg::Value(1), Seg::Item(1)])
                .unwrap()
                .starts_with("'y z'")
        );
        assert!(
            at(&[Seg::Value(2), Seg::Value(0)])
                .unwrap()
                .starts_with("e}")
        );
        assert_eq!(at(&[Seg::Value(7)]), None);
    }

    #[test]
    fn numbers_read_as_strings_keep_their_spelling() {
        let text = "version: 1.10\nbuild: 0012\nok: true\n";
        let value = parse(src(text), "a file").unwrap();
        let root = Node::root(&value, src(text));
        let entries = root.entries("the file").unwrap();
        let values: Vec<String> = entries
            .iter()
            .map(|e| e.value.string("x").unwrap())
            .collect();
        assert_eq!(values, ["1.10", "0012", "true"]);
    }

    #[test]
    fn errors_name_line_and_column_of_the_node() {
        let text = "packages:\n- name: a\n  size: big\n";
        let value = parse(src(text), "a file").unwrap();
        let root = Node::root(&value, src(text));
        let pkg = &root.entries("f").unwrap()[0].value.items("p").unwrap()[0];
        let size = &pkg.entries("p").unwrap()[1];
        let err = size.value.u64("`size`").unwrap_err();
        assert!(
            err.render()
                .starts_with("f.yml:3:9: error: `size` must be a number"),
            "{}",
            err.render()
        );
        let err = size.unknown("a package", &["name"]);
        assert!(
            err.render()
                .starts_with("f.yml:3:3: error: unknown key `size`"),
            "{}",
            err.render()
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        let text = "a: [1, 2\nb: 3\n";
        let err = parse(src(text), "a file").unwrap_err();
        assert!(err.render().starts_with("f.yml:"), "{}", err.render());
        assert!(err.origin().is_some());
    }
}
