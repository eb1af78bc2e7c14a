//! What a distribution file's name says: whether it is a wheel or a source archive, and its
//! project and version (`numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.whl`,
//! `typing_extensions-4.12.2.tar.gz`). Files that are neither (eggs, installers) say nothing.

use pep440_rs::Version;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Wheel,
    Sdist,
}

/// The archive extensions of source distributions, matched without regard to case.
const SDIST_EXTENSIONS: [&str; 6] = [".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar"];

/// The parts of a distribution file name, unparsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DistName<'a> {
    /// The project as written in the file name (not normalised).
    pub project: &'a str,
    pub version: &'a str,
    pub kind: FileKind,
}

impl<'a> DistName<'a> {
    /// `name-version-….whl` or `name-version.<archive extension>`; `None` for other names.
    pub fn parse(filename: &'a str) -> Option<Self> {
        if let Some(stem) = filename.strip_suffix(".whl") {
            let mut parts = stem.split('-');
            let (project, version) = (parts.next()?, parts.next()?);
            return Some(DistName {
                project,
                version,
                kind: FileKind::Wheel,
            });
        }
        let ext = SDIST_EXTENSIONS.iter().find(|ext| {
            filename.len() >= ext.len()
                && filename.as_bytes()[filename.len() - ext.len()..]
                    .eq_ignore_ascii_case(ext.as_bytes())
        })?;
        // The extension is ASCII, so the stem ends on a character boundary.
        let (project, version) = filename
            .get(..filename.len() - ext.len())?
            .rsplit_once('-')?;
        Some(DistName {
            project,
            version,
            kind: FileKind::Sdist,
        })
    }
}

/// The version and kind of a distribution file, from its name; `None` for files that are
/// neither wheels nor source archives or whose version does not parse.
pub fn version_of(filename: &str) -> Option<(Version, FileKind)> {
    let name = DistName::parse(filename)?;
    Some((Version::from_str(name.version).ok()?, name.kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wheels_and_source_archives_name_their_project_and_version() {
        let p = |s| DistName::parse(s).map(|n| (n.project, n.version, n.kind));
        assert_eq!(
            p("numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.whl"),
            Some(("numpy", "2.0.0", FileKind::Wheel))
        );
        assert_eq!(
            p("typing-extensions-4.12.2.tar.gz"),
            Some(("typing-extensions", "4.12.2", FileKind::Sdist))
        );
        assert_eq!(
            p("Foo-1.0rc1.ZIP"),
            Some(("Foo", "1.0rc1", FileKind::Sdist))
        );
        assert_eq!(p("foo-1.0-py2.7.egg"), None);
        assert_eq!(p("foo.tar.gz"), None);
        assert_eq!(p("é.tgz"), None);
        assert_eq!(version_of("foo-latest.tar.gz"), None);
        assert_eq!(
            version_of("a-1.0-py3-none-any.whl").map(|(v, k)| (v.to_string(), k)),
            Some(("1.0".into(), FileKind::Wheel))
        );
    }
}
