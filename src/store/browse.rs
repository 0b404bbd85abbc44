//! What the web search needs to filter, count facets and sort a result set
//! without reading whole articles: one small row per article.

use chrono::{DateTime, Utc};

use super::{Context, Result, Store, parse_ts};

/// Facet and sort data of one article.
#[derive(Debug, Clone)]
pub struct BrowseRow {
    /// Article id.
    pub id: i64,
    /// Source id.
    pub source_id: String,
    /// Source name.
    pub source_name: String,
    /// AZW branch id, once scored.
    pub sector: Option<String>,
    /// Province label, once scored.
    pub region: Option<String>,
    /// Theme ids that contributed to the score.
    pub themes: Vec<String>,
    /// Publication date, or when radar first saw it.
    pub date: DateTime<Utc>,
    /// Koploper-lead score, once scored.
    pub score: Option<f32>,
}

const BROWSE_COLS: &str = "a.id, a.source_id, s.name, a.sector, a.region, \
     COALESCE(a.published, a.first_seen), a.score";

fn browse_from_row(r: &rusqlite::Row) -> rusqlite::Result<BrowseRow> {
    Ok(BrowseRow {
        id: r.get(0)?,
        source_id: r.get(1)?,
        source_name: r.get(2)?,
        sector: r.get(3)?,
        region: r.get(4)?,
        themes: Vec::new(),
        date: parse_ts(r.get(5)?).unwrap_or_default(),
        score: r.get::<_, Option<f64>>(6)?.map(|v| v as f32),
    })
}

impl Store {
    /// Ids of the `limit` newest articles (publication date, else first
    /// seen), newest first: the browse set of a search without words.
    pub fn newest_ids(&self, limit: usize) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id FROM articles ORDER BY COALESCE(published, first_seen) DESC, id DESC \
                 LIMIT ?1",
            )
            .ctx("preparing newest articles")?;
        let ids = stmt
            .query_map([limit as i64], |r| r.get(0))
            .ctx("reading newest articles")?
            .collect::<rusqlite::Result<Vec<i64>>>()
            .ctx("reading newest article")?;
        Ok(ids)
    }

    /// Browse rows of the given articles (any order), or of every article
    /// when `ids` is `None`. Themes are read in a second query and merged:
    /// a correlated `group_concat` per row was several times slower.
    pub fn browse_rows(&self, ids: Option<&[i64]>) -> Result<Vec<BrowseRow>> {
        // The covering index holds every column read here; without the
        // hint SQLite looks ids up in the table and walks each row's
        // overflow pages (7x slower for 50k rows).
        let base = format!(
            "SELECT {BROWSE_COLS} FROM articles a INDEXED BY articles_browse
             JOIN sources s ON s.id = a.source_id"
        );
        let theme_base = "SELECT article_id, theme FROM article_themes";
        let mut rows = Vec::new();
        let mut themes: Vec<(i64, String)> = Vec::new();
        let mut read = |sql: &str, params: &[i64]| -> Result<()> {
            let mut stmt = self.conn.prepare(sql).ctx("preparing browse rows")?;
            let it = stmt
                .query_map(rusqlite::params_from_iter(params), browse_from_row)
                .ctx("reading browse rows")?;
            for r in it {
                rows.push(r.ctx("reading browse row")?);
            }
            Ok(())
        };
        let mut read_themes = |sql: &str, params: &[i64]| -> Result<()> {
            let mut stmt = self.conn.prepare(sql).ctx("preparing themes")?;
            let it = stmt
                .query_map(rusqlite::params_from_iter(params), |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .ctx("reading themes")?;
            for r in it {
                themes.push(r.ctx("reading theme")?);
            }
            Ok(())
        };
        match ids {
            None => {
                read(&base, &[])?;
                read_themes(theme_base, &[])?;
            }
            Some(ids) => {
                for chunk in ids.chunks(500) {
                    let marks = vec!["?"; chunk.len()].join(",");
                    read(&format!("{base} WHERE a.id IN ({marks})"), chunk)?;
                    read_themes(
                        &format!("{theme_base} WHERE article_id IN ({marks})"),
                        chunk,
                    )?;
                }
            }
        }
        let mut by_id: std::collections::HashMap<i64, Vec<String>> =
            std::collections::HashMap::new();
        for (id, t) in themes {
            by_id.entry(id).or_default().push(t);
        }
        for r in &mut rows {
            if let Some(t) = by_id.remove(&r.id) {
                r.themes = t;
            }
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browse_rows_read_only_the_covering_index() {
        let s = Store::open_in_memory().unwrap();
        for sql in [
            format!(
                "EXPLAIN QUERY PLAN SELECT {BROWSE_COLS} FROM articles a INDEXED BY articles_browse
                 JOIN sources s ON s.id = a.source_id WHERE a.id IN (1, 2, 3)"
            ),
            format!(
                "EXPLAIN QUERY PLAN SELECT {BROWSE_COLS} FROM articles a INDEXED BY articles_browse
                 JOIN sources s ON s.id = a.source_id"
            ),
        ] {
            let mut stmt = s.conn.prepare(&sql).unwrap();
            let plan: Vec<String> = stmt
                .query_map([], |r| r.get::<_, String>(3))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            assert!(
                plan.iter()
                    .any(|p| p.contains("COVERING INDEX articles_browse")),
                "{plan:?}"
            );
        }
    }
    use crate::extract::ArticleDraft;
    use crate::store::ScoreRow;

    #[test]
    fn candidates_name_the_first_outlet_and_scale_by_key() {
        let mut s = Store::open_in_memory().unwrap();
        let text = "Zes zorgorganisaties in Twente brengen samen met het ROC 42 zij-instromers \
                    naar een diploma verzorgende IG; andere regio's nemen de aanpak over.";
        for (src, name) in [("b", "Bron B"), ("a", "Bron A")] {
            s.ensure_import_source(src, name).unwrap();
            let d = ArticleDraft::new(
                None,
                None,
                "Leerlingpoule Twente",
                None,
                None,
                None,
                text.into(),
            );
            s.upsert_articles(src, &[d]).unwrap();
        }
        s.cluster_pending().unwrap();
        let rows: Vec<ScoreRow> = s
            .browse_rows(None)
            .unwrap()
            .iter()
            .map(|r| ScoreRow {
                id: r.id,
                // the later copy scores higher: it is the lead shown
                score: 50.0 + r.id as f32,
                relevance_json: "{}".into(),
                sector: None,
                region: None,
                themes: vec![],
                rules_version: "t".into(),
            })
            .collect();
        s.save_scores(&rows).unwrap();
        let list = s.candidates(None, None, 40.0, 10).unwrap();
        assert_eq!(list.len(), 1, "one lead per story");
        let c = &list[0];
        assert_eq!(c.article.source_id, "a");
        assert_eq!(c.also_in, 1);
        // first seen in the same second or earlier: the lower id was first
        assert_eq!(c.cluster_first_source, "Bron B");
        assert!(c.cluster_first_seen <= c.article.first_seen);
        let later = c.cluster_first_seen + chrono::Duration::seconds(1);
        assert!(
            s.candidates(Some(later), None, 40.0, 10)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            s.candidates(Some(c.cluster_first_seen), None, 40.0, 10)
                .unwrap()
                .len(),
            1
        );
    }
}
