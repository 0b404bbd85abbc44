//! Triage in the store: follow-up state, owner, append-only notes,
//! follow-up date, the Koploper checklist and the history of every change.
//!
//! Triage is user work that cannot be fetched again, so every command is
//! one IMMEDIATE transaction committed with `synchronous = FULL` before the
//! command reports success (the rest of the store runs with NORMAL). Triage
//! rows are keyed by article id and remember the story cluster at the time
//! of the last change; a dismissed story stays out of candidates and the
//! digest through the `dismissed_clusters` view, also when it is refetched
//! or another outlet republishes it. Notes and history are append-only
//! (triggers refuse UPDATE and DELETE). Nothing here is in the search
//! index, so `radar reindex` cannot touch it.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;

use super::{Context, Store, StoreError, parse_ts, ts};
use crate::triage::{Criterion, State, TriageError, check_transition};

/// Why a triage command failed.
#[derive(Debug, thiserror::Error)]
pub enum TriageFail {
    /// No article with that id.
    #[error("geen artikel met id {0}")]
    NoArticle(i64),
    /// The workflow refused the change.
    #[error(transparent)]
    Rule(#[from] TriageError),
    /// The store failed; nothing was written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Someone else changed the same thing first; nothing was written.
    #[error("{0}")]
    Conflict(String),
}

/// One note, as written.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Note {
    /// Who wrote it.
    pub author: String,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// The note.
    pub text: String,
}

/// One criterion on the Koploper checklist.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionCheck {
    /// Which criterion.
    pub criterion: Criterion,
    /// Dutch label.
    pub label: &'static str,
    /// Ticked.
    pub checked: bool,
    /// The evidence the advisor wrote.
    pub evidence: Option<String>,
    /// Who ticked it.
    pub by: Option<String>,
    /// When.
    pub at: Option<DateTime<Utc>>,
}

/// One change in the history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// Who.
    pub by: String,
    /// What changed: `state`, `owner`, `due`, `criterion:<id>`, `note`.
    pub field: String,
    /// Old value.
    pub from: Option<String>,
    /// New value.
    pub to: Option<String>,
}

/// The follow-up of one lead.
#[derive(Debug, Clone, Serialize)]
pub struct TriageItem {
    /// Article id.
    pub article_id: i64,
    /// Story cluster at the last change.
    pub cluster_id: Option<i64>,
    /// State.
    pub state: State,
    /// Who follows it up.
    pub owner: Option<String>,
    /// Follow-up date.
    pub due: Option<NaiveDate>,
    /// Why it was dismissed.
    pub reason: Option<String>,
    /// First triage action.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Notes, oldest first.
    pub notes: Vec<Note>,
    /// The four criteria, in checklist order.
    pub criteria: Vec<CriterionCheck>,
    /// Every change, oldest first.
    pub history: Vec<HistoryEntry>,
}

/// A triage command: any combination of fields; what is `None` stays.
#[derive(Debug, Clone, Default)]
pub struct Change {
    /// Who makes the change.
    pub by: String,
    /// When (the caller's clock, so tests can fix it).
    pub at: DateTime<Utc>,
    /// New state (checked against the workflow).
    pub state: Option<State>,
    /// Move to `flagged` only when the lead is new or dismissed (`radar flag`).
    pub flag: bool,
    /// Dismissal reason (required with `state = Dismissed`).
    pub reason: Option<String>,
    /// New owner.
    pub owner: Option<String>,
    /// New follow-up date.
    pub due: Option<NaiveDate>,
    /// A note to append.
    pub note: Option<String>,
    /// A criterion to tick, with its evidence.
    pub check: Option<(Criterion, String)>,
    /// A criterion to untick.
    pub uncheck: Option<Criterion>,
}

