//! Repairs for the common ways real-world XML feeds are broken.
//!
//! In: feed text that has already been decoded to a Rust `String` (see
//! `encoding`). Out: repaired text plus the short snake_case names of the
//! repairs that changed something. Every repair is a no-op on a well-formed
//! document, so running them "just in case" is safe. This module never parses
//! the feed, never guesses at structure it cannot see (it does not close
//! truncated documents or invent missing elements), never touches text inside
//! CDATA sections or comments, and never does I/O.

use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// Repair name: a BOM or whitespace before the first markup was removed.
pub const LEADING_WHITESPACE: &str = "leading_whitespace";
/// Repair name: non-markup text (e.g. a PHP warning) before the XML
/// declaration or the first tag was removed.
pub const LEADING_GARBAGE: &str = "leading_garbage";
/// Repair name: a mangled prolog such as `<?phpxml ...?>` became `<?xml ...?>`.
pub const BROKEN_PROLOG: &str = "broken_prolog";
/// Repair name: the declaration's `encoding="..."` was rewritten to UTF-8.
pub const ENCODING_DECLARATION: &str = "encoding_declaration";
/// Repair name: a `&` that starts no valid reference became `&amp;`.
pub const BARE_AMPERSAND: &str = "bare_ampersand";
/// Repair name: an HTML-only named entity became a numeric reference.
pub const HTML_ENTITY: &str = "html_entity";
/// Repair name: a numeric reference to a C1 control (`&#146;`), which HTML
/// authors mean as windows-1252, became the intended character.
pub const CP1252_REFERENCE: &str = "cp1252_reference";
/// Repair name: `<rss>` got `version="2.0"` (missing or nonstandard before).
pub const RSS_VERSION: &str = "rss_version";
/// Repair name: `<rss>` had no `<channel>`, so its content was wrapped in one.
pub const MISSING_CHANNEL: &str = "missing_channel";
/// Repair name: an empty Media RSS text element (`<media:description/>`,
/// common in YouTube feeds) was removed; feed-rs rejects the whole feed
/// over it.
pub const EMPTY_MEDIA_TEXT: &str = "empty_media_text";
/// Repair name: a JSON Feed declared `http://jsonfeed.org/version/1`
/// (instead of https), which feed-rs refuses as an unknown version.
pub const JSONFEED_VERSION: &str = "jsonfeed_version";
/// Repair name: characters XML forbids (C0 controls other than tab, LF, CR,
/// also as numeric references, and U+FFFE/U+FFFF) were removed.
pub const CONTROL_CHARS: &str = "control_chars";

/// Repairs common breakage in XML feed text (already decoded to a Rust
/// String) so a strict parser accepts it. Returns the repaired text and the
/// list of repairs applied, in the order applied (names are the constants in
/// this module, e.g. "leading_whitespace", "bare_ampersand", "html_entity",
/// "rss_version", "control_chars", "encoding_declaration").
pub fn repair(text: &str) -> (String, Vec<&'static str>) {
    let (text, applied) = run(text, true);
    (text.into_owned(), applied)
}

/// The subset of [`repair`] that must run even when the document is
/// well-formed, because skipping it corrupts the result silently rather than
/// failing: the stale `encoding="ISO-8859-1"` of a document we already
/// decoded would make the XML reader decode our UTF-8 a second time, and
/// feed-rs passes undefined entities such as `&eacute;` through as literal
/// text. Also strips control characters, which the reader lets through.
/// Borrows the input when nothing needs changing (the common case), so a
/// clean feed is never copied.
pub fn prepare(text: &str) -> (Cow<'_, str>, Vec<&'static str>) {
    run(text, false)
}

/// Repairs a JSON Feed body. Only rewrites an `http://` JSON Feed version
/// URL to `https://`; XML repairs are never applied to JSON, where `&` and
/// `<` mean nothing special.
pub fn repair_json(text: &str) -> (String, Vec<&'static str>) {
    static VERSION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"("version"\s*:\s*")http:(\\?/\\?/jsonfeed\.org)"#).expect("valid regex")
    });
    match VERSION.find(text) {
        Some(_) => (
            VERSION.replace(text, "${1}https:${2}").into_owned(),
            vec![JSONFEED_VERSION],
        ),
        None => (text.to_string(), Vec::new()),
    }
}

/// The character an HTML 4 named entity (without `&` and `;`) stands for.
/// `None` for unknown names and for the five names XML itself defines.
pub fn html_entity_char(name: &str) -> Option<char> {
    HTML_ENTITIES
        .binary_search_by(|(n, _)| n.cmp(&name))
        .ok()
        .and_then(|i| char::from_u32(HTML_ENTITIES[i].1))
}

