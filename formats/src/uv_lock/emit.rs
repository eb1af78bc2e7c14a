//! Writing a [`UvLock`] in uv's canonical layout, by hand, the way uv's own serializer does:
//! top-level keys, `[options]`, `[manifest]`, then each `[[package]]` with its edges (one
//! inline table per line), `sdist` on one line, `wheels` one per line, extras and groups as
//! sub-tables and the source tree's `[package.metadata]`. A lock read by [`super::parse`]
//! re-emits byte for byte.

use super::parse::toml_string;
use super::*;

/// Serializes a lock in uv's canonical layout.
pub fn emit(lock: &UvLock) -> String {
    let mut w = Writer {
        out: String::new(),
        comments: &lock.comments,
    };
    w.kv("version", &lock.version.to_string());
    if let Some(revision) = lock.revision {
        w.kv("revision", &revision.to_string());
    }
    if let Some(rp) = &lock.requires_python {
        w.kv("requires-python", &toml_string(rp));
    }
    w.multiline_strings("resolution-markers", &lock.resolution_markers);
    w.multiline_strings("supported-markers", &lock.supported_markers);
    w.multiline_strings("required-markers", &lock.required_markers);
    if !lock.conflicts.is_empty() {
        let sets: Vec<String> = lock
            .conflicts
            .iter()
            .map(|set| {
                let mut s = String::from("[\n");
                for item in set {
                    let mut t = Inline::default();
                    t.str("package", &item.package);
                    t.opt("extra", item.extra.as_deref());
                    t.opt("group", item.group.as_deref());
                    t.unknown(&item.unknown);
                    s.push_str(&format!("    {},\n", t.finish()));
                }
                s.push(']');
                s
            })
            .collect();
        w.kv("conflicts", &format!("[{}]", sets.join(", ")));
    }
    w.unknown(&lock.unknown);
    w.comments = &[];
    if let Some(options) = &lock.options {
        write_options(&mut w, options);
    }
    if let Some(manifest) = &lock.manifest {
        write_manifest(&mut w, manifest);
    }
    let parts = packages_in_parts(&lock.packages);
    w.out.reserve(parts.iter().map(String::len).sum());
    for part in parts {
        w.out.push_str(&part);
    }
    w.out
}

/// Packages below this many are written on one thread.
const PARALLEL_PACKAGES: usize = 128;

