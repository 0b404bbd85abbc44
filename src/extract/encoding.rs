//! Character-set decision and decoding for fetched feed bodies.
//!
//! In: the raw response bytes and, if the server sent one, the value of the
//! `Content-Type` header. Out: a [`Decoded`] holding the body as a Rust
//! `String`, the name of the encoding that was used and which signal decided
//! it. This module never fails (undecodable bytes become U+FFFD and are
//! flagged), never touches the network or the filesystem, and never changes
//! the markup itself: rewriting the now-stale `encoding="..."` declaration is
//! the job of `repair`.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use regex::bytes::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// How many leading bytes are searched for an XML declaration or HTML
/// `<meta charset>`. Browsers use 1024 for `<meta>`; feeds sometimes put a
/// long comment first, so we look a little further.
const PRESCAN_BYTES: usize = 4096;

/// A body decoded to UTF-8 text, plus how the charset was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The decoded text. A byte-order mark, if any, has been removed.
    pub text: String,
    /// Canonical (WHATWG) name of the encoding used, e.g. `"UTF-8"` or
    /// `"windows-1252"`; `"UTF-8+windows-1252"` for a mostly-UTF-8 body whose
    /// stray bytes were read as windows-1252.
    pub encoding: &'static str,
    /// Which signal decided the encoding.
    pub decided_by: DecidedBy,
    /// The encoding the HTTP header or the document itself claimed, when that
    /// claim was overruled (e.g. `Some("UTF-8")` for a windows-1252 body that
    /// was labelled UTF-8). `None` when nothing was claimed or the claim held.
    pub overruled: Option<&'static str>,
    /// True when some bytes could not be decoded and were replaced by U+FFFD.
    pub had_errors: bool,
}

/// [`Decoded`] borrowing the body when its bytes already are the text
/// (valid UTF-8, or ASCII in an ASCII-compatible encoding): no copy of the
/// document is made. See [`decode_borrowed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedText<'a> {
    /// The decoded text, without a byte-order mark.
    pub text: Cow<'a, str>,
    /// See [`Decoded::encoding`].
    pub encoding: &'static str,
    /// See [`Decoded::decided_by`].
    pub decided_by: DecidedBy,
    /// See [`Decoded::overruled`].
    pub overruled: Option<&'static str>,
    /// See [`Decoded::had_errors`].
    pub had_errors: bool,
}

impl DecodedText<'_> {
    /// The owned form.
    pub fn into_owned(self) -> Decoded {
        Decoded {
            text: self.text.into_owned(),
            encoding: self.encoding,
            decided_by: self.decided_by,
            overruled: self.overruled,
            had_errors: self.had_errors,
        }
    }
}

/// The signal that decided which encoding to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecidedBy {
    /// A byte-order mark at the start of the body (UTF-8, UTF-16, UTF-32).
    Bom,
    /// The `charset` parameter of the HTTP `Content-Type` header.
    HttpHeader,
    /// The `encoding` of the XML declaration or an HTML `<meta charset>`.
    XmlDeclaration,
    /// Statistical detection (chardetng), or UTF-16 sniffed from NUL bytes.
    Detection,
    /// Nothing was declared (or the declaration was contradicted) and the
    /// bytes are valid UTF-8.
    Utf8Valid,
}

/// Decide the charset: BOM first, then the HTTP charset (from a
/// Content-Type header value), then the XML declaration (or HTML
/// `<meta charset>`), then detection (chardetng). If the declared/HTTP
/// charset is UTF-8 but the bytes are not valid UTF-8, fall back to detection
/// (mislabelled windows-1252 is common). Conversely, if a legacy charset is
/// declared but the bytes are valid UTF-8 containing non-ASCII characters,
/// UTF-8 wins: that cannot happen by accident in real text, whereas stale
/// labels are common. UTF-16 with and without BOM; UTF-32 with BOM.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    decode_borrowed(bytes, content_type).into_owned()
}

