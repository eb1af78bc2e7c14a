//! Sharded repodata (CEP 16) of a channel served over HTTP(S): the shard index of a subdir,
//! and the shard of each name the solve asks for.
//!
//! `<channel>/<subdir>/repodata_shards.msgpack.zst` is asked for before any `repodata.json`;
//! when the server has none (404, 410) the subdir is read from its repodata file as before
//! ([`super::remote`]). The index is zstd-compressed MessagePack,
//! `{info: {base_url, shards_base_url, subdir, …}, shards: {name: sha256}}`, the hashes as 32
//! raw bytes (a hex string is read too). It goes through the [`crate::cache::Cache`] with HTTP
//! semantics like a repodata file: fresh, it is used as it is; stale, revalidated
//! (`ETag`, `Last-Modified`); with `--offline`, the cached index is used, and a subdir whose
//! index the cache does not hold is read from its cached repodata file instead.
//!
//! A name's shard is `<shards_base_url><sha256 in lower-case hex>.msgpack.zst`, zstd-compressed
//! MessagePack `{packages: {file: record}, "packages.conda": {file: record}, removed: […]}`
//! (`md5` and `sha256` of records as raw bytes or hex). Both URLs of `info` may be relative;
//! they resolve against the subdir's URL (where the index is), as rattler resolves them;
//! `base_url` missing or empty means the subdir itself, `shards_base_url` missing means the
//! subdir too (where conda-index writes its shards). Shards are content-addressed, so a shard
//! is fetched once and kept in the cache by its hash (`conda-shards-v1`, the compressed bytes)
//! for good: a warm run reads it without asking the server, `--offline` as well. A shard is
//! accepted when the sha256 of its bytes is the one the index names it by — of the compressed
//! file (as rattler writes shards) or of the MessagePack inside it (as conda-index writes
//! them); anything else is a damaged shard, an error naming its URL (exit 3), and it is not
//! kept. A cached shard that no longer hashes to its name is fetched again.
//!
//! Limits: the index and each shard are held to the repodata limit
//! (`UNILOCK_MAX_REPODATA_BYTES`) both as they arrive and decompressed.
//!
//! Records are read as [`super::repodata`] reads a repodata file's: into rattler's
//! [`PackageRecord`] (a `null` field read as absent), `.conda` preferred over a `.tar.bz2` of
//! the same build, each record's URL from the index's `base_url` and its file name; a record
//! that cannot be read is skipped with a warning. `removed` is not read (those files are not
//! candidates anyway).

use super::remote::{ACCEPT, found, known_absent, note_absent};
use super::repodata::{Place, Skipped, finish_record, name_of, package_base, package_record_of};
use crate::http::{Bound, Failure, HttpClient, hex};
use rattler_conda_types::RepoDataRecord;
use serde::Deserialize;
use serde::de::{MapAccess, SeqAccess, Visitor};
use sha2::Digest;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Read;
use std::sync::{Arc, Mutex};
use url::Url;

/// The file name of a subdir's shard index.
pub(crate) const INDEX_FILE: &str = "repodata_shards.msgpack.zst";

/// The cache's name for shards kept by their hash.
pub(crate) const SHARDS: &str = "conda-shards-v1";

/// A sha256, as the index names a shard.
type Hash = [u8; 32];

/// One subdir of one channel, read through its shard index.
pub(crate) struct Sharded {
    /// The index's URL, for messages.
    index_url: Url,
    /// The subdir (`linux-64`, `noarch`).
    subdir: String,
    /// The `channel` of every record: the channel's URL, credentials removed.
    channel: String,
    /// What file names are resolved against: `info.base_url`.
    package_base: Url,
    /// Where shards are: `info.shards_base_url`.
    shards_base: Url,
    /// Each name's shard.
    shards: HashMap<String, Hash>,
    /// The largest shard read, compressed and decompressed.
    max: u64,
    /// The records of the names read so far.
    parsed: Mutex<HashMap<String, Arc<Vec<RepoDataRecord>>>>,
}

