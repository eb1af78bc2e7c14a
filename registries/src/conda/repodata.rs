//! One subdir's `repodata.json`, indexed by package name and parsed lazily.
//!
//! A channel's repodata lists every build of every package (a full conda-forge subdir is
//! hundreds of MiB); a solve reads the builds of a few hundred names at most. So the file is
//! read once with `serde_json` borrowing each record's JSON text ([`RawValue`]) — a pass that
//! validates the JSON and notes where each record is, without building any record — and a
//! name's records are parsed into [`RepoDataRecord`]s the first time that name is asked for.
//! The text stays in memory (mapped, for a plain `repodata.json`; decompressed, for the `.zst`
//! and `.bz2` forms); the index holds only offsets.
//!
//! Why not `rattler_repodata_gateway`'s `SparseRepoData`, which does the same: with only its
//! `sparse` feature it still brings 71 crates the workspace does not have (rattler's
//! networking, cache and package-streaming crates, rayon, reqwest middleware, a second
//! compression stack) for what is here some 300 lines; and its loading fails a whole name
//! (every build of it) when one record cannot be read, where a record that cannot be read is
//! skipped here with a warning and the others stay.
//!
//! Read as rattler reads them: `packages` (`.tar.bz2`) and `packages.conda` (`.conda`; when
//! both list the same name-version-build, only the `.conda` is used); `info.base_url`
//! (repodata v2) for the records' URLs; an empty `subdir` field filled from the file's subdir.
//! Beyond rattler: a `null` field (`"depends": null`) reads as absent, so a null list is empty;
//! empty `track_features` entries (`"track_features": ""`) are dropped, so "" means none.
//! Left out for now: `removed` (those files are not candidates anyway) and the `v3` section.

use rattler_conda_types::package::DistArchiveIdentifier;
use rattler_conda_types::{PackageRecord, RepoDataRecord};
use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use serde_json::value::RawValue;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::sync::{Arc, Mutex};
use url::Url;

/// The text of a repodata file.
pub(crate) enum Text {
    /// A plain `repodata.json`, mapped.
    Mapped(memmap2::Mmap),
    /// Decompressed, or read whole.
    Owned(Vec<u8>),
    /// An HTTP answer as the client holds it (a mapped temporary file, or the cache's entry).
    Shared(bytes::Bytes),
}

impl Text {
    fn bytes(&self) -> &[u8] {
        match self {
            Text::Mapped(map) => map,
            Text::Owned(bytes) => bytes,
            Text::Shared(bytes) => bytes,
        }
    }
}

/// Where one record is in the text.
struct Entry {
    /// The file name the record is listed under (`numpy-2.1.3-py312h….conda`).
    key: Box<str>,
    /// Its JSON object.
    value: Range<usize>,
    /// Listed under `packages.conda`.
    conda: bool,
}

/// One subdir of one channel.
pub(crate) struct Repodata {
    text: Text,
    /// The file read, as the user should see it in messages.
    file: String,
    /// The subdir the file was read from (`linux-64`, `noarch`).
    subdir: String,
    /// The `channel` of every record: the channel's URL, credentials removed.
    channel: String,
    /// What file names are resolved against: the subdir's URL, or `info.base_url`.
    package_base: Url,
    /// Records by normalised package name (from the file name), in file order.
    index: HashMap<String, Vec<Entry>>,
    parsed: Mutex<HashMap<String, Arc<Vec<RepoDataRecord>>>>,
}

/// What reading a name's records had to say: records skipped, one line each.
pub(crate) type Skipped = Vec<String>;

