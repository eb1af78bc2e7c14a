//! The plan of `unilock migrate conda-to-uv`: what becomes of each package of a conda
//! environment when the project moves to uv, and what the PyPI solve is asked for.
//!
//! The input is the conda packages the environment installs ([`CondaPackage`]): its exact
//! `name=version=build` pins when it is fully pinned, as `conda env export` writes it
//! ([`pinned`]), or the conda builds a joint solve chose for it ([`from_lock`]). [`plan`]
//! decides for each one ([`Decision`]), in this order:
//!
//! 1. `python` is the interpreter: its major.minor goes to `.python-version` and fixes the
//!    Python of the targets that name none.
//! 2. R packages (`r-*`, `bioconductor-*`, but `r-base`, which is in the system table) have no
//!    PyPI counterpart.
//! 3. CUDA (`cudatoolkit`, `cuda-*`, `pytorch-cuda`, `cudnn`, `nccl`, `libcu*`, `libnv*`,
//!    `libnpp*`, anything from the `nvidia` channel): when the plan installs `torch`, the
//!    PyPI torch wheels for Linux bring CUDA themselves (they require the `nvidia-*-cu12`
//!    wheels, each the CUDA library of the build torch was made with), so these need nothing
//!    more ([`Decision::CudaFromWheels`]); the CUDA version is then torch's, not the conda
//!    environment's, which MIGRATION.md says. Without torch they are system packages.
//! 4. A package the system table names ([`unilock_model::system_packages`]) installs no Python
//!    distribution: its apt, apk, dnf and nixpkgs names are what to use instead.
//! 5. The conda↔PyPI bridge ([`unilock_model::conda_pypi::pypi_distributions`]: purls, the
//!    table, the same name): the PyPI distributions it installs, wanted at the conda version
//!    as a *preference* (kept where PyPI has it and the rest of the solve allows it, not a
//!    fresh upgrade). `pytorch` → `torch` comes from the bridge table.
//! 6. Anything else has no known counterpart ([`Decision::Unknown`]) and is listed as such.
//!
//! The PyPI requirements ([`Plan::requirements`]) are the distributions of the conda packages
//! the environment asks for by name (not those it only installs as dependencies: those stay
//! preferences, taken if the PyPI packages need them), plus the `pip:` section's requirements
//! exactly as written. A distribution the `pip:` section requires is the `pip:` section's: the
//! conda package's version is then not even a preference. Nothing is dropped: every conda
//! package has an entry, and [`report`] writes every entry into MIGRATION.md.
//!
//! This module is pure: the environment arrives parsed, the solves are the caller's.

pub mod report;

use crate::conda::provider::exact_name;
use rattler_conda_types::{MatchSpec, StringMatcher, VersionSpec};
use std::collections::HashMap;
use std::str::FromStr;
use unilock_model::conda_pypi::pypi_distributions;
use unilock_model::system_packages::{self, Kind, SystemPackage};
use unilock_model::{Ecosystem, Lock, Manifest, Requirement};

/// One conda package the environment installs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CondaPackage {
    /// The conda name (lowercase).
    pub name: String,
    /// The conda version; empty when only the environment's spec is known ([`from_specs`]).
    pub version: String,
    /// The spec's version constraint as PEP 440 specifiers (`>=1.26,<2`), when the plan is
    /// made from specs ([`from_specs`]) and the constraint translates; kept as the PyPI
    /// requirement's constraint.
    pub constraint: Option<String>,
    pub build: Option<String>,
    /// The channel as the bridge reads it: a name (`conda-forge`) or a channel URL.
    pub channel: String,
    /// The record's `purls`, when known (from a channel's repodata).
    pub purls: Vec<String>,
    /// Where the environment asks for it by name (`environment.yml:5:5`); `None` for a
    /// package installed only as a dependency of others.
    pub requested: Option<String>,
}