/// The shard index of `subdir` of the channel at `channel` (its URL, ending in `/`); `None`
/// when the server has none, or when `--offline` and the cache does not hold it. `max` bounds
/// the file and its decompressed contents. Errors are messages for the caller to wrap.
pub(crate) async fn read_index(
    client: &HttpClient,
    channel: &Url,
    channel_name: String,
    subdir: &str,
    max: u64,
) -> Result<Option<Sharded>, String> {
    let subdir_url = channel
        .join(&format!("{subdir}/"))
        .map_err(|err| format!("the subdir {subdir} has no URL under {channel}: {err}"))?;
    let url = subdir_url
        .join(INDEX_FILE)
        .map_err(|err| format!("the subdir {subdir} has no URL under {channel}: {err}"))?;
    let bound = Bound {
        bytes: max,
        what: "a shard index",
        variable: Some("UNILOCK_MAX_REPODATA_BYTES"),
    };
    if known_absent(client, &url) {
        return Ok(None);
    }
    let response = match client.get_cached_within(&url, ACCEPT, bound).await {
        Ok(response) => response,
        Err(err) if err.failure == Failure::NotCached => return Ok(None),
        Err(err) => return Err(err.to_string()),
    };
    if !found(&url, &response)? {
        note_absent(client, &url);
        return Ok(None);
    }
    let packed = decompress(&url, &response.body, max, "shard index")?;
    let index: IndexFile =
        rmp_serde::from_slice(&packed).map_err(|err| format!("{url}: not a shard index: {err}"))?;
    let info = index.info.unwrap_or_default();
    let package_base = package_base(
        &subdir_url,
        info.base_url.as_deref().filter(|b| !b.is_empty()),
    )
    .map_err(|why| format!("{url}: {why}"))?;
    let shards_base = package_base_of_shards(&subdir_url, info.shards_base_url.as_deref())
        .map_err(|why| format!("{url}: {why}"))?;
    let shards = index
        .shards
        .0
        .into_iter()
        .map(|(name, hash)| (name.to_ascii_lowercase(), hash))
        .collect();
    Ok(Some(Sharded {
        index_url: url,
        subdir: subdir.to_string(),
        channel: channel_name,
        package_base,
        shards_base,
        shards,
        max,
        parsed: Mutex::default(),
    }))
}

/// Where shards are: `shards_base_url` against the subdir's URL (the subdir itself when the
/// index gives none).
fn package_base_of_shards(subdir_url: &Url, shards_base_url: Option<&str>) -> Result<Url, String> {
    package_base(subdir_url, Some(shards_base_url.unwrap_or("./")))
        .map_err(|why| why.replace("info.base_url", "info.shards_base_url"))
}

impl Sharded {
    /// Whether the index names a shard for `name` (normalised).
    pub(crate) fn lists(&self, name: &str) -> bool {
        self.shards.contains_key(name)
    }

