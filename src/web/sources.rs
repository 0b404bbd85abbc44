//! GET /bronnen: sources and their last outcome, the tip form and the
//! form to add a source.
//! POST /bronnen/tip: the same code path as `radar tip` ([`crate::tip`]).
//! POST /bronnen/bron: checks the URL (a feed, a page that advertises
//! one, or a news page whose list of stories radar recognises;
//! [`crate::sources::add`], [`crate::intake::detect`]) and appends the
//! source to `<sources.dir>/web.toml`; the scheduler picks it up on its
//! next tick. For a list page, the stories read on it are shown after the
//! redirect, so the advisor sees what radar will follow.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::Extension;
use axum::extract::{Form, Query, State as AxState};
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

/// How many stories of a list page just added are shown.
const PREVIEW_STORIES: usize = 5;
/// How many recent previews are kept.
const PREVIEWS_KEPT: usize = 16;

/// What radar read on a list page just added.
#[derive(Clone, Default)]
struct Preview {
    /// How many stories it read.
    count: usize,
    /// The first of them: (title, link).
    stories: Vec<(String, String)>,
}

/// Previews of list pages just added, by source id.
#[derive(Default)]
pub struct Previews(Mutex<VecDeque<(String, Preview)>>);

impl Previews {
    fn put(&self, id: &str, items: &[crate::intake::listpage::ListItem]) {
        let stories = items
            .iter()
            .take(PREVIEW_STORIES)
            .map(|i| {
                (
                    i.title.clone().unwrap_or_else(|| i.url.clone()),
                    i.url.clone(),
                )
            })
            .collect();
        let preview = Preview {
            count: items.len(),
            stories,
        };
        let mut q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        q.retain(|(k, _)| k != id);
        q.push_back((id.to_string(), preview));
        while q.len() > PREVIEWS_KEPT {
            q.pop_front();
        }
    }

    fn get(&self, id: &str) -> Option<Preview> {
        let q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        q.iter().find(|(k, _)| k == id).map(|(_, v)| v.clone())
    }
}

/// A stored time for Dutch readers (dd-mm-jjjj uu:mm, UTC).
fn when(ts: Option<&str>) -> String {
    ts.and_then(crate::import::parse_date)
        .map(crate::nltime::date_time)
        .unwrap_or_else(|| "–".into())
}

