//! The SQLite store: see [`SqliteStore`] for its guarantees, schema and concurrency.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{ffi, params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

use super::group::{self, Answer, Counters, Group, WriteStats};
use super::{IdentityKeys, Migration, StoreError, UserStore};
use crate::record::UserRecord;

/// How long a connection waits for a lock held by another connection or process.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Reader connections kept open between reads.
const MAX_IDLE_READERS: usize = 8;

/// The schema, one migration per entry; migration `i + 1` is `MIGRATIONS[i]`.
const MIGRATIONS: &[Migration] = &[
    // 1: the users table.
    Migration::Sql(
        "CREATE TABLE users (
            id            TEXT PRIMARY KEY NOT NULL,
            identity_key  TEXT UNIQUE,
            version       INTEGER NOT NULL,
            password_hash TEXT,
            record        TEXT NOT NULL
        );",
    ),
    // 2: identities compared under PRECIS and UTS 46 (they were trimmed, NFC, lower-cased).
    Migration::RekeyIdentities,
    // 3: several logins per record: the identity keys move to their own table, one row per key
    // (the users table is rebuilt without `identity_key`, which SQLite cannot drop while it is
    // UNIQUE). No foreign key: SQLite would not enforce it unless every connection asked, and
    // the store writes a record and its keys in one transaction.
    Migration::Sql(
        "CREATE TABLE identity_keys (
            key     TEXT PRIMARY KEY NOT NULL,
            user_id TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX identity_keys_user_id ON identity_keys (user_id);
        CREATE TABLE users_v3 (
            id            TEXT PRIMARY KEY NOT NULL,
            version       INTEGER NOT NULL,
            password_hash TEXT,
            record        TEXT NOT NULL
        );
        INSERT INTO users_v3 (id, version, password_hash, record) SELECT id, version, password_hash, record FROM users;
        DROP TABLE users;
        ALTER TABLE users_v3 RENAME TO users;",
    ),
    // 4: the keys of every record computed into the table (what version 2 held in the column,
    // for every record written before records had several logins).
    Migration::RekeyKeyTable,
];

/// The schema version this build writes (the number of migrations).
const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// User records in a SQLite database file (or in memory): an embedded, durable [`UserStore`]
/// (feature `sqlite`; the SQLite library is bundled, so nothing needs installing).
///
/// # Guarantees
///
/// - **Acknowledged means durable.** The database runs in WAL mode with `synchronous=FULL`: when
///   [`UserStore::insert`] or [`UserStore::commit`] returns `Ok`, the write-ahead log has been
///   fsynced, so the change survives a crash of the process and of the machine.
///   ([`SqliteSync::Normal`] trades the machine's crash for speed: see [`SqliteOptions`].)
/// - **Group commit.** Inserts and commits that arrive while another batch is being written
///   wait together and are written by one `BEGIN IMMEDIATE` transaction (it takes SQLite's
///   write lock up front, so it never fails half-way on a lock upgrade) with one fsync: each in
///   its own savepoint, with its own version and identity checks, answered only after that
///   transaction committed; one that fails is rolled back alone. A lone write is a transaction
///   of its own, as with group commit off ([`SqliteOptions::group_commit`]), where every insert
///   and commit is one transaction. The batching is `store/group.rs`, which states its
///   invariants.
/// - **No lost updates.** A commit is `UPDATE users … WHERE id = ? AND version = ?`; when no row
///   matches (the record changed or vanished since it was read) nothing is written and the commit
///   answers [`StoreError::Conflict`].
/// - **Unique identities.** `identity_keys` holds one row per [`IdentityKeys`] key of each record
///   (its identifier and each of its logins; none when it has no identity), the key its primary
///   key: a write that would give a key to a second record answers [`StoreError::IdentityTaken`]
///   and writes nothing. The record's row and its keys change in one transaction.
///
/// # Schema
///
/// ```sql
/// CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);
/// CREATE TABLE users (
///     id            TEXT PRIMARY KEY NOT NULL,
///     version       INTEGER NOT NULL,     -- the record's version, checked on commit
///     password_hash TEXT,                 -- Argon2id PHC string (never part of `record`)
///     record        TEXT NOT NULL         -- the record as JSON (SPEC §5), `logins` included
/// );
/// CREATE TABLE identity_keys (
///     key           TEXT PRIMARY KEY NOT NULL,  -- an identity::key of the user's identities
///     user_id       TEXT NOT NULL               -- users.id
/// ) WITHOUT ROWID;
/// CREATE INDEX identity_keys_user_id ON identity_keys (user_id);
/// ```
///
/// The store creates and migrates the schema itself when it opens a database: each migration runs
/// once, inside the same `BEGIN IMMEDIATE` transaction that records it in `schema_version`, so
/// processes opening one file at the same time do not race. A database whose schema is newer than
/// this build knows is refused rather than misread. Migration 2 recomputed version 1's
/// `identity_key` column under the current identity comparison (PRECIS, UTS 46 domains);
/// migrations 3 and 4 replace that column by the `identity_keys` table and compute every
/// record's keys into it. If two existing users have one key, the migration rolls back and `open`
/// answers [`StoreError::IdentityCollision`] naming both.
///
/// # Concurrency
///
/// Writes go through one connection behind a mutex (in-process writers queue for it, as one
/// batch with group commit, instead of polling SQLite's lock); reads use a small pool of
/// further connections, which WAL lets run while a write is in progress. Other processes may
/// open the same file: SQLite's locks serialise their writes with ours, waiting up to ten
/// seconds for the lock.
///
/// `Send + Sync`: share one store between threads (e.g. in an `Arc`).
pub struct SqliteStore {
    writer: Mutex<Connection>,
    /// `None` for an in-memory database, whose one connection serves reads too.
    readers: Option<ReaderPool>,
    options: SqliteOptions,
    /// The queue of writes, when group commit is on.
    group: Option<Group<Write>>,
    counters: Counters,
}

