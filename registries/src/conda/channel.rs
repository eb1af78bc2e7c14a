//! Which channels a run reads, and where their files are.
//!
//! A channel is given as a URL (`file:///srv/channels/conda-forge/`), a local directory
//! (`./channels/local`, `/srv/channels/conda-forge`) or a name (`conda-forge`). Names and URLs
//! are read by `rattler_conda_types` ([`NamedChannelOrUrl`], [`Channel`]) as conda reads them.
//! A name means a channel under the channel alias the caller passes in (`--channel-alias`,
//! `CONDA_CHANNEL_ALIAS`); unilock has no built-in alias, so a name without one is an error
//! saying to give an alias or a URL. `defaults` (conda's set of channels) is expanded by the
//! caller into the channels it stands for (the CLI reads conda's `CONDA_DEFAULT_CHANNELS`);
//! given here it is refused.
//!
//! [`Location`] says where a channel's files are read from: a local directory (read here by
//! [`read_repodata`]) or an `http(s)://` URL (read through the client and cache of
//! [`crate::http`], see [`super::remote`]). Credentials in a channel URL
//! (`https://user:token@host/channel`, or in the channel alias) are taken out of it when it
//! is configured: the channel, its records and every message carry the URL without them, and
//! the client sends them to that URL's scheme, host and port only ([`crate::http::auth`]).

use crate::http::auth::{self, Credentials};
use rattler_conda_types::{Channel, ChannelConfig, ChannelUrl, NamedChannelOrUrl};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use unilock_model::{Diagnostic, ErrorKind};
use url::Url;

/// A channel as the user gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelSpec {
    /// A name, a URL or a directory.
    pub text: String,
    /// Where it was given (`--channel`, `environment.yml:3:5`), for messages.
    pub origin: Option<String>,
}

impl ChannelSpec {
    pub fn new(text: impl Into<String>) -> Self {
        ChannelSpec {
            text: text.into(),
            origin: None,
        }
    }

    /// The channel `text`, given at `origin` (`--channel`, `environment.yml:3:5`).
    pub fn at(text: impl Into<String>, origin: impl Into<String>) -> Self {
        ChannelSpec {
            text: text.into(),
            origin: Some(origin.into()),
        }
    }

    fn described(&self) -> String {
        match &self.origin {
            Some(origin) => format!("{origin}: channel {}", self.shown()),
            None => format!("channel {}", self.shown()),
        }
    }

    /// The text as given, without the credentials a URL may carry.
    fn shown(&self) -> String {
        if self.text.contains('@') {
            auth::redact(&self.text)
        } else {
            self.text.clone()
        }
    }
}

/// Where a channel's files are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A channel directory on this machine (one sub-directory per subdir).
    Local(PathBuf),
    /// A channel served over HTTP(S): its URL (without credentials), ending in `/`.
    Remote(Url),
}

/// A channel of the run.
#[derive(Debug, Clone)]
pub(crate) struct Configured {
    /// As the user gave it.
    pub spec: ChannelSpec,
    pub channel: Channel,
    pub location: Location,
    /// Given as a name, resolved through the channel alias.
    pub named: bool,
}

impl Configured {
    /// Whether `text` (the channel part of a `channel::name` spec) names this channel: its
    /// text as given, its name, the last segment of its URL's path (`conda-forge` for
    /// `file:///srv/snapshots/conda-forge/`, as rattler names a local channel), or its URL
    /// (with or without the trailing slash).
    pub(crate) fn is_named(&self, text: &str, alias: Option<&Url>, root: &Path) -> bool {
        let url = self.channel.base_url.url();
        let last = url
            .path_segments()
            .and_then(|s| s.rev().find(|s| !s.is_empty()));
        if text == self.spec.text
            || self.channel.name.as_deref() == Some(text)
            || (!text.is_empty() && last == Some(text))
        {
            return true;
        }
        let trim = |s: &str| s.trim_end_matches('/').to_string();
        if trim(text) == trim(self.channel.base_url.as_str()) {
            return true;
        }
        match resolve_channel(
            &ChannelSpec::new(text),
            alias,
            root,
            &mut Credentials::default(),
        ) {
            Ok((channel, _)) => channel.base_url == self.channel.base_url,
            Err(_) => false,
        }
    }