fn body(
    state: &State,
    ctx: &Ctx,
    message: Option<(&str, String)>,
    preview: &[(String, String)],
    form: Option<&TipForm>,
    source_form: Option<&SourceForm>,
) -> Result<String, WebError> {
    let store = state.store()?;
    let rows = store.sources()?;
    let body = html! {
        h1 { "Bronnen" }
        @if let Some((class, m)) = &message { p class=(class) role="alert" { (m) } }
        @if !preview.is_empty() {
            div.preview {
                p { "Zo leest radar de lijst; de eerste berichten:" }
                ul { @for (title, link) in preview {
                    li { a href=(link) rel="noopener noreferrer nofollow" target="_blank" { (title) } }
                } }
                p.help { "Klopt dit niet, vraag de beheerder dan de selectors in de bronnenlijst aan te passen." }
            }
        }
        @if ctx.can_edit() {
            section.sourceform {
                h2 { "Bron toevoegen" }
                p.help { "De link van een RSS-, Atom- of JSON-feed, of van een nieuwspagina die haar feed aankondigt: radar controleert de link, zoekt zo nodig de feed erbij en haalt de bron voortaan op. Heeft een nieuwspagina geen feed, dan leest radar de lijst met berichten op de pagina zelf, als het die herkent. Nieuwsbrieven voegt de beheerder toe in de bronnenlijst." }
                form method="post" action="/bronnen/bron" {
                    input type="hidden" name="csrf" value=(ctx.csrf);
                    label { "Link (http of https)" input type="url" name="url" required value=(source_form.map(|f| f.url.as_str()).unwrap_or("")); }
                    label { "Naam (leeg: de naam van de feed)" input name="naam" maxlength="120" value=(source_form.and_then(|f| f.naam.as_deref()).unwrap_or("")); }
                    label { "Labels (met komma's, bijv. sector:vvt, regio:limburg)" input name="labels" maxlength="300" value=(source_form.and_then(|f| f.labels.as_deref()).unwrap_or("")); }
                    button type="submit" { "Bron toevoegen" }
                }
            }
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

/// Bronnen again, with `status`, a Dutch error message and what was typed
/// into the form that failed.
fn again(
    state: &State,
    ctx: &Ctx,
    status: StatusCode,
    msg: String,
    tip: Option<&TipForm>,
    source: Option<&SourceForm>,
) -> Response {
    match body(state, ctx, Some(("error", msg)), &[], tip, source) {
        Ok(b) => (status, Html(b)).into_response(),
        Err(e) => e.render(Some(ctx)),
    }
}

/// Query of GET /bronnen.
#[derive(Deserialize)]
pub struct PageQuery {
    /// Id of a source just added (after POST /bronnen/bron).
    toegevoegd: Option<String>,
}

/// GET /bronnen
pub async fn page_handler(
    AxState(state): AxState<Arc<State>>,
    Extension(ctx): Extension<Ctx>,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, Response> {
    // The message names the source from the store, never text from the URL.
    let preview = q
        .toegevoegd
        .as_deref()
        .and_then(|id| state.list_previews.get(id));
    let added = match q.toegevoegd.as_deref() {
        Some(id) => state
            .store()
            .and_then(|s| Ok(s.sources()?))
            .map_err(|e| WebError::from(e).render(Some(&ctx)))?
            .into_iter()
            .find(|s| s.id == id)
            .map(|s| {
                let count = preview.as_ref().map(|p| p.count);
                let how = match (s.kind.as_str(), count) {
                    ("page", Some(n)) => format!(
                        " Op die pagina staat geen feed; radar leest de lijst met berichten op de pagina zelf (nu {n} {}).",
                        if n == 1 { "bericht" } else { "berichten" }
                    ),
                    ("page", None) => " Op die pagina staat geen feed; radar leest de lijst met berichten op de pagina zelf.".to_string(),
                    _ => String::new(),
                };
                (
                    "ok",
                    format!(
                        "Bron ‘{}’ toegevoegd ({}).{how} radar haalt haar op bij de volgende ronde.",
                        s.name, s.url
                    ),
                )
            }),
        None => None,
    };
    let stories = match (&added, &preview) {
        (Some(_), Some(p)) => p.stories.as_slice(),
        _ => &[],
    };
    body(&state, &ctx, added, stories, None, None)
        .map(Html)
        .map_err(|e| e.render(Some(&ctx)))
}

/// The form to add a source.
#[derive(Deserialize)]
pub struct SourceForm {
    url: String,
    naam: Option<String>,
    labels: Option<String>,
}

/// Where sources added in the web interface are written.
pub const WEB_LIST: &str = "web.toml";

/// POST /bronnen/bron: on success to /bronnen with a message; otherwise the
/// form again with a Dutch message (400 bad link or label, 409 already
/// there, 422 no feed).
pub async fn add_source(
    AxState(state): AxState<Arc<State>>,
    Extension(ctx): Extension<Ctx>,
    Form(f): Form<SourceForm>,
) -> Response {
    use crate::sources::{self, add};
    let fail = |status, msg| again(&state, &ctx, status, msg, None, Some(&f));
    let url = match url::Url::parse(f.url.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => u,
        Ok(_) => {
            return fail(
                StatusCode::BAD_REQUEST,
                "Alleen http- en https-links kunnen als bron worden toegevoegd.".into(),
            );
        }
        Err(_) => return fail(StatusCode::BAD_REQUEST, "Dat is geen geldige link.".into()),
    };
    let mut tags = Vec::new();
    for t in f.labels.as_deref().unwrap_or("").split(',') {
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        if t.len() > 60 || t.chars().any(|c| c.is_control() || c == '"') {
            return fail(
                StatusCode::BAD_REQUEST,
                format!("Het label ‘{t}’ is te lang of bevat ongeldige tekens."),
            );
        }
        tags.push(t.to_string());
    }
    let cfg = &state.config;
    let dir = &cfg.sources.dir;
    let existing = match sources::load_dir(dir, cfg.sources.allow_files) {
        Ok(e) => e,
        Err(e) => return WebError::from(anyhow::Error::from(e)).render(Some(&ctx)),
    };
    if let Some(s) = add::same_url(url.as_str(), &existing) {
        return fail(
            StatusCode::CONFLICT,
            format!("Deze link staat er al in, als bron ‘{}’.", s.name),
        );
    }
    let fetcher = match crate::fetch::Fetcher::new(&cfg.fetch) {
        Ok(f) => f,
        Err(e) => return WebError::from(anyhow::anyhow!(e)).render(Some(&ctx)),
    };
    if let Err(e) = crate::fetch::ssrf::check_url_resolved(&url, fetcher.policy()).await {
        tracing::warn!(url = %url, "web: source refused: {e}");
        return fail(
            StatusCode::BAD_REQUEST,
            "Die link wijst naar een adres dat niet openbaar is (bijvoorbeeld een intern netwerk); radar haalt daar niets op.".into(),
        );
    }
    // A feed, or else the news list on the page (read as a list-page source).
    let (found_url, found_title, list) = match add::discover(&fetcher, url.as_str()).await {
        Ok(d) => {
            if d.via_page {
                if let Some(s) = add::same_url(&d.url, &existing) {
                    return fail(
                        StatusCode::CONFLICT,
                        format!(
                            "De feed van die pagina ({}) staat er al in, als bron ‘{}’.",
                            d.url, s.name
                        ),
                    );
                }
            }
            (d.url, d.title, None)
        }
        Err(add::DiscoverError::Fetch { message, .. }) => {
            return fail(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("radar kon de link niet ophalen ({message}). Er is niets toegevoegd."),
            );
        }
        Err(add::DiscoverError::NoFeed {
            final_url, page, ..
        }) => {
            let at = final_url.clone();
            let detected =
                tokio::task::spawn_blocking(move || crate::intake::detect::detect_list(&page, &at))
                    .await
                    .ok()
                    .flatten();
            let Some(d) = detected else {
                return fail(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Op die pagina staat geen feed, en radar herkent er geen lijst met berichten op. Een nieuwspagina zonder feed kan de beheerder als lijstpagina (kind = \"page\") met eigen selectors aan de bronnenlijst toevoegen.".into(),
                );
            };
            if let Some(s) = add::same_url(&final_url, &existing) {
                return fail(
                    StatusCode::CONFLICT,
                    format!("Deze link staat er al in, als bron ‘{}’.", s.name),
                );
            }
            (final_url, d.title.clone(), Some(d))
        }
        Err(add::DiscoverError::NotAFeed { .. }) => {
            return fail(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Dat is geen feed en geen webpagina die radar kan lezen. Er is niets toegevoegd."
                    .into(),
            );
        }
    };
    let name = f
        .naam
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .or_else(|| found_title.filter(|t| !t.is_empty()))
        .unwrap_or_else(|| url.host_str().unwrap_or("bron").to_string());
    let name: String = name.chars().filter(|c| !c.is_control()).take(120).collect();
    let id = add::unique_id(&name, &existing);
    let new = match &list {
        None => sources::opml::NewSource::feed(id, name, found_url, tags),
        Some(d) => sources::opml::NewSource::page(id, name, found_url, tags, &d.rules),
    };
    let toml = sources::opml::to_toml(std::slice::from_ref(&new));
    let by = ctx.user.as_ref().map(|u| u.name.as_str()).unwrap_or("open");
    let header =
        "# Sources added in the web interface (Bronnen → Bron toevoegen). Edit freely.\n\n";
    let entry = format!(
        "# added by {} on {}{}\n{}",
        by.replace(['\n', '\r'], " "),
        chrono::Utc::now().format("%Y-%m-%d"),
        if list.is_some() {
            "; no feed on the page, its news list was recognised (check the selectors)"
        } else {
            ""
        },
        toml
    );
    let target = dir.join(WEB_LIST);
    if let Err(e) = add::append_entries(&target, header, &entry, cfg.sources.allow_files) {
        return WebError::from(e).render(Some(&ctx));
    }
    // Show it in the table at once; the scheduler polls it on its next tick.
    let synced = sources::load_dir(dir, cfg.sources.allow_files)
        .map_err(anyhow::Error::from)
        .and_then(|all| Ok(state.store()?.sync_sources(&all)?));
    if let Err(e) = synced {
        tracing::warn!("web: source list written but not synced: {e:#}");
    }
    if let Some(d) = &list {
        state.list_previews.put(&new.id, &d.items);
    }
    tracing::info!(id = %new.id, url = %new.url, by, "web: source added");
    let q = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("toegevoegd", &new.id)
        .finish();
    Redirect::to(&format!("/bronnen?{q}")).into_response()
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
    let fail = |status, msg| again(&state, &ctx, status, msg, Some(&f), None);
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
