//! Writing a [`Pylock`] in unilock's one canonical pylock.toml layout, documented in
//! `docs/pylock-format.md`: keys in the order PEP 751 lists them, `[[packages]]` as an array of
//! tables, files as inline tables one per line, `upload-time` as an unquoted TOML datetime,
//! every string as a basic (double-quoted) string, and `[tool]` tables last as standard tables.

use super::{Archive, Artifact, Directory, Package, Pylock, Source, Table, Vcs};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The canonical text of `lock`. Emitting what [`parse`](super::parse) returned from an
/// emitted file gives the same text again.
pub fn emit(lock: &Pylock) -> String {
    let mut out = String::new();
    line(&mut out, "lock-version", &string(&lock.lock_version));
    if let Some(environments) = &lock.environments {
        line(
            &mut out,
            "environments",
            &multiline(environments.iter().map(|e| string(e))),
        );
    }
    if let Some(requires_python) = &lock.requires_python {
        line(&mut out, "requires-python", &string(requires_python));
    }
    for (key, names) in [
        ("extras", &lock.extras),
        ("dependency-groups", &lock.dependency_groups),
        ("default-groups", &lock.default_groups),
    ] {
        if let Some(names) = names {
            line(
                &mut out,
                key,
                &inline_array(names.iter().map(|n| string(n))),
            );
        }
    }
    line(&mut out, "created-by", &string(&lock.created_by));
    unknown_lines(&mut out, &lock.unknown);
    if lock.packages.is_empty() {
        // PEP 751 requires the key: a lock of no packages says so, rather than leaving it out.
        line(&mut out, "packages", "[]");
    }
    for package in &lock.packages {
        out.push_str("\n[[packages]]\n");
        package_body(&mut out, package);
    }
    if let Some(tool) = &lock.tool {
        standard_table(&mut out, "tool", tool);
    }
    out
}

fn package_body(out: &mut String, package: &Package) {
    line(out, "name", &string(&package.name));
    if let Some(version) = &package.version {
        line(out, "version", &string(version));
    }
    if let Some(marker) = &package.marker {
        line(out, "marker", &string(marker));
    }
    if let Some(requires_python) = &package.requires_python {
        line(out, "requires-python", &string(requires_python));
    }
    if let Some(dependencies) = &package.dependencies {
        line(
            out,
            "dependencies",
            &multiline(dependencies.iter().map(inline_table)),
        );
    }
    match &package.source {
        Source::Vcs(vcs) => line(out, "vcs", &vcs_table(vcs)),
        Source::Directory(dir) => line(out, "directory", &directory_table(dir)),
        Source::Archive(archive) => line(out, "archive", &archive_table(archive)),
        Source::Distributions { .. } => {}
    }
    if let Some(index) = &package.index {
        line(out, "index", &string(index));
    }
    if let Source::Distributions { sdist, wheels } = &package.source {
        if let Some(sdist) = sdist {
            line(out, "sdist", &artifact_table(sdist));
        }
        if let Some(wheels) = wheels {
            line(out, "wheels", &multiline(wheels.iter().map(artifact_table)));
        }
    }
    if let Some(identities) = &package.attestation_identities {
        let identities = identities.iter().map(|t| {
            // `kind` first, the rest in key order.
            let mut fields = Fields::default();
            if let Some(kind) = t.get("kind") {
                fields.push("kind", value(kind));
            }
            for (k, v) in t.iter().filter(|(k, _)| k.as_str() != "kind") {
                fields.push(k, value(v));
            }
            fields.finish()
        });
        line(out, "attestation-identities", &multiline(identities));
    }
    unknown_lines(out, &package.unknown);
    if let Some(tool) = &package.tool {
        standard_table(out, "packages.tool", tool);
    }
}

fn vcs_table(vcs: &Vcs) -> String {
    let mut f = Fields::default();
    f.push("type", string(&vcs.kind));
    f.opt("url", vcs.url.as_deref());
    f.opt("path", vcs.path.as_deref());
    f.opt("requested-revision", vcs.requested_revision.as_deref());
    f.push("commit-id", string(&vcs.commit_id));
    f.opt("subdirectory", vcs.subdirectory.as_deref());
    f.unknown(&vcs.unknown);
    f.finish()
}

fn directory_table(dir: &Directory) -> String {
    let mut f = Fields::default();
    f.push("path", string(&dir.path));
    if let Some(editable) = dir.editable {
        f.push("editable", editable.to_string());
    }
    f.opt("subdirectory", dir.subdirectory.as_deref());
    f.unknown(&dir.unknown);
    f.finish()
}

fn archive_table(archive: &Archive) -> String {
    let mut f = Fields::default();
    f.opt("url", archive.url.as_deref());
    f.opt("path", archive.path.as_deref());
    if let Some(size) = archive.size {
        f.push("size", size.to_string());
    }
    if let Some(time) = &archive.upload_time {
        f.push("upload-time", time.to_string());
    }
    f.push("hashes", hashes(&archive.hashes));
    f.opt("subdirectory", archive.subdirectory.as_deref());
    f.unknown(&archive.unknown);
    f.finish()
}

