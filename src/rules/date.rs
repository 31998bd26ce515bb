//! `dateInspectionValidator {min, max}` (the engine's own): inclusive bounds on `fullDate`,
//! compared as instants (offsets taken into account).

use chrono::{DateTime, FixedOffset};

use super::DateRule;
use crate::error::ViolationKind;
use crate::pointer::Pointer;
use crate::types::Cx;

pub(super) fn check(rule: &DateRule, at: &DateTime<FixedOffset>, path: &Pointer, cx: &mut Cx<'_>) {
    let kind = match (rule.min, rule.max) {
        (Some(min), _) if *at < min => ViolationKind::DateMin(min.to_rfc3339()),
        (_, Some(max)) if *at > max => ViolationKind::DateMax(max.to_rfc3339()),
        _ => return,
    };
    cx.report_custom(path.child("fullDate"), kind, rule.custom.as_deref());
}
