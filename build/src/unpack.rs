//! Unpacking: an sdist (`.tar.gz`, `.tgz`, `.tar.bz2`, `.zip`) into a build directory, and a
//! wheel into a `site-packages` directory (a wheel is an installed layout: its members go where
//! they are, `*.data/purelib` and `*.data/platlib` beside them; scripts, headers and data
//! are not needed to import a build backend and are left out).
//!
//! Only regular files and directories are written, and only inside the destination: members
//! with absolute paths or `..` are refused, links are left out. The bytes written for one
//! archive are limited to [`max_unpacked_bytes`] (`UNILOCK_MAX_UNPACKED_BYTES`, default 4 GiB).

use std::io::{Cursor, Read};
use std::path::{Component, Path, PathBuf};

/// The default limit of bytes written when unpacking one archive.
pub const MAX_UNPACKED_BYTES: u64 = 4 << 30;

/// The limit of bytes written when unpacking one archive: `UNILOCK_MAX_UNPACKED_BYTES`, else
/// [`MAX_UNPACKED_BYTES`].
pub fn max_unpacked_bytes(var: &dyn Fn(&str) -> Option<String>) -> u64 {
    var("UNILOCK_MAX_UNPACKED_BYTES")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(MAX_UNPACKED_BYTES)
}

/// Unpacks the sdist `filename` (its `bytes`) into `into`, and returns its project directory:
/// the one top-level directory (`name-1.0/`), or `into` itself when there is none.
pub fn sdist(filename: &str, bytes: &[u8], into: &Path, limit: u64) -> Result<PathBuf, String> {
    let lower = filename.to_ascii_lowercase();
    let mut budget = limit;
    if lower.ends_with(".zip") {
        unzip(bytes, into, &mut budget, |p| Some(p.to_path_buf()))?;
    } else if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
        untar(flate2::read::GzDecoder::new(bytes), into, &mut budget)?;
    } else if lower.ends_with(".tar.bz2") {
        untar(bzip2::read::BzDecoder::new(bytes), into, &mut budget)?;
    } else {
        return Err(format!(
            "{filename}: sdists of this kind are not read (only .tar.gz, .tgz, .tar.bz2 and .zip)"
        ));
    }
    let entries: Vec<PathBuf> = std::fs::read_dir(into)
        .map_err(|e| format!("{}: {e}", into.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    match entries.as_slice() {
        [one] if one.is_dir() => Ok(one.clone()),
        _ => Ok(into.to_path_buf()),
    }
}

/// Installs the wheel `bytes` into the `site-packages` directory `site`.
pub fn wheel(bytes: &[u8], site: &Path, limit: u64) -> Result<(), String> {
    let mut budget = limit;
    unzip(bytes, site, &mut budget, |path| {
        let mut parts = path.components();
        let first = parts.next()?.as_os_str().to_str()?.to_string();
        if !first.ends_with(".data") {
            return Some(path.to_path_buf());
        }
        match parts.next()?.as_os_str().to_str()? {
            "purelib" | "platlib" => Some(parts.as_path().to_path_buf()),
            _ => None,
        }
    })
}

/// A member path that stays inside the destination, or `None`.
fn inside(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::Normal(p) => out.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.as_os_str().is_empty()).then_some(out)
}

fn write_member(
    mut reader: impl Read,
    path: &Path,
    budget: &mut u64,
    executable: bool,
) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let mut file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let written = std::io::copy(&mut (&mut reader).take(*budget + 1), &mut file)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if written > *budget {
        return Err(
            "the archive unpacks to more bytes than the limit (UNILOCK_MAX_UNPACKED_BYTES)".into(),
        );
    }
    *budget -= written;
    #[cfg(unix)]
    if executable {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
    }
    #[cfg(not(unix))]
    let _ = executable;
    Ok(())
}

