//! Reading one entry of `packages` (versions 6 and 7) and the checks every version makes of
//! package fields: hex digests, conda and PEP 440 versions, PyPI names, `requires_dist` and
//! `requires_python`; and finding the package a reference names.

use super::parse::{R, selector, url};
use super::*;
use crate::yaml::Node;
use rattler_conda_types::Subdir;
use rattler_conda_types::package::DistArchiveIdentifier;
use std::collections::HashMap;
use std::str::FromStr;

/// Packages by kind and location; a version 6 URL may name several builds.
#[derive(Default)]
pub(super) struct PackageIndex(HashMap<(PackageKind, String), Vec<usize>>);

impl PackageIndex {
    pub(super) fn insert(&mut self, p: &Package, i: usize) {
        self.0
            .entry((p.kind, p.location.clone()))
            .or_default()
            .push(i);
    }

    /// The package a reference names: the first with its location whose name, version,
    /// build and subdir match those the reference gives.
    pub(super) fn resolve(&self, s: &Selector, packages: &[Package]) -> Option<usize> {
        let candidates = self.0.get(&(s.kind, s.id.clone()))?;
        candidates.iter().copied().find(|&i| {
            let p = &packages[i];
            let (name, version, build) = conda_identity(p);
            s.other.iter().all(|(k, v)| {
                let Some(want) = v.as_str() else { return true };
                match k.as_str() {
                    "name" => name.as_deref() == Some(want),
                    "version" => version.as_deref() == Some(want),
                    "build" => build.as_deref() == Some(want),
                    "subdir" => effective_subdir(p).as_deref() == Some(want),
                    _ => true,
                }
            })
        })
    }
}

/// Name, version and build of a conda package: as written, else from its file name.
pub(super) fn conda_identity(p: &Package) -> (Option<String>, Option<String>, Option<String>) {
    let id = crate::conda_pins::ArchiveUrl::parse(&p.location).identifier;
    let from_file = |f: fn(&DistArchiveIdentifier) -> &String| id.as_ref().map(|i| f(i).clone());
    (
        p.name.clone().or_else(|| from_file(|i| &i.identifier.name)),
        p.version
            .clone()
            .or_else(|| from_file(|i| &i.identifier.version)),
        p.build
            .clone()
            .or_else(|| from_file(|i| &i.identifier.build_string)),
    )
}

/// The subdir of a conda package: as written, else from its URL.
pub(super) fn effective_subdir(p: &Package) -> Option<String> {
    p.subdir.clone().or_else(|| {
        crate::conda_pins::ArchiveUrl::parse(&p.location)
            .subdir
            .filter(|s| Subdir::from_str(s).is_ok())
    })
}

const HEX: &[(&str, usize)] = &[
    ("sha256", 64),
    ("md5", 32),
    ("legacy_bz2_md5", 32),
    ("attestations_sha256", 64),
];

