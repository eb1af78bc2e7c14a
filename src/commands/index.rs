//! Where packages come from, for `resolve` and `index record`: the configured locations
//! (command line, environment, input files), the HTTP client's settings, credentials and
//! cache, the prefetch hint for the targets at hand, and the progress display.

use super::files::env_var;
use crate::cli::IndexArgs;
use crate::progress::Progress;
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use unilock_model::document::IndexKind;
use unilock_model::index::ProjectFiles;
use unilock_model::{Diagnostic, Target};
use unilock_registries::cache::{self, Cache};
use unilock_registries::http::auth::{self, Credentials};
use unilock_registries::http::{HttpClient, Settings};
use unilock_registries::remote::Remote;
use unilock_registries::source::{IndexSource, Likely, Location};
use unilock_solver::pypi::{Filter, Project, Request};
use unilock_solver::wheel::TagRanking;
use url::Url;

/// The source of every configured location, with its progress display.
pub struct Configured {
    pub source: IndexSource,
    pub progress: Option<Arc<Progress>>,
    /// The hosts of remote locations (a recording must not name them).
    pub hosts: Vec<String>,
}

/// Builds the source for `args` and the indexes named in input files.
pub fn source(
    args: &IndexArgs,
    from_files: Vec<(IndexKind, String)>,
    targets: &[Target],
    request: &Request,
) -> Result<Configured, Diagnostic> {
    let mut credentials = Credentials::default();
    let locations = locations(args, from_files, &mut credentials)?;
    let mut hosts: Vec<String> = Vec::new();
    for l in &locations {
        if let Location::Index(u) | Location::FindLinksPage(u) = l
            && u.scheme() != "file"
            && let Some(h) = u.host_str()
            && !hosts.iter().any(|x| x == h)
        {
            hosts.push(h.to_string());
        }
    }
    // Files required by URL (`name @ https://…`) come over HTTP too, with the credentials
    // their URL carries.
    let direct = request
        .requirements
        .iter()
        .map(|(r, _)| r)
        .chain(&request.overrides);
    for r in direct {
        if let Some(pep508_rs::VersionOrUrl::Url(u)) = &r.version_or_url {
            let url = u.to_url();
            if matches!(url.scheme(), "http" | "https")
                && let Some(h) = url.host_str()
            {
                credentials.take_from_url(&url);
                if !hosts.iter().any(|x| x == h) {
                    hosts.push(h.to_string());
                }
            }
        }
    }
    let remote_needed = !hosts.is_empty();
    let mut progress = None;
    let remote = if remote_needed {
        let netrc = Credentials::from_netrc(None)
            .map_err(|e| Diagnostic::invalid(format!("netrc: {e}")))?;
        let credentials = credentials.merged_over(netrc);
        let settings = settings(args)?;
        let cache_dir = args
            .cache_dir
            .clone()
            .or_else(|| cache::default_dir(&env_var));
        let cache = cache_dir.map(cache_at).transpose()?;
        let client = HttpClient::new(settings, credentials, cache)
            .map_err(|e| Diagnostic::new(unilock_model::ErrorKind::Registry, e))?;
        let client = match Progress::new() {
            Some(p) => {
                let p = Arc::new(p);
                progress = Some(p.clone());
                client.with_observer(p)
            }
            None => client,
        };
        Some(Remote::new(Arc::new(client)))
    } else {
        None
    };
    let source = IndexSource::new(locations, remote)?.with_likely(likely(targets, request));
    Ok(Configured {
        source,
        progress,
        hosts,
    })
}

/// Retries, timeouts and parallelism: `UNILOCK_HTTP_RETRIES` (further attempts, default 3),
/// `UNILOCK_HTTP_TIMEOUT` (seconds, default 30), `UNILOCK_HTTP_BACKOFF` (seconds before the
/// first retry, default 0.25), `UNILOCK_HTTP_CONCURRENCY` (requests at once, default 32).
fn settings(args: &IndexArgs) -> Result<Settings, Diagnostic> {
    let mut s = Settings {
        offline: args.offline,
        ..Settings::default()
    };
    let number = |name: &str| -> Result<Option<f64>, Diagnostic> {
        match env_var(name).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n >= 0.0)
                .map(Some)
                .ok_or_else(|| {
                    Diagnostic::usage(format!("{name}={v}: expected a number of at least 0"))
                }),
        }
    };
    if let Some(n) = number("UNILOCK_HTTP_RETRIES")? {
        s.retries = n as u32;
    }
    if let Some(n) = number("UNILOCK_HTTP_TIMEOUT")? {
        s.timeout = Duration::from_secs_f64(n.max(0.001));
    }
    if let Some(n) = number("UNILOCK_HTTP_BACKOFF")? {
        s.backoff = Duration::from_secs_f64(n);
    }
    if let Some(n) = number("UNILOCK_HTTP_CONCURRENCY")? {
        s.concurrency = (n as usize).max(1);
    }
    Ok(s)
}

