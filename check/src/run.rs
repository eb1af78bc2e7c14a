//! The check of a lock against target machines.
//!
//! For each target: the lock's target with the same platform and Python serves it; of each
//! package the artifact an installer would take there is read (the wheel whose tag ranks best
//! for the target, or the conda package); then every binary's needs are held against, in
//! order, the artifact itself (auditwheel's `<name>.libs/`), the other artifacts of the
//! environment (conda libraries, `nvidia-*` wheels), the C library, and the base image.
//! What remains is a missing library (with the packages that provide it) or, when nothing
//! provides it anywhere, an error. Symbol versions are held against the target's C library
//! and the base image's C++ runtime; CUDA and CPU needs against `cuda=` and `cpu=`.

use crate::environment::Environment;
use crate::facts::ArtifactFacts;
use crate::fetch::{ArtifactSource, Outcome, file_name};
use crate::report::finding;
use crate::report::{Finding, Kind, Report, Severity, TargetReport};
use crate::system::{self, BaseImage};
use crate::verdict::Verdict;
use crate::{cpu, cuda};
use std::collections::HashMap;
use unilock_model::lock::{Artifact, ArtifactKind, Lock, LockedPackage, LockedTarget};
use unilock_model::{Diagnostic, Ecosystem, Target};
use unilock_solver::wheel::{TagParts, TagRanking, WheelTags};

/// What the command line chose beyond the targets.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--base-image`: the image every target is checked against instead of its preset's.
    pub base_image: Option<String>,
}

/// Checks `lock` on every target.
pub fn check(
    lock: &Lock,
    targets: &[Target],
    options: &Options,
    source: &ArtifactSource,
) -> Result<Report, Diagnostic> {
    let forced = match &options.base_image {
        None => None,
        Some(name) => Some(system::base_image(name).ok_or_else(|| {
            let known: Vec<&str> = system::base_images().iter().map(|i| i.name).collect();
            Diagnostic::usage(format!(
                "--base-image {name}: not a known base image (known: {})",
                known.join(", ")
            ))
        })?),
    };
    let mut reports = Vec::new();
    for target in targets {
        let image = forced.or_else(|| target.preset.and_then(|p| system::default_image(p.name)));
        if let (Some(image), Some(libc)) = (forced, &target.libc)
            && image.libc != libc.family
        {
            return Err(Diagnostic::usage(format!(
                "--base-image {}: it uses {}, but target {target} uses {}",
                image.name,
                image.libc.as_str(),
                libc.family.as_str()
            )));
        }
        let locked = lock_target(lock, target)?;
        reports.push(check_target(
            lock,
            target,
            locked,
            image,
            forced.is_some(),
            source,
        ));
    }
    Ok(Report {
        targets: reports,
        bytes_read: source.bytes_read(),
    })
}

/// The lock's target whose artifacts serve `target`: the same platform and Python.
fn lock_target<'a>(lock: &'a Lock, target: &Target) -> Result<&'a LockedTarget, Diagnostic> {
    let subdir = target.platform.conda_subdir();
    let python = format!("{}.{}", target.python.major, target.python.minor);
    let same_platform: Vec<&LockedTarget> = lock
        .targets
        .iter()
        .filter(|t| t.conda_subdir == subdir)
        .collect();
    if let Some(t) = same_platform.iter().find(|t| t.python == python) {
        return Ok(t);
    }
    // A target that names no Python takes the lock's, when the lock has one for the platform
    // (a conda solve chooses Python itself).
    let python_named = target.sources.get("python").is_some_and(|s| s != "default");
    if let [only] = same_platform.as_slice()
        && !python_named
    {
        return Ok(only);
    }
    let have: Vec<String> = lock
        .targets
        .iter()
        .map(|t| format!("{} (Python {})", t.name, t.python))
        .collect();
    Err(Diagnostic::usage(format!(
        "the lock has no target for {subdir} with Python {python}, which {target} is; it has: {}. Resolve for it first, or name a target with python={}",
        if have.is_empty() {
            "none".to_string()
        } else {
            have.join(", ")
        },
        same_platform.first().map_or("…", |t| t.python.as_str())
    )))
}

