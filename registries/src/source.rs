//! The one [`PackageSource`] resolution reads through: every configured [`Location`] in
//! order — simple indexes (`file://` read from disk by [`crate::local`], `http(s)://` through
//! [`Remote`]), find-links directories and find-links pages — combined as uv combines them:
//! the first index that has a project is the only index its files come from (so a private
//! package cannot be shadowed by a same-named public one), and find-links files are added.
//!
//! Concurrency: requests run on a tokio runtime owned by the source. Each project page and
//! each file's metadata has one slot that is filled once; [`PackageSource::prefetch`] starts
//! filling the project's slot in the background and, once the page is known, the metadata
//! slots of the files most likely to be chosen ([`Likely`]); [`PackageSource::project`] and
//! [`PackageSource::metadata`] block on their slot, whether the fetch is in flight or not yet
//! started. The solver stays synchronous; it must not call in from inside this runtime.
//! The runtime has two workers and at most [`BLOCKING_THREADS`] blocking threads (the host
//! name lookups of new connections run there).
//!
//! Builds are not this crate's: when a likely file is an sdist whose metadata only a build
//! tells ([`Metadata::NeedsBuild`]), the prefetch hands it to the [`BuildAhead`] hook that the
//! build crate installed ([`IndexSource::build_ahead`]), with a [`Prefetcher`] through which
//! the build, once done, has the dependencies its metadata names prefetched in turn.

use crate::http::{Failure, FetchError};
use crate::local;
use crate::remote::Remote;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};
use tokio::sync::OnceCell;
use unilock_model::index::{
    CoreMetadata, DirectFile, DistFile, FileKind, Files, Metadata, PackageSource, ProjectFiles,
    version_of,
};
use unilock_model::{Diagnostic, ErrorKind};
use url::Url;
/// The blocking threads of the runtime at most. Each new connection looks its host up on one;
/// tokio's default (512) let a cold resolve start about ninety, each with its own stack and
/// allocator heap, which doubled the peak memory of a cold run for no speed.
const BLOCKING_THREADS: usize = 4;

/// One place packages come from, in priority order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Location {
    /// The root URL of a simple index (`file:///srv/simple/`, `https://host/simple/`), with a
    /// trailing slash and without credentials.
    Index(Url),
    /// A local directory of distribution files (`--find-links DIR`).
    FindLinks(PathBuf),
    /// An HTML page of links to distribution files (`--find-links https://…`).
    FindLinksPage(Url),
}

impl Location {
    fn is_remote(&self) -> bool {
        match self {
            Location::Index(u) | Location::FindLinksPage(u) => u.scheme() != "file",
            Location::FindLinks(_) => false,
        }
    }
}

/// Which files of a project are likely to be chosen (indexes into its files), for metadata
/// prefetching. [`newest_files`] is the default.
pub type Likely = Arc<dyn Fn(&Arc<ProjectFiles>) -> Vec<usize> + Send + Sync>;

type Slot<T> = Arc<OnceCell<Result<T, Diagnostic>>>;

/// Takes a likely sdist whose metadata only a build tells, found by the prefetch, to build it
/// in the background. Called on the source's runtime: it must hand the work over and return
/// at once.
pub type BuildAhead = Arc<dyn Fn(Ahead) + Send + Sync>;

/// A likely sdist to build ahead of the solver.
pub struct Ahead {
    /// The normalised name of its project.
    pub project: String,
    pub file: DistFile,
    /// Prefetches what the built metadata names.
    pub then: Prefetcher,
}

/// Prefetches the dependencies of metadata learnt outside the source (from a build), from
/// any thread; does nothing once the source is gone.
#[derive(Clone)]
pub struct Prefetcher {
    shared: Weak<Shared>,
    runtime: tokio::runtime::Handle,
}

