//! Reading an environment.yml into a [`Document`]: the YAML is loaded by `serde_yaml`, then each
//! top-level key is checked in file order while a [`Locator`] follows along in the text, so
//! every error and every requirement names its line and column. The `dependencies` list is read
//! in [`super::dependencies`].

use super::Read;
use super::yaml::{self, Found, Locator};
use crate::requirements::Context;
use rattler_conda_types::Subdir;
use serde_yaml::Value;
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use unilock_model::diagnostic::{Diagnostic, LineIndex, Origin, Span};
use unilock_model::document::{Channel, Document};
use unilock_model::manifest::ManifestRequirement;

/// The top-level keys of CEP 24 and its extensions.
const KNOWN_KEYS: &[&str] = &[
    "name",
    "prefix",
    "channels",
    "dependencies",
    "variables",
    "platforms",
    "category",
];

/// Parses the environment.yml `path` with contents `text`; `pip:` sections are read as pip
/// requirements files relative to `path`'s directory, through `ctx`.
pub fn parse(path: &Path, text: &str, ctx: &Context) -> Result<Read, Diagnostic> {
    let file = path.display().to_string();
    let value = yaml::load(&file, text)?;
    let mut reader = Reader {
        path,
        file: file.clone(),
        text,
        lines: LineIndex::new(text),
        loc: Locator::new(text),
        ctx,
        doc: Document::new("conda-env"),
        warnings: Vec::new(),
        cursor: 0,
        pip: Vec::new(),
    };
    reader.document(value)?;
    Ok(Read {
        document: reader.doc,
        warnings: reader.warnings,
    })
}

pub(super) struct Reader<'a> {
    pub(super) path: &'a Path,
    pub(super) file: String,
    pub(super) text: &'a str,
    /// Line starts of `text`, built once: every dependency is located.
    pub(super) lines: LineIndex,
    pub(super) loc: Locator<'a>,
    pub(super) ctx: &'a Context<'a>,
    pub(super) doc: Document,
    pub(super) warnings: Vec<String>,
    /// Everything before this byte offset has been matched to the loaded tree.
    pub(super) cursor: usize,
    /// The pip section's requirements, which follow the conda ones in the manifest wherever
    /// the section stands: conda installs them after the conda packages.
    pub(super) pip: Vec<ManifestRequirement>,
}

pub(super) type R<T> = Result<T, Diagnostic>;

