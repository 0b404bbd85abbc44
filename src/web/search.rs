//! The search behind the Zoeken page, `/api/search` and the Atom feeds:
//! the Dutch-aware index finds the matching set, the store's small
//! [`BrowseRow`]s filter it (theme, sector, region, source, date range),
//! count facets and sort it; only the page shown is read in full.
//!
//! Facet counts follow the usual rule: each facet is counted over the
//! results with every *other* filter applied, so the values next to a
//! chosen one stay visible. The triage-state filter (`status`) narrows the
//! set before the facets are counted (it is not a facet).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::index::{SearchIndex, Snippet, lead};
use crate::pipeline::Ranker;
use crate::store::{BrowseRow, Store};
use crate::triage::State as TState;

/// Query-string parameters, all optional and all as text so a bad value
/// gives a message, not a 400 from the extractor.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct SearchParams {
    /// Words, phrases, OR, -word, `sector:vvt` ...
    #[serde(default)]
    pub q: Option<String>,
    /// Theme id.
    #[serde(default)]
    pub theme: Option<String>,
    /// Sector (branch) id.
    #[serde(default)]
    pub sector: Option<String>,
    /// Province label.
    #[serde(default)]
    pub region: Option<String>,
    /// Source id.
    #[serde(default)]
    pub source: Option<String>,
    /// First date, YYYY-MM-DD (publication date, else first seen).
    #[serde(default)]
    pub from: Option<String>,
    /// Last date, YYYY-MM-DD, inclusive.
    #[serde(default)]
    pub to: Option<String>,
    /// Triage state id (`flagged`, `koploper`, `new` = nobody acted on it,
    /// ...) or `open` (being followed up).
    #[serde(default)]
    pub status: Option<String>,
    /// `relevantie` (default with a query) or `datum`.
    #[serde(default)]
    pub sort: Option<String>,
    /// Page number, from 1.
    #[serde(default)]
    pub page: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl SearchParams {
    /// The query text, trimmed.
    pub fn query(&self) -> &str {
        given(&self.q).unwrap_or("")
    }
    /// Whether results are sorted by date.
    pub fn by_date(&self) -> bool {
        self.query().is_empty() || given(&self.sort) == Some("datum")
    }
    /// These parameters with another page number, as a query string.
    pub fn with_page(&self, page: usize) -> String {
        let mut p = self.clone();
        p.page = Some(page.to_string());
        p.to_query()
    }
    /// These parameters with one filter changed (page reset), as a query string.
    pub fn with(&self, key: &str, value: Option<&str>) -> String {
        let mut p = self.clone();
        let v = value.map(str::to_string);
        match key {
            "theme" => p.theme = v,
            "sector" => p.sector = v,
            "region" => p.region = v,
            "source" => p.source = v,
            "sort" => p.sort = v,
            "status" => p.status = v,
            _ => {}
        }
        p.page = None;
        p.to_query()
    }
    /// The non-empty parameters as an encoded query string.
    pub fn to_query(&self) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("theme", &self.theme),
            ("sector", &self.sector),
            ("region", &self.region),
            ("source", &self.source),
            ("from", &self.from),
            ("to", &self.to),
            ("status", &self.status),
            ("sort", &self.sort),
            ("page", &self.page),
        ] {
            if let Some(v) = given(v) {
                s.append_pair(k, v);
            }
        }
        s.finish()
    }
}

/// One facet value with its count.
#[derive(Debug, Clone, Serialize)]
pub struct FacetValue {
    /// What goes in the filter parameter.
    pub value: String,
    /// What a person reads.
    pub label: String,
    /// Matching results with the other filters applied.
    pub count: usize,
}

/// Facet counts per dimension, largest first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facets {
    /// Themes.
    pub theme: Vec<FacetValue>,
    /// Sectors.
    pub sector: Vec<FacetValue>,
    /// Provinces.
    pub region: Vec<FacetValue>,
    /// Sources.
    pub source: Vec<FacetValue>,
}

/// One result on the page.
#[derive(Debug, Clone, Serialize)]
pub struct ResultItem {
    /// Article id.
    pub id: i64,
    /// Link to the original.
    pub url: Option<String>,
    /// Title.
    pub title: String,
    /// Source name.
    pub source: String,
    /// Publication date, else first seen (RFC 3339).
    pub date: String,
    /// Search relevance (BM25; 0 without a query).
    pub relevance: f32,
    /// Koploper-lead score 0–100, once scored.
    pub score: Option<f32>,
    /// Plain-text snippet.
    pub snippet: String,
    /// Byte ranges of the matches in `snippet`.
    pub highlights: Vec<(usize, usize)>,
    /// Sector id.
    pub sector: Option<String>,
    /// Province.
    pub region: Option<String>,
    /// Theme ids.
    pub themes: Vec<String>,
}

