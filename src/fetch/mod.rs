//! Polite fetching: a source location and its stored validators in, a
//! [`FetchOutcome`] out. Only this module speaks HTTP.
//!
//! Conditional GET with the validators exactly as the server sent them, a
//! body cap applied to the *decoded* stream (so a compression bomb stops at
//! the cap), a redirect limit, connect and total timeouts. Failures are
//! values, not errors: the caller records them on the source and goes on.

use std::time::Duration;

use reqwest::header::{
    CONTENT_TYPE, ETAG, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
};

use crate::config::FetchConfig;
use crate::sources::Location;
use crate::store::FetchState;

/// What kind of failure, as recorded on the source. The names are stable
/// (they are stored and shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The total deadline or connect timeout fired.
    Timeout,
    /// DNS or TCP connection failure.
    Connect,
    /// TLS handshake or certificate failure (never retried insecurely).
    Tls,
    /// More redirects than allowed, or a loop.
    TooManyRedirects,
    /// A non-success HTTP status.
    HttpStatus,
    /// The decoded body exceeded the cap.
    ResponseTooLarge,
    /// The body could not be decoded (bad gzip, truncated stream).
    Decode,
    /// A 200 with an empty body.
    EmptyResponse,
    /// The document is not a feed.
    NotAFeed,
    /// The feed could not be parsed.
    Parse,
    /// A local file could not be read.
    Io,
    /// Anything else.
    Other,
}

impl ErrorKind {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Timeout => "timeout",
            ErrorKind::Connect => "connect_error",
            ErrorKind::Tls => "tls_error",
            ErrorKind::TooManyRedirects => "too_many_redirects",
            ErrorKind::HttpStatus => "http_error",
            ErrorKind::ResponseTooLarge => "response_too_large",
            ErrorKind::Decode => "decode_error",
            ErrorKind::EmptyResponse => "empty_response",
            ErrorKind::NotAFeed => "not_a_feed",
            ErrorKind::Parse => "parse_error",
            ErrorKind::Io => "io_error",
            ErrorKind::Other => "error",
        }
    }
}

/// A failed fetch, with enough detail for the user to act on.
#[derive(Debug, Clone)]
pub struct FetchFailure {
    /// The kind.
    pub kind: ErrorKind,
    /// Human-readable detail.
    pub message: String,
    /// HTTP status when a response arrived.
    pub http_status: Option<u16>,
}

/// The result of fetching one source.
#[derive(Debug)]
pub enum FetchOutcome {
    /// New bytes.
    Fresh {
        /// The (decompressed) body.
        body: Vec<u8>,
        /// Content-Type header value.
        content_type: Option<String>,
        /// Validators to store for next time.
        etag: Option<String>,
        /// Validators to store for next time.
        last_modified: Option<String>,
        /// URL after redirects (base for relative links).
        final_url: Option<String>,
        /// HTTP status (200 for files).
        status: u16,
    },
    /// 304: nothing changed since the validators.
    NotModified {
        /// HTTP status.
        status: u16,
    },
    /// It failed.
    Failed(FetchFailure),
}

/// The HTTP client and its limits. Cheap to clone.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    max_body: u64,
}

fn fail(kind: ErrorKind, message: impl Into<String>, http_status: Option<u16>) -> FetchOutcome {
    FetchOutcome::Failed(FetchFailure {
        kind,
        message: message.into(),
        http_status,
    })
}

impl Fetcher {
    /// Builds the client from `[fetch]` settings.
    pub fn new(cfg: &FetchConfig) -> Result<Fetcher, String> {
        let client = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .connect_timeout(Duration::from_secs(cfg.connect_timeout_secs))
            .timeout(Duration::from_secs(cfg.timeout_secs))
            .redirect(reqwest::redirect::Policy::limited(cfg.max_redirects))
            .build()
            .map_err(|e| format!("cannot build HTTP client: {e}"))?;
        Ok(Fetcher {
            client,
            max_body: cfg.max_body_bytes,
        })
    }

    /// Fetches `loc`, conditionally when `state` has validators.
    pub async fn fetch(&self, loc: &Location, state: &FetchState) -> FetchOutcome {
        match loc {
            Location::File(p) => self.fetch_file(p).await,
            Location::Http(u) => self.fetch_http(u, state).await,
        }
    }

    async fn fetch_file(&self, path: &std::path::Path) -> FetchOutcome {
        let meta = match tokio::fs::metadata(path).await {
            Ok(m) => m,
            Err(e) => return fail(ErrorKind::Io, format!("{}: {e}", path.display()), None),
        };
        if meta.len() > self.max_body {
            return fail(
                ErrorKind::ResponseTooLarge,
                format!(
                    "{} is {} bytes, over the cap of {}",
                    path.display(),
                    meta.len(),
                    self.max_body
                ),
                None,
            );
        }
        match tokio::fs::read(path).await {
            Ok(body) => FetchOutcome::Fresh {
                body,
                content_type: None,
                etag: None,
                last_modified: None,
                final_url: None,
                status: 200,
            },
            Err(e) => fail(ErrorKind::Io, format!("{}: {e}", path.display()), None),
        }
    }

    async fn fetch_http(&self, url: &url::Url, state: &FetchState) -> FetchOutcome {
        let mut req = self.client.get(url.clone());
        if let Some(etag) = &state.etag {
            req = req.header(IF_NONE_MATCH, etag);
        }
        if let Some(lm) = &state.last_modified {
            req = req.header(IF_MODIFIED_SINCE, lm);
        }
        let mut resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return classify(&e),
        };
        let status = resp.status().as_u16();
        if status == 304 {
            return FetchOutcome::NotModified { status };
        }
        if !resp.status().is_success() {
            let reason = resp.status().canonical_reason().unwrap_or("");
            return fail(
                ErrorKind::HttpStatus,
                format!("HTTP {status} {reason}").trim().to_string(),
                Some(status),
            );
        }
        let headers = resp.headers().clone();
        let final_url = resp.url().to_string();
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() as u64 + chunk.len() as u64 > self.max_body {
                        return fail(
                            ErrorKind::ResponseTooLarge,
                            format!("body exceeds the cap of {} bytes", self.max_body),
                            Some(status),
                        );
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    let mut out = classify(&e);
                    if let FetchOutcome::Failed(f) = &mut out {
                        if f.kind == ErrorKind::Other {
                            f.kind = ErrorKind::Decode;
                        }
                        f.http_status = Some(status);
                    }
                    return out;
                }
            }
        }
        FetchOutcome::Fresh {
            body,
            content_type: header(&headers, CONTENT_TYPE),
            etag: header(&headers, ETAG),
            last_modified: header(&headers, LAST_MODIFIED),
            final_url: Some(final_url),
            status,
        }
    }
}

fn header(h: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Maps a reqwest error to a failure kind, looking through the source chain
/// for TLS problems.
fn classify(e: &reqwest::Error) -> FetchOutcome {
    let mut chain = String::new();
    let mut cur: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = cur {
        if !chain.is_empty() {
            chain.push_str(": ");
        }
        chain.push_str(&err.to_string());
        cur = err.source();
    }
    let lower = chain.to_lowercase();
    let kind = if e.is_timeout() {
        ErrorKind::Timeout
    } else if e.is_redirect() {
        ErrorKind::TooManyRedirects
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        ErrorKind::Tls
    } else if e.is_connect() {
        ErrorKind::Connect
    } else if e.is_decode() || e.is_body() {
        ErrorKind::Decode
    } else {
        ErrorKind::Other
    };
    fail(kind, chain, e.status().map(|s| s.as_u16()))
}
