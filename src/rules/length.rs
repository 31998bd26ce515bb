//! `stringInspectionValidator {stringMin, stringMax, stringLength}`: length in characters
//! (Unicode scalar values), not bytes. For `text` and `textWithHeader` the plain text is
//! measured. `0` or `""` leaves a bound unset.

use serde_json::Value;

use super::settings::{count, ordered};
use super::{Custom, Narrowing, Rules, SettingsError, Validator};
use crate::attr_type::AttrType;
use crate::error::ViolationKind;

const NAME: &str = "stringInspectionValidator";

/// The table's line for `stringInspectionValidator`.
pub(super) const VALIDATOR: Validator = Validator { name: NAME, applies_to: AttrType::is_textual, install, describe };

fn install(cfg: &Value, custom: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    let min = count(cfg, NAME, "stringMin")?;
    let max = count(cfg, NAME, "stringMax")?;
    ordered(NAME, ("stringMin", min), ("stringMax", max))?;
    rules.length = Some(LengthRule { min, max, exact: count(cfg, NAME, "stringLength")?, custom });
    Ok(())
}

/// `minLength` and `maxLength` (JSON Schema counts characters too); an exact length is both.
fn describe(rules: &Rules, n: &mut Narrowing) {
    let Some(r) = &rules.length else { return };
    for min in [r.min, r.exact].into_iter().flatten() {
        n.at_least_chars(min);
    }
    for max in [r.max, r.exact].into_iter().flatten() {
        n.at_most_chars(max);
    }
}

/// `stringInspectionValidator`: lengths in characters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LengthRule {
    /// `stringMin`.
    pub min: Option<usize>,
    /// `stringMax`.
    pub max: Option<usize>,
    /// `stringLength`: exact length.
    pub exact: Option<usize>,
    /// `customErrorText`.
    pub custom: Custom,
}

impl LengthRule {
    /// What is wrong with the length of `s`, if anything.
    pub(crate) fn check(&self, s: &str) -> Option<ViolationKind> {
        let len = s.chars().count();
        match (self.exact, self.min, self.max) {
            (Some(expected), _, _) if len != expected => Some(ViolationKind::StringLength { expected, len }),
            (_, Some(min), _) if len < min => Some(ViolationKind::StringMin { min, len }),
            (_, _, Some(max)) if len > max => Some(ViolationKind::StringMax { max, len }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_not_bytes() {
        let rule = LengthRule { min: Some(2), max: Some(3), ..LengthRule::default() };
        assert_eq!(rule.check("жжж"), None);
        assert_eq!(rule.check("ж"), Some(ViolationKind::StringMin { min: 2, len: 1 }));
        assert_eq!(rule.check("жжжж"), Some(ViolationKind::StringMax { max: 3, len: 4 }));
        let exact = LengthRule { exact: Some(2), ..LengthRule::default() };
        assert_eq!(exact.check("abc"), Some(ViolationKind::StringLength { expected: 2, len: 3 }));
    }
}