/// What becomes of one conda package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// `python`: the interpreter, `major.minor` into `.python-version` (empty when the
    /// environment's spec names no minor version: the target's Python is taken).
    Interpreter { major_minor: String },
    /// Installed from PyPI as these distributions (normalised names), preferring `preference`
    /// (the conda version read as PEP 440; `None` when it does not read as one, or when the
    /// `pip:` section requires the distribution).
    Pypi {
        distributions: Vec<String>,
        preference: Option<pep440_rs::Version>,
    },
    /// A piece of CUDA that the PyPI torch wheels bring themselves.
    CudaFromWheels,
    /// No PyPI counterpart: a system package (the table's row, when it has one).
    System {
        kind: Kind,
        row: Option<&'static SystemPackage>,
    },
    /// An R package: no PyPI counterpart.
    RPackage,
    /// No PyPI counterpart and no known system package.
    Unknown,
}

/// One conda package and its decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub package: CondaPackage,
    pub decision: Decision,
}

/// A `pip:` entry that names a local project or a checkout (`-e .`, `./pkg`,
/// `git+https://…` without a name), which a uv project adds as a path or source, not a pin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalProject {
    /// As written (`-e .`).
    pub text: String,
    /// Where it was written.
    pub origin: String,
}

/// The migration plan.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Every conda package, sorted by name.
    pub entries: Vec<Entry>,
    /// The conda python's `major.minor`, when the environment installs Python.
    pub python: Option<String>,
    /// What the uv project requires: the distributions of the requested conda packages (no
    /// version: the conda version is a preference) and the `pip:` section's requirements as
    /// written, each with where it comes from.
    pub requirements: Vec<(pep508_rs::Requirement, String)>,
    /// The conda versions, as preferences of the PyPI solve.
    pub preferences: HashMap<pep508_rs::PackageName, pep440_rs::Version>,
    /// The `pip:` section's requirements (normalised names), kept as written.
    pub pip: Vec<(pep508_rs::Requirement, String)>,
    /// `pip:` entries that name local projects or checkouts.
    pub local: Vec<LocalProject>,
    /// What else the reader should know (a conda version that is no PEP 440 version, …).
    pub notes: Vec<String>,
}

impl Plan {
    /// Whether the plan installs `torch` from PyPI.
    pub fn has_torch(&self) -> bool {
        self.pip.iter().any(|(r, _)| r.name.as_ref() == "torch")
            || self.entries.iter().any(|e| match &e.decision {
                Decision::Pypi { distributions, .. } => distributions.iter().any(|d| d == "torch"),
                _ => false,
            })
    }
}

/// The packages of a fully pinned environment (every spec `name=version=build`, as `conda env
/// export` writes it), or `None` when some spec is not such a pin. `channels` are the
/// environment's channels in order; a package without `channel::` is taken as the first's.
/// Every spec counts as requested (an export lists dependencies and requested packages alike).
pub fn pinned(specs: &[(MatchSpec, String)], channels: &[String]) -> Option<Vec<CondaPackage>> {
    if specs.is_empty() {
        return None;
    }
    let default_channel = default_channel(channels);
    specs
        .iter()
        .map(|(spec, origin)| {
            let name = exact_name(spec)?;
            let version = match spec.version.as_ref()? {
                VersionSpec::Exact(_, v) => v.to_string(),
                VersionSpec::StrictRange(_, v) => v.to_string(),
                _ => return None,
            };
            let build = match spec.build.as_ref()? {
                StringMatcher::Exact(b) => b.clone(),
                _ => return None,
            };
            let channel = spec
                .channel
                .as_ref()
                .map(|c| c.name().to_string())
                .unwrap_or_else(|| default_channel.clone());
            Some(CondaPackage {
                name,
                version,
                build: Some(build),
                channel,
                purls: Vec::new(),
                constraint: None,
                requested: Some(origin.clone()),
            })
        })
        .collect()
}

