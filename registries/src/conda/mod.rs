//! The conda channel client: [`CondaChannels`], the [`CondaSource`] the solver reads conda
//! records through.
//!
//! - [`channel`]: which channels a run reads (names through a channel alias, URLs,
//!   directories) and reading a subdir's repodata file (plain, `.zst`, `.bz2`).
//! - [`remote`]: a channel served over HTTP(S), its repodata through the HTTP client and its
//!   cache ([`CondaChannels::with_client`]).
//! - [`repodata`]: one subdir's repodata indexed by name in one pass, each name's records
//!   parsed the first time it is asked for.
//! - [`shards`]: sharded repodata (CEP 16) of a remote channel: its shard index, and the shard
//!   of each name fetched the first time that name is asked for.
//!
//! For a subdir, every configured channel's `<subdir>/repodata*` and `noarch/repodata*` are
//! read the first time any name of that subdir is asked for (so a broken channel is reported
//! whatever names the solve reaches; the files of remote channels are fetched at once, the
//! requests running together); a remote channel that serves a shard index for a subdir is
//! read through it instead, and only the shards of the names asked for are fetched (a name's
//! shards of the subdir and of `noarch` together). A channel with neither is an error naming
//! it, a channel without `noarch` is fine. Channel priority: [`ChannelPriority::Strict`] takes a name's
//! builds from the first channel, in the configured order, that has a readable build of it
//! (from its subdir and its `noarch` both); [`ChannelPriority::Flexible`] takes every
//! channel's, each with its channel's rank.
//!
//! Errors: a channel given as a directory or `file://` URL that is not a directory, or a
//! channel name without an alias, is bad usage (exit 2); a channel that cannot be read (no
//! repodata for the subdir, a file that is not repodata JSON, a directory the channel alias
//! points at that does not exist) is [`ErrorKind::Registry`] (exit 3). A record that cannot
//! be read is skipped and reported through [`CondaSource::warnings`].

pub mod channel;
mod remote;
mod repodata;
mod shards;
#[cfg(test)]
mod tests;

pub use channel::{ChannelSpec, Location, MAX_REPODATA_BYTES};

use crate::http::HttpClient;
use crate::http::auth::Credentials;
use channel::{Configured, Fetched};
use rattler_conda_types::RepoDataRecord;
use repodata::Repodata;
use shards::Sharded;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use unilock_model::channel::{ChannelPriority, ChannelRecord, CondaSource};
use unilock_model::{Diagnostic, ErrorKind};
use url::Url;

/// One channel's repodata for one subdir: the subdir's own and `noarch`'s, either may be
/// missing (not both).
struct ChannelSubdir {
    own: Option<Data>,
    noarch: Option<Data>,
}

impl ChannelSubdir {
    fn files(&self) -> impl Iterator<Item = &Data> {
        self.own.iter().chain(self.noarch.iter())
    }
}

/// The records of one subdir of one channel: a whole repodata file, indexed by name, or a
/// shard index (CEP 16), whose shards are fetched name by name.
enum Data {
    Full(Repodata),
    Sharded(Sharded),
}

impl Data {
    fn lists(&self, name: &str) -> bool {
        match self {
            Data::Full(file) => file.lists(name),
            Data::Sharded(sharded) => sharded.lists(name),
        }
    }

    fn len(&self) -> usize {
        match self {
            Data::Full(file) => file.len(),
            Data::Sharded(sharded) => sharded.len(),
        }
    }

    #[cfg(test)]
    fn names(&self) -> Vec<&str> {
        match self {
            Data::Full(file) => file.names().collect(),
            Data::Sharded(sharded) => sharded.names().collect(),
        }
    }
}

/// What was read of a subdir of a channel: its repodata file, or its shard index.
enum Got {
    File(Fetched),
    Shards(Sharded),
}

/// What [`CondaChannels`] was asked: (one channel, or all), subdir, name.
type AnswerKey = (Option<usize>, String, String);

