//! Ranking engine: how much does an article look like a Koploper lead for the
//! Actie Leer Netwerk?
//!
//! Pure module: no I/O except parsing the strings it is given. Rules are compiled
//! once from a themes TOML ([`Rules::builtin`] ships `themes.toml`), then
//! [`score`] turns an article into a [`Relevance`]: a 0–100 score with its full
//! explanation (themes and matched terms, sector context, initiative signals,
//! Koploper criteria with evidence sentences, penalties, sector, region and a
//! one-line Dutch reason). No recency inside the score.
//!
//! Score model (all constants live in `[scoring]` of the TOML):
//!
//! ```text
//! topic      = 1 - exp(-Σ_theme sat(theme points) / topic_scale)       themes incl. core
//! gates      = sector gate (care context) × workforce gate (core staffing words)
//! leadness   = lead_base + (1-lead_base) × mix(initiative signals, criteria)
//! score      = 100 × topic × gates × leadness × exp(-penalties / penalty_scale)
//! ```

mod config;
pub mod eval;
pub mod gazetteer;
pub mod sector;
pub mod text;

use config::{Ctx, join};
use regex::{Regex, RegexSet};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use text::{Analysed, Compound, Entry, MatchKind, Matcher, analyse, fold, fold_into, term_words};
use toml::Value;

/// The shipped default configuration.
pub const BUILTIN_THEMES: &str = include_str!("themes.toml");

/// A configuration error: file, key path and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError {
    pub origin: String,
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for RulesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}: {}", self.origin, self.message)
        } else {
            write!(f, "{}: {}: {}", self.origin, self.path, self.message)
        }
    }
}

impl std::error::Error for RulesError {}

/// Article fields as given to the scorer.
pub struct ArticleInput<'a> {
    pub title: &'a str,
    /// summary / intro; if the body starts with the same text it is not counted twice
    pub lead: &'a str,
    pub body: &'a str,
    /// source tags such as `region:noord-brabant`
    pub source_tags: &'a [String],
}

/// Which field a match came from.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Title,
    Lead,
    Body,
}

impl Field {
    pub fn dutch(self) -> &'static str {
        match self {
            Field::Title => "titel",
            Field::Lead => "intro",
            Field::Body => "tekst",
        }
    }
}

/// One matched term of a theme.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct TermHit {
    /// configured term (canonical form)
    pub term: String,
    /// text as it appeared (first occurrence)
    pub matched: String,
    pub field: Field,
    /// how it matched: "exact", "head" (end of a compound), "modifier" (start of a compound)
    pub how: String,
    pub count: u32,
    /// evidence points this term added (before theme saturation)
    pub contribution: f32,
}

/// One theme with its matches.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct ThemeHit {
    pub id: String,
    pub label: String,
    /// theme points after saturation (what enters the topic sum)
    pub contribution: f32,
    /// theme points before saturation
    pub raw: f32,
    pub terms: Vec<TermHit>,
}

/// One Koploper criterion.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct CriterionHit {
    pub id: String,
    pub label: String,
    pub met: bool,
    /// evidence strength relative to the threshold (1.0 = just met)
    pub strength: f32,
    /// the sentence that shows it best
    pub evidence: Option<String>,
}

/// A penalty that lowered the score.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct PenaltyHit {
    pub term: String,
    pub label: String,
    pub amount: f32,
}

/// Initiative signal category with the words that fired.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct SignalHit {
    pub id: String,
    pub label: String,
    pub score: f32,
    pub terms: Vec<String>,
}

/// The separate factors of the score, for debugging and `radar explain`.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct Components {
    /// Σ saturated theme points
    pub topic_points: f32,
    /// 0..1
    pub topic: f32,
    /// care-sector context points
    pub sector_context: f32,
    /// 0..1
    pub sector_gate: f32,
    /// core staffing points
    pub workforce: f32,
    /// 0..1
    pub workforce_gate: f32,
    /// initiative signal points
    pub initiative_points: f32,
    /// 0..1
    pub initiative: f32,
    /// 0..1 criteria evidence (mean strength, capped at 1 each)
    pub criteria: f32,
    /// 0..1 leadness factor
    pub leadness: f32,
    /// Σ penalties
    pub penalty_points: f32,
    /// 0..1
    pub penalty_factor: f32,
}

/// The result of scoring one article.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
pub struct Relevance {
    /// 0..=100: how much this looks like a Koploper lead
    pub score: f32,
    pub themes: Vec<ThemeHit>,
    pub criteria: Vec<CriterionHit>,
    pub criteria_met: usize,
    /// meets the ALN rule of thumb: at least `criteria.min_met` criteria (3 of 4)
    pub koploper_like: bool,
    pub penalties: Vec<PenaltyHit>,
    pub signals: Vec<SignalHit>,
    /// AZW branch id (ziekenhuis, vvt, ggz, ... or "breed")
    pub sector: Option<String>,
    /// province label (Noord-Brabant, Friesland, ...)
    pub region: Option<String>,
    pub components: Components,
    /// one Dutch line for the advisor
    pub reason: String,
}

// ---------------------------------------------------------------------------
// compiled rules
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Params {
    head_factor: f32,
    modifier_factor: f32,
    repeat_cap: u32,
    repeat_decay: f32,
    context_window: usize,
    title: f32,
    lead: f32,
    body: f32,
    theme_cap: f32,
    topic_scale: f32,
    sector_full: f32,
    gate_floor: f32,
    workforce_full: f32,
    workforce_floor: f32,
    initiative_scale: f32,
    lead_base: f32,
    initiative_mix: f32,
    penalty_scale: f32,
    signal_field_weights: bool,
    workforce_theme_share: f32,
}

#[derive(Debug, Clone)]
struct ThemeDef {
    id: String,
    label: String,
    /// points of this theme also count as staffing evidence (workforce gate)
    workforce: bool,
}

#[derive(Debug, Clone)]
struct TermDef {
    theme: usize,
    display: String,
    w: f32,
    context: bool,
}

#[derive(Debug, Clone)]
struct SectorTermDef {
    branch: Option<usize>,
    w: f32,
}

#[derive(Debug, Clone)]
struct SignalCat {
    id: String,
    label: String,
    w: f32,
    cap: f32,
    /// penalty points per point of this category (failure words)
    penalty: f32,
    patterns: Vec<Regex>,
}

