//! The digest over a store with articles at known times: window,
//! threshold, per-theme cap, one lead per story, no repeats across runs,
//! catch-up after a missed day, dismissed stories left out; snapshots of
//! every output format (fixed clock; regenerate with
//! RADAR_UPDATE_SNAPSHOTS=1); and an SMTP round trip against a sink on
//! 127.0.0.1 that the test runs.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use radar::config::Config;
use radar::digest::{Digest, Format, Job, render::render, run_digest_job};
use radar::extract::ArticleDraft;
use radar::pipeline::Ranker;
use radar::store::{Change, DigestRecord, FetchRecord, ScoreRow, Store};
use radar::triage::State;

/// Monday 2 November 2026, 06:00 UTC (07:00 in Amsterdam).
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 6, 0, 0).unwrap()
}

struct Fixture {
    _dir: tempfile::TempDir,
    config: Config,
    ranker: Ranker,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config {
            data_dir: dir.path().join("data"),
            ..Config::default()
        };
        config.digest.per_theme = 3;
        config.digest.min_score = 40.0;
        std::fs::create_dir_all(&config.data_dir).unwrap();
        let mut s = Store::open(&config.data_dir.join("radar.db")).unwrap();
        s.ensure_import_source("a", "Zorgkrant").unwrap();
        s.ensure_import_source("b", "Welzijnsblad").unwrap();
        Fixture {
            _dir: dir,
            config,
            ranker: Ranker::builtin(),
        }
    }

    fn store(&self) -> Store {
        Store::open(&self.config.data_dir.join("radar.db")).unwrap()
    }

    /// Stores an article first seen at `at`, scored `score` with `themes`;
    /// `copy_of` reuses that article's text (another outlet's copy).
    fn article(
        &self,
        source: &str,
        title: &str,
        at: DateTime<Utc>,
        score: f32,
        themes: &[&str],
        copy_of: Option<&str>,
    ) -> i64 {
        self.article_with(
            source,
            title,
            at,
            score,
            themes,
            body(copy_of.unwrap_or(title)),
        )
    }

    fn article_with(
        &self,
        source: &str,
        title: &str,
        at: DateTime<Utc>,
        score: f32,
        themes: &[&str],
        text: String,
    ) -> i64 {
        let mut s = self.store();
        let guid = format!("{source}-{title}");
        let url = format!("https://{source}.example.test/{}", slug(title));
        let d = ArticleDraft::new(Some(guid), Some(url), title, None, Some(at), None, text);
        s.upsert_articles_at(source, &[d], at).unwrap();
        let id = s.recent_ids(at, 1000).unwrap().into_iter().max().unwrap();
        s.save_scores(&[ScoreRow {
            id,
            score,
            relevance_json: format!(
                "{{\"reason\": \"Reden voor {}\"}}",
                title.replace('"', "\\\"")
            ),
            sector: None,
            region: None,
            themes: themes
                .iter()
                .enumerate()
                .map(|(i, t)| (t.to_string(), 10.0 - i as f32))
                .collect(),
            rules_version: "test".into(),
        }])
        .unwrap();
        s.cluster_pending().unwrap();
        id
    }

    fn digest(&self, now: DateTime<Utc>) -> Digest {
        run_digest_job(&self.config, &self.ranker, now, &Job::default())
            .unwrap()
            .digest
    }
}

