//! `radar eval --labels FILE.jsonl`: how well the ranking puts leads first.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::App;
use crate::extract::ArticleDraft;
use crate::index::SearchIndex;
use crate::pipeline;
use crate::rank::eval as m;
use crate::store::Store;

/// Arguments of `radar eval`.
#[derive(clap::Args)]
pub struct Args {
    /// Labelled articles: JSONL with `title`, `body`, `label` (0, 1, 2) and
    /// optionally `url`, `source`, `sector`, `region`
    #[arg(long, value_name = "FILE")]
    labels: PathBuf,
    /// Print the metrics as JSON
    #[arg(long)]
    json: bool,
    /// How many worst misses to list
    #[arg(long, default_value_t = 5)]
    misses: usize,
    /// Also measure advisor feedback: flag the leads (label 2) and dismiss
    /// the non-relevant items (label 0) of one half, rank the other half
    /// with and without that feedback (two folds)
    #[arg(long)]
    feedback: bool,
}

#[derive(Deserialize)]
struct Labelled {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    source: Option<String>,
    title: String,
    body: String,
    label: u8,
    #[serde(default)]
    sector: Option<String>,
    #[serde(default)]
    region: Option<String>,
}

/// Ranking metrics for one system.
#[derive(Debug, Clone, Serialize)]
pub struct Metrics {
    /// Average precision of label-2 items.
    pub ap: f64,
    /// nDCG@10 with gains 2^label − 1.
    pub ndcg10: f64,
    /// nDCG@25.
    pub ndcg25: f64,
    /// Share of label 2 in the top 10.
    pub p10: f64,
    /// Share of label 2 in the top 20.
    pub p20: f64,
    /// Share of all label-2 items that rank in the top quarter.
    pub recall_top_quarter: f64,
    /// Label-0 items in the top 10.
    pub zeros_in_top10: usize,
}

fn metrics(ranked: &[u8]) -> Metrics {
    Metrics {
        ap: m::average_precision(ranked, 2),
        ndcg10: m::ndcg_at(ranked, 10),
        ndcg25: m::ndcg_at(ranked, 25),
        p10: m::precision_at(ranked, 10, 2),
        p20: m::precision_at(ranked, 20, 2),
        recall_top_quarter: m::recall_top_quarter(ranked, 2),
        zeros_in_top10: m::count_in_top(ranked, 10, 0),
    }
}

/// One item in the error analysis.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    /// 1-based rank in radar's order.
    pub rank: usize,
    /// Label.
    pub label: u8,
    /// Score.
    pub score: f32,
    /// Title.
    pub title: String,
    /// radar's one-line reason.
    pub reason: String,
}

/// The whole evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Items evaluated.
    pub items: usize,
    /// Items per label 0, 1, 2.
    pub per_label: [usize; 3],
    /// radar's ranking.
    pub radar: Metrics,
    /// BM25 over an OR-query of all theme terms.
    pub baseline: Metrics,
    /// Share of items with a labelled sector that got that sector.
    pub sector_accuracy: Option<f64>,
    /// Share of items with a labelled region that got that region.
    pub region_accuracy: Option<f64>,
    /// Lowest-ranked label-2 items.
    pub missed_leads: Vec<Miss>,
    /// Highest-ranked label-0 items.
    pub false_alarms: Vec<Miss>,
    /// With `--feedback`: the held-out halves ranked without and with
    /// feedback from the other half.
    pub feedback: Option<FeedbackEval>,
}

/// Ranking of held-out items without and with feedback on the others.
#[derive(Debug, Clone, Serialize)]
pub struct FeedbackEval {
    /// Feedback items per fold (flagged, dismissed).
    pub feedback_items: Vec<(usize, usize)>,
    /// Mean over the folds, without feedback.
    pub before: Metrics,
    /// Mean over the folds, with feedback.
    pub after: Metrics,
    /// Held-out items whose rank improved / worsened, over both folds.
    pub moved_up: usize,
    /// See `moved_up`.
    pub moved_down: usize,
}

