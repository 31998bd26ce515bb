//! [`Violation`] (where, which marker, what) and [`Rejection`] (every violation of a refused
//! update, with the top-level code chosen by precedence), and how they are written as JSON.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use super::{precedence, ErrorCode, ViolationKind};
use crate::pointer::Pointer;

/// One problem found in an update.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// JSON Pointer into the body as sent.
    pub path: Pointer,
    /// The attribute concerned, where one applies.
    pub marker: Option<String>,
    /// What went wrong.
    pub kind: ViolationKind,
    /// The form's `customErrorText`, which replaces the message.
    pub custom_message: Option<String>,
}

impl Violation {
    /// A violation at `path` with no marker. Cold: only reporting builds one.
    #[cold]
    pub fn new(path: Pointer, kind: ViolationKind) -> Self {
        Violation { path, marker: None, kind, custom_message: None }
    }

    /// The same violation, about `marker`.
    pub fn with_marker(mut self, marker: impl Into<String>) -> Self {
        self.marker = Some(marker.into());
        self
    }

    /// The numeric code.
    pub fn code(&self) -> ErrorCode {
        self.kind.code()
    }

    /// The stable rule name.
    pub fn rule(&self) -> &'static str {
        self.kind.rule()
    }

    /// The message: the form's `customErrorText` when it has one, else the engine's.
    pub fn message(&self) -> String {
        match &self.custom_message {
            Some(m) => m.clone(),
            None => self.kind.to_string(),
        }
    }
}

impl Serialize for Violation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Violation", 5)?;
        st.serialize_field("code", &self.code().as_u16())?;
        st.serialize_field("path", self.path.as_str())?;
        st.serialize_field("marker", &self.marker)?;
        st.serialize_field("rule", self.rule())?;
        st.serialize_field("message", &self.message())?;
        st.end()
    }
}

/// A rejected update: the top-level code and every violation found, in body order.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("update rejected with code {}: {}", self.code().as_u16(), self.summary())]
pub struct Rejection {
    violations: Vec<Violation>,
}

impl Rejection {
    /// A rejection made of these violations (at least one). Public so that a service can add
    /// violations of its own to the engine's (sign-up's missing required attributes) and still
    /// get the top-level code by SPEC §6's precedence.
    pub fn new(violations: Vec<Violation>) -> Self {
        debug_assert!(!violations.is_empty());
        Rejection { violations }
    }

    /// The top-level code: the violation first in SPEC §6's precedence.
    pub fn code(&self) -> ErrorCode {
        self.violations.iter().min_by_key(|v| precedence(&v.kind)).map(|v| v.code()).unwrap_or(ErrorCode::Update)
    }

    /// Every violation, in the order found.
    pub fn violations(&self) -> &[Violation] {
        &self.violations
    }

    fn summary(&self) -> String {
        self.violations
            .iter()
            .map(|v| format!("{} {}: {}", v.path, v.rule(), v.message()))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(kind: ViolationKind) -> Violation {
        Violation::new(Pointer::root(), kind)
    }

    #[test]
    fn precedence_follows_the_spec() {
        let r = Rejection::new(vec![
            v(ViolationKind::IdentityTaken("a".into())),
            v(ViolationKind::Pattern("x".into())),
            v(ViolationKind::Required),
            v(ViolationKind::UnknownMarker("m".into())),
        ]);
        assert_eq!(r.code(), ErrorCode::UnknownProperty);
        let r = Rejection::new(vec![v(ViolationKind::IdentityTaken("a".into())), v(ViolationKind::ReadOnly)]);
        assert_eq!(r.code(), ErrorCode::Update);
        let r = Rejection::new(vec![v(ViolationKind::Required), v(ViolationKind::UnknownForm("f".into()))]);
        assert_eq!(r.code(), ErrorCode::Update);
    }

    #[test]
    fn custom_text_wins() {
        let mut x = v(ViolationKind::Email("nope".into()));
        assert!(x.message().contains("nope"));
        x.custom_message = Some("Enter a valid email".into());
        assert_eq!(x.message(), "Enter a valid email");
        assert_eq!(serde_json::to_value(&x).unwrap()["code"], 3024);
    }
}
