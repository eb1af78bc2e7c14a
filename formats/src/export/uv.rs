//! `--to uv-lock`: a `uv.lock` and the `pyproject.toml` it belongs to, so that
//! `uv lock --locked` accepts the lock as current and `uv sync --frozen` installs exactly it.
//!
//! The pyproject is a virtual project ([`PROJECT`], no build system) whose `dependencies` are
//! the lock's direct requirements pinned (`==`, a marker per target where they differ), whose
//! `requires-python` is the lowest Python of the targets, whose `[tool.uv] environments` are
//! the targets' markers (exactly the lock's targets), and whose `[[tool.uv.index]]` entries
//! are the indexes the packages come from. The uv.lock has one `[[package]]` per locked
//! version, its dependency edges (with `version` and `source` where a name has several
//! versions, each edge marked with the targets it holds on), its wheels and sdist, and the
//! project's own entry with the requirements it asked for.

use super::{Cx, Exported, ExportedFile, marker};
use crate::uv_lock::{
    self, Artifact, ArtifactLocation, Dependency, LockRequirement, Package, PackageMetadata,
    RequirementSource, Source, UvLock,
};
use pep508_rs::{ExtraName, MarkerTree};
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use unilock_model::lock::{ArtifactKind, GitPin, LockedPackage};
use unilock_model::{Diagnostic, Ecosystem};

/// The name of the virtual project the pyproject.toml describes.
pub const PROJECT: &str = "unilock-export";

