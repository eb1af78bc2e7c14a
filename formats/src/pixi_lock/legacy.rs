//! Reading `pixi.lock` versions 1 to 5 and upgrading them to the version 7 model, as rattler
//! does when it reads and rewrites them.
//!
//! Versions 1 to 3 are conda-lock's layout (`metadata` with channels and platforms, a flat
//! `package` list with one entry per platform) and become one environment, `default`.
//! Versions 4 and 5 list environments and then `kind: conda`/`kind: pypi` packages with every
//! field spelled out. The upgrade leaves out of each conda entry what its URL says (name,
//! version, build, build number, subdir, noarch kind, channel, file name), exactly when
//! rattler's version 7 writer does; `arch` and `platform` follow from the subdir and go.
//! Packages that share a URL become one, the first as written with the hashes and package
//! URLs the others add. PyPI source trees lose their version and `editable` (version 7 has
//! neither); timestamps in seconds become milliseconds.

use super::package::{
    check_archive_location, check_hex, check_pypi_name, check_requirement, check_version,
    requires_python,
};
use super::parse::{R, environment, subdir};
use super::upgrade::{
    Legacy, derive_noarch, derived_subdir, merge_duplicates, upgrade_conda, upgrade_pypi,
};
use super::*;
use crate::conda_pins::ArchiveUrl;
use crate::yaml::{Entry, Node};
use std::collections::HashMap;
use std::str::FromStr;

pub(super) fn parse(version: u64, root: &Node, entries: &[Entry]) -> R<PixiLock> {
    let mut lock = if version <= 3 {
        v3(root, entries)?
    } else {
        v4_v5(version, root, entries)?
    };
    lock.version = version;
    merge_duplicates(&mut lock.packages);
    // In the order version 7 lists them, so the model is the one the upgraded file reads as.
    lock.packages
        .sort_by(|a, b| a.selector_id().cmp(&b.selector_id()));
    Ok(lock)
}

fn v4_v5(version: u64, root: &Node, entries: &[Entry]) -> R<PixiLock> {
    let mut lock = PixiLock::default();
    for e in entries {
        match e.key.as_str() {
            "version" => {}
            "environments" => {
                for env in e.value.entries("`environments`")? {
                    let mut environment = environment(&env.value, version)?;
                    for (_, selectors) in &mut environment.packages {
                        for s in selectors {
                            s.other.clear();
                        }
                    }
                    // rattler writes only the options that differ from its defaults.
                    environment.options.retain(|(k, v)| {
                        !matches!(
                            (k.as_str(), v.as_str()),
                            ("strategy", "highest")
                                | ("channel-priority", "strict")
                                | ("pypi-prerelease-mode", "if-necessary-or-explicit")
                        )
                    });
                    lock.environments.push((env.key, environment));
                }
            }
            "packages" => {
                for item in e.value.items("`packages`")? {
                    lock.packages.push(kind_package(&item)?);
                }
            }
            _ => {
                return Err(e.unknown("a pixi.lock file", &["version", "environments", "packages"]));
            }
        }
    }
    if !entries.iter().any(|e| e.key == "environments") {
        return Err(root.error("missing `environments`", super::parse::EXPECTED_FILE));
    }
    let known: std::collections::HashSet<(PackageKind, &str)> =
        lock.packages.iter().map(|p| p.selector_id()).collect();
    let env_nodes = entries
        .iter()
        .find(|e| e.key == "environments")
        .map(|e| e.value.clone());
    for (name, env) in &lock.environments {
        for (platform, selectors) in &env.packages {
            if let Some(s) = selectors
                .iter()
                .find(|s| !known.contains(&(s.kind, s.id.as_str())))
            {
                let at = env_nodes.clone().unwrap_or(root.clone());
                return Err(at.error(
                    format!("environment `{name}` on {platform} names `{}: {}`, which `packages` does not list", s.kind.key(), s.id),
                    "a package listed under `packages`",
                ));
            }
        }
    }
    lock.platforms = super::parse::platforms_of_environments(&lock.environments);
    Ok(lock)
}