/// Runs the repairs; `full` selects the structural ones (leading junk,
/// prolog, bare ampersands, rss version) that are only wanted after a strict
/// parse failed.
fn run(text: &str, full: bool) -> (Cow<'_, str>, Vec<&'static str>) {
    let mut applied = Vec::new();
    let mut text = Cow::Borrowed(text);
    // Each repair returns `None` when it changes nothing.
    let mut step = |text: &mut Cow<'_, str>,
                    f: &dyn Fn(&str, &mut Vec<&'static str>) -> Option<String>| {
        if let Some(changed) = f(text, &mut applied) {
            *text = Cow::Owned(changed);
        }
    };
    step(&mut text, &strip_control_chars);
    if full {
        step(&mut text, &strip_leading);
        step(&mut text, &fix_prolog);
    }
    step(&mut text, &fix_encoding_declaration);
    step(&mut text, &|t, a| fix_references(t, full, a));
    if full {
        step(&mut text, &fix_rss_version);
        step(&mut text, &fix_missing_channel);
        step(&mut text, &remove_empty_media_text);
    }
    (text, applied)
}

/// True for characters XML 1.0 does not allow anywhere in a document.
fn forbidden_in_xml(c: char) -> bool {
    matches!(c, '\0'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

fn strip_control_chars(text: &str, applied: &mut Vec<&'static str>) -> Option<String> {
    // Byte pre-check (fast, branch-free per chunk): a forbidden character
    // is a C0 byte other than tab, LF and CR, or U+FFFE/U+FFFF (EF BF BE/BF).
    let suspect = text.as_bytes().chunks(64).any(|chunk| {
        chunk.iter().fold(false, |acc, &b| {
            acc | ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')) | (b == 0xEF)
        })
    });
    if !suspect || !text.contains(forbidden_in_xml) {
        return None;
    }
    applied.push(CONTROL_CHARS);
    Some(text.replace(forbidden_in_xml, ""))
}

/// Removes anything before the real start of the document. An XML
/// declaration is only legal at offset 0, so whatever precedes one is junk;
/// without a declaration, everything before the first `<` is.
fn strip_leading(text: &str, applied: &mut Vec<&'static str>) -> Option<String> {
    static DECL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<\?xml\s").expect("valid regex"));
    let is_blank = |c: char| c.is_whitespace() || c == '\u{FEFF}';
    // Only look near the top: a declaration deep inside is not ours to move.
    let head_end = text.char_indices().nth(8192).map_or(text.len(), |(i, _)| i);
    let start = match DECL.find(&text[..head_end]) {
        Some(m) => m.start(),
        None => text.find('<').unwrap_or(0),
    };
    if start == 0 {
        return None;
    }
    let dropped = &text[..start];
    applied.push(if dropped.chars().all(is_blank) {
        LEADING_WHITESPACE
    } else {
        LEADING_GARBAGE
    });
    Some(text[start..].to_string())
}

/// `<?phpxml version="1.0"?>` and similar template accidents: a processing
/// instruction whose target merely ends in "xml" where the declaration
/// should be.
fn fix_prolog(text: &str, applied: &mut Vec<&'static str>) -> Option<String> {
    static BROKEN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^<\?[A-Za-z_][A-Za-z0-9_.-]*xml(\s+version\s*=)").expect("valid regex")
    });
    match BROKEN.captures(text) {
        Some(caps) => {
            applied.push(BROKEN_PROLOG);
            let rest = &text[caps.get(0).map_or(0, |m| m.end())..];
            Some(format!("<?xml{}{rest}", &caps[1]))
        }
        None => None,
    }
}

/// Rewrites `encoding="..."` in a leading XML declaration to UTF-8, because
/// the text handed to the parser is UTF-8 whatever the bytes were.
fn fix_encoding_declaration(text: &str, applied: &mut Vec<&'static str>) -> Option<String> {
    static ENC: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']*)["']"#).expect("valid regex")
    });
    let value = ENC.captures(text).and_then(|c| c.get(1))?;
    if value.as_str().eq_ignore_ascii_case("utf-8") {
        return None;
    }
    applied.push(ENCODING_DECLARATION);
    Some(format!(
        "{}UTF-8{}",
        &text[..value.start()],
        &text[value.end()..]
    ))
}

