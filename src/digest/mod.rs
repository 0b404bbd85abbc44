//! The digest: the new leads since the previous digest, best first, grouped
//! by theme, one lead per story, with a footer on what was read, the
//! themes without leads and the sources that failed.
//!
//! * [`select`] builds a [`Digest`] from the store (no writes);
//! * [`render`] turns it into HTML (for e-mail clients), Markdown, plain
//!   text, JSON or an Atom feed;
//! * [`email`] sends it over SMTP;
//! * [`run_digest_job`] is the whole job: select, render, keep the files in
//!   `<data_dir>/digests/`, record the digest in the store (so the next one
//!   starts where this one ended) and send it. `radar digest` and the
//!   scheduler (`radar run`) call it.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::pipeline::Ranker;
use crate::rank::Rules;
use crate::store::{DigestRecord, Store, StoredLead};
use crate::triage::feedback::{self, FeedbackModel, MAX_BOOST};

pub mod email;
pub mod render;

pub use render::Format;

/// Theme id of leads that matched no theme.
pub const OTHER_THEME: &str = "overig";

/// What to select.
#[derive(Debug, Clone)]
pub struct Options {
    /// The clock: the window ends here.
    pub now: DateTime<Utc>,
    /// Start of the window; `None`: where the last digest ended (or
    /// `first_days` back for the very first digest).
    pub since: Option<DateTime<Utc>>,
    /// How far the very first digest looks back.
    pub first_days: u32,
    /// Leads need at least this score (after feedback).
    pub min_score: f32,
    /// Most leads per theme.
    pub per_theme: usize,
    /// Title.
    pub title: String,
}

impl Options {
    /// Options from the `[digest]` config at `now`.
    pub fn from_config(config: &Config, now: DateTime<Utc>) -> Options {
        Options {
            now,
            since: None,
            first_days: config.digest.first_days,
            min_score: config.digest.min_score,
            per_theme: config.digest.per_theme,
            title: config.digest.title.clone(),
        }
    }
}

/// One lead in the digest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Lead {
    /// Article id (`radar show ID`).
    pub id: i64,
    /// Title.
    pub title: String,
    /// Outlet.
    pub source: String,
    /// Publication date (first-seen time when the feed gave none).
    pub date: DateTime<Utc>,
    /// Link.
    pub url: Option<String>,
    /// Score 0–100, feedback included.
    pub score: f32,
    /// Labels of the themes it matched, strongest first.
    pub themes: Vec<String>,
    /// radar's one-line reason.
    pub reason: String,
    /// Other outlets with the same story.
    pub also_in: u32,
    /// Who tipped it, for tips.
    pub tip_from: Option<String>,
    /// How triage feedback moved it (Dutch lines).
    pub feedback: Vec<String>,
}

/// Leads of one theme.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Section {
    /// Theme id.
    pub theme: String,
    /// Theme label.
    pub label: String,
    /// Leads, best first.
    pub leads: Vec<Lead>,
    /// Leads above the threshold left out by the per-theme cap.
    pub more: usize,
}

/// The footer counts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Counts {
    /// Articles radar first saw in the window.
    pub read: u64,
    /// Stories above the threshold (not dismissed, not in an earlier digest).
    pub candidates: u64,
    /// Leads shown.
    pub shown: u64,
}

/// A source whose last fetch failed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UnhealthySource {
    /// Source id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Error kind and message.
    pub error: String,
    /// Consecutive failures.
    pub failures: u32,
    /// Last success, if any.
    pub last_success: Option<String>,
}

/// A digest, ready to render.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Digest {
    /// Title.
    pub title: String,
    /// When it was made.
    pub generated_at: DateTime<Utc>,
    /// Stories first seen at or after this time...
    pub window_start: DateTime<Utc>,
    /// ...and before this one.
    pub window_end: DateTime<Utc>,
    /// Threshold used.
    pub min_score: f32,
    /// Sections, best first.
    pub sections: Vec<Section>,
    /// Counts for the footer.
    pub counts: Counts,
    /// Labels of themes without leads this period.
    pub blind_spots: Vec<String>,
    /// Sources whose last fetch failed.
    pub unhealthy_sources: Vec<UnhealthySource>,
}

