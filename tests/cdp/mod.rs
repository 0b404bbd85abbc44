//! A small Chrome DevTools Protocol client for the browser test: it starts
//! headless chromium with `--remote-debugging-pipe` (commands on fd 3,
//! replies and events on fd 4, JSON messages ended by NUL), opens one tab
//! and drives it the way a person would: type into a field, click a button
//! (real mouse events at the element's position), wait for the next page,
//! take a full-page screenshot. No websocket and no extra crate: the pipe
//! is private to this process and the browser.
//!
//! Everything it starts it stops: dropping [`Browser`] closes the browser,
//! kills it when it does not exit in time, and removes its profile.

use serde_json::{Value, json};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// How long one step (a reply, a page load) may take before the test
/// fails with a message; generous for a loaded 2-core CI machine.
const STEP: Duration = Duration::from_secs(60);

/// The chromium binary on PATH, if any.
pub fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|b| dirs.iter().map(move |d| d.join(b)))
        .find(|p| p.is_file())
}

/// A pipe whose both ends close on exec (the browser gets its copies
/// through `dup2` in the child only).
fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` is a valid two-element array for pipe2 to fill.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2: {}", std::io::Error::last_os_error());
    // SAFETY: pipe2 succeeded, so both descriptors are open and ours.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

pub struct Browser {
    child: Child,
    commands: File,
    incoming: Receiver<Value>,
    events: VecDeque<Value>,
    session: String,
    next_id: u64,
    stderr: PathBuf,
    /// Errors the pages reported (console, CSP violations, exceptions).
    pub errors: Vec<String>,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub fn launch(bin: &Path) -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let stderr = profile.path().join("chromium.log");
        // We write commands into `cmd_w`, the browser reads them on fd 3;
        // the browser writes on fd 4 into `out_w`, we read `out_r`.
        let (cmd_r, cmd_w) = pipe();
        let (out_r, out_w) = pipe();
        let (child_in, child_out) = (cmd_r.as_raw_fd(), out_w.as_raw_fd());
        let mut cmd = Command::new(bin);
        cmd.args([
            "--headless",
            "--no-sandbox", // CI runs as root
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-sync",
            "--disable-component-update",
            "--no-first-run",
            "--no-default-browser-check",
            "--password-store=basic",
            "--hide-scrollbars",
            "--mute-audio",
            "--remote-debugging-pipe",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(File::create(&stderr).unwrap());
        // SAFETY: only async-signal-safe calls (fcntl, dup2) between fork
        // and exec. The descriptors are first moved above 10 so that the
        // two dup2 calls cannot clobber each other when one of them
        // already is 3 or 4; dup2 clears close-on-exec on the copies.
        unsafe {
            cmd.pre_exec(move || {
                let a = libc::fcntl(child_in, libc::F_DUPFD, 10);
                let b = libc::fcntl(child_out, libc::F_DUPFD, 10);
                if a < 0 || b < 0 || libc::dup2(a, 3) < 0 || libc::dup2(b, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd.spawn().expect("start chromium");
        drop((cmd_r, out_w)); // the browser's ends: EOF when it exits
        let (tx, incoming) = channel();
        let reader = File::from(out_r);
        std::thread::spawn(move || {
            let mut r = BufReader::new(reader);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match r.read_until(0, &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if buf.last() == Some(&0) {
                            buf.pop();
                        }
                        match serde_json::from_slice::<Value>(&buf) {
                            Ok(v) => {
                                if tx.send(v).is_err() {
                                    break;
                                }
                            }
                            Err(e) => eprintln!("cdp: unreadable message ({e})"),
                        }
                    }
                }
            }
        });
        let mut b = Browser {
            child,
            commands: File::from(cmd_w),
            incoming,
            events: VecDeque::new(),
            session: String::new(),
            next_id: 0,
            stderr,
            errors: Vec::new(),
            _profile: profile,
        };
        let target = b.call("Target.createTarget", json!({ "url": "about:blank" }));
        let target_id = target["targetId"].as_str().unwrap().to_string();
        let attached = b.call(
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
        );
        b.session = attached["sessionId"].as_str().unwrap().to_string();
        for domain in ["Page.enable", "Runtime.enable", "Log.enable"] {
            b.call(domain, json!({}));
        }
        b
    }

    fn fail(&self, what: &str) -> ! {
        let log = std::fs::read_to_string(&self.stderr).unwrap_or_default();
        let tail: String = log
            .lines()
            .rev()
            .take(20)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n");
        panic!("browser: {what}\n--- chromium stderr (last lines) ---\n{tail}");
    }

    /// Next message from the browser, noting page errors on the way.
    fn recv(&mut self, deadline: Instant, waiting_for: &str) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        let msg = match self.incoming.recv_timeout(left) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => {
                self.fail(&format!("timed out waiting for {waiting_for}"))
            }
            Err(RecvTimeoutError::Disconnected) => self.fail(&format!(
                "the browser went away while waiting for {waiting_for}"
            )),
        };
        self.note(&msg);
        msg
    }

    /// Keeps the errors a page reports.
    fn note(&mut self, msg: &Value) {
        match msg["method"].as_str() {
            Some("Log.entryAdded") if msg["params"]["entry"]["level"] == "error" => {
                let e = &msg["params"]["entry"];
                self.errors.push(format!(
                    "{} ({})",
                    e["text"].as_str().unwrap_or(""),
                    e["url"].as_str().unwrap_or("")
                ));
            }
            Some("Runtime.exceptionThrown") => self
                .errors
                .push(msg["params"]["exceptionDetails"].to_string()),
            Some("Runtime.consoleAPICalled") if msg["params"]["type"] == "error" => {
                self.errors.push(msg["params"]["args"].to_string())
            }
            _ => {}
        }
    }

    /// Sends one command (to the tab once attached) and returns its result.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if !self.session.is_empty() {
            msg["sessionId"] = json!(self.session);
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        if let Err(e) = self.commands.write_all(&bytes) {
            self.fail(&format!("cannot send {method}: {e}"));
        }
        let deadline = Instant::now() + STEP;
        loop {
            let m = self.recv(deadline, method);
            if m["id"] == id {
                if let Some(err) = m.get("error") {
                    self.fail(&format!("{method} failed: {err}"));
                }
                return m["result"].clone();
            }
            if m.get("method").is_some() {
                self.events.push_back(m);
            }
        }
    }

    /// Waits for an event of this kind that arrives after the last
    /// [`Browser::forget_events`].
    fn wait_event(&mut self, method: &str) -> Value {
        if let Some(i) = self.events.iter().position(|e| e["method"] == method) {
            return self.events.remove(i).unwrap();
        }
        let deadline = Instant::now() + STEP;
        loop {
            let m = self.recv(deadline, method);
            if m["method"] == method {
                return m;
            }
        }
    }

    fn forget_events(&mut self) {
        self.events.clear();
        while let Ok(m) = self.incoming.try_recv() {
            self.note(&m);
        }
    }

    /// Opens a URL and waits until the page has loaded.
    pub fn goto(&mut self, url: &str) {
        self.forget_events();
        let r = self.call("Page.navigate", json!({ "url": url }));
        if let Some(e) = r.get("errorText").and_then(Value::as_str) {
            self.fail(&format!("cannot open {url}: {e}"));
        }
        self.wait_event("Page.loadEventFired");
    }

    /// Evaluates a JavaScript expression in the page and returns its value.
    pub fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({ "expression": expr, "returnByValue": true }),
        );
        if let Some(e) = r.get("exceptionDetails") {
            self.fail(&format!("{expr}: {e}"));
        }
        r["result"]["value"].clone()
    }

    pub fn url(&mut self) -> String {
        self.eval("location.href")
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// The rendered page as the browser sees it now.
    pub fn html(&mut self) -> String {
        self.eval("document.documentElement.outerHTML")
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// The visible text of the page.
    pub fn text(&mut self) -> String {
        self.eval("document.body.innerText")
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Scrolls the element into view and returns the centre of its box,
    /// failing with the selector when it is missing or invisible.
    fn centre(&mut self, selector: &str) -> (f64, f64) {
        let sel = serde_json::to_string(selector).unwrap();
        let v = self.eval(&format!(
            "(() => {{ const e = document.querySelector({sel}); if (!e) return null; \
             e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect(); \
             return r.width > 0 && r.height > 0 ? [r.x + r.width / 2, r.y + r.height / 2] : null; }})()"
        ));
        match (v[0].as_f64(), v[1].as_f64()) {
            (Some(x), Some(y)) => (x, y),
            _ => {
                let url = self.url();
                self.fail(&format!("no visible element {selector} on {url}"))
            }
        }
    }

    /// Clicks the element like a mouse would.
    fn press(&mut self, selector: &str) {
        let (x, y) = self.centre(selector);
        for kind in ["mouseMoved", "mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1 }),
            );
        }
    }

    /// Clicks a link or button and waits for the page it leads to.
    pub fn click(&mut self, selector: &str) {
        self.forget_events();
        self.press(selector);
        self.wait_event("Page.loadEventFired");
    }

    /// Clicks into a field and types the text (replacing what was there).
    pub fn fill(&mut self, selector: &str, text: &str) {
        self.press(selector);
        let sel = serde_json::to_string(selector).unwrap();
        self.eval(&format!("document.querySelector({sel}).select?.()"));
        self.call("Input.insertText", json!({ "text": text }));
        let now = self.eval(&format!("document.querySelector({sel}).value"));
        if now != json!(text) {
            self.fail(&format!("typing into {selector} gave {now}"));
        }
    }

    /// Chooses an option of a `<select>` by its value, as a person would
    /// with the keyboard (focus, then the option), firing `change`.
    pub fn choose(&mut self, selector: &str, value: &str) {
        let sel = serde_json::to_string(selector).unwrap();
        let val = serde_json::to_string(value).unwrap();
        let ok = self.eval(&format!(
            "(() => {{ const s = document.querySelector({sel}); if (!s) return false; \
             if (![...s.options].some(o => o.value === {val})) return false; \
             s.focus(); s.value = {val}; s.dispatchEvent(new Event('change', {{bubbles: true}})); \
             return true; }})()"
        ));
        if ok != json!(true) {
            self.fail(&format!("no option {value} in {selector}"));
        }
    }

    /// Sets the viewport (CSS pixels) for what follows.
    pub fn viewport(&mut self, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        );
    }

    /// Saves a PNG of the whole page (up to 6000 px tall).
    pub fn screenshot(&mut self, file: &Path) {
        let m = self.call("Page.getLayoutMetrics", json!({}));
        let w = m["cssContentSize"]["width"].as_f64().unwrap_or(1280.0);
        let h = m["cssContentSize"]["height"]
            .as_f64()
            .unwrap_or(1000.0)
            .min(6000.0);
        let r = self.call(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true,
                    "clip": { "x": 0, "y": 0, "width": w, "height": h, "scale": 1 } }),
        );
        use base64::Engine as _;
        let png = base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().unwrap_or(""))
            .unwrap();
        assert!(
            png.starts_with(b"\x89PNG"),
            "screenshot {} is not a PNG",
            file.display()
        );
        std::fs::write(file, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let mut bytes = serde_json::to_vec(&json!({ "id": 0, "method": "Browser.close" })).unwrap();
        bytes.push(0);
        let _ = self.commands.write_all(&bytes);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
