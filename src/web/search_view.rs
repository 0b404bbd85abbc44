//! GET /zoeken: the query box, filters, facets with counts, highlighted
//! snippets, sort and pagination.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State as AxState};
use axum::response::Html;
use maud::{Markup, html};

use super::layout::{marked, page, score_badge};
use super::search::{FacetValue, SearchParams, run};
use super::{Ctx, State, WebError, nl_date, safe_href};
use crate::index::Snippet;

fn render(state: &State, ctx: &Ctx, params: &SearchParams) -> Result<String, WebError> {
    let store = state.store()?;
    let out = run(
        &store,
        state.index()?,
        &state.ranker,
        params,
        state.config.web.page_size,
        state.config.web.max_matches,
    )?;
    let feed = feed_link(&store, ctx, params)?;
    let body = html! {
        h1 { "Zoeken" }
        form.search method="get" action="/zoeken" role="search" {
            input type="search" name="q" value=(params.query()) placeholder="bijv. zij-instromers ziekenhuis" aria-label="Zoekwoorden";
            @for (k, v) in [("theme", &params.theme), ("sector", &params.sector), ("region", &params.region), ("source", &params.source)] {
                @if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                    input type="hidden" name=(k) value=(v);
                }
            }
            label { "van " input type="date" name="from" value=(params.from.as_deref().unwrap_or("")); }
            label { "t/m " input type="date" name="to" value=(params.to.as_deref().unwrap_or("")); }
            label { "status "
                select name="status" {
                    option value="" { "alle" }
                    option value="open" selected[params.status.as_deref() == Some("open")] { "in opvolging" }
                    @for st in crate::triage::State::ALL {
                        option value=(st.id()) selected[params.status.as_deref() == Some(st.id())] { (st.dutch()) }
                    }
                }
            }
            label { "sorteer "
                select name="sort" {
                    option value="relevantie" selected[out.sort == "relevantie"] { "relevantie" }
                    option value="datum" selected[out.sort == "datum"] { "datum" }
                }
            }
            button type="submit" { "Zoek" }
        }
        p.help { "Alle woorden moeten voorkomen; \"aanhalingstekens\" voor een zinsdeel, OR voor alternatieven, -woord om uit te sluiten." }
        @for w in &out.warnings { p.error { (w) } }
        div.results-layout {
            aside.facets {
                (facet_block("Thema", "theme", params.theme.as_deref(), &out.facets.theme, params))
                (facet_block("Sector", "sector", params.sector.as_deref(), &out.facets.sector, params))
                (facet_block("Regio", "region", params.region.as_deref(), &out.facets.region, params))
                (facet_block("Bron", "source", params.source.as_deref(), &out.facets.source, params))
            }
            section.results {
                p.count {
                    (out.total) " resultaten"
                    @if !out.query.is_empty() { " voor “" (out.query) "”" }
                    @if out.pages > 1 { " · pagina " (out.page) " van " (out.pages) }
                }
                @if let Some(href) = &feed {
                    p.feed { a href=(href) { "Atom-feed van deze zoekopdracht" } }
                }
                ol.results start=((out.page - 1) * state.config.web.page_size + 1) {
                    @for r in &out.results {
                        li {
                            h2 { (score_badge(r.score)) " " a href=(format!("/artikel/{}", r.id)) { (r.title) } }
                            p.meta {
                                (r.source) " · "
                                (crate::import::parse_date(&r.date).map(nl_date).unwrap_or_default())
                                @if let Some(s) = &r.sector { " · " (s) }
                                @if let Some(g) = &r.region { " · " (g) }
                                @if let Some(u) = safe_href(r.url.as_deref()) {
                                    " · " a href=(u) rel="noopener noreferrer" target="_blank" { "origineel" }
                                }
                            }
                            p.snippet { (marked(&Snippet { text: r.snippet.clone(), highlights: r.highlights.clone() })) }
                        }
                    }
                }
                @if out.pages > 1 {
                    nav.pages aria-label="Pagina's" {
                        @if out.page > 1 { a rel="prev" href=(format!("/zoeken?{}", params.with_page(out.page - 1))) { "← vorige" } }
                        span { (out.page) " / " (out.pages) }
                        @if out.page < out.pages { a rel="next" href=(format!("/zoeken?{}", params.with_page(out.page + 1))) { "volgende →" } }
                    }
                }
            }
        }
    };
    Ok(page(ctx, "Zoeken", "/zoeken", body))
}

fn feed_link(
    store: &crate::store::Store,
    ctx: &Ctx,
    params: &SearchParams,
) -> Result<Option<String>, WebError> {
    let mut p = params.clone();
    p.page = None;
    p.sort = None;
    let q = p.to_query();
    Ok(match &ctx.user {
        Some(u) => {
            let token = store
                .users()?
                .into_iter()
                .find(|x| x.id == u.id)
                .map(|x| x.feed_token)
                .unwrap_or_default();
            let sep = if q.is_empty() { "" } else { "&" };
            Some(format!("/feeds/search.atom?{q}{sep}token={token}"))
        }
        None if ctx.open => Some(format!("/feeds/search.atom?{q}")),
        None => None,
    })
}

fn facet_block(
    title: &str,
    key: &str,
    chosen: Option<&str>,
    values: &[FacetValue],
    params: &SearchParams,
) -> Markup {
    let chosen = chosen.filter(|c| !c.is_empty());
    html! {
        @if !values.is_empty() || chosen.is_some() {
            section.facet {
                h3 { (title) }
                ul {
                    @if chosen.is_some() {
                        li { a.clear href=(format!("/zoeken?{}", params.with(key, None))) { "× alle" } }
                    }
                    @for v in values.iter().take(15) {
                        li {
                            @if chosen == Some(v.value.as_str()) {
                                strong { (v.label) } " " span.n { (v.count) }
                            } @else {
                                a href=(format!("/zoeken?{}", params.with(key, Some(&v.value)))) { (v.label) }
                                " " span.n { (v.count) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// GET /zoeken
pub async fn page_handler(
    AxState(state): AxState<Arc<State>>,
    Extension(ctx): Extension<Ctx>,
    Query(params): Query<SearchParams>,
) -> Result<Html<String>, axum::response::Response> {
    let c = ctx.clone();
    super::blocking(move || render(&state, &c, &params))
        .await
        .map(Html)
        .map_err(|e| e.render(Some(&ctx)))
}
