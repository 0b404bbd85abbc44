//! Full article text and tips: which feed items still wait for a page
//! fetch, and writing what the extractor found.
//!
//! The feed's `content_hash` is never changed by an extraction: it keeps
//! describing the feed item, so the next poll of an unchanged feed counts
//! the item as unchanged instead of overwriting the full text with the
//! teaser again. When the feed item itself changes, the upsert resets
//! `text_method` and the page is fetched again.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Context, Result, Store, ts};

/// A feed item that may need its page fetched.
#[derive(Debug, Clone)]
pub struct FullTextCandidate {
    /// Article id.
    pub id: i64,
    /// Source id.
    pub source_id: String,
    /// The article link.
    pub url: String,
    /// Title from the feed.
    pub title: String,
    /// Text from the feed.
    pub text: String,
}

/// What the extractor found on an article page.
#[derive(Debug, Clone)]
pub struct PageText {
    /// Plain text (what is indexed and scored).
    pub text: String,
    /// Simple HTML of the article body, stored as given; read back only
    /// sanitized ([`Store::article_html`]).
    pub html: String,
    /// Byline from the page, used when the feed had no author.
    pub author: Option<String>,
    /// Date from the page, used when the feed had none.
    pub published: Option<DateTime<Utc>>,
    /// Lead image.
    pub image_url: Option<String>,
    /// `extracted:<method>` or `tip:<method>`.
    pub method: String,
}

impl Store {
    /// Feed items of `sources` first seen since `since` whose text has not
    /// been considered for a page fetch yet, newest first.
    pub fn fulltext_pending(
        &self,
        sources: &[String],
        since: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<FullTextCandidate>> {
        if sources.is_empty() {
            return Ok(Vec::new());
        }
        let list = serde_json::to_string(sources).unwrap_or_else(|_| "[]".into());
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, source_id, url, title, text FROM articles
                 WHERE text_method IS NULL AND url IS NOT NULL AND first_seen >= ?1
                   AND source_id IN (SELECT value FROM json_each(?2))
                 ORDER BY first_seen DESC, id DESC LIMIT ?3",
            )
            .ctx("preparing full-text queue")?;
        let rows = stmt
            .query_map(params![ts(since), list, limit as i64], |r| {
                Ok(FullTextCandidate {
                    id: r.get(0)?,
                    source_id: r.get(1)?,
                    url: r.get(2)?,
                    title: r.get(3)?,
                    text: r.get(4)?,
                })
            })
            .ctx("reading full-text queue")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading full-text queue")
    }

    /// Keeps the feed text of each `(id, error)` (policy, long enough, or the
    /// page gave nothing better), in one transaction; `error` says why
    /// extraction was not used.
    pub fn keep_feed_texts(&mut self, items: &[(i64, Option<String>)]) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction().ctx("starting feed-text marks")?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "UPDATE articles SET text_method = 'feed', fulltext_error = ?2 WHERE id = ?1",
                )
                .ctx("preparing feed-text mark")?;
            for (id, error) in items {
                stmt.execute(params![id, error])
                    .ctx("recording feed text")?;
            }
        }
        tx.commit().ctx("committing feed-text marks")
    }

    /// Replaces the text of `id` with what the page gave; the article is
    /// rescored, reclustered and reindexed.
    pub fn apply_page_text(&mut self, id: i64, page: &PageText) -> Result<()> {
        self.conn
            .execute(
                "UPDATE articles SET text = ?2, html = ?3, author = COALESCE(author, ?4),
                    published = COALESCE(published, ?5), image_url = ?6, text_method = ?7,
                    fulltext_error = NULL, indexed = 0, rules_version = NULL, cluster_id = NULL,
                    updated_at = ?8
                 WHERE id = ?1",
                params![
                    id,
                    page.text,
                    page.html,
                    page.author,
                    page.published.map(ts),
                    page.image_url,
                    page.method,
                    ts(Utc::now())
                ],
            )
            .ctx("storing page text")?;
        Ok(())
    }

    /// Records who sent `id` in as a tip (the latest tip wins; the first
    /// tip time is kept).
    pub fn record_tip(&mut self, id: i64, from: Option<&str>, note: Option<&str>) -> Result<()> {
        self.conn
            .execute(
                "UPDATE articles SET tip_from = COALESCE(?2, tip_from), tip_note = COALESCE(?3, tip_note),
                    tipped_at = COALESCE(tipped_at, ?4)
                 WHERE id = ?1",
                params![id, from, note, ts(Utc::now())],
            )
            .ctx("recording tip")?;
        Ok(())
    }

    /// The stored article HTML of `id`, when a page gave one, sanitized
    /// ([`crate::extract::sanitize::sanitize_html`]): the only way stored
    /// HTML leaves the store, so it is never shown unsanitized.
    pub fn article_html(&self, id: i64) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row("SELECT html FROM articles WHERE id = ?1", [id], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()
            .map(Option::flatten)
            .map(|h| h.map(|h| crate::extract::sanitize::sanitize_html(&h)))
            .ctx("reading article html")
    }

    /// Why the last page extraction of `id` was not used, if it failed.
    pub fn fulltext_error(&self, id: i64) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row(
                "SELECT fulltext_error FROM articles WHERE id = ?1",
                [id],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()
            .map(Option::flatten)
            .ctx("reading extraction error")
    }
}

