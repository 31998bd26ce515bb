//! Reading validator settings as OneEntry sends them.
//!
//! Numbers often come as strings, `0` or `""` means "unset", a flag comes as `true` or as an
//! object, and any validator may carry `customErrorText`. Each rule's `parse` uses these
//! readers; what cannot mean anything is a [`SettingsError`], which refuses the form at load.

use serde_json::Value;

/// Why a validator's settings cannot be read. The form is refused with it, naming the file and
/// the attribute.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A setting that must be a number is not one.
    #[error("{validator}.{key}: `{value}` is not a number")]
    NotANumber {
        /// The validator's name.
        validator: &'static str,
        /// The setting.
        key: &'static str,
        /// What was given.
        value: String,
    },
    /// A count that is negative, fractional or too large.
    #[error("{validator}.{key}: `{value}` is not a non-negative whole number")]
    NotACount {
        /// The validator's name.
        validator: &'static str,
        /// The setting.
        key: &'static str,
        /// What was given.
        value: String,
    },
    /// A lower bound above its upper bound.
    #[error("{validator}: {low_key} {low} is above {high_key} {high}")]
    Inverted {
        /// The validator's name.
        validator: &'static str,
        /// The lower bound's setting.
        low_key: &'static str,
        /// The upper bound's setting.
        high_key: &'static str,
        /// The lower bound, as written.
        low: String,
        /// The upper bound, as written.
        high: String,
    },
    /// A date bound that is neither RFC 3339 nor `YYYY-MM-DD`.
    #[error("{validator}.{key}: `{value}` is not RFC 3339 or YYYY-MM-DD")]
    NotADate {
        /// The validator's name.
        validator: &'static str,
        /// The setting.
        key: &'static str,
        /// What was given.
        value: String,
    },
    /// A list setting that is neither an array of strings nor a comma-separated string.
    #[error("{validator}.{key}: `{value}` is not a list of strings")]
    NotAList {
        /// The validator's name.
        validator: &'static str,
        /// The setting.
        key: &'static str,
        /// What was given.
        value: String,
    },
    /// A size unit that is not `b`, `kb`, `mb` or `gb`.
    #[error("{validator}.{key}: `{value}` is not a size unit (b, kb, mb or gb)")]
    NotAUnit {
        /// The validator's name.
        validator: &'static str,
        /// The setting.
        key: &'static str,
        /// What was given.
        value: String,
    },
    /// A comparison operator that is not one of `<`, `<=`, `=`, `!=`, `>=`, `>`.
    #[error("{validator}.{key}: `{value}` is not one of <, <=, =, !=, >=, >")]
    NotAnOperator {
        /// The validator's name.
        validator: &'static str,
        /// The setting.
        key: &'static str,
        /// What was given.
        value: String,
    },
    /// A setting the validator needs that is missing or empty.
    #[error("{validator}.{key} is required")]
    Missing {
        /// The validator's name.
        validator: &'static str,
        /// The setting.
        key: &'static str,
    },
    /// An allowed host that is not a host name.
    #[error("{validator}.{key}: `{value}` is not a host name")]
    NotAHost {
        /// The validator's name.
        validator: &'static str,
        /// The setting.
        key: &'static str,
        /// What was given.
        value: String,
    },
    /// A `regExpValidator` pattern that does not compile (or would compile too large).
    #[error("regExpValidator.patternValue: `{pattern}` does not compile: {reason}")]
    Pattern {
        /// The pattern as written.
        pattern: String,
        /// The regex compiler's reason.
        reason: String,
    },
}

/// Only `false` and `null` switch a validator off: SPEC §3 says a present `requiredValidator`
/// means required, whatever its object holds.
pub(crate) fn is_off(v: &Value) -> bool {
    matches!(v, Value::Null | Value::Bool(false))
}

