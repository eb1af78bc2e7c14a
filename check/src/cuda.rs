//! CUDA: which CUDA runtime a locked package needs, which NVIDIA driver that runtime needs, and
//! whether a target's driver (`cuda=`, the highest CUDA version it supports) provides it.
//!
//! A package's need is read from, strongest first:
//!
//! - conda: a dependency on the `__cuda` virtual package (its lower bound; a bare `__cuda`
//!   takes its version from the build's `cuda-version` dependency or the locked `cuda-version`),
//!   a run constraint on `__cuda` (it only applies where a driver is), a dependency on
//!   `cudatoolkit` or `cuda-version`;
//! - PyPI: a dependency on an `nvidia-*-cuNN` distribution locked on the same target (the
//!   locked `nvidia-cuda-runtime-cuNN` version gives the minor), the package's own name
//!   (`nvidia-*-cu12`, `cupy-cuda12x`, `jax-cuda12-plugin`), a local version (`+cu118`);
//! - the binaries of its artifact: `DT_NEEDED` `libcudart.so.N` or `libcublas.so.N`.
//!
//! The driver floors come from NVIDIA's tables ([`driver_floor`]); every sentence a verdict
//! carries is written by the `wording` functions at the end of this file.

use crate::facts::ArtifactFacts;
use crate::verdict::Verdict;
use rattler_conda_types::version_spec::{
    EqualityOperator, LogicalOperator, RangeOperator, StrictRangeOperator,
};
use rattler_conda_types::{MatchSpec, ParseMatchSpecOptions, VersionSpec};
use unilock_model::lock::LockedPackage;
use unilock_model::name::normalize;
use unilock_model::{Ecosystem, Target};

/// A CUDA runtime a package needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CudaNeed {
    /// The CUDA major version; 0 when the package needs a driver but states no version (a bare
    /// `__cuda` dependency with no `cuda-version` beside it).
    pub major: u32,
    /// The minor version, when the evidence states one.
    pub minor: Option<u32>,
    /// Where the need was read: `depends on nvidia-cuda-runtime-cu12 12.8.90`, `local version
    /// +cu118`, `torch/lib/libc10_cuda.so needs libcudart.so.12`, `conda: __cuda >=12.4`.
    pub evidence: String,
    /// What happens on a machine whose driver does not meet it.
    pub origin: Origin,
    /// The bound a `__cuda` MatchSpec of the build states (major, minor): conda's solver
    /// enforces it exactly, so a driver below it means conda will not install the build.
    pub conda_bound: Option<(u32, Option<u32>)>,
}

/// How strictly a need is enforced before the package runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// A conda run constraint on `__cuda`: nothing is needed where no driver is.
    CondaConstrains,
    /// Nothing stops the install; running on the GPU needs the driver (wheels, conda CUDA
    /// libraries, binaries linking the CUDA runtime).
    Runtime,
    /// A conda dependency on `__cuda`: conda will not install the build without a driver.
    CondaDepends,
}

/// The NVIDIA driver a CUDA version needs, on Linux x86_64 and on Windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DriverFloor {
    pub linux: &'static str,
    /// `N/A` where NVIDIA lists none (the CUDA 13 toolkits no longer bundle a Windows driver).
    pub windows: &'static str,
    /// Which of NVIDIA's tables the values come from.
    pub source: &'static str,
}

const MINOR_COMPAT_SOURCE: &str = "NVIDIA CUDA Compatibility guide, \"Minor Version Compatibility\" (https://docs.nvidia.com/deploy/cuda-compatibility/minor-version-compatibility.html), and CUDA Toolkit Release Notes, Table 2 \"CUDA Toolkit and Minimum Required Driver Version for CUDA Minor Version Compatibility\"";
const TOOLKIT_SOURCE: &str = "NVIDIA CUDA Toolkit Release Notes (https://docs.nvidia.com/cuda/cuda-toolkit-release-notes/index.html), Table 3 \"CUDA Toolkit and Corresponding Driver Versions\", GA release";

/// The minimum driver of each CUDA major family under minor version compatibility (CUDA 11
/// onwards: an application built with any 12.x runtime runs, with a limited feature set, on
/// any driver of at least the family's minimum). Source: [`MINOR_COMPAT_SOURCE`]. The Windows
/// value of 12.x is the one of the current release notes (12.0–12.4 notes said 527.41); the
/// guide gives 13.x as `>= 580` for every system.
const FAMILY_FLOORS: &[(u32, &str, &str)] = &[
    (11, "450.80.02", "452.39"),
    (12, "525.60.13", "528.33"),
    (13, "580", "580"),
];

