//! Choosing a format for a file and going from any format to any other where no solving is
//! needed. The per-format modules do the work; this module only routes.

use crate::{
    Format, conda_env, conda_explicit, conda_lock, flake_lock, pixi_lock, pixi_manifest, pylock,
    pyproject, requirements, select, uv_lock,
};
use std::path::Path;
use unilock_model::{Diagnostic, Document, Target};

/// Guesses a file's format from its name, then from its content.
pub fn detect(path: &Path, text: &str) -> Option<Format> {
    // A line `@EXPLICIT` makes a file explicit (CEP 23), whatever its name (`conda list
    // --explicit > spec.txt` and `*.pin.txt` would otherwise look like requirements files).
    if text.lines().take(100).any(|l| l.trim() == "@EXPLICIT") {
        return Some(Format::CondaExplicit);
    }
    if let Some(format) = Format::from_file_name(path) {
        return Some(format);
    }
    if is_flake_lock(text) {
        return Some(Format::FlakeLock);
    }
    let head: String = text.lines().take(40).collect::<Vec<_>>().join("\n");
    let yaml_lock_version = text
        .lines()
        .find(|l| l.starts_with("version:"))
        .and_then(|l| l["version:".len()..].trim().parse::<u64>().ok());
    if is_unilock_lock(&head) {
        Some(Format::UnilockLock)
    } else if text.starts_with("version = 1\n") && text.contains("\n[[package]]\n") {
        Some(Format::UvLock)
    } else if head.contains("lock-version") {
        Some(Format::Pylock)
    } else if head.contains("[[package]]") && head.contains("version = 1") {
        Some(Format::UvLock)
    } else if is_pixi_manifest(&head) {
        Some(Format::PixiToml)
    } else if head.contains("[project]")
        || head.contains("[build-system]")
        || head.contains("[tool.")
    {
        Some(Format::Pyproject)
    } else if yaml_lock_version.is_some_and(|v| v >= 2)
        && (text.contains("\nenvironments:") || text.contains("\npackage:"))
    {
        Some(Format::PixiLock)
    } else if head.contains("\n  content_hash:") && text.contains("\npackage:") {
        Some(Format::CondaLock)
    } else if head.contains("@EXPLICIT") {
        Some(Format::CondaExplicit)
    } else if head
        .lines()
        .any(|l| l.starts_with("dependencies:") || l.starts_with("channels:"))
    {
        Some(Format::CondaEnv)
    } else {
        None
    }
}

/// A pixi.toml under another name: a `[workspace]` (or pixi's older `[project]`) table with
/// `channels` and `platforms`, which PEP 621's `[project]` does not have, and no `[tool.…]`
/// table (a pyproject.toml keeps pixi's tables under `[tool.pixi]`).
fn is_pixi_manifest(head: &str) -> bool {
    let starts = |prefix: &str| head.lines().any(|l| l.trim_start().starts_with(prefix));
    (starts("[workspace]") || starts("[project]"))
        && starts("channels")
        && starts("platforms")
        && !starts("[tool.")
}

/// unilock's lock under another name: its header comment, or `version` followed by
/// `[[target]]` tables with a `conda-subdir` (uv.lock has neither).
fn is_unilock_lock(head: &str) -> bool {
    head.starts_with("# This file is written by unilock")
        || head.lines().any(|l| l.starts_with("version = "))
            && head.lines().any(|l| l.trim_end() == "[[target]]")
            && head.lines().any(|l| l.starts_with("conda-subdir = "))
}

/// A JSON object with `nodes` and `root`: a flake.lock (or devenv.lock) under another name.
/// The keys are sorted, so `root` comes after every node; the whole text is looked at.
fn is_flake_lock(text: &str) -> bool {
    let body = text.trim_start_matches('\u{feff}').trim_start();
    body.starts_with('{') && text.contains("\"nodes\"") && text.contains("\"root\"")
}

/// Reads a file of `format` into the unified model.
pub fn read(
    format: Format,
    path: &Path,
    text: &str,
    ctx: &requirements::Context,
) -> Result<Document, Diagnostic> {
    read_with_warnings(format, path, text, ctx).map(|(doc, _)| doc)
}

