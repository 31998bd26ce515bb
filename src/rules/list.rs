//! `listInspectionValidator {minItems, maxItems}` (the engine's own): how many options,
//! entities, intervals or files a value holds.

use super::ListRule;
use crate::error::ViolationKind;
use crate::pointer::Pointer;
use crate::types::Cx;

pub(super) fn check(rule: &ListRule, count: usize, path: &Pointer, cx: &mut Cx<'_>) {
    let kind = match (rule.min_items, rule.max_items) {
        (Some(min), _) if count < min => ViolationKind::ListMinItems { min, count },
        (_, Some(max)) if count > max => ViolationKind::ListMaxItems { max, count },
        _ => return,
    };
    cx.report_custom(path.clone(), kind, rule.custom.as_deref());
}