/// A `kind: conda` or `kind: pypi` entry of versions 4 and 5.
fn kind_package(node: &Node) -> R<Package> {
    let entries = node.entries("a package")?;
    let kind = match entries.iter().find(|e| e.key == "kind") {
        Some(e) => match e.value.string("`kind`")?.as_str() {
            "conda" => PackageKind::Conda,
            "pypi" => PackageKind::Pypi,
            other => {
                return Err(e.value.error(
                    format!("unknown package kind `{other}`"),
                    "`conda` or `pypi`",
                ));
            }
        },
        None => return Err(node.error("a package has no `kind`", "`kind: conda` or `kind: pypi`")),
    };
    let mut p = Package {
        kind,
        ..Package::default()
    };
    let mut legacy = Legacy::default();
    for e in &entries {
        let v = &e.value;
        let what = format!("`{}`", e.key);
        match e.key.as_str() {
            "kind" | "arch" | "platform" => {}
            "name" => {
                let name = v.nonempty_string(&what)?;
                if kind == PackageKind::Pypi {
                    check_pypi_name(v, &name)?;
                }
                p.name = Some(name);
            }
            "version" => {
                let version = v.nonempty_string(&what)?;
                check_version(v, kind, &version)?;
                p.version = Some(version);
            }
            "url" => {
                p.location = super::parse::url(v, "`url`")?;
                if kind == PackageKind::Conda {
                    check_archive_location(v, &p.location)?;
                }
            }
            "path" => {
                p.location = v.nonempty_string(&what)?;
                if kind == PackageKind::Conda {
                    check_archive_location(v, &p.location)?;
                }
            }
            "build" => legacy.build = v.string(&what)?,
            "build_number" => legacy.build_number = v.u64(&what)?,
            "subdir" => legacy.subdir = v.string(&what)?,
            "noarch" => legacy.noarch = noarch(v)?,
            "channel" => legacy.channel = v.opt_string(&what)?,
            "file_name" => legacy.file_name = v.opt_string(&what)?,
            "sha256" => p.sha256 = Some(check_hex(v, "sha256", 64)?),
            "md5" => p.md5 = Some(check_hex(v, "md5", 32)?),
            "depends" => p.depends = v.strings(&what)?,
            "constrains" => p.constrains = v.strings(&what)?,
            "track_features" => p.track_features = track_features(v)?,
            "license" => p.license = v.opt_string(&what)?,
            "license_family" => p.license_family = v.opt_string(&what)?,
            "purls" => p.purls = Some(v.strings(&what)?),
            "size" => p.size = Some(v.u64(&what)?),
            "timestamp" => p.timestamp = Some(v.u64(&what)?),
            "requires_dist" => p.requires_dist = requirements(v)?,
            "requires_python" if !v.is_null() => p.requires_python = Some(requires_python(v)?),
            "editable" => p.editable = v.bool(&what)?,
            // The other fields of rattler's version 5 record, written on as they are.
            "features" | "python_site_packages_path" if !v.is_null() => {
                let text = v.string(&what)?;
                p.other.push((e.key.clone(), Value::String(text)));
            }
            "flags" => {
                let flags = v.strings(&what)?;
                if !flags.is_empty() {
                    p.other.push((e.key.clone(), v.value.clone()));
                }
            }
            "legacy_bz2_md5" => {
                let hex = check_hex(v, "legacy_bz2_md5", 32)?;
                p.other.push((e.key.clone(), Value::String(hex)));
            }
            "legacy_bz2_size" if !v.is_null() => {
                let size = v.u64(&what)?;
                p.other.push((e.key.clone(), Value::Number(size.into())));
            }
            // Anything else rattler's version 5 model does not have; it drops it too.
            _ => {}
        }
    }
    for key in ["name", "version"] {
        if !entries.iter().any(|e| e.key == key) {
            return Err(node.error(
                format!("a package has no `{key}`"),
                "`name`, `version` and `url`",
            ));
        }
    }
    if p.location.is_empty() {
        return Err(node.error("a package has no `url`", "`url: URL` (or `path: PATH`)"));
    }
    Ok(match kind {
        PackageKind::Conda => upgrade_conda(p, legacy),
        _ => upgrade_pypi(p),
    })
}

fn noarch(v: &Node) -> R<Option<String>> {
    Ok(match v.value {
        Value::Bool(true) => Some("generic".into()),
        Value::Bool(false) | Value::Null => None,
        _ => Some(v.string("`noarch`")?),
    })
}

