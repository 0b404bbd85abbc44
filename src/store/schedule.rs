//! Scheduling and health state of sources: `next_check_at` (so a restart
//! causes no re-poll storm), suspension, warnings, and the facts the
//! scheduler and the health checks need.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Context, Result, Store, parse_ts, ts};

/// Health facts of a source before a poll is recorded.
#[derive(Debug, Clone, Default)]
pub struct HealthState {
    /// Consecutive failures so far.
    pub error_count: u32,
    /// Whether the source is suspended.
    pub suspended: bool,
    /// Items in the feed at the last successful parse.
    pub last_item_count: Option<u64>,
    /// The site the feed said it belongs to at the last successful parse.
    pub feed_site: Option<String>,
    /// When the source last yielded a new article.
    pub last_new_at: Option<DateTime<Utc>>,
    /// Articles stored for the source.
    pub articles: u64,
    /// The current warning.
    pub warning: Option<String>,
}

/// What to record about a source's health after a poll.
#[derive(Debug, Clone, Default)]
pub struct HealthUpdate {
    /// Suspend it (it stays suspended until resumed).
    pub suspend: bool,
    /// The warning to show (`None` clears it).
    pub warning: Option<String>,
    /// Items in the parsed feed, when it parsed.
    pub item_count: Option<u64>,
    /// The feed's own site, when it parsed and named one.
    pub feed_site: Option<String>,
    /// Whether this poll yielded new articles.
    pub had_new: bool,
}

/// Scheduling and health columns of a source, for `radar sources`.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleRow {
    /// Source id.
    pub id: String,
    /// When it is due next (`None`: at the next cycle).
    pub next_check_at: Option<String>,
    /// Suspended after too many failures.
    pub suspended: bool,
    /// A health warning (zero items, another site's content, silent).
    pub warning: Option<String>,
    /// Articles per week published (or, undated, first seen) in the last
    /// four weeks: the same measure the adaptive interval uses.
    pub items_per_week: f64,
}

