//! The shared vocabulary of unilock.
//!
//! This crate owns the types every other part of unilock speaks in:
//!
//! - [`Ecosystem`], [`PackageName`] — PyPI names (PEP 503 normalised) and conda names;
//! - [`Version`] — PEP 440 versions and conda versions, each ordered by its own rules;
//! - [`Requirement`] — PEP 508 requirements (markers, extras, URLs) and conda MatchSpecs
//!   (`channel::name`, version and build globs);
//! - [`Manifest`] — the requirements read from input files, each with its [`Origin`] and,
//!   for platform-specific ones, its [`platform_selector::PlatformSelector`];
//! - [`Document`] — the unified model of one dependency file: manifest, indexes, channels,
//!   options, pins (PyPI and conda, per platform and environment) and Nix flake inputs;
//! - [`Target`] — the platform a lock is for, and everything derived from it: the PEP 508
//!   marker environment, the ordered wheel tags and the conda virtual packages;
//! - [`index`] — what a Python package index says about a project, and the
//!   [`PackageSource`](index::PackageSource) trait the solver reads it through;
//! - [`hash`] — which hash algorithms are known and what a valid digest of each is;
//! - [`channel`] — what a conda channel says about a package (rattler's `RepoDataRecord`),
//!   and the [`CondaSource`](channel::CondaSource) trait the solver reads channels through;
//! - [`Lock`] — the multi-target `unilock.lock`, what it was made from ([`lock_inputs`]) and
//!   how two locks differ ([`lock_diff`]);
//! - [`system_packages`] — what to install instead of a conda package that is no Python
//!   distribution, per Linux distribution and in nixpkgs;
//! - [`Diagnostic`] — the one error type, which points into the input that caused it, and
//!   [`safe_text`], which makes quoted file and server text safe to print.
//!
//! It must not do I/O: no files, no network, no environment variables. Callers pass in
//! whatever the outside world says (for example the `CONDA_OVERRIDE_*` variables, through
//! [`target::Environment`]).

pub mod channel;
pub mod conda;
pub mod conda_pypi;
pub mod diagnostic;
pub mod document;
pub mod ecosystem;
pub mod hash;
pub mod index;
pub mod lock;
pub mod lock_diff;
pub mod lock_inputs;
pub mod manifest;
pub mod name;
pub mod nix;
pub mod platform_selector;
pub mod requirement;
pub mod safe_text;
pub mod system_packages;
pub mod target;
pub mod version;

pub use diagnostic::{Diagnostic, ErrorKind, LineIndex, Origin, Span};
pub use document::Document;
pub use ecosystem::Ecosystem;
pub use lock::Lock;
pub use manifest::Manifest;

pub use name::PackageName;
pub use requirement::Requirement;
pub use target::Target;
pub use version::Version;
