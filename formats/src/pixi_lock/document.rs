//! The unified model of a `pixi.lock` ([`PixiLock::to_document`]): channels, platforms, PyPI
//! indexes, and one pinned package per package the environments install, with the
//! environments and platforms it is installed on (`used_in`).
//!
//! Conda builds get their full conda record, with what version 7 leaves out filled in from the
//! URL as rattler does (name, version, build, build number, subdir, noarch kind, channel).
//! PyPI distributions from an index are registry packages of the environment's first index;
//! git, URL and local packages keep their source. Packages only a source package's build or
//! host environment holds are not installed anywhere and are not part of the model.

use super::package::{PackageIndex, conda_identity, effective_subdir, source_identifier};
use super::*;
use crate::conda_pins::{ArchiveUrl, build_number_from_build, matchspec_name, pypi_artifact_kind};
use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use unilock_model::conda::CondaRecord;
use unilock_model::document::{
    Channel, IndexKind, IndexLocation, PinArtifact, PinArtifactKind, PinDependency, PinSource,
    PinnedPackage,
};
use unilock_model::{Document, Ecosystem};

type UsedIn = BTreeMap<String, BTreeSet<String>>;

impl PixiLock {
    /// The unified model.
    pub fn to_document(&self) -> Document {
        let mut doc = Document::new("pixi-lock");
        doc.manifest.sources = vec!["pixi.lock".to_string()];
        doc.platforms = self.platforms.iter().map(|p| p.name.clone()).collect();
        let environments = self.environments_default_first();
        for (_, env) in &environments {
            for c in &env.channels {
                if !doc.channels.iter().any(|d| d.name == c.url) {
                    doc.channels.push(Channel {
                        name: c.url.clone(),
                        origin: None,
                    });
                }
            }
            let indexes = env.indexes.iter().flatten().map(|u| (IndexKind::Extra, u));
            let links = env.find_links.iter().map(|f| match f {
                FindLinks::Url(u) | FindLinks::Path(u) => (IndexKind::FindLinks, u),
            });
            for (kind, url) in indexes.chain(links) {
                if !doc.indexes.iter().any(|i| &i.url == url) {
                    let kind = if kind == IndexKind::Extra && doc.indexes.is_empty() {
                        IndexKind::Default
                    } else {
                        kind
                    };
                    doc.indexes.push(IndexLocation {
                        kind,
                        url: url.clone(),
                        name: None,
                        origin: None,
                    });
                }
            }
        }
        let (used_in, first_index) = self.usage(&environments);
        doc.packages = self
            .packages
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let used = used_in.get(&i)?;
                let mut pin = match p.kind {
                    PackageKind::Pypi => pypi_package(p, first_index.get(&i).copied().flatten()),
                    _ => conda_package(p),
                };
                pin.used_in = used.clone();
                Some(pin)
            })
            .collect();
        doc
    }

    /// The environments with `default` first, then the others by name (the order of version 7),
    /// so the channels and indexes of the model do not depend on the order of the file.
    fn environments_default_first(&self) -> Vec<&(String, Environment)> {
        let mut envs: Vec<&(String, Environment)> = self.environments.iter().collect();
        envs.sort_by(|(a, _), (b, _)| (a != "default", a).cmp(&(b != "default", b)));
        envs
    }

    /// For each used package: where it is installed, and the first index of an environment
    /// that installs it.
    fn usage<'a>(
        &'a self,
        environments: &[&'a (String, Environment)],
    ) -> (BTreeMap<usize, UsedIn>, BTreeMap<usize, Option<&'a str>>) {
        let mut index = PackageIndex::default();
        for (i, p) in self.packages.iter().enumerate() {
            index.insert(p, i);
        }
        let mut used_in: BTreeMap<usize, UsedIn> = BTreeMap::new();
        let mut first_index = BTreeMap::new();
        for (name, env) in environments {
            for (platform, selectors) in &env.packages {
                for s in selectors {
                    let Some(i) = index.resolve(s, &self.packages) else {
                        continue;
                    };
                    used_in
                        .entry(i)
                        .or_default()
                        .entry(name.clone())
                        .or_default()
                        .insert(platform.clone());
                    first_index.entry(i).or_insert_with(|| {
                        env.indexes
                            .as_ref()
                            .and_then(|ix| ix.first())
                            .map(String::as_str)
                    });
                }
            }
        }
        (used_in, first_index)
    }
}

fn dependency(name: &str) -> PinDependency {
    PinDependency {
        name: name.to_string(),
        version: None,
        extras: Vec::new(),
        marker: None,
    }
}

fn other_str<'a>(p: &'a Package, key: &str) -> Option<&'a str> {
    p.other
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.as_str())
}

