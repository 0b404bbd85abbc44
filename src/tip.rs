//! A partner's tip: one URL in, one stored, scored and indexed article out.
//! Shared by `radar tip` and the web form on the Bronnen page. The page is
//! fetched through the same guarded client as sources (private addresses
//! are refused), its article extracted, stored under the `tips` source,
//! scored, clustered and indexed. A tip for an article radar already has is
//! recorded on that article instead, without fetching.

use crate::config::Config;
use crate::extract::{ArticleDraft, urlnorm};
use crate::fetch::Fetcher;
use crate::fulltext;
use crate::index::SearchIndex;
use crate::pipeline::{Ranker, process_pending};
use crate::store::{PageText, Store};

/// Source id under which tips are stored.
pub const TIP_SOURCE: &str = "tips";

/// What a tip did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TipOutcome {
    /// The article the tip is recorded on.
    pub id: i64,
    /// Whether radar already had the article.
    pub known: bool,
    /// Its title.
    pub title: String,
    /// Its score, once scored.
    pub score: Option<f32>,
    /// The one-line reason of the score.
    pub reason: Option<String>,
}

/// Why a tip was refused.
#[derive(Debug, thiserror::Error)]
pub enum TipError {
    /// Not a URL at all.
    #[error("`{0}` is not a valid URL")]
    BadUrl(String),
    /// A URL, but not http(s).
    #[error("`{0}`: only http and https addresses can be tipped")]
    NotHttp(String),
    /// The page could not be fetched or has no article text.
    #[error("tip {url}: {message}")]
    Page {
        /// The tipped URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// Store, index or pipeline failure.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Parses and checks a tipped URL (http and https only).
pub fn parse_url(raw: &str) -> Result<url::Url, TipError> {
    let url = url::Url::parse(raw.trim()).map_err(|_| TipError::BadUrl(raw.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(TipError::NotHttp(raw.to_string()));
    }
    Ok(url)
}

fn clean(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// Adds a tip. `index` must be writable. Async because the page fetch is;
/// the store work is short and runs inline.
pub async fn add(
    config: &Config,
    ranker: &Ranker,
    store: &mut Store,
    index: &mut SearchIndex,
    raw_url: &str,
    from: Option<&str>,
    note: Option<&str>,
) -> Result<TipOutcome, TipError> {
    let url = parse_url(raw_url)?;
    let (from, note) = (clean(from), clean(note));
    let known = urlnorm::canonical(url.as_str())
        .map(|c| store.article_by_canonical_url(&c))
        .transpose()
        .map_err(anyhow::Error::from)?
        .flatten();
    let (id, known) = match known {
        Some(id) => (id, true),
        None => {
            let fetcher = Fetcher::new(&config.fetch).map_err(anyhow::Error::msg)?;
            let page = fulltext::fetch_page(&fetcher, &url, &Default::default())
                .await
                .map_err(|e| TipError::Page {
                    url: url.to_string(),
                    message: e.to_string(),
                })?;
            (store_page(store, &url, page)?, false)
        }
    };
    store
        .record_tip(id, from, note)
        .map_err(anyhow::Error::from)?;
    process_pending(store, index, ranker).map_err(anyhow::Error::from)?;
    let a = store
        .article(id)
        .map_err(anyhow::Error::from)?
        .ok_or_else(|| anyhow::anyhow!("article {id} vanished"))?;
    let reason = store
        .relevance(id)
        .map_err(anyhow::Error::from)?
        .and_then(|j| serde_json::from_str::<crate::rank::Relevance>(&j).ok())
        .map(|r| r.reason);
    Ok(TipOutcome {
        id,
        known,
        title: a.title,
        score: a.score,
        reason,
    })
}

fn store_page(store: &mut Store, url: &url::Url, page: fulltext::Page) -> anyhow::Result<i64> {
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
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_with_a_host_are_accepted() {
        assert!(parse_url(" https://zorg.nl/a ").is_ok());
        for bad in [
            "ftp://zorg.nl/a",
            "javascript:alert(1)",
            "file:///etc/passwd",
        ] {
            assert!(matches!(parse_url(bad), Err(TipError::NotHttp(_))), "{bad}");
        }
        assert!(matches!(parse_url("geen url"), Err(TipError::BadUrl(_))));
    }
}
