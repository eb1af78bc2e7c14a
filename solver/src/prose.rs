//! How a PubGrub derivation becomes sentences ("Because A and B, C.", "And because D, E."),
//! shared by every solve's explanation. Each solve says how one of its incompatibilities and
//! one set of terms read ([`Wording`]); [`report`] strings the steps together.

use pubgrub::{
    DefaultStringReporter, DerivationTree, Derived, External, Map, Package, ReportFormatter,
    Reporter, Term, VersionSet,
};
use std::fmt::{Debug, Display};

/// How one solve words an external incompatibility and a set of terms.
pub trait Wording<P: Package, VS: VersionSet, M: Eq + Clone + Debug + Display> {
    fn say_external(&self, external: &External<P, VS, M>) -> String;
    fn say_terms(&self, terms: &Map<P, Term<VS>>) -> String;
}

/// Several terms that exclude each other: "A, not B, C cannot hold together", each package at
/// its set as `at` words it.
pub fn cannot_hold_together<'t, P: 't, VS: VersionSet + 't>(
    terms: impl IntoIterator<Item = (&'t P, &'t Term<VS>)>,
    at: impl Fn(&P, &VS) -> String,
) -> String {
    let each: Vec<String> = terms
        .into_iter()
        .map(|(p, t)| match t {
            Term::Positive(r) => at(p, r),
            Term::Negative(r) => format!("not {}", at(p, r)),
        })
        .collect();
    format!("{} cannot hold together", each.join(", "))
}

/// The report of `tree` in `wording`'s words.
pub fn report<P, VS, M, W>(tree: &DerivationTree<P, VS, M>, wording: &W) -> String
where
    P: Package,
    VS: VersionSet,
    M: Eq + Clone + Debug + Display,
    W: Wording<P, VS, M>,
{
    DefaultStringReporter::report_with_formatter(tree, &Sentences(wording))
}

struct Sentences<'a, W>(&'a W);

impl<P, VS, M, W> ReportFormatter<P, VS, M> for Sentences<'_, W>
where
    P: Package,
    VS: VersionSet,
    M: Eq + Clone + Debug + Display,
    W: Wording<P, VS, M>,
{
    type Output = String;

    fn format_external(&self, e: &External<P, VS, M>) -> String {
        self.0.say_external(e)
    }

    fn format_terms(&self, terms: &Map<P, Term<VS>>) -> String {
        self.0.say_terms(terms)
    }

    fn explain_both_external(
        &self,
        e1: &External<P, VS, M>,
        e2: &External<P, VS, M>,
        now: &Map<P, Term<VS>>,
    ) -> String {
        format!(
            "Because {} and {}, {}.",
            self.0.say_external(e1),
            self.0.say_external(e2),
            self.0.say_terms(now)
        )
    }

    fn explain_both_ref(
        &self,
        id1: usize,
        d1: &Derived<P, VS, M>,
        id2: usize,
        d2: &Derived<P, VS, M>,
        now: &Map<P, Term<VS>>,
    ) -> String {
        format!(
            "Because {} ({id1}) and {} ({id2}), {}.",
            self.0.say_terms(&d1.terms),
            self.0.say_terms(&d2.terms),
            self.0.say_terms(now)
        )
    }

    fn explain_ref_and_external(
        &self,
        id: usize,
        d: &Derived<P, VS, M>,
        e: &External<P, VS, M>,
        now: &Map<P, Term<VS>>,
    ) -> String {
        format!(
            "Because {} ({id}) and {}, {}.",
            self.0.say_terms(&d.terms),
            self.0.say_external(e),
            self.0.say_terms(now)
        )
    }

    fn and_explain_external(&self, e: &External<P, VS, M>, now: &Map<P, Term<VS>>) -> String {
        format!(
            "And because {}, {}.",
            self.0.say_external(e),
            self.0.say_terms(now)
        )
    }

    fn and_explain_ref(&self, id: usize, d: &Derived<P, VS, M>, now: &Map<P, Term<VS>>) -> String {
        format!(
            "And because {} ({id}), {}.",
            self.0.say_terms(&d.terms),
            self.0.say_terms(now)
        )
    }

    fn and_explain_prior_and_external(
        &self,
        prior: &External<P, VS, M>,
        e: &External<P, VS, M>,
        now: &Map<P, Term<VS>>,
    ) -> String {
        format!(
            "And because {} and {}, {}.",
            self.0.say_external(prior),
            self.0.say_external(e),
            self.0.say_terms(now)
        )
    }
}
