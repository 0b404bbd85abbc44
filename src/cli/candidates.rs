//! `radar candidates`: articles ranked as Koploper leads.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{App, bold_marks, nl_date};
use crate::rank::Relevance;
use crate::store::Candidate;
use crate::triage::feedback::{Adjustment, MAX_BOOST, adjusted};

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
    /// How advisor feedback (flags, dismissals) moved the score.
    feedback: Vec<String>,
    /// The score before feedback.
    base_score: f32,
    explanation: Option<Relevance>,
}

pub(crate) fn to_json(c: &Candidate, adj: &Adjustment) -> CandidateJson {
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
        score: adjusted(a.score.unwrap_or(0.0), adj),
        base_score: a.score.unwrap_or(0.0),
        feedback: adj.because.clone(),
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

/// Candidates ranked by their score after advisor feedback (flags lift,
/// dismissals sink), best first: what `radar candidates`, the web pages
/// and the API show.
pub(crate) fn ranked(
    store: &crate::store::Store,
    since: Option<DateTime<Utc>>,
    theme: Option<&str>,
    min: f32,
    limit: usize,
) -> anyhow::Result<Vec<(Candidate, Adjustment)>> {
    // Feedback can lift an article up to MAX_BOOST points: look that far
    // below the threshold, then rank by the adjusted score.
    let floor = if min > 0.0 {
        (min - MAX_BOOST).max(0.0)
    } else {
        0.0
    };
    let raw = store.candidates(since, theme, floor, limit * 3 + 50)?;
    let adjs = super::feedback_for(store, &raw.iter().map(|c| &c.article).collect::<Vec<_>>())?;
    let mut ranked: Vec<(Candidate, Adjustment)> = raw
        .into_iter()
        .zip(adjs)
        .filter(|(c, a)| adjusted(c.article.score.unwrap_or(0.0), a) >= min)
        .collect();
    ranked.sort_by(|(c1, a1), (c2, a2)| {
        adjusted(c2.article.score.unwrap_or(0.0), a2)
            .total_cmp(&adjusted(c1.article.score.unwrap_or(0.0), a1))
            .then(c2.article.first_seen.cmp(&c1.article.first_seen))
            .then(c1.article.id.cmp(&c2.article.id))
    });
    ranked.truncate(limit);
    Ok(ranked)
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
    let list = ranked(&store, since, args.theme.as_deref(), min, args.limit)?;
    if args.json {
        let out: Vec<CandidateJson> = list.iter().map(|(c, a)| to_json(c, a)).collect();
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
    for (i, (c, adj)) in list.iter().enumerate() {
        let j = to_json(c, adj);
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
        for f in &j.feedback {
            println!("     feedback: {f}");
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
