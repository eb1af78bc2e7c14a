//! The `*.dist-info/METADATA` of a remote wheel, read with HTTP range requests instead of
//! downloading the wheel (for indexes that serve no PEP 658 metadata file).
//!
//! A wheel is a zip: its end-of-central-directory record (EOCD, with a ZIP64 locator and
//! record for large archives) sits in the last bytes and says where the central directory is;
//! the central directory says where each member's local header is, how it is compressed and
//! how long it is. So: one suffix range for the tail (which usually holds the whole central
//! directory), a range for the central directory if it starts earlier, and one for the
//! METADATA member; it is then inflated and checked against its CRC-32. Usually two requests.
//! When the server ignores ranges and sends the whole wheel, that is checked against the
//! index's hash and read with the `zip` crate instead.
//!
//! The zip structures are parsed here by hand: the `zip` crate wants a seekable reader of the
//! whole file, and what is needed is three fixed-layout records (APPNOTE.TXT 4.3.7, 4.3.12,
//! 4.3.14–16).

use crate::archive;
use crate::http::{Expected, Failure, FetchError, HttpClient, Ranged};
use bytes::Bytes;
use std::io::Read;
use url::Url;

/// How much of the end of the wheel the first request asks for.
const TAIL: u64 = 64 * 1024;
/// A central directory or compressed METADATA member larger than this is not read (the
/// inflated METADATA is held to [`archive::MAX_METADATA`]).
const LIMIT: u64 = 64 * 1024 * 1024;

/// The METADATA text of the wheel at `url`.
pub async fn wheel_metadata(
    client: &HttpClient,
    url: &Url,
    expected: &Expected,
) -> Result<String, FetchError> {
    let invalid = |why: String| FetchError::new(url, Failure::Invalid(why));
    let (start, total, tail) = match client.range(url, None, TAIL).await? {
        Ranged::Whole(body) => {
            expected.check(url, &body)?;
            return archive::wheel_metadata(&body).map_err(invalid);
        }
        Ranged::Part { start, total, body } => (start, total, body),
    };
    if let Some(size) = expected.size
        && size != total
    {
        return Err(FetchError::new(
            url,
            Failure::Mismatch(format!("{total} bytes, but the index says {size}")),
        ));
    }
    let known = &Window { start, bytes: tail };
    let fetch = move |from: u64, len: u64| async move {
        let len = len.min(total.saturating_sub(from));
        if let Some(bytes) = known.slice(from, len) {
            return Ok(bytes);
        }
        match client.range(url, Some(from), len).await? {
            Ranged::Part { body, .. } if body.len() as u64 == len => Ok(body),
            _ => Err(FetchError::new(
                url,
                Failure::Invalid(format!("no answer for bytes {from}+{len}")),
            )),
        }
    };
    let directory = match end_of_directory(&known.bytes, known.start).map_err(invalid)? {
        End::Directory(d) => d,
        End::Zip64(record) => {
            let bytes = fetch(record, 56).await?;
            zip64_directory(&bytes).map_err(invalid)?
        }
    };
    if directory.size > LIMIT || directory.offset + directory.size > total {
        return Err(invalid(format!(
            "a central directory of {} bytes at {} does not fit the wheel",
            directory.size, directory.offset
        )));
    }
    let listing = fetch(directory.offset, directory.size).await?;
    let member = find_metadata(&listing).map_err(invalid)?;
    if member.size > archive::MAX_METADATA {
        return Err(invalid(archive::too_large(&member.name, member.size)));
    }
    if member.compressed > LIMIT {
        return Err(invalid(format!(
            "{} is {} bytes compressed",
            member.name, member.compressed
        )));
    }
    // The local header repeats the name and has its own extra field: ask for a little more.
    let guess = 30 + member.name.len() as u64 + member.extra + member.compressed + 512;
    let mut local = fetch(member.offset, guess).await?;
    let data_at = local_data_offset(&local).map_err(invalid)?;
    if data_at + member.compressed > local.len() as u64 {
        local = fetch(member.offset, data_at + member.compressed).await?;
    }
    let data = local
        .get(data_at as usize..(data_at + member.compressed) as usize)
        .ok_or_else(|| invalid(format!("{} is cut short", member.name)))?;
    inflate(data, &member).map_err(invalid)
}

