//! Explanations of a failed conda solve: PubGrub's derivation tree in real versions and build
//! strings (candidate index ranges are mapped back to the builds they hold, grouped by
//! version and shortened), dependencies as the records write them (`__glibc >=2.28,<3.0.a0`),
//! and virtual packages in the target's terms ("target linux-64,glibc=2.17 has __glibc 2.17").

use super::Unusable;
use super::provider::{Edge, Pkg, Provider};
use crate::sets::CandidateSet;
use pubgrub::{DerivationTree, External, Map, Term};
use std::collections::HashMap;

type Tree = DerivationTree<Pkg, CandidateSet, Unusable>;
type Ext = External<Pkg, CandidateSet, Unusable>;
type Terms = Map<Pkg, Term<CandidateSet>>;

/// The report of `tree`.
pub fn explain(tree: &Tree, provider: &Provider) -> String {
    let mut collapsed = tree.clone();
    collapsed.collapse_no_versions();
    let edges = provider.edges.borrow();
    let wording = Wording {
        edges: &edges,
        provider,
    };
    shorten(crate::prose::report(&collapsed, &wording))
}

/// How long a report may be before its earliest steps are left out.
const BUDGET: usize = 3000;

/// `report` within [`BUDGET`]: its last paragraphs (the last one ends with what the input
/// asks and why the target cannot have it), the earlier steps counted instead of shown. Each
/// step is a whole statement, so one kept step that cites a left-out one by number still says
/// what it concludes.
pub(crate) fn shorten(report: String) -> String {
    if report.len() <= BUDGET {
        return report;
    }
    let paragraphs: Vec<&str> = report.split("\n\n").collect();
    let mut kept = 0;
    let mut size = 0;
    for p in paragraphs.iter().rev() {
        if kept > 0 && size + p.len() > BUDGET {
            break;
        }
        size += p.len() + 2;
        kept += 1;
    }
    let left_out = paragraphs.len() - kept;
    if left_out == 0 {
        return report;
    }
    format!(
        "({left_out} earlier step{} of the derivation left out)\n\n{}",
        if left_out == 1 { "" } else { "s" },
        paragraphs[left_out..].join("\n\n")
    )
}

pub(crate) struct Wording<'a> {
    edges: &'a HashMap<(Pkg, u32), Vec<Edge>>,
    provider: &'a Provider<'a>,
}

impl<'a> Wording<'a> {
    pub(crate) fn new(
        edges: &'a HashMap<(Pkg, u32), Vec<Edge>>,
        provider: &'a Provider<'a>,
    ) -> Self {
        Wording { edges, provider }
    }
}

