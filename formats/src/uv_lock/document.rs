//! The unified model of a `uv.lock` ([`UvLock::to_document`]): its Python range and forks,
//! the workspace's requirements as a manifest, the indexes it locked from, and every locked
//! package with its source, artifacts and dependency edges.

use super::*;
use pep508_rs::MarkerTree;
use std::collections::BTreeMap;
use std::str::FromStr;
use unilock_model::document::{
    IndexKind, IndexLocation, PinArtifact, PinArtifactKind, PinDependency, PinSource, PinnedPackage,
};
use unilock_model::manifest::{ManifestRequirement, RequirementRole};
use unilock_model::{Document, Ecosystem, Requirement};

impl UvLock {
    /// The unified model. `environments` are the `resolution-markers` (the forks of the
    /// universal resolution), or the `supported-markers` when the lock has no forks.
    pub fn to_document(&self) -> Document {
        let mut doc = Document::new("uv-lock");
        doc.project = self.root_packages().first().map(|p| p.name.clone());
        doc.requires_python = self.requires_python.clone();
        doc.environments = if self.resolution_markers.is_empty() {
            self.supported_markers.clone()
        } else {
            self.resolution_markers.clone()
        };
        doc.options.pre = self
            .options
            .as_ref()
            .and_then(|o| o.prerelease_mode.as_deref())
            == Some("allow");
        doc.indexes = self.indexes();
        doc.manifest.sources = vec!["uv.lock".to_string()];
        let mut push = |req: &LockRequirement, role: RequirementRole, group: Option<&str>| {
            if let Some(r) = manifest_requirement(req, role, group) {
                doc.manifest.requirements.push(r);
            }
        };
        for package in self.root_packages() {
            let Some(metadata) = &package.metadata else {
                continue;
            };
            for req in &metadata.requires_dist {
                push(req, RequirementRole::Dependency, None);
            }
            for (group, reqs) in &metadata.requires_dev {
                for req in reqs {
                    push(req, RequirementRole::Dependency, Some(group));
                }
            }
        }
        if let Some(m) = &self.manifest {
            for req in &m.requirements {
                push(req, RequirementRole::Dependency, None);
            }
            for (group, reqs) in &m.dependency_groups {
                for req in reqs {
                    push(req, RequirementRole::Dependency, Some(group));
                }
            }
            for req in &m.constraints {
                push(req, RequirementRole::Constraint, None);
            }
            for req in &m.overrides {
                push(req, RequirementRole::Override, None);
            }
        }
        doc.packages = self.packages.iter().map(pinned_package).collect();
        doc
    }

    /// The workspace's own packages: the members named in `[manifest] members`, or else the
    /// source tree at the lock's own directory (`.`).
    pub fn root_packages(&self) -> Vec<&Package> {
        let members = self.manifest.as_ref().map(|m| &m.members);
        self.packages
            .iter()
            .filter(|p| {
                let Some(path) = p.source.as_ref().and_then(Source::tree_path) else {
                    return false;
                };
                match members {
                    Some(members) if !members.is_empty() => members.contains(&p.name),
                    _ => path == ".",
                }
            })
            .collect()
    }

    /// The registries packages were locked from: the most used one as the default index,
    /// the others as extra indexes, in the order they first appear.
    fn indexes(&self) -> Vec<IndexLocation> {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for p in &self.packages {
            if let Some(Source::Registry(url)) = &p.source {
                match counts.iter_mut().find(|(u, _)| u == url) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((url, 1)),
                }
            }
        }
        let default = counts
            .iter()
            .enumerate()
            .max_by_key(|(i, (_, n))| (*n, std::cmp::Reverse(*i)))
            .map(|(i, _)| i);
        counts
            .iter()
            .enumerate()
            .map(|(i, (url, _))| IndexLocation {
                kind: if Some(i) == default {
                    IndexKind::Default
                } else {
                    IndexKind::Extra
                },
                url: url.to_string(),
                name: None,
                origin: None,
            })
            .collect()
    }
}

