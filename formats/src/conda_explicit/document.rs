//! An explicit file as the unified [`Document`] and back. Every conda URL becomes a pinned
//! conda package (version, build, subdir and channel from the URL, the archive with its hash);
//! every `# pip` line a pinned PyPI package from a direct URL. The platform header says where
//! the pins are used.

use super::{CondaEntry, ENVIRONMENT, ExplicitFile, PipEntry};
use crate::select;
use std::collections::{BTreeMap, BTreeSet};
use unilock_model::conda::CondaRecord;
use unilock_model::document::{PinArtifact, PinArtifactKind, PinSource, PinnedPackage};
use unilock_model::{Diagnostic, Document, Ecosystem};

impl ExplicitFile {
    /// The document of this file: its pins, and its platform.
    pub fn to_document(&self) -> Document {
        let mut doc = Document::new("conda-explicit");
        doc.platforms.extend(self.platform.clone());
        let used_in: BTreeMap<String, BTreeSet<String>> = self
            .platform
            .iter()
            .map(|p| (ENVIRONMENT.to_string(), BTreeSet::from([p.clone()])))
            .collect();
        for entry in &self.packages {
            doc.packages.push(conda_package(entry, &used_in));
        }
        for entry in &self.pip {
            doc.packages.push(pip_package(entry, &used_in));
        }
        doc
    }

    /// The explicit file of a pinned document's packages on `platform` (the document's only
    /// platform when `None`): conda packages with a URL, and PyPI packages with a URL as `# pip`
    /// lines. What cannot be written is left out, with a warning.
    pub fn from_document(
        doc: &Document,
        platform: Option<&str>,
    ) -> Result<(ExplicitFile, Vec<String>), Diagnostic> {
        let pins = select::platform_pins(doc, platform)?;
        let mut warnings = Vec::new();
        let mut file = ExplicitFile {
            platform: pins.platform.clone(),
            ..ExplicitFile::default()
        };
        for p in pins.packages {
            let with_url: Vec<&PinArtifact> =
                p.artifacts.iter().filter(|a| a.url.is_some()).collect();
            let version = p.version.as_deref().unwrap_or("");
            let Some(artifact) = with_url.first() else {
                let source_url = match &p.source {
                    PinSource::Url {
                        url,
                        subdirectory: None,
                    } => Some(url),
                    _ => None,
                };
                match (p.ecosystem, source_url) {
                    (Ecosystem::Pypi, Some(url)) => file.pip.push(PipEntry {
                        name: p.name.clone(),
                        url: url.clone(),
                        sha256: None,
                        origin: None,
                    }),
                    _ => warnings.push(format!(
                        "{} {version} is left out: an explicit file needs the URL of its package file, and the input has none",
                        p.name
                    )),
                }
                continue;
            };
            if with_url.len() > 1 {
                warnings.push(format!(
                    "{} {version} has {} files; the explicit file names the first, {}",
                    p.name,
                    with_url.len(),
                    artifact.url.as_deref().unwrap_or("")
                ));
            }
            let url = artifact.url.clone().unwrap_or_default();
            let md5 = artifact.hashes.get("md5").cloned();
            let sha256 = artifact.hashes.get("sha256").cloned();
            match p.ecosystem {
                Ecosystem::Conda => match super::parse::entry_of(&url, md5, sha256) {
                    Some(entry) => file.packages.push(entry),
                    None => warnings.push(format!(
                        "{} {version} is left out: `{url}` is not the URL of a conda package file",
                        p.name
                    )),
                },
                Ecosystem::Pypi => file.pip.push(PipEntry {
                    name: p.name.clone(),
                    url,
                    sha256,
                    origin: None,
                }),
            }
        }
        Ok((file, warnings))
    }
}

fn conda_package(
    entry: &CondaEntry,
    used_in: &BTreeMap<String, BTreeSet<String>>,
) -> PinnedPackage {
    let mut hashes = BTreeMap::new();
    if let Some(md5) = &entry.md5 {
        hashes.insert("md5".to_string(), md5.clone());
    }
    if let Some(sha256) = &entry.sha256 {
        hashes.insert("sha256".to_string(), sha256.clone());
    }
    let source = match &entry.channel {
        Some(channel) => PinSource::Registry {
            url: channel.clone(),
        },
        None if entry.url.contains("://") => PinSource::Url {
            url: entry.url.clone(),
            subdirectory: None,
        },
        None => PinSource::Path {
            path: entry.url.clone(),
        },
    };
    PinnedPackage {
        name: entry.name.clone(),
        ecosystem: Ecosystem::Conda,
        version: Some(entry.version.clone()),
        marker: None,
        source,
        artifacts: vec![PinArtifact {
            kind: PinArtifactKind::Conda,
            url: Some(entry.url.clone()),
            filename: None,
            hashes,
            size: None,
            upload_time: None,
        }],
        dependencies: Vec::new(),
        optional_dependencies: BTreeMap::new(),
        dependency_groups: BTreeMap::new(),
        conda: Some(Box::new(CondaRecord {
            build: entry.build.clone(),
            subdir: entry.subdir.clone(),
            channel: entry.channel.clone(),
            ..CondaRecord::default()
        })),
        used_in: used_in.clone(),
        origin: entry.origin.clone(),
        dependencies_from_build: false,
    }
}

fn pip_package(entry: &PipEntry, used_in: &BTreeMap<String, BTreeSet<String>>) -> PinnedPackage {
    let file_name = entry.url.rsplit('/').next().unwrap_or("");
    let (kind, version) = pypi_file(&entry.name, file_name);
    let mut p = PinnedPackage::registry(&entry.name, "", "");
    p.version = version;
    p.source = PinSource::Url {
        url: entry.url.clone(),
        subdirectory: None,
    };
    p.artifacts = vec![PinArtifact {
        kind,
        url: Some(entry.url.clone()),
        filename: None,
        hashes: entry
            .sha256
            .iter()
            .map(|h| ("sha256".to_string(), h.clone()))
            .collect(),
        size: None,
        upload_time: None,
    }];
    p.used_in = used_in.clone();
    p.origin = entry.origin.clone();
    p
}

/// The kind of a PyPI file and the version its name gives (wheels: `NAME-VERSION-…whl`;
/// source distributions: `NAME-VERSION.tar.gz` or `.zip`).
fn pypi_file(name: &str, file_name: &str) -> (PinArtifactKind, Option<String>) {
    let file_name = percent_encoding::percent_decode_str(file_name).decode_utf8_lossy();
    let valid = |v: &str| {
        use std::str::FromStr;
        pep440_rs::Version::from_str(v).ok().map(|v| v.to_string())
    };
    if let Some(stem) = file_name.strip_suffix(".whl") {
        return (
            PinArtifactKind::Wheel,
            stem.split('-').nth(1).and_then(valid),
        );
    }
    for ext in [".tar.gz", ".zip", ".tar.bz2", ".tgz"] {
        if let Some(stem) = file_name.strip_suffix(ext) {
            // The name part may itself hold dashes; the version follows the name.
            let normalized = |s: &str| s.to_ascii_lowercase().replace(['_', '.'], "-");
            let version = stem
                .char_indices()
                .filter(|&(_, c)| c == '-')
                .find(|&(i, _)| normalized(&stem[..i]) == name)
                .and_then(|(i, _)| valid(&stem[i + 1..]));
            return (PinArtifactKind::Sdist, version);
        }
    }
    (PinArtifactKind::Archive, None)
}
