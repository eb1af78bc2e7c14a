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
//! - `metadata-v1/<aa>/<sha256 of file URL>.json`: the core metadata of a distribution file
//!   whose sha256 the index gave, with that hash. A file with a given hash never changes, so
//!   these entries are never revalidated; an entry whose hash differs from the index's is
//!   ignored.
//! - `direct-v1/<aa>/<sha256 of file URL>.json`: the file a direct reference (`name @ URL`)
//!   named when it was last read — name, size and sha256; its metadata is the `metadata-v1`
//!   entry of that URL and hash. Used offline, and online when the URL pins the hash.
//!
//! Every entry is written to a temporary file in its directory and renamed into place, so
//! concurrent runs sharing the cache read either the old entry or the new one, never a part.
//! Entries never hold credentials: URLs are stripped of them and requests stored without
//! their `Authorization` header.

use bytes::Bytes;
use http_cache_semantics::CachePolicy;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use unilock_model::index::{CoreMetadata, DirectFile, DistFile, Metadata, PackedBytes};

const MAGIC: &[u8] = b"unilock-http-cache-1\n";

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

#[derive(Serialize, Deserialize)]
struct Head {
    status: u16,
    url: String,
    content_type: Option<String>,
    policy: CachePolicy,
    body_len: u64,
    #[serde(default)]
    id: String,
}

const DERIVED_MAGIC: &[u8] = b"unilock-derived-1\n";

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

/// A direct reference's file as stored.
#[derive(Serialize, Deserialize)]
struct DirectEntry {
    url: String,
    filename: String,
    sha256: String,
    size: Option<u64>,
}

/// Derived metadata as stored.
#[derive(Serialize, Deserialize)]
struct MetadataEntry {
    url: String,
    sha256: String,
    #[serde(flatten)]
    metadata: StoredMetadata,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum StoredMetadata {
    Known {
        name: String,
        version: String,
        requires_dist: Vec<String>,
        requires_python: Option<String>,
        provides_extra: Vec<String>,
    },
    NeedsBuild {
        why: String,
    },
}

/// The cache directory.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

impl Cache {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Cache { root: root.into() }
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

    /// The stored response for `key`, if any and intact.
    pub fn read_http(&self, key: &str) -> Option<HttpEntry> {
        // One read; the body is a view into it, not a copy (pages run to megabytes).
        let bytes = Bytes::from(std::fs::read(self.path("http-v1", key, "")).ok()?);
        let rest = bytes.strip_prefix(MAGIC)?;
        let (len, rest) = rest.split_first_chunk::<8>()?;
        let len = usize::try_from(u64::from_le_bytes(*len)).ok()?;
        let head_start = MAGIC.len() + 8;
        let body_start = head_start.checked_add(len)?;
        let head: Head = serde_json::from_slice(rest.get(..len)?).ok()?;
        if head.body_len != (bytes.len().checked_sub(body_start)?) as u64 {
            return None;
        }
        Some(HttpEntry {
            status: head.status,
            url: url::Url::parse(&head.url).ok()?,
            content_type: head.content_type,
            policy: head.policy,
            body: bytes.slice(body_start..),
            id: head.id,
        })
    }

    /// The caching policy and id of the stored response for `key`, reading only its header.
    pub fn read_http_head(&self, key: &str) -> Option<(CachePolicy, String)> {
        use std::io::Read;
        let mut file = std::fs::File::open(self.path("http-v1", key, "")).ok()?;
        let mut start = [0u8; MAGIC.len() + 8];
        file.read_exact(&mut start).ok()?;
        let len = u64::from_le_bytes(*start.strip_prefix(MAGIC)?.first_chunk::<8>()?);
        // A damaged length must not become a huge allocation.
        if len > file.metadata().ok()?.len() {
            return None;
        }
        let mut head = vec![0u8; usize::try_from(len).ok()?];
        file.read_exact(&mut head).ok()?;
        let head: Head = serde_json::from_slice(&head).ok()?;
        Some((head.policy, head.id))
    }

