//! Sessions: who is signed in, kept in the same database as the user records (SQLite file or
//! PostgreSQL database) through the service's own connection and its own versioned tables, so
//! several instances on one PostgreSQL database are one service.
//!
//! A sign-in opens a *session* and hands out two opaque tokens ([`crate::token`]), stored only
//! as SHA-256 hashes: a short-lived access token and a refresh token. A refresh rotates: the
//! presented refresh token is marked replaced and a new pair is issued in the same session. The
//! token just replaced keeps working for a short grace period, because the SDK refreshes
//! from parallel requests with the same token; each use in the grace period issues another
//! pair. Revocation deletes every token of a session (logout), of a user (logout-all, archive,
//! delete) or of a user but one session (a password change keeps the session that made it).
//!
//! A Backendless login opens a session with one token of its own kind, the `user-token`: it is
//! never rotated (the Backendless SDK has no refresh), lives as long as a refresh token, is no
//! access or refresh token to the OneEntry face, and is revoked by the same calls.
//!
//! The same tables count sign-in attempts ([`AttemptCounter`], read by [`crate::limit`]), so
//! every instance on one database counts against the same limits.

mod pool;
mod postgres;
mod sqlite;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use postgres::PgSessions;
pub use sqlite::SqliteSessions;

use crate::token::{self, TokenHash};

/// Why a session operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The database failed.
    #[error("session store: {0}")]
    Backend(String),
    /// No random bytes for a token.
    #[error(transparent)]
    Random(#[from] token::RandomError),
}

/// The kinds of token, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Presented as `Authorization: Bearer` (the OneEntry face).
    Access = 0,
    /// Presented to refresh and logout (the OneEntry face).
    Refresh = 1,
    /// Backendless' `user-token` header: the session's one token, never rotated, living as long
    /// as a refresh token (the Backendless SDK has no refresh).
    UserToken = 2,
}

/// A token to store: its hash, kind and expiry (Unix milliseconds).
#[derive(Debug, Clone)]
pub struct NewToken {
    /// SHA-256 of the token.
    pub hash: TokenHash,
    /// Access or refresh.
    pub kind: Kind,
    /// When it stops working, in Unix milliseconds.
    pub expires_at: i64,
}

/// The session a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRef {
    /// The session's id (random, shared by every token the session issued).
    pub session_id: String,
    /// The signed-in user's id.
    pub user_id: String,
}

/// A key's fixed window of sign-in attempts, as [`AttemptCounter::hit`] left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// When the window began (Unix milliseconds): the first attempt after the previous one ended.
    pub start: i64,
    /// Attempts in the window, the one just counted included.
    pub hits: i64,
}

/// Where sign-in attempts are counted (the limit itself is [`crate::limit::SignInLimit`]'s): a
/// table of `(key, window start, hits)` beside the sessions, so that every instance on one
/// database counts together. Keys are hashes, never a login or an address in clear.
pub trait AttemptCounter: Send + Sync {
    /// Counts one attempt on `key` at `now` (Unix milliseconds), in one atomic statement: in
    /// the key's window when it began less than `period_ms` ago, else in a new window that
    /// begins at `now`. Answers the window with this attempt counted.
    fn hit(&self, key: &TokenHash, now: i64, period_ms: i64) -> Result<Window, SessionError>;
    /// Deletes the windows that ended by `now`.
    fn sweep(&self, now: i64, period_ms: i64) -> Result<(), SessionError>;
}

