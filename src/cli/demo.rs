//! `radar demo`: the main job on the bundled offline samples.

use std::path::PathBuf;

use super::{App, bold_marks, nl_date};
use crate::index::Snippet;
use crate::sources;

/// Arguments of `radar demo`.
#[derive(clap::Args)]
pub struct Args {
    /// Folder with the sample source list(s) [default: <sources.dir>/samples]
    #[arg(long, value_name = "DIR")]
    samples: Option<PathBuf>,
}

const QUERIES: &[&str] = &["zij-instromers", "ziekenhuizen"];

pub(super) fn run(app: &App, args: Args, data_given: bool) -> anyhow::Result<u8> {
    let dir = args
        .samples
        .unwrap_or_else(|| app.config.sources.dir.join("samples"));
    let list = sources::load_dir(&dir, true)?;
    if list.is_empty() {
        anyhow::bail!("no sample sources in {}", dir.display());
    }
    // Keep demo data apart from real data unless --data says otherwise.
    let data = if data_given {
        app.config.data_dir.clone()
    } else {
        app.config.data_dir.join("demo")
    };
    println!(
        "radar demo: {} voorbeeldbronnen uit {}\n",
        list.len(),
        dir.display()
    );
    let reports = super::fetch::fetch_sources(app, &data, &list, false)?;
    super::fetch::print_summary(&reports);
    let (store, index) = super::open_data(&data, false, app.config.index.writer_memory_mb)?;
    println!(
        "\n{} artikelen in de index ({})\n",
        index.num_docs(),
        data.display()
    );
    let (b, e) = bold_marks();
    let leads = store.candidates(None, None, app.config.rank.min_score, 5)?;
    println!(
        "Beste kandidaat-Koplopers (score ≥ {}):",
        app.config.rank.min_score
    );
    for c in &leads {
        let reason = c
            .relevance_json
            .as_deref()
            .and_then(|j| serde_json::from_str::<crate::rank::Relevance>(j).ok())
            .map(|r| r.reason)
            .unwrap_or_default();
        println!(
            "  [{:>3.0}] {b}{}{e} ({}, #{})",
            c.article.score.unwrap_or(0.0),
            c.article.title,
            c.article.source_name,
            c.article.id
        );
        println!("        {reason}");
    }
    println!();
    // What the advisors get every morning, as the e-mail they would see.
    let mut opts = crate::digest::Options::from_config(&app.config, chrono::Utc::now());
    opts.since = Some(chrono::DateTime::<chrono::Utc>::UNIX_EPOCH);
    let digest = crate::digest::select(&store, &app.ranker.rules, &opts)?;
    let html = data.join("digest-voorbeeld.html");
    crate::digest::write_atomic(
        &html,
        crate::digest::render::render(&digest, crate::digest::Format::Html).as_bytes(),
    )?;
    println!(
        "Dagelijkse digest (voorbeeld): {} leads in {} thema's, als e-mail: {}\n",
        digest.leads().count(),
        digest.sections.len(),
        html.display()
    );
    for q in QUERIES {
        let (total, results) = super::search::search(&store, &index, q, 3)?;
        println!("Zoeken naar \"{q}\": {total} resultaten");
        for r in results {
            let snippet = Snippet {
                text: r.snippet,
                highlights: r.highlights,
            };
            let published = r.published.as_deref().and_then(crate::import::parse_date);
            println!(
                "  #{:<3} {b}{}{e} ({}, {})",
                r.id,
                r.title,
                r.source,
                nl_date(published)
            );
            println!("       {}", snippet.marked(b, e));
        }
        println!();
    }
    println!(
        "Verder: radar --data {d} candidates --all   ·   radar --data {d} explain <id>   ·   \
         radar --data {d} search <woorden>   ·   radar --data {d} show <id>",
        d = data.display()
    );
    Ok(if reports.iter().any(|r| r.failed()) {
        super::EXIT_SOURCE_ERRORS
    } else {
        0
    })
}
