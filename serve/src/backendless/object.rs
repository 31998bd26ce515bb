//! A user record as Backendless' user object: flat, one property per attribute of the user's
//! form, in one language (the registry's default), beside Backendless' system fields.
//!
//! - `objectId` and `ownerId` are the record's id, `___class` is `Users`, `created` and
//!   `updated` are the record's times in Unix milliseconds (as Backendless writes them);
//! - each login attribute holds its value (`Form::login_value`);
//! - every other attribute of the form holds its stored value in canonical shape (SPEC §5), or
//!   `null` when it has none (Backendless answers every column of the table);
//! - the password, `button` and `spam` (captcha) attributes are never written: they have no
//!   stored value (a password is only a hash, which never leaves the store);
//! - dynamic properties (entries of markers the form does not define) follow, by marker;
//! - an attribute whose marker is a system field's name is left out (the system field wins).
//!
//! [`properties`] is the user's part alone: what the reader compares the object sent back with.

use serde_json::{Map, Value};
use userform::{AttrType, Form, UserRecord};

/// The class name of the user table.
pub const CLASS: &str = "Users";

/// The properties that are Backendless', not the user's: written by the service, ignored when
/// the SDK sends them back.
pub const SYSTEM_FIELDS: [&str; 6] = ["___class", "objectId", "user-token", "created", "updated", "ownerId"];

/// True for a system field's name.
pub fn is_system(property: &str) -> bool {
    SYSTEM_FIELDS.contains(&property)
}

/// The user's properties of `record` in `lang`, in the form's order then the dynamic ones'.
pub fn properties(record: &UserRecord, form: &Form, lang: &str) -> Map<String, Value> {
    let mut out = Map::new();
    for a in form.attributes() {
        let marker = a.marker();
        if a.is_password() || matches!(a.kind(), AttrType::Button | AttrType::Spam) || is_system(marker) {
            continue;
        }
        let value = if a.is_login() {
            form.login_value(record, marker).map_or(Value::Null, Value::from)
        } else {
            record.value(lang, marker).unwrap_or(Value::Null)
        };
        out.insert(marker.to_owned(), value);
    }
    let dynamic = record.form_data.get(lang).into_iter().flatten();
    let mut dynamic: Vec<_> =
        dynamic.filter(|e| form.attribute(&e.marker).is_none() && !is_system(&e.marker)).collect();
    dynamic.sort_by(|a, b| a.marker.cmp(&b.marker));
    for e in dynamic {
        out.insert(e.marker.to_string(), e.value.to_value());
    }
    out
}

/// The user object of `record`: its properties and the system fields (no `user-token`: only
/// the login's answer carries one).
pub fn write(record: &UserRecord, form: &Form, lang: &str) -> Map<String, Value> {
    let mut out = properties(record, form, lang);
    out.insert("objectId".into(), Value::from(record.id.clone()));
    out.insert("ownerId".into(), Value::from(record.id.clone()));
    out.insert("___class".into(), Value::from(CLASS));
    out.insert("created".into(), millis(&record.created_at));
    out.insert("updated".into(), millis(&record.updated_at));
    out
}

/// An RFC 3339 time in Unix milliseconds, or `null` when there is none.
fn millis(time: &str) -> Value {
    chrono::DateTime::parse_from_rfc3339(time).map_or(Value::Null, |t| Value::from(t.timestamp_millis()))
}

/// The repository's forms and records of `reg` made through the engine, for the tests of this
/// module and of `read`.
#[cfg(test)]
pub(super) mod fixtures {
    use std::sync::Arc;

    use serde_json::Value;
    use userform::{Engine, MemoryStore, Registry, RegistryOptions, Request, UserRecord, UserStore};

    /// The repository's forms.
    pub fn registry() -> Arc<Registry> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/forms");
        Arc::new(Registry::load_dir(dir, RegistryOptions::default()).unwrap())
    }

    /// A record of `reg` (id `42`, identity alice) after `body` was applied to it.
    pub fn record(registry: &Arc<Registry>, body: &Value) -> UserRecord {
        let store = MemoryStore::default();
        let mut r = UserRecord::new("42", "alice@example.com", "reg");
        r.created_at = "2024-05-07T21:02:00.000Z".into();
        store.insert(&r, &userform::IdentityKeys::of(&r)).unwrap();
        let engine = Engine::new(registry.clone(), store);
        engine.update(&Request::new("42", body.to_string().as_bytes())).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{record, registry};
    use super::*;
    use serde_json::json;

    #[test]
    fn a_record_is_a_flat_object_with_the_system_fields() {
        let reg = registry();
        let r = record(
            &reg,
            &json!({"formIdentifier": "reg", "formData": {"en_US": [
                {"marker": "last_name", "type": "string", "value": "Lovelace"},
                {"marker": "age", "type": "integer", "value": "36"},
                {"marker": "selector", "type": "radioButton", "value": "2"},
            ]}, "authData": [{"marker": "password", "value": "a new password"}]}),
        );
        let o = write(&r, reg.form("reg").unwrap(), "en_US");
        assert_eq!(o["objectId"], "42");
        assert_eq!(o["ownerId"], "42");
        assert_eq!(o["___class"], "Users");
        assert_eq!(o["created"], 1_715_115_720_000_i64);
        assert!(o["updated"].as_i64().is_some_and(|u| u > 1_715_115_720_000));
        assert_eq!(o["email"], "alice@example.com");
        assert_eq!(o["last_name"], "Lovelace");
        assert_eq!(o["age"], 36, "canonical: a number");
        assert_eq!(o["selector"]["value"], "2", "canonical: the option object");
        assert!(o["first_name"].is_null() && o.contains_key("first_name"), "unset attributes are null");
        for absent in ["password", "submit", "user-token"] {
            assert!(!o.contains_key(absent), "{absent}");
        }
        assert!(!serde_json::to_string(&o).unwrap().contains("argon2"), "never the hash");
        // The form's order, then the system fields.
        let keys: Vec<&str> = o.keys().map(String::as_str).collect();
        assert_eq!(&keys[..3], ["email", "first_name", "last_name"]);
        assert_eq!(keys.last(), Some(&"updated"));
    }

    #[test]
    fn other_languages_stay_out_and_dynamic_entries_come_last() {
        let reg = registry();
        let mut r = record(
            &reg,
            &json!({"formIdentifier": "reg", "formData": {"fr_FR": [
                {"marker": "last_name", "type": "string", "value": "Dupont"},
            ]}}),
        );
        let form = reg.form("reg").unwrap();
        assert!(properties(&r, form, "en_US")["last_name"].is_null());
        let entry = |marker: &str, value: Value| userform::StoredEntry {
            marker: marker.into(),
            kind: "string".into(),
            value: userform::StoredValue::from_value(&value),
        };
        r.form_data.insert(
            "en_US".into(),
            vec![entry("zeta", json!("z")), entry("alpha", json!("a")), entry("objectId", json!("x"))],
        );
        let p = properties(&r, form, "en_US");
        let keys: Vec<&str> = p.keys().map(String::as_str).collect();
        assert_eq!(&keys[keys.len() - 2..], ["alpha", "zeta"]);
        assert!(!p.contains_key("objectId"), "a system field's name is never a property");
        assert_eq!(write(&r, form, "en_US")["objectId"], "42");
        assert!(millis("not a time").is_null());
    }
}
