//! Hostile-input guards that run before the HTML parser.
//!
//! html5ever's tree builder is quadratic in nesting depth, so deeply nested
//! markup is flattened (or refused) by a linear pre-pass over the raw bytes.

use std::borrow::Cow;

/// Outcome of [`cap_nesting`].
pub(crate) enum Capped<'a> {
    /// At most `max_depth` deep after flattening: the markup to parse.
    Ok(Cow<'a, str>),
    /// Nesting went beyond `hard_limit`: not a real page.
    TooDeep,
    /// More than `max_tags` start tags: parsing alone would blow the budget.
    TooManyTags,
}

/// Drops start and end tags nested deeper than `max_depth` (their text is
/// kept), in one linear pass. Returns [`Capped::TooDeep`] when the nesting
/// reaches `hard_limit`, so obviously hostile pages are refused without
/// being parsed at all.
///
/// The same pass empties the bodies of `<script>` (except JSON-LD, which
/// the metadata reads) and `<style>` elements, leaving one space so the
/// tree keeps its shape: nothing reads them, and they are a third of a
/// typical news page's bytes, which the parser would otherwise tokenize.
/// A body is only emptied where the parser is certain to read it as raw
/// text ending at the first `</script`/`</style` end tag: not inside
/// `<svg>`/`<math>` or `<noscript>`, and not a script containing `<!--`.
/// Comments are emptied the same way (`<!---->`), where their end is
/// certain.
pub(crate) fn cap_nesting(
    html: &str,
    max_depth: usize,
    hard_limit: usize,
    max_tags: usize,
) -> Capped<'_> {
    let mut tags = 0usize;
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut out: Option<String> = None;
    let mut copied = 0usize;
    // Open <svg>/<math> (foreign content) and <noscript> elements.
    let mut foreign = 0usize;
    let mut noscript = 0usize;
    // Set after a script whose end is uncertain (it contains `<!--`, so
    // the parser may read past the first end tag): no more stripping.
    let mut uncertain = false;
    let mut dropped = Vec::new();
    let mut i = 0usize;
    while i < bytes.len() {
        let Some(off) = memchr::memchr(b'<', &bytes[i..]) else {
            break;
        };
        let start = i + off;
        // Comments and doctype / processing instructions.
        if bytes[start..].starts_with(b"<!--") {
            let close = find(bytes, start + 4, b"-->");
            if let (Some(e), 0, false) = (close, noscript, uncertain) {
                // Emptied (`<!---->`) when the parser is certain to end it at
                // this `-->` too: not `<!-->`, `<!--->` or `--!>` before it.
                let body = &bytes[start + 4..e];
                if !body.is_empty()
                    && !body.starts_with(b">")
                    && !body.starts_with(b"->")
                    && find(body, 0, b"--!>").is_none()
                {
                    let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
                    o.push_str(&html[copied..start + 4]);
                    copied = e;
                }
            }
            i = match close {
                Some(e) => e + 3,
                None => bytes.len(),
            };
            continue;
        }
        let closing = bytes.get(start + 1) == Some(&b'/');
        let name_at = start + 1 + usize::from(closing);
        if !bytes.get(name_at).is_some_and(u8::is_ascii_alphabetic) {
            if matches!(bytes.get(start + 1), Some(b'!' | b'?' | b'/')) {
                // A bogus comment: it ends at the first '>'.
                match memchr::memchr(b'>', &bytes[start..]) {
                    Some(e) => i = start + e + 1,
                    None => break,
                }
            } else {
                i = start + 1;
            }
            continue;
        }
        let Some(end) = tag_end(bytes, name_at) else {
            break;
        };
        let tag = &html[start + 1..end - 1];
        let raw_name = &html[name_at..];
        let name_len = raw_name
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b':')
            .count();
        let mut buf = [0u8; 16];
        let name_bytes = &raw_name.as_bytes()[..name_len.min(16)];
        for (d, s) in buf.iter_mut().zip(name_bytes) {
            *d = s.to_ascii_lowercase();
        }
        let name = std::str::from_utf8(&buf[..name_bytes.len()]).unwrap_or("");
        if !closing {
            tags += 1;
            if tags > max_tags {
                return Capped::TooManyTags;
            }
        }
        let self_closed = tag.ends_with('/');
        if matches!(name, "svg" | "math") {
            if closing {
                foreign = foreign.saturating_sub(1);
            } else if !self_closed {
                foreign += 1;
            }
        }
        if name == "noscript" && foreign == 0 {
            if closing {
                noscript = noscript.saturating_sub(1);
            } else {
                noscript += 1;
            }
        }
        let counted =
            !is_void(name) && !is_self_closing_sibling(name) && !is_raw_text(name) && !self_closed;
        let mut drop_tag = false;
        if counted {
            if closing {
                drop_tag = depth > max_depth;
                depth = depth.saturating_sub(1);
            } else {
                depth += 1;
                if depth >= hard_limit {
                    return Capped::TooDeep;
                }
                drop_tag = depth > max_depth;
            }
        }
        if drop_tag {
            let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
            o.push_str(&html[copied..start]);
            copied = end;
        } else if !closing && noscript == 0 && !uncertain {
            // Attributes nothing reads (srcset, data-*, aria-*, path data,
            // ...) are replaced by a space: they are half the markup the
            // tokenizer would otherwise read character by character.
            dropped.clear();
            unread_attributes(bytes, name_at, end, &mut dropped);
            for &(from, to) in &dropped {
                let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
                o.push_str(&html[copied..from]);
                o.push(' ');
                copied = to;
            }
        }
        let mut next = end;
        if !closing && is_raw_text(name) && (foreign == 0 || !matches!(name, "script" | "style")) {
            // Skip to the end tag; the content is not markup.
            let body_end = raw_text_end(bytes, end, name.as_bytes());
            next = body_end.unwrap_or(bytes.len());
            if name == "script"
                && body_end.is_none_or(|e| find(&bytes[..e], end, b"<!--").is_some())
            {
                uncertain = true;
            }
            let strip = !uncertain
                && match name {
                    "style" => true,
                    "script" => !contains_ci(tag.as_bytes(), b"ld+json") && !tag.contains('&'),
                    _ => false,
                };
            if let (true, 0, 0, Some(body_end)) = (strip, foreign, noscript, body_end) {
                if body_end > end {
                    let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
                    o.push_str(&html[copied..end]);
                    o.push(' ');
                    copied = body_end;
                }
            }
        }
        i = next.max(start + 1);
    }
    match out {
        None => Capped::Ok(Cow::Borrowed(html)),
        Some(mut o) => {
            o.push_str(&html[copied..]);
            Capped::Ok(Cow::Owned(o))
        }
    }
}

