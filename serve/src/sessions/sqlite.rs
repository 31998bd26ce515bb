//! Sessions in the SQLite file that holds the user records, through a connection of their own
//! and tables of their own (`userform_serve_*`), created by versioned migrations.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{AttemptCounter, Kind, NewToken, SessionBackend, SessionError, SessionRef, Window};
use crate::token::TokenHash;

fn backend(e: rusqlite::Error) -> SessionError {
    SessionError::Backend(e.to_string())
}

/// Sessions in a SQLite file.
pub struct SqliteSessions {
    conn: Mutex<Connection>,
}

impl SqliteSessions {
    /// Opens (creating and migrating) the session tables in the SQLite file at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, SessionError> {
        let conn = Connection::open(path).map_err(backend)?;
        // The record store writes to the same file: wait for its lock rather than fail.
        conn.busy_timeout(Duration::from_secs(10)).map_err(backend)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(backend)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(backend)?;
        let this = SqliteSessions { conn: Mutex::new(conn) };
        this.migrate()?;
        Ok(this)
    }

    /// The schema's version (how many migrations were applied).
    pub fn schema_version(&self) -> Result<usize, SessionError> {
        let c = self.lock()?;
        c.query_row("SELECT COALESCE(MAX(version), 0) FROM userform_serve_schema", [], |r| r.get::<_, i64>(0))
            .map(|v| usize::try_from(v).unwrap_or(0))
            .map_err(backend)
    }

    fn lock(&self) -> Result<MutexGuard<'_, Connection>, SessionError> {
        self.conn.lock().map_err(|_| SessionError::Backend("session connection lock poisoned".into()))
    }

    fn migrate(&self) -> Result<(), SessionError> {
        let mut c = self.lock()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
        tx.execute_batch("CREATE TABLE IF NOT EXISTS userform_serve_schema (version INTEGER PRIMARY KEY)")
            .map_err(backend)?;
        let applied: i64 = tx
            .query_row("SELECT COALESCE(MAX(version), 0) FROM userform_serve_schema", [], |r| r.get(0))
            .map_err(backend)?;
        for (i, sql) in
            super::migrations("BLOB", "INTEGER").iter().enumerate().skip(usize::try_from(applied).unwrap_or(0))
        {
            tx.execute_batch(sql).map_err(backend)?;
            tx.execute("INSERT INTO userform_serve_schema (version) VALUES (?1)", [i as i64 + 1]).map_err(backend)?;
        }
        tx.commit().map_err(backend)
    }

    fn insert_tokens(tx: &Connection, session: &SessionRef, tokens: &[NewToken]) -> Result<(), SessionError> {
        let mut stmt = tx
            .prepare_cached(
                "INSERT INTO userform_serve_tokens (hash, kind, session_id, user_id, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(backend)?;
        for t in tokens {
            stmt.execute(params![&t.hash[..], t.kind as i64, session.session_id, session.user_id, t.expires_at])
                .map_err(backend)?;
        }
        Ok(())
    }
}

impl SessionBackend for SqliteSessions {
    fn insert(&self, session: &SessionRef, tokens: &[NewToken]) -> Result<(), SessionError> {
        let mut c = self.lock()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
        Self::insert_tokens(&tx, session, tokens)?;
        tx.commit().map_err(backend)
    }

    fn lookup(&self, hash: &TokenHash, kind: Kind, now: i64) -> Result<Option<SessionRef>, SessionError> {
        if kind == Kind::Refresh {
            return Ok(None);
        }
        let c = self.lock()?;
        c.prepare_cached(
            "SELECT session_id, user_id FROM userform_serve_tokens WHERE hash = ?1 AND kind = ?2 AND expires_at > ?3",
        )
        .and_then(|mut s| {
            s.query_row(params![&hash[..], kind as i64, now], |r| {
                Ok(SessionRef { session_id: r.get(0)?, user_id: r.get(1)? })
            })
            .optional()
        })
        .map_err(backend)
    }