#[derive(Debug, Clone)]
struct SigTermDef {
    cat: usize,
    display: String,
}

#[derive(Debug, Clone)]
struct PenaltyDef {
    display: String,
    label: String,
    amount: f32,
    without_context_only: bool,
}

#[derive(Debug, Clone)]
enum SigSource {
    Cat(usize),
    Theme(usize),
}

#[derive(Debug, Clone)]
struct CriterionDef {
    id: String,
    label: String,
    signals: Vec<SigSource>,
    negative: Vec<SigSource>,
    threshold: f32,
}

/// Compiled ranking rules.
#[derive(Debug, Clone)]
pub struct Rules {
    p: Params,
    themes: Vec<ThemeDef>,
    theme_terms: Vec<TermDef>,
    theme_m: Matcher,
    sector_terms: Vec<SectorTermDef>,
    sector_m: Matcher,
    branches: Vec<(String, String)>,
    cats: Vec<SignalCat>,
    sig_terms: Vec<SigTermDef>,
    sig_m: Matcher,
    penalties: Vec<PenaltyDef>,
    pen_m: Matcher,
    criteria: Vec<CriterionDef>,
    min_met: usize,
    gaz: gazetteer::Gazetteer,
    /// all signal patterns at once: a sentence none of them matches is
    /// skipped in one scan (`None`: no patterns, or too large for a set)
    any_pattern: Option<RegexSet>,
}

struct TermSpec {
    forms: Vec<String>,
    display: String,
    w: f32,
    compound: Option<Compound>,
    context: bool,
    block: Vec<String>,
    penalty: f32,
    without_context_only: bool,
}

fn parse_compound(ctx: &Ctx, v: &Value, path: &str) -> Result<Compound, RulesError> {
    match v.as_str() {
        Some("none") => Ok(Compound::None),
        Some("head") => Ok(Compound::Head),
        Some("modifier") => Ok(Compound::Modifier),
        Some("both") => Ok(Compound::Both),
        _ => Err(ctx.err(
            path,
            "must be one of \"none\", \"head\", \"modifier\", \"both\"",
        )),
    }
}

/// A term is either a plain string or an inline table.
fn parse_term(
    ctx: &Ctx,
    v: &Value,
    path: &str,
    default_w: f32,
    penalty_mode: bool,
) -> Result<TermSpec, RulesError> {
    if let Some(s) = v.as_str() {
        if s.trim().is_empty() {
            return Err(ctx.err(path, "must not be empty"));
        }
        return Ok(TermSpec {
            forms: vec![s.to_string()],
            display: s.to_string(),
            w: default_w,
            compound: None,
            context: false,
            block: vec![],
            penalty: 0.0,
            without_context_only: false,
        });
    }
    let t = ctx.table(v, path)?;
    let allowed: &[&str] = if penalty_mode {
        &[
            "t",
            "penalty",
            "forms",
            "compound",
            "block",
            "note",
            "label",
            "without_context_only",
        ]
    } else {
        &["t", "w", "forms", "compound", "context", "block", "note"]
    };
    ctx.check_keys(t, path, allowed)?;
    let display = ctx.nonempty_string(ctx.req(t, path, "t")?, &join(path, "t"))?;
    let mut forms = vec![display.clone()];
    if let Some(f) = t.get("forms") {
        forms.extend(ctx.strings(f, &join(path, "forms"))?);
    }
    let w = if penalty_mode {
        0.0
    } else {
        match t.get("w") {
            Some(x) => ctx.number(x, &join(path, "w"), 0.0, 5.0)?,
            None => default_w,
        }
    };
    let penalty = if penalty_mode {
        ctx.number(
            ctx.req(t, path, "penalty")?,
            &join(path, "penalty"),
            0.0,
            10.0,
        )?
    } else {
        0.0
    };
    let compound = match t.get("compound") {
        Some(c) => Some(parse_compound(ctx, c, &join(path, "compound"))?),
        None => None,
    };
    let context = match t.get("context") {
        Some(c) => ctx.boolean(c, &join(path, "context"))?,
        None => false,
    };
    let without_context_only = match t.get("without_context_only") {
        Some(c) => ctx.boolean(c, &join(path, "without_context_only"))?,
        None => false,
    };
    let block = match t.get("block") {
        Some(b) => ctx
            .strings(b, &join(path, "block"))?
            .iter()
            .map(|s| fold(s).replace(['-', '\'', ' '], ""))
            .collect(),
        None => vec![],
    };
    if let Some(n) = t.get("note") {
        ctx.string(n, &join(path, "note"))?;
    }
    Ok(TermSpec {
        forms,
        display,
        w,
        compound,
        context,
        block,
        penalty,
        without_context_only,
    })
}

/// Default compound policy: single words of 5+ letters may match inside compounds.
fn default_compound(words: &[String]) -> Compound {
    if words.len() == 1 && words[0].len() >= 5 {
        Compound::Both
    } else {
        Compound::None
    }
}

fn add_forms(m: &mut Matcher, spec: &TermSpec, payload: usize) {
    for f in &spec.forms {
        let words = term_words(f);
        if words.is_empty() {
            continue;
        }
        let compound = spec.compound.unwrap_or_else(|| default_compound(&words));
        m.add(
            &words,
            Entry {
                payload,
                compound,
                block: spec.block.clone(),
                need_cap: false,
                not_sentence_start: false,
            },
        );
    }
}

fn parse_terms(
    ctx: &Ctx,
    t: &Table,
    path: &str,
    default_w: f32,
    penalty_mode: bool,
) -> Result<Vec<TermSpec>, RulesError> {
    let p = join(path, "terms");
    let arr = ctx.array(ctx.req(t, path, "terms")?, &p)?;
    arr.iter()
        .enumerate()
        .map(|(i, v)| parse_term(ctx, v, &format!("{p}[{i}]"), default_w, penalty_mode))
        .collect()
}

use toml::value::Table;

impl Rules {
    /// Rules from the shipped `themes.toml`.
    pub fn builtin() -> Rules {
        Rules::from_toml(BUILTIN_THEMES, "themes.toml (ingebouwd)")
            .expect("the shipped themes.toml is valid")
    }

