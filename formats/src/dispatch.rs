//! Choosing a format for a file and going from any format to any other where no solving is
//! needed. The per-format modules do the work; this module only routes.

use crate::{Format, pyproject, requirements, uv_lock};
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
        Format::UvLock => Ok(uv_lock::parse(&path.display().to_string(), text)?.to_document()),
        Format::Pyproject => pyproject::parse(&path.display().to_string(), text),
        other => Err(not_yet(other)),
    }
}

/// What to take from a lock when converting it.
#[derive(Debug, Clone, Default)]
pub struct Selection<'a> {
    /// Keep only what is installed on this target; without it, markers are kept so the output
    /// serves every target the input did.
    pub target: Option<&'a Target>,
    /// Extras of the project to include.
    pub extras: Vec<String>,
    pub all_extras: bool,
    /// Dependency groups to include besides the default ones.
    pub groups: Vec<String>,
    pub no_default_groups: bool,
}

/// The packages of a uv.lock that `selection` installs.
fn export_uv_lock(path: &Path, text: &str, selection: &Selection) -> Result<Document, Diagnostic> {
    let lock = uv_lock::parse(&path.display().to_string(), text)?;
    let options = uv_lock::ExportOptions {
        extras: selection.extras.clone(),
        all_extras: selection.all_extras,
        groups: selection.groups.clone(),
        no_default_groups: selection.no_default_groups,
        target: selection.target.map(Target::marker_environment),
    };
    Ok(uv_lock::export(&lock, &options))
}

/// Converts a file of `from` into `to` without solving.
pub fn convert(
    from: Format,
    to: Format,
    path: &Path,
    text: &str,
    selection: &Selection,
    ctx: &requirements::Context,
) -> Result<String, Diagnostic> {
    match (from, to) {
        (Format::Requirements, Format::Requirements) => requirements::emit(&requirements::parse(path, text, ctx)?),
        (Format::Pyproject, Format::Pyproject) => {
            let name = path.display().to_string();
            pyproject::emit(text, &pyproject::parse(&name, text)?)
        }
        (Format::UvLock, Format::UvLock) => Ok(uv_lock::emit(&uv_lock::parse(&path.display().to_string(), text)?)),
        (Format::UvLock, Format::Requirements) => requirements::emit(&export_uv_lock(path, text, selection)?),
        (Format::Requirements | Format::Pyproject, Format::UvLock | Format::Pylock | Format::CondaLock | Format::PixiLock) => {
            Err(Diagnostic::usage(format!("{} pins nothing, so it cannot become a {to} without resolving", path.display()))
                .note(format!("resolve it instead: `unilock resolve {} --target TARGET`", path.display())))
        }
        (from, to) if from == to => Err(not_yet(from)),
        (from, to) => Err(Diagnostic::usage(format!("converting {from} to {to} is not supported"))
            .note("supported without solving: any format to itself; uv-lock to requirements or pylock; pylock to requirements")),
    }
}
