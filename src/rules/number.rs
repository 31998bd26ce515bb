//! `numberInspectionValidator {min, max}` (the engine's own): inclusive bounds on `integer`,
//! `real` and `float` values. Only `""` and `null` leave a bound unset: `0` is a real bound.

use serde_json::Value;

use super::settings::{bound, ordered};
use super::{Custom, Narrowing, Rules, SettingsError, Validator};
use crate::attr_type::AttrType;
use crate::error::ViolationKind;
use crate::json::EXACT_FLOAT_INTEGERS;

const NAME: &str = "numberInspectionValidator";

/// The table's line for `numberInspectionValidator`.
pub(super) const VALIDATOR: Validator = Validator { name: NAME, applies_to: AttrType::is_numeric, install, describe };

fn install(cfg: &Value, custom: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    let (min, max) = (bound(cfg, NAME, "min")?, bound(cfg, NAME, "max")?);
    ordered(NAME, ("min", min), ("max", max))?;
    rules.number = Some(NumberRule { min, max, custom });
    Ok(())
}

/// `minimum` and `maximum`, for bounds below 2^53 in magnitude only: there an `i64` compared
/// as an `f64` (as the engine compares) and exactly (as JSON Schema does) agree; beyond, it
/// may round onto the bound.
fn describe(rules: &Rules, n: &mut Narrowing) {
    let Some(r) = &rules.number else { return };
    let exact = |b: Option<f64>| b.filter(|b| b.abs() < EXACT_FLOAT_INTEGERS);
    if let Some(min) = exact(r.min) {
        n.at_least(min);
    }
    if let Some(max) = exact(r.max) {
        n.at_most(max);
    }
}

/// `numberInspectionValidator {min, max}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NumberRule {
    /// Smallest allowed value.
    pub min: Option<f64>,
    /// Largest allowed value.
    pub max: Option<f64>,
    /// `customErrorText`.
    pub custom: Custom,
}

impl NumberRule {
    /// `Some` when `n` is out of bounds.
    pub(crate) fn check(&self, n: f64) -> Option<ViolationKind> {
        match (self.min, self.max) {
            (Some(min), _) if n < min => Some(ViolationKind::NumberMin { min }),
            (_, Some(max)) if n > max => Some(ViolationKind::NumberMax { max }),
            _ => None,
        }
    }
}