impl Reader<'_> {
    pub(super) fn error(&self, at: usize, len: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::invalid(message).at(&self.file, self.text, Span::new(at, at + len.max(1)))
    }

    pub(super) fn origin(&self, at: usize) -> Origin {
        self.lines.origin(&self.file, self.text, at)
    }

    pub(super) fn warn(&mut self, at: usize, message: impl AsRef<str>) {
        let origin = self.origin(at);
        self.warnings
            .push(format!("{origin}: {}", message.as_ref()));
    }

    /// Finds a key at or after the cursor and moves past it; the cursor's next token when the
    /// key is written in a way the locator does not follow.
    pub(super) fn key_at(&mut self, key: &str) -> usize {
        match self.loc.key(key, self.cursor) {
            Some(at) => {
                self.cursor = at + key.len();
                at
            }
            None => self.loc.next_token(self.cursor),
        }
    }

    /// Finds a string scalar at or after the cursor and moves past it.
    pub(super) fn scalar_at(&mut self, value: &str) -> Found {
        match self.loc.scalar(value, self.cursor) {
            Some(found) => {
                self.cursor = found.end;
                found
            }
            None => {
                let at = self.loc.next_item(self.cursor);
                // Past this item's first character, so the next search does not find it again.
                self.cursor = self.text[at..]
                    .chars()
                    .next()
                    .map_or(at, |c| at + c.len_utf8());
                Found {
                    start: at,
                    end: at,
                    plain: false,
                }
            }
        }
    }

    fn document(&mut self, value: Value) -> R<()> {
        let map = match value {
            Value::Mapping(m) => m,
            other => {
                let at = self.loc.next_token(0);
                return Err(self
                    .error(
                        at,
                        1,
                        format!("expected a mapping of keys, found {}", yaml::kind(&other)),
                    )
                    .expected(
                        "an environment.yml with `dependencies` (and `name`, `channels`, …)",
                    ));
            }
        };
        if map.contains_key("package")
            && map.contains_key("metadata")
            && !map.contains_key("dependencies")
        {
            return Err(self
                .error(
                    self.loc.next_token(0),
                    1,
                    "this is a conda-lock file, not an environment.yml",
                )
                .note("read it with `--format conda-lock`"));
        }
        let mut category = None;
        let mut seen_dependencies = false;
        for (key, value) in &map {
            let Some(key) = key.as_str() else {
                let at = self.loc.next_token(self.cursor);
                return Err(self
                    .error(
                        at,
                        1,
                        format!("a key must be a string, found {}", yaml::kind(key)),
                    )
                    .expected(format!("one of {}", KNOWN_KEYS.join(", "))));
            };
            let at = self.key_at(key);
            match key {
                "name" => self.doc.project = self.string(key, at, value)?,
                "prefix" => {
                    if self.string(key, at, value)?.is_some() {
                        self.warn(at, "`prefix` is not kept: unilock's model has no place for an environment's path");
                    }
                }
                "category" => category = self.string(key, at, value)?.map(|c| (c, at)),
                "channels" => self.channels(at, value)?,
                "platforms" => self.platforms(at, value)?,
                "variables" => self.variables(at, value)?,
                "dependencies" => {
                    seen_dependencies = true;
                    self.dependencies(at, value)?
                }
                other => {
                    let mut message = format!("unknown key `{other}` is ignored");
                    if let Some(best) = unilock_model::target::parse::did_you_mean(
                        other,
                        KNOWN_KEYS.iter().copied(),
                    ) {
                        message.push_str(&format!(" (did you mean `{best}`?)"));
                    }
                    self.warn(at, message);
                    self.skip(value);
                }
            }
        }
        let pip = std::mem::take(&mut self.pip);
        self.doc.manifest.requirements.extend(pip);
        if !seen_dependencies {
            self.warn(
                self.loc.next_token(0),
                "no `dependencies`: the environment is empty",
            );
        }
        if let Some((category, _)) = category {
            for r in &mut self.doc.manifest.requirements {
                r.group.get_or_insert_with(|| category.clone());
            }
        }
        Ok(())
    }

    /// Moves the cursor past the scalars of a value that is not read.
    fn skip(&mut self, value: &Value) {
        match value {
            Value::String(s) => {
                self.scalar_at(s);
            }
            Value::Sequence(items) => items.iter().for_each(|v| self.skip(v)),
            Value::Mapping(m) => {
                for (k, v) in m {
                    if let Some(k) = k.as_str() {
                        self.key_at(k);
                    }
                    self.skip(v);
                }
            }
            _ => {}
        }
    }

    /// A scalar value as text (`None` for an empty value).
    fn string(&mut self, key: &str, key_at: usize, value: &Value) -> R<Option<String>> {
        match value {
            Value::Null => Ok(None),
            Value::String(s) => {
                self.scalar_at(s);
                Ok(Some(s.clone()))
            }
            v => match yaml::scalar_text(v) {
                Some(s) => Ok(Some(s)),
                None => Err(self
                    .error(
                        key_at,
                        key.len(),
                        format!("`{key}` must be a string, found {}", yaml::kind(v)),
                    )
                    .expected(format!("`{key}: VALUE`"))),
            },
        }
    }

    /// A list of strings, each with where it is written.
    fn strings(
        &mut self,
        key: &str,
        key_at: usize,
        value: &Value,
        expected: &str,
    ) -> R<Vec<(String, usize)>> {
        let items = match value {
            Value::Null => return Ok(Vec::new()),
            Value::Sequence(items) => items,
            v => {
                return Err(self
                    .error(
                        key_at,
                        key.len(),
                        format!("`{key}` must be a list, found {}", yaml::kind(v)),
                    )
                    .expected(expected.to_string()));
            }
        };
        let mut out = Vec::new();
        for item in items {
            match item {
                Value::String(s) if !s.trim().is_empty() => {
                    let found = self.scalar_at(s);
                    out.push((s.clone(), found.start));
                }
                v => {
                    let at = self.loc.next_item(self.cursor);
                    let what = if matches!(v, Value::String(_)) {
                        "an empty string"
                    } else {
                        yaml::kind(v)
                    };
                    return Err(self
                        .error(
                            at,
                            1,
                            format!("an item of `{key}` must be a string, found {what}"),
                        )
                        .expected(expected.to_string()));
                }
            }
        }
        Ok(out)
    }

    fn channels(&mut self, at: usize, value: &Value) -> R<()> {
        let mut seen: HashMap<String, u32> = HashMap::new();
        for (name, at) in self.strings(
            "channels",
            at,
            value,
            "a list of channel names or URLs such as `conda-forge`",
        )? {
            let origin = self.origin(at);
            if let Some(line) = seen.insert(name.clone(), origin.line) {
                self.warn(
                    at,
                    format!("channel `{name}` is listed twice (first on line {line})"),
                );
                continue;
            }
            self.doc.channels.push(Channel {
                name,
                origin: Some(origin),
            });
        }
        Ok(())
    }

    fn platforms(&mut self, at: usize, value: &Value) -> R<()> {
        for (name, at) in self.strings(
            "platforms",
            at,
            value,
            "a list of conda subdirs such as `linux-64`",
        )? {
            let subdir = Subdir::from_str(&name).map_err(|_| {
                self.error(at, name.len(), format!("unknown platform `{name}`"))
                    .expected("a conda subdir such as `linux-64`, `osx-arm64` or `win-64`")
            })?;
            if subdir == Subdir::NoArch {
                return Err(self
                    .error(
                        at,
                        name.len(),
                        "`noarch` is not a platform an environment can be solved for",
                    )
                    .expected("a conda subdir such as `linux-64`"));
            }
            if self.doc.platforms.contains(&name) {
                self.warn(at, format!("platform `{name}` is listed twice"));
                continue;
            }
            self.doc.platforms.push(name);
        }
        Ok(())
    }

    fn variables(&mut self, key_at: usize, value: &Value) -> R<()> {
        let map = match value {
            Value::Null => return Ok(()),
            Value::Mapping(m) => m,
            v => {
                return Err(self
                    .error(
                        key_at,
                        "variables".len(),
                        format!("`variables` must be a mapping, found {}", yaml::kind(v)),
                    )
                    .expected("`variables:` followed by `NAME: value` lines"));
            }
        };
        for (k, v) in map {
            let Some(name) = k.as_str() else {
                let at = self.loc.next_token(self.cursor);
                return Err(self
                    .error(
                        at,
                        1,
                        format!("a variable name must be a string, found {}", yaml::kind(k)),
                    )
                    .expected("`NAME: value`"));
            };
            let at = self.key_at(name);
            let value = match v {
                Value::String(s) => {
                    self.scalar_at(s);
                    s.clone()
                }
                Value::Null => String::new(),
                other => yaml::scalar_text(other).ok_or_else(|| {
                    self.error(
                        at,
                        name.len(),
                        format!(
                            "variable `{name}` must have a text value, found {}",
                            yaml::kind(other)
                        ),
                    )
                    .expected("`NAME: value`")
                })?,
            };
            self.doc.variables.insert(name.to_string(), value);
        }
        Ok(())
    }
}
