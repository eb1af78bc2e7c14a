//! A unilock lock as a Nix flake: a `flake.nix` dev shell and its `flake.lock`.

use unilock_model::{Diagnostic, Lock};

/// Where the flake's nixpkgs comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NixOptions {
    /// The nixpkgs revision to pin (`--nixpkgs-rev`).
    pub nixpkgs_rev: Option<String>,
    /// The text of a flake.lock whose nixpkgs node is taken (`--nixpkgs-from`).
    pub input_flake_lock: Option<String>,
}

/// The flake of one target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NixExport {
    pub flake_nix: String,
    pub flake_lock: String,
    /// What the user should know (packages that needed FHS wiring, and why).
    pub notes: Vec<String>,
}

/// The flake of `target` (a canonical target name of `lock`).
pub fn from_lock(lock: &Lock, target: &str, options: &NixOptions) -> Result<NixExport, Diagnostic> {
    let _ = (lock, target, options);
    Err(Diagnostic::usage("export to nix is not written yet"))
}
