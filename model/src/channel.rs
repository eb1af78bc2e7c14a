//! What a conda channel says about a package, and the [`CondaSource`] trait the solver reads
//! channels through (the conda counterpart of [`PackageSource`](crate::index::PackageSource)).
//!
//! A record is rattler's [`RepoDataRecord`] — the repodata `PackageRecord` plus its archive
//! file name, URL and channel — so the solver, the lock and the formats share one conda record
//! shape and its MatchSpec matching. [`ChannelRecord`] adds the rank of the channel it came
//! from in the configured channel order, which the solver prefers by.
//!
//! No I/O here: `registries` implements the trait over `file://` and HTTP channels.

use crate::Diagnostic;
use std::sync::Arc;

pub use rattler_conda_types::RepoDataRecord;

/// One build of a package in a channel, for one subdir (the target's own, or `noarch`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelRecord {
    /// The position of its channel in the configured order, 0 first (higher priority).
    pub channel_rank: u32,
    pub record: RepoDataRecord,
}

/// How the channels of a run share a package name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ChannelPriority {
    /// The first channel (in the configured order) that has a name is the only one its builds
    /// come from, as conda's and pixi's default `strict` priority.
    #[default]
    Strict,
    /// Every channel's builds are candidates; the solver prefers the higher channel only
    /// after version and build number.
    Flexible,
}

/// Where conda records come from: the configured channels, in priority order.
pub trait CondaSource: Send + Sync {
    /// The builds of the package `name` (a normalised conda name) usable on `subdir`: those of
    /// `subdir` and of `noarch`, from the configured channels with the channel priority
    /// applied. Empty when no channel has the name. Records a channel lists but that cannot
    /// be read are left out (and reported through [`CondaSource::warnings`]).
    fn records(&self, subdir: &str, name: &str) -> Result<Arc<Vec<ChannelRecord>>, Diagnostic>;

    /// The builds of `name` in the one channel `channel` (as a `channel::name` MatchSpec
    /// names it: a channel name or URL), whatever the priority; an error when `channel` is
    /// not one the run can read.
    fn records_in(
        &self,
        channel: &str,
        subdir: &str,
        name: &str,
    ) -> Result<Arc<Vec<ChannelRecord>>, Diagnostic>;

    /// Reads ahead the records of `names` on `subdir` that the solve is about to ask for
    /// (the dependencies of a build it chose), together where that saves round trips (the
    /// shards of a sharded channel); nothing is reported here — the later [`records`] call
    /// answers, or fails, as it would have.
    ///
    /// [`records`]: CondaSource::records
    fn prefetch(&self, _subdir: &str, _names: &[&str]) {}
    /// The short names of the configured channels, in priority order: `conda-forge`, or the
    /// last path segment of a channel given by URL (as the records' `channel` ends).
    fn channel_names(&self) -> Vec<String> {
        Vec::new()
    }
    /// What the user should know about the channels read so far (records skipped, …).
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
}

/// No channels: the conda side of a run that has no conda specs (a PyPI-only `--consistent`
/// solve runs on the joint solver).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoChannels;

impl CondaSource for NoChannels {
    fn records(&self, _subdir: &str, _name: &str) -> Result<Arc<Vec<ChannelRecord>>, Diagnostic> {
        Ok(Arc::default())
    }

    fn records_in(
        &self,
        channel: &str,
        _subdir: &str,
        name: &str,
    ) -> Result<Arc<Vec<ChannelRecord>>, Diagnostic> {
        Err(Diagnostic::usage(format!(
            "{channel}::{name} asks for channel {channel}, and no channel is configured"
        )))
    }
}
