//! The command-line interface definition: every command, flag and help text.

use clap::{Args, Parser, Subcommand};

const MAIN_EXAMPLES: &str = "\
Examples:
  unilock targets                                   list presets and platforms
  unilock targets describe linux-aarch64,python=3.11
  unilock targets describe centos7,cuda=11.8,cpu=x86_64_v3 --json

Exit codes: 0 success, 1 unsatisfiable, 2 bad usage or invalid input, 3 registry or network failure.";

/// One lock for Python and conda dependencies, resolved jointly for explicit target platforms.
#[derive(Debug, Parser)]
#[command(name = "unilock", version, about, after_help = MAIN_EXAMPLES, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List target presets and platforms, or describe one target.
    #[command(after_help = TARGETS_EXAMPLES, args_conflicts_with_subcommands = true)]
    Targets(TargetsArgs),
}

const TARGETS_EXAMPLES: &str = "\
A target is a platform or preset followed by ,key=value overrides:
  platforms  conda subdirs (linux-64, linux-aarch64, osx-arm64, win-64, ...), Docker names
             (linux/amd64, linux/arm64), Rust triples (aarch64-unknown-linux-musl)
  presets    centos7, rhel8, debian12, ubuntu24.04, alpine3.20, manylinux2014, macos14, windows, ...
  overrides  arch= python= implementation= glibc= musl= linux= cuda= cpu= macos=
conda's CONDA_OVERRIDE_GLIBC, _LINUX, _OSX, _WIN, _CUDA and _ARCHSPEC variables are honoured;
explicit overrides win over them.

Examples:
  unilock targets
  unilock targets --json
  unilock targets describe ubuntu24.04,python=3.12,cuda=12.4
  unilock targets describe linux/arm64,python=3.11,glibc=2.28 --json";

#[derive(Debug, Args)]
pub struct TargetsArgs {
    #[command(subcommand)]
    pub command: Option<TargetsCommand>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TargetsCommand {
    /// Print everything derived from one target: attributes, PEP 508 markers, wheel tags and
    /// conda virtual packages.
    #[command(after_help = DESCRIBE_EXAMPLES)]
    Describe(DescribeArgs),
}

const DESCRIBE_EXAMPLES: &str = "\
Examples:
  unilock targets describe linux-aarch64,python=3.11,glibc=2.28
  unilock targets describe centos7,cuda=11.8,cpu=x86_64_v3 --json
  unilock targets describe macos14,python=3.13 --all-tags
  CONDA_OVERRIDE_CUDA=12.2 unilock targets describe linux-64";

#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// The target: a platform or preset, then optional ,key=value overrides.
    pub target: String,
    /// Print JSON: attributes, `markers`, `wheel_tags` (best first) and `virtual_packages`.
    #[arg(long)]
    pub json: bool,
    /// List every wheel tag instead of the first few.
    #[arg(long)]
    pub all_tags: bool,
}
