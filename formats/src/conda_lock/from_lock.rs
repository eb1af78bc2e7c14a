//! A `conda-lock.yml` written from unilock's own lock ([`from_lock`]): every chosen target
//! becomes a platform (its conda subdir), every conda build on it a `manager: conda` entry
//! with its URL, `md5` and `sha256` and its dependencies, every PyPI package on it a
//! `manager: pip` entry with the file the target installs, all in the category `main`.
//!
//! conda-lock.yml has one platform per conda subdir and nothing else to tell two targets
//! apart, so two chosen targets with one subdir are refused. What the format has no place
//! for (a build's number, constrains, license and timestamp; a target's virtual packages) is
//! left out; what the lock lacks and conda-lock would need is reported: a conda build
//! without an `md5` is refused (conda-lock refuses it), a PyPI package without a `sha256` is
//! written without a hash and named in a warning.
//!
//! The target choice and the per-target view of the lock are shared with the pixi.lock
//! export (`pixi_lock::from_lock`).

use super::*;
use sha2::{Digest, Sha256};
use unilock_model::lock::{Artifact, ArtifactKind, LockedPackage as Locked, LockedTarget};
use unilock_model::{Diagnostic, Ecosystem, Lock};

/// The help text written before the YAML.
const HEADER: &str = "\
# For each platform, the conda builds and PyPI packages unilock resolved.
# Install this environment as \"YOURENV\" with:
#     conda-lock install -n YOURENV conda-lock.yml
# To change it, change the inputs, resolve again with `unilock resolve` and export again.
";

/// The conda-lock.yml text of `targets` of `lock` (every target when empty), and warnings
/// about what the lock lacks.
pub fn from_lock(lock: &Lock, targets: &[String]) -> Result<(String, Vec<String>), Diagnostic> {
    let chosen = chosen_targets(lock, targets, "conda-lock.yml")?;
    one_target_per_subdir(&chosen)?;
    let mut out = CondaLock {
        header: HEADER.to_string(),
        version: Some(1),
        metadata: Metadata {
            platforms: chosen.iter().map(|t| t.conda_subdir.clone()).collect(),
            sources: vec!["unilock.lock".to_string()],
            ..Metadata::default()
        },
        packages: Vec::new(),
    };
    let mut warnings = Vec::new();
    for target in &chosen {
        let on = on_target(lock, &target.name);
        for p in &on {
            let entry = match p.ecosystem {
                Ecosystem::Conda => conda_entry(p, target)?,
                Ecosystem::Pypi => pip_entry(p, target, &on, &mut warnings)?,
            };
            out.packages.push(entry);
        }
        for p in on.iter().filter(|p| p.ecosystem == Ecosystem::Conda) {
            if let Some(channel) = &p.source
                && !out.metadata.channels.iter().any(|c| &c.url == channel)
            {
                out.metadata.channels.push(LockChannel {
                    url: channel.clone(),
                    used_env_vars: Vec::new(),
                });
            }
        }
    }
    // conda-lock's order: by manager, name and platform.
    out.packages.sort_by(|a, b| {
        (a.manager.as_str(), &a.name, &a.platform).cmp(&(b.manager.as_str(), &b.name, &b.platform))
    });
    out.metadata.content_hash = out
        .metadata
        .platforms
        .iter()
        .map(|platform| (platform.clone(), content_hash(&out.packages, platform)))
        .collect();
    warnings.sort();
    warnings.dedup();
    Ok((emit(&out), warnings))
}

/// The targets to write: those named (each once, in the order given), or every target of the
/// lock. A name the lock does not have is refused with the lock's targets.
pub(crate) fn chosen_targets<'a>(
    lock: &'a Lock,
    targets: &[String],
    format: &str,
) -> Result<Vec<&'a LockedTarget>, Diagnostic> {
    if lock.targets.is_empty() {
        return Err(Diagnostic::invalid(format!(
            "the lock has no targets, so there is nothing to write as {format}"
        ))
        .note("resolve with `--target` first, e.g. `unilock resolve --target linux-64`"));
    }
    if targets.is_empty() {
        return Ok(lock.targets.iter().collect());
    }
    let mut chosen: Vec<&LockedTarget> = Vec::new();
    for name in targets {
        let Some(t) = lock.targets.iter().find(|t| &t.name == name) else {
            let names: Vec<&str> = lock.targets.iter().map(|t| t.name.as_str()).collect();
            return Err(
                Diagnostic::usage(format!("the lock has no target `{name}`"))
                    .expected(format!("one of the lock's targets: {}", names.join(", ")))
                    .note("resolve for it first: `unilock resolve --target …`"),
            );
        };
        if !chosen.iter().any(|c| c.name == t.name) {
            chosen.push(t);
        }
    }
    Ok(chosen)
}

