//! The candidates of one project on one target: every version the index lists, the files of
//! each that can install it there (wheels ranked by the target's tags, sdists), and, for a
//! version none of whose files can, the reason in the target's own terms.

use crate::wheel::TagRanking;
use pep440_rs::{Version, VersionSpecifiers};
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::Arc;
use unilock_model::index::{DistFile, ProjectFiles};

/// What the candidate filter needs to know of the target and the options.
pub struct Filter<'a> {
    pub ranking: &'a TagRanking,
    /// The target's Python version (`3.11.0`), for `requires-python`.
    pub python: &'a Version,
    /// Wheels only (`--only-binary :all:`).
    pub only_binary: bool,
}

/// One version of a project and the files that install it on the target.
#[derive(Debug, Clone, Default)]
pub struct VersionFiles {
    /// Indexes into the project's files: wheels that run on the target, best tag first.
    pub wheels: Vec<usize>,
    /// Source distributions (empty under `only_binary`).
    pub sdists: Vec<usize>,
    /// Every file of the version is yanked.
    pub yanked: bool,
    /// Every file of the version, usable or not.
    pub all: Vec<usize>,
}

impl VersionFiles {
    pub fn usable(&self) -> bool {
        !self.wheels.is_empty() || !self.sdists.is_empty()
    }

    /// The file whose metadata stands for the version: the best wheel, else the first sdist.
    pub fn best(&self) -> Option<usize> {
        self.wheels.first().or(self.sdists.first()).copied()
    }
}

/// A project with its versions sorted.
#[derive(Debug)]
pub struct Project {
    pub files: Arc<ProjectFiles>,
    pub versions: BTreeMap<Version, VersionFiles>,
}

impl Project {
    pub fn new(files: Arc<ProjectFiles>, filter: &Filter) -> Project {
        let mut versions: BTreeMap<Version, VersionFiles> = BTreeMap::new();
        for (i, file) in files.files.iter().enumerate() {
            let Some((version, kind)) = version_of(&file.filename) else {
                continue;
            };
            let entry = versions.entry(version).or_default();
            entry.all.push(i);
            if !python_ok(file, filter.python) {
                continue;
            }
            match kind {
                FileKind::Wheel => {
                    if filter.ranking.rank(&file.filename).is_some() {
                        entry.wheels.push(i);
                    }
                }
                FileKind::Sdist if !filter.only_binary => entry.sdists.push(i),
                FileKind::Sdist => {}
            }
        }
        for v in versions.values_mut() {
            v.wheels
                .sort_by_key(|&i| filter.ranking.rank(&files.files[i].filename));
            v.yanked = v.all.iter().all(|&i| files.files[i].yanked.is_some());
            // Within a version partly yanked, only its files that are not yanked count.
            if !v.yanked {
                v.wheels.retain(|&i| files.files[i].yanked.is_none());
                v.sdists.retain(|&i| files.files[i].yanked.is_none());
            }
        }
        Project { files, versions }
    }

    /// The versions matching `specifiers`, as a version set over the listed versions.
    pub fn matching(&self, specifiers: &VersionSpecifiers) -> pubgrub::Ranges<Version> {
        let mut set = pubgrub::Ranges::empty();
        let mut run: Option<(&Version, &Version)> = None;
        for v in self.versions.keys() {
            if specifiers.contains(v) {
                run = Some(run.map_or((v, v), |(first, _)| (first, v)));
            } else if let Some((first, last)) = run.take() {
                set = set.union(&interval(first, last));
            }
        }
        if let Some((first, last)) = run {
            set = set.union(&interval(first, last));
        }
        set
    }
}

fn interval(first: &Version, last: &Version) -> pubgrub::Ranges<Version> {
    use std::ops::Bound::Included;
    pubgrub::Ranges::from_range_bounds((Included(first.clone()), Included(last.clone())))
}

fn python_ok(file: &DistFile, python: &Version) -> bool {
    match &file.requires_python {
        None => true,
        // An index's requires-python that does not parse is ignored, as pip and uv do.
        Some(spec) => VersionSpecifiers::from_str(spec).map_or(true, |s| s.contains(python)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Wheel,
    Sdist,
}

/// The version and kind of a distribution file, from its name; `None` for files that are
/// neither wheels nor source archives (eggs, installers) or whose version does not parse.
pub fn version_of(filename: &str) -> Option<(Version, FileKind)> {
    if let Some(stem) = filename.strip_suffix(".whl") {
        let version = stem.split('-').nth(1)?;
        return Some((Version::from_str(version).ok()?, FileKind::Wheel));
    }
    let lower = filename.to_ascii_lowercase();
    let stem_len = [".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar"]
        .iter()
        .find(|ext| lower.ends_with(*ext))
        .map(|ext| filename.len() - ext.len())?;
    let (_, version) = filename[..stem_len].rsplit_once('-')?;
    Some((Version::from_str(version).ok()?, FileKind::Sdist))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_come_from_file_names() {
        let v = |s: &str| version_of(s).map(|(v, k)| (v.to_string(), k));
        assert_eq!(
            v("numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
            Some(("2.0.0".into(), FileKind::Wheel))
        );
        assert_eq!(
            v("typing-extensions-4.12.2.tar.gz"),
            Some(("4.12.2".into(), FileKind::Sdist))
        );
        assert_eq!(
            v("Foo-1.0rc1.zip"),
            Some(("1.0rc1".into(), FileKind::Sdist))
        );
        assert_eq!(v("foo-1.0-py2.7.egg"), None);
        assert_eq!(v("foo-latest.tar.gz"), None);
    }
}
