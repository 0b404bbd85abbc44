//! OPML in and out: `radar sources import FILE.opml` turns the feeds of an
//! OPML file into `[[source]]` entries, `radar sources export` prints all
//! sources as OPML 2.0.
//!
//! Tags travel as OPML categories: on import, the `category` attribute
//! (comma-separated, a leading `/` dropped) and the titles of the folder
//! outlines around a feed (joined by `/`) become tags; on export, the tags
//! become the `category` attribute. radar's own id travels in a `radarId`
//! attribute so an export imports back to the same ids.
//!
//! radar's own settings of a source travel in `radar…` attributes named
//! after their key ([`RADAR_KEYS`]: `radarItems` for `items`, …). A list
//! page is a `type="link"` outline (other readers show it as a bookmark)
//! with `radarItems`; on import it becomes a `kind = "page"` source again.
//! A link without `radarItems` is skipped with a pointer to
//! `radar sources detect`. Every imported entry is validated as it will be
//! written (selectors, schedule, ranges) and skipped with the reason when
//! it would not load.
//!
//! The OPML file is untrusted: it is parsed with a real XML parser
//! (quick-xml), which never resolves external entities or DTDs; size,
//! nesting depth and outline count are capped, and every feed URL goes
//! through the same validation as a hand-written source list.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};

use super::{Location, PageRules, Source, SourceKind, SourcesError, valid_id};

/// Largest OPML file accepted.
pub const MAX_BYTES: usize = 8 * 1024 * 1024;
/// Deepest outline nesting accepted.
pub const MAX_DEPTH: usize = 64;
/// Most outlines accepted.
pub const MAX_OUTLINES: usize = 20_000;

/// One feed outline of an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    /// `title`, else `text`, else the URL.
    pub title: String,
    /// `xmlUrl`.
    pub xml_url: String,
    /// `htmlUrl`, when given.
    pub html_url: Option<String>,
    /// `radarId`, when the file came from `radar sources export`.
    pub radar_id: Option<String>,
    /// Categories and enclosing folders.
    pub tags: Vec<String>,
    /// 1-based line of the outline, for messages.
    pub line: usize,
    /// A `type="link"` outline (a web page, `url` in `xml_url`), not a feed.
    pub is_link: bool,
    /// radar's settings found in `radar…` attributes: (key, raw value).
    pub settings: Vec<(&'static str, String)>,
}

/// The type of a setting's value in TOML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Str,
    Count,
    Bool,
}

/// OPML attribute ↔ source-list key, for radar's settings of a source.
pub const RADAR_KEYS: [(&str, &str); 12] = [
    ("radarItems", "items"),
    ("radarTitle", "title"),
    ("radarDate", "date"),
    ("radarSummary", "summary"),
    ("radarNext", "next"),
    ("radarMaxItems", "max_items"),
    ("radarMaxPages", "max_pages"),
    ("radarInclude", "include"),
    ("radarExclude", "exclude"),
    ("radarFullText", "full_text"),
    ("radarSchedule", "schedule"),
    ("radarEnabled", "enabled"),
];

fn ty_of(key: &str) -> Ty {
    match key {
        "max_items" | "max_pages" => Ty::Count,
        "enabled" => Ty::Bool,
        _ => Ty::Str,
    }
}

fn attr_of(key: &str) -> &'static str {
    RADAR_KEYS
        .iter()
        .find(|(_, k)| *k == key)
        .map_or("", |(a, _)| a)
}

