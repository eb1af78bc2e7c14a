//! The unified model of one dependency file, whatever its format.
//!
//! A [`Document`] says what a file asks for (its [`Manifest`] of requirements, its indexes and
//! resolver options, the Python it supports) and, for lock files and pinned requirement files,
//! what it pins ([`PinnedPackage`]). `unilock show` prints it; conversions between formats go
//! through it.
//!
//! Origins (file, line, column) appear only in fields named `origin`, so the models of two
//! files that say the same thing in different layouts are equal after
//! [`Document::without_origins`].

use crate::conda::CondaRecord;
use crate::diagnostic::Origin;
use crate::nix::FlakeInput;
use crate::{Ecosystem, Manifest};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The unified model of one dependency file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Document {
    /// The format name (`requirements`, `uv-lock`, …).
    pub format: String,
    /// The project's name, where the format records one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// The Python versions supported (`requires-python`), as a PEP 440 specifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requires_python: Option<String>,
    /// What the file asks for.
    pub manifest: Manifest,
    /// Where packages come from: indexes and find-links locations, in priority order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<IndexLocation>,
    /// Conda channels, in priority order, as written (`conda-forge`, a URL, `nodefaults`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<Channel>,
    /// The conda platforms (subdirs) the file is for (`linux-64`, `osx-arm64`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub platforms: Vec<String>,
    /// Environment variables the file sets for its environment (environment.yml `variables`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub variables: BTreeMap<String, String>,
    /// Resolver options the file sets.
    #[serde(skip_serializing_if = "ResolverOptions::is_empty")]
    pub options: ResolverOptions,
    /// The environments the file is for, as PEP 508 markers (uv's `environments` and
    /// `resolution-markers`, pylock's `environments`). Empty: every environment.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<String>,
    /// The pinned packages, for lock files and fully pinned requirement files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<PinnedPackage>,
    /// Nix flake inputs, for flake.lock files.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flake_inputs: Vec<FlakeInput>,
    /// The groups installed when none are asked for: the features of pixi's `default`
    /// environment.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub default_groups: Vec<String>,
    /// What the machine must offer (pixi's `[system-requirements]`), as the file says it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub system_requirements: Vec<SystemRequirement>,
    /// Every extra and dependency group the file defines, as written, those with no
    /// requirements included (`[project.optional-dependencies]`, `[dependency-groups]`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub defined_groups: Vec<String>,
    /// The `[project]` fields the file declares `dynamic` (PEP 621): known only after a build
    /// of the project.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dynamic: Option<Dynamic>,
}

/// The `dynamic` list of a pyproject.toml's `[project]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Dynamic {
    /// The fields, as written (`dependencies`, `optional-dependencies`, `version`).
    pub fields: Vec<String>,
    /// Where the list is written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

impl Dynamic {
    /// Whether `field` is one of them.
    pub fn has(&self, field: &str) -> bool {
        self.fields.iter().any(|f| f == field)
    }
}

impl Document {
    pub fn new(format: &str) -> Self {
        Document {
            format: format.to_string(),
            ..Document::default()
        }
    }

    /// The same document with every origin removed, to compare documents of different files.
    pub fn without_origins(&self) -> Document {
        let mut doc = self.clone();
        doc.manifest = doc.manifest.without_origins();
        for index in &mut doc.indexes {
            index.origin = None;
        }
        for channel in &mut doc.channels {
            channel.origin = None;
        }
        for package in &mut doc.packages {
            package.origin = None;
        }
        for input in &mut doc.flake_inputs {
            input.origin = None;
        }
        for requirement in &mut doc.system_requirements {
            requirement.origin = None;
        }
        if let Some(d) = &mut doc.dynamic {
            d.origin = None;
        }
        doc
    }
}

/// What kind of package location an index entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IndexKind {
    /// The default index (`--index-url`, `[[tool.uv.index]] default = true`).
    Default,
    /// An additional index (`--extra-index-url`, `[[tool.uv.index]]`).
    Extra,
    /// A flat directory or page of distributions (`--find-links`).
    FindLinks,
}

