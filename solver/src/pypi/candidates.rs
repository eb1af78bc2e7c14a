//! The candidates of one project on one target: every version the index lists, the files of
//! each that can install it there (wheels ranked by the target's tags, sdists), and, for a
//! version none of whose files can, the reason in the target's own terms. A version's
//! position in the listing, oldest first, is the candidate that stands for it in the solve's
//! version sets ([`Project::matching`], [`crate::sets::CandidateSet`]).
//!
//! A project page lists thousands of files and resolution looks at a few versions, so a
//! [`Project`] only groups file indexes by version up front (reading file names, parsing each
//! distinct version once); which of a version's files suit the target is worked out the first
//! time that version is asked about.

use crate::sets::CandidateSet;
use crate::wheel::TagRanking;
use pep440_rs::{Version, VersionSpecifiers};
use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;
use unilock_model::index::{DistName, FileKind, ProjectFiles};

/// What the candidate filter needs to know of the target and the options.
pub struct Filter {
    pub ranking: TagRanking,
    /// The target's Python version (`3.11.0`), for `requires-python`.
    pub python: Version,
    /// `--only-binary`, `--no-binary` and `--prefer-binary`.
    pub binary: super::BinaryPolicy,
}

/// One version of a project and the files that install it on the target.
#[derive(Debug, Clone, Default)]
pub struct VersionFiles {
    /// Indexes into the project's files: wheels that run on the target, best tag first.
    pub wheels: Vec<usize>,
    /// Source distributions (empty when `--only-binary` covers the package).
    pub sdists: Vec<usize>,
    /// Every file of the version is yanked.
    pub yanked: bool,
    /// Every file of the version, usable or not.
    pub all: Vec<usize>,
    /// When the version installs from an sdist only: a wheel of it for another platform or
    /// Python, whose metadata stands for the sdist's (uv's assumption: every file of a
    /// version has the same dependencies), so that knowing them needs no build.
    pub stand_in: Option<usize>,
}

impl VersionFiles {
    pub fn usable(&self) -> bool {
        !self.wheels.is_empty() || !self.sdists.is_empty()
    }

    /// The file whose metadata stands for the version: the best wheel, else a wheel of the
    /// version for another target ([`Self::stand_in`]), else the first sdist.
    pub fn best(&self) -> Option<usize> {
        self.wheels
            .first()
            .copied()
            .or_else(|| self.sdists.first().and(self.stand_in))
            .or(self.sdists.first().copied())
    }
}

/// A project with its versions sorted.
pub struct Project {
    pub files: Arc<ProjectFiles>,
    filter: Arc<Filter>,
    /// The files the binary policy allows for this project.
    formats: super::Formats,
    /// Every listed version, oldest first: the solve's candidates are positions in this list.
    versions: Vec<Version>,
    /// For each listed version (same position): the indexes of its files, and what they
    /// offer the target once asked.
    files_of: Vec<(Vec<usize>, OnceCell<VersionFiles>)>,
}

impl std::fmt::Debug for Project {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Project")
            .field("name", &self.files.name)
            .field("versions", &self.versions.len())
            .finish()
    }
}

impl Project {
    pub fn new(files: Arc<ProjectFiles>, filter: Arc<Filter>) -> Project {
        // Files of one version are mostly adjacent on a page, so a run of one version string
        // is grouped without a lookup.
        let mut by_text: Vec<(&str, Vec<usize>)> = Vec::new();
        let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for i in 0..files.files.len() {
            let Some(DistName { version: text, .. }) = DistName::parse(files.files.filename(i))
            else {
                continue;
            };
            match by_text.last_mut() {
                Some((last, list)) if *last == text => list.push(i),
                _ => match index.get(text) {
                    Some(&at) => by_text[at].1.push(i),
                    None => {
                        index.insert(text, by_text.len());
                        by_text.push((text, vec![i]));
                    }
                },
            }
        }
        let mut by_version: BTreeMap<Version, Vec<usize>> = BTreeMap::new();
        for (text, list) in by_text {
            let Ok(version) = Version::from_str(text) else {
                continue;
            };
            by_version.entry(version).or_default().extend(list);
        }
        let mut versions = Vec::with_capacity(by_version.len());
        let mut files_of = Vec::with_capacity(by_version.len());
        for (version, mut all) in by_version {
            all.sort_unstable();
            versions.push(version);
            files_of.push((all, OnceCell::new()));
        }
        let formats = filter.binary.formats(&files.name);
        Project {
            files,
            filter,
            formats,
            versions,
            files_of,
        }
    }

