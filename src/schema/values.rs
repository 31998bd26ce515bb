//! The schema of one attribute's value: its type's shape narrowed by what its validators say
//! JSON Schema can state exactly. Each validator says it in its own file (its `describe`, into a
//! [`Narrowing`]); this module only places a narrowing into the shape of the value's type.

use serde_json::{json, Map, Value};

use super::shapes::{shape, Shape};
use super::{value_shape, EXACT_BOUND};
use crate::form::Attribute;
use crate::rules::{Narrowing, Rules};
use crate::types::{value_key, AttrType, TypeConfig};

/// The `value` of an entry of `a` under one language's `config` (options) and `rules`, `null`
/// included when it is accepted.
pub(super) fn attribute_value(a: &Attribute, config: &TypeConfig, rules: &Rules) -> Value {
    let n = rules.narrowing();
    // An empty value (null, "", [], ...) skips the validators: it takes the default, or is a
    // 3045 when required, or clears the attribute. A login is never cleared (3045), but one
    // that holds no value may be sent empty (no change): only the stored record tells which,
    // so the schema lets an empty login through.
    let empty_ok = n.fills_empty || (!n.refuses_empty && a.kind != AttrType::Spam);
    let value = match a.kind {
        AttrType::String => string_value(&n, empty_ok, n.trimmed),
        AttrType::Integer | AttrType::Real | AttrType::Float => number_value(a.kind, &n),
        AttrType::Image | AttrType::GroupOfImages | AttrType::File => {
            let s = Shape {
                max_size: n.max_file_bytes,
                filename_pattern: n.file_name_pattern.clone(),
                ..counts(&n, !empty_ok)
            };
            shape(a.kind, &s)
        }
        AttrType::RadioButton | AttrType::List => {
            let mut s = counts(&n, !empty_ok);
            s.options = Some(option_values(config));
            s.single = a.kind == AttrType::List && !config.choices().multiselect;
            shape(a.kind, &s)
        }
        AttrType::Entity | AttrType::TimeInterval => shape(a.kind, &counts(&n, !empty_ok)),
        AttrType::Spam => shape(a.kind, &Shape { site_key: config.site_key().map(str::to_owned), ..Shape::default() }),
        kind => value_shape(kind),
    };
    if empty_ok {
        json!({"anyOf": [{"type": "null"}, value]})
    } else {
        value
    }
}

/// The item counts of an array value.
pub(super) fn counts(n: &Narrowing, non_empty: bool) -> Shape {
    Shape { min_items: n.min_items, max_items: n.max_items, non_empty, ..Shape::default() }
}

/// A string value. Without trimming, every string constraint of `n`; with it, only the
/// minimum length of a value that must not be empty.
pub(super) fn string_value(n: &Narrowing, empty_ok: bool, trim: bool) -> Value {
    let (min, max) = (n.min_chars, n.max_chars);
    let mut out = Map::new();
    // A number is accepted too (stored as JavaScript prints it); the length and pattern
    // keywords below constrain strings only, so every number passes them here.
    out.insert("type".into(), json!(["string", "number"]));
    if trim {
        if !empty_ok {
            out.insert("minLength".into(), json!(min.max(1)));
        }
        return Value::Object(out);
    }
    let mut c = Map::new();
    if min > 0 {
        c.insert("minLength".into(), json!(min));
    }
    if let Some(max) = max {
        c.insert("maxLength".into(), json!(max));
    }
    match n.patterns.as_slice() {
        [] => {}
        [one] => {
            c.insert("pattern".into(), json!(one));
        }
        many => {
            c.insert("allOf".into(), Value::Array(many.iter().map(|p| json!({"pattern": p})).collect()));
        }
    }
    if empty_ok {
        if !c.is_empty() {
            out.insert("anyOf".into(), json!([{"maxLength": 0}, c]));
        }
    } else {
        let min = c.get("minLength").and_then(Value::as_u64).unwrap_or(0).max(1);
        c.insert("minLength".into(), json!(min));
        out.extend(c);
    }
    Value::Object(out)
}

/// A number: the bounds apply to JSON numbers (numeric strings are not compared by JSON
/// Schema).
pub(super) fn number_value(kind: AttrType, n: &Narrowing) -> Value {
    let mut v = value_shape(kind);
    let number = &mut v["anyOf"][0];
    if let Some(min) = n.minimum {
        number["minimum"] = json_number(min);
    }
    if let Some(max) = n.maximum {
        number["maximum"] = json_number(max);
    }
    v
}

pub(super) fn json_number(f: f64) -> Value {
    if f.fract() == 0.0 {
        json!(f as i64)
    } else {
        json!(f)
    }
}

/// Every JSON value a body may give for one of the options of `config`: the option's text, and
/// the numbers JavaScript writes as that text (`"1"` → `1`, `"1.5"` → `1.5`, `"1e+21"` → `1e21`).
pub(super) fn option_values(config: &TypeConfig) -> Vec<Value> {
    let mut out = Vec::new();
    for o in &config.choices().options {
        let k = o.key();
        out.push(Value::String(k.to_owned()));
        let int = k.parse::<i64>().ok().filter(|i| i.to_string() == k).map(Value::from);
        let int = int.or_else(|| k.parse::<u64>().ok().filter(|u| u.to_string() == k).map(Value::from));
        let exact_float = |f: f64| f.fract() == 0.0 && f.abs() < EXACT_BOUND;
        let float = k
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::from)
            .filter(|v| value_key(v).as_deref() == Some(k))
            .filter(|v| !(int.is_some() && v.as_f64().is_some_and(exact_float)));
        out.extend(int);
        out.extend(float);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_values_as_javascript_writes_them() {
        let options = ["1", "1.5", "-0", "1e+21", "1152921504606847000", "x"]
            .map(|key| crate::types::ChoiceOption::new(key.into(), key.into(), json!(key), Value::Null));
        let config = TypeConfig::Choice(crate::types::Choices { options: options.into(), multiselect: true });
        let values = option_values(&config);
        assert_eq!(
            values,
            vec![
                json!("1"),
                json!(1),
                json!("1.5"),
                json!(1.5),
                json!("-0"),
                json!("1e+21"),
                json!(1e21),
                json!("1152921504606847000"),
                json!(1152921504606847000i64),
                json!(1152921504606847000f64),
                json!("x")
            ]
        );
    }
}
