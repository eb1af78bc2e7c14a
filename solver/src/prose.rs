//! How a PubGrub derivation becomes sentences ("Because A and B, C.", "And because D, E."),
//! shared by every solve's explanation. Each solve says how one of its incompatibilities and
//! one set of terms read ([`Wording`]); [`report`] strings the steps together, and bounds the
//! result: a derivation of thousands of steps (a failed `apache-airflow[all]`) would otherwise
//! be a message of megabytes, so only its first and last lines are shown with a line saying
//! how many were left out ([`LINES_SHOWN`]; `UNILOCK_EXPLAIN_LINES` overrides it, 0 shows all).

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

/// How many lines of a derivation are shown by default: its first [`HEAD_SHOWN`] (where the
/// causes are) and its last ones (how they reach the requirements).
pub const LINES_SHOWN: usize = 40;
const HEAD_SHOWN: usize = 15;
/// The variable that overrides [`LINES_SHOWN`]; 0 shows every line.
pub const LINES_VARIABLE: &str = "UNILOCK_EXPLAIN_LINES";

/// How many lines of a derivation to show: `UNILOCK_EXPLAIN_LINES` when it is a number
/// (`None`, all of them, for 0), else [`LINES_SHOWN`].
fn lines_shown() -> Option<usize> {
    match std::env::var(LINES_VARIABLE)
        .ok()
        .map(|v| v.trim().parse::<usize>())
    {
        Some(Ok(0)) => None,
        Some(Ok(n)) => Some(n),
        _ => Some(LINES_SHOWN),
    }
}

/// `text` with at most `shown` of its lines: the first ones and the last ones, and between
/// them one line saying how many were left out and how to see them.
pub fn bounded(text: String, shown: Option<usize>) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let Some(shown) = shown.filter(|n| *n < lines.len()) else {
        return text;
    };
    let head = HEAD_SHOWN.min(shown / 2);
    let tail = shown - head;
    let left_out = lines.len() - shown;
    let mut out = lines[..head].join("\n");
    out.push_str(&format!(
        "\n… {left_out} lines of the explanation left out ({LINES_VARIABLE}=0 shows them all)\n"
    ));
    out.push_str(&lines[lines.len() - tail..].join("\n"));
    out
}

/// The report of `tree` in `wording`'s words, bounded to [`LINES_SHOWN`] lines.
pub fn report<P, VS, M, W>(tree: &DerivationTree<P, VS, M>, wording: &W) -> String
where
    P: Package,
    VS: VersionSet,
    M: Eq + Clone + Debug + Display,
    W: Wording<P, VS, M>,
{
    bounded(
        DefaultStringReporter::report_with_formatter(tree, &Sentences(wording)),
        lines_shown(),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_derivation_keeps_its_first_and_last_lines_and_counts_the_others() {
        let text: Vec<String> = (1..=100).map(|i| format!("step {i}")).collect();
        let shown = bounded(text.join("\n"), Some(40));
        let lines: Vec<&str> = shown.lines().collect();
        assert_eq!(lines.len(), 41);
        assert_eq!(lines[..2], ["step 1", "step 2"]);
        assert_eq!(lines[14], "step 15");
        assert_eq!(
            lines[15],
            "… 60 lines of the explanation left out (UNILOCK_EXPLAIN_LINES=0 shows them all)"
        );
        assert_eq!(lines[16], "step 76");
        assert_eq!(lines[40], "step 100");
        let short = "a\nb".to_string();
        assert_eq!(bounded(short.clone(), Some(40)), short);
        assert_eq!(bounded(text.join("\n"), None), text.join("\n"));
    }
}
