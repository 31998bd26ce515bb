//! Forms: OneEntry's `IFormsEntity` as loaded from `schemas/forms/*.json`, compiled once.
//!
//! `raw` is the lenient serde shape of an exported form (`attributes` as an array or keyed by
//! marker); `compile` turns it into a [`Form`] of [`Attribute`]s with their options
//! (`options`: `listTitles`, flat or keyed by language) and validators already parsed into
//! [`crate::rules::Rules`] (regexes compiled, numbers-as-strings read), one set per language
//! that has its own. A form with an error is refused with [`LoadError`]s that name the file,
//! the attribute and the reason; what OneEntry tolerates loads with a [`LoadWarning`]. A form
//! and each of its attributes keep the JSON they were compiled from (`source`), for a service
//! that serves the form back: one reading of the files, never two that could disagree.

pub(crate) mod compile;
mod error;
mod located;
mod options;
pub(crate) mod raw;
mod settle;
mod validators;
mod warning;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::record::UserRecord;
use crate::rules::RuleSets;
use crate::types::{AttrType, TypeConfig};

pub use error::{LoadError, LoadErrorKind, RegistryError};
pub use located::Located;
pub use warning::{LoadWarning, WarningKind};

/// A compiled form.
#[derive(Debug, Clone)]
pub struct Form {
    /// The `formIdentifier`.
    pub(crate) identifier: String,
    /// Attributes by marker, in `position` order (read them with [`Form::attributes`] and
    /// [`Form::attribute`]). Hashed with foldhash: the keys come from the form, not from
    /// bodies, and every entry of every body is looked up here.
    pub(crate) attributes: IndexMap<String, Attribute, foldhash::fast::RandomState>,
    /// Markers of the `isLogin` attributes (each an identity), in `position` order.
    pub(crate) logins: Vec<String>,
    /// Marker of the `isPassword` attribute, if any.
    pub(crate) password: Option<String>,
    /// Marker of the `spam` (captcha) attribute, if any.
    pub(crate) captcha: Option<String>,
    /// Things the loader ignored (unknown validators, ...), for the operator to read.
    pub(crate) warnings: Vec<LoadWarning>,
    /// The form's own fields as the file gave them, `attributes` aside.
    pub(crate) source: Map<String, Value>,
}

impl Form {
    /// The `formIdentifier`.
    pub fn identifier(&self) -> &str {
        &self.identifier
    }

    /// The marker of the first login (by `position`), if the form has one: the attribute whose
    /// value is the record's `identifier` whenever it holds one.
    pub fn login(&self) -> Option<&str> {
        self.logins.first().map(String::as_str)
    }

    /// The markers of the logins (`isLogin`), in `position` order. Each is an identity: every
    /// value of each is unique among users, and a user signs in with any of them.
    pub fn logins(&self) -> &[String] {
        &self.logins
    }

    /// The stored value of the login `marker` in `record`: the record's `logins`, or, for a
    /// record written before forms could have several logins (no `logins`), its identifier as
    /// the value of the form's first login. `None` when it holds none.
    pub fn login_value<'r>(&self, record: &'r UserRecord, marker: &str) -> Option<&'r str> {
        let value = if record.logins.is_empty() {
            (self.login() == Some(marker)).then_some(record.identifier.as_str())
        } else {
            record.logins.get(marker).map(String::as_str)
        };
        value.filter(|v| !v.is_empty())
    }

    /// The marker of the password, if the form has one.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// The marker of the captcha (`spam`), if the form has one.
    pub fn captcha(&self) -> Option<&str> {
        self.captcha.as_deref()
    }

    /// Things the loader ignored (unknown validators, ...), for the operator to read.
    pub fn warnings(&self) -> &[LoadWarning] {
        &self.warnings
    }

    /// The attribute with this marker.
    pub fn attribute(&self, marker: &str) -> Option<&Attribute> {
        self.attributes.get(marker)
    }

    /// The attributes, in `position` order.
    pub fn attributes(&self) -> impl ExactSizeIterator<Item = &Attribute> {
        self.attributes.values()
    }

    /// The form's own fields as the file gave them (`id`, `localizeInfos`, ...), in whatever
    /// shape they came: what a service serving the form back starts from. `attributes` is not
    /// among them: each attribute keeps its own ([`Attribute::source`]).
    pub fn source(&self) -> &Map<String, Value> {
        &self.source
    }
}

