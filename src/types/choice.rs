//! `radioButton` (one choice) and `list` (one, or several when the attribute is `multiselect`).
//!
//! A choice is an option object `{title, value, extended}` (only `value` is read) or the bare
//! option value (a string or a number). Its value is compared *as text* with the
//! [`ChoiceOption::key`]s of the attribute's `listTitles`; numbers are written as JavaScript's
//! `String(n)` writes them (`1` → `"1"`, `1.50` → `"1.5"`, `1e21` → `"1e+21"`), JSON integers
//! exactly. Accepted shapes:
//!
//! - `radioButton`: an option object, a bare value, or a one-element array of either.
//!   `[]` is an `invalid-value` (a radioButton is cleared with `null`).
//! - `list`: an array of choices (`[]` is an empty list), or a lone object or bare value.
//!
//! The stored value takes `title`, `value` and `extended` from the form, never from the body:
//! one option object for a `radioButton`, an array of them (in the order sent) for a `list`.
//!
//! Violations: `unknown-option` and `duplicate-option` at the choice's value (`path`,
//! `path/i`, or `path/i/value` for an option object); `too-many-options` at `path` for several
//! choices where one is allowed; `invalid-value` for a choice of the wrong JSON type.

use std::borrow::Cow;

use serde_json::Value;

use crate::json::write::ArrayWriter;
use crate::json::{Json, Num};
use crate::record::{StoredValue, ValueSize};

use super::{AttrType, CheckedValue, Cx, Measure};
use crate::error::ViolationKind;
use crate::pointer::Pointer;

/// The options of a `radioButton` or `list`, from the form's `listTitles`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Choices {
    /// The options, in the form's order.
    pub options: Vec<ChoiceOption>,
    /// Whether a `list` takes several options.
    pub multiselect: bool,
}

/// One option of a `radioButton` or `list`: the text a choice is matched by, and the stored
/// shape `{title, value, extended}`, written once when the form is loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceOption {
    key: String,
    stored: StoredValue,
}

impl ChoiceOption {
    /// The option's value as text: how a body's choice is matched.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// An option; its stored shape is written here, once.
    pub fn new(key: String, title: String, value: Value, extended: Value) -> Self {
        let mut m = serde_json::Map::with_capacity(3);
        m.insert("title".into(), Value::String(title));
        m.insert("value".into(), value);
        m.insert("extended".into(), extended);
        ChoiceOption { key, stored: StoredValue::from_value(&Value::Object(m)) }
    }

    /// The stored shape: `{title, value, extended}` from the form.
    pub fn stored(&self) -> &StoredValue {
        &self.stored
    }
}

/// The shape of a `radioButton` value, for messages.
const EXPECT_RADIO: &str = "one option object {title, value, extended} or option value, or a one-element array of it";
/// The shape of one choice, for messages.
const EXPECT_CHOICE: &str = "an option object {title, value, extended} or an option value (string or number)";
/// The shape of an option object's `value`, for messages.
const EXPECT_OPTION_VALUE: &str = "an option value (string or number)";

