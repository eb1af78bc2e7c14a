//! Choosing a format for a file and going from any format to any other where no solving is
//! needed. The per-format modules do the work; this module only routes.

use crate::{Format, requirements};
use std::path::Path;
use unilock_model::{Diagnostic, Document, Target};

/// Guesses a file's format from its name, then from its content.
pub fn detect(path: &Path, text: &str) -> Option<Format> {
    if let Some(format) = Format::from_file_name(path) {
        return Some(format);
    }
    let head: String = text.lines().take(40).collect::<Vec<_>>().join("\n");
    if head.contains("lock-version") {
        Some(Format::Pylock)
    } else if head.contains("[[package]]") && head.contains("version = 1") {
        Some(Format::UvLock)
    } else if head.contains("[project]")
        || head.contains("[build-system]")
        || head.contains("[tool.")
    {
        Some(Format::Pyproject)
    } else if head.contains("@EXPLICIT") {
        Some(Format::CondaExplicit)
    } else if head.contains("\"nodes\"") && head.contains("\"root\"") {
        Some(Format::FlakeLock)
    } else if head
        .lines()
        .any(|l| l.starts_with("dependencies:") || l.starts_with("channels:"))
    {
        Some(Format::CondaEnv)
    } else {
        None
    }
}

fn not_yet(format: Format) -> Diagnostic {
    Diagnostic::usage(format!(
        "reading {format} files is not supported by this build of unilock yet"
    ))
}

/// Reads a file of `format` into the unified model.
pub fn read(
    format: Format,
    path: &Path,
    text: &str,
    ctx: &requirements::Context,
) -> Result<Document, Diagnostic> {
    match format {
        Format::Requirements => requirements::parse(path, text, ctx),
        other => Err(not_yet(other)),
    }
}

/// Converts a file of `from` into `to` without solving. `target` restricts a lock to the
/// packages installed on that target; without it, markers are kept so the output serves every
/// target the input did.
pub fn convert(
    from: Format,
    to: Format,
    path: &Path,
    text: &str,
    target: Option<&Target>,
    ctx: &requirements::Context,
) -> Result<String, Diagnostic> {
    let _ = target;
    match (from, to) {
        (Format::Requirements, Format::Requirements) => requirements::emit(&requirements::parse(path, text, ctx)?),
        (Format::Requirements | Format::Pyproject, Format::UvLock | Format::Pylock | Format::CondaLock | Format::PixiLock) => {
            Err(Diagnostic::usage(format!("{} pins nothing, so it cannot become a {to} without resolving", path.display()))
                .note(format!("resolve it instead: `unilock resolve {} --target TARGET`", path.display())))
        }
        (from, to) if from == to => Err(not_yet(from)),
        (from, to) => Err(Diagnostic::usage(format!("converting {from} to {to} is not supported"))
            .note("supported without solving: any format to itself; uv-lock to requirements or pylock; pylock to requirements")),
    }
}
