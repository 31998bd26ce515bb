//! `requiredValidator`: present means required, whatever its object holds (`{"strict": true}`,
//! `true`, `{}`). The rule is the engine's to apply, not a check of a value: a required
//! attribute sent empty or cleared is a 3045, unless a default value applies.

use serde_json::Value;

use super::{any_type, Custom, Narrowing, Rules, SettingsError, Validator};

/// The table's line for `requiredValidator`.
pub(super) const VALIDATOR: Validator =
    Validator { name: "requiredValidator", applies_to: any_type, install, describe };

fn install(_: &Value, custom: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    rules.required = Some(RequiredRule { custom });
    Ok(())
}

/// An empty value is refused (unless a default fills it: `defaultValueValidator`'s part).
fn describe(rules: &Rules, n: &mut Narrowing) {
    n.refuses_empty |= rules.required.is_some();
}

/// `requiredValidator`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequiredRule {
    /// `customErrorText`.
    pub custom: Custom,
}