/// The configured conda channels, in priority order.
pub struct CondaChannels {
    channels: Vec<Configured>,
    alias: Option<Url>,
    root: PathBuf,
    priority: ChannelPriority,
    max_repodata_bytes: u64,
    /// Credentials the channel URLs carried (the client must be given them).
    credentials: Credentials,
    /// The client remote channels are read through, and the runtime its requests run on.
    client: Option<(std::sync::Arc<HttpClient>, tokio::runtime::Runtime)>,
    /// Per subdir, each channel's repodata (in channel order).
    subdirs: Mutex<HashMap<String, Arc<Vec<ChannelSubdir>>>>,
    /// Answers given: (one channel or all, subdir, name).
    answers: Mutex<HashMap<AnswerKey, Arc<Vec<ChannelRecord>>>>,
    warnings: Mutex<Vec<String>>,
    /// How many repodata files were indexed from the cache's index rather than their text.
    indexes_from_cache: std::sync::atomic::AtomicUsize,
}

impl CondaChannels {
    /// The channels `channels`, in priority order (the first has rank 0). Names resolve
    /// through `alias` (`--channel-alias`, `CONDA_CHANNEL_ALIAS`; unilock has no default);
    /// relative directories against the current directory. A channel given twice (the same
    /// URL) counts once, at its first place. Nothing is read until a subdir is asked for.
    pub fn new(
        channels: Vec<ChannelSpec>,
        alias: Option<Url>,
        priority: ChannelPriority,
    ) -> Result<Self, Diagnostic> {
        let root = std::env::current_dir().map_err(|err| {
            Diagnostic::usage(format!("the current directory cannot be read: {err}"))
        })?;
        Self::new_in(root, channels, alias, priority)
    }

    /// As [`CondaChannels::new`], with relative directories read against `root`.
    pub fn new_in(
        root: PathBuf,
        channels: Vec<ChannelSpec>,
        alias: Option<Url>,
        priority: ChannelPriority,
    ) -> Result<Self, Diagnostic> {
        let mut configured: Vec<Configured> = Vec::with_capacity(channels.len());
        let mut credentials = Credentials::default();
        for spec in channels {
            let channel = channel::configure(spec, alias.as_ref(), &root, &mut credentials)?;
            if configured
                .iter()
                .all(|c| c.channel.base_url != channel.channel.base_url)
            {
                configured.push(channel);
            }
        }
        Ok(CondaChannels {
            channels: configured,
            alias,
            root,
            priority,
            max_repodata_bytes: MAX_REPODATA_BYTES,
            credentials,
            client: None,
            subdirs: Mutex::default(),
            answers: Mutex::default(),
            warnings: Mutex::default(),
            indexes_from_cache: Default::default(),
        })
    }

    /// The largest repodata text read, decompressed (`UNILOCK_MAX_REPODATA_BYTES`; default
    /// [`MAX_REPODATA_BYTES`]). A larger file is an error naming it.
    pub fn with_max_repodata_bytes(mut self, bytes: u64) -> Self {
        self.max_repodata_bytes = bytes;
        self
    }

    /// Whether a channel is served over HTTP(S) (then [`Self::with_client`] must be given a
    /// client before anything is read).
    pub fn needs_client(&self) -> bool {
        self.channels
            .iter()
            .any(|c| matches!(c.location, Location::Remote(_)))
    }