impl Digest {
    /// Every lead, in digest order.
    pub fn leads(&self) -> impl Iterator<Item = &Lead> {
        self.sections.iter().flat_map(|s| s.leads.iter())
    }

    /// Whether there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.counts.shown == 0
    }

    /// E-mail subject.
    pub fn subject(&self) -> String {
        let n = self.counts.shown;
        let what = match n {
            0 => "geen nieuwe leads".to_string(),
            1 => "1 nieuwe lead".to_string(),
            n => format!("{n} nieuwe leads"),
        };
        format!(
            "{} — {} ({what})",
            self.title,
            crate::nltime::date(self.window_end)
        )
    }
}

#[derive(Deserialize)]
struct ReasonOnly {
    #[serde(default)]
    reason: String,
}

/// Selects the digest from the store. Reads only.
pub fn select(store: &Store, rules: &Rules, opts: &Options) -> anyhow::Result<Digest> {
    let end = opts.now;
    let start = match opts.since {
        Some(s) => s,
        None => store
            .last_digest_end()?
            .unwrap_or(end - Duration::days(opts.first_days as i64)),
    };
    let floor = (opts.min_score - MAX_BOOST).max(0.0);
    let (seen_clusters, seen_articles) = store.digested()?;
    let mut cands: Vec<_> = store
        .candidates(Some(start), None, floor, 100_000)?
        .into_iter()
        .filter(|c| c.cluster_first_seen < end)
        .collect();
    let mut clusters = Vec::with_capacity(cands.len());
    let mut keep = Vec::with_capacity(cands.len());
    for c in cands.drain(..) {
        let cid = store.cluster_of(c.article.id)?.unwrap_or(c.article.id);
        if seen_clusters.contains(&cid) || seen_articles.contains(&c.article.id) {
            continue;
        }
        clusters.push(cid);
        keep.push(c);
    }
    let fb_items = store.feedback()?;
    let texts: Vec<String> = keep
        .iter()
        .map(|c| format!("{} {}", c.article.title, c.article.text))
        .collect();
    let model = FeedbackModel::new(&fb_items, texts.iter().map(String::as_str));
    let mut leads: Vec<(String, Lead, DateTime<Utc>)> = Vec::new();
    for ((c, cid), text) in keep.iter().zip(&clusters).zip(&texts) {
        let a = &c.article;
        let adj = model.adjust(a.id, *cid, text, a.sector.as_deref());
        let score = feedback::adjusted(a.score.unwrap_or(0.0), &adj);
        if score < opts.min_score {
            continue;
        }
        let themes = store.themes_of(a.id)?;
        let primary = themes
            .first()
            .cloned()
            .unwrap_or_else(|| OTHER_THEME.to_string());
        let reason = c
            .relevance_json
            .as_deref()
            .and_then(|j| serde_json::from_str::<ReasonOnly>(j).ok())
            .map(|r| r.reason)
            .unwrap_or_default();
        leads.push((
            primary,
            Lead {
                id: a.id,
                title: a.title.clone(),
                source: a.source_name.clone(),
                date: a.published.unwrap_or(a.first_seen),
                url: a.url.clone(),
                score,
                themes: themes.iter().map(|t| rules.theme_label(t)).collect(),
                reason,
                also_in: c.also_in,
                tip_from: a.tip_from.clone(),
                feedback: adj.because,
            },
            a.first_seen,
        ));
    }
    let candidates = leads.len() as u64;
    leads.sort_by(|a, b| {
        b.1.score
            .total_cmp(&a.1.score)
            .then(b.2.cmp(&a.2))
            .then(a.1.id.cmp(&b.1.id))
    });
    let mut sections: Vec<Section> = Vec::new();
    for (theme, lead, _) in leads {
        let idx = match sections.iter().position(|s| s.theme == theme) {
            Some(i) => i,
            None => {
                let label = if theme == OTHER_THEME {
                    "Overig".to_string()
                } else {
                    rules.theme_label(&theme)
                };
                sections.push(Section {
                    theme,
                    label,
                    leads: Vec::new(),
                    more: 0,
                });
                sections.len() - 1
            }
        };
        let s = &mut sections[idx];
        if s.leads.len() < opts.per_theme {
            s.leads.push(lead);
        } else {
            s.more += 1;
        }
    }
    let shown = sections.iter().map(|s| s.leads.len() as u64).sum();
    let blind_spots = rules
        .theme_ids()
        .iter()
        .filter(|id| !sections.iter().any(|s| &s.theme == *id))
        .map(|id| rules.theme_label(id))
        .collect();
    let unhealthy_sources = store
        .sources()?
        .into_iter()
        .filter(|s| s.enabled && s.error_count > 0)
        .map(|s| UnhealthySource {
            error: format!(
                "{}: {}",
                s.last_error_kind.as_deref().unwrap_or("error"),
                s.last_error.as_deref().unwrap_or("")
            ),
            failures: s.error_count,
            last_success: s.last_success_at,
            id: s.id,
            name: s.name,
        })
        .collect();
    Ok(Digest {
        title: opts.title.clone(),
        generated_at: end,
        window_start: start,
        window_end: end,
        min_score: opts.min_score,
        sections,
        counts: Counts {
            read: store.count_first_seen(start, end)?,
            candidates,
            shown,
        },
        blind_spots,
        unhealthy_sources,
    })
}