/// The artifact of `package` an installer takes on `target`, and whether it installs there.
struct Chosen<'a> {
    package: &'a LockedPackage,
    artifact: &'a Artifact,
}

fn for_target(artifact: &Artifact, locked: &LockedTarget) -> bool {
    artifact.targets.is_empty() || artifact.targets.iter().any(|t| t == &locked.name)
}

/// Whether an artifact has no binaries to read: a pure wheel (`-none-any`) or a noarch conda
/// package.
fn pure(package: &LockedPackage, artifact: &Artifact) -> bool {
    match artifact.kind {
        ArtifactKind::Wheel => artifact.url.ends_with("-none-any.whl"),
        ArtifactKind::Conda => package.conda.as_ref().is_some_and(|c| c.noarch.is_some()),
        ArtifactKind::Sdist => true,
    }
}

fn check_target(
    lock: &Lock,
    target: &Target,
    locked: &LockedTarget,
    image: Option<&'static BaseImage>,
    forced_image: bool,
    source: &ArtifactSource,
) -> TargetReport {
    let packages: Vec<&LockedPackage> = lock
        .packages
        .iter()
        .filter(|p| p.targets.iter().any(|t| t == &locked.name))
        .collect();
    let ranking = TagRanking::new(target);
    let parts = TagParts::new(target);
    let mut findings = Vec::new();
    let mut chosen: Vec<Chosen> = Vec::new();
    for &package in &packages {
        let mine: Vec<&Artifact> = package
            .artifacts
            .iter()
            .filter(|a| for_target(a, locked))
            .collect();
        let wheels: Vec<&Artifact> = mine
            .iter()
            .copied()
            .filter(|a| a.kind == ArtifactKind::Wheel)
            .collect();
        let best = wheels
            .iter()
            .filter_map(|a| ranking.rank(&wheel_file(a)).map(|r| (r, *a)))
            .min_by_key(|(r, _)| *r)
            .map(|(_, a)| a);
        let artifact = match (package.ecosystem, best, wheels.first()) {
            (Ecosystem::Conda, _, _) => {
                mine.iter().copied().find(|a| a.kind == ArtifactKind::Conda)
            }
            (_, Some(best), _) => Some(best),
            (_, None, Some(first)) => {
                findings.push(finding(
                    package,
                    Severity::Error,
                    Kind::Wheel,
                    format!(
                        "the lock's wheel {} does not install on {target} ({}); an installer refuses it",
                        wheel_file(first),
                        misfit(&wheel_file(first), &parts)
                    ),
                ));
                Some(*first)
            }
            (_, None, None) => {
                if let Some(sdist) = mine.iter().find(|a| a.kind == ArtifactKind::Sdist) {
                    findings.push(finding(
                        package,
                        Severity::Warning,
                        Kind::SourceBuild,
                        format!(
                            "built from source on the target (the lock has only its sdist {} there): that needs the build backend's requirements and, for compiled code, a C/C++ compiler and the headers of the libraries it links",
                            wheel_file(sdist)
                        ),
                    ));
                }
                None
            }
        };
        if let Some(artifact) = artifact
            && !pure(package, artifact)
        {
            chosen.push(Chosen { package, artifact });
        }
    }
    let artifacts: Vec<&Artifact> = chosen.iter().map(|c| c.artifact).collect();
    let outcomes: Vec<Outcome> = source.facts(&artifacts);
    let mut read: Vec<(&LockedPackage, &ArtifactFacts)> = Vec::new();
    for (c, outcome) in chosen.iter().zip(&outcomes) {
        match outcome {
            Ok((facts, _)) => {
                for problem in &facts.problems {
                    findings.push(finding(
                        c.package,
                        Severity::Warning,
                        Kind::Artifact,
                        format!("{}: {problem}", wheel_file(c.artifact)),
                    ));
                }
                read.push((c.package, facts));
            }
            Err(why) => findings.push(finding(
                c.package,
                Severity::Unchecked,
                Kind::Artifact,
                format!("{} could not be read: {why}", wheel_file(c.artifact)),
            )),
        }
    }
    let environment = Environment::new(target, image, forced_image, &read);
    for (package, facts) in &read {
        environment.binaries(package, facts, &mut findings);
    }
    let by_name: HashMap<&str, &ArtifactFacts> =
        read.iter().map(|(p, f)| (p.name.as_str(), *f)).collect();
    let cuda_needs: Vec<(&LockedPackage, cuda::CudaNeed)> = packages
        .iter()
        .filter_map(|&p| {
            let facts = by_name.get(p.name.as_str()).copied();
            cuda::need(p, &packages, facts).map(|n| (p, n))
        })
        .collect();
    // The `nvidia-*` runtime wheels say the same as the package that depends on them: they
    // are reported alone only when nothing else needs CUDA.
    let runtime_only = cuda_needs
        .iter()
        .all(|(p, _)| p.name.starts_with("nvidia-"));
    for (package, need) in &cuda_needs {
        if runtime_only || !package.name.starts_with("nvidia-") {
            push_verdict(
                &mut findings,
                package,
                Kind::Cuda,
                cuda::judge(need, target),
            );
        }
    }
    let cpu_unsaid = target.sources.get("cpu").is_none_or(|s| s == "default");
    for &package in &packages {
        let facts = by_name.get(package.name.as_str()).copied();
        if let Some(need) = cpu::need(package, facts) {
            let verdict = match cpu::judge(&need, target) {
                // A target that does not say its CPU may well have the level: say so, not fail.
                Verdict::Fail(why) if cpu_unsaid => Verdict::Warn(format!(
                    "{why}; the target does not say its CPU, so add cpu= (e.g. cpu=x86_64_v3) to check it"
                )),
                v => v,
            };
            push_verdict(&mut findings, package, Kind::Cpu, verdict);
        }
    }
    if let Some(note) = environment.assumed_note() {
        findings.push(note);
    }
    let install = environment.install_line(&findings);
    TargetReport {
        target: target.to_string(),
        lock_target: locked.name.clone(),
        base_image: image.map(|i| i.name.to_string()),
        artifacts: read.len(),
        artifact_bytes: chosen.iter().filter_map(|c| c.artifact.size).sum(),
        findings,
        install,
    }
}