    /// The credentials the channel URLs (and the channel alias) carried, each for its own
    /// scheme, host and port; the client of [`Self::with_client`] must be built with them.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// Reads remote channels through `client` (its settings, cache, `--offline` and
    /// credentials), on a runtime of this source's own: the solver calls in synchronously.
    pub fn with_client(mut self, client: Arc<HttpClient>) -> Result<Self, Diagnostic> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|err| {
                Diagnostic::new(
                    ErrorKind::Registry,
                    format!("cannot start the runtime of HTTP requests: {err}"),
                )
            })?;
        self.client = Some((client, runtime));
        Ok(self)
    }

    /// The channels' URLs, in priority order.
    pub fn urls(&self) -> Vec<Url> {
        self.channels
            .iter()
            .map(|c| Url::clone(c.channel.base_url.url()))
            .collect()
    }

    /// Every channel's repodata for `subdir`, read on the first call.
    fn subdir(&self, subdir: &str) -> Result<Arc<Vec<ChannelSubdir>>, Diagnostic> {
        let mut subdirs = lock(&self.subdirs);
        if let Some(found) = subdirs.get(subdir) {
            return Ok(found.clone());
        }
        let valid = !subdir.is_empty()
            && subdir
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(
                Diagnostic::usage(format!("{subdir:?} is not a conda subdir"))
                    .expected("a subdir such as linux-64, osx-arm64, win-64 or noarch"),
            );
        }
        let mut files = self.fetch(subdir)?.into_iter();
        let mut read = Vec::with_capacity(self.channels.len());
        for configured in &self.channels {
            let own = if subdir == "noarch" {
                None
            } else {
                self.index(configured, subdir, files.next().flatten())?
            };
            let noarch = self.index(configured, "noarch", files.next().flatten())?;
            if own.is_none() && noarch.is_none() {
                let file = |subdir: &str| match &configured.location {
                    Location::Local(dir) => {
                        dir.join(subdir).join("repodata.json").display().to_string()
                    }
                    Location::Remote(url) => format!("{url}{subdir}/repodata.json"),
                };
                return Err(Diagnostic::new(
                    ErrorKind::Registry,
                    format!(
                        "channel {} has no repodata for {subdir}: neither {} nor {} exists",
                        configured.shown(),
                        file(subdir),
                        file("noarch"),
                    ),
                )
                .note(
                    "the .zst and .bz2 forms were looked for too; check the channel and the target",
                ));
            }
            read.push(ChannelSubdir { own, noarch });
        }
        let read = Arc::new(read);
        subdirs.insert(subdir.to_string(), read.clone());
        Ok(read)
    }

    /// Every channel's repodata files for `subdir`, in channel order: its own (but for
    /// `noarch`) then `noarch`'s, each `None` when the channel has none. Remote files are
    /// fetched together.
    fn fetch(&self, subdir: &str) -> Result<Vec<Option<Got>>, Diagnostic> {
        let mut wanted: Vec<(&Configured, &str)> = Vec::new();
        for configured in &self.channels {
            if subdir != "noarch" {
                wanted.push((configured, subdir));
            }
            wanted.push((configured, "noarch"));
        }
        let max = self.max_repodata_bytes;
        let unreadable = |configured: &Configured, why: String| {
            Diagnostic::new(
                ErrorKind::Registry,
                format!("channel {} cannot be read: {why}", configured.shown()),
            )
        };
        let remote = wanted.iter().map(|(configured, subdir)| async move {
            match (&configured.location, &self.client) {
                (Location::Remote(url), Some((client, _))) => {
                    let name = configured.channel.canonical_name();
                    Some(
                        match shards::read_index(client, url, name, subdir, max).await {
                            Ok(Some(sharded)) => Ok(Some(Got::Shards(sharded))),
                            Ok(None) => remote::read_repodata(client, url, subdir, max)
                                .await
                                .map(|file| file.map(Got::File)),
                            Err(why) => Err(why),
                        },
                    )
                }
                _ => None,
            }
        });
        let mut fetched: Vec<Option<Result<Option<Got>, String>>> = match &self.client {
            Some((_, runtime)) => runtime.block_on(futures_util::future::join_all(remote)),
            None => wanted.iter().map(|_| None).collect(),
        };
        let mut files = Vec::with_capacity(wanted.len());
        for ((configured, subdir), fetched) in wanted.iter().zip(fetched.iter_mut()) {
            let read = match (&configured.location, fetched.take()) {
                (Location::Local(dir), _) => {
                    channel::read_repodata(dir, subdir, max).map(|file| file.map(Got::File))
                }
                (Location::Remote(_), Some(read)) => read,
                (Location::Remote(url), None) => Err(format!(
                    "{url} is served over HTTP, and this run has no HTTP client"
                )),
            };
            files.push(read.map_err(|why| unreadable(configured, why))?);
        }
        Ok(files)
    }

    /// `fetched`, the repodata of `subdir` of `configured`, indexed by name: from the index
    /// the cache holds for it, else by reading the text.
    fn index(
        &self,
        configured: &Configured,
        subdir: &str,
        fetched: Option<Got>,
    ) -> Result<Option<Data>, Diagnostic> {
        let Fetched {
            text,
            file,
            mut cached,
        } = match fetched {
            None => return Ok(None),
            Some(Got::Shards(sharded)) => return Ok(Some(Data::Sharded(sharded))),
            Some(Got::File(fetched)) => fetched,
        };
        let text = match cached.as_mut().and_then(|c| c.index.take()) {
            Some(index) => {
                let channel = configured.channel.canonical_name();
                match Repodata::unpack(text, (*index).as_ref(), file.clone(), subdir, channel) {
                    Ok((repodata, warning)) => {
                        self.indexes_from_cache
                            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if let Some(warning) = warning {
                            self.warn(vec![warning]);
                        }
                        return Ok(Some(Data::Full(repodata)));
                    }
                    // An index that does not fit the text: made again, and replaced.
                    Err(text) => text,
                }
            }
            None => text,
        };
        self.index_text(configured, subdir, text, file, cached)
    }

    /// `text`, the repodata `file` of `subdir` of `configured`, indexed by name; the index is
    /// kept in the cache beside the answer it came in (`cached`).
    fn index_text(
        &self,
        configured: &Configured,
        subdir: &str,
        text: repodata::Text,
        file: String,
        cached: Option<remote::Cached>,
    ) -> Result<Option<Data>, Diagnostic> {
        let (repodata, warning) = Repodata::index(
            text,
            file.clone(),
            subdir,
            configured.channel.base_url.url(),
            configured.channel.canonical_name(),
        )
        .map_err(|why| {
            Diagnostic::new(
                ErrorKind::Registry,
                format!(
                    "channel {} cannot be read: {file}: {why}",
                    configured.shown()
                ),
            )
        })?;
        if let (Some(cached), Some((client, _))) = (cached, &self.client) {
            let packed = repodata.pack(warning.as_deref());
            client.store_derived(
                &cached.url,
                remote::ACCEPT,
                &cached.response,
                remote::INDEX,
                &packed,
            );
        }
        if let Some(warning) = warning {
            self.warn(vec![warning]);
        }
        Ok(Some(Data::Full(repodata)))
    }

    /// The records of `name` on `subdir` from the channel at `index` (its subdir and noarch);
    /// the shards of a sharded channel are fetched together.
    fn of_channel(
        &self,
        subdirs: &[ChannelSubdir],
        index: usize,
        name: &str,
    ) -> Result<Vec<ChannelRecord>, Diagnostic> {
        let files: Vec<&Data> = subdirs[index].files().collect();
        let mut read: Vec<Option<Result<ReadRecords, String>>> = files
            .iter()
            .map(|file| match file {
                Data::Full(file) => Some(Ok(file.records(name))),
                Data::Sharded(_) => None,
            })
            .collect();
        if read.iter().any(Option::is_none) {
            let Some((client, runtime)) = &self.client else {
                return Err(Diagnostic::new(
                    ErrorKind::Registry,
                    "a sharded channel is read without an HTTP client",
                ));
            };
            let shards = files.iter().map(|file| async move {
                match file {
                    Data::Sharded(sharded) => Some(sharded.records(client, name).await),
                    Data::Full(_) => None,
                }
            });
            let fetched = runtime.block_on(futures_util::future::join_all(shards));
            for (slot, fetched) in read.iter_mut().zip(fetched) {
                if slot.is_none() {
                    *slot = fetched;
                }
            }
        }
        let mut records = Vec::new();
        for read in read.into_iter().flatten() {
            let (found, skipped) = read.map_err(|why| {
                Diagnostic::new(
                    ErrorKind::Registry,
                    format!(
                        "channel {} cannot be read: {why}",
                        self.channels[index].shown()
                    ),
                )
            })?;
            self.warn(skipped);
            records.extend(found.iter().map(|record| ChannelRecord {
                channel_rank: index as u32,
                record: record.clone(),
            }));
        }
        Ok(records)
    }

    /// Fetches together the shards of `names` that sharded subdirs of `subdir` list and have
    /// not read yet (at most [`PREFETCH_AT_ONCE`] requests in flight); what they skip is
    /// warned about as a lookup would; a failure is left for the lookup to report.
    fn prefetch_shards(&self, subdir: &str, names: &[&str]) {
        use futures_util::StreamExt;
        let Some((client, runtime)) = &self.client else {
            return;
        };
        let Ok(subdirs) = self.subdir(subdir) else {
            return;
        };
        let mut wanted: Vec<(&Sharded, String)> = Vec::new();
        for channel in subdirs.iter() {
            for file in channel.files() {
                let Data::Sharded(sharded) = file else {
                    continue;
                };
                for name in names {
                    let name = name.to_ascii_lowercase();
                    if sharded.lists(&name) && !sharded.has_read(&name) {
                        wanted.push((sharded, name));
                    }
                }
            }
        }
        if wanted.len() < 2 {
            return;
        }
        let fetches = wanted
            .iter()
            .map(|(sharded, name)| sharded.records(client, name));
        let done: Vec<_> = runtime.block_on(
            futures_util::stream::iter(fetches)
                .buffer_unordered(PREFETCH_AT_ONCE)
                .collect(),
        );
        for (_, skipped) in done.into_iter().flatten() {
            self.warn(skipped);
        }
    }

    fn answer(
        &self,
        channel: Option<usize>,
        subdir: &str,
        name: &str,
    ) -> Result<Arc<Vec<ChannelRecord>>, Diagnostic> {
        let name = name.to_ascii_lowercase();
        let key = (channel, subdir.to_string(), name.clone());
        if let Some(found) = lock(&self.answers).get(&key) {
            return Ok(found.clone());
        }
        let subdirs = self.subdir(subdir)?;
        let records = match channel {
            Some(index) => self.of_channel(&subdirs, index, &name)?,
            None => {
                let mut records = Vec::new();
                for index in 0..self.channels.len() {
                    records.extend(self.of_channel(&subdirs, index, &name)?);
                    if self.priority == ChannelPriority::Strict && !records.is_empty() {
                        break;
                    }
                }
                records
            }
        };
        let records = Arc::new(records);
        lock(&self.answers).insert(key, records.clone());
        Ok(records)
    }

    /// Whether any channel lists `name` on `subdir` (readable or not); for tests and
    /// messages ("numpy is in conda-forge, but no build of it could be read").
    pub fn lists(&self, subdir: &str, name: &str) -> Result<bool, Diagnostic> {
        let name = name.to_ascii_lowercase();
        Ok(self
            .subdir(subdir)?
            .iter()
            .any(|c| c.files().any(|f| f.lists(&name))))
    }

    /// The number of records each channel lists for `subdir` (its own and noarch), in
    /// channel order; for a sharded channel, the records of the shards read so far.
    pub fn record_counts(&self, subdir: &str) -> Result<Vec<usize>, Diagnostic> {
        Ok(self
            .subdir(subdir)?
            .iter()
            .map(|c| c.files().map(Data::len).sum())
            .collect())
    }

    /// How many repodata files were indexed from the index the cache kept for them.
    #[cfg(test)]
    fn indexes_from_cache(&self) -> usize {
        self.indexes_from_cache
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Every name the channels list for `subdir` (its own and noarch), sorted.
    #[cfg(test)]
    fn names(&self, subdir: &str) -> Result<Vec<String>, Diagnostic> {
        let mut names: Vec<String> = self
            .subdir(subdir)?
            .iter()
            .flat_map(|c| c.files().flat_map(Data::names))
            .map(str::to_string)
            .collect();
        names.sort();
        names.dedup();
        Ok(names)
    }

    fn warn(&self, warnings: Vec<String>) {
        if !warnings.is_empty() {
            lock(&self.warnings).extend(warnings);
        }
    }
}

