//! The PostgreSQL store: see [`PostgresStore`] for its guarantees, schema and migrations.

use std::str::FromStr;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ::postgres::error::SqlState;
use ::postgres::types::{Json, ToSql};
use ::postgres::{Client, Config, NoTls, Statement};
use indexmap::IndexMap;

use super::{IdentityKeys, StoreError, UserStore};
use crate::record::{NotificationData, StoredEntry, StoredValue, UserRecord};

mod migrate;
use migrate::{is_race, migrate_once, Refusal, SCHEMA_VERSION};

/// Connections a store opens at most unless told otherwise ([`PostgresStore::max_connections`]).
const DEFAULT_MAX_CONNECTIONS: usize = 16;

/// How long a caller waits for a connection when all are lent out, unless told otherwise
/// ([`PostgresStore::connection_wait`]), before it fails with [`StoreError::Backend`]: a stuck
/// pool answers an error instead of hanging its caller.
const DEFAULT_CONNECTION_WAIT: Duration = Duration::from_secs(30);

const COLUMNS: &str = "id, identifier, form_identifier, form_data, notification_data, state, version, \
                       created_at, updated_at, password_hash, logins";

/// User records in a PostgreSQL database (feature `postgres`), for services that outgrow one
/// machine, through a small pool of connections.
///
/// It speaks plain PostgreSQL (no extension, no server-side function of its own) through the
/// synchronous [`postgres`] client, so it works against any database that speaks the
/// PostgreSQL wire protocol and its SQL; connections are unencrypted (`NoTls`).
///
/// # Guarantees
///
/// The same as the SQLite store's:
///
/// - **Acknowledged means durable** as far as the server's own settings make a commit durable
///   (`fsync` and `synchronous_commit` on, as they are by default): every write is one statement
///   in its own transaction, acknowledged only once committed.
/// - **No lost updates.** A commit is `UPDATE userform_users … WHERE id = $1 AND version = $n`.
///   Under PostgreSQL's default `READ COMMITTED` isolation a concurrent update of the same row makes
///   this statement wait, then re-check its `WHERE` against the new row: it matches nothing and the
///   commit answers [`StoreError::Conflict`]. (A serialisation failure, which databases running
///   `SERIALIZABLE` raise instead, is a conflict too.)
/// - **Unique identities.** `userform_identity_keys` holds one row per [`IdentityKeys`] key of each
///   record (its identifier and each of its logins), the key its primary key; a write that would
///   give a key to a second record answers [`StoreError::IdentityTaken`]. A write is one
///   statement: the record's row and its keys change together or not at all.
///
/// # Schema
///
/// ```sql
/// CREATE TABLE userform_schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ ...);
/// CREATE TABLE userform_users (
///     id                TEXT PRIMARY KEY,
///     identifier        TEXT NOT NULL,
///     form_identifier   TEXT NOT NULL,
///     form_data         JSONB NOT NULL,        -- {langCode: [{marker, type, value}]}
///     notification_data JSONB NOT NULL,
///     state             JSONB NOT NULL,
///     version           BIGINT NOT NULL,
///     created_at        TEXT NOT NULL,
///     updated_at        TEXT NOT NULL,
///     password_hash     TEXT,                  -- Argon2id PHC string
///     logins            JSONB NOT NULL         -- [[marker, value], ...] of the record's logins
/// );
/// CREATE TABLE userform_identity_keys (
///     key               TEXT PRIMARY KEY,      -- an identity::key of the user's identities
///     user_id           TEXT NOT NULL REFERENCES userform_users (id) ON DELETE CASCADE
/// );
/// CREATE INDEX userform_identity_keys_user_id ON userform_identity_keys (user_id);
/// ```
///
/// The tables are prefixed so that they can share a database (and schema) with others; pass a
/// schema to [`PostgresStore::connect_in_schema`] to keep them apart entirely. `jsonb` keeps
/// values, not text: the keys of a JSON object read back in `jsonb`'s order (shorter keys first),
/// and a string holding U+0000 cannot be stored (the write fails with [`StoreError::Backend`]).
///
/// Migrations run when a store connects, in one transaction holding a transaction-scoped advisory
/// lock (`pg_advisory_xact_lock`), so services starting together do not race. Migration 2
/// recomputed version 1's `identity_key` column under the current identity comparison (PRECIS,
/// UTS 46 domains); migrations 3 and 4 replace that column by `userform_identity_keys` and
/// compute every record's keys into it. If two existing users have one key, the migration rolls
/// back and connecting answers [`StoreError::IdentityCollision`] naming both. On a database that
/// has no advisory locks the migration runs without one and is retried if a concurrent one won.
///
/// `Send + Sync`: share one store between threads (e.g. in an `Arc`).
pub struct PostgresStore {
    config: Config,
    pool: Mutex<Pool>,
    available: Condvar,
}