impl Repodata {
    /// Indexes `text`, read from `file` (the subdir `subdir` of the channel whose URL is
    /// `channel_url`). An error (a message for the caller to wrap) when the file is not a
    /// repodata JSON object or its `info` cannot be used; entries whose key is not a package
    /// file name are counted in the returned warning.
    pub(crate) fn index(
        text: Text,
        file: String,
        subdir: &str,
        channel_url: &Url,
        channel: String,
    ) -> Result<(Repodata, Option<String>), String> {
        let top: TopLevel<'_> = serde_json::from_slice(text.bytes())
            .map_err(|err| format!("not repodata JSON: {err}"))?;
        let subdir_url = channel_url
            .join(&format!("{subdir}/"))
            .map_err(|err| format!("the subdir {subdir} has no URL under {channel_url}: {err}"))?;
        let base_url = top.info.as_ref().and_then(|info| info.base_url.as_deref());
        let package_base = package_base(&subdir_url, base_url)?;
        let start = text.bytes().as_ptr() as usize;
        let mut index: HashMap<String, Vec<Entry>> = HashMap::new();
        let mut bad_keys = Vec::new();
        let lists = [(top.packages, false), (top.conda_packages, true)];
        for (list, conda) in lists {
            for (key, raw) in list.map(|l| l.0).unwrap_or_default() {
                let Some(name) = name_of(&key, conda) else {
                    bad_keys.push(key);
                    continue;
                };
                let offset = raw.get().as_ptr() as usize - start;
                index.entry(name).or_default().push(Entry {
                    key: key.into(),
                    value: offset..offset + raw.get().len(),
                    conda,
                });
            }
        }
        let warning = (!bad_keys.is_empty()).then(|| {
            let shown: Vec<&str> = bad_keys.iter().take(3).map(String::as_str).collect();
            format!(
                "{file}: {} entries are skipped: their key is not a package file name \
                 (name-version-build.conda under packages.conda, .tar.bz2 under packages): {}{}",
                bad_keys.len(),
                shown.join(", "),
                if bad_keys.len() > shown.len() {
                    ", …"
                } else {
                    ""
                }
            )
        });
        Ok((
            Repodata {
                text,
                file,
                subdir: subdir.to_string(),
                channel,
                package_base,
                index,
                parsed: Mutex::default(),
            },
            warning,
        ))
    }

    /// The index, to keep beside the text it was made from ([`Self::unpack`]): the text's
    /// length, where file names resolve, `warning` (what [`Self::index`] said), and every
    /// entry (file name, the range of its record, `.conda` or not), each name's in file order.
    pub(crate) fn pack(&self, warning: Option<&str>) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.index.len() * 64);
        let put_str = |out: &mut Vec<u8>, s: &str| {
            out.extend_from_slice(&(s.len() as u32).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        };
        out.extend_from_slice(&(self.text.bytes().len() as u64).to_le_bytes());
        put_str(&mut out, self.package_base.as_str());
        put_str(&mut out, warning.unwrap_or(""));
        out.extend_from_slice(&(self.len() as u64).to_le_bytes());
        for entries in self.index.values() {
            for entry in entries {
                put_str(&mut out, &entry.key);
                out.extend_from_slice(&(entry.value.start as u64).to_le_bytes());
                out.extend_from_slice(&(entry.value.end as u64).to_le_bytes());
                out.push(u8::from(entry.conda));
            }
        }
        out
    }

    /// The repodata `text` with the index `packed` made from it ([`Self::pack`]), and the
    /// warning its reading gave; the text back when the index does not fit it (another
    /// length, a range past its end, a key that is not a file name, a truncated index).
    pub(crate) fn unpack(
        text: Text,
        packed: &[u8],
        file: String,
        subdir: &str,
        channel: String,
    ) -> Result<(Repodata, Option<String>), Text> {
        let Some((package_base, warning, index)) = read_packed(packed, text.bytes().len()) else {
            return Err(text);
        };
        Ok((
            Repodata {
                text,
                file,
                subdir: subdir.to_string(),
                channel,
                package_base,
                index,
                parsed: Mutex::default(),
            },
            warning,
        ))
    }

    /// Whether the file lists `name` at all (readable or not).
    pub(crate) fn lists(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// The names the file lists.
    #[cfg(test)]
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.index.keys().map(String::as_str)
    }

    /// The number of records the file lists.
    pub(crate) fn len(&self) -> usize {
        self.index.values().map(Vec::len).sum()
    }

    /// The records of `name` (normalised), parsed on the first call; and, on that call only,
    /// the records skipped (one line each). A `.tar.bz2` record is left out when the same
    /// build is listed as `.conda`.
    pub(crate) fn records(&self, name: &str) -> (Arc<Vec<RepoDataRecord>>, Skipped) {
        let mut parsed = lock(&self.parsed);
        if let Some(records) = parsed.get(name) {
            return (records.clone(), Vec::new());
        }
        let entries = self.index.get(name).map(Vec::as_slice).unwrap_or_default();
        let conda_stems: HashSet<&str> = entries
            .iter()
            .filter(|e| e.conda)
            .filter_map(|e| e.key.strip_suffix(".conda"))
            .collect();
        let mut records = Vec::with_capacity(entries.len());
        let mut skipped = Vec::new();
        for entry in entries {
            if !entry.conda
                && let Some(stem) = entry.key.strip_suffix(".tar.bz2")
                && conda_stems.contains(stem)
            {
                continue;
            }
            match self.record(name, entry) {
                Ok(record) => records.push(record),
                Err(why) => skipped.push(format!(
                    "{}: the record {} is skipped: {why}",
                    self.file, entry.key
                )),
            }
        }
        let records = Arc::new(records);
        parsed.insert(name.to_string(), records.clone());
        (records, skipped)
    }

    fn record(&self, name: &str, entry: &Entry) -> Result<RepoDataRecord, String> {
        let raw = &self.text.bytes()[entry.value.clone()];
        // The range was a JSON value of the text serde_json read as UTF-8.
        let raw = std::str::from_utf8(raw).map_err(|err| err.to_string())?;
        let package_record = package_record(raw)?;
        let at = Place {
            subdir: &self.subdir,
            package_base: &self.package_base,
            channel: &self.channel,
        };
        finish_record(package_record, &entry.key, name, &at)
    }
}

