//! Parsing OneEntry `validators` objects into [`Rules`].
//!
//! OneEntry sends validator settings loosely: numbers as strings, `0` or `""` for "unset", a
//! flag as `true` or as an object, and sometimes one set per language code. This module reads
//! all of that once, at registry load, into typed [`Rules`]; a setting that cannot mean anything
//! (a negative length, a regex that does not compile, min above max) is a load error. Unknown
//! validators and validators that do not apply to the attribute's type are ignored and listed
//! as warnings.

use serde_json::{Map, Value};

use crate::record::StoredValue;
use crate::rules::{DateRule, FilesRule, LengthRule, ListRule, MaskRule, NumberRule, PatternRule, Rules};
use crate::types::AttrType;

/// Parses one validator set (not per-language). Returns the rules and warnings.
pub(crate) fn parse(kind: AttrType, v: &Map<String, Value>) -> Result<(Rules, Vec<String>), String> {
    let mut r = Rules::default();
    let mut warnings = Vec::new();
    let textual = matches!(kind, AttrType::String | AttrType::Text | AttrType::TextWithHeader);
    for (name, cfg) in v {
        if is_off(cfg) {
            continue;
        }
        let custom = custom_text(cfg);
        // A validator that does not apply to the type is parsed (so a broken one is still
        // refused) and then dropped, as the warning says.
        let before = r.clone();
        let applies = match name.as_str() {
            "requiredValidator" => {
                r.required = Some(custom);
                true
            }
            "trimValidator" => {
                r.trim = true;
                kind == AttrType::String
            }
            "defaultValueValidator" => {
                // Canonicalised against the type by the compiler, which owns the checkers.
                r.default = cfg.get("fieldDefaultValue").filter(|d| !is_unset(d)).map(StoredValue::from_value);
                true
            }
            "stringInspectionValidator" => {
                let min = count(cfg, "stringMin", name)?;
                let max = count(cfg, "stringMax", name)?;
                let exact = count(cfg, "stringLength", name)?;
                if let (Some(a), Some(b)) = (min, max) {
                    if a > b {
                        return Err(format!("{name}: stringMin {a} is above stringMax {b}"));
                    }
                }
                r.length = Some(LengthRule { min, max, exact, custom });
                textual
            }
            "emailInspectionValidator" => {
                r.email = Some(custom);
                kind == AttrType::String
            }
            "regExpValidator" => {
                if let Some(regex) = pattern(cfg, name)? {
                    r.pattern = Some(PatternRule { regex, custom });
                }
                kind == AttrType::String
            }
            "fieldMaskValidator" => {
                let mask = text(cfg, "maskValue");
                if !mask.is_empty() {
                    r.mask = Some(MaskRule { mask, hint: text(cfg, "hint"), custom });
                }
                kind == AttrType::String
            }
            "numberInspectionValidator" => {
                let min = bound(cfg, "min", name)?;
                let max = bound(cfg, "max", name)?;
                if let (Some(a), Some(b)) = (min, max) {
                    if a > b {
                        return Err(format!("{name}: min {a} is above max {b}"));
                    }
                }
                r.number = Some(NumberRule { min, max, custom });
                matches!(kind, AttrType::Integer | AttrType::Real | AttrType::Float)
            }
            "dateInspectionValidator" => {
                let min = instant(cfg, "min", name)?;
                let max = instant(cfg, "max", name)?;
                if let (Some(a), Some(b)) = (min, max) {
                    if a > b {
                        return Err(format!("{name}: min {a} is after max {b}"));
                    }
                }
                r.date = Some(DateRule { min, max, custom });
                matches!(kind, AttrType::Date | AttrType::DateTime | AttrType::Time)
            }
            "listInspectionValidator" => {
                let min_items = count(cfg, "minItems", name)?;
                let max_items = count(cfg, "maxItems", name)?;
                if let (Some(a), Some(b)) = (min_items, max_items) {
                    if a > b {
                        return Err(format!("{name}: minItems {a} is above maxItems {b}"));
                    }
                }
                r.list = Some(ListRule { min_items, max_items, custom });
                matches!(
                    kind,
                    AttrType::List
                        | AttrType::Entity
                        | AttrType::TimeInterval
                        | AttrType::GroupOfImages
                        | AttrType::File
                )
            }
            "checkingFilesValidator" => {
                r.files = Some(FilesRule {
                    max_units: count(cfg, "maxUnits", name)?,
                    max_size: count(cfg, "maxValue", name)?.map(|n| n as u64),
                    extensions: words(cfg, "extensions", name)?
                        .into_iter()
                        .map(|e| e.trim_start_matches('.').to_lowercase())
                        .collect(),
                    allowed_hosts: words(cfg, "allowedHosts", name)?
                        .into_iter()
                        .map(|h| host(&h))
                        .collect::<Result<_, _>>()?,
                    custom,
                });
                matches!(kind, AttrType::Image | AttrType::GroupOfImages | AttrType::File)
            }
            other => {
                warnings.push(format!("unknown validator `{other}` ignored"));
                continue;
            }
        };
        if !applies {
            r = before;
            warnings.push(format!("validator `{name}` does not apply to type `{}` and is ignored", kind.name()));
        }
    }
    Ok((r, warnings))
}

