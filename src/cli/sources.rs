//! `radar sources`: configured sources and their last outcome.

use super::App;
use crate::sources;

/// Arguments of `radar sources`.
#[derive(clap::Args)]
pub struct Args {
    /// Print as JSON
    #[arg(long)]
    json: bool,
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    // Show configured sources even before their first fetch.
    let configured = sources::load_dir(&app.config.sources.dir, app.config.sources.allow_files)?;
    let (mut store, _index) = app.open(false)?;
    store.sync_sources(&configured)?;
    let rows = store.sources()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(0);
    }
    println!(
        "{:<24} {:<8} {:>8} {:<14} {:<21} laatste fout",
        "bron", "soort", "artikelen", "status", "laatst gelukt"
    );
    for r in rows {
        let status = match (&r.last_status, r.enabled) {
            (_, false) => "uitgeschakeld".to_string(),
            (None, _) => "nog niet".to_string(),
            (Some(s), _) => s.clone(),
        };
        let err = match (&r.last_error_kind, &r.last_error, r.error_count) {
            (Some(k), Some(m), n) if n > 0 => format!("{k}: {m} ({n}x op rij)"),
            _ => String::new(),
        };
        println!(
            "{:<24} {:<8} {:>8} {:<14} {:<21} {err}",
            r.id,
            r.kind,
            r.articles,
            status,
            r.last_success_at.as_deref().unwrap_or("-"),
        );
    }
    Ok(0)
}
