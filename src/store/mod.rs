//! Where user records live: the [`UserStore`] trait and the in-memory store.
//!
//! A store is the last step of the flow (bytes → body → plan → record → commit). It offers
//! optimistic concurrency: [`UserStore::commit`] writes a record only if the stored version is
//! still the one the update started from, and keeps identities unique through an index of
//! [`IdentityKeys`] (one [`crate::identity::key`] per login value, any number per record, each
//! held by one user at most). The engine retries a conflicting commit a bounded number of times.

mod memory;

pub use memory::MemoryStore;
#[cfg(feature = "sqlite")]
mod group;
#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "sqlite")]
pub use group::WriteStats;
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteOptions, SqliteStore, SqliteSync};
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;

use crate::record::UserRecord;

/// One step of a database store's schema history (SQLite's and PostgreSQL's alike; each store
/// lists its own `MIGRATIONS`, migration `i + 1` being `MIGRATIONS[i]`).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) enum Migration {
    /// SQL run as is.
    Sql(&'static str),
    /// Schema 2's `identity_key` column recomputed for every row with the current
    /// [`crate::identity::key`]. Only migration 2: the column is gone from version 3 on.
    RekeyIdentities,
    /// The identity key table refilled from every record's [`IdentityKeys`] (its identifier and
    /// its logins) with the current [`crate::identity::key`]: appended whenever that function
    /// changes, so that existing users are compared as new ones are.
    RekeyKeyTable,
}

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The record changed (or vanished) since it was read: retry from a fresh read.
    #[error("the record was changed concurrently")]
    Conflict,
    /// Another record holds this identity (normalised key).
    #[error("identity `{0}` is held by another user")]
    IdentityTaken(String),
    /// A record with this id already exists (on insert).
    #[error("a user with id `{0}` already exists")]
    DuplicateId(String),
    /// Opening a store migrated its identity keys to the current [`crate::identity::key`] and
    /// found two users it now calls the same identity (look-alikes stored before identities were
    /// compared as they are now). The migration was rolled back and the store does not open:
    /// change one of the two identifiers (with the previous version) and open it again.
    #[error(
        "users `{first_id}` ({first_identifier:?}) and `{second_id}` ({second_identifier:?}) are now the same \
         identity `{key}`: change one of the two identifiers, then open the store again"
    )]
    IdentityCollision {
        /// The key both identifiers now have.
        key: String,
        /// The first user, in id order.
        first_id: String,
        /// Its identifier.
        first_identifier: String,
        /// The second user.
        second_id: String,
        /// Its identifier.
        second_identifier: String,
    },
    /// The backend failed (I/O, connection, corrupt data...).
    #[error("store backend error: {0}")]
    Backend(String),
}

/// A store of user records with optimistic concurrency and a unique identity index.
///
/// Every write takes the record and its [`IdentityKeys`], computed once by the caller (the
/// engine) with [`IdentityKeys::of`]: the store indexes exactly those keys for the record,
/// replacing the ones it held, and refuses a key another record holds. One namespace: a key is
/// a key whichever login attribute holds it.
///
/// Implementations must be safe to share between threads; every method is one atomic step.
pub trait UserStore: Send + Sync {
    /// The record with this id, if any.
    fn get(&self, id: &str) -> Result<Option<UserRecord>, StoreError>;

    /// The id of the user holding an identity with this normalised key
    /// ([`crate::identity::key`]), whichever of the user's logins it is.
    fn identity_owner(&self, identity_key: &str) -> Result<Option<String>, StoreError>;

    /// Adds a new record holding `keys`. Fails with [`StoreError::DuplicateId`], or with
    /// [`StoreError::IdentityTaken`] naming a key another record holds; on error nothing is
    /// written.
    fn insert(&self, record: &UserRecord, keys: &IdentityKeys) -> Result<(), StoreError>;

