//! The feed stage: raw response bytes in, a parsed feed (or a classified
//! failure) out.
//!
//! In: the body bytes, the `Content-Type` header value if any, and the URL
//! the body came from (used to resolve relative links). Out: a
//! [`ParsedFeed`] (a `feed_rs` model plus the encoding used and the repairs
//! that were needed), or a [`FeedError`] saying whether the body was empty,
//! was not a feed at all (with the feed URLs an HTML page advertises), or was
//! a feed too broken to read. This stage never fetches anything, never
//! follows the advertised alternates itself, and never invents entries: a
//! truncated feed is an error, not a shorter feed.
//!
//! Entry ids: feed-rs fills a missing `<guid>`/`<id>` with a hash of the
//! first link and title, or with a random UUID when there is no link. Random
//! ids would make the same entry look new on every fetch, so this module
//! replaces feed-rs's generator and gives every id-less feed or entry a
//! deterministic id prefixed with [`SYNTHETIC_ID_PREFIX`].

use crate::extract::encoding::{self, DecidedBy};
use crate::extract::repair;
use feed_rs::model::{Entry, Feed, Link};
use feed_rs::parser::{ParseErrorKind, ParseFeedError};
use regex::Regex;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::LazyLock;
use url::Url;

/// Prefix of every id this module had to make up because the source gave
/// none. Ids without it came from the feed itself (`guid`, `id`).
pub const SYNTHETIC_ID_PREFIX: &str = "radar-synth:";

/// What our id generator hands feed-rs; replaced after parsing, once the
/// whole entry (content, position) is known. The NUL makes a clash with a
/// real id impossible: XML cannot contain NUL and we strip it.
const PENDING_ID: &str = "\0radar-pending-id";

/// A successfully parsed feed.
#[derive(Debug, Clone)]
pub struct ParsedFeed {
    /// The feed as feed-rs models it. Ids are never random: see
    /// [`entry_has_source_id`].
    pub feed: Feed,
    /// The character encoding the body was decoded with.
    pub encoding: &'static str,
    /// How that encoding was decided.
    pub decided_by: DecidedBy,
    /// Names of the repairs applied to the text (see `repair`), empty for a
    /// clean feed.
    pub repairs: Vec<&'static str>,
}

/// Why a body could not be turned into a feed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    /// The body is empty or whitespace only.
    #[error("empty body")]
    Empty,
    /// The document is HTML (or something else), not a feed. `alternates` =
    /// absolute URLs of `<link rel="alternate"
    /// type="application/(rss|atom)+xml|application/feed+json">` the page
    /// advertises, resolved against base_url.
    #[error("not a feed ({} advertised feed link(s){})", alternates.len(),
            if alternates.is_empty() { String::new() } else { format!(": {}", alternates.join(", ")) })]
    NotAFeed {
        /// Absolute URLs of the feeds the page links to, in page order,
        /// without duplicates.
        alternates: Vec<String>,
    },
    /// The feed could not be parsed even after repair; message from the
    /// parser, with byte offset/line if known.
    #[error("feed could not be parsed: {message}")]
    Parse {
        /// Parser message, plus position and attempted repairs when known.
        message: String,
    },
}

