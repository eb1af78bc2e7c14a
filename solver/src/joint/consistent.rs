//! One version of every package on every target (`--consistent`), decided in one PubGrub run
//! over all the targets together.
//!
//! Each target keeps its own joint solve ([`Provider`]); the run holds every target's
//! packages side by side (`At(target, package)`) and one more package per name, `Same`, whose
//! versions are the versions any target has of it. A target's build or distribution at
//! version V depends on `Same` at V; `Same` at V depends, on every target, on that name's
//! candidates of version V or on its absence. So whichever target decides a name first fixes
//! its version everywhere, and a version some target cannot install is learnt as such and
//! passed over for the next — the run finds a consistent set whenever one exists. Conda
//! builds may differ per target (each subdir has its own); virtual packages (`__glibc`, …)
//! are the targets' own and never shared.

use super::bridge::PyCandidate;
use super::explain::Wording;
use super::provider::{Pkg, Provider, Why};
use super::{JointRequest, JointResolution, collect, python_targets};
use crate::conda::candidates::{ABSENT, indices_to_ranges};
use crate::conda::explain::shorten;
use crate::conda::{self};
use crate::pypi::asked::{ShowsExtras, extras_as_asked};
use crate::pypi::{self, provider::Pkg as PypiPkg};
use crate::sets::CandidateSet;
use pubgrub::{
    Dependencies, DependencyProvider, DerivationTree, External, Map, PackageResolutionStatistics,
    Term,
};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::rc::Rc;
use unilock_model::channel::CondaSource;
use unilock_model::index::PackageSource;
use unilock_model::{Diagnostic, ErrorKind, Target};

/// A name whose version every target shares.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Shared {
    Conda(String),
    Pypi(pep508_rs::PackageName),
}

impl fmt::Display for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shared::Conda(n) => write!(f, "conda {n}"),
            Shared::Pypi(n) => write!(f, "PyPI {n}"),
        }
    }
}

/// A package of the multi-target run.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MPkg {
    Root,
    /// A package of one target's solve (by the target's position).
    At(u16, Pkg),
    /// The version a name has on every target.
    Same(Shared),
}

impl ShowsExtras for MPkg {
    fn shown(&self) -> Self {
        match self {
            MPkg::At(t, p) => MPkg::At(*t, p.shown()),
            other => other.clone(),
        }
    }

    fn is_extra(&self) -> bool {
        matches!(self, MPkg::At(_, p) if p.is_extra())
    }

    fn is_extra_requirements(&self) -> bool {
        matches!(self, MPkg::At(_, p) if p.is_extra_requirements())
    }
}

impl fmt::Display for MPkg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MPkg::Root => f.write_str("the input"),
            MPkg::At(t, p) => write!(f, "{p} on target {t}"),
            MPkg::Same(s) => write!(f, "{s} on every target"),
        }
    }
}

struct Multi<'a> {
    targets: &'a [Target],
    providers: Vec<Provider<'a>>,
    /// The versions any target has of each shared name, sorted.
    versions: RefCell<HashMap<Shared, Rc<Vec<String>>>>,
}

