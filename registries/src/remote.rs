//! PyPI-compatible indexes over HTTP(S): project pages and the core metadata of their files.
//!
//! Pages are asked for as PEP 691 JSON, with PEP 503 HTML as the fallback (`Accept`
//! negotiation); the `Content-Type` of the answer decides the parser. 404/410 means the index
//! does not have the project. Every file a page served over HTTP(S) lists must be an http or
//! https URL: a page that links a `file:` (or any other) URL is refused whole, so a remote
//! index can never make unilock read, pin or record a local file.
//!
//! Core metadata of a file, in order:
//! 1. the derived-metadata cache, when the index gave the file's sha256;
//! 2. the PEP 658/714 metadata file `<file-url>.metadata` — checked against the hash the page
//!    gives, and tried for wheels even when the page does not advertise it (an unadvertised
//!    file must name the project and version of the wheel to be used; a host that answers 404
//!    to one is not asked again for others in this run);
//! 3. for a wheel, `*.dist-info/METADATA` read by HTTP range requests ([`crate::range_wheel`]),
//!    and if the wheel's zip cannot be read that way, the whole wheel;
//! 4. for an sdist, the sdist itself (checked against the index's hash and size): its
//!    `PKG-INFO` when the dependencies are static (PEP 643), else
//!    [`Metadata::NeedsBuild`] with the reason.

use crate::http::{Derived, Expected, Failure, FetchError, HttpClient, Response, auth};
use crate::{archive, local, metadata, range_wheel, simple};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use unilock_model::index::{DistFile, Files, Metadata};
use url::Url;

/// The cache's name for packed project pages.
const PACKED_PAGES: &str = "pages-v1";

/// The `Accept` header of project pages: JSON first, HTML as the fallback.
pub const ACCEPT: &str = "application/vnd.pypi.simple.v1+json, \
     application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

/// The HTTP side of the registries: the client and what was learnt about hosts in this run.
#[derive(Debug)]
pub struct Remote {
    pub client: Arc<HttpClient>,
    /// Hosts that answered an unadvertised metadata-file request with "not there".
    no_metadata_files: Mutex<HashSet<String>>,
}

impl Remote {
    pub fn new(client: Arc<HttpClient>) -> Self {
        Remote {
            client,
            no_metadata_files: Mutex::default(),
        }
    }

    /// The files on `index`'s page for `name`; `None` when the index does not have it.
    ///
    /// The files are kept packed next to the cached page ([`crate::cache`]), so a page the
    /// cache answers is parsed once, not on every run.
    pub async fn project(&self, index: &Url, name: &str) -> Result<Option<Files>, FetchError> {
        let url = index.join(&format!("{name}/")).map_err(|e| {
            FetchError::new(index, Failure::Invalid(format!("no page for {name}: {e}")))
        })?;
        let response = match self.client.get_derived(&url, ACCEPT, PACKED_PAGES).await? {
            Derived::Stored(packed) => {
                if let Some(files) = Files::unpack(packed) {
                    return Ok(Some(files));
                }
                // Damaged: parse the page again.
                self.client.get_cached(&url, ACCEPT).await?
            }
            Derived::Fetched(response) => response,
        };
        let Some(files) = parse_page(&url, &response)? else {
            return Ok(None);
        };
        let packed = Files::from(files).pack();
        self.client
            .store_derived(&url, ACCEPT, &response, PACKED_PAGES, &packed);
        Ok(Files::unpack(Arc::new(packed)))
    }

    /// The files a page (a find-links page) lists; `None` on 404/410.
    pub async fn page(&self, url: &Url) -> Result<Option<Vec<DistFile>>, FetchError> {
        let response = self.client.get_cached(url, ACCEPT).await?;
        parse_page(url, &response)
    }

