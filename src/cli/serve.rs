//! `radar serve`: the web interface and JSON API (see [`crate::web`]), and
//! unless `--no-scheduler` also the scheduler of `radar run` (polling and
//! the digest) on the same runtime, so one process does everything. With
//! the scheduler it holds the data-directory lock like `radar run`;
//! SIGINT/SIGTERM stop both gracefully.

use std::net::SocketAddr;

use super::App;

/// Arguments of `radar serve`.
#[derive(clap::Args)]
pub struct Args {
    /// Address and port to listen on [default: web.bind from the config, 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    bind: Option<String>,
    /// Only serve: do not poll sources or make digests (and do not take
    /// the data-directory lock, so `radar run` can do that)
    #[arg(long)]
    no_scheduler: bool,
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    let raw = args.bind.as_deref().unwrap_or(&app.config.web.bind);
    let addr: SocketAddr = raw.parse().map_err(|_| {
        anyhow::anyhow!("--bind {raw:?} is not an IP address with a port, e.g. 127.0.0.1:8080")
    })?;
    let _lock = if args.no_scheduler {
        None
    } else {
        Some(crate::lock::DataLock::acquire(&app.config.data_dir)?)
    };
    let ranker =
        crate::pipeline::Ranker::load(&app.config.rank.themes).map_err(anyhow::Error::msg)?;
    let state = crate::web::State::prepare(app.config.clone(), ranker, addr)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    rt.spawn(async move {
        super::run::wait_for_signal().await;
        eprintln!("radar serve: stopping");
        let _ = stop_tx.send(true);
    });
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
        let mode = if state.open_mode()? {
            "open: no user accounts, loopback only"
        } else {
            "log-in required"
        };
        let sched = if args.no_scheduler {
            "without scheduler"
        } else {
            "with scheduler"
        };
        eprintln!(
            "radar serve: listening on http://{} ({mode}, {sched})",
            listener.local_addr()?
        );
        let mut rx = stop_rx.clone();
        let server = tokio::spawn(crate::web::serve(state, listener, async move {
            let _ = rx.wait_for(|v| *v).await;
        }));
        if !args.no_scheduler {
            let opts = super::run::SchedulerOpts {
                once: false,
                hold_index: false,
            };
            if let Err(e) = super::run::run_scheduler(app, stop_rx, opts).await {
                // The web interface keeps serving; the installer sees why
                // polling stopped.
                tracing::error!("scheduler stopped: {e:#}");
                eprintln!("radar serve: scheduler stopped: {e:#}");
            }
        }
        server
            .await
            .map_err(|e| anyhow::anyhow!("web server task: {e}"))?
    })?;
    eprintln!("radar serve: stopped");
    Ok(0)
}
