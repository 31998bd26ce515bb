//! The user object the Backendless SDK sends back (`PUT …/users/{objectId}`, the whole object
//! it holds) as the engine's `IUserBody`, and the engine's refusal back in the object's terms.
//!
//! Each property of the object, in the order sent:
//!
//! - a system field ([`object::SYSTEM_FIELDS`]) is ignored;
//! - the password attribute is a password change (`authData`), unless `null` or `""`, which
//!   leave it as it is (as the engine reads an empty password);
//! - any other property equal to what the service wrote for it (`null` for one it did not
//!   write) is no change and is left out: the SDK echoes every property it read, and an
//!   unchanged identity, read-only value or required attribute never set is then no error;
//! - a login attribute (any of them) is an identity change (`authData`);
//! - every other attribute is a `formData` entry of the registry's default language, typed by
//!   the form's attribute;
//! - a property the form does not define is a dynamic entry (3031 unless `dynamicProperties`
//!   is on), typed as stored when the record has it, else by its JSON value: a string is a
//!   `string`, a whole number an `integer`, another number a `real`, anything else `json`.
//!
//! Violations point into the object as sent: `/formData/en_US/3/value/fullDate` becomes
//! `/birthday/fullDate`, `/authData/0/value` becomes `/password`, and a body-level problem the
//! object has no place for (the whole body, `formIdentifier`) the root, `""`.

use serde_json::{json, Map, Value};
use userform::{Form, Pointer, Rejection, UserRecord};

use super::object;

/// Why an object cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The body is JSON, but not an object.
    #[error("the user object must be a JSON object, not {0}")]
    NotAnObject(&'static str),
}

/// A body-level update error: 400, 3024 `malformed-request`.
impl From<ReadError> for crate::error::ApiError {
    fn from(e: ReadError) -> Self {
        crate::error::ApiError::Malformed(e.to_string())
    }
}

/// An `IUserBody` made from an object, and where each of its entries came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Translated {
    /// The body, as JSON text.
    pub body: Vec<u8>,
    /// The language of its `formData`.
    lang: String,
    /// The property behind each `formData` entry, by index.
    entries: Vec<String>,
    /// The property behind each `authData` entry, by index.
    credentials: Vec<String>,
}

/// The engine's body for `sent`, the object the SDK sent for `record` (of `form`), in `lang`.
pub fn body(sent: &Value, record: &UserRecord, form: &Form, lang: &str) -> Result<Translated, ReadError> {
    let Value::Object(sent) = sent else { return Err(ReadError::NotAnObject(kind(sent))) };
    let current = object::properties(record, form, lang);
    let mut entries = Vec::new();
    let mut credentials = Vec::new();
    let (mut form_data, mut auth_data) = (Vec::new(), Vec::new());
    for (property, value) in sent {
        if object::is_system(property) {
            continue;
        }
        let credential = |auth_data: &mut Vec<Value>, credentials: &mut Vec<String>| {
            auth_data.push(json!({"marker": property, "value": value}));
            credentials.push(property.clone());
        };
        if form.password() == Some(property.as_str()) {
            if !(value.is_null() || value.as_str() == Some("")) {
                credential(&mut auth_data, &mut credentials);
            }
            continue;
        }
        if current.get(property).unwrap_or(&Value::Null) == value {
            continue;
        }
        if form.logins().iter().any(|l| l == property) {
            credential(&mut auth_data, &mut credentials);
            continue;
        }
        let kind = match form.attribute(property) {
            Some(a) => a.kind().name().to_owned(),
            None => stored_kind(record, lang, property).unwrap_or_else(|| inferred_kind(value).to_owned()),
        };
        form_data.push(json!({"marker": property, "type": kind, "value": value}));
        entries.push(property.clone());
    }
    let mut out = Map::new();
    out.insert("formIdentifier".into(), Value::from(record.form_identifier.clone()));
    out.insert("langCode".into(), Value::from(lang));
    if !form_data.is_empty() {
        let mut by_lang = Map::new();
        by_lang.insert(lang.to_owned(), Value::Array(form_data));
        out.insert("formData".into(), Value::Object(by_lang));
    }
    if !auth_data.is_empty() {
        out.insert("authData".into(), Value::Array(auth_data));
    }
    let body = serde_json::to_vec(&Value::Object(out)).unwrap_or_default();
    Ok(Translated { body, lang: lang.to_owned(), entries, credentials })
}