/// One pass over the text outside CDATA sections and comments, fixing `&`:
/// HTML-only named entities and C1 numeric references always; bare `&` and
/// unknown names only when `fix_bare` (a strict parse already failed).
/// `None` when nothing needed fixing (then nothing was copied).
fn fix_references(text: &str, fix_bare: bool, applied: &mut Vec<&'static str>) -> Option<String> {
    let bytes = text.as_bytes();
    // Output, once a first reference needed rewriting; text[..copied] is in it.
    let mut out: Option<String> = None;
    let mut copied = 0usize;
    let mut html = false;
    let mut bare = false;
    let mut cp1252 = false;
    let mut control = false;
    let mut section = next_section(text, 0);
    let mut pos = 0usize;
    while let Some(off) = memchr::memchr(b'&', &bytes[pos..]) {
        let amp = pos + off;
        // CDATA sections and comments are copied verbatim: entities have no
        // meaning there, and "&nbsp;" inside CDATA is literal content.
        match section {
            Some((start, end)) if start < amp => {
                if end > amp {
                    pos = end;
                }
                section = next_section(text, end);
                continue;
            }
            _ => {}
        }
        let (consumed, replacement) = match parse_reference(&text[amp..]) {
            Reference::Predefined(len) | Reference::ValidNumeric(len) => (len, None),
            Reference::Html(len, c) => {
                html = true;
                (len, Some(format!("&#{};", c as u32)))
            }
            Reference::Cp1252(len, c) => {
                cp1252 = true;
                (len, Some(format!("&#{};", c as u32)))
            }
            Reference::Forbidden(len) => {
                control = true;
                (len, Some(String::new()))
            }
            Reference::UnknownName(len) if !fix_bare => (len, None),
            Reference::Bare if !fix_bare => (1, None),
            Reference::UnknownName(_) | Reference::Bare => {
                bare = true;
                (1, Some("&amp;".to_string()))
            }
        };
        if let Some(r) = replacement {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
            o.push_str(&text[copied..amp]);
            o.push_str(&r);
            copied = amp + consumed;
        }
        pos = amp + consumed;
    }
    let mut out = out?;
    out.push_str(&text[copied..]);
    for (flag, name) in [
        (control, CONTROL_CHARS),
        (html, HTML_ENTITY),
        (cp1252, CP1252_REFERENCE),
        (bare, BARE_AMPERSAND),
    ] {
        if flag && !applied.contains(&name) {
            applied.push(name);
        }
    }
    Some(out)
}

/// The first CDATA section or comment starting at or after `from`: its
/// start and the end of its closing delimiter (the end of the text when it
/// is never closed).
fn next_section(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut at = from;
    while let Some(off) = memchr::memmem::find(&bytes[at.min(bytes.len())..], b"<!") {
        let start = at + off;
        let rest = &text[start..];
        for (open, close) in [("<![CDATA[", "]]>"), ("<!--", "-->")] {
            if let Some(body) = rest.strip_prefix(open) {
                let end = body
                    .find(close)
                    .map_or(text.len(), |i| start + open.len() + i + close.len());
                return Some((start, end));
            }
        }
        at = start + 1;
    }
    None
}

/// What a `&` at the start of the input begins; lengths are in bytes and
/// include the `&` and `;`.
enum Reference {
    /// `&amp;` `&lt;` `&gt;` `&quot;` `&apos;`
    Predefined(usize),
    /// `&#233;` / `&#xE9;` naming a character XML allows.
    ValidNumeric(usize),
    /// A numeric reference in 128..=159 that windows-1252 maps to a character.
    Cp1252(usize, char),
    /// A numeric reference to a character XML forbids.
    Forbidden(usize),
    /// An HTML named entity and the character it stands for.
    Html(usize, char),
    /// A syntactically valid `&name;` that neither XML nor HTML 4 defines
    /// (perhaps declared in a DTD, which feed parsers do not read).
    UnknownName(usize),
    /// Not a reference at all.
    Bare,
}

