//! conda explicit files (CEP 23 "text spec files" with `@EXPLICIT`), format name
//! `conda-explicit`: what `conda list --explicit`, `conda-lock --kind explicit` and
//! `pixi workspace export conda-explicit-spec` write.
//!
//! This module owns the typed model of an explicit file ([`ExplicitFile`]), its parser
//! ([`parse`]: the header comments of conda, conda-lock and pixi, `@EXPLICIT`, package URLs or
//! paths with `#<md5>`, `#<sha256>` or `#sha256:<sha256>` fragments, and conda-lock's
//! `# pip name @ url#sha256=…` lines), its canonical writer ([`emit`], documented in
//! `docs/conda-explicit-format.md`) and the conversions to and from the unified
//! [`Document`](unilock_model::Document) ([`ExplicitFile::to_document`],
//! [`ExplicitFile::from_document`]). Each package's name, version, build, subdir and channel
//! come from its URL, read with `rattler_conda_types`. Comments other than the platform are not
//! kept. Files written from a lock list packages in conda's install order ([`sort_for_install`]).

mod document;
mod emit;
mod order;
mod parse;
#[cfg(test)]
mod tests;

pub use emit::emit;
pub use order::sort_for_install;
pub use parse::parse;

use unilock_model::Origin;

/// The environment name pins of an explicit file are recorded under in
/// `PinnedPackage::used_in`: the file is one environment on one platform.
pub const ENVIRONMENT: &str = "default";

/// One explicit file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExplicitFile {
    /// `# platform: SUBDIR`.
    pub platform: Option<String>,
    /// The conda packages, in install order.
    pub packages: Vec<CondaEntry>,
    /// conda-lock's `# pip name @ url` lines.
    pub pip: Vec<PipEntry>,
}

/// One package URL (or path).
#[derive(Debug, Clone, PartialEq)]
pub struct CondaEntry {
    /// The URL or path as written, without its hash fragment.
    pub url: String,
    pub md5: Option<String>,
    pub sha256: Option<String>,
    /// Name, version and build string, from the archive's file name.
    pub name: String,
    pub version: String,
    pub build: String,
    /// The subdir (`linux-64`, `noarch`), when the URL has one as the archive's folder.
    pub subdir: Option<String>,
    /// The channel: the URL up to the subdir folder.
    pub channel: Option<String>,
    pub origin: Option<Origin>,
}

/// One `# pip name @ url` line of conda-lock.
#[derive(Debug, Clone, PartialEq)]
pub struct PipEntry {
    /// The normalised PyPI name.
    pub name: String,
    /// The artifact URL without its hash fragment.
    pub url: String,
    pub sha256: Option<String>,
    pub origin: Option<Origin>,
}
