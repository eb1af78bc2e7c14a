//! CPU level: the x86-64 psABI level (x86-64-v2, v3, v4) a locked package's binaries need, and
//! whether a target's CPU (`cpu=`, an archspec name) has it.
//!
//! A package's need is read from:
//!
//! - conda: the `_x86_64-microarch-level` package itself (its version is the level; conda-forge
//!   publishes one build per microarchitecture, `2_haswell` depending on `__archspec 1
//!   haswell`), a dependency on it (`_x86_64-microarch-level >=3`, the run export of builds made
//!   with `x86_64-microarch-level`), or a dependency on `__archspec` whose build names
//!   microarchitectures (`__archspec 1 x86_64_v4`: the lowest level among those it admits);
//! - the binaries of its artifact: the ISA level an ELF file declares
//!   (`GNU_PROPERTY_X86_ISA_1_NEEDED`, in the artifact's facts);
//! - for PyPI distributions, `cpu_table.tsv`: packages whose documentation states a CPU floor,
//!   each row citing where.
//!
//! Levels only exist on x86-64: every other target is fine. Every sentence a verdict carries
//! is written by the `wording` functions at the end of this file.

use crate::facts::ArtifactFacts;
use crate::verdict::Verdict;
use rattler_conda_types::{MatchSpec, ParseMatchSpecOptions};
use std::cmp::Ordering;
use unilock_model::lock::LockedPackage;
use unilock_model::name::normalize;
use unilock_model::target::archspec::MICROARCHITECTURES;
use unilock_model::{Ecosystem, Target, Version};

/// The table of documented CPU floors (see its header for the columns).
const TABLE: &str = include_str!("cpu_table.tsv");

/// The name of conda-forge's microarchitecture-level meta-package.
const MICROARCH_PACKAGE: &str = "_x86_64-microarch-level";

/// An x86-64 level a package needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpuNeed {
    /// The x86-64 psABI level, 2 to 4.
    pub level: u8,
    /// Where it was read: `conda: __archspec 1 x86_64_v4`, `polars/polars.abi3.so declares
    /// x86-64-v3`, `polars < 1.34 documents …`.
    pub evidence: String,
    /// Instructions needed beyond the level (`AVX`, which x86-64-v2 does not include but
    /// Sandy Bridge and later CPUs of that level have), when the evidence names any.
    pub beyond: Option<String>,
}

/// The CPU level `package` needs, if above the x86-64 baseline; `facts` are its artifact's
/// binaries, when read.
pub fn need(package: &LockedPackage, facts: Option<&ArtifactFacts>) -> Option<CpuNeed> {
    let mut found: Vec<CpuNeed> = Vec::new();
    if package.ecosystem == Ecosystem::Conda {
        conda_evidence(package, &mut found);
    }
    if let Some(facts) = facts {
        for binary in &facts.binaries {
            if let Some(level) = binary.x86_64_level.filter(|l| *l >= 2) {
                found.push(CpuNeed {
                    level,
                    evidence: format!("{} declares x86-64-v{level}", binary.path),
                    beyond: None,
                });
            }
        }
    }
    if package.ecosystem == Ecosystem::Pypi
        && let Some(row) = table_row(&package.name, &package.version)
    {
        found.push(row);
    }
    // The first evidence among equals (`rev`: `max_by_key` keeps the last).
    found
        .into_iter()
        .rev()
        .max_by_key(|n| (n.level, n.beyond.is_some()))
}

/// Whether `target`'s CPU has the level.
pub fn judge(need: &CpuNeed, target: &Target) -> Verdict {
    let Some(have) = target.x86_64_level() else {
        return Verdict::Ok;
    };
    match need.level.cmp(&have) {
        Ordering::Greater => Verdict::Fail(wording::level_above(need, target, have)),
        Ordering::Equal if need.beyond.is_some() => {
            Verdict::Warn(wording::beyond_level(need, target, have))
        }
        _ => Verdict::Ok,
    }
}

