use std::path::PathBuf;
use std::process::Command;

use proptest::prelude::*;

use super::*;
use crate::facts::{Binary, VersionNeed};

pub(crate) fn corpus(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../corpus/check-snapshot")
        .join(path)
}

/// `libv3.so.1.2` (corpus/check-snapshot/elf/build.sh): every field set.
pub(crate) fn libv3() -> Vec<u8> {
    std::fs::read(corpus("elf/libv3.so.1.2")).unwrap()
}

/// The ELF members of a stored wheel, (name, bytes), in archive order.
pub(crate) fn wheel_elf_members(file: &str) -> Vec<(String, Vec<u8>)> {
    let bytes = std::fs::read(corpus(&format!("wheels/{file}"))).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    for index in 0..archive.len() {
        let mut member = archive.by_index(index).unwrap();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut member, &mut data).unwrap();
        if is_elf(&data) {
            out.push((member.name().unwrap().to_string(), data));
        }
    }
    out
}

pub(crate) fn corpus_wheels() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus("wheels"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".whl"))
        .collect();
    names.sort();
    assert!(names.len() >= 6, "{names:?}");
    names
}

fn need(file: &str, version: &str) -> VersionNeed {
    VersionNeed {
        file: file.into(),
        version: version.into(),
    }
}

#[test]
fn bytes_without_the_elf_magic_are_not_a_binary() {
    assert_eq!(read("a", b""), Ok(None));
    assert_eq!(read("a", b"\x7fEL"), Ok(None));
    assert_eq!(read("a", b"#!/bin/sh\necho\n"), Ok(None));
    assert_eq!(read("a", b"\x7fELG...."), Ok(None));
}

#[test]
fn a_library_yields_its_needs_soname_runpath_versions_and_isa_level() {
    let binary = read("lib/libv3.so.1.2", &libv3()).unwrap().unwrap();
    assert_eq!(
        binary,
        Binary {
            path: "lib/libv3.so.1.2".into(),
            machine: "x86_64".into(),
            soname: Some("libv3.so.1".into()),
            needed: vec!["libm.so.6".into(), "libc.so.6".into()],
            rpath: vec![],
            runpath: vec!["$ORIGIN/../lib".into(), "/opt/v3".into()],
            version_needs: vec![
                need("libm.so.6", "GLIBC_2.2.5"),
                need("libc.so.6", "GLIBC_2.2.5"),
                need("libc.so.6", "GLIBC_2.14"),
            ],
            x86_64_level: Some(3),
        }
    );
}

#[test]
fn wheels_binaries_of_every_class_and_byte_order_are_read() {
    let cases = [
        (
            "MarkupSafe-3.0.2-cp312-cp312-manylinux_2_5_i686.manylinux1_i686.manylinux_2_17_i686.manylinux2014_i686.whl",
            "i386",
        ),
        (
            "PyYAML-6.0.2-cp312-cp312-manylinux_2_17_s390x.manylinux2014_s390x.whl",
            "s390x",
        ),
        (
            "PyYAML-6.0.2-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
            "aarch64",
        ),
        (
            "MarkupSafe-3.0.2-cp312-cp312-musllinux_1_2_x86_64.whl",
            "x86_64",
        ),
    ];
    for (wheel, machine) in cases {
        let members = wheel_elf_members(wheel);
        assert_eq!(members.len(), 1, "{wheel}");
        let (name, bytes) = &members[0];
        let binary = read(name, bytes).unwrap().unwrap();
        assert_eq!(binary.machine, machine, "{wheel}");
        assert!(!binary.needed.is_empty(), "{wheel}: {binary:?}");
    }
    let (name, bytes) = &wheel_elf_members(cases[3].0)[0];
    let musl = read(name, bytes).unwrap().unwrap();
    assert_eq!(musl.needed, ["libc.musl-x86_64.so.1"]);
    assert!(musl.version_needs.is_empty());
    let (name, bytes) = &wheel_elf_members(cases[1].0)[0];
    let s390x = read(name, bytes).unwrap().unwrap();
    assert!(
        s390x
            .version_needs
            .iter()
            .any(|n| n.file == "libc.so.6" && n.version.starts_with("GLIBC_2.")),
        "{s390x:?}"
    );
}

#[test]
fn a_truncated_elf_file_is_an_error_naming_it() {
    let bytes = libv3();
    for cut in [5, 40, 63, bytes.len() / 2, bytes.len() - 1] {
        let error = read("lib/libv3.so.1.2", &bytes[..cut]).unwrap_err();
        assert!(
            error.starts_with("lib/libv3.so.1.2 is a damaged ELF file: "),
            "{cut}: {error}"
        );
    }
}

