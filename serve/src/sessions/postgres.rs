//! Sessions in the PostgreSQL database that holds the user records, through a connection of
//! their own and tables of their own (`userform_serve_*`), created by versioned migrations run
//! under an advisory lock (several instances may start at once).

use std::sync::{Mutex, MutexGuard};

use postgres::{Client, GenericClient, NoTls};

use super::{Kind, NewToken, SessionBackend, SessionError, SessionRef};
use crate::token::TokenHash;

/// The advisory lock key migrations hold (`userform` in ASCII).
const MIGRATION_LOCK: i64 = 0x7573_6572_666f_726d;

fn backend(e: postgres::Error) -> SessionError {
    SessionError::Backend(e.to_string())
}

/// Sessions in a PostgreSQL database.
pub struct PgSessions {
    url: String,
    conn: Mutex<Client>,
}

impl PgSessions {
    /// Connects to `url` and creates or migrates the session tables.
    pub fn connect(url: &str) -> Result<Self, SessionError> {
        let client = Client::connect(url, NoTls).map_err(backend)?;
        let this = PgSessions { url: url.to_owned(), conn: Mutex::new(client) };
        this.migrate()?;
        Ok(this)
    }

    /// The schema's version (how many migrations were applied).
    pub fn schema_version(&self) -> Result<usize, SessionError> {
        let mut c = self.lock()?;
        let v: i64 = c
            .query_one("SELECT COALESCE(MAX(version), 0)::BIGINT FROM userform_serve_schema", &[])
            .and_then(|r| r.try_get(0))
            .map_err(backend)?;
        Ok(usize::try_from(v).unwrap_or(0))
    }

    /// The connection, reopened if the server closed it.
    fn lock(&self) -> Result<MutexGuard<'_, Client>, SessionError> {
        let mut c = self.conn.lock().map_err(|_| SessionError::Backend("session connection lock poisoned".into()))?;
        if c.is_closed() {
            *c = Client::connect(&self.url, NoTls).map_err(backend)?;
        }
        Ok(c)
    }

    fn migrate(&self) -> Result<(), SessionError> {
        let mut c = self.lock()?;
        let mut tx = c.transaction().map_err(backend)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).map_err(backend)?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS userform_serve_schema (version INTEGER PRIMARY KEY)")
            .map_err(backend)?;
        let applied: i64 = tx
            .query_one("SELECT COALESCE(MAX(version), 0)::BIGINT FROM userform_serve_schema", &[])
            .and_then(|r| r.try_get(0))
            .map_err(backend)?;
        for (i, sql) in
            super::migrations("BYTEA", "BIGINT").iter().enumerate().skip(usize::try_from(applied).unwrap_or(0))
        {
            tx.batch_execute(sql).map_err(backend)?;
            let version = i32::try_from(i + 1).unwrap_or(i32::MAX);
            tx.execute("INSERT INTO userform_serve_schema (version) VALUES ($1)", &[&version]).map_err(backend)?;
        }
        tx.commit().map_err(backend)
    }

    fn insert_tokens(
        c: &mut impl GenericClient,
        session: &SessionRef,
        tokens: &[NewToken],
    ) -> Result<(), SessionError> {
        let stmt = c
            .prepare(
                "INSERT INTO userform_serve_tokens (hash, kind, session_id, user_id, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .map_err(backend)?;
        for t in tokens {
            let kind = t.kind as i32;
            c.execute(&stmt, &[&&t.hash[..], &kind, &session.session_id, &session.user_id, &t.expires_at])
                .map_err(backend)?;
        }
        Ok(())
    }
}

fn session_of(row: &postgres::Row) -> Result<SessionRef, SessionError> {
    Ok(SessionRef { session_id: row.try_get(0).map_err(backend)?, user_id: row.try_get(1).map_err(backend)? })
}

impl SessionBackend for PgSessions {
    fn insert(&self, session: &SessionRef, tokens: &[NewToken]) -> Result<(), SessionError> {
        let mut c = self.lock()?;
        let mut tx = c.transaction().map_err(backend)?;
        Self::insert_tokens(&mut tx, session, tokens)?;
        tx.commit().map_err(backend)
    }