fn mean_metrics(ms: &[Metrics]) -> Metrics {
    let n = ms.len().max(1) as f64;
    let avg = |f: &dyn Fn(&Metrics) -> f64| ms.iter().map(f).sum::<f64>() / n;
    Metrics {
        ap: avg(&|m| m.ap),
        ndcg10: avg(&|m| m.ndcg10),
        ndcg25: avg(&|m| m.ndcg25),
        p10: avg(&|m| m.p10),
        p20: avg(&|m| m.p20),
        recall_top_quarter: avg(&|m| m.recall_top_quarter),
        zeros_in_top10: (avg(&|m| m.zeros_in_top10 as f64)).round() as usize,
    }
}

/// Two folds by line parity: feedback from one, ranking of the other.
fn feedback_eval(
    store: &Store,
    items: &[Labelled],
    articles: &[crate::store::Article],
) -> anyhow::Result<FeedbackEval> {
    use crate::store::FeedbackItem;
    use crate::triage::State;
    use crate::triage::feedback::{FeedbackModel, adjusted};
    let texts: Vec<String> = articles
        .iter()
        .map(|a| format!("{} {}", a.title, a.text))
        .collect();
    let clusters: Vec<i64> = articles
        .iter()
        .map(|a| Ok(store.cluster_of(a.id)?.unwrap_or(a.id)))
        .collect::<anyhow::Result<_>>()?;
    let (mut before, mut after, mut counts) = (Vec::new(), Vec::new(), Vec::new());
    let (mut up, mut down) = (0, 0);
    for fold in 0..2 {
        let fb: Vec<FeedbackItem> = (0..items.len())
            .filter(|i| i % 2 == fold && items[*i].label != 1)
            .map(|i| FeedbackItem {
                article_id: articles[i].id,
                cluster_id: clusters[i],
                state: if items[i].label == 2 {
                    State::Flagged
                } else {
                    State::Dismissed
                },
                reason: (items[i].label == 0).then(|| "niet relevant".to_string()),
                sector: articles[i].sector.clone(),
                text: texts[i].clone(),
                themes: articles[i].themes.clone(),
            })
            .collect();
        counts.push((
            fb.iter().filter(|f| f.state == State::Flagged).count(),
            fb.iter().filter(|f| f.state == State::Dismissed).count(),
        ));
        let model = FeedbackModel::new(&fb, texts.iter().map(String::as_str));
        let held: Vec<usize> = (0..items.len()).filter(|i| i % 2 != fold).collect();
        let base = |i: usize| articles[i].score.unwrap_or(0.0);
        let adj: Vec<f32> = held
            .iter()
            .map(|&i| {
                let a = model.adjust(
                    articles[i].id,
                    clusters[i],
                    &texts[i],
                    articles[i].sector.as_deref(),
                );
                adjusted(base(i), &a)
            })
            .collect();
        let mut b_order: Vec<usize> = (0..held.len()).collect();
        b_order.sort_by(|&x, &y| base(held[y]).total_cmp(&base(held[x])).then(x.cmp(&y)));
        let mut a_order: Vec<usize> = (0..held.len()).collect();
        a_order.sort_by(|&x, &y| adj[y].total_cmp(&adj[x]).then(x.cmp(&y)));
        let labels =
            |order: &[usize]| -> Vec<u8> { order.iter().map(|&k| items[held[k]].label).collect() };
        before.push(metrics(&labels(&b_order)));
        after.push(metrics(&labels(&a_order)));
        for k in 0..held.len() {
            let rb = b_order.iter().position(|&x| x == k).unwrap_or(0);
            let ra = a_order.iter().position(|&x| x == k).unwrap_or(0);
            match ra.cmp(&rb) {
                std::cmp::Ordering::Less => up += 1,
                std::cmp::Ordering::Greater => down += 1,
                std::cmp::Ordering::Equal => {}
            }
        }
    }
    Ok(FeedbackEval {
        feedback_items: counts,
        before: mean_metrics(&before),
        after: mean_metrics(&after),
        moved_up: up,
        moved_down: down,
    })
}

