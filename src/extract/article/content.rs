//! Main-content detection: the page is cut into text blocks, every block
//! gets a weight (long prose positive, links and short fragments negative),
//! and the element whose subtree has the largest total weight is taken as
//! the article. Its blocks, minus boilerplate, form the text.

use super::ExtractError;
use super::meta::absolutize;
use crate::extract::html::{whitespace_len, word_end};
use ego_tree::NodeRef;
use regex::Regex;
use scraper::{Html, Node};
use std::sync::LazyLock;
use std::time::Instant;
use url::Url;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Para,
    Heading(u8),
    Item { ordered: bool, list: usize },
    Pre,
    Cell,
    Caption,
    Other,
}

#[derive(Debug)]
pub(crate) struct Block {
    pub text: String,
    pub html: String,
    pub chars: usize,
    pub link_chars: usize,
    pub words: usize,
    pub kind: Kind,
    pub quote: bool,
    /// The innermost `<table>` (its element index) the block sits in.
    pub table: Option<usize>,
    /// Index into [`Walk::elems`] of the innermost block element.
    pub owner: usize,
    /// See [`weight`]; computed once per block.
    pub weight: f64,
    /// Whether the block is short site furniture ([`FURNITURE`]), once
    /// [`weight`] had to find out.
    pub furniture: Option<bool>,
}

struct Elem {
    parent: Option<usize>,
    /// Class/id says boilerplate (comments, sharing, cookie banner, ...).
    unlikely: bool,
    /// Class/id says readers' comments: dropped even when they outweigh
    /// the article.
    comments: bool,
    /// Marked up as the article's body (`itemprop="articleBody"`).
    body: bool,
    /// The page's main content (`<main>` or `role="main"`).
    main: bool,
}

struct Walk<'a> {
    use_classes: bool,
    base: Option<&'a Url>,
    deadline: Instant,
    visited: usize,
    elems: Vec<Elem>,
    blocks: Vec<Block>,
    text: String,
    html: String,
    link_chars: usize,
    in_link: usize,
    quote: usize,
    stack: Vec<(usize, Kind)>,
    lists: Vec<(usize, bool)>,
    /// Open `<table>` elements (element indexes), innermost last.
    tables: Vec<usize>,
    timed_out: bool,
    /// Reused buffer for class/id and style strings.
    scratch: String,
    /// Link targets as written in the page, by [`LINK_MARK`] index.
    links: Vec<String>,
    /// Whether a lower-cased "class id" string names boilerplate: pages
    /// repeat the same few classes on thousands of elements.
    unlikely_cache: std::collections::HashMap<String, (bool, bool)>,
}

static UNLIKELY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-ad-|(?-u:\b)ads?(?-u:\b)|ad-break|adbox|advert|agegate|banner|breadcrumb|combx|comment|community|consent|cookie|cover-wrap|disqus|footer|gdpr|legends|masthead|(?-u:\b)menu|modal|newsletter|nieuwsbrief|outbrain|pager|pagination|popup|promo|related|gerelateerd|remark|replies|(?-u:\b)rss(?-u:\b)|share|sharing|shoutbox|sidebar|skyscraper|social|sponsor|subscribe|supplemental|taboola|(?-u:\b)tags?(?-u:\b)|toolbar|yom-remote|lees-?ook|meer-?nieuws|read-?more|recommend|trending|most-?popular|signup|paywall|newsletter|author-?bio|reacties|(?-u:\b)cta(?-u:\b)|byline|dateline|(?-u:\b)meta(?-u:\b)|timestamp|caption|credit")
        .expect("static regex")
});
/// Accordion and tab panels: text the page hides until a click, but wrote
/// for the reader (questions and answers on a care organisation's page).
static PANEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"accordion|collaps|tab-?pane|(?-u:\b)faq|uitklap").expect("static regex")
});

/// How a sentence ends, in Latin and CJK scripts.
const SENTENCE_END: [char; 9] = ['.', '!', '?', '"', '”', '’', '。', '！', '？'];
const SENTENCE_END_QUOTE: [char; 10] = ['.', '!', '?', '"', '”', '’', '\'', '。', '！', '？'];

/// Readers' comments (a subset of [`UNLIKELY`]).
static COMMENTS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"comment|disqus|replies|reacties").expect("static regex"));
static MAYBE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)and(?-u:\b)|article|body|column|content|(?-u:\b)main(?-u:\b)|shadow|story|entry|post-?text|artikel|bericht|embed").expect("static regex")
});
/// A class or id token whose last word is boilerplate ("entry-author-bio",
/// "article-comments", "image-embed-caption") names that boilerplate, even
/// when an earlier word sounds like content.
/// State classes ("has-comments", "with-sidebar", "no-share") describe the
/// element's layout, not what it is.
fn names_boilerplate(cls: &str) -> bool {
    const STATE: [&str; 6] = ["has-", "with-", "no-", "is-", "show-", "hide-"];
    cls.split_ascii_whitespace().any(|token| {
        !STATE.iter().any(|p| token.starts_with(p))
            && UNLIKELY.find_iter(token).any(|m| {
                let rest = &token[m.end()..];
                rest.is_empty() || rest == "s"
            })
    })
}

/// Elements whose subtree is never article text.
fn is_skipped(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "embed"
            | "canvas"
            | "nav"
            | "aside"
            | "footer"
            | "form-control"
            | "button"
            | "select"
            | "textarea"
            | "input"
            | "label"
            | "option"
            | "head"
            | "title"
            | "meta"
            | "link"
            | "video"
            | "audio"
            | "map"
            | "dialog"
            | "menu"
    )
}

/// Elements that start a text block of their own.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "blockquote"
            | "body"
            | "center"
            | "dd"
            | "details"
            | "dir"
            | "div"
            | "dl"
            | "dt"
            | "fieldset"
            | "figcaption"
            | "figure"
            | "form"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hgroup"
            | "hr"
            | "html"
            | "li"
            | "main"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "tr"
            | "ul"
            | "caption"
    )
}

fn escape(s: &str, out: &mut String) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + 1;
    }
    out.push_str(&s[last..]);
}

/// Stands for `<a href="` + the absolute URL of `Walk::links[N]` + `">` in
/// a block's HTML until the blocks are chosen (NUL never occurs in parsed
/// text or attributes: the parser replaces it).
const LINK_MARK: &str = "<a href=\"\0";

/// A link target [`absolutize`] may accept (it refuses these outright).
fn linkable(h: &str) -> bool {
    !h.is_empty() && !h.starts_with("data:") && !h.starts_with("javascript:")
}

