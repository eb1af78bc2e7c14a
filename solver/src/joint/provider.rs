//! The PubGrub [`DependencyProvider`] of the joint solve: conda packages, PyPI distributions
//! and their extras, and the target's virtual packages in one run.
//!
//! Every version is a candidate index (`u32`). Conda packages keep the conda solve's
//! candidates and dependencies ([`crate::conda::provider`]); PyPI distributions get the
//! candidates of [`super::bridge::Dist`] (the index's versions and the conda packages'
//! versions), and their dependencies are listed by the PyPI solve's provider
//! ([`crate::pypi::provider`]) and turned into sets over those candidates. The bridge adds,
//! for a conda build that installs a distribution, the dependency on the distribution's conda
//! candidate, and for that candidate, the dependency on the builds of its version. Extras are
//! encoded as in the PyPI solve: the extra depends on its package and on the requirements
//! under it at the same version, and only the latter reads metadata.
//!
//! Choosing: conda packages before PyPI distributions (so that what the conda side installs
//! is decided when a PyPI requirement on it is reached); for a distribution, the index's
//! versions before conda's, as pixi and conda do (`pip:` installs from the index), unless
//! no index version fits.

use super::bridge::{self, Dist, PyCandidate};
use crate::conda::Unusable;
use crate::conda::candidates::ABSENT;
use crate::conda::provider::{self as conda_provider, Provider as CondaProvider};
use crate::pypi::Unavailable;
use crate::pypi::asked::ShowsExtras;
use crate::pypi::provider::{self as pypi_provider, Provider as PypiProvider, Wanted};
use crate::sets::CandidateSet;
use pep508_rs::PackageName;
use pubgrub::{Dependencies, DependencyProvider, PackageResolutionStatistics};
use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::rc::Rc;
use std::str::FromStr;
use unilock_model::Diagnostic;

/// A package of the joint solve.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pkg {
    /// The input: conda specs, PyPI requirements and the target's Python.
    Root,
    /// A conda package (real or virtual), by its normalised name.
    Conda(String),
    /// A PyPI distribution or one of its extras (never [`pypi_provider::Pkg::Root`]).
    Pypi(pypi_provider::Pkg),
}

impl ShowsExtras for Pkg {
    fn shown(&self) -> Self {
        match self {
            Pkg::Pypi(p) => Pkg::Pypi(p.shown()),
            other => other.clone(),
        }
    }

    fn is_extra(&self) -> bool {
        matches!(self, Pkg::Pypi(p) if p.is_extra())
    }

    fn is_extra_requirements(&self) -> bool {
        matches!(self, Pkg::Pypi(p) if p.is_extra_requirements())
    }
}

impl fmt::Display for Pkg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pkg::Root => f.write_str("the input"),
            Pkg::Conda(n) => write!(f, "conda {n}"),
            Pkg::Pypi(p) => write!(f, "PyPI {p}"),
        }
    }
}

/// Why a candidate cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    Conda(Unusable),
    Pypi(Unavailable),
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::Conda(u) => u.fmt(f),
            Why::Pypi(u) => u.fmt(f),
        }
    }
}

/// The PyPI distributions one conda build installs (normalised names).
type Installs = Rc<Vec<String>>;

pub struct Provider<'a> {
    pub(super) conda: CondaProvider<'a>,
    pub(super) pypi: PypiProvider<'a>,
    /// The PyPI distributions required by URL: only their index candidate counts.
    direct: BTreeSet<PackageName>,
    /// Candidates of each PyPI distribution reached, built once.
    dists: RefCell<HashMap<PackageName, Rc<Dist>>>,
    /// The PyPI distributions each conda package's builds install, per candidate.
    installs: RefCell<HashMap<(String, u32), Installs>>,
    /// The order PyPI packages were first seen in, for tie-breaking priorities.
    seen: RefCell<HashMap<Pkg, u32>>,
    /// What the user should know (extras asked of a distribution conda installs, …).
    pub(super) notes: RefCell<BTreeSet<String>>,
}

