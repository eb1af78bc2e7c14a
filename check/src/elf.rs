//! What one ELF file needs from the machine: its [`Binary`] facts.
//!
//! [`read`] takes the bytes of one file and reads, through the `object` crate's bounds-checked
//! ELF reader, the machine, `DT_SONAME`, `DT_NEEDED`, `DT_RPATH`/`DT_RUNPATH`, the symbol version
//! needs of `.gnu.version_r` and the x86-64 ISA level of `.note.gnu.property`. 32 and 64-bit
//! files of either byte order are read. Bytes that are not ELF are `Ok(None)`; an ELF file whose
//! tables point outside it (truncated, damaged) is an `Err` sentence naming the file. Nothing here
//! panics on hostile bytes.
//!
//! [`kept_ranges`] names every byte range [`read`] looks at (headers, header tables, the section
//! name table, the dynamic, version and note sections and their string tables, `PT_DYNAMIC` and
//! `PT_NOTE` segments), so that a skeleton of the file (`crate::skeleton`) that keeps only
//! those bytes reads the same.
//!
//! Files without section headers (`sstrip`ped) are reported as an `Err`: their dynamic section
//! would have to be found through `PT_DYNAMIC` and load addresses, which is not done.

use std::ops::Range;

use object::elf;
use object::read::elf::{Dyn, FileHeader, ProgramHeader, SectionHeader, SectionTable};
use object::{Endianness, SectionIndex};

use crate::facts::{Binary, VersionNeed};

/// The first four bytes of every ELF file.
pub const MAGIC: [u8; 4] = *b"\x7fELF";

/// Whether `bytes` start like an ELF file.
pub fn is_elf(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC)
}

/// The facts of one ELF file; `path` names it (inside its artifact) in the facts and in errors.
///
/// `Ok(None)` when `bytes` are not ELF; `Err` (one sentence naming `path`) when they are ELF
/// but cannot be read.
pub fn read(path: &str, bytes: &[u8]) -> Result<Option<Binary>, String> {
    let mut ranges = Vec::new();
    walk(path, bytes, &mut ranges)
}

