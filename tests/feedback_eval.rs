//! Advisor feedback improves the ranking of what it was not given:
//! `radar eval --feedback` on the labelled dev set flags the leads and
//! dismisses the non-relevant items of one half and ranks the other half.
//! Skips (with a message) when the shared corpus is absent.

mod common;

use std::path::PathBuf;

fn dev_set() -> Option<PathBuf> {
    let base = std::env::var_os("RADAR_SHARED")
        .map(PathBuf::from)
        .or_else(common::shared_dir)?;
    let p = base.join("corpus/labelled/dev.jsonl");
    p.is_file().then_some(p)
}

#[test]
fn feedback_on_half_the_dev_set_lifts_the_other_half() {
    let Some(dev) = dev_set() else {
        eprintln!("SKIPPED: corpus/labelled/dev.jsonl not found (../shared or RADAR_SHARED)");
        return;
    };
    let ws = common::Workspace::new();
    let r = ws.json(&[
        "eval",
        "--labels",
        dev.to_str().unwrap(),
        "--feedback",
        "--json",
    ]);
    let f = &r["feedback"];
    let before = f["before"]["ap"].as_f64().unwrap();
    let after = f["after"]["ap"].as_f64().unwrap();
    eprintln!(
        "held-out AP before {before:.4} after {after:.4}; recall@25% {:.3} -> {:.3}; moved up {} down {}",
        f["before"]["recall_top_quarter"],
        f["after"]["recall_top_quarter"],
        f["moved_up"],
        f["moved_down"]
    );
    assert!(after > before, "feedback must help: {f}");
    assert!(
        f["after"]["recall_top_quarter"].as_f64() >= f["before"]["recall_top_quarter"].as_f64(),
        "{f}"
    );
    assert!(f["moved_up"].as_u64() > f["moved_down"].as_u64(), "{f}");
    let flagged: u64 = f["feedback_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_u64().unwrap())
        .sum();
    assert_eq!(
        flagged,
        r["per_label"][2].as_u64().unwrap(),
        "every lead flagged once"
    );
}