impl Store {
    /// Creates the source that holds partner tips, if needed.
    pub fn ensure_tip_source(&mut self, id: &str, name: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO sources (id, name, url, kind, created_at) VALUES (?1, ?2, '', 'tip', ?3)
                 ON CONFLICT(id) DO NOTHING",
                params![id, name, ts(Utc::now())],
            )
            .ctx("creating tip source")?;
        Ok(())
    }

    /// The oldest article, in any source, with this canonical URL.
    pub fn article_by_canonical_url(&self, canonical: &str) -> Result<Option<i64>> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row(
                "SELECT id FROM articles WHERE canonical_url = ?1 ORDER BY id LIMIT 1",
                [canonical],
                |r| r.get(0),
            )
            .optional()
            .ctx("looking up article by url")
    }
}

impl Store {
    /// Benchmarks only: spreads `first_seen` of all articles over the last
    /// `days` days (by id), so date windows select realistic slices.
    /// In transactions of 20,000 rows, so the WAL of a 1M-article store
    /// stays small.
    pub fn spread_first_seen(&mut self, days: u32) -> Result<()> {
        let max: i64 = self
            .conn
            .query_row("SELECT COALESCE(MAX(id), 0) FROM articles", [], |r| {
                r.get(0)
            })
            .ctx("reading the last id")?;
        let mut from = 0i64;
        while from <= max {
            self.conn
                .execute(
                    "UPDATE articles SET first_seen =
                        strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || (id % ?1) || ' days')
                     WHERE id >= ?2 AND id < ?2 + 20000",
                    rusqlite::params![days.max(1), from],
                )
                .ctx("spreading first_seen")?;
            from += 20_000;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::ArticleDraft;

    #[test]
    fn stored_html_comes_out_sanitized() {
        let mut store = Store::open_in_memory().unwrap();
        store.ensure_import_source("t", "T").unwrap();
        let d = ArticleDraft::new(
            None,
            Some("https://zorg.nl/a".into()),
            "Titel",
            None,
            None,
            None,
            "tekst".into(),
        );
        store.upsert_articles("t", &[d]).unwrap();
        let id = store
            .recent_ids(Utc::now() - chrono::Duration::days(1), 1)
            .unwrap()[0];
        let page = PageText {
            text: "tekst".into(),
            html: "<p onclick=\"alert(1)\">Zorg</p><script>alert(2)</script>\
                   <a href=\"javascript:alert(3)\">x</a><img src=x onerror=alert(4)>"
                .into(),
            author: None,
            published: None,
            image_url: None,
            method: "extracted:blocks".into(),
        };
        store.apply_page_text(id, &page).unwrap();
        let html = store.article_html(id).unwrap().unwrap();
        assert!(html.starts_with("<p>Zorg</p>"), "{html}");
        for bad in ["onclick", "script", "javascript", "onerror", "alert"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }
}
