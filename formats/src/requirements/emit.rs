//! Writing a [`Document`] as a requirements file, in unilock's canonical form:
//!
//! ```text
//! --index-url URL            (then --extra-index-url, --find-links, --trusted-host,
//! --pre                       --pre, --only-binary, --no-binary, --prefer-binary, --require-hashes)
//!
//! name[extra]>=1.0 ; marker   (the manifest's requirements, in order; `-e` for editables)
//! pinned==1.2 ; marker \      (or, for a document of pinned packages: one line per package,
//!     --hash=sha256:…          with every artifact hash, sorted)
//! ```
//!
//! Constraints and overrides cannot be written inline in a requirements file, so a document
//! that has them is refused with an error that says so.

use unilock_model::document::{IndexKind, PinSource, PinnedPackage};
use unilock_model::manifest::{ManifestRequirement, RequirementRole};
use unilock_model::{Diagnostic, Document, Requirement};

/// Writes `doc` as a requirements file.
pub fn emit(doc: &Document) -> Result<String, Diagnostic> {
    let mut out = String::new();
    for line in option_lines(doc) {
        out.push_str(&line);
        out.push('\n');
    }
    if !out.is_empty() {
        out.push('\n');
    }
    for r in &doc.manifest.requirements {
        if r.role != RequirementRole::Dependency {
            return Err(Diagnostic::usage(format!(
                "`{}` is a {} and a requirements file cannot hold one inline",
                r.requirement,
                if r.role == RequirementRole::Constraint {
                    "constraint"
                } else {
                    "override"
                }
            ))
            .note("write constraints to their own file and include it with `-c FILE`"));
        }
        if let Requirement::Conda(_) = r.requirement {
            return Err(Diagnostic::usage(format!(
                "`{}` is a conda requirement; requirements files hold PyPI requirements only",
                r.requirement
            )));
        }
        line_with_hashes(&mut out, &requirement_line(r), r.hashes.iter().cloned());
    }
    for p in &doc.packages {
        line_with_hashes(&mut out, &pinned_line(p), pinned_hashes(p));
    }
    Ok(out)
}

/// The option lines of a document: indexes and find-links locations, then resolver options.
pub(crate) fn option_lines(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    for index in &doc.indexes {
        let flag = match index.kind {
            IndexKind::Default => "--index-url",
            IndexKind::Extra => "--extra-index-url",
            IndexKind::FindLinks => "--find-links",
        };
        out.push(format!("{flag} {}", index.url));
    }
    let o = &doc.options;
    for host in &o.trusted_hosts {
        out.push(format!("--trusted-host {host}"));
    }
    if o.pre {
        out.push("--pre".into());
    }
    for p in &o.only_binary {
        out.push(format!("--only-binary {p}"));
    }
    for p in &o.no_binary {
        out.push(format!("--no-binary {p}"));
    }
    if o.prefer_binary {
        out.push("--prefer-binary".into());
    }
    if o.require_hashes {
        out.push("--require-hashes".into());
    }
    out
}

/// A manifest requirement as pip reads it back: `-e URL` for an editable named by its URL's
/// `#egg=` (pip refuses `-e name @ URL`), `-e PATH` or the requirement itself otherwise.
pub(crate) fn requirement_line(r: &ManifestRequirement) -> String {
    if !r.editable {
        return relative_reference(&r.requirement).unwrap_or_else(|| r.requirement.to_string());
    }
    if let Requirement::Pypi(req) = &r.requirement
        && let Some(pep508_rs::VersionOrUrl::Url(url)) = &req.version_or_url
    {
        let mut text = url.given().map_or_else(|| url.to_string(), str::to_string);
        // pip reads a bare relative path (`master`) as a requirement, so it is written `./master`.
        if !text.contains(':') && !text.starts_with(['.', '/', '~', '\\']) {
            text.insert_str(0, "./");
        }
        // The `#egg=` names the project: it is the requirement's name, whatever the input said.
        let (location, fragment) = text.split_once('#').unwrap_or((&text, ""));
        let mut parts: Vec<String> = fragment
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("egg="))
            .map(str::to_string)
            .collect();
        parts.insert(0, format!("egg={}", req.name));
        return format!("-e {location}#{}", parts.join("&"));
    }
    format!("-e {}", r.requirement)
}

