//! `emailInspectionValidator`: an address the `validator` crate accepts (HTML5-style rules).

use validator::ValidateEmail;

use super::Custom;
use crate::error::ViolationKind;
use crate::pointer::Pointer;
use crate::types::Cx;

pub(super) fn check(custom: &Custom, s: &str, path: &Pointer, cx: &mut Cx<'_>) {
    if !is_email(s) {
        cx.report_custom(path.clone(), ViolationKind::Email(s.to_owned()), custom.as_deref());
    }
}

/// True for a syntactically valid email address.
pub(crate) fn is_email(s: &str) -> bool {
    s.validate_email()
}
