//! pylock.toml (PEP 751, `lock-version = "1.0"`): the standard Python lock file.
//!
//! This module owns the typed model of a pylock file ([`Pylock`]), its parser ([`parse`]) with
//! located diagnostics for every rule of the specification that a reader must check, its one
//! canonical writer ([`emit`], documented in `docs/pylock-format.md`), and the conversions to
//! and from the unified [`Document`](unilock_model::Document)
//! ([`Pylock::to_document`], [`Pylock::from_document`]).
//!
//! The model keeps everything a file says: known keys as typed fields, `[tool]` tables and keys
//! this version of the specification does not define as TOML values, so that parse → emit →
//! parse gives an equal model. Comments and layout are not kept; the writer's layout is
//! canonical.

mod document;
mod emit;
mod parse;
#[cfg(test)]
mod tests;

pub use emit::emit;
pub use parse::parse;

use std::collections::BTreeMap;

/// A TOML table kept as data (`[tool]` tables, unknown keys, dependency references).
pub type Table = toml::Table;
/// A TOML datetime (`upload-time`), kept exactly as written.
pub type Datetime = toml::value::Datetime;

/// The lock-version this module writes.
pub const LOCK_VERSION: &str = "1.0";

/// One pylock.toml file.
#[derive(Debug, Clone, PartialEq)]
pub struct Pylock {
    /// `lock-version`; its major version is 1.
    pub lock_version: String,
    /// `environments`: PEP 508 markers, one of which an installing environment must match.
    pub environments: Option<Vec<String>>,
    /// `requires-python`: a PEP 440 specifier.
    pub requires_python: Option<String>,
    /// `extras` the lock covers (normalised names).
    pub extras: Option<Vec<String>>,
    /// `dependency-groups` the lock covers.
    pub dependency_groups: Option<Vec<String>>,
    /// `default-groups`: the groups installed when none are asked for.
    pub default_groups: Option<Vec<String>>,
    /// `created-by`: the tool that wrote the file.
    pub created_by: String,
    /// `[[packages]]`, in file order.
    pub packages: Vec<Package>,
    /// The top-level `[tool]` table, as data.
    pub tool: Option<Table>,
    /// Top-level keys the specification does not define, as data.
    pub unknown: Table,
}

/// One `[[packages]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    /// The normalised package name.
    pub name: String,
    pub version: Option<String>,
    /// When the package is installed (PEP 508 marker, with PEP 751's `extras` and
    /// `dependency_groups` variables).
    pub marker: Option<String>,
    pub requires_python: Option<String>,
    /// `dependencies`: tables identifying other package entries (usually `name`, `version`).
    pub dependencies: Option<Vec<Table>>,
    /// `index`: the index the sdist and wheels come from.
    pub index: Option<String>,
    /// Where the package comes from: exactly one kind.
    pub source: Source,
    /// `attestation-identities`: tables with at least a `kind`.
    pub attestation_identities: Option<Vec<Table>>,
    /// `[packages.tool]`, as data.
    pub tool: Option<Table>,
    /// Package keys the specification does not define, as data.
    pub unknown: Table,
}

/// The one source kind of a package.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// `vcs = { type, url/path, requested-revision, commit-id, subdirectory }`.
    Vcs(Vcs),
    /// `directory = { path, editable, subdirectory }`.
    Directory(Directory),
    /// `archive = { url/path, size, upload-time, hashes, subdirectory }`.
    Archive(Archive),
    /// `sdist` and/or `wheels` (at least one of them holds a file).
    Distributions {
        sdist: Option<Artifact>,
        wheels: Option<Vec<Artifact>>,
    },
}

/// `[packages.vcs]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Vcs {
    /// `type`: `git`, `hg`, `svn` or `bzr`.
    pub kind: String,
    pub url: Option<String>,
    pub path: Option<String>,
    pub requested_revision: Option<String>,
    pub commit_id: String,
    pub subdirectory: Option<String>,
    pub unknown: Table,
}

/// `[packages.directory]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Directory {
    pub path: String,
    /// `editable`, kept absent when the file leaves it out (the default is `false`).
    pub editable: Option<bool>,
    pub subdirectory: Option<String>,
    pub unknown: Table,
}

/// `[packages.archive]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Archive {
    pub url: Option<String>,
    pub path: Option<String>,
    pub size: Option<u64>,
    pub upload_time: Option<Datetime>,
    /// Hash algorithm → hex digest; never empty.
    pub hashes: BTreeMap<String, String>,
    pub subdirectory: Option<String>,
    pub unknown: Table,
}

/// One `sdist` or `wheels` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Artifact {
    /// The file name, where it is recorded apart from the URL or path.
    pub name: Option<String>,
    pub upload_time: Option<Datetime>,
    pub url: Option<String>,
    pub path: Option<String>,
    pub size: Option<u64>,
    /// Hash algorithm → hex digest; never empty.
    pub hashes: BTreeMap<String, String>,
    pub unknown: Table,
}

impl Artifact {
    /// The file name: `name`, else the last segment of the path or URL.
    pub fn filename(&self) -> Option<String> {
        if let Some(name) = &self.name {
            return Some(name.clone());
        }
        self.path
            .as_deref()
            .or(self.url.as_deref())
            .and_then(last_segment)
    }
}

/// The last `/`-separated segment of a URL or path, without query or fragment, with
/// percent-escapes decoded (`torch-2.7.0%2Bcu128-….whl` names `torch-2.7.0+cu128-….whl`).
pub(crate) fn last_segment(location: &str) -> Option<String> {
    let location = location.split(['?', '#']).next().unwrap_or(location);
    let segment = location.rsplit(['/', '\\']).next().unwrap_or(location);
    let decoded = percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned();
    (!decoded.is_empty()).then_some(decoded)
}
