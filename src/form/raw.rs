//! The serde shape of an exported OneEntry form (`IFormsEntity`), read leniently.
//!
//! Only what the engine uses is typed; everything else (ids, `localizeInfos`,
//! `additionalFields`, `moduleFormConfigs`, unknown keys) is ignored, in whatever shape it comes
//! (flat or keyed by language). Fields whose JSON type varies in the wild (`position` as a
//! number or a string, `attributes` as an array, `{}` or an object keyed by marker,
//! `listTitles` flat or keyed by language) are kept as [`Value`] and read by
//! [`super::compile`], which can then report a precise reason.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::LoadErrorKind;
use crate::lang::lang_shaped;

/// An `IFormsEntity`.
#[derive(Debug, Deserialize)]
pub(crate) struct RawForm {
    /// The `formIdentifier`.
    pub identifier: Option<Value>,
    /// An array of attributes, an object of them keyed by marker, `{}` or absent for an empty
    /// form (read by [`attributes`]).
    #[serde(default)]
    pub attributes: Value,
}

/// One attribute of `attributes`, as found: its key when `attributes` is keyed by marker, and
/// the attribute object (not yet read).
pub(crate) struct Found {
    /// The key in `attributes` keyed by marker; `None` in an array.
    pub key: Option<String>,
    /// The attribute.
    pub value: Value,
}

/// The attributes of a form, in file order: from an array, from an object keyed by marker (the
/// admin side's shape), or none (`{}`, `null`, absent).
pub(crate) fn attributes(v: Value) -> Result<Vec<Found>, LoadErrorKind> {
    Ok(match v {
        Value::Null => Vec::new(),
        Value::Array(a) => a.into_iter().map(|value| Found { key: None, value }).collect(),
        Value::Object(m) => m.into_iter().map(|(k, value)| Found { key: Some(k), value }).collect(),
        _ => return Err(LoadErrorKind::AttributesNotAList),
    })
}

/// An `IFormAttribute`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawAttribute {
    pub marker: Option<Value>,
    /// The marker, as the admin side names it.
    pub identifier: Option<Value>,
    #[serde(rename = "type")]
    pub kind: Option<Value>,
    #[serde(default)]
    pub position: Value,
    #[serde(default)]
    pub list_titles: Value,
    #[serde(default)]
    pub multiselect: Value,
    #[serde(default)]
    pub validators: Value,
    #[serde(default)]
    pub settings: Value,
    #[serde(default)]
    pub is_login: Value,
    #[serde(default)]
    pub is_password: Value,
    #[serde(default)]
    pub is_notification_email: Value,
    #[serde(default)]
    pub is_notification_phone_push: Value,
    #[serde(default, rename = "isNotificationPhoneSMS")]
    pub is_notification_phone_sms: Value,
}

/// True when `m` is keyed by language: not empty, every key shaped like `en_US`.
pub(crate) fn lang_keyed(m: &Map<String, Value>) -> bool {
    !m.is_empty() && m.keys().all(|k| lang_shaped(k))
}

/// True for `true`, `"true"`, `1` (OneEntry exports flags in all three spellings).
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true") || s == "1",
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        _ => false,
    }
}