impl Multi<'_> {
    /// The name `pkg` shares across targets, if it shares one.
    fn shared(pkg: &Pkg) -> Option<Shared> {
        match pkg {
            Pkg::Conda(n) if !n.starts_with("__") => Some(Shared::Conda(n.clone())),
            Pkg::Pypi(PypiPkg::Dist(n)) => Some(Shared::Pypi(n.clone())),
            _ => None,
        }
    }

    /// The version of candidate `index` of `pkg` on target `t`, as every target spells it.
    fn version_of(&self, t: usize, pkg: &Pkg, index: u32) -> Result<Option<String>, Diagnostic> {
        if index == ABSENT {
            return Ok(None);
        }
        let provider = &self.providers[t];
        Ok(match pkg {
            Pkg::Conda(n) => provider
                .conda
                .candidates(n)?
                .get(index)
                .map(|c| c.version()),
            // Only a distribution from the index shares its version: one that conda installs
            // follows its conda package, which shares its own.
            Pkg::Pypi(p) => match p.name() {
                Some(n) => match provider.dist(n)?.get(index) {
                    Some(PyCandidate::Index(v)) => Some(v.to_string()),
                    _ => None,
                },
                None => None,
            },
            Pkg::Root => None,
        })
    }

    /// The versions any target has of `shared`, sorted (read once).
    fn versions(&self, shared: &Shared) -> Result<Rc<Vec<String>>, Diagnostic> {
        if let Some(v) = self.versions.borrow().get(shared) {
            return Ok(v.clone());
        }
        let mut all = BTreeSet::new();
        for provider in &self.providers {
            match shared {
                Shared::Conda(n) => {
                    for c in &provider.conda.candidates(n)?.list {
                        all.insert(c.version());
                    }
                }
                Shared::Pypi(n) => {
                    for c in &provider.dist_with_index(n)?.list {
                        if let PyCandidate::Index(v) = c {
                            all.insert(v.to_string());
                        }
                    }
                }
            }
        }
        let list = Rc::new(all.into_iter().collect::<Vec<_>>());
        self.versions
            .borrow_mut()
            .insert(shared.clone(), list.clone());
        Ok(list)
    }

    /// The candidates of `shared` on target `t` whose version is `version`.
    fn at_version(
        &self,
        t: usize,
        shared: &Shared,
        version: &str,
    ) -> Result<CandidateSet, Diagnostic> {
        let provider = &self.providers[t];
        Ok(match shared {
            Shared::Conda(n) => {
                let candidates = provider.conda.candidates(n)?;
                indices_to_ranges(
                    (0..candidates.list.len() as u32)
                        .filter(|&i| candidates.get(i).is_some_and(|c| c.version() == version)),
                )
            }
            // The index's candidates of that version, or any conda one (which follows its
            // conda package's shared version instead).
            Shared::Pypi(n) => {
                let dist = provider.dist_with_index(n)?;
                indices_to_ranges((0..dist.list.len() as u32).filter(|&i| match dist.get(i) {
                    Some(PyCandidate::Index(v)) => v.to_string() == version,
                    Some(PyCandidate::Conda { .. }) => true,
                    None => false,
                }))
            }
        })
    }

    fn package_of(shared: &Shared) -> Pkg {
        match shared {
            Shared::Conda(n) => Pkg::Conda(n.clone()),
            Shared::Pypi(n) => Pkg::Pypi(PypiPkg::Dist(n.clone())),
        }
    }
}

type Priority = (
    u8,
    bool,
    bool,
    bool,
    u32,
    std::cmp::Reverse<usize>,
    std::cmp::Reverse<u32>,
);

impl DependencyProvider for Multi<'_> {
    type P = MPkg;
    type V = u32;
    type VS = CandidateSet;
    type M = Why;
    type Err = Diagnostic;
    type Priority = Priority;

    fn prioritize(
        &self,
        package: &MPkg,
        range: &CandidateSet,
        stats: &PackageResolutionStatistics,
    ) -> Priority {
        match package {
            MPkg::Root => (
                2,
                true,
                true,
                true,
                0,
                std::cmp::Reverse(0),
                std::cmp::Reverse(0),
            ),
            MPkg::Same(_) => (
                1,
                true,
                true,
                true,
                0,
                std::cmp::Reverse(0),
                std::cmp::Reverse(0),
            ),
            MPkg::At(t, p) => {
                let (a, b, c, d, e, f) = self.providers[*t as usize].prioritize(p, range, stats);
                (0, a, b, c, d, e, f)
            }
        }
    }

    fn choose_version(
        &self,
        package: &MPkg,
        range: &CandidateSet,
    ) -> Result<Option<u32>, Diagnostic> {
        match package {
            MPkg::Root => Ok(Some(0)),
            MPkg::Same(s) => {
                let n = self.versions(s)?.len() as u32;
                Ok((0..n).find(|i| range.contains(*i)))
            }
            MPkg::At(t, p) => self.providers[*t as usize].choose_version(p, range),
        }
    }

    fn get_dependencies(
        &self,
        package: &MPkg,
        version: &u32,
    ) -> Result<Dependencies<MPkg, CandidateSet, Why>, Diagnostic> {
        let mut deps: BTreeMap<MPkg, CandidateSet> = BTreeMap::new();
        match package {
            MPkg::Root => {
                for t in 0..self.providers.len() {
                    deps.insert(MPkg::At(t as u16, Pkg::Root), CandidateSet::singleton(0u32));
                }
            }
            MPkg::At(t, p) => {
                let i = *t as usize;
                match self.providers[i].get_dependencies(p, version)? {
                    Dependencies::Unavailable(why) => return Ok(Dependencies::Unavailable(why)),
                    Dependencies::Available(list) => {
                        for (d, set) in list {
                            deps.insert(MPkg::At(*t, d), set);
                        }
                    }
                }
                if let (Some(shared), Some(v)) = (Self::shared(p), self.version_of(i, p, *version)?)
                {
                    let versions = self.versions(&shared)?;
                    if let Ok(pos) = versions.binary_search(&v) {
                        deps.insert(MPkg::Same(shared), CandidateSet::singleton(pos as u32));
                    }
                }
            }
            MPkg::Same(shared) => {
                let versions = self.versions(shared)?;
                let Some(v) = versions.get(*version as usize) else {
                    return Ok(Dependencies::Available(deps.into_iter().collect()));
                };
                for t in 0..self.providers.len() {
                    let set = self
                        .at_version(t, shared, v)?
                        .union(&CandidateSet::singleton(ABSENT));
                    deps.insert(MPkg::At(t as u16, Self::package_of(shared)), set);
                }
            }
        }
        Ok(Dependencies::Available(deps.into_iter().collect()))
    }
}