/// Replaces the [`LINK_MARK`]s in `html` with the links made absolute
/// (`<a>` when that fails), as they would have been written directly.
fn resolve_links(html: &str, links: &[String], base: Option<&Url>) -> String {
    let mut out = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(at) = rest.find(LINK_MARK) {
        out.push_str(&rest[..at]);
        let after = &rest[at + LINK_MARK.len()..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        let link = after[..digits]
            .parse::<usize>()
            .ok()
            .and_then(|n| links.get(n));
        match link.and_then(|h| absolutize(base, h)) {
            Some(h) => {
                out.push_str("<a href=\"");
                escape(&h, &mut out);
                out.push_str("\">");
            }
            None => out.push_str("<a>"),
        }
        // Past the digits and the closing `">`.
        rest = &after[(digits + 2).min(after.len())..];
    }
    out.push_str(rest);
    out
}

/// `style` hides the element (`display:none`, `visibility:hidden`, spaces
/// and case ignored).
fn style_hides(style: &str, scratch: &mut String) -> bool {
    scratch.clear();
    scratch.extend(style.chars().filter(|&c| c != ' '));
    scratch.make_ascii_lowercase();
    scratch.contains("display:none") || scratch.contains("visibility:hidden")
}

impl<'a> Walk<'a> {
    /// Class and id say boilerplate (and not article).
    /// Whether class and id say boilerplate, and whether they say it is
    /// the readers' comments.
    fn unlikely(&mut self, class: &str, id: &str) -> (bool, bool) {
        let key = &mut self.scratch;
        key.clear();
        // camelCase words are split like hyphenated ones
        // ("imageEmbedCaption" reads "image-embed-caption").
        let mut prev_lower = false;
        for c in class.chars().chain([' ']).chain(id.chars()) {
            if c.is_ascii_uppercase() && prev_lower {
                key.push('-');
            }
            prev_lower = c.is_ascii_lowercase();
            key.push(c.to_ascii_lowercase());
        }
        let cls = key.trim();
        if cls.is_empty() {
            return (false, false);
        }
        if let Some(&known) = self.unlikely_cache.get(cls) {
            return known;
        }
        let maybe = MAYBE.is_match(cls);
        let unlikely = UNLIKELY.is_match(cls) && (!maybe || names_boilerplate(cls));
        // Only a container that is nothing but comments goes whatever its
        // size: "entry-content has-comments" is the article.
        let verdict = (unlikely, unlikely && !maybe && COMMENTS.is_match(cls));
        // Bounded: a hostile page with endless distinct classes gets no
        // more than a small table.
        if self.unlikely_cache.len() < 4096 {
            self.unlikely_cache.insert(cls.to_string(), verdict);
        }
        verdict
    }

    fn flush(&mut self) {
        if self.text.is_empty() && self.html.is_empty() {
            self.link_chars = 0;
            return;
        }
        let (text, counts) = normalize_block(&self.text);
        if text.is_empty() && !self.html.contains("<img ") {
            self.text.clear();
            self.html.clear();
            self.link_chars = 0;
            return;
        }
        let (owner, kind) = *self.stack.last().expect("stack has root");
        let chars = counts.chars;
        // Scripts without spaces (CJK) count one "word" per ~2 characters.
        let words = counts.words.max(counts.wide / 2);
        let html = collapse_spaces(&self.html);
        let mut block = Block {
            text,
            html,
            chars,
            link_chars: self.link_chars.min(chars),
            words,
            kind,
            quote: self.quote > 0,
            table: self.tables.last().copied(),
            owner,
            weight: 0.0,
            furniture: None,
        };
        block.weight = weight(&mut block);
        self.blocks.push(block);
        self.text.clear();
        self.html.clear();
        self.link_chars = 0;
    }

    fn walk(&mut self, node: NodeRef<'_, Node>, parent: Option<usize>, depth: usize) {
        self.visited += 1;
        if self.visited & 2047 == 0 && Instant::now() > self.deadline {
            self.timed_out = true;
        }
        if self.timed_out || depth > 600 {
            return;
        }
        match node.value() {
            Node::Text(t) => {
                let s: &str = t;
                self.text.push_str(s);
                escape(s, &mut self.html);
                if self.in_link > 0 {
                    self.link_chars += s.chars().filter(|c| !c.is_whitespace()).count();
                }
            }
            Node::Element(e) => {
                let name = e.name();
                // An accordion's button is its question: kept as a heading.
                let toggle = name == "button"
                    && e.attrs
                        .iter()
                        .any(|(q, _)| matches!(&*q.local, "aria-expanded" | "aria-controls"));
                if is_skipped(name) && !toggle {
                    return;
                }
                // One pass over the attributes (`attr()` interns its
                // argument and searches every time).
                let mut hidden = false;
                // Hidden by the page until a click (`hidden`, display:none):
                // kept when it is an accordion or tab panel.
                let mut collapsed = false;
                let mut tab_panel = false;
                let (mut class, mut id) = (None, None);
                let (mut href, mut src, mut data_src) = (None, None, None);
                let mut body = false;
                let mut main = name == "main";
                for (qual, value) in &e.attrs {
                    if qual.ns != html5ever::ns!() {
                        continue;
                    }
                    let value: &str = value;
                    match &*qual.local {
                        "hidden" => collapsed = true,
                        "aria-hidden" => hidden |= value == "true",
                        "style" => collapsed |= style_hides(value, &mut self.scratch),
                        "role" => {
                            main |= value == "main";
                            tab_panel |= value == "tabpanel";
                            hidden |= matches!(
                                value,
                                "navigation"
                                    | "complementary"
                                    | "banner"
                                    | "contentinfo"
                                    | "dialog"
                                    | "alertdialog"
                                    | "menu"
                                    | "menubar"
                            )
                        }
                        "class" => class = Some(value),
                        "id" => id = Some(value),
                        "href" => href = Some(value),
                        "src" => src = Some(value),
                        "data-src" => data_src = Some(value),
                        "itemprop" => {
                            body |= value.split_ascii_whitespace().any(|v| v == "articleBody")
                        }
                        _ => {}
                    }
                }
                if hidden
                    || (collapsed
                        && !tab_panel
                        && ![class, id]
                            .into_iter()
                            .flatten()
                            .any(|c| PANEL.is_match(&c.to_ascii_lowercase())))
                {
                    return;
                }
                let (unlikely, comments) = if self.use_classes
                    && (class.is_some() || id.is_some())
                    && !matches!(name, "body" | "html" | "article" | "main")
                {
                    self.unlikely(class.unwrap_or(""), id.unwrap_or(""))
                } else {
                    (false, false)
                };
                if name == "br" {
                    self.text.push('\n');
                    self.html.push_str("<br>");
                    return;
                }
                if name == "img" {
                    let src = data_src.or(src).and_then(|s| absolutize(self.base, s));
                    if let Some(src) = src {
                        self.html.push_str("<img src=\"");
                        escape(&src, &mut self.html);
                        self.html.push_str("\">");
                    }
                    return;
                }
                let is_block = is_block(name) || unlikely || toggle;
                if !is_block {
                    let is_link = name == "a";
                    // A heading's permalink anchor (a link to a named place
                    // on the same page) does not make it navigation; a bare
                    // "#" is a script's button.
                    let in_heading = matches!(self.stack.last(), Some((_, Kind::Heading(_))));
                    let leads_away = is_link
                        && !(in_heading
                            && href.is_some_and(|h| {
                                let h = h.trim();
                                h.len() > 1 && h.starts_with('#') && !h.starts_with("#!")
                            }));
                    if leads_away {
                        self.in_link += 1;
                    }
                    if is_link {
                        // Made absolute later, and only for the blocks that
                        // are kept: a page has far more links than its
                        // article. The marker holds an index into `links`.
                        match href.map(str::trim).filter(|h| linkable(h)) {
                            Some(h) => {
                                self.html.push_str(LINK_MARK);
                                self.html.push_str(&self.links.len().to_string());
                                self.html.push_str("\">");
                                self.links.push(h.to_string());
                            }
                            None => self.html.push_str("<a>"),
                        }
                    }
                    for c in node.children() {
                        self.walk(c, parent, depth + 1);
                    }
                    if leads_away {
                        self.in_link -= 1;
                    }
                    if is_link {
                        self.html.push_str("</a>");
                    }
                    return;
                }
                self.flush();
                let idx = self.elems.len();
                self.elems.push(Elem {
                    parent,
                    unlikely,
                    comments,
                    body,
                    main,
                });
                let kind = match name {
                    "p" | "dd" | "dt" | "address" => Kind::Para,
                    "h1" => Kind::Heading(1),
                    "h2" => Kind::Heading(2),
                    "h3" => Kind::Heading(3),
                    "h4" | "h5" | "h6" | "button" => Kind::Heading(4),
                    "li" => match self.lists.last() {
                        Some(&(list, ordered)) => Kind::Item { ordered, list },
                        None => Kind::Item {
                            ordered: false,
                            list: idx,
                        },
                    },
                    "pre" => Kind::Pre,
                    "td" | "th" => Kind::Cell,
                    "figcaption" | "caption" => Kind::Caption,
                    _ => Kind::Other,
                };
                let is_list = matches!(name, "ul" | "ol");
                if is_list {
                    self.lists.push((idx, name == "ol"));
                }
                if name == "blockquote" {
                    self.quote += 1;
                }
                if name == "table" {
                    self.tables.push(idx);
                }
                self.stack.push((idx, kind));
                for c in node.children() {
                    self.walk(c, Some(idx), depth + 1);
                }
                self.flush();
                self.stack.pop();
                if name == "blockquote" {
                    self.quote -= 1;
                }
                if is_list {
                    self.lists.pop();
                }
                if name == "table" {
                    self.tables.pop();
                }
            }
            Node::Document | Node::Fragment => {
                for c in node.children() {
                    self.walk(c, parent, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// Counts taken while normalising a block.
#[derive(Default)]
struct Counts {
    /// Characters other than whitespace.
    chars: usize,
    /// Characters from U+2E80 up (CJK and beyond).
    wide: usize,
    words: usize,
}

/// Keeps single line breaks from `<br>`, collapses all other whitespace:
/// the words of each non-empty line joined by one space, the lines by one
/// line break. One pass, counting characters and words on the way.
fn normalize_block(s: &str) -> (String, Counts) {
    let mut out = String::with_capacity(s.len());
    let mut counts = Counts::default();
    let bytes = s.as_bytes();
    let mut newline = false;
    let mut i = 0;
    while i < bytes.len() {
        let ws = whitespace_len(s, i);
        if ws > 0 {
            newline |= bytes[i] == b'\n';
            i += ws;
            continue;
        }
        let end = word_end(s, i + 1);
        let word = &s[i..end];
        if !out.is_empty() {
            out.push(if newline { '\n' } else { ' ' });
        }
        newline = false;
        out.push_str(word);
        counts.words += 1;
        if word.is_ascii() {
            counts.chars += word.len();
        } else {
            for c in word.chars() {
                counts.chars += 1;
                counts.wide += usize::from(u32::from(c) >= 0x2E80);
            }
        }
        i = end;
    }
    (out, counts)
}

/// Whitespace runs become one space, none at the ends (as
/// `split_whitespace().join(" ")`).
fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let ws = whitespace_len(s, i);
        if ws > 0 {
            i += ws;
            continue;
        }
        let end = word_end(s, i + 1);
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&s[i..end]);
        i = end;
    }
    out
}

static BOILER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:(?:foto|beeld|photo)\s*[:©|]|(lees ook|lees meer|lees verder|meer nieuws|meer over|deel dit (artikel|bericht)|delen|deel op|share( this( article| story)?)?|advertisement|advertentie|related( articles| stories)?|read more|ook interessant|bekijk ook|zie ook|tags?|trefwoorden|sign up|subscribe|abonneer|volg ons|follow us|print|e-?mail|reageer|reacties|comments?|terug naar|back to top|naar boven|accepteren|alles accepteren|weigeren|akkoord|cookie-?instellingen|accept( all)?|reject( all)?)\b)")
        .expect("static regex")
});
/// Site furniture that reads like a sentence: legal lines, newsletter and
/// social prompts, script warnings. Only checked on short blocks.
static FURNITURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"all rights reserved|alle rechten voorbehouden|©|\(c\) \d{4}|copyright(?-u:\b)|requires javascript|enable javascript|javascript (is )?(disabled|required)|subscribe (to|now)|sign up (for|to)|newsletter|nieuwsbrief|abonneer|follow (us|me|her|him) on|^follow .{0,60}(?-u:\b)on (instagram|facebook|twitter|youtube|linkedin|tiktok)|volg ons|^volg .{0,60}(?-u:\b)op (instagram|facebook|twitter|youtube|linkedin|tiktok)|have a tip|tip de redactie|click here|klik hier|terms (of use|of service|and conditions|& conditions)|privacy ?(policy|beleid|verklaring|statement)|this slideshow|^advertentie$|^advert(isement)?$|^ad$|^anzeige$|quotes delayed|market data provided|^(updated|published|posted|last updated|bijgewerkt|gepubliceerd|geplaatst|laatste update)\b.{0,40}$")
        .expect("static regex")
});
static COOKIE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)cookie").expect("static regex"));
static COOKIE_CTX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)accept|akkoord|instellingen|settings|gebruik(en|t)|we use|privacy|toestemming|consent|voorkeuren|weigeren")
        .expect("static regex")
});

