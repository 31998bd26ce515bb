//! `notificationData`: where the user is notified.
//!
//! The body may give `email`, `phonePush[]` and `phoneSMS`; each given field replaces the stored
//! one, absent fields keep theirs, and an empty `email` or `phoneSMS` counts as absent. Emails
//! are checked with the `validator` crate, `phoneSMS` must be E.164 (`+` then 7 to 15 digits)
//! once the usual phone punctuation is removed, and is stored without it.
//! `phonePush` lists push-notification identifiers (device tokens, not phone numbers): each a
//! non-empty string without control characters of at most 4 KiB, at most 100 distinct ones,
//! duplicates removed, stored as given.
//! Attributes flagged `isNotification*` feed the matching field when the body sets them and does
//! not give that field itself; an empty value feeds nothing. SMS phones, given or fed, may carry
//! the usual phone punctuation (spaces, dashes, dots, parentheses), which is removed before the
//! E.164 check.

use std::borrow::Cow;
use std::collections::HashSet;

use crate::error::ViolationKind;
use crate::form::Feed;
use crate::json::{Json, Object};
use crate::pointer::Pointer;
use crate::record::NotificationData;

const MAX_PUSH_IDS: usize = NotificationData::MAX_PUSH_IDS;
const MAX_PUSH_ID_BYTES: usize = NotificationData::MAX_PUSH_ID_BYTES;
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
            let mut ids = Vec::with_capacity(items.len().min(MAX_PUSH_IDS));
            // A set beside the list: a body can carry tens of thousands of items.
            let mut seen = HashSet::with_capacity(items.len().min(MAX_PUSH_IDS));
            for (i, item) in items.iter().enumerate() {
                match item.as_str().map(push_id) {
                    Some(Ok(id)) => {
                        if seen.insert(id) {
                            ids.push(Cow::Borrowed(id));
                        }
                    }
                    Some(Err(why)) => out.add(at("phonePush").child(i), ViolationKind::PushId(why)),
                    None => out.add(at("phonePush").child(i), ViolationKind::PushId("not a string")),
                }
            }
            if ids.len() > MAX_PUSH_IDS {
                out.add(at("phonePush"), ViolationKind::TooManyPushIds { count: ids.len(), limit: MAX_PUSH_IDS });
            }
            patch.phone_push = Some(ids);
        }
        Some(_) => out.add(
            at("phonePush"),
            ViolationKind::InvalidValue { expected: "an array of push-notification identifiers" },
        ),
    }
    match data.get("phoneSMS") {
        None | Some(Json::Null) => {}
        Some(Json::String(s)) if s.trim().is_empty() => {}
        // SPEC §4: phone punctuation is removed first, as for a phone fed from an attribute.
        Some(Json::String(s)) => match sms_phone(s) {
            Some(phone) if phone == *s => patch.phone_sms = Some(Cow::Borrowed(s)),
            Some(phone) => patch.phone_sms = Some(Cow::Owned(phone)),
            None => out.add(at("phoneSMS"), ViolationKind::Phone(s.to_string())),
        },
        Some(_) => out.add(at("phoneSMS"), ViolationKind::InvalidValue { expected: "a phone number string" }),
    }
    patch
}

/// Feeds an attribute's new value into the patch, unless the body gave that field itself. An
/// empty value feeds nothing. `given` is the body's own notificationData.
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
    if value.is_empty() {
        return;
    }
    match feed {
        Feed::Email if !has("email") => {
            if is_email(value) {
                patch.email = Some(Cow::Owned(value.to_owned()));
            } else {
                out.add_for(marker, path.clone(), ViolationKind::Email(value.to_owned()));
            }
        }
        Feed::PhoneSms if !has("phoneSMS") => match sms_phone(value) {
            Some(phone) => patch.phone_sms = Some(Cow::Owned(phone)),
            None => out.add_for(marker, path.clone(), ViolationKind::Phone(value.to_owned())),
        },
        Feed::PhonePush if !has("phonePush") => match push_id(value) {
            Ok(id) => patch.phone_push = Some(vec![Cow::Owned(id.to_owned())]),
            Err(why) => out.add_for(marker, path.clone(), ViolationKind::PushId(why)),
        },
        _ => {}
    }
}

/// A push-notification identifier (an APNs device token, an FCM registration token, ...): any
/// non-empty string without control characters, at most [`MAX_PUSH_ID_BYTES`]; kept as given.
/// The error says what is wrong with it.
pub(crate) fn push_id(s: &str) -> Result<&str, &'static str> {
    if s.trim().is_empty() {
        Err("empty")
    } else if s.len() > MAX_PUSH_ID_BYTES {
        Err("longer than 4096 bytes")
    } else if s.chars().any(char::is_control) {
        Err("contains a control character")
    } else {
        Ok(s)
    }
}