impl<'a> Provider<'a> {
    pub fn new(conda: CondaProvider<'a>, pypi: PypiProvider<'a>) -> Self {
        let direct = pypi.direct.keys().cloned().collect();
        Provider {
            conda,
            pypi,
            direct,
            dists: RefCell::default(),
            installs: RefCell::default(),
            seen: RefCell::default(),
            notes: RefCell::default(),
        }
    }

    /// The candidates of the PyPI distribution `name` that conda packages install, built
    /// once (with the index's as well once [`Provider::dist_with_index`] added them).
    pub fn dist(&self, name: &PackageName) -> Result<Rc<Dist>, Diagnostic> {
        if let Some(d) = self.dists.borrow().get(name) {
            return Ok(d.clone());
        }
        let mut conda = Vec::new();
        if !self.direct.contains(name) {
            for package in self.conda_packages_of(name) {
                let candidates = self.conda.candidates(&package)?;
                let mut installing = Vec::new();
                for i in 0..candidates.list.len() as u32 {
                    if self
                        .installs(&package, i)?
                        .iter()
                        .any(|d| d == name.as_ref())
                    {
                        installing.push(i);
                    }
                }
                if !installing.is_empty() {
                    conda.push((package, candidates, installing));
                }
            }
        }
        let conda_refs: Vec<_> = conda
            .iter()
            .map(|(p, c, i)| (p.clone(), c.as_ref(), i.clone()))
            .collect();
        let dist = Rc::new(Dist::new(&conda_refs));
        self.dists.borrow_mut().insert(name.clone(), dist.clone());
        Ok(dist)
    }

    /// The candidates of `name` including the index's versions (read once, when a PyPI
    /// requirement first reaches the distribution).
    pub fn dist_with_index(&self, name: &PackageName) -> Result<Rc<Dist>, Diagnostic> {
        let dist = self.dist(name)?;
        if dist.has_index {
            return Ok(dist);
        }
        let project = self.pypi.project(name)?;
        let full = Rc::new(dist.with_index(project.iter().flat_map(|p| p.versions())));
        self.dists.borrow_mut().insert(name.clone(), full.clone());
        Ok(full)
    }

    /// The conda packages that may install the PyPI distribution `name`: those the bundled
    /// table names for the channels of the run, and the package of the same name.
    fn conda_packages_of(&self, name: &PackageName) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for channel in self.conda.channel_names() {
            for p in unilock_model::conda_pypi::conda_packages(name.as_ref(), &channel) {
                if !out.iter().any(|o| o == p) {
                    out.push(p.to_string());
                }
            }
        }
        let same = name.as_ref().to_string();
        if rattler_conda_types::PackageName::from_str(&same).is_ok() && !out.contains(&same) {
            out.push(same);
        }
        out
    }

    /// The PyPI distributions the build `index` of conda package `name` installs.
    pub fn installs(&self, name: &str, index: u32) -> Result<Installs, Diagnostic> {
        let key = (name.to_string(), index);
        if let Some(d) = self.installs.borrow().get(&key) {
            return Ok(d.clone());
        }
        let candidates = self.conda.candidates(name)?;
        let list = Rc::new(match candidates.get(index) {
            Some(c) if index != ABSENT => bridge::installs(name, c),
            _ => Vec::new(),
        });
        self.installs.borrow_mut().insert(key, list.clone());
        Ok(list)
    }

    fn see(&self, pkg: &Pkg) {
        let mut seen = self.seen.borrow_mut();
        let n = seen.len() as u32;
        seen.entry(pkg.clone()).or_insert(n);
    }

    /// The PyPI dependencies `listed`, as sets over each distribution's candidates.
    fn pypi_sets(
        &self,
        listed: indexmap::IndexMap<pypi_provider::Pkg, Wanted>,
        deps: &mut BTreeMap<Pkg, CandidateSet>,
    ) -> Result<(), Diagnostic> {
        for (pkg, wanted) in listed {
            let Some(name) = pkg.name() else { continue };
            let dist = self.dist_with_index(name)?;
            let mut set = dist.matching(&wanted);
            if self.direct.contains(name) {
                set = set.intersection(&dist.index_only());
            }
            let pkg = Pkg::Pypi(pkg);
            self.see(&pkg);
            let entry = deps.entry(pkg).or_insert_with(CandidateSet::full);
            *entry = entry.intersection(&set);
        }
        Ok(())
    }

    /// The conda dependencies of `package` (a conda package or the root) at `index`.
    fn conda_deps(
        &self,
        package: &conda_provider::Pkg,
        index: u32,
        deps: &mut BTreeMap<Pkg, CandidateSet>,
    ) -> Result<Result<(), Why>, Diagnostic> {
        match self.conda.get_dependencies(package, &index)? {
            Dependencies::Unavailable(why) => Ok(Err(Why::Conda(why))),
            Dependencies::Available(list) => {
                for (p, set) in list {
                    let conda_provider::Pkg::Conda(name) = p else {
                        continue;
                    };
                    deps.insert(Pkg::Conda(name), set);
                }
                Ok(Ok(()))
            }
        }
    }
}

