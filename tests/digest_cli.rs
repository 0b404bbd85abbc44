//! `radar digest` end to end: formats, --out, --dry-run, files kept in the
//! data dir, no repeats, a plain message when there is nothing new, and a
//! failed send that is reported while the digest is kept.

mod common;

use common::Workspace;

const LEAD: &str = "Vier thuiszorgorganisaties in Drenthe hebben samen met het Drenthe \
College een leerwerkroute opgezet voor zij-instromers. In een jaar haalden 24 van de 27 \
deelnemers hun diploma verzorgende IG en werken er 22 nog in de regio. Deelnemers krijgen vanaf de \
eerste dag een contract en een vaste werkbegeleider. De partners delen hun draaiboek met andere \
regio's die een vergelijkbare route willen opzetten.";

fn workspace(extra_config: &str) -> Workspace {
    let ws = Workspace::new();
    std::fs::write(
        ws.path().join("feeds/a.rss"),
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>t</title>\
             <item><guid>d1</guid><title>Drentse leerwerkroute levert 24 diploma's op</title>\
             <link>https://example.test/d1</link><description>{LEAD}</description></item>\
             </channel></rss>"
        ),
    )
    .unwrap();
    ws.sources(&[("drenthe", "a.rss")]);
    std::fs::write(
        ws.path().join("config.toml"),
        format!("data_dir = \"data\"\n[digest]\nmin_score = 20.0\n{extra_config}"),
    )
    .unwrap();
    assert_eq!(ws.radar(&["fetch"]).code, 0);
    ws
}

#[test]
fn digest_formats_files_and_no_repeats() {
    let ws = workspace("");
    let v = ws.json(&["digest", "--dry-run", "--format", "json"]);
    assert_eq!(v["counts"]["shown"], 1, "{v}");
    assert!(
        !ws.path().join("data/digests").exists(),
        "a dry run keeps nothing"
    );
    let out_file = ws.path().join("digest.md");
    let out = ws.radar(&[
        "digest",
        "--format",
        "md",
        "--out",
        out_file.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let md = std::fs::read_to_string(&out_file).unwrap();
    assert!(md.contains("Drentse leerwerkroute"), "{md}");
    let kept: Vec<String> = std::fs::read_dir(ws.path().join("data/digests"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(kept.len(), 3, "{kept:?}");
    assert!(kept.iter().any(|f| f.ends_with(".html")));
    assert!(kept.iter().any(|f| f == "leads.atom"));
    // the next digest has nothing new, and says so
    let out = ws.radar(&["digest"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("Geen nieuwe leads"), "{}", out.stdout);
    let out = ws.radar(&["digest", "--format", "atom", "--since", "2020-01-01"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("<?xml"), "{}", out.stdout);
    assert!(
        !out.stdout.contains("<entry>"),
        "no repeats: {}",
        out.stdout
    );
    let out = ws.radar(&["digest", "--since", "gisteren"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("--since"), "{}", out.stderr);
}

#[test]
fn send_without_smtp_is_refused_and_a_failed_send_keeps_the_digest() {
    let ws = workspace("");
    let out = ws.radar(&["digest", "--send"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("email.host"), "{}", out.stderr);

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ws = workspace(&format!(
        "[email]\nhost = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\n\
         from = \"radar@example.test\"\nto = [\"a@example.test\"]\nretries = 0\n"
    ));
    let out = ws.radar(&["digest", "--send", "--format", "html"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("kept but not sent"), "{}", out.stderr);
    assert!(out.stdout.contains("Drentse leerwerkroute"));
    let kept = std::fs::read_dir(ws.path().join("data/digests"))
        .unwrap()
        .count();
    assert_eq!(kept, 3);
}
