//! Page metadata: title, byline, publication date and lead image.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use regex::Regex;
use scraper::node::Element;
use scraper::{ElementRef, Html, Selector};
use std::sync::LazyLock;
use url::Url;

#[derive(Debug, Default, Clone)]
pub(crate) struct Meta {
    pub title: Option<String>,
    pub byline: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub lead_image: Option<String>,
    /// The longest `articleBody` of the page's JSON-LD article objects, as
    /// plain text (tags stripped, entities decoded), when it has words.
    pub article_body: Option<String>,
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("static selector")
}

static TIME: LazyLock<Selector> = LazyLock::new(|| sel("time[datetime], time[pubdate]"));
static ITEMPROP_DATE: LazyLock<Selector> =
    LazyLock::new(|| sel(r#"[itemprop="datePublished"], [itemprop="dateCreated"]"#));
static AUTHOR_NODES: LazyLock<Selector> = LazyLock::new(|| {
    sel(
        r#"[rel="author"], [itemprop="author"], .byline, .author, .auteur, .article-author, .byline__name, .author-name, [class*="byline"]"#,
    )
});

static DUTCH_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})\s+(januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|jan|feb|mrt|apr|jun|jul|aug|sep|sept|okt|nov|dec)\.?\s+(\d{4})(?:[,\s]+(?:om\s+)?(\d{1,2})[:.](\d{2})(?:\s*uur)?)?")
        .expect("static regex")
});
static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{1,2})-(\d{1,2})-(\d{4})(?:[,\s]+(?:om\s+)?(\d{1,2})[:.](\d{2}))?")
        .expect("static regex")
});
static ENGLISH_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})",
    )
    .expect("static regex")
});

