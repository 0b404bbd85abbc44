//! Dutch text analysis: the one analyzer used to index and to query.
//!
//! Text in, normalised terms out: words are split on anything that is not a
//! letter or digit, lower-cased, stripped of diacritics (`cliënt` →
//! `client`) and stemmed with the Snowball Dutch stemmer, after a small
//! plural normaliser for the cases that stemmer misses (`vacatures`,
//! `ziekenhuizen`). Hyphenated words are indexed as their parts *and* the
//! joined form (`zij-instromers` → `zij`, `instromers`, `zijinstromers`), so
//! `zijinstromers` and `zij-instromers` find each other; at query time only
//! the joined form is produced, which keeps a hyphenated query from turning
//! into a phrase that one-word spellings cannot satisfy. Apostrophe plurals
//! (`zzp'ers`, `cao's`) are joined. No stop words are removed: phrases such as
//! "anders werken" must keep every word.
//!
//! Compounds: at index time a long word that ends in a known compound part
//! also yields that part (`personeelstekort` → `tekort`), and a word that
//! starts with a known part followed (after an optional linking `s`, `e` or
//! `en`) by another known part yields the first one too (`personeelstekort` →
//! `personeel`, `zorgmedewerkers` → `zorg`). Both parts must be known for the
//! modifier, so `zorgvuldig` and `bezorger` never yield `zorg`. Queries are not
//! decompounded: `tekort` finds `personeelstekort`, while
//! `personeelstekort` finds only the compound.

use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Name under which the analyzer is registered with tantivy.
pub const ANALYZER: &str = "nl";

/// Whether tokens are produced for the index or for a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Hyphenated words yield their parts and the joined form.
    Index,
    /// Hyphenated words yield only the joined form.
    Query,
}

/// The Dutch analyzer as a tantivy [`Tokenizer`].
#[derive(Clone)]
pub struct DutchTokenizer {
    mode: Mode,
}

impl DutchTokenizer {
    /// An analyzer for the given mode.
    pub fn new(mode: Mode) -> Self {
        DutchTokenizer { mode }
    }
}

/// The token stream of [`DutchTokenizer`]: tokens are computed eagerly.
pub struct DutchTokenStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for DutchTokenStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

impl Tokenizer for DutchTokenizer {
    type TokenStream<'a> = DutchTokenStream;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> DutchTokenStream {
        DutchTokenStream {
            tokens: tokenize(text, self.mode),
            next: 0,
        }
    }
}

/// The analysed terms of `text`, in order (for tests and tools).
pub fn analyze(text: &str, mode: Mode) -> Vec<String> {
    tokenize(text, mode).into_iter().map(|t| t.text).collect()
}

/// Longest term we index; longer "words" are junk (hashes, base64).
const MAX_TERM_BYTES: usize = 60;

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}

/// Splits `text` into words (runs of letters and digits joined by single
/// hyphens or apostrophes) and turns each into tokens.
fn tokenize(text: &str, mode: Mode) -> Vec<Token> {
    let mut tokens = Vec::new();
    walk(text, mode, |t, offset, position| {
        tokens.push(Token {
            offset_from: t.offset_from + offset,
            offset_to: t.offset_to + offset,
            position: t.position + position,
            text: t.text.clone(),
            position_length: t.position_length,
        })
    });
    tokens
}

/// Calls `f(token text, byte offsets)` for each token of `text`, in order,
/// without building the tokens (for highlighting).
pub fn for_each_term(text: &str, mode: Mode, mut f: impl FnMut(&str, usize, usize)) {
    walk(text, mode, |t, offset, _| {
        f(&t.text, t.offset_from + offset, t.offset_to + offset)
    });
}

