//! An HTML newsletter → its stories. Pure.
//!
//! Newsletters are layout tables with a few stories, each a block with a
//! heading, a teaser and one or more links to the same article (image,
//! title, "Lees meer"), framed by boilerplate (view in browser, social
//! icons, unsubscribe, privacy). The splitter:
//!
//! 1. keeps the http(s) links that are not boilerplate (by link text and
//!    URL: afmelden/unsubscribe, bekijk in browser, social networks,
//!    privacy, voorkeuren, ...), keyed by canonical URL;
//! 2. gives each story URL the largest element around its first link that
//!    holds no link to another story: that is the story block;
//! 3. takes the title from a heading in the block, else bold text, else a
//!    descriptive link text, else the first sentence; the rest is the text;
//! 4. drops blocks with too little text to be a story (buttons, menus).
//!
//! Plain-text newsletters are split by paragraphs that carry a link.

use std::collections::{HashMap, HashSet};

use ego_tree::NodeId;
use scraper::{ElementRef, Html, Selector};

use crate::extract::{html, urlnorm};

/// Most stories taken from one newsletter.
pub const MAX_STORIES: usize = 100;
/// Fewest words in a story block (title and text together).
const MIN_WORDS: usize = 8;

/// One story of a newsletter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Story {
    /// The story's link as found in the mail (absolute).
    pub url: String,
    /// Its canonical form.
    pub canonical: String,
    /// Title.
    pub title: String,
    /// Teaser text (without the title).
    pub text: String,
}

/// Link texts (lower-case, substrings) that mark boilerplate.
const BOILER_TEXT: &[&str] = &[
    "afmelden",
    "uitschrijven",
    "unsubscribe",
    "abmelden",
    "abbestellen",
    "austragen",
    "opt-out",
    "opt out",
    "bekijk in",
    "bekijk deze",
    "bekijk de online",
    "online bekijken",
    "webversie",
    "web versie",
    "in je browser",
    "in uw browser",
    "in de browser",
    "view in browser",
    "view this email",
    "view online",
    "web version",
    "webversion",
    "im browser",
    "online ansehen",
    "privacy",
    "disclaimer",
    "cookie",
    "voorwaarden",
    "datenschutz",
    "impressum",
    "agb",
    "voorkeuren",
    "preferences",
    "profiel",
    "profil",
    "gegevens wijzigen",
    "wijzig je",
    "wijzig uw",
    "e-mailadres wijzigen",
    "doorsturen",
    "stuur door",
    "forward",
    "weiterleiten",
    "aanmelden voor",
    "abonneer",
    "subscribe",
    "volg ons",
    "follow us",
    "facebook",
    "twitter",
    "linkedin",
    "instagram",
    "youtube",
    "whatsapp",
];

/// Link texts that are boilerplate only as the whole text.
const BOILER_LABEL: &[&str] = &["contact", "kontakt", "home", "website", "webshop"];

/// URL fragments (lower-case) that mark boilerplate whatever the text.
const BOILER_URL: &[&str] = &[
    "unsubscribe",
    "uitschrijven",
    "afmelden",
    "abmelden",
    "optout",
    "opt-out",
    "opt_out",
    "webversion",
    "webversie",
    "view-in-browser",
    "viewinbrowser",
    "/preferences",
    "manage-subscription",
    "profile.html",
    "privacy",
    "datenschutz",
    "impressum",
];

const SOCIAL_HOSTS: &[&str] = &[
    "facebook.com",
    "twitter.com",
    "x.com",
    "linkedin.com",
    "instagram.com",
    "youtube.com",
    "tiktok.com",
    "whatsapp.com",
    "wa.me",
    "pinterest.com",
    "threads.net",
    "bsky.app",
    "mastodon.social",
    "xing.com",
    "t.me",
];

/// Phrases that make a short block boilerplate whatever its link says
/// ("klik hier" next to "wordt deze e-mail niet goed weergegeven?").
const BOILER_BLOCK: &[&str] = &[
    "niet goed weergegeven",
    "niet goed wordt weergegeven",
    "niet correct weergegeven",
    "bekijk de online versie",
    "in je browser",
    "in uw browser",
    "niet meer ontvangen",
    "afmelden",
    "uitschrijven",
    "privacyverklaring",
    "privacybeleid",
    "nicht richtig dargestellt",
    "nicht optimal dargestellt",
    "nicht korrekt angezeigt",
    "nicht richtig angezeigt",
    "nicht lesen können",
    "im browser",
    "nicht mehr erhalten",
    "keine e-mails mehr",
    "abbestellen",
    "abmelden",
    "impressum",
    "datenschutz",
    "profil aktualisieren",
    "view in browser",
    "view this email",
    "unsubscribe",
];

/// Blocks with at most this many words are checked for [`BOILER_BLOCK`].
const SHORT_BLOCK_WORDS: usize = 40;

