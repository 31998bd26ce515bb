//! `notificationData`: where the user is notified.
//!
//! The body may give `email`, `phonePush[]` and `phoneSMS`; each given field replaces the stored
//! one, absent fields keep theirs, and an empty `email` or `phoneSMS` counts as absent. Emails
//! are checked with the `validator` crate, phones must be E.164 (`+` then 7 to 15 digits).
//! Attributes flagged `isNotification*` feed the matching field when the body sets them and does
//! not give that field itself; their values may carry the usual phone punctuation (spaces,
//! dashes, dots, parentheses), which is removed before the E.164 check.

use std::borrow::Cow;
use std::collections::HashSet;

use crate::error::ViolationKind;
use crate::form::Feed;
use crate::json::{Json, Object};
use crate::pointer::Pointer;
use crate::record::NotificationData;
use crate::report::Report;
use crate::rules::is_email;

/// The fields an update sets; `None` keeps the stored value. Values are borrowed from the body
/// where they appear in it as they are stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct NotificationPatch<'a> {
    /// New email.
    pub email: Option<Cow<'a, str>>,
    /// New push phone list.
    pub phone_push: Option<Vec<Cow<'a, str>>>,
    /// New SMS phone.
    pub phone_sms: Option<Cow<'a, str>>,
}

impl NotificationPatch<'_> {
    /// Applies the patch to stored notification data. A value equal to the stored one leaves
    /// it alone; a changed email or SMS phone is copied into the stored string's own buffer,
    /// a changed push list replaces the stored one.
    pub fn apply(self, to: &mut NotificationData) {
        if let Some(e) = self.email {
            assign(&mut to.email, &e);
        }
        if let Some(p) = self.phone_push {
            if !to.phone_push.iter().eq(p.iter()) {
                to.phone_push = p.into_iter().map(Cow::into_owned).collect();
            }
        }
        if let Some(s) = self.phone_sms {
            assign(&mut to.phone_sms, &s);
        }
    }
}

/// `*to = Some(new)`, reusing the stored string.
fn assign(to: &mut Option<String>, new: &str) {
    match to {
        Some(old) if old == new => {}
        Some(old) => new.clone_into(old),
        None => *to = Some(new.to_owned()),
    }
}

/// Reads the body's `notificationData`, reporting bad fields.
pub(crate) fn read<'a>(data: Option<&Object<'a>>, out: &mut Report) -> NotificationPatch<'a> {
    let mut patch = NotificationPatch::default();
    let Some(data) = data else { return patch };
    let at = |field: &str| Pointer::root().child("notificationData").child(field); // only on a violation
    match data.get("email") {
        None | Some(Json::Null) => {}
        Some(Json::String(s)) if s.trim().is_empty() => {}
        Some(Json::String(s)) => {
            let s = s.trim();
            if is_email(s) {
                patch.email = Some(Cow::Borrowed(s));
            } else {
                out.add(at("email"), ViolationKind::Email(s.to_owned()));
            }
        }
        Some(_) => out.add(at("email"), ViolationKind::InvalidValue { expected: "an email address string" }),
    }
    match data.get("phonePush") {
        None | Some(Json::Null) => {}
        Some(Json::Array(items)) => {
            let mut phones = Vec::with_capacity(items.len());
            // A set beside the list: a body can carry tens of thousands of numbers.
            let mut seen = HashSet::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(p) if is_phone(p) => {
                        if seen.insert(p) {
                            phones.push(Cow::Borrowed(p));
                        }
                    }
                    Some(p) => out.add(at("phonePush").child(i), ViolationKind::Phone(p.to_owned())),
                    None => out.add(
                        at("phonePush").child(i),
                        ViolationKind::InvalidValue { expected: "a phone number string" },
                    ),
                }
            }
            patch.phone_push = Some(phones);
        }
        Some(_) => out.add(at("phonePush"), ViolationKind::InvalidValue { expected: "an array of phone numbers" }),
    }
    match data.get("phoneSMS") {
        None | Some(Json::Null) => {}
        Some(Json::String(s)) if s.trim().is_empty() => {}
        Some(Json::String(s)) if is_phone(s) => patch.phone_sms = Some(Cow::Borrowed(s)),
        Some(Json::String(s)) => out.add(at("phoneSMS"), ViolationKind::Phone(s.to_string())),
        Some(_) => out.add(at("phoneSMS"), ViolationKind::InvalidValue { expected: "a phone number string" }),
    }
    patch
}

/// Feeds an attribute's new value into the patch, unless the body gave that field itself.
/// `given` is the body's own notificationData.
pub(crate) fn feed(
    patch: &mut NotificationPatch<'_>,
    given: Option<&Object<'_>>,
    feed: Feed,
    value: &str,
    path: &Pointer,
    marker: &str,
    out: &mut Report,
) {
    let has = |k: &str| given.and_then(|g| g.get(k)).is_some_and(|v| !v.is_null() && v.as_str() != Some(""));
    let value = value.trim();
    match feed {
        Feed::Email if !has("email") => {
            if is_email(value) {
                patch.email = Some(Cow::Owned(value.to_owned()));
            } else {
                out.add_for(marker, path.clone(), ViolationKind::Email(value.to_owned()));
            }
        }
        Feed::PhoneSms | Feed::PhonePush if !has(if feed == Feed::PhoneSms { "phoneSMS" } else { "phonePush" }) => {
            let phone: String = value.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
            if !is_phone(&phone) {
                out.add_for(marker, path.clone(), ViolationKind::Phone(value.to_owned()));
            } else if feed == Feed::PhoneSms {
                patch.phone_sms = Some(Cow::Owned(phone));
            } else {
                patch.phone_push = Some(vec![Cow::Owned(phone)]);
            }
        }
        _ => {}
    }
}

/// E.164: `+` then 7 to 15 ASCII digits, the first not `0`.
pub(crate) fn is_phone(s: &str) -> bool {
    let Some(digits) = s.strip_prefix('+') else { return false };
    (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn phones() {
        assert!(is_phone("+79991234567") && is_phone("+1555123"));
        assert!(
            !is_phone("79991234567")
                && !is_phone("+123456")
                && !is_phone("+1234567890123456")
                && !is_phone("+7 999")
                && !is_phone("+0123456789")
        );
    }

    #[test]
    fn reads_and_reports() {
        let mut out = Report::new();
        let data = json!({"email": "a@b.co", "phonePush": ["+99999999999", "bad"], "phoneSMS": "", "state": {}});
        let data = Json::from(&data);
        let p = read(data.as_object(), &mut out);
        assert_eq!(p.email.as_deref(), Some("a@b.co"));
        assert_eq!(p.phone_sms, None);
        assert_eq!(out.len(), 1);
        assert_eq!(out.violations()[0].path.as_str(), "/notificationData/phonePush/1");
    }

    #[test]
    fn feeding_respects_given_fields() {
        let mut out = Report::new();
        let mut p = NotificationPatch::default();
        let given = json!({"email": "own@x.io"});
        let given = Json::from(&given);
        feed(&mut p, given.as_object(), Feed::Email, "other@x.io", &Pointer::root(), "email", &mut out);
        assert_eq!(p.email, None);
        feed(&mut p, None, Feed::PhoneSms, "+7 (912) 345-67-89", &Pointer::root(), "phone", &mut out);
        assert_eq!(p.phone_sms.as_deref(), Some("+79123456789"));
        assert!(out.is_empty());
    }
}