/// The `[[package]]` tables, written in consecutive slices on every core (each table's text
/// depends on that package alone), in order.
fn packages_in_parts(packages: &[Package]) -> Vec<String> {
    let write = |slice: &[Package]| {
        let mut w = Writer {
            out: String::new(),
            comments: &[],
        };
        for package in slice {
            write_package(&mut w, package);
        }
        w.out
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores < 2 || packages.len() < PARALLEL_PACKAGES {
        return vec![write(packages)];
    }
    let size = packages.len().div_ceil(cores);
    std::thread::scope(|scope| {
        let handles: Vec<_> = packages
            .chunks(size)
            .map(|slice| (slice, scope.spawn(move || write(slice))))
            .collect();
        handles
            .into_iter()
            .map(|(slice, h)| h.join().unwrap_or_else(|_| write(slice)))
            .collect()
    })
}

fn write_options(w: &mut Writer, o: &LockOptions) {
    w.header("[options]");
    w.opt("resolution-mode", o.resolution_mode.as_deref());
    w.opt("prerelease-mode", o.prerelease_mode.as_deref());
    w.opt("fork-strategy", o.fork_strategy.as_deref());
    if let Some(value) = &o.exclude_newer {
        if o.exclude_newer_span.is_some() {
            w.out.push_str(&format!(
                "exclude-newer = {} # This has no effect and is included for backwards \
                 compatibility when using relative exclude-newer values.\n",
                toml_string(value)
            ));
        } else {
            w.kv("exclude-newer", &toml_string(value));
        }
    }
    w.opt("exclude-newer-span", o.exclude_newer_span.as_deref());
    w.unknown(&o.unknown);
    if !o.exclude_newer_package.is_empty() {
        w.header("[options.exclude-newer-package]");
        w.unknown(&o.exclude_newer_package);
    }
}

fn write_manifest(w: &mut Writer, m: &LockManifest) {
    w.header("[manifest]");
    w.multiline_strings("members", &m.members);
    w.requirements("requirements", &m.requirements);
    w.requirements("constraints", &m.constraints);
    w.requirements("overrides", &m.overrides);
    if !m.excludes.is_empty() {
        let items: Vec<String> = m.excludes.iter().map(|s| toml_string(s)).collect();
        w.array_by_count("excludes", &items);
    }
    w.requirements("build-constraints", &m.build_constraints);
    w.unknown(&m.unknown);
    if m.dependency_groups.iter().any(|(_, reqs)| !reqs.is_empty()) {
        w.header("[manifest.dependency-groups]");
        for (group, reqs) in &m.dependency_groups {
            w.requirements(group, reqs);
        }
    }
    for d in &m.dependency_metadata {
        w.header("[[manifest.dependency-metadata]]");
        w.kv("name", &toml_string(&d.name));
        w.opt("version", d.version.as_deref());
        if !d.requires_dist.is_empty() {
            w.kv("requires-dist", &inline_strings(&d.requires_dist));
        }
        w.opt("requires-python", d.requires_python.as_deref());
        if !d.provides_extras.is_empty() {
            w.kv("provides-extras", &inline_strings(&d.provides_extras));
        }
        w.unknown(&d.unknown);
    }
}

fn write_package<'a>(w: &mut Writer<'a>, p: &'a Package) {
    w.header("[[package]]");
    w.comments = &p.comments;
    w.kv("name", &toml_string(&p.name));
    w.opt("version", p.version.as_deref());
    if let Some(source) = &p.source {
        w.kv("source", &source_inline(source));
    }
    w.multiline_strings("resolution-markers", &p.resolution_markers);
    if !p.dependencies.is_empty() {
        w.multiline("dependencies", p.dependencies.iter().map(dependency_inline));
    }
    if let Some(sdist) = &p.sdist {
        w.kv("sdist", &artifact_inline(sdist));
    }
    if !p.wheels.is_empty() {
        w.multiline("wheels", p.wheels.iter().map(artifact_inline));
    }
    w.unknown(&p.unknown);
    w.comments = &[];
    write_dependency_groups(
        w,
        "[package.optional-dependencies]",
        &p.optional_dependencies,
    );
    let groups = match p.dependency_groups_key {
        GroupsKey::Canonical => "[package.dev-dependencies]",
        GroupsKey::DependencyGroups => "[package.dependency-groups]",
    };
    write_dependency_groups(w, groups, &p.dependency_groups);
    if let Some(m) = &p.metadata {
        w.header("[package.metadata]");
        if !m.requires_dist.is_empty() {
            w.requirements("requires-dist", &m.requires_dist);
        }
        if !m.provides_extras.is_empty() {
            w.kv("provides-extras", &inline_strings(&m.provides_extras));
        }
        w.unknown(&m.unknown);
        if !m.requires_dev.is_empty() {
            w.header(match m.requires_dev_key {
                GroupsKey::Canonical => "[package.metadata.requires-dev]",
                GroupsKey::DependencyGroups => "[package.metadata.dependency-groups]",
            });
            for (group, reqs) in &m.requires_dev {
                let items: Vec<String> = reqs.iter().map(requirement_inline).collect();
                w.array_by_count(group, &items);
            }
        }
    }
}

fn write_dependency_groups(w: &mut Writer, header: &str, groups: &[(String, Vec<Dependency>)]) {
    if groups.iter().all(|(_, deps)| deps.is_empty()) {
        return;
    }
    w.header(header);
    for (name, deps) in groups {
        if !deps.is_empty() {
            w.multiline(name, deps.iter().map(dependency_inline));
        }
    }
}

