//! Parsed feed entries → [`ArticleDraft`]s: plain text, canonical URL, a
//! stable deduplication key and a content hash. Pure.
//!
//! Keys are stable across polls by construction: the feed's own guid when it
//! has one, else the canonical link, else a hash of the normalised content.
//! A random id (feed-rs's fallback) never becomes a key.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::feed::SYNTHETIC_ID_PREFIX;
use super::{html, urlnorm};

/// One article as read from a source, before it meets the store.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleDraft {
    /// Deduplication key, unique within the source and stable across polls.
    pub key: String,
    /// The feed's own guid, when it had a real one.
    pub guid: Option<String>,
    /// The link as given (absolute).
    pub url: Option<String>,
    /// The link without tracking parameters and noise.
    pub canonical_url: Option<String>,
    /// Plain-text title.
    pub title: String,
    /// Author name(s).
    pub author: Option<String>,
    /// Publication date claimed by the source.
    pub published: Option<DateTime<Utc>>,
    /// Plain-text summary or teaser.
    pub summary: Option<String>,
    /// Plain-text body (the summary when the feed carries no content).
    pub text: String,
    /// Hash of the normalised title and text, hex.
    pub content_hash: String,
}

impl ArticleDraft {
    /// Builds a draft from plain fields (used by imports and tips). `key`
    /// defaults to the canonical URL, then the content hash.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        guid: Option<String>,
        url: Option<String>,
        title: &str,
        author: Option<String>,
        published: Option<DateTime<Utc>>,
        summary: Option<String>,
        text: String,
    ) -> ArticleDraft {
        let title = html::normalize_whitespace(title).replace('\n', " ");
        let content_hash = content_hash(&title, &text);
        Self::assemble(
            guid,
            url,
            title,
            author,
            published,
            summary,
            text,
            content_hash,
        )
    }

    /// The rest of [`ArticleDraft::new`], for a title already normalised and
    /// a hash already computed.
    #[allow(clippy::too_many_arguments)]
    fn assemble(
        guid: Option<String>,
        url: Option<String>,
        title: String,
        author: Option<String>,
        published: Option<DateTime<Utc>>,
        summary: Option<String>,
        text: String,
        content_hash: String,
    ) -> ArticleDraft {
        let canonical_url = url.as_deref().and_then(urlnorm::canonical);
        let key = match (&guid, &canonical_url) {
            (Some(g), _) => format!("guid:{g}"),
            (None, Some(u)) => format!("url:{u}"),
            (None, None) => format!("hash:{content_hash}"),
        };
        ArticleDraft {
            key,
            guid,
            url,
            canonical_url,
            title,
            author,
            published,
            summary,
            text,
            content_hash,
        }
    }
}

/// Hash of title and text after lower-casing and collapsing whitespace, so
/// cosmetic changes (spacing, case) do not count as edits.
pub fn content_hash(title: &str, text: &str) -> String {
    let mut h = HashBuf::new();
    for part in [title, "\u{1f}", text] {
        h.words(part);
    }
    h.finish()
}

/// [`content_hash`] of a title and a text that is already in the form
/// [`html::normalize_whitespace`] gives (words separated by one space, one
/// line break or one blank line; nothing at either end), as the text of
/// feed entries is. Same result, several times faster.
fn content_hash_normalized(title: &str, text: &str) -> String {
    let mut h = HashBuf::new();
    h.words(title);
    h.words("\u{1f}");
    h.lines(text);
    h.finish()
}

/// SHA-256 fed with `lower-cased word + " "` for every word, through a
/// buffer (no allocation per word).
struct HashBuf {
    h: Sha256,
    buf: Vec<u8>,
}

impl HashBuf {
    const FLUSH: usize = 16384;

    fn new() -> Self {
        HashBuf {
            h: Sha256::new(),
            buf: Vec::with_capacity(Self::FLUSH + 256),
        }
    }

    fn flush_if_full(&mut self) {
        if self.buf.len() >= Self::FLUSH {
            self.h.update(&self.buf);
            self.buf.clear();
        }
    }

    /// Any text: words are found by a byte scan; ASCII words are copied and
    /// lower-cased in place, others go through `str::to_lowercase` (which
    /// needs the whole word for the final sigma).
    fn words(&mut self, part: &str) {
        let bytes = part.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let ws = html::whitespace_len(part, i);
            if ws > 0 {
                i += ws;
                continue;
            }
            let start = i;
            i = html::word_end(part, i + 1);
            let word = &part[start..i];
            let at = self.buf.len();
            if word.is_ascii() {
                self.buf.extend_from_slice(word.as_bytes());
                self.buf[at..].make_ascii_lowercase();
            } else {
                self.buf.extend_from_slice(word.to_lowercase().as_bytes());
            }
            self.buf.push(b' ');
            self.flush_if_full();
        }
    }

    /// Normalised text: within a line words are separated by exactly one
    /// space already, so a line is lower-cased whole (equal to per word:
    /// a space ends the final-sigma context) and the line break after it
    /// becomes the single space a word gets.
    fn lines(&mut self, text: &str) {
        for line in text.split('\n').filter(|l| !l.is_empty()) {
            let at = self.buf.len();
            if line.is_ascii() {
                self.buf.extend_from_slice(line.as_bytes());
                self.buf[at..].make_ascii_lowercase();
            } else {
                self.buf.extend_from_slice(line.to_lowercase().as_bytes());
            }
            self.buf.push(b' ');
            self.flush_if_full();
        }
    }

    /// The first 16 bytes of the digest as lower-case hex.
    fn finish(mut self) -> String {
        self.h.update(&self.buf);
        let d = self.h.finalize();
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(32);
        for &b in d.iter().take(16) {
            s.push(char::from(HEX[usize::from(b >> 4)]));
            s.push(char::from(HEX[usize::from(b & 15)]));
        }
        s
    }
}