/// [`decode`] without copying a body that already is valid text in the
/// chosen encoding (the common case: UTF-8 feeds).
pub fn decode_borrowed<'a>(bytes: &'a [u8], content_type: Option<&str>) -> DecodedText<'a> {
    if let Some(decoded) = decode_by_bom(bytes) {
        return decoded;
    }

    let utf8 = std::str::from_utf8(bytes).ok();
    let utf8_ok = utf8.is_some();
    let finish =
        |encoding, decided_by, overruled| finish(bytes, utf8, encoding, decided_by, overruled);
    // Only a body with actual multi-byte sequences is evidence for UTF-8;
    // pure ASCII is valid in every label we could be given.
    let utf8_evidence = utf8_ok && !bytes.is_ascii();

    let claims = [
        (
            content_type.and_then(charset_from_content_type),
            DecidedBy::HttpHeader,
        ),
        (declared_charset(bytes), DecidedBy::XmlDeclaration),
    ];
    let mut overruled = None;
    for (label, decided_by) in claims {
        let Some(encoding) = label.and_then(|l| Encoding::for_label(l.as_bytes())) else {
            // No claim, or a bogus name such as encoding="invalid".
            continue;
        };
        if encoding == UTF_16LE || encoding == UTF_16BE {
            // A UTF-16 label only makes sense if the bytes look like UTF-16;
            // an ASCII-readable declaration saying UTF-16 is a lie.
            if let Some(sniffed) = sniff_utf16(bytes) {
                return finish(sniffed, decided_by, None);
            }
            overruled.get_or_insert(encoding.name());
            continue;
        }
        if encoding == UTF_8 {
            if utf8_ok {
                return finish(UTF_8, decided_by, None);
            }
            // Labelled UTF-8 but it is not (mislabelled windows-1252 is
            // common): a later claim or detection decides.
            overruled.get_or_insert(UTF_8.name());
            continue;
        }
        if utf8_evidence {
            return finish(UTF_8, DecidedBy::Utf8Valid, Some(encoding.name()));
        }
        return finish(encoding, decided_by, None);
    }

    if let Some(sniffed) = sniff_utf16(bytes) {
        return finish(sniffed, DecidedBy::Detection, overruled);
    }
    if utf8_ok {
        return finish(UTF_8, DecidedBy::Utf8Valid, overruled);
    }
    if mostly_utf8(bytes) {
        // A UTF-8 body with a few stray windows-1252 bytes (typically a
        // pasted curly quote). Decoding the whole thing as windows-1252 would
        // turn every correct "ë" into "Ã«", so decode per sequence.
        return DecodedText {
            text: Cow::Owned(decode_utf8_with_1252_fallback(bytes)),
            encoding: "UTF-8+windows-1252",
            decided_by: DecidedBy::Detection,
            overruled,
            had_errors: false,
        };
    }
    // ISO-2022-JP is denied: it is a script-injection vector in browsers
    // and we have never seen a feed in it.
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    // UTF-8 denied: we already know the bytes are not valid UTF-8.
    let guessed = detector.guess(None, chardetng::Utf8Detection::Deny);
    finish(guessed, DecidedBy::Detection, overruled)
}

/// Decodes `bytes` with `encoding` and packages the result. `utf8` is the
/// body as text when it is valid UTF-8 (already checked by the caller).
fn finish<'a>(
    bytes: &'a [u8],
    utf8: Option<&'a str>,
    encoding: &'static Encoding,
    decided_by: DecidedBy,
    overruled: Option<&'static str>,
) -> DecodedText<'a> {
    if let (Some(text), true) = (utf8, encoding == UTF_8) {
        return DecodedText {
            text: Cow::Borrowed(text),
            encoding: encoding.name(),
            decided_by,
            overruled,
            had_errors: false,
        };
    }
    // without_bom_handling: a BOM would already have been handled by
    // decode_by_bom, and a BOM for a different encoding must not silently
    // switch decoders here.
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    DecodedText {
        text,
        encoding: encoding.name(),
        decided_by,
        overruled,
        had_errors,
    }
}

/// Handles a leading byte-order mark, which overrides every label.
fn decode_by_bom(bytes: &[u8]) -> Option<DecodedText<'_>> {
    // UTF-32 must be checked before UTF-16: FF FE 00 00 also starts with
    // the UTF-16LE BOM. encoding_rs does not do UTF-32 (the web dropped it),
    // but a few feed generators still emit it, and it is trivial to decode.
    let utf32 = if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) {
        Some(("UTF-32LE", true))
    } else if bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        Some(("UTF-32BE", false))
    } else {
        None
    };
    if let Some((name, little_endian)) = utf32 {
        let mut had_errors = false;
        let text = bytes[4..]
            .chunks(4)
            .map(|chunk| {
                let unit = <[u8; 4]>::try_from(chunk).ok().map(|b| {
                    if little_endian {
                        u32::from_le_bytes(b)
                    } else {
                        u32::from_be_bytes(b)
                    }
                });
                unit.and_then(char::from_u32).unwrap_or_else(|| {
                    had_errors = true;
                    char::REPLACEMENT_CHARACTER
                })
            })
            .collect();
        return Some(DecodedText {
            text: Cow::Owned(text),
            encoding: name,
            decided_by: DecidedBy::Bom,
            overruled: None,
            had_errors,
        });
    }

    let (encoding, bom_len) = Encoding::for_bom(bytes)?;
    let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
    Some(DecodedText {
        text,
        encoding: encoding.name(),
        decided_by: DecidedBy::Bom,
        overruled: None,
        had_errors,
    })
}

