//! Resolving conda specs for one target with PubGrub.
//!
//! [`resolve`] takes the environment's MatchSpecs ([`CondaRequest`]), the channels (a
//! [`CondaSource`]) and a target, and returns one build per package ([`CondaResolution`]),
//! or an explanation in real versions, build strings and the target's virtual packages.
//! The encoding — builds as candidates, `constrains` through an absent candidate, virtual
//! packages from the target, the target's Python — is described in `docs/solver.md` and in
//! the modules `candidates` and `provider`.

pub(crate) mod candidates;
pub(crate) mod explain;
pub(crate) mod provider;
#[cfg(test)]
mod tests;

use candidates::{ABSENT, Candidate};
use provider::{Pkg, Provider};
use rattler_conda_types::{MatchSpec, RepoDataRecord};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use unilock_model::channel::CondaSource;
use unilock_model::{Diagnostic, ErrorKind, Target};

pub use provider::target_python;

/// A build to keep when it still fits (from an existing lock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    pub version: String,
    pub build: String,
}

/// What to resolve.
#[derive(Debug, Clone, Default)]
pub struct CondaRequest {
    /// The environment's specs, each with where it was written (`environment.yml:5:5`).
    pub specs: Vec<(MatchSpec, String)>,
    /// Builds to try first, by normalised package name.
    pub preferences: HashMap<String, Pin>,
}

/// Why a build cannot be used at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    /// A `depends`/`constrains` entry that is not a MatchSpec naming one package.
    BadSpec { spec: String, why: String },
    /// A conditional dependency (`when=`), which this solve does not read yet.
    Conditional(String),
    /// A candidate index outside the package's list (never produced by the solver itself).
    NoSuchCandidate,
}

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unusable::BadSpec { spec, why } => {
                write!(f, "its dependency `{spec}` cannot be read: {why}")
            }
            Unusable::Conditional(spec) => write!(
                f,
                "its conditional dependency `{spec}` (`when=`) is not supported yet"
            ),
            Unusable::NoSuchCandidate => f.write_str("is not in the channels"),
        }
    }
}

/// One chosen build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CondaPackage {
    pub record: RepoDataRecord,
    /// The position of its channel in the configured order.
    pub channel_rank: u32,
    /// Input specs (their origins, `environment.yml:5:5`) and packages (`conda:<name>`) that
    /// depend on it; in a joint solve also the PyPI requirements it meets.
    pub requested_by: Vec<String>,
    /// The PyPI distributions it installs that a joint solve counted (normalised names).
    pub provides: Vec<String>,
}

/// The outcome: every chosen build (virtual packages left out), sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CondaResolution {
    pub packages: Vec<CondaPackage>,
    /// What the user should know about the channels read (records skipped, …).
    pub warnings: Vec<String>,
}

/// Resolves `request` for `target` against the channels of `source`.
pub fn resolve(
    source: &dyn CondaSource,
    target: &Target,
    request: &CondaRequest,
) -> Result<CondaResolution, Diagnostic> {
    provider::check_names(request)?;
    let provider = Provider::new(source, target, request);
    check_root_conflicts(&provider)?;
    let selected = match pubgrub::resolve(&provider, Pkg::Root, 0u32) {
        Ok(selected) => selected,
        Err(pubgrub::PubGrubError::NoSolution(tree)) => {
            return Err(Diagnostic::new(
                ErrorKind::Unsatisfiable,
                format!(
                    "the conda specs cannot be satisfied on target {}",
                    target.spec()
                ),
            )
            .note(explain::explain(&tree, &provider)));
        }
        Err(pubgrub::PubGrubError::ErrorRetrievingDependencies { source, .. })
        | Err(pubgrub::PubGrubError::ErrorChoosingVersion { source, .. })
        | Err(pubgrub::PubGrubError::ErrorInShouldCancel(source)) => return Err(source),
    };
    collect(&provider, source, selected.into_iter().collect())
}

/// Two input specs on one name that no build satisfies together (the environment's
/// `python 3.9.*` against the target's Python 3.11): said with both origins before solving.
pub(crate) fn check_root_conflicts(provider: &Provider) -> Result<(), Diagnostic> {
    let edges = provider.root_edges();
    let mut sets = Vec::new();
    for e in &edges {
        let spec = provider::parse_spec(&e.spec)
            .map_err(|why| Diagnostic::invalid(format!("{}: `{}`: {why}", e.origin, e.spec)))?;
        sets.push(provider.matching(&e.name, &spec)?);
    }
    for (i, a) in edges.iter().enumerate() {
        for (j, b) in edges.iter().enumerate().skip(i + 1) {
            if a.name != b.name || sets[i].is_empty() || sets[j].is_empty() {
                continue;
            }
            if sets[i].intersection(&sets[j]).is_empty() {
                let candidates = provider.candidates(&a.name)?;
                return Err(Diagnostic::new(
                    ErrorKind::Unsatisfiable,
                    format!(
                        "the conda specs cannot be satisfied on target {}",
                        provider.target.spec()
                    ),
                )
                .note(format!(
                    "{} asks for `{}` ({}), but {} asks for `{}` ({}): no build of {} is both",
                    a.origin,
                    a.spec,
                    candidates.describe(&sets[i]),
                    b.origin,
                    b.spec,
                    candidates.describe(&sets[j]),
                    a.name
                )));
            }
        }
    }
    Ok(())
}

pub(crate) fn collect(
    provider: &Provider,
    source: &dyn CondaSource,
    selected: BTreeMap<Pkg, u32>,
) -> Result<CondaResolution, Diagnostic> {
    let edges = provider.edges.borrow();
    let mut requested_by: HashMap<String, Vec<String>> = HashMap::new();
    for (pkg, index) in &selected {
        let Some(list) = edges.get(&(pkg.clone(), *index)) else {
            continue;
        };
        for e in list.iter().filter(|e| !e.constrains) {
            let by = match pkg {
                Pkg::Root => e.origin.clone(),
                Pkg::Conda(n) => format!("conda:{n}"),
            };
            let entry = requested_by.entry(e.name.clone()).or_default();
            if !entry.contains(&by) {
                entry.push(by);
            }
        }
    }
    let mut packages = Vec::new();
    for (pkg, index) in selected {
        let Pkg::Conda(name) = pkg else { continue };
        if index == ABSENT {
            continue;
        }
        let candidates = provider.candidates(&name)?;
        let Some(Candidate::Build(b)) = candidates.get(index) else {
            continue;
        };
        packages.push(CondaPackage {
            record: b.record.clone(),
            channel_rank: b.channel_rank,
            requested_by: requested_by.remove(&name).unwrap_or_default(),
            provides: Vec::new(),
        });
    }
    packages.sort_by(|a, b| {
        a.record
            .package_record
            .name
            .as_normalized()
            .cmp(b.record.package_record.name.as_normalized())
    });
    Ok(CondaResolution {
        packages,
        warnings: source.warnings(),
    })
}