/// The files each target would choose first: of the newest usable version (and the version
/// an existing lock pins), the best wheel for the target, else the sdist.
fn likely(targets: &[Target], request: &Request) -> Likely {
    let filters: Vec<Arc<Filter>> = targets
        .iter()
        .map(|t| {
            Arc::new(Filter {
                ranking: TagRanking::new(t),
                python: t.marker_environment().python_full_version().version.clone(),
                only_binary: request.only_binary,
            })
        })
        .collect();
    let pre = request.pre;
    let preferences = request.preferences.clone();
    Arc::new(move |files: &Arc<ProjectFiles>| {
        let preferred = pep508_rs::PackageName::new(files.name.clone())
            .ok()
            .and_then(|n| preferences.get(&n).cloned());
        let mut chosen: Vec<usize> = Vec::new();
        for filter in &filters {
            let project = Project::new(files.clone(), filter.clone());
            for i in project.likely(pre, preferred.as_ref()) {
                if !chosen.contains(&i) {
                    chosen.push(i);
                }
            }
        }
        chosen
    })
}

/// Where packages come from: command line, then environment, then the input files. Index
/// URLs lose their credentials to `credentials`.
fn locations(
    args: &IndexArgs,
    from_files: Vec<(IndexKind, String)>,
    credentials: &mut Credentials,
) -> Result<Vec<Location>, Diagnostic> {
    let var = |names: &[&str]| names.iter().find_map(|n| env_var(n));
    let default = args
        .index_url
        .clone()
        .or_else(|| var(&["UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL"]))
        .or_else(|| {
            from_files
                .iter()
                .find(|(k, _)| *k == IndexKind::Default)
                .map(|(_, u)| u.clone())
        })
        .unwrap_or_else(|| unilock_registries::DEFAULT_INDEX_URL.to_string());
    let mut extra: Vec<String> = args.extra_index_url.clone();
    if let Some(v) = var(&["UV_EXTRA_INDEX_URL", "PIP_EXTRA_INDEX_URL"]) {
        extra.extend(v.split_whitespace().map(str::to_string));
    }
    extra.extend(
        from_files
            .iter()
            .filter(|(k, _)| *k == IndexKind::Extra)
            .map(|(_, u)| u.clone()),
    );
    let mut find_links: Vec<String> = args.find_links.clone();
    find_links.extend(
        from_files
            .iter()
            .filter(|(k, _)| *k == IndexKind::FindLinks)
            .map(|(_, u)| u.clone()),
    );
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    // uv's order: extra indexes before the default one; the first that has a package wins.
    if !args.no_index {
        for url in extra.iter().chain(std::iter::once(&default)) {
            let location = index_location(url, credentials)?;
            if seen.insert(location.clone()) {
                out.push(location);
            }
        }
    }
    for f in find_links {
        let location = match Url::parse(&f) {
            Ok(u) if u.scheme() == "file" => {
                Location::FindLinks(u.to_file_path().map_err(|()| {
                    Diagnostic::usage(format!("--find-links {f}: not a local path"))
                })?)
            }
            Ok(u) if matches!(u.scheme(), "http" | "https") => {
                Location::FindLinksPage(credentials.take_from_url(&u))
            }
            Ok(u) if u.scheme().len() > 1 => {
                return Err(Diagnostic::usage(format!(
                    "--find-links {}: only file, http and https locations are read",
                    auth::redact(&f)
                )));
            }
            _ => Location::FindLinks(PathBuf::from(&f)),
        };
        if seen.insert(location.clone()) {
            out.push(location);
        }
    }
    Ok(out)
}