/// Climbing above the core is refused when it would add more than this
/// share of the core's good paragraphs ...
const CLIMB_MAX_ADDED: f64 = 0.5;
/// ... spread over containers holding fewer than this many good paragraphs
/// each (a column of teasers, not the article's next section).
const CLIMB_MIN_PER_GROUP: f64 = 2.0;
/// ... and when most of those containers (this share) come with a headline
/// link, as teasers do; an article whose paragraphs sit in boxes of their
/// own has no such links.
const CLIMB_TEASER_HEADS: f64 = 0.5;
/// An ancestor replaces the current choice only if it adds at least this
/// share of the core's positive weight. The middle of the range where
/// development F1 is flat (0.075-0.2 scanned; below 0.075 it drops).
const CLIMB_MIN_GAIN: f64 = 0.15;

/// A closing list whose items all link, with at least this share of link
/// text, is a list of other stories.
const TRAILING_LINKS: f64 = 0.3;

/// ... a short list (reference lists and link collections are longer) ...
const TRAILING_MAX_ITEMS: usize = 12;
/// ... when at most this many words follow it.
const TRAILING_AFTER_WORDS: usize = 80;

/// A sentence with at most this share of link text stays (see
/// [`linked_sentence`]).
const LINKED_SENTENCE_MAX: f64 = 0.85;

