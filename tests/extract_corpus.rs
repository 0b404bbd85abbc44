//! Corpus evaluation of the article extractor with the article-extraction
//! benchmark's own metric (per page: multisets of 4-token shingles of the
//! article body, TP/FP/FN normalised per page; precision and recall averaged
//! over pages; F1 from the two averages), on the benchmark's pages and on
//! Mozilla Readability's test pages. The pages are third-party material and
//! are read from ../shared/corpus/real/pages at test time, never copied.
//!
//! Split: benchmark pages whose id starts with 0-b are the development set,
//! c-f the holdout; readability cases by a hash of their name (a quarter
//! held out). Until 2026-11-28 the split was 0-7 / 8-f and half of the
//! readability cases; the dev half had stopped showing new failure modes,
//! so 8-b and a quarter of readability were moved to development.

use radar::extract::article::{ExtractError, Limits, extract};
use std::time::{Duration, Instant};

fn evaluate(pages: &[corpus::Page]) -> Vec<(String, usize, (f64, f64, f64))> {
    let limits = Limits::default();
    let mut groups: std::collections::BTreeMap<String, Vec<(f64, f64, f64)>> = Default::default();
    let mut worst_dev = Vec::new();
    for p in pages {
        let text = extract(&p.html, p.url.as_deref(), &limits)
            .map(|e| e.text)
            .unwrap_or_default();
        let t = metric::tp_fp_fn(&p.truth, &text);
        if !p.holdout {
            let f = metric::aggregate(&[t]).2;
            worst_dev.push((f, format!("{} {}", p.set, p.id)));
        }
        let split = if p.holdout { "holdout" } else { "dev" };
        groups
            .entry(format!("{} {split}", p.set))
            .or_default()
            .push(t);
        groups.entry(format!("{} all", p.set)).or_default().push(t);
    }
    // Only development pages are listed by name; holdout pages stay unseen.
    worst_dev.sort_by(|a, b| a.0.total_cmp(&b.0));
    // RADAR_WEAKEST=N lists the N weakest development pages (default 5).
    let n = std::env::var("RADAR_WEAKEST")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    for (f, id) in worst_dev.iter().take(n) {
        println!("weakest dev page: F1={f:.3} {id}");
    }
    groups
        .into_iter()
        .map(|(g, v)| (g, v.len(), metric::aggregate(&v)))
        .collect()
}

#[test]
fn corpus_f1_floors() {
    let Some(root) = corpus::corpus_root() else {
        println!("SKIPPED: ../shared/corpus/real/pages not found");
        return;
    };
    let pages = corpus::load(&root);
    if pages.is_empty() {
        println!("SKIPPED: no pages under {}", root.display());
        return;
    }
    let results = evaluate(&pages);
    for (g, n, (p, r, f)) in &results {
        println!("{g:<20} pages={n:<4} precision={p:.4} recall={r:.4} F1={f:.4}");
    }
    // Floors: the values measured on 2026-11-28 (fourth session, split
    // 0-b / c-f) minus about 0.004 (aeb: dev 0.9831, holdout 0.9490, all
    // 0.9734; readability, reference text by block_text: dev 0.9628,
    // holdout 0.9799 on 6 pages, all 0.9665).
    let floors = [
        ("aeb dev", 0.979),
        ("aeb holdout", 0.945),
        ("aeb all", 0.969),
        ("readability dev", 0.958),
        ("readability holdout", 0.975),
        ("readability all", 0.962),
    ];
    for (group, floor) in floors {
        if let Some((_, n, (_, _, f))) = results.iter().find(|(g, _, _)| g == group) {
            if *n >= 10 {
                assert!(*f >= floor, "{group}: F1 {f:.4} below floor {floor}");
            }
        }
    }
}