/// Converts every entry of a parsed feed to a draft. Entries that share a
/// guid (a real-world bug) keep their first key; later ones are told apart
/// by link or position so no item is lost.
pub fn drafts_from_feed(feed: &feed_rs::model::Feed) -> Vec<ArticleDraft> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(feed.entries.len());
    for (i, e) in feed.entries.iter().enumerate() {
        let mut d = draft_from_entry(e);
        if !seen.insert(d.key.clone()) {
            let suffix = d
                .canonical_url
                .clone()
                .unwrap_or_else(|| format!("#{}", d.content_hash));
            d.key = format!("{}|{}", d.key, suffix);
            if !seen.insert(d.key.clone()) {
                d.key = format!("{}|{i}", d.key);
                seen.insert(d.key.clone());
            }
        }
        out.push(d);
    }
    out
}

fn draft_from_entry(e: &feed_rs::model::Entry) -> ArticleDraft {
    let guid = Some(e.id.trim())
        .filter(|id| !id.is_empty() && !id.starts_with(SYNTHETIC_ID_PREFIX))
        .map(str::to_string);
    let url = e
        .links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or(e.links.first())
        .map(|l| l.href.trim().to_string())
        .filter(|h| !h.is_empty());
    let title = e
        .title
        .as_ref()
        .map(|t| html::to_text(&t.content))
        .unwrap_or_default();
    let summary = e
        .summary
        .as_ref()
        .map(|t| html::to_text(&t.content))
        .filter(|s| !s.is_empty());
    let content = e
        .content
        .as_ref()
        .and_then(|c| c.body.as_deref())
        .map(html::to_text)
        .filter(|s| !s.is_empty());
    let text = content.or_else(|| summary.clone()).unwrap_or_default();
    let author = Some(
        e.authors
            .iter()
            .filter_map(|p| p.name.as_deref().map(str::trim))
            .filter(|n| !n.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
    )
    .filter(|s| !s.is_empty());
    let title = if title.is_empty() {
        // An untitled item still needs something to show: its first words.
        text.split_whitespace()
            .take(12)
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        title
    };
    // Both come from `html::to_text` (or are words joined by spaces), so
    // they are normalised already: what `new` would do to the title is only
    // turning its line breaks into spaces, and the fast hash applies.
    let title = if title.contains('\n') {
        title.replace('\n', " ")
    } else {
        title
    };
    let content_hash = content_hash_normalized(&title, &text);
    ArticleDraft::assemble(
        guid,
        url,
        title,
        author,
        e.published.or(e.updated),
        summary,
        text,
        content_hash,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The original definition of the hash, kept as the reference.
    fn reference(title: &str, text: &str) -> String {
        let mut h = Sha256::new();
        for part in [title, "\u{1f}", text] {
            for w in part.split_whitespace() {
                h.update(w.to_lowercase().as_bytes());
                h.update(b" ");
            }
        }
        let d = h.finalize();
        d.iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    }

    #[test]
    fn hash_matches_the_reference_on_generated_text() {
        let texts = crate::extract::html::tests::generated_texts(4_000);
        for pair in texts.chunks(2) {
            let (t, x) = (&pair[0], pair.get(1).map_or("", String::as_str));
            assert_eq!(content_hash(t, x), reference(t, x), "{t:?} {x:?}");
        }
    }

    #[test]
    fn fast_hash_of_normalised_text_is_the_same_hash() {
        use crate::extract::html::tests::{generated_prose, generated_texts};
        let texts: Vec<String> = generated_texts(4_000)
            .into_iter()
            .chain(generated_prose(1_000))
            .collect();
        for pair in texts.chunks(2) {
            let t = html::normalize_whitespace(&pair[0]).replace('\n', " ");
            let x = html::normalize_whitespace(pair.get(1).map_or("", String::as_str));
            assert_eq!(
                content_hash_normalized(&t, &x),
                reference(&t, &x),
                "{t:?} {x:?}"
            );
        }
    }

    #[test]
    fn hash_is_stable_across_versions() {
        // Stored hashes must not change: a change would make every stored
        // article look edited on the next poll.
        let long = "Zorg ".repeat(3000);
        for (t, x) in [
            ("Nieuw Project", "Tekst hier"),
            ("ÉÉN Ziekenhuis", "ΣΑΣ Ünïcode\u{a0}woorden"),
            ("", ""),
            ("Lang", long.as_str()),
        ] {
            assert_eq!(content_hash(t, x), reference(t, x), "{t:?}");
        }
    }

    #[test]
    fn hash_ignores_case_and_spacing() {
        assert_eq!(
            content_hash("Nieuw  project", "Tekst\nhier"),
            content_hash("nieuw project", "tekst hier")
        );
        assert_ne!(content_hash("a", "b"), content_hash("a", "c"));
    }

    #[test]
    fn keys_prefer_guid_then_link_then_hash() {
        let d = ArticleDraft::new(Some("g1".into()), None, "T", None, None, None, "x".into());
        assert_eq!(d.key, "guid:g1");
        let d = ArticleDraft::new(
            None,
            Some("https://a.nl/x?utm_source=y".into()),
            "T",
            None,
            None,
            None,
            "x".into(),
        );
        assert_eq!(d.key, "url:https://a.nl/x");
        let d1 = ArticleDraft::new(None, None, "T", None, None, None, "x".into());
        let d2 = ArticleDraft::new(None, None, "T", None, None, None, "x".into());
        assert_eq!(d1.key, d2.key);
        assert!(d1.key.starts_with("hash:"));
    }
}
