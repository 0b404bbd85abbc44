//! Golden tests: hand-written Dutch care-sector pages with the text and
//! metadata the extractor must produce (tests/fixtures/pages/).

use radar::extract::article::{ExtractError, Limits, extract};
use std::path::Path;

fn fixtures() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).expect("fixture dir") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "html") {
            let name = p.file_stem().unwrap().to_string_lossy().to_string();
            out.push((name, std::fs::read_to_string(&p).expect("read html")));
        }
    }
    out.sort();
    assert!(out.len() >= 5, "expected at least 5 fixture pages");
    out
}

fn norm(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

#[test]
fn dutch_fixture_pages_match_expected_text_and_metadata() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages");
    let mut failures = Vec::new();
    for (name, html) in fixtures() {
        let meta: serde_json::Value =
            std::fs::read_to_string(dir.join(format!("{name}.expected.json")))
                .ok()
                .map(|s| serde_json::from_str(&s).expect("valid expected.json"))
                .unwrap_or(serde_json::Value::Null);
        let base = meta["base_url"].as_str();
        let got =
            extract(&html, base, &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = std::fs::read_to_string(dir.join(format!("{name}.expected.txt")))
            .expect("expected.txt");
        if norm(&got.text) != norm(&want) {
            failures.push(format!(
                "{name}: text differs\n--- got\n{}\n--- want\n{}",
                got.text, want
            ));
        }
        for banned in [
            "cookies",
            "Accepteren",
            "Cookie-instellingen",
            "Lees ook",
            "Deel dit",
            "Meer nieuws",
        ] {
            if got.text.contains(banned) {
                failures.push(format!("{name}: text contains {banned:?}"));
            }
        }
        if meta.is_null() {
            continue;
        }
        let check = |field: &str, got: Option<String>, failures: &mut Vec<String>| {
            if meta.get(field).is_some() {
                let want = meta[field].as_str().map(String::from);
                if got != want {
                    failures.push(format!("{name}: {field} = {got:?}, want {want:?}"));
                }
            }
        };
        check("title", got.title.clone(), &mut failures);
        check("byline", got.byline.clone(), &mut failures);
        check(
            "published",
            got.published
                .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            &mut failures,
        );
        check("lead_image", got.lead_image.clone(), &mut failures);
        assert!(
            got.html.contains("<p>"),
            "{name}: html output has paragraphs"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn html_output_is_simple_and_absolute() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages");
    let html = std::fs::read_to_string(dir.join("ziekenhuis-nieuws.html")).unwrap();
    let got = extract(
        &html,
        Some("https://www.ziekenhuis-rivierenland-oost.example/nieuws/x"),
        &Limits::default(),
    )
    .unwrap();
    assert!(
        got.html.contains("<h2>Samenwerking met de huisarts</h2>"),
        "{}",
        got.html
    );
    assert!(
        got.html.contains("<ul><li>Alle onderzoeken"),
        "{}",
        got.html
    );
    assert!(!got.html.contains("<script"), "{}", got.html);
    let cookie = std::fs::read_to_string(dir.join("zorggroep-cookies.html")).unwrap();
    let got = extract(
        &cookie,
        Some("https://www.zorggroep-delinde.example/nieuws/x"),
        &Limits::default(),
    )
    .unwrap();
    assert!(
        got.html
            .contains("<img src=\"https://www.zorggroep-delinde.example/uploads/huiskamer.jpg\">"),
        "{}",
        got.html
    );
}

#[test]
fn cut_short_article_body_removes_nothing() {
    // The author bio after the article goes because the page's JSON-LD
    // articleBody ends where the article ends (fixture zorgblad-auteur-bio).
    // When the publisher cut articleBody short, it says nothing about the
    // text after the cut: everything found stays.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages");
    let html = std::fs::read_to_string(dir.join("zorgblad-auteur-bio.html")).unwrap();
    let cut = "en cliënten melden dat ze zich beter gehoord voelen.";
    let start = html.find(cut).expect("fixture has the sentence") + cut.len();
    let end = html[start..].find("\"}").expect("end of articleBody") + start;
    let short = format!("{} ...{}", &html[..start], &html[end..]);
    let got = extract(&short, None, &Limits::default()).unwrap();
    assert!(
        got.text.contains("De zorgorganisatie wil na de zomer"),
        "{}",
        got.text
    );
    assert!(got.text.contains("Ineke de Groot schrijft"), "{}", got.text);
}

#[test]
fn empty_and_navigation_only_pages_have_no_content() {
    let l = Limits::default();
    assert_eq!(extract("", None, &l), Err(ExtractError::NoContent));
    let nav = "<html><body><ul><li><a href=/a>Home</a></li><li><a href=/b>Nieuws</a></li></ul></body></html>";
    assert_eq!(extract(nav, None, &l), Err(ExtractError::NoContent));
}

#[test]
fn hostile_pages_are_rejected_or_handled() {
    let l = Limits::default();
    // 100k nested divs: refused before parsing.
    let deep = format!(
        "{}tekst{}",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    assert_eq!(extract(&deep, None, &l), Err(ExtractError::TooDeep));
    // 40k nested blockquotes with text: refused too.
    let bq = format!(
        "{}Een citaat over zorg.{}",
        "<blockquote>".repeat(40_000),
        "</blockquote>".repeat(40_000)
    );
    assert_eq!(extract(&bq, None, &l), Err(ExtractError::TooDeep));
    // Moderately deep (1,000 levels): flattened to the cap and extracted.
    let para = "Dit is een gewone alinea over de wijkverpleging in de regio, met genoeg woorden om als tekst te tellen. ";
    let mid = format!(
        "{}<p>{}</p>{}",
        "<div>".repeat(1000),
        para.repeat(3),
        "</div>".repeat(1000)
    );
    let got = extract(&mid, None, &l).expect("flattened page extracts");
    assert!(got.text.contains("wijkverpleging"));
    // A 10 MB attribute: over the size cap.
    let big = format!("<p title=\"{}\">x</p>", "a".repeat(10 * 1024 * 1024));
    assert!(matches!(
        extract(&big, None, &l),
        Err(ExtractError::TooLarge { .. })
    ));
    // Same attribute with the cap raised: handled (the attribute is not text).
    let roomy = Limits {
        max_bytes: 64 * 1024 * 1024,
        ..Limits::default()
    };
    let big2 = format!(
        "<p title=\"{}\">{}</p>",
        "a".repeat(10 * 1024 * 1024),
        para.repeat(2)
    );
    let got = extract(&big2, None, &roomy).expect("big attribute handled");
    assert!(!got.text.contains("aaaa"));
    // 1M <p> tags (5 MB, just under the byte cap): refused by the tag-count
    // cap before parsing, which alone would take seconds.
    let many = "<p>ab".repeat(1_000_000);
    assert!(matches!(
        extract(&many, None, &l),
        Err(ExtractError::TooLarge { .. })
    ));
    // A page of 100k <p> tags is within the caps: extracted or found empty.
    let fewer = "<p>ab".repeat(100_000);
    let r = extract(&fewer, None, &l);
    assert!(
        matches!(
            r,
            Ok(_) | Err(ExtractError::NoContent) | Err(ExtractError::TimeBudget)
        ),
        "{r:?}"
    );
}