/// Extracts the `charset` parameter from a Content-Type header value,
/// e.g. `application/rss+xml; charset="ISO-8859-1"` gives `ISO-8859-1`.
fn charset_from_content_type(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        (!value.is_empty()).then(|| value.to_string())
    })
}

/// The charset the document declares about itself: the XML declaration's
/// `encoding`, or for HTML a `<meta charset>` / `<meta http-equiv>`.
fn declared_charset(bytes: &[u8]) -> Option<String> {
    // `<?[a-z]*xml` also accepts the broken `<?phpxml ...?>` prolog: its
    // encoding is still the author's statement of intent.
    static XML_DECL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?i)^\s*<\?[a-z]*xml\s[^>]*?\bencoding\s*=\s*["']\s*([A-Za-z0-9._:\-]+)\s*["']"#,
        )
        .expect("valid regex")
    });
    static META: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)<meta\s[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)"#)
            .expect("valid regex")
    });
    let head = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    let caps = XML_DECL.captures(head).or_else(|| META.captures(head))?;
    let label = caps.get(1)?.as_bytes();
    Some(String::from_utf8_lossy(label).into_owned())
}

/// Recognises BOM-less UTF-16 by the NUL bytes around the first ASCII
/// characters (`<` is 3C 00 in little-endian, 00 3C in big-endian).
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(64)];
    if head.len() < 4 {
        return None;
    }
    let even_nuls = head.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nuls = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let half = head.len() / 2;
    // Require most of the high bytes to be NUL: markup is ASCII.
    if odd_nuls * 4 >= half * 3 && even_nuls == 0 {
        Some(UTF_16LE)
    } else if even_nuls * 4 >= half * 3 && odd_nuls == 0 {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// True when the body is UTF-8 except for a few stray bytes: at least as
/// many well-formed multi-byte sequences as invalid bytes.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let mut valid_multibyte = 0usize;
    let mut invalid = 0usize;
    for chunk in bytes.utf8_chunks() {
        valid_multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += chunk.invalid().len();
    }
    valid_multibyte > 0 && valid_multibyte >= invalid
}

