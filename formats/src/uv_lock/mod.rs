//! `uv.lock`, uv's universal lock file: the typed model of everything the file says, its
//! parser ([`parse`]), its serializer in uv's canonical layout ([`emit`]), its mapping to the
//! unified model ([`UvLock::to_document`]) and `uv export` semantics ([`export`]).
//!
//! The layout is defined by uv's own serializer: `version` and `revision` (missing means 0),
//! the top-level markers, `conflicts`, `[options]`, `[manifest]`, then one `[[package]]` per
//! locked distribution with its dependency edges, artifacts and (for workspace members) the
//! metadata it was resolved from. Keys uv does not write are kept verbatim as TOML values in
//! the `unknown` lists of the table that held them, so nothing a file says is lost.
//!
//! Revisions 0 to 3 are read; older spellings (`dependency-groups` for `dev-dependencies`,
//! `dependency-groups` for `requires-dev`, `provides-extra`) are accepted and remembered so
//! that a file re-emits as it was written.

mod document;
mod emit;
mod export;
mod parse;
#[cfg(test)]
mod tests;

pub use emit::emit;
pub use export::{ExportOptions, export};
pub use parse::parse;
/// The marker types of [`ExportOptions::target`] and of exported markers.
pub use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder, MarkerTree};

/// Keys the model does not know, in file order: the key and its value as TOML text.
pub type Unknown = Vec<(String, String)>;

/// Comments written after a value on its line (`version = "1.0" # x-release-please-version`),
/// by key: the text after the value, with its leading spaces. Kept for the top-level keys
/// and the keys of each `[[package]]`, where tools such as release bots put them.
pub type Comments = Vec<(String, String)>;

/// A whole `uv.lock`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UvLock {
    /// The lock format version (`version = 1`).
    pub version: i64,
    /// The revision of format 1; `None` when the key is missing (which uv reads as 0).
    pub revision: Option<i64>,
    pub requires_python: Option<String>,
    /// The forks of a universal resolution, as PEP 508 markers.
    pub resolution_markers: Vec<String>,
    /// The environments the lock was restricted to (`tool.uv.environments`).
    pub supported_markers: Vec<String>,
    /// The environments wheels must exist for (`tool.uv.required-environments`).
    pub required_markers: Vec<String>,
    /// Sets of extras or groups that cannot be installed together.
    pub conflicts: Vec<Vec<ConflictItem>>,
    pub options: Option<LockOptions>,
    pub manifest: Option<LockManifest>,
    pub packages: Vec<Package>,
    pub unknown: Unknown,
    pub comments: Comments,
}

/// One member of a `conflicts` set: a package's extra or group (or the package itself).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConflictItem {
    pub package: String,
    pub extra: Option<String>,
    pub group: Option<String>,
    pub unknown: Unknown,
}

/// The `[options]` table: resolver settings the lock was made with.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LockOptions {
    pub resolution_mode: Option<String>,
    pub prerelease_mode: Option<String>,
    pub fork_strategy: Option<String>,
    /// An RFC 3339 timestamp; uv writes a placeholder here when `exclude_newer_span` is set.
    pub exclude_newer: Option<String>,
    /// A relative cut-off as an ISO 8601 duration (`P7D`).
    pub exclude_newer_span: Option<String>,
    /// `[options.exclude-newer-package]`: package name and its setting as TOML text
    /// (`false`, a timestamp string, or an inline table with a span).
    pub exclude_newer_package: Vec<(String, String)>,
    pub unknown: Unknown,
}

/// The `[manifest]` table: the workspace's inputs, so uv can tell whether the lock is stale.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LockManifest {
    pub members: Vec<String>,
    pub requirements: Vec<LockRequirement>,
    pub constraints: Vec<LockRequirement>,
    pub overrides: Vec<LockRequirement>,
    /// Package names excluded from the resolution.
    pub excludes: Vec<String>,
    pub build_constraints: Vec<LockRequirement>,
    /// `[manifest.dependency-groups]` of a project-less workspace root.
    pub dependency_groups: Vec<(String, Vec<LockRequirement>)>,
    pub dependency_metadata: Vec<DependencyMetadata>,
    pub unknown: Unknown,
}

