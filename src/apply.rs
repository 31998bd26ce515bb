//! [`Valid<Plan>`] + stored record → new record: the third step of the flow. Pure: no I/O, no
//! failure. Entries of every touched language are re-ordered by the form's `position`
//! (attributes the form does not define, dynamic ones, come last, by marker).

use chrono::{DateTime, Utc};

use crate::form::Form;
use crate::record::{write_timestamp, StoredEntry, UserRecord};
use crate::validate::{Plan, Valid};

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
    let mut touched: Vec<&str> = Vec::new();
    // Changes come grouped by language: the list of the last one is found again by index.
    let mut last: Option<(&str, usize)> = None;
    for c in plan.changes {
        let at = match last {
            Some((lang, at)) if lang == c.lang => at,
            _ => {
                let at = match next.form_data.get_index_of(c.lang) {
                    Some(at) => at,
                    None => next.form_data.insert_full(c.lang.to_owned(), Vec::new()).0,
                };
                last = Some((c.lang, at));
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
        if !touched.contains(&c.lang) {
            touched.push(c.lang);
        }
    }
    for lang in touched {
        if let Some(entries) = next.form_data.get_mut(lang) {
            if !entries.is_sorted_by_key(|e| order(form, &e.marker)) {
                entries.sort_by(|a, b| order(form, &a.marker).cmp(&order(form, &b.marker)));
            }
            if entries.is_empty() {
                next.form_data.shift_remove(lang);
            }
        }
    }
    if let Some((identity, _)) = plan.identity {
        next.identifier = identity;
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

/// Sort key of a stored entry: the form's position, then unknown (dynamic) markers by name.
fn order<'m>(form: &Form, marker: &'m str) -> (i64, &'m str) {
    match form.attribute(marker) {
        Some(a) => (a.position, ""),
        None => (i64::MAX, marker),
    }
}
