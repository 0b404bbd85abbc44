//! List pages (`kind = "page"`): a news overview without a feed.
//!
//! One pass: fetch the list page (conditionally, with the stored
//! validators) → pick the item links with the source's `items` selector
//! (made absolute, canonicalised, same site only; `title`, `date` and
//! `summary` are read relative to each item) → while every link so far is
//! new, read the next (older) page too, up to `max_pages` → for each link the store has
//! not seen, fetch the page and extract the article: with the source's
//! `include`/`exclude` selectors when it has them, else the generic
//! extractor ([`crate::extract::article`]). Links are never fetched twice:
//! stored articles are known by canonical URL, and links that yielded no
//! article for a lasting reason (404, not HTML, no content) are remembered.
//! A link that failed for a passing reason (timeout, 5xx) is retried next
//! pass: the list page's validators are then not updated.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use scraper::{ElementRef, Html, Selector};

use super::{Known, Outcome};
use crate::extract::article::{ExtractError, Limits};
use crate::extract::rules::{self, BodyRules, RulesError};
use crate::extract::{ArticleDraft, encoding, html, urlnorm};
use crate::fetch::{ErrorKind, FetchFailure, FetchOutcome, Fetcher};
use crate::sources::{Location, PageRules, Source};
use crate::store::{FetchState, IntakeMark};

/// Largest list or article page parsed here (the extractor has its own cap).
const MAX_PAGE_BYTES: usize = 5 * 1024 * 1024;
/// Deepest nesting handed to the HTML parser.
const MAX_DEPTH: usize = 256;

/// One item link of a list page.
#[derive(Debug, Clone, PartialEq)]
pub struct ListItem {
    /// Absolute URL as found, without fragment and tracking parameters.
    pub url: String,
    /// Canonical form (the dedup key).
    pub canonical: String,
    /// From the `title` selector, else the link text.
    pub title: Option<String>,
    /// From the `date` selector.
    pub published: Option<DateTime<Utc>>,
    /// From the `summary` selector.
    pub summary: Option<String>,
}

/// Parses HTML with the size and nesting caps applied.
pub(crate) fn parse_capped(page: &str) -> Html {
    let page = html::truncate(page, MAX_PAGE_BYTES);
    Html::parse_document(&html::cap_nesting(page, MAX_DEPTH))
}

fn selector(s: &str) -> Result<Selector, String> {
    Selector::parse(s).map_err(|e| format!("invalid CSS selector {s:?}: {e}"))
}

fn text_of(el: ElementRef) -> String {
    el.text()
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `link` is on the same site as `page`: the same host, ignoring a
/// leading `www.`, or a subdomain of it.
pub fn same_site(page: &url::Url, link: &url::Url) -> bool {
    let strip = |h: &str| h.trim_start_matches("www.").to_ascii_lowercase();
    let (Some(a), Some(b)) = (page.host_str(), link.host_str()) else {
        return false;
    };
    let (a, b) = (strip(a), strip(b));
    a == b || b.ends_with(&format!(".{a}")) || a.ends_with(&format!(".{b}"))
}

/// One list page as read: its item links and the link to the next (older)
/// page, if it has one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListPage {
    /// The item links, as [`collect_items`] returns them.
    pub items: Vec<ListItem>,
    /// Absolute URL of the next page: by the source's `next` selector, else
    /// a `rel="next"` link; on the same site and not the page itself.
    pub next: Option<String>,
}

/// Where the next page is found when the source names no `next` selector:
/// the pagination link HTML defines (WordPress, Drupal and most CMSs write
/// it on their pagers).
const NEXT_BY_REL: &str = "link[rel~=next][href], a[rel~=next][href]";

/// The item links of a list page, in page order, without duplicates (by
/// canonical URL) and without links to other sites or to the page itself.
pub fn collect_items(
    page: &str,
    page_url: &str,
    rules: &PageRules,
) -> Result<Vec<ListItem>, String> {
    read_list(page, page_url, rules).map(|l| l.items)
}

