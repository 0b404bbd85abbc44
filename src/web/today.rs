//! GET /vandaag: the best candidates since yesterday, best first, with
//! their one-line reason. TODO(issue 6): once the daily digest is stored,
//! show the latest digest here instead, with flag and dismiss buttons per
//! lead (POST forms carrying `ctx.csrf`; the guard already checks them).

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State as AxState};
use axum::response::{Html, Response};
use chrono::{Duration, Utc};
use maud::html;
use serde::Deserialize;

use super::layout::{page, score_badge};
use super::triage::lead_actions;
use super::{Ctx, State, WebError, nl_date, safe_href};
use crate::rank::Relevance;

/// `?dagen=N`: how far back (default: since yesterday 00:00 UTC).
#[derive(Deserialize)]
pub struct Params {
    dagen: Option<u32>,
}

fn body(state: &State, ctx: &Ctx, days: Option<u32>) -> Result<String, WebError> {
    let store = state.store()?;
    let now = Utc::now();
    let since = match days {
        Some(d) => now - Duration::days(i64::from(d.clamp(1, 3650))),
        None => (now.date_naive() - Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc(),
    };
    let min = state.config.rank.min_score;
    let list: Vec<_> = crate::cli::candidates::ranked(&store, Some(since), None, min, 50)?
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    let back = match days {
        Some(d) => format!("/vandaag?dagen={d}"),
        None => "/vandaag".into(),
    };
    let body = html! {
        h1 { "Vandaag" }
        p.lead {
            "De beste kandidaat-Koplopers die radar sinds " (nl_date(since))
            " voor het eerst zag (score vanaf " (format!("{min:.0}")) "), één per verhaal."
        }
        @if list.is_empty() {
            p.empty { "Geen nieuwe kandidaten. "
                a href="/vandaag?dagen=7" { "Bekijk de afgelopen week" } "." }
        }
        ol.leads {
            @for c in &list {
                @let a = &c.article;
                @let reason = c.relevance_json.as_deref().and_then(|j| serde_json::from_str::<Relevance>(j).ok()).map(|r| r.reason).unwrap_or_default();
                li {
                    h2 { (score_badge(a.score)) " " a href=(format!("/artikel/{}", a.id)) { (a.title) } }
                    p.meta {
                        (a.source_name) " · " (nl_date(a.published.unwrap_or(a.first_seen)))
                        @if let Some(s) = &a.sector { " · " (s) }
                        @if let Some(g) = &a.region { " · " (g) }
                        @if let Some(u) = safe_href(a.url.as_deref()) {
                            " · " a href=(u) rel="noopener noreferrer" target="_blank" { "origineel" }
                        }
                    }
                    @if !reason.is_empty() { p.reason { (reason) } }
                    @if c.also_in > 0 {
                        p.also { "Ook in " (c.also_in) " andere bron(nen); eerst gezien bij " (c.cluster_first_source) "." }
                    }
                    @if let Some(from) = &a.tip_from { p.tip { "Tip van " (from) } }
                    (lead_actions(ctx, a.id, &back))
                }
            }
        }
        p { a href="/vandaag?dagen=7" { "Afgelopen week" } " · " a href="/vandaag?dagen=30" { "afgelopen 30 dagen" } }
    };
    Ok(page(ctx, "Vandaag", "/vandaag", body))
}

/// GET /vandaag
pub async fn page_handler(
    AxState(state): AxState<Arc<State>>,
    Extension(ctx): Extension<Ctx>,
    Query(p): Query<Params>,
) -> Result<Html<String>, Response> {
    let c = ctx.clone();
    super::blocking(move || body(&state, &c, p.dagen))
        .await
        .map(Html)
        .map_err(|e| e.render(Some(&ctx)))
}
