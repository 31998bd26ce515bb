//! `timeInterval`: an array of `[start, end]` pairs of RFC 3339 date-times.
//!
//! Each pair must be a two-element array of strings (else `invalid-value` at the pair), each
//! bound RFC 3339 (else `interval-format` at `.../i/0` or `.../i/1`), and the start strictly
//! before the end, compared as instants (else `interval-order` at the pair). The value must be
//! an array of pairs: a lone pair `["…", "…"]` is refused (its elements are not pairs).
//! Overlapping or repeated intervals are allowed. The stored value is the array as sent.

use crate::json::Json;
use crate::record::{StoredValue, ValueSize};
use chrono::DateTime;

use super::{CheckedValue, Cx, Measure};
use crate::error::ViolationKind;
use crate::pointer::Pointer;

/// The shape of one pair, for messages.
const EXPECT_PAIR: &str = "a [start, end] pair of RFC 3339 date-time strings";

/// Checks a `timeInterval` value, reporting every problem of every pair.
pub(crate) fn check(value: &Json<'_>, path: &Pointer, cx: &mut Cx<'_>) -> Option<CheckedValue<'static>> {
    let Json::Array(pairs) = value else {
        cx.report(path.clone(), ViolationKind::InvalidValue { expected: "an array of [start, end] pairs" });
        return None;
    };
    let before = cx.report.len();
    for (i, pair) in pairs.iter().enumerate() {
        let bounds = match pair.as_array() {
            Some([Json::String(a), Json::String(b)]) => [a, b],
            _ => {
                cx.report(path.child(i), ViolationKind::InvalidValue { expected: EXPECT_PAIR });
                continue;
            }
        };
        let mut parsed = [None, None];
        for (j, s) in bounds.into_iter().enumerate() {
            match DateTime::parse_from_rfc3339(s) {
                Ok(t) => parsed[j] = Some(t),
                Err(_) => cx.report(path.child(i).child(j), ViolationKind::IntervalFormat(s.to_string())),
            }
        }
        if let [Some(start), Some(end)] = parsed {
            if start >= end {
                cx.report(path.child(i), ViolationKind::IntervalOrder);
            }
        }
    }
    if cx.report.len() != before {
        return None;
    }
    let stored = StoredValue::written(ValueSize::intervals(pairs.len()), |out| value.write(out));
    Some(CheckedValue { stored, measure: Measure::Items(pairs.len()) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Violation;
    use serde_json::{json, Value};

    fn run(v: Value) -> (Option<CheckedValue<'static>>, Vec<Violation>) {
        crate::types::testing::run("m", |p, cx| check(&Json::from(&v), p, cx))
    }

    fn errs(v: Value) -> Vec<(String, &'static str)> {
        run(v).1.iter().map(|e| (e.path.to_string(), e.rule())).collect()
    }

    #[test]
    fn seed_interval() {
        let v = json!([["2025-02-11T16:00:00.000Z", "2025-02-13T16:00:00.000Z"]]);
        let p = run(v.clone()).0.unwrap();
        assert_eq!(p.stored, v);
        assert_eq!(p.measure, Measure::Items(1));
    }

    #[test]
    fn accepted() {
        let v = json!([
            ["2025-02-11T16:00:00Z", "2025-02-11T16:00:00.001Z"],
            ["2025-02-11T18:00:00+03:00", "2025-02-11T16:00:01Z"],
            ["2025-02-11T16:00:00Z", "2025-02-13T16:00:00Z"],
            ["2025-02-11T16:00:00Z", "2025-02-13T16:00:00Z"]
        ]);
        assert_eq!(run(v.clone()).0.unwrap().stored, v, "stored as sent, repeats allowed");
        let p = run(json!([])).0.unwrap();
        assert_eq!(p.stored, json!([]));
        assert!(p.is_empty());
    }

    #[test]
    fn order() {
        assert_eq!(
            errs(json!([["2025-02-11T16:00:00Z", "2025-02-11T16:00:00Z"]])),
            [("/value/0".into(), "interval-order")]
        );
        // Same instant written at two offsets.
        assert_eq!(
            errs(json!([["2025-02-11T19:00:00+03:00", "2025-02-11T16:00:00Z"]])),
            [("/value/0".into(), "interval-order")]
        );
        assert_eq!(
            errs(json!([["2025-02-13T16:00:00Z", "2025-02-11T16:00:00Z"]])),
            [("/value/0".into(), "interval-order")]
        );
    }

    #[test]
    fn formats() {
        assert_eq!(errs(json!([["2025-02-11", "2025-02-13T16:00:00Z"]])), [("/value/0/0".into(), "interval-format")]);
        assert_eq!(
            errs(json!([["2025-02-11T16:00:00Z", "tomorrow"], ["", "2025-02-11T16:00:00"]])),
            [
                ("/value/0/1".into(), "interval-format"),
                ("/value/1/0".into(), "interval-format"),
                ("/value/1/1".into(), "interval-format")
            ]
        );
        let e = run(json!([["x", "2025-02-11T16:00:00Z"]])).1;
        assert_eq!(e[0].kind, ViolationKind::IntervalFormat("x".into()));
    }

    #[test]
    fn shapes() {
        assert_eq!(errs(json!("2025-02-11T16:00:00Z")), [("/value".into(), "invalid-value")]);
        assert_eq!(errs(json!({"start": "a"})), [("/value".into(), "invalid-value")]);
        assert_eq!(
            errs(json!(["2025-02-11T16:00:00Z", "2025-02-13T16:00:00Z"])),
            [("/value/0".into(), "invalid-value"), ("/value/1".into(), "invalid-value")],
            "a lone pair is not an array of pairs"
        );
        assert_eq!(
            errs(json!([
                ["2025-02-11T16:00:00Z"],
                ["2025-02-11T16:00:00Z", "2025-02-12T16:00:00Z", "2025-02-13T16:00:00Z"],
                ["2025-02-11T16:00:00Z", 5],
                null,
                ["2025-02-11T16:00:00Z", "2025-02-12T16:00:00Z"]
            ])),
            [
                ("/value/0".into(), "invalid-value"),
                ("/value/1".into(), "invalid-value"),
                ("/value/2".into(), "invalid-value"),
                ("/value/3".into(), "invalid-value"),
            ]
        );
    }
}
