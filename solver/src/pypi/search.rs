//! The PubGrub search of the PyPI solve, driven step by step over PubGrub's solver state.
//!
//! `pubgrub::resolve` decides packages in a fixed order of priorities and never revisits an
//! order that turns out bad. This loop handles conflicts as uv does, so that the same input
//! gets the same pins: every conflict PubGrub meets names the package whose decision was
//! rejected (the affected one) and the packages whose earlier decisions rejected it (the
//! culprits). A package [`CONFLICT_THRESHOLD`] times affected is decided earlier from then on;
//! a package as often the culprit is decided later, and its decision (with every decision
//! after it) is undone at once, so that the packages it kept rejecting are decided first.
//! Without it, one early decision (`litellm` at its newest version) can walk a long chain of
//! others (`google-cloud-aiplatform`, then the provider that requires it) down to old versions.

use super::provider::{Pkg, Provider, ROOT_CANDIDATE};
use crate::sets::CandidateSet;
use pep508_rs::PackageName;
use pubgrub::{ConflictId, DependencyProvider, Id, PubGrubError, State};
use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

/// How many conflicts make a package a regular culprit or a regular victim (uv's threshold).
const CONFLICT_THRESHOLD: u32 = 5;

/// What decides first: a higher rank, then the name seen first, then the package (of that
/// name) seen first, so that a package and its extras are decided together.
pub type Priority = (Rank, Reverse<u32>, Reverse<u32>);

/// The classes of priority, lowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    Unspecified,
    /// Often the culprit of other packages' conflicts: decided after those, still before the
    /// packages no conflict involved.
    ConflictLate,
    /// Often rejected for other packages' decisions.
    ConflictEarly,
    /// Only one version is left.
    Singleton,
    Root,
}

/// The class of each package name, as uv keeps it: a name is [`Rank::Singleton`] once a
/// requirement on it allows one version, and never less after that unless its conflicts mark
/// it; the marks of conflicts stay (so the order cannot see-saw) until a requirement of one
/// version ranks the name higher again.
#[derive(Debug, Default)]
pub(crate) struct Priorities {
    ranks: HashMap<PackageName, Rank>,
}

impl Priorities {
    pub(crate) fn get(&self, provider: &Provider, pkg: &Pkg) -> Priority {
        let (name_order, order) = provider.order(pkg);
        let Some(name) = pkg.name() else {
            return (Rank::Root, Reverse(0), Reverse(0));
        };
        let rank = self.ranks.get(name).copied().unwrap_or(Rank::Unspecified);
        (rank, Reverse(name_order), Reverse(order))
    }

    /// Ranks `pkg`'s name after a requirement on it allows `range`.
    fn require(&mut self, pkg: &Pkg, range: &CandidateSet) {
        let Some(name) = pkg.name() else { return };
        let rank = if range.as_singleton().is_some() {
            Rank::Singleton
        } else {
            Rank::Unspecified
        };
        let current = self.ranks.entry(name.clone()).or_insert(rank);
        if rank > *current {
            *current = rank;
        }
    }

    /// Decides `pkg`'s name earlier from now on; whether that is new.
    fn mark_early(&mut self, pkg: &Pkg) -> bool {
        let Some(name) = pkg.name() else { return false };
        self.ranks.insert(name.clone(), Rank::ConflictEarly) != Some(Rank::ConflictEarly)
    }

    /// Decides `pkg`'s name later from now on, unless its conflicts marked it already (a
    /// name marked early stays early); whether that is new.
    fn mark_late(&mut self, pkg: &Pkg) -> bool {
        let Some(name) = pkg.name() else { return false };
        let current = self.ranks.entry(name.clone()).or_insert(Rank::Unspecified);
        if matches!(*current, Rank::ConflictEarly | Rank::ConflictLate) {
            return false;
        }
        *current = Rank::ConflictLate;
        true
    }
}

/// How often each package was a culprit or affected, and the packages that just crossed the
/// threshold.
#[derive(Default)]
struct Conflicts {
    culprit: HashMap<Id<Pkg>, u32>,
    affected: HashMap<Id<Pkg>, u32>,
    prioritize: Vec<Id<Pkg>>,
    deprioritize: Vec<Id<Pkg>>,
}

impl Conflicts {
    /// Counts one conflict: `affected` was rejected by `conflict`, found while propagating
    /// the decision on `next`. A conflict between two packages of one name (an extra and its
    /// package) only copies the package's own obligations and counts for nothing.
    fn record<'a>(
        &mut self,
        state: &State<Provider<'a>>,
        next: Id<Pkg>,
        affected: Id<Pkg>,
        conflict: &ConflictId<Provider<'a>>,
    ) {
        let affected_name = state.package_store[affected].name();
        let mut real = false;
        for culprit in state.conflict_packages(conflict) {
            if culprit == affected || state.package_store[culprit].name() == affected_name {
                continue;
            }
            real = true;
            let count = self.culprit.entry(culprit).or_default();
            *count += 1;
            if *count == CONFLICT_THRESHOLD {
                self.deprioritize.push(culprit);
            }
        }
        if real {
            let count = self.affected.entry(next).or_default();
            *count += 1;
            if *count == CONFLICT_THRESHOLD {
                self.prioritize.push(next);
            }
        }
    }

    /// Applies the marks the last conflicts earned; a package newly marked late has its
    /// decision undone.
    fn reprioritize(&mut self, state: &mut State<Provider<'_>>, priorities: &mut Priorities) {
        for id in self.prioritize.drain(..) {
            priorities.mark_early(&state.package_store[id]);
        }
        for id in self.deprioritize.drain(..) {
            if priorities.mark_late(&state.package_store[id]) {
                state.backtrack_package(id);
            }
        }
    }
}