/// Attributes something reads: the extractor's walk and metadata, the
/// selectors it uses, and the tree builder itself (`type` of hidden
/// inputs, `color`/`face`/`size` of `<font>` in SVG, `encoding` of
/// `<annotation-xml>`, declarative shadow roots).
fn is_read(name: &[u8]) -> bool {
    const READ: &[&[u8]] = &[
        b"hidden",
        b"aria-hidden",
        b"aria-expanded",
        b"aria-controls",
        b"style",
        b"role",
        b"class",
        b"id",
        b"href",
        b"src",
        b"data-src",
        b"property",
        b"name",
        b"itemprop",
        b"content",
        b"type",
        b"datetime",
        b"pubdate",
        b"rel",
        b"color",
        b"face",
        b"size",
        b"encoding",
        b"shadowrootmode",
        b"charset",
        b"http-equiv",
    ];
    READ.iter().any(|r| r.eq_ignore_ascii_case(name))
}

/// Appends to `out` the byte spans of the attributes that are not
/// [`is_read`] in the start tag whose name starts at `name_at` and that ends
/// at `end` (just past its `>`, as found by [`tag_end`]), split the way the
/// tokenizer splits them.
fn unread_attributes(b: &[u8], name_at: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let is_space = |c: u8| matches!(c, b'\t' | b'\n' | 0x0C | b'\r' | b' ');
    let stop = end - 1;
    let mut i = name_at;
    while i < stop && !is_space(b[i]) && b[i] != b'/' {
        i += 1;
    }
    loop {
        while i < stop && (is_space(b[i]) || b[i] == b'/') {
            i += 1;
        }
        if i >= stop {
            return;
        }
        let from = i;
        i += 1;
        while i < stop && !is_space(b[i]) && !matches!(b[i], b'/' | b'=') {
            i += 1;
        }
        let name = &b[from..i];
        let mut j = i;
        while j < stop && is_space(b[j]) {
            j += 1;
        }
        if j < stop && b[j] == b'=' {
            j += 1;
            while j < stop && is_space(b[j]) {
                j += 1;
            }
            if j < stop && matches!(b[j], b'"' | b'\'') {
                match memchr::memchr(b[j], &b[j + 1..stop]) {
                    Some(q) => j += q + 2,
                    None => return,
                }
            } else {
                while j < stop && !is_space(b[j]) {
                    j += 1;
                }
            }
            i = j;
        }
        if !is_read(name) {
            out.push((from, i));
        }
    }
}

