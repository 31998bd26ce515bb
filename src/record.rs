//! The stored user record (SPEC §5), its values and its public view.
//!
//! `stored_value.rs` keeps a value as its shared canonical text; `timestamp.rs` writes the
//! record's RFC 3339 times; `size.rs` says how big a value's text and a record will be;
//! `entity.rs` is the record in OneEntry's `IUserEntity` shape, written and read back.

mod entity;
mod size;
mod stored_value;
mod timestamp;

use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::redact;
pub use entity::{EntityId, UserEntity, UserShapeError};
pub(crate) use size::{RecordSize, ValueSize};
pub use stored_value::StoredValue;
pub(crate) use timestamp::{now_rfc3339, write_timestamp};

/// One stored attribute value: `{marker, type, value}` with the value in canonical shape.
///
/// All three fields are shared (`Arc`), so copying a record copies no text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEntry {
    /// The attribute's marker.
    pub marker: Arc<str>,
    /// The attribute's type name.
    #[serde(rename = "type")]
    pub kind: Arc<str>,
    /// The canonical value.
    pub value: StoredValue,
}

/// Where the service sends notifications to this user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationData {
    /// Email address, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Push-notification identifiers (device tokens), at most
    /// [`NotificationData::MAX_PUSH_IDS`], each at most [`NotificationData::MAX_PUSH_ID_BYTES`].
    #[serde(default)]
    pub phone_push: Vec<String>,
    /// SMS phone number, if any.
    #[serde(default, rename = "phoneSMS", skip_serializing_if = "Option::is_none")]
    pub phone_sms: Option<String>,
}

impl NotificationData {
    /// The most push-notification identifiers a user keeps (distinct ones).
    pub const MAX_PUSH_IDS: usize = 100;
    /// The longest push-notification identifier, in bytes of UTF-8.
    pub const MAX_PUSH_ID_BYTES: usize = 4096;
}

/// A user as stored. `password_hash` is never part of any output: serde skips it,
/// [`UserRecord::public`] leaves it out, and `Debug` prints it redacted.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRecord {
    /// The record's id (Backendless' objectId).
    pub id: String,
    /// The identity: the value of the first of the form's logins (`isLogin`, by `position`)
    /// that holds one, in display form; empty when none does.
    #[serde(default)]
    pub identifier: String,
    /// The value of every login (`isLogin`) that holds one, by marker, in the form's `position`
    /// order (display forms). Each is an identity no other user holds. A record written before
    /// forms could have several logins has none here: its `identifier` is then its first
    /// login's value.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub logins: IndexMap<String, String>,
    /// The form the user registered with.
    pub form_identifier: String,
    /// Attribute values per language code, each list ordered by the form's `position`.
    #[serde(default)]
    pub form_data: IndexMap<String, Vec<StoredEntry>>,
    /// Notification addresses.
    #[serde(default)]
    pub notification_data: NotificationData,
    /// Free-form state, always an object (kept as JSON text, like the attribute values).
    #[serde(default = "empty_object")]
    pub state: StoredValue,
    /// Bumped by every successful update; stores check it on commit.
    #[serde(default)]
    pub version: u64,
    /// When the record was created (RFC 3339).
    #[serde(default)]
    pub created_at: String,
    /// When the record was last updated (RFC 3339).
    #[serde(default)]
    pub updated_at: String,
    /// Argon2id PHC string of the password. Never output.
    #[serde(default, skip_serializing)]
    pub password_hash: Option<String>,
}

/// Every field but the password hash, which shows only whether there is one: a record logged
/// with `{:?}` must not leak the hash into somebody's logs.
impl fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("identifier", &self.identifier)
            .field("logins", &self.logins)
            .field("form_identifier", &self.form_identifier)
            .field("form_data", &self.form_data)
            .field("notification_data", &self.notification_data)
            .field("state", &self.state)
            .field("version", &self.version)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .field("password_hash", &redact::optional(&self.password_hash))
            .finish()
    }
}

fn empty_object() -> StoredValue {
    StoredValue::from_json_text("{}".to_owned())
}

impl UserRecord {
    /// An empty record of `form_identifier`, created now, at version 0: a draft never written
    /// (a sign-up's, which the engine's first update brings to version 1). A stored user
    /// starts at [`UserRecord::signed_up`].
    pub fn new(id: impl Into<String>, identifier: impl Into<String>, form_identifier: impl Into<String>) -> Self {
        let now = now_rfc3339();
        UserRecord {
            id: id.into(),
            identifier: identifier.into(),
            logins: IndexMap::new(),
            form_identifier: form_identifier.into(),
            form_data: IndexMap::new(),
            notification_data: NotificationData::default(),
            state: empty_object(),
            version: 0,
            created_at: now.clone(),
            updated_at: now,
            password_hash: None,
        }
    }

    /// An empty record of `form_identifier` as a user who just signed up has it: version 1,
    /// created now. ([`UserRecord::new`] is the draft before that first write, version 0.)
    pub fn signed_up(id: impl Into<String>, identifier: impl Into<String>, form_identifier: impl Into<String>) -> Self {
        UserRecord { version: 1, ..UserRecord::new(id, identifier, form_identifier) }
    }

    /// The record as clients may see it (no password hash), as JSON.
    pub fn public(&self) -> Value {
        // `password_hash` is `skip_serializing`, so plain serialization is already the public view.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The stored value of `marker` in `lang`, if any.
    pub fn stored(&self, lang: &str, marker: &str) -> Option<&StoredValue> {
        self.form_data.get(lang)?.iter().find(|e| &*e.marker == marker).map(|e| &e.value)
    }

    /// The stored value of `marker` in `lang` as a `Value`, if any.
    pub fn value(&self, lang: &str, marker: &str) -> Option<Value> {
        self.stored(lang, marker).map(StoredValue::to_value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hash_never_serialized() {
        let mut r = UserRecord::new("u1", "a@b.c", "reg");
        r.password_hash = Some("$argon2id$secret".into());
        let s = serde_json::to_string(&r).unwrap();
        assert!(!s.contains("argon2") && !s.contains("password"));
        assert!(r.public().get("passwordHash").is_none());
        let debug = format!("{r:?} {r:#?}");
        assert!(!debug.contains("argon2") && !debug.contains("secret"), "{debug}");
        assert!(debug.contains("password_hash: Some(<redacted>)"), "{debug}");
        assert!(debug.contains("identifier: \"a@b.c\""), "{debug}");
        r.password_hash = None;
        assert!(format!("{r:?}").contains("password_hash: None"));
    }

    #[test]
    fn reads_spec_record() {
        let r: UserRecord = serde_json::from_value(serde_json::json!({
            "id": "u1", "identifier": "alice@example.com", "formIdentifier": "reg",
            "formData": {"en_US": [{"marker": "last_name", "type": "string", "value": "Doe"}]},
            "notificationData": {"email": "alice@example.com", "phonePush": [], "phoneSMS": "+15551234567"},
            "state": {}, "version": 1, "createdAt": "x", "updatedAt": "y"}))
        .unwrap();
        assert_eq!(r.value("en_US", "last_name"), Some(Value::from("Doe")));
        assert_eq!(r.stored("en_US", "last_name").map(StoredValue::json), Some(r#""Doe""#));
        assert_eq!(r.notification_data.phone_sms.as_deref(), Some("+15551234567"));
    }
}
