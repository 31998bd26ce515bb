//! [`StoredValue`]: a value kept as its canonical JSON text, shared between copies of a record,
//! and the scratch buffer checkers write new values into. This is the storage seam the update
//! path's speed rests on: what it stores must stay exactly what `serde_json` would print
//! (tests below and in every checker hold it to that).

use std::cell::Cell;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::ValueSize;
use crate::json;

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
    pub(crate) fn written(size: ValueSize, write: impl FnOnce(&mut String)) -> Self {
        thread_local! {
            static SCRATCH: Cell<String> = const { Cell::new(String::new()) };
        }
        // A nested call (none today) would find the cell empty and simply allocate.
        let mut text = SCRATCH.take();
        text.clear();
        text.reserve(size.bytes());
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
        StoredValue::written(ValueSize::string(s), |out| json::write::string(out, s))
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
}
