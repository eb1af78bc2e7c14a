//! From resolutions to the lock: the [`Resolution`] (or [`CondaResolution`]) of every target
//! assembled into one
//! [`Lock`] — one entry per package version with the targets it is chosen on, why it is there,
//! its dependencies, and its files with the targets that use each. No I/O; the result does
//! not depend on the order of the targets or of the input requirements (the lock's lists are
//! sorted by [`Lock::canonicalize`]).

use crate::conda::CondaResolution;
use crate::joint::JointResolution;
use crate::pypi::Resolution;
use std::collections::BTreeMap;
use unilock_model::lock::{Artifact, ArtifactKind, LockedPackage, LockedTarget};
use unilock_model::{Ecosystem, Lock, Target, hash};

/// The lock entry of `target`.
fn locked_target(target: &Target) -> LockedTarget {
    LockedTarget {
        name: target.spec().to_string(),
        key: Some(target.key()),
        conda_subdir: target.platform.conda_subdir().to_string(),
        python: format!("{}.{}", target.python.major, target.python.minor),
        virtual_packages: target
            .virtual_packages()
            .iter()
            .map(|v| format!("{}={}={}", v.name, v.version, v.build))
            .collect(),
    }
}

/// The lock of conda `resolutions`, one per target of `targets` (in the same order): one
/// entry per build (a `noarch` build chosen on several targets is one entry naming them all),
/// with the facts of its channel record ([`LockedPackage::conda`]).
pub fn assemble_conda(targets: &[Target], resolutions: Vec<CondaResolution>) -> Lock {
    let mut lock = Lock::new();
    let mut packages: BTreeMap<(String, String, String, String), LockedPackage> = BTreeMap::new();
    for (target, resolution) in targets.iter().zip(resolutions) {
        let mut locked = locked_target(target);
        // Where the target names no Python, the solve chose it: the lock says which.
        if let Some(python) = resolution
            .packages
            .iter()
            .find(|p| p.record.package_record.name.as_normalized() == "python")
        {
            let version = python.record.package_record.version.to_string();
            let minor: Vec<&str> = version.split('.').take(2).collect();
            if minor.len() == 2 {
                locked.python = minor.join(".");
            }
        }
        let name = locked.name.clone();
        lock.targets.push(locked);
        for p in resolution.packages {
            let record = &p.record.package_record;
            let key = (
                record.name.as_normalized().to_string(),
                record.version.to_string(),
                record.build.to_string(),
                p.record.url.to_string(),
            );
            let entry = packages
                .entry(key)
                .or_insert_with(|| LockedPackage::conda(&p.record));
            entry.targets.push(name.clone());
            entry.requested_by.extend(p.requested_by);
            if let Some(conda) = &mut entry.conda {
                conda.provides.extend(p.provides);
                conda.provides.sort();
                conda.provides.dedup();
            }
        }
    }
    lock.packages = packages.into_values().collect();
    lock.canonicalize();
    lock
}

/// The lock of joint resolutions, one per target: the conda builds and the PyPI packages of
/// each, the targets with the Python each was solved for.
pub fn assemble_joint(resolutions: Vec<JointResolution>) -> Lock {
    let targets: Vec<Target> = resolutions.iter().map(|r| r.target.clone()).collect();
    let (conda, pypi): (Vec<_>, Vec<_>) =
        resolutions.into_iter().map(|r| (r.conda, r.pypi)).unzip();
    let mut lock = assemble_conda(&targets, conda);
    lock.packages.extend(assemble(&targets, pypi).packages);
    lock.canonicalize();
    lock
}

