//! Dutch text analysis for the ranking engine.
//!
//! Everything here is deterministic and allocation-light:
//!
//! * [`fold`] lower-cases and removes diacritics (cliënt → client, één → een).
//! * [`normalize_word`] is a light Dutch inflection normaliser: it maps plural and
//!   adjective forms onto one key (vacature/vacatures, ziekenhuis/ziekenhuizen,
//!   verpleegkundige/verpleegkundigen, innovatief/innovatieve, regionaal/regionale).
//!   It is applied to configured terms and to text in the same way, so an
//!   imperfect stem is harmless as long as both sides agree.
//! * [`analyse`] tokenises a field: hyphens split a word into parts that remember
//!   they were joined (zij-instromers), apostrophe plurals are merged
//!   (zzp'ers → zzper, alt zzp; cao's → caos, alt cao), sentences are split for
//!   evidence.
//! * [`Matcher`] finds configured terms: phrases and spacing/hyphen variants by
//!   joining normalised tokens (zij-instromers = zijinstromers = "zij instromers"),
//!   and single words inside compounds as head (personeels|tekort) or modifier
//!   (zorg|medewerker, with linking -s-/-en-/-e-/-er-), with per-term block lists.
//!   Nothing is compiled per article: the matcher is a pair of hash maps.

use rustc_hash::FxHashMap;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Fold one character: lower-case and strip diacritics. Returns up to two chars
/// (ß → ss, æ → ae); most map to one.
fn fold_char(c: char, out: &mut String) {
    let lc = if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    } else {
        c
    };
    let mapped = match lc {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ç' | 'Ç' => "c",
        'ñ' | 'Ñ' => "n",
        'ß' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'ĳ' | 'Ĳ' => "ij",
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{00AD}' => "-",
        '\u{2018}' | '\u{2019}' | '\u{02BC}' | '`' | '´' => "'",
        _ => {
            for l in lc.to_lowercase() {
                out.push(l);
            }
            return;
        }
    };
    out.push_str(mapped);
}

/// Lower-case and fold diacritics of a whole string.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// [`fold`] appended to `out` (to reuse one buffer).
pub fn fold_into(s: &str, out: &mut String) {
    let mut rest = s;
    while !rest.is_empty() {
        // ASCII runs at once (what fold_char does to each of their bytes)
        let ascii = rest
            .bytes()
            .position(|b| !b.is_ascii())
            .unwrap_or(rest.len());
        if ascii > 0 {
            let at = out.len();
            out.push_str(&rest[..ascii]);
            out[at..].make_ascii_lowercase();
            rest = &rest[ascii..];
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            fold_char(c, out);
            rest = chars.as_str();
        }
    }
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// Words that look inflected but are not, or irregular plurals.
fn exception(w: &str) -> Option<&'static str> {
    Some(match w {
        "kinderen" => "kind",
        "proces" | "processen" => "proces",
        "adres" | "adressen" => "adres",
        "congres" | "congressen" => "congres",
        "status" => "status",
        "campus" => "campus",
        "steden" => "stad",
        "schepen" => "schip",
        "leden" => "lid",
        "collega" | "collegas" | "collega's" => "collega",
        "zorgen" => "zorgen", // verb/worries: kept apart from the noun zorg
        "mensen" => "mens",
        "open" => "open",
        "tegen" => "tegen",
        "onderzoeken" => "onderzoek",
        "eigen" => "eigen",
        "binnen" => "binnen",
        "boven" => "boven",
        "beneden" => "beneden",
        "zeven" => "zeven",
        "negen" => "negen",
        "tien" => "tien",
        "even" => "even",
        "geven" => "geef",
        "leven" => "leven",
        "heden" => "heden",
        "vandaag" => "vandaag",
        "tevens" => "tevens",
        "jaren" => "jaar",
        "uren" => "uur",
        "maanden" => "maand",
        _ => return None,
    })
}

