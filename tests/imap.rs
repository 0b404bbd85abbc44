//! Newsletters from an IMAP folder, against a small IMAP server on
//! 127.0.0.1 (port 0) written for this test: it holds the Dutch newsletter
//! fixtures with arrival dates, honours `UID SEARCH SINCE`, and records
//! every command, so the test can check what a mail administrator would:
//! radar opens the folder read-only (EXAMINE, BODY.PEEK: mail stays
//! unread), downloads each letter once, and says clearly when the log-in
//! or the configuration is wrong.

mod common;

use common::{Workspace, fixture};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

const USER: &str = "radar@zorg.nl";
const PASSWORD: &str = "geheim wachtwoord \"met\" tekens";
const FOLDER: &str = "Nieuwsbrieven";

struct Message {
    uid: u32,
    arrived: chrono::NaiveDate,
    raw: Vec<u8>,
    /// RFC822.SIZE to announce instead of the real one.
    claimed: Option<usize>,
}

#[derive(Default)]
struct Mailbox {
    messages: Vec<Message>,
    commands: Vec<String>,
}

struct ImapServer {
    addr: std::net::SocketAddr,
    mailbox: Arc<Mutex<Mailbox>>,
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl ImapServer {
    fn start() -> ImapServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mailbox: Arc<Mutex<Mailbox>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (m, s) = (mailbox.clone(), stop.clone());
        let handle = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(c) = conn {
                    let m = m.clone();
                    std::thread::spawn(move || {
                        let _ = serve(c, &m);
                    });
                }
            }
        });
        ImapServer {
            addr,
            mailbox,
            stop,
            handle: Some(handle),
        }
    }

    fn deliver(&self, uid: u32, days_ago: u64, fixture_name: &str) {
        let raw = std::fs::read(fixture(&format!("newsletters/{fixture_name}"))).unwrap();
        let arrived = chrono::Utc::now().date_naive() - chrono::Days::new(days_ago);
        self.mailbox.lock().unwrap().messages.push(Message {
            uid,
            arrived,
            raw,
            claimed: None,
        });
    }

    /// A message that says it is `size` bytes.
    fn deliver_huge(&self, uid: u32, size: usize) {
        self.deliver(uid, 0, "ggd-gezondheid-preventie.eml");
        let mut m = self.mailbox.lock().unwrap();
        m.messages.last_mut().unwrap().claimed = Some(size);
    }

    /// The commands received so far (without tags), and forgets them.
    fn take_commands(&self) -> Vec<String> {
        std::mem::take(&mut self.mailbox.lock().unwrap().commands)
    }
}

impl Drop for ImapServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Reads a quoted or atom argument at the start of `s`; returns it and the rest.
fn argument(s: &str) -> (String, &str) {
    let s = s.trim_start();
    if let Some(rest) = s.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        out.push(n);
                    }
                }
                '"' => return (out, &rest[i + 1..]),
                c => out.push(c),
            }
        }
        (out, "")
    } else {
        let end = s.find(' ').unwrap_or(s.len());
        (s[..end].to_string(), &s[end..])
    }
}

