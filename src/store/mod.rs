//! SQLite, the source of truth: sources with their fetch state, articles,
//! the fetch log. Only this module speaks SQL.
//!
//! The database runs in WAL mode with embedded, append-only migrations
//! (`PRAGMA user_version` counts how many ran). Articles carry an `indexed`
//! flag that is cleared on every change and set only after the search index
//! has committed them, so a crash between the two commits is repaired by the
//! next run indexing whatever is still unflagged.

use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

mod backup;
mod browse;
mod fulltext;
mod hits;
mod users;

pub use backup::BackupReport;
pub use browse::BrowseRow;
pub use fulltext::{FullTextCandidate, PageText};
pub use hits::HitRow;
mod schedule;

pub use schedule::{HealthState, HealthUpdate, ScheduleRow};
pub use users::{SessionUser, User};

use crate::extract::ArticleDraft;
use crate::sources::Source;

mod digest;
mod triage;
pub use digest::{DigestRecord, StoredLead};
pub use triage::{
    Change, CriterionCheck, FeedbackItem, HistoryEntry, Note, TriageFail, TriageItem, TriageRow,
};

/// A store error, with what we were doing.
#[derive(Debug, thiserror::Error)]
#[error("store: {context}: {source}")]
pub struct StoreError {
    context: String,
    #[source]
    source: rusqlite::Error,
}

/// Result alias for store calls.
pub type Result<T> = std::result::Result<T, StoreError>;

trait Context<T> {
    fn ctx(self, what: &str) -> Result<T>;
}

impl<T> Context<T> for std::result::Result<T, rusqlite::Error> {
    fn ctx(self, what: &str) -> Result<T> {
        self.map_err(|source| StoreError {
            context: what.to_string(),
            source,
        })
    }
}

/// An explanation as stored: LZ4-compressed JSON (a BLOB, ~4× smaller;
/// the explanation was half of a store's bytes).
fn explanation_to(json: &str) -> Vec<u8> {
    lz4_flex::compress_prepend_size(json.as_bytes())
}

/// A stored explanation back as JSON: a BLOB is compressed, TEXT (rows
/// written before compression) is the JSON itself.
fn explanation_from(v: rusqlite::types::ValueRef<'_>) -> rusqlite::Result<Option<String>> {
    use rusqlite::types::{FromSqlError, ValueRef};
    match v {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => Ok(Some(String::from_utf8_lossy(t).into_owned())),
        ValueRef::Blob(b) => lz4_flex::decompress_size_prepended(b)
            .ok()
            .and_then(|raw| String::from_utf8(raw).ok())
            .map(Some)
            .ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(
                    0,
                    rusqlite::types::Type::Blob,
                    Box::new(FromSqlError::Other(
                        "explanation is not LZ4-compressed JSON".into(),
                    )),
                )
            }),
        _ => Err(rusqlite::Error::InvalidColumnType(
            0,
            "relevance".into(),
            v.data_type(),
        )),
    }
}

/// Articles clustered per transaction (tiny in unit tests, so they run
/// through several pages).
const CLUSTER_PAGE: usize = if cfg!(test) { 3 } else { 2000 };

/// Append-only: never edit a migration that has shipped; add a new one.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE sources (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    url              TEXT NOT NULL,
    kind             TEXT NOT NULL,
    tags             TEXT NOT NULL DEFAULT '[]',
    enabled          INTEGER NOT NULL DEFAULT 1,
    etag             TEXT,
    last_modified    TEXT,
    body_hash        TEXT,
    last_status      TEXT,
    last_http_status INTEGER,
    last_fetch_at    TEXT,
    last_success_at  TEXT,
    error_count      INTEGER NOT NULL DEFAULT 0,
    last_error_kind  TEXT,
    last_error       TEXT,
    created_at       TEXT NOT NULL
);
CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    source_id     TEXT NOT NULL REFERENCES sources(id),
    key           TEXT NOT NULL,
    guid          TEXT,
    url           TEXT,
    canonical_url TEXT,
    title         TEXT NOT NULL,
    author        TEXT,
    published     TEXT,
    first_seen    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    summary       TEXT,
    text          TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    indexed       INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX articles_source_key ON articles(source_id, key);
CREATE INDEX articles_source_canonical ON articles(source_id, canonical_url);
CREATE INDEX articles_source_hash ON articles(source_id, content_hash);
CREATE INDEX articles_unindexed ON articles(indexed) WHERE indexed = 0;
CREATE INDEX articles_first_seen ON articles(first_seen);
CREATE TABLE fetch_log (
    id          INTEGER PRIMARY KEY,
    source_id   TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    elapsed_ms  INTEGER NOT NULL,
    outcome     TEXT NOT NULL,
    http_status INTEGER,
    new         INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    error       TEXT
);
CREATE INDEX fetch_log_source ON fetch_log(source_id, started_at);
"#,
    r#"
ALTER TABLE articles ADD COLUMN score REAL;
ALTER TABLE articles ADD COLUMN relevance TEXT;
ALTER TABLE articles ADD COLUMN sector TEXT;
ALTER TABLE articles ADD COLUMN region TEXT;
ALTER TABLE articles ADD COLUMN rules_version TEXT;
ALTER TABLE articles ADD COLUMN cluster_id INTEGER;
CREATE INDEX articles_score ON articles(score);
CREATE INDEX articles_cluster ON articles(cluster_id);
CREATE TABLE article_themes (
    article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    theme        TEXT NOT NULL,
    contribution REAL NOT NULL,
    PRIMARY KEY (article_id, theme)
);
CREATE INDEX article_themes_theme ON article_themes(theme);
CREATE TABLE minhash (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    sig        BLOB NOT NULL
);
CREATE TABLE minhash_bands (
    band_key   INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);
CREATE INDEX minhash_bands_key ON minhash_bands(band_key);
CREATE INDEX minhash_bands_article ON minhash_bands(article_id);
"#,
    // 3: full text and tips. text_method NULL = feed text not yet
    // considered for a page fetch.
    r#"
ALTER TABLE articles ADD COLUMN text_method TEXT;
ALTER TABLE articles ADD COLUMN fulltext_error TEXT;
ALTER TABLE articles ADD COLUMN html TEXT;
ALTER TABLE articles ADD COLUMN image_url TEXT;
ALTER TABLE articles ADD COLUMN tip_from TEXT;
ALTER TABLE articles ADD COLUMN tip_note TEXT;
ALTER TABLE articles ADD COLUMN tipped_at TEXT;
CREATE INDEX articles_fulltext_pending ON articles(first_seen) WHERE text_method IS NULL;
CREATE INDEX articles_canonical ON articles(canonical_url);
"#,
    // 4: scheduling and source health (radar run); see store/schedule.rs.
    r#"
ALTER TABLE sources ADD COLUMN next_check_at TEXT;
ALTER TABLE sources ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN warning TEXT;
ALTER TABLE sources ADD COLUMN feed_site TEXT;
ALTER TABLE sources ADD COLUMN last_item_count INTEGER;
ALTER TABLE sources ADD COLUMN last_new_at TEXT;
CREATE INDEX sources_next_check ON sources(next_check_at);
"#,
    // 5: triage (follow-up of leads) and digests. Triage is user work: it
    // lives only here, never in the (derived) search index.
    r#"