/// The TOML values of an outline's settings, or what is wrong with one.
fn setting_values(
    raw: &[(&'static str, String)],
) -> Result<Vec<(&'static str, toml::Value)>, String> {
    raw.iter()
        .map(|(key, v)| {
            let value = match ty_of(key) {
                Ty::Str => toml::Value::String(v.clone()),
                Ty::Count => v
                    .trim()
                    .parse::<u32>()
                    .map(|n| toml::Value::Integer(n.into()))
                    .map_err(|_| format!("{} {v:?} is not a whole number", attr_of(key)))?,
                Ty::Bool => match v.trim() {
                    "true" => toml::Value::Boolean(true),
                    "false" => toml::Value::Boolean(false),
                    _ => return Err(format!("{} {v:?} is not true or false", attr_of(key))),
                },
            };
            Ok((*key, value))
        })
        .collect()
}

/// Why an OPML file was refused.
#[derive(Debug, thiserror::Error)]
pub enum OpmlError {
    /// Over [`MAX_BYTES`].
    #[error("OPML file too large ({0} bytes; the limit is {MAX_BYTES})")]
    TooLarge(usize),
    /// Malformed XML.
    #[error("OPML is not well-formed XML (line {line}): {message}")]
    Xml {
        /// 1-based line.
        line: usize,
        /// Parser message.
        message: String,
    },
    /// Well-formed, but not OPML or over a limit.
    #[error("not usable as OPML: {0}")]
    Invalid(String),
}

fn line_at(text: &str, pos: u64) -> usize {
    let mut pos = (pos as usize).min(text.len());
    // Positions taken before an event point at the whitespace before it.
    while text
        .as_bytes()
        .get(pos)
        .is_some_and(u8::is_ascii_whitespace)
    {
        pos += 1;
    }
    text.as_bytes()[..pos]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn attrs(e: &BytesStart, text: &str, pos: u64) -> Result<HashMap<String, String>, OpmlError> {
    let mut out = HashMap::new();
    for a in e.attributes().with_checks(true) {
        let a = a.map_err(|err| OpmlError::Xml {
            line: line_at(text, pos),
            message: err.to_string(),
        })?;
        let key = a.key.local_name().into_inner().to_string();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| OpmlError::Xml {
                line: line_at(text, pos),
                message: format!("attribute `{key}`: {err}"),
            })?;
        out.insert(key, value.trim().to_string());
    }
    Ok(out)
}

fn split_categories(raw: &str) -> impl Iterator<Item = String> + '_ {
    raw.split(',')
        .map(|c| c.trim().trim_start_matches('/').trim().to_string())
        .filter(|c| !c.is_empty())
}

/// Parses OPML text into its feed outlines (outlines with an `xmlUrl`),
/// in document order. Outlines without `xmlUrl` are folders: their titles
/// become tags of the feeds inside them.
pub fn parse(text: &str) -> Result<Vec<OpmlFeed>, OpmlError> {
    if text.len() > MAX_BYTES {
        return Err(OpmlError::TooLarge(text.len()));
    }
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    // Folder path of the open outlines (None for an outline that is a feed
    // or has no title).
    let mut stack: Vec<Option<String>> = Vec::new();
    let mut feeds = Vec::new();
    let mut saw_root = false;
    let mut outlines = 0usize;
    loop {
        let pos = reader.buffer_position();
        let ev = reader.read_event().map_err(|e| OpmlError::Xml {
            line: line_at(text, reader.error_position()),
            message: e.to_string(),
        })?;
        let (e, empty) = match ev {
            Event::Eof => break,
            Event::DocType(_) => {
                return Err(OpmlError::Invalid(
                    "a DOCTYPE is not allowed in OPML (entities are never expanded)".into(),
                ));
            }
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                if e.local_name().into_inner() == "outline" {
                    stack.pop();
                }
                continue;
            }
            _ => continue,
        };
        let name = e.local_name().into_inner();
        if name == "opml" {
            saw_root = true;
            continue;
        }
        if name != "outline" {
            continue;
        }
        if !saw_root {
            return Err(OpmlError::Invalid(
                "the document has no <opml> root element".into(),
            ));
        }
        outlines += 1;
        if outlines > MAX_OUTLINES {
            return Err(OpmlError::Invalid(format!(
                "more than {MAX_OUTLINES} outlines"
            )));
        }
        if stack.len() >= MAX_DEPTH {
            return Err(OpmlError::Invalid(format!(
                "outlines nested deeper than {MAX_DEPTH} (line {})",
                line_at(text, pos)
            )));
        }
        let a = attrs(&e, text, pos)?;
        let title = a
            .get("title")
            .filter(|t| !t.is_empty())
            .or_else(|| a.get("text").filter(|t| !t.is_empty()))
            .cloned();
        // A plain link (`type="link"`, e.g. an exported list page) is no
        // feed: it is reported on import, never mistaken for a folder.
        let link = a
            .get("type")
            .is_some_and(|t| t.eq_ignore_ascii_case("link"))
            .then(|| a.get("url").filter(|u| !u.is_empty()))
            .flatten();
        let feed_url = a.get("xmlUrl").filter(|u| !u.is_empty()).or(link);
        let folder = match feed_url {
            Some(url) => {
                let mut tags: Vec<String> = Vec::new();
                let path: Vec<&str> = stack.iter().flatten().map(String::as_str).collect();
                if !path.is_empty() {
                    tags.push(path.join("/"));
                }
                if let Some(c) = a.get("category") {
                    tags.extend(split_categories(c));
                }
                let mut seen = HashSet::new();
                tags.retain(|t| seen.insert(t.clone()));
                feeds.push(OpmlFeed {
                    title: title.unwrap_or_else(|| url.clone()),
                    xml_url: url.clone(),
                    html_url: a.get("htmlUrl").filter(|u| !u.is_empty()).cloned(),
                    radar_id: a.get("radarId").filter(|u| !u.is_empty()).cloned(),
                    tags,
                    line: line_at(text, pos),
                    is_link: a.get("xmlUrl").is_none_or(|u| u.is_empty()),
                    settings: RADAR_KEYS
                        .iter()
                        .filter_map(|(attr, key)| a.get(*attr).map(|v| (*key, v.clone())))
                        .collect(),
                });
                None
            }
            None => title,
        };
        if !empty {
            stack.push(folder);
        }
    }
    if !saw_root {
        return Err(OpmlError::Invalid(
            "the document has no <opml> root element".into(),
        ));
    }
    Ok(feeds)
}

