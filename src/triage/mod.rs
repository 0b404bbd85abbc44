//! Follow-up of leads: the triage states and their rules (pure, no I/O).
//! The store keeps the items, notes, criteria and history
//! (`src/store/triage.rs`); the CLI commands `flag`, `triage`, `dismiss`,
//! `followups` and `export` drive it.
//!
//! ```text
//! nieuw → te volgen → benaderd → in beoordeling → koploper
//!   └──────────┴──────────┴─────────────┴────────────┴──→ afgewezen (met reden)
//! afgewezen → te volgen (heropenen, expliciet)
//! ```

pub mod feedback;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a lead is in the follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Not acted on yet.
    New,
    /// Worth following ("te volgen").
    Flagged,
    /// The initiative has been contacted.
    Contacted,
    /// Being assessed against the Koploper criteria ("in beoordeling").
    InAssessment,
    /// Named a Koploper.
    Koploper,
    /// Not relevant, with a reason; the story never comes back.
    Dismissed,
}

impl State {
    /// Every state, in workflow order.
    pub const ALL: [State; 6] = [
        State::New,
        State::Flagged,
        State::Contacted,
        State::InAssessment,
        State::Koploper,
        State::Dismissed,
    ];

    /// Stable id (store, JSON, CLI).
    pub fn id(self) -> &'static str {
        match self {
            State::New => "new",
            State::Flagged => "flagged",
            State::Contacted => "contacted",
            State::InAssessment => "in_assessment",
            State::Koploper => "koploper",
            State::Dismissed => "dismissed",
        }
    }

    /// Dutch name for the advisors.
    pub fn dutch(self) -> &'static str {
        match self {
            State::New => "nieuw",
            State::Flagged => "te volgen",
            State::Contacted => "benaderd",
            State::InAssessment => "in beoordeling",
            State::Koploper => "koploper",
            State::Dismissed => "afgewezen",
        }
    }

    /// The states this one may move to.
    pub fn allowed_next(self) -> &'static [State] {
        match self {
            State::New => &[State::Flagged, State::Dismissed],
            State::Flagged => &[State::Contacted, State::Dismissed],
            State::Contacted => &[State::InAssessment, State::Dismissed],
            State::InAssessment => &[State::Koploper, State::Dismissed],
            State::Koploper => &[State::Dismissed],
            State::Dismissed => &[State::Flagged],
        }
    }

    /// Whether the lead counts as positive feedback for the ranking.
    pub fn is_positive(self) -> bool {
        matches!(
            self,
            State::Flagged | State::Contacted | State::InAssessment | State::Koploper
        )
    }

    /// Whether the lead is still being followed up (shown by `followups`).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            State::Flagged | State::Contacted | State::InAssessment
        )
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.dutch())
    }
}

/// Accepts the id (`in_assessment`) or the Dutch name (`in beoordeling`,
/// `in-beoordeling`), case-insensitively.
impl FromStr for State {
    type Err = TriageError;
    fn from_str(s: &str) -> Result<State, TriageError> {
        let norm = s.trim().to_lowercase().replace(['-', '_'], " ");
        State::ALL
            .into_iter()
            .find(|st| st.id().replace('_', " ") == norm || st.dutch() == norm)
            .or(match norm.as_str() {
                "te volgen" | "gevolgd" | "flag" => Some(State::Flagged),
                "contact" | "gecontacteerd" => Some(State::Contacted),
                "assessment" | "beoordeling" => Some(State::InAssessment),
                "afgewezen" | "dismiss" | "weg" => Some(State::Dismissed),
                _ => None,
            })
            .ok_or_else(|| TriageError::UnknownState(s.to_string()))
    }
}

/// The four Koploper criteria of the Actie Leer Netwerk. The ids are those
/// of `[criteria]` in the themes file, so feedback and explanations agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// Samenwerking: partners from care, education and/or government.
    Samenwerken,
    /// Innovatief: a new approach.
    Innovatief,
    /// Aantoonbaar resultaat: measurable results.
    Resultaat,
    /// Overdraagbaar: others can adopt it.
    Overdraagbaar,
}

impl Criterion {
    /// All four, in checklist order.
    pub const ALL: [Criterion; 4] = [
        Criterion::Samenwerken,
        Criterion::Innovatief,
        Criterion::Resultaat,
        Criterion::Overdraagbaar,
    ];

    /// Stable id (store, JSON, CLI; same as the themes file).
    pub fn id(self) -> &'static str {
        match self {
            Criterion::Samenwerken => "samenwerken",
            Criterion::Innovatief => "innovatief",
            Criterion::Resultaat => "resultaat",
            Criterion::Overdraagbaar => "overdraagbaar",
        }
    }

    /// Dutch label for the checklist.
    pub fn dutch(self) -> &'static str {
        match self {
            Criterion::Samenwerken => "samenwerking",
            Criterion::Innovatief => "innovatief",
            Criterion::Resultaat => "aantoonbaar resultaat",
            Criterion::Overdraagbaar => "overdraagbaar",
        }
    }
}

impl FromStr for Criterion {
    type Err = TriageError;
    fn from_str(s: &str) -> Result<Criterion, TriageError> {
        let norm = s.trim().to_lowercase().replace(['-', '_'], " ");
        Criterion::ALL
            .into_iter()
            .find(|c| c.id() == norm || c.dutch() == norm)
            .or(match norm.as_str() {
                "samenwerking" => Some(Criterion::Samenwerken),
                "innovatie" => Some(Criterion::Innovatief),
                "resultaten" | "aantoonbaar" => Some(Criterion::Resultaat),
                "overdraagbaarheid" => Some(Criterion::Overdraagbaar),
                _ => None,
            })
            .ok_or_else(|| TriageError::UnknownCriterion(s.to_string()))
    }
}