CREATE TABLE triage_items (
    article_id  INTEGER PRIMARY KEY REFERENCES articles(id),
    cluster_id  INTEGER,
    state       TEXT NOT NULL,
    owner       TEXT,
    due         TEXT,
    reason      TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX triage_items_state ON triage_items(state);
CREATE INDEX triage_items_cluster ON triage_items(cluster_id);
CREATE TABLE triage_notes (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    author      TEXT NOT NULL,
    at          TEXT NOT NULL,
    text        TEXT NOT NULL
);
CREATE INDEX triage_notes_article ON triage_notes(article_id, id);
CREATE TABLE triage_criteria (
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    criterion   TEXT NOT NULL,
    checked     INTEGER NOT NULL,
    evidence    TEXT,
    by          TEXT,
    at          TEXT,
    PRIMARY KEY (article_id, criterion)
);
CREATE TABLE triage_history (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    at          TEXT NOT NULL,
    by          TEXT NOT NULL,
    field       TEXT NOT NULL,
    from_value  TEXT,
    to_value    TEXT
);
CREATE INDEX triage_history_article ON triage_history(article_id, id);
CREATE TRIGGER triage_notes_no_update BEFORE UPDATE ON triage_notes
BEGIN SELECT RAISE(ABORT, 'triage notes are append-only'); END;
CREATE TRIGGER triage_notes_no_delete BEFORE DELETE ON triage_notes
BEGIN SELECT RAISE(ABORT, 'triage notes are append-only'); END;
CREATE TRIGGER triage_history_no_update BEFORE UPDATE ON triage_history
BEGIN SELECT RAISE(ABORT, 'triage history is append-only'); END;
CREATE TRIGGER triage_history_no_delete BEFORE DELETE ON triage_history
BEGIN SELECT RAISE(ABORT, 'triage history is append-only'); END;
CREATE VIEW dismissed_clusters AS
    SELECT COALESCE(a.cluster_id, a.id) AS cid FROM triage_items t
    JOIN articles a ON a.id = t.article_id WHERE t.state = 'dismissed'
    UNION
    SELECT t.cluster_id FROM triage_items t
    WHERE t.state = 'dismissed' AND t.cluster_id IS NOT NULL;
CREATE TABLE digests (
    id              INTEGER PRIMARY KEY,
    created_at      TEXT NOT NULL,
    window_start    TEXT,
    window_end      TEXT NOT NULL,
    min_score       REAL NOT NULL,
    read_count      INTEGER NOT NULL,
    candidate_count INTEGER NOT NULL,
    shown           INTEGER NOT NULL,
    sent_at         TEXT,
    send_error      TEXT
);
CREATE TABLE digest_items (
    digest_id   INTEGER NOT NULL REFERENCES digests(id),
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    cluster_id  INTEGER NOT NULL,
    theme       TEXT,
    position    INTEGER NOT NULL,
    PRIMARY KEY (digest_id, article_id)
);
CREATE INDEX digest_items_cluster ON digest_items(cluster_id);
"#,
    // 6: intake memory for list pages and mailboxes: links that yielded no
    // article (not fetched again) and newsletters already processed.
    r#"
CREATE TABLE intake_seen (
    source_id TEXT NOT NULL,
    key       TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    detail    TEXT,
    seen_at   TEXT NOT NULL,
    PRIMARY KEY (source_id, key)
);
"#,
    // 7: permanent redirects seen per source (adopted after repeated
    // sightings; see store/schedule.rs).
    r#"
ALTER TABLE sources ADD COLUMN moved_to TEXT;
ALTER TABLE sources ADD COLUMN moved_seen INTEGER NOT NULL DEFAULT 0;
"#,
    // 8: web: user accounts and log-in sessions. Session tokens are stored
    // hashed (SHA-256); feed tokens protect the Atom feeds of a user.
    r#"
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    feed_token    TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
"#,
    // 9: what the web search reads of every match (browse.rs), as a
    // covering index: reading those columns from the table walked each
    // row's overflow pages (they come after the text and explanation).
    r#"
CREATE INDEX articles_browse ON articles(id, source_id, sector, region, published, first_seen, score);
"#,
    // 10: the explanation of a score (~8 KB of JSON) lives beside the
    // article, not in its row: every later update of the row (cluster,
    // indexed flag, a new score) rewrote it with the row, and each read
    // of a later column walked past it.
    r#"
CREATE TABLE article_explanations (
    article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    relevance  TEXT NOT NULL
);
INSERT INTO article_explanations (article_id, relevance)
    SELECT id, relevance FROM articles WHERE relevance IS NOT NULL;
UPDATE articles SET relevance = NULL WHERE relevance IS NOT NULL;
"#,
];

/// Formats a time the way the store keeps it (RFC 3339, UTC, seconds).
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(crate) fn parse_ts(s: Option<String>) -> Option<DateTime<Utc>> {
    s.and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|d| d.with_timezone(&Utc))
}

/// An open store.
pub struct Store {
    conn: Connection,
}

/// Stored fetch state of a source: what the next request needs.
#[derive(Debug, Clone, Default)]
pub struct FetchState {
    /// ETag exactly as the server sent it.
    pub etag: Option<String>,
    /// Last-Modified exactly as the server sent it.
    pub last_modified: Option<String>,
    /// Hash of the last body we processed.
    pub body_hash: Option<String>,
}

/// What one refresh of one source did, for the source row and the log.
#[derive(Debug, Clone)]
pub struct FetchRecord {
    /// When the refresh started.
    pub started_at: DateTime<Utc>,
    /// How long it took.
    pub elapsed_ms: u64,
    /// `ok`, `not_modified`, `unchanged` or an error kind.
    pub outcome: String,
    /// HTTP status, when there was a response.
    pub http_status: Option<u16>,
    /// The error message, for failures.
    pub error: Option<String>,
    /// New validators to store (only on success).
    pub state: Option<FetchState>,
    /// Articles inserted.
    pub new: usize,
    /// Articles changed in place.
    pub updated: usize,
    /// Articles seen again unchanged.
    pub unchanged: usize,
}

/// A source as stored, with its last outcome.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRow {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// URL or path.
    pub url: String,
    /// Kind (`feed`, `import`).
    pub kind: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Whether it is fetched.
    pub enabled: bool,
    /// Last outcome (`ok`, `not_modified`, an error kind), if fetched.
    pub last_status: Option<String>,
    /// Last HTTP status.
    pub last_http_status: Option<u16>,
    /// Last attempt.
    pub last_fetch_at: Option<String>,
    /// Last successful fetch.
    pub last_success_at: Option<String>,
    /// Consecutive failures.
    pub error_count: u32,
    /// Kind of the last error.
    pub last_error_kind: Option<String>,
    /// Message of the last error.
    pub last_error: Option<String>,
    /// Articles stored for this source.
    pub articles: u64,
}

/// An article as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Article {
    /// Store id, also the id in the search index and the CLI.
    pub id: i64,
    /// Source id.
    pub source_id: String,
    /// Source name.
    pub source_name: String,
    /// Deduplication key.
    pub key: String,
    /// Feed guid.
    pub guid: Option<String>,
    /// Link.
    pub url: Option<String>,
    /// Canonical link.
    pub canonical_url: Option<String>,
    /// Title.
    pub title: String,
    /// Author.
    pub author: Option<String>,
    /// Claimed publication time.
    pub published: Option<DateTime<Utc>>,
    /// When radar first stored it.
    pub first_seen: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Plain-text summary.
    pub summary: Option<String>,
    /// Plain-text body.
    pub text: String,
    /// Content hash.
    pub content_hash: String,
    /// Koploper-lead score 0–100, once scored.
    pub score: Option<f32>,
    /// AZW branch, once scored.
    pub sector: Option<String>,
    /// Province, once scored.
    pub region: Option<String>,
    /// Theme ids that contributed to the score.
    pub themes: Vec<String>,
    /// How `text` was obtained: `feed`, `extracted:<method>`, `tip:<method>`;
    /// `None` while a feed item has not been considered for a page fetch.
    pub text_method: Option<String>,
    /// Lead image from the article page.
    pub image_url: Option<String>,
    /// Who sent this article in as a tip.
    pub tip_from: Option<String>,
    /// The tipper's note.
    pub tip_note: Option<String>,
}

