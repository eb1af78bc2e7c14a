//! Platform selectors of manifest requirements, and where each requirement applies.
//!
//! pixi manifests keep platform-specific dependencies in `[target.<selector>]` tables, where the
//! selector is a conda subdir (`linux-64`, `osx-arm64`) or a family of systems (`linux`, `osx`,
//! `win`, `unix`). A requirement read there carries its [`PlatformSelector`]
//! ([`ManifestRequirement::platform`](crate::manifest::ManifestRequirement::platform)).
//!
//! As in pixi, a more specific selector replaces a less specific one for the same package:
//! `[target.win-64.dependencies] python = "3.7"` is the `python` spec on win-64, and the
//! `[dependencies] python` spec holds everywhere else. Subdir beats system (`linux`, `osx`,
//! `win`), which beats `unix`, which beats no selector. [`Manifest::platform_scopes`] works that
//! out once for every requirement as a [`PlatformScope`]: the selector it is limited to and the
//! more specific ones that take its place. A consumer asks the scope whether it holds on a
//! target's subdir (conda specs), or turns it into a PEP 508 marker (PyPI requirements, which
//! one request shares between targets).

use crate::Manifest;
use crate::target::Platform;
use crate::target::platform::{NameKind, Os};
use rattler_conda_types::Subdir;
use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Which platforms a requirement is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlatformSelector {
    /// One conda subdir.
    Subdir(Subdir),
    /// Every Linux subdir.
    Linux,
    /// Every macOS subdir.
    Osx,
    /// Every Windows subdir.
    Win,
    /// Every subdir but Windows ones (Linux, macOS, …), as pixi and conda-build mean it.
    Unix,
}

impl PlatformSelector {
    /// Reads a selector as pixi writes it (`linux-64`, `linux`, `osx`, `win`, `unix`); `None`
    /// for anything else.
    pub fn parse(text: &str) -> Option<PlatformSelector> {
        Some(match text {
            "linux" => PlatformSelector::Linux,
            "osx" => PlatformSelector::Osx,
            "win" => PlatformSelector::Win,
            "unix" => PlatformSelector::Unix,
            // `noarch` and `unknown` name no platform a package is installed on.
            "noarch" | "unknown" => return None,
            _ => PlatformSelector::Subdir(Subdir::from_str(text).ok()?),
        })
    }

    /// The selector as written.
    pub fn as_str(&self) -> &'static str {
        match self {
            PlatformSelector::Subdir(s) => s.as_str(),
            PlatformSelector::Linux => "linux",
            PlatformSelector::Osx => "osx",
            PlatformSelector::Win => "win",
            PlatformSelector::Unix => "unix",
        }
    }

    /// Higher is more specific: a subdir, then a system, then `unix`.
    fn specificity(&self) -> u8 {
        match self {
            PlatformSelector::Subdir(_) => 3,
            PlatformSelector::Linux | PlatformSelector::Osx | PlatformSelector::Win => 2,
            PlatformSelector::Unix => 1,
        }
    }

    /// Whether the selector covers the conda subdir `subdir` (`linux-64`); an unknown subdir
    /// is covered by nothing.
    pub fn matches(&self, subdir: &str) -> bool {
        let Ok(s) = Subdir::from_str(subdir) else {
            return false;
        };
        match self {
            PlatformSelector::Subdir(own) => *own == s,
            PlatformSelector::Linux => s.is_linux(),
            PlatformSelector::Osx => s.is_osx(),
            PlatformSelector::Win => s.is_windows(),
            PlatformSelector::Unix => s.is_unix(),
        }
    }

    /// The PEP 508 marker true exactly on the platforms of this selector that unilock has
    /// targets for; `None` for a subdir it has none for (`emscripten-wasm32`).
    pub fn marker(&self) -> Option<String> {
        Some(match self {
            PlatformSelector::Subdir(s) => {
                let name =
                    Platform::lookup(s.as_str()).filter(|n| n.kind == NameKind::CondaSubdir)?;
                format!(
                    "sys_platform == '{}' and platform_machine == '{}'",
                    sys_platform(name.platform.os),
                    name.platform.machine()
                )
            }
            PlatformSelector::Linux => "sys_platform == 'linux'".into(),
            PlatformSelector::Osx => "sys_platform == 'darwin'".into(),
            PlatformSelector::Win => "sys_platform == 'win32'".into(),
            PlatformSelector::Unix => "sys_platform != 'win32'".into(),
        })
    }

    /// The PEP 508 marker true exactly where [`PlatformSelector::marker`] is false (PEP 508
    /// has no `not`); `None` where that marker is.
    fn negated_marker(&self) -> Option<String> {
        Some(match self {
            PlatformSelector::Subdir(s) => {
                let name =
                    Platform::lookup(s.as_str()).filter(|n| n.kind == NameKind::CondaSubdir)?;
                format!(
                    "sys_platform != '{}' or platform_machine != '{}'",
                    sys_platform(name.platform.os),
                    name.platform.machine()
                )
            }
            PlatformSelector::Linux => "sys_platform != 'linux'".into(),
            PlatformSelector::Osx => "sys_platform != 'darwin'".into(),
            PlatformSelector::Win => "sys_platform != 'win32'".into(),
            PlatformSelector::Unix => "sys_platform == 'win32'".into(),
        })
    }
}

