//! Validators: OneEntry's, as the form sends them, plus the engine's own.
//!
//! One validator per file. Each file owns its OneEntry name, the types it applies to
//! ([`Validator`], one line of [`VALIDATORS`]), the reading of its settings (typed
//! [`SettingsError`]s), its rule and the rule's check: a pure function from a measured value
//! to what it finds wrong, if anything. The form loader reads each attribute's `validators`
//! into a [`Rules`] per language through the table; [`Rules::check`] runs the rules, in a fixed
//! order, over the [`Measure`] of a value that passed its type's shape checks, and adds what
//! they find to the update's [`Report`].
//!
//! Each line also says what JSON Schema can state of its rule (`describe`, into a
//! [`Narrowing`]); the schema export asks the table, never a validator by name. `ecma.rs` holds
//! the regex text ECMA 262 and the `regex` crate read alike, which those descriptions write.
//!
//! Adding a validator: a file here with its rule and `VALIDATOR`, a field in [`Rules`], a line
//! in [`VALIDATORS`], a call in [`Rules::check`], a [`crate::error::ViolationKind`] variant,
//! fixtures (ARCHITECTURE.md, "Adding things").

mod boolean;
mod comparison;
mod date;
mod default;
mod ecma;
mod email;
mod files;
mod given_list;
mod length;
mod list;
mod mask;
mod measure;
mod min_max_date;
mod narrowing;
mod number;
mod numeric_text;
pub(crate) mod pattern;
mod required;
mod rounding;
pub(crate) mod settings;
mod trim;
mod url;

use indexmap::IndexMap;
use serde_json::Value;

use crate::attr_type::AttrType;
use crate::pointer::Pointer;
use crate::record::StoredValue;
use crate::report::Report;

pub use boolean::BooleanRule;
pub use comparison::{AttributeComparison, ComparisonRule};
pub use date::DateRule;
pub(crate) use email::is_email;
pub use email::EmailRule;
pub use files::FilesRule;
pub use given_list::GivenListRule;
pub use length::LengthRule;
pub use list::ListRule;
pub use mask::MaskRule;
pub(crate) use measure::{FileMeta, Measure};
pub(crate) use narrowing::Narrowing;
pub use number::NumberRule;
pub use numeric_text::NumericTextRule;
pub use pattern::PatternRule;
pub use required::RequiredRule;
pub use rounding::RoundingRule;
pub use settings::SettingsError;
pub use url::UrlRule;

/// The `customErrorText` of a validator, which replaces the engine's message.
pub type Custom = Option<String>;

/// One validator as OneEntry names it: which types it applies to, and how its settings become
/// a rule in a [`Rules`].
pub(crate) struct Validator {
    /// The name in a form's `validators` object.
    pub name: &'static str,
    /// True for the attribute types it applies to; on others it is read (a broken one still
    /// refuses the form) and then dropped with a warning.
    pub applies_to: fn(AttrType) -> bool,
    /// Reads the settings (`customErrorText` already taken out) into its field of `Rules`.
    pub install: fn(&Value, Custom, &mut Rules) -> Result<(), SettingsError>,
    /// Adds what JSON Schema can say exactly of its rule in `Rules`, if any, to the
    /// [`Narrowing`] the schema export places into the value's shape ([`says_nothing`] when
    /// JSON Schema cannot say it).
    pub describe: fn(&Rules, &mut Narrowing),
}

#[cfg(test)]
impl Validator {
    /// The rules this validator alone makes of `settings` (no `customErrorText`), or why it
    /// cannot: what each validator's tests read.
    pub(crate) fn read(&self, settings: &Value) -> Result<Rules, SettingsError> {
        let mut rules = Rules::default();
        (self.install)(settings, None, &mut rules)?;
        Ok(rules)
    }
}

/// Every validator the engine knows, by OneEntry name.
pub(crate) static VALIDATORS: [Validator; 18] = [
    required::VALIDATOR,
    trim::VALIDATOR,
    default::VALIDATOR,
    length::VALIDATOR,
    email::VALIDATOR,
    pattern::VALIDATOR,
    mask::VALIDATOR,
    number::VALIDATOR,
    date::VALIDATOR,
    list::VALIDATOR,
    files::VALIDATOR,
    url::VALIDATOR,
    numeric_text::VALIDATOR,
    rounding::VALIDATOR,
    boolean::VALIDATOR,
    comparison::VALIDATOR,
    given_list::VALIDATOR,
    min_max_date::VALIDATOR,
];