impl Prefetcher {
    /// Fetches ahead the pages (and likely files' metadata) of the dependencies `metadata`
    /// names outside extras, as for metadata the index served.
    pub fn dependencies(&self, metadata: &CoreMetadata) {
        let Some(shared) = self.shared.upgrade() else {
            return;
        };
        for dependency in metadata
            .requires_dist
            .iter()
            .filter_map(|r| likely_dependency(r))
        {
            if lock(&shared.prefetched).insert(dependency.clone()) {
                self.runtime.spawn(shared.clone().prefetch(dependency));
            }
        }
    }
}

struct Shared {
    locations: Vec<Location>,
    remote: Option<Remote>,
    projects: Mutex<HashMap<String, Slot<Option<Arc<ProjectFiles>>>>>,
    metadata: Mutex<HashMap<String, Slot<Metadata>>>,
    pages: Mutex<HashMap<Url, Slot<Vec<DistFile>>>>,
    prefetched: Mutex<HashSet<String>>,
    likely: Likely,
    /// Where likely sdists that need a build go ([`IndexSource::build_ahead`]).
    ahead: Mutex<Option<BuildAhead>>,
    /// What the user should hear about the pages read (files left out, …), in order.
    warnings: Mutex<Vec<String>>,
}

/// Indexes and find-links locations, local and remote, as one source.
pub struct IndexSource {
    shared: Arc<Shared>,
    /// Always `Some` until the source is dropped.
    runtime: Option<tokio::runtime::Runtime>,
}

impl IndexSource {
    /// A source over `locations`; `remote` is required when any location is not local.
    pub fn new(locations: Vec<Location>, remote: Option<Remote>) -> Result<Self, Diagnostic> {
        if remote.is_none()
            && let Some(l) = locations.iter().find(|l| l.is_remote())
        {
            return Err(Diagnostic::new(
                ErrorKind::Usage,
                format!("{l:?} needs the HTTP client"),
            ));
        }
        let runtime = if remote.is_some() {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .max_blocking_threads(BLOCKING_THREADS)
                .enable_all()
                .build()
        } else {
            tokio::runtime::Builder::new_current_thread().build()
        }
        .map_err(|e| {
            Diagnostic::new(
                ErrorKind::Registry,
                format!("cannot start the runtime: {e}"),
            )
        })?;
        Ok(IndexSource {
            shared: Arc::new(Shared {
                locations,
                remote,
                projects: Mutex::default(),
                metadata: Mutex::default(),
                pages: Mutex::default(),
                prefetched: Mutex::default(),
                likely: Arc::new(|p: &Arc<ProjectFiles>| newest_files(p)),
                ahead: Mutex::default(),
                warnings: Mutex::default(),
            }),
            runtime: Some(runtime),
        })
    }

    /// Sets which files' metadata [`PackageSource::prefetch`] fetches ahead.
    pub fn with_likely(mut self, likely: Likely) -> Self {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.likely = likely;
        }
        self
    }

    /// Hands the likely sdists the prefetch finds to need a build to `hook` from now on
    /// (`None`: to nobody, as before any call).
    pub fn build_ahead(&self, hook: Option<BuildAhead>) {
        *lock(&self.shared.ahead) = hook;
    }

    /// Whether [`PackageSource::prefetch`] fetches anything ahead (only remote locations are
    /// worth it).
    pub fn prefetches(&self) -> bool {
        self.shared.remote.is_some()
    }

    pub fn remote(&self) -> Option<&Remote> {
        self.shared.remote.as_ref()
    }

    /// The warnings about the pages read since the last call (files left out of a page, …),
    /// each once, for the command to show.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *lock(&self.shared.warnings))
    }

    /// The bytes of `file`, checked against the index's hash and size (for recording).
    pub fn download(&self, file: &DistFile) -> Result<Vec<u8>, Diagnostic> {
        let url =
            Url::parse(&file.url).map_err(|e| registry(format!("{}: not a URL: {e}", file.url)))?;
        let expected = crate::http::Expected {
            size: file.size,
            sha256: file.hashes.get("sha256").cloned(),
        };
        if url.scheme() == "file" {
            let path = url
                .to_file_path()
                .map_err(|()| registry(format!("{url}: not a local path")))?;
            let bytes =
                std::fs::read(&path).map_err(|e| registry(format!("{}: {e}", path.display())))?;
            expected
                .check(&url, &bytes)
                .map_err(|e| fetch_error(e, &file.filename))?;
            return Ok(bytes);
        }
        let remote = self.remote_or_err()?;
        self.runtime()
            .block_on(remote.client.download(&url, &expected))
            .map(|b| b.to_vec())
            .map_err(|e| fetch_error(e, &file.filename))
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        match &self.runtime {
            Some(r) => r,
            None => unreachable!("the runtime lives as long as the source"),
        }
    }

    fn remote_or_err(&self) -> Result<&Remote, Diagnostic> {
        self.shared
            .remote
            .as_ref()
            .ok_or_else(|| registry("no HTTP client for a remote file".into()))
    }
}

