//! Reading `uv.lock` text into the typed [`UvLock`]: TOML syntax through `toml_edit` (which
//! keeps byte spans), then every table checked key by key, so each error names the line and
//! column of the offending value. Versions are checked as PEP 440, markers as PEP 508.

use super::*;
use std::ops::Range;
use std::str::FromStr;
use toml_edit::{Item, TableLike, Value};
use unilock_model::{Diagnostic, Span};

/// Parses a `uv.lock`. `path` names the file in diagnostics.
///
/// A large lock is read in parts on every core (see [`parse_in_parts`]); whenever that path
/// meets anything it does not expect, the whole text is read in one piece, which also gives
/// every error its location.
pub fn parse(path: &str, text: &str) -> Result<UvLock, Diagnostic> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if let Some(lock) = parse_in_parts(path, text, cores, PART_BYTES) {
        return Ok(lock);
    }
    parse_whole(path, text)
}

/// Parses a `uv.lock` in one piece.
pub(super) fn parse_whole(path: &str, text: &str) -> Result<UvLock, Diagnostic> {
    let doc = toml_edit::Document::parse(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        Diagnostic::invalid(format!("not valid TOML: {}", e.message().trim_end()))
            .at(path, text, Span::new(span.start, span.end))
            .expected("a uv.lock file as uv writes it")
    })?;
    Cx::new(path, text, 0).lock(doc.as_table())
}

/// The size of the parts a large lock is read in. A TOML syntax tree takes many times the
/// memory of its text, and fresh memory costs time (the kernel clears every page), so a lock
/// is read part by part, each tree dropped before the next is built, on as many threads as
/// there are cores.
const PART_BYTES: usize = 128 * 1024;

/// Reads a lock in parts of about `part_bytes`, split at `[[package]]` headers, on up to
/// `threads` threads; `None` when the text is too small to split, a part is not valid, or a
/// part after the first holds anything but packages (then the caller reads it whole).
///
/// Why this is exact: a part ends right before a line that is only `[[package]]`. If the part
/// before such a line is valid TOML on its own, the line cannot be inside a string, array or
/// inline table, so it starts a new element of the top-level `package` array of tables; a part
/// that starts with it and defines nothing but `package` tables (and their sub-tables, which
/// attach to the last element of the same part) adds exactly those elements. Keys cannot clash
/// across parts, because each element's keys are all inside its own part.
pub(super) fn parse_in_parts(
    path: &str,
    text: &str,
    threads: usize,
    part_bytes: usize,
) -> Option<UvLock> {
    let bounds = part_bounds(text, part_bytes.max(1));
    if bounds.len() < 3 {
        return None;
    }
    let tails = bounds.len() - 2;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let read_tails = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if i >= tails {
                return done;
            }
            done.push((i, packages_part(path, text, bounds[i + 1], bounds[i + 2])));
        }
    };
    let (head, mut parts) = std::thread::scope(|scope| {
        let workers: Vec<_> = (1..threads.clamp(1, tails + 1))
            .map(|_| scope.spawn(read_tails))
            .collect();
        let head = toml_edit::Document::parse(&text[..bounds[1]])
            .ok()
            .and_then(|doc| {
                let package = doc.as_table().get("package");
                if package.is_some_and(|p| !p.is_array_of_tables()) {
                    return None;
                }
                Cx::new(path, text, 0).lock(doc.as_table()).ok()
            });
        let mut parts = read_tails();
        for worker in workers {
            parts.extend(worker.join().ok()?);
        }
        Some((head, parts))
    })?;
    let mut lock = head?;
    parts.sort_by_key(|(i, _)| *i);
    for (_, part) in parts {
        lock.packages.extend(part?);
    }
    Some(lock)
}

/// Where the parts of `text` start (the first at 0, the others at `[[package]]` lines), and
/// its end.
fn part_bounds(text: &str, part_bytes: usize) -> Vec<usize> {
    let mut bounds = vec![0];
    let mut goal = part_bytes;
    for (i, _) in text.match_indices("\n[[package]]\n") {
        if i + 1 >= goal && text.len() - (i + 1) >= part_bytes / 2 {
            bounds.push(i + 1);
            goal = i + 1 + part_bytes;
        }
    }
    bounds.push(text.len());
    bounds
}