/// An index or find-links location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IndexLocation {
    pub kind: IndexKind,
    /// The URL or path as written (environment variables expanded; credentials kept here only
    /// because the input had them — emitters of lock files never write them).
    pub url: String,
    /// The index's name, where the format names indexes (`[[tool.uv.index]] name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// A conda channel as a file names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Channel {
    /// The channel as written: a name (`conda-forge`), a URL, or `nodefaults`.
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// A minimum the machine must meet, as pixi's `[system-requirements]` writes it: `cuda = "12"`,
/// `libc = { family = "glibc", version = "2.28" }`, `linux`, `macos`, `archspec`. Each is a
/// virtual package the environment may assume (`__cuda`, `__glibc`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SystemRequirement {
    /// The key: `cuda`, `libc`, `linux`, `macos`, `archspec` (others are kept as written).
    pub name: String,
    /// The version (for `archspec`, the microarchitecture name).
    pub version: String,
    /// The C library family of `libc` (`glibc` unless the file says otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// Resolver and installer options a file sets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ResolverOptions {
    /// Allow pre-releases (`--pre`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pre: bool,
    /// Packages that must be installed from wheels (`--only-binary`; `:all:` for every one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub only_binary: Vec<String>,
    /// Packages that must be built from source (`--no-binary`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub no_binary: Vec<String>,
    /// Prefer an older version with a wheel over a newer one built from source
    /// (`--prefer-binary`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub prefer_binary: bool,
    /// Hosts trusted without valid TLS (`--trusted-host`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trusted_hosts: Vec<String>,
    /// Every requirement must carry hashes (`--require-hashes`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub require_hashes: bool,
}

impl ResolverOptions {
    pub fn is_empty(&self) -> bool {
        *self == ResolverOptions::default()
    }
}

/// Where a pinned package comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PinSource {
    /// A package index (PyPI-compatible) or conda channel.
    Registry { url: String },
    /// A Git repository at a commit.
    Git {
        url: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        reference: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        commit: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        subdirectory: Option<String>,
    },
    /// A direct URL to an archive.
    Url {
        url: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        subdirectory: Option<String>,
    },
    /// A local archive file.
    Path { path: String },
    /// A local source tree, installed normally, as editable, or not installed (virtual).
    Directory {
        path: String,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        editable: bool,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        r#virtual: bool,
    },
}

/// What kind of file a pinned artifact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PinArtifactKind {
    Wheel,
    Sdist,
    /// An archive named by a direct URL or path (may be either).
    Archive,
    /// A conda package archive.
    Conda,
}

/// A file that installs a pinned package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PinArtifact {
    pub kind: PinArtifactKind,
    /// Where to fetch it (URL, or path relative to the file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The file name, where the format records it separately from the URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    /// Hashes by algorithm (`sha256` → hex).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub hashes: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Upload time as RFC 3339, where the format records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload_time: Option<String>,
}

/// A dependency edge of a pinned package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PinDependency {
    pub name: String,
    /// The version of the dependency, when the lock pins several versions of one name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extras: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

/// One pinned package.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PinnedPackage {
    /// Normalised name.
    pub name: String,
    pub ecosystem: Ecosystem,
    /// The pinned version; `None` for sources without one (a virtual workspace member).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// When the package is installed (PEP 508 marker); `None`: always.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    pub source: PinSource,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<PinArtifact>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<PinDependency>,
    /// Dependencies of each extra.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub optional_dependencies: BTreeMap<String, Vec<PinDependency>>,
    /// Dependencies of each dependency group (development dependencies).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub dependency_groups: BTreeMap<String, Vec<PinDependency>>,
    /// The conda build, for conda packages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conda: Option<Box<CondaRecord>>,
    /// Where the pin applies in a lock with several environments or platforms: environment
    /// name → conda platforms (subdirs). Empty: everywhere the file applies.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub used_in: BTreeMap<String, BTreeSet<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// Its dependencies come from a build of its sdist on the host (a unilock lock's
    /// `dependencies-from-build`): platform-conditional `setup.py` logic may differ on the
    /// target.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dependencies_from_build: bool,
}

impl PinnedPackage {
    /// A registry package with no artifacts, dependencies or marker yet.
    pub fn registry(name: &str, version: &str, index: &str) -> Self {
        PinnedPackage {
            name: name.to_string(),
            ecosystem: Ecosystem::Pypi,
            version: Some(version.to_string()),
            marker: None,
            source: PinSource::Registry {
                url: index.to_string(),
            },
            artifacts: Vec::new(),
            dependencies: Vec::new(),
            optional_dependencies: BTreeMap::new(),
            dependency_groups: BTreeMap::new(),
            conda: None,
            used_in: BTreeMap::new(),
            origin: None,
            dependencies_from_build: false,
        }
    }
}
