//! `radar explain ID`: why an article got its score.

use super::App;
use crate::rank::{Relevance, explain_text};

/// Arguments of `radar explain`.
#[derive(clap::Args)]
pub struct Args {
    /// Article id
    id: i64,
    /// Print the explanation as JSON
    #[arg(long)]
    json: bool,
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    let (store, _index) = app.open(false)?;
    let Some(article) = store.article(args.id)? else {
        anyhow::bail!("no article with id {}", args.id);
    };
    // Explain with the current rules, so the explanation matches what a
    // rescore would store (the stored one may come from older rules).
    let tags = store
        .sources()?
        .into_iter()
        .find(|s| s.id == article.source_id)
        .map(|s| s.tags)
        .unwrap_or_default();
    let rel: Relevance = app.ranker.score(&article, &tags);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rel)?);
        return Ok(0);
    }
    println!("#{} {}", article.id, article.title);
    println!(
        "{} · {}",
        article.source_name,
        article.url.as_deref().unwrap_or("-")
    );
    let others = store.cluster_members(article.id)?;
    if !others.is_empty() {
        let names: Vec<&str> = others.iter().map(|o| o.source_name.as_str()).collect();
        println!("Ook verschenen bij: {}", names.join(", "));
    }
    println!();
    println!("{}", explain_text(&rel));
    Ok(0)
}
