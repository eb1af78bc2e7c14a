//! Dependency file formats: one module per format, each with a parser that returns the unified
//! model ([`unilock_model::Document`]) or a [`Diagnostic`](unilock_model::Diagnostic) naming
//! file, line and column, and an emitter that writes the model back.
//!
//! This crate owns file syntax and nothing else: it never talks to the network, never resolves,
//! and never writes files (emitters return text; the CLI writes it atomically). Files a format
//! includes (`-r other.txt`) are read through a [`Loader`], so parsing can run on memory alone.

pub mod conda_env;
pub mod conda_explicit;
pub mod conda_lock;
mod conda_pins;
pub mod dispatch;
pub mod export;
pub mod flake_lock;
pub mod loader;
pub mod nix_export;
pub mod pixi_lock;
pub mod pixi_manifest;
pub mod pylock;
pub mod pyproject;
pub mod requirements;
pub mod select;
pub mod uv_lock;
mod yaml;

pub use loader::{FsLoader, Loader, MemoryLoader};

use std::fmt;
use std::path::Path;

/// A dependency file format unilock reads or writes. The names are the `--to`/`--format`
/// values of the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Requirements,
    Pyproject,
    UvLock,
    Pylock,
    CondaEnv,
    CondaExplicit,
    CondaLock,
    PixiLock,
    /// pixi's manifest (`pixi.toml`): read by `show` and `resolve`, never written.
    PixiToml,
    FlakeLock,
    /// unilock's own multi-target lock (`model/src/lock.rs`): shown, and exported with
    /// `unilock export`.
    UnilockLock,
    /// A Nix flake (`flake.nix` and its `flake.lock`): written by `unilock export`, never read.
    Nix,
}

impl Format {
    /// Every format, in the order the CLI documents them.
    pub const ALL: [Format; 12] = [
        Format::Requirements,
        Format::Pyproject,
        Format::UvLock,
        Format::Pylock,
        Format::CondaEnv,
        Format::CondaExplicit,
        Format::CondaLock,
        Format::PixiLock,
        Format::PixiToml,
        Format::FlakeLock,
        Format::UnilockLock,
        Format::Nix,
    ];

    /// The CLI name (`uv-lock`, `conda-env`, …).
    pub fn name(self) -> &'static str {
        match self {
            Format::Requirements => "requirements",
            Format::Pyproject => "pyproject",
            Format::UvLock => "uv-lock",
            Format::Pylock => "pylock",
            Format::CondaEnv => "conda-env",
            Format::CondaExplicit => "conda-explicit",
            Format::CondaLock => "conda-lock",
            Format::PixiLock => "pixi-lock",
            Format::PixiToml => "pixi-toml",
            Format::FlakeLock => "flake-lock",
            Format::UnilockLock => "unilock-lock",
            Format::Nix => "nix",
        }
    }

    /// Looks a format up by its CLI name.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Guesses the format from a file name alone, the way the owning tools name their files.
    pub fn from_file_name(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?.to_ascii_lowercase();
        Some(match name.as_str() {
            "pyproject.toml" => Format::Pyproject,
            "uv.lock" => Format::UvLock,
            "pylock.toml" => Format::Pylock,
            "pixi.lock" => Format::PixiLock,
            "pixi.toml" => Format::PixiToml,
            "flake.lock" | "devenv.lock" => Format::FlakeLock,
            "unilock.lock" => Format::UnilockLock,
            "conda-lock.yml" | "conda-lock.yaml" => Format::CondaLock,
            _ if name.starts_with("pylock.") && name.ends_with(".toml") => Format::Pylock,
            _ if name.ends_with("pixi.lock") => Format::PixiLock,
            _ if name.ends_with("pixi.toml") => Format::PixiToml,
            // CEP 37: the name contains `conda-lock` and ends in `.yml` or `.yaml`.
            _ if name.contains("conda-lock")
                && (name.ends_with(".yml") || name.ends_with(".yaml")) =>
            {
                Format::CondaLock
            }
            _ if name.ends_with(".yml") || name.ends_with(".yaml") => Format::CondaEnv,
            _ if name.ends_with(".lock") && name.contains("conda") => Format::CondaExplicit,
            _ if name.ends_with(".txt") || name.ends_with(".in") => Format::Requirements,
            _ => return None,
        })
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in Format::ALL {
            assert_eq!(Format::from_name(f.name()), Some(f));
        }
    }

    #[test]
    fn file_names_map_to_formats() {
        let cases = [
            ("requirements-dev.txt", Format::Requirements),
            ("uv.lock", Format::UvLock),
            ("pylock.dev.toml", Format::Pylock),
            ("environment.yml", Format::CondaEnv),
            ("conda-lock.yml", Format::CondaLock),
            ("env.conda-lock.yml", Format::CondaLock),
            ("prod-conda-lock.yaml", Format::CondaLock),
            ("conda-linux-64.lock", Format::CondaExplicit),
            ("devenv.lock", Format::FlakeLock),
            ("unilock.lock", Format::UnilockLock),
            ("conda__rattler__pixi.lock", Format::PixiLock),
            ("pixi.toml", Format::PixiToml),
            ("conda__rattler__pixi.toml", Format::PixiToml),
        ];
        for (name, format) in cases {
            assert_eq!(
                Format::from_file_name(Path::new(name)),
                Some(format),
                "{name}"
            );
        }
    }
}
