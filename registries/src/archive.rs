//! Core metadata inside distribution archives: `*.dist-info/METADATA` of a wheel (a zip), and
//! `PKG-INFO` at the top of an sdist (`.tar.gz` or `.zip`).

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
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(sdist));
        let entries = tar.entries().map_err(|e| format!("not a .tar.gz: {e}"))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("not a .tar.gz: {e}"))?;
            let path = entry
                .path()
                .map_err(|e| format!("bad member name: {e}"))?
                .to_string_lossy()
                .into_owned();
            if top_level(&path) {
                return read_text(entry, &path);
            }
        }
        return Err("the sdist has no PKG-INFO".into());
    }
    Err(format!("{filename}: sdists of this kind are not read"))
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
    fn sizes_are_shown_in_the_largest_unit_that_divides_them() {
        assert_eq!(size_text(16 << 20), "16 MiB");
        assert_eq!(size_text(4 << 30), "4 GiB");
        assert_eq!(size_text(1500), "1500 bytes");
    }
}
