//! `listInspectionValidator {minItems, maxItems}` (the engine's own): how many options,
//! entities, intervals or files a value holds.

use serde_json::Value;

use super::settings::{count, ordered};
use super::{Custom, Narrowing, Rules, SettingsError, Validator};
use crate::attr_type::AttrType;
use crate::error::ViolationKind;

const NAME: &str = "listInspectionValidator";

/// The table's line for `listInspectionValidator`.
pub(super) const VALIDATOR: Validator = Validator { name: NAME, applies_to: holds_items, install, describe };

/// Types whose values are lists: a multiselect `list`, entities, intervals, several images or
/// files.
fn holds_items(kind: AttrType) -> bool {
    matches!(
        kind,
        AttrType::List | AttrType::Entity | AttrType::TimeInterval | AttrType::GroupOfImages | AttrType::File
    )
}

fn install(cfg: &Value, custom: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    let (min_items, max_items) = (count(cfg, NAME, "minItems")?, count(cfg, NAME, "maxItems")?);
    ordered(NAME, ("minItems", min_items), ("maxItems", max_items))?;
    rules.list = Some(ListRule { min_items, max_items, custom });
    Ok(())
}

/// `minItems` (of a non-empty value: an empty one skips the validators) and `maxItems`.
fn describe(rules: &Rules, n: &mut Narrowing) {
    let Some(r) = &rules.list else { return };
    if let Some(min) = r.min_items {
        n.at_least_items(min);
    }
    if let Some(max) = r.max_items {
        n.at_most_items(max);
    }
}

/// `listInspectionValidator {minItems, maxItems}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListRule {
    /// Fewest items.
    pub min_items: Option<usize>,
    /// Most items.
    pub max_items: Option<usize>,
    /// `customErrorText`.
    pub custom: Custom,
}

impl ListRule {
    /// `Some` when `count` items are too few or too many.
    pub(crate) fn check(&self, count: usize) -> Option<ViolationKind> {
        match (self.min_items, self.max_items) {
            (Some(min), _) if count < min => Some(ViolationKind::ListMinItems { min, count }),
            (_, Some(max)) if count > max => Some(ViolationKind::ListMaxItems { max, count }),
            _ => None,
        }
    }
}