fn sys_platform(os: Os) -> &'static str {
    match os {
        Os::Linux => "linux",
        Os::Macos => "darwin",
        Os::Windows => "win32",
    }
}

impl fmt::Display for PlatformSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for PlatformSelector {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Where one requirement applies: on the platforms of `only` (everywhere when `None`), except
/// those of `except`, where a more specific selector of the same package takes its place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlatformScope {
    pub only: Option<PlatformSelector>,
    pub except: Vec<PlatformSelector>,
}

impl PlatformScope {
    /// Whether the requirement applies on the conda subdir `subdir`.
    pub fn holds(&self, subdir: &str) -> bool {
        self.only.is_none_or(|s| s.matches(subdir))
            && !self.except.iter().any(|s| s.matches(subdir))
    }

    /// The scope as a PEP 508 marker (`None`: everywhere). Subdirs unilock has no target for
    /// are left out of `except`; an `only` of such a subdir gives a marker no target meets.
    pub fn marker(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(only) = self.only {
            // No unilock target is on that subdir: a marker none of them meets.
            parts.push(
                only.marker()
                    .unwrap_or_else(|| "sys_platform == 'unknown'".into()),
            );
        }
        parts.extend(
            self.except
                .iter()
                .filter_map(PlatformSelector::negated_marker),
        );
        match parts.len() {
            0 => None,
            1 => parts.pop(),
            _ => Some(
                parts
                    .iter()
                    .map(|p| format!("({p})"))
                    .collect::<Vec<_>>()
                    .join(" and "),
            ),
        }
    }
}

