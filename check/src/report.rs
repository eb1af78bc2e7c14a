//! What `check` found, per target: the stable `--json` shape and the text on stdout.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use unilock_model::lock::LockedPackage;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// The environment cannot run there as locked (exit 4).
    Error,
    /// Something the artifact could not be read for: the check is incomplete (exit 3 when
    /// nothing failed).
    Unchecked,
    /// The target must install a system package first; the report names it.
    Missing,
    /// Runs, with a caveat the message states.
    Warning,
    /// Worth knowing (a build on the target, a library from another package).
    Note,
}

impl Severity {
    fn word(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Unchecked => "unchecked",
            Severity::Missing => "missing",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A shared library nothing in the lock or the base image provides.
    Library,
    /// A C library symbol version (`GLIBC_2.28`) or family (glibc on musl) the target lacks.
    Libc,
    /// A C++ runtime symbol version (`GLIBCXX_3.4.30`, `CXXABI_1.3.13`, `GCC_12.0.0`).
    CxxRuntime,
    Cuda,
    Cpu,
    /// The package is built from a source distribution on the target.
    SourceBuild,
    /// The lock's wheel for the package does not install on this target.
    Wheel,
    /// The artifact could not be fetched or read.
    Artifact,
}

/// One thing the target lacks or should know, for one package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Finding {
    pub package: String,
    pub version: String,
    pub severity: Severity,
    pub kind: Kind,
    /// One sentence, without the package name.
    pub message: String,
    /// For a missing library: its name and who provides it where.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub library: Option<MissingLibrary>,
}

/// A finding about `package` with no library attached.
pub(crate) fn finding(
    package: &LockedPackage,
    severity: Severity,
    kind: Kind,
    message: String,
) -> Finding {
    Finding {
        package: package.name.clone(),
        version: package.version.clone(),
        severity,
        kind,
        message,
        library: None,
    }
}

/// A shared library the target must install.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct MissingLibrary {
    pub soname: String,
    /// The binaries that need it (member paths).
    pub needed_by: Vec<String>,
    /// Package names per manager: `apt`, `apk`, `dnf`, `conda-forge`, `nixpkgs`; empty when no
    /// package is known.
    pub packages: BTreeMap<&'static str, Vec<String>>,
}

/// The check of one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct TargetReport {
    /// The target checked, as given.
    pub target: String,
    /// The lock's target whose artifacts were read.
    pub lock_target: String,
    /// The base image assumed, when one is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_image: Option<String>,
    /// The artifacts whose binaries were read (pure wheels and noarch packages have none).
    pub artifacts: usize,
    /// The sum of those artifacts' sizes, as the lock records them.
    pub artifact_bytes: u64,
    pub findings: Vec<Finding>,
    /// The command that installs every missing library on the base image, when each has a
    /// package there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub install: Option<String>,
}

/// The whole check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Report {
    pub targets: Vec<TargetReport>,
    /// Bytes transferred from the network for this check (0 when every fact was cached).
    pub bytes_read: u64,
}

impl Report {
    fn count(&self, severity: Severity) -> usize {
        self.targets
            .iter()
            .flat_map(|t| &t.findings)
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Whether something the lock needs cannot be had on a target.
    pub fn failed(&self) -> bool {
        self.count(Severity::Error) > 0
    }

    /// Whether some artifact could not be read.
    pub fn incomplete(&self) -> bool {
        self.count(Severity::Unchecked) > 0
    }

    /// The stable JSON form (`unilock check --json`).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The text form: per target, findings by severity, then the install line and a summary.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for t in &self.targets {
            let _ = write!(out, "{}", t.target);
            if t.lock_target != t.target {
                let _ = write!(out, " (the lock's {} artifacts)", t.lock_target);
            }
            match &t.base_image {
                Some(image) => {
                    let _ = writeln!(out, ", base image {image}:");
                }
                None => out.push_str(":\n"),
            }
            let mut findings: Vec<&Finding> = t.findings.iter().collect();
            findings.sort_by(|a, b| {
                (a.severity, &a.package, a.kind).cmp(&(b.severity, &b.package, b.kind))
            });
            for f in &findings {
                let _ = match f.version.is_empty() {
                    true => writeln!(out, "  {:<9} {}", f.severity.word(), f.message),
                    false => writeln!(
                        out,
                        "  {:<9} {} {}: {}",
                        f.severity.word(),
                        f.package,
                        f.version,
                        f.message
                    ),
                };
            }
            if let Some(install) = &t.install {
                let _ = writeln!(out, "  install first: {install}");
            }
            let errors = findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            let missing = findings
                .iter()
                .filter(|f| f.severity == Severity::Missing)
                .count();
            let _ = writeln!(
                out,
                "  {} artifacts read: {}",
                t.artifacts,
                match (errors, missing) {
                    (0, 0) => "everything it needs is there".to_string(),
                    (0, m) => format!("runs once {m} missing librar{} installed", plural(m)),
                    (e, _) => format!("{e} error{} (see above)", if e == 1 { "" } else { "s" }),
                }
            );
        }
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "y is" } else { "ies are" }
}

/// The known base images, one per line: name, C library, C++ runtime, the presets it is the
/// default of (`unilock check --list-images`).
pub fn image_listing() -> String {
    let mut out = String::new();
    for image in crate::system::base_images() {
        let _ = writeln!(
            out,
            "{:<18} {} {:<6} {:<16} {:<40} {}",
            image.name,
            image.libc.as_str(),
            image.libc_version,
            image
                .gcc
                .map_or("no libstdc++".to_string(), |g| format!("libstdc++ GCC {g}")),
            image.description,
            if image.presets.is_empty() {
                String::new()
            } else {
                format!("(default of {})", image.presets.join(", "))
            }
        );
    }
    out
}