fn untar(reader: impl Read, into: &Path, budget: &mut u64) -> Result<(), String> {
    let mut tar = tar::Archive::new(reader);
    let entries = tar
        .entries()
        .map_err(|e| format!("not a tar archive: {e}"))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("not a tar archive: {e}"))?;
        let kind = entry.header().entry_type();
        let name = entry
            .path()
            .map_err(|e| format!("bad member name: {e}"))?
            .into_owned();
        let Some(relative) = inside(&name) else {
            if kind.is_dir() && name.components().all(|c| matches!(c, Component::CurDir)) {
                continue;
            }
            return Err(format!("the member {} leaves the archive", name.display()));
        };
        let path = into.join(relative);
        if kind.is_dir() {
            std::fs::create_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        } else if kind.is_file() {
            let executable = entry.header().mode().is_ok_and(|m| m & 0o111 != 0);
            write_member(entry, &path, budget, executable)?;
        }
        // Links, devices and other kinds are not needed for a build and are left out.
    }
    Ok(())
}

fn unzip(
    bytes: &[u8],
    into: &Path,
    budget: &mut u64,
    place: impl Fn(&Path) -> Option<PathBuf>,
) -> Result<(), String> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("not a zip: {e}"))?;
    for i in 0..zip.len() {
        let member = zip.by_index(i).map_err(|e| format!("not a zip: {e}"))?;
        let name = member
            .name()
            .map_err(|e| format!("bad member name: {e}"))?
            .into_owned();
        let Some(relative) = inside(Path::new(&name)) else {
            return Err(format!("the member {name} leaves the archive"));
        };
        let Some(relative) = place(&relative) else {
            continue;
        };
        let path = into.join(relative);
        if member.is_dir() {
            std::fs::create_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        } else if member.is_file() {
            let executable = member.unix_mode().is_some_and(|m| m & 0o111 != 0);
            write_member(member, &path, budget, executable)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        for (name, data) in members {
            zip.start_file(*name, opts).unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_wheel_installs_its_libraries_and_leaves_scripts_out() {
        let dir = tempfile::tempdir().unwrap();
        let archive = zip_of(&[
            ("pkg/__init__.py", b"x = 1\n"),
            ("pkg-1.0.dist-info/METADATA", b"Name: pkg\n"),
            ("pkg-1.0.data/platlib/_native.py", b"y = 2\n"),
            ("pkg-1.0.data/scripts/tool", b"#!python\n"),
        ]);
        wheel(&archive, dir.path(), MAX_UNPACKED_BYTES).unwrap();
        assert!(dir.path().join("pkg/__init__.py").is_file());
        assert!(dir.path().join("_native.py").is_file());
        assert!(!dir.path().join("tool").exists());
        assert!(!dir.path().join("pkg-1.0.data").exists());
    }

    #[test]
    fn members_outside_the_destination_and_oversized_archives_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let evil = zip_of(&[("../escape.py", b"boom")]);
        let err = wheel(&evil, dir.path(), MAX_UNPACKED_BYTES).unwrap_err();
        assert!(err.contains("leaves the archive"), "{err}");
        assert!(!dir.path().parent().unwrap().join("escape.py").exists());
        let big = zip_of(&[("a.py", &[b'x'; 100])]);
        let err = wheel(&big, dir.path(), 10).unwrap_err();
        assert!(err.contains("UNILOCK_MAX_UNPACKED_BYTES"), "{err}");
    }

    #[test]
    fn sdists_of_every_kind_unpack_to_their_project_directory() {
        let mut tar = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        let data = b"from setuptools import setup\nsetup()\n";
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, "demo-1.0/setup.py", &data[..])
            .unwrap();
        let tar = tar.into_inner().unwrap();
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        bz.write_all(&tar).unwrap();
        let bz = bz.finish().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let project = sdist("demo-1.0.tar.bz2", &bz, dir.path(), MAX_UNPACKED_BYTES).unwrap();
        assert_eq!(project, dir.path().join("demo-1.0"));
        assert!(project.join("setup.py").is_file());
        let zip = zip_of(&[("demo-1.0/setup.py", data)]);
        let dir = tempfile::tempdir().unwrap();
        let project = sdist("demo-1.0.zip", &zip, dir.path(), MAX_UNPACKED_BYTES).unwrap();
        assert!(project.join("setup.py").is_file());
        let err = sdist("demo-1.0.tar.xz", b"", dir.path(), MAX_UNPACKED_BYTES).unwrap_err();
        assert!(err.contains("not read"), "{err}");
    }
}
