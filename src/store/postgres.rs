//! The PostgreSQL store: see [`PostgresStore`] for its guarantees, schema and migrations.

use std::str::FromStr;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use ::postgres::error::SqlState;
use ::postgres::types::{Json, ToSql};
use ::postgres::{Client, Config, NoTls, Statement};
use indexmap::IndexMap;

use super::{StoreError, UserStore};
use crate::record::{NotificationData, StoredEntry, StoredValue, UserRecord};

/// The advisory lock key held while migrating (the bytes of "userform").
const MIGRATION_LOCK: i64 = 0x7573_6572_666f_726d;

/// One step of the schema's history.
enum Migration {
    /// SQL run as is.
    Sql(&'static str),
    /// `identity_key` recomputed for every row with the current [`crate::identity::key`]
    /// (appended whenever that function changes, so existing users are compared as new ones are).
    RekeyIdentities,
}

/// The schema, one migration per entry; migration `i + 1` is `MIGRATIONS[i]`.
const MIGRATIONS: &[Migration] = &[
    // 1: the users table.
    Migration::Sql(
        "CREATE TABLE userform_users (
        id                TEXT PRIMARY KEY,
        identity_key      TEXT,
        identifier        TEXT NOT NULL,
        form_identifier   TEXT NOT NULL,
        form_data         JSONB NOT NULL,
        notification_data JSONB NOT NULL,
        state             JSONB NOT NULL,
        version           BIGINT NOT NULL,
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        password_hash     TEXT,
        CONSTRAINT userform_users_identity_key_key UNIQUE (identity_key)
    )",
    ),
    // 2: identities compared under PRECIS and UTS 46 (they were trimmed, NFC, lower-cased).
    Migration::RekeyIdentities,
];

/// Rows read at a time by [`rekey_identities`].
const REKEY_PAGE: i64 = 1000;

/// The schema version this build writes (the number of migrations).
const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// Connections a store opens at most unless told otherwise ([`PostgresStore::max_connections`]).
const DEFAULT_MAX_CONNECTIONS: usize = 16;

const COLUMNS: &str = "id, identifier, form_identifier, form_data, notification_data, state, version, \
                       created_at, updated_at, password_hash";

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
/// - **Unique identities.** `identity_key` holds [`crate::identity::key`] of the identifier (`NULL` when
///   empty) under the `UNIQUE` constraint `userform_users_identity_key_key`; a write that would
///   duplicate one answers [`StoreError::IdentityTaken`].
///
/// # Schema
///
/// ```sql
/// CREATE TABLE userform_schema_version (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ ...);
/// CREATE TABLE userform_users (
///     id                TEXT PRIMARY KEY,
///     identity_key      TEXT,                  -- identity::key(identifier), NULL when none
///     identifier        TEXT NOT NULL,
///     form_identifier   TEXT NOT NULL,
///     form_data         JSONB NOT NULL,        -- {langCode: [{marker, type, value}]}
///     notification_data JSONB NOT NULL,
///     state             JSONB NOT NULL,
///     version           BIGINT NOT NULL,
///     created_at        TEXT NOT NULL,
///     updated_at        TEXT NOT NULL,
///     password_hash     TEXT,                  -- Argon2id PHC string
///     CONSTRAINT userform_users_identity_key_key UNIQUE (identity_key)
/// );
/// ```
///
/// The tables are prefixed so that they can share a database (and schema) with others; pass a
/// schema to [`PostgresStore::connect_in_schema`] to keep them apart entirely. `jsonb` keeps
/// values, not text: the keys of a JSON object read back in `jsonb`'s order (shorter keys first),
/// and a string holding U+0000 cannot be stored (the write fails with [`StoreError::Backend`]).
///
/// Migrations run when a store connects, in one transaction holding a transaction-scoped advisory
/// lock (`pg_advisory_xact_lock`), so services starting together do not race. Migration 2
/// recomputes every `identity_key` under the current identity comparison (PRECIS, UTS 46
/// domains); if two existing users now have the same key, it rolls back and connecting answers
/// [`StoreError::IdentityCollision`] naming both. On a database that
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
}

/// A connection with this store's statements prepared on it.
struct Conn {
    client: Client,
    get: Statement,
    owner: Statement,
    insert: Statement,
    commit: Statement,
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
            pool: Mutex::new(Pool { idle: Vec::new(), open: 0, max: DEFAULT_MAX_CONNECTIONS }),
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