    fn lookup(&self, hash: &TokenHash, kind: Kind, now: i64) -> Result<Option<SessionRef>, SessionError> {
        if kind == Kind::Refresh {
            return Ok(None);
        }
        let mut c = self.lock()?;
        let row = c
            .query_opt(
                "SELECT session_id, user_id FROM userform_serve_tokens
                 WHERE hash = $1 AND kind = $2 AND expires_at > $3",
                &[&&hash[..], &(kind as i32), &now],
            )
            .map_err(backend)?;
        row.as_ref().map(session_of).transpose()
    }

    fn rotate(
        &self,
        hash: &TokenHash,
        now: i64,
        grace_ms: i64,
        tokens: &[NewToken],
    ) -> Result<Option<SessionRef>, SessionError> {
        let mut c = self.lock()?;
        let mut tx = c.transaction().map_err(backend)?;
        // The row lock the UPDATE takes serialises parallel refreshes with the same token.
        let row = tx
            .query_opt(
                "UPDATE userform_serve_tokens SET replaced_at = COALESCE(replaced_at, $2)
                 WHERE hash = $1 AND kind = 1 AND expires_at > $2
                 RETURNING session_id, user_id, replaced_at",
                &[&&hash[..], &now],
            )
            .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let replaced_at: i64 = row.try_get(2).map_err(backend)?;
        if replaced_at < now.saturating_sub(grace_ms) {
            return Ok(None); // dropping `tx` rolls back (nothing changed anyway)
        }
        let session = session_of(&row)?;
        Self::insert_tokens(&mut tx, &session, tokens)?;
        tx.commit().map_err(backend)?;
        Ok(Some(session))
    }

    fn refresh_session(&self, hash: &TokenHash, now: i64, grace_ms: i64) -> Result<Option<SessionRef>, SessionError> {
        let mut c = self.lock()?;
        let row = c
            .query_opt(
                "SELECT session_id, user_id FROM userform_serve_tokens
                 WHERE hash = $1 AND kind = 1 AND expires_at > $2 AND (replaced_at IS NULL OR replaced_at >= $3)",
                &[&&hash[..], &now, &now.saturating_sub(grace_ms)],
            )
            .map_err(backend)?;
        row.as_ref().map(session_of).transpose()
    }

    fn revoke_session(&self, session_id: &str) -> Result<(), SessionError> {
        let mut c = self.lock()?;
        c.execute("DELETE FROM userform_serve_tokens WHERE session_id = $1", &[&session_id]).map(drop).map_err(backend)
    }

    fn revoke_user(&self, user_id: &str, keep: Option<&str>) -> Result<(), SessionError> {
        let mut c = self.lock()?;
        match keep {
            Some(keep) => c.execute(
                "DELETE FROM userform_serve_tokens WHERE user_id = $1 AND session_id <> $2",
                &[&user_id, &keep],
            ),
            None => c.execute("DELETE FROM userform_serve_tokens WHERE user_id = $1", &[&user_id]),
        }
        .map(drop)
        .map_err(backend)
    }

    fn archive(&self, user_id: &str, now: i64) -> Result<(), SessionError> {
        let mut c = self.lock()?;
        let mut tx = c.transaction().map_err(backend)?;
        tx.execute(
            "INSERT INTO userform_serve_archived (user_id, archived_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &[&user_id, &now],
        )
        .map_err(backend)?;
        tx.execute("DELETE FROM userform_serve_tokens WHERE user_id = $1", &[&user_id]).map_err(backend)?;
        tx.commit().map_err(backend)
    }

    fn is_archived(&self, user_id: &str) -> Result<bool, SessionError> {
        let mut c = self.lock()?;
        c.query_opt("SELECT 1 FROM userform_serve_archived WHERE user_id = $1", &[&user_id])
            .map(|r| r.is_some())
            .map_err(backend)
    }

    fn purge(&self, now: i64, grace_ms: i64) -> Result<(), SessionError> {
        let mut c = self.lock()?;
        c.execute(
            "DELETE FROM userform_serve_tokens WHERE expires_at <= $1 OR replaced_at < $2",
            &[&now, &now.saturating_sub(grace_ms)],
        )
        .map(drop)
        .map_err(backend)
    }
}
