//! The JSON API under `/api`: the same library calls as the pages.
//! Authentication is the session cookie of the web log-in (none in open
//! mode); without it every route answers 401 `{"error": ...}`.
//! Triage actions (POST, `X-CSRF-Token` header) are in `triage::api`.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use serde::Deserialize;

use super::search::{SearchParams, run};
use super::{State, WebError};
use crate::cli::candidates::{CandidateJson, to_json};

fn json_err(e: WebError) -> Response {
    e.json()
}

/// GET /api/search — the Zoeken parameters (`q`, `theme`, `sector`,
/// `region`, `source`, `from`, `to`, `sort`, `page`).
pub async fn search(
    AxState(state): AxState<Arc<State>>,
    Query(params): Query<SearchParams>,
) -> Response {
    let out = super::blocking(move || {
        let store = state.store()?;
        Ok(run(
            &store,
            state.index()?,
            &state.ranker,
            &params,
            state.config.web.page_size,
            state.config.web.max_matches,
        )?)
    })
    .await;
    match out {
        Ok(o) => Json(o).into_response(),
        Err(e) => json_err(e),
    }
}

/// `/api/candidates` parameters.
#[derive(Deserialize)]
pub struct CandidateParams {
    since: Option<String>,
    theme: Option<String>,
    limit: Option<usize>,
    all: Option<bool>,
}

/// GET /api/candidates — like `radar candidates --json`: `since`
/// (YYYY-MM-DD, default 7 days ago), `theme`, `limit` (default 20, at
/// most 500), `all=true` (every date and score).
pub async fn candidates(
    AxState(state): AxState<Arc<State>>,
    Query(p): Query<CandidateParams>,
) -> Response {
    let all = p.all.unwrap_or(false);
    let since = if all {
        None
    } else {
        match p.since.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => match crate::import::parse_date(s) {
                Some(d) => Some(d),
                None => {
                    return json_err(WebError::new(
                        StatusCode::BAD_REQUEST,
                        format!("since {s:?} is not a date (YYYY-MM-DD)"),
                    ));
                }
            },
            None => Some(Utc::now() - Duration::days(7)),
        }
    };
    if let Some(t) = &p.theme {
        if !state.ranker.rules.theme_ids().iter().any(|id| id == t) {
            return json_err(WebError::new(
                StatusCode::BAD_REQUEST,
                format!("unknown theme {t:?}"),
            ));
        }
    }
    let min = if all {
        0.0
    } else {
        state.config.rank.min_score
    };
    let limit = p.limit.unwrap_or(20).clamp(1, 500);
    let theme = p.theme.clone();
    let out = super::blocking(move || -> Result<Vec<CandidateJson>, WebError> {
        let store = state.store()?;
        Ok(
            crate::cli::candidates::ranked(&store, since, theme.as_deref(), min, limit)
                .map_err(|e| WebError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")))?
                .iter()
                .map(|(c, a)| to_json(c, a))
                .collect(),
        )
    })
    .await;
    match out {
        Ok(o) => Json(o).into_response(),
        Err(e) => json_err(e),
    }
}

/// GET /api/articles/{id} — `{article, explanation, others, triage}`.
pub async fn article(AxState(state): AxState<Arc<State>>, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return json_err(WebError::new(StatusCode::NOT_FOUND, "no such article"));
    };
    let out = super::blocking(move || {
        let store = state.store()?;
        super::article::detail(&store, &state, id)
    })
    .await;
    match out {
        Ok(Some(d)) => Json(serde_json::json!({
            "article": d.article,
            "explanation": d.explanation,
            "others": d.others,
            "triage": d.triage,
        }))
        .into_response(),
        Ok(None) => json_err(WebError::new(
            StatusCode::NOT_FOUND,
            format!("no article with id {id}"),
        )),
        Err(e) => json_err(e),
    }
}

/// GET /api/sources — like `radar sources --json`.
pub async fn sources(AxState(state): AxState<Arc<State>>) -> Response {
    match state
        .store()
        .map_err(WebError::from)
        .and_then(|s| s.sources().map_err(WebError::from))
    {
        Ok(rows) => Json(rows).into_response(),
        Err(e) => json_err(e),
    }
}
