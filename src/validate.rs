//! Decoded body + form + stored record → [`Valid<Plan>`]: the second step of the flow.
//!
//! Every entry is checked (type, shape, validators, read-only, credentials) and every violation
//! is collected, in body order; nothing is written here. A [`Plan`] says exactly what the update
//! changes. It only exists as [`Valid<Plan>`] once no violation was found, so the apply step
//! cannot be handed an unchecked plan.

use std::collections::BTreeSet;

use crate::decode::Body;
use crate::error::{Violation, ViolationKind};
use crate::form::{Attribute, Form};
use crate::json::Json;
use crate::notification::{self, NotificationPatch};
use crate::patch;
use crate::pointer::Pointer;
use crate::record::{RecordSize, StoredValue, UserRecord};
use crate::registry::Registry;
use crate::report::Report;
use crate::rules::Rules;
use crate::types::{check_value, AttrType, CheckedValue, Cx, Measure, Services, TypeConfig};

mod compare;
mod logins;
pub(crate) use logins::LoginChange;
mod seen;
use seen::Seen;

/// What an update changes.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Plan<'a> {
    /// `formData` changes, in body order.
    pub changes: Vec<Change<'a>>,
    /// The logins the body sets or clears, one per login marker at most, in body order.
    pub logins: Vec<LoginChange<'a>>,
    /// The new password, in clear (hashed by the engine, once, after validation).
    pub password: Option<String>,
    /// `notificationData` changes.
    pub notification: NotificationPatch<'a>,
    /// The new `state`: the body's patch merged onto the stored state.
    pub state: Option<StoredValue>,
}

/// One `formData` change.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Change<'a> {
    /// Language code.
    pub lang: &'a str,
    /// Marker.
    pub marker: &'a str,
    /// Type name to store.
    pub kind: &'static str,
    /// The canonical value to store, or `None` to remove the entry.
    pub value: Option<StoredValue>,
}

/// A value that passed validation. Only this module can make one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Valid<T>(T);

impl<T> Valid<T> {
    /// The checked value.
    pub fn get(&self) -> &T {
        &self.0
    }

    /// The checked value, taken out (its checks are spent once it is used).
    pub fn into_inner(self) -> T {
        self.0
    }
}

/// Checks `body` against `form` and the stored `record`.
///
/// `identity_check` is asked about a new identity (its [`crate::identity::key`]) and answers
/// the violation it causes, if any (taken by another user, or the store failing to tell).
///
/// The plan borrows from the body (`'b`, which the registry and form outlive too), never from
/// the stored record (`'a`), so the record can be handed on to the apply step.
pub(crate) fn validate<'a, 'b>(
    body: &'b Body<'b>,
    lang: Option<&'b str>,
    form: &'b Form,
    record: &'a UserRecord,
    registry: &'b Registry,
    env: &'a Services<'a>,
    identity_check: &'a dyn Fn(&str) -> Option<ViolationKind>,
) -> Result<Valid<Plan<'b>>, Vec<Violation>> {
    let mut v = Validator {
        form,
        record,
        registry,
        env,
        identity_check,
        out: Report::new(),
        // One change per entry at most: one allocation, however many entries.
        plan: Plan { changes: Vec::with_capacity(body.entries.len()), ..Plan::default() },
        seen: Seen::new(body.arena),
        size: RecordSize::of(record, env.room.record_limit),
        blank_logins: Vec::new(),
    };
    v.run(body, lang);
    if v.out.is_empty() {
        Ok(Valid(v.plan))
    } else {
        Err(v.out.into_violations())
    }
}