    /// Replaces the record with `record.id` if its stored version is still `expected_version`
    /// (else [`StoreError::Conflict`]), and makes `keys` the keys it holds if no other record
    /// holds one of them (else [`StoreError::IdentityTaken`] naming it). On error nothing is
    /// written.
    fn commit(&self, expected_version: u64, record: &UserRecord, keys: &IdentityKeys) -> Result<(), StoreError>;

    /// [`UserStore::insert`] with the record's own keys ([`IdentityKeys::of`]): how a tool or a
    /// test adds a user it built.
    fn insert_record(&self, record: &UserRecord) -> Result<(), StoreError> {
        self.insert(record, &IdentityKeys::of(record))
    }

    /// [`UserStore::commit`] with the record's own keys ([`IdentityKeys::of`]).
    fn commit_record(&self, expected_version: u64, record: &UserRecord) -> Result<(), StoreError> {
        self.commit(expected_version, record, &IdentityKeys::of(record))
    }
}

/// The identity keys of a record: [`crate::identity::key`] of its `identifier` and of each of its
/// `logins`, without the empty key (no identity), sorted, each once.
///
/// Made only from a record ([`IdentityKeys::of`]), so that the keys a store indexes are always
/// some record's; the engine computes them once per commit and hands them to the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentityKeys(Vec<String>);

impl IdentityKeys {
    /// The keys of `record`'s identities.
    pub fn of(record: &UserRecord) -> Self {
        // The identifier is one of the logins (the first), unless the record was written
        // before records had `logins`: then it is the one identity.
        let identifier = Some(record.identifier.as_str()).filter(|i| !record.logins.values().any(|v| v == i));
        Self::of_values(identifier.into_iter().chain(record.logins.values().map(String::as_str)))
    }

    /// The keys of these identity values (what a migration reads out of stored rows).
    pub(crate) fn of_values<'v>(values: impl IntoIterator<Item = &'v str>) -> Self {
        let mut keys: Vec<String> = values.into_iter().map(crate::identity::key).filter(|k| !k.is_empty()).collect();
        keys.sort_unstable();
        keys.dedup();
        IdentityKeys(keys)
    }

    /// The keys, sorted.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }

    /// True when the record holds no identity.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when `key` is one of them.
    pub fn contains(&self, key: &str) -> bool {
        self.0.binary_search_by(|k| k.as_str().cmp(key)).is_ok()
    }
}

impl StoreError {
    /// [`StoreError::IdentityCollision`] of two `(id, identifier)` users, in id order.
    #[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
    pub(crate) fn collision(key: String, a: (String, String), b: (String, String)) -> Self {
        let ((first_id, first_identifier), (second_id, second_identifier)) = if a.0 <= b.0 { (a, b) } else { (b, a) };
        StoreError::IdentityCollision { key, first_id, first_identifier, second_id, second_identifier }
    }
}

/// The value of the `identity_key` column of schema version 2 for `identifier`:
/// [`crate::identity::key`], or `NULL` (`None`) when there is no identity. Only migration 2 (the
/// rekey of that column) uses it; the column is gone from version 3 on.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
pub(crate) fn key_column(identifier: &str) -> Option<String> {
    let key = crate::identity::key(identifier);
    (!key.is_empty()).then_some(key)
}

impl<S: UserStore + ?Sized> UserStore for std::sync::Arc<S> {
    fn get(&self, id: &str) -> Result<Option<UserRecord>, StoreError> {
        (**self).get(id)
    }
    fn identity_owner(&self, identity_key: &str) -> Result<Option<String>, StoreError> {
        (**self).identity_owner(identity_key)
    }
    fn insert(&self, record: &UserRecord, keys: &IdentityKeys) -> Result<(), StoreError> {
        (**self).insert(record, keys)
    }
    fn commit(&self, expected_version: u64, record: &UserRecord, keys: &IdentityKeys) -> Result<(), StoreError> {
        (**self).commit(expected_version, record, keys)
    }
}
