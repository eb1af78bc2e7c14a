//! Reading pylock.toml into the typed [`Pylock`], checking the rules PEP 751 gives readers:
//! `lock-version` 1.x, `created-by` and `packages` present, types of every known key,
//! normalised names, valid versions, specifiers and markers, exactly one source kind per
//! package, a URL or path for every file, non-empty hashes, and wheel and sdist file names
//! that agree with the package's name and version. Every error points at the offending key or
//! value.

use super::{Archive, Artifact, Datetime, Directory, Package, Pylock, Source, Table, Vcs};
use nodes::{At, Entry, Fields, table_to_toml};
use std::collections::BTreeMap;
use std::ops::Range;
use std::str::FromStr;
use toml_edit::{Item, Value};
use unilock_model::{Diagnostic, Span};

mod nodes;

/// Parses the text of the pylock file at `path` (used in diagnostics only).
pub fn parse(path: &str, text: &str) -> std::result::Result<Pylock, Diagnostic> {
    let doc = toml_edit::Document::parse(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        Diagnostic::invalid(format!("invalid TOML: {}", e.message().trim())).at(
            path,
            text,
            Span::new(span.start, span.end),
        )
    })?;
    let parser = Parser { file: path, text };
    let root = Fields::new(doc.as_table(), 0..0, String::new());
    parser.pylock(root)
}

struct Parser<'t> {
    file: &'t str,
    text: &'t str,
}

type Result<T> = std::result::Result<T, Diagnostic>;