/// The packages of `text[start..end]`, a part that must hold `[[package]]` tables only.
fn packages_part(path: &str, text: &str, start: usize, end: usize) -> Option<Vec<Package>> {
    let doc = toml_edit::Document::parse(&text[start..end]).ok()?;
    let root = doc.as_table();
    if root.len() != 1 {
        return None;
    }
    let Some(Item::ArrayOfTables(tables)) = root.get("package") else {
        return None;
    };
    let cx = Cx::new(path, text, start);
    tables
        .iter()
        .map(|t| cx.package(t, t.span()).ok())
        .collect()
}

struct Cx<'a> {
    file: &'a str,
    /// The whole file; spans of the TOML being read are relative to `base` within it.
    text: &'a str,
    base: usize,
    /// Markers already found valid: a lock repeats the same few markers thousands of times.
    valid_markers: std::cell::RefCell<std::collections::HashSet<String>>,
}

impl<'a> Cx<'a> {
    fn new(file: &'a str, text: &'a str, base: usize) -> Self {
        Cx {
            file,
            text,
            base,
            valid_markers: Default::default(),
        }
    }

    /// A span of the part being read, as a span of the whole file.
    fn shift(&self, span: Range<usize>) -> Range<usize> {
        span.start + self.base..span.end + self.base
    }
}

type R<T> = Result<T, Diagnostic>;

/// A table (header or inline) with the span to point at when a key is missing.
type Located<'i> = (&'i dyn TableLike, Option<Range<usize>>);

