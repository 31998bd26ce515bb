//! `date`, `dateTime` and `time` values: `{fullDate, formattedValue, formatString}`.
//!
//! `fullDate` is the instant (RFC 3339; a `date` may also be a bare `YYYY-MM-DD`, meaning
//! midnight UTC; a `time` carries a reference date). `formatString` is a moment.js format
//! (defaults `DD-MM-YYYY`, `DD-MM-YYYY HH:mm`, `HH:mm`). `formattedValue` is what the client
//! showed: it must be `fullDate` rendered with `formatString` at the offset written in
//! `fullDate` or at one of the UTC offsets in use somewhere ([`REAL_OFFSETS`]); when absent,
//! the engine stores the rendering at `fullDate`'s own offset. The value may also come as a
//! one-element array of that object; unknown keys are ignored, and `null` for
//! `formattedValue` or `formatString` means absent. Every problem found is reported.

use std::borrow::Cow;
use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset};

use crate::json::write::ObjectWriter;
use crate::json::{Json, Object};
use crate::record::{StoredValue, ValueSize};

use super::moment::Format;
use super::{AttrType, CheckedValue, Cx, Measure};
use crate::error::ViolationKind;
use crate::pointer::Pointer;

/// The UTC offsets in use somewhere (minutes east of UTC), west to east: the offsets at which a
/// client may have rendered `formattedValue`.
pub(crate) const REAL_OFFSETS: [i32; 40] = [
    -720, -660, -600, -570, -540, -480, -420, -360, -300, -240, -210, -180, -150, -120, -60, 0, 60, 120, 180, 210, 240,
    270, 300, 330, 345, 360, 390, 420, 480, 525, 540, 570, 600, 630, 660, 720, 765, 780, 825, 840,
];

/// What the value must look like, for `InvalidValue` at the value itself.
const EXPECTED_OBJECT: &str = "an object {fullDate, formattedValue, formatString}, or a one-element array of it";
/// What `fullDate` must be, for `InvalidValue` at `fullDate`.
const EXPECTED_FULL_DATE: &str = "fullDate: an RFC 3339 date-time string";
/// What `formattedValue` must be, for `InvalidValue` at `formattedValue`.
const EXPECTED_FORMATTED: &str = "formattedValue: a string";
/// What `formatString` must be, for `InvalidValue` at `formatString`.
const EXPECTED_FORMAT: &str = "formatString: a moment.js format string";

/// The `formatString` used when the body gives none.
pub(crate) fn default_format(kind: AttrType) -> &'static str {
    match kind {
        AttrType::DateTime => "DD-MM-YYYY HH:mm",
        AttrType::Time => "HH:mm",
        _ => "DD-MM-YYYY",
    }
}

/// Checks a `date`, `dateTime` or `time` value at `path` and returns its canonical form:
/// `{fullDate, formattedValue, formatString}` (as sent, with defaults filled in) measured as
/// the instant `fullDate`. Reports every problem found and returns `None` when there is one.
pub(crate) fn check(
    kind: AttrType,
    value: &Json<'_>,
    path: &Pointer,
    cx: &mut Cx<'_>,
) -> Option<CheckedValue<'static>> {
    let (obj, at) = match unwrap_object(value, path) {
        Ok(found) => found,
        Err(bad) => {
            cx.report(bad, ViolationKind::InvalidValue { expected: EXPECTED_OBJECT });
            return None;
        }
    };
    let full = full_date(kind, obj.get("fullDate"), &at, cx);
    let format = format_string(kind, obj.get("formatString"), &at, cx);
    let formatted = formatted_value(obj.get("formattedValue"), &at, cx);
    let ((full_text, dt), (format_text, format), formatted) = (full?, format?, formatted?);

    let formatted: Cow<'_, str> = match formatted {
        None => Cow::Owned(format.render(&dt)),
        Some(sent) => {
            if !format.matches_at_some_offset(&dt, &REAL_OFFSETS, sent) {
                cx.report(
                    at.child("formattedValue"),
                    ViolationKind::FormattedValue {
                        formatted: sent.to_owned(),
                        full: full_text.to_owned(),
                        format: format_text.to_owned(),
                    },
                );
                return None;
            }
            Cow::Borrowed(sent)
        }
    };
    let stored = StoredValue::written(ValueSize::date(full_text, &formatted, format_text), |out| {
        let mut obj = ObjectWriter::new(out);
        obj.str("fullDate", full_text).str("formattedValue", &formatted).str("formatString", format_text);
        obj.end();
    });
    Some(CheckedValue { stored, measure: Measure::Instant(dt) })
}

