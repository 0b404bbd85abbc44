//! A consistent copy of the store while radar runs (`radar backup`).
//!
//! `VACUUM INTO` reads the database in one read transaction, so the copy is
//! a snapshot even while `radar run` or the web interface write (WAL lets
//! the writers go on); it is compact and has no `-wal` file. The copy is
//! written beside the destination, checked with `PRAGMA integrity_check`,
//! synced and only then renamed into place. It holds password hashes and
//! notes, so it is readable by its owner only. The search index is not
//! copied: it is derived and `radar reindex` rebuilds it.

use std::path::Path;

use rusqlite::Connection;
use serde::Serialize;

use super::{Context, Result, Store};

/// What a backup holds.
#[derive(Debug, Clone, Serialize)]
pub struct BackupReport {
    /// Articles in the copy.
    pub articles: u64,
    /// Leads in the follow-up (any state).
    pub triage_items: u64,
    /// Notes.
    pub notes: u64,
    /// Size of the copy in bytes.
    pub bytes: u64,
    /// `PRAGMA integrity_check` of the copy.
    pub integrity: String,
}

impl Store {
    /// Writes a consistent copy of the store to `dest` (which must not
    /// exist) and checks it.
    pub fn backup_to(&self, dest: &Path) -> std::result::Result<BackupReport, String> {
        if dest.exists() {
            return Err(format!(
                "{} already exists; choose a new file name",
                dest.display()
            ));
        }
        let name = dest
            .file_name()
            .ok_or_else(|| format!("{} is not a file name", dest.display()))?;
        let partial = dest.with_file_name(format!(".{}.partial", name.to_string_lossy()));
        let _ = std::fs::remove_file(&partial);
        let path = partial
            .to_str()
            .ok_or_else(|| format!("{} is not valid UTF-8", partial.display()))?;
        let result = (|| {
            self.conn
                .execute("VACUUM INTO ?1", [path])
                .ctx("copying the store")
                .map_err(|e| e.to_string())?;
            restrict(&partial)?;
            let report = check(&partial).map_err(|e| e.to_string())?;
            if report.integrity != "ok" {
                return Err(format!(
                    "the copy fails its integrity check: {}",
                    report.integrity
                ));
            }
            std::fs::File::open(&partial)
                .and_then(|f| f.sync_all())
                .map_err(|e| format!("syncing {}: {e}", partial.display()))?;
            std::fs::rename(&partial, dest)
                .map_err(|e| format!("cannot move the copy to {}: {e}", dest.display()))?;
            Ok(report)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        result
    }
}

#[cfg(unix)]
fn restrict(p: &Path) -> std::result::Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600))
        .map_err(|e| format!("cannot restrict {}: {e}", p.display()))
}

#[cfg(not(unix))]
fn restrict(_: &Path) -> std::result::Result<(), String> {
    Ok(())
}

/// Opens a copy read-only and reports what it holds.
pub fn check(path: &Path) -> Result<BackupReport> {
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .ctx(&format!("opening {}", path.display()))?;
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .ctx("checking integrity")?;
    let count = |sql: &str| -> Result<u64> {
        conn.query_row(sql, [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .ctx(sql)
    };
    Ok(BackupReport {
        articles: count("SELECT COUNT(*) FROM articles")?,
        triage_items: count("SELECT COUNT(*) FROM triage_items")?,
        notes: count("SELECT COUNT(*) FROM triage_notes")?,
        bytes: std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
        integrity,
    })
}
