//! `radar user add|list`: accounts for the web interface. Passwords come
//! from the environment (RADAR_PASSWORD) or standard input, never from an
//! argument (arguments are visible to every user of the machine).

use std::io::BufRead;

use super::App;

/// Subcommands of `radar user`.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Add a user, or set the role and password of an existing one. The
    /// password is read from RADAR_PASSWORD or the first line of standard input.
    Add {
        /// Log-in name (letters, digits, `.`, `-`, `_`; at most 64)
        name: String,
        /// advisor (may change things: tips, triage) or viewer (reads only)
        #[arg(long, value_parser = ["advisor", "viewer"])]
        role: String,
    },
    /// List the users and their roles.
    List {
        /// Print as JSON
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(app: &App, cmd: Command) -> anyhow::Result<u8> {
    let (mut store, _index) = app.open(false)?;
    match cmd {
        Command::Add { name, role } => {
            crate::web::auth::check_user_name(&name).map_err(anyhow::Error::msg)?;
            let password = match std::env::var("RADAR_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            crate::web::auth::check_password(&password).map_err(anyhow::Error::msg)?;
            let hash = crate::web::auth::hash_password(&password)?;
            let new = store.upsert_user(&name, &role, &hash, &crate::web::auth::random_token())?;
            if new {
                println!("User {name} added ({role}).");
            } else {
                println!("User {name} updated ({role}); their sessions were ended.");
            }
        }
        Command::List { json } => {
            let users = store.users()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else if users.is_empty() {
                println!("No users: `radar serve` runs open, on a loopback address only.");
            } else {
                for u in users {
                    println!(
                        "{:<24} {:<8} {}",
                        u.name,
                        u.role,
                        u.created_at.map(crate::store::ts).unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(0)
}
