//! Reading `conda-lock.yml` text into the typed [`CondaLock`]: YAML through `serde_yaml`, then
//! every mapping checked key by key as conda-lock's (strict) models do, so each error names the
//! line and column of the offending value. Versions are checked as conda versions (conda
//! packages) or PEP 440 (pip packages), platforms as conda subdirs, hashes as hex digests.

use super::*;
use crate::yaml::{self, Entry, Node, Source};
use rattler_conda_types::{MatchSpec, ParseStrictness, Subdir};
use std::collections::HashMap;
use std::str::FromStr;
use unilock_model::Diagnostic;

type R<T> = Result<T, Diagnostic>;

const EXPECTED_FILE: &str = "a conda-lock.yml file (`version: 1`, `metadata`, `package`)";

/// Parses a `conda-lock.yml`. `path` names the file in diagnostics.
pub fn parse(path: &str, text: &str) -> R<CondaLock> {
    let src = Source { file: path, text };
    let value = yaml::parse(src, EXPECTED_FILE)?;
    let root = Node::root(&value, src);
    if root.is_null() {
        return Err(root.error("the file is empty", EXPECTED_FILE));
    }
    let mut lock = CondaLock {
        header: header(text),
        ..CondaLock::default()
    };
    let mut metadata = None;
    let mut packages = None;
    for entry in root.entries("a conda-lock.yml file")? {
        match entry.key.as_str() {
            "version" => lock.version = Some(version(&entry)?),
            "metadata" => metadata = Some(read_metadata(&entry.value)?),
            "package" => packages = Some(entry.value.clone()),
            _ => {
                return Err(
                    entry.unknown("a conda-lock.yml file", &["version", "metadata", "package"])
                );
            }
        }
    }
    let Some(metadata) = metadata else {
        return Err(root.error("missing `metadata`", EXPECTED_FILE));
    };
    let Some(packages) = packages else {
        return Err(root.error("missing `package`", EXPECTED_FILE));
    };
    lock.packages = read_packages(&packages, &metadata)?;
    lock.metadata = metadata;
    Ok(lock)
}

/// The comment lines (and blank lines) before the first key, as written.
fn header(text: &str) -> String {
    let mut end = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if t.starts_with('#') || t.is_empty() {
            end += line.len();
        } else {
            break;
        }
    }
    text[..end].to_string()
}

fn version(entry: &Entry) -> R<u64> {
    match entry.value.u64("`version`") {
        Ok(1) => Ok(1),
        Ok(v) => Err(entry.value.error(
            format!("unsupported conda-lock.yml version {v}"),
            "`version: 1`",
        )),
        Err(_) => Err(entry.value.error(
            format!("`version` must be 1, not {}", entry.value.describe()),
            "`version: 1`",
        )),
    }
}

fn read_metadata(node: &Node) -> R<Metadata> {
    let mut m = Metadata::default();
    let mut seen = (false, false, false, false);
    for entry in node.entries("`metadata`")? {
        let v = &entry.value;
        match entry.key.as_str() {
            "content_hash" => {
                seen.0 = true;
                m.content_hash = string_map(v, "`content_hash`")?;
            }
            "channels" => {
                seen.1 = true;
                for item in v.items("`channels`")? {
                    m.channels.push(channel(&item)?);
                }
            }
            "platforms" => {
                seen.2 = true;
                for item in v.items("`platforms`")? {
                    m.platforms.push(platform(&item)?);
                }
            }
            "sources" => {
                seen.3 = true;
                m.sources = v.strings("`sources`")?;
            }
            "time_metadata" if !v.is_null() => {
                for e in v.entries("`time_metadata`")? {
                    match e.key.as_str() {
                        "created_at" => m.created_at = e.value.opt_string("`created_at`")?,
                        _ => return Err(e.unknown("`time_metadata`", &["created_at"])),
                    }
                }
            }
            "git_metadata" if !v.is_null() => {
                let mut git = GitMetadata::default();
                for e in v.entries("`git_metadata`")? {
                    let field = match e.key.as_str() {
                        "git_user_name" => &mut git.git_user_name,
                        "git_user_email" => &mut git.git_user_email,
                        "git_sha" => &mut git.git_sha,
                        _ => {
                            return Err(e.unknown(
                                "`git_metadata`",
                                &["git_user_name", "git_user_email", "git_sha"],
                            ));
                        }
                    };
                    *field = e.value.opt_string(&format!("`{}`", e.key))?;
                }
                m.git = Some(git);
            }
            "inputs_metadata" if !v.is_null() => {
                let mut inputs = Vec::new();
                for e in v.entries("`inputs_metadata`")? {
                    let (mut md5, mut sha256) = (None, None);
                    for h in e.value.entries("an input's hashes")? {
                        let (field, len) = match h.key.as_str() {
                            "md5" => (&mut md5, 32),
                            "sha256" => (&mut sha256, 64),
                            _ => return Err(h.unknown("an input's hashes", &["md5", "sha256"])),
                        };
                        let hex = h.value.string(&format!("`{}`", h.key))?;
                        *field = Some(digest(&h.value, &hex, &h.key, len)?);
                    }
                    let (Some(md5), Some(sha256)) = (md5, sha256) else {
                        return Err(e.value.error(
                            format!(
                                "the hashes of input `{}` need both `md5` and `sha256`",
                                e.key
                            ),
                            "`md5:` and `sha256:` digests of the input file",
                        ));
                    };
                    inputs.push((e.key.clone(), InputMetadata { md5, sha256 }));
                }
                m.inputs = Some(inputs);
            }
            "custom_metadata" if !v.is_null() => {
                m.custom = Some(string_map(v, "`custom_metadata`")?);
            }
            "time_metadata" | "git_metadata" | "inputs_metadata" | "custom_metadata" => {}
            _ => {
                return Err(entry.unknown(
                    "`metadata`",
                    &[
                        "content_hash",
                        "channels",
                        "platforms",
                        "sources",
                        "time_metadata",
                        "git_metadata",
                        "inputs_metadata",
                        "custom_metadata",
                    ],
                ));
            }
        }
    }
    let missing = [
        (seen.0, "content_hash"),
        (seen.1, "channels"),
        (seen.2, "platforms"),
        (seen.3, "sources"),
    ];
    if let Some((_, key)) = missing.iter().find(|(seen, _)| !seen) {
        return Err(node.error(
            format!("`metadata` has no `{key}`"),
            "`content_hash`, `channels`, `platforms` and `sources` in `metadata`",
        ));
    }
    Ok(m)
}