    /// How the channel is shown in messages: as given, with its URL when it was a name.
    pub(crate) fn shown(&self) -> String {
        if self.named {
            format!("{} ({})", self.spec.text, self.channel.base_url.as_str())
        } else {
            self.spec.shown()
        }
    }
}

/// Reads `spec` as a channel, with `alias` for names and `root` for relative directories;
/// credentials its URL carries go to `credentials`.
pub(crate) fn configure(
    spec: ChannelSpec,
    alias: Option<&Url>,
    root: &Path,
    credentials: &mut Credentials,
) -> Result<Configured, Diagnostic> {
    let (channel, named) = resolve_channel(&spec, alias, root, credentials)?;
    let url = channel.base_url.url();
    let dir = match url.scheme() {
        "file" => match url.to_file_path() {
            Ok(path) => path,
            Err(()) => {
                return Err(Diagnostic::usage(format!(
                    "{}: the URL {url} is not a local directory",
                    spec.described()
                ))
                .note("give a file:// URL of a channel directory, or its path"));
            }
        },
        "http" | "https" => {
            if url.host_str().is_none_or(str::is_empty) {
                return Err(Diagnostic::usage(format!(
                    "{}: the URL {url} names no host",
                    spec.described()
                )));
            }
            return Ok(Configured {
                location: Location::Remote(Url::clone(url)),
                spec,
                channel,
                named,
            });
        }
        scheme => {
            return Err(Diagnostic::usage(format!(
                "{}: a channel URL must be file://, http:// or https://, not {scheme}://",
                spec.described()
            )));
        }
    };
    if !dir.is_dir() {
        let diagnostic = if named {
            Diagnostic::new(
                ErrorKind::Registry,
                format!(
                    "{}: the channel alias has no channel there ({} is not a directory)",
                    spec.described(),
                    dir.display()
                ),
            )
            .note("check the channel name and --channel-alias (or CONDA_CHANNEL_ALIAS)")
        } else {
            Diagnostic::usage(format!(
                "{}: {} is not a directory",
                spec.described(),
                dir.display()
            ))
            .note("give the directory that holds the channel's subdirs (linux-64/, noarch/, …)")
        };
        return Err(diagnostic);
    }
    Ok(Configured {
        spec,
        channel,
        location: Location::Local(dir),
        named,
    })
}

/// The rattler channel `spec` means, and whether it was a name (resolved through the alias).
/// The channel's URL comes without credentials; those it carried go to `credentials`.
fn resolve_channel(
    spec: &ChannelSpec,
    alias: Option<&Url>,
    root: &Path,
    credentials: &mut Credentials,
) -> Result<(Channel, bool), Diagnostic> {
    let text = spec.text.trim();
    let parsed = NamedChannelOrUrl::from_str(text).map_err(|err| {
        Diagnostic::usage(format!("{}: not a channel URL: {err}", spec.described()))
            .expected("a channel name, a URL or a directory")
    })?;
    let named = matches!(parsed, NamedChannelOrUrl::Name(_));
    if text.is_empty() {
        return Err(Diagnostic::usage(format!("{}: empty", spec.described()))
            .expected("a channel name, a URL or a directory"));
    }
    if named && (text == "defaults" || text.starts_with("defaults/")) {
        return Err(Diagnostic::usage(format!(
            "{}: `defaults` (conda's own set of channels) must be given as the channels it stands for",
            spec.described()
        ))
        .note("give the channels it stands for by URL or through --channel-alias"));
    }
    let Some(alias) = alias.or(if named { None } else { Some(&NO_ALIAS) }) else {
        return Err(Diagnostic::usage(format!(
            "{}: a channel name needs a channel alias to say where it is, and none is set",
            spec.described()
        ))
        .note(format!(
            "give --channel-alias URL (or CONDA_CHANNEL_ALIAS) so that `{text}` means URL/{text}, \
             or give the channel as a URL or a directory"
        )));
    };
    let config = ChannelConfig {
        channel_alias: alias.clone(),
        root_dir: root.to_path_buf(),
    };
    let mut channel = Channel::from_str(text, &config).map_err(|err| {
        Diagnostic::usage(format!("{}: not a channel: {err}", spec.described()))
            .expected("a channel name, a URL or a directory")
    })?;
    let url = channel.base_url.url();
    if !url.username().is_empty() || url.password().is_some() {
        let stripped = credentials.take_from_url(url);
        channel.base_url = ChannelUrl::from(stripped);
    }
    Ok((channel, named))
}

