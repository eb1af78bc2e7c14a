//! Writing a [`PixiLock`] as rattler does: the same fields in the same order, serialized by
//! the same `serde_yaml`, so a file rattler wrote re-emits byte for byte.
//!
//! Version 7 (everything not read as version 6) is written in rattler's canonical form, but
//! for the `platforms` list, which keeps its order: environments and each environment's
//! platforms sorted by name; every package
//! list sorted by kind (conda builds, then source packages, then PyPI) and location; only the
//! packages some environment (or a used source package's build or host environment) refers
//! to, each conda URL once. Version 6 files are written in version 6's layout in the order
//! they were read.

use super::*;
use serde_yaml::{Mapping, Value};
use std::collections::{BTreeMap, HashSet};

/// The text of `lock`.
pub fn emit(lock: &PixiLock) -> String {
    let doc = if lock.version == 6 {
        v6(lock)
    } else {
        v7(lock)
    };
    serde_yaml::to_string(&Value::Mapping(doc)).unwrap_or_default()
}

fn s(text: &str) -> Value {
    Value::String(text.to_string())
}

fn strings(items: &[String]) -> Value {
    Value::Sequence(items.iter().map(|i| s(i)).collect())
}

fn map(entries: Vec<(&str, Value)>) -> Mapping {
    entries.into_iter().map(|(k, v)| (s(k), v)).collect()
}

fn v6(lock: &PixiLock) -> Mapping {
    let environments: Mapping = lock
        .environments
        .iter()
        .map(|(name, env)| (s(name), environment(env, false)))
        .collect();
    map(vec![
        ("version", Value::Number(6.into())),
        ("environments", Value::Mapping(environments)),
        (
            "packages",
            Value::Sequence(lock.packages.iter().map(|p| package(p, 6)).collect()),
        ),
    ])
}

fn v7(lock: &PixiLock) -> Mapping {
    // Platforms keep the order they were read in (rattler writes them sorted by name, so a
    // file it wrote is unchanged; a hand-ordered list of named platforms stays as it is).
    let platforms = lock
        .platforms
        .iter()
        .map(|p| {
            let mut m = map(vec![("name", s(&p.name))]);
            if let Some(subdir) = p.subdir.as_ref().filter(|s| **s != p.name) {
                m.insert(s("subdir"), s(subdir));
            }
            if !p.virtual_packages.is_empty() {
                m.insert(s("virtual-packages"), strings(&p.virtual_packages));
            }
            Value::Mapping(m)
        })
        .collect();
    let environments: BTreeMap<&String, &Environment> =
        lock.environments.iter().map(|(n, e)| (n, e)).collect();
    let environments: Mapping = environments
        .into_iter()
        .map(|(name, env)| (s(name), environment(env, true)))
        .collect();
    map(vec![
        ("version", Value::Number(LATEST_VERSION.into())),
        ("platforms", Value::Sequence(platforms)),
        ("environments", Value::Mapping(environments)),
        (
            "packages",
            Value::Sequence(
                used_packages(lock)
                    .into_iter()
                    .map(|p| package(p, 7))
                    .collect(),
            ),
        ),
    ])
}

/// The packages a version 7 file lists: those referred to, conda URLs once, sorted.
fn used_packages(lock: &PixiLock) -> Vec<&Package> {
    let mut wanted: HashSet<(PackageKind, &str)> = lock
        .environments
        .iter()
        .flat_map(|(_, env)| env.packages.iter().flat_map(|(_, sel)| sel))
        .map(|sel| (sel.kind, sel.id.as_str()))
        .collect();
    // Build and host packages of used source packages are used too.
    loop {
        let more: Vec<(PackageKind, &str)> = lock
            .packages
            .iter()
            .filter(|p| wanted.contains(&p.selector_id()))
            .flat_map(|p| p.build_packages.iter().chain(&p.host_packages))
            .map(|sel| (sel.kind, sel.id.as_str()))
            .filter(|id| !wanted.contains(id))
            .collect();
        if more.is_empty() {
            break;
        }
        wanted.extend(more);
    }
    let mut seen_conda = HashSet::new();
    let mut used: Vec<&Package> = lock
        .packages
        .iter()
        .filter(|p| wanted.contains(&p.selector_id()))
        .filter(|p| p.kind != PackageKind::Conda || seen_conda.insert(p.location.as_str()))
        .collect();
    used.sort_by(|a, b| a.selector_id().cmp(&b.selector_id()));
    used
}

