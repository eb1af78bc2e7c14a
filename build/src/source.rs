//! [`BuildingSource`]: the index source, with the dependencies of sdists whose metadata is not
//! static learnt from a build on the host, cached by the sdist's sha256 (`built-metadata-v1`
//! entries of the registries' cache), so `--offline` and later runs need no build.
//!
//! Who owns what: the registries' [`IndexSource`] owns fetching (pages, metadata, the
//! prefetch); this crate owns builds. The state of the builds of a run (`Builder`: the host,
//! one slot per sdist, the built metadata) sits behind an `Arc`, shared by the solver's thread
//! and the background workers of [`crate::ahead`], which the `BuildingSource` owns and stops
//! when it is dropped. The index source holds only the hook it calls when its prefetch finds a
//! likely sdist that needs a build: the queue those workers read, and the builder weakly (to
//! start a worker), so nothing owns itself. Each sdist has one slot per run, filled once: the solver asking for a
//! file whose build is in flight waits for that build rather than starting another.

use crate::backend::{self, Host};
use crate::python::{self, Interpreter};
use crate::tree::TreeRef;
use sha2::Digest;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, OnceLock};
use unilock_model::index::{
    CoreMetadata, DirectFile, DistFile, FileKind, Metadata, PackageSource, ProjectFiles, version_of,
};
use unilock_model::{Diagnostic, ErrorKind, Target};
use unilock_registries::cache::Cache;
use unilock_registries::source::IndexSource;

/// The cache kind of built metadata.
pub const CACHE_KIND: &str = "built-metadata-v1";

/// How builds are allowed and run.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// `--python PATH`.
    pub python: Option<PathBuf>,
    /// `--no-build`: sdists whose metadata is not static are skipped, saying so.
    pub no_build: bool,
    /// `--offline`: a build whose metadata is not in the cache is tried only with local files.
    pub offline: bool,
    /// Where built metadata is kept.
    pub cache: Option<Cache>,
}

/// The index source, building sdists whose dependencies are not static: when the solver asks,
/// and ahead of it, in the background, for the likely sdists the prefetch finds.
pub struct BuildingSource {
    builder: Arc<Builder>,
    /// The background builds, held for its drop (which stops them); `None` when there are
    /// none (`--no-build`, `--offline`, a source that prefetches nothing,
    /// `UNILOCK_CONCURRENT_BUILDS=0`).
    _ahead: Option<crate::ahead::Pool>,
}

type BuildSlot = Arc<OnceLock<Result<Metadata, Diagnostic>>>;

/// The builds of one run, shared by the solver's thread and the background workers.
pub(crate) struct Builder {
    inner: Arc<IndexSource>,
    settings: Settings,
    var: fn(&str) -> Option<String>,
    host: OnceLock<Result<(Interpreter, Target), Diagnostic>>,
    /// Built metadata by the sdist's sha256 (or a source tree's key), for this run.
    built: Mutex<HashMap<String, Result<Metadata, Diagnostic>>>,
    /// One slot per sdist URL: its build runs once, whoever asks first.
    files: Mutex<HashMap<String, BuildSlot>>,
    /// Set when the run is over: background builds still running are stopped.
    pub(crate) stop: AtomicBool,
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

impl BuildingSource {
    pub fn new(inner: Arc<IndexSource>, settings: Settings) -> Self {
        let background = !settings.no_build && !settings.offline && inner.prefetches();
        let builder = Arc::new(Builder {
            inner,
            settings,
            var: env_var,
            host: OnceLock::new(),
            built: Mutex::default(),
            files: Mutex::default(),
            stop: AtomicBool::new(false),
        });
        let workers = crate::ahead::concurrent_builds(&env_var);
        let ahead =
            (background && workers > 0).then(|| crate::ahead::Pool::start(&builder, workers));
        BuildingSource {
            builder,
            _ahead: ahead,
        }
    }