/// Throughput against parse-only, per core (run with
/// `cargo test --release --test extract_corpus -- --ignored --nocapture`).
#[test]
#[ignore]
fn throughput_vs_parse_only() {
    let Some(root) = corpus::corpus_root() else {
        println!("SKIPPED: ../shared/corpus/real/pages not found");
        return;
    };
    let pages = corpus::load(&root);
    let bytes: usize = pages.iter().map(|p| p.html.len()).sum();
    let limits = Limits {
        time_budget: Duration::from_secs(60),
        ..Limits::default()
    };
    let rounds = 3;
    let mut parse = Duration::MAX;
    let mut full = Duration::MAX;
    for _ in 0..rounds {
        let t = Instant::now();
        for p in &pages {
            let d = scraper::Html::parse_document(&p.html);
            std::hint::black_box(d);
        }
        parse = parse.min(t.elapsed());
        let t = Instant::now();
        for p in &pages {
            std::hint::black_box(extract(&p.html, p.url.as_deref(), &limits).ok());
        }
        full = full.min(t.elapsed());
    }
    let mb = bytes as f64 / 1e6;
    println!(
        "pages={} MB={mb:.1} parse-only {:.1} MB/s ({:.2} ms/page), extract {:.1} MB/s ({:.2} ms/page), ratio {:.2}",
        pages.len(),
        mb / parse.as_secs_f64(),
        parse.as_secs_f64() * 1e3 / pages.len() as f64,
        mb / full.as_secs_f64(),
        full.as_secs_f64() * 1e3 / pages.len() as f64,
        parse.as_secs_f64() / full.as_secs_f64()
    );
    for (name, html) in [
        (
            "100k nested divs",
            format!("{}x{}", "<div>".repeat(100_000), "</div>".repeat(100_000)),
        ),
        (
            "40k nested blockquotes",
            format!(
                "{}x{}",
                "<blockquote>".repeat(40_000),
                "</blockquote>".repeat(40_000)
            ),
        ),
        ("1M <p>", "<p>ab".repeat(1_000_000)),
        (
            "2000 nested divs (flattened)",
            format!(
                "{}<p>{}</p>{}",
                "<div>".repeat(2000),
                "woord ".repeat(50),
                "</div>".repeat(2000)
            ),
        ),
    ] {
        let t = Instant::now();
        let r = extract(&html, None, &Limits::default());
        let kind = match &r {
            Ok(_) => "Ok".to_string(),
            Err(ExtractError::TooLarge { .. }) => "TooLarge".into(),
            Err(e) => format!("{e:?}"),
        };
        println!("{name:<30} {kind:<12} {:?}", t.elapsed());
    }
}

mod metric {
    // Shingle metric of the article-extraction benchmark, re-implemented from its
    // description: tokens are runs of word characters (Unicode alphanumerics and
    // `_`), 4-token shingles as multisets, per-page TP/FP/FN normalised to sum 1,
    // precision and recall averaged over pages, F1 from the two averages.
    use std::collections::HashMap;