/// `""` and `null` mean "unset" (and `0`, for counts: see [`count`]).
pub(crate) fn is_unset(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// `customErrorText`, trimmed; `None` when absent or blank.
pub(crate) fn custom_text(cfg: &Value) -> Option<String> {
    cfg.get("customErrorText").and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// A text setting (a number is taken as its text); empty when absent.
pub(crate) fn text(cfg: &Value, key: &str) -> String {
    match cfg.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// A non-negative whole count where `0`, `"0"`, `""` and `null` mean unset.
pub(crate) fn count(cfg: &Value, validator: &'static str, key: &'static str) -> Result<Option<usize>, SettingsError> {
    let Some(v) = cfg.get(key) else { return Ok(None) };
    if is_unset(v) {
        return Ok(None);
    }
    let f = number(v).ok_or_else(|| SettingsError::NotANumber { validator, key, value: v.to_string() })?;
    if f < 0.0 || f.fract() != 0.0 || f > f64::from(u32::MAX) {
        return Err(SettingsError::NotACount { validator, key, value: v.to_string() });
    }
    Ok((f > 0.0).then_some(f as usize))
}

/// A numeric bound where only `""` and `null` mean unset (`0` is a real bound).
pub(crate) fn bound(cfg: &Value, validator: &'static str, key: &'static str) -> Result<Option<f64>, SettingsError> {
    let Some(v) = cfg.get(key) else { return Ok(None) };
    if is_unset(v) {
        return Ok(None);
    }
    number(v).map(Some).ok_or_else(|| SettingsError::NotANumber { validator, key, value: v.to_string() })
}

/// A finite number, from a JSON number or a numeric string.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    }
    .filter(|f| f.is_finite())
}

/// `Err(Inverted)` when both bounds are set and `low` is above `high`.
pub(crate) fn ordered<T: PartialOrd + std::fmt::Display>(
    validator: &'static str,
    (low_key, low): (&'static str, Option<T>),
    (high_key, high): (&'static str, Option<T>),
) -> Result<(), SettingsError> {
    match (low, high) {
        (Some(a), Some(b)) if a > b => {
            Err(SettingsError::Inverted { validator, low_key, high_key, low: a.to_string(), high: b.to_string() })
        }
        _ => Ok(()),
    }
}

/// An instant bound, read as a `date` value's `fullDate` is ([`crate::instant::read`]):
/// RFC 3339 or `YYYY-MM-DD` (midnight UTC); `""`/`null` unset.
pub(crate) fn instant(
    cfg: &Value,
    validator: &'static str,
    key: &'static str,
) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, SettingsError> {
    let Some(v) = cfg.get(key) else { return Ok(None) };
    if is_unset(v) {
        return Ok(None);
    }
    let not_a_date = || SettingsError::NotADate { validator, key, value: v.to_string() };
    let s = v.as_str().ok_or_else(not_a_date)?;
    crate::instant::read(s.trim(), true).map(Some).ok_or_else(not_a_date)
}

/// A list of words: a JSON array of strings, or one comma-separated string; blanks dropped.
pub(crate) fn words(cfg: &Value, validator: &'static str, key: &'static str) -> Result<Vec<String>, SettingsError> {
    let not_a_list = |v: &Value| SettingsError::NotAList { validator, key, value: v.to_string() };
    match cfg.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => {
            Ok(s.split(',').map(str::trim).filter(|w| !w.is_empty()).map(str::to_owned).collect())
        }
        Some(list @ Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(|s| s.trim().to_owned()).ok_or_else(|| not_a_list(list)))
            .filter(|w| w.as_ref().map_or(true, |w| !w.is_empty()))
            .collect(),
        Some(other) => Err(not_a_list(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn counts_and_bounds_as_oneentry_sends_them() {
        let cfg = json!({"a": "2", "b": 0, "c": "", "d": "-1", "e": 1.5, "f": "x", "g": "0"});
        assert_eq!(count(&cfg, "v", "a"), Ok(Some(2)));
        assert_eq!(count(&cfg, "v", "b"), Ok(None));
        assert_eq!(count(&cfg, "v", "c"), Ok(None));
        assert_eq!(count(&cfg, "v", "g"), Ok(None));
        assert_eq!(count(&cfg, "v", "missing"), Ok(None));
        assert!(matches!(count(&cfg, "v", "d"), Err(SettingsError::NotACount { .. })));
        assert!(matches!(count(&cfg, "v", "e"), Err(SettingsError::NotACount { .. })));
        assert!(matches!(count(&cfg, "v", "f"), Err(SettingsError::NotANumber { .. })));
        assert_eq!(bound(&cfg, "v", "b"), Ok(Some(0.0)), "0 is a real bound");
        assert_eq!(bound(&cfg, "v", "d"), Ok(Some(-1.0)));
        assert!(ordered("v", ("min", Some(3)), ("max", Some(2))).is_err());
        assert!(ordered("v", ("min", Some(2)), ("max", None)).is_ok());
    }

    #[test]
    fn words_and_instants() {
        let cfg = json!({"s": ".png, jpg,,", "a": ["x", " ", "y"], "n": 3, "bad": [1]});
        assert_eq!(words(&cfg, "v", "s").unwrap(), [".png", "jpg"]);
        assert_eq!(words(&cfg, "v", "a").unwrap(), ["x", "y"]);
        assert!(words(&cfg, "v", "n").is_err() && words(&cfg, "v", "bad").is_err());
        let cfg = json!({"a": "1900-01-01", "b": " 2100-01-01T00:00:00+03:00 ", "c": "yesterday", "d": 5});
        assert!(instant(&cfg, "v", "a").unwrap().is_some() && instant(&cfg, "v", "b").unwrap().is_some());
        assert!(instant(&cfg, "v", "c").is_err() && instant(&cfg, "v", "d").is_err());
    }
}