/// The driver each CUDA toolkit's GA release was packaged with (`major, minor, Linux x86_64,
/// Windows x86_64`): everything that release's runtime can do works from this driver on.
/// Source: [`TOOLKIT_SOURCE`] (CUDA 13.2 edition; 12.7 was never released). Before CUDA 11
/// there was no minor version compatibility, so for those this is the floor.
const TOOLKIT_FLOORS: &[(u32, u32, &str, &str)] = &[
    (8, 0, "367.48", "369.30"),
    (9, 0, "384.81", "385.54"),
    (9, 1, "390.46", "391.29"),
    (9, 2, "396.26", "397.44"),
    (10, 0, "410.48", "411.31"),
    (10, 1, "418.39", "418.96"),
    (10, 2, "440.33", "441.22"),
    (11, 0, "450.51.05", "451.48"),
    (11, 1, "455.23", "456.38"),
    (11, 2, "460.27.03", "460.82"),
    (11, 3, "465.19.01", "465.89"),
    (11, 4, "470.42.01", "471.11"),
    (11, 5, "495.29.05", "496.04"),
    (11, 6, "510.39.01", "511.23"),
    (11, 7, "515.43.04", "516.01"),
    (11, 8, "520.61.05", "520.06"),
    (12, 0, "525.60.13", "527.41"),
    (12, 1, "530.30.02", "531.14"),
    (12, 2, "535.54.03", "536.25"),
    (12, 3, "545.23.06", "545.84"),
    (12, 4, "550.54.14", "551.61"),
    (12, 5, "555.42.02", "555.85"),
    (12, 6, "560.28.03", "560.76"),
    (12, 8, "570.26", "570.65"),
    (12, 9, "575.51.03", "576.02"),
    (13, 0, "580.65.06", "N/A"),
    (13, 1, "590.44.01", "N/A"),
    (13, 2, "595.45.04", "N/A"),
];

/// The driver CUDA `major`(`.minor`) needs. With a minor: the driver that toolkit release
/// shipped with (everything it can do works). Without one: for CUDA 11 and later the family's
/// minor-version-compatibility minimum (what any build of that major needs to start at all);
/// before 11, the oldest toolkit driver of that major. `None` for versions NVIDIA's tables do
/// not list.
pub fn driver_floor(major: u32, minor: Option<u32>) -> Option<DriverFloor> {
    if let Some(minor) = minor
        && let Some(&(_, _, linux, windows)) = TOOLKIT_FLOORS
            .iter()
            .find(|(ma, mi, _, _)| *ma == major && *mi == minor)
    {
        return Some(DriverFloor {
            linux,
            windows,
            source: TOOLKIT_SOURCE,
        });
    }
    if let Some(&(_, linux, windows)) = FAMILY_FLOORS.iter().find(|(ma, _, _)| *ma == major) {
        return Some(DriverFloor {
            linux,
            windows,
            source: MINOR_COMPAT_SOURCE,
        });
    }
    TOOLKIT_FLOORS
        .iter()
        .find(|(ma, _, _, _)| *ma == major)
        .map(|&(_, _, linux, windows)| DriverFloor {
            linux,
            windows,
            source: TOOLKIT_SOURCE,
        })
}

/// The CUDA runtime `package` needs, if any. `locked` are the other packages chosen on the same
/// target (a PyPI dependency counts only when it is locked there, so markers are respected);
/// `facts` are its artifact's binaries, when read.
pub fn need(
    package: &LockedPackage,
    locked: &[&LockedPackage],
    facts: Option<&ArtifactFacts>,
) -> Option<CudaNeed> {
    let mut found = Vec::new();
    match package.ecosystem {
        Ecosystem::Conda => conda_evidence(package, locked, &mut found),
        Ecosystem::Pypi => pypi_evidence(package, locked, &mut found),
    }
    if let Some(facts) = facts {
        binary_evidence(facts, &mut found);
    }
    strongest(found)
}

/// Whether `target` runs a package with this need.
pub fn judge(need: &CudaNeed, target: &Target) -> Verdict {
    let Some(have) = &target.cuda else {
        return match need.origin {
            Origin::CondaDepends => Verdict::Fail(wording::conda_without_gpu(need)),
            Origin::Runtime => Verdict::Warn(wording::runtime_without_gpu(need)),
            Origin::CondaConstrains => Verdict::Ok,
        };
    };
    let have_version = (have.major(), have.minor());
    if let Some((major, minor)) = need.conda_bound
        && (major, minor.unwrap_or(0)) > have_version
    {
        return Verdict::Fail(wording::conda_bound_above(need, major, minor, target));
    }
    if need.major == 0 || need.major < have.major() {
        return Verdict::Ok;
    }
    if need.major > have.major() {
        return Verdict::Fail(wording::major_above(need, target));
    }
    match need.minor {
        Some(minor) if minor > have.minor() => Verdict::Warn(wording::minor_above(need, target)),
        _ => Verdict::Ok,
    }
}

