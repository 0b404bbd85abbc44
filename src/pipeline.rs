//! One refresh of one source, top to bottom: load its fetch state → fetch
//! with the stored validators → if modified: parse, build drafts, upsert
//! into the store → record the outcome on the source. After a batch, the
//! articles the index does not have yet are indexed and committed, and only
//! then flagged as indexed in the store.
//!
//! A failing source is data: its outcome is recorded and the batch goes on.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::sync::{Semaphore, watch};

use crate::config::HealthConfig;
use crate::extract::feed::{FeedError, parse_feed};
use crate::extract::{ArticleDraft, drafts_from_feed};
use crate::fetch::{ErrorKind, FetchOutcome, Fetcher, Gate, stopped};
use crate::health::Observation;
use crate::index::SearchIndex;
use crate::rank::{self, ArticleInput, Rules};
use crate::schedule::{Planner, PollFacts};
use crate::sources::{Location, Source, SourceKind};
use crate::store::{FetchRecord, FetchState, ScoreRow, Store, StoreError};

/// What a refresh did to one source.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    /// Source id.
    pub source: String,
    /// Source name.
    pub name: String,
    /// `ok`, `not_modified`, `unchanged`, `deferred` (host held back by a
    /// Retry-After), or an error kind.
    pub outcome: String,
    /// HTTP status when there was one.
    pub http_status: Option<u16>,
    /// New articles.
    pub new: usize,
    /// Articles changed in place.
    pub updated: usize,
    /// Articles seen again.
    pub unchanged: usize,
    /// What went wrong, for failures.
    pub error: Option<String>,
    /// Wall time.
    pub elapsed_ms: u64,
    /// Source-health warning (zero items, another site, silent, suspended).
    pub warning: Option<String>,
    /// When the source is due next (RFC 3339), when scheduled.
    pub next_check_at: Option<String>,
}

impl SourceReport {
    /// Whether this source failed.
    pub fn failed(&self) -> bool {
        self.error.is_some()
    }
}

/// The scoring rules and a version that changes whenever they do, so
/// articles scored by other rules are rescored.
#[derive(Clone)]
pub struct Ranker {
    /// Compiled rules.
    pub rules: Rules,
    /// Hash of the rules text.
    pub version: String,
    /// Where the rules came from (a path or "built-in").
    pub origin: String,
}

impl Ranker {
    /// The built-in themes.
    pub fn builtin() -> Ranker {
        Ranker {
            rules: Rules::builtin(),
            version: version_of(rank::BUILTIN_THEMES),
            origin: "built-in".into(),
        }
    }

