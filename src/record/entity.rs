//! OneEntry's `IUserEntity`, what `Users.getUser(langCode)` answers: a record seen in one
//! language ([`UserRecord::to_entity`]), and a record read back from that shape
//! ([`UserEntity::into_record`], or [`UserRecord::from_json`] for either shape).
//!
//! The shape is the `oneentry` SDK's (`users/usersInterfaces.d.ts`): `{id: number, identifier,
//! authProviderIdentifier, formIdentifier, formData: [entries of one language], state, groups,
//! total}`. It carries less than a stored record: no version, no timestamps, no password hash,
//! one language's entries. Read back, the record is filled as the README's "Design choices"
//! say: version 1, created and updated when read, the entries under the language given, no
//! other language.

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{empty_object, NotificationData, StoredEntry, StoredValue, UserRecord};
use crate::json::EXACT_FLOAT_INTEGERS;

/// A record's id as `IUserEntity` carries it. OneEntry's ids are numbers; a record whose id is
/// not the decimal text of one that JavaScript holds exactly (`u1`, `007`, 2^53 + 1) keeps it
/// as text, so that reading the entity back gives the same id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum EntityId {
    /// A whole number from 0 to 2^53.
    Number(u64),
    /// Any other id.
    Text(String),
}

impl EntityId {
    /// The id `IUserEntity` gives the record id `id`.
    pub fn of(id: &str) -> Self {
        match id.parse::<u64>() {
            Ok(n) if n.to_string() == id && n <= EXACT_FLOAT_INTEGERS as u64 => EntityId::Number(n),
            _ => EntityId::Text(id.to_owned()),
        }
    }

    /// The record id this stands for: a number's decimal text.
    pub fn to_record_id(&self) -> String {
        match self {
            EntityId::Number(n) => n.to_string(),
            EntityId::Text(s) => s.clone(),
        }
    }
}

/// A number that is a whole number from 0 up, or a string; nothing else is an id.
impl<'de> Deserialize<'de> for EntityId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(EntityId::Text(s)),
            Value::Number(n) => n.as_u64().map(EntityId::Number).ok_or_else(|| not_an_id(&Value::Number(n))),
            other => Err(not_an_id(&other)),
        }
    }
}

fn not_an_id<E: de::Error>(v: &Value) -> E {
    E::custom(format!("id must be a whole number from 0 up or a string, not {v}"))
}

/// OneEntry's `IUserEntity`: one user in one language, as `Users.getUser` answers.
///
/// `notificationData` is not in the SDK's type; the service answers it too (the SDK passes it
/// through), and reading it back keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserEntity {
    /// The record's id.
    pub id: EntityId,
    /// The identity.
    #[serde(default)]
    pub identifier: String,
    /// The auth provider the user signed up with: the form's identifier (a form with a login
    /// and a password is served as the provider of that marker).
    #[serde(default)]
    pub auth_provider_identifier: String,
    /// The form.
    pub form_identifier: String,
    /// The entries of one language, ordered by the form's `position`.
    #[serde(default)]
    pub form_data: Vec<StoredEntry>,
    /// Notification addresses.
    #[serde(default)]
    pub notification_data: NotificationData,
    /// The free-form state, an object (`null` reads as `{}`).
    #[serde(default = "empty_object", deserialize_with = "state_object")]
    pub state: StoredValue,
    /// The user's groups: none are kept, so none are written.
    #[serde(default)]
    pub groups: Vec<Value>,
    /// OneEntry's `total` (a string): `"1"`, the one record answered.
    #[serde(default = "one", deserialize_with = "text_or_number")]
    pub total: String,
}

fn one() -> String {
    "1".to_owned()
}

/// `state`: an object, or `null` for an empty one.
fn state_object<'de, D: Deserializer<'de>>(d: D) -> Result<StoredValue, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(empty_object()),
        v @ Value::Object(_) => Ok(StoredValue::from_value(&v)),
        other => Err(de::Error::custom(format!("state must be an object, not {other}"))),
    }
}

/// `total`: a string, or a number read as its text.
fn text_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(de::Error::custom(format!("total must be a string, not {other}"))),
    }
}

