//! The stored user record (SPEC §5), its values and its public view.

use std::cell::Cell;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::{json, redact};

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

/// A stored value, kept as its JSON text and shared.
///
/// Checkers write the canonical text of what they accept straight into one buffer (no tree of
/// maps to build, hash and later free), and copies of a record (a store handing one out, an
/// update building the next version) share the values they did not change: cloning is a
/// reference-count increment. [`StoredValue::to_value`] reads the text back as a `Value`.
///
/// The text is always one valid JSON value. Two stored values are equal when they hold the
/// same JSON value: the same text, or texts that parse to equal values (a store such as
/// PostgreSQL's `jsonb` may hand object keys back in its own order).
pub struct StoredValue(Text);

impl Clone for StoredValue {
    fn clone(&self) -> Self {
        StoredValue(self.0.clone())
    }

    /// Leaves `self` alone when it already shares `source`'s text: no reference count touched
    /// (a store writing back a record copies every unchanged value this way).
    fn clone_from(&mut self, source: &Self) {
        if !self.shares_text_with(source) {
            *self = source.clone();
        }
    }
}

/// The text of a stored value. Short texts are copied once into a shared `str`; long ones
/// (a text attribute's HTML, say) keep the buffer they were written into, so they are never
/// copied at all.
#[derive(Clone)]
enum Text {
    Short(Arc<str>),
    Long(Arc<String>),
}

/// From this length on, a written text keeps its buffer instead of being copied.
const LONG_TEXT: usize = 1024;

/// The largest buffer [`StoredValue::written`] keeps for the next value.
const SCRATCH_KEPT: usize = 4 * LONG_TEXT;

impl StoredValue {
    /// Wraps JSON text the crate wrote itself (see `crate::json::write`).
    pub(crate) fn from_json_text(mut text: String) -> Self {
        debug_assert!(serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok(), "not JSON: {text}");
        if text.len() >= LONG_TEXT {
            // Kept for the record's lifetime: give back a generous reservation first.
            if text.capacity() - text.len() > text.len() / 16 {
                text.shrink_to_fit();
            }
            StoredValue(Text::Long(Arc::new(text)))
        } else {
            StoredValue(Text::Short(text.into()))
        }
    }

    /// Writes a value with `write` (which must append exactly one JSON value). Short texts are
    /// written into a buffer kept per thread and copied out, so they cost one allocation.
    pub(crate) fn written(capacity: usize, write: impl FnOnce(&mut String)) -> Self {
        thread_local! {
            static SCRATCH: Cell<String> = const { Cell::new(String::new()) };
        }
        // A nested call (none today) would find the cell empty and simply allocate.
        let mut text = SCRATCH.take();
        text.clear();
        text.reserve(capacity);
        write(&mut text);
        if text.len() >= LONG_TEXT {
            return StoredValue::from_json_text(text);
        }
        debug_assert!(serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok(), "not JSON: {text}");
        let value = StoredValue(Text::Short(Arc::from(text.as_str())));
        if text.capacity() <= SCRATCH_KEPT {
            SCRATCH.set(text);
        }
        value
    }

    /// A JSON string.
    pub(crate) fn string(s: &str) -> Self {
        StoredValue::written(s.len() + 2, |out| json::write::string(out, s))
    }

    /// A JSON integer.
    pub(crate) fn integer(i: i64) -> Self {
        StoredValue(Text::Short(i.to_string().into()))
    }

    /// `null`.
    pub(crate) fn null() -> Self {
        StoredValue(Text::Short("null".into()))
    }