/// The channel a spec without `channel::` is read from: the environment's first channel
/// (but `defaults`), else conda-forge.
fn default_channel(channels: &[String]) -> String {
    channels
        .iter()
        .find(|c| *c != "defaults")
        .cloned()
        .unwrap_or_else(|| "conda-forge".to_string())
}

/// The packages of a loose environment read from its specs alone, with no channel
/// (`--from-specs`): each spec with an exact name is a requested package; its version is the
/// spec's exact version when it names one (`numpy==1.26.4`), else empty; its constraint is
/// the spec's version constraint in PEP 440 terms ([`pep440_constraint`]). Specs that name no
/// exact package, and constraints that do not translate, are described in the notes returned.
/// The packages a solve would add as dependencies are unknown here.
pub fn from_specs(
    specs: &[(MatchSpec, String)],
    channels: &[String],
) -> (Vec<CondaPackage>, Vec<String>) {
    let default_channel = default_channel(channels);
    let mut notes = Vec::new();
    let mut out: Vec<CondaPackage> = Vec::new();
    for (spec, origin) in specs {
        let Some(name) = exact_name(spec) else {
            notes.push(format!(
                "{origin}: `{spec}` names no single package; it is not migrated"
            ));
            continue;
        };
        let version = match &spec.version {
            Some(VersionSpec::Exact(rattler_conda_types::EqualityOperator::Equals, v)) => {
                v.to_string()
            }
            _ => String::new(),
        };
        let constraint = match &spec.version {
            None | Some(VersionSpec::Any) => None,
            Some(v) => {
                let c = pep440_constraint(v);
                if c.is_none() {
                    notes.push(format!(
                        "{origin}: the version constraint of `{spec}` has no PEP 440 equivalent; {name} is required without it"
                    ));
                }
                c
            }
        };
        let channel = spec
            .channel
            .as_ref()
            .map(|c| c.name().to_string())
            .unwrap_or_else(|| default_channel.clone());
        // A name given twice (a general spec and a narrower one) keeps the first.
        if out.iter().any(|p| p.name == name) {
            continue;
        }
        out.push(CondaPackage {
            name,
            version,
            build: None,
            channel,
            purls: Vec::new(),
            constraint,
            requested: Some(origin.clone()),
        });
    }
    (out, notes)
}

/// A conda version constraint as PEP 440 specifiers, when it has an equivalent: `==`, `!=`,
/// `>=`, `>`, `<=`, `<` as they are, `1.26.*` (conda's `=1.26`) as `==1.26.*`, `~=` as it is,
/// `,` (and) joined; `|` (or) and versions PEP 440 cannot read have none.
pub fn pep440_constraint(spec: &VersionSpec) -> Option<String> {
    use rattler_conda_types::{
        EqualityOperator, LogicalOperator, RangeOperator, StrictRangeOperator,
    };
    let text = match spec {
        VersionSpec::Exact(EqualityOperator::Equals, v) => format!("=={v}"),
        VersionSpec::Exact(EqualityOperator::NotEquals, v) => format!("!={v}"),
        VersionSpec::Range(op, v) => {
            let op = match op {
                RangeOperator::Greater => ">",
                RangeOperator::GreaterEquals => ">=",
                RangeOperator::Less => "<",
                RangeOperator::LessEquals => "<=",
            };
            format!("{op}{v}")
        }
        VersionSpec::StrictRange(StrictRangeOperator::StartsWith, v) => format!("=={v}.*"),
        VersionSpec::StrictRange(StrictRangeOperator::Compatible, v) => format!("~={v}"),
        VersionSpec::Group(LogicalOperator::And, list) => list
            .iter()
            .map(pep440_constraint)
            .collect::<Option<Vec<_>>>()?
            .join(","),
        _ => return None,
    };
    pep440_rs::VersionSpecifiers::from_str(&text).ok()?;
    Some(text)
}