/// How a [`SqliteStore`] writes ([`SqliteStore::open_with`]); the default is group commit on,
/// `synchronous=FULL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SqliteOptions {
    /// Concurrent writes share one transaction and one fsync (`true`, the default), or each
    /// insert and commit is a transaction of its own (`false`). Either way a write is
    /// acknowledged only once committed, and each keeps its own checks.
    pub group_commit: bool,
    /// What a commit waits for.
    pub sync: SqliteSync,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions { group_commit: true, sync: SqliteSync::Full }
    }
}

/// SQLite's `synchronous` setting for the store's connections (in WAL mode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SqliteSync {
    /// Every commit syncs the write-ahead log before it returns: an acknowledged write survives
    /// a crash of the process and of the machine (power loss). The default.
    #[default]
    Full,
    /// Commits do not wait for the disk (the log is synced at checkpoints): an acknowledged
    /// write survives a crash of the process, but the last ones may be lost with the machine.
    /// The database is never corrupted. For benchmarks and data that can be rebuilt.
    Normal,
}

impl SqliteSync {
    fn pragma(self) -> &'static str {
        match self {
            SqliteSync::Full => "FULL",
            SqliteSync::Normal => "NORMAL",
        }
    }
}

struct ReaderPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.readers.as_ref().map(|r| r.path.as_path()))
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating it if needed) the database file at `path`, switches it to WAL mode and
    /// brings its schema up to date; group commit on, `synchronous=FULL`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path, SqliteOptions::default())
    }

    /// As [`SqliteStore::open`], writing as `options` say.
    pub fn open_with(path: impl AsRef<Path>, options: SqliteOptions) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let mut writer = open_connection(&path, OpenFlags::default())?;
        configure(&writer, true, options.sync)?;
        migrate(&mut writer)?;
        Ok(Self::new(writer, Some(ReaderPool { path, idle: Mutex::new(Vec::new()) }), options))
    }

    /// A private in-memory database (gone when the store is dropped), for tests and tools.
    pub fn in_memory() -> Result<Self, StoreError> {
        let options = SqliteOptions::default();
        let mut conn = Connection::open_in_memory().map_err(backend)?;
        configure(&conn, false, options.sync)?;
        migrate(&mut conn)?;
        Ok(Self::new(conn, None, options))
    }

    fn new(writer: Connection, readers: Option<ReaderPool>, options: SqliteOptions) -> Self {
        let group = options.group_commit.then(Group::new);
        SqliteStore { writer: Mutex::new(writer), readers, options, group, counters: Counters::default() }
    }

    /// How this store writes.
    pub fn options(&self) -> SqliteOptions {
        self.options
    }

    /// The write transactions this store ran and the writes they carried (with group commit,
    /// writes per transaction is the mean group size).
    pub fn write_stats(&self) -> WriteStats {
        self.counters.get()
    }

    /// The database file, or `None` for an in-memory store.
    pub fn path(&self) -> Option<&Path> {
        self.readers.as_ref().map(|r| r.path.as_path())
    }

    /// The schema version recorded in the database.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.read(current_version)
    }

    /// Runs SQLite's `PRAGMA integrity_check` and returns its verdict (`"ok"` when sound).
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare("PRAGMA integrity_check")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?.join("\n"))
        })
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        // A panic while the lock was held dropped its transaction, which rolled back: the
        // connection is usable.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on a reader connection (the writer for an in-memory database).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let Some(pool) = &self.readers else {
            return f(&self.writer()).map_err(backend);
        };
        let idle = pool.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match idle {
            Some(c) => c,
            None => {
                let c = open_connection(&pool.path, OpenFlags::default())?;
                configure(&c, false, self.options.sync)?;
                c
            }
        };
        let out = f(&conn).map_err(backend);
        let mut idle = pool.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        out
    }

    /// Writes one insert or commit: queued for the next group when group commit is on, else in
    /// a transaction of its own.
    fn write(&self, op: Write) -> Result<(), StoreError> {
        match &self.group {
            Some(group) => group.submit(op, &|ops| self.write_batch(ops)),
            None => self
                .write_batch(std::slice::from_ref(&op))
                .pop()
                .unwrap_or_else(|| Err(StoreError::Backend("sqlite: the write was not answered".into()))),
        }
    }

    /// Writes `ops` in one `BEGIN IMMEDIATE` transaction ([`group::write_batch`]).
    fn write_batch(&self, ops: &[Write]) -> Vec<Answer> {
        self.counters.count(ops.len());
        let mut conn = self.writer();
        let answers = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
            Ok(tx) => group::write_batch(tx, ops, |tx, op| match op {
                Write::Insert(row) => Self::insert_row(tx, row),
                Write::Update { expected, row } => Self::update_row(tx, *expected, row),
            }),
            Err(e) => vec![Err(backend(e)); ops.len()],
        };
        answers
    }
}

