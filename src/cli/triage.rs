//! `radar triage ID --state STATE`: move a lead through the follow-up
//! (te volgen → benaderd → in beoordeling → koploper), tick Koploper
//! criteria with evidence, add notes. Also the helpers the other triage
//! commands share.

use super::App;
use crate::store::{Change, TriageItem};
use crate::triage::{Criterion, State, parse_due};

/// Arguments of `radar triage`.
#[derive(clap::Args)]
pub struct Args {
    /// Article id
    id: i64,
    /// New state: flagged (te volgen), contacted (benaderd), in_assessment
    /// (in beoordeling), koploper, dismissed (afgewezen, needs --reason)
    #[arg(long, value_name = "STATE")]
    state: Option<String>,
    /// Reason, when dismissing
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
    /// A note to add
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
    /// Who follows it up
    #[arg(long, value_name = "NAME")]
    owner: Option<String>,
    /// Follow-up date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    due: Option<String>,
    /// Tick a Koploper criterion: samenwerken, innovatief, resultaat,
    /// overdraagbaar (needs --evidence)
    #[arg(long, value_name = "CRITERION", requires = "evidence")]
    check: Option<String>,
    /// What shows the criterion is met
    #[arg(long, value_name = "TEXT", requires = "check")]
    evidence: Option<String>,
    /// Untick a Koploper criterion
    #[arg(long, value_name = "CRITERION")]
    uncheck: Option<String>,
    /// Who does this [default: triage.author from the config, else $USER]
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
    /// Print the item as JSON
    #[arg(long)]
    json: bool,
}

/// The author of a change: `--by`, else `triage.author`, else `$USER`.
pub(super) fn author(app: &App, by: Option<&str>) -> String {
    by.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .or_else(|| Some(app.config.triage.author.trim().to_string()).filter(|s| !s.is_empty()))
        .or_else(|| std::env::var("USER").ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| "onbekend".into())
}

pub(super) fn parse_due_arg(s: Option<&str>) -> anyhow::Result<Option<chrono::NaiveDate>> {
    s.map(|s| parse_due(s).map_err(|e| anyhow::anyhow!("--due: {e}")))
        .transpose()
}

/// Prints a triage item (after a change, and in `radar show`).
pub(super) fn print_item(item: &TriageItem, json: bool) -> anyhow::Result<u8> {
    if json {
        println!("{}", serde_json::to_string_pretty(item)?);
    } else {
        print!("{}", item_text(item));
    }
    Ok(0)
}

/// A triage item as Dutch text.
pub(super) fn item_text(item: &TriageItem) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = write!(s, "#{} status: {}", item.article_id, item.state.dutch());
    if let Some(r) = &item.reason {
        let _ = write!(s, " (reden: {r})");
    }
    s.push('\n');
    if let Some(o) = &item.owner {
        let _ = writeln!(s, "  eigenaar:   {o}");
    }
    if let Some(d) = item.due {
        let _ = writeln!(s, "  opvolgen:   {}", d.format("%d-%m-%Y"));
    }
    let ticked = item.criteria.iter().filter(|c| c.checked).count();
    let _ = writeln!(s, "  criteria:   {ticked} van 4");
    for c in &item.criteria {
        let mark = if c.checked { "x" } else { " " };
        let _ = write!(s, "    [{mark}] {}", c.label);
        if let (true, Some(e)) = (c.checked, &c.evidence) {
            let _ = write!(s, ": {e}");
        }
        s.push('\n');
    }
    if !item.notes.is_empty() {
        let _ = writeln!(s, "  notities:");
        for n in &item.notes {
            let _ = writeln!(
                s,
                "    {} ({}): {}",
                crate::nltime::date_time(n.at),
                n.author,
                n.text
            );
        }
    }
    if !item.history.is_empty() {
        let _ = writeln!(s, "  geschiedenis:");
        for h in &item.history {
            let what = match (&h.from, &h.to) {
                (Some(f), Some(t)) => format!("{f} → {t}"),
                (None, Some(t)) => t.clone(),
                (Some(f), None) => format!("{f} → (leeg)"),
                (None, None) => String::new(),
            };
            let _ = writeln!(
                s,
                "    {} {}: {} {}",
                crate::nltime::date_time(h.at),
                h.by,
                h.field,
                what
            );
        }
    }
    s
}

pub(super) fn run(app: &App, args: Args) -> anyhow::Result<u8> {
    let state: Option<State> = args.state.as_deref().map(str::parse).transpose()?;
    let check = match (&args.check, &args.evidence) {
        (Some(c), Some(e)) => Some((c.parse::<Criterion>()?, e.clone())),
        _ => None,
    };
    let uncheck: Option<Criterion> = args.uncheck.as_deref().map(str::parse).transpose()?;
    if state.is_none()
        && check.is_none()
        && uncheck.is_none()
        && args.note.is_none()
        && args.owner.is_none()
        && args.due.is_none()
    {
        anyhow::bail!(
            "nothing to do: give --state, --check/--evidence, --uncheck, --note, --owner or --due"
        );
    }
    let change = Change {
        by: author(app, args.by.as_deref()),
        at: chrono::Utc::now(),
        state,
        reason: args.reason,
        owner: args.owner,
        due: parse_due_arg(args.due.as_deref())?,
        note: args.note,
        check,
        uncheck,
        ..Change::default()
    };
    let (mut store, _index) = app.open(false)?;
    let item = store.triage_apply(args.id, &change)?;
    let ticked = item.criteria.iter().filter(|c| c.checked).count();
    if state == Some(State::Koploper) && ticked < 3 {
        eprintln!(
            "let op: {ticked} van 4 criteria afgevinkt; de ALN-vuistregel is minstens 3 \
             (radar triage {} --check CRITERIUM --evidence TEKST)",
            item.article_id
        );
    }
    print_item(&item, args.json)
}