/// Imports `items` into a fresh store and index in `dir`, scores them and
/// computes the report.
fn evaluate(
    app: &App,
    dir: &std::path::Path,
    items: &[Labelled],
    misses: usize,
    with_feedback: bool,
) -> anyhow::Result<Report> {
    let mut store = Store::open(&dir.join("radar.db"))?;
    let mut index =
        SearchIndex::open(&dir.join("search"), true, app.config.index.writer_memory_mb)?;
    store.ensure_import_source("eval", "Evaluatie")?;
    // One article per line, whatever its URL: labels belong to lines.
    let drafts: Vec<ArticleDraft> = items
        .iter()
        .enumerate()
        .map(|(i, l)| {
            ArticleDraft::new(
                Some(format!("line-{}", i + 1)),
                l.url.clone(),
                &l.title,
                None,
                None,
                None,
                crate::extract::html::to_text(&l.body),
            )
        })
        .collect();
    store.upsert_articles("eval", &drafts)?;
    pipeline::process_pending(&mut store, &mut index, &app.ranker)?;
    let ids: Vec<i64> = (1..=items.len() as i64).collect();
    let articles = store.articles(&ids)?;
    anyhow::ensure!(articles.len() == items.len(), "eval store lost items");

    // radar: by score, ties by input order.
    let mut order: Vec<usize> = (0..items.len()).collect();
    let score = |i: usize| articles[i].score.unwrap_or(0.0);
    order.sort_by(|&a, &b| score(b).total_cmp(&score(a)).then(a.cmp(&b)));
    let radar_ranked: Vec<u8> = order.iter().map(|&i| items[i].label).collect();

    // baseline: BM25 on an OR of every theme term; unmatched items last.
    let query = app
        .ranker
        .rules
        .term_texts()
        .iter()
        .map(|t| {
            if t.contains(' ') {
                format!("\"{}\"", t.replace('"', ""))
            } else {
                t.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" OR ");
    let q = index.parse(&query);
    let hits = index.search(&q, items.len(), 0)?;
    let mut base_order: Vec<usize> = hits.iter().map(|h| (h.id - 1) as usize).collect();
    for i in 0..items.len() {
        if !base_order.contains(&i) {
            base_order.push(i);
        }
    }
    let base_ranked: Vec<u8> = base_order.iter().map(|&i| items[i].label).collect();

    let accuracy = |want: &dyn Fn(&Labelled) -> Option<&String>,
                    got: &dyn Fn(usize) -> Option<String>| {
        let judged: Vec<usize> = (0..items.len())
            .filter(|&i| want(&items[i]).is_some())
            .collect();
        (!judged.is_empty()).then(|| {
            let right = judged
                .iter()
                .filter(|&&i| {
                    let w = want(&items[i]).map(|s| s.to_lowercase());
                    let g = got(i).map(|s| s.to_lowercase());
                    w == g
                })
                .count();
            right as f64 / judged.len() as f64
        })
    };
    let reason = |i: usize| -> String {
        store
            .relevance(articles[i].id)
            .ok()
            .flatten()
            .and_then(|j| serde_json::from_str::<crate::rank::Relevance>(&j).ok())
            .map(|r| r.reason)
            .unwrap_or_default()
    };
    let miss = |rank: usize, i: usize| Miss {
        rank: rank + 1,
        label: items[i].label,
        score: score(i),
        title: items[i].title.clone(),
        reason: reason(i),
    };
    let missed_leads: Vec<Miss> = order
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, i)| items[**i].label == 2)
        .take(misses)
        .map(|(r, &i)| miss(r, i))
        .collect();
    let false_alarms: Vec<Miss> = order
        .iter()
        .enumerate()
        .filter(|(_, i)| items[**i].label == 0)
        .take(misses)
        .map(|(r, &i)| miss(r, i))
        .collect();
    let mut per_label = [0usize; 3];
    for l in items {
        per_label[l.label.min(2) as usize] += 1;
    }
    let feedback = if with_feedback {
        Some(feedback_eval(&store, items, &articles)?)
    } else {
        None
    };
    Ok(Report {
        feedback,
        items: items.len(),
        per_label,
        radar: metrics(&radar_ranked),
        baseline: metrics(&base_ranked),
        sector_accuracy: accuracy(&|l| l.sector.as_ref(), &|i| articles[i].sector.clone()),
        region_accuracy: accuracy(&|l| l.region.as_ref(), &|i| articles[i].region.clone()),
        missed_leads,
        false_alarms,
    })
}

