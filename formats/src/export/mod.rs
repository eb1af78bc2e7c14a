//! `unilock export`: a [`Lock`] → the files of one ecosystem, as text (the CLI writes them).
//!
//! [`export`] picks the targets of the lock the request names (or the lock's only one), checks
//! that the format can hold what the lock has there, and writes every file before any is
//! written, so a refusal leaves nothing half-done. One file per format family:
//!
//! - [`python`]: `requirements` and `pylock` (one target, several through environment
//!   markers, or one file per target) and `pyproject` (the direct requirements pinned into an
//!   existing pyproject.toml);
//! - [`uv`]: `uv-lock`, a uv.lock with the pyproject.toml it belongs to;
//! - [`conda`]: `conda-explicit`, `conda-env`, `conda-lock`, `pixi-lock`;
//! - [`nix`]: a `flake.nix` dev shell and its `flake.lock`.
//!
//! Formats that carry comments start with a [`Header`] naming the lock, the targets and the
//! command that regenerates the file, and annotate each pin with what requires it (`# via`),
//! as pip-compile and uv do. The formats and their naming are documented in `docs/export.md`.

mod conda;
mod marker;
mod nix;
mod python;
mod uv;

use crate::Format;
use crate::nix_export::NixOptions;
use std::collections::BTreeSet;
use unilock_model::lock::{LockedPackage, LockedTarget};
use unilock_model::{Diagnostic, Lock};

/// What to export, and how.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub to: Format,
    /// Canonical target names of the lock. Empty: the lock's only target (formats that hold
    /// several platforms — `pyproject`, `uv-lock`, `conda-lock`, `pixi-lock` — take every
    /// target).
    pub targets: Vec<String>,
    /// One file per target of the lock (`requirements-linux-arm64.txt`, …).
    pub all_targets: bool,
    /// `None`: no header (`--no-header`).
    pub header: Option<Header>,
    /// Annotate each pin with what requires it (`# via numpy`); `--no-annotate` turns it off.
    pub annotate: bool,
    /// Write each PyPI pin's hashes (`--hash=sha256:…`); `--no-hashes` leaves them out of
    /// requirements files and conda-env pip sections. pylock.toml keeps them: PEP 751
    /// requires them (as `uv export --format pylock.toml --no-hashes` keeps them).
    pub hashes: bool,
    /// The lock as the user named it, for messages.
    pub lock_name: String,
    /// The current text of the file an export edits in place (`pyproject`: the `-o`
    /// pyproject.toml); `None` when it does not exist.
    pub existing: Option<String>,
    /// Where the flake of `--to nix` takes nixpkgs from.
    pub nix: NixOptions,
}

impl ExportRequest {
    /// A request for `to` from the lock named `lock_name`: its only target, annotated, without
    /// a header.
    pub fn new(to: Format, lock_name: &str) -> ExportRequest {
        ExportRequest {
            to,
            targets: Vec::new(),
            all_targets: false,
            header: None,
            annotate: true,
            hashes: true,
            lock_name: lock_name.to_string(),
            existing: None,
            nix: NixOptions::default(),
        }
    }
}

/// The header of an exported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The lock, as the user named it.
    pub lock_path: String,
    /// The command that writes the file again.
    pub command: String,
}

/// What an export produced.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exported {
    pub files: Vec<ExportedFile>,
    /// What the user should know (packages left out, …).
    pub warnings: Vec<String>,
}

/// One file of an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedFile {
    /// The file name, for exports of several files (written into the `-o` directory); `None`:
    /// the one file, written to the `-o` path or standard output.
    pub name: Option<String>,
    pub text: String,
}

impl Exported {
    fn one(text: String, warnings: Vec<String>) -> Exported {
        Exported {
            files: vec![ExportedFile { name: None, text }],
            warnings,
        }
    }
}