impl UserRecord {
    /// The record as OneEntry's `getUser(lang)` answers it ([`UserEntity`]): `lang`'s entries
    /// (none when the record has no value in `lang`), the id as a number when it is one, the
    /// form as the auth provider, no groups. The password hash is never part of it.
    pub fn to_entity(&self, lang: &str) -> UserEntity {
        UserEntity {
            id: EntityId::of(&self.id),
            identifier: self.identifier.clone(),
            auth_provider_identifier: self.form_identifier.clone(),
            form_identifier: self.form_identifier.clone(),
            form_data: self.form_data.get(lang).cloned().unwrap_or_default(),
            notification_data: self.notification_data.clone(),
            state: self.state.clone(),
            groups: Vec::new(),
            total: one(),
        }
    }

    /// A stored user from JSON in either shape: the stored record (SPEC §5), or OneEntry's
    /// `IUserEntity`, whose `formData` is taken as `entity_lang`'s entries. The entity is
    /// recognised by what only it has: `formData` as an array, a numeric `id`, or one of
    /// `authProviderIdentifier`, `groups`, `total`.
    pub fn from_json(value: Value, entity_lang: &str) -> Result<UserRecord, UserShapeError> {
        let Value::Object(fields) = &value else { return Err(UserShapeError::NotAnObject) };
        if is_entity(fields) {
            let entity: UserEntity = serde_json::from_value(value).map_err(UserShapeError::Entity)?;
            Ok(entity.into_record(entity_lang))
        } else {
            serde_json::from_value(value).map_err(UserShapeError::Record)
        }
    }
}

/// True for the fields of an `IUserEntity` rather than of a stored record.
fn is_entity(fields: &Map<String, Value>) -> bool {
    matches!(fields.get("formData"), Some(Value::Array(_)))
        || matches!(fields.get("id"), Some(Value::Number(_)))
        || ["authProviderIdentifier", "groups", "total"].iter().any(|k| fields.contains_key(*k))
}

impl UserEntity {
    /// The stored record this entity stands for, its entries under `lang`: version 1 (as a
    /// user who just signed up), created and updated now, no other language, no password.
    /// `groups`, `total` and `authProviderIdentifier` are not part of a record.
    pub fn into_record(self, lang: &str) -> UserRecord {
        let mut record = UserRecord::signed_up(self.id.to_record_id(), self.identifier, self.form_identifier);
        if !self.form_data.is_empty() {
            record.form_data.insert(lang.to_owned(), self.form_data);
        }
        record.notification_data = self.notification_data;
        record.state = self.state;
        record
    }
}

