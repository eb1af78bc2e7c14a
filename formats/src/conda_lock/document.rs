//! The unified model of a `conda-lock.yml` ([`CondaLock::to_document`]): its channels and
//! platforms, and one pinned package per `package` entry.
//!
//! Categories become environments: `main` is the environment `default`, and every other
//! category `C` is the environment `C`, which (as `conda-lock install -e C` does) installs
//! the main packages too. So an entry of category `main` is used in `default` and in every
//! other category of the file, on its platform; an entry of another category only in that
//! category. `optional` follows from the category and is not kept separately.

use super::*;
use crate::conda_pins::{ArchiveUrl, pypi_artifact_kind};
use std::collections::{BTreeMap, BTreeSet};
use unilock_model::conda::CondaRecord;
use unilock_model::document::{
    Channel, PinArtifact, PinArtifactKind, PinDependency, PinSource, PinnedPackage,
};
use unilock_model::{Document, Ecosystem};

/// The environment name of the `main` category.
pub const DEFAULT_ENVIRONMENT: &str = "default";

impl CondaLock {
    /// The unified model.
    pub fn to_document(&self) -> Document {
        let mut doc = Document::new("conda-lock");
        doc.manifest.sources = vec!["conda-lock.yml".to_string()];
        doc.channels = self
            .metadata
            .channels
            .iter()
            .map(|c| Channel {
                name: c.url.clone(),
                origin: None,
            })
            .collect();
        doc.platforms = self.metadata.platforms.clone();
        let extra_categories: BTreeSet<&str> = self
            .packages
            .iter()
            .map(|p| p.category.as_str())
            .filter(|c| *c != MAIN_CATEGORY)
            .collect();
        doc.packages = self
            .packages
            .iter()
            .map(|p| pinned_package(p, &extra_categories))
            .collect();
        doc
    }
}

/// The environments an entry of `category` is installed in.
fn environments<'a>(category: &'a str, extra_categories: &BTreeSet<&'a str>) -> Vec<&'a str> {
    if category == MAIN_CATEGORY {
        std::iter::once(DEFAULT_ENVIRONMENT)
            .chain(extra_categories.iter().copied())
            .collect()
    } else {
        vec![category]
    }
}

fn pinned_package(p: &LockedPackage, extra_categories: &BTreeSet<&str>) -> PinnedPackage {
    let used_in: BTreeMap<String, BTreeSet<String>> = environments(&p.category, extra_categories)
        .into_iter()
        .map(|env| (env.to_string(), BTreeSet::from([p.platform.clone()])))
        .collect();
    let mut hashes = BTreeMap::new();
    if let Some(md5) = &p.md5 {
        hashes.insert("md5".to_string(), md5.clone());
    }
    if let Some(sha256) = &p.sha256 {
        hashes.insert("sha256".to_string(), sha256.clone());
    }
    let mut pin = PinnedPackage::registry(&p.name, &p.version, "");
    pin.used_in = used_in;
    match p.manager {
        Manager::Conda => {
            let archive = ArchiveUrl::parse(&p.url);
            let build = p
                .build
                .clone()
                .or_else(|| archive.build())
                .unwrap_or_default();
            pin.ecosystem = Ecosystem::Conda;
            pin.source = PinSource::Registry {
                url: archive.channel.clone().unwrap_or_default(),
            };
            pin.artifacts = vec![PinArtifact {
                kind: PinArtifactKind::Conda,
                url: Some(p.url.clone()),
                filename: None,
                hashes,
                size: None,
                upload_time: None,
            }];
            pin.dependencies = p
                .dependencies
                .iter()
                .map(|(name, _)| dependency(name.clone()))
                .collect();
            pin.conda = Some(Box::new(CondaRecord {
                build,
                subdir: archive.subdir.clone(),
                channel: archive.channel,
                depends: p
                    .dependencies
                    .iter()
                    .map(|(name, spec)| format!("{name} {spec}").trim().to_string())
                    .collect(),
                ..CondaRecord::default()
            }));
        }
        Manager::Pip => {
            pin.name = normalize(&p.name);
            pin.source = match &p.source {
                Some(url) => PinSource::Url {
                    url: url.clone(),
                    subdirectory: None,
                },
                None => PinSource::Registry { url: String::new() },
            };
            pin.artifacts = vec![PinArtifact {
                kind: pypi_artifact_kind(&p.url),
                url: Some(p.url.clone()),
                filename: None,
                hashes,
                size: None,
                upload_time: None,
            }];
            pin.dependencies = p
                .dependencies
                .iter()
                .map(|(name, _)| dependency(normalize(name)))
                .collect();
        }
    }
    pin
}

fn dependency(name: String) -> PinDependency {
    PinDependency {
        name,
        version: None,
        extras: Vec::new(),
        marker: None,
    }
}

/// A PyPI name in its normal form (PEP 503).
fn normalize(name: &str) -> String {
    pep508_rs::PackageName::new(name.to_string())
        .map(|n| n.to_string())
        .unwrap_or_else(|_| name.to_ascii_lowercase())
}