/// Visits the tokens of `text` as `f(token relative to its word, the
/// word's byte offset, the word's position)`.
fn walk(text: &str, mode: Mode, mut f: impl FnMut(&Token, usize, usize)) {
    let mut position = 0usize;
    // Byte positions, decoding characters as we go (no copy of the text).
    let at = |p: usize| text[p..].chars().next();
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut p = 0;
    while let Some(c) = at(p) {
        if !c.is_alphanumeric() {
            p += c.len_utf8();
            continue;
        }
        // One compound word: parts separated by hyphens; apostrophes inside.
        let word_start = p;
        let mut start = p;
        loop {
            while let Some(c) = at(p).filter(|c| c.is_alphanumeric()) {
                p += c.len_utf8();
            }
            // apostrophe between letters: zzp'ers, cao's
            if let Some(c) = at(p).filter(|&c| is_apostrophe(c)) {
                let next = p + c.len_utf8();
                if at(next).is_some_and(char::is_alphabetic) {
                    p = next;
                    continue;
                }
            }
            parts.push((start, p));
            if let Some(c) = at(p).filter(|&c| is_hyphen(c)) {
                let next = p + c.len_utf8();
                if at(next).is_some_and(char::is_alphanumeric) {
                    p = next;
                    start = next;
                    continue;
                }
            }
            break;
        }
        let word_end = parts.last().map(|p| p.1).unwrap_or(word_start);
        let word = &text[word_start..word_end];
        position += memo(word, mode, &mut f, word_start, position, || {
            let mut local = Vec::new();
            let rel: Vec<(usize, usize)> = parts
                .iter()
                .map(|&(a, b)| (a - word_start, b - word_start))
                .collect();
            let advance = analyse_word(word, &rel, mode, &mut local);
            WordTokens {
                tokens: local,
                advance,
            }
        });
        parts.clear();
    }
}

/// The tokens of one word (offsets relative to the word, positions
/// relative to its first position) and how many positions it takes.
#[derive(Clone)]
struct WordTokens {
    tokens: Vec<Token>,
    advance: usize,
}

impl WordTokens {
    fn emit(
        &self,
        f: &mut impl FnMut(&Token, usize, usize),
        offset: usize,
        position: usize,
    ) -> usize {
        for t in &self.tokens {
            f(t, offset, position);
        }
        self.advance
    }
}

/// Words analysed before, per thread and mode: news text repeats its
/// words, and normalising, stemming and decompounding a word costs far
/// more than looking it up. Bounded: cleared when it grows past
/// `MEMO_WORDS` entries. The output is the same as without it.
const MEMO_WORDS: usize = 100_000;

thread_local! {
    static MEMO: std::cell::RefCell<[rustc_hash::FxHashMap<Box<str>, WordTokens>; 2]> =
        std::cell::RefCell::new(Default::default());
}

/// Passes the tokens of `word` (at byte `offset` and `position` of the
/// text) to `out`, analysing it with `analyse` unless this thread saw
/// it before; returns how many positions it takes.
fn memo(
    word: &str,
    mode: Mode,
    out: &mut impl FnMut(&Token, usize, usize),
    offset: usize,
    position: usize,
    analyse: impl FnOnce() -> WordTokens,
) -> usize {
    let slot = match mode {
        Mode::Index => 0,
        Mode::Query => 1,
    };
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        let map = &mut m[slot];
        if let Some(w) = map.get(word) {
            return w.emit(out, offset, position);
        }
        let w = analyse();
        let advance = w.emit(out, offset, position);
        if map.len() >= MEMO_WORDS {
            map.clear();
        }
        map.insert(word.into(), w);
        advance
    })
}

/// Analyses one word whose parts (split at hyphens) are at `parts`
/// (offsets within `text`); pushes its tokens at positions from 0 and
/// returns how many positions it takes.
fn analyse_word(
    text: &str,
    parts: &[(usize, usize)],
    mode: Mode,
    tokens: &mut Vec<Token>,
) -> usize {
    let normalized: Vec<String> = parts
        .iter()
        .map(|&(a, b)| normalize_word(&text[a..b]))
        .collect();
    if parts.len() == 1 {
        push(tokens, stem(&normalized[0]), 0, text.len(), 0);
        if mode == Mode::Index {
            for part in decompound(&normalized[0]) {
                push(tokens, part, 0, text.len(), 0);
            }
        }
        1
    } else {
        let joined: String = normalized.concat();
        push(tokens, stem(&joined), 0, text.len(), 0);
        if mode == Mode::Index {
            for (k, (&(a, b), n)) in parts.iter().zip(&normalized).enumerate() {
                push(tokens, stem(n), a, b, k);
            }
        }
        // The compound takes as many positions as it has parts in both
        // modes, so a phrase that continues after it lines up.
        parts.len()
    }
}

fn push(tokens: &mut Vec<Token>, text: String, from: usize, to: usize, position: usize) {
    if text.is_empty() || text.len() > MAX_TERM_BYTES {
        return;
    }
    tokens.push(Token {
        offset_from: from,
        offset_to: to,
        position,
        text,
        position_length: 1,
    });
}

