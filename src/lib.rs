//! radar reads Dutch zorg-en-welzijn media so that advisors of the Actie
//! Leer Netwerk don't have to, and finds the initiatives worth a phone call
//! (Koploper leads).
//!
//! The pipeline, stage by stage (see ARCHITECTURE.md):
//!
//! ```text
//! config + sources → fetch → extract → store (SQLite, the truth) → index (tantivy, derived)
//!                                                      └──────────────→ search, show, CLI
//! ```
//!
//! * [`config`]: `config.toml` + `RADAR_*` → validated settings.
//! * [`sources`]: `feeds/*.toml` → validated sources.
//! * [`fetch`]: polite HTTP and local files → [`fetch::FetchOutcome`].
//! * [`extract`]: bytes → [`extract::ArticleDraft`]s (decode, repair, parse, clean).
//! * [`fulltext`]: article pages for teaser-only feed items, tips.
//! * [`store`]: SQLite; only it speaks SQL.
//! * [`index`]: tantivy; only it speaks tantivy. [`text`] is its Dutch analyzer.
//! * [`rank`]: themes → a 0–100 Koploper-lead score with its explanation (pure).
//! * [`cluster`]: near-duplicate stories across outlets (MinHash).
//! * [`pipeline`]: one refresh, top to bottom.
//! * [`schedule`]: cron + adaptive intervals → when each source is due.
//! * [`health`]: per-source failure counting, suspension and warnings.
//! * [`lock`]: one writer per data directory.
//! * [`bench`]: synthetic Dutch articles and measurement helpers for `radar bench`.
//! * [`triage`]: follow-up states of leads and their rules (pure).
//! * [`digest`]: the daily digest: selection, rendering, e-mail.
//! * [`tip`]: a partner's tip (CLI and web).
//! * [`web`]: `radar serve`, the web interface and JSON API.
//! * [`cli`]: the commands; the binary only calls [`cli::main`].

pub mod bench;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod digest;
pub mod extract;
pub mod fetch;
pub mod fulltext;
pub mod health;
pub mod import;
pub mod index;
pub mod intake;
pub mod lock;
pub mod nltime;
pub mod par;
pub mod pipeline;
pub mod rank;
pub mod schedule;
pub mod sources;
pub mod store;
pub mod text;
pub mod tip;
pub mod triage;
pub mod web;
