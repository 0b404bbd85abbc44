//! The command line: raw arguments → validated settings → one command.
//! One file per subcommand. Exit codes: 0 all went well, 2 finished with
//! source errors, 1 could not run.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::index::SearchIndex;
use crate::pipeline::Ranker;
use crate::store::Store;

mod backup;
mod bench;

pub(crate) mod candidates;
mod demo;
mod digest;
mod dismiss;
mod eval;
mod explain;
pub mod export;
mod extract;
mod fetch;
mod flag;
mod followups;
mod import;
mod reindex;
mod run;
mod search;
mod serve;
mod show;
mod sources;
mod themes;
mod tip;
mod triage;
mod user;

/// Exit code: finished, but some sources failed.
pub const EXIT_SOURCE_ERRORS: u8 = 2;

#[derive(Parser)]
#[command(
    name = "radar",
    version,
    about = "Reads Dutch zorg-en-welzijn media and finds Koploper leads",
    long_about = "radar fetches feeds from the sources in feeds/*.toml, stores every article in \
SQLite, indexes it for Dutch-aware search and lets you search and read what it found.\n\n\
Configuration comes from config.toml (see the comments in that file), overridden by \
RADAR_* environment variables (e.g. RADAR_FETCH_TIMEOUT_SECS=10)."
)]
struct Cli {
    /// Config file [default: ./config.toml when it exists, else built-in defaults]
    #[arg(long, global = true, env = "RADAR_CONFIG", value_name = "PATH")]
    config: Option<PathBuf>,
    /// Data directory holding the SQLite store and the search index [default: data_dir from the config, `index/`]
    #[arg(long, global = true, env = "RADAR_DATA", value_name = "DIR")]
    data: Option<PathBuf>,
    /// More log output (-v info, -vv debug); RADAR_LOG=... sets filters directly
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fetch every enabled source once (or only those given with --source),
    /// store new and changed articles and index them. Exit code 2 when some
    /// sources failed; their errors are recorded and shown by `radar sources`.
    Fetch(fetch::Args),
    /// List sources with their status, last success, last error, next due
    /// time and items per week; `--resume ID` lifts a suspension;
    /// `import FILE.opml` adds the feeds of an OPML file, `export` prints
    /// all sources as OPML.
    Sources(sources::Args),
    /// The long-running process: poll each source on its schedule (cron per
    /// source or tag, adaptive intervals), politely and with per-host limits,
    /// until SIGINT/SIGTERM. One writer per data directory.
    Run(run::Args),
    /// Search everything indexed (Dutch-aware: `ziekenhuizen` finds `ziekenhuis`).
    /// Words must all match; use "quotes" for phrases, OR for alternatives,
    /// -word to exclude.
    Search(search::Args),
    /// Show one article by id.
    Show(show::Args),
    /// Import an article archive: one JSON object per line with `url`, `title`,
    /// `body` and optionally `source`, `published`, `summary`. Re-importing the
    /// same file adds nothing; bad lines are reported with their number and skipped.
    Import(import::Args),
    /// Rebuild the search index from the store (scores are brought up to
    /// date with the current themes first).
    Reindex,
    /// Write a consistent copy of the store (articles, follow-up, notes,
    /// users) to a new file, also while radar runs; checked before it is
    /// kept. The search index is rebuilt from it with `radar reindex`.
    Backup(backup::Args),
    /// Articles ranked by how much they look like a Koploper lead, best
    /// first, one per story (copies in other outlets are counted, not repeated).
    Candidates(candidates::Args),
    /// Explain the score of one article: themes and the terms that matched,
    /// the Koploper criteria with the sentence that shows each, penalties.
    Explain(explain::Args),
    /// Evaluate the ranking on a labelled set (JSONL with `label` 0/1/2):
    /// radar against a BM25 keyword baseline, with the worst misses.
    Eval(eval::Args),
    /// Print the theme configuration in use (the built-in one unless
    /// rank.themes or a themes.toml beside the config says otherwise).
    Themes,
    /// Extract the article from one web page or HTML file: title, byline,
    /// date, method and text, as radar will store it.
    Extract(extract::Args),
    /// Add a partner's tip: fetch the page, extract, store, score and
    /// index it, recording who sent it. Private addresses are refused.
    Tip(tip::Args),
    /// Benchmarks on synthetic Dutch articles, each next to a peer or limit
    /// measured in the same run (build with --release).
    Bench(bench::Args),
    /// Serve the web interface and JSON API (Dutch pages for the advisors).
    /// Without user accounts only a loopback address is allowed.
    Serve(serve::Args),
    /// Manage the user accounts of the web interface.
    #[command(subcommand)]
    User(user::Command),
    /// Run radar on the bundled offline sample feeds (feeds/samples) in a
    /// separate data directory and show what it found. No network needed.
    Demo(demo::Args),
    /// Mark a lead as worth following ("te volgen"), with owner, note and
    /// follow-up date.
    Flag(flag::Args),
    /// Move a lead through the follow-up (te volgen → benaderd → in
    /// beoordeling → koploper), tick Koploper criteria with evidence, add notes.
    Triage(triage::Args),
    /// Dismiss a lead with a reason; the story (also copies in other
    /// outlets) never comes back in candidates or the digest.
    Dismiss(dismiss::Args),
    /// Leads being followed up, by follow-up date.
    Followups(followups::Args),
    /// Export the triage list as CSV (UTF-8 with BOM; opens in Excel).
    Export(export::Args),
    /// The digest of new leads since the previous one (HTML, Markdown, text,
    /// JSON or Atom); kept in <data>/digests and optionally e-mailed.
    Digest(digest::Args),
}