/// What a session database does; each method is one transaction. It counts sign-in attempts
/// too: the session tables are where instances on one database meet.
pub trait SessionBackend: AttemptCounter + Send + Sync {
    /// Stores `tokens` in `session`.
    fn insert(&self, session: &SessionRef, tokens: &[NewToken]) -> Result<(), SessionError>;
    /// The session of a token of `kind` that has not expired (never of a refresh token, which
    /// only [`SessionBackend::rotate`] and [`SessionBackend::refresh_session`] read).
    fn lookup(&self, hash: &TokenHash, kind: Kind, now: i64) -> Result<Option<SessionRef>, SessionError>;
    /// The session of an access token that has not expired.
    fn access(&self, hash: &TokenHash, now: i64) -> Result<Option<SessionRef>, SessionError> {
        self.lookup(hash, Kind::Access, now)
    }
    /// Uses a refresh token: unless it expired or was replaced more than `grace_ms` ago, marks
    /// it replaced (at its first use) and stores `tokens` in its session.
    fn rotate(
        &self,
        hash: &TokenHash,
        now: i64,
        grace_ms: i64,
        tokens: &[NewToken],
    ) -> Result<Option<SessionRef>, SessionError>;
    /// The session of a refresh token that is still usable (as [`SessionBackend::rotate`] judges).
    fn refresh_session(&self, hash: &TokenHash, now: i64, grace_ms: i64) -> Result<Option<SessionRef>, SessionError>;
    /// Deletes every token of a session.
    fn revoke_session(&self, session_id: &str) -> Result<(), SessionError>;
    /// Deletes every token of a user, but those of `keep` when given.
    fn revoke_user(&self, user_id: &str, keep: Option<&str>) -> Result<(), SessionError>;
    /// Marks a user archived and deletes their tokens.
    fn archive(&self, user_id: &str, now: i64) -> Result<(), SessionError>;
    /// True once [`SessionBackend::archive`] marked the user.
    fn is_archived(&self, user_id: &str) -> Result<bool, SessionError>;
    /// Deletes tokens that expired (refresh tokens also past their grace).
    fn purge(&self, now: i64, grace_ms: i64) -> Result<(), SessionError>;
}

/// The session tables' migrations, in order, written once for both databases: `bytes` and
/// `int64` are the dialect's binary and 64-bit integer column types. A schema's version is
/// how many of them were applied.
pub(crate) fn migrations(bytes: &str, int64: &str) -> [String; 2] {
    [
        format!(
            "CREATE TABLE userform_serve_tokens (
            hash {bytes} PRIMARY KEY,
            kind INTEGER NOT NULL,
            session_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            expires_at {int64} NOT NULL,
            replaced_at {int64}
        );
        CREATE INDEX userform_serve_tokens_session ON userform_serve_tokens (session_id);
        CREATE INDEX userform_serve_tokens_user ON userform_serve_tokens (user_id);
        CREATE INDEX userform_serve_tokens_expiry ON userform_serve_tokens (expires_at);
        CREATE TABLE userform_serve_archived (user_id TEXT PRIMARY KEY, archived_at {int64} NOT NULL);"
        ),
        // Sign-in attempts (`crate::limit`): a hash of the login or address, the window's start
        // (Unix milliseconds) and the attempts in it.
        format!(
            "CREATE TABLE userform_serve_attempts (
                key {bytes} PRIMARY KEY,
                window_start {int64} NOT NULL,
                hits {int64} NOT NULL
            );
            CREATE INDEX userform_serve_attempts_start ON userform_serve_attempts (window_start);"
        ),
    ]
}

/// How long tokens live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    /// An access token (15 minutes by default).
    pub access: Duration,
    /// A refresh token that is never used (30 days by default).
    pub refresh: Duration,
    /// A refresh token once replaced (30 seconds by default).
    pub grace: Duration,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Lifetimes {
            access: Duration::from_secs(15 * 60),
            refresh: Duration::from_secs(30 * 24 * 3600),
            grace: Duration::from_secs(30),
        }
    }
}

/// A fresh pair of tokens, in clear: handed to the client once and never stored.
#[derive(Debug, Clone)]
pub struct TokenPair {
    /// The access token.
    pub access: String,
    /// The refresh token.
    pub refresh: String,
}