fn string_map(node: &Node, what: &str) -> R<Vec<(String, String)>> {
    node.entries(what)?
        .into_iter()
        .map(|e| {
            let v = e
                .value
                .string(&format!("the value of `{}` in {what}", e.key))?;
            Ok((e.key, v))
        })
        .collect()
}

/// A channel: `{url, used_env_vars}`, or (as conda-lock also accepts) just its URL.
fn channel(node: &Node) -> R<LockChannel> {
    if let Ok(url) = node.string("a channel") {
        return Ok(LockChannel {
            url,
            used_env_vars: Vec::new(),
        });
    }
    crate::conda_pins::channel_mapping(node)
}

fn platform(node: &Node) -> R<String> {
    let p = node.string("a platform")?;
    match Subdir::from_str(&p) {
        Ok(Subdir::NoArch) | Err(_) => Err(node.error(
            format!("unknown platform `{p}`"),
            "a conda subdir such as `linux-64`, `osx-arm64` or `win-64`",
        )),
        Ok(_) => Ok(p),
    }
}

/// A hex digest of `len` characters, lowercased.
fn digest(node: &Node, hex: &str, algorithm: &str, len: usize) -> R<String> {
    if hex.len() == len && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(hex.to_ascii_lowercase())
    } else {
        Err(node.error(
            format!("`{hex}` is not an {algorithm} digest"),
            format!("{len} hexadecimal digits"),
        ))
    }
}

const PACKAGE_KEYS: &[&str] = &[
    "name",
    "version",
    "manager",
    "platform",
    "dependencies",
    "url",
    "hash",
    "source",
    "build",
    "category",
    "optional",
];

fn read_packages(node: &Node, metadata: &Metadata) -> R<Vec<LockedPackage>> {
    let items = node.items("`package`")?;
    let mut packages = Vec::with_capacity(items.len());
    let mut seen: HashMap<(String, Manager, String, String), usize> = HashMap::new();
    for item in &items {
        let (p, nodes) = package(item)?;
        if !metadata.platforms.contains(&p.platform) {
            return Err(nodes.platform.error(
                format!(
                    "`{}` is not one of the lock's platforms ({})",
                    p.platform,
                    metadata.platforms.join(", ")
                ),
                "a platform listed in `metadata.platforms`",
            ));
        }
        let key = (
            p.name.clone(),
            p.manager,
            p.platform.clone(),
            p.category.clone(),
        );
        if let Some(first) = seen.insert(key, packages.len()) {
            return Err(nodes.name.error(
                format!(
                    "{} {} is locked twice for {} in category `{}` (first as entry {})",
                    p.manager.as_str(),
                    p.name,
                    p.platform,
                    p.category,
                    first + 1
                ),
                "one entry per name, manager, platform and category",
            ));
        }
        packages.push(p);
    }
    Ok(packages)
}

/// The nodes of a package entry that later checks point at.
struct PackageNodes<'a> {
    name: Node<'a>,
    platform: Node<'a>,
}