fn serve(c: TcpStream, mailbox: &Mutex<Mailbox>) -> std::io::Result<()> {
    c.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    let mut w = c.try_clone()?;
    let mut r = BufReader::new(c);
    w.write_all(b"* OK [CAPABILITY IMAP4rev1] radar test server ready\r\n")?;
    let mut logged_in = false;
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let l = line.trim_end();
        let (tag, rest) = l.split_once(' ').unwrap_or((l, ""));
        let upper = rest.to_ascii_uppercase();
        // Never record the password.
        let shown = if upper.starts_with("LOGIN") {
            "LOGIN".to_string()
        } else {
            rest.to_string()
        };
        mailbox.lock().unwrap().commands.push(shown);
        let mut out = String::new();
        if upper.starts_with("CAPABILITY") {
            out.push_str(&format!("* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n"));
        } else if upper.starts_with("LOGIN ") {
            let (user, after) = argument(&rest[6..]);
            let (password, _) = argument(after);
            if user == USER && password == PASSWORD {
                logged_in = true;
                out.push_str(&format!("{tag} OK logged in\r\n"));
            } else {
                out.push_str(&format!(
                    "{tag} NO [AUTHENTICATIONFAILED] Invalid credentials\r\n"
                ));
            }
        } else if !logged_in && !upper.starts_with("LOGOUT") {
            out.push_str(&format!("{tag} NO log in first\r\n"));
        } else if upper.starts_with("EXAMINE ") || upper.starts_with("SELECT ") {
            let (name, _) = argument(&rest[rest.find(' ').unwrap() + 1..]);
            if name == FOLDER {
                let m = mailbox.lock().unwrap();
                let next = m.messages.iter().map(|x| x.uid).max().unwrap_or(0) + 1;
                out.push_str(&format!(
                    "* {} EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 7] UIDs valid\r\n* OK [UIDNEXT {next}] next\r\n* FLAGS (\\Seen)\r\n{tag} OK [READ-ONLY] done\r\n",
                    m.messages.len()
                ));
            } else {
                out.push_str(&format!("{tag} NO [NONEXISTENT] no such folder\r\n"));
            }
        } else if let Some(q) = upper.strip_prefix("UID SEARCH SINCE ") {
            let since = chrono::NaiveDate::parse_from_str(q.trim(), "%d-%b-%Y").unwrap();
            let m = mailbox.lock().unwrap();
            let uids: Vec<String> = m
                .messages
                .iter()
                .filter(|x| x.arrived >= since)
                .map(|x| x.uid.to_string())
                .collect();
            out.push_str(&format!("* SEARCH {}\r\n{tag} OK done\r\n", uids.join(" ")));
        } else if let Some(q) = upper.strip_prefix("UID FETCH ") {
            let set = q.split(' ').next().unwrap();
            let wanted: Vec<u32> = set.split(',').map(|u| u.parse().unwrap()).collect();
            let m = mailbox.lock().unwrap();
            let mut bytes = Vec::new();
            let with_body = q.contains("BODY");
            for (seq, msg) in m.messages.iter().enumerate() {
                let size = msg.claimed.unwrap_or(msg.raw.len());
                if wanted.contains(&msg.uid) && !with_body {
                    bytes.extend_from_slice(
                        format!(
                            "* {} FETCH (UID {} RFC822.SIZE {size})\r\n",
                            seq + 1,
                            msg.uid
                        )
                        .as_bytes(),
                    );
                } else if wanted.contains(&msg.uid) {
                    bytes.extend_from_slice(
                        format!(
                            "* {} FETCH (UID {} RFC822.SIZE {size} BODY[] {{{}}}\r\n",
                            seq + 1,
                            msg.uid,
                            msg.raw.len()
                        )
                        .as_bytes(),
                    );
                    bytes.extend_from_slice(&msg.raw);
                    bytes.extend_from_slice(b")\r\n");
                }
            }
            bytes.extend_from_slice(format!("{tag} OK done\r\n").as_bytes());
            w.write_all(&bytes)?;
            continue;
        } else if upper.starts_with("LOGOUT") {
            w.write_all(format!("* BYE\r\n{tag} OK bye\r\n").as_bytes())?;
            return Ok(());
        } else {
            out.push_str(&format!("{tag} BAD not supported here\r\n"));
        }
        w.write_all(out.as_bytes())?;
    }
}

fn workspace(server: &ImapServer, url_user: &str) -> Workspace {
    let ws = Workspace::new();
    std::fs::write(
        ws.path().join("feeds/post.toml"),
        format!(
            "[[source]]\nid = \"nieuwsbrieven\"\nname = \"Nieuwsbrieven\"\nkind = \"mailbox\"\n\
             url = \"imap://{url_user}@127.0.0.1:{}/{FOLDER}\"\npassword_env = \"RADAR_TEST_IMAP_PASSWORD\"\n",
            server.addr.port()
        ),
    )
    .unwrap();
    ws
}

