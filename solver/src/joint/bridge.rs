//! The bridge between the two ecosystems: which PyPI distributions a conda build installs,
//! and the candidates of a PyPI distribution in the joint solve — the versions the indexes
//! list and the versions conda packages install it at.
//!
//! A PyPI distribution's candidates ([`Dist`]) are sorted newest first; at one version, the
//! conda candidates come before the index one. A version set over them is a `CandidateSet` of
//! positions, as for conda builds. A conda candidate stands for "installed by conda package P
//! at version V": its only dependency is P at the builds of V, and each of those builds
//! depends on it, so a distribution never comes from both sides and a PyPI requirement on it
//! constrains the conda package in the same run.
//!
//! Names come from [`unilock_model::conda_pypi`]: the record's `purls` when it has them, else
//! the bundled conda-forge table, else the same name.

use crate::conda::candidates::{Candidate, Candidates, indices_to_ranges};
use crate::sets::CandidateSet;
use pep440_rs::{Version, VersionSpecifiers};
use std::collections::BTreeMap;
use std::str::FromStr;

/// One candidate of a PyPI distribution.
#[derive(Debug, Clone)]
pub enum PyCandidate {
    /// A version the indexes list.
    Index(Version),
    /// Installed by a conda package at one version.
    Conda {
        /// The conda package's normalised name.
        package: String,
        /// The conda version read as PEP 440; `None` when it cannot be (then only a
        /// requirement without a version accepts it).
        version: Option<Version>,
        /// The conda version as the channel writes it.
        text: String,
        /// The package's candidates (builds) of that version.
        builds: CandidateSet,
    },
}

impl PyCandidate {
    pub fn version(&self) -> Option<&Version> {
        match self {
            PyCandidate::Index(v) => Some(v),
            PyCandidate::Conda { version, .. } => version.as_ref(),
        }
    }

    /// The version as shown: `2.1.3`, or `2.1.3 (conda package numpy)`.
    pub fn describe(&self) -> String {
        match self {
            PyCandidate::Index(v) => v.to_string(),
            PyCandidate::Conda { package, text, .. } => format!("{text} (conda package {package})"),
        }
    }

    fn accepts(&self, wanted: &[VersionSpecifiers]) -> bool {
        match self.version() {
            Some(v) => wanted.iter().all(|s| s.contains(v)),
            None => wanted.iter().all(|s| s.is_empty()),
        }
    }
}

/// The candidates of one PyPI distribution in the joint solve: the conda packages' versions
/// first, then (once a PyPI requirement reaches the distribution) the index's, each part
/// newest first. The index's part is appended, never interleaved, so that positions already
/// handed to the solver keep their meaning and a distribution only conda installs never
/// costs an index request.
#[derive(Debug, Clone, Default)]
pub struct Dist {
    pub list: Vec<PyCandidate>,
    /// How many of the first candidates are conda ones.
    pub conda_count: usize,
    /// Whether the index's versions were added.
    pub has_index: bool,
}