impl Parser<'_> {
    fn error(&self, span: &Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::invalid(message).at(self.file, self.text, Span::new(span.start, span.end))
    }

    fn wrong_type(&self, entry: &Entry, expected: &str) -> Diagnostic {
        self.error(
            &entry.span,
            format!("`{}` is a {}", entry.path, entry.node.type_name()),
        )
        .expected(expected.to_string())
    }

    fn missing(&self, fields: &Fields, key: &str, expected: &str) -> Diagnostic {
        let what = if fields.path.is_empty() {
            "the lock file".to_string()
        } else {
            format!("`{}`", fields.path)
        };
        self.error(&fields.span, format!("{what} has no `{key}`"))
            .expected(expected.to_string())
    }

    fn string(&self, fields: &mut Fields, key: &'static str) -> Result<Option<(String, At)>> {
        let Some(entry) = fields.get(key) else {
            return Ok(None);
        };
        match entry.node.value().and_then(Value::as_str) {
            Some(s) => Ok(Some((s.to_string(), entry.at()))),
            None => Err(self.wrong_type(&entry, "a string")),
        }
    }

    fn opt_string(&self, fields: &mut Fields, key: &'static str) -> Result<Option<String>> {
        Ok(self.string(fields, key)?.map(|(s, _)| s))
    }

    fn required_string(
        &self,
        fields: &mut Fields,
        key: &'static str,
        expected: &str,
    ) -> Result<(String, At)> {
        match self.string(fields, key)? {
            Some(found) => Ok(found),
            None => Err(self.missing(fields, key, expected)),
        }
    }

    fn opt_bool(&self, fields: &mut Fields, key: &'static str) -> Result<Option<bool>> {
        let Some(entry) = fields.get(key) else {
            return Ok(None);
        };
        match entry.node.value().and_then(Value::as_bool) {
            Some(b) => Ok(Some(b)),
            None => Err(self.wrong_type(&entry, "`true` or `false`")),
        }
    }

    fn size(&self, fields: &mut Fields) -> Result<Option<u64>> {
        let Some(entry) = fields.get("size") else {
            return Ok(None);
        };
        match entry.node.value().and_then(Value::as_integer) {
            Some(n) => u64::try_from(n).map(Some).map_err(|_| {
                self.error(&entry.span, format!("`{}` is negative", entry.path))
                    .expected("a size in bytes")
            }),
            None => Err(self.wrong_type(&entry, "a size in bytes (an integer)")),
        }
    }

    fn upload_time(&self, fields: &mut Fields) -> Result<Option<Datetime>> {
        let Some(entry) = fields.get("upload-time") else {
            return Ok(None);
        };
        match entry.node.value().and_then(Value::as_datetime) {
            Some(d) => Ok(Some(*d)),
            None => Err(self
                .wrong_type(&entry, "a TOML datetime such as 2024-06-24T11:02:03Z")
                .note("PEP 751 writes upload-time as an unquoted TOML datetime")),
        }
    }

    fn string_array(&self, fields: &mut Fields, key: &'static str) -> Result<Option<Vec<String>>> {
        let Some(entry) = fields.get(key) else {
            return Ok(None);
        };
        let Some(items) = entry.node.value().and_then(Value::as_array) else {
            return Err(self.wrong_type(&entry, "an array of strings"));
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(s) => out.push(s.to_string()),
                None => {
                    let span = item.span().unwrap_or_else(|| entry.span.clone());
                    return Err(self
                        .error(
                            &span,
                            format!("`{}[{i}]` is a {}", entry.path, item.type_name()),
                        )
                        .expected("a string"));
                }
            }
        }
        Ok(Some(out))
    }

    /// The tables of an array of tables (inline `[{…}]` or `[[…]]`), each with its path.
    fn tables<'a>(&self, entry: &Entry<'a>) -> Result<Vec<Fields<'a>>> {
        let Some(nodes) = entry.node.array() else {
            return Err(self.wrong_type(entry, "an array of tables"));
        };
        let mut out = Vec::new();
        for (i, node) in nodes.into_iter().enumerate() {
            let span = node.span().unwrap_or_else(|| entry.span.clone());
            let path = format!("{}[{i}]", entry.path);
            match node.table() {
                Some(table) => out.push(Fields::new(table, span, path)),
                None => {
                    return Err(self
                        .error(&span, format!("`{path}` is a {}", node.type_name()))
                        .expected("a table"));
                }
            }
        }
        Ok(out)
    }

    fn table<'a>(&self, entry: &Entry<'a>) -> Result<Fields<'a>> {
        match entry.node.table() {
            Some(table) => Ok(Fields::new(table, entry.span.clone(), entry.path.clone())),
            None => Err(self.wrong_type(entry, "a table")),
        }
    }

    /// An array of tables kept as data.
    fn data_tables(&self, fields: &mut Fields, key: &'static str) -> Result<Option<Vec<Table>>> {
        let Some(entry) = fields.get(key) else {
            return Ok(None);
        };
        let tables = self.tables(&entry)?;
        Ok(Some(
            tables.iter().map(|f| table_to_toml(f.table)).collect(),
        ))
    }

    fn tool(&self, fields: &mut Fields) -> Result<Option<Table>> {
        let Some(entry) = fields.get("tool") else {
            return Ok(None);
        };
        let table = self.table(&entry)?;
        Ok(Some(table_to_toml(table.table)))
    }

    fn version(&self, text: &str, entry: &At) -> Result<()> {
        pep440_rs::Version::from_str(text).map(|_| ()).map_err(|e| {
            self.error(&entry.span, format!("invalid version `{text}`: {e}"))
                .expected("a PEP 440 version")
        })
    }

    fn specifiers(&self, text: &str, entry: &At) -> Result<()> {
        pep440_rs::VersionSpecifiers::from_str(text)
            .map(|_| ())
            .map_err(|e| {
                self.error(
                    &entry.span,
                    format!("invalid `{}` `{text}`: {e}", entry.path),
                )
                .expected("a PEP 440 specifier such as \">=3.9\"")
            })
    }

    fn marker(&self, text: &str, span: &Range<usize>, path: &str) -> Result<()> {
        unilock_model::requirement::parse_marker(&pep751_marker_for_pep508(text))
            .map(|_| ())
            .map_err(|e| {
                self.error(span, format!("invalid marker in `{path}`: {}", e.message))
                    .expected("a PEP 508 marker such as \"sys_platform == 'linux'\"")
            })
    }

    fn pylock(&self, mut top: Fields) -> Result<Pylock> {
        let (lock_version, entry) =
            self.required_string(&mut top, "lock-version", "lock-version = \"1.0\"")?;
        let major = lock_version.split('.').next().unwrap_or_default();
        let well_formed = lock_version
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
        if !well_formed || major != "1" {
            return Err(self
                .error(
                    &entry.span,
                    format!("unsupported lock-version `{lock_version}`"),
                )
                .expected("a lock-version 1.x (\"1.0\")"));
        }
        let environments = self.string_array(&mut top, "environments")?;
        if let Some(envs) = &environments {
            let item = top.table.get("environments");
            let whole = item.and_then(Item::span).unwrap_or(0..0);
            let elements = item.and_then(Item::as_array);
            for (i, env) in envs.iter().enumerate() {
                let span = elements
                    .and_then(|a| a.get(i))
                    .and_then(Value::span)
                    .unwrap_or_else(|| whole.clone());
                self.marker(env, &span, &format!("environments[{i}]"))?;
            }
        }
        let requires_python = self.string(&mut top, "requires-python")?;
        if let Some((text, entry)) = &requires_python {
            self.specifiers(text, entry)?;
        }
        let extras = self.names(&mut top, "extras")?;
        let dependency_groups = self.names(&mut top, "dependency-groups")?;
        let default_groups = self.names(&mut top, "default-groups")?;
        let (created_by, _) =
            self.required_string(&mut top, "created-by", "created-by = \"<tool name>\"")?;
        let Some(entry) = top.get("packages") else {
            return Err(self.missing(&top, "packages", "a [[packages]] table"));
        };
        let mut packages = Vec::new();
        for fields in self.tables(&entry)? {
            packages.push(self.package(fields)?);
        }
        let tool = self.tool(&mut top)?;
        Ok(Pylock {
            lock_version,
            environments,
            requires_python: requires_python.map(|(s, _)| s),
            extras,
            dependency_groups,
            default_groups,
            created_by,
            packages,
            tool,
            unknown: top.unknown(),
        })
    }

    /// An array of extra or group names; each must be a valid name.
    fn names(&self, fields: &mut Fields, key: &'static str) -> Result<Option<Vec<String>>> {
        let names = self.string_array(fields, key)?;
        for name in names.iter().flatten() {
            if pep508_rs::ExtraName::from_str(name).is_err() {
                let span = fields.table.get(key).and_then(Item::span).unwrap_or(0..0);
                return Err(self
                    .error(&span, format!("invalid name `{name}` in `{key}`"))
                    .expected("names of letters, digits, `-`, `_` and `.`"));
            }
        }
        Ok(names)
    }

    fn package(&self, mut fields: Fields) -> Result<Package> {
        let (name, entry) = self.required_string(&mut fields, "name", "name = \"<package>\"")?;
        match pep508_rs::PackageName::from_str(&name) {
            Ok(normalized) if normalized.as_ref() == name => {}
            Ok(normalized) => {
                return Err(self
                    .error(
                        &entry.span,
                        format!("package name `{name}` is not normalized"),
                    )
                    .expected(format!("\"{normalized}\"")));
            }
            Err(e) => {
                return Err(self
                    .error(&entry.span, format!("invalid package name `{name}`: {e}"))
                    .expected("a normalized package name"));
            }
        }
        fields.path = format!("{} ({name})", fields.path);
        let version = self.string(&mut fields, "version")?;
        if let Some((text, entry)) = &version {
            self.version(text, entry)?;
        }
        let marker = self.string(&mut fields, "marker")?;
        if let Some((text, entry)) = &marker {
            self.marker(text, &entry.span, &entry.path)?;
        }
        let requires_python = self.string(&mut fields, "requires-python")?;
        if let Some((text, entry)) = &requires_python {
            self.specifiers(text, entry)?;
        }
        let dependencies = self.data_tables(&mut fields, "dependencies")?;
        let index = self.opt_string(&mut fields, "index")?;
        let version_text = version.as_ref().map(|(v, _)| v.as_str());
        let source = self.source(&mut fields, &name, version_text)?;
        let attestation_identities = match fields.get("attestation-identities") {
            None => None,
            Some(entry) => {
                let mut tables = Vec::new();
                for mut identity in self.tables(&entry)? {
                    self.required_string(&mut identity, "kind", "kind = \"<identity kind>\"")?;
                    tables.push(table_to_toml(identity.table));
                }
                Some(tables)
            }
        };
        let tool = self.tool(&mut fields)?;
        Ok(Package {
            name,
            version: version.map(|(s, _)| s),
            marker: marker.map(|(s, _)| s),
            requires_python: requires_python.map(|(s, _)| s),
            dependencies,
            index,
            source,
            attestation_identities,
            tool,
            unknown: fields.unknown(),
        })
    }

    fn source(&self, fields: &mut Fields, name: &str, version: Option<&str>) -> Result<Source> {
        const KINDS: [&str; 5] = ["vcs", "directory", "archive", "sdist", "wheels"];
        let present: Vec<&str> = KINDS.into_iter().filter(|k| fields.has(k)).collect();
        let direct: Vec<&str> = present
            .iter()
            .copied()
            .filter(|k| !matches!(*k, "sdist" | "wheels"))
            .collect();
        let expected = "exactly one of `vcs`, `directory`, `archive`, or `sdist`/`wheels`";
        if present.is_empty() {
            return Err(self
                .error(&fields.span, format!("package `{name}` has no source"))
                .expected(expected));
        }
        if direct.len() > 1 || (direct.len() == 1 && present.len() > 1) {
            let second = present.get(1).copied().unwrap_or("vcs");
            let span = fields
                .table
                .key(second)
                .and_then(|k| k.span())
                .unwrap_or_else(|| fields.span.clone());
            return Err(self
                .error(
                    &span,
                    format!(
                        "package `{name}` has two source kinds: `{}` and `{second}`",
                        present.first().copied().unwrap_or_default()
                    ),
                )
                .expected(expected));
        }
        if let Some(entry) = fields.get("vcs") {
            return Ok(Source::Vcs(self.vcs(self.table(&entry)?)?));
        }
        if let Some(entry) = fields.get("directory") {
            let mut f = self.table(&entry)?;
            let (path, _) = self.required_string(&mut f, "path", "path = \"<directory>\"")?;
            let editable = self.opt_bool(&mut f, "editable")?;
            let subdirectory = self.opt_string(&mut f, "subdirectory")?;
            return Ok(Source::Directory(Directory {
                path,
                editable,
                subdirectory,
                unknown: f.unknown(),
            }));
        }
        if let Some(entry) = fields.get("archive") {
            let mut f = self.table(&entry)?;
            let (url, path) = self.location(&mut f)?;
            let size = self.size(&mut f)?;
            let upload_time = self.upload_time(&mut f)?;
            let hashes = self.hashes(&mut f)?;
            let subdirectory = self.opt_string(&mut f, "subdirectory")?;
            return Ok(Source::Archive(Archive {
                url,
                path,
                size,
                upload_time,
                hashes,
                subdirectory,
                unknown: f.unknown(),
            }));
        }
        let sdist = match fields.get("sdist") {
            None => None,
            Some(entry) => {
                let artifact = self.artifact(self.table(&entry)?)?;
                self.check_sdist_name(&artifact, &entry, name, version)?;
                Some(artifact)
            }
        };
        let wheels = match fields.get("wheels") {
            None => None,
            Some(entry) => {
                let mut wheels = Vec::new();
                for f in self.tables(&entry)? {
                    let span = f.span.clone();
                    let artifact = self.artifact(f)?;
                    self.check_wheel_name(&artifact, &span, name, version)?;
                    wheels.push(artifact);
                }
                Some(wheels)
            }
        };
        if sdist.is_none() && wheels.as_ref().is_none_or(Vec::is_empty) {
            return Err(self
                .error(
                    &fields.span,
                    format!("package `{name}` has no sdist and no wheels"),
                )
                .expected("at least one file in `sdist` or `wheels`"));
        }
        Ok(Source::Distributions { sdist, wheels })
    }

    fn vcs(&self, mut f: Fields) -> Result<Vcs> {
        let (kind, entry) = self.required_string(&mut f, "type", "type = \"git\"")?;
        if !matches!(kind.as_str(), "git" | "hg" | "svn" | "bzr") {
            return Err(self
                .error(
                    &entry.span,
                    format!("unknown version control system `{kind}`"),
                )
                .expected("\"git\", \"hg\", \"svn\" or \"bzr\""));
        }
        let (url, path) = self.location(&mut f)?;
        let requested_revision = self.opt_string(&mut f, "requested-revision")?;
        let (commit_id, _) =
            self.required_string(&mut f, "commit-id", "commit-id = \"<full commit id>\"")?;
        let subdirectory = self.opt_string(&mut f, "subdirectory")?;
        Ok(Vcs {
            kind,
            url,
            path,
            requested_revision,
            commit_id,
            subdirectory,
            unknown: f.unknown(),
        })
    }

    /// `url` and `path`, at least one of them.
    fn location(&self, f: &mut Fields) -> Result<(Option<String>, Option<String>)> {
        let url = self.opt_string(f, "url")?;
        let path = self.opt_string(f, "path")?;
        if url.is_none() && path.is_none() {
            return Err(self
                .error(
                    &f.span,
                    format!("`{}` has neither `url` nor `path`", f.path),
                )
                .expected("a `url` or a `path`"));
        }
        Ok((url, path))
    }

    fn hashes(&self, f: &mut Fields) -> Result<BTreeMap<String, String>> {
        let expected = "hashes = { sha256 = \"<hex digest>\" }";
        let Some(entry) = f.get("hashes") else {
            return Err(self.missing(f, "hashes", expected));
        };
        let table = self.table(&entry)?;
        let mut hashes = BTreeMap::new();
        for (algorithm, item) in table.table.iter() {
            match item.as_str() {
                Some(digest) => {
                    if let Err(e) = unilock_model::hash::check(algorithm, digest) {
                        let span = item.span().unwrap_or_else(|| entry.span.clone());
                        return Err(self.error(&span, e.to_string()).expected(e.expected()));
                    }
                    hashes.insert(algorithm.to_string(), digest.to_string());
                }
                None => {
                    let span = item.span().unwrap_or_else(|| entry.span.clone());
                    return Err(self
                        .error(
                            &span,
                            format!("hash `{algorithm}` is a {}", item.type_name()),
                        )
                        .expected("a hex digest string"));
                }
            }
        }
        if hashes.is_empty() {
            return Err(self
                .error(&entry.span, format!("`{}` is empty", entry.path))
                .expected(expected));
        }
        Ok(hashes)
    }

    fn artifact(&self, mut f: Fields) -> Result<Artifact> {
        let name = self.opt_string(&mut f, "name")?;
        let upload_time = self.upload_time(&mut f)?;
        let (url, path) = self.location(&mut f)?;
        let size = self.size(&mut f)?;
        let hashes = self.hashes(&mut f)?;
        Ok(Artifact {
            name,
            upload_time,
            url,
            path,
            size,
            hashes,
            unknown: f.unknown(),
        })
    }

    fn check_wheel_name(
        &self,
        wheel: &Artifact,
        span: &Range<usize>,
        name: &str,
        version: Option<&str>,
    ) -> Result<()> {
        let filename = wheel.filename().unwrap_or_default();
        let Some((file_name, file_version)) = wheel_name_version(&filename) else {
            return Err(self
                .error(span, format!("invalid wheel file name `{filename}`"))
                .expected("NAME-VERSION(-BUILD)?-PYTHON-ABI-PLATFORM.whl"));
        };
        self.check_file_name(&filename, span, (name, version), (file_name, file_version))
    }

    fn check_sdist_name(
        &self,
        sdist: &Artifact,
        entry: &Entry,
        name: &str,
        version: Option<&str>,
    ) -> Result<()> {
        let filename = sdist.filename().unwrap_or_default();
        match sdist_name_version(&filename) {
            Some(found) => self.check_file_name(&filename, &entry.span, (name, version), found),
            // Legacy sdist extensions (.tar.bz2, …) are not checked.
            None => Ok(()),
        }
    }

    fn check_file_name(
        &self,
        filename: &str,
        span: &Range<usize>,
        (name, version): (&str, Option<&str>),
        (file_name, file_version): (&str, &str),
    ) -> Result<()> {
        let same_name =
            pep508_rs::PackageName::from_str(file_name).is_ok_and(|n| n.as_ref() == name);
        if !same_name {
            return Err(self
                .error(
                    span,
                    format!("file `{filename}` is not a file of package `{name}`"),
                )
                .expected(format!("a file of `{name}`")));
        }
        if let Some(version) = version {
            let same = match (
                pep440_rs::Version::from_str(version),
                pep440_rs::Version::from_str(file_version),
            ) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            };
            if !same {
                return Err(self
                    .error(
                        span,
                        format!("file `{filename}` is not version {version} of `{name}`"),
                    )
                    .expected(format!("a file of `{name}` {version}")));
            }
        }
        Ok(())
    }
}