/// A source id from a title: lower-case ASCII letters and digits joined
/// by `-`, diacritics folded (`Zorg + Welzijn` → `zorg-welzijn`). Empty
/// when the title has no letters or digits.
pub fn id_from_title(title: &str) -> String {
    let mut folded = String::new();
    for c in title.chars() {
        crate::text::fold_char(c, &mut folded);
    }
    let mut id = String::new();
    for c in folded.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            id.push(c);
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
        if id.len() >= 48 {
            break;
        }
    }
    id.trim_end_matches('-').to_string()
}

/// What an import did with each feed of the OPML file.
#[derive(Debug, Default)]
pub struct ImportPlan {
    /// New sources, ready to be written.
    pub added: Vec<NewSource>,
    /// Feeds left out, each with the reason (for the user).
    pub skipped: Vec<String>,
}

/// A source to be written to a source list.
#[derive(Debug, Clone)]
pub struct NewSource {
    /// Id (valid, unique).
    pub id: String,
    /// Name.
    pub name: String,
    /// URL (valid http(s)).
    pub url: String,
    /// Tags.
    pub tags: Vec<String>,
    /// `feed`, or `page` for a list page.
    pub kind: SourceKind,
    /// Further keys of the entry (selectors, `full_text`, …), in order.
    pub settings: Vec<(&'static str, toml::Value)>,
}

impl NewSource {
    /// A feed with nothing but id, name, URL and tags.
    pub fn feed(id: String, name: String, url: String, tags: Vec<String>) -> NewSource {
        NewSource {
            id,
            name,
            url,
            tags,
            kind: SourceKind::Feed,
            settings: Vec::new(),
        }
    }