    /// The core metadata of `file`, a file of `project`, through the cache.
    pub async fn metadata(&self, project: &str, file: &DistFile) -> Result<Metadata, FetchError> {
        let url = Url::parse(&file.url).map_err(|e| FetchError {
            url: file.url.clone(),
            failure: Failure::Invalid(format!("not a URL: {e}")),
            attempts: 0,
        })?;
        let sha256 = file.hashes.get("sha256");
        let cache = self.client.cache();
        if let (Some(cache), Some(sha)) = (cache, sha256) {
            match cache.lookup_metadata(&file.url, sha) {
                Ok(Some(m)) => return Ok(m),
                Err(damaged) if self.client.settings().offline => {
                    return Err(FetchError::new(&url, damaged.offline_failure()));
                }
                // Damaged online: derived again, and replaced.
                Ok(None) | Err(_) => {}
            }
        }
        let metadata = self.derive(project, file, &url).await?;
        if let (Some(cache), Some(sha)) = (cache, sha256) {
            // The metadata of a file with this hash never changes; a failed write costs a fetch.
            let _ = cache.write_metadata(&file.url, sha, &metadata);
        }
        Ok(metadata)
    }

    async fn derive(
        &self,
        project: &str,
        file: &DistFile,
        url: &Url,
    ) -> Result<Metadata, FetchError> {
        let wheel = file.filename.ends_with(".whl");
        let expected = Expected {
            size: file.size,
            sha256: file.hashes.get("sha256").cloned(),
        };
        let host = url.host_str().unwrap_or_default().to_string();
        let advertised = file.metadata.as_ref();
        let probe = wheel && !lock(&self.no_metadata_files).contains(&host);
        if advertised.is_some() || probe {
            match self.metadata_file(project, file, url, advertised).await? {
                Some(m) => return Ok(m),
                None if advertised.is_none() => {
                    lock(&self.no_metadata_files).insert(host);
                }
                None => {}
            }
        }
        let invalid = |why: String| FetchError::new(url, Failure::Invalid(why));
        if wheel {
            let text = match range_wheel::wheel_metadata(&self.client, url, &expected).await {
                Ok(text) => text,
                // A zip the range reader cannot follow: read the whole wheel.
                Err(e) if matches!(e.failure, Failure::Invalid(_)) => {
                    let body = self.client.download(url, &expected).await?;
                    archive::wheel_metadata(&body).map_err(invalid)?
                }
                Err(e) => return Err(e),
            };
            let headers = metadata::parse(&text)
                .map_err(|e| invalid(format!("invalid core metadata: {e}")))?;
            return Ok(Metadata::Known(Arc::new(headers.metadata)));
        }
        let body = self.client.download(url, &expected).await?;
        let text = archive::sdist_pkg_info(&file.filename, &body).map_err(invalid)?;
        let headers =
            metadata::parse(&text).map_err(|e| invalid(format!("invalid PKG-INFO: {e}")))?;
        Ok(sdist_metadata(headers))
    }

    /// The PEP 658 metadata file of `file`; `None` when the index does not serve it (or, when
    /// the page did not advertise it, serves something that is not this file's metadata).
    async fn metadata_file(
        &self,
        project: &str,
        file: &DistFile,
        url: &Url,
        advertised: Option<&unilock_model::index::Hashes>,
    ) -> Result<Option<Metadata>, FetchError> {
        let meta_url = Url::parse(&format!("{url}.metadata"))
            .map_err(|e| FetchError::new(url, Failure::Invalid(e.to_string())))?;
        let missing = |f: &Failure| matches!(f, Failure::Status(403 | 404 | 410));
        let body = match advertised.and_then(|h| h.get("sha256")) {
            Some(sha) => {
                let expected = Expected {
                    size: None,
                    sha256: Some(sha.clone()),
                };
                match self.client.download_metadata(&meta_url, &expected).await {
                    Ok(body) => body,
                    Err(e) if missing(&e.failure) => return Ok(None),
                    Err(e) => return Err(e),
                }
            }
            None => match self.client.get_cached(&meta_url, "*/*").await {
                Ok(r) if (200..300).contains(&r.status) => r.body,
                Ok(_) => return Ok(None),
                Err(e) if missing(&e.failure) && advertised.is_none() => return Ok(None),
                Err(e) => return Err(e),
            },
        };
        if body.len() as u64 > archive::MAX_METADATA {
            return Err(FetchError::new(
                &meta_url,
                Failure::Invalid(archive::too_large("the metadata file", body.len() as u64)),
            ));
        }
        let text = String::from_utf8_lossy(&body);
        let headers = match metadata::parse(&text) {
            Ok(h) => h,
            Err(e) if advertised.is_some() => {
                return Err(FetchError::new(
                    &meta_url,
                    Failure::Invalid(format!("invalid core metadata: {e}")),
                ));
            }
            Err(_) => return Ok(None),
        };
        if advertised.is_none() && !describes(&headers.metadata, project, &file.filename) {
            return Ok(None);
        }
        Ok(Some(if file.filename.ends_with(".whl") {
            Metadata::Known(Arc::new(headers.metadata))
        } else {
            sdist_metadata(headers)
        }))
    }
}