/// decode → try feed_rs::parser with the UTF-8 text → on failure repair and
/// retry → classify the failure. JSON feeds (JSON Feed 1/1.1) go straight to
/// feed-rs; XML repair is never run on JSON. Relative links resolve against
/// `base_url` (ignored if it is not an absolute URL). Never panics: a panic
/// inside feed-rs is reported as [`FeedError::Parse`].
pub fn parse_feed(
    bytes: &[u8],
    content_type: Option<&str>,
    base_url: Option<&str>,
) -> Result<ParsedFeed, FeedError> {
    let decoded = encoding::decode_borrowed(bytes, content_type);
    let text = decoded.text.trim_start_matches(['\u{FEFF}']);
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\0')
        .is_empty()
    {
        return Err(FeedError::Empty);
    }
    // feed-rs refuses the whole document if the base is not a valid URL;
    // a bad base should cost us relative links, not the feed.
    let base_url = base_url.filter(|b| Url::parse(b).is_ok());
    let done = |feed, repairs| ParsedFeed {
        feed,
        encoding: decoded.encoding,
        decided_by: decoded.decided_by,
        repairs,
    };

    if text.trim_start().starts_with(['{', '[']) {
        let first_error = match run_parser(text, base_url) {
            Ok(feed) => return Ok(done(feed, Vec::new())),
            Err(e) => e,
        };
        let (repaired, repairs) = repair::repair_json(text);
        if repairs.is_empty() {
            return Err(classify_json(first_error, text));
        }
        return match run_parser(&repaired, base_url) {
            Ok(feed) => Ok(done(feed, repairs)),
            Err(e) => Err(classify_json(e, &repaired)),
        };
    }

    let (prepared, mut repairs) = repair::prepare(text);
    let first_error = match run_parser(&prepared, base_url) {
        Ok(feed) => return Ok(done(feed, repairs)),
        Err(e) => e,
    };
    let (repaired, more) = repair::repair(&prepared);
    let final_error = if more.is_empty() {
        first_error
    } else {
        match run_parser(&repaired, base_url) {
            Ok(feed) => {
                repairs.extend(more);
                return Ok(done(feed, repairs));
            }
            Err(e) => e,
        }
    };
    let attempted: Vec<&str> = repairs.iter().chain(more.iter()).copied().collect();
    Err(classify_xml(final_error, &repaired, base_url, &attempted))
}

/// True if the entry's id came from the feed (`guid`, Atom `id`, JSON
/// `id`), false if it was synthesised here because the source had none.
pub fn entry_has_source_id(entry: &Entry) -> bool {
    !entry.id.starts_with(SYNTHETIC_ID_PREFIX)
}

/// A failure from the parser run, before classification.
enum RunError {
    Feed(ParseFeedError),
    Panic(String),
}

/// Runs feed-rs on UTF-8 text and replaces placeholder ids.
fn run_parser(text: &str, base_url: Option<&str>) -> Result<Feed, RunError> {
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base_url)
        .id_generator(|_links, _title, _base| PENDING_ID.to_string())
        .build();
    // feed-rs is a third-party parser fed hostile input; a panic in it must
    // cost one feed, not the whole fetch run.
    let outcome = catch_unwind(AssertUnwindSafe(|| parser.parse(text.as_bytes())));
    match outcome {
        Ok(Ok(mut feed)) => {
            assign_synthetic_ids(&mut feed);
            Ok(feed)
        }
        Ok(Err(e)) => Err(RunError::Feed(e)),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(RunError::Panic(what))
        }
    }
}

fn classify_json(error: RunError, text: &str) -> FeedError {
    match error {
        // Well-formed JSON of the wrong shape (e.g. scripting.com's
        // RSS-in-JSON) is a document, just not a feed, unless it says it is
        // a JSON Feed: then it is a broken feed.
        RunError::Feed(ParseFeedError::JsonSerde(e))
            if e.is_data() && !text.contains("jsonfeed.org") =>
        {
            FeedError::NotAFeed {
                alternates: Vec::new(),
            }
        }
        RunError::Feed(ParseFeedError::JsonSerde(e)) => FeedError::Parse {
            message: format!("invalid JSON: {e}"),
        },
        other => FeedError::Parse {
            message: describe(&other, None),
        },
    }
}

fn classify_xml(
    error: RunError,
    text: &str,
    base_url: Option<&str>,
    repairs: &[&str],
) -> FeedError {
    if let RunError::Feed(ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot)) = error {
        // The root is not rss/feed/RDF (after repair): an HTML page, an
        // error document, or some other XML.
        let alternates = if looks_like_html(text) {
            discover_alternates(text, base_url)
        } else {
            Vec::new()
        };
        return FeedError::NotAFeed { alternates };
    }
    let mut message = describe(&error, Some(text));
    if !repairs.is_empty() {
        message.push_str(&format!(" (after repairs: {})", repairs.join(", ")));
    }
    FeedError::Parse { message }
}

