//! The candidates of one conda package: its builds in preference order, or the target's one
//! virtual package, plus the "absent" candidate; and the sets of candidates a MatchSpec
//! selects, as ranges of candidate indices.
//!
//! A candidate index is a position in the sorted list (0 is the most preferred build);
//! [`ABSENT`] stands for "the package is not installed". A MatchSpec's set is exactly the
//! candidates rattler's `MatchSpec::matches` accepts (version, build glob, build number,
//! bracket keys), narrowed to a channel's builds for `channel::name` and to a subdir for
//! `channel/subdir::name`; so the solver never re-implements conda's matching.

use crate::sets::CandidateSet;
use rattler_conda_types::version_spec::{
    EqualityOperator, LogicalOperator, RangeOperator, StrictRangeOperator,
};
use rattler_conda_types::{
    GenericVirtualPackage, MatchSpec, Matches, PackageNameMatcher, ParseMatchSpecOptions,
    RepoDataRecord, Version, VersionSpec,
};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};
use unilock_model::channel::ChannelRecord;

/// The candidate index that stands for "not installed": the last index, so that every real
/// build sorts before it.
pub const ABSENT: u32 = u32::MAX;

/// One candidate of a package.
#[derive(Debug, Clone)]
pub enum Candidate {
    /// A build from a channel.
    Build(Box<ChannelRecord>),
    /// The target's virtual package of that name.
    Virtual(GenericVirtualPackage),
}

impl Candidate {
    pub fn version(&self) -> String {
        match self {
            Candidate::Build(b) => b.record.package_record.version.to_string(),
            Candidate::Virtual(v) => v.version.to_string(),
        }
    }

    pub fn build(&self) -> &str {
        match self {
            Candidate::Build(b) => b.record.package_record.build.as_str(),
            Candidate::Virtual(v) => v.build_string.as_str(),
        }
    }

    fn matches(&self, spec: &MatchSpec) -> bool {
        match self {
            Candidate::Build(b) => {
                spec.matches(&b.record)
                    && spec
                        .subdir
                        .as_ref()
                        .is_none_or(|s| *s == b.record.package_record.subdir)
            }
            Candidate::Virtual(v) => spec.matches(v),
        }
    }
}

/// The candidates of one package name, most preferred first.
#[derive(Debug)]
pub struct Candidates {
    pub list: Vec<Candidate>,
    /// A virtual package (`__glibc`): its one candidate is the target's, never a channel's.
    pub is_virtual: bool,
}

/// Preference order of builds: builds without `track_features` before tracked ones (as conda,
/// mamba and resolvo de-prioritise them: conda-forge tracks its non-default variants, such as
/// the openblas libblas on Windows), then highest version, then higher build number, then
/// fewer `track_features`, then the better-ranked channel, then the newer build; `.conda`
/// archives before `.tar.bz2` and the file name last, so that the order is total and
/// reproducible.
pub fn preference(a: &ChannelRecord, b: &ChannelRecord) -> Ordering {
    let (ra, rb) = (&a.record.package_record, &b.record.package_record);
    let tracked = |r: &rattler_conda_types::PackageRecord| !r.track_features.is_empty();
    tracked(ra)
        .cmp(&tracked(rb))
        .then(rb.version.cmp(&ra.version))
        .then(rb.build_number.cmp(&ra.build_number))
        .then(ra.track_features.len().cmp(&rb.track_features.len()))
        .then(a.channel_rank.cmp(&b.channel_rank))
        .then(rb.timestamp.cmp(&ra.timestamp))
        .then(is_tar_bz2(&a.record).cmp(&is_tar_bz2(&b.record)))
        .then(a.record.url.as_str().cmp(b.record.url.as_str()))
}

fn is_tar_bz2(r: &RepoDataRecord) -> bool {
    r.url.as_str().ends_with(".tar.bz2")
}

/// What a build's `depends` ask at least of each package (`python >=3.12,<3.13.0a0` asks at
/// least python 3.12), sorted by name, the higher version first: the tie-break between builds
/// of one version and build number. Compared as a list over the packages every build of the
/// group names, the build asking for newer versions of the first such package comes first
/// (the `py313` build of numpy before the `py312` one, so that the newest Python wins when
/// nothing else decides, as conda's and resolvo's solvers prefer); the comparison is a total
/// order whatever the records say.
type Floors = Vec<(String, std::cmp::Reverse<Version>)>;

fn floors(record: &ChannelRecord) -> Floors {
    let mut out: Floors = record
        .record
        .package_record
        .depends
        .iter()
        .filter_map(|text| {
            let spec = MatchSpec::from_str(text, ParseMatchSpecOptions::lenient()).ok()?;
            let name = match &spec.name {
                PackageNameMatcher::Exact(n) => n.as_normalized().to_string(),
                _ => return None,
            };
            Some((name, std::cmp::Reverse(floor(spec.version.as_ref()?)?)))
        })
        .collect();
    out.sort();
    out
}