/// Something the intake of a list page or mailbox remembers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeMark {
    /// `msg:<message-id>`, `url:<canonical url>`, ...
    pub key: String,
    /// `ok`, or why nothing was stored.
    pub outcome: String,
    /// Subject and story count, or the error.
    pub detail: Option<String>,
}

/// Counts from storing a batch of drafts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpsertStats {
    /// Inserted.
    pub new: usize,
    /// Changed in place.
    pub updated: usize,
    /// Seen again, unchanged.
    pub unchanged: usize,
}

const ARTICLE_COLS: &str = "a.id, a.source_id, s.name, a.key, a.guid, a.url, a.canonical_url, a.title, \
     a.author, a.published, a.first_seen, a.updated_at, a.summary, a.text, a.content_hash, \
     a.score, a.sector, a.region, \
     (SELECT group_concat(t.theme, ' ') FROM article_themes t WHERE t.article_id = a.id), \
     a.text_method, a.image_url, a.tip_from, a.tip_note";

/// Number of columns in [`ARTICLE_COLS`]; extra columns follow from here.
const N_ARTICLE_COLS: usize = 23;

fn article_from_row(r: &rusqlite::Row) -> rusqlite::Result<Article> {
    Ok(Article {
        id: r.get(0)?,
        source_id: r.get(1)?,
        source_name: r.get(2)?,
        key: r.get(3)?,
        guid: r.get(4)?,
        url: r.get(5)?,
        canonical_url: r.get(6)?,
        title: r.get(7)?,
        author: r.get(8)?,
        published: parse_ts(r.get(9)?),
        first_seen: parse_ts(r.get(10)?).unwrap_or_default(),
        updated_at: parse_ts(r.get(11)?).unwrap_or_default(),
        summary: r.get(12)?,
        text: r.get(13)?,
        content_hash: r.get(14)?,
        score: r.get::<_, Option<f64>>(15)?.map(|v| v as f32),
        sector: r.get(16)?,
        region: r.get(17)?,
        themes: r
            .get::<_, Option<String>>(18)?
            .map(|s| s.split(' ').map(str::to_string).collect())
            .unwrap_or_default(),
        text_method: r.get(19)?,
        image_url: r.get(20)?,
        tip_from: r.get(21)?,
        tip_note: r.get(22)?,
    })
}

