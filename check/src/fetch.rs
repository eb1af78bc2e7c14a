//! The facts of the lock's artifacts: from the cache by hash, from `file://` paths, or read
//! over HTTP, several at once.
//!
//! A wheel over HTTP is read through range requests ([`unilock_registries::wheel_members`]):
//! only members named like a shared library (`*.so`, `*.so.N`) or marked executable are
//! transferred, the rest of the wheel (Python code, data) stays on the server. A conda package
//! is downloaded whole (its binaries sit inside one compressed tar). The facts of every
//! artifact with a sha256 are kept in the registries' cache under that hash, so a second check
//! of the same lock reads nothing from the network, and `--offline` works from them alone.

use crate::facts::ArtifactFacts;
use crate::members::{self, ArchiveKind};
use futures_util::StreamExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use unilock_model::lock::Artifact;
use unilock_registries::cache::Cache;
use unilock_registries::http::{Expected, HttpClient};
use unilock_registries::wheel_members::{Listed, WheelMembers, wheel_members};
use url::Url;

/// The cache kind of artifact facts; a new reader of binaries changes [`FACTS_VERSION`].
const CACHE_KIND: &str = "check-facts-v1";
/// The version of what is read from binaries: cached facts of another version are read again.
pub const FACTS_VERSION: &str = "1";
/// The largest binary read from an artifact.
pub const MAX_MEMBER: u64 = 1 << 30;
/// Artifacts read at once.
const AT_ONCE: usize = 8;

/// Where artifacts are read from.
pub struct ArtifactSource {
    client: Option<Arc<HttpClient>>,
    cache: Option<Cache>,
    offline: bool,
    runtime: tokio::runtime::Runtime,
    bytes_read: AtomicU64,
}

/// How one artifact's facts were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Cache,
    Local,
    Network,
}

/// An artifact's facts, or why they could not be read.
pub type Outcome = Result<(ArtifactFacts, Origin), String>;

impl ArtifactSource {
    /// A source reading over `client` (none: `file://` and the cache only), keeping facts in
    /// `cache`.
    pub fn new(
        client: Option<Arc<HttpClient>>,
        cache: Option<Cache>,
        offline: bool,
    ) -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the network runtime: {e}"))?;
        Ok(ArtifactSource {
            client,
            cache,
            offline,
            runtime,
            bytes_read: AtomicU64::new(0),
        })
    }

    /// Bytes transferred from the network so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    /// The facts of every artifact, in order.
    pub fn facts(&self, artifacts: &[&Artifact]) -> Vec<Outcome> {
        let work = futures_util::stream::iter(artifacts.iter().map(|a| self.one(a)))
            .buffered(AT_ONCE)
            .collect::<Vec<_>>();
        self.runtime.block_on(work)
    }

    async fn one(&self, artifact: &Artifact) -> Outcome {
        let sha256 = artifact
            .hash
            .as_deref()
            .and_then(|h| h.strip_prefix("sha256:"))
            .map(str::to_ascii_lowercase);
        if let (Some(cache), Some(hash)) = (&self.cache, &sha256)
            && let Some(bytes) = cache.read_derived(CACHE_KIND, hash, FACTS_VERSION)
            && let Ok(facts) = serde_json::from_slice::<ArtifactFacts>((*bytes).as_ref())
        {
            return Ok((facts, Origin::Cache));
        }
        let url = Url::parse(&artifact.url).map_err(|e| format!("not a URL: {e}"))?;
        let name = file_name(&url);
        let kind = ArchiveKind::of_filename(&name)
            .ok_or_else(|| format!("{name}: not a wheel, .conda or .tar.bz2 file"))?;
        let expected = Expected {
            size: artifact.size,
            sha256: sha256.clone(),
        };
        let (facts, origin) = if url.scheme() == "file" {
            let path = url
                .to_file_path()
                .map_err(|()| format!("{url}: not a local path"))?;
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            expected.check(&url, &bytes).map_err(|e| e.to_string())?;
            (members::facts(kind, &bytes)?, Origin::Local)
        } else {
            if self.offline {
                return Err("not in the cache, and --offline forbids reading it".into());
            }
            let client = self
                .client
                .as_ref()
                .ok_or_else(|| "no HTTP client for a remote artifact".to_string())?;
            (
                self.remote(client, &url, kind, &expected).await?,
                Origin::Network,
            )
        };
        if let (Some(cache), Some(hash)) = (&self.cache, &sha256)
            && let Ok(json) = serde_json::to_vec(&facts)
        {
            // A cache that cannot be written only costs a later read.
            let _ = cache.write_derived(CACHE_KIND, hash, FACTS_VERSION, &json);
        }
        Ok((facts, origin))
    }

    async fn remote(
        &self,
        client: &HttpClient,
        url: &Url,
        kind: ArchiveKind,
        expected: &Expected,
    ) -> Result<ArtifactFacts, String> {
        if kind == ArchiveKind::Wheel {
            let mut builder = members::FactsBuilder::default();
            let mut sink = |name: &str, bytes: Vec<u8>| builder.member(name, &bytes);
            let read = wheel_members(client, url, expected, wanted, MAX_MEMBER, &mut sink)
                .await
                .map_err(|e| e.to_string())?;
            return match read {
                WheelMembers::Whole(bytes) => {
                    self.count(bytes.len() as u64);
                    members::facts(kind, &bytes)
                }
                WheelMembers::Chosen {
                    listing,
                    bytes_read,
                } => {
                    self.count(bytes_read);
                    for l in &listing {
                        builder.listed(&l.name);
                    }
                    Ok(builder.finish())
                }
            };
        }
        let bytes = client
            .download(url, expected)
            .await
            .map_err(|e| e.to_string())?;
        self.count(bytes.len() as u64);
        members::facts(kind, &bytes)
    }

    fn count(&self, n: u64) {
        self.bytes_read.fetch_add(n, Ordering::Relaxed);
    }
}

/// The wheel members whose bytes are read: shared libraries by name, and executables.
fn wanted(listed: &Listed) -> bool {
    let base = listed.name.rsplit('/').next().unwrap_or("");
    !listed.is_symlink() && (members::is_library_name(base) || listed.is_executable())
}

/// The last path segment of a URL.
pub fn file_name(url: &Url) -> String {
    url.path_segments()
        .and_then(|mut s| s.rfind(|p| !p.is_empty()))
        .unwrap_or("")
        .to_string()
}