/// The lowest version `spec` allows, when it says one.
fn floor(spec: &VersionSpec) -> Option<Version> {
    match spec {
        VersionSpec::Range(RangeOperator::GreaterEquals | RangeOperator::Greater, v)
        | VersionSpec::Exact(EqualityOperator::Equals, v) => Some(v.clone()),
        VersionSpec::StrictRange(
            StrictRangeOperator::StartsWith | StrictRangeOperator::Compatible,
            v,
        ) => Some(v.as_ref().clone()),
        VersionSpec::Group(LogicalOperator::And, list) => list.iter().filter_map(floor).max(),
        VersionSpec::Group(LogicalOperator::Or, list) => {
            let all: Option<Vec<Version>> = list.iter().map(floor).collect();
            all?.into_iter().min()
        }
        _ => None,
    }
}

/// Whether two builds tie on everything [`Floors`] come after.
fn same_rank(a: &ChannelRecord, b: &ChannelRecord) -> bool {
    let (ra, rb) = (&a.record.package_record, &b.record.package_record);
    ra.track_features.len() == rb.track_features.len()
        && ra.version == rb.version
        && ra.build_number == rb.build_number
}

impl Candidates {
    /// Builds of one name, sorted by [`preference`], builds that tie on version, build number
    /// and `track_features` then by their [`Floors`]; the same file listed twice is kept once.
    pub fn builds(mut records: Vec<ChannelRecord>) -> Self {
        records.sort_by(preference);
        let mut start = 0;
        while start < records.len() {
            let mut end = start + 1;
            while end < records.len() && same_rank(&records[start], &records[end]) {
                end += 1;
            }
            if end - start > 1 {
                let group = &mut records[start..end];
                let all: Vec<Floors> = group.iter().map(floors).collect();
                // Compared on the packages every build of the group names: a variant that
                // also needs icu is neither before nor after one that does not for that (the
                // rest of `preference`, the newer build first, decides), as resolvo orders.
                let common = |name: &str| all.iter().all(|f| f.iter().any(|(n, _)| n == name));
                let keys: Vec<Floors> = all
                    .iter()
                    .map(|f| f.iter().filter(|(n, _)| common(n)).cloned().collect())
                    .collect();
                let mut order: Vec<usize> = (0..group.len()).collect();
                // Stable: the rest of `preference` still orders builds with equal keys.
                order.sort_by(|&x, &y| keys[x].cmp(&keys[y]));
                let sorted: Vec<ChannelRecord> = order.iter().map(|&i| group[i].clone()).collect();
                group.clone_from_slice(&sorted);
            }
            start = end;
        }
        let mut seen = HashSet::new();
        records.retain(|r| seen.insert(r.record.url.to_string()));
        Candidates {
            list: records
                .into_iter()
                .map(|r| Candidate::Build(Box::new(r)))
                .collect(),
            is_virtual: false,
        }
    }

    /// A virtual package: the target's one, or no candidate when the target lacks it.
    pub fn virtual_package(package: Option<GenericVirtualPackage>) -> Self {
        Candidates {
            list: package.into_iter().map(Candidate::Virtual).collect(),
            is_virtual: true,
        }
    }

    pub fn get(&self, index: u32) -> Option<&Candidate> {
        self.list.get(index as usize)
    }

    /// Every candidate `spec` matches, restricted to the files of `only` when given (the
    /// builds of the one channel a `channel::name` spec names). [`ABSENT`] is not included.
    pub fn matching(&self, spec: &MatchSpec, only: Option<&HashSet<String>>) -> CandidateSet {
        indices_to_ranges(self.list.iter().enumerate().filter_map(|(i, c)| {
            let allowed = match (c, only) {
                (Candidate::Build(b), Some(urls)) => urls.contains(b.record.url.as_str()),
                _ => true,
            };
            (allowed && c.matches(spec)).then_some(i as u32)
        }))
    }