pub(super) fn uv_lock(cx: &Cx) -> Result<Exported, Diagnostic> {
    let names = cx.target_names();
    if let Some(conda) =
        cx.lock.packages.iter().find(|p| {
            p.ecosystem == Ecosystem::Conda && p.targets.iter().any(|t| names.contains(t))
        })
    {
        return Err(Diagnostic::usage(format!(
            "{}: the lock has conda packages (`{}`, …), which a uv.lock cannot hold, and its PyPI part counts on them",
            cx.request.lock_name, conda.name
        ))
        .note("export the conda part --to conda-env or --to pixi-lock"));
    }
    let markers: Vec<(String, String)> = cx
        .targets
        .iter()
        .map(|t| Ok((t.name.clone(), marker::of_target(t)?)))
        .collect::<Result<_, Diagnostic>>()?;
    let marker_of = |t: &str| markers.iter().find(|(n, _)| n == t).map(|(_, m)| m.clone());
    for (i, (a, ma)) in markers.iter().enumerate() {
        if let Some((b, _)) = markers[i + 1..].iter().find(|(_, mb)| mb == ma) {
            return Err(Diagnostic::usage(format!(
                "{}: targets `{a}` and `{b}` have the same environment marker ({ma}), and uv's `environments` cannot tell them apart",
                cx.request.lock_name
            ))
            .note("export one of them with --target"));
        }
    }
    // The packages on the exported targets, each with the exported targets it is on.
    let packages: Vec<(&LockedPackage, Vec<String>)> = cx
        .lock
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Pypi)
        .map(|p| {
            let on: Vec<String> = p
                .targets
                .iter()
                .filter(|t| names.contains(t))
                .cloned()
                .collect();
            (p, on)
        })
        .filter(|(_, on)| !on.is_empty())
        .collect();
    let mut versions: BTreeMap<&str, usize> = BTreeMap::new();
    for (p, _) in &packages {
        *versions.entry(p.name.as_str()).or_default() += 1;
    }
    let forked = versions.values().any(|n| *n > 1);
    let subset = |on: &[String]| {
        let on: Vec<&str> = on.iter().map(String::as_str).collect();
        marker::of_subset(&on, &markers)
    };
    let env_of = |t: &str| {
        cx.targets
            .iter()
            .find(|x| x.name == t)
            .and_then(|x| marker::parse_target(x).ok())
            .map(|x| x.marker_environment())
    };
    // Edges from `p` (on `on`) to the packages its requirement strings name.
    let edges = |p: &LockedPackage,
                 on: &[String]|
     -> (Vec<Dependency>, Vec<(String, Vec<Dependency>)>) {
        let mut plain = Vec::new();
        let mut extras: BTreeMap<String, Vec<Dependency>> = BTreeMap::new();
        for d in &p.dependencies {
            let Ok(req) = pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(d) else {
                continue;
            };
            let name = req.name.to_string();
            let extra = extra_of(&req.marker);
            let extra_names: Vec<ExtraName> = extra
                .iter()
                .filter_map(|x| ExtraName::from_str(x).ok())
                .collect();
            let own = req.marker.clone().simplify_extras(&extra_names);
            // Each version of the dependency, with the targets of `on` it serves.
            let mut found: Vec<(&LockedPackage, Vec<String>)> = Vec::new();
            for t in on {
                let applies = env_of(t).is_some_and(|env| req.marker.evaluate(&env, &extra_names));
                if !applies {
                    continue;
                }
                if let Some((dep, _)) = packages
                    .iter()
                    .find(|(q, qon)| q.name == name && qon.contains(t))
                {
                    match found.iter_mut().find(|(q, _)| std::ptr::eq(*q, *dep)) {
                        Some((_, ts)) => ts.push(t.clone()),
                        None => found.push((dep, vec![t.clone()])),
                    }
                }
            }
            let several = versions.get(name.as_str()).copied().unwrap_or(0) > 1;
            for (dep, ts) in found {
                let own_text = own.contents().map(|c| c.to_string());
                let where_ = if several || ts.len() < on.len() {
                    subset(&ts)
                } else {
                    None
                };
                let edge = Dependency {
                    name: name.clone(),
                    version: several.then(|| dep.version.clone()),
                    source: if several { source_of(dep) } else { None },
                    extra: req.extras.iter().map(ToString::to_string).collect(),
                    marker: marker::and(own_text.as_deref(), where_.as_deref()),
                    unknown: Vec::new(),
                };
                match &extra {
                    Some(x) => extras.entry(x.clone()).or_default().push(edge),
                    None => plain.push(edge),
                }
            }
        }
        plain.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
        plain.dedup();
        let extras = extras
            .into_iter()
            .map(|(x, mut v)| {
                v.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
                v.dedup();
                (x, v)
            })
            .collect();
        (plain, extras)
    };
    let mut lock = UvLock {
        version: 1,
        revision: Some(3),
        requires_python: Some(requires_python(cx)),
        supported_markers: markers.iter().map(|(_, m)| m.clone()).collect(),
        ..UvLock::default()
    };
    if forked {
        lock.resolution_markers = lock.supported_markers.clone();
    }
    let mut indexes: Vec<String> = Vec::new();
    let mut root_edges = Vec::new();
    let mut requires_dist = Vec::new();
    for (p, on) in &packages {
        let (dependencies, optional_dependencies) = edges(p, on);
        let mut package = Package {
            name: p.name.clone(),
            version: Some(p.version.clone()),
            source: source_of(p),
            dependencies,
            optional_dependencies,
            ..Package::default()
        };
        if let Some(index) = &p.source
            && p.url.is_none()
        {
            let index = index.trim_end_matches('/').to_string();
            if !indexes.contains(&index) {
                indexes.push(index);
            }
        }
        if versions.get(p.name.as_str()).copied().unwrap_or(0) > 1 {
            package.resolution_markers = on.iter().filter_map(|t| marker_of(t)).collect();
        }
        for a in p
            .artifacts
            .iter()
            .filter(|a| a.targets.is_empty() || a.targets.iter().any(|t| on.contains(t)))
        {
            let artifact = Artifact {
                location: Some(ArtifactLocation::Url(a.url.clone())),
                hash: a.hash.clone(),
                size: a.size,
                ..Artifact::default()
            };
            match a.kind {
                ArtifactKind::Wheel => package.wheels.push(artifact),
                ArtifactKind::Sdist => package.sdist = Some(artifact),
                ArtifactKind::Conda => {}
            }
        }
        package.wheels.sort_by(|a, b| url_of(a).cmp(url_of(b)));
        let direct = p
            .requested_by
            .iter()
            .any(|r| !r.starts_with("pypi:") && !r.starts_with("conda:"));
        if direct {
            let several = versions.get(p.name.as_str()).copied().unwrap_or(0) > 1;
            let where_ = subset(on);
            let extras = requested_extras(p, &packages);
            root_edges.push(Dependency {
                name: p.name.clone(),
                version: several.then(|| p.version.clone()),
                source: if several { source_of(p) } else { None },
                extra: extras.clone(),
                marker: where_.clone(),
                unknown: Vec::new(),
            });
            requires_dist.push(LockRequirement {
                name: p.name.clone(),
                extras,
                marker: where_,
                source: requirement_source(p),
                ..LockRequirement::default()
            });
        }
        if p.directory.is_some() {
            // uv checks a directory's requirements against the lock (its metadata may change).
            package.metadata = Some(directory_metadata(p));
        }
        lock.packages.push(package);
    }
    root_edges.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    requires_dist.sort_by(|a, b| (&a.name, &a.marker).cmp(&(&b.name, &b.marker)));
    lock.packages.push(Package {
        name: PROJECT.to_string(),
        version: Some("0.0.0".to_string()),
        source: Some(Source::Virtual(".".to_string())),
        dependencies: root_edges,
        metadata: Some(PackageMetadata {
            requires_dist: requires_dist.clone(),
            ..PackageMetadata::default()
        }),
        ..Package::default()
    });
    lock.packages.sort_by(|a, b| {
        (&a.name, version_key(a.version.as_deref()))
            .cmp(&(&b.name, version_key(b.version.as_deref())))
    });
    let pyproject = pyproject(cx, &lock, &requires_dist, &indexes);
    Ok(Exported {
        files: vec![
            ExportedFile {
                name: Some("pyproject.toml".into()),
                text: pyproject,
            },
            ExportedFile {
                name: Some("uv.lock".into()),
                text: uv_lock::emit(&lock),
            },
        ],
        warnings: Vec::new(),
    })
}