/// The value's object and its pointer: the value itself, or the only element of a
/// one-element array. On a wrong shape, the pointer to blame.
fn unwrap_object<'v, 'p>(
    value: &'v Json<'v>,
    path: &'p Pointer,
) -> Result<(&'v Object<'v>, Cow<'p, Pointer>), Pointer> {
    match value {
        Json::Object(obj) => Ok((obj, Cow::Borrowed(path))),
        Json::Array(items) if items.len() == 1 => match &items[0] {
            Json::Object(obj) => Ok((obj, Cow::Owned(path.child(0)))),
            _ => Err(path.child(0)),
        },
        _ => Err(path.clone()),
    }
}

/// Parses `fullDate` (the text as sent and the instant), reporting why it cannot be.
fn full_date<'v>(
    kind: AttrType,
    raw: Option<&'v Json<'v>>,
    at: &Pointer,
    cx: &mut Cx<'_>,
) -> Option<(&'v str, DateTime<FixedOffset>)> {
    let Some(Json::String(text)) = raw else {
        cx.report(at.child("fullDate"), ViolationKind::InvalidValue { expected: EXPECTED_FULL_DATE });
        return None;
    };
    match parse_full_date(kind, text) {
        Some(dt) => Some((text, dt)),
        None => {
            cx.report(at.child("fullDate"), ViolationKind::DateFormat(text.to_string()));
            None
        }
    }
}

/// `text` as the instant of a value of `kind`: a bare `YYYY-MM-DD` only for a `date`.
pub(crate) fn parse_full_date(kind: AttrType, text: &str) -> Option<DateTime<FixedOffset>> {
    crate::instant::read(text, kind == AttrType::Date)
}

/// The format string to use (as sent, or the type's default) compiled, reporting why it
/// cannot be.
fn format_string<'v>(
    kind: AttrType,
    raw: Option<&'v Json<'v>>,
    at: &Pointer,
    cx: &mut Cx<'_>,
) -> Option<(&'v str, Cow<'static, Format>)> {
    let text = match raw {
        None | Some(Json::Null) => default_format(kind),
        Some(Json::String(text)) => text,
        Some(_) => {
            cx.report(at.child("formatString"), ViolationKind::InvalidValue { expected: EXPECTED_FORMAT });
            return None;
        }
    };
    if let Some(format) = common_format(text) {
        return Some((text, Cow::Borrowed(format)));
    }
    match Format::parse(text) {
        Ok(format) => Some((text, Cow::Owned(format))),
        Err(e) => {
            cx.report(
                at.child("formatString"),
                ViolationKind::FormatString { format: text.to_owned(), reason: e.to_string() },
            );
            None
        }
    }
}

/// Formats clients commonly send (the defaults among them), compiled once per process.
const COMMON_FORMATS: [&str; 12] = [
    "DD-MM-YYYY",
    "DD-MM-YYYY HH:mm",
    "HH:mm",
    "DD.MM.YYYY",
    "DD/MM/YYYY",
    "MM/DD/YYYY",
    "YYYY-MM-DD",
    "DD.MM.YYYY HH:mm",
    "DD/MM/YYYY HH:mm",
    "MM/DD/YYYY HH:mm",
    "YYYY-MM-DD HH:mm",
    "HH:mm:ss",
];

/// `text` compiled, if it is one of [`COMMON_FORMATS`].
fn common_format(text: &str) -> Option<&'static Format> {
    static COMPILED: OnceLock<Vec<(&'static str, Format)>> = OnceLock::new();
    let compiled =
        COMPILED.get_or_init(|| COMMON_FORMATS.iter().filter_map(|f| Some((*f, Format::parse(f).ok()?))).collect());
    compiled.iter().find(|(f, _)| *f == text).map(|(_, format)| format)
}