impl Provider<'_> {
    /// The candidate to try for `package` among `range`: see the module doc.
    fn choose(&self, package: &Pkg, range: &CandidateSet) -> Result<Option<u32>, Diagnostic> {
        match package {
            Pkg::Root => Ok(Some(0)),
            Pkg::Conda(name) => self
                .conda
                .choose_version(&conda_provider::Pkg::Conda(name.clone()), range),
            Pkg::Pypi(p) => {
                let Some(name) = p.name() else {
                    return Ok(None);
                };
                // Only `--consistent` allows a distribution to stay absent: taken whenever
                // the set allows it, as for conda packages.
                if range.contains(ABSENT) {
                    return Ok(Some(ABSENT));
                }
                let dist = self.dist(name)?;
                let conda_only =
                    !dist.has_index || range.intersection(&dist.index_only()).is_empty();
                let index_in_range = |v: &pep440_rs::Version| {
                    dist.index_position(v).is_some_and(|i| range.contains(i))
                };
                if conda_only {
                    // Conda's candidates only: the index is not asked.
                } else if let Some(v) = self.pypi.choose(name, &index_in_range)? {
                    return Ok(dist.index_position(&v).filter(|i| range.contains(*i)));
                }
                Ok(dist
                    .list
                    .iter()
                    .enumerate()
                    .find(|(i, c)| {
                        matches!(c, PyCandidate::Conda { .. }) && range.contains(*i as u32)
                    })
                    .map(|(i, _)| i as u32))
            }
        }
    }
}

/// Single candidates first; packages that may stay absent last; conda packages before PyPI
/// ones; then the most conflicted, the fewest candidates, the first seen.
type Priority = (bool, bool, bool, u32, Reverse<usize>, Reverse<u32>);