/// The versions tried of each package, for fetching ahead the metadata of a package whose
/// versions the search walks down one by one (uv's batch prefetch: after 5, 10 and 20 versions
/// tried, and every 20 after that, as many of the next versions as were tried, at most 50).
#[derive(Default)]
struct Walks {
    tried: HashMap<Id<Pkg>, (HashSet<u32>, usize)>,
}

impl Walks {
    /// Notes that `candidate` of `id` is tried; how many versions to fetch ahead now, if any.
    fn tried(&mut self, id: Id<Pkg>, candidate: u32) -> Option<usize> {
        let (tried, last) = self.tried.entry(id).or_default();
        tried.insert(candidate);
        let n = tried.len();
        let due = (n >= 5 && *last < 5)
            || (n >= 10 && *last < 10)
            || (n >= 20 && *last < 20)
            || (n >= 20 && n - *last >= 20);
        due.then(|| {
            *last = n;
            n.min(50)
        })
    }
}

/// Solves `provider`'s request: the candidate chosen for every package of the solve.
pub(crate) fn search<'a>(
    provider: &Provider<'a>,
) -> Result<Vec<(Pkg, u32)>, Box<PubGrubError<Provider<'a>>>> {
    let mut state = State::<Provider<'a>>::init(Pkg::Root, ROOT_CANDIDATE);
    let mut priorities = Priorities::default();
    let mut conflicts = Conflicts::default();
    let mut listed: HashSet<(Id<Pkg>, u32)> = HashSet::new();
    let mut walks = Walks::default();
    let mut next = state.root_package;
    loop {
        for (affected, conflict) in state
            .unit_propagation(next)
            .map_err(|tree| Box::new(PubGrubError::NoSolution(tree)))?
        {
            conflicts.record(&state, next, affected, &conflict);
        }
        conflicts.reprioritize(&mut state, &mut priorities);

        let store = &state.package_store;
        let Some((chosen, range)) = state
            .partial_solution
            .pick_highest_priority_pkg(|id, _| priorities.get(provider, &store[id]))
        else {
            let solution = state.partial_solution.extract_solution();
            return Ok(solution
                .map(|(id, candidate)| (state.package_store[id].clone(), candidate))
                .collect());
        };
        let range = range.clone();
        next = chosen;
        let package = state.package_store[next].clone();
        let candidate = provider
            .choose_version(&package, &range)
            .map_err(|source| {
                Box::new(PubGrubError::ErrorChoosingVersion {
                    package: package.clone(),
                    source,
                })
            })?;
        let Some(candidate) = candidate else {
            state.add_no_versions(next, range);
            continue;
        };
        debug_assert!(
            range.contains(candidate),
            "a candidate outside the range asked"
        );
        if let Some(count) = walks.tried(next, candidate) {
            provider
                .prefetch_below(&package, candidate, &range, count)
                .map_err(|source| {
                    Box::new(PubGrubError::ErrorChoosingVersion {
                        package: package.clone(),
                        source,
                    })
                })?;
        }
        if !listed.insert((next, candidate)) {
            // Its dependencies are known to PubGrub already.
            state.partial_solution.add_decision(next, candidate);
            continue;
        }
        let dependencies = provider
            .dependencies(&package, candidate)
            .map_err(|source| {
                Box::new(PubGrubError::ErrorRetrievingDependencies {
                    package: package.clone(),
                    version: candidate,
                    source,
                })
            })?;
        let exact = CandidateSet::singleton(candidate);
        match dependencies {
            Err(reason) => state.add_unavailable(next, exact, reason),
            Ok(dependencies) => {
                for (pkg, range) in &dependencies {
                    priorities.require(pkg, range);
                    // An extra allowed only some versions allows its package only those: known
                    // before the extra is decided, so that a requirement on the package that
                    // conflicts with them conflicts at once (uv's proxy incompatibility).
                    if let Pkg::Extra(name, _) = pkg {
                        let extra = state.package_store.alloc(pkg.clone());
                        let base = state.package_store.alloc(Pkg::Dist(name.clone()));
                        state.add_dependency(extra, range.clone(), (base, range.clone()));
                    }
                }
                if let Some(conflict) =
                    state.add_package_version_dependencies(next, candidate, exact, dependencies)
                {
                    conflicts.record(&state, next, next, &conflict);
                }
            }
        }
    }
}
