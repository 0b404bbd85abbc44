//! Test helpers: a tiny HTTP server on 127.0.0.1 (port 0) serving canned
//! responses and recording requests, and a runner for the radar binary.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// A canned response.
#[derive(Clone, Debug)]
pub struct Route {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// When set, a request whose If-None-Match equals it gets a 304.
    pub etag: Option<String>,
}

impl Route {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Route {
        Route {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            etag: None,
        }
    }
    pub fn status(status: u16) -> Route {
        Route {
            status,
            headers: vec![],
            body: b"error".to_vec(),
            etag: None,
        }
    }
    pub fn with_etag(mut self, etag: &str) -> Route {
        self.etag = Some(etag.into());
        self
    }
}

/// A recorded request: path and headers (lower-cased names).
#[derive(Clone, Debug)]
pub struct Request {
    pub path: String,
    pub headers: HashMap<String, String>,
}

pub struct TestServer {
    pub addr: std::net::SocketAddr,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl TestServer {
    pub fn start() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let routes: Arc<Mutex<HashMap<String, Route>>> = Arc::default();
        let requests: Arc<Mutex<Vec<Request>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (r, q, s) = (routes.clone(), requests.clone(), stop.clone());
        let handle = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(c) = conn {
                    let (r, q) = (r.clone(), q.clone());
                    std::thread::spawn(move || serve(c, &r, &q));
                }
            }
        });
        TestServer {
            addr,
            routes,
            requests,
            stop,
            handle: Some(handle),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn set(&self, path: &str, route: Route) {
        self.routes.lock().unwrap().insert(path.to_string(), route);
    }

    pub fn requests(&self, path: &str) -> Vec<Request> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// Reads an HTTP request line and headers: the path and the headers with
/// lower-case names. `None` when the client sent nothing readable.
pub fn read_request(c: &TcpStream) -> Option<(String, HashMap<String, String>)> {
    let mut reader = BufReader::new(c.try_clone().ok()?);
    let mut first = String::new();
    reader.read_line(&mut first).ok()?;
    let path = first.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_lowercase(), v.trim().to_string());
        }
    }
    Some((path, headers))
}

fn serve(mut c: TcpStream, routes: &Mutex<HashMap<String, Route>>, log: &Mutex<Vec<Request>>) {
    let Some((path, headers)) = read_request(&c) else {
        return;
    };
    log.lock().unwrap().push(Request {
        path: path.clone(),
        headers: headers.clone(),
    });
    let route = routes
        .lock()
        .unwrap()
        .get(&path)
        .cloned()
        .unwrap_or(Route::status(404));
    let not_modified = route.etag.is_some() && headers.get("if-none-match") == route.etag.as_ref();
    let (status, body) = if not_modified {
        (304, Vec::new())
    } else {
        (route.status, route.body.clone())
    };
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in &route.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(e) = &route.etag {
        head.push_str(&format!("ETag: {e}\r\n"));
    }
    head.push_str("\r\n");
    let _ = c.write_all(head.as_bytes());
    let _ = c.write_all(&body);
}

/// Path of a file under tests/fixtures.
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

pub fn read_fixture(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// ../shared next to the project, when present.
pub fn shared_dir() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    p.is_dir().then_some(p)
}

/// A scratch setup: a config file and a sources folder in a temp dir.
/// The radar binary with `config`, ignoring the caller's RADAR_DATA and
/// RADAR_CONFIG.
pub fn radar_command(config: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_radar"));
    c.arg("--config")
        .arg(config)
        .env_remove("RADAR_DATA")
        .env_remove("RADAR_CONFIG");
    c
}

pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("feeds")).unwrap();
        // Tests talk to servers on 127.0.0.1, which the SSRF guard refuses
        // unless allowed; no politeness delay between requests to them.
        // Feed items link to made-up sites: never fetch their pages in tests
        // unless a test turns full text on for a local server.
        std::fs::write(
            dir.path().join("config.toml"),
            // [fetch] comes last: tests append further [fetch] keys.
            "data_dir = \"data\"\n\n[extract]\nfull_text = \"never\"\n\n[fetch]\nallow_networks = [\"127.0.0.1/32\"]\nper_host_delay_ms = 0\nretry_base_ms = 20\n",
        )
        .unwrap();
        Workspace { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes feeds/sources.toml with (id, url) entries.
    pub fn sources(&self, entries: &[(&str, &str)]) {
        let mut s = String::new();
        for (id, url) in entries {
            s.push_str(&format!(
                "[[source]]\nid = \"{id}\"\nname = \"Bron {id}\"\nurl = \"{url}\"\nkind = \"feed\"\ntags = [\"sector:zorg\"]\n\n"
            ));
        }
        std::fs::write(self.path().join("feeds/sources.toml"), s).unwrap();
    }

    /// The radar binary with this workspace's config and `args`, to spawn
    /// or to run with other settings.
    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut c = radar_command(&self.path().join("config.toml"));
        c.args(args);
        c
    }

    /// Runs the radar binary with this workspace's config.
    pub fn radar(&self, args: &[&str]) -> Output {
        let out = self.command(args).output().unwrap();
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.radar(args);
        assert_eq!(out.code, 0, "radar {args:?} failed: {}", out.stderr);
        serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("bad JSON from {args:?}: {e}\n{}", out.stdout))
    }
}

#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Titles of a `search --json` result.
pub fn titles(v: &serde_json::Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_string())
        .collect()
}

/// Reads the address a starting `radar serve` announces on its stderr
/// (`... http://127.0.0.1:PORT ...`) and keeps draining that stderr into
/// the test's output, so the server never writes to a closed pipe.
pub fn serve_address(child: &mut std::process::Child) -> String {
    let mut log = BufReader::new(child.stderr.take().expect("stderr piped"));
    let mut line = String::new();
    log.read_line(&mut line).unwrap();
    std::thread::spawn(move || {
        for l in log.lines().map_while(Result::ok) {
            eprintln!("radar serve: {l}");
        }
    });
    line.split("http://")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string()
}
