//! The one collector of violations.
//!
//! Every check of an update (the decoder's body-level refusals aside, which stop at the first)
//! adds what it finds here: a JSON Pointer into the body as sent, the attribute's marker where
//! one applies, the kind, and the form's `customErrorText` where the rule has one. Violations
//! stay in the order they were found, which is body order, so the answer is deterministic.
//! Rules themselves never see a `Report`: they return what they found, and their caller adds
//! it here.

use crate::error::{Violation, ViolationKind};
use crate::pointer::Pointer;

/// Violations found so far, in the order found.
#[derive(Debug, Default)]
pub(crate) struct Report {
    violations: Vec<Violation>,
}

impl Report {
    /// An empty report.
    pub fn new() -> Self {
        Report::default()
    }

    /// A violation of the body as a whole (no marker). Cold, as every `add`: the happy path
    /// never reports.
    #[cold]
    pub fn add(&mut self, path: Pointer, kind: ViolationKind) {
        self.violations.push(Violation::new(path, kind));
    }

    /// A violation about `marker`'s entry.
    #[cold]
    pub fn add_for(&mut self, marker: &str, path: Pointer, kind: ViolationKind) {
        self.violations.push(Violation::new(path, kind).with_marker(marker));
    }

    /// A violation about `marker`'s entry whose message the form may replace
    /// (`customErrorText`).
    #[cold]
    pub fn add_custom(&mut self, marker: &str, path: Pointer, kind: ViolationKind, custom: Option<&str>) {
        let mut v = Violation::new(path, kind).with_marker(marker);
        v.custom_message = custom.map(str::to_owned);
        self.violations.push(v);
    }

    /// True when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.violations.is_empty()
    }

    /// How many were found.
    pub fn len(&self) -> usize {
        self.violations.len()
    }

    /// The violations found, in order.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    /// Drops every violation but the last: a body-level one is reported alone.
    pub fn keep_last(&mut self) {
        let before = self.violations.len().saturating_sub(1);
        self.violations.drain(..before);
    }

    /// The violations found, in order, taken out.
    pub fn into_violations(self) -> Vec<Violation> {
        self.violations
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_marker_and_custom_text() {
        let mut r = Report::new();
        assert!(r.is_empty());
        r.add(Pointer::root().child("state"), ViolationKind::StateNotObject);
        r.add_for("age", Pointer::root().child("formData"), ViolationKind::UnknownMarker("age".into()));
        r.add_custom("name", Pointer::root(), ViolationKind::Pattern("^a$".into()), Some("Only a"));
        let v = r.into_violations();
        assert_eq!(
            v.iter().map(Violation::rule).collect::<Vec<_>>(),
            ["state-not-object", "unknown-marker", "pattern"]
        );
        assert_eq!(v[0].marker, None);
        assert_eq!(v[1].marker.as_deref(), Some("age"));
        assert_eq!(v[2].message(), "Only a");
    }
}