fn fetch(ws: &Workspace, password: Option<&str>) -> serde_json::Value {
    let mut cmd = ws.command(&["fetch", "--json"]);
    cmd.env_remove("RADAR_TEST_IMAP_PASSWORD");
    if let Some(p) = password {
        cmd.env("RADAR_TEST_IMAP_PASSWORD", p);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "bad JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    v[0].clone()
}

#[test]
fn an_imap_folder_is_read_once_read_only_and_only_recent_mail() {
    let server = ImapServer::start();
    server.deliver(3, 60, "welzijnsplatform-oost-tekst.eml"); // too old
    server.deliver(11, 2, "zorgpraktijk-weekbericht.eml");
    server.deliver(12, 1, "ggd-gezondheid-preventie.eml");
    server.deliver_huge(14, 40 << 20); // says 40 MB: never downloaded
    let ws = workspace(&server, "radar%40zorg.nl");

    let r = fetch(&ws, Some(PASSWORD));
    assert_eq!(r["error"], serde_json::Value::Null, "{r}");
    assert_eq!(r["new"], 4 + 3, "the two recent letters' stories: {r}");
    let cmds = server.take_commands();
    assert!(
        cmds.iter().any(|c| c == &format!("EXAMINE \"{FOLDER}\"")),
        "{cmds:?}"
    );
    assert!(
        !cmds
            .iter()
            .any(|c| c.starts_with("SELECT") || c.contains("STORE")),
        "the folder must be opened read-only: {cmds:?}"
    );
    let bodies: Vec<&String> = cmds
        .iter()
        .filter(|c| c.starts_with("UID FETCH") && c.contains("BODY"))
        .collect();
    assert!(
        bodies.iter().all(|c| c.contains("BODY.PEEK[]")),
        "mail must stay unread: {bodies:?}"
    );
    let asked: Vec<&str> = bodies
        .iter()
        .flat_map(|c| c.split(' ').nth(2).unwrap().split(','))
        .collect();
    assert_eq!(
        asked,
        ["12", "11"],
        "newest first; neither the old letter nor the 40 MB one: {cmds:?}"
    );
    let hits = ws.json(&["search", "buurtkamer", "--json"]);
    let shown = ws.json(&["show", &hits[0]["id"].to_string(), "--json"]);
    assert_eq!(
        shown["newsletter"], "Nieuwsbrief Gezondheid & Preventie – april 2025",
        "{shown}"
    );

    // Nothing new: nothing is downloaded again.
    let r = fetch(&ws, Some(PASSWORD));
    assert_eq!(
        (r["new"].as_u64(), r["outcome"].as_str()),
        (Some(0), Some("unchanged")),
        "{r}"
    );
    let cmds = server.take_commands();
    assert!(!cmds.iter().any(|c| c.starts_with("UID FETCH")), "{cmds:?}");

    // A new letter arrives: only that one is downloaded.
    server.deliver(13, 0, "welzijnsplatform-oost-tekst.eml");
    let r = fetch(&ws, Some(PASSWORD));
    assert_eq!(r["new"], 2, "{r}");
    let cmds = server.take_commands();
    let fetches: Vec<&String> = cmds
        .iter()
        .filter(|c| c.starts_with("UID FETCH") && c.contains("BODY"))
        .collect();
    assert_eq!(fetches.len(), 1, "{cmds:?}");
    assert!(fetches[0].starts_with("UID FETCH 13 "), "{fetches:?}");
}

#[test]
fn wrong_password_and_missing_variable_are_reported_clearly() {
    let server = ImapServer::start();
    server.deliver(1, 0, "ggd-gezondheid-preventie.eml");
    let ws = workspace(&server, "radar%40zorg.nl");

    let r = fetch(&ws, Some("niet het wachtwoord"));
    let err = r["error"].as_str().unwrap_or_default();
    assert!(
        err.contains("log-in as radar@zorg.nl refused") && err.contains("Invalid credentials"),
        "{r}"
    );
    assert!(
        !err.contains("niet het wachtwoord"),
        "password in a message: {err}"
    );

    let r = fetch(&ws, None);
    let err = r["error"].as_str().unwrap_or_default();
    assert!(
        err.contains("RADAR_TEST_IMAP_PASSWORD") && err.contains("not set"),
        "{r}"
    );
    // The server was not even contacted without a password.
    let cmds = server.take_commands();
    assert_eq!(cmds, vec!["LOGIN".to_string()], "{cmds:?}");

    // Once the password is right the letter comes in.
    assert_eq!(fetch(&ws, Some(PASSWORD))["new"], 3);
}

#[test]
fn bad_imap_sources_are_refused_before_anything_runs() {
    for (entry, key, says) in [
        (
            "url = \"imap://radar@mail.zorg.nl/INBOX\"\npassword_env = \"P\"",
            "url",
            "only allowed to this machine",
        ),
        (
            "url = \"imaps://radar:geheim@mail.zorg.nl/INBOX\"\npassword_env = \"P\"",
            "url",
            "no password in the URL",
        ),
        (
            "url = \"imaps://mail.zorg.nl/INBOX\"\npassword_env = \"P\"",
            "url",
            "user name",
        ),
        (
            "url = \"imaps://radar@mail.zorg.nl/INBOX\"",
            "password_env",
            "is required",
        ),
        (
            "url = \"imaps://radar@mail.zorg.nl/INBOX\"\npassword_env = \"MY-PASS\"",
            "password_env",
            "not an environment variable name",
        ),
    ] {
        let ws = Workspace::new();
        std::fs::write(
            ws.path().join("feeds/post.toml"),
            format!("[[source]]\nid = \"post\"\nname = \"Post\"\nkind = \"mailbox\"\n{entry}\n"),
        )
        .unwrap();
        let out = ws.radar(&["fetch"]);
        assert_eq!(out.code, 1, "{entry}: {}", out.stderr);
        assert!(
            out.stderr.contains("post.toml")
                && out.stderr.contains(&format!("`{key}`"))
                && out.stderr.contains(says),
            "{entry}: {}",
            out.stderr
        );
    }
}