    /// Compile rules from TOML text. Strict: unknown keys and bad values are
    /// refused with the key path and the reason.
    pub fn from_toml(text: &str, origin: &str) -> Result<Rules, RulesError> {
        let ctx = Ctx { origin };
        let root = config::parse(text, &ctx)?;
        let root = ctx.table(&root, "")?;
        ctx.check_keys(
            root,
            "",
            &[
                "schema_version",
                "language",
                "description",
                "matching",
                "fields",
                "scoring",
                "core",
                "themes",
                "sector",
                "initiative",
                "penalties",
                "criteria",
            ],
        )?;
        if root
            .get("schema_version")
            .is_some_and(|v| v.as_integer() != Some(1))
        {
            return Err(ctx.err("schema_version", "must be 1"));
        }
        if let Some(v) = root.get("language") {
            ctx.string(v, "language")?;
        }
        if let Some(v) = root.get("description") {
            ctx.string(v, "description")?;
        }

        // [matching]
        let empty = Table::new();
        let mt = match root.get("matching") {
            Some(v) => ctx.table(v, "matching")?,
            None => &empty,
        };
        ctx.check_keys(
            mt,
            "matching",
            &[
                "compound_head_factor",
                "compound_modifier_factor",
                "compound_min_rest",
                "linking_elements",
                "repeat_cap",
                "repeat_decay",
                "context_window",
            ],
        )?;
        let min_rest =
            ctx.opt_number(mt, "matching", "compound_min_rest", 1.0, 10.0, 3.0)? as usize;
        let linking = match mt.get("linking_elements") {
            Some(v) => ctx.strings(v, "matching.linking_elements")?,
            None => vec!["s".into(), "en".into(), "e".into(), "er".into()],
        };
        // [fields]
        let ft = match root.get("fields") {
            Some(v) => ctx.table(v, "fields")?,
            None => &empty,
        };
        ctx.check_keys(ft, "fields", &["title", "lead", "body"])?;
        // [scoring]
        let st = match root.get("scoring") {
            Some(v) => ctx.table(v, "scoring")?,
            None => &empty,
        };
        let skeys = [
            "theme_cap",
            "topic_scale",
            "sector_full",
            "gate_floor",
            "workforce_full",
            "workforce_floor",
            "initiative_scale",
            "lead_base",
            "initiative_mix",
            "penalty_scale",
            "signal_field_weights",
            "workforce_theme_share",
        ];
        ctx.check_keys(st, "scoring", &skeys)?;
        let signal_field_weights = match st.get("signal_field_weights") {
            Some(v) => ctx.boolean(v, "scoring.signal_field_weights")?,
            None => false,
        };
        let p = Params {
            head_factor: ctx.opt_number(mt, "matching", "compound_head_factor", 0.0, 2.0, 1.0)?,
            modifier_factor: ctx.opt_number(
                mt,
                "matching",
                "compound_modifier_factor",
                0.0,
                2.0,
                0.7,
            )?,
            repeat_cap: ctx.opt_number(mt, "matching", "repeat_cap", 1.0, 20.0, 3.0)? as u32,
            repeat_decay: ctx.opt_number(mt, "matching", "repeat_decay", 0.0, 1.0, 0.6)?,
            context_window: ctx.opt_number(mt, "matching", "context_window", 0.0, 50.0, 1.0)?
                as usize,
            title: ctx.opt_number(ft, "fields", "title", 0.0, 10.0, 2.0)?,
            lead: ctx.opt_number(ft, "fields", "lead", 0.0, 10.0, 1.5)?,
            body: ctx.opt_number(ft, "fields", "body", 0.0, 10.0, 1.0)?,
            theme_cap: ctx.opt_number(st, "scoring", "theme_cap", 0.1, 100.0, 8.0)?,
            topic_scale: ctx.opt_number(st, "scoring", "topic_scale", 0.1, 100.0, 12.0)?,
            sector_full: ctx.opt_number(st, "scoring", "sector_full", 0.1, 100.0, 4.0)?,
            gate_floor: ctx.opt_number(st, "scoring", "gate_floor", 0.0, 1.0, 0.3)?,
            workforce_full: ctx.opt_number(st, "scoring", "workforce_full", 0.1, 100.0, 3.0)?,
            workforce_floor: ctx.opt_number(st, "scoring", "workforce_floor", 0.0, 1.0, 0.5)?,
            initiative_scale: ctx.opt_number(
                st,
                "scoring",
                "initiative_scale",
                0.1,
                100.0,
                10.0,
            )?,
            lead_base: ctx.opt_number(st, "scoring", "lead_base", 0.0, 1.0, 0.3)?,
            initiative_mix: ctx.opt_number(st, "scoring", "initiative_mix", 0.0, 1.0, 0.5)?,
            penalty_scale: ctx.opt_number(st, "scoring", "penalty_scale", 0.1, 100.0, 4.0)?,
            signal_field_weights,
            workforce_theme_share: ctx.opt_number(
                st,
                "scoring",
                "workforce_theme_share",
                0.0,
                1.0,
                0.5,
            )?,
        };

        let new_m = || Matcher::new(min_rest, linking.iter().map(|l| fold(l)).collect());

        // themes (index 0 = core)
        let mut themes = Vec::new();
        let mut theme_terms = Vec::new();
        let mut theme_m = new_m();
        let mut add_theme = |tt: &Table,
                             path: &str,
                             id: String,
                             themes: &mut Vec<ThemeDef>|
         -> Result<(), RulesError> {
            let label = ctx.nonempty_string(ctx.req(tt, path, "label")?, &join(path, "label"))?;
            for k in ["description", "lineage"] {
                if let Some(v) = tt.get(k) {
                    match v {
                        Value::String(_) => {}
                        Value::Array(_) => {
                            ctx.strings(v, &join(path, k))?;
                        }
                        _ => return Err(ctx.err(&join(path, k), "must be text or a list of texts")),
                    }
                }
            }
            let workforce = match tt.get("workforce") {
                Some(v) => ctx.boolean(v, &join(path, "workforce"))?,
                None => false,
            };
            let idx = themes.len();
            themes.push(ThemeDef {
                id,
                label,
                workforce,
            });
            for spec in parse_terms(&ctx, tt, path, 1.0, false)? {
                let payload = theme_terms.len();
                theme_terms.push(TermDef {
                    theme: idx,
                    display: spec.display.clone(),
                    w: spec.w,
                    context: spec.context,
                });
                add_forms(&mut theme_m, &spec, payload);
            }
            Ok(())
        };
        let core = ctx.table(ctx.req(root, "", "core")?, "core")?;
        ctx.check_keys(
            core,
            "core",
            &["id", "label", "description", "lineage", "terms"],
        )?;
        let core_id = match core.get("id") {
            Some(v) => ctx.nonempty_string(v, "core.id")?,
            None => "personeelstekort".to_string(),
        };
        add_theme(core, "core", core_id, &mut themes)?;
        let tarr = ctx.array(ctx.req(root, "", "themes")?, "themes")?;
        for (i, tv) in tarr.iter().enumerate() {
            let path = format!("themes[{i}]");
            let tt = ctx.table(tv, &path)?;
            ctx.check_keys(
                tt,
                &path,
                &[
                    "id",
                    "label",
                    "description",
                    "lineage",
                    "workforce",
                    "terms",
                ],
            )?;
            let id = ctx.nonempty_string(ctx.req(tt, &path, "id")?, &join(&path, "id"))?;
            if themes.iter().any(|t: &ThemeDef| t.id == id) {
                return Err(ctx.err(&join(&path, "id"), format!("duplicate theme id \"{id}\"")));
            }
            add_theme(tt, &path, id, &mut themes)?;
        }

        // [sector]
        let sec = ctx.table(ctx.req(root, "", "sector")?, "sector")?;
        ctx.check_keys(sec, "sector", &["description", "terms", "branches"])?;
        let mut sector_terms = Vec::new();
        let mut sector_m = new_m();
        for spec in parse_terms(&ctx, sec, "sector", 1.0, false)? {
            let payload = sector_terms.len();
            sector_terms.push(SectorTermDef {
                branch: None,
                w: spec.w,
            });
            add_forms(&mut sector_m, &spec, payload);
        }
        let mut branches = Vec::new();
        let barr = ctx.array(ctx.req(sec, "sector", "branches")?, "sector.branches")?;
        for (i, bv) in barr.iter().enumerate() {
            let path = format!("sector.branches[{i}]");
            let bt = ctx.table(bv, &path)?;
            ctx.check_keys(bt, &path, &["id", "label", "description", "terms"])?;
            let id = ctx.nonempty_string(ctx.req(bt, &path, "id")?, &join(&path, "id"))?;
            let label = ctx.nonempty_string(ctx.req(bt, &path, "label")?, &join(&path, "label"))?;
            if let Some(v) = bt.get("description") {
                ctx.string(v, &join(&path, "description"))?;
            }
            let bi = branches.len();
            branches.push((id, label));
            for spec in parse_terms(&ctx, bt, &path, 1.0, false)? {
                let payload = sector_terms.len();
                sector_terms.push(SectorTermDef {
                    branch: Some(bi),
                    w: spec.w,
                });
                add_forms(&mut sector_m, &spec, payload);
            }
        }

        // [initiative.*]
        let ini = ctx.table(ctx.req(root, "", "initiative")?, "initiative")?;
        let mut cats = Vec::new();
        let mut sig_terms = Vec::new();
        let mut sig_m = new_m();
        for (name, cv) in ini {
            let path = format!("initiative.{name}");
            let ct = ctx.table(cv, &path)?;
            ctx.check_keys(
                ct,
                &path,
                &[
                    "label",
                    "description",
                    "w",
                    "cap",
                    "penalty",
                    "terms",
                    "patterns",
                ],
            )?;
            let label = match ct.get("label") {
                Some(v) => ctx.nonempty_string(v, &join(&path, "label"))?,
                None => name.clone(),
            };
            if let Some(v) = ct.get("description") {
                ctx.string(v, &join(&path, "description"))?;
            }
            let w = ctx.number(ctx.req(ct, &path, "w")?, &join(&path, "w"), -5.0, 5.0)?;
            let cap = ctx.opt_number(ct, &path, "cap", 0.0, 100.0, 3.0 * w.abs())?;
            let penalty = ctx.opt_number(ct, &path, "penalty", 0.0, 5.0, 0.0)?;
            let mut patterns = Vec::new();
            if let Some(pv) = ct.get("patterns") {
                for (i, s) in ctx
                    .strings(pv, &join(&path, "patterns"))?
                    .iter()
                    .enumerate()
                {
                    let re = Regex::new(s).map_err(|e| {
                        ctx.err(
                            &format!("{path}.patterns[{i}]"),
                            format!(
                                "not a valid pattern: {}",
                                e.to_string().lines().last().unwrap_or("")
                            ),
                        )
                    })?;
                    patterns.push(re);
                }
            }
            let ci = cats.len();
            cats.push(SignalCat {
                id: name.clone(),
                label,
                w,
                cap,
                penalty,
                patterns,
            });
            for spec in parse_terms(&ctx, ct, &path, 1.0, false)? {
                let payload = sig_terms.len();
                sig_terms.push(SigTermDef {
                    cat: ci,
                    display: spec.display.clone(),
                });
                let spec = TermSpec {
                    compound: Some(spec.compound.unwrap_or(Compound::None)),
                    ..spec
                };
                add_forms(&mut sig_m, &spec, payload);
            }
        }

        // [penalties]
        let pen = ctx.table(ctx.req(root, "", "penalties")?, "penalties")?;
        ctx.check_keys(pen, "penalties", &["description", "terms"])?;
        let mut penalties = Vec::new();
        let mut pen_m = new_m();
        for spec in parse_terms(&ctx, pen, "penalties", 1.0, true)? {
            let payload = penalties.len();
            penalties.push(PenaltyDef {
                display: spec.display.clone(),
                label: spec.display.clone(),
                amount: spec.penalty,
                without_context_only: spec.without_context_only,
            });
            let spec = TermSpec {
                compound: Some(spec.compound.unwrap_or(Compound::None)),
                ..spec
            };
            add_forms(&mut pen_m, &spec, payload);
        }
        // labels for penalties
        if let Some(arr) = pen.get("terms").and_then(|v| v.as_array()) {
            for (i, v) in arr.iter().enumerate() {
                if let Some(l) = v.get("label").and_then(|l| l.as_str()) {
                    penalties[i].label = l.to_string();
                }
            }
        }

        // [criteria]
        let cr = ctx.table(ctx.req(root, "", "criteria")?, "criteria")?;
        let mut criteria = Vec::new();
        let mut min_met = 3usize;
        for (name, v) in cr {
            if name == "min_met" {
                min_met = ctx.number(v, "criteria.min_met", 0.0, 10.0)? as usize;
                continue;
            }
            if name == "description" {
                ctx.string(v, "criteria.description")?;
                continue;
            }
            let path = format!("criteria.{name}");
            let ct = ctx.table(v, &path)?;
            ctx.check_keys(
                ct,
                &path,
                &["label", "description", "signals", "negative", "threshold"],
            )?;
            let label = ctx.nonempty_string(ctx.req(ct, &path, "label")?, &join(&path, "label"))?;
            if let Some(d) = ct.get("description") {
                ctx.string(d, &join(&path, "description"))?;
            }
            let resolve = |key: &str| -> Result<Vec<SigSource>, RulesError> {
                let Some(sv) = ct.get(key) else {
                    return Ok(vec![]);
                };
                let mut out = Vec::new();
                for (i, s) in ctx.strings(sv, &join(&path, key))?.iter().enumerate() {
                    let sp = format!("{path}.{key}[{i}]");
                    if let Some(c) = s.strip_prefix("initiative.") {
                        let ci = cats.iter().position(|x| x.id == c).ok_or_else(|| {
                            ctx.err(&sp, format!("unknown initiative category \"{c}\""))
                        })?;
                        out.push(SigSource::Cat(ci));
                    } else if let Some(t) = s.strip_prefix("themes.") {
                        let ti = themes
                            .iter()
                            .position(|x| x.id == t)
                            .ok_or_else(|| ctx.err(&sp, format!("unknown theme \"{t}\"")))?;
                        out.push(SigSource::Theme(ti));
                    } else {
                        return Err(ctx.err(&sp, "must start with \"initiative.\" or \"themes.\""));
                    }
                }
                Ok(out)
            };
            let signals = resolve("signals")?;
            let negative = resolve("negative")?;
            let threshold = ctx.number(
                ctx.req(ct, &path, "threshold")?,
                &join(&path, "threshold"),
                0.1,
                100.0,
            )?;
            criteria.push(CriterionDef {
                id: name.clone(),
                label,
                signals,
                negative,
                threshold,
            });
        }

        let all_patterns: Vec<&str> = cats
            .iter()
            .flat_map(|c| c.patterns.iter().map(Regex::as_str))
            .collect();
        let any_pattern = if all_patterns.is_empty() {
            None
        } else {
            RegexSet::new(all_patterns).ok()
        };
        Ok(Rules {
            any_pattern,
            p,
            themes,
            theme_terms,
            theme_m,
            sector_terms,
            sector_m,
            branches,
            cats,
            sig_terms,
            sig_m,
            penalties,
            pen_m,
            criteria,
            min_met,
            gaz: gazetteer::Gazetteer::builtin(),
        })
    }