    /// The target's tags and options the project's files are sorted out by.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// The files the binary policy allows for this project.
    pub fn formats(&self) -> super::Formats {
        self.formats
    }

    /// Every listed version, oldest first.
    pub fn versions(&self) -> impl DoubleEndedIterator<Item = &Version> + ExactSizeIterator {
        self.versions.iter()
    }

    /// Every listed version, oldest first, with its position: the candidate that stands for it
    /// in the solve's version sets.
    pub fn candidates(&self) -> impl DoubleEndedIterator<Item = (u32, &Version)> {
        // A listing has far fewer than 2^32 versions.
        self.versions.iter().enumerate().map(|(i, v)| (i as u32, v))
    }

    /// The position of `version` in the listing (its candidate).
    pub fn position(&self, version: &Version) -> Option<u32> {
        let at = self.versions.binary_search(version).ok()?;
        u32::try_from(at).ok()
    }

    /// The listed version at position `candidate`.
    pub fn version(&self, candidate: u32) -> Option<&Version> {
        self.versions.get(usize::try_from(candidate).ok()?)
    }

    /// The files of `version` that install it on the target.
    pub fn get(&self, version: &Version) -> Option<&VersionFiles> {
        let at = self.versions.binary_search(version).ok()?;
        let (all, cell) = self.files_of.get(at)?;
        Some(cell.get_or_init(|| self.classify(all)))
    }

    fn classify(&self, all: &[usize]) -> VersionFiles {
        let files = &self.files.files;
        let filter = &self.filter;
        let mut out = VersionFiles {
            all: all.to_vec(),
            ..VersionFiles::default()
        };
        // The files of a version mostly share one `requires-python`: parse each text once.
        let mut python: Vec<(&str, bool)> = Vec::new();
        let mut ranked = Vec::new();
        for &i in all {
            if let Some(spec) = files.requires_python(i) {
                let ok = match python.iter().find(|(s, _)| *s == spec) {
                    Some(&(_, ok)) => ok,
                    None => {
                        // An index's requires-python that does not parse is ignored, as pip
                        // and uv do.
                        let ok = VersionSpecifiers::from_str(spec)
                            .map_or(true, |s| s.contains(&filter.python));
                        python.push((spec, ok));
                        ok
                    }
                };
                if !ok {
                    continue;
                }
            }
            let name = files.filename(i);
            match DistName::parse(name).map(|n| n.kind) {
                Some(FileKind::Wheel) if self.formats.wheels => {
                    if let Some(rank) = filter.ranking.rank(name) {
                        ranked.push((rank, i));
                    }
                }
                Some(FileKind::Sdist) if self.formats.sdists => out.sdists.push(i),
                _ => {}
            }
        }
        ranked.sort_by_key(|&(rank, _)| rank);
        out.wheels = ranked.into_iter().map(|(_, i)| i).collect();
        out.yanked = all.iter().all(|&i| files.is_yanked(i));
        // Within a version partly yanked, only its files that are not yanked count.
        if !out.yanked {
            out.wheels.retain(|&i| !files.is_yanked(i));
            out.sdists.retain(|&i| !files.is_yanked(i));
        }
        if out.wheels.is_empty() && !out.sdists.is_empty() {
            out.stand_in = all.iter().copied().find(|&i| {
                (out.yanked || !files.is_yanked(i))
                    && matches!(
                        DistName::parse(files.filename(i)).map(|n| n.kind),
                        Some(FileKind::Wheel)
                    )
            });
        }
        out
    }

