//! Triage through the CLI: the workflow and its errors, dismissed stories
//! that never come back (also as another outlet's copy or after a
//! refetch), persistence across reindex, refetch and restarts, the CSV
//! export, and a fetch killed with SIGKILL that loses no flag or note.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use common::Workspace;

const STORY: &str = "Vijf verpleeghuizen in de Achterhoek hebben samen met het ROC een \
leerwerkroute opgezet voor zij-instromers. In anderhalf jaar haalden 31 van de 36 deelnemers hun \
diploma verzorgende IG; 29 werken nog bij een van de partners. Deelnemers krijgen vanaf dag een \
een contract en een vaste werkbegeleider. De partners delen hun aanpak met andere regio's en \
willen volgend jaar ook de thuiszorg laten aansluiten.";

const OTHER: &str = "In Zeeland leiden drie ziekenhuizen en de hogeschool samen \
operatieassistenten op in een nieuwe duale opleiding. Studenten werken vanaf de eerste week mee \
en wisselen per half jaar van ziekenhuis. Het verloop onder nieuwe medewerkers daalde van 20 naar \
8 procent. Andere regio's hebben belangstelling voor de aanpak.";

fn rss(items: &[(&str, &str, &str)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>t</title>",
    );
    for (guid, title, body) in items {
        s.push_str(&format!(
            "<item><guid>{guid}</guid><title>{title}</title><link>https://example.test/{guid}</link>\
             <description>{body}</description></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s
}

const TITLE: &str = "Achterhoek: 31 zij-instromers; \"samen\" opgeleid";

/// A workspace with outlet `oost` (the story and another lead) fetched;
/// outlet `west` (a copy of the story) is configured but not fetched yet.
fn workspace() -> Workspace {
    let ws = Workspace::new();
    let feeds = ws.path().join("feeds");
    std::fs::write(
        feeds.join("a.rss"),
        rss(&[
            ("a1", &TITLE.replace('"', "&quot;"), STORY),
            ("a2", "Zeeuwse ziekenhuizen leiden samen op", OTHER),
        ]),
    )
    .unwrap();
    let copy = format!(
        "Overgenomen uit de regionale pers. {} Meer nieuws in onze wekelijkse nieuwsbrief.",
        STORY.replace("nog bij", "nu nog bij")
    );
    std::fs::write(
        feeds.join("b.rss"),
        rss(&[(
            "b1",
            "Achterhoekse leerwerkroute levert 31 diploma's op",
            &copy,
        )]),
    )
    .unwrap();
    ws.sources(&[("oost", "a.rss"), ("west", "b.rss")]);
    let out = ws.radar(&["fetch", "--source", "oost"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    ws
}

fn id_of(ws: &Workspace, title_part: &str) -> String {
    let list = ws.json(&["candidates", "--all", "--json"]);
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"].as_str().unwrap().contains(title_part))
        .unwrap_or_else(|| panic!("no candidate with {title_part:?}: {list}"))["id"]
        .to_string()
}

fn candidate_titles(ws: &Workspace) -> Vec<String> {
    ws.json(&["candidates", "--all", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_lead_walks_the_workflow_and_wrong_steps_are_refused_in_dutch() {
    let ws = workspace();
    let id = id_of(&ws, "Achterhoek");
    let out = ws.radar(&[
        "flag",
        &id,
        "--owner",
        "Anna",
        "--note",
        "projectleider bellen",
        "--due",
        "2026-12-01",
        "--by",
        "anna",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("te volgen"), "{}", out.stdout);

    // skipping "benaderd" and "in beoordeling" is refused, naming both
    // states and the allowed next ones; nothing is written
    let out = ws.radar(&["triage", &id, "--state", "koploper", "--note", "x"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("'te volgen'") && out.stderr.contains("'koploper'"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("'benaderd' of 'afgewezen'"),
        "{}",
        out.stderr
    );
    let out = ws.radar(&["triage", &id, "--state", "later"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("onbekende status 'later'"),
        "{}",
        out.stderr
    );

    for st in ["contacted", "in beoordeling"] {
        let out = ws.radar(&["triage", &id, "--state", st, "--by", "piet"]);
        assert_eq!(out.code, 0, "{st}: {}", out.stderr);
    }
    let out = ws.radar(&[
        "triage",
        &id,
        "--check",
        "samenwerking",
        "--evidence",
        "vijf verpleeghuizen en het ROC",
        "--by",
        "piet",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("[x] samenwerking: vijf verpleeghuizen"),
        "{}",
        out.stdout
    );
    let out = ws.radar(&["triage", &id, "--state", "koploper", "--by", "piet"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.contains("1 van 4 criteria afgevinkt"),
        "the ALN rule of thumb is pointed out: {}",
        out.stderr
    );

    let v = ws.json(&["show", &id, "--json"]);
    let t = &v["triage"];
    assert_eq!(t["state"], "koploper");
    assert_eq!(t["owner"], "Anna");
    assert_eq!(t["due"], "2026-12-01");
    assert_eq!(t["notes"][0]["text"], "projectleider bellen");
    assert_eq!(t["notes"][0]["author"], "anna");
    assert_eq!(
        t["notes"].as_array().unwrap().len(),
        1,
        "refused note was kept: {t}"
    );
    let states: Vec<String> = t["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["field"] == "state")
        .map(|h| {
            format!(
                "{}>{}",
                h["from"].as_str().unwrap(),
                h["to"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            "new>flagged",
            "flagged>contacted",
            "contacted>in_assessment",
            "in_assessment>koploper"
        ]
    );
    let text = ws.radar(&["show", &id]).stdout;
    assert!(text.contains("status: koploper"), "{text}");
    assert!(text.contains("projectleider bellen"), "{text}");
    assert!(text.contains("geschiedenis"), "{text}");

    // dismissing needs a reason
    let out = ws.radar(&["triage", &id, "--state", "dismissed"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("reden"), "{}", out.stderr);
}

#[test]
fn a_dismissed_story_never_comes_back() {
    let ws = workspace();
    let id = id_of(&ws, "Achterhoek");
    let out = ws.radar(&["dismiss", &id, "--reason", "al bekend bij ALN"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let titles = candidate_titles(&ws);
    assert!(!titles.iter().any(|t| t.contains("31")), "{titles:?}");
    assert!(titles.iter().any(|t| t.contains("Zeeuwse")), "{titles:?}");

    // another outlet republishes it
    let out = ws.radar(&["fetch", "--source", "west"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let titles = candidate_titles(&ws);
    assert!(!titles.iter().any(|t| t.contains("31")), "{titles:?}");

    // the first outlet edits it (refetched, rescored, reclustered)
    let feeds = ws.path().join("feeds");
    std::fs::write(
        feeds.join("a.rss"),
        rss(&[
            (
                "a1",
                "Achterhoek: 31 zij-instromers gediplomeerd (bijgewerkt)",
                &format!("{STORY} Update: de gemeente draagt bij."),
            ),
            ("a2", "Zeeuwse ziekenhuizen leiden samen op", OTHER),
        ]),
    )
    .unwrap();
    let out = ws.radar(&["fetch", "--source", "oost"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let titles = candidate_titles(&ws);
    assert!(!titles.iter().any(|t| t.contains("31")), "{titles:?}");
    let v = ws.json(&["show", &id, "--json"]);
    assert_eq!(v["triage"]["state"], "dismissed");
    assert_eq!(v["triage"]["reason"], "al bekend bij ALN");
}

#[test]
fn triage_survives_reindex_refetch_and_restarts() {
    let ws = workspace();
    let id = id_of(&ws, "Zeeuwse");
    let out = ws.radar(&["flag", &id, "--note", "eerste notitie", "--by", "kees"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(ws.radar(&["reindex"]).code, 0);
    std::fs::remove_dir_all(ws.path().join("data/search")).unwrap();
    assert_eq!(ws.radar(&["reindex"]).code, 0);
    let out = ws.radar(&["fetch"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // every command above was a separate process: a restart each time
    let v = ws.json(&["show", &id, "--json"]);
    assert_eq!(v["triage"]["state"], "flagged");
    assert_eq!(v["triage"]["notes"][0]["text"], "eerste notitie");
    let f = ws.json(&["followups", "--json"]);
    assert_eq!(f.as_array().unwrap().len(), 1, "{f}");
    assert_eq!(f[0]["article_id"].to_string(), id);
    let f = ws.json(&["followups", "--due-before", "2026-01-01", "--json"]);
    assert!(
        f.as_array().unwrap().is_empty(),
        "no due date, not due: {f}"
    );
    let out = ws.radar(&["followups", "--due-before", "morgen"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("--due-before"), "{}", out.stderr);
}

#[test]
fn csv_export_has_a_bom_the_separator_and_proper_quoting() {
    let ws = workspace();
    let id = id_of(&ws, "Achterhoek");
    let other = id_of(&ws, "Zeeuwse");
    assert_eq!(
        ws.radar(&["flag", &id, "--note", "regel 1; \"citaat\"\nregel 2"])
            .code,
        0
    );
    assert_eq!(
        ws.radar(&["dismiss", &other, "--reason", "andere sector"])
            .code,
        0
    );
    let out_path = ws.path().join("export.csv");
    let out = ws.radar(&[
        "export",
        "--csv",
        "--separator",
        ";",
        "--out",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let bytes = std::fs::read(&out_path).unwrap();
    assert!(
        bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
        "UTF-8 BOM for Excel"
    );
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&bytes[3..]);
    let headers: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(headers[0], "id");
    assert!(headers.contains(&"status".to_string()));
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    let flagged = rows.iter().find(|r| r[0] == *id).unwrap();
    assert_eq!(&flagged[1], TITLE, "title with ; and quotes survives");
    assert_eq!(&flagged[6], "te volgen");
    assert_eq!(&flagged[12], "regel 1; \"citaat\"\nregel 2");
    // --state filters; stdout works too
    let out = ws.radar(&["export", "--csv", "--state", "afgewezen"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let body = out.stdout.trim_start_matches('\u{feff}');
    assert_eq!(body.lines().count(), 2, "{body}");
    assert!(body.contains("andere sector"), "{body}");
    let out = ws.radar(&["export", "--csv", "--separator", "|"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("--separator"), "{}", out.stderr);
}

/// A server that accepts connections and never answers, until dropped.
struct SlowServer {
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    accepted: mpsc::Receiver<()>,
}

impl SlowServer {
    fn start() -> SlowServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let (tx, accepted) = mpsc::channel();
        let s = stop.clone();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(mut c) = conn {
                    let mut buf = [0u8; 1024];
                    let _ = c.set_read_timeout(Some(Duration::from_millis(200)));
                    let _ = c.read(&mut buf);
                    let _ = tx.send(());
                    held.push(c);
                }
            }
        });
        SlowServer {
            addr,
            stop,
            accepted,
        }
    }
}

impl Drop for SlowServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Ok(mut c) = std::net::TcpStream::connect(self.addr) {
            let _ = c.write_all(b"");
        }
    }
}

#[test]
fn a_fetch_killed_with_sigkill_loses_no_flag_or_note() {
    let ws = workspace();
    let slow = SlowServer::start();
    let feeds = ws.path().join("feeds");
    let mut sources = std::fs::read_to_string(feeds.join("sources.toml")).unwrap();
    sources.push_str(&format!(
        "[[source]]\nid = \"traag\"\nname = \"Traag\"\nurl = \"http://{}/feed\"\nkind = \"feed\"\n",
        slow.addr
    ));
    std::fs::write(feeds.join("sources.toml"), sources).unwrap();
    let id = id_of(&ws, "Achterhoek");
    assert_eq!(
        ws.radar(&["flag", &id, "--note", "voor de fetch", "--owner", "Anna"])
            .code,
        0
    );

    let mut child = ws
        .command(&["fetch"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // the fetch is in flight once the slow server has the request
    slow.accepted
        .recv_timeout(Duration::from_secs(60))
        .expect("the fetch reached the slow server");
    let out = ws.radar(&[
        "triage",
        &id,
        "--note",
        "tijdens de fetch",
        "--state",
        "contacted",
    ]);
    assert_eq!(out.code, 0, "a triage write during a fetch: {}", out.stderr);
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert!(!status.success());

    let v = ws.json(&["show", &id, "--json"]);
    let t = &v["triage"];
    assert_eq!(t["state"], "contacted");
    assert_eq!(t["owner"], "Anna");
    let notes: Vec<&str> = t["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["text"].as_str().unwrap())
        .collect();
    assert_eq!(notes, ["voor de fetch", "tijdens de fetch"]);
    let db = rusqlite::Connection::open(ws.path().join("data/radar.db")).unwrap();
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

const SIMILAR: &str = "In de Liemers zijn drie verpleeghuizen met het ROC een leerwerkroute \
gestart voor zij-instromers. Deelnemers krijgen een contract en een werkbegeleider en halen in \
anderhalf jaar hun diploma verzorgende IG. De verpleeghuizen willen de leerwerkroute delen met \
andere regio's.";

const CHILDCARE: &str = "Kinderopvangorganisaties in Utrecht werven samen pedagogisch \
medewerkers met een gezamenlijke banenpool. Nieuwe pedagogisch medewerkers werken op meerdere \
kinderopvanglocaties. De kinderopvang wil zo het tekort aan pedagogisch medewerkers verkleinen.";

const CHILDCARE_2: &str = "Kinderopvang in Amersfoort start een opleiding voor pedagogisch \
medewerkers met een vaste begeleider per locatie. De kinderopvanglocaties delen een banenpool \
voor nieuwe pedagogisch medewerkers.";

fn score_of(ws: &Workspace, part: &str) -> (f64, Vec<String>) {
    let list = ws.json(&["candidates", "--all", "--json"]);
    let c = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"].as_str().unwrap().contains(part))
        .unwrap_or_else(|| panic!("{part}: {list}"))
        .clone();
    let fb = c["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    (c["score"].as_f64().unwrap(), fb)
}

#[test]
fn flags_lift_similar_articles_and_dismissals_sink_them_and_explain_says_so() {
    let ws = Workspace::new();
    let feeds = ws.path().join("feeds");
    std::fs::write(
        feeds.join("c.rss"),
        rss(&[
            ("c1", "Achterhoekse leerwerkroute", STORY),
            (
                "c2",
                "Liemerse verpleeghuizen starten leerwerkroute",
                SIMILAR,
            ),
            ("c3", "Utrechtse kinderopvang werft samen", CHILDCARE),
            ("c4", "Amersfoortse kinderopvang leidt op", CHILDCARE_2),
            ("c5", "Zeeuwse ziekenhuizen leiden samen op", OTHER),
        ]),
    )
    .unwrap();
    ws.sources(&[("c", "c.rss")]);
    assert_eq!(ws.radar(&["fetch"]).code, 0);
    let (similar_before, fb) = score_of(&ws, "Liemerse");
    assert!(fb.is_empty());
    let (childcare_before, _) = score_of(&ws, "Amersfoortse");
    let (zeeland_before, _) = score_of(&ws, "Zeeuwse");

    let flagged = id_of(&ws, "Achterhoekse");
    assert_eq!(ws.radar(&["flag", &flagged]).code, 0);
    let dismissed = id_of(&ws, "Utrechtse");
    assert_eq!(
        ws.radar(&["dismiss", &dismissed, "--reason", "andere sector"])
            .code,
        0
    );

    let (similar_after, fb) = score_of(&ws, "Liemerse");
    assert!(
        similar_after > similar_before,
        "{similar_before} -> {similar_after}"
    );
    assert!(fb[0].contains(&format!("lead #{flagged}")), "{fb:?}");
    let (childcare_after, fb) = score_of(&ws, "Amersfoortse");
    assert!(
        childcare_after < childcare_before,
        "{childcare_before} -> {childcare_after}"
    );
    assert!(
        fb.iter()
            .any(|l| l.starts_with('-') && l.contains("andere sector")),
        "{fb:?}"
    );
    let (zeeland_after, _) = score_of(&ws, "Zeeuwse");
    assert!(
        (zeeland_after - zeeland_before).abs() < 5.0,
        "an unrelated story barely moves: {zeeland_before} -> {zeeland_after}"
    );

    let id = id_of(&ws, "Liemerse");
    let out = ws.radar(&["explain", &id]);
    assert!(
        out.stdout.contains("Feedback van de adviseurs"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(&format!("lead #{flagged}")),
        "{}",
        out.stdout
    );
    let v = ws.json(&["explain", &id, "--json"]);
    assert!(v["feedback"]["delta"].as_f64().unwrap() > 0.0, "{v}");
}
