//! `trimValidator`: a string is trimmed before it is checked and stored. It changes the value
//! rather than judging it, so it has no check; the `string` checker reads the flag.

use serde_json::Value;

use super::{string_only, Custom, Rules, SettingsError, Validator};

/// The table's line for `trimValidator`.
pub(super) const VALIDATOR: Validator = Validator { name: "trimValidator", applies_to: string_only, install };

fn install(_: &Value, _: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    rules.trim = true;
    Ok(())
}
