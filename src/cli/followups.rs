//! `radar followups`: leads being followed up, by follow-up date.

use super::{App, nl_date};
use crate::triage::parse_due;

/// Arguments of `radar followups`.
#[derive(clap::Args)]
pub struct Args {
    /// Only items with a follow-up date before this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    due_before: Option<String>,
    /// Print as JSON
    #[arg(long)]
    json: bool,
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    let before = args
        .due_before
        .as_deref()
        .map(|s| parse_due(s).map_err(|e| anyhow::anyhow!("--due-before: {e}")))
        .transpose()?;
    let (store, _index) = app.open(false)?;
    let rows = store.triage_rows(None, true, before)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(0);
    }
    if rows.is_empty() {
        println!("Geen leads om op te volgen.");
        return Ok(0);
    }
    let today = crate::nltime::today();
    for r in &rows {
        let due = match r.due {
            Some(d) if d < today => format!("{} (verlopen)", d.format("%d-%m-%Y")),
            Some(d) => d.format("%d-%m-%Y").to_string(),
            None => "geen datum".into(),
        };
        println!(
            "#{:<5} {:<15} {:<22} {}",
            r.article_id,
            r.state.dutch(),
            due,
            r.title
        );
        println!(
            "       {} · {} · eigenaar: {} · criteria {}/4",
            r.source,
            nl_date(r.date),
            r.owner.as_deref().unwrap_or("-"),
            r.criteria.len()
        );
        if let Some(n) = &r.last_note {
            println!("       laatste notitie: {n}");
        }
    }
    Ok(0)
}