/// Words that make a link text a call to action rather than a title.
const CALL_TO_ACTION: &[&str] = &[
    "hier",
    "lees",
    "meer",
    "bekijk",
    "klik",
    "download",
    "aanmelden",
    "bestel",
    "doneer",
    "website",
    "foto",
    "here",
    "read",
    "more",
    "click",
    "jetzt",
    "lesen",
    "mehr",
    "klicken",
    "sichern",
    "kaufen",
    "spenden",
    "anmelden",
    "bestellen",
];

/// Link texts that say nothing about the story.
const GENERIC_LINK_TEXT: &[&str] = &[
    "lees meer",
    "lees verder",
    "meer lezen",
    "lees het artikel",
    "meer informatie",
    "meer info",
    "klik hier",
    "hier",
    "bekijk",
    "read more",
    "more",
    "weiterlesen",
    "mehr",
    "mehr erfahren",
    "zum artikel",
    "jetzt lesen",
];

/// Whether a link is boilerplate rather than a story.
pub fn is_boilerplate(url: &url::Url, link_text: &str) -> bool {
    let text = link_text.to_lowercase();
    if BOILER_TEXT.iter().any(|b| text.contains(b)) || BOILER_LABEL.contains(&text.trim()) {
        return true;
    }
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    if SOCIAL_HOSTS
        .iter()
        .any(|h| host == *h || host.ends_with(&format!(".{h}")))
    {
        return true;
    }
    let rest = format!("{}?{}", url.path(), url.query().unwrap_or("")).to_lowercase();
    BOILER_URL.iter().any(|b| rest.contains(b))
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Characters newsletters use as invisible spacers (preheader padding,
/// soft hyphens, zero-width joiners); they are dropped from all text.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{034F}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    )
}

fn clean(s: &str) -> String {
    s.chars().filter(|&c| !invisible(c)).collect()
}

fn squash(s: &str) -> String {
    clean(s).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn text_of(el: ElementRef) -> String {
    squash(&el.text().collect::<Vec<_>>().join(" "))
}

static HEADINGS: std::sync::LazyLock<Selector> =
    std::sync::LazyLock::new(|| Selector::parse("h1, h2, h3, h4, h5, h6").expect("static"));
static BOLD: std::sync::LazyLock<Selector> =
    std::sync::LazyLock::new(|| Selector::parse("strong, b").expect("static"));
static LINKS: std::sync::LazyLock<Selector> =
    std::sync::LazyLock::new(|| Selector::parse("a[href]").expect("static"));

/// Splits an HTML newsletter into stories, in document order.
pub fn split_html(page: &str) -> Vec<Story> {
    let doc: Html = super::listpage::parse_capped(page);
    // Story links: node → story index.
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut links: Vec<(NodeId, usize)> = Vec::new();
    let mut urls: Vec<(String, String)> = Vec::new();
    let mut link_texts: Vec<Vec<String>> = Vec::new();
    for a in doc.select(&LINKS) {
        let href = a.value().attr("href").unwrap_or("").trim();
        let Ok(u) = url::Url::parse(href) else {
            continue;
        };
        if !matches!(u.scheme(), "http" | "https") {
            continue;
        }
        let t = text_of(a);
        let label = if t.is_empty() {
            a.value().attr("title").unwrap_or("").to_string()
        } else {
            t.clone()
        };
        if is_boilerplate(&u, &label) {
            continue;
        }
        let Some(canonical) = urlnorm::canonical(u.as_str()) else {
            continue;
        };
        let n = *index.entry(canonical.clone()).or_insert_with(|| {
            urls.push((u.to_string(), canonical));
            link_texts.push(Vec::new());
            urls.len() - 1
        });
        if !t.is_empty() {
            link_texts[n].push(t);
        }
        links.push((a.id(), n));
    }
    // For every element: which stories have links inside it (capped at 2,
    // all we need to know is "only this one").
    let mut inside: HashMap<NodeId, HashSet<usize>> = HashMap::new();
    for (id, n) in &links {
        let Some(node) = doc.tree.get(*id) else {
            continue;
        };
        for anc in node.ancestors() {
            let set = inside.entry(anc.id()).or_default();
            if set.len() < 2 {
                set.insert(*n);
            }
        }
    }
    let mut done = HashSet::new();
    let mut titles = HashSet::new();
    let mut out: Vec<Story> = Vec::new();
    for (id, n) in &links {
        if !done.insert(*n) {
            continue;
        }
        let Some(node) = doc.tree.get(*id) else {
            continue;
        };
        let mut block = node;
        for anc in node.ancestors() {
            let only_this = inside.get(&anc.id()).is_some_and(|s| s.len() == 1);
            let is_root = anc
                .value()
                .as_element()
                .is_none_or(|e| matches!(e.name(), "html" | "body"));
            if !only_this || is_root {
                break;
            }
            block = anc;
        }
        let Some(el) = ElementRef::wrap(block) else {
            continue;
        };
        if let Some(story) = story_from_block(el, &urls[*n], &link_texts[*n]) {
            // Image and title often carry separately tracked links to the
            // same story: the second block says the same, so skip it.
            if !titles.insert(story.title.to_lowercase()) {
                continue;
            }
            out.push(story);
            if out.len() >= MAX_STORIES {
                break;
            }
        }
    }
    out
}

fn story_from_block(el: ElementRef, url: &(String, String), texts: &[String]) -> Option<Story> {
    let body = clean(&html::to_text(&el.html()));
    let n_words = words(&body);
    if n_words < MIN_WORDS {
        return None;
    }
    if n_words <= SHORT_BLOCK_WORDS {
        let lower = squash(&body).to_lowercase();
        if BOILER_BLOCK.iter().any(|b| lower.contains(b)) {
            return None;
        }
    }
    let descriptive = |t: &&String| {
        (3..=30).contains(&words(t))
            && !t
                .to_lowercase()
                .split(|c: char| !c.is_alphanumeric())
                .any(|w| CALL_TO_ACTION.contains(&w))
            && !GENERIC_LINK_TEXT
                .contains(&t.to_lowercase().trim_end_matches(['.', '›', '»', '>', ' ']))
    };
    let title = el
        .select(&HEADINGS)
        .map(text_of)
        .find(|t| words(t) >= 2)
        .or_else(|| texts.iter().find(descriptive).map(|t| squash(t)))
        // Bold text is a title only where the block starts with it (bold
        // inside a paragraph is emphasis).
        .or_else(|| {
            let lead: Vec<String> = body
                .lines()
                .map(squash)
                .filter(|l| !l.is_empty())
                .take(2)
                .collect();
            el.select(&BOLD)
                .map(text_of)
                .find(|t| words(t) >= 3 && lead.iter().any(|l| l.starts_with(t.as_str())))
        })
        .unwrap_or_else(|| first_sentence(&body));
    let mut text = body.clone();
    if let Some(pos) = text.find(title.as_str()) {
        text.replace_range(pos..pos + title.len(), "");
    }
    let text: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !is_boilerplate_line(l))
        .filter(|l| {
            l.chars().any(char::is_alphanumeric)
                && !GENERIC_LINK_TEXT
                    .contains(&l.to_lowercase().trim_end_matches(['.', '›', '»', '>', ' ']))
        })
        .collect();
    Some(Story {
        url: url.0.clone(),
        canonical: url.1.clone(),
        title: html::truncate(&title, 300).to_string(),
        text: text.join("\n\n"),
    })
}

/// A line of a story's text that is mail furniture (afmelden, view in
/// browser, ...), dropped from the text.
fn is_boilerplate_line(line: &str) -> bool {
    let lower = line.to_lowercase();
    BOILER_BLOCK.iter().any(|b| lower.contains(b))
}

fn first_sentence(s: &str) -> String {
    // A one- or two-word first line is a section label ("Agenda").
    let line = s
        .lines()
        .map(str::trim)
        .find(|l| words(l) >= 3)
        .or_else(|| s.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("");
    let end = line
        .char_indices()
        .find(|(i, c)| matches!(c, '.' | '!' | '?') && *i > 20)
        .map(|(i, _)| i + 1)
        .unwrap_or(line.len());
    let s = &line[..end];
    if s.len() > 160 {
        let cut = html::truncate(s, 160);
        format!("{}…", &cut[..cut.rfind(' ').unwrap_or(cut.len())])
    } else {
        s.to_string()
    }
}

static URL_RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r#"https?://[^\s<>"')\]]+"#).expect("static regex")
});

