//! `checkForNumberValidator` (`true` or an object): the text of a `string` is a decimal number
//! (an optional sign, digits with an optional `.` fraction, an optional exponent). Its reader,
//! [`read_number`], is also what `roundingNumberValidator`, `comparisonValidator` and
//! `checkForAGivenList` use to read a text as a number.

use serde_json::Value;

use super::{says_nothing, string_only, Custom, Rules, SettingsError, Validator};
use crate::error::ViolationKind;

/// The table's line for `checkForNumberValidator`.
pub(super) const VALIDATOR: Validator =
    Validator { name: "checkForNumberValidator", applies_to: string_only, install, describe: says_nothing };

fn install(_: &Value, custom: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    rules.numeric = Some(NumericTextRule { custom });
    Ok(())
}

/// The finite number `s` writes (surrounding spaces allowed), if it is one. Only digits, signs,
/// `.` and an exponent `e` count: `inf`, `NaN`, hexadecimal and thousands separators do not.
pub(crate) fn read_number(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E')) {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// `checkForNumberValidator`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NumericTextRule {
    /// `customErrorText`.
    pub custom: Custom,
}

impl NumericTextRule {
    /// `Some` when `s` is not a number.
    pub(crate) fn check(&self, s: &str) -> Option<ViolationKind> {
        read_number(s).is_none().then(|| ViolationKind::NotNumeric(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_numbers_only() {
        for (s, n) in [("42", 42.0), (" -1.5 ", -1.5), ("+.5", 0.5), ("1e3", 1000.0), ("2.", 2.0)] {
            assert_eq!(read_number(s), Some(n), "{s}");
        }
        for bad in ["", "abc", "1,5", "1 000", "inf", "NaN", "infinity", "0x10", "1e999", "--1", "."] {
            assert_eq!(read_number(bad), None, "{bad}");
            assert!(NumericTextRule::default().check(bad).is_some());
        }
    }
}
