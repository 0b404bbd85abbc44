//! When each source is due: a cron expression (per source, per tag, or the
//! default) read in the configured time zone, spaced out by an adaptive
//! interval in the style of Miniflux's entry-frequency scheduler (busy feeds
//! more often, quiet ones less, within `[schedule]` bounds), with the feed's
//! `<ttl>`, Cache-Control/Expires and Retry-After as floors and an error
//! backoff for failing sources.
//!
//! Pure: the time is passed in. The store keeps `next_check_at` and decides
//! what is due; `radar run` only dispatches.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use cron::Schedule;

use crate::config::ScheduleConfig;
use crate::sources::Source;

/// Parses a cron expression. Six or seven fields (with seconds, and
/// optionally years) as the `cron` crate reads them; the usual five-field
/// form (`*/30 * * * *`) is read with seconds = 0.
pub fn parse_cron(expr: &str) -> Result<Schedule, String> {
    // Day-of-week numbers mean different days in different cron dialects
    // (1 is Monday in classic cron, Sunday in this parser): require names.
    let parts: Vec<&str> = expr.split_whitespace().collect();
    let dow = match parts.len() {
        5 => parts.get(4),
        _ => parts.get(5),
    };
    if let Some(dow) = dow {
        let numeric = dow.split(',').any(|item| {
            let range = item.split('/').next().unwrap_or("");
            range.chars().any(|c| c.is_ascii_digit())
        });
        if numeric {
            return Err(format!(
                "{expr:?}: day of week field {dow:?}: use day names such as Mon-Fri or Sat,Sun \
                 (numbers mean different days in different cron dialects)"
            ));
        }
    }
    let fields = parts.len();
    let full = if fields == 5 {
        format!("0 {}", expr.trim())
    } else {
        expr.trim().to_string()
    };
    Schedule::from_str(&full).map_err(|e| {
        // The parser's message echoes the expression with a caret under
        // it; its last line says what is wrong.
        let e = e.to_string();
        let why = e
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty() && !l.chars().all(|c| c == '^'))
            .unwrap_or("invalid");
        format!(
            "{expr:?} is not a cron expression ({why}); use e.g. \"0 */30 * * * *\" or \"*/30 * * * *\""
        )
    })
}

/// Miniflux-style adaptive interval: a week divided by the number of new
/// entries in the last week, within `[min, max]`; `max` when nothing new.
pub fn adaptive_interval(weekly_new: u64, min: Duration, max: Duration) -> Duration {
    if weekly_new == 0 {
        return max;
    }
    let week = Duration::from_secs(7 * 24 * 3600);
    (week / weekly_new.min(u32::MAX as u64) as u32).clamp(min, max)
}

/// Error backoff: `min · 2^(errors-1)`, at most `max`; zero without errors.
pub fn error_backoff(errors: u32, min: Duration, max: Duration) -> Duration {
    if errors == 0 {
        return Duration::ZERO;
    }
    min.saturating_mul(1u32 << (errors - 1).min(20)).min(max)
}

/// What the scheduler knows about a source after a poll.
#[derive(Debug, Clone, Default)]
pub struct PollFacts {
    /// New articles first seen in the last seven days (`None`: no history yet).
    pub weekly_new: Option<u64>,
    /// Consecutive failures.
    pub errors: u32,
    /// `<ttl>`, Cache-Control max-age or Expires: not worth asking sooner.
    pub cache_floor: Option<Duration>,
    /// Retry-After of the last response: the server asked us to wait.
    pub retry_after: Option<Duration>,
}

/// The schedules from `[schedule]`, compiled.
#[derive(Debug, Clone)]
pub struct Planner {
    tz: Tz,
    default: Schedule,
    tags: Vec<(String, Schedule)>,
    adaptive: bool,
    min: Duration,
    max: Duration,
}

impl Planner {
    /// Compiles `[schedule]` (already validated by the config).
    pub fn new(cfg: &ScheduleConfig) -> Result<Planner, String> {
        let tz: Tz = cfg
            .timezone
            .parse()
            .map_err(|_| format!("schedule.timezone: unknown time zone {:?}", cfg.timezone))?;
        let default = parse_cron(&cfg.default).map_err(|e| format!("schedule.default: {e}"))?;
        let mut tags = Vec::new();
        for (tag, expr) in &cfg.tags {
            tags.push((
                tag.clone(),
                parse_cron(expr).map_err(|e| format!("schedule.tags.{tag}: {e}"))?,
            ));
        }
        Ok(Planner {
            tz,
            default,
            tags,
            adaptive: cfg.adaptive,
            min: Duration::from_secs(cfg.min_interval_mins * 60),
            max: Duration::from_secs(cfg.max_interval_mins * 60),
        })
    }