/// The marked-up article body replaces the chosen element when it holds at
/// least this share of the chosen element's prose.
const MARKED_BODY_SHARE: f64 = 0.7;

pub(crate) struct Content {
    pub blocks: Vec<Block>,
}

/// Short site furniture: fewer than 40 words and [`FURNITURE`] matches.
fn is_furniture(b: &Block) -> bool {
    b.words < 40 && {
        let t = b.text.trim_end();
        if t.is_ascii() {
            FURNITURE.is_match(&t.to_ascii_lowercase())
        } else {
            FURNITURE.is_match(&t.to_lowercase())
        }
    }
}

fn weight(b: &mut Block) -> f64 {
    let ld = b.link_chars as f64 / b.chars.max(1) as f64;
    let w = b.words as f64;
    if b.chars == 0 {
        return 0.0;
    }
    if ld > 0.5 {
        return -w * 1.0 - 1.0;
    }
    let furniture = is_furniture(b);
    b.furniture = Some(furniture);
    if furniture {
        return -w - 1.0;
    }
    let t = b.text.trim_end();
    if (t.ends_with("...") || t.ends_with('…')) && b.words < 80 {
        // A teaser: the summary of another article.
        return -w;
    }
    match b.kind {
        Kind::Heading(_) => 0.0,
        Kind::Caption => -w * 0.3,
        _ if b.words >= 12 || (b.words >= 6 && ld < 0.2 && t.ends_with(SENTENCE_END)) => {
            w * (1.0 - ld)
        }
        _ => -w * 0.4 - 0.5,
    }
}

/// Below this many words the class/id pruning is suspected of having cut
/// the article, and extraction is retried without it (as Readability does).
const RETRY_BELOW_WORDS: usize = 60;

pub(crate) fn extract(
    doc: &Html,
    base: Option<&Url>,
    deadline: Instant,
    title: Option<&str>,
) -> Result<Content, ExtractError> {
    let first = extract_once(doc, base, deadline, title, true);
    let words = |c: &Content| c.blocks.iter().map(|b| b.words).sum::<usize>();
    match &first {
        Ok(c) if words(c) >= RETRY_BELOW_WORDS => return first,
        Err(ExtractError::TimeBudget) => return first,
        _ => {}
    }
    let second = extract_once(doc, base, deadline, title, false);
    match (first, second) {
        // The retry must extend what the first pass found, not replace it:
        // without class hints a short article can lose to its own comments.
        (Ok(a), Ok(b)) => Ok(if words(&b) > 2 * words(&a) && extends(&b, &a) {
            b
        } else {
            a
        }),
        (Ok(a), Err(_)) => Ok(a),
        (Err(_), b) => b,
    }
}

