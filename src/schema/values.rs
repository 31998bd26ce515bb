//! The schema of one attribute's value: its type's shape narrowed by the validators JSON
//! Schema can express exactly (lengths, masks, number bounds, options, item counts, file sizes
//! and extensions).

use serde_json::{json, Map, Value};

use super::pattern::{portable_pattern, META};
use super::shapes::{shape, Shape};
use super::{value_shape, EXACT_BOUND};
use crate::form::Attribute;
use crate::rules::{FilesRule, ListRule, MaskRule, NumberRule, Rules};
use crate::types::{value_key, AttrType, TypeConfig};

/// The `value` of an entry of `a` under one language's `config` (options) and `rules`, `null`
/// included when it is accepted. `several_logins`: the form has more than one login, so that a
/// login may be cleared while another one holds a value.
pub(super) fn attribute_value(a: &Attribute, config: &TypeConfig, rules: &Rules, several_logins: bool) -> Value {
    // An empty value (null, "", [], ...) skips the validators: it takes the default, or is a
    // 3045 when required, or clears the attribute (a login: only while another one is left).
    let clears = !a.is_login() || several_logins;
    let empty_ok = rules.default.is_some() || (rules.required.is_none() && clears && a.kind != AttrType::Spam);
    let value = match a.kind {
        AttrType::String => string_value(rules, empty_ok, rules.trim),
        AttrType::Integer | AttrType::Real | AttrType::Float => number_value(a.kind, rules.number.as_ref()),
        AttrType::Image | AttrType::GroupOfImages | AttrType::File => {
            let mut s = counts(rules.list.as_ref(), !empty_ok);
            if let Some(f) = &rules.files {
                apply_files(&mut s, f);
            }
            shape(a.kind, &s)
        }
        AttrType::RadioButton | AttrType::List => {
            let mut s = counts(rules.list.as_ref(), !empty_ok);
            s.options = Some(option_values(config));
            s.single = a.kind == AttrType::List && !config.choices().multiselect;
            shape(a.kind, &s)
        }
        AttrType::Entity | AttrType::TimeInterval => shape(a.kind, &counts(rules.list.as_ref(), !empty_ok)),
        AttrType::Spam => shape(a.kind, &Shape { site_key: config.site_key().map(str::to_owned), ..Shape::default() }),
        kind => value_shape(kind),
    };
    if empty_ok {
        json!({"anyOf": [{"type": "null"}, value]})
    } else {
        value
    }
}

pub(super) fn counts(list: Option<&ListRule>, non_empty: bool) -> Shape {
    Shape {
        min_items: list.and_then(|l| l.min_items),
        max_items: list.and_then(|l| l.max_items),
        non_empty,
        ..Shape::default()
    }
}

pub(super) fn apply_files(s: &mut Shape, f: &FilesRule) {
    s.max_items = match (s.max_items, f.max_count) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    s.max_size = f.max_size;
    s.filename_pattern = extension_pattern(&f.extensions);
}

/// A string value. Without trimming, every string validator JSON Schema can express; with
/// it, only the minimum length of a value that must not be empty.
pub(super) fn string_value(rules: &Rules, empty_ok: bool, trim: bool) -> Value {
    let (mut min, mut max) = (0, None::<usize>);
    if let Some(l) = &rules.length {
        min = l.min.unwrap_or(0).max(l.exact.unwrap_or(0));
        max = match (l.max, l.exact) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
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
    let patterns: Vec<String> = rules
        .pattern
        .as_ref()
        .and_then(portable_pattern)
        .into_iter()
        .chain(rules.mask.as_ref().map(mask_pattern))
        .collect();
    match patterns.as_slice() {
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
/// Schema). Bounds at or beyond 2^53 in magnitude are left out.
pub(super) fn number_value(kind: AttrType, rule: Option<&NumberRule>) -> Value {
    let mut v = value_shape(kind);
    let exact = |b: Option<f64>| b.filter(|b| b.abs() < EXACT_BOUND).map(json_number);
    if let Some(rule) = rule {
        let number = &mut v["anyOf"][0];
        if let Some(min) = exact(rule.min) {
            number["minimum"] = min;
        }
        if let Some(max) = exact(rule.max) {
            number["maximum"] = max;
        }
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

// ---------------------------------------------------------------------------------------------
// Patterns.

/// `c` as a pattern literal, outside a class.
pub(super) fn literal(c: char) -> String {
    if META.contains(c) {
        format!("\\{c}")
    } else {
        c.to_string()
    }
}

/// `fieldMaskValidator` as a pattern: the hint, then the mask with `9` and `#` as digits.
pub(super) fn mask_pattern(m: &MaskRule) -> String {
    let mut p = String::from("^");
    p.extend(m.hint.chars().map(literal));
    for c in m.mask.chars() {
        if c == '9' || c == '#' {
            p.push_str("[0-9]");
        } else {
            p.push_str(&literal(c));
        }
    }
    p.push('$');
    p
}

/// `checkingFilesValidator.extensions` as a pattern on the file name, when every extension is
/// ASCII letters and digits (compared case-insensitively: `K` also stands for U+212A KELVIN
/// SIGN, which lower-cases to `k`).
pub(super) fn extension_pattern(extensions: &[String]) -> Option<String> {
    if extensions.is_empty()
        || !extensions.iter().all(|e| !e.is_empty() && e.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return None;
    }
    let alternatives: Vec<String> = extensions
        .iter()
        .map(|e| {
            e.chars()
                .map(|c| match c {
                    'k' | 'K' => "[kK\u{212A}]".to_owned(),
                    c if c.is_ascii_alphabetic() => format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase()),
                    c => c.to_string(),
                })
                .collect()
        })
        .collect();
    Some(format!("\\.(?:{})$", alternatives.join("|")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_extensions_and_options() {
        let m = MaskRule { mask: "+9 (999) 99#".into(), hint: "x.".into(), custom: None };
        assert_eq!(mask_pattern(&m), "^x\\.\\+[0-9] \\([0-9][0-9][0-9]\\) [0-9][0-9][0-9]$");
        assert_eq!(extension_pattern(&["png".into(), "mk4".into()]).unwrap(), "\\.(?:[pP][nN][gG]|[mM][kK\u{212A}]4)$");
        assert_eq!(extension_pattern(&["tar.gz".into()]), None);
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
