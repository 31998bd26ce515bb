//! `json`: any JSON value, kept as data.
//!
//! OneEntry's platform has a `json` attribute type (its SDK's type list does not): the value is
//! stored as sent, as canonical JSON text (members in the order sent, a repeated key's last
//! value, numbers as `serde_json` prints them), and is never rendered or sanitised: it is data,
//! not markup, and whoever shows it escapes it. The body limits (size, depth, entries, string
//! length) and the record limit bound it; `null` clears it like any other value.

use std::borrow::Cow;

use crate::json::Json;
use crate::record::{StoredValue, ValueSize};

use super::{CheckedValue, Measure};

/// Checks a `json` value: every value is one. It is empty (for `required`) when it is `""`,
/// `[]` or `{}`; what it measures is otherwise only for that.
pub(crate) fn check<'a>(value: &Json<'a>) -> CheckedValue<'a> {
    let stored = StoredValue::written(ValueSize::exact(value.serialized_len()), |out| value.write(out));
    let measure = match value {
        Json::String(s) => Measure::Text(Cow::Borrowed(*s)),
        Json::Array(items) => Measure::Items(items.len()),
        Json::Object(members) => Measure::Items(members.len()),
        Json::Null | Json::Bool(_) | Json::Number(_) => Measure::Nothing,
    };
    CheckedValue { stored, measure }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    /// The stored text and emptiness of `v`, through the shared runner (which also holds the
    /// stored text to canonical JSON).
    fn run(v: Value) -> (String, bool) {
        let v: &'static Value = crate::json::test_keep(Box::new(v));
        let (r, out) = crate::types::testing::run("data", |_, _| Some(check(&Json::from(v))));
        assert!(out.is_empty());
        let r = r.expect("every JSON value is a json value");
        (r.stored.json().to_owned(), r.is_empty())
    }

    #[test]
    fn every_value_is_stored_as_sent() {
        let nested = json!({"b": [1, 2.5, {"c": null}], "a": "x", "t": true});
        assert_eq!(run(nested).0, r#"{"b":[1,2.5,{"c":null}],"a":"x","t":true}"#);
        assert_eq!(run(json!([3, "two", false])).0, r#"[3,"two",false]"#);
        assert_eq!(run(json!("<script>alert(1)</script>")).0, r#""<script>alert(1)</script>""#);
        assert_eq!(run(json!(1e21)).0, "1e+21");
        assert_eq!(run(json!(-7)).0, "-7");
        assert_eq!(run(json!(false)).0, "false");
        assert_eq!(run(json!("tab\there")).0, r#""tab\there""#);
    }

    #[test]
    fn empty_values_are_empty() {
        assert!(run(json!("")).1);
        assert!(run(json!([])).1);
        assert!(run(json!({})).1);
        assert!(!run(json!(0)).1);
        assert!(!run(json!(false)).1);
        assert!(!run(json!(" ")).1);
        assert!(!run(json!([null])).1);
        assert!(!run(json!({"k": ""})).1);
    }
}
