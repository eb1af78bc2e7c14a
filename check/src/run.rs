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

use crate::facts::{ArtifactFacts, Binary};
use crate::fetch::{ArtifactSource, Outcome, file_name};
use crate::report::{Finding, Kind, MissingLibrary, Report, Severity, TargetReport};
use crate::system::{self, BaseImage};
use crate::verdict::Verdict;
use crate::{cpu, cuda};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use unilock_model::lock::{Artifact, ArtifactKind, Lock, LockedPackage, LockedTarget};
use unilock_model::target::{DottedVersion, LibcFamily};
use unilock_model::{Diagnostic, Ecosystem, Target};
use unilock_solver::wheel::TagRanking;

/// What the command line chose beyond the targets.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--base-image`: the image every target is checked against instead of its preset's.
    pub base_image: Option<String>,
}

/// The libraries of glibc itself: always there on a glibc system.
const GLIBC_LIBRARIES: &[&str] = &[
    "libc.so.6",
    "libm.so.6",
    "libpthread.so.0",
    "libdl.so.2",
    "librt.so.1",
    "libutil.so.1",
    "libresolv.so.2",
    "libanl.so.1",
    "libmvec.so.1",
    "libnsl.so.1",
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
    "ld-linux-armhf.so.3",
    "ld-linux.so.2",
    "ld64.so.2",
    "ld64.so.1",
];