#[test]
fn every_truncation_of_a_real_binary_is_read_or_refused_without_panicking() {
    let bytes = libv3();
    let mut refused = 0;
    for cut in 0..bytes.len() {
        match read("x", &bytes[..cut]) {
            Ok(Some(_)) => {}
            Ok(None) => assert!(cut < 4),
            Err(_) => refused += 1,
        }
        let _ = kept_ranges(&bytes[..cut]);
    }
    // The section header table is at the end: nearly every truncation loses it.
    assert!(refused > bytes.len() / 2, "{refused}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    /// Bit flips anywhere in a real binary (and in its first kilobyte, where the headers are)
    /// yield facts or a sentence, never a panic; a skeleton of the damaged bytes reads the same.
    #[test]
    fn flipped_bits_never_panic(
        flips in proptest::collection::vec((0usize..16_000, 0u8..8), 1..12),
        head_flips in proptest::collection::vec((0usize..1024, 0u8..8), 0..4),
    ) {
        let mut bytes = libv3();
        let len = bytes.len();
        for (at, bit) in flips.into_iter().chain(head_flips) {
            bytes[at % len] ^= 1 << bit;
        }
        let facts = read("x", &bytes);
        let skeleton = crate::skeleton::elf_skeleton(bytes.clone());
        prop_assert_eq!(skeleton.len(), bytes.len());
        if facts.is_ok() {
            prop_assert_eq!(read("x", &skeleton), facts);
        }
    }
}

#[test]
fn kept_ranges_cover_the_headers_and_are_sorted_and_disjoint() {
    let bytes = libv3();
    let ranges = kept_ranges(&bytes).unwrap().unwrap();
    assert_eq!(ranges[0].start, 0);
    for pair in ranges.windows(2) {
        assert!(pair[0].end < pair[1].start, "{ranges:?}");
    }
    let kept: usize = ranges.iter().map(|r| r.len()).sum();
    assert!(kept < bytes.len() / 2, "{kept} of {}", bytes.len());
    assert_eq!(kept_ranges(b"not elf"), Ok(None));
}

/// What `readelf -d -V -n` prints for one file, as a `Binary` (machine and path left empty).
fn readelf(bytes: &[u8]) -> Option<Binary> {
    let file = std::env::temp_dir().join(format!(
        "unilock-check-readelf-{}-{}",
        std::process::id(),
        bytes.len()
    ));
    std::fs::write(&file, bytes).unwrap();
    let output = Command::new("readelf")
        .args(["-d", "-V", "-n", "-W"])
        .arg(&file)
        .env("LC_ALL", "C")
        .output();
    std::fs::remove_file(&file).unwrap();
    let output = output.ok()?;
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut binary = Binary {
        path: String::new(),
        machine: String::new(),
        soname: None,
        needed: vec![],
        rpath: vec![],
        runpath: vec![],
        version_needs: vec![],
        x86_64_level: None,
    };
    let bracketed = |line: &str| {
        let start = line.find('[').unwrap() + 1;
        line[start..line.rfind(']').unwrap()].to_string()
    };
    let split = |value: String| value.split(':').map(str::to_string).collect::<Vec<_>>();
    let mut in_needs = false;
    let mut file_name = String::new();
    for line in text.lines() {
        if line.starts_with("Version needs section") {
            in_needs = true;
        } else if line.starts_with("Version") || line.starts_with("Displaying notes") {
            in_needs = false;
        }
        if line.contains("(NEEDED)") {
            binary.needed.push(bracketed(line));
        } else if line.contains("(SONAME)") {
            binary.soname = Some(bracketed(line));
        } else if line.contains("(RPATH)") {
            binary.rpath = split(bracketed(line));
        } else if line.contains("(RUNPATH)") {
            binary.runpath = split(bracketed(line));
        } else if in_needs && line.contains("File: ") {
            let rest = &line[line.find("File: ").unwrap() + 6..];
            file_name = rest.split_whitespace().next().unwrap().to_string();
        } else if in_needs && line.contains("Name: ") {
            let rest = &line[line.find("Name: ").unwrap() + 6..];
            binary.version_needs.push(VersionNeed {
                file: file_name.clone(),
                version: rest.split_whitespace().next().unwrap().to_string(),
            });
        } else if let Some(at) = line.find("x86 ISA needed: ") {
            binary.x86_64_level = line[at..]
                .split(", ")
                .filter_map(|level| level.trim().rsplit("x86-64-v").next()?.parse().ok())
                .max();
        }
    }
    Some(binary)
}

#[test]
fn facts_agree_with_readelf() {
    let mut files: Vec<(String, Vec<u8>)> = vec![("libv3.so.1.2".into(), libv3())];
    for wheel in corpus_wheels() {
        files.extend(wheel_elf_members(&wheel));
    }
    let mut compared = 0;
    for (name, bytes) in files {
        let Some(expected) = readelf(&bytes) else {
            println!("readelf is not installed: facts are not compared with it");
            return;
        };
        let mut ours = read(&name, &bytes).unwrap().unwrap();
        ours.path = String::new();
        ours.machine = String::new();
        assert_eq!(ours, expected, "{name}");
        compared += 1;
    }
    println!("{compared} binaries read as readelf reads them");
    assert!(compared > 25, "{compared}");
}

#[test]
fn a_version_need_that_names_its_own_file_is_not_a_symbol_version() {
    use object::read::elf::{FileHeader, SectionHeader};
    let mut bytes = libv3();
    let header = elf::FileHeader64::<Endianness>::parse(&bytes[..]).unwrap();
    let endian = header.endian().unwrap();
    let sections = header.sections(endian, &bytes[..]).unwrap();
    let verneed = sections
        .iter()
        .find(|s| s.sh_type(endian) == elf::SHT_GNU_VERNEED)
        .unwrap();
    let at = verneed.sh_offset(endian) as usize;
    let word = |bytes: &[u8], at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    // Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32; the first
    // Vernaux's vna_name is 8 bytes in. Point it at the file name (libm.so.6).
    let file = word(&bytes, at + 4);
    let aux = at + word(&bytes, at + 8) as usize;
    bytes[aux + 8..aux + 12].copy_from_slice(&file.to_le_bytes());
    let binary = read("x", &bytes).unwrap().unwrap();
    assert_eq!(
        binary.version_needs,
        [
            need("libc.so.6", "GLIBC_2.2.5"),
            need("libc.so.6", "GLIBC_2.14")
        ]
    );
}
