//! `radar serve`: the web interface and JSON API (see [`crate::web`]).

use std::net::SocketAddr;

use super::App;

/// Arguments of `radar serve`.
#[derive(clap::Args)]
pub struct Args {
    /// Address and port to listen on [default: web.bind from the config, 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    bind: Option<String>,
}

// TODO(issue 3): once `radar run` and the scheduler are merged, start the
// scheduler here too unless `--no-scheduler`, so one process does
// everything; the web state only needs the same data directory.
pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    let raw = args.bind.as_deref().unwrap_or(&app.config.web.bind);
    let addr: SocketAddr = raw.parse().map_err(|_| {
        anyhow::anyhow!("--bind {raw:?} is not an IP address with a port, e.g. 127.0.0.1:8080")
    })?;
    let ranker =
        crate::pipeline::Ranker::load(&app.config.rank.themes).map_err(anyhow::Error::msg)?;
    let state = crate::web::State::prepare(app.config.clone(), ranker, addr)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
        let mode = if state.open_mode()? {
            "open: no user accounts, loopback only"
        } else {
            "log-in required"
        };
        eprintln!(
            "radar serve: listening on http://{} ({mode})",
            listener.local_addr()?
        );
        crate::web::serve(state, listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
    })?;
    Ok(0)
}