/// An SMS phone as stored: `s` trimmed, without the usual phone punctuation (spaces, dashes,
/// dots, parentheses), when that is E.164; `None` otherwise.
pub(crate) fn sms_phone(s: &str) -> Option<String> {
    let phone: String = s.trim().chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    is_phone(&phone).then_some(phone)
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
    fn sms_phones_lose_their_punctuation() {
        assert_eq!(sms_phone(" +1 (555) 123-4567 ").as_deref(), Some("+15551234567"));
        assert_eq!(sms_phone("+44.20.7946.0018").as_deref(), Some("+442079460018"));
        assert_eq!(sms_phone("+1 555"), None);
        assert_eq!(sms_phone("1 555 123 4567"), None, "no `+`");
        assert_eq!(sms_phone("+1/555/1234567"), None, "a slash is no phone punctuation");
        for (given, stored) in [("+7 (999) 123-45-67", Some("+79991234567")), ("+79991234567", Some("+79991234567"))] {
            let data = json!({"phoneSMS": given});
            let data = Json::from(&data);
            let mut out = Report::new();
            let p = read(data.as_object(), &mut out);
            assert_eq!(p.phone_sms.as_deref(), stored, "{given}");
            assert!(out.violations().is_empty());
        }
        let data = json!({"phoneSMS": "+7 (999) 12"});
        let data = Json::from(&data);
        let mut out = Report::new();
        assert_eq!(read(data.as_object(), &mut out).phone_sms, None);
        assert_eq!(out.violations()[0].kind.rule(), "phone");
    }

    #[test]
    fn reads_and_reports() {
        let mut out = Report::new();
        let token = "7DD987F846400079F4B03C058365A4869047B4A0";
        let data =
            json!({"email": "a@b.co", "phonePush": [token, "", token, "a\u{7}b", 5], "phoneSMS": "", "state": {}});
        let data = Json::from(&data);
        let p = read(data.as_object(), &mut out);
        assert_eq!(p.email.as_deref(), Some("a@b.co"));
        assert_eq!(p.phone_sms, None);
        assert_eq!(p.phone_push.as_deref(), Some(&[Cow::Borrowed(token)][..]), "the duplicate is removed");
        let paths: Vec<_> = out.violations().iter().map(|v| (v.path.as_str(), v.kind.rule())).collect();
        assert_eq!(
            paths,
            [
                ("/notificationData/phonePush/1", "push-id"),
                ("/notificationData/phonePush/3", "push-id"),
                ("/notificationData/phonePush/4", "push-id")
            ]
        );
    }

    #[test]
    fn push_ids_are_tokens_up_to_4_kib() {
        let fcm = format!("dGVzdC10b2tlbg:APA91b{}", "x".repeat(140));
        assert_eq!(push_id(&fcm), Ok(fcm.as_str()));
        assert_eq!(push_id("+15557654321"), Ok("+15557654321"), "anything printable, kept as given");
        let longest = "é".repeat(MAX_PUSH_ID_BYTES / 2);
        assert!(push_id(&longest).is_ok());
        assert_eq!(push_id(&format!("{longest}a")), Err("longer than 4096 bytes"));
        assert_eq!(push_id(" \t"), Err("empty"));
        assert_eq!(push_id("abc\ndef"), Err("contains a control character"));
    }

    #[test]
    fn at_most_100_distinct_push_ids() {
        let ids = |n: usize| (0..n).map(|i| format!("token-{i}")).collect::<Vec<_>>();
        let mut out = Report::new();
        let mut hundred = ids(MAX_PUSH_IDS);
        hundred.extend(ids(MAX_PUSH_IDS)); // duplicates do not count
        let data = json!({ "phonePush": hundred });
        let data = Json::from(&data);
        assert_eq!(read(data.as_object(), &mut out).phone_push.map(|p| p.len()), Some(MAX_PUSH_IDS));
        assert!(out.is_empty());
        let data = json!({ "phonePush": ids(MAX_PUSH_IDS + 1) });
        let data = Json::from(&data);
        read(data.as_object(), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out.violations()[0].path.as_str(), "/notificationData/phonePush");
        assert_eq!(out.violations()[0].kind, ViolationKind::TooManyPushIds { count: 101, limit: 100 });
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
        let token = "7DD987F846400079F4B03C058365A4869047B4A0";
        feed(&mut p, None, Feed::PhonePush, token, &Pointer::root(), "push", &mut out);
        assert_eq!(p.phone_push, Some(vec![Cow::Borrowed(token)]));
        assert!(out.is_empty());
    }

    #[test]
    fn an_empty_value_feeds_nothing() {
        let mut out = Report::new();
        let mut p = NotificationPatch::default();
        for f in [Feed::Email, Feed::PhoneSms, Feed::PhonePush] {
            feed(&mut p, None, f, " ", &Pointer::root(), "m", &mut out);
        }
        assert_eq!(p, NotificationPatch::default());
        assert!(out.is_empty());
    }
}
