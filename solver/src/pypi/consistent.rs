//! One version per package on every target (`--consistent`).
//!
//! Each target is resolved on its own; where a package takes different versions, the lowest
//! of them (the newest that the most constrained target accepts) is made a constraint on every
//! target, and all targets are resolved again, until every package agrees. A package whose
//! forced version cannot be used on some target ends the search with that target's
//! explanation, which names the package and why.

use super::{Request, Resolution, resolve};
use pep440_rs::Version;
use std::collections::BTreeMap;
use unilock_model::index::PackageSource;
use unilock_model::{Diagnostic, ErrorKind, Target};

/// Resolves `request` for every target with one version of each package across them.
pub fn resolve_consistent(
    source: &dyn PackageSource,
    targets: &[Target],
    request: &Request,
) -> Result<Vec<Resolution>, Diagnostic> {
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
        for (name, vs) in versions {
            let (Some(low), Some(high)) = (vs.iter().min(), vs.iter().max()) else {
                continue;
            };
            if low == high {
                continue;
            }
            if forced.get(name) == Some(low) {
                stuck.push(format!("{name} ({low} to {high})"));
            } else {
                forced.insert(name.to_string(), low.clone());
                progressed = true;
            }
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