/// Exports `lock` as `request` asks.
pub fn export(lock: &Lock, request: &ExportRequest) -> Result<Exported, Diagnostic> {
    let multi_platform = matches!(
        request.to,
        Format::Pyproject | Format::UvLock | Format::CondaLock | Format::PixiLock
    );
    if !matches!(
        request.to,
        Format::Requirements
            | Format::Pylock
            | Format::Pyproject
            | Format::UvLock
            | Format::CondaExplicit
            | Format::CondaEnv
            | Format::CondaLock
            | Format::PixiLock
            | Format::Nix
    ) {
        return Err(
            Diagnostic::usage(format!("unilock does not export to {}", request.to)).expected(
                "one of requirements, pylock, pyproject, uv-lock, conda-explicit, conda-env, conda-lock, pixi-lock, nix",
            ),
        );
    }
    let targets = select_targets(lock, request, multi_platform)?;
    if request.all_targets && !multi_platform && request.to != Format::Nix {
        return per_target(lock, request, &targets);
    }
    let cx = Cx {
        lock,
        request,
        targets,
    };
    match request.to {
        Format::Requirements => python::requirements(&cx),
        Format::Pylock => python::pylock(&cx),
        Format::Pyproject => python::pyproject(&cx),
        Format::UvLock => uv::uv_lock(&cx),
        Format::CondaExplicit | Format::CondaEnv => conda::one_platform(&cx),
        Format::CondaLock | Format::PixiLock => conda::multi_platform(&cx),
        Format::Nix => nix::flake(&cx),
        other => Err(Diagnostic::usage(format!(
            "unilock does not export to {other}"
        ))),
    }
}

/// `--all-targets` of a one-platform format: one file per target, named by its slug.
fn per_target(
    lock: &Lock,
    request: &ExportRequest,
    targets: &[&LockedTarget],
) -> Result<Exported, Diagnostic> {
    let slugs = slugs(targets)?;
    let mut all = Exported::default();
    for (target, slug) in targets.iter().zip(&slugs) {
        let cx = Cx {
            lock,
            request,
            targets: vec![*target],
        };
        let one = match request.to {
            Format::Requirements => python::requirements(&cx),
            Format::Pylock => python::pylock(&cx),
            _ => conda::one_platform(&cx),
        }?;
        let name = match request.to {
            Format::Requirements => format!("requirements-{slug}.txt"),
            Format::Pylock => format!("pylock.{slug}.toml"),
            Format::CondaExplicit => format!("conda-{slug}.lock"),
            _ => format!("environment-{slug}.yml"),
        };
        for file in one.files {
            all.files.push(ExportedFile {
                name: Some(name.clone()),
                text: file.text,
            });
        }
        all.warnings.extend(
            one.warnings
                .into_iter()
                .map(|w| format!("{}: {w}", target.name)),
        );
    }
    Ok(all)
}

/// The targets of `lock` that `request` names, in the lock's order.
fn select_targets<'l>(
    lock: &'l Lock,
    request: &ExportRequest,
    multi_platform: bool,
) -> Result<Vec<&'l LockedTarget>, Diagnostic> {
    let names = || {
        lock.targets
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if lock.targets.is_empty() {
        return Err(Diagnostic::usage(format!(
            "{}: the lock has no target, so there is nothing to export",
            request.lock_name
        )));
    }
    if request.all_targets && !request.targets.is_empty() {
        return Err(Diagnostic::usage(
            "--all-targets exports every target of the lock; leave out --target, or leave out --all-targets",
        ));
    }
    if request.targets.is_empty() {
        if request.all_targets || multi_platform || lock.targets.len() == 1 {
            return Ok(lock.targets.iter().collect());
        }
        return Err(Diagnostic::usage(format!(
            "{}: the lock has {} targets; choose with --target (repeatable) or --all-targets: {}",
            request.lock_name,
            lock.targets.len(),
            names()
        )));
    }
    let mut chosen = Vec::new();
    for name in &request.targets {
        let Some(t) = lock.targets.iter().find(|t| &t.name == name) else {
            return Err(Diagnostic::usage(format!(
                "{}: no target `{name}` in the lock; it has: {}",
                request.lock_name,
                names()
            ))
            .note("resolve the lock for it with `unilock resolve … --target` first"));
        };
        chosen.push(t);
    }
    Ok(lock
        .targets
        .iter()
        .filter(|t| chosen.iter().any(|c| c.name == t.name))
        .collect())
}