/// `false`, `null` or an object with `"enabled": false` / `"strict": false` switched off? Only
/// `false` and `null` mean off: SPEC §3 says a present `requiredValidator` means required.
fn is_off(v: &Value) -> bool {
    matches!(v, Value::Null | Value::Bool(false))
}

/// `0`, `""`, `"0"` and `null` mean "unset" in OneEntry's validator settings.
fn is_unset(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

fn custom_text(cfg: &Value) -> Option<String> {
    cfg.get("customErrorText").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

fn text(cfg: &Value, key: &str) -> String {
    match cfg.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// A non-negative whole count where `0`, `"0"`, `""` and `null` mean unset.
fn count(cfg: &Value, key: &str, name: &str) -> Result<Option<usize>, String> {
    let Some(v) = cfg.get(key) else { return Ok(None) };
    if is_unset(v) {
        return Ok(None);
    }
    let f = number(v).ok_or_else(|| format!("{name}.{key}: `{v}` is not a number"))?;
    if f < 0.0 || f.fract() != 0.0 || f > u32::MAX as f64 {
        return Err(format!("{name}.{key}: `{v}` is not a non-negative whole number"));
    }
    Ok((f > 0.0).then_some(f as usize))
}

/// A numeric bound where only `""` and `null` mean unset (`0` is a real bound).
fn bound(cfg: &Value, key: &str, name: &str) -> Result<Option<f64>, String> {
    let Some(v) = cfg.get(key) else { return Ok(None) };
    if is_unset(v) {
        return Ok(None);
    }
    number(v).filter(|f| f.is_finite()).map(Some).ok_or_else(|| format!("{name}.{key}: `{v}` is not a number"))
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// An instant bound: RFC 3339 or `YYYY-MM-DD` (midnight UTC); `""`/`null` unset.
fn instant(cfg: &Value, key: &str, name: &str) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, String> {
    let Some(v) = cfg.get(key) else { return Ok(None) };
    if is_unset(v) {
        return Ok(None);
    }
    let s = v.as_str().ok_or_else(|| format!("{name}.{key}: `{v}` is not a date string"))?;
    parse_instant(s).map(Some).ok_or_else(|| format!("{name}.{key}: `{s}` is not RFC 3339 or YYYY-MM-DD"))
}

/// RFC 3339, or a bare `YYYY-MM-DD` taken as midnight UTC.
pub(crate) fn parse_instant(s: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s.trim()) {
        return Some(d);
    }
    let date = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc().fixed_offset())
}

/// A list of words: a JSON array of strings, or one comma-separated string.
fn words(cfg: &Value, key: &str, name: &str) -> Result<Vec<String>, String> {
    match cfg.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => {
            Ok(s.split(',').map(str::trim).filter(|w| !w.is_empty()).map(str::to_owned).collect())
        }
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str().map(|s| s.trim().to_owned()).ok_or_else(|| format!("{name}.{key}: `{i}` is not a string"))
            })
            .filter(|w| w.as_ref().map_or(true, |w| !w.is_empty()))
            .collect(),
        Some(other) => Err(format!("{name}.{key}: `{other}` is not a list of strings")),
    }
}

/// A host name as the `url` crate writes it (lower-case, punycode), so it compares equal to
/// the host of a parsed `downloadLink`.
fn host(h: &str) -> Result<String, String> {
    url::Url::parse(&format!("http://{h}/"))
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .ok_or_else(|| format!("checkingFilesValidator.allowedHosts: `{h}` is not a host name"))
}

