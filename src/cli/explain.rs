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
    let adj = super::feedback_for(&store, &[&article])?
        .pop()
        .unwrap_or_default();
    if args.json {
        let mut v = serde_json::to_value(&rel)?;
        if let Some(o) = v.as_object_mut() {
            o.insert("feedback".into(), serde_json::to_value(&adj)?);
        }
        println!("{}", serde_json::to_string_pretty(&v)?);
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
    if !adj.because.is_empty() {
        println!(
            "Feedback van de adviseurs ({:+.0}, rangorde-score {:.0}):",
            adj.delta,
            crate::triage::feedback::adjusted(rel.score, &adj)
        );
        for b in &adj.because {
            println!("  {b}");
        }
    }
    Ok(0)
}