    /// A list page with its selectors (defaults left out).
    pub fn page(
        id: String,
        name: String,
        url: String,
        tags: Vec<String>,
        rules: &PageRules,
    ) -> NewSource {
        NewSource {
            id,
            name,
            url,
            tags,
            kind: SourceKind::Page,
            settings: page_settings(rules),
        }
    }
}

/// The keys of a list page's selectors and limits, as a source list
/// writes them; the limits only when they differ from the defaults.
fn page_settings(p: &PageRules) -> Vec<(&'static str, toml::Value)> {
    let text = |v: &String| toml::Value::String(v.clone());
    let mut out = vec![("items", text(&p.items))];
    for (key, v) in [
        ("title", &p.title),
        ("date", &p.date),
        ("summary", &p.summary),
        ("next", &p.next),
    ] {
        if let Some(v) = v {
            out.push((key, text(v)));
        }
    }
    for (key, n, default) in [
        ("max_items", p.max_items, super::DEFAULT_MAX_ITEMS),
        ("max_pages", p.max_pages, super::DEFAULT_MAX_PAGES),
    ] {
        if n != default {
            out.push((key, toml::Value::Integer(n as i64)));
        }
    }
    out
}

/// Decides which feeds become new sources: a feed whose URL (canonical
/// form) is already configured, or whose `radarId` is taken, is skipped
/// with a message; an invalid URL is skipped with the reason; a derived id
/// that is taken gets a numeric suffix.
pub fn plan_import(feeds: &[OpmlFeed], existing: &[Source]) -> ImportPlan {
    let key = super::add::url_key;
    let mut urls: HashMap<String, String> = existing
        .iter()
        .map(|s| (key(&s.location.display()), s.id.clone()))
        .collect();
    let mut ids: HashSet<String> = existing.iter().map(|s| s.id.clone()).collect();
    let mut plan = ImportPlan::default();
    for f in feeds {
        if f.is_link && !f.settings.iter().any(|(k, _)| *k == "items") {
            plan.skipped.push(format!(
                "line {}: {:?}: {} is a web page, not a feed; `radar sources detect {}` recognises its news list (or write a kind = \"page\" source with an `items` selector)",
                f.line, f.title, f.xml_url, f.xml_url
            ));
            continue;
        }
        let settings = match setting_values(&f.settings) {
            Ok(v) => v,
            Err(reason) => {
                plan.skipped
                    .push(format!("line {}: {:?}: {reason}", f.line, f.title));
                continue;
            }
        };
        let loc = match super::parse_location(&f.xml_url, Path::new("."), false) {
            Ok(l) => l,
            Err(reason) => {
                plan.skipped.push(format!(
                    "line {}: {:?}: xmlUrl {:?}: {reason}",
                    f.line, f.title, f.xml_url
                ));
                continue;
            }
        };
        let url = loc.display();
        if let Some(other) = urls.get(&key(&url)) {
            plan.skipped.push(format!(
                "line {}: {:?}: {url} is already configured as source `{other}`",
                f.line, f.title
            ));
            continue;
        }
        let id = match &f.radar_id {
            Some(rid) if !valid_id(rid) => {
                plan.skipped.push(format!(
                    "line {}: {:?}: radarId {rid:?} is not a valid id",
                    f.line, f.title
                ));
                continue;
            }
            Some(rid) if ids.contains(rid) => {
                plan.skipped.push(format!(
                    "line {}: {:?}: id `{rid}` is already taken by another source",
                    f.line, f.title
                ));
                continue;
            }
            Some(rid) => rid.clone(),
            None => {
                let mut base = id_from_title(&f.title);
                if base.is_empty() {
                    base = id_from_title(
                        &url::Url::parse(&url)
                            .ok()
                            .and_then(|u| u.host_str().map(str::to_string))
                            .unwrap_or_default(),
                    );
                }
                super::add::free_id(&base, |id| ids.contains(id))
            }
        };
        debug_assert!(valid_id(&id));
        let name: String = f.title.chars().filter(|c| !c.is_control()).collect();
        let new = NewSource {
            id,
            name: if name.trim().is_empty() {
                url.clone()
            } else {
                name.trim().to_string()
            },
            url,
            tags: f.tags.clone(),
            kind: if f.is_link {
                SourceKind::Page
            } else {
                SourceKind::Feed
            },
            settings,
        };
        // The entry must load as it will be written: selectors, schedule,
        // ranges and the keys a kind allows are checked here, per entry.
        if let Err(e) =
            super::parse_list(&to_toml(std::slice::from_ref(&new)), Path::new("."), false)
        {
            let why = match e {
                SourcesError::Invalid { key, reason, .. } => match attr_of(&key) {
                    "" => format!("{key}: {reason}"),
                    attr => format!("{attr}: {reason}"),
                },
                other => other.to_string(),
            };
            plan.skipped
                .push(format!("line {}: {:?}: {why}", f.line, f.title));
            continue;
        }
        ids.insert(new.id.clone());
        urls.insert(key(&new.url), new.id.clone());
        plan.added.push(new);
    }
    plan
}

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The `[[source]]` entries for `added`, as TOML text.
pub fn to_toml(added: &[NewSource]) -> String {
    let mut out = String::new();
    for s in added {
        let tags: Vec<String> = s.tags.iter().map(|t| toml_str(t)).collect();
        out.push_str(&format!(
            "[[source]]\nid = {}\nname = {}\nurl = {}\nkind = {}\n",
            toml_str(&s.id),
            toml_str(&s.name),
            toml_str(&s.url),
            toml_str(s.kind.as_str()),
        ));
        for (key, value) in &s.settings {
            out.push_str(&format!("{key} = {value}\n"));
        }
        out.push_str(&format!("tags = [{}]\n\n", tags.join(", ")));
    }
    out
}

fn esc(s: &str) -> String {
    quick_xml::escape::escape(s)
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#9;")
}

/// radar's settings of a source that differ from the defaults, as
/// (OPML attribute, value).
fn settings_of(s: &Source) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = s
        .page
        .as_ref()
        .map(page_settings)
        .unwrap_or_default()
        .into_iter()
        .map(|(key, v)| match v {
            toml::Value::String(text) => (key, text),
            other => (key, other.to_string()),
        })
        .collect();
    for (key, v) in [("include", &s.rules.include), ("exclude", &s.rules.exclude)] {
        if let Some(v) = v {
            out.push((key, v.clone()));
        }
    }
    if let Some(f) = s.full_text {
        let f = match f {
            crate::config::FullText::Always => "always",
            crate::config::FullText::Auto => "auto",
            crate::config::FullText::Never => "never",
        };
        out.push(("full_text", f.to_string()));
    }
    if let Some(c) = &s.schedule {
        out.push(("schedule", c.clone()));
    }
    if !s.enabled {
        out.push(("enabled", "false".into()));
    }
    out.into_iter().map(|(k, v)| (attr_of(k), v)).collect()
}

