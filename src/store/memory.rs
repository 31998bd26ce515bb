//! An in-memory [`UserStore`]: a mutex around ordered maps (records, the identity index and the
//! keys each record holds).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use indexmap::IndexMap;

use super::{IdentityKeys, StoreError, UserStore};
use crate::record::{NotificationData, StoredEntry, UserRecord};

/// Records in memory, for tests, tools and single-process services that persist elsewhere.
#[derive(Debug, Default)]
pub struct MemoryStore {
    /// Records and identity index, changed together.
    inner: Mutex<Inner>,
}

/// What the mutex guards.
#[derive(Debug, Default)]
struct Inner {
    /// user id → record
    users: BTreeMap<String, UserRecord>,
    /// identity key → user id
    identities: BTreeMap<String, String>,
    /// user id → the keys it holds (absent: none)
    held: BTreeMap<String, IdentityKeys>,
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

    /// The maps, or a backend error once a panic poisoned the lock.
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

    fn insert(&self, record: &UserRecord, keys: &IdentityKeys) -> Result<(), StoreError> {
        let mut g = self.lock()?;
        let Inner { users, identities, held } = &mut *g;
        if users.contains_key(&record.id) {
            return Err(StoreError::DuplicateId(record.id.clone()));
        }
        if let Some(taken) = keys.as_slice().iter().find(|k| identities.contains_key(k.as_str())) {
            return Err(StoreError::IdentityTaken(taken.clone()));
        }
        for key in keys.as_slice() {
            identities.insert(key.clone(), record.id.clone());
        }
        if !keys.is_empty() {
            held.insert(record.id.clone(), keys.clone());
        }
        users.insert(record.id.clone(), record.clone());
        Ok(())
    }

    fn commit(&self, expected_version: u64, record: &UserRecord, keys: &IdentityKeys) -> Result<(), StoreError> {
        let mut guard = self.lock()?;
        let Inner { users, identities, held } = &mut *guard;
        let stored = match users.get_mut(record.id.as_str()) {
            Some(stored) if stored.version == expected_version => stored,
            _ => return Err(StoreError::Conflict),
        };
        // The same keys (most commits: a profile save): the index needs no change.
        let empty = IdentityKeys::default();
        let old = held.get(record.id.as_str()).unwrap_or(&empty);
        if old != keys {
            let taken =
                keys.as_slice().iter().find(|k| identities.get(k.as_str()).is_some_and(|owner| owner != &record.id));
            if let Some(taken) = taken {
                return Err(StoreError::IdentityTaken(taken.clone()));
            }
            for gone in old.as_slice().iter().filter(|k| !keys.contains(k)) {
                identities.remove(gone);
            }
            for key in keys.as_slice() {
                identities.insert(key.clone(), record.id.clone());
            }
            if keys.is_empty() {
                held.remove(record.id.as_str());
            } else {
                held.insert(record.id.clone(), keys.clone());
            }
        }
        // In place, reusing the stored record's allocations (its id is already `record.id`).
        assign_record(stored, record);
        Ok(())
    }
}

/// Makes `dst` equal to `src` (as `*dst = src.clone()` would), reusing `dst`'s strings, maps
/// and vectors where the shapes allow: a commit mostly rewrites a record with one of the
/// same shape, so this copies bytes instead of allocating and freeing.
///
/// Lists every field, so that a field added to [`UserRecord`] cannot be forgotten here.
fn assign_record(dst: &mut UserRecord, src: &UserRecord) {
    let UserRecord {
        id,
        identifier,
        logins,
        form_identifier,
        form_data,
        notification_data,
        state,
        version,
        created_at,
        updated_at,
        password_hash,
    } = src;
    dst.id.clone_from(id);
    dst.identifier.clone_from(identifier);
    dst.logins.clone_from(logins);
    dst.form_identifier.clone_from(form_identifier);
    assign_form_data(&mut dst.form_data, form_data);
    let NotificationData { email, phone_push, phone_sms } = notification_data;
    dst.notification_data.email.clone_from(email);
    dst.notification_data.phone_push.clone_from(phone_push);
    dst.notification_data.phone_sms.clone_from(phone_sms);
    dst.state.clone_from(state); // shared, never copied
    dst.version = *version;
    dst.created_at.clone_from(created_at);
    dst.updated_at.clone_from(updated_at);
    dst.password_hash.clone_from(password_hash);
}