/// Light Dutch inflection normaliser (one suffix step + spelling repairs).
///
/// Input must already be folded (lower-case, no diacritics).
pub fn normalize_word(w: &str) -> String {
    if let Some(e) = exception(w) {
        return e.to_string();
    }
    let b = w.as_bytes();
    let n = b.len();
    if n <= 3 || !w.is_ascii() || b.iter().any(|c| c.is_ascii_digit()) {
        return w.to_string();
    }
    if let Some(stem) = w.strip_suffix("heden") {
        return format!("{stem}heid");
    }
    // plural/genitive -s after e, r, l, n, m, o, a (vacatures, medewerkers, regels,
    // keukens, auto's already merged): drop the s; after -e also drop the e.
    if b[n - 1] == b's'
        && n >= 5
        && matches!(b[n - 2], b'e' | b'r' | b'l' | b'n' | b'm' | b'o' | b'a')
    {
        let stem = &w[..n - 1];
        if stem.ends_with('e') {
            // vacatures -> vacature -> (as the singular) ; innovaties -> innovatie
            return normalize_word(stem);
        }
        return stem.to_string();
    }
    // plural -en (tekorten, ziekenhuizen, verpleegkundigen, diensten)
    if n >= 5 && w.ends_with("en") && !is_vowel(b[n - 3]) {
        return repair(&w[..n - 2]);
    }
    // ideeen -> idee, knieen -> knie
    if n >= 6 && (w.ends_with("eeen") || w.ends_with("ieen")) {
        return w[..n - 2].to_string();
    }
    // adjective/feminine -e (nieuwe, innovatieve, regionale, verpleegkundige)
    if n >= 4 && w.ends_with('e') && !is_vowel(b[n - 2]) {
        return repair_e(&w[..n - 1]);
    }
    if n >= 4 && w.ends_with("ie") {
        // innovatie -> innovati, so innovatie/innovaties agree
        return w[..n - 1].to_string();
    }
    w.to_string()
}

/// After removing an adjective -e only a/o are lengthened (regionale → regionaal,
/// grote → groot), so nouns ending in -e keep a stem that prefixes their
/// compounds (vacature → vacatur, vacaturebank).
fn repair_e(stem: &str) -> String {
    let b = stem.as_bytes();
    let n = b.len();
    if n >= 3 && matches!(b[n - 2], b'u' | b'e') {
        let mut s = b.to_vec();
        if n >= 2 && s[n - 1] == s[n - 2] && !is_vowel(s[n - 1]) {
            s.pop();
        }
        return finish(s);
    }
    repair(stem)
}

/// Spelling repairs after removing -en/-e: undouble a final consonant,
/// lengthen a vowel of an open syllable, v→f and z→s at the end.
fn repair(stem: &str) -> String {
    let mut s: Vec<u8> = stem.as_bytes().to_vec();
    let n = s.len();
    if n >= 2 && s[n - 1] == s[n - 2] && !is_vowel(s[n - 1]) {
        s.pop();
        return finish(s);
    }
    // open syllable lengthening: C V C at the end with a single vowel
    if n >= 3 {
        let (c1, v, c2) = (s[n - 3], s[n - 2], s[n - 1]);
        let single = !is_vowel(c1) && is_vowel(v) && !is_vowel(c2);
        let lengthen = match v {
            b'a' | b'o' | b'u' => true,
            b'e' => n <= 4,
            _ => false,
        };
        if single && lengthen && c2 != b'w' && c2 != b'j' && !(c2 == b'r' && v == b'e' && n > 4) {
            s.insert(n - 1, v);
        }
    }
    finish(s)
}

fn finish(mut s: Vec<u8>) -> String {
    if let Some(last) = s.last_mut() {
        if *last == b'v' {
            *last = b'f';
        } else if *last == b'z' {
            *last = b's';
        }
    }
    String::from_utf8(s).unwrap_or_default()
}

/// One word form as analysis sees it, shared by all tokens of that form
/// (and, through the per-thread memo, by later articles).
#[derive(Debug)]
pub struct Word {
    /// folded surface form (hyphen parts separate, apostrophe removed)
    pub raw: String,
    /// normalised key
    pub norm: String,
    /// what matchers found for this word on its own: slot `m.slot` holds
    /// matcher `m`'s result when its id is there (a direct-mapped cache, so
    /// one memory access per token and matcher)
    seen: [Cell<(u64, WordMatch)>; WORD_SLOTS],
}

impl Word {
    fn new(raw: String, norm: String) -> Word {
        // id 0 is no real matcher (ids start at 1); its answer is an empty
        // matcher's: nothing found
        const EMPTY: (u64, WordMatch) = (
            0,
            WordMatch {
                exact: NOT_FOUND,
                next: 0,
                head: NO_LIST,
                modi: NO_LIST,
            },
        );
        Word {
            raw,
            norm,
            seen: std::array::from_fn(|_| Cell::new(EMPTY)),
        }
    }
}

/// A matcher's lookups for one word: its exact key (an entry list,
/// `NO_LIST` for a mere prefix of keys, `NOT_FOUND`) and its compound parts.
#[derive(Debug, Clone, Copy)]
struct WordMatch {
    exact: u32,
    /// letters that can follow the word in a key (see `Matcher::exact`)
    next: u32,
    head: u32,
    modi: u32,
}

/// Result slots on a word: one set of rules has five matchers, which get
/// consecutive slots.
const WORD_SLOTS: usize = 6;

/// Source of slot numbers for new matchers.
static NEXT_MATCHER_SLOT: AtomicUsize = AtomicUsize::new(0);