struct Pool {
    idle: Vec<Conn>,
    /// Connections open (idle or lent out).
    open: usize,
    max: usize,
    /// How long `take` waits for a connection to come back.
    wait: Duration,
}

/// A connection with this store's statements prepared on it.
struct Conn {
    client: Client,
    get: Statement,
    owner: Statement,
    insert: Statement,
    commit: Statement,
    /// Which of a write's keys another user holds (after the write failed on one).
    taken: Statement,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore")
            .field("hosts", &self.config.get_hosts())
            .field("dbname", &self.config.get_dbname())
            .finish_non_exhaustive()
    }
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/dbname`, or the
    /// `key=value` form libpq takes) and brings its schema up to date.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        Self::from_config(parse(url)?)
    }

    /// As [`PostgresStore::connect`], with the tables in `schema` (created if missing); `schema`
    /// is an identifier of ASCII letters, digits and `_`.
    pub fn connect_in_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        if schema.is_empty() || !schema.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(StoreError::Backend(format!("invalid schema name `{schema}`")));
        }
        let mut config = parse(url)?;
        config.options(&format!("-c search_path={schema}"));
        let store = Self::unmigrated(config);
        store.migrate(Some(schema))?;
        Ok(store)
    }

    /// Limits the connections this store opens at once (default 16);
    /// callers beyond it wait for a connection to come back.
    pub fn max_connections(self, max: usize) -> Self {
        self.lock_pool().max = max.max(1);
        self
    }

    /// How long a caller waits for a connection when `max_connections` are all in use (default
    /// 30 s) before failing with [`StoreError::Backend`].
    pub fn connection_wait(self, wait: Duration) -> Self {
        self.lock_pool().wait = wait;
        self
    }

    /// The schema version recorded in the database.
    pub fn schema_version(&self) -> Result<i32, StoreError> {
        self.with_conn(true, |c| {
            c.client.query_one("SELECT COALESCE(MAX(version), 0) FROM userform_schema_version", &[])?.try_get(0)
        })
    }

    fn from_config(config: Config) -> Result<Self, StoreError> {
        let store = Self::unmigrated(config);
        store.migrate(None)?;
        Ok(store)
    }

    fn unmigrated(mut config: Config) -> Self {
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("userform");
        }
        PostgresStore {
            config,
            pool: Mutex::new(Pool {
                idle: Vec::new(),
                open: 0,
                max: DEFAULT_MAX_CONNECTIONS,
                wait: DEFAULT_CONNECTION_WAIT,
            }),
            available: Condvar::new(),
        }
    }

    fn lock_pool(&self) -> MutexGuard<'_, Pool> {
        self.pool.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Creates the version table (and `schema`) and runs the missing migrations, holding an
    /// advisory lock when the database has them.
    fn migrate(&self, schema: Option<&str>) -> Result<(), StoreError> {
        let mut client = self.config.connect(NoTls).map_err(backend)?;
        let mut use_lock = true;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match migrate_once(&mut client, schema, use_lock) {
                Ok(Ok(())) => break,
                Ok(Err(Refusal::Newer(newer))) => {
                    return Err(StoreError::Backend(format!(
                        "database schema version {newer} is newer than this build supports ({SCHEMA_VERSION})"
                    )))
                }
                Ok(Err(Refusal::Collision(collision))) => return Err(collision),
                Err(e)
                    if use_lock
                        && matches!(e.code(), Some(c) if *c == SqlState::UNDEFINED_FUNCTION || *c == SqlState::FEATURE_NOT_SUPPORTED) =>
                {
                    use_lock = false;
                }
                Err(e) if attempt < 10 && is_race(&e) => std::thread::sleep(Duration::from_millis(20 * attempt)),
                Err(e) => return Err(backend(e)),
            }
        }
        let conn = Conn::prepare(client).map_err(backend)?;
        let mut pool = self.lock_pool();
        pool.open += 1;
        pool.idle.push(conn);
        Ok(())
    }

    /// Runs `f` on a pooled connection; with `retry`, once more on a fresh connection when the
    /// one used turned out to be closed (only for reads: a write may have committed).
    fn with_conn<T>(
        &self,
        retry: bool,
        mut f: impl FnMut(&mut Conn) -> Result<T, ::postgres::Error>,
    ) -> Result<T, StoreError> {
        let mut conn = self.take()?;
        let mut out = f(&mut conn);
        if out.is_err() && retry && conn.client.is_closed() {
            self.give_back(conn);
            conn = self.take()?;
            out = f(&mut conn);
        }
        self.give_back(conn);
        out.map_err(backend)
    }

    /// A connection: an idle one, a new one while fewer than `max` are open, else the first
    /// one given back within the pool's `wait`.
    fn take(&self) -> Result<Conn, StoreError> {
        let mut pool = self.lock_pool();
        let deadline = Instant::now() + pool.wait;
        loop {
            if let Some(c) = pool.idle.pop() {
                return Ok(c);
            }
            if pool.open < pool.max {
                pool.open += 1;
                break;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(StoreError::Backend(format!(
                    "postgres: no connection free after {:?} ({} open, all in use)",
                    pool.wait, pool.open
                )));
            }
            pool = self.available.wait_timeout(pool, left).unwrap_or_else(|p| p.into_inner()).0;
        }
        drop(pool);
        match self.config.connect(NoTls).and_then(Conn::prepare) {
            Ok(c) => Ok(c),
            Err(e) => {
                self.lock_pool().open -= 1;
                self.available.notify_one();
                Err(backend(e))
            }
        }
    }

    /// Returns a connection to the pool. One the server closed is dropped, and the idle ones
    /// with it: a closed connection mostly means the server restarted, which closed them all,
    /// and each would otherwise fail one write before being noticed.
    fn give_back(&self, conn: Conn) {
        let mut pool = self.lock_pool();
        if conn.client.is_closed() {
            let idle = pool.idle.len();
            pool.idle.clear();
            pool.open -= 1 + idle;
        } else {
            pool.idle.push(conn);
        }
        drop(pool);
        self.available.notify_one();
    }
}

fn parse(url: &str) -> Result<Config, StoreError> {
    Config::from_str(url).map_err(|e| StoreError::Backend(format!("invalid PostgreSQL connection string: {e}")))
}

impl Conn {
    fn prepare(mut client: Client) -> Result<Conn, ::postgres::Error> {
        let get = client.prepare(&format!("SELECT {COLUMNS} FROM userform_users WHERE id = $1"))?;
        let owner = client.prepare("SELECT user_id FROM userform_identity_keys WHERE key = $1")?;
        // One statement each, so that the record and its keys are written together (or not at
        // all) in one round trip.
        let insert = client.prepare(&format!(
            "WITH inserted AS (
                 INSERT INTO userform_users ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 RETURNING id
             )
             INSERT INTO userform_identity_keys (key, user_id)
             SELECT k.key, inserted.id FROM inserted, unnest($12::text[]) AS k(key)"
        ))?;
        // The keys the user no longer has go; those it did not hold yet come (a key another
        // user holds, or takes concurrently, fails the statement on the primary key). Every
        // part runs on the same snapshot, and only once the update matched.
        let commit = client.prepare(
            "WITH updated AS (
                 UPDATE userform_users SET identifier = $2, form_identifier = $3, form_data = $4,
                     notification_data = $5, state = $6, version = $7, created_at = $8, updated_at = $9,
                     password_hash = $10, logins = $11
                 WHERE id = $1 AND version = $13
                 RETURNING id
             ), dropped AS (
                 DELETE FROM userform_identity_keys AS k USING updated
                 WHERE k.user_id = updated.id AND k.key <> ALL ($12::text[])
             ), added AS (
                 INSERT INTO userform_identity_keys (key, user_id)
                 SELECT n.key, updated.id FROM updated, unnest($12::text[]) AS n(key)
                 WHERE NOT EXISTS (
                     SELECT 1 FROM userform_identity_keys AS k WHERE k.key = n.key AND k.user_id = updated.id
                 )
             )
             SELECT count(*) FROM updated",
        )?;
        let taken = client.prepare(
            "SELECT key FROM userform_identity_keys WHERE key = ANY($1::text[]) AND user_id <> $2 ORDER BY key LIMIT 1",
        )?;
        Ok(Conn { client, get, owner, insert, commit, taken })
    }
}

fn backend(e: ::postgres::Error) -> StoreError {
    match e.as_db_error() {
        Some(db) => StoreError::Backend(format!("postgres: {}: {}", db.code().code(), db.message())),
        // The error's own text is only its kind ("error connecting to server"); the reason
        // (connection refused, host not found, timeout) is its source.
        None => match std::error::Error::source(&e) {
            Some(reason) => StoreError::Backend(format!("postgres: {e}: {reason}")),
            None => StoreError::Backend(format!("postgres: {e}")),
        },
    }
}

fn to_i64(version: u64) -> Result<i64, StoreError> {
    i64::try_from(version).map_err(|_| StoreError::Backend(format!("version {version} out of range")))
}

/// What every write sends of a record, as the parameters `$1`…`$12` of the insert and commit
/// statements (the commit adds the expected version as `$13`).
struct Row<'r> {
    record: &'r UserRecord,
    form_data: Json<&'r IndexMap<String, Vec<StoredEntry>>>,
    notification_data: Json<&'r NotificationData>,
    state: Json<&'r StoredValue>,
    version: i64,
    /// `[[marker, value], ...]`: an array keeps the logins' order.
    logins: Json<Vec<(&'r str, &'r str)>>,
    keys: &'r [String],
}

impl<'r> Row<'r> {
    fn new(record: &'r UserRecord, keys: &'r IdentityKeys) -> Result<Self, StoreError> {
        Ok(Row {
            record,
            form_data: Json(&record.form_data),
            notification_data: Json(&record.notification_data),
            state: Json(&record.state),
            version: to_i64(record.version)?,
            logins: Json(record.logins.iter().map(|(m, v)| (m.as_str(), v.as_str())).collect()),
            keys: keys.as_slice(),
        })
    }

    fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        let r = self.record;
        vec![
            &r.id,
            &r.identifier,
            &r.form_identifier,
            &self.form_data,
            &self.notification_data,
            &self.state,
            &self.version,
            &r.created_at,
            &r.updated_at,
            &r.password_hash,
            &self.logins,
            &self.keys,
        ]
    }
}

/// Maps a failed write: a unique violation of the key table is [`StoreError::IdentityTaken`]
/// naming the key another user holds (asked of the database once the statement failed), one of
/// the users' id [`StoreError::DuplicateId`], the rest `Backend`. A commit never changes the id,
/// so its only unique violation is a key's; an insert tells the two apart by the constraint's
/// name (or, from a server that does not send it, by the message).
fn write_error(
    store: &PostgresStore,
    e: ::postgres::Error,
    record: &UserRecord,
    keys: &[String],
    inserting: bool,
) -> StoreError {
    let Some(db) = e.as_db_error() else { return backend(e) };
    if *db.code() != SqlState::UNIQUE_VIOLATION {
        return backend(e);
    }
    let identity = match db.constraint() {
        Some(c) => c == "userform_identity_keys_pkey",
        None => db.message().contains("identity_keys") || db.detail().is_some_and(|d| d.contains("(key)")),
    };
    if inserting && !identity {
        return StoreError::DuplicateId(record.id.clone());
    }
    let taken = store
        .with_conn(true, |c| c.client.query_opt(&c.taken, &[&keys, &record.id]))
        .ok()
        .flatten()
        .and_then(|row| row.try_get::<_, String>(0).ok());
    // The holder may have let the key go since: then any of the keys is as good a name.
    StoreError::IdentityTaken(taken.or_else(|| keys.first().cloned()).unwrap_or_default())
}

impl UserStore for PostgresStore {
    fn get(&self, id: &str) -> Result<Option<UserRecord>, StoreError> {
        let row = self.with_conn(true, |c| c.client.query_opt(&c.get, &[&id]))?;
        let Some(row) = row else { return Ok(None) };
        let decode = || -> Result<UserRecord, ::postgres::Error> {
            let Json(form_data): Json<IndexMap<String, Vec<StoredEntry>>> = row.try_get(3)?;
            let Json(notification_data): Json<NotificationData> = row.try_get(4)?;
            let Json(state): Json<StoredValue> = row.try_get(5)?;
            let version: i64 = row.try_get(6)?;
            Ok(UserRecord {
                id: row.try_get(0)?,
                identifier: row.try_get(1)?,
                form_identifier: row.try_get(2)?,
                form_data,
                notification_data,
                state,
                version: version.max(0) as u64,
                created_at: row.try_get(7)?,
                updated_at: row.try_get(8)?,
                password_hash: row.try_get(9)?,
                logins: {
                    let Json(pairs): Json<Vec<(String, String)>> = row.try_get(10)?;
                    pairs.into_iter().collect()
                },
            })
        };
        decode().map(Some).map_err(|e| StoreError::Backend(format!("stored record `{id}` is not a valid record: {e}")))
    }

    fn identity_owner(&self, identity_key: &str) -> Result<Option<String>, StoreError> {
        if identity_key.is_empty() {
            return Ok(None);
        }
        let row = self.with_conn(true, |c| c.client.query_opt(&c.owner, &[&identity_key]))?;
        row.map(|r| r.try_get(0)).transpose().map_err(backend)
    }

    fn insert(&self, record: &UserRecord, keys: &IdentityKeys) -> Result<(), StoreError> {
        let row = Row::new(record, keys)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut conn = self.take()?;
            let out = conn.client.execute(&conn.insert, &row.params());
            self.give_back(conn);
            match out {
                Ok(_) => return Ok(()),
                // SERIALIZABLE databases may ask for a retry; the insert wrote nothing.
                Err(e) if attempt < 5 && e.code() == Some(&SqlState::T_R_SERIALIZATION_FAILURE) => continue,
                Err(e) => return Err(write_error(self, e, record, row.keys, true)),
            }
        }
    }

    fn commit(&self, expected_version: u64, record: &UserRecord, keys: &IdentityKeys) -> Result<(), StoreError> {
        let row = Row::new(record, keys)?;
        let expected = to_i64(expected_version)?;
        let mut params = row.params();
        params.push(&expected);
        let mut conn = self.take()?;
        let out = conn.client.query_one(&conn.commit, &params).and_then(|r| r.try_get::<_, i64>(0));
        self.give_back(conn);
        match out {
            Ok(0) => Err(StoreError::Conflict),
            Ok(_) => Ok(()),
            Err(e) if matches!(e.code(), Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED) => {
                Err(StoreError::Conflict)
            }
            Err(e) => Err(write_error(self, e, record, row.keys, false)),
        }
    }
}

#[cfg(test)]
mod pool_tests {
    //! The pool against a live server (`USERFORM_PG_URL`; skipped without one, as the store
    //! suite says loudly).
    use super::*;

    fn store(max: usize) -> Option<PostgresStore> {
        let url = std::env::var("USERFORM_PG_URL").ok()?;
        Some(PostgresStore::connect_in_schema(&url, "userform_pool_tests").unwrap().max_connections(max))
    }

    #[test]
    fn a_caller_past_the_pool_waits_then_fails() {
        let Some(store) = store(1) else { return };
        let store = store.connection_wait(Duration::from_millis(200));
        let held = store.take().unwrap();
        let started = Instant::now();
        assert!(matches!(store.take(), Err(StoreError::Backend(m)) if m.contains("no connection free")));
        assert!(started.elapsed() >= Duration::from_millis(200));
        store.give_back(held);
        assert!(store.take().is_ok(), "a connection given back is taken again");
    }

    #[test]
    fn a_connection_the_server_closed_drops_the_idle_ones() {
        let Some(store) = store(3) else { return };
        let (a, b, mut c) = (store.take().unwrap(), store.take().unwrap(), store.take().unwrap());
        let pid: i32 = c.client.query_one("SELECT pg_backend_pid()", &[]).unwrap().get(0);
        let mut killer = store.config.connect(NoTls).unwrap();
        killer.execute("SELECT pg_terminate_backend($1)", &[&pid]).unwrap();
        store.give_back(a);
        store.give_back(b);
        assert!(c.client.simple_query("SELECT 1").is_err() && c.client.is_closed());
        store.give_back(c);
        let pool = store.lock_pool();
        assert_eq!((pool.open, pool.idle.len()), (0, 0), "the closed one and the idle ones are gone");
    }
}