/// The page's metadata, and the URL its links are relative to: the page's
/// own URL joined with its first `<base href>`.
pub(crate) fn collect(doc: &Html, page_url: Option<Url>) -> (Meta, Option<Url>) {
    // One flat pass over the nodes for the head-ish elements (cheaper than a
    // selector traversal per element kind). Node order, as `Html::select`.
    let mut base_href: Option<&str> = None;
    let mut metas: Vec<(String, String)> = Vec::new();
    let mut ld_texts: Vec<String> = Vec::new();
    let mut doc_title: Option<String> = None;
    let mut h1: Option<String> = None;
    for node in doc.tree.nodes() {
        let Some(el) = ElementRef::wrap(node) else {
            continue;
        };
        let e = el.value();
        match e.name() {
            "meta" => {
                let key = e
                    .attr("property")
                    .or_else(|| e.attr("name"))
                    .or_else(|| e.attr("itemprop"))
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                if let Some(c) = e.attr("content") {
                    let c = c.trim();
                    if !key.is_empty() && !c.is_empty() {
                        metas.push((key, c.to_string()));
                    }
                }
            }
            "script"
                if e.attr("type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) =>
            {
                ld_texts.push(el.text().collect());
            }
            "base" if base_href.is_none() => base_href = e.attr("href"),
            "title" if doc_title.is_none() => {
                doc_title = Some(normalize(&el.text().collect::<String>()))
            }
            "h1" if h1.is_none() => {
                let t = normalize(&el.text().collect::<String>());
                if !t.is_empty() {
                    h1 = Some(t);
                }
            }
            _ => {}
        }
    }
    let mut base = page_url;
    if let Some(href) = base_href {
        base = match &base {
            Some(b) => b.join(href).ok().or(base),
            None => Url::parse(href).ok(),
        };
    }
    let base = base.as_ref();
    let get = |keys: &[&str]| -> Option<String> {
        keys.iter()
            .find_map(|k| metas.iter().find(|(mk, _)| mk == k).map(|(_, v)| v.clone()))
    };

    let ld = json_ld(&ld_texts);
    let site_name = get(&["og:site_name", "application-name"]);

    // Title.
    let title = get(&["og:title", "twitter:title", "dc.title", "sailthru.title"])
        .map(|t| normalize(&t))
        .or_else(|| ld.headline.clone())
        .or_else(|| h1.clone())
        .or(doc_title)
        .map(|t| strip_site(&t, site_name.as_deref(), h1.as_deref()))
        .filter(|t| !t.is_empty());

    // Byline.
    let byline = get(&[
        "author",
        "article:author",
        "dc.creator",
        "parsely-author",
        "sailthru.author",
        "byl",
    ])
    .filter(|a| !a.starts_with("http"))
    .or_else(|| ld.author.clone())
    .or_else(|| author_from_nodes(doc))
    .map(|a| clean_byline(&a))
    .filter(|a| !a.is_empty() && a.chars().count() <= 100);

    // Publication date.
    let published = get(&[
        "article:published_time",
        "og:published_time",
        "og:article:published_time",
        "datepublished",
        "publishdate",
        "pubdate",
        "publish-date",
        "date",
        "dc.date.issued",
        "dc.date",
        "dcterms.created",
        "sailthru.date",
        "parsely-pub-date",
    ])
    .and_then(|d| parse_date(&d))
    .or_else(|| ld.published.as_deref().and_then(parse_date))
    .or_else(|| {
        select(doc, &ITEMPROP_DATE, |e| has_attr(e, "itemprop")).find_map(|e| {
            e.value()
                .attr("datetime")
                .or_else(|| e.value().attr("content"))
                .and_then(parse_date)
        })
    })
    .or_else(|| {
        select(doc, &TIME, |e| e.name() == "time")
            .find_map(|e| e.value().attr("datetime").and_then(parse_date))
    })
    .or_else(|| text_date(doc));

    // Lead image.
    let lead_image = get(&[
        "og:image",
        "og:image:url",
        "og:image:secure_url",
        "twitter:image",
        "twitter:image:src",
    ])
    .or_else(|| ld.image.clone())
    .and_then(|u| absolutize(base, &u));

    let meta = Meta {
        title,
        byline,
        published,
        lead_image,
        article_body: ld.body,
    };
    (meta, base.cloned())
}

#[derive(Default)]
struct Ld {
    headline: Option<String>,
    author: Option<String>,
    published: Option<String>,
    image: Option<String>,
    body: Option<String>,
}

const ARTICLE_TYPES: &[&str] = &[
    "Article",
    "NewsArticle",
    "BlogPosting",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "ScholarlyArticle",
    "MedicalScholarlyArticle",
    "TechArticle",
    "Report",
    "WebPage",
    "LiveBlogPosting",
    "SocialMediaPosting",
];

fn json_ld(texts: &[String]) -> Ld {
    let mut out = Ld::default();
    let mut best_rank = usize::MAX;
    for raw in texts {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(raw.trim()) else {
            continue;
        };
        let mut objs = Vec::new();
        flatten_ld(&v, &mut objs, 0);
        for o in objs {
            if let Some(b) = o.get("articleBody").and_then(|b| b.as_str())
                && out.body.as_ref().is_none_or(|cur| b.len() > cur.len())
            {
                out.body = Some(b.to_string());
            }
            let types: Vec<String> = match o.get("@type") {
                Some(serde_json::Value::String(s)) => vec![s.clone()],
                Some(serde_json::Value::Array(a)) => a
                    .iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect(),
                _ => continue,
            };
            let Some(rank) = types
                .iter()
                .filter_map(|t| ARTICLE_TYPES.iter().position(|a| a == t))
                .min()
            else {
                continue;
            };
            // Prefer article types over WebPage; first object of a rank wins.
            let rank = if rank == ARTICLE_TYPES.len() - 3 {
                100
            } else {
                rank.min(1)
            };
            if rank >= best_rank {
                continue;
            }
            best_rank = rank;
            out.headline = o
                .get("headline")
                .or_else(|| o.get("name"))
                .and_then(|h| h.as_str())
                .map(normalize)
                .filter(|h| !h.is_empty());
            out.author = o.get("author").and_then(ld_name);
            out.published = o
                .get("datePublished")
                .or_else(|| o.get("dateCreated"))
                .and_then(|d| d.as_str())
                .map(String::from);
            out.image = o.get("image").and_then(ld_url);
        }
    }
    out.body = out.body.map(|b| plain_body(&b)).filter(|b| !b.is_empty());
    out
}

/// `articleBody` as plain text: some sites put HTML (or escaped HTML) in it.
fn plain_body(b: &str) -> String {
    let b = if b.contains('<') || b.contains("&lt;") || b.contains("&amp;") {
        let unescaped;
        let src = if b.contains("&lt;") {
            unescaped = html_escape_min(b);
            unescaped.as_str()
        } else {
            b
        };
        let frag = Html::parse_fragment(src);
        frag.root_element().text().collect::<Vec<_>>().join(" ")
    } else {
        b.to_string()
    };
    b.lines()
        .map(normalize)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Decodes the entities that escape markup (`&lt;p&gt;` to `<p>`).
fn html_escape_min(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn flatten_ld<'a>(
    v: &'a serde_json::Value,
    out: &mut Vec<&'a serde_json::Map<String, serde_json::Value>>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    match v {
        serde_json::Value::Array(a) => a.iter().for_each(|x| flatten_ld(x, out, depth + 1)),
        serde_json::Value::Object(o) => {
            out.push(o);
            if let Some(g) = o.get("@graph") {
                flatten_ld(g, out, depth + 1);
            }
            if let Some(m) = o.get("mainEntity") {
                flatten_ld(m, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn ld_name(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => {
            Some(normalize(s)).filter(|s| !s.is_empty() && !s.starts_with("http"))
        }
        serde_json::Value::Object(o) => o.get("name").and_then(ld_name),
        serde_json::Value::Array(a) => {
            let names: Vec<String> = a.iter().filter_map(ld_name).collect();
            if names.is_empty() {
                None
            } else {
                Some(names.join(", "))
            }
        }
        _ => None,
    }
}

fn ld_url(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(o) => o
            .get("url")
            .or_else(|| o.get("contentUrl"))
            .and_then(ld_url),
        serde_json::Value::Array(a) => a.iter().find_map(ld_url),
        _ => None,
    }
}

fn author_from_nodes(doc: &Html) -> Option<String> {
    let maybe = |e: &Element| {
        has_attr(e, "rel")
            || has_attr(e, "itemprop")
            || attr_contains(e, "class", &["byline", "author", "auteur"])
    };
    for e in select(doc, &AUTHOR_NODES, maybe) {
        if e.value().name() == "meta" {
            continue;
        }
        let t = normalize(&text_of(e));
        let words = t.split_whitespace().count();
        if !t.is_empty() && words <= 8 && t.chars().count() <= 80 {
            return Some(t);
        }
    }
    None
}

fn text_of(e: ElementRef<'_>) -> String {
    e.text().collect::<Vec<_>>().join(" ")
}

pub(crate) fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

static BYLINE_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(by|door|tekst|text|written by|geschreven door|van)\s*[:\-]?\s+")
        .expect("static regex")
});

fn clean_byline(s: &str) -> String {
    let s = normalize(s);
    let s = BYLINE_PREFIX.replace(&s, "");
    s.trim_matches(|c: char| c == '|' || c == '-' || c == ',' || c.is_whitespace())
        .to_string()
}

/// Removes a site-name suffix or prefix ("Titel | Site", "Site - Titel").
fn strip_site(title: &str, site: Option<&str>, h1: Option<&str>) -> String {
    let t = normalize(title);
    if let Some(h) = h1.filter(|h| t.starts_with(h) && h.split_whitespace().count() >= 3) {
        return h.to_string();
    }
    for sep in [" | ", " - ", " – ", " — ", " :: ", " » ", " · ", " / "] {
        if let Some(pos) = t.rfind(sep) {
            let (head, tail) = (&t[..pos], &t[pos + sep.len()..]);
            let tail_is_site = site.is_some_and(|s| tail.eq_ignore_ascii_case(s.trim()))
                || (tail.split_whitespace().count() <= 3 && head.split_whitespace().count() >= 3);
            if tail_is_site {
                return strip_site(head, site, None);
            }
        }
        if let Some(pos) = t.find(sep) {
            let (head, tail) = (&t[..pos], &t[pos + sep.len()..]);
            if site.is_some_and(|s| head.eq_ignore_ascii_case(s.trim()))
                && tail.split_whitespace().count() >= 3
            {
                return tail.to_string();
            }
        }
    }
    t
}

fn month_nl(m: &str) -> Option<u32> {
    let m = m.to_lowercase();
    let m = m.trim_end_matches('.');
    Some(match &m[..m.len().min(3)] {
        "jan" => 1,
        "feb" => 2,
        "maa" | "mrt" => 3,
        "apr" => 4,
        "mei" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "okt" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    })
}

fn month_en(m: &str) -> Option<u32> {
    let m = m.to_lowercase();
    Some(match &m[..m.len().min(3)] {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    })
}

/// Dutch wall-clock time → UTC (CET, or CEST from the last Sunday of March
/// to the last Sunday of October).
fn amsterdam(d: NaiveDate, h: u32, mi: u32) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    let naive = d.and_hms_opt(h, mi, 0)?;
    let last_sunday = |month: u32| {
        let mut day = NaiveDate::from_ymd_opt(d.year(), month, 31)?;
        while day.weekday() != chrono::Weekday::Sun {
            day = day.pred_opt()?;
        }
        Some(day)
    };
    let summer = match (last_sunday(3), last_sunday(10)) {
        (Some(a), Some(b)) => d > a && d < b,
        _ => false,
    };
    let off = FixedOffset::east_opt(if summer { 7200 } else { 3600 })?;
    off.from_local_datetime(&naive)
        .single()
        .map(|x| x.with_timezone(&Utc))
}

/// Parses machine-readable dates (RFC 3339, ISO 8601 variants, RFC 2822)
/// and Dutch or English date text.
pub(crate) fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S %z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(s, f) {
            return Some(d.with_timezone(&Utc));
        }
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, f) {
            return Some(Utc.from_utc_datetime(&d));
        }
    }
    if let Some(Ok(d)) = s
        .get(..10)
        .map(|p| NaiveDate::parse_from_str(p, "%Y-%m-%d"))
    {
        return d.and_hms_opt(0, 0, 0).map(|x| Utc.from_utc_datetime(&x));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y%m%d") {
        return d.and_hms_opt(0, 0, 0).map(|x| Utc.from_utc_datetime(&x));
    }
    text_date_in(s)
}

