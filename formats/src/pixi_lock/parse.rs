//! Reading `pixi.lock` text into the typed [`PixiLock`]: YAML through `serde_yaml`, the
//! `version` first (versions 1 to 5 go to [`super::legacy`]), then versions 6 and 7 key by key,
//! so every error names the line and column of the offending value. What rattler checks is
//! checked here too: hashes are hex digests, conda versions and PEP 440 versions parse,
//! `requires_dist` entries are PEP 508 requirements, conda URLs end in an archive file name,
//! platforms are conda subdirs, and every package an environment names is in `packages`.

use super::package::{PackageIndex, package};
use super::*;
use crate::yaml::{self, Entry, Node, Source};
use rattler_conda_types::Subdir;
use std::str::FromStr;
use unilock_model::Diagnostic;

pub(super) type R<T> = Result<T, Diagnostic>;

pub(super) const EXPECTED_FILE: &str = "a pixi.lock file (`version`, `environments`, `packages`)";

/// Parses a `pixi.lock`. `path` names the file in diagnostics.
pub fn parse(path: &str, text: &str) -> R<PixiLock> {
    let src = Source { file: path, text };
    let value = yaml::parse(src, EXPECTED_FILE)?;
    let root = Node::root(&value, src);
    if root.is_null() {
        return Err(root.error("the file is empty", EXPECTED_FILE));
    }
    let entries = root.entries("a pixi.lock file")?;
    let Some(version_entry) = entries.iter().find(|e| e.key == "version") else {
        return Err(root.error("missing `version`: not a pixi.lock", EXPECTED_FILE));
    };
    let version = version_entry.value.u64("`version`")?;
    match version {
        1..=5 => super::legacy::parse(version, &root, &entries),
        6 | 7 => modern(version, &root, &entries),
        _ => Err(version_entry.value.error(
            format!("unsupported pixi.lock version {version}"),
            format!("a version from 1 to {LATEST_VERSION}"),
        )),
    }
}

/// Versions 6 and 7.
fn modern(version: u64, root: &Node, entries: &[Entry]) -> R<PixiLock> {
    let mut lock = PixiLock {
        version,
        ..PixiLock::default()
    };
    let (mut environments, mut packages) = (None, None);
    for e in entries {
        match e.key.as_str() {
            "version" => {}
            "platforms" if version >= 7 => lock.platforms = platforms(&e.value)?,
            "environments" => environments = Some(&e.value),
            "packages" => packages = Some(&e.value),
            _ => {
                let mut allowed = vec!["version", "environments", "packages"];
                if version >= 7 {
                    allowed.insert(1, "platforms");
                }
                return Err(e.unknown("a pixi.lock file", &allowed));
            }
        }
    }
    let Some(environments) = environments else {
        return Err(root.error("missing `environments`", EXPECTED_FILE));
    };
    let mut index = PackageIndex::default();
    if let Some(node) = packages {
        for item in node.items("`packages`")? {
            let package = package(&item, version)?;
            index.insert(&package, lock.packages.len());
            lock.packages.push(package);
        }
    }
    for e in environments.entries("`environments`")? {
        let env = environment(&e.value, version)?;
        lock.environments.push((e.key, env));
    }
    if version < 7 {
        lock.platforms = platforms_of_environments(&lock.environments);
    }
    check_references(&lock, environments, &index, packages)?;
    if version >= 7 {
        // Version 7 lists packages in rattler's order; a file that does not is read in it, so
        // its model is the model of the file as written back.
        lock.packages
            .sort_by(|a, b| a.selector_id().cmp(&b.selector_id()));
    }
    Ok(lock)
}

