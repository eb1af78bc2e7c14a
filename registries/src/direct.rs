//! Direct references: requirements `name @ URL` whose URL names one wheel or sdist
//! (`https://host/pkg-1.0-py3-none-any.whl`, `file:///srv/dist/pkg-1.0.tar.gz`), as pip and uv
//! accept them.
//!
//! The file is read whole: checked against the URL's `#sha256=` fragment when it has one,
//! hashed (the lock pins it by that hash), and its core metadata read from the archive — a
//! wheel's `METADATA`, an sdist's `PKG-INFO` when static (PEP 643). A direct reference to a
//! Git repository or a source directory names no file: resolution reads those through the
//! build crate's source trees (a checkout by [`crate::git`], static metadata or a build), and
//! this module refuses them (and other VCS schemes) with the reason. Credentials in the URL are used for the download and never kept: the file's URL is
//! the URL without them.

use crate::http::{Expected, auth, hex};
use crate::{archive, local, metadata};
use sha2::Digest;
use std::sync::Arc;
use unilock_model::index::{DirectFile, DistFile, Metadata};
use unilock_model::{Diagnostic, ErrorKind};
use url::Url;

/// A parsed direct reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The URL to fetch: without its fragment (and still with any credentials).
    pub url: Url,
    /// The file name the URL ends in.
    pub filename: String,
    /// The sha256 the URL's fragment demands (`#sha256=…`), lowercase.
    pub sha256: Option<String>,
}

impl Reference {
    /// Reads `url`, the URL of the requirement `name @ url`; refuses what is not a wheel or
    /// sdist of the project `name` (normalised) over http(s) or `file://`.
    pub fn parse(name: &str, url: &str) -> Result<Reference, Diagnostic> {
        let shown = auth::redact(url);
        let refuse = |why: String| Diagnostic::usage(format!("{name} @ {shown}: {why}"));
        let mut parsed = Url::parse(url).map_err(|e| refuse(format!("not a URL: {e}")))?;
        match parsed.scheme() {
            "http" | "https" | "file" => {}
            scheme
                if scheme.starts_with("git+")
                    || ["hg+", "svn+", "bzr+"]
                        .iter()
                        .any(|v| scheme.starts_with(v)) =>
            {
                return Err(refuse(format!(
                    "a `{scheme}` source is a repository, known only after a checkout and a build, not a file this source fetches"
                ))
                .note("`unilock resolve` reads Git repositories (`git+https://…`); pin a built wheel or an sdist by URL for other tools"));
            }
            scheme => return Err(refuse(format!("unsupported URL scheme `{scheme}`"))),
        }
        let sha256 = parsed.fragment().and_then(|f| {
            f.split('&')
                .find_map(|part| part.strip_prefix("sha256="))
                .map(str::to_ascii_lowercase)
        });
        if let Some(h) = &sha256
            && unilock_model::hash::check("sha256", h).is_err()
        {
            return Err(refuse(format!("`#sha256={h}` is not a SHA-256 hash")));
        }
        parsed.set_fragment(None);
        let filename = parsed
            .path_segments()
            .and_then(|mut s| s.next_back())
            .map(|f| {
                percent_encoding::percent_decode_str(f)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .unwrap_or_default();
        let Some(project) = local::project_of(&filename) else {
            return Err(refuse(
                "the URL names neither a wheel nor an sdist (nor a `git+` repository or a local source directory)".into(),
            )
            .note("require a wheel or sdist by URL, a Git repository as `git+https://…`, or a source directory by path"));
        };
        if project != local::normalize(name) {
            return Err(refuse(format!(
                "the file {filename} is a distribution of `{project}`, not of `{name}`"
            )));
        }
        Ok(Reference {
            url: parsed,
            filename,
            sha256,
        })
    }

    /// The URL to record: without credentials or fragment.
    pub fn recorded_url(&self) -> String {
        auth::strip(&self.url).to_string()
    }

    pub fn expected(&self) -> Expected {
        Expected {
            size: None,
            sha256: self.sha256.clone(),
        }
    }
}

/// What the bytes of a direct reference's file say: hash, size and core metadata. The bytes
/// must already match the URL's hash.
pub fn describe(reference: &Reference, bytes: &[u8]) -> Result<DirectFile, Diagnostic> {
    let url = reference.recorded_url();
    let bad = |e: String| {
        Diagnostic::new(
            ErrorKind::Registry,
            format!("{url}: invalid core metadata: {e}"),
        )
    };
    let metadata = if reference.filename.ends_with(".whl") {
        let text = archive::wheel_metadata(bytes).map_err(bad)?;
        Metadata::Known(Arc::new(metadata::parse(&text).map_err(bad)?.metadata))
    } else {
        let text = archive::sdist_pkg_info(&reference.filename, bytes).map_err(bad)?;
        crate::remote::sdist_metadata(metadata::parse(&text).map_err(bad)?)
    };
    let requires_python = match &metadata {
        Metadata::Known(m) => m.requires_python.clone(),
        Metadata::NeedsBuild(_) => None,
    };
    Ok(DirectFile {
        file: DistFile {
            filename: reference.filename.clone(),
            url,
            hashes: [("sha256".to_string(), hex(&sha2::Sha256::digest(bytes)))].into(),
            size: Some(bytes.len() as u64),
            requires_python,
            ..DistFile::default()
        },
        metadata,
    })
}

/// Reads a `file://` reference from disk.
pub fn read_local(reference: &Reference) -> Result<DirectFile, Diagnostic> {
    let registry = |m: String| Diagnostic::new(ErrorKind::Registry, m);
    let path = reference
        .url
        .to_file_path()
        .map_err(|()| registry(format!("{}: not a local path", reference.url)))?;
    let bytes = std::fs::read(&path).map_err(|e| registry(format!("{}: {e}", path.display())))?;
    reference
        .expected()
        .check(&reference.url, &bytes)
        .map_err(|e| crate::source::fetch_error(e, &reference.filename))?;
    describe(reference, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_name_a_wheel_or_sdist_of_the_project() {
        let r = Reference::parse(
            "Alpha",
            "https://u:p@files.example/dist/alpha-1.0-py3-none-any.whl#sha256=ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
        )
        .unwrap();
        assert_eq!(r.filename, "alpha-1.0-py3-none-any.whl");
        assert_eq!(
            r.recorded_url(),
            "https://files.example/dist/alpha-1.0-py3-none-any.whl"
        );
        assert_eq!(
            r.sha256.as_deref(),
            Some("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789")
        );
        assert!(Reference::parse("beta", "file:///srv/beta-2.0.tar.gz").is_ok());
        let refused = |name: &str, url: &str| Reference::parse(name, url).unwrap_err().render();
        let git = refused("alpha", "git+https://host/alpha.git@v1");
        assert!(git.contains("checkout and a build"), "{git}");
        let dir = refused("alpha", "file:///srv/alpha/");
        assert!(dir.contains("neither a wheel nor an sdist"), "{dir}");
        let other = refused("alpha", "https://host/beta-1.0-py3-none-any.whl");
        assert!(other.contains("of `beta`, not of `alpha`"), "{other}");
        let hash = refused("alpha", "https://host/alpha-1.0.tar.gz#sha256=12");
        assert!(hash.contains("not a SHA-256"), "{hash}");
        let secret = refused("alpha", "https://u:secret@host/x");
        assert!(!secret.contains("secret"), "{secret}");
    }
}