/// Where the records of one subdir of one channel come from: what a record is completed with.
pub(crate) struct Place<'a> {
    /// The subdir read (`linux-64`, `noarch`), for records without a `subdir` field.
    pub subdir: &'a str,
    /// What file names are resolved against.
    pub package_base: &'a Url,
    /// The `channel` of every record.
    pub channel: &'a str,
}

/// `package_record`, listed under the file name `key` as a build of `name`, as the record the
/// solver reads: its URL, channel and subdir filled in; an error when it names another package
/// or `key` is not a package file name.
pub(crate) fn finish_record(
    mut package_record: PackageRecord,
    key: &str,
    name: &str,
    at: &Place<'_>,
) -> Result<RepoDataRecord, String> {
    if package_record.name.as_normalized() != name {
        return Err(format!(
            "it is listed as a file of {name} but names the package {}",
            package_record.name.as_normalized()
        ));
    }
    if package_record.subdir.is_empty() {
        package_record.subdir = at.subdir.to_string();
    }
    // `"track_features": ""` means none (as conda reads it); rattler reads it as one
    // empty feature, which would rank the build below featureless ones.
    package_record.track_features.retain(|f| !f.is_empty());
    let identifier = DistArchiveIdentifier::try_from_filename(key)
        .ok_or_else(|| "its key is not a package file name".to_string())?;
    let url = at
        .package_base
        .join(&identifier.to_file_name())
        .map_err(|err| format!("its file name makes no URL: {err}"))?;
    Ok(RepoDataRecord {
        package_record,
        identifier,
        url,
        channel: Some(at.channel.to_string()),
    })
}

/// What [`Repodata::pack`] wrote, checked against a text of `len` bytes.
#[allow(clippy::type_complexity)]
fn read_packed(
    packed: &[u8],
    len: usize,
) -> Option<(Url, Option<String>, HashMap<String, Vec<Entry>>)> {
    let mut r = Reader(packed);
    if r.u64()? != len as u64 {
        return None;
    }
    let package_base = Url::parse(r.str()?).ok()?;
    let warning = Some(r.str()?.to_string()).filter(|w| !w.is_empty());
    let count = r.u64()?;
    let mut index: HashMap<String, Vec<Entry>> = HashMap::new();
    for _ in 0..count {
        let key = r.str()?;
        let start = usize::try_from(r.u64()?).ok()?;
        let end = usize::try_from(r.u64()?).ok()?;
        let conda = match r.take(1)? {
            [0] => false,
            [1] => true,
            _ => return None,
        };
        if start > end || end > len {
            return None;
        }
        let name = name_of(key, conda)?;
        index.entry(name).or_default().push(Entry {
            key: key.into(),
            value: start..end,
            conda,
        });
    }
    r.0.is_empty().then_some((package_base, warning, index))
}