/// Why a triage command was refused. Messages are Dutch: the advisors
/// read them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TriageError {
    /// A transition the workflow does not allow.
    #[error(
        "kan niet van '{from}' naar '{to}': vanuit '{from}' kan alleen naar {}",
        dutch_list(.from.allowed_next())
    )]
    Transition {
        /// Current state.
        from: State,
        /// Requested state.
        to: State,
    },
    /// Already in the requested state.
    #[error("staat al op '{0}'")]
    Same(State),
    /// Dismissing needs a reason (it teaches the ranking what to sink).
    #[error("afwijzen vraagt om een reden (--reason), bijvoorbeeld \"andere sector\"")]
    NoReason,
    /// Unknown state name.
    #[error("onbekende status '{0}'; kies uit: {choices}", choices = state_choices())]
    UnknownState(String),
    /// Unknown criterion name.
    #[error("onbekend criterium '{0}'; kies uit: {choices}", choices = criterion_choices())]
    UnknownCriterion(String),
    /// A criterion ticked without evidence.
    #[error("criterium '{0}' afvinken vraagt om bewijs (--evidence)")]
    NoEvidence(String),
    /// An empty note.
    #[error("een notitie mag niet leeg zijn")]
    EmptyNote,
    /// Not a date.
    #[error("'{0}' is geen datum (JJJJ-MM-DD)")]
    BadDate(String),
}

fn state_choices() -> String {
    State::ALL
        .iter()
        .map(|s| format!("{} ({})", s.id(), s.dutch()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn criterion_choices() -> String {
    Criterion::ALL
        .iter()
        .map(|c| format!("{} ({})", c.id(), c.dutch()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn dutch_list(states: &[State]) -> String {
    let names: Vec<String> = states.iter().map(|s| format!("'{}'", s.dutch())).collect();
    match names.len() {
        0 => "nergens".into(),
        1 => names[0].clone(),
        n => format!("{} of {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

/// Checks a state change; `reason` is required when dismissing.
pub fn check_transition(from: State, to: State, reason: Option<&str>) -> Result<(), TriageError> {
    if from == to {
        return Err(TriageError::Same(from));
    }
    if !from.allowed_next().contains(&to) {
        return Err(TriageError::Transition { from, to });
    }
    if to == State::Dismissed && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(TriageError::NoReason);
    }
    Ok(())
}

/// Parses a follow-up date (`YYYY-MM-DD`).
pub fn parse_due(s: &str) -> Result<chrono::NaiveDate, TriageError> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| TriageError::BadDate(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_goes_forward_step_by_step() {
        let path = [
            State::New,
            State::Flagged,
            State::Contacted,
            State::InAssessment,
            State::Koploper,
        ];
        for w in path.windows(2) {
            assert_eq!(check_transition(w[0], w[1], None), Ok(()), "{:?}", w);
        }
    }

    #[test]
    fn dismissal_from_any_state_needs_a_reason() {
        for s in State::ALL.into_iter().filter(|s| *s != State::Dismissed) {
            assert_eq!(
                check_transition(s, State::Dismissed, Some("andere sector")),
                Ok(())
            );
            assert_eq!(
                check_transition(s, State::Dismissed, Some("  ")),
                Err(TriageError::NoReason)
            );
            assert_eq!(
                check_transition(s, State::Dismissed, None),
                Err(TriageError::NoReason)
            );
        }
    }

    #[test]
    fn skipping_a_step_is_refused_with_both_states_and_the_way_forward() {
        let err = check_transition(State::Flagged, State::Koploper, None).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("'te volgen'"), "{msg}");
        assert!(msg.contains("'koploper'"), "{msg}");
        assert!(msg.contains("'benaderd' of 'afgewezen'"), "{msg}");
        let err = check_transition(State::New, State::InAssessment, None).unwrap_err();
        assert!(err.to_string().contains("'in beoordeling'"), "{err}");
        // backwards is refused too
        assert!(check_transition(State::Contacted, State::Flagged, None).is_err());
        assert!(check_transition(State::Koploper, State::New, None).is_err());
        assert_eq!(
            check_transition(State::Flagged, State::Flagged, None),
            Err(TriageError::Same(State::Flagged))
        );
    }

    #[test]
    fn a_dismissed_lead_can_only_be_reopened_explicitly() {
        assert_eq!(
            check_transition(State::Dismissed, State::Flagged, None),
            Ok(())
        );
        let err = check_transition(State::Dismissed, State::Koploper, None).unwrap_err();
        assert!(err.to_string().contains("alleen naar 'te volgen'"), "{err}");
    }

    #[test]
    fn states_and_criteria_parse_from_ids_and_dutch() {
        assert_eq!(
            "in beoordeling".parse::<State>().unwrap(),
            State::InAssessment
        );
        assert_eq!(
            "in_assessment".parse::<State>().unwrap(),
            State::InAssessment
        );
        assert_eq!("Te-Volgen".parse::<State>().unwrap(), State::Flagged);
        let err = "later".parse::<State>().unwrap_err().to_string();
        assert!(err.contains("'later'") && err.contains("koploper"), "{err}");
        assert_eq!(
            "aantoonbaar resultaat".parse::<Criterion>().unwrap(),
            Criterion::Resultaat
        );
        assert_eq!(
            "samenwerking".parse::<Criterion>().unwrap(),
            Criterion::Samenwerken
        );
        assert!("snel".parse::<Criterion>().is_err());
    }

    #[test]
    fn due_dates_are_strict() {
        assert!(parse_due("2026-12-01").is_ok());
        assert_eq!(
            parse_due("1-12-2026"),
            Err(TriageError::BadDate("1-12-2026".into()))
        );
    }
}
