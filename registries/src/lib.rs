//! Registries: where candidates and their metadata come from.
//!
//! This crate owns reading package indexes and presenting them to the solver through
//! [`PackageSource`](unilock_model::index::PackageSource): the simple repository API pages
//! ([`simple`]: PEP 691 JSON, PEP 503 HTML), core metadata ([`metadata`], from PEP 658 files,
//! wheels and static sdists via [`archive`]), and local `file://` indexes and find-links
//! directories ([`local`]). It will also own the HTTP client and its on-disk cache, the conda
//! channel client and the conda↔PyPI name mapping. It must not parse user dependency files
//! and must not decide versions.
//!
//! [`DEFAULT_INDEX_URL`] is the one place a registry host is named.

pub mod archive;
pub mod local;
pub mod metadata;
pub mod simple;

/// The default Python package index, used when no `--index-url`, `PIP_INDEX_URL`,
/// `UV_INDEX_URL` or `UV_DEFAULT_INDEX` says otherwise. This constant is the only place in
/// unilock that names a registry host.
pub const DEFAULT_INDEX_URL: &str = "https://pypi.org/simple";
