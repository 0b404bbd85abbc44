//! GET /vandaag: the latest digest kept in `<data>/digests/` (leads
//! dismissed since are left out), or, when there is none or `?dagen=N` is
//! asked, the best candidates since yesterday, best first, with their
//! one-line reason. Every lead has flag and dismiss buttons.

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

/// The latest digest, with the leads dismissed since it was made left out.
fn digest_body(
    state: &State,
    ctx: &Ctx,
    store: &crate::store::Store,
) -> Result<Option<String>, WebError> {
    let Some(mut d) = crate::digest::latest_kept(&state.data_dir.join("digests"))? else {
        return Ok(None);
    };
    for sec in &mut d.sections {
        let mut keep = Vec::with_capacity(sec.leads.len());
        for l in sec.leads.drain(..) {
            if !store.is_dismissed_story(l.id)? {
                keep.push(l);
            }
        }
        sec.leads = keep;
    }
    d.sections.retain(|s| !s.leads.is_empty());
    let followed = super::triage::states(store)?;
    let feed = match &ctx.user {
        Some(u) => store
            .users()?
            .into_iter()
            .find(|x| x.id == u.id)
            .map(|x| format!("/feeds/leads.atom?token={}", x.feed_token)),
        None => Some("/feeds/leads.atom".to_string()),
    };
    let body = html! {
        h1 { "Vandaag" }
        p.lead {
            (d.title) " van " (nl_date(d.generated_at)) ": nieuwe leads sinds "
            (nl_date(d.window_start)) ", per thema, één per verhaal (score vanaf "
            (format!("{:.0}", d.min_score)) ")."
        }
        @if d.sections.is_empty() {
            p.empty { "Dit overzicht heeft geen (open) leads. "
                a href="/vandaag?dagen=1" { "Bekijk de kandidaten sinds gisteren" } "." }
        }
        @for sec in &d.sections {
            section.digest {
                h2 { (sec.label) }
                ol.leads {
                    @for l in &sec.leads {
                        li {
                            h3 { (score_badge(Some(l.score))) " " a href=(format!("/artikel/{}", l.id)) { (l.title) } }
                            p.meta {
                                (l.source) " · " (nl_date(l.date))
                                @if let Some(u) = safe_href(l.url.as_deref()) {
                                    " · " a href=(u) rel="noopener noreferrer" target="_blank" { "origineel" }
                                }
                            }
                            @if !l.reason.is_empty() { p.reason { (l.reason) } }
                            @if l.also_in > 0 { p.also { "Ook in " (l.also_in) " andere bron(nen)." } }
                            @if let Some(from) = &l.tip_from { p.tip { "Tip van " (from) } }
                            (lead_actions(ctx, l.id, "/vandaag", followed.get(&l.id).copied()))
                        }
                    }
                    @if sec.more > 0 { li.more { "en nog " (sec.more) " boven de drempel" } }
                }
            }
        }
        @if !d.blind_spots.is_empty() {
            p.meta { "Geen leads deze periode voor: " (d.blind_spots.join(", ")) "." }
        }
        p { a href="/vandaag?dagen=1" { "Kandidaten sinds gisteren" } " · " a href="/vandaag?dagen=7" { "afgelopen week" }
            @if let Some(f) = &feed { " · " a.feed href=(f) { "Atom-feed van de leads" } } }
    };
    Ok(Some(page(ctx, "Vandaag", "/vandaag", body)))
}

fn body(state: &State, ctx: &Ctx, days: Option<u32>) -> Result<String, WebError> {
    let store = state.store()?;
    if days.is_none() {
        if let Some(b) = digest_body(state, ctx, &store)? {
            return Ok(b);
        }
    }
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
    let followed = super::triage::states(&store)?;
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
                    (lead_actions(ctx, a.id, &back, followed.get(&a.id).copied()))
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