/// A write waiting for its transaction: the row, ready to bind.
enum Write {
    Insert(Row),
    Update { expected: i64, row: Row },
}

impl group::Transaction for rusqlite::Transaction<'_> {
    fn savepoint(&self) -> Result<(), StoreError> {
        self.prepare_cached("SAVEPOINT write").and_then(|mut s| s.execute([])).map(drop).map_err(backend)
    }
    fn release(&self) -> Result<(), StoreError> {
        self.prepare_cached("RELEASE write").and_then(|mut s| s.execute([])).map(drop).map_err(backend)
    }
    fn rollback_to(&self) -> Result<(), StoreError> {
        self.prepare_cached("ROLLBACK TO write").and_then(|mut s| s.execute([])).map(drop).map_err(backend)?;
        self.release()
    }
    fn commit(self) -> Result<(), StoreError> {
        rusqlite::Transaction::commit(self).map_err(backend)
    }
}

fn open_connection(path: &Path, flags: OpenFlags) -> Result<Connection, StoreError> {
    Connection::open_with_flags(path, flags)
        .map_err(|e| StoreError::Backend(format!("cannot open SQLite database {}: {e}", path.display())))
}

/// Per-connection settings; `wal` switches the database file to WAL mode (persistent).
fn configure(conn: &Connection, wal: bool, sync: SqliteSync) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT).map_err(backend)?;
    if wal {
        let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0)).map_err(backend)?;
        if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
            return Err(StoreError::Backend(format!("SQLite refused WAL mode (journal_mode is {mode})")));
        }
    }
    // FULL (the default): the WAL is synced on every commit, so an acknowledged write survives
    // power loss; NORMAL only at checkpoints.
    conn.pragma_update(None, "synchronous", sync.pragma()).map_err(backend)?;
    Ok(())
}