/// A token of analysed text.
#[derive(Debug, Clone)]
pub struct Token {
    /// folded and normalised forms
    pub word: Rc<Word>,
    /// alternative key (the part before an apostrophe: zzp'ers → zzp)
    pub alt: Option<String>,
    /// byte range in the original field text
    pub start: usize,
    pub end: usize,
    /// sentence index within the field
    pub sent: usize,
    /// first character upper-case in the original
    pub cap: bool,
    /// first token of its sentence
    pub sent_start: bool,
    /// joined to the next token by a hyphen
    pub hyph_next: bool,
    /// first bytes of `raw` and `norm` (0 when empty), kept here so the
    /// phrase scan can refuse a join without following the word pointer
    first: [u8; 2],
}

impl Token {
    /// folded surface form (hyphen parts separate, apostrophe removed)
    pub fn raw(&self) -> &str {
        &self.word.raw
    }

    /// normalised key
    pub fn norm(&self) -> &str {
        &self.word.norm
    }
}

/// At most this many word forms are remembered per thread; past that the
/// memo starts afresh.
const WORD_MEMO_MAX: usize = 50_000;

thread_local! {
    /// Surface word (as in the text) → its analysis. Folding and
    /// normalising are pure, and words repeat a lot across articles.
    static WORD_MEMO: RefCell<FxHashMap<Box<str>, Rc<Word>>> = RefCell::new(FxHashMap::default());
}

/// The analysis of a plain word (no apostrophe suffix), remembered.
fn memo_word(surface: &str) -> Rc<Word> {
    WORD_MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if let Some(w) = m.get(surface) {
            return w.clone();
        }
        let raw = fold(surface);
        let norm = normalize_word(&raw);
        let w = Rc::new(Word::new(raw, norm));
        if m.len() >= WORD_MEMO_MAX {
            m.clear();
        }
        m.insert(surface.into(), w.clone());
        w
    })
}

/// One analysed field (title, lead or body).
#[derive(Debug, Clone, Default)]
pub struct Analysed {
    pub tokens: Vec<Token>,
    /// byte ranges of sentences in the original text
    pub sentences: Vec<(usize, usize)>,
}

const ABBREVIATIONS: &[&str] = &[
    "o.a", "bijv", "bv", "dhr", "mevr", "mr", "dr", "drs", "ir", "ing", "prof", "ca", "nr", "m.n",
    "i.p.v", "e.d", "enz", "etc", "t.o.v", "d.w.z", "z.g.a.n", "vs", "st", "jl", "a.s",
];

/// Split text into sentence byte ranges. A sentence ends at . ! ? (or a line
/// break) followed by white space and an upper-case letter, digit or quote,
/// unless the word before the dot is a known abbreviation.
pub fn split_sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0usize;
    let mut word = String::new();
    // only . ! ? and line breaks can end a sentence (all ASCII, so bytes)
    let mut pos = 0usize;
    while let Some(off) = bytes[pos..]
        .iter()
        .position(|&b| matches!(b, b'.' | b'!' | b'?' | b'\n'))
    {
        pos += off;
        let c = bytes[pos];
        let is_break = c == b'\n' && bytes.get(pos + 1) == Some(&b'\n');
        if c == b'\n' && !is_break {
            pos += 1;
            continue;
        }
        // closing quotes and brackets stay with the sentence
        let mut end_excl = pos + 1;
        for ch in text[end_excl..].chars() {
            if !matches!(ch, '"' | '\'' | ')' | '’' | '”') {
                break;
            }
            end_excl += ch.len_utf8();
        }
        // then white space up to the next sentence
        let mut k = end_excl;
        let mut saw_space = false;
        let mut next = None;
        for ch in text[end_excl..].chars() {
            if !ch.is_whitespace() {
                next = Some(ch);
                break;
            }
            saw_space = true;
            k += ch.len_utf8();
        }
        let next_ok = match next {
            None => true,
            Some(ch) => {
                saw_space
                    && (ch.is_uppercase()
                        || ch.is_ascii_digit()
                        || matches!(ch, '"' | '\'' | '‘' | '“' | '('))
            }
        };
        let abbrev = c == b'.' && {
            let word_start = text[..pos]
                .char_indices()
                .rev()
                .find(|&(_, ch)| ch.is_whitespace() || ch == '(')
                .map(|(p, ch)| p + ch.len_utf8())
                .unwrap_or(0);
            word.clear();
            fold_into(&text[word_start..pos], &mut word);
            ABBREVIATIONS.contains(&word.as_str())
        };
        if (next_ok || is_break) && !abbrev {
            if text[start..end_excl].trim().len() > 1 {
                out.push((start, end_excl));
            }
            start = k;
            pos = k;
            continue;
        }
        pos += 1;
    }
    if start < bytes.len() && !text[start..].trim().is_empty() {
        out.push((start, text.len()));
    }
    out
}