/// One piece of evidence before the strongest is chosen.
struct Found {
    major: u32,
    minor: Option<u32>,
    evidence: String,
    origin: Origin,
    conda_bound: Option<(u32, Option<u32>)>,
}

/// The version of the highest evidence, the strictest origin among all, and the highest
/// `__cuda` bound.
fn strongest(found: Vec<Found>) -> Option<CudaNeed> {
    let origin = found.iter().map(|f| f.origin).max()?;
    let conda_bound = found
        .iter()
        .filter_map(|f| f.conda_bound)
        .max_by_key(|&(major, minor)| (major, minor.unwrap_or(0)));
    // The first evidence among equals (`rev`: `max_by_key` keeps the last).
    let top = found
        .iter()
        .rev()
        .max_by_key(|f| (f.major, f.minor.unwrap_or(0), f.minor.is_some(), f.origin))?;
    let mut evidence = top.evidence.clone();
    if top.origin != origin
        && let Some(strict) = found.iter().find(|f| f.origin == origin)
    {
        evidence = format!("{evidence}; {}", strict.evidence);
    }
    Some(CudaNeed {
        major: top.major,
        minor: top.minor,
        evidence,
        origin,
        conda_bound,
    })
}

fn conda_evidence(package: &LockedPackage, locked: &[&LockedPackage], found: &mut Vec<Found>) {
    let specs: Vec<(String, MatchSpec)> = package
        .dependencies
        .iter()
        .filter_map(|d| Some((d.clone(), parse_spec(d)?)))
        .collect();
    let named = |name: &'static str| {
        specs
            .iter()
            .filter(move |(_, s)| spec_name(s).as_deref() == Some(name))
    };
    for (text, spec) in named("__cuda") {
        let bound = spec.version.as_ref().and_then(lower_bound);
        if let Some((major, minor)) = bound {
            found.push(Found {
                major,
                minor,
                evidence: format!("conda: {}", squeeze(text)),
                origin: Origin::CondaDepends,
                conda_bound: Some((major, minor)),
            });
            continue;
        }
        // A bare `__cuda`: the CUDA version is the one of the build's `cuda-version`.
        let beside = named("cuda-version")
            .find_map(|(t, s)| Some((t, s.version.as_ref().and_then(lower_bound)?)));
        let locked_version = locked
            .iter()
            .find(|p| p.ecosystem == Ecosystem::Conda && p.name == "cuda-version")
            .and_then(|p| Some((p, version_prefix(&p.version)?)));
        let (major, minor, evidence) = match (beside, locked_version) {
            (Some((t, (major, minor))), _) => {
                (major, minor, format!("conda: __cuda, with {}", squeeze(t)))
            }
            (None, Some((p, (major, minor)))) => (
                major,
                minor,
                format!("conda: __cuda, with cuda-version {} locked", p.version),
            ),
            (None, None) => (0, None, "conda: __cuda".to_string()),
        };
        found.push(Found {
            major,
            minor,
            evidence,
            origin: Origin::CondaDepends,
            conda_bound: None,
        });
    }
    for name in ["cudatoolkit", "cuda-version"] {
        for (text, spec) in named(name) {
            if let Some((major, minor)) = spec.version.as_ref().and_then(lower_bound) {
                found.push(Found {
                    major,
                    minor,
                    evidence: format!("conda: depends on {}", squeeze(text)),
                    origin: Origin::Runtime,
                    conda_bound: None,
                });
            }
        }
    }
    let constrains = package.conda.iter().flat_map(|c| &c.constrains);
    for text in constrains {
        let Some(spec) = parse_spec(text) else {
            continue;
        };
        if spec_name(&spec).as_deref() != Some("__cuda") {
            continue;
        }
        if let Some((major, minor)) = spec.version.as_ref().and_then(lower_bound) {
            found.push(Found {
                major,
                minor,
                evidence: format!("conda: constrains {}", squeeze(text)),
                origin: Origin::CondaConstrains,
                conda_bound: Some((major, minor)),
            });
        }
    }
}

