//! A [`PackageSource`] over local locations: `file://` simple indexes (a directory with one
//! sub-directory per project holding `index.html` (PEP 503) or `index.json` (PEP 691)) and
//! find-links directories of distribution files.
//!
//! Metadata comes from the PEP 658 `<file>.metadata` file when the page advertises one, else
//! from the `*.dist-info/METADATA` inside the wheel, else from an sdist's `PKG-INFO` when its
//! dependencies are static (PEP 643). Hashes the page gives are checked on every file read.

use crate::archive;
use crate::metadata;
use crate::simple;
use sha2::Digest;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use unilock_model::index::{DirectFile, DistFile, DistName, Metadata, PackageSource, ProjectFiles};
use unilock_model::{Diagnostic, ErrorKind};
use url::Url;

/// One place packages come from, in priority order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The root URL of a `file://` simple index (`file:///srv/index/simple/`).
    Index(Url),
    /// A directory of distribution files (`--find-links`).
    FindLinks(PathBuf),
}

type Cache<K, V> = Mutex<HashMap<K, V>>;

/// Local indexes and find-links directories.
pub struct LocalSource {
    locations: Vec<Location>,
    projects: Cache<String, Option<Arc<ProjectFiles>>>,
    metadata: Cache<String, Metadata>,
    /// Files left out of index pages ([`crate::vet`]), one warning per page.
    warnings: Mutex<Vec<String>>,
}

impl LocalSource {
    pub fn new(locations: Vec<Location>) -> Self {
        LocalSource {
            locations,
            projects: Mutex::default(),
            metadata: Mutex::default(),
            warnings: Mutex::default(),
        }
    }

    /// The warnings about the index pages read so far.
    pub fn warnings(&self) -> Vec<String> {
        lock(&self.warnings).clone()
    }

    fn read_project(&self, name: &str) -> Result<Option<Arc<ProjectFiles>>, Diagnostic> {
        let mut found: Option<ProjectFiles> = None;
        for location in &self.locations {
            match location {
                Location::Index(root) => {
                    if found.is_some() {
                        continue; // the first index that has the project wins
                    }
                    if let Some(files) = index_page(root, name)? {
                        let page = root
                            .join(&format!("{name}/"))
                            .map_or_else(|_| root.to_string(), |u| u.to_string());
                        let (files, warnings) = crate::vet::own_files(name, &page, files.into());
                        lock(&self.warnings).extend(warnings);
                        found = Some(ProjectFiles {
                            name: name.to_string(),
                            index: root.to_string(),
                            files,
                        });
                    }
                }
                Location::FindLinks(dir) => {
                    let files = find_links(dir, name)?;
                    if files.is_empty() {
                        continue;
                    }
                    match &mut found {
                        Some(p) => p.files.extend(files),
                        None => {
                            found = Some(ProjectFiles {
                                name: name.to_string(),
                                index: dir.display().to_string(),
                                files: files.into(),
                            })
                        }
                    }
                }
            }
        }
        Ok(found.map(Arc::new))
    }
}

impl PackageSource for LocalSource {
    fn project(&self, name: &str) -> Result<Option<Arc<ProjectFiles>>, Diagnostic> {
        if let Some(p) = lock(&self.projects).get(name) {
            return Ok(p.clone());
        }
        let project = self.read_project(name)?;
        lock(&self.projects).insert(name.to_string(), project.clone());
        Ok(project)
    }

    fn direct(&self, name: &str, url: &str) -> Result<DirectFile, Diagnostic> {
        let reference = crate::direct::Reference::parse(name, url)?;
        if reference.url.scheme() != "file" {
            return Err(registry_error(format!(
                "{name} @ {}: a local source reads only file:// URLs",
                reference.recorded_url()
            )));
        }
        crate::direct::read_local(&reference)
    }

