//! `radar tip URL`: a partner's tip. The page is fetched (through the same
//! guarded client as sources, so private addresses are refused), its
//! article extracted, stored under the `tips` source, scored, clustered
//! and indexed. A tip for an article radar already has is recorded on that
//! article instead.

use super::App;
use crate::extract::{ArticleDraft, urlnorm};
use crate::fetch::Fetcher;
use crate::fulltext;
use crate::pipeline::process_pending;
use crate::store::PageText;

/// Source id under which tips are stored.
pub const TIP_SOURCE: &str = "tips";

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

#[derive(serde::Serialize)]
struct Outcome {
    id: i64,
    known: bool,
    title: String,
    score: Option<f32>,
    reason: Option<String>,
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    let url = url::Url::parse(args.url.trim())
        .map_err(|e| anyhow::anyhow!("`{}` is not a valid URL: {e}", args.url))?;
    if !matches!(url.scheme(), "http" | "https") {
        anyhow::bail!(
            "`{}`: only http and https addresses can be tipped",
            args.url
        );
    }
    let from = args
        .from
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let note = args
        .note
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let (mut store, mut index) = app.open(true)?;
    let known = urlnorm::canonical(url.as_str())
        .map(|c| store.article_by_canonical_url(&c))
        .transpose()?
        .flatten();
    let (id, known) = match known {
        Some(id) => (id, true),
        None => {
            let fetcher = Fetcher::new(&app.config.fetch).map_err(anyhow::Error::msg)?;
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let page = rt
                .block_on(fulltext::fetch_page(&fetcher, &url))
                .map_err(|e| anyhow::anyhow!("tip {url}: {e}"))?;
            let e = page.extracted;
            let title = e
                .title
                .clone()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| url.to_string());
            let draft = ArticleDraft::new(
                None,
                Some(page.final_url.clone()),
                &title,
                e.byline.clone(),
                e.published,
                None,
                e.text.clone(),
            );
            store.ensure_tip_source(TIP_SOURCE, "Tips van partners")?;
            store.upsert_articles(TIP_SOURCE, std::slice::from_ref(&draft))?;
            let id = draft
                .canonical_url
                .as_deref()
                .map(|c| store.article_by_canonical_url(c))
                .transpose()?
                .flatten()
                .ok_or_else(|| anyhow::anyhow!("tip {url}: stored article not found"))?;
            store.apply_page_text(
                id,
                &PageText {
                    text: e.text,
                    html: e.html,
                    author: e.byline,
                    published: e.published,
                    image_url: e.lead_image,
                    method: format!("tip:{}", e.method),
                },
            )?;
            (id, false)
        }
    };
    store.record_tip(id, from, note)?;
    process_pending(&mut store, &mut index, &app.ranker)?;
    let a = store
        .article(id)?
        .ok_or_else(|| anyhow::anyhow!("article {id} vanished"))?;
    let reason = store
        .relevance(id)?
        .and_then(|j| serde_json::from_str::<crate::rank::Relevance>(&j).ok())
        .map(|r| r.reason);
    let out = Outcome {
        id,
        known,
        title: a.title.clone(),
        score: a.score,
        reason,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        let what = if known {
            "Al bekend; tip toegevoegd aan"
        } else {
            "Tip opgeslagen als"
        };
        println!("{what} artikel #{id}: {}", out.title);
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