/// The conda packages a joint (or conda) solve locked, over every target: a package locked at
/// several versions (on different targets) is taken at the version of the first target that
/// has it. `requested` are the conda names the environment asks for, with where.
pub fn from_lock(lock: &Lock, requested: &[(String, String)]) -> Vec<CondaPackage> {
    let order: Vec<&str> = lock.targets.iter().map(|t| t.name.as_str()).collect();
    let first_target = |p: &unilock_model::lock::LockedPackage| {
        p.targets
            .iter()
            .filter_map(|t| order.iter().position(|o| o == t))
            .min()
            .unwrap_or(usize::MAX)
    };
    let mut conda: Vec<&unilock_model::lock::LockedPackage> = lock
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Conda)
        .collect();
    conda.sort_by_key(|p| (p.name.clone(), first_target(p)));
    conda.dedup_by(|b, a| a.name == b.name);
    conda
        .into_iter()
        .map(|p| CondaPackage {
            name: p.name.clone(),
            version: p.version.clone(),
            build: p.build.clone(),
            channel: p
                .source
                .clone()
                .unwrap_or_else(|| "conda-forge".to_string()),
            constraint: None,
            purls: p
                .conda
                .as_ref()
                .map(|c| c.purls.clone())
                .unwrap_or_default(),
            requested: requested
                .iter()
                .find(|(n, _)| *n == p.name)
                .map(|(_, o)| o.clone()),
        })
        .collect()
}

/// Takes the `pip:` requirements that name local projects or checkouts (`-e .`, `./pkg`,
/// `git+https://…` without a name) out of `manifest`: they cannot be pinned from an index.
/// Wheels and sdists named by path or URL stay. `file` names the manifest's file for
/// requirements that carry no origin.
pub fn local_projects(manifest: &mut Manifest, file: &str) -> Vec<LocalProject> {
    let mut out = Vec::new();
    manifest.requirements.retain(|r| {
        let Requirement::PypiUnnamed(u) = &r.requirement else {
            return true;
        };
        let path = u.url.to_url().path().to_string();
        let archive = [".whl", ".tar.gz", ".zip"]
            .iter()
            .any(|ext| path.ends_with(ext));
        if !archive {
            let text = if r.editable {
                format!("-e {u}")
            } else {
                u.to_string()
            };
            let origin = r.origin.as_ref().map_or_else(
                || file.to_string(),
                |o| format!("{}:{}:{}", o.file, o.line, o.column),
            );
            out.push(LocalProject { text, origin });
        }
        archive
    });
    out
}

/// The conda names the specs ask for by exact name, each with where it was written.
pub fn requested_names(specs: &[(MatchSpec, String)]) -> Vec<(String, String)> {
    specs
        .iter()
        .filter_map(|(s, origin)| Some((exact_name(s)?, origin.clone())))
        .collect()
}

/// Whether a conda package is a piece of CUDA (see the module doc).
fn is_cuda(p: &CondaPackage) -> bool {
    let n = p.name.as_str();
    let channel = p.channel.trim_end_matches('/');
    channel == "nvidia"
        || channel.ends_with("/nvidia")
        || matches!(
            n,
            "cudatoolkit" | "pytorch-cuda" | "cudnn" | "nccl" | "cutensor"
        )
        || ["cuda-", "libcu", "libnv", "libnpp"]
            .iter()
            .any(|prefix| n.starts_with(prefix))
}

