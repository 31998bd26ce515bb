//! `roundingNumberValidator {decimalPlaces}`: a number with at most `decimalPlaces` digits
//! after the decimal point (trailing zeros do not count: `1.50` has one). OneEntry sends it
//! as a flag (`true`, `{}`, `{customErrorText}`): without `decimalPlaces` the number must be
//! whole. On a `string` the text must be a number ([`read_number`]); on `integer`, `real`
//! and `float` the value is the number stored.

use serde_json::Value;

use super::numeric_text::read_number;
use super::settings::bound;
use super::{says_nothing, Custom, Rules, SettingsError, Validator};
use crate::attr_type::AttrType;
use crate::error::ViolationKind;

const NAME: &str = "roundingNumberValidator";

/// The most decimal places a setting may ask for: beyond this an `f64` has no more digits.
const MOST_PLACES: u32 = 20;

/// The table's line for `roundingNumberValidator`.
pub(super) const VALIDATOR: Validator =
    Validator { name: NAME, applies_to: string_or_number, install, describe: says_nothing };

/// `string`, `integer`, `real` and `float`.
pub(super) fn string_or_number(kind: AttrType) -> bool {
    kind == AttrType::String || kind.is_numeric()
}

fn install(cfg: &Value, custom: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    let places = match bound(cfg, NAME, "decimalPlaces")? {
        None => 0,
        Some(p) if p >= 0.0 && p.fract() == 0.0 && p <= f64::from(MOST_PLACES) => p as u32,
        Some(_) => {
            let value = cfg.get("decimalPlaces").map(Value::to_string).unwrap_or_default();
            return Err(SettingsError::NotACount { validator: NAME, key: "decimalPlaces", value });
        }
    };
    rules.rounding = Some(RoundingRule { places, custom });
    Ok(())
}

/// `roundingNumberValidator {decimalPlaces}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoundingRule {
    /// Most digits after the decimal point; 0 means a whole number.
    pub places: u32,
    /// `customErrorText`.
    pub custom: Custom,
}

impl RoundingRule {
    /// `Some` when the text `s` is not a number with at most the rule's decimal places.
    pub(crate) fn check_text(&self, s: &str) -> Option<ViolationKind> {
        let fits = read_number(s).is_some() && decimal_places(s).is_some_and(|p| p <= self.places);
        (!fits).then(|| self.violation(s.to_owned()))
    }

    /// `Some` when the number `n` has more than the rule's decimal places, as written in its
    /// shortest exact form.
    pub(crate) fn check_number(&self, n: f64) -> Option<ViolationKind> {
        let text = n.to_string();
        decimal_places(&text).is_some_and(|p| p > self.places).then(|| self.violation(text))
    }

    fn violation(&self, value: String) -> ViolationKind {
        ViolationKind::DecimalPlaces { value, places: self.places }
    }
}

/// Digits after the decimal point of the number `s` writes, trailing zeros dropped and the
/// exponent taken into account (`1.25e1` has one); `None` when the exponent is not a number.
fn decimal_places(s: &str) -> Option<u32> {
    let s = s.trim();
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], s[i + 1..].parse::<i64>().ok()?),
        None => (s, 0),
    };
    let fraction = mantissa.split_once('.').map_or("", |(_, f)| f).trim_end_matches('0');
    let places = i64::try_from(fraction.len()).ok()?.saturating_sub(exponent).max(0);
    Some(u32::try_from(places).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(cfg: Value) -> Result<RoundingRule, SettingsError> {
        Ok(VALIDATOR.read(&cfg)?.rounding.unwrap_or_default())
    }

    #[test]
    fn flag_shapes_mean_whole_numbers_and_places_are_read() {
        for flag in [json!(true), json!({}), json!({"customErrorText": "x"}), json!({"decimalPlaces": ""})] {
            assert_eq!(rule(flag).unwrap().places, 0);
        }
        assert_eq!(rule(json!({"decimalPlaces": "2"})).unwrap().places, 2);
        assert_eq!(rule(json!({"decimalPlaces": 0})).unwrap().places, 0, "0 is a real setting");
        for bad in [json!({"decimalPlaces": -1}), json!({"decimalPlaces": 1.5}), json!({"decimalPlaces": 99})] {
            assert!(matches!(rule(bad), Err(SettingsError::NotACount { .. })));
        }
        assert!(matches!(rule(json!({"decimalPlaces": "two"})), Err(SettingsError::NotANumber { .. })));
    }

    #[test]
    fn places_of_texts_and_numbers() {
        let two = RoundingRule { places: 2, custom: None };
        for ok in ["1", "-3.14", "2.500", "1.234e1", "5e-2", "7."] {
            assert_eq!(two.check_text(ok), None, "{ok}");
        }
        for bad in ["3.141", "5e-3", "abc", "1.2.3"] {
            assert!(two.check_text(bad).is_some(), "{bad}");
        }
        assert_eq!(two.check_number(19.99), None);
        assert_eq!(two.check_number(1e21), None);
        assert_eq!(two.check_number(0.125), Some(ViolationKind::DecimalPlaces { value: "0.125".into(), places: 2 }));
        let whole = RoundingRule::default();
        assert!(whole.check_number(3.0).is_none() && whole.check_number(3.5).is_some());
        assert_eq!(decimal_places("1e-400"), Some(400));
    }
}