fn package<'a>(node: &Node<'a>) -> R<(LockedPackage, PackageNodes<'a>)> {
    let mut p = LockedPackage {
        category: MAIN_CATEGORY.to_string(),
        ..LockedPackage::default()
    };
    let mut found: HashMap<&'static str, Node<'a>> = HashMap::new();
    let mut optional = None;
    for e in node.entries("a package")? {
        let Some(&key) = PACKAGE_KEYS.iter().find(|k| **k == e.key) else {
            return Err(e.unknown("a package", PACKAGE_KEYS));
        };
        let v = &e.value;
        match key {
            "name" => p.name = v.nonempty_string("`name`")?,
            "version" => p.version = v.nonempty_string("`version`")?,
            "manager" => {
                p.manager = match v.string("`manager`")?.as_str() {
                    "conda" => Manager::Conda,
                    "pip" => Manager::Pip,
                    other => {
                        return Err(
                            v.error(format!("unknown manager `{other}`"), "`conda` or `pip`")
                        );
                    }
                };
            }
            "platform" => p.platform = v.nonempty_string("`platform`")?,
            "dependencies" if !v.is_null() => {
                p.dependencies = string_map(v, "`dependencies`")?;
            }
            "url" => p.url = v.nonempty_string("`url`")?,
            "hash" => {
                for h in v.entries("`hash`")? {
                    let (field, len) = match h.key.as_str() {
                        "md5" => (&mut p.md5, 32),
                        "sha256" => (&mut p.sha256, 64),
                        _ => return Err(h.unknown("`hash`", &["md5", "sha256"])),
                    };
                    if let Some(hex) = h.value.opt_string(&format!("`{}`", h.key))? {
                        *field = Some(digest(&h.value, &hex, &h.key, len)?);
                    }
                }
            }
            "source" if !v.is_null() => p.source = Some(source(v)?),
            "build" => p.build = v.opt_string("`build`")?,
            "category" => p.category = v.nonempty_string("`category`")?,
            "optional" => optional = Some(v.bool("`optional`")?),
            _ => {}
        }
        found.insert(key, v.clone());
    }
    for key in ["name", "version", "manager", "platform", "url", "hash"] {
        if !found.contains_key(key) {
            return Err(node.error(
                format!("a package entry has no `{key}`"),
                "`name`, `version`, `manager`, `platform`, `url`, `hash` and `optional`",
            ));
        }
    }
    p.optional = optional.ok_or_else(|| {
        node.error(
            format!("package {} has no `optional`", p.name),
            "`optional: false` (or `true` outside the main category)",
        )
    })?;
    check_versions_and_hashes(&p, &found, node)?;
    let name = found.remove("name").unwrap_or_else(|| node.clone());
    let platform = found.remove("platform").unwrap_or_else(|| node.clone());
    Ok((p, PackageNodes { name, platform }))
}

/// What depends on the manager: conda versions, MatchSpecs and an md5 for conda packages,
/// PEP 508 names and PEP 440 versions for pip ones.
fn check_versions_and_hashes(
    p: &LockedPackage,
    found: &HashMap<&'static str, Node>,
    node: &Node,
) -> R<()> {
    let at = |key: &str| found.get(key).unwrap_or(node);
    match p.manager {
        Manager::Conda => {
            if let Err(e) = rattler_conda_types::Version::from_str(&p.version) {
                return Err(at("version").error(
                    format!("invalid conda version `{}`: {e}", p.version),
                    "a conda version such as `1.26.4`",
                ));
            }
            if p.md5.is_none() {
                return Err(at("hash").error(
                    format!("conda package {} has no md5 hash", p.name),
                    "`md5:` in `hash` (conda packages must have one)",
                ));
            }
            if let Some(deps) = found.get("dependencies") {
                for (i, (name, spec)) in p.dependencies.iter().enumerate() {
                    let text = format!("{name} {spec}");
                    if let Err(e) = MatchSpec::from_str(text.trim(), ParseStrictness::Lenient) {
                        let entry = deps
                            .entries("`dependencies`")?
                            .into_iter()
                            .nth(i)
                            .map_or_else(|| deps.clone(), |e| e.value);
                        return Err(entry.error(
                            format!("`{}` is not a valid MatchSpec: {e}", text.trim()),
                            "a version spec (and build) after the package name",
                        ));
                    }
                }
            }
        }
        Manager::Pip => {
            if let Err(e) = pep508_rs::PackageName::from_str(&p.name) {
                return Err(at("name").error(
                    format!("invalid PyPI package name `{}`: {e}", p.name),
                    "a PEP 508 name",
                ));
            }
            if let Err(e) = pep440_rs::Version::from_str(&p.version) {
                return Err(at("version").error(
                    format!("invalid PEP 440 version `{}`: {e}", p.version),
                    "a version such as `2.3.1`",
                ));
            }
        }
    }
    Ok(())
}

fn source(node: &Node) -> R<String> {
    let mut url = None;
    for e in node.entries("`source`")? {
        match e.key.as_str() {
            "type" => {
                let t = e.value.string("`source.type`")?;
                if t != "url" {
                    return Err(e
                        .value
                        .error(format!("unknown source type `{t}`"), "`type: url`"));
                }
            }
            "url" => url = Some(e.value.nonempty_string("`source.url`")?),
            _ => return Err(e.unknown("`source`", &["type", "url"])),
        }
    }
    url.ok_or_else(|| node.error("`source` has no `url`", "`type: url` and `url: URL`"))
}
