//! Triage in the web interface: the flag and dismiss buttons per lead
//! (Vandaag, Artikel), the follow-up panel on Artikel (state, owner, due
//! date, notes, the Koploper checklist, history), the Opvolging board and
//! the JSON triage API. Every change goes through `Store::triage_apply`,
//! like `radar flag/dismiss/triage`; the guard has already checked the
//! CSRF token and the role before a handler here runs.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Path, Query, State as AxState};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Json};
use chrono::Utc;
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{page, score_badge};
use super::{Ctx, State, WebError, nl_date, safe_href};
use crate::store::{Change, TriageFail, TriageItem};
use crate::triage::{Criterion, State as TState, TriageError, parse_due};

/// Common dismissal reasons offered in the select.
pub const REASONS: &[&str] = &[
    "andere sector",
    "geen initiatief",
    "al bekend",
    "vacature of advertentie",
];

/// Who makes a change: the logged-in user, or "lokaal" in open mode.
fn author(ctx: &Ctx) -> String {
    ctx.user
        .as_ref()
        .map(|u| u.name.clone())
        .unwrap_or_else(|| "lokaal".into())
}

/// A Dutch message for a refused change, worded for the web (no CLI flags).
fn message(e: &TriageFail) -> (StatusCode, String) {
    match e {
        TriageFail::NoArticle(id) => (
            StatusCode::NOT_FOUND,
            format!("Er is geen artikel met nummer {id}."),
        ),
        TriageFail::Rule(TriageError::NoReason) => (
            StatusCode::BAD_REQUEST,
            "Afwijzen vraagt om een reden, bijvoorbeeld \"andere sector\"; radar leert ervan."
                .into(),
        ),
        TriageFail::Rule(TriageError::NoEvidence(c)) => (
            StatusCode::BAD_REQUEST,
            format!("Criterium '{c}' afvinken vraagt om bewijs: schrijf op waaruit het blijkt."),
        ),
        TriageFail::Rule(r @ (TriageError::Transition { .. } | TriageError::Same(_))) => {
            (StatusCode::CONFLICT, capitalize(&r.to_string()))
        }
        TriageFail::Rule(r) => (StatusCode::BAD_REQUEST, capitalize(&r.to_string())),
        TriageFail::Conflict(m) => (StatusCode::CONFLICT, m.clone()),
        TriageFail::Store(s) => {
            tracing::error!("web triage: {s:#}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Er ging iets mis in radar; er is niets opgeslagen.".into(),
            )
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Triage state per article id, for lists (no entry: nobody acted on it).
pub fn states(store: &crate::store::Store) -> Result<HashMap<i64, TState>, WebError> {
    Ok(store
        .triage_rows(None, false, None)?
        .into_iter()
        .map(|r| (r.article_id, r.state))
        .collect())
}

/// The flag and dismiss buttons for one lead (a lead already followed
/// shows its state instead of the flag button); `back` is where to return.
pub fn lead_actions(ctx: &Ctx, id: i64, back: &str, state: Option<TState>) -> Markup {
    let state = state.unwrap_or(TState::New);
    html! {
        @if state != TState::New {
            p.meta { "Opvolging: " a href=(format!("/artikel/{id}#opvolging")) { strong.state { (state.dutch()) } } }
        }
        @if ctx.can_edit() {
            div.actions {
                @if state == TState::New {
                    form.inline method="post" action=(format!("/artikel/{id}/volgen")) {
                        input type="hidden" name="csrf" value=(ctx.csrf);
                        input type="hidden" name="terug" value=(back);
                        button type="submit" { "Volgen" }
                    }
                }
                form.inline.dismiss method="post" action=(format!("/artikel/{id}/afwijzen")) {
                    input type="hidden" name="csrf" value=(ctx.csrf);
                    input type="hidden" name="terug" value=(back);
                    label { "Reden "
                        select name="reden" {
                            option value="" { "kies…" }
                            @for r in REASONS { option value=(r) { (r) } }
                        }
                    }
                    input type="text" name="toelichting" placeholder="of eigen reden" maxlength="300";
                    button type="submit" { "Afwijzen" }
                }
            }
        }
    }
}

/// Form fields of every triage POST; what is empty stays as it is.
#[derive(Deserialize, Default)]
pub struct TriageForm {
    terug: Option<String>,
    status: Option<String>,
    reden: Option<String>,
    toelichting: Option<String>,
    eigenaar: Option<String>,
    datum: Option<String>,
    notitie: Option<String>,
    vink: Option<String>,
    bewijs: Option<String>,
    ontvink: Option<String>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl TriageForm {
    /// The dismissal reason: the free text wins over the select.
    fn reason(&self) -> Option<String> {
        non_empty(&self.toelichting).or_else(|| non_empty(&self.reden))
    }

    fn change(&self, ctx: &Ctx) -> Result<Change, TriageFail> {
        let state: Option<TState> = non_empty(&self.status).map(|s| s.parse()).transpose()?;
        let check = match non_empty(&self.vink) {
            Some(c) => Some((
                c.parse::<Criterion>()?,
                self.bewijs.clone().unwrap_or_default(),
            )),
            None => None,
        };
        Ok(Change {
            by: author(ctx),
            at: Utc::now(),
            state,
            reason: self.reason(),
            owner: non_empty(&self.eigenaar),
            due: non_empty(&self.datum).map(|d| parse_due(&d)).transpose()?,
            note: non_empty(&self.notitie),
            check,
            uncheck: non_empty(&self.ontvink).map(|c| c.parse()).transpose()?,
            ..Change::default()
        })
    }
}

/// Only local paths are followed after a form (no open redirect).
fn back_to(terug: Option<&str>, id: i64) -> String {
    match terug {
        Some(t) if t.starts_with('/') && !t.starts_with("//") && !t.contains('\\') => t.into(),
        _ => format!("/artikel/{id}"),
    }
}

async fn apply(
    state: Arc<State>,
    ctx: Ctx,
    id: String,
    build: impl FnOnce(&Ctx) -> Result<Change, TriageFail> + Send + 'static,
) -> Result<TriageItem, (StatusCode, String)> {
    let Ok(id) = id.parse::<i64>() else {
        return Err((StatusCode::NOT_FOUND, "Geen geldig artikelnummer.".into()));
    };
    tokio::task::spawn_blocking(move || {
        let change = build(&ctx).map_err(|e| message(&e))?;
        let mut store = state.store().map_err(|e| {
            tracing::error!("web triage: {e:#}");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Er ging iets mis in radar; er is niets opgeslagen.".to_string(),
            )
        })?;
        store.triage_apply(id, &change).map_err(|e| message(&e))
    })
    .await
    .map_err(|e| {
        tracing::error!("web worker: {e}");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Er ging iets mis in radar.".into(),
        )
    })?
}

fn form_result(ctx: &Ctx, res: Result<TriageItem, (StatusCode, String)>, back: String) -> Response {
    match res {
        Ok(_) => Redirect::to(&back).into_response(),
        Err((status, msg)) => {
            let body = html! {
                h1 { "Niet opgeslagen" }
                p.error role="alert" { (msg) }
                p { a href=(back) { "Terug" } }
            };
            (status, Html(page(ctx, "Niet opgeslagen", "", body))).into_response()
        }
    }
}

/// POST /artikel/{id}/volgen
pub async fn flag(
    AxState(state): AxState<Arc<State>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<TriageForm>,
) -> Response {
    let back = back_to(f.terug.as_deref(), id.parse().unwrap_or(0));
    let res = apply(state, ctx.clone(), id, move |ctx| {
        Ok(Change {
            flag: true,
            ..f.change(ctx)?
        })
    })
    .await;
    form_result(&ctx, res, back)
}

/// POST /artikel/{id}/afwijzen
pub async fn dismiss(
    AxState(state): AxState<Arc<State>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<TriageForm>,
) -> Response {
    let back = back_to(f.terug.as_deref(), id.parse().unwrap_or(0));
    let res = apply(state, ctx.clone(), id, move |ctx| {
        Ok(Change {
            state: Some(TState::Dismissed),
            ..f.change(ctx)?
        })
    })
    .await;
    form_result(&ctx, res, back)
}

/// POST /artikel/{id}/triage: state, owner, due date, note, criteria.
pub async fn update(
    AxState(state): AxState<Arc<State>>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    Form(f): Form<TriageForm>,
) -> Response {
    let back = back_to(f.terug.as_deref(), id.parse().unwrap_or(0));
    let res = apply(state, ctx.clone(), id, move |ctx| f.change(ctx)).await;
    form_result(&ctx, res, back)
}

/// The follow-up panel on Artikel.
pub fn panel(ctx: &Ctx, id: i64, item: Option<&TriageItem>) -> Markup {
    let current = item.map(|i| i.state).unwrap_or(TState::New);
    let back = format!("/artikel/{id}");
    let action = format!("/artikel/{id}/triage");
    html! {
        section.triage id="opvolging" {
            h2 { "Opvolging" }
            p.meta {
                "Status: " strong.state { (current.dutch()) }
                @if let Some(i) = item {
                    @if let Some(r) = &i.reason { " · reden: " (r) }
                    @if let Some(o) = &i.owner { " · eigenaar: " (o) }
                    @if let Some(d) = i.due { " · opvolgen op " (d.format("%d-%m-%Y")) }
                }
            }
            @if ctx.can_edit() {
                @if matches!(current, TState::New) { (lead_actions(ctx, id, &back, None)) }
                form.triage method="post" action=(action) {
                    input type="hidden" name="csrf" value=(ctx.csrf);
                    input type="hidden" name="terug" value=(back);
                    label { "Nieuwe status "
                        select name="status" {
                            option value="" { "ongewijzigd" }
                            @for s in current.allowed_next() { option value=(s.id()) { (s.dutch()) } }
                        }
                    }
                    label { "Reden (bij afwijzen) "
                        select name="reden" {
                            option value="" { "kies…" }
                            @for r in REASONS { option value=(r) { (r) } }
                        }
                    }
                    input type="text" name="toelichting" placeholder="of eigen reden" maxlength="300";
                    label { "Eigenaar " input type="text" name="eigenaar" maxlength="100" value=[item.and_then(|i| i.owner.as_deref())]; }
                    label { "Opvolgen op " input type="date" name="datum" value=[item.and_then(|i| i.due).map(|d| d.format("%Y-%m-%d").to_string())]; }
                    label.note { "Notitie " textarea name="notitie" rows="3" maxlength="4000" {} }
                    button type="submit" { "Opslaan" }
                }
            }
            h3 { "Koploper-checklist ("
                (item.map(|i| i.criteria.iter().filter(|c| c.checked).count()).unwrap_or(0))
                " van 4)" }
            ul.checklist {
                @for crit in Criterion::ALL {
                    @let c = item.and_then(|i| i.criteria.iter().find(|c| c.criterion == crit));
                    @let checked = c.is_some_and(|c| c.checked);
                    li class=(if checked { "met" } else { "unmet" }) {
                        span.mark { (if checked { "✓" } else { "✗" }) } " "
                        strong { (crit.dutch()) }
                        @if let Some(c) = c.filter(|c| c.checked) {
                            @if let Some(e) = &c.evidence { blockquote { (e) } }
                            @if let Some(by) = &c.by { span.meta { " door " (by) } }
                        }
                        @if ctx.can_edit() {
                            form.inline method="post" action=(format!("/artikel/{id}/triage")) {
                                input type="hidden" name="csrf" value=(ctx.csrf);
                                input type="hidden" name="terug" value=(format!("/artikel/{id}"));
                                @if checked {
                                    input type="hidden" name="ontvink" value=(crit.id());
                                    button type="submit" { "Uitvinken" }
                                } @else {
                                    input type="hidden" name="vink" value=(crit.id());
                                    input type="text" name="bewijs" placeholder="bewijs" maxlength="1000";
                                    button type="submit" { "Afvinken" }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(i) = item {
                @if !i.notes.is_empty() {
                    h3 { "Notities" }
                    ul.notes {
                        @for n in &i.notes {
                            li { span.meta { (crate::nltime::date_time(n.at)) " · " (n.author) } p { (n.text) } }
                        }
                    }
                }
                @if !i.history.is_empty() {
                    h3 { "Geschiedenis" }
                    table.history {
                        thead { tr { th { "wanneer" } th { "wie" } th { "wat" } th { "van" } th { "naar" } } }
                        tbody {
                            @for h in &i.history {
                                tr {
                                    td { (crate::nltime::date_time(h.at)) }
                                    td { (h.by) }
                                    td { (field_nl(&h.field)) }
                                    td { (h.from.as_deref().map(value_nl).unwrap_or_default()) }
                                    td { (h.to.as_deref().map(value_nl).unwrap_or_default()) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn field_nl(f: &str) -> String {
    match f {
        "state" => "status".into(),
        "owner" => "eigenaar".into(),
        "due" => "opvolgdatum".into(),
        "note" => "notitie".into(),
        f => match f.strip_prefix("criterion:") {
            Some(c) => format!(
                "criterium {}",
                c.parse::<Criterion>().map(|c| c.dutch()).unwrap_or(c)
            ),
            None => f.into(),
        },
    }
}

/// A state id in a history value becomes its Dutch name.
fn value_nl(v: &str) -> String {
    let (head, rest) = v.split_once(' ').unwrap_or((v, ""));
    match TState::ALL.iter().find(|s| s.id() == head) {
        Some(s) if rest.is_empty() => s.dutch().into(),
        Some(s) => format!("{} {rest}", s.dutch()),
        None => v.into(),
    }
}

/// `/opvolging` filters.
#[derive(Deserialize, Default)]
pub struct BoardParams {
    status: Option<String>,
    eigenaar: Option<String>,
    /// `1`: only items whose follow-up date has passed.
    verlopen: Option<String>,
}

fn board(state: &State, ctx: &Ctx, p: &BoardParams) -> Result<String, WebError> {
    let store = state.store()?;
    let wanted: Option<TState> = match non_empty(&p.status) {
        Some(s) if s == "open" => None,
        Some(s) => Some(s.parse().map_err(|e: TriageError| {
            WebError::new(StatusCode::BAD_REQUEST, capitalize(&e.to_string()))
        })?),
        None => None,
    };
    let open_only = wanted.is_none();
    let today = crate::nltime::today();
    let overdue_only = p.verlopen.as_deref() == Some("1");
    let owner = non_empty(&p.eigenaar);
    let all = store.triage_rows(wanted, open_only, None)?;
    let mut owners: Vec<String> = all.iter().filter_map(|r| r.owner.clone()).collect();
    owners.sort();
    owners.dedup();
    let rows: Vec<_> = all
        .into_iter()
        .filter(|r| {
            owner
                .as_deref()
                .is_none_or(|o| r.owner.as_deref() == Some(o))
        })
        .filter(|r| !overdue_only || r.due.is_some_and(|d| d < today))
        .collect();
    let body = html! {
        h1 { "Opvolging" }
        p.lead { "Leads die adviseurs volgen, op opvolgdatum (verlopen data gemarkeerd)." }
        form.filters method="get" action="/opvolging" {
            label { "Status "
                select name="status" {
                    option value="open" selected[wanted.is_none()] { "alles open" }
                    @for s in TState::ALL.iter().filter(|s| **s != TState::New) {
                        option value=(s.id()) selected[wanted == Some(*s)] { (s.dutch()) }
                    }
                }
            }
            label { "Eigenaar "
                select name="eigenaar" {
                    option value="" { "iedereen" }
                    @for o in &owners { option value=(o) selected[owner.as_deref() == Some(o.as_str())] { (o) } }
                }
            }
            label { input type="checkbox" name="verlopen" value="1" checked[overdue_only]; " alleen verlopen" }
            button type="submit" { "Filter" }
        }
        @if rows.is_empty() {
            p.empty { "Geen leads in opvolging met deze filters." }
        } @else {
            table.board {
                thead { tr { th { "opvolgen" } th { "status" } th { "lead" } th { "eigenaar" } th { "criteria" } th { "laatste notitie" } } }
                tbody {
                    @for r in &rows {
                        @let overdue = r.due.is_some_and(|d| d < today) && r.state.is_open();
                        tr class=[overdue.then_some("overdue")] {
                            td data-label="opvolgen" { @if let Some(d) = r.due { (d.format("%d-%m-%Y")) @if overdue { " " strong { "verlopen" } } } @else { "—" } }
                            td data-label="status" { (r.state.dutch()) @if let Some(re) = &r.reason { " (" (re) ")" } }
                            td.lead {
                                (score_badge(r.score)) " "
                                a href=(format!("/artikel/{}", r.article_id)) { (r.title) }
                                br;
                                span.meta { (r.source) @if let Some(d) = r.date { " · " (nl_date(d)) }
                                    @if let Some(u) = safe_href(r.url.as_deref()) { " · " a href=(u) rel="noopener noreferrer" target="_blank" { "origineel" } } }
                            }
                            td data-label="eigenaar" { (r.owner.as_deref().unwrap_or("—")) }
                            td.num data-label="criteria" { (r.criteria.len()) "/4" }
                            td data-label="laatste notitie" { (r.last_note.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
    };
    Ok(page(ctx, "Opvolging", "/opvolging", body))
}

/// GET /opvolging
pub async fn board_handler(
    AxState(state): AxState<Arc<State>>,
    Extension(ctx): Extension<Ctx>,
    Query(p): Query<BoardParams>,
) -> Result<Html<String>, Response> {
    let c = ctx.clone();
    super::blocking(move || board(&state, &c, &p))
        .await
        .map(Html)
        .map_err(|e| e.render(Some(&ctx)))
}

/// JSON body of the triage API (English keys, like the CLI flags).
#[derive(Deserialize, Default)]
pub struct ApiChange {
    state: Option<String>,
    reason: Option<String>,
    owner: Option<String>,
    due: Option<String>,
    note: Option<String>,
    check: Option<String>,
    evidence: Option<String>,
    uncheck: Option<String>,
}

impl ApiChange {
    fn into_form(self) -> TriageForm {
        TriageForm {
            terug: None,
            status: self.state,
            reden: None,
            toelichting: self.reason,
            eigenaar: self.owner,
            datum: self.due,
            notitie: self.note,
            vink: self.check,
            bewijs: self.evidence,
            ontvink: self.uncheck,
        }
    }
}

fn api_result(res: Result<TriageItem, (StatusCode, String)>) -> Response {
    match res {
        Ok(item) => Json(item).into_response(),
        Err((status, msg)) => (status, Json(serde_json::json!({ "error": msg }))).into_response(),
    }
}

/// The JSON body (empty means `{}`), or why it is not valid.
fn api_body(body: &[u8]) -> Result<ApiChange, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(ApiChange::default());
    }
    serde_json::from_slice(body).map_err(|e| format!("invalid JSON body: {e}"))
}

/// POST /api/articles/{id}/{action}: `flag`, `dismiss`, `triage`, `notes`.
pub async fn api(
    AxState(state): AxState<Arc<State>>,
    Extension(ctx): Extension<Ctx>,
    Path((id, action)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let b = match api_body(&body) {
        Ok(b) => b,
        Err(e) => return api_result(Err((StatusCode::BAD_REQUEST, e))),
    };
    if action == "notes" && non_empty(&b.note).is_none() {
        return api_result(Err(message(&TriageFail::Rule(TriageError::EmptyNote))));
    }
    let f = b.into_form();
    let res = match action.as_str() {
        "flag" => {
            apply(state, ctx, id, move |ctx| {
                Ok(Change {
                    flag: true,
                    ..f.change(ctx)?
                })
            })
            .await
        }
        "dismiss" => {
            apply(state, ctx, id, move |ctx| {
                Ok(Change {
                    state: Some(TState::Dismissed),
                    ..f.change(ctx)?
                })
            })
            .await
        }
        "triage" => apply(state, ctx, id, move |ctx| f.change(ctx)).await,
        "notes" => {
            apply(state, ctx, id, move |ctx| {
                Ok(Change {
                    by: author(ctx),
                    at: Utc::now(),
                    note: non_empty(&f.notitie),
                    ..Change::default()
                })
            })
            .await
        }
        _ => Err((StatusCode::NOT_FOUND, "unknown action".into())),
    };
    api_result(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_back() {
        assert_eq!(back_to(Some("/vandaag"), 3), "/vandaag");
        for bad in ["//evil.nl", "https://evil.nl", "/\\evil.nl", ""] {
            assert_eq!(back_to(Some(bad), 3), "/artikel/3", "{bad}");
        }
        assert_eq!(back_to(None, 7), "/artikel/7");
    }

    #[test]
    fn history_values_read_in_dutch() {
        assert_eq!(value_nl("in_assessment"), "in beoordeling");
        assert_eq!(value_nl("dismissed (al bekend)"), "afgewezen (al bekend)");
        assert_eq!(
            field_nl("criterion:resultaat"),
            "criterium aantoonbaar resultaat"
        );
    }
}
