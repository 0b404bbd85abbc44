//! Scoring tests on small Dutch articles written for these tests.
use super::*;

fn art<'a>(title: &'a str, body: &'a str) -> ArticleInput<'a> {
    ArticleInput {
        title,
        lead: "",
        body,
        source_tags: &[],
    }
}

fn rules() -> Rules {
    Rules::builtin()
}

fn theme<'a>(r: &'a Relevance, id: &str) -> Option<&'a ThemeHit> {
    r.themes.iter().find(|t| t.id == id)
}

fn has_term(r: &Relevance, id: &str, term: &str) -> bool {
    theme(r, id).is_some_and(|t| t.terms.iter().any(|x| x.term == term))
}

const LEAD: (&str, &str) = (
    "Zorggroep in Zwolle start leerwerktraject voor zij-instromers met baangarantie",
    "Vier zorgorganisaties in de regio Zwolle zijn samen met het ROC een nieuw leerwerktraject gestart voor zij-instromers in de ouderenzorg. \
     De deelnemers volgen een bbl-opleiding tot verzorgende IG en krijgen vanaf dag één een contract en een baangarantie. \
     In het eerste jaar zijn 24 zij-instromers begonnen en 20 van hen hebben hun diploma behaald. \
     Het personeelstekort in de verpleeghuizen is daarmee niet opgelost, maar het verloop onder nieuwe medewerkers daalde van 30 naar 12 procent. \
     Andere regio's willen de aanpak overnemen; er is een handreiking gemaakt.",
);

#[test]
fn builtin_parses_and_has_themes() {
    let r = rules();
    assert!(r.theme_count() >= 9);
    for id in [
        "ziekenhuis",
        "vvt",
        "ggz",
        "gehandicaptenzorg",
        "jeugdzorg",
        "huisartsen",
        "kinderopvang",
        "sociaal-werk",
    ] {
        assert!(r.branch_ids().contains(&id), "{id}");
    }
}

#[test]
fn a_real_initiative_scores_high_with_full_explanation() {
    let r = score(&rules(), &art(LEAD.0, LEAD.1));
    assert!(r.score >= 60.0, "score {}", r.score);
    // theme with the matched terms, field and contribution
    let zi = theme(&r, "zij_instroom").expect("zij-instroom theme");
    let t = zi.terms.iter().find(|t| t.term == "zij-instromer").unwrap();
    assert_eq!(t.field, Field::Title);
    assert!(t.contribution > 0.0);
    assert!(has_term(&r, "onderwijs_arbeidsmarkt", "bbl"));
    assert!(has_term(&r, "instroom", "baangarantie"));
    // criteria with evidence sentences
    assert!(r.criteria_met >= 3, "{:?}", r.criteria);
    let res = r.criteria.iter().find(|c| c.id == "resultaat").unwrap();
    assert!(res.met);
    let ev = res.evidence.as_deref().unwrap();
    assert!(ev.contains("procent") || ev.contains("diploma"), "{ev}");
    let samen = r.criteria.iter().find(|c| c.id == "samenwerken").unwrap();
    assert!(samen.met);
    assert!(samen.evidence.as_deref().unwrap().contains("samen met"));
    let over = r.criteria.iter().find(|c| c.id == "overdraagbaar").unwrap();
    assert!(over.evidence.as_deref().unwrap().contains("handreiking"));
    // enrichment
    assert_eq!(r.sector.as_deref(), Some("vvt"));
    assert_eq!(r.region.as_deref(), Some("Overijssel"));
    assert!(r.penalties.is_empty(), "{:?}", r.penalties);
    assert!(r.reason.starts_with("Sterke kandidaat"), "{}", r.reason);
    let text = explain_text(&r);
    assert!(text.contains("Koploper-criteria"));
    assert!(text.contains("zij-instromer"));
    assert!(text.contains("[x] Resultaat"));
}