/// Tokenise and sentence-split one field.
pub fn analyse(text: &str) -> Analysed {
    let sentences = split_sentences(text);
    // about one token per six bytes of Dutch prose
    let mut tokens: Vec<Token> = Vec::with_capacity(text.len() / 6 + 1);
    let mut sent_idx = 0usize;
    let mut last_sent_seen = usize::MAX;
    // the end of the run of alphanumeric chars from byte `p`
    let run_end = |mut p: usize| {
        while let Some(c) = char_at(text, p) {
            if !c.is_alphanumeric() {
                break;
            }
            p += c.len_utf8();
        }
        p
    };
    let mut pos = 0usize;
    while let Some(c) = char_at(text, pos) {
        if !c.is_alphanumeric() {
            pos += c.len_utf8();
            continue;
        }
        // word start
        let start = pos;
        let cap = c.is_uppercase();
        // `j`: the byte after the word (and its apostrophe suffix)
        let mut j = run_end(pos);
        let mut end = j;
        let mut word = None;
        // apostrophe plural / genitive: zzp'ers, cao's, mbo'ers, vig'ers
        if let Some(a @ ('\'' | '’' | '`')) = char_at(text, j) {
            let after = j + a.len_utf8();
            if char_at(text, after).is_some_and(char::is_alphabetic) {
                let k = run_end(after);
                let mut suffix = String::new();
                fold_into(&text[after..k], &mut suffix);
                if matches!(
                    suffix.as_str(),
                    "s" | "ers" | "er" | "en" | "tje" | "tjes" | "je" | "jes"
                ) {
                    let mut folded = fold(&text[start..end]);
                    let alt = Some(normalize_word(&folded));
                    folded.push_str(&suffix);
                    end = k;
                    j = k;
                    let norm = normalize_word(&folded);
                    word = Some((Rc::new(Word::new(folded, norm)), alt));
                }
            }
        }
        let (word, alt) = word.unwrap_or_else(|| (memo_word(&text[start..end]), None));
        // hyphen joining to next word (no spaces around)
        let hyph_next = match char_at(text, j) {
            Some(h @ ('-' | '\u{2010}' | '\u{2011}')) => {
                char_at(text, j + h.len_utf8()).is_some_and(char::is_alphanumeric)
            }
            _ => false,
        };
        while sent_idx + 1 < sentences.len() && start >= sentences[sent_idx].1 {
            sent_idx += 1;
        }
        let sent_start = last_sent_seen != sent_idx;
        last_sent_seen = sent_idx;
        let first = [
            word.raw.as_bytes().first().copied().unwrap_or(0),
            word.norm.as_bytes().first().copied().unwrap_or(0),
        ];
        tokens.push(Token {
            first,
            word,
            alt,
            start,
            end,
            sent: sent_idx,
            cap,
            sent_start,
            hyph_next,
        });
        pos = j;
    }
    Analysed { tokens, sentences }
}

/// The char starting at byte `pos` (ASCII without decoding).
#[inline]
fn char_at(text: &str, pos: usize) -> Option<char> {
    let b = *text.as_bytes().get(pos)?;
    if b.is_ascii() {
        Some(b as char)
    } else {
        text[pos..].chars().next()
    }
}

/// Split a configured term into normalised words (on spaces, hyphens, apostrophes
/// handled like text).
pub fn term_words(t: &str) -> Vec<String> {
    analyse(t)
        .tokens
        .iter()
        .map(|t| t.norm().to_string())
        .collect()
}

/// Split a name into folded surface words (no inflection normalising).
pub fn term_words_raw(t: &str) -> Vec<String> {
    analyse(t)
        .tokens
        .iter()
        .map(|t| t.raw().to_string())
        .collect()
}

/// How a single-word term may match inside a longer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compound {
    None,
    Head,
    Modifier,
    Both,
}

impl Compound {
    fn head(self) -> bool {
        matches!(self, Compound::Head | Compound::Both)
    }
    fn modifier(self) -> bool {
        matches!(self, Compound::Modifier | Compound::Both)
    }
}

/// Kind of match, for weighting and explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchKind {
    Exact,
    Head,
    Modifier,
}

/// One entry of a matcher: a surface key that points to a configured term.
#[derive(Debug, Clone)]
pub struct Entry {
    /// caller's payload (index into its own term table)
    pub payload: usize,
    pub compound: Compound,
    /// folded token prefixes / whole tokens for which a compound match is refused
    pub block: Vec<String>,
    /// only match tokens capitalised in the original (place names)
    pub need_cap: bool,
    /// refuse matches at the start of a sentence (ambiguous place names)
    pub not_sentence_start: bool,
}

/// A match in a token stream.
#[derive(Debug, Clone)]
pub struct Hit {
    pub payload: usize,
    pub tok_start: usize,
    pub tok_end: usize,
    pub kind: MatchKind,
}