fn parse_reference(s: &str) -> Reference {
    // By hand, for speed (this runs on every `&` of every feed); it accepts
    // exactly `&(#[0-9]{1,8}|#[xX][0-9A-Fa-f]{1,8}|[A-Za-z][A-Za-z0-9._-]{0,31});`.
    let b = s.as_bytes();
    let run = |from: usize, ok: fn(u8) -> bool, max: usize| -> Option<usize> {
        let n = b[from.min(b.len())..]
            .iter()
            .take_while(|&&c| ok(c))
            .count();
        (n >= 1 && n <= max && b.get(from + n) == Some(&b';')).then_some(n)
    };
    let code = match (b.get(1), b.get(2)) {
        (Some(b'#'), Some(b'x' | b'X')) => {
            let Some(n) = run(3, |c| c.is_ascii_hexdigit(), 8) else {
                return Reference::Bare;
            };
            (4 + n, u32::from_str_radix(&s[3..3 + n], 16).ok())
        }
        (Some(b'#'), _) => {
            let Some(n) = run(2, |c| c.is_ascii_digit(), 8) else {
                return Reference::Bare;
            };
            (3 + n, s[2..2 + n].parse::<u32>().ok())
        }
        (Some(c), _) if c.is_ascii_alphabetic() => {
            let Some(n) = run(
                1,
                |c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-'),
                32,
            ) else {
                return Reference::Bare;
            };
            let len = n + 2;
            let name = &s[1..1 + n];
            if matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") {
                return Reference::Predefined(len);
            }
            return match html_entity_char(name) {
                Some(c) => Reference::Html(len, c),
                None => Reference::UnknownName(len),
            };
        }
        _ => return Reference::Bare,
    };
    let (len, code) = code;
    match code.and_then(char::from_u32) {
        Some(c @ '\u{80}'..='\u{9F}') => {
            let byte = [c as u32 as u8];
            let (decoded, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&byte);
            match decoded.chars().next() {
                // Five bytes are undefined in windows-1252 and decode to
                // themselves; keep those as they are (they are legal XML).
                Some(mapped) if mapped != c => Reference::Cp1252(len, mapped),
                _ => Reference::ValidNumeric(len),
            }
        }
        Some(c) if !forbidden_in_xml(c) => Reference::ValidNumeric(len),
        // Surrogates, out-of-range values and C0 controls.
        _ => Reference::Forbidden(len),
    }
}

/// `<rss>` without `version`, or with one feed parsers do not recognise
/// (`2.00`, `2.0.1`, `0.94`...), gets `version="2.0"`: everything after 0.92
/// is RSS 2.0 in practice. 0.91 and 0.92 are kept, parsers handle them.
fn fix_rss_version(text: &str, applied: &mut Vec<&'static str>) -> Option<String> {
    static RSS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"<rss(\s[^>]*)?>").expect("valid regex"));
    static VERSION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\sversion\s*=\s*(?:"([^"]*)"|'([^']*)')"#).expect("valid regex")
    });
    let tag = RSS.captures(text)?;
    let attrs = tag.get(1);
    let attrs_str = attrs.map_or("", |m| m.as_str());
    match VERSION.captures(attrs_str) {
        None => {
            applied.push(RSS_VERSION);
            let insert_at = tag.get(0).map_or(0, |m| m.start()) + "<rss".len();
            Some(format!(
                "{} version=\"2.0\"{}",
                &text[..insert_at],
                &text[insert_at..]
            ))
        }
        Some(v) => {
            let value = v.get(1).or_else(|| v.get(2));
            let value = value?;
            if matches!(value.as_str(), "2.0" | "0.91" | "0.92") {
                return None;
            }
            applied.push(RSS_VERSION);
            // Offsets of the value inside the whole text.
            let base = attrs.map_or(0, |m| m.start());
            let (start, end) = (base + value.start(), base + value.end());
            Some(format!("{}2.0{}", &text[..start], &text[end..]))
        }
    }
}

/// `<rss>` whose items sit directly under the root: wrap everything in a
/// `<channel>`, which is what RSS parsers look for.
fn fix_missing_channel(text: &str, applied: &mut Vec<&'static str>) -> Option<String> {
    static RSS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"<rss(\s[^>]*)?>").expect("valid regex"));
    let open = RSS.find(text)?;
    let close = text.rfind("</rss")?;
    if close < open.end() || text.contains("<channel") {
        return None;
    }
    applied.push(MISSING_CHANNEL);
    Some(format!(
        "{}<channel>{}</channel>{}",
        &text[..open.end()],
        &text[open.end()..close],
        &text[close..]
    ))
}

/// Removes `<media:title>`, `<media:description>` and `<media:text>`
/// elements that have no text: feed-rs fails the whole document with
/// "missing text" on them, and an empty element carries no information.
fn remove_empty_media_text(text: &str, applied: &mut Vec<&'static str>) -> Option<String> {
    static EMPTY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"<media:(?:title|description|text)(?:\s[^>]*)?/>|<media:title(?:\s[^>]*)?>\s*</media:title>|<media:description(?:\s[^>]*)?>\s*</media:description>|<media:text(?:\s[^>]*)?>\s*</media:text>",
        )
        .expect("valid regex")
    });
    if !EMPTY.is_match(text) {
        return None;
    }
    applied.push(EMPTY_MEDIA_TEXT);
    Some(EMPTY.replace_all(text, "").into_owned())
}

