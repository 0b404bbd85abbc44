//! Feedback from triage into the ranking (pure, no I/O).
//!
//! Leads the advisors flag (or take further, up to Koploper) pull similar
//! articles up; leads they dismiss push similar ones down ("more like
//! this" / "less like this"). Similarity is the cosine of TF-IDF vectors
//! over the Dutch analyzer's terms (the same stems search uses), plus the
//! story cluster (a copy of a flagged story is as similar as it gets). A
//! dismissal whose reason names the sector ("andere sector") also sinks
//! articles of the same sector; a dismissal as duplicate ("dubbel", "al
//! bekend") only affects its own story. The stored score never changes:
//! the adjustment is applied when ranking and shown by `radar explain`.

use std::collections::HashMap;

use serde::Serialize;

use super::State;
use crate::store::FeedbackItem;
use crate::text::{Mode, analyze};

/// Most points a lead can gain from resembling flagged leads.
pub const MAX_BOOST: f32 = 15.0;
/// Most points a lead can lose from resembling dismissed leads.
pub const MAX_SINK: f32 = 15.0;
/// Cosine similarity from which resemblance counts.
const SIM_FLOOR: f32 = 0.08;
/// Cosine similarity at which the full boost or sink applies.
const SIM_FULL: f32 = 0.35;
/// Terms kept per feedback profile (the most weighty ones).
const PROFILE_TERMS: usize = 60;

/// Document frequencies over a background set of articles.
#[derive(Debug, Default, Clone)]
pub struct Idf {
    df: HashMap<String, u32>,
    n: u32,
}

impl Idf {
    /// Counts document frequencies over `docs` (plain texts).
    pub fn from_texts<'a>(docs: impl IntoIterator<Item = &'a str>) -> Idf {
        let mut idf = Idf::default();
        for d in docs {
            idf.add(&terms(d));
        }
        idf
    }

    fn add(&mut self, tf: &HashMap<String, f32>) {
        self.n += 1;
        for t in tf.keys() {
            *self.df.entry(t.clone()).or_default() += 1;
        }
    }

    fn weight(&self, term: &str) -> f32 {
        let df = self.df.get(term).copied().unwrap_or(0) as f32;
        ((1.0 + self.n as f32) / (1.0 + df)).ln() + 1.0
    }
}

/// Term frequencies of a text (analyzed Dutch stems of 3+ characters).
fn terms(text: &str) -> HashMap<String, f32> {
    let mut tf: HashMap<String, f32> = HashMap::new();
    for t in analyze(text, Mode::Query) {
        if t.chars().count() >= 3 && !t.chars().all(|c| c.is_ascii_digit()) {
            *tf.entry(t).or_default() += 1.0;
        }
    }
    tf
}

fn vector(tf: &HashMap<String, f32>, idf: &Idf, keep: Option<usize>) -> HashMap<String, f32> {
    let mut v: Vec<(String, f32)> = tf
        .iter()
        .map(|(t, f)| (t.clone(), (1.0 + f.ln()) * idf.weight(t)))
        .collect();
    if let Some(k) = keep {
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.truncate(k);
    }
    let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt().max(1e-6);
    v.into_iter().map(|(t, w)| (t, w / norm)).collect()
}

fn cosine(a: &HashMap<String, f32>, b: &HashMap<String, f32>) -> f32 {
    let (small, big) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small
        .iter()
        .filter_map(|(t, w)| big.get(t).map(|x| w * x))
        .sum()
}

#[derive(Debug, Clone)]
struct Profile {
    article_id: i64,
    cluster_id: i64,
    positive: bool,
    state: State,
    reason: Option<String>,
    sector: Option<String>,
    sector_reason: bool,
    story_only: bool,
    vec: HashMap<String, f32>,
}

/// What feedback did to one article's rank.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Adjustment {
    /// Points added (positive) or removed (negative).
    pub delta: f32,
    /// One Dutch line per effect, for explanations.
    pub because: Vec<String>,
}