/// `name @ ./path` as written, where the path is relative: the model holds it resolved
/// against the file's directory, and writing that absolute path would tie the file to one
/// machine.
fn relative_reference(requirement: &Requirement) -> Option<String> {
    let Requirement::Pypi(req) = requirement else {
        return None;
    };
    let Some(pep508_rs::VersionOrUrl::Url(url)) = &req.version_or_url else {
        return None;
    };
    let given = url.given().filter(|g| !g.contains("://"))?;
    let mut line = req.name.to_string();
    if !req.extras.is_empty() {
        let extras: Vec<String> = req.extras.iter().map(ToString::to_string).collect();
        line.push_str(&format!("[{}]", extras.join(",")));
    }
    line.push_str(&format!(" @ {given}"));
    if let Some(marker) = req.marker.contents() {
        line.push_str(&format!(" ; {marker}"));
    }
    Some(line)
}

fn line_with_hashes(out: &mut String, line: &str, hashes: impl Iterator<Item = String>) {
    out.push_str(line);
    for h in hashes {
        out.push_str(" \\\n    --hash=");
        out.push_str(&h);
    }
    // A line ending in a backslash would continue onto the next one when read back.
    if out.ends_with('\\') {
        out.push(' ');
    }
    out.push('\n');
}

/// A pinned package as a requirement line.
pub(crate) fn pinned_line(p: &PinnedPackage) -> String {
    let marker = p
        .marker
        .as_ref()
        .map_or(String::new(), |m| format!(" ; {m}"));
    let version = p.version.as_deref().unwrap_or("");
    match &p.source {
        PinSource::Registry { .. } => format!("{}=={version}{marker}", p.name),
        PinSource::Git {
            url,
            commit,
            reference,
            subdirectory,
        } => {
            let rev = commit
                .as_ref()
                .or(reference.as_ref())
                .map_or(String::new(), |r| format!("@{r}"));
            let sub = subdirectory
                .as_ref()
                .map_or(String::new(), |s| format!("#subdirectory={s}"));
            let url = url.strip_prefix("git+").unwrap_or(url);
            format!("{} @ git+{url}{rev}{sub}{marker}", p.name)
        }
        PinSource::Url { url, subdirectory } => {
            let sub = subdirectory
                .as_ref()
                .map_or(String::new(), |s| format!("#subdirectory={s}"));
            format!("{} @ {url}{sub}{marker}", p.name)
        }
        PinSource::Path { path } => format!("{}{marker}", local_path(path)),
        PinSource::Directory { path, editable, .. } => {
            let prefix = if *editable { "-e " } else { "" };
            format!("{prefix}{}{marker}", local_path(path))
        }
    }
}

/// A local path as pip recognises it: relative paths start with `./` (or `../`).
fn local_path(path: &str) -> String {
    if path.starts_with('.') || path.starts_with('/') || path.contains(':') {
        path.to_string()
    } else {
        format!("./{path}")
    }
}

/// Every hash of every artifact of a registry package, `algorithm:hex`, sorted.
pub(crate) fn pinned_hashes(p: &PinnedPackage) -> impl Iterator<Item = String> {
    let mut hashes: Vec<String> = match p.source {
        PinSource::Registry { .. } | PinSource::Url { .. } | PinSource::Path { .. } => p
            .artifacts
            .iter()
            .flat_map(|a| {
                a.hashes
                    .iter()
                    .filter(|(alg, _)| alg.as_str() == "sha256")
                    .map(|(alg, hex)| format!("{alg}:{hex}"))
            })
            .collect(),
        _ => Vec::new(),
    };
    hashes.sort();
    hashes.dedup();
    hashes.into_iter()
}