/// The validators OneEntry enforces only in its admin panel, on what the body does not carry
/// (an image's pixel size, the admin's own value and letter checks): the loader lists each as a
/// warning saying so.
pub(crate) static ADMIN_ONLY: [&str; 3] = ["sizeInPixelsValidator", "valueValidator", "checkForLettersValidator"];

/// True for a validator OneEntry enforces only in its admin panel ([`ADMIN_ONLY`]).
pub(crate) fn admin_only(name: &str) -> bool {
    ADMIN_ONLY.contains(&name)
}

/// The validator named `name`, if the engine knows it.
pub(crate) fn validator(name: &str) -> Option<&'static Validator> {
    VALIDATORS.iter().find(|v| v.name == name)
}

/// Applies to every type.
fn any_type(_: AttrType) -> bool {
    true
}

/// Contributes nothing to the exported schema: what the validator checks cannot be written
/// exactly in JSON Schema (and the export stays sound by leaving it out).
fn says_nothing(_: &Rules, _: &mut Narrowing) {}

/// Applies to `string` only.
fn string_only(kind: AttrType) -> bool {
    kind == AttrType::String
}

/// The compiled validators of one attribute for one language.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// `requiredValidator`.
    pub required: Option<RequiredRule>,
    /// `trimValidator`: trim strings before checking and storing.
    pub trim: bool,
    /// `defaultValueValidator.fieldDefaultValue`, canonicalised at load.
    pub default: Option<StoredValue>,
    /// `stringInspectionValidator`.
    pub length: Option<LengthRule>,
    /// `emailInspectionValidator`.
    pub email: Option<EmailRule>,
    /// `regExpValidator`.
    pub pattern: Option<PatternRule>,
    /// `fieldMaskValidator`.
    pub mask: Option<MaskRule>,
    /// `numberInspectionValidator` (engine).
    pub number: Option<NumberRule>,
    /// `dateInspectionValidator` (engine).
    pub date: Option<DateRule>,
    /// `listInspectionValidator` (engine).
    pub list: Option<ListRule>,
    /// `checkingFilesValidator`.
    pub files: Option<FilesRule>,
    /// `urlInspectionValidator`.
    pub url: Option<UrlRule>,
    /// `checkForNumberValidator`.
    pub numeric: Option<NumericTextRule>,
    /// `roundingNumberValidator`.
    pub rounding: Option<RoundingRule>,
    /// `booleanValidator`.
    pub boolean: Option<BooleanRule>,
    /// `comparisonValidator {operator, value}`.
    pub comparison: Option<ComparisonRule>,
    /// `comparisonValidator {operator, marker}`: checked against the other attribute's value
    /// once every entry is checked.
    pub compare_with: Option<AttributeComparison>,
    /// `checkForAGivenList`.
    pub given_list: Option<GivenListRule>,
    /// `minMaxDateValidator` (OneEntry's admin-panel date bounds, enforced here).
    pub min_max_date: Option<DateRule>,
    /// Settings read but not enforceable (a flag with nothing to check); the loader turns each
    /// into a warning of the form.
    pub notes: Vec<Note>,
}

/// Settings a validator reads but cannot check anything with: the loader lists each as a
/// warning (`crate::form::WarningKind`), and the validator checks nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// The validator (named) was given as a bare flag, with nothing to check against.
    ChecksNothing(&'static str),
}

/// The validators of one attribute: one set, or one per language code.
#[derive(Debug, Clone, Default)]
pub struct RuleSets {
    /// The set used for languages without their own.
    pub base: Rules,
    /// Sets given per language (`{"en_US": {...}, "fr_FR": {...}}`).
    pub by_lang: IndexMap<String, Rules>,
}

impl RuleSets {
    /// The rules that apply to an entry in `lang`.
    pub fn for_lang(&self, lang: &str) -> &Rules {
        self.by_lang.get(lang).unwrap_or(&self.base)
    }
}