/// Reads a file of `format` into the unified model, with what the user should know about the
/// file (duplicates, keys that are ignored), each warning starting with its location.
pub fn read_with_warnings(
    format: Format,
    path: &Path,
    text: &str,
    ctx: &requirements::Context,
) -> Result<(Document, Vec<String>), Diagnostic> {
    let name = path.display().to_string();
    let doc = match format {
        Format::FlakeLock => {
            let (lock, warnings) = flake_lock::parse_with_warnings(&name, text)?;
            let warnings = warnings
                .iter()
                .map(|w| format!("{}: {}", w.origin, w.message))
                .collect();
            return Ok((lock.to_document(), warnings));
        }
        Format::Requirements => requirements::parse(path, text, ctx)?,
        Format::UvLock => uv_lock::parse(&name, text)?.to_document(),
        Format::Pyproject => pyproject::parse(&name, text)?,
        Format::Pylock => pylock::parse(&name, text)?.to_document(),
        Format::CondaEnv => {
            let read = conda_env::parse(path, text, ctx)?;
            return Ok((read.document, read.warnings));
        }
        Format::CondaExplicit => conda_explicit::parse(&name, text)?.to_document(),
        Format::CondaLock => conda_lock::parse(&name, text)?.to_document(),
        Format::PixiLock => pixi_lock::parse(&name, text)?.to_document(),
        Format::PixiToml => pixi_manifest::parse(&name, text)?,
        Format::UnilockLock => {
            unilock_model::Lock::from_toml(text, &name)?.to_overview(format.name())
        }
        Format::Nix => {
            return Err(Diagnostic::usage(format!(
                "{name}: unilock writes Nix flakes (`unilock export --to nix`) but does not read flake.nix; it reads flake.lock (--format flake-lock)"
            )));
        }
    };
    Ok((doc, Vec::new()))
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
    /// Every workspace member, not only the project at the workspace root.
    pub all_packages: bool,
    /// For locks of several platforms (pixi.lock, conda-lock.yml): the conda platform to take;
    /// without it, the platform of `target`, else the lock's only platform.
    pub platform: Option<&'a str>,
    /// For locks of several environments: the environment to take (default `default`).
    pub environment: Option<&'a str>,
}

/// The packages of a uv.lock that `selection` installs.
fn export_uv_lock(path: &Path, text: &str, selection: &Selection) -> Result<Document, Diagnostic> {
    let lock = uv_lock::parse(&path.display().to_string(), text)?;
    let options = uv_lock::ExportOptions {
        extras: selection.extras.clone(),
        all_extras: selection.all_extras,
        groups: selection.groups.clone(),
        no_default_groups: selection.no_default_groups,
        all_packages: selection.all_packages,
        target: selection.target.map(Target::marker_environment),
    };
    Ok(uv_lock::export(&lock, &options))
}

/// The text of a converted file, and what the user should know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    pub text: String,
    pub warnings: Vec<String>,
}

/// Converts a file of `from` into `to` without solving.
pub fn convert(
    from: Format,
    to: Format,
    path: &Path,
    text: &str,
    selection: &Selection,
    ctx: &requirements::Context,
) -> Result<Converted, Diagnostic> {
    let mut warnings = Vec::new();
    let text = convert_text(from, to, path, text, selection, ctx, &mut warnings)?;
    Ok(Converted { text, warnings })
}

