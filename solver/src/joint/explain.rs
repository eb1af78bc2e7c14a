//! Explanations of a failed joint solve, in both ecosystems' terms: conda packages as the
//! conda solve words them (builds, records' specs, the target's virtual packages), PyPI
//! distributions as versions (a conda-installed one as "2.1.3 (conda package numpy)"), and
//! the bridge in plain words ("conda numpy 2.1.3 installs PyPI numpy 2.1.3").

use super::provider::{Pkg, Provider, Why};
use crate::conda::explain::{Wording as CondaWording, shorten};
use crate::conda::provider::Pkg as CondaPkg;
use crate::pypi::asked::extras_as_asked;
use crate::pypi::provider::Pkg as PypiPkg;
use crate::sets::CandidateSet;
use pubgrub::{DerivationTree, External, Map, Term};

type Tree = DerivationTree<Pkg, CandidateSet, Why>;
type Ext = External<Pkg, CandidateSet, Why>;
type Terms = Map<Pkg, Term<CandidateSet>>;
type CondaExt = External<CondaPkg, CandidateSet, crate::conda::Unusable>;

/// The report of `tree`.
pub fn explain(tree: &Tree, provider: &Provider) -> String {
    let mut collapsed = extras_as_asked(tree);
    collapsed.collapse_no_versions();
    let edges = provider.conda.edges.borrow();
    let wording = Wording::new(&edges, provider);
    shorten(crate::prose::report(&collapsed, &wording))
}

/// How one target's joint solve words its packages and incompatibilities (the multi-target
/// `--consistent` explanation prefixes each with its target).
pub(super) struct Wording<'a> {
    conda: CondaWording<'a>,
    provider: &'a Provider<'a>,
}

impl<'a> Wording<'a> {
    pub(super) fn new(
        edges: &'a std::collections::HashMap<(CondaPkg, u32), Vec<crate::conda::provider::Edge>>,
        provider: &'a Provider<'a>,
    ) -> Self {
        Wording {
            conda: CondaWording::new(edges, &provider.conda),
            provider,
        }
    }
}

/// Whether `r` is the requirement that asks for `dep` itself: `base[x]>=2` for the extra,
/// `base<2` for the package, when both are asked for.
fn names(r: &pep508_rs::Requirement, dep: &PypiPkg) -> bool {
    match dep {
        PypiPkg::Extra(_, x) | PypiPkg::ExtraRequirements(_, x) => r.extras.contains(x),
        _ => r.extras.is_empty(),
    }
}

/// The conda side's view of a joint package (the root stands for the conda specs).
fn as_conda(pkg: &Pkg) -> Option<CondaPkg> {
    match pkg {
        Pkg::Root => Some(CondaPkg::Root),
        Pkg::Conda(n) => Some(CondaPkg::Conda(n.clone())),
        Pkg::Pypi(_) => None,
    }
}