impl DependencyProvider for Provider<'_> {
    type P = Pkg;
    type V = u32;
    type VS = CandidateSet;
    type M = Why;
    type Err = Diagnostic;
    type Priority = Priority;

    fn prioritize(
        &self,
        package: &Pkg,
        range: &CandidateSet,
        stats: &PackageResolutionStatistics,
    ) -> Priority {
        match package {
            Pkg::Root => (true, true, true, 0, Reverse(0), Reverse(0)),
            Pkg::Conda(name) => {
                let (single, present, conflicts, count, order) =
                    self.conda
                        .prioritize(&conda_provider::Pkg::Conda(name.clone()), range, stats);
                (single, present, true, conflicts, count, order)
            }
            Pkg::Pypi(p) => {
                let order = self.seen.borrow().get(package).copied().unwrap_or(u32::MAX);
                let count = p
                    .name()
                    .and_then(|n| self.dists.borrow().get(n).map(|d| d.count_in(range)))
                    .unwrap_or(usize::MAX);
                let absent_allowed = range.contains(ABSENT);
                (
                    range.as_singleton().is_some() && !absent_allowed,
                    !absent_allowed,
                    false,
                    stats.conflict_count(),
                    Reverse(count),
                    Reverse(order),
                )
            }
        }
    }

    fn choose_version(
        &self,
        package: &Pkg,
        range: &CandidateSet,
    ) -> Result<Option<u32>, Diagnostic> {
        self.choose(package, range)
    }

    fn get_dependencies(
        &self,
        package: &Pkg,
        version: &u32,
    ) -> Result<Dependencies<Pkg, CandidateSet, Why>, Diagnostic> {
        let mut deps: BTreeMap<Pkg, CandidateSet> = BTreeMap::new();
        match package {
            Pkg::Root => {
                if let Err(why) = self.conda_deps(&conda_provider::Pkg::Root, 0, &mut deps)? {
                    return Ok(Dependencies::Unavailable(why));
                }
                let root = pypi_provider::root_version();
                match self.pypi.listed(&pypi_provider::Pkg::Root, &root)? {
                    Ok(listed) => self.pypi_sets(listed, &mut deps)?,
                    Err(why) => return Ok(Dependencies::Unavailable(Why::Pypi(why))),
                }
            }
            Pkg::Conda(name) => {
                let conda_pkg = conda_provider::Pkg::Conda(name.clone());
                if let Err(why) = self.conda_deps(&conda_pkg, *version, &mut deps)? {
                    return Ok(Dependencies::Unavailable(why));
                }
                let candidates = self.conda.candidates(name)?;
                let text = candidates.get(*version).map(|c| c.version());
                for dist in self.installs(name, *version)?.iter() {
                    let (Ok(dist_name), Some(text)) = (PackageName::from_str(dist), &text) else {
                        continue;
                    };
                    let candidates = self.dist(&dist_name)?;
                    if let Some(i) = candidates.conda_candidate(name, text) {
                        let pkg = Pkg::Pypi(pypi_provider::Pkg::Dist(dist_name));
                        self.see(&pkg);
                        deps.insert(pkg, CandidateSet::singleton(i));
                    }
                }
            }
            Pkg::Pypi(p) => {
                let Some(name) = p.name() else {
                    return Ok(Dependencies::Available(Default::default()));
                };
                if *version == ABSENT {
                    return Ok(Dependencies::Available(Default::default()));
                }
                let dist = self.dist(name)?;
                let Some(candidate) = dist.get(*version) else {
                    return Ok(Dependencies::Unavailable(Why::Pypi(Unavailable::NotFound)));
                };
                if let pypi_provider::Pkg::Extra(_, extra) = p {
                    // As in the PyPI solve: the extra is its package and the requirements
                    // under it at one version, so a version whose base version is ruled out
                    // is rejected before those requirements are read.
                    let requirements = Pkg::Pypi(pypi_provider::Pkg::ExtraRequirements(
                        name.clone(),
                        extra.clone(),
                    ));
                    self.see(&requirements);
                    let exact = CandidateSet::singleton(*version);
                    deps.insert(
                        Pkg::Pypi(pypi_provider::Pkg::Dist(name.clone())),
                        exact.clone(),
                    );
                    deps.insert(requirements, exact);
                    if let PyCandidate::Conda { package, .. } = candidate {
                        self.notes.borrow_mut().insert(format!(
                            "{name}[{extra}] is asked for, and conda package {package} installs {name}: the extra adds no PyPI dependencies (the conda package decides what it ships)"
                        ));
                    }
                    return Ok(Dependencies::Available(deps.into_iter().collect()));
                }
                match candidate {
                    PyCandidate::Index(v) => match self.pypi.listed(p, v)? {
                        Ok(listed) => self.pypi_sets(listed, &mut deps)?,
                        Err(why) => return Ok(Dependencies::Unavailable(Why::Pypi(why))),
                    },
                    PyCandidate::Conda {
                        package, builds, ..
                    } => {
                        if matches!(p, pypi_provider::Pkg::Dist(_)) {
                            deps.insert(Pkg::Conda(package.clone()), builds.clone());
                        }
                    }
                }
            }
        }
        Ok(Dependencies::Available(deps.into_iter().collect()))
    }
}
