//! `regExpValidator`: the pattern must match somewhere in the value, as JavaScript's
//! `RegExp.test` does (anchor it with `^…$` to match the whole value).

use super::PatternRule;
use crate::error::ViolationKind;
use crate::pointer::Pointer;
use crate::types::Cx;

pub(super) fn check(rule: &PatternRule, s: &str, path: &Pointer, cx: &mut Cx<'_>) {
    if !rule.regex.is_match(s) {
        cx.report_custom(path.clone(), ViolationKind::Pattern(rule.regex.as_str().to_owned()), rule.custom.as_deref());
    }
}