/// One compiled attribute of a form.
#[derive(Debug, Clone)]
pub struct Attribute {
    /// The marker (key) of the attribute.
    pub(crate) marker: String,
    /// Its type.
    pub(crate) kind: AttrType,
    /// Its `position` (stored entries are ordered by it).
    pub(crate) position: i64,
    /// What checking a value needs beyond its type (options, a captcha site key), per
    /// language: options may be given per language.
    pub(crate) config: PerLang<TypeConfig>,
    /// The validators, per language.
    pub(crate) rules: RuleSets,
    /// `settings.readOnly`: the user may not change it.
    pub(crate) read_only: bool,
    /// Whether it is the login, the password or neither (`isLogin`, `isPassword`).
    pub(crate) role: Role,
    /// The `notificationData` fields its value feeds (`isNotificationEmail`,
    /// `isNotificationPhoneSMS`, `isNotificationPhonePush`), in that order.
    pub(crate) feeds: Vec<Feed>,
    /// The attribute object as the file gave it.
    pub(crate) source: Map<String, Value>,
}

/// A setting of an attribute per language: the default language's (also used by every language
/// without its own) and those of the languages that have their own, compiled once at load.
#[derive(Debug, Clone, Default)]
pub(crate) struct PerLang<T> {
    /// The default language's.
    pub base: T,
    /// The languages with their own.
    pub by_lang: IndexMap<String, T>,
}

impl<T> PerLang<T> {
    /// The same setting in every language.
    pub fn one(base: T) -> Self {
        PerLang { base, by_lang: IndexMap::new() }
    }

    /// The setting of `lang`.
    pub fn for_lang(&self, lang: &str) -> &T {
        self.by_lang.get(lang).unwrap_or(&self.base)
    }
}

/// What an attribute is to the user's credentials.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Role {
    /// An ordinary attribute.
    #[default]
    Plain,
    /// `isLogin`: its value is an identity (a form may have several).
    Login,
    /// `isPassword`: its value is hashed, never stored or shown.
    Password,
}

/// A `notificationData` field an attribute's value feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// `isNotificationEmail`: `notificationData.email`.
    Email,
    /// `isNotificationPhoneSMS`: `notificationData.phoneSMS`.
    PhoneSms,
    /// `isNotificationPhonePush`: `notificationData.phonePush`.
    PhonePush,
}

impl Attribute {
    /// The marker.
    pub fn marker(&self) -> &str {
        &self.marker
    }

    /// The type.
    pub fn kind(&self) -> AttrType {
        self.kind
    }

    /// The `position` (stored entries are ordered by it).
    pub fn position(&self) -> i64 {
        self.position
    }

    /// Whether it is the login, the password or neither.
    pub fn role(&self) -> Role {
        self.role
    }

    /// `settings.readOnly`: the user may not change it.
    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// What checking a value in `lang` needs beyond its type: that language's options.
    pub(crate) fn config_in(&self, lang: &str) -> &TypeConfig {
        self.config.for_lang(lang)
    }

    /// True when an entry in `lang` must carry a value: the attribute is required there
    /// (`requiredValidator`) and has no default value to fall back on.
    pub fn required_in(&self, lang: &str) -> bool {
        let rules = self.rules.for_lang(lang);
        rules.required.is_some() && rules.default.is_none()
    }

    /// True for a login (an identity).
    pub fn is_login(&self) -> bool {
        self.role == Role::Login
    }

    /// True for the password.
    pub fn is_password(&self) -> bool {
        self.role == Role::Password
    }

    /// The attribute object as the file gave it, every setting in whatever shape it came
    /// (flat or keyed by locale). Its marker may be named `identifier`, or be only its key in
    /// `attributes` keyed by marker, and its `position` may be missing or a string:
    /// [`Attribute::marker`] and [`Attribute::position`] are what the engine uses.
    pub fn source(&self) -> &Map<String, Value> {
        &self.source
    }
}
