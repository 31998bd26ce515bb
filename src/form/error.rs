//! Why a form cannot be loaded: the file, the attribute (when the problem is one attribute's)
//! and a typed reason with a stable [`LoadErrorKind::code`].
//!
//! A form with an error is left out of the registry and the other forms load (SPEC §2); with
//! `RegistryOptions::strict_forms` any error refuses the whole registry.

use super::located::{Coded, Located};

use crate::rules::SettingsError;

/// A form that cannot be loaded, and where.
pub type LoadError = Located<LoadErrorKind>;

/// What is wrong with a form or one of its attributes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadErrorKind {
    /// The file or directory cannot be read.
    #[error("cannot be read: {0}")]
    Io(String),
    /// The file is not JSON.
    #[error("is not JSON: {0}")]
    NotJson(String),
    /// The JSON is not a form object.
    #[error("not a form object: {0}")]
    NotAForm(String),
    /// No usable `identifier`.
    #[error("`identifier` must be a non-empty string")]
    NoIdentifier,
    /// Two forms with one identifier.
    #[error("form `{identifier}` is already defined in {first}")]
    DuplicateForm {
        /// The identifier.
        identifier: String,
        /// Where it was defined first.
        first: String,
    },
    /// `attributes` of the wrong shape.
    #[error("`attributes` must be an array, or an object keyed by marker (`{{}}` for an empty form)")]
    AttributesNotAList,
    /// An attribute that is not an object of the expected shape.
    #[error("not an attribute object: {0}")]
    NotAnAttribute(String),
    /// No usable `marker`.
    #[error("`marker` (or `identifier`) must be a non-empty string")]
    NoMarker,
    /// In `attributes` keyed by marker, an attribute that names another marker than its key.
    #[error("the attribute under the key `{key}` names its marker `{marker}`")]
    MarkerMismatch {
        /// The key in `attributes`.
        key: String,
        /// The marker the attribute names (`marker`, else `identifier`).
        marker: String,
    },
    /// Two attributes with one marker.
    #[error("duplicate marker")]
    DuplicateMarker,
    /// `type` is not a string.
    #[error("`type` must be a string")]
    TypeNotAString,
    /// A type OneEntry does not have.
    #[error("unknown type `{name}`{}", crate::attr_type::typo_hint(name))]
    UnknownType {
        /// The type as written.
        name: String,
    },
    /// `position` is not a whole number.
    #[error("`position` `{0}` is not a whole number")]
    BadPosition(String),
    /// Both `isLogin` and `isPassword`.
    #[error("an attribute cannot be both isLogin and isPassword")]
    LoginAndPassword,
    /// A login or password of another type than `string`.
    #[error("the login and password attributes must be of type `string`, not `{0}`")]
    CredentialNotAString(&'static str),
    /// A second `isPassword` attribute.
    #[error("more than one isPassword attribute (`{0}` is one already)")]
    SecondPassword(String),
    /// A second `spam` attribute.
    #[error("more than one spam (captcha) attribute (`{0}` is one already)")]
    SecondCaptcha(String),
    /// A `radioButton` or `list` without options.
    #[error("a `{0}` needs a non-empty `listTitles`")]
    NoOptions(&'static str),
    /// `listTitles` is neither an array nor an object of arrays keyed by language.
    #[error("`listTitles` must be an array, or an object of arrays keyed by language code")]
    OptionsNotAList,
    /// A setting keyed by language that has no entry for the default language, which the
    /// languages without their own would use.
    #[error("`{field}` is keyed by language but has no `{lang}` (defaultLangCode) entry")]
    NoDefaultLanguage {
        /// The attribute's key (`listTitles`).
        field: &'static str,
        /// The default language.
        lang: String,
    },
    /// A problem of one language's `listTitles`, when they are keyed by language.
    #[error("{error} (listTitles for {lang})")]
    InLanguage {
        /// The language.
        lang: String,
        /// The problem.
        error: Box<LoadErrorKind>,
    },
    /// An option without a `value`.
    #[error("listTitles[{0}] has no `value`")]
    OptionWithoutValue(usize),
    /// An option value that cannot be compared as text, or an entity option whose `id` is not
    /// an entity id.
    #[error("listTitles[{index}].value `{value}` is not a string, a number or an entity with an id")]
    BadOptionValue {
        /// The option's place in `listTitles`.
        index: usize,
        /// The value, as JSON.
        value: String,
    },
    /// Two options with one value.
    #[error("listTitles[{index}]: duplicate option value `{key}`")]
    DuplicateOption {
        /// The second option's place in `listTitles`.
        index: usize,
        /// The value, as text.
        key: String,
    },
    /// `validators` is not an object.
    #[error("`validators` must be an object, not `{0}`")]
    ValidatorsNotAnObject(String),
    /// A validator whose settings cannot be read.
    #[error("bad validator{}: {error}", lang.as_ref().map(|l| format!(" for {l}")).unwrap_or_default())]
    Validator {
        /// The language of a per-language set, if the set was one.
        lang: Option<String>,
        /// What is wrong with the settings (boxed: it is the largest kind).
        error: Box<SettingsError>,
    },
    /// A `defaultValueValidator` on an attribute that takes no default (button, captcha,
    /// password).
    #[error("defaultValueValidator makes no sense for this attribute")]
    DefaultNotApplicable,
    /// A default value that is not a valid value of the attribute's type.
    #[error("defaultValueValidator.fieldDefaultValue `{value}` is not a valid `{kind}`: {reasons}")]
    BadDefault {
        /// The default, as JSON.
        value: String,
        /// The attribute's type.
        kind: &'static str,
        /// What the type's checker found, joined.
        reasons: String,
    },
}

impl Coded for LoadErrorKind {
    fn code(&self) -> &'static str {
        LoadErrorKind::code(self)
    }
}