/// Lower-cases, folds diacritics and resolves apostrophes in one word:
/// `Cliënt` → `client`, `zzp'ers` → `zzpers`, `cao's` → `cao`.
pub fn normalize_word(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    fold_word_into(word, &mut out);
    if let Some(stripped) = out.strip_suffix("'s") {
        return stripped.to_string();
    }
    out.retain(|c| c != '\'');
    out
}

/// The lower-casing and folding of [`normalize_word`] (apostrophes left
/// as they are), appended to `out` to reuse one buffer.
pub fn fold_word_into(word: &str, out: &mut String) {
    if word.is_ascii() {
        // What the loop below does to ASCII, at once.
        let at = out.len();
        out.push_str(word);
        out[at..].make_ascii_lowercase();
    } else {
        for c in word.chars().flat_map(char::to_lowercase) {
            fold_char(c, out);
        }
    }
}

/// Folds one lower-case character to ASCII where it is a Latin letter with
/// a diacritic; other characters pass through.
pub fn fold_char(c: char, out: &mut String) {
    let folded = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ś' | 'š' | 'ş' => 's',
        'ź' | 'ż' | 'ž' => 'z',
        'ł' => 'l',
        'ř' => 'r',
        'ť' => 't',
        'ď' => 'd',
        'ğ' => 'g',
        '\u{2019}' => '\'',
        'ß' => {
            out.push_str("ss");
            return;
        }
        'æ' => {
            out.push_str("ae");
            return;
        }
        'œ' => {
            out.push_str("oe");
            return;
        }
        'ĳ' => {
            out.push_str("ij");
            return;
        }
        c => c,
    };
    out.push(folded);
}

fn stemmer() -> &'static Stemmer {
    static S: OnceLock<Stemmer> = OnceLock::new();
    S.get_or_init(|| Stemmer::create(Algorithm::Dutch))
}

/// Words ending in consonant + `es` that are not plurals of an `-e` noun.
const ES_SINGULARS: &[&str] = &[
    "proces",
    "adres",
    "succes",
    "congres",
    "exces",
    "kompres",
    "stres",
    "interes",
    "expres",
    "prinses",
    "meesteres",
    "lerares",
    "bes",
    "kermis",
];

/// Stems a normalised word. Before the Snowball Dutch (Porter) stemmer runs,
/// two plural patterns it does not conflate are mapped to the singular:
/// `-Vzen` → `-Vs` (`ziekenhuizen` → `ziekenhuis`) and consonant + `-es`
/// → `-e` (`vacatures` → `vacature`). Numbers are left alone.
pub fn stem(word: &str) -> String {
    if word.len() < 4 || word.bytes().any(|b| b.is_ascii_digit()) {
        return word.to_string();
    }
    let mut w = word.to_string();
    let b = w.as_bytes();
    let n = b.len();
    let vowel = |c: u8| matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y');
    if n >= 6 && w.ends_with("zen") && vowel(b[n - 4]) {
        w.truncate(n - 3);
        w.push('s');
    } else if n >= 6
        && w.ends_with("es")
        && !vowel(b[n - 3])
        && !ES_SINGULARS.iter().any(|s| w.ends_with(s))
        && !w.ends_with("sses")
    {
        w.truncate(n - 1);
    }
    stemmer().stem(&w).into_owned()
}

