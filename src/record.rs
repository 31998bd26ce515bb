//! The stored user record (SPEC §5) and its public view.

use std::sync::Arc;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One stored attribute value: `{marker, type, value}` with the value in canonical shape.
///
/// The value is shared (`Arc`): copies of a record (a store handing one out, an update
/// building the next version) share the values they did not change instead of copying them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEntry {
    /// The attribute's marker.
    pub marker: String,
    /// The attribute's type name.
    #[serde(rename = "type")]
    pub kind: String,
    /// The canonical value.
    pub value: Arc<Value>,
}

/// Where the service sends notifications to this user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NotificationData {
    /// Email address, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Push-notification phone numbers.
    #[serde(default)]
    pub phone_push: Vec<String>,
    /// SMS phone number, if any.
    #[serde(default, rename = "phoneSMS", skip_serializing_if = "Option::is_none")]
    pub phone_sms: Option<String>,
}

/// A user as stored. `password_hash` is never part of any output: use [`UserRecord::public`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRecord {
    /// The record's id (Backendless' objectId).
    pub id: String,
    /// The identity (the value of the form's `isLogin` attribute).
    #[serde(default)]
    pub identifier: String,
    /// The form the user registered with.
    pub form_identifier: String,
    /// Attribute values per language code, each list ordered by the form's `position`.
    #[serde(default)]
    pub form_data: IndexMap<String, Vec<StoredEntry>>,
    /// Notification addresses.
    #[serde(default)]
    pub notification_data: NotificationData,
    /// Free-form state, always an object.
    #[serde(default = "empty_object")]
    pub state: Value,
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

fn empty_object() -> Value {
    Value::Object(Map::new())
}

impl UserRecord {
    /// An empty record of `form_identifier`, created now.
    pub fn new(id: impl Into<String>, identifier: impl Into<String>, form_identifier: impl Into<String>) -> Self {
        let now = now_rfc3339();
        UserRecord {
            id: id.into(),
            identifier: identifier.into(),
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

    /// The record as clients may see it (no password hash), as JSON.
    pub fn public(&self) -> Value {
        // `password_hash` is `skip_serializing`, so plain serialization is already the public view.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The stored value of `marker` in `lang`, if any.
    pub fn value(&self, lang: &str, marker: &str) -> Option<&Value> {
        self.form_data.get(lang)?.iter().find(|e| e.marker == marker).map(|e| e.value.as_ref())
    }
}

/// The current time as RFC 3339 with milliseconds, UTC (`2024-05-07T21:02:00.000Z`).
pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
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
    }

    #[test]
    fn reads_spec_record() {
        let r: UserRecord = serde_json::from_value(serde_json::json!({
            "id": "u1", "identifier": "alice@example.com", "formIdentifier": "reg",
            "formData": {"en_US": [{"marker": "last_name", "type": "string", "value": "Doe"}]},
            "notificationData": {"email": "alice@example.com", "phonePush": [], "phoneSMS": "+15551234567"},
            "state": {}, "version": 1, "createdAt": "x", "updatedAt": "y"}))
        .unwrap();
        assert_eq!(r.value("en_US", "last_name"), Some(&Value::from("Doe")));
        assert_eq!(r.notification_data.phone_sms.as_deref(), Some("+15551234567"));
    }
}