impl Cx<'_> {
    fn err(&self, span: Option<Range<usize>>, message: String, expected: &str) -> Diagnostic {
        let span = span.map_or(0..0, |s| self.shift(s));
        Diagnostic::invalid(message)
            .at(self.file, self.text, Span::new(span.start, span.end))
            .expected(expected.to_string())
    }

    fn lock(&self, root: &toml_edit::Table) -> R<UvLock> {
        let mut lock = UvLock::default();
        let mut version = None;
        for (key, item) in root.iter() {
            self.comment(key, item, &mut lock.comments);
            match key {
                "version" => version = Some(self.int(item, "version")?),
                "revision" => lock.revision = Some(self.int(item, "revision")?),
                "requires-python" => {
                    lock.requires_python = Some(self.specifiers(item, "requires-python")?)
                }
                "resolution-markers" => lock.resolution_markers = self.markers(item, key)?,
                "supported-markers" => lock.supported_markers = self.markers(item, key)?,
                "required-markers" => lock.required_markers = self.markers(item, key)?,
                "conflicts" => lock.conflicts = self.conflicts(item)?,
                "options" => lock.options = Some(self.options(item)?),
                "manifest" => lock.manifest = Some(self.manifest(item)?),
                "package" => {
                    for (table, span) in self.tables(item, "package")? {
                        lock.packages.push(self.package(table, span)?);
                    }
                }
                _ => lock.unknown.push(unknown(key, item)),
            }
        }
        match version {
            Some(1) => lock.version = 1,
            Some(v) => {
                return Err(self.err(
                    root.get("version").and_then(Item::span),
                    format!("unsupported uv.lock version {v}"),
                    "`version = 1`",
                ));
            }
            None => {
                return Err(self.err(
                    Some(0..0),
                    "missing `version`: not a uv.lock".into(),
                    "`version = 1` as the first line",
                ));
            }
        }
        // Revisions only add fields within version 1 (uv 0.13 writes revision 5); uv reads
        // any of them, and so does unilock, keeping fields it does not know.
        if let Some(r) = lock.revision
            && r < 0
        {
            return Err(self.err(
                root.get("revision").and_then(Item::span),
                format!("invalid uv.lock revision {r}"),
                "a revision of 0 or more",
            ));
        }
        Ok(lock)
    }

    fn conflicts(&self, item: &Item) -> R<Vec<Vec<ConflictItem>>> {
        let mut sets = Vec::new();
        for set in self.array(item, "conflicts")? {
            let Value::Array(members) = set else {
                return Err(self.wrong(set.span(), "conflicts", "an array of conflict sets"));
            };
            let mut items = Vec::new();
            for member in members.iter() {
                let (t, span) = self.inline(member, "conflicts")?;
                let mut c = ConflictItem::default();
                for (k, v) in t.iter() {
                    match k {
                        "package" => c.package = self.string(v, k)?,
                        "extra" => c.extra = Some(self.string(v, k)?),
                        "group" => c.group = Some(self.string(v, k)?),
                        _ => c.unknown.push(unknown(k, v)),
                    }
                }
                if c.package.is_empty() {
                    return Err(self.missing(span, "package", "conflict item"));
                }
                items.push(c);
            }
            sets.push(items);
        }
        Ok(sets)
    }

    fn options(&self, item: &Item) -> R<LockOptions> {
        let (t, _) = self.table(item, "options")?;
        let mut o = LockOptions::default();
        for (k, v) in t.iter() {
            match k {
                "resolution-mode" => o.resolution_mode = Some(self.string(v, k)?),
                "prerelease-mode" => o.prerelease_mode = Some(self.string(v, k)?),
                "fork-strategy" => o.fork_strategy = Some(self.string(v, k)?),
                "exclude-newer" => o.exclude_newer = Some(self.string(v, k)?),
                "exclude-newer-span" => o.exclude_newer_span = Some(self.string(v, k)?),
                "exclude-newer-package" => {
                    let (pt, _) = self.table(v, k)?;
                    o.exclude_newer_package = pt.iter().map(|(k, v)| unknown(k, v)).collect();
                }
                _ => o.unknown.push(unknown(k, v)),
            }
        }
        Ok(o)
    }

    fn manifest(&self, item: &Item) -> R<LockManifest> {
        let (t, _) = self.table(item, "manifest")?;
        let mut m = LockManifest::default();
        for (k, v) in t.iter() {
            match k {
                "members" => m.members = self.strings(v, k)?,
                "requirements" => m.requirements = self.requirements(v, k)?,
                "constraints" => m.constraints = self.requirements(v, k)?,
                "overrides" => m.overrides = self.requirements(v, k)?,
                "excludes" => m.excludes = self.strings(v, k)?,
                "build-constraints" => m.build_constraints = self.requirements(v, k)?,
                "dependency-groups" => m.dependency_groups = self.requirement_groups(v, k)?,
                "dependency-metadata" => {
                    for (dt, span) in self.tables(v, k)? {
                        m.dependency_metadata
                            .push(self.dependency_metadata(dt, span)?);
                    }
                }
                _ => m.unknown.push(unknown(k, v)),
            }
        }
        Ok(m)
    }

    fn dependency_metadata(
        &self,
        t: &dyn TableLike,
        span: Option<Range<usize>>,
    ) -> R<DependencyMetadata> {
        let mut d = DependencyMetadata::default();
        for (k, v) in t.iter() {
            match k {
                "name" => d.name = self.string(v, k)?,
                "version" => d.version = Some(self.version(v, k)?),
                "requires-dist" => {
                    d.requires_dist = self.strings(v, k)?;
                    for (req, value) in d.requires_dist.iter().zip(self.array(v, k)?) {
                        self.check_pep508(req, value.span())?;
                    }
                }
                "requires-python" => d.requires_python = Some(self.specifiers(v, k)?),
                "provides-extras" | "provides-extra" => d.provides_extras = self.strings(v, k)?,
                _ => d.unknown.push(unknown(k, v)),
            }
        }
        if d.name.is_empty() {
            return Err(self.missing(span, "name", "dependency-metadata entry"));
        }
        Ok(d)
    }

    fn package(&self, t: &dyn TableLike, span: Option<Range<usize>>) -> R<Package> {
        let mut p = Package::default();
        for (k, v) in t.iter() {
            self.comment(k, v, &mut p.comments);
            match k {
                "name" => p.name = self.string(v, k)?,
                "version" => p.version = Some(self.version(v, k)?),
                "source" => p.source = Some(self.source(v)?),
                "resolution-markers" => p.resolution_markers = self.markers(v, k)?,
                "dependencies" => p.dependencies = self.dependencies(v, k)?,
                "sdist" => p.sdist = Some(self.artifact(v, k)?),
                "wheels" => {
                    for w in self.array(v, k)? {
                        p.wheels.push(self.artifact_value(w, k)?);
                    }
                }
                "optional-dependencies" => {
                    p.optional_dependencies = self.dependency_groups(v, k)?
                }
                "dev-dependencies" | "dependency-groups" => {
                    p.dependency_groups = self.dependency_groups(v, k)?;
                    if k == "dependency-groups" {
                        p.dependency_groups_key = GroupsKey::DependencyGroups;
                    }
                }
                "metadata" => p.metadata = Some(self.metadata(v)?),
                _ => p.unknown.push(unknown(k, v)),
            }
        }
        if p.name.is_empty() {
            return Err(self.missing(span, "name", "[[package]]"));
        }
        Ok(p)
    }

    fn metadata(&self, item: &Item) -> R<PackageMetadata> {
        let (t, _) = self.table(item, "metadata")?;
        let mut m = PackageMetadata::default();
        for (k, v) in t.iter() {
            match k {
                "requires-dist" => m.requires_dist = self.requirements(v, k)?,
                "provides-extras" | "provides-extra" => m.provides_extras = self.strings(v, k)?,
                "requires-dev" | "dependency-groups" => {
                    m.requires_dev = self.requirement_groups(v, k)?;
                    if k == "dependency-groups" {
                        m.requires_dev_key = GroupsKey::DependencyGroups;
                    }
                }
                _ => m.unknown.push(unknown(k, v)),
            }
        }
        Ok(m)
    }

    fn source(&self, item: &Item) -> R<Source> {
        let (t, span) = self.table(item, "source")?;
        let mut source = None;
        let mut subdirectory = None;
        for (k, v) in t.iter() {
            let s = self.string(v, k)?;
            let kind = match k {
                "registry" => Source::Registry(s),
                "git" => Source::Git(s),
                "url" => Source::Url {
                    url: s,
                    subdirectory: None,
                },
                "path" => Source::Path(s),
                "directory" => Source::Directory(s),
                "editable" => Source::Editable(s),
                "virtual" => Source::Virtual(s),
                "subdirectory" => {
                    subdirectory = Some(s);
                    continue;
                }
                _ => {
                    let key_span = t.get_key_value(k).and_then(|(key, _)| key.span());
                    return Err(self.err(
                        key_span,
                        format!("unknown source kind `{k}`"),
                        "one of `registry`, `git`, `url`, `path`, `directory`, `editable`, `virtual`",
                    ));
                }
            };
            if source.is_some() {
                return Err(self.wrong(span, "source", "exactly one source kind"));
            }
            source = Some(kind);
        }
        match (source, subdirectory) {
            (Some(Source::Url { url, .. }), sub) => Ok(Source::Url {
                url,
                subdirectory: sub,
            }),
            (Some(s), None) => Ok(s),
            (Some(_), Some(_)) => Err(self.wrong(span, "source", "`subdirectory` only with `url`")),
            (None, _) => Err(self.wrong(span, "source", "a source kind such as `registry`")),
        }
    }

    fn dependency_groups(&self, item: &Item, what: &str) -> R<Vec<(String, Vec<Dependency>)>> {
        let (t, _) = self.table(item, what)?;
        let mut groups = Vec::new();
        for (k, v) in t.iter() {
            groups.push((k.to_string(), self.dependencies(v, k)?));
        }
        Ok(groups)
    }

    fn dependencies(&self, item: &Item, what: &str) -> R<Vec<Dependency>> {
        let mut deps = Vec::new();
        for value in self.array(item, what)? {
            let (t, span) = self.inline(value, what)?;
            let mut d = Dependency::default();
            for (k, v) in t.iter() {
                match k {
                    "name" => d.name = self.string(v, k)?,
                    "version" => d.version = Some(self.version(v, k)?),
                    "source" => d.source = Some(self.source(v)?),
                    "extra" => d.extra = self.strings(v, k)?,
                    "marker" => d.marker = Some(self.marker(v, k)?),
                    _ => d.unknown.push(unknown(k, v)),
                }
            }
            if d.name.is_empty() {
                return Err(self.missing(span, "name", "dependency"));
            }
            deps.push(d);
        }
        Ok(deps)
    }

    fn requirement_groups(
        &self,
        item: &Item,
        what: &str,
    ) -> R<Vec<(String, Vec<LockRequirement>)>> {
        let (t, _) = self.table(item, what)?;
        let mut groups = Vec::new();
        for (k, v) in t.iter() {
            groups.push((k.to_string(), self.requirements(v, k)?));
        }
        Ok(groups)
    }

    fn requirements(&self, item: &Item, what: &str) -> R<Vec<LockRequirement>> {
        let mut reqs = Vec::new();
        for value in self.array(item, what)? {
            let (t, span) = self.inline(value, what)?;
            let mut r = LockRequirement::default();
            let (mut specifier, mut index, mut subdirectory) = (None, None, None);
            let mut source = None;
            for (k, v) in t.iter() {
                match k {
                    "name" => r.name = self.string(v, k)?,
                    "extras" => r.extras = self.strings(v, k)?,
                    "groups" => r.groups = self.strings(v, k)?,
                    "marker" => r.marker = Some(self.marker(v, k)?),
                    "specifier" => specifier = Some(self.specifiers(v, k)?),
                    "index" => index = Some(self.string(v, k)?),
                    "subdirectory" => subdirectory = Some(self.string(v, k)?),
                    "git" => source = Some(RequirementSource::Git(self.string(v, k)?)),
                    "url" => {
                        source = Some(RequirementSource::Url {
                            url: self.string(v, k)?,
                            subdirectory: None,
                        })
                    }
                    "path" => source = Some(RequirementSource::Path(self.string(v, k)?)),
                    "directory" => source = Some(RequirementSource::Directory(self.string(v, k)?)),
                    "editable" => source = Some(RequirementSource::Editable(self.string(v, k)?)),
                    "virtual" => source = Some(RequirementSource::Virtual(self.string(v, k)?)),
                    _ => r.unknown.push(unknown(k, v)),
                }
            }
            if r.name.is_empty() {
                return Err(self.missing(span, "name", "requirement"));
            }
            r.source = match source {
                Some(RequirementSource::Url { url, .. }) => RequirementSource::Url {
                    url,
                    subdirectory: subdirectory.take(),
                },
                Some(s) => s,
                None if specifier.is_none() && index.is_none() => RequirementSource::Any,
                None => RequirementSource::Registry {
                    specifier: specifier.take(),
                    index: index.take(),
                },
            };
            // Keys that do not fit the source kind are kept rather than dropped.
            for (k, v) in [
                ("specifier", specifier),
                ("index", index),
                ("subdirectory", subdirectory),
            ] {
                if let Some(v) = v {
                    r.unknown.push((k.to_string(), toml_string(&v)));
                }
            }
            reqs.push(r);
        }
        Ok(reqs)
    }

    fn artifact(&self, item: &Item, what: &str) -> R<Artifact> {
        match item {
            Item::Value(v) => self.artifact_value(v, what),
            _ => {
                let (t, _) = self.table(item, what)?;
                self.artifact_table(t, what)
            }
        }
    }

    fn artifact_value(&self, value: &Value, what: &str) -> R<Artifact> {
        let (t, _) = self.inline(value, what)?;
        self.artifact_table(t, what)
    }

    fn artifact_table(&self, t: &dyn TableLike, what: &str) -> R<Artifact> {
        let mut a = Artifact::default();
        for (k, v) in t.iter() {
            match k {
                "url" => a.location = Some(ArtifactLocation::Url(self.string(v, k)?)),
                "path" => a.location = Some(ArtifactLocation::Path(self.string(v, k)?)),
                "filename" => a.location = Some(ArtifactLocation::Filename(self.string(v, k)?)),
                "hash" => a.hash = Some(self.hash(v)?),
                "size" => a.size = Some(self.size(v, k)?),
                "upload-time" => a.upload_time = Some(self.string(v, k)?),
                "zstd" => {
                    let (zt, _) = self.table(v, k)?;
                    let (mut hash, mut size) = (None, None);
                    for (zk, zv) in zt.iter() {
                        match zk {
                            "hash" => hash = Some(self.hash(zv)?),
                            "size" => size = Some(self.size(zv, zk)?),
                            _ => return Err(self.wrong(zv.span(), what, "`hash` and `size`")),
                        }
                    }
                    a.zstd = Some((hash, size));
                }
                _ => a.unknown.push(unknown(k, v)),
            }
        }
        Ok(a)
    }

    /// Records the comment after `item`'s value on its line, if there is one.
    fn comment(&self, key: &str, item: &Item, comments: &mut Comments) {
        let Some(suffix) = item.as_value().and_then(|v| v.decor().suffix()) else {
            return;
        };
        let raw = match suffix.as_str() {
            Some(s) => Some(s),
            None => suffix.span().and_then(|r| self.text.get(self.shift(r))),
        };
        if let Some(raw) = raw
            && raw.trim_start().starts_with('#')
        {
            comments.push((key.to_string(), raw.to_string()));
        }
    }

    // --- values ---

    fn wrong(&self, span: Option<Range<usize>>, what: &str, expected: &str) -> Diagnostic {
        self.err(span, format!("wrong type for `{what}`"), expected)
    }

    fn missing(&self, span: Option<Range<usize>>, key: &str, what: &str) -> Diagnostic {
        self.err(
            span,
            format!("{what} without `{key}`"),
            &format!("a `{key}` key"),
        )
    }

    fn string(&self, item: &Item, what: &str) -> R<String> {
        match item.as_str() {
            Some(s) => Ok(s.to_string()),
            None => Err(self.wrong(item.span(), what, "a string")),
        }
    }

    fn int(&self, item: &Item, what: &str) -> R<i64> {
        item.as_integer()
            .ok_or_else(|| self.wrong(item.span(), what, "an integer"))
    }

    fn size(&self, item: &Item, what: &str) -> R<u64> {
        let n = self.int(item, what)?;
        u64::try_from(n).map_err(|_| self.wrong(item.span(), what, "a size in bytes"))
    }

    fn hash(&self, item: &Item) -> R<String> {
        let s = self.string(item, "hash")?;
        match unilock_model::hash::parse(&s, ':') {
            Ok(_) => Ok(s),
            Err(e) => Err(self.err(item.span(), e.to_string(), &e.expected())),
        }
    }

    fn version(&self, item: &Item, what: &str) -> R<String> {
        let s = self.string(item, what)?;
        pep440_rs::Version::from_str(&s).map_err(|e| {
            self.err(
                item.span(),
                format!("invalid PEP 440 version `{s}`: {}", first_line(&e)),
                "a version such as `1.2.3`",
            )
        })?;
        Ok(s)
    }

    fn specifiers(&self, item: &Item, what: &str) -> R<String> {
        let s = self.string(item, what)?;
        pep440_rs::VersionSpecifiers::from_str(&s).map_err(|e| {
            self.err(
                item.span(),
                format!("invalid PEP 440 specifier `{s}`: {}", first_line(&e)),
                "specifiers such as `>=3.9, <4`",
            )
        })?;
        Ok(s)
    }

    fn marker(&self, item: &Item, what: &str) -> R<String> {
        let s = self.string(item, what)?;
        self.check_marker(&s, item.span())?;
        Ok(s)
    }

    fn check_marker(&self, s: &str, span: Option<Range<usize>>) -> R<()> {
        if self.valid_markers.borrow().contains(s) {
            return Ok(());
        }
        unilock_model::requirement::parse_marker(s)
            .map(|_| {
                self.valid_markers.borrow_mut().insert(s.to_string());
            })
            .map_err(|e| {
                let start =
                    span.as_ref().map_or(0, |r| self.base + r.start + 1) + e.start.min(s.len());
                Diagnostic::invalid(format!("invalid PEP 508 marker: {}", e.message))
                    .at(self.file, self.text, Span::new(start, start + e.len.max(1)))
                    .expected("a marker such as `sys_platform == 'linux'`")
            })
    }

    fn check_pep508(&self, s: &str, span: Option<Range<usize>>) -> R<()> {
        unilock_model::requirement::parse_requirement(s, None)
            .map(|_| ())
            .map_err(|e| {
                let start =
                    span.as_ref().map_or(0, |r| self.base + r.start + 1) + e.start.min(s.len());
                Diagnostic::invalid(format!("invalid PEP 508 requirement: {}", e.message))
                    .at(self.file, self.text, Span::new(start, start + e.len.max(1)))
                    .expected("a requirement such as `name>=1.0`")
            })
    }

    fn markers(&self, item: &Item, what: &str) -> R<Vec<String>> {
        let strings = self.strings(item, what)?;
        for (s, v) in strings.iter().zip(self.array(item, what)?) {
            self.check_marker(s, v.span())?;
        }
        Ok(strings)
    }

    fn strings(&self, item: &Item, what: &str) -> R<Vec<String>> {
        self.array(item, what)?
            .into_iter()
            .map(|v| match v.as_str() {
                Some(s) => Ok(s.to_string()),
                None => Err(self.wrong(v.span(), what, "an array of strings")),
            })
            .collect()
    }

    fn array<'i>(&self, item: &'i Item, what: &str) -> R<Vec<&'i Value>> {
        match item.as_array() {
            Some(a) => Ok(a.iter().collect()),
            None => Err(self.wrong(item.span(), what, "an array")),
        }
    }

    fn inline<'i>(&self, value: &'i Value, what: &str) -> R<Located<'i>> {
        match value.as_inline_table() {
            Some(t) => Ok((t as &dyn TableLike, value.span())),
            None => Err(self.wrong(value.span(), what, "an inline table `{ … }`")),
        }
    }

    fn table<'i>(&self, item: &'i Item, what: &str) -> R<Located<'i>> {
        match item.as_table_like() {
            Some(t) => Ok((t, item.span())),
            None => Err(self.wrong(item.span(), what, "a table")),
        }
    }

    /// An array of tables, written `[[key]]` or as an inline array of inline tables.
    fn tables<'i>(&self, item: &'i Item, what: &str) -> R<Vec<Located<'i>>> {
        match item {
            Item::ArrayOfTables(a) => {
                Ok(a.iter().map(|t| (t as &dyn TableLike, t.span())).collect())
            }
            _ => self
                .array(item, what)?
                .into_iter()
                .map(|v| self.inline(v, what))
                .collect(),
        }
    }
}

/// A key the model does not know, kept with its value as TOML text.
fn unknown(key: &str, item: &Item) -> (String, String) {
    let value = match item.clone().into_value() {
        Ok(mut v) => {
            match &mut v {
                Value::Array(a) => a.fmt(),
                Value::InlineTable(t) => t.fmt(),
                _ => {}
            }
            v.decor_mut().clear();
            v.to_string()
        }
        Err(_) => String::new(),
    };
    (key.to_string(), value)
}

/// The first line of an error message (some errors repeat the input with a caret below).
fn first_line(e: &impl std::fmt::Display) -> String {
    let text = e.to_string();
    text.lines()
        .next()
        .unwrap_or_default()
        .trim_end_matches(':')
        .to_string()
}

/// A string as a TOML basic string, the way uv writes it.
pub(super) fn toml_string(s: &str) -> String {
    // Plain ASCII needs no escaping and is written as a basic string, as toml_edit would write
    // it; everything else goes through toml_edit's encoder.
    if s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
    {
        let mut out = String::with_capacity(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
        return out;
    }
    Value::from(s).to_string()
}
