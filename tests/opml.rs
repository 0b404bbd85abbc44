//! OPML import and export of sources through the CLI: a round trip keeps
//! ids, names, URLs, tags and radar's own settings (a list page's
//! selectors, full-text policy, schedule, disabled); re-importing adds
//! nothing; bad files and bad settings are refused with the place named.

mod common;

use common::Workspace;

const SOURCES: &str = r#"
[[source]]
id = "skipr"
name = "Skipr"
url = "https://www.skipr.nl/feed/"
kind = "feed"
tags = ["sector:zorg", "outlet:vakmedia"]

[[source]]
id = "zorg-welzijn"
name = "Zorg + Welzijn & <Co> \"nieuws\""
url = "https://www.zorgwelzijn.nl/feed/?a=1&b=2"
kind = "feed"
tags = ["sector:welzijn", "region:landelijk"]

[[source]]
id = "ggz-nieuws"
name = "GGZ Nieuws"
url = "https://www.ggznieuws.nl/feed/"
kind = "feed"
full_text = "always"
include = "div.artikel"
schedule = "0 0 7 * * *"
enabled = false

[[source]]
id = "delinde"
name = "Zorggroep De Linde"
url = "https://www.delinde.nl/nieuws"
kind = "page"
items = "article.nieuws > h2 a"
title = "h2"
date = "time"
next = ".pager a[title=\"Oudere berichten\"]"
max_pages = 5
exclude = ".deel-knoppen, #reacties"
tags = ["sector:vvt"]

[[source]]
id = "lokaal"
name = "Lokaal bestand"
url = "samples/x.rss"
kind = "feed"
"#;

