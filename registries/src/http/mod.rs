//! The HTTP client of the registries: GET requests with retries, credentials and the on-disk
//! cache, for index pages, metadata files, range reads and whole downloads.
//!
//! Every request runs on tokio through `reqwest` (rustls with ring, see [`tls`]). Redirects are
//! followed, ten at most; a loop is a permanent failure ([`Failure::Redirects`]). Transient
//! failures — timeouts, refused or reset connections, 5xx and 429 answers, bodies cut short of
//! their `Content-Length` — are retried with exponential backoff ([`Settings::retries`]
//! further attempts); what still fails is a [`FetchError`] naming the URL and what went wrong.
//! Each attempt has a deadline ([`Settings::deadline`]) besides the timeout of each read, so
//! an answer trickled a byte at a time ends the request ([`Failure::Deadline`], not retried).
//! Every answer is held to a size limit ([`Settings::max_page_bytes`],
//! [`crate::archive::MAX_METADATA`], [`Settings::max_download_bytes`]): refused on its
//! `Content-Length` before it is read, else counted as it arrives ([`Failure::TooLarge`], never
//! retried); whole downloads go to an unnamed temporary file that is mapped, not to memory.
//! Credentials ([`auth`]) are attached per request, only to their own host, so URLs handed to
//! reqwest, written to caches or shown in messages never carry them. Responses of
//! [`HttpClient::get_cached`] go through the [`Cache`] with HTTP semantics (freshness,
//! `ETag`/`Last-Modified` revalidation); downloads checked against the index's hash are not
//! cached here (what is derived from them is, see [`crate::cache`]).

pub mod auth;
mod failure;
mod tls;

use failure::failure_of;
pub use failure::{Failure, FetchError};

use crate::cache::{Cache, HttpEntry};
use auth::Credentials;
use backon::{ExponentialBuilder, Retryable};
use bytes::Bytes;
use http_cache_semantics::{AfterResponse, BeforeRequest, CacheOptions, CachePolicy};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap, HeaderValue};
use sha2::Digest;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};
use tokio::sync::Semaphore;
use url::Url;

/// How the client behaves: retries, timeouts, parallelism, offline.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Further attempts after a transient failure (so `retries + 1` attempts in all).
    pub retries: u32,
    /// The first wait before a retry; it doubles each time (with jitter), up to 10 s.
    pub backoff: Duration,
    /// Connecting, and waiting for each read of a response, may take this long.
    pub timeout: Duration,
    /// One attempt — connecting, the answer's headers and its whole body — may take this long
    /// in all, however steadily the bytes arrive ([`DEADLINE`]).
    pub deadline: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Answer from the cache alone; anything not cached is an error naming it.
    pub offline: bool,
    /// The largest index page (or find-links page) read, in bytes.
    pub max_page_bytes: u64,
    /// The largest file downloaded whole (a wheel or sdist read for its metadata or recorded),
    /// in bytes. Downloads go to a temporary file, not to memory.
    pub max_download_bytes: u64,
}

/// The default [`Settings::deadline`]: 5 minutes. Pages, metadata files and ranges take
/// seconds on any usable connection; the longest requests are the rare whole downloads (a
/// 1 GiB sdist at 4 MB/s takes about 4 minutes). A server that trickles its answer cannot keep
/// a run alive longer than this per request.
pub const DEADLINE: Duration = Duration::from_secs(300);

/// The default [`Settings::max_page_bytes`]: 256 MiB (the largest pages of the default index
/// are some tens of MiB).
pub const MAX_PAGE_BYTES: u64 = 256 << 20;
/// The default [`Settings::max_download_bytes`]: 4 GiB (the largest wheels are a few GiB).
pub const MAX_DOWNLOAD_BYTES: u64 = 4 << 30;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            retries: 3,
            backoff: Duration::from_millis(250),
            timeout: Duration::from_secs(30),
            deadline: DEADLINE,
            concurrency: 32,
            offline: false,
            max_page_bytes: MAX_PAGE_BYTES,
            max_download_bytes: MAX_DOWNLOAD_BYTES,
        }
    }
}

/// A response body with what the caller needs to interpret it.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// The URL that answered, after redirects (relative links resolve against it).
    pub url: Url,
    pub content_type: Option<String>,
    pub body: Bytes,
    /// The id the cache holds this body under, when it does ([`crate::cache::HttpEntry::id`]).
    pub stored: Option<String>,
}

