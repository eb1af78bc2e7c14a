//! The project configuration of `resolve`: `unilock.toml`, or a `[tool.unilock]` table in
//! pyproject.toml, with the targets, indexes, channels and `consistent` a project resolves
//! with, so nobody retypes `--target`.
//!
//! Found as uv finds `uv.toml` and `[tool.uv]`: from the directory of the first input upwards,
//! the nearest directory holding a `unilock.toml` or a pyproject.toml with `[tool.unilock]`;
//! where a directory holds both, `unilock.toml` is read and `[tool.unilock]` is ignored with a
//! warning. `--config-file PATH` names the file instead; `--no-config` reads none. Precedence,
//! highest first: command-line flags, environment variables (`UV_INDEX_URL`,
//! `PIP_EXTRA_INDEX_URL`, `CONDA_CHANNEL_ALIAS`, …), the configuration, the defaults. A list
//! given on the command line (or by an environment variable) replaces the configuration's.
//! Relative paths in the configuration (find-links directories, index and channel
//! directories) are relative to the file's directory. Unknown keys are errors at their line.

use super::files::{env_var, read_input};
use crate::cli::ResolveArgs;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use unilock_model::{Diagnostic, Span};

/// What a project configuration may say.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ProjectConfig {
    /// The targets to resolve for when no `--target` is given.
    pub targets: Option<Vec<String>>,
    pub index_url: Option<String>,
    pub extra_index_url: Option<Vec<String>>,
    pub find_links: Option<Vec<String>>,
    pub no_index: Option<bool>,
    /// Conda channels after those the input files name.
    pub channels: Option<Vec<String>>,
    pub channel_alias: Option<String>,
    /// One version of each package on every target.
    pub consistent: Option<bool>,
}

#[derive(Deserialize)]
struct Pyproject {
    tool: Option<Tool>,
}

#[derive(Deserialize)]
struct Tool {
    unilock: Option<ProjectConfig>,
}

/// The file a configuration was read from, with what it says.
pub struct Found {
    pub path: PathBuf,
    pub config: ProjectConfig,
}

/// What [`apply`] took from a configuration file.
pub struct Applied {
    pub path: PathBuf,
    /// The targets came from it (no `--target` was given).
    pub targets: bool,
}

/// Finds and reads the configuration for `args`, and fills in what the command line and the
/// environment leave unsaid.
pub fn apply(args: &mut ResolveArgs) -> Result<Option<Applied>, Diagnostic> {
    let Some(found) = find(args)? else {
        return Ok(None);
    };
    let dir = found.path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let c = found.config;
    let mut from_config = false;
    if args.target.is_empty()
        && let Some(targets) = c.targets
    {
        args.target = targets;
        from_config = true;
    }
    let env_set = |names: &[&str]| names.iter().any(|n| env_var(n).is_some());
    if args.index.index_url.is_none()
        && !env_set(&["UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL"])
    {
        args.index.index_url = c.index_url.map(|u| location(&dir, &u));
    }
    if args.index.extra_index_url.is_empty()
        && !env_set(&["UV_EXTRA_INDEX_URL", "PIP_EXTRA_INDEX_URL"])
        && let Some(extra) = c.extra_index_url
    {
        args.index.extra_index_url = extra.iter().map(|u| location(&dir, u)).collect();
    }
    if args.index.find_links.is_empty()
        && let Some(links) = c.find_links
    {
        args.index.find_links = links.iter().map(|u| location(&dir, u)).collect();
    }
    args.index.no_index |= c.no_index.unwrap_or(false);
    if args.channels.channel.is_empty()
        && let Some(channels) = c.channels
    {
        args.channels.channel = channels.iter().map(|u| channel(&dir, u)).collect();
    }
    if args.channels.channel_alias.is_none() && !env_set(&["CONDA_CHANNEL_ALIAS"]) {
        args.channels.channel_alias = c.channel_alias.map(|u| location(&dir, &u));
    }
    args.consistent |= c.consistent.unwrap_or(false);
    Ok(Some(Applied {
        path: found.path,
        targets: from_config,
    }))
}

/// A location as the configuration writes it: a URL as it is, a path relative to `dir`.
fn location(dir: &Path, value: &str) -> String {
    if value.contains("://") || Path::new(value).is_absolute() {
        value.to_string()
    } else {
        dir.join(value).display().to_string()
    }
}

