//! Near-duplicate detection across sources: the same story syndicated or
//! copied by several outlets (with another header, footer or small edits)
//! becomes one cluster, so a lead is shown once with "also in N outlets".
//!
//! Text in, a MinHash signature and LSH band keys out. Words are normalised
//! (lower case, diacritics folded), cut into overlapping 4-word shingles and
//! hashed; the signature keeps the minimum of [`NUM_HASHES`] independent
//! hash functions over the shingles, so the share of equal slots estimates
//! the Jaccard similarity of two shingle sets. Signatures are split into
//! [`BANDS`] bands of [`ROWS`] rows; two articles that share a band key are
//! candidates (with 16×4, pairs at Jaccard 0.5 collide with ~64%
//! probability, pairs at 0.8 with ~99.9%, at 0.1 with 0.2%), and a candidate
//! joins the cluster when the estimate reaches [`SAME_STORY`]. Pure: the
//! store keeps the signatures and bands.

/// Hash functions in a signature.
pub const NUM_HASHES: usize = 64;
/// LSH bands.
pub const BANDS: usize = 16;
/// Rows per band.
pub const ROWS: usize = NUM_HASHES / BANDS;
/// Estimated Jaccard similarity from which two articles are the same story.
pub const SAME_STORY: f64 = 0.5;
/// Words per shingle.
const SHINGLE: usize = 4;

/// A MinHash signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature(pub [u64; NUM_HASHES]);

/// FNV-1a: stable across platforms and Rust versions (signatures are stored).
fn fnv1a(bytes: &[u8], mut h: u64) -> u64 {
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// SplitMix64 finaliser: turns `x ^ seed` into an independent-looking hash.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn seed(i: usize) -> u64 {
    mix(0x9e37_79b9_7f4a_7c15u64.wrapping_mul(i as u64 + 1))
}

/// The hash seeds of the signature's slots.
static SEEDS: std::sync::LazyLock<[u64; NUM_HASHES]> =
    std::sync::LazyLock::new(|| std::array::from_fn(seed));