/// A requirement of the workspace as PEP 508; `None` if it cannot be written as one. A
/// requires-dist entry that belongs to an extra (`extra == 'x'` in its marker) gets the extra
/// as its group, and the marker loses that clause.
fn manifest_requirement(
    req: &LockRequirement,
    role: RequirementRole,
    group: Option<&str>,
) -> Option<ManifestRequirement> {
    let mut marker = match &req.marker {
        Some(m) => MarkerTree::from_str(m).ok()?,
        None => MarkerTree::TRUE,
    };
    let mut group = group.map(str::to_string);
    if group.is_none()
        && let Some(pep508_rs::MarkerExpression::Extra {
            name: pep508_rs::MarkerValueExtra::Extra(extra),
            ..
        }) = marker.top_level_extra()
    {
        marker = marker.simplify_extras(std::slice::from_ref(&extra));
        group = Some(extra.to_string());
    }
    let mut text = req.name.clone();
    if !req.extras.is_empty() {
        text.push_str(&format!("[{}]", req.extras.join(",")));
    }
    let mut editable = false;
    let mut local_path = None;
    match &req.source {
        RequirementSource::Registry { specifier, .. } => {
            text.push_str(specifier.as_deref().unwrap_or_default())
        }
        RequirementSource::Any => {}
        RequirementSource::Git(url) => text.push_str(&format!(" @ {}", git_pep508_url(url))),
        RequirementSource::Url { url, subdirectory } => {
            text.push_str(&format!(" @ {url}"));
            if let Some(sub) = subdirectory {
                text.push_str(&format!("#subdirectory={sub}"));
            }
        }
        RequirementSource::Editable(p) => {
            editable = true;
            local_path = Some(p);
        }
        RequirementSource::Path(p)
        | RequirementSource::Directory(p)
        | RequirementSource::Virtual(p) => local_path = Some(p),
    }
    if let Some(m) = marker.try_to_string() {
        text.push_str(&format!(" ; {m}"));
    }
    if unilock_model::requirement::name_ends_in_punctuation(&text).is_some() {
        return None;
    }
    let mut requirement = pep508_rs::Requirement::<pep508_rs::VerbatimUrl>::from_str(&text).ok()?;
    if let Some(path) = local_path {
        requirement.version_or_url = Some(pep508_rs::VersionOrUrl::Url(local_url(path)?));
    }
    Some(ManifestRequirement {
        requirement: Requirement::Pypi(Box::new(requirement)),
        role,
        group,
        editable,
        hashes: Vec::new(),
        origin: None,
        platform: None,
    })
}

/// A path relative to the lock's directory as a URL. The lock does not know its directory,
/// so the path is resolved against a stand-in root deep enough for its `..` steps; the path
/// as written stays available as the URL's `given()` text.
fn local_url(path: &str) -> Option<pep508_rs::VerbatimUrl> {
    let ups = path.split('/').filter(|c| *c == "..").count();
    let mut base = std::path::PathBuf::from("/");
    base.extend(std::iter::repeat_n("_", ups));
    pep508_rs::VerbatimUrl::from_path(path, &base)
        .ok()
        .map(|u| u.with_given(path))
}

/// uv's Git URL (`https://host/repo?rev=v1&subdirectory=x#commit`) as a PEP 508 URL
/// (`git+https://host/repo@v1#subdirectory=x`).
fn git_pep508_url(url: &str) -> String {
    let (git, _, reference, subdirectory) = split_git(url);
    let mut out = format!("git+{git}");
    if let Some(r) = reference {
        out.push_str(&format!("@{r}"));
    }
    if let Some(s) = subdirectory {
        out.push_str(&format!("#subdirectory={s}"));
    }
    out
}

/// Splits uv's Git URL into the repository URL, the commit (fragment), the requested
/// reference (`rev`, `tag` or `branch`) and the subdirectory.
fn split_git(url: &str) -> (String, Option<String>, Option<String>, Option<String>) {
    let (rest, commit) = match url.split_once('#') {
        Some((r, c)) => (r, Some(c.to_string())),
        None => (url, None),
    };
    let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (mut reference, mut subdirectory) = (None, None);
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("rev" | "tag" | "branch", v)) => reference = Some(v.to_string()),
            Some(("subdirectory", v)) => subdirectory = Some(v.to_string()),
            _ => {}
        }
    }
    (base.to_string(), commit, reference, subdirectory)
}

/// A locked package in the unified model.
pub(super) fn pinned_package(p: &Package) -> PinnedPackage {
    let source = match &p.source {
        Some(s) => pin_source(s),
        None => PinSource::Directory {
            path: ".".into(),
            editable: false,
            r#virtual: true,
        },
    };
    let mut artifacts = Vec::new();
    if let Some(sdist) = &p.sdist {
        artifacts.push(pin_artifact(sdist, PinArtifactKind::Sdist));
    }
    artifacts.extend(
        p.wheels
            .iter()
            .map(|w| pin_artifact(w, PinArtifactKind::Wheel)),
    );
    // Files of a local (find-links) registry are named relative to it; name them relative to
    // the lock, as every other format expects.
    if let Some(Source::Registry(registry)) = &p.source
        && !registry.contains("://")
    {
        for a in &mut artifacts {
            if let Some(url) = &mut a.url
                && !url.contains("://")
                && !url.starts_with('/')
            {
                *url = format!("{}/{url}", registry.trim_end_matches('/'));
            }
        }
    }
    let groups = |groups: &[(String, Vec<Dependency>)]| -> BTreeMap<String, Vec<PinDependency>> {
        groups
            .iter()
            .map(|(g, deps)| (g.clone(), deps.iter().map(pin_dependency).collect()))
            .collect()
    };
    PinnedPackage {
        name: p.name.clone(),
        ecosystem: Ecosystem::Pypi,
        version: p.version.clone(),
        marker: None,
        source,
        artifacts,
        dependencies: p.dependencies.iter().map(pin_dependency).collect(),
        optional_dependencies: groups(&p.optional_dependencies),
        dependency_groups: groups(&p.dependency_groups),
        conda: None,
        used_in: BTreeMap::new(),
        origin: None,
        dependencies_from_build: false,
    }
}