    /// A stored value holding `value`, written as compact JSON.
    pub fn from_value(value: &Value) -> Self {
        // Serialising a `Value` cannot fail: its keys are strings and its numbers finite.
        StoredValue::from_json_text(serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned()))
    }

    /// True when both hold the very same shared text (a copy of one another), not merely
    /// equal text.
    pub(crate) fn shares_text_with(&self, other: &StoredValue) -> bool {
        match (&self.0, &other.0) {
            (Text::Short(a), Text::Short(b)) => Arc::ptr_eq(a, b),
            (Text::Long(a), Text::Long(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// The JSON text.
    pub fn json(&self) -> &str {
        match &self.0 {
            Text::Short(s) => s,
            Text::Long(s) => s,
        }
    }

    /// The value, parsed. `Null` only for a text nested deeper than 127 levels (`serde_json`'s limit), which the
    /// engine never writes (bodies are limited to 32) but [`StoredValue::from_value`] accepts;
    /// [`StoredValue::try_value`] tells the two apart.
    pub fn to_value(&self) -> Value {
        self.try_value().unwrap_or(Value::Null)
    }

    /// The value, parsed, or `None` when it nests deeper than 127 levels.
    pub fn try_value(&self) -> Option<Value> {
        serde_json::from_str(self.json()).ok()
    }

    /// The string, when the value is a JSON string.
    pub fn as_string(&self) -> Option<String> {
        if self.json().starts_with('"') {
            serde_json::from_str(self.json()).ok()
        } else {
            None
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        self.json() == "null"
    }
}

impl PartialEq for StoredValue {
    fn eq(&self, other: &Self) -> bool {
        self.json() == other.json() || matches!((self.try_value(), other.try_value()), (Some(a), Some(b)) if a == b)
    }
}

impl PartialEq<Value> for StoredValue {
    fn eq(&self, other: &Value) -> bool {
        self.try_value().is_some_and(|v| v == *other)
    }
}

impl From<Value> for StoredValue {
    fn from(value: Value) -> Self {
        StoredValue::from_value(&value)
    }
}

impl fmt::Debug for StoredValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.json())
    }
}

/// Written as the JSON value itself, in any serde format: the text is read into a borrowed
/// tree (no `Value` built) and that is serialised.
impl Serialize for StoredValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let arena = json::Arena::with_capacity(self.json().len());
        match json::parse_str(self.json(), &arena, usize::MAX) {
            Ok(tree) => tree.serialize(s),
            Err(_) => Err(serde::ser::Error::custom("a stored value nests deeper than 127 levels")),
        }
    }
}

/// Read from any JSON value (any serde format, a `Value` included).
impl<'de> Deserialize<'de> for StoredValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d).map(|v| StoredValue::from_value(&v))
    }
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

/// A user as stored. `password_hash` is never part of any output: serde skips it,
/// [`UserRecord::public`] leaves it out, and `Debug` prints it redacted.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
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
    pub fn stored(&self, lang: &str, marker: &str) -> Option<&StoredValue> {
        self.form_data.get(lang)?.iter().find(|e| &*e.marker == marker).map(|e| &e.value)
    }

    /// The stored value of `marker` in `lang` as a `Value`, if any.
    pub fn value(&self, lang: &str, marker: &str) -> Option<Value> {
        self.stored(lang, marker).map(StoredValue::to_value)
    }
}

/// The current time as RFC 3339 with milliseconds, UTC (`2024-05-07T21:02:00.000Z`).
pub(crate) fn now_rfc3339() -> String {
    let mut out = String::with_capacity(24);
    write_timestamp(&mut out, Utc::now());
    out
}

