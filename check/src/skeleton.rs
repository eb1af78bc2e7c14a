//! Skeletons of artifacts: the same archive, reduced to what `check` reads from it.
//!
//! [`skeleton`] rewrites a wheel, a `.conda` or a `.tar.bz2` package with the same member names
//! in the same order. Each ELF member keeps its length and, byte for byte at the same offsets,
//! every range [`crate::elf::read`] looks at ([`crate::elf::kept_ranges`]); all its other bytes
//! are zero. Other members become empty, except the ones that say what the artifact is:
//! `*.dist-info/METADATA`, `WHEEL` and `RECORD` of a wheel, and a conda package's `info/` files
//! (`info-*.tar.zst` of a `.conda`), which are kept whole. Compression squeezes the zeros, so a
//! 60 MB wheel becomes a small file that [`crate::members::facts`] reads exactly as the original:
//! the test corpus stores real artifacts this way.
//!
//! An ELF member that cannot be read (damaged) is kept whole, so its problem stays the same;
//! members larger than [`crate::members::MEMBER_LIMIT`] become empty.

use std::io::{Cursor, Read, Write};
use std::ops::Range;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::elf;
use crate::members::{self, ArchiveKind, MEMBER_LIMIT};

/// The skeleton of the archive `bytes`; `Err` when the archive itself cannot be read.
pub fn skeleton(kind: ArchiveKind, bytes: &[u8]) -> Result<Vec<u8>, String> {
    match kind {
        ArchiveKind::Wheel => zip_skeleton(bytes, false),
        ArchiveKind::Conda => zip_skeleton(bytes, true),
        ArchiveKind::TarBz2 => {
            let tar = tar_skeleton(bzip2::read::MultiBzDecoder::new(bytes))?;
            let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
            encoder.write_all(&tar).map_err(|e| e.to_string())?;
            encoder.finish().map_err(|e| e.to_string())
        }
    }
}

/// The bytes of one ELF file with everything [`elf::read`] does not look at set to zero; a
/// file that is not ELF or cannot be read is returned as it is.
pub fn elf_skeleton(mut bytes: Vec<u8>) -> Vec<u8> {
    let Ok(Some(kept)) = elf::kept_ranges(&bytes) else {
        return bytes;
    };
    let mut from = 0;
    for Range { start, end } in kept {
        bytes[from..start].fill(0);
        from = end;
    }
    bytes[from..].fill(0);
    bytes
}

/// Whether a wheel member is kept whole: the `.dist-info` files that say what the wheel is.
fn wheel_kept_whole(name: &str) -> bool {
    let Some((dir, file)) = name.rsplit_once('/') else {
        return false;
    };
    !dir.contains('/')
        && dir.ends_with(".dist-info")
        && matches!(file, "METADATA" | "WHEEL" | "RECORD")
}

fn zip_skeleton(bytes: &[u8], conda: bool) -> Result<Vec<u8>, String> {
    let mut archive = members::open_zip(bytes)?;
    let names = members::zip_names(&archive);
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    let failed = |e: zip::result::ZipError| format!("the skeleton cannot be written: {e}");
    for (index, name) in names.into_iter().enumerate() {
        let keep_whole = if conda {
            !members::is_conda_payload(&name)
        } else {
            wheel_kept_whole(&name)
        };
        let raw = archive
            .by_index_raw(index)
            .map_err(|e| format!("{name} cannot be read: {e}"))?;
        if keep_whole || raw.is_dir() || raw.is_symlink() {
            out.raw_copy_file(raw).map_err(failed)?;
            continue;
        }
        let mut options = SimpleFileOptions::default();
        if let Some(mode) = raw.unix_mode() {
            options = options.unix_permissions(mode);
        }
        if let Some(time) = raw.last_modified() {
            options = options.last_modified_time(time);
        }
        drop(raw);
        let member = archive
            .by_index(index)
            .map_err(|e| format!("{name} cannot be read: {e}"))?;
        let data = if conda {
            let decoder = zstd::stream::read::Decoder::new(member)
                .map_err(|e| format!("{name} cannot be read: {e}"))?;
            let tar = tar_skeleton(decoder).map_err(|e| format!("{name}: {e}"))?;
            zstd::stream::encode_all(&tar[..], 19).map_err(|e| e.to_string())?
        } else {
            member_skeleton(&name, member, false)?
        };
        // `.conda` members are stored (they are compressed already); wheel members deflated.
        let method = if conda {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        out.start_file(
            name,
            options
                .compression_method(method)
                .large_file(data.len() as u64 >= u32::MAX as u64),
        )
        .map_err(failed)?;
        out.write_all(&data).map_err(|e| e.to_string())?;
    }
    Ok(out.finish().map_err(failed)?.into_inner())
}

/// The skeleton of one regular member: whole when `keep_whole`, the ELF skeleton when it is
/// ELF, else empty.
fn member_skeleton(name: &str, mut reader: impl Read, keep_whole: bool) -> Result<Vec<u8>, String> {
    let unreadable = |e: std::io::Error| format!("{name} cannot be read: {e}");
    let mut data = Vec::new();
    if !keep_whole {
        (&mut reader)
            .take(4)
            .read_to_end(&mut data)
            .map_err(unreadable)?;
        if !elf::is_elf(&data) {
            return Ok(Vec::new());
        }
    }
    reader
        .take(MEMBER_LIMIT)
        .read_to_end(&mut data)
        .map_err(unreadable)?;
    Ok(if keep_whole { data } else { elf_skeleton(data) })
}

/// The skeleton of a tar stream: every entry in order, regular files reduced, `info/` kept.
fn tar_skeleton(reader: impl Read) -> Result<Vec<u8>, String> {
    let mut archive = tar::Archive::new(reader);
    let mut out = tar::Builder::new(Vec::new());
    let write = |e: std::io::Error| format!("the skeleton cannot be written: {e}");
    let entries = archive
        .entries()
        .map_err(|e| format!("a damaged archive: {e}"))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("a truncated or damaged archive: {e}"))?;
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let mut header = entry.header().clone();
        match header.entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                let data = if entry.size() > MEMBER_LIMIT {
                    Vec::new()
                } else {
                    member_skeleton(&path, &mut entry, path.starts_with("info/"))?
                };
                header.set_size(data.len() as u64);
                out.append_data(&mut header, &path, &data[..])
                    .map_err(write)?;
            }
            tar::EntryType::Symlink | tar::EntryType::Link => {
                let target = entry
                    .link_name_bytes()
                    .map(|t| String::from_utf8_lossy(&t).into_owned())
                    .unwrap_or_default();
                out.append_link(&mut header, &path, target).map_err(write)?;
            }
            _ => {
                header.set_size(0);
                out.append_data(&mut header, &path, std::io::empty())
                    .map_err(write)?;
            }
        }
    }
    out.into_inner().map_err(write)
}

#[cfg(test)]
mod tests;
