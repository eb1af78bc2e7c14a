//! The platforms of a version 7 `pixi.lock` and unilock's targets, both ways.
//!
//! A platform of a pixi.lock is a name, the conda subdir its packages come from (the name
//! itself when no `subdir` is written) and the virtual packages it was solved with. Named
//! platforms let one lock hold several machines of one subdir (`linux-64` and
//! `linux-64-cuda`, the latter with `__cuda=12.0`).
//!
//! - A platform is the target of its subdir with what its virtual packages say as overrides
//!   ([`Platform::target`]): `__glibc=V` → `glibc=V`, `__linux=V` → `linux=V`, `__cuda=V` →
//!   `cuda=V`, `__osx=V` → `macos=V`, `__archspec=…=NAME` → `cpu=NAME` where NAME is a
//!   microarchitecture of the subdir; `__unix` says nothing more, and `__win`'s version has no
//!   target override (only `CONDA_OVERRIDE_WIN` sets it), so it is left out. So
//!   `{name: linux-64-cuda, subdir: linux-64, virtual-packages: [__cuda=12.0, __glibc=2.28]}`
//!   is the target `linux-64,glibc=2.28,cuda=12.0`.
//! - A target of the lock is a platform of its subdir with the target's virtual packages
//!   ([`Platform::from_target`]), named by its subdir when it is the only target of that subdir,
//!   else by its target string with every character a platform name cannot hold (anything but
//!   letters, digits, `_` and `-`) turned into `-` ([`platform_names`]): `linux-64` and
//!   `linux-64,cuda=12.0` become the platforms `linux-64` and `linux-64-cuda-12-0`.

use super::Platform;
use unilock_model::Target;
use unilock_model::lock::LockedTarget;
use unilock_model::target::archspec;
use unilock_model::target::parse::NoEnvironment;

impl Platform {
    /// The conda subdir of the platform's packages.
    pub fn subdir(&self) -> &str {
        self.subdir.as_deref().unwrap_or(&self.name)
    }

    /// The unilock target string of this platform: its subdir and the overrides its virtual
    /// packages say.
    pub fn target(&self) -> String {
        let subdir = self.subdir();
        let platform = Target::parse(subdir, &NoEnvironment)
            .ok()
            .map(|t| t.platform);
        let mut overrides: Vec<(&str, String)> = Vec::new();
        for vp in &self.virtual_packages {
            let Some((name, version, build)) = exact_virtual_package(vp) else {
                continue;
            };
            let key = match name {
                "__glibc" => "glibc",
                "__linux" if version != "0" => "linux",
                "__cuda" => "cuda",
                "__osx" if version != "0" => "macos",
                "__archspec" => {
                    let cpu = archspec::normalize(build.unwrap_or(""));
                    if platform.is_some_and(|p| archspec::valid_for(p).contains(&cpu.as_str())) {
                        overrides.push(("cpu", cpu));
                    }
                    continue;
                }
                _ => continue,
            };
            overrides.push((key, version.to_string()));
        }
        // The canonical order of target overrides.
        let order = ["glibc", "linux", "cuda", "cpu", "macos"];
        overrides.sort_by_key(|(k, _)| order.iter().position(|o| o == k));
        let mut spec = subdir.to_string();
        for (key, value) in overrides {
            spec.push_str(&format!(",{key}={value}"));
        }
        spec
    }

    /// The platform `name` of a lock target: its subdir and its virtual packages.
    pub fn from_target(target: &LockedTarget, name: &str) -> Platform {
        Platform {
            name: name.to_string(),
            subdir: (name != target.conda_subdir).then(|| target.conda_subdir.clone()),
            virtual_packages: target.virtual_packages.clone(),
        }
    }
}

/// The platform name of each target, in order: its subdir when no other target shares it,
/// else its target string made a valid platform name (made unique with `-2`, `-3`, … if two
/// come out the same).
pub fn platform_names(targets: &[&LockedTarget]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for t in targets {
        let shared = targets
            .iter()
            .filter(|o| o.conda_subdir == t.conda_subdir)
            .count()
            > 1;
        let base = if shared {
            t.name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect()
        } else {
            t.conda_subdir.clone()
        };
        let mut name = base.clone();
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        names.push(name);
    }
    names
}

