//! `radar tip URL`: a partner's tip (the work is in [`crate::tip`], shared
//! with the web form).

use super::App;

/// Arguments of `radar tip`.
#[derive(clap::Args)]
pub struct Args {
    /// The article's address (http or https)
    url: String,
    /// Who sent the tip
    #[arg(long, value_name = "NAME")]
    from: Option<String>,
    /// The tipper's note
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
    /// Print the result as JSON
    #[arg(long)]
    json: bool,
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    crate::tip::parse_url(&args.url)?;
    let (mut store, mut index) = app.open(true)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let out = rt.block_on(crate::tip::add(
        &app.config,
        &app.ranker,
        &mut store,
        &mut index,
        &args.url,
        args.from.as_deref(),
        args.note.as_deref(),
    ))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        let what = if out.known {
            "Al bekend; tip toegevoegd aan"
        } else {
            "Tip opgeslagen als"
        };
        println!("{what} artikel #{}: {}", out.id, out.title);
        if let Some(s) = out.score {
            println!(
                "Score {s:.0}{}",
                out.reason
                    .as_deref()
                    .map(|r| format!(" — {r}"))
                    .unwrap_or_default()
            );
        }
    }
    Ok(0)
}
