//! The committed config loads; bad configs are refused before anything runs.

mod common;

use std::path::Path;

use common::Workspace;
use radar::config::Config;

#[test]
fn committed_config_loads_and_matches_the_defaults() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml");
    let c = Config::load(Some(&path), Vec::new()).expect("config.toml must load");
    let d = Config::default();
    // The file documents the defaults: if one changes, the other must too.
    assert_eq!(c.fetch.timeout_secs, d.fetch.timeout_secs);
    assert_eq!(c.fetch.max_body_bytes, d.fetch.max_body_bytes);
    assert_eq!(c.fetch.concurrency, d.fetch.concurrency);
    assert_eq!(c.fetch.user_agent, d.fetch.user_agent);
    assert_eq!(c.index.writer_memory_mb, d.index.writer_memory_mb);
    assert!(c.data_dir.ends_with("index"));
    assert!(c.sources.dir.ends_with("feeds"));
    assert_eq!(c.digest.schedule, d.digest.schedule);
    assert_eq!(c.digest.timezone, d.digest.timezone);
    assert_eq!(c.digest.min_score, d.digest.min_score);
    assert_eq!(c.digest.per_theme, d.digest.per_theme);
    assert_eq!(c.digest.title, d.digest.title);
    assert_eq!(c.email.port, d.email.port);
    assert_eq!(c.email.security, d.email.security);
    assert_eq!(c.email.password_env, d.email.password_env);
    assert_eq!(c.email.retries, d.email.retries);
    // and every key in the file is commented
    let text = std::fs::read_to_string(&path).unwrap();
    let mut prev = "";
    for line in text.lines() {
        if line.contains(" = ") && !line.starts_with('#') {
            assert!(
                prev.starts_with('#'),
                "key without a comment above it: {line}"
            );
        }
        prev = line;
    }
}

#[test]
fn shipped_source_lists_are_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("feeds");
    let real = radar::sources::load_dir(&dir, false).expect("feeds/*.toml must load");
    assert!(
        real.len() >= 20,
        "a curated list of real sources is shipped"
    );
    assert!(
        real.iter()
            .all(|s| matches!(s.location, radar::sources::Location::Http(_)))
    );
    let samples = radar::sources::load_dir(&dir.join("samples"), true).expect("samples must load");
    assert!(samples.len() >= 3);
    for s in samples {
        match s.location {
            radar::sources::Location::File(p) => assert!(p.exists(), "{}", p.display()),
            other => panic!("sample {} is not a local file: {other:?}", s.id),
        }
    }
}

#[test]
fn unknown_key_is_refused_with_its_name() {
    let ws = Workspace::new();
    std::fs::write(ws.path().join("config.toml"), "[fetch]\ntimeout = 5\n").unwrap();
    ws.sources(&[]);
    let out = ws.radar(&["fetch"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("timeout") && out.stderr.contains("unknown field"),
        "{}",
        out.stderr
    );
    assert!(
        !ws.path().join("index").exists() && !ws.path().join("data").exists(),
        "nothing ran"
    );
}

#[test]
fn bad_value_is_refused_with_its_name() {
    let ws = Workspace::new();
    std::fs::write(ws.path().join("config.toml"), "[fetch]\nconcurrency = 0\n").unwrap();
    let out = ws.radar(&["sources"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("fetch.concurrency"), "{}", out.stderr);
}

#[test]
fn environment_overrides_are_validated_too() {
    let ws = Workspace::new();
    ws.sources(&[]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_radar"))
        .arg("--config")
        .arg(ws.path().join("config.toml"))
        .arg("sources")
        .env("RADAR_FETCH_TIMEOUT_SECS", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RADAR_FETCH_TIMEOUT_SECS"));
}

#[test]
fn a_bad_source_list_names_file_entry_and_key() {
    let ws = Workspace::new();
    std::fs::write(
        ws.path().join("feeds/sources.toml"),
        "[[source]]\nid = \"zorg\"\nname = \"Zorg\"\nurl = \"ftp://zorg.example/feed\"\nkind = \"feed\"\n",
    )
    .unwrap();
    let out = ws.radar(&["fetch"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("sources.toml")
            && out.stderr.contains("zorg")
            && out.stderr.contains("ftp"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_bad_themes_file_beside_the_config_is_refused_before_anything_runs() {
    let ws = Workspace::new();
    ws.sources(&[]);
    let builtin = radar::rank::BUILTIN_THEMES;
    // An unknown key at the top level of an otherwise valid themes file.
    std::fs::write(
        ws.path().join("themes.toml"),
        format!("kleur = \"rood\"\n{builtin}"),
    )
    .unwrap();
    let out = ws.radar(&["fetch"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert!(
        out.stderr.contains("themes.toml") && out.stderr.contains("kleur"),
        "{}",
        out.stderr
    );
    assert!(!ws.path().join("data").exists(), "nothing ran");
    // The built-in themes, written out by `radar themes`, are a valid file.
    std::fs::remove_file(ws.path().join("themes.toml")).unwrap();
    let dumped = ws.radar(&["themes"]);
    assert_eq!(dumped.code, 0);
    std::fs::write(ws.path().join("themes.toml"), dumped.stdout).unwrap();
    let out = ws.radar(&["sources"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}
