//! HTML → plain text for indexing and ranking. Block elements become line
//! breaks, scripts and styles are dropped, whitespace is collapsed. The walk
//! over the parsed tree is iterative, so deeply nested input cannot overflow
//! the stack, and input beyond [`MAX_HTML_BYTES`] is cut before parsing.
//! Never fetches anything (images, links) and never returns HTML.

use scraper::Html;
use scraper::node::Node;

/// HTML larger than this is truncated before parsing: an article body is
/// never this long, a hostile page may be.
pub const MAX_HTML_BYTES: usize = 2 * 1024 * 1024;

const BLOCK: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "pre",
    "figure",
    "figcaption",
    "hr",
    "dd",
    "dt",
    "dl",
    "aside",
    "main",
    "nav",
    "address",
    "details",
    "summary",
];
const SKIP: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "object", "svg", "math", "head", "button",
    "select", "textarea", "form",
];

/// Converts an HTML fragment (or plain text) to readable plain text with
/// paragraphs separated by blank lines.
pub fn to_text(input: &str) -> String {
    if !input.contains('<') && !input.contains('&') {
        return normalize_whitespace(input);
    }
    let input = truncate(input, MAX_HTML_BYTES);
    let input = cap_nesting(input, MAX_DEPTH);
    let doc = Html::parse_fragment(&input);
    let mut out = String::with_capacity(input.len() / 2);
    let mut skip_depth: usize = 0;
    for edge in doc.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) => match node.value() {
                Node::Element(e) => {
                    let name = e.name();
                    if SKIP.contains(&name) {
                        skip_depth += 1;
                    } else if skip_depth == 0 && BLOCK.contains(&name) {
                        out.push('\n');
                    }
                }
                Node::Text(t) if skip_depth == 0 => out.push_str(t),
                _ => {}
            },
            ego_tree::iter::Edge::Close(node) => {
                if let Node::Element(e) = node.value() {
                    let name = e.name();
                    if SKIP.contains(&name) {
                        skip_depth = skip_depth.saturating_sub(1);
                    } else if skip_depth == 0 && BLOCK.contains(&name) {
                        out.push('\n');
                    }
                }
            }
        }
    }
    normalize_whitespace(&out)
}

/// Collapses runs of spaces within lines; keeps paragraph breaks (one blank
/// line between non-empty lines).
pub fn normalize_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank_pending = false;
    for line in s.lines() {
        let mut words = line.split_whitespace().peekable();
        if words.peek().is_none() {
            blank_pending = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_pending { "\n\n" } else { "\n" });
        }
        blank_pending = false;
        let mut first = true;
        for w in words {
            if !first {
                out.push(' ');
            }
            out.push_str(w);
            first = false;
        }
    }
    out
}

/// Deepest element nesting passed to the HTML parser. Real articles stay
/// far below; html5ever's tree builder is quadratic in depth (html5ever#290),
/// so hostile pages with 100k nested elements are flattened first.
pub const MAX_DEPTH: usize = 256;

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Drops start and end tags nested deeper than `max_depth` (their text is
/// kept), in one linear pass over the markup. Returns the input unchanged
/// (borrowed) when it is shallow enough.
pub fn cap_nesting(html: &str, max_depth: usize) -> std::borrow::Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut out: Option<String> = None;
    let mut copied = 0usize;
    let mut i = 0;
    while let Some(off) = memchr_lt(&bytes[i..]) {
        let start = i + off;
        let Some(end_off) = bytes[start..].iter().position(|&b| b == b'>') else {
            break;
        };
        let end = start + end_off + 1;
        let tag = &html[start + 1..end - 1];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let is_element = !name.is_empty() && !tag.ends_with('/') && !VOID.contains(&name.as_str());
        let mut drop_tag = false;
        if is_element && closing {
            drop_tag = depth > max_depth;
            depth = depth.saturating_sub(1);
        } else if is_element {
            depth += 1;
            drop_tag = depth > max_depth;
        }
        if drop_tag {
            let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
            o.push_str(&html[copied..start]);
            copied = end;
        }
        i = end;
    }
    match out {
        None => std::borrow::Cow::Borrowed(html),
        Some(mut o) => {
            o.push_str(&html[copied..]);
            std::borrow::Cow::Owned(o)
        }
    }
}

fn memchr_lt(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'<')
}

/// Cuts `s` to at most `max` bytes on a char boundary.
pub fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_become_paragraphs_and_scripts_vanish() {
        let html = "<p>Eerste <b>alinea</b> over de zorg.</p><script>alert(1)</script>\
                    <p>Tweede&nbsp;alinea &amp; meer.</p><ul><li>een</li><li>twee</li></ul>";
        assert_eq!(
            to_text(html),
            "Eerste alinea over de zorg.\n\nTweede alinea & meer.\n\neen\n\ntwee"
        );
    }

    #[test]
    fn plain_text_passes_through() {
        assert_eq!(
            to_text("  Geen   opmaak\n\n\n hier "),
            "Geen opmaak\n\nhier"
        );
    }

    #[test]
    fn deep_nesting_is_flattened() {
        let html = "<div>".repeat(100_000) + "diep" + &"</div>".repeat(100_000);
        let capped = cap_nesting(&html, MAX_DEPTH);
        assert_eq!(capped.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(capped.matches("</div>").count(), MAX_DEPTH);
        assert_eq!(to_text(&html), "diep");
        let shallow = "<p>a<br>b<img src=x/></p>";
        assert!(matches!(
            cap_nesting(shallow, 2),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