/// `regExpValidator.patternValue`: a bare pattern or a JavaScript literal `/.../flags`.
fn pattern(cfg: &Value, name: &str) -> Result<Option<regex::Regex>, String> {
    let src = text(cfg, "patternValue");
    if src.is_empty() {
        return Ok(None);
    }
    let (body, flags) = match src.strip_prefix('/').and_then(|rest| rest.rsplit_once('/')) {
        Some((body, flags)) if flags.chars().all(|c| "gimsuyd".contains(c)) => (body.to_owned(), flags.to_owned()),
        _ => (src.clone(), String::new()),
    };
    let flags = crate::rules::pattern::Flags {
        case_insensitive: flags.contains('i'),
        multi_line: flags.contains('m'),
        dot_all: flags.contains('s'),
    };
    crate::rules::pattern::compile(&body, flags)
        .map(Some)
        .map_err(|e| format!("{name}.patternValue: `{src}` does not compile: {e}"))
}

/// True when `v` is a per-language validator map: every key shaped like `en_US`, every value an
/// object.
pub(crate) fn is_per_language(v: &Map<String, Value>) -> bool {
    !v.is_empty() && v.iter().all(|(k, val)| crate::registry::lang_shaped(k) && val.is_object())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(kind: AttrType, v: Value) -> Result<(Rules, Vec<String>), String> {
        parse(kind, v.as_object().unwrap())
    }

    #[test]
    fn numbers_as_strings_and_unset_values() {
        let (r, w) = p(
            AttrType::String,
            json!({"stringInspectionValidator": {"stringMin": "2", "stringMax": 0, "stringLength": ""}}),
        )
        .unwrap();
        assert_eq!(r.length, Some(LengthRule { min: Some(2), max: None, exact: None, custom: None }));
        assert!(w.is_empty());
        assert!(p(AttrType::String, json!({"stringInspectionValidator": {"stringMin": "-1"}})).is_err());
        assert!(
            p(AttrType::String, json!({"stringInspectionValidator": {"stringMin": "9", "stringMax": "3"}})).is_err()
        );
        let (r, _) = p(AttrType::Integer, json!({"numberInspectionValidator": {"min": "0", "max": ""}})).unwrap();
        assert_eq!(r.number.unwrap().min, Some(0.0));
    }

    #[test]
    fn flags_custom_text_and_unknowns() {
        let (r, w) = p(AttrType::String, json!({"emailInspectionValidator": {"customErrorText": " Bad email "}, "requiredValidator": {"strict": true}, "fooValidator": 1, "trimValidator": false})).unwrap();
        assert_eq!(r.email, Some(Some("Bad email".into())));
        assert_eq!(r.required, Some(None));
        assert!(!r.trim);
        assert_eq!(w, vec!["unknown validator `fooValidator` ignored".to_string()]);
        let (r, w) = p(AttrType::Integer, json!({"emailInspectionValidator": true})).unwrap();
        assert_eq!(w.len(), 1);
        assert!(r.email.is_none(), "an inapplicable validator is dropped, as the warning says");
        let (r, _) = p(AttrType::RadioButton, json!({"listInspectionValidator": {"minItems": 2}})).unwrap();
        assert!(r.list.is_none());
    }

    #[test]
    fn regex_literals_and_bad_patterns() {
        let (r, _) = p(AttrType::String, json!({"regExpValidator": {"patternValue": "/^ab+$/i"}})).unwrap();
        assert!(r.pattern.unwrap().regex.is_match("ABB"));
        assert!(p(AttrType::String, json!({"regExpValidator": {"patternValue": "(unclosed"}})).is_err());
        let (r, _) = p(AttrType::String, json!({"regExpValidator": {"patternValue": ""}})).unwrap();
        assert!(r.pattern.is_none());
    }

    #[test]
    fn files_and_dates() {
        let (r, _) = p(AttrType::File, json!({"checkingFilesValidator": {"maxUnits": "2", "maxValue": 100, "extensions": ".PNG, jpg", "allowedHosts": ["CDN.example.com"]}})).unwrap();
        let f = r.files.unwrap();
        assert_eq!((f.max_units, f.max_size), (Some(2), Some(100)));
        assert_eq!(f.extensions, vec!["png", "jpg"]);
        assert_eq!(f.allowed_hosts, vec!["cdn.example.com"]);
        let (r, _) = p(
            AttrType::Date,
            json!({"dateInspectionValidator": {"min": "1900-01-01", "max": "2100-01-01T00:00:00+03:00"}}),
        )
        .unwrap();
        assert!(r.date.unwrap().min.is_some());
        assert!(p(AttrType::Date, json!({"dateInspectionValidator": {"min": "yesterday"}})).is_err());
    }
}
