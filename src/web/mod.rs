//! `radar serve`: the web interface (server-rendered Dutch HTML that works
//! without JavaScript) and the JSON API under `/api`, over the same library
//! calls as the CLI.
//!
//! * The store is opened per request (SQLite in WAL mode: readers never
//!   wait for `radar fetch`); the read-only search index is shared and
//!   reloaded before each search, so other processes' commits show up.
//!   Only a tip opens the index writer, for that one request.
//! * Everything from feeds is untrusted: pages are rendered with maud,
//!   which escapes by default; links to originals are http(s) only, open
//!   outside radar (`rel="noopener noreferrer"`) and are never framed.
//! * Security (see [`auth`]): with no user accounts radar only listens on
//!   loopback and is open there; otherwise every page needs a log-in
//!   (session cookie: HttpOnly, SameSite=Strict, Secure unless on
//!   loopback), every POST carries a CSRF token, and a viewer only reads.
//!   Every response gets a strict Content-Security-Policy (no inline
//!   scripts or styles), `X-Frame-Options: DENY` and `nosniff`.
//!
//! One file per page; [`search`] is the search shared by the Zoeken page,
//! `/api/search` and the Atom feeds.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

use crate::config::Config;
use crate::index::SearchIndex;
use crate::pipeline::Ranker;
use crate::store::Store;

mod api;
mod article;
pub mod auth;
mod feeds;
mod layout;
mod overview;
pub mod search;
mod search_view;
mod sources;
mod today;
mod triage;

pub use auth::Ctx;

/// What every request shares.
pub struct State {
    /// The configuration.
    pub config: Config,
    /// The scoring rules (explanations use the current rules).
    pub ranker: Ranker,
    index: SearchIndex,
    data_dir: PathBuf,
    /// Bound on a loopback address (open mode is allowed, cookies are not Secure).
    loopback: bool,
    /// Failed log-ins per name, for throttling.
    failures: auth::Throttle,
    /// The first stories of list pages just added on Bronnen, to show
    /// after the redirect (the newest few; lost on restart, which is fine).
    pub(crate) list_previews: sources::Previews,
}

impl State {
    /// Checks the bind address against the user accounts (no users: only
    /// loopback) and opens the data directory. Fails before anything
    /// listens.
    pub fn prepare(config: Config, ranker: Ranker, bind: SocketAddr) -> anyhow::Result<Arc<State>> {
        let data_dir = config.data_dir.clone();
        let (store, index) =
            crate::cli::open_data(&data_dir, false, config.index.writer_memory_mb)?;
        let loopback = bind.ip().is_loopback();
        if !loopback && store.user_count()? == 0 {
            anyhow::bail!(
                "refusing to listen on {bind}: there are no user accounts, so the web interface \
                 would be open to the network. Add one with `radar user add NAME --role advisor` \
                 (password from RADAR_PASSWORD or stdin), or bind to 127.0.0.1"
            );
        }
        Ok(Arc::new(State {
            config,
            ranker,
            index,
            data_dir,
            loopback,
            failures: auth::Throttle::default(),
            list_previews: sources::Previews::default(),
        }))
    }

    /// Opens the store for one request.
    pub fn store(&self) -> anyhow::Result<Store> {
        Ok(Store::open(&self.data_dir.join("radar.db"))?)
    }

    /// The shared read-only index, reloaded to see the latest commits.
    fn index(&self) -> anyhow::Result<&SearchIndex> {
        self.index.reload()?;
        Ok(&self.index)
    }

    /// Opens the index writer for one change (a tip).
    fn index_writer(&self) -> Result<SearchIndex, crate::index::IndexError> {
        SearchIndex::open(
            &self.data_dir.join("search"),
            true,
            self.config.index.writer_memory_mb,
        )
    }

    /// Whether the interface is open: no user accounts, on loopback.
    pub fn open_mode(&self) -> anyhow::Result<bool> {
        Ok(self.loopback && self.store()?.user_count()? == 0)
    }

    /// Whether cookies get the Secure flag (everywhere but loopback).
    fn secure_cookies(&self) -> bool {
        !self.loopback
    }
}

