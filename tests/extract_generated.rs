//! Generated markup: the HTML readers never panic, whatever a page holds.
//!
//! Pages are untrusted, and a panic in a reader loses the page at best. Each
//! test feeds thousands of deterministic pseudo-random documents, built from
//! pieces of real and broken markup (unclosed and stray tags, comments cut
//! short, attributes without quotes, entities, JSON-LD, multi-byte text next
//! to `<` and `>`), to one reader and checks that it returns. The seed is
//! fixed, so a failure is reproducible; `RADAR_GENERATED=N` runs N cases
//! instead of the default.

use radar::extract::article::{Limits, extract};

const PIECES: &[&str] = &[
    "<div>",
    "</div>",
    "<div class=\"entry-content\">",
    "<div class=\"comment-list\">",
    "<div id=reacties>",
    "<div class='imageEmbedCaption'>",
    "<main>",
    "</main>",
    "<article>",
    "</article>",
    "<section role=\"main\">",
    "<p>",
    "</p>",
    "<p class=x>",
    "<br>",
    "<br/>",
    "<h1>",
    "</h1>",
    "<h2>",
    "</h2>",
    "<ul>",
    "<ol>",
    "<li>",
    "</li>",
    "</ul>",
    "<table><tr><td>",
    "</td></tr></table>",
    "<a href=\"/x\">",
    "<a href=#anker>",
    "<a href='javascript:alert(1)'>",
    "</a>",
    "<img src=\"/a.jpg\">",
    "<img data-src=x>",
    "<figure><figcaption>",
    "</figcaption></figure>",
    "<script>",
    "</script>",
    "<script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"articleBody\":\"",
    "\"}</script>",
    "<style>p{}",
    "</style>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<!DOCTYPE html>",
    "<meta property=\"og:title\" content=\"Titel\">",
    "<meta name=description content='",
    "<span itemprop=\"articleBody\">",
    "</span>",
    "<button aria-expanded=\"false\" aria-controls=\"p1\">",
    "</button>",
    "<div class=\"accordion-panel\" hidden>",
    "<div style=\"display:none\" class=faq>",
    "<noscript>",
    "<template>",
    "<svg><path d='M0'/>",
    "<iframe srcdoc=\"<p>x</p>\">",
    "<",
    ">",
    "</",
    "/>",
    "=\"",
    "'",
    "&amp;",
    "&nbsp;",
    "&#x1F600;",
    "&#99999999;",
    "&",
    " ",
    "\n",
    "\t",
    "\u{a0}",
    "\u{200B}",
    "Zorg",
    "cliënt",
    "één",
    "medewerkers",
    "De wijkverpleging werkt sinds maart met vaste koppels in de avonddienst.",
    "Lees ook:",
    "…",
    "...",
    ".",
    "。",
    "社區護理團隊",
    "日本語の文章です",
    "€",
    "\u{1F600}",
    "ΑΣ",
    "\u{0}",
    "\u{1C}",
    "\r\n",
];

struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        // xorshift64: deterministic, no dependency.
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn doc(&mut self, max_pieces: u64) -> String {
        let n = self.next() % max_pieces;
        let mut s = String::new();
        for _ in 0..n {
            let piece = PIECES[(self.next() % PIECES.len() as u64) as usize];
            // Now and then a piece is repeated, for runs of nesting.
            let times = if self.next() % 16 == 0 {
                1 + self.next() % 40
            } else {
                1
            };
            for _ in 0..times {
                s.push_str(piece);
            }
        }
        s
    }
}

fn cases(default: usize) -> usize {
    std::env::var("RADAR_GENERATED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn for_each_doc(seed: u64, default: usize, max_pieces: u64, mut f: impl FnMut(&str)) {
    let mut g = Gen(seed);
    for i in 0..cases(default) {
        let doc = g.doc(max_pieces);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&doc)));
        if outcome.is_err() {
            panic!("case {i} (seed {seed:#x}) panicked on {doc:?}");
        }
    }
}

#[test]
fn article_extraction_never_panics_on_generated_markup() {
    let limits = Limits::default();
    for_each_doc(0x9E37_79B9_7F4A_7C15, 3_000, 200, |doc| {
        if let Ok(e) = extract(doc, Some("https://zorg.example/nieuws/a"), &limits) {
            // What comes out is text, not markup the page smuggled in.
            assert!(!e.html.contains("<script"), "{doc:?} -> {}", e.html);
            assert!(!e.text.contains('\0'), "{doc:?}");
        }
    });
}

#[test]
fn html_to_text_and_sanitizer_never_panic_on_generated_markup() {
    for_each_doc(0xD1B5_4A32_D192_ED03, 3_000, 120, |doc| {
        let t = radar::extract::html::to_text(doc);
        assert!(!t.contains("<script"), "{doc:?} -> {t}");
        let clean = radar::extract::sanitize::sanitize_html(doc);
        let lower = clean.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "{doc:?} -> {clean}");
        // As text, "javascript:" is harmless; as a link it is not.
        assert!(!lower.contains("=\"javascript:"), "{doc:?} -> {clean}");
    });
}

#[test]
fn newsletter_splitting_never_panics_on_generated_markup() {
    for_each_doc(0x2545_F491_4F6C_DD1D, 2_000, 160, |doc| {
        for story in radar::intake::newsletter::split_html(doc) {
            // A story is a web link; a javascript: link never becomes one.
            assert!(
                story.url.starts_with("https://") || story.url.starts_with("http://"),
                "{doc:?} -> {}",
                story.url
            );
        }
        let _ = radar::intake::newsletter::split_text(doc);
    });
}