impl Drop for IndexSource {
    /// Prefetches still in flight (a host name being looked up, a page nobody asked for yet)
    /// are abandoned rather than waited for.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl PackageSource for IndexSource {
    fn project(&self, name: &str) -> Result<Option<Arc<ProjectFiles>>, Diagnostic> {
        let slot = self.shared.project_slot(name);
        if let Some(done) = slot.get() {
            return done.clone();
        }
        self.runtime().block_on(self.shared.clone().project(name))
    }

    fn metadata(&self, project: &ProjectFiles, file: &DistFile) -> Result<Metadata, Diagnostic> {
        let slot = self.shared.metadata_slot(&file.url);
        if let Some(done) = slot.get() {
            return done.clone();
        }
        self.runtime().block_on(
            self.shared
                .clone()
                .metadata(project.name.clone(), file.clone()),
        )
    }

    fn direct(&self, name: &str, url: &str) -> Result<DirectFile, Diagnostic> {
        let reference = crate::direct::Reference::parse(name, url)?;
        if reference.url.scheme() == "file" {
            return crate::direct::read_local(&reference);
        }
        let remote = self.remote_or_err()?;
        let cache = remote.client.cache();
        let recorded = reference.recorded_url();
        // A stored file is used offline, and whenever the URL pins the hash it has.
        if let Some(hit) = cache.and_then(|c| c.read_direct(&recorded))
            && (remote.client.settings().offline
                || reference.sha256.as_ref() == hit.file.hashes.get("sha256"))
        {
            return Ok(hit);
        }
        let bytes = self
            .runtime()
            .block_on(remote.client.download(
                &crate::http::auth::strip(&reference.url),
                &reference.expected(),
            ))
            .map_err(|e| fetch_error(e, &reference.filename))?;
        let direct = crate::direct::describe(&reference, &bytes)?;
        if let Some(cache) = cache {
            // A cache that cannot be written only costs a later download.
            let _ = cache.write_direct(&direct);
        }
        Ok(direct)
    }

    fn prefetch(&self, name: &str) {
        if !self.prefetches() || !lock(&self.shared.prefetched).insert(name.into()) {
            return;
        }
        self.runtime()
            .spawn(self.shared.clone().prefetch(name.to_string()));
    }

    fn prefetch_metadata(&self, project: &ProjectFiles, files: &[DistFile]) {
        if !self.prefetches() {
            return;
        }
        for file in files {
            let shared = self.shared.clone();
            let (name, file) = (project.name.clone(), file.clone());
            // A failure here is met again, and reported, when the solver reads the file.
            self.runtime().spawn(async move {
                let _ = shared.metadata(name, file).await;
            });
        }
    }
}