/// A Dutch ("12 november 2026 om 14:35", "12-11-2026") or English
/// ("November 12, 2026") date written in running text.
pub(crate) fn text_date_in(s: &str) -> Option<DateTime<Utc>> {
    if let Some(c) = DUTCH_DATE.captures(s) {
        let day: u32 = c[1].parse().ok()?;
        let month = month_nl(&c[2])?;
        let year: i32 = c[3].parse().ok()?;
        let d = NaiveDate::from_ymd_opt(year, month, day)?;
        let (h, mi) = match (c.get(4), c.get(5)) {
            (Some(h), Some(m)) => (h.as_str().parse().ok()?, m.as_str().parse().ok()?),
            _ => return d.and_hms_opt(0, 0, 0).map(|x| Utc.from_utc_datetime(&x)),
        };
        return amsterdam(d, h, mi);
    }
    if let Some(c) = NUMERIC_DATE.captures(s) {
        let day: u32 = c[1].parse().ok()?;
        let month: u32 = c[2].parse().ok()?;
        let year: i32 = c[3].parse().ok()?;
        let d = NaiveDate::from_ymd_opt(year, month, day)?;
        if let (Some(h), Some(m)) = (c.get(4), c.get(5)) {
            return amsterdam(d, h.as_str().parse().ok()?, m.as_str().parse().ok()?);
        }
        return d.and_hms_opt(0, 0, 0).map(|x| Utc.from_utc_datetime(&x));
    }
    if let Some(c) = ENGLISH_DATE.captures(s) {
        let month = month_en(&c[1])?;
        let day: u32 = c[2].parse().ok()?;
        let year: i32 = c[3].parse().ok()?;
        let d = NaiveDate::from_ymd_opt(year, month, day)?;
        return d.and_hms_opt(0, 0, 0).map(|x| Utc.from_utc_datetime(&x));
    }
    None
}