/// `>=` the lowest Python of the exported targets.
fn requires_python(cx: &Cx) -> String {
    let lowest = cx
        .targets
        .iter()
        .filter_map(|t| pep440_rs::Version::from_str(&t.python).ok())
        .min()
        .map_or_else(|| "3".to_string(), |v| v.to_string());
    format!(">={lowest}")
}

/// The extra named by `extra == 'x'` in a marker.
fn extra_of(marker: &MarkerTree) -> Option<String> {
    let text = marker.contents()?.to_string();
    let at = text.find("extra == '")? + "extra == '".len();
    let end = text[at..].find('\'')?;
    Some(text[at..at + end].to_string())
}

/// The extras of `p` its dependents asked for: those whose dependencies some package of the
/// lock is there for (requested by `p`).
fn requested_extras(p: &LockedPackage, packages: &[(&LockedPackage, Vec<String>)]) -> Vec<String> {
    let by = format!("pypi:{}", p.name);
    let mut out = BTreeSet::new();
    for d in &p.dependencies {
        let Ok(req) = pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(d) else {
            continue;
        };
        if let Some(x) = extra_of(&req.marker)
            && packages
                .iter()
                .any(|(q, _)| q.name == req.name.to_string() && q.requested_by.contains(&by))
        {
            out.insert(x);
        }
    }
    out.into_iter().collect()
}

