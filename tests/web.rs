//! The web interface and JSON API, tested through the router without a
//! socket (tower `oneshot`): every route's status, log-in, CSRF and role
//! checks, JSON shapes, and hostile feed content rendered inert.

mod common;

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use chrono::{Duration, Utc};
use radar::config::Config;
use radar::extract::ArticleDraft;
use radar::index::SearchIndex;
use radar::pipeline::{Ranker, process_pending};
use radar::store::Store;
use radar::web::{self, State};
use tower::ServiceExt;

use common::{Route, TestServer, read_fixture};

const XSS_TITLE: &str =
    "<script>alert('titel')</script>Zij-instromers <img src=x onerror=alert(1)> in Twente";
const XSS_AUTHOR: &str = "\"><script>alert('auteur')</script>";
const XSS_SOURCE: &str = "<script>alert('bron')</script>Vijandig Nieuws";
const XSS_BODY: &str =
    "</p><script>alert('tekst')</script><iframe src=\"javascript:alert(1)\"></iframe>";
const XSS_TIP: &str = "<svg onload=alert('tip')>";
const XSS_ERROR: &str = "HTTP 500: <script>alert('fout')</script>";

const LEAD_TEXT: &str = "Zes zorgorganisaties in Twente hebben samen met het ROC in twee jaar \
    tijd 42 zij-instromers naar een diploma verzorgende IG gebracht. De leerlingpoule is een \
    gezamenlijke instroomroute van VVT-aanbieders en het ROC. Deelnemers leren in de praktijk \
    en krijgen een vaste werkbegeleider. Het resultaat: 42 gediplomeerde zij-instromers en \
    minder uitstroom in het eerste jaar. Andere regio's willen de aanpak overnemen; de \
    organisaties delen hun draaiboek zodat de werkwijze elders kan worden toegepast.";

struct Site {
    _dir: tempfile::TempDir,
    data: PathBuf,
    config: Config,
    /// id of the hostile article
    hostile: i64,
    /// id of a plain lead
    lead: i64,
}

fn draft(
    guid: &str,
    url: &str,
    title: &str,
    author: Option<&str>,
    days_ago: i64,
    text: &str,
) -> ArticleDraft {
    ArticleDraft::new(
        Some(guid.into()),
        Some(url.into()),
        title,
        author.map(str::to_string),
        Some(Utc::now() - Duration::days(days_ago)),
        None,
        text.into(),
    )
}

/// A data dir with a hostile source and article, a lead, and some others.
fn site_with(page_size: usize) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut config = Config {
        data_dir: data.clone(),
        ..Config::default()
    };
    config.web.page_size = page_size;
    // The tip test fetches from a server on 127.0.0.1.
    config.fetch.allow_networks = vec!["127.0.0.1/32".into()];
    // Sources added in the web interface are written here.
    config.sources.dir = dir.path().join("feeds");
    std::fs::create_dir_all(&config.sources.dir).unwrap();
    config.fetch.per_host_delay_ms = 0;
    let (mut store, mut index) = radar::cli::open_data(&data, true, 64).unwrap();
    store.ensure_import_source("vijandig", XSS_SOURCE).unwrap();
    store.ensure_import_source("regio", "Regio Zorg").unwrap();
    store
        .upsert_articles(
            "vijandig",
            &[draft(
                "x1",
                "javascript:alert(document.cookie)",
                XSS_TITLE,
                Some(XSS_AUTHOR),
                1,
                &format!("{LEAD_TEXT}\n\n{XSS_BODY}"),
            )],
        )
        .unwrap();
    store
        .upsert_articles(
            "regio",
            &[
                draft(
                    "r1",
                    "https://regio.example/leerwerkplaats",
                    "Leerwerkplaats voor zij-instromers in de wijkverpleging in Assen",
                    Some("Redactie"),
                    2,
                    "Een zorggroep in Assen begint samen met het ROC een leerwerkplaats voor \
                     zij-instromers in de wijkverpleging. Het resultaat na een jaar: twintig \
                     nieuwe collega's. Andere zorggroepen in Drenthe willen de aanpak overnemen.",
                ),
                draft(
                    "r2",
                    "https://regio.example/mri",
                    "Tweede MRI-scanner in gebruik in Tilburg",
                    None,
                    20,
                    "Het ziekenhuis heeft een tweede MRI-scanner in gebruik genomen.",
                ),
                draft(
                    "r3",
                    "https://regio.example/buurthuis",
                    "Nieuw buurthuis in Zwolle geopend",
                    None,
                    30,
                    "In Zwolle is een nieuw buurthuis geopend met een grote zaal.",
                ),
            ],
        )
        .unwrap();
    let hostile = store
        .recent_ids(Utc::now() - Duration::days(400), 100)
        .unwrap();
    assert_eq!(hostile.len(), 4);
    process_pending(&mut store, &mut index, &Ranker::builtin()).unwrap();
    let ids = |title: &str| {
        let all = store.articles(&hostile).unwrap();
        all.iter().find(|a| a.title.contains(title)).unwrap().id
    };
    let (h, lead) = (ids("Twente"), ids("Leerwerkplaats"));
    store.record_tip(h, Some(XSS_TIP), Some(XSS_TIP)).unwrap();
    // A failing source whose server put markup in the error.
    store
        .record_fetch(
            "vijandig",
            &radar::store::FetchRecord {
                started_at: Utc::now(),
                elapsed_ms: 5,
                outcome: "http_status".into(),
                http_status: Some(500),
                error: Some(XSS_ERROR.into()),
                state: None,
                new: 0,
                updated: 0,
                unchanged: 0,
            },
        )
        .unwrap();
    process_pending(&mut store, &mut index, &Ranker::builtin()).unwrap();
    let a = store.article(h).unwrap().unwrap();
    assert!(
        a.score.unwrap_or(0.0) >= config.rank.min_score,
        "the hostile article must be a candidate for these tests (score {:?})",
        a.score
    );
    Site {
        _dir: dir,
        data,
        config,
        hostile: h,
        lead,
    }
}

fn site() -> Site {
    site_with(20)
}

impl Site {
    fn state(&self, bind: &str) -> Arc<State> {
        State::prepare(
            self.config.clone(),
            Ranker::builtin(),
            bind.parse().unwrap(),
        )
        .unwrap()
    }
    fn store(&self) -> Store {
        Store::open(&self.data.join("radar.db")).unwrap()
    }
    fn add_user(&self, name: &str, role: &str, password: &str) -> String {
        let token = web::auth::random_token();
        self.store()
            .upsert_user(
                name,
                role,
                &web::auth::hash_password(password).unwrap(),
                &token,
            )
            .unwrap();
        token
    }
}