/// Reads a labelled JSONL file; a bad line is an error naming the line.
fn read_labels(path: &std::path::Path) -> anyhow::Result<Vec<Labelled>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let l: Labelled = serde_json::from_str(line)
            .map_err(|e| anyhow::anyhow!("{}:{}: {e}", path.display(), n + 1))?;
        anyhow::ensure!(
            l.label <= 2,
            "{}:{}: label must be 0, 1 or 2",
            path.display(),
            n + 1
        );
        let _ = &l.source;
        out.push(l);
    }
    anyhow::ensure!(!out.is_empty(), "{} has no labelled items", path.display());
    Ok(out)
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    let items = read_labels(&args.labels)?;
    let dir = tempfile::tempdir()?;
    let report = evaluate(app, dir.path(), &items, args.misses, args.feedback)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(0);
    }
    println!(
        "{} items (label 0: {}, 1: {}, 2: {}); themes: {}\n",
        report.items,
        report.per_label[0],
        report.per_label[1],
        report.per_label[2],
        app.ranker.origin
    );
    println!("{:<28} {:>8} {:>10}", "metric", "radar", "baseline");
    let rows: [(&str, f64, f64); 6] = [
        ("average precision (2)", report.radar.ap, report.baseline.ap),
        ("nDCG@10", report.radar.ndcg10, report.baseline.ndcg10),
        ("nDCG@25", report.radar.ndcg25, report.baseline.ndcg25),
        ("P@10 (2)", report.radar.p10, report.baseline.p10),
        ("P@20 (2)", report.radar.p20, report.baseline.p20),
        (
            "recall of 2s in top 25%",
            report.radar.recall_top_quarter,
            report.baseline.recall_top_quarter,
        ),
    ];
    for (name, a, b) in rows {
        println!("{name:<28} {a:>8.3} {b:>10.3}");
    }
    println!(
        "{:<28} {:>8} {:>10}",
        "label-0 items in top 10", report.radar.zeros_in_top10, report.baseline.zeros_in_top10
    );
    if let Some(a) = report.sector_accuracy {
        println!("\nsector accuracy: {a:.3}");
    }
    if let Some(a) = report.region_accuracy {
        println!("region accuracy: {a:.3}");
    }
    if let Some(f) = &report.feedback {
        println!(
            "\nAdvisor feedback (2 folds by line parity; flagged/dismissed per fold: {:?}):",
            f.feedback_items
        );
        println!("{:<28} {:>8} {:>10}", "held-out half", "before", "after");
        let rows: [(&str, f64, f64); 4] = [
            ("average precision (2)", f.before.ap, f.after.ap),
            ("nDCG@10", f.before.ndcg10, f.after.ndcg10),
            ("P@10 (2)", f.before.p10, f.after.p10),
            (
                "recall of 2s in top 25%",
                f.before.recall_top_quarter,
                f.after.recall_top_quarter,
            ),
        ];
        for (name, a, b) in rows {
            println!("{name:<28} {a:>8.3} {b:>10.3}");
        }
        println!(
            "{:<28} {:>8} {:>10}",
            "label-0 items in top 10", f.before.zeros_in_top10, f.after.zeros_in_top10
        );
        println!("items moved up {}, down {}", f.moved_up, f.moved_down);
    }
    println!("\nLowest-ranked leads (label 2):");
    for x in &report.missed_leads {
        println!(
            "  #{:<4} [{:>3.0}] {} — {}",
            x.rank, x.score, x.title, x.reason
        );
    }
    println!("\nHighest-ranked non-leads (label 0):");
    for x in &report.false_alarms {
        println!(
            "  #{:<4} [{:>3.0}] {} — {}",
            x.rank, x.score, x.title, x.reason
        );
    }
    Ok(0)
}
