//! The binaries inside one artifact: a wheel, a `.conda` or a `.tar.bz2` conda package.
//!
//! [`facts`] walks every member of the archive once, streaming: it reads into memory only the
//! members that are regular files and either start with the ELF magic (the first four bytes are
//! peeked, decompressing no further for other files) or are named like a shared library (`*.so`,
//! `*.so.N[.N…]`), and hands those to [`crate::elf::read`]. The [`ArtifactFacts::libraries`]
//! are the file names of every library-named member (symlinks of conda packages included) and
//! every binary's `DT_SONAME`.
//!
//! A `.conda` package is a zip holding `pkg-*.tar.zst` (the files, read here) and
//! `info-*.tar.zst` (conda's metadata, skipped); a `.tar.bz2` package is one bzip2 tar.
//!
//! Only an archive that cannot be read at all (not a zip, a broken compressed stream, a
//! truncated tar) is an `Err`; a member that cannot be read or is not what its name says is one
//! [`ArtifactFacts::problems`] sentence, and the rest of the archive is still read. A member
//! larger than [`MEMBER_LIMIT`] is not read (a problem entry).

use std::collections::BTreeSet;
use std::io::{Cursor, Read};

use crate::elf;
use crate::facts::ArtifactFacts;

/// The largest member read into memory: 1 GiB. Larger members are a problem entry.
pub const MEMBER_LIMIT: u64 = 1 << 30;

/// The kinds of archive an artifact can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    /// A wheel (`.whl`): a zip archive.
    Wheel,
    /// A `.conda` package: a zip of `pkg-*.tar.zst` and `info-*.tar.zst`.
    Conda,
    /// A `.tar.bz2` conda package.
    TarBz2,
}

impl ArchiveKind {
    /// The kind a file name says (`.whl`, `.conda`, `.tar.bz2`), if any.
    pub fn of_filename(name: &str) -> Option<Self> {
        if name.ends_with(".whl") {
            Some(Self::Wheel)
        } else if name.ends_with(".conda") {
            Some(Self::Conda)
        } else if name.ends_with(".tar.bz2") {
            Some(Self::TarBz2)
        } else {
            None
        }
    }
}

/// What the binaries of the archive `bytes` need and provide.
pub fn facts(kind: ArchiveKind, bytes: &[u8]) -> Result<ArtifactFacts, String> {
    let mut collector = Collector::default();
    match kind {
        ArchiveKind::Wheel => wheel(bytes, &mut collector)?,
        ArchiveKind::Conda => conda(bytes, &mut collector)?,
        ArchiveKind::TarBz2 => {
            tar_members(bzip2::read::MultiBzDecoder::new(bytes), &mut collector)?;
        }
    }
    Ok(collector.finish())
}

/// The facts of a wheel read member by member (through range requests), built as members
/// arrive so that each is dropped once read: [`FactsBuilder::member`] for each member read,
/// [`FactsBuilder::listed`] for every name of the listing (members not read still count as
/// libraries by name).
#[derive(Default)]
pub struct FactsBuilder(Collector);

impl FactsBuilder {
    pub fn member(&mut self, path: &str, bytes: &[u8]) {
        self.0.member(path, bytes);
    }

    pub fn listed(&mut self, path: &str) {
        self.0.library_name(path);
    }

    pub fn finish(self) -> ArtifactFacts {
        self.0.finish()
    }
}

/// Whether a member's file name is a shared library's: `*.so` or `*.so.N[.N…]`.
pub fn is_library_name(path: &str) -> bool {
    let name = file_name(path);
    name.match_indices(".so").any(|(at, _)| {
        let rest = &name[at + 3..];
        at > 0
            && (rest.is_empty()
                || rest.strip_prefix('.').is_some_and(|versions| {
                    versions
                        .split('.')
                        .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                }))
    })
}

/// The last path component of a member path.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Opens a zip archive, with the sentence an unreadable one is reported with.
pub(crate) fn open_zip(bytes: &[u8]) -> Result<zip::ZipArchive<Cursor<&[u8]>>, String> {
    zip::ZipArchive::new(Cursor::new(bytes)).map_err(|error| {
        if bytes.starts_with(b"PK") {
            format!("a truncated or damaged zip archive: {error}")
        } else {
            format!("not a zip archive: {error}")
        }
    })
}

/// The names of a zip archive's members, in order (as the archive decodes them, else lossily).
pub(crate) fn zip_names(archive: &zip::ZipArchive<Cursor<&[u8]>>) -> Vec<String> {
    archive
        .file_names_raw()
        .enumerate()
        .map(|(index, raw)| match archive.name_for_index(index) {
            Some(Ok(name)) => name.into_owned(),
            _ => String::from_utf8_lossy(raw).into_owned(),
        })
        .collect()
}

