//! `radar show ID`: one article in full.

use super::{App, nl_date};

/// Arguments of `radar show`.
#[derive(clap::Args)]
pub struct Args {
    /// Article id (as shown by search)
    id: i64,
    /// Print as JSON
    #[arg(long)]
    json: bool,
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    let (store, _index) = app.open(false)?;
    let Some(a) = store.article(args.id)? else {
        anyhow::bail!("no article with id {}", args.id);
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&a)?);
        return Ok(0);
    }
    println!("{}", a.title);
    println!("{}", "=".repeat(a.title.chars().count().min(80)));
    println!("Bron:        {}", a.source_name);
    println!("Gepubliceerd: {}", nl_date(a.published));
    println!("Gevonden:    {}", nl_date(Some(a.first_seen)));
    if let Some(au) = &a.author {
        println!("Auteur:      {au}");
    }
    if let Some(u) = &a.url {
        println!("Link:        {u}");
    }
    println!();
    if let Some(s) = a.summary.as_ref().filter(|s| **s != a.text) {
        println!("{s}\n");
    }
    println!("{}", a.text);
    Ok(0)
}