impl Wording<'_> {
    /// `pkg` at the candidates of `range`, in words.
    pub(crate) fn at(&self, pkg: &Pkg, range: &CandidateSet) -> String {
        match pkg {
            Pkg::Root => pkg.to_string(),
            Pkg::Conda(name) => match self.provider.candidates(name) {
                Ok(c) => format!("{name} {}", c.describe(range)),
                Err(_) => name.clone(),
            },
        }
    }

    /// The edges from `pkg` (at the first candidate of `range` whose dependencies were read)
    /// to `dep`.
    fn asked(&self, pkg: &Pkg, range: &CandidateSet, dep: &Pkg) -> Vec<&Edge> {
        let Pkg::Conda(dep_name) = dep else {
            return Vec::new();
        };
        let recorded = match pkg {
            Pkg::Root => self.edges.get(&(Pkg::Root, 0)),
            Pkg::Conda(_) => self
                .edges
                .iter()
                .filter(|((p, i), _)| p == pkg && range.contains(*i))
                .min_by_key(|((_, i), _)| *i)
                .map(|(_, e)| e),
        };
        recorded
            .into_iter()
            .flatten()
            .filter(|e| &e.name == dep_name)
            .collect()
    }

    /// What `dep` at `range` means on this target when no candidate is left: the target's
    /// virtual package, or what the channels hold.
    pub(crate) fn none_match(&self, dep: &Pkg, range: &CandidateSet) -> String {
        let Pkg::Conda(name) = dep else {
            return String::new();
        };
        if !self
            .provider
            .candidates(name)
            .is_ok_and(|c| c.count_in(range) == 0)
        {
            return String::new();
        }
        let target = self.provider.target.spec();
        let Ok(candidates) = self.provider.candidates(name) else {
            return String::new();
        };
        if candidates.is_virtual {
            return match candidates.list.first() {
                Some(c) => format!(
                    "; target {target} has {name} {}{}",
                    c.version(),
                    if name == "__archspec" {
                        format!(" (cpu {})", c.build())
                    } else {
                        String::new()
                    }
                ),
                None => format!(
                    "; target {target} has no {name}{}",
                    match name.as_str() {
                        "__cuda" => " (add `cuda=VERSION` to the target for a GPU machine)",
                        "__glibc" => " (it is not a glibc Linux target)",
                        _ => "",
                    }
                ),
            };
        }
        if candidates.list.is_empty() {
            return format!(
                ", which is in none of the channels for {}",
                self.provider.target.platform.conda_subdir()
            );
        }
        format!(
            ", which no build matches (the channels have {name} {})",
            candidates.holdings()
        )
    }

    pub(crate) fn dependency(
        &self,
        pkg: &Pkg,
        pr: &CandidateSet,
        dep: &Pkg,
        dr: &CandidateSet,
    ) -> String {
        let asked = self.asked(pkg, pr, dep);
        let wanted = if asked.is_empty() {
            self.at(dep, dr)
        } else {
            let specs: Vec<String> = asked.iter().map(|e| format!("`{}`", e.spec)).collect();
            specs.join(" and ")
        };
        let constrains = !asked.is_empty() && asked.iter().all(|e| e.constrains);
        match pkg {
            Pkg::Root => {
                let origins: Vec<&str> = asked
                    .iter()
                    .map(|e| e.origin.as_str())
                    .filter(|o| !o.is_empty())
                    .collect();
                let who = if origins.is_empty() {
                    "the environment".to_string()
                } else {
                    origins.join(" and ")
                };
                let verb = if constrains {
                    "allows only"
                } else {
                    "asks for"
                };
                format!("{who} {verb} {wanted}{}", self.none_match(dep, dr))
            }
            _ => {
                let verb = if constrains {
                    "constrains"
                } else {
                    "depends on"
                };
                format!(
                    "{} {verb} {wanted}{}",
                    self.at(pkg, pr),
                    self.none_match(dep, dr)
                )
            }
        }
    }

    pub(crate) fn external(&self, e: &Ext) -> String {
        match e {
            External::NotRoot(p, _) => format!("{p} is what is resolved"),
            External::NoVersions(Pkg::Conda(name), r)
                if self
                    .provider
                    .candidates(name)
                    .is_ok_and(|c| c.count_in(r) == 0) =>
            {
                format!("{name} has no other build")
            }
            External::NoVersions(p, r) => format!("no build of {} is usable", self.at(p, r)),
            External::FromDependencyOf(p, pr, d, dr) => self.dependency(p, pr, d, dr),
            External::Custom(p, r, why) => format!("{} cannot be used: {why}", self.at(p, r)),
        }
    }

    fn terms(&self, terms: &Terms) -> String {
        let list: Vec<_> = terms.iter().collect();
        match list.as_slice() {
            [] => "no set of builds works".into(),
            [(Pkg::Root, Term::Positive(_))] => "the environment cannot be solved".into(),
            [(p, Term::Positive(r))] => format!("{} cannot be used", self.at(p, r)),
            [(p, Term::Negative(r))] => format!("{} is needed", self.at(p, r)),
            [(p1, Term::Positive(r1)), (p2, Term::Negative(r2))]
            | [(p2, Term::Negative(r2)), (p1, Term::Positive(r1))] => {
                format!(
                    "{} needs {}{}",
                    self.at(p1, r1),
                    self.at(p2, r2),
                    self.none_match(p2, r2)
                )
            }
            many => crate::prose::cannot_hold_together(many.iter().copied(), |p, r| self.at(p, r)),
        }
    }
}

impl crate::prose::Wording<Pkg, CandidateSet, Unusable> for Wording<'_> {
    fn say_external(&self, e: &Ext) -> String {
        self.external(e)
    }

    fn say_terms(&self, terms: &Terms) -> String {
        self.terms(terms)
    }
}