/// How many shard requests a prefetch keeps in flight at once.
const PREFETCH_AT_ONCE: usize = 16;

impl CondaSource for CondaChannels {
    fn prefetch(&self, subdir: &str, names: &[&str]) {
        self.prefetch_shards(subdir, names);
    }

    fn records(&self, subdir: &str, name: &str) -> Result<Arc<Vec<ChannelRecord>>, Diagnostic> {
        self.answer(None, subdir, name)
    }

    fn records_in(
        &self,
        channel: &str,
        subdir: &str,
        name: &str,
    ) -> Result<Arc<Vec<ChannelRecord>>, Diagnostic> {
        let Some(index) = self
            .channels
            .iter()
            .position(|c| c.is_named(channel, self.alias.as_ref(), &self.root))
        else {
            let configured: Vec<String> = self.channels.iter().map(Configured::shown).collect();
            return Err(Diagnostic::usage(format!(
                "{channel}::{name} asks for channel {channel}, which is not one of the channels \
                 of this run ({})",
                if configured.is_empty() {
                    "none is configured".to_string()
                } else {
                    configured.join(", ")
                }
            ))
            .note(format!(
                "add the channel (--channel {channel}) or name one of those"
            )));
        };
        self.answer(Some(index), subdir, name)
    }

    fn channel_names(&self) -> Vec<String> {
        self.channels
            .iter()
            .filter_map(|c| {
                let url = c.channel.base_url.url();
                let last = url.path_segments()?.rev().find(|s| !s.is_empty())?;
                Some(last.to_string())
            })
            .collect()
    }

    fn warnings(&self) -> Vec<String> {
        lock(&self.warnings).clone()
    }
}

/// A name's records read from one file, and those skipped.
type ReadRecords = (Arc<Vec<RepoDataRecord>>, repodata::Skipped);

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
