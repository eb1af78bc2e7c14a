//! `pyproject.toml`: the PEP 621 `[project]` table, PEP 735 `[dependency-groups]`, and the
//! dependency tables of the tools that keep them in `pyproject.toml` (`[tool.uv]`,
//! `[tool.pixi]`, `[tool.poetry]`).
//!
//! [`parse`] reads every one of them into one [`Document`] whose requirements keep the line and
//! column of the string (or table key) they were read from. [`emit`] writes a document back
//! into the original text, format-preserving: only the PEP 621 and PEP 735 arrays (and uv's
//! constraint and override arrays) whose requirements changed are rewritten; comments, layout
//! and every other table stay byte for byte.
//!
//! Submodules: [`pep621`] (`[project]`, `[dependency-groups]`), [`uv`], [`pixi`], [`poetry`]
//! read their tables; [`emit`](mod@emit) writes; this module holds the shared reading context,
//! which [`crate::pixi_manifest`] also reads a pixi.toml with.

mod emit;
mod pep621;
pub(crate) mod pixi;
mod poetry;
mod uv;

pub use emit::emit;

use std::ops::Range;
use std::path::{Path, PathBuf};
use toml_edit::{Item, Key, TableLike, Value};
use unilock_model::manifest::{ManifestRequirement, RequirementRole};
use unilock_model::{Diagnostic, Document, LineIndex, Requirement, Span};

/// The format name recorded in [`Document::format`].
pub const FORMAT: &str = "pyproject";

/// Parses a `pyproject.toml` read from `path`.
///
/// Errors name the file, line and column of the offending value: invalid TOML, a table or
/// array of the wrong shape, an invalid PEP 508 string, MatchSpec or Poetry constraint, an
/// unknown or cyclic `include-group`, an unknown uv index or pixi feature.
pub fn parse(path: &str, text: &str) -> Result<Document, Diagnostic> {
    parse_tagged(path, text).map(|(doc, _)| doc)
}

/// Which table a requirement was read from. [`emit`] rewrites only the PEP 621 / PEP 735
/// arrays and uv's constraint and override arrays; everything else is [`Section::Tool`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Section {
    Dependencies,
    OptionalDependencies(String),
    DependencyGroup(String),
    UvConstraints,
    UvOverrides,
    /// Any table [`emit`] never rewrites (`[tool.poetry]`, `[tool.pixi]`, uv's
    /// `dev-dependencies`).
    Tool,
}

/// Parses and also says which [`Section`] each requirement came from (parallel to
/// `doc.manifest.requirements`).
pub(crate) fn parse_tagged(path: &str, text: &str) -> Result<(Document, Vec<Section>), Diagnostic> {
    let toml = parse_toml(path, text)?;
    let mut cx = Cx::new(path, text);
    cx.doc.manifest.sources.push(path.to_string());
    let root = toml.as_table();
    pep621::read(&mut cx, root)?;
    let tool = root.get("tool").and_then(Item::as_table_like);
    if let Some(tool) = tool {
        if let Some((key, item)) = tool.get_key_value("uv") {
            let table = cx.table(key, item, "tool.uv")?;
            uv::read(&mut cx, table)?;
        }
        if let Some((key, item)) = tool.get_key_value("poetry") {
            let table = cx.table(key, item, "tool.poetry")?;
            poetry::read(&mut cx, table)?;
        }
        if let Some((key, item)) = tool.get_key_value("pixi") {
            let table = cx.table(key, item, "tool.pixi")?;
            pixi::read(&mut cx, table, "tool.pixi.")?;
        }
    }
    Ok((cx.doc, cx.sections))
}

/// `text` as a TOML document with spans, or a located error.
pub(crate) fn parse_toml<'t>(
    path: &str,
    text: &'t str,
) -> Result<toml_edit::Document<&'t str>, Diagnostic> {
    toml_edit::Document::parse(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        Diagnostic::invalid(format!("invalid TOML: {}", e.message().trim_end()))
            .at(path, text, Span::new(span.start, span.end))
            .expected("a valid TOML document")
    })
}

/// The reading context: the source text and the document being built.
pub(crate) struct Cx<'a> {
    pub file: &'a str,
    pub text: &'a str,
    /// Line starts of `text`, built once: every requirement and index is located.
    pub lines: LineIndex,
    pub doc: Document,
    pub sections: Vec<Section>,
}

impl<'a> Cx<'a> {
    fn new(file: &'a str, text: &'a str) -> Self {
        Cx::for_format(file, text, FORMAT)
    }

    /// A context building a document of another format that shares these tables (pixi.toml).
    pub(crate) fn for_format(file: &'a str, text: &'a str, format: &str) -> Self {
        Cx {
            file,
            text,
            lines: LineIndex::new(text),
            doc: Document::new(format),
            sections: Vec::new(),
        }
    }

