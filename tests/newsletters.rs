//! Newsletters: splitting our Dutch fixtures (number of stories and their
//! links), a mailbox source end to end (each message processed once), and
//! the real newsletters in ../shared/corpus (skipped with a message when
//! absent; read in place, never copied).

mod common;

use common::{Workspace, fixture};
use radar::intake::mailbox::parse_issue;

fn issue(name: &str) -> radar::intake::mailbox::Issue {
    let raw = std::fs::read(fixture(&format!("newsletters/{name}"))).unwrap();
    parse_issue(&raw).unwrap_or_else(|| panic!("{name} does not parse"))
}

fn canonicals(i: &radar::intake::mailbox::Issue) -> Vec<&str> {
    i.stories.iter().map(|s| s.canonical.as_str()).collect()
}

#[test]
fn weekly_digest_in_table_layout() {
    let i = issue("zorgpraktijk-weekbericht.eml");
    assert_eq!(
        i.subject,
        "Weekbericht 14: leerafdelingen, zij-instroom en een prijs voor een wijkteam"
    );
    assert_eq!(i.from.as_deref(), Some("Zorgpraktijk Weekbericht"));
    // Image, title and "Lees meer" links of one story make one story; the
    // browser link, logo, social icons, afmelden, voorkeuren and privacy
    // are not stories.
    assert_eq!(
        canonicals(&i),
        vec![
            "https://www.zorgpraktijk-nieuws.nl/artikel/leerafdeling-tilburg",
            "https://www.zorgpraktijk-nieuws.nl/artikel/zij-instroom-limburg",
            "https://www.zorgpraktijk-nieuws.nl/artikel/wijkteam-innovatieprijs",
            "https://www.zorgpraktijk-nieuws.nl/agenda/webinar-zelfroosteren",
        ]
    );
    let titles: Vec<&str> = i.stories.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        vec![
            "Verpleeghuis in Tilburg opent leerafdeling voor mbo’ers",
            "Vijf Limburgse zorgaanbieders trekken samen op bij zij-instroom",
            "Wijkteam Deventer wint innovatieprijs met ‘één plan per cliënt’",
            "Webinar: roosteren met zelfroosteren",
        ]
    );
    assert!(
        i.stories[0].text.starts_with("Studenten verzorging lopen"),
        "{:?}",
        i.stories[0]
    );
    assert!(!i.stories[0].text.contains("Lees meer"));
}

#[test]
fn html_only_windows_1252_base64() {
    let i = issue("ggd-gezondheid-preventie.eml");
    assert_eq!(i.subject, "Nieuwsbrief Gezondheid & Preventie – april 2025");
    assert_eq!(
        canonicals(&i),
        vec![
            "https://www.ggd-voorbeeldregio.nl/nieuws/eenzaamheid-ouderen",
            "https://www.ggd-voorbeeldregio.nl/nieuws/jgz-app",
            "https://www.ggd-voorbeeldregio.nl/nieuws/mobiele-prikpost",
        ]
    );
    assert_eq!(
        i.stories[2].title,
        "Vaccineren in de wijk: mobiele prikpost komt naar u toe"
    );
    assert!(
        i.stories[0].text.contains("twee derde"),
        "{:?}",
        i.stories[0]
    );
}

#[test]
fn plain_text_iso_8859_1() {
    let i = issue("welzijnsplatform-oost-tekst.eml");
    assert_eq!(
        canonicals(&i),
        vec![
            "https://www.welzijnsplatform-oost.nl/nieuws/mantelzorg-contactpersoon",
            "https://www.welzijnsplatform-oost.nl/nieuws/gedeeld-rooster",
        ]
    );
    assert_eq!(
        i.stories[0].title,
        "Mantelzorgers krijgen vaste contactpersoon in de wijk"
    );
    assert!(i.stories[0].text.contains("één keer"), "{:?}", i.stories[0]);
}

fn mailbox_workspace(folder: &std::path::Path) -> Workspace {
    let ws = Workspace::new();
    std::fs::write(
        ws.path().join("feeds/post.toml"),
        format!(
            "[[source]]\nid = \"nieuwsbrieven\"\nname = \"Nieuwsbrieven\"\nkind = \"mailbox\"\npath = {:?}\n",
            folder.to_str().unwrap()
        ),
    )
    .unwrap();
    ws
}

