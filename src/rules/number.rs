//! `numberInspectionValidator {min, max}` (the engine's own): inclusive bounds.

use super::NumberRule;
use crate::error::ViolationKind;
use crate::pointer::Pointer;
use crate::types::Cx;

pub(super) fn check(rule: &NumberRule, n: f64, path: &Pointer, cx: &mut Cx<'_>) {
    let kind = match (rule.min, rule.max) {
        (Some(min), _) if n < min => ViolationKind::NumberMin { min },
        (_, Some(max)) if n > max => ViolationKind::NumberMax { max },
        _ => return,
    };
    cx.report_custom(path.clone(), kind, rule.custom.as_deref());
}
