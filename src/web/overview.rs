//! GET /overzicht: candidates by theme × region and theme × sector, as a
//! heat table and an SVG chart, so blind spots (zero cells) stand out.
//! Beside each candidate count: the confirmed Koplopers (triage state
//! `koploper`, any date) in that cell, marked ★.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Query, State as AxState};
use axum::response::{Html, Response};
use chrono::{Duration, Utc};
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::page;
use super::{Ctx, State, WebError};
use crate::store::Article;

/// The twelve provinces, always shown so an empty one is visible.
pub const PROVINCES: &[&str] = &[
    "Groningen",
    "Friesland",
    "Drenthe",
    "Overijssel",
    "Flevoland",
    "Gelderland",
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Zeeland",
    "Noord-Brabant",
    "Limburg",
];

/// `?dagen=N` (0 = everything; default 90).
#[derive(Deserialize)]
pub struct Params {
    dagen: Option<u32>,
}

/// A theme × column count table.
pub struct Matrix {
    /// (theme id, label) rows.
    pub rows: Vec<(String, String)>,
    /// (value, label) columns.
    pub cols: Vec<(String, String)>,
    /// counts[row][col].
    pub counts: Vec<Vec<usize>>,
}

impl Matrix {
    /// Counts articles per theme and column value (`None` column: "onbekend").
    pub fn build(
        rows: Vec<(String, String)>,
        mut cols: Vec<(String, String)>,
        list: &[&Article],
        col_of: impl Fn(&Article) -> Option<String>,
    ) -> Matrix {
        for c in list {
            if let Some(v) = col_of(c) {
                if !cols.iter().any(|(id, _)| *id == v) {
                    cols.push((v.clone(), v));
                }
            }
        }
        cols.push((String::new(), "onbekend".into()));
        let col_ix: HashMap<&str, usize> = cols
            .iter()
            .enumerate()
            .map(|(i, (v, _))| (v.as_str(), i))
            .collect();
        let row_ix: HashMap<&str, usize> = rows
            .iter()
            .enumerate()
            .map(|(i, (v, _))| (v.as_str(), i))
            .collect();
        let mut counts = vec![vec![0usize; cols.len()]; rows.len()];
        for c in list {
            let col = col_of(c).unwrap_or_default();
            let Some(&ci) = col_ix.get(col.as_str()) else {
                continue;
            };
            for t in &c.themes {
                if let Some(&ri) = row_ix.get(t.as_str()) {
                    counts[ri][ci] += 1;
                }
            }
        }
        Matrix { rows, cols, counts }
    }

    /// The columns, without the "onbekend" one `build` adds, so a second
    /// matrix over other articles lines up with this one.
    fn cols_without_unknown(&self) -> Vec<(String, String)> {
        self.cols[..self.cols.len() - 1].to_vec()
    }

    fn max(&self) -> usize {
        self.counts.iter().flatten().copied().max().unwrap_or(0)
    }

    /// Number of zero cells (blind spots), the "onbekend" column excluded.
    pub fn blind_spots(&self) -> usize {
        let last = self.cols.len() - 1;
        self.counts
            .iter()
            .map(|r| r[..last].iter().filter(|&&n| n == 0).count())
            .sum()
    }
}

fn level(n: usize, max: usize) -> usize {
    if n == 0 || max == 0 {
        0
    } else {
        1 + (n * 4 - 1) / max.max(1)
    }
}