#[test]
fn compound_personeelstekort_counts_tekort_and_personeel() {
    let r = score(
        &rules(),
        &art(
            "Personeelstekorten in de thuiszorg",
            "Het personeelstekort in de zorg groeit.",
        ),
    );
    let core = theme(&r, "personeelstekort").unwrap();
    assert!(core.terms.iter().any(|t| t.term == "personeelstekort"));
}

#[test]
fn sector_gate_lowers_shortage_news_outside_care() {
    let care = score(
        &rules(),
        &art(
            "Ziekenhuis start opleiding tegen personeelstekort",
            "Het ziekenhuis is samen met de hogeschool een opleiding gestart voor verpleegkundigen om het personeelstekort aan te pakken.",
        ),
    );
    let other = score(
        &rules(),
        &art(
            "Gemeente start opleiding tegen personeelstekort",
            "De gemeente is samen met de hogeschool een opleiding gestart voor ambtenaren om het personeelstekort aan te pakken.",
        ),
    );
    assert!(care.components.sector_gate > other.components.sector_gate);
    assert!(
        care.score > 2.0 * other.score,
        "{} vs {}",
        care.score,
        other.score
    );
}

#[test]
fn initiative_and_results_beat_a_problem_description() {
    let initiative = score(
        &rules(),
        &art(
            "Thuiszorgorganisatie voert zelfroosteren in: verzuim gedaald",
            "De thuiszorgorganisatie is vorig jaar gestart met zelfroosteren voor alle wijkverpleegkundigen. \
             Het verzuim daalde van 8 naar 5 procent en de medewerkerstevredenheid steeg.",
        ),
    );
    let problem = score(
        &rules(),
        &art(
            "Wijkverpleegkundigen klagen over roosters",
            "Volgens een peiling van de vakbond vinden wijkverpleegkundigen hun roosters te onregelmatig. \
             De minister wil dat werkgevers er iets aan doen.",
        ),
    );
    assert!(
        initiative.score > problem.score + 15.0,
        "{} vs {}",
        initiative.score,
        problem.score
    );
    assert!(initiative.components.initiative > problem.components.initiative);
}

#[test]
fn failure_words_lower_the_score_and_show_as_penalty() {
    let ok = score(
        &rules(),
        &art(
            "Regionale flexpool voor zorgmedewerkers gestart",
            "Vijf vvt-organisaties zijn gezamenlijk een regionale flexpool gestart om de uitstroom te beperken.",
        ),
    );
    let stopped = score(
        &rules(),
        &art(
            "Regionale flexpool voor zorgmedewerkers gestopt",
            "Vijf vvt-organisaties zijn gezamenlijk een regionale flexpool gestart om de uitstroom te beperken. \
             Het project is gestopt: de doelen zijn niet gehaald.",
        ),
    );
    assert!(
        stopped.score < ok.score,
        "{} vs {}",
        stopped.score,
        ok.score
    );
    assert!(
        stopped
            .penalties
            .iter()
            .any(|p| p.label.contains("gestopt")),
        "{:?}",
        stopped.penalties
    );
}

#[test]
fn football_koploper_is_not_an_aln_koploper() {
    let r = score(
        &rules(),
        &art(
            "PSV blijft koploper in de eredivisie",
            "PSV won de wedstrijd met 3-0 en is met vijf punten voorsprong koploper in de eredivisie.",
        ),
    );
    assert!(r.score < 3.0, "{}", r.score);
    assert!(!has_term(&r, "personeelstekort", "koploper"));
    assert!(r.penalties.iter().any(|p| p.term == "eredivisie"));
    let aln = score(
        &rules(),
        &art(
            "Leerwerkplaats in de ouderenzorg benoemd tot Koploper",
            "Het Actie Leer Netwerk heeft de leerwerkplaats van het verpleeghuis benoemd tot Koploper in de zorg.",
        ),
    );
    assert!(has_term(&aln, "personeelstekort", "koploper"));
    assert!(aln.score > 10.0 * r.score.max(0.1));
}