    /// The themes file `path`, or the built-in themes when `path` is empty.
    pub fn load(path: &std::path::Path) -> Result<Ranker, String> {
        if path.as_os_str().is_empty() {
            return Ok(Ranker::builtin());
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read themes file {}: {e}", path.display()))?;
        let origin = path.display().to_string();
        let rules = Rules::from_toml(&text, &origin).map_err(|e| e.to_string())?;
        Ok(Ranker {
            rules,
            version: version_of(&text),
            origin,
        })
    }

    /// Scores one article.
    pub fn score(&self, a: &crate::store::Article, source_tags: &[String]) -> rank::Relevance {
        rank::score(
            &self.rules,
            &ArticleInput {
                title: &a.title,
                lead: a.summary.as_deref().unwrap_or(""),
                body: &a.text,
                source_tags,
            },
        )
    }
}

fn version_of(text: &str) -> String {
    body_hash(text.as_bytes())
}

/// Scores every article that has no score from the current rules; returns
/// how many were scored.
pub fn score_pending(store: &mut Store, ranker: &Ranker) -> Result<usize, PipelineError> {
    score_pending_with(store, &ranker.version, |a, tags| ranker.score(a, tags))
}

/// [`score_pending`] with the scoring function given (tests put a failing
/// one in). A panic while scoring one article (a bug meeting text nobody
/// foresaw) must not stop every later cycle at the same article: it is
/// logged, and the article is stored with score 0 and a Dutch reason
/// saying so, so it is not retried until the rules change.
pub(crate) fn score_pending_with(
    store: &mut Store,
    version: &str,
    score: impl Fn(&crate::store::Article, &[String]) -> rank::Relevance + Sync + Send,
) -> Result<usize, PipelineError> {
    let mut total = 0;
    let mut after = i64::MIN;
    loop {
        let batch = store.unscored_after(version, after, 1000)?;
        let Some((last, _)) = batch.last() else {
            break;
        };
        after = last.id;
        // Scoring is pure and CPU-bound: the batch is split across cores.
        let rows: Vec<ScoreRow> = crate::par::map(&batch, |(a, tags)| {
            let rel = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| score(a, tags)))
                .unwrap_or_else(|_| {
                    tracing::error!(
                        article = a.id,
                        "scoring this article panicked (a bug; please report it); stored with score 0"
                    );
                    rank::Relevance {
                        reason: "Score kon niet worden berekend door een fout in radar; \
                                 de beheerder vindt de melding in het logboek."
                            .into(),
                        ..Default::default()
                    }
                });
            ScoreRow {
                id: a.id,
                score: rel.score,
                relevance_json: serde_json::to_string(&rel).unwrap_or_default(),
                sector: rel.sector.clone(),
                region: rel.region.clone(),
                themes: rel
                    .themes
                    .iter()
                    .filter(|t| t.contribution > 0.0)
                    .map(|t| (t.id.clone(), t.contribution))
                    .collect(),
                rules_version: version.to_string(),
            }
        });
        store.save_scores(&rows)?;
        total += rows.len();
    }
    Ok(total)
}

/// After new or changed articles: score, cluster, index. Each step only
/// touches what is pending, so it is cheap to call and safe to repeat.
pub fn process_pending(
    store: &mut Store,
    index: &mut SearchIndex,
    ranker: &Ranker,
) -> Result<usize, PipelineError> {
    score_pending(store, ranker)?;
    store.cluster_pending()?;
    index_pending(store, index)
}

/// Errors that stop a whole run (not a single source).
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The index failed.
    #[error(transparent)]
    Index(#[from] crate::index::IndexError),
}

/// The result of parsing fetched bytes.
enum Parsed {
    Drafts(Vec<ArticleDraft>, Option<FetchState>, FeedFacts),
    Failed(ErrorKind, String),
    /// A list page or mailbox (`intake`): drafts plus what to remember.
    Intake(crate::intake::Outcome),
}

/// What a parsed feed says about itself.
#[derive(Debug, Clone, Default)]
struct FeedFacts {
    items: u64,
    ttl: Option<Duration>,
    site: Option<String>,
}

fn parse(
    body: &[u8],
    content_type: Option<&str>,
    base: Option<&str>,
) -> Result<(Vec<ArticleDraft>, FeedFacts), (ErrorKind, String)> {
    match parse_feed(body, content_type, base) {
        Ok(p) => {
            let facts = FeedFacts {
                items: p.feed.entries.len() as u64,
                ttl: p.feed.ttl.map(|m| Duration::from_secs(u64::from(m) * 60)),
                site: p
                    .feed
                    .links
                    .iter()
                    .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                    .and_then(|l| crate::health::site_of(&l.href)),
            };
            Ok((drafts_from_feed(&p.feed), facts))
        }
        Err(FeedError::Empty) => Err((
            ErrorKind::EmptyResponse,
            "the response body is empty".into(),
        )),
        Err(FeedError::NotAFeed { alternates }) => {
            let hint = if alternates.is_empty() {
                "the page advertises no feed links".to_string()
            } else {
                format!("the page advertises these feeds: {}", alternates.join(", "))
            };
            Err((
                ErrorKind::NotAFeed,
                format!("not a feed (HTML or other document); {hint}"),
            ))
        }
        Err(e @ FeedError::Parse { .. }) => Err((ErrorKind::Parse, e.to_string())),
    }
}

