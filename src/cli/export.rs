//! `radar export --csv`: the triage list as a spreadsheet (UTF-8 with BOM so
//! Excel reads the accents; `--separator ';'` for Dutch Excel).

use std::io::Write;
use std::path::PathBuf;

use super::App;
use crate::store::TriageRow;
use crate::triage::State;

/// Arguments of `radar export`.
#[derive(clap::Args)]
pub struct Args {
    /// Export as CSV (the only format so far)
    #[arg(long, required = true)]
    csv: bool,
    /// Only items in this state (e.g. koploper, flagged, dismissed)
    #[arg(long, value_name = "STATE")]
    state: Option<String>,
    /// Field separator: ',' or ';' (Dutch Excel expects ';')
    #[arg(long, default_value = ",", value_name = "CHAR")]
    separator: String,
    /// Write to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Column headers (Dutch: the advisors open this).
pub const HEADERS: [&str; 14] = [
    "id",
    "titel",
    "bron",
    "link",
    "datum",
    "score",
    "status",
    "eigenaar",
    "opvolgen",
    "reden",
    "criteria",
    "notities",
    "laatste notitie",
    "bijgewerkt",
];

/// Writes `rows` as CSV with a UTF-8 BOM.
pub fn write_csv(w: impl Write, rows: &[TriageRow], separator: u8) -> anyhow::Result<()> {
    let mut w = w;
    w.write_all("\u{feff}".as_bytes())?;
    let mut out = csv::WriterBuilder::new()
        .delimiter(separator)
        .terminator(csv::Terminator::CRLF)
        .from_writer(w);
    out.write_record(HEADERS)?;
    for r in rows {
        out.write_record([
            r.article_id.to_string(),
            r.title.clone(),
            r.source.clone(),
            r.url.clone().unwrap_or_default(),
            r.date
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            r.score.map(|s| format!("{s:.0}")).unwrap_or_default(),
            r.state.dutch().to_string(),
            r.owner.clone().unwrap_or_default(),
            r.due
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            r.reason.clone().unwrap_or_default(),
            r.criteria.join(" "),
            r.notes.to_string(),
            r.last_note.clone().unwrap_or_default(),
            crate::nltime::local(r.updated_at)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        ])?;
    }
    out.flush()?;
    Ok(())
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    let _ = args.csv;
    let sep = match args.separator.as_str() {
        "," => b',',
        ";" => b';',
        "\\t" | "\t" | "tab" => b'\t',
        other => anyhow::bail!("--separator {other:?}: use ',', ';' or tab"),
    };
    let state: Option<State> = args.state.as_deref().map(str::parse).transpose()?;
    let (store, _index) = app.open(false)?;
    let rows = store.triage_rows(state, false, None)?;
    match &args.out {
        Some(p) => {
            let f = std::fs::File::create(p)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.display()))?;
            write_csv(std::io::BufWriter::new(f), &rows, sep)?;
            eprintln!("{} rijen geschreven naar {}", rows.len(), p.display());
        }
        None => write_csv(std::io::stdout().lock(), &rows, sep)?,
    }
    Ok(0)
}