/// A row of `followups` and `export`.
#[derive(Debug, Clone, Serialize)]
pub struct TriageRow {
    /// Article id.
    pub article_id: i64,
    /// Title.
    pub title: String,
    /// Outlet.
    pub source: String,
    /// Link.
    pub url: Option<String>,
    /// Published (or first seen).
    pub date: Option<DateTime<Utc>>,
    /// Score.
    pub score: Option<f32>,
    /// State.
    pub state: State,
    /// Owner.
    pub owner: Option<String>,
    /// Follow-up date.
    pub due: Option<NaiveDate>,
    /// Dismissal reason.
    pub reason: Option<String>,
    /// Ids of the ticked criteria.
    pub criteria: Vec<String>,
    /// Number of notes.
    pub notes: usize,
    /// Last note, if any.
    pub last_note: Option<String>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

/// A lead the advisors acted on, as feedback for the ranking.
#[derive(Debug, Clone)]
pub struct FeedbackItem {
    /// Article id.
    pub article_id: i64,
    /// Its story cluster.
    pub cluster_id: i64,
    /// State.
    pub state: State,
    /// Dismissal reason.
    pub reason: Option<String>,
    /// Sector of the article, when scored.
    pub sector: Option<String>,
    /// Title and text (for term overlap).
    pub text: String,
    /// Themes that contributed.
    pub themes: Vec<String>,
}

/// checked, evidence, by, at
type CheckRow = (bool, Option<String>, Option<String>, Option<String>);

fn date_str(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

fn parse_date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

fn state_of(s: String) -> State {
    s.parse().unwrap_or(State::New)
}

fn history(
    tx: &Transaction,
    id: i64,
    c: &Change,
    field: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO triage_history (article_id, at, by, field, from_value, to_value)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, ts(c.at), c.by, field, from, to],
    )
    .ctx("writing triage history")?;
    Ok(())
}

impl Store {
    /// Runs `f` in one IMMEDIATE transaction committed with
    /// `synchronous = FULL`: when this returns `Ok`, the change is on disk.
    pub(super) fn durably<T>(
        &mut self,
        f: impl FnOnce(&Transaction) -> Result<T, TriageFail>,
    ) -> Result<T, TriageFail> {
        self.conn
            .pragma_update(None, "synchronous", "FULL")
            .ctx("setting synchronous FULL")?;
        let result = (|| {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .ctx("starting triage transaction")?;
            let v = f(&tx)?;
            tx.commit().ctx("committing triage")?;
            Ok(v)
        })();
        let _ = self.conn.pragma_update(None, "synchronous", "NORMAL");
        result
    }

