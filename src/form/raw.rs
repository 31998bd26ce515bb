//! The serde shape of an exported OneEntry form (`IFormsEntity`), read leniently.
//!
//! Only what the engine uses is typed; everything else (ids, localizeInfos, moduleFormConfigs,
//! unknown keys) is ignored. Fields whose JSON type varies in the wild (`position` as a number
//! or a string, `attributes` as `{}` for an empty form) are kept as [`Value`] and read by
//! [`super::compile`], which can then report a precise reason.

use serde::Deserialize;
use serde_json::Value;

/// An `IFormsEntity`.
#[derive(Debug, Deserialize)]
pub(crate) struct RawForm {
    /// The `formIdentifier`.
    pub identifier: Option<Value>,
    /// An array of attributes; `{}` or absent for an empty form.
    #[serde(default)]
    pub attributes: Value,
}

/// An `IFormAttribute`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawAttribute {
    pub marker: Option<Value>,
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

/// True for `true`, `"true"`, `1` (OneEntry exports flags in all three spellings).
pub(crate) fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => s.eq_ignore_ascii_case("true") || s == "1",
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        _ => false,
    }
}
