//! Sources that are not feeds: list pages (`kind = "page"`, a news
//! overview without a feed) and newsletter mailboxes (`kind = "mailbox"`).
//!
//! Both run inside the pipeline's refresh of one source
//! ([`refresh`]) and hand back the same thing a feed does (drafts, new
//! validators) plus what to remember ([`IntakeMark`]s): a list page never
//! fetches a link it already stored or that yielded nothing before; a
//! mailbox never processes a message twice.

use std::collections::HashSet;

use crate::extract::ArticleDraft;
use crate::fetch::{ErrorKind, Fetcher};
use crate::sources::{Location, Source, SourceKind};
use crate::store::{FetchState, IntakeMark, Store, StoreError};

pub mod detect;
pub mod imap;
pub mod listpage;
pub mod mailbox;
pub mod newsletter;

/// What the store already knows about a source, loaded before its refresh.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Canonical URLs of the articles stored for the source.
    pub urls: HashSet<String>,
    /// Keys remembered by earlier passes ([`Store::intake_seen`]).
    pub seen: HashSet<String>,
}

impl Known {
    /// Loads what the store knows about `source_id`.
    pub fn load(store: &Store, source_id: &str) -> Result<Known, StoreError> {
        Ok(Known {
            urls: store.known_urls(source_id)?,
            seen: store.intake_seen(source_id)?,
        })
    }
}

/// What one refresh of a page or mailbox source produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// New items.
    pub drafts: Vec<ArticleDraft>,
    /// Keys to remember.
    pub marks: Vec<IntakeMark>,
    /// How the text of a draft (by key) was obtained, for `text_method`.
    /// Drafts without one (newsletter stories: teasers) are left to the
    /// full-text step, which follows their links under the source's
    /// `full_text` policy.
    pub text_methods: Vec<(String, String)>,
    /// Validators to store; `None` keeps the old ones (so the next pass
    /// looks again, e.g. after links that failed for a passing reason).
    pub state: Option<FetchState>,
    /// HTTP status of the list page.
    pub http_status: Option<u16>,
    /// `Some("not_modified")` / `Some("unchanged")` when nothing was read.
    pub quiet: Option<&'static str>,
    /// The source failed as a whole.
    pub error: Option<(ErrorKind, String)>,
}

impl Outcome {
    fn failed(kind: ErrorKind, message: impl Into<String>, http_status: Option<u16>) -> Outcome {
        Outcome {
            error: Some((kind, message.into())),
            http_status,
            ..Outcome::default()
        }
    }
}

/// How far back an IMAP folder is searched (days): older letters are not
/// read, also not on the first pass.
pub const IMAP_DAYS: u32 = 30;

/// Refreshes one page or mailbox source. Never panics on bad input; a
/// failure is returned in [`Outcome::error`].
pub async fn refresh(
    source: &Source,
    fetcher: &Fetcher,
    state: &FetchState,
    known: Known,
) -> Outcome {
    match (source.kind, &source.location) {
        (SourceKind::Page, _) => listpage::refresh(source, fetcher, state, &known).await,
        (SourceKind::Mailbox, Location::Imap { url, password_env }) => {
            match imap::Folder::from_url(url) {
                Ok(folder) => {
                    imap::refresh(&folder, password_env, fetcher.policy(), IMAP_DAYS, &known).await
                }
                Err(e) => Outcome::failed(ErrorKind::Other, e, None),
            }
        }
        (SourceKind::Mailbox, _) => {
            let source = source.clone();
            tokio::task::spawn_blocking(move || mailbox::refresh(&source, &known))
                .await
                .unwrap_or_else(|e| {
                    Outcome::failed(
                        ErrorKind::Other,
                        format!("mailbox reader crashed: {e}"),
                        None,
                    )
                })
        }
        (SourceKind::Feed, _) => Outcome::failed(
            ErrorKind::Other,
            "a feed source was handed to the page/mailbox intake",
            None,
        ),
    }
}
