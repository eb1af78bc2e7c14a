//! `unilock check`: reads the lock and the targets, runs the check (`unilock_check`), prints
//! the report and turns its outcome into the exit code.

use super::files::{env_var, read_input};
use super::print;
use crate::cli::{CheckArgs, IndexArgs};
use crate::progress::Progress;
use std::path::PathBuf;
use std::sync::Arc;
use unilock_check::fetch::ArtifactSource;
use unilock_check::report::Report;
use unilock_check::run::{Options, check as run};
use unilock_model::{Diagnostic, ErrorKind, Lock, Target};
use unilock_registries::http::auth::Credentials;

pub fn check(args: CheckArgs) -> Result<(), Diagnostic> {
    if args.list_images {
        return print(&unilock_check::report::image_listing());
    }
    let path = args
        .lock
        .clone()
        .unwrap_or_else(|| PathBuf::from("unilock.lock"));
    let lock = Lock::from_toml(&read_input(&path)?, &path.display().to_string())?;
    let targets = args
        .target
        .iter()
        .map(|t| Target::parse(t, &env_var))
        .collect::<Result<Vec<_>, _>>()?;
    run_and_print(
        &lock,
        &targets,
        args.base_image.clone(),
        args.cache_dir.clone(),
        args.offline,
        args.json,
    )
}

/// Checks `lock` on `targets`, prints the report (text or JSON) and returns its outcome.
pub fn run_and_print(
    lock: &Lock,
    targets: &[Target],
    base_image: Option<String>,
    cache_dir: Option<PathBuf>,
    offline: bool,
    json: bool,
) -> Result<(), Diagnostic> {
    let (source, progress) = artifact_source(cache_dir, offline)?;
    let report = run(lock, targets, &Options { base_image }, &source);
    if let Some(p) = &progress {
        p.finish();
    }
    let report = report?;
    print(&if json {
        report.to_json() + "\n"
    } else {
        report.to_text()
    })?;
    outcome(&report)
}

/// The exit code of a report: 4 when a check failed, 3 when an artifact could not be read.
pub fn outcome(report: &Report) -> Result<(), Diagnostic> {
    if report.failed() {
        return Err(Diagnostic::new(
            ErrorKind::CheckFailed,
            "the check failed: a target lacks what the lock needs (errors above)",
        ));
    }
    if report.incomplete() {
        return Err(Diagnostic::new(
            ErrorKind::Registry,
            "some artifacts could not be read, so the check is incomplete (see above)",
        ));
    }
    Ok(())
}

/// Reads artifacts over HTTP (with progress) and keeps their facts in the cache.
pub fn artifact_source(
    cache_dir: Option<PathBuf>,
    offline: bool,
) -> Result<(ArtifactSource, Option<Arc<Progress>>), Diagnostic> {
    let index = IndexArgs {
        index_url: None,
        extra_index_url: Vec::new(),
        find_links: Vec::new(),
        no_index: false,
        cache_dir,
        offline,
    };
    let netrc =
        Credentials::from_netrc(None).map_err(|e| Diagnostic::invalid(format!("netrc: {e}")))?;
    let (client, cache, progress) = super::index::http_client(&index, netrc)?;
    let source = ArtifactSource::new(Some(client), cache, offline)
        .map_err(|e| Diagnostic::new(ErrorKind::Registry, e))?;
    Ok((source, progress))
}
