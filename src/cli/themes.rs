//! `radar themes`: print the theme configuration in use.

use super::App;

pub(super) fn run(app: &App) -> anyhow::Result<u8> {
    if app.ranker.origin == "built-in" {
        print!("{}", crate::rank::BUILTIN_THEMES);
    } else {
        print!("{}", std::fs::read_to_string(&app.config.rank.themes)?);
    }
    eprintln!("# themes from: {}", app.ranker.origin);
    Ok(0)
}
