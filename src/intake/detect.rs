//! Recognising the news list on a page without a feed, so that a person
//! who cannot write CSS selectors can still add it as a list-page source
//! (`radar sources detect`, and "Bron toevoegen" in the web interface when
//! a page advertises no feed).
//!
//! A news overview repeats one structure per story: an element (`article`,
//! `li`, `div.views-row`, ...) holding one link to the story, usually with
//! a heading, a date and a teaser. So the links of the page (same site, not
//! in navigation, header, footer or a sidebar) are grouped by the shape of
//! the elements around them: for each link and each of its first ancestors,
//! the element's tag and stable classes together with its parent's. A group
//! qualifies when it has at least [`MIN_ITEMS`] elements and nearly every
//! element holds exactly one story (one link target with a title-like text;
//! a "Lees meer" link to the same story and one-word category links are
//! allowed). The best group has many elements with much text each (a list
//! of teasers beats a sidebar of bare headlines); of nested wrappers of the
//! same stories the outermost wins, because it also holds the date and the
//! teaser. Its CSS selector is checked by reading the page with it, exactly
//! as a pass of the source will.
//!
//! Pure and bounded: one parse (with the list reader's caps), work linear in
//! links × [`MAX_CLIMB`].

use std::collections::{HashMap, HashSet};

use scraper::{ElementRef, Selector};

use super::listpage::{self, ListItem};
use crate::extract::urlnorm;
use crate::sources::PageRules;

/// Fewest stories that make a list.
pub const MIN_ITEMS: usize = 3;
/// How many ancestors of a link are tried as its story element.
const MAX_CLIMB: usize = 6;
/// Share of a group's elements that must hold exactly one story.
const MIN_ONE_STORY: f64 = 0.8;

/// A news list found on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Detected {
    /// Selectors for a `kind = "page"` source (`items`, and `title`,
    /// `date`, `summary` when the stories have them).
    pub rules: PageRules,
    /// The stories as a pass with these rules reads them.
    pub items: Vec<ListItem>,
    /// The page's own title (`<title>`, else the first `h1`).
    pub title: Option<String>,
}

static SKIP_REGION: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)(^|[-_\s])(menu|menubar|nav|navbar|navigation|navigatie|footer|sidebar|breadcrumbs?|cookies?|consent|share|social|pager|pagination|paginering|related|gerelateerd|lees-?ook)([-_\s]|$)",
    )
    .expect("static regex")
});

/// Whether `el` lies in navigation, the page's header or footer, a sidebar
/// or a form. A `<header>` or `<footer>` inside an `<article>` or `<main>`
/// belongs to a story (its title, its date), not to the page.
fn in_boilerplate(el: ElementRef) -> bool {
    el.ancestors().filter_map(ElementRef::wrap).any(|a| {
        let v = a.value();
        let story_part = || {
            a.ancestors()
                .filter_map(ElementRef::wrap)
                .any(|x| matches!(x.value().name(), "article" | "main"))
        };
        matches!(v.name(), "nav" | "aside" | "form")
            || (matches!(v.name(), "header" | "footer") && !story_part())
            || v.attr("role")
                .is_some_and(|r| matches!(r, "navigation" | "banner" | "contentinfo"))
            || [v.attr("class"), v.attr("id")]
                .into_iter()
                .flatten()
                .any(|c| SKIP_REGION.is_match(c))
    })
}

/// Classes usable in a selector: CSS identifiers without digits (numbered
/// classes such as `post-1234` differ per story).
fn stable_classes<'a>(el: ElementRef<'a>) -> Vec<&'a str> {
    let mut c: Vec<&str> = el
        .value()
        .classes()
        .filter(|c| {
            let mut chars = c.chars();
            chars
                .next()
                .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
                && chars.all(|ch| ch.is_ascii_alphabetic() || ch == '-' || ch == '_')
        })
        .collect();
    c.sort_unstable();
    c.dedup();
    c
}

/// `tag.class1.class2` of an element.
fn css_of(el: ElementRef) -> String {
    let mut s = el.value().name().to_string();
    for c in stable_classes(el) {
        s.push('.');
        s.push_str(c);
    }
    s
}

