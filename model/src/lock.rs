//! The lock: `unilock.lock`, every target and every package chosen for it.
//!
//! The TOML schema is documented in `docs/lock-format.md`. A lock holds the targets it was
//! resolved for, then one entry per (ecosystem, package, version, build) with the targets it is
//! chosen on, why it is there, and the artifacts (wheels, sdists, conda archives) with their
//! URL, hash and size. Reading checks everything a writer could get wrong and reports it at the
//! line and column of the lock file; writing is deterministic (entries sorted), so an unchanged
//! lock is written byte for byte the same.

use crate::diagnostic::{Diagnostic, Span};
use crate::lock_inputs::{LockOptions, LockedInput};
use crate::{Ecosystem, Version};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The lock format version this build writes. Version 2 added the conda facts of conda builds
/// ([`LockedConda`], an artifact's `md5`); version 3 what the lock was made from (`[[input]]`,
/// `[options]`) and each target's `key`. Older locks read the same way, without them.
pub const LOCK_VERSION: u32 = 3;

/// The format version of a lock holding a package from a source tree (a Git pin's
/// `requested-revision`, a `directory`), which an older unilock cannot read; a lock without
/// one is still written as [`LOCK_VERSION`].
pub const SOURCE_TREE_LOCK_VERSION: u32 = 4;

/// The oldest lock format version this build reads.
pub const OLDEST_LOCK_VERSION: u32 = 1;

/// A multi-target lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Lock {
    pub version: u32,
    /// The input files it was resolved from (version 3).
    #[serde(default, rename = "input", skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<LockedInput>,
    /// The options that shaped it, where they differ from the defaults (version 3).
    #[serde(default, skip_serializing_if = "LockOptions::is_empty")]
    pub options: LockOptions,
    /// The targets this lock was resolved for.
    #[serde(default, rename = "target", skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<LockedTarget>,
    /// Every chosen package.
    #[serde(default, rename = "package", skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<LockedPackage>,
}

/// One target of the lock, with the facts an installer checks before trusting it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LockedTarget {
    /// The canonical target string (`unilock targets describe` accepts it).
    pub name: String,
    /// What the target means, whatever its spelling ([`crate::Target::key`]); absent in
    /// locks before version 3, where the name is parsed for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub conda_subdir: String,
    /// Python version, e.g. `3.11`.
    pub python: String,
    /// The conda virtual packages the target provides, as `__name=version=build`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub virtual_packages: Vec<String>,
}

/// One chosen package version (for conda: one build).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LockedPackage {
    pub name: String,
    pub ecosystem: Ecosystem,
    pub version: String,
    /// The conda build string; absent for PyPI packages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<String>,
    /// The index or channel it comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The URL the input requires it from (`name @ URL`), instead of an index; its one
    /// artifact is the file at that URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// For a package from a Git repository (`url` is then the repository pinned to the
    /// commit, `git+https://host/repo.git@<commit>[#subdirectory=dir]`): the rev the input
    /// asked for (a branch, a tag, a commit), when it named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_revision: Option<String>,
    /// For a package from a local source directory (`./dir`, `-e .`): its path, relative to
    /// the lock's directory, and whether it is installed editable. Such a package has no
    /// `url`, `source` or artifact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<LockedDirectory>,
    /// The targets (by name) this package is chosen on.
    pub targets: Vec<String>,
    /// Why it is in the lock: an input requirement (`requirements.txt:3:1`) or a dependent
    /// package (`pypi:pandas`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requested_by: Vec<String>,
    /// Its own dependencies: the requirement strings of its metadata (`numpy>=1.22 ;
    /// python_version < '3.12'`) that apply on at least one of its targets, markers kept, so a
    /// package shared by targets says which requirement holds where. Version-1 locks written
    /// with bare names (`numpy`) read the same: a name is a requirement string.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// `dependencies` come from a build of its sdist on the host (its metadata is not
    /// static), not from a file the index serves: `setup.py` logic that depends on the
    /// platform may give other dependencies on the target.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dependencies_from_build: bool,
    #[serde(default, rename = "artifact", skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<Artifact>,
    /// For a conda build: what its repodata record says beyond name, version, build and
    /// dependencies (its `depends`, in `dependencies`), so that every export can be written
    /// without the channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conda: Option<LockedConda>,
}

