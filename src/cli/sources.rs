//! `radar sources`: configured sources with their health: status, last
//! success, last error, next due time and items per week;
//! `radar sources import FILE.opml` and `radar sources export` (OPML);
//! `radar sources detect PAGE`: the news list on a page without a feed, as
//! a `kind = "page"` source.

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
    /// Recognise the news list on a page without a feed and print a
    /// kind = "page" source for it (item, title, date and summary
    /// selectors), with the stories it finds; --into adds it to a list.
    Detect(DetectArgs),
}

#[derive(clap::Args)]
struct DetectArgs {
    /// An http(s) URL to fetch, or an HTML file (with --url)
    page: String,
    /// The page's own URL (needed for a file: only links to its site count)
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Name of the source [default: the page's title]
    #[arg(long)]
    name: Option<String>,
    /// A tag for the source (repeatable)
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Add the source to this list instead of printing it
    #[arg(long, value_name = "FILE.toml")]
    into: Option<PathBuf>,
    /// Print as JSON (fields: url, rules, items, toml)
    #[arg(long)]
    json: bool,
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
        Some(Cmd::Detect(a)) => detect(app, a),
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
        "added {} source{} to {} ({} skipped)",
        plan.added.len(),
        if plan.added.len() == 1 { "" } else { "s" },
        target.display(),
        plan.skipped.len()
    );
    Ok(0)
}

fn detect(app: &App, a: DetectArgs) -> anyhow::Result<u8> {
    use crate::fetch::{FetchOutcome, Fetcher};
    use crate::intake::detect;
    let (html, page_url) = match url::Url::parse(&a.page) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {
            let fetcher = Fetcher::new(&app.config.fetch).map_err(anyhow::Error::msg)?;
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let got = rt.block_on(fetcher.fetch(
                &sources::Location::Http(u.clone()),
                &crate::store::FetchState::default(),
            ));
            match got {
                FetchOutcome::Fresh {
                    body,
                    content_type,
                    final_url,
                    ..
                } => (
                    crate::extract::encoding::decode(&body, content_type.as_deref()).text,
                    final_url.unwrap_or_else(|| u.to_string()),
                ),
                FetchOutcome::Failed(f) => {
                    anyhow::bail!("{}: {}: {}", a.page, f.kind.as_str(), f.message)
                }
                FetchOutcome::NotModified { .. } => anyhow::bail!("{}: unexpected 304", a.page),
            }
        }
        Ok(u) if u.scheme().len() > 1 => anyhow::bail!(
            "{}: unsupported scheme `{}` (use http, https or a file path)",
            a.page,
            u.scheme()
        ),
        _ => {
            let Some(url) = a.url.clone() else {
                anyhow::bail!(
                    "{}: a file needs --url with the page's own address (only links to its site count)",
                    a.page
                );
            };
            let bytes = std::fs::read(&a.page)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", a.page))?;
            (crate::extract::encoding::decode(&bytes, None).text, url)
        }
    };
    // A feed beats a list page: it says when a story was published and
    // does not depend on the page's layout.
    match crate::extract::feed::parse_feed(html.as_bytes(), Some("text/html"), Some(&page_url)) {
        Err(crate::extract::feed::FeedError::NotAFeed { alternates }) if !alternates.is_empty() => {
            eprintln!(
                "note: the page advertises a feed ({}); a feed source is better than a list page",
                alternates.join(", ")
            );
        }
        Ok(_) => anyhow::bail!("{page_url} is a feed: add it as a kind = \"feed\" source"),
        Err(_) => {}
    }
    let Some(found) = detect::detect_list(&html, &page_url) else {
        anyhow::bail!(
            "{page_url}: no news list recognised (fewer than {} stories of one shape); \
             write the selectors by hand (README: kind = \"page\") and check them with `radar extract`",
            detect::MIN_ITEMS
        );
    };
    let dir = &app.config.sources.dir;
    let mut existing = sources::load_dir(dir, app.config.sources.allow_files)?;
    // A target outside sources.dir: its sources count too.
    if let Some(t) = a
        .into
        .as_ref()
        .map(|t| std::path::absolute(t).unwrap_or(t.clone()))
    {
        if t.exists() && !existing.iter().any(|s| s.origin == t) {
            existing.extend(sources::load_file(&t, app.config.sources.allow_files)?);
        }
    }
    if let Some(s) = sources::add::same_url(&page_url, &existing) {
        eprintln!("note: {page_url} is already source `{}`", s.id);
    }
    let name = a
        .name
        .clone()
        .or_else(|| found.title.clone())
        .unwrap_or_else(|| page_url.clone());
    let id = sources::add::unique_id(&name, &existing);
    let toml = opml::to_toml(&[opml::NewSource::page(
        id.clone(),
        name,
        page_url.clone(),
        a.tags.clone(),
        &found.rules,
    )]);
    if a.json {
        let items: Vec<_> = found
            .items
            .iter()
            .map(|i| {
                serde_json::json!({
                    "url": i.url, "title": i.title, "published": i.published, "summary": i.summary,
                })
            })
            .collect();
        let r = &found.rules;
        let out = serde_json::json!({
            "url": page_url,
            "rules": {
                "items": r.items, "title": r.title, "date": r.date, "summary": r.summary, "next": r.next,
            },
            "items": items,
            "toml": toml,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    }
    eprintln!("{} stories on {page_url}, for example:", found.items.len());
    for i in found.items.iter().take(5) {
        let date = i
            .published
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "-".into());
        eprintln!(
            "  {date:<10}  {}  <{}>",
            i.title.as_deref().unwrap_or("(no title)"),
            i.url
        );
    }
    match &a.into {
        Some(target) => {
            if let Some(s) = sources::add::same_url(&page_url, &existing) {
                anyhow::bail!("{page_url} is already source `{}`; nothing written", s.id);
            }
            sources::add::append_entries(
                target,
                "# List pages recognised by `radar sources detect`. Edit freely.\n\n",
                &toml,
                app.config.sources.allow_files,
            )?;
            eprintln!("added `{id}` to {}", target.display());
        }
        None if !a.json => print!("{toml}"),
        None => {}
    }
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
