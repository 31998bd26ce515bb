//! `dateInspectionValidator {min, max}` (the engine's own): inclusive bounds on `fullDate`,
//! compared as instants (offsets taken into account). Bounds are RFC 3339 or `YYYY-MM-DD`
//! (midnight UTC).

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::settings::{instant, ordered};
use super::{says_nothing, Custom, Rules, SettingsError, Validator};
use crate::attr_type::AttrType;
use crate::error::ViolationKind;

const NAME: &str = "dateInspectionValidator";

/// The table's line for `dateInspectionValidator`.
pub(super) const VALIDATOR: Validator =
    Validator { name: NAME, applies_to: AttrType::is_moment, install, describe: says_nothing };

fn install(cfg: &Value, custom: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    rules.date = Some(DateRule::read(cfg, NAME, custom)?);
    Ok(())
}

/// `dateInspectionValidator {min, max}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DateRule {
    /// Earliest allowed instant.
    pub min: Option<DateTime<FixedOffset>>,
    /// Latest allowed instant.
    pub max: Option<DateTime<FixedOffset>>,
    /// `customErrorText`.
    pub custom: Custom,
}

impl DateRule {
    /// The `{min, max}` settings of `validator` (this one or `minMaxDateValidator`).
    pub(super) fn read(cfg: &Value, validator: &'static str, custom: Custom) -> Result<DateRule, SettingsError> {
        let (min, max) = (instant(cfg, validator, "min")?, instant(cfg, validator, "max")?);
        ordered(validator, ("min", min), ("max", max))?;
        Ok(DateRule { min, max, custom })
    }

    /// `Some` when `at` is out of bounds.
    pub(crate) fn check(&self, at: &DateTime<FixedOffset>) -> Option<ViolationKind> {
        match (self.min, self.max) {
            (Some(min), _) if *at < min => Some(ViolationKind::DateMin(min.to_rfc3339())),
            (_, Some(max)) if *at > max => Some(ViolationKind::DateMax(max.to_rfc3339())),
            _ => None,
        }
    }
}