fn pin_source(s: &Source) -> PinSource {
    let dir = |path: &str, editable, r#virtual| PinSource::Directory {
        path: path.to_string(),
        editable,
        r#virtual,
    };
    match s {
        Source::Registry(url) => PinSource::Registry { url: url.clone() },
        Source::Git(url) => {
            let (url, commit, reference, subdirectory) = split_git(url);
            PinSource::Git {
                url,
                reference,
                commit,
                subdirectory,
            }
        }
        Source::Url { url, subdirectory } => PinSource::Url {
            url: url.clone(),
            subdirectory: subdirectory.clone(),
        },
        Source::Path(path) => PinSource::Path { path: path.clone() },
        Source::Directory(p) => dir(p, false, false),
        Source::Editable(p) => dir(p, true, false),
        Source::Virtual(p) => dir(p, false, true),
    }
}

pub(super) fn pin_artifact(a: &Artifact, kind: PinArtifactKind) -> PinArtifact {
    let last_segment = crate::pylock::last_segment;
    let (url, filename) = match &a.location {
        Some(ArtifactLocation::Url(u)) => (Some(u.clone()), last_segment(u)),
        Some(ArtifactLocation::Path(p)) => (Some(p.clone()), last_segment(p)),
        Some(ArtifactLocation::Filename(f)) => (None, Some(f.clone())),
        None => (None, None),
    };
    let mut hashes = BTreeMap::new();
    if let Some((alg, hex)) = a.hash.as_deref().and_then(|h| h.split_once(':')) {
        hashes.insert(alg.to_string(), hex.to_string());
    }
    PinArtifact {
        kind,
        url,
        filename,
        hashes,
        size: a.size,
        upload_time: a.upload_time.clone(),
    }
}

fn pin_dependency(d: &Dependency) -> PinDependency {
    PinDependency {
        name: d.name.clone(),
        version: d.version.clone(),
        extras: d.extra.clone(),
        marker: d.marker.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"version = 1
revision = 3
requires-python = ">=3.10"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "lib" },
]

[package.optional-dependencies]
fast = [
    { name = "lib", extra = ["speed"] },
]

[package.metadata]
requires-dist = [
    { name = "lib", specifier = ">=1" },
    { name = "lib", extras = ["speed"], marker = "sys_platform == 'linux' and extra == 'fast'" },
    { name = "tool", git = "https://host.invalid/tool.git?rev=v1#abc" },
]
provides-extras = ["fast"]

[package.metadata.requires-dev]
dev = [{ name = "sub", editable = "packages/sub" }]

[[package]]
name = "lib"
version = "1.2"
source = { git = "https://host.invalid/lib.git?tag=v1.2#0123" }
sdist = { url = "file:///files/lib-1.2.tar.gz?x=1", hash = "sha256:abababababababababababababababababababababababababababababababab", size = 10 }
"#;

    #[test]
    fn maps_packages_sources_and_artifacts() {
        let doc = super::super::parse("uv.lock", LOCK).unwrap().to_document();
        assert_eq!(doc.format, "uv-lock");
        assert_eq!(doc.project.as_deref(), Some("app"));
        let app = &doc.packages[0];
        assert_eq!(
            app.source,
            PinSource::Directory {
                path: ".".into(),
                editable: true,
                r#virtual: false
            }
        );
        assert_eq!(app.optional_dependencies["fast"][0].extras, ["speed"]);
        let lib = &doc.packages[1];
        assert_eq!(
            lib.source,
            PinSource::Git {
                url: "https://host.invalid/lib.git".into(),
                reference: Some("v1.2".into()),
                commit: Some("0123".into()),
                subdirectory: None
            }
        );
        let sdist = &lib.artifacts[0];
        assert_eq!(sdist.filename.as_deref(), Some("lib-1.2.tar.gz"));
        assert_eq!(sdist.hashes["sha256"], "ab".repeat(32));
        assert_eq!(sdist.size, Some(10));
    }

    #[test]
    fn manifest_holds_the_roots_requirements_with_groups() {
        let doc = super::super::parse("uv.lock", LOCK).unwrap().to_document();
        let reqs: Vec<(String, Option<String>, bool)> = doc
            .manifest
            .requirements
            .iter()
            .map(|r| (r.requirement.to_string(), r.group.clone(), r.editable))
            .collect();
        assert_eq!(reqs[0], ("lib>=1".to_string(), None, false));
        assert_eq!(
            reqs[1],
            (
                "lib[speed] ; sys_platform == 'linux'".to_string(),
                Some("fast".to_string()),
                false
            )
        );
        assert!(
            reqs[2]
                .0
                .starts_with("tool @ git+https://host.invalid/tool.git@v1"),
            "{reqs:?}"
        );
        assert_eq!(reqs[3].1.as_deref(), Some("dev"));
        assert!(reqs[3].2);
        let pep508_rs::VersionOrUrl::Url(url) = (match &doc.manifest.requirements[3].requirement {
            Requirement::Pypi(r) => r.version_or_url.clone(),
            _ => None,
        })
        .unwrap_or_else(|| unreachable!()) else {
            unreachable!()
        };
        assert_eq!(url.given(), Some("packages/sub"));
    }
}
