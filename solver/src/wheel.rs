//! Wheel compatibility: does a wheel run on a target, and how well does it fit?
//!
//! A wheel file name carries a compressed tag set (`cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64`,
//! `py2.py3-none-any`). A wheel fits a target when any of its tags is among the target's wheel
//! tags; its rank is the position of its best tag in the target's ordered list (lower is
//! better), which is how candidates of one version are ordered. [`TagParts`] takes the
//! target's tags apart (interpreters, platforms) so that an explanation can say which part of
//! a wheel's tag does not fit.

use std::collections::{HashMap, HashSet};
use unilock_model::Target;

/// The ranks of a target's wheel tags, for fast lookup.
#[derive(Debug, Clone)]
pub struct TagRanking {
    ranks: HashMap<String, usize>,
}

/// The compressed tag set of a wheel file name: its Python, ABI and platform tags, each
/// possibly several joined by dots (`py2.py3`, `manylinux_2_17_x86_64.manylinux2014_x86_64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WheelTags<'a> {
    pub pythons: &'a str,
    pub abis: &'a str,
    pub platforms: &'a str,
}

impl<'a> WheelTags<'a> {
    /// The tags of a wheel file name (`name-version[-build]-python-abi-platform.whl`), or
    /// `None` when it is not one.
    pub fn of(filename: &'a str) -> Option<Self> {
        let stem = filename.strip_suffix(".whl")?;
        let mut parts = stem.rsplitn(4, '-');
        let (platforms, abis, pythons, rest) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if !(1..=2).contains(&rest.matches('-').count()) {
            return None;
        }
        Some(WheelTags {
            pythons,
            abis,
            platforms,
        })
    }

    /// Every `(python, abi, platform)` triple the set stands for.
    pub fn expand(&self) -> impl Iterator<Item = (&'a str, &'a str, &'a str)> + '_ {
        self.pythons.split('.').flat_map(move |py| {
            self.abis
                .split('.')
                .flat_map(move |abi| self.platforms.split('.').map(move |plat| (py, abi, plat)))
        })
    }
}

/// A target's wheel tags taken apart, for saying which part of a wheel's tag does not fit:
/// the `python-abi` pairs it runs with some platform, and the platforms it runs with some
/// interpreter.
#[derive(Debug, Clone)]
pub struct TagParts {
    interpreters: HashSet<String>,
    platforms: HashSet<String>,
}

impl TagParts {
    pub fn new(target: &Target) -> Self {
        let mut interpreters = HashSet::new();
        let mut platforms = HashSet::new();
        for tag in target.wheel_tags() {
            let mut parts = tag.splitn(3, '-');
            if let (Some(py), Some(abi), Some(plat)) = (parts.next(), parts.next(), parts.next()) {
                interpreters.insert(format!("{py}-{abi}"));
                platforms.insert(plat.to_string());
            }
        }
        TagParts {
            interpreters,
            platforms,
        }
    }

    /// Whether the target runs wheels of this Python and ABI tag (on some platform).
    pub fn interpreter_fits(&self, python: &str, abi: &str) -> bool {
        self.interpreters
            .contains(&format!("{python}-{abi}").to_ascii_lowercase())
    }

    /// Whether the target runs wheels of this platform tag (with some interpreter).
    pub fn platform_fits(&self, platform: &str) -> bool {
        self.platforms.contains(&platform.to_ascii_lowercase())
    }
}

impl TagRanking {
    pub fn new(target: &Target) -> Self {
        let mut ranks = HashMap::new();
        for (rank, tag) in target.wheel_tags().into_iter().enumerate() {
            ranks.entry(tag).or_insert(rank);
        }
        TagRanking { ranks }
    }

    /// The rank of the best tag of `filename` on the target, or `None` if the wheel does not
    /// run there (or the name is not a wheel name).
    pub fn rank(&self, filename: &str) -> Option<usize> {
        let WheelTags {
            pythons,
            abis,
            platforms,
        } = WheelTags::of(filename)?;
        let stem_len = filename.len();
        // Called for every wheel of every version considered: one buffer for all the tags.
        let mut tag = String::with_capacity(stem_len);
        let mut best = None;
        for py in pythons.split('.') {
            for abi in abis.split('.') {
                for plat in platforms.split('.') {
                    tag.clear();
                    for part in [py, "-", abi, "-", plat] {
                        tag.push_str(part);
                    }
                    tag.make_ascii_lowercase();
                    if let Some(&r) = self.ranks.get(&tag) {
                        best = Some(best.map_or(r, |b: usize| b.min(r)));
                    }
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unilock_model::target::NoEnvironment;

    fn ranking(spec: &str) -> TagRanking {
        TagRanking::new(&Target::parse(spec, &NoEnvironment).unwrap())
    }

    #[test]
    fn wheel_names_with_and_without_a_build_tag_are_read() {
        let t = ranking("linux-64,python=3.11");
        assert!(t.rank("a-1.0-py3-none-any.whl").is_some());
        assert!(t.rank("a-1.0-1build-py3-none-any.whl").is_some());
        assert!(t.rank("A-1.0-PY3-NONE-ANY.whl").is_some());
        assert_eq!(t.rank("a-1.0-2-3-py3-none-any.whl"), None);
        assert_eq!(t.rank("a-py3-none-any.whl"), None);
        assert_eq!(t.rank("a-1.0-py3-none-any.tar.gz"), None);
        assert_eq!(t.rank("a-1.0-cp312-cp312-win_amd64.whl"), None);
    }

    #[test]
    fn glibc_decides_which_manylinux_wheels_run() {
        let centos7 = ranking("centos7,python=3.11");
        let wheel_228 = "opencv_python-4.10.0.84-cp37-abi3-manylinux_2_28_x86_64.whl";
        let wheel_2014 = "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl";
        assert_eq!(centos7.rank(wheel_228), None);
        assert!(centos7.rank(wheel_2014).is_some());
        let rhel8 = ranking("rhel8,python=3.11");
        assert!(rhel8.rank(wheel_228).is_some());
    }

    #[test]
    fn specific_wheels_rank_before_generic_ones() {
        let t = ranking("linux-aarch64,python=3.12");
        let native = t
            .rank("numpy-2.0.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl")
            .unwrap();
        let abi3 = t
            .rank("cryptography-43.0.0-cp39-abi3-manylinux_2_28_aarch64.whl")
            .unwrap();
        let pure = t.rank("six-1.16.0-py2.py3-none-any.whl").unwrap();
        assert!(native < abi3 && abi3 < pure);
        assert_eq!(
            t.rank("numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
            None
        );
        assert_eq!(t.rank("not-a-wheel.tar.gz"), None);
    }
}