impl Shared {
    /// Fetches the page of `name` and the metadata of its likely files, then does the same
    /// for the dependencies that metadata names (those not under an extra), so the likely
    /// dependency tree arrives while the solver is still working on its top. A likely sdist
    /// whose metadata needs a build goes to the [`BuildAhead`] hook, which carries the chain on.
    fn prefetch(
        self: Arc<Self>,
        name: String,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        Box::pin(async move {
            let Ok(Some(project)) = self.clone().project(&name).await else {
                return;
            };
            for i in (self.likely)(&project) {
                let Some(file) = project.files.get(i).map(std::borrow::Cow::into_owned) else {
                    continue;
                };
                let shared = self.clone();
                let name = name.clone();
                tokio::spawn(async move {
                    let then = Prefetcher {
                        shared: Arc::downgrade(&shared),
                        runtime: tokio::runtime::Handle::current(),
                    };
                    match shared.clone().metadata(name.clone(), file.clone()).await {
                        Ok(Metadata::Known(m)) => then.dependencies(&m),
                        Ok(Metadata::NeedsBuild(_))
                            if matches!(version_of(&file.filename), Some((_, FileKind::Sdist))) =>
                        {
                            let hook = lock(&shared.ahead).clone();
                            if let Some(hook) = hook {
                                hook(Ahead {
                                    project: name,
                                    file,
                                    then,
                                });
                            }
                        }
                        _ => {}
                    }
                });
            }
        })
    }
}

/// The normalised name a `Requires-Dist` line names, unless the line only applies under an
/// extra (which most installs do not ask for).
fn likely_dependency(requirement: &str) -> Option<String> {
    let (spec, marker) = requirement.split_once(';').unwrap_or((requirement, ""));
    if marker.contains("extra") {
        return None;
    }
    let end = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || "._-".contains(c)))
        .unwrap_or(spec.len());
    let name = spec[..end].trim();
    (!name.is_empty()).then(|| local::normalize(name))
}

impl Shared {
    fn project_slot(&self, name: &str) -> Slot<Option<Arc<ProjectFiles>>> {
        lock(&self.projects).entry(name.into()).or_default().clone()
    }

    fn metadata_slot(&self, url: &str) -> Slot<Metadata> {
        lock(&self.metadata).entry(url.into()).or_default().clone()
    }

    async fn project(self: Arc<Self>, name: &str) -> Result<Option<Arc<ProjectFiles>>, Diagnostic> {
        let slot = self.project_slot(name);
        slot.get_or_init(|| self.find_project(name)).await.clone()
    }

    async fn metadata(
        self: Arc<Self>,
        project: String,
        file: DistFile,
    ) -> Result<Metadata, Diagnostic> {
        let slot = self.metadata_slot(&file.url);
        slot.get_or_init(|| self.read_metadata(&project, &file))
            .await
            .clone()
    }

    async fn find_project(&self, name: &str) -> Result<Option<Arc<ProjectFiles>>, Diagnostic> {
        let mut found: Option<ProjectFiles> = None;
        for location in &self.locations {
            let (files, index) = match location {
                Location::Index(_) if found.is_some() => continue,
                Location::Index(root) if root.scheme() == "file" => (
                    local::index_page(root, name)?
                        .map(|files| self.own_files(root, name, Files::from(files))),
                    root.to_string(),
                ),
                Location::Index(root) => {
                    let remote = self.remote()?;
                    let files = remote
                        .project(root, name)
                        .await
                        .map_err(|e| fetch_error(e, &format!("the page of {name}")))?;
                    (
                        files.map(|files| self.own_files(root, name, files)),
                        root.to_string(),
                    )
                }
                Location::FindLinks(dir) => {
                    let files = local::find_links(dir, name)?;
                    (Some(files.into()), dir.display().to_string())
                }
                Location::FindLinksPage(url) => {
                    let files = self.find_links_page(url).await?;
                    let mine: Files = files
                        .into_iter()
                        .filter(|f| local::project_of(&f.filename).as_deref() == Some(name))
                        .collect();
                    let (mine, warnings) = crate::vet::well_hashed(name, url.as_str(), mine);
                    self.warn(warnings);
                    (Some(mine), url.to_string())
                }
            };
            let Some(files) = files else { continue };
            let is_index = matches!(location, Location::Index(_));
            match &mut found {
                Some(p) => p.files.extend(files.iter().map(Cow::into_owned)),
                None if is_index || !files.is_empty() => {
                    found = Some(ProjectFiles {
                        name: name.to_string(),
                        index,
                        files,
                    })
                }
                None => {}
            }
        }
        Ok(found.map(Arc::new))
    }