#[test]
fn bezorger_is_not_zorg_and_begrotingstekort_is_not_staff_shortage() {
    let r = score(
        &rules(),
        &art(
            "Pakketbezorger kampt met begrotingstekort",
            "De bezorger zegt dat het begrotingstekort van het bedrijf oploopt. Bezorgers maken zich zorgen.",
        ),
    );
    assert_eq!(r.components.sector_context, 0.0, "{r:?}");
    assert!(theme(&r, "personeelstekort").is_none(), "{:?}", r.themes);
    assert!(r.penalties.iter().any(|p| p.term == "begrotingstekort"));
    assert!(r.score < 2.0);
}

#[test]
fn vacancy_ad_is_penalised() {
    let r = score(
        &rules(),
        &art(
            "Vacature: verpleegkundige (32 uur)",
            "Wij zoeken een verpleegkundige voor ons verpleeghuis. Wat bieden wij: een vast contract. Solliciteer direct!",
        ),
    );
    assert!(
        r.penalties.iter().any(|p| p.label == "vacaturetekst"),
        "{:?}",
        r.penalties
    );
    assert!(r.score < 10.0, "{}", r.score);
}

#[test]
fn other_sector_shortage_is_penalised() {
    let r = score(
        &rules(),
        &art(
            "Lerarentekort: scholen zoeken zij-instromers",
            "Basisscholen willen het lerarentekort aanpakken met zij-instromers en een verkorte opleiding.",
        ),
    );
    assert!(r.penalties.iter().any(|p| p.term == "lerarentekort"));
    // zij-instromers need care context
    assert!(!has_term(&r, "zij_instroom", "zij-instromer"));
    assert!(r.score < 5.0, "{}", r.score);
}

#[test]
fn lead_is_not_counted_twice() {
    let body = "Het ziekenhuis start een leerafdeling voor studenten verpleegkunde. Dat helpt.";
    let lead = "Het ziekenhuis start een leerafdeling voor studenten verpleegkunde.";
    let a = score(
        &rules(),
        &ArticleInput {
            title: "",
            lead,
            body,
            source_tags: &[],
        },
    );
    let t = theme(&a, "onderwijs_arbeidsmarkt").unwrap();
    let la = t.terms.iter().find(|t| t.term == "leerafdeling").unwrap();
    assert_eq!(la.count, 1);
    assert_eq!(la.field, Field::Lead);
}

#[test]
fn region_from_source_tag() {
    let tags = vec!["region:zeeland".to_string()];
    let r = score(
        &rules(),
        &ArticleInput {
            title: "Verpleeghuis leidt zij-instromers op",
            lead: "",
            body: "Het verpleeghuis leidt zij-instromers op.",
            source_tags: &tags,
        },
    );
    assert_eq!(r.region.as_deref(), Some("Zeeland"));
}

#[test]
fn relevance_serialises() {
    let r = score(&rules(), &art(LEAD.0, LEAD.1));
    let j = serde_json::to_string(&r).unwrap();
    let back: Relevance = serde_json::from_str(&j).unwrap();
    assert_eq!(back.score, r.score);
}

#[test]
fn empty_article_is_zero() {
    let r = score(&rules(), &art("", ""));
    assert_eq!(r.score, 0.0);
    assert!(!r.reason.is_empty());
}

// ---- configuration errors -------------------------------------------------

fn minimal(extra_theme_terms: &str) -> String {
    format!(
        r#"
[core]
label = "kern"
terms = [{{ t = "personeelstekort", w = 3 }}]

[[themes]]
id = "a"
label = "A"
terms = [{{ t = "werving", w = 2 }}]

[[themes]]
id = "b"
label = "B"
terms = [{{ t = "stage", w = 1 }}, {{ t = "bbl", w = 2 }}, {extra_theme_terms}]

[sector]
terms = ["zorg"]
[[sector.branches]]
id = "vvt"
label = "VVT"
terms = ["verpleeghuis"]

[initiative.form]
w = 1
terms = ["pilot"]

[penalties]
terms = [{{ t = "eredivisie", penalty = 2 }}]

[criteria.samenwerken]
label = "Samenwerken"
signals = ["initiative.form"]
threshold = 1
"#
    )
}