/// Decodes valid UTF-8 sequences as UTF-8 and every invalid byte as
/// windows-1252 (which maps every byte to some character).
fn decode_utf8_with_1252_fallback(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(chunk.invalid());
            out.push_str(&text);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn latin1(s: &str) -> Vec<u8> {
        // Every char used in these tests is in windows-1252.
        let (bytes, _, unmappable) = WINDOWS_1252.encode(s);
        assert!(!unmappable);
        bytes.into_owned()
    }

    fn utf16le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { vec![] };
        out.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        out
    }

    fn utf16be(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFE, 0xFF] } else { vec![] };
        out.extend(s.encode_utf16().flat_map(u16::to_be_bytes));
        out
    }

    const DUTCH: &str = "<rss><title>cliënt coördinatie € 5</title></rss>";

    #[test]
    fn utf8_bom_wins_over_header() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(DUTCH.as_bytes());
        let d = decode(&bytes, Some("text/xml; charset=iso-8859-1"));
        assert_eq!(d.text, DUTCH);
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.decided_by, DecidedBy::Bom);
    }

    #[test]
    fn utf16_le_and_be_with_bom() {
        let le = decode(&utf16le(DUTCH, true), None);
        assert_eq!((le.text.as_str(), le.encoding), (DUTCH, "UTF-16LE"));
        assert_eq!(le.decided_by, DecidedBy::Bom);
        let be = decode(&utf16be(DUTCH, true), None);
        assert_eq!((be.text.as_str(), be.encoding), (DUTCH, "UTF-16BE"));
    }

    #[test]
    fn utf16_without_bom_is_sniffed() {
        let doc = "<?xml version=\"1.0\" encoding=\"utf-16\"?><rss>cliënt</rss>";
        let le = decode(&utf16le(doc, false), None);
        assert_eq!((le.text.as_str(), le.encoding), (doc, "UTF-16LE"));
        assert_eq!(le.decided_by, DecidedBy::Detection);
        let be = decode(
            &utf16be(doc, false),
            Some("application/xml; charset=utf-16"),
        );
        assert_eq!((be.text.as_str(), be.encoding), (doc, "UTF-16BE"));
        assert_eq!(be.decided_by, DecidedBy::HttpHeader);
    }

    #[test]
    fn utf32le_bom() {
        let mut bytes = vec![0xFF, 0xFE, 0, 0];
        bytes.extend(DUTCH.chars().flat_map(|c| (c as u32).to_le_bytes()));
        let d = decode(&bytes, None);
        assert_eq!((d.text.as_str(), d.encoding), (DUTCH, "UTF-32LE"));
    }

    #[test]
    fn http_charset_is_used() {
        let d = decode(
            &latin1(DUTCH),
            Some("application/rss+xml; charset=\"ISO-8859-1\""),
        );
        assert_eq!(d.text, DUTCH);
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(d.decided_by, DecidedBy::HttpHeader);
    }

    #[test]
    fn http_charset_beats_xml_declaration() {
        let doc = "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss>coördinatie</rss>";
        let bytes = WINDOWS_1252.encode(doc).0.into_owned();
        let d = decode(&bytes, Some("text/xml;charset = windows-1252"));
        assert_eq!(d.text, doc);
        assert_eq!(d.decided_by, DecidedBy::HttpHeader);
    }

    #[test]
    fn xml_declaration_is_used() {
        let doc = "<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?><rss>cliënt €</rss>";
        let bytes = encoding_rs::ISO_8859_15.encode(doc).0.into_owned();
        let d = decode(&bytes, Some("application/xml"));
        assert_eq!(d.text, doc);
        assert_eq!(d.encoding, "ISO-8859-15");
        assert_eq!(d.decided_by, DecidedBy::XmlDeclaration);
    }

    #[test]
    fn broken_php_prolog_still_declares() {
        let doc = "<?phpxml version=\"1.0\" encoding=\"windows-1252\"?><rss>cliënt</rss>";
        let d = decode(&latin1(doc), None);
        assert_eq!(d.text, doc);
        assert_eq!(d.decided_by, DecidedBy::XmlDeclaration);
    }

    #[test]
    fn html_meta_charset_is_used() {
        let doc = "<html><head><meta charset=\"windows-1252\"></head><body>cliënt</body></html>";
        let d = decode(&latin1(doc), None);
        assert_eq!(d.text, doc);
        assert_eq!(d.decided_by, DecidedBy::XmlDeclaration);
    }

    #[test]
    fn utf8_label_on_windows_1252_bytes_falls_back_to_detection() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss><item>De cliënt en \
                   de coördinatie van zorg kost € 12,50 per uur; financiële \
                   ondersteuning is geregeld.</item></rss>";
        let d = decode(&latin1(doc), Some("text/xml; charset=utf-8"));
        assert_eq!(d.text, doc);
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(d.decided_by, DecidedBy::Detection);
        assert_eq!(d.overruled, Some("UTF-8"));
    }

    #[test]
    fn legacy_label_on_utf8_bytes_is_overruled() {
        let doc = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>cliënt €</rss>";
        let d = decode(doc.as_bytes(), None);
        assert_eq!(d.text, doc);
        assert_eq!(d.encoding, "UTF-8");
        assert_eq!(d.decided_by, DecidedBy::Utf8Valid);
        assert_eq!(d.overruled, Some("windows-1252"));
    }

    #[test]
    fn ascii_with_legacy_label_keeps_label() {
        let doc = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>plain</rss>";
        let d = decode(doc.as_bytes(), None);
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(d.decided_by, DecidedBy::XmlDeclaration);
    }

    #[test]
    fn undeclared_utf8() {
        let d = decode(DUTCH.as_bytes(), None);
        assert_eq!(d.text, DUTCH);
        assert_eq!(d.decided_by, DecidedBy::Utf8Valid);
    }

    #[test]
    fn bogus_label_is_ignored() {
        let doc = "<?xml version=\"1.0\" encoding=\"bogus\"?><rss>cliënt</rss>";
        let d = decode(doc.as_bytes(), Some("text/xml; charset=nonsense"));
        assert_eq!(d.text, doc);
        assert_eq!(d.decided_by, DecidedBy::Utf8Valid);
    }

    #[test]
    fn undeclared_windows_1252_is_detected() {
        let doc = "<rss><item>Coördinatie van de cliënt: financiële steun, € 40 \
                   per maand, geïnteresseerde ouders en één café.</item></rss>";
        let d = decode(&latin1(doc), None);
        assert_eq!(d.text, doc);
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(d.decided_by, DecidedBy::Detection);
    }

    #[test]
    fn mostly_utf8_with_stray_byte() {
        // UTF-8 text with one windows-1252 right single quote (0x92).
        let mut bytes = "<rss>cliënt coördinatie €".as_bytes().to_vec();
        bytes.push(0x92);
        bytes.extend_from_slice(b"s</rss>");
        let d = decode(&bytes, Some("text/xml; charset=utf-8"));
        assert_eq!(d.text, "<rss>cliënt coördinatie €\u{2019}s</rss>");
        assert_eq!(d.encoding, "UTF-8+windows-1252");
    }
}