/// Elements without an end tag.
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements whose end tag is optional and that cannot nest inside themselves
/// in the tree the parser builds (`<p><p>` closes the first one); counting
/// them would make a page of a million unclosed `<p>`s look deep.
fn is_self_closing_sibling(name: &str) -> bool {
    matches!(
        name,
        "p" | "li"
            | "dt"
            | "dd"
            | "option"
            | "optgroup"
            | "tr"
            | "td"
            | "th"
            | "tbody"
            | "thead"
            | "tfoot"
            | "colgroup"
            | "rb"
            | "rt"
            | "rp"
            | "rtc"
            | "html"
            | "head"
            | "body"
    )
}

/// Elements whose content is raw text: tags inside them are not tags.
fn is_raw_text(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "textarea"
            | "title"
            | "xmp"
            | "iframe"
            | "noembed"
            | "noframes"
            | "plaintext"
    )
}

/// The index just past the `>` that ends the tag whose name starts at
/// `name_at`, honouring quoted attribute values (which may contain `>`), as
/// the HTML tokenizer does. `None` when the input ends first.
fn tag_end(b: &[u8], name_at: usize) -> Option<usize> {
    // Most tags have no quote before their first '>': that '>' ends them.
    let gt = name_at + memchr::memchr(b'>', &b[name_at..])?;
    if memchr::memchr2(b'"', b'\'', &b[name_at..gt]).is_none() {
        return Some(gt + 1);
    }
    let is_space = |c: u8| matches!(c, b'\t' | b'\n' | 0x0C | b'\r' | b' ');
    let mut i = name_at;
    // The tag name.
    while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    loop {
        // Before an attribute name.
        while i < b.len() && (is_space(b[i]) || b[i] == b'/') {
            i += 1;
        }
        match b.get(i)? {
            b'>' => return Some(i + 1),
            _ => i += 1, // the name's first character, even '=' or a quote
        }
        while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if b.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        match b.get(i)? {
            &q @ (b'"' | b'\'') => {
                i += 1 + memchr::memchr(q, &b[i + 1..])? + 1;
            }
            b'>' => return Some(i + 1),
            _ => {
                while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                    i += 1;
                }
            }
        }
    }
}