    /// The names the index lists.
    #[cfg(test)]
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.shards.keys().map(String::as_str)
    }

    /// The number of records read so far (a shard index does not say how many it holds).
    pub(crate) fn len(&self) -> usize {
        lock(&self.parsed).values().map(|r| r.len()).sum()
    }

    /// Whether the shard of `name` was read already.
    pub(crate) fn has_read(&self, name: &str) -> bool {
        lock(&self.parsed).contains_key(name)
    }

    /// The records of `name` (normalised), its shard fetched (or read from the cache) on the
    /// first call; and, on that call only, the records skipped (one line each). An error
    /// names the shard's URL.
    pub(crate) async fn records(
        &self,
        client: &HttpClient,
        name: &str,
    ) -> Result<(Arc<Vec<RepoDataRecord>>, Skipped), String> {
        if let Some(records) = lock(&self.parsed).get(name) {
            return Ok((records.clone(), Vec::new()));
        }
        let Some(hash) = self.shards.get(name) else {
            return Ok((Arc::default(), Vec::new()));
        };
        let (url, packed) = self.shard(client, name, hash).await?;
        let file: ShardFile =
            rmp_serde::from_slice(&packed).map_err(|err| format!("{url}: not a shard: {err}"))?;
        let (records, skipped) = self.read(name, &url, file);
        let records = Arc::new(records);
        let mut parsed = lock(&self.parsed);
        if let Some(first) = parsed.get(name) {
            // Read by another caller meanwhile: one answer for every caller.
            return Ok((first.clone(), Vec::new()));
        }
        parsed.insert(name.to_string(), records.clone());
        Ok((records, skipped))
    }

    /// The shard `hash` of `name`, decompressed: from the cache, else fetched and kept.
    async fn shard(
        &self,
        client: &HttpClient,
        name: &str,
        hash: &Hash,
    ) -> Result<(Url, Vec<u8>), String> {
        let hex = hex(hash);
        let url = self
            .shards_base
            .join(&format!("{hex}.msgpack.zst"))
            .map_err(|err| format!("the shard {hex} has no URL: {err}"))?;
        if let Some(cache) = client.cache()
            && let Some(kept) = cache.read_derived(SHARDS, &hex, &hex)
            && let Ok(Some(packed)) = self.check(&url, (*kept).as_ref(), hash)
        {
            return Ok((url, packed));
        }
        let bound = Bound {
            bytes: self.max,
            what: "a repodata shard",
            variable: Some("UNILOCK_MAX_REPODATA_BYTES"),
        };
        let response = match client.get_uncached(&url, bound).await {
            Ok(response) => response,
            Err(err) if err.failure == Failure::NotCached => {
                return Err(format!(
                    "the shard of {name} ({url}) is not in the cache, and --offline forbids \
                     fetching it; run once without --offline to fill the cache"
                ));
            }
            Err(err) => return Err(err.to_string()),
        };
        if !found(&url, &response)? {
            return Err(format!(
                "{url}: the server has no such shard ({}), although the shard index {} names \
                 it for {name}; the channel is being updated or is broken, try again later",
                Failure::Status(response.status),
                self.index_url
            ));
        }
        let packed = self.check(&url, &response.body, hash)?.ok_or_else(|| {
            format!(
                "{url}: the shard is damaged: the sha256 of neither its bytes ({}) nor of what \
                 they decompress to is {hex}, the hash the shard index {} names it by; it was \
                 not used (a proxy or the channel changed it)",
                hex_of(&response.body),
                self.index_url
            )
        })?;
        if let Some(cache) = client.cache() {
            // A cache that cannot be written only costs fetching the shard again.
            let _ = cache.write_derived(SHARDS, &hex, &hex, &response.body);
        }
        Ok((url, packed))
    }

    /// `body` decompressed when it is the shard `hash` names (the sha256 of the compressed
    /// bytes or of the decompressed ones); `None` when it is another.
    fn check(&self, url: &Url, body: &[u8], hash: &Hash) -> Result<Option<Vec<u8>>, String> {
        let compressed_matches = sha2::Sha256::digest(body).as_slice() == hash;
        let packed = match decompress(url, body, self.max, "shard") {
            Ok(packed) => packed,
            Err(_) if !compressed_matches => return Ok(None),
            Err(why) => return Err(why),
        };
        let matches = compressed_matches || sha2::Sha256::digest(&packed).as_slice() == hash;
        Ok(matches.then_some(packed))
    }

    /// The records of `name` in `file`, and those skipped.
    fn read(&self, name: &str, url: &Url, file: ShardFile) -> (Vec<RepoDataRecord>, Skipped) {
        let lists = [
            (file.packages.unwrap_or_default().0, false),
            (file.conda_packages.unwrap_or_default().0, true),
        ];
        let conda_stems: HashSet<String> = lists[1]
            .0
            .iter()
            .filter_map(|(key, _)| key.strip_suffix(".conda").map(str::to_string))
            .collect();
        let at = Place {
            subdir: &self.subdir,
            package_base: &self.package_base,
            channel: &self.channel,
        };
        let mut records = Vec::new();
        let mut skipped = Vec::new();
        for (list, conda) in lists {
            for (key, Json(value)) in list {
                if !conda
                    && let Some(stem) = key.strip_suffix(".tar.bz2")
                    && conda_stems.contains(stem)
                {
                    continue;
                }
                let read = match name_of(&key, conda) {
                    None => Err(format!(
                        "its key is not a package file name (name-version-build{})",
                        if conda { ".conda" } else { ".tar.bz2" }
                    )),
                    Some(_) => package_record_of(value)
                        .and_then(|record| finish_record(record, &key, name, &at)),
                };
                match read {
                    Ok(record) => records.push(record),
                    Err(why) => skipped.push(format!("{url}: the record {key} is skipped: {why}")),
                }
            }
        }
        (records, skipped)
    }
}

/// `body`, the zstd-compressed `what` at `url`, decompressed and held to `max` bytes.
fn decompress(url: &Url, body: &[u8], max: u64, what: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let decoder = zstd::stream::read::Decoder::new(body)
        .map_err(|err| format!("cannot decompress the {what} {url}: {err}"))?;
    decoder
        .take(max.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|err| format!("cannot decompress the {what} {url}: {err}"))?;
    if out.len() as u64 > max {
        return Err(format!(
            "the {what} {url} holds more than {max} bytes of repodata; if the channel is \
             right, raise UNILOCK_MAX_REPODATA_BYTES"
        ));
    }
    Ok(out)
}