fn slug(t: &str) -> String {
    t.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

/// A body that shares no shingles with other titles' bodies.
fn body(seed: &str) -> String {
    let s = slug(seed);
    (0..60)
        .map(|k| format!("w{s}{k}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn titles(d: &Digest) -> Vec<String> {
    d.leads().map(|l| l.title.clone()).collect()
}

/// The first week: four zij-instroom leads (cap 3), one behoud lead that
/// two outlets carry, one without theme, one below the threshold.
fn first_week(f: &Fixture) {
    let sun = t0() - Duration::hours(10);
    f.article("a", "Zij-instroom A", sun, 80.0, &["zij_instroom"], None);
    f.article("a", "Zij-instroom B", sun, 70.0, &["zij_instroom"], None);
    f.article(
        "a",
        "Zij-instroom C",
        sun,
        60.0,
        &["zij_instroom", "behoud"],
        None,
    );
    f.article("a", "Zij-instroom D", sun, 50.0, &["zij_instroom"], None);
    f.article("a", "Behoud E", sun, 65.0, &["behoud"], None);
    f.article(
        "b",
        "Behoud E bij B",
        sun + Duration::hours(1),
        64.0,
        &["behoud"],
        Some("Behoud E"),
    );
    f.article("a", "Zonder thema F", sun, 45.0, &[], None);
    f.article("a", "Technologie zwak G", sun, 30.0, &["technologie"], None);
    // before the first window (7 days back)
    f.article(
        "a",
        "Oud nieuws",
        t0() - Duration::days(8),
        90.0,
        &["behoud"],
        None,
    );
}

#[test]
fn selection_window_threshold_caps_and_one_lead_per_story() {
    let f = Fixture::new();
    first_week(&f);
    let d = f.digest(t0());
    let secs: Vec<(&str, usize, usize)> = d
        .sections
        .iter()
        .map(|s| (s.theme.as_str(), s.leads.len(), s.more))
        .collect();
    assert_eq!(
        secs,
        [("zij_instroom", 3, 1), ("behoud", 1, 0), ("overig", 1, 0)]
    );
    assert_eq!(
        titles(&d),
        [
            "Zij-instroom A",
            "Zij-instroom B",
            "Zij-instroom C",
            "Behoud E",
            "Zonder thema F"
        ]
    );
    let e = d.leads().find(|l| l.title == "Behoud E").unwrap();
    assert_eq!(e.also_in, 1);
    assert_eq!(e.reason, "Reden voor Behoud E");
    assert_eq!(
        d.sections[0].label,
        "Zij-instroom, herintreders en nieuwe doelgroepen"
    );
    assert_eq!(d.counts.read, 8, "articles first seen in the window");
    assert_eq!(d.counts.candidates, 6, "A-D, E (once), F");
    assert_eq!(d.counts.shown, 5);
    assert!(
        d.blind_spots
            .contains(&"Technologie en slimmer werken".to_string())
    );
    assert!(!d.blind_spots.iter().any(|b| b.starts_with("Zij-instroom")));
    assert_eq!(d.window_start, t0() - Duration::days(7));
}

#[test]
fn no_repeats_across_runs_and_a_missed_day_is_caught_up() {
    let f = Fixture::new();
    first_week(&f);
    let first = f.digest(t0());
    assert_eq!(first.counts.shown, 5);

    // Monday: one new lead, and a republished copy of a lead already sent
    f.article(
        "a",
        "Behoud H",
        t0() + Duration::hours(5),
        55.0,
        &["behoud"],
        None,
    );
    f.article(
        "b",
        "Zij-instroom A overgenomen",
        t0() + Duration::hours(6),
        82.0,
        &["zij_instroom"],
        Some("Zij-instroom A"),
    );
    let tuesday = f.digest(t0() + Duration::days(1));
    assert_eq!(titles(&tuesday), ["Behoud H"]);
    assert_eq!(tuesday.window_start, t0());

    // Wednesday's digest does not run; Thursday's catches up both days
    f.article(
        "a",
        "Zij-instroom I",
        t0() + Duration::hours(29),
        75.0,
        &["zij_instroom"],
        None,
    );
    f.article(
        "a",
        "Technologie J",
        t0() + Duration::hours(53),
        90.0,
        &["technologie"],
        None,
    );
    let thursday = f.digest(t0() + Duration::days(3));
    assert_eq!(titles(&thursday), ["Technologie J", "Zij-instroom I"]);
    assert_eq!(thursday.window_start, t0() + Duration::days(1));

    // nothing new: said plainly
    let friday = f.digest(t0() + Duration::days(4));
    assert!(friday.is_empty());
    assert!(render(&friday, Format::Text).contains("Geen nieuwe leads in deze periode."));
    assert!(friday.subject().contains("geen nieuwe leads"));

    // --since reaching back repeats nothing that was sent: only the lead
    // the per-theme cap held back on Monday comes up
    let again = run_digest_job(
        &f.config,
        &f.ranker,
        t0() + Duration::days(5),
        &Job {
            since: Some(t0() - Duration::days(7)),
            ..Job::default()
        },
    )
    .unwrap();
    assert_eq!(titles(&again.digest), ["Zij-instroom D"]);
    // each digest was kept on disk, and the subscription feed has every
    // lead sent, newest digest first, each once
    let dir = f.config.data_dir.join("digests");
    let kept = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(kept, 2 * 5 + 1);
    let feed = std::fs::read_to_string(dir.join("leads.atom")).unwrap();
    let entries: Vec<&str> = feed
        .split("<title>")
        .skip(2)
        .map(|t| t.split("</title>").next().unwrap())
        .collect();
    assert_eq!(
        entries,
        [
            "Zij-instroom D",
            "Technologie J",
            "Zij-instroom I",
            "Behoud H",
            "Zij-instroom A",
            "Zij-instroom B",
            "Zij-instroom C",
            "Behoud E",
            "Zonder thema F"
        ]
    );
}

#[test]
fn two_digests_made_at_once_are_not_both_recorded() {
    let f = Fixture::new();
    let (mut a, mut b) = (f.store(), f.store());
    let seen = a.last_digest_end().unwrap();
    let rec = DigestRecord {
        created_at: t0(),
        window_start: t0() - Duration::days(1),
        window_end: t0(),
        min_score: 40.0,
        read_count: 0,
        candidate_count: 0,
        leads: Vec::new(),
    };
    a.record_digest_after(&rec, Some(seen)).unwrap();
    let err = b.record_digest_after(&rec, Some(seen)).unwrap_err();
    assert!(err.to_string().contains("another digest"), "{err}");
    assert_eq!(b.last_digest_end().unwrap(), Some(t0()));
}

#[test]
fn dry_run_keeps_and_records_nothing() {
    let f = Fixture::new();
    first_week(&f);
    let job = Job {
        dry_run: true,
        ..Job::default()
    };
    let r = run_digest_job(&f.config, &f.ranker, t0(), &job).unwrap();
    assert_eq!(r.digest.counts.shown, 5);
    assert!(r.files.is_empty() && r.digest_id.is_none());
    assert!(!f.config.data_dir.join("digests").exists());
    assert_eq!(
        f.digest(t0()).counts.shown,
        5,
        "the real run still has them"
    );
}

#[test]
fn dismissed_stories_tips_and_sick_sources() {
    let f = Fixture::new();
    first_week(&f);
    let mut s = f.store();
    // dismiss the copy: the whole story goes
    let copy = s
        .candidates(None, None, 0.0, 100)
        .unwrap()
        .into_iter()
        .find(|c| c.article.title == "Behoud E")
        .unwrap();
    let members = s.cluster_members(copy.article.id).unwrap();
    s.triage_apply(
        members[0].id,
        &Change {
            by: "anna".into(),
            at: t0(),
            state: Some(State::Dismissed),
            reason: Some("al bekend".into()),
            ..Change::default()
        },
    )
    .unwrap();
    // a partner sent one of them in as a tip
    let tipped = s
        .candidates(None, None, 0.0, 100)
        .unwrap()
        .into_iter()
        .find(|c| c.article.title == "Zij-instroom B")
        .unwrap();
    s.record_tip(tipped.article.id, Some("Anna de Vries"), None)
        .unwrap();
    s.record_fetch(
        "b",
        &FetchRecord {
            started_at: t0(),
            elapsed_ms: 5,
            outcome: "http_error".into(),
            http_status: Some(503),
            error: Some("HTTP 503 Service Unavailable".into()),
            state: None,
            new: 0,
            updated: 0,
            unchanged: 0,
        },
    )
    .unwrap();
    drop(s);
    let d = f.digest(t0());
    assert!(
        !titles(&d).iter().any(|t| t.starts_with("Behoud E")),
        "{:?}",
        titles(&d)
    );
    let b = d.leads().find(|l| l.title == "Zij-instroom B").unwrap();
    assert_eq!(b.tip_from.as_deref(), Some("Anna de Vries"));
    assert!(render(&d, Format::Html).contains("tip van Anna de Vries"));
    assert_eq!(d.unhealthy_sources.len(), 1);
    assert_eq!(d.unhealthy_sources[0].name, "Welzijnsblad");
    assert!(render(&d, Format::Text).contains("Bronnen met problemen: Welzijnsblad"));
}

#[test]
fn a_flagged_lead_lifts_a_similar_article_into_the_digest() {
    let run = |flag: bool| {
        let f = Fixture::new();
        let words: Vec<String> = (0..60).map(|k| format!("woord{k}")).collect();
        let sun = t0() - Duration::hours(10);
        let flagged = f.article_with(
            "a",
            "Gevolgd",
            sun - Duration::days(3),
            70.0,
            &["behoud"],
            words.join(" "),
        );
        // same vocabulary in another order (another story, not a copy)
        let mut similar: Vec<String> = words[..40].iter().rev().cloned().collect();
        similar.extend((0..20).map(|k| format!("eigen{k}")));
        f.article_with("a", "Lijkt erop", sun, 30.0, &["behoud"], similar.join(" "));
        if flag {
            f.store()
                .triage_apply(
                    flagged,
                    &Change {
                        by: "anna".into(),
                        at: sun,
                        flag: true,
                        ..Change::default()
                    },
                )
                .unwrap();
        }
        f.digest(t0())
    };
    let without = run(false);
    assert!(
        !titles(&without).contains(&"Lijkt erop".to_string()),
        "{:?}",
        titles(&without)
    );
    let with = run(true);
    let lead = with
        .leads()
        .find(|l| l.title == "Lijkt erop")
        .expect("lifted");
    assert!(lead.score >= 40.0 && lead.score <= 45.0, "{}", lead.score);
    assert!(
        lead.feedback[0].contains("lead #1 (te volgen)"),
        "{:?}",
        lead.feedback
    );
    assert!(render(&with, Format::Text).contains("Feedback: +"));
}

#[test]
fn the_job_can_move_into_a_scheduler_thread() {
    fn send<T: Send + 'static>(_: &T) {}
    let f = Fixture::new();
    let (config, ranker) = (f.config.clone(), Ranker::builtin());
    send(&config);
    send(&ranker);
    let job = std::thread::spawn(move || {
        run_digest_job(&config, &ranker, t0(), &Job::default()).map(|r| r.digest_id)
    });
    assert!(job.join().unwrap().unwrap().is_some());
}

fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/digest")
}

fn check_snapshot(name: &str, got: &str) {
    let path = snapshot_dir().join(name);
    if std::env::var_os("RADAR_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(snapshot_dir()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with RADAR_UPDATE_SNAPSHOTS=1 to create it)",
            path.display()
        )
    });
    assert!(
        want == got,
        "{name} differs from {} (RADAR_UPDATE_SNAPSHOTS=1 regenerates it):\n{got}",
        path.display()
    );
}

