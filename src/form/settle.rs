//! A stored user read from outside, brought to the shape the engine keeps for its form.
//!
//! OneEntry's `getUser` answer (`IUserEntity`) lists every attribute the user filled in in
//! `formData`, the logins among them (OneEntry's demo shop renders the profile's e-mail field
//! from there). The engine keeps login values in the record's `logins` and never in
//! `formData` (SPEC §5), and keeps no password but its hash (SPEC §2). [`Form::settle_user`]
//! moves the one into the other and drops the other, so that a user read with
//! `validate-body --user` (or a fixture's `users`) holds its identities, and an update of a
//! login leaves no stale copy of it behind. [`Form::user_entity`] goes the other way: the
//! record as `getUser` answers it, its logins listed in `formData` where the form places them.

use indexmap::IndexMap;
use serde_json::Value;

use super::Form;
use crate::record::{StoredEntry, StoredValue, UserEntity, UserRecord};

impl Form {
    /// Brings `record` (read from outside: an `IUserEntity`, a hand-written record) to the
    /// engine's shape for this form. Entries of the form's logins leave `formData`; when the
    /// record has no `logins` yet, their values (trimmed, not empty, strings or numbers; the
    /// first language that has one) become its `logins`, in `position` order, and the first of
    /// them its `identifier`. An entry of the password attribute leaves `formData` and is
    /// dropped: only a hash is ever kept. A record the engine wrote has neither kind of entry
    /// and is left as it is.
    pub fn settle_user(&self, record: &mut UserRecord) {
        let adopt = record.logins.is_empty();
        let mut found: IndexMap<String, String> = IndexMap::new();
        for entries in record.form_data.values_mut() {
            entries.retain(|e| {
                if self.password.as_deref() == Some(&*e.marker) {
                    return false;
                }
                if !self.logins.iter().any(|l| **l == *e.marker) {
                    return true;
                }
                let value = match e.value.try_value() {
                    Some(Value::String(s)) => s.trim().to_owned(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => String::new(),
                };
                if adopt && !value.is_empty() && !found.contains_key(&*e.marker) {
                    found.insert(e.marker.to_string(), value);
                }
                false
            });
        }
        record.form_data.retain(|_, entries| !entries.is_empty());
        if found.is_empty() {
            return;
        }
        for login in &self.logins {
            if let Some(value) = found.shift_remove(login) {
                record.logins.insert(login.clone(), value);
            }
        }
        if let Some((_, first)) = record.logins.first() {
            record.identifier.clone_from(first);
        }
    }
}

impl Form {
    /// `record` as OneEntry's `getUser(lang)` answers it ([`UserRecord::to_entity`]), with an
    /// entry for each login that holds a value among `lang`'s entries, where the form's
    /// `position` puts it (OneEntry lists the logins in `formData`; clients render the profile's
    /// e-mail field from there). [`Form::settle_user`] reads such an answer back.
    pub fn user_entity(&self, record: &UserRecord, lang: &str) -> UserEntity {
        let mut entity = record.to_entity(lang);
        let position = |marker: &str| self.attributes.get(marker).map_or(i64::MAX, |a| a.position);
        for login in &self.logins {
            let Some(value) = self.login_value(record, login) else { continue };
            let Some(attr) = self.attributes.get(login) else { continue };
            let at = entity.form_data.iter().position(|e| position(&e.marker) > attr.position);
            let entry = StoredEntry {
                marker: login.as_str().into(),
                kind: attr.kind.name().into(),
                value: StoredValue::from_value(&Value::String(value.to_owned())),
            };
            entity.form_data.insert(at.unwrap_or(entity.form_data.len()), entry);
        }
        entity
    }
}

#[cfg(test)]
mod tests {
    use crate::form::compile::compile;
    use crate::form::Form;
    use crate::record::UserRecord;
    use crate::types::{Services, StoreRoom};
    use crate::{Sanitizer, StaticTokens};
    use serde_json::json;