fn source_inline(source: &Source) -> String {
    let mut t = Inline::default();
    match source {
        Source::Registry(s) => t.str("registry", s),
        Source::Git(s) => t.str("git", s),
        Source::Url { url, subdirectory } => {
            t.str("url", url);
            t.opt("subdirectory", subdirectory.as_deref());
        }
        Source::Path(s) => t.str("path", s),
        Source::Directory(s) => t.str("directory", s),
        Source::Editable(s) => t.str("editable", s),
        Source::Virtual(s) => t.str("virtual", s),
    }
    t.finish()
}

fn dependency_inline(d: &Dependency) -> String {
    let mut t = Inline::default();
    t.str("name", &d.name);
    t.opt("version", d.version.as_deref());
    if let Some(source) = &d.source {
        t.raw("source", &source_inline(source));
    }
    if !d.extra.is_empty() {
        t.raw("extra", &inline_strings(&d.extra));
    }
    t.opt("marker", d.marker.as_deref());
    t.unknown(&d.unknown);
    t.finish()
}

fn artifact_inline(a: &Artifact) -> String {
    let mut t = Inline::default();
    match &a.location {
        Some(ArtifactLocation::Url(s)) => t.str("url", s),
        Some(ArtifactLocation::Path(s)) => t.str("path", s),
        Some(ArtifactLocation::Filename(s)) => t.str("filename", s),
        None => {}
    }
    t.opt("hash", a.hash.as_deref());
    if let Some(size) = a.size {
        t.raw("size", &size.to_string());
    }
    t.opt("upload-time", a.upload_time.as_deref());
    if let Some((hash, size)) = &a.zstd {
        let mut z = Inline::default();
        z.opt("hash", hash.as_deref());
        if let Some(size) = size {
            z.raw("size", &size.to_string());
        }
        t.raw("zstd", &z.finish());
    }
    t.unknown(&a.unknown);
    t.finish()
}

fn requirement_inline(r: &LockRequirement) -> String {
    let mut t = Inline::default();
    t.str("name", &r.name);
    if !r.extras.is_empty() {
        t.raw("extras", &inline_strings(&r.extras));
    }
    if !r.groups.is_empty() {
        t.raw("groups", &inline_strings(&r.groups));
    }
    t.opt("marker", r.marker.as_deref());
    match &r.source {
        RequirementSource::Registry { specifier, index } => {
            t.opt("specifier", specifier.as_deref());
            t.opt("index", index.as_deref());
        }
        RequirementSource::Git(s) => t.str("git", s),
        RequirementSource::Url { url, subdirectory } => {
            t.str("url", url);
            t.opt("subdirectory", subdirectory.as_deref());
        }
        RequirementSource::Path(s) => t.str("path", s),
        RequirementSource::Directory(s) => t.str("directory", s),
        RequirementSource::Editable(s) => t.str("editable", s),
        RequirementSource::Virtual(s) => t.str("virtual", s),
        RequirementSource::Any => {}
    }
    t.unknown(&r.unknown);
    t.finish()
}

/// `["a", "b"]` on one line.
fn inline_strings(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|s| toml_string(s)).collect();
    format!("[{}]", items.join(", "))
}

/// A key as uv writes it: bare when it can be, quoted otherwise.
fn key(k: &str) -> String {
    let bare = !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare { k.to_string() } else { toml_string(k) }
}

/// An inline table being written: `{ key = value, … }`, or `{}` when empty.
#[derive(Default)]
struct Inline {
    parts: Vec<String>,
}

