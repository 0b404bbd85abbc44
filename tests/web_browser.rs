//! End to end in a real headless browser (Debian's chromium): `radar
//! serve` on 127.0.0.1 (port 0) over the offline sample feeds; every page
//! is rendered by the browser under radar's Content-Security-Policy and
//! saved as a screenshot in `target/web-screenshots/` for a person to look
//! at. Skips with a message when no chromium binary is found (`.ci/run`
//! installs it). Only open mode: the browser's command line cannot fill in
//! the log-in form; log-in, CSRF and roles are covered by `tests/web.rs`.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|b| dirs.iter().map(move |d| d.join(b)))
        .find(|p| p.is_file())
}

/// Runs the browser with a deadline; returns its stdout.
fn browse(bin: &Path, args: &[&str]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.path().display()),
        ])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s: {args:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut out = String::new();
    use std::io::Read;
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    out
}

struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn pages_render_in_a_real_browser_with_screenshots() {
    let Some(bin) = chromium() else {
        eprintln!(
            "SKIPPED: no chromium binary on PATH (apt-get install chromium); browser test not run"
        );
        return;
    };
    let ws = common::Workspace::new();
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("feeds/samples");
    let data = ws.path().join("data");
    let out = Command::new(env!("CARGO_BIN_EXE_radar"))
        .arg("--data")
        .arg(&data)
        .args(["demo", "--samples"])
        .arg(&samples)
        .env_remove("RADAR_CONFIG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_radar"))
        .arg("--data")
        .arg(&data)
        // No scheduler: the demo data must not be polled (the default
        // sources are real sites).
        .args(["serve", "--bind", "127.0.0.1:0", "--no-scheduler"])
        .env_remove("RADAR_CONFIG")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _server = Server(child);
    let base = format!(
        "http://{}",
        line.split("http://")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .unwrap()
    );

    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/web-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    for (name, path, expect) in [
        ("vandaag", "/vandaag?dagen=3650", "Twentse leerlingpoule"),
        (
            "zoeken",
            "/zoeken?q=zij-instromers",
            "<mark>zij-instromers</mark>",
        ),
        (
            "zoeken-gefilterd",
            "/zoeken?q=zorg&sector=vvt&sort=datum",
            "resultaten voor",
        ),
        ("bronnen", "/bronnen", "Tip toevoegen"),
        ("overzicht", "/overzicht?dagen=0", "Blinde vlekken"),
    ] {
        let dom = browse(&bin, &["--dump-dom", &format!("{base}{path}")]);
        assert!(
            dom.contains(expect),
            "{path}: {expect:?} not in the rendered page:\n{dom}"
        );
        let file = shots.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&file);
        browse(
            &bin,
            &[
                "--window-size=1280,1400",
                &format!("--screenshot={}", file.display()),
                &format!("{base}{path}"),
            ],
        );
        assert!(
            std::fs::metadata(&file)
                .map(|m| m.len() > 10_000)
                .unwrap_or(false),
            "{name}: no screenshot"
        );
    }
    // An article (the first candidate) and the phone layout.
    let dom = browse(&bin, &["--dump-dom", &format!("{base}/vandaag?dagen=3650")]);
    let at = dom.find("href=\"/artikel/").expect("a candidate link") + 15;
    let id: String = dom[at..].chars().take_while(char::is_ascii_digit).collect();
    let dom = browse(&bin, &["--dump-dom", &format!("{base}/artikel/{id}")]);
    assert!(dom.contains("Koploper-criteria"), "{dom}");
    // Follow it up (as `radar flag` would; the browser cannot post forms
    // here) and see it on the article and on Opvolging.
    let out = Command::new(env!("CARGO_BIN_EXE_radar"))
        .arg("--data")
        .arg(&data)
        .args([
            "flag",
            &id,
            "--owner",
            "Anna",
            "--note",
            "Gebeld met de projectleider",
            "--by",
            "anna",
        ])
        .env_remove("RADAR_CONFIG")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = browse(&bin, &["--dump-dom", &format!("{base}/artikel/{id}")]);
    assert!(dom.contains("Gebeld met de projectleider"), "{dom}");
    assert!(
        dom.contains(
            "action=\"/artikel/{id}/triage\""
                .replace("{id}", &id)
                .as_str()
        ),
        "{dom}"
    );
    let dom = browse(&bin, &["--dump-dom", &format!("{base}/opvolging")]);
    assert!(dom.contains(&format!("href=\"/artikel/{id}\"")), "{dom}");
    assert!(dom.contains("Anna"), "{dom}");
    for (name, size, path) in [
        ("artikel", "1280,1600", format!("/artikel/{id}")),
        ("opvolging", "1280,900", "/opvolging".to_string()),
        (
            "zoeken-telefoon",
            "390,1400",
            "/zoeken?q=zij-instromers".to_string(),
        ),
    ] {
        let file = shots.join(format!("{name}.png"));
        browse(
            &bin,
            &[
                &format!("--window-size={size}"),
                &format!("--screenshot={}", file.display()),
                &format!("{base}{path}"),
            ],
        );
        assert!(file.is_file(), "{name}: no screenshot");
    }
    eprintln!("screenshots in {}", shots.display());
}