fn table(m: &Matrix, k: &Matrix, caption: &str) -> Markup {
    let max = m.max();
    html! {
        div.scroll {
            table.matrix {
                caption { (caption) }
                thead { tr { th { "thema" } @for (_, l) in &m.cols { th { (l) } } } }
                tbody {
                    @for (ri, (_, label)) in m.rows.iter().enumerate() {
                        tr {
                            th { (label) }
                            @for (ci, n) in m.counts[ri].iter().enumerate() {
                                @let kop = k.counts.get(ri).and_then(|r| r.get(ci)).copied().unwrap_or(0);
                                td class=(format!("heat{}", level(*n, max).min(4))) {
                                    (n)
                                    @if kop > 0 { " " span.kop title="bevestigde Koplopers" { "★" (kop) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// An SVG heat map: one square per cell, empty cells outlined in red.
fn chart(m: &Matrix, title: &str) -> Markup {
    const CELL: usize = 22;
    const LEFT: usize = 260;
    const TOP: usize = 110;
    let max = m.max();
    let unknown = m.cols.len() - 1;
    let short = |s: &str| -> String {
        if s.chars().count() > 40 {
            format!("{}…", s.chars().take(39).collect::<String>())
        } else {
            s.to_string()
        }
    };
    let w = LEFT + CELL * m.cols.len() + 60;
    let h = TOP + CELL * m.rows.len() + 10;
    let fills = ["#ffffff", "#d6e9f8", "#9ecae1", "#4292c6", "#08519c"];
    html! {
        figure.chart {
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {w} {h}")) role="img" aria-label=(title) {
                title { (title) }
                @for (ci, (_, l)) in m.cols.iter().enumerate() {
                    text x=(LEFT + ci * CELL + CELL / 2) y=(TOP - 6) transform=(format!("rotate(-60 {} {})", LEFT + ci * CELL + CELL / 2, TOP - 6)) font-size="11" { (short(l)) }
                }
                @for (ri, (_, l)) in m.rows.iter().enumerate() {
                    text x=(LEFT - 6) y=(TOP + ri * CELL + 15) text-anchor="end" font-size="11" { (short(l)) }
                    @for (ci, n) in m.counts[ri].iter().enumerate() {
                        rect x=(LEFT + ci * CELL + 1) y=(TOP + ri * CELL + 1) width=(CELL - 2) height=(CELL - 2)
                            fill=(fills[level(*n, max).min(4)])
                            stroke=(if *n == 0 && ci != unknown { "#d62728" } else { "#cccccc" })
                            stroke-width=(if *n == 0 && ci != unknown { "1.5" } else { "0.5" }) {
                            title { (m.rows[ri].1) " × " (m.cols[ci].1) ": " (n) }
                        }
                    }
                }
            }
            figcaption { (title) ". Rood omrand: geen enkele kandidaat (blinde vlek)." }
        }
    }
}

fn body(state: &State, ctx: &Ctx, days: u32) -> Result<String, WebError> {
    let store = state.store()?;
    let since = (days > 0).then(|| Utc::now() - Duration::days(i64::from(days)));
    let list = store.candidates(since, None, state.config.rank.min_score, 100_000)?;
    // The configured themes; the core staffing group would fill every row.
    let ids = state.ranker.rules.theme_ids();
    let themes: Vec<(String, String)> = state
        .ranker
        .rules
        .theme_labels()
        .into_iter()
        .filter(|(id, _)| ids.contains(id))
        .collect();
    let cands: Vec<&Article> = list.iter().map(|c| &c.article).collect();
    // Confirmed Koplopers, whatever their date: the advisors' own findings.
    let kop_ids: Vec<i64> = store
        .triage_rows(Some(crate::triage::State::Koploper), false, None)?
        .into_iter()
        .map(|r| r.article_id)
        .collect();
    let kop_articles = store.articles(&kop_ids)?;
    let koplopers: Vec<&Article> = kop_articles.iter().collect();
    let provinces: Vec<(String, String)> = PROVINCES
        .iter()
        .map(|p| (p.to_string(), p.to_string()))
        .collect();
    let region = |a: &Article| a.region.clone();
    let sector = |a: &Article| a.sector.clone();
    // Columns from both lists, so the Koploper counts line up with the cells.
    let pair = |cols: Vec<(String, String)>, col_of: &dyn Fn(&Article) -> Option<String>| {
        let k = Matrix::build(themes.clone(), cols, &koplopers, col_of);
        let c = Matrix::build(themes.clone(), k.cols_without_unknown(), &cands, col_of);
        let k = Matrix::build(themes.clone(), c.cols_without_unknown(), &koplopers, col_of);
        (c, k)
    };
    let (by_region, kop_region) = pair(provinces, &region);
    let (by_sector, kop_sector) = pair(state.ranker.rules.branch_labels(), &sector);
    let body = html! {
        h1 { "Overzicht" }
        p.lead {
            (list.len()) " kandidaten (score vanaf " (format!("{:.0}", state.config.rank.min_score)) ") "
            @if days > 0 { "van de afgelopen " (days) " dagen" } @else { "in totaal" }
            ", per thema. Een kandidaat telt mee bij elk thema dat aan de score bijdroeg. "
            "Blinde vlekken: " (by_region.blind_spots()) " lege cellen thema × provincie, "
            (by_sector.blind_spots()) " thema × sector."
        }
        p.meta {
            "★ = bevestigde Koplopers (status koploper in "
            a href="/opvolging?status=koploper" { "Opvolging" } "): " (koplopers.len()) " in totaal."
        }
        p.periods { "Periode: "
            @for (d, l) in [(30, "30 dagen"), (90, "90 dagen"), (365, "een jaar"), (0, "alles")] {
                @if d == days { strong { (l) } } @else { a href=(format!("/overzicht?dagen={d}")) { (l) } }
                " "
            }
        }
        h2 { "Thema × regio" }
        (chart(&by_region, "Kandidaten per thema en provincie"))
        (table(&by_region, &kop_region, "Kandidaten (★ Koplopers) per thema en provincie"))
        h2 { "Thema × sector" }
        (chart(&by_sector, "Kandidaten per thema en sector"))
        (table(&by_sector, &kop_sector, "Kandidaten (★ Koplopers) per thema en sector"))
    };
    Ok(page(ctx, "Overzicht", "/overzicht", body))
}

/// GET /overzicht
pub async fn page_handler(
    AxState(state): AxState<Arc<State>>,
    Extension(ctx): Extension<Ctx>,
    Query(p): Query<Params>,
) -> Result<Html<String>, Response> {
    let c = ctx.clone();
    super::blocking(move || body(&state, &c, p.dagen.unwrap_or(90)))
        .await
        .map(Html)
        .map_err(|e| e.render(Some(&ctx)))
}