/// A local source directory a package is installed from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LockedDirectory {
    /// Relative to the lock's directory (`.`, `libs/pkg`, `../pkg`), `/`-separated.
    pub path: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub editable: bool,
}

/// The repodata facts of a locked conda build.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LockedConda {
    /// The channel subdir of the build (`linux-64`, `noarch`).
    pub subdir: String,
    pub build_number: u64,
    /// Its run constraints (`constrains`), as MatchSpecs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constrains: Vec<String>,
    /// `python` or `generic` for a noarch build.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noarch: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub track_features: Vec<String>,
    /// Milliseconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// Package URLs of what it contains (`pkg:pypi/numpy`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub purls: Vec<String>,
    /// The PyPI distributions it installs that PyPI requirements of the lock count on (a joint
    /// solve met them with this build instead of a wheel); who asked is in `requested-by`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provides: Vec<String>,
}

impl LockedPackage {
    /// Whether it comes from a Git repository or a local source directory.
    pub fn from_source_tree(&self) -> bool {
        self.directory.is_some()
            || self
                .url
                .as_deref()
                .is_some_and(|u| GitPin::parse(u).is_some())
    }

    /// A conda build, as its channel's record describes it, chosen on no target yet.
    pub fn conda(record: &rattler_conda_types::RepoDataRecord) -> LockedPackage {
        let p = &record.package_record;
        let hex = |bytes: &[u8]| -> String { bytes.iter().map(|b| format!("{b:02x}")).collect() };
        LockedPackage {
            name: p.name.as_normalized().to_string(),
            ecosystem: Ecosystem::Conda,
            version: p.version.to_string(),
            build: Some(p.build.to_string()),
            source: record.channel.clone(),
            url: None,
            requested_revision: None,
            directory: None,
            targets: Vec::new(),
            requested_by: Vec::new(),
            dependencies: p.depends.clone(),
            artifacts: vec![Artifact {
                kind: ArtifactKind::Conda,
                url: record.url.to_string(),
                hash: p
                    .sha256
                    .as_ref()
                    .map(|h| format!("sha256:{}", hex(h.as_slice()))),
                md5: p.md5.as_ref().map(|h| format!("md5:{}", hex(h.as_slice()))),
                size: p.size,
                targets: Vec::new(),
            }],
            dependencies_from_build: false,
            conda: Some(LockedConda {
                subdir: p.subdir.clone(),
                build_number: p.build_number,
                constrains: p.constrains.clone(),
                noarch: match p.noarch.kind() {
                    Some(rattler_conda_types::NoArchKind::Python) => Some("python".into()),
                    Some(rattler_conda_types::NoArchKind::Generic) => Some("generic".into()),
                    None => None,
                },
                track_features: p.track_features.clone(),
                timestamp: p.timestamp.map(|t| t.timestamp_millis().max(0) as u64),
                license: p.license.clone(),
                purls: p.purls.iter().flatten().map(ToString::to_string).collect(),
                provides: Vec::new(),
            }),
        }
    }
}

/// A file that installs a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Artifact {
    pub kind: ArtifactKind,
    pub url: String,
    /// `sha256:<hex>` (or `md5:<hex>` where a conda channel offers nothing better).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// `md5:<hex>`, beside the sha256 of a conda archive (conda's explicit files use it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The targets this artifact is for, when not every target of the package uses it
    /// (one wheel per platform).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
}

/// What kind of file an artifact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    /// A built Python wheel.
    Wheel,
    /// A Python source distribution: it needs a build on the target.
    Sdist,
    /// A conda package archive (`.conda` or `.tar.bz2`).
    Conda,
}

impl Lock {
    /// An empty lock of the current format version.
    pub fn new() -> Self {
        Lock {
            version: LOCK_VERSION,
            inputs: Vec::new(),
            options: LockOptions::new(),
            targets: Vec::new(),
            packages: Vec::new(),
        }
    }