/// Reads one list page: its item links (see [`collect_items`]) and the link
/// to its next page.
pub fn read_list(page: &str, page_url: &str, rules: &PageRules) -> Result<ListPage, String> {
    let base = url::Url::parse(page_url).map_err(|e| format!("bad page URL {page_url}: {e}"))?;
    let doc = parse_capped(page);
    let mut base_eff = base.clone();
    if let Some(href) = doc
        .select(&selector("base[href]")?)
        .next()
        .and_then(|b| b.value().attr("href"))
    {
        if let Ok(b) = base.join(href) {
            base_eff = b;
        }
    }
    let items = selector(&rules.items)?;
    let link_sel = selector("a[href]")?;
    let rel = |s: &Option<String>| s.as_deref().map(selector).transpose();
    let (title_sel, date_sel, summary_sel) =
        (rel(&rules.title)?, rel(&rules.date)?, rel(&rules.summary)?);
    let own = urlnorm::canonical(base.as_str());
    // A link of this page to follow: absolute, http(s), on the same site,
    // not the page itself; with its canonical form.
    let follow = |el: ElementRef| -> Option<(url::Url, String)> {
        let href = el.value().attr("href")?.trim();
        let abs = base_eff.join(href).ok()?;
        if !matches!(abs.scheme(), "http" | "https") || !same_site(&base, &abs) {
            return None;
        }
        let canonical = urlnorm::canonical(abs.as_str())?;
        (Some(&canonical) != own.as_ref()).then_some((abs, canonical))
    };
    let next_sel = selector(rules.next.as_deref().unwrap_or(NEXT_BY_REL))?;
    let next = doc
        .select(&next_sel)
        .filter_map(|el| {
            if el.value().attr("href").is_some() {
                Some(el)
            } else {
                el.select(&link_sel).next()
            }
        })
        .find_map(&follow)
        .map(|(abs, _)| without_tracking(abs).to_string());
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for item in doc.select(&items) {
        let link = if item.value().name() == "a" && item.value().attr("href").is_some() {
            item
        } else if let Some(a) = item.select(&link_sel).next() {
            a
        } else {
            continue;
        };
        let Some((abs, canonical)) = follow(link) else {
            continue;
        };
        if !seen.insert(canonical.clone()) {
            continue;
        }
        let pick = |sel: &Option<Selector>| {
            sel.as_ref()
                .and_then(|s| item.select(s).next())
                .map(|e| (e, text_of(e)))
        };
        let title = pick(&title_sel)
            .map(|(_, t)| t)
            .filter(|t| !t.is_empty())
            .or_else(|| Some(text_of(link)).filter(|t| !t.is_empty()));
        let published = pick(&date_sel).and_then(|(e, t)| {
            e.value()
                .attr("datetime")
                .and_then(parse_date)
                .or_else(|| parse_date(&t))
        });
        let summary = pick(&summary_sel).map(|(_, t)| t).filter(|t| !t.is_empty());
        out.push(ListItem {
            url: without_tracking(abs).to_string(),
            canonical,
            title,
            published,
            summary,
        });
    }
    Ok(ListPage { items: out, next })
}

