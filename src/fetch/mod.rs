//! Polite fetching: a source location and its stored validators in, a
//! [`FetchOutcome`] out. Only this module speaks HTTP.
//!
//! Conditional GET with the validators exactly as the server sent them, a
//! body cap applied to the *decoded* stream (so a compression bomb stops at
//! the cap), redirects followed one hop at a time so every hop passes the
//! SSRF guard ([`ssrf`]), connect, per-read and total timeouts, retries of
//! transient failures with backoff and per-host politeness ([`retry`]).
//! Failures are values, not errors: the caller records them on the source
//! and goes on.

pub mod retry;
pub mod ssrf;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use reqwest::header::{
    CACHE_CONTROL, CONTENT_TYPE, ETAG, EXPIRES, HeaderMap, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LAST_MODIFIED, LOCATION, RETRY_AFTER,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use self::retry::HostLimiter;
use self::ssrf::{GuardedResolver, Policy, UrlError};
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
    /// The address is loopback, private, link-local or otherwise not public.
    Blocked,
    /// A bot challenge (e.g. Cloudflare's `cf-mitigated: challenge`).
    Challenge,
    /// Not asked: the host is held back (an earlier 429/503 Retry-After)
    /// for longer than a request may take. Not a failure of the source; it
    /// is due again once the hold expires (`retry_after`).
    Deferred,
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
            ErrorKind::Blocked => "blocked_non_public_address",
            ErrorKind::Challenge => "blocked_by_challenge",
            ErrorKind::Deferred => "deferred",
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
    /// How long the server asked us to wait (`Retry-After`, capped).
    pub retry_after: Option<std::time::Duration>,
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
        /// Cache-Control max-age or Expires: not worth asking again sooner.
        cache_floor: Option<Duration>,
        /// Where every redirect hop was permanent (301/308): the new URL.
        moved_to: Option<String>,
    },
    /// 304: nothing changed since the validators.
    NotModified {
        /// HTTP status.
        status: u16,
        /// Cache-Control max-age or Expires: not worth asking again sooner.
        cache_floor: Option<Duration>,
        /// Where every redirect hop was permanent (301/308): the new URL.
        moved_to: Option<String>,
    },
    /// It failed.
    Failed(FetchFailure),
}

/// What a fetch cycle imposes on each request: a global concurrency limit
/// and a stop signal (shutdown).
#[derive(Clone, Default)]
pub struct Gate {
    /// Requests in flight across all hosts.
    pub global: Option<Arc<Semaphore>>,
    /// Flips to `true` on shutdown: requests not yet started are dropped.
    pub stop: Option<watch::Receiver<bool>>,
}

impl Gate {
    /// A global slot (none needed without a limit); `None` on stop.
    pub async fn global_permit(&self) -> Option<Option<OwnedSemaphorePermit>> {
        let Some(sem) = &self.global else {
            return Some(None);
        };
        let mut stop = self.stop.clone();
        tokio::select! {
            p = sem.clone().acquire_owned() => p.ok().map(Some),
            _ = stopped(&mut stop) => None,
        }
    }
}

