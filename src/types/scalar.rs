//! `string`, `integer`, `real` and `float`.
//!
//! A `string` may also come as a JSON number (newer SDK types allow one): it is stored as the
//! string JavaScript's `String(n)` prints for it (`1e21` as `"1e+21"`, `-0` as `"0"`), written
//! by the same function that matches option values, except that an integer beyond 2^53, which
//! no JavaScript client can send, is written exactly rather than rounded.
//!
//! Numbers come as JSON numbers or as numeric strings (OneEntry's SDK types every value as a
//! string); they are stored as JSON numbers. Integers must be whole and fit an `i64`; reals must
//! be finite. A JSON integer stays an integer when stored as a real (`70` stays `70`), and `-0`
//! is stored as `0`.

use std::borrow::Cow;

use crate::json::{self, Json};
use crate::record::{StoredValue, ValueSize};

use super::choice::js_number;
use super::{CheckedValue, Cx, Measure};
use crate::error::ViolationKind;
use crate::pointer::Pointer;

/// A `string`: any JSON string, trimmed first when the attribute has `trimValidator`, or a
/// JSON number, stored as the string JavaScript prints for it.
pub(crate) fn string<'a>(value: &Json<'a>, path: &Pointer, trim: bool, cx: &mut Cx<'_>) -> Option<CheckedValue<'a>> {
    let s = match value {
        Json::String(s) => Cow::Borrowed(if trim { s.trim() } else { *s }),
        Json::Number(n) => Cow::Owned(js_number(*n)),
        _ => {
            cx.report(path.clone(), ViolationKind::InvalidValue { expected: "a string or a number" });
            return None;
        }
    };
    Some(CheckedValue { stored: StoredValue::string(&s), measure: Measure::Text(s) })
}

/// An `integer`: a whole number within `i64`, given as a number or a numeric string.
pub(crate) fn integer(value: &Json<'_>, path: &Pointer, cx: &mut Cx<'_>) -> Option<CheckedValue<'static>> {
    let n = number(value, path, cx)?;
    let int = match n {
        Num::Int(i) => i,
        Num::Float(f, text) => {
            if f.fract() != 0.0 {
                cx.report(path.clone(), ViolationKind::NotAnInteger(text));
                return None;
            }
            // `i64::MAX as f64` rounds up to 2^63, which is already out of range.
            if f < -(2f64.powi(63)) || f >= 2f64.powi(63) {
                cx.report(path.clone(), ViolationKind::NumberRange(text));
                return None;
            }
            f as i64
        }
    };
    Some(CheckedValue { stored: StoredValue::integer(int), measure: Measure::Number(int as f64) })
}

/// A `real` or `float`: any finite number, given as a number or a numeric string.
pub(crate) fn real(value: &Json<'_>, path: &Pointer, cx: &mut Cx<'_>) -> Option<CheckedValue<'static>> {
    let (stored, f) = match number(value, path, cx)? {
        Num::Int(i) => (StoredValue::integer(i), i as f64),
        Num::Float(f, text) => {
            let f = if f == 0.0 { 0.0 } else { f };
            if !f.is_finite() {
                cx.report(path.clone(), ViolationKind::NumberRange(text));
                return None;
            }
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                (StoredValue::integer(f as i64), f)
            } else {
                (StoredValue::written(ValueSize::FLOAT, |out| json::write::number(out, json::Num::Float(f))), f)
            }
        }
    };
    Some(CheckedValue { stored, measure: Measure::Number(f) })
}

/// A number as read from the body: an exact integer, or a float with the text it came from.
enum Num {
    Int(i64),
    Float(f64, String),
}

/// Reads a JSON number or a numeric string. Rejects `NaN`, `Infinity`, hex and empty strings.
fn number(value: &Json<'_>, path: &Pointer, cx: &mut Cx<'_>) -> Option<Num> {
    match value {
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                return Some(Num::Int(i));
            }
            let f = n.as_f64().unwrap_or(f64::NAN);
            finite(f, n.to_string(), path, cx)
        }
        Json::String(s) => {
            let t = s.trim();
            if !is_numeric_literal(t) {
                cx.report(path.clone(), ViolationKind::NotANumber(s.to_string()));
                return None;
            }
            if let Ok(i) = t.trim_start_matches('+').parse::<i64>() {
                return Some(Num::Int(if i == 0 { 0 } else { i }));
            }
            match t.parse::<f64>() {
                Ok(f) => finite(f, s.to_string(), path, cx),
                Err(_) => {
                    cx.report(path.clone(), ViolationKind::NotANumber(s.to_string()));
                    None
                }
            }
        }
        _ => {
            cx.report(path.clone(), ViolationKind::InvalidValue { expected: "a number or a numeric string" });
            None
        }
    }
}

fn finite(f: f64, text: String, path: &Pointer, cx: &mut Cx<'_>) -> Option<Num> {
    if f.is_finite() {
        Some(Num::Float(f, text))
    } else {
        cx.report(path.clone(), ViolationKind::NumberRange(text));
        None
    }
}

