//! Scoring benchmark (not a test): how long `rank::score` takes per article,
//! plus the JSON of the explanation as the pipeline stores it.
//!
//! ```text
//! CARGO_TARGET_DIR=/work/target-release cargo run --release --example score_bench \
//!     [-- --articles 20000 --runs 3 --dump /tmp/scores.tsv]
//! ```
//!
//! Scores (a) `--articles` synthetic articles of the bench generator (seed 33)
//! and (b) the labelled dev set (`RADAR_SHARED`/corpus/labelled/dev.jsonl,
//! default ../shared relative to the repository; skipped with a message when
//! absent). Prints ms per article (best of `--runs`), the first article's time
//! and peak RSS. `--dump FILE` writes one line per article (set, number,
//! score, sector, region, themes, relevance JSON) so two builds can be compared
//! byte for byte with `cmp`; a hash of those lines is always printed.

use std::hash::Hasher;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use radar::bench::synth::Generator;
use radar::rank::text::split_sentences;
use radar::rank::{ArticleInput, Relevance, Rules, score};

struct Input {
    title: String,
    lead: String,
    body: String,
    tags: Vec<String>,
}

/// Same lead as tests/rank_eval_dev.rs: the first two sentences of the body.
fn lead_of(body: &str) -> String {
    let s = split_sentences(body);
    match s.get(1).or(s.first()) {
        Some(&(_, e)) => body[..e].to_string(),
        None => String::new(),
    }
}

fn dev_set() -> Option<Vec<Input>> {
    let shared = std::env::var_os("RADAR_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"));
    let path = shared.join("corpus/labelled/dev.jsonl");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!(
                "score_bench: skipping the dev set ({}: {e})",
                path.display()
            );
            return None;
        }
    };
    let mut out = Vec::new();
    for l in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(l).ok()?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let body = s("body");
        out.push(Input {
            title: s("title"),
            lead: lead_of(&body),
            body,
            tags: vec![],
        });
    }
    Some(out)
}

fn synthetic(n: usize) -> Vec<Input> {
    let mut g = Generator::new(33);
    (0..n)
        .map(|i| {
            let a = g.next_article();
            // a few source tags, as feeds with a region carry them
            let tags = if i % 7 == 0 {
                vec!["region:noord-brabant".to_string()]
            } else {
                vec![]
            };
            Input {
                title: a.title,
                lead: a.summary,
                body: a.body,
                tags,
            }
        })
        .collect()
}

/// CPU time of this thread (steadier than the wall clock on a shared machine).
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn score_one(rules: &Rules, a: &Input) -> Relevance {
    score(
        rules,
        &ArticleInput {
            title: &a.title,
            lead: &a.lead,
            body: &a.body,
            source_tags: &a.tags,
        },
    )
}

/// What the pipeline stores for one article, as one line.
fn row(set: &str, i: usize, r: &Relevance) -> String {
    let themes: Vec<String> = r
        .themes
        .iter()
        .filter(|t| t.contribution > 0.0)
        .map(|t| format!("{}={}", t.id, t.contribution))
        .collect();
    format!(
        "{set}\t{i}\t{}\t{}\t{}\t{}\t{}\n",
        r.score,
        r.sector.as_deref().unwrap_or("-"),
        r.region.as_deref().unwrap_or("-"),
        themes.join(","),
        serde_json::to_string(r).unwrap_or_default()
    )
}