/// The type a record stores a dynamic entry under.
fn stored_kind(record: &UserRecord, lang: &str, marker: &str) -> Option<String> {
    record.form_data.get(lang)?.iter().find(|e| &*e.marker == marker).map(|e| e.kind.to_string())
}

/// The type of a new dynamic property, from its JSON value.
fn inferred_kind(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "string",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "real",
        _ => "json",
    }
}

/// A JSON value's kind, for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Translated {
    /// The engine's refusal with every violation's path pointing into the object as sent.
    pub fn translate(&self, refused: &Rejection) -> Rejection {
        let violations = refused
            .violations()
            .iter()
            .map(|v| {
                let mut v = v.clone();
                v.path = self.path(&v.path);
                v
            })
            .collect();
        Rejection::new(violations)
    }

    /// A pointer into the body as a pointer into the object.
    fn path(&self, at: &Pointer) -> Pointer {
        let mut segments = at.as_str().split('/').skip(1);
        let property = match (segments.next(), segments.next()) {
            (Some("formData"), Some(lang)) if unescape(lang) == self.lang => {
                segments.next().and_then(|i| i.parse::<usize>().ok()).and_then(|i| self.entries.get(i))
            }
            (Some("authData"), Some(i)) => i.parse::<usize>().ok().and_then(|i| self.credentials.get(i)),
            _ => None,
        };
        let Some(property) = property else { return Pointer::root() };
        let mut out = Pointer::root().child(property.as_str());
        // Inside the entry: its `value` is the property's value; `marker` and `type` are the
        // property itself.
        if segments.next() == Some("value") {
            for s in segments {
                out = out.child(unescape(s).as_str());
            }
        }
        out
    }
}