/// Precompiled term matcher.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    /// identity of this matcher's keys in the results remembered on words
    /// (a new id after every change; clones share it, as they match alike)
    id: u64,
    /// where on a word this matcher's result is remembered
    slot: usize,
    entries: Vec<Entry>,
    /// joined normalised words and every prefix of them → index into
    /// `lists` (`NO_LIST` for a prefix that is no key itself) and the
    /// letters that can follow in a key (bit `c - b'a'`): a joined key that
    /// is not in here cannot grow into a key, so the phrase scan stops, most
    /// often on the next word's first letter without a lookup.
    /// Lookups only, so a fast non-keyed hash; the matching never depends on
    /// the map's order.
    exact: FxHashMap<String, (u32, u32)>,
    /// single-word keys usable inside compounds → index into `lists`
    compound: FxHashMap<String, u32>,
    /// entry lists of the keys
    lists: Vec<Vec<usize>>,
    /// `compound_len[n]`: some compound key is `n` bytes long (splits of
    /// other lengths cannot match and are not looked up)
    compound_len: Vec<bool>,
    max_words: usize,
    min_compound_key: usize,
    min_rest: usize,
    linking: Vec<String>,
    /// match on folded surface forms instead of normalised keys (place names)
    pub raw_keys: bool,
}

const NO_LIST: u32 = u32::MAX;

/// Source of matcher ids for the compound memo.
static NEXT_MATCHER_ID: AtomicU64 = AtomicU64::new(1);

/// `exact` of a [`WordMatch`]: not even a prefix of a key.
const NOT_FOUND: u32 = u32::MAX - 1;

impl Matcher {
    pub fn new(min_rest: usize, linking: Vec<String>) -> Matcher {
        Matcher {
            id: NEXT_MATCHER_ID.fetch_add(1, Ordering::Relaxed),
            slot: NEXT_MATCHER_SLOT.fetch_add(1, Ordering::Relaxed) % WORD_SLOTS,
            min_rest,
            linking,
            min_compound_key: usize::MAX,
            ..Default::default()
        }
    }

    fn new_list(&mut self) -> u32 {
        self.lists.push(Vec::new());
        (self.lists.len() - 1) as u32
    }

    /// Add a surface form. `words` are normalised words (see [`term_words`]).
    pub fn add(&mut self, words: &[String], entry: Entry) {
        if words.is_empty() {
            return;
        }
        // the keys change: results remembered under the old id do not apply
        self.id = NEXT_MATCHER_ID.fetch_add(1, Ordering::Relaxed);
        let key: String = words.concat();
        let idx = self.entries.len();
        let single = words.len() == 1;
        let compound = if single {
            entry.compound
        } else {
            Compound::None
        };
        self.entries.push(Entry { compound, ..entry });
        self.max_words = self.max_words.max(words.len());
        if compound != Compound::None {
            self.min_compound_key = self.min_compound_key.min(key.len());
            if self.compound_len.len() <= key.len() {
                self.compound_len.resize(key.len() + 1, false);
            }
            self.compound_len[key.len()] = true;
            let li = match self.compound.get(key.as_str()) {
                Some(&li) => li,
                None => {
                    let li = self.new_list();
                    self.compound.insert(key.clone(), li);
                    li
                }
            };
            self.lists[li as usize].push(idx);
        }
        for (p, _) in key.char_indices().skip(1) {
            let next = key.as_bytes()[p];
            let e = self
                .exact
                .entry(key[..p].to_string())
                .or_insert((NO_LIST, 0));
            if next.is_ascii_lowercase() {
                e.1 |= 1 << (next - b'a');
            }
        }
        let li = match self.exact.get(key.as_str()) {
            Some(&(li, _)) if li != NO_LIST => li,
            _ => self.new_list(),
        };
        self.exact.entry(key).or_insert((NO_LIST, 0)).0 = li;
        self.lists[li as usize].push(idx);
    }

    pub fn entry(&self, i: usize) -> &Entry {
        &self.entries[i]
    }

    /// The entries of an exact key (not of a mere prefix).
    fn exact_list(&self, key: &str) -> Option<&Vec<usize>> {
        match self.exact.get(key) {
            Some(&(li, _)) if li != NO_LIST => Some(&self.lists[li as usize]),
            _ => None,
        }
    }

    fn token_ok(&self, e: &Entry, toks: &[Token], a: usize, len: usize) -> bool {
        let t = &toks[a];
        if e.need_cap && !toks[a..a + len].iter().any(|t| t.cap) {
            return false;
        }
        if e.not_sentence_start && t.sent_start {
            return false;
        }
        true
    }

