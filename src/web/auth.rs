//! Log-in, sessions, CSRF and roles.
//!
//! * Passwords: argon2id (the `argon2` crate's defaults), verified on a
//!   blocking thread.
//! * Sessions: a random 256-bit token in the `radar_session` cookie
//!   (HttpOnly, SameSite=Strict, Secure unless bound on loopback); the
//!   store keeps only its SHA-256, with an expiry (`web.session_hours`).
//! * CSRF: every state-changing request (anything but GET/HEAD) must carry
//!   the token of its session, as the form field `csrf` or the header
//!   `X-CSRF-Token`; without a session (log-in form, open mode) the token
//!   is the `radar_csrf` cookie's (double submit). A cross-site `Origin`
//!   is refused too. Rejections are 403.
//! * Roles: `advisor` may change things, `viewer` only reads (403 on any
//!   POST but log-out). In open mode (no users, loopback) everyone is an
//!   advisor.

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{Form, Query, Request, State as AxState};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{State, WebError, layout};
use crate::store::User;

const SESSION_COOKIE: &str = "radar_session";
const CSRF_COOKIE: &str = "radar_csrf";
/// Largest form body accepted (forms here are a few fields).
const MAX_FORM_BYTES: usize = 64 * 1024;

/// Who is asking, and the CSRF token their forms must carry.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The logged-in user; `None` in open mode or on public pages.
    pub user: Option<User>,
    /// No user accounts, loopback: no log-in needed.
    pub open: bool,
    /// Token for the `csrf` field of every form.
    pub csrf: String,
    /// Cookies get `Secure`: bound off loopback, or behind a TLS proxy.
    pub secure: bool,
}

impl Ctx {
    /// Whether this visitor may change things (tips, later triage).
    pub fn can_edit(&self) -> bool {
        self.open || self.user.as_ref().is_some_and(|u| u.role == "advisor")
    }
}

/// A fresh random token (256 bits, hex).
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    getrandom::getrandom(&mut b).expect("the operating system's random source failed");
    hex(&b)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn sha256_hex(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt)?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    Ok(argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))?
        .to_string())
}

/// Whether `password` matches the stored PHC `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Log-in names: 1–64 of letters, digits, `.`, `-`, `_`.
pub fn check_user_name(name: &str) -> Result<(), String> {
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return Err(format!(
            "user name {name:?}: use 1-64 letters, digits, '.', '-' or '_'"
        ));
    }
    Ok(())
}

/// Passwords: at least 10 characters.
pub fn check_password(p: &str) -> Result<(), String> {
    if p.chars().count() < 10 {
        return Err("password: at least 10 characters please (from RADAR_PASSWORD or the first line of stdin)".into());
    }
    Ok(())
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie values are hex")
}

fn same(a: &str, b: &str) -> bool {
    // constant time in the length of the expected token
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Whether a reverse proxy forwarded the request. A proxy on this machine
/// makes a loopback bind reachable from the network, so open mode (no
/// users, loopback) must not apply to its requests.
fn proxied(headers: &HeaderMap) -> bool {
    [
        "forwarded",
        "x-forwarded-for",
        "x-forwarded-host",
        "x-real-ip",
    ]
    .iter()
    .any(|h| headers.contains_key(*h))
}

/// Whether the visitor reached radar over TLS through a proxy.
fn forwarded_https(headers: &HeaderMap) -> bool {
    let xfp = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let fwd = headers
        .get("forwarded")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("proto=https"));
    xfp || fwd
}

fn is_public(path: &str) -> bool {
    path == "/login" || path.starts_with("/static/") || path.starts_with("/feeds/")
}

/// Whether an `Origin` header (when sent) names this host.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    // The host the browser used: Host, or what a reverse proxy that
    // rewrites Host reports in X-Forwarded-Host. (A page on another site
    // cannot make a browser send X-Forwarded-Host with a form.)
    let hosts: Vec<&str> = [header::HOST.as_str(), "x-forwarded-host"]
        .iter()
        .filter_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()))
        .filter_map(|v| v.split(',').next().map(str::trim))
        .collect();
    url::Url::parse(origin).is_ok_and(|u| {
        let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
        let seen = format!("{}{port}", u.host_str().unwrap_or(""));
        hosts.iter().any(|h| h.eq_ignore_ascii_case(&seen))
    })
}

fn forbidden(api: bool, msg: &str) -> Response {
    let e = WebError::new(StatusCode::FORBIDDEN, msg);
    if api { e.json() } else { e.render(None) }
}

