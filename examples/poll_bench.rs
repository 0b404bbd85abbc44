//! Polling benchmark (not a test): one `radar run`-style cycle over 1,000
//! feeds on 100 loopback hosts (127.0.0.1–127.0.0.100), with latencies of
//! 50 ms–2 s, 30% 304, 3% 429 with Retry-After, 2% stalls.
//!
//! ```text
//! cargo run --example poll_bench [-- --feeds 1000 --hosts 100 --concurrency 64]
//! ```
//!
//! The server runs in a child process (this example with `--serve`), so
//! the CPU time and peak RSS reported are radar's alone. Reports wall
//! clock against the ideal bound (the larger of the longest per-host
//! serial chain and total latency / concurrency), politeness violations
//! seen by the server, CPU time and peak RSS.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use radar::config::Config;
use radar::fetch::Fetcher;
use radar::pipeline::{Cycle, Ranker, refresh_cycle};
use radar::schedule::Planner;
use radar::sources::{Location, Source, SourceKind};

const STALL_DEADLINE_SECS: u64 = 5;
const RETRY_AFTER_SECS: u64 = 30;
const PER_HOST: usize = 2;
const PER_HOST_DELAY_MS: u64 = 50;
/// The server sees a request start after the connection is set up and the
/// head is read; that lag varies by a few ms on a busy machine.
const DELAY_TOLERANCE_MS: u64 = 20;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Ok,
    NotModified,
    TooMany,
    Stall,
}

#[derive(Clone, Copy)]
struct Spec {
    host: usize,
    latency_ms: u64,
    kind: Kind,
}

