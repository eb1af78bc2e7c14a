//! The Nix export (`unilock export --to nix`): a `flake.nix` dev shell and its `flake.lock`
//! for one target of a [`Lock`](unilock_model::Lock), written as text ([`from_lock`]); the CLI
//! writes the files. See `docs/nix-export.md` for what the shell does and why.
//!
//! This module owns the mapping of a lock onto Nix, in four parts:
//!
//! - [`pin`]: which nixpkgs the flake uses, and its flake.lock (written with
//!   [`crate::flake_lock::emit`], never by hand);
//! - [`tables`]: the conda → nixpkgs names (the nixpkgs column of `unilock_model::system_packages`) and the table of PyPI
//!   distributions whose wheels load system libraries at run time (`fhs.tsv`);
//! - [`plan`]: where each package of the target goes — nixpkgs, the uv-managed virtual
//!   environment (PyPI pins, and conda packages that are Python distributions, by the bridge
//!   [`unilock_model::conda_pypi::pypi_distributions`]), nowhere with a reason, or into the
//!   notes when unilock does not know — and which libraries prebuilt wheels need on
//!   `LD_LIBRARY_PATH`;
//! - [`flake`]: the flake.nix text.
//!
//! Only Linux and macOS targets have a Nix system (`x86_64-linux`, `aarch64-linux`,
//! `x86_64-darwin`, `aarch64-darwin`); any other target is refused with exit 2.

mod flake;
mod pin;
mod plan;
mod tables;
#[cfg(test)]
mod tests;

use unilock_model::lock::LockedTarget;
use unilock_model::{Diagnostic, Lock};

/// How to pin nixpkgs (one of the two is required; see [`pin`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NixOptions {
    /// `--nixpkgs-rev`: a nixpkgs commit (40 hexadecimal digits).
    pub nixpkgs_rev: Option<String>,
    /// `--nixpkgs-from`: the text of an input flake.lock to take the locked `nixpkgs` from.
    pub input_flake_lock: Option<String>,
}

/// The written flake and what its reader must know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NixExport {
    pub flake_nix: String,
    pub flake_lock: String,
    /// One line each: how nixpkgs is pinned, conda packages unilock could not place, packages
    /// that needed FHS wiring and why, source builds.
    pub notes: Vec<String>,
}

/// The flake of `lock`'s target `target` (its name in the lock, or a conda subdir that names
/// exactly one of its targets).
pub fn from_lock(lock: &Lock, target: &str, options: &NixOptions) -> Result<NixExport, Diagnostic> {
    let t = find_target(lock, target)?;
    let system = nix_system(t)?;
    let python = python_attribute(t)?;
    let pinned = pin::pin(options)?;
    let plan = plan::plan(lock, &t.name, system)?;
    let flake_nix = flake::write(&flake::Flake {
        target: &t.name,
        system,
        python: &python,
        nixpkgs: &pinned.original,
        plan: &plan,
    });
    let mut notes = vec![pinned.note];
    notes.extend(plan.notes);
    Ok(NixExport {
        flake_nix,
        flake_lock: pinned.flake_lock,
        notes,
    })
}

fn find_target<'l>(lock: &'l Lock, target: &str) -> Result<&'l LockedTarget, Diagnostic> {
    if let Some(t) = lock.targets.iter().find(|t| t.name == target) {
        return Ok(t);
    }
    let by_subdir: Vec<&LockedTarget> = lock
        .targets
        .iter()
        .filter(|t| t.conda_subdir == target)
        .collect();
    if let [t] = by_subdir.as_slice() {
        return Ok(t);
    }
    let names: Vec<&str> = lock.targets.iter().map(|t| t.name.as_str()).collect();
    Err(Diagnostic::usage(format!(
        "the lock has no target `{target}`{}",
        if by_subdir.len() > 1 {
            " (several of its targets have that platform)"
        } else {
            ""
        }
    ))
    .expected(if names.is_empty() {
        "a target of the lock; it has none".to_string()
    } else {
        format!("one of its targets: {}", names.join(", "))
    }))
}

/// The Nix system of a target, from its conda subdir.
fn nix_system(t: &LockedTarget) -> Result<&'static str, Diagnostic> {
    Ok(match t.conda_subdir.as_str() {
        "linux-64" => "x86_64-linux",
        "linux-aarch64" => "aarch64-linux",
        "osx-64" => "x86_64-darwin",
        "osx-arm64" => "aarch64-darwin",
        other => {
            return Err(Diagnostic::usage(format!(
                "target `{}` ({other}) has no Nix system: Nix runs on Linux and macOS only",
                t.name
            ))
            .expected("a linux-64, linux-aarch64, osx-64 or osx-arm64 target")
            .note("export this target with `--to requirements` or `--to conda-env` instead"));
        }
    })
}

/// The nixpkgs attribute of the target's Python: `python312`, or `python313FreeThreading`
/// for a free-threaded `3.13t`.
fn python_attribute(t: &LockedTarget) -> Result<String, Diagnostic> {
    let (version, free_threaded) = match t.python.strip_suffix('t') {
        Some(v) => (v, true),
        None => (t.python.as_str(), false),
    };
    let mut parts = version.split('.');
    let (major, minor) = (parts.next(), parts.next());
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match (major, minor) {
        (Some("3"), Some(minor)) if digits(minor) => Ok(format!(
            "python3{minor}{}",
            if free_threaded { "FreeThreading" } else { "" }
        )),
        _ => Err(Diagnostic::invalid(format!(
            "target `{}` runs Python `{}`, which nixpkgs does not package",
            t.name, t.python
        ))
        .expected("a Python 3 version such as `3.12`")),
    }
}