    /// What was derived (`kind`: `pages-v1`) from the stored response for `key` whose id is
    /// `id`; `None` when nothing was, or it was derived from another response. The entry is
    /// mapped, not read (see [`Mapped`]).
    pub fn read_derived(&self, kind: &str, key: &str, id: &str) -> Option<PackedBytes> {
        let file = std::fs::File::open(self.path(kind, key, "")).ok()?;
        // SAFETY: the map is only read. Cache entries are written whole to a temporary file
        // and renamed into place, never changed in place, so the mapped file keeps its
        // contents for as long as the map lives; only another program truncating a cache file
        // during a run could break that.
        let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
        let rest = map.strip_prefix(DERIVED_MAGIC)?;
        let (len, rest) = rest.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len) as usize;
        if id.is_empty() || rest.get(..len)? != id.as_bytes() {
            return None;
        }
        let start = DERIVED_MAGIC.len() + 4 + len;
        Some(Arc::new(Mapped { map, start }))
    }

    pub fn write_derived(
        &self,
        kind: &str,
        key: &str,
        id: &str,
        value: &[u8],
    ) -> std::io::Result<()> {
        let mut bytes = Vec::with_capacity(DERIVED_MAGIC.len() + 4 + id.len() + value.len());
        bytes.extend_from_slice(DERIVED_MAGIC);
        bytes.extend_from_slice(&(id.len() as u32).to_le_bytes());
        bytes.extend_from_slice(id.as_bytes());
        bytes.extend_from_slice(value);
        write_atomic(&self.path(kind, key, ""), &bytes)
    }

    pub fn write_http(&self, key: &str, entry: &HttpEntry) -> std::io::Result<()> {
        let head = serde_json::to_vec(&Head {
            status: entry.status,
            url: entry.url.to_string(),
            content_type: entry.content_type.clone(),
            policy: entry.policy.clone(),
            body_len: entry.body.len() as u64,
            id: entry.id.clone(),
        })?;
        let mut bytes = Vec::with_capacity(MAGIC.len() + 8 + head.len() + entry.body.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&(head.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&head);
        bytes.extend_from_slice(&entry.body);
        write_atomic(&self.path("http-v1", key, ""), &bytes)
    }

    /// The metadata derived from the file at `url` whose sha256 is `sha256`.
    pub fn read_metadata(&self, url: &str, sha256: &str) -> Option<Metadata> {
        let bytes = std::fs::read(self.path("metadata-v1", url, ".json")).ok()?;
        let entry: MetadataEntry = serde_json::from_slice(&bytes).ok()?;
        if entry.url != url || !entry.sha256.eq_ignore_ascii_case(sha256) {
            return None;
        }
        Some(match entry.metadata {
            StoredMetadata::Known {
                name,
                version,
                requires_dist,
                requires_python,
                provides_extra,
            } => Metadata::Known(Arc::new(CoreMetadata {
                name,
                version,
                requires_dist,
                requires_python,
                provides_extra,
            })),
            StoredMetadata::NeedsBuild { why } => Metadata::NeedsBuild(why),
        })
    }

    pub fn write_metadata(
        &self,
        url: &str,
        sha256: &str,
        metadata: &Metadata,
    ) -> std::io::Result<()> {
        let metadata = match metadata {
            Metadata::Known(m) => StoredMetadata::Known {
                name: m.name.clone(),
                version: m.version.clone(),
                requires_dist: m.requires_dist.clone(),
                requires_python: m.requires_python.clone(),
                provides_extra: m.provides_extra.clone(),
            },
            Metadata::NeedsBuild(why) => StoredMetadata::NeedsBuild { why: why.clone() },
        };
        let entry = MetadataEntry {
            url: url.to_string(),
            sha256: sha256.to_ascii_lowercase(),
            metadata,
        };
        let bytes = serde_json::to_vec_pretty(&entry)?;
        write_atomic(&self.path("metadata-v1", url, ".json"), &bytes)
    }
}

impl Cache {
    /// The file of a direct reference to `url` (without credentials) as last read.
    pub fn read_direct(&self, url: &str) -> Option<DirectFile> {
        let bytes = std::fs::read(self.path("direct-v1", url, ".json")).ok()?;
        let entry: DirectEntry = serde_json::from_slice(&bytes).ok()?;
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
        let entry = DirectEntry {
            url: direct.file.url.clone(),
            filename: direct.file.filename.clone(),
            sha256: sha256.to_ascii_lowercase(),
            size: direct.file.size,
        };
        let bytes = serde_json::to_vec_pretty(&entry)?;
        write_atomic(&self.path("direct-v1", &direct.file.url, ".json"), &bytes)
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_data()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_entries_answer_only_for_the_body_they_were_made_from() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let request = http::Request::get("https://h.example/simple/a/")
            .body(())
            .unwrap();
        let mut response = http::Response::new(());
        response
            .headers_mut()
            .insert("cache-control", "max-age=60".parse().unwrap());
        let entry = HttpEntry {
            status: 200,
            url: url::Url::parse("https://h.example/simple/a/").unwrap(),
            content_type: Some("text/html".into()),
            policy: CachePolicy::new(&request, &response),
            body: Bytes::from_static(b"<html></html>"),
            id: new_id(),
        };
        let key = "https://h.example/simple/a/\ntext/html";
        cache.write_http(key, &entry).unwrap();
        let (_, id) = cache.read_http_head(key).unwrap();
        assert_eq!(id, entry.id);
        assert_ne!(new_id(), new_id());
        cache
            .write_derived("pages-v1", key, &id, b"packed")
            .unwrap();
        let value = cache.read_derived("pages-v1", key, &id).unwrap();
        assert_eq!((*value).as_ref(), b"packed");
        assert!(cache.read_derived("pages-v1", key, "another").is_none());
        assert!(cache.read_derived("pages-v1", key, "").is_none());
        assert!(cache.read_derived("pages-v1", "other", &id).is_none());

        // A header whose length is damaged reads as no entry, without allocating it.
        let path = cache.path("http-v1", key, "");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[MAGIC.len()..MAGIC.len() + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        std::fs::write(&path, &bytes).unwrap();
        assert!(cache.read_http_head(key).is_none());
        assert!(cache.read_http(key).is_none());
    }

    #[test]
    fn metadata_entries_are_keyed_by_url_and_hash() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let m = Metadata::Known(Arc::new(CoreMetadata {
            name: "alpha".into(),
            version: "1.0".into(),
            requires_dist: vec!["beta>=1".into()],
            ..CoreMetadata::default()
        }));
        cache
            .write_metadata("https://h.example/a.whl", "AB", &m)
            .unwrap();
        assert_eq!(
            cache.read_metadata("https://h.example/a.whl", "ab"),
            Some(m)
        );
        assert_eq!(cache.read_metadata("https://h.example/a.whl", "cd"), None);
        assert_eq!(cache.read_metadata("https://h.example/b.whl", "ab"), None);
        let build = Metadata::NeedsBuild("dynamic".into());
        cache
            .write_metadata("https://h.example/a.tar.gz", "ef", &build)
            .unwrap();
        assert_eq!(
            cache.read_metadata("https://h.example/a.tar.gz", "ef"),
            Some(build)
        );
    }

