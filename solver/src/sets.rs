//! The version sets of the solves: sets of candidates, where a candidate is a position in a
//! package's sorted list (the versions a PyPI project lists, oldest first; the builds of a
//! conda package), kept as half-open runs of positions.
//!
//! Why a type of our own rather than `pubgrub::Ranges<u32>`: PubGrub makes the incompatibility
//! of each dependency of a chosen version with `VersionSet::singleton(version)`, and when the
//! next version tried has the same dependency it merges the two into one whose depending set
//! is the union of both. `Ranges::singleton(4)` is `[4, 4]`, and `Ranges` does not know that
//! no `u32` lies between 4 and 5, so `[4, 4] ∪ [5, 5]` stays two segments: walking back through
//! k versions of a package (boto3 and botocore under an old urllib3 ceiling: some 1,500) makes
//! merged incompatibilities of 1, 2, …, k segments, all kept in PubGrub's arena, memory growing
//! with the square of the versions walked. Here a single candidate `i` is the run `[i, i+1)`,
//! so `[4, 5) ∪ [5, 6)` is the one run `[4, 6)`: consecutive candidates (and runs) merge, and a
//! merged incompatibility stays one segment however many versions it covers.
//!
//! Canonical form: every run has an inclusive start and an exclusive end (`Included` lower
//! bound, `Excluded` upper bound), a run from 0 has no lower bound and a run through
//! `u32::MAX` no upper bound. Every constructor here builds that form, and complement,
//! intersection and union of `Ranges` keep it (their bounds are the operands' bounds, an
//! exclusive end becoming an inclusive start and back), so two sets with the same candidates
//! are equal under `Eq`, as PubGrub requires of a [`VersionSet`].

use pubgrub::{Ranges, VersionSet};
use std::fmt;
use std::ops::Bound::{self, Excluded, Included, Unbounded};

/// A set of candidates (positions in a package's sorted list), as half-open runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CandidateSet(Ranges<u32>);

impl CandidateSet {
    /// No candidate.
    pub fn empty() -> Self {
        CandidateSet(Ranges::empty())
    }

    /// Every candidate.
    pub fn full() -> Self {
        CandidateSet(Ranges::full())
    }

    /// The one candidate `i`: the run `[i, i+1)` (`[u32::MAX, ∞)` for the last position).
    pub fn singleton(i: u32) -> Self {
        Self::run(i, i)
    }

    /// The candidates `first` to `last`, both included (empty when `last < first`).
    pub fn run(first: u32, last: u32) -> Self {
        if last < first {
            return Self::empty();
        }
        Self::bounded(first, last.checked_add(1))
    }

    /// The candidates from `first` up to `end`, `end` excluded (empty when `end <= first`).
    pub fn between(first: u32, end: u32) -> Self {
        if end <= first {
            return Self::empty();
        }
        Self::bounded(first, Some(end))
    }

    /// The candidates from `first` on.
    pub fn at_least(first: u32) -> Self {
        Self::bounded(first, None)
    }

    /// The candidates before `end`.
    pub fn before(end: u32) -> Self {
        if end == 0 {
            return Self::empty();
        }
        Self::bounded(0, Some(end))
    }

    /// `[first, end)`, `end` `None` for no end, in the canonical form; `first < end`.
    fn bounded(first: u32, end: Option<u32>) -> Self {
        let lower = if first == 0 {
            Unbounded
        } else {
            Included(first)
        };
        let upper = end.map_or(Unbounded, Excluded);
        CandidateSet(Ranges::from_range_bounds((lower, upper)))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, i: u32) -> bool {
        self.0.contains(&i)
    }

    /// The candidate when the set holds exactly one.
    pub fn as_singleton(&self) -> Option<u32> {
        let mut runs = self.runs();
        match (runs.next(), runs.next()) {
            (Some((first, end)), None) if end == first.checked_add(1) => Some(first),
            _ => None,
        }
    }

