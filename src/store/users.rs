//! User accounts and log-in sessions for the web interface. Passwords are
//! hashed by the caller (argon2, in `web::auth`); session tokens are stored
//! only as their SHA-256 hash, so the database does not hold live sessions.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Context, Result, Store, parse_ts, ts};

/// A user account (without its password hash).
#[derive(Debug, Clone, Serialize)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Log-in name.
    pub name: String,
    /// `advisor` or `viewer`.
    pub role: String,
    /// Token for this user's Atom feeds.
    #[serde(skip)]
    pub feed_token: String,
    /// When the account was made.
    pub created_at: Option<DateTime<Utc>>,
}

/// The user behind a live session, with the session's CSRF token.
#[derive(Debug, Clone)]
pub struct SessionUser {
    /// The user.
    pub user: User,
    /// The CSRF token every form of this session must carry.
    pub csrf: String,
}

fn user_from_row(r: &rusqlite::Row) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        name: r.get(1)?,
        role: r.get(2)?,
        feed_token: r.get(3)?,
        created_at: parse_ts(r.get(4)?),
    })
}

const USER_COLS: &str = "u.id, u.name, u.role, u.feed_token, u.created_at";

impl Store {
    /// Adds a user, or replaces the role and password of an existing one
    /// (its feed token is kept). Returns whether the user is new.
    pub fn upsert_user(
        &mut self,
        name: &str,
        role: &str,
        password_hash: &str,
        feed_token: &str,
    ) -> Result<bool> {
        let exists = self.user_auth(name)?.is_some();
        self.conn
            .execute(
                "INSERT INTO users (name, role, password_hash, feed_token, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(name) DO UPDATE SET role = excluded.role,
                    password_hash = excluded.password_hash",
                params![name, role, password_hash, feed_token, ts(Utc::now())],
            )
            .ctx("saving user")?;
        if exists {
            // A new password ends the sessions made with the old one.
            self.conn
                .execute(
                    "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE name = ?1)",
                    [name],
                )
                .ctx("ending sessions")?;
        }
        Ok(!exists)
    }

    /// All users, by name.
    pub fn users(&self) -> Result<Vec<User>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {USER_COLS} FROM users u ORDER BY u.name"))
            .ctx("preparing user list")?;
        let rows = stmt.query_map([], user_from_row).ctx("listing users")?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .ctx("listing users")
    }

    /// Number of users (0 means the web interface may run open on loopback).
    pub fn user_count(&self) -> Result<u64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM users", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .ctx("counting users")
    }

    /// A user and their password hash, for logging in.
    pub fn user_auth(&self, name: &str) -> Result<Option<(User, String)>> {
        self.conn
            .query_row(
                &format!("SELECT {USER_COLS}, u.password_hash FROM users u WHERE u.name = ?1"),
                [name],
                |r| Ok((user_from_row(r)?, r.get(5)?)),
            )
            .optional()
            .ctx("reading user")
    }

    /// The user whose feed token this is.
    pub fn user_by_feed_token(&self, token: &str) -> Result<Option<User>> {
        self.conn
            .query_row(
                &format!("SELECT {USER_COLS} FROM users u WHERE u.feed_token = ?1"),
                [token],
                user_from_row,
            )
            .optional()
            .ctx("reading user by feed token")
    }

    /// Records a new session (token given as its hash).
    pub fn create_session(
        &mut self,
        token_hash: &str,
        user_id: i64,
        csrf: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let now = Utc::now();
        self.conn
            .execute("DELETE FROM sessions WHERE expires_at < ?1", [ts(now)])
            .ctx("pruning sessions")?;
        self.conn
            .execute(
                "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![token_hash, user_id, csrf, ts(now), ts(expires_at)],
            )
            .ctx("saving session")?;
        Ok(())
    }

    /// The live (unexpired) session with this token hash.
    pub fn session(&self, token_hash: &str) -> Result<Option<SessionUser>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {USER_COLS}, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id
                     WHERE s.token_hash = ?1 AND s.expires_at > ?2"
                ),
                params![token_hash, ts(Utc::now())],
                |r| {
                    Ok(SessionUser {
                        user: user_from_row(r)?,
                        csrf: r.get(5)?,
                    })
                },
            )
            .optional()
            .ctx("reading session")
    }

    /// Ends a session.
    pub fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        self.conn
            .execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])
            .ctx("ending session")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_and_end_when_the_password_changes() {
        let mut s = Store::open_in_memory().unwrap();
        assert!(s.upsert_user("anna", "advisor", "h1", "feed1").unwrap());
        let anna = s.user_auth("anna").unwrap().unwrap().0;
        let later = Utc::now() + chrono::Duration::hours(1);
        s.create_session("live", anna.id, "c1", later).unwrap();
        s.create_session(
            "old",
            anna.id,
            "c2",
            Utc::now() - chrono::Duration::hours(1),
        )
        .unwrap();
        assert_eq!(s.session("live").unwrap().unwrap().csrf, "c1");
        assert!(s.session("old").unwrap().is_none());
        assert_eq!(s.user_by_feed_token("feed1").unwrap().unwrap().name, "anna");
        // new password: not a new user, feed token kept, sessions gone
        assert!(!s.upsert_user("anna", "viewer", "h2", "other").unwrap());
        assert!(s.session("live").unwrap().is_none());
        let (u, hash) = s.user_auth("anna").unwrap().unwrap();
        assert_eq!((u.role.as_str(), hash.as_str()), ("viewer", "h2"));
        assert_eq!(u.feed_token, "feed1");
        assert_eq!(s.user_count().unwrap(), 1);
    }
}
