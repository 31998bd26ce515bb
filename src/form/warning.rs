//! What the loader tolerates, as OneEntry does, and says: a typed warning naming the file, the
//! attribute and the reason, with a stable [`WarningKind::code`].
//!
//! A warning never stops a form from loading; the registry lists them
//! (`Registry::warnings`) and `validate-body` prints them on stderr (SPEC §2).

use super::located::{Coded, Located};

use crate::rules::Note;

/// Something the loader ignored, and where.
pub type LoadWarning = Located<WarningKind>;

/// What the loader ignored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WarningKind {
    /// A validator name the engine does not know.
    #[error("unknown validator `{name}` ignored")]
    UnknownValidator {
        /// The name as written.
        name: String,
    },
    /// One of OneEntry's admin-panel validators, on what a body does not carry
    /// (`crate::rules::ADMIN_ONLY`).
    #[error("validator `{name}` is ignored: OneEntry enforces it only in its admin panel")]
    AdminOnlyValidator {
        /// The validator.
        name: String,
    },
    /// A validator that does not apply to the attribute's type (its settings were still read).
    #[error("validator `{name}` does not apply to type `{kind}` and is ignored")]
    ValidatorNotApplicable {
        /// The validator.
        name: String,
        /// The attribute's type.
        kind: &'static str,
    },
    /// `comparisonValidator {operator, marker}` whose `marker` names no other attribute it can
    /// be compared with.
    #[error("comparisonValidator: `{marker}` {reason}; the comparison is not enforced")]
    ComparisonNotEnforced {
        /// The `marker` as written.
        marker: String,
        /// Why it cannot be compared with.
        reason: &'static str,
    },
    /// A validator given as a bare flag that names nothing to check against.
    #[error("{name} without its settings checks nothing")]
    ChecksNothing {
        /// The validator.
        name: &'static str,
    },
    /// `trimValidator` on the password.
    #[error("trimValidator on the password is ignored: passwords are never trimmed")]
    PasswordNotTrimmed,
    /// A `defaultValueValidator.fieldDefaultValue` that is not among the attribute's options
    /// (in one language, when the options are keyed by language): the default is ignored.
    #[error("defaultValueValidator.fieldDefaultValue `{value}` is not one of the options{}; the default is ignored", lang.as_ref().map(|l| format!(" for {l}")).unwrap_or_default())]
    DefaultNotAnOption {
        /// The default, as JSON.
        value: String,
        /// The language whose options it is not among, when the options are keyed by language
        /// and it is not the default language.
        lang: Option<String>,
    },
}

impl Coded for WarningKind {
    fn code(&self) -> &'static str {
        WarningKind::code(self)
    }
}

impl WarningKind {
    /// A stable kebab-case name for the warning, what fixtures and tools match on.
    pub fn code(&self) -> &'static str {
        match self {
            WarningKind::UnknownValidator { .. } => "unknown-validator",
            WarningKind::AdminOnlyValidator { .. } => "admin-only-validator",
            WarningKind::ValidatorNotApplicable { .. } => "validator-not-applicable",
            WarningKind::ComparisonNotEnforced { .. } => "comparison-not-enforced",
            WarningKind::ChecksNothing { .. } => "validator-checks-nothing",
            WarningKind::PasswordNotTrimmed => "password-not-trimmed",
            WarningKind::DefaultNotAnOption { .. } => "default-not-an-option",
        }
    }
}

impl From<Note> for WarningKind {
    fn from(note: Note) -> Self {
        match note {
            Note::ChecksNothing(name) => WarningKind::ChecksNothing { name },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_with_file_attribute_code_and_message() {
        let w = LoadWarning {
            file: "reg.json".into(),
            attribute: Some("colour".into()),
            kind: WarningKind::DefaultNotAnOption { value: "11".into(), lang: Some("fr_FR".into()) },
        };
        assert_eq!(
            w.to_string(),
            "reg.json: attribute `colour`: defaultValueValidator.fieldDefaultValue `11` is not one of the options for fr_FR; the default is ignored"
        );
        let json = serde_json::to_value(&w).unwrap();
        assert_eq!(json["code"], "default-not-an-option");
        assert_eq!((json["file"].as_str(), json["attribute"].as_str()), (Some("reg.json"), Some("colour")));
        assert_eq!(WarningKind::from(Note::ChecksNothing("checkForAGivenList")).code(), "validator-checks-nothing");
    }
}
