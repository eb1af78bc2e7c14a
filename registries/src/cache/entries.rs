//! The bytes of each kind of cache entry: how an entry is written and read back, with the
//! checksums that keep a damaged entry from being used. No I/O: [`super::Cache`] puts these
//! bytes in files.
//!
//! Every entry opens with a magic line naming its kind and format version (an entry of
//! another version reads as [`Refusal::OtherFormat`], i.e. as no entry) and carries the
//! CRC-32 of its content, checked on every read ([`Refusal::Damaged`] when it does
//! not match):
//!
//! - HTTP responses: `unilock-http-cache-2\n`, the header's length (u64), the checksum of the
//!   header, the checksum of the body (u32 each; numbers are little-endian), the header
//!   (JSON), the body.
//!   The header has its own checksum so that it can be read and checked without the body.
//! - Derived values (packed pages): `unilock-derived-2\n`, the checksum of the rest (u32),
//!   the id's length (u32), the id, the value.
//! - Metadata and direct references: `unilock-metadata-2\n` / `unilock-direct-2\n`, the
//!   checksum of the rest (u32), JSON.
//!
//! Public for the `cache_entries` fuzz target; the cache is the only other user.

use super::HttpEntry;
use bytes::Bytes;
use http_cache_semantics::CachePolicy;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use unilock_model::index::{CoreMetadata, Metadata};

pub(super) const HTTP_MAGIC: &[u8] = b"unilock-http-cache-2\n";
const DERIVED_MAGIC: &[u8] = b"unilock-derived-2\n";
const METADATA_MAGIC: &[u8] = b"unilock-metadata-2\n";
const DIRECT_MAGIC: &[u8] = b"unilock-direct-2\n";

/// The bytes of an HTTP entry before its header: magic, header length, two checksums.
pub(super) const HTTP_PREFIX: usize = HTTP_MAGIC.len() + 16;

/// Why bytes are not read as an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not an entry of this kind and version (e.g. written by an earlier version): no entry.
    OtherFormat,
    /// An entry of this kind whose content does not match its checksum or cannot be read.
    Damaged(&'static str),
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::OtherFormat => f.write_str("not an entry of this version"),
            Refusal::Damaged(why) => f.write_str(why),
        }
    }
}

const BAD_SUM: Refusal = Refusal::Damaged("its content does not match its checksum");

fn checksum(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(*bytes.get(at..)?.first_chunk::<8>()?))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(*bytes.get(at..)?.first_chunk::<4>()?))
}

#[derive(Serialize, Deserialize)]
struct Head {
    status: u16,
    url: String,
    content_type: Option<String>,
    policy: CachePolicy,
    body_len: u64,
    id: String,
}

