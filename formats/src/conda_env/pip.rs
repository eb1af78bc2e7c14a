//! The `pip:` section of an environment.yml, read the way conda installs it: conda writes the
//! items, one per line, to a requirements file beside the environment.yml and runs
//! `pip install -r` on it. So the items are joined into that text and read by the requirements
//! parser ([`crate::requirements`]) as if they were a file in the environment.yml's directory:
//! `-r`, `-e`, `--index-url`, `--extra-index-url`, `--find-links`, hashes and markers work as in
//! any requirements file. Positions in the joined text are mapped back to the environment.yml.

use super::parse::Reader;
use super::selector;
use super::yaml::{self, offset_of};
use serde_yaml::Value;
use std::collections::HashMap;
use unilock_model::Requirement;
use unilock_model::diagnostic::{Diagnostic, LineIndex, Origin, Span};
use unilock_model::manifest::RequirementRole;
use unilock_model::requirement::{parse_marker, parse_requirement};

/// One item of the `pip:` list.
struct Item {
    text: String,
    /// Byte offset in the environment.yml where the item's text starts.
    at: usize,
    /// Written without quotes: the text at `at` is the item itself, so columns map one to one.
    plain: bool,
    /// Byte range of the item in the joined requirements text.
    range: (usize, usize),
    selector: Option<(usize, selector::Expr)>,
}

/// Reads the `pip:` value at `key_at` into the reader's document.
pub(super) fn section(reader: &mut Reader, key_at: usize, value: &Value) -> Result<(), Diagnostic> {
    let list = match value {
        Value::Null => return Ok(()),
        Value::Sequence(list) => list,
        v => {
            return Err(reader
                .error(
                    key_at,
                    3,
                    format!("`pip` must be a list, found {}", yaml::kind(v)),
                )
                .expected("a list of pip requirements, as in a requirements file"));
        }
    };
    let mut items = Vec::new();
    let mut joined = String::new();
    for v in list {
        let Value::String(text) = v else {
            let at = reader.loc.next_item(reader.cursor);
            return Err(reader
                .error(
                    at,
                    1,
                    format!(
                        "a pip requirement must be a string, found {}",
                        yaml::kind(v)
                    ),
                )
                .expected("a line of a requirements file such as `requests>=2.31` or `-e .`"));
        };
        let found = reader.scalar_at(text);
        let selector = reader.comment_selector(found.start)?;
        if let Some((sel_at, _)) = &selector {
            let head = text.trim_start();
            if head.starts_with('-') && !head.starts_with("-e") && !head.starts_with("--editable") {
                return Err(reader
                    .error(*sel_at, 1, "a selector on a pip option line cannot be kept")
                    .expected("selectors on requirement lines only"));
            }
        }
        if !joined.is_empty() {
            joined.push('\n');
        }
        let start = joined.len();
        joined.push_str(text);
        items.push(Item {
            text: text.clone(),
            at: found.start,
            plain: found.plain,
            range: (start, joined.len()),
            selector,
        });
    }
    joined.push('\n');
    let map = Map {
        file: &reader.file,
        text: reader.text,
        lines: &reader.lines,
        joined: &joined,
        items: &items,
    };
    let parsed = crate::requirements::parse(reader.path, &joined, reader.ctx)
        .map_err(|d| map.diagnostic(d))?;

    let mut seen: HashMap<String, u32> = HashMap::new();
    for mut r in parsed.manifest.requirements {
        let item = r.origin.as_ref().and_then(|o| map.item(o));
        if let Some(o) = &mut r.origin {
            *o = map.origin(o);
        }
        if let Some((sel_at, expr)) = item.and_then(|i| items[i].selector.as_ref()) {
            r.requirement =
                with_selector(r.requirement, expr).map_err(|m| reader.error(*sel_at, 1, m))?;
        }
        if r.role == RequirementRole::Dependency
            && let Some(name) = r.requirement.name()
            && let Some(origin) = &r.origin
        {
            let key = format!("{name} {:?}", marker_of(&r.requirement));
            if let Some(first) = seen.insert(key, origin.line) {
                reader.warnings.push(format!(
                    "{origin}: pip requirement `{name}` is listed twice (first on line {first}); both are kept"
                ));
            }
        }
        reader.pip.push(r);
    }
    for mut index in parsed.indexes {
        if let Some(o) = &mut index.origin {
            *o = map.origin(o);
        }
        reader.doc.indexes.push(index);
    }
    let (o, p) = (&mut reader.doc.options, parsed.options);
    o.pre |= p.pre;
    o.require_hashes |= p.require_hashes;
    o.prefer_binary |= p.prefer_binary;
    o.only_binary.extend(p.only_binary);
    o.no_binary.extend(p.no_binary);
    o.trusted_hosts.extend(p.trusted_hosts);
    Ok(())
}

