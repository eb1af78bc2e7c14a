//! The on-disk cache: HTTP responses with their caching policy, and the core metadata derived
//! from distribution files.
//!
//! Layout under the cache directory ([`default_dir`]: `$UNILOCK_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/unilock`, else `~/.cache/unilock`):
//!
//! - `http-v1/<aa>/<sha256 of URL and Accept>`: one response — a header (status, final URL,
//!   content type, the RFC 9111 policy of `http-cache-semantics`, which decides freshness
//!   and revalidation, and an id naming this body) followed by the body.
//! - `pages-v1/<aa>/<same key>`: a project page's files parsed and packed
//!   ([`unilock_model::index::Files::pack`]), with the id of the response they were parsed
//!   from. Used only while that response is what `http-v1` holds, so a warm run reads the
//!   packed files instead of parsing the page again.
//! - `conda-index-v1/<aa>/<same key>`: the index by name of a conda repodata answer
//!   ([`crate::conda`]), with the id of the response it was made from, used on the same terms.
//! - `conda-shards-v1/<aa>/<sha256 of the shard's hash>`: a CEP 16 repodata shard as served
//!   (compressed), under the hash the channel's shard index names it by. A shard never changes
//!   under its hash, so these entries are never revalidated ([`crate::conda`] checks the hash
//!   again when it reads one).
//! - `metadata-v1/<aa>/<sha256 of file URL>.json`: the core metadata of a distribution file
//!   whose sha256 the index gave, with that hash. A file with a given hash never changes, so
//!   these entries are never revalidated; an entry whose hash differs from the index's is
//!   ignored.
//! - `direct-v1/<aa>/<sha256 of file URL>.json`: the file a direct reference (`name @ URL`)
//!   named when it was last read — name, size and sha256; its metadata is the `metadata-v1`
//!   entry of that URL and hash. Used offline, and online when the URL pins the hash.
//!
//! The directory names version the layout (where an entry lives); the bytes of each entry
//! ([`entries`]) open with a magic line that versions their format and carry a checksum of
//! their content. An entry whose checksum does not match is damaged: it is never used — online
//! it is fetched or derived again and replaced, offline the request fails naming the damaged
//! entry ([`Damaged`]). Entries of an earlier format (before checksums) read as no entry and
//! are replaced the same way. Only a regular file of at most [`MAX_ENTRY_BYTES`] (or what
//! [`Cache::with_max_entry_bytes`] says) is read as an entry: it is opened without following a
//! symlink and without blocking on a FIFO, and anything else in its place is damaged.
//!
//! Every entry is written to a temporary file in its directory and renamed into place, so
//! concurrent runs sharing the cache read either the old entry or the new one, never a part.
//! Temporary files are named `.unilock-tmp-*`; one left by a killed run is removed by the
//! first later run that writes into its directory, once it is an hour old (a younger one may
//! be another run's write in progress). Nothing else in the cache is ever removed.
//! Entries never hold credentials: URLs are stripped of them and requests stored without
//! their `Authorization` header.

pub mod entries;

use bytes::Bytes;
use entries::{DirectRecord, MetadataRecord, Refusal};
use http_cache_semantics::CachePolicy;
use sha2::Digest;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use unilock_model::index::{DirectFile, DistFile, Metadata, PackedBytes};

/// The cache directory to use when none is given: `UNILOCK_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/unilock`, else `$HOME/.cache/unilock`.
pub fn default_dir(var: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    set("UNILOCK_CACHE_DIR")
        .or_else(|| set("XDG_CACHE_HOME").map(|d| d.join("unilock")))
        .or_else(|| set("HOME").map(|h| h.join(".cache").join("unilock")))
}

/// A cached HTTP response.
#[derive(Debug, Clone)]
pub struct HttpEntry {
    pub status: u16,
    pub url: url::Url,
    pub content_type: Option<String>,
    pub policy: CachePolicy,
    pub body: Bytes,
    /// Names this body: what is derived from it is stored with this id. Empty for entries
    /// written before ids were kept.
    pub id: String,
}

/// A new id for a stored body: unique among the bodies one cache sees (time, process and a
/// counter).
pub fn new_id() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{nanos:x}-{:x}-{n:x}", std::process::id())
}

