//! Recording what a resolution consulted as a `file://` index snapshot, for offline tests and
//! air-gapped use (`unilock index record`).
//!
//! A [`Recorder`] wraps the real source and remembers every project page and every file
//! metadata the solver asked for; [`write`] then lays out a simple index that the local reader
//! (and pip, and uv) can use:
//!
//! ```text
//! DIR/RECORDING.txt                 what was recorded (requirements, targets), no hosts
//! DIR/simple/index.html             the projects (PEP 503)
//! DIR/simple/<name>/index.json      PEP 691 JSON page
//! DIR/simple/<name>/index.html      PEP 503 HTML page, the same files
//! DIR/files/<filename>.metadata     PEP 658 metadata of each file whose metadata was read
//! DIR/files/<filename>              the file itself, when small (see below)
//! ```
//!
//! Pages keep the versions that matter: every version from the newest down to the oldest one
//! whose metadata the solver read or that an explanation of a failed resolution named (so
//! newer yanked, pre-release or unusable versions stay, and the same choices and explanations
//! are made offline), or only the newest when none was read. Every file of a
//! kept version is listed with its real hashes, size, `requires-python` and yanked state
//! (links in a yanked reason are left out: they name hosts); URLs point into `files/`. Metadata files hold only what resolution reads (`Name`, `Version`,
//! `Requires-Python`, `Provides-Extra`, `Requires-Dist`), as metadata 2.2 with nothing
//! dynamic, and the pages advertise them with their own sha256. File bodies are written when
//! the solver read their metadata and they are at most [`BODY_LIMIT`] bytes; an sdist whose
//! dependencies need a build is always written (up to [`BUILD_BODY_LIMIT`]), since only its
//! `PKG-INFO` can tell an offline run so. Bodies are checked against the index's hashes, and
//! one that names a contacted host (in its bytes or its archived metadata) is left out.
//! Finally no written file may name a host the recording contacted: such a file is an error.
//!
//! A recording replaces an earlier snapshot in its directory, or ([`Mode::Merge`]) is added to
//! it: pages hold the union of both recordings' files, earlier metadata files and bodies stay,
//! and RECORDING.txt lists every recording (see `merge.rs`). So one snapshot can serve several
//! requirement sets, each resolved for its own targets.

use crate::http::hex;
use sha2::Digest;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};
use unilock_model::index::{DistFile, Metadata, PackageSource, ProjectFiles};
use unilock_model::{Diagnostic, ErrorKind};

/// The largest file body written beside its metadata.
pub const BODY_LIMIT: u64 = 128 * 1024;
/// The largest sdist body written when its dependencies need a build.
pub const BUILD_BODY_LIMIT: u64 = 16 * 1024 * 1024;

/// A source that remembers what was asked of it.
pub struct Recorder<'a> {
    inner: &'a dyn PackageSource,
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    projects: BTreeMap<String, Arc<ProjectFiles>>,
    metadata: BTreeMap<String, Metadata>,
    /// Per project, the oldest version an explanation read (see [`PackageSource::consulted`]).
    consulted: BTreeMap<String, pep440_rs::Version>,
}

impl<'a> Recorder<'a> {
    pub fn new(inner: &'a dyn PackageSource) -> Self {
        Recorder {
            inner,
            seen: Mutex::default(),
        }
    }
}

impl PackageSource for Recorder<'_> {
    fn project(&self, name: &str) -> Result<Option<Arc<ProjectFiles>>, Diagnostic> {
        let p = self.inner.project(name)?;
        if let Some(p) = &p {
            lock(&self.seen)
                .projects
                .insert(name.to_string(), p.clone());
        }
        Ok(p)
    }

    fn metadata(&self, project: &ProjectFiles, file: &DistFile) -> Result<Metadata, Diagnostic> {
        let m = self.inner.metadata(project, file)?;
        lock(&self.seen)
            .metadata
            .insert(file.url.clone(), m.clone());
        Ok(m)
    }

    fn prefetch(&self, name: &str) {
        self.inner.prefetch(name);
    }

    fn prefetch_metadata(&self, project: &ProjectFiles, files: &[DistFile]) {
        self.inner.prefetch_metadata(project, files);
    }

    fn consulted(&self, name: &str, version: &str) {
        self.inner.consulted(name, version);
        let Ok(version) = version.parse::<pep440_rs::Version>() else {
            return;
        };
        let mut seen = lock(&self.seen);
        let oldest = seen
            .consulted
            .entry(name.to_string())
            .or_insert(version.clone());
        if version < *oldest {
            *oldest = version;
        }
    }
}

