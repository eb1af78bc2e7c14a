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
use unilock_solver::request::{FileIndex, Groups};
use unilock_solver::wheel::TagRanking;
use url::Url;

/// The source of every configured location, with its progress display.
pub struct Configured {
    /// Shared with the background builds of [`Configured::building`].
    pub source: Arc<IndexSource>,
    /// How sdists whose dependencies are not static are built (`--python`, `--no-build`).
    pub builds: unilock_build::Settings,
    pub progress: Option<Arc<Progress>>,
    /// The hosts of remote locations (a recording must not name them).
    pub hosts: Vec<String>,
}

impl Configured {
    /// The source resolution reads through: the indexes, with sdists whose dependencies are
    /// not static built on the host as `builds` says.
    pub fn building(&self) -> unilock_build::BuildingSource {
        unilock_build::BuildingSource::new(self.source.clone(), self.builds.clone())
    }
}

/// Builds the source for `args` and the indexes named in input files.
pub fn source(
    args: &IndexArgs,
    from_files: Vec<FileIndex>,
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
        .chain(&request.overrides)
        .chain(&request.constraints);
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
        let (client, _, shown) = http_client(args, credentials)?;
        progress = shown;
        Some(Remote::new(client))
    } else {
        None
    };
    let source = IndexSource::new(locations, remote)?.with_likely(likely(targets, request));
    let builds = unilock_build::Settings {
        offline: args.offline,
        cache: args
            .cache_dir
            .clone()
            .or_else(|| cache::default_dir(&env_var))
            .map(Cache::new),
        ..unilock_build::Settings::default()
    };
    Ok(Configured {
        source: Arc::new(source),
        builds,
        progress,
        hosts,
    })
}

/// An HTTP client, the cache it keeps and its progress bar (when stderr is a terminal).
pub(super) type Client = (Arc<HttpClient>, Option<Cache>, Option<Arc<Progress>>);

/// The HTTP client of `args` (settings from the environment, the cache, `credentials`), with a
/// progress bar on stderr when it is a terminal; also the cache it keeps.
pub(super) fn http_client(
    args: &IndexArgs,
    credentials: Credentials,
) -> Result<Client, Diagnostic> {
    let settings = settings(args)?;
    let cache = args
        .cache_dir
        .clone()
        .or_else(|| cache::default_dir(&env_var))
        .map(|dir| cache_at(dir, &settings))
        .transpose()?;
    let client = HttpClient::new(settings, credentials, cache.clone())
        .map_err(|e| Diagnostic::new(unilock_model::ErrorKind::Registry, e))?;
    let mut progress = None;
    let client = match Progress::new() {
        Some(p) => {
            let p = Arc::new(p);
            progress = Some(p.clone());
            client.with_observer(p)
        }
        None => client,
    };
    Ok((Arc::new(client), cache, progress))
}

