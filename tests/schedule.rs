//! The scheduler: cron due times in the configured time zone, adaptive
//! interval bounds, Retry-After holding back one host (on tokio's paused
//! clock), and no re-poll storm after a restart.

use std::time::Duration;

use chrono::{DateTime, Utc};
use radar::config::ScheduleConfig;
use radar::fetch::retry::HostLimiter;
use radar::schedule::{Planner, PollFacts};
use radar::sources::{Source, load_file};
use radar::store::Store;
use tokio::time::Instant;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn planner(f: impl FnOnce(&mut ScheduleConfig)) -> Planner {
    let mut c = ScheduleConfig::default();
    f(&mut c);
    Planner::new(&c).unwrap()
}

fn sources(dir: &std::path::Path, text: &str) -> Vec<Source> {
    let p = dir.join("s.toml");
    std::fs::write(&p, text).unwrap();
    load_file(&p, false).unwrap()
}

const LIST: &str = r#"
[[source]]
id = "nos"
name = "NOS"
url = "https://nos.example/feed"
kind = "feed"
tags = ["outlet:omroep"]

[[source]]
id = "rijk"
name = "Rijksoverheid"
url = "https://rijk.example/feed"
kind = "feed"
tags = ["outlet:overheid"]

[[source]]
id = "eigen"
name = "Eigen schema"
url = "https://eigen.example/feed"
kind = "feed"
tags = ["outlet:overheid"]
schedule = "0 15 9 * * Mon"
"#;

#[test]
fn cron_due_times_follow_amsterdam_time_and_the_schedule_order() {
    let dir = tempfile::tempdir().unwrap();
    let list = sources(dir.path(), LIST);
    let p = planner(|c| {
        c.tags
            .insert("outlet:overheid".into(), "0 0 6 * * *".into());
    });
    let nos = p.schedule_for(&list[0]);
    let rijk = p.schedule_for(&list[1]);
    let eigen = p.schedule_for(&list[2]);
    // Default: every 30 minutes.
    assert_eq!(
        p.next_tick(&nos, at("2026-11-28T10:05:00Z")),
        at("2026-11-28T10:30:00Z")
    );
    // Tag schedule: 06:00 Amsterdam is 05:00 UTC in winter, 04:00 in summer.
    assert_eq!(
        p.next_tick(&rijk, at("2026-11-28T04:30:00Z")),
        at("2026-11-28T05:00:00Z")
    );
    assert_eq!(
        p.next_tick(&rijk, at("2026-07-01T03:30:00Z")),
        at("2026-07-01T04:00:00Z")
    );
    // The source's own schedule wins over its tag: Monday 09:15 local.
    assert_eq!(
        p.next_tick(&eigen, at("2026-11-28T10:00:00Z")),
        at("2026-11-30T08:15:00Z")
    );
    // A tick exactly now counts as due now.
    assert_eq!(
        p.next_tick(&nos, at("2026-11-28T10:30:00Z")),
        at("2026-11-28T10:30:00Z")
    );
    // Another time zone moves the local tick.
    let utc = planner(|c| {
        c.timezone = "UTC".into();
        c.tags
            .insert("outlet:overheid".into(), "0 0 6 * * *".into());
    });
    assert_eq!(
        utc.next_tick(&utc.schedule_for(&list[1]), at("2026-11-28T04:30:00Z")),
        at("2026-11-28T06:00:00Z")
    );
}

#[test]
fn adaptive_interval_stays_within_bounds() {
    let p = planner(|c| {
        c.default = "0 * * * * *".into(); // every minute: the spacing decides
        c.min_interval_mins = 15;
        c.max_interval_mins = 6 * 60;
    });
    let s = p.schedule_for(&sources(tempfile::tempdir().unwrap().path(), LIST)[0]);
    let now = at("2026-11-28T10:00:00Z");
    let next = |facts: PollFacts| p.next_check(&s, now, &facts) - now;
    let mins = chrono::Duration::minutes;
    // Busy feed: never faster than the minimum.
    assert_eq!(
        next(PollFacts {
            weekly_new: Some(100_000),
            ..Default::default()
        }),
        mins(15)
    );
    // 84 items a week: every two hours.
    assert_eq!(
        next(PollFacts {
            weekly_new: Some(84),
            ..Default::default()
        }),
        mins(120)
    );
    // Quiet feed: the maximum.
    assert_eq!(
        next(PollFacts {
            weekly_new: Some(0),
            ..Default::default()
        }),
        mins(360)
    );
    // No history yet: the minimum.
    assert_eq!(next(PollFacts::default()), mins(15));
    // Failing: exponential backoff, capped at the maximum.
    assert_eq!(
        next(PollFacts {
            errors: 3,
            ..Default::default()
        }),
        mins(60)
    );
    assert_eq!(
        next(PollFacts {
            errors: 30,
            ..Default::default()
        }),
        mins(360)
    );
    // <ttl> / Cache-Control are floors, capped at the maximum.
    assert_eq!(
        next(PollFacts {
            weekly_new: Some(100_000),
            cache_floor: Some(Duration::from_secs(3600)),
            ..Default::default()
        }),
        mins(60)
    );
    assert_eq!(
        next(PollFacts {
            cache_floor: Some(Duration::from_secs(7 * 86_400)),
            ..Default::default()
        }),
        mins(360)
    );
    // Retry-After is honoured even beyond the maximum (it is capped by
    // fetch.max_retry_after_secs when parsed).
    assert_eq!(
        next(PollFacts {
            retry_after: Some(Duration::from_secs(12 * 3600)),
            ..Default::default()
        }),
        mins(720)
    );
}

