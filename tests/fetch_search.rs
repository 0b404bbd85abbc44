//! Fetch → store → search against a local HTTP server (127.0.0.1, port 0).

mod common;

use common::{Route, TestServer, Workspace, read_fixture, titles};

const RSS: &str = "application/rss+xml; charset=utf-8";

fn fetched_workspace(server: &TestServer) -> Workspace {
    server.set(
        "/feed.xml",
        Route::ok(RSS, read_fixture("feeds/inflections.rss")),
    );
    let ws = Workspace::new();
    ws.sources(&[("test", &server.url("/feed.xml"))]);
    let out = ws.radar(&["fetch"]);
    assert_eq!(out.code, 0, "fetch failed: {}\n{}", out.stdout, out.stderr);
    ws
}

#[test]
fn dutch_queries_find_inflected_forms() {
    let server = TestServer::start();
    let ws = fetched_workspace(&server);
    for (query, title) in [
        ("ziekenhuizen", "Nieuwe leerafdeling geopend"),
        ("vacature", "Regio zoekt personeel"),
        ("verpleegkundige", "Opleiding voor zorgprofessionals"),
        ("zij-instromers", "Overstappers kiezen voor de zorg"),
        ("clienten", "Overstappers kiezen voor de zorg"),
    ] {
        let hits = titles(&ws.json(&["search", query, "--json"]));
        assert_eq!(hits, vec![title.to_string()], "query {query:?}");
    }
    // Nothing else matches by accident.
    assert!(titles(&ws.json(&["search", "kermis", "ziekenhuis", "--json"])).is_empty());
}

#[test]
fn search_json_has_the_documented_fields_and_a_highlighted_snippet() {
    let server = TestServer::start();
    let ws = fetched_workspace(&server);
    let v = ws.json(&["search", "ziekenhuizen", "--json"]);
    let r = &v[0];
    for key in [
        "id",
        "url",
        "title",
        "source",
        "published",
        "score",
        "snippet",
    ] {
        assert!(!r[key].is_null(), "missing {key} in {r}");
    }
    assert_eq!(r["source"], "Bron test");
    let snippet = r["snippet"].as_str().unwrap();
    let (a, b) = (
        r["highlights"][0][0].as_u64().unwrap() as usize,
        r["highlights"][0][1].as_u64().unwrap() as usize,
    );
    assert_eq!(&snippet[a..b], "ziekenhuis");
    // show by id
    let id = r["id"].as_i64().unwrap().to_string();
    let shown = ws.json(&["show", &id, "--json"]);
    assert_eq!(shown["title"], "Nieuwe leerafdeling geopend");
    assert_eq!(
        shown["canonical_url"],
        "https://test.example/nieuws/leerafdeling"
    );
    assert_eq!(shown["author"], "Redactie");
}

