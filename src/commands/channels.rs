//! Where conda packages come from, for `resolve`: the channels of the input files and of
//! `--channel`, the channel alias (`--channel-alias`, else `CONDA_CHANNEL_ALIAS`), the channel
//! priority, and the repodata size limit (`UNILOCK_MAX_REPODATA_BYTES`).

use super::files::env_var;
use super::resolve::CondaInputs;
use crate::cli::ChannelArgs;
use unilock_model::Diagnostic;
use unilock_model::channel::ChannelPriority;
use unilock_registries::conda::{ChannelSpec, CondaChannels};
use url::Url;

/// The conda channels of the inputs and `args`, in priority order: those the input files
/// name, in the order they name them, then `--channel`s.
pub fn source(args: &ChannelArgs, inputs: &CondaInputs) -> Result<CondaChannels, Diagnostic> {
    let mut channels: Vec<ChannelSpec> = inputs
        .channels
        .iter()
        .map(|(name, origin)| ChannelSpec::at(name, origin))
        .collect();
    channels.extend(args.channel.iter().map(|c| ChannelSpec::at(c, "--channel")));
    if channels.is_empty() {
        let (spec, origin) = inputs
            .specs
            .first()
            .map_or((String::new(), ""), |(s, o)| (s.to_string(), o.as_str()));
        return Err(Diagnostic::usage(format!(
            "{origin}: `{spec}` is a conda spec, and no channel is configured"
        ))
        .note(
            "name the channels under `channels:` in environment.yml, or pass --channel NAME|URL",
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
    if let Some(v) = env_var("UNILOCK_MAX_REPODATA_BYTES").filter(|v| !v.is_empty()) {
        let bytes = v.trim().parse::<u64>().map_err(|_| {
            Diagnostic::usage(format!(
                "UNILOCK_MAX_REPODATA_BYTES={v}: expected a number of bytes"
            ))
        })?;
        source = source.with_max_repodata_bytes(bytes);
    }
    Ok(source)
}