/// conda-lock.yml names a platform by its subdir alone: two targets of one subdir cannot both
/// be written.
fn one_target_per_subdir(chosen: &[&LockedTarget]) -> Result<(), Diagnostic> {
    for (i, a) in chosen.iter().enumerate() {
        if let Some(b) = chosen[..i]
            .iter()
            .find(|b| b.conda_subdir == a.conda_subdir)
        {
            return Err(Diagnostic::usage(format!(
                "targets `{}` and `{}` are both conda platform {}, and conda-lock.yml holds one set of packages per platform",
                b.name, a.name, a.conda_subdir
            ))
            .expected("at most one target per conda platform")
            .note(format!(
                "export one of them with `--target {}`, or use `--to pixi-lock`, whose named platforms hold both",
                b.name
            )));
        }
    }
    Ok(())
}

/// The packages chosen on `target`, in the lock's order.
pub(crate) fn on_target<'a>(lock: &'a Lock, target: &str) -> Vec<&'a Locked> {
    lock.packages
        .iter()
        .filter(|p| p.targets.iter().any(|t| t == target))
        .collect()
}

/// The file `p` is installed from on `target`: a conda archive for a conda build; for a PyPI
/// package a wheel for that target, else its source distribution.
pub(crate) fn artifact_for<'a>(p: &'a Locked, target: &str) -> Option<&'a Artifact> {
    let for_target = |a: &&Artifact| a.targets.is_empty() || a.targets.iter().any(|t| t == target);
    let of = |kind: ArtifactKind| {
        p.artifacts
            .iter()
            .filter(for_target)
            .find(|a| a.kind == kind)
    };
    match p.ecosystem {
        Ecosystem::Conda => of(ArtifactKind::Conda),
        Ecosystem::Pypi => of(ArtifactKind::Wheel).or_else(|| of(ArtifactKind::Sdist)),
    }
}

/// The hex digest of `algorithm` an artifact records (`sha256:…` in `hash`, `md5:…` in `md5`
/// or, where a channel offers nothing better, in `hash`).
pub(crate) fn digest(a: &Artifact, algorithm: &str) -> Option<String> {
    [&a.hash, &a.md5]
        .into_iter()
        .filter_map(|h| h.as_deref()?.split_once(':'))
        .find(|(alg, _)| *alg == algorithm)
        .map(|(_, hex)| hex.to_ascii_lowercase())
}

/// A conda dependency `name spec` as conda-lock keeps it: the name, and the rest of the
/// MatchSpec (empty for any version).
pub(crate) fn split_matchspec(spec: &str) -> (String, String) {
    let spec = spec.trim();
    match spec.split_once(char::is_whitespace) {
        Some((name, rest)) => (name.to_string(), rest.trim().to_string()),
        None => (spec.to_string(), String::new()),
    }
}

fn conda_entry(p: &Locked, target: &LockedTarget) -> Result<LockedPackage, Diagnostic> {
    let what = format!("conda package {} {}", p.name, p.version);
    let Some(artifact) = artifact_for(p, &target.name) else {
        return Err(Diagnostic::invalid(format!(
            "{what} has no conda archive for target `{}` in the lock",
            target.name
        ))
        .note("resolve again to record it: `unilock resolve`"));
    };
    let Some(md5) = digest(artifact, "md5") else {
        return Err(Diagnostic::invalid(format!(
            "{what} has no md5 in the lock, and conda-lock refuses conda packages without one"
        ))
        .expected(format!("an `md5` for {}", artifact.url))
        .note("resolve again with a channel whose repodata records md5 hashes"));
    };
    let mut dependencies: Vec<(String, String)> =
        p.dependencies.iter().map(|d| split_matchspec(d)).collect();
    dependencies.sort();
    dependencies.dedup_by(|a, b| a.0 == b.0);
    Ok(LockedPackage {
        name: p.name.clone(),
        version: p.version.clone(),
        manager: Manager::Conda,
        platform: target.conda_subdir.clone(),
        dependencies,
        url: artifact.url.clone(),
        md5: Some(md5),
        sha256: digest(artifact, "sha256"),
        source: None,
        build: p.build.clone(),
        category: MAIN_CATEGORY.to_string(),
        optional: false,
    })
}