/// The URL to request: as found, without fragment and tracking parameters
/// (unlike the canonical form, path and case are kept as the site wrote them).
fn without_tracking(mut u: url::Url) -> url::Url {
    u.set_fragment(None);
    if u.query().is_some() {
        let kept: Vec<(String, String)> = u
            .query_pairs()
            .filter(|(k, _)| !urlnorm::is_tracking(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            u.set_query(None);
        } else {
            u.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    u
}

const MONTHS: &[(&str, u32)] = &[
    ("januari", 1),
    ("jan", 1),
    ("februari", 2),
    ("feb", 2),
    ("maart", 3),
    ("mrt", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("mei", 5),
    ("juni", 6),
    ("jun", 6),
    ("juli", 7),
    ("jul", 7),
    ("augustus", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("oktober", 10),
    ("okt", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

static DATE_RES: std::sync::LazyLock<[regex::Regex; 3]> = std::sync::LazyLock::new(|| {
    [
        regex::Regex::new(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b").expect("static regex"),
        regex::Regex::new(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b").expect("static regex"),
        regex::Regex::new(r"(?i)\b(\d{1,2})\s+([a-z]{3,9})\.?\s+(\d{4})\b").expect("static regex"),
    ]
});

/// A date as list pages write it: ISO 8601 / RFC 3339, `2025-03-12`,
/// `12-03-2025`, `12/03/2025`, `12 maart 2025`, `wo 12 mrt. 2025`.
/// Dates without a time are taken at noon UTC (the day stays the day).
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    let day = |y: i32, m: u32, d: u32| {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map(|t| Utc.from_utc_datetime(&t))
    };
    let [iso, dmy, named] = &*DATE_RES;
    if let Some(c) = iso.captures(s) {
        return day(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?);
    }
    if let Some(c) = dmy.captures(s) {
        return day(c[3].parse().ok()?, c[2].parse().ok()?, c[1].parse().ok()?);
    }
    for c in named.captures_iter(s) {
        let name = c[2].to_lowercase();
        if let Some((_, m)) = MONTHS.iter().find(|(n, _)| *n == name) {
            return day(c[3].parse().ok()?, *m, c[1].parse().ok()?);
        }
    }
    None
}

/// Why an article page gave no article.
#[derive(Debug, Clone, PartialEq)]
pub struct PageFailure {
    /// Lasting (remember the link) or passing (retry next pass).
    pub lasting: bool,
    /// What happened.
    pub message: String,
}

/// The article on one fetched page, by the source's rules or the generic
/// extractor, merged with what the list page said about it; with how the
/// text was obtained (`extracted:rules`, `extracted:<method>`, or `feed`
/// for the list's summary), as stored in `text_method`.
pub fn article_from_page(
    page: &str,
    item: &ListItem,
    rules: &BodyRules,
) -> Result<(ArticleDraft, String), PageFailure> {
    let lasting = |message: String| PageFailure {
        lasting: true,
        message,
    };
    let (title, byline, published, text, method) =
        match rules::extract(page, Some(&item.url), rules, &Limits::default()) {
            Ok(x) => (
                x.title,
                x.byline,
                x.published,
                x.text,
                format!("extracted:{}", x.method),
            ),
            // Like a feed's teaser: better than nothing.
            Err(_) if item.summary.is_some() => (
                None,
                None,
                None,
                item.summary.clone().unwrap_or_default(),
                "feed".into(),
            ),
            Err(RulesError::Extract(ExtractError::NoContent)) => {
                return Err(lasting("no article text found on the page".into()));
            }
            Err(e) => return Err(lasting(e.to_string())),
        };
    let title = item
        .title
        .clone()
        .filter(|t| t.split_whitespace().count() >= 2)
        .or(title)
        .or_else(|| item.title.clone())
        .unwrap_or_else(|| {
            text.split_whitespace()
                .take(12)
                .collect::<Vec<_>>()
                .join(" ")
        });
    let draft = ArticleDraft::new(
        None,
        Some(item.url.clone()),
        &title,
        byline,
        item.published.or(published),
        item.summary.clone(),
        text,
    );
    Ok((draft, method))
}

/// Decodes and reads a list page off the async threads.
async fn read_in_background(
    body: Vec<u8>,
    content_type: Option<String>,
    page_url: String,
    rules: PageRules,
) -> Result<ListPage, String> {
    tokio::task::spawn_blocking(move || {
        let text = encoding::decode(&body, content_type.as_deref()).text;
        read_list(&text, &page_url, &rules)
    })
    .await
    .unwrap_or_else(|e| Err(format!("list parser crashed: {e}")))
}

fn passing(f: &FetchFailure) -> bool {
    match f.kind {
        ErrorKind::HttpStatus => f.http_status.is_none_or(|s| s == 429 || s >= 500),
        ErrorKind::Timeout | ErrorKind::Connect | ErrorKind::Decode | ErrorKind::Other => true,
        _ => false,
    }
}

/// One pass over a list-page source.
pub(super) async fn refresh(
    source: &Source,
    fetcher: &Fetcher,
    state: &FetchState,
    known: &Known,
) -> Outcome {
    let Some(rules) = source.page.clone() else {
        return Outcome::failed(ErrorKind::Other, "page source without selectors", None);
    };
    let (body, content_type, etag, last_modified, final_url, status) =
        match fetcher.fetch(&source.location, state).await {
            FetchOutcome::Fresh {
                body,
                content_type,
                etag,
                last_modified,
                final_url,
                status,
                ..
            } => (body, content_type, etag, last_modified, final_url, status),
            FetchOutcome::NotModified { status, .. } => {
                return Outcome {
                    http_status: Some(status),
                    quiet: Some("not_modified"),
                    ..Outcome::default()
                };
            }
            FetchOutcome::Failed(f) => {
                return Outcome::failed(f.kind, f.message, f.http_status);
            }
        };
    let hash = crate::pipeline::body_hash(&body);
    if state.body_hash.as_deref() == Some(hash.as_str()) {
        return Outcome {
            http_status: Some(status),
            quiet: Some("unchanged"),
            ..Outcome::default()
        };
    }
    let page_url = match (&final_url, &source.location) {
        (Some(u), _) => u.clone(),
        (None, Location::Http(u)) => u.to_string(),
        (None, Location::File(p)) => url::Url::from_file_path(p)
            .map(|u| u.to_string())
            .unwrap_or_default(),
        // Refused when the source list is loaded.
        (None, Location::Imap { url, .. }) => url.to_string(),
    };
    let first = read_in_background(body, content_type, page_url.clone(), rules.clone()).await;
    let first = match first {
        Ok(l) if l.items.is_empty() => {
            return Outcome::failed(
                ErrorKind::Parse,
                format!(
                    "the items selector {:?} matched no links to this site on {page_url} (has the page changed?)",
                    rules.items
                ),
                Some(status),
            );
        }
        Ok(l) => l,
        Err(e) => return Outcome::failed(ErrorKind::Parse, e, Some(status)),
    };
    let mut out = Outcome {
        http_status: Some(status),
        ..Outcome::default()
    };
    // The new links, page by page: the next (older) page is read only while
    // every link so far was new (else the rest is known already) and fewer
    // than `max_items` were found. A first pass thus reads up to
    // `max_pages` pages; later passes read the first page, and more only
    // when more than a page of news appeared since the last pass.
    let mut fresh: Vec<ListItem> = Vec::new();
    let mut taken = std::collections::HashSet::new();
    let mut visited: std::collections::HashSet<String> =
        urlnorm::canonical(&page_url).into_iter().collect();
    let mut list = first;
    let mut pages = 1;
    loop {
        let on_page = list.items.len();
        let new: Vec<ListItem> = list
            .items
            .into_iter()
            .filter(|i| !known.urls.contains(&i.canonical))
            .filter(|i| !known.seen.contains(&format!("url:{}", i.canonical)))
            .filter(|i| taken.insert(i.canonical.clone()))
            .collect();
        let all_new = new.len() == on_page;
        fresh.extend(new);
        if !all_new || fresh.len() >= rules.max_items || pages >= rules.max_pages {
            break;
        }
        let Some(next) = list.next else { break };
        let Some(next_url) = url::Url::parse(&next).ok() else {
            break;
        };
        if !urlnorm::canonical(&next).is_some_and(|c| visited.insert(c)) {
            break; // a pager that points back
        }
        list = match fetcher
            .fetch(&Location::Http(next_url), &FetchState::default())
            .await
        {
            FetchOutcome::Fresh {
                body, content_type, ..
            } => match read_in_background(body, content_type, next.clone(), rules.clone()).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(source = %source.id, url = %next, error = %e, "next list page unreadable");
                    break;
                }
            },
            FetchOutcome::NotModified { .. } => break,
            FetchOutcome::Failed(f) => {
                tracing::warn!(source = %source.id, url = %next, error = %f.message, "next list page failed");
                break;
            }
        };
        pages += 1;
    }
    let mut retry_later = fresh.len() > rules.max_items;
    let mut failures = Vec::new();
    for item in fresh.into_iter().take(rules.max_items) {
        let Ok(url) = url::Url::parse(&item.url) else {
            continue;
        };
        let fetched = fetcher
            .fetch(&Location::Http(url), &FetchState::default())
            .await;
        let result = match fetched {
            FetchOutcome::Fresh {
                body, content_type, ..
            } => {
                let is_html = content_type.as_deref().is_none_or(|c| {
                    let c = c.to_ascii_lowercase();
                    c.contains("html") || c.contains("xml") || c.starts_with("text/")
                });
                if is_html {
                    let (item, body_rules) = (item.clone(), source.rules.clone());
                    tokio::task::spawn_blocking(move || {
                        let text = encoding::decode(&body, content_type.as_deref()).text;
                        article_from_page(&text, &item, &body_rules)
                    })
                    .await
                    .unwrap_or_else(|e| {
                        Err(PageFailure {
                            lasting: false,
                            message: format!("extractor crashed: {e}"),
                        })
                    })
                } else {
                    Err(PageFailure {
                        lasting: true,
                        message: format!("not an HTML page ({})", content_type.unwrap_or_default()),
                    })
                }
            }
            FetchOutcome::NotModified { .. } => Err(PageFailure {
                lasting: false,
                message: "unexpected 304".into(),
            }),
            FetchOutcome::Failed(f) => Err(PageFailure {
                lasting: !passing(&f),
                message: format!("{}: {}", f.kind.as_str(), f.message),
            }),
        };
        match result {
            Ok((d, method)) => {
                out.text_methods.push((d.key.clone(), method));
                out.drafts.push(d);
            }
            Err(f) => {
                tracing::warn!(source = %source.id, url = %item.url, error = %f.message, lasting = f.lasting, "list item failed");
                if f.lasting {
                    out.marks.push(IntakeMark {
                        key: format!("url:{}", item.canonical),
                        outcome: "failed".into(),
                        detail: Some(f.message.clone()),
                    });
                } else {
                    retry_later = true;
                }
                failures.push(format!("{}: {}", item.url, f.message));
            }
        }
    }
    if out.drafts.is_empty() && !failures.is_empty() {
        out.error = Some((
            ErrorKind::Other,
            format!(
                "all {} new links failed; first: {}",
                failures.len(),
                failures[0]
            ),
        ));
    }
    if !retry_later {
        out.state = Some(FetchState {
            etag,
            last_modified,
            body_hash: Some(hash),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(items: &str) -> PageRules {
        PageRules {
            items: items.into(),
            max_items: 30,
            ..PageRules::default()
        }
    }

    const LIST: &str = r#"<html><head><title>Nieuws</title></head><body>
<nav><a href="/">Home</a><a href="/nieuws">Nieuws</a></nav>
<div class="news">
  <article class="item"><h3>Nieuwe opleiding voor zij-instromers</h3>
    <time datetime="2025-03-12T09:00:00+01:00">12 maart</time>
    <p class="lead">Het ziekenhuis start een opleiding.</p>
    <a href="/nieuws/opleiding?utm_source=home#top">Lees meer</a></article>
  <article class="item"><h3>Wijkteam wint prijs</h3><span class="date">wo 5 feb. 2025</span>
    <a href="https://www.zorggroep.nl/nieuws/prijs">Lees meer</a></article>
  <article class="item"><h3>Extern</h3><a href="https://elders.nl/x">Lees meer</a></article>
  <article class="item"><h3>Dubbel</h3><a href="/nieuws/opleiding">Lees meer</a></article>
  <article class="item"><h3>Geen link</h3></article>
  <article class="item"><a href="javascript:alert(1)">x</a></article>
</div></body></html>"#;

    #[test]
    fn items_are_absolute_canonical_same_site_and_unique() {
        let mut r = rules("article.item");
        r.title = Some("h3".into());
        r.date = Some("time, .date".into());
        r.summary = Some(".lead".into());
        let items = collect_items(LIST, "https://zorggroep.nl/nieuws", &r).unwrap();
        let urls: Vec<&str> = items.iter().map(|i| i.canonical.as_str()).collect();
        assert_eq!(
            urls,
            vec![
                "https://zorggroep.nl/nieuws/opleiding",
                "https://www.zorggroep.nl/nieuws/prijs"
            ]
        );
        assert_eq!(
            items[0].title.as_deref(),
            Some("Nieuwe opleiding voor zij-instromers")
        );
        assert_eq!(
            items[0].published.unwrap().to_rfc3339(),
            "2025-03-12T08:00:00+00:00"
        );
        assert_eq!(
            items[0].summary.as_deref(),
            Some("Het ziekenhuis start een opleiding.")
        );
        assert_eq!(
            items[1].published.unwrap().date_naive().to_string(),
            "2025-02-05"
        );
        // Selecting the links themselves works too; the link text is the title.
        let items = collect_items(LIST, "https://zorggroep.nl/nieuws", &rules(".news a")).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].title.as_deref(), Some("Lees meer"));
    }

    #[test]
    fn the_next_page_is_found_by_rel_or_by_the_sources_selector() {
        let page = |pager: &str| {
            format!(
                "<html><head>{pager}</head><body><ul><li class=\"n\"><a href=\"/nieuws/x\">Bericht</a></li></ul>\
                 <ul class=\"pager\"><li class=\"vorige\"><a href=\"/nieuws?pagina=1\">Vorige</a></li>\
                 <li class=\"volgende\"><a href=\"/nieuws?pagina=3&utm_medium=web\">Volgende</a></li></ul></body></html>"
            )
        };
        let url = "https://zorggroep.nl/nieuws?pagina=2";
        // No rel link and no selector: no next page.
        let l = read_list(&page(""), url, &rules("li.n")).unwrap();
        assert_eq!(l.items.len(), 1);
        assert_eq!(l.next, None);
        // <link rel="next"> in the head, as CMS pagers write it.
        let l = read_list(
            &page("<link rel=\"prev\" href=\"/nieuws?pagina=1\"><link rel=\"next\" href=\"/nieuws?pagina=3\">"),
            url,
            &rules("li.n"),
        )
        .unwrap();
        assert_eq!(
            l.next.as_deref(),
            Some("https://zorggroep.nl/nieuws?pagina=3")
        );
        // The source's selector may name an element that holds the link;
        // tracking parameters are dropped.
        let mut r = rules("li.n");
        r.next = Some(".pager .volgende".into());
        let l = read_list(&page(""), url, &r).unwrap();
        assert_eq!(
            l.next.as_deref(),
            Some("https://zorggroep.nl/nieuws?pagina=3")
        );
        // Never to another site, nor to the page itself.
        for pager in [
            "<link rel=\"next\" href=\"https://elders.nl/nieuws?pagina=3\">",
            "<link rel=\"next\" href=\"/nieuws?pagina=2#boven\">",
            "<link rel=\"next\" href=\"javascript:volgende()\">",
        ] {
            let l = read_list(&page(pager), url, &rules("li.n")).unwrap();
            assert_eq!(l.next, None, "{pager}");
        }
    }

    #[test]
    fn dutch_dates() {
        for (s, want) in [
            ("12 maart 2025", "2025-03-12"),
            ("di 1 okt. 2024", "2024-10-01"),
            ("03-02-2025", "2025-02-03"),
            ("Geplaatst op 2025-01-31", "2025-01-31"),
            ("31 december 2024 om 10:00", "2024-12-31"),
        ] {
            assert_eq!(
                parse_date(s).map(|d| d.date_naive().to_string()).as_deref(),
                Some(want),
                "{s}"
            );
        }
        assert_eq!(parse_date("gisteren"), None);
        assert_eq!(parse_date("32 maart 2025"), None);
    }

    const ARTICLE: &str = r#"<html><head><title>Opleiding | Zorggroep</title></head><body>
<div class="cookie">Wij gebruiken cookies. Akkoord?</div>
<main><h1>Nieuwe opleiding voor zij-instromers</h1>
<div class="body"><p>Het ziekenhuis in Tilburg start in april met een nieuwe opleiding voor zij-instromers in de ouderenzorg. Twintig mensen uit andere sectoren beginnen tegelijk.</p>
<div class="share">Deel dit bericht op sociale media</div>
<p>De opleiding duurt een jaar en combineert leren en werken op de afdeling, met een vaste begeleider voor elke deelnemer.</p></div>
</main><footer>Copyright Zorggroep</footer></body></html>"#;

    #[test]
    fn include_and_exclude_override_the_generic_extractor() {
        let item = ListItem {
            url: "https://zorggroep.nl/nieuws/opleiding".into(),
            canonical: "https://zorggroep.nl/nieuws/opleiding".into(),
            title: Some("Lees".into()),
            published: None,
            summary: None,
        };
        let r = BodyRules {
            include: Some(".body".into()),
            exclude: Some(".share".into()),
        };
        let (d, method) = article_from_page(ARTICLE, &item, &r).unwrap();
        assert_eq!(method, "extracted:rules");
        assert!(
            d.text.starts_with("Het ziekenhuis in Tilburg"),
            "{}",
            d.text
        );
        assert!(d.text.contains("vaste begeleider"), "{}", d.text);
        assert!(!d.text.contains("Deel dit bericht"), "{}", d.text);
        assert!(!d.text.contains("cookies"), "{}", d.text);
        // A one-word list title loses to the page's own title.
        assert_eq!(d.title, "Nieuwe opleiding voor zij-instromers");
        assert_eq!(d.canonical_url.as_deref(), Some(item.canonical.as_str()));

        // Without rules the generic extractor finds the same body.
        let (d, method) = article_from_page(ARTICLE, &item, &BodyRules::default()).unwrap();
        assert_eq!(method, "extracted:blocks");
        assert!(d.text.contains("vaste begeleider"), "{}", d.text);

        // An empty page is a lasting failure (the link is not fetched again).
        let f = article_from_page("<html><body></body></html>", &item, &BodyRules::default())
            .unwrap_err();
        assert!(f.lasting);
    }

    #[test]
    fn hostile_list_pages_are_bounded() {
        let deep = format!(
            "<html><body>{}{}<a class=\"i\" href=\"/a\">x</a></body></html>",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        // Nesting beyond the cap is flattened before parsing (html5ever is
        // quadratic in depth), so the link after it is still found.
        let items = collect_items(&deep, "https://zorggroep.nl/", &rules("a.i")).unwrap();
        assert_eq!(items.len(), 1);
    }
}