/// What [`HttpClient::get_derived`] found.
pub enum Derived {
    /// What was derived from the stored response.
    Stored(unilock_model::index::PackedBytes),
    /// The response, to derive from.
    Fetched(Response),
}

fn cache_key(url: &Url, accept: &str) -> String {
    format!("{url}\n{accept}")
}

fn get_request(url: &Url, accept: &str) -> Result<http::Request<()>, FetchError> {
    http::Request::get(url.as_str())
        .header(header::ACCEPT, accept)
        .body(())
        .map_err(|e| FetchError::new(url, Failure::Invalid(format!("bad request: {e}"))))
}

/// What a request fetches, which decides how large its answer may be and where it is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    /// An index or find-links page: [`Settings::max_page_bytes`], in memory.
    Page,
    /// A core metadata file: [`crate::archive::MAX_METADATA`], in memory.
    Metadata,
    /// A whole file: [`Settings::max_download_bytes`], in a temporary file.
    Download,
    /// A range of this many bytes; a server that sends the whole file instead is held to
    /// [`Body::Download`].
    Range(u64),
    /// A cached file held to its own limit ([`HttpClient::get_cached_within`]), in a temporary
    /// file.
    Bounded(Bound),
}

/// The size limit of a cached answer that is not an index page
/// ([`HttpClient::get_cached_within`]): a conda channel's repodata, say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    /// The largest answer read, in bytes.
    pub bytes: u64,
    /// What is asked for, for the message (`a repodata file`).
    pub what: &'static str,
    /// The variable that raises the limit.
    pub variable: Option<&'static str>,
}

/// How large an answer may be and whether it goes to a temporary file.
struct Limit {
    bytes: u64,
    to_file: bool,
    what: &'static str,
    variable: Option<&'static str>,
}

impl Limit {
    fn too_large(&self, declared: Option<u64>) -> Failure {
        Failure::TooLarge {
            what: self.what,
            limit: self.bytes,
            variable: self.variable,
            declared,
        }
    }
}

impl Body {
    fn limit(self, status: StatusCode, settings: &Settings) -> Limit {
        let download = Limit {
            bytes: settings.max_download_bytes,
            to_file: true,
            what: "a downloaded file",
            variable: Some("UNILOCK_MAX_DOWNLOAD_BYTES"),
        };
        match self {
            Body::Page => Limit {
                bytes: settings.max_page_bytes,
                to_file: false,
                what: "an index page",
                variable: Some("UNILOCK_MAX_PAGE_BYTES"),
            },
            Body::Metadata => Limit {
                bytes: crate::archive::MAX_METADATA,
                to_file: false,
                what: "a core metadata file",
                variable: None,
            },
            Body::Download => download,
            Body::Range(len) if status == StatusCode::PARTIAL_CONTENT => Limit {
                bytes: len,
                to_file: false,
                what: "the range asked for",
                variable: None,
            },
            Body::Range(_) => download,
            Body::Bounded(bound) => Limit {
                bytes: bound.bytes,
                to_file: true,
                what: bound.what,
                variable: bound.variable,
            },
        }
    }
}

/// The answer to a range request.
#[derive(Debug, Clone)]
pub enum Ranged {
    /// The bytes from `start`, of a file of `total` bytes.
    Part { start: u64, total: u64, body: Bytes },
    /// The server ignored the range and sent the whole file.
    Whole(Bytes),
}

/// What an index says a file is: its size and sha256, when it says.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    pub size: Option<u64>,
    pub sha256: Option<String>,
}