fn specs(feeds: usize, hosts: usize) -> Vec<Spec> {
    let mut rng = fastrand::Rng::with_seed(20261128);
    (0..feeds)
        .map(|n| {
            let r = rng.u32(0..100);
            let kind = match r {
                0..=29 => Kind::NotModified,
                30..=32 => Kind::TooMany,
                33..=34 => Kind::Stall,
                _ => Kind::Ok,
            };
            Spec {
                host: n % hosts,
                latency_ms: rng.u64(50..=2000),
                kind,
            }
        })
        .collect()
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn feed_body(n: usize) -> String {
    let mut s =
        String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Bench</title>");
    for i in 0..5 {
        s.push_str(&format!(
            "<item><guid>https://bench.example/{n}/{i}</guid><title>Zorgbericht {i} van feed {n}</title>\
             <description>De wijkverpleging in regio {n} start een leerafdeling met zorgprofessionals.</description></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s
}

/// The server side: one listener per host address; logs
/// `host n start_ms end_ms kind` per request when stdin closes.
fn serve(feeds: usize, hosts: usize) {
    let specs = specs(feeds, hosts);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut ports = Vec::new();
    for h in 0..hosts {
        let l = rt
            .block_on(tokio::net::TcpListener::bind(format!(
                "127.0.0.{}:0",
                h + 1
            )))
            .expect("bind 127.0.0.x");
        ports.push(l.local_addr().unwrap().port());
        let specs = specs.clone();
        let log = log.clone();
        rt.spawn(async move {
            loop {
                let Ok((sock, _)) = l.accept().await else {
                    continue;
                };
                let specs = specs.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
                    let mut r = tokio::io::BufReader::new(sock);
                    let mut first = String::new();
                    if r.read_line(&mut first).await.is_err() {
                        return;
                    }
                    loop {
                        let mut line = String::new();
                        match r.read_line(&mut line).await {
                            Ok(0) | Err(_) => break,
                            Ok(_) if line == "\r\n" => break,
                            _ => {}
                        }
                    }
                    let start = now_ms();
                    let n: usize = first
                        .split_whitespace()
                        .nth(1)
                        .and_then(|p| p.strip_prefix("/f/"))
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    let spec = specs[n];
                    let mut sock = r.into_inner();
                    if spec.kind == Kind::Stall {
                        // Never answer; hold the connection until the client gives up.
                        let mut buf = [0u8; 1];
                        let _ = tokio::time::timeout(
                            Duration::from_secs(60),
                            tokio::io::AsyncReadExt::read(&mut sock, &mut buf),
                        )
                        .await;
                    } else {
                        tokio::time::sleep(Duration::from_millis(spec.latency_ms)).await;
                        let resp = match spec.kind {
                            Kind::NotModified => "HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n".to_string(),
                            Kind::TooMany => format!(
                                "HTTP/1.1 429 Too Many Requests\r\nRetry-After: {RETRY_AFTER_SECS}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            ),
                            _ => {
                                let body = feed_body(n);
                                format!(
                                    "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                                    body.len()
                                )
                            }
                        };
                        let _ = sock.write_all(resp.as_bytes()).await;
                    }
                    let end = now_ms();
                    log.lock()
                        .unwrap()
                        .push(format!("{} {n} {start} {end} {:?}", spec.host, spec.kind));
                });
            }
        });
    }
    println!(
        "PORTS {}",
        ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    );
    std::io::stdout().flush().unwrap();
    // Run until the parent closes stdin, then dump the log.
    let mut sink = String::new();
    while std::io::stdin().read_line(&mut sink).unwrap_or(0) > 0 {}
    std::thread::sleep(Duration::from_millis(200));
    for line in log.lock().unwrap().iter() {
        println!("{line}");
    }
}

fn rusage() -> (Duration, u64) {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    (tv(u.ru_utime) + tv(u.ru_stime), u.ru_maxrss as u64)
}

fn main() -> anyhow::Result<()> {
    let feeds = arg("--feeds", 1000);
    let hosts = arg("--hosts", 100);
    let concurrency = arg("--concurrency", 64);
    if std::env::args().any(|a| a == "--serve") {
        serve(feeds, hosts);
        return Ok(());
    }
    let mut child = Command::new(std::env::current_exe()?)
        .args([
            "--serve",
            "--feeds",
            &feeds.to_string(),
            "--hosts",
            &hosts.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first)?;
    let ports: Vec<u16> = first
        .trim()
        .strip_prefix("PORTS ")
        .expect("server did not start")
        .split(' ')
        .map(|p| p.parse().unwrap())
        .collect();
    let spec = specs(feeds, hosts);
    let sources: Vec<Source> = spec
        .iter()
        .enumerate()
        .map(|(n, s)| Source {
            id: format!("f{n}"),
            name: format!("Feed {n}"),
            location: Location::Http(
                url::Url::parse(&format!(
                    "http://127.0.0.{}:{}/f/{n}",
                    s.host + 1,
                    ports[s.host]
                ))
                .unwrap(),
            ),
            kind: SourceKind::Feed,
            page: None,
            rules: Default::default(),
            full_text: Some(radar::config::FullText::Never),
            tags: vec![],
            enabled: true,
            schedule: None,
            origin: PathBuf::new(),
        })
        .collect();
    let config = Config::from_toml_str(
        &format!(
            "[fetch]\nallow_networks = [\"127.0.0.0/8\"]\nconcurrency = {concurrency}\n\
             per_host_concurrency = {PER_HOST}\nper_host_delay_ms = {PER_HOST_DELAY_MS}\n\
             timeout_secs = {STALL_DEADLINE_SECS}\nretries = 0\n"
        ),
        "bench",
    )?;
    let dir = tempfile::tempdir()?;
    let (mut store, mut index) = radar::cli::open_data(dir.path(), true, 64)?;
    let fetcher = Fetcher::new(&config.fetch).map_err(anyhow::Error::msg)?;
    let planner = Planner::new(&config.schedule).map_err(anyhow::Error::msg)?;
    let ranker = Ranker::builtin();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (cpu0, _) = rusage();
    let t0 = Instant::now();
    let cycle = Cycle {
        concurrency,
        planner: Some(&planner),
        health: config.health.clone(),
        stop: None,
        grace: Duration::from_secs(30),
        extract: config.extract.clone(),
    };
    let mut last_report = Duration::ZERO;
    let mut cpu_polling = Duration::ZERO;
    let reports = rt.block_on(refresh_cycle(
        &mut store,
        &mut index,
        &ranker,
        &fetcher,
        &sources,
        &cycle,
        |_| {
            last_report = t0.elapsed();
            cpu_polling = rusage().0;
        },
    ))?;
    let wall = t0.elapsed();
    let (cpu1, maxrss_kb) = rusage();
    drop(child.stdin.take());
    let mut lines = Vec::new();
    for line in out.lines() {
        lines.push(line?);
    }
    child.wait()?;

    // Ideal bound from the requests the server actually answered.
    let mut per_host: HashMap<usize, Vec<(u64, u64, String)>> = HashMap::new();
    let mut total_ms = 0u64;
    for l in &lines {
        let f: Vec<&str> = l.split(' ').collect();
        let (host, n, start, end) = (
            f[0].parse::<usize>()?,
            f[1].parse::<usize>()?,
            f[2].parse::<u64>()?,
            f[3].parse::<u64>()?,
        );
        let cost = match spec[n].kind {
            Kind::Stall => STALL_DEADLINE_SECS * 1000,
            _ => spec[n].latency_ms,
        };
        total_ms += cost;
        per_host
            .entry(host)
            .or_default()
            .push((start, end, f[4].to_string()));
        let _ = cost;
    }
    let mut chain_ms = 0u64;
    let mut violations = 0usize;
    // Over the per-host concurrency, under the per-host delay, inside a
    // Retry-After hold.
    let mut kinds = [0usize; 3];
    for (h, reqs) in per_host.iter_mut() {
        reqs.sort();
        let cost: u64 = spec
            .iter()
            .enumerate()
            .filter(|(_, s)| s.host == *h)
            .filter(|(n, _)| {
                lines
                    .iter()
                    .any(|l| l.split(' ').nth(1) == Some(&n.to_string()))
            })
            .map(|(_, s)| match s.kind {
                Kind::Stall => STALL_DEADLINE_SECS * 1000,
                _ => s.latency_ms,
            })
            .sum();
        chain_ms = chain_ms.max(cost / PER_HOST as u64);
        // Concurrency per host, minimum delay, and Retry-After holds.
        for (i, (s, _, _)) in reqs.iter().enumerate() {
            let overlapping = reqs[..i].iter().filter(|(_, e, _)| e > s).count();
            if overlapping >= PER_HOST {
                violations += 1;
                kinds[0] += 1;
            }
            if i > 0 && s + DELAY_TOLERANCE_MS < reqs[i - 1].0 + PER_HOST_DELAY_MS {
                if std::env::var_os("BENCH_DEBUG").is_some() {
                    eprintln!("host {h}: start {s} prev {:?}", reqs[i - 1]);
                }
                violations += 1;
                kinds[1] += 1;
            }
            let held = reqs[..i]
                .iter()
                .any(|(_, e, k)| k == "TooMany" && s >= e && *s < e + RETRY_AFTER_SECS * 1000);
            if held {
                if std::env::var_os("BENCH_DEBUG").is_some() {
                    eprintln!(
                        "host {h}: {s} after 429s {:?}",
                        reqs[..i]
                            .iter()
                            .filter(|r| r.2 == "TooMany")
                            .collect::<Vec<_>>()
                    );
                }
                violations += 1;
                kinds[2] += 1;
            }
        }
    }
    let ideal_ms = chain_ms.max(total_ms / concurrency as u64);
    let mut outcomes: HashMap<&str, usize> = HashMap::new();
    for r in &reports {
        *outcomes.entry(r.outcome.as_str()).or_default() += 1;
    }
    let mut outcomes: Vec<_> = outcomes.into_iter().collect();
    outcomes.sort();
    println!(
        "feeds {feeds}, hosts {hosts}, concurrency {concurrency}, per host {PER_HOST} / {PER_HOST_DELAY_MS} ms"
    );
    println!("requests answered by the server: {}", lines.len());
    println!("outcomes: {outcomes:?}");
    println!(
        "wall clock {:.2} s; ideal bound {:.2} s (longest per-host chain {:.2} s, total latency / concurrency {:.2} s); ratio {:.2}",
        wall.as_secs_f64(),
        ideal_ms as f64 / 1000.0,
        chain_ms as f64 / 1000.0,
        (total_ms / concurrency as u64) as f64 / 1000.0,
        wall.as_secs_f64() * 1000.0 / ideal_ms as f64
    );
    println!(
        "polling phase (until the last source was recorded) {:.2} s, ratio {:.2}; then scoring, clustering and indexing {:.2} s",
        last_report.as_secs_f64(),
        last_report.as_secs_f64() * 1000.0 / ideal_ms as f64,
        (wall - last_report).as_secs_f64()
    );
    println!(
        "politeness violations: {violations} (concurrency {}, delay {}, retry-after {})",
        kinds[0], kinds[1], kinds[2]
    );
    println!(
        "CPU {:.2} s (polling phase {:.2} s); peak RSS {:.0} MB",
        (cpu1 - cpu0).as_secs_f64(),
        (cpu_polling.saturating_sub(cpu0)).as_secs_f64(),
        maxrss_kb as f64 / 1024.0
    );
    Ok(())
}
