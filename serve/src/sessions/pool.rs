//! A small pool of PostgreSQL connections for the session tables, so that one instance's
//! session operations run side by side rather than one at a time through one connection.
//!
//! Connections open on demand up to a maximum; a caller past it waits for one to come back, for
//! a bounded time. The synchronous client notices that the server dropped a connection only
//! when it next uses it: such a connection is closed from then on and is not given back, and
//! since a dropped connection mostly means the server restarted, the idle ones are dropped with
//! it (they would each fail once otherwise) and reopened as needed. [`PgPool::run`] runs an
//! operation once more on a fresh connection when the server dropped the one it used: every
//! session operation is safe to run twice (see `super::postgres`).

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};

use super::SessionError;

/// The reason a PostgreSQL call failed, with the underlying cause the error's own text leaves
/// out (connection refused, host not found, timeout).
fn backend(e: postgres::Error) -> SessionError {
    match (e.as_db_error(), std::error::Error::source(&e)) {
        (Some(db), _) => SessionError::Backend(format!("postgres: {}: {}", db.code().code(), db.message())),
        (None, Some(cause)) => SessionError::Backend(format!("postgres: {e}: {cause}")),
        (None, None) => SessionError::Backend(format!("postgres: {e}")),
    }
}

/// Connections to one database, at most `max` open at once.
pub(super) struct PgPool {
    config: Config,
    max: usize,
    wait: Duration,
    state: Mutex<State>,
    available: Condvar,
}

struct State {
    /// Connections ready for use (the most recently used last).
    idle: Vec<Client>,
    /// Connections open: idle, lent out, or being opened.
    open: usize,
}

/// Counts a lent connection back in when dropped: [`Back::Kept`] once the operation is done,
/// [`Back::Lost`] if it panicked (the connection is gone with the unwinding).
struct Lent<'p> {
    pool: &'p PgPool,
    back: Back,
}

/// How a lent connection comes back.
// One lives on the stack for each operation: boxing the client would allocate each time.
#[allow(clippy::large_enum_variant)]
enum Back {
    /// Usable: idle again.
    Kept(Client),
    /// The server dropped it.
    Dropped,
    /// Never given back.
    Lost,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        self.pool.give_back(std::mem::replace(&mut self.back, Back::Lost));
    }
}

/// The server dropped the connection: the client says so, or the error is the server's notice
/// that it is closing it (terminated, shutting down, or not accepting connections yet).
fn dropped(client: &Client, error: Option<&postgres::Error>) -> bool {
    client.is_closed()
        || error.is_some_and(|e| {
            e.is_closed()
                || e.code().is_some_and(|c| {
                    [SqlState::ADMIN_SHUTDOWN, SqlState::CRASH_SHUTDOWN, SqlState::CANNOT_CONNECT_NOW].contains(c)
                })
        })
}

impl PgPool {
    /// A pool for `config` of at most `max` connections (at least one), whose callers wait at
    /// most `wait` for one. Opens no connection yet.
    pub(super) fn new(config: Config, max: usize, wait: Duration) -> Self {
        PgPool {
            config,
            max: max.max(1),
            wait,
            state: Mutex::new(State { idle: Vec::new(), open: 0 }),
            available: Condvar::new(),
        }
    }

    /// The same pool with at most `max` connections (at least one).
    pub(super) fn with_max(mut self, max: usize) -> Self {
        self.max = max.max(1);
        self
    }

    /// Runs `f` on a connection of the pool; once more on a fresh one when the server dropped
    /// the connection used (terminated it, or restarted).
    pub(super) fn run<T>(
        &self,
        mut f: impl FnMut(&mut Client) -> Result<T, postgres::Error>,
    ) -> Result<T, SessionError> {
        match self.once(&mut f)? {
            (Err(_), true) => self.once(&mut f)?.0.map_err(backend),
            (out, _) => out.map_err(backend),
        }
    }

    /// Runs `f` once on a connection; its result, and whether the server dropped the connection.
    fn once<T>(
        &self,
        f: &mut impl FnMut(&mut Client) -> Result<T, postgres::Error>,
    ) -> Result<(Result<T, postgres::Error>, bool), SessionError> {
        let mut client = self.checkout()?;
        let mut lent = Lent { pool: self, back: Back::Lost };
        let out = f(&mut client);
        let dropped = dropped(&client, out.as_ref().err());
        lent.back = if dropped { Back::Dropped } else { Back::Kept(client) };
        drop(lent);
        Ok((out, dropped))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means a thread panicked while holding it: the lists are whole.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// An idle connection, or a new one while fewer than `max` are open, else waits for one.
    fn checkout(&self) -> Result<Client, SessionError> {
        let deadline = Instant::now() + self.wait;
        let mut state = self.lock();
        loop {
            if let Some(client) = state.idle.pop() {
                if !client.is_closed() {
                    return Ok(client);
                }
                state.open = state.open.saturating_sub(1);
                continue;
            }
            if state.open < self.max {
                state.open += 1;
                break;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(SessionError::Backend(format!(
                    "no session connection came free within {} ms ({} open)",
                    self.wait.as_millis(),
                    self.max
                )));
            }
            state = self.available.wait_timeout(state, left).unwrap_or_else(|p| p.into_inner()).0;
        }
        drop(state);
        self.config.connect(NoTls).map_err(|e| {
            self.give_back(Back::Lost);
            backend(e)
        })
    }

    /// Takes a connection back: kept when usable; else it is counted out, and so are the idle
    /// ones when the server dropped it (it most likely restarted, and each would fail once
    /// before being noticed).
    fn give_back(&self, back: Back) {
        let mut state = self.lock();
        let closing = match back {
            Back::Kept(client) => {
                state.idle.push(client);
                Vec::new()
            }
            Back::Dropped => {
                let idle = std::mem::take(&mut state.idle);
                state.open = state.open.saturating_sub(1 + idle.len());
                idle
            }
            Back::Lost => {
                state.open = state.open.saturating_sub(1);
                Vec::new()
            }
        };
        drop(state);
        self.available.notify_all();
        // Closing a connection writes to its socket: outside the lock.
        drop(closing);
    }
}