async fn send(
    state: &Arc<State>,
    req: Request<Body>,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let res: Response<Body> = web::router(state.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = axum::body::to_bytes(res.into_body(), 10 << 20)
        .await
        .unwrap();
    (status, headers, String::from_utf8(body.to_vec()).unwrap())
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

fn get_with(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

fn post(path: &str, cookie: &str, form: &[(&str, &str)]) -> Request<Body> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .header(header::HOST, "127.0.0.1:8080")
        .body(Body::from(body))
        .unwrap()
}

/// The value of a cookie set by a response.
fn set_cookie(h: &axum::http::HeaderMap, name: &str) -> Option<String> {
    h.get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

fn cookie_value(set: &str) -> String {
    set.split(';').next().unwrap().to_string()
}

/// The CSRF token in a page's forms.
fn csrf_in(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .expect("page has a csrf field")
        + 19;
    page[at..at + 64].to_string()
}

fn assert_inert(page: &str) {
    let lower = page.to_ascii_lowercase();
    for bad in [
        "<script",
        "<img",
        "<iframe",
        "<svg onload",
        "href=\"javascript:",
    ] {
        assert!(!lower.contains(bad), "unescaped {bad:?} in page:\n{page}");
    }
}

#[tokio::test]
async fn every_page_answers_in_open_mode_with_strict_headers() {
    let s = site();
    let st = s.state("127.0.0.1:8080");
    let lead = s.lead;
    for path in [
        "/vandaag".to_string(),
        "/vandaag?dagen=7".into(),
        "/zoeken".into(),
        "/zoeken?q=zij-instromers".into(),
        format!("/artikel/{lead}"),
        "/bronnen".into(),
        "/overzicht".into(),
        "/overzicht?dagen=0".into(),
        "/login".into(),
    ] {
        let (status, h, body) = send(&st, get(&path)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(
            h[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        // Not "no-referrer": browsers would then send `Origin: null` with
        // form posts and the log-in would be refused (tests/web_browser.rs).
        assert_eq!(h[header::REFERRER_POLICY], "same-origin");
        assert!(body.contains("<html lang=\"nl\">"), "{path}");
        assert!(!body.contains("<script"), "{path}: pages need no scripts");
    }
    let (status, h, _) = send(&st, get("/")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h[header::LOCATION], "/vandaag");
    let (status, h, css) = send(&st, get("/static/radar.css")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        set_cookie(&h, "radar_csrf").is_none(),
        "no token on a cacheable file"
    );
    assert!(
        h[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(css.contains("mark"));
    for missing in ["/artikel/999999", "/artikel/abc", "/bestaat-niet"] {
        let (status, _, body) = send(&st, get(missing)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
        assert!(body.contains("Fout 404"), "{missing}");
    }
}

#[tokio::test]
async fn hostile_titles_authors_sources_bodies_and_tips_render_inert() {
    let s = site();
    let st = s.state("127.0.0.1:8080");
    let id = s.hostile;
    for path in [
        "/vandaag".to_string(),
        "/zoeken?q=twente".into(),
        "/zoeken".into(),
        format!("/artikel/{id}"),
        "/bronnen".into(),
        "/overzicht?dagen=0".into(),
    ] {
        let (status, _, body) = send(&st, get(&path)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_inert(&body);
    }
    // The hostile text is shown, escaped, not dropped.
    let (_, _, page) = send(&st, get(&format!("/artikel/{id}"))).await;
    for shown in [
        "&lt;script&gt;alert('titel')&lt;/script&gt;Zij-instromers",
        "&lt;script&gt;alert('bron')&lt;/script&gt;Vijandig Nieuws",
        "&quot;&gt;&lt;script&gt;alert('auteur')&lt;/script&gt;",
        "&lt;iframe src=&quot;javascript:alert(1)&quot;&gt;",
        "&lt;svg onload=alert('tip')&gt;",
    ] {
        assert!(page.contains(shown), "{shown:?} not in page:\n{page}");
    }
    // The Bronnen page shows the failing source's error, escaped.
    let (_, _, bronnen) = send(&st, get("/bronnen")).await;
    assert!(bronnen.contains("class=\"st-bad\""), "{bronnen}");
    assert!(
        bronnen.contains("HTTP 500: &lt;script&gt;alert('fout')&lt;/script&gt;"),
        "{bronnen}"
    );
    // A javascript: link from a feed is not a link.
    assert!(!page.contains("Lees het origineel"), "{page}");
    // Search snippets mark matches but escape the rest.
    let (_, _, page) = send(&st, get("/zoeken?q=iframe")).await;
    assert!(page.contains("&lt;"), "{page}");
    assert_inert(&page);
    // The Atom feed is well-formed XML with the title as text.
    let (status, h, xml) = send(&st, get("/feeds/search.atom?q=twente")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        h[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let feed = feed_rs::parser::parse(xml.as_bytes()).expect("valid Atom");
    let titles: Vec<String> = feed
        .entries
        .iter()
        .filter_map(|e| e.title.as_ref().map(|t| t.content.clone()))
        .collect();
    assert!(
        titles.iter().any(|t| t.contains("<script>alert('titel')")),
        "{titles:?}"
    );
    assert!(!xml.contains("href=\"javascript:"), "{xml}");
    // JSON carries the raw text, as JSON.
    let (_, h, json) = send(&st, get(&format!("/api/articles/{id}"))).await;
    assert!(
        h[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["article"]["title"].as_str().unwrap(), XSS_TITLE);
}

#[tokio::test]
async fn search_filters_facets_sort_and_pages() {
    let s = site_with(2);
    let st = s.state("127.0.0.1:8080");
    let api = |q: &str| {
        let st = st.clone();
        let q = q.to_string();
        async move {
            let (status, _, body) = send(&st, get(&format!("/api/search?{q}"))).await;
            assert_eq!(status, StatusCode::OK, "{q}: {body}");
            serde_json::from_str::<serde_json::Value>(&body).unwrap()
        }
    };
    let all = api("").await;
    assert_eq!(all["total"], 4);
    assert_eq!(all["pages"], 2);
    assert_eq!(all["sort"], "datum");
    let r0 = &all["results"][0];
    for key in [
        "id",
        "url",
        "title",
        "source",
        "date",
        "relevance",
        "score",
        "snippet",
        "highlights",
        "sector",
        "region",
        "themes",
    ] {
        assert!(r0.get(key).is_some(), "result lacks {key}: {r0}");
    }
    // newest first without a query
    let dates: Vec<&str> = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["date"].as_str().unwrap())
        .collect();
    assert!(dates[0] >= dates[1], "{dates:?}");
    let page2 = api("page=2").await;
    assert_eq!(page2["page"], 2);
    assert_eq!(page2["results"].as_array().unwrap().len(), 2);
    let ids = |v: &serde_json::Value| -> Vec<i64> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect()
    };
    assert!(
        ids(&all).iter().all(|i| !ids(&page2).contains(i)),
        "pages overlap"
    );

    // Source facet counts add up; the filter keeps only that source.
    let sources = all["facets"]["source"].as_array().unwrap();
    let regio = sources.iter().find(|f| f["value"] == "regio").unwrap();
    assert_eq!(regio["count"], 3);
    assert_eq!(regio["label"], "Regio Zorg");
    let only = api("source=regio").await;
    assert_eq!(only["total"], 3);
    // the source facet still shows the other source (counted without its own filter)
    assert!(
        only["facets"]["source"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["value"] == "vijandig")
    );

    // Dutch-aware query with highlights; a theme facet filter narrows it.
    let q = api("q=zij-instromers").await;
    assert_eq!(q["total"], 2, "{q}");
    assert_eq!(q["sort"], "relevantie");
    let hl = q["results"][0]["highlights"].as_array().unwrap();
    assert!(!hl.is_empty(), "{q}");
    let theme = q["facets"]["theme"][0]["value"]
        .as_str()
        .unwrap()
        .to_string();
    let n = q["facets"]["theme"][0]["count"].as_u64().unwrap();
    let narrowed = api(&format!("q=zij-instromers&theme={theme}")).await;
    assert_eq!(narrowed["total"].as_u64().unwrap(), n);

    // Date range: only the last week; a bad date is reported, not fatal.
    let from = (Utc::now() - Duration::days(7))
        .format("%Y-%m-%d")
        .to_string();
    let recent = api(&format!("from={from}")).await;
    assert_eq!(recent["total"], 2, "{recent}");
    let bad = api("from=gisteren").await;
    assert_eq!(bad["total"], 4);
    assert!(bad["warnings"][0].as_str().unwrap().contains("gisteren"));

    // The page shows the same: marks, facets with counts, pagination links.
    let (_, _, page) = send(&st, get("/zoeken?q=zij-instromers")).await;
    assert!(page.contains("<mark>"), "{page}");
    assert!(page.contains("2 resultaten"), "{page}");
    let (_, _, page) = send(&st, get("/zoeken")).await;
    assert!(
        page.contains("rel=\"next\" href=\"/zoeken?page=2\""),
        "{page}"
    );
}

#[tokio::test]
async fn api_routes_return_their_json_shapes() {
    let s = site();
    let st = s.state("127.0.0.1:8080");
    let (status, _, body) = send(&st, get("/api/candidates")).await;
    assert_eq!(status, StatusCode::OK);
    let c: serde_json::Value = serde_json::from_str(&body).unwrap();
    let first = &c.as_array().unwrap()[0];
    for key in [
        "id",
        "title",
        "score",
        "reason",
        "themes",
        "criteria",
        "also_in",
        "explanation",
    ] {
        assert!(first.get(key).is_some(), "candidate lacks {key}: {first}");
    }
    let (status, _, body) = send(&st, get("/api/candidates?since=morgen")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("\"error\""));
    let (status, _, _) = send(&st, get("/api/candidates?theme=bestaat_niet")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, _, body) = send(&st, get(&format!("/api/articles/{}", s.lead))).await;
    assert_eq!(status, StatusCode::OK);
    let a: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(a["article"]["id"], s.lead);
    assert!(a["explanation"]["criteria"].is_array());
    assert!(a["others"].is_array());
    let (status, _, body) = send(&st, get("/api/articles/424242")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("\"error\""));

    let (status, _, body) = send(&st, get("/api/sources")).await;
    assert_eq!(status, StatusCode::OK);
    let src: serde_json::Value = serde_json::from_str(&body).unwrap();
    let regio = src
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "regio")
        .unwrap();
    assert_eq!(regio["articles"], 3);
    assert_eq!(regio["name"], "Regio Zorg");
}

#[tokio::test]
async fn state_changes_need_the_csrf_token_and_a_same_site_origin() {
    let s = site();
    let st = s.state("127.0.0.1:8080");
    // First visit sets the CSRF cookie; the form carries the same token.
    let (_, h, page) = send(&st, get("/bronnen")).await;
    let set = set_cookie(&h, "radar_csrf").expect("csrf cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "loopback: no Secure flag ({set})");
    let cookie = cookie_value(&set);
    let token = csrf_in(&page);
    assert_eq!(cookie, format!("radar_csrf={token}"));

    // No token, a wrong token, no cookie: 403 and nothing stored.
    for (c, form) in [
        (cookie.as_str(), vec![("url", "ftp://x.nl/a")]),
        (
            cookie.as_str(),
            vec![("url", "ftp://x.nl/a"), ("csrf", "0".repeat(64).as_str())],
        ),
        ("", vec![("url", "ftp://x.nl/a"), ("csrf", token.as_str())]),
    ] {
        let (status, _, body) = send(&st, post("/bronnen/tip", c, &form)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(body.contains("CSRF"), "{body}");
    }
    // A cross-site origin is refused even with the token.
    let mut req = post(
        "/bronnen/tip",
        &cookie,
        &[("url", "ftp://x.nl/a"), ("csrf", &token)],
    );
    req.headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    let (status, _, _) = send(&st, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // With the token the form is handled: a non-http link is refused with 400.
    let (status, _, body) = send(
        &st,
        post(
            "/bronnen/tip",
            &cookie,
            &[("url", "ftp://x.nl/a"), ("csrf", &token)],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("Alleen http- en https-links"), "{body}");
    assert_inert(&body);
}

#[tokio::test]
async fn a_tip_from_the_web_form_is_fetched_stored_and_shown() {
    let server = TestServer::start();
    server.set(
        "/nieuws/polikliniek",
        Route::ok(
            "text/html; charset=utf-8",
            read_fixture("pages/ziekenhuis-nieuws.html"),
        ),
    );
    let s = site();
    let st = s.state("127.0.0.1:8080");
    let (_, h, page) = send(&st, get("/bronnen")).await;
    let cookie = cookie_value(&set_cookie(&h, "radar_csrf").unwrap());
    let token = csrf_in(&page);
    let url = server.url("/nieuws/polikliniek");
    let (status, h, body) = send(
        &st,
        post(
            "/bronnen/tip",
            &cookie,
            &[
                ("url", &url),
                ("from", "Anna <b>Partner</b>"),
                ("note", "Bellen!"),
                ("csrf", &token),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let to = h[header::LOCATION].to_str().unwrap().to_string();
    assert!(to.starts_with("/artikel/"), "{to}");
    let (status, _, page) = send(&st, get(&to)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Nieuwe polikliniek voor ouderen geopend"),
        "{page}"
    );
    assert!(
        page.contains("Van: Anna &lt;b&gt;Partner&lt;/b&gt;"),
        "{page}"
    );
    // It is searchable right away through the shared reader.
    let (_, _, json) = send(&st, get("/api/search?q=polikliniek")).await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["total"], 1, "{v}");

    // A page without an article: 422, nothing stored.
    server.set(
        "/leeg",
        Route::ok("text/html", "<html><body><p>Cookies?</p></body></html>"),
    );
    let before = s.store().article_count().unwrap();
    let (status, _, body) = send(
        &st,
        post(
            "/bronnen/tip",
            &cookie,
            &[("url", &server.url("/leeg")), ("csrf", &token)],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("niets opgeslagen"), "{body}");
    assert_eq!(s.store().article_count().unwrap(), before);

    // While another process holds the index writer: 409 with a Dutch message.
    let _writer = SearchIndex::open(&s.data.join("search"), true, 64).unwrap();
    let (status, _, body) = send(
        &st,
        post(
            "/bronnen/tip",
            &cookie,
            &[("url", "https://elders.example/x"), ("csrf", &token)],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("bezet"), "{body}");
}

#[tokio::test]
async fn with_users_everything_needs_a_log_in_and_viewers_only_read() {
    let s = site();
    let feed_token = s.add_user("anna", "advisor", "geheim-wachtwoord-1");
    s.add_user("piet", "viewer", "ander-wachtwoord-2");
    let st = s.state("127.0.0.1:8080");

    let (status, h, _) = send(&st, get("/zoeken?q=zorg")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h[header::LOCATION], "/login?next=%2Fzoeken%3Fq%3Dzorg");
    for path in [
        "/api/search",
        "/api/candidates",
        "/api/sources",
        "/api/articles/1",
    ] {
        let (status, _, body) = send(&st, get(path)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert!(body.contains("\"error\""), "{path}");
    }
    // The log-in page is public and sets the pre-session CSRF cookie.
    let (status, h, page) = send(&st, get("/login?next=/bronnen")).await;
    assert_eq!(status, StatusCode::OK);
    let pre = cookie_value(&set_cookie(&h, "radar_csrf").unwrap());
    let token = csrf_in(&page);
    let login = |name: &'static str, pw: &'static str| {
        post(
            "/login",
            &pre,
            &[
                ("name", name),
                ("password", pw),
                ("next", "/bronnen"),
                ("csrf", &token),
            ],
        )
    };
    let (status, h, body) = send(&st, login("anna", "fout-wachtwoord")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("Onbekende naam of verkeerd wachtwoord"));
    assert!(set_cookie(&h, "radar_session").is_none());
    let (status, _, _) = send(&st, login("niemand", "geheim-wachtwoord-1")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Guessing is throttled per name: after 5 failures even the right
    // password is refused (429) for a while; other names are not affected.
    for _ in 0..4 {
        let (status, _, _) = send(&st, login("niemand", "nog-een-gok")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    s.add_user("niemand", "viewer", "geheim-wachtwoord-1");
    let (status, _, body) = send(&st, login("niemand", "geheim-wachtwoord-1")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains("Te veel mislukte pogingen"), "{body}");
    // Log-in without the CSRF token is refused.
    let (status, _, _) = send(
        &st,
        post(
            "/login",
            &pre,
            &[("name", "anna"), ("password", "geheim-wachtwoord-1")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, h, _) = send(&st, login("anna", "geheim-wachtwoord-1")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h[header::LOCATION], "/bronnen");
    let set = set_cookie(&h, "radar_session").unwrap();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let anna = cookie_value(&set);
    let (status, _, page) = send(&st, get_with("/bronnen", &anna)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("anna (adviseur)"), "{page}");
    assert!(page.contains("Tip toevoegen"));
    let anna_csrf = csrf_in(&page);
    assert_ne!(anna_csrf, token, "a session has its own CSRF token");
    let (status, _, _) = send(&st, get_with("/api/sources", &anna)).await;
    assert_eq!(status, StatusCode::OK);
    // The pre-session token no longer works once logged in.
    let (status, _, _) = send(
        &st,
        post(
            "/bronnen/tip",
            &anna,
            &[("url", "ftp://x"), ("csrf", &token)],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = send(
        &st,
        post(
            "/bronnen/tip",
            &anna,
            &[("url", "ftp://x"), ("csrf", &anna_csrf)],
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an advisor gets past the guard"
    );

    // Feeds: the token in the URL, no log-in.
    let (status, _, _) = send(&st, get("/feeds/search.atom?q=zorg")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = send(&st, get("/feeds/search.atom?q=zorg&token=fout")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = send(
        &st,
        get(&format!("/feeds/search.atom?q=zorg&token={feed_token}")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, page) = send(&st, get_with("/zoeken?q=zorg", &anna)).await;
    assert!(
        page.contains(&format!("token={feed_token}")),
        "the search page links the user's feed"
    );

    // A viewer reads but cannot change anything.
    let (_, h, _) = send(
        &st,
        post(
            "/login",
            &pre,
            &[
                ("name", "piet"),
                ("password", "ander-wachtwoord-2"),
                ("csrf", &token),
            ],
        ),
    )
    .await;
    let piet = cookie_value(&set_cookie(&h, "radar_session").unwrap());
    let (status, _, page) = send(&st, get_with("/bronnen", &piet)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("Tip toevoegen"), "no tip form for a viewer");
    let piet_csrf = csrf_in(&page); // the log-out form
    let (status, _, body) = send(
        &st,
        post(
            "/bronnen/tip",
            &piet,
            &[("url", "https://a.nl/x"), ("csrf", &piet_csrf)],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("viewer"), "{body}");

    // Log-out ends the session.
    let (status, h, _) = send(&st, post("/logout", &piet, &[("csrf", &piet_csrf)])).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        set_cookie(&h, "radar_session")
            .unwrap()
            .contains("Max-Age=0")
    );
    let (status, _, _) = send(&st, get_with("/bronnen", &piet)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn without_users_only_loopback_is_allowed_and_elsewhere_cookies_are_secure() {
    let s = site();
    let err = State::prepare(
        s.config.clone(),
        Ranker::builtin(),
        "0.0.0.0:8080".parse().unwrap(),
    )
    .err()
    .expect("a non-loopback bind without users is refused");
    assert!(err.to_string().contains("no user accounts"), "{err}");
    assert!(
        State::prepare(
            s.config.clone(),
            Ranker::builtin(),
            "[::1]:8080".parse().unwrap()
        )
        .is_ok()
    );

    s.add_user("anna", "advisor", "geheim-wachtwoord-1");
    let st = s.state("0.0.0.0:8080");
    assert!(!st.open_mode().unwrap());
    let (_, h, _) = send(&st, get("/login")).await;
    assert!(set_cookie(&h, "radar_csrf").unwrap().contains("Secure"));
}

fn radar_cmd(ws: &common::Workspace) -> std::process::Command {
    let mut c = ws.command(&[]);
    c.env_remove("RADAR_PASSWORD");
    c
}

fn run_with_stdin(mut c: std::process::Command, stdin: &str) -> common::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    common::Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn user_add_reads_the_password_from_stdin_or_the_environment() {
    let ws = common::Workspace::new();
    let mut c = radar_cmd(&ws);
    c.args(["user", "add", "anna", "--role", "advisor"]);
    let out = run_with_stdin(c, "geheim-wachtwoord-1\n");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut c = radar_cmd(&ws);
    c.args(["user", "add", "piet", "--role", "viewer"])
        .env("RADAR_PASSWORD", "ander-wachtwoord-2");
    let out = run_with_stdin(c, "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let list = ws.json(&["user", "list", "--json"]);
    let users: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["name"].as_str().unwrap().into(),
                u["role"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        users,
        [
            ("anna".into(), "advisor".into()),
            ("piet".into(), "viewer".into())
        ]
    );
    assert!(
        !list.to_string().contains("argon2"),
        "no hashes in the list"
    );
    // The stored hash verifies the password that was typed.
    let store = Store::open(&ws.path().join("data/radar.db")).unwrap();
    let (_, hash) = store.user_auth("anna").unwrap().unwrap();
    assert!(web::auth::verify_password("geheim-wachtwoord-1", &hash));

    let mut c = radar_cmd(&ws);
    c.args(["user", "add", "kees", "--role", "advisor"]);
    let out = run_with_stdin(c, "kort\n");
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("at least 10 characters"),
        "{}",
        out.stderr
    );
    let out = ws.radar(&["user", "add", "kees", "--role", "admin"]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("admin"), "{}", out.stderr);
}

#[test]
fn serve_refuses_a_network_bind_without_users_and_serves_on_loopback() {
    use std::io::{Read, Write};
    let ws = common::Workspace::new();
    let out = ws.radar(&["serve", "--bind", "0.0.0.0:0"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no user accounts"), "{}", out.stderr);
    let out = ws.radar(&["serve", "--bind", "localhost"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("--bind"), "{}", out.stderr);

    let mut child = radar_cmd(&ws)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let addr = common::serve_address(&mut child);
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(
        conn,
        "GET /vandaag HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = String::new();
    conn.read_to_string(&mut resp).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    assert!(resp.contains("<h1>Vandaag</h1>"), "{resp}");
}

/// One HTTP/1.1 exchange with a running server; returns the raw response.
fn http(addr: &str, request: &str) -> String {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    conn.write_all(request.as_bytes()).unwrap();
    let mut resp = String::new();
    let _ = conn.read_to_string(&mut resp);
    resp
}

#[test]
fn serve_keeps_answering_when_its_stderr_is_closed() {
    use std::io::BufRead;
    let ws = common::Workspace::new();
    let mut c = radar_cmd(&ws);
    c.args(["user", "add", "anna", "--role", "advisor"])
        .env("RADAR_PASSWORD", "geheim-wachtwoord-1");
    assert_eq!(c.output().unwrap().status.code(), Some(0));
    let mut child = radar_cmd(&ws)
        .args(["serve", "--bind", "127.0.0.1:0", "--no-scheduler"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Read the announced address, then close the pipe, as when the
    // terminal that started radar is gone.
    let mut line = String::new();
    std::io::BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap()
        .to_string();
    let page = http(
        &addr,
        &format!("GET /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    );
    let cookie = page
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: radar_csrf="))
        .and_then(|v| v.split(';').next())
        .unwrap_or_else(|| panic!("no csrf cookie: {page}"))
        .to_string();
    let body = format!("csrf={cookie}&name=anna&password=verkeerd-wachtwoord");
    // A failed log-in writes a warning to the (closed) log.
    let resp = http(
        &addr,
        &format!(
            "POST /login HTTP/1.1\r\nHost: {addr}\r\nCookie: radar_csrf={cookie}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    let alive = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(resp.starts_with("HTTP/1.1 401"), "{resp}");
    assert!(alive, "the server stopped");
}

// ---- triage in the web interface (issue 7) ----

const XSS_OWNER: &str = "<script>alert('eigenaar')</script>Anna";
const XSS_NOTE: &str = "Gebeld met <img src=x onerror=alert('notitie')> de projectleider";
const XSS_REASON: &str = "<svg onload=alert('reden')>andere sector";

/// Cookie and CSRF token of an open-mode visitor (from the Vandaag page).
#[tokio::test]
async fn a_source_added_on_bronnen_is_checked_written_and_listed() {
    let server = TestServer::start();
    let rss = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Zorgnieuws Oost</title>\
        <item><title>Een</title><link>https://oost.example/1</link><description>x</description></item>\
        </channel></rss>";
    server.set("/feed.xml", Route::ok("application/rss+xml", rss));
    server.set(
        "/nieuws",
        Route::ok(
            "text/html",
            "<html><head><title>Nieuws</title><link rel=\"alternate\" type=\"application/rss+xml\" \
             href=\"/feed.xml\"></head><body><p>Nieuws</p></body></html>",
        ),
    );
    server.set(
        "/geen-feed",
        Route::ok("text/html", "<html><body><p>Welkom</p></body></html>"),
    );
    let s = site();
    let st = s.state("127.0.0.1:8080");
    let (cookie, token, _) = open_visitor(&st).await;
    let (_, _, page) = send(&st, get("/bronnen")).await;
    assert!(page.contains("Bron toevoegen"), "{page}");
    let add = |url: String, naam: &str, labels: &str| {
        post(
            "/bronnen/bron",
            &cookie,
            &[
                ("url", url.as_str()),
                ("naam", naam),
                ("labels", labels),
                ("csrf", &token),
            ],
        )
    };
    let list = s.config.sources.dir.join("web.toml");

    // A news page that announces its feed: the feed is added, named after it.
    let (status, h, body) = send(
        &st,
        add(server.url("/nieuws"), "", "sector:vvt, regio:overijssel"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let to = h[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(to, "/bronnen?toegevoegd=zorgnieuws-oost");
    let (_, _, page) = send(&st, get_with(&to, &cookie)).await;
    assert!(page.contains("Bron ‘Zorgnieuws Oost’ toegevoegd"), "{page}");
    assert!(
        page.contains("nog niet opgehaald"),
        "listed before its first poll: {page}"
    );
    let sources = radar::sources::load_dir(&s.config.sources.dir, false).unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].location.display(), server.url("/feed.xml"));
    assert_eq!(sources[0].tags, ["sector:vvt", "regio:overijssel"]);
    assert!(
        std::fs::read_to_string(&list)
            .unwrap()
            .contains("# added by open on")
    );

    // The same feed again, directly or through its page: 409, nothing written.
    let before = std::fs::read_to_string(&list).unwrap();
    for url in [server.url("/feed.xml"), server.url("/nieuws")] {
        let (status, _, body) = send(&st, add(url, "Nog eens", "")).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body.contains("staat er al in"), "{body}");
    }
    // A page without a feed, a bad link, a private address, a bad label.
    let (status, _, body) = send(&st, add(server.url("/geen-feed"), "", "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("geen feed"), "{body}");
    assert!(
        body.contains(&server.url("/geen-feed")),
        "the form keeps the link: {body}"
    );
    let (status, _, _) = send(&st, add("ftp://x.nl/feed".into(), "", "")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, body) = send(&st, add("http://10.1.2.3/feed".into(), "", "")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("niet openbaar"), "{body}");
    let (status, _, _) = send(&st, add(server.url("/feed.xml"), "", "a\"b")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(std::fs::read_to_string(&list).unwrap(), before);

    // A news page without a feed but with a list of stories: added as a
    // list-page source with the selectors radar recognised.
    let stories: String = (1..=4)
        .map(|i| {
            format!(
                "<div class=\"nieuws-item\"><h3><a href=\"/actueel/bericht-{i}\">Leerwerkplekken in de wijkverpleging, deel {i}{}</a></h3>\
                 <span class=\"datum\">{i} maart 2025</span><p>Zorgorganisaties in Twente openen samen nieuwe leerwerkplekken voor zij-instromers.</p></div>",
                // A story title is page text: shown, never run.
                if i == 2 { " &lt;img src=x onerror=alert(1)&gt;" } else { "" }
            )
        })
        .collect();
    server.set(
        "/actueel",
        Route::ok(
            "text/html",
            format!(
                "<html><head><title>Actueel | Zorgpact Twente</title></head><body>\
                 <nav><a href=\"/\">Home</a> <a href=\"/over-ons\">Over ons</a></nav>\
                 <div class=\"nieuwslijst\">{stories}</div></body></html>"
            ),
        ),
    );
    let (status, h, body) = send(&st, add(server.url("/actueel"), "", "regio:twente")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let to = h[header::LOCATION].to_str().unwrap().to_string();
    let (_, _, page) = send(&st, get_with(&to, &cookie)).await;
    assert!(
        page.contains("Actueel | Zorgpact Twente")
            && page.contains("leest de lijst met berichten op de pagina zelf (nu 4 berichten)"),
        "{page}"
    );
    // The stories radar read on it, linked, so the advisor can check them.
    assert!(
        page.contains("de eerste berichten")
            && page.contains("Leerwerkplekken in de wijkverpleging, deel 4")
            && page.contains(&format!("href=\"{}\"", server.url("/actueel/bericht-1"))),
        "{page}"
    );
    assert!(
        page.contains("deel 2 &lt;img src=x onerror=alert(1)&gt;") && !page.contains("<img src=x"),
        "{page}"
    );
    // The count and the stories come from what radar read, never from
    // the address.
    let (status, _, page) = send(&st, get_with(&format!("{to}&berichten=%3Cb%3E"), &cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("pagina zelf (nu 4 berichten).")
            && !page.contains("<b>")
            && !page.contains("&lt;b&gt;"),
        "{page}"
    );
    let sources = radar::sources::load_dir(&s.config.sources.dir, false).unwrap();
    let listed = sources
        .iter()
        .find(|s| s.location.display() == server.url("/actueel"))
        .expect("the list page is a source");
    let rules = listed.page.as_ref().expect("kind = page");
    assert_eq!(rules.items, "div.nieuws-item");
    assert_eq!(rules.title.as_deref(), Some("h3"));
    assert_eq!(rules.date.as_deref(), Some(".datum"));
    assert_eq!(listed.tags, ["regio:twente"]);

    // A second feed with a name given: its own id, appended to the same list.
    server.set(
        "/andere.xml",
        Route::ok("application/rss+xml", rss.replace("Oost", "West")),
    );
    let (status, h, _) = send(&st, add(server.url("/andere.xml"), "Zorgnieuws Oost", "")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(h[header::LOCATION], "/bronnen?toegevoegd=zorgnieuws-oost-2");
    assert_eq!(
        radar::sources::load_dir(&s.config.sources.dir, false)
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test]
async fn behind_a_reverse_proxy_open_mode_is_off_and_cookies_follow_tls() {
    let s = site();
    let st = s.state("127.0.0.1:8080");
    let via = |path: &str, headers: &[(&str, &str)]| {
        let mut r = Request::get(path);
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        r.body(Body::empty()).unwrap()
    };
    // No users and loopback: open here, but not to requests a proxy on this
    // machine forwards from the network.
    let (status, _, _) = send(&st, get("/vandaag")).await;
    assert_eq!(status, StatusCode::OK);
    for h in [
        ("x-forwarded-for", "203.0.113.9"),
        ("forwarded", "for=203.0.113.9;proto=https"),
        ("x-real-ip", "203.0.113.9"),
    ] {
        let (status, _, body) = send(&st, via("/vandaag", &[h])).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{h:?}");
        assert!(body.contains("radar user add"), "{body}");
        let (status, _, _) = send(&st, via("/api/search?q=zorg", &[h])).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{h:?}");
    }

    // With an account: the log-in works through a TLS proxy that rewrites
    // Host, and its cookies are Secure.
    s.add_user("anna", "advisor", "geheim-wachtwoord-1");
    let proxy = [
        ("x-forwarded-for", "203.0.113.9"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "radar.zorg.example"),
    ];
    let (status, h, page) = send(&st, via("/login", &proxy)).await;
    assert_eq!(status, StatusCode::OK);
    let csrf_set = set_cookie(&h, "radar_csrf").unwrap();
    assert!(csrf_set.contains("Secure"), "{csrf_set}");
    let pre = cookie_value(&csrf_set);
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("name", "anna"),
            ("password", "geheim-wachtwoord-1"),
            ("csrf", &csrf_in(&page)),
        ])
        .finish();
    let mut req = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &pre)
        .header(header::HOST, "127.0.0.1:8080")
        .header(header::ORIGIN, "https://radar.zorg.example");
    for (k, v) in proxy {
        req = req.header(k, v);
    }
    let (status, h, body) = send(&st, req.body(Body::from(form)).unwrap()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let session = set_cookie(&h, "radar_session").unwrap();
    assert!(session.contains("Secure"), "{session}");
}

#[tokio::test]
async fn a_search_broader_than_max_matches_is_bounded_and_says_so() {
    let mut s = site();
    let st = s.state("127.0.0.1:8080");
    let (_, _, json) = send(&st, get("/api/search")).await;
    let all: serde_json::Value = serde_json::from_str(&json).unwrap();
    let n = all["total"].as_u64().unwrap();
    assert!(n >= 4, "{all}");
    assert_eq!(all["complete"], true);
    assert!(all["warnings"].as_array().unwrap().is_empty(), "{all}");

    // A word in at least three articles, found before the cap.
    let mut broad = None;
    for w in ["in", "de", "het", "een", "zorg", "nieuw"] {
        let (_, _, json) = send(&st, get(&format!("/api/search?q={w}"))).await;
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        if v["total"].as_u64().unwrap() >= 3 {
            broad = Some(w);
            break;
        }
    }
    let broad = broad.expect("a word in three articles");

    s.config.web.max_matches = 2;
    let st = s.state("127.0.0.1:8080");
    // Without words: the two newest articles.
    let (_, _, json) = send(&st, get("/api/search?sort=datum")).await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["complete"], false, "{v}");
    assert_eq!(v["total"], 2, "{v}");
    let newest: Vec<&serde_json::Value> =
        all["results"].as_array().unwrap().iter().take(2).collect();
    let got: Vec<&serde_json::Value> = v["results"].as_array().unwrap().iter().collect();
    assert_eq!(
        got.iter().map(|r| &r["id"]).collect::<Vec<_>>(),
        newest.iter().map(|r| &r["id"]).collect::<Vec<_>>()
    );
    let facet_total: u64 = v["facets"]["source"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["count"].as_u64().unwrap())
        .sum();
    assert_eq!(facet_total, 2, "facets count the bounded set: {v}");
    // The page says it too.
    let (_, _, page) = send(&st, get("/zoeken")).await;
    assert!(page.contains("Meer dan 2 treffers"), "{page}");
    assert!(page.contains("de 2 nieuwste"), "{page}");
    // With words: the most relevant ones.
    let (_, _, json) = send(&st, get(&format!("/api/search?q={broad}"))).await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["complete"], false, "{v}");
    assert_eq!(v["total"], 2, "{v}");
    assert!(v["warnings"][0].as_str().unwrap().contains("beste"), "{v}");
}

async fn open_visitor(st: &Arc<State>) -> (String, String, String) {
    let (status, h, page) = send(st, get("/vandaag")).await;
    assert_eq!(status, StatusCode::OK);
    let cookie = cookie_value(&set_cookie(&h, "radar_csrf").expect("csrf cookie"));
    (cookie, csrf_in(&page), page)
}

/// Logs `name` in; returns the session cookie and its CSRF token.
async fn log_in(st: &Arc<State>, name: &str, pw: &str) -> (String, String) {
    let (_, h, page) = send(st, get("/login")).await;
    let pre = cookie_value(&set_cookie(&h, "radar_csrf").unwrap());
    let token = csrf_in(&page);
    let (status, h, _) = send(
        st,
        post(
            "/login",
            &pre,
            &[("name", name), ("password", pw), ("csrf", &token)],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "log-in of {name}");
    let session = cookie_value(&set_cookie(&h, "radar_session").unwrap());
    let (_, _, page) = send(st, get_with("/vandaag", &session)).await;
    (session.clone(), csrf_in(&page))
}

fn post_json(path: &str, cookie: &str, csrf: Option<&str>, body: &str) -> Request<Body> {
    let mut r = Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, cookie)
        .header(header::HOST, "127.0.0.1:8080");
    if let Some(t) = csrf {
        r = r.header("x-csrf-token", t);
    }
    r.body(Body::from(body.to_string())).unwrap()
}

#[tokio::test]
async fn a_lead_flagged_on_vandaag_is_followed_up_on_artikel_and_opvolging() {
    let s = site();
    let st = s.state("127.0.0.1:8080");
    let h = s.hostile;
    let (cookie, csrf, page) = open_visitor(&st).await;
    let flag_action = format!("action=\"/artikel/{h}/volgen\"");
    assert!(
        page.contains(&flag_action),
        "a flag button per lead:\n{page}"
    );
    assert!(page.contains(&format!("action=\"/artikel/{h}/afwijzen\"")));

    // Nothing followed yet.
    let (status, _, board) = send(&st, get("/opvolging")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(board.contains("Geen leads in opvolging"), "{board}");
    assert!(
        board.contains("href=\"/opvolging\""),
        "Opvolging is in the nav"
    );

    let (status, hd, _) = send(
        &st,
        post(
            &format!("/artikel/{h}/volgen"),
            &cookie,
            &[("csrf", &csrf), ("terug", "/vandaag")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(hd[header::LOCATION], "/vandaag");
    let (_, _, board) = send(&st, get("/opvolging")).await;
    assert!(board.contains(&format!("href=\"/artikel/{h}\"")), "{board}");
    assert!(board.contains("te volgen"));
    assert_inert(&board);
    // Vandaag shows it is followed; no second flag button.
    let (_, _, page) = send(&st, get("/vandaag")).await;
    assert!(!page.contains(&flag_action), "{page}");
    assert!(page.contains(&format!("href=\"/artikel/{h}#opvolging\"")));

    // Owner, an overdue follow-up date and a note from the Artikel form.
    let art = format!("/artikel/{h}");
    let yesterday = (Utc::now() - Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let (status, hd, body) = send(
        &st,
        post(
            &format!("{art}/triage"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("terug", &art),
                ("eigenaar", XSS_OWNER),
                ("datum", &yesterday),
                ("notitie", XSS_NOTE),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(hd[header::LOCATION], art.as_str());
    let (_, _, page) = send(&st, get(&art)).await;
    assert_inert(&page);
    assert!(page.contains("projectleider"), "the note is shown");
    assert!(page.contains("lokaal"), "open mode writes as 'lokaal'");
    assert!(
        page.contains("&lt;script&gt;alert('eigenaar')"),
        "owner escaped"
    );
    assert!(page.contains("Geschiedenis"));
    // Only the allowed next states are offered (from 'te volgen').
    assert!(page.contains("option value=\"contacted\""), "{page}");
    assert!(page.contains("option value=\"dismissed\""));
    assert!(!page.contains("option value=\"koploper\""));
    assert!(!page.contains("option value=\"in_assessment\""));

    let (_, _, board) = send(&st, get("/opvolging")).await;
    assert_inert(&board);
    assert!(board.contains("class=\"overdue\""), "{board}");
    assert!(board.contains("verlopen"));
    let (_, _, only_overdue) = send(&st, get("/opvolging?verlopen=1")).await;
    assert!(only_overdue.contains(&format!("href=\"/artikel/{h}\"")));
    let (_, _, other_owner) = send(&st, get("/opvolging?eigenaar=Piet")).await;
    assert!(!other_owner.contains(&format!("href=\"/artikel/{h}\"")));
    let (_, _, contacted) = send(&st, get("/opvolging?status=contacted")).await;
    assert!(!contacted.contains(&format!("href=\"/artikel/{h}\"")));

    // Skipping a step is refused with the Dutch rule, nothing written.
    let (status, _, body) = send(
        &st,
        post(
            &format!("{art}/triage"),
            &cookie,
            &[("csrf", &csrf), ("status", "koploper")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body.contains("Kan niet van &#39;te volgen&#39; naar &#39;koploper&#39;")
            || body.contains("Kan niet van 'te volgen' naar 'koploper'"),
        "{body}"
    );
    assert_eq!(
        s.store().triage_item(h).unwrap().unwrap().state,
        radar::triage::State::Flagged
    );

    // A criterion needs evidence; with it, it is ticked.
    let (status, _, body) = send(
        &st,
        post(
            &format!("{art}/triage"),
            &cookie,
            &[("csrf", &csrf), ("vink", "resultaat"), ("bewijs", " ")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("vraagt om bewijs"), "{body}");
    let (status, _, _) = send(
        &st,
        post(
            &format!("{art}/triage"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("vink", "resultaat"),
                ("bewijs", "42 gediplomeerden"),
                ("status", "contacted"),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = send(&st, get(&art)).await;
    assert!(page.contains("Koploper-checklist (1 van 4)"), "{page}");
    assert!(page.contains("42 gediplomeerden"));
    assert!(page.contains("benaderd"));
}

#[tokio::test]
async fn dismissing_needs_a_reason_and_takes_the_story_off_vandaag() {
    let s = site();
    let st = s.state("127.0.0.1:8080");
    let h = s.hostile;
    let (cookie, csrf, page) = open_visitor(&st).await;
    let link = format!("href=\"/artikel/{h}\"");
    assert!(page.contains(&link));
    for reason in [vec![], vec![("reden", ""), ("toelichting", "   ")]] {
        let mut form = vec![("csrf", csrf.as_str()), ("terug", "/vandaag")];
        form.extend(reason);
        let (status, _, body) =
            send(&st, post(&format!("/artikel/{h}/afwijzen"), &cookie, &form)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("Afwijzen vraagt om een reden"), "{body}");
    }
    let (_, _, page) = send(&st, get("/vandaag")).await;
    assert!(page.contains(&link), "a refused dismissal changes nothing");
    // The select's common reason...
    let (status, _, _) = send(
        &st,
        post(
            &format!("/artikel/{h}/afwijzen"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("terug", "/vandaag"),
                ("reden", "al bekend"),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = send(&st, get("/vandaag")).await;
    assert!(
        !page.contains(&link),
        "the dismissed story is gone:\n{page}"
    );
    let item = s.store().triage_item(h).unwrap().unwrap();
    assert_eq!(item.reason.as_deref(), Some("al bekend"));
    // ...and a free-text reason after reopening.
    let art = format!("/artikel/{h}/triage");
    let (status, _, _) = send(
        &st,
        post(&art, &cookie, &[("csrf", &csrf), ("status", "flagged")]),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = send(
        &st,
        post(
            &format!("/artikel/{h}/afwijzen"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("reden", "al bekend"),
                ("toelichting", XSS_REASON),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, board) = send(&st, get("/opvolging?status=dismissed")).await;
    assert!(board.contains(&link), "{board}");
    assert!(board.contains("andere sector"));
    assert_inert(&board);
    let (_, _, page) = send(&st, get(&format!("/artikel/{h}"))).await;
    assert_inert(&page);
    assert!(page.contains("afgewezen"));
}

#[tokio::test]
async fn triage_posts_need_csrf_and_an_advisor_and_the_api_does_the_same() {
    let s = site();
    s.add_user("anna", "advisor", "geheim-wachtwoord-1");
    s.add_user("piet", "viewer", "ander-wachtwoord-2");
    let st = s.state("127.0.0.1:8080");
    let h = s.hostile;
    let (anna, anna_csrf) = log_in(&st, "anna", "geheim-wachtwoord-1").await;
    let (piet, piet_csrf) = log_in(&st, "piet", "ander-wachtwoord-2").await;
    let (_, _, page) = send(&st, get_with(&format!("/artikel/{h}"), &piet)).await;
    assert!(!page.contains("/volgen\""), "no triage forms for a viewer");
    assert!(page.contains("Opvolging"));

    let forms = [
        ("volgen", vec![]),
        ("afwijzen", vec![("reden", "al bekend")]),
        ("triage", vec![("notitie", "x")]),
    ];
    for (action, fields) in &forms {
        let path = format!("/artikel/{h}/{action}");
        // advisor without the token, with the viewer's token
        for token in [None, Some(piet_csrf.as_str())] {
            let mut f = fields.clone();
            if let Some(t) = token {
                f.push(("csrf", t));
            }
            let (status, _, body) = send(&st, post(&path, &anna, &f)).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
            assert!(body.contains("CSRF"), "{body}");
        }
        let mut f = fields.clone();
        f.push(("csrf", &piet_csrf));
        let (status, _, body) = send(&st, post(&path, &piet, &f)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "viewer on {path}");
        assert!(body.contains("viewer"), "{body}");
    }
    for action in ["flag", "dismiss", "triage", "notes"] {
        let path = format!("/api/articles/{h}/{action}");
        let body = r#"{"reason":"al bekend","note":"x"}"#;
        let (status, _, b) = send(&st, post_json(&path, &anna, None, body)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {b}");
        let (status, _, b) = send(&st, post_json(&path, &piet, Some(&piet_csrf), body)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "viewer on {path}: {b}");
        let (status, _, _) = send(&st, post_json(&path, "", Some(&anna_csrf), body)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "no session on {path}");
    }
    assert!(
        s.store().triage_item(h).unwrap().is_none(),
        "nothing refused was stored"
    );

    // The advisor's API calls, as JSON, written as anna.
    let api = |a: &str| format!("/api/articles/{h}/{a}");
    let (status, _, b) = send(&st, post_json(&api("flag"), &anna, Some(&anna_csrf), "")).await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let v: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["state"], "flagged");
    let (status, _, b) = send(
        &st,
        post_json(
            &api("notes"),
            &anna,
            Some(&anna_csrf),
            r#"{"note":"Afspraak gemaakt"}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let v: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["notes"][0]["author"], "anna");
    assert_eq!(v["notes"][0]["text"], "Afspraak gemaakt");
    let (status, _, b) = send(&st, post_json(&api("notes"), &anna, Some(&anna_csrf), "{}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{b}");
    let (status, _, b) = send(
        &st,
        post_json(
            &api("triage"),
            &anna,
            Some(&anna_csrf),
            r#"{"state":"koploper"}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let v: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .contains("'benaderd' of 'afgewezen'"),
        "{b}"
    );
    let (status, _, _) = send(
        &st,
        post_json(&api("dismiss"), &anna, Some(&anna_csrf), "{}"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, b) = send(
        &st,
        post_json(
            &api("dismiss"),
            &anna,
            Some(&anna_csrf),
            r#"{"reason":"andere sector"}"#,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    let (status, _, b) = send(&st, post_json(&api("flag"), &anna, Some(&anna_csrf), "{x")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{b}");
    let (status, _, b) = send(&st, get_with(&format!("/api/articles/{h}"), &anna)).await;
    assert_eq!(status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert_eq!(v["triage"]["state"], "dismissed");
    assert_eq!(v["triage"]["reason"], "andere sector");
}

#[tokio::test]
async fn vandaag_shows_the_latest_digest_and_its_feed_with_triage_buttons() {
    let s = site();
    let report = radar::digest::run_digest_job(
        &s.config,
        &Ranker::builtin(),
        Utc::now(),
        &radar::digest::Job::default(),
    )
    .unwrap();
    let h = s.hostile;
    assert!(
        report.digest.leads().any(|l| l.id == h),
        "the hostile lead must be in the digest for this test"
    );
    let st = s.state("127.0.0.1:8080");
    let (cookie, csrf, page) = open_visitor(&st).await;
    assert!(page.contains(&report.digest.title), "{page}");
    assert!(page.contains("nieuwe leads sinds"));
    let link = format!("href=\"/artikel/{h}\"");
    assert!(page.contains(&link));
    assert!(page.contains(&format!("action=\"/artikel/{h}/afwijzen\"")));
    assert!(page.contains("href=\"/feeds/leads.atom\""));
    assert_inert(&page);
    // ?dagen=N still lists the candidates.
    let (_, _, cands) = send(&st, get("/vandaag?dagen=7")).await;
    assert!(cands.contains("De beste kandidaat-Koplopers"), "{cands}");

    let (status, hd, xml) = send(&st, get("/feeds/leads.atom")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(hd[header::CONTENT_TYPE].to_str().unwrap().contains("atom"));
    assert!(xml.contains(&format!("urn:radar:article:{h}")) || xml.contains("Zij-instromers"));
    assert!(!xml.contains("<script"), "feed text is escaped");

    let (status, _, _) = send(
        &st,
        post(
            &format!("/artikel/{h}/afwijzen"),
            &cookie,
            &[
                ("csrf", &csrf),
                ("terug", "/vandaag"),
                ("reden", "andere sector"),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = send(&st, get("/vandaag")).await;
    assert!(page.contains(&report.digest.title), "still the digest");
    assert!(
        !page.contains(&link),
        "a dismissed lead leaves the digest view"
    );

    // With accounts the feed needs a feed token.
    let token = s.add_user("anna", "advisor", "geheim-wachtwoord-1");
    let (status, _, _) = send(&st, get("/feeds/leads.atom")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = send(&st, get(&format!("/feeds/leads.atom?token={token}"))).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn koplopers_show_on_overzicht_and_zoeken_filters_on_triage_state() {
    use radar::store::Change;
    use radar::triage::State as T;
    let s = site();
    let h = s.hostile;
    let mut store = s.store();
    for to in [T::Flagged, T::Contacted, T::InAssessment, T::Koploper] {
        store
            .triage_apply(
                h,
                &Change {
                    by: "test".into(),
                    at: Utc::now(),
                    state: Some(to),
                    ..Change::default()
                },
            )
            .unwrap();
    }
    let st = s.state("127.0.0.1:8080");
    let (status, _, page) = send(&st, get("/overzicht")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("★1"), "the Koploper is counted:\n{page}");
    assert!(page.contains("1 in totaal"));
    assert_inert(&page);

    let link = format!("href=\"/artikel/{h}\"");
    let lead = format!("href=\"/artikel/{}\"", s.lead);
    let (_, _, page) = send(&st, get("/zoeken?status=koploper")).await;
    assert!(page.contains(&link), "{page}");
    assert!(!page.contains(&lead));
    assert!(page.contains("option value=\"koploper\" selected"));
    let (_, _, page) = send(&st, get("/zoeken?status=new")).await;
    assert!(!page.contains(&link));
    assert!(page.contains(&lead));
    let (_, _, page) = send(&st, get("/zoeken?status=open")).await;
    assert!(!page.contains(&link) && !page.contains(&lead));
    let (_, _, page) = send(&st, get("/zoeken?status=later")).await;
    assert!(page.contains("onbekende status"), "{page}");
    assert!(
        page.contains(&link) && page.contains(&lead),
        "bad filter ignored"
    );
    let (_, _, json) = send(&st, get("/api/search?status=koploper")).await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["total"], 1, "{json}");
}

/// One HTTP/1.1 GET against a running `radar serve`; the body.
fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut resp = String::new();
    conn.read_to_string(&mut resp).unwrap();
    resp
}

/// Starts `radar serve` with `extra` arguments; the child and its address.
fn start_serve(ws: &common::Workspace, extra: &[&str]) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = radar_cmd(ws)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    // Keep draining stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        while reader.read_line(&mut sink).unwrap_or(0) > 0 {
            sink.clear();
        }
    });
    (child, addr)
}

#[test]
fn serve_runs_the_scheduler_under_the_lock_and_stops_on_sigterm() {
    let server = TestServer::start();
    server.set(
        "/feed.xml",
        Route::ok(
            "application/rss+xml; charset=utf-8",
            read_fixture("feeds/inflections.rss"),
        ),
    );
    let ws = common::Workspace::new();
    ws.sources(&[("proef", &server.url("/feed.xml"))]);
    let (mut child, addr) = start_serve(&ws, &[]);
    // The scheduler polls the source: its articles become searchable.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let resp = http_get(&addr, "/api/search?q=leerafdeling");
        if resp.contains("Nieuwe leerafdeling geopend") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the scheduler in radar serve fetched nothing: {resp}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(!server.requests("/feed.xml").is_empty());
    // It holds the data-directory lock like `radar run`.
    let second = ws.radar(&["run", "--once"]);
    assert_eq!(second.code, 1, "{}", second.stderr);
    assert!(
        second.stderr.contains("already running"),
        "{}",
        second.stderr
    );
    // SIGTERM stops web server and scheduler; exit 0.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(rc, 0);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");

    // --no-scheduler: no lock, so `radar run --once` can poll meanwhile.
    let (mut child, addr) = start_serve(&ws, &["--no-scheduler"]);
    let out = ws.radar(&["run", "--once"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(http_get(&addr, "/vandaag").starts_with("HTTP/1.1 200"));
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(rc, 0);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}
