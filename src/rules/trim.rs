//! `trimValidator`: a string is trimmed before it is checked and stored. It changes the value
//! rather than judging it, so it has no check; the `string` checker reads the flag.

use serde_json::Value;

use super::{string_only, Custom, Narrowing, Rules, SettingsError, Validator};

/// The table's line for `trimValidator`.
pub(super) const VALIDATOR: Validator = Validator { name: "trimValidator", applies_to: string_only, install, describe };

fn install(_: &Value, _: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    rules.trim = true;
    Ok(())
}

/// The constraints on a string hold for its trimmed self, which JSON Schema cannot take: the
/// schema keeps only a minimum length (a string is never shorter than its trimmed self).
fn describe(rules: &Rules, n: &mut Narrowing) {
    n.trimmed |= rules.trim;
}