    /// The runs of the set, lowest first: each as its first candidate and the candidate after
    /// its last (`None` when it runs through `u32::MAX`).
    pub fn runs(&self) -> impl Iterator<Item = (u32, Option<u32>)> + '_ {
        self.0
            .iter()
            .map(|(lower, upper)| (start(lower), end(upper)))
    }

    /// How many runs (segments) the set is kept as.
    pub fn segments(&self) -> usize {
        self.0.iter().count()
    }

    pub fn complement(&self) -> Self {
        CandidateSet(self.0.complement())
    }

    pub fn intersection(&self, other: &Self) -> Self {
        CandidateSet(self.0.intersection(&other.0))
    }

    pub fn union(&self, other: &Self) -> Self {
        CandidateSet(self.0.union(&other.0))
    }

    pub fn is_disjoint(&self, other: &Self) -> bool {
        self.0.is_disjoint(&other.0)
    }

    pub fn subset_of(&self, other: &Self) -> bool {
        self.0.subset_of(&other.0)
    }
}

/// The first candidate of a run from its lower bound (canonical: unbounded or inclusive).
fn start(lower: Bound<&u32>) -> u32 {
    match lower {
        Unbounded => 0,
        Included(&i) => i,
        Excluded(i) => i.saturating_add(1),
    }
}

/// The candidate after a run from its upper bound (canonical: unbounded or exclusive).
fn end(upper: Bound<&u32>) -> Option<u32> {
    match upper {
        Unbounded => None,
        Excluded(&i) => Some(i),
        Included(i) => i.checked_add(1),
    }
}

impl fmt::Display for CandidateSet {
    /// Runs of positions: `4`, `4..9` (9 excluded), `4..`, `*`, `∅`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("∅");
        }
        for (n, (first, end)) in self.runs().enumerate() {
            if n > 0 {
                f.write_str(" | ")?;
            }
            match end {
                None if first == 0 => f.write_str("*")?,
                None => write!(f, "{first}..")?,
                Some(e) if e == first + 1 => write!(f, "{first}")?,
                Some(e) => write!(f, "{first}..{e}")?,
            }
        }
        Ok(())
    }
}

impl VersionSet for CandidateSet {
    type V = u32;

    fn empty() -> Self {
        CandidateSet::empty()
    }

    fn singleton(v: u32) -> Self {
        CandidateSet::singleton(v)
    }

    fn complement(&self) -> Self {
        CandidateSet::complement(self)
    }

    fn intersection(&self, other: &Self) -> Self {
        CandidateSet::intersection(self, other)
    }

    fn contains(&self, v: &u32) -> bool {
        CandidateSet::contains(self, *v)
    }

    fn full() -> Self {
        CandidateSet::full()
    }

    fn union(&self, other: &Self) -> Self {
        CandidateSet::union(self, other)
    }

    fn is_disjoint(&self, other: &Self) -> bool {
        CandidateSet::is_disjoint(self, other)
    }

    fn subset_of(&self, other: &Self) -> bool {
        CandidateSet::subset_of(self, other)
    }
}