impl Store {
    /// Ids of the enabled, unsuspended sources due at `now` (never
    /// checked, or `next_check_at` has passed), most overdue first.
    pub fn due_sources(&self, now: DateTime<Utc>) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id FROM sources
                 WHERE enabled = 1 AND suspended = 0 AND kind != 'import'
                   AND (next_check_at IS NULL OR next_check_at <= ?1)
                 ORDER BY next_check_at IS NOT NULL, next_check_at, id",
            )
            .ctx("preparing due sources")?;
        let rows = stmt
            .query_map([ts(now)], |r| r.get::<_, String>(0))
            .ctx("reading due sources")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading due sources")
    }

    /// The earliest `next_check_at` of an enabled, unsuspended source.
    pub fn next_due_at(&self) -> Result<Option<DateTime<Utc>>> {
        let v: Option<String> = self
            .conn
            .query_row(
                "SELECT MIN(next_check_at) FROM sources
                 WHERE enabled = 1 AND suspended = 0 AND kind != 'import'",
                [],
                |r| r.get(0),
            )
            .ctx("reading next due time")?;
        Ok(parse_ts(v))
    }

    /// Sets when a source is due next.
    pub fn set_next_check(&mut self, source_id: &str, at: DateTime<Utc>) -> Result<()> {
        self.conn
            .execute(
                "UPDATE sources SET next_check_at = ?2 WHERE id = ?1",
                params![source_id, ts(at)],
            )
            .ctx("setting next check")?;
        Ok(())
    }

    /// Articles of a source published (or, without a date, first seen)
    /// in the seven days before `now`; `None` when it has no articles yet.
    pub fn weekly_new(&self, source_id: &str, now: DateTime<Utc>) -> Result<Option<u64>> {
        let since = ts(now - chrono::Duration::days(7));
        let (total, recent): (i64, i64) = self
            .conn
            .query_row(
                "SELECT COUNT(*), COALESCE(SUM(COALESCE(published, first_seen) >= ?2), 0)
                 FROM articles WHERE source_id = ?1",
                params![source_id, since],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ctx("counting recent articles")?;
        Ok((total > 0).then_some(recent.max(0) as u64))
    }

    /// The health facts of a source.
    pub fn health_state(&self, source_id: &str) -> Result<HealthState> {
        self.conn
            .query_row(
                "SELECT error_count, suspended, last_item_count, feed_site, last_new_at, warning,
                        (SELECT COUNT(*) FROM articles a WHERE a.source_id = s.id)
                 FROM sources s WHERE id = ?1",
                [source_id],
                |r| {
                    Ok(HealthState {
                        error_count: r.get::<_, i64>(0)?.max(0) as u32,
                        suspended: r.get(1)?,
                        last_item_count: r.get::<_, Option<i64>>(2)?.map(|v| v.max(0) as u64),
                        feed_site: r.get(3)?,
                        last_new_at: parse_ts(r.get(4)?),
                        warning: r.get(5)?,
                        articles: r.get::<_, i64>(6)?.max(0) as u64,
                    })
                },
            )
            .optional()
            .ctx("reading source health")
            .map(Option::unwrap_or_default)
    }

    /// Records the health verdict of a poll at `now`.
    pub fn record_health(
        &mut self,
        source_id: &str,
        u: &HealthUpdate,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.conn
            .execute(
                "UPDATE sources SET
                    suspended = CASE WHEN ?2 THEN 1 ELSE suspended END,
                    warning = ?3,
                    last_item_count = COALESCE(?4, last_item_count),
                    feed_site = COALESCE(?5, feed_site),
                    last_new_at = CASE WHEN ?6 THEN ?7 ELSE COALESCE(last_new_at, ?7) END
                 WHERE id = ?1",
                params![
                    source_id,
                    u.suspend,
                    u.warning,
                    u.item_count.map(|v| v as i64),
                    u.feed_site,
                    u.had_new,
                    ts(now)
                ],
            )
            .ctx("recording source health")?;
        Ok(())
    }

    /// Where a source's URL permanently redirects, and how many polls in
    /// a row have seen that same move.
    pub fn moved(&self, source_id: &str) -> Result<Option<(String, u32)>> {
        let row: Option<(Option<String>, i64)> = self
            .conn
            .query_row(
                "SELECT moved_to, moved_seen FROM sources WHERE id = ?1",
                [source_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .ctx("reading permanent redirect")?;
        Ok(row.and_then(|(u, n)| u.map(|u| (u, n.max(0) as u32))))
    }

    /// Records what a poll of the configured URL showed: a permanent move
    /// to `to` (counted when it is the same as before), or none (`None`
    /// forgets any earlier move: temporary redirects never count).
    pub fn record_move(&mut self, source_id: &str, to: Option<&str>) -> Result<()> {
        self.conn
            .execute(
                "UPDATE sources SET
                    moved_seen = CASE WHEN ?2 IS NULL THEN 0
                                      WHEN moved_to = ?2 THEN moved_seen + 1 ELSE 1 END,
                    moved_to = ?2
                 WHERE id = ?1",
                params![source_id, to],
            )
            .ctx("recording permanent redirect")?;
        Ok(())
    }

    /// Lifts a suspension and makes the source due at once; `false` when
    /// there is no such source.
    pub fn resume_source(&mut self, source_id: &str) -> Result<bool> {
        let n = self
            .conn
            .execute(
                "UPDATE sources SET suspended = 0, error_count = 0, next_check_at = NULL WHERE id = ?1",
                [source_id],
            )
            .ctx("resuming source")?;
        Ok(n > 0)
    }

    /// Scheduling and health columns of every source, for listing.
    pub fn schedule_rows(&self, now: DateTime<Utc>) -> Result<Vec<ScheduleRow>> {
        let since = ts(now - chrono::Duration::days(28));
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.id, s.next_check_at, s.suspended, s.warning,
                        (SELECT COUNT(*) FROM articles a WHERE a.source_id = s.id
                           AND COALESCE(a.published, a.first_seen) >= ?1)
                 FROM sources s ORDER BY s.id",
            )
            .ctx("preparing schedule listing")?;
        let rows = stmt
            .query_map([since], |r| {
                Ok(ScheduleRow {
                    id: r.get(0)?,
                    next_check_at: r.get(1)?,
                    suspended: r.get(2)?,
                    warning: r.get(3)?,
                    items_per_week: r.get::<_, i64>(4)? as f64 / 4.0,
                })
            })
            .ctx("reading schedule listing")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading schedule listing")
    }
}
