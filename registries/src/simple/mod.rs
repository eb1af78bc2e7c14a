//! The simple repository API: a project page lists its files, as PEP 691 JSON or PEP 503 HTML.
//! Both parse into [`ProjectFiles`] with absolute URLs, hashes, `requires-python`, yanked
//! state and PEP 658/714 metadata availability.

pub mod html;
pub mod json;

use unilock_model::index::{DistFile, Hashes};
use url::Url;

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
