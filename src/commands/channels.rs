//! Where conda packages come from, for `resolve`: the channels of the input files and of
//! `--channel`, the channel alias (`--channel-alias`, else `CONDA_CHANNEL_ALIAS`), the channel
//! priority, the repodata size limit (`UNILOCK_MAX_REPODATA_BYTES`), and for channels served
//! over HTTP(S) the client the PyPI side uses: the same settings and variables, cache
//! directory, `--offline`, netrc credentials and progress display ([`super::index`]).

use super::files::env_var;
use crate::cli::{ChannelArgs, IndexArgs};
use crate::progress::Progress;
use std::sync::Arc;
use unilock_model::Diagnostic;
use unilock_model::channel::ChannelPriority;
use unilock_registries::cache;
use unilock_registries::conda::{ChannelSpec, CondaChannels};
use unilock_registries::http::HttpClient;
use unilock_registries::http::auth::Credentials;
use unilock_solver::request::CondaInputs;
use url::Url;

/// The channels `defaults` stands for where it was given at `origin`: conda's
/// `default_channels` setting, read as conda reads it from the environment
/// (`CONDA_DEFAULT_CHANNELS`, comma-separated names or URLs). unilock names no channel host of
/// its own, so without the variable `defaults` is an error saying how to give them.
fn defaults(origin: &str) -> Result<Vec<ChannelSpec>, Diagnostic> {
    let list = env_var("CONDA_DEFAULT_CHANNELS").unwrap_or_default();
    let channels: Vec<ChannelSpec> = list
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| ChannelSpec::at(c, format!("{origin} (`defaults`, CONDA_DEFAULT_CHANNELS)")))
        .collect();
    if channels.is_empty() {
        return Err(Diagnostic::usage(format!(
            "{origin}: `defaults` stands for conda's default channels, and CONDA_DEFAULT_CHANNELS does not say which they are"
        ))
        .note("set CONDA_DEFAULT_CHANNELS to their URLs, comma-separated, as conda's `default_channels` setting (e.g. the main and r channels of your mirror), or name the channels themselves"));
    }
    Ok(channels)
}

/// The conda channels of the inputs and `args`, in priority order: those the input files
/// name, in the order they name them, then `--channel`s; with the progress display of their
/// HTTP requests, when there is one.
pub fn source(
    args: &ChannelArgs,
    index: &IndexArgs,
    inputs: &CondaInputs,
) -> Result<(CondaChannels, Option<Arc<Progress>>), Diagnostic> {
    let given = inputs
        .channels
        .iter()
        .map(|(name, origin)| (name.as_str(), origin.as_str()))
        .chain(args.channel.iter().map(|c| (c.as_str(), "--channel")));
    let mut channels: Vec<ChannelSpec> = Vec::new();
    for (name, origin) in given {
        if name.trim() == "defaults" {
            channels.extend(defaults(origin)?);
        } else {
            channels.push(ChannelSpec::at(name, origin));
        }
    }
    if channels.is_empty() {
        let (spec, origin) = inputs
            .specs
            .first()
            .map_or((String::new(), ""), |(s, o)| (s.to_string(), o.as_str()));
        return Err(Diagnostic::usage(format!(
            "{origin}: `{spec}` is a conda spec, and no channel is configured"
        ))
        .note(
            "name the channels under `channels:` in environment.yml or `channels = [...]` in pixi.toml, or pass --channel NAME|URL",
        ));
    }
    let alias = match args
        .channel_alias
        .clone()
        .map(|a| (a, "--channel-alias"))
        .or_else(|| env_var("CONDA_CHANNEL_ALIAS").map(|a| (a, "CONDA_CHANNEL_ALIAS")))
    {
        Some((text, by)) => Some(Url::parse(text.trim()).map_err(|e| {
            Diagnostic::usage(format!("{by}: `{text}` is not a URL: {e}"))
                .note("give the URL channel names are read under, e.g. file:///srv/channels/")
        })?),
        None => None,
    };
    let priority = match args.channel_priority.as_str() {
        "flexible" => ChannelPriority::Flexible,
        _ => ChannelPriority::Strict,
    };
    let mut source = CondaChannels::new(channels, alias, priority)?;
    let mut max_repodata = unilock_registries::conda::MAX_REPODATA_BYTES;
    if let Some(v) = env_var("UNILOCK_MAX_REPODATA_BYTES").filter(|v| !v.is_empty()) {
        max_repodata = v.trim().parse::<u64>().map_err(|_| {
            Diagnostic::usage(format!(
                "UNILOCK_MAX_REPODATA_BYTES={v}: expected a number of bytes"
            ))
        })?;
        source = source.with_max_repodata_bytes(max_repodata);
    }
    if !source.needs_client() {
        return Ok((source, None));
    }
    let netrc =
        Credentials::from_netrc(None).map_err(|e| Diagnostic::invalid(format!("netrc: {e}")))?;
    let credentials = source.credentials().clone().merged_over(netrc);
    let settings = super::index::settings(index)?;
    // A repodata that may be fetched may also be kept (unless UNILOCK_MAX_CACHE_ENTRY_BYTES
    // says otherwise).
    let entries = unilock_registries::http::Settings {
        max_page_bytes: settings.max_page_bytes.max(max_repodata),
        ..settings.clone()
    };
    let cache = index
        .cache_dir
        .clone()
        .or_else(|| cache::default_dir(&env_var))
        .map(|dir| super::index::cache_at(dir, &entries))
        .transpose()?;
    let client = HttpClient::new(settings, credentials, cache)
        .map_err(|e| Diagnostic::new(unilock_model::ErrorKind::Registry, e))?;
    let (client, progress) = match Progress::new() {
        Some(p) => {
            let p = Arc::new(p);
            (client.with_observer(p.clone()), Some(p))
        }
        None => (client, None),
    };
    Ok((source.with_client(Arc::new(client))?, progress))
}
