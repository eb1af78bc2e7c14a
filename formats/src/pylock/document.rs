//! Conversions between the typed [`Pylock`] and the unified [`Document`].
//!
//! pylock → Document keeps what the model can say: the Python and environment constraints,
//! each package's version, marker, source, files (with hashes, sizes and upload times) and
//! dependency references. Document → pylock writes every PyPI package of the document; conda
//! packages have no place in a pylock file and are left out. What the model cannot hold
//! (`[tool]` tables, `extras`/`dependency-groups` lists, `requires-python` of a package,
//! attestation identities, a VCS other than Git, a directory's `subdirectory`) does not survive
//! the trip through a Document.

use super::{
    Archive, Artifact, Datetime, Directory, LOCK_VERSION, Package, Pylock, Source, Table, Vcs,
    last_segment,
};
use std::collections::BTreeMap;
use unilock_model::document::{
    PinArtifact, PinArtifactKind, PinDependency, PinSource, PinnedPackage,
};
use unilock_model::{Document, Ecosystem};

impl Pylock {
    /// The unified model of this lock file (format `pylock`).
    pub fn to_document(&self) -> Document {
        let mut doc = Document::new("pylock");
        doc.requires_python = self.requires_python.clone();
        doc.environments = self.environments.clone().unwrap_or_default();
        doc.packages = self.packages.iter().map(pinned_package).collect();
        doc
    }

    /// A pylock file holding every PyPI package of `doc`, written by `created_by`.
    pub fn from_document(doc: &Document, created_by: &str) -> Pylock {
        Pylock {
            lock_version: LOCK_VERSION.to_string(),
            environments: (!doc.environments.is_empty()).then(|| doc.environments.clone()),
            requires_python: doc.requires_python.clone(),
            extras: None,
            dependency_groups: None,
            default_groups: None,
            created_by: created_by.to_string(),
            packages: doc
                .packages
                .iter()
                .filter(|p| p.ecosystem == Ecosystem::Pypi)
                .map(package)
                .collect(),
            tool: None,
            unknown: Table::new(),
        }
    }
}

fn pinned_package(p: &Package) -> PinnedPackage {
    let (source, artifacts) = match &p.source {
        Source::Distributions { sdist, wheels } => {
            let url = p.index.clone().unwrap_or_default();
            let mut artifacts: Vec<PinArtifact> = sdist
                .iter()
                .map(|s| pin_artifact(PinArtifactKind::Sdist, s))
                .collect();
            artifacts.extend(
                wheels
                    .iter()
                    .flatten()
                    .map(|w| pin_artifact(PinArtifactKind::Wheel, w)),
            );
            (PinSource::Registry { url }, artifacts)
        }
        Source::Vcs(vcs) => (
            PinSource::Git {
                url: vcs
                    .url
                    .clone()
                    .or_else(|| vcs.path.clone())
                    .unwrap_or_default(),
                reference: vcs.requested_revision.clone(),
                commit: Some(vcs.commit_id.clone()),
                subdirectory: vcs.subdirectory.clone(),
            },
            Vec::new(),
        ),
        Source::Directory(dir) => (
            PinSource::Directory {
                path: dir.path.clone(),
                editable: dir.editable.unwrap_or(false),
                r#virtual: false,
            },
            Vec::new(),
        ),
        Source::Archive(archive) => {
            let source = match (&archive.url, &archive.path) {
                (Some(url), _) => PinSource::Url {
                    url: url.clone(),
                    subdirectory: archive.subdirectory.clone(),
                },
                (None, path) => PinSource::Path {
                    path: path.clone().unwrap_or_default(),
                },
            };
            let location = archive.url.clone().or_else(|| archive.path.clone());
            let artifact = PinArtifact {
                kind: PinArtifactKind::Archive,
                filename: location.as_deref().and_then(last_segment),
                url: location,
                hashes: archive.hashes.clone(),
                size: archive.size,
                upload_time: archive.upload_time.as_ref().map(Datetime::to_string),
            };
            (source, vec![artifact])
        }
    };
    let dependencies = p
        .dependencies
        .iter()
        .flatten()
        .filter_map(|t| {
            Some(PinDependency {
                name: t.get("name")?.as_str()?.to_string(),
                version: t.get("version").and_then(|v| v.as_str()).map(String::from),
                extras: Vec::new(),
                marker: None,
            })
        })
        .collect();
    PinnedPackage {
        name: p.name.clone(),
        ecosystem: Ecosystem::Pypi,
        version: p.version.clone(),
        marker: p.marker.clone(),
        source,
        artifacts,
        dependencies,
        optional_dependencies: BTreeMap::new(),
        dependency_groups: BTreeMap::new(),
        conda: None,
        used_in: BTreeMap::new(),
        origin: None,
        dependencies_from_build: false,
    }
}

