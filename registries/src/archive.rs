//! Core metadata inside distribution archives: `*.dist-info/METADATA` of a wheel (a zip), and
//! `PKG-INFO` at the top of an sdist (`.tar.gz`, `.tgz`, `.tar.bz2` or `.zip`).

use std::io::{Cursor, Read};

/// The largest core metadata file read (`METADATA`, `PKG-INFO`, a PEP 658 `.metadata` file):
/// 16 MiB. Real ones are a few KiB, the longest known about 1 MiB (a long description); a
/// larger one is refused, never cut (a cut would lose the `Requires-Dist` lines after it).
pub const MAX_METADATA: u64 = 16 * 1024 * 1024;

/// `n` bytes in the largest binary unit that divides it (`16 MiB`, `1500 bytes`).
pub fn size_text(n: u64) -> String {
    for (unit, size) in [("GiB", 1u64 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] {
        if n >= size && n.is_multiple_of(size) {
            return format!("{} {unit}", n / size);
        }
    }
    format!("{n} bytes")
}

/// The error for a metadata file of `size` bytes (or more) named `name`.
pub fn too_large(name: &str, size: u64) -> String {
    format!(
        "{name} is {} bytes, over the limit of {} for core metadata; it is refused rather than cut short (the dependencies after the cut would be lost)",
        size,
        size_text(MAX_METADATA)
    )
}

/// The text of the wheel's `<name>-<version>.dist-info/METADATA`.
pub fn wheel_metadata(wheel: &[u8]) -> Result<String, String> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(wheel)).map_err(|e| format!("not a wheel: {e}"))?;
    let name = member_named(&zip, |n| {
        let mut parts = n.split('/');
        matches!((parts.next(), parts.next(), parts.next()),
                (Some(dir), Some("METADATA"), None) if dir.ends_with(".dist-info"))
    })
    .ok_or("the wheel has no *.dist-info/METADATA")?;
    let member = zip.by_name(&name).map_err(|e| format!("{name}: {e}"))?;
    read_text(member, &name)
}

/// The text of an sdist's top-level `PKG-INFO`.
pub fn sdist_pkg_info(filename: &str, sdist: &[u8]) -> Result<String, String> {
    let lower = filename.to_ascii_lowercase();
    let top_level = |path: &str| {
        let mut parts = path.trim_start_matches("./").split('/');
        matches!(
            (parts.next(), parts.next(), parts.next()),
            (Some(_), Some("PKG-INFO"), None)
        )
    };
    if lower.ends_with(".zip") {
        let mut zip =
            zip::ZipArchive::new(Cursor::new(sdist)).map_err(|e| format!("not a zip: {e}"))?;
        let name = member_named(&zip, top_level).ok_or("the sdist has no PKG-INFO")?;
        let member = zip.by_name(&name).map_err(|e| format!("{name}: {e}"))?;
        return read_text(member, &name);
    }
    if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
        return tar_pkg_info(flate2::read::GzDecoder::new(sdist), ".tar.gz", top_level);
    }
    if lower.ends_with(".tar.bz2") {
        return tar_pkg_info(bzip2::read::BzDecoder::new(sdist), ".tar.bz2", top_level);
    }
    Err(format!("{filename}: sdists of this kind are not read"))
}

/// The top-level `PKG-INFO` of a tar archive (`kind`: `.tar.gz`, `.tar.bz2`).
fn tar_pkg_info(
    reader: impl Read,
    kind: &str,
    top_level: impl Fn(&str) -> bool,
) -> Result<String, String> {
    let mut tar = tar::Archive::new(reader);
    let entries = tar.entries().map_err(|e| format!("not a {kind}: {e}"))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("not a {kind}: {e}"))?;
        let path = entry
            .path()
            .map_err(|e| format!("bad member name: {e}"))?
            .to_string_lossy()
            .into_owned();
        if top_level(&path) {
            return read_text(entry, &path);
        }
    }
    Err("the sdist has no PKG-INFO".into())
}

/// The name of the first zip member whose (UTF-8) name satisfies `wanted`.
fn member_named<R: Read + std::io::Seek>(
    zip: &zip::ZipArchive<R>,
    wanted: impl Fn(&str) -> bool,
) -> Option<String> {
    zip.file_names()
        .filter_map(Result::ok)
        .find(|n| wanted(n))
        .map(|n| n.into_owned())
}

/// The member's text, refused when it is longer than [`MAX_METADATA`].
fn read_text(member: impl Read, name: &str) -> Result<String, String> {
    let mut bytes = Vec::new();
    member
        .take(MAX_METADATA + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: {e}"))?;
    if bytes.len() as u64 > MAX_METADATA {
        return Err(too_large(name, bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|e| format!("{name}: not UTF-8: {e}"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// A wheel whose METADATA has a description of `description` bytes before a
    /// `Requires-Dist` line.
    pub(crate) fn wheel_with_description(description: usize) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("big-1.0.dist-info/METADATA", opts).unwrap();
        zip.write_all(b"Metadata-Version: 2.1\nName: big\nVersion: 1.0\nSummary: ")
            .unwrap();
        zip.write_all(&vec![b'x'; description]).unwrap();
        zip.write_all(b"\nRequires-Dist: late-dependency\n\n")
            .unwrap();
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn metadata_over_the_limit_is_refused_not_cut() {
        let wheel = wheel_with_description(MAX_METADATA as usize);
        let err = wheel_metadata(&wheel).unwrap_err();
        assert!(
            err.starts_with(
                "big-1.0.dist-info/METADATA is 16777217 bytes, over the limit of 16 MiB"
            ),
            "{err}"
        );
        let small = wheel_metadata(&wheel_with_description(100)).unwrap();
        assert!(small.ends_with("Requires-Dist: late-dependency\n\n"));
    }

    #[test]
    fn the_pkg_info_of_a_tar_bz2_sdist_is_read() {
        let text = b"Metadata-Version: 2.2\nName: old\nVersion: 1.0\n\n";
        let mut tar = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_size(text.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, "old-1.0/PKG-INFO", &text[..])
            .unwrap();
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        bz.write_all(&tar.into_inner().unwrap()).unwrap();
        let sdist = bz.finish().unwrap();
        let pkg_info = sdist_pkg_info("old-1.0.tar.bz2", &sdist).unwrap();
        assert!(pkg_info.starts_with("Metadata-Version: 2.2\nName: old"));
        assert!(
            sdist_pkg_info("old-1.0.tar.xz", &sdist)
                .unwrap_err()
                .contains("not read")
        );
    }

    #[test]
    fn sizes_are_shown_in_the_largest_unit_that_divides_them() {
        assert_eq!(size_text(16 << 20), "16 MiB");
        assert_eq!(size_text(4 << 30), "4 GiB");
        assert_eq!(size_text(1500), "1500 bytes");
    }
}