    /// Applies one triage command to article `id` in one durable
    /// transaction and returns the item as stored. A refused change writes
    /// nothing.
    pub fn triage_apply(&mut self, id: i64, c: &Change) -> Result<TriageItem, TriageFail> {
        if c.note.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(TriageError::EmptyNote.into());
        }
        if let Some((crit, ev)) = &c.check {
            if ev.trim().is_empty() {
                return Err(TriageError::NoEvidence(crit.dutch().into()).into());
            }
        }
        self.durably(|tx| {
            let cluster: Option<i64> = tx
                .query_row(
                    "SELECT COALESCE(cluster_id, id) FROM articles WHERE id = ?1",
                    [id],
                    |r| r.get(0),
                )
                .optional()
                .ctx("reading article")?
                .ok_or(TriageFail::NoArticle(id))?;
            let now = ts(c.at);
            let current: Option<(String, Option<String>, Option<String>)> = tx
                .query_row(
                    "SELECT state, owner, due FROM triage_items WHERE article_id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()
                .ctx("reading triage item")?;
            if current.is_none() {
                tx.execute(
                    "INSERT INTO triage_items (article_id, cluster_id, state, created_at, updated_at)
                     VALUES (?1, ?2, 'new', ?3, ?3)",
                    params![id, cluster, now],
                )
                .ctx("creating triage item")?;
            }
            let (state, owner, due) = current.unwrap_or(("new".into(), None, None));
            let from = state_of(state);
            let target = match (c.state, c.flag) {
                (Some(s), _) => Some(s),
                (None, true) if matches!(from, State::New | State::Dismissed) => {
                    Some(State::Flagged)
                }
                _ => None,
            };
            if let Some(to) = target {
                check_transition(from, to, c.reason.as_deref())?;
                let reason = (to == State::Dismissed).then(|| c.reason.clone()).flatten();
                tx.execute(
                    "UPDATE triage_items SET state = ?2, reason = ?3 WHERE article_id = ?1",
                    params![id, to.id(), reason.as_deref().map(str::trim)],
                )
                .ctx("updating state")?;
                let to_text = match &reason {
                    Some(r) => format!("{} ({})", to.id(), r.trim()),
                    None => to.id().to_string(),
                };
                history(tx, id, c, "state", Some(from.id()), Some(&to_text))?;
            }
            if let Some(o) = c.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
                if owner.as_deref() != Some(o) {
                    tx.execute(
                        "UPDATE triage_items SET owner = ?2 WHERE article_id = ?1",
                        params![id, o],
                    )
                    .ctx("updating owner")?;
                    history(tx, id, c, "owner", owner.as_deref(), Some(o))?;
                }
            }
            if let Some(d) = date_str(c.due) {
                if due.as_deref() != Some(d.as_str()) {
                    tx.execute(
                        "UPDATE triage_items SET due = ?2 WHERE article_id = ?1",
                        params![id, d],
                    )
                    .ctx("updating due date")?;
                    history(tx, id, c, "due", due.as_deref(), Some(&d))?;
                }
            }
            if let Some((crit, ev)) = &c.check {
                tx.execute(
                    "INSERT INTO triage_criteria (article_id, criterion, checked, evidence, by, at)
                     VALUES (?1, ?2, 1, ?3, ?4, ?5)
                     ON CONFLICT(article_id, criterion) DO UPDATE SET checked = 1,
                        evidence = excluded.evidence, by = excluded.by, at = excluded.at",
                    params![id, crit.id(), ev.trim(), c.by, now],
                )
                .ctx("ticking criterion")?;
                history(
                    tx,
                    id,
                    c,
                    &format!("criterion:{}", crit.id()),
                    None,
                    Some(ev.trim()),
                )?;
            }
            if let Some(crit) = c.uncheck {
                tx.execute(
                    "UPDATE triage_criteria SET checked = 0, by = ?3, at = ?4
                     WHERE article_id = ?1 AND criterion = ?2",
                    params![id, crit.id(), c.by, now],
                )
                .ctx("unticking criterion")?;
                history(
                    tx,
                    id,
                    c,
                    &format!("criterion:{}", crit.id()),
                    Some("checked"),
                    None,
                )?;
            }
            if let Some(n) = c.note.as_deref() {
                tx.execute(
                    "INSERT INTO triage_notes (article_id, author, at, text) VALUES (?1, ?2, ?3, ?4)",
                    params![id, c.by, now, n.trim()],
                )
                .ctx("adding note")?;
                history(tx, id, c, "note", None, Some(n.trim()))?;
            }
            tx.execute(
                "UPDATE triage_items SET updated_at = ?2, cluster_id = ?3 WHERE article_id = ?1",
                params![id, now, cluster],
            )
            .ctx("touching triage item")?;
            Ok(())
        })?;
        self.triage_item(id)?.ok_or(TriageFail::NoArticle(id))
    }

    /// The follow-up of one article, or `None` when nobody acted on it.
    pub fn triage_item(&self, id: i64) -> Result<Option<TriageItem>, StoreError> {
        let Some(mut item) = self
            .conn
            .query_row(
                "SELECT article_id, cluster_id, state, owner, due, reason, created_at, updated_at
                 FROM triage_items WHERE article_id = ?1",
                [id],
                |r| {
                    Ok(TriageItem {
                        article_id: r.get(0)?,
                        cluster_id: r.get(1)?,
                        state: state_of(r.get(2)?),
                        owner: r.get(3)?,
                        due: parse_date(r.get(4)?),
                        reason: r.get(5)?,
                        created_at: parse_ts(r.get(6)?).unwrap_or_default(),
                        updated_at: parse_ts(r.get(7)?).unwrap_or_default(),
                        notes: Vec::new(),
                        criteria: Vec::new(),
                        history: Vec::new(),
                    })
                },
            )
            .optional()
            .ctx("reading triage item")?
        else {
            return Ok(None);
        };
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT author, at, text FROM triage_notes WHERE article_id = ?1 ORDER BY id",
            )
            .ctx("preparing notes")?;
        item.notes = stmt
            .query_map([id], |r| {
                Ok(Note {
                    author: r.get(0)?,
                    at: parse_ts(r.get(1)?).unwrap_or_default(),
                    text: r.get(2)?,
                })
            })
            .ctx("reading notes")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading notes")?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT checked, evidence, by, at FROM triage_criteria
                 WHERE article_id = ?1 AND criterion = ?2",
            )
            .ctx("preparing criteria")?;
        for crit in Criterion::ALL {
            let row: Option<CheckRow> = stmt
                .query_row(params![id, crit.id()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()
                .ctx("reading criteria")?;
            let (checked, evidence, by, at) = row.unwrap_or((false, None, None, None));
            item.criteria.push(CriterionCheck {
                criterion: crit,
                label: crit.dutch(),
                checked,
                evidence,
                by,
                at: parse_ts(at),
            });
        }
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT at, by, field, from_value, to_value FROM triage_history
                 WHERE article_id = ?1 ORDER BY id",
            )
            .ctx("preparing history")?;
        item.history = stmt
            .query_map([id], |r| {
                Ok(HistoryEntry {
                    at: parse_ts(r.get(0)?).unwrap_or_default(),
                    by: r.get(1)?,
                    field: r.get(2)?,
                    from: r.get(3)?,
                    to: r.get(4)?,
                })
            })
            .ctx("reading history")?
            .collect::<rusqlite::Result<_>>()
            .ctx("reading history")?;
        Ok(Some(item))
    }

    /// Triage rows, filtered by state (all when `None`), open items only
    /// when `open_only`, with a follow-up date before `due_before` when
    /// given. Ordered by follow-up date (none last), then last change.
    pub fn triage_rows(
        &self,
        state: Option<State>,
        open_only: bool,
        due_before: Option<NaiveDate>,
    ) -> Result<Vec<TriageRow>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT t.article_id, a.title, s.name, a.url, COALESCE(a.published, a.first_seen), a.score,
                        t.state, t.owner, t.due, t.reason, t.updated_at,
                        (SELECT group_concat(c.criterion, ' ') FROM triage_criteria c
                          WHERE c.article_id = t.article_id AND c.checked = 1),
                        (SELECT COUNT(*) FROM triage_notes n WHERE n.article_id = t.article_id),
                        (SELECT n.text FROM triage_notes n WHERE n.article_id = t.article_id
                          ORDER BY n.id DESC LIMIT 1)
                 FROM triage_items t JOIN articles a ON a.id = t.article_id
                 JOIN sources s ON s.id = a.source_id
                 WHERE (?1 IS NULL OR t.state = ?1)
                   AND (NOT ?2 OR t.state IN ('flagged', 'contacted', 'in_assessment'))
                   AND (?3 IS NULL OR (t.due IS NOT NULL AND t.due < ?3))
                 ORDER BY t.due IS NULL, t.due, t.updated_at, t.article_id",
            )
            .ctx("preparing triage list")?;
        let rows = stmt
            .query_map(
                params![state.map(State::id), open_only, date_str(due_before)],
                |r| {
                    Ok(TriageRow {
                        article_id: r.get(0)?,
                        title: r.get(1)?,
                        source: r.get(2)?,
                        url: r.get(3)?,
                        date: parse_ts(r.get(4)?),
                        score: r.get::<_, Option<f64>>(5)?.map(|v| v as f32),
                        state: state_of(r.get(6)?),
                        owner: r.get(7)?,
                        due: parse_date(r.get(8)?),
                        reason: r.get(9)?,
                        updated_at: parse_ts(r.get(10)?).unwrap_or_default(),
                        criteria: r
                            .get::<_, Option<String>>(11)?
                            .map(|s| s.split(' ').map(str::to_string).collect())
                            .unwrap_or_default(),
                        notes: r.get::<_, i64>(12)? as usize,
                        last_note: r.get(13)?,
                    })
                },
            )
            .ctx("listing triage")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("listing triage")
    }

    /// Every lead the advisors acted on (flagged or further, or dismissed),
    /// with what the ranking needs to learn from it.
    pub fn feedback(&self) -> Result<Vec<FeedbackItem>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT t.article_id, COALESCE(a.cluster_id, a.id), t.state, t.reason, a.sector,
                        a.title || ' ' || a.text,
                        (SELECT group_concat(th.theme, ' ') FROM article_themes th WHERE th.article_id = a.id)
                 FROM triage_items t JOIN articles a ON a.id = t.article_id
                 WHERE t.state != 'new' ORDER BY t.article_id",
            )
            .ctx("preparing feedback")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(FeedbackItem {
                    article_id: r.get(0)?,
                    cluster_id: r.get(1)?,
                    state: state_of(r.get(2)?),
                    reason: r.get(3)?,
                    sector: r.get(4)?,
                    text: r.get(5)?,
                    themes: r
                        .get::<_, Option<String>>(6)?
                        .map(|s| s.split(' ').map(str::to_string).collect())
                        .unwrap_or_default(),
                })
            })
            .ctx("reading feedback")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading feedback")
    }

    /// Whether the story of article `id` was dismissed (any copy of it).
    pub fn is_dismissed_story(&self, id: i64) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM dismissed_clusters d JOIN articles a
                   ON d.cid = COALESCE(a.cluster_id, a.id) WHERE a.id = ?1)",
                [id],
                |r| r.get(0),
            )
            .ctx("checking dismissal")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::ArticleDraft;
    use chrono::TimeZone;

    fn store_with(n: usize) -> Store {
        let mut s = Store::open_in_memory().unwrap();
        s.ensure_import_source("src", "Bron").unwrap();
        let drafts: Vec<ArticleDraft> = (0..n)
            .map(|i| {
                ArticleDraft::new(
                    Some(format!("g{i}")),
                    None,
                    &format!("Titel {i}"),
                    None,
                    None,
                    None,
                    format!("tekst nummer {i}"),
                )
            })
            .collect();
        s.upsert_articles("src", &drafts).unwrap();
        s
    }

    fn change(by: &str) -> Change {
        Change {
            by: by.into(),
            at: Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
            ..Change::default()
        }
    }

    #[test]
    fn a_lead_walks_the_workflow_with_history() {
        let mut s = store_with(1);
        let item = s
            .triage_apply(
                1,
                &Change {
                    flag: true,
                    owner: Some("Anna".into()),
                    note: Some("bellen met de projectleider".into()),
                    due: Some(NaiveDate::from_ymd_opt(2026, 11, 10).unwrap()),
                    ..change("anna")
                },
            )
            .unwrap();
        assert_eq!(item.state, State::Flagged);
        assert_eq!(item.owner.as_deref(), Some("Anna"));
        assert_eq!(item.notes.len(), 1);
        assert_eq!(item.notes[0].author, "anna");
        for st in [State::Contacted, State::InAssessment, State::Koploper] {
            s.triage_apply(
                1,
                &Change {
                    state: Some(st),
                    ..change("piet")
                },
            )
            .unwrap();
        }
        let item = s.triage_item(1).unwrap().unwrap();
        assert_eq!(item.state, State::Koploper);
        let states: Vec<(Option<String>, Option<String>)> = item
            .history
            .iter()
            .filter(|h| h.field == "state")
            .map(|h| (h.from.clone(), h.to.clone()))
            .collect();
        assert_eq!(
            states,
            vec![
                (Some("new".into()), Some("flagged".into())),
                (Some("flagged".into()), Some("contacted".into())),
                (Some("contacted".into()), Some("in_assessment".into())),
                (Some("in_assessment".into()), Some("koploper".into())),
            ]
        );
        assert!(
            item.history
                .iter()
                .any(|h| h.field == "owner" && h.by == "anna")
        );
        assert!(item.history.iter().any(|h| h.field == "due"));
    }

    #[test]
    fn a_refused_change_writes_nothing() {
        let mut s = store_with(1);
        s.triage_apply(
            1,
            &Change {
                flag: true,
                ..change("anna")
            },
        )
        .unwrap();
        let err = s
            .triage_apply(
                1,
                &Change {
                    state: Some(State::Koploper),
                    note: Some("dit is een koploper".into()),
                    owner: Some("Kees".into()),
                    ..change("kees")
                },
            )
            .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("'te volgen'") && msg.contains("'koploper'"),
            "{msg}"
        );
        let item = s.triage_item(1).unwrap().unwrap();
        assert_eq!(item.state, State::Flagged);
        assert!(item.notes.is_empty());
        assert_eq!(item.owner, None);
        assert_eq!(item.history.len(), 1);
        // unknown article
        let err = s.triage_apply(99, &change("x")).unwrap_err();
        assert_eq!(err.to_string(), "geen artikel met id 99");
    }

    #[test]
    fn flagging_reopens_a_dismissed_lead_and_keeps_later_states() {
        let mut s = store_with(2);
        s.triage_apply(
            1,
            &Change {
                state: Some(State::Dismissed),
                reason: Some("vacature".into()),
                ..change("a")
            },
        )
        .unwrap();
        assert!(s.is_dismissed_story(1).unwrap());
        let item = s
            .triage_apply(
                1,
                &Change {
                    flag: true,
                    ..change("b")
                },
            )
            .unwrap();
        assert_eq!(item.state, State::Flagged);
        assert_eq!(item.reason, None);
        assert!(!s.is_dismissed_story(1).unwrap());
        // flagging a lead that is further along only adds the note
        for st in [State::Flagged, State::Contacted] {
            s.triage_apply(
                2,
                &Change {
                    state: Some(st),
                    ..change("a")
                },
            )
            .unwrap();
        }
        let item = s
            .triage_apply(
                2,
                &Change {
                    flag: true,
                    note: Some("nog eens".into()),
                    ..change("a")
                },
            )
            .unwrap();
        assert_eq!(item.state, State::Contacted);
        assert_eq!(item.notes.len(), 1);
    }

    #[test]
    fn notes_and_history_are_append_only() {
        let mut s = store_with(1);
        s.triage_apply(
            1,
            &Change {
                note: Some("eerste".into()),
                ..change("a")
            },
        )
        .unwrap();
        s.triage_apply(
            1,
            &Change {
                note: Some("tweede".into()),
                ..change("b")
            },
        )
        .unwrap();
        let item = s.triage_item(1).unwrap().unwrap();
        let texts: Vec<&str> = item.notes.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(texts, ["eerste", "tweede"]);
        assert!(
            s.conn
                .execute("UPDATE triage_notes SET text = 'x'", [])
                .is_err()
        );
        assert!(s.conn.execute("DELETE FROM triage_notes", []).is_err());
        assert!(s.conn.execute("DELETE FROM triage_history", []).is_err());
    }

    #[test]
    fn criteria_need_evidence_and_are_listed_in_order() {
        let mut s = store_with(1);
        let err = s
            .triage_apply(
                1,
                &Change {
                    check: Some((Criterion::Innovatief, " ".into())),
                    ..change("a")
                },
            )
            .unwrap_err();
        assert!(err.to_string().contains("bewijs"), "{err}");
        let item = s
            .triage_apply(
                1,
                &Change {
                    check: Some((Criterion::Resultaat, "40 zij-instromers in 2025".into())),
                    ..change("a")
                },
            )
            .unwrap();
        let ids: Vec<&str> = item.criteria.iter().map(|c| c.criterion.id()).collect();
        assert_eq!(
            ids,
            ["samenwerken", "innovatief", "resultaat", "overdraagbaar"]
        );
        assert!(item.criteria[2].checked);
        assert_eq!(
            item.criteria[2].evidence.as_deref(),
            Some("40 zij-instromers in 2025")
        );
        assert!(!item.criteria[0].checked);
    }

    #[test]
    fn followups_filter_on_open_state_and_due_date() {
        let mut s = store_with(3);
        let d = |day| NaiveDate::from_ymd_opt(2026, 12, day).unwrap();
        for (id, day) in [(1, 5), (2, 1)] {
            s.triage_apply(
                id,
                &Change {
                    flag: true,
                    due: Some(d(day)),
                    ..change("a")
                },
            )
            .unwrap();
        }
        s.triage_apply(
            3,
            &Change {
                state: Some(State::Dismissed),
                reason: Some("andere sector".into()),
                ..change("a")
            },
        )
        .unwrap();
        let ids = |rows: Vec<TriageRow>| rows.iter().map(|r| r.article_id).collect::<Vec<_>>();
        assert_eq!(ids(s.triage_rows(None, true, None).unwrap()), [2, 1]);
        assert_eq!(ids(s.triage_rows(None, true, Some(d(3))).unwrap()), [2]);
        assert_eq!(
            ids(s.triage_rows(Some(State::Dismissed), false, None).unwrap()),
            [3]
        );
        let fb = s.feedback().unwrap();
        assert_eq!(fb.len(), 3);
        assert_eq!(fb[2].reason.as_deref(), Some("andere sector"));
    }
}