/// What the digest job should do.
#[derive(Debug, Clone, Default)]
pub struct Job {
    /// Window start instead of the end of the last digest.
    pub since: Option<DateTime<Utc>>,
    /// Send by e-mail (needs `[email]`).
    pub send: bool,
    /// Select and render only: no files in the data dir, nothing recorded,
    /// nothing sent.
    pub dry_run: bool,
}

/// What the digest job did.
#[derive(Debug, Clone, Serialize)]
pub struct DigestReport {
    /// The digest.
    pub digest: Digest,
    /// Id in the store, when recorded.
    pub digest_id: Option<i64>,
    /// Files kept in `<data_dir>/digests/`.
    pub files: Vec<PathBuf>,
    /// Whether it was sent.
    pub sent: bool,
    /// Why sending failed (after retries).
    pub send_error: Option<String>,
}

/// The digest job: select, keep the HTML and JSON in
/// `<data_dir>/digests/YYYY-MM-DD.{html,json}`, record the digest (so the
/// next one starts at `now`) and, with `job.send`, e-mail it (retried; a
/// failure is reported in the result, the digest stays on disk).
///
/// This is the hook for the scheduler: call it with the configured
/// `[digest]` schedule, e.g. `run_digest_job(&config, &ranker, Utc::now(),
/// &Job { send: !config.email.host.is_empty(), ..Job::default() })`.
pub fn run_digest_job(
    config: &Config,
    ranker: &Ranker,
    now: DateTime<Utc>,
    job: &Job,
) -> anyhow::Result<DigestReport> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        anyhow::anyhow!(
            "cannot create data directory {}: {e}",
            config.data_dir.display()
        )
    })?;
    let mut store = Store::open(&config.data_dir.join("radar.db"))?;
    let previous_end = store.last_digest_end()?;
    let mut opts = Options::from_config(config, now);
    opts.since = job.since;
    let digest = select(&store, &ranker.rules, &opts)?;
    let mut report = DigestReport {
        digest,
        digest_id: None,
        files: Vec::new(),
        sent: false,
        send_error: None,
    };
    if job.dry_run {
        return Ok(report);
    }
    let dir = config.data_dir.join("digests");
    report.files = keep_files(&dir, &report.digest)?;
    let mut leads = Vec::new();
    for (i, l) in report.digest.leads().enumerate() {
        leads.push(StoredLead {
            article_id: l.id,
            cluster_id: store.cluster_of(l.id)?.unwrap_or(l.id),
            theme: report
                .digest
                .sections
                .iter()
                .find(|s| s.leads.iter().any(|x| x.id == l.id))
                .map(|s| s.theme.clone()),
            position: i + 1,
        });
    }
    let record = DigestRecord {
        created_at: now,
        window_start: report.digest.window_start,
        window_end: report.digest.window_end,
        min_score: report.digest.min_score,
        read_count: report.digest.counts.read,
        candidate_count: report.digest.counts.candidates,
        leads,
    };
    let id = store.record_digest_after(&record, Some(previous_end))?;
    report.digest_id = Some(id);
    if job.send {
        match email::send_digest(&config.email, &report.digest) {
            Ok(()) => {
                report.sent = true;
                store.record_digest_send(id, Some(Utc::now()), None)?;
            }
            Err(e) => {
                let msg = format!("{e:#}");
                store.record_digest_send(id, None, Some(&msg))?;
                report.send_error = Some(msg);
            }
        }
    }
    Ok(report)
}

