//! Writing output files: atomically (a temporary file in the destination's directory, then a
//! rename), so a failed run never leaves a half-written file and never touches the previous one.

use std::io::Write;
use std::path::Path;
use unilock_model::Diagnostic;

/// Writes `text` to `path`, replacing it atomically.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), Diagnostic> {
    let fail = |what: &str, e: &dyn std::fmt::Display| {
        Diagnostic::usage(format!("cannot {what} {}: {e}", path.display()))
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".unilock-")
        .tempfile_in(dir)
        .map_err(|e| fail("create a temporary file beside", &e))?;
    tmp.write_all(text.as_bytes())
        .map_err(|e| fail("write", &e))?;
    tmp.as_file().sync_all().map_err(|e| fail("write", &e))?;
    tmp.persist(path).map_err(|e| fail("replace", &e.error))?;
    Ok(())
}
