//! Sharded repodata (CEP 16) built from a `repodata.json` for the test server: the shard
//! index and one shard per name, written as rattler writes them (MessagePack with `md5` and
//! `sha256` as raw bytes, zstd-compressed, each shard named by the sha256 of its compressed
//! bytes) or as conda-index does (named by the sha256 of the MessagePack inside).

use super::{Route, TestServer};
use serde::Serialize;
use serde::ser::{SerializeMap, SerializeSeq};
use serde_json::Value;
use sha2::Digest;
use std::collections::BTreeMap;

/// Which bytes a shard's name hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardHash {
    /// The compressed file (rattler).
    Compressed,
    /// The MessagePack inside it (conda-index).
    Packed,
}

/// A subdir served as shards.
#[derive(Debug, Clone)]
pub struct ServedShards {
    /// The path of the shard index.
    pub index: String,
    /// Each name's shard: its path on the server, and its compressed bytes.
    pub shards: BTreeMap<String, (String, Vec<u8>)>,
}

/// Serves `repodata` (a `repodata.json`'s text) as the shards of `<prefix><subdir>/` on
/// `server`: the index at `<prefix><subdir>/repodata_shards.msgpack.zst` (with `etag`, no
/// freshness) naming `base_url` (when given) and `./shards/`, and each shard under
/// `<prefix><subdir>/shards/` (immutable).
pub fn serve_shards(
    server: &TestServer,
    prefix: &str,
    subdir: &str,
    repodata: &[u8],
    base_url: Option<&str>,
    hash: ShardHash,
    etag: &str,
) -> ServedShards {
    let repodata: Value = serde_json::from_slice(repodata).expect("repodata JSON");
    let mut by_name: BTreeMap<String, Value> = BTreeMap::new();
    for list in ["packages", "packages.conda"] {
        let Some(Value::Object(records)) = repodata.get(list) else {
            continue;
        };
        for (file, record) in records {
            let name = record["name"]
                .as_str()
                .expect("a name")
                .to_ascii_lowercase();
            let shard = by_name.entry(name).or_insert_with(
                || serde_json::json!({"packages": {}, "packages.conda": {}, "removed": []}),
            );
            shard[list][file] = record.clone();
        }
    }
    let mut served = ServedShards {
        index: format!("{prefix}{subdir}/repodata_shards.msgpack.zst"),
        shards: BTreeMap::new(),
    };
    let mut hashes = BTreeMap::new();
    for (name, shard) in by_name {
        let packed = rmp_serde::to_vec_named(&Packed(&shard, false)).expect("msgpack");
        let compressed = zstd::encode_all(&packed[..], 3).expect("zstd");
        let digest = sha2::Sha256::digest(match hash {
            ShardHash::Compressed => &compressed[..],
            ShardHash::Packed => &packed[..],
        });
        let hex = crate::http::hex(&digest);
        let path = format!("{prefix}{subdir}/shards/{hex}.msgpack.zst");
        server.route(
            &path,
            Route::ok("application/octet-stream", compressed.clone())
                .header("Cache-Control", "public, max-age=31536000, immutable"),
        );
        hashes.insert(name.clone(), Bin(digest.to_vec()));
        served.shards.insert(name, (path, compressed));
    }
    let mut info = serde_json::json!({"subdir": subdir, "shards_base_url": "./shards/"});
    if let Some(base_url) = base_url {
        info["base_url"] = Value::from(base_url);
    }
    let index = Index {
        version: 1,
        info: Packed(&info, false),
        shards: hashes,
    };
    let packed = rmp_serde::to_vec_named(&index).expect("msgpack");
    server.route(
        &served.index,
        Route::ok(
            "application/octet-stream",
            zstd::encode_all(&packed[..], 3).expect("zstd"),
        )
        .with_etag(etag),
    );
    served
}

#[derive(Serialize)]
struct Index<'a> {
    version: u32,
    info: Packed<'a>,
    shards: BTreeMap<String, Bin>,
}

/// Raw bytes (MessagePack `bin`).
struct Bin(Vec<u8>);

impl Serialize for Bin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(&self.0)
    }
}

/// A JSON value as MessagePack; when the flag is set, a string is hex written as raw bytes
/// (the value of an `md5` or `sha256` field).
struct Packed<'a>(&'a Value, bool);

impl Serialize for Packed<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => s.serialize_u64(u),
                (_, Some(i), _) => s.serialize_i64(i),
                (_, _, Some(f)) => s.serialize_f64(f),
                _ => s.serialize_unit(),
            },
            Value::String(text) if self.1 => {
                let bytes: Vec<u8> = (0..text.len() / 2)
                    .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).expect("hex"))
                    .collect();
                s.serialize_bytes(&bytes)
            }
            Value::String(text) => s.serialize_str(text),
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Packed(item, false))?;
                }
                seq.end()
            }
            Value::Object(fields) => {
                let mut map = s.serialize_map(Some(fields.len()))?;
                for (key, value) in fields {
                    let hash = matches!(key.as_str(), "md5" | "sha256") && value.is_string();
                    map.serialize_entry(key, &Packed(value, hash))?;
                }
                map.end()
            }
        }
    }
}