fn fetch(ws: &Workspace) -> serde_json::Value {
    let out = ws.radar(&["fetch", "--json"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    serde_json::from_str::<serde_json::Value>(&out.stdout).unwrap()[0].clone()
}

#[test]
fn a_mailbox_source_stores_each_story_once() {
    let mail = tempfile::tempdir().unwrap();
    for f in [
        "zorgpraktijk-weekbericht.eml",
        "ggd-gezondheid-preventie.eml",
    ] {
        std::fs::copy(fixture(&format!("newsletters/{f}")), mail.path().join(f)).unwrap();
    }
    // The plain-text one arrives in a Maildir.
    std::fs::create_dir_all(mail.path().join("new")).unwrap();
    std::fs::copy(
        fixture("newsletters/welzijnsplatform-oost-tekst.eml"),
        mail.path().join("new/1742226300.M1P2.host"),
    )
    .unwrap();
    let ws = mailbox_workspace(mail.path());
    let r = fetch(&ws);
    assert_eq!(r["new"], 4 + 3 + 2, "{r}");

    let hits = ws.json(&["search", "buurtkamer", "--json"]);
    assert_eq!(
        hits[0]["url"],
        "https://www.ggd-voorbeeldregio.nl/nieuws/eenzaamheid-ouderen?mc_cid=55&mc_eid=99"
    );
    assert!(
        hits[0]["published"]
            .as_str()
            .unwrap()
            .starts_with("2025-04-15")
    );

    // Nothing new: no message is read twice.
    let r = fetch(&ws);
    assert_eq!(r["new"], 0, "{r}");
    assert_eq!(r["outcome"], "unchanged", "{r}");

    // A copy of an issue under another Message-ID adds nothing either: the
    // store knows its stories by URL.
    let copy = std::fs::read_to_string(mail.path().join("ggd-gezondheid-preventie.eml"))
        .unwrap()
        .replace("<2025-04-gp@", "<2025-04-gp-copy@");
    std::fs::write(mail.path().join("kopie.eml"), copy).unwrap();
    let r = fetch(&ws);
    assert_eq!(
        (r["new"].as_u64(), r["unchanged"].as_u64()),
        (Some(0), Some(3)),
        "{r}"
    );
}

fn shared_newsletters() -> Option<std::path::PathBuf> {
    let base = std::env::var_os("RADAR_SHARED")
        .map(std::path::PathBuf::from)
        .or_else(common::shared_dir)?;
    let p = base.join("corpus/real/newsletters");
    p.is_dir().then_some(p)
}

/// Phrases that must never end up in a story (boilerplate that slipped
/// through), in the corpus's German and in Dutch.
const LEAKS: &[&str] = &[
    "abmelden",
    "abbestellen",
    "im browser",
    "nicht mehr erhalten",
    "unsubscribe",
    "afmelden",
    "uitschrijven",
    "bekijk in je browser",
];

#[test]
fn real_newsletters_split_without_boilerplate() {
    let Some(dir) = shared_newsletters() else {
        eprintln!("SKIPPED: ../shared/corpus/real/newsletters is absent (set RADAR_SHARED)");
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "expected the corpus newsletters in {dir:?}"
    );
    let mut total = 0;
    let mut with_stories = 0;
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let raw = std::fs::read(f).unwrap();
        let i = parse_issue(&raw).unwrap_or_else(|| panic!("{name} does not parse"));
        assert!(!i.subject.is_empty(), "{name}: no subject");
        assert!(i.date.is_some(), "{name}: no date");
        total += i.stories.len();
        with_stories += usize::from(!i.stories.is_empty());
        for s in &i.stories {
            assert!(s.url.starts_with("http"), "{name}: {s:?}");
            assert!(!s.title.trim().is_empty(), "{name}: {s:?}");
            let all = format!("{} {}", s.title, s.text).to_lowercase();
            let all = all.split_whitespace().collect::<Vec<_>>().join(" ");
            for leak in LEAKS {
                assert!(!all.contains(leak), "{name}: boilerplate {leak:?} in {s:?}");
            }
        }
    }
    eprintln!(
        "newsletter corpus: {} messages, {with_stories} with stories, {total} stories",
        files.len()
    );
    // Measured on this corpus: 15 messages, 12 with stories, 76 stories
    // (3 have no linked story blocks: the story text has no link of its own).
    assert!(with_stories >= 11, "{with_stories}");
    assert!(total >= 70, "{total}");

    // The same issue delivered to two readers (per-recipient tracking
    // links) splits the same way.
    let pair: Vec<_> = files
        .iter()
        .filter(|f| f.to_string_lossy().contains("rp-online"))
        .map(|f| parse_issue(&std::fs::read(f).unwrap()).unwrap())
        .collect();
    assert_eq!(pair.len(), 2);
    let t = |i: &radar::intake::mailbox::Issue| {
        i.stories
            .iter()
            .map(|s| s.title.clone())
            .collect::<Vec<_>>()
    };
    assert!(pair[0].stories.len() >= 12, "{}", pair[0].stories.len());
    assert_eq!(t(&pair[0]), t(&pair[1]));
    assert!(
        t(&pair[0]).contains(&"Schlagersänger Tony Marshall ist gestorben".to_string()),
        "{:?}",
        t(&pair[0])
    );
}