impl HttpEntry {
    pub fn response(&self) -> crate::http::Response {
        crate::http::Response {
            status: self.status,
            url: self.url.clone(),
            content_type: self.content_type.clone(),
            body: self.body.clone(),
            stored: (!self.id.is_empty()).then(|| self.id.clone()),
        }
    }
}

/// The value of a derived entry, mapped from its file.
struct Mapped {
    map: memmap2::Mmap,
    start: usize,
}

impl AsRef<[u8]> for Mapped {
    fn as_ref(&self) -> &[u8] {
        self.map.get(self.start..).unwrap_or_default()
    }
}

/// A cache entry that is there but cannot be used: its content does not match its checksum,
/// or it cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damaged {
    pub path: PathBuf,
    pub why: String,
}

impl std::fmt::Display for Damaged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the cache entry {} is damaged ({})",
            self.path.display(),
            self.why
        )
    }
}

impl Damaged {
    fn new(path: &Path, why: impl std::fmt::Display) -> Self {
        Damaged {
            path: path.to_path_buf(),
            why: why.to_string(),
        }
    }

    /// The failure of a request that `--offline` must answer from this entry.
    pub fn offline_failure(&self) -> crate::http::Failure {
        crate::http::Failure::Invalid(format!("{self}; run without --offline to fetch it again"))
    }
}

/// What the cache holds under one key: `Ok(None)` when nothing (or an entry of another
/// format), `Err` when a damaged entry.
pub type Lookup<T> = Result<Option<T>, Damaged>;

/// The largest cache entry read or written, unless [`Cache::with_max_entry_bytes`] says
/// otherwise (`UNILOCK_MAX_CACHE_ENTRY_BYTES`): the largest page the client fetches by default
/// ([`crate::http::MAX_PAGE_BYTES`]) with [`ENTRY_HEADER_ROOM`] for its header. A larger file in
/// place of an entry is damaged, and a larger entry is not kept.
pub const MAX_ENTRY_BYTES: u64 = crate::http::MAX_PAGE_BYTES + ENTRY_HEADER_ROOM;

/// Room for an entry's header (URL, caching policy, checksums) beside the largest body.
pub const ENTRY_HEADER_ROOM: u64 = 1 << 20;

/// The cache directory.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
    max_entry_bytes: u64,
}