/// `(name, version)` of a wheel file name.
pub(crate) fn wheel_name_version(filename: &str) -> Option<(&str, &str)> {
    let stem = filename.strip_suffix(".whl")?;
    let parts: Vec<&str> = stem.split('-').collect();
    if !(parts.len() == 5 || parts.len() == 6) || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    Some((parts[0], parts[1]))
}

/// `(name, version)` of an sdist file name (`.tar.gz` or `.zip`).
fn sdist_name_version(filename: &str) -> Option<(&str, &str)> {
    let stem = filename
        .strip_suffix(".tar.gz")
        .or_else(|| filename.strip_suffix(".zip"))?;
    stem.rsplit_once('-')
}

/// A PEP 751 marker rewritten so a PEP 508 parser checks its syntax: the `extras` and
/// `dependency_groups` variables (used as `"name" in extras`) become a string variable that
/// takes the same operators. Only for validation; the marker is kept as written.
pub(crate) fn pep751_marker_for_pep508(marker: &str) -> String {
    let mut out = String::with_capacity(marker.len());
    let mut quote: Option<char> = None;
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        match word.as_str() {
            "extras" | "dependency_groups" => out.push_str("platform_version"),
            _ => out.push_str(word),
        }
        word.clear();
    };
    for c in marker.chars() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c.is_ascii_alphanumeric() || c == '_' || c == '.' => word.push(c),
            None => {
                flush(&mut word, &mut out);
                if c == '"' || c == '\'' {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    flush(&mut word, &mut out);
    out
}