fn index_location(url: &str, credentials: &mut Credentials) -> Result<Location, Diagnostic> {
    match Url::parse(url) {
        Ok(mut u) if matches!(u.scheme(), "file" | "http" | "https") => {
            if !u.path().ends_with('/') {
                u.set_path(&format!("{}/", u.path()));
            }
            Ok(Location::Index(credentials.take_from_url(&u)))
        }
        Ok(u) if u.scheme().len() > 1 => Err(Diagnostic::usage(format!(
            "index {}: only file, http and https indexes are read",
            auth::redact(url)
        ))),
        _ => {
            let path = std::path::absolute(url)
                .map_err(|e| Diagnostic::usage(format!("index {url}: {e}")))?;
            Url::from_directory_path(&path)
                .map(Location::Index)
                .map_err(|()| Diagnostic::usage(format!("index {url}: not a directory path")))
        }
    }
}

/// `unilock index record`: resolves the inputs for every target against the configured
/// indexes and writes what the solver consulted as a file:// index (see
/// `unilock_registries::record`).
pub fn record(args: crate::cli::RecordArgs) -> Result<(), Diagnostic> {
    use unilock_registries::record::{self, Recorder};
    // A snapshot serves every extra and group of its inputs.
    let groups = super::resolve::Groups {
        names: Vec::new(),
        all: true,
    };
    let super::resolve::Setup {
        targets,
        request,
        indexes: from_files,
    } = super::resolve::setup(
        &args.target,
        &args.inputs,
        &groups,
        args.pre,
        args.only_binary,
    )?;
    let configured = source(&args.index, from_files, &targets, &request)?;
    let recorder = Recorder::new(&configured.source);
    let outcome = record_resolutions(&recorder, &targets, &request, args.consistent);
    if let Some(p) = &configured.progress {
        p.finish();
    }
    outcome?;
    let mut provenance = String::from("requirements:\n");
    for (r, _) in &request.requirements {
        provenance.push_str(&format!("  {r}\n"));
    }
    provenance.push_str("targets:\n");
    for t in &targets {
        provenance.push_str(&format!("  {}\n", t.spec()));
    }
    let options: Vec<&str> = [
        (args.consistent, "--consistent"),
        (args.pre, "--pre"),
        (args.only_binary, "--only-binary"),
    ]
    .into_iter()
    .filter_map(|(on, name)| on.then_some(name))
    .collect();
    if !options.is_empty() {
        provenance.push_str(&format!("options: {}\n", options.join(" ")));
    }
    let fetch = |f: &unilock_model::index::DistFile| configured.source.download(f);
    let mut hosts = configured.hosts.clone();
    if let Some(remote) = configured.source.remote() {
        hosts.extend(remote.client.contacted_hosts());
    }
    let mode = if args.merge {
        record::Mode::Merge
    } else {
        record::Mode::Replace
    };
    let summary = record::write(&recorder, &args.into, &provenance, &hosts, &fetch, mode)?;
    for why in &summary.left_out {
        eprintln!("note: left out {why}");
    }
    eprintln!(
        "recorded {} projects into {} ({} files listed, {} metadata files, {} file bodies written{})",
        summary.projects,
        args.into.display(),
        summary.files,
        summary.metadata_files,
        summary.bodies,
        if args.merge {
            format!(", {} files kept from the earlier snapshot", summary.kept)
        } else {
            String::new()
        },
    );
    Ok(())
}

/// Resolves `request` for each target on its own and, with `consistent`, for all of them
/// with one version per package, printing the warnings; the first failure ends it.
fn record_resolutions(
    source: &dyn unilock_model::index::PackageSource,
    targets: &[Target],
    request: &Request,
    consistent: bool,
) -> Result<(), Diagnostic> {
    for target in targets {
        let resolution = unilock_solver::pypi::resolve(source, target, request)?;
        for w in &resolution.warnings {
            eprintln!("warning: {}: {w}", target.spec());
        }
    }
    if consistent {
        unilock_solver::pypi::resolve_consistent(source, targets, request)?;
    }
    Ok(())
}

/// The cache in `dir`, its entries limited to `UNILOCK_MAX_CACHE_ENTRY_BYTES` (default
/// [`cache::MAX_ENTRY_BYTES`]).
fn cache_at(dir: std::path::PathBuf) -> Result<Cache, Diagnostic> {
    let cache = Cache::new(dir);
    match env_var("UNILOCK_MAX_CACHE_ENTRY_BYTES").filter(|v| !v.is_empty()) {
        None => Ok(cache),
        Some(v) => v
            .trim()
            .parse::<u64>()
            .map(|max| cache.with_max_entry_bytes(max))
            .map_err(|_| {
                Diagnostic::usage(format!(
                    "UNILOCK_MAX_CACHE_ENTRY_BYTES={v}: expected a number of bytes"
                ))
            }),
    }
}