    /// Number of configured themes (without the core).
    pub fn theme_count(&self) -> usize {
        self.themes.len() - 1
    }

    /// Sector branch ids as configured.
    pub fn branch_ids(&self) -> Vec<&str> {
        self.branches.iter().map(|b| b.0.as_str()).collect()
    }
}

// ---------------------------------------------------------------------------
// scoring
// ---------------------------------------------------------------------------

struct Doc<'a> {
    fields: Vec<(Field, &'a str, Analysed)>,
    /// global sentence index offset per field
    offsets: Vec<usize>,
    n_sent: usize,
}

impl<'a> Doc<'a> {
    fn new(a: &'a ArticleInput) -> Doc<'a> {
        let lead = a.lead.trim();
        let mut body = a.body.trim();
        if !lead.is_empty() && body.starts_with(lead) {
            body = body[lead.len()..].trim_start();
        }
        let mut fields = Vec::new();
        for (f, t) in [
            (Field::Title, a.title.trim()),
            (Field::Lead, lead),
            (Field::Body, body),
        ] {
            let mut an = analyse(t);
            if f == Field::Title {
                // a headline is one sentence
                an.sentences = vec![(0, t.len())];
                for tok in &mut an.tokens {
                    tok.sent = 0;
                }
            }
            fields.push((f, t, an));
        }
        let mut offsets = Vec::new();
        let mut n = 0;
        for (_, _, an) in &fields {
            offsets.push(n);
            n += an.sentences.len().max(1);
        }
        Doc {
            fields,
            offsets,
            n_sent: n,
        }
    }

    fn sentence_text(&self, g: usize) -> Option<&'a str> {
        for (fi, (_, text, an)) in self.fields.iter().enumerate() {
            let off = self.offsets[fi];
            if g >= off && g < off + an.sentences.len() {
                let (s, e) = an.sentences[g - off];
                return Some(text[s..e].trim());
            }
        }
        None
    }
}