/// A page of results.
#[derive(Debug, Clone, Serialize)]
pub struct SearchOutcome {
    /// The query as run.
    pub query: String,
    /// Results after filters.
    pub total: usize,
    /// This page (from 1).
    pub page: usize,
    /// Number of pages.
    pub pages: usize,
    /// `relevantie` or `datum`.
    pub sort: &'static str,
    /// The results on this page.
    pub results: Vec<ResultItem>,
    /// Facet counts.
    pub facets: Facets,
    /// Problems with the parameters (bad dates) or a search broader than
    /// `web.max_matches`, in Dutch.
    pub warnings: Vec<String>,
    /// Whether every match was considered (false: more than
    /// `web.max_matches`; `total` and the facets cover the best of them).
    pub complete: bool,
}

struct Filters {
    theme: Option<String>,
    sector: Option<String>,
    region: Option<String>,
    source: Option<String>,
    from: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
}

#[derive(Clone, Copy, PartialEq)]
enum Dim {
    Theme,
    Sector,
    Region,
    Source,
    None,
}

impl Filters {
    fn matches(&self, r: &BrowseRow, skip: Dim) -> bool {
        let eq = |f: &Option<String>, v: Option<&str>| f.as_deref().is_none_or(|f| v == Some(f));
        (skip == Dim::Theme
            || self
                .theme
                .as_deref()
                .is_none_or(|t| r.themes.iter().any(|x| x == t)))
            && (skip == Dim::Sector || eq(&self.sector, r.sector.as_deref()))
            && (skip == Dim::Region || eq(&self.region, r.region.as_deref()))
            && (skip == Dim::Source || eq(&self.source, Some(r.source_id.as_str())))
            && self.from.is_none_or(|f| r.date >= f)
            && self.until.is_none_or(|u| r.date < u)
    }
}

