//! Where user records live: the [`UserStore`] trait and the in-memory store.
//!
//! A store is the last step of the flow (bytes → body → plan → record → commit). It offers
//! optimistic concurrency: [`UserStore::commit`] writes a record only if the stored version is
//! still the one the update started from, and keeps identities unique through an index on
//! [`crate::identity::key`]. The engine retries a conflicting commit a bounded number of times.

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
/// Implementations must be safe to share between threads; every method is one atomic step.
pub trait UserStore: Send + Sync {
    /// The record with this id, if any.
    fn get(&self, id: &str) -> Result<Option<UserRecord>, StoreError>;

    /// The id of the user whose identity has this normalised key ([`crate::identity::key`]).
    fn identity_owner(&self, identity_key: &str) -> Result<Option<String>, StoreError>;

    /// Adds a new record. Fails with [`StoreError::DuplicateId`] or [`StoreError::IdentityTaken`].
    fn insert(&self, record: &UserRecord) -> Result<(), StoreError>;

    /// Replaces the record with `record.id` if its stored version is still `expected_version`
    /// (else [`StoreError::Conflict`]) and no other record holds its identity (else
    /// [`StoreError::IdentityTaken`]). On error nothing is written.
    fn commit(&self, expected_version: u64, record: &UserRecord) -> Result<(), StoreError>;
}

impl StoreError {
    /// [`StoreError::IdentityCollision`] of two `(id, identifier)` users, in id order.
    #[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
    pub(crate) fn collision(key: String, a: (String, String), b: (String, String)) -> Self {
        let ((first_id, first_identifier), (second_id, second_identifier)) = if a.0 <= b.0 { (a, b) } else { (b, a) };
        StoreError::IdentityCollision { key, first_id, first_identifier, second_id, second_identifier }
    }
}

/// The value of a store's `identity_key` column for `identifier`: [`crate::identity::key`], or
/// `NULL` (`None`) when there is no identity, so that any number of users may have none.
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
    fn insert(&self, record: &UserRecord) -> Result<(), StoreError> {
        (**self).insert(record)
    }
    fn commit(&self, expected_version: u64, record: &UserRecord) -> Result<(), StoreError> {
        (**self).commit(expected_version, record)
    }
}
