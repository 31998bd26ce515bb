//! `stringInspectionValidator`: length in characters (Unicode scalar values), not bytes.
//! For `text` and `textWithHeader` the plain text is measured.

use super::LengthRule;
use crate::error::ViolationKind;
use crate::pointer::Pointer;
use crate::types::Cx;

pub(super) fn check(rule: &LengthRule, s: &str, path: &Pointer, cx: &mut Cx<'_>) {
    let len = s.chars().count();
    let kind = match (rule.exact, rule.min, rule.max) {
        (Some(expected), _, _) if len != expected => ViolationKind::StringLength { expected, len },
        (_, Some(min), _) if len < min => ViolationKind::StringMin { min, len },
        (_, _, Some(max)) if len > max => ViolationKind::StringMax { max, len },
        _ => return,
    };
    cx.report_custom(path.clone(), kind, rule.custom.as_deref());
}