/// `track_features`: a list, or one space-separated string.
fn track_features(v: &Node) -> R<Vec<String>> {
    if let Value::String(s) = v.value {
        return Ok(s.split_whitespace().map(str::to_string).collect());
    }
    v.strings("`track_features`")
}

/// Requirements as a list of PEP 508 strings, or (versions 1 and 2) a map of name to specifier.
fn requirements(v: &Node) -> R<Vec<String>> {
    if let Value::Mapping(_) = v.value {
        return v
            .entries("`requires_dist`")?
            .into_iter()
            .map(|e| {
                let spec = e.value.string("a requirement")?;
                let text = if spec == "*" {
                    e.key
                } else {
                    format!("{}{spec}", e.key)
                };
                check_requirement(&e.value, &text)?;
                Ok(text)
            })
            .collect();
    }
    let list = v.strings("`requires_dist`")?;
    for (item, req) in v.items("`requires_dist`")?.iter().zip(&list) {
        check_requirement(item, req)?;
    }
    Ok(list)
}

/// Versions 1 to 3: conda-lock's layout.
fn v3(root: &Node, entries: &[Entry]) -> R<PixiLock> {
    let mut lock = PixiLock::default();
    let mut env = Environment::default();
    let mut per_platform: Vec<(String, Vec<Selector>)> = Vec::new();
    let (mut has_metadata, mut has_package) = (false, false);
    for e in entries {
        match e.key.as_str() {
            "metadata" => {
                has_metadata = true;
                for m in e.value.entries("`metadata`")? {
                    match m.key.as_str() {
                        "channels" => {
                            for c in m.value.items("`channels`")? {
                                env.channels.push(v3_channel(&c)?);
                            }
                        }
                        "platforms" => {
                            for p in m.value.items("`platforms`")? {
                                subdir(&p)?;
                            }
                        }
                        _ => {}
                    }
                }
            }
            "package" => {
                has_package = true;
                let mut seen: HashMap<(PackageKind, String), ()> = HashMap::new();
                for item in e.value.items("`package`")? {
                    let (platform, p) = v3_package(&item)?;
                    let selector = Selector {
                        kind: p.kind,
                        id: p.location.clone(),
                        other: Vec::new(),
                    };
                    if seen.insert((p.kind, p.location.clone()), ()).is_none() {
                        lock.packages.push(p);
                    }
                    match per_platform.iter_mut().find(|(name, _)| *name == platform) {
                        Some((_, list)) => {
                            if !list.contains(&selector) {
                                list.push(selector);
                            }
                        }
                        None => per_platform.push((platform, vec![selector])),
                    }
                }
            }
            _ => {}
        }
    }
    if !has_metadata || !has_package {
        return Err(root.error(
            format!(
                "missing `{}`",
                if has_metadata { "package" } else { "metadata" }
            ),
            "`metadata` and `package` (a version 3 pixi.lock)",
        ));
    }
    env.packages = per_platform;
    lock.environments = vec![("default".to_string(), env)];
    lock.platforms = super::parse::platforms_of_environments(&lock.environments);
    Ok(lock)
}

fn v3_channel(node: &Node) -> R<LockChannel> {
    let mut c = LockChannel::default();
    for e in node.entries("a channel")? {
        match e.key.as_str() {
            "url" => c.url = e.value.nonempty_string("a channel's `url`")?,
            "used_env_vars" => c.used_env_vars = e.value.strings("`used_env_vars`")?,
            _ => {}
        }
    }
    if c.url.is_empty() {
        return Err(node.error("a channel has no `url`", "`url: CHANNEL`"));
    }
    Ok(c)
}