/// The bytes of an HTTP entry.
pub fn encode_http(entry: &HttpEntry) -> Vec<u8> {
    let head = serde_json::to_vec(&Head {
        status: entry.status,
        url: entry.url.to_string(),
        content_type: entry.content_type.clone(),
        policy: entry.policy.clone(),
        body_len: entry.body.len() as u64,
        id: entry.id.clone(),
    })
    // Serializing these plain fields to a Vec cannot fail; an empty header reads as damaged.
    .unwrap_or_default();
    let mut bytes = Vec::with_capacity(HTTP_PREFIX + head.len() + entry.body.len());
    bytes.extend_from_slice(HTTP_MAGIC);
    bytes.extend_from_slice(&(head.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&checksum(&head).to_le_bytes());
    bytes.extend_from_slice(&checksum(&entry.body).to_le_bytes());
    bytes.extend_from_slice(&head);
    bytes.extend_from_slice(&entry.body);
    bytes
}

/// The length of the header of the HTTP entry that opens with `prefix` (its first
/// [`HTTP_PREFIX`] bytes).
pub(super) fn http_head_len(prefix: &[u8]) -> Result<u64, Refusal> {
    if !prefix.starts_with(HTTP_MAGIC) {
        return Err(Refusal::OtherFormat);
    }
    u64_at(prefix, HTTP_MAGIC.len()).ok_or(Refusal::Damaged("it is cut short"))
}

/// The caching policy and id in the header of an HTTP entry (`prefix`: its first
/// [`HTTP_PREFIX`] bytes; `head`: the header that follows).
pub(super) fn decode_http_head(
    prefix: &[u8],
    head: &[u8],
) -> Result<(CachePolicy, String), Refusal> {
    let head = checked_head(prefix, head)?;
    Ok((head.policy, head.id))
}

fn checked_head(prefix: &[u8], head: &[u8]) -> Result<Head, Refusal> {
    if http_head_len(prefix)? != head.len() as u64 {
        return Err(Refusal::Damaged("its header length is wrong"));
    }
    if u32_at(prefix, HTTP_MAGIC.len() + 8) != Some(checksum(head)) {
        return Err(BAD_SUM);
    }
    serde_json::from_slice(head).map_err(|_| Refusal::Damaged("its header is not readable"))
}

/// An HTTP entry from its bytes; the body is a view into them, not a copy.
pub fn decode_http(bytes: impl Into<Bytes>) -> Result<HttpEntry, Refusal> {
    let bytes: Bytes = bytes.into();
    let len = http_head_len(bytes.get(..HTTP_PREFIX).unwrap_or(&bytes))?;
    let body_start = usize::try_from(len)
        .ok()
        .and_then(|len| HTTP_PREFIX.checked_add(len))
        .filter(|&end| end <= bytes.len())
        .ok_or(Refusal::Damaged("its header length is wrong"))?;
    let head = checked_head(&bytes[..HTTP_PREFIX], &bytes[HTTP_PREFIX..body_start])?;
    let body = bytes.slice(body_start..);
    if head.body_len != body.len() as u64 {
        return Err(Refusal::Damaged("its body has the wrong length"));
    }
    if u32_at(&bytes, HTTP_MAGIC.len() + 12) != Some(checksum(&body)) {
        return Err(BAD_SUM);
    }
    Ok(HttpEntry {
        status: head.status,
        url: url::Url::parse(&head.url).map_err(|_| Refusal::Damaged("its URL is not a URL"))?,
        content_type: head.content_type,
        policy: head.policy,
        body,
        id: head.id,
    })
}

/// The bytes of a derived entry: `value`, derived from the response whose id is `id`.
pub fn encode_derived(id: &str, value: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(DERIVED_MAGIC.len() + 8 + id.len() + value.len());
    bytes.extend_from_slice(DERIVED_MAGIC);
    bytes.extend_from_slice(&[0; 4]);
    bytes.extend_from_slice(&(id.len() as u32).to_le_bytes());
    bytes.extend_from_slice(id.as_bytes());
    bytes.extend_from_slice(value);
    let sum = checksum(&bytes[DERIVED_MAGIC.len() + 4..]);
    bytes[DERIVED_MAGIC.len()..DERIVED_MAGIC.len() + 4].copy_from_slice(&sum.to_le_bytes());
    bytes
}

/// The id and the value of a derived entry.
pub fn decode_derived(bytes: &[u8]) -> Result<(&str, &[u8]), Refusal> {
    let rest = checked(DERIVED_MAGIC, bytes)?;
    let (len, rest) = rest
        .split_first_chunk::<4>()
        .ok_or(Refusal::Damaged("it is cut short"))?;
    let len = u32::from_le_bytes(*len) as usize;
    if len > rest.len() {
        return Err(Refusal::Damaged("its id length is wrong"));
    }
    let (id, value) = rest.split_at(len);
    let id = std::str::from_utf8(id).map_err(|_| Refusal::Damaged("its id is not text"))?;
    Ok((id, value))
}

/// What follows the magic and checksum of an entry of the kind `magic` names, once checked.
fn checked<'a>(magic: &[u8], bytes: &'a [u8]) -> Result<&'a [u8], Refusal> {
    let rest = bytes.strip_prefix(magic).ok_or(Refusal::OtherFormat)?;
    let (sum, rest) = rest
        .split_first_chunk::<4>()
        .ok_or(Refusal::Damaged("it is cut short"))?;
    if u32::from_le_bytes(*sum) != checksum(rest) {
        return Err(BAD_SUM);
    }
    Ok(rest)
}

fn framed(magic: &[u8], content: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(magic.len() + 4 + content.len());
    bytes.extend_from_slice(magic);
    bytes.extend_from_slice(&checksum(content).to_le_bytes());
    bytes.extend_from_slice(content);
    bytes
}

/// The core metadata derived from the file at `url` whose sha256 is `sha256`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataRecord {
    pub url: String,
    /// Lowercase hex.
    pub sha256: String,
    pub metadata: Metadata,
}

#[derive(Serialize, Deserialize)]
struct StoredMetadataRecord {
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

/// The bytes of a metadata entry.
pub fn encode_metadata(record: &MetadataRecord) -> Vec<u8> {
    let metadata = match &record.metadata {
        Metadata::Known(m) => StoredMetadata::Known {
            name: m.name.clone(),
            version: m.version.clone(),
            requires_dist: m.requires_dist.clone(),
            requires_python: m.requires_python.clone(),
            provides_extra: m.provides_extra.clone(),
        },
        Metadata::NeedsBuild(why) => StoredMetadata::NeedsBuild { why: why.clone() },
    };
    let stored = StoredMetadataRecord {
        url: record.url.clone(),
        sha256: record.sha256.to_ascii_lowercase(),
        metadata,
    };
    // Serializing strings to a Vec cannot fail; an empty entry reads as damaged.
    framed(
        METADATA_MAGIC,
        &serde_json::to_vec_pretty(&stored).unwrap_or_default(),
    )
}

/// A metadata entry from its bytes.
pub fn decode_metadata(bytes: &[u8]) -> Result<MetadataRecord, Refusal> {
    let stored: StoredMetadataRecord = serde_json::from_slice(checked(METADATA_MAGIC, bytes)?)
        .map_err(|_| Refusal::Damaged("its content is not readable"))?;
    Ok(MetadataRecord {
        url: stored.url,
        sha256: stored.sha256.to_ascii_lowercase(),
        metadata: match stored.metadata {
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
                built_on_host: false,
            })),
            StoredMetadata::NeedsBuild { why } => Metadata::NeedsBuild(why),
        },
    })
}