/// All `sources` as an OPML 2.0 document: one outline per source with
/// `text`/`title` (name), `xmlUrl` (feeds) or `url` (pages), `category`
/// (the tags), `radarId` and radar's own settings ([`RADAR_KEYS`]).
/// Sources that are local files or mailboxes have no URL to share and are
/// left out (returned in the second value).
pub fn export(sources: &[Source], title: &str) -> (String, Vec<String>) {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n");
    out.push_str(&format!(
        "  <head>\n    <title>{}</title>\n  </head>\n  <body>\n",
        esc(title)
    ));
    let mut left_out = Vec::new();
    for s in sources {
        let url = match (&s.location, s.kind) {
            (Location::Http(u), SourceKind::Feed | SourceKind::Page) => u.to_string(),
            _ => {
                left_out.push(s.id.clone());
                continue;
            }
        };
        // A list page has no feed; OPML readers know it as a plain link.
        let (typ, url_attr) = match s.kind {
            SourceKind::Feed => ("rss", "xmlUrl"),
            _ => ("link", "url"),
        };
        let tags: Vec<&str> = s
            .tags
            .iter()
            .map(String::as_str)
            .filter(|t| !t.contains(','))
            .collect();
        out.push_str(&format!(
            "    <outline type=\"{typ}\" text=\"{n}\" title=\"{n}\" {url_attr}=\"{u}\"",
            n = esc(&s.name),
            u = esc(&url)
        ));
        if !tags.is_empty() {
            out.push_str(&format!(" category=\"{}\"", esc(&tags.join(","))));
        }
        for (attr, v) in settings_of(s) {
            out.push_str(&format!(" {attr}=\"{}\"", esc(&v)));
        }
        out.push_str(&format!(" radarId=\"{}\"/>\n", esc(&s.id)));
    }
    out.push_str("  </body>\n</opml>\n");
    (out, left_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Abonnementen</title></head>
  <body>
    <outline text="Zorg &amp; Welzijn" title="Zorg &amp; Welzijn">
      <outline text="Vakmedia">
        <outline type="rss" text="Skipr" xmlUrl="https://www.skipr.nl/feed/" htmlUrl="https://www.skipr.nl/" category="/sector:zorg, outlet:vakmedia"/>
        <outline type="rss" text="Zorgvisie — nieuws" xmlUrl="https://www.zorgvisie.nl/feed/"/>
      </outline>
    </outline>
    <outline type="rss" text="Losse feed" xmlUrl="https://example.nl/rss?x=1&amp;y=2"/>
    <outline type="rss" text="Kwaadaardig" xmlUrl="javascript:alert(1)"/>
    <outline text="Lege map"/>
    <outline type="link" text="Nieuwspagina" url="https://zorggroep.nl/nieuws"/>
  </body>
</opml>"#;

    #[test]
    fn folders_and_categories_become_tags() {
        let feeds = parse(SAMPLE).unwrap();
        assert_eq!(feeds.len(), 5);
        assert!(feeds[4].is_link && !feeds[0].is_link);
        assert_eq!(feeds[0].title, "Skipr");
        assert_eq!(
            feeds[0].tags,
            vec!["Zorg & Welzijn/Vakmedia", "sector:zorg", "outlet:vakmedia"]
        );
        assert_eq!(feeds[1].tags, vec!["Zorg & Welzijn/Vakmedia"]);
        assert_eq!(feeds[2].xml_url, "https://example.nl/rss?x=1&y=2");
        assert!(feeds[2].tags.is_empty());
        assert_eq!(feeds[0].line, 7);
    }

    #[test]
    fn ids_are_derived_and_bad_urls_skipped() {
        let feeds = parse(SAMPLE).unwrap();
        let plan = plan_import(&feeds, &[]);
        let ids: Vec<&str> = plan.added.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, vec!["skipr", "zorgvisie-nieuws", "losse-feed"]);
        assert_eq!(plan.skipped.len(), 2);
        assert!(
            plan.skipped[1].contains("kind = \"page\""),
            "{:?}",
            plan.skipped
        );
        assert!(
            plan.skipped[0].contains("line 12") && plan.skipped[0].contains("javascript"),
            "{:?}",
            plan.skipped
        );
        assert_eq!(id_from_title("Zorg + Wélzijn!"), "zorg-welzijn");
        assert_eq!(id_from_title("¡¿"), "");
    }

    #[test]
    fn hostile_documents_are_refused() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><opml><body><outline text="&b;" xmlUrl="https://x.nl/f"/></body></opml>"#;
        assert!(matches!(parse(bomb), Err(OpmlError::Invalid(_))));
        let deep = format!(
            "<opml><body>{}{}</body></opml>",
            "<outline text=\"x\">".repeat(MAX_DEPTH + 5),
            "</outline>".repeat(MAX_DEPTH + 5)
        );
        assert!(parse(&deep).unwrap_err().to_string().contains("nested"));
        let broken = "<opml><body><outline text=\"x\" xmlUrl=\"https://x.nl/f\"></body></opml>";
        assert!(matches!(parse(broken), Err(OpmlError::Xml { .. })));
        assert!(matches!(
            parse("<rss><channel/></rss>"),
            Err(OpmlError::Invalid(_))
        ));
        let unknown_entity =
            "<opml><body><outline text=\"&zz;\" xmlUrl=\"https://x.nl/f\"/></body></opml>";
        assert!(parse(unknown_entity).is_err());
    }
}