/// Decides for every package (see the module doc); `pip` are the `pip:` section's PyPI
/// requirements with where they were written.
pub fn plan(packages: Vec<CondaPackage>, pip: &[(pep508_rs::Requirement, String)]) -> Plan {
    let mut plan = Plan {
        pip: pip.to_vec(),
        ..Plan::default()
    };
    let pip_names: Vec<String> = pip.iter().map(|(r, _)| r.name.to_string()).collect();
    let mut packages = packages;
    packages.sort_by(|a, b| a.name.cmp(&b.name));
    // CUDA depends on whether torch comes from PyPI, which the bridge decides first.
    let mut torch = pip_names.iter().any(|n| n == "torch");
    let mut decided: Vec<(CondaPackage, Option<Decision>)> = Vec::new();
    for p in packages {
        let decision = decide(&p);
        if let Some(Decision::Pypi { distributions, .. }) = &decision {
            torch |= distributions.iter().any(|d| d == "torch");
        }
        decided.push((p, decision));
    }
    for (p, decision) in decided {
        let decision = match decision {
            Some(d) => d,
            None if torch => Decision::CudaFromWheels,
            None => Decision::System {
                kind: Kind::Cuda,
                row: system_packages::lookup(&p.name),
            },
        };
        if let Decision::Interpreter { major_minor } = &decision
            && !major_minor.is_empty()
        {
            plan.python = Some(major_minor.clone());
        }
        let decision = match decision {
            Decision::Pypi { distributions, .. } => {
                let preference = pep440_rs::Version::from_str(&p.version).ok();
                if preference.is_none() && !p.version.is_empty() {
                    plan.notes.push(format!(
                        "conda `{} {}`: `{}` is not a PEP 440 version, so it is no preference of the PyPI solve",
                        p.name, p.version, p.version
                    ));
                }
                for d in &distributions {
                    if pip_names.contains(d) {
                        continue;
                    }
                    let Ok(name) = pep508_rs::PackageName::new(d.clone()) else {
                        continue;
                    };
                    if let Some(v) = &preference {
                        plan.preferences.entry(name.clone()).or_insert(v.clone());
                    }
                    let text = format!("{d}{}", p.constraint.as_deref().unwrap_or_default());
                    if let Some(origin) = &p.requested
                        && !plan.requirements.iter().any(|(r, _)| r.name == name)
                        && let Ok(r) = pep508_rs::Requirement::from_str(&text)
                    {
                        plan.requirements
                            .push((r, format!("{origin} (conda `{}`)", p.name)));
                    }
                }
                let preference =
                    preference.filter(|_| !distributions.iter().all(|d| pip_names.contains(d)));
                Decision::Pypi {
                    distributions,
                    preference,
                }
            }
            other => other,
        };
        plan.entries.push(Entry {
            package: p,
            decision,
        });
    }
    plan.requirements.extend(pip.iter().cloned());
    plan
}

/// Steps 1, 2, 4, 5 and 6 of the module doc; `None` for CUDA (step 3, decided once the plan
/// knows whether torch comes from PyPI).
fn decide(p: &CondaPackage) -> Option<Decision> {
    let n = p.name.as_str();
    if n == "python" {
        // From a spec: `python=3.11` reads as `==3.11.*`.
        let version = if p.version.is_empty() {
            p.constraint
                .as_deref()
                .and_then(|c| c.strip_prefix("=="))
                .map(|c| c.trim_end_matches(".*"))
                .filter(|c| !c.contains(','))
                .unwrap_or_default()
        } else {
            p.version.as_str()
        };
        let parts: Vec<&str> = version.split('.').take(2).collect();
        if parts.len() < 2 {
            return Some(Decision::Interpreter {
                major_minor: String::new(),
            });
        }
        return Some(Decision::Interpreter {
            major_minor: parts.join("."),
        });
    }
    if (n.starts_with("r-") && n != "r-base") || n.starts_with("bioconductor-") {
        return Some(Decision::RPackage);
    }
    if is_cuda(p) {
        return None;
    }
    if let Some(row) = system_packages::lookup(n) {
        return Some(Decision::System {
            kind: row.kind,
            row: Some(row),
        });
    }
    let distributions = pypi_distributions(n, &p.channel, &p.purls);
    if distributions.is_empty() {
        return Some(Decision::Unknown);
    }
    Some(Decision::Pypi {
        distributions,
        preference: None,
    })
}

#[cfg(test)]
mod tests;