fn platforms(node: &Node) -> R<Vec<Platform>> {
    let mut out: Vec<Platform> = Vec::new();
    for item in node.items("`platforms`")? {
        let mut p = Platform::default();
        let mut name_node = None;
        for e in item.entries("a platform")? {
            match e.key.as_str() {
                "name" => {
                    p.name = e.value.nonempty_string("a platform's `name`")?;
                    if !super::platforms::valid_platform_name(&p.name) {
                        return Err(e.value.error(
                            format!("`{}` is not a platform name", p.name),
                            "letters, digits, `_` and `-` only, such as `linux-64-cuda`",
                        ));
                    }
                    name_node = Some(e.value.clone());
                }
                "subdir" => p.subdir = Some(subdir(&e.value)?),
                "virtual-packages" => p.virtual_packages = e.value.strings("`virtual-packages`")?,
                _ => return Err(e.unknown("a platform", &["name", "subdir", "virtual-packages"])),
            }
        }
        let Some(name_node) = name_node else {
            return Err(item.error("a platform has no `name`", "`name: linux-64`"));
        };
        if p.subdir.is_none() {
            subdir(&name_node)?;
        }
        if out.iter().any(|o| o.name == p.name) {
            return Err(name_node.error(
                format!("platform `{}` is listed twice", p.name),
                "each platform once",
            ));
        }
        out.push(p);
    }
    Ok(out)
}

/// A conda subdir (`linux-64`).
pub(super) fn subdir(node: &Node) -> R<String> {
    let s = node.string("a platform")?;
    Subdir::from_str(&s).map_err(|_| {
        node.error(
            format!("unknown platform `{s}`"),
            "a conda subdir such as `linux-64`, `osx-arm64` or `win-64`",
        )
    })?;
    Ok(s)
}

/// Versions before 7 name their platforms only in the environments: each once, sorted.
pub(super) fn platforms_of_environments(environments: &[(String, Environment)]) -> Vec<Platform> {
    let mut names: Vec<&String> = environments
        .iter()
        .flat_map(|(_, env)| env.packages.iter().map(|(p, _)| p))
        .collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|name| Platform {
            name: name.clone(),
            ..Platform::default()
        })
        .collect()
}

pub(super) fn environment(node: &Node, version: u64) -> R<Environment> {
    let mut env = Environment::default();
    let mut has_channels = false;
    for e in node.entries("an environment")? {
        let v = &e.value;
        match e.key.as_str() {
            "channels" => {
                has_channels = true;
                for item in v.items("`channels`")? {
                    env.channels.push(channel(&item)?);
                }
            }
            "indexes" => {
                let mut urls = Vec::new();
                for item in v.items("`indexes`")? {
                    urls.push(url(&item, "an index")?);
                }
                env.indexes = Some(urls);
            }
            "find-links" => {
                for item in v.items("`find-links`")? {
                    env.find_links.push(find_links(&item)?);
                }
            }
            "options" => {
                for o in v.entries("`options`")? {
                    let value = o.value.string(&format!("the option `{}`", o.key))?;
                    env.options.push((o.key, value));
                }
            }
            "packages" => {
                for p in v.entries("an environment's `packages`")? {
                    if version < 7 {
                        subdir(&p.key_node)?;
                    }
                    let mut selectors = Vec::new();
                    for item in p.value.items(&format!("the packages for {}", p.key))? {
                        selectors.push(selector(&item, version)?);
                    }
                    env.packages.push((p.key, selectors));
                }
            }
            _ => {
                return Err(e.unknown(
                    "an environment",
                    &["channels", "indexes", "find-links", "options", "packages"],
                ));
            }
        }
    }
    if !has_channels {
        return Err(node.error(
            "an environment has no `channels`",
            "`channels:` with a list of `- url: …`",
        ));
    }
    Ok(env)
}

fn channel(node: &Node) -> R<LockChannel> {
    crate::conda_pins::channel_mapping(node)
}

pub(super) fn url(node: &Node, what: &str) -> R<String> {
    let s = node.nonempty_string(what)?;
    url::Url::parse(&s)
        .map_err(|e| node.error(format!("`{s}` is not a URL: {e}"), "an absolute URL"))?;
    Ok(s)
}

