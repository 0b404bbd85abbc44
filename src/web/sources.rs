//! GET /bronnen: sources and their last outcome, and the tip form.
//! POST /bronnen/tip: the same code path as `radar tip` ([`crate::tip`]).
//! TODO: adding a source from the web (the issue asks for it) is left out;
//! sources live in `feeds/*.toml`, which the web process does not write.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Form, State as AxState};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use super::layout::page;
use super::{Ctx, State, WebError};
use crate::index::IndexError;
use crate::tip::TipError;

fn status_nl(s: &crate::store::SourceRow) -> (&'static str, String) {
    match (&s.last_status, s.enabled) {
        (_, false) => ("st-off", "uitgeschakeld".into()),
        (None, _) => ("st-new", "nog niet opgehaald".into()),
        (Some(st), _) if s.error_count > 0 => ("st-bad", format!("fout: {st}")),
        (Some(st), _) => (
            "st-ok",
            match st.as_str() {
                "ok" => "in orde".into(),
                "not_modified" | "unchanged" => "in orde (niets nieuws)".into(),
                other => other.to_string(),
            },
        ),
    }
}

/// A stored time for Dutch readers (dd-mm-jjjj uu:mm, UTC).
fn when(ts: Option<&str>) -> String {
    ts.and_then(crate::import::parse_date)
        .map(|d| d.format("%d-%m-%Y %H:%M").to_string())
        .unwrap_or_else(|| "–".into())
}

fn body(
    state: &State,
    ctx: &Ctx,
    message: Option<(&str, String)>,
    form: Option<&TipForm>,
) -> Result<String, WebError> {
    let store = state.store()?;
    let rows = store.sources()?;
    let body = html! {
        h1 { "Bronnen" }
        @if let Some((class, m)) = &message { p class=(class) role="alert" { (m) } }
        @if ctx.can_edit() {
            section.tipform {
                h2 { "Tip toevoegen" }
                p.help { "Een link naar een artikel dat radar nog niet heeft: radar haalt de pagina op, leest het artikel, geeft het een score en zet het in de zoekindex." }
                form method="post" action="/bronnen/tip" {
                    input type="hidden" name="csrf" value=(ctx.csrf);
                    label { "Link (http of https)" input type="url" name="url" required value=(form.map(|f| f.url.as_str()).unwrap_or("")); }
                    label { "Van wie" input name="from" value=(form.and_then(|f| f.from.as_deref()).unwrap_or("")); }
                    label { "Notitie" textarea name="note" rows="2" { (form.and_then(|f| f.note.as_deref()).unwrap_or("")) } }
                    button type="submit" { "Tip opslaan" }
                }
            }
        }
        table.sources {
            thead { tr { th { "bron" } th { "soort" } th.num { "artikelen" } th { "status" } th { "laatst gelukt" } th { "laatste fout" } } }
            tbody {
                @for s in &rows {
                    @let (class, label) = status_nl(s);
                    tr class=(class) {
                        td { (s.name) br; small.muted { (s.id) } }
                        td { (s.kind) }
                        td.num { (s.articles) }
                        td { (label) }
                        td { (when(s.last_success_at.as_deref())) }
                        td { @if s.error_count > 0 {
                            (s.last_error_kind.as_deref().unwrap_or("")) ": " (s.last_error.as_deref().unwrap_or(""))
                            " (" (s.error_count) "× op rij)"
                        } }
                    }
                }
            }
        }
    };
    Ok(page(ctx, "Bronnen", "/bronnen", body))
}

/// GET /bronnen
pub async fn page_handler(
    AxState(state): AxState<Arc<State>>,
    Extension(ctx): Extension<Ctx>,
) -> Result<Html<String>, Response> {
    body(&state, &ctx, None, None)
        .map(Html)
        .map_err(|e| e.render(Some(&ctx)))
}

/// The tip form.
#[derive(Deserialize)]
pub struct TipForm {
    url: String,
    from: Option<String>,
    note: Option<String>,
}

/// POST /bronnen/tip: on success to the article; otherwise the form again
/// with a Dutch message (400 bad link, 409 index busy, 422 no article).
pub async fn tip(
    AxState(state): AxState<Arc<State>>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<TipForm>,
) -> Response {
    let fail = |status: StatusCode, msg: String| -> Response {
        match body(&state, &ctx, Some(("error", msg)), Some(&f)) {
            Ok(b) => (status, Html(b)).into_response(),
            Err(e) => e.render(Some(&ctx)),
        }
    };
    if let Err(e) = crate::tip::parse_url(&f.url) {
        let msg = match e {
            TipError::NotHttp(_) => "Alleen http- en https-links kunnen als tip worden toegevoegd.",
            _ => "Dat is geen geldige link.",
        };
        return fail(StatusCode::BAD_REQUEST, msg.into());
    }
    let mut store = match state.store() {
        Ok(s) => s,
        Err(e) => return WebError::from(e).render(Some(&ctx)),
    };
    let mut index = match state.index_writer() {
        Ok(i) => i,
        Err(IndexError::Locked(_)) => {
            return fail(
                StatusCode::CONFLICT,
                "De zoekindex is nu bezet door een ander radar-proces (bijvoorbeeld een lopende `radar fetch`). Probeer het over een minuut opnieuw.".into(),
            );
        }
        Err(e) => return WebError::from(anyhow::Error::from(e)).render(Some(&ctx)),
    };
    let out = crate::tip::add(
        &state.config,
        &state.ranker,
        &mut store,
        &mut index,
        &f.url,
        f.from.as_deref(),
        f.note.as_deref(),
    )
    .await;
    drop(index);
    match out {
        Ok(o) => Redirect::to(&format!("/artikel/{}", o.id)).into_response(),
        Err(TipError::Page { message, .. }) => fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "Van die pagina kon radar geen artikel lezen ({message}). Er is niets opgeslagen."
            ),
        ),
        Err(TipError::BadUrl(_) | TipError::NotHttp(_)) => {
            fail(StatusCode::BAD_REQUEST, "Dat is geen geldige link.".into())
        }
        Err(TipError::Other(e)) => WebError::from(e).render(Some(&ctx)),
    }
}
