//! Region tagging: province from place names (gazetteer of Dutch municipalities,
//! towns, regional names and adjectives) and from source tags (`region:noord-brabant`).
//!
//! Place names only count when capitalised in the original text; names that are
//! also ordinary words (Best, Goes, Ede, Putten, Houten, Leek, ...) are flagged
//! `amb` in the data file and additionally must not start a sentence.

use super::Field;
use super::text::{Analysed, Compound, Entry, Matcher, term_words_raw};

/// Province ids (as used in source tags) and display labels (as in the labelled data).
pub const PROVINCES: [(&str, &str); 12] = [
    ("groningen", "Groningen"),
    ("friesland", "Friesland"),
    ("drenthe", "Drenthe"),
    ("overijssel", "Overijssel"),
    ("flevoland", "Flevoland"),
    ("gelderland", "Gelderland"),
    ("utrecht", "Utrecht"),
    ("noord-holland", "Noord-Holland"),
    ("zuid-holland", "Zuid-Holland"),
    ("zeeland", "Zeeland"),
    ("noord-brabant", "Noord-Brabant"),
    ("limburg", "Limburg"),
];

const DATA: &str = include_str!("municipalities.tsv");

/// Weight of a match per field.
const W_TITLE: f32 = 3.0;
const W_LEAD: f32 = 2.0;
const W_BODY: f32 = 1.0;
/// An `amb` name counts for this fraction.
const W_AMB: f32 = 1.0;
/// A source tag counts this much.
const W_TAG: f32 = 3.0;
/// Minimum evidence to name a region.
const MIN_SCORE: f32 = 1.0;
/// The winner must beat the runner-up by this factor.
const MARGIN: f32 = 1.5;

#[derive(Debug, Clone)]
struct Place {
    province: usize,
    amb: bool,
}

/// Compiled gazetteer.
#[derive(Debug, Clone)]
pub struct Gazetteer {
    m: Matcher,
    places: Vec<Place>,
}

/// Province index from an id or label (case-insensitive; "fryslan" accepted).
pub fn province_index(s: &str) -> Option<usize> {
    let s = super::text::fold(s.trim()).replace(' ', "-");
    let s = if s == "fryslan" {
        "friesland".to_string()
    } else {
        s
    };
    PROVINCES.iter().position(|(id, _)| *id == s)
}

impl Gazetteer {
    /// The shipped gazetteer.
    pub fn builtin() -> Gazetteer {
        Gazetteer::from_tsv(DATA).expect("shipped municipalities.tsv is valid")
    }

    /// Parse `name<TAB>province[<TAB>amb]` lines; `#` starts a comment.
    pub fn from_tsv(text: &str) -> Result<Gazetteer, String> {
        let mut m = Matcher::new(3, vec![]);
        m.raw_keys = true;
        let mut places = Vec::new();
        for (ln, line) in text.lines().enumerate() {
            let line = line.trim_end();
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() < 2 {
                return Err(format!("line {}: expected name<TAB>province", ln + 1));
            }
            let province = province_index(cols[1])
                .ok_or_else(|| format!("line {}: unknown province {}", ln + 1, cols[1]))?;
            let amb = cols.get(2).is_some_and(|f| f.trim() == "amb");
            let idx = places.len();
            places.push(Place { province, amb });
            m.add(
                &term_words_raw(cols[0]),
                Entry {
                    payload: idx,
                    compound: Compound::None,
                    block: vec![],
                    need_cap: true,
                    not_sentence_start: amb,
                },
            );
        }
        Ok(Gazetteer { m, places })
    }

