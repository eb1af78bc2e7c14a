//! The joint solve: conda specs and PyPI requirements decided together, for one target, in
//! one PubGrub run ([`resolve`]).
//!
//! Conda packages, PyPI distributions (and their extras) and the target's virtual packages
//! are packages of one run; every version is a candidate index. A conda build that installs a
//! PyPI distribution provides it ([`bridge`]): a PyPI requirement on the distribution is met
//! by the conda package and limits its version in the same run, and a distribution never
//! comes from both sides. The encoding is described in `docs/solver.md`.
//!
//! Python is decided first. When the target names it, both sides use it. When it does not,
//! the conda specs alone choose it (the Python the conda solve picks), and the joint run uses
//! that Python for the PyPI side's markers and wheel tags; when the joint run fails there, the
//! next lower Python minor versions are tried before the first failure is reported.

mod bridge;
mod consistent;
mod explain;
mod provider;
#[cfg(test)]
mod tests;

pub use consistent::resolve_consistent;

use crate::conda::{self, CondaRequest, CondaResolution};
use crate::pypi::{self, Request, Resolution};
use bridge::PyCandidate;
use provider::{Pkg, Provider};
use std::collections::BTreeMap;
use unilock_model::channel::CondaSource;
use unilock_model::index::PackageSource;
use unilock_model::target::PythonVersion;
use unilock_model::{Diagnostic, ErrorKind, Target};

/// What to resolve: the conda specs and the PyPI requirements of one environment.
#[derive(Debug, Clone, Default)]
pub struct JointRequest {
    pub conda: CondaRequest,
    pub pypi: Request,
}

/// A PyPI distribution that a chosen conda package installs, and who required it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bridged {
    /// The distribution's normalised name.
    pub distribution: String,
    /// The conda package that installs it.
    pub conda_package: String,
    /// Its version, as the conda channel writes it.
    pub version: String,
    /// The PyPI requirements (their origins) and packages (`pypi:name`) that asked for it.
    pub requested_by: Vec<String>,
}

/// The outcome for one target.
#[derive(Debug, Clone)]
pub struct JointResolution {
    /// The target as solved: with the Python the conda side chose when the target named none.
    pub target: Target,
    pub conda: CondaResolution,
    /// The PyPI packages installed from the indexes.
    pub pypi: Resolution,
    /// PyPI distributions the conda side installs, sorted by name.
    pub bridged: Vec<Bridged>,
}

/// How many Python minor versions below the conda side's choice are tried when the joint run
/// fails at that one.
const LOWER_PYTHONS: u32 = 3;