/// Splits a plain-text newsletter: each paragraph (blank-line separated)
/// with a story link becomes a story; its first line is the title.
pub fn split_text(text: &str) -> Vec<Story> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let text = text.replace("\r\n", "\n");
    for para in text.split("\n\n") {
        let Some(m) = URL_RE.find(para) else {
            continue;
        };
        let Ok(u) = url::Url::parse(m.as_str().trim_end_matches(['.', ',', ';', '>'])) else {
            continue;
        };
        let clean = squash(&URL_RE.replace_all(para, " "));
        // The words on the link's own line say what it is ("Afmelden: ...").
        let url_line = para.lines().find(|l| l.contains(m.as_str())).unwrap_or("");
        let label = squash(&URL_RE.replace_all(url_line, " "));
        let label = label.trim_matches(|c: char| !c.is_alphanumeric());
        if is_boilerplate(&u, label)
            || words(&clean) < MIN_WORDS
            || (words(&clean) <= SHORT_BLOCK_WORDS && is_boilerplate_line(&clean))
        {
            continue;
        }
        let Some(canonical) = urlnorm::canonical(u.as_str()) else {
            continue;
        };
        if !seen.insert(canonical.clone()) {
            continue;
        }
        let lines: Vec<String> = URL_RE
            .replace_all(para, " ")
            .lines()
            .map(squash)
            .filter(|l| l.chars().any(char::is_alphanumeric) && !is_boilerplate_line(l))
            .collect();
        let Some((title, rest)) = lines.split_first() else {
            continue;
        };
        out.push(Story {
            url: u.to_string(),
            canonical,
            title: title.trim_end_matches(':').to_string(),
            text: rest.join("\n"),
        });
        if out.len() >= MAX_STORIES {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boilerplate_links_are_recognised() {
        let u = |s: &str| url::Url::parse(s).unwrap();
        assert!(is_boilerplate(&u("https://x.nl/a"), "Afmelden"));
        assert!(is_boilerplate(&u("https://x.nl/a"), "Bekijk in je browser"));
        assert!(is_boilerplate(&u("https://www.linkedin.com/company/x"), ""));
        assert!(is_boilerplate(&u("https://x.nl/unsubscribe?id=1"), "hier"));
        assert!(is_boilerplate(&u("https://x.nl/privacyverklaring"), "lees"));
        assert!(!is_boilerplate(
            &u("https://zorg.nl/nieuws/wijkteam"),
            "Wijkteam Tilburg wint prijs"
        ));
    }

    #[test]
    fn table_layout_splits_into_stories() {
        let html = r#"<html><body><table>
<tr><td><a href="https://nb.nl/web?id=1">Bekijk deze e-mail in je browser</a></td></tr>
<tr><td><a href="https://zorg.nl/a?utm_source=nb"><img src="a.jpg"></a>
  <h2>Wijkteam Tilburg wint innovatieprijs</h2>
  <p>Het wijkteam werkt samen met huisartsen en thuiszorg aan snellere hulp.</p>
  <a href="https://zorg.nl/a?utm_source=nb&amp;utm_medium=mail">Lees meer</a></td></tr>
<tr><td><p><strong>Nieuwe leerroute voor zij-instromers</strong><br>
  Vijf zorgorganisaties in Limburg starten samen een leerroute voor mensen uit andere sectoren.
  <a href="https://zorg.nl/b">Lees verder ›</a></p></td></tr>
<tr><td><a href="https://zorg.nl/c">Meer nieuws</a></td></tr>
<tr><td><a href="https://www.facebook.com/zorg">Facebook</a> <a href="https://nb.nl/u?x=1">Afmelden</a> <a href="https://zorg.nl/privacy">Privacy</a></td></tr>
</table></body></html>"#;
        let stories = split_html(html);
        let got: Vec<(&str, &str)> = stories
            .iter()
            .map(|s| (s.canonical.as_str(), s.title.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("https://zorg.nl/a", "Wijkteam Tilburg wint innovatieprijs"),
                ("https://zorg.nl/b", "Nieuwe leerroute voor zij-instromers"),
            ]
        );
        assert!(
            stories[0].text.starts_with("Het wijkteam werkt samen"),
            "{:?}",
            stories[0]
        );
        assert!(!stories[0].text.contains("Lees meer"), "{:?}", stories[0]);
        assert!(
            stories[1].text.contains("Vijf zorgorganisaties"),
            "{:?}",
            stories[1]
        );
    }

    #[test]
    fn hostile_newsletters_are_bounded() {
        // 100k nested elements, then a real story: the nesting is flattened
        // before parsing, the story survives.
        let deep = format!(
            "<html><body>{}{}<div><h2>Wijkteam wint prijs voor samenwerking</h2><p>Het wijkteam werkt samen met huisartsen en thuiszorg aan snellere hulp.</p><a href=\"https://zorg.nl/a\">Lees meer</a></div></body></html>",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        let s = split_html(&deep);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].canonical, "https://zorg.nl/a");
        // Thousands of distinct story links: capped.
        let many: String = (0..5000)
            .map(|i| format!("<p>Bericht nummer {i} over de zorg in de regio en meer. <a href=\"https://zorg.nl/{i}\">Verhaal {i} uit de wijk</a></p>"))
            .collect();
        assert_eq!(split_html(&many).len(), MAX_STORIES);
    }

    #[test]
    fn plain_text_newsletters_split_by_paragraph() {
        let text = "Nieuwsbrief maart\n\nWijkteam wint prijs\nHet wijkteam in Tilburg werkt samen met huisartsen aan snellere hulp.\nhttps://zorg.nl/a?utm_source=nb\n\nAfmelden voor deze nieuwsbrief: https://nb.nl/unsubscribe?u=1\n";
        let s = split_text(text);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].canonical, "https://zorg.nl/a");
        assert_eq!(s[0].title, "Wijkteam wint prijs");
    }
}
