//! `radar import --jsonl`.

mod common;

use common::{Workspace, shared_dir, titles};

#[test]
fn bad_lines_are_reported_and_the_rest_imported_once() {
    let ws = Workspace::new();
    ws.sources(&[]);
    let file = ws.path().join("archief.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"url":"https://a.example/1?utm_source=x","title":"Leerwerkbaan in Zwolle","body":"Tien herintreders begonnen aan een leerwerkbaan.","source":"Zwolse Krant","published":"2026-10-01"}"#, "\n",
            "niet eens json\n",
            r#"{"url":"https://a.example/2","title":"Zonder tekst"}"#, "\n",
            "\n",
            r#"{"url":"https://a.example/3","title":"Robot helpt bij nachtdienst","body":"Een zorgrobot neemt rondes over.","extra":"wordt genegeerd"}"#, "\n",
        ),
    )
    .unwrap();
    let out = ws.radar(&["import", "--jsonl", file.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stderr.contains("archief.jsonl:2:"), "{}", out.stderr);
    assert!(
        out.stderr.contains("archief.jsonl:3:") && out.stderr.contains("body"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("2 nieuw"), "{}", out.stdout);
    let again = ws.radar(&["import", "--jsonl", file.to_str().unwrap()]);
    assert!(
        again.stdout.contains("0 nieuw") && again.stdout.contains("2 ongewijzigd"),
        "{}",
        again.stdout
    );
    let hits = ws.json(&["search", "herintreder", "--json"]);
    assert_eq!(titles(&hits), vec!["Leerwerkbaan in Zwolle"]);
    assert_eq!(hits[0]["source"], "Zwolse Krant");
    assert_eq!(hits[0]["published"], "2026-10-01T00:00:00Z");
}

#[test]
fn labelled_dev_set_imports_completely_and_is_searchable() {
    let Some(shared) = shared_dir() else {
        eprintln!("SKIPPED: ../shared not found; the labelled corpus test needs it");
        return;
    };
    let file = shared.join("corpus/labelled/dev.jsonl");
    let lines = std::fs::read_to_string(&file).unwrap();
    let n = lines.lines().filter(|l| !l.trim().is_empty()).count();
    let ws = Workspace::new();
    ws.sources(&[]);
    let report = ws.json(&["import", "--jsonl", file.to_str().unwrap(), "--json"]);
    assert_eq!(report["lines"], n as u64);
    assert_eq!(report["errors"].as_array().unwrap().len(), 0, "{report}");
    // Items with the same url are one article; count distinct urls.
    let mut urls: Vec<String> = lines
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|v| v["url"].as_str().unwrap().to_string())
        .collect();
    urls.sort();
    urls.dedup();
    assert_eq!(report["stats"]["new"], urls.len() as u64);
    // A distinctive word from an item's title finds that item first.
    let first: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    let title = first["title"].as_str().unwrap();
    let word = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 9)
        .max_by_key(|w| w.len())
        .expect("a long word in the first title");
    let hits = titles(&ws.json(&["search", word, "--json", "--limit", "50"]));
    assert!(
        hits.iter().any(|t| t == title),
        "{word:?} should find {title:?}; got {hits:?}"
    );
}