impl Inline {
    fn raw(&mut self, k: &str, value: &str) {
        self.parts.push(format!("{} = {value}", key(k)));
    }
    fn str(&mut self, k: &str, value: &str) {
        self.raw(k, &toml_string(value));
    }
    fn opt(&mut self, k: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.str(k, v);
        }
    }
    fn unknown(&mut self, unknown: &Unknown) {
        for (k, v) in unknown {
            self.raw(k, v);
        }
    }
    fn finish(self) -> String {
        if self.parts.is_empty() {
            "{}".to_string()
        } else {
            format!("{{ {} }}", self.parts.join(", "))
        }
    }
}

/// The text being written, line by line.
#[derive(Default)]
struct Writer<'c> {
    out: String,
    /// The line comments of the table being written.
    comments: &'c [(String, String)],
}

impl Writer<'_> {
    fn kv(&mut self, k: &str, value: &str) {
        self.out.push_str(&key(k));
        self.out.push_str(" = ");
        self.out.push_str(value);
        if let Some((_, comment)) = self.comments.iter().find(|(c, _)| c == k) {
            self.out.push_str(comment);
        }
        self.out.push('\n');
    }

    fn opt(&mut self, k: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.kv(k, &toml_string(v));
        }
    }

    fn unknown(&mut self, unknown: &Unknown) {
        for (k, v) in unknown {
            self.kv(k, v);
        }
    }

    /// A table header, after a blank line.
    fn header(&mut self, header: &str) {
        self.out.push('\n');
        self.out.push_str(header);
        self.out.push('\n');
    }

    /// `key = [` then one value per line, indented, each followed by a comma, then `]`.
    fn multiline(&mut self, k: &str, values: impl IntoIterator<Item = String>) {
        self.out.push_str(&key(k));
        self.out.push_str(" = [\n");
        for v in values {
            self.out.push_str("    ");
            self.out.push_str(&v);
            self.out.push_str(",\n");
        }
        self.out.push_str("]\n");
    }

    fn multiline_strings(&mut self, k: &str, values: &[String]) {
        if !values.is_empty() {
            self.multiline(k, values.iter().map(|s| toml_string(s)));
        }
    }

    /// One line for zero or one values, one value per line for more.
    fn array_by_count(&mut self, k: &str, values: &[String]) {
        if values.len() <= 1 {
            self.kv(k, &format!("[{}]", values.join(", ")));
        } else {
            self.multiline(k, values.iter().cloned());
        }
    }

    fn requirements(&mut self, k: &str, reqs: &[LockRequirement]) {
        if !reqs.is_empty() {
            let items: Vec<String> = reqs.iter().map(requirement_inline).collect();
            self.array_by_count(k, &items);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_uv_layout_from_the_model() {
        let lock = UvLock {
            version: 1,
            revision: Some(3),
            requires_python: Some(">=3.10".into()),
            packages: vec![Package {
                name: "a".into(),
                version: Some("1.0".into()),
                source: Some(Source::Registry("file:///index".into())),
                dependencies: vec![Dependency {
                    name: "b".into(),
                    marker: Some("sys_platform == 'win32'".into()),
                    ..Dependency::default()
                }],
                wheels: vec![Artifact {
                    location: Some(ArtifactLocation::Url(
                        "file:///a-1.0-py3-none-any.whl".into(),
                    )),
                    hash: Some(format!("sha256:{}", "0".repeat(64))),
                    size: Some(3),
                    ..Artifact::default()
                }],
                ..Package::default()
            }],
            ..UvLock::default()
        };
        assert_eq!(
            emit(&lock),
            r#"version = 1
revision = 3
requires-python = ">=3.10"

[[package]]
name = "a"
version = "1.0"
source = { registry = "file:///index" }
dependencies = [
    { name = "b", marker = "sys_platform == 'win32'" },
]
wheels = [
    { url = "file:///a-1.0-py3-none-any.whl", hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000", size = 3 },
]
"#
        );
    }

    #[test]
    fn strings_are_escaped_like_toml() {
        assert_eq!(toml_string("a\"b"), r#"'a"b'"#);
        assert_eq!(key("a.b"), "\"a.b\"");
    }
}