    /// Reads a lock from `text`, which came from `file`.
    pub fn from_toml(text: &str, file: &str) -> Result<Lock, Diagnostic> {
        let lock: Lock = toml::from_str(text).map_err(|e| {
            let span = e
                .span()
                .map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
            Diagnostic::invalid(format!("invalid unilock.lock: {}", e.message().trim_end()))
                .at(file, text, span)
        })?;
        lock.validate().map_err(|(message, needle)| {
            let start = needle.and_then(|n| text.find(&n)).unwrap_or(0);
            let len = needle_len(text, start);
            Diagnostic::invalid(message).at(file, text, Span::new(start, start + len))
        })?;
        Ok(lock)
    }

    /// Writes the lock as TOML, with targets and packages in canonical order, in the current
    /// format version (an older lock read is written as the current version).
    pub fn to_toml(&self) -> String {
        let mut lock = self.clone();
        lock.version = if lock.packages.iter().any(LockedPackage::from_source_tree) {
            SOURCE_TREE_LOCK_VERSION
        } else {
            LOCK_VERSION
        };
        lock.canonicalize();
        let body = toml::to_string(&lock).unwrap_or_default();
        format!("# This file is written by unilock; do not edit it by hand.\n{body}")
    }

    /// Sorts everything whose order carries no meaning — every list of the format — and drops
    /// repeated entries, so equal locks serialise identically whatever order the targets and
    /// requirements were resolved in.
    pub fn canonicalize(&mut self) {
        fn sorted(list: &mut Vec<String>) {
            list.sort();
            list.dedup();
        }
        sorted_inputs(&mut self.inputs);
        self.targets.sort_by(|a, b| a.name.cmp(&b.name));
        for t in &mut self.targets {
            sorted(&mut t.virtual_packages);
        }
        for p in &mut self.packages {
            sorted(&mut p.targets);
            sorted(&mut p.requested_by);
            sorted(&mut p.dependencies);
            for a in &mut p.artifacts {
                sorted(&mut a.targets);
            }
            p.artifacts
                .sort_by(|a, b| (a.kind, &a.url).cmp(&(b.kind, &b.url)));
        }
        self.packages.sort_by(|a, b| {
            (a.ecosystem, &a.name, &a.version, &a.build).cmp(&(
                b.ecosystem,
                &b.name,
                &b.version,
                &b.build,
            ))
        });
    }

    /// Checks what serde cannot: the version, names, versions and target references. The error
    /// carries a piece of text to locate in the file.
    fn validate(&self) -> Result<(), (String, Option<String>)> {
        if !(OLDEST_LOCK_VERSION..=SOURCE_TREE_LOCK_VERSION).contains(&self.version) {
            return Err((
                format!(
                    "unsupported lock version {}: this unilock reads versions {OLDEST_LOCK_VERSION} to {SOURCE_TREE_LOCK_VERSION}",
                    self.version
                ),
                Some("version".into()),
            ));
        }
        let names: BTreeSet<&str> = self.targets.iter().map(|t| t.name.as_str()).collect();
        if names.len() != self.targets.len() {
            return Err(("a target is listed twice".into(), Some("[[target]]".into())));
        }
        let mut keys = BTreeSet::new();
        for key in self.targets.iter().filter_map(|t| t.key.as_deref()) {
            if !keys.insert(key) {
                return Err((
                    format!(
                        "two targets have the same meaning (key `{key}`): a lock lists a target once"
                    ),
                    Some(format!("\"{key}\"")),
                ));
            }
        }
        for input in &self.inputs {
            crate::hash::parse(&input.hash, ':').map_err(|e| {
                (
                    format!("{e}: expected {}", e.expected()),
                    Some(format!("\"{}\"", input.hash)),
                )
            })?;
        }
        for p in &self.packages {
            crate::PackageName::parse(p.ecosystem, &p.name)
                .map_err(|e| (e, Some(format!("\"{}\"", p.name))))?;
            Version::parse(p.ecosystem, &p.version)
                .map_err(|e| (e, Some(format!("\"{}\"", p.version))))?;
            let hashes = p.artifacts.iter().flat_map(|a| [&a.hash, &a.md5]);
            for hash in hashes.filter_map(|h| h.as_deref()) {
                crate::hash::parse(hash, ':').map_err(|e| {
                    (
                        format!("{e}: expected {}", e.expected()),
                        Some(format!("\"{hash}\"")),
                    )
                })?;
            }
            if p.directory.is_some() && p.url.is_some() {
                return Err((
                    format!(
                        "package {} has both a `directory` and a `url`: a package comes from one place",
                        p.name
                    ),
                    Some(format!("\"{}\"", p.name)),
                ));
            }
            if let Some(rev) = &p.requested_revision
                && p.url.as_deref().and_then(GitPin::parse).is_none()
            {
                return Err((
                    format!(
                        "package {} has a `requested-revision` but no Git `url` pinned to a commit (`git+…@<40 hex digits>`)",
                        p.name
                    ),
                    Some(format!("\"{rev}\"")),
                ));
            }
            let unknown = p
                .targets
                .iter()
                .chain(p.artifacts.iter().flat_map(|a| &a.targets))
                .find(|t| !names.contains(t.as_str()));
            if let Some(t) = unknown {
                return Err((
                    format!(
                        "package {} uses target `{t}`, which is not among the lock's [[target]] entries",
                        p.name
                    ),
                    Some(format!("\"{t}\"")),
                ));
            }
        }
        Ok(())
    }
}