/// One entry of a version 1 to 3 `package` list, with the platform it is for.
fn v3_package(node: &Node) -> R<(String, Package)> {
    let entries = node.entries("a package")?;
    let get = |key: &str| entries.iter().find(|e| e.key == key);
    let Some(platform) = get("platform") else {
        return Err(node.error("a package has no `platform`", "`platform: linux-64`"));
    };
    let platform = subdir(&platform.value)?;
    let kind = match get("manager").map(|e| (e, e.value.string("`manager`"))) {
        Some((_, Ok(m))) if m == "conda" => PackageKind::Conda,
        Some((_, Ok(m))) if m == "pip" || m == "pypi" => PackageKind::Pypi,
        Some((e, _)) => return Err(e.value.error("unknown manager", "`conda`, `pip` or `pypi`")),
        None => {
            return Err(node.error(
                "a package has no `manager`",
                "`manager: conda` or `manager: pypi`",
            ));
        }
    };
    let mut p = Package {
        kind,
        ..Package::default()
    };
    let mut legacy = Legacy::default();
    let mut has_subdir = false;
    for e in &entries {
        let v = &e.value;
        let what = format!("`{}`", e.key);
        match e.key.as_str() {
            "name" => {
                let name = v.nonempty_string(&what)?;
                if kind == PackageKind::Pypi {
                    check_pypi_name(v, &name)?;
                }
                p.name = Some(name);
            }
            "version" => {
                let version = v.nonempty_string(&what)?;
                check_version(v, kind, &version)?;
                p.version = Some(version);
            }
            "url" => {
                p.location = super::parse::url(v, "`url`")?;
                if kind == PackageKind::Conda {
                    check_archive_location(v, &p.location)?;
                }
            }
            "hash" => {
                for h in v.entries("`hash`")? {
                    match h.key.as_str() {
                        "md5" => p.md5 = Some(check_hex(&h.value, "md5", 32)?),
                        "sha256" => p.sha256 = Some(check_hex(&h.value, "sha256", 64)?),
                        _ => {}
                    }
                }
            }
            "dependencies" | "requires_dist" if kind == PackageKind::Pypi => {
                p.requires_dist = requirements(v)?
            }
            "dependencies" => {
                p.depends = match v.value {
                    Value::Mapping(_) => v
                        .entries("`dependencies`")?
                        .into_iter()
                        .map(|d| {
                            Ok(format!("{} {}", d.key, d.value.string("a dependency")?)
                                .trim()
                                .to_string())
                        })
                        .collect::<R<_>>()?,
                    _ => v.strings(&what)?,
                }
            }
            "requires_python" if !v.is_null() => p.requires_python = Some(requires_python(v)?),
            "build" => legacy.build = v.opt_string(&what)?.unwrap_or_default(),
            "subdir" => {
                if let Some(s) = v.opt_string(&what)? {
                    legacy.subdir = s;
                    has_subdir = true;
                }
            }
            "build_number" if !v.is_null() => legacy.build_number = v.u64(&what)?,
            "noarch" => legacy.noarch = noarch(v)?,
            "constrains" => p.constrains = v.strings(&what)?,
            "track_features" if !v.is_null() => p.track_features = track_features(v)?,
            "features" if !v.is_null() => p.other.push(("features".into(), v.value.clone())),
            "license" => p.license = v.opt_string(&what)?,
            "license_family" => p.license_family = v.opt_string(&what)?,
            "python_site_packages_path" if !v.is_null() => {
                p.other.push((e.key.clone(), v.value.clone()));
            }
            "size" if !v.is_null() => p.size = Some(v.u64(&what)?),
            "timestamp" if !v.is_null() => p.timestamp = Some(v.u64(&what)?),
            "purls" => {
                let purls = v.strings(&what)?;
                p.purls = (!purls.is_empty()).then_some(purls);
            }
            _ => {}
        }
    }
    if p.name.is_none() || p.version.is_none() || p.location.is_empty() {
        return Err(node.error(
            "a package needs `name`, `version` and `url`",
            "`name`, `version`, `url` and `hash`",
        ));
    }
    if kind == PackageKind::Pypi {
        return Ok((platform, upgrade_pypi(p)));
    }
    let url = ArchiveUrl::parse(&p.location);
    if !has_subdir {
        legacy.subdir = url
            .subdir
            .clone()
            .filter(|s| rattler_conda_types::Subdir::from_str(s).is_ok())
            .unwrap_or_else(|| platform.clone());
    }
    if legacy.build.is_empty() {
        legacy.build = url.build().unwrap_or_default();
    }
    if legacy.noarch.is_none() {
        let derived_subdir =
            derived_subdir(&p.location, &url).unwrap_or_else(|| legacy.subdir.clone());
        legacy.noarch = derive_noarch(
            &derived_subdir,
            &url.build().unwrap_or_else(|| legacy.build.clone()),
        );
    }
    Ok((platform, upgrade_conda(p, legacy)))
}