impl LoadErrorKind {
    /// A stable kebab-case name for the problem, what fixtures and tools match on.
    pub fn code(&self) -> &'static str {
        use LoadErrorKind::*;
        match self {
            Io(_) => "unreadable",
            NotJson(_) => "not-json",
            NotAForm(_) => "not-a-form",
            NoIdentifier => "no-identifier",
            DuplicateForm { .. } => "duplicate-form",
            AttributesNotAList => "attributes-shape",
            NotAnAttribute(_) => "not-an-attribute",
            NoMarker => "no-marker",
            MarkerMismatch { .. } => "marker-mismatch",
            DuplicateMarker => "duplicate-marker",
            TypeNotAString => "type-not-a-string",
            UnknownType { .. } => "unknown-type",
            BadPosition(_) => "bad-position",
            LoginAndPassword => "login-and-password",
            CredentialNotAString(_) => "credential-not-a-string",
            SecondPassword(_) => "second-password",
            SecondCaptcha(_) => "second-captcha",
            NoOptions(_) => "no-options",
            OptionsNotAList => "options-shape",
            NoDefaultLanguage { .. } => "no-default-language",
            InLanguage { error, .. } => error.code(),
            OptionWithoutValue(_) => "option-without-value",
            BadOptionValue { .. } => "bad-option-value",
            DuplicateOption { .. } => "duplicate-option",
            ValidatorsNotAnObject(_) => "validators-shape",
            Validator { .. } => "bad-validator",
            DefaultNotApplicable => "default-not-applicable",
            BadDefault { .. } => "bad-default",
        }
    }
}

/// The registry could not be built: the forms directory cannot be read, or, with
/// `RegistryOptions::strict_forms`, some form has an error. Every error found is listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct RegistryError {
    /// What was wrong, file by file (never empty).
    pub errors: Vec<LoadError>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_file_and_attribute() {
        let e = |attribute: Option<&str>, kind| LoadError {
            file: "reg.json".into(),
            attribute: attribute.map(Into::into),
            kind,
        };
        assert_eq!(
            e(None, LoadErrorKind::NoIdentifier).to_string(),
            "reg.json: `identifier` must be a non-empty string"
        );
        assert_eq!(
            e(Some("photos"), LoadErrorKind::UnknownType { name: "groupOfImage".into() }).to_string(),
            "reg.json: attribute `photos`: unknown type `groupOfImage` (did you mean `groupOfImages`?)"
        );
        let bad =
            SettingsError::NotACount { validator: "stringInspectionValidator", key: "stringMin", value: "-1".into() };
        let kind = LoadErrorKind::Validator { lang: Some("fr_FR".into()), error: Box::new(bad) };
        assert_eq!(
            e(Some("name"), kind).to_string(),
            "reg.json: attribute `name`: bad validator for fr_FR: stringInspectionValidator.stringMin: `-1` is not a non-negative whole number"
        );
    }
}
