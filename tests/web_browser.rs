//! End to end in a real headless browser (Debian's chromium, installed by
//! `.ci/run`): `radar serve` on 127.0.0.1 (port 0) over the offline sample
//! feeds, with one advisor account. The browser is driven over the
//! DevTools protocol (`tests/cdp`) like a person would use it: it logs in,
//! searches, narrows the search with a facet, opens a lead, flags it, sets
//! an owner and adds a note, and finds the lead with that note on the
//! Opvolging board. Every page is rendered under radar's real headers
//! (CSP, referrer policy, cookies) and saved as a screenshot in
//! `target/web-screenshots/` for a person to look at.
//!
//! Skips with a message when no chromium binary is found.

mod cdp;
mod common;

use cdp::Browser;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn radar(data: &Path, args: &[&str], env: &[(&str, &str)]) {
    let out = Command::new(env!("CARGO_BIN_EXE_radar"))
        .arg("--data")
        .arg(data)
        .args(args)
        .envs(env.iter().copied())
        .env_remove("RADAR_CONFIG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "radar {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Starts `radar serve` on a free loopback port; returns it and its base URL.
fn serve(data: &Path) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_radar"))
        .arg("--data")
        .arg(data)
        // No scheduler: the demo data must not be polled (the default
        // sources are real sites).
        .args(["serve", "--bind", "127.0.0.1:0", "--no-scheduler"])
        .env_remove("RADAR_CONFIG")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = common::serve_address(&mut child);
    let server = Server(child);
    (server, format!("http://{addr}"))
}

struct Shots(PathBuf);

impl Shots {
    fn take(&self, b: &mut Browser, name: &str) {
        let file = self.0.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&file);
        b.screenshot(&file);
        let len = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        assert!(len > 5_000, "{name}: screenshot of {len} bytes");
    }
}

#[test]
fn an_advisor_logs_in_searches_flags_notes_and_finds_it_on_opvolging() {
    let Some(bin) = cdp::chromium() else {
        eprintln!(
            "SKIPPED: no chromium binary on PATH (apt-get install chromium); browser test not run"
        );
        return;
    };
    let ws = common::Workspace::new();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("feeds/samples");
    let data = ws.path().join("data");
    radar(
        &data,
        &["demo", "--samples", samples.to_str().unwrap()],
        &[],
    );
    radar(
        &data,
        &["user", "add", "anna", "--role", "advisor"],
        &[("RADAR_PASSWORD", "lang-en-geheim-wachtwoord")],
    );
    let (_server, base) = serve(&data);
    let shots = Shots(Path::new(env!("CARGO_MANIFEST_DIR")).join("target/web-screenshots"));
    std::fs::create_dir_all(&shots.0).unwrap();

    let mut b = Browser::launch(&bin);
    b.viewport(1280, 900, false);

    // Not logged in: any page leads to the log-in form, which remembers it.
    b.goto(&format!("{base}/opvolging"));
    let url = b.url();
    assert!(url.contains("/login?next=%2Fopvolging"), "{url}");
    assert!(b.text().contains("Wachtwoord"), "{}", b.text());
    shots.take(&mut b, "01-inloggen");

    // A wrong password keeps the advisor on the form with a Dutch message.
    b.fill("input[name=name]", "anna");
    b.fill("input[name=password]", "niet-mijn-wachtwoord");
    b.click("form.login button[type=submit]");
    let text = b.text();
    assert!(
        text.contains("Onbekende naam of verkeerd wachtwoord."),
        "{text}"
    );
    // The refusal is a 401, which the browser reports; that one is expected.
    assert!(
        b.errors.len() == 1 && b.errors[0].contains("401"),
        "{:?}",
        b.errors
    );
    b.errors.clear();

    b.fill("input[name=name]", "anna");
    b.fill("input[name=password]", "lang-en-geheim-wachtwoord");
    b.click("form.login button[type=submit]");
    let url = b.url();
    assert!(url.ends_with("/opvolging"), "after log-in: {url}");
    assert!(b.text().contains("anna (adviseur)"), "{}", b.text());

    // Vandaag: the leads of the sample feeds, with Volgen/Afwijzen.
    b.click("nav a[href='/vandaag']");
    let html = b.html();
    assert!(html.contains("/volgen\""), "no Volgen button on Vandaag");
    shots.take(&mut b, "02-vandaag");

    // Search with the Dutch analyzer: the plural finds and marks the word.
    b.click("nav a[href='/zoeken']");
    b.fill("form.search input[name=q]", "zij-instromers");
    b.click("form.search button[type=submit]");
    assert!(b.url().contains("q=zij-instromers"), "{}", b.url());
    let html = b.html();
    assert!(html.contains("<mark>zij-instromers</mark>"), "{html}");
    let count = |t: &str| -> usize {
        let at = t.find(" resultaten").expect("a result count");
        t[..at]
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let all = count(&b.text());
    assert!(all >= 1, "no results");
    shots.take(&mut b, "03-zoeken");

    // Narrow it with the first sector facet.
    b.click("section.facet a[href*='sector=']");
    assert!(b.url().contains("sector="), "{}", b.url());
    let narrowed = count(&b.text());
    assert!(
        (1..=all).contains(&narrowed),
        "{narrowed} of {all} after the facet"
    );
    assert!(b.text().contains("× alle"), "the facet can be cleared");
    shots.take(&mut b, "04-zoeken-gefilterd");

    // Open the first result.
    b.click("ol.results li h2 a[href^='/artikel/']");
    let url = b.url();
    let id: String = url
        .rsplit("/artikel/")
        .next()
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(!id.is_empty(), "{url}");
    let text = b.text();
    assert!(text.contains("Koploper-checklist"), "{text}");
    assert!(text.contains("Status: nieuw"), "{text}");

    // Flag it, then set an owner and add a note with the Opvolging form.
    b.click(&format!(
        "form[action='/artikel/{id}/volgen'] button[type=submit]"
    ));
    assert!(b.text().contains("Status: te volgen"), "{}", b.text());
    b.choose("form.triage select[name=status]", "contacted");
    b.fill("form.triage input[name=eigenaar]", "Anna de Vries");
    b.fill(
        "form.triage textarea[name=notitie]",
        "Gebeld met de projectleider; zij stuurt de evaluatie.",
    );
    b.click("form.triage button[type=submit]");
    let text = b.text();
    assert!(text.contains("Status: benaderd"), "{text}");
    assert!(text.contains("eigenaar: Anna de Vries"), "{text}");
    assert!(
        text.contains("Gebeld met de projectleider; zij stuurt de evaluatie."),
        "{text}"
    );
    shots.take(&mut b, "05-artikel");

    // The follow-up board lists the lead with its owner and latest note.
    b.click("nav a[href='/opvolging']");
    let row = b.eval(&format!(
        "[...document.querySelectorAll('tr')]\
         .filter(r => r.querySelector('a[href=\"/artikel/{id}\"]'))\
         .map(r => r.innerText.replace(/\\s+/g, ' '))[0] ?? ''"
    ));
    let row = row.as_str().unwrap_or("");
    for want in ["benaderd", "Anna de Vries", "zij stuurt de evaluatie"] {
        assert!(
            row.contains(want),
            "{want:?} not in the board's row: {row:?}"
        );
    }
    shots.take(&mut b, "06-opvolging");

    // The remaining pages render for the logged-in advisor.
    b.click("nav a[href='/bronnen']");
    assert!(b.text().contains("Tip toevoegen"), "{}", b.text());
    shots.take(&mut b, "07-bronnen");
    b.goto(&format!("{base}/overzicht?dagen=0"));
    assert!(b.text().contains("Blinde vlekken"), "{}", b.text());
    shots.take(&mut b, "08-overzicht");

    // On a phone the search page and the article fit the screen width.
    b.viewport(390, 844, true);
    let mut too_wide = Vec::new();
    for (name, path) in [
        ("09-zoeken-telefoon", "/zoeken?q=zij-instromers".to_string()),
        ("10-artikel-telefoon", format!("/artikel/{id}")),
        ("11-vandaag-telefoon", "/vandaag".to_string()),
        ("12-opvolging-telefoon", "/opvolging".to_string()),
        ("13-bronnen-telefoon", "/bronnen".to_string()),
        ("14-overzicht-telefoon", "/overzicht?dagen=0".to_string()),
    ] {
        b.goto(&format!("{base}{path}"));
        // Compared with the emulated screen width itself: on a phone the
        // browser widens its viewport to fit content that overflows.
        let width = b.eval("document.documentElement.scrollWidth");
        if width.as_f64().unwrap_or(f64::MAX) > 391.0 {
            // What sticks out, for the message.
            let culprits = b.eval(
                "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)\
                 .slice(0, 5).map(e => e.tagName + '.' + e.className).join(', ')",
            );
            too_wide.push(format!("{path}: {width} px ({culprits})"));
        }
        shots.take(&mut b, name);
    }
    assert!(
        too_wide.is_empty(),
        "wider than a 390 px phone screen: {too_wide:#?}"
    );

    // Log out: the board is closed again.
    b.viewport(1280, 900, false);
    b.click("form[action='/logout'] button[type=submit]");
    b.goto(&format!("{base}/opvolging"));
    assert!(b.url().contains("/login"), "{}", b.url());

    // Nothing the pages did was blocked by the Content-Security-Policy
    // and no page reported an error.
    assert!(b.errors.is_empty(), "page errors: {:#?}", b.errors);
    eprintln!("screenshots in {}", shots.0.display());
}