fn convert_text(
    from: Format,
    to: Format,
    path: &Path,
    text: &str,
    selection: &Selection,
    ctx: &requirements::Context,
    warnings: &mut Vec<String>,
) -> Result<String, Diagnostic> {
    match (from, to) {
        (Format::Requirements, Format::Requirements) => requirements::emit(&requirements::parse(path, text, ctx)?),
        (Format::Pyproject, Format::Pyproject) => {
            let name = path.display().to_string();
            pyproject::emit(text, &pyproject::parse(&name, text)?)
        }
        (Format::UvLock, Format::UvLock) => Ok(uv_lock::emit(&uv_lock::parse(&path.display().to_string(), text)?)),
        (Format::UvLock, Format::Requirements) => requirements::emit(&export_uv_lock(path, text, selection)?),
        (Format::UvLock, Format::Pylock) => {
            let mut doc = export_uv_lock(path, text, selection)?;
            // PEP 751 needs a file (or another source) for every package; a registry package
            // the lock has no files for cannot be installed from a pylock.toml.
            doc.packages.retain(|p| {
                let fileless = matches!(p.source, unilock_model::document::PinSource::Registry { .. }) && p.artifacts.is_empty();
                if fileless {
                    let version = p.version.as_deref().unwrap_or("?");
                    let marker = p.marker.as_ref().map_or(String::new(), |m| format!(" (installed when {m})"));
                    warnings.push(format!(
                        "{} {version}{marker} is left out: the lock records no file for it, and pylock.toml needs one",
                        p.name
                    ));
                }
                !fileless
            });
            hash_local_files(&mut doc, path, ctx, warnings);
            Ok(pylock::emit(&pylock::Pylock::from_document(&doc, "unilock")))
        }
        (Format::FlakeLock, Format::FlakeLock) => {
            let (lock, found) = flake_lock::parse_with_warnings(&path.display().to_string(), text)?;
            warnings.extend(found.iter().map(|w| format!("{}: {}", w.origin, w.message)));
            Ok(flake_lock::emit(&lock))
        }
        (Format::Pylock, Format::Pylock) => Ok(pylock::emit(&pylock::parse(&path.display().to_string(), text)?)),
        (Format::CondaLock, Format::CondaLock) => Ok(conda_lock::emit(&conda_lock::parse(&path.display().to_string(), text)?)),
        (Format::PixiLock, Format::PixiLock) => Ok(pixi_lock::emit(&pixi_lock::parse(&path.display().to_string(), text)?)),
        (Format::PixiLock | Format::CondaLock, Format::Requirements | Format::CondaExplicit | Format::CondaEnv) => {
            let name = path.display().to_string();
            let doc = if from == Format::PixiLock {
                pixi_lock::parse(&name, text)?.to_document()
            } else {
                conda_lock::parse(&name, text)?.to_document()
            };
            let (selected, platform) = select_environment(&doc, selection)?;
            match to {
                Format::Requirements => pypi_requirements(selected, &platform, selection, warnings),
                Format::CondaExplicit => {
                    let mut selected = selected;
                    conda_explicit::sort_for_install(&mut selected.packages);
                    let (file, found) = conda_explicit::ExplicitFile::from_document(&selected, Some(&platform))?;
                    warnings.extend(found);
                    Ok(conda_explicit::emit(&file))
                }
                _ => {
                    let pinned = conda_env::emit_pinned(&selected, Some(&platform))?;
                    warnings.extend(pinned.warnings);
                    Ok(pinned.text)
                }
            }
        }
        (Format::Pylock, Format::Requirements) => {
            let mut doc = pylock::parse(&path.display().to_string(), text)?.to_document();
            if let Some(target) = selection.target {
                retain_installed(&mut doc, target, &path.display().to_string())?;
            }
            requirements::emit(&doc)
        }
        (Format::CondaEnv, Format::CondaEnv) => {
            let read = conda_env::parse(path, text, ctx)?;
            warnings.extend(read.warnings);
            conda_env::emit(&read.document)
        }
        (Format::CondaExplicit, Format::CondaExplicit) => {
            Ok(conda_explicit::emit(&conda_explicit::parse(&path.display().to_string(), text)?))
        }
        (Format::CondaExplicit, Format::CondaEnv) => {
            let doc = conda_explicit::parse(&path.display().to_string(), text)?.to_document();
            let platform = selection.target.map(|t| t.platform.conda_subdir());
            let pinned = conda_env::emit_pinned(&doc, platform)?;
            warnings.extend(pinned.warnings);
            Ok(pinned.text)
        }
        (Format::UnilockLock, Format::UnilockLock) => Ok(unilock_model::Lock::from_toml(text, &path.display().to_string())?.to_toml()),
        (Format::UnilockLock, to) => {
            unilock_model::Lock::from_toml(text, &path.display().to_string())?;
            Err(Diagnostic::usage(format!("{} is a unilock.lock: it is exported, not converted", path.display()))
                .note(format!("write the {to} of one of its targets with `unilock export --lock {} --to {to} --target TARGET`", path.display())))
        }
        (Format::Requirements | Format::Pyproject | Format::CondaEnv | Format::PixiToml, Format::UvLock | Format::Pylock | Format::CondaLock | Format::PixiLock | Format::CondaExplicit | Format::UnilockLock) => {
            Err(Diagnostic::usage(format!("{} pins nothing, so it cannot become a {to} without resolving", path.display()))
                .note(format!("resolve it instead: `unilock resolve {} --target TARGET`", path.display())))
        }
        (from, to) => Err(Diagnostic::usage(format!("converting {from} to {to} is not supported"))
            .note("supported without solving: any format to itself; uv-lock to requirements or pylock; pylock to requirements; conda-explicit to conda-env; conda-lock and pixi-lock to requirements, conda-explicit or conda-env")),
    }
}