impl Expected {
    /// Checks a whole body against the index's word.
    pub fn check(&self, url: &Url, body: &[u8]) -> Result<(), FetchError> {
        if let Some(size) = self.size
            && size != body.len() as u64
        {
            return Err(FetchError::new(
                url,
                Failure::Mismatch(format!("{} bytes, but the index says {size}", body.len())),
            ));
        }
        if let Some(expected) = &self.sha256 {
            let actual = hex(&sha2::Sha256::digest(body));
            if !actual.eq_ignore_ascii_case(expected) {
                return Err(FetchError::new(
                    url,
                    Failure::Mismatch(format!("sha256 is {actual}, but the index says {expected}")),
                ));
            }
        }
        Ok(())
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Told about each request, for progress display.
pub trait Observer: Send + Sync {
    fn started(&self, url: &Url);
    fn finished(&self, url: &Url);
    /// A transient failure; the request is tried again after `delay`.
    fn retrying(&self, url: &Url, failure: &Failure, delay: Duration) {
        let _ = (url, failure, delay);
    }
}

/// The shared HTTP client.
pub struct HttpClient {
    client: reqwest::Client,
    credentials: Credentials,
    cache: Option<Cache>,
    settings: Settings,
    permits: Semaphore,
    observer: Option<Arc<dyn Observer>>,
    /// Every host a request went to.
    contacted: std::sync::Mutex<std::collections::BTreeSet<String>>,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("credentials", &self.credentials)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// One attempt's raw answer.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    url: Url,
    body: Bytes,
}

impl HttpClient {
    /// A client; `cache` is where responses are kept (`None`: nothing is kept, and `--offline`
    /// finds nothing).
    pub fn new(
        settings: Settings,
        credentials: Credentials,
        cache: Option<Cache>,
    ) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("unilock/", env!("CARGO_PKG_VERSION")))
            .tls_backend_preconfigured(tls::config()?)
            .connect_timeout(settings.timeout)
            .read_timeout(settings.timeout)
            .pool_max_idle_per_host(settings.concurrency)
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
        Ok(HttpClient {
            client,
            credentials,
            cache,
            permits: Semaphore::new(settings.concurrency.max(1)),
            settings,
            observer: None,
            contacted: Default::default(),
        })
    }