/// What a snapshot holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub projects: usize,
    pub files: usize,
    pub metadata_files: usize,
    pub bodies: usize,
    /// Files of the earlier snapshot carried over unchanged ([`Mode::Merge`]).
    pub kept: usize,
    /// Files left out, with why.
    pub left_out: Vec<String>,
}

/// The opening of RECORDING.txt; each recording then adds what it resolved.
pub const HEADER: &str = "An index snapshot recorded by `unilock index record`: the pages of every project the\n\
resolutions below consulted (the versions that matter), their metadata files, and small\n\
files. Hashes are those of the original index.\n";

/// What to do with an earlier snapshot in the directory written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Replace it.
    Replace,
    /// Add this recording to it: the union of both, see the module docs.
    Merge,
}

/// Writes the snapshot of what `recorder` saw into `into`, replacing an earlier snapshot
/// there or, with [`Mode::Merge`], adding to it. `body` fetches a file's bytes (checked
/// against the index); `hosts` are the hosts the recording contacted — to which the hosts of
/// every index and file URL seen are added — none of which may appear in what is written;
/// `provenance` (what was resolved, for which targets) goes into RECORDING.txt after
/// [`HEADER`], or after the earlier recordings.
pub fn write(
    recorder: &Recorder,
    into: &Path,
    provenance: &str,
    hosts: &[String],
    body: &dyn Fn(&DistFile) -> Result<Vec<u8>, Diagnostic>,
    mode: Mode,
) -> Result<Summary, Diagnostic> {
    let seen = lock(&recorder.seen);
    // The hosts of every index and file seen count as contacted, even when the cache answered.
    let mut hosts: Vec<String> = hosts.to_vec();
    for project in seen.projects.values() {
        let urls = project.files.iter().map(|f| f.into_owned().url);
        for u in urls.chain([project.index.clone()]) {
            if let Ok(u) = url::Url::parse(&u)
                && let Some(h) = u.host_str()
                && !hosts.iter().any(|x| x == h)
            {
                hosts.push(h.to_string());
            }
        }
    }
    let hosts = &hosts[..];
    let io = |what: &Path, e: std::io::Error| {
        Diagnostic::new(ErrorKind::Usage, format!("{}: {e}", what.display()))
    };
    if into.exists() && !into.join("RECORDING.txt").is_file() {
        return Err(Diagnostic::new(
            ErrorKind::Usage,
            format!(
                "{}: exists and is not an index snapshot (no RECORDING.txt); choose a new directory",
                into.display()
            ),
        ));
    }
    let mut earlier = match mode {
        Mode::Merge if into.exists() => Some(merge::read(into)?),
        _ => None,
    };
    let parent = match into.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| io(&parent, e))?;
    let staging = tempfile::tempdir_in(&parent).map_err(|e| io(&parent, e))?;
    let root = staging.path();
    let files_dir = root.join("files");
    std::fs::create_dir_all(&files_dir).map_err(|e| io(&files_dir, e))?;
    let mut summary = Summary::default();
    let mut index = String::from(
        "<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.1\"><title>Simple index</title></head><body>\n",
    );
    let mut pages: BTreeMap<String, Vec<DistFile>> = BTreeMap::new();
    for (name, project) in &seen.projects {
        let kept = kept_files(project, &seen.metadata, seen.consulted.get(name));
        let mut entries = Vec::new();
        for file in &kept {
            let mut entry = file.clone();
            entry.url = format!("../../files/{}", file.filename);
            entry.metadata = None;
            entry.yanked = file.yanked.as_deref().map(without_links);
            match seen.metadata.get(&file.url) {
                Some(Metadata::Known(m)) => {
                    let text = metadata_text(m);
                    let path = files_dir.join(format!("{}.metadata", file.filename));
                    std::fs::write(&path, &text).map_err(|e| io(&path, e))?;
                    let sha = hex(&sha2::Sha256::digest(text.as_bytes()));
                    entry.metadata = Some([("sha256".to_string(), sha)].into());
                    summary.metadata_files += 1;
                    if file.size.is_some_and(|s| s <= BODY_LIMIT) {
                        write_body(&files_dir, file, hosts, body, &mut summary)?;
                    }
                }
                Some(Metadata::NeedsBuild(_)) => {
                    if file.size.unwrap_or(0) > BUILD_BODY_LIMIT {
                        summary.left_out.push(format!(
                            "{}: an sdist that needs a build, larger than {BUILD_BODY_LIMIT} bytes",
                            file.filename
                        ));
                        continue;
                    }
                    if !write_body(&files_dir, file, hosts, body, &mut summary)? {
                        continue;
                    }
                }
                None => {}
            }
            entries.push(entry);
        }
        if let Some(old) = earlier.as_mut().and_then(|e| e.pages.remove(name)) {
            entries = merge::entries(entries, old);
        }
        pages.insert(name.clone(), entries);
    }
    if let Some(earlier) = &mut earlier {
        pages.append(&mut earlier.pages);
        summary.kept = merge::carry_over(&into.join("files"), &files_dir)?;
    }
    for (name, entries) in &pages {
        summary.projects += 1;
        summary.files += entries.len();
        let dir = root.join("simple").join(name);
        std::fs::create_dir_all(&dir).map_err(|e| io(&dir, e))?;
        let json = json_page(name, entries);
        std::fs::write(dir.join("index.json"), json).map_err(|e| io(&dir, e))?;
        std::fs::write(dir.join("index.html"), html_page(name, entries))
            .map_err(|e| io(&dir, e))?;
        let _ = writeln!(index, "<a href=\"{name}/\">{name}</a><br/>");
    }
    index.push_str("</body></html>\n");
    let simple = root.join("simple");
    std::fs::create_dir_all(&simple).map_err(|e| io(&simple, e))?;
    std::fs::write(simple.join("index.html"), index).map_err(|e| io(&simple, e))?;
    let recording = match &earlier {
        Some(e) => format!("{}\n\n{provenance}", e.recording.trim_end()),
        None => format!("{HEADER}\n{provenance}"),
    };
    std::fs::write(root.join("RECORDING.txt"), recording).map_err(|e| io(root, e))?;
    check_hosts(root, hosts)?;
    let staged = staging.keep();
    if into.exists() {
        std::fs::remove_dir_all(into).map_err(|e| io(into, e))?;
    }
    std::fs::rename(&staged, into).map_err(|e| io(into, e))?;
    Ok(summary)
}