fn field_weight(p: &Params, f: Field) -> f32 {
    match f {
        Field::Title => p.title,
        Field::Lead => p.lead,
        Field::Body => p.body,
    }
}

/// Keep one hit per (group, first token): the one with the highest weight.
/// Several forms of one word (behoud / behouden) must not count twice.
fn dedupe(hits: Vec<text::Hit>, key: impl Fn(&text::Hit) -> (usize, f32)) -> Vec<text::Hit> {
    if hits.len() <= 1 {
        return hits;
    }
    let mut best: FxHashMap<(usize, usize), (f32, usize)> = FxHashMap::default();
    for (i, h) in hits.iter().enumerate() {
        let (g, w) = key(h);
        let e = best.entry((g, h.tok_start)).or_insert((w, i));
        if w > e.0 {
            *e = (w, i);
        }
    }
    let mut keep = vec![false; hits.len()];
    for v in best.values() {
        keep[v.1] = true;
    }
    hits.into_iter()
        .zip(keep)
        .filter_map(|(h, k)| k.then_some(h))
        .collect()
}

fn saturate(x: f32, cap: f32) -> f32 {
    if x <= 0.0 {
        return 0.0;
    }
    cap * (1.0 - (-x / cap).exp())
}

fn clip_sentence(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 280 {
        let t: String = s.chars().take(277).collect();
        format!("{t}...")
    } else {
        s
    }
}