/// Whether `longer` holds most of `shorter`'s text (4-word shingles).
fn extends(longer: &Content, shorter: &Content) -> bool {
    let text = |c: &Content| {
        c.blocks
            .iter()
            .map(|b| b.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let short = shingles(&text(shorter));
    if short.is_empty() {
        return true;
    }
    let long = shingles(&text(longer));
    short.iter().filter(|h| long.contains(h)).count() * 2 >= short.len()
}

fn extract_once(
    doc: &Html,
    base: Option<&Url>,
    deadline: Instant,
    title: Option<&str>,
    use_classes: bool,
) -> Result<Content, ExtractError> {
    let mut w = Walk {
        use_classes,
        base,
        deadline,
        visited: 0,
        elems: vec![Elem {
            parent: None,
            unlikely: false,
            comments: false,
            body: false,
            main: false,
        }],
        blocks: Vec::new(),
        text: String::new(),
        html: String::new(),
        link_chars: 0,
        in_link: 0,
        quote: 0,
        stack: vec![(0, Kind::Other)],
        lists: Vec::new(),
        tables: Vec::new(),
        timed_out: false,
        scratch: String::new(),
        links: Vec::new(),
        unlikely_cache: std::collections::HashMap::default(),
    };
    w.walk(doc.tree.root(), Some(0), 0);
    w.flush();
    if w.timed_out {
        return Err(ExtractError::TimeBudget);
    }
    let n = w.elems.len();
    // Elements whose class/id says boilerplate are dropped, unless they hold
    // most of the page's prose (a wrapper named "page-ad-margins" or
    // "pageRow" is not an ad).
    let mut prose = vec![0f64; n];
    for b in &w.blocks {
        if b.weight > 0.0 {
            let mut e = Some(b.owner);
            while let Some(i) = e {
                prose[i] += b.words as f64;
                e = w.elems[i].parent;
            }
        }
    }
    let total = prose[0].max(1.0);
    let mut dead = vec![false; n];
    for i in 1..n {
        let p = w.elems[i].parent.unwrap_or(0);
        let e = &w.elems[i];
        dead[i] = dead[p] || e.comments || (e.unlikely && prose[i] < 0.5 * total);
    }
    w.blocks.retain(|b| !dead[b.owner]);
    let mut score = vec![0f64; n];
    let mut good = vec![0usize; n];
    let mut chars = vec![0usize; n];
    let mut links = vec![0usize; n];
    let mut local = vec![0f64; n];
    let mut direct = vec![0usize; n];
    let mut pos = vec![0f64; n];
    // Headline links: short blocks that are mostly one link, outside lists
    // (a teaser's title; menus are lists).
    let mut heads = vec![0usize; n];
    for (i, b) in w.blocks.iter().enumerate() {
        if i & 4095 == 0 && Instant::now() > deadline {
            return Err(ExtractError::TimeBudget);
        }
        let wt = b.weight;
        let is_good = wt > 0.0;
        let is_head = (3..=25).contains(&b.words)
            && !matches!(b.kind, Kind::Item { .. })
            && b.link_chars * 2 > b.chars;
        let mut e = Some(b.owner);
        while let Some(i) = e {
            heads[i] += usize::from(is_head);
            score[i] += wt;
            pos[i] += wt.max(0.0);
            chars[i] += b.chars;
            links[i] += b.link_chars;
            if is_good {
                good[i] += 1;
            }
            e = w.elems[i].parent;
        }
        // Readability-style local score: a paragraph counts for its
        // container, less for the container's ancestors.
        if let (true, Some(p)) = (is_good, w.elems[b.owner].parent) {
            direct[p] += 1;
        }
        if is_good && b.chars >= 25 {
            let commas = b.text.matches([',', '，', '、']).count() as f64;
            let s = 1.0 + commas + (b.chars as f64 / 100.0).min(3.0);
            let mut e = w.elems[b.owner].parent;
            let mut level = 0;
            while let Some(i) = e {
                if level > 4 {
                    break;
                }
                let div = match level {
                    0 => 1.0,
                    1 => 2.0,
                    l => l as f64 * 3.0,
                };
                local[i] += s / div;
                level += 1;
                e = w.elems[i].parent;
            }
        }
    }
    // Containers that hold good paragraphs directly, counted per subtree.
    let mut groups = vec![0usize; n];
    for (i, _) in direct.iter().enumerate().filter(|(_, d)| **d > 0) {
        {
            let mut e = Some(i);
            while let Some(j) = e {
                groups[j] += 1;
                e = w.elems[j].parent;
            }
        }
    }
    // The core: the best local score, discounted by link density.
    let mut core = 0usize;
    let mut core_score = 0f64;
    for i in 1..n {
        if local[i] <= 0.0 {
            continue;
        }
        let ld = links[i] as f64 / chars[i].max(1) as f64;
        let s = local[i] * (1.0 - ld);
        if s > core_score {
            core_score = s;
            core = i;
        }
    }
    // Climb from the core to the ancestor with the best total weight, as
    // long as the core keeps holding most of the prose (a column of teasers
    // under the article does not pull the whole page in).
    let mut best = core;
    let mut best_score = score[core];
    let mut a = w.elems[core].parent;
    let mut from = core;
    while let Some(i) = a {
        // The page's `<main>` holds the article; beyond it are the site's
        // header and footer. (Unless the page put `role="main"` on a small
        // part of itself.)
        if w.elems[from].main && pos[from] >= 0.5 * pos[0] {
            break;
        }
        from = i;
        let added = (good[i] - good[core]) as f64;
        let added_groups = (groups[i] - groups[core]).max(1) as f64;
        let added_heads = (heads[i] - heads[core]) as f64;
        if added > CLIMB_MAX_ADDED * good[core] as f64
            && added / added_groups < CLIMB_MIN_PER_GROUP
            && added_heads >= CLIMB_TEASER_HEADS * added_groups
        {
            break;
        }
        if score[i] > best_score && pos[i] - pos[core] >= CLIMB_MIN_GAIN * pos[core] {
            best_score = score[i];
            best = i;
        }
        a = w.elems[i].parent;
    }
    if best_score <= 0.0 {
        return Err(ExtractError::NoContent);
    }
    // A single element marked up as the article body (`itemprop=
    // "articleBody"`) is taken when it holds most of the chosen prose.
    let marked: Vec<usize> = (1..n).filter(|&i| w.elems[i].body && !dead[i]).collect();
    if let [h] = marked[..] {
        let ld = links[h] as f64 / chars[h].max(1) as f64;
        if h != best && pos[h] >= MARKED_BODY_SHARE * pos[best] && ld < 0.3 {
            best = h;
        }
    }
    // Blocks inside the chosen element.
    let inside = |mut e: usize| loop {
        if e == best {
            return true;
        }
        match w.elems[e].parent {
            Some(p) => e = p,
            None => return false,
        }
    };
    // A data table in the article (a row per app, person, organisation)
    // often links its first column; those cells are data, not navigation.
    // Data-like: at least six short cells (a layout table's paragraphs do
    // not count), no fewer without links than with; menus are lists.
    let mut tables: std::collections::HashMap<usize, (usize, usize)> = Default::default();
    for b in w
        .blocks
        .iter()
        .filter(|b| b.chars > 0 && b.words <= 12 && inside(b.owner))
    {
        if let Some(t) = b.table {
            let e = tables.entry(t).or_default();
            if b.link_chars * 2 > b.chars {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
    }
    let data_cell = |b: &Block| {
        b.words <= 12
            && !matches!(b.kind, Kind::Item { .. })
            && b.table
                .and_then(|t| tables.get(&t))
                .is_some_and(|&(linked, plain)| linked + plain >= 6 && plain >= linked)
    };
    let title_norm = title.map(|t| t.to_lowercase());
    let mut kept: Vec<Block> = Vec::new();
    for b in w.blocks.into_iter() {
        if !inside(b.owner) {
            continue;
        }
        if b.chars == 0 {
            kept.push(b);
            continue;
        }
        let ld = b.link_chars as f64 / b.chars.max(1) as f64;
        if ld > 0.5 && !linked_sentence(&b) && !data_cell(&b) {
            continue;
        }
        if b.chars < 120 && BOILER.is_match(&b.text) {
            continue;
        }
        if b.furniture.unwrap_or_else(|| is_furniture(&b)) {
            continue;
        }
        if b.kind == Kind::Caption {
            continue;
        }
        if b.chars < 600 && COOKIE.is_match(&b.text) && COOKIE_CTX.is_match(&b.text) {
            continue;
        }
        if matches!(b.kind, Kind::Heading(_))
            && title_norm
                .as_ref()
                .is_some_and(|t| b.text.to_lowercase() == *t)
        {
            continue;
        }
        kept.push(b);
    }
    // Lists of three or more items that are not links (a closing list of
    // qualified teams, of steps, of prices) are part of the text.
    // (Items of single words, "Facebook", "Twitter", "Print", are buttons.)
    let mut lists: std::collections::HashMap<usize, (usize, usize, usize, usize)> =
        Default::default();
    for b in &kept {
        if let Kind::Item { list, .. } = b.kind {
            let e = lists.entry(list).or_default();
            e.0 += 1;
            e.1 += b.chars;
            e.2 += b.link_chars;
            e.3 += b.words;
        }
    }
    let text_list = |b: &Block| match b.kind {
        Kind::Item { list, .. } => lists.get(&list).is_some_and(|&(n, chars, link, words)| {
            n >= 3 && (link as f64) < 0.3 * chars as f64 && words >= 2 * n
        }),
        _ => false,
    };
    // Trim short non-prose fragments (bylines, dates, captions) at the edges.
    let is_prose = |b: &Block| {
        !matches!(b.kind, Kind::Caption | Kind::Heading(_))
            && (b.words >= 12
                || text_list(b)
                || (b.words >= 4 && b.text.trim_end().ends_with(SENTENCE_END_QUOTE)))
    };
    while kept.first().is_some_and(|b| !is_prose(b)) {
        kept.remove(0);
    }
    while kept.last().is_some_and(|b| !is_prose(b)) {
        kept.pop();
    }
    // A list of links closing the text ("More stories", "Related"): every
    // item links somewhere and much of its text is link text. It goes, with
    // the short line that introduces it and what little follows it (an
    // author's note, a footer line).
    let mut after = 0usize;
    for end in (1..=kept.len()).rev() {
        if after > TRAILING_AFTER_WORDS {
            break;
        }
        let Kind::Item { list, .. } = kept[end - 1].kind else {
            after += kept[end - 1].words;
            continue;
        };
        let start = kept[..end]
            .iter()
            .rposition(|b| !matches!(b.kind, Kind::Item { list: l, .. } if l == list))
            .map_or(0, |i| i + 1);
        let items = &kept[start..end];
        let linked = items.iter().filter(|b| b.link_chars > 0).count();
        let chars: usize = items.iter().map(|b| b.chars).sum();
        let link_chars: usize = items.iter().map(|b| b.link_chars).sum();
        if start > 0
            && (2..=TRAILING_MAX_ITEMS).contains(&items.len())
            && linked == items.len()
            && link_chars as f64 >= TRAILING_LINKS * chars as f64
        {
            kept.truncate(start);
            while kept.last().is_some_and(|b| !is_prose(b)) {
                kept.pop();
            }
        }
        break;
    }
    if kept.iter().all(|b| b.chars == 0) {
        return Err(ExtractError::NoContent);
    }
    for b in &mut kept {
        if b.html.contains('\0') {
            b.html = resolve_links(&b.html, &w.links, base);
        }
    }
    Ok(Content { blocks: kept })
}

/// A sentence of the article that happens to be mostly links ("Jane Doe
/// has been elected to the Senate."): it ends like a sentence and carries
/// words of its own between the links. A line that is one link with a
/// label ("SEE MORE: ...") does not qualify.
fn linked_sentence(b: &Block) -> bool {
    let t = b.text.trim_end();
    matches!(b.kind, Kind::Para | Kind::Other)
        && b.words >= 6
        && (b.link_chars as f64) <= LINKED_SENTENCE_MAX * b.chars as f64
        && b.chars - b.link_chars >= 15
        && t.ends_with(SENTENCE_END)
        && !t.ends_with(['…'])
        && !t.ends_with("...")
}

pub(crate) fn render_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    let mut prev: Option<Kind> = None;
    for b in blocks {
        if b.text.is_empty() {
            continue;
        }
        if let Some(p) = prev {
            let same_list = matches!((p, b.kind), (Kind::Item { list: a, .. }, Kind::Item { list: c, .. }) if a == c);
            out.push_str(if same_list { "\n" } else { "\n\n" });
        }
        out.push_str(&b.text);
        prev = Some(b.kind);
    }
    out
}

pub(crate) fn render_html(blocks: &[Block]) -> String {
    let mut out = String::new();
    let mut open_list: Option<(usize, bool)> = None;
    let mut in_quote = false;
    for b in blocks {
        let list = match b.kind {
            Kind::Item { ordered, list } => Some((list, ordered)),
            _ => None,
        };
        if open_list.is_some() && open_list != list {
            let (_, o) = open_list.take().expect("checked");
            out.push_str(if o { "</ol>" } else { "</ul>" });
        }
        if b.quote != in_quote {
            out.push_str(if b.quote {
                "<blockquote>"
            } else {
                "</blockquote>"
            });
            in_quote = b.quote;
        }
        if let (Some((l, o)), None) = (list, open_list) {
            out.push_str(if o { "<ol>" } else { "<ul>" });
            open_list = Some((l, o));
        }
        let tag = match b.kind {
            Kind::Heading(1) | Kind::Heading(2) => "h2",
            Kind::Heading(3) => "h3",
            Kind::Heading(_) => "h4",
            Kind::Item { .. } => "li",
            Kind::Pre => "pre",
            _ => "p",
        };
        out.push('<');
        out.push_str(tag);
        out.push('>');
        out.push_str(&b.html);
        out.push_str("</");
        out.push_str(tag);
        out.push_str(">\n");
    }
    if let Some((_, o)) = open_list {
        out.push_str(if o { "</ol>" } else { "</ul>" });
    }
    if in_quote {
        out.push_str("</blockquote>");
    }
    out
}

/// Hashed 4-word shingles of `text` (lower-cased runs of letters and
/// digits), the unit the benchmark's metric and [`reconcile`] compare by.
fn shingles(text: &str) -> std::collections::HashSet<u64> {
    use std::hash::{Hash, Hasher};
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut out = std::collections::HashSet::new();
    for win in words.windows(4.min(words.len()).max(1)) {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        win.hash(&mut h);
        out.insert(h.finish());
    }
    out
}

/// The hash of the last 4-word shingle of `text`, as [`shingles`] makes it.
fn last_shingle(text: &str) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let mut words: Vec<String> = text
        .rsplit(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(4)
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        return None;
    }
    words.reverse();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    words.as_slice().hash(&mut h);
    Some(h.finish())
}

/// Below this many shingles an `articleBody` is too short to judge by.
const LD_MIN_SHINGLES: usize = 40;
/// The blocks cover at least this share of the `articleBody`: both describe
/// the same article, and blocks the publisher left out of it are extras.
const LD_AGREE: f64 = 0.8;
/// A block sharing less than this share of its shingles with the
/// `articleBody` is not part of it (author bio, promotion, caption).
const LD_FOREIGN: f64 = 0.3;

/// The blocks cover less than this share of the `articleBody`: they are
/// another text than the one the publisher calls the article.
const LD_DISAGREE: f64 = 0.2;

/// At most this share of the kept words may be dropped as a foreign tail.
const LD_MAX_TAIL: f64 = 0.3;

/// The blocks found share almost nothing with a substantial JSON-LD
/// `articleBody`: the extractor took the wrong part of the page (comments,
/// a teaser column) and the publisher's own statement of the article is
/// the better text.
pub(crate) fn disagrees(blocks: &[Block], body: &str) -> bool {
    let reference = shingles(body);
    if reference.len() < LD_MIN_SHINGLES {
        return false;
    }
    let found: std::collections::HashSet<u64> =
        blocks.iter().flat_map(|b| shingles(&b.text)).collect();
    let covered = reference.iter().filter(|s| found.contains(s)).count();
    (covered as f64) < LD_DISAGREE * reference.len() as f64
}

/// Paragraph blocks of a plain text (the `articleBody` taken instead).
pub(crate) fn text_blocks(body: &str) -> Vec<Block> {
    body.split('\n')
        .filter_map(|line| {
            let (text, counts) = normalize_block(line);
            if text.is_empty() {
                return None;
            }
            let mut html = String::from("<p>");
            escape(&text, &mut html);
            html.push_str("</p>");
            Some(Block {
                html,
                chars: counts.chars,
                link_chars: 0,
                words: counts.words.max(counts.wide / 2),
                kind: Kind::Para,
                quote: false,
                table: None,
                owner: 0,
                weight: 0.0,
                furniture: None,
                text,
            })
        })
        .collect()
}

/// Uses the page's JSON-LD `articleBody` (the publisher's own statement of
/// the article text) to check the blocks found: when the blocks contain
/// most of it and it ends where a block ends, the prose after that block
/// (not in it: an author bio, a promotion) is dropped.
pub(crate) fn reconcile(blocks: Vec<Block>, body: &str) -> Vec<Block> {
    let reference = shingles(body);
    if reference.len() < LD_MIN_SHINGLES {
        return blocks;
    }
    let per_block: Vec<_> = blocks.iter().map(|b| shingles(&b.text)).collect();
    let covered = reference
        .iter()
        .filter(|s| per_block.iter().any(|b| b.contains(s)))
        .count();
    if (covered as f64) < LD_AGREE * reference.len() as f64 {
        return blocks;
    }
    // Only a tail: publishers leave author bios and promotions after the
    // article out of `articleBody`, but also leave out boxes inside it
    // (pros and cons, verdicts) that readers count as the article.
    let foreign = |b: &Block, s: &std::collections::HashSet<u64>| {
        !matches!(b.kind, Kind::Heading(_))
            && b.words >= 8
            && (s.iter().filter(|x| reference.contains(x)).count() as f64)
                < LD_FOREIGN * s.len() as f64
    };
    let mut keep = blocks.len();
    while keep > 0
        && (foreign(&blocks[keep - 1], &per_block[keep - 1]) || blocks[keep - 1].words < 8)
    {
        keep -= 1;
    }
    // The `articleBody` must end where the kept text ends, not with an
    // ellipsis, and the tail must be small next to the article: a body the
    // publisher cut short says nothing about what follows the cut.
    let tail: usize = blocks[keep..].iter().map(|b| b.words).sum();
    let kept: usize = blocks[..keep].iter().map(|b| b.words).sum();
    let body_end = body.trim_end();
    if keep == 0
        || tail == 0
        || tail as f64 > LD_MAX_TAIL * kept as f64
        || body_end.ends_with("...")
        || body_end.ends_with('…')
        || last_shingle(&blocks[keep - 1].text) != last_shingle(body)
    {
        return blocks;
    }
    let mut blocks = blocks;
    blocks.truncate(keep);
    blocks
}

#[cfg(test)]
mod tests {
    use super::super::{Limits, extract};

    fn text(html: &str) -> String {
        extract(html, None, &Limits::default()).unwrap().text
    }

    fn para(topic: &str) -> String {
        format!(
            "<p>Het team van {topic} werkt sinds dit voorjaar met vaste koppels van een \
             verpleegkundige en een helpende, zodat cliënten elke avond dezelfde gezichten zien \
             en nieuwe collega's snel leren hoe het werk gaat.</p>"
        )
    }

    #[test]
    fn class_names_are_read_by_their_last_word() {
        // "entry" and "embed" sound like content, but the last word of the
        // class says what the element is.
        let html = format!(
            "<html><body><div class=\"entry-content\">{}{}\
             <div class=\"imageEmbedCaption\">Medewerkers van het wijkteam bij de start van het \
             project, op maandag in het buurthuis aan de Dorpsstraat.</div>{}</div>\
             <div class=\"entry-author-bio\"><p>Anna Smit schrijft al twaalf jaar over de zorg in \
             de regio en werkte daarvoor zelf als wijkverpleegkundige in Zutphen.</p></div>\
             </body></html>",
            para("Noord"),
            para("Oost"),
            para("Zuid")
        );
        let t = text(&html);
        assert!(t.contains("team van Zuid"), "{t}");
        assert!(!t.contains("buurthuis"), "caption kept: {t}");
        assert!(!t.contains("Anna Smit"), "author bio kept: {t}");
    }

    #[test]
    fn the_climb_stops_at_main() {
        // The site footer's prose is outside <main>: no climb can take it.
        let html = format!(
            "<html><body><div class=\"page\"><main><div class=\"body\">{}{}</div>\
             <p><a href=\"/a\">Eerder verschenen over de avonddienst</a></p></main>\
             <div class=\"colofon\"><p>Dit blad is een uitgave van de stichting Regionale \
             Zorgmedia, wordt gemaakt door een kleine redactie en verschijnt elke week, ook in \
             de zomer, met nieuws uit de wijk en de regio.</p></div></div></body></html>",
            para("Noord"),
            para("Oost")
        );
        let t = text(&html);
        assert!(t.contains("team van Oost"), "{t}");
        assert!(!t.contains("Regionale Zorgmedia"), "footer kept: {t}");
    }

    #[test]
    fn comments_go_even_when_they_outweigh_the_article() {
        let comments: String = (0..12)
            .map(|i| {
                format!(
                    "<div class=\"item\"><p>Reactie {i}: wat een mooi initiatief, bij ons in de \
                 thuiszorg zouden we dit ook graag proberen, want de avonddiensten zijn nu \
                 zwaar en er is weinig tijd om nieuwe collega's goed in te werken.</p></div>"
                )
            })
            .collect();
        let html = format!(
            "<html><body><div class=\"wrap\"><div class=\"post\">{}{}</div>\
             <div id=\"reacties\">{comments}</div></div></body></html>",
            para("Noord"),
            para("Oost")
        );
        let t = text(&html);
        assert!(t.contains("team van Noord"), "{t}");
        assert!(!t.contains("Reactie"), "comments kept: {t}");
    }

    #[test]
    fn an_article_wrapper_that_mentions_comments_stays() {
        let html = format!(
            "<html><body><div class=\"entry-content has-comments\">{}{}{}</div>\
             <div class=\"over-ons\">{}{}</div></body></html>",
            para("Noord"),
            para("Oost"),
            para("Zuid"),
            para("Stichting Wijkzorg, opgericht in 1998 in Apeldoorn,"),
            para("de stichting")
        );
        let t = text(&html);
        assert!(
            t.contains("team van Noord") && t.contains("team van Zuid"),
            "{t}"
        );
    }

    #[test]
    fn a_state_class_does_not_name_the_element() {
        // "with-sidebar" says how the wrapper is laid out; the comments
        // below outweigh the article, so the prose-share guard cannot help.
        let comments: String = (0..10)
            .map(|i| format!("<div class=\"item\">{}</div>", para(&format!("lezer {i}"))))
            .collect();
        let html = format!(
            "<html><body><div class=\"post-content with-sidebar\">{}{}</div>\
             <div id=\"comments\">{comments}</div></body></html>",
            para("Noord"),
            para("Oost")
        );
        let t = text(&html);
        assert!(
            t.contains("team van Noord") && t.contains("team van Oost"),
            "{t}"
        );
        assert!(!t.contains("lezer"), "{t}");
    }

    #[test]
    fn a_small_element_marked_main_does_not_cut_the_article() {
        let html = format!(
            "<html><body><div class=\"artikel\"><div role=\"main\">{p}{p}{p}{p}</div>\
             <div><div>{p}{p}</div></div><div><div>{p}{p}</div></div>\
             <div><div>{p}{q}</div></div></div></body></html>",
            p = para("Noord"),
            q = para("West")
        );
        let t = text(&html);
        assert!(
            t.contains("team van Noord") && t.contains("team van West"),
            "{t}"
        );
    }

    #[test]
    fn a_closing_list_of_buttons_is_not_text() {
        let html = format!(
            "<html><body><div class=\"artikel\">{}{}\
             <ul><li><span>Facebook</span></li><li><span>LinkedIn</span></li>\
             <li><span>WhatsApp</span></li></ul></div></body></html>",
            para("Noord"),
            para("Oost")
        );
        let t = text(&html);
        assert!(t.contains("team van Oost"), "{t}");
        assert!(!t.contains("LinkedIn"), "{t}");
    }

    #[test]
    fn linked_names_in_a_data_table_stay() {
        let rows: String = [
            ("Thuiszorg Rijnstad", "Arnhem", "14"),
            ("Zorggroep Veluwezoom", "Velp", "9"),
            ("Welzijnswerk Rozet", "Arnhem", "6"),
        ]
        .iter()
        .map(|(org, plaats, n)| {
            format!("<tr><td><a href=\"/org/{n}\">{org}</a></td><td>{plaats}</td><td>{n}</td></tr>")
        })
        .collect();
        let html = format!(
            "<html><body><ul class=\"x\"><li><a href=\"/\">Home</a></li><li><a href=\"/n\">Nieuws</a></li></ul>\
             <div class=\"artikel\">{}<table><tr><th>Organisatie</th><th>Plaats</th>\
             <th>Zij-instromers</th></tr>{rows}</table>{}</div></body></html>",
            para("Noord"),
            para("Oost")
        );
        let t = text(&html);
        assert!(t.contains("Zorggroep Veluwezoom"), "{t}");
        assert!(t.contains("Velp"), "{t}");
        assert!(!t.contains("Nieuws"), "{t}");
    }

    #[test]
    fn the_publishers_article_body_wins_when_the_page_shows_another_text() {
        // The article is rendered by script from JSON-LD; the HTML itself
        // shows only the site's "about us" text.
        let body = "De wijkverpleging in Deventer werkt sinds maart met vaste koppels in de \
                    avonddienst. Cliënten zien elke avond dezelfde twee gezichten en nieuwe \
                    collega's worden ingewerkt door een vaste maatje. Na een half jaar is het \
                    verzuim in het team gedaald van negen naar vijf procent.\\nDe aanpak wordt \
                    nu overgenomen door twee andere thuiszorgorganisaties in Salland.";
        let ld = format!(
            "<script type=\"application/ld+json\">{{\"@type\":\"NewsArticle\",\
             \"headline\":\"Vaste koppels\",\"articleBody\":\"{body}\"}}</script>"
        );
        let html = format!(
            "<html><head>{ld}</head><body><div id=\"app\"></div><div class=\"over\">{}{}</div>\
             </body></html>",
            para("Stichting Wijkzorg"),
            para("de stichting")
        );
        let got = extract(&html, None, &Limits::default()).unwrap();
        assert_eq!(got.method, "json-ld");
        assert!(
            got.text.contains("vaste koppels in de avonddienst"),
            "{}",
            got.text
        );
        assert!(got.text.contains("\n\nDe aanpak wordt"), "{}", got.text);
        assert!(!got.text.contains("Stichting Wijkzorg"), "{}", got.text);

        // The same article body on a page that shows it: the page's blocks.
        let shown = format!(
            "<html><head>{ld}</head><body><div class=\"artikel\"><p>{}</p></div></body></html>",
            body.replace("\\n", "</p><p>")
        );
        let got = extract(&shown, None, &Limits::default()).unwrap();
        assert_eq!(got.method, "blocks");
    }

    #[test]
    fn a_short_article_does_not_lose_to_its_comments_on_the_retry() {
        // Under 60 words the extractor retries without class hints; that
        // retry finds the (longer) comments, which do not hold the article.
        let comments: String = (0..8)
            .map(|i| {
                format!(
                    "<p>Reactie {i}: bij ons in de thuiszorg proberen we dit ook, want de \
                     avonddiensten zijn zwaar en er is weinig tijd om nieuwe collega's in te \
                     werken. Wie heeft er ervaring mee?</p>"
                )
            })
            .collect();
        let html = format!(
            "<html><body><div class=\"post\"><p>Open draad: wat doet uw organisatie om \
             zij-instromers het eerste jaar vast te houden? Deel uw ervaring hieronder.</p></div>\
             <div class=\"comments\">{comments}</div></body></html>"
        );
        let t = text(&html);
        assert!(t.contains("zij-instromers"), "{t}");
        assert!(!t.contains("Reactie"), "comments taken: {t}");
    }

    #[test]
    fn cjk_sentences_count_as_prose() {
        // Chinese has no spaces between words; the article must still
        // outweigh a short menu.
        let p = "<p>社區護理團隊開始嘗試固定搭檔的晚班制度，讓住戶見到熟悉的面孔。</p>";
        let html = format!(
            "<html><body><ul class=\"x\"><li><a href=\"/\">首頁</a></li><li><a href=\"/b\">部落格</a></li></ul>\
             <div class=\"post\">{p}{p}{p}</div></body></html>"
        );
        let t = text(&html);
        assert!(t.contains("社區護理團隊"), "{t}");
    }
}
