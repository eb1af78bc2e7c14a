//! What the commands write: output files, atomically (a temporary file in the destination's
//! directory, then a rename), so a failed run never leaves a half-written file and never touches
//! the previous one; and warnings and notes on stderr, made safe to print
//! ([`unilock_model::safe_text`]: control characters escaped, URL passwords masked), since
//! they quote files and servers.

use std::io::Write;
use std::path::Path;
use unilock_model::Diagnostic;
use unilock_model::safe_text::safe;

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

/// Prints `warning: …` on stderr.
pub fn warn(text: impl std::fmt::Display) {
    eprintln!("warning: {}", safe(&text.to_string()));
}

/// Prints `note: …` on stderr.
pub fn note(text: impl std::fmt::Display) {
    eprintln!("note: {}", safe(&text.to_string()));
}
