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
    timed_out: bool,
    /// Reused buffer for class/id and style strings.
    scratch: String,
    /// Whether a lower-cased "class id" string names boilerplate: pages
    /// repeat the same few classes on thousands of elements.
    unlikely_cache: std::collections::HashMap<String, bool>,
}

static UNLIKELY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-ad-|(?-u:\b)ads?(?-u:\b)|ad-break|adbox|advert|agegate|banner|breadcrumb|combx|comment|community|consent|cookie|cover-wrap|disqus|footer|gdpr|legends|masthead|(?-u:\b)menu|modal|newsletter|nieuwsbrief|outbrain|pager|pagination|popup|promo|related|gerelateerd|remark|replies|(?-u:\b)rss(?-u:\b)|share|sharing|shoutbox|sidebar|skyscraper|social|sponsor|subscribe|supplemental|taboola|(?-u:\b)tags?(?-u:\b)|toolbar|yom-remote|lees-?ook|meer-?nieuws|read-?more|recommend|trending|most-?popular|signup|paywall|newsletter|author-?bio|byline|dateline|(?-u:\b)meta(?-u:\b)|timestamp|caption|credit")
        .expect("static regex")
});
static MAYBE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)and(?-u:\b)|article|body|column|content|(?-u:\b)main(?-u:\b)|shadow|story|entry|post-?text|artikel|bericht|embed").expect("static regex")
});
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
    fn unlikely(&mut self, class: &str, id: &str) -> bool {
        let key = &mut self.scratch;
        key.clear();
        key.push_str(class);
        key.push(' ');
        key.push_str(id);
        key.make_ascii_lowercase();
        let cls = key.trim();
        if cls.is_empty() {
            return false;
        }
        if let Some(&known) = self.unlikely_cache.get(cls) {
            return known;
        }
        let verdict = UNLIKELY.is_match(cls) && !MAYBE.is_match(cls);
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
        // Scripts without spaces (CJK) count one "word" per ~3 characters.
        let words = counts.words.max(counts.wide / 3);
        let html = collapse_spaces(&self.html);
        let mut block = Block {
            text,
            html,
            chars,
            link_chars: self.link_chars.min(chars),
            words,
            kind,
            quote: self.quote > 0,
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
                if is_skipped(name) {
                    return;
                }
                // One pass over the attributes (`attr()` interns its
                // argument and searches every time).
                let mut hidden = false;
                let (mut class, mut id) = (None, None);
                for (qual, value) in &e.attrs {
                    if qual.ns != html5ever::ns!() {
                        continue;
                    }
                    let value: &str = value;
                    match &*qual.local {
                        "hidden" => hidden = true,
                        "aria-hidden" => hidden |= value == "true",
                        "style" => hidden |= style_hides(value, &mut self.scratch),
                        "role" => {
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
                        _ => {}
                    }
                }
                if hidden {
                    return;
                }
                let unlikely = self.use_classes
                    && (class.is_some() || id.is_some())
                    && !matches!(name, "body" | "html" | "article" | "main")
                    && self.unlikely(class.unwrap_or(""), id.unwrap_or(""));
                if name == "br" {
                    self.text.push('\n');
                    self.html.push_str("<br>");
                    return;
                }
                if name == "img" {
                    let src = e
                        .attr("data-src")
                        .or_else(|| e.attr("src"))
                        .and_then(|s| absolutize(self.base, s));
                    if let Some(src) = src {
                        self.html.push_str("<img src=\"");
                        escape(&src, &mut self.html);
                        self.html.push_str("\">");
                    }
                    return;
                }
                let is_block = is_block(name) || unlikely;
                if !is_block {
                    let is_link = name == "a";
                    if is_link {
                        self.in_link += 1;
                        match e.attr("href").and_then(|h| absolutize(self.base, h)) {
                            Some(h) => {
                                self.html.push_str("<a href=\"");
                                escape(&h, &mut self.html);
                                self.html.push_str("\">");
                            }
                            None => self.html.push_str("<a>"),
                        }
                    }
                    for c in node.children() {
                        self.walk(c, parent, depth + 1);
                    }
                    if is_link {
                        self.in_link -= 1;
                        self.html.push_str("</a>");
                    }
                    return;
                }
                self.flush();
                let idx = self.elems.len();
                self.elems.push(Elem { parent, unlikely });
                let kind = match name {
                    "p" | "dd" | "dt" | "address" => Kind::Para,
                    "h1" => Kind::Heading(1),
                    "h2" => Kind::Heading(2),
                    "h3" => Kind::Heading(3),
                    "h4" | "h5" | "h6" => Kind::Heading(4),
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
    Regex::new(r"all rights reserved|alle rechten voorbehouden|©|\(c\) \d{4}|copyright|requires javascript|enable javascript|javascript (is )?(disabled|required)|subscribe (to|now)|sign up (for|to)|newsletter|nieuwsbrief|abonneer|abonnement|follow (us|me|her|him) on|volg ons|have a tip|tip de redactie|click here|klik hier|terms (of use|of service|and conditions|& conditions)|privacy ?(policy|beleid|verklaring|statement)|this slideshow|advertentie|^advert(isement)?$|^ad$|^anzeige$|quotes delayed|market data provided|^(updated|published|posted|last updated|bijgewerkt|gepubliceerd|geplaatst|laatste update)\b.{0,40}$")
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
/// An ancestor replaces the current choice only if it adds at least this
/// share of the core's positive weight.
const CLIMB_MIN_GAIN: f64 = 0.1;

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
        _ if b.words >= 12
            || (b.words >= 6 && ld < 0.2 && t.ends_with(['.', '!', '?', '"', '”', '’'])) =>
        {
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
        (Ok(a), Ok(b)) => Ok(if words(&b) > 2 * words(&a) { b } else { a }),
        (Ok(a), Err(_)) => Ok(a),
        (Err(_), b) => b,
    }
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
        }],
        blocks: Vec::new(),
        text: String::new(),
        html: String::new(),
        link_chars: 0,
        in_link: 0,
        quote: 0,
        stack: vec![(0, Kind::Other)],
        lists: Vec::new(),
        timed_out: false,
        scratch: String::new(),
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
        dead[i] = dead[p] || (w.elems[i].unlikely && prose[i] < 0.5 * total);
    }
    w.blocks.retain(|b| !dead[b.owner]);
    let mut score = vec![0f64; n];
    let mut good = vec![0usize; n];
    let mut chars = vec![0usize; n];
    let mut links = vec![0usize; n];
    let mut local = vec![0f64; n];
    let mut direct = vec![0usize; n];
    let mut pos = vec![0f64; n];
    for (i, b) in w.blocks.iter().enumerate() {
        if i & 4095 == 0 && Instant::now() > deadline {
            return Err(ExtractError::TimeBudget);
        }
        let wt = b.weight;
        let is_good = wt > 0.0;
        let mut e = Some(b.owner);
        while let Some(i) = e {
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
    while let Some(i) = a {
        let added = (good[i] - good[core]) as f64;
        let added_groups = (groups[i] - groups[core]).max(1) as f64;
        if added > CLIMB_MAX_ADDED * good[core] as f64 && added / added_groups < CLIMB_MIN_PER_GROUP
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
        if ld > 0.5 {
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
    // Trim short non-prose fragments (bylines, dates, captions) at the edges.
    let is_prose = |b: &Block| {
        !matches!(b.kind, Kind::Caption | Kind::Heading(_))
            && (b.words >= 12
                || (b.words >= 4
                    && b.text
                        .trim_end()
                        .ends_with(['.', '!', '?', '"', '”', '’', '\''])))
    };
    while kept.first().is_some_and(|b| !is_prose(b)) {
        kept.remove(0);
    }
    while kept.last().is_some_and(|b| !is_prose(b)) {
        kept.pop();
    }
    if kept.iter().all(|b| b.chars == 0) {
        return Err(ExtractError::NoContent);
    }
    Ok(Content { blocks: kept })
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
