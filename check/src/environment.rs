//! What one target offers the binaries of its environment, and what it lacks.
//!
//! A `DT_NEEDED` name is met, in order, by the artifact itself, another artifact of the
//! environment, the C library of the target's family, the interpreter (`libpython*`) and the
//! base image (or, with no image, manylinux's list of libraries wheels may assume). What
//! remains is a missing library with the system packages that provide it. Symbol versions are
//! held against the target's glibc and the image's C++ runtime.

use crate::facts::{ArtifactFacts, Binary};
use crate::report::{Finding, Kind, MissingLibrary, Severity, finding};
use crate::system::{self, BaseImage};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use unilock_model::Target;
use unilock_model::lock::LockedPackage;
use unilock_model::target::{DottedVersion, LibcFamily};

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

/// What one target offers the binaries of its environment.
pub(crate) struct Environment<'a> {
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
    pub(crate) fn new(
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
    pub(crate) fn binaries(
        &self,
        package: &LockedPackage,
        facts: &ArtifactFacts,
        out: &mut Vec<Finding>,
    ) {
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
        let known = system::library(soname).or_else(|| system::library(&shorter_soname(soname)?));
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
    pub(crate) fn assumed_note(&self) -> Option<Finding> {
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
    pub(crate) fn install_line(&self, findings: &[Finding]) -> Option<String> {
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

/// A full file name asked for as a soname (`libgomp.so.1.0.0`, which some binaries name) as
/// the library's soname (`libgomp.so.1`): the package that ships the one ships the other.
fn shorter_soname(name: &str) -> Option<String> {
    let (stem, versions) = name.split_once(".so.")?;
    let major = versions.split('.').next()?;
    (versions.contains('.') && !major.is_empty()).then(|| format!("{stem}.so.{major}"))
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

#[cfg(test)]
mod tests {
    use super::shorter_soname;

    #[test]
    fn a_full_library_file_name_is_looked_up_by_its_soname() {
        assert_eq!(
            shorter_soname("libgomp.so.1.0.0").as_deref(),
            Some("libgomp.so.1")
        );
        assert_eq!(shorter_soname("libgomp.so.1"), None);
        assert_eq!(shorter_soname("libfoo.so"), None);
        // The row the full name reaches names the package that ships it.
        let row = shorter_soname("libgomp.so.1.0.0").and_then(|s| crate::system::library(&s));
        assert!(row.is_some_and(|r| r.apt.contains(&"libgomp1")));
    }
}