#[test]
fn minimal_config_parses() {
    let r = Rules::from_toml(&minimal(r#"{ t = "mbo", w = 1 }"#), "test.toml").unwrap();
    let s = score(
        &r,
        &art(
            "Pilot met bbl in het verpleeghuis",
            "Een pilot tegen het personeelstekort.",
        ),
    );
    assert!(s.score > 0.0);
}

#[test]
fn bad_weight_is_refused_with_key_path() {
    let e = Rules::from_toml(&minimal(r#"{ t = "mbo", w = 7 }"#), "themes.toml").unwrap_err();
    assert_eq!(
        e.to_string(),
        "themes.toml: themes[1].terms[2].w: must be between 0 and 5"
    );
}

#[test]
fn unknown_key_is_refused_with_key_path() {
    let e = Rules::from_toml(&minimal(r#"{ t = "mbo", weight = 1 }"#), "themes.toml").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("themes.toml: themes[1].terms[2].weight: unknown key"),
        "{e}"
    );
    let e =
        Rules::from_toml(&format!("colour = 1\n{}", minimal(r#""mbo""#)), "x.toml").unwrap_err();
    assert!(
        e.to_string().starts_with("x.toml: colour: unknown key"),
        "{e}"
    );
}

#[test]
fn bad_compound_and_bad_pattern_are_refused() {
    let e =
        Rules::from_toml(&minimal(r#"{ t = "mbo", compound = "inside" }"#), "t.toml").unwrap_err();
    assert!(
        e.to_string()
            .contains("themes[1].terms[2].compound: must be one of"),
        "{e}"
    );
    let bad = minimal(r#""mbo""#).replace(
        "terms = [\"pilot\"]",
        "terms = [\"pilot\"]\npatterns = ['(unclosed']",
    );
    let e = Rules::from_toml(&bad, "t.toml").unwrap_err();
    assert!(
        e.to_string()
            .contains("initiative.form.patterns[0]: not a valid pattern"),
        "{e}"
    );
}

#[test]
fn bad_toml_and_missing_section_are_refused() {
    let e = Rules::from_toml("[core", "t.toml").unwrap_err();
    assert!(e.to_string().starts_with("t.toml: not valid TOML"), "{e}");
    let e = Rules::from_toml("[core]\nlabel = \"x\"\nterms = []\n", "t.toml").unwrap_err();
    assert_eq!(e.to_string(), "t.toml: themes: is required but missing");
    let e = Rules::from_toml(
        &minimal(r#""mbo""#).replace(
            "signals = [\"initiative.form\"]",
            "signals = [\"initiative.nope\"]",
        ),
        "t.toml",
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("criteria.samenwerken.signals[0]: unknown initiative category"),
        "{e}"
    );
}

#[test]
fn scores_alike_on_any_thread_and_when_repeated() {
    // Rules are shared between scoring threads; what analysis remembers is
    // per thread, so a fresh thread, a warm thread and a second set of
    // rules must all give the same explanation.
    fn shared<T: Send + Sync>(_: &T) {}
    let r = rules();
    shared(&r);
    let json = |r: &Rules| serde_json::to_string(&score(r, &art(LEAD.0, LEAD.1))).unwrap();
    let first = json(&r);
    assert_eq!(json(&r), first, "warm thread");
    let other = std::thread::scope(|s| s.spawn(|| json(&r)).join().unwrap());
    assert_eq!(other, first, "fresh thread");
    assert_eq!(json(&rules()), first, "second set of rules");
    // and it is the explanation the article deserves, not an empty one
    let parsed: Relevance = serde_json::from_str(&first).unwrap();
    assert!(has_term(&parsed, "zij_instroom", "zij-instromer"));
    assert!(parsed.region.as_deref() == Some("Overijssel"));
}
