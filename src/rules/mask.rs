//! `fieldMaskValidator`: in `maskValue`, `9` and `#` stand for one ASCII digit and every other
//! character for itself. A non-empty `hint` is a fixed prefix the value must start with, the
//! rest fitting the mask.

use serde_json::Value;

use super::ecma::literal;
use super::settings::text;
use super::{string_only, Custom, Narrowing, Rules, SettingsError, Validator};
use crate::error::ViolationKind;

/// The table's line for `fieldMaskValidator`.
pub(super) const VALIDATOR: Validator =
    Validator { name: "fieldMaskValidator", applies_to: string_only, install, describe };

/// An empty `maskValue` sets no rule.
fn install(cfg: &Value, custom: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    let mask = text(cfg, "maskValue");
    if !mask.is_empty() {
        rules.mask = Some(MaskRule { mask, hint: text(cfg, "hint"), custom });
    }
    Ok(())
}

/// A `pattern`: the hint, then the mask with `9` and `#` as ASCII digits.
fn describe(rules: &Rules, n: &mut Narrowing) {
    if let Some(m) = &rules.mask {
        n.matching(m.pattern());
    }
}

/// `fieldMaskValidator`: `9` and `#` are digits, everything else literal; `hint` a fixed prefix.
#[derive(Debug, Clone, PartialEq)]
pub struct MaskRule {
    /// `maskValue`.
    pub mask: String,
    /// `hint`.
    pub hint: String,
    /// `customErrorText`.
    pub custom: Custom,
}

impl MaskRule {
    /// The mask as a pattern ECMA 262 and the `regex` crate read alike, anchored at both ends.
    fn pattern(&self) -> String {
        let mut p = String::from("^");
        p.extend(self.hint.chars().map(literal));
        for c in self.mask.chars() {
            if c == '9' || c == '#' {
                p.push_str("[0-9]");
            } else {
                p.push_str(&literal(c));
            }
        }
        p.push('$');
        p
    }

    /// `Some` when `s` is not the hint followed by something that fits the mask.
    pub(crate) fn check(&self, s: &str) -> Option<ViolationKind> {
        let fits = s.strip_prefix(self.hint.as_str()).is_some_and(|rest| fits(&self.mask, rest));
        (!fits).then(|| ViolationKind::Mask(format!("{}{}", self.hint, self.mask)))
    }
}

fn fits(mask: &str, value: &str) -> bool {
    let mut v = value.chars();
    for m in mask.chars() {
        match (m, v.next()) {
            ('9' | '#', Some(c)) if c.is_ascii_digit() => {}
            (m, Some(c)) if m != '9' && m != '#' && m == c => {}
            _ => return false,
        }
    }
    v.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::{fits, MaskRule};

    #[test]
    fn as_a_pattern() {
        let m = MaskRule { mask: "+9 (999) 99#".into(), hint: "x.".into(), custom: None };
        assert_eq!(m.pattern(), "^x\\.\\+[0-9] \\([0-9][0-9][0-9]\\) [0-9][0-9][0-9]$");
        let re = regex::Regex::new(&m.pattern()).unwrap();
        assert!(re.is_match("x.+7 (912) 345") && m.check("x.+7 (912) 345").is_none());
        assert!(!re.is_match("x.+7 (912) 34a") && m.check("x.+7 (912) 34a").is_some());
    }

    #[test]
    fn digits_and_literals() {
        assert!(fits("+9 (999) 999-99-99", "+7 (912) 345-67-89"));
        assert!(!fits("+9 (999) 999-99-99", "+7 (912) 345-67-8"));
        assert!(!fits("+9 (999) 999-99-99", "+7 (912) 345-67-890"));
        assert!(!fits("999", "12a"));
        assert!(fits("##-##", "12-34"));
        assert!(!fits("99", "١٢"), "only ASCII digits");
    }
}
