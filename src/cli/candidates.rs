//! `radar candidates`: articles ranked as Koploper leads.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{App, bold_marks, nl_date};
use crate::rank::Relevance;
use crate::store::Candidate;

/// Arguments of `radar candidates`.
#[derive(clap::Args)]
pub struct Args {
    /// Only stories radar first saw on or after this date (YYYY-MM-DD) [default: 7 days ago]
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Everything stored, whatever its date or score
    #[arg(long)]
    all: bool,
    /// Only articles matching this theme id (see `radar themes`)
    #[arg(long, value_name = "ID")]
    theme: Option<String>,
    /// Number of candidates
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Print as JSON
    #[arg(long)]
    json: bool,
}

/// A candidate as JSON.
#[derive(Serialize)]
pub struct CandidateJson {
    id: i64,
    url: Option<String>,
    title: String,
    source: String,
    published: Option<String>,
    first_seen: String,
    score: f32,
    themes: Vec<String>,
    criteria: Vec<String>,
    sector: Option<String>,
    region: Option<String>,
    reason: String,
    also_in: u32,
    first_seen_at: String,
    first_source: String,
    explanation: Option<Relevance>,
}

pub(crate) fn to_json(c: &Candidate) -> CandidateJson {
    let rel: Option<Relevance> = c
        .relevance_json
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok());
    let a = &c.article;
    CandidateJson {
        id: a.id,
        url: a.url.clone(),
        title: a.title.clone(),
        source: a.source_name.clone(),
        published: a.published.map(crate::store::ts),
        first_seen: crate::store::ts(a.first_seen),
        score: a.score.unwrap_or(0.0),
        themes: a.themes.clone(),
        criteria: rel
            .as_ref()
            .map(|r| {
                r.criteria
                    .iter()
                    .filter(|c| c.met)
                    .map(|c| c.id.clone())
                    .collect()
            })
            .unwrap_or_default(),
        sector: a.sector.clone(),
        region: a.region.clone(),
        reason: rel.as_ref().map(|r| r.reason.clone()).unwrap_or_default(),
        also_in: c.also_in,
        first_seen_at: crate::store::ts(c.cluster_first_seen),
        first_source: c.cluster_first_source.clone(),
        explanation: rel,
    }
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    let since: Option<DateTime<Utc>> = if args.all {
        None
    } else {
        match &args.since {
            Some(s) => Some(
                crate::import::parse_date(s)
                    .ok_or_else(|| anyhow::anyhow!("--since {s:?} is not a date (YYYY-MM-DD)"))?,
            ),
            None => Some(Utc::now() - Duration::days(7)),
        }
    };
    if let Some(t) = &args.theme {
        if !app.ranker.rules.theme_ids().iter().any(|id| id == t) {
            anyhow::bail!(
                "unknown theme `{t}`; themes are: {}",
                app.ranker.rules.theme_ids().join(", ")
            );
        }
    }
    let min = if args.all {
        0.0
    } else {
        app.config.rank.min_score
    };
    let (store, _index) = app.open(false)?;
    let list = store.candidates(since, args.theme.as_deref(), min, args.limit)?;
    if args.json {
        let out: Vec<CandidateJson> = list.iter().map(to_json).collect();
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(0);
    }
    if list.is_empty() {
        println!(
            "Geen kandidaten gevonden (drempel {min}, zie rank.min_score; --all toont alles)."
        );
        return Ok(0);
    }
    let (b, e) = bold_marks();
    for (i, c) in list.iter().enumerate() {
        let j = to_json(c);
        println!("{:>2}. [{:>3.0}] {b}{}{e}", i + 1, j.score, j.title);
        println!(
            "     {} · {} · #{}{}{}",
            j.source,
            nl_date(c.article.published.or(Some(c.article.first_seen))),
            j.id,
            j.sector
                .as_deref()
                .map(|s| format!(" · {s}"))
                .unwrap_or_default(),
            j.region
                .as_deref()
                .map(|s| format!(" · {s}"))
                .unwrap_or_default()
        );
        if !j.reason.is_empty() {
            println!("     {}", j.reason);
        }
        if c.also_in > 0 {
            println!(
                "     ook in {} andere bron(nen); eerst gezien {} bij {}",
                c.also_in,
                nl_date(Some(c.cluster_first_seen)),
                c.cluster_first_source
            );
        }
        println!();
    }
    Ok(0)
}