/// An RFC 6901 segment's text.
fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::super::object::fixtures::{record, registry};
    use super::*;
    use userform::{Engine, MemoryStore, Request, UserStore, Violation, ViolationKind};

    fn body_of(t: &Translated) -> Value {
        serde_json::from_slice(&t.body).unwrap()
    }

    #[test]
    fn what_the_sdk_echoes_is_no_change() {
        let reg = registry();
        let form = reg.form("reg").unwrap();
        let r = record(
            &reg,
            &json!({"formIdentifier": "reg", "formData": [
                {"marker": "age", "type": "integer", "value": 36},
                {"marker": "member_since", "type": "date", "value": null},
            ]}),
        );
        let mut sent = object::write(&r, form, "en_US");
        sent.insert("user-token".into(), json!("t"));
        sent.insert("password".into(), json!(""));
        let t = body(&Value::Object(sent.clone()), &r, form, "en_US").unwrap();
        assert_eq!(body_of(&t), json!({"formIdentifier": "reg", "langCode": "en_US"}));
        // System fields are ignored whatever they say.
        for field in object::SYSTEM_FIELDS {
            sent.insert(field.into(), json!("changed"));
        }
        sent.insert("password".into(), Value::Null);
        let t = body(&Value::Object(sent), &r, form, "en_US").unwrap();
        assert_eq!(body_of(&t), json!({"formIdentifier": "reg", "langCode": "en_US"}));
    }

    #[test]
    fn changes_become_entries_and_credentials() {
        let reg = registry();
        let form = reg.form("reg").unwrap();
        let r = record(
            &reg,
            &json!({"formIdentifier": "reg", "formData": [
                {"marker": "age", "type": "integer", "value": 36},
            ]}),
        );
        let sent = json!({
            "objectId": "42", "email": "ada@example.com", "age": 37, "first_name": "Ada",
            "last_name": null, "password": "a new password", "nickname": "ada", "score": 1.5,
        });
        let t = body(&sent, &r, form, "en_US").unwrap();
        assert_eq!(
            body_of(&t),
            json!({
                "formIdentifier": "reg",
                "langCode": "en_US",
                "formData": {"en_US": [
                    {"marker": "age", "type": "integer", "value": 37},
                    {"marker": "first_name", "type": "string", "value": "Ada"},
                    {"marker": "nickname", "type": "string", "value": "ada"},
                    {"marker": "score", "type": "real", "value": 1.5},
                ]},
                "authData": [
                    {"marker": "email", "value": "ada@example.com"},
                    {"marker": "password", "value": "a new password"},
                ],
            })
        );
        assert_eq!(inferred_kind(&json!(3)), "integer");
        assert_eq!(inferred_kind(&json!({"a": 1})), "json");
        assert_eq!(inferred_kind(&json!(true)), "json");
        assert_eq!(body(&json!([1]), &r, form, "en_US").unwrap_err(), ReadError::NotAnObject("an array"));
        let e = crate::error::ApiError::from(ReadError::NotAnObject("null"));
        assert_eq!((e.code(), e.rule()), (3024, "malformed-request"));
    }

    #[test]
    fn a_dynamic_property_keeps_its_stored_type() {
        let reg = registry();
        let form = reg.form("reg").unwrap();
        let mut r = record(&reg, &json!({"formIdentifier": "reg"}));
        r.form_data.insert(
            "en_US".into(),
            vec![userform::StoredEntry {
                marker: "extra".into(),
                kind: "json".into(),
                value: userform::StoredValue::from_value(&json!("x")),
            }],
        );
        let t = body(&json!({"extra": "y"}), &r, form, "en_US").unwrap();
        assert_eq!(body_of(&t)["formData"]["en_US"][0]["type"], "json");
        let t = body(&json!({"extra": null}), &r, form, "en_US").unwrap();
        assert_eq!(body_of(&t)["formData"]["en_US"][0]["value"], Value::Null, "null clears what is stored");
    }

    #[test]
    fn the_engine_refuses_with_paths_into_the_object() {
        let reg = registry();
        let form = reg.form("reg").unwrap();
        let r = record(&reg, &json!({"formIdentifier": "reg"}));
        let store = MemoryStore::default();
        store.insert(&r, &userform::IdentityKeys::of(&r)).unwrap();
        let engine = Engine::new(reg.clone(), store);
        let sent = json!({
            "first_name": "Ada", "last_name": "", "unknown": "x",
            "birthday": {"fullDate": "not a date", "formattedValue": "x", "formatString": "DD-MM-YYYY"},
            "password": "x",
        });
        let t = body(&sent, &r, form, "en_US").unwrap();
        let refused = engine.update(&Request::new("42", &t.body)).unwrap_err();
        let refused = t.translate(&refused);
        let at = |marker: &str| {
            refused.violations().iter().find(|v| v.marker.as_deref() == Some(marker)).map(|v| v.path.to_string())
        };
        assert_eq!(at("last_name").as_deref(), Some("/last_name"));
        assert_eq!(at("unknown").as_deref(), Some("/unknown"), "`/marker` of the entry is the property");
        assert!(at("birthday").is_some_and(|p| p.starts_with("/birthday/")), "{:?}", at("birthday"));
        assert_eq!(at("password").as_deref(), Some("/password"));
        assert_eq!(refused.code().as_u16(), 3031);
        // Nothing else: the root.
        let whole =
            Rejection::new(vec![Violation::new(Pointer::root().child("formIdentifier"), ViolationKind::Required)]);
        assert_eq!(t.translate(&whole).violations()[0].path.as_str(), "");
        let escaped =
            Translated { body: vec![], lang: "en_US".into(), entries: vec!["a/b".into()], credentials: vec![] };
        let inside = Pointer::root().child("formData").child("en_US").child(0_usize).child("value").child("x~y");
        assert_eq!(escaped.path(&inside).as_str(), "/a~1b/x~0y");
        let elsewhere = Pointer::root().child("formData").child("fr_FR").child(0_usize);
        assert_eq!(escaped.path(&elsewhere).as_str(), "");
    }
}
