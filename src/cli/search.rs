//! `radar search`: Dutch-aware search with highlighted snippets.

use serde::Serialize;

use super::{App, bold_marks, nl_date};
use crate::index::{SearchIndex, Snippet, Total};
use crate::store::Store;

/// Arguments of `radar search`.
#[derive(clap::Args)]
pub struct Args {
    /// The query, e.g. `zij-instromers ziekenhuis` or `"anders werken"`
    #[arg(required = true, num_args = 1..)]
    query: Vec<String>,
    /// Number of results
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Print results as JSON
    #[arg(long)]
    json: bool,
}

/// One search result as shown and as JSON.
#[derive(Serialize)]
pub struct SearchResult {
    /// Article id.
    pub id: i64,
    /// Link to the original.
    pub url: Option<String>,
    /// Title.
    pub title: String,
    /// Source name.
    pub source: String,
    /// Publication date (RFC 3339).
    pub published: Option<String>,
    /// Search relevance.
    pub score: f32,
    /// Plain-text snippet.
    pub snippet: String,
    /// Byte ranges of the matches in `snippet`.
    pub highlights: Vec<(usize, usize)>,
}

/// Matches are counted exactly up to this many; beyond it the count says
/// "meer dan 1000" (counting every match of a broad query costs more than
/// finding the best ones).
pub const COUNT_UP_TO: usize = 1000;

/// Runs `query` and returns the number of matches and the best `limit`
/// results. Each snippet is cut from the article's summary when the
/// summary matches (short, and usually the article's lead), otherwise from
/// the body text, which is then read from the store.
pub fn search(
    store: &Store,
    index: &SearchIndex,
    query: &str,
    limit: usize,
) -> anyhow::Result<(Total, Vec<SearchResult>)> {
    let q = index.parse(query);
    let hits = index.search(&q, limit, 0)?;
    let total = index.count_upto(&q, COUNT_UP_TO)?;
    let ids: Vec<i64> = hits.iter().map(|h| h.id).collect();
    let rows = store.hit_rows(&ids)?;
    let snippets = index.snippets(&q, 220);
    let mut out = Vec::with_capacity(rows.len());
    for a in rows {
        let score = hits.iter().find(|h| h.id == a.id).map_or(0.0, |h| h.score);
        let from_summary = a
            .summary
            .as_deref()
            .map(|s| snippets.cut(s))
            .filter(|s| !s.highlights.is_empty());
        let snippet: Snippet = match from_summary {
            Some(s) => s,
            None => snippets.cut(&store.article_text(a.id)?.unwrap_or_default()),
        };
        out.push(SearchResult {
            id: a.id,
            url: a.url,
            title: a.title,
            source: a.source_name,
            published: a.published.map(crate::store::ts),
            score,
            snippet: snippet.text,
            highlights: snippet.highlights,
        });
    }
    Ok((total, out))
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    let query = args.query.join(" ");
    let (store, index) = app.open(false)?;
    let (total, results) = search(&store, &index, &query, args.limit)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results)?);
        return Ok(0);
    }
    if results.is_empty() {
        println!("Geen resultaten voor \"{query}\".");
        return Ok(0);
    }
    let (b, e) = bold_marks();
    println!(
        "{total} resultaten voor \"{query}\" (top {}):\n",
        results.len()
    );
    for (i, r) in results.iter().enumerate() {
        let snippet = Snippet {
            text: r.snippet.clone(),
            highlights: r.highlights.clone(),
        };
        let published = r.published.as_deref().and_then(crate::import::parse_date);
        println!("{:>2}. {b}{}{e}", i + 1, r.title);
        println!("    {} · {} · #{}", r.source, nl_date(published), r.id);
        println!("    {}", snippet.marked(b, e));
        if let Some(u) = &r.url {
            println!("    {u}");
        }
        println!();
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::ArticleDraft;

    #[test]
    fn snippets_come_from_a_matching_summary_else_from_the_body() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("radar.db")).unwrap();
        let mut index = SearchIndex::open(&dir.path().join("search"), true, 15).unwrap();
        store.ensure_import_source("src", "Bron").unwrap();
        let draft = |n: u32, summary: &str, body: &str| {
            ArticleDraft::new(
                None,
                Some(format!("https://x.example/{n}")),
                &format!("Bericht {n}"),
                None,
                None,
                Some(summary.to_string()),
                body.to_string(),
            )
        };
        let filler = "Het weer was wisselend en de vergadering duurde lang. ".repeat(8);
        store
            .upsert_articles(
                "src",
                &[
                    draft(
                        1,
                        "Nieuwe zij-instromers in de wijkverpleging.",
                        &format!("{filler} Later kwamen er meer zij-instromers."),
                    ),
                    draft(
                        2,
                        "Een samenvatting zonder de zoekterm.",
                        &format!("{filler} Het ziekenhuis werft zij-instromers."),
                    ),
                ],
            )
            .unwrap();
        crate::pipeline::process_pending(
            &mut store,
            &mut index,
            &crate::pipeline::Ranker::builtin(),
        )
        .unwrap();
        let (total, results) = search(&store, &index, "zij-instromers", 10).unwrap();
        assert_eq!(
            total,
            Total {
                count: 2,
                exact: true
            }
        );
        let by_id = |id: i64| results.iter().find(|r| r.id == id).unwrap();
        let one = by_id(1);
        assert!(one.snippet.starts_with("Nieuwe"), "{}", one.snippet);
        let two = by_id(2);
        assert!(two.snippet.contains("ziekenhuis werft"), "{}", two.snippet);
        for r in [one, two] {
            let (a, b) = r.highlights[0];
            assert_eq!(&r.snippet[a..b], "zij-instromers");
            assert_eq!(r.source, "Bron");
        }
    }
}