impl Manifest {
    /// Where each requirement applies (parallel to `requirements`): a requirement with a
    /// selector is limited to it, and gives way, on its own platforms, to the requirements of
    /// the same package, role and group with a more specific selector.
    pub fn platform_scopes(&self) -> Vec<PlatformScope> {
        let rank = |s: Option<PlatformSelector>| s.map_or(0, |s| s.specificity());
        self.requirements
            .iter()
            .map(|r| {
                let name = r.requirement.name();
                let mut except: Vec<PlatformSelector> = Vec::new();
                if name.is_some() {
                    for other in &self.requirements {
                        let Some(selector) = other.platform else {
                            continue;
                        };
                        if rank(other.platform) > rank(r.platform)
                            && other.requirement.ecosystem() == r.requirement.ecosystem()
                            && other.requirement.name() == name
                            && other.role == r.role
                            && other.group == r.group
                            && !except.contains(&selector)
                        {
                            except.push(selector);
                        }
                    }
                }
                PlatformScope {
                    only: r.platform,
                    except,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{ManifestRequirement, RequirementRole};
    use crate::{Requirement, Target};

    fn conda(spec: &str, platform: Option<&str>) -> ManifestRequirement {
        ManifestRequirement {
            requirement: Requirement::parse_conda(spec, "pixi.toml", spec, 0).unwrap(),
            role: RequirementRole::Dependency,
            group: None,
            editable: false,
            hashes: Vec::new(),
            origin: None,
            platform: platform.map(|p| PlatformSelector::parse(p).unwrap()),
        }
    }

    #[test]
    fn selectors_read_as_pixi_writes_them() {
        for s in [
            "linux-64",
            "osx-arm64",
            "win-64",
            "emscripten-wasm32",
            "linux",
            "osx",
            "win",
            "unix",
        ] {
            assert_eq!(PlatformSelector::parse(s).map(|p| p.as_str()), Some(s));
        }
        for s in ["noarch", "linux64", "windows", "", "Linux-64"] {
            assert_eq!(PlatformSelector::parse(s), None, "{s}");
        }
        let unix = PlatformSelector::Unix;
        assert!(unix.matches("linux-aarch64") && unix.matches("osx-64") && !unix.matches("win-64"));
        assert!(PlatformSelector::Linux.matches("linux-ppc64le"));
        assert!(!PlatformSelector::Osx.matches("not-a-subdir"));
    }

    #[test]
    fn a_more_specific_selector_replaces_the_general_spec_on_its_platforms_only() {
        let manifest = Manifest {
            sources: Vec::new(),
            requirements: vec![
                conda("python >=3.8", None),
                conda("python 3.7.*", Some("win-64")),
                conda("python 3.9.*", Some("unix")),
                conda("python 3.10.*", Some("linux-64")),
                conda("msmpi", Some("win")),
            ],
        };
        let scopes = manifest.platform_scopes();
        let on = |subdir: &str| -> Vec<String> {
            manifest
                .requirements
                .iter()
                .zip(&scopes)
                .filter(|(_, s)| s.holds(subdir))
                .map(|(r, _)| r.requirement.to_string())
                .collect()
        };
        assert_eq!(on("win-64"), ["python 3.7.*", "msmpi"]);
        assert_eq!(on("win-arm64"), ["python >=3.8", "msmpi"]);
        assert_eq!(on("linux-64"), ["python 3.10.*"]);
        assert_eq!(on("linux-aarch64"), ["python 3.9.*"]);
        assert_eq!(on("osx-arm64"), ["python 3.9.*"]);
    }

    #[test]
    fn scopes_as_markers_hold_on_the_same_targets() {
        let manifest = Manifest {
            sources: Vec::new(),
            requirements: vec![
                conda("python", None),
                conda("python 3.9.*", Some("unix")),
                conda("python 3.10.*", Some("linux-64")),
                conda("python 3.11.*", Some("emscripten-wasm32")),
            ],
        };
        let scopes = manifest.platform_scopes();
        assert_eq!(
            scopes[0].marker().as_deref(),
            Some(
                "(sys_platform == 'win32') and (sys_platform != 'linux' or platform_machine != 'x86_64')"
            )
        );
        assert_eq!(
            scopes[1].marker().as_deref(),
            Some(
                "(sys_platform != 'win32') and (sys_platform != 'linux' or platform_machine != 'x86_64')"
            )
        );
        assert_eq!(
            scopes[3].marker().as_deref(),
            Some("sys_platform == 'unknown'")
        );
        for target in [
            "linux-64",
            "linux-aarch64",
            "osx-arm64",
            "osx-64",
            "win-64",
            "centos7",
            "macos14",
        ] {
            let t = Target::parse(target, &crate::target::NoEnvironment).unwrap();
            let env = t.marker_environment();
            let subdir = t.platform.conda_subdir();
            for scope in &scopes {
                let by_marker = scope.marker().is_none_or(|m| {
                    pep508_rs::MarkerTree::from_str(&m)
                        .unwrap()
                        .evaluate(&env, &[])
                });
                assert_eq!(by_marker, scope.holds(subdir), "{target}: {scope:?}");
            }
        }
    }
}
