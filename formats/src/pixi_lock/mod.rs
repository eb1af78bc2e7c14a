//! `pixi.lock`, the lock file of pixi written by rattler's `rattler_lock`: the typed model of
//! what the file says, its parser ([`parse`]), its serializer reproducing rattler's
//! ([`emit`]) and its mapping to the unified model ([`PixiLock::to_document`]).
//!
//! Since version 4 the file lists named environments (channels, PyPI indexes, solver options
//! and, per platform, the packages installed) and then every package once: conda builds by URL
//! (`conda:`), conda packages built from source (`conda_source:`, version 7) and PyPI
//! distributions or source trees (`pypi:`). Version 7 adds a `platforms` list with each
//! platform's virtual packages and leaves out what a conda URL already says (name, version,
//! build, subdir). Versions 3 to 5 (3 is conda-lock's layout with a flat package list) are read
//! and upgraded to the version 7 model as rattler upgrades them; version 6 files keep their
//! version. [`emit`] writes version 6 files in version 6's layout and everything else as
//! version 7, through `serde_yaml` with rattler's field order, so an unchanged file written
//! by rattler re-emits byte for byte.
//!
//! The crate `rattler_lock` itself is not used: the version that matches this workspace's
//! `rattler_conda_types` (0.34.12) rewrites version 6 files as version 7 and adds an `index`
//! to every PyPI package of version 7 files written before it, so it cannot re-emit the real
//! files as they are; and its errors carry no location.

mod document;
mod emit;
mod from_lock;
mod legacy;
mod package;
mod parse;
#[cfg(test)]
mod tests;
mod upgrade;

pub use emit::emit;
pub use from_lock::from_lock;
pub use parse::parse;

use serde_yaml::Value;

/// The version [`emit`] writes for everything but version 6 files.
pub const LATEST_VERSION: u64 = 7;

/// A whole `pixi.lock`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PixiLock {
    /// The format version the file was read as (3 to 7).
    pub version: u64,
    /// The platforms: as listed (version 7) or as the environments name them (older files).
    pub platforms: Vec<Platform>,
    /// The environments, in file order.
    pub environments: Vec<(String, Environment)>,
    /// The packages, in file order.
    pub packages: Vec<Package>,
}

/// A platform of a version 7 lock.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Platform {
    pub name: String,
    /// The conda subdir, where it differs from the name.
    pub subdir: Option<String>,
    /// The virtual packages the platform was solved with (`__glibc=2.28`).
    pub virtual_packages: Vec<String>,
}

pub use crate::conda_pins::LockChannel;

/// A `find-links` location: `url` or `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindLinks {
    Url(String),
    Path(String),
}

/// A named environment.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Environment {
    pub channels: Vec<LockChannel>,
    /// PyPI indexes (`indexes`); `None` when the key is absent.
    pub indexes: Option<Vec<String>>,
    pub find_links: Vec<FindLinks>,
    /// Solver options (`strategy`, `channel-priority`, `pypi-prerelease-mode`) as written.
    pub options: Vec<(String, String)>,
    /// Per platform name, the packages installed, in file order.
    pub packages: Vec<(String, Vec<Selector>)>,
}

/// What kind of package an entry is; also the order rattler sorts them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum PackageKind {
    /// A conda build, by URL or path (`conda:`).
    #[default]
    Conda,
    /// A conda package built from source (`conda_source: name[hash] @ location`).
    CondaSource,
    /// A PyPI distribution or source tree (`pypi:`).
    Pypi,
}

impl PackageKind {
    pub fn key(self) -> &'static str {
        match self {
            PackageKind::Conda => "conda",
            PackageKind::CondaSource => "conda_source",
            PackageKind::Pypi => "pypi",
        }
    }
}

/// A reference from an environment (or a source package's build or host environment) to a
/// package: its kind and location (`- conda: URL`).
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    pub kind: PackageKind,
    pub id: String,
    /// Other keys of the reference, kept as written: version 6 names the build when two
    /// packages share a URL (`name`, `version`, `build`, `subdir`).
    pub other: Vec<(String, Value)>,
}

/// One entry of `packages`. Conda and PyPI entries share the fields they have in common;
/// fields of the other kind stay empty.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Package {
    pub kind: PackageKind,
    /// The `conda:` URL or path, `conda_source:` identifier or `pypi:` location, as written.
    pub location: String,
    /// The name; version 7 leaves it out of conda entries whose file name says it.
    pub name: Option<String>,
    pub version: Option<String>,
    pub build: Option<String>,
    pub build_number: Option<u64>,
    pub subdir: Option<String>,
    /// `python` or `generic`, where the location does not say it.
    pub noarch: Option<String>,
    pub sha256: Option<String>,
    pub md5: Option<String>,
    /// Run dependencies (MatchSpecs).
    pub depends: Vec<String>,
    pub constrains: Vec<String>,
    pub track_features: Vec<String>,
    pub license: Option<String>,
    pub license_family: Option<String>,
    /// `purls`; `Some(empty)` is written as `purls: []`.
    pub purls: Option<Vec<String>>,
    pub size: Option<u64>,
    /// Milliseconds since the Unix epoch (some version 6 files have seconds; they are kept
    /// as written, and upgrades from older versions turn them into milliseconds as rattler
    /// does).
    pub timestamp: Option<u64>,
    /// PyPI: the requirements of the distribution (PEP 508).
    pub requires_dist: Vec<String>,
    /// PyPI: `requires_python` (PEP 440 specifiers).
    pub requires_python: Option<String>,
    /// PyPI: the index the distribution was found on (newer version 7 files).
    pub index: Option<String>,
    /// PyPI, version 6: installed in editable mode.
    pub editable: bool,
    /// Source packages: what their build and host environments hold.
    pub build_packages: Vec<Selector>,
    pub host_packages: Vec<Selector>,
    /// Every other key (`run_exports`, `variants`, `channel`, `file_name`, …), as written.
    pub other: Vec<(String, Value)>,
}

impl Package {
    /// How environments refer to this package.
    pub fn selector_id(&self) -> (PackageKind, &str) {
        (self.kind, &self.location)
    }
}