/// Where the raw text that starts at `from` ends: the `<` of the first
/// `</name` (any case) followed by whitespace, `/` or `>`, as the tokenizer
/// decides. `None` when there is none.
fn raw_text_end(b: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut i = from;
    while let Some(off) = memchr::memmem::find(&b[i.min(b.len())..], b"</") {
        let at = i + off;
        let after = at + 2 + name.len();
        if after < b.len()
            && b[at + 2..after].eq_ignore_ascii_case(name)
            && matches!(b[after], b'\t' | b'\n' | 0x0C | b'\r' | b' ' | b'/' | b'>')
        {
            return Some(at);
        }
        i = at + 2;
    }
    None
}

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    memchr::memmem::find(&hay[from..], needle).map(|p| p + from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capped(html: &str, max: usize) -> String {
        match cap_nesting(html, max, 1000, 1000) {
            Capped::Ok(c) => c.into_owned(),
            Capped::TooDeep => "TOO DEEP".into(),
            Capped::TooManyTags => "TOO MANY".into(),
        }
    }

    #[test]
    fn shallow_pages_are_borrowed() {
        let html = "<div><p>a<p>b</div><textarea>if (a<b) '<div><div>'</textarea><script></script>";
        assert!(matches!(
            cap_nesting(html, 2, 100, 1000),
            Capped::Ok(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn script_and_style_bodies_are_emptied() {
        let html = "<head><style>p { color: red }</style><script type=\"text/javascript\">\
                    var a = '<div>';</script><SCRIPT>x</script >\
                    <script type=\"application/ld+json\">{\"@type\": \"NewsArticle\"}</script>\
                    </head><body><p class=\"a>b<script>c\">tekst</p><script>if (a</scripts) {}</script></body>";
        assert_eq!(
            capped(html, 100),
            "<head><style> </style><script type=\"text/javascript\"> </script><SCRIPT> </script >\
             <script type=\"application/ld+json\">{\"@type\": \"NewsArticle\"}</script>\
             </head><body><p class=\"a>b<script>c\">tekst</p><script> </script></body>"
        );
    }

    #[test]
    fn unread_attributes_are_dropped() {
        assert_eq!(
            capped(
                "<img srcset=\"a.jpg 1x, b.jpg 2x\" SRC=b.jpg data-x='y>z'/><a/title=x href=\"/a\">a</a>\
                 <svg><path d=\"M0 0\"/></svg><p>x=\"y\"</p>",
                100
            ),
            "<img   SRC=b.jpg  /><a/  href=\"/a\">a</a><svg><path  /></svg><p>x=\"y\"</p>"
        );
        // Inside <noscript> tags are text: untouched.
        let html = "<noscript><img srcset=\"x\"></noscript>";
        assert_eq!(capped(html, 100), html);
    }

    #[test]
    fn comments_are_emptied_where_their_end_is_certain() {
        assert_eq!(
            capped("<p>a<!-- <b>x</b> -->b</p>", 100),
            "<p>a<!---->b</p>"
        );
        for html in [
            "<p>a<!--> b -->c</p>",
            "<p>a<!---> b -->c</p>",
            "<p>a<!-- x --!> b -->c</p>",
            "<noscript><!-- x --></noscript>",
            "<p>a<!-- never closed",
        ] {
            assert_eq!(capped(html, 100), html);
        }
    }

    #[test]
    fn bodies_the_parser_might_read_otherwise_are_kept() {
        for html in [
            // Inside SVG a script is markup, not raw text.
            "<svg><script>a</svg><p>b</p></script></svg><p>c</p>",
            // With scripting on, <noscript> content is text, not markup.
            "<noscript><style>x</style></noscript>",
            // `<!--` in a script: the first end tag may not end it, and
            // nothing after it is touched.
            "<script><!-- document.write('<script>x</script>') --></script><style>y</style>",
            // An entity could spell out ld+json.
            "<script type=\"application/ld&#43;json\">{}</script>",
            // Never closed.
            "<style>p {}",
        ] {
            assert_eq!(capped(html, 100), html);
        }
    }

    #[test]
    fn deep_tags_are_dropped_text_kept() {
        assert_eq!(
            capped("<div><div><div>x</div></div></div>", 2),
            "<div><div>x</div></div>"
        );
    }

    #[test]
    fn unclosed_paragraphs_do_not_count() {
        let html = "<p>x".repeat(1000);
        assert!(matches!(
            cap_nesting(&html, 5, 100, 10_000),
            Capped::Ok(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn tag_count_limit_refuses() {
        let html = "<p>x".repeat(2000);
        assert!(matches!(
            cap_nesting(&html, 5, 100, 1000),
            Capped::TooManyTags
        ));
    }

    #[test]
    fn hard_limit_refuses() {
        let html = "<div>".repeat(500);
        assert!(matches!(
            cap_nesting(&html, 5, 100, 10_000),
            Capped::TooDeep
        ));
    }
}