/// The whole application: pages, API, feeds, static files, with the
/// log-in/CSRF guard and the security headers around everything.
pub fn router(state: Arc<State>) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/vandaag") }),
        )
        .route("/vandaag", get(today::page_handler))
        .route("/zoeken", get(search_view::page_handler))
        .route("/artikel/{id}", get(article::page_handler))
        .route("/artikel/{id}/volgen", post(triage::flag))
        .route("/artikel/{id}/afwijzen", post(triage::dismiss))
        .route("/artikel/{id}/triage", post(triage::update))
        .route("/opvolging", get(triage::board_handler))
        .route("/bronnen", get(sources::page_handler))
        .route("/bronnen/tip", post(sources::tip))
        .route("/bronnen/bron", post(sources::add_source))
        .route("/overzicht", get(overview::page_handler))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/static/radar.css", get(css))
        .route("/static/favicon.svg", get(favicon))
        .route("/api/search", get(api::search))
        .route("/api/candidates", get(api::candidates))
        .route("/api/articles/{id}", get(api::article))
        .route("/api/articles/{id}/{action}", post(triage::api))
        .route("/api/sources", get(api::sources))
        .route("/feeds/search.atom", get(feeds::search))
        .route("/feeds/leads.atom", get(feeds::leads))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::guard,
        ))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(state)
}

/// Serves until `shutdown` completes.
pub async fn serve(
    state: Arc<State>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

/// The Content-Security-Policy of every response.
pub const CSP: &str = "default-src 'self'; script-src 'none'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let is_static = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // "same-origin", not "no-referrer": under "no-referrer" browsers send
    // `Origin: null` with every form POST (Fetch standard), which the
    // same-origin check must refuse, so nobody could log in. Addresses
    // (with search words) still never leave radar in a Referer header.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !is_static {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("radar.css"),
    )
        .into_response()
}

/// The tab icon (a radar sweep); linked from every page so browsers do
/// not ask for a missing /favicon.ico.
async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("favicon.svg"),
    )
        .into_response()
}

async fn not_found(ctx: axum::Extension<Ctx>) -> Response {
    WebError::new(StatusCode::NOT_FOUND, "Deze pagina bestaat niet.").render(Some(&ctx))
}

/// An error page: status and a Dutch message for the reader. Internal
/// errors are logged in full and shown briefly.
#[derive(Debug)]
pub struct WebError {
    status: StatusCode,
    message: String,
}

impl WebError {
    /// An error with this status and Dutch message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> WebError {
        WebError {
            status,
            message: message.into(),
        }
    }

    fn render(&self, ctx: Option<&Ctx>) -> Response {
        let body = layout::error_page(ctx, self.status, &self.message);
        (self.status, Html(body)).into_response()
    }

    fn json(&self) -> Response {
        (
            self.status,
            axum::Json(serde_json::json!({ "error": self.message })),
        )
            .into_response()
    }
}

impl From<anyhow::Error> for WebError {
    fn from(e: anyhow::Error) -> WebError {
        tracing::error!("web: {e:#}");
        WebError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Er ging iets mis in radar; de beheerder vindt de details in het log.",
        )
    }
}

impl From<crate::store::StoreError> for WebError {
    fn from(e: crate::store::StoreError) -> WebError {
        anyhow::Error::from(e).into()
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.render(None)
    }
}

/// Runs store and index work on the blocking pool, so a slow search does
/// not hold up the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, WebError> + Send + 'static,
) -> Result<T, WebError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| WebError::from(anyhow::anyhow!("web worker: {e}")))?
}

/// Only http(s) links from feeds become hrefs (a `javascript:` link stays text).
pub fn safe_href(url: Option<&str>) -> Option<&str> {
    let u = url?.trim();
    let lower = u.get(..8).unwrap_or(u).to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then_some(u)
}

/// A date for Dutch readers (dd-mm-jjjj, Dutch local time).
pub use crate::nltime::date as nl_date;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_links_become_hrefs() {
        assert_eq!(safe_href(Some(" https://a.nl/x ")), Some("https://a.nl/x"));
        assert_eq!(safe_href(Some("HTTP://a.nl")), Some("HTTP://a.nl"));
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:x",
            "data:text/html,x",
            "//evil.nl",
            "/x",
        ] {
            assert_eq!(safe_href(Some(bad)), None, "{bad}");
        }
        assert_eq!(safe_href(None), None);
    }
}