/// The snapshot store: a lead with hostile markup in title, reason and
/// link, plus the first week.
fn snapshot_digest() -> Digest {
    let f = Fixture::new();
    first_week(&f);
    f.article(
        "a",
        "<script>alert('x')</script> & \"Zorg\" [link](javascript:x)",
        t0() - Duration::hours(2),
        41.0,
        &["technologie"],
        None,
    );
    let mut d = f.digest(t0());
    // a hostile link as a feed could carry it
    for s in &mut d.sections {
        for l in &mut s.leads {
            if l.title.starts_with("<script>") {
                l.url = Some("javascript:alert(1)".into());
            }
        }
    }
    d
}

#[test]
fn every_format_matches_its_snapshot_and_escapes_feed_content() {
    let d = snapshot_digest();
    for format in [
        Format::Html,
        Format::Md,
        Format::Text,
        Format::Json,
        Format::Atom,
    ] {
        let out = render(&d, format);
        check_snapshot(&format!("digest.{}", format.ext()), &out);
    }
    let html = render(&d, Format::Html);
    assert!(!html.contains("<script"), "markup escaped");
    assert!(!html.contains("href=\"javascript"), "no javascript: links");
    assert!(html.contains("&lt;script&gt;"));
    assert!(html.contains("style=\""), "inline styles");
    assert!(
        !html.contains("<link") && !html.contains("<style"),
        "no external CSS"
    );
    let atom = render(&d, Format::Atom);
    assert!(!atom.contains("<script"));
    let parsed = feed_rs::parser::parse(atom.as_bytes()).expect("valid Atom");
    assert_eq!(parsed.entries.len() as u64, d.counts.shown);
    assert_eq!(
        parsed.entries[0].title.as_ref().unwrap().content,
        "Zij-instroom A"
    );
    let md = render(&d, Format::Md);
    assert!(!md.contains("link](javascript"), "{md}");
    let back: Digest = serde_json::from_str(&render(&d, Format::Json)).unwrap();
    assert_eq!(back, d);
}