/// The guard around every route: identifies the visitor, sends anonymous
/// visitors to the log-in page (401 for `/api`), checks CSRF, origin and
/// role on every state-changing request, and puts a [`Ctx`] in the
/// request for the handlers.
pub async fn guard(AxState(state): AxState<Arc<State>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let api = path.starts_with("/api/");
    let store = match state.store() {
        Ok(s) => s,
        Err(e) => return WebError::from(e).render(None),
    };
    let users = match store.user_count() {
        Ok(n) => n,
        Err(e) => return WebError::from(e).render(None),
    };
    let via_proxy = proxied(req.headers());
    let open = users == 0 && state.loopback && !via_proxy;
    if users == 0 && via_proxy && !is_public(&path) {
        let msg = "radar heeft nog geen gebruikersaccounts en is daarom alleen op deze computer zelf open, \
                   niet via een proxy. Vraag de beheerder een account aan te maken \
                   (radar user add NAAM --role advisor).";
        return forbidden(api, msg);
    }
    let session = match cookie(req.headers(), SESSION_COOKIE) {
        Some(tok) => match store.session(&sha256_hex(&tok)) {
            Ok(s) => s,
            Err(e) => return WebError::from(e).render(None),
        },
        None => None,
    };
    drop(store);
    if !open && session.is_none() && !is_public(&path) {
        if api {
            return WebError::new(StatusCode::UNAUTHORIZED, "log-in required").json();
        }
        let here = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let next_q = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("next", here)
            .finish();
        return Redirect::to(&format!("/login?{next_q}")).into_response();
    }
    let cookie_csrf = cookie(req.headers(), CSRF_COOKIE).filter(|c| c.len() == 64);
    let new_csrf_cookie = session.is_none() && cookie_csrf.is_none();
    let ctx = Ctx {
        open,
        csrf: match (&session, &cookie_csrf) {
            (Some(s), _) => s.csrf.clone(),
            (None, Some(c)) => c.clone(),
            (None, None) => random_token(),
        },
        user: session.map(|s| s.user),
        secure: state.secure_cookies() || forwarded_https(req.headers()),
    };
    let mut req = req;
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        if !same_origin(req.headers()) {
            return forbidden(api, "Verzoek van een andere website geweigerd.");
        }
        let header_token = req
            .headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let (parts, body) = req.into_parts();
        let bytes = match axum::body::to_bytes(body, MAX_FORM_BYTES).await {
            Ok(b) => b,
            Err(_) => {
                return WebError::new(StatusCode::PAYLOAD_TOO_LARGE, "Formulier te groot.")
                    .render(None);
            }
        };
        let form_token = url::form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned());
        let given = header_token.or(form_token).unwrap_or_default();
        if new_csrf_cookie || !same(&given, &ctx.csrf) {
            return forbidden(
                api,
                "Dit formulier is verlopen of ongeldig (CSRF-controle). Laad de pagina opnieuw en probeer het nog eens.",
            );
        }
        if !ctx.can_edit() && path != "/logout" && path != "/login" {
            return forbidden(
                api,
                "Uw account mag alleen lezen (rol viewer); vraag een adviseur om dit te doen.",
            );
        }
        req = Request::from_parts(parts, axum::body::Body::from(bytes));
    }
    req.extensions_mut().insert(ctx.clone());
    let mut res = next.run(req).await;
    // Only pages carry forms; never put a token on a cacheable response
    // (the stylesheet) or a feed.
    let is_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if new_csrf_cookie && is_page {
        res.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &ctx.csrf, None, ctx.secure),
        );
    }
    res
}

/// Failed log-ins within this window count against a name.
const FAIL_WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);
/// Failed log-ins per name and window before further attempts are refused.
const MAX_FAILURES: usize = 5;

/// Failed log-in attempts per (lower-cased) name, in memory: after
/// [`MAX_FAILURES`] within [`FAIL_WINDOW`] the name is locked for the rest
/// of the window (429), whatever the password, so guessing is slow.
#[derive(Default)]
pub struct Throttle(std::sync::Mutex<std::collections::HashMap<String, Vec<std::time::Instant>>>);

impl Throttle {
    fn key(name: &str) -> String {
        name.trim().to_lowercase()
    }

    /// Whether `name` may try now.
    pub fn allowed(&self, name: &str) -> bool {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let now = std::time::Instant::now();
        let entry = m.entry(Self::key(name)).or_default();
        entry.retain(|t| now.duration_since(*t) < FAIL_WINDOW);
        entry.len() < MAX_FAILURES
    }

    /// Records a failed attempt.
    pub fn failed(&self, name: &str) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // bound memory: forget everything when many names are being tried
        if m.len() > 10_000 {
            m.clear();
        }
        m.entry(Self::key(name))
            .or_default()
            .push(std::time::Instant::now());
    }

    /// Forgets the failures of `name` (after a good log-in).
    pub fn clear(&self, name: &str) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.remove(&Self::key(name));
    }
}

