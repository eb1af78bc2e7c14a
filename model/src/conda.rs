//! Conda facts of a pinned package: what a conda lock or explicit file records about one build
//! beyond its name and version (build string and number, subdir, the MatchSpecs it depends on,
//! and the repodata facts a solver ranks builds by or a mapping needs: `track_features`, upload
//! time, license, package URLs).
//!
//! These are the fields of a conda repodata record that lock formats carry; the archive's URL,
//! hashes and size live on the package's [`PinArtifact`](crate::document::PinArtifact).

use serde::Serialize;

/// The conda record of one pinned build.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CondaRecord {
    /// The build string (`py311h64a7726_0`).
    pub build: String,
    /// The build number, where the format records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_number: Option<u64>,
    /// The channel subdir the build is from (`linux-64`, `noarch`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subdir: Option<String>,
    /// The channel (name or URL) the build is from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// `noarch` kind (`python`, `generic`), where the build is noarch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noarch: Option<String>,
    /// Run dependencies, as MatchSpecs in the form the file writes them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends: Vec<String>,
    /// Run constraints (`constrains`), as MatchSpecs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub constrains: Vec<String>,
    /// Features the build tracks; solvers prefer builds with fewer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub track_features: Vec<String>,
    /// When the build was made, in milliseconds since the Unix epoch (repodata `timestamp`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<u64>,
    /// The license as the package states it (`BSD-3-Clause`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// Package URLs of what the build contains (`pkg:pypi/numpy`): how a conda build maps to
    /// the PyPI distribution it installs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub purls: Vec<String>,
}
