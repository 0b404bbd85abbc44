//! A list-page source (`kind = "page"`) over a local HTTP server: the
//! first pass follows every item link, the next pass only the new ones;
//! links that gave nothing are not fetched again; per-source rules apply.

mod common;

use common::{Route, TestServer, Workspace};

const HTML: &str = "text/html; charset=utf-8";

fn list(items: &[(&str, &str, &str)]) -> String {
    let mut s = String::from(
        "<html><head><title>Nieuws | Zorggroep De Linde</title></head><body>\
         <nav><a href=\"/\">Home</a> <a href=\"/over-ons\">Over ons</a></nav>\
         <div class=\"cookie\">Wij gebruiken cookies. <a href=\"/privacy\">Privacy</a></div>\
         <section class=\"nieuws\">",
    );
    for (href, title, date) in items {
        s.push_str(&format!(
            "<article class=\"nieuwsitem\"><h2 class=\"titel\">{title}</h2>\
             <span class=\"datum\">{date}</span><p class=\"intro\">Korte intro bij: {title}.</p>\
             <a class=\"meer\" href=\"{href}\">Lees meer</a></article>"
        ));
    }
    s.push_str("</section><footer><a href=\"https://www.facebook.com/delinde\">Facebook</a></footer></body></html>");
    s
}

fn article(title: &str, body: &str) -> String {
    format!(
        "<html><head><title>{title} | Zorggroep De Linde</title></head><body>\
         <header><a href=\"/\">Home</a></header>\
         <main><h1>{title}</h1><div class=\"deel\">Deel dit bericht via WhatsApp of e-mail</div>\
         <div class=\"tekst\"><p>{body}</p><p>Meer weten? Neem contact op met de afdeling communicatie \
         van de zorggroep, die graag vertelt hoe het project verder gaat in de komende maanden.</p></div></main>\
         <footer>© Zorggroep De Linde</footer></body></html>"
    )
}

fn setup(server: &TestServer, extra_keys: &str) -> Workspace {
    let ws = Workspace::new();
    // Full text on: list-page items are extracted already and must not be
    // fetched a second time by the full-text step.
    let cfg = ws.path().join("config.toml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    assert!(text.contains("full_text = \"never\""), "{text}");
    std::fs::write(
        &cfg,
        text.replace("full_text = \"never\"", "full_text = \"auto\""),
    )
    .unwrap();
    std::fs::write(
        ws.path().join("feeds/pages.toml"),
        format!(
            "[[source]]\nid = \"delinde\"\nname = \"Zorggroep De Linde\"\nurl = \"{}\"\nkind = \"page\"\n\
             items = \"article.nieuwsitem\"\ntitle = \"h2.titel\"\ndate = \".datum\"\nsummary = \".intro\"\n{extra_keys}",
            server.url("/nieuws")
        ),
    )
    .unwrap();
    ws
}

