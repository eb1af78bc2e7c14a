//! Chosen members of a remote wheel, read with HTTP range requests instead of downloading the
//! whole wheel: what `unilock check` uses to read a wheel's binaries and nothing else.
//!
//! The central directory (found as [`crate::range_wheel`] finds it) lists every member with its
//! name, Unix mode, offset and compressed length. The members a caller wants are fetched in as
//! few ranges as possible: members that lie next to each other in the file (or with less than
//! [`GAP`] bytes between them) share one request, up to [`MAX_SPAN`] bytes. A member's local
//! header and data end where the next member's local header (or the central directory)
//! starts, so every range is exact.
//! Each member is inflated and checked against its CRC-32.
//!
//! When the server ignores ranges and sends the whole wheel, the whole wheel is returned
//! (checked against the index's hash) and the caller reads it as a file.

use crate::http::{Expected, Failure, FetchError, HttpClient, Ranged};
use crate::range_wheel::{self, End, Member, Window};
use bytes::Bytes;
use url::Url;

/// How much of the end of the wheel the first request asks for.
const TAIL: u64 = 64 * 1024;
/// Members closer together than this are fetched in one request.
pub const GAP: u64 = 256 * 1024;
/// Neighbours share a request only while it stays below this many bytes (one larger member
/// still takes one request): what one request holds in memory.
pub const MAX_SPAN: u64 = 16 * 1024 * 1024;
/// The largest central directory read.
const DIRECTORY_LIMIT: u64 = 64 * 1024 * 1024;

/// One member of a wheel as the central directory lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub name: String,
    /// The Unix mode bits (0 when the archive does not record them).
    pub mode: u32,
    /// The inflated size.
    pub size: u64,
}

impl Listed {
    /// A symbolic link (Unix mode `S_IFLNK`).
    pub fn is_symlink(&self) -> bool {
        self.mode & 0o170000 == 0o120000
    }

    /// Executable by someone (any `x` bit) and a regular file.
    pub fn is_executable(&self) -> bool {
        self.mode & 0o170000 != 0o120000 && self.mode & 0o111 != 0
    }
}

/// What was read of a wheel.
#[derive(Debug, Clone)]
pub enum WheelMembers {
    /// The listing, with the bytes transferred; the members asked for went to the sink.
    Chosen {
        listing: Vec<Listed>,
        bytes_read: u64,
    },
    /// The server sent the whole wheel.
    Whole(Bytes),
}