pub(crate) fn body_hash(body: &[u8]) -> String {
    let d = Sha256::digest(body);
    d.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// Polls in a row that must see the same permanent redirect before radar
/// reads the new URL directly.
pub const MOVE_AFTER: u32 = 3;

/// How one cycle runs: limits, scheduling and shutdown.
pub struct Cycle<'a> {
    /// Sources fetched at the same time.
    pub concurrency: usize,
    /// When set, each source's `next_check_at` is recorded from it.
    pub planner: Option<&'a Planner>,
    /// Suspension and warning thresholds.
    pub health: HealthConfig,
    /// Flips to `true` on shutdown: sources not yet started are skipped,
    /// fetches in flight get `grace` to finish, then are abandoned (and
    /// not recorded, so they stay due).
    pub stop: Option<watch::Receiver<bool>>,
    /// See `stop`.
    pub grace: Duration,
    /// Full-text settings for teaser items.
    pub extract: crate::config::ExtractConfig,
}

/// Fetches the given sources (at most `cycle.concurrency` at a time), stores what
/// they yield, records every outcome (health, next due time), fetches article
/// pages for teasers, then scores, clusters and indexes the new articles;
/// handles shutdown. `progress` is called once per finished source.
pub async fn refresh_cycle(
    store: &mut Store,
    index: &mut SearchIndex,
    ranker: &Ranker,
    fetcher: &Fetcher,
    sources: &[Source],
    cycle: &Cycle<'_>,
    mut progress: impl FnMut(&SourceReport),
) -> Result<Vec<SourceReport>, PipelineError> {
    store.sync_sources(sources)?;
    let limit = Arc::new(Semaphore::new(cycle.concurrency.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, s) in sources.iter().enumerate().filter(|(_, s)| s.enabled) {
        let state = store.fetch_state(&s.id)?;
        // Pages and mailboxes go through `intake`, with what the store knows.
        let intake = match s.kind {
            SourceKind::Feed => None,
            _ => Some((s.clone(), crate::intake::Known::load(store, &s.id)?)),
        };
        let fetcher = fetcher.clone();
        // A permanent redirect seen on MOVE_AFTER polls in a row is
        // followed directly; 302/307 never count.
        let adopted = match (&s.location, store.moved(&s.id)?) {
            (Location::Http(_), Some((u, n))) if n >= MOVE_AFTER => url::Url::parse(&u).ok(),
            _ => None,
        };
        let location = match &adopted {
            Some(u) => Location::Http(u.clone()),
            None => s.location.clone(),
        };
        let adopted = adopted.is_some();
        let gate = Gate {
            global: Some(limit.clone()),
            stop: cycle.stop.clone(),
        };
        let mut stop = cycle.stop.clone();
        let grace = cycle.grace;
        tasks.spawn(async move {
            if stop.as_ref().is_some_and(|rx| *rx.borrow()) {
                return None;
            }
            let started = (Utc::now(), Instant::now());
            if let Some((source, known)) = intake {
                // Intake makes its own requests (through the same fetcher and
                // its per-host limits); it counts as one global slot.
                let o = tokio::select! {
                    o = async {
                        let _slot = gate.global_permit().await?;
                        Some(crate::intake::refresh(&source, &fetcher, &state, known).await)
                    } => o?,
                    _ = async { stopped(&mut stop).await; tokio::time::sleep(grace).await } => return None,
                };
                let status = o.http_status;
                return Some((
                    i,
                    started,
                    (Some(Parsed::Intake(o)), status, None),
                    None,
                    None,
                    None,
                ));
            }
            // Waiting for permits ends at once on stop; a request in flight
            // gets the grace period.
            let outcome = tokio::select! {
                o = fetcher.fetch_gated(&location, &state, &gate) => o?,
                _ = async { stopped(&mut stop).await; tokio::time::sleep(grace).await } => return None,
            };
            let (cache_floor, retry_after, moved) = match &outcome {
                FetchOutcome::Fresh {
                    cache_floor,
                    moved_to,
                    ..
                }
                | FetchOutcome::NotModified {
                    cache_floor,
                    moved_to,
                    ..
                } => (*cache_floor, None, (!adopted).then(|| moved_to.clone())),
                FetchOutcome::Failed(f) => (None, f.retry_after, None),
            };
            let base = match (&outcome, &location) {
                (
                    FetchOutcome::Fresh {
                        final_url: Some(u), ..
                    },
                    _,
                ) => Some(u.clone()),
                (_, Location::Http(u)) => Some(u.to_string()),
                _ => None,
            };
            // Parsing big documents is CPU work: keep it off the I/O threads.
            let parsed = tokio::task::spawn_blocking(move || match outcome {
                FetchOutcome::Fresh {
                    body,
                    content_type,
                    etag,
                    last_modified,
                    status,
                    ..
                } => {
                    let hash = body_hash(&body);
                    if state.body_hash.as_deref() == Some(hash.as_str()) {
                        return (None, Some(status), Some("unchanged"));
                    }
                    let new_state = FetchState {
                        etag,
                        last_modified,
                        body_hash: Some(hash),
                    };
                    match parse(&body, content_type.as_deref(), base.as_deref()) {
                        Ok((d, facts)) => (
                            Some(Parsed::Drafts(d, Some(new_state), facts)),
                            Some(status),
                            None,
                        ),
                        Err((k, m)) => (Some(Parsed::Failed(k, m)), Some(status), None),
                    }
                }
                FetchOutcome::NotModified { status, .. } => {
                    (None, Some(status), Some("not_modified"))
                }
                FetchOutcome::Failed(f) if f.kind == ErrorKind::Deferred => {
                    (None, None, Some("deferred"))
                }
                FetchOutcome::Failed(f) => {
                    (Some(Parsed::Failed(f.kind, f.message)), f.http_status, None)
                }
            })
            .await
            .unwrap_or_else(|e| {
                (
                    Some(Parsed::Failed(
                        ErrorKind::Other,
                        format!("parser crashed: {e}"),
                    )),
                    None,
                    None,
                )
            });
            Some((i, started, parsed, cache_floor, retry_after, moved))
        });
    }
    let mut reports = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let Ok(Some((
            i,
            (started_at, t0),
            (parsed, http_status, quiet),
            cache_floor,
            retry_after,
            moved,
        ))) = joined
        else {
            continue;
        };
        let s = &sources[i];
        let mut rec = FetchRecord {
            started_at,
            elapsed_ms: 0,
            outcome: quiet.unwrap_or("ok").to_string(),
            http_status,
            error: None,
            state: None,
            new: 0,
            updated: 0,
            unchanged: 0,
        };
        let mut facts = None;
        match parsed {
            Some(Parsed::Drafts(drafts, state, f)) => {
                let st = tokio::task::block_in_place(|| store.upsert_articles(&s.id, &drafts))?;
                rec.new = st.new;
                rec.updated = st.updated;
                rec.unchanged = st.unchanged;
                rec.state = state;
                facts = Some(f);
            }
            Some(Parsed::Failed(kind, message)) => {
                rec.outcome = kind.as_str().to_string();
                rec.error = Some(message);
            }
            Some(Parsed::Intake(o)) => {
                let st = tokio::task::block_in_place(|| store.upsert_articles(&s.id, &o.drafts))?;
                tokio::task::block_in_place(|| {
                    store.set_text_methods(&s.id, &o.text_methods)?;
                    store.mark_intake_seen(&s.id, &o.marks)
                })?;
                rec.new = st.new;
                rec.updated = st.updated;
                rec.unchanged = st.unchanged;
                rec.state = o.state;
                if let Some(q) = o.quiet {
                    rec.outcome = q.to_string();
                }
                if let Some((kind, message)) = o.error {
                    rec.outcome = kind.as_str().to_string();
                    rec.error = Some(message);
                }
            }
            None => {}
        }
        rec.elapsed_ms = t0.elapsed().as_millis() as u64;
        let now = Utc::now();
        if let Some(m) = &moved {
            store.record_move(&s.id, m.as_deref())?;
        }
        let (warning, next_check_at) = tokio::task::block_in_place(|| {
            record_outcome(
                store,
                s,
                &rec,
                facts.as_ref(),
                cache_floor,
                retry_after,
                cycle,
                now,
            )
        })?;
        if let Some(e) = &rec.error {
            tracing::warn!(source = %s.id, outcome = %rec.outcome, error = %e, "source failed");
        }
        if let Some(w) = &warning {
            tracing::warn!(source = %s.id, warning = %w, "source health");
        }
        let report = SourceReport {
            source: s.id.clone(),
            name: s.name.clone(),
            outcome: rec.outcome,
            http_status: rec.http_status,
            new: rec.new,
            updated: rec.updated,
            unchanged: rec.unchanged,
            error: rec.error,
            elapsed_ms: rec.elapsed_ms,
            warning,
            next_check_at,
        };
        progress(&report);
        reports.push(report);
    }
    reports.sort_by_key(|r| sources.iter().position(|s| s.id == r.source));
    // Article pages for teasers; skipped when shutting down (they stay
    // pending for the next cycle).
    let stopping = cycle.stop.as_ref().is_some_and(|rx| *rx.borrow());
    if !stopping {
        let ft = crate::fulltext::fill_pending(
            store,
            fetcher,
            sources,
            &cycle.extract,
            cycle.concurrency,
        )
        .await?;
        if ft.fetched > 0 {
            tracing::info!(
                fetched = ft.fetched,
                extracted = ft.extracted,
                failed = ft.failed,
                "article pages"
            );
        }
    }
    tokio::task::block_in_place(|| process_pending(store, index, ranker))?;
    Ok(reports)
}