/// Sessions over a backend, with the token lifetimes.
#[derive(Clone)]
pub struct Sessions {
    backend: Arc<dyn SessionBackend>,
    lifetimes: Lifetimes,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// A duration in milliseconds, saturating.
pub fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl Sessions {
    /// Sessions kept in `backend`.
    pub fn new(backend: Arc<dyn SessionBackend>, lifetimes: Lifetimes) -> Self {
        Sessions { backend, lifetimes }
    }

    /// The lifetimes.
    pub fn lifetimes(&self) -> Lifetimes {
        self.lifetimes
    }

    /// The backend.
    pub fn backend(&self) -> &dyn SessionBackend {
        self.backend.as_ref()
    }

    fn pair(&self, now: i64) -> Result<(TokenPair, [NewToken; 2]), SessionError> {
        let (access, access_hash) = token::generate()?;
        let (refresh, refresh_hash) = token::generate()?;
        let tokens = [
            NewToken {
                hash: access_hash,
                kind: Kind::Access,
                expires_at: now.saturating_add(ms(self.lifetimes.access)),
            },
            NewToken {
                hash: refresh_hash,
                kind: Kind::Refresh,
                expires_at: now.saturating_add(ms(self.lifetimes.refresh)),
            },
        ];
        Ok((TokenPair { access, refresh }, tokens))
    }

    /// Opens a session for `user_id` (after a successful sign-in). Expired tokens of every
    /// session are purged on the way.
    pub fn open(&self, user_id: &str) -> Result<TokenPair, SessionError> {
        let now = now_ms();
        self.backend.purge(now, ms(self.lifetimes.grace))?;
        let (session_id, _) = token::generate()?;
        let (pair, tokens) = self.pair(now)?;
        self.backend.insert(&SessionRef { session_id, user_id: user_id.to_owned() }, &tokens)?;
        Ok(pair)
    }

    /// The session of a presented access token.
    pub fn authenticate(&self, access_token: &str) -> Result<Option<SessionRef>, SessionError> {
        self.backend.access(&token::hash(access_token), now_ms())
    }

    /// Opens a Backendless session for `user_id`: one `user-token`, living as long as a
    /// refresh token. Expired tokens of every session are purged on the way.
    pub fn open_user_token(&self, user_id: &str) -> Result<String, SessionError> {
        let now = now_ms();
        self.backend.purge(now, ms(self.lifetimes.grace))?;
        let (session_id, _) = token::generate()?;
        let (user_token, hash) = token::generate()?;
        let new = NewToken { hash, kind: Kind::UserToken, expires_at: now.saturating_add(ms(self.lifetimes.refresh)) };
        self.backend.insert(&SessionRef { session_id, user_id: user_id.to_owned() }, &[new])?;
        Ok(user_token)
    }

    /// The session of a presented Backendless `user-token`.
    pub fn authenticate_user_token(&self, user_token: &str) -> Result<Option<SessionRef>, SessionError> {
        self.backend.lookup(&token::hash(user_token), Kind::UserToken, now_ms())
    }

    /// Ends one session (Backendless' logout), whatever its tokens.
    pub fn end(&self, session_id: &str) -> Result<(), SessionError> {
        self.backend.revoke_session(session_id)
    }

    /// Rotates a refresh token: a new pair in the same session, or `None`.
    pub fn refresh(&self, refresh_token: &str) -> Result<Option<(SessionRef, TokenPair)>, SessionError> {
        let now = now_ms();
        let (pair, tokens) = self.pair(now)?;
        let session = self.backend.rotate(&token::hash(refresh_token), now, ms(self.lifetimes.grace), &tokens)?;
        Ok(session.map(|s| (s, pair)))
    }

    /// Ends the session of a refresh token; `false` when the token is not usable.
    pub fn logout(&self, refresh_token: &str) -> Result<bool, SessionError> {
        let now = now_ms();
        match self.backend.refresh_session(&token::hash(refresh_token), now, ms(self.lifetimes.grace))? {
            Some(s) => self.backend.revoke_session(&s.session_id).map(|()| true),
            None => Ok(false),
        }
    }

    /// Ends every session of a user but `keep` (a password change keeps the session that made it).
    pub fn revoke_user(&self, user_id: &str, keep: Option<&str>) -> Result<(), SessionError> {
        self.backend.revoke_user(user_id, keep)
    }
}