/// Checks a `radioButton` or `list` value against the attribute's `choices` and returns the
/// options chosen, as the form defines them. Reports every problem of every choice.
pub(crate) fn check(
    kind: AttrType,
    choices_of_form: &Choices,
    value: &Json<'_>,
    path: &Pointer,
    cx: &mut Cx<'_>,
) -> Option<CheckedValue<'static>> {
    let radio = kind == AttrType::RadioButton;
    let (choices, in_array) = match value {
        Json::Array(a) if radio && a.is_empty() => {
            cx.report(path.clone(), ViolationKind::InvalidValue { expected: EXPECT_RADIO });
            return None;
        }
        Json::Array(a) => (*a, true),
        Json::Object(_) | Json::String(_) | Json::Number(_) => (std::slice::from_ref(value), false),
        _ => {
            let expected = if radio { EXPECT_RADIO } else { "an array of choices, or one choice" };
            cx.report(path.clone(), ViolationKind::InvalidValue { expected });
            return None;
        }
    };

    let before = cx.report.len();
    if choices.len() > 1 && (radio || !choices_of_form.multiselect) {
        cx.report(path.clone(), ViolationKind::TooManyOptions(choices.len()));
    }
    let mut chosen: Vec<usize> = Vec::with_capacity(choices.len());
    // Pointers are built only when something is reported.
    let at = |i: usize| if in_array { path.child(i) } else { path.clone() };
    for (i, choice) in choices.iter().enumerate() {
        let Some((in_option, key)) = choice_key(choice, || at(i), cx) else { continue };
        let ptr = || if in_option { at(i).child("value") } else { at(i) };
        match choices_of_form.options.iter().position(|o| o.key() == key) {
            None => cx.report(ptr(), ViolationKind::UnknownOption(key.into_owned())),
            Some(o) if chosen.contains(&o) => cx.report(ptr(), ViolationKind::DuplicateOption(key.into_owned())),
            Some(o) => chosen.push(o),
        }
    }
    if cx.report.len() != before {
        return None;
    }

    // The options' stored text was written when the form was loaded: a radio button shares
    // it, a list joins it.
    let measure = Measure::Items(chosen.len());
    let stored = match chosen.as_slice() {
        [one] if radio => choices_of_form.options[*one].stored().clone(),
        _ => {
            let texts = chosen.iter().map(|&i| choices_of_form.options[i].stored().json());
            let size = ValueSize::exact(texts.clone().map(|t| t.len() + 1).sum::<usize>() + 2);
            StoredValue::written(size, |out| {
                let mut list = ArrayWriter::new(out);
                for text in texts {
                    list.item().push_str(text);
                }
                list.end();
            })
        }
    };
    Some(CheckedValue { stored, measure })
}

/// The text key of one choice at `ptr()`, and whether its problems are reported at the
/// `value` member of an option object. Reports and returns `None` for a malformed choice.
fn choice_key<'j>(choice: &'j Json<'_>, ptr: impl Fn() -> Pointer, cx: &mut Cx<'_>) -> Option<(bool, Cow<'j, str>)> {
    match choice {
        Json::Object(o) => match o.get("value").and_then(json_key) {
            Some(key) => Some((true, key)),
            None => {
                cx.report(ptr().child("value"), ViolationKind::InvalidValue { expected: EXPECT_OPTION_VALUE });
                None
            }
        },
        other => match json_key(other) {
            Some(key) => Some((false, key)),
            None => {
                cx.report(ptr(), ViolationKind::InvalidValue { expected: EXPECT_CHOICE });
                None
            }
        },
    }
}

/// [`value_key`] of a value read from a body.
fn json_key<'j>(v: &'j Json<'_>) -> Option<Cow<'j, str>> {
    match v {
        Json::String(s) => Some(Cow::Borrowed(*s)),
        Json::Number(n) => Some(Cow::Owned(js_number(*n))),
        _ => None,
    }
}

/// An option value as text, the way options are matched: a string as it is, a number as
/// JavaScript's `String(n)` writes it. `None` for anything else (booleans, null, arrays,
/// objects). The form loader should compute [`ChoiceOption::key`] the same way.
pub(crate) fn value_key(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(js_number(n.into())),
        _ => None,
    }
}

/// A JSON number written as JavaScript's `Number.prototype.toString()` writes it (ECMA-262
/// `Number::toString`), except that JSON integers beyond 2^53 are written exactly.
pub(crate) fn js_number(n: Num) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    js_float(n.as_f64().unwrap_or(f64::NAN))
}

