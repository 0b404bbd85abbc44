//! Digests in the store: which digest ran when, over which window, and
//! which leads it showed, so the next one starts where this one ended
//! (a missed day is caught up) and no story appears twice.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::triage::TriageFail;
use super::{Context, Result, Store, parse_ts, ts};

/// A lead as recorded with its digest.
#[derive(Debug, Clone)]
pub struct StoredLead {
    /// Article id.
    pub article_id: i64,
    /// Story cluster.
    pub cluster_id: i64,
    /// Theme section it was shown under.
    pub theme: Option<String>,
    /// 1-based position in the digest.
    pub position: usize,
}

/// One digest, as recorded.
#[derive(Debug, Clone)]
pub struct DigestRecord {
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// Start of the window (first-seen times at or after it).
    pub window_start: DateTime<Utc>,
    /// End of the window (first-seen times before it); the next digest
    /// starts here.
    pub window_end: DateTime<Utc>,
    /// Score threshold used.
    pub min_score: f32,
    /// Articles first seen in the window.
    pub read_count: u64,
    /// Stories above the threshold in the window.
    pub candidate_count: u64,
    /// The leads shown.
    pub leads: Vec<StoredLead>,
}

impl Store {
    /// End of the window of the last recorded digest.
    pub fn last_digest_end(&self) -> Result<Option<DateTime<Utc>>> {
        self.conn
            .query_row("SELECT MAX(window_end) FROM digests", [], |r| {
                r.get::<_, Option<String>>(0)
            })
            .ctx("reading last digest")
            .map(parse_ts)
    }

    /// Clusters and articles shown in any earlier digest.
    pub fn digested(&self) -> Result<(HashSet<i64>, HashSet<i64>)> {
        let mut stmt = self
            .conn
            .prepare("SELECT cluster_id, article_id FROM digest_items")
            .ctx("preparing digest items")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
            .ctx("reading digest items")?;
        let mut clusters = HashSet::new();
        let mut articles = HashSet::new();
        for row in rows {
            let (c, a) = row.ctx("reading digest item")?;
            clusters.insert(c);
            articles.insert(a);
        }
        Ok((clusters, articles))
    }

    /// Articles first seen in `[start, end)`.
    pub fn count_first_seen(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Result<u64> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM articles WHERE first_seen >= ?1 AND first_seen < ?2",
                params![ts(start), ts(end)],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .ctx("counting articles in window")
    }

    /// The story cluster of an article (its own id when unclustered).
    pub fn cluster_of(&self, id: i64) -> Result<Option<i64>> {
        self.conn
            .query_row(
                "SELECT COALESCE(cluster_id, id) FROM articles WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()
            .ctx("reading cluster")
    }

    /// Records a digest and its leads durably; returns its id.
    pub fn record_digest(&mut self, d: &DigestRecord) -> std::result::Result<i64, TriageFail> {
        self.record_digest_after(d, None)
    }

    /// [`Store::record_digest`], refused when another digest was recorded
    /// since the caller read `previous_end` (two digests made at the same
    /// time would show the same leads twice). `None` skips the check.
    pub fn record_digest_after(
        &mut self,
        d: &DigestRecord,
        previous_end: Option<Option<DateTime<Utc>>>,
    ) -> std::result::Result<i64, TriageFail> {
        self.durably(|tx| {
            if let Some(expected) = previous_end {
                let now: Option<String> = tx
                    .query_row("SELECT MAX(window_end) FROM digests", [], |r| r.get(0))
                    .ctx("reading last digest")?;
                if parse_ts(now) != expected {
                    return Err(TriageFail::Conflict(
                        "another digest was recorded while this one was made; \
                         run it again (it will start where that one ended)"
                            .into(),
                    ));
                }
            }
            tx.execute(
                "INSERT INTO digests (created_at, window_start, window_end, min_score, read_count,
                    candidate_count, shown) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    ts(d.created_at),
                    ts(d.window_start),
                    ts(d.window_end),
                    d.min_score,
                    d.read_count as i64,
                    d.candidate_count as i64,
                    d.leads.len() as i64
                ],
            )
            .ctx("recording digest")?;
            let id = tx.last_insert_rowid();
            for l in &d.leads {
                tx.execute(
                    "INSERT INTO digest_items (digest_id, article_id, cluster_id, theme, position)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![id, l.article_id, l.cluster_id, l.theme, l.position as i64],
                )
                .ctx("recording digest lead")?;
            }
            Ok(id)
        })
    }

    /// Records how sending a digest went.
    pub fn record_digest_send(
        &mut self,
        id: i64,
        sent_at: Option<DateTime<Utc>>,
        error: Option<&str>,
    ) -> Result<()> {
        self.conn
            .execute(
                "UPDATE digests SET sent_at = ?2, send_error = ?3 WHERE id = ?1",
                params![id, sent_at.map(ts), error],
            )
            .ctx("recording digest send")?;
        Ok(())
    }
}
