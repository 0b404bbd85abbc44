//! Crash safety (reliability checklist #33): `radar import` is killed with
//! SIGKILL at pseudo-random moments, again and again, somewhere in its
//! SQLite transactions, its tantivy commits or between the two. After a
//! normal run that finishes, the store passes SQLite's integrity check,
//! holds every article exactly once, and search finds each of them exactly
//! once (no article lost from the index, none indexed twice).

mod common;

use common::Workspace;
use std::collections::HashSet;
use std::time::Duration;

const N: usize = 400;
const ROUNDS: usize = 20;

/// The first `n` articles of the archive.
fn archive(n: usize) -> String {
    (0..n)
        .map(|i| {
            serde_json::json!({
                "url": format!("https://zorg.example/crash/{i}"),
                "title": format!("Praktijkleerroute {i} voor zij-instromers in de ouderenzorg"),
                "body": format!(
                    "In regio {i} leiden zes zorgorganisaties samen met het mbo zij-instromers op \
                     in de ouderenzorg. Na een jaar zijn er {} nieuwe collega's. Andere regio's \
                     nemen de aanpak over. Kenmerk crashproef{i}.",
                    i % 40 + 5
                ),
                "source": "archief",
            })
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn sigkill_at_random_moments_loses_nothing_and_duplicates_nothing() {
    let ws = Workspace::new();
    let file = ws.path().join("archief.jsonl");
    let mut rng = fastrand::Rng::with_seed(33);
    let mut killed = 0;
    // The kill comes at a random moment below `window`, which follows the
    // speed of this machine: shorter after an import that finished first,
    // longer after one that was killed. A fixed window is too long on a
    // fast machine (nothing gets interrupted) or too short on a slow one.
    let mut window_ms: f64 = 400.0;
    for round in 0..ROUNDS {
        // Every round brings new articles, so every round has work to be
        // interrupted in.
        std::fs::write(&file, archive((round + 1) * N / ROUNDS)).unwrap();
        let mut child = ws
            .command(&["import", "--jsonl", file.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(
            (window_ms * (0.05 + 0.95 * rng.f64())) as u64,
        ));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL: no cleanup of any kind
            killed += 1;
            window_ms = (window_ms * 1.2).min(2000.0);
        } else {
            window_ms = (window_ms * 0.6).max(5.0);
        }
        child.wait().unwrap();
    }
    eprintln!("killed {killed} of {ROUNDS} imports (last window {window_ms:.0} ms)");
    assert!(
        killed >= 5,
        "the imports finished too fast to be interrupted"
    );

    // A run that is allowed to finish.
    let out = ws.radar(&["import", "--jsonl", file.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);

    // The store is sound (the backup runs SQLite's integrity check).
    let check = ws.json(&[
        "backup",
        ws.path().join("check.db").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(check["integrity"], "ok", "{check}");
    assert_eq!(check["articles"], N as u64, "{check}");

    // Every article is found once; each by its own marker word too.
    let hits = ws.json(&["search", "praktijkleerroute", "--json", "--limit", "1000"]);
    let ids: Vec<i64> = hits
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    let distinct: HashSet<i64> = ids.iter().copied().collect();
    assert_eq!(ids.len(), N, "search hits");
    assert_eq!(distinct.len(), N, "an article is indexed twice");
    for i in [0, N / 2, N - 1] {
        let h = ws.json(&["search", &format!("crashproef{i}"), "--json"]);
        assert_eq!(h.as_array().unwrap().len(), 1, "crashproef{i}: {h}");
    }
}