/// Score an article.
pub fn score(rules: &Rules, a: &ArticleInput) -> Relevance {
    let p = &rules.p;
    let doc = Doc::new(a);

    // 1. sector context per sentence and branch scores
    let mut ctx_sent = vec![0f32; doc.n_sent.max(1)];
    let mut sector_points = 0f32;
    let mut branch_scores = vec![0f32; rules.branches.len()];
    for (fi, (field, _, an)) in doc.fields.iter().enumerate() {
        let fw = field_weight(p, *field);
        let hits = dedupe(rules.sector_m.find(&an.tokens), |h| {
            let t = &rules.sector_terms[h.payload];
            (t.branch.map_or(usize::MAX, |b| b), t.w)
        });
        for h in hits {
            let st = &rules.sector_terms[h.payload];
            let g = doc.offsets[fi] + an.tokens[h.tok_start].sent;
            ctx_sent[g] += st.w;
            sector_points += st.w * fw;
            if let Some(b) = st.branch {
                branch_scores[b] += st.w * fw;
            }
        }
    }
    let title_ctx = ctx_sent.first().copied().unwrap_or(0.0) > 0.0;
    let has_ctx = |g: usize| -> bool {
        if title_ctx {
            return true;
        }
        let lo = g.saturating_sub(p.context_window);
        let hi = (g + p.context_window).min(ctx_sent.len() - 1);
        ctx_sent[lo..=hi].iter().any(|&x| x > 0.0)
    };

    // 2. themes
    let nt = rules.themes.len();
    let mut theme_raw = vec![0f32; nt];
    let mut term_hits: Vec<Vec<TermHit>> = vec![Vec::new(); nt];
    let mut term_count: FxHashMap<usize, u32> = FxHashMap::default();
    let mut theme_sent: Vec<Vec<(usize, f32)>> = vec![Vec::new(); nt];
    for (fi, (field, text, an)) in doc.fields.iter().enumerate() {
        let fw = field_weight(p, *field);
        let hits = dedupe(rules.theme_m.find(&an.tokens), |h| {
            let t = &rules.theme_terms[h.payload];
            (t.theme, t.w)
        });
        for h in hits {
            let td = &rules.theme_terms[h.payload];
            let g = doc.offsets[fi] + an.tokens[h.tok_start].sent;
            if td.context && !has_ctx(g) {
                continue;
            }
            let cnt = term_count.entry(h.payload).or_insert(0);
            *cnt += 1;
            if *cnt > p.repeat_cap {
                continue;
            }
            let kf = match h.kind {
                MatchKind::Exact => 1.0,
                MatchKind::Head => p.head_factor,
                MatchKind::Modifier => p.modifier_factor,
            };
            let c = td.w * fw * kf * p.repeat_decay.powi(*cnt as i32 - 1);
            theme_raw[td.theme] += c;
            theme_sent[td.theme].push((g, c));
            let matched = &text[an.tokens[h.tok_start].start..an.tokens[h.tok_end - 1].end];
            let how = match h.kind {
                MatchKind::Exact => "exact",
                MatchKind::Head => "head",
                MatchKind::Modifier => "modifier",
            };
            let list = &mut term_hits[td.theme];
            if let Some(th) = list
                .iter_mut()
                .find(|x| x.term == td.display && x.field == *field)
            {
                th.count += 1;
                th.contribution += c;
            } else {
                list.push(TermHit {
                    term: td.display.clone(),
                    matched: matched.to_string(),
                    field: *field,
                    how: how.to_string(),
                    count: 1,
                    contribution: c,
                });
            }
        }
    }
    let mut themes_out = Vec::new();
    let mut topic_points = 0f32;
    for ti in 0..nt {
        if theme_raw[ti] <= 0.0 {
            continue;
        }
        let sat = saturate(theme_raw[ti], p.theme_cap);
        topic_points += sat;
        let mut terms = std::mem::take(&mut term_hits[ti]);
        terms.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
        for t in &mut terms {
            t.contribution = round2(t.contribution);
        }
        themes_out.push(ThemeHit {
            id: rules.themes[ti].id.clone(),
            label: rules.themes[ti].label.clone(),
            contribution: round2(sat),
            raw: round2(theme_raw[ti]),
            terms,
        });
    }
    themes_out.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
    let workforce = theme_raw[0]
        + p.workforce_theme_share
            * (1..nt)
                .filter(|&i| rules.themes[i].workforce)
                .map(|i| theme_raw[i])
                .sum::<f32>();

    // 3. initiative signals
    let nc = rules.cats.len();
    let mut cat_raw = vec![0f32; nc];
    let mut cat_terms: Vec<Vec<String>> = vec![Vec::new(); nc];
    let mut cat_sent: Vec<Vec<(usize, f32)>> = vec![Vec::new(); nc];
    let mut seen: FxHashSet<(usize, &str)> = FxHashSet::default();
    let mut folded = String::new();
    for (fi, (field, text, an)) in doc.fields.iter().enumerate() {
        let fw = if p.signal_field_weights {
            field_weight(p, *field)
        } else {
            1.0
        };
        let hits = dedupe(rules.sig_m.find(&an.tokens), |h| {
            (rules.sig_terms[h.payload].cat, 1.0)
        });
        for h in hits {
            let sd = &rules.sig_terms[h.payload];
            let g = doc.offsets[fi] + an.tokens[h.tok_start].sent;
            let cat = &rules.cats[sd.cat];
            // each distinct word counts once per category
            if !seen.insert((sd.cat, sd.display.as_str())) {
                cat_sent[sd.cat].push((g, cat.w * 0.5));
                continue;
            }
            cat_raw[sd.cat] += cat.w * fw;
            cat_sent[sd.cat].push((g, cat.w));
            let _ = text;
            cat_terms[sd.cat].push(sd.display.clone());
        }
        // patterns per sentence
        if rules.any_pattern.is_none() && rules.cats.iter().all(|c| c.patterns.is_empty()) {
            continue;
        }
        for (si, &(s, e)) in an.sentences.iter().enumerate() {
            folded.clear();
            fold_into(&text[s..e], &mut folded);
            if rules
                .any_pattern
                .as_ref()
                .is_some_and(|set| !set.is_match(&folded))
            {
                continue;
            }
            let g = doc.offsets[fi] + si;
            for (ci, cat) in rules.cats.iter().enumerate() {
                for re in &cat.patterns {
                    for m in re.find_iter(&folded) {
                        cat_raw[ci] += cat.w * fw;
                        cat_sent[ci].push((g, cat.w));
                        cat_terms[ci].push(m.as_str().trim().to_string());
                    }
                }
            }
        }
    }
    let mut cat_score = vec![0f32; nc];
    let mut signals_out = Vec::new();
    let mut initiative_points = 0f32;
    for ci in 0..nc {
        let cat = &rules.cats[ci];
        let s = if cat.w >= 0.0 {
            cat_raw[ci].min(cat.cap)
        } else {
            cat_raw[ci].max(-cat.cap)
        };
        cat_score[ci] = s;
        initiative_points += s;
        if cat_raw[ci] != 0.0 {
            let mut terms = cat_terms[ci].clone();
            terms.dedup();
            signals_out.push(SignalHit {
                id: cat.id.clone(),
                label: cat.label.clone(),
                score: round2(s),
                terms,
            });
        }
    }
    let initiative_points = initiative_points.max(0.0);
    let signal_penalty: f32 = (0..nc)
        .map(|ci| cat_score[ci].abs() * rules.cats[ci].penalty)
        .sum();

    // 4. criteria
    let mut criteria_out = Vec::new();
    let mut crit_sum = 0f32;
    let mut met = 0usize;
    for c in &rules.criteria {
        let mut s = 0f32;
        let mut per_sent: FxHashMap<usize, f32> = FxHashMap::default();
        for src in &c.signals {
            match src {
                SigSource::Cat(ci) => {
                    s += cat_score[*ci].max(0.0);
                    for &(g, w) in &cat_sent[*ci] {
                        *per_sent.entry(g).or_default() += w;
                    }
                }
                SigSource::Theme(ti) => {
                    s += saturate(theme_raw[*ti], p.theme_cap) * 0.5;
                    for &(g, w) in &theme_sent[*ti] {
                        *per_sent.entry(g).or_default() += w * 0.5;
                    }
                }
            }
        }
        for src in &c.negative {
            match src {
                SigSource::Cat(ci) => s -= cat_score[*ci].abs(),
                SigSource::Theme(ti) => s -= saturate(theme_raw[*ti], p.theme_cap) * 0.5,
            }
        }
        let strength = (s / c.threshold).max(0.0);
        let is_met = strength >= 1.0;
        if is_met {
            met += 1;
        }
        crit_sum += strength.min(1.0);
        let evidence = per_sent
            .iter()
            .filter(|(g, _)| **g > 0 || doc.fields[0].1.is_empty())
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
            .or_else(|| per_sent.iter().max_by(|a, b| a.1.total_cmp(b.1)))
            .and_then(|(g, _)| doc.sentence_text(*g))
            .map(clip_sentence);
        criteria_out.push(CriterionHit {
            id: c.id.clone(),
            label: c.label.clone(),
            met: is_met,
            strength: round2(strength),
            evidence: if s > 0.0 { evidence } else { None },
        });
    }
    let crit = if rules.criteria.is_empty() {
        0.0
    } else {
        crit_sum / rules.criteria.len() as f32
    };

    // 5. penalties
    let mut pen_out: Vec<PenaltyHit> = Vec::new();
    let mut pen_points = signal_penalty;
    for (fi, (_, _, an)) in doc.fields.iter().enumerate() {
        let hits = dedupe(rules.pen_m.find(&an.tokens), |h| {
            (0, rules.penalties[h.payload].amount)
        });
        for h in hits {
            let pd = &rules.penalties[h.payload];
            let g = doc.offsets[fi] + an.tokens[h.tok_start].sent;
            if pd.without_context_only && has_ctx(g) {
                continue;
            }
            if let Some(ph) = pen_out.iter_mut().find(|x| x.term == pd.display) {
                // repeated: half again, at most twice the amount
                let add = (pd.amount * 0.5).min(pd.amount * 2.0 - ph.amount).max(0.0);
                ph.amount += add;
                pen_points += add;
            } else {
                pen_out.push(PenaltyHit {
                    term: pd.display.clone(),
                    label: pd.label.clone(),
                    amount: pd.amount,
                });
                pen_points += pd.amount;
            }
        }
    }
    pen_out.retain(|x| x.amount > 0.0);
    for (ci, cat) in rules.cats.iter().enumerate() {
        if cat.penalty > 0.0 && cat_score[ci] != 0.0 {
            pen_out.push(PenaltyHit {
                term: cat_terms[ci].join(", "),
                label: cat.label.clone(),
                amount: round2(cat_score[ci].abs() * cat.penalty),
            });
        }
    }

    // 6. combine
    let topic = 1.0 - (-topic_points / p.topic_scale).exp();
    let sector_gate =
        p.gate_floor + (1.0 - p.gate_floor) * (sector_points / p.sector_full).min(1.0);
    let workforce_gate =
        p.workforce_floor + (1.0 - p.workforce_floor) * (workforce / p.workforce_full).min(1.0);
    let initiative = 1.0 - (-initiative_points / p.initiative_scale).exp();
    let leadness = p.lead_base
        + (1.0 - p.lead_base) * (p.initiative_mix * initiative + (1.0 - p.initiative_mix) * crit);
    let penalty_factor = (-pen_points / p.penalty_scale).exp();
    let score = (100.0 * topic * sector_gate * workforce_gate * leadness * penalty_factor)
        .clamp(0.0, 100.0);

    // 7. enrichment
    let sector = sector::classify(&rules.branches, &branch_scores, sector_points);
    let region = rules.gaz.detect(
        doc.fields.iter().map(|(f, t, an)| (*f, *t, an)),
        a.source_tags,
    );

    let components = Components {
        topic_points: round2(topic_points),
        topic: round2(topic),
        sector_context: round2(sector_points),
        sector_gate: round2(sector_gate),
        workforce: round2(workforce),
        workforce_gate: round2(workforce_gate),
        initiative_points: round2(initiative_points),
        initiative: round2(initiative),
        criteria: round2(crit),
        leadness: round2(leadness),
        penalty_points: round2(pen_points),
        penalty_factor: round2(penalty_factor),
    };
    let mut r = Relevance {
        score: round2(score),
        themes: themes_out,
        criteria: criteria_out,
        criteria_met: met,
        koploper_like: met >= rules.min_met,
        penalties: pen_out,
        signals: signals_out,
        sector,
        region,
        components,
        reason: String::new(),
    };
    r.reason = reason(rules, &r);
    r
}