    /// The files resolution is most likely to choose, for fetching their metadata ahead: the
    /// best file of the newest version that is neither yanked nor (unless `pre`) a
    /// pre-release and installs on the target (under `--prefer-binary`, the newest with a
    /// wheel for it, when one has), and that of `preferred` (a version an existing lock pins)
    /// when it is listed.
    pub fn likely(&self, pre: bool, preferred: Option<&Version>) -> Vec<usize> {
        let candidates = || {
            self.versions()
                .rev()
                .filter(|v| pre || !v.any_prerelease())
                .filter_map(|v| self.get(v))
                .filter(|f| f.usable() && !f.yanked)
        };
        let newest = self
            .filter
            .binary
            .prefer_binary
            .then(|| candidates().find(|f| !f.wheels.is_empty()))
            .flatten()
            .or_else(|| candidates().next())
            .and_then(VersionFiles::best);
        let pinned = preferred
            .and_then(|v| self.get(v))
            .and_then(VersionFiles::best);
        let mut out: Vec<usize> = newest.into_iter().collect();
        out.extend(pinned.filter(|p| Some(*p) != newest));
        out
    }

    /// The versions matching `specifiers`, as a set of candidates (positions in the listing):
    /// the runs of consecutive listed versions it contains.
    pub fn matching(&self, specifiers: &VersionSpecifiers) -> CandidateSet {
        let mut set = CandidateSet::empty();
        let mut run: Option<(u32, u32)> = None;
        for (i, v) in self.candidates() {
            if specifiers.contains(v) {
                run = Some(run.map_or((i, i), |(first, _)| (first, i)));
            } else if let Some((first, last)) = run.take() {
                set = set.union(&CandidateSet::run(first, last));
            }
        }
        if let Some((first, last)) = run {
            set = set.union(&CandidateSet::run(first, last));
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_group_by_version_however_spelled_and_are_sorted_out_when_asked() {
        use unilock_model::target::{NoEnvironment, Target};
        let target = Target::parse("linux-64,python=3.11", &NoEnvironment).unwrap();
        let names = [
            "a-1.0-py3-none-any.whl",
            "a-2.0-cp311-cp311-manylinux_2_17_x86_64.whl",
            "a-1.0.0.tar.gz",
            "a-2.0-py3-none-any.whl",
            "a-2.0-cp312-cp312-manylinux_2_17_x86_64.whl",
            "a-3.0-py3-none-any.whl",
            "a-1.0-py2-none-any.whl",
            "a-latest.zip",
        ];
        let mut files: Vec<unilock_model::index::DistFile> = names
            .iter()
            .map(|n| unilock_model::index::DistFile {
                filename: n.to_string(),
                ..Default::default()
            })
            .collect();
        files[5].requires_python = Some(">=3.12".into());
        files[6].yanked = Some(String::new());
        let project = Project::new(
            Arc::new(ProjectFiles {
                files: files.into(),
                ..ProjectFiles::default()
            }),
            Arc::new(Filter {
                ranking: TagRanking::new(&target),
                python: "3.11.0".parse().unwrap(),
                binary: Default::default(),
            }),
        );
        let listed: Vec<String> = project.versions().map(ToString::to_string).collect();
        assert_eq!(listed, ["1.0", "2.0", "3.0"]);
        let one = project.get(&"1".parse().unwrap()).unwrap();
        assert_eq!(
            (one.all.as_slice(), one.wheels.as_slice()),
            (&[0, 2, 6][..], &[0][..])
        );
        assert_eq!((one.sdists.as_slice(), one.yanked), (&[2][..], false));
        let two = project.get(&"2.0".parse().unwrap()).unwrap();
        assert_eq!(two.wheels, [1, 3], "the platform wheel ranks first");
        let three = project.get(&"3.0".parse().unwrap()).unwrap();
        assert!(!three.usable(), "requires Python 3.12");
        assert!(project.get(&"4.0".parse().unwrap()).is_none());
    }
}