/// Compound parts worth finding inside longer words: the vocabulary of the
/// care labour market (domain.md §4) plus everyday heads. Normalised forms.
const COMPOUND_PARTS: &[&str] = &[
    "personeel",
    "tekort",
    "tekorten",
    "zorg",
    "welzijn",
    "medewerker",
    "werker",
    "werk",
    "dienst",
    "nacht",
    "arbeid",
    "markt",
    "opleiding",
    "plaats",
    "plek",
    "student",
    "stage",
    "leerling",
    "verpleging",
    "verpleegkundige",
    "verzorgende",
    "helpende",
    "huis",
    "ziekenhuis",
    "thuis",
    "wijk",
    "team",
    "instroom",
    "uitstroom",
    "doorstroom",
    "verzuim",
    "verloop",
    "rooster",
    "kosten",
    "begroting",
    "leraar",
    "leraren",
    "onderwijs",
    "jeugd",
    "hulp",
    "kind",
    "opvang",
    "ouderen",
    "vrijwilliger",
    "mantel",
    "technologie",
    "robot",
    "sensor",
    "regel",
    "druk",
    "last",
    "lasten",
    "administratie",
    "registratie",
    "functie",
    "taak",
    "baan",
    "banen",
    "vacature",
    "instromer",
    "contract",
    "pool",
    "uren",
    "loon",
    "salaris",
    "plan",
    "programma",
    "project",
    "netwerk",
    "regio",
    "gemeente",
    "organisatie",
    "bestuur",
    "coach",
    "buddy",
    "begeleider",
    "begeleiding",
    "assistent",
    "arts",
    "specialist",
    "psycholoog",
    "kraam",
    "ambulance",
    "traject",
    "route",
    "pilot",
    "akkoord",
    "campagne",
    "beleid",
    "aanpak",
    "professional",
    "collega",
    "werkgever",
    "werknemer",
    "zzp",
    "flex",
    "inzet",
    "capaciteit",
    "scholing",
    "training",
    "cursus",
    "diploma",
    "certificaat",
    "ontwikkeling",
    "loopbaan",
    "behoud",
    "binding",
    "werving",
    "vitaliteit",
    "gezondheid",
    "patient",
    "client",
    "bewoner",
    "huisarts",
    "praktijk",
    "centrum",
    "instelling",
    "sector",
    "branche",
    "verpleeghuis",
    "dementie",
    "ggz",
    "ouder",
    "gezin",
    "school",
    "bedrijf",
    "leer",
    "leren",
    "tijd",
    "geld",
    "krapte",
    "vraagstuk",
    "tekort",
];

const LINKING: &[&str] = &["en", "s", "e"];

fn parts() -> &'static std::collections::HashSet<&'static str> {
    static P: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    P.get_or_init(|| COMPOUND_PARTS.iter().copied().collect())
}

/// Surface forms of a known part: the part itself and its plural endings.
fn known_head(s: &str) -> bool {
    let p = parts();
    p.contains(s)
        || ["s", "en", "n", "es", "ers"]
            .iter()
            .any(|suf| s.strip_suffix(suf).is_some_and(|b| p.contains(b)))
}

/// Stemmed compound parts of a normalised word (index time only): the
/// longest known head, and a known modifier when the rest is known too
/// (recursively, so `arbeidsmarktkrapte` yields `krapte`, `markt` and
/// `arbeid`).
pub fn decompound(word: &str) -> Vec<String> {
    let mut out = Vec::new();
    if word.is_ascii() {
        split_into(word, &mut out, 0);
    }
    let whole = stem(word);
    out.retain(|p| *p != whole);
    out.sort();
    out.dedup();
    out
}