    fn blocked(e: &Entry, raw: &str, norm: &str) -> bool {
        e.block
            .iter()
            .any(|b| raw.starts_with(b.as_str()) || norm.starts_with(b.as_str()))
    }

    /// The compound parts of the normalised word `w`: the entry lists of the
    /// longest head and the longest modifier (`NO_LIST` for none), when
    /// they overlap only the longer one.
    fn split_compound(&self, w: &str) -> (u32, u32) {
        let mut head: Option<(usize, u32)> = None; // (split point)
        let is_key_len = |len: usize| self.compound_len.get(len).copied().unwrap_or(false);
        for p in self.min_rest..=w.len() - self.min_compound_key {
            if !is_key_len(w.len() - p) {
                continue;
            }
            if let Some(&li) = self.compound.get(&w[p..]) {
                head = Some((p, li));
                break; // first split = longest head
            }
        }
        let mut modi: Option<(usize, u32)> = None; // (prefix len)
        for p in (self.min_compound_key..=w.len() - self.min_rest).rev() {
            if !is_key_len(p) {
                continue;
            }
            let Some(&li) = self.compound.get(&w[..p]) else {
                continue;
            };
            let rest = &w[p..];
            // the head after an optional linking element (personeel-s-tekort,
            // huisarts-en-zorg) must still be a word of min_rest letters
            let head_part = self
                .linking
                .iter()
                .filter_map(|l| rest.strip_prefix(l.as_str()))
                .min_by_key(|r| r.len())
                .unwrap_or(rest);
            let rest_ok = head_part.len() >= self.min_rest;
            if rest_ok {
                modi = Some((p, li));
                break; // longest modifier
            }
        }
        // keep both only if they do not overlap
        if let (Some((hp, _)), Some((mp, _))) = (head, modi) {
            if mp > hp {
                // overlap: keep the longer part
                if w.len() - hp >= mp {
                    modi = None;
                } else {
                    head = None;
                }
            }
        }
        (head.map_or(NO_LIST, |h| h.1), modi.map_or(NO_LIST, |m| m.1))
    }

    /// What this matcher finds for `w` on its own, remembered on the word.
    fn word_match(&self, w: &Word) -> WordMatch {
        let slot = &w.seen[self.slot];
        let (id, m) = slot.get();
        if id == self.id {
            return m;
        }
        let key = if self.raw_keys { &w.raw } else { &w.norm };
        let (exact, next) = self
            .exact
            .get(key.as_str())
            .copied()
            .unwrap_or((NOT_FOUND, 0));
        let n = w.norm.as_str();
        let (head, modi) = if !self.compound.is_empty()
            && n.len() >= self.min_compound_key + self.min_rest
            && n.is_ascii()
        {
            self.split_compound(n)
        } else {
            (NO_LIST, NO_LIST)
        };
        let m = WordMatch {
            exact,
            next,
            head,
            modi,
        };
        slot.set((self.id, m));
        m
    }