impl Store {
    /// Opens (creating if needed) the database at `path` and migrates it.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path).ctx(&format!("opening {}", path.display()))?;
        Self::init(conn)
    }

    /// An in-memory store, for tests.
    pub fn open_in_memory() -> Result<Store> {
        Self::init(Connection::open_in_memory().ctx("opening in-memory database")?)
    }

    fn init(conn: Connection) -> Result<Store> {
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .ctx("setting busy timeout")?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .ctx("enabling WAL")?;
        // NORMAL loses at most the last transactions on power failure;
        // everything fetched can be fetched again.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .ctx("setting synchronous")?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .ctx("enabling foreign keys")?;
        let mut store = Store { conn };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<()> {
        let version: usize = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .ctx("reading schema version")?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = self.conn.transaction().ctx("starting migration")?;
            tx.execute_batch(sql).ctx(&format!("migration {}", i + 1))?;
            tx.pragma_update(None, "user_version", i + 1)
                .ctx("recording schema version")?;
            tx.commit().ctx("committing migration")?;
        }
        Ok(())
    }

    /// Inserts or updates configured sources (fetch state is kept).
    pub fn sync_sources(&mut self, sources: &[Source]) -> Result<()> {
        let now = ts(Utc::now());
        let tx = self.conn.transaction().ctx("starting source sync")?;
        {
            let mut stmt = tx
                .prepare(
                    "INSERT INTO sources (id, name, url, kind, tags, enabled, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT(id) DO UPDATE SET name = excluded.name, url = excluded.url,
                        kind = excluded.kind, tags = excluded.tags, enabled = excluded.enabled",
                )
                .ctx("preparing source sync")?;
            for s in sources {
                let tags = serde_json::to_string(&s.tags).unwrap_or_else(|_| "[]".into());
                stmt.execute(params![
                    s.id,
                    s.name,
                    s.location.display(),
                    s.kind.as_str(),
                    tags,
                    s.enabled,
                    now
                ])
                .ctx(&format!("syncing source {}", s.id))?;
            }
        }
        tx.commit().ctx("committing source sync")
    }

    /// Makes sure a pseudo-source for imported articles exists.
    pub fn ensure_import_source(&mut self, id: &str, name: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO sources (id, name, url, kind, created_at) VALUES (?1, ?2, '', 'import', ?3)
                 ON CONFLICT(id) DO NOTHING",
                params![id, name, ts(Utc::now())],
            )
            .ctx("creating import source")?;
        Ok(())
    }

    /// The stored validators and body hash of a source.
    pub fn fetch_state(&self, source_id: &str) -> Result<FetchState> {
        self.conn
            .query_row(
                "SELECT etag, last_modified, body_hash FROM sources WHERE id = ?1",
                [source_id],
                |r| {
                    Ok(FetchState {
                        etag: r.get(0)?,
                        last_modified: r.get(1)?,
                        body_hash: r.get(2)?,
                    })
                },
            )
            .optional()
            .ctx("reading fetch state")
            .map(Option::unwrap_or_default)
    }

    /// Records the outcome of one refresh on the source and in the log.
    pub fn record_fetch(&mut self, source_id: &str, rec: &FetchRecord) -> Result<()> {
        let tx = self.conn.transaction().ctx("starting fetch record")?;
        let now = ts(Utc::now());
        let failed = rec.error.is_some();
        tx.execute(
            "UPDATE sources SET last_status = ?2, last_http_status = ?3, last_fetch_at = ?4,
                last_success_at = CASE WHEN ?5 THEN last_success_at ELSE ?4 END,
                error_count = CASE WHEN ?5 THEN error_count + 1 ELSE 0 END,
                last_error_kind = CASE WHEN ?5 THEN ?2 ELSE last_error_kind END,
                last_error = CASE WHEN ?5 THEN ?6 ELSE last_error END
             WHERE id = ?1",
            params![
                source_id,
                rec.outcome,
                rec.http_status,
                now,
                failed,
                rec.error
            ],
        )
        .ctx("updating source outcome")?;
        if let Some(st) = &rec.state {
            tx.execute(
                "UPDATE sources SET etag = ?2, last_modified = ?3, body_hash = ?4 WHERE id = ?1",
                params![source_id, st.etag, st.last_modified, st.body_hash],
            )
            .ctx("updating validators")?;
        }
        tx.execute(
            "INSERT INTO fetch_log (source_id, started_at, elapsed_ms, outcome, http_status, new, updated, unchanged, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                source_id,
                ts(rec.started_at),
                rec.elapsed_ms as i64,
                rec.outcome,
                rec.http_status,
                rec.new as i64,
                rec.updated as i64,
                rec.unchanged as i64,
                rec.error
            ],
        )
        .ctx("writing fetch log")?;
        tx.commit().ctx("committing fetch record")
    }

    /// Stores drafts for one source in one transaction, deduplicating by
    /// key (guid), then canonical URL, then content hash. A match whose
    /// title or text changed is updated in place (and marked for
    /// re-indexing); an identical one is counted as unchanged.
    pub fn upsert_articles(
        &mut self,
        source_id: &str,
        drafts: &[ArticleDraft],
    ) -> Result<UpsertStats> {
        self.upsert_articles_at(source_id, drafts, Utc::now())
    }

    /// [`Store::upsert_articles`] with the clock given (first-seen times
    /// matter for the digest window; tests fix them).
    pub fn upsert_articles_at(
        &mut self,
        source_id: &str,
        drafts: &[ArticleDraft],
        now: DateTime<Utc>,
    ) -> Result<UpsertStats> {
        let now = ts(now);
        let tx = self.conn.transaction().ctx("starting article upsert")?;
        let mut stats = UpsertStats::default();
        {
            let mut by_key = tx
                .prepare_cached(
                    "SELECT id, content_hash FROM articles WHERE source_id = ?1 AND key = ?2",
                )
                .ctx("preparing lookup")?;
            let mut by_url = tx
                .prepare_cached(
                    "SELECT id, content_hash FROM articles WHERE source_id = ?1 AND canonical_url = ?2 LIMIT 1",
                )
                .ctx("preparing lookup")?;
            let mut by_hash = tx
                .prepare_cached(
                    "SELECT id, content_hash FROM articles WHERE source_id = ?1 AND content_hash = ?2 LIMIT 1",
                )
                .ctx("preparing lookup")?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO articles (source_id, key, guid, url, canonical_url, title, author, published,
                        first_seen, updated_at, summary, text, content_hash)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12)",
                )
                .ctx("preparing insert")?;
            let mut update = tx
                .prepare_cached(
                    "UPDATE articles SET guid = COALESCE(?2, guid), url = COALESCE(?3, url),
                        canonical_url = COALESCE(?4, canonical_url), title = ?5, author = ?6,
                        published = COALESCE(?7, published), updated_at = ?8, summary = ?9, text = ?10,
                        content_hash = ?11, indexed = 0, rules_version = NULL, cluster_id = NULL,
                        text_method = NULL, html = NULL, fulltext_error = NULL
                     WHERE id = ?1",
                )
                .ctx("preparing update")?;
            for d in drafts {
                let row = |stmt: &mut rusqlite::CachedStatement, v: &str| {
                    stmt.query_row(params![source_id, v], |r| {
                        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                    })
                    .optional()
                };
                let mut found = row(&mut by_key, &d.key).ctx("looking up key")?;
                if found.is_none() {
                    if let Some(u) = &d.canonical_url {
                        found = row(&mut by_url, u).ctx("looking up url")?;
                    }
                }
                if found.is_none() {
                    found = row(&mut by_hash, &d.content_hash).ctx("looking up hash")?;
                }
                let published = d.published.map(ts);
                match found {
                    None => {
                        insert
                            .execute(params![
                                source_id,
                                d.key,
                                d.guid,
                                d.url,
                                d.canonical_url,
                                d.title,
                                d.author,
                                published,
                                now,
                                d.summary,
                                d.text,
                                d.content_hash
                            ])
                            .ctx("inserting article")?;
                        stats.new += 1;
                    }
                    Some((_, hash)) if hash == d.content_hash => stats.unchanged += 1,
                    Some((id, _)) => {
                        update
                            .execute(params![
                                id,
                                d.guid,
                                d.url,
                                d.canonical_url,
                                d.title,
                                d.author,
                                published,
                                now,
                                d.summary,
                                d.text,
                                d.content_hash
                            ])
                            .ctx("updating article")?;
                        stats.updated += 1;
                    }
                }
            }
        }
        tx.commit().ctx("committing articles")?;
        Ok(stats)
    }

    /// The canonical URLs of the articles stored for a source.
    pub fn known_urls(&self, source_id: &str) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT canonical_url FROM articles WHERE source_id = ?1 AND canonical_url IS NOT NULL",
            )
            .ctx("preparing known urls")?;
        let rows = stmt
            .query_map([source_id], |r| r.get::<_, String>(0))
            .ctx("reading known urls")?;
        rows.collect::<rusqlite::Result<_>>()
            .ctx("reading known urls")
    }

    /// Keys the intake of a source remembers (see [`Store::mark_intake_seen`]).
    pub fn intake_seen(&self, source_id: &str) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT key FROM intake_seen WHERE source_id = ?1")
            .ctx("preparing intake keys")?;
        let rows = stmt
            .query_map([source_id], |r| r.get::<_, String>(0))
            .ctx("reading intake keys")?;
        rows.collect::<rusqlite::Result<_>>()
            .ctx("reading intake keys")
    }

    /// The subject of the newsletter a mailbox item came from (its guid is
    /// `<message-id>#<n>`), when it is one.
    pub fn newsletter_issue(&self, article_id: i64) -> Result<Option<String>> {
        let row: Option<(String, Option<String>)> = self
            .conn
            .query_row(
                "SELECT a.source_id, a.guid FROM articles a JOIN sources s ON s.id = a.source_id
                 WHERE a.id = ?1 AND s.kind = 'mailbox'",
                [article_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .ctx("reading newsletter item")?;
        let Some((source_id, Some(guid))) = row else {
            return Ok(None);
        };
        let Some((issue, _)) = guid.rsplit_once('#') else {
            return Ok(None);
        };
        let key = if issue.starts_with("sha:") {
            issue.to_string()
        } else {
            format!("msg:{issue}")
        };
        self.conn
            .query_row(
                "SELECT detail FROM intake_seen WHERE source_id = ?1 AND key = ?2",
                params![source_id, key],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()
            .map(Option::flatten)
            .ctx("reading newsletter issue")
    }

    /// Records how the text of freshly stored articles was obtained
    /// (`(key, text_method)`), so the full-text step leaves them alone.
    /// Articles that already have a method keep it.
    pub fn set_text_methods(
        &mut self,
        source_id: &str,
        methods: &[(String, String)],
    ) -> Result<()> {
        let tx = self.conn.transaction().ctx("starting text methods")?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "UPDATE articles SET text_method = ?3
                     WHERE source_id = ?1 AND key = ?2 AND text_method IS NULL",
                )
                .ctx("preparing text method")?;
            for (key, method) in methods {
                stmt.execute(params![source_id, key, method])
                    .ctx("writing text method")?;
            }
        }
        tx.commit().ctx("committing text methods")
    }

    /// Remembers intake keys of a source (a newsletter's message id, a link
    /// that yielded no article) with what came of them.
    pub fn mark_intake_seen(&mut self, source_id: &str, marks: &[IntakeMark]) -> Result<()> {
        let now = ts(Utc::now());
        let tx = self.conn.transaction().ctx("starting intake marks")?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO intake_seen (source_id, key, outcome, detail, seen_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT(source_id, key) DO UPDATE SET outcome = excluded.outcome,
                        detail = excluded.detail, seen_at = excluded.seen_at",
                )
                .ctx("preparing intake mark")?;
            for m in marks {
                stmt.execute(params![source_id, m.key, m.outcome, m.detail, now])
                    .ctx("writing intake mark")?;
            }
        }
        tx.commit().ctx("committing intake marks")
    }

    /// One article by id.
    pub fn article(&self, id: i64) -> Result<Option<Article>> {
        self.conn
            .query_row(
                &format!("SELECT {ARTICLE_COLS} FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id = ?1"),
                [id],
                article_from_row,
            )
            .optional()
            .ctx("reading article")
    }

    /// Articles by id, in the order of `ids` (missing ids are skipped).
    pub fn articles(&self, ids: &[i64]) -> Result<Vec<Article>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ARTICLE_COLS} FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id = ?1"
            ))
            .ctx("preparing article read")?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(a) = stmt
                .query_row([id], article_from_row)
                .optional()
                .ctx("reading article")?
            {
                out.push(a);
            }
        }
        Ok(out)
    }

    /// Up to `limit` articles that the index does not have yet.
    pub fn unindexed(&self, limit: usize) -> Result<Vec<Article>> {
        self.unindexed_after(i64::MIN, limit)
    }

    /// Up to `limit` articles that the index does not have yet, with ids
    /// above `after` (to page through them before marking any indexed).
    pub fn unindexed_after(&self, after: i64, limit: usize) -> Result<Vec<Article>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ARTICLE_COLS} FROM articles a JOIN sources s ON s.id = a.source_id
                 WHERE a.indexed = 0 AND a.id > ?2 ORDER BY a.id LIMIT ?1"
            ))
            .ctx("preparing unindexed read")?;
        let rows = stmt
            .query_map(params![limit as i64, after], article_from_row)
            .ctx("reading unindexed")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading unindexed")
    }

    /// Marks articles as present in the search index, unless they changed
    /// again after `as_of` (their `updated_at` is newer).
    pub fn mark_indexed(&mut self, ids: &[i64]) -> Result<()> {
        let tx = self.conn.transaction().ctx("starting mark indexed")?;
        {
            let mut stmt = tx
                .prepare_cached("UPDATE articles SET indexed = 1 WHERE id = ?1")
                .ctx("preparing mark indexed")?;
            for id in ids {
                stmt.execute([id]).ctx("marking indexed")?;
            }
        }
        tx.commit().ctx("committing mark indexed")
    }

    /// Marks every article for re-indexing (before a rebuild).
    pub fn mark_all_unindexed(&mut self) -> Result<usize> {
        self.conn
            .execute("UPDATE articles SET indexed = 0", [])
            .ctx("marking all unindexed")
    }

    /// All sources with their last outcome and article counts.
    pub fn sources(&self) -> Result<Vec<SourceRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.id, s.name, s.url, s.kind, s.tags, s.enabled, s.last_status, s.last_http_status,
                        s.last_fetch_at, s.last_success_at, s.error_count, s.last_error_kind, s.last_error,
                        (SELECT COUNT(*) FROM articles a WHERE a.source_id = s.id)
                 FROM sources s ORDER BY s.id",
            )
            .ctx("preparing source list")?;
        let rows = stmt
            .query_map([], |r| {
                let tags: String = r.get(4)?;
                Ok(SourceRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    url: r.get(2)?,
                    kind: r.get(3)?,
                    tags: serde_json::from_str(&tags).unwrap_or_default(),
                    enabled: r.get(5)?,
                    last_status: r.get(6)?,
                    last_http_status: r.get(7)?,
                    last_fetch_at: r.get(8)?,
                    last_success_at: r.get(9)?,
                    error_count: r.get(10)?,
                    last_error_kind: r.get(11)?,
                    last_error: r.get(12)?,
                    articles: r.get::<_, i64>(13)? as u64,
                })
            })
            .ctx("listing sources")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("listing sources")
    }

    /// Number of stored articles.
    pub fn article_count(&self) -> Result<u64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM articles", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .ctx("counting articles")
    }

    /// Ids of articles first seen at or after `since`, newest first.
    pub fn recent_ids(&self, since: DateTime<Utc>, limit: usize) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id FROM articles WHERE first_seen >= ?1 ORDER BY COALESCE(published, first_seen) DESC LIMIT ?2",
            )
            .ctx("preparing recent")?;
        let rows = stmt
            .query_map(params![ts(since), limit as i64], |r| r.get(0))
            .ctx("listing recent")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("listing recent")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::ArticleDraft;

    #[test]
    fn article_column_count_matches_the_column_list() {
        let store = Store::open_in_memory().unwrap();
        let stmt = store
            .conn
            .prepare(&format!(
                "SELECT {ARTICLE_COLS} FROM articles a JOIN sources s ON s.id = a.source_id"
            ))
            .unwrap();
        assert_eq!(stmt.column_count(), N_ARTICLE_COLS);
    }

    fn draft(guid: Option<&str>, url: Option<&str>, title: &str, text: &str) -> ArticleDraft {
        ArticleDraft::new(
            guid.map(str::to_string),
            url.map(str::to_string),
            title,
            None,
            None,
            None,
            text.to_string(),
        )
    }

    fn store() -> Store {
        let mut s = Store::open_in_memory().unwrap();
        s.ensure_import_source("src", "Bron").unwrap();
        s
    }

    #[test]
    fn clustering_pages_through_the_backlog_and_finds_copies_across_pages() {
        let mut s = store();
        let story = "Zes zorgorganisaties in Twente brachten in twee jaar 42 zij-instromers \
            naar een diploma verzorgende IG via een gezamenlijke leerlingpoule met het ROC";
        let mut drafts = vec![draft(None, Some("https://a.nl/0"), "Origineel", story)];
        let others = [
            "De bibliotheek in Zwolle opent een nieuwe vestiging aan de haven",
            "Het waterschap versterkt dijken langs de IJssel na de natte winter",
            "Een bakker in Almelo wint de prijs voor het beste roggebrood",
            "De gemeenteraad van Deventer kiest een nieuwe wethouder voor sport",
            "Treinen rijden dit weekend niet tussen Hengelo en Oldenzaal",
            "Het voetbalelftal uit Enschede speelt gelijk tegen de koploper",
        ];
        for (i, text) in others.iter().enumerate() {
            drafts.push(draft(
                None,
                Some(&format!("https://a.nl/{}", i + 1)),
                "Ander",
                text,
            ));
        }
        let copy = format!("{story}. Bron: ANP");
        drafts.push(draft(None, Some("https://a.nl/kopie"), "Kopie", &copy));
        s.upsert_articles("src", &drafts).unwrap();
        assert!(
            drafts.len() > 2 * CLUSTER_PAGE,
            "the test spans several pages"
        );
        assert_eq!(
            s.cluster_pending().unwrap(),
            1,
            "only the copy joins a story"
        );
        let clusters: Vec<(String, i64, i64)> = {
            let mut st = s
                .conn
                .prepare("SELECT title, id, cluster_id FROM articles ORDER BY id")
                .unwrap();
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let first = clusters[0].1;
        for (title, id, cluster) in &clusters {
            let want = if title == "Kopie" { first } else { *id };
            assert_eq!(*cluster, want, "{title} ({id})");
        }
        assert_eq!(s.cluster_pending().unwrap(), 0, "nothing left to do");
    }

    #[test]
    fn explanations_are_stored_compressed_and_read_back_whole() {
        let mut s = store();
        s.upsert_articles("src", &[draft(None, Some("https://a.nl/1"), "T", "tekst")])
            .unwrap();
        let id = s.recent_ids(DateTime::<Utc>::MIN_UTC, 1).unwrap()[0];
        let term = r#"{"term":"zij-instroom","matched":"zij-instromers","field":"body"}"#;
        let json = format!(
            r#"{{"score":61.5,"terms":[{}],"reason":"Één lead"}}"#,
            [term; 40].join(",")
        );
        let row = ScoreRow {
            id,
            score: 61.5,
            relevance_json: json.clone(),
            sector: None,
            region: None,
            themes: Vec::new(),
            rules_version: "t".into(),
        };
        s.save_scores(&[row]).unwrap();
        assert_eq!(s.relevance(id).unwrap().as_deref(), Some(json.as_str()));
        let c = s.candidates(None, None, 0.0, 10).unwrap();
        assert_eq!(c[0].relevance_json.as_deref(), Some(json.as_str()));
        let stored: usize = s
            .conn
            .query_row(
                "SELECT length(relevance) FROM article_explanations WHERE typeof(relevance) = 'blob'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(stored * 4 < json.len(), "{stored} bytes for {}", json.len());
        // A damaged value is an error that names it, not a panic.
        s.conn
            .execute(
                "UPDATE article_explanations SET relevance = x'ff00ff00ff'",
                [],
            )
            .unwrap();
        let err = s.relevance(id).unwrap_err().to_string();
        assert!(err.contains("LZ4"), "{err}");
    }

    #[test]
    fn explanations_of_an_older_store_move_out_of_the_article_rows() {
        // A store as migration 9 left it, with an explanation in the row.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("radar.db");
        {
            let conn = Connection::open(&path).unwrap();
            for sql in &MIGRATIONS[..9] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 9).unwrap();
            conn.execute_batch(
                "INSERT INTO sources (id, name, url, kind, created_at)
                     VALUES ('s', 'S', 'https://s.nl/feed', 'rss', '2026-01-01T00:00:00Z');
                 INSERT INTO articles (id, source_id, key, title, first_seen, updated_at, text,
                     content_hash, score, relevance)
                     VALUES (1, 's', 'k1', 'T', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z',
                     'tekst', 'h1', 61.5, '{\"score\":61.5}'),
                     (2, 's', 'k2', 'U', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z',
                     'tekst', 'h2', NULL, NULL);",
            )
            .unwrap();
        }
        let s = Store::open(&path).unwrap();
        assert_eq!(
            s.relevance(1).unwrap().as_deref(),
            Some(r#"{"score":61.5}"#)
        );
        assert_eq!(s.relevance(2).unwrap(), None);
        let left: i64 = s
            .conn
            .query_row(
                "SELECT COUNT(*) FROM articles WHERE relevance IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(left, 0, "the old column is emptied");
    }

    #[test]
    fn a_window_shows_only_stories_first_seen_in_it() {
        let mut s = store();
        s.ensure_import_source("other", "Andere bron").unwrap();
        let story = "Zorggroep en ROC starten samen een leerwerkplaats voor zij-instromers \
                     in de wijkverpleging met begeleiding door ervaren collega's op de werkvloer";
        // An old story, republished today by another outlet (same cluster),
        // and a story first seen today.
        s.upsert_articles(
            "src",
            &[draft(None, Some("https://a.nl/oud"), "Oud", story)],
        )
        .unwrap();
        s.upsert_articles(
            "other",
            &[
                draft(None, Some("https://b.nl/kopie"), "Kopie", story),
                draft(
                    None,
                    Some("https://b.nl/nieuw"),
                    "Nieuw",
                    "Een heel ander verhaal over robots in de nachtzorg en minder nachtdiensten",
                ),
            ],
        )
        .unwrap();
        let ids: Vec<i64> = s.recent_ids(DateTime::<Utc>::MIN_UTC, 10).unwrap();
        let rows: Vec<ScoreRow> = ids
            .iter()
            .map(|&id| ScoreRow {
                id,
                score: 80.0,
                relevance_json: "{}".into(),
                sector: None,
                region: None,
                themes: Vec::new(),
                rules_version: "t".into(),
            })
            .collect();
        s.save_scores(&rows).unwrap();
        s.cluster_pending().unwrap();
        let old = ts(Utc::now() - chrono::Duration::days(10));
        s.conn
            .execute(
                "UPDATE articles SET first_seen = ?1 WHERE title = 'Oud'",
                [old],
            )
            .unwrap();
        let all = s.candidates(None, None, 0.0, 10).unwrap();
        assert_eq!(all.len(), 2, "two stories in all");
        let copy = all.iter().find(|c| c.article.title != "Nieuw").unwrap();
        assert_eq!(copy.also_in, 1);
        let day = s
            .candidates(Some(Utc::now() - chrono::Duration::days(1)), None, 0.0, 10)
            .unwrap();
        let titles: Vec<&str> = day.iter().map(|c| c.article.title.as_str()).collect();
        assert_eq!(
            titles,
            vec!["Nieuw"],
            "the republished old story is not new"
        );
    }

    #[test]
    fn dedupe_by_guid_then_url_then_hash() {
        let mut s = store();
        let a = draft(Some("g1"), Some("https://a.nl/1"), "Een", "tekst een");
        let b = draft(
            None,
            Some("https://a.nl/2?utm_source=x"),
            "Twee",
            "tekst twee",
        );
        let c = draft(None, None, "Drie", "tekst drie");
        let st = s
            .upsert_articles("src", &[a.clone(), b, c.clone()])
            .unwrap();
        assert_eq!(
            st,
            UpsertStats {
                new: 3,
                updated: 0,
                unchanged: 0
            }
        );
        // new guid, same canonical link with other tracking: same article
        let b2 = draft(
            Some("other"),
            Some("https://a.nl/2?utm_campaign=y"),
            "Twee",
            "tekst twee",
        );
        let st = s.upsert_articles("src", &[a, b2, c]).unwrap();
        assert_eq!(
            st,
            UpsertStats {
                new: 0,
                updated: 0,
                unchanged: 3
            }
        );
        // edited title under the same guid: updated in place
        let a3 = draft(
            Some("g1"),
            Some("https://a.nl/1"),
            "Een (bijgewerkt)",
            "tekst een",
        );
        let st = s.upsert_articles("src", &[a3]).unwrap();
        assert_eq!(st.updated, 1);
        assert_eq!(s.article_count().unwrap(), 3);
        let all = s.unindexed(10).unwrap();
        assert!(all.iter().any(|x| x.title == "Een (bijgewerkt)"));
    }

    #[test]
    fn indexed_flag_is_cleared_by_changes() {
        let mut s = store();
        s.upsert_articles("src", &[draft(Some("g"), None, "T", "x")])
            .unwrap();
        let ids: Vec<i64> = s.unindexed(10).unwrap().iter().map(|a| a.id).collect();
        s.mark_indexed(&ids).unwrap();
        assert!(s.unindexed(10).unwrap().is_empty());
        s.upsert_articles("src", &[draft(Some("g"), None, "T", "y")])
            .unwrap();
        assert_eq!(s.unindexed(10).unwrap().len(), 1);
    }

    #[test]
    fn unindexed_pages_by_id() {
        let mut s = store();
        let drafts: Vec<_> = (0..5)
            .map(|i| draft(Some(format!("g{i}").as_str()), None, "T", &format!("x{i}")))
            .collect();
        s.upsert_articles("src", &drafts).unwrap();
        let first: Vec<i64> = s.unindexed(2).unwrap().iter().map(|a| a.id).collect();
        let next: Vec<i64> = s
            .unindexed_after(first[1], 10)
            .unwrap()
            .iter()
            .map(|a| a.id)
            .collect();
        assert_eq!(first.len() + next.len(), 5);
        assert!(next.iter().all(|id| *id > first[1]));
    }

    #[test]
    fn reopening_keeps_data_and_schema() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("radar.db");
        {
            let mut s = Store::open(&p).unwrap();
            s.ensure_import_source("src", "Bron").unwrap();
            s.upsert_articles("src", &[draft(Some("g"), None, "T", "x")])
                .unwrap();
        }
        let s = Store::open(&p).unwrap();
        assert_eq!(s.article_count().unwrap(), 1);
    }
}

/// Scoring results for one article, as stored.
#[derive(Debug, Clone)]
pub struct ScoreRow {
    /// Article id.
    pub id: i64,
    /// 0–100.
    pub score: f32,
    /// The explanation, as JSON.
    pub relevance_json: String,
    /// AZW branch id.
    pub sector: Option<String>,
    /// Province id.
    pub region: Option<String>,
    /// (theme id, contribution) for themes that contributed.
    pub themes: Vec<(String, f32)>,
    /// Version of the rules that produced it.
    pub rules_version: String,
}

/// Another outlet's copy of a story.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterMember {
    /// Article id.
    pub id: i64,
    /// Outlet.
    pub source_name: String,
    /// When radar saw this copy.
    pub first_seen: DateTime<Utc>,
    /// Link.
    pub url: Option<String>,
}

