//! Full article text for teaser feeds, partner tips and `radar extract`,
//! against a local HTTP server (127.0.0.1, port 0) serving our own Dutch
//! fixture pages.

mod common;

use common::{Route, TestServer, Workspace, fixture, read_fixture};

const HTML: &str = "text/html; charset=utf-8";

fn teaser_feed(server: &TestServer) -> String {
    let item = |guid: &str, title: &str, path: &str, teaser: &str| {
        format!(
            "<item><guid>{guid}</guid><title>{title}</title><link>{}</link>\
             <description>{teaser}</description></item>",
            server.url(path)
        )
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>\
         <title>Ziekenhuisnieuws</title><link>{}</link>{}{}{}</channel></rss>",
        server.url("/"),
        item(
            "poli",
            "Nieuwe polikliniek voor ouderen geopend",
            "/nieuws/polikliniek",
            "Ziekenhuis Rivierenland Oost opent een polikliniek voor kwetsbare ouderen."
        ),
        item(
            "wall",
            "Leerwerkplaats voor zij-instromers in de wijk",
            "/nieuws/leerwerkplaats",
            "Zorggroep start een leerwerkplaats voor zij-instromers in de wijkverpleging."
        ),
        item(
            "gone",
            "Robotica in de nachtzorg",
            "/nieuws/weg",
            "Een proef met slimme sensoren in de nachtzorg."
        ),
    )
}

fn workspace_with_full_text(server: &TestServer, policy: &str) -> Workspace {
    let ws = Workspace::new();
    let cfg = ws.path().join("config.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    let text = text.replace(
        "full_text = \"never\"",
        &format!("full_text = \"{policy}\""),
    );
    std::fs::write(&cfg, text).unwrap();
    ws.sources(&[("ziekenhuis", &server.url("/feed.xml"))]);
    ws
}

fn serve_pages(server: &TestServer) {
    server.set(
        "/feed.xml",
        Route::ok("application/rss+xml", teaser_feed(server)),
    );
    server.set(
        "/nieuws/polikliniek",
        Route::ok(HTML, read_fixture("pages/ziekenhuis-nieuws.html")),
    );
    server.set(
        "/nieuws/leerwerkplaats",
        Route::ok(
            HTML,
            "<html><body><div class=\"cookie\"><p>Wij gebruiken cookies. \
             Accepteer alle cookies om verder te lezen.</p></div></body></html>",
        ),
    );
    server.set("/nieuws/weg", Route::status(404));
}

fn article_by_title(ws: &Workspace, title: &str) -> serde_json::Value {
    let hits = ws.json(&["search", "--json", &format!("\"{title}\"")]);
    let id = hits
        .as_array()
        .and_then(|a| a.iter().find(|h| h["title"] == title))
        .unwrap_or_else(|| panic!("{title:?} not found in {hits}"))["id"]
        .as_i64()
        .unwrap();
    ws.json(&["show", &id.to_string(), "--json"])
}

