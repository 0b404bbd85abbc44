//! Politeness and retries: which failures are worth another try, how long
//! to wait (exponential backoff with jitter, `Retry-After`), and per-host
//! limits (concurrent requests, minimum delay between requests, hold-backs
//! after 429/503).
//!
//! Time comes from `tokio::time`, so tests can run on a paused clock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::{ErrorKind, FetchFailure};

/// Parses a `Retry-After` value: delay-seconds or an HTTP-date. Malformed
/// values give `None` (ignored); dates in the past give zero; everything
/// is capped at `cap`.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>, cap: Duration) -> Option<Duration> {
    let v = value.trim();
    let d = if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        // Absurdly long digit strings saturate, then hit the cap.
        Duration::from_secs(v.parse::<u64>().unwrap_or(u64::MAX))
    } else {
        let when = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
        (when - now).to_std().unwrap_or(Duration::ZERO)
    };
    Some(d.min(cap))
}

/// Whether a failure is transient (worth a retry): connection errors,
/// timeouts, 5xx and 429. Everything else (4xx, TLS, parse, too large,
/// blocked) will fail again the same way.
pub fn is_transient(f: &FetchFailure) -> bool {
    match f.kind {
        ErrorKind::Timeout | ErrorKind::Connect => true,
        ErrorKind::HttpStatus => f.http_status.is_some_and(|s| s == 429 || s >= 500),
        _ => false,
    }
}

/// Whether the response asks to hold back the whole host.
pub fn holds_host(f: &FetchFailure) -> bool {
    matches!(f.http_status, Some(429) | Some(503))
}

/// Exponential backoff with full jitter: a random delay in
/// `[base·2^attempt / 2, base·2^attempt]`, at most `cap`.
pub fn backoff(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(20)).min(cap);
    let half = exp / 2;
    let jitter = fastrand::u64(0..=half.as_millis() as u64);
    half + Duration::from_millis(jitter)
}

/// Per-host limits shared by all workers.
#[derive(Clone)]
pub struct HostLimiter {
    inner: Arc<Mutex<HashMap<String, Arc<HostSlot>>>>,
    concurrency: usize,
    delay: Duration,
}

struct HostSlot {
    sem: Arc<Semaphore>,
    /// No request to this host starts before this instant.
    next: Mutex<Instant>,
}

/// Held while a request to a host is in flight.
pub struct HostPermit {
    _permit: OwnedSemaphorePermit,
}

impl HostLimiter {
    /// At most `concurrency` requests at a time per host, and at least
    /// `delay` between the starts of two requests to one host.
    pub fn new(concurrency: usize, delay: Duration) -> HostLimiter {
        HostLimiter {
            inner: Arc::default(),
            concurrency: concurrency.max(1),
            delay,
        }
    }

    fn slot(&self, host: &str) -> Arc<HostSlot> {
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(host.to_string())
            .or_insert_with(|| {
                Arc::new(HostSlot {
                    sem: Arc::new(Semaphore::new(self.concurrency)),
                    next: Mutex::new(Instant::now()),
                })
            })
            .clone()
    }

    /// Waits until a request to `host` may start, and reserves the slot.
    pub async fn acquire(&self, host: &str) -> HostPermit {
        match self.acquire_within(host, Duration::MAX).await {
            Ok(p) => p,
            Err(_) => unreachable!("an unbounded wait never gives up"),
        }
    }

    /// Like [`HostLimiter::acquire`], but gives up (with the remaining
    /// wait) when the host is held back for longer than `max_wait`, e.g.
    /// by a Retry-After that arrived while this request was queued.
    pub async fn acquire_within(
        &self,
        host: &str,
        max_wait: Duration,
    ) -> Result<HostPermit, Duration> {
        let permit = self.slot_permit(host).await;
        self.turn(host, max_wait).await?;
        Ok(permit)
    }

    /// Reserves one of the host's concurrent slots (no delay yet).
    pub async fn slot_permit(&self, host: &str) -> HostPermit {
        let permit = self
            .slot(host)
            .sem
            .clone()
            .acquire_owned()
            .await
            .expect("host semaphore is never closed");
        HostPermit { _permit: permit }
    }

    /// Waits for this host's turn: the minimum delay since the last start
    /// and any hold-back; call it right before sending. Gives up with the
    /// remaining wait when that exceeds `max_wait`.
    pub async fn turn(&self, host: &str, max_wait: Duration) -> Result<(), Duration> {
        let slot = self.slot(host);
        loop {
            let wait = {
                let mut next = slot.next.lock().unwrap_or_else(|e| e.into_inner());
                let now = Instant::now();
                if *next <= now {
                    *next = now + self.delay;
                    None
                } else {
                    Some(*next - now)
                }
            };
            match wait {
                None => return Ok(()),
                Some(w) if w > max_wait => return Err(w),
                Some(w) => tokio::time::sleep(w).await,
            }
        }
    }

    /// Holds back every request to `host` for `d` (429/503 Retry-After).
    pub fn hold(&self, host: &str, d: Duration) {
        let slot = self.slot(host);
        let mut next = slot.next.lock().unwrap_or_else(|e| e.into_inner());
        let until = Instant::now() + d;
        if until > *next {
            *next = until;
        }
    }

    /// How long until a request to `host` may start (zero when free).
    pub fn wait_for(&self, host: &str) -> Duration {
        let slot = self.slot(host);
        let next = *slot.next.lock().unwrap_or_else(|e| e.into_inner());
        next.saturating_duration_since(Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-28T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn retry_after_forms() {
        let cap = Duration::from_secs(86_400);
        assert_eq!(
            parse_retry_after("120", now(), cap),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sat, 28 Nov 2026 08:10:00 GMT", now(), cap),
            Some(Duration::from_secs(600))
        );
        assert_eq!(
            parse_retry_after("Sat, 28 Nov 2026 07:00:00 GMT", now(), cap),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now(), cap), None);
        assert_eq!(parse_retry_after("-5", now(), cap), None);
        assert_eq!(parse_retry_after("", now(), cap), None);
        assert_eq!(parse_retry_after("31536000", now(), cap), Some(cap));
        assert_eq!(
            parse_retry_after("99999999999999999999999", now(), cap),
            Some(cap)
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(2);
        for _ in 0..50 {
            let b0 = backoff(0, base, cap);
            assert!(b0 >= Duration::from_millis(50) && b0 <= base, "{b0:?}");
            let b3 = backoff(3, base, cap);
            assert!(
                b3 >= Duration::from_millis(400) && b3 <= Duration::from_millis(800),
                "{b3:?}"
            );
            assert!(backoff(30, base, cap) <= cap);
        }
    }

    #[test]
    fn transient_failures() {
        let f = |kind, http_status| FetchFailure {
            kind,
            message: String::new(),
            http_status,
            retry_after: None,
        };
        assert!(is_transient(&f(ErrorKind::Timeout, None)));
        assert!(is_transient(&f(ErrorKind::HttpStatus, Some(503))));
        assert!(is_transient(&f(ErrorKind::HttpStatus, Some(429))));
        assert!(!is_transient(&f(ErrorKind::HttpStatus, Some(404))));
        assert!(!is_transient(&f(ErrorKind::Tls, None)));
        assert!(!is_transient(&f(ErrorKind::Blocked, None)));
        assert!(!is_transient(&f(ErrorKind::ResponseTooLarge, Some(200))));
    }
}