impl Dist {
    /// The conda packages' candidates (`conda`: package name, its candidates, and which of
    /// them install the distribution), newest first.
    pub fn new(conda: &[(String, &Candidates, Vec<u32>)]) -> Dist {
        let mut list: Vec<PyCandidate> = Vec::new();
        for (package, candidates, installing) in conda {
            let mut by_version: BTreeMap<String, Vec<u32>> = BTreeMap::new();
            for &i in installing {
                if let Some(Candidate::Build(b)) = candidates.get(i) {
                    let text = b.record.package_record.version.to_string();
                    by_version.entry(text).or_default().push(i);
                }
            }
            for (text, builds) in by_version {
                list.push(PyCandidate::Conda {
                    package: package.clone(),
                    version: pep440_of(&text),
                    text,
                    builds: indices_to_ranges(builds.into_iter()),
                });
            }
        }
        // Newest first; a version that cannot be read as PEP 440 last.
        list.sort_by(|a, b| match (a.version(), b.version()) {
            (Some(x), Some(y)) => y.cmp(x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        Dist {
            conda_count: list.len(),
            list,
            has_index: false,
        }
    }

    /// The same candidates with the index's `versions` appended, newest first.
    pub fn with_index<'a>(&self, versions: impl DoubleEndedIterator<Item = &'a Version>) -> Dist {
        let mut list = self.list.clone();
        list.extend(versions.rev().cloned().map(PyCandidate::Index));
        Dist {
            list,
            conda_count: self.conda_count,
            has_index: true,
        }
    }

    pub fn get(&self, index: u32) -> Option<&PyCandidate> {
        self.list.get(index as usize)
    }

    /// The position of the index's candidate for `version` (a binary search: the index's
    /// part is sorted newest first).
    pub fn index_position(&self, version: &Version) -> Option<u32> {
        let index_part = self.list.get(self.conda_count..)?;
        let at = index_part
            .binary_search_by(|c| match c {
                PyCandidate::Index(x) => version.cmp(x),
                PyCandidate::Conda { .. } => std::cmp::Ordering::Less,
            })
            .ok()?;
        u32::try_from(self.conda_count + at).ok()
    }

    /// The candidates every specifier set of `wanted` accepts.
    pub fn matching(&self, wanted: &[VersionSpecifiers]) -> CandidateSet {
        indices_to_ranges(
            self.list
                .iter()
                .enumerate()
                .filter(|(_, c)| c.accepts(wanted))
                .map(|(i, _)| i as u32),
        )
    }

    /// Only the index's candidates (a distribution required by URL is never a conda one).
    pub fn index_only(&self) -> CandidateSet {
        CandidateSet::at_least(self.conda_count as u32)
    }

    /// The position of the conda candidate of `package` at version `text`.
    pub fn conda_candidate(&self, package: &str, text: &str) -> Option<u32> {
        self.list.iter().position(|c| {
            matches!(c, PyCandidate::Conda { package: p, text: t, .. } if p == package && t == text)
        }).map(|i| i as u32)
    }

    /// How many candidates `range` holds.
    pub fn count_in(&self, range: &CandidateSet) -> usize {
        (0..self.list.len() as u32)
            .filter(|i| range.contains(*i))
            .count()
    }

    /// The candidates of `range`, in words: versions newest first, shortened past a few.
    pub fn describe(&self, range: &CandidateSet) -> String {
        let mut held: Vec<&PyCandidate> = (0..self.list.len() as u32)
            .filter(|i| range.contains(*i))
            .filter_map(|i| self.get(i))
            .collect();
        held.sort_by(|a, b| b.version().cmp(&a.version()));
        let shown: Vec<String> = held.iter().map(|c| c.describe()).collect();
        match shown.len() {
            0 => "(no version)".to_string(),
            1..=3 => shown.join(", "),
            n => format!(
                "{} to {} ({n} versions)",
                shown[n - 1].split(' ').next().unwrap_or_default(),
                shown[0].split(' ').next().unwrap_or_default()
            ),
        }
    }
}

/// A conda version read as PEP 440, when it reads as one.
pub fn pep440_of(conda_version: &str) -> Option<Version> {
    Version::from_str(conda_version).ok()
}

/// The channel's short name (`conda-forge`) from how a record names it: a name, or a URL
/// whose last path segment is the name.
pub fn channel_name(channel: Option<&str>) -> &str {
    let Some(c) = channel else { return "" };
    c.trim_end_matches('/').rsplit('/').next().unwrap_or(c)
}

/// The PyPI distributions (normalised names) the build `candidate` installs.
pub fn installs(conda_name: &str, candidate: &Candidate) -> Vec<String> {
    let Candidate::Build(b) = candidate else {
        return Vec::new();
    };
    let record = &b.record;
    let purls: Vec<String> = record
        .package_record
        .purls
        .iter()
        .flatten()
        .map(ToString::to_string)
        .collect();
    unilock_model::conda_pypi::pypi_distributions(
        conda_name,
        channel_name(record.channel.as_deref()),
        &purls,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_index_version_is_found_at_its_position_after_the_conda_candidates() {
        let conda = Dist {
            list: vec![PyCandidate::Conda {
                package: "numpy".into(),
                version: pep440_of("2.1.3"),
                text: "2.1.3".into(),
                builds: CandidateSet::singleton(0),
            }],
            conda_count: 1,
            has_index: false,
        };
        let listed: Vec<Version> = ["1.0", "1.5", "2.0", "2.1.3", "3.0rc1"]
            .iter()
            .map(|v| v.parse().unwrap())
            .collect();
        let dist = conda.with_index(listed.iter());
        for v in &listed {
            let scanned = dist
                .list
                .iter()
                .position(|c| matches!(c, PyCandidate::Index(x) if x == v));
            assert_eq!(dist.index_position(v), scanned.map(|i| i as u32), "{v}");
        }
        // 2.1.3 is also a conda candidate (position 0): the index's is the one found.
        assert_eq!(dist.index_position(&"2.1.3".parse().unwrap()), Some(2));
        assert_eq!(dist.index_position(&"1.2".parse().unwrap()), None);
        assert_eq!(conda.index_position(&"2.1.3".parse().unwrap()), None);
    }
}