// ---------------------------------------------------------------------------
// SMTP
// ---------------------------------------------------------------------------

/// An SMTP sink on 127.0.0.1: speaks EHLO, MAIL, RCPT, DATA, RSET, QUIT,
/// keeps every message, and refuses the first `fail_first` MAIL commands.
struct SmtpSink {
    port: u16,
    messages: Arc<Mutex<Vec<Vec<u8>>>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SmtpSink {
    fn start(fail_first: usize) -> SmtpSink {
        let messages: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
        let (port_tx, port_rx) = std::sync::mpsc::channel();
        let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
        let msgs = messages.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                port_tx.send(listener.local_addr().unwrap().port()).unwrap();
                let failures = Arc::new(Mutex::new(fail_first));
                loop {
                    tokio::select! {
                        _ = &mut stop_rx => break,
                        conn = listener.accept() => {
                            let Ok((sock, _)) = conn else { continue };
                            tokio::spawn(session(sock, msgs.clone(), failures.clone()));
                        }
                    }
                }
            });
        });
        SmtpSink {
            port: port_rx.recv().unwrap(),
            messages,
            shutdown: Some(stop_tx),
            thread: Some(thread),
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(s) = self.shutdown.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn session(
    sock: tokio::net::TcpStream,
    messages: Arc<Mutex<Vec<Vec<u8>>>>,
    failures: Arc<Mutex<usize>>,
) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let (r, mut w) = sock.into_split();
    let mut r = BufReader::new(r);
    let _ = w.write_all(b"220 sink.test ESMTP\r\n").await;
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let cmd = line.trim_end().to_ascii_uppercase();
        let reply: &[u8] = if cmd.starts_with("EHLO") {
            b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if cmd.starts_with("HELO") {
            b"250 sink.test\r\n"
        } else if cmd.starts_with("MAIL FROM") {
            let mut f = failures.lock().unwrap();
            if *f > 0 {
                *f -= 1;
                b"451 try again later\r\n"
            } else {
                b"250 ok\r\n"
            }
        } else if cmd.starts_with("RCPT TO") || cmd.starts_with("RSET") || cmd.starts_with("NOOP") {
            b"250 ok\r\n"
        } else if cmd == "DATA" {
            let _ = w.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await;
            let mut data = Vec::new();
            loop {
                let mut l = String::new();
                if r.read_line(&mut l).await.unwrap_or(0) == 0 {
                    return;
                }
                if l == ".\r\n" {
                    break;
                }
                let l = l.strip_prefix('.').unwrap_or(&l).to_string();
                data.extend_from_slice(l.as_bytes());
            }
            messages.lock().unwrap().push(data);
            b"250 queued\r\n"
        } else if cmd == "QUIT" {
            let _ = w.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"502 not implemented\r\n"
        };
        if w.write_all(reply).await.is_err() {
            return;
        }
    }
}