    pub fn with_observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn cache(&self) -> Option<&Cache> {
        self.cache.as_ref()
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The hosts requests went to so far (redirect targets included).
    pub fn contacted_hosts(&self) -> Vec<String> {
        let hosts = self.contacted.lock().unwrap_or_else(|p| p.into_inner());
        hosts.iter().cloned().collect()
    }

    fn contact(&self, url: &Url) {
        if let Some(host) = url.host_str() {
            let mut hosts = self.contacted.lock().unwrap_or_else(|p| p.into_inner());
            if !hosts.contains(host) {
                hosts.insert(host.to_string());
            }
        }
    }

    /// A GET through the cache. 404 and 410 come back as responses (an index without the
    /// project); other errors, after retries, as [`FetchError`]s.
    pub async fn get_cached(&self, url: &Url, accept: &str) -> Result<Response, FetchError> {
        self.get_cached_as(url, accept, Body::Page).await
    }

    /// As [`Self::get_cached`], for an answer held to `bound` instead of
    /// [`Settings::max_page_bytes`] (kept in a temporary file while it arrives, not in memory).
    pub async fn get_cached_within(
        &self,
        url: &Url,
        accept: &str,
        bound: Bound,
    ) -> Result<Response, FetchError> {
        self.get_cached_as(url, accept, Body::Bounded(bound)).await
    }

    async fn get_cached_as(
        &self,
        url: &Url,
        accept: &str,
        body: Body,
    ) -> Result<Response, FetchError> {
        let key = cache_key(url, accept);
        let request = get_request(url, accept)?;
        let (mut stored, damaged) = match self.cache.as_ref().map(|c| c.lookup_http(&key)) {
            Some(Ok(found)) => (found, None),
            Some(Err(damaged)) => (None, Some(damaged)),
            None => (None, None),
        };
        if let Some(entry) = &mut stored
            && entry.id.is_empty()
        {
            // An entry stored before bodies had ids gets one, so what is derived from it can
            // be kept.
            entry.id = crate::cache::new_id();
            if !self.store(&key, entry) {
                entry.id.clear();
            }
        }
        if let Some(entry) = &stored {
            if self.settings.offline {
                return Ok(entry.response());
            }
            match entry.policy.before_request(&request, SystemTime::now()) {
                BeforeRequest::Fresh(_) => return Ok(entry.response()),
                BeforeRequest::Stale { request: parts, .. } => {
                    let answer = self.fetch(url, parts.headers.clone(), body).await?;
                    if answer.status == StatusCode::NOT_MODIFIED {
                        let response = response_of(&answer);
                        if let AfterResponse::NotModified(policy, _) =
                            entry
                                .policy
                                .after_response(&request, &response, SystemTime::now())
                        {
                            // The body is the same, so it keeps its id.
                            let entry = HttpEntry {
                                policy,
                                ..entry.clone()
                            };
                            self.store(&key, &entry);
                            return Ok(entry.response());
                        }
                        // A 304 that does not match what is stored: fetch it whole.
                        let answer = self.fetch(url, request.headers().clone(), body).await?;
                        return Ok(self.keep(&key, &request, answer));
                    }
                    return Ok(self.keep(&key, &request, answer));
                }
            }
        }
        if self.settings.offline {
            let failure = damaged.map_or(Failure::NotCached, |d| d.offline_failure());
            return Err(FetchError::new(url, failure));
        }
        let answer = self.fetch(url, request.headers().clone(), body).await?;
        Ok(self.keep(&key, &request, answer))
    }

    /// Stores a fresh answer when its headers allow, and returns it.
    fn keep(&self, key: &str, request: &http::Request<()>, answer: Answer) -> Response {
        let response = response_of(&answer);
        let options = CacheOptions {
            shared: false,
            ..CacheOptions::default()
        };
        let policy = CachePolicy::new_options(request, &response, SystemTime::now(), options);
        let entry = HttpEntry {
            status: answer.status.as_u16(),
            url: answer.url.clone(),
            content_type: content_type(&answer.headers),
            policy,
            body: answer.body.clone(),
            id: crate::cache::new_id(),
        };
        let stored = (entry.policy.is_storable() && self.store(key, &entry)).then_some(entry.id);
        Response {
            status: answer.status.as_u16(),
            url: answer.url,
            content_type: entry.content_type,
            body: answer.body,
            stored,
        }
    }

    /// What was derived (`kind`) from the response to a GET of `url`, when that response is
    /// the stored one — used as it is (fresh, or `--offline`; then its body is not read) or
    /// revalidated (a 304) — and the cache holds what was derived from it; else the response,
    /// as [`Self::get_cached`] gives it, to derive from and [`Self::store_derived`].
    pub async fn get_derived(
        &self,
        url: &Url,
        accept: &str,
        kind: &str,
    ) -> Result<Derived, FetchError> {
        let key = cache_key(url, accept);
        if let Some(cache) = &self.cache
            && let Some((policy, id)) = cache.read_http_head(&key)
        {
            let as_is = self.settings.offline
                || matches!(
                    policy.before_request(&get_request(url, accept)?, SystemTime::now()),
                    BeforeRequest::Fresh(_)
                );
            if as_is && let Some(value) = cache.read_derived(kind, &key, &id) {
                return Ok(Derived::Stored(value));
            }
        }
        let response = self.get_cached(url, accept).await?;
        if let (Some(cache), Some(id)) = (&self.cache, &response.stored)
            && let Some(value) = cache.read_derived(kind, &key, id)
        {
            return Ok(Derived::Stored(value));
        }
        Ok(Derived::Fetched(response))
    }

    /// As [`Self::get_cached_within`], with what was derived (`kind`) from the answer when the
    /// cache holds it: for callers that need the body as well as what they derived from it.
    pub async fn get_cached_with_derived(
        &self,
        url: &Url,
        accept: &str,
        kind: &str,
        bound: Bound,
    ) -> Result<(Response, Option<unilock_model::index::PackedBytes>), FetchError> {
        let response = self.get_cached_within(url, accept, bound).await?;
        let derived = match (&self.cache, &response.stored) {
            (Some(cache), Some(id)) => cache.read_derived(kind, &cache_key(url, accept), id),
            _ => None,
        };
        Ok((response, derived))
    }

    /// Stores `value`, derived (`kind`) from `response`, the answer to a GET of `url`.
    pub fn store_derived(
        &self,
        url: &Url,
        accept: &str,
        response: &Response,
        kind: &str,
        value: &[u8],
    ) {
        if let (Some(cache), Some(id)) = (&self.cache, &response.stored) {
            // A cache that cannot be written only costs parsing the page again.
            let _ = cache.write_derived(kind, &cache_key(url, accept), id, value);
        }
    }

    /// A GET of `url` held to `bound`, not kept in the cache's `http-v1` entries: for
    /// content-addressed files (conda shards) that the caller keeps by their hash. 404 and 410
    /// come back as responses; offline, nothing is fetched ([`Failure::NotCached`]).
    pub async fn get_uncached(&self, url: &Url, bound: Bound) -> Result<Response, FetchError> {
        if self.settings.offline {
            return Err(FetchError::new(url, Failure::NotCached));
        }
        let answer = self
            .fetch(url, HeaderMap::new(), Body::Bounded(bound))
            .await?;
        Ok(Response {
            status: answer.status.as_u16(),
            content_type: content_type(&answer.headers),
            url: answer.url,
            body: answer.body,
            stored: None,
        })
    }

    /// Whether `entry` is now in the cache.
    fn store(&self, key: &str, entry: &HttpEntry) -> bool {
        // A cache that cannot be written only costs a later fetch.
        self.cache
            .as_ref()
            .is_some_and(|cache| cache.write_http(key, entry).is_ok())
    }

    /// A whole file, checked against what the index says before it is returned; never cached
    /// here. It is kept in a temporary file (mapped, not read into memory), and refused past
    /// [`Settings::max_download_bytes`].
    pub async fn download(&self, url: &Url, expected: &Expected) -> Result<Bytes, FetchError> {
        self.whole(url, expected, Body::Download).await
    }

    /// A core metadata file (PEP 658), checked like [`Self::download`] and refused past
    /// [`crate::archive::MAX_METADATA`].
    pub async fn download_metadata(
        &self,
        url: &Url,
        expected: &Expected,
    ) -> Result<Bytes, FetchError> {
        self.whole(url, expected, Body::Metadata).await
    }

    async fn whole(&self, url: &Url, expected: &Expected, body: Body) -> Result<Bytes, FetchError> {
        if self.settings.offline {
            return Err(FetchError::new(url, Failure::NotCached));
        }
        let answer = self.fetch(url, HeaderMap::new(), body).await?;
        if !answer.status.is_success() {
            return Err(FetchError::new(
                url,
                Failure::Status(answer.status.as_u16()),
            ));
        }
        expected.check(url, &answer.body)?;
        Ok(answer.body)
    }

    /// The bytes `start..start + len` of a file, or its last `len` bytes when `start` is
    /// `None` (a suffix range).
    pub async fn range(
        &self,
        url: &Url,
        start: Option<u64>,
        len: u64,
    ) -> Result<Ranged, FetchError> {
        if self.settings.offline {
            return Err(FetchError::new(url, Failure::NotCached));
        }
        let spec = match start {
            Some(s) => format!("bytes={s}-{}", s + len.max(1) - 1),
            None => format!("bytes=-{}", len.max(1)),
        };
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, value(&spec));
        // Ranges count the bytes of the file as stored, not of a re-encoded stream.
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("identity"),
        );
        let answer = self.fetch(url, headers, Body::Range(len.max(1))).await?;
        match answer.status {
            StatusCode::PARTIAL_CONTENT => {
                let bad = |why: &str| {
                    FetchError::new(
                        url,
                        Failure::Invalid(format!("bad answer to `Range: {spec}`: {why}")),
                    )
                };
                let range = answer
                    .headers
                    .get(header::CONTENT_RANGE)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| bad("no Content-Range"))?;
                let (first, last, total) = parse_content_range(range).ok_or_else(|| bad(range))?;
                if last + 1 - first != answer.body.len() as u64 || start.is_some_and(|s| s != first)
                {
                    return Err(bad(range));
                }
                Ok(Ranged::Part {
                    start: first,
                    total,
                    body: answer.body,
                })
            }
            s if s.is_success() => Ok(Ranged::Whole(answer.body)),
            s => Err(FetchError::new(url, Failure::Status(s.as_u16()))),
        }
    }

    /// One GET with retries. 2xx, 3xx-not-followed (304), 404 and 410 are answers; other
    /// statuses are failures.
    async fn fetch(&self, url: &Url, headers: HeaderMap, body: Body) -> Result<Answer, FetchError> {
        let attempts = AtomicU32::new(0);
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.settings.backoff)
            .with_max_delay(Duration::from_secs(10))
            .with_max_times(self.settings.retries as usize)
            .with_jitter();
        let attempt = || async {
            attempts.fetch_add(1, Ordering::Relaxed);
            self.attempt(url, headers.clone(), body).await
        };
        attempt
            .retry(backoff)
            .sleep(tokio::time::sleep)
            .when(Failure::is_transient)
            .notify(|failure, delay| {
                if let Some(o) = &self.observer {
                    o.retrying(url, failure, delay);
                }
            })
            .await
            .map_err(|failure| FetchError {
                url: url.to_string(),
                failure,
                attempts: attempts.load(Ordering::Relaxed),
            })
    }

    async fn attempt(&self, url: &Url, headers: HeaderMap, body: Body) -> Result<Answer, Failure> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| Failure::Interrupted(e.to_string()))?;
        if let Some(o) = &self.observer {
            o.started(url);
        }
        let result = tokio::time::timeout(self.settings.deadline, self.send(url, headers, body))
            .await
            .unwrap_or(Err(Failure::Deadline(self.settings.deadline)));
        if let Some(o) = &self.observer {
            o.finished(url);
        }
        result
    }

    async fn send(&self, url: &Url, headers: HeaderMap, body: Body) -> Result<Answer, Failure> {
        let mut request = self.client.get(url.clone()).headers(headers);
        if let Some(auth) = self.credentials.for_url(url) {
            request = request.basic_auth(&auth.username, auth.password.as_deref());
        }
        self.contact(url);
        let response = request.send().await.map_err(|e| failure_of(&e))?;
        self.contact(response.url());
        let status = response.status();
        if status.is_server_error()
            || matches!(status.as_u16(), 429 | 408)
            || (status.is_client_error() && !matches!(status.as_u16(), 404 | 410 | 416))
        {
            return Err(Failure::Status(status.as_u16()));
        }
        let headers = response.headers().clone();
        let final_url = response.url().clone();
        // Without a Content-Encoding, the body must be as long as Content-Length says.
        let declared = (!headers.contains_key(header::CONTENT_ENCODING))
            .then(|| response.content_length())
            .flatten();
        let limit = body.limit(status, &self.settings);
        if let Some(n) = response.content_length()
            && n > limit.bytes
        {
            return Err(limit.too_large(Some(n)));
        }
        let body = read_body(response, &limit).await.map_err(|f| match f {
            Failure::Interrupted(why) => match declared {
                Some(expected) => {
                    Failure::Interrupted(format!("{why} (the body was to have {expected} bytes)"))
                }
                None => Failure::Interrupted(why),
            },
            other => other,
        })?;
        if let Some(expected) = declared
            && expected != body.len() as u64
        {
            return Err(Failure::Truncated {
                expected,
                got: body.len() as u64,
            });
        }
        Ok(Answer {
            status,
            headers,
            url: final_url,
            body,
        })
    }
}