/// One entry of `packages` (versions 6 and 7).
pub(super) fn package(node: &Node, version: u64) -> R<Package> {
    let entries = node.entries("a package")?;
    let kinds: &[PackageKind] = if version >= 7 {
        &[
            PackageKind::Conda,
            PackageKind::CondaSource,
            PackageKind::Pypi,
        ]
    } else {
        &[PackageKind::Conda, PackageKind::Pypi]
    };
    let Some(kind) = kinds
        .iter()
        .copied()
        .find(|k| entries.iter().any(|e| e.key == k.key()))
    else {
        let keys: Vec<&str> = kinds.iter().map(|k| k.key()).collect();
        return Err(node.error(
            "a package has none of the keys that say what it is",
            format!("`{}` with the package's location", keys.join("`, `")),
        ));
    };
    let mut p = Package {
        kind,
        ..Package::default()
    };
    let mut version_node = None;
    let mut location_node = node.clone();
    for e in &entries {
        let v = &e.value;
        let what = format!("`{}`", e.key);
        match e.key.as_str() {
            k if k == kind.key() => {
                p.location = v.nonempty_string(&what)?;
                location_node = v.clone();
            }
            "name" => p.name = Some(v.nonempty_string(&what)?),
            "version" => {
                p.version = Some(v.nonempty_string(&what)?);
                version_node = Some(v.clone());
            }
            "build" => p.build = Some(v.string(&what)?),
            "build_number" => p.build_number = Some(v.u64(&what)?),
            "subdir" => p.subdir = Some(v.string(&what)?),
            "noarch" if matches!(v.value, Value::String(_)) => p.noarch = Some(v.string(&what)?),
            "sha256" | "md5" => {
                let hex = hex_digest(v, &e.key)?;
                if e.key == "sha256" {
                    p.sha256 = Some(hex);
                } else {
                    p.md5 = Some(hex);
                }
            }
            "depends" => p.depends = v.strings(&what)?,
            "constrains" => p.constrains = v.strings(&what)?,
            "track_features" => p.track_features = v.strings(&what)?,
            "license" => p.license = Some(v.string(&what)?),
            "license_family" => p.license_family = Some(v.string(&what)?),
            "purls" => p.purls = Some(v.strings(&what)?),
            "size" => p.size = Some(v.u64(&what)?),
            "timestamp" => p.timestamp = Some(v.u64(&what)?),
            "requires_dist" if kind == PackageKind::Pypi => {
                p.requires_dist = v.strings(&what)?;
                for (item, req) in v.items(&what)?.iter().zip(&p.requires_dist) {
                    check_requirement(item, req)?;
                }
            }
            "requires_python" if kind == PackageKind::Pypi => {
                let spec = v.string(&what)?;
                if let Err(err) = pep440_rs::VersionSpecifiers::from_str(&spec) {
                    return Err(v.error(
                        format!("invalid `requires_python` `{spec}`: {err}"),
                        "PEP 440 version specifiers such as `>=3.9`",
                    ));
                }
                p.requires_python = Some(spec);
            }
            "index" if kind == PackageKind::Pypi => p.index = Some(url(v, "`index`")?),
            "editable" if kind == PackageKind::Pypi && version < 7 => p.editable = v.bool(&what)?,
            "build_packages" | "host_packages" if version >= 7 => {
                let list = v
                    .items(&what)?
                    .iter()
                    .map(|item| selector(item, version))
                    .collect::<R<Vec<_>>>()?;
                if e.key == "build_packages" {
                    p.build_packages = list;
                } else {
                    p.host_packages = list;
                }
            }
            key => {
                if let Some((_, len)) = HEX.iter().find(|(k, _)| *k == key) {
                    check_hex(v, key, *len)?;
                }
                p.other.push((e.key.clone(), v.value.clone()));
            }
        }
    }
    check_package(&p, version, node, &location_node, version_node.as_ref())?;
    Ok(p)
}

fn hex_digest(node: &Node, algorithm: &str) -> R<String> {
    let len = if algorithm == "md5" { 32 } else { 64 };
    check_hex(node, algorithm, len)
}

pub(super) fn check_hex(node: &Node, algorithm: &str, len: usize) -> R<String> {
    let hex = node.string(&format!("`{algorithm}`"))?;
    if hex.len() == len && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(hex)
    } else {
        Err(node.error(
            format!("`{hex}` is not an {algorithm} digest"),
            format!("{len} hexadecimal digits"),
        ))
    }
}

/// A `requires_python`: PEP 440 version specifiers.
pub(super) fn requires_python(node: &Node) -> R<String> {
    let spec = node.string("`requires_python`")?;
    match pep440_rs::VersionSpecifiers::from_str(&spec) {
        Ok(_) => Ok(spec),
        Err(err) => Err(node.error(
            format!(
                "invalid `requires_python` `{spec}`: {}",
                first_line(&err.to_string())
            ),
            "PEP 440 version specifiers such as `>=3.9`",
        )),
    }
}

/// The first line of a parser's message (pep440_rs adds the input and a caret line).
fn first_line(message: &str) -> &str {
    message
        .lines()
        .next()
        .unwrap_or(message)
        .trim_end_matches(':')
}

/// A version: a conda version for conda packages, PEP 440 for PyPI ones.
pub(super) fn check_version(node: &Node, kind: PackageKind, version: &str) -> R<()> {
    let refusal = match kind {
        PackageKind::Pypi => pep440_rs::Version::from_str(version).err().map(|e| {
            let e = e.to_string();
            (
                format!("invalid PEP 440 version `{version}`: {}", first_line(&e)),
                "a version such as `2.3.1`",
            )
        }),
        _ => rattler_conda_types::Version::from_str(version)
            .err()
            .map(|e| {
                (
                    format!("invalid conda version `{version}`: {e}"),
                    "a conda version such as `1.26.4`",
                )
            }),
    };
    match refusal {
        Some((message, expected)) => Err(node.error(message, expected)),
        None => Ok(()),
    }
}

