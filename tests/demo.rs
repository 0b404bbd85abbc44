//! `radar demo`, the README's first command: the main job on the bundled
//! offline samples, with no network.

mod common;

use common::Workspace;

#[test]
fn demo_reads_the_samples_ranks_leads_and_writes_a_digest() {
    let ws = Workspace::new();
    let data = ws.path().join("demo-data");
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("feeds/samples");
    let out = ws.radar(&[
        "--data",
        data.to_str().unwrap(),
        "demo",
        "--samples",
        samples.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("3 bronnen gelezen, 36 nieuwe artikelen, 0 bronnen mislukt"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("Beste kandidaat-Koplopers"),
        "{}",
        out.stdout
    );
    // The strongest sample lead is listed first.
    let first = out
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with('['))
        .unwrap();
    assert!(first.contains("Wijkleerbedrijf Assen"), "{first}");
    let digest = std::fs::read_to_string(data.join("digest-voorbeeld.html")).unwrap();
    assert!(digest.contains("Wijkleerbedrijf Assen"));
    assert!(!digest.contains("<script"), "e-mail HTML has no scripts");
}