/// Records a poll on the source: the fetch log, health (suspension and
/// warnings) and, with a planner, when it is due next.
#[allow(clippy::too_many_arguments)]
fn record_outcome(
    store: &mut Store,
    s: &Source,
    rec: &FetchRecord,
    facts: Option<&FeedFacts>,
    cache_floor: Option<Duration>,
    retry_after: Option<Duration>,
    cycle: &Cycle<'_>,
    now: chrono::DateTime<Utc>,
) -> Result<(Option<String>, Option<String>), PipelineError> {
    let prior = store.health_state(&s.id)?;
    // A deferred source was not asked: nothing to record but when to ask.
    let deferred = rec.outcome == "deferred";
    let obs = Observation {
        failed: rec.error.is_some(),
        item_count: facts.map(|f| f.items),
        new_items: rec.new as u64,
        feed_site: facts.and_then(|f| f.site.clone()),
    };
    let mut warning = prior.warning.clone();
    if !deferred {
        store.record_fetch(&s.id, rec)?;
        let mut verdict = crate::health::assess(&prior, &obs, &cycle.health, now);
        let noted = verdict
            .warning
            .as_deref()
            .is_some_and(|w| w.contains("moved permanently"));
        if let Some((to, n)) = store
            .moved(&s.id)?
            .filter(|(_, n)| *n >= MOVE_AFTER && !noted)
        {
            let note = format!(
                "moved permanently to {to} (seen {n} times); radar now reads that URL: update `url` of `{}` in {}",
                s.id,
                s.origin.display()
            );
            verdict.warning = Some(match verdict.warning.take() {
                Some(w) => format!("{w}; {note}"),
                None => note,
            });
        }
        store.record_health(&s.id, &verdict, now)?;
        warning = verdict.warning;
    }
    let mut next = None;
    if let Some(planner) = cycle.planner {
        let floor = match (facts.and_then(|f| f.ttl), cache_floor) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let poll = PollFacts {
            weekly_new: store.weekly_new(&s.id, now)?,
            errors: match (deferred, obs.failed) {
                (true, _) => prior.error_count,
                (false, true) => prior.error_count + 1,
                (false, false) => 0,
            },
            cache_floor: floor,
            retry_after,
        };
        let at = planner.next_check(&planner.schedule_for(s), now, &poll);
        store.set_next_check(&s.id, at)?;
        next = Some(crate::store::ts(at));
    }
    Ok((warning, next))
}

