//! Per-site extraction rules: CSS selectors that override the generic
//! article extractor for one source's pages. `exclude` removes elements
//! first (share bars, "lees ook" blocks); `include` then names the body,
//! whose text replaces what the extractor found. Title, byline, date and
//! lead image still come from the page's metadata. Pure.

use scraper::{Html, Selector};

use super::article::{self, ExtractError, Extracted, Limits};
use super::html;

/// Selectors of one source (`include`, `exclude` in its `[[source]]`),
/// checked when the source list is loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyRules {
    /// The article body on the page; replaces the generic extractor's text.
    pub include: Option<String>,
    /// Elements removed from the page before extraction.
    pub exclude: Option<String>,
}

impl BodyRules {
    /// No rules: the generic extractor alone.
    pub fn is_empty(&self) -> bool {
        self.include.is_none() && self.exclude.is_none()
    }
}

/// Why a page gave nothing under its rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    /// A selector does not parse (source lists are checked when loaded;
    /// this is for selectors typed on the command line).
    #[error("invalid CSS selector {selector:?}: {message}")]
    Selector { selector: String, message: String },
    /// Neither the rules nor the generic extractor found an article.
    #[error(transparent)]
    Extract(#[from] ExtractError),
}

/// The parser's message about a bad selector, on one line: scraper prints
/// some errors as "report this to the developer" with a multi-line dump.
fn selector_message(e: scraper::error::SelectorErrorKind) -> String {
    use scraper::error::SelectorErrorKind;
    let m = match e {
        SelectorErrorKind::UnexpectedSelectorParseError(k) => format!("{k:?}"),
        other => other.to_string(),
    };
    m.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn selector(s: &str) -> Result<Selector, RulesError> {
    Selector::parse(s).map_err(|e| RulesError::Selector {
        selector: s.to_string(),
        message: selector_message(e),
    })
}

/// Checks that a selector parses, with the parser's message (one line).
pub fn check_selector(s: &str) -> Result<(), String> {
    Selector::parse(s).map(|_| ()).map_err(selector_message)
}

/// Largest page the rules parse (the extractor has its own cap).
const MAX_PAGE_BYTES: usize = 5 * 1024 * 1024;
/// Deepest nesting handed to the HTML parser.
const MAX_DEPTH: usize = 256;

fn parse(page: &str) -> Html {
    let page = html::truncate(page, MAX_PAGE_BYTES);
    Html::parse_document(&html::cap_nesting(page, MAX_DEPTH))
}

/// Extracts the article of `page` under `rules`. With an `include` that
/// matches, the text is that of the matched elements and `method` is
/// "rules"; an `include` that matches nothing falls back to the generic
/// extractor (logged), so a redesigned site degrades instead of going
/// silent. Without rules this is [`article::extract`].
pub fn extract(
    page: &str,
    base_url: Option<&str>,
    rules: &BodyRules,
    limits: &Limits,
) -> Result<Extracted, RulesError> {
    let include = rules.include.as_deref().map(selector).transpose()?;
    let exclude = rules.exclude.as_deref().map(selector).transpose()?;
    let mut cleaned: Option<String> = None;
    if let Some(sel) = &exclude {
        let mut doc = parse(page);
        let ids: Vec<_> = doc.select(sel).map(|e| e.id()).collect();
        for id in ids {
            if let Some(mut node) = doc.tree.get_mut(id) {
                node.detach();
            }
        }
        cleaned = Some(doc.html());
    }
    let page = cleaned.as_deref().unwrap_or(page);
    let generic = article::extract(page, base_url, limits);
    let Some(sel) = include else {
        return Ok(generic?);
    };
    let doc = parse(page);
    let (mut texts, mut htmls) = (Vec::new(), Vec::new());
    // An element inside another match is already in that match's text
    // (`div.body, div.body p` must not give each paragraph twice).
    let matched: std::collections::HashSet<_> = doc.select(&sel).map(|e| e.id()).collect();
    for el in doc.select(&sel) {
        if el.ancestors().any(|a| matched.contains(&a.id())) {
            continue;
        }
        let outer = el.html();
        let text = html::to_text(&outer);
        if !text.trim().is_empty() {
            texts.push(text);
            htmls.push(outer);
        }
    }
    if texts.is_empty() {
        tracing::warn!(url = base_url.unwrap_or("-"), selector = ?rules.include, "include selector matched nothing; using the generic extractor");
        return Ok(generic?);
    }
    let (text, html) = (texts.join("\n\n"), htmls.join("\n"));
    Ok(match generic {
        Ok(g) => Extracted {
            text,
            html,
            method: "rules",
            ..g
        },
        Err(_) => Extracted {
            title: None,
            text,
            html,
            byline: None,
            published: None,
            lead_image: None,
            method: "rules",
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<html><head><title>Opleiding | Zorggroep</title>
<meta property="article:published_time" content="2025-03-12T09:00:00+01:00"></head><body>
<div class="cookie">Wij gebruiken cookies. Akkoord?</div>
<main><h1>Nieuwe opleiding voor zij-instromers</h1>
<div class="intro"><p>Korte samenvatting die de site boven elk bericht herhaalt, ook bij dit bericht.</p></div>
<div class="body"><p>Het ziekenhuis in Tilburg start in april met een nieuwe opleiding voor zij-instromers in de ouderenzorg. Twintig mensen uit andere sectoren beginnen tegelijk.</p>
<div class="share">Deel dit bericht op sociale media</div>
<p>De opleiding duurt een jaar en combineert leren en werken op de afdeling, met een vaste begeleider voor elke deelnemer.</p></div>
</main><footer>Copyright Zorggroep</footer></body></html>"#;

    fn rules(include: Option<&str>, exclude: Option<&str>) -> BodyRules {
        BodyRules {
            include: include.map(str::to_string),
            exclude: exclude.map(str::to_string),
        }
    }

    #[test]
    fn include_names_the_body_and_exclude_cuts_inside_it() {
        let l = Limits::default();
        let got = extract(PAGE, None, &rules(Some(".body"), Some(".share")), &l).unwrap();
        assert_eq!(got.method, "rules");
        assert!(
            got.text.starts_with("Het ziekenhuis in Tilburg"),
            "{}",
            got.text
        );
        assert!(got.text.contains("vaste begeleider"), "{}", got.text);
        assert!(!got.text.contains("Deel dit bericht"), "{}", got.text);
        assert!(!got.text.contains("Korte samenvatting"), "{}", got.text);
        // Metadata still comes from the page.
        assert_eq!(
            got.title.as_deref(),
            Some("Nieuwe opleiding voor zij-instromers")
        );
        assert!(got.published.is_some());
        assert!(got.html.contains("<p>De opleiding duurt"), "{}", got.html);

        // Exclude alone: the generic extractor on the cleaned page.
        let got = extract(PAGE, None, &rules(None, Some(".share, .intro")), &l).unwrap();
        assert_eq!(got.method, "blocks");
        assert!(!got.text.contains("Deel dit bericht"), "{}", got.text);
        assert!(!got.text.contains("Korte samenvatting"), "{}", got.text);
        assert!(got.text.contains("vaste begeleider"), "{}", got.text);

        // An include that matches nothing (a redesigned site): the generic
        // extractor, not nothing.
        let got = extract(PAGE, None, &rules(Some(".artikel-tekst"), None), &l).unwrap();
        assert_eq!(got.method, "blocks");
        assert!(got.text.contains("vaste begeleider"), "{}", got.text);

        // Several selectors: in page order, and a match inside another
        // match is not repeated.
        let got = extract(
            PAGE,
            None,
            &rules(Some(".intro, .body, .body p"), Some(".share")),
            &l,
        )
        .unwrap();
        assert!(got.text.starts_with("Korte samenvatting"), "{}", got.text);
        assert_eq!(
            got.text.matches("Het ziekenhuis in Tilburg").count(),
            1,
            "{}",
            got.text
        );
        assert_eq!(
            got.text.matches("vaste begeleider").count(),
            1,
            "{}",
            got.text
        );

        // A selector typed wrongly is named, on one line.
        for bad in ["div[class=", "li[[a"] {
            let err = extract(PAGE, None, &rules(Some(bad), None), &l).unwrap_err();
            let msg = err.to_string();
            assert!(msg.contains(bad) && !msg.contains('\n'), "{msg}");
        }
    }
}