/// Hashes of the 4-word shingles of `text` (one shingle when shorter).
pub fn shingles(text: &str) -> Vec<u64> {
    // All normalised words in one buffer (no String per word); `ends`
    // holds where each word ends.
    let mut buf = String::with_capacity(text.len());
    let mut ends: Vec<usize> = Vec::new();
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        crate::text::fold_word_into(w, &mut buf);
        ends.push(buf.len());
    }
    if ends.is_empty() {
        return Vec::new();
    }
    let word = |i: usize| &buf.as_bytes()[if i == 0 { 0 } else { ends[i - 1] }..ends[i]];
    let n = SHINGLE.min(ends.len());
    let mut out: Vec<u64> = (0..=ends.len() - n)
        .map(|start| {
            let mut h = FNV_OFFSET;
            for i in start..start + n {
                h = fnv1a(word(i), h);
                h = fnv1a(b" ", h);
            }
            h
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

impl Signature {
    /// The signature of `text`; `None` when it has no words.
    pub fn of(text: &str) -> Option<Signature> {
        let sh = shingles(text);
        if sh.is_empty() {
            return None;
        }
        let seeds = &*SEEDS;
        let mut sig = [u64::MAX; NUM_HASHES];
        // Shingle outer, slots inner: 64 independent hashes per step.
        for &x in &sh {
            for (slot, s) in sig.iter_mut().zip(seeds) {
                *slot = (*slot).min(mix(x ^ s));
            }
        }
        Some(Signature(sig))
    }

    /// Estimated Jaccard similarity with `other` (share of equal slots).
    pub fn similarity(&self, other: &Signature) -> f64 {
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f64 / NUM_HASHES as f64
    }

    /// One key per band; articles sharing any key are candidates.
    pub fn band_keys(&self) -> Vec<i64> {
        self.0
            .chunks(ROWS)
            .enumerate()
            .map(|(band, rows)| {
                let mut h = fnv1a(&(band as u64).to_le_bytes(), FNV_OFFSET);
                for r in rows {
                    h = fnv1a(&r.to_le_bytes(), h);
                }
                h as i64
            })
            .collect()
    }

    /// Bytes for storage.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// Reads stored bytes; `None` when they are not a signature.
    pub fn from_bytes(b: &[u8]) -> Option<Signature> {
        if b.len() != NUM_HASHES * 8 {
            return None;
        }
        let mut sig = [0u64; NUM_HASHES];
        for (i, chunk) in b.chunks_exact(8).enumerate() {
            sig[i] = u64::from_le_bytes(chunk.try_into().ok()?);
        }
        Some(Signature(sig))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "Zes zorgorganisaties in Twente hebben in twee jaar tijd 42 zij-instromers \
        naar een diploma verzorgende IG gebracht. Dat blijkt uit de eindevaluatie van de \
        Leerlingpoule Twente, een gezamenlijke instroomroute van zorgaanbieders, het ROC van \
        Twente en de regionale werkgeversorganisatie. De deelnemers kregen vanaf de eerste dag \
        een arbeidsovereenkomst en werkten boven de formatie, zodat er tijd was voor begeleiding. \
        Van de 48 gestarte deelnemers haalden er 42 hun diploma en werken er 39 nog altijd in de \
        regio. De partners willen de aanpak nu uitbreiden naar de gehandicaptenzorg en de ggz, \
        en delen hun draaiboek met andere regio's die een vergelijkbare poule willen opzetten.";

    #[test]
    fn a_copy_with_other_header_footer_and_edits_is_the_same_story() {
        let copy = format!(
            "Overgenomen van Zorgnieuws Oost. {} Lees ook: onze nieuwsbrief over de arbeidsmarkt, \
             elke week gratis in uw mailbox. Reageren? Mail de redactie.",
            STORY
                .replace("Zes zorgorganisaties", "Zes zorgaanbieders")
                .replace("nog altijd", "nog steeds")
        );
        let a = Signature::of(STORY).unwrap();
        let b = Signature::of(&copy).unwrap();
        assert!(
            a.similarity(&b) >= SAME_STORY,
            "similarity {}",
            a.similarity(&b)
        );
        let shared = a
            .band_keys()
            .iter()
            .filter(|k| b.band_keys().contains(k))
            .count();
        assert!(shared >= 1, "LSH must propose the copy as a candidate");
    }

    #[test]
    fn two_stories_on_the_same_theme_are_not() {
        let other = "In de regio Utrecht zijn dit jaar 56 nieuwe kraamverzorgenden gediplomeerd, \
            van wie bijna de helft herintreders en zij-instromers. Nieuw is dat studenten niet bij \
            een organisatie in dienst komen, maar bij een gezamenlijke leerwerkpool van vijf \
            kraamzorgorganisaties. Ze lopen stage bij meerdere organisaties en kiezen na hun \
            diploma zelf waar ze gaan werken. De uitval tijdens de opleiding daalde van 30 naar 12 \
            procent, en de regionale werkgeversorganisatie wil de aanpak uitbreiden.";
        let a = Signature::of(STORY).unwrap();
        let b = Signature::of(other).unwrap();
        assert!(a.similarity(&b) < 0.2, "similarity {}", a.similarity(&b));
    }

    /// The first implementation (a String per word, slot-major loop):
    /// stored signatures must stay comparable with new ones.
    fn reference(text: &str) -> Option<Signature> {
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(crate::text::normalize_word)
            .collect();
        if words.is_empty() {
            return None;
        }
        let n = SHINGLE.min(words.len());
        let mut sh: Vec<u64> = words
            .windows(n)
            .map(|w| {
                let mut h = FNV_OFFSET;
                for word in w {
                    h = fnv1a(word.as_bytes(), h);
                    h = fnv1a(b" ", h);
                }
                h
            })
            .collect();
        sh.sort_unstable();
        sh.dedup();
        let mut sig = [u64::MAX; NUM_HASHES];
        for (i, slot) in sig.iter_mut().enumerate() {
            for &x in &sh {
                *slot = (*slot).min(mix(x ^ seed(i)));
            }
        }
        Some(Signature(sig))
    }

    #[test]
    fn signatures_equal_the_first_implementation() {
        let texts = [
            STORY,
            "Cliënten en zzp'ers in de ÉÉN-op-één begeleiding, cao's en Straße; œuvre Ærø",
            "kort",
            "twee woorden",
            "Ünïcode—dash’quote 2026 ① ½ İstanbul ǅ",
            "",
            "  ...  ",
        ];
        for t in texts {
            assert_eq!(Signature::of(t), reference(t), "{t:?}");
        }
    }

    #[test]
    fn signatures_are_stable_and_round_trip() {
        let a = Signature::of(STORY).unwrap();
        assert_eq!(a, Signature::of(STORY).unwrap());
        assert_eq!(Signature::from_bytes(&a.to_bytes()), Some(a));
        assert_eq!(Signature::of(" ,. "), None);
    }
}