fn pin_artifact(kind: PinArtifactKind, a: &Artifact) -> PinArtifact {
    PinArtifact {
        kind,
        url: a.url.clone().or_else(|| a.path.clone()),
        filename: a.filename(),
        hashes: a.hashes.clone(),
        size: a.size,
        upload_time: a.upload_time.as_ref().map(Datetime::to_string),
    }
}

/// Whether a location from the model is a URL (rather than a path relative to the file).
fn is_url(location: &str) -> bool {
    location.contains("://")
}

/// The `index` of a registry package: PEP 751 wants a URL, and readers (uv) refuse a bare
/// path. A find-links directory, which locks name by its absolute path, becomes its
/// `file://` URL; a relative one (a uv.lock's find-links directory, relative to that file)
/// has no URL to give, and `index` is optional, so it is left out: the files name themselves.
fn index_url(location: &str) -> Option<String> {
    if location.is_empty() {
        None
    } else if is_url(location) {
        Some(location.to_string())
    } else {
        url::Url::from_directory_path(location)
            .ok()
            .map(|u| u.to_string())
    }
}

/// `(url, path)` for a location from the model.
fn url_or_path(location: Option<&str>) -> (Option<String>, Option<String>) {
    match location {
        Some(l) if is_url(l) => (Some(l.to_string()), None),
        Some(l) => (None, Some(l.to_string())),
        None => (None, None),
    }
}

fn artifact(a: &PinArtifact) -> Artifact {
    let (url, path) = url_or_path(a.url.as_deref());
    // `name` only when the file name is not the last segment of the URL or path already.
    let implied = a.url.as_deref().and_then(last_segment);
    let name = a.filename.clone().filter(|f| Some(f) != implied.as_ref());
    Artifact {
        name,
        upload_time: a.upload_time.as_deref().and_then(|t| t.parse().ok()),
        url,
        path,
        size: a.size,
        hashes: a.hashes.clone(),
        unknown: Table::new(),
    }
}

fn package(p: &PinnedPackage) -> Package {
    let first_archive = || p.artifacts.first();
    let (source, index) = match &p.source {
        PinSource::Registry { url } => {
            let sdist = p
                .artifacts
                .iter()
                .find(|a| a.kind == PinArtifactKind::Sdist)
                .map(artifact);
            let wheels: Vec<Artifact> = p
                .artifacts
                .iter()
                .filter(|a| a.kind == PinArtifactKind::Wheel)
                .map(artifact)
                .collect();
            let index = index_url(url);
            let wheels = (!wheels.is_empty()).then_some(wheels);
            (Source::Distributions { sdist, wheels }, index)
        }
        PinSource::Git {
            url,
            reference,
            commit,
            subdirectory,
        } => {
            let (url, path) = url_or_path(Some(url.as_str()));
            let vcs = Vcs {
                kind: "git".to_string(),
                url,
                path,
                requested_revision: reference.clone(),
                commit_id: commit.clone().unwrap_or_default(),
                subdirectory: subdirectory.clone(),
                unknown: Table::new(),
            };
            (Source::Vcs(vcs), None)
        }
        PinSource::Directory { path, editable, .. } => {
            let dir = Directory {
                path: path.clone(),
                editable: editable.then_some(true),
                subdirectory: None,
                unknown: Table::new(),
            };
            (Source::Directory(dir), None)
        }
        PinSource::Url { url, subdirectory } => (
            Source::Archive(archive(
                (Some(url.clone()), None),
                first_archive(),
                subdirectory.clone(),
            )),
            None,
        ),
        PinSource::Path { path } => (
            Source::Archive(archive((None, Some(path.clone())), first_archive(), None)),
            None,
        ),
    };
    let dependencies = (!p.dependencies.is_empty()).then(|| {
        p.dependencies
            .iter()
            .map(|d| {
                let mut t = Table::new();
                t.insert("name".to_string(), toml::Value::String(d.name.clone()));
                if let Some(version) = &d.version {
                    t.insert("version".to_string(), toml::Value::String(version.clone()));
                }
                t
            })
            .collect()
    });
    Package {
        name: p.name.clone(),
        version: p.version.clone(),
        marker: p.marker.clone(),
        requires_python: None,
        dependencies,
        index,
        source,
        attestation_identities: None,
        tool: None,
        unknown: Table::new(),
    }
}

fn archive(
    (url, path): (Option<String>, Option<String>),
    file: Option<&PinArtifact>,
    subdirectory: Option<String>,
) -> Archive {
    Archive {
        url,
        path,
        size: file.and_then(|f| f.size),
        upload_time: file
            .and_then(|f| f.upload_time.as_deref())
            .and_then(|t| t.parse().ok()),
        hashes: file.map(|f| f.hashes.clone()).unwrap_or_default(),
        subdirectory,
        unknown: Table::new(),
    }
}