fn round2(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}

fn sector_label(rules: &Rules, id: &str) -> String {
    if id == "breed" {
        return "zorg en welzijn breed".into();
    }
    rules
        .branches
        .iter()
        .find(|b| b.0 == id)
        .map(|b| b.1.to_lowercase())
        .unwrap_or_else(|| id.to_string())
}

/// One Dutch line for the advisor.
fn reason(rules: &Rules, r: &Relevance) -> String {
    let themes: Vec<String> = r
        .themes
        .iter()
        .filter(|t| t.id != rules.themes[0].id)
        .take(2)
        .map(|t| t.label.to_lowercase())
        .collect();
    let met: Vec<String> = r
        .criteria
        .iter()
        .filter(|c| c.met)
        .map(|c| c.label.to_lowercase())
        .collect();
    let mut where_ = Vec::new();
    if let Some(s) = &r.sector {
        where_.push(sector_label(rules, s));
    }
    if let Some(g) = &r.region {
        where_.push(g.clone());
    }
    let wh = if where_.is_empty() {
        String::new()
    } else {
        format!(" ({})", where_.join(", "))
    };
    let th = if themes.is_empty() {
        "personeel zorg en welzijn".to_string()
    } else {
        themes.join(" / ")
    };
    let crit = if met.is_empty() {
        "geen Koploper-criteria aantoonbaar".to_string()
    } else {
        format!(
            "{} van {} criteria: {}",
            met.len(),
            r.criteria.len(),
            met.join(", ")
        )
    };
    let pen = r
        .penalties
        .iter()
        .max_by(|a, b| a.amount.total_cmp(&b.amount))
        .map(|p| format!("; let op: {}", p.label))
        .unwrap_or_default();
    if r.score >= 50.0 {
        format!("Sterke kandidaat: concreet initiatief rond {th}{wh}; {crit}{pen}.")
    } else if r.score >= 30.0 {
        format!("Mogelijke kandidaat: {th}{wh}; {crit}{pen}.")
    } else if r.score >= 12.0 {
        if r.components.initiative < 0.35 {
            format!("Wel over {th}{wh}, maar geen concreet initiatief met resultaat{pen}.")
        } else {
            format!("Zwak signaal: {th}{wh}; {crit}{pen}.")
        }
    } else if r.components.sector_gate < 0.5 && !r.themes.is_empty() {
        format!("Geen Koploper-signaal: arbeidsmarkttaal zonder zorg- of welzijnscontext{pen}.")
    } else if r.themes.is_empty() {
        format!("Geen Koploper-signaal: geen thema's van het ALN gevonden{pen}.")
    } else {
        format!("Geen Koploper-signaal: weinig over personeel in zorg en welzijn{wh}{pen}.")
    }
}