/// Flags and dismissals, ready to adjust rankings.
#[derive(Debug, Clone, Default)]
pub struct FeedbackModel {
    profiles: Vec<Profile>,
    idf: Idf,
}

fn is_sector_reason(r: &str) -> bool {
    let r = r.to_lowercase();
    r.contains("sector") || r.contains("branche")
}

fn is_story_only_reason(r: &str) -> bool {
    let r = r.to_lowercase();
    ["dubbel", "al bekend", "duplicaat", "eerder gezien"]
        .iter()
        .any(|w| r.contains(w))
}

impl FeedbackModel {
    /// Builds the model from triage feedback; `background` texts (e.g. the
    /// articles being ranked) give the term weights.
    pub fn new<'a>(
        items: &[FeedbackItem],
        background: impl IntoIterator<Item = &'a str>,
    ) -> FeedbackModel {
        let mut idf = Idf::from_texts(background);
        let tfs: Vec<HashMap<String, f32>> = items.iter().map(|i| terms(&i.text)).collect();
        for tf in &tfs {
            idf.add(tf);
        }
        let profiles = items
            .iter()
            .zip(&tfs)
            .filter(|(i, _)| i.state.is_positive() || i.state == State::Dismissed)
            .map(|(i, tf)| {
                let reason = i.reason.clone();
                Profile {
                    article_id: i.article_id,
                    cluster_id: i.cluster_id,
                    positive: i.state.is_positive(),
                    state: i.state,
                    sector_reason: reason.as_deref().is_some_and(is_sector_reason),
                    story_only: reason.as_deref().is_some_and(is_story_only_reason),
                    reason,
                    sector: i.sector.clone(),
                    vec: vector(tf, &idf, Some(PROFILE_TERMS)),
                }
            })
            .collect();
        FeedbackModel { profiles, idf }
    }

    /// Whether there is any feedback at all.
    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }

    /// How feedback moves one article: `text` is its title and body.
    pub fn adjust(
        &self,
        article_id: i64,
        cluster_id: i64,
        text: &str,
        sector: Option<&str>,
    ) -> Adjustment {
        if self.profiles.is_empty() {
            return Adjustment::default();
        }
        let v = vector(&terms(text), &self.idf, None);
        let mut best_pos: Option<(f32, &Profile)> = None;
        let mut best_neg: Option<(f32, &Profile)> = None;
        let mut sector_hit: Option<&Profile> = None;
        for p in &self.profiles {
            if p.article_id == article_id {
                continue;
            }
            let sim = if p.cluster_id == cluster_id {
                1.0
            } else if p.story_only {
                0.0
            } else {
                cosine(&v, &p.vec)
            };
            let slot = if p.positive {
                &mut best_pos
            } else {
                &mut best_neg
            };
            if slot.is_none_or(|(s, _)| sim > s) {
                *slot = Some((sim, p));
            }
            if !p.positive
                && p.sector_reason
                && sector.is_some()
                && p.sector.as_deref() == sector
                && sector != Some("breed")
            {
                sector_hit.get_or_insert(p);
            }
        }
        let strength = |sim: f32| ((sim - SIM_FLOOR) / (SIM_FULL - SIM_FLOOR)).clamp(0.0, 1.0);
        let mut adj = Adjustment::default();
        if let Some((sim, p)) = best_pos.filter(|(s, _)| *s > SIM_FLOOR) {
            let d = MAX_BOOST * strength(sim);
            adj.delta += d;
            let what = if p.cluster_id == cluster_id {
                "hetzelfde verhaal als".to_string()
            } else {
                format!("lijkt ({:.0}%) op", sim * 100.0)
            };
            adj.because.push(format!(
                "+{d:.0}: {what} lead #{} ({})",
                p.article_id,
                p.state.dutch()
            ));
        }
        let mut sink = best_neg
            .filter(|(s, _)| *s > SIM_FLOOR)
            .map(|(sim, p)| (MAX_SINK * strength(sim), sim, p));
        if let Some(p) = sector_hit {
            let d = MAX_SINK * 0.5;
            if sink.is_none_or(|(s, _, _)| s < d) {
                sink = Some((d, 0.0, p));
            }
        }
        if let Some((d, sim, p)) = sink {
            adj.delta -= d;
            let why = p.reason.as_deref().unwrap_or("afgewezen");
            let what = if p.cluster_id == cluster_id {
                "hetzelfde verhaal als".to_string()
            } else if sim == 0.0 {
                format!("zelfde sector ({}) als", p.sector.as_deref().unwrap_or("?"))
            } else {
                format!("lijkt ({:.0}%) op", sim * 100.0)
            };
            adj.because.push(format!(
                "-{d:.0}: {what} afgewezen #{} ({why})",
                p.article_id
            ));
        }
        adj
    }
}