/// Retries, timeouts and parallelism: `UNILOCK_HTTP_RETRIES` (further attempts, default 3),
/// `UNILOCK_HTTP_TIMEOUT` (seconds, default 30), `UNILOCK_HTTP_DEADLINE` (seconds for a whole
/// attempt, default 300), `UNILOCK_HTTP_BACKOFF` (seconds before the
/// first retry, default 0.25), `UNILOCK_HTTP_CONCURRENCY` (requests at once, default 32),
/// `UNILOCK_MAX_PAGE_BYTES` (default 256 MiB), `UNILOCK_MAX_DOWNLOAD_BYTES` (default 4 GiB).
pub(super) fn settings(args: &IndexArgs) -> Result<Settings, Diagnostic> {
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
    if let Some(n) = number("UNILOCK_HTTP_DEADLINE")? {
        s.deadline = Duration::from_secs_f64(n.max(0.001));
    }
    if let Some(n) = number("UNILOCK_HTTP_BACKOFF")? {
        s.backoff = Duration::from_secs_f64(n);
    }
    if let Some(n) = number("UNILOCK_HTTP_CONCURRENCY")? {
        s.concurrency = (n as usize).max(1);
    }
    if let Some(n) = number("UNILOCK_MAX_PAGE_BYTES")? {
        s.max_page_bytes = n as u64;
    }
    if let Some(n) = number("UNILOCK_MAX_DOWNLOAD_BYTES")? {
        s.max_download_bytes = n as u64;
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
                binary: request.binary.clone(),
            })
        })
        .collect();
    let pre = request.prerelease == unilock_solver::pypi::PrereleaseMode::Allow;
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
///
/// Every location is checked before anything is resolved: a URL that does not parse, a scheme
/// that is not read, or a local directory that does not exist is an error (exit 2) naming the
/// location and where it was given — never silently dropped, which would leave only the other
/// indexes (a private package then comes from a public index).
fn locations(
    args: &IndexArgs,
    from_files: Vec<FileIndex>,
    credentials: &mut Credentials,
) -> Result<Vec<Location>, Diagnostic> {
    let var = |names: &[&'static str]| {
        names
            .iter()
            .find_map(|n| env_var(n).map(|v| (v, n.to_string())))
    };
    let default: (String, String) = args
        .index_url
        .clone()
        .map(|u| (u, "--index-url".to_string()))
        .or_else(|| var(&["UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL"]))
        .or_else(|| {
            from_files
                .iter()
                .find(|f| f.kind == IndexKind::Default)
                .map(|f| (f.url.clone(), f.origin.clone()))
        })
        .unwrap_or_else(|| {
            (
                unilock_registries::DEFAULT_INDEX_URL.to_string(),
                "the default index".to_string(),
            )
        });
    let mut extra: Vec<(String, String)> = args
        .extra_index_url
        .iter()
        .map(|u| (u.clone(), "--extra-index-url".to_string()))
        .collect();
    if let Some((v, name)) = var(&["UV_EXTRA_INDEX_URL", "PIP_EXTRA_INDEX_URL"]) {
        extra.extend(v.split_whitespace().map(|u| (u.to_string(), name.clone())));
    }
    extra.extend(
        from_files
            .iter()
            .filter(|f| f.kind == IndexKind::Extra)
            .map(|f| (f.url.clone(), f.origin.clone())),
    );
    let mut find_links: Vec<(String, String)> = args
        .find_links
        .iter()
        .map(|u| (u.clone(), "--find-links".to_string()))
        .collect();
    find_links.extend(
        from_files
            .iter()
            .filter(|f| f.kind == IndexKind::FindLinks)
            .map(|f| (f.url.clone(), f.origin.clone())),
    );
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    // uv's order: extra indexes before the default one; the first that has a package wins.
    if !args.no_index {
        for (url, by) in extra.iter().chain(std::iter::once(&default)) {
            let location = match checked_location(url, by, "index")? {
                Checked::Url(mut u) => {
                    if !u.path().ends_with('/') {
                        u.set_path(&format!("{}/", u.path()));
                    }
                    Location::Index(credentials.take_from_url(&u))
                }
                Checked::Dir(path) => {
                    Location::Index(Url::from_directory_path(&path).map_err(|()| {
                        Diagnostic::usage(format!("{by}: index {url}: not a directory path"))
                    })?)
                }
            };
            if seen.insert(location.clone()) {
                out.push(location);
            }
        }
    }
    for (url, by) in &find_links {
        let location = match checked_location(url, by, "find-links location")? {
            Checked::Url(u) => Location::FindLinksPage(credentials.take_from_url(&u)),
            Checked::Dir(path) => Location::FindLinks(path),
        };
        if seen.insert(location.clone()) {
            out.push(location);
        }
    }
    Ok(out)
}

/// A location that passed [`checked_location`].
enum Checked {
    /// An http(s) URL.
    Url(Url),
    /// A local directory that exists (from a path or a `file://` URL).
    Dir(PathBuf),
}

/// `location` (given by `by`, a flag, variable or `file:line:col`) as an http(s) URL or an
/// existing local directory; anything else is an error naming it.
fn checked_location(location: &str, by: &str, what: &str) -> Result<Checked, Diagnostic> {
    let shown = auth::redact(location.trim());
    let bad = |why: String| {
        Diagnostic::usage(format!("{by}: {what} `{shown}` {why}")).note(
            "an index is an http:// or https:// URL, a file:// URL or the path of a local directory",
        )
    };
    let text = location.trim();
    let path = if looks_like_url(text) {
        let url = Url::parse(text).map_err(|e| bad(format!("is not a valid URL: {e}")))?;
        match url.scheme() {
            "http" | "https" if url.host_str().is_some_and(|h| !h.is_empty()) => {
                return Ok(Checked::Url(url));
            }
            "http" | "https" => return Err(bad("names no host".into())),
            "file" => url
                .to_file_path()
                .map_err(|()| bad("is not a local path".into()))?,
            other => {
                return Err(bad(format!(
                    "has the scheme `{other}`; only file, http and https are read"
                )));
            }
        }
    } else {
        std::path::absolute(text).map_err(|e| bad(format!("is not a usable path: {e}")))?
    };
    if !path.is_dir() {
        return Err(bad(format!("is not a directory: {}", path.display())));
    }
    Ok(Checked::Dir(path))
}

/// Whether `text` is written as a URL (`scheme:` of two or more characters, so `C:\dir` stays
/// a path), rather than as a path.
fn looks_like_url(text: &str) -> bool {
    text.contains("://")
        || text.split_once(':').is_some_and(|(scheme, _)| {
            scheme.len() > 1
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        })
}