    fn take(&self) -> Result<Conn, StoreError> {
        let mut pool = self.lock_pool();
        loop {
            if let Some(c) = pool.idle.pop() {
                return Ok(c);
            }
            if pool.open < pool.max {
                pool.open += 1;
                break;
            }
            pool = self.available.wait(pool).unwrap_or_else(|p| p.into_inner());
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

    fn give_back(&self, conn: Conn) {
        let mut pool = self.lock_pool();
        if conn.client.is_closed() {
            pool.open -= 1;
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

/// Why a migration attempt stopped without a database error.
enum Refusal {
    /// The database's schema version is newer than ours.
    Newer(i32),
    /// Rekeying found two users with one identity ([`StoreError::IdentityCollision`]).
    Collision(StoreError),
}

/// One migration attempt; `Ok(Err(_))` when it stopped on purpose (and rolled back).
fn migrate_once(
    client: &mut Client,
    schema: Option<&str>,
    lock: bool,
) -> Result<Result<(), Refusal>, ::postgres::Error> {
    let mut tx = client.transaction()?;
    if lock {
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    }
    if let Some(schema) = schema {
        tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))?;
    }
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS userform_schema_version (
            version    INTEGER PRIMARY KEY,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )",
    )?;
    let current: i32 =
        tx.query_one("SELECT COALESCE(MAX(version), 0) FROM userform_schema_version", &[])?.try_get(0)?;
    if current > SCHEMA_VERSION {
        return Ok(Err(Refusal::Newer(current)));
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        match step {
            Migration::Sql(sql) => tx.batch_execute(sql)?,
            Migration::RekeyIdentities => {
                if let Err(collision) = rekey_identities(&mut tx)? {
                    return Ok(Err(Refusal::Collision(collision)));
                }
            }
        }
        tx.execute("INSERT INTO userform_schema_version (version) VALUES ($1)", &[&(i as i32 + 1)])?;
    }
    tx.commit().map(Ok)
}

/// Recomputes `identity_key` for every row inside the migration's transaction, a page of rows
/// at a time (memory stays bounded whatever the table's size). Rows whose key changes first
/// lose it, then every keyless row gets its new one, so two rows that merely trade keys never
/// meet the `UNIQUE` constraint half-way. Two rows with one new key are `Ok(Err(collision))`,
/// found before any write that would fail (a failed statement would abort the transaction).
fn rekey_identities(tx: &mut ::postgres::Transaction<'_>) -> Result<Result<(), StoreError>, ::postgres::Error> {
    // Pass 1: clear the keys that change.
    let mut after = String::new();
    loop {
        let page = tx.query(
            "SELECT id, identity_key, identifier FROM userform_users WHERE id > $1 ORDER BY id LIMIT $2",
            &[&after, &REKEY_PAGE],
        )?;
        let Some(last) = page.last() else { break };
        after = last.try_get(0)?;
        let mut changed: Vec<String> = Vec::new();
        for row in &page {
            let old: Option<String> = row.try_get(1)?;
            if old != super::key_column(row.try_get(2)?) {
                changed.push(row.try_get(0)?);
            }
        }
        if !changed.is_empty() {
            tx.execute("UPDATE userform_users SET identity_key = NULL WHERE id = ANY($1)", &[&changed])?;
        }
    }
    // Pass 2: give every keyless row its key.
    after.clear();
    loop {
        let page = tx.query(
            "SELECT id, identifier FROM userform_users WHERE identity_key IS NULL AND id > $1 ORDER BY id LIMIT $2",
            &[&after, &REKEY_PAGE],
        )?;
        let Some(last) = page.last() else { break };
        after = last.try_get(0)?;
        // key → (id, identifier), to find two rows of this page with one key.
        let mut keyed: std::collections::BTreeMap<String, (String, String)> = std::collections::BTreeMap::new();
        for row in &page {
            let (id, identifier): (String, String) = (row.try_get(0)?, row.try_get(1)?);
            let Some(key) = super::key_column(&identifier) else { continue };
            if let Some(other) = keyed.remove(&key) {
                return Ok(Err(StoreError::collision(key, other, (id, identifier))));
            }
            keyed.insert(key, (id, identifier));
        }
        if keyed.is_empty() {
            continue;
        }
        let keys: Vec<&str> = keyed.keys().map(String::as_str).collect();
        let holder = tx.query_opt(
            "SELECT identity_key, id, identifier FROM userform_users WHERE identity_key = ANY($1) ORDER BY id LIMIT 1",
            &[&keys],
        )?;
        if let Some(holder) = holder {
            let key: String = holder.try_get(0)?;
            let other = (holder.try_get(1)?, holder.try_get(2)?);
            // The holder's key is one of this page's (the query asked for no other).
            let mine = keyed.remove(&key).unwrap_or_default();
            return Ok(Err(StoreError::collision(key, other, mine)));
        }
        let ids: Vec<&str> = keyed.values().map(|(id, _)| id.as_str()).collect();
        tx.execute(
            "UPDATE userform_users AS u SET identity_key = v.key
             FROM unnest($1::text[], $2::text[]) AS v(id, key) WHERE u.id = v.id",
            &[&ids, &keys],
        )?;
    }
    Ok(Ok(()))
}

/// A concurrent migration (without the advisory lock) got there first.
fn is_race(e: &::postgres::Error) -> bool {
    matches!(e.code(), Some(c) if [
        SqlState::UNIQUE_VIOLATION,
        SqlState::DUPLICATE_TABLE,
        SqlState::DUPLICATE_OBJECT,
        SqlState::DUPLICATE_SCHEMA,
        SqlState::T_R_SERIALIZATION_FAILURE,
        SqlState::T_R_DEADLOCK_DETECTED,
    ].contains(c))
}

impl Conn {
    fn prepare(mut client: Client) -> Result<Conn, ::postgres::Error> {
        let get = client.prepare(&format!("SELECT {COLUMNS} FROM userform_users WHERE id = $1"))?;
        let owner = client.prepare("SELECT id FROM userform_users WHERE identity_key = $1")?;
        let insert = client.prepare(&format!(
            "INSERT INTO userform_users ({COLUMNS}, identity_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))?;
        let commit = client.prepare(
            "UPDATE userform_users SET identifier = $2, form_identifier = $3, form_data = $4,
                 notification_data = $5, state = $6, version = $7, created_at = $8, updated_at = $9,
                 password_hash = $10, identity_key = $11
             WHERE id = $1 AND version = $12",
        )?;
        Ok(Conn { client, get, owner, insert, commit })
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

/// Maps a failed write: unique violations to the store's errors, the rest to `Backend`. A commit
/// never changes the id, so its only unique violation is the identity's; an insert tells the two
/// apart by the constraint's name (or, from a server that does not send it, by the message).
/// What every write sends of a record, as the parameters `$1`…`$11` of the insert and commit
/// statements (the commit adds the expected version as `$12`).
struct Row<'r> {
    record: &'r UserRecord,
    form_data: Json<&'r IndexMap<String, Vec<StoredEntry>>>,
    notification_data: Json<&'r NotificationData>,
    state: Json<&'r StoredValue>,
    version: i64,
    /// The normalised identity, `NULL` when there is none.
    key: Option<String>,
}

impl<'r> Row<'r> {
    fn new(record: &'r UserRecord) -> Result<Self, StoreError> {
        Ok(Row {
            record,
            form_data: Json(&record.form_data),
            notification_data: Json(&record.notification_data),
            state: Json(&record.state),
            version: to_i64(record.version)?,
            key: super::key_column(&record.identifier),
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
            &self.key,
        ]
    }
}

fn write_error(e: ::postgres::Error, record: &UserRecord, key: &Option<String>, inserting: bool) -> StoreError {
    if let Some(db) = e.as_db_error() {
        if *db.code() == SqlState::UNIQUE_VIOLATION {
            let identity = match db.constraint() {
                Some(c) => c == "userform_users_identity_key_key",
                None => {
                    db.message().contains("identity_key") || db.detail().is_some_and(|d| d.contains("identity_key"))
                }
            };
            return if identity || !inserting {
                StoreError::IdentityTaken(key.clone().unwrap_or_default())
            } else {
                StoreError::DuplicateId(record.id.clone())
            };
        }
    }
    backend(e)
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

    fn insert(&self, record: &UserRecord) -> Result<(), StoreError> {
        let row = Row::new(record)?;
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
                Err(e) => return Err(write_error(e, record, &row.key, true)),
            }
        }
    }

    fn commit(&self, expected_version: u64, record: &UserRecord) -> Result<(), StoreError> {
        let row = Row::new(record)?;
        let expected = to_i64(expected_version)?;
        let mut params = row.params();
        params.push(&expected);
        let mut conn = self.take()?;
        let out = conn.client.execute(&conn.commit, &params);
        self.give_back(conn);
        match out {
            Ok(0) => Err(StoreError::Conflict),
            Ok(_) => Ok(()),
            Err(e) if matches!(e.code(), Some(c) if *c == SqlState::T_R_SERIALIZATION_FAILURE || *c == SqlState::T_R_DEADLOCK_DETECTED) => {
                Err(StoreError::Conflict)
            }
            Err(e) => Err(write_error(e, record, &row.key, false)),
        }
    }
}