/// An sdist's metadata, when its dependencies are static.
pub(crate) fn sdist_metadata(headers: metadata::Headers) -> Metadata {
    match headers.static_dependencies() {
        Ok(()) => Metadata::Known(Arc::new(headers.metadata)),
        Err(why) => Metadata::NeedsBuild(why),
    }
}

/// Whether metadata names `project` at the version in `filename`.
fn describes(m: &unilock_model::index::CoreMetadata, project: &str, filename: &str) -> bool {
    let version = unilock_model::index::DistName::parse(filename)
        .filter(|n| n.kind == unilock_model::index::FileKind::Wheel)
        .map(|n| n.version);
    let same_version = match (version, m.version.parse::<pep440_rs::Version>()) {
        (Some(v), Ok(mv)) => v.parse::<pep440_rs::Version>().is_ok_and(|v| v == mv),
        _ => false,
    };
    local::normalize(&m.name) == project && same_version
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The files a page lists, parsed as its `Content-Type` says; `None` on 404/410.
fn parse_page(url: &Url, response: &Response) -> Result<Option<Vec<DistFile>>, FetchError> {
    if matches!(response.status, 404 | 410) {
        return Ok(None);
    }
    let base = auth::strip(&response.url);
    let text = match std::str::from_utf8(&response.body) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(&response.body),
    };
    let kind = response
        .content_type
        .as_deref()
        .and_then(|t| t.split(';').next())
        .map(|t| t.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let parsed = match kind.as_str() {
        "application/vnd.pypi.simple.v1+json" => simple::json::parse(&text, &base),
        "application/vnd.pypi.simple.v1+html" | "text/html" | "application/xhtml+xml" => {
            simple::html::parse(&text, &base)
        }
        other => Err(format!(
            "the answer is `{}`, not a PEP 691 JSON or PEP 503 HTML page",
            if other.is_empty() {
                "without a Content-Type"
            } else {
                other
            }
        )),
    };
    let mut files = parsed.map_err(|e| FetchError::new(url, Failure::Invalid(e)))?;
    if let Some(f) = files
        .iter()
        .find(|f| !(f.url.starts_with("https://") || f.url.starts_with("http://")))
    {
        let link =
            Url::parse(&f.url).map_or_else(|_| f.url.clone(), |u| auth::strip(&u).to_string());
        return Err(FetchError::new(
            url,
            Failure::Invalid(format!(
                "the page links {} as {link}; a page served over {} may link only http and https files (a remote index must not point at local files)",
                f.filename,
                url.scheme()
            )),
        ));
    }
    for f in &mut files {
        // Only a URL with user info (`scheme://user:pass@host/…`) has anything to strip.
        let authority = f.url.split_once("://").map_or("", |(_, rest)| {
            rest.split(['/', '?', '#']).next().unwrap_or("")
        });
        if authority.contains('@')
            && let Ok(u) = Url::parse(&f.url)
        {
            f.url = auth::strip(&u).to_string();
        }
    }
    Ok(Some(files))
}

#[cfg(test)]
mod tests;