/// [`assign_record`] for the attribute values per language.
fn assign_form_data(dst: &mut IndexMap<String, Vec<StoredEntry>>, src: &IndexMap<String, Vec<StoredEntry>>) {
    if !dst.keys().eq(src.keys()) {
        dst.clone_from(src);
        return;
    }
    // The same languages in the same order: only the lists change.
    for (dst, (_, src)) in dst.values_mut().zip(src) {
        dst.truncate(src.len());
        for (dst, src) in dst.iter_mut().zip(src) {
            let StoredEntry { marker, kind, value } = src;
            // Shared text is only re-pointed when it changed: an unchanged field (most of
            // them, since `src` was read from this store) costs no reference-count update.
            repoint(&mut dst.marker, marker);
            repoint(&mut dst.kind, kind);
            dst.value.clone_from(value); // the same, for values
        }
        let kept = dst.len();
        dst.extend(src.iter().skip(kept).cloned());
    }
}

/// `*dst = src.clone()`, unless `dst` already shares `src`'s text.
fn repoint(dst: &mut Arc<str>, src: &Arc<str>) {
    if !Arc::ptr_eq(dst, src) {
        *dst = Arc::clone(src);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn insert(s: &MemoryStore, r: &UserRecord) -> Result<(), StoreError> {
        s.insert(r, &IdentityKeys::of(r))
    }

    fn commit(s: &MemoryStore, expected_version: u64, r: &UserRecord) -> Result<(), StoreError> {
        s.commit(expected_version, r, &IdentityKeys::of(r))
    }

    #[test]
    fn version_and_identity_are_checked() {
        let s = MemoryStore::new();
        insert(&s, &UserRecord::new("u1", "a@x.io", "reg")).unwrap();
        insert(&s, &UserRecord::new("u2", "b@x.io", "reg")).unwrap();
        assert_eq!(
            insert(&s, &UserRecord::new("u3", " A@X.io", "reg")),
            Err(StoreError::IdentityTaken("a@x.io".into()))
        );
        let mut r = s.get("u1").unwrap().unwrap();
        r.version = 1;
        r.identifier = "B@x.io".into();
        assert!(matches!(commit(&s, 0, &r), Err(StoreError::IdentityTaken(_))));
        r.identifier = "c@x.io".into();
        assert_eq!(commit(&s, 5, &r), Err(StoreError::Conflict));
        commit(&s, 0, &r).unwrap();
        assert_eq!(s.identity_owner("c@x.io").unwrap().as_deref(), Some("u1"));
        assert_eq!(s.identity_owner("a@x.io").unwrap(), None);
        assert_eq!(commit(&s, 0, &r), Err(StoreError::Conflict));
    }

    /// JSON values of many shapes, some sharing keys in another order.
    fn values() -> Vec<Value> {
        use serde_json::json;
        vec![
            json!(null),
            json!(true),
            json!(3),
            json!(-2.5),
            json!(""),
            json!("a somewhat longer string than the others"),
            json!([]),
            json!([1, "two", [3]]),
            json!([1, "deux", [3, 4], {"a": 1}]),
            json!({}),
            json!({"onboarding": {"step": 3, "completed": false}, "theme": "dark", "newsletter": true}),
            json!({"onboarding": {"step": 4, "completed": true}, "theme": "light", "newsletter": true}),
            json!({"theme": "dark", "onboarding": {"completed": false, "step": 3}, "newsletter": true}),
            json!({"onboarding": {"step": 3}, "theme": ["dark"], "newsletter": null, "extra": 1}),
            json!({"onboarding": "no"}),
        ]
    }

    /// Records of many shapes for user `u1` at `version`.
    fn records(version: u64) -> Vec<UserRecord> {
        let entry = |marker: &str, value: Value| StoredEntry {
            marker: marker.into(),
            kind: "string".into(),
            value: value.into(),
        };
        let mut out = Vec::new();
        for (i, state) in values().into_iter().enumerate() {
            let mut r = UserRecord::new("u1", "a@x.io", "reg");
            r.version = version;
            r.state = state.clone().into();
            r.password_hash = (i % 2 == 0).then(|| format!("$argon2id${i}"));
            r.notification_data.email = (i % 3 == 0).then(|| "a@x.io".to_owned());
            r.notification_data.phone_push = (0..i % 4).map(|n| format!("+4470000000{n}")).collect();
            // Runs of three records with the same languages, their lists growing and shrinking.
            let langs: &[&str] = match i / 3 % 4 {
                0 => &["en_US"],
                1 => &["en_US", "fr_FR"],
                2 => &["fr_FR", "en_US"],
                _ => &[],
            };
            for (l, lang) in langs.iter().enumerate() {
                let list = (0..(i + l) % 4).map(|n| entry(&format!("m{n}"), state.clone())).collect();
                r.form_data.insert((*lang).to_owned(), list);
            }
            out.push(r);
        }
        out
    }

    #[test]
    fn commits_store_exactly_the_record() {
        let s = MemoryStore::new();
        insert(&s, &UserRecord::new("u1", "a@x.io", "reg")).unwrap();
        let mut version = 0;
        for round in 0..2 {
            for mut r in records(0) {
                r.version = version + 1;
                if round == 1 {
                    r.form_data.reverse();
                }
                commit(&s, version, &r).unwrap();
                version += 1;
                assert_eq!(s.get("u1").unwrap().as_ref(), Some(&r));
                let stored = s.get("u1").unwrap().unwrap();
                assert!(stored.form_data.keys().eq(r.form_data.keys()), "language order kept");
                assert_eq!(serde_json::to_string(&stored).unwrap(), serde_json::to_string(&r).unwrap());
            }
        }
        assert_eq!(s.identity_owner("a@x.io").unwrap().as_deref(), Some("u1"));
    }

    #[test]
    fn identity_index_follows_identifier_changes_only() {
        let s = MemoryStore::new();
        insert(&s, &UserRecord::new("u1", "a@x.io", "reg")).unwrap();
        insert(&s, &UserRecord::new("u2", "b@x.io", "reg")).unwrap();
        let mut r = s.get("u1").unwrap().unwrap();
        // Unchanged identifier: nothing to check, the index stays.
        r.version = 1;
        commit(&s, 0, &r).unwrap();
        assert_eq!(s.identity_owner("a@x.io").unwrap().as_deref(), Some("u1"));
        // Another spelling of the same identity: the key is the same, still nothing changes.
        r.version = 2;
        r.identifier = " A@X.io".into();
        commit(&s, 1, &r).unwrap();
        assert_eq!(s.identity_owner("a@x.io").unwrap().as_deref(), Some("u1"));
        // A taken identity is refused and nothing is written.
        r.version = 3;
        r.identifier = "b@X.io".into();
        assert_eq!(commit(&s, 2, &r), Err(StoreError::IdentityTaken("b@x.io".into())));
        assert_eq!(s.get("u1").unwrap().unwrap().version, 2);
        assert_eq!(s.identity_owner("b@x.io").unwrap().as_deref(), Some("u2"));
        // A free one moves the index.
        r.identifier = "c@x.io".into();
        commit(&s, 2, &r).unwrap();
        assert_eq!(s.identity_owner("c@x.io").unwrap().as_deref(), Some("u1"));
        assert_eq!(s.identity_owner("a@x.io").unwrap(), None);
        // Unknown ids conflict.
        let mut ghost = r.clone();
        ghost.id = "nobody".into();
        assert_eq!(commit(&s, 3, &ghost), Err(StoreError::Conflict));
    }
}
