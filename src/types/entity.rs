//! `entity`: links to pages and products, as an array of ids.
//!
//! An id is either a page number, a whole JSON number `>= 0` within `u64` (a whole float such
//! as `2.0` is stored as the integer `2`), or a string: all ASCII digits (a page number sent as
//! text, kept as a string) or shaped like a product id, `^[A-Za-z][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$`
//! (`p-1-123`), 1 to 128 characters. A lone id is taken as a one-element array.
//!
//! Ids are compared as text to find duplicates, with the leading zeros of numeric strings
//! ignored: `1`, `"1"` and `"01"` name the same page. The stored value is the array as sent
//! (JSON integers stay integers, strings stay strings).

use std::collections::HashSet;
use std::fmt;

use crate::json::write::ArrayWriter;
use crate::json::{self, Json, EXACT_FLOAT_INTEGERS};
use crate::record::StoredValue;

use super::{CheckedValue, Cx, Measure};
use crate::error::ViolationKind;
use crate::pointer::Pointer;

/// The longest string id accepted.
const MAX_ID_LEN: usize = 128;

/// Checks an `entity` value: every element must be an id, and no id may appear twice.
pub(crate) fn check(value: &Json<'_>, path: &Pointer, cx: &mut Cx<'_>) -> Option<CheckedValue<'static>> {
    let (items, in_array) = match value {
        Json::Array(a) => (*a, true),
        Json::Number(_) | Json::String(_) => (std::slice::from_ref(value), false),
        _ => {
            cx.report(path.clone(), ViolationKind::InvalidValue { expected: "an array of entity ids" });
            return None;
        }
    };

    let before = cx.report.len();
    let mut stored = String::with_capacity((items.len() * 8).min(1 << 16) + 2);
    let mut ids = ArrayWriter::new(&mut stored);
    let mut count = 0usize;
    // A set, not a list: a body can carry hundreds of thousands of ids.
    let mut seen: HashSet<Id<'_>> = HashSet::with_capacity(items.len());
    // Pointers are built only when something is reported.
    let ptr = |i: usize| if in_array { path.child(i) } else { path.clone() };
    for (i, item) in items.iter().enumerate() {
        let Some((id, key)) = entity_id(item) else {
            cx.report(ptr(i), ViolationKind::EntityId(short(item)));
            continue;
        };
        if !seen.insert(key) {
            cx.report(ptr(i), ViolationKind::DuplicateOption(key.to_string()));
            continue;
        }
        count += 1;
        match id {
            Id::Number(u) => json::write::unsigned(ids.item(), u),
            Id::Text(s) => json::write::string(ids.item(), s),
        }
    }
    ids.end();
    if cx.report.len() != before {
        return None;
    }
    Some(CheckedValue { stored: StoredValue::from_json_text(stored), measure: Measure::Items(count) })
}

/// An id, in one of two roles. As stored: a JSON integer, or the string as sent. As compared
/// (the key): `1`, `"1"` and `"01"` are all `Number(1)`; digit strings too long for a `u64` (no
/// JSON number reads that large) and product ids are compared as text.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Id<'j> {
    Number(u64),
    Text(&'j str),
}

impl fmt::Display for Id<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Id::Number(n) => n.fmt(f),
            Id::Text(s) => f.write_str(s),
        }
    }
}

/// The stored form of an id and the key it is compared by, or `None` if `v` is no id.
fn entity_id<'j>(v: &'j Json<'_>) -> Option<(Id<'j>, Id<'j>)> {
    match v {
        Json::Number(n) => {
            let u = match n.as_u64() {
                Some(u) => u,
                None if n.is_i64() => return None, // negative
                None => {
                    let f = n.as_f64()?;
                    if !(f.is_finite() && f.fract() == 0.0 && (0.0..=EXACT_FLOAT_INTEGERS).contains(&f)) {
                        return None;
                    }
                    f as u64
                }
            };
            Some((Id::Number(u), Id::Number(u)))
        }
        Json::String(s) if is_numeric_id(s) => {
            let digits = s.trim_start_matches('0');
            let digits = if digits.is_empty() { "0" } else { digits };
            Some((Id::Text(s), digits.parse().map_or(Id::Text(digits), Id::Number)))
        }
        Json::String(s) if is_product_id(s) => Some((Id::Text(s), Id::Text(s))),
        _ => None,
    }
}