fn artifact_table(artifact: &Artifact) -> String {
    let mut f = Fields::default();
    f.opt("name", artifact.name.as_deref());
    if let Some(time) = &artifact.upload_time {
        f.push("upload-time", time.to_string());
    }
    f.opt("url", artifact.url.as_deref());
    f.opt("path", artifact.path.as_deref());
    if let Some(size) = artifact.size {
        f.push("size", size.to_string());
    }
    f.push("hashes", hashes(&artifact.hashes));
    f.unknown(&artifact.unknown);
    f.finish()
}

fn hashes(hashes: &BTreeMap<String, String>) -> String {
    let mut f = Fields::default();
    for (algorithm, digest) in hashes {
        f.push(algorithm, string(digest));
    }
    f.finish()
}

/// The `key = value` pairs of one inline table, in the order pushed.
#[derive(Default)]
struct Fields(Vec<String>);

impl Fields {
    fn push(&mut self, k: &str, v: String) {
        self.0.push(format!("{} = {v}", key(k)));
    }

    fn opt(&mut self, k: &str, v: Option<&str>) {
        if let Some(v) = v {
            self.push(k, string(v));
        }
    }

    fn unknown(&mut self, table: &Table) {
        for (k, v) in table {
            self.push(k, value(v));
        }
    }

    fn finish(self) -> String {
        if self.0.is_empty() {
            "{}".to_string()
        } else {
            format!("{{ {} }}", self.0.join(", "))
        }
    }
}

fn line(out: &mut String, k: &str, v: &str) {
    let _ = writeln!(out, "{} = {v}", key(k));
}

/// Keys the specification does not define, in key order, as inline values.
fn unknown_lines(out: &mut String, table: &Table) {
    for (k, v) in table {
        line(out, k, &value(v));
    }
}

/// `[…]` on one line.
fn inline_array(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(", "))
}

/// `[` and `]` on their own lines, one item a line with a trailing comma; `[]` when empty.
fn multiline(items: impl Iterator<Item = String>) -> String {
    let mut out = String::from("[\n");
    let mut any = false;
    for item in items {
        any = true;
        let _ = writeln!(out, "    {item},");
    }
    if !any {
        return "[]".to_string();
    }
    out.push(']');
    out
}

fn inline_table(table: &Table) -> String {
    let mut f = Fields::default();
    f.unknown(table);
    f.finish()
}

/// A TOML value on one line.
fn value(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => string(s),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(x) => float(*x),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(items) => inline_array(items.iter().map(value)),
        toml::Value::Table(t) => inline_table(t),
    }
}

fn float(x: f64) -> String {
    if x.is_nan() {
        "nan".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        // Debug keeps a fractional part or exponent (`1.0`, `1e20`), which TOML needs.
        format!("{x:?}")
    }
}

/// Whether `v` is written as an array of tables (`[[…]]`): a non-empty array of tables only.
fn is_table_array(v: &toml::Value) -> bool {
    v.as_array()
        .is_some_and(|a| !a.is_empty() && a.iter().all(toml::Value::is_table))
}

/// The entries of `table` written as `key = value` lines (not as tables of their own).
fn plain_entries(table: &Table) -> impl Iterator<Item = (&String, &toml::Value)> {
    table
        .iter()
        .filter(|(_, v)| !v.is_table() && !is_table_array(v))
}

/// `table` as a standard table `[path]`: its plain values, then its sub-tables and arrays of
/// tables, in key order. The header is left out when the table holds only tables.
fn standard_table(out: &mut String, path: &str, table: &Table) {
    if plain_entries(table).next().is_some() || table.is_empty() {
        let _ = writeln!(out, "\n[{path}]");
        for (k, v) in plain_entries(table) {
            line(out, k, &value(v));
        }
    }
    sub_tables(out, path, table);
}

/// The sub-tables (`[path.key]`) and arrays of tables (`[[path.key]]`) of `table`.
fn sub_tables(out: &mut String, path: &str, table: &Table) {
    for (k, v) in table {
        let child = format!("{path}.{}", key(k));
        if let Some(t) = v.as_table() {
            standard_table(out, &child, t);
        } else if is_table_array(v) {
            for t in v
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_table())
            {
                let _ = writeln!(out, "\n[[{child}]]");
                for (k, v) in plain_entries(t) {
                    line(out, k, &value(v));
                }
                sub_tables(out, &child, t);
            }
        }
    }
}

/// A key, bare when TOML allows it.
fn key(k: &str) -> String {
    let bare = !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if bare { k.to_string() } else { string(k) }
}

/// A basic (double-quoted) TOML string.
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
