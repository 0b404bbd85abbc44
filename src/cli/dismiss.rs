//! `radar dismiss ID --reason TEXT`: not a lead; the story never comes back.

use super::App;
use super::triage::{author, print_item};
use crate::store::Change;
use crate::triage::State;

/// Arguments of `radar dismiss`.
#[derive(clap::Args)]
pub struct Args {
    /// Article id
    id: i64,
    /// Why (e.g. "andere sector", "vacature", "geen initiatief"); the
    /// ranking learns from it
    #[arg(long, value_name = "TEXT")]
    reason: String,
    /// Who does this [default: triage.author from the config, else $USER]
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
    /// Print the item as JSON
    #[arg(long)]
    json: bool,
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    let change = Change {
        by: author(app, args.by.as_deref()),
        at: chrono::Utc::now(),
        state: Some(State::Dismissed),
        reason: Some(args.reason),
        ..Change::default()
    };
    let (mut store, _index) = app.open(false)?;
    let item = store.triage_apply(args.id, &change)?;
    print_item(&item, args.json)
}
