//! `radar digest`: the new leads since the previous digest.

use std::path::PathBuf;

use chrono::Utc;

use super::App;
use crate::digest::{Format, Job, render::render, run_digest_job};

/// Arguments of `radar digest`.
#[derive(clap::Args)]
pub struct Args {
    /// Start of the period (YYYY-MM-DD) [default: where the previous digest
    /// ended; the first one looks back digest.first_days days]
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the output to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// E-mail the digest to the recipients in [email]
    #[arg(long)]
    send: bool,
    /// Show what the digest would be: nothing is kept, recorded or sent
    #[arg(long, conflicts_with = "send")]
    dry_run: bool,
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    let since = args
        .since
        .as_deref()
        .map(|s| {
            crate::import::parse_date(s)
                .ok_or_else(|| anyhow::anyhow!("--since {s:?} is not a date (YYYY-MM-DD)"))
        })
        .transpose()?;
    if args.send && app.config.email.host.is_empty() {
        anyhow::bail!(
            "--send: no SMTP server configured (set email.host, email.from and email.to)"
        );
    }
    let job = Job {
        since,
        send: args.send,
        dry_run: args.dry_run,
    };
    let report = run_digest_job(&app.config, &app.ranker, Utc::now(), &job)?;
    let body = render(&report.digest, args.format);
    match &args.out {
        Some(p) => crate::digest::write_atomic(p, body.as_bytes())?,
        None => print!("{body}"),
    }
    for f in &report.files {
        eprintln!("bewaard: {}", f.display());
    }
    if report.sent {
        eprintln!("verstuurd naar {}", app.config.email.to.join(", "));
    }
    if let Some(e) = &report.send_error {
        eprintln!("radar: error: the digest was kept but not sent: {e}");
        return Ok(super::EXIT_SOURCE_ERRORS);
    }
    Ok(0)
}