/// `tag:nth-of-type(k)` of an element without classes (a table cell).
fn nth_of_type(el: ElementRef) -> String {
    let name = el.value().name();
    let k = 1 + el
        .prev_siblings()
        .filter_map(ElementRef::wrap)
        .filter(|s| s.value().name() == name)
        .count();
    format!("{name}:nth-of-type({k})")
}

/// `.class1.class2` of an element, when it has stable classes.
fn class_css(el: ElementRef) -> Option<String> {
    let c = stable_classes(el);
    (!c.is_empty()).then(|| format!(".{}", c.join(".")))
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

fn text_of(el: ElementRef) -> String {
    el.text().collect::<Vec<_>>().join(" ")
}

fn in_heading(el: ElementRef) -> bool {
    el.ancestors()
        .filter_map(ElementRef::wrap)
        .take(4)
        .any(|a| matches!(a.value().name(), "h1" | "h2" | "h3" | "h4" | "h5" | "h6"))
}

/// One link that may lead to a story.
struct Link<'a> {
    el: ElementRef<'a>,
    target: String,
    /// Link text of 3+ words or a link inside a heading: a story title.
    titled: bool,
}

/// A candidate group: elements of one shape, with the link targets each holds.
#[derive(Default)]
struct Group<'a> {
    elems: Vec<ElementRef<'a>>,
    targets: HashMap<ego_tree::NodeId, (HashSet<String>, HashSet<String>)>,
}