fn conda_package(p: &Package) -> PinnedPackage {
    let url = ArchiveUrl::parse(&p.location);
    let (name, version, build) = match p.kind {
        PackageKind::CondaSource => (
            source_identifier(&p.location).map(|(n, _)| n.to_string()),
            p.version.clone(),
            p.build.clone(),
        ),
        _ => conda_identity(p),
    };
    let build = build.unwrap_or_default();
    let subdir = effective_subdir(p);
    let noarch = p.noarch.clone().or_else(|| match subdir.as_deref() {
        Some("noarch") => Some(
            if build.contains("py") {
                "python"
            } else {
                "generic"
            }
            .to_string(),
        ),
        _ => None,
    });
    let channel = other_str(p, "channel")
        .map(|c| c.trim_end_matches('/').to_string())
        .or_else(|| url.channel.clone());
    let mut pin = PinnedPackage::registry(
        name.as_deref().unwrap_or_default(),
        version.as_deref().unwrap_or_default(),
        "",
    );
    pin.ecosystem = Ecosystem::Conda;
    pin.version = version;
    pin.source = match p.kind {
        PackageKind::CondaSource => {
            let location = source_identifier(&p.location).map_or("", |(_, l)| l);
            local_or_remote(location, false)
        }
        // A version 6 package built from source: its location is the source tree.
        PackageKind::Conda if p.is_source() => local_or_remote(&p.location, false),
        _ => PinSource::Registry {
            url: channel.clone().unwrap_or_default(),
        },
    };
    if p.kind == PackageKind::Conda && !p.is_source() {
        let mut hashes = BTreeMap::new();
        if let Some(md5) = &p.md5 {
            hashes.insert("md5".to_string(), md5.clone());
        }
        if let Some(sha256) = &p.sha256 {
            hashes.insert("sha256".to_string(), sha256.clone());
        }
        pin.artifacts = vec![PinArtifact {
            kind: PinArtifactKind::Conda,
            url: Some(p.location.clone()),
            filename: other_str(p, "file_name").map(str::to_string),
            hashes,
            size: p.size,
            upload_time: None,
        }];
    }
    pin.dependencies = p
        .depends
        .iter()
        .map(|d| dependency(matchspec_name(d)))
        .collect();
    pin.conda = Some(Box::new(CondaRecord {
        build_number: p
            .build_number
            .or_else(|| Some(build_number_from_build(&build).unwrap_or(0))),
        build,
        subdir,
        channel,
        noarch,
        depends: p.depends.clone(),
        constrains: p.constrains.clone(),
        track_features: p.track_features.clone(),
        timestamp: p.timestamp.map(super::upgrade::millis),
        license: p.license.clone(),
        purls: p.purls.clone().unwrap_or_default(),
    }));
    pin
}

/// The source of a package at `location`: git, a remote archive, a local archive or a local
/// source tree.
fn local_or_remote(location: &str, editable: bool) -> PinSource {
    if let Some(git) = location.strip_prefix("git+") {
        let (base, commit) = git
            .split_once('#')
            .map_or((git, None), |(b, c)| (b, Some(c.to_string())));
        let (url, query) = base
            .split_once('?')
            .map_or((base, None), |(u, q)| (u, Some(q)));
        let param = |key: &str| {
            query.and_then(|q| {
                q.split('&')
                    .find_map(|kv| kv.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
                    .map(str::to_string)
            })
        };
        return PinSource::Git {
            url: format!("git+{url}"),
            reference: param("rev")
                .or_else(|| param("tag"))
                .or_else(|| param("branch")),
            commit,
            subdirectory: param("subdirectory"),
        };
    }
    let path = location.strip_prefix("file://").unwrap_or(location);
    if location.contains("://") && !location.starts_with("file://") {
        return PinSource::Url {
            url: location.to_string(),
            subdirectory: None,
        };
    }
    if pypi_artifact_kind(path) == PinArtifactKind::Archive {
        PinSource::Directory {
            path: path.to_string(),
            editable,
            r#virtual: false,
        }
    } else {
        PinSource::Path {
            path: path.to_string(),
        }
    }
}

fn pypi_package(p: &Package, env_index: Option<&str>) -> PinnedPackage {
    let name = p.name.as_deref().unwrap_or_default();
    let name =
        pep508_rs::PackageName::from_str(name).map_or_else(|_| name.to_string(), |n| n.to_string());
    let mut pin = PinnedPackage::registry(&name, p.version.as_deref().unwrap_or_default(), "");
    pin.version = p.version.clone();
    let remote = p.location.contains("://")
        && !p.location.starts_with("file://")
        && !p.location.starts_with("git+");
    pin.source = if remote && p.version.is_some() {
        PinSource::Registry {
            url: p
                .index
                .as_deref()
                .or(env_index)
                .unwrap_or_default()
                .to_string(),
        }
    } else {
        local_or_remote(&p.location, p.editable)
    };
    let mut hashes = BTreeMap::new();
    if let Some(md5) = &p.md5 {
        hashes.insert("md5".to_string(), md5.clone());
    }
    if let Some(sha256) = &p.sha256 {
        hashes.insert("sha256".to_string(), sha256.clone());
    }
    if !matches!(
        pin.source,
        PinSource::Directory { .. } | PinSource::Git { .. }
    ) {
        pin.artifacts = vec![PinArtifact {
            kind: pypi_artifact_kind(&p.location),
            url: Some(p.location.clone()),
            filename: None,
            hashes,
            size: None,
            upload_time: None,
        }];
    }
    pin.dependencies = p
        .requires_dist
        .iter()
        .filter_map(|r| unilock_model::requirement::parse_requirement(r, None).ok())
        .map(|r| PinDependency {
            name: r.name.to_string(),
            version: None,
            extras: r.extras.iter().map(|e| e.to_string()).collect(),
            marker: r.marker.contents().map(|m| m.to_string()),
        })
        .collect();
    pin
}