fn environment(env: &Environment, canonical: bool) -> Value {
    let channels = env
        .channels
        .iter()
        .map(|c| {
            let mut m = map(vec![("url", s(&c.url))]);
            if !c.used_env_vars.is_empty() {
                m.insert(s("used_env_vars"), strings(&c.used_env_vars));
            }
            Value::Mapping(m)
        })
        .collect();
    let mut m = map(vec![("channels", Value::Sequence(channels))]);
    if let Some(indexes) = &env.indexes {
        m.insert(s("indexes"), strings(indexes));
    }
    if !env.find_links.is_empty() {
        let links = env
            .find_links
            .iter()
            .map(|f| {
                Value::Mapping(match f {
                    FindLinks::Url(u) => map(vec![("url", s(u))]),
                    FindLinks::Path(p) => map(vec![("path", s(p))]),
                })
            })
            .collect();
        m.insert(s("find-links"), Value::Sequence(links));
    }
    if !env.options.is_empty() {
        let mut options: Vec<&(String, String)> = env.options.iter().collect();
        options.sort_by_key(|(k, _)| rank(OPTION_KEYS, k));
        let options: Mapping = options.into_iter().map(|(k, v)| (s(k), s(v))).collect();
        m.insert(s("options"), Value::Mapping(options));
    }
    let mut platforms: Vec<&(String, Vec<Selector>)> = env.packages.iter().collect();
    if canonical {
        platforms.sort_by(|a, b| a.0.cmp(&b.0));
    }
    let packages: Mapping = platforms
        .into_iter()
        .map(|(platform, selectors)| {
            let mut selectors: Vec<&Selector> = selectors.iter().collect();
            if canonical {
                selectors.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
                selectors.dedup_by(|a, b| (a.kind, &a.id) == (b.kind, &b.id));
            }
            (s(platform), selector_list(&selectors, canonical))
        })
        .collect();
    m.insert(s("packages"), Value::Mapping(packages));
    Value::Mapping(m)
}

fn selector_list(selectors: &[&Selector], canonical: bool) -> Value {
    Value::Sequence(
        selectors
            .iter()
            .map(|sel| {
                let mut m = map(vec![(sel.kind.key(), s(&sel.id))]);
                if !canonical {
                    for (k, v) in &sel.other {
                        m.insert(s(k), v.clone());
                    }
                }
                Value::Mapping(m)
            })
            .collect(),
    )
}

const OPTION_KEYS: &[&str] = &["strategy", "channel-priority", "pypi-prerelease-mode"];

/// rattler's field order for conda builds in version 7 (`CondaPackageDataModel`).
const V7_CONDA: &[&str] = &[
    "conda",
    "name",
    "version",
    "build",
    "build_number",
    "subdir",
    "noarch",
    "variants",
    "sha256",
    "md5",
    "legacy_bz2_md5",
    "attestations_sha256",
    "depends",
    "constrains",
    "extra_depends",
    "channel",
    "features",
    "flags",
    "track_features",
    "file_name",
    "license",
    "license_family",
    "purls",
    "run_exports",
    "size",
    "legacy_bz2_size",
    "timestamp",
    "indexed_timestamp",
    "python_site_packages_path",
];