/// Recognises the news list on `page` (found at `page_url`), if it has one.
pub fn detect_list(page: &str, page_url: &str) -> Option<Detected> {
    let base = url::Url::parse(page_url).ok()?;
    let doc = listpage::parse_capped(page);
    let base_eff = Selector::parse("base[href]")
        .ok()
        .and_then(|s| doc.select(&s).next())
        .and_then(|b| b.value().attr("href"))
        .and_then(|h| base.join(h).ok())
        .unwrap_or_else(|| base.clone());
    let own = urlnorm::canonical(base.as_str());
    let a_sel = Selector::parse("a[href]").ok()?;
    let mut links = Vec::new();
    for a in doc.select(&a_sel) {
        let Some(abs) = a
            .value()
            .attr("href")
            .and_then(|h| base_eff.join(h.trim()).ok())
        else {
            continue;
        };
        if !matches!(abs.scheme(), "http" | "https")
            || !listpage::same_site(&base, &abs)
            || abs.path().trim_matches('/').is_empty()
        {
            continue;
        }
        let Some(target) = urlnorm::canonical(abs.as_str()) else {
            continue;
        };
        if Some(&target) == own.as_ref() || in_boilerplate(a) {
            continue;
        }
        let titled = words(&text_of(a)) >= 3 || in_heading(a);
        links.push(Link {
            el: a,
            target,
            titled,
        });
    }

    // Group the links' surroundings by shape.
    let mut groups: HashMap<(String, String), Group> = HashMap::new();
    for link in &links {
        for el in std::iter::once(link.el)
            .chain(link.el.ancestors().filter_map(ElementRef::wrap))
            .take(MAX_CLIMB)
        {
            if matches!(el.value().name(), "body" | "html" | "main") {
                break;
            }
            let Some(parent) = el.parent().and_then(ElementRef::wrap) else {
                break;
            };
            let g = groups.entry((css_of(parent), css_of(el))).or_default();
            let entry = g.targets.entry(el.id()).or_insert_with(|| {
                g.elems.push(el);
                Default::default()
            });
            entry.0.insert(link.target.clone());
            if link.titled {
                entry.1.insert(link.target.clone());
            }
        }
    }

    let mut best: Option<(f64, &Group, &str, &str)> = None;
    let mut keys: Vec<_> = groups.keys().collect();
    keys.sort();
    for key @ (parent, shape) in keys {
        let g = &groups[key];
        if g.elems.len() < MIN_ITEMS {
            continue;
        }
        // The story of an element: its one titled target, else its one target.
        let mut stories = HashSet::new();
        let mut one_story = 0;
        let mut text_words = 0;
        let mut nodes = 0;
        for el in &g.elems {
            let (all, titled) = &g.targets[&el.id()];
            let story = match (titled.len(), all.len()) {
                (1, _) => titled.iter().next(),
                (0, 1) => all.iter().next(),
                _ => None,
            };
            if let Some(s) = story {
                if stories.insert(s.clone()) {
                    one_story += 1;
                    text_words += words(&text_of(*el)).min(120);
                    nodes += el.descendants().take(100).count();
                }
            }
        }
        if one_story < MIN_ITEMS || (one_story as f64) < MIN_ONE_STORY * g.elems.len() as f64 {
            continue;
        }
        let mean = text_words as f64 / one_story as f64;
        if mean < 4.0 {
            continue; // one- and two-word links: a menu or a tag cloud
        }
        // Of nested wrappers around the same text, the outermost (more
        // elements: the date, the teaser) wins.
        let score =
            one_story as f64 * (mean.min(80.0) + 10.0 + 0.01 * nodes as f64 / one_story as f64);
        if best.as_ref().is_none_or(|(s, ..)| score > *s) {
            best = Some((score, g, parent, shape));
        }
    }
    let (_, group, parent, shape) = best?;
    // The narrowest selector that picks exactly the group's elements.
    let count = |sel: &str| Selector::parse(sel).map(|s| doc.select(&s).count()).ok();
    let items = [shape.to_string(), format!("{parent} > {shape}")]
        .into_iter()
        .find(|s| count(s) == Some(group.elems.len()))?;
    let mut rules = PageRules {
        items,
        max_items: crate::sources::DEFAULT_MAX_ITEMS,
        max_pages: crate::sources::DEFAULT_MAX_PAGES,
        ..PageRules::default()
    };
    rules.title = common_part(&group.elems, |el| {
        ["h2", "h3", "h4", "h5", "h1", "h6"]
            .into_iter()
            .find(|h| {
                Selector::parse(h)
                    .ok()
                    .and_then(|s| el.select(&s).next())
                    .is_some_and(|e| words(&text_of(e)) >= 2)
            })
            .map(str::to_string)
    });
    rules.date = common_part(&group.elems, |el| {
        if Selector::parse("time")
            .ok()
            .is_some_and(|s| el.select(&s).next().is_some())
        {
            return Some("time".into());
        }
        // The element with the least text around a date is the date (a
        // short card's wrapper holds a date too). Its selector: its classes,
        // or its position (`td:nth-of-type(1)`) for a leaf without classes,
        // as a wrapper's position differs from story to story. The first
        // element the selector finds must be the date, as the list reader
        // takes the first.
        let leaf = |e: ElementRef| e.children().all(|c| !c.value().is_element());
        let mut dated: Vec<(usize, ElementRef)> = el
            .descendants()
            .skip(1)
            .filter_map(ElementRef::wrap)
            .filter_map(|e| {
                let t = text_of(e);
                let n = words(&t);
                (n <= 8 && listpage::parse_date(&t).is_some()).then_some((n, e))
            })
            .collect();
        dated.sort_by_key(|(n, _)| *n);
        dated
            .into_iter()
            .filter_map(|(_, e)| class_css(e).or_else(|| leaf(e).then(|| nth_of_type(e))))
            .find(|css| {
                Selector::parse(css)
                    .ok()
                    .and_then(|s| el.select(&s).next())
                    .is_some_and(|e| listpage::parse_date(&text_of(e)).is_some())
            })
    });
    // A teaser: a block of 8+ words outside the heading, holding no link,
    // heading or paragraph of its own.
    let inner = Selector::parse("a, h1, h2, h3, h4, h5, h6, p").ok()?;
    rules.summary = common_part(&group.elems, |el| {
        el.descendants()
            .filter_map(ElementRef::wrap)
            .filter(|e| matches!(e.value().name(), "p" | "div" | "span"))
            .filter(|e| !in_heading(*e) && words(&text_of(*e)) >= 8)
            .find(|e| e.select(&inner).next().is_none())
            .map(|e| class_css(e).unwrap_or_else(|| e.value().name().to_string()))
    });
    let found = listpage::read_list(page, page_url, &rules).ok()?;
    if found.next.is_none() {
        // No rel="next": a pager link named "volgende", "oudere berichten",
        // "»" or with a class saying next.
        rules.next = next_link(&doc, &base_eff);
    }
    if found.items.len() < MIN_ITEMS
        || is_article_page(page, page_url, &group.elems, declares_article(&doc))
    {
        return None;
    }
    let title = ["title", "h1"].into_iter().find_map(|t| {
        let el = doc.select(&Selector::parse(t).ok()?).next()?;
        let t = text_of(el).split_whitespace().collect::<Vec<_>>().join(" ");
        (!t.is_empty()).then_some(t)
    });
    Some(Detected {
        rules,
        items: found.items,
        title,
    })
}

