//! What a Python package index says about a project, and the one trait through which the
//! solver asks for it.
//!
//! An index lists a project's distribution files ([`ProjectFiles`], from a PEP 691 JSON or
//! PEP 503 HTML page, or a find-links directory); a chosen file's core metadata
//! ([`CoreMetadata`]: `Requires-Dist`, `Requires-Python`, `Provides-Extra`) says what it
//! needs. Registries implement [`PackageSource`]; the solver only reads through it, so it never
//! does I/O itself.

use crate::Diagnostic;
use std::collections::BTreeMap;
use std::sync::Arc;

mod filename;
mod files;
pub use filename::{DistName, FileKind, version_of};
pub use files::{Bytes as PackedBytes, Files};

/// One distribution file of a project, as the index lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DistFile {
    pub filename: String,
    /// Absolute URL (`https://…`, `file:///…`), without credentials.
    pub url: String,
    /// Hashes by algorithm (`sha256` → hex).
    pub hashes: Hashes,
    pub size: Option<u64>,
    /// The file's `requires-python` (`data-requires-python`), a PEP 440 specifier.
    pub requires_python: Option<String>,
    /// `Some(reason)` when the file is yanked (the reason may be empty).
    pub yanked: Option<String>,
    /// Upload time (RFC 3339), where the index says.
    pub upload_time: Option<String>,
    /// The index serves the file's core metadata at `<url>.metadata` (PEP 658/714), with
    /// these hashes (possibly none).
    pub metadata: Option<Hashes>,
}

/// Hashes by algorithm (`sha256` → lowercase hex), sorted by algorithm. A file usually has one
/// or two, and a project page lists thousands of files, so this is a short list rather than a
/// tree (a `BTreeMap` of one entry allocates a node for eleven).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hashes(Vec<(String, String)>);

impl Hashes {
    pub fn new() -> Self {
        Hashes(Vec::new())
    }

    pub fn get(&self, algorithm: &str) -> Option<&String> {
        self.0.iter().find(|(a, _)| a == algorithm).map(|(_, h)| h)
    }

    /// Sets the hash of `algorithm`, replacing one already there.
    pub fn insert(&mut self, algorithm: String, hex: String) {
        match self.0.binary_search_by(|(a, _)| a.cmp(&algorithm)) {
            Ok(i) => self.0[i].1 = hex,
            Err(i) => {
                // Most files have one hash: room for exactly one, not the four a growing
                // `Vec` reserves (192 bytes a file, 28 MB over a page of 200k files).
                self.0.reserve_exact(1);
                self.0.insert(i, (algorithm, hex))
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// (algorithm, hex) pairs, sorted by algorithm.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(a, h)| (a, h))
    }

    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.0.iter().cloned().collect()
    }
}

impl std::ops::Index<&str> for Hashes {
    type Output = String;

    /// The hash of `algorithm`; panics when there is none, as `BTreeMap` indexing does.
    fn index(&self, algorithm: &str) -> &String {
        match self.get(algorithm) {
            Some(h) => h,
            None => panic!("no {algorithm} hash"),
        }
    }
}

impl FromIterator<(String, String)> for Hashes {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        let mut h = Hashes::new();
        for (a, x) in iter {
            h.insert(a, x);
        }
        h
    }
}

impl<const N: usize> From<[(String, String); N]> for Hashes {
    fn from(pairs: [(String, String); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl From<BTreeMap<String, String>> for Hashes {
    fn from(map: BTreeMap<String, String>) -> Self {
        map.into_iter().collect()
    }
}

/// Every file one index has for a project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFiles {
    /// The normalised project name.
    pub name: String,
    /// The index (or find-links location) the files come from, without credentials.
    pub index: String,
    pub files: Files,
}

/// The core metadata of one distribution (the fields resolution needs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CoreMetadata {
    pub name: String,
    pub version: String,
    /// `Requires-Dist`, as PEP 508 strings.
    pub requires_dist: Vec<String>,
    pub requires_python: Option<String>,
    pub provides_extra: Vec<String>,
    /// It comes from a build of an sdist on the host (PEP 517), not from a file the index
    /// serves: `setup.py` logic that depends on the platform may give other dependencies on
    /// the target.
    pub built_on_host: bool,
}

/// What can be known of a distribution's dependencies without running its build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Metadata {
    Known(Arc<CoreMetadata>),
    /// Only a build would tell (an sdist whose metadata is not static); says why.
    NeedsBuild(String),
}

/// The file a direct reference (`name @ URL`) names, with what the source learnt by reading it
/// whole: its sha256 and size in `file.hashes`/`file.size`, and its core metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectFile {
    pub file: DistFile,
    pub metadata: Metadata,
}

/// Where the solver gets projects and metadata from.
///
/// Implementations may fetch concurrently: [`PackageSource::prefetch`] is a hint that a
/// project is likely to be asked for soon. Errors are diagnostics with their exit code
/// (registry failures exit 3, bad metadata 2).
pub trait PackageSource: Send + Sync {
    /// The files of the first index that has `name` (normalised), or `None` when none has it.
    fn project(&self, name: &str) -> Result<Option<Arc<ProjectFiles>>, Diagnostic>;

    /// The core metadata of `file`, one of the files of `project`.
    fn metadata(&self, project: &ProjectFiles, file: &DistFile) -> Result<Metadata, Diagnostic>;

    /// The wheel or sdist a direct reference names (`https://…/pkg-1.0-py3-none-any.whl`,
    /// `file:///…/pkg-1.0.tar.gz`, with an optional `#sha256=…` the file must match), for
    /// the requirement `name @ url`. Sources that cannot fetch single files refuse.
    fn direct(&self, name: &str, url: &str) -> Result<DirectFile, Diagnostic> {
        Err(Diagnostic::usage(format!(
            "{name} @ {url}: this package source cannot fetch files named by URL"
        )))
    }

    /// A hint that `name` will probably be needed.
    fn prefetch(&self, name: &str) {
        let _ = name;
    }

    /// A hint that the metadata of these files of `project` will probably be read soon (the
    /// next versions of a package the solver is walking down): a source that fetches may read
    /// them concurrently now.
    fn prefetch_metadata(&self, project: &ProjectFiles, files: &[DistFile]) {
        let _ = (project, files);
    }

    /// Tells the source that `version` of `name` was read beyond resolution itself (an
    /// explanation named it), so a recording keeps it.
    fn consulted(&self, name: &str, version: &str) {
        let _ = (name, version);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_stay_sorted_and_replace_by_algorithm() {
        let mut h = Hashes::new();
        h.insert("sha256".into(), "b".into());
        h.insert("md5".into(), "a".into());
        h.insert("sha256".into(), "c".into());
        let pairs: Vec<(&String, &String)> = h.iter().collect();
        assert_eq!(pairs.len(), 2);
        assert_eq!(
            (pairs[0].0.as_str(), pairs[1].0.as_str()),
            ("md5", "sha256")
        );
        assert_eq!(h.get("sha256").map(String::as_str), Some("c"));
        assert_eq!(h.get("blake2b"), None);
    }
}
