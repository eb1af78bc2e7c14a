//! One version per package on every target (`--consistent`).
//!
//! Each target is resolved on its own; where a package takes different versions, the newest
//! version that has files for every target and is no newer than the lowest of them (the
//! newest the most constrained target accepts) is made a constraint on every target, and all
//! targets are resolved again, until every package agrees. So a release that left one
//! platform out is passed over for the newest release all targets can install. A package
//! no version of which installs on every target ends the search naming it, with the newest
//! version each target has; a package whose forced version cannot be used on some target for
//! other reasons ends it with that target's explanation.

use super::candidates::{Filter, Project};
use super::{Request, Resolution, resolve};
use crate::wheel::TagRanking;
use pep440_rs::Version;
use std::collections::BTreeMap;
use std::sync::Arc;
use unilock_model::index::PackageSource;
use unilock_model::{Diagnostic, ErrorKind, Target};

/// Resolves `request` for every target with one version of each package across them.
pub fn resolve_consistent(
    source: &dyn PackageSource,
    targets: &[Target],
    request: &Request,
) -> Result<Vec<Resolution>, Diagnostic> {
    let filters: Vec<Arc<Filter>> = targets
        .iter()
        .map(|t| {
            Arc::new(Filter {
                ranking: TagRanking::new(t),
                python: t.marker_environment().python_full_version().version.clone(),
                only_binary: request.only_binary,
            })
        })
        .collect();
    let mut forced: BTreeMap<String, Version> = BTreeMap::new();
    loop {
        let mut constrained = request.clone();
        for (name, version) in &forced {
            let pin = format!("{name}=={version}");
            let requirement = unilock_model::requirement::parse_requirement(&pin, None)
                .map_err(|e| Diagnostic::invalid(format!("{pin}: {e}")))?;
            constrained.constraints.push(requirement);
        }
        let mut results = Vec::new();
        for target in targets {
            match resolve(source, target, &constrained) {
                Ok(r) => results.push(r),
                Err(e) if forced.is_empty() || e.kind() != ErrorKind::Unsatisfiable => {
                    return Err(e);
                }
                Err(e) => {
                    let pins: Vec<String> =
                        forced.iter().map(|(n, v)| format!("{n}=={v}")).collect();
                    return Err(Diagnostic::new(
                        ErrorKind::Unsatisfiable,
                        format!(
                            "--consistent: no single set of versions works on every target; with {} (the versions the other targets allow), target {} fails",
                            pins.join(", "),
                            target.spec()
                        ),
                    )
                    .note(e.render()));
                }
            }
        }
        let mut versions: BTreeMap<&str, Vec<Version>> = BTreeMap::new();
        for r in &results {
            for p in &r.packages {
                if let Ok(v) = p.version.parse::<Version>() {
                    versions.entry(&p.name).or_default().push(v);
                }
            }
        }
        let mut progressed = false;
        let mut stuck = Vec::new();
        let mut unshared = Vec::new();
        for (name, vs) in versions {
            let (Some(low), Some(high)) = (vs.iter().min(), vs.iter().max()) else {
                continue;
            };
            if low == high {
                continue;
            }
            let Some(shared) = shared_version(source, name, &filters, low)? else {
                unshared.push(name.to_string());
                continue;
            };
            if forced.get(name) == Some(&shared) {
                stuck.push(format!("{name} ({low} to {high})"));
            } else {
                forced.insert(name.to_string(), shared);
                progressed = true;
            }
        }
        if !unshared.is_empty() {
            let mut error = Diagnostic::new(
                ErrorKind::Unsatisfiable,
                format!(
                    "--consistent: no version of {} installs on every target",
                    unshared.join(", ")
                ),
            );
            for name in &unshared {
                error = error.note(newest_per_target(source, name, targets, &filters)?);
            }
            return Err(error);
        }
        if !progressed {
            if stuck.is_empty() {
                return Ok(results);
            }
            return Err(Diagnostic::new(
                ErrorKind::Unsatisfiable,
                format!(
                    "--consistent: these packages still differ between targets: {}",
                    stuck.join(", ")
                ),
            ));
        }
    }
}

/// The newest version of `name`, no newer than `ceiling`, that has a file installing on every
/// target (and is not yanked).
fn shared_version(
    source: &dyn PackageSource,
    name: &str,
    filters: &[Arc<Filter>],
    ceiling: &Version,
) -> Result<Option<Version>, Diagnostic> {
    let Some(files) = source.project(name)? else {
        return Ok(None);
    };
    let projects: Vec<Project> = filters
        .iter()
        .map(|f| Project::new(files.clone(), f.clone()))
        .collect();
    let Some(first) = projects.first() else {
        return Ok(None);
    };
    Ok(first
        .versions()
        .rev()
        .filter(|v| *v <= ceiling)
        .find(|v| {
            projects
                .iter()
                .all(|p| p.get(v).is_some_and(|f| f.usable() && !f.yanked))
        })
        .cloned())
}

/// `name`'s newest version with a file for each target, as a note.
fn newest_per_target(
    source: &dyn PackageSource,
    name: &str,
    targets: &[Target],
    filters: &[Arc<Filter>],
) -> Result<String, Diagnostic> {
    let files = source.project(name)?;
    let mut parts = Vec::new();
    for (target, filter) in targets.iter().zip(filters) {
        let newest = files.as_ref().and_then(|files| {
            let p = Project::new(files.clone(), filter.clone());
            p.versions()
                .rev()
                .find(|v| p.get(v).is_some_and(|f| f.usable() && !f.yanked))
                .cloned()
        });
        parts.push(match newest {
            Some(v) => format!("{v} for {}", target.spec()),
            None => format!("none for {}", target.spec()),
        });
    }
    Ok(format!(
        "{name}: the newest version with files for each target: {}",
        parts.join("; ")
    ))
}
