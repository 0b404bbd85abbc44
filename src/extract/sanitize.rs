//! Sanitizing stored HTML before it is ever shown (ammonia, an html5ever
//! based allow-list sanitizer). Stored HTML is untrusted (it comes from
//! pages, feeds and newsletters); plain text is what gets indexed, and this
//! is the only way HTML leaves radar.
//!
//! Allowed: the simple article markup the extractor produces (paragraphs,
//! headings, lists, quotes, code, tables, emphasis, links, images). Links
//! and images must be absolute http(s) URLs (`mailto:` for links); links
//! get `rel="noopener noreferrer nofollow"`. No `style`, `class`, `id`, event
//! handlers, forms, frames, scripts or SVG; the text inside `script` and
//! `style` is dropped entirely.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "p",
        "br",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "pre",
        "code",
        "a",
        "img",
        "strong",
        "em",
        "b",
        "i",
        "u",
        "s",
        "sub",
        "sup",
        "small",
        "mark",
        "figure",
        "figcaption",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "hr",
        "dl",
        "dt",
        "dd",
        "span",
        "div",
    ]
    .into_iter()
    .collect();
    let mut attrs: HashMap<&str, HashSet<&str>> = HashMap::new();
    attrs.insert("a", ["href", "title"].into_iter().collect());
    attrs.insert(
        "img",
        ["src", "alt", "title", "width", "height"]
            .into_iter()
            .collect(),
    );
    attrs.insert("td", ["colspan", "rowspan"].into_iter().collect());
    attrs.insert("th", ["colspan", "rowspan"].into_iter().collect());
    let mut b = ammonia::Builder::new();
    b.tags(tags)
        .tag_attributes(attrs)
        .generic_attributes(HashSet::new())
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer nofollow"))
        .strip_comments(true);
    b
});

/// Returns `html` with everything not on the allow-list removed.
pub fn sanitize_html(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::sanitize_html;

    /// Nothing that can run script survives, whatever the trick.
    #[test]
    fn xss_payloads_are_neutralised() {
        let payloads = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<img src=\"https://x.nl/a.png\" onerror=\"alert(1)\">",
            "<a href=\"javascript:alert(1)\">klik</a>",
            "<a href=\"JaVaScRiPt:alert(1)\">klik</a>",
            "<a href=\"java&#x09;script:alert(1)\">klik</a>",
            "<a href=\"&#106;avascript:alert(1)\">klik</a>",
            "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
            "<a href=\"vbscript:msgbox(1)\">x</a>",
            "<svg onload=alert(1)><circle/></svg>",
            "<svg><script>alert(1)</script></svg>",
            "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
            "<iframe src=\"https://evil.example/\"></iframe>",
            "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
            "<form action=\"https://evil.example/\"><input name=q><button>go</button></form>",
            "<p style=\"background:url(javascript:alert(1))\">x</p>",
            "<div onclick=\"alert(1)\">x</div>",
            "<body onload=alert(1)>",
            "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
            "<base href=\"javascript:alert(1)//\">",
            "<link rel=stylesheet href=\"https://evil.example/x.css\">",
            "<style>@import 'https://evil.example/x.css';</style>",
            "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
            "<<script>script>alert(1)<</script>/script>",
            "<scr<script>ipt>alert(1)</script>",
            "<!--<img src=x onerror=alert(1)>-->",
            "<a href=\"/relative/javascript:alert(1)\">x</a>",
            "<img src=\"//evil.example/x.png\">",
            "<details open ontoggle=alert(1)>",
            "<video><source onerror=\"alert(1)\"></video>",
        ];
        for p in payloads {
            let out = sanitize_html(p).to_lowercase();
            for bad in [
                "<script",
                "javascript:",
                "vbscript:",
                "data:",
                "onerror",
                "onload",
                "onclick",
                "ontoggle",
                "<iframe",
                "<svg",
                "<object",
                "<embed",
                "<form",
                "<input",
                "style=",
                "<style",
                "<meta",
                "<base",
                "<link",
                "evil.example",
            ] {
                assert!(!out.contains(bad), "{p:?} → {out:?} still has {bad:?}");
            }
        }
    }

    #[test]
    fn article_markup_is_kept_and_links_made_safe() {
        let html = "<h2>Kop</h2><p>Een <strong>vette</strong> zin met een \
                    <a href=\"https://zorg.nl/a\" target=\"_blank\" class=\"x\">link</a>.</p>\
                    <ul><li>een</li><li>twee</li></ul><img src=\"https://zorg.nl/b.jpg\" alt=\"foto\">";
        let out = sanitize_html(html);
        assert!(out.contains("<h2>Kop</h2>"), "{out}");
        assert!(out.contains("<strong>vette</strong>"), "{out}");
        assert!(
            out.contains(
                "<a href=\"https://zorg.nl/a\" rel=\"noopener noreferrer nofollow\">link</a>"
            ),
            "{out}"
        );
        assert!(out.contains("<li>twee</li>"), "{out}");
        assert!(
            out.contains("<img src=\"https://zorg.nl/b.jpg\" alt=\"foto\">"),
            "{out}"
        );
        assert!(!out.contains("class") && !out.contains("target"), "{out}");
        // Script text is dropped, not shown.
        assert_eq!(
            sanitize_html("<p>a</p><script>var x = 1;</script>"),
            "<p>a</p>"
        );
    }
}