/// Resolves `requests` (one per target, in the order of `targets`) with one version of each
/// package on every target.
pub fn resolve_consistent(
    channels: &dyn CondaSource,
    index: &dyn PackageSource,
    targets: &[Target],
    requests: &[JointRequest],
) -> Result<Vec<JointResolution>, Diagnostic> {
    let mut solved_targets = Vec::with_capacity(targets.len());
    for (target, request) in targets.iter().zip(requests) {
        conda::provider::check_names(&request.conda)?;
        let first = if request.conda.specs.is_empty() {
            target.clone()
        } else {
            python_targets(channels, target, request)?
                .into_iter()
                .next()
                .unwrap_or_else(|| target.clone())
        };
        solved_targets.push(first);
    }
    let mut providers = Vec::with_capacity(targets.len());
    for (target, request) in solved_targets.iter().zip(requests) {
        let conda_side = conda::provider::Provider::new(channels, target, &request.conda);
        conda::check_root_conflicts(&conda_side)?;
        let direct = pypi::direct_references(&request.pypi)?;
        let pypi_side = pypi::provider::Provider::new(index, &request.pypi, target, direct);
        providers.push(Provider::new(conda_side, pypi_side));
    }
    let multi = Multi {
        targets: &solved_targets,
        providers,
        versions: RefCell::default(),
    };
    let selected = match pubgrub::resolve(&multi, MPkg::Root, 0u32) {
        Ok(selected) => selected,
        Err(pubgrub::PubGrubError::NoSolution(tree)) => {
            let names: Vec<&str> = targets.iter().map(|t| t.spec()).collect();
            return Err(Diagnostic::new(
                ErrorKind::Unsatisfiable,
                format!(
                    "--consistent: no single set of versions works on every target ({})",
                    names.join(", ")
                ),
            )
            .note(explain(&tree, &multi)));
        }
        Err(pubgrub::PubGrubError::ErrorRetrievingDependencies { source, .. })
        | Err(pubgrub::PubGrubError::ErrorChoosingVersion { source, .. })
        | Err(pubgrub::PubGrubError::ErrorInShouldCancel(source)) => return Err(source),
    };
    let mut per_target: Vec<BTreeMap<Pkg, u32>> = vec![BTreeMap::new(); targets.len()];
    for (pkg, version) in selected {
        if let MPkg::At(t, p) = pkg {
            per_target[t as usize].insert(p, version);
        }
    }
    let mut out = Vec::with_capacity(targets.len());
    for (i, selected) in per_target.into_iter().enumerate() {
        out.push(collect(
            &multi.providers[i],
            channels,
            &solved_targets[i],
            &requests[i],
            selected,
        )?);
    }
    Ok(out)
}

type Tree = DerivationTree<MPkg, CandidateSet, Why>;
type Ext = External<MPkg, CandidateSet, Why>;
type Terms = Map<MPkg, Term<CandidateSet>>;