    /// The cron schedule of a source: its own, else that of its first tag
    /// with one, else the default.
    pub fn schedule_for(&self, source: &Source) -> Schedule {
        if let Some(expr) = &source.schedule {
            if let Ok(s) = parse_cron(expr) {
                return s;
            }
        }
        for tag in &source.tags {
            if let Some((_, s)) = self.tags.iter().find(|(t, _)| t == tag) {
                return s.clone();
            }
        }
        self.default.clone()
    }

    /// The first tick of `job` at or after `t`, in the job's time zone.
    pub fn next_job_tick(&self, job: &Job, t: DateTime<Utc>) -> DateTime<Utc> {
        self.tick_in(&job.schedule, job.tz.unwrap_or(self.tz), t)
    }

    /// When `job` should first run after a start at `now`: right away when
    /// a tick was missed since it last ran, else at its next tick.
    pub fn first_job_run(&self, job: &Job, now: DateTime<Utc>) -> DateTime<Utc> {
        if let Some(last) = job.last_run {
            let missed = self.next_job_tick(job, last + chrono::Duration::seconds(1));
            if missed <= now {
                return now;
            }
        }
        self.next_job_tick(job, now)
    }

    /// The first tick of `schedule` at or after `t`.
    pub fn next_tick(&self, schedule: &Schedule, t: DateTime<Utc>) -> DateTime<Utc> {
        self.tick_in(schedule, self.tz, t)
    }

    fn tick_in(&self, schedule: &Schedule, tz: Tz, t: DateTime<Utc>) -> DateTime<Utc> {
        let from = (t - chrono::Duration::seconds(1)).with_timezone(&tz);
        schedule
            .after(&from)
            .next()
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or(t + chrono::Duration::from_std(self.max).unwrap_or_default())
    }

    /// When to poll a source next, having just polled it at `now`: the
    /// first cron tick after the spacing (adaptive interval, error backoff)
    /// and the floors have passed. Retry-After is honoured even beyond the
    /// maximum interval (it is capped by `fetch.max_retry_after_secs`).
    pub fn next_check(
        &self,
        schedule: &Schedule,
        now: DateTime<Utc>,
        facts: &PollFacts,
    ) -> DateTime<Utc> {
        let mut spacing = self.min;
        if self.adaptive {
            if let Some(w) = facts.weekly_new {
                spacing = adaptive_interval(w, self.min, self.max);
            }
        }
        spacing = spacing.max(error_backoff(facts.errors, self.min, self.max));
        if let Some(c) = facts.cache_floor {
            spacing = spacing.max(c.min(self.max));
        }
        let mut earliest = now + chrono::Duration::from_std(spacing).unwrap_or_default();
        if let Some(r) = facts.retry_after {
            earliest = earliest.max(now + chrono::Duration::from_std(r).unwrap_or_default());
        }
        self.next_tick(schedule, earliest)
    }

    /// The shortest interval between polls.
    pub fn min_interval(&self) -> Duration {
        self.min
    }

    /// The longest interval between polls.
    pub fn max_interval(&self) -> Duration {
        self.max
    }
}

/// A periodic job run by `radar run` between fetch cycles (e.g. the daily
/// digest): a name, a cron schedule and the work.
pub struct Job {
    /// Shown in logs.
    pub name: String,
    /// When it runs (in the configured time zone).
    pub schedule: Schedule,
    /// Time zone of `schedule`; `None`: `schedule.timezone`.
    pub tz: Option<Tz>,
    /// When the job last ran, if it keeps track: a tick missed since then
    /// (radar was not running) makes it run right at start.
    pub last_run: Option<DateTime<Utc>>,
    /// The work. Errors are logged; the job runs again at its next tick.
    pub run: Box<dyn FnMut() -> anyhow::Result<()> + Send>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_and_six_field_forms() {
        assert!(parse_cron("*/30 * * * *").is_ok());
        assert!(parse_cron("0 */30 * * * *").is_ok());
        assert!(parse_cron("0 7 * * Mon-Fri").is_ok());
        assert!(parse_cron("0 0 7 * * Sat,Sun").is_ok());
        assert!(
            parse_cron("0 7 * * */2").is_ok(),
            "a step is not a day number"
        );
        for numeric in ["0 7 * * 1-5", "0 0 7 * * 1", "0 7 * * Mon,3"] {
            let err = parse_cron(numeric).unwrap_err();
            assert!(err.contains("day names"), "{numeric}: {err}");
        }
        assert!(parse_cron("every half hour").is_err());
        assert!(parse_cron("0 61 * * * *").is_err());
    }

    #[test]
    fn adaptive_interval_stays_in_bounds() {
        let min = Duration::from_secs(15 * 60);
        let max = Duration::from_secs(24 * 3600);
        assert_eq!(adaptive_interval(0, min, max), max);
        assert_eq!(adaptive_interval(1, min, max), max);
        assert_eq!(adaptive_interval(7, min, max), max);
        assert_eq!(
            adaptive_interval(14, min, max),
            Duration::from_secs(12 * 3600)
        );
        assert_eq!(adaptive_interval(10_000, min, max), min);
    }
}