/// A ranked lead: the best article of a cluster, with cluster facts.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// The article.
    pub article: Article,
    /// The stored explanation (JSON).
    pub relevance_json: Option<String>,
    /// Distinct other outlets that carry the same story.
    pub also_in: u32,
    /// When the story was first seen by radar (any outlet).
    pub cluster_first_seen: DateTime<Utc>,
    /// Name of the outlet that had it first.
    pub cluster_first_source: String,
}

impl Store {
    /// Articles whose score is missing or was computed by other rules, with
    /// their source's tags.
    pub fn unscored(
        &self,
        rules_version: &str,
        limit: usize,
    ) -> Result<Vec<(Article, Vec<String>)>> {
        self.unscored_after(rules_version, i64::MIN, limit)
    }

    /// [`Store::unscored`] with ids above `after`: paging by id reads each
    /// row once; without it every batch re-scanned the rows scored before
    /// (there is no index on the rules version), quadratic in the archive.
    pub fn unscored_after(
        &self,
        rules_version: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<(Article, Vec<String>)>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ARTICLE_COLS}, s.tags FROM articles a JOIN sources s ON s.id = a.source_id
                 WHERE (a.rules_version IS NULL OR a.rules_version != ?1) AND a.id > ?3
                 ORDER BY a.id LIMIT ?2"
            ))
            .ctx("preparing unscored read")?;
        let rows = stmt
            .query_map(params![rules_version, limit as i64, after], |r| {
                let tags: String = r.get(N_ARTICLE_COLS)?;
                Ok((
                    article_from_row(r)?,
                    serde_json::from_str(&tags).unwrap_or_default(),
                ))
            })
            .ctx("reading unscored")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading unscored")
    }

    /// Stores scores (and their themes) in one transaction. Scores change
    /// what the index holds (sector, region, themes), so rows are marked for
    /// re-indexing.
    pub fn save_scores(&mut self, rows: &[ScoreRow]) -> Result<()> {
        let tx = self.conn.transaction().ctx("starting score save")?;
        {
            let mut upd = tx
                .prepare_cached(
                    "UPDATE articles SET score = ?2, sector = ?3, region = ?4,
                        rules_version = ?5, indexed = 0 WHERE id = ?1",
                )
                .ctx("preparing score save")?;
            let mut why = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO article_explanations (article_id, relevance) VALUES (?1, ?2)",
                )
                .ctx("preparing explanation save")?;
            let mut del = tx
                .prepare_cached("DELETE FROM article_themes WHERE article_id = ?1")
                .ctx("preparing theme delete")?;
            let mut ins = tx
                .prepare_cached("INSERT INTO article_themes (article_id, theme, contribution) VALUES (?1, ?2, ?3)")
                .ctx("preparing theme insert")?;
            for r in rows {
                upd.execute(params![r.id, r.score, r.sector, r.region, r.rules_version])
                    .ctx("saving score")?;
                why.execute(params![r.id, explanation_to(&r.relevance_json)])
                    .ctx("saving explanation")?;
                del.execute([r.id]).ctx("deleting themes")?;
                for (t, c) in &r.themes {
                    ins.execute(params![r.id, t, c]).ctx("saving theme")?;
                }
            }
        }
        tx.commit().ctx("committing scores")
    }

    /// Assigns a cluster to every article that has none: the cluster of the
    /// most similar earlier article when the MinHash estimate reaches
    /// [`crate::cluster::SAME_STORY`], else a new cluster (its own id).
    /// Returns how many articles joined an existing cluster.
    pub fn cluster_pending(&mut self) -> Result<usize> {
        // Pages of unclustered articles by id, one transaction each: the
        // whole backlog of a big import in one transaction grew the WAL
        // past the size of the store, and reading all texts at once held
        // them all in memory. Each page is complete when it commits, so an
        // interrupted run resumes where it stopped.
        //
        // Band keys are random, so each page inserts into and looks up all
        // over the band index; SQLite's default 2 MB page cache made that a
        // disk read per band in a large store. Clustering runs with 64 MB.
        let cache: i64 = self
            .conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .ctx("reading cache size")?;
        self.conn
            .pragma_update(None, "cache_size", -65536)
            .ctx("setting cache size")?;
        let result = self.cluster_pages();
        self.conn
            .pragma_update(None, "cache_size", cache)
            .ctx("restoring cache size")?;
        result
    }

    fn cluster_pages(&mut self) -> Result<usize> {
        let mut joined = 0;
        let mut after = i64::MIN;
        loop {
            let page: Vec<(i64, String)> = {
                let mut stmt = self
                    .conn
                    .prepare_cached(
                        "SELECT id, title || ' ' || text FROM articles
                         WHERE cluster_id IS NULL AND id > ?1 ORDER BY id LIMIT ?2",
                    )
                    .ctx("preparing cluster read")?;
                let rows = stmt
                    .query_map(params![after, CLUSTER_PAGE as i64], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .ctx("reading unclustered")?;
                rows.collect::<rusqlite::Result<Vec<_>>>()
                    .ctx("reading unclustered")?
            };
            let Some(&(last, _)) = page.last() else {
                break;
            };
            after = last;
            joined += self.cluster_page(page)?;
        }
        Ok(joined)
    }

    /// Clusters one page of articles in one transaction.
    fn cluster_page(&mut self, pending: Vec<(i64, String)>) -> Result<usize> {
        use crate::cluster::{SAME_STORY, Signature};
        let mut joined = 0;
        // Signatures are pure and CPU-bound: computed across cores first.
        // A panic here (a bug meeting unforeseen text) makes the article a
        // story of its own instead of stopping every later clustering run.
        let sigs = crate::par::map(&pending, |(id, text)| {
            std::panic::catch_unwind(|| Signature::of(text)).unwrap_or_else(|_| {
                tracing::error!(article = id, "signature panicked (a bug); clustered alone");
                None
            })
        });
        let tx = self.conn.transaction().ctx("starting clustering")?;
        for ((id, _), sig) in pending.iter().zip(sigs) {
            let id = *id;
            tx.prepare_cached("DELETE FROM minhash_bands WHERE article_id = ?1")
                .and_then(|mut st| st.execute([id]))
                .ctx("clearing bands")?;
            let Some(sig) = sig else {
                tx.prepare_cached("UPDATE articles SET cluster_id = id WHERE id = ?1")
                    .and_then(|mut st| st.execute([id]))
                    .ctx("setting cluster")?;
                continue;
            };
            let keys = sig.band_keys();
            let mut best: Option<(f64, i64)> = None;
            {
                let mut cand = tx
                    .prepare_cached(
                        "SELECT DISTINCT b.article_id, m.sig, a.cluster_id FROM minhash_bands b
                         JOIN minhash m ON m.article_id = b.article_id
                         JOIN articles a ON a.id = b.article_id
                         WHERE b.band_key = ?1 AND b.article_id != ?2 AND a.cluster_id IS NOT NULL",
                    )
                    .ctx("preparing candidates")?;
                for k in &keys {
                    let rows = cand
                        .query_map(params![k, id], |r| {
                            Ok((r.get::<_, Vec<u8>>(1)?, r.get::<_, i64>(2)?))
                        })
                        .ctx("reading candidates")?;
                    for row in rows {
                        let (bytes, cluster) = row.ctx("reading candidate")?;
                        if let Some(other) = Signature::from_bytes(&bytes) {
                            let sim = sig.similarity(&other);
                            if sim >= SAME_STORY
                                && best.is_none_or(|(b, c)| sim > b || (sim == b && cluster < c))
                            {
                                best = Some((sim, cluster));
                            }
                        }
                    }
                }
            }
            let cluster = best.map(|(_, c)| c).unwrap_or(id);
            if best.is_some() {
                joined += 1;
            }
            tx.prepare_cached("INSERT OR REPLACE INTO minhash (article_id, sig) VALUES (?1, ?2)")
                .and_then(|mut st| st.execute(params![id, sig.to_bytes()]))
                .ctx("saving signature")?;
            {
                let mut ins = tx
                    .prepare_cached(
                        "INSERT INTO minhash_bands (band_key, article_id) VALUES (?1, ?2)",
                    )
                    .ctx("preparing bands")?;
                for k in keys {
                    ins.execute(params![k, id]).ctx("saving band")?;
                }
            }
            tx.prepare_cached("UPDATE articles SET cluster_id = ?2 WHERE id = ?1")
                .and_then(|mut st| st.execute(params![id, cluster]))
                .ctx("setting cluster")?;
        }
        tx.commit().ctx("committing clusters")?;
        Ok(joined)
    }

    /// The best-scoring article of each cluster, best first. `since`
    /// filters on when radar first saw the story; `theme` on a theme id;
    /// `min_score` drops weak items.
    pub fn candidates(
        &self,
        since: Option<DateTime<Utc>>,
        theme: Option<&str>,
        min_score: f32,
        limit: usize,
    ) -> Result<Vec<Candidate>> {
        // A story first seen at or after `since` has all its members seen
        // then too, so a window reads only its own rows (by the first_seen
        // index) and the clusters of those rows, not the whole archive.
        let (window_rows, window_clusters) = if since.is_some() {
            (
                // `+` keeps SQLite on the first_seen index: the score index
                // would read every article above the threshold.
                "+a.score >= ?1 AND a.first_seen >= ?2",
                "WHERE id IN (SELECT id FROM articles WHERE cluster_id IN (SELECT cid FROM ranked)
                   UNION SELECT cid FROM ranked)",
            )
        } else {
            ("a.score >= ?1", "")
        };
        let sql = format!(
            "WITH ranked AS MATERIALIZED (
                SELECT id, cid FROM (
                    SELECT a.id, COALESCE(a.cluster_id, a.id) AS cid,
                           ROW_NUMBER() OVER (PARTITION BY COALESCE(a.cluster_id, a.id)
                                              ORDER BY a.score DESC, a.first_seen, a.id) AS rn
                    FROM articles a
                    WHERE a.score IS NOT NULL AND {window_rows}
                      AND (?3 IS NULL OR EXISTS (SELECT 1 FROM article_themes t
                                                WHERE t.article_id = a.id AND t.theme = ?3)))
                WHERE rn = 1
             ),
             -- One row per story. The first outlet comes from the row of the
             -- smallest (first_seen, id) key (SQLite takes bare columns from
             -- the row of the one MIN()); both CTEs are materialized so the
             -- join is by key, not one scan per candidate (that was quadratic).
             clusters AS MATERIALIZED (
                SELECT COALESCE(cluster_id, id) AS cid, COUNT(DISTINCT source_id) AS outlets,
                       MIN(first_seen || printf(' %020d', id)) AS first_key,
                       source_id AS first_source_id
                FROM articles
                {window_clusters}
                GROUP BY COALESCE(cluster_id, id)
             )
             SELECT {ARTICLE_COLS}, e.relevance, c.outlets,
                    substr(c.first_key, 1, length(c.first_key) - 21), fs.name
             FROM ranked r
             JOIN clusters c ON c.cid = r.cid
             JOIN articles a ON a.id = r.id
             JOIN sources s ON s.id = a.source_id
             JOIN sources fs ON fs.id = c.first_source_id
             LEFT JOIN article_explanations e ON e.article_id = a.id
             WHERE (?2 IS NULL OR c.first_key >= ?2)
               AND c.cid NOT IN (SELECT cid FROM dismissed_clusters)
             ORDER BY a.score DESC, a.first_seen DESC, a.id
             LIMIT ?4"
        );
        let mut stmt = self.conn.prepare_cached(&sql).ctx("preparing candidates")?;
        let rows = stmt
            .query_map(
                params![min_score, since.map(ts), theme, limit as i64],
                |r| {
                    Ok(Candidate {
                        article: article_from_row(r)?,
                        relevance_json: explanation_from(r.get_ref(N_ARTICLE_COLS)?)?,
                        also_in: r.get::<_, i64>(N_ARTICLE_COLS + 1)?.saturating_sub(1) as u32,
                        cluster_first_seen: parse_ts(r.get(N_ARTICLE_COLS + 2)?)
                            .unwrap_or_default(),
                        cluster_first_source: r
                            .get::<_, Option<String>>(N_ARTICLE_COLS + 3)?
                            .unwrap_or_default(),
                    })
                },
            )
            .ctx("listing candidates")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("listing candidates")
    }

    /// The stored explanation (JSON) of one article's score.
    pub fn relevance(&self, id: i64) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT relevance FROM article_explanations WHERE article_id = ?1",
                [id],
                |r| explanation_from(r.get_ref(0)?),
            )
            .optional()
            .map(Option::flatten)
            .ctx("reading relevance")
    }

    /// Themes per article, for the index.
    pub fn themes_of(&self, id: i64) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT theme FROM article_themes WHERE article_id = ?1 ORDER BY contribution DESC",
            )
            .ctx("preparing themes")?;
        let rows = stmt.query_map([id], |r| r.get(0)).ctx("reading themes")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading themes")
    }

    /// Other articles in the same cluster, first seen first.
    pub fn cluster_members(&self, id: i64) -> Result<Vec<ClusterMember>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT a.id, s.name, a.first_seen, a.url FROM articles a JOIN sources s ON s.id = a.source_id
                 WHERE a.cluster_id = (SELECT cluster_id FROM articles WHERE id = ?1) AND a.id != ?1
                 ORDER BY a.first_seen, a.id",
            )
            .ctx("preparing cluster members")?;
        let rows = stmt
            .query_map([id], |r| {
                Ok(ClusterMember {
                    id: r.get(0)?,
                    source_name: r.get(1)?,
                    first_seen: parse_ts(r.get(2)?).unwrap_or_default(),
                    url: r.get(3)?,
                })
            })
            .ctx("reading cluster members")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("reading cluster members")
    }
}
