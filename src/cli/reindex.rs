//! `radar reindex`: rebuild the search index from the store.

use super::App;
use crate::pipeline;

pub(super) fn run(app: &App) -> anyhow::Result<u8> {
    // One writer per data directory (also against a running `radar run`).
    let _lock = crate::lock::DataLock::acquire(&app.config.data_dir)?;
    let (mut store, mut index) = app.open(true)?;
    pipeline::score_pending(&mut store, &app.ranker)?;
    store.cluster_pending()?;
    let n = pipeline::reindex(&mut store, &mut index)?;
    println!("{n} artikelen opnieuw geïndexeerd");
    Ok(0)
}