/// A PyPI package name (PEP 508).
pub(super) fn check_pypi_name(node: &Node, name: &str) -> R<()> {
    match pep508_rs::PackageName::from_str(name) {
        Ok(_) => Ok(()),
        Err(e) => Err(node.error(
            format!("invalid PyPI package name `{name}`: {e}"),
            "a PEP 508 name",
        )),
    }
}

pub(super) fn check_requirement(node: &Node, req: &str) -> R<()> {
    match unilock_model::requirement::parse_requirement(req, None) {
        Ok(_) => Ok(()),
        Err(e) => Err(node.error(
            format!("invalid requirement `{req}`: {e}"),
            "a PEP 508 requirement such as `numpy>=1.26 ; python_version >= '3.10'`",
        )),
    }
}

/// What a package must have for its kind: a conda URL naming an archive and a version that
/// parses; a PyPI name (and, before version 7, version).
fn check_package(
    p: &Package,
    lock_version: u64,
    node: &Node,
    location: &Node,
    version_node: Option<&Node>,
) -> R<()> {
    match p.kind {
        PackageKind::Conda if lock_version < 7 && p.is_source() => {
            // A package pixi builds from source (pixi-build): its location is the source
            // tree, so the entry itself says what the archive name would.
            for (field, value) in [
                ("name", &p.name),
                ("version", &p.version),
                ("subdir", &p.subdir),
            ] {
                if value.is_none() {
                    return Err(node.error(
                        format!(
                            "the source package at `{}` has no `{field}`",
                            p.location
                        ),
                        format!(
                            "`{field}:` beside a location that is not a conda archive (a package pixi builds from source)"
                        ),
                    ));
                }
            }
            let version = p.version.clone().unwrap_or_default();
            if let Err(e) = rattler_conda_types::Version::from_str(&version) {
                return Err(version_node.unwrap_or(location).error(
                    format!("invalid conda version `{version}`: {e}"),
                    "a conda version such as `1.26.4`",
                ));
            }
        }
        PackageKind::Conda => {
            check_archive_location(location, &p.location)?;
            let (_, version, _) = conda_identity(p);
            let version = version.unwrap_or_default();
            if let Err(e) = rattler_conda_types::Version::from_str(&version) {
                return Err(version_node.unwrap_or(location).error(
                    format!("invalid conda version `{version}`: {e}"),
                    "a conda version such as `1.26.4`",
                ));
            }
        }
        PackageKind::CondaSource => {
            if source_identifier(&p.location).is_none() {
                return Err(location.error(
                    format!("`{}` is not a source package identifier", p.location),
                    "`NAME[HASH] @ LOCATION`",
                ));
            }
        }
        PackageKind::Pypi => {
            let Some(name) = &p.name else {
                return Err(node.error("a PyPI package has no `name`", "`name: NAME`"));
            };
            if let Err(e) = pep508_rs::PackageName::from_str(name) {
                return Err(node.error(
                    format!("invalid PyPI package name `{name}`: {e}"),
                    "a PEP 508 name",
                ));
            }
            match (&p.version, version_node) {
                (Some(v), Some(at)) => {
                    if let Err(e) = pep440_rs::Version::from_str(v) {
                        return Err(at.error(
                            format!("invalid PEP 440 version `{v}`: {e}"),
                            "a version such as `2.3.1`",
                        ));
                    }
                }
                (None, _) if lock_version < 7 => {
                    return Err(node.error(
                        format!("PyPI package {name} has no `version`"),
                        "`version: VERSION`",
                    ));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// A conda build's location must end in its archive's file name (version 7 reads name, version
/// and build from it; rattler refuses any other location; before version 7 any other location
/// is a package built from source).
pub(super) fn check_archive_location(node: &Node, location: &str) -> R<()> {
    if crate::conda_pins::ArchiveUrl::parse(location)
        .identifier
        .is_none()
    {
        return Err(node.error(
            format!("`{location}` does not end in a conda archive file name"),
            "a URL or path ending in NAME-VERSION-BUILD.conda or .tar.bz2",
        ));
    }
    Ok(())
}

/// The name and location of a source package identifier `name[hash] @ location`.
pub(super) fn source_identifier(id: &str) -> Option<(&str, &str)> {
    let (head, location) = id.split_once(" @ ")?;
    let name = head.split_once('[').map_or(head, |(n, _)| n);
    (!name.is_empty() && !location.is_empty()).then_some((name, location))
}
