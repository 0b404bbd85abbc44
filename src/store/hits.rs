//! What a search result page shows of each hit, read in one query: only the
//! small columns, and the body text only when asked for (snippets come from
//! the summary when it matches), so SQLite does not walk a row's overflow
//! pages for what it does not show. The explanation lives in its own table
//! since migration 10.

use chrono::{DateTime, Utc};

use super::{Context, Result, Store, parse_ts};

/// One search hit as shown.
#[derive(Debug, Clone)]
pub struct HitRow {
    /// Article id.
    pub id: i64,
    /// Link to the original.
    pub url: Option<String>,
    /// Title.
    pub title: String,
    /// Source name.
    pub source_name: String,
    /// Publication date.
    pub published: Option<DateTime<Utc>>,
    /// Feed summary or lead.
    pub summary: Option<String>,
}

impl Store {
    /// Hit rows of `ids`, in the order of `ids` (missing ids are skipped).
    pub fn hit_rows(&self, ids: &[i64]) -> Result<Vec<HitRow>> {
        let mut out: Vec<HitRow> = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let mut stmt = self
                .conn
                .prepare_cached(&format!(
                    "SELECT a.id, a.url, a.title, s.name, a.published, a.summary
                     FROM articles a JOIN sources s ON s.id = a.source_id
                     WHERE a.id IN ({marks})"
                ))
                .ctx("preparing hit rows")?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(chunk), |r| {
                    Ok(HitRow {
                        id: r.get(0)?,
                        url: r.get(1)?,
                        title: r.get(2)?,
                        source_name: r.get(3)?,
                        published: parse_ts(r.get(4)?),
                        summary: r.get(5)?,
                    })
                })
                .ctx("reading hit rows")?;
            for r in rows {
                out.push(r.ctx("reading hit row")?);
            }
        }
        let pos: std::collections::HashMap<i64, usize> =
            ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
        out.sort_by_key(|r| pos.get(&r.id).copied().unwrap_or(usize::MAX));
        Ok(out)
    }

    /// The body text of `id` (`None` when the article is gone).
    pub fn article_text(&self, id: i64) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        self.conn
            .prepare_cached("SELECT text FROM articles WHERE id = ?1")
            .ctx("preparing text read")?
            .query_row([id], |r| r.get(0))
            .optional()
            .ctx("reading text")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::ArticleDraft;

    #[test]
    fn hit_rows_keep_the_order_of_the_ids_and_skip_missing_ones() {
        let mut s = Store::open_in_memory().unwrap();
        s.ensure_import_source("src", "Bron").unwrap();
        let drafts: Vec<ArticleDraft> = (0..3)
            .map(|i| {
                ArticleDraft::new(
                    None,
                    Some(format!("https://x.example/{i}")),
                    &format!("Titel {i}"),
                    None,
                    None,
                    Some(format!("Samenvatting {i}")),
                    format!("Tekst nummer {i} over zorg."),
                )
            })
            .collect();
        s.upsert_articles("src", &drafts).unwrap();
        let all = s.hit_rows(&[3, 1, 99, 2]).unwrap();
        let ids: Vec<i64> = all.iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![3, 1, 2]);
        assert_eq!(all[1].title, "Titel 0");
        assert_eq!(all[1].source_name, "Bron");
        assert_eq!(all[1].summary.as_deref(), Some("Samenvatting 0"));
        assert_eq!(
            s.article_text(1).unwrap().as_deref(),
            Some("Tekst nummer 0 over zorg.")
        );
        assert_eq!(s.article_text(99).unwrap(), None);
    }
}