    /// Province scores for the given fields.
    pub fn province_scores<'a>(
        &self,
        fields: impl Iterator<Item = (Field, &'a str, &'a Analysed)>,
        source_tags: &[String],
    ) -> [f32; 12] {
        let mut sc = [0f32; 12];
        for (f, _text, an) in fields {
            let w = match f {
                Field::Title => W_TITLE,
                Field::Lead => W_LEAD,
                Field::Body => W_BODY,
            };
            for h in self.m.find(&an.tokens) {
                let p = &self.places[h.payload];
                sc[p.province] += if p.amb { w * W_AMB } else { w };
            }
        }
        for t in source_tags {
            let t = t.trim();
            let v = t
                .strip_prefix("region:")
                .or_else(|| t.strip_prefix("regio:"))
                .or_else(|| t.strip_prefix("province:"))
                .or_else(|| t.strip_prefix("provincie:"));
            if let Some(p) = v.and_then(province_index) {
                sc[p] += W_TAG;
            }
        }
        sc
    }

    /// Detect the province label, or `None` when the evidence is weak or split.
    pub fn detect<'a>(
        &self,
        fields: impl Iterator<Item = (Field, &'a str, &'a Analysed)>,
        source_tags: &[String],
    ) -> Option<String> {
        let sc = self.province_scores(fields, source_tags);
        pick(&sc)
    }
}

fn pick(sc: &[f32; 12]) -> Option<String> {
    let mut best = 0;
    for i in 1..12 {
        if sc[i] > sc[best] {
            best = i;
        }
    }
    let second = sc
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != best)
        .map(|(_, v)| *v)
        .fold(0f32, f32::max);
    if sc[best] >= MIN_SCORE && sc[best] >= MARGIN * second {
        Some(PROVINCES[best].1.to_string())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rank::text::analyse;

    fn region(text: &str, tags: &[String]) -> Option<String> {
        let g = Gazetteer::builtin();
        let an = analyse(text);
        g.detect(std::iter::once((Field::Body, text, &an)), tags)
    }

    #[test]
    fn places_and_regions() {
        assert_eq!(
            region("Zorgorganisaties in Twente werken samen.", &[]).as_deref(),
            Some("Overijssel")
        );
        assert_eq!(
            region("Het ziekenhuis in Den Bosch start.", &[]).as_deref(),
            Some("Noord-Brabant")
        );
        assert_eq!(
            region("In 's-Hertogenbosch begint het.", &[]).as_deref(),
            Some("Noord-Brabant")
        );
        assert_eq!(
            region("Zorggroep Almere bouwt een academie.", &[]).as_deref(),
            Some("Flevoland")
        );
        assert_eq!(region("De Zeeuwse zorg.", &[]).as_deref(), Some("Zeeland"));
        assert_eq!(
            region("Een project in de Achterhoek.", &[]).as_deref(),
            Some("Gelderland")
        );
    }

    #[test]
    fn ambiguous_words_need_capital_and_position() {
        // ordinary words
        assert_eq!(
            region("Dit is de best bezochte dag, het goes well.", &[]),
            None
        );
        assert_eq!(region("De houten vloer en de dieren.", &[]), None);
        // sentence start: not trusted for ambiguous names
        assert_eq!(region("Best is dat iedereen meedoet.", &[]), None);
        // capitalised inside a sentence: trusted
        assert_eq!(
            region("Het verpleeghuis in Goes zoekt.", &[]).as_deref(),
            Some("Zeeland")
        );
    }

    #[test]
    fn source_tags_count() {
        assert_eq!(
            region(
                "Geen plaatsnaam hier.",
                &["region:noord-brabant".to_string()]
            )
            .as_deref(),
            Some("Noord-Brabant")
        );
        assert_eq!(
            region("Geen plaatsnaam.", &["region:Fryslân".to_string()]).as_deref(),
            Some("Friesland")
        );
    }

    #[test]
    fn surnames_are_not_places() {
        // "Besten" must not become Best
        assert_eq!(region("Dat zegt Den Besten van de instelling.", &[]), None);
    }

    #[test]
    fn split_evidence_gives_none() {
        assert_eq!(region("Van Groningen tot Maastricht.", &[]), None);
    }
}