/// The alias rattler is given when the user set none and the channel is not a name: a URL no
/// channel URL starts with, so that none is shortened to a name through it.
static NO_ALIAS: std::sync::LazyLock<Url> = std::sync::LazyLock::new(|| {
    Url::parse("unilock-no-channel-alias:/").unwrap_or_else(|_| unreachable!("a valid URL"))
});

/// The default largest repodata text read (after decompression): 2 GiB. A full conda-forge
/// subdir is some hundreds of MiB.
pub const MAX_REPODATA_BYTES: u64 = 2 << 30;

/// A subdir's repodata as read: its text and the file it came from.
pub(crate) struct Fetched {
    pub text: super::repodata::Text,
    pub file: String,
    /// For a file served over HTTP: its cached answer and index.
    pub cached: Option<super::remote::Cached>,
}

/// Reads the repodata of `subdir` in the channel directory `dir`: `repodata.json`, else
/// `repodata.json.zst`, else `repodata.json.bz2`; `None` when there is none. `max` bounds the
/// text (decompressed).
pub(crate) fn read_repodata(dir: &Path, subdir: &str, max: u64) -> Result<Option<Fetched>, String> {
    let dir = dir.join(subdir);
    let plain = dir.join("repodata.json");
    if let Some(file) = open(&plain)? {
        return map(&plain, file, max).map(Some);
    }
    for (suffix, decode) in [("zst", Decoder::Zstd), ("bz2", Decoder::Bzip2)] {
        let path = dir.join(format!("repodata.json.{suffix}"));
        if let Some(file) = open(&path)? {
            let shown = path.display().to_string();
            return decompress(shown, std::io::BufReader::new(file), decode, max).map(Some);
        }
    }
    Ok(None)
}

fn open(path: &Path) -> Result<Option<std::fs::File>, String> {
    match std::fs::File::open(path) {
        Ok(file) => Ok(Some(file)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(format!("cannot read {}: {err}", path.display())),
    }
}

fn too_large(file: &str, max: u64) -> String {
    format!(
        "{file} holds more than {max} bytes of repodata; if the channel is right, raise \
         UNILOCK_MAX_REPODATA_BYTES"
    )
}

fn map(path: &Path, file: std::fs::File, max: u64) -> Result<Fetched, String> {
    let err = |err: std::io::Error| format!("cannot read {}: {err}", path.display());
    let meta = file.metadata().map_err(err)?;
    if !meta.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    if meta.len() > max {
        return Err(too_large(&path.display().to_string(), max));
    }
    let text = if meta.len() == 0 {
        super::repodata::Text::Owned(Vec::new())
    } else {
        // SAFETY: the map is only read. A channel directory is not expected to change during
        // a run; another program truncating the file while it is mapped could end the run
        // (as for any mapped file), not make it read wrong data silently.
        super::repodata::Text::Mapped(unsafe { memmap2::Mmap::map(&file) }.map_err(err)?)
    };
    Ok(Fetched {
        text,
        file: path.display().to_string(),
        cached: None,
    })
}

#[derive(Clone, Copy)]
pub(crate) enum Decoder {
    Zstd,
    Bzip2,
}

/// The repodata text `file` (as shown in messages) holds compressed, read from `source`,
/// bounded to `max` bytes decompressed.
pub(crate) fn decompress(
    file: String,
    source: impl std::io::BufRead + 'static,
    decoder: Decoder,
    max: u64,
) -> Result<Fetched, String> {
    let err = |err: std::io::Error| format!("cannot decompress {file}: {err}");
    let reader: Box<dyn std::io::Read> = match decoder {
        Decoder::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(source).map_err(err)?),
        Decoder::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(source)),
    };
    let mut text = Vec::new();
    reader
        .take(max.saturating_add(1))
        .read_to_end(&mut text)
        .map_err(err)?;
    if text.len() as u64 > max {
        return Err(too_large(&file, max));
    }
    Ok(Fetched {
        text: super::repodata::Text::Owned(text),
        file,
        cached: None,
    })
}