/// A channel: a name (`conda-forge`) or URL as it is, a path (`./channels/local`) relative to
/// `dir`.
fn channel(dir: &Path, value: &str) -> String {
    if value.starts_with('.') {
        dir.join(value).display().to_string()
    } else {
        value.to_string()
    }
}

/// The configuration file of `args`: `--config-file`, else the nearest one found.
fn find(args: &ResolveArgs) -> Result<Option<Found>, Diagnostic> {
    if args.config.no_config {
        return Ok(None);
    }
    if let Some(path) = &args.config.config_file {
        let text = read_input(path)?;
        return read_unilock_toml(path, &text).map(Some);
    }
    let start = match args.inputs.first() {
        Some(input) => absolute(input.parent().unwrap_or(Path::new(""))),
        None => absolute(Path::new("")),
    };
    for dir in start.ancestors() {
        let unilock = dir.join("unilock.toml");
        let pyproject = dir.join("pyproject.toml");
        let from_pyproject = match std::fs::read_to_string(&pyproject) {
            Ok(text) => read_tool_table(&pyproject, &text)?,
            Err(_) => None,
        };
        if unilock.is_file() {
            if from_pyproject.is_some() {
                crate::output::warn(format_args!(
                    "{} is read, and [tool.unilock] in {} is ignored: one directory has one configuration",
                    unilock.display(),
                    pyproject.display()
                ));
            }
            let text = read_input(&unilock)?;
            return read_unilock_toml(&unilock, &text).map(Some);
        }
        if let Some(config) = from_pyproject {
            return Ok(Some(Found {
                path: pyproject,
                config,
            }));
        }
    }
    Ok(None)
}

fn absolute(path: &Path) -> PathBuf {
    let path = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn invalid(path: &Path, text: &str, e: &toml::de::Error, what: &str) -> Diagnostic {
    let span = e
        .span()
        .map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
    Diagnostic::invalid(format!("invalid {what}: {}", e.message().trim_end()))
        .at(&path.display().to_string(), text, span)
        .note("the keys are targets, index-url, extra-index-url, find-links, no-index, channels, channel-alias and consistent (see docs/resolve.md)")
}

fn read_unilock_toml(path: &Path, text: &str) -> Result<Found, Diagnostic> {
    let config: ProjectConfig =
        toml::from_str(text).map_err(|e| invalid(path, text, &e, "unilock configuration"))?;
    Ok(Found {
        path: path.to_path_buf(),
        config,
    })
}

/// `[tool.unilock]` of a pyproject.toml, if it has one. A pyproject.toml that is no TOML at
/// all is left to whoever reads it as an input, unless it mentions `tool.unilock`.
fn read_tool_table(path: &Path, text: &str) -> Result<Option<ProjectConfig>, Diagnostic> {
    match toml::from_str::<Pyproject>(text) {
        Ok(p) => Ok(p.tool.and_then(|t| t.unilock)),
        Err(e) if text.contains("tool.unilock") => {
            Err(invalid(path, text, &e, "[tool.unilock] configuration"))
        }
        Err(_) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_key_is_named_at_its_line() {
        let text = "targets = [\"linux-64\"]\nindex_url = \"file:///srv\"\n";
        let Err(err) = read_unilock_toml(Path::new("unilock.toml"), text) else {
            panic!("accepted an unknown key");
        };
        assert_eq!(err.origin().map(|o| o.line), Some(2), "{}", err.render());
        assert!(err.render().contains("index_url"), "{}", err.render());
    }

    #[test]
    fn a_pyproject_without_the_table_is_no_configuration() {
        let p = Path::new("pyproject.toml");
        assert!(
            read_tool_table(p, "[project]\nname = \"x\"\n")
                .unwrap()
                .is_none()
        );
        assert!(
            read_tool_table(p, "[tool.black]\nline-length = 1\n")
                .unwrap()
                .is_none()
        );
        let c = read_tool_table(p, "[tool.unilock]\ntargets = [\"linux-64\"]\n")
            .unwrap()
            .unwrap();
        assert_eq!(c.targets.unwrap(), ["linux-64"]);
        assert!(read_tool_table(p, "[tool.unilock]\ntargets = 1\n").is_err());
    }
}
