//! Forms: OneEntry's `IFormsEntity` as loaded from `schemas/forms/*.json`, compiled once.
//!
//! `raw` is the lenient serde shape of an exported form; `compile` turns it into a
//! [`Form`] of [`Attribute`]s with their validators already parsed into [`crate::rules::Rules`]
//! (regexes compiled, numbers-as-strings read, per-language sets split), refusing bad forms
//! with a [`LoadError`] that names the file, the attribute and the reason.

pub(crate) mod compile;
pub(crate) mod raw;
mod validators;

use indexmap::IndexMap;
use serde_json::Value;

use crate::record::StoredValue;

use crate::rules::RuleSets;
use crate::types::AttrType;

pub use compile::LoadError;

/// A compiled form.
#[derive(Debug, Clone)]
pub struct Form {
    /// The `formIdentifier`.
    pub identifier: String,
    /// Attributes by marker, in `position` order (read them with [`Form::attributes`] and
    /// [`Form::attribute`]). Hashed with foldhash: the keys come from the form, not from
    /// bodies, and every entry of every body is looked up here.
    pub(crate) attributes: IndexMap<String, Attribute, foldhash::fast::RandomState>,
    /// Marker of the `isLogin` attribute (the identity), if any.
    pub login: Option<String>,
    /// Marker of the `isPassword` attribute, if any.
    pub password: Option<String>,
    /// Marker of the `spam` (captcha) attribute, if any.
    pub captcha: Option<String>,
    /// Things the loader ignored (unknown validators, ...), for the operator to read.
    pub warnings: Vec<String>,
}

impl Form {
    /// The attribute with this marker.
    pub fn attribute(&self, marker: &str) -> Option<&Attribute> {
        self.attributes.get(marker)
    }

    /// The attributes, in `position` order.
    pub fn attributes(&self) -> impl ExactSizeIterator<Item = &Attribute> {
        self.attributes.values()
    }
}

/// One compiled attribute of a form.
#[derive(Debug, Clone)]
pub struct Attribute {
    /// The marker (key) of the attribute.
    pub marker: String,
    /// Its type.
    pub kind: AttrType,
    /// Its `position` (stored entries are ordered by it).
    pub position: i64,
    /// The options of a `radioButton` or `list`, from `listTitles`.
    pub options: Vec<ChoiceOption>,
    /// Whether a `list` takes several options.
    pub multiselect: bool,
    /// The validators, per language.
    pub rules: RuleSets,
    /// `settings.readOnly`: the user may not change it.
    pub read_only: bool,
    /// `isLogin`: this attribute is the identity.
    pub is_login: bool,
    /// `isPassword`.
    pub is_password: bool,
    /// `isNotificationEmail`: its value feeds `notificationData.email`.
    pub notify_email: bool,
    /// `isNotificationPhonePush`: its value feeds `notificationData.phonePush`.
    pub notify_push: bool,
    /// `isNotificationPhoneSMS`: its value feeds `notificationData.phoneSMS`.
    pub notify_sms: bool,
    /// `settings.captcha.key`, the site key of a `spam` attribute.
    pub captcha_key: Option<String>,
}

impl Attribute {
    /// True when its value feeds any of `notificationData`'s addresses.
    pub fn notifies(&self) -> bool {
        self.notify_email || self.notify_push || self.notify_sms
    }
}

/// One option of a `radioButton` or `list`. Read-only once built: its stored shape is written
/// once, from the other fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceOption {
    key: String,
    title: String,
    value: Value,
    extended: Value,
    /// `{title, value, extended}`, written once when the form is loaded.
    stored: StoredValue,
}

impl ChoiceOption {
    /// The option's value as text: how a body's choice is matched.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The option's title, stored with the choice.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The option's value as the form has it.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// The option's `extended` data, or `null`.
    pub fn extended(&self) -> &Value {
        &self.extended
    }

    /// An option; its stored shape is written here, once.
    pub fn new(key: String, title: String, value: Value, extended: Value) -> Self {
        let mut m = serde_json::Map::with_capacity(3);
        m.insert("title".into(), Value::String(title.clone()));
        m.insert("value".into(), value.clone());
        m.insert("extended".into(), extended.clone());
        let stored = StoredValue::from_value(&Value::Object(m));
        ChoiceOption { key, title, value, extended, stored }
    }

    /// The stored shape: `{title, value, extended}` from the form.
    pub fn stored(&self) -> &StoredValue {
        &self.stored
    }
}
