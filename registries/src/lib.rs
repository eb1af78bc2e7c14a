//! Registries: where candidates and their metadata come from.
//!
//! This crate owns reading package indexes and presenting them to the solver through
//! [`PackageSource`](unilock_model::index::PackageSource): the simple repository API pages
//! ([`simple`]: PEP 691 JSON, PEP 503 HTML), core metadata ([`metadata`], from PEP 658 files,
//! wheels and static sdists via [`archive`], remote wheels via [`range_wheel`]; chosen members of remote wheels via [`wheel_members`]), local
//! `file://` indexes and find-links directories ([`local`]), HTTP(S) indexes ([`remote`]) over
//! the client in [`http`] with its on-disk [`cache`], the combined source of every configured
//! location ([`source`]), which files of a page are the project's ([`vet`]), files named by direct references ([`direct`]), Git repositories named by them ([`git`]: mirrors and checkouts in the cache) and the recording of what a resolution consulted as a `file://`
//! index ([`record`]), and conda channels ([`conda`]: the `CondaSource` over `file://`
//! channel directories). It will also own the conda↔PyPI name mapping. It must not parse user dependency files and must not decide versions.
//!
//! [`DEFAULT_INDEX_URL`] is the one place a registry host is named.

pub mod archive;
pub mod cache;
pub mod conda;
pub mod direct;
pub mod git;
pub mod http;
pub mod local;
pub mod metadata;
pub mod range_wheel;
pub mod record;
pub mod remote;
pub mod simple;
pub mod source;
#[cfg(any(test, feature = "test-server"))]
pub mod testing;
pub mod vet;
pub mod wheel_members;

/// The default Python package index, used when no `--index-url`, `PIP_INDEX_URL`,
/// `UV_INDEX_URL` or `UV_DEFAULT_INDEX` says otherwise. This constant is the only place in
/// unilock that names a registry host.
pub const DEFAULT_INDEX_URL: &str = "https://pypi.org/simple";