/// 1 to 128 ASCII digits.
fn is_numeric_id(s: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// `^[A-Za-z][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$`, 1 to 128 characters.
fn is_product_id(s: &str) -> bool {
    if !(1..=MAX_ID_LEN).contains(&s.len()) || !s.as_bytes()[0].is_ascii_alphabetic() {
        return false;
    }
    // Parts between hyphens are non-empty: no `--`, no trailing `-` (the first byte is a letter).
    let b = s.as_bytes();
    b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        && !b.ends_with(b"-")
        && !b.windows(2).any(|w| w == b"--")
}

/// A short rendering of a refused element for the message (at most 64 characters).
fn short(v: &Json<'_>) -> String {
    let s = match v {
        Json::String(s) => s.to_string(),
        other => other.to_string(),
    };
    match s.char_indices().nth(64) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Violation;
    use serde_json::json;
    use serde_json::Value;

    fn run(v: Value) -> (Option<CheckedValue<'static>>, Vec<Violation>) {
        crate::types::testing::run("m", |p, cx| check(&Json::from(&v), p, cx))
    }

    fn stored(v: Value) -> Value {
        let (p, e) = run(v);
        assert!(e.is_empty(), "{e:?}");
        p.unwrap().stored.to_value()
    }

    fn errs(v: Value) -> Vec<(String, &'static str)> {
        run(v).1.iter().map(|e| (e.path.to_string(), e.rule())).collect()
    }

    #[test]
    fn seed_ids() {
        let (p, _) = run(json!([1, 2]));
        let p = p.unwrap();
        assert_eq!(p.stored, json!([1, 2]));
        assert_eq!(p.measure, Measure::Items(2));
    }

    #[test]
    fn pages_and_products() {
        assert_eq!(stored(json!([1, "p-1-123"])), json!([1, "p-1-123"]));
        assert_eq!(stored(json!(["12", 0, "Product_2-a-B9"])), json!(["12", 0, "Product_2-a-B9"]));
        assert_eq!(stored(json!([u64::MAX])), json!([u64::MAX]));
        assert_eq!(stored(json!([2.0, 1e3])), json!([2, 1000]));
        assert_eq!(stored(json!(7)), json!([7]));
        assert_eq!(stored(json!("p-1-123")), json!(["p-1-123"]));
        let (p, _) = run(json!([]));
        let p = p.unwrap();
        assert_eq!(p.stored, json!([]));
        assert!(p.is_empty());
        assert!(is_product_id(&"a".repeat(128)));
        assert!(!is_product_id(&"a".repeat(129)));
        assert!(is_numeric_id(&"9".repeat(128)));
    }

    #[test]
    fn refused_ids() {
        for bad in [
            json!(1.5),
            json!(-1),
            json!(true),
            json!(null),
            json!({}),
            json!([1]),
            json!(""),
            json!("-1"),
            json!("1-p"),
            json!("p--1"),
            json!("p-"),
            json!("-p"),
            json!("p 1"),
            json!("p.1"),
            json!("пример"),
            json!("_p"),
            json!(1e300),
            json!(-0.5),
        ] {
            assert_eq!(errs(json!([bad])), [("/value/0".into(), "entity-id")], "{bad}");
        }
        assert_eq!(errs(json!([1.5])), [("/value/0".into(), "entity-id")]);
        assert_eq!(errs(json!(1.5)), [("/value".into(), "entity-id")]);
        assert_eq!(errs(json!(true)), [("/value".into(), "invalid-value")]);
        assert_eq!(errs(json!({"id": 1})), [("/value".into(), "invalid-value")]);
    }

    #[test]
    fn duplicates() {
        assert_eq!(errs(json!([1, 2, 1])), [("/value/2".into(), "duplicate-option")]);
        assert_eq!(errs(json!([1, "1"])), [("/value/1".into(), "duplicate-option")]);
        assert_eq!(errs(json!(["001", 1.0])), [("/value/1".into(), "duplicate-option")]);
        assert_eq!(errs(json!(["0", "000"])), [("/value/1".into(), "duplicate-option")]);
        assert_eq!(errs(json!(["p-1", "p-1"])), [("/value/1".into(), "duplicate-option")]);
        assert_eq!(stored(json!(["p-1", "P-1"])), json!(["p-1", "P-1"]), "product ids are case-sensitive");
        // The largest number and its digits are one id; digits beyond a u64 compare as text.
        assert_eq!(errs(json!([u64::MAX, "018446744073709551615"])), [("/value/1".into(), "duplicate-option")]);
        let huge = "18446744073709551616";
        assert_eq!(errs(json!([huge, format!("00{huge}")])), [("/value/1".into(), "duplicate-option")]);
        assert_eq!(stored(json!([huge, u64::MAX])), json!([huge, u64::MAX]));
        let e = run(json!([1, 1])).1;
        assert_eq!(e[0].kind, ViolationKind::DuplicateOption("1".into()));
    }

    #[test]
    fn every_problem_is_reported() {
        let e = run(json!([1, -1, true, 1, "ok", "x".repeat(200)])).1;
        let got: Vec<_> = e.iter().map(|e| (e.path.to_string(), e.rule())).collect();
        assert_eq!(
            got,
            [
                ("/value/1".into(), "entity-id"),
                ("/value/2".into(), "entity-id"),
                ("/value/3".into(), "duplicate-option"),
                ("/value/5".into(), "entity-id"),
            ]
        );
        assert_eq!(e[0].kind, ViolationKind::EntityId("-1".into()));
        let ViolationKind::EntityId(long) = &e[3].kind else { panic!() };
        assert!(long.chars().count() <= 65);
    }
}