/// `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`: JSON's number grammar,
/// relaxed to allow a leading `+`, leading zeros and a trailing dot as JavaScript's `Number()` does.
fn is_numeric_literal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Violation;
    use serde_json::json;
    use serde_json::Value;

    fn run(
        f: impl Fn(&Json<'static>, &Pointer, &mut Cx<'_>) -> Option<CheckedValue<'static>>,
        v: Value,
    ) -> (Option<Value>, Vec<Violation>) {
        let v: &'static Value = crate::json::test_keep(Box::new(v)); // what a string measure borrows
        let (r, out) = crate::types::testing::run("m", |p, cx| f(&Json::from(v), p, cx));
        (r.map(|p| p.stored.to_value()), out)
    }

    fn rule(v: &[Violation]) -> &'static str {
        v.first().map(|v| v.rule()).unwrap_or("none")
    }

    #[test]
    fn integers() {
        assert_eq!(run(integer, json!(42)).0, Some(json!(42)));
        assert_eq!(run(integer, json!("42")).0, Some(json!(42)));
        assert_eq!(run(integer, json!(" -7 ")).0, Some(json!(-7)));
        assert_eq!(run(integer, json!("1e3")).0, Some(json!(1000)));
        assert_eq!(run(integer, json!(5.0)).0, Some(json!(5)));
        assert_eq!(run(integer, json!("-0")).0, Some(json!(0)));
        assert_eq!(run(integer, json!(-0.0)).0, Some(json!(0)));
        assert_eq!(run(integer, json!(i64::MIN)).0, Some(json!(i64::MIN)));
        assert_eq!(rule(&run(integer, json!(1.5)).1), "not-an-integer");
        assert_eq!(rule(&run(integer, json!(u64::MAX)).1), "number-range");
        assert_eq!(rule(&run(integer, json!("9223372036854775808")).1), "number-range");
        assert_eq!(rule(&run(integer, json!("1e400")).1), "number-range");
        assert_eq!(rule(&run(integer, json!(1e300)).1), "number-range");
        assert_eq!(rule(&run(integer, json!("NaN")).1), "not-a-number");
        assert_eq!(rule(&run(integer, json!("Infinity")).1), "not-a-number");
        assert_eq!(rule(&run(integer, json!("0x10")).1), "not-a-number");
        assert_eq!(rule(&run(integer, json!("")).1), "not-a-number");
        assert_eq!(rule(&run(integer, json!("1e")).1), "not-a-number");
        assert_eq!(rule(&run(integer, json!(true)).1), "invalid-value");
        assert_eq!(rule(&run(integer, json!([1])).1), "invalid-value");
    }

    #[test]
    fn reals() {
        assert_eq!(run(real, json!(1.75)).0, Some(json!(1.75)));
        assert_eq!(run(real, json!("1.75")).0, Some(json!(1.75)));
        assert_eq!(run(real, json!(70)).0, Some(json!(70)));
        assert_eq!(run(real, json!("-0")).0, Some(json!(0)));
        assert_eq!(run(real, json!("-0.0")).0, Some(json!(0)));
        assert_eq!(run(real, json!(".5")).0, Some(json!(0.5)));
        assert!(run(real, json!(u64::MAX)).0.is_some());
        assert_eq!(rule(&run(real, json!("1e400")).1), "number-range");
        assert_eq!(rule(&run(real, json!("-inf")).1), "not-a-number");
        assert_eq!(rule(&run(real, json!("1,5")).1), "not-a-number");
        assert_eq!(rule(&run(real, json!(null)).1), "invalid-value");
    }

    #[test]
    fn strings() {
        let f = |v: &Json<'static>, p: &Pointer, cx: &mut Cx<'_>| string(v, p, true, cx);
        assert_eq!(run(f, json!("  Федор  ")).0, Some(json!("Федор")));
        let g = |v: &Json<'static>, p: &Pointer, cx: &mut Cx<'_>| string(v, p, false, cx);
        assert_eq!(run(g, json!(" x ")).0, Some(json!(" x ")));
        assert_eq!(rule(&run(g, json!(true)).1), "invalid-value");
        assert_eq!(rule(&run(g, json!(["x"])).1), "invalid-value");
        assert_eq!(rule(&run(g, json!({"x": 1})).1), "invalid-value");
    }

    #[test]
    fn numbers_as_strings_are_written_as_javascript_does() {
        let g = |v: &Json<'static>, p: &Pointer, cx: &mut Cx<'_>| string(v, p, true, cx);
        let text = |v: Value| run(g, v).0.and_then(|v| v.as_str().map(str::to_owned));
        assert_eq!(text(json!(1)).as_deref(), Some("1"));
        assert_eq!(text(json!(1.5)).as_deref(), Some("1.5"));
        assert_eq!(text(json!(-0.0)).as_deref(), Some("0"));
        assert_eq!(text(json!(1e21)).as_deref(), Some("1e+21"));
        assert_eq!(text(json!(1e-7)).as_deref(), Some("1e-7"));
        assert_eq!(text(json!(123456789012345680000.0)).as_deref(), Some("123456789012345680000"));
        assert_eq!(text(json!(0.1 + 0.2)).as_deref(), Some("0.30000000000000004"));
        assert_eq!(text(json!(i64::MIN)).as_deref(), Some("-9223372036854775808"));
        assert_eq!(text(json!(u64::MAX)).as_deref(), Some("18446744073709551615"));
    }
}
