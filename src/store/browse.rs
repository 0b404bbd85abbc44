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
     (SELECT group_concat(t.theme, ' ') FROM article_themes t WHERE t.article_id = a.id), \
     COALESCE(a.published, a.first_seen), a.score";

fn browse_from_row(r: &rusqlite::Row) -> rusqlite::Result<BrowseRow> {
    Ok(BrowseRow {
        id: r.get(0)?,
        source_id: r.get(1)?,
        source_name: r.get(2)?,
        sector: r.get(3)?,
        region: r.get(4)?,
        themes: r
            .get::<_, Option<String>>(5)?
            .map(|s| s.split(' ').map(str::to_string).collect())
            .unwrap_or_default(),
        date: parse_ts(r.get(6)?).unwrap_or_default(),
        score: r.get::<_, Option<f64>>(7)?.map(|v| v as f32),
    })
}

impl Store {
    /// Browse rows of the given articles (any order), or of every article
    /// when `ids` is `None`.
    pub fn browse_rows(&self, ids: Option<&[i64]>) -> Result<Vec<BrowseRow>> {
        let base =
            format!("SELECT {BROWSE_COLS} FROM articles a JOIN sources s ON s.id = a.source_id");
        let Some(ids) = ids else {
            let mut stmt = self.conn.prepare(&base).ctx("preparing browse rows")?;
            let rows = stmt
                .query_map([], browse_from_row)
                .ctx("reading browse rows")?;
            return rows
                .collect::<rusqlite::Result<Vec<_>>>()
                .ctx("reading browse rows");
        };
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let mut stmt = self
                .conn
                .prepare(&format!("{base} WHERE a.id IN ({marks})"))
                .ctx("preparing browse rows")?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(chunk), browse_from_row)
                .ctx("reading browse rows")?;
            for r in rows {
                out.push(r.ctx("reading browse row")?);
            }
        }
        Ok(out)
    }
}