impl Lock {
    /// The pins of one target (by name) as a [`Document`](crate::Document) of `format`: every
    /// package chosen on it, with the artifacts for it.
    pub fn to_document(&self, target: &str, format: &str) -> crate::Document {
        let mut doc = crate::Document::new(format);
        let on_target: BTreeSet<&str> = self
            .packages
            .iter()
            .filter(|p| p.targets.iter().any(|t| t == target))
            .map(|p| p.name.as_str())
            .collect();
        for p in self
            .packages
            .iter()
            .filter(|p| p.targets.iter().any(|t| t == target))
        {
            doc.packages.push(pin_of(p, Some((target, &on_target))));
        }
        doc
    }

    /// Every package of every target as a [`Document`](crate::Document) of `format` (what
    /// `unilock show` prints of a lock): each pin with all its artifacts and dependencies, and
    /// where it is chosen in `used_in` — the lock's targets are the document's environments,
    /// each with its conda subdir; `platforms` are the targets' subdirs.
    pub fn to_overview(&self, format: &str) -> crate::Document {
        let mut doc = crate::Document::new(format);
        let subdir = |name: &str| {
            self.targets
                .iter()
                .find(|t| t.name == name)
                .map(|t| t.conda_subdir.clone())
        };
        for t in &self.targets {
            if !doc.platforms.contains(&t.conda_subdir) {
                doc.platforms.push(t.conda_subdir.clone());
            }
        }
        for p in &self.packages {
            let mut pin = pin_of(p, None);
            for t in &p.targets {
                pin.used_in.entry(t.clone()).or_default().extend(subdir(t));
            }
            doc.packages.push(pin);
        }
        doc
    }
}