fn pip_entry(
    p: &Locked,
    target: &LockedTarget,
    on: &[&Locked],
    warnings: &mut Vec<String>,
) -> Result<LockedPackage, Diagnostic> {
    let artifact = artifact_for(p, &target.name);
    let Some(url) = artifact.map(|a| a.url.clone()).or_else(|| p.url.clone()) else {
        return Err(Diagnostic::invalid(format!(
            "PyPI package {} {} has no file for target `{}` in the lock",
            p.name, p.version, target.name
        ))
        .note("resolve again to record one: `unilock resolve`"));
    };
    let sha256 = artifact.and_then(|a| digest(a, "sha256"));
    if sha256.is_none() {
        warnings.push(format!(
            "PyPI package {} {} has no sha256 in the lock: its conda-lock.yml entry has no hash, so the download is not checked",
            p.name, p.version
        ));
    }
    Ok(LockedPackage {
        name: p.name.clone(),
        version: p.version.clone(),
        manager: Manager::Pip,
        platform: target.conda_subdir.clone(),
        dependencies: pip_dependencies(p, on),
        url,
        md5: None,
        sha256,
        source: p.url.clone(),
        build: None,
        category: MAIN_CATEGORY.to_string(),
        optional: false,
    })
}

/// The dependencies of a PyPI package on one target, as conda-lock writes them (name →
/// version specifier, `*` for any): those whose package the target has, sorted by name.
fn pip_dependencies(p: &Locked, on: &[&Locked]) -> Vec<(String, String)> {
    let normal = |name: &str| {
        pep508_rs::PackageName::new(name.to_string())
            .map(|n| n.to_string())
            .unwrap_or_else(|_| name.to_ascii_lowercase())
    };
    let present: Vec<String> = on.iter().map(|q| normal(&q.name)).collect();
    let mut out: Vec<(String, String)> = Vec::new();
    for d in &p.dependencies {
        let Ok(req) = d.parse::<pep508_rs::Requirement>() else {
            continue;
        };
        let name = req.name.to_string();
        if !present.contains(&name) || out.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let spec = match &req.version_or_url {
            Some(pep508_rs::VersionOrUrl::VersionSpecifier(s)) if !s.is_empty() => s.to_string(),
            _ => "*".to_string(),
        };
        out.push((name, spec));
    }
    out.sort();
    out
}