fn pypi_evidence(package: &LockedPackage, locked: &[&LockedPackage], found: &mut Vec<Found>) {
    let runtime = |major, minor, evidence| Found {
        major,
        minor,
        evidence,
        origin: Origin::Runtime,
        conda_bound: None,
    };
    let name = normalize(&package.name);
    if let Some((major, minor)) = pypi_package_cuda(&name, &package.version) {
        found.push(runtime(
            major,
            minor,
            format!("is {} {}", package.name, package.version),
        ));
    }
    if let Some((_, local)) = package.version.split_once('+')
        && let Some((major, minor)) = local.split(['.', '_', '-']).find_map(cuda_tag)
    {
        found.push(runtime(major, minor, format!("local version +{local}")));
    }
    for dep in &package.dependencies {
        let dep_name = normalize(requirement_name(dep));
        if !is_cuda_distribution(&dep_name) {
            continue;
        }
        let Some(chosen) = locked
            .iter()
            .find(|p| p.ecosystem == Ecosystem::Pypi && normalize(&p.name) == dep_name)
        else {
            continue;
        };
        if let Some((major, minor)) = pypi_package_cuda(&dep_name, &chosen.version) {
            found.push(runtime(
                major,
                minor,
                format!("depends on {} {}", chosen.name, chosen.version),
            ));
        }
    }
}

fn binary_evidence(facts: &ArtifactFacts, found: &mut Vec<Found>) {
    for binary in &facts.binaries {
        for needed in &binary.needed {
            let Some(version) = needed
                .strip_prefix("libcudart.so.")
                .or_else(|| needed.strip_prefix("libcublas.so."))
            else {
                continue;
            };
            let Some((major, minor)) = version_prefix(version) else {
                continue;
            };
            // From CUDA 11 on the soname carries the major only (`libcudart.so.11.0` is every 11.x).
            let minor = minor.filter(|_| major < 11);
            found.push(Found {
                major,
                minor,
                evidence: format!("{} needs {needed}", binary.path),
                origin: Origin::Runtime,
                conda_bound: None,
            });
        }
    }
}

/// The CUDA version a PyPI distribution (normalised `name`, locked `version`) is built for:
/// the CUDA runtime itself (`nvidia-cuda-runtime-cu12 12.8.90` is CUDA 12.8,
/// `nvidia-cuda-runtime 13.0.96` is 13.0) or a CUDA tag in the name (`nvidia-cublas-cu12`,
/// `cupy-cuda12x`, `cupy-cuda117`, `jax-cuda12-plugin`).
fn pypi_package_cuda(name: &str, version: &str) -> Option<(u32, Option<u32>)> {
    let runtime = name == "nvidia-cuda-runtime" || name.starts_with("nvidia-cuda-runtime-cu");
    if runtime && let Some((major, minor)) = version_prefix(version) {
        return Some((major, minor));
    }
    name.split('-').skip(1).find_map(cuda_tag)
}

/// Whether a PyPI distribution name is one of NVIDIA's CUDA runtime or library wheels or a
/// CUDA build of a package.
fn is_cuda_distribution(name: &str) -> bool {
    name == "nvidia-cuda-runtime" || pypi_package_cuda(name, "").is_some()
}

/// Reads a CUDA tag: `cu118` → 11.8, `cu92` → 9.2, `cu12` → 12, `cuda12x` → 12, `cuda117`
/// → 11.7. Two digits below 20 are a major (`cu12`); otherwise the last digit is the minor
/// (PyTorch's `cu92`, `cu118`, `cu130`).
fn cuda_tag(part: &str) -> Option<(u32, Option<u32>)> {
    let digits = part
        .strip_prefix("cuda")
        .or_else(|| part.strip_prefix("cu"))?;
    let digits = digits.strip_suffix('x').unwrap_or(digits);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: u32 = digits.parse().ok()?;
    match digits.len() {
        2 if value < 20 => Some((value, None)),
        2 | 3 => Some((value / 10, Some(value % 10))),
        _ => None,
    }
}

/// The name a PEP 508 requirement string starts with.
fn requirement_name(requirement: &str) -> &str {
    let text = requirement.trim_start();
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(text.len());
    &text[..end]
}

/// The leading `major.minor` numbers of a version (`12.8.90` → 12, 8; `12` → 12; `2a` → 2).
fn version_prefix(version: &str) -> Option<(u32, Option<u32>)> {
    let mut parts = version.split('.').map(|p| {
        let end = p.find(|c: char| !c.is_ascii_digit()).unwrap_or(p.len());
        p[..end].parse::<u32>().ok()
    });
    let major = parts.next().flatten()?;
    Some((major, parts.next().flatten()))
}

fn parse_spec(text: &str) -> Option<MatchSpec> {
    MatchSpec::from_str(text, ParseMatchSpecOptions::lenient()).ok()
}