fn current_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_version", [], |r| r.get(0))
}

/// Creates the version table and runs every migration the database lacks, in one transaction.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(backend)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_version (
            version    INTEGER PRIMARY KEY NOT NULL,
            applied_at TEXT NOT NULL
        );",
    )
    .map_err(backend)?;
    let current = current_version(&tx).map_err(backend)?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::Backend(format!(
            "database schema version {current} is newer than this build supports ({SCHEMA_VERSION})"
        )));
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        match step {
            Migration::Sql(sql) => tx.execute_batch(sql).map_err(backend)?,
            Migration::RekeyIdentities => rekey_identities(&tx)?,
            Migration::RekeyKeyTable => rekey_key_table(&tx)?,
        }
        tx.execute(
            "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)",
            params![i as u32 + 1, crate::record::now_rfc3339()],
        )
        .map_err(backend)?;
    }
    tx.commit().map_err(backend)
}

/// Rows read at a time by [`rekey_identities`] and [`rekey_key_table`].
const REKEY_PAGE: i64 = 512;

/// Recomputes `identity_key` for every row, inside the migration's transaction, reading a page
/// of rows at a time (memory stays bounded whatever the table's size). Rows whose key changes
/// first lose it, then every keyless row gets its new one, so two rows that merely trade keys
/// never meet the `UNIQUE` index half-way. Two rows with one new key are an
/// [`StoreError::IdentityCollision`], and the transaction rolls back.
fn rekey_identities(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    let identifier = "json_extract(record, '$.identifier')";
    // Pass 1: clear the keys that change.
    let mut after = String::new();
    loop {
        let page: Vec<(String, Option<String>, Option<String>)> = tx
            .prepare(&format!(
                "SELECT id, identity_key, {identifier} FROM users WHERE id > ?1 ORDER BY id LIMIT {REKEY_PAGE}"
            ))
            .and_then(|mut s| s.query_map([&after], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect())
            .map_err(backend)?;
        let Some((last, _, _)) = page.last() else { break };
        after.clone_from(last);
        for (id, old, ident) in &page {
            if *old != super::key_column(ident.as_deref().unwrap_or("")) {
                tx.execute("UPDATE users SET identity_key = NULL WHERE id = ?1", [id]).map_err(backend)?;
            }
        }
    }
    // Pass 2: give every keyless row its key.
    after.clear();
    loop {
        let page: Vec<(String, Option<String>)> = tx
            .prepare(&format!(
                "SELECT id, {identifier} FROM users WHERE identity_key IS NULL AND id > ?1 ORDER BY id LIMIT {REKEY_PAGE}"
            ))
            .and_then(|mut s| s.query_map([&after], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(backend)?;
        let Some((last, _)) = page.last() else { break };
        after.clone_from(last);
        for (id, ident) in page {
            let ident = ident.unwrap_or_default();
            let Some(key) = super::key_column(&ident) else { continue };
            let holder: Option<(String, Option<String>)> = tx
                .query_row(&format!("SELECT id, {identifier} FROM users WHERE identity_key = ?1"), [&key], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
                .map_err(backend)?;
            if let Some((other, other_ident)) = holder {
                return Err(StoreError::collision(key, (other, other_ident.unwrap_or_default()), (id, ident)));
            }
            tx.execute("UPDATE users SET identity_key = ?1 WHERE id = ?2", [&key, &id]).map_err(backend)?;
        }
    }
    Ok(())
}

/// Refills `identity_keys` from the records, inside the migration's transaction, a page of rows
/// at a time: every record's [`IdentityKeys`] (its identifier and its logins, read out of the
/// record's JSON). A key a second record has is an [`StoreError::IdentityCollision`], and the
/// transaction rolls back.
fn rekey_key_table(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    tx.execute("DELETE FROM identity_keys", []).map_err(backend)?;
    let identifier = |id: &str| -> Result<String, StoreError> {
        tx.query_row("SELECT json_extract(record, '$.identifier') FROM users WHERE id = ?1", [id], |r| {
            r.get::<_, Option<String>>(0)
        })
        .map(Option::unwrap_or_default)
        .map_err(backend)
    };
    let mut after = String::new();
    loop {
        let page: Vec<(String, Option<String>, Option<String>)> = tx
            .prepare(&format!(
                "SELECT id, json_extract(record, '$.identifier'), json_extract(record, '$.logins') FROM users
                 WHERE id > ?1 ORDER BY id LIMIT {REKEY_PAGE}"
            ))
            .and_then(|mut s| s.query_map([&after], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect())
            .map_err(backend)?;
        let Some((last, _, _)) = page.last() else { break };
        after.clone_from(last);
        for (id, ident, logins) in page {
            let ident = ident.unwrap_or_default();
            let logins: indexmap::IndexMap<String, String> = match logins {
                Some(json) => serde_json::from_str(&json)
                    .map_err(|e| StoreError::Backend(format!("stored record `{id}` has unreadable `logins`: {e}")))?,
                None => indexmap::IndexMap::new(),
            };
            let keys =
                IdentityKeys::of_values(std::iter::once(ident.as_str()).chain(logins.values().map(String::as_str)));
            for key in keys.as_slice() {
                let holder: Option<String> = tx
                    .query_row("SELECT user_id FROM identity_keys WHERE key = ?1", [key], |r| r.get(0))
                    .optional()
                    .map_err(backend)?;
                if let Some(other) = holder {
                    let other_ident = identifier(&other)?;
                    return Err(StoreError::collision(key.clone(), (other, other_ident), (id, ident)));
                }
                tx.execute("INSERT INTO identity_keys (key, user_id) VALUES (?1, ?2)", [key, &id]).map_err(backend)?;
            }
        }
    }
    Ok(())
}

fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(format!("sqlite: {e}"))
}

fn to_i64(version: u64) -> Result<i64, StoreError> {
    i64::try_from(version).map_err(|_| StoreError::Backend(format!("version {version} out of range")))
}

/// The columns written for a record: (id, version, password_hash, record JSON) and the keys
/// of its identities, owned, so that another thread may write them in its group.
struct Row {
    id: String,
    keys: Vec<String>,
    version: i64,
    password_hash: Option<String>,
    record: String,
}

fn row_of(record: &UserRecord, keys: &IdentityKeys) -> Result<Row, StoreError> {
    Ok(Row {
        id: record.id.clone(),
        keys: keys.as_slice().to_vec(),
        version: to_i64(record.version)?,
        password_hash: record.password_hash.clone(),
        record: serde_json::to_string(record).map_err(|e| StoreError::Backend(format!("record to JSON: {e}")))?,
    })
}

/// Maps a constraint violation to the store's error, anything else to `Backend`: a key of
/// `identity_keys` (writing `key`) is [`StoreError::IdentityTaken`], the users' id
/// [`StoreError::DuplicateId`].
fn write_error(e: rusqlite::Error, id: &str, key: Option<&str>) -> StoreError {
    if let rusqlite::Error::SqliteFailure(ffi::Error { code: ErrorCode::ConstraintViolation, extended_code }, msg) = &e
    {
        // The message names the column: "UNIQUE constraint failed: identity_keys.key".
        let column = msg.as_deref().and_then(|m| m.rsplit(": ").next()).unwrap_or("");
        if let (Some(key), "identity_keys.key") = (key, column) {
            return StoreError::IdentityTaken(key.to_owned());
        }
        if *extended_code == ffi::SQLITE_CONSTRAINT_PRIMARYKEY || column == "users.id" {
            return StoreError::DuplicateId(id.to_string());
        }
    }
    backend(e)
}

/// Gives the user `id` these keys, inside the write's transaction.
fn add_keys<'k>(tx: &Connection, id: &str, keys: impl IntoIterator<Item = &'k String>) -> Result<(), StoreError> {
    let mut add = tx.prepare_cached("INSERT INTO identity_keys (key, user_id) VALUES (?1, ?2)").map_err(backend)?;
    for key in keys {
        add.execute(params![key, id]).map_err(|e| write_error(e, id, Some(key)))?;
    }
    Ok(())
}

impl UserStore for SqliteStore {
    fn get(&self, id: &str) -> Result<Option<UserRecord>, StoreError> {
        let row = self.read(|c| {
            c.prepare_cached("SELECT version, password_hash, record FROM users WHERE id = ?1")?
                .query_row([id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?)))
                .optional()
        })?;
        let Some((version, password_hash, json)) = row else { return Ok(None) };
        let mut record: UserRecord = serde_json::from_str(&json)
            .map_err(|e| StoreError::Backend(format!("stored record `{id}` is not a valid record: {e}")))?;
        record.version =
            u64::try_from(version).map_err(|_| StoreError::Backend(format!("negative version for `{id}`")))?;
        record.password_hash = password_hash;
        Ok(Some(record))
    }

    fn identity_owner(&self, identity_key: &str) -> Result<Option<String>, StoreError> {
        if identity_key.is_empty() {
            return Ok(None);
        }
        self.read(|c| {
            c.prepare_cached("SELECT user_id FROM identity_keys WHERE key = ?1")?
                .query_row([identity_key], |r| r.get(0))
                .optional()
        })
    }

    fn insert(&self, record: &UserRecord, keys: &IdentityKeys) -> Result<(), StoreError> {
        self.write(Write::Insert(row_of(record, keys)?))
    }

    fn commit(&self, expected_version: u64, record: &UserRecord, keys: &IdentityKeys) -> Result<(), StoreError> {
        self.write(Write::Update { expected: to_i64(expected_version)?, row: row_of(record, keys)? })
    }
}

/// The SQL of one write, run inside its group's transaction `tx` (and savepoint): on `Err`
/// the caller rolls back whatever it wrote.
impl SqliteStore {
    fn insert_row(tx: &Connection, row: &Row) -> Result<(), StoreError> {
        tx.prepare_cached("INSERT INTO users (id, version, password_hash, record) VALUES (?1, ?2, ?3, ?4)")
            .and_then(|mut s| s.execute(params![row.id, row.version, row.password_hash, row.record]))
            .map_err(|e| write_error(e, &row.id, None))?;
        add_keys(tx, &row.id, &row.keys)
    }

    fn update_row(tx: &Connection, expected: i64, row: &Row) -> Result<(), StoreError> {
        let changed = tx
            .prepare_cached(
                "UPDATE users SET version = ?1, password_hash = ?2, record = ?3 WHERE id = ?4 AND version = ?5",
            )
            .and_then(|mut s| s.execute(params![row.version, row.password_hash, row.record, row.id, expected]))
            .map_err(|e| write_error(e, &row.id, None))?;
        if changed == 0 {
            // The record changed or vanished: nothing was written.
            return Err(StoreError::Conflict);
        }
        // The keys held, in the byte order `IdentityKeys` sorts by (SQLite's BINARY collation):
        // the same keys (most commits) need no write.
        let held: Vec<String> = tx
            .prepare_cached("SELECT key FROM identity_keys WHERE user_id = ?1 ORDER BY key")
            .and_then(|mut s| s.query_map([&row.id], |r| r.get(0))?.collect())
            .map_err(backend)?;
        if held != row.keys {
            let mut drop = tx.prepare_cached("DELETE FROM identity_keys WHERE key = ?1").map_err(backend)?;
            for gone in held.iter().filter(|k| !row.keys.contains(k)) {
                drop.execute([gone]).map_err(backend)?;
            }
            add_keys(tx, &row.id, row.keys.iter().filter(|k| held.binary_search(k).is_err()))?;
        }
        Ok(())
    }
}
