//! A `pixi.lock` written from unilock's own lock ([`from_lock`]), in version 7 (the version
//! pixi writes today): every chosen target a platform with the target's virtual packages
//! (named as `platforms` says, see [`super::platforms`]), one environment `default` with the
//! lock's conda channels and PyPI indexes, and per platform the conda builds and PyPI files
//! the target installs. Each package is listed once, as rattler writes it: a conda build by
//! URL with what its URL does not say (build number and noarch kind where they differ from
//! what rattler derives; the subdir of a location that is not an http(s) URL, which older
//! rattler releases do not derive), its hashes, dependencies, constrains, track features, license,
//! purls, size and timestamp; a PyPI file by URL with its name, version, sha256 and
//! `requires_dist` (the lock's dependency strings, markers kept).
//!
//! What the lock lacks is reported as a warning: a conda build without `md5` or `sha256`, a
//! PyPI file without `sha256`. `requires_python` is not in the lock and is left out.

use super::platforms::platform_names;
use super::*;
use crate::conda_lock::from_lock::{artifact_for, chosen_targets, digest, on_target};
use crate::conda_pins::{ArchiveUrl, build_number_from_build};
use unilock_model::lock::LockedPackage as Locked;
use unilock_model::{Diagnostic, Ecosystem, Lock};

/// The pixi.lock text of `targets` of `lock` (every target when empty), and warnings about
/// what the lock lacks.
pub fn from_lock(lock: &Lock, targets: &[String]) -> Result<(String, Vec<String>), Diagnostic> {
    let chosen = chosen_targets(lock, targets, "pixi.lock")?;
    let names = platform_names(&chosen);
    let mut out = PixiLock {
        version: LATEST_VERSION,
        ..PixiLock::default()
    };
    let mut env = Environment::default();
    let mut warnings = Vec::new();
    for (target, name) in chosen.iter().zip(&names) {
        out.platforms.push(Platform::from_target(target, name));
        let mut selectors = Vec::new();
        for p in on_target(lock, &target.name) {
            let Some(artifact) = artifact_for(p, &target.name) else {
                return Err(Diagnostic::invalid(format!(
                    "{} package {} {} has no file for target `{}` in the lock",
                    p.ecosystem, p.name, p.version, target.name
                ))
                .note("resolve again to record it: `unilock resolve`"));
            };
            let package = match p.ecosystem {
                Ecosystem::Conda => {
                    add_channel(&mut env, p);
                    conda_package(p, &artifact.url, artifact, &mut warnings)
                }
                Ecosystem::Pypi => {
                    add_index(&mut env, p);
                    pypi_package(p, &artifact.url, artifact, &mut warnings)
                }
            };
            selectors.push(Selector {
                kind: package.kind,
                id: package.location.clone(),
                other: Vec::new(),
            });
            if !out
                .packages
                .iter()
                .any(|q| q.selector_id() == package.selector_id())
            {
                out.packages.push(package);
            }
        }
        env.packages.push((name.clone(), selectors));
    }
    // rattler lists platforms by name.
    out.platforms.sort_by(|a, b| a.name.cmp(&b.name));
    out.environments = vec![("default".to_string(), env)];
    warnings.sort();
    warnings.dedup();
    Ok((emit(&out), warnings))
}

/// The conda channel of a build, once, in the order first met.
fn add_channel(env: &mut Environment, p: &Locked) {
    if let Some(channel) = &p.source
        && !env.channels.iter().any(|c| &c.url == channel)
    {
        env.channels.push(LockChannel {
            url: channel.clone(),
            used_env_vars: Vec::new(),
        });
    }
}

/// The index (a URL) or find-links directory (a path) a PyPI package comes from, once.
fn add_index(env: &mut Environment, p: &Locked) {
    let Some(source) = p.source.as_ref().filter(|_| p.url.is_none()) else {
        return;
    };
    if url::Url::parse(source).is_ok() {
        let indexes = env.indexes.get_or_insert_with(Vec::new);
        if !indexes.contains(source) {
            indexes.push(source.clone());
        }
    } else {
        let link = FindLinks::Path(source.clone());
        if !env.find_links.contains(&link) {
            env.find_links.push(link);
        }
    }
}

fn conda_package(
    p: &Locked,
    url: &str,
    artifact: &unilock_model::lock::Artifact,
    warnings: &mut Vec<String>,
) -> Package {
    let archive = ArchiveUrl::parse(url);
    let file = archive.identifier.as_ref().map(|i| &i.identifier);
    let build = p.build.clone().unwrap_or_default();
    let facts = p.conda.clone().unwrap_or_default();
    // What rattler derives from the URL is left out, as rattler leaves it out.
    let derived_subdir = archive.subdir.clone();
    let subdir = Some(facts.subdir.clone()).filter(|s| !s.is_empty());
    let derived_noarch = match subdir.as_deref().or(derived_subdir.as_deref()) {
        Some("noarch") if build.contains("py") => Some("python"),
        Some("noarch") => Some("generic"),
        _ => None,
    };
    let (md5, sha256) = (digest(artifact, "md5"), digest(artifact, "sha256"));
    for (hash, value) in [("md5", &md5), ("sha256", &sha256)] {
        if value.is_none() {
            warnings.push(format!(
                "conda package {} {} {build} has no {hash} in the lock: its pixi.lock entry has none",
                p.name, p.version
            ));
        }
    }
    Package {
        kind: PackageKind::Conda,
        location: url.to_string(),
        name: (file.map(|f| f.name.as_str()) != Some(p.name.as_str())).then(|| p.name.clone()),
        version: (file.map(|f| f.version.as_str()) != Some(p.version.as_str()))
            .then(|| p.version.clone()),
        build: (file.map(|f| f.build_string.as_str()) != Some(build.as_str()))
            .then(|| build.clone()),
        build_number: p
            .conda
            .as_ref()
            .map(|c| c.build_number)
            .filter(|n| *n != build_number_from_build(&build).unwrap_or(0)),
        // rattler before 0.34 (py-rattler 0.28, the pixi releases built on it) derives the
        // subdir from http(s) URLs only, so it is written for every other location.
        subdir: subdir.filter(|s| Some(s) != derived_subdir.as_ref() || !is_http(url)),
        noarch: facts
            .noarch
            .clone()
            .filter(|n| Some(n.as_str()) != derived_noarch),
        sha256,
        md5,
        depends: p.dependencies.clone(),
        constrains: facts.constrains.clone(),
        track_features: facts.track_features.clone(),
        license: facts.license.clone(),
        purls: (!facts.purls.is_empty()).then(|| facts.purls.clone()),
        size: artifact.size,
        timestamp: facts.timestamp,
        ..Package::default()
    }
}

fn pypi_package(
    p: &Locked,
    url: &str,
    artifact: &unilock_model::lock::Artifact,
    warnings: &mut Vec<String>,
) -> Package {
    let sha256 = digest(artifact, "sha256");
    if sha256.is_none() {
        warnings.push(format!(
            "PyPI package {} {} has no sha256 in the lock: its pixi.lock entry has no hash, so the download is not checked",
            p.name, p.version
        ));
    }
    Package {
        kind: PackageKind::Pypi,
        location: url.to_string(),
        name: Some(p.name.clone()),
        version: Some(p.version.clone()),
        sha256,
        requires_dist: p.dependencies.clone(),
        ..Package::default()
    }
}

fn is_http(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}