/// Writes the body of `file` unless it names one of `hosts` (in its bytes or in its archived
/// metadata); returns whether it was written.
fn write_body(
    dir: &Path,
    file: &DistFile,
    hosts: &[String],
    body: &dyn Fn(&DistFile) -> Result<Vec<u8>, Diagnostic>,
    summary: &mut Summary,
) -> Result<bool, Diagnostic> {
    let bytes = body(file)?;
    let inner = if file.filename.ends_with(".whl") {
        crate::archive::wheel_metadata(&bytes)
    } else {
        crate::archive::sdist_pkg_info(&file.filename, &bytes)
    }
    .unwrap_or_default();
    if let Some(host) = hosts
        .iter()
        .find(|h| contains(&bytes, h.as_bytes()) || inner.contains(h.as_str()))
    {
        summary.left_out.push(format!(
            "{}: its metadata names the host {host}",
            file.filename
        ));
        return Ok(false);
    }
    let path = dir.join(&file.filename);
    std::fs::write(&path, bytes)
        .map_err(|e| Diagnostic::new(ErrorKind::Usage, format!("{}: {e}", path.display())))?;
    summary.bodies += 1;
    Ok(true)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// A yanked reason with its links left out (they name hosts; the reason stays readable).
fn without_links(reason: &str) -> String {
    reason
        .split(' ')
        .map(|word| {
            if word.contains("://") {
                let open = if word.starts_with('(') { "(" } else { "" };
                let close = if word.ends_with(')') { ")" } else { "" };
                format!("{open}[link left out]{close}")
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The files of the versions that matter (see the module docs), in the page's order.
fn kept_files(
    project: &ProjectFiles,
    consulted: &BTreeMap<String, Metadata>,
    explained: Option<&pep440_rs::Version>,
) -> Vec<DistFile> {
    let versioned: Vec<(pep440_rs::Version, DistFile)> = project
        .files
        .iter()
        .filter_map(|f| Some((version_of(&f.filename)?, f.into_owned())))
        .collect();
    let floor = versioned
        .iter()
        .filter(|(_, f)| consulted.contains_key(&f.url))
        .map(|(v, _)| v)
        .chain(explained)
        .min()
        .or_else(|| versioned.iter().map(|(v, _)| v).max())
        .cloned();
    let Some(floor) = floor else {
        return Vec::new();
    };
    versioned
        .into_iter()
        .filter(|(v, _)| *v >= floor)
        .map(|(_, f)| f)
        .collect()
}

fn version_of(filename: &str) -> Option<pep440_rs::Version> {
    unilock_model::index::version_of(filename).map(|(v, _)| v)
}

/// The fields resolution reads, as core metadata 2.2 with nothing dynamic.
fn metadata_text(m: &unilock_model::index::CoreMetadata) -> String {
    let mut out = format!(
        "Metadata-Version: 2.2\nName: {}\nVersion: {}\n",
        m.name, m.version
    );
    if let Some(rp) = &m.requires_python {
        let _ = writeln!(out, "Requires-Python: {rp}");
    }
    for e in &m.provides_extra {
        let _ = writeln!(out, "Provides-Extra: {e}");
    }
    for r in &m.requires_dist {
        let _ = writeln!(out, "Requires-Dist: {r}");
    }
    out
}

fn json_page(name: &str, files: &[DistFile]) -> String {
    use serde_json::{Value, json};
    let mut versions = BTreeSet::new();
    let files: Vec<Value> = files
        .iter()
        .map(|f| {
            if let Some(v) = version_of(&f.filename) {
                versions.insert(v);
            }
            let mut o = serde_json::Map::new();
            o.insert("filename".into(), json!(f.filename));
            o.insert("url".into(), json!(f.url));
            o.insert("hashes".into(), json!(f.hashes.to_map()));
            if let Some(rp) = &f.requires_python {
                o.insert("requires-python".into(), json!(rp));
            }
            o.insert(
                "yanked".into(),
                match &f.yanked {
                    None => json!(false),
                    Some(r) if r.is_empty() => json!(true),
                    Some(r) => json!(r),
                },
            );
            if let Some(size) = f.size {
                o.insert("size".into(), json!(size));
            }
            if let Some(t) = &f.upload_time {
                o.insert("upload-time".into(), json!(t));
            }
            o.insert(
                "core-metadata".into(),
                match &f.metadata {
                    Some(h) => json!(h.to_map()),
                    None => json!(false),
                },
            );
            Value::Object(o)
        })
        .collect();
    let versions: Vec<String> = versions.iter().map(ToString::to_string).collect();
    let page = json!({
        "meta": {"api-version": "1.1"},
        "name": name,
        "versions": versions,
        "files": files,
    });
    let mut text = serde_json::to_string_pretty(&page).unwrap_or_default();
    text.push('\n');
    text
}

fn html_page(name: &str, files: &[DistFile]) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.1\"><title>Links for {name}</title></head><body>\n<h1>Links for {name}</h1>\n"
    );
    for f in files {
        let mut href = f.url.clone();
        if let Some(sha) = f.hashes.get("sha256") {
            let _ = write!(href, "#sha256={sha}");
        }
        let _ = write!(out, "<a href=\"{}\"", escape(&href));
        if let Some(rp) = &f.requires_python {
            let _ = write!(out, " data-requires-python=\"{}\"", escape(rp));
        }
        if let Some(reason) = &f.yanked {
            let _ = write!(out, " data-yanked=\"{}\"", escape(reason));
        }
        if let Some(sha) = f.metadata.as_ref().and_then(|h| h.get("sha256")) {
            let _ = write!(
                out,
                " data-core-metadata=\"sha256={sha}\" data-dist-info-metadata=\"sha256={sha}\""
            );
        }
        let _ = writeln!(out, ">{}</a><br/>", escape(&f.filename));
    }
    out.push_str("</body></html>\n");
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// No written file names a contacted host.
fn check_hosts(root: &Path, hosts: &[String]) -> Result<(), Diagnostic> {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| Diagnostic::new(ErrorKind::Usage, format!("{}: {e}", dir.display())))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap_or_default();
            if let Some(host) = hosts.iter().find(|h| contains(&bytes, h.as_bytes())) {
                let shown = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                return Err(Diagnostic::new(
                    ErrorKind::Registry,
                    format!(
                        "the snapshot file {shown} would name the host {host}; nothing was written"
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

mod merge;
#[cfg(test)]
mod tests;