    fn rotate(
        &self,
        hash: &TokenHash,
        now: i64,
        grace_ms: i64,
        tokens: &[NewToken],
    ) -> Result<Option<SessionRef>, SessionError> {
        let mut c = self.lock()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
        // Marks the token replaced at its first use; a later use reads when that was.
        let row = tx
            .query_row(
                "UPDATE userform_serve_tokens SET replaced_at = COALESCE(replaced_at, ?2)
                 WHERE hash = ?1 AND kind = 1 AND expires_at > ?2
                 RETURNING session_id, user_id, replaced_at",
                params![&hash[..], now],
                |r| Ok((SessionRef { session_id: r.get(0)?, user_id: r.get(1)? }, r.get::<_, i64>(2)?)),
            )
            .optional()
            .map_err(backend)?;
        let Some((session, replaced_at)) = row else { return Ok(None) };
        if replaced_at < now.saturating_sub(grace_ms) {
            return Ok(None); // dropping `tx` rolls back (nothing changed anyway)
        }
        Self::insert_tokens(&tx, &session, tokens)?;
        tx.commit().map_err(backend)?;
        Ok(Some(session))
    }

    fn refresh_session(&self, hash: &TokenHash, now: i64, grace_ms: i64) -> Result<Option<SessionRef>, SessionError> {
        let c = self.lock()?;
        c.query_row(
            "SELECT session_id, user_id FROM userform_serve_tokens
             WHERE hash = ?1 AND kind = 1 AND expires_at > ?2 AND (replaced_at IS NULL OR replaced_at >= ?3)",
            params![&hash[..], now, now.saturating_sub(grace_ms)],
            |r| Ok(SessionRef { session_id: r.get(0)?, user_id: r.get(1)? }),
        )
        .optional()
        .map_err(backend)
    }

    fn revoke_session(&self, session_id: &str) -> Result<(), SessionError> {
        let c = self.lock()?;
        c.execute("DELETE FROM userform_serve_tokens WHERE session_id = ?1", [session_id]).map(drop).map_err(backend)
    }

    fn revoke_user(&self, user_id: &str, keep: Option<&str>) -> Result<(), SessionError> {
        let c = self.lock()?;
        match keep {
            Some(keep) => c.execute(
                "DELETE FROM userform_serve_tokens WHERE user_id = ?1 AND session_id <> ?2",
                params![user_id, keep],
            ),
            None => c.execute("DELETE FROM userform_serve_tokens WHERE user_id = ?1", [user_id]),
        }
        .map(drop)
        .map_err(backend)
    }

    fn archive(&self, user_id: &str, now: i64) -> Result<(), SessionError> {
        let mut c = self.lock()?;
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
        tx.execute(
            "INSERT INTO userform_serve_archived (user_id, archived_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            params![user_id, now],
        )
        .map_err(backend)?;
        tx.execute("DELETE FROM userform_serve_tokens WHERE user_id = ?1", [user_id]).map_err(backend)?;
        tx.commit().map_err(backend)
    }

    fn is_archived(&self, user_id: &str) -> Result<bool, SessionError> {
        let c = self.lock()?;
        c.query_row("SELECT 1 FROM userform_serve_archived WHERE user_id = ?1", [user_id], |_| Ok(()))
            .optional()
            .map(|r| r.is_some())
            .map_err(backend)
    }

    fn purge(&self, now: i64, grace_ms: i64) -> Result<(), SessionError> {
        let c = self.lock()?;
        c.execute(
            "DELETE FROM userform_serve_tokens WHERE expires_at <= ?1 OR replaced_at < ?2",
            params![now, now.saturating_sub(grace_ms)],
        )
        .map(drop)
        .map_err(backend)
    }
}

impl AttemptCounter for SqliteSessions {
    fn hit(&self, key: &TokenHash, now: i64, period_ms: i64) -> Result<Window, SessionError> {
        let ended = now.saturating_sub(period_ms);
        // One statement, one write transaction: SQLite's file lock orders concurrent attempts,
        // from this process or another on the same file.
        let c = self.lock()?;
        c.prepare_cached(
            "INSERT INTO userform_serve_attempts AS a (key, window_start, hits) VALUES (?1, ?2, 1)
             ON CONFLICT (key) DO UPDATE SET
                 window_start = CASE WHEN a.window_start <= ?3 THEN ?2 ELSE a.window_start END,
                 hits = CASE WHEN a.window_start <= ?3 THEN 1 ELSE a.hits + 1 END
             RETURNING window_start, hits",
        )
        .and_then(|mut s| {
            s.query_row(params![&key[..], now, ended], |r| Ok(Window { start: r.get(0)?, hits: r.get(1)? }))
        })
        .map_err(backend)
    }

    fn sweep(&self, now: i64, period_ms: i64) -> Result<(), SessionError> {
        let c = self.lock()?;
        c.execute("DELETE FROM userform_serve_attempts WHERE window_start <= ?1", [now.saturating_sub(period_ms)])
            .map(drop)
            .map_err(backend)
    }
}
