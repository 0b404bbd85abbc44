//! `radar import --jsonl`: an article archive, one JSON object per line, in.
//! Drafts grouped per source into the store, with per-line errors, out.
//!
//! Each line needs `url`, `title` and `body`; `source`, `published` and
//! `summary` are optional and anything else is ignored. A bad line is
//! reported with its number and skipped. Keys come from the canonical URL,
//! so importing the same file twice creates no duplicates.

use std::collections::BTreeMap;
use std::io::BufRead;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::extract::{ArticleDraft, html};
use crate::store::{Store, StoreError, UpsertStats};

#[derive(Deserialize)]
struct Line {
    url: String,
    title: String,
    body: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    summary: Option<String>,
}

/// A line that could not be imported.
#[derive(Debug, Clone, Serialize)]
pub struct LineError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// Lines read (non-empty).
    pub lines: usize,
    /// Store counts.
    pub stats: UpsertStats,
    /// Skipped lines.
    pub errors: Vec<LineError>,
}

/// Parses a date in the forms archives use: RFC 3339, `YYYY-MM-DD`, RFC 2822.
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

/// The source id used for imported articles of outlet `name`.
pub fn import_source_id(name: Option<&str>) -> String {
    let slug: String = name
        .unwrap_or("")
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let slug = slug.trim_matches('-').to_string();
    if slug.is_empty() {
        "import".into()
    } else {
        format!("import-{slug}")
    }
}

/// Reads JSONL from `reader` and stores every good line.
pub fn import_jsonl(store: &mut Store, reader: impl BufRead) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::default();
    let mut groups: BTreeMap<String, (String, Vec<ArticleDraft>)> = BTreeMap::new();
    for (n, line) in reader.lines().enumerate() {
        let lineno = n + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                report.errors.push(LineError {
                    line: lineno,
                    message: format!("unreadable: {e}"),
                });
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        report.lines += 1;
        let parsed: Line = match serde_json::from_str(&line) {
            Ok(p) => p,
            Err(e) => {
                report.errors.push(LineError {
                    line: lineno,
                    message: e.to_string(),
                });
                continue;
            }
        };
        if parsed.title.trim().is_empty() || parsed.body.trim().is_empty() {
            report.errors.push(LineError {
                line: lineno,
                message: "`title` and `body` must not be empty".into(),
            });
            continue;
        }
        let published = match parsed.published.as_deref().filter(|s| !s.trim().is_empty()) {
            None => None,
            Some(s) => match parse_date(s) {
                Some(d) => Some(d),
                None => {
                    report.errors.push(LineError {
                        line: lineno,
                        message: format!("`published` {s:?} is not a date (use RFC 3339 or YYYY-MM-DD); imported without date"),
                    });
                    None
                }
            },
        };
        let url = Some(parsed.url.trim().to_string()).filter(|u| !u.is_empty());
        let draft = ArticleDraft::new(
            None,
            url,
            &parsed.title,
            None,
            published,
            parsed
                .summary
                .map(|s| html::to_text(&s))
                .filter(|s| !s.is_empty()),
            html::to_text(&parsed.body),
        );
        let id = import_source_id(parsed.source.as_deref());
        let name = parsed.source.clone().unwrap_or_else(|| "Import".into());
        groups
            .entry(id)
            .or_insert_with(|| (name, Vec::new()))
            .1
            .push(draft);
    }
    for (id, (name, drafts)) in groups {
        store.ensure_import_source(&id, &name)?;
        let st = store.upsert_articles(&id, &drafts)?;
        report.stats.new += st.new;
        report.stats.updated += st.updated;
        report.stats.unchanged += st.unchanged;
    }
    Ok(report)
}