fn explain(tree: &Tree, multi: &Multi) -> String {
    let mut collapsed = extras_as_asked(tree);
    collapsed.collapse_no_versions();
    let edges: Vec<_> = multi
        .providers
        .iter()
        .map(|p| p.conda.edges.borrow())
        .collect();
    let wordings: Vec<Wording> = multi
        .providers
        .iter()
        .zip(&edges)
        .map(|(p, e)| Wording::new(e, p))
        .collect();
    let words = Words { multi, wordings };
    shorten(crate::prose::report(&collapsed, &words))
}

struct Words<'a> {
    multi: &'a Multi<'a>,
    wordings: Vec<Wording<'a>>,
}

impl Words<'_> {
    fn target(&self, t: u16) -> &str {
        self.multi.targets.get(t as usize).map_or("?", |t| t.spec())
    }

    fn at(&self, pkg: &MPkg, range: &CandidateSet) -> String {
        match pkg {
            MPkg::Root => "the input".into(),
            MPkg::At(t, Pkg::Root) => format!("the input on target {}", self.target(*t)),
            MPkg::At(t, p) => {
                let shown = match self.wordings.get(*t as usize) {
                    Some(w) => w.at(p, range),
                    None => p.to_string(),
                };
                let none = if range.contains(ABSENT) {
                    if range == &CandidateSet::singleton(ABSENT) {
                        return format!("no {p} on target {}", self.target(*t));
                    }
                    " (or none)"
                } else {
                    ""
                };
                format!("{shown}{none} on target {}", self.target(*t))
            }
            MPkg::Same(s) => {
                let shown: Vec<String> = self
                    .multi
                    .versions(s)
                    .map(|v| {
                        v.iter()
                            .enumerate()
                            .filter(|(i, _)| range.contains(*i as u32))
                            .map(|(_, v)| v.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                let list = match shown.len() {
                    0 => "(no version)".to_string(),
                    1..=3 => shown.join(", "),
                    n => format!("{} versions", n),
                };
                format!("{s} {list} on every target")
            }
        }
    }

    fn external(&self, e: &Ext) -> String {
        match e {
            External::NotRoot(p, _) => format!("{p} is what is resolved"),
            External::NoVersions(p, r) => format!("no version of {} is usable", self.at(p, r)),
            External::Custom(p, r, why) => format!("{} cannot be used: {why}", self.at(p, r)),
            External::FromDependencyOf(MPkg::At(t, p), pr, MPkg::At(_, d), dr) => {
                let inner =
                    External::FromDependencyOf(p.clone(), pr.clone(), d.clone(), dr.clone());
                match self.wordings.get(*t as usize) {
                    Some(w) => format!("on target {}, {}", self.target(*t), w.external(&inner)),
                    None => format!("{p} depends on {d}"),
                }
            }
            External::FromDependencyOf(p @ MPkg::At(..), pr, d @ MPkg::Same(_), dr) => {
                format!(
                    "--consistent holds {} once {} is taken",
                    self.at(d, dr),
                    self.at(p, pr)
                )
            }
            External::FromDependencyOf(p @ MPkg::Same(_), pr, d, dr) => {
                format!("{} means {}", self.at(p, pr), self.at(d, dr))
            }
            External::FromDependencyOf(p, pr, d, dr) => {
                format!("{} needs {}", self.at(p, pr), self.at(d, dr))
            }
        }
    }

    fn terms(&self, terms: &Terms) -> String {
        let list: Vec<_> = terms.iter().collect();
        match list.as_slice() {
            [] => "no set of versions works on every target".into(),
            [(MPkg::Root, Term::Positive(_))] => "the input cannot be solved consistently".into(),
            [(p, Term::Positive(r))] => format!("{} cannot be used", self.at(p, r)),
            [(p, Term::Negative(r))] => format!("{} is needed", self.at(p, r)),
            [(p1, Term::Positive(r1)), (p2, Term::Negative(r2))]
            | [(p2, Term::Negative(r2)), (p1, Term::Positive(r1))] => {
                format!("{} needs {}", self.at(p1, r1), self.at(p2, r2))
            }
            many => crate::prose::cannot_hold_together(many.iter().copied(), |p, r| self.at(p, r)),
        }
    }
}

impl crate::prose::Wording<MPkg, CandidateSet, Why> for Words<'_> {
    fn say_external(&self, e: &Ext) -> String {
        self.external(e)
    }

    fn say_terms(&self, terms: &Terms) -> String {
        self.terms(terms)
    }
}