    /// The files of the page of `name` on the index at `root` that are `name`'s
    /// ([`crate::vet`]); the warning about the others is kept for the user.
    fn own_files(&self, root: &Url, name: &str, files: Files) -> Files {
        let page = root
            .join(&format!("{name}/"))
            .map_or_else(|_| root.to_string(), |u| u.to_string());
        let (files, warnings) = crate::vet::own_files(name, &page, files);
        self.warn(warnings);
        files
    }

    /// Keeps `warnings` for the user, each once.
    fn warn(&self, warnings: Vec<String>) {
        let mut kept = lock(&self.warnings);
        for w in warnings {
            if !kept.contains(&w) {
                kept.push(w);
            }
        }
    }

    async fn find_links_page(&self, url: &Url) -> Result<Vec<DistFile>, Diagnostic> {
        let slot = lock(&self.pages).entry(url.clone()).or_default().clone();
        slot.get_or_init(|| async {
            let remote = self.remote()?;
            let files = remote
                .page(url)
                .await
                .map_err(|e| fetch_error(e, "the find-links page"))?;
            files.ok_or_else(|| registry(format!("find-links {url}: the page does not exist")))
        })
        .await
        .clone()
    }

    async fn read_metadata(&self, project: &str, file: &DistFile) -> Result<Metadata, Diagnostic> {
        if file.url.starts_with("file:") {
            return local::read_metadata(file);
        }
        let remote = self.remote()?;
        remote
            .metadata(project, file)
            .await
            .map_err(|e| fetch_error(e, &format!("the metadata of {} ({project})", file.filename)))
    }

    fn remote(&self) -> Result<&Remote, Diagnostic> {
        self.remote
            .as_ref()
            .ok_or_else(|| registry("no HTTP client for a remote location".into()))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn registry(message: String) -> Diagnostic {
    Diagnostic::new(ErrorKind::Registry, message)
}

/// A failed request as a diagnostic (exit 3) saying what was being fetched.
pub fn fetch_error(e: FetchError, what: &str) -> Diagnostic {
    match e.failure {
        Failure::NotCached => registry(format!(
            "--offline: {what} is not in the cache ({})",
            e.url
        ))
        .note("run once without --offline to fill the cache, or pass --cache-dir to the cache that has it"),
        Failure::Status(401 | 403) => registry(format!("cannot fetch {what}: {e}")).note(
            "the index wants credentials: give them in the index URL (https://user:password@host/…) or in ~/.netrc (or the file NETRC names)",
        ),
        _ => registry(format!("cannot fetch {what}: {e}")),
    }
}

/// The default [`Likely`]: the best file of the newest version that is neither a
/// pre-release nor yanked — a `*-none-any` wheel, else the first wheel, else the sdist.
pub fn newest_files(project: &ProjectFiles) -> Vec<usize> {
    let mut best: Option<(pep440_rs::Version, usize, u8)> = None;
    for i in 0..project.files.len() {
        if project.files.is_yanked(i) {
            continue;
        }
        let Some((version, rank)) = version_and_rank(project.files.filename(i)) else {
            continue;
        };
        if version.any_prerelease() {
            continue;
        }
        let better = match &best {
            None => true,
            Some((v, _, r)) => version > *v || (version == *v && rank < *r),
        };
        if better {
            best = Some((version, i, rank));
        }
    }
    best.map(|(_, i, _)| vec![i]).unwrap_or_default()
}

/// A file's version and how good a stand-in for the version it is (lower is better).
fn version_and_rank(filename: &str) -> Option<(pep440_rs::Version, u8)> {
    let (version, kind) = version_of(filename)?;
    let rank = match kind {
        FileKind::Wheel if filename.ends_with("-none-any.whl") => 0,
        FileKind::Wheel => 1,
        FileKind::Sdist => 2,
    };
    Some((version, rank))
}

#[cfg(test)]
mod tests;