/// Indexes every article the store has not seen committed to the index,
/// in batches; returns how many were indexed. Idempotent: safe after a
/// crash between the store and the index commits.
pub fn index_pending(store: &mut Store, index: &mut SearchIndex) -> Result<usize, PipelineError> {
    // Read in batches, commit (an fsync and a new segment) only every
    // COMMIT documents: articles are marked indexed after the commit that
    // holds them, so a crash in between only means indexing them again.
    const BATCH: usize = 2000;
    const COMMIT: usize = 50_000;
    let mut total = 0;
    let mut pending: Vec<i64> = Vec::new();
    let mut after = i64::MIN;
    loop {
        let batch = store.unindexed_after(after, BATCH)?;
        let done = batch.len() < BATCH;
        if let Some(last) = batch.last() {
            after = last.id;
            index.upsert(&batch)?;
            pending.extend(batch.iter().map(|a| a.id));
            total += batch.len();
        }
        if !pending.is_empty() && (done || pending.len() >= COMMIT) {
            index.commit()?;
            store.mark_indexed(&pending)?;
            pending.clear();
        }
        if done {
            break;
        }
    }
    Ok(total)
}

/// Rebuilds the index from the store.
pub fn reindex(store: &mut Store, index: &mut SearchIndex) -> Result<usize, PipelineError> {
    index.clear()?;
    index.commit()?;
    store.mark_all_unindexed()?;
    index_pending(store, index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_scoring_one_article_spares_the_others() {
        let mut store = Store::open_in_memory().unwrap();
        store.ensure_import_source("t", "T").unwrap();
        let drafts: Vec<ArticleDraft> = ["Eerste", "Boem", "Derde"]
            .iter()
            .map(|t| {
                ArticleDraft::new(
                    None,
                    Some(format!("https://zorg.nl/{t}")),
                    t,
                    None,
                    None,
                    None,
                    format!("{t}: zij-instromers in de ouderenzorg leren op de werkvloer."),
                )
            })
            .collect();
        store.upsert_articles("t", &drafts).unwrap();
        let ranker = Ranker::builtin();
        let scored = score_pending_with(&mut store, &ranker.version, |a, tags| {
            assert_ne!(a.title, "Boem", "a scoring bug");
            ranker.score(a, tags)
        })
        .unwrap();
        assert_eq!(scored, 3, "the batch goes on after the panic");
        let ids = store
            .recent_ids(chrono::DateTime::<Utc>::MIN_UTC, 10)
            .unwrap();
        for id in ids {
            let a = store.article(id).unwrap().unwrap();
            let why: rank::Relevance =
                serde_json::from_str(&store.relevance(id).unwrap().unwrap()).unwrap();
            if a.title == "Boem" {
                assert_eq!(a.score, Some(0.0));
                assert!(why.reason.contains("fout in radar"), "{}", why.reason);
            } else {
                assert!(a.score.unwrap() > 0.0, "{} was scored", a.title);
            }
        }
        // Not tried again with the same rules (no crash loop).
        assert_eq!(score_pending(&mut store, &ranker).unwrap(), 0);
    }
}