/// The file a direct reference to `url` named when it was last read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectRecord {
    pub url: String,
    pub filename: String,
    /// Lowercase hex.
    pub sha256: String,
    pub size: Option<u64>,
}

/// The bytes of a direct-reference entry.
pub fn encode_direct(record: &DirectRecord) -> Vec<u8> {
    let record = DirectRecord {
        sha256: record.sha256.to_ascii_lowercase(),
        ..record.clone()
    };
    // Serializing strings to a Vec cannot fail; an empty entry reads as damaged.
    framed(
        DIRECT_MAGIC,
        &serde_json::to_vec_pretty(&record).unwrap_or_default(),
    )
}

/// A direct-reference entry from its bytes.
pub fn decode_direct(bytes: &[u8]) -> Result<DirectRecord, Refusal> {
    let record: DirectRecord = serde_json::from_slice(checked(DIRECT_MAGIC, bytes)?)
        .map_err(|_| Refusal::Damaged("its content is not readable"))?;
    Ok(DirectRecord {
        sha256: record.sha256.to_ascii_lowercase(),
        ..record
    })
}

/// The kinds of entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Http,
    Derived,
    Metadata,
    Direct,
}

/// An entry of `kind` around `content` — what follows the checksums (for an HTTP entry, what
/// follows the magic line with the checksums left out: the header's length, the header and
/// the body) — with checksums that match it. For fuzzing: it takes random bytes past the
/// checksum check.
#[doc(hidden)]
pub fn sealed(kind: Kind, content: &[u8]) -> Vec<u8> {
    match kind {
        Kind::Http => {
            let (len, rest) = match content.split_first_chunk::<8>() {
                Some((len, rest)) => (u64::from_le_bytes(*len), rest),
                None => (0, content),
            };
            let split = usize::try_from(len).map_or(rest.len(), |len| len.min(rest.len()));
            let (head, body) = rest.split_at(split);
            let mut bytes = Vec::with_capacity(HTTP_PREFIX + rest.len());
            bytes.extend_from_slice(HTTP_MAGIC);
            bytes.extend_from_slice(&len.to_le_bytes());
            bytes.extend_from_slice(&checksum(head).to_le_bytes());
            bytes.extend_from_slice(&checksum(body).to_le_bytes());
            bytes.extend_from_slice(rest);
            bytes
        }
        Kind::Derived => framed(DERIVED_MAGIC, content),
        Kind::Metadata => framed(METADATA_MAGIC, content),
        Kind::Direct => framed(DIRECT_MAGIC, content),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_entries_pass_their_checksums_and_read_as_written() {
        // A derived entry: the id's length, the id, the value.
        let mut content = 2u32.to_le_bytes().to_vec();
        content.extend_from_slice(b"idvalue");
        let bytes = sealed(Kind::Derived, &content);
        assert_eq!(decode_derived(&bytes), Ok(("id", &b"value"[..])));
        assert_eq!(encode_derived("id", b"value"), bytes);
        // A damaged one does not pass, sealed or not.
        let mut content = 9u32.to_le_bytes().to_vec();
        content.extend_from_slice(b"id");
        let damaged = Err(Refusal::Damaged("its id length is wrong"));
        assert_eq!(decode_derived(&sealed(Kind::Derived, &content)), damaged);
        assert_eq!(decode_derived(&content), Err(Refusal::OtherFormat));

        let record = DirectRecord {
            url: "https://h.example/a.whl".into(),
            filename: "a.whl".into(),
            sha256: "ab".into(),
            size: None,
        };
        let written = encode_direct(&record);
        let json = &written[DIRECT_MAGIC.len() + 4..];
        assert_eq!(sealed(Kind::Direct, json), written);
        assert_eq!(decode_direct(&written), Ok(record));
        let not_json = sealed(Kind::Metadata, b"{");
        let unreadable = Err(Refusal::Damaged("its content is not readable"));
        assert_eq!(decode_metadata(&not_json), unreadable);

        // An HTTP entry's header length beyond its end, sealed, is refused, not read.
        let mut content = u64::MAX.to_le_bytes().to_vec();
        content.extend_from_slice(b"{}");
        assert!(decode_http(sealed(Kind::Http, &content)).is_err());
        assert!(decode_http(sealed(Kind::Http, b"")).is_err());
    }
}
