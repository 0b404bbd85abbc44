//! `radar backup DEST`: a consistent copy of the store, safe while `radar
//! run` or `radar serve` write (see [`crate::store::Store::backup_to`]).
//! Restore: stop radar, put the copy in place as `<data>/radar.db`, run
//! `radar reindex`.

use std::path::PathBuf;

use super::App;
use crate::store::Store;

#[derive(clap::Args)]
pub struct Args {
    /// The file to write (must not exist yet), e.g. radar-2026-11-28.db
    dest: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(app: &App, a: Args) -> anyhow::Result<u8> {
    let db = app.config.data_dir.join("radar.db");
    if !db.is_file() {
        anyhow::bail!("no store at {} (nothing to back up)", db.display());
    }
    // No data-directory lock: the copy is a read transaction and may run
    // beside the writer.
    let store = Store::open(&db)?;
    let report = store.backup_to(&a.dest).map_err(anyhow::Error::msg)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "backup written to {}: {} articles, {} leads in follow-up, {} notes, {:.1} MB, integrity {}",
            a.dest.display(),
            report.articles,
            report.triage_items,
            report.notes,
            report.bytes as f64 / 1e6,
            report.integrity
        );
        println!(
            "restore: stop radar, copy it to {} and run `radar reindex`",
            db.display()
        );
    }
    Ok(0)
}