/// The lock of `resolutions`, one per target of `targets` (in the same order).
pub fn assemble(targets: &[Target], resolutions: Vec<Resolution>) -> Lock {
    let mut lock = Lock::new();
    let mut packages: BTreeMap<(String, String), LockedPackage> = BTreeMap::new();
    for (target, resolution) in targets.iter().zip(resolutions) {
        let locked = locked_target(target);
        let name = locked.name.clone();
        lock.targets.push(locked);
        for p in resolution.packages {
            let entry = packages
                .entry((p.name.clone(), p.version.clone()))
                .or_insert_with(|| LockedPackage {
                    name: p.name.clone(),
                    ecosystem: Ecosystem::Pypi,
                    version: p.version.clone(),
                    build: None,
                    source: p.url.is_none().then(|| p.index.clone()),
                    url: p.url.clone(),
                    requested_revision: None,
                    directory: None,
                    targets: Vec::new(),
                    requested_by: Vec::new(),
                    dependencies: Vec::new(),
                    artifacts: Vec::new(),
                    dependencies_from_build: false,
                    conda: None,
                });
            entry.targets.push(name.clone());
            entry.dependencies_from_build |= p.dependencies_from_build;
            entry.requested_by.extend(p.requested_by);
            // A package shared by targets holds the requirements of every one of them; the
            // markers say which apply where.
            entry.dependencies.extend(p.dependencies);
            for f in p.files {
                let kind = if f.filename.ends_with(".whl") {
                    ArtifactKind::Wheel
                } else {
                    ArtifactKind::Sdist
                };
                // The sha256, else another hash; only a valid one (index pages are checked as
                // they are read, but files may come from a cache written before).
                let valid = |(a, h): &(&String, &String)| hash::check(a, h).is_ok();
                let hash = f
                    .hashes
                    .iter()
                    .filter(valid)
                    .find(|(a, _)| *a == "sha256")
                    .or_else(|| f.hashes.iter().find(valid))
                    .map(|(a, h)| format!("{a}:{h}"));
                match entry.artifacts.iter_mut().find(|a| a.url == f.url) {
                    Some(a) => a.targets.push(name.clone()),
                    None => entry.artifacts.push(Artifact {
                        kind,
                        url: f.url,
                        hash,
                        md5: None,
                        size: f.size,
                        targets: vec![name.clone()],
                    }),
                }
            }
        }
    }
    lock.packages = packages.into_values().collect();
    lock.canonicalize();
    // An artifact every target of its package uses needs no target list.
    for p in &mut lock.packages {
        for a in &mut p.artifacts {
            if a.targets == p.targets {
                a.targets.clear();
            }
        }
    }
    lock
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pypi::{Request, ResolvedPackage, resolve};
    use proptest::prelude::*;
    use unilock_model::index::DistFile;
    use unilock_model::target::NoEnvironment;
    use unilock_registries::local::{LocalSource, Location};

    fn target(spec: &str) -> Target {
        Target::parse(spec, &NoEnvironment).unwrap()
    }

    fn wheel(name: &str, tag: &str) -> DistFile {
        DistFile {
            filename: format!("{name}-1.0-{tag}.whl"),
            url: format!("file:///i/{name}-1.0-{tag}.whl"),
            hashes: [("sha256".to_string(), "0".repeat(64))].into(),
            ..DistFile::default()
        }
    }

    fn package(
        name: &str,
        dependencies: &[&str],
        requested_by: &[&str],
        files: Vec<DistFile>,
    ) -> ResolvedPackage {
        ResolvedPackage {
            name: name.into(),
            version: "1.0".into(),
            index: "file:///i".into(),
            url: None,
            files,
            needs_build: false,
            dependencies_from_build: false,
            extras: Vec::new(),
            dependencies: dependencies.iter().map(|d| d.to_string()).collect(),
            requested_by: requested_by.iter().map(|d| d.to_string()).collect(),
        }
    }

    /// ipykernel on Linux and on macOS (where it also needs appnope), as each target's
    /// resolution reports it.
    fn resolution(spec: &str) -> Resolution {
        let mac = spec.starts_with("osx");
        let mut deps = vec!["comm>=0.1.1", "traitlets>=5.4.0"];
        let mut packages = vec![
            package(
                "comm",
                &[],
                &["pypi:ipykernel"],
                vec![wheel("comm", "py3-none-any")],
            ),
            package(
                "traitlets",
                &[],
                &["pypi:ipykernel", "pypi:comm"],
                vec![wheel("traitlets", "py3-none-any")],
            ),
        ];
        if mac {
            deps.insert(0, "appnope ; sys_platform == 'darwin'");
            packages.push(package(
                "appnope",
                &[],
                &["pypi:ipykernel"],
                vec![wheel("appnope", "py3-none-any")],
            ));
        }
        let tag = if mac {
            "cp312-cp312-macosx_11_0_arm64"
        } else {
            "cp312-cp312-manylinux_2_17_x86_64"
        };
        packages.push(package(
            "ipykernel",
            &deps,
            &["requirements.txt:1:1"],
            vec![wheel("ipykernel", tag), wheel("ipykernel", "py3-none-any")],
        ));
        Resolution {
            packages,
            warnings: Vec::new(),
            source_builds: Vec::new(),
        }
    }

    const SPECS: [&str; 3] = [
        "linux-64,python=3.12",
        "osx-arm64,python=3.12",
        "win-64,python=3.12",
    ];

    #[test]
    fn only_a_valid_hash_is_pinned() {
        let mut r = resolution("linux-64,python=3.12");
        let comm = r.packages.iter_mut().find(|p| p.name == "comm").unwrap();
        comm.files[0].hashes = [
            ("md5".to_string(), "1".repeat(32)),
            ("sha256".to_string(), "zz".to_string()),
        ]
        .into();
        let lock = assemble(&[target("linux-64,python=3.12")], vec![r]);
        let comm = lock.packages.iter().find(|p| p.name == "comm").unwrap();
        assert_eq!(
            comm.artifacts[0].hash,
            Some(format!("md5:{}", "1".repeat(32)))
        );
    }

    #[test]
    fn a_shared_package_keeps_each_targets_requirements_with_their_markers() {
        let targets: Vec<Target> = SPECS.iter().map(|s| target(s)).collect();
        let lock = assemble(&targets, SPECS.iter().map(|s| resolution(s)).collect());
        let ipykernel = lock
            .packages
            .iter()
            .find(|p| p.name == "ipykernel")
            .unwrap();
        assert_eq!(
            ipykernel.dependencies,
            [
                "appnope ; sys_platform == 'darwin'",
                "comm>=0.1.1",
                "traitlets>=5.4.0"
            ]
        );
        assert_eq!(ipykernel.targets.len(), 3);
        let pure = ipykernel
            .artifacts
            .iter()
            .find(|a| a.url.ends_with("py3-none-any.whl"))
            .unwrap();
        assert!(
            pure.targets.is_empty(),
            "used by every target: {:?}",
            pure.targets
        );
        let linux = lock.to_document(&lock.targets[0].name, "requirements");
        let deps: Vec<&str> = linux
            .packages
            .iter()
            .find(|p| p.name == "ipykernel")
            .unwrap()
            .dependencies
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        assert_eq!(
            deps,
            ["comm", "traitlets"],
            "appnope is not chosen on Linux"
        );
    }

    proptest! {
        /// The lock text is the same whatever order the targets come in and whatever order
        /// each resolution lists its packages and their requirements in.
        #[test]
        fn the_lock_does_not_depend_on_target_or_requirement_order(
            order in Just(vec![0usize, 1, 2]).prop_shuffle(),
            seed in any::<u64>(),
        ) {
            let expected = {
                let targets: Vec<Target> = SPECS.iter().map(|s| target(s)).collect();
                assemble(&targets, SPECS.iter().map(|s| resolution(s)).collect()).to_toml()
            };
            let specs: Vec<&str> = order.iter().map(|&i| SPECS[i]).collect();
            let targets: Vec<Target> = specs.iter().map(|s| target(s)).collect();
            let mut resolutions: Vec<Resolution> = specs.iter().map(|s| resolution(s)).collect();
            let mut state = seed;
            let mut next = |n: usize| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (state >> 33) as usize % n.max(1)
            };
            for r in &mut resolutions {
                for p in &mut r.packages {
                    let n = p.dependencies.len();
                    p.dependencies.rotate_left(next(n));
                    let n = p.requested_by.len();
                    p.requested_by.rotate_left(next(n));
                    let n = p.files.len();
                    p.files.rotate_left(next(n));
                }
                let n = r.packages.len();
                r.packages.rotate_left(next(n));
            }
            prop_assert_eq!(assemble(&targets, resolutions).to_toml(), expected);
        }
    }

    fn fixture_source() -> LocalSource {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../corpus/fixtures/find-links");
        LocalSource::new(vec![Location::FindLinks(dir)])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]
        /// Resolved for real (the fixture wheels), in any order of targets and input
        /// requirements, the lock is written byte for byte the same.
        #[test]
        fn resolving_in_any_order_writes_the_same_lock(
            order in Just(vec![0usize, 1, 2]).prop_shuffle(),
            lines in Just(vec!["delta[x]", "alpha", "beta>=1"]).prop_shuffle(),
        ) {
            let lock = |specs: &[&str], lines: &[&str]| {
                let source = fixture_source();
                let request = Request {
                    requirements: lines
                        .iter()
                        .map(|l| (l.parse().unwrap(), format!("requirements.txt:{l}")))
                        .collect(),
                    ..Request::default()
                };
                let targets: Vec<Target> = specs.iter().map(|s| target(s)).collect();
                let resolutions = targets
                    .iter()
                    .map(|t| resolve(&source, t, &request).unwrap())
                    .collect();
                assemble(&targets, resolutions).to_toml()
            };
            let expected = lock(&SPECS, &["delta[x]", "alpha", "beta>=1"]);
            let specs: Vec<&str> = order.iter().map(|&i| SPECS[i]).collect();
            prop_assert_eq!(lock(&specs, &lines), expected);
        }
    }
}