/// The packages one environment of a multi-platform lock installs on one platform (chosen by
/// `selection`), as a document of that platform, and the platform.
fn select_environment(
    doc: &Document,
    selection: &Selection,
) -> Result<(Document, String), Diagnostic> {
    let platform = select::choose_platform(doc, selection.platform, selection.target)?;
    let environment = selection.environment.unwrap_or(select::DEFAULT_ENVIRONMENT);
    Ok((select::select(doc, environment, &platform)?, platform))
}

/// The PyPI packages of one environment on one platform, as a pinned requirements file; the
/// conda packages are left out, with a warning saying how many.
fn pypi_requirements(
    mut selected: Document,
    platform: &str,
    selection: &Selection,
    warnings: &mut Vec<String>,
) -> Result<String, Diagnostic> {
    let environment = selection.environment.unwrap_or(select::DEFAULT_ENVIRONMENT);
    let before = selected.packages.len();
    selected
        .packages
        .retain(|p| p.ecosystem == unilock_model::Ecosystem::Pypi);
    let conda = before - selected.packages.len();
    selected
        .packages
        .sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    if conda > 0 {
        warnings.push(format!(
            "{conda} conda packages of environment `{environment}` on {platform} are left out: a requirements file holds PyPI packages only"
        ));
    }
    requirements::emit(&selected)
}

/// Keeps the packages a lock installs on `target` (their marker holds there) and drops the
/// markers, which the target has answered.
fn retain_installed(doc: &mut Document, target: &Target, file: &str) -> Result<(), Diagnostic> {
    let env = target.marker_environment();
    let mut kept = Vec::new();
    for mut package in std::mem::take(&mut doc.packages) {
        if let Some(marker) = &package.marker {
            let tree = unilock_model::requirement::parse_marker(marker).map_err(|e| {
                Diagnostic::invalid(format!(
                    "{file}: marker of {} cannot be evaluated: {e}",
                    package.name
                ))
            })?;
            if !tree.evaluate(&env, &[]) {
                continue;
            }
        }
        package.marker = None;
        kept.push(package);
    }
    doc.packages = kept;
    Ok(())
}

/// Fills in the sha256 of local files (relative to the input file) that the input records
/// without a hash — uv.lock does not hash find-links wheels, and PEP 751 needs a hash.
fn hash_local_files(
    doc: &mut Document,
    input: &Path,
    ctx: &requirements::Context,
    warnings: &mut Vec<String>,
) {
    let base = input.parent().unwrap_or(Path::new(""));
    for package in &mut doc.packages {
        for artifact in &mut package.artifacts {
            let Some(location) = artifact.url.as_deref() else {
                continue;
            };
            if !artifact.hashes.is_empty() || location.contains("://") {
                continue;
            }
            match ctx.hash_file.and_then(|hash| hash(&base.join(location))) {
                Some(hex) => {
                    artifact.hashes.insert("sha256".into(), hex);
                }
                None => warnings.push(format!(
                    "{location} ({} {}) has no hash and could not be read to compute one; pylock.toml readers will refuse it",
                    package.name,
                    package.version.as_deref().unwrap_or("")
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conda_lock_and_pixi_lock_are_recognised_by_content() {
        let conda_lock = "# generated\nversion: 1\nmetadata:\n  content_hash:\n    linux-64: ab\n  channels: []\npackage: []\n";
        let pixi = "version: 6\nenvironments:\n  default:\n    channels: []\n    packages: {}\npackages: []\n";
        let environment = "name: x\nchannels:\n- conda-forge\ndependencies:\n- numpy\n";
        assert_eq!(
            detect(Path::new("lock"), conda_lock),
            Some(Format::CondaLock)
        );
        assert_eq!(detect(Path::new("lock"), pixi), Some(Format::PixiLock));
        assert_eq!(
            detect(Path::new("lock"), environment),
            Some(Format::CondaEnv)
        );
    }

    #[test]
    fn a_pixi_manifest_is_told_from_a_pyproject_by_content() {
        let pixi =
            "[project]\nname = \"x\"\nchannels = [\"conda-forge\"]\nplatforms = [\"linux-64\"]\n";
        let pyproject = "[project]\nname = \"x\"\n[tool.pixi.workspace]\nchannels = [\"conda-forge\"]\nplatforms = [\"linux-64\"]\n";
        assert_eq!(
            detect(Path::new("manifest.toml"), pixi),
            Some(Format::PixiToml)
        );
        assert_eq!(
            detect(Path::new("manifest.toml"), pyproject),
            Some(Format::Pyproject)
        );
        assert_eq!(detect(Path::new("a/pixi.toml"), ""), Some(Format::PixiToml));
    }
}