    pub fn tokens(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices() {
            let w = c.is_alphanumeric() || c == '_';
            match (w, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    out.push(&text[s..i]);
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            out.push(&text[s..]);
        }
        out
    }

    fn shingles(text: &str) -> HashMap<Vec<&str>, usize> {
        let t = tokens(text);
        let mut m = HashMap::new();
        let n = 4;
        let count = if t.len() >= n { t.len() - n + 1 } else { 1 };
        for i in 0..count {
            let s: Vec<&str> = t[i..(i + n).min(t.len())].to_vec();
            if !s.is_empty() {
                *m.entry(s).or_insert(0) += 1;
            }
        }
        m
    }

    /// Normalised (tp, fp, fn) for one page.
    pub fn tp_fp_fn(truth: &str, pred: &str) -> (f64, f64, f64) {
        let a = shingles(truth);
        let b = shingles(pred);
        let (mut tp, mut fp, mut fneg) = (0f64, 0f64, 0f64);
        for (k, &tc) in &a {
            let pc = b.get(k).copied().unwrap_or(0);
            tp += tc.min(pc) as f64;
            fneg += tc.saturating_sub(pc) as f64;
        }
        for (k, &pc) in &b {
            let tc = a.get(k).copied().unwrap_or(0);
            fp += pc.saturating_sub(tc) as f64;
        }
        let s = tp + fp + fneg;
        if s > 0.0 {
            (tp / s, fp / s, fneg / s)
        } else {
            (0.0, 0.0, 0.0)
        }
    }

    pub fn page_precision(t: (f64, f64, f64)) -> Option<f64> {
        let (tp, fp, fneg) = t;
        if tp + fp <= 0.0 {
            return None;
        }
        Some(if fp == 0.0 && fneg == 0.0 {
            1.0
        } else {
            tp / (tp + fp)
        })
    }

    pub fn page_recall(t: (f64, f64, f64)) -> Option<f64> {
        let (tp, fp, fneg) = t;
        if tp + fneg <= 0.0 {
            return None;
        }
        Some(if fp == 0.0 && fneg == 0.0 {
            1.0
        } else {
            tp / (tp + fneg)
        })
    }

    /// (precision, recall, f1) over pages, as the benchmark aggregates them.
    pub fn aggregate(pages: &[(f64, f64, f64)]) -> (f64, f64, f64) {
        let ps: Vec<f64> = pages.iter().filter_map(|&t| page_precision(t)).collect();
        let rs: Vec<f64> = pages.iter().filter_map(|&t| page_recall(t)).collect();
        let p = if ps.is_empty() {
            0.0
        } else {
            ps.iter().sum::<f64>() / ps.len() as f64
        };
        let r = if rs.is_empty() {
            0.0
        } else {
            rs.iter().sum::<f64>() / rs.len() as f64
        };
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    }
}

mod corpus {
    // Loads the third-party page sets from disk (never copied into the project).
    use std::io::Read;
    use std::path::{Path, PathBuf};

    pub struct Page {
        pub set: &'static str, // "aeb" or "readability"
        pub id: String,
        pub holdout: bool,
        pub url: Option<String>,
        pub html: String,
        pub truth: String,
    }

    pub fn corpus_root() -> Option<PathBuf> {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real/pages");
        if p.is_dir() {
            return Some(p);
        }
        let alt = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/real/pages");
        if alt.is_dir() { Some(alt) } else { None }
    }

    /// Deterministic split: first hex digit of the id 0-b → dev, c-f → holdout.
    /// Readability cases: FNV-1a of the name, 3 mod 4 → holdout, else dev.
    fn holdout_of(id: &str, set: &str) -> bool {
        if set == "aeb" {
            let c = id.chars().next().unwrap_or('0');
            c.to_digit(16).unwrap_or(0) >= 0xc
        } else {
            let mut h: u32 = 0x811c9dc5;
            for b in id.bytes() {
                h ^= b as u32;
                h = h.wrapping_mul(0x01000193);
            }
            h % 4 == 3
        }
    }

    /// The text of an expected-output fragment: inline elements join
    /// without a space (`<span>一波</span><span>波</span>` is one word, as
    /// a reader sees it), block elements are separated by a line break.
    fn block_text(doc: &scraper::Html) -> String {
        fn walk(node: ego_tree::NodeRef<'_, scraper::Node>, out: &mut String) {
            match node.value() {
                scraper::Node::Text(t) => out.push_str(t),
                scraper::Node::Element(e) => {
                    let block = matches!(
                        e.name(),
                        "p" | "div"
                            | "li"
                            | "ul"
                            | "ol"
                            | "h1"
                            | "h2"
                            | "h3"
                            | "h4"
                            | "h5"
                            | "h6"
                            | "br"
                            | "tr"
                            | "td"
                            | "th"
                            | "table"
                            | "blockquote"
                            | "pre"
                            | "figure"
                            | "figcaption"
                            | "section"
                            | "article"
                            | "header"
                            | "footer"
                            | "dl"
                            | "dt"
                            | "dd"
                            | "hr"
                            | "img"
                    );
                    if block {
                        out.push('\n');
                    }
                    for c in node.children() {
                        walk(c, out);
                    }
                    if block {
                        out.push('\n');
                    }
                }
                _ => {
                    for c in node.children() {
                        walk(c, out);
                    }
                }
            }
        }
        let mut out = String::new();
        walk(doc.tree.root(), &mut out);
        out
    }

