//! The files of one project on one index, in the index's order, in one of two forms:
//!
//! - a list of [`DistFile`]s (what a page parser, a find-links directory or a test builds);
//! - packed: one buffer that holds every file's fields, as the page cache stores it
//!   ([`Files::pack`], [`Files::unpack`]). Loading it parses nothing; the fields resolution
//!   looks at for every file (file name, `requires-python`, yanked) are read in place, and a
//!   whole [`DistFile`] is decoded only for the files that are asked for ([`Files::get`]).
//!   A project page lists thousands of files and resolution chooses one, so this is where a
//!   warm run's time would otherwise go.
//!
//! Packed layout (integers little-endian): the magic line; the number of files and the length
//! of the string area (u32 each); one record per file: [`FIELDS`] (offset, length) pairs into
//! the string area, and the size (u64, `u64::MAX` for none); then the string area (UTF-8). A
//! field that is absent has the length `u32::MAX`. File names come first in the string area,
//! so scanning them touches one contiguous run. A URL that ends in `/<file name>` is stored
//! without the name. Hashes are `algorithm=hex` lines. [`Files::unpack`] refuses a buffer
//! whose length is not what its header says; decoding never panics, and a field that does not
//! point into the string area reads as absent.

use super::{DistFile, Hashes};
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

const MAGIC: &[u8] = b"unilock-files-1\n";

/// The string fields of a packed record, in record order.
#[derive(Clone, Copy)]
enum Field {
    Filename = 0,
    /// The URL, or the URL without the file name when [`Field::Filename`] ends it.
    Url,
    UrlEndsWithName,
    Hashes,
    RequiresPython,
    Yanked,
    UploadTime,
    Metadata,
}

const FIELDS: usize = 8;
const RECORD: usize = FIELDS * 8 + 8;
const HEADER: usize = MAGIC.len() + 8;
const ABSENT: u32 = u32::MAX;

/// A project's files; see the module documentation.
#[derive(Clone)]
pub struct Files(Repr);

#[derive(Clone)]
enum Repr {
    List(Vec<DistFile>),
    Packed(Packed),
}

/// The bytes of a packed buffer, owned or mapped.
pub type Bytes = Arc<dyn AsRef<[u8]> + Send + Sync>;

#[derive(Clone)]
struct Packed {
    bytes: Bytes,
    count: usize,
}

impl Default for Files {
    fn default() -> Self {
        Files(Repr::List(Vec::new()))
    }
}

impl From<Vec<DistFile>> for Files {
    fn from(files: Vec<DistFile>) -> Self {
        Files(Repr::List(files))
    }
}

impl FromIterator<DistFile> for Files {
    fn from_iter<I: IntoIterator<Item = DistFile>>(iter: I) -> Self {
        Files(Repr::List(iter.into_iter().collect()))
    }
}

impl Files {
    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::List(l) => l.len(),
            Repr::Packed(p) => p.count,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// File `i`, decoded when the files are packed.
    pub fn get(&self, i: usize) -> Option<Cow<'_, DistFile>> {
        match &self.0 {
            Repr::List(l) => l.get(i).map(Cow::Borrowed),
            Repr::Packed(p) => (i < p.count).then(|| Cow::Owned(p.decode(i))),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = Cow<'_, DistFile>> {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// The file name of file `i` (empty when there is no such file).
    pub fn filename(&self, i: usize) -> &str {
        match &self.0 {
            Repr::List(l) => l.get(i).map_or("", |f| f.filename.as_str()),
            Repr::Packed(p) => p.field(i, Field::Filename).unwrap_or(""),
        }
    }

    /// The `requires-python` of file `i`.
    pub fn requires_python(&self, i: usize) -> Option<&str> {
        match &self.0 {
            Repr::List(l) => l.get(i)?.requires_python.as_deref(),
            Repr::Packed(p) => p.field(i, Field::RequiresPython),
        }
    }

    /// Whether file `i` is yanked.
    pub fn is_yanked(&self, i: usize) -> bool {
        match &self.0 {
            Repr::List(l) => l.get(i).is_some_and(|f| f.yanked.is_some()),
            Repr::Packed(p) => p.field(i, Field::Yanked).is_some(),
        }
    }

    /// The first of file `i`'s hashes (as `(algorithm, hex)`) for which `bad` holds, read in
    /// place when the files are packed.
    pub fn find_hash(&self, i: usize, bad: impl Fn(&str, &str) -> bool) -> Option<(&str, &str)> {
        match &self.0 {
            Repr::List(l) => l
                .get(i)?
                .hashes
                .iter()
                .map(|(a, h)| (a.as_str(), h.as_str()))
                .find(|(a, h)| bad(a, h)),
            Repr::Packed(p) => p
                .field(i, Field::Hashes)?
                .lines()
                .filter_map(|l| l.split_once('='))
                .find(|(a, h)| bad(a, h)),
        }
    }

    /// Adds `more` after the files there are.
    pub fn extend(&mut self, more: impl IntoIterator<Item = DistFile>) {
        if let Repr::Packed(_) = self.0 {
            *self = Files(Repr::List(self.iter().map(Cow::into_owned).collect()));
        }
        if let Repr::List(l) = &mut self.0 {
            l.extend(more);
        }
    }

    /// The files as one buffer, for [`Files::unpack`].
    pub fn pack(&self) -> Vec<u8> {
        let files: Vec<Cow<DistFile>> = self.iter().collect();
        let mut strings = Strings::default();
        let mut records: Vec<[(u32, u32); FIELDS]> = vec![[(0, ABSENT); FIELDS]; files.len()];
        // File names first: scanning them all then reads one contiguous run.
        for (f, r) in files.iter().zip(&mut records) {
            r[Field::Filename as usize] = strings.add(&f.filename, false);
        }
        for (f, r) in files.iter().zip(&mut records) {
            let without_name = f
                .url
                .strip_suffix(f.filename.as_str())
                .filter(|u| u.ends_with('/') && !f.filename.is_empty());
            r[Field::Url as usize] = strings.add(without_name.unwrap_or(&f.url), false);
            if without_name.is_some() {
                r[Field::UrlEndsWithName as usize] = strings.add("", true);
            }
            r[Field::Hashes as usize] = strings.add(&hash_lines(&f.hashes), false);
            let mut optional = |field: Field, value: Option<&str>| {
                if let Some(v) = value {
                    r[field as usize] =
                        strings.add(v, field as usize != Field::UploadTime as usize);
                }
            };
            optional(Field::RequiresPython, f.requires_python.as_deref());
            optional(Field::Yanked, f.yanked.as_deref());
            optional(Field::UploadTime, f.upload_time.as_deref());
            optional(
                Field::Metadata,
                f.metadata.as_ref().map(hash_lines).as_deref(),
            );
        }
        let mut out = Vec::with_capacity(HEADER + RECORD * files.len() + strings.bytes.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(files.len() as u32).to_le_bytes());
        out.extend_from_slice(&(strings.bytes.len() as u32).to_le_bytes());
        for (f, r) in files.iter().zip(&records) {
            for (offset, len) in r {
                out.extend_from_slice(&offset.to_le_bytes());
                out.extend_from_slice(&len.to_le_bytes());
            }
            out.extend_from_slice(&f.size.unwrap_or(u64::MAX).to_le_bytes());
        }
        out.extend_from_slice(&strings.bytes);
        out
    }

    /// Files packed by [`Files::pack`]; `None` when `bytes` is not such a buffer.
    pub fn unpack(bytes: Bytes) -> Option<Files> {
        let b = (*bytes).as_ref();
        let (count, rest) = b.strip_prefix(MAGIC)?.split_first_chunk::<4>()?;
        let count = u32::from_le_bytes(*count) as usize;
        let strings_len = u32::from_le_bytes(*rest.first_chunk::<4>()?) as usize;
        let strings = HEADER.checked_add(count.checked_mul(RECORD)?)?;
        if strings.checked_add(strings_len)? != b.len() {
            return None;
        }
        Some(Files(Repr::Packed(Packed { bytes, count })))
    }
}

impl Packed {
    fn bytes(&self) -> &[u8] {
        (*self.bytes).as_ref()
    }