    /// How Git repositories are read: mirrors in the cache, `--offline`.
    pub fn git_settings(&self) -> unilock_registries::git::Settings {
        self.builder.git_settings()
    }
}

impl Builder {
    fn host(&self) -> Result<&(Interpreter, Target), Diagnostic> {
        self.host
            .get_or_init(|| {
                let interpreter = python::discover(self.settings.python.as_deref(), &self.var)?;
                let target = interpreter.target()?;
                Ok((interpreter, target))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// `metadata`, or, when it says only a build would tell, the metadata of a build.
    fn complete(
        &self,
        project: &str,
        file: &DistFile,
        metadata: Metadata,
    ) -> Result<Metadata, Diagnostic> {
        let Metadata::NeedsBuild(why) = metadata else {
            return Ok(metadata);
        };
        if !matches!(version_of(&file.filename), Some((_, FileKind::Sdist))) {
            return Ok(Metadata::NeedsBuild(why));
        }
        if self.settings.no_build {
            return Ok(Metadata::NeedsBuild(format!(
                "{why}; --no-build forbids building it"
            )));
        }
        self.built_file(project, file)
    }

    /// The metadata of a build of the sdist `file`: the one build of this run, waited for
    /// when it is in flight, else started here.
    pub(crate) fn built_file(
        &self,
        project: &str,
        file: &DistFile,
    ) -> Result<Metadata, Diagnostic> {
        self.file_slot(&file.url)
            .get_or_init(|| self.build_file(project, file))
            .clone()
    }

    /// The slot of the sdist at `url`.
    pub(crate) fn file_slot(&self, url: &str) -> BuildSlot {
        lock(&self.files)
            .entry(url.to_string())
            .or_default()
            .clone()
    }

    fn build_file(&self, project: &str, file: &DistFile) -> Result<Metadata, Diagnostic> {
        let known_sha = file.hashes.get("sha256").map(|s| s.to_ascii_lowercase());
        if let Some(sha) = &known_sha
            && let Some(done) = self.remembered(sha)
        {
            return done;
        }
        let bytes = self
            .inner
            .download(file)
            .map_err(|e| self.offline(file, e))?;
        let sha = known_sha.unwrap_or_else(|| hex(&sha2::Sha256::digest(&bytes)));
        if let Some(done) = self.remembered(&sha) {
            return done;
        }
        let result = self.build(project, file, &bytes, &sha);
        lock(&self.built).insert(sha, result.clone());
        result
    }

    /// The metadata built from the sdist whose sha256 is `sha` in this run or an earlier one.
    fn remembered(&self, sha: &str) -> Option<Result<Metadata, Diagnostic>> {
        if let Some(done) = lock(&self.built).get(sha) {
            return Some(done.clone());
        }
        let cache = self.settings.cache.as_ref()?;
        let text = cache.read_derived(CACHE_KIND, sha, "metadata")?;
        let headers =
            unilock_registries::metadata::parse(&String::from_utf8_lossy((*text).as_ref())).ok()?;
        let metadata = built(headers.metadata);
        lock(&self.built).insert(sha.to_string(), Ok(metadata.clone()));
        Some(Ok(metadata))
    }

    /// What a build needs from the run.
    fn with_host<T>(
        &self,
        f: impl FnOnce(&Host) -> Result<T, Diagnostic>,
    ) -> Result<T, Diagnostic> {
        let (interpreter, target) = self.host()?;
        let download = |f: &DistFile| self.inner.download(f);
        let host = Host {
            source: &*self.inner,
            download: &download,
            interpreter,
            target,
            timeout: crate::hooks::timeout(&self.var),
            unpack_limit: crate::unpack::max_unpacked_bytes(&self.var),
            stop: Some(&self.stop),
        };
        f(&host)
    }

    fn build(
        &self,
        project: &str,
        file: &DistFile,
        bytes: &[u8],
        sha: &str,
    ) -> Result<Metadata, Diagnostic> {
        let text = self
            .with_host(|host| backend::metadata(host, project, &file.filename, bytes))
            .map_err(|e| self.offline(file, e))?;
        let headers = unilock_registries::metadata::parse(&text).map_err(|e| {
            Diagnostic::new(
                ErrorKind::Registry,
                format!(
                    "{project}: the METADATA built from {} is invalid: {e}",
                    file.filename
                ),
            )
        })?;
        if let Some(cache) = &self.settings.cache {
            // A cache that cannot be written only costs a later build.
            let _ = cache.write_derived(CACHE_KIND, sha, "metadata", text.as_bytes());
        }
        Ok(built(headers.metadata))
    }

    /// `e`, said to be about an offline build, when the run is offline.
    fn offline(&self, file: &DistFile, e: Diagnostic) -> Diagnostic {
        if !self.settings.offline {
            return e;
        }
        Diagnostic::new(
            e.kind(),
            format!(
                "--offline: the dependencies of {} are known only from a build, which is not in the cache, and the build cannot run offline: {}",
                file.filename,
                e.message()
            ),
        )
        .note("run once without --offline to build it and fill the cache, or pass --no-build to skip versions that need a build")
    }

    /// The index source the builds read through.
    pub(crate) fn source(&self) -> &IndexSource {
        &self.inner
    }
}

impl Builder {
    /// How Git repositories are read: mirrors in the cache, `--offline`.
    pub fn git_settings(&self) -> unilock_registries::git::Settings {
        unilock_registries::git::Settings {
            cache_dir: self.settings.cache.as_ref().map(|c| c.root().to_path_buf()),
            offline: self.settings.offline,
            program: None,
        }
    }

    /// The one "file" of the source tree `reference` (`name @ url`): an sdist-like candidate
    /// named `{name}-{version}.tar.gz` whose URL is the tree's pinned URL, with the tree's
    /// static metadata or that of a build (cached by commit for a Git tree; a local directory
    /// is built again each run).
    fn tree(&self, name: &str, url: &str, reference: &TreeRef) -> Result<DirectFile, Diagnostic> {
        let what = format!("{name} @ {}", unilock_registries::http::auth::redact(url));
        let tree = crate::tree::materialize(reference, &self.git_settings(), &what)?;
        let label = match reference {
            TreeRef::Git(_) => tree.url.clone(),
            TreeRef::Directory(d) => d.display().to_string(),
        };
        let metadata = match crate::tree::static_metadata(&tree.dir)
            .map_err(|e| crate::tree::invalid(&what, e))?
        {
            Ok(m) => Metadata::Known(Arc::new(m)),
            Err(why) if self.settings.no_build => Metadata::NeedsBuild(format!(
                "{why}, so only a build tells its dependencies; --no-build forbids building it"
            )),
            Err(_) => self.build_tree(name, &label, &tree)?,
        };
        let Metadata::Known(known) = &metadata else {
            return Err(Diagnostic::usage(format!(
                "{what}: {}",
                match &metadata {
                    Metadata::NeedsBuild(why) => why.as_str(),
                    Metadata::Known(_) => "",
                }
            )));
        };
        if unilock_registries::local::normalize(&known.name)
            != unilock_registries::local::normalize(name)
        {
            return Err(crate::tree::invalid(
                &what,
                format!("the project in {label} is `{}`, not `{name}`", known.name),
            ));
        }
        let filename = format!(
            "{}-{}.tar.gz",
            unilock_registries::local::normalize(name).replace('-', "_"),
            known.version
        );
        if version_of(&filename).is_none() {
            return Err(crate::tree::invalid(
                &what,
                format!("its version `{}` is not a PEP 440 version", known.version),
            ));
        }
        Ok(DirectFile {
            file: DistFile {
                filename,
                url: tree.url.clone(),
                requires_python: known.requires_python.clone(),
                ..DistFile::default()
            },
            metadata,
        })
    }

    /// The metadata of a build of `tree`, from the cache when its key is known there.
    fn build_tree(
        &self,
        name: &str,
        label: &str,
        tree: &crate::tree::Tree,
    ) -> Result<Metadata, Diagnostic> {
        let key = tree
            .cache_key
            .as_ref()
            .map(|k| hex(&sha2::Sha256::digest(k.as_bytes())));
        if let Some(key) = &key
            && let Some(done) = self.remembered(key)
        {
            return done;
        }
        // A local directory is built once per run, whatever the number of targets; the
        // result is not kept on disk.
        let run_key = format!("dir:{}", tree.dir.display());
        if key.is_none()
            && let Some(done) = lock(&self.built).get(&run_key)
        {
            return done.clone();
        }
        let text = self.with_host(|host| backend::tree_metadata(host, name, label, &tree.dir))?;
        let headers = unilock_registries::metadata::parse(&text).map_err(|e| {
            Diagnostic::new(
                ErrorKind::Registry,
                format!("{name}: the METADATA built from {label} is invalid: {e}"),
            )
        })?;
        if let (Some(cache), Some(key)) = (&self.settings.cache, &key) {
            // A cache that cannot be written only costs a later build.
            let _ = cache.write_derived(CACHE_KIND, key, "metadata", text.as_bytes());
        }
        let metadata = built(headers.metadata);
        lock(&self.built).insert(key.unwrap_or(run_key), Ok(metadata.clone()));
        Ok(metadata)
    }
}

/// The index source's own methods (its warnings, downloads) stay at hand.
impl std::ops::Deref for BuildingSource {
    type Target = IndexSource;

    fn deref(&self) -> &IndexSource {
        &self.builder.inner
    }
}

fn built(mut metadata: CoreMetadata) -> Metadata {
    metadata.built_on_host = true;
    Metadata::Known(Arc::new(metadata))
}

impl PackageSource for BuildingSource {
    fn project(&self, name: &str) -> Result<Option<Arc<ProjectFiles>>, Diagnostic> {
        self.builder.inner.project(name)
    }

    fn metadata(&self, project: &ProjectFiles, file: &DistFile) -> Result<Metadata, Diagnostic> {
        let metadata = self.builder.inner.metadata(project, file)?;
        self.builder.complete(&project.name, file, metadata)
    }

    fn direct(&self, name: &str, url: &str) -> Result<DirectFile, Diagnostic> {
        let builder = &self.builder;
        if let Some(reference) = TreeRef::parse(name, url)? {
            return builder.tree(name, url, &reference);
        }
        let direct = builder.inner.direct(name, url)?;
        let metadata = builder.complete(name, &direct.file, direct.metadata)?;
        Ok(DirectFile {
            file: direct.file,
            metadata,
        })
    }

    fn prefetch(&self, name: &str) {
        self.builder.inner.prefetch(name)
    }

    fn prefetch_metadata(&self, project: &ProjectFiles, files: &[DistFile]) {
        self.builder.inner.prefetch_metadata(project, files)
    }

    fn consulted(&self, name: &str, version: &str) {
        self.builder.inner.consulted(name, version)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
