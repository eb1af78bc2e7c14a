//! Explanations speak of extras as they were asked for.
//!
//! An extra is encoded as two packages (see [`super::provider`]): the extra itself, which
//! depends on its package and on [`Pkg::ExtraRequirements`], the requirements under the extra.
//! The second is a device of the encoding: [`extras_as_asked`] shows it as the extra and
//! leaves out the step from an extra to its requirements, for the PyPI solve's packages and
//! for any solve whose packages wrap them ([`ShowsExtras`]).

use super::provider::Pkg;
use crate::sets::CandidateSet;
use pubgrub::{DerivationTree, External, Map, Term};
use std::fmt;

/// A package of a solve that may be a PyPI extra or the requirements under one.
pub(crate) trait ShowsExtras: pubgrub::Package {
    /// The package as explanations show it: the extra in place of its requirements.
    fn shown(&self) -> Self;
    fn is_extra(&self) -> bool;
    fn is_extra_requirements(&self) -> bool;
}

impl ShowsExtras for Pkg {
    fn shown(&self) -> Self {
        match self {
            Pkg::ExtraRequirements(n, e) => Pkg::Extra(n.clone(), e.clone()),
            other => other.clone(),
        }
    }

    fn is_extra(&self) -> bool {
        matches!(self, Pkg::Extra(..))
    }

    fn is_extra_requirements(&self) -> bool {
        matches!(self, Pkg::ExtraRequirements(..))
    }
}

/// `tree` with the requirements under each extra shown as the extra itself, and the step from
/// an extra to the requirements under it (which says nothing to a user) left out.
pub(crate) fn extras_as_asked<P, M>(
    tree: &DerivationTree<P, CandidateSet, M>,
) -> DerivationTree<P, CandidateSet, M>
where
    P: ShowsExtras,
    M: Eq + Clone + fmt::Debug + fmt::Display,
{
    let step = |tree: &DerivationTree<P, CandidateSet, M>| {
        matches!(
            tree,
            DerivationTree::External(External::FromDependencyOf(p, _, d, _))
                if p.is_extra() && d.is_extra_requirements()
        )
    };
    match tree {
        DerivationTree::External(e) => DerivationTree::External(match e {
            External::NotRoot(p, v) => External::NotRoot(p.shown(), *v),
            External::NoVersions(p, r) => External::NoVersions(p.shown(), r.clone()),
            External::FromDependencyOf(p, pr, d, dr) => {
                External::FromDependencyOf(p.shown(), pr.clone(), d.shown(), dr.clone())
            }
            External::Custom(p, r, why) => External::Custom(p.shown(), r.clone(), why.clone()),
        }),
        DerivationTree::Derived(d) if step(&d.cause1) => extras_as_asked(&d.cause2),
        DerivationTree::Derived(d) if step(&d.cause2) => extras_as_asked(&d.cause1),
        DerivationTree::Derived(d) => {
            // Where the extra and the requirements under it are both named, the extra's term
            // is the one shown.
            let mut terms: Map<P, Term<CandidateSet>> = Map::default();
            for (p, t) in &d.terms {
                if p.is_extra() || !terms.contains_key(&p.shown()) {
                    terms.insert(p.shown(), t.clone());
                }
            }
            DerivationTree::Derived(pubgrub::Derived {
                terms,
                shared_id: d.shared_id,
                cause1: std::sync::Arc::new(extras_as_asked(&d.cause1)),
                cause2: std::sync::Arc::new(extras_as_asked(&d.cause2)),
            })
        }
    }
}