#[test]
fn teasers_get_the_full_page_text_and_junk_pages_keep_the_feed_text() {
    let server = TestServer::start();
    serve_pages(&server);
    let ws = workspace_with_full_text(&server, "auto");
    let out = ws.radar(&["fetch"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);

    let poli = article_by_title(&ws, "Nieuwe polikliniek voor ouderen geopend");
    assert_eq!(poli["text_method"], "extracted:blocks", "{poli}");
    let text = poli["text"].as_str().unwrap();
    assert!(
        text.contains("Geriaters, verpleegkundigen en fysiotherapeuten werken er samen"),
        "full text expected, got {text:?}"
    );
    assert_eq!(poli["author"], "Afdeling Communicatie");
    // Words only on the page are now searchable.
    let hits = ws.json(&["search", "fysiotherapeuten", "--json"]);
    assert_eq!(hits.as_array().unwrap().len(), 1, "{hits}");

    // A cookie wall is shorter than the teaser: the feed text stays, and
    // `show` says why.
    let wall = article_by_title(&ws, "Leerwerkplaats voor zij-instromers in de wijk");
    assert_eq!(wall["text_method"], "feed");
    assert!(wall["text"].as_str().unwrap().contains("leerwerkplaats"));
    let shown = ws.radar(&["show", &wall["id"].to_string()]);
    assert!(
        shown.stdout.contains("webpagina niet gebruikt"),
        "{}",
        shown.stdout
    );

    // A missing page: feed text kept, the HTTP error recorded.
    let gone = article_by_title(&ws, "Robotica in de nachtzorg");
    assert_eq!(gone["text_method"], "feed");
    let shown = ws.radar(&["show", &gone["id"].to_string()]);
    assert!(shown.stdout.contains("404"), "{}", shown.stdout);

    // The next poll does not fetch the pages again, and keeps the full text.
    let out = ws.radar(&["fetch"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(server.requests("/nieuws/polikliniek").len(), 1);
    assert_eq!(server.requests("/nieuws/weg").len(), 1);
    let again = article_by_title(&ws, "Nieuwe polikliniek voor ouderen geopend");
    assert_eq!(again["text"], poli["text"]);
}

#[test]
fn policy_never_fetches_no_pages() {
    let server = TestServer::start();
    serve_pages(&server);
    let ws = workspace_with_full_text(&server, "never");
    assert_eq!(ws.radar(&["fetch"]).code, 0);
    assert!(server.requests("/nieuws/polikliniek").is_empty());
    let poli = article_by_title(&ws, "Nieuwe polikliniek voor ouderen geopend");
    assert!(!poli["text"].as_str().unwrap().contains("Geriaters"));
}

#[test]
fn a_tip_is_fetched_stored_scored_and_searchable_and_recorded_once() {
    let server = TestServer::start();
    server.set(
        "/nieuws/polikliniek",
        Route::ok(HTML, read_fixture("pages/ziekenhuis-nieuws.html")),
    );
    let ws = Workspace::new();
    let url = server.url("/nieuws/polikliniek");
    let tip = ws.json(&[
        "tip",
        &url,
        "--from",
        "Regio Rivierenland",
        "--note",
        "Mooi voorbeeld van samenwerking",
        "--json",
    ]);
    assert_eq!(tip["known"], false);
    assert_eq!(tip["title"], "Nieuwe polikliniek voor ouderen geopend");
    assert!(tip["score"].is_number(), "tips are scored: {tip}");
    let id = tip["id"].as_i64().unwrap();

    let shown = ws.json(&["show", &id.to_string(), "--json"]);
    assert_eq!(shown["tip_from"], "Regio Rivierenland");
    assert_eq!(shown["tip_note"], "Mooi voorbeeld van samenwerking");
    assert_eq!(shown["source_id"], "tips");
    let text = ws.radar(&["show", &id.to_string()]).stdout;
    assert!(text.contains("Tip van:     Regio Rivierenland"), "{text}");

    let hits = ws.json(&["search", "polikliniek", "--json"]);
    assert_eq!(hits[0]["id"].as_i64(), Some(id));

    // The same link again (with a tracking parameter): no new article and
    // no new request; the tip is recorded on the article radar has.
    let again = ws.json(&[
        "tip",
        &format!("{url}?utm_source=nieuwsbrief"),
        "--from",
        "Partner B",
        "--json",
    ]);
    assert_eq!(again["known"], true);
    assert_eq!(again["id"].as_i64(), Some(id));
    assert_eq!(server.requests("/nieuws/polikliniek").len(), 1);
}

#[test]
fn bad_tips_are_refused_with_a_clear_message_and_store_nothing() {
    let server = TestServer::start();
    server.set("/leeg", Route::ok(HTML, "<html><body></body></html>"));
    let ws = Workspace::new();
    let out = ws.radar(&["tip", "ftp://example.org/x"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("only http and https"), "{}", out.stderr);
    let out = ws.radar(&["tip", "geen url"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("not a valid URL"), "{}", out.stderr);
    let out = ws.radar(&["tip", &server.url("/leeg")]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no article content"), "{}", out.stderr);
    let hits = ws.json(&["search", "leeg", "--json"]);
    assert!(hits.as_array().unwrap().is_empty());
}

#[test]
fn a_tip_to_a_private_address_is_refused() {
    let ws = Workspace::new();
    for url in [
        "http://10.0.0.7/nieuws",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/x",
    ] {
        let out = ws.radar(&["tip", url]);
        assert_eq!(out.code, 1, "{url}: {}", out.stdout);
        assert!(
            out.stderr.contains("blocked") || out.stderr.contains("private"),
            "{url}: {}",
            out.stderr
        );
    }
}

#[test]
fn extract_prints_the_article_of_a_file_and_a_url() {
    let ws = Workspace::new();
    let page = fixture("pages/ziekenhuis-nieuws.html");
    let v = ws.json(&[
        "extract",
        page.to_str().unwrap(),
        "--url",
        "https://www.ziekenhuis.example/nieuws/poli",
        "--json",
    ]);
    assert_eq!(v["title"], "Nieuwe polikliniek voor ouderen geopend");
    assert_eq!(v["byline"], "Afdeling Communicatie");
    let expected =
        std::fs::read_to_string(fixture("pages/ziekenhuis-nieuws.expected.txt")).unwrap();
    assert_eq!(v["text"].as_str().unwrap().trim(), expected.trim());

    let server = TestServer::start();
    server.set(
        "/artikel",
        Route::ok(HTML, read_fixture("pages/omroep-artikel.html")),
    );
    let out = ws.radar(&["extract", &server.url("/artikel")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("Methode:"), "{}", out.stdout);

    let out = ws.radar(&["extract", "/bestaat/niet.html"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("cannot read /bestaat/niet.html"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_feed_sources_own_rules_choose_the_body_of_its_pages() {
    let server = TestServer::start();
    serve_pages(&server);
    let ws = workspace_with_full_text(&server, "auto");
    // The site repeats its intro above every story; the advisor wants only
    // the body, without the closing list.
    let list = ws.path().join("feeds/sources.toml");
    let entry = std::fs::read_to_string(&list).unwrap();
    std::fs::write(
        &list,
        entry.replace(
            "kind = \"feed\"\n",
            "kind = \"feed\"\ninclude = \".body\"\nexclude = \".body ul\"\n",
        ),
    )
    .unwrap();
    let out = ws.radar(&["fetch"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let poli = article_by_title(&ws, "Nieuwe polikliniek voor ouderen geopend");
    assert_eq!(poli["text_method"], "extracted:rules", "{poli}");
    let text = poli["text"].as_str().unwrap();
    assert!(
        text.starts_with("Ouderen met meerdere aandoeningen"),
        "{text}"
    );
    assert!(text.contains("Samenwerking met de huisarts"), "{text}");
    assert!(!text.contains("Op maandag 9 maart"), "{text}");
    assert!(!text.contains("vaste verpleegkundige"), "{text}");
    // Metadata still comes from the page.
    assert_eq!(poli["author"], "Afdeling Communicatie");
}

#[test]
fn extract_tries_rules_given_or_those_of_a_source() {
    let ws = Workspace::new();
    let page = fixture("pages/ziekenhuis-nieuws.html");
    let page = page.to_str().unwrap();
    let v = ws.json(&[
        "extract",
        page,
        "--include",
        ".intro, .body",
        "--exclude",
        "h2",
        "--json",
    ]);
    assert_eq!(v["method"], "rules", "{v}");
    let text = v["text"].as_str().unwrap();
    assert!(text.starts_with("Op maandag 9 maart"), "{text}");
    assert!(!text.contains("Samenwerking met de huisarts"), "{text}");

    // The rules of a configured source, one of them replaced on the line.
    std::fs::write(
        ws.path().join("feeds/sources.toml"),
        "[[source]]\nid = \"rivierenland\"\nname = \"Rivierenland\"\nurl = \"https://rivierenland.example/rss\"\n\
         kind = \"feed\"\ninclude = \".body\"\nexclude = \"ul\"\n",
    )
    .unwrap();
    let v = ws.json(&["extract", page, "--source", "rivierenland", "--json"]);
    assert_eq!(v["method"], "rules", "{v}");
    let text = v["text"].as_str().unwrap();
    assert!(text.starts_with("Ouderen met meerdere"), "{text}");
    assert!(!text.contains("vaste verpleegkundige"), "{text}");
    let v = ws.json(&[
        "extract",
        page,
        "--source",
        "rivierenland",
        "--exclude",
        "h2",
        "--json",
    ]);
    let text = v["text"].as_str().unwrap();
    assert!(text.contains("vaste verpleegkundige"), "{text}");
    assert!(!text.contains("Samenwerking met de huisarts"), "{text}");

    // Mistakes are named.
    let out = ws.radar(&["extract", page, "--include", "div["]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("--include"), "{}", out.stderr);
    let out = ws.radar(&["extract", page, "--source", "onbekend"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("onbekend"), "{}", out.stderr);
}