fn push_verdict(findings: &mut Vec<Finding>, package: &LockedPackage, kind: Kind, v: Verdict) {
    match v {
        Verdict::Ok => {}
        Verdict::Warn(message) => findings.push(finding(package, Severity::Warning, kind, message)),
        Verdict::Fail(message) => findings.push(finding(package, Severity::Error, kind, message)),
    }
}

/// Which part of a wheel's tags the target does not take: its Python/ABI or its platform.
fn misfit(file: &str, parts: &TagParts) -> String {
    let Some(tags) = WheelTags::of(file) else {
        return "not a wheel file name".to_string();
    };
    let interpreter = tags
        .expand()
        .any(|(py, abi, _)| parts.interpreter_fits(py, abi));
    let platform = tags.platforms.split('.').any(|p| parts.platform_fits(p));
    match (interpreter, platform) {
        (true, false) => format!(
            "the target takes no {} wheels",
            tags.platforms.replace('.', " or ")
        ),
        (false, true) => format!("the target runs no {}-{} wheels", tags.pythons, tags.abis),
        _ => format!(
            "the target takes no {}-{}-{} wheels",
            tags.pythons, tags.abis, tags.platforms
        ),
    }
}

/// The file name of an artifact's URL.
fn wheel_file(artifact: &Artifact) -> String {
    url::Url::parse(&artifact.url)
        .map(|u| file_name(&u))
        .unwrap_or_else(|_| artifact.url.clone())
}