/// Resolves `request` for `target`: conda specs against `channels`, PyPI requirements
/// against `index`, together.
pub fn resolve(
    channels: &dyn CondaSource,
    index: &dyn PackageSource,
    target: &Target,
    request: &JointRequest,
) -> Result<JointResolution, Diagnostic> {
    conda::provider::check_names(&request.conda)?;
    let targets = python_targets(channels, target, request)?;
    let mut first: Option<Diagnostic> = None;
    let mut tried = Vec::new();
    for t in &targets {
        match solve(channels, index, t, request) {
            Ok(r) => return Ok(r),
            Err(e) if e.kind() == ErrorKind::Unsatisfiable => {
                tried.push(format!("{}.{}", t.python.major, t.python.minor));
                first.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    let Some(mut e) = first else {
        return Err(Diagnostic::new(
            ErrorKind::Unsatisfiable,
            format!("no Python to solve for on target {}", target.spec()),
        ));
    };
    if tried.len() > 1 {
        e = e.note(format!(
            "the target names no Python; the conda specs chose Python {}, and Python {} were tried as well: none works",
            tried[0],
            tried[1..].join(", ")
        ));
    }
    Err(e)
}

/// The targets to try, with Python fixed: the target itself when it names a Python; else the
/// Python the conda specs alone lead to, then the lower minor versions.
fn python_targets(
    channels: &dyn CondaSource,
    target: &Target,
    request: &JointRequest,
) -> Result<Vec<Target>, Diagnostic> {
    if conda::target_python(target).is_some() {
        return Ok(vec![target.clone()]);
    }
    let alone = conda::resolve(channels, target, &request.conda)?;
    let python = alone
        .packages
        .iter()
        .find(|p| p.record.package_record.name.as_normalized() == "python");
    let Some(python) = python else {
        let origin = request
            .pypi
            .requirements
            .first()
            .map(|(_, o)| format!("{o}: "))
            .unwrap_or_default();
        return Err(Diagnostic::usage(format!(
            "{origin}PyPI requirements need a Python, and the conda specs install none on target {}",
            target.spec()
        ))
        .note("add `python` to the conda dependencies, or `python=X.Y` to the target"));
    };
    let text = python.record.package_record.version.to_string();
    let parts: Vec<u32> = text
        .split('.')
        .map_while(|p| p.parse::<u32>().ok())
        .collect();
    let [major, minor, rest @ ..] = parts.as_slice() else {
        return Err(Diagnostic::invalid(format!(
            "the conda solve chose python {text}, which is not a MAJOR.MINOR version"
        )));
    };
    let chosen = PythonVersion {
        major: *major,
        minor: *minor,
        patch: rest.first().copied(),
        free_threaded: false,
    };
    let mut out = vec![target.with_python(chosen, "the conda solve")];
    for below in 1..=LOWER_PYTHONS.min(*minor) {
        let lower = PythonVersion {
            minor: minor - below,
            patch: None,
            ..chosen
        };
        let lower = target.with_python(lower, "the conda solve");
        // Only a Python the conda specs allow (and the channels have) is worth a run.
        let conda_side = conda::provider::Provider::new(channels, &lower, &request.conda);
        if conda::check_root_conflicts(&conda_side).is_ok() && conda_side.has_python()? {
            out.push(lower);
        }
    }
    Ok(out)
}

/// One joint run for a target whose Python is fixed.
fn solve(
    channels: &dyn CondaSource,
    index: &dyn PackageSource,
    target: &Target,
    request: &JointRequest,
) -> Result<JointResolution, Diagnostic> {
    let conda_side = conda::provider::Provider::new(channels, target, &request.conda);
    conda::check_root_conflicts(&conda_side)?;
    let direct = pypi::direct_references(&request.pypi)?;
    let pypi_side = pypi::provider::Provider::new(index, &request.pypi, target, direct);
    let provider = Provider::new(conda_side, pypi_side);
    let selected = match pubgrub::resolve(&provider, Pkg::Root, 0u32) {
        Ok(selected) => selected,
        Err(pubgrub::PubGrubError::NoSolution(tree)) => {
            return Err(Diagnostic::new(
                ErrorKind::Unsatisfiable,
                format!(
                    "the conda specs and PyPI requirements cannot be satisfied together on target {}",
                    target.spec()
                ),
            )
            .note(explain::explain(&tree, &provider)));
        }
        Err(pubgrub::PubGrubError::ErrorRetrievingDependencies { source, .. })
        | Err(pubgrub::PubGrubError::ErrorChoosingVersion { source, .. })
        | Err(pubgrub::PubGrubError::ErrorInShouldCancel(source)) => return Err(source),
    };
    collect(
        &provider,
        channels,
        target,
        request,
        selected.into_iter().collect(),
    )
}

fn collect(
    provider: &Provider,
    channels: &dyn CondaSource,
    target: &Target,
    request: &JointRequest,
    selected: BTreeMap<Pkg, u32>,
) -> Result<JointResolution, Diagnostic> {
    let mut conda_selected = BTreeMap::new();
    let mut pypi_selected = BTreeMap::new();
    let mut bridged = Vec::new();
    for (pkg, i) in selected {
        match pkg {
            Pkg::Root => {
                conda_selected.insert(conda::provider::Pkg::Root, 0);
            }
            Pkg::Conda(name) => {
                conda_selected.insert(conda::provider::Pkg::Conda(name), i);
            }
            Pkg::Pypi(p) => {
                let Some(name) = p.name() else { continue };
                let dist = provider.dist(name)?;
                match dist.get(i) {
                    Some(PyCandidate::Index(v)) => {
                        pypi_selected.insert(p, v.clone());
                    }
                    Some(PyCandidate::Conda { package, text, .. })
                        if matches!(p, pypi::provider::Pkg::Dist(_)) =>
                    {
                        bridged.push(Bridged {
                            distribution: name.to_string(),
                            conda_package: package.clone(),
                            version: text.clone(),
                            requested_by: Vec::new(),
                        });
                    }
                    _ => {}
                }
            }
        }
    }
    // Who asked for each bridged distribution: the input's requirements and the PyPI packages
    // installed from the indexes.
    {
        let edges = provider.pypi.edges.borrow();
        for b in &mut bridged {
            for (r, origin) in &request.pypi.requirements {
                if r.name.as_ref() == b.distribution && !b.requested_by.contains(origin) {
                    b.requested_by.push(origin.clone());
                }
            }
            for (pkg, version) in &pypi_selected {
                let Some(e) = edges.get(&(pkg.clone(), version.clone())) else {
                    continue;
                };
                let Some(name) = pkg.name() else { continue };
                let label = format!("pypi:{name}");
                if e.dependencies
                    .iter()
                    .any(|(d, _)| d.as_ref() == b.distribution)
                    && !b.requested_by.contains(&label)
                {
                    b.requested_by.push(label);
                }
            }
        }
    }
    let mut conda = conda::collect(&provider.conda, channels, conda_selected)?;
    for p in &mut conda.packages {
        let name = p.record.package_record.name.as_normalized();
        for b in bridged.iter().filter(|b| b.conda_package == name) {
            p.provides.push(b.distribution.clone());
            for by in &b.requested_by {
                if !p.requested_by.contains(by) {
                    p.requested_by.push(by.clone());
                }
            }
        }
    }
    let mut pypi = pypi::collect(&provider.pypi, pypi_selected, &request.pypi)?;
    pypi.warnings
        .extend(provider.notes.borrow().iter().cloned());
    bridged.sort_by(|a, b| a.distribution.cmp(&b.distribution));
    Ok(JointResolution {
        target: target.clone(),
        conda,
        pypi,
        bridged,
    })
}