    pub fn load(root: &Path) -> Vec<Page> {
        let mut pages = Vec::new();
        let aeb = root.join("article-extraction-benchmark");
        if let Ok(rd) = std::fs::read_dir(&aeb) {
            let mut dirs: Vec<_> = rd.flatten().filter(|e| e.path().is_dir()).collect();
            dirs.sort_by_key(|e| e.file_name());
            for e in dirs {
                let id = e.file_name().to_string_lossy().to_string();
                let gz = e.path().join(format!("{id}.html.gz"));
                let Ok(f) = std::fs::File::open(&gz) else {
                    continue;
                };
                let mut html = String::new();
                if flate2::read::GzDecoder::new(f)
                    .read_to_string(&mut html)
                    .is_err()
                {
                    continue;
                }
                let Ok(j) = std::fs::read_to_string(e.path().join("expected.json")) else {
                    continue;
                };
                let v: serde_json::Value = serde_json::from_str(&j).unwrap();
                let truth = v["articleBody"].as_str().unwrap_or("").to_string();
                let url = v["url"].as_str().map(|s| s.to_string());
                let holdout = holdout_of(&id, "aeb");
                pages.push(Page {
                    set: "aeb",
                    id,
                    holdout,
                    url,
                    html,
                    truth,
                });
            }
        }
        let rb = root.join("readability");
        if let Ok(rd) = std::fs::read_dir(&rb) {
            let mut dirs: Vec<_> = rd.flatten().filter(|e| e.path().is_dir()).collect();
            dirs.sort_by_key(|e| e.file_name());
            for e in dirs {
                let id = e.file_name().to_string_lossy().to_string();
                let Ok(html) = std::fs::read_to_string(e.path().join("source.html")) else {
                    continue;
                };
                let Ok(exp) = std::fs::read_to_string(e.path().join("expected.html")) else {
                    continue;
                };
                let truth = block_text(&scraper::Html::parse_fragment(&exp));
                let holdout = holdout_of(&id, "readability");
                let url = Some(format!("http://fakehost/test/{id}/"));
                pages.push(Page {
                    set: "readability",
                    id,
                    holdout,
                    url,
                    html,
                    truth,
                });
            }
        }
        pages
    }
}

/// `radar sources detect` and "Bron toevoegen" read a page without a feed
/// as a news list when they recognise one; an article page with a few
/// links to other stories must not be taken for one.
#[test]
fn article_pages_are_not_taken_for_news_lists() {
    let Some(root) = corpus::corpus_root() else {
        println!("SKIPPED: ../shared/corpus/real/pages not found");
        return;
    };
    let pages = corpus::load(&root);
    let taken: Vec<String> = pages
        .iter()
        .filter_map(|p| {
            let url = p.url.as_deref().unwrap_or("https://example.org/artikel/1");
            radar::intake::detect::detect_list(&p.html, url)
                .map(|d| format!("{} ({} stories by {:?})", url, d.items.len(), d.rules.items))
        })
        .collect();
    println!(
        "article pages taken for news lists: {} of {}",
        taken.len(),
        pages.len()
    );
    for t in &taken {
        println!("  {t}");
    }
    // Measured: 2 of 144 on 2026-11-28 (a paywalled and a breaking-news
    // page with short texts under long headline lists), 0 of 144 since
    // 2026-12-06 (a page with og:type=article needs 40 words of its own,
    // not 100). The floor leaves room for one page in a hundred.
    assert!(
        taken.len() * 100 <= pages.len(),
        "{} of {} article pages taken for news lists",
        taken.len(),
        pages.len()
    );
}