/// Why JSON is not a stored user in either shape.
#[derive(Debug, thiserror::Error)]
pub enum UserShapeError {
    /// The JSON is not an object.
    #[error("a user must be a JSON object (a stored record or an IUserEntity)")]
    NotAnObject,
    /// Read as a stored record (SPEC §5), it is not one.
    #[error("not a stored user record: {0}")]
    Record(#[source] serde_json::Error),
    /// Read as an `IUserEntity` (a numeric id, `formData` as an array, `groups`…), it is not one.
    #[error("not an IUserEntity: {0}")]
    Entity(#[source] serde_json::Error),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record() -> UserRecord {
        let mut r: UserRecord = serde_json::from_value(json!({
            "id": "1764", "identifier": "alice@example.com", "formIdentifier": "reg",
            "formData": {
                "en_US": [{"marker": "last_name", "type": "string", "value": "Doe"}],
                "fr_FR": [{"marker": "last_name", "type": "string", "value": "Dupont"}]
            },
            "notificationData": {"email": "alice@example.com", "phonePush": ["tok"]},
            "state": {"orderCount": 1}, "version": 7, "createdAt": "x", "updatedAt": "y"}))
        .unwrap();
        r.password_hash = Some("$argon2id$secret".into());
        r
    }

    #[test]
    fn written_for_one_language() {
        let e = serde_json::to_value(record().to_entity("fr_FR")).unwrap();
        assert_eq!(
            e,
            json!({"id": 1764, "identifier": "alice@example.com", "authProviderIdentifier": "reg",
                "formIdentifier": "reg",
                "formData": [{"marker": "last_name", "type": "string", "value": "Dupont"}],
                "notificationData": {"email": "alice@example.com", "phonePush": ["tok"]},
                "state": {"orderCount": 1}, "groups": [], "total": "1"})
        );
        let none = record().to_entity("de_DE");
        assert!(none.form_data.is_empty(), "a language without values has no entries");
        assert!(!serde_json::to_string(&none).unwrap().contains("argon2"));
    }

    #[test]
    fn ids_are_numbers_only_when_javascript_reads_them_back() {
        assert_eq!(EntityId::of("1764"), EntityId::Number(1764));
        assert_eq!(EntityId::of("9007199254740992"), EntityId::Number(1 << 53));
        for text in ["u1", "007", "9007199254740993", "-1", "1.0", "", "18446744073709551616"] {
            assert_eq!(EntityId::of(text), EntityId::Text(text.to_owned()), "{text}");
            assert_eq!(EntityId::of(text).to_record_id(), text);
        }
    }

    /// What `to_entity` writes reads back as the same record in that language, less what the
    /// shape does not carry (version, timestamps, other languages, the password hash).
    #[test]
    fn round_trip() {
        let r = record();
        let text = serde_json::to_value(r.to_entity("en_US")).unwrap();
        let back = UserRecord::from_json(text, "en_US").unwrap();
        assert_eq!(
            (back.id.as_str(), back.identifier.as_str(), back.form_identifier.as_str()),
            ("1764", "alice@example.com", "reg")
        );
        assert_eq!(back.form_data.keys().collect::<Vec<_>>(), ["en_US"]);
        assert_eq!(back.form_data["en_US"], r.form_data["en_US"]);
        assert_eq!((back.notification_data, back.state), (r.notification_data, r.state));
        assert_eq!((back.version, back.password_hash), (1, None));
        assert!(!back.created_at.is_empty() && back.created_at == back.updated_at);
    }

    #[test]
    fn reads_oneentry_answers() {
        // The npm README's getUser answer: no formData, no total.
        let r = UserRecord::from_json(
            json!({"id": 1764, "identifier": "admin1", "formIdentifier": "regForm",
                "authProviderIdentifier": "email", "groups": ["group_1"], "state": {"orderCount": 1}}),
            "en_US",
        )
        .unwrap();
        assert_eq!((r.id.as_str(), r.identifier.as_str(), r.form_identifier.as_str()), ("1764", "admin1", "regForm"));
        assert!(r.form_data.is_empty());
        assert_eq!(r.state.json(), r#"{"orderCount":1}"#);
        // A string id and `formData` as an array, `total` as a number, `state` null.
        let r = UserRecord::from_json(
            json!({"id": "u7", "formIdentifier": "reg", "total": 1, "state": null,
                "formData": [{"marker": "age", "type": "integer", "value": 30}]}),
            "ru_RU",
        )
        .unwrap();
        assert_eq!(r.id, "u7");
        assert_eq!(r.value("ru_RU", "age"), Some(json!(30)));
        assert_eq!(r.state.json(), "{}");
    }

    #[test]
    fn the_stored_shape_reads_as_before() {
        let stored = serde_json::to_value(record()).unwrap();
        let r = UserRecord::from_json(stored, "en_US").unwrap();
        assert_eq!((r.version, r.created_at.as_str()), (7, "x"));
        assert_eq!(r.form_data.len(), 2);
    }

    #[test]
    fn bad_users_say_which_shape_they_failed() {
        let err = |v: Value| UserRecord::from_json(v, "en_US").unwrap_err().to_string();
        assert_eq!(err(json!([1])), "a user must be a JSON object (a stored record or an IUserEntity)");
        assert!(err(json!({"id": -3, "formIdentifier": "reg"})).starts_with("not an IUserEntity: id must be"));
        assert!(err(json!({"id": 1.5, "formIdentifier": "reg"})).starts_with("not an IUserEntity: id must be"));
        assert!(err(json!({"id": 1, "formIdentifier": "reg", "state": [1]})).contains("state must be an object"));
        assert!(err(json!({"id": 1, "formData": []})).contains("missing field `formIdentifier`"));
        assert!(err(json!({"id": 1, "formIdentifier": "reg", "formData": [{"marker": "a"}]}))
            .contains("missing field `type`"));
        assert!(err(json!({"id": "u1"})).starts_with("not a stored user record: missing field `formIdentifier`"));
    }
}