    fn metadata(&self, _project: &ProjectFiles, file: &DistFile) -> Result<Metadata, Diagnostic> {
        if let Some(m) = lock(&self.metadata).get(&file.url) {
            return Ok(m.clone());
        }
        let m = read_metadata(file)?;
        lock(&self.metadata).insert(file.url.clone(), m.clone());
        Ok(m)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn registry_error(message: String) -> Diagnostic {
    Diagnostic::new(ErrorKind::Registry, message)
}

/// The files on the project page of a `file://` index, `None` when the index lacks it.
pub(crate) fn index_page(root: &Url, name: &str) -> Result<Option<Vec<DistFile>>, Diagnostic> {
    let page = root
        .join(&format!("{name}/"))
        .map_err(|e| registry_error(format!("{root}: cannot form the page of {name}: {e}")))?;
    let dir = page
        .to_file_path()
        .map_err(|()| registry_error(format!("{page}: not a local file URL")))?;
    for (file, json) in [("index.json", true), ("index.html", false)] {
        let path = dir.join(file);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(registry_error(format!("{}: {e}", path.display()))),
        };
        let files = if json {
            simple::json::parse(&text, &page)
        } else {
            simple::html::parse(&text, &page)
        };
        return files
            .map(Some)
            .map_err(|e| registry_error(format!("{}: {e}", path.display())));
    }
    Ok(None)
}

/// The files for `name` in a find-links directory.
pub(crate) fn find_links(dir: &Path, name: &str) -> Result<Vec<DistFile>, Diagnostic> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| registry_error(format!("find-links {}: {e}", dir.display())))?;
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(filename) = path.file_name().and_then(|f| f.to_str()) else {
            continue;
        };
        if project_of(filename).as_deref() != Some(name) {
            continue;
        }
        let Ok(url) = Url::from_file_path(&path) else {
            continue;
        };
        // A directory listing carries no hashes: hash the file, so the lock can pin it.
        let bytes = std::fs::read(&path)
            .map_err(|e| registry_error(format!("find-links {}: {e}", path.display())))?;
        let hashes = [("sha256".to_string(), hex(&sha2::Sha256::digest(&bytes)))].into();
        let metadata_file = path.with_file_name(format!("{filename}.metadata"));
        files.push(DistFile {
            filename: filename.to_string(),
            url: url.to_string(),
            hashes,
            size: Some(bytes.len() as u64),
            metadata: metadata_file.exists().then(Default::default),
            ..DistFile::default()
        });
    }
    files.sort_by(|a, b| a.filename.cmp(&b.filename));
    Ok(files)
}

/// The normalised project name of a distribution file name.
pub fn project_of(filename: &str) -> Option<String> {
    DistName::parse(filename).map(|n| normalize(n.project))
}

/// PEP 503 normalisation (the model's).
pub use unilock_model::name::normalize;

/// The bytes of a local file, checked against the hashes the index gave.
fn read_checked(url: &str, hashes: &unilock_model::index::Hashes) -> Result<Vec<u8>, Diagnostic> {
    let path = Url::parse(url)
        .ok()
        .and_then(|u| u.to_file_path().ok())
        .ok_or_else(|| registry_error(format!("{url}: not a local file URL")))?;
    let bytes = std::fs::read(&path).map_err(|e| registry_error(format!("{url}: {e}")))?;
    if let Some(expected) = hashes.get("sha256") {
        let actual = hex(&sha2::Sha256::digest(&bytes));
        if &actual != expected {
            return Err(registry_error(format!(
                "{url}: sha256 is {actual}, but the index says {expected}"
            )));
        }
    }
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn read_metadata(file: &DistFile) -> Result<Metadata, Diagnostic> {
    let bad = |e: String| {
        Diagnostic::new(
            ErrorKind::Registry,
            format!("{}: invalid core metadata: {e}", file.url),
        )
    };
    if let Some(hashes) = &file.metadata {
        let url = format!("{}.metadata", file.url);
        let bytes = read_checked(&url, hashes)?;
        if bytes.len() as u64 > archive::MAX_METADATA {
            return Err(registry_error(format!(
                "{url}: {}",
                archive::too_large("the metadata file", bytes.len() as u64)
            )));
        }
        let headers = metadata::parse(&String::from_utf8_lossy(&bytes)).map_err(bad)?;
        if file.filename.ends_with(".whl") {
            return Ok(Metadata::Known(Arc::new(headers.metadata)));
        }
        // An sdist's metadata file is its PKG-INFO: final only when static (PEP 643).
        return Ok(crate::remote::sdist_metadata(headers));
    }
    let bytes = read_checked(&file.url, &file.hashes)?;
    if file.filename.ends_with(".whl") {
        let text = archive::wheel_metadata(&bytes).map_err(bad)?;
        let headers = metadata::parse(&text).map_err(bad)?;
        return Ok(Metadata::Known(Arc::new(headers.metadata)));
    }
    let text = archive::sdist_pkg_info(&file.filename, &bytes).map_err(bad)?;
    let headers = metadata::parse(&text).map_err(bad)?;
    Ok(crate::remote::sdist_metadata(headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metadata_file_over_the_limit_is_refused_not_cut() {
        let dir = tempfile::tempdir().unwrap();
        let wheel = dir.path().join("big-1.0-py3-none-any.whl");
        let mut text = b"Metadata-Version: 2.1\nName: big\nVersion: 1.0\nSummary: ".to_vec();
        text.resize(archive::MAX_METADATA as usize, b'x');
        text.extend_from_slice(b"\nRequires-Dist: late-dependency\n");
        std::fs::write(dir.path().join("big-1.0-py3-none-any.whl.metadata"), &text).unwrap();
        let file = DistFile {
            filename: "big-1.0-py3-none-any.whl".into(),
            url: Url::from_file_path(&wheel).unwrap().to_string(),
            metadata: Some(Default::default()),
            ..DistFile::default()
        };
        let err = read_metadata(&file).unwrap_err();
        assert!(
            err.message()
                .contains(".whl.metadata: the metadata file is")
                && err.message().contains("over the limit of 16 MiB"),
            "{}",
            err.message()
        );
    }
}