/// Version 6 (rattler's version 6 `CondaPackageDataModel`).
const V6_CONDA: &[&str] = &[
    "conda",
    "name",
    "version",
    "build",
    "build_number",
    "subdir",
    "noarch",
    "variants",
    "sha256",
    "md5",
    "legacy_bz2_md5",
    "depends",
    "constrains",
    "extra_depends",
    "channel",
    "features",
    "flags",
    "track_features",
    "file_name",
    "license",
    "license_family",
    "purls",
    "size",
    "legacy_bz2_size",
    "timestamp",
    "input",
    "package_build_source",
    "sources",
    "python_site_packages_path",
];

/// Source packages of version 7 (`SourcePackageDataModel`).
const V7_SOURCE: &[&str] = &[
    "conda_source",
    "version",
    "build",
    "build_number",
    "subdir",
    "noarch",
    "variants",
    "depends",
    "constrains",
    "extra_depends",
    "features",
    "flags",
    "track_features",
    "license",
    "license_family",
    "purls",
    "run_exports",
    "size",
    "source",
    "source_depends",
    "python_site_packages_path",
    "build_packages",
    "host_packages",
];

/// PyPI packages (`PypiPackageDataModel`; the hashes are flattened `md5`, `sha256`).
const V7_PYPI: &[&str] = &[
    "pypi",
    "name",
    "version",
    "md5",
    "sha256",
    "index",
    "requires_dist",
    "requires_python",
    "build_packages",
    "host_packages",
];
const V6_PYPI: &[&str] = &[
    "pypi",
    "name",
    "version",
    "md5",
    "sha256",
    "requires_dist",
    "requires_python",
    "editable",
];

/// The position of `key` in `order`; keys rattler does not know go last, in file order.
fn rank(order: &[&str], key: &str) -> usize {
    order.iter().position(|k| *k == key).unwrap_or(order.len())
}

fn package(p: &Package, version: u64) -> Value {
    let order = match (p.kind, version) {
        (PackageKind::Conda, 7) => V7_CONDA,
        (PackageKind::Conda, _) => V6_CONDA,
        (PackageKind::CondaSource, _) => V7_SOURCE,
        (PackageKind::Pypi, 7) => V7_PYPI,
        (PackageKind::Pypi, _) => V6_PYPI,
    };
    let mut fields: Vec<(String, Value)> = vec![(p.kind.key().to_string(), s(&p.location))];
    let mut opt = |key: &str, value: &Option<String>| {
        if let Some(v) = value {
            fields.push((key.to_string(), s(v)));
        }
    };
    opt("name", &p.name);
    opt("version", &p.version);
    opt("build", &p.build);
    opt("subdir", &p.subdir);
    opt("noarch", &p.noarch);
    opt("sha256", &p.sha256);
    opt("md5", &p.md5);
    opt("license", &p.license);
    opt("license_family", &p.license_family);
    opt("requires_python", &p.requires_python);
    opt("index", &p.index);
    for (key, list) in [
        ("depends", &p.depends),
        ("constrains", &p.constrains),
        ("track_features", &p.track_features),
        ("requires_dist", &p.requires_dist),
    ] {
        if !list.is_empty() {
            fields.push((key.to_string(), strings(list)));
        }
    }
    if let Some(purls) = &p.purls {
        fields.push(("purls".into(), strings(purls)));
    }
    for (key, number) in [
        ("build_number", p.build_number),
        ("size", p.size),
        ("timestamp", p.timestamp),
    ] {
        if let Some(n) = number {
            fields.push((key.to_string(), Value::Number(n.into())));
        }
    }
    if p.editable {
        fields.push(("editable".into(), Value::Bool(true)));
    }
    for (key, list) in [
        ("build_packages", &p.build_packages),
        ("host_packages", &p.host_packages),
    ] {
        if !list.is_empty() {
            let refs: Vec<&Selector> = list.iter().collect();
            fields.push((key.to_string(), selector_list(&refs, true)));
        }
    }
    fields.extend(p.other.iter().cloned());
    fields.sort_by_key(|(k, _)| rank(order, k));
    Value::Mapping(
        fields
            .into_iter()
            .map(|(k, v)| (Value::String(k), v))
            .collect(),
    )
}
