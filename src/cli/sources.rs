//! `radar sources`: configured sources with their health: status, last
//! success, last error, next due time and items per week.

use chrono::Utc;
use serde::Serialize;

use super::App;
use crate::sources;
use crate::store::{ScheduleRow, SourceRow};

/// Arguments of `radar sources`.
#[derive(clap::Args)]
pub struct Args {
    /// Print as JSON
    #[arg(long)]
    json: bool,
    /// Lift the suspension of this source and make it due at once
    #[arg(long, value_name = "ID")]
    resume: Option<String>,
}

#[derive(Serialize)]
struct Row {
    #[serde(flatten)]
    source: SourceRow,
    #[serde(flatten)]
    schedule: Option<ScheduleRow>,
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    // Show configured sources even before their first fetch.
    let configured = sources::load_dir(&app.config.sources.dir, app.config.sources.allow_files)?;
    let (mut store, _index) = app.open(false)?;
    store.sync_sources(&configured)?;
    if let Some(id) = &args.resume {
        if !store.resume_source(id)? {
            anyhow::bail!("unknown source id `{id}` (see `radar sources`)");
        }
        println!("{id}: hervat; wordt bij de volgende ronde opgehaald");
        return Ok(0);
    }
    let mut schedule = store.schedule_rows(Utc::now())?;
    let rows: Vec<Row> = store
        .sources()?
        .into_iter()
        .map(|source| {
            let pos = schedule.iter().position(|r| r.id == source.id);
            Row {
                source,
                schedule: pos.map(|p| schedule.swap_remove(p)),
            }
        })
        .collect();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(0);
    }
    println!(
        "{:<24} {:<8} {:>8} {:>9} {:<14} {:<21} {:<21} laatste fout / waarschuwing",
        "bron", "soort", "artikelen", "per week", "status", "laatst gelukt", "volgende keer"
    );
    for Row {
        source: r,
        schedule,
    } in rows
    {
        let suspended = schedule.as_ref().is_some_and(|s| s.suspended);
        let status = match (&r.last_status, r.enabled) {
            (_, false) => "uitgeschakeld".to_string(),
            _ if suspended => "geschorst".to_string(),
            (None, _) => "nog niet".to_string(),
            (Some(s), _) => s.clone(),
        };
        let mut notes = Vec::new();
        if let (Some(k), Some(m), n) = (&r.last_error_kind, &r.last_error, r.error_count) {
            if n > 0 {
                notes.push(format!("{k}: {m} ({n}x op rij)"));
            }
        }
        if let Some(w) = schedule.as_ref().and_then(|s| s.warning.clone()) {
            notes.push(format!("let op: {w}"));
        }
        let next = schedule
            .as_ref()
            .and_then(|s| s.next_check_at.clone())
            .unwrap_or_else(|| "-".into());
        let per_week = schedule.as_ref().map_or(0.0, |s| s.items_per_week);
        println!(
            "{:<24} {:<8} {:>8} {:>9.1} {:<14} {:<21} {:<21} {}",
            r.id,
            r.kind,
            r.articles,
            per_week,
            status,
            r.last_success_at.as_deref().unwrap_or("-"),
            if suspended { "-".to_string() } else { next },
            notes.join("; "),
        );
    }
    Ok(0)
}
