//! The logins of an update: each `isLogin` attribute is an identity (SPEC §2). A value sent for
//! one is checked as an identity ([`identity::prepare`]), asked of the store when its key is new
//! to the user (3018 when another user holds it, whichever of their logins holds it: one
//! namespace), and becomes a [`LoginChange`]; an empty one clears that login, which is refused
//! (3045) when it would leave the user with none.

use super::Validator;
use crate::decode::Body;
use crate::error::ViolationKind;
use crate::form::Attribute;
use crate::identity::{self, IdentityError};
use crate::json::Json;
use crate::pointer::Pointer;
use crate::record::StoredValue;

/// One login the update sets or clears.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LoginChange<'b> {
    /// The login attribute's marker.
    pub marker: &'b str,
    /// The new value (its display form, [`identity::Identity::display`]) and its key
    /// ([`identity::key`]); `None` clears the login.
    pub value: Option<(String, String)>,
    /// Where the body sent it.
    pub path: Pointer,
}

impl<'b> Validator<'_, 'b> {
    /// A login value that passed its attribute's checks: `None` (empty) clears the login.
    pub(super) fn set_login(
        &mut self,
        attr: &'b Attribute,
        value: Option<&StoredValue>,
        path: &Pointer,
        body: &Body<'_>,
    ) {
        let marker = attr.marker.as_str();
        // Each login is first seen under the language-independent slot too, so formData and
        // authData cannot both set one.
        if self.plan.logins.iter().any(|c| c.marker == marker) {
            let kind = ViolationKind::DuplicateMarker(marker.to_owned(), "authData/formData".into());
            return self.report(path.clone(), marker, kind);
        }
        // `null`, `""` or only white space: no identity, so the login is cleared.
        let Some(sent) = value.and_then(StoredValue::as_string).filter(|s| !s.trim().is_empty()) else {
            self.plan.logins.push(LoginChange { marker, value: None, path: path.clone() });
            return;
        };
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
        self.plan.logins.push(LoginChange { marker, value: Some((display, key)), path: path.clone() });
    }

    /// After every entry: a login may be cleared only while another one still holds a value
    /// (SPEC §4: the user's identity can never be cleared). Else the last clearing is a 3045.
    pub(super) fn keep_one_login(&mut self) {
        let Some(cleared) = self.plan.logins.iter().rev().find(|c| c.value.is_none()) else { return };
        let held = self.form.logins().iter().any(|m| match self.plan.logins.iter().find(|c| c.marker == m) {
            Some(change) => change.value.is_some(),
            None => self.form.login_value(self.record, m).is_some(),
        });
        if !held {
            let (path, marker) = (cleared.path.clone(), cleared.marker);
            self.report(path, marker, ViolationKind::Required);
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