fn split_into(word: &str, out: &mut Vec<String>, depth: usize) -> bool {
    const MIN_MODIFIER: usize = 3;
    const MIN_HEAD: usize = 3;
    let n = word.len();
    if depth > 3 || n < MIN_MODIFIER + MIN_HEAD {
        return false;
    }
    // Longest head first: the smallest split point that leaves a known head.
    let Some(h) = (MIN_MODIFIER..=n - MIN_HEAD).find(|&i| known_head(&word[i..])) else {
        return false;
    };
    out.push(stem(&word[h..]));
    // Modifier: a known part (or itself a compound of known parts), then an
    // optional linking element, then the head.
    let modifier = &word[..h];
    let candidates =
        std::iter::once(modifier).chain(LINKING.iter().filter_map(|l| modifier.strip_suffix(l)));
    for m in candidates {
        if m.len() < MIN_MODIFIER {
            continue;
        }
        if parts().contains(m) {
            out.push(stem(m));
            return true;
        }
        let before = out.len();
        if split_into(m, out, depth + 1) {
            return true;
        }
        out.truncate(before);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) {
        assert_eq!(
            analyze(a, Mode::Query),
            analyze(b, Mode::Query),
            "{a:?} and {b:?} should analyse alike"
        );
    }

    #[test]
    fn inflections_conflate() {
        for (a, b) in [
            ("ziekenhuizen", "ziekenhuis"),
            ("vacature", "vacatures"),
            ("verpleegkundige", "verpleegkundigen"),
            ("zorgmedewerker", "zorgmedewerkers"),
            ("cliënten", "clienten"),
            ("Cliënt", "client"),
            ("Zij-instromers", "zijinstromers"),
            ("ZZP'ers", "zzpers"),
            ("cao's", "cao"),
            ("procedures", "procedure"),
            ("ideeën", "ideeen"),
        ] {
            same(a, b);
        }
    }

    #[test]
    fn singulars_ending_in_es_stay() {
        assert_ne!(
            analyze("proces", Mode::Query),
            analyze("proce", Mode::Query)
        );
        assert_eq!(stem("succes"), stemmer().stem("succes"));
    }

    #[test]
    fn a_phrase_continuing_after_a_hyphenated_word_lines_up() {
        let pos = |text: &str, mode: Mode, term: &str| {
            tokenize(text, mode)
                .into_iter()
                .find(|t| t.text == term)
                .map(|t| t.position)
        };
        let text = "voor zij-instromers in de wijk";
        let gap =
            |mode| pos(text, mode, "wijk").unwrap() - pos(text, mode, "zijinstromer").unwrap();
        assert_eq!(gap(Mode::Index), gap(Mode::Query));
    }

    #[test]
    fn remembered_words_give_the_same_tokens_as_fresh_analysis() {
        let text = "Zij-instromers in ziekenhuizen: het personeelstekort, zzp'ers en \
                    cao's. Ziekenhuizen zoeken zij-instromers; PERSONEELSTEKORT daalt.";
        let key = |t: &Token| {
            (
                t.text.clone(),
                t.offset_from,
                t.offset_to,
                t.position,
                t.position_length,
            )
        };
        for mode in [Mode::Index, Mode::Query] {
            // A new thread starts with nothing remembered.
            let fresh: Vec<_> = std::thread::spawn(move || tokenize(text, mode))
                .join()
                .unwrap()
                .iter()
                .map(key)
                .collect();
            // Here every word is remembered, from other offsets and positions.
            tokenize(&format!("voorwoord {text} {text}"), mode);
            let warm: Vec<_> = tokenize(text, mode).iter().map(key).collect();
            assert_eq!(fresh, warm, "{mode:?}");
        }
    }

    #[test]
    fn hyphenated_words_index_parts_and_joined_form() {
        let toks = tokenize("nieuwe zij-instromers", Mode::Index);
        let texts: Vec<_> = toks.iter().map(|t| (t.text.as_str(), t.position)).collect();
        assert_eq!(texts.len(), 4);
        assert_eq!(texts[1].1, 1);
        assert_eq!(
            texts[2].1, 1,
            "first part shares the joined form's position"
        );
        assert_eq!(texts[3].1, 2);
        assert_eq!(analyze("zij-instromers", Mode::Query).len(), 1);
        assert_eq!(toks[1].offset_from, 7);
        assert_eq!(toks[1].offset_to, "nieuwe zij-instromers".len());
    }

    #[test]
    fn compounds_yield_their_known_parts_at_index_time() {
        let has = |text: &str, term: &str| analyze(text, Mode::Index).contains(&stem(term));
        for (compound, part) in [
            ("personeelstekort", "tekort"),
            ("personeelstekorten", "tekort"),
            ("personeelstekort", "personeel"),
            ("zorgmedewerkers", "medewerker"),
            ("zorgmedewerkers", "zorg"),
            ("nachtdiensten", "dienst"),
            ("arbeidsmarktkrapte", "arbeid"),
            ("wijkverpleging", "verpleging"),
        ] {
            assert!(
                has(compound, part),
                "{compound} should index {part}: {:?}",
                analyze(compound, Mode::Index)
            );
        }
        for (word, not_part) in [
            ("zorgvuldig", "zorg"),
            ("bezorger", "zorg"),
            ("bezorgers", "zorg"),
            ("zorgen", "zorg"),
            ("tekort", "kort"),
        ] {
            let toks = analyze(word, Mode::Index);
            assert_eq!(
                toks.len(),
                1,
                "{word} must not be split: {toks:?} (not {not_part})"
            );
        }
        // queries are not decompounded
        assert_eq!(analyze("personeelstekort", Mode::Query).len(), 1);
    }

    #[test]
    fn numbers_and_punctuation() {
        assert_eq!(analyze("42 deelnemers, 5,5 procent!", Mode::Query)[0], "42");
        assert!(analyze("— … ,", Mode::Index).is_empty());
    }
}
