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
    let triage = store.triage_item(a.id)?;
    let dismissed_story = store.is_dismissed_story(a.id)?;
    if args.json {
        #[derive(serde::Serialize)]
        struct ShowJson<'a> {
            #[serde(flatten)]
            article: &'a crate::store::Article,
            triage: Option<crate::store::TriageItem>,
            dismissed_story: bool,
        }
        let out = ShowJson {
            article: &a,
            triage,
            dismissed_story,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
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
    if let Some(from) = &a.tip_from {
        println!("Tip van:     {from}");
    }
    if let Some(note) = &a.tip_note {
        println!("Tipnotitie:  {note}");
    }
    let method = match a.text_method.as_deref() {
        Some(m) if m.starts_with("extracted") => "volledige tekst van de webpagina".to_string(),
        Some(m) if m.starts_with("tip") => "webpagina (tip)".to_string(),
        _ => match store.fulltext_error(a.id)? {
            Some(e) => format!("tekst uit de feed (webpagina niet gebruikt: {e})"),
            None => "tekst uit de feed".to_string(),
        },
    };
    println!("Tekst:       {method}");
    if let Some(score) = a.score {
        let reason = store
            .relevance(a.id)?
            .and_then(|j| serde_json::from_str::<crate::rank::Relevance>(&j).ok())
            .map(|r| r.reason)
            .unwrap_or_default();
        println!("Score:       {score:.0} — {reason}");
        let mut facets = Vec::new();
        if let Some(s) = &a.sector {
            facets.push(format!("sector {s}"));
        }
        if let Some(r) = &a.region {
            facets.push(format!("regio {r}"));
        }
        if !a.themes.is_empty() {
            facets.push(format!("thema's {}", a.themes.join(", ")));
        }
        if !facets.is_empty() {
            println!("Kenmerken:   {}", facets.join(" · "));
        }
    }
    let others = store.cluster_members(a.id)?;
    if !others.is_empty() {
        let list: Vec<String> = others
            .iter()
            .map(|o| {
                format!(
                    "{} (#{}, {})",
                    o.source_name,
                    o.id,
                    nl_date(Some(o.first_seen))
                )
            })
            .collect();
        println!("Ook in:      {}", list.join("; "));
    }
    match &triage {
        Some(item) => {
            println!();
            print!("{}", super::triage::item_text(item));
        }
        None if dismissed_story => {
            println!("Status:      afgewezen (een ander exemplaar van dit verhaal)");
        }
        None => println!("Status:      nieuw (radar flag {} om te volgen)", a.id),
    }
    println!();
    if let Some(s) = a
        .summary
        .as_ref()
        .filter(|s| !a.text.starts_with(s.as_str()))
    {
        println!("{s}\n");
    }
    println!("{}", a.text);
    Ok(0)
}