/// What every format's writer works from.
struct Cx<'a> {
    lock: &'a Lock,
    request: &'a ExportRequest,
    /// The targets exported, in the lock's order.
    targets: Vec<&'a LockedTarget>,
}

impl Cx<'_> {
    fn target_names(&self) -> Vec<String> {
        self.targets.iter().map(|t| t.name.clone()).collect()
    }

    /// The header as `#` comment lines (with a blank line after), or nothing.
    fn header(&self) -> String {
        let Some(h) = &self.request.header else {
            return String::new();
        };
        let names = self.target_names();
        let what = if names.len() == 1 {
            format!("target {}", names[0])
        } else {
            format!("targets {}", names.join(", "))
        };
        let mut out = format!(
            "# This file was written by unilock from {} for {what}.\n",
            h.lock_path
        );
        out.push_str("# Do not edit it by hand; write it again with:\n");
        out.push_str(&format!("#    {}\n", h.command));
        out
    }

    /// The package of the lock a pin of `target` stands for.
    fn locked(&self, name: &str, version: Option<&str>, target: &str) -> Option<&LockedPackage> {
        self.lock.packages.iter().find(|p| {
            p.name == name
                && Some(p.version.as_str()) == version
                && p.targets.iter().any(|t| t == target)
        })
    }
}

/// Why a pin is there, as pip-compile and uv annotate it: `-r FILE` for a requirement of an
/// input file, the name of a dependent package that is itself among `present`.
fn via(requested_by: &BTreeSet<String>, present: &BTreeSet<String>) -> Vec<String> {
    let mut out = BTreeSet::new();
    for r in requested_by {
        if let Some(name) = r.strip_prefix("pypi:") {
            if present.contains(name) {
                out.insert(name.to_string());
            }
        } else if let Some(name) = r.strip_prefix("conda:") {
            out.insert(format!("{name} (conda)"));
        } else {
            out.insert(format!("-r {}", input_file(r)));
        }
    }
    // Input files first, as pip-compile lists them.
    let (files, packages): (Vec<String>, Vec<String>) =
        out.into_iter().partition(|v| v.starts_with("-r "));
    files.into_iter().chain(packages).collect()
}

/// The file of an input origin `FILE:LINE:COL` (or `FILE:LINE`), without the position.
fn input_file(origin: &str) -> &str {
    let mut file = origin;
    for _ in 0..2 {
        match file.rsplit_once(':') {
            Some((head, tail)) if !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit()) => {
                file = head;
            }
            _ => break,
        }
    }
    file
}

/// `# via …` comment lines, indented as pip-compile writes them under a pin.
fn via_lines(via: &[String], indent: &str) -> String {
    match via {
        [] => String::new(),
        [one] => format!("{indent}# via {one}\n"),
        many => {
            let mut out = format!("{indent}# via\n");
            for v in many {
                out.push_str(&format!("{indent}#   {v}\n"));
            }
            out
        }
    }
}

/// The file-name slug of each target (`linux-arm64`: the Docker platform with `-`, which
/// `docker buildx` names `TARGETOS-TARGETARCH`; the conda subdir where Docker has no name).
/// Targets whose slugs would be the same add their Python (`linux-amd64-py3.12`), then their
/// whole name.
pub fn slugs(targets: &[&LockedTarget]) -> Result<Vec<String>, Diagnostic> {
    let base: Vec<String> = targets
        .iter()
        .map(|t| {
            let parsed = marker::parse_target(t)?;
            Ok(parsed
                .platform
                .docker()
                .map_or_else(|| t.conda_subdir.clone(), |d| d.replace('/', "-")))
        })
        .collect::<Result<_, Diagnostic>>()?;
    let mut out = Vec::new();
    for (i, t) in targets.iter().enumerate() {
        let mut slug = base[i].clone();
        if base.iter().filter(|b| **b == base[i]).count() > 1 {
            slug = format!("{slug}-py{}", t.python);
            let same_python = targets
                .iter()
                .zip(&base)
                .filter(|(o, b)| **b == base[i] && o.python == t.python)
                .count();
            if same_python > 1 {
                slug = t
                    .name
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                            c
                        } else {
                            '-'
                        }
                    })
                    .collect();
            }
        }
        out.push(slug);
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
