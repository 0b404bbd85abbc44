//! `radar extract FILE|URL`: the article extractor on one page, to check
//! what radar will read from a site, and to try per-site rules
//! (`--include`, `--exclude`, or those of a configured `--source`).

use std::path::PathBuf;

use super::App;
use crate::extract::article::{Extracted, Limits};
use crate::extract::rules::{self, BodyRules};
use crate::fetch::Fetcher;
use crate::fulltext;

/// Arguments of `radar extract`.
#[derive(clap::Args)]
pub struct Args {
    /// An HTML file, or an http(s) URL to fetch
    page: String,
    /// The page's own URL, for making links absolute (files only)
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Print as JSON (fields: url, title, byline, published, lead_image, method, words, text, html)
    #[arg(long)]
    json: bool,
    /// Use the per-site rules (include, exclude) of this configured source
    #[arg(long, value_name = "ID")]
    source: Option<String>,
    /// CSS selector of the article body (overrides the source's)
    #[arg(long, value_name = "CSS")]
    include: Option<String>,
    /// CSS selector of elements to remove first (overrides the source's)
    #[arg(long, value_name = "CSS")]
    exclude: Option<String>,
}

/// The rules to try: the source's, with those given on the command line
/// taking their place.
fn rules_of(app: &App, args: &Args) -> anyhow::Result<BodyRules> {
    let mut rules = match &args.source {
        Some(id) => {
            let all =
                crate::sources::load_dir(&app.config.sources.dir, app.config.sources.allow_files)?;
            let Some(s) = all.into_iter().find(|s| &s.id == id) else {
                anyhow::bail!("unknown source id `{id}` (see `radar sources`)");
            };
            s.rules
        }
        None => BodyRules::default(),
    };
    for (given, slot, key) in [
        (&args.include, &mut rules.include, "--include"),
        (&args.exclude, &mut rules.exclude, "--exclude"),
    ] {
        if let Some(css) = given {
            rules::check_selector(css)
                .map_err(|e| anyhow::anyhow!("{key}: {css:?} is not a valid CSS selector: {e}"))?;
            *slot = Some(css.clone());
        }
    }
    Ok(rules)
}

#[derive(serde::Serialize)]
struct Output<'a> {
    url: Option<&'a str>,
    title: Option<&'a str>,
    byline: Option<&'a str>,
    published: Option<chrono::DateTime<chrono::Utc>>,
    lead_image: Option<&'a str>,
    method: &'a str,
    words: usize,
    text: &'a str,
    html: &'a str,
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    let rules = rules_of(app, &args)?;
    let (extracted, url) = match url::Url::parse(&args.page) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => {
            let fetcher = Fetcher::new(&app.config.fetch).map_err(anyhow::Error::msg)?;
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let page = rt
                .block_on(fulltext::fetch_page(&fetcher, &u, &rules))
                .map_err(|e| anyhow::anyhow!("{}: {e}", args.page))?;
            (page.extracted, Some(page.final_url))
        }
        Ok(u) if u.scheme() != "file" && u.scheme().len() > 1 => {
            anyhow::bail!(
                "{}: unsupported scheme `{}` (use http, https or a file path)",
                args.page,
                u.scheme()
            )
        }
        _ => {
            let path = match url::Url::parse(&args.page) {
                Ok(u) if u.scheme() == "file" => u
                    .to_file_path()
                    .map_err(|_| anyhow::anyhow!("{}: not a local file URL", args.page))?,
                _ => PathBuf::from(&args.page),
            };
            let bytes = std::fs::read(&path)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
            let html = crate::extract::encoding::decode(&bytes, None).text;
            let e = rules::extract(&html, args.url.as_deref(), &rules, &Limits::default())
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            (e, args.url.clone())
        }
    };
    print(&extracted, url.as_deref(), args.json)?;
    Ok(0)
}

fn print(e: &Extracted, url: Option<&str>, json: bool) -> anyhow::Result<()> {
    let words = fulltext::word_count(&e.text);
    if json {
        let out = Output {
            url,
            title: e.title.as_deref(),
            byline: e.byline.as_deref(),
            published: e.published,
            lead_image: e.lead_image.as_deref(),
            method: e.method,
            words,
            text: &e.text,
            html: &e.html,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let title = e.title.as_deref().unwrap_or("(zonder titel)");
    println!("{title}");
    println!("{}", "=".repeat(title.chars().count().min(80)));
    if let Some(u) = url {
        println!("Link:        {u}");
    }
    if let Some(b) = &e.byline {
        println!("Auteur:      {b}");
    }
    println!("Datum:       {}", super::nl_date(e.published));
    if let Some(i) = &e.lead_image {
        println!("Afbeelding:  {i}");
    }
    println!("Methode:     {} ({words} woorden)", e.method);
    println!();
    println!("{}", e.text);
    Ok(())
}