impl Wording<'_> {
    pub(super) fn at(&self, pkg: &Pkg, range: &CandidateSet) -> String {
        match pkg {
            Pkg::Root => "the input".to_string(),
            Pkg::Conda(n) => format!(
                "conda {}",
                self.conda.at(&CondaPkg::Conda(n.clone()), range)
            ),
            Pkg::Pypi(p) => match p.name().map(|n| self.provider.dist(n)) {
                Some(Ok(d)) => format!("PyPI {p} {}", d.describe(range)),
                _ => format!("PyPI {p}"),
            },
        }
    }

    /// How the PyPI side asked for `dep` from `pkg` (the requirement as written).
    fn pypi_asked(&self, pkg: &Pkg, range: &CandidateSet, dep: &PypiPkg) -> Option<String> {
        let dep_name = dep.name()?;
        let edges = self.provider.pypi.edges.borrow();
        let from = match pkg {
            Pkg::Root => PypiPkg::Root,
            Pkg::Pypi(p) => p.clone(),
            Pkg::Conda(_) => return None,
        };
        let version = match &from {
            PypiPkg::Root => Some(crate::pypi::provider::root_version()),
            p => {
                let dist = self.provider.dist(p.name()?).ok()?;
                (0..dist.list.len() as u32)
                    .filter(|i| range.contains(*i))
                    .find_map(|i| match dist.get(i) {
                        Some(super::bridge::PyCandidate::Index(v))
                            if edges.contains_key(&(from.clone(), v.clone())) =>
                        {
                            Some(v.clone())
                        }
                        _ => None,
                    })
            }
        }?;
        let e = edges.get(&(from, version))?;
        e.dependencies
            .iter()
            .filter(|(n, _)| n == dep_name)
            .find(|(_, r)| r.parse().is_ok_and(|r| names(&r, dep)))
            .or_else(|| e.dependencies.iter().find(|(n, _)| n == dep_name))
            .map(|(_, r)| r.clone())
    }

    fn origins(&self, dep: &PypiPkg) -> String {
        let Some(name) = dep.name() else {
            return "the input".into();
        };
        let requirements = &self.provider.pypi.request().requirements;
        let on_name = || requirements.iter().filter(|(r, _)| &r.name == name);
        let mut origins: Vec<&str> = on_name()
            .filter(|(r, _)| names(r, dep))
            .map(|(_, o)| o.as_str())
            .collect();
        if origins.is_empty() {
            origins = on_name().map(|(_, o)| o.as_str()).collect();
        }
        if origins.is_empty() {
            "the input".into()
        } else {
            origins.join(" and ")
        }
    }

    pub(super) fn external(&self, e: &Ext) -> String {
        if let Some(conda) = self.conda_external(e) {
            return self.conda.external(&conda);
        }
        match e {
            External::NotRoot(p, _) => format!("{p} is what is resolved"),
            External::NoVersions(p, r) => format!("no version of {} is usable", self.at(p, r)),
            External::Custom(p, r, why) => format!("{} cannot be used: {why}", self.at(p, r)),
            External::FromDependencyOf(p, pr, d, dr) => match (p, d) {
                (Pkg::Conda(_), Pkg::Pypi(_)) => {
                    format!("{} installs {}", self.at(p, pr), self.at(d, dr))
                }
                (Pkg::Pypi(_), Pkg::Conda(_)) => {
                    format!("{} is {}", self.at(p, pr), self.at(d, dr))
                }
                (Pkg::Pypi(PypiPkg::Extra(..)), Pkg::Pypi(PypiPkg::Dist(_))) => {
                    format!("{} needs {}", self.at(p, pr), self.at(d, dr))
                }
                (_, Pkg::Pypi(dep)) => {
                    let asked = self
                        .pypi_asked(p, pr, dep)
                        .map(|r| format!("`{r}`"))
                        .unwrap_or_else(|| self.at(d, dr));
                    let who = match p {
                        Pkg::Root => self.origins(dep),
                        _ => self.at(p, pr),
                    };
                    let verb = if matches!(p, Pkg::Root) {
                        "asks for"
                    } else {
                        "depends on"
                    };
                    let none = match dep.name().map(|n| self.provider.dist(n)) {
                        Some(Ok(dist)) if dist.count_in(dr) == 0 => {
                            if dist.list.is_empty() {
                                ", which no index lists and no conda package installs".to_string()
                            } else {
                                format!(
                                    ", which no version matches (there are {})",
                                    dist.describe(&CandidateSet::full())
                                )
                            }
                        }
                        _ => String::new(),
                    };
                    format!("{who} {verb} {asked}{none}")
                }
                _ => format!("{} depends on {}", self.at(p, pr), self.at(d, dr)),
            },
        }
    }

    /// `e` as the conda solve's own incompatibility, when it involves only conda packages.
    fn conda_external(&self, e: &Ext) -> Option<CondaExt> {
        Some(match e {
            External::NoVersions(p @ Pkg::Conda(_), r) => {
                External::NoVersions(as_conda(p)?, r.clone())
            }
            External::Custom(p @ Pkg::Conda(_), r, Why::Conda(u)) => {
                External::Custom(as_conda(p)?, r.clone(), u.clone())
            }
            External::FromDependencyOf(p, pr, d @ Pkg::Conda(_), dr) => {
                External::FromDependencyOf(as_conda(p)?, pr.clone(), as_conda(d)?, dr.clone())
            }
            _ => return None,
        })
    }

    fn terms(&self, terms: &Terms) -> String {
        let list: Vec<_> = terms.iter().collect();
        match list.as_slice() {
            [] => "no set of packages works".into(),
            [(Pkg::Root, Term::Positive(_))] => "the input cannot be solved".into(),
            [(p, Term::Positive(r))] => format!("{} cannot be used", self.at(p, r)),
            [(p, Term::Negative(r))] => format!("{} is needed", self.at(p, r)),
            [(p1, Term::Positive(r1)), (p2, Term::Negative(r2))]
            | [(p2, Term::Negative(r2)), (p1, Term::Positive(r1))] => {
                let none = match as_conda(p2) {
                    Some(c) => self.conda.none_match(&c, r2),
                    None => String::new(),
                };
                format!("{} needs {}{none}", self.at(p1, r1), self.at(p2, r2))
            }
            many => crate::prose::cannot_hold_together(many.iter().copied(), |p, r| self.at(p, r)),
        }
    }
}

impl crate::prose::Wording<Pkg, CandidateSet, Why> for Wording<'_> {
    fn say_external(&self, e: &Ext) -> String {
        self.external(e)
    }

    fn say_terms(&self, terms: &Terms) -> String {
        self.terms(terms)
    }
}