/// ECMA-262 `Number::toString(x)` for a finite or non-finite `f64`.
fn js_float(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    if x < 0.0 {
        return format!("-{}", js_float(-x));
    }
    // Rust's `{:e}` gives the shortest round-tripping digits: "d.ddde±N".
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exp: i64 = exp.parse().unwrap_or(0);
    let k = digits.len() as i64;
    let n = exp + 1; // the decimal point sits after `n` digits
    if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(n as usize);
        format!("{int}.{frac}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let sign = if n - 1 < 0 { '-' } else { '+' };
        let e = (n - 1).abs();
        match digits.split_at(1) {
            (d, "") => format!("{d}e{sign}{e}"),
            (d, rest) => format!("{d}.{rest}e{sign}{e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Violation;
    use serde_json::json;

    fn opt(key: &str, title: &str, value: Value, extended: Value) -> ChoiceOption {
        ChoiceOption::new(key.into(), title.into(), value, extended)
    }

    fn attr(multiselect: bool) -> Choices {
        let options = vec![
            opt("1", "red", json!("1"), json!({"value": "красный", "type": "string"})),
            opt("2", "green", json!(2), Value::Null),
            opt("blue", "blue", json!("blue"), Value::Null),
            opt("1.5", "half", json!(1.5), Value::Null),
        ];
        Choices { options, multiselect }
    }

    fn run(kind: AttrType, multi: bool, v: Value) -> (Option<CheckedValue<'static>>, Vec<Violation>) {
        let a = attr(multi);
        crate::types::testing::run("m", |p, cx| check(kind, &a, &Json::from(&v), p, cx))
    }

    fn stored(kind: AttrType, multi: bool, v: Value) -> Value {
        let (p, e) = run(kind, multi, v);
        assert!(e.is_empty(), "{e:?}");
        p.unwrap().stored.to_value()
    }

    fn errs(kind: AttrType, multi: bool, v: Value) -> Vec<(String, &'static str)> {
        run(kind, multi, v).1.iter().map(|e| (e.path.to_string(), e.rule())).collect()
    }

    fn red() -> Value {
        json!({"title": "red", "value": "1", "extended": {"value": "красный", "type": "string"}})
    }

    fn green() -> Value {
        json!({"title": "green", "value": 2, "extended": null})
    }

    #[test]
    fn seed_radio_button() {
        assert_eq!(stored(AttrType::RadioButton, false, red()), red());
    }

    #[test]
    fn seed_list() {
        let (p, _) = run(AttrType::List, false, json!([red()]));
        let p = p.unwrap();
        assert_eq!(p.stored, json!([red()]));
        assert_eq!(p.measure, Measure::Items(1));
    }

    #[test]
    fn radio_shapes() {
        let r = AttrType::RadioButton;
        assert_eq!(stored(r, false, json!("1")), red());
        assert_eq!(stored(r, false, json!(1)), red());
        assert_eq!(stored(r, false, json!(["1"])), red());
        assert_eq!(stored(r, false, json!([{"value": 1}])), red());
        assert_eq!(stored(r, false, json!(2.0)), green());
        assert_eq!(errs(r, false, json!([])), [("/value".into(), "invalid-value")]);
        assert_eq!(errs(r, false, json!(true)), [("/value".into(), "invalid-value")]);
        assert_eq!(errs(r, false, json!(null)), [("/value".into(), "invalid-value")]);
        // multiselect means nothing to a radioButton.
        assert_eq!(errs(r, true, json!(["1", "2"])), [("/value".into(), "too-many-options")]);
    }

    #[test]
    fn title_and_extended_come_from_the_form() {
        let lying = json!({"title": "<script>x</script>", "value": "1", "extended": {"evil": true}});
        assert_eq!(stored(AttrType::RadioButton, false, lying.clone()), red());
        assert_eq!(stored(AttrType::List, false, json!([lying])), json!([red()]));
        assert_eq!(stored(AttrType::List, false, json!([{"value": "2"}])), json!([green()]));
    }

    #[test]
    fn list_shapes() {
        let l = AttrType::List;
        assert_eq!(stored(l, false, json!(["1"])), json!([red()]));
        assert_eq!(stored(l, false, json!([1])), json!([red()]));
        assert_eq!(stored(l, false, json!("1")), json!([red()]));
        assert_eq!(stored(l, false, red()), json!([red()]));
        assert_eq!(stored(l, true, json!(["2", red(), "blue"]))[0], green());
        assert_eq!(stored(l, true, json!(["blue", "1"])).as_array().unwrap().len(), 2);
        assert_eq!(stored(l, true, json!([1.5]))[0]["title"], "half");
        assert_eq!(stored(l, true, json!(["1.5"]))[0]["title"], "half");
        let (p, _) = run(l, false, json!([]));
        let p = p.unwrap();
        assert_eq!(p.stored, json!([]));
        assert_eq!(p.measure, Measure::Items(0));
        assert!(p.is_empty());
        assert_eq!(errs(l, true, json!(false)), [("/value".into(), "invalid-value")]);
    }

    #[test]
    fn order_of_a_list_is_the_order_sent() {
        let s = stored(AttrType::List, true, json!(["blue", "2", "1"]));
        let titles: Vec<_> = s.as_array().unwrap().iter().map(|o| o["title"].as_str().unwrap()).collect();
        assert_eq!(titles, ["blue", "green", "red"]);
    }

    #[test]
    fn rejections() {
        let l = AttrType::List;
        assert_eq!(errs(l, false, json!(["purple"])), [("/value/0".into(), "unknown-option")]);
        assert_eq!(errs(l, false, json!("purple")), [("/value".into(), "unknown-option")]);
        assert_eq!(
            errs(l, false, json!([{"title": "red", "value": "01"}])),
            [("/value/0/value".into(), "unknown-option")]
        );
        assert_eq!(errs(l, false, json!(["Blue"])), [("/value/0".into(), "unknown-option")], "case matters");
        assert_eq!(errs(l, false, json!(["1.50"])), [("/value/0".into(), "unknown-option")], "text, not number");
        assert_eq!(errs(l, true, json!(["1", 1])), [("/value/1".into(), "duplicate-option")]);
        assert_eq!(errs(l, true, json!([red(), {"value": 1}])), [("/value/1/value".into(), "duplicate-option")]);
        assert_eq!(errs(l, false, json!(["1", "2"])), [("/value".into(), "too-many-options")]);
        assert_eq!(
            errs(l, false, json!(["1", "nope", "1", true, [1], {"title": "x"}, {"value": null}])),
            [
                ("/value".into(), "too-many-options"),
                ("/value/1".into(), "unknown-option"),
                ("/value/2".into(), "duplicate-option"),
                ("/value/3".into(), "invalid-value"),
                ("/value/4".into(), "invalid-value"),
                ("/value/5/value".into(), "invalid-value"),
                ("/value/6/value".into(), "invalid-value"),
            ]
        );
        let e = run(l, false, json!(["1", "2", "3"])).1;
        assert_eq!(e[0].kind, ViolationKind::TooManyOptions(3));
        assert_eq!(e[1].kind, ViolationKind::UnknownOption("3".into()));
        assert_eq!(e[1].marker.as_deref(), Some("m"));
    }

    #[test]
    fn numbers_are_written_like_javascript() {
        for (v, s) in [
            (json!(1), "1"),
            (json!(-7), "-7"),
            (json!(1.0), "1"),
            (json!(1.5), "1.5"),
            (json!(-0.0), "0"),
            (json!(0.1), "0.1"),
            (json!(100.0), "100"),
            (json!(1e21), "1e+21"),
            (json!(1.5e21), "1.5e+21"),
            (json!(1e20), "100000000000000000000"),
            (json!(123456.789), "123456.789"),
            (json!(0.000001), "0.000001"),
            (json!(1e-7), "1e-7"),
            (json!(-1.25e-7), "-1.25e-7"),
            (json!(u64::MAX), "18446744073709551615"),
        ] {
            assert_eq!(value_key(&v).as_deref(), Some(s), "{v}");
        }
        assert_eq!(js_float(f64::NAN), "NaN");
        assert_eq!(js_float(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(value_key(&json!(true)), None);
        assert_eq!(value_key(&json!(null)), None);
    }
}
