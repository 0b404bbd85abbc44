//! `radar backup`: a consistent, checked copy of the store while other
//! radar processes write; restoring it and rebuilding the index gives back
//! every article, flag and note that was acknowledged before the backup.

mod common;

use common::Workspace;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

fn articles(n: usize) -> String {
    (0..n)
        .map(|i| {
            serde_json::json!({
                "url": format!("https://zorg.example/nieuws/{i}"),
                "title": format!("Leerwerkplaats {i} voor zij-instromers in de wijkverpleging"),
                "body": format!("Zorggroep {i} leidt samen met het ROC zij-instromers op in de wijkverpleging. \
                                 Na een jaar werken twintig nieuwe collega's in de wijk."),
                "source": "archief",
            })
            .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_backup_during_writes_is_consistent_and_restores() {
    let ws = Workspace::new();
    let file = ws.path().join("archief.jsonl");
    std::fs::write(&file, articles(40)).unwrap();
    let out = ws.radar(&["import", "--jsonl", file.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let ids: Vec<i64> = ws
        .json(&["search", "leerwerkplaats", "--json", "--limit", "40"])
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    assert!(ids.len() >= 20, "{ids:?}");

    // Another process keeps adding notes while backups are taken; each
    // note is acknowledged (exit 0) before it is counted.
    let acked = Arc::new(Mutex::new(Vec::<(i64, String)>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (acked, stop, ids) = (acked.clone(), stop.clone(), ids.clone());
        let cfg = ws.path().join("config.toml");
        std::thread::spawn(move || {
            for (n, id) in ids.iter().cycle().enumerate() {
                if stop.load(Ordering::SeqCst) || n >= 200 {
                    break;
                }
                let note = format!("notitie {n}");
                let out = common::radar_command(&cfg)
                    .args(["flag", &id.to_string(), "--note", &note, "--by", "anna"])
                    .output()
                    .unwrap();
                if out.status.success() {
                    acked.lock().unwrap().push((*id, note));
                }
            }
        })
    };
    let mut backups = Vec::new();
    for i in 0..3 {
        std::thread::sleep(std::time::Duration::from_millis(300));
        let before = acked.lock().unwrap().len();
        let dest = ws.path().join(format!("backup-{i}.db"));
        let r = ws.json(&["backup", dest.to_str().unwrap(), "--json"]);
        assert_eq!(r["integrity"], "ok", "{r}");
        assert_eq!(r["articles"], 40, "{r}");
        assert!(
            r["notes"].as_u64().unwrap() >= before as u64,
            "{before} notes were acknowledged before the backup: {r}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&dest).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the copy holds password hashes: {mode:o}");
        }
        backups.push((dest, before));
    }
    stop.store(true, Ordering::SeqCst);
    writer.join().unwrap();
    assert!(
        !acked.lock().unwrap().is_empty(),
        "the writer acknowledged no note"
    );

    // A destination that exists is refused, and nothing is left behind.
    let (dest, before) = &backups[2];
    let out = ws.radar(&["backup", dest.to_str().unwrap()]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("already exists"), "{}", out.stderr);

    // Restore into a fresh data directory and rebuild the index.
    let restored = ws.path().join("hersteld");
    std::fs::create_dir_all(&restored).unwrap();
    std::fs::copy(dest, restored.join("radar.db")).unwrap();
    let run = |args: &[&str]| {
        let out = ws
            .command(&["--data", restored.to_str().unwrap()])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&["reindex"]);
    let hits: serde_json::Value = serde_json::from_str(&run(&[
        "search",
        "wijkverpleging",
        "--json",
        "--limit",
        "50",
    ]))
    .unwrap();
    assert_eq!(hits.as_array().unwrap().len(), 40);
    let list = acked.lock().unwrap();
    let (id, note) = &list[before.saturating_sub(1)];
    let shown = run(&["show", &id.to_string()]);
    assert!(shown.contains(note.as_str()), "{note} missing:\n{shown}");
    let names: Vec<String> = std::fs::read_dir(ws.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".partial")), "{names:?}");
}
