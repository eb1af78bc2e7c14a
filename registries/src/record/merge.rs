//! Adding a recording to an earlier snapshot (`unilock index record --merge`), so one
//! directory can serve several requirement sets, each resolved for its own targets.
//!
//! The earlier snapshot's pages are read back through the local reader; a project both hold
//! gets the union of their files (by file name, in version order), where a file the new
//! recording read metadata for takes the new entry, else an entry with metadata wins, else
//! the new one. Earlier files (metadata files and bodies) the new recording did not write are
//! carried over unchanged, and RECORDING.txt lists every recording, oldest first.

use super::version_of;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use unilock_model::index::DistFile;
use unilock_model::{Diagnostic, ErrorKind};

/// What an earlier snapshot holds.
pub(super) struct Earlier {
    /// Project pages by name, with URLs relative to the page as the recorder writes them.
    pub pages: BTreeMap<String, Vec<DistFile>>,
    /// RECORDING.txt as it was.
    pub recording: String,
}

fn io(what: &Path, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::new(ErrorKind::Usage, format!("{}: {e}", what.display()))
}

/// Reads the snapshot in `dir` (one the recorder wrote: RECORDING.txt, simple/, files/).
pub(super) fn read(dir: &Path) -> Result<Earlier, Diagnostic> {
    let recording_path = dir.join("RECORDING.txt");
    let recording = std::fs::read_to_string(&recording_path).map_err(|e| io(&recording_path, e))?;
    let simple = dir.join("simple");
    let mut pages = BTreeMap::new();
    if simple.is_dir() {
        let absolute = std::path::absolute(&simple).map_err(|e| io(&simple, e))?;
        let root = url::Url::from_directory_path(&absolute)
            .map_err(|()| io(&simple, "not a directory path"))?;
        for entry in std::fs::read_dir(&simple).map_err(|e| io(&simple, e))? {
            let path = entry.map_err(|e| io(&simple, e))?.path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if !path.is_dir() {
                continue;
            }
            let Some(files) = crate::local::index_page(&root, name)? else {
                continue;
            };
            let files = files
                .into_iter()
                .map(|mut f| {
                    f.url = format!("../../files/{}", f.filename);
                    f
                })
                .collect();
            pages.insert(name.to_string(), files);
        }
    }
    Ok(Earlier { pages, recording })
}

/// The union of a project's files from the new recording (`new`) and the earlier snapshot
/// (`old`), in version order (files of one version in the order they were listed).
pub(super) fn entries(new: Vec<DistFile>, old: Vec<DistFile>) -> Vec<DistFile> {
    let mut old: BTreeMap<String, DistFile> =
        old.into_iter().map(|f| (f.filename.clone(), f)).collect();
    let mut out: Vec<DistFile> = new
        .into_iter()
        .map(|n| match old.remove(&n.filename) {
            Some(o) if n.metadata.is_none() && o.metadata.is_some() => o,
            _ => n,
        })
        .collect();
    out.extend(old.into_values());
    out.sort_by_key(|f| version_of(&f.filename));
    out
}

/// Copies the files of `from` that `to` does not have; returns how many.
pub(super) fn carry_over(from: &Path, to: &Path) -> Result<usize, Diagnostic> {
    if !from.is_dir() {
        return Ok(0);
    }
    let present: HashSet<std::ffi::OsString> = std::fs::read_dir(to)
        .map_err(|e| io(to, e))?
        .flatten()
        .map(|e| e.file_name())
        .collect();
    let mut copied = 0;
    for entry in std::fs::read_dir(from).map_err(|e| io(from, e))? {
        let entry = entry.map_err(|e| io(from, e))?;
        let path = entry.path();
        if !path.is_file() || present.contains(&entry.file_name()) {
            continue;
        }
        let dest = to.join(entry.file_name());
        std::fs::copy(&path, &dest).map_err(|e| io(&dest, e))?;
        copied += 1;
    }
    Ok(copied)
}