/// Whether the page calls itself an article: `<meta property="og:type"
/// content="article">`.
fn declares_article(doc: &scraper::Html) -> bool {
    Selector::parse(r#"meta[property="og:type"][content]"#)
        .ok()
        .and_then(|s| doc.select(&s).next())
        .and_then(|m| m.value().attr("content"))
        .is_some_and(|c| c.trim().eq_ignore_ascii_case("article"))
}

/// Whether the page is an article with some links to other stories (read
/// more, related, a carousel) rather than a news list: the generic
/// extractor finds 100+ words outside the stories (40+ when the page
/// `declared` itself an article), more than it finds in them (on a list
/// page it finds the list, or little).
fn is_article_page(page: &str, page_url: &str, stories: &[ElementRef], declared: bool) -> bool {
    let Ok(article) = crate::extract::article::extract(page, Some(page_url), &Default::default())
    else {
        return false;
    };
    let lower = |s: &str| -> Vec<String> { s.split_whitespace().map(str::to_lowercase).collect() };
    let mut in_stories = HashSet::new();
    for el in stories {
        let w = lower(&text_of(*el));
        in_stories.extend(w.windows(3).map(|s| s.join(" ")));
    }
    let (mut inside, mut outside) = (0, 0);
    for para in article.text.split('\n') {
        let w = lower(para);
        if w.len() < 3 {
            continue;
        }
        let shared = w
            .windows(3)
            .filter(|s| in_stories.contains(&s.join(" ")))
            .count();
        if shared * 2 >= w.len() - 2 {
            inside += w.len();
        } else {
            outside += w.len();
        }
    }
    // A page that calls itself an article (`og:type`, which CMSs set on
    // posts and not on overviews) needs less of its own text to be one: a
    // paywalled or breaking-news article is short under a long headline
    // list.
    let needed = if declared { 40 } else { 100 };
    outside >= needed && outside > inside
}

static NEXT_TEXT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)^\s*(volgende( pagina)?|oudere? (berichten|nieuws(berichten)?)|next( page)?|older( posts)?|›|»|>|→)\s*[›»>→]?\s*$",
    )
    .expect("static regex")
});

/// A selector for the link to the next (older) page of the list, when the
/// page has a pager without `rel="next"`: the link's own classes, else its
/// parent's; kept only when the first link it finds is that link.
fn next_link(doc: &scraper::Html, base: &url::Url) -> Option<String> {
    let a_sel = Selector::parse("a[href]").ok()?;
    let says_next = |a: ElementRef| {
        NEXT_TEXT.is_match(&text_of(a))
            || stable_classes(a).iter().any(|c| {
                c.split(['-', '_'])
                    .any(|w| w.eq_ignore_ascii_case("next") || w.eq_ignore_ascii_case("volgende"))
            })
    };
    let a = doc.select(&a_sel).find(|a| {
        says_next(*a)
            && a.value()
                .attr("href")
                .and_then(|h| base.join(h.trim()).ok())
                .is_some_and(|u| {
                    matches!(u.scheme(), "http" | "https") && listpage::same_site(base, &u)
                })
    })?;
    let parent = a.parent().and_then(ElementRef::wrap);
    let candidates = [
        class_css(a).map(|c| format!("a{c}")),
        parent.and_then(class_css).map(|c| format!("{c} > a")),
    ];
    candidates.into_iter().flatten().find(|css| {
        Selector::parse(css)
            .ok()
            .and_then(|s| doc.select(&s).next())
            .is_some_and(|first| first.id() == a.id())
    })
}