/// `unilock index record`: resolves the inputs for every target against the configured
/// indexes and writes what the solver consulted as a file:// index (see
/// `unilock_registries::record`).
pub fn record(args: crate::cli::RecordArgs) -> Result<(), Diagnostic> {
    use unilock_registries::record::{self, Recorder};
    // A snapshot serves every extra and group of its inputs.
    let groups = Groups::every();
    let target_specs = super::resolution::targets(&args.resolution, &args.target)?;
    let (targets, mut inputs) = super::resolve::setup(
        &target_specs,
        &args.inputs,
        &groups,
        args.pre,
        args.binary.policy()?,
        &super::sources::git_settings(&args.index),
    )?;
    super::resolution::apply(&args.resolution, &mut inputs.pypi)?;
    let unilock_solver::request::Inputs {
        pypi: request,
        conda,
        indexes: from_files,
        ..
    } = inputs;
    if let Some((spec, origin)) = conda.specs.first() {
        return Err(Diagnostic::usage(format!(
            "{origin}: `{spec}` is a conda spec; `unilock index record` records Python package indexes only"
        )));
    }
    let configured = source(&args.index, from_files, &targets, &request)?;
    let recorder = Recorder::new(&*configured.source);
    let outcome = record_resolutions(
        &recorder,
        &targets,
        &request,
        args.consistent,
        args.allow_unsatisfiable,
    );
    if let Some(p) = &configured.progress {
        p.finish();
    }
    print_warnings(&configured.source);
    let unsatisfiable = outcome?;
    let mut provenance = String::from("requirements:\n");
    for (r, _) in &request.requirements {
        provenance.push_str(&format!("  {r}\n"));
    }
    provenance.push_str("targets:\n");
    for t in &targets {
        provenance.push_str(&format!("  {}\n", t.spec()));
    }
    let mut options: Vec<String> = [(args.consistent, "--consistent"), (args.pre, "--pre")]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| name.to_string())
        .collect();
    if !request.binary.is_default() {
        options.push(request.binary.to_string());
    }
    if !options.is_empty() {
        provenance.push_str(&format!("options: {}\n", options.join(" ")));
    }
    if !unsatisfiable.is_empty() {
        provenance.push_str(&format!("unsatisfiable: {}\n", unsatisfiable.join(", ")));
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
        crate::output::note(format_args!("left out {why}"));
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
/// with one version per package, printing the warnings; the first failure ends it, unless it
/// is a resolution with no solution and `allow_unsatisfiable` is set: then its explanation is
/// printed as a note and the targets it failed for are returned.
fn record_resolutions(
    source: &dyn unilock_model::index::PackageSource,
    targets: &[Target],
    request: &Request,
    consistent: bool,
    allow_unsatisfiable: bool,
) -> Result<Vec<String>, Diagnostic> {
    let mut unsatisfiable = Vec::new();
    let mut allowed = |outcome: Result<(), Diagnostic>, what: &str| match outcome {
        Err(e) if allow_unsatisfiable && e.kind() == unilock_model::ErrorKind::Unsatisfiable => {
            crate::output::note(format_args!(
                "recorded although unsatisfiable: {}",
                e.render()
            ));
            unsatisfiable.push(what.to_string());
            Ok(())
        }
        other => other,
    };
    for target in targets {
        let outcome = unilock_solver::pypi::resolve(source, target, request).map(|resolution| {
            for w in &resolution.warnings {
                crate::output::warn(format_args!("{}: {w}", target.spec()));
            }
        });
        allowed(outcome, target.spec())?;
    }
    if consistent {
        let requests: Vec<unilock_solver::joint::JointRequest> = targets
            .iter()
            .map(|_| unilock_solver::joint::JointRequest {
                pypi: request.clone(),
                ..Default::default()
            })
            .collect();
        let outcome = unilock_solver::joint::resolve_consistent(
            &unilock_model::channel::NoChannels,
            source,
            targets,
            &requests,
        )
        .map(|_| ());
        allowed(outcome, "--consistent")?;
    }
    Ok(unsatisfiable)
}

/// Prints what the source warns about the pages it read (files it left out, …).
pub fn print_warnings(source: &IndexSource) {
    for w in source.take_warnings() {
        crate::output::warn(w);
    }
}

/// The cache in `dir`, its entries limited to `UNILOCK_MAX_CACHE_ENTRY_BYTES`, else to the
/// largest page `settings` allows with room for its header (by default
/// [`cache::MAX_ENTRY_BYTES`]), so a page that may be fetched may also be kept.
pub(super) fn cache_at(dir: std::path::PathBuf, settings: &Settings) -> Result<Cache, Diagnostic> {
    let cache = Cache::new(dir);
    match env_var("UNILOCK_MAX_CACHE_ENTRY_BYTES").filter(|v| !v.is_empty()) {
        None => Ok(cache.with_max_entry_bytes(
            settings
                .max_page_bytes
                .saturating_add(cache::ENTRY_HEADER_ROOM),
        )),
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