    /// The candidates of `range`, in preference order, without [`ABSENT`].
    pub fn in_range<'a>(
        &'a self,
        range: &'a CandidateSet,
    ) -> impl Iterator<Item = (u32, &'a Candidate)> + 'a {
        self.list
            .iter()
            .enumerate()
            .map(|(i, c)| (i as u32, c))
            .filter(|(i, _)| range.contains(*i))
    }

    /// The most preferred candidate index in `range` (not [`ABSENT`]).
    pub fn first_in(&self, range: &CandidateSet) -> Option<u32> {
        let len = self.list.len() as u32;
        range
            .runs()
            .map(|(first, _)| first)
            .next()
            .filter(|first| *first < len)
    }

    /// How many real candidates `range` holds, counted over its runs.
    pub fn count_in(&self, range: &CandidateSet) -> usize {
        let len = self.list.len() as u64;
        let mut count = 0;
        for (first, end) in range.runs() {
            let end = end.map_or(len, u64::from).min(len);
            count += end.saturating_sub(u64::from(first));
        }
        count as usize
    }

    /// `range` in words: real versions and build strings grouped by version for one or two
    /// versions (`1.26.4 (py311h64a7726_0, py312heda63a1_0), 1.26.3 (…)`), the span for more
    /// (`2.1.0 to 2.4.2 (14 versions, 15 builds, builds py311h*)`), "not installed" for
    /// [`ABSENT`].
    pub fn describe(&self, range: &CandidateSet) -> String {
        let absent = range.contains(ABSENT);
        let chosen = self.count_in(range);
        if chosen > 0 && chosen == self.list.len() {
            return if absent {
                "(any build, or not installed)".into()
            } else {
                "(any build)".into()
            };
        }
        self.list_builds(range)
    }

    /// Every candidate, as [`Candidates::describe`] lists them: what the channels hold.
    pub fn holdings(&self) -> String {
        self.list_builds(&CandidateSet::between(0u32, self.list.len() as u32))
    }

    fn list_builds(&self, range: &CandidateSet) -> String {
        const VERSIONS: usize = 2;
        const BUILDS: usize = 3;
        let absent = range.contains(ABSENT);
        let chosen: Vec<&Candidate> = self.in_range(range).map(|(_, c)| c).collect();
        let mut by_version: Vec<(String, Vec<&str>)> = Vec::new();
        for c in &chosen {
            let v = c.version();
            match by_version.last_mut() {
                Some((last, builds)) if *last == v => builds.push(c.build()),
                _ => by_version.push((v, vec![c.build()])),
            }
        }
        // A version may appear in two runs (builds of another channel after it): merge.
        let mut merged: BTreeMap<usize, (String, Vec<&str>)> = BTreeMap::new();
        let mut first_at: std::collections::HashMap<String, usize> = Default::default();
        for (i, (v, b)) in by_version.into_iter().enumerate() {
            let at = *first_at.entry(v.clone()).or_insert(i);
            let entry = merged.entry(at).or_insert_with(|| (v, Vec::new()));
            for build in b {
                if !entry.1.contains(&build) {
                    entry.1.push(build);
                }
            }
        }
        let groups: Vec<(String, Vec<&str>)> = merged.into_values().collect();
        let parts: Vec<String> = if groups.len() <= VERSIONS {
            groups
                .iter()
                .map(|(v, builds)| {
                    let shown: Vec<&str> = builds.iter().take(BUILDS).copied().collect();
                    let more = builds.len().saturating_sub(BUILDS);
                    if more > 0 {
                        format!("{v} ({}, and {more} more builds)", shown.join(", "))
                    } else {
                        format!("{v} ({})", shown.join(", "))
                    }
                })
                .collect()
        } else {
            // Many versions: their span, and what their build strings share (`py311h*`).
            let newest = &groups[0].0;
            let oldest = &groups[groups.len() - 1].0;
            let builds: Vec<&str> = groups.iter().flat_map(|(_, b)| b.iter().copied()).collect();
            let prefix = common_prefix(&builds);
            let shared = if prefix.len() >= 3 {
                format!(", builds {prefix}*")
            } else {
                String::new()
            };
            vec![format!(
                "{oldest} to {newest} ({} versions, {} builds{shared})",
                groups.len(),
                builds.len()
            )]
        };
        match (parts.is_empty(), absent) {
            (true, true) => "(not installed)".into(),
            (true, false) => "(no build)".into(),
            (false, true) => format!("{} (or not installed)", parts.join(", ")),
            (false, false) => parts.join(", "),
        }
    }
}

/// The longest start all of `words` share.
fn common_prefix<'a>(words: &[&'a str]) -> &'a str {
    let Some(first) = words.first() else {
        return "";
    };
    let mut len = first.len();
    for w in &words[1..] {
        len = first
            .char_indices()
            .zip(w.chars())
            .take_while(|((_, a), b)| a == b)
            .map(|((i, a), _)| i + a.len_utf8())
            .last()
            .unwrap_or(0)
            .min(len);
    }
    &first[..len]
}

/// The ranges that hold exactly `indices` (ascending).
pub fn indices_to_ranges(indices: impl Iterator<Item = u32>) -> CandidateSet {
    let mut out = CandidateSet::empty();
    let mut run: Option<(u32, u32)> = None;
    for i in indices {
        run = match run {
            Some((start, end)) if end == i => Some((start, i + 1)),
            Some((start, end)) => {
                out = out.union(&CandidateSet::between(start, end));
                Some((i, i + 1))
            }
            None => Some((i, i + 1)),
        };
    }
    if let Some((start, end)) = run {
        out = out.union(&CandidateSet::between(start, end));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_indices_become_ranges() {
        let r = indices_to_ranges([0, 1, 2, 5, 7, 8].into_iter());
        for i in [0, 1, 2, 5, 7, 8] {
            assert!(r.contains(i), "{i}");
        }
        for i in [3, 4, 6, 9, ABSENT] {
            assert!(!r.contains(i), "{i}");
        }
        assert!(indices_to_ranges(std::iter::empty()).is_empty());
    }
}
