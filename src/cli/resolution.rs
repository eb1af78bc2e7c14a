//! The resolution flags pip and uv users already type, shared by `resolve`, `index record` and
//! `migrate`: constraint and override files, the pre-release mode, and `--python-version` /
//! `--python-platform` as another way to write a target. What they do is in
//! `commands::resolution` and docs/resolve.md.

use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Args)]
pub struct ResolutionArgs {
    /// A constraints file (pip's and uv's `-c`; repeatable): requirements-file lines that limit
    /// the versions of packages something else requires, never adding a package; a name
    /// nothing requires is ignored.
    #[arg(
        short = 'c',
        long = "constraint",
        alias = "constraints",
        value_name = "FILE"
    )]
    pub constraint: Vec<PathBuf>,
    /// An overrides file (uv's `--override`; repeatable): each line replaces every requirement
    /// on its package, from the inputs and from any package's metadata.
    #[arg(long = "override", alias = "overrides", value_name = "FILE")]
    pub overrides: Vec<PathBuf>,
    /// Which pre-releases may be chosen, with uv's meanings: disallow, allow (= --pre),
    /// if-necessary (default; also spelled if-necessary-or-explicit): a pre-release only when
    /// no stable version in range is left, explicit: only for packages whose input
    /// requirements name one.
    #[arg(long, value_name = "MODE", conflicts_with = "pre", value_parser = parse_prerelease)]
    pub prerelease: Option<unilock_solver::pypi::PrereleaseMode>,
    /// uv's `--python-version X.Y[.Z]`: the Python of the target (with --python-platform, or
    /// added to each --target that names none).
    #[arg(long, value_name = "X.Y")]
    pub python_version: Option<String>,
    /// uv's `--python-platform` (linux, macos, windows, x86_64-unknown-linux-gnu,
    /// aarch64-apple-darwin, x86_64-manylinux_2_28, …): the one target to resolve for, instead
    /// of --target.
    #[arg(long, value_name = "PLATFORM", conflicts_with = "target")]
    pub python_platform: Option<String>,
}

fn parse_prerelease(value: &str) -> Result<unilock_solver::pypi::PrereleaseMode, String> {
    unilock_solver::pypi::PrereleaseMode::parse(value)
}
