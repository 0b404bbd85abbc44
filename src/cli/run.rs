//! `radar run`: the long-running process. Polls each source when the store
//! says it is due (cron schedule + adaptive interval, see `schedule`),
//! with bounded global concurrency and per-host limits, runs the periodic
//! jobs from [`extra_jobs`], and shuts down gracefully on SIGINT/SIGTERM:
//! no new work is taken, fetches in flight get `run.shutdown_grace_secs`
//! to finish, what finished is committed, and the process exits 0.
//!
//! One writer per data directory: the lock is held for the whole run.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;

use super::{App, EXIT_SOURCE_ERRORS};
use crate::fetch::Fetcher;
use crate::index::{IndexError, SearchIndex};
use crate::lock::DataLock;
use crate::pipeline::{self, Cycle, SourceReport};
use crate::schedule::{Job, Planner};
use crate::sources::{self, Source};

/// Arguments of `radar run`.
#[derive(clap::Args)]
pub struct Args {
    /// Poll what is due once, run due jobs, and exit (for cron/systemd timers)
    #[arg(long)]
    once: bool,
}

/// Periodic jobs run between fetch cycles, e.g. the daily digest. This is
/// the hook for other jobs: add a [`Job`] (name, cron schedule in
/// `schedule.timezone`, closure) here. A job runs in the `radar run`
/// process, which holds the data-directory lock; it may open the store
/// itself (SQLite in WAL mode allows a second connection). Errors are
/// logged and the job runs again at its next tick.
pub fn extra_jobs(app: &App) -> anyhow::Result<Vec<Job>> {
    Ok(vec![digest_job(app)?])
}

/// The daily digest on `[digest] schedule`: select, keep on disk, record,
/// and e-mail it when `[email] host` is set. A digest missed while radar
/// was not running is made at start (its window starts where the last one
/// ended, so nothing is lost or repeated).
fn digest_job(app: &App) -> anyhow::Result<Job> {
    let config = app.config.clone();
    let schedule = crate::schedule::parse_cron(&config.digest.schedule)
        .map_err(|e| anyhow::anyhow!("digest.schedule: {e}"))?;
    let tz = config
        .digest
        .timezone
        .parse()
        .map_err(|_| anyhow::anyhow!("digest.timezone: unknown time zone"))?;
    let last_run = {
        let store = crate::store::Store::open(&config.data_dir.join("radar.db"))?;
        store.last_digest_end()?
    };
    let ranker = app.ranker.clone();
    Ok(Job {
        name: "digest".into(),
        schedule,
        tz: Some(tz),
        last_run,
        run: Box::new(move || {
            let job = crate::digest::Job {
                send: !config.email.host.is_empty(),
                ..Default::default()
            };
            let report = crate::digest::run_digest_job(&config, &ranker, Utc::now(), &job)?;
            let shown = report.digest.leads().count();
            println!(
                "{} digest: {shown} leads{}{}",
                crate::store::ts(Utc::now()),
                report
                    .files
                    .first()
                    .map(|f| format!(", kept as {}", f.display()))
                    .unwrap_or_default(),
                if report.sent { ", sent" } else { "" }
            );
            if let Some(e) = report.send_error {
                anyhow::bail!("digest kept on disk but not sent: {e}");
            }
            Ok(())
        }),
    })
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    let _lock = DataLock::acquire(&app.config.data_dir)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (stop_tx, stop_rx) = watch::channel(false);
    rt.spawn(async move {
        wait_for_signal().await;
        eprintln!("radar run: stopping: no new fetches; finishing those in flight");
        let _ = stop_tx.send(true);
    });
    let opts = SchedulerOpts {
        once: args.once,
        hold_index: true,
    };
    let any_failed = rt.block_on(run_scheduler(app, stop_rx, opts))?;
    eprintln!("radar run: stopped");
    Ok(if args.once && any_failed {
        EXIT_SOURCE_ERRORS
    } else {
        0
    })
}