impl Rules {
    /// Runs every rule that applies to `measure` (the value at `path`, of `marker`'s entry) and
    /// adds what they find to `report`, each with its rule's `customErrorText`. `required` is
    /// not checked here: emptiness is the engine's decision, since a default value or clearing
    /// may apply. A date's bounds are reported at its `fullDate`.
    pub(crate) fn check(&self, measure: &Measure<'_>, path: &Pointer, marker: &str, report: &mut Report) {
        let mut found = |at: Pointer, kind, custom: &Custom| report.add_custom(marker, at, kind, custom.as_deref());
        match measure {
            Measure::Text(s) => {
                if let Some(r) = &self.length {
                    if let Some(k) = r.check(s) {
                        found(path.clone(), k, &r.custom);
                    }
                }
                if let Some(r) = &self.email {
                    if let Some(k) = r.check(s) {
                        found(path.clone(), k, &r.custom);
                    }
                }
                if let Some(r) = &self.pattern {
                    if let Some(k) = r.check(s) {
                        found(path.clone(), k, &r.custom);
                    }
                }
                if let Some(r) = &self.mask {
                    if let Some(k) = r.check(s) {
                        found(path.clone(), k, &r.custom);
                    }
                }
                if let Some(r) = &self.url {
                    if let Some(k) = r.check(s) {
                        found(path.clone(), k, &r.custom);
                    }
                }
                if let Some(r) = &self.numeric {
                    if let Some(k) = r.check(s) {
                        found(path.clone(), k, &r.custom);
                    }
                }
                if let Some(r) = &self.rounding {
                    if let Some(k) = r.check_text(s) {
                        found(path.clone(), k, &r.custom);
                    }
                }
                if let Some(r) = &self.boolean {
                    if let Some(k) = r.check(s) {
                        found(path.clone(), k, &r.custom);
                    }
                }
                if let Some(r) = &self.comparison {
                    if let Some(k) = r.check_text(s) {
                        found(path.clone(), k, &r.custom);
                    }
                }
                if let Some(r) = &self.given_list {
                    if let Some(k) = r.check_text(s) {
                        found(path.clone(), k, &r.custom);
                    }
                }
            }
            Measure::Number(n) => {
                if let Some(r) = &self.number {
                    if let Some(k) = r.check(*n) {
                        found(path.clone(), k, &r.custom);
                    }
                }
                if let Some(r) = &self.rounding {
                    if let Some(k) = r.check_number(*n) {
                        found(path.clone(), k, &r.custom);
                    }
                }
                if let Some(r) = &self.comparison {
                    if let Some(k) = r.check_number(*n) {
                        found(path.clone(), k, &r.custom);
                    }
                }
                if let Some(r) = &self.given_list {
                    if let Some(k) = r.check_number(*n) {
                        found(path.clone(), k, &r.custom);
                    }
                }
            }
            Measure::Instant(at) => {
                for r in [&self.date, &self.min_max_date].into_iter().flatten() {
                    if let Some(k) = r.check(at) {
                        found(path.child("fullDate"), k, &r.custom);
                    }
                }
            }
            Measure::Items(n) => {
                if let Some(r) = &self.list {
                    if let Some(k) = r.check(*n) {
                        found(path.clone(), k, &r.custom);
                    }
                }
            }
            Measure::Files(files) => {
                if let Some(r) = &self.files {
                    for (at, kind) in r.check(files, path) {
                        found(at, kind, &r.custom);
                    }
                }
                if let Some(r) = &self.list {
                    if let Some(k) = r.check(files.len()) {
                        found(path.clone(), k, &r.custom);
                    }
                }
            }
            Measure::Nothing => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every validator has its own name, and the table is what `validator` looks up.
    #[test]
    fn table_names_are_unique_and_found() {
        for (i, v) in VALIDATORS.iter().enumerate() {
            assert!(VALIDATORS[..i].iter().all(|w| w.name != v.name), "{} twice", v.name);
            assert!(std::ptr::eq(validator(v.name).unwrap(), v));
            // OneEntry's one name without the suffix.
            assert!(v.name.ends_with("Validator") || v.name == "checkForAGivenList", "{}", v.name);
            assert!(!admin_only(v.name), "{} is enforced, not admin-only", v.name);
        }
        assert!(validator("fooValidator").is_none());
    }

    /// A measured value meets the rules that read it, and only those.
    #[test]
    fn check_reports_with_paths_and_custom_text() {
        let rules = Rules {
            length: Some(LengthRule { max: Some(3), custom: Some("Too long".into()), ..LengthRule::default() }),
            number: Some(NumberRule { min: Some(0.0), ..NumberRule::default() }),
            ..Rules::default()
        };
        let path = Pointer::root().child("value");
        let mut report = Report::new();
        rules.check(&Measure::Text("abcd".into()), &path, "m", &mut report);
        rules.check(&Measure::Number(-1.0), &path, "n", &mut report);
        rules.check(&Measure::Items(9), &path, "i", &mut report);
        let v = report.into_violations();
        assert_eq!(v.iter().map(|v| v.rule()).collect::<Vec<_>>(), ["string-max", "number-min"]);
        assert_eq!((v[0].message().as_str(), v[0].marker.as_deref()), ("Too long", Some("m")));
        assert_eq!(v[1].path.to_string(), "/value");
    }
}
