//! What the commands write: output files, atomically (a temporary file in the destination's
//! directory, then a rename), so a failed run never leaves a half-written file and never touches
//! the previous one; and warnings and notes on stderr, made safe to print
//! ([`unilock_model::safe_text`]: control characters escaped, URL passwords masked), since
//! they quote files and servers.

use std::io::Write;
use std::path::{Path, PathBuf};
use unilock_model::Diagnostic;
use unilock_model::safe_text::safe;

/// The prefix and suffix of our temporary files beside outputs (`.unilock-XXXXXX.tmp`).
const TEMP_PREFIX: &str = ".unilock-";
const TEMP_SUFFIX: &str = ".tmp";

/// A temporary file of ours older than this was left by a run that was killed; a run still
/// writing has a fresh one.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// Writes `text` to `path`, replacing it atomically.
///
/// - A new file is created with the permissions the umask gives (as `>` in a shell would), so
///   a lock or export copied into an image with another user stays readable; a replaced file
///   keeps its permissions.
/// - Through a symbolic link, the file the link points to is replaced and the link stays.
/// - A path that is not a regular file (`/dev/null`, `/dev/stdout`, a pipe) is written to as
///   it is, since it cannot be replaced.
/// - Temporary files of ours left beside the destination by a run that was killed are removed.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), Diagnostic> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        Diagnostic::usage(format!("cannot {what} {}: {e}", path.display()))
    };
    let path = &follow_links(path).map_err(|e| fail("follow the link", &e))?;
    let existing = std::fs::metadata(path).ok();
    if let Some(m) = &existing
        && !m.is_file()
    {
        if m.is_dir() {
            return Err(fail("write", &"it is a directory"));
        }
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|e| fail("open", &e))?;
        return out
            .write_all(text.as_bytes())
            .map_err(|e| fail("write", &e));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    remove_stale_temporaries(dir);
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    let permissions = match &existing {
        Some(m) => Some(m.permissions()),
        None => new_file_permissions(),
    };
    if let Some(p) = &permissions {
        builder.permissions(p.clone());
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| fail("create a temporary file beside", &e))?;
    tmp.write_all(text.as_bytes())
        .map_err(|e| fail("write", &e))?;
    if let (Some(_), Some(p)) = (&existing, permissions) {
        // Created under the umask; a replaced file keeps exactly the mode it had.
        tmp.as_file()
            .set_permissions(p)
            .map_err(|e| fail("write", &e))?;
    }
    tmp.as_file().sync_all().map_err(|e| fail("write", &e))?;
    tmp.persist(path).map_err(|e| fail("replace", &e.error))?;
    Ok(())
}

/// What `path` names once symbolic links are followed (the link's target may not exist yet).
fn follow_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&path)?;
                path = match path.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// The permissions a new file asks for (the umask narrows them when it is created); `None`
/// where the platform has no modes and a temporary file already gets the usual ones.
fn new_file_permissions() -> Option<std::fs::Permissions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o666))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Removes our temporary files in `dir` (`.unilock-XXXXXX` with or without `.tmp`) that are
/// older than [`STALE_AFTER`]; anything else, and anything that cannot be read, is left alone.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !is_our_temporary(name) {
            continue;
        }
        let stale = entry
            .metadata()
            .ok()
            .filter(std::fs::Metadata::is_file)
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// `.unilock-` then six letters or digits (tempfile's random part), then nothing or `.tmp`.
fn is_our_temporary(name: &str) -> bool {
    let Some(rest) = name.strip_prefix(TEMP_PREFIX) else {
        return false;
    };
    let random = rest.strip_suffix(TEMP_SUFFIX).unwrap_or(rest);
    random.len() == 6 && random.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Prints `warning: …` on stderr.
pub fn warn(text: impl std::fmt::Display) {
    eprintln!("warning: {}", safe(&text.to_string()));
}

/// Prints `note: …` on stderr.
pub fn note(text: impl std::fmt::Display) {
    eprintln!("note: {}", safe(&text.to_string()));
}