/// Leads kept in the subscription feed `leads.atom`.
pub const FEED_LEADS: usize = 100;

/// Rebuilds `<dir>/leads.atom` from the digests kept in `dir` (newest
/// first, at most [`FEED_LEADS`] leads): the feed advisors subscribe to.
pub fn write_leads_feed(dir: &Path, title: &str) -> anyhow::Result<PathBuf> {
    let digests = kept(dir)?;
    let mut seen = std::collections::HashSet::new();
    let mut entries = Vec::new();
    for d in &digests {
        for s in &d.sections {
            for l in &s.leads {
                if entries.len() < FEED_LEADS && seen.insert(l.id) {
                    entries.push((l, s.theme.as_str(), s.label.as_str()));
                }
            }
        }
    }
    let updated = digests.first().map(|d| d.generated_at).unwrap_or_default();
    let path = dir.join("leads.atom");
    let body = render::atom_feed("urn:radar:leads", title, updated, &entries);
    write_atomic(&path, body.as_bytes())?;
    Ok(path)
}

/// The digests kept in `dir` (their JSON files), newest first; files that
/// do not parse are skipped.
pub fn kept(dir: &Path) -> anyhow::Result<Vec<Digest>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut digests: Vec<Digest> = files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .filter_map(|t| serde_json::from_str::<Digest>(&t).ok())
        .collect();
    digests.sort_by_key(|d| std::cmp::Reverse((d.window_end, d.generated_at)));
    Ok(digests)
}

/// The newest digest kept in `dir`, if any (a missing folder is none).
pub fn latest_kept(dir: &Path) -> anyhow::Result<Option<Digest>> {
    if !dir.is_dir() {
        return Ok(None);
    }
    Ok(kept(dir)?.into_iter().next())
}

/// Writes the digest as HTML and JSON into `dir` (atomically: temp file,
/// then rename), named by date; a second digest on one day gets `-2`. Then
/// refreshes the subscription feed `leads.atom`.
fn keep_files(dir: &Path, d: &Digest) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    let day = d.window_end.format("%Y-%m-%d").to_string();
    let mut stem = day.clone();
    let mut n = 1;
    while dir.join(format!("{stem}.json")).exists() {
        n += 1;
        stem = format!("{day}-{n}");
    }
    let mut out = Vec::new();
    for (ext, body) in [
        ("html", render::render(d, Format::Html)),
        ("json", render::render(d, Format::Json)),
    ] {
        let path = dir.join(format!("{stem}.{ext}"));
        write_atomic(&path, body.as_bytes())?;
        out.push(path);
    }
    out.push(write_leads_feed(dir, &d.title)?);
    Ok(out)
}

/// Writes `bytes` to `path` through a temporary file in the same folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| anyhow::anyhow!("cannot write in {}: {e}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(())
}
