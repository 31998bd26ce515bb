//! `checkForAGivenList {values}`: the value is one of the given `values` (an array of strings
//! or numbers, or one comma-separated string). A `string` matches a value exactly (case
//! counts); a number matches a value that writes the same number (`"2.50"` matches `2.5`).
//! Applies to `string`, `integer`, `real` and `float`. Without `values` (the flag shapes
//! `true`, `{}`) it loads with a warning and checks nothing.

use serde_json::Value;

use super::numeric_text::read_number;
use super::rounding::string_or_number;
use super::settings::words;
use super::{says_nothing, Custom, Note, Rules, SettingsError, Validator};
use crate::error::ViolationKind;

const NAME: &str = "checkForAGivenList";

/// The table's line for `checkForAGivenList`.
pub(super) const VALIDATOR: Validator =
    Validator { name: NAME, applies_to: string_or_number, install, describe: says_nothing };

fn install(cfg: &Value, custom: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    let values = match cfg.get("values") {
        Some(list @ Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(SettingsError::NotAList { validator: NAME, key: "values", value: list.to_string() }),
            })
            .collect::<Result<Vec<_>, _>>()?,
        _ => words(cfg, NAME, "values")?,
    };
    if values.is_empty() {
        rules.notes.push(Note::ChecksNothing(NAME));
    } else {
        rules.given_list = Some(GivenListRule { values, custom });
    }
    Ok(())
}

/// `checkForAGivenList {values}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GivenListRule {
    /// The allowed values, as written.
    pub values: Vec<String>,
    /// `customErrorText`.
    pub custom: Custom,
}

impl GivenListRule {
    /// `Some` when the text `s` is not one of the values.
    pub(crate) fn check_text(&self, s: &str) -> Option<ViolationKind> {
        (!self.values.iter().any(|v| v == s)).then(|| self.violation(s.to_owned()))
    }

    /// `Some` when the number `n` is not one of the values.
    pub(crate) fn check_number(&self, n: f64) -> Option<ViolationKind> {
        (!self.values.iter().any(|v| read_number(v) == Some(n))).then(|| self.violation(n.to_string()))
    }

    fn violation(&self, value: String) -> ViolationKind {
        ViolationKind::NotInGivenList { value, allowed: self.values.join(", ") }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn load(cfg: Value) -> Result<Rules, SettingsError> {
        VALIDATOR.read(&cfg)
    }

    #[test]
    fn one_of_the_values() {
        let r = load(json!({"values": ["S", "M", "L", 42]})).unwrap().given_list.unwrap();
        assert!(r.check_text("M").is_none() && r.check_text("42").is_none());
        assert!(r.check_text("m").is_some() && r.check_text("XL").is_some());
        assert!(r.check_number(42.0).is_none() && r.check_number(41.0).is_some());
        assert_eq!(
            r.check_text("XL"),
            Some(ViolationKind::NotInGivenList { value: "XL".into(), allowed: "S, M, L, 42".into() })
        );
        let r = load(json!({"values": "2.50, 3"})).unwrap().given_list.unwrap();
        assert!(r.check_number(2.5).is_none() && r.check_number(3.0).is_none());
    }

    #[test]
    fn flag_shapes_warn_and_bad_lists_refuse() {
        for flag in [json!(true), json!({}), json!({"values": []})] {
            let rules = load(flag).unwrap();
            assert!(rules.given_list.is_none() && rules.notes.len() == 1);
        }
        assert!(matches!(load(json!({"values": [{"a": 1}]})), Err(SettingsError::NotAList { .. })));
    }
}