/// The depending sets of every "`from` depends on `to`" incompatibility in `tree`, packages
/// named as they display (for tests of how PubGrub merges dependencies over runs).
#[cfg(test)]
pub(crate) fn dependency_sets<P: pubgrub::Package, M>(
    tree: &pubgrub::DerivationTree<P, CandidateSet, M>,
    from: &str,
    to: &str,
) -> Vec<CandidateSet>
where
    M: Eq + Clone + fmt::Debug + fmt::Display,
{
    use pubgrub::{DerivationTree, External};
    match tree {
        DerivationTree::External(External::FromDependencyOf(p, set, d, _))
            if p.to_string() == from && d.to_string() == to =>
        {
            vec![set.clone()]
        }
        DerivationTree::External(_) => Vec::new(),
        DerivationTree::Derived(d) => {
            let mut sets = dependency_sets(&d.cause1, from, to);
            sets.extend(dependency_sets(&d.cause2, from, to));
            sets
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn consecutive_single_candidates_merge_into_one_run() {
        let mut set = CandidateSet::empty();
        for i in (10..1_010).rev() {
            set = set.union(&CandidateSet::singleton(i));
        }
        assert_eq!(set.segments(), 1, "{set}");
        assert_eq!(set, CandidateSet::run(10, 1_009));
        assert_eq!(set.runs().collect::<Vec<_>>(), [(10, Some(1_010))]);
        // Runs that touch merge too, in any order.
        let joined = CandidateSet::run(0, 4).union(&CandidateSet::run(10, 20));
        let joined = joined.union(&CandidateSet::run(5, 9));
        assert_eq!(joined, CandidateSet::run(0, 20));
        // A gap stays a gap.
        let gap = CandidateSet::singleton(3).union(&CandidateSet::singleton(5));
        assert_eq!(gap.segments(), 2);
        assert!(!gap.contains(4));
    }

    #[test]
    fn complement_and_intersection_stay_canonical() {
        let set = CandidateSet::run(3, 7);
        let outside = set.complement();
        assert_eq!(
            outside,
            CandidateSet::before(3).union(&CandidateSet::at_least(8))
        );
        assert_eq!(outside.complement(), set);
        // The candidates between two runs, computed two ways, are one and the same value.
        let between = CandidateSet::before(8).intersection(&CandidateSet::at_least(3));
        assert_eq!(between, set);
        assert_eq!(
            CandidateSet::at_least(5).intersection(&CandidateSet::before(6)),
            CandidateSet::singleton(5)
        );
        // A run from 0 is the same value as "before".
        assert_eq!(CandidateSet::run(0, 2), CandidateSet::before(3));
        assert_eq!(CandidateSet::between(2, 5), CandidateSet::run(2, 4));
        assert_eq!(CandidateSet::between(0, 3), CandidateSet::before(3));
        assert!(CandidateSet::between(5, 5).is_empty());
        assert_eq!(CandidateSet::at_least(0), CandidateSet::full());
        assert_eq!(
            CandidateSet::singleton(u32::MAX),
            CandidateSet::at_least(u32::MAX)
        );
        assert_eq!(
            CandidateSet::singleton(u32::MAX).complement(),
            CandidateSet::before(u32::MAX)
        );
    }

    #[test]
    fn a_single_candidate_is_recognised_however_it_was_made() {
        assert_eq!(CandidateSet::singleton(4).as_singleton(), Some(4));
        let narrowed =
            CandidateSet::at_least(4).intersection(&CandidateSet::singleton(5).complement());
        let narrowed = narrowed.intersection(&CandidateSet::before(6));
        assert_eq!(narrowed.as_singleton(), Some(4));
        assert_eq!(CandidateSet::singleton(0).as_singleton(), Some(0));
        assert_eq!(CandidateSet::run(4, 5).as_singleton(), None);
        assert_eq!(CandidateSet::at_least(4).as_singleton(), None);
        assert_eq!(CandidateSet::empty().as_singleton(), None);
        assert_eq!(CandidateSet::run(2, 3).to_string(), "2..4");
        assert_eq!(CandidateSet::singleton(2).to_string(), "2");
    }

    /// A set from a list of inclusive runs, each given as (first, length).
    fn set_of(runs: &[(u32, u32)]) -> CandidateSet {
        runs.iter().fold(CandidateSet::empty(), |s, &(first, len)| {
            s.union(&CandidateSet::run(first, first.saturating_add(len)))
        })
    }

    fn runs_strategy() -> impl Strategy<Value = Vec<(u32, u32)>> {
        let edge = prop_oneof![0u32..40, Just(u32::MAX - 3), Just(u32::MAX)];
        prop::collection::vec((edge, 0u32..6), 0..6)
    }

    proptest! {
        /// Equal membership means equal values: the canonical form is unique.
        #[test]
        fn sets_with_the_same_candidates_are_equal(a in runs_strategy(), b in runs_strategy()) {
            let (a, b) = (set_of(&a), set_of(&b));
            let probe = (0u32..48).chain(u32::MAX - 6..=u32::MAX);
            let same = probe.clone().all(|i| a.contains(i) == b.contains(i));
            prop_assert_eq!(same, a == b);
            // Operations agree with membership and with each other.
            let union = a.union(&b);
            let inter = a.intersection(&b);
            for i in probe {
                prop_assert_eq!(union.contains(i), a.contains(i) || b.contains(i));
                prop_assert_eq!(inter.contains(i), a.contains(i) && b.contains(i));
                prop_assert_eq!(a.complement().contains(i), !a.contains(i));
            }
            prop_assert_eq!(
                &union,
                &a.complement().intersection(&b.complement()).complement()
            );
            prop_assert_eq!(a.complement().complement(), a.clone());
            prop_assert_eq!(inter.as_singleton().is_some(), inter.runs().count() == 1
                && inter.runs().all(|(f, e)| e == f.checked_add(1)));
        }
    }
}