/// The METADATA of a whole wheel in memory, found through the same records the range reader
/// follows (end record, central directory, local header); for tests and fuzzing.
pub fn metadata_by_records(zip: &[u8]) -> Result<String, String> {
    let dir = match end_of_directory(zip, 0)? {
        End::Directory(d) => d,
        End::Zip64(at) => zip64_directory(zip.get(at as usize..).unwrap_or_default())?,
    };
    let cut = || "the archive is cut short".to_string();
    let end = dir.offset.checked_add(dir.size).ok_or_else(cut)?;
    let listing = zip.get(dir.offset as usize..end as usize).ok_or_else(cut)?;
    let member = find_metadata(listing)?;
    if member.compressed > LIMIT {
        return Err(cut());
    }
    let local = zip.get(member.offset as usize..).ok_or_else(cut)?;
    let at = local_data_offset(local)? as usize;
    let data = local
        .get(at..at + member.compressed as usize)
        .ok_or_else(cut)?;
    inflate(data, &member)
}

/// Bytes of the file known so far.
pub(crate) struct Window {
    pub(crate) start: u64,
    pub(crate) bytes: Bytes,
}

impl Window {
    pub(crate) fn slice(&self, from: u64, len: u64) -> Option<Bytes> {
        let at = usize::try_from(from.checked_sub(self.start)?).ok()?;
        let end = at.checked_add(usize::try_from(len).ok()?)?;
        (end <= self.bytes.len()).then(|| self.bytes.slice(at..end))
    }
}

/// Where the central directory is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Directory {
    pub offset: u64,
    pub size: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    Directory(Directory),
    /// A ZIP64 archive: its end record is at this offset.
    Zip64(u64),
}

pub(crate) fn u16_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?) as u64)
}

pub(crate) fn u32_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?) as u64)
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Reads the EOCD record from the last bytes of the file (`tail`, starting at `tail_start`).
pub(crate) fn end_of_directory(tail: &[u8], tail_start: u64) -> Result<End, String> {
    let eocd = (0..tail.len().saturating_sub(21))
        .rev()
        .find(|&i| {
            tail[i..].starts_with(b"PK\x05\x06")
                && u16_at(tail, i + 20).is_some_and(|c| i + 22 + c as usize == tail.len())
        })
        .ok_or("not a zip: no end of central directory record")?;
    let short = || "not a zip: the end record is cut short".to_string();
    let size = u32_at(tail, eocd + 12).ok_or_else(short)?;
    let offset = u32_at(tail, eocd + 16).ok_or_else(short)?;
    if size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
        let locator = eocd
            .checked_sub(20)
            .filter(|&l| tail[l..].starts_with(b"PK\x06\x07"))
            .ok_or("a ZIP64 archive without its end locator")?;
        let record = u64_at(tail, locator + 8).ok_or_else(short)?;
        if record >= tail_start + eocd as u64 {
            return Err("the ZIP64 end record lies after the end record".into());
        }
        return Ok(End::Zip64(record));
    }
    Ok(End::Directory(Directory { offset, size }))
}

/// The central directory location from a ZIP64 end record.
pub(crate) fn zip64_directory(record: &[u8]) -> Result<Directory, String> {
    if !record.starts_with(b"PK\x06\x06") {
        return Err("no ZIP64 end record where the locator says".into());
    }
    let short = || "the ZIP64 end record is cut short".to_string();
    Ok(Directory {
        size: u64_at(record, 40).ok_or_else(short)?,
        offset: u64_at(record, 48).ok_or_else(short)?,
    })
}

/// One member of the central directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Member {
    pub(crate) name: String,
    pub(crate) method: u64,
    pub(crate) crc: u32,
    pub(crate) compressed: u64,
    pub(crate) size: u64,
    pub(crate) offset: u64,
    /// The length of the central directory's extra field (the local one is usually as long).
    pub(crate) extra: u64,
    /// The Unix file mode from the external attributes (0 when the archive was not made on
    /// Unix).
    pub(crate) mode: u32,
}

