//! `radar run` as a process: SIGTERM during a busy cycle loses nothing it
//! acknowledged, exits 0; a second writer is refused while it runs.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use common::Workspace;

/// Serves `/feed-N` with three items unique to N, each after `delay`.
struct SlowServer {
    port: u16,
    requests: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl SlowServer {
    fn start(delay: Duration) -> SlowServer {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let requests = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (r, s) = (requests.clone(), stop.clone());
        std::thread::spawn(move || {
            for c in l.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut c) = c else { continue };
                let r = r.clone();
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(c.try_clone().unwrap());
                    let mut first = String::new();
                    let _ = reader.read_line(&mut first);
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                            break;
                        }
                    }
                    r.fetch_add(1, Ordering::SeqCst);
                    let n = first
                        .split_whitespace()
                        .nth(1)
                        .and_then(|p| p.strip_prefix("/feed-"))
                        .unwrap_or("0")
                        .to_string();
                    std::thread::sleep(delay);
                    let mut body = String::from(
                        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>",
                    );
                    for i in 0..3 {
                        body.push_str(&format!(
                            "<item><guid>https://bron{n}.example/{i}</guid><title>Bericht {i} van bron{n}</title>\
                             <description>Zorgnieuws nummer {i} van bron {n}.</description></item>"
                        ));
                    }
                    body.push_str("</channel></rss>");
                    let _ = write!(
                        c,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                });
            }
        });
        SlowServer {
            port,
            requests,
            stop,
        }
    }
}

impl Drop for SlowServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
    }
}