static DATE_NODES: LazyLock<Selector> = LazyLock::new(|| {
    sel(
        r#"time, [class*="date"], [class*="datum"], [class*="publish"], [class*="meta"], [id*="date"], [class*="time"]"#,
    )
});

/// Last resort: a date written in a date-like element of the page.
fn text_date(doc: &Html) -> Option<DateTime<Utc>> {
    let maybe = |e: &Element| {
        e.name() == "time"
            || attr_contains(e, "class", &["date", "datum", "publish", "meta", "time"])
            || attr_contains(e, "id", &["date"])
    };
    for e in select(doc, &DATE_NODES, maybe).take(200) {
        let t = normalize(&text_of(e));
        if t.is_empty() || t.chars().count() > 120 {
            continue;
        }
        if let Some(d) = text_date_in(&t) {
            return Some(d);
        }
    }
    // Then any short text node with a date written out ("Geplaatst op
    // donderdag 5 juni 2025 om 10:15"), in document order. A date has a
    // digit: text without one skips the regex.
    doc.root_element()
        .descendants()
        .take(20_000)
        .filter_map(|n| n.value().as_text().map(|t| t.trim()))
        .filter(|t| !t.is_empty() && t.chars().count() <= 160)
        .take(1_000)
        .find_map(|t| {
            (t.chars().any(char::is_numeric) && DUTCH_DATE.is_match(t))
                .then(|| text_date_in(t))
                .flatten()
        })
}