    fn shop() -> Form {
        let form = json!({"identifier": "shop", "attributes": [
            {"marker": "mail", "type": "string", "position": 1, "isLogin": true},
            {"marker": "phone", "type": "string", "position": 2, "isLogin": true},
            {"marker": "pw", "type": "string", "position": 3, "isPassword": true},
            {"marker": "name", "type": "string", "position": 4}]});
        let (sanitizer, captcha) = (Sanitizer::default(), StaticTokens::default());
        let env = Services { sanitizer: &sanitizer, captcha: &captcha, room: StoreRoom::unlimited() };
        compile("shop.json", form, "en_US", &env).unwrap()
    }

    /// An `IUserEntity` (numeric id, `formData` as one language's array) read as a record.
    fn entity(form_data: serde_json::Value) -> UserRecord {
        let v = json!({"id": 7, "identifier": "ann@shop.example", "formIdentifier": "shop", "formData": form_data});
        UserRecord::from_json(v, "en_US").unwrap()
    }

    #[test]
    fn logins_leave_form_data_and_become_logins() {
        let mut user = entity(json!([{"marker": "phone", "type": "string", "value": " +15550001111 "},
                   {"marker": "mail", "type": "string", "value": "ann@shop.example"},
                   {"marker": "pw", "type": "string", "value": "in clear"},
                   {"marker": "name", "type": "string", "value": "Ann"}]));
        shop().settle_user(&mut user);
        assert_eq!(
            user.logins.iter().collect::<Vec<_>>(),
            [(&"mail".to_owned(), &"ann@shop.example".to_owned()), (&"phone".to_owned(), &"+15550001111".to_owned())]
        );
        assert_eq!(user.identifier, "ann@shop.example");
        let markers: Vec<_> = user.form_data["en_US"].iter().map(|e| e.marker.to_string()).collect();
        assert_eq!(markers, ["name"], "no login and no password left in formData");
    }

    #[test]
    fn kept_logins_win_and_empty_languages_go() {
        let mut user = UserRecord::from_json(
            json!({"id": "u7", "identifier": "ann@shop.example", "logins": {"mail": "ann@shop.example"},
                   "formIdentifier": "shop",
                   "formData": {"en_US": [{"marker": "mail", "type": "string", "value": "stale@shop.example"}]}}),
            "en_US",
        )
        .unwrap();
        shop().settle_user(&mut user);
        assert_eq!(user.logins["mail"], "ann@shop.example");
        assert_eq!(user.identifier, "ann@shop.example");
        assert!(user.form_data.is_empty());
    }

    #[test]
    fn a_record_without_such_entries_is_unchanged() {
        let mut user = entity(json!([{"marker": "name", "type": "string", "value": "Ann"}]));
        let before = user.clone();
        shop().settle_user(&mut user);
        assert_eq!(user, before);
        let mut empty = entity(json!([{"marker": "mail", "type": "string", "value": "  "}]));
        shop().settle_user(&mut empty);
        assert_eq!((empty.identifier.as_str(), empty.logins.len()), ("ann@shop.example", 0));
    }

    #[test]
    fn the_entity_lists_the_logins_where_the_form_places_them() {
        let form = shop();
        let mut user = entity(json!([{"marker": "phone", "type": "string", "value": "+15550001111"},
                   {"marker": "mail", "type": "string", "value": "ann@shop.example"},
                   {"marker": "name", "type": "string", "value": "Ann"}]));
        form.settle_user(&mut user);
        let answer = form.user_entity(&user, "en_US");
        let entries: Vec<_> = answer.form_data.iter().map(|e| (e.marker.to_string(), e.value.to_value())).collect();
        assert_eq!(
            entries,
            [
                ("mail".to_owned(), json!("ann@shop.example")),
                ("phone".to_owned(), json!("+15550001111")),
                ("name".to_owned(), json!("Ann"))
            ]
        );
        // And what it answers reads back as the same user.
        let mut again = UserRecord::from_json(serde_json::to_value(&answer).unwrap(), "en_US").unwrap();
        form.settle_user(&mut again);
        assert_eq!((again.logins, again.form_data), (user.logins, user.form_data));
    }
}
