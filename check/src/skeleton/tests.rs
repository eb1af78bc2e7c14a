use std::io::{Cursor, Read};

use super::*;
use crate::elf::tests::{corpus, corpus_wheels, libv3};
use crate::members::facts;
use crate::members::tests::{Member, conda_files, conda_of, tar_bz2_of, tar_of};

/// (name, bytes) of every member of a zip, in order.
fn zip_members(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|index| {
            let mut member = archive.by_index(index).unwrap();
            let mut data = Vec::new();
            member.read_to_end(&mut data).unwrap();
            (member.name().unwrap().to_string(), data)
        })
        .collect()
}

/// (path, type, bytes) of every entry of a tar, in order.
fn tar_entries(bytes: &[u8]) -> Vec<(String, tar::EntryType, Vec<u8>)> {
    let mut archive = tar::Archive::new(bytes);
    archive
        .entries()
        .unwrap()
        .map(|entry| {
            let mut entry = entry.unwrap();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            (path, entry.header().entry_type(), data)
        })
        .collect()
}

#[test]
fn a_skeleton_of_every_stored_wheel_reads_the_same_and_keeps_names_and_lengths() {
    for name in corpus_wheels() {
        let original = std::fs::read(corpus(&format!("wheels/{name}"))).unwrap();
        let reduced = skeleton(ArchiveKind::Wheel, &original).unwrap();
        assert_eq!(
            facts(ArchiveKind::Wheel, &reduced),
            facts(ArchiveKind::Wheel, &original),
            "{name}"
        );
        let before = zip_members(&original);
        let after = zip_members(&reduced);
        let names = |members: &[(String, Vec<u8>)]| -> Vec<String> {
            members.iter().map(|(n, _)| n.clone()).collect()
        };
        assert_eq!(names(&after), names(&before), "{name}");
        for ((member, old), (_, new)) in before.iter().zip(&after) {
            let kept = member.contains(".dist-info/")
                && (member.ends_with("/METADATA")
                    || member.ends_with("/WHEEL")
                    || member.ends_with("/RECORD"));
            if kept {
                assert_eq!(new, old, "{name}: {member}");
            } else if elf::is_elf(old) {
                assert_eq!(new.len(), old.len(), "{name}: {member}");
                let zeros = |b: &[u8]| b.iter().filter(|&&x| x == 0).count();
                assert!(zeros(new) >= zeros(old), "{name}: {member}");
            } else {
                assert!(new.is_empty(), "{name}: {member}");
            }
        }
        println!("{name}: {} -> {} bytes", original.len(), reduced.len());
        assert!(reduced.len() <= original.len(), "{name}");
    }
}

#[test]
fn an_elf_skeleton_reads_the_same_with_most_bytes_zero() {
    let bytes = libv3();
    let reduced = elf_skeleton(bytes.clone());
    assert_eq!(reduced.len(), bytes.len());
    assert_eq!(elf::read("x", &reduced), elf::read("x", &bytes));
    let nonzero = |b: &[u8]| b.iter().filter(|&&x| x != 0).count();
    println!(
        "libv3.so.1.2: {} non-zero bytes of {} kept",
        nonzero(&reduced),
        nonzero(&bytes)
    );
    assert!(nonzero(&reduced) < nonzero(&bytes));
    // The machine code is gone.
    assert_ne!(reduced, bytes);
    // Bytes that are not ELF, or ELF that cannot be read, are kept as they are.
    assert_eq!(elf_skeleton(b"text".to_vec()), b"text");
    let damaged = bytes[..bytes.len() / 2].to_vec();
    assert_eq!(elf_skeleton(damaged.clone()), damaged);
}

#[test]
fn conda_skeletons_keep_info_and_reduce_the_rest() {
    let files = conda_files();
    let with_text_library = {
        let mut files = conda_files();
        files.push(Member::File("lib/libnot.so", b"not a library".to_vec()));
        files
    };
    for files in [files, with_text_library] {
        let expected_tar = tar_entries(&tar_of(&files));
        for (kind, bytes) in [
            (ArchiveKind::Conda, conda_of(&files)),
            (ArchiveKind::TarBz2, tar_bz2_of(&files)),
        ] {
            let reduced = skeleton(kind, &bytes).unwrap();
            assert_eq!(facts(kind, &reduced), facts(kind, &bytes), "{kind:?}");
            let entries = match kind {
                ArchiveKind::TarBz2 => {
                    let mut tar = Vec::new();
                    bzip2::read::MultiBzDecoder::new(&reduced[..])
                        .read_to_end(&mut tar)
                        .unwrap();
                    tar_entries(&tar)
                }
                _ => {
                    let members = zip_members(&reduced);
                    let original = zip_members(&bytes);
                    let names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
                    assert_eq!(
                        names,
                        [
                            "metadata.json",
                            "pkg-v3-1.2-h0_0.tar.zst",
                            "info-v3-1.2-h0_0.tar.zst"
                        ]
                    );
                    // metadata.json and the info tar are copied as they are.
                    assert_eq!(members[0], original[0]);
                    assert_eq!(members[2], original[2]);
                    let mut all = tar_entries(&zstd::decode_all(&members[2].1[..]).unwrap());
                    all.extend(tar_entries(&zstd::decode_all(&members[1].1[..]).unwrap()));
                    all.sort_by(|a, b| a.0.cmp(&b.0));
                    all
                }
            };
            let mut expected = expected_tar.clone();
            if kind == ArchiveKind::Conda {
                expected.sort_by(|a, b| a.0.cmp(&b.0));
            }
            assert_eq!(entries.len(), expected.len(), "{kind:?}");
            for ((path, kind_of, data), (old_path, old_kind, old)) in entries.iter().zip(&expected)
            {
                assert_eq!((path, kind_of), (old_path, old_kind), "{kind:?}");
                if path.starts_with("info/") {
                    assert_eq!(data, old, "{path}");
                } else if elf::is_elf(old) {
                    assert_eq!(data.len(), old.len(), "{path}");
                    assert_eq!(data, &elf_skeleton(old.clone()), "{path}");
                } else {
                    assert!(data.is_empty(), "{path}");
                }
            }
        }
    }
}

#[test]
fn the_skeleton_of_what_is_not_an_archive_is_an_error() {
    assert!(
        skeleton(ArchiveKind::Wheel, b"nope")
            .unwrap_err()
            .starts_with("not a zip archive")
    );
    assert!(skeleton(ArchiveKind::TarBz2, b"nope").is_err());
    assert!(skeleton(ArchiveKind::Conda, b"nope").is_err());
}