/// How the scheduler loop runs.
pub(super) struct SchedulerOpts {
    /// Poll what is due once, run due jobs, and return.
    pub once: bool,
    /// Hold the index writer for the whole run (`radar run`); otherwise
    /// it is opened per cycle (`radar serve`), so a tip from the web form
    /// can take it between cycles.
    pub hold_index: bool,
}

fn open_index(app: &App) -> anyhow::Result<Option<SearchIndex>> {
    match SearchIndex::open(
        &app.config.data_dir.join("search"),
        true,
        app.config.index.writer_memory_mb,
    ) {
        Ok(i) => Ok(Some(i)),
        Err(IndexError::Locked(_)) => {
            tracing::warn!("search index busy (a tip?); this cycle waits for the next tick");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// The scheduler: polls due sources and runs [`extra_jobs`] until `stop`
/// turns true (or once). The caller holds the data-directory lock and
/// owns the signal handling. Returns whether any source failed.
pub(super) async fn run_scheduler(
    app: &App,
    stop_rx: watch::Receiver<bool>,
    opts: SchedulerOpts,
) -> anyhow::Result<bool> {
    let dir = &app.config.sources.dir;
    let mut stamp = sources::add::list_stamp(dir);
    let mut all = sources::load_dir(dir, app.config.sources.allow_files)?;
    let planner = Planner::new(&app.config.schedule).map_err(anyhow::Error::msg)?;
    let fetcher = Fetcher::new(&app.config.fetch).map_err(anyhow::Error::msg)?;
    let (mut store, index) = app.open(opts.hold_index)?;
    let mut held = opts.hold_index.then_some(index);
    store.sync_sources(&all)?;
    let mut jobs = extra_jobs(app)?;
    let grace = Duration::from_secs(app.config.run.shutdown_grace_secs);
    let tick = Duration::from_secs(app.config.run.tick_secs);
    let mut any_failed = false;
    let now = Utc::now();
    let mut job_next: Vec<_> = jobs.iter().map(|j| planner.first_job_run(j, now)).collect();
    tracing::info!(sources = all.len(), jobs = jobs.len(), "scheduler started");
    loop {
        if *stop_rx.borrow() {
            break;
        }
        // Source lists edited while running (by hand, or a source added in
        // the web interface) take effect on the next tick; a list that no
        // longer loads is reported and the previous one kept.
        let now_stamp = sources::add::list_stamp(dir);
        if now_stamp != stamp {
            stamp = now_stamp;
            match sources::load_dir(dir, app.config.sources.allow_files) {
                Ok(new) => {
                    store.sync_sources(&new)?;
                    tracing::info!(
                        before = all.len(),
                        now = new.len(),
                        "source lists changed; reloaded"
                    );
                    all = new;
                }
                Err(e) => tracing::error!(
                    "source lists changed but do not load; still using the previous ones: {e}"
                ),
            }
        }
        let now = Utc::now();
        let due_ids = store.due_sources(now)?;
        let mut due: Vec<Source> = Vec::new();
        for id in &due_ids {
            match all.iter().find(|s| &s.id == id) {
                Some(s) => due.push(s.clone()),
                // In the store but no longer configured: park it.
                None => store.set_next_check(
                    id,
                    now + chrono::Duration::from_std(planner.max_interval()).unwrap_or_default(),
                )?,
            }
        }
        let index = match (due.is_empty(), held.take()) {
            (true, kept) => {
                held = kept;
                None
            }
            (false, Some(i)) => Some(i),
            (false, None) => open_index(app)?,
        };
        if let Some(mut index) = index {
            let cycle = Cycle {
                concurrency: app.config.fetch.concurrency,
                planner: Some(&planner),
                health: app.config.health.clone(),
                stop: Some(stop_rx.clone()),
                grace,
                extract: app.config.extract.clone(),
            };
            let reports = pipeline::refresh_cycle(
                &mut store,
                &mut index,
                &app.ranker,
                &fetcher,
                &due,
                &cycle,
                acknowledge,
            )
            .await?;
            any_failed |= reports.iter().any(SourceReport::failed);
            tracing::info!(
                due = due.len(),
                done = reports.len(),
                new = reports.iter().map(|r| r.new).sum::<usize>(),
                "cycle finished"
            );
            if opts.hold_index {
                held = Some(index);
            }
        }
        let now = Utc::now();
        for (job, next) in jobs.iter_mut().zip(job_next.iter_mut()) {
            if *stop_rx.borrow() || now < *next {
                continue;
            }
            tracing::info!(job = %job.name, "running job");
            if let Err(e) = tokio::task::block_in_place(|| (job.run)()) {
                tracing::error!(job = %job.name, error = %format!("{e:#}"), "job failed");
            }
            *next = planner.next_job_tick(job, Utc::now() + chrono::Duration::seconds(1));
        }
        if opts.once {
            break;
        }
        let mut wake = store.next_due_at()?;
        for n in &job_next {
            wake = Some(wake.map_or(*n, |w| w.min(*n)));
        }
        let wait = wake
            .and_then(|w| (w - Utc::now()).to_std().ok())
            .unwrap_or(Duration::ZERO)
            .clamp(Duration::from_secs(1), tick);
        let mut rx = stop_rx.clone();
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = rx.wait_for(|v| *v) => {}
        }
    }
    // Index whatever the last cycle stored (refresh_cycle already did, but
    // an interrupted cycle may have left some behind).
    let index = match held.take() {
        Some(i) => Some(i),
        None => open_index(app)?,
    };
    if let Some(mut index) = index {
        crate::pipeline::process_pending(&mut store, &mut index, &app.ranker)?;
    }
    Ok(any_failed)
}

/// One line per finished source, printed only after its outcome and
/// articles are committed to the store.
fn acknowledge(r: &SourceReport) {
    let mut line = format!(
        "{} fetched {}: {} ({} new, {} updated)",
        crate::store::ts(Utc::now()),
        r.source,
        r.outcome,
        r.new,
        r.updated
    );
    if let Some(e) = &r.error {
        line.push_str(&format!(": {e}"));
    }
    if let Some(n) = &r.next_check_at {
        line.push_str(&format!("; next {n}"));
    }
    println!("{line}");
}

/// Waits for SIGINT or SIGTERM.
#[cfg(unix)]
pub(super) async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

/// Waits for Ctrl-C.
#[cfg(not(unix))]
pub(super) async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// The default digest schedule means weekday mornings in Amsterdam.
    /// (The cron parser counts Sunday as day 1, so "1-5" would be Sunday to
    /// Thursday; the config insists on day names.)
    #[test]
    fn the_digest_runs_on_weekday_mornings_in_amsterdam() {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::config::Config {
            data_dir: dir.path().to_path_buf(),
            ..crate::config::Config::default()
        };
        let planner = Planner::new(&config.schedule).unwrap();
        let app = App {
            config,
            ranker: crate::pipeline::Ranker::builtin(),
        };
        let jobs = extra_jobs(&app).unwrap();
        let digest = jobs.iter().find(|j| j.name == "digest").unwrap();
        // Saturday 28 November 2026 → Monday 07:00 CET = 06:00 UTC
        let sat = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
        assert_eq!(
            planner.next_job_tick(digest, sat),
            Utc.with_ymd_and_hms(2026, 11, 30, 6, 0, 0).unwrap()
        );
        // Friday 3 July 2026, 06:30 CEST → 07:00 CEST = 05:00 UTC
        let fri = Utc.with_ymd_and_hms(2026, 7, 3, 4, 30, 0).unwrap();
        assert_eq!(
            planner.next_job_tick(digest, fri),
            Utc.with_ymd_and_hms(2026, 7, 3, 5, 0, 0).unwrap()
        );
    }
}
