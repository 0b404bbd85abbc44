//! Hostile-input guards that run before the HTML parser.
//!
//! html5ever's tree builder is quadratic in nesting depth, so deeply nested
//! markup is flattened (or refused) by a linear pre-pass over the raw bytes.

use std::borrow::Cow;

/// Elements without an end tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr",
];

/// Elements whose end tag is optional and that cannot nest inside themselves
/// in the tree the parser builds (`<p><p>` closes the first one); counting
/// them would make a page of a million unclosed `<p>`s look deep.
const SELF_CLOSING_SIBLINGS: &[&str] = &[
    "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "tbody", "thead", "tfoot",
    "colgroup", "rb", "rt", "rp", "rtc", "html", "head", "body",
];

/// Elements whose content is raw text: tags inside them are not tags.
const RAW_TEXT: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "plaintext",
];

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
    let mut i = 0usize;
    while i < bytes.len() {
        let Some(off) = bytes[i..].iter().position(|&b| b == b'<') else {
            break;
        };
        let start = i + off;
        // Comments and doctype / processing instructions.
        if bytes[start..].starts_with(b"<!--") {
            i = match find(bytes, start + 4, b"-->") {
                Some(e) => e + 3,
                None => bytes.len(),
            };
            continue;
        }
        let Some(end_off) = bytes[start..].iter().position(|&b| b == b'>') else {
            break;
        };
        let end = start + end_off + 1;
        let tag = &html[start + 1..end - 1];
        let closing = tag.starts_with('/');
        let raw_name = tag.trim_start_matches('/');
        let name_len = raw_name
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b':')
            .count();
        if name_len == 0 || !raw_name.as_bytes()[0].is_ascii_alphabetic() {
            i = start + 1;
            continue;
        }
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
        let mut next = end;
        if !closing && RAW_TEXT.contains(&name) {
            // Skip to the matching end tag; its content is not markup.
            let close = format!("</{name}");
            next = find_ci(bytes, end, close.as_bytes()).unwrap_or(bytes.len());
        }
        let counted = !VOID.contains(&name)
            && !SELF_CLOSING_SIBLINGS.contains(&name)
            && !RAW_TEXT.contains(&name)
            && !tag.ends_with('/');
        if counted {
            let drop_tag;
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
            if drop_tag {
                let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
                o.push_str(&html[copied..start]);
                copied = end;
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

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn find_ci(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    let mut i = from;
    while let Some(off) = hay[i..].iter().position(|&b| b == needle[0]) {
        let at = i + off;
        if hay.len() - at >= needle.len() && hay[at..at + needle.len()].eq_ignore_ascii_case(needle)
        {
            return Some(at);
        }
        i = at + 1;
    }
    None
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
        let html = "<div><p>a<p>b</div><script>if (a<b) '<div><div>'</script>";
        assert!(matches!(
            cap_nesting(html, 2, 100, 1000),
            Capped::Ok(Cow::Borrowed(_))
        ));
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
