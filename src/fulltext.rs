//! Full article text for feed items that only carry a teaser: fetch the
//! article page, extract the article, and keep the result only when it is
//! clearly the same story and more of it. Otherwise the feed text stays and
//! the reason is recorded. Also the page fetch behind `radar tip` and
//! `radar extract URL`.

use std::sync::Arc;

use chrono::{Duration, Utc};
use tokio::sync::Semaphore;

use crate::config::{ExtractConfig, FullText};
use crate::extract::article::{self, Extracted, Limits};
use crate::extract::rules::{self, BodyRules, RulesError};
use crate::fetch::{FetchOutcome, Fetcher};
use crate::sources::{Location, Source};
use crate::store::{FullTextCandidate, PageText, Store, StoreError};

/// A fetched and extracted page.
#[derive(Debug, Clone)]
pub struct Page {
    /// The URL after redirects.
    pub final_url: String,
    /// What the extractor found.
    pub extracted: Extracted,
}

/// Why a page gave no article.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PageError {
    /// The fetch failed (kind and message as for sources).
    #[error("{kind}: {message}")]
    Fetch {
        /// Error kind name (`timeout`, `http_status`, `blocked_address`, ...).
        kind: &'static str,
        /// Detail.
        message: String,
    },
    /// The response was not HTML.
    #[error("not an HTML page (Content-Type {0})")]
    NotHtml(String),
    /// The extractor refused the page or found no article.
    #[error("extraction failed: {0}")]
    Extract(#[from] article::ExtractError),
    /// The per-site rules are unusable (a selector given on the command line).
    #[error("{0}")]
    Rules(String),
}

/// Fetches `url` and extracts its article, under the source's per-site
/// `rules` when it has them. Extraction runs on a blocking thread: it is
/// CPU work with its own time budget.
pub async fn fetch_page(
    fetcher: &Fetcher,
    url: &url::Url,
    rules: &BodyRules,
) -> Result<Page, PageError> {
    let loc = Location::Http(url.clone());
    match fetcher.fetch(&loc, &Default::default()).await {
        FetchOutcome::Fresh {
            body,
            content_type,
            final_url,
            ..
        } => {
            if let Some(ct) = &content_type {
                let ct_l = ct.to_ascii_lowercase();
                if !(ct_l.contains("html") || ct_l.contains("xml") || ct_l.starts_with("text/")) {
                    return Err(PageError::NotHtml(ct.clone()));
                }
            }
            let final_url = final_url.unwrap_or_else(|| url.to_string());
            let base = final_url.clone();
            let rules = rules.clone();
            let extracted = tokio::task::spawn_blocking(move || {
                let html = crate::extract::encoding::decode(&body, content_type.as_deref()).text;
                rules::extract(&html, Some(&base), &rules, &Limits::default())
            })
            .await
            .map_err(|e| PageError::Fetch {
                kind: "error",
                message: format!("extractor crashed: {e}"),
            })?
            .map_err(|e| match e {
                RulesError::Extract(e) => PageError::Extract(e),
                other => PageError::Rules(other.to_string()),
            })?;
            Ok(Page {
                final_url,
                extracted,
            })
        }
        FetchOutcome::NotModified { status, .. } => Err(PageError::Fetch {
            kind: "http_status",
            message: format!("unexpected {status} for an unconditional request"),
        }),
        FetchOutcome::Failed(f) => Err(PageError::Fetch {
            kind: f.kind.as_str(),
            message: f.message,
        }),
    }
}

/// Number of words in `text`.
pub fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Whether a feed text counts as a teaser under `auto`.
pub fn is_teaser(text: &str, min_words: usize) -> bool {
    word_count(text) < min_words
}

fn words(text: &str) -> std::collections::HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() > 3)
        .map(str::to_lowercase)
        .collect()
}

/// Whether the extracted text can replace the feed text: it must be longer
/// (a cookie wall or a login page is usually shorter than the teaser) and
/// about the same story (most of the longer title words, or of the teaser's
/// words, appear in it). Returns the reason when it cannot.
pub fn judge(feed_title: &str, feed_text: &str, extracted: &str) -> Result<(), String> {
    let n_ext = word_count(extracted);
    let n_feed = word_count(feed_text);
    if n_ext < 40 || n_ext <= n_feed {
        return Err(format!(
            "the page gave {n_ext} words, not more than the feed's {n_feed}"
        ));
    }
    let page = words(extracted);
    let share = |probe: &std::collections::HashSet<String>| {
        if probe.is_empty() {
            None
        } else {
            Some(probe.iter().filter(|w| page.contains(*w)).count() as f64 / probe.len() as f64)
        }
    };
    let title = share(&words(feed_title));
    let teaser = share(&words(feed_text));
    let same = title.is_some_and(|s| s >= 0.5) || teaser.is_some_and(|s| s >= 0.6);
    if !same && (title.is_some() || teaser.is_some()) {
        return Err("the page text does not match the feed item (another story or a wall)".into());
    }
    Ok(())
}

