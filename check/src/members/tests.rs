use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

use super::*;
use crate::elf::tests::{corpus, corpus_wheels, libv3};

/// One member of a test package: a file (`Some(bytes)`) or a symlink to `target`.
pub(crate) enum Member<'a> {
    File(&'a str, Vec<u8>),
    Symlink(&'a str, &'a str),
}

/// A conda package's files: the ELF library of the corpus, its symlinks, a linker-facing
/// unversioned name, a Python file and `info/` metadata.
pub(crate) fn conda_files() -> Vec<Member<'static>> {
    vec![
        Member::File(
            "info/index.json",
            br#"{"name": "v3", "version": "1.2"}"#.to_vec(),
        ),
        Member::File(
            "info/paths.json",
            br#"{"paths": [], "paths_version": 1}"#.to_vec(),
        ),
        Member::File("lib/libv3.so.1.2", libv3()),
        Member::Symlink("lib/libv3.so.1", "libv3.so.1.2"),
        Member::Symlink("lib/libv3.so", "libv3.so.1"),
        Member::File(
            "lib/python3.12/site-packages/v3/__init__.py",
            b"import ctypes\n".to_vec(),
        ),
    ]
}

pub(crate) fn tar_of(members: &[Member<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for member in members {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o644);
        match member {
            Member::File(path, data) => {
                header.set_size(data.len() as u64);
                builder.append_data(&mut header, path, &data[..]).unwrap();
            }
            Member::Symlink(path, target) => {
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_size(0);
                builder.append_link(&mut header, path, target).unwrap();
            }
        }
    }
    builder.into_inner().unwrap()
}