/// The body of `response`, counted as it arrives and refused as soon as it passes the limit;
/// in memory, or in an unnamed temporary file that is then mapped (large downloads).
async fn read_body(mut response: reqwest::Response, limit: &Limit) -> Result<Bytes, Failure> {
    use std::io::Write;
    let disk = |e: std::io::Error| {
        Failure::Invalid(format!("cannot keep the download in a temporary file: {e}"))
    };
    let mut file = match limit.to_file {
        true => Some(tempfile::tempfile().map_err(disk)?),
        false => None,
    };
    let mut memory = Vec::new();
    let mut total: u64 = 0;
    while let Some(chunk) = response.chunk().await.map_err(|e| failure_of(&e))? {
        total += chunk.len() as u64;
        if total > limit.bytes {
            return Err(limit.too_large(None));
        }
        match &mut file {
            Some(f) => f.write_all(&chunk).map_err(disk)?,
            None => memory.extend_from_slice(&chunk),
        }
    }
    match file {
        Some(f) if total > 0 => {
            // SAFETY: the file is this process's own unnamed temporary file: nothing else can
            // open it, so the mapping cannot change under the bytes that borrow it.
            let map = unsafe { memmap2::Mmap::map(&f) }.map_err(disk)?;
            Ok(Bytes::from_owner(map))
        }
        _ => Ok(Bytes::from(memory)),
    }
}

fn value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn content_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn response_of(answer: &Answer) -> http::Response<()> {
    let mut response = http::Response::new(());
    *response.status_mut() = answer.status;
    *response.headers_mut() = answer.headers.clone();
    response
}

/// `bytes FIRST-LAST/TOTAL`.
fn parse_content_range(value: &str) -> Option<(u64, u64, u64)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let (first, last) = range.split_once('-')?;
    let (first, last, total) = (
        first.trim().parse().ok()?,
        last.trim().parse().ok()?,
        total.trim().parse().ok()?,
    );
    (first <= last && last < total).then_some((first, last, total))
}

#[cfg(test)]
mod tests;