fn conda_evidence(package: &LockedPackage, found: &mut Vec<CpuNeed>) {
    let conda = |level: u8, evidence: String| CpuNeed {
        level,
        evidence: format!("conda: {evidence}"),
        beyond: None,
    };
    if package.name == MICROARCH_PACKAGE
        && let Some(level) = leading_number(&package.version).filter(|l| *l >= 2)
    {
        let build = package.build.as_deref().unwrap_or("");
        found.push(conda(
            level,
            format!("{MICROARCH_PACKAGE} {} {build}", package.version)
                .trim_end()
                .to_string(),
        ));
    }
    let constrains = package.conda.iter().flat_map(|c| &c.constrains);
    for text in package.dependencies.iter().chain(constrains) {
        let Ok(spec) = MatchSpec::from_str(text, ParseMatchSpecOptions::lenient()) else {
            continue;
        };
        let Some(name) = spec.name.as_exact().map(|n| n.as_normalized().to_string()) else {
            continue;
        };
        let written = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let level = if name == MICROARCH_PACKAGE {
            spec.version
                .as_ref()
                .and_then(crate::cuda::lower_bound)
                .and_then(|(major, _)| u8::try_from(major).ok())
        } else if name == "__archspec" {
            spec.build.as_ref().and_then(|build| {
                MICROARCHITECTURES
                    .iter()
                    .filter(|m| build.matches(m.name))
                    .filter_map(|m| m.x86_64_level)
                    .min()
            })
        } else {
            None
        };
        if let Some(level) = level.filter(|l| *l >= 2) {
            found.push(conda(level, written));
        }
    }
}

/// The documented floor of a PyPI distribution at `version`, from [`TABLE`].
fn table_row(name: &str, version: &str) -> Option<CpuNeed> {
    let name = normalize(name);
    let version = Version::parse(Ecosystem::Pypi, version).ok()?;
    let bound = |text: &str| -> Option<Version> {
        (text != "-")
            .then(|| Version::parse(Ecosystem::Pypi, text).ok())
            .flatten()
    };
    TABLE
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let [row_name, from, until, level, beyond, source] = cols[..] else {
                return None;
            };
            if row_name != name {
                return None;
            }
            if bound(from).is_some_and(|from| version < from) {
                return None;
            }
            if bound(until).is_some_and(|until| version >= until) {
                return None;
            }
            let range = match (from, until) {
                ("-", "-") => String::new(),
                (from, "-") => format!(" >= {from}"),
                ("-", until) => format!(" < {until}"),
                (from, until) => format!(" >= {from}, < {until}"),
            };
            Some(CpuNeed {
                level: level.parse().ok()?,
                evidence: format!("{row_name}{range} documents it: {source}"),
                beyond: (beyond != "-").then(|| beyond.to_string()),
            })
        })
        .next()
}

/// The number a version or level text starts with (`3`, `4.0` → 4).
fn leading_number(text: &str) -> Option<u8> {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    text[..end].parse().ok()
}

/// Every sentence the CPU check says.
mod wording {
    use super::CpuNeed;
    use unilock_model::Target;

    pub(super) fn level_above(need: &CpuNeed, target: &Target, have: u8) -> String {
        format!(
            "needs x86-64-v{} ({}); target cpu={} is level {have}",
            need.level, need.evidence, target.cpu
        )
    }

    pub(super) fn beyond_level(need: &CpuNeed, target: &Target, have: u8) -> String {
        let beyond = need.beyond.as_deref().unwrap_or_default();
        format!(
            "needs x86-64-v{} and {beyond} ({}); target cpu={} is level {have}, which does not guarantee {beyond} (CPUs of that level from Sandy Bridge and Bulldozer on have AVX)",
            need.level, need.evidence, target.cpu
        )
    }
}

#[cfg(test)]
mod tests;