    /// A located "invalid input" diagnostic over `span`.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::invalid(message).at(self.file, self.text, Span::new(span.start, span.end))
    }

    /// Where an item is, falling back to its key when the item itself has no span (implicit
    /// and dotted tables).
    pub fn span_of(&self, key: &Key, item: &Item) -> Range<usize> {
        item.span().or_else(|| key.span()).unwrap_or(0..0)
    }

    /// `item` as a table (standard or inline), or a located error naming `what`.
    pub fn table<'t>(
        &self,
        key: &Key,
        item: &'t Item,
        what: &str,
    ) -> Result<&'t dyn TableLike, Diagnostic> {
        item.as_table_like().ok_or_else(|| {
            self.error(self.span_of(key, item), format!("`{what}` must be a table"))
                .expected("a table")
        })
    }

    /// `value` as a string with the byte offset of its first character in the file.
    pub fn string(&self, value: &Value, what: &str) -> Result<(String, usize), Diagnostic> {
        let span = value.span().unwrap_or(0..0);
        match value.as_str() {
            Some(s) => Ok((s.to_string(), span.start + self.quote_len(span.start))),
            None => Err(self
                .error(span, format!("`{what}` must be a string"))
                .expected("a quoted string")),
        }
    }

    /// An item that must be a string value.
    pub fn string_item(
        &self,
        key: &Key,
        item: &Item,
        what: &str,
    ) -> Result<(String, usize), Diagnostic> {
        match item.as_value() {
            Some(v) => self.string(v, what),
            None => Err(self
                .error(
                    self.span_of(key, item),
                    format!("`{what}` must be a string"),
                )
                .expected("a quoted string")),
        }
    }

    /// An item that must be an array of strings; each with its offset.
    pub fn string_array(
        &self,
        key: &Key,
        item: &Item,
        what: &str,
    ) -> Result<Vec<(String, usize)>, Diagnostic> {
        let array = item.as_array().ok_or_else(|| {
            self.error(
                self.span_of(key, item),
                format!("`{what}` must be an array of strings"),
            )
            .expected("an array such as `[\"a\", \"b\"]`")
        })?;
        array.iter().map(|v| self.string(v, what)).collect()
    }

    /// A string or an array of strings (uv's `environments`).
    pub fn string_or_array(
        &self,
        key: &Key,
        item: &Item,
        what: &str,
    ) -> Result<Vec<(String, usize)>, Diagnostic> {
        match item.as_value() {
            Some(v) if v.is_str() => Ok(vec![self.string(v, what)?]),
            _ => self.string_array(key, item, what),
        }
    }

    /// An item that must be a boolean.
    pub fn bool_item(&self, key: &Key, item: &Item, what: &str) -> Result<bool, Diagnostic> {
        item.as_bool().ok_or_else(|| {
            self.error(
                self.span_of(key, item),
                format!("`{what}` must be a boolean"),
            )
            .expected("`true` or `false`")
        })
    }

    /// How many quote characters open the string value starting at `start`.
    fn quote_len(&self, start: usize) -> usize {
        let rest = self.text.get(start..).unwrap_or("");
        if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
            3
        } else if rest.starts_with('"') || rest.starts_with('\'') {
            1
        } else {
            0
        }
    }

    /// The directory relative paths of this file are resolved against.
    pub fn working_dir(&self) -> PathBuf {
        let parent = Path::new(self.file)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::path::absolute(parent).unwrap_or_else(|_| PathBuf::from("/"))
    }

    /// Parses a PEP 508 string written in the file at `offset`.
    pub fn pypi_at(&self, requirement: &str, offset: usize) -> Result<Requirement, Diagnostic> {
        Requirement::parse_pypi(requirement, self.file, self.text, offset)
    }

    /// Parses a PEP 508 requirement built from a table (`name = { version, extras, path }`);
    /// errors point at `span`. Relative paths resolve against the file's directory.
    pub fn pypi_built(
        &self,
        requirement: &str,
        span: Range<usize>,
    ) -> Result<Requirement, Diagnostic> {
        unilock_model::requirement::parse_requirement(requirement, Some(&self.working_dir()))
            .map(|r| Requirement::Pypi(Box::new(r)))
            .map_err(|e| {
                self.error(
                    span,
                    format!("invalid requirement `{requirement}`: {}", e.message),
                )
                .expected("a PEP 440 version specifier, extras, or a path, URL or git source")
            })
    }

    /// Parses a conda MatchSpec built from a table; errors point at `span`.
    pub fn conda_built(&self, spec: &str, span: Range<usize>) -> Result<Requirement, Diagnostic> {
        Requirement::parse_conda(spec, self.file, spec, 0).map_err(|e| {
            let d = self.error(span, e.message().to_string());
            match e.expected_text() {
                Some(x) => d.expected(x),
                None => d,
            }
        })
    }

    /// Adds a requirement read at byte `offset`.
    pub fn push(
        &mut self,
        section: Section,
        requirement: Requirement,
        role: RequirementRole,
        group: Option<String>,
        editable: bool,
        offset: usize,
    ) {
        self.doc.manifest.requirements.push(ManifestRequirement {
            requirement,
            role,
            group,
            editable,
            hashes: Vec::new(),
            origin: Some(self.lines.origin(self.file, self.text, offset)),
            platform: None,
        });
        self.sections.push(section);
    }

    /// Adds every PEP 508 string of `array` (as returned by [`Cx::string_array`]).
    pub fn push_strings(
        &mut self,
        strings: &[(String, usize)],
        section: Section,
        role: RequirementRole,
        group: Option<String>,
    ) -> Result<(), Diagnostic> {
        for (s, offset) in strings {
            let r = self.pypi_at(s, *offset)?;
            self.push(section.clone(), r, role, group.clone(), false, *offset);
        }
        Ok(())
    }
}

/// Every `(key, item)` of a table, keys with their spans.
pub(crate) fn entries(table: &dyn TableLike) -> Vec<(&Key, &Item)> {
    table
        .iter()
        .filter_map(|(k, _)| table.get_key_value(k))
        .collect()
}

/// PEP 503 / PEP 735 name normalisation: lowercase, runs of `-_.` become one `-`.
pub(crate) fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests;