/// Appends `t` as RFC 3339 with milliseconds, UTC, exactly as chrono's
/// `to_rfc3339_opts(SecondsFormat::Millis, true)` writes it. The years 0 to 9999 are written
/// here from the Unix timestamp (chrono's field getters and formatting machinery cost more
/// than the whole of this); chrono writes the rest, and leap seconds.
pub(crate) fn write_timestamp(out: &mut String, t: DateTime<Utc>) {
    let nano = t.timestamp_subsec_nanos();
    let (days, secs) = (t.timestamp().div_euclid(86_400), t.timestamp().rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let (Ok(year @ 0..=9999), 0..=999_999_999) = (u32::try_from(year), nano) else {
        out.push_str(&t.to_rfc3339_opts(SecondsFormat::Millis, true));
        return;
    };
    let secs = secs as u32; // 0..86 400
    let millis = nano / 1_000_000;
    let two = |n: u32| [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]; // n < 100
    let [c1, c2] = two(year / 100);
    let [y1, y2] = two(year % 100);
    let [mo1, mo2] = two(month);
    let [d1, d2] = two(day);
    let [h1, h2] = two(secs / 3600);
    let [mi1, mi2] = two(secs / 60 % 60);
    let [s1, s2] = two(secs % 60);
    let [ms2, ms3] = two(millis % 100);
    let ms1 = b'0' + (millis / 100) as u8;
    let text = [
        c1, c2, y1, y2, b'-', mo1, mo2, b'-', d1, d2, b'T', h1, h2, b':', mi1, mi2, b':', s1, s2, b'.', ms1, ms2, ms3,
        b'Z',
    ];
    out.push_str(std::str::from_utf8(&text).unwrap_or_default()); // ASCII
}

/// The proleptic Gregorian (year, month, day) `days` days after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for the range chrono's timestamps span).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March first
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clone_from_repoints_only_changed_text() {
        let a = StoredValue::string("a");
        let mut b = a.clone();
        b.clone_from(&a);
        assert!(b.shares_text_with(&a));
        let c = StoredValue::string("a"); // equal, not shared
        b.clone_from(&c);
        assert!(b.shares_text_with(&c) && !b.shares_text_with(&a) && b == a);
        let long = StoredValue::string(&"x".repeat(LONG_TEXT));
        b.clone_from(&long);
        assert!(b.shares_text_with(&long) && b == long);
    }

    #[test]
    fn timestamps_are_written_as_chrono_writes_them() {
        use chrono::TimeZone;
        let at = |secs: i64, nano: u32| Utc.timestamp_opt(secs, nano).single().expect("in range");
        let mut cases = vec![at(0, 0), at(1_700_000_000, 999_999_999), at(253_402_300_799, 5_000_000), at(-1, 1)];
        cases.extend([at(-62_167_219_200, 0), at(-62_167_219_201, 0), at(253_402_300_800, 0)]); // years 0, -1, 10000
        cases.push(at(1_483_228_799, 1_500_000_000)); // a leap second
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..2000 {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let secs = (state >> 11) as i64 % 300_000_000_000 - 70_000_000_000;
            cases.push(at(secs, (state % 1_000_000_000) as u32));
        }
        for t in cases {
            let mut ours = String::new();
            write_timestamp(&mut ours, t);
            assert_eq!(ours, t.to_rfc3339_opts(SecondsFormat::Millis, true));
        }
    }

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
    fn stored_values_round_trip_and_compare_by_value() {
        let v = serde_json::json!({"b": [1, 2.5, "x\"y"], "a": null});
        let s = StoredValue::from_value(&v);
        assert_eq!(s.json(), r#"{"b":[1,2.5,"x\"y"],"a":null}"#);
        assert_eq!(s.to_value(), v);
        // Serialised as the value itself, in serde_json and into a `Value`.
        assert_eq!(serde_json::to_string(&s).unwrap(), s.json());
        assert_eq!(serde_json::to_value(&s).unwrap(), v);
        // Read back from text or from a `Value`.
        assert_eq!(serde_json::from_str::<StoredValue>(s.json()).unwrap().json(), s.json());
        assert_eq!(serde_json::from_value::<StoredValue>(v.clone()).unwrap().json(), s.json());
        // Equal by value: another key order is the same value; another value is not.
        let reordered = StoredValue::from_value(&serde_json::json!({"a": null, "b": [1, 2.5, "x\"y"]}));
        assert_eq!(s, reordered);
        assert_ne!(s, StoredValue::from_value(&serde_json::json!({"a": 0, "b": [1, 2.5, "x\"y"]})));
        assert_eq!(StoredValue::from_value(&Value::from("é")).as_string().as_deref(), Some("é"));
        assert_eq!(s.as_string(), None);
        assert!(StoredValue::from_value(&Value::Null).is_null());
        // A long text keeps its buffer; it reads, compares and serialises the same.
        let long = Value::from("é\"".repeat(LONG_TEXT));
        let s = StoredValue::from_value(&long);
        assert!(matches!(s.0, Text::Long(_)));
        assert_eq!(s.to_value(), long);
        assert_eq!(s, StoredValue::from_value(&long));
        assert_eq!(serde_json::to_string(&s).unwrap(), serde_json::to_string(&long).unwrap());
        assert_eq!(s.as_string().as_deref(), long.as_str());
        // Too deep to read back (only the API can build one): equal to nothing but itself,
        // and refused by serialisation rather than written as something else.
        let deep = StoredValue::from_value(&(0..150).fold(serde_json::json!(1), |v, _| serde_json::json!([v])));
        assert_eq!(deep.try_value(), None);
        assert_ne!(deep, StoredValue::from_value(&Value::Null));
        assert_ne!(deep, Value::Null);
        assert_eq!(deep, deep.clone());
        assert!(serde_json::to_string(&deep).is_err());
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
