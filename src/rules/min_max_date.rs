//! `minMaxDateValidator {min, max}`: OneEntry stores it for its admin panel; the engine
//! enforces it on `date`, `dateTime` and `time`, with the settings and meaning of
//! `dateInspectionValidator` (inclusive bounds on `fullDate`, RFC 3339 or `YYYY-MM-DD`), and
//! reports it with the same rules (`date-min`, `date-max`).

use serde_json::Value;

use super::{says_nothing, Custom, DateRule, Rules, SettingsError, Validator};
use crate::attr_type::AttrType;

const NAME: &str = "minMaxDateValidator";

/// The table's line for `minMaxDateValidator`.
pub(super) const VALIDATOR: Validator =
    Validator { name: NAME, applies_to: AttrType::is_moment, install, describe: says_nothing };

fn install(cfg: &Value, custom: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    rules.min_max_date = Some(DateRule::read(cfg, NAME, custom)?);
    Ok(())
}
