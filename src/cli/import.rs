//! `radar import --jsonl FILE`.

use std::io::BufReader;
use std::path::PathBuf;

use super::App;
use crate::import::import_jsonl;
use crate::pipeline::process_pending;

/// Arguments of `radar import`.
#[derive(clap::Args)]
pub struct Args {
    /// JSONL file, one article per line
    #[arg(long, value_name = "FILE")]
    jsonl: PathBuf,
    /// Print the report as JSON
    #[arg(long)]
    json: bool,
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    let file = std::fs::File::open(&args.jsonl)
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", args.jsonl.display()))?;
    // One writer per data directory (also against a running `radar run`).
    let _lock = crate::lock::DataLock::acquire(&app.config.data_dir)?;
    let (mut store, mut index) = app.open(true)?;
    let report = import_jsonl(&mut store, BufReader::new(file))?;
    let indexed = process_pending(&mut store, &mut index, &app.ranker)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for e in &report.errors {
            eprintln!("{}:{}: {}", args.jsonl.display(), e.line, e.message);
        }
        println!(
            "{} regels gelezen: {} nieuw, {} bijgewerkt, {} ongewijzigd, {} overgeslagen; {} geïndexeerd",
            report.lines,
            report.stats.new,
            report.stats.updated,
            report.stats.unchanged,
            report.errors.len(),
            indexed
        );
    }
    Ok(0)
}
