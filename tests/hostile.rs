//! The hostile-server suite: an in-process server on 127.0.0.1 (port 0)
//! that misbehaves in every way the issue and ../shared/reliability.md
//! list. For each case: the typed outcome is recorded on the source, the
//! articles stored before are intact, and the next poll is scheduled.

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::Workspace;
use serde_json::Value;

/// What the server does for a path.
#[derive(Clone)]
enum Reply {
    /// A complete response. With `etag`, a matching If-None-Match gets 304.
    Canned {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        etag: Option<String>,
    },
    /// Headers, then one byte every `every`, forever.
    Trickle { every: Duration },
    /// Reads the request and never answers.
    Hang,
}

fn ok(ct: &str, body: impl Into<Vec<u8>>) -> Reply {
    Reply::Canned {
        status: 200,
        headers: vec![("Content-Type".into(), ct.into())],
        body: body.into(),
        etag: None,
    }
}

fn status(code: u16, headers: &[(&str, &str)]) -> Reply {
    Reply::Canned {
        status: code,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: b"no".to_vec(),
        etag: None,
    }
}

/// Requests seen: path and headers (lower-cased names).
type Log = Arc<Mutex<Vec<(String, HashMap<String, String>)>>>;

struct Hostile {
    addr: SocketAddr,
    routes: Arc<Mutex<HashMap<String, Reply>>>,
    log: Log,
    stop: Arc<AtomicBool>,
}

impl Hostile {
    fn start() -> Hostile {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let h = Hostile {
            addr,
            routes: Arc::default(),
            log: Arc::default(),
            stop: Arc::new(AtomicBool::new(false)),
        };
        let (routes, log, stop) = (h.routes.clone(), h.log.clone(), h.stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(c) = conn else { continue };
                let (routes, log, stop) = (routes.clone(), log.clone(), stop.clone());
                std::thread::spawn(move || serve(c, &routes, &log, &stop));
            }
        });
        h
    }
    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
    fn set(&self, path: &str, r: Reply) {
        self.routes.lock().unwrap().insert(path.into(), r);
    }
    fn hits(&self, path: &str) -> Vec<HashMap<String, String>> {
        let log = self.log.lock().unwrap();
        log.iter()
            .filter(|(p, _)| p == path)
            .map(|(_, h)| h.clone())
            .collect()
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve(
    mut c: TcpStream,
    routes: &Mutex<HashMap<String, Reply>>,
    log: &Mutex<Vec<(String, HashMap<String, String>)>>,
    stop: &AtomicBool,
) {
    let Some((path, headers)) = common::read_request(&c) else {
        return;
    };
    log.lock().unwrap().push((path.clone(), headers.clone()));
    let reply = routes.lock().unwrap().get(&path).cloned();
    match reply {
        None => {
            let _ = c.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
        Some(Reply::Canned {
            status,
            headers: extra,
            body,
            etag,
        }) => {
            let not_modified = etag.is_some() && headers.get("if-none-match") == etag.as_ref();
            let (status, body) = if not_modified {
                (304, Vec::new())
            } else {
                (status, body)
            };
            let mut head = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (k, v) in &extra {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            if let Some(e) = &etag {
                head.push_str(&format!("ETag: {e}\r\n"));
            }
            head.push_str("\r\n");
            let _ = c.write_all(head.as_bytes());
            let _ = c.write_all(&body);
        }
        Some(Reply::Trickle { every }) => {
            let _ = c.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000000\r\n\r\n<rss>",
            );
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(every);
                if c.write_all(b" ").is_err() {
                    break;
                }
            }
        }
        Some(Reply::Hang) => {
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(50));
                // Stop once the client has gone.
                let mut buf = [0u8; 1];
                c.set_nonblocking(true).ok();
                match std::io::Read::read(&mut c, &mut buf) {
                    Ok(0) => break,
                    Err(e) if e.kind() != std::io::ErrorKind::WouldBlock => break,
                    _ => {}
                }
            }
        }
    }
}

