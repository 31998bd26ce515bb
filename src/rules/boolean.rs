//! `booleanValidator` (`true` or an object): the text of a `string` is `true` or `false`
//! (ASCII case ignored, as form libraries write `True`).

use serde_json::Value;

use super::{says_nothing, string_only, Custom, Rules, SettingsError, Validator};
use crate::error::ViolationKind;

/// The table's line for `booleanValidator`.
pub(super) const VALIDATOR: Validator =
    Validator { name: "booleanValidator", applies_to: string_only, install, describe: says_nothing };

fn install(_: &Value, custom: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    rules.boolean = Some(BooleanRule { custom });
    Ok(())
}

/// `booleanValidator`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BooleanRule {
    /// `customErrorText`.
    pub custom: Custom,
}

impl BooleanRule {
    /// `Some` when `s` is neither `true` nor `false`.
    pub(crate) fn check(&self, s: &str) -> Option<ViolationKind> {
        let ok = s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false");
        (!ok).then(|| ViolationKind::NotBoolean(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn true_or_false() {
        let rule = BooleanRule::default();
        assert!(["true", "false", "TRUE", "False"].iter().all(|s| rule.check(s).is_none()));
        for bad in ["yes", "1", "0", "t", "true ", "truee", "null"] {
            assert_eq!(rule.check(bad), Some(ViolationKind::NotBoolean(bad.to_owned())), "{bad}");
        }
    }
}