#[test]
fn refetching_an_unchanged_feed_creates_no_duplicates() {
    let server = TestServer::start();
    let ws = fetched_workspace(&server);
    let out = ws.radar(&["fetch", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v[0]["new"], 0);
    assert_eq!(
        v[0]["outcome"], "unchanged",
        "identical body short-circuits: {v}"
    );
    let sources = ws.json(&["sources", "--json"]);
    assert_eq!(sources[0]["articles"], 5);
    assert_eq!(
        ws.json(&["search", "opleiding", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn etag_is_echoed_and_304_parses_nothing() {
    let server = TestServer::start();
    server.set(
        "/feed.xml",
        Route::ok(RSS, read_fixture("feeds/inflections.rss")).with_etag("W/\"abc-123\""),
    );
    let ws = Workspace::new();
    ws.sources(&[("test", &server.url("/feed.xml"))]);
    assert_eq!(ws.radar(&["fetch"]).code, 0);
    let out = ws.radar(&["fetch", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v[0]["outcome"], "not_modified");
    let reqs = server.requests("/feed.xml");
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[1].headers.get("if-none-match").map(String::as_str),
        Some("W/\"abc-123\"")
    );
    assert!(reqs[0].headers["user-agent"].starts_with("radar/"));
}

#[test]
fn one_failing_source_does_not_stop_the_others() {
    let server = TestServer::start();
    server.set(
        "/good.xml",
        Route::ok(RSS, read_fixture("feeds/inflections.rss")),
    );
    server.set("/broken.xml", Route::status(500));
    server.set("/page.html", Route::ok("text/html", "<html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/rss\"></head><body>Nieuws</body></html>"));
    let ws = Workspace::new();
    ws.sources(&[
        ("broken", &server.url("/broken.xml")),
        ("good", &server.url("/good.xml")),
        ("page", &server.url("/page.html")),
    ]);
    let out = ws.radar(&["fetch"]);
    assert_eq!(
        out.code, 2,
        "exit 2 = finished with source errors\n{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("MISLUKT (http_error): HTTP 500"),
        "{}",
        out.stdout
    );
    let sources = ws.json(&["sources", "--json"]);
    let by_id = |id: &str| {
        sources
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id("good")["articles"], 5);
    assert_eq!(by_id("broken")["last_error_kind"], "http_error");
    assert_eq!(by_id("broken")["last_http_status"], 500);
    assert_eq!(by_id("broken")["error_count"], 1);
    let page = by_id("page");
    assert_eq!(page["last_error_kind"], "not_a_feed");
    assert!(
        page["last_error"].as_str().unwrap().contains("/rss"),
        "{page}"
    );
}

#[test]
fn a_changed_item_is_updated_in_place() {
    let server = TestServer::start();
    let v1 = String::from_utf8(read_fixture("feeds/inflections.rss")).unwrap();
    server.set("/feed.xml", Route::ok(RSS, v1.clone()));
    let ws = Workspace::new();
    ws.sources(&[("test", &server.url("/feed.xml"))]);
    assert_eq!(ws.radar(&["fetch"]).code, 0);
    let v2 = v1
        .replace("Kermis in het dorp", "Kermis in het dorp afgelast")
        .replace("trok dit weekend", "trok vorig jaar");
    server.set("/feed.xml", Route::ok(RSS, v2));
    let out = ws.radar(&["fetch", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        (
            v[0]["new"].as_u64(),
            v[0]["updated"].as_u64(),
            v[0]["unchanged"].as_u64()
        ),
        (Some(0), Some(1), Some(4))
    );
    assert_eq!(
        titles(&ws.json(&["search", "afgelast", "--json"])),
        vec!["Kermis in het dorp afgelast"]
    );
    assert_eq!(ws.json(&["sources", "--json"])[0]["articles"], 5);
}

#[test]
fn reindex_rebuilds_search_from_the_store() {
    let server = TestServer::start();
    let ws = fetched_workspace(&server);
    std::fs::remove_dir_all(ws.path().join("data/search")).unwrap();
    let out = ws.radar(&["reindex"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("5 artikelen"), "{}", out.stdout);
    assert_eq!(
        titles(&ws.json(&["search", "vacatures", "--json"])),
        vec!["Regio zoekt personeel"]
    );
}

/// Serves `v1`, fetches, serves `v2`, fetches; returns the second report
/// and the number of stored articles.
fn two_versions(v1: Vec<u8>, v2: Vec<u8>) -> (serde_json::Value, u64) {
    let server = TestServer::start();
    server.set("/feed.xml", Route::ok(RSS, v1));
    let ws = Workspace::new();
    ws.sources(&[("test", &server.url("/feed.xml"))]);
    assert_eq!(ws.radar(&["fetch"]).code, 0);
    server.set("/feed.xml", Route::ok(RSS, v2));
    let out = ws.radar(&["fetch", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let count = ws.json(&["sources", "--json"])[0]["articles"]
        .as_u64()
        .unwrap();
    (report[0].clone(), count)
}

fn counts(r: &serde_json::Value) -> (u64, u64, u64) {
    (
        r["new"].as_u64().unwrap(),
        r["updated"].as_u64().unwrap(),
        r["unchanged"].as_u64().unwrap(),
    )
}

#[test]
fn items_without_guid_or_link_keep_stable_keys_across_polls() {
    let v1 = read_fixture("feeds/no-guid-no-link.rss");
    // A different body (trailing newline) defeats the body-hash shortcut, so
    // every item really goes through dedupe again.
    let mut v2 = v1.clone();
    v2.extend_from_slice(b"\n\n");
    let (r, n) = two_versions(v1, v2);
    assert_eq!(n, 4, "items sharing a guid are all kept");
    assert_eq!(counts(&r), (0, 0, 4), "{r}");
}

#[test]
fn new_guids_with_the_same_canonical_links_are_not_duplicates() {
    let (r, n) = two_versions(
        read_fixture("feeds/tracking-params-v1.rss"),
        read_fixture("feeds/tracking-params-v2.rss"),
    );
    assert_eq!(n, 3);
    assert_eq!(counts(&r), (0, 1, 2), "the edited title is an update: {r}");
}

#[test]
fn an_edited_and_an_added_item() {
    let (r, n) = two_versions(
        read_fixture("feeds/changed-v1.rss"),
        read_fixture("feeds/changed-v2.rss"),
    );
    assert_eq!(n, 4);
    assert_eq!(counts(&r), (1, 1, 2), "{r}");
}