/// The byte ranges of `bytes` that [`read`] looks at, in file order, clamped to the file and
/// merged; `Ok(None)` when the bytes are not ELF, `Err` as for [`read`].
pub fn kept_ranges(bytes: &[u8]) -> Result<Option<Vec<Range<usize>>>, String> {
    let mut ranges = Vec::new();
    if walk("", bytes, &mut ranges)?.is_none() {
        return Ok(None);
    }
    let len = bytes.len() as u64;
    let mut clamped: Vec<Range<usize>> = ranges
        .into_iter()
        .filter_map(|(start, size)| {
            let end = start.saturating_add(size).min(len);
            (start < end).then_some(start as usize..end as usize)
        })
        .collect();
    clamped.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(clamped.len());
    for range in clamped {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    Ok(Some(merged))
}

/// Reads the file and records (offset, size) of what it reads in `ranges`.
fn walk(path: &str, bytes: &[u8], ranges: &mut Vec<(u64, u64)>) -> Result<Option<Binary>, String> {
    if !is_elf(bytes) {
        return Ok(None);
    }
    let damaged = |why: &str| format!("{path} is a damaged ELF file: {why}");
    // e_ident[EI_CLASS]
    let class = bytes.get(4).copied();
    let binary = match class {
        Some(elf::ELFCLASS32) => walk_class::<elf::FileHeader32<Endianness>>(path, bytes, ranges),
        Some(elf::ELFCLASS64) => walk_class::<elf::FileHeader64<Endianness>>(path, bytes, ranges),
        Some(other) => return Err(damaged(&format!("unknown ELF class {other}"))),
        None => return Err(damaged("it ends inside the ELF header")),
    };
    binary.map(Some).map_err(|why| damaged(&why))
}

fn walk_class<Elf: FileHeader<Endian = Endianness>>(
    path: &str,
    data: &[u8],
    ranges: &mut Vec<(u64, u64)>,
) -> Result<Binary, String> {
    let e = |err: object::Error| err.to_string();
    let header = Elf::parse(data).map_err(e)?;
    let endian = header.endian().map_err(e)?;
    ranges.push((0, size_of::<Elf>() as u64));

    let phoff: u64 = header.e_phoff(endian).into();
    let program_headers = header.program_headers(endian, data).map_err(e)?;
    ranges.push((phoff, size_of_val(program_headers) as u64));
    for segment in program_headers {
        if matches!(segment.p_type(endian), elf::PT_DYNAMIC | elf::PT_NOTE) {
            let (offset, size) = segment.file_range(endian);
            ranges.push((offset, size));
        }
    }

    let shoff: u64 = header.e_shoff(endian).into();
    let section_headers = header.section_headers(endian, data).map_err(e)?;
    if section_headers.is_empty() {
        return Err("it has no section headers, so its dynamic section is not read".into());
    }
    ranges.push((shoff, size_of_val(section_headers) as u64));
    let sections = header.sections(endian, data).map_err(e)?;
    let shstrndx = header.shstrndx(endian, data).map_err(e)?;
    if let Ok(names) = sections.section(SectionIndex(shstrndx as usize)) {
        ranges.extend(names.file_range(endian));
    }

    let machine = machine_name(header.e_machine(endian), endian);
    let mut binary = Binary {
        path: path.to_string(),
        machine,
        soname: None,
        needed: Vec::new(),
        rpath: Vec::new(),
        runpath: Vec::new(),
        version_needs: Vec::new(),
        x86_64_level: None,
    };

    for section in sections.iter() {
        let kind = section.sh_type(endian);
        if matches!(
            kind,
            elf::SHT_DYNAMIC | elf::SHT_GNU_VERNEED | elf::SHT_GNU_VERDEF | elf::SHT_GNU_VERSYM
        ) || is_property_note(&sections, endian, section)
        {
            ranges.extend(section.file_range(endian));
        }
        if matches!(kind, elf::SHT_DYNAMIC | elf::SHT_GNU_VERNEED)
            && let Ok(strings) = sections.section(section.link(endian))
        {
            ranges.extend(strings.file_range(endian));
        }
    }

    dynamic(&sections, endian, data, &mut binary)?;
    version_needs(&sections, endian, data, &mut binary)?;
    binary.x86_64_level = isa_level(&sections, endian, data)?;
    Ok(binary)
}

/// `DT_SONAME`, `DT_NEEDED`, `DT_RPATH` and `DT_RUNPATH` of the dynamic section.
fn dynamic<Elf: FileHeader<Endian = Endianness>>(
    sections: &SectionTable<'_, Elf>,
    endian: Endianness,
    data: &[u8],
    binary: &mut Binary,
) -> Result<(), String> {
    let e = |err: object::Error| err.to_string();
    let Some((entries, link)) = sections.dynamic(endian, data).map_err(e)? else {
        return Ok(());
    };
    let strings = sections.strings(endian, data, link).map_err(e)?;
    for entry in entries {
        let Some(tag) = entry.tag32(endian) else {
            continue;
        };
        if tag == elf::DT_NULL {
            break;
        }
        if !matches!(
            tag,
            elf::DT_SONAME | elf::DT_NEEDED | elf::DT_RPATH | elf::DT_RUNPATH
        ) {
            continue;
        }
        let value = text(entry.string(endian, strings).map_err(e)?);
        match tag {
            elf::DT_SONAME => binary.soname = Some(value),
            elf::DT_NEEDED => binary.needed.push(value),
            elf::DT_RPATH => binary.rpath.extend(split_path(&value)),
            _ => binary.runpath.extend(split_path(&value)),
        }
    }
    Ok(())
}

/// Every (file, version) of `.gnu.version_r`, in file order.
fn version_needs<Elf: FileHeader<Endian = Endianness>>(
    sections: &SectionTable<'_, Elf>,
    endian: Endianness,
    data: &[u8],
    binary: &mut Binary,
) -> Result<(), String> {
    let e = |err: object::Error| err.to_string();
    let Some((mut needs, link)) = sections.gnu_verneed(endian, data).map_err(e)? else {
        return Ok(());
    };
    let strings = sections.strings(endian, data, link).map_err(e)?;
    while let Some((need, mut versions)) = needs.next().map_err(e)? {
        let file = text(need.file(endian, strings).map_err(e)?);
        while let Some(version) = versions.next().map_err(e)? {
            let version = text(version.name(endian, strings).map_err(e)?);
            // A need naming the file itself is not a symbol version.
            if version == file {
                continue;
            }
            binary.version_needs.push(VersionNeed {
                file: file.clone(),
                version,
            });
        }
    }
    Ok(())
}

/// The highest x86-64 ISA level above the baseline that `GNU_PROPERTY_X86_ISA_1_NEEDED` names
/// in `.note.gnu.property` (bit 0 baseline, 1 v2, 2 v3, 3 v4, as the x86-64 psABI defines them).
fn isa_level<Elf: FileHeader<Endian = Endianness>>(
    sections: &SectionTable<'_, Elf>,
    endian: Endianness,
    data: &[u8],
) -> Result<Option<u8>, String> {
    let e = |err: object::Error| err.to_string();
    let mut level = None;
    for section in sections.iter() {
        if !is_property_note(sections, endian, section) {
            continue;
        }
        let Some(mut notes) = section.notes(endian, data).map_err(e)? else {
            continue;
        };
        while let Some(note) = notes.next().map_err(e)? {
            let Some(mut properties) = note.gnu_properties(endian) else {
                continue;
            };
            while let Some(property) = properties.next().map_err(e)? {
                if property.pr_type() != elf::GNU_PROPERTY_X86_ISA_1_NEEDED {
                    continue;
                }
                let bits = property.data_u32(endian).map_err(e)?;
                let found = [
                    (elf::GNU_PROPERTY_X86_ISA_1_V4, 4),
                    (elf::GNU_PROPERTY_X86_ISA_1_V3, 3),
                    (elf::GNU_PROPERTY_X86_ISA_1_V2, 2),
                ]
                .into_iter()
                .find(|(bit, _)| bits & bit != 0)
                .map(|(_, level)| level);
                level = level.max(found);
            }
        }
    }
    Ok(level)
}

/// Whether a section is `.note.gnu.property` (the only notes read: other note sections, such
/// as the large `.gnu.build.attributes`, say nothing `check` uses).
fn is_property_note<Elf: FileHeader<Endian = Endianness>>(
    sections: &SectionTable<'_, Elf>,
    endian: Endianness,
    section: &Elf::SectionHeader,
) -> bool {
    section.sh_type(endian) == elf::SHT_NOTE
        && sections.section_name(endian, section) == Ok(b".note.gnu.property".as_slice())
}

fn split_path(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(':')
        .filter(|part| !part.is_empty())
        .map(str::to_string)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The names of [`Binary::machine`].
fn machine_name(machine: u16, endian: Endianness) -> String {
    let little = endian == Endianness::Little;
    match machine {
        elf::EM_X86_64 => "x86_64",
        elf::EM_AARCH64 => "aarch64",
        elf::EM_PPC64 if little => "ppc64le",
        elf::EM_PPC64 => "ppc64",
        elf::EM_S390 => "s390x",
        elf::EM_ARM => "arm",
        elf::EM_386 => "i386",
        elf::EM_RISCV => "riscv",
        elf::EM_PPC => "ppc",
        other => return format!("machine {other}"),
    }
    .to_string()
}

#[cfg(test)]
pub(crate) mod tests;
