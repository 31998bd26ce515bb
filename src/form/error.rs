//! Why a form cannot be loaded: the file, the attribute (when the problem is one attribute's)
//! and a typed reason.

use std::fmt;

use crate::rules::SettingsError;

/// A form that cannot be loaded, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct LoadError {
    /// The file (or other source name) the form came from.
    pub file: String,
    /// The attribute's marker (or its place, `attributes[3]`, when it has no marker), or `None`
    /// when the problem is the form's.
    pub attribute: Option<String>,
    /// What is wrong.
    pub kind: LoadErrorKind,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.attribute {
            Some(attribute) => write!(f, "{}: attribute `{attribute}`: {}", self.file, self.kind),
            None => write!(f, "{}: {}", self.file, self.kind),
        }
    }
}

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
    #[error("`attributes` must be an array (or `{{}}` for an empty form)")]
    AttributesNotAList,
    /// An attribute that is not an object of the expected shape.
    #[error("not an attribute object: {0}")]
    NotAnAttribute(String),
    /// No usable `marker`.
    #[error("`marker` must be a non-empty string")]
    NoMarker,
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
    /// `listTitles` is not an array.
    #[error("`listTitles` must be an array")]
    OptionsNotAList,
    /// An option without a `value`.
    #[error("listTitles[{0}] has no `value`")]
    OptionWithoutValue(usize),
    /// An option value that cannot be compared as text.
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