/// `formattedValue`: `Some(None)` when absent, `Some(Some(text))` when sent, `None` (reported)
/// when it is not a string.
fn formatted_value<'v>(raw: Option<&'v Json<'v>>, at: &Pointer, cx: &mut Cx<'_>) -> Option<Option<&'v str>> {
    match raw {
        None | Some(Json::Null) => Some(None),
        Some(Json::String(text)) => Some(Some(*text)),
        Some(_) => {
            cx.report(at.child("formattedValue"), ViolationKind::InvalidValue { expected: EXPECTED_FORMATTED });
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Violation;
    use serde_json::json;
    use serde_json::Value;

    const SEED: &str = "2024-05-07T21:02:00.000Z";

    /// Checks `value` as a `kind` at `/v`, returning the result and the violations.
    fn run(kind: AttrType, value: Value) -> (Option<CheckedValue<'static>>, Vec<Violation>) {
        crate::types::testing::run("birthday", |p, cx| check(kind, &Json::from(&value), p, cx))
    }

    /// The stored value, failing the test on any violation.
    fn ok(kind: AttrType, value: Value) -> Value {
        let (parsed, out) = run(kind, value);
        assert!(out.is_empty(), "unexpected violations: {out:?}");
        parsed.expect("parsed").stored.to_value()
    }

    /// The (path, rule) of each violation, failing the test if the value passed.
    fn errs(kind: AttrType, value: Value) -> Vec<(String, &'static str)> {
        let (parsed, out) = run(kind, value);
        assert!(parsed.is_none(), "should have been refused");
        assert!(!out.is_empty());
        assert!(out.iter().all(|v| v.marker.as_deref() == Some("birthday")));
        out.iter().map(|v| (v.path.to_string(), v.rule())).collect()
    }

    /// A dateTime value of the seed instant shown as `shown` with the default format.
    fn seed_shown(shown: &str) -> Value {
        json!({"fullDate": SEED, "formattedValue": shown, "formatString": "DD-MM-YYYY HH:mm"})
    }

    #[test]
    fn seed_case_is_accepted_as_sent() {
        let value = seed_shown("08-05-2024 00:02");
        let (parsed, out) = run(AttrType::DateTime, value.clone());
        assert!(out.is_empty());
        let parsed = parsed.expect("parsed");
        assert_eq!(parsed.stored, value);
        let want = DateTime::parse_from_rfc3339(SEED).expect("seed");
        assert_eq!(parsed.measure, Measure::Instant(want));
        assert!(!parsed.is_empty());
    }

    #[test]
    fn half_and_quarter_hour_and_extreme_offsets_are_real() {
        for shown in
            ["08-05-2024 02:47", "08-05-2024 11:02", "07-05-2024 11:32", "07-05-2024 21:02", "07-05-2024 09:02"]
        {
            ok(AttrType::DateTime, seed_shown(shown));
        }
    }

    #[test]
    fn a_rendering_at_no_real_offset_is_refused() {
        // +03:17 and +03:01 are nobody's offsets.
        for shown in ["08-05-2024 00:19", "08-05-2024 00:03", "08-05-2024 0:02", "8-5-2024 00:02", ""] {
            assert_eq!(
                errs(AttrType::DateTime, seed_shown(shown)),
                vec![("/value/formattedValue".to_owned(), "formatted-value")],
                "{shown:?}"
            );
        }
        let (_, out) = run(AttrType::DateTime, seed_shown("08-05-2024 00:19"));
        let message = out[0].message();
        assert!(message.contains("08-05-2024 00:19") && message.contains(SEED) && message.contains("DD-MM-YYYY HH:mm"));
    }

    #[test]
    fn the_full_dates_own_offset_counts_even_if_unusual() {
        ok(AttrType::DateTime, json!({"fullDate": "2024-05-08T00:19:00+03:17", "formattedValue": "08-05-2024 00:19"}));
    }

    #[test]
    fn defaults_fill_format_and_formatted_value() {
        assert_eq!(
            ok(AttrType::Date, json!({"fullDate": SEED})),
            json!({"fullDate": SEED, "formattedValue": "07-05-2024", "formatString": "DD-MM-YYYY"})
        );
        assert_eq!(
            ok(AttrType::Date, json!({"fullDate": "2024-05-08T00:02:00+03:00"}))["formattedValue"],
            "08-05-2024"
        );
        assert_eq!(
            ok(AttrType::DateTime, json!({"fullDate": "2024-05-08T00:02:00+03:00", "formatString": null}))
                ["formatString"],
            "DD-MM-YYYY HH:mm"
        );
        assert_eq!(
            ok(AttrType::Time, json!({"fullDate": SEED, "formattedValue": null})),
            json!({"fullDate": SEED, "formattedValue": "21:02", "formatString": "HH:mm"})
        );
        // The default format is also the one a sent formattedValue is checked against.
        ok(AttrType::Date, json!({"fullDate": SEED, "formattedValue": "08-05-2024"}));
        ok(AttrType::Time, json!({"fullDate": SEED, "formattedValue": "00:02"}));
        assert_eq!(
            errs(AttrType::Time, json!({"fullDate": SEED, "formattedValue": "08-05-2024"})),
            vec![("/value/formattedValue".to_owned(), "formatted-value")]
        );
    }

    #[test]
    fn custom_format_strings() {
        let v = json!({"fullDate": SEED, "formattedValue": "Wednesday, May 8th 2024, 12:02 am",
                       "formatString": "dddd, MMMM Do YYYY, h:mm a"});
        ok(AttrType::DateTime, v);
        let v = json!({"fullDate": SEED, "formattedValue": "May 8, 2024 12:02 AM", "formatString": "LLL"});
        ok(AttrType::DateTime, v);
        let stored = ok(AttrType::DateTime, json!({"fullDate": SEED, "formatString": "YYYY-MM-DD[T]HH:mm Z"}));
        assert_eq!(stored["formattedValue"], "2024-05-07T21:02 +00:00");
    }

    #[test]
    fn time_compares_with_its_reference_date() {
        let v = json!({"fullDate": "1970-01-01T21:02:00.000Z", "formattedValue": "00:02", "formatString": "HH:mm"});
        ok(AttrType::Time, v);
        let v = json!({"fullDate": "1970-01-01T21:02:00.000Z", "formattedValue": "00:19"});
        assert_eq!(errs(AttrType::Time, v), vec![("/value/formattedValue".to_owned(), "formatted-value")]);
    }

    #[test]
    fn bad_rfc3339_is_a_date_format_error() {
        for bad in [
            "2024-13-01T00:00:00Z",
            "2024-05-07 21:02",
            "2024-05-07T21:02Z",
            "2024-05-07T21:02:00",
            "",
            "tomorrow",
            "2024-02-30T00:00:00Z",
            " 2024-05-07T21:02:00Z",
        ] {
            assert_eq!(
                errs(AttrType::DateTime, json!({"fullDate": bad})),
                vec![("/value/fullDate".to_owned(), "date-format")],
                "{bad:?}"
            );
        }
        // A leap second: JavaScript's Date refuses it, so does the engine.
        assert_eq!(
            errs(AttrType::DateTime, json!({"fullDate": "2016-12-31T23:59:60Z"})),
            vec![("/value/fullDate".to_owned(), "date-format")]
        );
    }

    #[test]
    fn a_bare_date_is_midnight_utc_for_date_only() {
        let (parsed, out) = run(AttrType::Date, json!({"fullDate": "2024-05-07"}));
        assert!(out.is_empty());
        let parsed = parsed.expect("parsed");
        assert_eq!(parsed.stored.to_value()["fullDate"], "2024-05-07");
        assert_eq!(parsed.stored.to_value()["formattedValue"], "07-05-2024");
        let midnight = DateTime::parse_from_rfc3339("2024-05-07T00:00:00Z").expect("midnight");
        assert_eq!(parsed.measure, Measure::Instant(midnight));
        ok(AttrType::Date, json!({"fullDate": "2024-05-07", "formattedValue": "06-05-2024"}));
        for kind in [AttrType::DateTime, AttrType::Time] {
            assert_eq!(
                errs(kind, json!({"fullDate": "2024-05-07"})),
                vec![("/value/fullDate".to_owned(), "date-format")]
            );
        }
        for bad in ["2024-5-07", "2024-02-30", "+2024-05-07", "2024/05/07", "20240507"] {
            assert_eq!(
                errs(AttrType::Date, json!({"fullDate": bad})),
                vec![("/value/fullDate".to_owned(), "date-format")]
            );
        }
    }

    #[test]
    fn leap_day() {
        assert_eq!(ok(AttrType::Date, json!({"fullDate": "2024-02-29"}))["formattedValue"], "29-02-2024");
        ok(AttrType::Date, json!({"fullDate": "2024-02-29T22:00:00Z", "formattedValue": "01-03-2024"}));
        ok(AttrType::Date, json!({"fullDate": "2024-03-01T01:00:00Z", "formattedValue": "29-02-2024"}));
        assert_eq!(
            errs(AttrType::Date, json!({"fullDate": "2023-02-29"})),
            vec![("/value/fullDate".to_owned(), "date-format")]
        );
        assert_eq!(
            errs(AttrType::Date, json!({"fullDate": "2023-02-29T00:00:00Z"})),
            vec![("/value/fullDate".to_owned(), "date-format")]
        );
    }

    #[test]
    fn extreme_years_do_not_panic() {
        let v = json!({"fullDate": "9999-12-31T23:59:59.999Z", "formattedValue": "01-01-10000 13:59"});
        ok(AttrType::DateTime, v);
        let v = json!({"fullDate": "9999-12-31T23:59:59.999+14:00", "formattedValue": "31-12--0001 00:00"});
        assert_eq!(errs(AttrType::DateTime, v), vec![("/value/formattedValue".to_owned(), "formatted-value")]);
        let v = json!({"fullDate": "0000-01-01T00:00:00Z", "formattedValue": "31-12--0001 12:00"});
        ok(AttrType::DateTime, v);
        let v = json!({"fullDate": "0000-01-01T00:00:00-23:59", "formatString": "LLLL X"});
        assert_eq!(ok(AttrType::DateTime, v)["formattedValue"], "Saturday, January 1, 0000 12:00 AM -62167132860");
    }

    #[test]
    fn wrong_field_types_are_all_reported() {
        let v = json!({"fullDate": 20240507, "formattedValue": 5, "formatString": true});
        assert_eq!(
            errs(AttrType::Date, v),
            vec![
                ("/value/fullDate".to_owned(), "invalid-value"),
                ("/value/formatString".to_owned(), "invalid-value"),
                ("/value/formattedValue".to_owned(), "invalid-value"),
            ]
        );
        assert_eq!(errs(AttrType::Date, json!({})), vec![("/value/fullDate".to_owned(), "invalid-value")]);
        assert_eq!(
            errs(AttrType::Date, json!({"fullDate": null})),
            vec![("/value/fullDate".to_owned(), "invalid-value")]
        );
        let v = json!({"fullDate": "nope", "formatString": "YYYY z", "formattedValue": "x"});
        assert_eq!(
            errs(AttrType::Date, v),
            vec![("/value/fullDate".to_owned(), "date-format"), ("/value/formatString".to_owned(), "format-string")]
        );
    }

    #[test]
    fn unrenderable_format_strings() {
        for format in ["", "YYYY z", "NNNN", "\n"] {
            let v = json!({"fullDate": SEED, "formattedValue": "2024", "formatString": format});
            assert_eq!(
                errs(AttrType::Date, v),
                vec![("/value/formatString".to_owned(), "format-string")],
                "{format:?}"
            );
        }
    }

    #[test]
    fn the_value_must_be_one_object() {
        for v in
            [json!("2024-05-07"), json!(5), json!(true), json!([]), json!([{"fullDate": SEED}, {"fullDate": SEED}])]
        {
            assert_eq!(errs(AttrType::Date, v.clone()), vec![("/value".to_owned(), "invalid-value")], "{v}");
        }
        assert_eq!(errs(AttrType::Date, json!([SEED])), vec![("/value/0".to_owned(), "invalid-value")]);
    }

    #[test]
    fn a_one_element_array_is_unwrapped() {
        let inner = seed_shown("08-05-2024 00:02");
        assert_eq!(ok(AttrType::DateTime, json!([inner.clone()])), inner);
        assert_eq!(
            errs(AttrType::DateTime, json!([{"fullDate": "2024-13-01T00:00:00Z"}])),
            vec![("/value/0/fullDate".to_owned(), "date-format")]
        );
        assert_eq!(
            errs(AttrType::DateTime, json!([seed_shown("08-05-2024 00:19")])),
            vec![("/value/0/formattedValue".to_owned(), "formatted-value")]
        );
    }

    #[test]
    fn unknown_keys_are_ignored_and_not_stored() {
        let mut v = seed_shown("08-05-2024 00:02");
        v["extra"] = json!({"anything": [1, 2]});
        assert_eq!(ok(AttrType::DateTime, v), seed_shown("08-05-2024 00:02"));
    }

    #[test]
    fn offset_table_is_sorted_and_distinct() {
        assert!(REAL_OFFSETS.windows(2).all(|w| w[0] < w[1]));
        assert!(REAL_OFFSETS.iter().all(|m| FixedOffset::east_opt(m * 60).is_some()));
        assert_eq!((REAL_OFFSETS[0], REAL_OFFSETS[39]), (-720, 840));
    }

    #[test]
    fn common_formats_are_precompiled_and_render_like_fresh_ones() {
        let dt = DateTime::parse_from_rfc3339("2024-05-07T21:02:09+05:45").expect("instant");
        for f in COMMON_FORMATS {
            let cached = common_format(f).unwrap_or_else(|| panic!("{f} did not compile"));
            assert_eq!(cached.render(&dt), Format::parse(f).expect("compiles").render(&dt), "{f}");
        }
        assert!(common_format("DD-MM-YY").is_none());
    }
}
