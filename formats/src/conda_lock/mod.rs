//! `conda-lock.yml`, conda-lock's unified lock file (CEP 37): the typed model of everything
//! the file says, its parser ([`parse`]), its serializer in conda-lock's own layout ([`emit`])
//! and its mapping to the unified model ([`CondaLock::to_document`]).
//!
//! The file is `version: 1` (a missing `version` is the older layout, read the same way and
//! written with `version: 1`, since conda-lock refuses files without one), a `metadata`
//! mapping (content hashes per platform, channels, platforms, source files and optional
//! time, git, input and custom metadata) and a `package` list with one entry per package,
//! platform and category. conda-lock's models forbid unknown keys, and so does the parser.
//!
//! conda-lock writes the file with PyYAML (`yaml.dump(…, sort_keys=False)`) after its help
//! text; [`emit`] keeps the help text as read and writes the rest with a port of PyYAML's
//! emitter, so every file conda-lock wrote re-emits byte for byte.

mod document;
mod emit;
mod from_lock;
mod parse;
#[cfg(test)]
mod tests;

pub use emit::emit;
pub use from_lock::from_lock;
pub use parse::parse;

/// A whole `conda-lock.yml`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CondaLock {
    /// The comment lines before the first key (conda-lock's help text), as written.
    pub header: String,
    /// `version`; `None` for the older layout without one.
    pub version: Option<u64>,
    pub metadata: Metadata,
    pub packages: Vec<LockedPackage>,
}

/// The `metadata` mapping: where and how the lock was made.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Metadata {
    /// Per platform, the hash of the inputs the lock was solved from.
    pub content_hash: Vec<(String, String)>,
    pub channels: Vec<LockChannel>,
    /// The conda subdirs the lock is for.
    pub platforms: Vec<String>,
    /// The files the lock was made from, relative to the lock.
    pub sources: Vec<String>,
    /// `time_metadata.created_at` (`%Y-%m-%dT%H:%M:%SZ`).
    pub created_at: Option<String>,
    pub git: Option<GitMetadata>,
    /// `inputs_metadata`: per source file, the hashes of its content.
    pub inputs: Option<Vec<(String, InputMetadata)>>,
    /// `custom_metadata`: free-form key/value pairs.
    pub custom: Option<Vec<(String, String)>>,
}

pub use crate::conda_pins::LockChannel;

/// `git_metadata`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GitMetadata {
    pub git_user_name: Option<String>,
    pub git_user_email: Option<String>,
    pub git_sha: Option<String>,
}

/// The hashes of one input file (CEP 37 and conda-lock require both).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InputMetadata {
    pub md5: String,
    pub sha256: String,
}

/// Who installs a package: conda, or pip (from a PyPI-compatible index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Manager {
    #[default]
    Conda,
    Pip,
}

impl Manager {
    pub fn as_str(self) -> &'static str {
        match self {
            Manager::Conda => "conda",
            Manager::Pip => "pip",
        }
    }
}

/// One entry of `package`: a package pinned for one platform and one category.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LockedPackage {
    pub name: String,
    pub version: String,
    pub manager: Manager,
    /// The platform (conda subdir) the entry is for.
    pub platform: String,
    /// Dependencies by name: for conda, the rest of the MatchSpec (`'>=3.9'`, `''`); for pip,
    /// a PEP 440 specifier or `*`. In file order.
    pub dependencies: Vec<(String, String)>,
    /// Where the artifact is downloaded from.
    pub url: String,
    pub md5: Option<String>,
    pub sha256: Option<String>,
    /// `source.url` (`type: url`): the direct URL a pip package was requested by.
    pub source: Option<String>,
    /// The conda build string, where the file records it.
    pub build: Option<String>,
    /// The install group (`main`, `dev`, an extra's name).
    pub category: String,
    /// Whether the entry is only installed on request (`conda-lock install --dev`/`-e`).
    pub optional: bool,
}

/// The category every conda-lock install includes.
pub const MAIN_CATEGORY: &str = "main";