const RSS: &str = "application/rss+xml; charset=utf-8";

fn feed(items: &[(&str, &str)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Zorgnieuws Test</title><link>https://zorgnieuws.example/</link>\
         <description>test</description>",
    );
    let now = Utc::now();
    for (i, (id, title)) in items.iter().enumerate() {
        let date = (now - chrono::Duration::hours(i as i64 + 1)).to_rfc2822();
        s.push_str(&format!(
            "<item><guid>https://zorgnieuws.example/{id}</guid><link>https://zorgnieuws.example/{id}</link>\
             <title>{title}</title><pubDate>{date}</pubDate>\
             <description>Een bericht over {title} in de zorg en het welzijn.</description></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s
}

fn three() -> String {
    feed(&[
        ("a", "Wijkverpleging in Venlo"),
        ("b", "Nieuwe leerafdeling"),
        ("c", "Zorgcoöperatie groeit"),
    ])
}

/// A workspace whose config adds `extra` lines to `[fetch]`, polls every
/// second by default and keeps intervals between 1 and 10 minutes.
fn workspace(extra_fetch: &str) -> Workspace {
    let ws = Workspace::new();
    let cfg = ws.path().join("config.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    assert!(text.trim_end().contains("[fetch]"));
    text.push_str(extra_fetch);
    text.push_str(
        "\n[schedule]\ndefault = \"* * * * * *\"\nmin_interval_mins = 1\nmax_interval_mins = 10\n",
    );
    std::fs::write(&cfg, text).unwrap();
    ws
}

fn source_row(ws: &Workspace, id: &str) -> Value {
    let v = ws.json(&["sources", "--json"]);
    v.as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no source {id} in {v}"))
}

fn next_check(row: &Value) -> DateTime<Utc> {
    let s = row["next_check_at"]
        .as_str()
        .unwrap_or_else(|| panic!("no next_check_at in {row}"));
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Fetches the good feed, then `hostile` at the same path; checks the
/// outcome kind, that the three articles survive and that a next poll is
/// scheduled. Returns the source row after the hostile fetch.
fn survive(server: &Hostile, ws: &Workspace, hostile: Reply, kind: &str) -> Value {
    server.set("/feed", ok(RSS, three()));
    ws.sources(&[("src", &server.url("/feed"))]);
    let out = ws.radar(&["fetch"]);
    assert_eq!(out.code, 0, "first fetch: {}\n{}", out.stdout, out.stderr);
    assert_eq!(source_row(ws, "src")["articles"], 3);
    server.set("/feed", hostile);
    let before = Utc::now() - chrono::Duration::seconds(1);
    let out = ws.radar(&["fetch"]);
    let row = source_row(ws, "src");
    assert_eq!(
        row["last_status"], kind,
        "{row}\n{}\n{}",
        out.stdout, out.stderr
    );
    assert_eq!(row["articles"], 3, "earlier articles must survive: {row}");
    assert!(
        next_check(&row) > before,
        "next poll must be scheduled: {row}"
    );
    assert!(!row["suspended"].as_bool().unwrap(), "{row}");
    if out.code == 2 {
        assert_eq!(row["last_error_kind"], kind, "{row}");
        assert!(
            !row["last_error"].as_str().unwrap_or("").is_empty(),
            "{row}"
        );
    }
    row
}

/// After a failure, the good feed comes back and is read again.
fn recovers(server: &Hostile, ws: &Workspace) {
    server.set("/feed", ok(RSS, feed(&[("d", "Herstel na storing")])));
    let out = ws.radar(&["fetch"]);
    assert_eq!(
        out.code, 0,
        "recovery fetch: {}\n{}",
        out.stdout, out.stderr
    );
    let row = source_row(ws, "src");
    assert_eq!(row["last_status"], "ok", "{row}");
    assert_eq!(row["articles"], 4, "{row}");
    assert_eq!(row["error_count"], 0, "{row}");
}

#[test]
fn not_modified_echoes_the_validator_byte_for_byte() {
    let server = Hostile::start();
    let ws = workspace("");
    let etag = "W/\"zorg-17\"";
    server.set(
        "/feed",
        Reply::Canned {
            status: 200,
            headers: vec![("Content-Type".into(), RSS.into())],
            body: three().into_bytes(),
            etag: Some(etag.into()),
        },
    );
    ws.sources(&[("src", &server.url("/feed"))]);
    assert_eq!(ws.radar(&["fetch"]).code, 0);
    assert_eq!(ws.radar(&["fetch"]).code, 0);
    let hits = server.hits("/feed");
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].get("if-none-match"), None);
    assert_eq!(hits[1].get("if-none-match").map(String::as_str), Some(etag));
    let row = source_row(&ws, "src");
    assert_eq!(row["last_status"], "not_modified");
    assert_eq!(row["articles"], 3);
    assert!(next_check(&row) > Utc::now() - chrono::Duration::seconds(5));
}

#[test]
fn identical_body_is_short_circuited_without_duplicates() {
    let server = Hostile::start();
    let ws = workspace("");
    survive(&server, &ws, ok(RSS, three()), "unchanged");
}

#[test]
fn redirect_loop_and_too_many_hops() {
    let server = Hostile::start();
    let ws = workspace("");
    let to = |p: &str| status(302, &[("Location", p)]);
    server.set("/loop-b", to("/feed"));
    survive(&server, &ws, to("/loop-b"), "too_many_redirects");
    for i in 1..=7 {
        server.set(&format!("/hop{i}"), to(&format!("/hop{}", i + 1)));
    }
    server.set("/hop8", ok(RSS, three()));
    let row = survive(&server, &ws, to("/hop1"), "too_many_redirects");
    assert!(
        row["last_error"].as_str().unwrap().contains("more than 5"),
        "{row}"
    );
    recovers(&server, &ws);
}

#[test]
fn redirect_to_private_addresses_is_blocked_before_connecting() {
    let server = Hostile::start();
    let ws = workspace("");
    // A listener on ::1 that must never see a connection.
    let v6 = TcpListener::bind("[::1]:0").ok();
    let accepted = Arc::new(AtomicUsize::new(0));
    let v6_url = v6.as_ref().map(|l| {
        let port = l.local_addr().unwrap().port();
        let l = l.try_clone().unwrap();
        l.set_nonblocking(true).unwrap();
        let n = accepted.clone();
        std::thread::spawn(move || {
            for _ in 0..200 {
                if l.accept().is_ok() {
                    n.fetch_add(1, Ordering::SeqCst);
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        format!("http://[::1]:{port}/feed")
    });
    let mut targets = vec![
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://10.0.0.1/feed".to_string(),
        "http://[::ffff:127.0.0.2]/feed".to_string(),
    ];
    targets.extend(v6_url);
    for target in &targets {
        let row = survive(
            &server,
            &ws,
            status(302, &[("Location", target)]),
            "blocked_non_public_address",
        );
        assert!(
            row["last_error"]
                .as_str()
                .unwrap()
                .contains("redirect hop 1"),
            "{row}"
        );
    }
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        0,
        "::1 must never be contacted"
    );
    // A source pointing straight at a private literal is refused as well.
    ws.sources(&[("src", "http://192.168.1.1/feed")]);
    assert_eq!(ws.radar(&["fetch"]).code, 2);
    assert_eq!(
        source_row(&ws, "src")["last_status"],
        "blocked_non_public_address"
    );
}

#[test]
fn body_over_the_cap() {
    let server = Hostile::start();
    let ws = workspace("max_body_bytes = 8192\n");
    let big = feed(&[("x", &"zorg ".repeat(5000))]);
    survive(&server, &ws, ok(RSS, big), "response_too_large");
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn gzip_bomb_stops_at_the_decoded_cap() {
    let server = Hostile::start();
    let ws = workspace("max_body_bytes = 1048576\n");
    // 256 MiB of zeros, a few hundred KiB on the wire.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..256 {
        enc.write_all(&zeros).unwrap();
    }
    let bomb = enc.finish().unwrap();
    assert!(bomb.len() < 1 << 20);
    let reply = Reply::Canned {
        status: 200,
        headers: vec![
            ("Content-Type".into(), RSS.into()),
            ("Content-Encoding".into(), "gzip".into()),
        ],
        body: bomb,
        etag: None,
    };
    survive(&server, &ws, reply, "response_too_large");
    recovers(&server, &ws);
}

#[test]
fn truncated_gzip_and_lying_content_encoding() {
    let server = Hostile::start();
    let ws = workspace("");
    let z = gzip(three().as_bytes());
    let cut = z[..z.len() / 2].to_vec();
    let gz = |body: Vec<u8>| Reply::Canned {
        status: 200,
        headers: vec![
            ("Content-Type".into(), RSS.into()),
            ("Content-Encoding".into(), "gzip".into()),
        ],
        body,
        etag: None,
    };
    survive(&server, &ws, gz(cut), "decode_error");
    survive(&server, &ws, gz(three().into_bytes()), "decode_error");
    let row = survive(
        &server,
        &ws,
        gz(gzip(&gzip(three().as_bytes()))),
        "decode_error",
    );
    assert!(
        row["last_error"]
            .as_str()
            .unwrap()
            .contains("compressed twice"),
        "{row}"
    );
    survive(
        &server,
        &ws,
        ok(RSS, gzip(three().as_bytes())),
        "decode_error",
    );
    recovers(&server, &ws);
}

#[test]
fn slow_trickle_hits_the_total_deadline() {
    let server = Hostile::start();
    let ws = workspace("timeout_secs = 2\nread_timeout_secs = 1\nretries = 0\n");
    let t = std::time::Instant::now();
    survive(
        &server,
        &ws,
        Reply::Trickle {
            every: Duration::from_millis(200),
        },
        "timeout",
    );
    // Generous bound: the deadline is 2 s; a hang would take forever.
    assert!(t.elapsed() < Duration::from_secs(30), "{:?}", t.elapsed());
}

#[test]
fn server_that_never_answers_hits_the_deadline() {
    let server = Hostile::start();
    let ws = workspace("timeout_secs = 2\nread_timeout_secs = 1\nretries = 0\n");
    survive(&server, &ws, Reply::Hang, "timeout");
    recovers(&server, &ws);
}

fn retry_after(v: &str) -> Reply {
    status(429, &[("Retry-After", v)])
}

#[test]
fn retry_after_seconds_date_malformed_and_enormous() {
    let server = Hostile::start();
    let ws = workspace("max_retry_after_secs = 7200\n");
    // Seconds: no poll before it expires.
    let t0 = Utc::now();
    let row = survive(&server, &ws, retry_after("900"), "http_error");
    assert_eq!(row["last_http_status"], 429);
    assert!(
        next_check(&row) >= t0 + chrono::Duration::seconds(899),
        "{row}"
    );
    // HTTP-date, 40 minutes ahead.
    let when = (Utc::now() + chrono::Duration::minutes(40))
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string();
    let t0 = Utc::now();
    let row = survive(&server, &ws, retry_after(&when), "http_error");
    assert!(
        next_check(&row) >= t0 + chrono::Duration::minutes(39),
        "{row}"
    );
    // Malformed: ignored, the usual backoff applies (max interval 10 min).
    let t0 = Utc::now();
    let row = survive(&server, &ws, retry_after("tomorrow-ish"), "http_error");
    assert!(
        next_check(&row) <= t0 + chrono::Duration::minutes(11),
        "{row}"
    );
    // A year: capped at max_retry_after_secs (2 h).
    let t0 = Utc::now();
    let row = survive(&server, &ws, retry_after("31536000"), "http_error");
    let next = next_check(&row);
    assert!(next >= t0 + chrono::Duration::minutes(119), "{row}");
    assert!(next <= t0 + chrono::Duration::minutes(125), "{row}");
}

#[test]
fn burst_of_503s_is_retried_with_backoff_and_spares_other_hosts() {
    let server = Hostile::start();
    let ws = workspace("retries = 2\n");
    server.set("/feed", ok(RSS, three()));
    server.set("/other", ok(RSS, feed(&[("o", "Andere bron")])));
    // Same server, other host name: `localhost` is a different host for the
    // per-host limits (its ::1 address is filtered by the SSRF guard).
    let other = format!("http://localhost:{}/other", server.addr.port());
    ws.sources(&[("src", &server.url("/feed")), ("other", &other)]);
    assert_eq!(ws.radar(&["fetch"]).code, 0);
    server.set("/feed", status(503, &[]));
    let before = server.hits("/feed").len();
    let out = ws.radar(&["fetch"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(
        server.hits("/feed").len() - before,
        3,
        "one try and two retries"
    );
    let row = source_row(&ws, "src");
    assert_eq!(row["last_status"], "http_error");
    assert_eq!(row["last_http_status"], 503);
    assert_eq!(row["articles"], 3);
    assert_eq!(source_row(&ws, "other")["last_status"], "unchanged");
}

#[test]
fn html_instead_of_a_feed_lists_the_advertised_feeds() {
    let server = Hostile::start();
    let ws = workspace("");
    let html = "<!doctype html><html><head><title>Nieuws</title>\
        <link rel=\"alternate\" type=\"application/rss+xml\" href=\"/nieuws/rss.xml\">\
        </head><body><p>Inloggen</p></body></html>";
    let row = survive(&server, &ws, ok("text/html", html), "not_a_feed");
    let msg = row["last_error"].as_str().unwrap();
    assert!(msg.contains("not a feed"), "{msg}");
    assert!(msg.contains("/nieuws/rss.xml"), "{msg}");
}

#[test]
fn empty_200() {
    let server = Hostile::start();
    let ws = workspace("");
    survive(&server, &ws, ok(RSS, ""), "empty_response");
    recovers(&server, &ws);
}

#[test]
fn tls_failure_is_an_error_without_insecure_fallback() {
    let server = Hostile::start();
    let ws = workspace("retries = 0\n");
    server.set("/feed", ok(RSS, three()));
    ws.sources(&[(
        "src",
        &format!("https://127.0.0.1:{}/feed", server.addr.port()),
    )]);
    let out = ws.radar(&["fetch"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let row = source_row(&ws, "src");
    assert_eq!(row["last_status"], "tls_error", "{row}");
    assert_eq!(row["articles"], 0);
    // No plain-HTTP request ever reached the server.
    assert!(server.hits("/feed").is_empty());
}

#[test]
fn mislabelled_encoding_is_transcoded() {
    let server = Hostile::start();
    let ws = workspace("");
    // windows-1252 bytes declared as UTF-8 in header and prolog.
    let text = feed(&[("w", "Zorg in Súdwest-Fryslân: één loket")]);
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the fixture must be invalid UTF-8"
    );
    server.set("/feed", ok(RSS, bytes.into_owned()));
    ws.sources(&[("src", &server.url("/feed"))]);
    let out = ws.radar(&["fetch"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(source_row(&ws, "src")["last_status"], "ok");
    let hits = common::titles(&ws.json(&["search", "loket", "--json"]));
    assert_eq!(hits, vec!["Zorg in Súdwest-Fryslân: één loket".to_string()]);
}

#[test]
fn feed_dropping_to_zero_items_warns_and_deletes_nothing() {
    let server = Hostile::start();
    let ws = workspace("");
    let row = survive(&server, &ws, ok(RSS, feed(&[])), "ok");
    let w = row["warning"].as_str().unwrap_or("");
    assert!(w.contains("zero items"), "{row}");
    let out = ws.radar(&["sources"]);
    assert!(out.stdout.contains("zero items"), "{}", out.stdout);
    // The same empty body again: short-circuited, the warning stays.
    assert_eq!(ws.radar(&["fetch"]).code, 0);
    let row = source_row(&ws, "src");
    assert_eq!(row["last_status"], "unchanged");
    assert!(
        row["warning"].as_str().unwrap_or("").contains("zero items"),
        "{row}"
    );
    assert_eq!(row["articles"], 3);
}

#[test]
fn another_sites_content_warns() {
    let server = Hostile::start();
    let ws = workspace("");
    let other = three().replace(
        "https://zorgnieuws.example/</link>",
        "https://casino.example/</link>",
    );
    let row = survive(&server, &ws, ok(RSS, other), "ok");
    let w = row["warning"].as_str().unwrap_or("");
    assert!(
        w.contains("another site (casino.example, was zorgnieuws.example)"),
        "{row}"
    );
}

#[test]
fn repeated_failures_suspend_the_source() {
    let server = Hostile::start();
    let ws = workspace("retries = 0\n");
    let cfg = ws.path().join("config.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("\n[health]\nsuspend_after_failures = 3\n");
    std::fs::write(&cfg, text).unwrap();
    survive(&server, &ws, status(500, &[]), "http_error");
    assert_eq!(ws.radar(&["fetch"]).code, 2);
    assert_eq!(ws.radar(&["fetch"]).code, 2);
    let row = source_row(&ws, "src");
    assert_eq!(row["suspended"], true, "{row}");
    assert_eq!(row["error_count"], 3, "{row}");
    assert_eq!(row["articles"], 3);
    // `radar run --once` does not poll a suspended source.
    let before = server.hits("/feed").len();
    assert_eq!(ws.radar(&["run", "--once"]).code, 0);
    assert_eq!(server.hits("/feed").len(), before);
    // Resumed, it is due at once and polled again.
    assert_eq!(ws.radar(&["sources", "--resume", "src"]).code, 0);
    server.set("/feed", ok(RSS, three()));
    assert_eq!(ws.radar(&["run", "--once"]).code, 0);
    assert_eq!(server.hits("/feed").len(), before + 1);
    let row = source_row(&ws, "src");
    assert_eq!(row["suspended"], false, "{row}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_held_back_host_defers_its_other_sources_but_not_other_hosts() {
    use radar::fetch::{FetchOutcome, Fetcher};
    use radar::sources::Location;
    use radar::store::FetchState;
    let server = Hostile::start();
    server.set("/busy", retry_after("900"));
    server.set("/feed", ok(RSS, three()));
    let cfg = radar::config::Config::from_toml_str(
        "[fetch]\nallow_networks = [\"127.0.0.1/32\"]\nper_host_delay_ms = 0\n",
        "test",
    )
    .unwrap();
    let fetcher = Fetcher::new(&cfg.fetch).unwrap();
    let loc = |u: String| Location::Http(url::Url::parse(&u).unwrap());
    let st = FetchState::default();
    match fetcher.fetch(&loc(server.url("/busy")), &st).await {
        FetchOutcome::Failed(f) => {
            assert_eq!(f.http_status, Some(429));
            assert_eq!(f.retry_after, Some(Duration::from_secs(900)));
        }
        other => panic!("{other:?}"),
    }
    // Same host: not asked at all while the hold lasts.
    match fetcher.fetch(&loc(server.url("/feed")), &st).await {
        FetchOutcome::Failed(f) if f.kind.as_str() == "deferred" => {
            let r = f.retry_after.unwrap();
            assert!(r > Duration::from_secs(890), "{r:?}")
        }
        other => panic!("{other:?}"),
    }
    assert!(server.hits("/feed").is_empty());
    // Another host (same server, other name) goes on.
    let other = format!("http://localhost:{}/feed", server.addr.port());
    assert!(matches!(
        fetcher.fetch(&loc(other), &st).await,
        FetchOutcome::Fresh { status: 200, .. }
    ));
}

#[test]
fn bot_challenge_is_named_as_such() {
    let server = Hostile::start();
    let ws = workspace("");
    survive(
        &server,
        &ws,
        status(403, &[("cf-mitigated", "challenge")]),
        "blocked_by_challenge",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_name_resolving_to_loopback_is_blocked_without_connecting() {
    use radar::fetch::{FetchOutcome, Fetcher};
    let server = Hostile::start();
    server.set("/feed", ok(RSS, three()));
    // Default policy: nothing non-public allowed. `localhost` resolves to
    // 127.0.0.1 (and maybe ::1); the resolver drops both.
    let cfg = radar::config::Config::default();
    let fetcher = Fetcher::new(&cfg.fetch).unwrap();
    let u = url::Url::parse(&format!("http://localhost:{}/feed", server.addr.port())).unwrap();
    match fetcher
        .fetch(
            &radar::sources::Location::Http(u.clone()),
            &radar::store::FetchState::default(),
        )
        .await
    {
        FetchOutcome::Failed(f) => {
            assert_eq!(
                f.kind.as_str(),
                "blocked_non_public_address",
                "{}",
                f.message
            );
            assert!(f.message.contains("localhost"), "{}", f.message);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        server.hits("/feed").is_empty(),
        "no request may reach the server"
    );
    // The same check up front, as for a partner tip.
    let err = radar::fetch::ssrf::check_url_resolved(&u, fetcher.policy())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("non-public"), "{err}");
}

#[test]
fn a_permanent_redirect_is_adopted_only_after_repeated_sightings() {
    let server = Hostile::start();
    let ws = workspace("");
    server.set("/new", ok(RSS, three()));
    server.set("/feed", status(301, &[("Location", "/new")]));
    ws.sources(&[("src", &server.url("/feed"))]);
    for round in 1..=3 {
        assert_eq!(ws.radar(&["fetch"]).code, 0);
        assert_eq!(server.hits("/feed").len(), round, "still asks the old URL");
    }
    let row = source_row(&ws, "src");
    assert_eq!(row["articles"], 3);
    let w = row["warning"].as_str().unwrap_or("");
    assert!(
        w.contains("moved permanently to") && w.contains("/new"),
        "{row}"
    );
    // From now on the new URL is read directly.
    assert_eq!(ws.radar(&["fetch"]).code, 0);
    assert_eq!(server.hits("/feed").len(), 3);
    assert_eq!(server.hits("/new").len(), 4);

    // A temporary redirect never counts.
    let ws = workspace("");
    server.set("/tmp", status(302, &[("Location", "/new")]));
    ws.sources(&[("src", &server.url("/tmp"))]);
    for _ in 0..4 {
        assert_eq!(ws.radar(&["fetch"]).code, 0);
    }
    assert_eq!(server.hits("/tmp").len(), 4);
    assert!(source_row(&ws, "src")["warning"].is_null());
}

#[test]
fn brotli_bomb_stops_at_the_decoded_cap() {
    let server = Hostile::start();
    let ws = workspace("max_body_bytes = 1048576\n");
    // 64 MiB of zeros, a few KiB on the wire.
    let mut enc = brotli::CompressorWriter::new(Vec::new(), 1 << 16, 5, 22);
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        enc.write_all(&zeros).unwrap();
    }
    let bomb = enc.into_inner();
    assert!(bomb.len() < 1 << 20, "{}", bomb.len());
    let reply = Reply::Canned {
        status: 200,
        headers: vec![
            ("Content-Type".into(), RSS.into()),
            ("Content-Encoding".into(), "br".into()),
        ],
        body: bomb,
        etag: None,
    };
    survive(&server, &ws, reply, "response_too_large");
}