/// What a full-text pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FullTextReport {
    /// Pages fetched.
    pub fetched: usize,
    /// Articles whose text was replaced by the page's.
    pub extracted: usize,
    /// Articles that keep the feed text (long enough, or policy `never`).
    pub kept: usize,
    /// Pages that failed or gave junk (feed text kept, reason recorded).
    pub failed: usize,
}

/// The policy of `source` under `cfg`.
pub fn policy(source: &Source, cfg: &ExtractConfig) -> FullText {
    source.full_text.unwrap_or(cfg.full_text)
}

/// Fetches article pages for the feed items of `sources` that wait for one
/// (at most `cfg.max_per_run`, `concurrency` at a time) and stores what the
/// pages gave. Safe to call after every refresh: items are considered once.
pub async fn fill_pending(
    store: &mut Store,
    fetcher: &Fetcher,
    sources: &[Source],
    cfg: &ExtractConfig,
    concurrency: usize,
) -> Result<FullTextReport, StoreError> {
    let mut report = FullTextReport::default();
    let ids: Vec<String> = sources.iter().map(|s| s.id.clone()).collect();
    let since = Utc::now() - Duration::days(cfg.max_age_days as i64);
    let pending = tokio::task::block_in_place(|| store.fulltext_pending(&ids, since, 10_000))?;
    let mut to_fetch: Vec<FullTextCandidate> = Vec::new();
    // Items that keep their feed text without a fetch: marked in one go.
    let mut kept: Vec<(i64, Option<String>)> = Vec::new();
    for c in pending {
        let Some(src) = sources.iter().find(|s| s.id == c.source_id) else {
            continue;
        };
        let wanted = match policy(src, cfg) {
            FullText::Never => false,
            FullText::Always => true,
            FullText::Auto => is_teaser(&c.text, cfg.min_words),
        };
        let http = url::Url::parse(&c.url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"));
        if !wanted || http.is_none() {
            kept.push((c.id, None));
        } else if to_fetch.len() < cfg.max_per_run {
            to_fetch.push(c);
        }
    }
    report.kept = kept.len();
    tokio::task::block_in_place(|| store.keep_feed_texts(&kept))?;
    let limit = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for c in to_fetch {
        let fetcher = fetcher.clone();
        let limit = limit.clone();
        let rules = sources
            .iter()
            .find(|s| s.id == c.source_id)
            .map(|s| s.rules.clone())
            .unwrap_or_default();
        tasks.spawn(async move {
            let _permit = limit.acquire_owned().await;
            let url = url::Url::parse(&c.url).expect("checked above");
            let page = fetch_page(&fetcher, &url, &rules).await;
            (c, page)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        let Ok((c, page)) = joined else { continue };
        report.fetched += 1;
        let verdict = page.map_err(|e| e.to_string()).and_then(|p| {
            judge(&c.title, &c.text, &p.extracted.text)?;
            Ok(p)
        });
        match verdict {
            Ok(p) => {
                let e = p.extracted;
                let page = PageText {
                    text: e.text,
                    html: e.html,
                    author: e.byline,
                    published: e.published,
                    image_url: e.lead_image,
                    method: format!("extracted:{}", e.method),
                };
                tokio::task::block_in_place(|| store.apply_page_text(c.id, &page))?;
                report.extracted += 1;
            }
            Err(why) => {
                tracing::info!(article = c.id, url = %c.url, error = %why, "kept feed text");
                tokio::task::block_in_place(|| store.keep_feed_texts(&[(c.id, Some(why))]))?;
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEASER: &str =
        "Zorggroep Noord start met een leerwerkplaats voor zij-instromers in de wijkverpleging.";

    fn story(n: usize) -> String {
        let base = "Zorggroep Noord start een leerwerkplaats voor zij-instromers in de wijkverpleging. \
                    Nieuwe collega's leren het vak op de werkvloer met begeleiding van ervaren verpleegkundigen. ";
        base.repeat(n)
    }

    #[test]
    fn longer_text_about_the_same_story_replaces_the_teaser() {
        assert!(judge("Leerwerkplaats voor zij-instromers", TEASER, &story(5)).is_ok());
    }

    #[test]
    fn a_cookie_wall_or_short_page_is_refused() {
        let wall = "Wij gebruiken cookies. Accepteer alle cookies om verder te gaan.";
        let err = judge("Leerwerkplaats voor zij-instromers", TEASER, wall).unwrap_err();
        assert!(err.contains("not more than"), "{err}");
    }

    #[test]
    fn another_story_is_refused() {
        let other = "De gemeenteraad besprak gisteren de begroting voor het komende jaar en de \
                     plannen voor nieuwe fietspaden langs de rivier. "
            .repeat(6);
        let err = judge("Leerwerkplaats voor zij-instromers", TEASER, &other).unwrap_err();
        assert!(err.contains("does not match"), "{err}");
    }

    #[test]
    fn teaser_threshold_counts_words() {
        assert!(is_teaser(TEASER, 150));
        assert!(!is_teaser(&story(10), 150));
    }
}