/// The selector that `part` finds in most elements of the group (at least
/// 80% of them), if any.
fn common_part(
    elems: &[ElementRef],
    part: impl Fn(ElementRef) -> Option<String>,
) -> Option<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for el in elems {
        if let Some(p) = part(*el) {
            *counts.entry(p).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n as f64 >= MIN_ONE_STORY * elems.len() as f64)
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(p, _)| p)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MENU: &str = r#"<header><nav><ul class="menu"><li><a href="/">Home</a></li><li><a href="/over-ons">Over ons</a></li>
<li><a href="/werken-bij">Werken bij ons</a></li><li><a href="/nieuws">Nieuws</a></li></ul></nav></header>"#;
    const FOOTER: &str = r#"<footer><ul><li><a href="/privacy">Privacyverklaring van de zorggroep</a></li>
<li><a href="/cookies">Cookieverklaring van de zorggroep</a></li><li><a href="/disclaimer">Disclaimer van deze website hier</a></li></ul></footer>"#;

    /// The source-list entry written for detected `rules`.
    fn entry(id: &str, name: &str, url: &str, rules: &PageRules, tags: &[String]) -> String {
        crate::sources::opml::to_toml(&[crate::sources::opml::NewSource::page(
            id.into(),
            name.into(),
            url.into(),
            tags.to_vec(),
            rules,
        )])
    }

    fn wordpress(n: usize) -> String {
        let mut posts = String::new();
        let mut recent = String::new();
        for i in 0..n {
            posts.push_str(&format!(
                r#"<article class="post type-post post-{id} status-publish"><h2 class="entry-title"><a href="/2025/03/bericht-{i}/">Nieuw project nummer {i} in de ouderenzorg</a></h2>
<div class="entry-meta"><time datetime="2025-03-{d:02}">{d} maart 2025</time> · <a href="/categorie/thema-{i}/">Opleiden</a></div>
<div class="entry-summary"><p>Medewerkers en studenten van het ROC werken samen op een leerafdeling in Tilburg, project {i}.</p></div>
<a class="more-link" href="/2025/03/bericht-{i}/">Lees meer</a></article>"#,
                id = 100 + i,
                d = i + 1
            ));
            recent.push_str(&format!(
                r#"<li><a href="/2025/03/bericht-{i}/">Nieuw project nummer {i} in de ouderenzorg</a></li>"#
            ));
        }
        format!(
            r#"<html><head><title>Nieuws - Zorggroep De Linde</title></head><body>{MENU}<main><h1>Nieuws</h1><div class="posts">{posts}</div>
<nav class="pagination"><a class="next page-numbers" rel="next" href="/nieuws/page/2/">Volgende</a></nav></main>
<aside class="sidebar"><h3>Recente berichten</h3><ul>{recent}</ul></aside>{FOOTER}</body></html>"#
        )
    }

    #[test]
    fn a_wordpress_news_page_gives_its_posts_with_title_date_and_teaser() {
        let d = detect_list(&wordpress(5), "https://www.delinde.nl/nieuws/").expect("a list");
        assert_eq!(d.rules.items, "article.post.status-publish.type-post");
        assert_eq!(d.rules.title.as_deref(), Some("h2"));
        assert_eq!(d.rules.date.as_deref(), Some("time"));
        assert_eq!(d.rules.summary.as_deref(), Some("p"));
        assert_eq!(d.items.len(), 5);
        assert_eq!(d.items[0].url, "https://www.delinde.nl/2025/03/bericht-0/");
        assert_eq!(
            d.items[0].title.as_deref(),
            Some("Nieuw project nummer 0 in de ouderenzorg")
        );
        assert_eq!(
            d.items[2].published.unwrap().date_naive().to_string(),
            "2025-03-03"
        );
        assert!(
            d.items[0]
                .summary
                .as_deref()
                .unwrap()
                .starts_with("Medewerkers en studenten")
        );
    }

    #[test]
    fn a_pager_without_rel_next_is_found_by_its_class_or_its_words() {
        let url = "https://www.delinde.nl/nieuws/";
        // rel="next" present: the list reader finds it; no selector needed.
        assert_eq!(detect_list(&wordpress(5), url).unwrap().rules.next, None);
        let by_class = wordpress(5).replace(r#" rel="next""#, "");
        let d = detect_list(&by_class, url).expect("a list");
        assert_eq!(d.rules.next.as_deref(), Some("a.next.page-numbers"));
        let by_words = wordpress(5).replace(
            r#"<a class="next page-numbers" rel="next" href="/nieuws/page/2/">Volgende</a>"#,
            r#"<span class="pager-item"><a href="/nieuws/page/1/">1</a></span> <span class="pager-older"><a href="/nieuws/page/2/">Oudere berichten &raquo;</a></span>"#,
        );
        let d = detect_list(&by_words, url).expect("a list");
        assert_eq!(d.rules.next.as_deref(), Some(".pager-older > a"));
        assert!(
            entry("linde", "De Linde", url, &d.rules, &[])
                .contains("next = \".pager-older > a\"\n")
        );
        // The rules written find that page.
        let list = listpage::read_list(&by_words, url, &d.rules).unwrap();
        assert_eq!(
            list.next.as_deref(),
            Some("https://www.delinde.nl/nieuws/page/2/")
        );
        // No pager at all: no next selector.
        let none = wordpress(5)
            .replace("Volgende", "Archief")
            .replace(r#"class="next page-numbers" rel="next" "#, "");
        assert_eq!(detect_list(&none, url).unwrap().rules.next, None);
    }

    /// A news page around `stories`, with a menu and a footer.
    fn page_with(stories: &str) -> String {
        format!(
            r#"<html><head><title>Nieuws</title></head><body>{MENU}<main><h1>Nieuws</h1>{stories}</main>{FOOTER}</body></html>"#
        )
    }

    const TITLES: [&str; 4] = [
        "Nieuwe leerafdeling geopend in Tilburg",
        "Zij-instromers starten in de thuiszorg",
        "Zorgrobot helpt bij het tillen van cliënten",
        "Minder registratie voor de wijkverpleging",
    ];

    #[test]
    fn card_grids_tables_and_story_headers_are_recognised() {
        let url = "https://www.zorg.nl/nieuws/";
        let each = |f: &dyn Fn(usize, &str) -> String| -> String {
            TITLES.iter().enumerate().map(|(i, t)| f(i, t)).collect()
        };
        // (stories, items selector, date selector)
        let cases = [
            // The whole card is the link.
            (
                each(&|i, t| {
                    format!(
                        r#"<a class="news-card" href="/nieuws/b-{i}"><img src="/i{i}.jpg" alt=""><span class="date">{d} maart 2025</span><h3>{t}</h3><p>Medewerkers en studenten werken samen op de afdeling.</p></a>"#,
                        d = i + 1
                    )
                }),
                "a.news-card",
                Some(".date"),
            ),
            // Bootstrap: numbered column classes name nothing.
            (
                format!(
                    r#"<div class="row">{}</div>"#,
                    each(&|i, t| format!(
                        r#"<div class="col-md-4 col-12"><div class="card"><div class="card-body"><h5><a href="/nieuws/b-{i}">{t}</a></h5><small class="text-muted">{d} maart 2025</small></div></div></div>"#,
                        d = i + 1
                    ))
                ),
                "div.row > div",
                Some(".text-muted"),
            ),
            // A table: the date is a cell without a class.
            (
                format!(
                    r#"<table><tbody>{}</tbody></table>"#,
                    each(&|i, t| format!(
                        r#"<tr><td>{d:02}-03-2025</td><td><a href="/nieuws/b-{i}">{t}</a></td></tr>"#,
                        d = i + 1
                    ))
                ),
                "tr",
                Some("td:nth-of-type(1)"),
            ),
            // HTML5: each story has its own <header> (title, date).
            (
                format!(
                    r#"<ul class="list">{}</ul>"#,
                    each(&|i, t| format!(
                        r#"<li class="list-item"><article><header><h3><a href="/actueel/b-{i}">{t}</a></h3><p class="list-item__date">{d} maart 2025</p></header><div class="intro">Een korte inleiding op het bericht over de zorg.</div></article></li>"#,
                        d = i + 1
                    ))
                ),
                "li.list-item",
                Some(".list-item__date"),
            ),
        ];
        for (stories, items, date) in cases {
            let d = detect_list(&page_with(&stories), url).unwrap_or_else(|| panic!("{items}"));
            assert_eq!(d.rules.items, items);
            assert_eq!(d.rules.date.as_deref(), date, "{items}");
            assert_eq!(d.items.len(), 4, "{items}");
            assert_eq!(d.items[1].title.as_deref(), Some(TITLES[1]), "{items}");
            assert_eq!(
                d.items[2]
                    .published
                    .map(|p| p.date_naive().to_string())
                    .as_deref(),
                Some("2025-03-03"),
                "{items}"
            );
        }
    }

    #[test]
    fn a_drupal_view_and_a_plain_list_are_recognised() {
        let mut rows = String::new();
        for i in 0..4 {
            rows.push_str(&format!(
                r#"<div class="views-row"><div class="views-field views-field-title"><span class="field-content"><a href="/nieuws/zij-instromers-{i}">Twintig zij-instromers starten in de wijkverpleging ({i})</a></span></div>
<div class="views-field views-field-created"><span class="field-content">{d} februari 2025</span></div></div>"#,
                d = 10 + i
            ));
        }
        let page = format!(
            r#"<html><body>{MENU}<div id="content"><div class="view view-nieuws"><div class="view-content">{rows}</div></div></div>{FOOTER}</body></html>"#
        );
        let d = detect_list(&page, "https://www.gemeente.nl/nieuws").expect("a list");
        assert_eq!(d.rules.items, "div.views-row");
        assert_eq!(d.rules.title, None);
        assert_eq!(
            d.rules.date.as_deref(),
            Some(".views-field.views-field-created")
        );
        assert_eq!(d.items.len(), 4);
        assert_eq!(
            d.items[3].published.unwrap().date_naive().to_string(),
            "2025-02-13"
        );
        assert_eq!(
            d.items[0].title.as_deref(),
            Some("Twintig zij-instromers starten in de wijkverpleging (0)")
        );

        let mut lis = String::new();
        for i in 0..6 {
            lis.push_str(&format!(
                r#"<li><a href="/actueel/bericht-{i}">Regionaal leerwerkakkoord voor zorg en welzijn getekend</a> <span class="datum">0{}-04-2025</span></li>"#,
                i + 1
            ));
        }
        let page = format!(
            r#"<html><body>{MENU}<h1>Actueel</h1><ul class="nieuwslijst">{lis}</ul>{FOOTER}</body></html>"#
        );
        let d = detect_list(&page, "https://www.zorgpact.nl/actueel").expect("a list");
        // `li` alone would also pick the menu's items.
        assert_eq!(d.rules.items, "ul.nieuwslijst > li");
        assert_eq!(d.rules.date.as_deref(), Some(".datum"));
        assert_eq!(d.items.len(), 6);
    }

    #[test]
    fn an_article_or_a_menu_is_not_a_news_list() {
        let para = "De zorggroep begon vorig jaar met een leerafdeling waar studenten van het ROC \
                    samen met ervaren verzorgenden voor de bewoners zorgen, en de eerste resultaten \
                    zijn goed: minder verloop en meer instroom.";
        let related: String = (0..3)
            .map(|i| format!(r#"<li><a href="/nieuws/ander-bericht-{i}">Een ander bericht over de zorg in de regio</a></li>"#))
            .collect();
        let page = format!(
            r#"<html><body>{MENU}<article><h1>Leerafdeling groeit</h1><p>{para}</p><p>{para}</p><p>{para}</p><p>{para}</p></article>
<div class="meer"><h2>Meer nieuws</h2><ul class="verder">{related}</ul></div>{FOOTER}</body></html>"#
        );
        assert_eq!(
            detect_list(&page, "https://www.delinde.nl/nieuws/leerafdeling"),
            None
        );
        // Only navigation, header and footer links: nothing.
        let page = format!("<html><body>{MENU}<p>Welkom</p>{FOOTER}</body></html>");
        assert_eq!(detect_list(&page, "https://www.delinde.nl/"), None);
        // A row of one-word topic links outside the navigation: no stories.
        let topics: String = [
            "Opleiden",
            "Werving",
            "Technologie",
            "Regeldruk",
            "Werkplezier",
        ]
        .iter()
        .map(|t| format!(r#"<span class="onderwerp"><a href="/thema/{t}">{t}</a></span> "#))
        .collect();
        let page =
            format!("<html><body>{MENU}<div class=\"themas\">{topics}</div>{FOOTER}</body></html>");
        assert_eq!(detect_list(&page, "https://www.delinde.nl/"), None);
        // Two stories are not yet a list.
        assert_eq!(
            detect_list(&wordpress(2), "https://www.delinde.nl/nieuws/"),
            None
        );
    }

    #[test]
    fn a_short_article_that_says_so_is_not_a_list_under_its_headlines() {
        // A breaking-news item of ~60 words above a long headline ticker.
        let text = "Het ziekenhuis meldt vanmiddag dat de nieuwe spoedpost in de regio open gaat. \
                    Huisartsen, de ambulancedienst en het ziekenhuis werken er samen, met verpleegkundigen \
                    die door de drie organisaties samen zijn opgeleid. De eerste patiënten worden morgen \
                    verwacht. Meer informatie volgt later vandaag, aldus een woordvoerder van het ziekenhuis \
                    tegenover de regionale omroep.";
        let ticker: String = (0..12)
            .map(|i| format!(r#"<div class="kop"><a href="/nieuws/kort-{i}">Kort nieuws uit de regio over de zorg, nummer {i}</a></div>"#))
            .collect();
        let page = |og: &str| {
            format!(
                r#"<html><head><title>Spoedpost open</title>{og}</head><body>{MENU}<main><article><h1>Nieuwe spoedpost gaat open</h1><p>{text}</p></article>
<section class="laatste">{ticker}</section></main>{FOOTER}</body></html>"#
            )
        };
        let url = "https://www.omroep.nl/nieuws/spoedpost";
        let og = r#"<meta property="og:type" content="article">"#;
        assert_eq!(detect_list(&page(og), url), None);
        // Without the declaration the text is too short to tell: a list.
        assert!(detect_list(&page(""), url).is_some());
        // An overview that wrongly calls itself an article is still a list:
        // its text is the list.
        let overview = wordpress(6).replace("<head>", &format!("<head>{og}"));
        assert!(detect_list(&overview, "https://www.delinde.nl/nieuws/").is_some());
    }

    #[test]
    fn hostile_pages_are_bounded() {
        // 100k nested elements before the list: flattened before parsing
        // (html5ever is quadratic in depth), the list still found.
        let deep = format!(
            "<html><body>{}{}{}</body></html>",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000),
            wordpress(4)
        );
        assert!(detect_list(&deep, "https://www.delinde.nl/nieuws/").is_some());
        // 5,000 stories (3 MB): all read.
        let d = detect_list(&wordpress(5_000), "https://www.delinde.nl/nieuws/").unwrap();
        assert_eq!(d.items.len(), 5_000);
    }

    #[test]
    fn the_entry_loads_as_a_page_source() {
        let page = wordpress(4).replace(r#" rel="next""#, "");
        let d = detect_list(&page, "https://www.delinde.nl/nieuws/").unwrap();
        let toml = entry(
            "delinde",
            "Zorggroep \"De Linde\"",
            "https://www.delinde.nl/nieuws/",
            &d.rules,
            &["sector:vvt".into()],
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("web.toml");
        std::fs::write(&p, &toml).unwrap();
        let loaded = crate::sources::load_file(&p, false).unwrap();
        let rules = loaded[0].page.as_ref().unwrap();
        assert_eq!(rules.items, d.rules.items);
        assert_eq!(rules.next.as_deref(), Some("a.next.page-numbers"));
        assert_eq!(loaded[0].name, "Zorggroep \"De Linde\"");
        assert_eq!(loaded[0].tags, vec!["sector:vvt".to_string()]);
    }
}