/// `doc.select(selector)` (same elements, same order: the tree's node
/// order), with `maybe` as a cheap necessary condition tried first: the
/// selector engine costs far more per element than a look at the
/// attributes, and these selectors reject almost every element.
fn select<'a>(
    doc: &'a Html,
    selector: &'a Selector,
    maybe: impl Fn(&Element) -> bool + 'a,
) -> impl Iterator<Item = ElementRef<'a>> + 'a {
    doc.tree
        .nodes()
        .filter_map(ElementRef::wrap)
        .filter(move |e| maybe(e.value()) && selector.matches(e))
}

/// Whether the element has an attribute of that local name (any namespace).
fn has_attr(e: &Element, name: &str) -> bool {
    e.attrs.iter().any(|(q, _)| &*q.local == name)
}

/// Whether an attribute of that local name (any namespace) contains one of
/// `needles` (lower-case), ignoring ASCII case: a superset of what both
/// `[attr*=x]` and quirks-mode class selectors match.
fn attr_contains(e: &Element, name: &str, needles: &[&str]) -> bool {
    e.attrs.iter().any(|(q, v)| {
        &*q.local == name && {
            let upper = v.bytes().any(|b| b.is_ascii_uppercase());
            needles.iter().any(|n| {
                v.contains(n)
                    || (upper
                        && v.as_bytes()
                            .windows(n.len())
                            .any(|w| w.eq_ignore_ascii_case(n.as_bytes())))
            })
        }
    })
}

pub(crate) fn absolutize(base: Option<&Url>, href: &str) -> Option<String> {
    let h = href.trim();
    if h.is_empty() || h.starts_with("data:") || h.starts_with("javascript:") {
        return None;
    }
    match base {
        Some(b) => b.join(h).ok().map(|u| u.to_string()),
        None => Url::parse(h)
            .ok()
            .map(|u| u.to_string())
            .or_else(|| Some(h.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dutch_dates() {
        let d = text_date_in("Gepubliceerd op 12 november 2026 om 14:35").unwrap();
        assert_eq!(d.to_rfc3339(), "2026-11-12T13:35:00+00:00");
        let d = text_date_in("3 juni 2025, 09.15 uur").unwrap();
        assert_eq!(d.to_rfc3339(), "2025-06-03T07:15:00+00:00");
        let d = text_date_in("di 4 mrt. 2025").unwrap();
        assert_eq!(d.to_rfc3339(), "2025-03-04T00:00:00+00:00");
        assert!(text_date_in("geen datum hier").is_none());
    }

    #[test]
    fn site_suffixes() {
        assert_eq!(
            strip_site("Nieuwe polikliniek geopend | Ziekenhuis Oost", None, None),
            "Nieuwe polikliniek geopend"
        );
        assert_eq!(
            strip_site(
                "Omroep West - Zorg in de wijk onder druk",
                Some("Omroep West"),
                None
            ),
            "Zorg in de wijk onder druk"
        );
        assert_eq!(strip_site("Kort - lang", None, None), "Kort - lang");
    }
}
