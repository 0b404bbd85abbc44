//! GET /feeds/search.atom?q=...&token=...: a saved search as an Atom feed,
//! newest first (the Zoeken filters apply). With user accounts the URL
//! carries the user's feed token (shown on the Zoeken page), so a feed
//! reader needs no log-in; in open mode no token is needed.
//! GET /feeds/leads.atom?token=...: the digest subscription feed
//! (`<data>/digests/leads.atom`, rebuilt by every digest), the same way.

use std::sync::Arc;

use axum::extract::{Query, State as AxState};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{PreEscaped, html};
use serde::Deserialize;

use super::search::{SearchParams, run};
use super::{State, WebError};

/// The search parameters plus the token.
#[derive(Deserialize)]
pub struct FeedParams {
    token: Option<String>,
    #[serde(flatten)]
    search: SearchParams,
}

/// Characters XML 1.0 does not allow (feeds do carry them) are dropped.
fn xml_text(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
        })
        .collect()
}

/// GET /feeds/search.atom
pub async fn search(AxState(state): AxState<Arc<State>>, Query(p): Query<FeedParams>) -> Response {
    match super::blocking(move || feed(&state, p)).await {
        Ok(xml) => (
            [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
            xml,
        )
            .into_response(),
        Err(e) => (e.status, e.message).into_response(),
    }
}

/// With user accounts a feed needs a user's feed token.
fn check_token(
    state: &State,
    store: &crate::store::Store,
    token: Option<&str>,
) -> Result<(), WebError> {
    if !state.open_mode()? {
        let ok = match token.filter(|t| !t.is_empty()) {
            Some(t) => store.user_by_feed_token(t)?.is_some(),
            None => false,
        };
        if !ok {
            return Err(WebError::new(
                StatusCode::UNAUTHORIZED,
                "missing or unknown feed token",
            ));
        }
    }
    Ok(())
}

/// `?token=` of the leads feed.
#[derive(Deserialize)]
pub struct TokenParam {
    token: Option<String>,
}

/// GET /feeds/leads.atom
pub async fn leads(AxState(state): AxState<Arc<State>>, Query(p): Query<TokenParam>) -> Response {
    let out = super::blocking(move || {
        let store = state.store()?;
        check_token(&state, &store, p.token.as_deref())?;
        let path = state.data_dir.join("digests").join("leads.atom");
        match std::fs::read_to_string(&path) {
            Ok(xml) => Ok(xml),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(WebError::new(
                StatusCode::NOT_FOUND,
                "no digest yet: the feed appears with the first `radar digest`",
            )),
            Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display()).into()),
        }
    })
    .await;
    match out {
        Ok(xml) => (
            [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
            xml,
        )
            .into_response(),
        Err(e) => (e.status, e.message).into_response(),
    }
}

fn feed(state: &State, p: FeedParams) -> Result<String, WebError> {
    let store = state.store()?;
    check_token(state, &store, p.token.as_deref())?;
    let mut params = p.search;
    params.sort = Some("datum".into());
    params.page = None;
    let out = run(
        &store,
        state.index()?,
        &state.ranker,
        &params,
        50,
        state.config.web.max_matches,
    )?;
    let title = if out.query.is_empty() {
        "radar: alle artikelen".to_string()
    } else {
        format!("radar: {}", out.query)
    };
    let updated = out
        .results
        .first()
        .map(|r| r.date.clone())
        .unwrap_or_else(|| crate::store::ts(chrono::Utc::now()));
    let self_id = format!("urn:radar:search:{}", params.to_query());
    let doc = html! {
        (PreEscaped("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"))
        feed xmlns="http://www.w3.org/2005/Atom" {
            title { (xml_text(&title)) }
            id { (xml_text(&self_id)) }
            updated { (updated) }
            author { name { "radar" } }
            @for r in &out.results {
                entry {
                    title { (xml_text(&r.title)) }
                    id { "urn:radar:article:" (r.id) }
                    updated { (r.date) }
                    @if let Some(u) = super::safe_href(r.url.as_deref()) {
                        link rel="alternate" href=(xml_text(u)) {}
                    }
                    author { name { (xml_text(&r.source)) } }
                    summary { (xml_text(&r.snippet)) }
                }
            }
        }
    };
    Ok(doc.into_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_dropped_from_xml() {
        assert_eq!(super::xml_text("a\u{1}b\u{0}\tc\u{FFFF}"), "ab\tc");
    }
}
