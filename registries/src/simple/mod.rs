//! The simple repository API: a project page lists its files, as PEP 691 JSON or PEP 503 HTML.
//! Both parse into [`ProjectFiles`] with absolute URLs, hashes, `requires-python`, yanked
//! state and PEP 658/714 metadata availability. A page of an API version whose major is not
//! [`API_MAJOR`] is refused (PEP 629).

pub mod html;
pub mod json;

use unilock_model::index::{DistFile, Hashes};
use url::Url;

/// The major version of the simple repository API this reader knows (PEP 629, PEP 691).
pub const API_MAJOR: u32 = 1;

/// Checks a page's API version (`meta.api-version` of a JSON page, the
/// `pypi:repository-version` meta tag of an HTML page): a major version other than
/// [`API_MAJOR`] is refused, as PEP 629 asks, since its pages may mean something else; a newer
/// minor version only adds to the format and is read.
fn check_api_version(version: &str) -> Result<(), String> {
    let major = version.trim().split('.').next().unwrap_or("");
    match major.parse::<u32>() {
        Ok(API_MAJOR) => Ok(()),
        Ok(_) => Err(format!(
            "the page is version {version} of the simple repository API; unilock reads version {API_MAJOR}.x only (PEP 629): use an index that serves version {API_MAJOR}, or a newer unilock"
        )),
        Err(_) => Err(format!(
            "the page's API version `{version}` is not MAJOR.MINOR (PEP 629)"
        )),
    }
}

/// Hashes as an index page states them (`#sha256=…` fragments, the JSON `hashes` map): a hash
/// of an algorithm unilock does not know is dropped (as pip and uv do: a newer index may offer
/// more); the others are kept as stated, malformed or not. Whether a file whose hash is
/// malformed (`sha256=zz`) may be used is [`crate::vet`]'s decision (it may not, and the user
/// is told), so the same warning comes on every run, from a cached page too.
fn stated_hashes<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Hashes {
    let mut hashes = Hashes::new();
    for (alg, hex) in pairs {
        match unilock_model::hash::check(alg, hex) {
            Err(e) if e.is_unknown_algorithm() => {}
            _ => hashes.insert(alg.to_ascii_lowercase(), hex.to_ascii_lowercase()),
        }
    }
    hashes
}

/// Metadata-file hashes as a page states them, when all are well-formed (checked by
/// [`unilock_model::hash`]); a malformed one reads as no metadata file advertised, so the
/// metadata is read from the file itself, whose own hash is checked.
fn checked_hashes<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<Hashes> {
    let hashes = stated_hashes(pairs);
    let well_formed = hashes
        .iter()
        .all(|(alg, hex)| unilock_model::hash::check(alg, hex).is_ok());
    well_formed.then_some(hashes)
}

/// The hash in a file URL's fragment (`#sha256=…`), removed from the URL. A fragment that is
/// no `algorithm=hex` is no hash.
fn split_hash(url: &mut Url) -> Hashes {
    let hashes = match url.fragment().and_then(|f| f.split_once('=')) {
        Some((alg, hex)) if !alg.is_empty() => stated_hashes([(alg, hex)]),
        _ => Hashes::new(),
    };
    url.set_fragment(None);
    hashes
}

/// A file entry from an href relative to `base`; `None` when the href is not a URL.
fn file_from_href(base: &Url, href: &str) -> Option<DistFile> {
    let mut url = base.join(href).ok()?;
    let hashes = split_hash(&mut url);
    let filename = url
        .path_segments()?
        .next_back()
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .filter(|s| !s.is_empty())?;
    Some(DistFile {
        filename,
        url: url.to_string(),
        hashes,
        ..DistFile::default()
    })
}

/// `sha256=hex` or `true` (PEP 658/714 `data-core-metadata` values) as metadata hashes. A
/// malformed hash reads as no metadata file advertised: the metadata is then read from the
/// file itself, whose own hash is checked.
fn metadata_hashes(value: &str) -> Option<Hashes> {
    match value.split_once('=') {
        Some((alg, hex)) => checked_hashes([(alg, hex)]),
        None if value.eq_ignore_ascii_case("false") => None,
        None => Some(Hashes::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_checked_unknown_algorithms_dropped() {
        let base = Url::parse("https://index.example/simple/alpha/").unwrap();
        let good = "A".repeat(64);
        let file = file_from_href(&base, &format!("alpha-1.0.tar.gz#SHA256={good}")).unwrap();
        assert_eq!(file.hashes["sha256"], "a".repeat(64));
        assert_eq!(
            file.url,
            "https://index.example/simple/alpha/alpha-1.0.tar.gz"
        );
        let file = file_from_href(&base, "alpha-1.0.tar.gz#sha999=00").unwrap();
        assert!(file.hashes.is_empty());
        // Malformed hashes are kept as stated, for crate::vet to refuse the file with a reason.
        for bad in ["sha256=zz", "sha256=", "md5=00", &format!("sha512={good}")] {
            let file = file_from_href(&base, &format!("alpha-1.0.tar.gz#{bad}")).unwrap();
            let (alg, hex) = file.hashes.iter().next().unwrap();
            assert!(unilock_model::hash::check(alg, hex).is_err(), "{bad}");
        }
        assert_eq!(metadata_hashes("sha256=zz"), None);
        assert_eq!(metadata_hashes(&format!("sha256={good}")).unwrap().len(), 1);
        assert_eq!(metadata_hashes("true"), Some(Hashes::new()));
    }
}