/// Human-readable message; adds the line for errors that carry a byte
/// position into the text we handed over.
fn describe(error: &RunError, text: Option<&str>) -> String {
    let feed_error = match error {
        RunError::Panic(what) => return format!("feed parser panicked: {what}"),
        RunError::Feed(e) => e,
    };
    let position = match feed_error {
        ParseFeedError::ParseError(
            ParseErrorKind::UnknownMimeType { position, .. }
            | ParseErrorKind::MissingContent { position, .. }
            | ParseErrorKind::UnknownEnumVariant { position, .. }
            | ParseErrorKind::IllegalState { position, .. },
        ) => usize::try_from(*position).ok(),
        _ => None,
    };
    let mut message = feed_error.to_string();
    if let (Some(pos), Some(text)) = (position, text) {
        let line = text.as_bytes()[..pos.min(text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        message.push_str(&format!(" (line {line})"));
    }
    message
}

fn looks_like_html(text: &str) -> bool {
    static HTML: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])").expect("valid regex")
    });
    let head_end = text.char_indices().nth(4096).map_or(text.len(), |(i, _)| i);
    HTML.is_match(&text[..head_end])
}

/// The feed URLs an HTML page advertises with `<link rel="alternate"
/// type="application/rss+xml|application/atom+xml|application/feed+json">`,
/// resolved against the page's `<base href>` and `base_url`.
fn discover_alternates(html: &str, base_url: Option<&str>) -> Vec<String> {
    static TAG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?is)<(link|base)\s[^>]*>").expect("valid regex"));
    let mut base = base_url.and_then(|b| Url::parse(b).ok());
    let mut found: Vec<String> = Vec::new();
    for tag in TAG.captures_iter(html) {
        let attrs = attributes(&tag[0]);
        let get = |name: &str| attrs.get(name).map(String::as_str).unwrap_or("");
        if tag[1].eq_ignore_ascii_case("base") {
            // Only the first <base> counts, as in browsers.
            if let Ok(b) = match &base {
                Some(b) => b.join(get("href")),
                None => Url::parse(get("href")),
            } {
                base = Some(b);
            }
            continue;
        }
        let is_alternate = get("rel")
            .split_ascii_whitespace()
            .any(|r| r.eq_ignore_ascii_case("alternate"));
        let kind = get("type").trim().to_ascii_lowercase();
        let is_feed = matches!(
            kind.as_str(),
            "application/rss+xml" | "application/atom+xml" | "application/feed+json"
        );
        let href = get("href").trim();
        if !is_alternate || !is_feed || href.is_empty() {
            continue;
        }
        let absolute = match &base {
            Some(b) => b.join(href),
            None => Url::parse(href),
        };
        if let Ok(url) = absolute {
            let url = url.to_string();
            if !found.contains(&url) {
                found.push(url);
            }
        }
    }
    found
}

/// Attributes of one HTML start tag, names lower-cased, values with the
/// common character references decoded.
fn attributes(tag: &str) -> HashMap<String, String> {
    static ATTR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"#)
            .expect("valid regex")
    });
    ATTR.captures_iter(tag)
        .map(|c| {
            let value = c
                .get(2)
                .or(c.get(3))
                .or(c.get(4))
                .map_or("", |m| m.as_str());
            let value = value
                .replace("&amp;", "&")
                .replace("&#38;", "&")
                .replace("&quot;", "\"");
            (c[1].to_ascii_lowercase(), value)
        })
        .collect()
}

/// Replaces placeholder ids with deterministic ones.
///
/// An entry's key is its first link plus title (feed-rs's own choice, and
/// what identifies an article), or, without a link, its title, publication
/// date and body. Position is deliberately not part of the key: feeds grow
/// at the top, so a position would change every id on every new item.
/// It only breaks ties between entries whose keys are identical, as
/// "-2", "-3"... in document order.
fn assign_synthetic_ids(feed: &mut Feed) {
    if feed.id == PENDING_ID {
        let link = preferred_link(&feed.links).unwrap_or("");
        let title = feed.title.as_ref().map_or("", |t| t.content.as_str());
        feed.id = format!("{SYNTHETIC_ID_PREFIX}{:032x}", fnv1a_128(&[link, title]));
    }
    let mut seen: HashMap<u128, usize> = HashMap::new();
    for entry in &mut feed.entries {
        if entry.id != PENDING_ID {
            continue;
        }
        let title = entry.title.as_ref().map_or("", |t| t.content.as_str());
        let hash = match preferred_link(&entry.links) {
            Some(link) => fnv1a_128(&["link", link, title]),
            None => {
                let published = entry
                    .published
                    .or(entry.updated)
                    .map(|d| d.to_rfc3339())
                    .unwrap_or_default();
                let body = entry
                    .content
                    .as_ref()
                    .and_then(|c| c.body.as_deref())
                    .or(entry.summary.as_ref().map(|s| s.content.as_str()))
                    .unwrap_or("");
                fnv1a_128(&["nolink", title, &published, body])
            }
        };
        let count = seen.entry(hash).or_insert(0);
        *count += 1;
        entry.id = if *count == 1 {
            format!("{SYNTHETIC_ID_PREFIX}{hash:032x}")
        } else {
            format!("{SYNTHETIC_ID_PREFIX}{hash:032x}-{count}")
        };
    }
}