    /// Find all matches, longest first, without overlaps between exact matches;
    /// compound matches only on tokens not covered by an exact match, at most one
    /// head and one modifier per token, and not overlapping each other.
    pub fn find(&self, toks: &[Token]) -> Vec<Hit> {
        let mut hits = Vec::new();
        let n = toks.len();
        // exact / phrase matches, greedy longest-first from left to right
        // each token's lookups; a token covered by an exact match loses its
        // compound parts (compounds only count on tokens not covered)
        let mut wms: Vec<WordMatch> = toks.iter().map(|t| self.word_match(&t.word)).collect();
        let mut i = 0;
        let mut key = String::new();
        while i < n {
            let mut best: Option<(usize, &Vec<usize>)> = None;
            let t0 = &toks[i];
            let m0 = wms[i];
            if m0.exact < NOT_FOUND && m0.exact != NO_LIST {
                best = Some((1, &self.lists[m0.exact as usize]));
            }
            if best.is_none() {
                if let Some(v) = t0.alt.as_ref().and_then(|alt| self.exact_list(alt)) {
                    best = Some((1, v));
                }
            }
            if m0.exact != NOT_FOUND {
                // up to two extra tokens: spacing/hyphen variants of a compound
                // ("zij instromers" = "zijinstromers")
                let maxw = (self.max_words + 2).min(n - i);
                key.clear();
                key.push_str(if self.raw_keys { t0.raw() } else { t0.norm() });
                let mut next = m0.next;
                for k in 1..maxw {
                    let t = &toks[i + k];
                    if t.sent != t0.sent {
                        break;
                    }
                    let b = t.first[usize::from(!self.raw_keys)];
                    if b.is_ascii_lowercase() && next & (1 << (b - b'a')) == 0 {
                        // no key goes on with this letter
                        break;
                    }
                    key.push_str(if self.raw_keys { t.raw() } else { t.norm() });
                    let Some(&(li, nx)) = self.exact.get(key.as_str()) else {
                        // no key starts with this: longer joins cannot match
                        break;
                    };
                    next = nx;
                    if key.len() >= 6 && li != NO_LIST {
                        best = Some((k + 1, &self.lists[li as usize]));
                    }
                }
            }
            if let Some((len, v)) = best {
                let mut any = false;
                for &e in v {
                    let entry = &self.entries[e];
                    if !self.token_ok(entry, toks, i, len) {
                        continue;
                    }
                    // an exact one-token match can still be blocked (zorgen)
                    if len == 1 && entry.block.iter().any(|b| toks[i].raw() == b) {
                        continue;
                    }
                    any = true;
                    hits.push(Hit {
                        payload: entry.payload,
                        tok_start: i,
                        tok_end: i + len,
                        kind: MatchKind::Exact,
                    });
                }
                if any {
                    for m in &mut wms[i..i + len] {
                        m.head = NO_LIST;
                        m.modi = NO_LIST;
                    }
                    i += len;
                    continue;
                }
            }
            i += 1;
        }
        if self.compound.is_empty() {
            return hits;
        }
        for (ti, t) in toks.iter().enumerate() {
            let WordMatch { head, modi, .. } = wms[ti];
            if head == NO_LIST && modi == NO_LIST {
                continue;
            }
            let w = t.norm();
            for (li, kind) in [(head, MatchKind::Head), (modi, MatchKind::Modifier)] {
                if li == NO_LIST {
                    continue;
                }
                for &e in &self.lists[li as usize] {
                    let entry = &self.entries[e];
                    let allowed = match kind {
                        MatchKind::Head => entry.compound.head(),
                        _ => entry.compound.modifier(),
                    };
                    if allowed
                        && self.token_ok(entry, toks, ti, 1)
                        && !Self::blocked(entry, t.raw(), w)
                    {
                        hits.push(Hit {
                            payload: entry.payload,
                            tok_start: ti,
                            tok_end: ti + 1,
                            kind,
                        });
                    }
                }
            }
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(w: &str) -> String {
        normalize_word(&fold(w))
    }

    #[test]
    fn folding() {
        assert_eq!(fold("Cliënt"), "client");
        assert_eq!(fold("ideeën"), "ideeen");
        assert_eq!(fold("één"), "een");
        assert_eq!(fold("Fryslân"), "fryslan");
        assert_eq!(fold("zij‑instromers"), "zij-instromers");
    }

    #[test]
    fn inflections_conflate() {
        let pairs = [
            ("vacature", "vacatures"),
            ("ziekenhuis", "ziekenhuizen"),
            ("verpleegkundige", "verpleegkundigen"),
            ("tekort", "tekorten"),
            ("medewerker", "medewerkers"),
            ("innovatief", "innovatieve"),
            ("innovatie", "innovaties"),
            ("regionaal", "regionale"),
            ("opleiding", "opleidingen"),
            ("dienst", "diensten"),
            ("baan", "banen"),
            ("school", "scholen"),
            ("stap", "stappen"),
            ("student", "studenten"),
            ("gemeente", "gemeenten"),
            ("gemeente", "gemeentes"),
            ("rooster", "roosters"),
            ("mogelijkheid", "mogelijkheden"),
            ("cliënt", "clienten"),
            ("zijinstromer", "zijinstromers"),
            ("idee", "ideeën"),
        ];
        for (a, b) in pairs {
            assert_eq!(n(a), n(b), "{a} vs {b}");
        }
        // kept apart
        assert_ne!(n("roosteren"), n("roosteer"));
        assert_eq!(n("zorgen"), "zorgen");
        assert_ne!(n("zorgen"), n("zorg"));
    }

    fn matcher(terms: &[(&str, Compound, &[&str])]) -> Matcher {
        let mut m = Matcher::new(3, vec!["s".into(), "en".into(), "e".into(), "er".into()]);
        for (i, (t, c, block)) in terms.iter().enumerate() {
            m.add(
                &term_words(t),
                Entry {
                    payload: i,
                    compound: *c,
                    block: block.iter().map(|b| fold(b)).collect(),
                    need_cap: false,
                    not_sentence_start: false,
                },
            );
        }
        m
    }

    fn found(m: &Matcher, text: &str) -> Vec<(usize, MatchKind)> {
        let a = analyse(text);
        let mut v: Vec<_> = m
            .find(&a.tokens)
            .into_iter()
            .map(|h| (h.payload, h.kind))
            .collect();
        v.sort_by_key(|x| x.0);
        v
    }

    #[test]
    fn compounds_head_and_modifier() {
        let m = matcher(&[
            ("tekort", Compound::Both, &[]),
            ("personeel", Compound::Both, &[]),
        ]);
        // personeel-s-tekort: head tekort + modifier personeel (linking s)
        assert_eq!(
            found(&m, "Het personeelstekort groeit"),
            vec![(0, MatchKind::Head), (1, MatchKind::Modifier)]
        );
        assert_eq!(
            found(&m, "De personeelstekorten"),
            vec![(0, MatchKind::Head), (1, MatchKind::Modifier)]
        );
        // -en- linking
        let m2 = matcher(&[("huisarts", Compound::Both, &[])]);
        assert_eq!(
            found(&m2, "huisartsenzorg in de regio"),
            vec![(0, MatchKind::Modifier)]
        );
        let m3 = matcher(&[("ouder", Compound::Both, &[])]);
        assert_eq!(found(&m3, "ouderenzorg"), vec![(0, MatchKind::Modifier)]);
    }

    #[test]
    fn hyphen_and_space_variants() {
        let m = matcher(&[("zij-instromer", Compound::None, &[])]);
        for t in [
            "zij-instromers",
            "zijinstromers",
            "zij instromers",
            "Zij-instromer",
            "zij‑instromers",
        ] {
            assert_eq!(found(&m, t), vec![(0, MatchKind::Exact)], "{t}");
        }
        let m = matcher(&[("zijinstromer", Compound::None, &[])]);
        assert_eq!(found(&m, "de zij-instromers"), vec![(0, MatchKind::Exact)]);
    }

    #[test]
    fn apostrophe_plurals() {
        let m = matcher(&[("zzp", Compound::None, &[]), ("cao", Compound::None, &[])]);
        assert_eq!(found(&m, "meer zzp'ers"), vec![(0, MatchKind::Exact)]);
        assert_eq!(found(&m, "de cao’s"), vec![(1, MatchKind::Exact)]);
        let m = matcher(&[("zzp'er", Compound::None, &[])]);
        assert_eq!(
            found(&m, "zzp'ers en zzpers"),
            vec![(0, MatchKind::Exact), (0, MatchKind::Exact)]
        );
    }

    #[test]
    fn diacritics_match() {
        let m = matcher(&[
            ("cliënt", Compound::None, &[]),
            ("oriëntatieprogramma", Compound::None, &[]),
        ]);
        assert_eq!(found(&m, "clienten en het orientatieprogramma").len(), 2);
    }

    #[test]
    fn phrases_keep_stopwords() {
        let m = matcher(&[
            ("anders werken", Compound::None, &[]),
            ("handen aan het bed", Compound::None, &[]),
        ]);
        assert_eq!(
            found(&m, "Zo willen ze anders werken met meer handen aan het bed").len(),
            2
        );
        assert!(found(&m, "werken anders").is_empty());
    }

    #[test]
    fn false_friends_blocked() {
        let m = matcher(&[
            (
                "zorg",
                Compound::Both,
                &["bezorg", "zorgvuldig", "zorgeloos", "zorgelijk", "zorgen"],
            ),
            (
                "tekort",
                Compound::Head,
                &["begrotingstekort", "financieringstekort", "lerarentekort"],
            ),
        ]);
        assert!(found(&m, "De bezorger bracht het pakket").is_empty());
        assert!(found(&m, "een zorgvuldige afweging").is_empty());
        assert!(found(&m, "we zorgen ervoor dat").is_empty());
        assert!(found(&m, "het begrotingstekort loopt op").is_empty());
        assert!(found(&m, "het lerarentekort").is_empty());
        assert_eq!(found(&m, "de ouderenzorg"), vec![(0, MatchKind::Head)]);
        assert_eq!(found(&m, "zorgmedewerkers"), vec![(0, MatchKind::Modifier)]);
    }

    #[test]
    fn sentence_end_after_a_wide_space() {
        // a no-break space before the last word of a sentence (used to
        // slice inside that space and panic)
        let s = "Zorg in Den\u{a0}Haag. Het werkt bijv.\u{2003}zo. Klaar!";
        let v = split_sentences(s);
        let parts: Vec<&str> = v.iter().map(|&(a, b)| s[a..b].trim()).collect();
        assert_eq!(
            parts,
            vec![
                "Zorg in Den\u{a0}Haag.",
                "Het werkt bijv.\u{2003}zo.",
                "Klaar!"
            ]
        );
    }

    #[test]
    fn sentences_split() {
        let s = "Dit is zin één. Dit is o.a. zin twee! En 3 procent? Nee. Zie bijv. dit.";
        let v = split_sentences(s);
        let parts: Vec<&str> = v.iter().map(|&(a, b)| s[a..b].trim()).collect();
        assert_eq!(
            parts,
            vec![
                "Dit is zin één.",
                "Dit is o.a. zin twee!",
                "En 3 procent?",
                "Nee.",
                "Zie bijv. dit."
            ]
        );
    }
}
