//! The logins of an update: each `isLogin` attribute is an identity (SPEC §2). A value sent for
//! one is checked as an identity ([`identity::prepare`]), asked of the store when its key is new
//! to the user (3018 when another user holds it, whichever of their logins holds it: one
//! namespace), and becomes a [`LoginChange`]. A login is never cleared: one sent empty (`null`,
//! `""`, white space) while it holds a value is a 3045 (SPEC §4, §6); one that holds none and is
//! sent empty changes nothing (clients send every rendered field, an unused second login
//! included). One login sent in both `formData` and `authData` is one change when the values
//! agree, as the password is.

use super::Validator;
use crate::decode::Body;
use crate::error::ViolationKind;
use crate::form::Attribute;
use crate::identity::{self, IdentityError};
use crate::json::Json;
use crate::pointer::Pointer;
use crate::record::StoredValue;

/// One login the update sets.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LoginChange<'b> {
    /// The login attribute's marker.
    pub marker: &'b str,
    /// The new value: its display form ([`identity::Identity::display`]).
    pub display: String,
    /// Its key ([`identity::key`]).
    pub key: String,
    /// Where the body sent it.
    pub path: Pointer,
}

impl<'b> Validator<'_, 'b> {
    /// A login value that passed its attribute's checks (`None`: empty, refused when the login
    /// holds a value, else nothing to change).
    pub(super) fn set_login(
        &mut self,
        attr: &'b Attribute,
        value: Option<&StoredValue>,
        path: &Pointer,
        body: &Body<'_>,
    ) {
        let marker = attr.marker.as_str();
        // `null`, `""` or only white space: a login can never be cleared. Whether this clears
        // it is known once every entry is read (the body may set it elsewhere, in any order).
        let Some(sent) = value.and_then(StoredValue::as_string).filter(|s| !s.trim().is_empty()) else {
            self.blank_logins.push((marker, path.clone()));
            return;
        };
        // Each login is set once per body: formData and authData may both carry it (clients
        // send every rendered field) when they agree.
        if let Some(earlier) = self.plan.logins.iter().find(|c| c.marker == marker) {
            if earlier.display != sent.trim() && earlier.key != identity::key(&sent) {
                let kind = ViolationKind::DuplicateMarker(marker.to_owned(), "authData/formData".into());
                self.report(path.clone(), marker, kind);
            }
            return;
        }
        let current = self.form.login_value(self.record, marker);
        let (display, key) = match current.filter(|c| sent.trim() == *c) {
            // Sent back as stored: no change, even for a value stored before identities were
            // checked as they are now (clients echo what they read).
            Some(stored) => (stored.to_owned(), identity::key(stored)),
            None => {
                let identity = match identity::prepare(&sent) {
                    Ok(identity) => identity,
                    Err(e) => return self.report(path.clone(), marker, ViolationKind::InvalidIdentity(e)),
                };
                if current.map(identity::key).as_deref() != Some(identity.key()) {
                    if let Some(kind) = (self.identity_check)(identity.key()) {
                        self.report(path.clone(), marker, kind);
                    }
                }
                let key = identity.key().to_owned();
                (identity.into_display(), key)
            }
        };
        self.feed(attr, &display, path, body);
        self.plan.logins.push(LoginChange { marker, display, key, path: path.clone() });
    }

    /// After every entry: a login sent blank that holds a value, and that the body does not set
    /// anywhere else, would be cleared: 3045 at each place it was sent blank.
    pub(super) fn refuse_cleared_logins(&mut self) {
        let blank = std::mem::take(&mut self.blank_logins);
        for (marker, path) in blank {
            let set = self.plan.logins.iter().any(|c| c.marker == marker);
            if !set && self.form.login_value(self.record, marker).is_some() {
                self.report(path, marker, ViolationKind::Required);
            }
        }
    }

    /// A login value that failed its attribute's checks is also told when it cannot be an
    /// identity at all (`invalid-identity` next to, say, `email`), so that a look-alike is
    /// always named as one.
    pub(super) fn refuse_invalid_identity(&mut self, attr: &Attribute, value: Option<&Json<'_>>, path: &Pointer) {
        if !attr.is_login() {
            return;
        }
        let current = self.form.login_value(self.record, &attr.marker);
        let Some(s) = value.and_then(Json::as_str).filter(|s| current != Some(s.trim())) else { return };
        if let Err(e) = identity::prepare(s) {
            if e != IdentityError::Empty {
                self.report(path.clone(), &attr.marker, ViolationKind::InvalidIdentity(e));
            }
        }
    }

    /// True when `value` is the login's stored value as it is (what a `readOnly` login may be
    /// sent as).
    pub(super) fn login_unchanged(&self, marker: &str, value: Option<&StoredValue>) -> bool {
        value.and_then(StoredValue::as_string).as_deref() == self.form.login_value(self.record, marker)
    }
}