/// Whether a `.conda` member is the package's files (`pkg-*.tar.zst`).
pub(crate) fn is_conda_payload(name: &str) -> bool {
    name.starts_with("pkg-") && name.ends_with(".tar.zst")
}

fn wheel(bytes: &[u8], collector: &mut Collector) -> Result<(), String> {
    let mut archive = open_zip(bytes)?;
    let names = zip_names(&archive);
    for (index, name) in names.into_iter().enumerate() {
        let member = match archive.by_index(index) {
            Ok(member) => member,
            Err(error) => {
                collector.problem(format!("{name} cannot be read: {error}"));
                continue;
            }
        };
        if member.is_dir() {
            continue;
        }
        if member.is_symlink() {
            collector.library_name(&name);
            continue;
        }
        if member.size() > MEMBER_LIMIT {
            collector.too_large(&name, member.size());
            continue;
        }
        collector.member(&name, member);
    }
    Ok(())
}

fn conda(bytes: &[u8], collector: &mut Collector) -> Result<(), String> {
    let mut archive = open_zip(bytes)?;
    let payload = zip_names(&archive)
        .into_iter()
        .find(|name| is_conda_payload(name))
        .ok_or("not a .conda package: it has no pkg-*.tar.zst member")?;
    let member = archive
        .by_name(&payload)
        .map_err(|error| format!("{payload} cannot be read: {error}"))?;
    let decoder = zstd::stream::read::Decoder::new(member)
        .map_err(|error| format!("{payload} cannot be read: {error}"))?;
    tar_members(decoder, collector).map_err(|error| format!("{payload}: {error}"))
}

/// Streams the members of a tar archive through the collector.
fn tar_members(reader: impl Read, collector: &mut Collector) -> Result<(), String> {
    let mut archive = tar::Archive::new(reader);
    let entries = archive
        .entries()
        .map_err(|error| format!("a damaged archive: {error}"))?;
    for entry in entries {
        let mut entry =
            entry.map_err(|error| format!("a truncated or damaged archive: {error}"))?;
        let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        match entry.header().entry_type() {
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                let size = entry.size();
                if size > MEMBER_LIMIT {
                    collector.too_large(&path, size);
                    continue;
                }
                collector.member(&path, &mut entry);
            }
            tar::EntryType::Symlink | tar::EntryType::Link => collector.library_name(&path),
            _ => {}
        }
    }
    Ok(())
}

#[derive(Default)]
struct Collector {
    facts: ArtifactFacts,
    libraries: BTreeSet<String>,
}

impl Collector {
    fn problem(&mut self, sentence: String) {
        self.facts.problems.push(sentence);
    }

    fn too_large(&mut self, path: &str, size: u64) {
        self.library_name(path);
        self.problem(format!(
            "{path} is {size} bytes, more than the {MEMBER_LIMIT} read of one member; not read"
        ));
    }

    fn library_name(&mut self, path: &str) {
        if is_library_name(path) {
            self.libraries.insert(file_name(path).to_string());
        }
    }

    /// A regular file: peek its first bytes, read it whole if it is ELF or named like a library.
    fn member(&mut self, path: &str, mut reader: impl Read) {
        self.library_name(path);
        let named = is_library_name(path);
        let mut head = Vec::with_capacity(4);
        if let Err(error) = (&mut reader).take(4).read_to_end(&mut head) {
            self.problem(format!("{path} cannot be read: {error}"));
            return;
        }
        if !elf::is_elf(&head) {
            // A GNU ld script in place of a development symlink (`libc.so` in conda's sysroot
            // packages: `/* GNU ld script`, `GROUP ( … )`) is no binary and no problem.
            let script = [b"/* G".as_slice(), b"GROU", b"INPU", b"OUTP"].contains(&head.as_slice());
            if named && !script {
                self.problem(format!("{path} is not an ELF file"));
            }
            return;
        }
        let mut bytes = head;
        if let Err(error) = reader.take(MEMBER_LIMIT).read_to_end(&mut bytes) {
            self.problem(format!("{path} cannot be read: {error}"));
            return;
        }
        match elf::read(path, &bytes) {
            Ok(Some(binary)) => {
                if let Some(soname) = &binary.soname {
                    self.libraries.insert(soname.clone());
                }
                self.facts.binaries.push(binary);
            }
            Ok(None) => {}
            Err(sentence) => self.problem(sentence),
        }
    }

    fn finish(mut self) -> ArtifactFacts {
        self.facts.libraries = self.libraries.into_iter().collect();
        self.facts
    }
}

#[cfg(test)]
pub(crate) mod tests;