fn email_config(f: &mut Fixture, port: u16) {
    f.config.email.host = "127.0.0.1".into();
    f.config.email.port = port;
    f.config.email.security = "none".into();
    f.config.email.username_env = String::new();
    f.config.email.from = "Radar <radar@example.test>".into();
    f.config.email.to = vec!["adviseurs@example.test".into(), "anna@example.test".into()];
    f.config.email.retry_delay_secs = 0;
    f.config.email.timeout_secs = 10;
}

fn send_job() -> Job {
    Job {
        send: true,
        ..Job::default()
    }
}

#[test]
fn the_digest_arrives_by_smtp_with_html_and_text_parts() {
    let sink = SmtpSink::start(1); // the first attempt is refused: retried
    let mut f = Fixture::new();
    email_config(&mut f, sink.port);
    f.config.email.retries = 2;
    first_week(&f);
    let r = run_digest_job(&f.config, &f.ranker, t0(), &send_job()).unwrap();
    assert!(r.sent, "{:?}", r.send_error);
    let msgs = sink.messages.lock().unwrap().clone();
    assert_eq!(msgs.len(), 1);
    let mail = mailparse::parse_mail(&msgs[0]).unwrap();
    let subject = mail
        .headers
        .iter()
        .find(|h| h.get_key().eq_ignore_ascii_case("subject"))
        .unwrap()
        .get_value();
    assert_eq!(
        subject,
        "Radar: nieuwe Koploper-leads — 02-11-2026 (5 nieuwe leads)"
    );
    assert_eq!(mail.ctype.mimetype, "multipart/alternative");
    let types: Vec<&str> = mail
        .subparts
        .iter()
        .map(|p| p.ctype.mimetype.as_str())
        .collect();
    assert_eq!(types, ["text/plain", "text/html"]);
    let text = mail.subparts[0].get_body().unwrap();
    let html = mail.subparts[1].get_body().unwrap();
    assert!(text.contains("Zij-instroom A"), "{text}");
    assert!(
        html.contains("Zij-instroom A") && html.contains("<table"),
        "{html}"
    );
    assert!(text.contains("ook in 1 ander medium"), "{text}");
}

#[test]
fn a_failed_send_is_reported_and_the_digest_is_still_kept() {
    // a port nobody listens on
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut f = Fixture::new();
    email_config(&mut f, port);
    f.config.email.retries = 1;
    first_week(&f);
    let r = run_digest_job(&f.config, &f.ranker, t0(), &send_job()).unwrap();
    assert!(!r.sent);
    let err = r.send_error.unwrap();
    assert!(err.contains("2 attempt(s)"), "{err}");
    assert!(err.contains(&format!("127.0.0.1:{port}")), "{err}");
    assert_eq!(r.files.len(), 3, "html, json and the leads feed");
    for p in &r.files {
        assert!(p.exists(), "{}", p.display());
    }
    assert!(r.digest_id.is_some());
    // recorded: the next digest does not repeat these leads
    assert!(f.digest(t0() + Duration::hours(1)).is_empty());
}
