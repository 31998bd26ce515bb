//! Reading an attribute's `validators` object into [`Rules`], through the table of
//! [`crate::rules::VALIDATORS`].
//!
//! Each validator's own file reads its settings. What this loop decides: a validator switched
//! off (`false`, `null`) is skipped; one the engine does not know, or one that does not apply to
//! the attribute's type, is listed as a warning (the latter still read first, so broken
//! settings refuse the form either way); settings that cannot mean anything refuse the form.

use serde_json::{Map, Value};

use super::WarningKind;
use crate::attr_type::AttrType;
use crate::rules::settings::{custom_text, is_off};
use crate::rules::{admin_only, validator, Rules, SettingsError};

/// Reads one validator set (not per-language). Returns the rules and the warnings.
pub(crate) fn parse(kind: AttrType, set: &Map<String, Value>) -> Result<(Rules, Vec<WarningKind>), SettingsError> {
    let mut rules = Rules::default();
    let mut warnings = Vec::new();
    for (name, cfg) in set {
        if is_off(cfg) {
            continue;
        }
        let Some(v) = validator(name) else {
            warnings.push(if admin_only(name) {
                WarningKind::AdminOnlyValidator { name: name.clone() }
            } else {
                WarningKind::UnknownValidator { name: name.clone() }
            });
            continue;
        };
        if (v.applies_to)(kind) {
            (v.install)(cfg, custom_text(cfg), &mut rules)?;
        } else {
            (v.install)(cfg, custom_text(cfg), &mut Rules::default())?;
            warnings.push(WarningKind::ValidatorNotApplicable { name: name.clone(), kind: kind.name() });
        }
    }
    warnings.extend(rules.notes.drain(..).map(WarningKind::from));
    Ok((rules, warnings))
}

/// True when `v` is a per-language validator map: every key shaped like `en_US`, every value an
/// object.
pub(crate) fn is_per_language(v: &Map<String, Value>) -> bool {
    !v.is_empty() && v.iter().all(|(k, val)| crate::lang::lang_shaped(k) && val.is_object())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{EmailRule, LengthRule, RequiredRule};
    use serde_json::json;

    fn p(kind: AttrType, v: Value) -> Result<(Rules, Vec<WarningKind>), SettingsError> {
        parse(kind, v.as_object().unwrap())
    }

    #[test]
    fn numbers_as_strings_and_unset_values() {
        let (r, w) = p(
            AttrType::String,
            json!({"stringInspectionValidator": {"stringMin": "2", "stringMax": 0, "stringLength": ""}}),
        )
        .unwrap();
        assert_eq!(r.length, Some(LengthRule { min: Some(2), max: None, exact: None, custom: None }));
        assert!(w.is_empty());
        assert!(p(AttrType::String, json!({"stringInspectionValidator": {"stringMin": "-1"}})).is_err());
        assert!(
            p(AttrType::String, json!({"stringInspectionValidator": {"stringMin": "9", "stringMax": "3"}})).is_err()
        );
        let (r, _) = p(AttrType::Integer, json!({"numberInspectionValidator": {"min": "0", "max": ""}})).unwrap();
        assert_eq!(r.number.unwrap().min, Some(0.0));
    }

    #[test]
    fn flags_custom_text_and_unknowns() {
        let (r, w) = p(AttrType::String, json!({"emailInspectionValidator": {"customErrorText": " Bad email "}, "requiredValidator": {"strict": true}, "fooValidator": 1, "trimValidator": false})).unwrap();
        assert_eq!(r.email, Some(EmailRule { custom: Some("Bad email".into()) }));
        assert_eq!(r.required, Some(RequiredRule { custom: None }));
        assert!(!r.trim);
        assert_eq!(w, [WarningKind::UnknownValidator { name: "fooValidator".into() }]);
        let (r, w) = p(AttrType::Integer, json!({"emailInspectionValidator": true})).unwrap();
        assert_eq!(w.len(), 1);
        assert!(r.email.is_none(), "an inapplicable validator is dropped, as the warning says");
        let (r, _) = p(AttrType::RadioButton, json!({"listInspectionValidator": {"minItems": 2}})).unwrap();
        assert!(r.list.is_none());
        // Read before it is dropped: broken settings refuse the form even where they would not apply.
        assert!(p(AttrType::Integer, json!({"stringInspectionValidator": {"stringMin": "x"}})).is_err());
    }

    #[test]
    fn dates() {
        let (r, _) = p(
            AttrType::Date,
            json!({"dateInspectionValidator": {"min": "1900-01-01", "max": "2100-01-01T00:00:00+03:00"}}),
        )
        .unwrap();
        assert!(r.date.unwrap().min.is_some());
        assert!(p(AttrType::Date, json!({"dateInspectionValidator": {"min": "yesterday"}})).is_err());
        assert!(
            p(AttrType::Date, json!({"dateInspectionValidator": {"min": "2100-01-01", "max": "1900-01-01"}})).is_err()
        );
    }
}