/// The link that names the item itself: rel absent or "alternate", else the
/// first link of any kind.
fn preferred_link(links: &[Link]) -> Option<&str> {
    links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(links.first())
        .map(|l| l.href.as_str())
        .filter(|h| !h.is_empty())
}

/// 128-bit FNV-1a over the fields, each followed by 0xFF (a byte UTF-8 text
/// never contains, so ("ab","c") and ("a","bc") differ). Hand-rolled because
/// the ids must stay identical across Rust and dependency versions, which
/// `std`'s hashers do not promise.
fn fnv1a_128(fields: &[&str]) -> u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013B;
    let mut hash = OFFSET;
    for field in fields {
        for &byte in field.as_bytes().iter().chain(std::iter::once(&0xFF)) {
            hash ^= u128::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    const RSS_NO_GUID: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Zorgnieuws</title><link>https://zorg.example.nl/</link>
<item><title>Cliënt centraal</title><link>/artikel/1</link></item>
<item><title>Coördinatie</title><description>geen link</description></item>
<item><title>Coördinatie</title><description>geen link</description></item>
<item><title>Met guid</title><guid>abc-123</guid></item>
</channel></rss>"#;

    #[test]
    fn synthetic_ids_are_stable_and_marked() {
        let a = parse_feed(
            RSS_NO_GUID.as_bytes(),
            None,
            Some("https://zorg.example.nl/feed"),
        )
        .unwrap();
        let b = parse_feed(
            RSS_NO_GUID.as_bytes(),
            None,
            Some("https://zorg.example.nl/feed"),
        )
        .unwrap();
        let ids: Vec<&str> = a.feed.entries.iter().map(|e| e.id.as_str()).collect();
        let ids_b: Vec<&str> = b.feed.entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ids_b);
        assert!(!entry_has_source_id(&a.feed.entries[0]));
        assert!(!entry_has_source_id(&a.feed.entries[1]));
        assert!(ids[2].ends_with("-2"), "{ids:?}");
        assert_eq!(ids[1], ids[2].trim_end_matches("-2"));
        assert!(entry_has_source_id(&a.feed.entries[3]));
        assert_eq!(ids[3], "abc-123");
        assert!(a.feed.id.starts_with(SYNTHETIC_ID_PREFIX));
        // Relative link resolved against the base URL.
        assert_eq!(
            a.feed.entries[0].links[0].href,
            "https://zorg.example.nl/artikel/1"
        );
    }

    #[test]
    fn id_survives_new_item_on_top() {
        let grown = RSS_NO_GUID.replace(
            "<item><title>Cliënt",
            "<item><title>Nieuw</title><link>/artikel/2</link></item><item><title>Cliënt",
        );
        let a = parse_feed(RSS_NO_GUID.as_bytes(), None, None).unwrap();
        let b = parse_feed(grown.as_bytes(), None, None).unwrap();
        assert_eq!(a.feed.entries[0].id, b.feed.entries[1].id);
    }

    #[test]
    fn latin1_declared_feed_decodes_once() {
        let doc = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel>\
                   <title>x</title><item><title>Cliënt &amp; coördinatie \u{20AC}</title></item></channel></rss>";
        let bytes = encoding_rs::WINDOWS_1252.encode(doc).0.into_owned();
        let parsed = parse_feed(&bytes, None, None).unwrap();
        let title = &parsed.feed.entries[0].title.as_ref().unwrap().content;
        assert_eq!(title, "Cliënt & coördinatie €");
        assert_eq!(parsed.repairs, vec![repair::ENCODING_DECLARATION]);
    }

    #[test]
    fn broken_feed_is_repaired() {
        let doc = "\n\n<rss><channel><title>Zorg & welzijn</title><item><title>Caf&eacute; \
                   cli&euml;nt&nbsp;&hellip;</title><link>http://x.nl/?a=1&b=2</link></item></channel></rss>";
        let parsed = parse_feed(doc.as_bytes(), None, None).unwrap();
        let entry = &parsed.feed.entries[0];
        assert_eq!(entry.title.as_ref().unwrap().content, "Café cliënt\u{A0}…");
        assert_eq!(entry.links[0].href, "http://x.nl/?a=1&b=2");
        assert!(
            parsed.repairs.contains(&repair::RSS_VERSION),
            "{:?}",
            parsed.repairs
        );
        assert!(parsed.repairs.contains(&repair::HTML_ENTITY));
    }

    #[test]
    fn empty_and_whitespace() {
        assert_eq!(parse_feed(b"", None, None).unwrap_err(), FeedError::Empty);
        assert_eq!(
            parse_feed(b" \r\n\t ", None, None).unwrap_err(),
            FeedError::Empty
        );
        assert_eq!(
            parse_feed(b"\xEF\xBB\xBF\n", None, None).unwrap_err(),
            FeedError::Empty
        );
    }

    #[test]
    fn html_page_reports_alternates() {
        let html = r#"<!DOCTYPE html><html><head><title>Zorg</title>
<link rel="stylesheet" href="/s.css">
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.xml?a=1&amp;b=2">
<link type="application/atom+xml" rel="alternate" href='https://other.example/atom'>
<link rel="alternate" type="application/feed+json" href="feed.json">
<link rel="alternate" hreflang="en" href="/en/">
</head><body><p>Hallo & welkom</body></html>"#;
        let err = parse_feed(
            html.as_bytes(),
            Some("text/html"),
            Some("https://zorg.example.nl/nieuws/"),
        )
        .unwrap_err();
        assert_eq!(
            err,
            FeedError::NotAFeed {
                alternates: vec![
                    "https://zorg.example.nl/feed.xml?a=1&b=2".to_string(),
                    "https://other.example/atom".to_string(),
                    "https://zorg.example.nl/nieuws/feed.json".to_string(),
                ]
            }
        );
        assert!(!err.to_string().is_empty());
    }

    #[test]
    fn truncated_feed_is_parse_error() {
        let doc =
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>x</title><item><title>a";
        match parse_feed(doc.as_bytes(), None, None) {
            Err(FeedError::Parse { message }) => assert!(!message.is_empty()),
            other => panic!("expected Parse, got {other:?}"),
        }
    }

    #[test]
    fn json_feed_and_not_a_json_feed() {
        let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"Zorg",
            "items":[{"id":"1","title":"Cliënt & co","url":"https://x.nl/1","content_text":"a & b"}]}"#;
        let parsed = parse_feed(json.as_bytes(), Some("application/feed+json"), None).unwrap();
        assert_eq!(
            parsed.feed.entries[0].title.as_ref().unwrap().content,
            "Cliënt & co"
        );
        assert!(parsed.repairs.is_empty());
        let other = r#"{"rss":{"channel":{"title":"x"}}}"#;
        assert!(matches!(
            parse_feed(other.as_bytes(), None, None),
            Err(FeedError::NotAFeed { .. })
        ));
        let truncated = r#"{"version":"https://jsonfeed.org/version/1","items":[{"id":"#;
        assert!(matches!(
            parse_feed(truncated.as_bytes(), None, None),
            Err(FeedError::Parse { .. })
        ));
    }

    #[test]
    fn invalid_base_url_is_ignored() {
        let parsed = parse_feed(RSS_NO_GUID.as_bytes(), None, Some("not a url")).unwrap();
        assert_eq!(parsed.feed.entries[0].links[0].href, "/artikel/1");
    }
}