/// HTML 4 named entities minus the four XML predefines, sorted by name for
/// binary search (byte order, as `str::cmp`).
static HTML_ENTITIES: &[(&str, u32)] = &[
    ("AElig", 198),
    ("Aacute", 193),
    ("Acirc", 194),
    ("Agrave", 192),
    ("Alpha", 913),
    ("Aring", 197),
    ("Atilde", 195),
    ("Auml", 196),
    ("Beta", 914),
    ("Ccedil", 199),
    ("Chi", 935),
    ("Dagger", 8225),
    ("Delta", 916),
    ("ETH", 208),
    ("Eacute", 201),
    ("Ecirc", 202),
    ("Egrave", 200),
    ("Epsilon", 917),
    ("Eta", 919),
    ("Euml", 203),
    ("Gamma", 915),
    ("Iacute", 205),
    ("Icirc", 206),
    ("Igrave", 204),
    ("Iota", 921),
    ("Iuml", 207),
    ("Kappa", 922),
    ("Lambda", 923),
    ("Mu", 924),
    ("Ntilde", 209),
    ("Nu", 925),
    ("OElig", 338),
    ("Oacute", 211),
    ("Ocirc", 212),
    ("Ograve", 210),
    ("Omega", 937),
    ("Omicron", 927),
    ("Oslash", 216),
    ("Otilde", 213),
    ("Ouml", 214),
    ("Phi", 934),
    ("Pi", 928),
    ("Prime", 8243),
    ("Psi", 936),
    ("Rho", 929),
    ("Scaron", 352),
    ("Sigma", 931),
    ("THORN", 222),
    ("Tau", 932),
    ("Theta", 920),
    ("Uacute", 218),
    ("Ucirc", 219),
    ("Ugrave", 217),
    ("Upsilon", 933),
    ("Uuml", 220),
    ("Xi", 926),
    ("Yacute", 221),
    ("Yuml", 376),
    ("Zeta", 918),
    ("aacute", 225),
    ("acirc", 226),
    ("acute", 180),
    ("aelig", 230),
    ("agrave", 224),
    ("alefsym", 8501),
    ("alpha", 945),
    ("and", 8743),
    ("ang", 8736),
    ("aring", 229),
    ("asymp", 8776),
    ("atilde", 227),
    ("auml", 228),
    ("bdquo", 8222),
    ("beta", 946),
    ("brvbar", 166),
    ("bull", 8226),
    ("cap", 8745),
    ("ccedil", 231),
    ("cedil", 184),
    ("cent", 162),
    ("chi", 967),
    ("circ", 710),
    ("clubs", 9827),
    ("cong", 8773),
    ("copy", 169),
    ("crarr", 8629),
    ("cup", 8746),
    ("curren", 164),
    ("dArr", 8659),
    ("dagger", 8224),
    ("darr", 8595),
    ("deg", 176),
    ("delta", 948),
    ("diams", 9830),
    ("divide", 247),
    ("eacute", 233),
    ("ecirc", 234),
    ("egrave", 232),
    ("empty", 8709),
    ("emsp", 8195),
    ("ensp", 8194),
    ("epsilon", 949),
    ("equiv", 8801),
    ("eta", 951),
    ("eth", 240),
    ("euml", 235),
    ("euro", 8364),
    ("exist", 8707),
    ("fnof", 402),
    ("forall", 8704),
    ("frac12", 189),
    ("frac14", 188),
    ("frac34", 190),
    ("frasl", 8260),
    ("gamma", 947),
    ("ge", 8805),
    ("hArr", 8660),
    ("harr", 8596),
    ("hearts", 9829),
    ("hellip", 8230),
    ("iacute", 237),
    ("icirc", 238),
    ("iexcl", 161),
    ("igrave", 236),
    ("image", 8465),
    ("infin", 8734),
    ("int", 8747),
    ("iota", 953),
    ("iquest", 191),
    ("isin", 8712),
    ("iuml", 239),
    ("kappa", 954),
    ("lArr", 8656),
    ("lambda", 955),
    ("lang", 9001),
    ("laquo", 171),
    ("larr", 8592),
    ("lceil", 8968),
    ("ldquo", 8220),
    ("le", 8804),
    ("lfloor", 8970),
    ("lowast", 8727),
    ("loz", 9674),
    ("lrm", 8206),
    ("lsaquo", 8249),
    ("lsquo", 8216),
    ("macr", 175),
    ("mdash", 8212),
    ("micro", 181),
    ("middot", 183),
    ("minus", 8722),
    ("mu", 956),
    ("nabla", 8711),
    ("nbsp", 160),
    ("ndash", 8211),
    ("ne", 8800),
    ("ni", 8715),
    ("not", 172),
    ("notin", 8713),
    ("nsub", 8836),
    ("ntilde", 241),
    ("nu", 957),
    ("oacute", 243),
    ("ocirc", 244),
    ("oelig", 339),
    ("ograve", 242),
    ("oline", 8254),
    ("omega", 969),
    ("omicron", 959),
    ("oplus", 8853),
    ("or", 8744),
    ("ordf", 170),
    ("ordm", 186),
    ("oslash", 248),
    ("otilde", 245),
    ("otimes", 8855),
    ("ouml", 246),
    ("para", 182),
    ("part", 8706),
    ("permil", 8240),
    ("perp", 8869),
    ("phi", 966),
    ("pi", 960),
    ("piv", 982),
    ("plusmn", 177),
    ("pound", 163),
    ("prime", 8242),
    ("prod", 8719),
    ("prop", 8733),
    ("psi", 968),
    ("rArr", 8658),
    ("radic", 8730),
    ("rang", 9002),
    ("raquo", 187),
    ("rarr", 8594),
    ("rceil", 8969),
    ("rdquo", 8221),
    ("real", 8476),
    ("reg", 174),
    ("rfloor", 8971),
    ("rho", 961),
    ("rlm", 8207),
    ("rsaquo", 8250),
    ("rsquo", 8217),
    ("sbquo", 8218),
    ("scaron", 353),
    ("sdot", 8901),
    ("sect", 167),
    ("shy", 173),
    ("sigma", 963),
    ("sigmaf", 962),
    ("sim", 8764),
    ("spades", 9824),
    ("sub", 8834),
    ("sube", 8838),
    ("sum", 8721),
    ("sup", 8835),
    ("sup1", 185),
    ("sup2", 178),
    ("sup3", 179),
    ("supe", 8839),
    ("szlig", 223),
    ("tau", 964),
    ("there4", 8756),
    ("theta", 952),
    ("thetasym", 977),
    ("thinsp", 8201),
    ("thorn", 254),
    ("tilde", 732),
    ("times", 215),
    ("trade", 8482),
    ("uArr", 8657),
    ("uacute", 250),
    ("uarr", 8593),
    ("ucirc", 251),
    ("ugrave", 249),
    ("uml", 168),
    ("upsih", 978),
    ("upsilon", 965),
    ("uuml", 252),
    ("weierp", 8472),
    ("xi", 958),
    ("yacute", 253),
    ("yen", 165),
    ("yuml", 255),
    ("zeta", 950),
    ("zwj", 8205),
    ("zwnj", 8204),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_table_is_sorted_and_complete() {
        assert!(HTML_ENTITIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(HTML_ENTITIES.len(), 248);
        for (name, c) in [
            ("nbsp", '\u{A0}'),
            ("eacute", 'é'),
            ("euml", 'ë'),
            ("ouml", 'ö'),
            ("iuml", 'ï'),
            ("uuml", 'ü'),
            ("Euml", 'Ë'),
            ("euro", '€'),
            ("copy", '©'),
            ("hellip", '…'),
            ("rsquo", '\u{2019}'),
            ("ldquo", '\u{201C}'),
        ] {
            assert_eq!(html_entity_char(name), Some(c), "{name}");
        }
        assert_eq!(html_entity_char("amp"), None);
        assert_eq!(html_entity_char("bogus"), None);
    }

    #[test]
    fn leading_whitespace_and_bom() {
        let (out, r) = repair("\u{FEFF}\n  \n<?xml version=\"1.0\"?><rss version=\"2.0\"/>");
        assert_eq!(out, "<?xml version=\"1.0\"?><rss version=\"2.0\"/>");
        assert_eq!(r, vec![LEADING_WHITESPACE]);
    }

    #[test]
    fn leading_garbage_before_declaration() {
        let text = "<b>Warning</b>: session_start() in x.php\n<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel/></rss>";
        let (out, r) = repair(text);
        assert!(out.starts_with("<?xml version"));
        assert_eq!(r, vec![LEADING_GARBAGE]);
        let (out, r) = repair("ok\n<rss version=\"2.0\"><channel/></rss>");
        assert_eq!(out, "<rss version=\"2.0\"><channel/></rss>");
        assert_eq!(r, vec![LEADING_GARBAGE]);
    }

    #[test]
    fn php_prolog() {
        let (out, r) = repair(
            "<?phpxml version=\"1.0\" encoding=\"UTF-8\"?> \n<rss version=\"2.0\"><channel/></rss>",
        );
        assert_eq!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?> \n<rss version=\"2.0\"><channel/></rss>"
        );
        assert_eq!(r, vec![BROKEN_PROLOG]);
        // A stylesheet PI is not a broken prolog.
        let text = "<?xml-stylesheet href=\"a.xsl\"?><rss version=\"2.0\"/>";
        assert_eq!(repair(text), (text.to_string(), vec![]));
    }

    #[test]
    fn encoding_declaration_becomes_utf8() {
        let (out, r) = prepare("<?xml version=\"1.0\" encoding='ISO-8859-1' ?><rss>cliënt</rss>");
        assert_eq!(
            out,
            "<?xml version=\"1.0\" encoding='UTF-8' ?><rss>cliënt</rss>"
        );
        assert_eq!(r, vec![ENCODING_DECLARATION]);
        let utf8 = "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss/>";
        // Nothing to change: the input is borrowed, not copied.
        assert_eq!(prepare(utf8), (Cow::Borrowed(utf8), vec![]));
    }

    #[test]
    fn bare_ampersand() {
        let (out, r) = repair("<title>Zorg & Welzijn</title><link>http://x.nl/?a=1&b=2</link>");
        assert_eq!(
            out,
            "<title>Zorg &amp; Welzijn</title><link>http://x.nl/?a=1&amp;b=2</link>"
        );
        assert_eq!(r, vec![BARE_AMPERSAND]);
        // Valid references are left alone.
        let ok = "<t>&amp; &lt; &#233; &#xE9; &apos;</t>";
        assert_eq!(repair(ok), (ok.to_string(), vec![]));
        // An unknown name becomes literal text.
        assert_eq!(repair("<t>&foo;</t>").0, "<t>&amp;foo;</t>");
        // prepare() leaves bare ampersands for the strict parse to judge.
        assert_eq!(
            prepare("<t>a & b</t>"),
            (Cow::Borrowed("<t>a & b</t>"), vec![])
        );
    }

    #[test]
    fn reference_scanner_accepts_what_the_grammar_accepts() {
        // The grammar the hand-written scanner implements, as a regex.
        let grammar = Regex::new(
            r"^&(?:#([0-9]{1,8})|#[xX]([0-9A-Fa-f]{1,8})|([A-Za-z][A-Za-z0-9._-]{0,31}));",
        )
        .unwrap();
        let long = format!("&{};", "a".repeat(32));
        let too_long = format!("&{};", "a".repeat(33));
        for s in [
            "&amp;",
            "&lt;x",
            "&#233;",
            "&#x41;",
            "&#X41;",
            "&#12345678;",
            "&#123456789;",
            "&#xFFFFFFFF;",
            "&#x110000;",
            "&#0;",
            "&#;",
            "&#x;",
            "&#xG;",
            "&#12a;",
            "&",
            "& b",
            "&eacute;",
            "&Eacute",
            "&a.b_c-d;",
            "&1a;",
            "&_a;",
            "&é;",
            "&nbsp ;",
            &long,
            &too_long,
            "&#150;",
            "&#129;",
            "&#xD800;",
            "&#65534;",
        ] {
            let expected = grammar.find(s).map(|m| m.len());
            let got = match parse_reference(s) {
                Reference::Bare => None,
                Reference::Predefined(n)
                | Reference::ValidNumeric(n)
                | Reference::Cp1252(n, _)
                | Reference::Forbidden(n)
                | Reference::Html(n, _)
                | Reference::UnknownName(n) => Some(n),
            };
            assert_eq!(got, expected, "{s:?}");
        }
    }

    #[test]
    fn entities_in_cdata_and_comments_are_left_alone() {
        let doc = "<a>&eacute;</a><![CDATA[&eacute; <!-- ]]>&eacute;<!-- &eacute; <![CDATA[ -->\
                   &eacute;<!--x";
        let (out, r) = prepare(doc);
        assert_eq!(
            out,
            "<a>&#233;</a><![CDATA[&eacute; <!-- ]]>&#233;<!-- &eacute; <![CDATA[ -->&#233;<!--x"
        );
        assert_eq!(r, vec![HTML_ENTITY]);
        // An unclosed comment runs to the end.
        let open = "<a>x</a><!-- &eacute;";
        assert_eq!(prepare(open).0, open);
    }

    #[test]
    fn html_entities_become_numeric() {
        let (out, r) =
            prepare("<t>De cli&euml;nt &amp; co&ouml;rdinatie&nbsp;&euro;&hellip;&rsquo;</t>");
        assert_eq!(
            out,
            "<t>De cli&#235;nt &amp; co&#246;rdinatie&#160;&#8364;&#8230;&#8217;</t>"
        );
        assert_eq!(r, vec![HTML_ENTITY]);
    }

    #[test]
    fn cdata_and_comments_untouched() {
        let text = "<d><![CDATA[cli&euml;nt & co & &nbsp;]]></d><!-- a & b &eacute; -->";
        assert_eq!(repair(text), (text.to_string(), vec![]));
        // Outside the CDATA it still applies.
        let (out, _) = repair("<d><![CDATA[&nbsp;]]>&nbsp;</d>");
        assert_eq!(out, "<d><![CDATA[&nbsp;]]>&#160;</d>");
    }

    #[test]
    fn cp1252_numeric_references() {
        let (out, r) = prepare("<t>it&#146;s &#128;5</t>");
        assert_eq!(out, "<t>it&#8217;s &#8364;5</t>");
        assert_eq!(r, vec![CP1252_REFERENCE]);
    }

    #[test]
    fn rss_version_fixes() {
        for (input, expected) in [
            (
                "<rss><channel/></rss>",
                "<rss version=\"2.0\"><channel/></rss>",
            ),
            (
                "<rss xmlns:dc=\"x\"><channel/></rss>",
                "<rss version=\"2.0\" xmlns:dc=\"x\"><channel/></rss>",
            ),
            (
                "<rss version=\"2.00\"><channel/></rss>",
                "<rss version=\"2.0\"><channel/></rss>",
            ),
            (
                "<rss version='2.0.1'><channel/></rss>",
                "<rss version='2.0'><channel/></rss>",
            ),
        ] {
            let (out, r) = repair(input);
            assert_eq!(out, expected);
            assert_eq!(r, vec![RSS_VERSION]);
        }
        for fine in [
            "<rss version=\"2.0\"/>",
            "<rss version=\"0.91\"/>",
            "<feed><rssish/></feed>",
        ] {
            assert_eq!(repair(fine), (fine.to_string(), vec![]));
        }
    }

    #[test]
    fn missing_channel_is_added() {
        let (out, r) = repair("<rss version=\"2.0\"><item><title>cliënt</title></item></rss>");
        assert_eq!(
            out,
            "<rss version=\"2.0\"><channel><item><title>cliënt</title></item></channel></rss>"
        );
        assert_eq!(r, vec![MISSING_CHANNEL]);
    }

    #[test]
    fn empty_media_text_removed() {
        let (out, r) = repair(
            "<media:group><media:title>x</media:title><media:description></media:description><media:description type=\"plain\"/></media:group>",
        );
        assert_eq!(
            out,
            "<media:group><media:title>x</media:title></media:group>"
        );
        assert_eq!(r, vec![EMPTY_MEDIA_TEXT]);
    }

    #[test]
    fn json_version_fixed() {
        let (out, r) =
            repair_json(r#"{"version": "http:\/\/jsonfeed.org\/version\/1", "title": "a & b"}"#);
        assert_eq!(
            out,
            r#"{"version": "https:\/\/jsonfeed.org\/version\/1", "title": "a & b"}"#
        );
        assert_eq!(r, vec![JSONFEED_VERSION]);
        let ok = r#"{"version":"https://jsonfeed.org/version/1.1"}"#;
        assert_eq!(repair_json(ok), (ok.to_string(), vec![]));
    }

    #[test]
    fn control_chars_stripped() {
        let (out, r) = prepare("<t>cli\u{1}ënt\t\r\n\u{1B}&#2;x</t>");
        assert_eq!(out, "<t>cliënt\t\r\nx</t>");
        assert_eq!(r, vec![CONTROL_CHARS]);
    }

    #[test]
    fn well_formed_document_is_untouched() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
                   <title>Coördinatie &amp; cliënt €</title><item><description><![CDATA[<p>a&b</p>]]>\
                   </description></item></channel></rss>";
        assert_eq!(repair(doc), (doc.to_string(), vec![]));
    }
}