    fn u32_at(&self, at: usize) -> Option<u32> {
        let b = self.bytes().get(at..at.checked_add(4)?)?;
        Some(u32::from_le_bytes(b.try_into().ok()?))
    }

    /// String field `field` of file `i`; `None` when absent (or damaged).
    fn field(&self, i: usize, field: Field) -> Option<&str> {
        if i >= self.count {
            return None;
        }
        let at = HEADER + i * RECORD + field as usize * 8;
        let (offset, len) = (self.u32_at(at)?, self.u32_at(at + 4)?);
        if len == ABSENT {
            return None;
        }
        let start = HEADER + self.count * RECORD + offset as usize;
        let bytes = self.bytes().get(start..start.checked_add(len as usize)?)?;
        std::str::from_utf8(bytes).ok()
    }

    fn decode(&self, i: usize) -> DistFile {
        let text = |field| self.field(i, field).map(str::to_string);
        let filename = text(Field::Filename).unwrap_or_default();
        let mut url = text(Field::Url).unwrap_or_default();
        if self.field(i, Field::UrlEndsWithName).is_some() {
            url.push_str(&filename);
        }
        let at = HEADER + i * RECORD + FIELDS * 8;
        let size = self
            .bytes()
            .get(at..at + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
            .filter(|&s| s != u64::MAX);
        DistFile {
            filename,
            url,
            hashes: self
                .field(i, Field::Hashes)
                .map(parse_hashes)
                .unwrap_or_default(),
            size,
            requires_python: text(Field::RequiresPython),
            yanked: text(Field::Yanked),
            upload_time: text(Field::UploadTime),
            metadata: self.field(i, Field::Metadata).map(parse_hashes),
        }
    }
}

/// The string area being built; values that repeat (`requires-python`, yanked reasons, the
/// metadata advertised without hashes) are stored once.
#[derive(Default)]
struct Strings {
    bytes: Vec<u8>,
    seen: std::collections::HashMap<String, (u32, u32)>,
}

impl Strings {
    /// Stores `s`, once when `shared` and it was stored before.
    fn add(&mut self, s: &str, shared: bool) -> (u32, u32) {
        if shared && let Some(&at) = self.seen.get(s) {
            return at;
        }
        let at = (self.bytes.len() as u32, s.len() as u32);
        self.bytes.extend_from_slice(s.as_bytes());
        if shared {
            self.seen.insert(s.to_string(), at);
        }
        at
    }
}

/// `algorithm=hex` lines; pairs holding a line break or `=` in the algorithm cannot be one
/// and are not hashes any index serves, so they are left out.
fn hash_lines(hashes: &Hashes) -> String {
    let mut out = String::new();
    for (alg, hex) in hashes.iter() {
        if alg.contains(['=', '\n']) || hex.contains('\n') {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(alg);
        out.push('=');
        out.push_str(hex);
    }
    out
}

fn parse_hashes(lines: &str) -> Hashes {
    lines
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(a, h)| (a.to_string(), h.to_string()))
        .collect()
}

impl PartialEq for Files {
    fn eq(&self, other: &Files) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl Eq for Files {}

impl fmt::Debug for Files {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests;