fn marker_of(r: &Requirement) -> Option<String> {
    match r {
        Requirement::Pypi(r) => r.marker.contents().map(|m| m.to_string()),
        Requirement::PypiUnnamed(r) => r.marker.contents().map(|m| m.to_string()),
        Requirement::Conda(_) => None,
    }
}

/// Adds a selector's marker to a pip requirement, in the form it keeps through write and read.
fn with_selector(requirement: Requirement, expr: &selector::Expr) -> Result<Requirement, String> {
    let marker = selector::to_marker(expr);
    let tree = parse_marker(&marker).map_err(|e| format!("selector cannot be a marker: {e}"))?;
    Ok(match requirement {
        Requirement::Pypi(mut r) => {
            r.marker.and(tree);
            match parse_requirement(&r.to_string(), None) {
                Ok(again) if again != *r => Requirement::Pypi(Box::new(again)),
                _ => Requirement::Pypi(r),
            }
        }
        Requirement::PypiUnnamed(mut r) => {
            r.marker.and(tree);
            Requirement::PypiUnnamed(r)
        }
        conda => conda,
    })
}

/// Maps positions in the joined requirements text back to the environment.yml.
struct Map<'a> {
    file: &'a str,
    text: &'a str,
    lines: &'a LineIndex,
    joined: &'a str,
    items: &'a [Item],
}

impl Map<'_> {
    /// The item an origin in the joined text falls in.
    fn item(&self, origin: &Origin) -> Option<usize> {
        if origin.file != self.file {
            return None;
        }
        let off = offset_of(self.joined, origin.line as usize, origin.column as usize);
        let i = self.items.partition_point(|it| it.range.0 <= off);
        i.checked_sub(1)
    }

    /// The byte offset in the environment.yml of an origin in the joined text, and how many
    /// bytes of the item's word start there.
    fn offset(&self, origin: &Origin) -> Option<(usize, usize)> {
        let i = self.item(origin)?;
        let item = &self.items[i];
        let off = offset_of(self.joined, origin.line as usize, origin.column as usize);
        let within = off.saturating_sub(item.range.0).min(item.text.len());
        let word = item.text[within..]
            .find(char::is_whitespace)
            .unwrap_or(item.text.len() - within);
        if item.plain {
            Some((item.at + within, word))
        } else {
            Some((item.at, item.text.len()))
        }
    }

    fn origin(&self, origin: &Origin) -> Origin {
        match self.offset(origin) {
            Some((at, _)) => self.lines.origin(self.file, self.text, at),
            None => origin.clone(),
        }
    }

    /// A diagnostic about the joined text, pointed at the environment.yml instead.
    fn diagnostic(&self, d: Diagnostic) -> Diagnostic {
        let Some((at, len)) = d.origin().and_then(|o| self.offset(o)) else {
            return d;
        };
        let mut out = Diagnostic::new(d.kind(), d.message()).at(
            self.file,
            self.text,
            Span::new(at, at + len.max(1)),
        );
        if let Some(e) = d.expected_text() {
            out = out.expected(e);
        }
        for n in d.notes() {
            out = out.note(n.clone());
        }
        out
    }
}