fn hex_of(bytes: &[u8]) -> String {
    hex(&sha2::Sha256::digest(bytes))
}

/// The shard index, as far as it is read.
#[derive(Deserialize)]
struct IndexFile {
    #[serde(default)]
    info: Option<IndexInfo>,
    shards: Hashes,
}

#[derive(Deserialize, Default)]
struct IndexInfo {
    #[serde(default)]
    base_url: Option<String>,
    #[serde(default)]
    shards_base_url: Option<String>,
}

/// The `shards` map: name to sha256 (32 raw bytes, or 64 hex digits).
struct Hashes(Vec<(String, Hash)>);

impl<'de> Deserialize<'de> for Hashes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = Hashes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of package names to sha256 hashes")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Hashes, M::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1 << 20));
                while let Some((name, Sha(hash))) = map.next_entry::<String, Sha>()? {
                    pairs.push((name, hash));
                }
                Ok(Hashes(pairs))
            }
        }
        deserializer.deserialize_map(Pairs)
    }
}

/// A sha256: 32 raw bytes, a sequence of 32 numbers, or 64 hex digits.
struct Sha(Hash);

impl<'de> Deserialize<'de> for Sha {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Digest32;
        impl<'de> Visitor<'de> for Digest32 {
            type Value = Sha;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sha256 (32 bytes)")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Sha, E> {
                Hash::try_from(v)
                    .map(Sha)
                    .map_err(|_| E::custom(format!("a sha256 of {} bytes, not 32", v.len())))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Sha, E> {
                let bad = || E::custom(format!("{v:?} is not a sha256 in hex"));
                if v.len() != 64 || !v.is_ascii() {
                    return Err(bad());
                }
                let mut hash = [0u8; 32];
                for (i, byte) in hash.iter_mut().enumerate() {
                    *byte = u8::from_str_radix(&v[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
                }
                Ok(Sha(hash))
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Sha, S::Error> {
                let mut bytes = Vec::with_capacity(32);
                while let Some(byte) = seq.next_element::<u8>()? {
                    if bytes.len() == 32 {
                        return Err(serde::de::Error::custom("a sha256 of more than 32 bytes"));
                    }
                    bytes.push(byte);
                }
                self.visit_bytes(&bytes)
            }
        }
        deserializer.deserialize_any(Digest32)
    }
}

/// A shard, as far as it is read.
#[derive(Deserialize)]
struct ShardFile {
    #[serde(default)]
    packages: Option<Records>,
    #[serde(default, rename = "packages.conda")]
    conda_packages: Option<Records>,
}

/// A map of records, kept as (file name, record) pairs in file order, each record a JSON
/// value so that one that cannot be read is skipped alone.
#[derive(Default)]
struct Records(Vec<(String, Json)>);

impl<'de> Deserialize<'de> for Records {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Pairs;
        impl<'de> Visitor<'de> for Pairs {
            type Value = Records;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of package records")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Records, M::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1 << 16));
                while let Some(pair) = map.next_entry::<String, Json>()? {
                    pairs.push(pair);
                }
                Ok(Records(pairs))
            }
        }
        deserializer.deserialize_map(Pairs)
    }
}

/// Any MessagePack value as JSON, raw bytes as lower-case hex (how `md5` and `sha256` read in
/// repodata.json), so a shard's record reads exactly as the same record of a repodata file.
struct Json(serde_json::Value);

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde_json::Value;
        struct Any;
        impl<'de> Visitor<'de> for Any {
            type Value = Json;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a MessagePack value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
                Ok(Json(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
                Ok(Json(Value::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
                Ok(Json(Value::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
                Ok(Json(Value::from(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Json, E> {
                Ok(Json(Value::String(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Json, E> {
                Ok(Json(Value::String(v)))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Json, E> {
                Ok(Json(Value::String(hex(v))))
            }
            fn visit_none<E>(self) -> Result<Json, E> {
                Ok(Json(Value::Null))
            }
            fn visit_unit<E>(self) -> Result<Json, E> {
                Ok(Json(Value::Null))
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
                Json::deserialize(d)
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Json, S::Error> {
                let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 12));
                while let Some(Json(item)) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Json(Value::Array(items)))
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Json, M::Error> {
                let mut fields = serde_json::Map::new();
                while let Some((key, Json(value))) = map.next_entry::<String, Json>()? {
                    fields.insert(key, value);
                }
                Ok(Json(Value::Object(fields)))
            }
        }
        deserializer.deserialize_any(Any)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests;