impl Cache {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Cache {
            root: root.into(),
            max_entry_bytes: MAX_ENTRY_BYTES,
        }
    }

    /// The same cache, reading and writing entries of at most `max` bytes.
    pub fn with_max_entry_bytes(self, max: u64) -> Self {
        Cache {
            max_entry_bytes: max,
            ..self
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn path(&self, kind: &str, key: &str, ext: &str) -> PathBuf {
        let digest = crate::http::hex(&sha2::Sha256::digest(key.as_bytes()));
        self.root
            .join(kind)
            .join(&digest[..2])
            .join(format!("{}{ext}", &digest[2..]))
    }

    /// The entry at `path`, open, and its length; `None` when there is none. Only a regular
    /// file of at most the entry limit is an entry: a symlink (to `/dev/zero`, say), a FIFO or
    /// a device in its place is damaged, and opening one neither follows it nor blocks.
    fn open(&self, path: &Path) -> Lookup<(File, u64)> {
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        }
        #[cfg(not(unix))]
        if std::fs::symlink_metadata(path).is_ok_and(|m| !m.is_file()) {
            return Err(Damaged::new(path, "not a regular file"));
        }
        let file = match options.open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            #[cfg(unix)]
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                return Err(Damaged::new(path, "a symlink, not a regular file"));
            }
            Err(e) => return Err(Damaged::new(path, format!("cannot be opened: {e}"))),
        };
        let metadata = file
            .metadata()
            .map_err(|e| Damaged::new(path, format!("cannot be read: {e}")))?;
        if !metadata.is_file() {
            return Err(Damaged::new(path, "not a regular file"));
        }
        if metadata.len() > self.max_entry_bytes {
            return Err(Damaged::new(
                path,
                format!(
                    "{} bytes, more than the limit of {} (UNILOCK_MAX_CACHE_ENTRY_BYTES)",
                    metadata.len(),
                    self.max_entry_bytes
                ),
            ));
        }
        Ok(Some((file, metadata.len())))
    }

    /// Writes `bytes` as the entry at `path`, when they are within the entry limit.
    fn write(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        if bytes.len() as u64 > self.max_entry_bytes {
            return Err(std::io::Error::other(format!(
                "{} bytes, more than the cache entry limit of {}",
                bytes.len(),
                self.max_entry_bytes
            )));
        }
        write_atomic(path, bytes)
    }

    /// The whole entry at `path`.
    fn read(&self, path: &Path) -> Lookup<Vec<u8>> {
        let Some((file, len)) = self.open(path)? else {
            return Ok(None);
        };
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        file.take(len)
            .read_to_end(&mut bytes)
            .map_err(|e| Damaged::new(path, format!("cannot be read: {e}")))?;
        Ok(Some(bytes))
    }

    /// The stored response for `key`, if any and intact.
    pub fn read_http(&self, key: &str) -> Option<HttpEntry> {
        self.lookup_http(key).ok().flatten()
    }

    /// The stored response for `key`: none, intact, or damaged.
    pub fn lookup_http(&self, key: &str) -> Lookup<HttpEntry> {
        let path = self.path("http-v1", key, "");
        // One read; the body is a view into it, not a copy (pages run to megabytes).
        let Some(bytes) = self.read(&path)? else {
            return Ok(None);
        };
        refused(&path, entries::decode_http(bytes))
    }

    /// The caching policy and id of the stored response for `key`, reading only its header.
    pub fn read_http_head(&self, key: &str) -> Option<(CachePolicy, String)> {
        let (mut file, len) = self.open(&self.path("http-v1", key, "")).ok()??;
        let mut prefix = [0u8; entries::HTTP_PREFIX];
        file.read_exact(&mut prefix).ok()?;
        let head_len = entries::http_head_len(&prefix).ok()?;
        // A damaged length must not become a huge allocation.
        if head_len > len {
            return None;
        }
        let mut head = vec![0u8; usize::try_from(head_len).ok()?];
        file.read_exact(&mut head).ok()?;
        entries::decode_http_head(&prefix, &head).ok()
    }

    /// What was derived (`kind`: `pages-v1`) from the stored response for `key` whose id is
    /// `id`; `None` when nothing was, it was derived from another response, or the entry is
    /// damaged. The entry is mapped, not read (see [`Mapped`]).
    pub fn read_derived(&self, kind: &str, key: &str, id: &str) -> Option<PackedBytes> {
        let (file, _) = self.open(&self.path(kind, key, "")).ok()??;
        // SAFETY: the map is only read. Cache entries are written whole to a temporary file
        // and renamed into place, never changed in place, so the mapped file keeps its
        // contents for as long as the map lives; only another program truncating a cache file
        // during a run could break that.
        let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
        let (stored_id, value) = entries::decode_derived(&map).ok()?;
        if id.is_empty() || stored_id != id {
            return None;
        }
        let start = map.len() - value.len();
        Some(Arc::new(Mapped { map, start }))
    }

    pub fn write_derived(
        &self,
        kind: &str,
        key: &str,
        id: &str,
        value: &[u8],
    ) -> std::io::Result<()> {
        self.write(
            &self.path(kind, key, ""),
            &entries::encode_derived(id, value),
        )
    }

    pub fn write_http(&self, key: &str, entry: &HttpEntry) -> std::io::Result<()> {
        self.write(&self.path("http-v1", key, ""), &entries::encode_http(entry))
    }

    /// The metadata derived from the file at `url` whose sha256 is `sha256`.
    pub fn read_metadata(&self, url: &str, sha256: &str) -> Option<Metadata> {
        self.lookup_metadata(url, sha256).ok().flatten()
    }

    /// The metadata derived from the file at `url` whose sha256 is `sha256`: none (or of
    /// another file), intact, or damaged.
    pub fn lookup_metadata(&self, url: &str, sha256: &str) -> Lookup<Metadata> {
        let path = self.path("metadata-v1", url, ".json");
        let Some(bytes) = self.read(&path)? else {
            return Ok(None);
        };
        let Some(record) = refused(&path, entries::decode_metadata(&bytes))? else {
            return Ok(None);
        };
        if record.url != url || !record.sha256.eq_ignore_ascii_case(sha256) {
            return Ok(None);
        }
        Ok(Some(record.metadata))
    }

    pub fn write_metadata(
        &self,
        url: &str,
        sha256: &str,
        metadata: &Metadata,
    ) -> std::io::Result<()> {
        let record = MetadataRecord {
            url: url.to_string(),
            sha256: sha256.to_ascii_lowercase(),
            metadata: metadata.clone(),
        };
        self.write(
            &self.path("metadata-v1", url, ".json"),
            &entries::encode_metadata(&record),
        )
    }
}