/// A virtual package pinned to one version, `__name=version[=build]`: its name, version and
/// build. A range (`__libc >= 32`) pins nothing and is `None`.
fn exact_virtual_package(text: &str) -> Option<(&str, &str, Option<&str>)> {
    let mut parts = text.trim().splitn(3, '=');
    let name = parts.next()?.trim();
    let version = parts.next()?.trim();
    if name.contains(char::is_whitespace) || version.is_empty() {
        return None;
    }
    Some((name, version, parts.next().map(str::trim)))
}

/// Whether `name` can name a platform of a pixi.lock (rattler's rule: letters, digits, `_` and
/// `-`).
pub(super) fn valid_platform_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(name: &str, subdir: &str, vps: &[&str]) -> LockedTarget {
        LockedTarget {
            name: name.into(),
            key: None,
            conda_subdir: subdir.into(),
            python: "3.12".into(),
            virtual_packages: vps.iter().map(|v| v.to_string()).collect(),
        }
    }

    /// The virtual packages of a target string, as `__name=version=build`.
    fn virtual_packages(spec: &str) -> Vec<String> {
        Target::parse(spec, &NoEnvironment)
            .unwrap_or_else(|e| panic!("{spec}: {}", e.render()))
            .virtual_packages()
            .iter()
            .map(|v| format!("{}={}={}", v.name, v.version, v.build))
            .collect()
    }

    #[test]
    fn a_named_platform_is_the_target_its_virtual_packages_describe() {
        // As pixi writes them.
        let cuda = Platform {
            name: "linux-64-cuda".into(),
            subdir: Some("linux-64".into()),
            virtual_packages: vec![
                "__unix=0=0".into(),
                "__linux=4.18".into(),
                "__glibc=2.28".into(),
                "__cuda=12.0".into(),
                "__archspec=0=x86_64".into(),
            ],
        };
        assert_eq!(
            cuda.target(),
            "linux-64,glibc=2.28,linux=4.18,cuda=12.0,cpu=x86_64"
        );
        let vps = virtual_packages(&cuda.target());
        for want in ["__cuda=12.0=0", "__glibc=2.28=0", "__linux=4.18=0"] {
            assert!(vps.contains(&want.to_string()), "{want} in {vps:?}");
        }
        let mac = Platform {
            name: "osx-arm64".into(),
            subdir: None,
            virtual_packages: vec![
                "__unix=0=0".into(),
                "__osx=13.0".into(),
                "__archspec=0=m1".into(),
            ],
        };
        assert_eq!(mac.target(), "osx-arm64,cpu=m1,macos=13.0");
        assert!(virtual_packages(&mac.target()).contains(&"__osx=13.0=0".to_string()));
        // A range pins nothing; a platform without virtual packages is its subdir.
        let ranged = Platform {
            name: "linux-64-foobar".into(),
            subdir: Some("linux-64".into()),
            virtual_packages: vec!["__libc >= 32".into()],
        };
        assert_eq!(ranged.target(), "linux-64");
    }

    #[test]
    fn a_target_becomes_a_platform_and_back_with_the_same_virtual_packages() {
        let specs = ["linux-64", "linux-64,glibc=2.17,cuda=12.0", "osx-arm64"];
        let targets: Vec<LockedTarget> = specs
            .iter()
            .map(|s| {
                let t = Target::parse(s, &NoEnvironment).unwrap();
                let vps: Vec<String> = virtual_packages(s);
                target(
                    s,
                    t.platform.conda_subdir(),
                    &vps.iter().map(String::as_str).collect::<Vec<_>>(),
                )
            })
            .collect();
        let refs: Vec<&LockedTarget> = targets.iter().collect();
        let names = platform_names(&refs);
        assert_eq!(
            names,
            ["linux-64", "linux-64-glibc-2-17-cuda-12-0", "osx-arm64"]
        );
        for ((t, name), spec) in targets.iter().zip(&names).zip(specs) {
            assert!(valid_platform_name(name));
            let platform = Platform::from_target(t, name);
            assert_eq!(platform.subdir(), t.conda_subdir);
            assert_eq!(
                virtual_packages(&platform.target()),
                virtual_packages(spec),
                "{spec} → {name} → {}",
                platform.target()
            );
        }
        // Only a shared subdir needs a name of its own.
        assert_eq!(platform_names(&refs[1..]), ["linux-64", "osx-arm64"]);
    }
}