fn spec_name(spec: &MatchSpec) -> Option<String> {
    spec.name.as_exact().map(|n| n.as_normalized().to_string())
}

/// The lowest version a spec admits, as (major, minor), when it has a lower bound.
pub(crate) fn lower_bound(spec: &VersionSpec) -> Option<(u32, Option<u32>)> {
    let key = |b: &(u32, Option<u32>)| (b.0, b.1.unwrap_or(0));
    match spec {
        VersionSpec::Range(RangeOperator::GreaterEquals | RangeOperator::Greater, v)
        | VersionSpec::Exact(EqualityOperator::Equals, v) => version_prefix(&v.to_string()),
        VersionSpec::StrictRange(
            StrictRangeOperator::StartsWith | StrictRangeOperator::Compatible,
            v,
        ) => version_prefix(&v.as_ref().to_string()),
        VersionSpec::Group(LogicalOperator::And, specs) => {
            specs.iter().filter_map(lower_bound).max_by_key(key)
        }
        VersionSpec::Group(LogicalOperator::Or, specs) => {
            let bounds: Option<Vec<_>> = specs.iter().map(lower_bound).collect();
            bounds?.into_iter().min_by_key(key)
        }
        _ => None,
    }
}

/// A MatchSpec as written, with runs of spaces made one (`__cuda  >=12.4`).
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every sentence the CUDA check says.
mod wording {
    use super::{CudaNeed, driver_floor};
    use unilock_model::Target;

    fn version(major: u32, minor: Option<u32>) -> String {
        match minor {
            Some(minor) => format!("{major}.{minor}"),
            None => major.to_string(),
        }
    }

    fn uses(need: &CudaNeed) -> String {
        if need.major == 0 {
            format!("needs an NVIDIA driver ({})", need.evidence)
        } else {
            format!(
                "uses CUDA {} ({})",
                version(need.major, need.minor),
                need.evidence
            )
        }
    }

    /// `CUDA 12 needs an NVIDIA driver ≥ 525.60.13 (Windows ≥ 528.33)`.
    fn floor(major: u32, minor: Option<u32>) -> String {
        match driver_floor(major, minor) {
            Some(f) if f.windows == "N/A" => format!(
                "CUDA {} needs an NVIDIA driver ≥ {}",
                version(major, minor),
                f.linux
            ),
            Some(f) => format!(
                "CUDA {} needs an NVIDIA driver ≥ {} (Windows ≥ {})",
                version(major, minor),
                f.linux,
                f.windows
            ),
            None => format!(
                "CUDA {} needs a driver NVIDIA's tables do not list",
                version(major, minor)
            ),
        }
    }

    fn target_cuda(target: &Target) -> String {
        match &target.cuda {
            Some(cuda) => format!("target cuda={cuda}"),
            None => "target has no GPU (no cuda=)".to_string(),
        }
    }

    pub(super) fn major_above(need: &CudaNeed, target: &Target) -> String {
        format!(
            "{}; {}: {}",
            uses(need),
            target_cuda(target),
            floor(need.major, None)
        )
    }

    pub(super) fn minor_above(need: &CudaNeed, target: &Target) -> String {
        format!(
            "{}; {}: it runs through CUDA minor version compatibility ({}), but kernels that need PTX JIT compilation for the newer runtime may fail; {}",
            uses(need),
            target_cuda(target),
            floor(need.major, None),
            floor(need.major, need.minor)
        )
    }

    pub(super) fn conda_bound_above(
        need: &CudaNeed,
        major: u32,
        minor: Option<u32>,
        target: &Target,
    ) -> String {
        format!(
            "{}; {}: conda will not install it there (__cuda >={}); {}",
            uses(need),
            target_cuda(target),
            version(major, minor),
            floor(major, minor)
        )
    }

    pub(super) fn conda_without_gpu(need: &CudaNeed) -> String {
        let floor = if need.major == 0 {
            String::new()
        } else {
            format!("; {}", floor(need.major, None))
        };
        format!(
            "{}; target has no GPU (no cuda=): conda will not install a build that depends on __cuda there{floor}",
            uses(need)
        )
    }

    pub(super) fn runtime_without_gpu(need: &CudaNeed) -> String {
        let when = match driver_floor(need.major, None) {
            Some(f) => format!("when an NVIDIA driver ≥ {} is present", f.linux),
            None => "when an NVIDIA driver is present".to_string(),
        };
        format!(
            "{} {when}; target has no GPU (no cuda=), so its CUDA code cannot run there",
            uses(need)
        )
    }
}

#[cfg(test)]
mod tests;
