//! `radar flag ID`: mark a lead as worth following ("te volgen").

use super::App;
use super::triage::{author, parse_due_arg, print_item};
use crate::store::Change;

/// Arguments of `radar flag`.
#[derive(clap::Args)]
pub struct Args {
    /// Article id
    id: i64,
    /// Who follows it up
    #[arg(long, value_name = "NAME")]
    owner: Option<String>,
    /// A note to add (notes are kept with author and time, never changed)
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
    /// Follow-up date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    due: Option<String>,
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
        flag: true,
        owner: args.owner,
        note: args.note,
        due: parse_due_arg(args.due.as_deref())?,
        ..Change::default()
    };
    let (mut store, _index) = app.open(false)?;
    let item = store.triage_apply(args.id, &change)?;
    print_item(&item, args.json)
}