/// The members of the wheel at `url` for which `want` says yes, each at most `max_member`
/// bytes inflated (a larger one is an error naming it), handed to `sink` one at a time as they
/// arrive (so only one request's members are held at once).
pub async fn wheel_members(
    client: &HttpClient,
    url: &Url,
    expected: &Expected,
    want: impl Fn(&Listed) -> bool,
    max_member: u64,
    sink: &mut (dyn FnMut(&str, Vec<u8>) + Send),
) -> Result<WheelMembers, FetchError> {
    let invalid = |why: String| FetchError::new(url, Failure::Invalid(why));
    let (start, total, tail) = match client.range(url, None, TAIL).await? {
        Ranged::Whole(body) => {
            expected.check(url, &body)?;
            return Ok(WheelMembers::Whole(body));
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
    let mut bytes_read = tail.len() as u64;
    let known = Window { start, bytes: tail };
    let directory =
        match range_wheel::end_of_directory(&known.bytes, known.start).map_err(invalid)? {
            End::Directory(d) => d,
            End::Zip64(record) => {
                let bytes = fetch(client, url, &known, record, 56, total, &mut bytes_read).await?;
                range_wheel::zip64_directory(&bytes).map_err(invalid)?
            }
        };
    if directory.size > DIRECTORY_LIMIT || directory.offset + directory.size > total {
        return Err(invalid(format!(
            "a central directory of {} bytes at {} does not fit the wheel",
            directory.size, directory.offset
        )));
    }
    let listing = fetch(
        client,
        url,
        &known,
        directory.offset,
        directory.size,
        total,
        &mut bytes_read,
    )
    .await?;
    let members = range_wheel::members(&listing).map_err(invalid)?;
    let listed: Vec<Listed> = members
        .iter()
        .map(|m| Listed {
            name: m.name.clone(),
            mode: m.mode,
            size: m.size,
        })
        .collect();
    // Where each member's bytes end: the next local header by offset, or the directory.
    let mut starts: Vec<u64> = members.iter().map(|m| m.offset).collect();
    starts.push(directory.offset);
    starts.sort_unstable();
    let end_of = |offset: u64| {
        starts
            .iter()
            .copied()
            .find(|&s| s > offset)
            .unwrap_or(directory.offset)
    };
    let mut chosen: Vec<&Member> = members
        .iter()
        .zip(&listed)
        .filter(|(_, l)| !l.name.ends_with('/') && want(l))
        .map(|(m, _)| m)
        .collect();
    chosen.sort_by_key(|m| m.offset);
    for m in &chosen {
        if m.size > max_member {
            return Err(invalid(format!(
                "{} is {} bytes inflated, over the limit of {max_member}",
                m.name, m.size
            )));
        }
    }
    let mut group: Vec<&Member> = Vec::new();
    for (i, m) in chosen.iter().enumerate() {
        group.push(m);
        let next_close = chosen.get(i + 1).is_some_and(|n| {
            n.offset.saturating_sub(end_of(m.offset)) < GAP
                && end_of(n.offset).saturating_sub(group[0].offset) <= MAX_SPAN
        });
        if next_close {
            continue;
        }
        let (from, to) = (group[0].offset, end_of(m.offset));
        if to < from || to > total {
            return Err(invalid(format!("{} lies outside the wheel", m.name)));
        }
        let bytes = fetch(client, url, &known, from, to - from, total, &mut bytes_read).await?;
        for member in group.drain(..) {
            let at = (member.offset - from) as usize;
            let local = bytes.get(at..).unwrap_or_default();
            let data_at = range_wheel::local_data_offset(local).map_err(invalid)? as usize;
            let data = local
                .get(data_at..data_at + member.compressed as usize)
                .ok_or_else(|| invalid(format!("{} is cut short", member.name)))?;
            sink(
                &member.name,
                range_wheel::inflate_member(data, member).map_err(invalid)?,
            );
        }
    }
    Ok(WheelMembers::Chosen {
        listing: listed,
        bytes_read,
    })
}

/// The bytes `from..from + len`, from what is known or with one range request.
async fn fetch(
    client: &HttpClient,
    url: &Url,
    known: &Window,
    from: u64,
    len: u64,
    total: u64,
    bytes_read: &mut u64,
) -> Result<Bytes, FetchError> {
    let len = len.min(total.saturating_sub(from));
    if let Some(bytes) = known.slice(from, len) {
        return Ok(bytes);
    }
    // A range that runs into the bytes already read asks only for the part before them.
    let known_end = known.start + known.bytes.len() as u64;
    if from < known.start && from + len > known.start && from + len <= known_end {
        let head = Box::pin(fetch(
            client,
            url,
            known,
            from,
            known.start - from,
            total,
            bytes_read,
        ))
        .await?;
        let tail = known
            .slice(known.start, from + len - known.start)
            .unwrap_or_default();
        let mut joined = Vec::with_capacity(len as usize);
        joined.extend_from_slice(&head);
        joined.extend_from_slice(&tail);
        return Ok(Bytes::from(joined));
    }
    match client.range(url, Some(from), len).await? {
        Ranged::Part { body, .. } if body.len() as u64 == len => {
            *bytes_read += len;
            Ok(body)
        }
        _ => Err(FetchError::new(
            url,
            Failure::Invalid(format!("no answer for bytes {from}+{len}")),
        )),
    }
}

#[cfg(test)]
mod tests;