    #[test]
    fn direct_files_come_back_with_their_metadata() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::new(dir.path());
        let url = "https://h.example/a-1.0-py3-none-any.whl";
        assert_eq!(cache.read_direct(url), None);
        let direct = DirectFile {
            file: DistFile {
                filename: "a-1.0-py3-none-any.whl".into(),
                url: url.into(),
                hashes: [("sha256".to_string(), "ab".to_string())].into(),
                size: Some(3),
                requires_python: Some(">=3.9".into()),
                ..DistFile::default()
            },
            metadata: Metadata::Known(Arc::new(CoreMetadata {
                name: "a".into(),
                version: "1.0".into(),
                requires_python: Some(">=3.9".into()),
                ..CoreMetadata::default()
            })),
        };
        cache.write_direct(&direct).unwrap();
        assert_eq!(cache.read_direct(url), Some(direct));
        assert_eq!(cache.read_direct("https://h.example/b.whl"), None);
    }

    #[test]
    fn default_dir_follows_the_variables_in_order() {
        let vars = |set: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                set.iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let all = vars(&[
            ("UNILOCK_CACHE_DIR", "/c"),
            ("XDG_CACHE_HOME", "/x"),
            ("HOME", "/h"),
        ]);
        assert_eq!(default_dir(&all), Some(PathBuf::from("/c")));
        let xdg = vars(&[("XDG_CACHE_HOME", "/x"), ("HOME", "/h")]);
        assert_eq!(default_dir(&xdg), Some(PathBuf::from("/x/unilock")));
        let home = vars(&[("HOME", "/h")]);
        assert_eq!(default_dir(&home), Some(PathBuf::from("/h/.cache/unilock")));
        assert_eq!(default_dir(&vars(&[])), None);
    }
}