#[tokio::test(start_paused = true)]
async fn retry_after_holds_back_only_that_host() {
    let hosts = HostLimiter::new(2, Duration::ZERO);
    let t0 = Instant::now();
    hosts.hold("druk.example", Duration::from_secs(120));
    let other = tokio::spawn({
        let hosts = hosts.clone();
        async move {
            let _p = hosts.acquire("rustig.example").await;
            Instant::now()
        }
    });
    let held = tokio::spawn({
        let hosts = hosts.clone();
        async move {
            let _p = hosts.acquire("druk.example").await;
            Instant::now()
        }
    });
    let other = other.await.unwrap();
    let held = held.await.unwrap();
    assert_eq!(other - t0, Duration::ZERO, "other hosts are not held");
    assert!(held - t0 >= Duration::from_secs(120), "{:?}", held - t0);
    assert!(held - t0 < Duration::from_secs(121), "{:?}", held - t0);
    // A shorter hold never shortens a longer one.
    hosts.hold("druk.example", Duration::from_secs(300));
    hosts.hold("druk.example", Duration::from_secs(10));
    assert_eq!(hosts.wait_for("druk.example"), Duration::from_secs(300));
}

#[tokio::test(start_paused = true)]
async fn per_host_delay_and_concurrency() {
    let hosts = HostLimiter::new(1, Duration::from_secs(2));
    let t0 = Instant::now();
    let mut starts = Vec::new();
    for _ in 0..3 {
        let p = hosts.acquire("a.example").await;
        starts.push(Instant::now() - t0);
        drop(p);
    }
    assert_eq!(
        starts,
        vec![
            Duration::ZERO,
            Duration::from_secs(2),
            Duration::from_secs(4)
        ]
    );
    // With one slot, a second request waits for the first to finish.
    let hosts = HostLimiter::new(1, Duration::ZERO);
    let first = hosts.acquire("b.example").await;
    let waiter = tokio::spawn({
        let hosts = hosts.clone();
        async move {
            let _p = hosts.acquire("b.example").await;
            Instant::now()
        }
    });
    tokio::time::sleep(Duration::from_secs(5)).await;
    let released = Instant::now();
    drop(first);
    assert!(waiter.await.unwrap() >= released);
}

#[test]
fn no_repoll_storm_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let list = sources(dir.path(), LIST);
    let db = dir.path().join("radar.db");
    let now = Utc::now();
    {
        let mut store = Store::open(&db).unwrap();
        store.sync_sources(&list).unwrap();
        // Never checked: all due at once.
        assert_eq!(store.due_sources(now).unwrap().len(), 3);
        store
            .set_next_check("nos", now + chrono::Duration::minutes(30))
            .unwrap();
        store
            .set_next_check("rijk", now + chrono::Duration::hours(6))
            .unwrap();
        store
            .set_next_check("eigen", now - chrono::Duration::minutes(1))
            .unwrap();
    }
    // "Restart": a new process opens the same store.
    let mut store = Store::open(&db).unwrap();
    store.sync_sources(&list).unwrap();
    assert_eq!(store.due_sources(now).unwrap(), vec!["eigen".to_string()]);
    assert_eq!(
        store
            .due_sources(now + chrono::Duration::minutes(31))
            .unwrap(),
        vec!["eigen".to_string(), "nos".to_string()]
    );
    assert_eq!(
        store.next_due_at().unwrap().map(radar::store::ts),
        Some(radar::store::ts(now - chrono::Duration::minutes(1)))
    );
}