fn run_set(
    name: &str,
    rules: &Rules,
    items: &[Input],
    runs: usize,
    dump: &mut Option<std::fs::File>,
) {
    if items.is_empty() {
        return;
    }
    let mut best = Duration::MAX;
    let mut best_cpu = Duration::MAX;
    let mut best_json = Duration::MAX;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let c = thread_cpu();
        let rels: Vec<Relevance> = items.iter().map(|a| score_one(rules, a)).collect();
        best_cpu = best_cpu.min(thread_cpu() - c);
        best = best.min(t.elapsed());
        let t = Instant::now();
        let bytes: usize = rels
            .iter()
            .map(|r| serde_json::to_string(r).unwrap_or_default().len())
            .sum();
        std::hint::black_box(bytes);
        best_json = best_json.min(t.elapsed());
    }
    let rels: Vec<Relevance> = items.iter().map(|a| score_one(rules, a)).collect();
    let mut h = rustc_hash::FxHasher::default();
    for (i, r) in rels.iter().enumerate() {
        let line = row(name, i, r);
        h.write(line.as_bytes());
        if let Some(f) = dump.as_mut() {
            f.write_all(line.as_bytes()).expect("write dump");
        }
    }
    let words: usize = items
        .iter()
        .map(|a| {
            a.title.split_whitespace().count()
                + a.lead.split_whitespace().count()
                + a.body.split_whitespace().count()
        })
        .sum();
    let ms = best.as_secs_f64() * 1000.0 / items.len() as f64;
    let ms_json = best_json.as_secs_f64() * 1000.0 / items.len() as f64;
    let ms_cpu = best_cpu.as_secs_f64() * 1000.0 / items.len() as f64;
    println!(
        "{name:<10} {:>6} articles, {:>4} words/article: score {ms:.4} ms/article \
         (CPU {ms_cpu:.4}), + JSON {ms_json:.4} ms/article; rows hash {:016x}",
        items.len(),
        words / items.len(),
        h.finish()
    );
}

fn main() {
    let mut n = 20_000usize;
    let mut runs = 3usize;
    let mut dump_path: Option<PathBuf> = None;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--articles" => n = v.parse().expect("--articles N"),
            "--runs" => runs = v.parse().expect("--runs N"),
            "--dump" => dump_path = Some(PathBuf::from(v)),
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    let rules = Rules::builtin();
    let synth = synthetic(n);
    let dev = dev_set();
    let mut dump = dump_path.map(|p| std::fs::File::create(p).expect("create dump file"));

    // first article on a fresh thread: what a cold start costs
    let first = std::thread::scope(|s| {
        s.spawn(|| {
            let t = Instant::now();
            std::hint::black_box(score_one(&rules, &synth[0]));
            t.elapsed()
        })
        .join()
        .expect("first article")
    });
    println!(
        "first article on a fresh thread: {:.3} ms",
        first.as_secs_f64() * 1000.0
    );
    run_set("synthetic", &rules, &synth, runs, &mut dump);
    fresh_threads(&rules, &synth, 500);
    fresh_threads(&rules, &synth, 5000);
    if let Some(dev) = dev {
        run_set("dev", &rules, &dev, runs.max(20), &mut dump);
    }
    if let Some(rss) = radar::bench::peak_rss() {
        println!("peak RSS {:.1} MB", rss as f64 / 1e6);
    }
    memo_growth(&rules);
}

/// Scoring in chunks of `chunk` articles, each on a new thread (as a
/// batch split over scoped threads does): every chunk starts with an empty
/// word memo.
fn fresh_threads(rules: &Rules, items: &[Input], chunk: usize) {
    let t = Instant::now();
    for part in items.chunks(chunk) {
        std::thread::scope(|s| {
            s.spawn(|| {
                for a in part {
                    std::hint::black_box(score_one(rules, a));
                }
            });
        });
    }
    println!(
        "synthetic, a new thread per {chunk} articles: score {:.4} ms/article (wall)",
        t.elapsed().as_secs_f64() * 1000.0 / items.len() as f64
    );
}

/// What the per-thread word memo costs at its bound: score articles made of
/// distinct invented words (300,000 of them, past the 50,000-form bound)
/// on a fresh thread and report how the resident memory grew.
fn memo_growth(rules: &Rules) {
    let rss = || radar::bench::current_rss().unwrap_or(0) as f64 / 1e6;
    std::thread::scope(|s| {
        s.spawn(|| {
            let before = rss();
            let mut rng = radar::bench::synth::Rng::new(7);
            let mut max_growth = 0f64;
            for _ in 0..300 {
                let body: Vec<String> = (0..1000)
                    .map(|_| {
                        (0..rng.range(5, 14))
                            .map(|_| (b'a' + rng.below(26) as u8) as char)
                            .collect()
                    })
                    .collect();
                let body = body.join(" ");
                std::hint::black_box(score(
                    rules,
                    &ArticleInput {
                        title: "",
                        lead: "",
                        body: &body,
                        source_tags: &[],
                    },
                ));
                max_growth = max_growth.max(rss() - before);
            }
            println!(
                "word memo: 300,000 distinct words on one thread: resident memory grew \
                 by at most {max_growth:.1} MB (bound: 50,000 forms per thread)"
            );
        });
    });
}
