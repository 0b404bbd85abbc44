//! `radar run` makes the digest on its schedule, and makes a digest that
//! was missed while radar was not running right at start.

mod common;

use chrono::{Duration, Utc};
use common::Workspace;
use radar::store::{DigestRecord, Store};

fn digests(ws: &Workspace) -> usize {
    std::fs::read_dir(ws.path().join("data/digests"))
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
                .count()
        })
        .unwrap_or(0)
}

fn record_old_digest(ws: &Workspace, days_ago: i64) {
    std::fs::create_dir_all(ws.path().join("data")).unwrap();
    let mut store = Store::open(&ws.path().join("data/radar.db")).unwrap();
    let end = Utc::now() - Duration::days(days_ago);
    store
        .record_digest(&DigestRecord {
            created_at: end,
            window_start: end - Duration::days(1),
            window_end: end,
            min_score: 40.0,
            read_count: 0,
            candidate_count: 0,
            leads: Vec::new(),
        })
        .unwrap();
}

#[test]
fn a_digest_missed_while_radar_was_down_is_made_at_start() {
    let ws = Workspace::new();
    // Every day at 07:00: three days ago means at least one tick was missed.
    std::fs::write(
        ws.path().join("config.toml"),
        std::fs::read_to_string(ws.path().join("config.toml")).unwrap()
            + "\n[digest]\nschedule = \"0 7 * * *\"\n",
    )
    .unwrap();
    record_old_digest(&ws, 3);
    let out = ws.radar(&["run", "--once"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("digest: 0 leads"), "{}", out.stdout);
    assert_eq!(digests(&ws), 1);
    let store = Store::open(&ws.path().join("data/radar.db")).unwrap();
    let end = store.last_digest_end().unwrap().unwrap();
    assert!(
        Utc::now() - end < Duration::minutes(5),
        "window moved on to now"
    );

    // Nothing missed any more: the next start makes no digest.
    let out = ws.radar(&["run", "--once"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(!out.stdout.contains("digest:"), "{}", out.stdout);
    assert_eq!(digests(&ws), 1);
}

#[test]
fn a_first_start_waits_for_the_schedule() {
    let ws = Workspace::new();
    let out = ws.radar(&["run", "--once"]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(!out.stdout.contains("digest:"), "{}", out.stdout);
    assert_eq!(digests(&ws), 0);
}