fn facet(counts: HashMap<String, usize>, label: impl Fn(&str) -> String) -> Vec<FacetValue> {
    let mut v: Vec<FacetValue> = counts
        .into_iter()
        .map(|(value, count)| FacetValue {
            label: label(&value),
            value,
            count,
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    v
}

/// `10000` as Dutch readers write it: `10.000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Runs a search: `page_size` results of page `params.page`, over at most
/// `max_matches` matches.
pub fn run(
    store: &Store,
    index: &SearchIndex,
    ranker: &Ranker,
    params: &SearchParams,
    page_size: usize,
    max_matches: usize,
) -> anyhow::Result<SearchOutcome> {
    let query = params.query().to_string();
    let mut warnings = Vec::new();
    let mut date = |key: &str, v: &Option<String>| -> Option<DateTime<Utc>> {
        let s = given(v)?;
        let d = crate::import::parse_date(s);
        if d.is_none() {
            warnings.push(format!(
                "Datum '{s}' bij '{key}' niet begrepen (gebruik JJJJ-MM-DD); filter genegeerd."
            ));
        }
        d
    };
    let from = date("vanaf", &params.from);
    let until = date("tot en met", &params.to).map(|d| d + Duration::days(1));
    let filters = Filters {
        theme: given(&params.theme).map(str::to_string),
        sector: given(&params.sector).map(str::to_string),
        region: given(&params.region).map(str::to_string),
        source: given(&params.source).map(str::to_string),
        from,
        until,
    };
    // Triage state: `open`, or one state; an unknown one is a warning.
    let status: Option<Box<dyn Fn(TState) -> bool>> = match given(&params.status) {
        None => None,
        Some("open") => Some(Box::new(TState::is_open)),
        Some(v) => match v.parse::<TState>() {
            Ok(want) => Some(Box::new(move |s| s == want)),
            Err(e) => {
                warnings.push(format!("Status: {e}; filter genegeerd."));
                None
            }
        },
    };
    let parsed = (!query.is_empty()).then(|| index.parse(&query));
    // At most `max_matches` matches are filtered, counted and sorted (the
    // most relevant, or the newest without words): bounded time and memory
    // at any archive size. A broader search says so.
    let cap = max_matches.max(1);
    let (mut rows, relevance, complete): (Vec<BrowseRow>, HashMap<i64, f32>, bool) = match &parsed {
        Some(q) => {
            let (hits, total) = index.search_top(q, cap)?;
            let ids: Vec<i64> = hits.iter().map(|h| h.id).collect();
            (
                store.browse_rows(Some(&ids))?,
                hits.into_iter().map(|h| (h.id, h.score)).collect(),
                total.exact,
            )
        }
        None => {
            // One more than the cap tells whether there are more, without
            // counting the whole archive.
            let mut ids = store.newest_ids(cap + 1)?;
            let complete = ids.len() <= cap;
            ids.truncate(cap);
            (store.browse_rows(Some(&ids))?, HashMap::new(), complete)
        }
    };
    if !complete {
        warnings.push(format!(
            "Meer dan {} treffers: filters, tellingen en pagina's gelden voor de {} {}. Maak de zoekopdracht specifieker om alles te zien.",
            thousands(cap),
            thousands(cap),
            if parsed.is_some() { "beste" } else { "nieuwste" }
        ));
    }
    if let Some(keep) = status {
        let states: HashMap<i64, TState> = store
            .triage_rows(None, false, None)?
            .into_iter()
            .map(|r| (r.article_id, r.state))
            .collect();
        rows.retain(|r| keep(states.get(&r.id).copied().unwrap_or(TState::New)));
    }

    // Facets: each counted with the other filters applied.
    let mut counts: [HashMap<String, usize>; 4] = Default::default();
    let mut source_names: BTreeMap<String, String> = BTreeMap::new();
    for r in &rows {
        if filters.matches(r, Dim::Theme) {
            for t in &r.themes {
                *counts[0].entry(t.clone()).or_default() += 1;
            }
        }
        if let Some(s) = &r.sector {
            if filters.matches(r, Dim::Sector) {
                *counts[1].entry(s.clone()).or_default() += 1;
            }
        }
        if let Some(g) = &r.region {
            if filters.matches(r, Dim::Region) {
                *counts[2].entry(g.clone()).or_default() += 1;
            }
        }
        if filters.matches(r, Dim::Source) {
            *counts[3].entry(r.source_id.clone()).or_default() += 1;
            source_names
                .entry(r.source_id.clone())
                .or_insert_with(|| r.source_name.clone());
        }
    }
    let [theme_c, sector_c, region_c, source_c] = counts;
    let themes: HashMap<String, String> = ranker.rules.theme_labels().into_iter().collect();
    let branches: HashMap<String, String> = ranker.rules.branch_labels().into_iter().collect();
    let facets = Facets {
        theme: facet(theme_c, |v| {
            themes.get(v).cloned().unwrap_or_else(|| v.to_string())
        }),
        sector: facet(sector_c, |v| {
            branches.get(v).cloned().unwrap_or_else(|| v.to_string())
        }),
        region: facet(region_c, str::to_string),
        source: facet(source_c, |v| {
            source_names
                .get(v)
                .cloned()
                .unwrap_or_else(|| v.to_string())
        }),
    };

    let mut hits: Vec<&BrowseRow> = rows
        .iter()
        .filter(|r| filters.matches(r, Dim::None))
        .collect();
    let by_date = params.by_date();
    let rel = |id: i64| relevance.get(&id).copied().unwrap_or(0.0);
    if by_date {
        hits.sort_by(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
    } else {
        hits.sort_by(|a, b| {
            rel(b.id)
                .total_cmp(&rel(a.id))
                .then(b.date.cmp(&a.date))
                .then(b.id.cmp(&a.id))
        });
    }
    let total = hits.len();
    let pages = total.div_ceil(page_size).max(1);
    let page = given(&params.page)
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, pages);
    let shown: Vec<i64> = hits
        .iter()
        .skip((page - 1) * page_size)
        .take(page_size)
        .map(|r| r.id)
        .collect();
    let articles = store.articles(&shown)?;
    let snippets = parsed.as_ref().map(|q| index.snippets(q, 240));
    let mut results = Vec::with_capacity(articles.len());
    for a in articles {
        let snippet: Snippet = match &snippets {
            Some(cut) => {
                let mut s = cut.cut(&a.text);
                if s.highlights.is_empty() {
                    if let Some(sum) = &a.summary {
                        let alt = cut.cut(sum);
                        if !alt.highlights.is_empty() {
                            s = alt;
                        }
                    }
                }
                s
            }
            None => lead(&a.text, 240),
        };
        results.push(ResultItem {
            id: a.id,
            url: a.url.clone(),
            title: a.title.clone(),
            source: a.source_name.clone(),
            date: crate::store::ts(a.published.unwrap_or(a.first_seen)),
            relevance: rel(a.id),
            score: a.score,
            snippet: snippet.text,
            highlights: snippet.highlights,
            sector: a.sector.clone(),
            region: a.region.clone(),
            themes: a.themes.clone(),
        });
    }
    Ok(SearchOutcome {
        query,
        total,
        page,
        pages,
        sort: if by_date { "datum" } else { "relevantie" },
        results,
        facets,
        warnings,
        complete,
    })
}
