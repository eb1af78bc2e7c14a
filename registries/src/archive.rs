//! Core metadata inside distribution archives: `*.dist-info/METADATA` of a wheel (a zip), and
//! `PKG-INFO` at the top of an sdist (`.tar.gz` or `.zip`).

use std::io::{Cursor, Read};

/// Bytes read from one archive member, at most this many (metadata is small; a larger member
/// is not metadata).
const MAX_METADATA: u64 = 16 * 1024 * 1024;

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

fn read_text(member: impl Read, name: &str) -> Result<String, String> {
    let mut text = String::new();
    member
        .take(MAX_METADATA)
        .read_to_string(&mut text)
        .map_err(|e| format!("{name}: {e}"))?;
    Ok(text)
}