/// `metadata.content_hash` of a platform: the sha256 of what is locked there (manager, name,
/// version, build and URL of each entry), so it changes exactly when the platform's pins do.
fn content_hash(packages: &[LockedPackage], platform: &str) -> String {
    let mut hasher = Sha256::new();
    for p in packages.iter().filter(|p| p.platform == platform) {
        hasher.update(
            format!(
                "{} {} {} {} {}\n",
                p.manager.as_str(),
                p.name,
                p.version,
                p.build.as_deref().unwrap_or(""),
                p.url
            )
            .as_bytes(),
        );
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use unilock_model::lock::LockedConda;

    fn target(name: &str, subdir: &str) -> LockedTarget {
        LockedTarget {
            name: name.into(),
            key: None,
            conda_subdir: subdir.into(),
            python: "3.12".into(),
            virtual_packages: vec![],
        }
    }

    fn artifact(kind: ArtifactKind, url: &str, sha: Option<char>, md5: Option<char>) -> Artifact {
        Artifact {
            kind,
            url: url.into(),
            hash: sha.map(|c| format!("sha256:{}", c.to_string().repeat(64))),
            md5: md5.map(|c| format!("md5:{}", c.to_string().repeat(32))),
            size: None,
            targets: vec![],
        }
    }

    /// python (conda) and `tinyx` (PyPI, needing attrs and numpy) on linux-64; attrs too.
    fn lock() -> Lock {
        let conda = Locked {
            name: "python".into(),
            ecosystem: Ecosystem::Conda,
            version: "3.12.7".into(),
            build: Some("h0_cpython".into()),
            source: Some("https://conda.example/main".into()),
            url: None,
            requested_revision: None,
            directory: None,
            targets: vec!["linux-64".into()],
            requested_by: vec![],
            dependencies: vec!["libzlib >=1.3,<2.0a0".into(), "__glibc >=2.17".into()],
            artifacts: vec![artifact(
                ArtifactKind::Conda,
                "https://conda.example/main/linux-64/python-3.12.7-h0_cpython.conda",
                Some('a'),
                Some('b'),
            )],
            dependencies_from_build: false,
            conda: Some(LockedConda::default()),
        };
        let pypi = |name: &str, deps: &[&str], sha: Option<char>| Locked {
            name: name.into(),
            ecosystem: Ecosystem::Pypi,
            version: "1.0".into(),
            build: None,
            source: Some("https://index.example/simple".into()),
            url: None,
            requested_revision: None,
            directory: None,
            targets: vec!["linux-64".into()],
            requested_by: vec![],
            dependencies: deps.iter().map(|d| d.to_string()).collect(),
            artifacts: vec![
                artifact(
                    ArtifactKind::Sdist,
                    &format!("https://files.example/{name}-1.0.tar.gz"),
                    Some('c'),
                    None,
                ),
                artifact(
                    ArtifactKind::Wheel,
                    &format!("https://files.example/{name}-1.0-py3-none-any.whl"),
                    sha,
                    None,
                ),
            ],
            dependencies_from_build: false,
            conda: None,
        };
        Lock {
            version: 2,
            inputs: Vec::new(),
            options: Default::default(),
            targets: vec![target("linux-64", "linux-64")],
            packages: vec![
                conda,
                pypi(
                    "tinyx",
                    &["attrs>=22", "numpy<2 ; python_version < '3'"],
                    Some('d'),
                ),
                pypi("attrs", &[], None),
            ],
        }
    }

    #[test]
    fn every_field_conda_lock_writes_is_filled_from_the_lock() {
        let (text, warnings) = from_lock(&lock(), &[]).unwrap();
        let back = super::super::parse("conda-lock.yml", &text).unwrap();
        let python = back.packages.iter().find(|p| p.name == "python").unwrap();
        assert_eq!(python.manager, Manager::Conda);
        assert_eq!(python.md5.as_deref(), Some("b".repeat(32).as_str()));
        assert_eq!(python.sha256.as_deref(), Some("a".repeat(64).as_str()));
        assert_eq!(python.build.as_deref(), Some("h0_cpython"));
        assert_eq!(
            python.dependencies,
            [
                ("__glibc".to_string(), ">=2.17".to_string()),
                ("libzlib".into(), ">=1.3,<2.0a0".into())
            ]
        );
        assert_eq!((python.category.as_str(), python.optional), ("main", false));
        // A PyPI package installs its wheel; its dependencies are those the target has.
        let tinyx = back.packages.iter().find(|p| p.name == "tinyx").unwrap();
        assert_eq!(tinyx.manager, Manager::Pip);
        assert!(tinyx.url.ends_with("tinyx-1.0-py3-none-any.whl"));
        assert_eq!(
            tinyx.dependencies,
            [("attrs".to_string(), ">=22".to_string())]
        );
        // conda first, then pip, each by name.
        let order: Vec<&str> = back.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(order, ["python", "attrs", "tinyx"]);
        // The wheel of attrs has no hash: said, and written without one.
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("attrs 1.0 has no sha256"),
            "{warnings:?}"
        );
        let attrs = back.packages.iter().find(|p| p.name == "attrs").unwrap();
        assert_eq!((attrs.md5.as_ref(), attrs.sha256.as_ref()), (None, None));
        assert!(text.starts_with("# For each platform, the conda builds and PyPI packages"));
    }

    #[test]
    fn a_conda_build_without_md5_is_refused_naming_it() {
        let mut lock = lock();
        lock.packages[0].artifacts[0].md5 = None;
        let err = from_lock(&lock, &[]).unwrap_err();
        assert_eq!(err.kind(), unilock_model::ErrorKind::InvalidInput);
        assert!(
            err.message()
                .contains("conda package python 3.12.7 has no md5"),
            "{}",
            err.render()
        );
    }

    #[test]
    fn a_lock_without_targets_is_refused() {
        let mut lock = lock();
        lock.targets.clear();
        let err = from_lock(&lock, &[]).unwrap_err();
        assert!(err.message().contains("no targets"), "{}", err.render());
    }
}