/// Whether `soname` belongs to musl (`libc.so` of musllinux wheels, Alpine's names).
fn is_musl_library(soname: &str) -> bool {
    soname == "libc.so" || soname.starts_with("libc.musl-") || soname.starts_with("ld-musl-")
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

fn finding(package: &LockedPackage, severity: Severity, kind: Kind, message: String) -> Finding {
    Finding {
        package: package.name.clone(),
        version: package.version.clone(),
        severity,
        kind,
        message,
        library: None,
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
                        "the lock's wheel {} does not install on {target} (its tags are not among the target's); an installer refuses it",
                        wheel_file(first)
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
    for &package in &packages {
        let facts = by_name.get(package.name.as_str()).copied();
        if let Some(need) = cpu::need(package, facts) {
            push_verdict(&mut findings, package, Kind::Cpu, cpu::judge(&need, target));
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

/// The file name of an artifact's URL.
fn wheel_file(artifact: &Artifact) -> String {
    url::Url::parse(&artifact.url)
        .map(|u| file_name(&u))
        .unwrap_or_else(|_| artifact.url.clone())
}

/// What one target offers the binaries of its environment.
struct Environment<'a> {
    target: &'a Target,
    image: Option<&'static BaseImage>,
    /// The C library family and version binaries are held against.
    libc: Option<(LibcFamily, DottedVersion)>,
    /// Library file names the environment's artifacts provide, with the first package that
    /// does.
    provided: HashMap<&'a str, &'a str>,
    /// Libraries taken as present because manylinux allows wheels to assume them, with no base
    /// image to say (filled while checking).
    assumed: std::cell::RefCell<BTreeSet<String>>,
}

impl<'a> Environment<'a> {
    fn new(
        target: &'a Target,
        image: Option<&'static BaseImage>,
        forced_image: bool,
        read: &[(&'a LockedPackage, &'a ArtifactFacts)],
    ) -> Self {
        let mut provided = HashMap::new();
        for (package, facts) in read {
            for library in &facts.libraries {
                provided
                    .entry(library.as_str())
                    .or_insert(package.name.as_str());
            }
        }
        let libc = match (image, &target.libc) {
            (Some(image), _) if forced_image => {
                DottedVersion::parse(image.libc_version, 4).map(|v| (image.libc, v))
            }
            (_, Some(libc)) => Some((libc.family, libc.version.clone())),
            (Some(image), None) => {
                DottedVersion::parse(image.libc_version, 4).map(|v| (image.libc, v))
            }
            (None, None) => None,
        };
        Environment {
            target,
            image,
            libc,
            provided,
            assumed: Default::default(),
        }
    }

    /// The name the target goes by in messages: the base image, else the target.
    fn place(&self) -> String {
        match self.image {
            Some(image) => image.name.to_string(),
            None => self.target.to_string(),
        }
    }

    /// Findings about the binaries of one package.
    fn binaries(&self, package: &LockedPackage, facts: &ArtifactFacts, out: &mut Vec<Finding>) {
        let own: BTreeSet<&str> = facts.libraries.iter().map(String::as_str).collect();
        let mut missing: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let mut foreign_libc: Option<(&Binary, &str)> = None;
        for binary in &facts.binaries {
            for needed in &binary.needed {
                let needed = needed.as_str();
                if own.contains(needed) || self.provided.contains_key(needed) {
                    continue;
                }
                match self.c_library(needed) {
                    Some(true) => continue,
                    Some(false) => {
                        foreign_libc.get_or_insert((binary, needed));
                        continue;
                    }
                    None => {}
                }
                if needed.starts_with("libpython") || self.image_has(needed) {
                    continue;
                }
                missing.entry(needed).or_default().push(binary.path.clone());
            }
        }
        if let (Some((binary, needed)), Some((family, _))) = (foreign_libc, &self.libc) {
            out.push(finding(
                package,
                Severity::Error,
                Kind::Libc,
                format!(
                    "{} is built for another C library (it needs {needed}); {} uses {}",
                    binary.path,
                    self.place(),
                    family.as_str()
                ),
            ));
        }
        for (soname, needed_by) in missing {
            out.push(self.missing(package, soname, needed_by));
        }
        self.symbol_versions(package, facts, &own, out);
    }

    /// Whether `soname` is the target's C library (`Some(true)`), another family's
    /// (`Some(false)`), or not a C library name (`None`).
    fn c_library(&self, soname: &str) -> Option<bool> {
        let family = self.libc.as_ref().map(|(f, _)| *f)?;
        let glibc = GLIBC_LIBRARIES.contains(&soname);
        let musl = is_musl_library(soname);
        match (glibc, musl) {
            (false, false) => None,
            _ => Some((family == LibcFamily::Glibc) == glibc),
        }
    }

    /// Whether the base image has `soname`; with no image, whether manylinux lets wheels
    /// assume it (then it is remembered for a note).
    fn image_has(&self, soname: &str) -> bool {
        match self.image {
            Some(image) => image.provides(soname),
            None => {
                let allowed = system::library(soname).is_some_and(|l| l.manylinux_allowed);
                if allowed {
                    self.assumed.borrow_mut().insert(soname.to_string());
                }
                allowed
            }
        }
    }

    fn missing(&self, package: &LockedPackage, soname: &str, needed_by: Vec<String>) -> Finding {
        let known = system::library(soname);
        let mut packages: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        if let Some(k) = known {
            for (manager, names) in [
                ("apt", &k.apt),
                ("apk", &k.apk),
                ("dnf", &k.dnf),
                ("conda-forge", &k.conda_forge),
                ("nixpkgs", &k.nixpkgs),
            ] {
                if !names.is_empty() {
                    packages.insert(manager, names.iter().map(|n| n.to_string()).collect());
                }
            }
        }
        // With no base image, a library with known packages is listed as installable.
        let installable = match self.image {
            Some(image) => packages.contains_key(manager_of(image)),
            None => !packages.is_empty(),
        };
        let offers: Vec<String> = packages
            .iter()
            .map(|(m, names)| {
                // apt's alternatives are Debian 12's and Ubuntu 24.04's names of one package.
                let joiner = if *m == "apt" { " or " } else { " " };
                format!("{m} {}", names.join(joiner))
            })
            .collect();
        let shown: Vec<&str> = needed_by.iter().take(3).map(String::as_str).collect();
        let more = needed_by.len().saturating_sub(3);
        let by = if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        };
        let lacks = match self.image {
            Some(image) => format!("which {} lacks", image.name),
            None => "which manylinux does not let wheels assume the host has".to_string(),
        };
        let message = if offers.is_empty() {
            format!("needs {soname} ({by}), {lacks}, and no known system package provides it")
        } else {
            format!(
                "needs {soname} ({by}), {lacks}; it comes with {}",
                offers.join(" · ")
            )
        };
        Finding {
            library: Some(MissingLibrary {
                soname: soname.to_string(),
                needed_by,
                packages,
            }),
            ..finding(
                package,
                if installable {
                    Severity::Missing
                } else {
                    Severity::Error
                },
                Kind::Library,
                message,
            )
        }
    }

    /// The highest symbol version each runtime is asked for, against what the target has.
    fn symbol_versions(
        &self,
        package: &LockedPackage,
        facts: &ArtifactFacts,
        own: &BTreeSet<&str>,
        out: &mut Vec<Finding>,
    ) {
        // (prefix, what the target offers, kind, runtime library that may come with the lock)
        let glibc = match &self.libc {
            Some((LibcFamily::Glibc, v)) => Some(v.clone()),
            _ => None,
        };
        let image = self.image;
        let runtimes: [(&str, Option<DottedVersion>, Kind, Option<&str>); 4] = [
            ("GLIBC_", glibc, Kind::Libc, None),
            (
                "GLIBCXX_",
                image
                    .and_then(|i| i.glibcxx)
                    .and_then(|v| DottedVersion::parse(v, 4)),
                Kind::CxxRuntime,
                Some("libstdc++.so.6"),
            ),
            (
                "CXXABI_",
                image
                    .and_then(|i| i.cxxabi)
                    .and_then(|v| DottedVersion::parse(v, 4)),
                Kind::CxxRuntime,
                Some("libstdc++.so.6"),
            ),
            (
                "GCC_",
                image
                    .and_then(|i| i.gcc_s)
                    .and_then(|v| DottedVersion::parse(v, 4)),
                Kind::CxxRuntime,
                Some("libgcc_s.so.1"),
            ),
        ];
        for (prefix, have, kind, runtime) in runtimes {
            let Some(have) = have else { continue };
            if runtime.is_some_and(|r| own.contains(r) || self.provided.contains_key(r)) {
                continue;
            }
            let mut worst: Option<(DottedVersion, &str, &str)> = None;
            for binary in &facts.binaries {
                for need in &binary.version_needs {
                    let Some(v) = need
                        .version
                        .strip_prefix(prefix)
                        .and_then(|v| DottedVersion::parse(v, 4))
                    else {
                        continue;
                    };
                    if runtime.is_some_and(|r| need.file != r) {
                        continue;
                    }
                    if worst.as_ref().is_none_or(|(w, _, _)| v > *w) {
                        worst = Some((v, &binary.path, &need.version));
                    }
                }
            }
            if let Some((v, path, version)) = worst
                && v > have
            {
                let file = path.rsplit('/').next().unwrap_or(path);
                out.push(finding(
                    package,
                    Severity::Error,
                    kind,
                    format!(
                        "{file} needs {version}; {} has {prefix}{have}",
                        self.place()
                    ),
                ));
            }
        }
    }

    /// With no base image, which libraries were taken as present.
    fn assumed_note(&self) -> Option<Finding> {
        let assumed = self.assumed.borrow();
        if assumed.is_empty() {
            return None;
        }
        let names: Vec<&str> = assumed.iter().map(String::as_str).collect();
        Some(Finding {
            package: "(target)".into(),
            version: String::new(),
            severity: Severity::Note,
            kind: Kind::Library,
            message: format!(
                "no base image is known for {}: {} taken as present because manylinux lets wheels assume them; name an image with --base-image to check them",
                self.target,
                names.join(", ")
            ),
            library: None,
        })
    }

    /// The command that installs every missing library on the base image.
    fn install_line(&self, findings: &[Finding]) -> Option<String> {
        let image = self.image?;
        let manager = manager_of(image);
        let mut names = BTreeSet::new();
        for f in findings {
            if let Some(names_there) = f.library.as_ref().and_then(|l| l.packages.get(manager)) {
                names.extend(pick(manager, image, names_there));
            }
        }
        if names.is_empty() {
            return None;
        }
        let names: Vec<String> = names.into_iter().collect();
        Some(match manager {
            "apt" => format!(
                "apt-get install -y --no-install-recommends {}",
                names.join(" ")
            ),
            "apk" => format!("apk add --no-cache {}", names.join(" ")),
            _ if image.name.contains("minimal") => {
                format!("microdnf install -y {}", names.join(" "))
            }
            _ if ["centos7", "amazonlinux2", "manylinux2014"].contains(&image.name) => {
                format!("yum install -y {}", names.join(" "))
            }
            _ => format!("dnf install -y {}", names.join(" ")),
        })
    }
}

/// The names to install of a library's cell for `manager` on `image`: apt cells hold Debian
/// 12's name and, where the 64-bit time_t transition renamed it, Ubuntu 24.04's (`libssl3`,
/// `libssl3t64`); releases from that transition on take the `t64` one.
fn pick(manager: &str, image: &BaseImage, names: &[String]) -> Vec<String> {
    if manager != "apt" || names.len() < 2 {
        return names.to_vec();
    }
    let transitioned = ["ubuntu24", "ubuntu25", "ubuntu26", "debian13", "debian14"]
        .iter()
        .any(|p| image.name.starts_with(p));
    let chosen = names
        .iter()
        .find(|n| n.ends_with("t64") == transitioned)
        .unwrap_or(&names[0]);
    vec![chosen.clone()]
}

/// The package manager of a base image: `apt`, `apk` or `dnf`.
fn manager_of(image: &BaseImage) -> &'static str {
    let name = image.name;
    if image.libc == LibcFamily::Musl {
        "apk"
    } else if ["debian", "ubuntu", "python"]
        .iter()
        .any(|p| name.starts_with(p))
    {
        "apt"
    } else {
        "dnf"
    }
}