/// Resolves once `rx` says stop; never without a receiver.
pub async fn stopped(rx: &mut Option<watch::Receiver<bool>>) {
    match rx {
        Some(rx) => {
            if rx.wait_for(|v| *v).await.is_err() {
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending::<()>().await,
    }
}

/// The HTTP client and its limits. Cheap to clone; clones share the
/// per-host limits.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    max_body: u64,
    max_redirects: usize,
    total: Duration,
    retries: u32,
    retry_base: Duration,
    retry_cap: Duration,
    policy: Arc<Policy>,
    hosts: HostLimiter,
}

fn fail(kind: ErrorKind, message: impl Into<String>, http_status: Option<u16>) -> FetchOutcome {
    FetchOutcome::Failed(FetchFailure {
        kind,
        message: message.into(),
        http_status,
        retry_after: None,
    })
}

impl Fetcher {
    /// Builds the client from `[fetch]` settings.
    pub fn new(cfg: &FetchConfig) -> Result<Fetcher, String> {
        let policy = Arc::new(
            Policy::parse(&cfg.allow_networks).map_err(|e| format!("fetch.allow_networks: {e}"))?,
        );
        let client = reqwest::Client::builder()
            .user_agent(cfg.user_agent.clone())
            .connect_timeout(Duration::from_secs(cfg.connect_timeout_secs))
            .read_timeout(Duration::from_secs(cfg.read_timeout_secs))
            .timeout(Duration::from_secs(cfg.timeout_secs))
            // Redirects are followed by hand so every hop is checked.
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver::new(policy.clone())))
            .https_only(false)
            .build()
            .map_err(|e| format!("cannot build HTTP client: {e}"))?;
        Ok(Fetcher {
            client,
            max_body: cfg.max_body_bytes,
            max_redirects: cfg.max_redirects,
            total: Duration::from_secs(cfg.timeout_secs),
            retries: cfg.retries,
            retry_base: Duration::from_millis(cfg.retry_base_ms),
            retry_cap: Duration::from_secs(cfg.max_retry_after_secs),
            policy,
            hosts: HostLimiter::new(
                cfg.per_host_concurrency,
                Duration::from_millis(cfg.per_host_delay_ms),
            ),
        })
    }

    /// The SSRF policy in force (for checking tips and other user URLs).
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The per-host limits shared by this fetcher's clones.
    pub fn hosts(&self) -> &HostLimiter {
        &self.hosts
    }

    /// Fetches `loc`, conditionally when `state` has validators. Transient
    /// failures are retried with backoff; a 429/503 holds back the host.
    pub async fn fetch(&self, loc: &Location, state: &FetchState) -> FetchOutcome {
        self.fetch_gated(loc, state, &Gate::default())
            .await
            .unwrap_or_else(|| fail(ErrorKind::Other, "stopped", None))
    }

    /// [`Fetcher::fetch`] under a cycle's [`Gate`]: the host's slot is taken
    /// first and the global one only then, so requests waiting for a busy
    /// or held-back host never block other hosts. `None` when the gate's
    /// stop signal came before the request started.
    pub async fn fetch_gated(
        &self,
        loc: &Location,
        state: &FetchState,
        gate: &Gate,
    ) -> Option<FetchOutcome> {
        match loc {
            Location::File(p) => {
                let _g = gate.global_permit().await?;
                Some(self.fetch_file(p).await)
            }
            Location::Http(u) => self.fetch_http_retrying(u, state, gate).await,
            Location::Imap { url, .. } => Some(fail(
                ErrorKind::Other,
                format!("{url} is an IMAP folder, read by the mailbox intake, not fetched"),
                None,
            )),
        }
    }

    async fn fetch_http_retrying(
        &self,
        url: &url::Url,
        state: &FetchState,
        gate: &Gate,
    ) -> Option<FetchOutcome> {
        let host = url.host_str().unwrap_or("").to_string();
        let mut attempt = 0;
        loop {
            // A host held back for long is not waited for: the source is
            // deferred so the rest of the cycle finishes on time.
            let held = self.hosts.wait_for(&host);
            if held > self.total {
                return Some(deferred(held));
            }
            let mut stop = gate.stop.clone();
            // Order: a slot of this host, then a global slot, then the
            // host's turn (delay, hold-back) right before sending, so the
            // delay and holds apply to when requests really go out.
            let permit = tokio::select! {
                p = self.hosts.slot_permit(&host) => p,
                _ = stopped(&mut stop) => return None,
            };
            let global = gate.global_permit().await?;
            let turn = tokio::select! {
                t = self.hosts.turn(&host, self.total) => t,
                _ = stopped(&mut stop) => return None,
            };
            if let Err(retry_after) = turn {
                return Some(deferred(retry_after));
            }
            let out = match tokio::time::timeout(self.total, self.fetch_http(url, state)).await {
                Ok(o) => o,
                Err(_) => fail(
                    ErrorKind::Timeout,
                    format!(
                        "no complete response within the total deadline of {} s",
                        self.total.as_secs()
                    ),
                    None,
                ),
            };
            let pause = retry::backoff(attempt, self.retry_base, self.retry_cap);
            // Hold the host back before its slot is released, so no queued
            // request slips in between.
            if let FetchOutcome::Failed(f) = &out {
                if retry::holds_host(f) {
                    self.hosts.hold(&host, f.retry_after.unwrap_or(pause));
                }
            }
            drop(global);
            drop(permit);
            let FetchOutcome::Failed(f) = &out else {
                return Some(out);
            };
            if !retry::is_transient(f) || attempt >= self.retries {
                return Some(out);
            }
            // A long Retry-After is left to the scheduler, not slept here.
            if f.retry_after.is_some_and(|r| r > self.total) {
                return Some(out);
            }
            tracing::debug!(url = %url, attempt, kind = f.kind.as_str(), "retrying");
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = stopped(&mut stop) => return Some(out),
            }
            attempt += 1;
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
                cache_floor: None,
                moved_to: None,
            },
            Err(e) => fail(ErrorKind::Io, format!("{}: {e}", path.display()), None),
        }
    }

    /// Sends the request, following redirects one checked hop at a time.
    async fn send(
        &self,
        url: &url::Url,
        state: &FetchState,
    ) -> Result<(reqwest::Response, Option<String>), FetchOutcome> {
        let mut current = url.clone();
        let mut seen = HashSet::new();
        let mut hops = 0usize;
        let mut permanent = true;
        loop {
            if let Err(e) = ssrf::check_url(&current, &self.policy) {
                let kind = match e {
                    UrlError::Blocked(_) => ErrorKind::Blocked,
                    _ => ErrorKind::Other,
                };
                let at = if hops > 0 {
                    format!(" (redirect hop {hops} to {current})")
                } else {
                    String::new()
                };
                return Err(fail(kind, format!("{e}{at}"), None));
            }
            seen.insert(current.to_string());
            let mut req = self.client.get(current.clone());
            if let Some(etag) = &state.etag {
                req = req.header(IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &state.last_modified {
                req = req.header(IF_MODIFIED_SINCE, lm);
            }
            let resp = req.send().await.map_err(|e| classify(&e))?;
            let status = resp.status();
            let moved = (hops > 0 && permanent).then(|| current.to_string());
            if !status.is_redirection() || status.as_u16() == 304 {
                return Ok((resp, moved));
            }
            let Some(loc) = header(resp.headers(), LOCATION) else {
                return Ok((resp, moved));
            };
            permanent &= matches!(status.as_u16(), 301 | 308);
            let next = current.join(&loc).map_err(|e| {
                fail(
                    ErrorKind::HttpStatus,
                    format!("redirect to an invalid location {loc:?}: {e}"),
                    Some(status.as_u16()),
                )
            })?;
            hops += 1;
            if seen.contains(next.as_str()) {
                return Err(fail(
                    ErrorKind::TooManyRedirects,
                    format!("redirect loop: {current} → {next}"),
                    Some(status.as_u16()),
                ));
            }
            if hops > self.max_redirects {
                return Err(fail(
                    ErrorKind::TooManyRedirects,
                    format!("more than {} redirects (last: {next})", self.max_redirects),
                    Some(status.as_u16()),
                ));
            }
            current = next;
        }
    }

    async fn fetch_http(&self, url: &url::Url, state: &FetchState) -> FetchOutcome {
        let (mut resp, moved_to) = match self.send(url, state).await {
            Ok(r) => r,
            Err(o) => return o,
        };
        let status = resp.status().as_u16();
        let cache_floor = cache_floor(resp.headers(), self.retry_cap);
        if status == 304 {
            return FetchOutcome::NotModified {
                status,
                cache_floor,
                moved_to,
            };
        }
        if !resp.status().is_success() {
            let challenge = resp
                .headers()
                .get("cf-mitigated")
                .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"challenge"));
            if challenge {
                return fail(
                    ErrorKind::Challenge,
                    format!(
                        "HTTP {status}: the site answers with a bot challenge (cf-mitigated: challenge); \
                         ask the site for access or use another feed URL"
                    ),
                    Some(status),
                );
            }
            let reason = resp.status().canonical_reason().unwrap_or("");
            let retry_after = header(resp.headers(), RETRY_AFTER)
                .and_then(|v| retry::parse_retry_after(&v, Utc::now(), self.retry_cap));
            let mut message = format!("HTTP {status} {reason}").trim().to_string();
            if let Some(r) = retry_after {
                message.push_str(&format!(" (Retry-After: {} s)", r.as_secs()));
            }
            return FetchOutcome::Failed(FetchFailure {
                kind: ErrorKind::HttpStatus,
                message,
                http_status: Some(status),
                retry_after,
            });
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
                        if matches!(f.kind, ErrorKind::Other | ErrorKind::Connect) {
                            f.kind = ErrorKind::Decode;
                        }
                        f.http_status = Some(status);
                    }
                    return out;
                }
            }
        }
        // Still gzip after decoding: compressed twice, or compressed without
        // saying so. Not a feed either way.
        if body.starts_with(&[0x1f, 0x8b]) {
            return fail(
                ErrorKind::Decode,
                "the body is still gzip-compressed after decoding (compressed twice, or without a Content-Encoding header)",
                Some(status),
            );
        }
        FetchOutcome::Fresh {
            body,
            content_type: header(&headers, CONTENT_TYPE),
            etag: header(&headers, ETAG),
            last_modified: header(&headers, LAST_MODIFIED),
            final_url: Some(final_url),
            status,
            cache_floor,
            moved_to,
        }
    }
}

fn deferred(retry_after: Duration) -> FetchOutcome {
    FetchOutcome::Failed(FetchFailure {
        kind: ErrorKind::Deferred,
        message: format!(
            "not asked: the host asked to wait (Retry-After) another {} s",
            retry_after.as_secs()
        ),
        http_status: None,
        retry_after: Some(retry_after),
    })
}

/// `Cache-Control: max-age=N` (preferred) or `Expires`, capped.
fn cache_floor(h: &HeaderMap, cap: Duration) -> Option<Duration> {
    if let Some(cc) = header(h, CACHE_CONTROL) {
        for part in cc.split(',') {
            if let Some(v) = part.trim().strip_prefix("max-age=") {
                if let Ok(n) = v.trim_matches('"').parse::<u64>() {
                    return Some(Duration::from_secs(n).min(cap));
                }
            }
        }
    }
    let exp = header(h, EXPIRES)?;
    let when = chrono::DateTime::parse_from_rfc2822(exp.trim()).ok()?;
    let d = (when.with_timezone(&Utc) - Utc::now()).to_std().ok()?;
    Some(d.min(cap))
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
    let kind = if chain.contains(ssrf::BLOCKED_MARKER) {
        ErrorKind::Blocked
    } else if e.is_timeout() {
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
