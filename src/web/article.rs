//! GET /artikel/{id}: the text, its source, the link to the original
//! (never framed), the score explanation with the criteria checklist,
//! other outlets with the same story, and tip details.
//! Then the follow-up panel (`triage::panel`): flag/dismiss, state, owner,
//! due date, notes, the advisors' Koploper checklist and the history.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, State as AxState};
use axum::http::StatusCode;
use axum::response::{Html, Response};
use maud::html;

use super::layout::{page, score_badge};
use super::{Ctx, State, WebError, nl_date, safe_href};
use crate::rank::Relevance;
use crate::store::{Article, ClusterMember, Store, TriageItem};

/// An article with its explanation (current rules) and other outlets.
pub struct Detail {
    /// The article.
    pub article: Article,
    /// Why it got its score, by the current rules.
    pub explanation: Relevance,
    /// Other outlets with the same story.
    pub others: Vec<ClusterMember>,
    /// The follow-up, when anybody acted on it.
    pub triage: Option<TriageItem>,
}

/// Reads one article with its explanation; `None` when there is no such id.
pub fn detail(store: &Store, state: &State, id: i64) -> Result<Option<Detail>, WebError> {
    let Some(article) = store.article(id)? else {
        return Ok(None);
    };
    // Like `radar explain`: explain with the current rules.
    let tags = store
        .sources()?
        .into_iter()
        .find(|s| s.id == article.source_id)
        .map(|s| s.tags)
        .unwrap_or_default();
    let explanation = state.ranker.score(&article, &tags);
    let others = store.cluster_members(id)?;
    let triage = store.triage_item(id)?;
    Ok(Some(Detail {
        article,
        explanation,
        others,
        triage,
    }))
}

fn body(state: &State, ctx: &Ctx, id: i64) -> Result<String, WebError> {
    let store = state.store()?;
    let Some(d) = detail(&store, state, id)? else {
        return Err(WebError::new(
            StatusCode::NOT_FOUND,
            format!("Er is geen artikel met nummer {id}."),
        ));
    };
    let a = &d.article;
    let r = &d.explanation;
    let body = html! {
        article.full {
            h1 { (a.title) }
            p.meta {
                (a.source_name) " · gepubliceerd " (a.published.map(nl_date).unwrap_or_else(|| "zonder datum".into()))
                " · gevonden " (nl_date(a.first_seen))
                @if let Some(au) = &a.author { " · " (au) }
            }
            @if let Some(u) = safe_href(a.url.as_deref()) {
                p { a.original href=(u) rel="noopener noreferrer" target="_blank" { "Lees het origineel bij " (a.source_name) " ↗" } }
            }
            @if a.tip_from.is_some() || a.tip_note.is_some() {
                section.tip {
                    h2 { "Tip" }
                    @if let Some(f) = &a.tip_from { p { "Van: " (f) } }
                    @if let Some(n) = &a.tip_note { p { "Notitie: " (n) } }
                }
            }
            (super::triage::panel(ctx, a.id, d.triage.as_ref()))
            section.explain {
                h2 { "Score " (score_badge(Some(r.score))) }
                p.reason { (r.reason) }
                p.meta {
                    "Sector: " (r.sector.as_deref().unwrap_or("onbekend"))
                    " · regio: " (r.region.as_deref().unwrap_or("onbekend"))
                    @if r.koploper_like { " · " strong { "lijkt op een Koploper" } }
                }
                h3 { "Koploper-criteria (" (r.criteria_met) " van " (r.criteria.len()) ")" }
                ul.criteria {
                    @for c in &r.criteria {
                        li class=(if c.met { "met" } else { "unmet" }) {
                            span.mark { (if c.met { "✓" } else { "✗" }) } " "
                            strong { (c.label) }
                            @if let Some(e) = &c.evidence { blockquote { (e) } }
                        }
                    }
                }
                @if !r.themes.is_empty() {
                    h3 { "Thema's" }
                    table.themes {
                        thead { tr { th { "thema" } th { "punten" } th { "termen" } } }
                        tbody {
                            @for t in &r.themes {
                                tr {
                                    td { (t.label) }
                                    td.num { (format!("{:.1}", t.contribution)) }
                                    td { @for (i, term) in t.terms.iter().enumerate() {
                                        @if i > 0 { ", " }
                                        (term.matched) " (" (term.field.dutch()) ")"
                                    } }
                                }
                            }
                        }
                    }
                }
                @if !r.penalties.is_empty() {
                    h3 { "Aftrek" }
                    ul { @for p in &r.penalties { li { (p.label) ": " (p.term) " (−" (format!("{:.1}", p.amount)) ")" } } }
                }
            }
            @if !d.others.is_empty() {
                section.others {
                    h2 { "Ook verschenen bij" }
                    ul { @for o in &d.others {
                        li { a href=(format!("/artikel/{}", o.id)) { (o.source_name) } " · " (nl_date(o.first_seen)) }
                    } }
                }
            }
            section.text {
                h2 { "Tekst" }
                @if let Some(s) = a.summary.as_ref().filter(|s| !a.text.starts_with(s.as_str())) {
                    p.summary { (s) }
                }
                @for para in a.text.split('\n').map(str::trim).filter(|p| !p.is_empty()) {
                    p { (para) }
                }
            }
        }
    };
    Ok(page(ctx, &a.title, "", body))
}

/// GET /artikel/{id}
pub async fn page_handler(
    AxState(state): AxState<Arc<State>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
) -> Result<Html<String>, Response> {
    let Ok(id) = id.parse::<i64>() else {
        return Err(
            WebError::new(StatusCode::NOT_FOUND, "Geen geldig artikelnummer.").render(Some(&ctx)),
        );
    };
    let c = ctx.clone();
    super::blocking(move || body(&state, &c, id))
        .await
        .map(Html)
        .map_err(|e| e.render(Some(&ctx)))
}