#[test]
fn sigterm_during_a_busy_cycle_loses_nothing_acknowledged() {
    let server = SlowServer::start(Duration::from_millis(1500));
    let ws = Workspace::new();
    let cfg = ws.path().join("config.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("concurrency = 2\nper_host_concurrency = 2\n");
    std::fs::write(&cfg, text).unwrap();
    let urls: Vec<(String, String)> = (0..12)
        .map(|i| {
            (
                format!("bron{i}"),
                format!("http://127.0.0.1:{}/feed-{i}", server.port),
            )
        })
        .collect();
    let entries: Vec<(&str, &str)> = urls.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    ws.sources(&entries);

    let mut child = ws
        .command(&["run"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let reader = {
        let lines = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line.clone());
                let _ = tx.send(line);
            }
        })
    };
    // Wait for the first acknowledgement.
    let first = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("radar run acknowledged nothing");
    assert!(first.contains("fetched bron"), "{first}");

    // A second writer is refused while it runs.
    let second = ws.radar(&["fetch"]);
    assert_eq!(second.code, 1, "{}", second.stderr);
    assert!(
        second.stderr.contains("already running")
            && second.stderr.contains(&format!("pid {}", child.id())),
        "{}",
        second.stderr
    );

    // SIGTERM in the middle of the cycle.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    assert_eq!(rc, 0);
    let t = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            t.elapsed() < Duration::from_secs(60),
            "radar run did not stop"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    reader.join().unwrap();
    let mut stderr = String::new();
    let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr);
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("stopping"), "{stderr}");

    // Everything acknowledged is in the store and in the index.
    let acked: Vec<String> = lines
        .lock()
        .unwrap()
        .iter()
        .filter_map(|l| {
            let rest = l.split("fetched ").nth(1)?;
            let (id, outcome) = rest.split_once(": ")?;
            outcome.starts_with("ok (3 new").then(|| id.to_string())
        })
        .collect();
    assert!(!acked.is_empty());
    let rows = ws.json(&["sources", "--json"]);
    for id in &acked {
        let row = rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id.as_str())
            .unwrap();
        assert_eq!(row["articles"], 3, "{row}");
        assert_eq!(row["last_status"], "ok", "{row}");
        let n = id.trim_start_matches("bron");
        let hits = common::titles(&ws.json(&["search", &format!("bron{n}"), "--json"]));
        assert_eq!(hits.len(), 3, "{id}: {hits:?}");
    }
    // It stopped taking work: not every source was requested.
    assert!(
        server.requests.load(Ordering::SeqCst) < 12,
        "shutdown should stop dispatching"
    );
    // The rest stay due for the next run; a restart picks them up.
    let out = ws.radar(&["run", "--once"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows = ws.json(&["sources", "--json"]);
    for r in rows.as_array().unwrap() {
        assert_eq!(r["articles"], 3, "{r}");
    }
}

#[test]
fn a_lock_left_by_a_killed_run_does_not_block_and_acknowledged_work_survives() {
    let server = SlowServer::start(Duration::from_millis(700));
    let ws = Workspace::new();
    let cfg = ws.path().join("config.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("concurrency = 1\n");
    std::fs::write(&cfg, text).unwrap();
    let urls: Vec<(String, String)> = (0..6)
        .map(|i| {
            (
                format!("bron{i}"),
                format!("http://127.0.0.1:{}/feed-{i}", server.port),
            )
        })
        .collect();
    let entries: Vec<(&str, &str)> = urls.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    ws.sources(&entries);
    let mut child = ws
        .command(&["run"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.contains("fetched bron"), "{first}");
    let acked = first
        .split("fetched ")
        .nth(1)
        .and_then(|r| r.split(':').next())
        .unwrap()
        .to_string();
    // A crash: no chance to clean up.
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(ws.path().join("data/radar.lock").exists());
    // The next writer starts anyway, and the acknowledged source is intact.
    let again = ws.radar(&["run", "--once"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let rows = ws.json(&["sources", "--json"]);
    for r in rows.as_array().unwrap() {
        assert_eq!(r["articles"], 3, "{r}");
        if r["id"] == acked.as_str() {
            assert_eq!(r["last_status"], "ok", "{r}");
        }
    }
}

#[test]
fn a_source_list_changed_while_running_is_picked_up_and_a_broken_one_is_not() {
    let server = SlowServer::start(Duration::from_millis(0));
    let ws = Workspace::new();
    let cfg = ws.path().join("config.toml");
    let mut text = std::fs::read_to_string(&cfg).unwrap();
    text.push_str("\n[run]\ntick_secs = 1\n");
    std::fs::write(&cfg, text).unwrap();
    let feed = |i: u32| format!("http://127.0.0.1:{}/feed-{i}", server.port);
    ws.sources(&[("bron0", &feed(0))]);
    let mut child = ws
        .command(&["run"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rx = line_channel(child.stdout.take().unwrap());
    let erx = line_channel(child.stderr.take().unwrap());
    // Stopped (killed) when the test ends, also when it fails.
    let child = Running(child);
    let wait_for = |rx: &mpsc::Receiver<String>, what: &str| {
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(60) {
            if let Ok(l) = rx.recv_timeout(Duration::from_millis(200))
                && l.contains(what)
            {
                return l;
            }
        }
        panic!("no line with {what:?} within 60 s");
    };
    wait_for(&rx, "fetched bron0");

    // A broken list is reported and changes nothing.
    std::fs::write(
        ws.path().join("feeds/kapot.toml"),
        "[[source]]\nid = \"x\"\n",
    )
    .unwrap();
    let e = wait_for(&erx, "still using the previous ones");
    assert!(e.contains("kapot.toml"), "{e}");
    // Fixed: the new source is polled without a restart.
    std::fs::write(
        ws.path().join("feeds/kapot.toml"),
        format!(
            "[[source]]\nid = \"bron1\"\nname = \"Bron 1\"\nurl = \"{}\"\nkind = \"feed\"\n",
            feed(1)
        ),
    )
    .unwrap();
    let l = wait_for(&rx, "fetched bron1");
    assert!(l.contains("3 new"), "{l}");

    drop(child);
}

/// The lines a child writes, as they come.
fn line_channel(r: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
