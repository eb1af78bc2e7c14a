//! Bad artifacts: a truncated wheel, one gone from where the lock says, one that is not a zip,
//! and a `.so` that is not ELF. Each gets a sentence naming it; the rest is still checked.

use super::{check, links, lock};
use crate::{stderr, stdout};
use std::io::Write;

#[test]
fn a_truncated_or_missing_wheel_is_named_and_the_others_are_still_checked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let links = links(
        dir.path(),
        &[
            "pillow",
            "MarkupSafe-3.0.2-cp312-cp312-manylinux_2_17_x86_64",
        ],
    );
    let lock = lock(
        dir.path(),
        &links,
        "pillow\nmarkupsafe\n",
        "rhel8,python=3.12",
    );
    let pillow = links.join("pillow-11.0.0-cp312-cp312-manylinux_2_28_x86_64.whl");
    let bytes = std::fs::read(&pillow).expect("read");
    std::fs::write(&pillow, &bytes[..bytes.len() / 2]).expect("truncate");
    let out = check(&lock, &["--target", "rhel8,python=3.12"]);
    let report = stdout(&out);
    // MarkupSafe is still read and passes; pillow is unchecked, so the check is incomplete.
    assert_eq!(out.status.code(), Some(3), "{report}{}", stderr(&out));
    assert!(
        report.contains("unchecked pillow 11.0.0: pillow-11.0.0-cp312-cp312-manylinux_2_28_x86_64.whl could not be read"),
        "{report}"
    );
    assert!(report.contains("1 artifacts read"), "{report}");
    assert!(stderr(&out).contains("incomplete"), "{}", stderr(&out));
    std::fs::remove_file(&pillow).expect("remove");
    let out = check(&lock, &["--target", "rhel8,python=3.12"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("could not be read"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_wheel_that_is_not_a_zip_and_a_so_that_is_not_elf_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let links = links(
        dir.path(),
        &["MarkupSafe-3.0.2-cp312-cp312-manylinux_2_17_x86_64"],
    );
    // `fake`: a wheel whose extension module is text; `broken`: not a zip at all (its metadata
    // is served beside it, so the resolution does not need to open it).
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.start_file("fake/_native.cpython-312-x86_64-linux-gnu.so", opts)
        .unwrap();
    zip.write_all(b"this is not a shared library\n").unwrap();
    zip.start_file("fake-1.0.dist-info/METADATA", opts).unwrap();
    zip.write_all(b"Metadata-Version: 2.1\nName: fake\nVersion: 1.0\n")
        .unwrap();
    let wheel = zip.finish().unwrap().into_inner();
    std::fs::write(
        links.join("fake-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
        wheel,
    )
    .expect("write");
    let broken = "broken-1.0-cp312-cp312-manylinux_2_17_x86_64.whl";
    std::fs::write(links.join(broken), b"garbage, not a zip").expect("write");
    std::fs::write(
        links.join(format!("{broken}.metadata")),
        "Metadata-Version: 2.2\nName: broken\nVersion: 1.0\n",
    )
    .expect("write");
    let lock = lock(
        dir.path(),
        &links,
        "fake\nbroken\nmarkupsafe\n",
        "rhel8,python=3.12",
    );
    let out = check(&lock, &["--target", "rhel8,python=3.12"]);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(3), "{report}{}", stderr(&out));
    assert!(
        report.contains("fake/_native.cpython-312-x86_64-linux-gnu.so is not an ELF file"),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "unchecked broken 1.0: {broken} could not be read: not a zip archive"
        )),
        "{report}"
    );
    assert!(report.contains("2 artifacts read"), "{report}");
}
