//! Sessions in the PostgreSQL database that holds the user records, through a small pool of
//! connections of their own ([`super::pool`]) and tables of their own (`userform_serve_*`),
//! created by versioned migrations run under an advisory lock (several instances may start at
//! once).
//!
//! Each operation is one transaction, and each is safe to run twice, which the pool does when
//! the server dropped the connection under it: reads and deletes change nothing the second
//! time; an insert or a rotation that had committed fails the second time on the token hashes
//! it already stored (an error, never a second pair); an attempt counted twice only makes the
//! limit stricter by one.

use std::str::FromStr;
use std::time::Duration;

use postgres::{Config, GenericClient};

use super::pool::PgPool;
use super::{AttemptCounter, Kind, NewToken, SessionBackend, SessionError, SessionRef, Window};
use crate::token::TokenHash;

/// The advisory lock key migrations hold (`userform` in ASCII).
const MIGRATION_LOCK: i64 = 0x7573_6572_666f_726d;

/// Connections one instance opens at most unless told otherwise ([`PgSessions::max_connections`]).
const DEFAULT_MAX_CONNECTIONS: usize = 8;

/// How long an operation waits for a connection when all are in use.
const CHECKOUT_WAIT: Duration = Duration::from_secs(10);

/// Sessions in a PostgreSQL database.
pub struct PgSessions {
    pool: PgPool,
}