fn rows(ws: &Workspace) -> Vec<(String, String, String, Vec<String>)> {
    let v = ws.json(&["sources", "--json"]);
    let mut out: Vec<_> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["name"].as_str().unwrap().to_string(),
                r["url"].as_str().unwrap().to_string(),
                r["tags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Everything a source list says about each source, by id (the file it
/// came from aside).
fn loaded(file: &std::path::Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = radar::sources::load_file(file, true)
        .unwrap()
        .into_iter()
        .map(|s| {
            (
                s.id.clone(),
                format!(
                    "{:?}",
                    (
                        &s.name,
                        &s.location,
                        s.kind,
                        &s.page,
                        &s.rules,
                        &s.tags,
                        s.enabled,
                        s.full_text,
                        &s.schedule
                    )
                ),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn export_then_import_round_trips() {
    let a = Workspace::new();
    std::fs::write(a.path().join("feeds/sources.toml"), SOURCES).unwrap();
    let out = a.radar(&["sources", "export"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("<opml version=\"2.0\">"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("category=\"sector:zorg,outlet:vakmedia\""),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("lokaal"),
        "left-out note: {}",
        out.stderr
    );
    let opml = a.path().join("export.opml");
    std::fs::write(&opml, &out.stdout).unwrap();

    let b = Workspace::new();
    let imp = b.radar(&["sources", "import", opml.to_str().unwrap()]);
    assert_eq!(imp.code, 0, "{}", imp.stderr);
    assert!(imp.stderr.contains("added 4 sources"), "{}", imp.stderr);
    // The list page travels as a link (other readers show a bookmark)
    // with its selectors in radar attributes.
    assert!(
        out.stdout.contains(r#"type="link""#)
            && out
                .stdout
                .contains(r#"radarItems="article.nieuws &gt; h2 a""#),
        "{}",
        out.stdout
    );
    assert!(b.path().join("feeds/imported.toml").exists());

    let mut want: Vec<_> = rows(&a).into_iter().filter(|r| r.0 != "lokaal").collect();
    want.sort();
    assert_eq!(rows(&b), want);
    // Every setting came back, not only the names: the selectors, the
    // policy, the schedule, the disabled state.
    let mut want = loaded(&a.path().join("feeds/sources.toml"));
    want.retain(|(id, _)| id != "lokaal");
    assert_eq!(loaded(&b.path().join("feeds/imported.toml")), want);

    // Again: everything is already there, nothing is written.
    let before = std::fs::read_to_string(b.path().join("feeds/imported.toml")).unwrap();
    let again = b.radar(&["sources", "import", opml.to_str().unwrap()]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        again.stderr.matches("already configured").count(),
        4,
        "{}",
        again.stderr
    );
    assert_eq!(
        std::fs::read_to_string(b.path().join("feeds/imported.toml")).unwrap(),
        before
    );
}

#[test]
fn import_of_a_foreign_opml_keeps_folders_as_tags_and_refuses_duplicates() {
    let ws = Workspace::new();
    std::fs::write(
        ws.path().join("feeds/sources.toml"),
        "[[source]]\nid = \"skipr\"\nname = \"Skipr\"\nurl = \"https://www.skipr.nl/feed/\"\nkind = \"feed\"\n",
    )
    .unwrap();
    let opml = ws.path().join("reader.opml");
    std::fs::write(
        &opml,
        r#"<?xml version="1.0" encoding="ISO-8859-1"?>
<opml version="1.0"><head><title>Mijn lezer</title></head><body>
  <outline text="Zorg">
    <outline text="Skipr" type="rss" xmlUrl="https://www.skipr.nl/feed/?utm_source=reader"/>
    <outline text="Zorgvisie" type="rss" xmlUrl="https://www.zorgvisie.nl/feed/"/>
    <outline text="Skipr" type="rss" xmlUrl="https://skipr-andere.nl/feed/"/>
  </outline>
  <outline text="Ondersteuning ouderen" type="rss" xmlUrl="https://www.vilans.nl/rss"/>
  <outline text="Onveilig" type="rss" xmlUrl="file:///etc/passwd"/>
</body></opml>"#
            .replace("ouderen", "ouderen \u{e9}")
            .chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap()) // ISO-8859-1 bytes
            .collect::<Vec<u8>>(),
    )
    .unwrap();
    let out = ws.radar(&["sources", "import", opml.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("already configured as source `skipr`"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("/etc/passwd"), "{}", out.stderr);
    let r = rows(&ws);
    let ids: Vec<&str> = r.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(
        ids,
        vec!["ondersteuning-ouderen-e", "skipr", "skipr-2", "zorgvisie"]
    );
    let zv = r.iter().find(|x| x.0 == "zorgvisie").unwrap();
    assert_eq!(zv.3, vec!["Zorg"]);
}

#[test]
fn broken_opml_is_refused_with_the_file_named() {
    let ws = Workspace::new();
    let opml = ws.path().join("kapot.opml");
    std::fs::write(&opml, "<opml><body><outline text=\"x\"></body>").unwrap();
    let out = ws.radar(&["sources", "import", opml.to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("kapot.opml") && out.stderr.contains("line 1"),
        "{}",
        out.stderr
    );
    assert!(!ws.path().join("feeds/imported.toml").exists());
}

#[test]
fn radar_settings_in_a_foreign_opml_are_checked_per_outline() {
    let ws = Workspace::new();
    let opml = ws.path().join("bronnen.opml");
    std::fs::write(
        &opml,
        r#"<opml version="2.0"><body>
<outline type="link" text="Goede lijst" url="https://www.zorggroep.nl/nieuws" radarItems="li.bericht a" radarMaxPages="2"/>
<outline type="link" text="Kapotte selector" url="https://www.thuiszorg.nl/nieuws" radarItems="li[[a"/>
<outline type="link" text="Zonder selectors" url="https://www.wijkteam.nl/actueel"/>
<outline type="rss" text="Feed met items" xmlUrl="https://www.ggz.nl/feed" radarItems="a"/>
<outline type="rss" text="Te veel paginas" xmlUrl="https://www.vvt.nl/feed" radarMaxPages="veel"/>
<outline type="rss" text="Slechte planning" xmlUrl="https://www.ouderen.nl/feed" radarSchedule="elke dag"/>
</body></opml>"#,
    )
    .unwrap();
    let out = ws.radar(&["sources", "import", opml.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let ids: Vec<String> = rows(&ws).into_iter().map(|r| r.0).collect();
    assert_eq!(ids, vec!["goede-lijst"], "{}", out.stderr);
    // One line per refusal (no parser dumps), each naming the line, the
    // outline and the attribute.
    assert!(
        out.stderr
            .lines()
            .all(|l| l.starts_with("skipped: line ") || l.starts_with("added ")),
        "{}",
        out.stderr
    );
    for (line, what) in [
        (
            "line 3",
            "radarItems: \"li[[a\" is not a valid CSS selector",
        ),
        (
            "line 4",
            "radar sources detect https://www.wijkteam.nl/actueel",
        ),
        ("line 5", "radarItems: only a kind = \"page\" source"),
        ("line 6", "radarMaxPages \"veel\" is not a whole number"),
        (
            "line 7",
            "radarSchedule: \"elke dag\" is not a cron expression (",
        ),
    ] {
        assert!(
            out.stderr
                .lines()
                .any(|l| l.contains(line) && l.contains(what)),
            "{line} {what}: {}",
            out.stderr
        );
    }
}