fn find_links(node: &Node) -> R<FindLinks> {
    let entries = node.entries("a `find-links` entry")?;
    match entries.as_slice() {
        [e] if e.key == "url" => Ok(FindLinks::Url(url(&e.value, "a find-links URL")?)),
        [e] if e.key == "path" => Ok(FindLinks::Path(
            e.value.nonempty_string("a find-links path")?,
        )),
        _ => Err(node.error(
            "a `find-links` entry must be one `url` or `path`",
            "`- url: URL` or `- path: PATH`",
        )),
    }
}

/// A reference to a package: `- conda: URL`, `- conda_source: ID` (version 7) or `- pypi: …`.
pub(super) fn selector(node: &Node, version: u64) -> R<Selector> {
    let entries = node.entries("a package reference")?;
    let kinds: &[PackageKind] = if version >= 7 {
        &[
            PackageKind::Conda,
            PackageKind::CondaSource,
            PackageKind::Pypi,
        ]
    } else {
        &[PackageKind::Conda, PackageKind::Pypi]
    };
    let Some((kind, id_entry)) = kinds
        .iter()
        .find_map(|k| entries.iter().find(|e| e.key == k.key()).map(|e| (*k, e)))
    else {
        let keys: Vec<&str> = kinds.iter().map(|k| k.key()).collect();
        return Err(node.error(
            "a package reference names no package",
            format!("`{}` with the package's location", keys.join("`, `")),
        ));
    };
    // Version 6 names the build when packages share a URL; rattler ignores any other key of
    // a version 7 reference, and so does unilock.
    let other = if version >= 7 {
        Vec::new()
    } else {
        entries
            .iter()
            .filter(|e| e.key != kind.key())
            .map(|e| (e.key.clone(), e.value.value.clone()))
            .collect()
    };
    Ok(Selector {
        kind,
        id: id_entry
            .value
            .nonempty_string(&format!("`{}`", kind.key()))?,
        other,
    })
}

/// Every environment's references resolve; version 7 environments name declared platforms;
/// source packages' build and host references resolve.
fn check_references(
    lock: &PixiLock,
    environments: &Node,
    index: &PackageIndex,
    packages: Option<&Node>,
) -> R<()> {
    let env_nodes = environments.entries("`environments`")?;
    for ((name, env), env_node) in lock.environments.iter().zip(&env_nodes) {
        let Some(packages_node) = env_node
            .value
            .entries("an environment")?
            .into_iter()
            .find(|e| e.key == "packages")
        else {
            continue;
        };
        let platform_nodes = packages_node.value.entries("`packages`")?;
        for ((platform, selectors), platform_node) in env.packages.iter().zip(&platform_nodes) {
            if lock.version >= 7 && !lock.platforms.iter().any(|p| &p.name == platform) {
                return Err(platform_node.key_node.error(
                    format!("environment `{name}` uses platform `{platform}`, which `platforms` does not list"),
                    "a platform listed under `platforms`",
                ));
            }
            let items = platform_node.value.items("`packages`")?;
            for (s, item) in selectors.iter().zip(&items) {
                if index.resolve(s, &lock.packages).is_none() {
                    return Err(missing(item, s));
                }
            }
        }
    }
    if let Some(node) = packages {
        for (p, item) in lock.packages.iter().zip(node.items("`packages`")?) {
            for (key, list) in [
                ("build_packages", &p.build_packages),
                ("host_packages", &p.host_packages),
            ] {
                for (i, s) in list.iter().enumerate() {
                    if index.resolve(s, &lock.packages).is_none() {
                        let at = item
                            .entries("a package")?
                            .into_iter()
                            .find(|e| e.key == key)
                            .and_then(|e| e.value.items(key).ok())
                            .and_then(|items| items.into_iter().nth(i))
                            .unwrap_or(item.clone());
                        return Err(missing(&at, s));
                    }
                }
            }
        }
    }
    Ok(())
}

fn missing(node: &Node, s: &Selector) -> Diagnostic {
    node.error(
        format!("no package `{}: {}` in `packages`", s.kind.key(), s.id),
        "a package listed under `packages`",
    )
}