/// Every member of a central directory, in directory order.
pub(crate) fn members(listing: &[u8]) -> Result<Vec<Member>, String> {
    let mut at = 0;
    let mut found = Vec::new();
    let short = || "the central directory is cut short".to_string();
    while listing
        .get(at..)
        .is_some_and(|rest| rest.starts_with(b"PK\x01\x02"))
    {
        let name_len = u16_at(listing, at + 28).ok_or_else(short)? as usize;
        let extra_len = u16_at(listing, at + 30).ok_or_else(short)? as usize;
        let comment_len = u16_at(listing, at + 32).ok_or_else(short)? as usize;
        let made_on = u16_at(listing, at + 4).ok_or_else(short)? >> 8;
        let external = u32_at(listing, at + 38).ok_or_else(short)?;
        let name_bytes = listing.get(at + 46..at + 46 + name_len).ok_or_else(short)?;
        let mut member = Member {
            name: String::from_utf8_lossy(name_bytes).into_owned(),
            method: u16_at(listing, at + 10).ok_or_else(short)?,
            crc: u32_at(listing, at + 16).ok_or_else(short)? as u32,
            compressed: u32_at(listing, at + 20).ok_or_else(short)?,
            size: u32_at(listing, at + 24).ok_or_else(short)?,
            offset: u32_at(listing, at + 42).ok_or_else(short)?,
            extra: extra_len as u64,
            // Version made by, high byte 3: Unix, with the mode in the high half.
            mode: if made_on == 3 {
                (external >> 16) as u32
            } else {
                0
            },
        };
        let extra = listing
            .get(at + 46 + name_len..at + 46 + name_len + extra_len)
            .ok_or_else(short)?;
        apply_zip64(&mut member, extra);
        found.push(member);
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(found)
}

/// The `<dir>.dist-info/METADATA` member of a central directory.
fn find_metadata(listing: &[u8]) -> Result<Member, String> {
    members(listing)?
        .into_iter()
        .find(|m| {
            let mut parts = m.name.split('/');
            matches!((parts.next(), parts.next(), parts.next()),
                (Some(dir), Some("METADATA"), None) if dir.ends_with(".dist-info"))
        })
        .ok_or_else(|| "the wheel has no *.dist-info/METADATA".into())
}

/// Replaces the 0xFFFFFFFF fields of a member with the values of its ZIP64 extra field.
fn apply_zip64(member: &mut Member, mut extra: &[u8]) {
    while extra.len() >= 4 {
        let (id, len) = (u16_at(extra, 0), u16_at(extra, 2));
        let (Some(id), Some(len)) = (id, len) else {
            return;
        };
        let Some(data) = extra.get(4..4 + len as usize) else {
            return;
        };
        if id == 1 {
            let mut at = 0;
            for field in [&mut member.size, &mut member.compressed, &mut member.offset] {
                if *field == 0xFFFF_FFFF {
                    if let Some(v) = u64_at(data, at) {
                        *field = v;
                    }
                    at += 8;
                }
            }
            return;
        }
        extra = &extra[4 + len as usize..];
    }
}

/// Where a member's data starts, from its local header.
pub(crate) fn local_data_offset(local: &[u8]) -> Result<u64, String> {
    if !local.starts_with(b"PK\x03\x04") {
        return Err("no local file header where the central directory says".into());
    }
    let short = || "the local file header is cut short".to_string();
    Ok(30 + u16_at(local, 26).ok_or_else(short)? + u16_at(local, 28).ok_or_else(short)?)
}

fn inflate(data: &[u8], member: &Member) -> Result<String, String> {
    if member.size > archive::MAX_METADATA {
        return Err(archive::too_large(&member.name, member.size));
    }
    let out = inflate_member(data, member)?;
    String::from_utf8(out).map_err(|e| format!("{}: not UTF-8: {e}", member.name))
}

/// A member's data (stored or deflated), inflated and checked against its CRC-32 and size.
pub(crate) fn inflate_member(data: &[u8], member: &Member) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(usize::try_from(member.size).unwrap_or(0));
    match member.method {
        0 => out.extend_from_slice(data),
        8 => {
            flate2::read::DeflateDecoder::new(data)
                .take(member.size + 1)
                .read_to_end(&mut out)
                .map_err(|e| format!("{}: {e}", member.name))?;
        }
        m => {
            return Err(format!(
                "{}: compression method {m} is not read",
                member.name
            ));
        }
    }
    let mut crc = flate2::Crc::new();
    crc.update(&out);
    if crc.sum() != member.crc || out.len() as u64 != member.size {
        return Err(format!(
            "{}: the inflated member does not match its CRC-32 and size",
            member.name
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