fn fetch(ws: &Workspace) -> serde_json::Value {
    let out = ws.radar(&["fetch", "--json"]);
    assert!(
        out.code == 0 || out.code == 2,
        "fetch could not run: {}",
        out.stderr
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    v[0].clone()
}

#[test]
fn first_pass_takes_all_second_pass_only_new_links() {
    let server = TestServer::start();
    let items = [
        (
            "/nieuws/leerafdeling",
            "Nieuwe leerafdeling in verpleeghuis De Linde",
            "12 maart 2025",
        ),
        (
            "/nieuws/zij-instroom?utm_source=home",
            "Twintig zij-instromers beginnen in de thuiszorg",
            "05-03-2025",
        ),
        (
            "/nieuws/weg",
            "Dit bericht bestaat niet meer",
            "1 maart 2025",
        ),
    ];
    server.set("/nieuws", Route::ok(HTML, list(&items)));
    server.set(
        "/nieuws/leerafdeling",
        Route::ok(
            HTML,
            article(
                "Nieuwe leerafdeling in verpleeghuis De Linde",
                "Verpleeghuis De Linde in Tilburg opent een leerafdeling waar studenten van mbo en hbo \
                 samen met ervaren verzorgenden voor bewoners zorgen. De afdeling is een samenwerking \
                 met het ROC en de hogeschool en moet meer jonge mensen voor de ouderenzorg winnen.",
            ),
        ),
    );
    server.set(
        "/nieuws/zij-instroom",
        Route::ok(
            HTML,
            article(
                "Twintig zij-instromers beginnen in de thuiszorg",
                "Twintig mensen uit de horeca, de detailhandel en de logistiek beginnen deze maand \
                 aan een leerwerktraject in de thuiszorg. Zij krijgen een vast contract en een \
                 werkbegeleider, en volgen één dag per week les op het ROC.",
            ),
        ),
    );
    // /nieuws/weg is not set: 404.
    let ws = setup(&server, "");

    let r = fetch(&ws);
    assert_eq!(r["outcome"], "ok", "{r}");
    assert_eq!(r["new"], 2, "{r}");
    // The tracking parameter is not sent.
    for p in [
        "/nieuws",
        "/nieuws/leerafdeling",
        "/nieuws/zij-instroom",
        "/nieuws/weg",
    ] {
        assert_eq!(server.requests(p).len(), 1, "{p}");
    }
    // Not followed: navigation, privacy, other sites.
    assert!(server.requests("/over-ons").is_empty());
    assert!(server.requests("/privacy").is_empty());

    let hits = ws.json(&["search", "leerafdeling", "--json"]);
    assert_eq!(
        hits[0]["title"],
        "Nieuwe leerafdeling in verpleeghuis De Linde"
    );
    assert!(
        hits[0]["published"]
            .as_str()
            .unwrap()
            .starts_with("2025-03-12")
    );
    let shown = ws.json(&["show", &hits[0]["id"].to_string(), "--json"]);
    let text = shown["text"].as_str().unwrap_or_else(|| panic!("{shown}"));
    assert!(text.contains("samenwerking met het ROC"), "{text}");
    assert_eq!(shown["text_method"], "extracted:blocks", "{shown}");

    // A new item appears: only it is fetched.
    let mut more = vec![(
        "/nieuws/prijs",
        "Wijkteam De Linde wint innovatieprijs",
        "14 maart 2025",
    )];
    more.extend(items.iter().copied());
    server.set("/nieuws", Route::ok(HTML, list(&more)));
    server.set(
        "/nieuws/prijs",
        Route::ok(
            HTML,
            article(
                "Wijkteam De Linde wint innovatieprijs",
                "Het wijkteam van De Linde wint de regionale innovatieprijs voor de aanpak waarin \
                 wijkverpleging, huisarts en gemeente samen één plan per cliënt maken. Andere \
                 teams in de regio nemen de werkwijze dit jaar over.",
            ),
        ),
    );
    let r = fetch(&ws);
    assert_eq!(r["new"], 1, "{r}");
    assert_eq!(server.requests("/nieuws").len(), 2);
    assert_eq!(server.requests("/nieuws/prijs").len(), 1);
    for p in [
        "/nieuws/leerafdeling",
        "/nieuws/zij-instroom",
        "/nieuws/weg",
    ] {
        assert_eq!(server.requests(p).len(), 1, "{p} fetched again");
    }

    // Nothing changed: the list is read, nothing else.
    let r = fetch(&ws);
    assert_eq!(r["outcome"], "unchanged", "{r}");
    assert_eq!(server.requests("/nieuws").len(), 3);
    assert_eq!(server.requests("/nieuws/prijs").len(), 1);
}

#[test]
fn per_source_rules_choose_the_body_and_a_broken_selector_is_reported() {
    let server = TestServer::start();
    server.set(
        "/nieuws",
        Route::ok(
            HTML,
            list(&[(
                "/nieuws/a",
                "Buurtzorg start met teamcoaches in Brabant",
                "2 april 2025",
            )]),
        ),
    );
    server.set(
        "/nieuws/a",
        Route::ok(
            HTML,
            article(
                "Buurtzorg start met teamcoaches in Brabant",
                "Zes zelfsturende teams krijgen een coach die hen helpt bij roosters, scholing en \
                 het inwerken van nieuwe collega's.",
            ),
        ),
    );
    let ws = setup(
        &server,
        "include = \".tekst\"\nexclude = \".deel, footer\"\n",
    );
    let r = fetch(&ws);
    assert_eq!(r["new"], 1, "{r}");
    let hits = ws.json(&["search", "teamcoaches", "--json"]);
    let shown = ws.json(&["show", &hits[0]["id"].to_string(), "--json"]);
    let text = shown["text"].as_str().unwrap();
    assert!(text.starts_with("Zes zelfsturende teams"), "{text}");
    assert!(!text.contains("WhatsApp"), "{text}");
    assert_eq!(shown["text_method"], "extracted:rules", "{shown}");

    // A selector that no longer matches is a source error, named.
    let ws = setup(&server, "");
    std::fs::write(
        ws.path().join("feeds/pages.toml"),
        format!(
            "[[source]]\nid = \"delinde\"\nname = \"De Linde\"\nurl = \"{}\"\nkind = \"page\"\nitems = \"li.bestaat-niet a\"\n",
            server.url("/nieuws")
        ),
    )
    .unwrap();
    let out = ws.radar(&["fetch", "--json"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v[0]["outcome"], "parse_error");
    assert!(
        v[0]["error"]
            .as_str()
            .unwrap()
            .contains("li.bestaat-niet a"),
        "{}",
        v[0]
    );

    // A bad selector is refused before anything runs, with file, id and key.
    std::fs::write(
        ws.path().join("feeds/pages.toml"),
        "[[source]]\nid = \"delinde\"\nname = \"De Linde\"\nurl = \"https://x.nl/\"\nkind = \"page\"\nitems = \"article >> a\"\n",
    )
    .unwrap();
    let out = ws.radar(&["fetch"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("pages.toml")
            && out.stderr.contains("`delinde`")
            && out.stderr.contains("`items`"),
        "{}",
        out.stderr
    );
}

/// A list page with a pager: `next` is the older page, if any.
fn paged(items: &[(&str, &str)], next: Option<&str>) -> String {
    let rows: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|(href, title)| (*href, *title, "1 april 2025"))
        .collect();
    let mut page = list(&rows);
    if let Some(n) = next {
        let pager = format!(
            "<nav class=\"pager\"><a href=\"/nieuws\">Eerste</a> <a rel=\"next\" href=\"{n}\">Volgende</a></nav></body>"
        );
        page = page.replace("</body>", &pager);
    }
    page
}

fn story(server: &TestServer, path: &str, title: &str) {
    server.set(
        path,
        Route::ok(
            HTML,
            article(
                title,
                &format!(
                    "{title}: de zorgorganisatie vertelt in dit bericht hoe medewerkers, \
                     leerlingen en vrijwilligers samen aan de slag gaan in de wijk."
                ),
            ),
        ),
    );
}

#[test]
fn older_pages_are_read_while_every_link_is_new() {
    let server = TestServer::start();
    let titles = [
        ("/nieuws/a1", "Leerlingen draaien mee in de nachtdienst"),
        ("/nieuws/a2", "Nieuwe opleiding tot helpende in Zwolle"),
        ("/nieuws/a3", "Vrijwilligers ondersteunen op de afdeling"),
        ("/nieuws/a4", "Wijkverpleging werkt met vaste roosters"),
        ("/nieuws/a5", "Zorgrobot helpt bij het tillen"),
        ("/nieuws/b0", "Thuiszorg opent een eigen academie"),
        ("/nieuws/b1", "Zij-instromers krijgen een buddy"),
        ("/nieuws/b2", "Minder registratie in de gehandicaptenzorg"),
        ("/nieuws/b3", "Regionaal leerwerkakkoord getekend"),
    ];
    for (path, title) in titles {
        story(&server, path, title);
    }
    let t = |i: usize| titles[i];
    server.set(
        "/nieuws",
        Route::ok(HTML, paged(&[t(0), t(1)], Some("/nieuws/pagina/2"))),
    );
    server.set(
        "/nieuws/pagina/2",
        Route::ok(HTML, paged(&[t(2), t(3)], Some("/nieuws/pagina/3"))),
    );
    // The last page's pager points back to the first: not followed again.
    server.set(
        "/nieuws/pagina/3",
        Route::ok(HTML, paged(&[t(4)], Some("/nieuws?utm_source=pager"))),
    );
    let ws = setup(&server, "max_pages = 10\n");

    // First pass: every page, until the pager leads nowhere new.
    let r = fetch(&ws);
    assert_eq!(r["outcome"], "ok", "{r}");
    assert_eq!(r["new"], 5, "{r}");
    for p in ["/nieuws", "/nieuws/pagina/2", "/nieuws/pagina/3"] {
        assert_eq!(server.requests(p).len(), 1, "{p}");
    }
    let hits = ws.json(&["search", "tillen", "--json"]);
    assert_eq!(hits[0]["title"], "Zorgrobot helpt bij het tillen", "{hits}");

    // One new item on the first page, beside known ones: older pages are
    // not read again.
    server.set(
        "/nieuws",
        Route::ok(HTML, paged(&[t(5), t(0), t(1)], Some("/nieuws/pagina/2"))),
    );
    let r = fetch(&ws);
    assert_eq!(r["new"], 1, "{r}");
    assert_eq!(server.requests("/nieuws").len(), 2);
    assert_eq!(server.requests("/nieuws/pagina/2").len(), 1);

    // A whole page of news since the last pass: the next page is read, and
    // paging stops there because it holds known items.
    server.set(
        "/nieuws",
        Route::ok(HTML, paged(&[t(6), t(7), t(8)], Some("/nieuws/pagina/2"))),
    );
    server.set(
        "/nieuws/pagina/2",
        Route::ok(HTML, paged(&[t(5), t(0), t(1)], Some("/nieuws/pagina/3"))),
    );
    let r = fetch(&ws);
    assert_eq!(r["new"], 3, "{r}");
    assert_eq!(server.requests("/nieuws/pagina/2").len(), 2);
    assert_eq!(server.requests("/nieuws/pagina/3").len(), 1);
    for (path, _) in titles {
        assert_eq!(server.requests(path).len(), 1, "{path} fetched again");
    }
}

#[test]
fn paging_stops_at_max_pages_and_at_max_items() {
    let server = TestServer::start();
    for n in 1..=6 {
        let (item, title) = (
            format!("/nieuws/s{n}"),
            format!("Bericht nummer {n} uit de wijk"),
        );
        story(&server, &item, &title);
        let next = format!("/nieuws/pagina/{}", n + 1);
        let path = if n == 1 {
            "/nieuws".to_string()
        } else {
            format!("/nieuws/pagina/{n}")
        };
        server.set(
            &path,
            Route::ok(HTML, paged(&[(&item, &title)], Some(&next))),
        );
    }
    // The default: three pages.
    let ws = setup(&server, "");
    assert_eq!(fetch(&ws)["new"], 3);
    assert_eq!(server.requests("/nieuws/pagina/3").len(), 1);
    assert!(server.requests("/nieuws/pagina/4").is_empty());

    // max_items caps the pages too: two items are two pages.
    let ws = setup(&server, "max_pages = 6\nmax_items = 2\n");
    assert_eq!(fetch(&ws)["new"], 2);
    assert_eq!(server.requests("/nieuws/pagina/2").len(), 2);
    assert_eq!(server.requests("/nieuws/pagina/3").len(), 1);
}

#[test]
fn a_detected_list_page_is_added_and_fetched() {
    let server = TestServer::start();
    let items = [
        (
            "/nieuws/leerafdeling",
            "Nieuwe leerafdeling in verpleeghuis De Linde",
            "12 maart 2025",
        ),
        (
            "/nieuws/zij-instroom",
            "Twintig zij-instromers beginnen in de thuiszorg",
            "05-03-2025",
        ),
        (
            "/nieuws/buddy",
            "Elke nieuwe collega krijgt een buddy",
            "1 maart 2025",
        ),
    ];
    server.set("/nieuws", Route::ok(HTML, list(&items)));
    for (path, title, _) in items {
        server.set(
            path,
            Route::ok(
                HTML,
                article(
                    title,
                    &format!("{title}. Zorggroep De Linde vertelt hoe teams, opleiders en de gemeente samenwerken om nieuwe collega's te vinden en te houden."),
                ),
            ),
        );
    }
    let ws = Workspace::new();
    std::fs::remove_file(ws.path().join("feeds/pages.toml")).ok();

    // Printed: the entry, with the selectors it found.
    let out = ws.radar(&["sources", "detect", &server.url("/nieuws")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("kind = \"page\""), "{}", out.stdout);
    assert!(
        out.stdout.contains("items = \"article.nieuwsitem\""),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("title = \"h2\""), "{}", out.stdout);
    assert!(out.stdout.contains("date = \".datum\""), "{}", out.stdout);
    assert!(
        out.stdout.contains("summary = \".intro\""),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("3 stories") && out.stderr.contains("2025-03-12"),
        "{}",
        out.stderr
    );

    // Added to a list and fetched like a hand-written list page.
    let list_file = ws.path().join("feeds/lijst.toml");
    let out = ws.radar(&[
        "sources",
        "detect",
        &server.url("/nieuws"),
        "--tag",
        "sector:vvt",
        "--into",
        list_file.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let r = fetch(&ws);
    assert_eq!(r["outcome"], "ok", "{r}");
    assert_eq!(r["new"], 3, "{r}");
    let hits = ws.json(&["search", "buddy", "--json"]);
    assert_eq!(
        hits[0]["title"], "Elke nieuwe collega krijgt een buddy",
        "{hits}"
    );

    // Again: refused, nothing written twice.
    let before = std::fs::read_to_string(&list_file).unwrap();
    let out = ws.radar(&[
        "sources",
        "detect",
        &server.url("/nieuws"),
        "--into",
        list_file.to_str().unwrap(),
    ]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("already source"), "{}", out.stderr);
    assert_eq!(std::fs::read_to_string(&list_file).unwrap(), before);

    // A page that advertises a feed: detected, with a note that the feed
    // is the better source; a feed itself is not a list page.
    server.set(
        "/met-feed",
        Route::ok(
            HTML,
            list(&items).replace(
                "</title>",
                "</title><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\">",
            ),
        ),
    );
    let out = ws.radar(&["sources", "detect", &server.url("/met-feed")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("advertises a feed") && out.stderr.contains("/feed.xml"),
        "{}",
        out.stderr
    );
    server.set(
        "/feed.xml",
        Route::ok(
            "application/rss+xml",
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>De Linde</title></channel></rss>",
        ),
    );
    let out = ws.radar(&["sources", "detect", &server.url("/feed.xml")]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("is a feed"), "{}", out.stderr);

    // A page without a list: a clear message, exit code not 0.
    server.set(
        "/leeg",
        Route::ok(HTML, "<html><body><p>Welkom bij De Linde</p></body></html>"),
    );
    let out = ws.radar(&["sources", "detect", &server.url("/leeg")]);
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("no news list recognised"),
        "{}",
        out.stderr
    );
    // A file needs the page's address.
    let file = ws.path().join("nieuws.html");
    std::fs::write(&file, list(&items)).unwrap();
    let out = ws.radar(&["sources", "detect", file.to_str().unwrap()]);
    assert!(out.stderr.contains("--url"), "{}", out.stderr);
    let out = ws.radar(&[
        "sources",
        "detect",
        file.to_str().unwrap(),
        "--url",
        "https://www.delinde.nl/nieuws",
        "--json",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["rules"]["items"], "article.nieuwsitem");
    assert_eq!(
        v["items"][0]["url"],
        "https://www.delinde.nl/nieuws/leerafdeling"
    );
}
