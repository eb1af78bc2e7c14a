//! Wheel compatibility: does a wheel run on a target, and how well does it fit?
//!
//! A wheel file name carries a compressed tag set (`cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64`,
//! `py2.py3-none-any`). A wheel fits a target when any of its tags is among the target's wheel
//! tags; its rank is the position of its best tag in the target's ordered list (lower is
//! better), which is how candidates of one version are ordered.

use std::collections::HashMap;
use unilock_model::Target;

/// The ranks of a target's wheel tags, for fast lookup.
#[derive(Debug, Clone)]
pub struct TagRanking {
    ranks: HashMap<String, usize>,
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
        let stem = filename.strip_suffix(".whl")?;
        let parts: Vec<&str> = stem.split('-').collect();
        // name-version[-build]-python-abi-platform
        if parts.len() < 5 || parts.len() > 6 {
            return None;
        }
        let n = parts.len();
        let (pythons, abis, platforms) = (parts[n - 3], parts[n - 2], parts[n - 1]);
        let mut best = None;
        for py in pythons.split('.') {
            for abi in abis.split('.') {
                for plat in platforms.split('.') {
                    let tag = format!("{py}-{abi}-{plat}").to_ascii_lowercase();
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
