//! An in-memory [`UserStore`]: a mutex around two ordered maps (records and the identity index).

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::{StoreError, UserStore};
use crate::identity;
use crate::record::UserRecord;

/// Records in memory, for tests, tools and single-process services that persist elsewhere.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    users: BTreeMap<String, UserRecord>,
    /// identity key → user id
    identities: BTreeMap<String, String>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every record, ordered by id.
    pub fn all(&self) -> Vec<UserRecord> {
        self.lock().map(|g| g.users.values().cloned().collect()).unwrap_or_default()
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Inner>, StoreError> {
        self.inner.lock().map_err(|_| StoreError::Backend("memory store lock poisoned".into()))
    }
}

impl UserStore for MemoryStore {
    fn get(&self, id: &str) -> Result<Option<UserRecord>, StoreError> {
        Ok(self.lock()?.users.get(id).cloned())
    }

    fn identity_owner(&self, identity_key: &str) -> Result<Option<String>, StoreError> {
        Ok(self.lock()?.identities.get(identity_key).cloned())
    }

    fn insert(&self, record: &UserRecord) -> Result<(), StoreError> {
        let mut g = self.lock()?;
        if g.users.contains_key(&record.id) {
            return Err(StoreError::DuplicateId(record.id.clone()));
        }
        let key = identity::key(&record.identifier);
        if !key.is_empty() {
            if g.identities.contains_key(&key) {
                return Err(StoreError::IdentityTaken(key));
            }
            g.identities.insert(key, record.id.clone());
        }
        g.users.insert(record.id.clone(), record.clone());
        Ok(())
    }

    fn commit(&self, expected_version: u64, record: &UserRecord) -> Result<(), StoreError> {
        let mut g = self.lock()?;
        let old_key = match g.users.get(&record.id) {
            Some(old) if old.version == expected_version => identity::key(&old.identifier),
            _ => return Err(StoreError::Conflict),
        };
        let new_key = identity::key(&record.identifier);
        if new_key != old_key && !new_key.is_empty() {
            if let Some(owner) = g.identities.get(&new_key) {
                if owner != &record.id {
                    return Err(StoreError::IdentityTaken(new_key));
                }
            }
            g.identities.remove(&old_key);
            g.identities.insert(new_key, record.id.clone());
        }
        g.users.insert(record.id.clone(), record.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_and_identity_are_checked() {
        let s = MemoryStore::new();
        s.insert(&UserRecord::new("u1", "a@x.io", "reg")).unwrap();
        s.insert(&UserRecord::new("u2", "b@x.io", "reg")).unwrap();
        assert_eq!(s.insert(&UserRecord::new("u3", " A@X.io", "reg")), Err(StoreError::IdentityTaken("a@x.io".into())));
        let mut r = s.get("u1").unwrap().unwrap();
        r.version = 1;
        r.identifier = "B@x.io".into();
        assert!(matches!(s.commit(0, &r), Err(StoreError::IdentityTaken(_))));
        r.identifier = "c@x.io".into();
        assert_eq!(s.commit(5, &r), Err(StoreError::Conflict));
        s.commit(0, &r).unwrap();
        assert_eq!(s.identity_owner("c@x.io").unwrap().as_deref(), Some("u1"));
        assert_eq!(s.identity_owner("a@x.io").unwrap(), None);
        assert_eq!(s.commit(0, &r), Err(StoreError::Conflict));
    }
}