/// `[package.metadata]` of a source directory, as uv writes it: its requirements (each with
/// its specifier, extras and marker) and the extras they name.
fn directory_metadata(p: &LockedPackage) -> PackageMetadata {
    let mut requires_dist = Vec::new();
    let mut extras = BTreeSet::new();
    for d in &p.dependencies {
        let Ok(req) = pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(d) else {
            continue;
        };
        if let Some(x) = extra_of(&req.marker) {
            extras.insert(x);
        }
        let specifier = match &req.version_or_url {
            Some(pep508_rs::VersionOrUrl::VersionSpecifier(s)) if !s.is_empty() => {
                Some(s.to_string())
            }
            _ => None,
        };
        requires_dist.push(LockRequirement {
            name: req.name.to_string(),
            extras: req.extras.iter().map(ToString::to_string).collect(),
            marker: req.marker.contents().map(|m| m.to_string()),
            source: RequirementSource::Registry {
                specifier,
                index: None,
            },
            ..LockRequirement::default()
        });
    }
    requires_dist.sort_by(|a, b| (&a.name, &a.marker).cmp(&(&b.name, &b.marker)));
    PackageMetadata {
        requires_dist,
        provides_extras: extras.into_iter().collect(),
        ..PackageMetadata::default()
    }
}

/// How uv.lock's `[package.metadata] requires-dist` says where a direct requirement comes
/// from: a pin of the index, the URL, the Git repository with the rev asked for, or the
/// directory (editable or not).
fn requirement_source(p: &LockedPackage) -> RequirementSource {
    if let Some(dir) = &p.directory {
        return if dir.editable {
            RequirementSource::Editable(dir.path.clone())
        } else {
            RequirementSource::Directory(dir.path.clone())
        };
    }
    if let Some(git) = p.url.as_deref().and_then(GitPin::parse) {
        return RequirementSource::Git(uv_git_url(&git, p.requested_revision.as_deref(), false));
    }
    match &p.url {
        Some(url) => RequirementSource::Url {
            url: url.clone(),
            subdirectory: None,
        },
        None => RequirementSource::Registry {
            specifier: Some(format!("=={}", p.version)),
            index: None,
        },
    }
}

/// A Git source as uv.lock writes it: the repository, `?subdirectory=…&rev=…` (the rev asked
/// for), and the commit as the fragment when `commit`.
fn uv_git_url(git: &GitPin, rev: Option<&str>, commit: bool) -> String {
    let mut query = Vec::new();
    if let Some(sub) = &git.subdirectory {
        query.push(format!("subdirectory={sub}"));
    }
    if let Some(rev) = rev {
        query.push(format!("rev={rev}"));
    }
    let mut out = git.repository.clone();
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query.join("&"));
    }
    if commit {
        out.push('#');
        out.push_str(&git.commit);
    }
    out
}

/// The PEP 508 URL of a Git pin for pyproject.toml: the rev asked for, else the commit.
fn pep508_git_url(git: &GitPin, rev: Option<&str>) -> String {
    let sub = git
        .subdirectory
        .as_ref()
        .map_or(String::new(), |s| format!("#subdirectory={s}"));
    let at = rev
        .or((!git.commit.is_empty()).then_some(git.commit.as_str()))
        .map_or(String::new(), |r| format!("@{r}"));
    format!("git+{}{at}{sub}", git.repository)
}

fn source_of(p: &LockedPackage) -> Option<Source> {
    if let Some(dir) = &p.directory {
        return Some(if dir.editable {
            Source::Editable(dir.path.clone())
        } else {
            Source::Directory(dir.path.clone())
        });
    }
    if let Some(git) = p.url.as_deref().and_then(GitPin::parse) {
        return Some(Source::Git(uv_git_url(
            &git,
            p.requested_revision.as_deref(),
            true,
        )));
    }
    if let Some(url) = &p.url {
        return Some(Source::Url {
            url: url.clone(),
            subdirectory: None,
        });
    }
    p.source.as_ref().map(|s| Source::Registry(registry(s)))
}