/// `next` after log-in: a local path only (no `//host` or `/\host`).
fn local_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => {
            n.to_string()
        }
        _ => "/vandaag".into(),
    }
}

/// `?next=` of the log-in page.
#[derive(Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

/// GET /login
pub async fn login_page(
    axum::Extension(ctx): axum::Extension<Ctx>,
    Query(q): Query<NextParam>,
) -> Html<String> {
    Html(login_form(&ctx, q.next.as_deref(), None))
}

fn login_form(ctx: &Ctx, next: Option<&str>, error: Option<&str>) -> String {
    let body = html! {
        h1 { "Inloggen" }
        @if ctx.open {
            p.note { "radar draait zonder gebruikersaccounts en is alleen op deze computer bereikbaar; inloggen is niet nodig." }
        }
        @if let Some(e) = error { p.error role="alert" { (e) } }
        form.login method="post" action="/login" {
            input type="hidden" name="csrf" value=(ctx.csrf);
            input type="hidden" name="next" value=(local_next(next));
            label { "Naam" input name="name" autocomplete="username" required autofocus; }
            label { "Wachtwoord" input type="password" name="password" autocomplete="current-password" required; }
            button type="submit" { "Inloggen" }
        }
    };
    layout::page(ctx, "Inloggen", "", body)
}

/// The log-in form.
#[derive(Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    next: Option<String>,
}

/// POST /login
pub async fn login(
    AxState(state): AxState<Arc<State>>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    Form(f): Form<LoginForm>,
) -> Result<Response, WebError> {
    if !state.failures.allowed(&f.name) {
        tracing::warn!(name = %f.name, "web: log-in refused, too many failures");
        let page = login_form(
            &ctx,
            f.next.as_deref(),
            Some(
                "Te veel mislukte pogingen voor deze naam. Probeer het over een kwartier opnieuw.",
            ),
        );
        return Ok((StatusCode::TOO_MANY_REQUESTS, Html(page)).into_response());
    }
    let mut store = state.store()?;
    let found = store.user_auth(f.name.trim())?;
    let password = f.password;
    let ok_user = tokio::task::spawn_blocking(move || match found {
        Some((u, hash)) if verify_password(&password, &hash) => Some(u),
        Some(_) => None,
        None => {
            // Same work for unknown names, so timing does not tell which.
            let _ = hash_password(&password);
            None
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!("password check: {e}"))?;
    let Some(user) = ok_user else {
        tracing::warn!(name = %f.name, "web: failed log-in");
        state.failures.failed(&f.name);
        let page = login_form(
            &ctx,
            f.next.as_deref(),
            Some("Onbekende naam of verkeerd wachtwoord."),
        );
        return Ok((StatusCode::UNAUTHORIZED, Html(page)).into_response());
    };
    state.failures.clear(&f.name);
    let token = random_token();
    let hours = i64::from(state.config.web.session_hours);
    store.create_session(
        &sha256_hex(&token),
        user.id,
        &random_token(),
        chrono::Utc::now() + chrono::Duration::hours(hours),
    )?;
    let mut res = Redirect::to(&local_next(f.next.as_deref())).into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, Some(hours * 3600), ctx.secure),
    );
    Ok(res)
}

/// POST /logout
pub async fn logout(
    AxState(state): AxState<Arc<State>>,
    axum::Extension(ctx): axum::Extension<Ctx>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    if let Some(tok) = cookie(&headers, SESSION_COOKIE) {
        state.store()?.delete_session(&sha256_hex(&tok))?;
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), ctx.secure),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("x", "not a hash"));
        // salted: the same password hashes differently
        assert_ne!(h, hash_password("correct horse battery").unwrap());
    }

    #[test]
    fn next_after_login_stays_on_this_site() {
        assert_eq!(local_next(Some("/zoeken?q=x")), "/zoeken?q=x");
        for bad in ["//evil.nl/", "/\\evil.nl", "https://evil.nl", "zoeken"] {
            assert_eq!(local_next(Some(bad)), "/vandaag", "{bad}");
        }
    }

    #[test]
    fn names_and_passwords_are_checked() {
        assert!(check_user_name("anna.de-vries_2").is_ok());
        for bad in ["", "anna devries", "<script>", &"a".repeat(65)] {
            assert!(check_user_name(bad).is_err(), "{bad}");
        }
        assert!(check_password("kort").is_err());
        assert!(check_password("lang genoeg wachtwoord").is_ok());
    }

    #[test]
    fn cross_site_origins_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&h));
        // Behind a proxy that rewrites Host and says so.
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://radar.zorg.example"),
        );
        assert!(!same_origin(&h));
        h.insert(
            "x-forwarded-host",
            HeaderValue::from_static("radar.zorg.example"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h));
    }
}