impl PgSessions {
    /// Connects to `url` and creates or migrates the session tables. Connections are named
    /// `userform-serve` (`application_name`) unless `url` names them.
    pub fn connect(url: &str) -> Result<Self, SessionError> {
        let mut config = Config::from_str(url)
            .map_err(|e| SessionError::Backend(format!("invalid PostgreSQL connection string: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("userform-serve");
        }
        let this = PgSessions { pool: PgPool::new(config, DEFAULT_MAX_CONNECTIONS, CHECKOUT_WAIT) };
        this.migrate()?;
        Ok(this)
    }

    /// Opens at most `max` connections at once (default 8, at least 1); operations beyond them
    /// wait up to 10 s for one to come back.
    pub fn max_connections(self, max: usize) -> Self {
        PgSessions { pool: self.pool.with_max(max) }
    }

    /// The schema's version (how many migrations were applied).
    pub fn schema_version(&self) -> Result<usize, SessionError> {
        let v: i64 = self.pool.run(|c| {
            c.query_one("SELECT COALESCE(MAX(version), 0)::BIGINT FROM userform_serve_schema", &[])?.try_get(0)
        })?;
        Ok(usize::try_from(v).unwrap_or(0))
    }

    fn migrate(&self) -> Result<(), SessionError> {
        self.pool.run(|c| {
            let mut tx = c.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            tx.batch_execute("CREATE TABLE IF NOT EXISTS userform_serve_schema (version INTEGER PRIMARY KEY)")?;
            let applied: i64 =
                tx.query_one("SELECT COALESCE(MAX(version), 0)::BIGINT FROM userform_serve_schema", &[])?.try_get(0)?;
            for (i, sql) in
                super::migrations("BYTEA", "BIGINT").iter().enumerate().skip(usize::try_from(applied).unwrap_or(0))
            {
                tx.batch_execute(sql)?;
                let version = i32::try_from(i + 1).unwrap_or(i32::MAX);
                tx.execute("INSERT INTO userform_serve_schema (version) VALUES ($1)", &[&version])?;
            }
            tx.commit()
        })
    }

    fn insert_tokens(
        c: &mut impl GenericClient,
        session: &SessionRef,
        tokens: &[NewToken],
    ) -> Result<(), postgres::Error> {
        let stmt = c.prepare(
            "INSERT INTO userform_serve_tokens (hash, kind, session_id, user_id, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )?;
        for t in tokens {
            let kind = t.kind as i32;
            c.execute(&stmt, &[&&t.hash[..], &kind, &session.session_id, &session.user_id, &t.expires_at])?;
        }
        Ok(())
    }
}

fn session_of(row: &postgres::Row) -> Result<SessionRef, postgres::Error> {
    Ok(SessionRef { session_id: row.try_get(0)?, user_id: row.try_get(1)? })
}

impl SessionBackend for PgSessions {
    fn insert(&self, session: &SessionRef, tokens: &[NewToken]) -> Result<(), SessionError> {
        self.pool.run(|c| {
            let mut tx = c.transaction()?;
            Self::insert_tokens(&mut tx, session, tokens)?;
            tx.commit()
        })
    }

    fn lookup(&self, hash: &TokenHash, kind: Kind, now: i64) -> Result<Option<SessionRef>, SessionError> {
        if kind == Kind::Refresh {
            return Ok(None);
        }
        self.pool.run(|c| {
            c.query_opt(
                "SELECT session_id, user_id FROM userform_serve_tokens
                 WHERE hash = $1 AND kind = $2 AND expires_at > $3",
                &[&&hash[..], &(kind as i32), &now],
            )?
            .as_ref()
            .map(session_of)
            .transpose()
        })
    }

    fn rotate(
        &self,
        hash: &TokenHash,
        now: i64,
        grace_ms: i64,
        tokens: &[NewToken],
    ) -> Result<Option<SessionRef>, SessionError> {
        self.pool.run(|c| {
            let mut tx = c.transaction()?;
            // The row lock the UPDATE takes serialises parallel refreshes with the same token.
            let row = tx.query_opt(
                "UPDATE userform_serve_tokens SET replaced_at = COALESCE(replaced_at, $2)
                 WHERE hash = $1 AND kind = 1 AND expires_at > $2
                 RETURNING session_id, user_id, replaced_at",
                &[&&hash[..], &now],
            )?;
            let Some(row) = row else { return Ok(None) };
            let replaced_at: i64 = row.try_get(2)?;
            if replaced_at < now.saturating_sub(grace_ms) {
                return Ok(None); // dropping `tx` rolls back (nothing changed anyway)
            }
            let session = session_of(&row)?;
            Self::insert_tokens(&mut tx, &session, tokens)?;
            tx.commit()?;
            Ok(Some(session))
        })
    }

    fn refresh_session(&self, hash: &TokenHash, now: i64, grace_ms: i64) -> Result<Option<SessionRef>, SessionError> {
        self.pool.run(|c| {
            c.query_opt(
                "SELECT session_id, user_id FROM userform_serve_tokens
                 WHERE hash = $1 AND kind = 1 AND expires_at > $2 AND (replaced_at IS NULL OR replaced_at >= $3)",
                &[&&hash[..], &now, &now.saturating_sub(grace_ms)],
            )?
            .as_ref()
            .map(session_of)
            .transpose()
        })
    }

    fn revoke_session(&self, session_id: &str) -> Result<(), SessionError> {
        self.pool
            .run(|c| c.execute("DELETE FROM userform_serve_tokens WHERE session_id = $1", &[&session_id]).map(drop))
    }

    fn revoke_user(&self, user_id: &str, keep: Option<&str>) -> Result<(), SessionError> {
        self.pool.run(|c| {
            match keep {
                Some(keep) => c.execute(
                    "DELETE FROM userform_serve_tokens WHERE user_id = $1 AND session_id <> $2",
                    &[&user_id, &keep],
                ),
                None => c.execute("DELETE FROM userform_serve_tokens WHERE user_id = $1", &[&user_id]),
            }
            .map(drop)
        })
    }

    fn archive(&self, user_id: &str, now: i64) -> Result<(), SessionError> {
        self.pool.run(|c| {
            let mut tx = c.transaction()?;
            tx.execute(
                "INSERT INTO userform_serve_archived (user_id, archived_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                &[&user_id, &now],
            )?;
            tx.execute("DELETE FROM userform_serve_tokens WHERE user_id = $1", &[&user_id])?;
            tx.commit()
        })
    }

    fn is_archived(&self, user_id: &str) -> Result<bool, SessionError> {
        self.pool.run(|c| {
            c.query_opt("SELECT 1 FROM userform_serve_archived WHERE user_id = $1", &[&user_id]).map(|r| r.is_some())
        })
    }

    fn purge(&self, now: i64, grace_ms: i64) -> Result<(), SessionError> {
        self.pool.run(|c| {
            c.execute(
                "DELETE FROM userform_serve_tokens WHERE expires_at <= $1 OR replaced_at < $2",
                &[&now, &now.saturating_sub(grace_ms)],
            )
            .map(drop)
        })
    }
}

impl AttemptCounter for PgSessions {
    fn hit(&self, key: &TokenHash, now: i64, period_ms: i64) -> Result<Window, SessionError> {
        let ended = now.saturating_sub(period_ms);
        // One statement: the row lock of the conflicting row orders concurrent attempts, and
        // each sees the count the one before it left (READ COMMITTED re-reads the row).
        self.pool.run(|c| {
            let row = c.query_one(
                "INSERT INTO userform_serve_attempts AS a (key, window_start, hits) VALUES ($1, $2, 1)
                 ON CONFLICT (key) DO UPDATE SET
                     window_start = CASE WHEN a.window_start <= $3 THEN $2 ELSE a.window_start END,
                     hits = CASE WHEN a.window_start <= $3 THEN 1 ELSE a.hits + 1 END
                 RETURNING window_start, hits",
                &[&&key[..], &now, &ended],
            )?;
            Ok(Window { start: row.try_get(0)?, hits: row.try_get(1)? })
        })
    }

    fn sweep(&self, now: i64, period_ms: i64) -> Result<(), SessionError> {
        let ended = now.saturating_sub(period_ms);
        self.pool
            .run(|c| c.execute("DELETE FROM userform_serve_attempts WHERE window_start <= $1", &[&ended]).map(drop))
    }
}