/// An index as uv.lock names it: a URL without its trailing slash, or, for a `file://` index,
/// its path (uv records local indexes by path and counts a lock from them by URL as stale).
fn registry(index: &str) -> String {
    match url::Url::parse(index) {
        Ok(url) if url.scheme() == "file" => match url.to_file_path() {
            Ok(path) => path.display().to_string().trim_end_matches('/').to_string(),
            Err(()) => index.trim_end_matches('/').to_string(),
        },
        _ => index.trim_end_matches('/').to_string(),
    }
}

fn url_of(a: &Artifact) -> &str {
    match &a.location {
        Some(
            ArtifactLocation::Url(u) | ArtifactLocation::Path(u) | ArtifactLocation::Filename(u),
        ) => u,
        None => "",
    }
}

fn version_key(v: Option<&str>) -> Option<pep440_rs::Version> {
    v.and_then(|v| pep440_rs::Version::from_str(v).ok())
}

/// The pyproject.toml of the virtual project the lock belongs to.
fn pyproject(
    cx: &Cx,
    lock: &UvLock,
    requires_dist: &[LockRequirement],
    indexes: &[String],
) -> String {
    let q = |s: &str| toml_edit::Value::from(s).to_string();
    let mut out = cx.header();
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str("[project]\n");
    out.push_str(&format!("name = {}\n", q(PROJECT)));
    out.push_str("version = \"0.0.0\"\n");
    if let Some(rp) = &lock.requires_python {
        out.push_str(&format!("requires-python = {}\n", q(rp)));
    }
    out.push_str("dependencies = [\n");
    // Directories are named in `[tool.uv.sources]`, as uv wants them.
    let mut sources: Vec<(String, String, bool)> = Vec::new();
    for r in requires_dist {
        let extras = if r.extras.is_empty() {
            String::new()
        } else {
            format!("[{}]", r.extras.join(","))
        };
        let spec = match &r.source {
            RequirementSource::Url { url, .. } => format!(" @ {url}"),
            RequirementSource::Git(url) => {
                let (base, query) = url.split_once('?').unwrap_or((url, ""));
                let field = |key: &str| {
                    query
                        .split('&')
                        .find_map(|kv| kv.strip_prefix(key))
                        .map(str::to_string)
                };
                let rev = field("rev=");
                let git = GitPin {
                    repository: base.to_string(),
                    commit: String::new(),
                    subdirectory: field("subdirectory="),
                };
                format!(" @ {}", pep508_git_url(&git, rev.as_deref()))
            }
            RequirementSource::Directory(path) | RequirementSource::Editable(path) => {
                sources.push((
                    r.name.clone(),
                    path.clone(),
                    matches!(r.source, RequirementSource::Editable(_)),
                ));
                String::new()
            }
            RequirementSource::Registry {
                specifier: Some(s), ..
            } => s.clone(),
            _ => String::new(),
        };
        let marker = r
            .marker
            .as_ref()
            .map_or(String::new(), |m| format!(" ; {m}"));
        out.push_str(&format!(
            "    {},\n",
            q(&format!("{}{extras}{spec}{marker}", r.name))
        ));
    }
    out.push_str("]\n\n[tool.uv]\nenvironments = [\n");
    for m in &lock.supported_markers {
        out.push_str(&format!("    {},\n", q(m)));
    }
    out.push_str("]\n");
    if !sources.is_empty() {
        out.push_str("\n[tool.uv.sources]\n");
        for (name, path, editable) in &sources {
            let editable = if *editable { ", editable = true" } else { "" };
            out.push_str(&format!("{name} = {{ path = {}{editable} }}\n", q(path)));
        }
    }
    for (i, url) in indexes.iter().enumerate() {
        out.push_str(&format!(
            "\n[[tool.uv.index]]\nname = \"index-{}\"\nurl = {}\n",
            i + 1,
            q(url)
        ));
        if !url.contains("://") {
            // A find-links directory (the lock names it by path): uv's flat index.
            out.push_str("format = \"flat\"\n");
        } else if i == 0 {
            out.push_str("default = true\n");
        }
    }
    out
}