/// A locked package as a pin: on one target (its name, and the names of the packages chosen
/// there) with the artifacts and dependencies of that target, or with all of them.
fn pin_of(
    p: &LockedPackage,
    target: Option<(&str, &BTreeSet<&str>)>,
) -> crate::document::PinnedPackage {
    use crate::document::{PinArtifact, PinArtifactKind, PinSource, PinnedPackage};
    let mut pin = PinnedPackage::registry(&p.name, &p.version, p.source.as_deref().unwrap_or(""));
    pin.ecosystem = p.ecosystem;
    pin.dependencies_from_build = p.dependencies_from_build;
    pin.artifacts = p
        .artifacts
        .iter()
        .filter(|a| match target {
            Some((target, _)) => a.targets.is_empty() || a.targets.iter().any(|t| t == target),
            None => true,
        })
        .map(|a| PinArtifact {
            kind: match a.kind {
                ArtifactKind::Wheel => PinArtifactKind::Wheel,
                ArtifactKind::Sdist => PinArtifactKind::Sdist,
                ArtifactKind::Conda => PinArtifactKind::Conda,
            },
            url: Some(a.url.clone()),
            filename: a.url.rsplit('/').next().map(str::to_string),
            hashes: [&a.hash, &a.md5]
                .into_iter()
                .filter_map(|h| h.as_deref()?.split_once(':'))
                .map(|(alg, hex)| (alg.to_string(), hex.to_string()))
                .collect(),
            size: a.size,
            upload_time: None,
        })
        .collect();
    // On one target, the dependencies chosen there: a requirement whose package the target
    // does not have applies only elsewhere.
    pin.dependencies = p
        .dependencies
        .iter()
        .map(|d| dependency_of(d))
        .filter(|d| target.is_none_or(|(_, on_target)| on_target.contains(d.name.as_str())))
        .collect();
    let mut seen = BTreeSet::new();
    pin.dependencies.retain(|d| seen.insert(d.name.clone()));
    pin.conda = p.conda.as_ref().map(|c| {
        Box::new(crate::conda::CondaRecord {
            build: p.build.clone().unwrap_or_default(),
            build_number: Some(c.build_number),
            subdir: Some(c.subdir.clone()),
            channel: p.source.clone(),
            noarch: c.noarch.clone(),
            depends: p.dependencies.clone(),
            constrains: c.constrains.clone(),
            track_features: c.track_features.clone(),
            timestamp: c.timestamp,
            license: c.license.clone(),
            purls: c.purls.clone(),
        })
    });
    if let Some(dir) = &p.directory {
        pin.source = PinSource::Directory {
            path: dir.path.clone(),
            editable: dir.editable,
            r#virtual: false,
        };
        pin.artifacts.clear();
    } else if let Some(git) = p.url.as_deref().and_then(GitPin::parse) {
        pin.source = PinSource::Git {
            url: git.repository,
            reference: p.requested_revision.clone(),
            commit: Some(git.commit),
            subdirectory: git.subdirectory,
        };
        pin.artifacts.clear();
    } else if let Some(url) = &p.url {
        pin.source = PinSource::Url {
            url: url.clone(),
            subdirectory: None,
        };
    } else if let Some(source) = &p.source {
        pin.source = PinSource::Registry {
            url: source.clone(),
        };
    }
    pin
}

/// A lock's pinned Git URL, `git+<repository>@<commit>[#subdirectory=dir]`, in parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitPin {
    /// The repository URL, without `git+`.
    pub repository: String,
    /// The full commit id.
    pub commit: String,
    pub subdirectory: Option<String>,
}

impl GitPin {
    /// The parts of `url`; `None` when it is not a Git URL pinned to a full commit id.
    pub fn parse(url: &str) -> Option<GitPin> {
        let rest = url.strip_prefix("git+")?;
        let (rest, fragment) = match rest.split_once('#') {
            Some((r, f)) => (r, Some(f)),
            None => (rest, None),
        };
        let (repository, commit) = rest.rsplit_once('@')?;
        if commit.len() != 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let subdirectory = fragment.and_then(|f| {
            f.split('&')
                .find_map(|p| p.strip_prefix("subdirectory="))
                .map(str::to_string)
        });
        Some(GitPin {
            repository: repository.to_string(),
            commit: commit.to_string(),
            subdirectory,
        })
    }
}

impl Default for Lock {
    fn default() -> Self {
        Lock::new()
    }
}

/// The package (and extras) a dependency's requirement string names.
fn dependency_of(requirement: &str) -> crate::document::PinDependency {
    let (name, extras) = match requirement.parse::<pep508_rs::Requirement>() {
        Ok(r) => (
            r.name.to_string(),
            r.extras.iter().map(ToString::to_string).collect(),
        ),
        Err(_) => {
            let end = requirement
                .find(|c: char| !(c.is_ascii_alphanumeric() || "-_.".contains(c)))
                .unwrap_or(requirement.len());
            (requirement[..end].to_string(), Vec::new())
        }
    };
    crate::document::PinDependency {
        name,
        version: None,
        extras,
        marker: None,
    }
}

/// Inputs by path, each once.
fn sorted_inputs(inputs: &mut Vec<LockedInput>) {
    inputs.sort();
    inputs.dedup_by(|a, b| a.path == b.path);
}

fn needle_len(text: &str, start: usize) -> usize {
    text[start..]
        .find(['\n', ' ', '='])
        .unwrap_or(text.len() - start)
        .max(1)
}

#[cfg(test)]
mod tests;