/// Applies an adjustment to a 0–100 score.
pub fn adjusted(score: f32, adj: &Adjustment) -> f32 {
    (score + adj.delta).clamp(0.0, 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: i64, state: State, reason: Option<&str>, sector: &str, text: &str) -> FeedbackItem {
        FeedbackItem {
            article_id: id,
            cluster_id: id,
            state,
            reason: reason.map(str::to_string),
            sector: Some(sector.into()),
            text: text.into(),
            themes: vec![],
        }
    }

    const BACKGROUND: [&str; 4] = [
        "Gemeente opent nieuw zwembad in het centrum",
        "Verkeer staat vast op de snelweg na ongeluk",
        "Kinderopvang zoekt leidsters voor nieuwe groep",
        "Zorginstelling verbouwt hoofdgebouw",
    ];

    #[test]
    fn flagged_lifts_similar_and_dismissed_sinks_similar() {
        let items = vec![
            item(
                1,
                State::Flagged,
                None,
                "vvt",
                "Leerwerktraject voor zij-instromers in de ouderenzorg: statushouders worden verzorgende",
            ),
            item(
                2,
                State::Dismissed,
                Some("andere sector"),
                "kinderopvang",
                "Kinderopvang organiseert open dag voor pedagogisch medewerkers",
            ),
        ];
        let m = FeedbackModel::new(&items, BACKGROUND);
        let up = m.adjust(
            10,
            10,
            "Nieuw leerwerktraject helpt statushouders als verzorgende in de ouderenzorg",
            Some("vvt"),
        );
        assert!(up.delta > 3.0, "{up:?}");
        assert!(up.because[0].contains("#1"), "{up:?}");
        let down = m.adjust(
            11,
            11,
            "Open dag bij kinderopvang voor pedagogisch medewerkers",
            Some("kinderopvang"),
        );
        assert!(down.delta < -3.0, "{down:?}");
        assert!(down.because[0].contains("andere sector"), "{down:?}");
        let none = m.adjust(12, 12, "Verkeer op de snelweg staat vast", None);
        assert_eq!(none.delta, 0.0, "{none:?}");
        // same sector as a lead dismissed for its sector sinks, whatever the words
        let sector = m.adjust(13, 13, "Gemeente opent zwembad", Some("kinderopvang"));
        assert!(sector.delta < 0.0, "{sector:?}");
    }

    #[test]
    fn a_copy_of_a_flagged_story_gets_the_full_boost() {
        let items = vec![item(1, State::Koploper, None, "vvt", "iets heel anders")];
        let m = FeedbackModel::new(&items, BACKGROUND);
        let a = m.adjust(5, 1, "geen woord gemeen", None);
        assert_eq!(a.delta, MAX_BOOST);
        assert!(a.because[0].contains("hetzelfde verhaal"), "{a:?}");
        // the flagged article itself is not lifted by its own flag
        assert_eq!(m.adjust(1, 1, "iets heel anders", None).delta, 0.0);
    }
}
