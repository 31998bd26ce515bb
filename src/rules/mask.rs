//! `fieldMaskValidator`: in `maskValue`, `9` and `#` stand for one ASCII digit and every other
//! character for itself. A non-empty `hint` is a fixed prefix the value must start with, the
//! rest fitting the mask.

use super::MaskRule;
use crate::error::ViolationKind;
use crate::pointer::Pointer;
use crate::types::Cx;

pub(super) fn check(rule: &MaskRule, s: &str, path: &Pointer, cx: &mut Cx<'_>) {
    let fits = match s.strip_prefix(rule.hint.as_str()) {
        Some(rest) => fits(&rule.mask, rest),
        None => false,
    };
    if !fits {
        cx.report_custom(
            path.clone(),
            ViolationKind::Mask(format!("{}{}", rule.hint, rule.mask)),
            rule.custom.as_deref(),
        );
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
    use super::fits;

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