impl Cache {
    /// The file of a direct reference to `url` (without credentials) as last read.
    pub fn read_direct(&self, url: &str) -> Option<DirectFile> {
        let path = self.path("direct-v1", url, ".json");
        let bytes = self.read(&path).ok()??;
        let entry = entries::decode_direct(&bytes).ok()?;
        if entry.url != url {
            return None;
        }
        let metadata = self.read_metadata(url, &entry.sha256)?;
        let requires_python = match &metadata {
            Metadata::Known(m) => m.requires_python.clone(),
            Metadata::NeedsBuild(_) => None,
        };
        Some(DirectFile {
            file: DistFile {
                filename: entry.filename,
                url: entry.url,
                hashes: [("sha256".to_string(), entry.sha256)].into(),
                size: entry.size,
                requires_python,
                ..DistFile::default()
            },
            metadata,
        })
    }

    pub fn write_direct(&self, direct: &DirectFile) -> std::io::Result<()> {
        let Some(sha256) = direct.file.hashes.get("sha256") else {
            return Ok(());
        };
        self.write_metadata(&direct.file.url, sha256, &direct.metadata)?;
        let record = DirectRecord {
            url: direct.file.url.clone(),
            filename: direct.file.filename.clone(),
            sha256: sha256.to_ascii_lowercase(),
            size: direct.file.size,
        };
        self.write(
            &self.path("direct-v1", &direct.file.url, ".json"),
            &entries::encode_direct(&record),
        )
    }
}

/// A decoded entry as a lookup: an entry of another format is none, a refused one damaged.
fn refused<T>(path: &Path, decoded: Result<T, Refusal>) -> Lookup<T> {
    match decoded {
        Ok(value) => Ok(Some(value)),
        Err(Refusal::OtherFormat) => Ok(None),
        Err(Refusal::Damaged(why)) => Err(Damaged::new(path, why)),
    }
}

/// The start of the names of the temporary files entries are written to.
const TEMPORARY_PREFIX: &str = ".unilock-tmp-";

/// A temporary file this old is left from a run that was killed while writing it.
const STALE_TEMPORARY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    remove_stale_temporaries(dir);
    let mut file = tempfile::Builder::new()
        .prefix(TEMPORARY_PREFIX)
        .tempfile_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_data()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Removes, once per run and directory, the temporary files of ours in `dir` that are older
/// than [`STALE_TEMPORARY`]; nothing else is touched.
fn remove_stale_temporaries(dir: &Path) {
    static SWEPT: std::sync::Mutex<Option<std::collections::HashSet<PathBuf>>> =
        std::sync::Mutex::new(None);
    let mut swept = SWEPT.lock().unwrap_or_else(|p| p.into_inner());
    if !swept.get_or_insert_default().insert(dir.to_path_buf()) {
        return;
    }
    drop(swept);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = std::time::SystemTime::now();
    for entry in entries.flatten() {
        let ours = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(TEMPORARY_PREFIX));
        // `DirEntry::metadata` does not follow symlinks: only our own regular files go.
        let stale = || {
            entry.metadata().is_ok_and(|m| {
                m.is_file()
                    && m.modified()
                        .is_ok_and(|t| now.duration_since(t).is_ok_and(|age| age > STALE_TEMPORARY))
            })
        };
        if ours && stale() {
            // Another run may have removed it first.
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests;
