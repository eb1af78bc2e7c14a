//! What went wrong with one request of the HTTP client, after its retries ([`Failure`],
//! [`FetchError`]), whether another attempt may help, and how a reqwest error reads as one.

use reqwest::StatusCode;
use std::fmt;
use std::time::Duration;
use url::Url;

/// What went wrong with one request, after its retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server answered with this status.
    Status(u16),
    /// No answer in time.
    Timeout,
    /// The connection could not be made.
    Connect(String),
    /// The connection broke while the request or its answer was under way.
    Interrupted(String),
    /// The body ended before its `Content-Length`.
    Truncated { expected: u64, got: u64 },
    /// `--offline`, and the cache does not have it.
    NotCached,
    /// The body is not what the index said it is (size or hash).
    Mismatch(String),
    /// The body cannot be used (not a zip, a bad range answer, …).
    Invalid(String),
    /// Redirects did not end (a loop, or more than ten in a row); never retried.
    Redirects(String),
    /// The attempt went on past [`Settings::deadline`] (an answer trickling in); never
    /// retried.
    Deadline(Duration),
    /// The answer is larger than the limit for what was asked; never retried.
    TooLarge {
        /// What was asked for (`an index page`).
        what: &'static str,
        limit: u64,
        /// The variable that raises the limit, when one does.
        variable: Option<&'static str>,
        /// The `Content-Length` announced, when the answer was refused on it.
        declared: Option<u64>,
    },
}

impl Failure {
    /// Whether another attempt may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            Failure::Status(code) => *code >= 500 || *code == 429 || *code == 408,
            Failure::Timeout
            | Failure::Connect(_)
            | Failure::Interrupted(_)
            | Failure::Truncated { .. } => true,
            Failure::NotCached
            | Failure::Mismatch(_)
            | Failure::Invalid(_)
            | Failure::Redirects(_)
            | Failure::Deadline(_)
            | Failure::TooLarge { .. } => false,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Status(code) => {
                let reason = StatusCode::from_u16(*code)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("");
                write!(f, "the server answered {code} {reason}")
            }
            Failure::Timeout => f.write_str("timed out"),
            Failure::Connect(e) => write!(f, "cannot connect: {e}"),
            Failure::Interrupted(e) => write!(f, "the connection broke: {e}"),
            Failure::Truncated { expected, got } => write!(
                f,
                "the body ended after {got} of its {expected} bytes (Content-Length)"
            ),
            Failure::NotCached => {
                f.write_str("not in the cache, and --offline forbids fetching it")
            }
            Failure::Mismatch(e) | Failure::Invalid(e) => f.write_str(e),
            Failure::Redirects(e) => write!(f, "too many redirects (a redirect loop?): {e}"),
            Failure::Deadline(d) => write!(
                f,
                "the answer did not arrive whole within {} s (UNILOCK_HTTP_DEADLINE raises the limit)",
                d.as_secs_f64()
            ),
            Failure::TooLarge {
                what,
                limit,
                variable,
                declared,
            } => {
                let limit = crate::archive::size_text(*limit);
                match declared {
                    Some(n) => write!(
                        f,
                        "the answer announces {n} bytes, over the limit of {limit} for {what}"
                    )?,
                    None => write!(f, "the answer goes on past the limit of {limit} for {what}")?,
                }
                match variable {
                    Some(v) => write!(f, "; if the index is right, raise {v}"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// A failed request: the URL (never with credentials), what failed, and after how many attempts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchError {
    pub url: String,
    pub failure: Failure,
    pub attempts: u32,
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.url, self.failure)?;
        if self.attempts > 1 {
            write!(f, " ({} attempts)", self.attempts)?;
        }
        Ok(())
    }
}

impl FetchError {
    pub fn new(url: &Url, failure: Failure) -> Self {
        FetchError {
            url: url.to_string(),
            failure,
            attempts: 1,
        }
    }
}

/// A reqwest error as a failure, with its causes but without the URL (reported separately).
pub(super) fn failure_of(e: &reqwest::Error) -> Failure {
    let mut why = String::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        // hyper-util's wrapper says nothing its causes do not.
        if !why.contains(&text) && !text.starts_with("client error (") {
            if !why.is_empty() {
                why.push_str(": ");
            }
            why.push_str(&text);
        }
        source = s.source();
    }
    if why.is_empty() {
        why = e.to_string();
    }
    if e.is_redirect() {
        Failure::Redirects(why)
    } else if e.is_timeout() || why.contains("timed out") {
        Failure::Timeout
    } else if e.is_connect() {
        Failure::Connect(why)
    } else {
        Failure::Interrupted(why)
    }
}