pub(crate) fn tar_bz2_of(members: &[Member<'_>]) -> Vec<u8> {
    let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    encoder.write_all(&tar_of(members)).unwrap();
    encoder.finish().unwrap()
}

/// A `.conda` package as conda-package-handling writes one: `metadata.json`, then the
/// `info/` files and the rest as two zstd tars, stored.
pub(crate) fn conda_of(members: &[Member<'_>]) -> Vec<u8> {
    let (info, pkg): (Vec<_>, Vec<_>) = members.iter().partition(|member| match member {
        Member::File(path, _) | Member::Symlink(path, _) => path.starts_with("info/"),
    });
    let owned = |list: Vec<&Member<'_>>| -> Vec<u8> {
        let list: Vec<Member<'_>> = list
            .into_iter()
            .map(|m| match m {
                Member::File(p, d) => Member::File(p, d.clone()),
                Member::Symlink(p, t) => Member::Symlink(p, t),
            })
            .collect();
        zstd::stream::encode_all(&tar_of(&list)[..], 3).unwrap()
    };
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("metadata.json", stored).unwrap();
    zip.write_all(br#"{"conda_pkg_format_version": 2}"#)
        .unwrap();
    zip.start_file("pkg-v3-1.2-h0_0.tar.zst", stored).unwrap();
    zip.write_all(&owned(pkg)).unwrap();
    zip.start_file("info-v3-1.2-h0_0.tar.zst", stored).unwrap();
    zip.write_all(&owned(info)).unwrap();
    zip.finish().unwrap().into_inner()
}

/// A wheel (deflated zip) of the given files.
pub(crate) fn wheel_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in files {
        zip.start_file(*name, SimpleFileOptions::default()).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn wheel(file: &str) -> Vec<u8> {
    std::fs::read(corpus(&format!("wheels/{file}"))).unwrap()
}

#[test]
fn archive_kinds_come_from_file_names() {
    assert_eq!(
        ArchiveKind::of_filename("a-1-py3-none-any.whl"),
        Some(ArchiveKind::Wheel)
    );
    assert_eq!(
        ArchiveKind::of_filename("a-1-h0_0.conda"),
        Some(ArchiveKind::Conda)
    );
    assert_eq!(
        ArchiveKind::of_filename("a-1-h0_0.tar.bz2"),
        Some(ArchiveKind::TarBz2)
    );
    assert_eq!(ArchiveKind::of_filename("a-1.tar.gz"), None);
    assert_eq!(ArchiveKind::of_filename("a-1.zip"), None);
}

#[test]
fn shared_library_names() {
    for name in [
        "cv2/cv2.abi3.so",
        "pillow.libs/libopenjp2-05423b53.so",
        "lib/libarrow.so.2600",
        "lib/libarrow.so.2600.1.0",
        "libz.so.1",
    ] {
        assert!(is_library_name(name), "{name}");
    }
    for name in [
        "lib/libfoo.so.1.debug",
        "lib/libfoo.so.",
        "lib/libfoo.so.1..2",
        "lib/libfoo.sox",
        "lib/.so",
        "share/foo.so.conf",
        "a.so/README",
        "lib/libfoo.a",
    ] {
        assert!(!is_library_name(name), "{name}");
    }
}

#[test]
fn a_wheel_with_an_auditwheel_libs_directory_lists_its_binaries_and_libraries() {
    let facts = facts(
        ArchiveKind::Wheel,
        &wheel("pillow-11.0.0-cp312-cp312-manylinux_2_28_x86_64.whl"),
    )
    .unwrap();
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    assert_eq!(facts.binaries.len(), 23);
    let imaging = facts
        .binaries
        .iter()
        .find(|b| b.path == "PIL/_imaging.cpython-312-x86_64-linux-gnu.so")
        .unwrap();
    assert_eq!(imaging.rpath, ["$ORIGIN/../pillow.libs"]);
    assert_eq!(
        imaging.needed,
        [
            "libtiff-0a86184d.so.6.0.2",
            "libjpeg-45e70d75.so.62.4.0",
            "libopenjp2-05423b53.so",
            "libz.so.1",
            "libxcb-b8a56d01.so.1.1.0",
            "libpthread.so.0",
            "libc.so.6",
        ]
    );
    // Every library a binary of the wheel names from the wheel is among `libraries`.
    for name in [
        "libtiff-0a86184d.so.6.0.2",
        "libopenjp2-05423b53.so",
        "libxcb-b8a56d01.so.1.1.0",
    ] {
        assert!(facts.libraries.iter().any(|l| l == name), "{name}");
    }
    assert!(!facts.libraries.iter().any(|l| l == "libz.so.1"));
    let mut sorted = facts.libraries.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(facts.libraries, sorted);
}

#[test]
fn a_musllinux_wheel_needs_musl() {
    let facts = facts(
        ArchiveKind::Wheel,
        &wheel("MarkupSafe-3.0.2-cp312-cp312-musllinux_1_2_x86_64.whl"),
    )
    .unwrap();
    assert_eq!(facts.binaries.len(), 1);
    assert_eq!(
        facts.binaries[0].path,
        "markupsafe/_speedups.cpython-312-x86_64-linux-musl.so"
    );
    assert_eq!(facts.binaries[0].needed, ["libc.musl-x86_64.so.1"]);
    assert_eq!(
        facts.libraries,
        ["_speedups.cpython-312-x86_64-linux-musl.so"]
    );
}

#[test]
fn every_stored_wheel_is_read_without_problems() {
    for name in corpus_wheels() {
        let facts = facts(ArchiveKind::Wheel, &wheel(&name)).unwrap();
        assert!(!facts.binaries.is_empty(), "{name}");
        assert!(facts.problems.is_empty(), "{name}: {:?}", facts.problems);
    }
}

#[test]
fn what_is_not_a_wheel_is_an_error_and_a_truncated_wheel_says_so() {
    let error = facts(ArchiveKind::Wheel, b"<html>not found</html>").unwrap_err();
    assert!(error.starts_with("not a zip archive"), "{error}");
    let bytes = wheel("MarkupSafe-3.0.2-cp312-cp312-musllinux_1_2_x86_64.whl");
    let error = facts(ArchiveKind::Wheel, &bytes[..bytes.len() / 2]).unwrap_err();
    assert!(
        error.starts_with("a truncated or damaged zip archive"),
        "{error}"
    );
}

#[test]
fn a_library_named_member_that_is_not_elf_is_a_problem_and_the_rest_is_read() {
    let lib = libv3();
    let bytes = wheel_of(&[
        ("cv2/__init__.py", b"from .cv2 import *\n"),
        ("cv2/foo.so", b"this is text"),
        ("cv2/empty.so.1", b""),
        ("cv2/cv2.abi3.so", &lib),
        ("cv2/data/README", b"\x7fEL"),
        ("cv2/broken.so", &lib[..lib.len() / 2]),
    ]);
    let facts = facts(ArchiveKind::Wheel, &bytes).unwrap();
    assert_eq!(facts.binaries.len(), 1);
    assert_eq!(facts.binaries[0].path, "cv2/cv2.abi3.so");
    assert_eq!(facts.problems.len(), 3, "{:?}", facts.problems);
    assert_eq!(facts.problems[0], "cv2/foo.so is not an ELF file");
    assert_eq!(facts.problems[1], "cv2/empty.so.1 is not an ELF file");
    assert!(
        facts.problems[2].starts_with("cv2/broken.so is a damaged ELF file: "),
        "{}",
        facts.problems[2]
    );
    assert_eq!(
        facts.libraries,
        [
            "broken.so",
            "cv2.abi3.so",
            "empty.so.1",
            "foo.so",
            "libv3.so.1"
        ]
    );
}

#[test]
fn a_member_larger_than_the_limit_is_a_problem_and_not_read() {
    let bytes = wheel_of(&[("big/libhuge.so", b"\x7fELF tiny"), ("a.py", b"")]);
    // Declare 1.25 GiB as the member's size in the central directory.
    let mut bytes = bytes;
    let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    bytes[central + 24..central + 28].copy_from_slice(&0x5000_0000u32.to_le_bytes());
    let facts = facts(ArchiveKind::Wheel, &bytes).unwrap();
    assert_eq!(facts.binaries, []);
    assert_eq!(
        facts.problems,
        [
            "big/libhuge.so is 1342177280 bytes, more than the 1073741824 read of one member; not read"
        ]
    );
    assert_eq!(facts.libraries, ["libhuge.so"]);
}

#[test]
fn conda_packages_of_both_formats_list_binaries_and_symlinked_libraries() {
    let files = conda_files();
    for (kind, bytes) in [
        (ArchiveKind::Conda, conda_of(&files)),
        (ArchiveKind::TarBz2, tar_bz2_of(&files)),
    ] {
        let facts = facts(kind, &bytes).unwrap();
        assert!(facts.problems.is_empty(), "{kind:?}: {:?}", facts.problems);
        assert_eq!(facts.binaries.len(), 1, "{kind:?}");
        assert_eq!(facts.binaries[0].path, "lib/libv3.so.1.2");
        assert_eq!(facts.binaries[0].x86_64_level, Some(3));
        assert_eq!(
            facts.libraries,
            ["libv3.so", "libv3.so.1", "libv3.so.1.2"],
            "{kind:?}"
        );
    }
}

#[test]
fn damaged_conda_packages_are_errors() {
    let files = conda_files();
    let bz2 = tar_bz2_of(&files);
    let error = facts(ArchiveKind::TarBz2, &bz2[..bz2.len() / 2]).unwrap_err();
    assert!(error.contains("truncated or damaged"), "{error}");
    let error = facts(ArchiveKind::TarBz2, b"BZh9 not really").unwrap_err();
    assert!(!error.is_empty());
    let error = facts(ArchiveKind::Conda, &wheel_of(&[("info.json", b"{}")])).unwrap_err();
    assert_eq!(
        error,
        "not a .conda package: it has no pkg-*.tar.zst member"
    );
    let error = facts(ArchiveKind::Conda, &bz2).unwrap_err();
    assert!(error.starts_with("not a zip archive"), "{error}");
}

#[test]
fn opencv_needs_libgl_from_the_host() {
    let facts = facts(
        ArchiveKind::Wheel,
        &wheel("opencv_python-4.10.0.84-cp37-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
    )
    .unwrap();
    assert!(facts.problems.is_empty(), "{:?}", facts.problems);
    let needing_gl: Vec<&str> = facts
        .binaries
        .iter()
        .filter(|b| b.needed.iter().any(|n| n == "libGL.so.1"))
        .map(|b| b.path.as_str())
        .collect();
    assert!(
        needing_gl.contains(&"opencv_python.libs/libQt5Gui-5dea4132.so.5.15.13"),
        "{needing_gl:?}"
    );
    assert!(!facts.libraries.iter().any(|l| l == "libGL.so.1"));
    // Its bundled Qt comes from opencv_python.libs/ and is among what it provides.
    assert!(
        facts
            .libraries
            .iter()
            .any(|l| l == "libQt5Core-e6d3f451.so.5.15.13")
    );
    println!(
        "opencv-python: {} binaries, {} libraries",
        facts.binaries.len(),
        facts.libraries.len()
    );
}