/// A `[[manifest.dependency-metadata]]` entry: static metadata given for a package.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DependencyMetadata {
    pub name: String,
    pub version: Option<String>,
    /// PEP 508 requirement strings.
    pub requires_dist: Vec<String>,
    pub requires_python: Option<String>,
    pub provides_extras: Vec<String>,
    pub unknown: Unknown,
}

/// A requirement as uv records it in `[manifest]` and `[package.metadata]`: an inline table
/// with the name, extras, groups, marker and where the package comes from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LockRequirement {
    pub name: String,
    pub extras: Vec<String>,
    pub groups: Vec<String>,
    pub marker: Option<String>,
    pub source: RequirementSource,
    pub unknown: Unknown,
}

/// Where a [`LockRequirement`] is satisfied from.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum RequirementSource {
    /// An index, with an optional PEP 440 specifier and an explicit index URL.
    Registry {
        specifier: Option<String>,
        index: Option<String>,
    },
    /// A Git URL, with `?rev=`/`?tag=`/`?branch=`/`?subdirectory=` in its query.
    Git(String),
    Url {
        url: String,
        subdirectory: Option<String>,
    },
    Path(String),
    Directory(String),
    Editable(String),
    Virtual(String),
    /// A registry requirement with no specifier (`{ name = "x" }`).
    #[default]
    Any,
}

/// How the package-level dependency-group tables are spelled in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupsKey {
    /// uv's canonical spelling (`dev-dependencies`, `requires-dev`).
    #[default]
    Canonical,
    /// The accepted alias `dependency-groups`.
    DependencyGroups,
}

/// One `[[package]]`: a locked distribution.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Package {
    pub name: String,
    /// `None` for source trees whose version is dynamic.
    pub version: Option<String>,
    pub source: Option<Source>,
    /// The forks this version of the package was resolved in.
    pub resolution_markers: Vec<String>,
    pub dependencies: Vec<Dependency>,
    pub sdist: Option<Artifact>,
    pub wheels: Vec<Artifact>,
    pub optional_dependencies: Vec<(String, Vec<Dependency>)>,
    pub dependency_groups: Vec<(String, Vec<Dependency>)>,
    pub dependency_groups_key: GroupsKey,
    pub metadata: Option<PackageMetadata>,
    pub unknown: Unknown,
    pub comments: Comments,
}

/// Where a locked package comes from (`source = { registry = "…" }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Registry(String),
    /// A Git URL with the requested reference in its query and the commit as fragment.
    Git(String),
    Url {
        url: String,
        subdirectory: Option<String>,
    },
    Path(String),
    Directory(String),
    Editable(String),
    Virtual(String),
}

impl Source {
    /// The path of a local source tree (`directory`, `editable`, `virtual`).
    pub fn tree_path(&self) -> Option<&str> {
        match self {
            Source::Directory(p) | Source::Editable(p) | Source::Virtual(p) => Some(p),
            _ => None,
        }
    }
}

/// A dependency edge. `version` and `source` are written only when the lock holds several
/// packages of that name.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dependency {
    pub name: String,
    pub version: Option<String>,
    pub source: Option<Source>,
    pub extra: Vec<String>,
    pub marker: Option<String>,
    pub unknown: Unknown,
}

/// Where an artifact is: a URL, a path relative to the lock, or only a file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactLocation {
    Url(String),
    Path(String),
    Filename(String),
}

/// An sdist or wheel of a package.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Artifact {
    /// `None` for an sdist known only by its metadata.
    pub location: Option<ArtifactLocation>,
    /// `algorithm:hex`.
    pub hash: Option<String>,
    pub size: Option<u64>,
    pub upload_time: Option<String>,
    /// The zstandard-compressed variant of a wheel: hash and size.
    pub zstd: Option<(Option<String>, Option<u64>)>,
    pub unknown: Unknown,
}

/// `[package.metadata]` of a source-tree package: what it asked for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PackageMetadata {
    pub requires_dist: Vec<LockRequirement>,
    pub provides_extras: Vec<String>,
    /// `[package.metadata.requires-dev]`: requirements of each dependency group.
    pub requires_dev: Vec<(String, Vec<LockRequirement>)>,
    pub requires_dev_key: GroupsKey,
    pub unknown: Unknown,
}
