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

/// The hash in a file URL's fragment (`#sha256=…`), removed from the URL.
fn split_hash(url: &mut Url) -> Hashes {
    let mut hashes = Hashes::new();
    if let Some((alg, hex)) = url.fragment().and_then(|f| f.split_once('='))
        && !alg.is_empty()
        && !hex.is_empty()
    {
        hashes.insert(alg.to_ascii_lowercase(), hex.to_ascii_lowercase());
    }
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

/// `sha256=hex` or `true` (PEP 658/714 `data-core-metadata` values) as metadata hashes.
fn metadata_hashes(value: &str) -> Option<Hashes> {
    match value.split_once('=') {
        Some((alg, hex)) => Some([(alg.to_ascii_lowercase(), hex.to_ascii_lowercase())].into()),
        None if value.eq_ignore_ascii_case("false") => None,
        None => Some(Hashes::new()),
    }
}
