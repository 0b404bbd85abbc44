//! `radar fetch`: one pass over the enabled sources.

use indicatif::{ProgressBar, ProgressStyle};

use super::{App, EXIT_SOURCE_ERRORS, interactive};
use crate::fetch::Fetcher;
use crate::lock::DataLock;
use crate::pipeline::{self, Cycle, SourceReport};
use crate::schedule::Planner;
use crate::sources::{self, Source};

/// Arguments of `radar fetch`.
#[derive(clap::Args)]
pub struct Args {
    /// Only this source (repeatable)
    #[arg(long = "source", value_name = "ID")]
    sources: Vec<String>,
    /// Print the per-source reports as JSON
    #[arg(long)]
    json: bool,
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    let all = sources::load_dir(&app.config.sources.dir, app.config.sources.allow_files)?;
    let chosen = select(&all, &args.sources)?;
    let reports = fetch_sources(app, &app.config.data_dir, &chosen, !args.json)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        print_summary(&reports);
    }
    Ok(if reports.iter().any(SourceReport::failed) {
        EXIT_SOURCE_ERRORS
    } else {
        0
    })
}

/// The sources named in `ids` (all when empty); unknown ids are an error.
pub(super) fn select(all: &[Source], ids: &[String]) -> anyhow::Result<Vec<Source>> {
    if ids.is_empty() {
        return Ok(all.to_vec());
    }
    ids.iter()
        .map(|id| {
            all.iter()
                .find(|s| &s.id == id)
                .cloned()
                .ok_or_else(|| anyhow::anyhow!("unknown source id `{id}` (see `radar sources`)"))
        })
        .collect()
}

/// Runs the pipeline over `sources` with a progress bar (on a terminal) or
/// one line per source (otherwise, unless `lines` is false).
pub(super) fn fetch_sources(
    app: &App,
    data_dir: &std::path::Path,
    sources: &[Source],
    lines: bool,
) -> anyhow::Result<Vec<SourceReport>> {
    // One writer per data directory, also against a running `radar run`.
    let _lock = DataLock::acquire(data_dir)?;
    let (mut store, mut index) =
        super::open_data(data_dir, true, app.config.index.writer_memory_mb)?;
    let planner = Planner::new(&app.config.schedule).map_err(anyhow::Error::msg)?;
    let fetcher = Fetcher::new(&app.config.fetch).map_err(anyhow::Error::msg)?;
    let bar = (interactive() && lines).then(|| {
        let b = ProgressBar::new(sources.iter().filter(|s| s.enabled).count() as u64);
        b.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} bronnen  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // Every chosen source is fetched now, schedules or not; their next
    // due times are recorded so a following `radar run` does not re-poll.
    let cycle = Cycle {
        concurrency: app.config.fetch.concurrency,
        planner: Some(&planner),
        health: app.config.health.clone(),
        stop: None,
        grace: std::time::Duration::from_secs(app.config.run.shutdown_grace_secs),
        extract: app.config.extract.clone(),
    };
    let reports = rt.block_on(pipeline::refresh_cycle(
        &mut store,
        &mut index,
        &app.ranker,
        &fetcher,
        sources,
        &cycle,
        |r| match &bar {
            Some(b) => {
                b.set_message(r.source.clone());
                b.inc(1);
            }
            None if lines => eprintln!("{}: {}", r.source, r.outcome),
            None => {}
        },
    ))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(reports)
}

pub(super) fn print_summary(reports: &[SourceReport]) {
    println!(
        "{:<24} {:>6} {:>11} {:>11}  resultaat",
        "bron", "nieuw", "bijgewerkt", "ongewijzigd"
    );
    for r in reports {
        let outcome = match &r.error {
            Some(e) => format!("MISLUKT ({}): {e}", r.outcome),
            None => match r.outcome.as_str() {
                "not_modified" => "niet gewijzigd (304)".to_string(),
                "unchanged" => "zelfde inhoud als vorige keer".to_string(),
                "deferred" => "uitgesteld: de site vraagt ons te wachten".to_string(),
                _ => "ok".to_string(),
            },
        };
        println!(
            "{:<24} {:>6} {:>11} {:>11}  {outcome}",
            r.source, r.new, r.updated, r.unchanged
        );
    }
    let failed = reports.iter().filter(|r| r.failed()).count();
    let new: usize = reports.iter().map(|r| r.new).sum();
    println!(
        "\n{} bronnen gelezen, {} nieuwe artikelen, {} bronnen mislukt",
        reports.len(),
        new,
        failed
    );
}
