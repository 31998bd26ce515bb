//! Coded errors: the Backendless vocabulary of SPEC §6.
//!
//! Every problem found in an update is a [`Violation`]: where it is (a JSON Pointer into the
//! body as sent), which marker it concerns, and a [`ViolationKind`] that knows its numeric
//! [`ErrorCode`], its stable kebab-case rule name and its English message. The top-level code
//! of a rejected update is chosen by `precedence` (SPEC §6's order).
//!
//! `kind.rs` is the vocabulary (one variant per rule); `violation.rs` what a rejection carries
//! and how it is written.

mod kind;
mod violation;

pub use kind::ViolationKind;
pub use violation::{Rejection, Violation};

/// The numeric codes an update can fail with (Backendless' "Update User Object" errors).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorCode {
    /// 2002: wrong application info, or the application (version) is disabled.
    AppInfo,
    /// 3018: the identity is being changed to a value another user holds.
    IdentityTaken,
    /// 3024: general update error (malformed body, wrong type, invalid value, limits, ...).
    Update,
    /// 3028: nobody is logged in.
    NotLoggedIn,
    /// 3029: the logged-in user targets another user's record.
    OtherUser,
    /// 3030: the target user does not exist.
    UserNotFound,
    /// 3031: a marker the form does not define, with dynamic properties off.
    UnknownProperty,
    /// 3045: a required attribute (or the password) is sent empty or cleared.
    Required,
}

impl ErrorCode {
    /// The number clients see.
    pub fn as_u16(self) -> u16 {
        match self {
            ErrorCode::AppInfo => 2002,
            ErrorCode::IdentityTaken => 3018,
            ErrorCode::Update => 3024,
            ErrorCode::NotLoggedIn => 3028,
            ErrorCode::OtherUser => 3029,
            ErrorCode::UserNotFound => 3030,
            ErrorCode::UnknownProperty => 3031,
            ErrorCode::Required => 3045,
        }
    }
}

/// Where a violation stands in SPEC §6's precedence list; lower wins.
///
/// `2002, 3028, 3029, 3030, body-level 3024, 3031, 3045, value-level 3024, 3018`.
pub(crate) fn precedence(kind: &ViolationKind) -> u8 {
    match kind.code() {
        ErrorCode::AppInfo => 0,
        ErrorCode::NotLoggedIn => 1,
        ErrorCode::OtherUser => 2,
        ErrorCode::UserNotFound => 3,
        ErrorCode::Update if kind.is_body_level() => 4,
        ErrorCode::UnknownProperty => 5,
        ErrorCode::Required => 6,
        ErrorCode::Update => 7,
        ErrorCode::IdentityTaken => 8,
    }
}
