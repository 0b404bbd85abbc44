//! `radar search`: Dutch-aware search with highlighted snippets.

use serde::Serialize;

use super::{App, bold_marks, nl_date};
use crate::index::{SearchIndex, Snippet};
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

/// Runs `query` and returns results with snippets cut from the store.
pub fn search(
    store: &Store,
    index: &SearchIndex,
    query: &str,
    limit: usize,
) -> anyhow::Result<(usize, Vec<SearchResult>)> {
    let q = index.parse(query);
    let hits = index.search(&q, limit, 0)?;
    let total = index.count(&q)?;
    let ids: Vec<i64> = hits.iter().map(|h| h.id).collect();
    let articles = store.articles(&ids)?;
    let mut out = Vec::with_capacity(hits.len());
    for h in hits {
        let Some(a) = articles.iter().find(|a| a.id == h.id) else {
            continue;
        };
        let mut snippet: Snippet = index.snippet(&q, &a.text, 220);
        if snippet.highlights.is_empty() {
            if let Some(s) = &a.summary {
                let alt = index.snippet(&q, s, 220);
                if !alt.highlights.is_empty() {
                    snippet = alt;
                }
            }
        }
        out.push(SearchResult {
            id: a.id,
            url: a.url.clone(),
            title: a.title.clone(),
            source: a.source_name.clone(),
            published: a.published.map(crate::store::ts),
            score: h.score,
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
