//! Registries: where candidates and their metadata come from.
//!
//! This crate will own the PyPI-compatible index client (PEP 691/503, PEP 658/714 metadata,
//! range reads), the conda channel client (`repodata.json`, sharded repodata), the on-disk HTTP
//! cache and offline mode, and the conda↔PyPI name mapping, all presented to the solver through
//! one trait. It must not parse user dependency files and must not decide versions.
//!
//! Today it holds the one place a registry host is named: [`DEFAULT_INDEX_URL`].

/// The default Python package index, used when no `--index-url`, `PIP_INDEX_URL`,
/// `UV_INDEX_URL` or `UV_DEFAULT_INDEX` says otherwise. This constant is the only place in
/// unilock that names a registry host.
pub const DEFAULT_INDEX_URL: &str = "https://pypi.org/simple";
