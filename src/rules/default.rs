//! `defaultValueValidator {fieldDefaultValue}`: the value a required attribute takes when it is
//! sent empty. Read here as sent; the form compiler runs it through the type's checker once,
//! at load, so what is stored is canonical (and a default that is not a valid value of the
//! type refuses the form).

use serde_json::Value;

use super::settings::is_unset;
use super::{any_type, Custom, Narrowing, Rules, SettingsError, Validator};
use crate::record::StoredValue;

/// The table's line for `defaultValueValidator`.
pub(super) const VALIDATOR: Validator =
    Validator { name: "defaultValueValidator", applies_to: any_type, install, describe };

fn install(cfg: &Value, _: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    rules.default = cfg.get("fieldDefaultValue").filter(|d| !is_unset(d)).map(StoredValue::from_value);
    Ok(())
}

/// An empty value takes the default, so it is accepted whether or not the attribute is required.
fn describe(rules: &Rules, n: &mut Narrowing) {
    n.fills_empty |= rules.default.is_some();
}
