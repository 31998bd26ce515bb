//! [`Valid<Plan>`] + stored record → new record: the third step of the flow. Pure: no I/O, no
//! failure. Entries of every touched language are re-ordered by the form's `position`
//! (attributes the form does not define, dynamic ones, come last, by marker), and a language
//! without entries is removed: an updated record never keeps an empty list.

use chrono::{DateTime, Utc};

use crate::form::Form;
use crate::record::{write_timestamp, StoredEntry, UserRecord};
use crate::validate::{LoginChange, Plan, Valid};

/// Turns `next` (the stored record) into the record after the update, in place: the plan's values moved in,
/// `version` bumped, `updatedAt` set to `now` (written into the record's own buffer).
/// `password_hash` is the hash of the plan's new password, if it has one.
pub(crate) fn apply(
    plan: Valid<Plan<'_>>,
    next: &mut UserRecord,
    form: &Form,
    password_hash: Option<String>,
    now: DateTime<Utc>,
) {
    let plan = plan.into_inner();
    let previous_version = next.version;
    // Changes come grouped by language (decoding groups entries so): the list of the current
    // run's language is found again by index, and put in order when the run ends.
    let mut run: Option<(&str, usize)> = None;
    for c in plan.changes {
        let at = match run {
            Some((lang, at)) if lang == c.lang => at,
            _ => {
                if let Some((_, done)) = run {
                    put_in_order(next, done, form);
                }
                let at = match next.form_data.get_index_of(c.lang) {
                    Some(at) => at,
                    None => next.form_data.insert_full(c.lang.to_owned(), Vec::new()).0,
                };
                run = Some((c.lang, at));
                at
            }
        };
        if let Some((_, entries)) = next.form_data.get_index_mut(at) {
            let at = entries.iter().position(|e| *e.marker == *c.marker);
            match (c.value, at) {
                (Some(v), Some(i)) => {
                    // A value sent again unchanged keeps the stored (shared) text, which a
                    // store then has no reason to touch.
                    if entries[i].value.json() != v.json() {
                        entries[i].value = v;
                    }
                    if *entries[i].kind != *c.kind {
                        entries[i].kind = c.kind.into();
                    }
                }
                (Some(v), None) => entries.push(StoredEntry { marker: c.marker.into(), kind: c.kind.into(), value: v }),
                (None, Some(i)) => {
                    entries.remove(i);
                }
                (None, None) => {}
            }
        }
    }
    if let Some((_, done)) = run {
        put_in_order(next, done, form);
    }
    // Only now, so that the indices above stay put: a language without entries goes (one
    // emptied by this update, or an empty list a store handed back).
    next.form_data.retain(|_, entries| !entries.is_empty());
    if !plan.logins.is_empty() {
        set_logins(next, plan.logins, form);
    }
    if password_hash.is_some() {
        next.password_hash = password_hash;
    }
    plan.notification.apply(&mut next.notification_data);
    if let Some(state) = plan.state {
        next.state = state;
    }
    next.version = previous_version + 1;
    next.updated_at.clear();
    write_timestamp(&mut next.updated_at, now);
    if next.created_at.is_empty() {
        next.created_at.clone_from(&next.updated_at);
    }
}

/// The record's logins after `changes`, in the form's `position` order (markers that are no
/// longer the form's logins last, by name: they still hold their identity), and its
/// `identifier`: the first of them, or empty when none is left.
fn set_logins(record: &mut UserRecord, changes: Vec<LoginChange<'_>>, form: &Form) {
    if record.logins.is_empty() {
        // Written before forms could have several logins: its identifier is the first login's.
        if let Some(first) = form.login() {
            if let Some(value) = form.login_value(record, first) {
                record.logins.insert(first.to_owned(), value.to_owned());
            }
        }
    }
    for c in changes {
        record.logins.insert(c.marker.to_owned(), c.display);
    }
    record.logins.sort_by(|a, _, b, _| order(form, a).cmp(&order(form, b)));
    record.identifier.clear();
    if let Some((_, first)) = record.logins.first() {
        record.identifier.push_str(first);
    }
}

/// Orders the entries of the language at index `at` by the form's `position`.
fn put_in_order(record: &mut UserRecord, at: usize, form: &Form) {
    if let Some((_, entries)) = record.form_data.get_index_mut(at) {
        if !entries.is_sorted_by_key(|e| order(form, &e.marker)) {
            entries.sort_by(|a, b| order(form, &a.marker).cmp(&order(form, &b.marker)));
        }
    }
}

/// Sort key of a stored entry: the form's position, then unknown (dynamic) markers by name.
fn order<'m>(form: &Form, marker: &'m str) -> (i64, &'m str) {
    match form.attribute(marker) {
        Some(a) => (a.position, ""),
        None => (i64::MAX, marker),
    }
}