struct Validator<'a, 'b> {
    form: &'b Form,
    record: &'a UserRecord,
    registry: &'b Registry,
    env: &'a Services<'a>,
    identity_check: &'a dyn Fn(&str) -> Option<ViolationKind>,
    out: Report,
    plan: Plan<'b>,
    /// (language, marker) pairs already seen, for duplicate detection.
    seen: Seen<'b>,
    /// The size of the record the plan builds.
    size: RecordSize,
    /// Logins sent blank (`null`, `""`, white space) and where: refused once every entry is
    /// read if they hold a value the body does not replace.
    blank_logins: Vec<(&'b str, Pointer)>,
}

impl<'b> Validator<'_, 'b> {
    fn run(&mut self, body: &'b Body<'b>, lang: Option<&'b str>) {
        let default_lang = self.registry.options().default_lang_code.as_str();
        let explicit = body.lang_code.or(lang);
        let lang: &'b str = explicit.unwrap_or(default_lang);
        // An unaccepted language is reported where it came from: the body's (or caller's)
        // `langCode`, or — for the registry's default — only if an entry actually uses it.
        if !self.registry.accepts_language(lang) {
            let at = match explicit {
                Some(_) => Some(Pointer::root().child("langCode")),
                None => body.entries.iter().any(|e| e.lang.is_none()).then(|| Pointer::root().child("formData")),
            };
            if let Some(at) = at {
                self.out.add(at, ViolationKind::UnknownLanguage(lang.to_owned()));
            }
        }
        self.plan.notification = notification::read(body.notification.as_ref(), &mut self.out);

        let mut bad_langs = BTreeSet::new();
        let mut captcha_seen = false;
        for e in &body.entries {
            let entry_lang: &'b str = match e.lang {
                Some(l) => {
                    if !self.registry.accepts_language(l) && bad_langs.insert(l) {
                        self.out.add(
                            Pointer::root().child("formData").child(l),
                            ViolationKind::UnknownLanguage(l.to_string()),
                        );
                    }
                    l
                }
                None => lang,
            };
            if self.form.captcha.as_deref() == Some(e.marker) {
                captcha_seen = true;
            }
            self.entry(entry_lang, e.marker, e.kind.as_ref(), e.value.as_ref(), &e.path, body);
            if self.stopped() {
                return;
            }
        }
        for a in &body.auth {
            self.auth(lang, a.marker, a.value.as_ref(), &a.path, body);
        }
        self.refuse_cleared_logins();
        self.compare_attributes(body, lang);
        if let Some(captcha) = &self.form.captcha {
            if !captcha_seen {
                let kind = ViolationKind::CaptchaRequired(captcha.clone());
                self.out.add_for(captcha, Pointer::root().child("formData"), kind);
            }
        }
        match &body.state {
            Some(patch @ Json::Object(_)) => match patch::merge(&self.record.state, patch, body.arena) {
                Some(merged) => {
                    if !self.size.replace(self.record.state.json().len(), merged.json().len()) {
                        let kind = ViolationKind::RecordTooLarge { limit: self.env.room.record_limit };
                        self.out.add(Pointer::root().child("state"), kind);
                        self.stopped();
                    }
                    self.plan.state = Some(merged);
                }
                None => self.out.add(
                    Pointer::root().child("state"),
                    ViolationKind::Storage("the stored state nests too deep to be read back and merged".into()),
                ),
            },
            Some(_) => self.out.add(Pointer::root().child("state"), ViolationKind::StateNotObject),
            None => {}
        }
    }

    /// True when the last violation is body-level: processing stops, and it is reported alone.
    fn stopped(&mut self) -> bool {
        if !self.out.violations().last().is_some_and(|v| v.kind.is_body_level()) {
            return false;
        }
        self.out.keep_last();
        true
    }

    /// The size of the stored value of `marker` in `lang`, which a change would replace; and
    /// tells the text renderer how large the new one may be.
    fn make_room(&mut self, lang: &str, marker: &str) -> usize {
        let old = self.record.stored(lang, marker).map_or(0, |v| v.json().len());
        self.env.room.record_room.set(self.size.room(old));
        old
    }

    /// Adds a change that replaces a stored value of `old` bytes; reports `record-too-large`
    /// at `path` instead when the record would pass its limit.
    fn change(&mut self, change: Change<'b>, old: usize, path: &Pointer) {
        let new = change.value.as_ref().map_or(0, |v| v.json().len());
        if !self.size.replace(old, new) {
            let kind = ViolationKind::RecordTooLarge { limit: self.env.room.record_limit };
            return self.report(path.clone(), change.marker, kind);
        }
        self.plan.changes.push(change);
    }

    /// A violation about `marker`'s entry.
    fn report(&mut self, path: Pointer, marker: &str, kind: ViolationKind) {
        self.out.add_for(marker, path, kind);
    }

    /// Records (lang, marker) and reports a duplicate. True if it was new. `index` is the
    /// marker's attribute index in the form, if the form defines it.
    fn first_time(&mut self, lang: &'b str, marker: &'b str, index: Option<usize>, path: &Pointer) -> bool {
        let new = match index {
            Some(i) => self.seen.attribute(lang, i, self.form.attributes.len()),
            None => self.seen.other.insert((lang, marker)),
        };
        if new {
            return true;
        }
        self.report(path.child("marker"), marker, ViolationKind::DuplicateMarker(marker.to_owned(), lang.to_owned()));
        false
    }

    fn entry(
        &mut self,
        lang: &'b str,
        marker: &'b str,
        sent_type: Option<&Json<'_>>,
        value: Option<&Json<'_>>,
        path: &Pointer,
        body: &Body<'_>,
    ) {
        let found = self.form.attributes.get_full(marker);
        if !self.first_time(lang, marker, found.map(|(i, _, _)| i), path) {
            return;
        }
        let Some((_, _, attr)) = found else {
            return self.dynamic(lang, marker, sent_type, value, path);
        };
        match sent_type {
            None => {}
            Some(Json::String(t)) if *t == attr.kind.name() => {}
            Some(t) => {
                let sent = t.as_str().map(str::to_owned).unwrap_or_else(|| t.to_string());
                let hint = crate::attr_type::typo_hint(&sent);
                let kind = ViolationKind::TypeMismatch { expected: attr.kind.name(), sent, hint };
                return self.report(path.child("type"), marker, kind);
            }
        }
        if attr.kind == AttrType::Button {
            return self.report(path.child("value"), marker, ViolationKind::ButtonValue);
        }
        let value_path = path.child("value");
        let rules = attr.rules.for_lang(lang);
        if attr.is_password() {
            // Clients send every rendered field, the password input included: never stored here.
            return self.password(marker, rules, value, value_path);
        }
        let old = self.make_room(lang, marker);
        let Some(stored) = self.value(attr, lang, rules, value, &value_path) else {
            return self.refuse_invalid_identity(attr, value, &value_path);
        };
        if attr.kind == AttrType::Spam {
            return; // verified, never stored
        }
        // A login's stored value is in the record's logins, not in its formData.
        let unchanged = if attr.is_login() {
            self.login_unchanged(marker, stored.as_ref())
        } else {
            stored.as_ref() == self.record.stored(lang, marker)
        };
        if attr.read_only && !unchanged {
            return self.report(value_path, marker, ViolationKind::ReadOnly);
        }
        if attr.is_login() {
            return self.set_login(attr, stored.as_ref(), &value_path, body);
        }
        if !attr.feeds.is_empty() {
            if let Some(s) = stored.as_ref().and_then(StoredValue::as_string) {
                self.feed(attr, &s, &value_path, body);
            }
        }
        self.change(Change { lang, marker, kind: attr.kind.name(), value: stored }, old, &value_path);
    }

    /// Checks a value of a form attribute in `lang` (whose `rules` apply). `Some(None)` clears
    /// it, `Some(Some(v))` stores `v`, `None` means a violation was reported.
    fn value(
        &mut self,
        attr: &Attribute,
        lang: &str,
        rules: &Rules,
        value: Option<&Json<'_>>,
        path: &Pointer,
    ) -> Option<Option<StoredValue>> {
        let marker = attr.marker.as_str();
        let Some(value) = value else {
            self.report(path.clone(), marker, ViolationKind::InvalidValue { expected: "an entry with a `value`" });
            return None;
        };
        let parsed = if value.is_null() {
            None
        } else {
            let mut cx = Cx { marker, report: &mut self.out, env: self.env };
            Some(check_value(attr.kind, attr.config_in(lang), value, path, rules.trim, &mut cx)?)
        };
        match parsed {
            Some(p) if !p.is_empty() => {
                let before = self.out.len();
                rules.check(&p.measure, path, marker, &mut self.out);
                (self.out.len() == before).then_some(Some(p.stored))
            }
            empty => {
                if let Some(default) = &rules.default {
                    return Some(Some(default.clone()));
                }
                if let Some(required) = &rules.required {
                    self.out.add_custom(marker, path.clone(), ViolationKind::Required, required.custom.as_deref());
                    return None;
                }
                if attr.kind == AttrType::Spam {
                    self.report(path.clone(), marker, ViolationKind::CaptchaRequired(marker.to_owned()));
                    return None;
                }
                Some(empty.map(|p| p.stored))
            }
        }
    }

    /// A marker the form does not define.
    fn dynamic(
        &mut self,
        lang: &'b str,
        marker: &'b str,
        sent_type: Option<&Json<'_>>,
        value: Option<&Json<'_>>,
        path: &Pointer,
    ) {
        if !self.registry.options().dynamic_properties {
            return self.report(path.child("marker"), marker, ViolationKind::UnknownMarker(marker.to_owned()));
        }
        let kind = match sent_type.and_then(Json::as_str) {
            Some(t) => match AttrType::from_name(t) {
                Some(k) if !k.needs_form_config() => k,
                _ => return self.report(path.child("type"), marker, ViolationKind::UnknownType(t.to_owned())),
            },
            None => {
                return self.report(
                    path.child("type"),
                    marker,
                    ViolationKind::InvalidValue { expected: "a `type` for a dynamic property" },
                )
            }
        };
        let value_path = path.child("value");
        let old = self.make_room(lang, marker);
        let stored = match value {
            None => {
                return self.report(
                    value_path,
                    marker,
                    ViolationKind::InvalidValue { expected: "an entry with a `value`" },
                )
            }
            Some(Json::Null) => None,
            Some(v) => {
                let mut cx = Cx { marker, report: &mut self.out, env: self.env };
                let Some(CheckedValue { stored, .. }) =
                    check_value(kind, &TypeConfig::Plain, v, &value_path, false, &mut cx)
                else {
                    return;
                };
                Some(stored)
            }
        };
        self.change(Change { lang, marker, kind: kind.name(), value: stored }, old, &value_path);
    }

    fn auth(&mut self, lang: &str, marker: &'b str, value: Option<&Json<'_>>, path: &Pointer, body: &Body<'_>) {
        let Some((index, _, attr)) = self.form.attributes.get_full(marker) else {
            return self.report(path.child("marker"), marker, ViolationKind::UnknownMarker(marker.to_owned()));
        };
        if !attr.is_login() && !attr.is_password() {
            return self.report(path.child("marker"), marker, ViolationKind::NotCredential(marker.to_owned()));
        }
        // Credentials are language-independent: one slot each, shared with formData's login.
        if !self.first_time("", marker, Some(index), path) {
            return;
        }
        let value_path = path.child("value");
        let rules = attr.rules.for_lang(lang);
        self.make_room("", marker); // a login is not a stored value: any room the record has
        if attr.is_login() {
            match self.value(attr, lang, rules, value, &value_path) {
                Some(stored) if attr.read_only && !self.login_unchanged(marker, stored.as_ref()) => {
                    self.report(value_path, marker, ViolationKind::ReadOnly)
                }
                Some(stored) => self.set_login(attr, stored.as_ref(), &value_path, body),
                None => self.refuse_invalid_identity(attr, value, &value_path),
            }
            return;
        }
        self.password(marker, rules, value, value_path);
    }

    /// A password value, from authData or formData. Empty or `null` leaves the password as it
    /// is (clients send the empty input with every profile save); a string passes the
    /// attribute's validators and becomes the new password. The same value in both places is
    /// one change; different values are a `password-conflict`, reported at the second.
    fn password(&mut self, marker: &str, rules: &Rules, value: Option<&Json<'_>>, path: Pointer) {
        match value {
            None => self.report(path, marker, ViolationKind::InvalidValue { expected: "an entry with a `value`" }),
            Some(Json::Null | Json::String("")) => {}
            Some(Json::String(s)) => match &self.plan.password {
                Some(set) if set == s => {}
                Some(_) => self.report(path, marker, ViolationKind::PasswordConflict),
                None => {
                    let before = self.out.len();
                    rules.check(&Measure::Text((*s).into()), &path, marker, &mut self.out);
                    if self.out.len() == before {
                        self.plan.password = Some(s.to_string());
                    }
                }
            },
            Some(_) => self.report(path, marker, ViolationKind::InvalidValue { expected: "a password string" }),
        }
    }

    fn feed(&mut self, attr: &Attribute, value: &str, path: &Pointer, body: &Body<'_>) {
        for &f in &attr.feeds {
            notification::feed(
                &mut self.plan.notification,
                body.notification.as_ref(),
                f,
                value,
                path,
                &attr.marker,
                &mut self.out,
            );
        }
    }
}