/// Readable multi-line Dutch explanation (for `radar explain`).
pub fn explain_text(r: &Relevance) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "Score: {:.0} / 100", r.score);
    let _ = writeln!(s, "Reden: {}", r.reason);
    let _ = writeln!(
        s,
        "Sector: {}   Regio: {}",
        r.sector.as_deref().unwrap_or("onbekend"),
        r.region.as_deref().unwrap_or("onbekend")
    );
    let c = &r.components;
    let _ = writeln!(
        s,
        "Opbouw: onderwerp {:.2} × zorgcontext {:.2} × personeelswoorden {:.2} × initiatief/criteria {:.2} × straf {:.2}",
        c.topic, c.sector_gate, c.workforce_gate, c.leadness, c.penalty_factor
    );
    let _ = writeln!(
        s,
        "\nThema's (punten na verzadiging; per term de bijdrage):"
    );
    if r.themes.is_empty() {
        let _ = writeln!(s, "  (geen)");
    }
    for t in &r.themes {
        let _ = writeln!(
            s,
            "  {} [{}]: {:.1} (ruw {:.1})",
            t.label, t.id, t.contribution, t.raw
        );
        for th in &t.terms {
            let how = match th.how.as_str() {
                "head" => ", einde samenstelling",
                "modifier" => ", begin samenstelling",
                _ => "",
            };
            let _ = writeln!(
                s,
                "    - \"{}\" als \"{}\" in {}{}{}: +{:.2}",
                th.matched,
                th.term,
                th.field.dutch(),
                if th.count > 1 {
                    format!(", {}×", th.count)
                } else {
                    String::new()
                },
                how,
                th.contribution
            );
        }
    }
    let _ = writeln!(
        s,
        "\nKoploper-criteria ({} van {} aangetoond{}):",
        r.criteria_met,
        r.criteria.len(),
        if r.koploper_like {
            "; voldoet aan de ALN-vuistregel"
        } else {
            ""
        }
    );
    for c in &r.criteria {
        let _ = writeln!(
            s,
            "  [{}] {} (sterkte {:.2})",
            if c.met { "x" } else { " " },
            c.label,
            c.strength
        );
        if let Some(e) = &c.evidence {
            let _ = writeln!(s, "      \"{e}\"");
        }
    }
    if !r.signals.is_empty() {
        let _ = writeln!(s, "\nInitiatiefsignalen:");
        for g in &r.signals {
            let _ = writeln!(s, "  {} ({:+.1}): {}", g.label, g.score, g.terms.join(", "));
        }
    }
    let _ = writeln!(s, "\nStrafpunten:");
    if r.penalties.is_empty() {
        let _ = writeln!(s, "  (geen)");
    }
    for p in &r.penalties {
        let _ = writeln!(s, "  - {} ({}): -{:.1}", p.label, p.term, p.amount);
    }
    s
}

#[cfg(test)]
mod tests;

impl Rules {
    /// Ids of the configured themes (the core staffing group excluded).
    pub fn theme_ids(&self) -> Vec<String> {
        self.themes.iter().skip(1).map(|t| t.id.clone()).collect()
    }

    /// The display label of a theme id (the id itself when unknown).
    pub fn theme_label(&self, id: &str) -> String {
        self.themes
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.label.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// (id, label) of every theme, the core staffing group first.
    pub fn theme_labels(&self) -> Vec<(String, String)> {
        self.themes
            .iter()
            .map(|t| (t.id.clone(), t.label.clone()))
            .collect()
    }

    /// (id, label) of the configured sector branches.
    pub fn branch_labels(&self) -> Vec<(String, String)> {
        self.branches.clone()
    }

    /// The display form of every theme term, core included: the vocabulary
    /// of a plain keyword baseline.
    pub fn term_texts(&self) -> Vec<String> {
        self.theme_terms.iter().map(|t| t.display.clone()).collect()
    }
}