/// Reads a packed index from its start.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = u32::from_le_bytes(self.take(4)?.try_into().ok()?) as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }
}

/// Parses one record; a field that is `null` reads as absent (so `"depends": null` is an
/// empty list), which rattler's `PackageRecord` alone refuses.
fn package_record(raw: &str) -> Result<PackageRecord, String> {
    let first = match serde_json::from_str::<PackageRecord>(raw) {
        Ok(record) => return Ok(record),
        Err(err) => err,
    };
    let Ok(mut fields) = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(raw)
    else {
        return Err(first.to_string());
    };
    if !fields.values().any(serde_json::Value::is_null) {
        return Err(first.to_string());
    }
    fields.retain(|_, value| !value.is_null());
    PackageRecord::deserialize(serde_json::Value::Object(fields)).map_err(|err| err.to_string())
}

/// Reads one record given as a JSON value, a field that is `null` read as absent (as
/// [`package_record`] does).
pub(crate) fn package_record_of(value: serde_json::Value) -> Result<PackageRecord, String> {
    let serde_json::Value::Object(mut fields) = value else {
        return Err("a record must be a map of fields".to_string());
    };
    fields.retain(|_, value| !value.is_null());
    PackageRecord::deserialize(serde_json::Value::Object(fields)).map_err(|err| err.to_string())
}

/// The URL file names are resolved against, as rattler's `compute_package_url` computes it
/// (an absolute `base_url`; a relative one against the subdir's URL; one starting with `/`
/// as a path on the channel's host), as an error where rattler would panic.
pub(crate) fn package_base(subdir_url: &Url, base_url: Option<&str>) -> Result<Url, String> {
    let mut url = match base_url {
        None => subdir_url.clone(),
        Some(base) => match Url::parse(base) {
            Ok(url) => url,
            Err(url::ParseError::RelativeUrlWithoutBase) if base.starts_with('/') => {
                let mut url = subdir_url.clone();
                url.set_path(base);
                url
            }
            Err(url::ParseError::RelativeUrlWithoutBase) => {
                subdir_url.join(base).map_err(|err| bad_base(base, err))?
            }
            Err(err) => return Err(bad_base(base, err)),
        },
    };
    if url.cannot_be_a_base() {
        return Err(format!("info.base_url {base_url:?} cannot hold file names"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn bad_base(base: &str, err: url::ParseError) -> String {
    format!("info.base_url {base:?} is not a URL: {err}")
}

/// The normalised package name of a record key (`name-version-build.conda` under
/// `packages.conda`, `….tar.bz2` under `packages`; one path segment), without parsing it.
pub(crate) fn name_of(key: &str, conda: bool) -> Option<String> {
    // A file name is one path segment: `../x-1-0.conda` would name a file outside the subdir.
    if key.contains(['/', '\\']) {
        return None;
    }
    let stem = key.strip_suffix(if conda { ".conda" } else { ".tar.bz2" })?;
    let mut parts = stem.rsplitn(3, '-');
    let (_build, _version, name) = (parts.next()?, parts.next()?, parts.next()?);
    (!name.is_empty()).then(|| name.to_ascii_lowercase())
}

#[derive(Deserialize)]
struct TopLevel<'a> {
    #[serde(default)]
    info: Option<Info>,
    #[serde(default, borrow)]
    packages: Option<Records<'a>>,
    #[serde(default, borrow, rename = "packages.conda")]
    conda_packages: Option<Records<'a>>,
}

#[derive(Deserialize)]
struct Info {
    #[serde(default)]
    base_url: Option<String>,
}

/// A map of records, kept as (key, JSON text) pairs in file order.
struct Records<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Records<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Pairs<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Pairs<'a> {
            type Value = Records<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of package records")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Records<'a>, M::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(pair) = map.next_entry::<String, &'a RawValue>()? {
                    pairs.push(pair);
                }
                Ok(Records(pairs))
            }
        }
        deserializer.deserialize_map(Pairs(std::marker::PhantomData))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
