//! A channel served over HTTP(S): one subdir's repodata through the client and cache of
//! [`crate::http`].
//!
//! `<channel>/<subdir>/repodata.json.zst` is asked for first, as rattler does; when the
//! server answers 404 or 410, `<channel>/<subdir>/repodata.json`; both missing is `None` (the
//! caller decides whether that is an error: a missing `noarch` is fine). Each answer goes
//! through the [`crate::cache::Cache`] with HTTP semantics — a fresh entry is used as it is,
//! a stale one revalidated (`ETag`, `Last-Modified`) — and is held to the repodata limit
//! (`UNILOCK_MAX_REPODATA_BYTES`) both as it arrives and once decompressed. With `--offline`
//! only the cache answers; a subdir whose files it does not hold is an error naming the URLs.
//! Transient failures are retried by the client; what still fails names the URL. A file the
//! server said it does not have (404, 410) is not asked for again for [`ABSENT_FOR`] (a day).
//!
//! The by-name index of a repodata ([`super::repodata`]) is kept in the cache beside the
//! answer it was made from ([`INDEX`], keyed by the stored body's id): a warm run that gets
//! the same body (fresh, revalidated or `--offline`) reads the index instead of scanning the
//! JSON again; a changed body is indexed again.

use super::channel::{self, Decoder, Fetched};
use super::repodata::Text;
use crate::http::{Bound, Failure, HttpClient, Response};
use unilock_model::index::PackedBytes;
use url::Url;

/// The `Accept` header of repodata requests.
pub(crate) const ACCEPT: &str = "*/*";

/// The cache's name for the by-name index of a repodata.
pub(crate) const INDEX: &str = "conda-index-v1";

/// The cache's name for "the server said it has no such file" (404, 410), with when.
const ABSENT: &str = "conda-absent-v1";

/// How long a channel file the server said it does not have (the `.zst` form, a shard index,
/// a subdir's repodata) is not asked for again: a day (rattler keeps "no .zst" for 14).
pub(crate) const ABSENT_FOR: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Whether the server said, less than [`ABSENT_FOR`] ago, that it has no file at `url`.
pub(crate) fn known_absent(client: &HttpClient, url: &Url) -> bool {
    let Some(kept) = client
        .cache()
        .and_then(|c| c.read_derived(ABSENT, url.as_str(), "absent"))
    else {
        return false;
    };
    let Some(then) = std::str::from_utf8((*kept).as_ref())
        .ok()
        .and_then(|t| t.trim().parse::<u64>().ok())
    else {
        return false;
    };
    now_secs().saturating_sub(then) < ABSENT_FOR.as_secs()
}

/// Remembers that the server has no file at `url` (a cache that cannot be written only costs
/// asking again).
pub(crate) fn note_absent(client: &HttpClient, url: &Url) {
    if let Some(cache) = client.cache() {
        let _ = cache.write_derived(
            ABSENT,
            url.as_str(),
            "absent",
            now_secs().to_string().as_bytes(),
        );
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Where a fetched repodata came from: the answer (to store its index with), and the index
/// the cache already holds for it.
pub(crate) struct Cached {
    pub url: Url,
    pub response: Response,
    pub index: Option<PackedBytes>,
}

/// The repodata of `subdir` of the channel at `channel` (its URL, ending in `/`); `None`
/// when the server has neither file. `max` bounds the body and the decompressed text.
pub(crate) async fn read_repodata(
    client: &HttpClient,
    channel: &Url,
    subdir: &str,
    max: u64,
) -> Result<Option<Fetched>, String> {
    let url = |file: &str| {
        channel
            .join(&format!("{subdir}/{file}"))
            .map_err(|err| format!("the subdir {subdir} has no URL under {channel}: {err}"))
    };
    let bound = Bound {
        bytes: max,
        what: "a repodata file",
        variable: Some("UNILOCK_MAX_REPODATA_BYTES"),
    };
    let zst = url("repodata.json.zst")?;
    let mut zst_uncached = false;
    let zst_answer = if known_absent(client, &zst) {
        None
    } else {
        Some(
            client
                .get_cached_with_derived(&zst, ACCEPT, INDEX, bound)
                .await,
        )
    };
    match zst_answer {
        None => {}
        Some(Ok((response, index))) if found(&zst, &response)? => {
            let source = std::io::Cursor::new(response.body.clone());
            let mut fetched = channel::decompress(zst.to_string(), source, Decoder::Zstd, max)?;
            fetched.cached = Some(Cached {
                url: zst,
                response,
                index,
            });
            return Ok(Some(fetched));
        }
        Some(Ok(_)) => note_absent(client, &zst),
        // Offline, the plain file may be what an earlier run fetched.
        Some(Err(err)) if err.failure == Failure::NotCached => zst_uncached = true,
        Some(Err(err)) => return Err(err.to_string()),
    }
    let plain = url("repodata.json")?;
    if known_absent(client, &plain) {
        return Ok(None);
    }
    match client
        .get_cached_with_derived(&plain, ACCEPT, INDEX, bound)
        .await
    {
        Ok((response, index)) if found(&plain, &response)? => Ok(Some(Fetched {
            text: Text::Shared(response.body.clone()),
            file: plain.to_string(),
            cached: Some(Cached {
                url: plain,
                response,
                index,
            }),
        })),
        Ok(_) => {
            note_absent(client, &plain);
            Ok(None)
        }
        Err(err) if err.failure == Failure::NotCached && zst_uncached => Err(format!(
            "neither {zst} nor {plain} is in the cache, and --offline forbids fetching them; \
             run once without --offline to fill the cache"
        )),
        Err(err) => Err(err.to_string()),
    }
}

/// Whether the answer is the file (2xx), or says there is none (404, 410); another status is
/// an error naming `url`.
pub(crate) fn found(url: &Url, response: &Response) -> Result<bool, String> {
    match response.status {
        200..=299 => Ok(true),
        404 | 410 => Ok(false),
        status => Err(format!("{url}: {}", Failure::Status(status))),
    }
}

#[cfg(test)]
mod tests;
