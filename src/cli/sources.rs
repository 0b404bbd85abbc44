//! `radar sources`: configured sources with their health: status, last
//! success, last error, next due time and items per week;
//! `radar sources import FILE.opml` and `radar sources export` (OPML).

use std::path::PathBuf;

use chrono::Utc;
use serde::Serialize;

use super::App;
use crate::sources::{self, opml};
use crate::store::{ScheduleRow, SourceRow};

/// Arguments of `radar sources`.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    /// Print as JSON
    #[arg(long)]
    json: bool,
    /// Lift the suspension of this source and make it due at once
    #[arg(long, value_name = "ID")]
    resume: Option<String>,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Add the feeds of an OPML file as sources. Folders and categories
    /// become tags; feeds whose URL (or radarId) is already configured are
    /// skipped with a message. Writes `<sources.dir>/imported.toml` unless
    /// --into says otherwise.
    Import(ImportArgs),
    /// Print all sources as OPML 2.0 (tags as categories).
    Export(ExportArgs),
}

#[derive(clap::Args)]
struct ImportArgs {
    /// The OPML file
    file: PathBuf,
    /// Source list to write or extend [default: <sources.dir>/imported.toml]
    #[arg(long, value_name = "FILE.toml")]
    into: Option<PathBuf>,
    /// Show what would be added without writing anything
    #[arg(long)]
    dry_run: bool,
}

#[derive(clap::Args)]
struct ExportArgs {
    /// Write to this file instead of standard output
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Serialize)]
struct Row {
    #[serde(flatten)]
    source: SourceRow,
    #[serde(flatten)]
    schedule: Option<ScheduleRow>,
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    match args.command {
        Some(Cmd::Import(a)) => import(app, a),
        Some(Cmd::Export(a)) => export(app, a),
        None => list(app, args.json, args.resume.as_deref()),
    }
}

fn import(app: &App, a: ImportArgs) -> anyhow::Result<u8> {
    let bytes = std::fs::read(&a.file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", a.file.display()))?;
    if bytes.len() > opml::MAX_BYTES {
        anyhow::bail!(
            "{}: {}",
            a.file.display(),
            opml::OpmlError::TooLarge(bytes.len())
        );
    }
    let text = crate::extract::encoding::decode(&bytes, None).text;
    let feeds = opml::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", a.file.display()))?;
    let dir = &app.config.sources.dir;
    let existing = sources::load_dir(dir, app.config.sources.allow_files)?;
    let target = a.into.unwrap_or_else(|| dir.join("imported.toml"));
    let target = std::path::absolute(&target).unwrap_or(target);
    // The target may lie outside sources.dir: its sources count too.
    let mut known = existing;
    if target.exists() && !known.iter().any(|s| s.origin == target) {
        known.extend(sources::load_file(&target, app.config.sources.allow_files)?);
    }
    let plan = opml::plan_import(&feeds, &known);
    for s in &plan.skipped {
        eprintln!("skipped: {s}");
    }
    if plan.added.is_empty() {
        eprintln!(
            "{} feeds in {}: nothing new to add",
            feeds.len(),
            a.file.display()
        );
        return Ok(0);
    }
    let entries = opml::to_toml(&plan.added);
    if a.dry_run {
        print!("{entries}");
        eprintln!(
            "would add {} sources to {} (dry run, nothing written)",
            plan.added.len(),
            target.display()
        );
        return Ok(0);
    }
    sources::add::append_entries(
        &target,
        "# Sources imported from OPML by `radar sources import`. Edit freely.\n\n",
        &entries,
        app.config.sources.allow_files,
    )?;
    for s in &plan.added {
        println!("added {:<24} {}", s.id, s.url);
    }
    eprintln!(
        "added {} sources to {} ({} skipped)",
        plan.added.len(),
        target.display(),
        plan.skipped.len()
    );
    Ok(0)
}

fn export(app: &App, a: ExportArgs) -> anyhow::Result<u8> {
    let configured = sources::load_dir(&app.config.sources.dir, app.config.sources.allow_files)?;
    let (doc, left_out) = opml::export(&configured, "radar sources");
    if !left_out.is_empty() {
        eprintln!(
            "left out (local files and mailboxes have no URL to share): {}",
            left_out.join(", ")
        );
    }
    match a.output {
        Some(p) => std::fs::write(&p, doc)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.display()))?,
        None => print!("{doc}"),
    }
    Ok(0)
}

fn list(app: &App, json: bool, resume: Option<&str>) -> anyhow::Result<u8> {
    // Show configured sources even before their first fetch.
    let configured = sources::load_dir(&app.config.sources.dir, app.config.sources.allow_files)?;
    let (mut store, _index) = app.open(false)?;
    store.sync_sources(&configured)?;
    if let Some(id) = resume {
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
    if json {
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