/// Runs the CLI with the process arguments and environment.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.verbose);
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("radar: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "radar=info,warn",
        _ => "radar=debug,info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("RADAR_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        // A log line that cannot be written (stderr closed: the terminal
        // that started `radar serve` went away) is dropped; by default the
        // subscriber reports it with eprintln!, which panics, and the web
        // request that logged is lost.
        .log_internal_errors(false)
        .try_init();
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    let config_path = match &cli.config {
        Some(p) => Some(p.clone()),
        None => Some(PathBuf::from("config.toml")).filter(|p| p.exists()),
    };
    let mut config = Config::load(config_path.as_deref(), std::env::vars())?;
    if let Some(d) = &cli.data {
        config.data_dir = std::path::absolute(d).unwrap_or_else(|_| d.clone());
    }
    // Refuse a bad themes file before anything runs, like the config.
    let ranker = Ranker::load(&config.rank.themes).map_err(anyhow::Error::msg)?;
    let app = App { config, ranker };
    match cli.command {
        Command::Fetch(a) => fetch::run(&app, a),
        Command::Sources(a) => sources::run(&app, a),
        Command::Run(a) => run::run(&app, a),
        Command::Search(a) => search::run(&app, a),
        Command::Show(a) => show::run(&app, a),
        Command::Import(a) => import::run(&app, a),
        Command::Reindex => reindex::run(&app),
        Command::Backup(a) => backup::run(&app, a),
        Command::Candidates(a) => candidates::run(&app, a),
        Command::Explain(a) => explain::run(&app, a),
        Command::Eval(a) => eval::run(&app, a),
        Command::Themes => themes::run(&app),
        Command::Extract(a) => extract::run(&app, a),
        Command::Tip(a) => tip::run(&app, a),
        Command::Bench(a) => bench::run(&app, a),
        Command::Serve(a) => serve::run(&app, a),
        Command::User(c) => user::run(&app, c),
        Command::Demo(a) => demo::run(&app, a, cli.data.is_some()),
        Command::Flag(a) => flag::run(&app, a),
        Command::Triage(a) => triage::run(&app, a),
        Command::Dismiss(a) => dismiss::run(&app, a),
        Command::Followups(a) => followups::run(&app, a),
        Command::Export(a) => export::run(&app, a),
        Command::Digest(a) => digest::run(&app, a),
    }
}

/// Validated settings shared by the commands.
pub struct App {
    /// The configuration.
    pub config: Config,
    /// The scoring rules.
    pub ranker: Ranker,
}

impl App {
    /// Opens the store and index in the configured data directory.
    pub fn open(&self, writable: bool) -> anyhow::Result<(Store, SearchIndex)> {
        open_data(
            &self.config.data_dir,
            writable,
            self.config.index.writer_memory_mb,
        )
    }
}

/// Opens the store (`radar.db`) and index (`search/`) in `dir`, creating
/// both when needed.
pub fn open_data(
    dir: &Path,
    writable: bool,
    writer_mb: usize,
) -> anyhow::Result<(Store, SearchIndex)> {
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create data directory {}: {e}", dir.display()))?;
    let store = Store::open(&dir.join("radar.db"))?;
    let index = SearchIndex::open(&dir.join("search"), writable, writer_mb)?;
    Ok((store, index))
}

/// How triage feedback moves each of `articles` (same order). Term weights
/// come from these articles plus the most recent ones in the store.
pub(crate) fn feedback_for(
    store: &Store,
    articles: &[&crate::store::Article],
) -> anyhow::Result<Vec<crate::triage::feedback::Adjustment>> {
    use crate::triage::feedback::FeedbackModel;
    let items = store.feedback()?;
    if items.is_empty() {
        return Ok(vec![Default::default(); articles.len()]);
    }
    let recent =
        store.articles(&store.recent_ids(chrono::DateTime::<chrono::Utc>::MIN_UTC, 300)?)?;
    let text = |a: &crate::store::Article| format!("{} {}", a.title, a.text);
    let background: Vec<String> = recent
        .iter()
        .chain(articles.iter().copied())
        .map(text)
        .collect();
    let model = FeedbackModel::new(&items, background.iter().map(String::as_str));
    articles
        .iter()
        .map(|a| {
            let cluster = store.cluster_of(a.id)?.unwrap_or(a.id);
            Ok(model.adjust(a.id, cluster, &text(a), a.sector.as_deref()))
        })
        .collect()
}

/// Whether to draw progress bars and colours.
pub(crate) fn interactive() -> bool {
    std::io::stderr().is_terminal()
}

/// Bold on a terminal, plain otherwise.
pub(crate) fn bold_marks() -> (&'static str, &'static str) {
    if std::io::stdout().is_terminal() {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    }
}

/// A date for Dutch readers (Dutch local time).
pub(crate) fn nl_date(d: Option<chrono::DateTime<chrono::Utc>>) -> String {
    d.map(crate::nltime::date)
        .unwrap_or_else(|| "zonder datum".into())
}
