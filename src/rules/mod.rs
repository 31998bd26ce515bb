//! Validators: OneEntry's, as the form sends them, plus the engine's own.
//!
//! One rule per file. The form loader ([`crate::form`]) parses each attribute's `validators`
//! into a [`Rules`] per language; `Rules::check` runs them, in a fixed order, over the
//! `Measure` of a value that passed its type's shape checks.

use crate::record::StoredValue;
use indexmap::IndexMap;

/// The `customErrorText` of a validator, which replaces the engine's message.
pub type Custom = Option<String>;

/// The compiled validators of one attribute for one language.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// `requiredValidator`.
    pub required: Option<Custom>,
    /// `trimValidator`: trim strings before checking and storing.
    pub trim: bool,
    /// `defaultValueValidator.fieldDefaultValue`, canonicalised at load.
    pub default: Option<StoredValue>,
    /// `stringInspectionValidator`.
    pub length: Option<LengthRule>,
    /// `emailInspectionValidator`.
    pub email: Option<Custom>,
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
}

/// `stringInspectionValidator`: lengths in characters (`0` means unset).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LengthRule {
    /// `stringMin`.
    pub min: Option<usize>,
    /// `stringMax`.
    pub max: Option<usize>,
    /// `stringLength`: exact length.
    pub exact: Option<usize>,
    /// `customErrorText`.
    pub custom: Custom,
}

/// `regExpValidator`.
#[derive(Debug, Clone)]
pub struct PatternRule {
    /// The compiled pattern.
    pub regex: regex::Regex,
    /// `customErrorText`.
    pub custom: Custom,
}

/// `fieldMaskValidator`: `9` and `#` are digits, everything else literal; `hint` a fixed prefix.
#[derive(Debug, Clone, PartialEq)]
pub struct MaskRule {
    /// `maskValue`.
    pub mask: String,
    /// `hint`.
    pub hint: String,
    /// `customErrorText`.
    pub custom: Custom,
}

/// `numberInspectionValidator {min, max}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NumberRule {
    /// Smallest allowed value.
    pub min: Option<f64>,
    /// Largest allowed value.
    pub max: Option<f64>,
    /// `customErrorText`.
    pub custom: Custom,
}

/// `dateInspectionValidator {min, max}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DateRule {
    /// Earliest allowed instant.
    pub min: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Latest allowed instant.
    pub max: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// `customErrorText`.
    pub custom: Custom,
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

/// `checkingFilesValidator {maxUnits, maxValue, extensions, allowedHosts}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilesRule {
    /// Most files.
    pub max_units: Option<usize>,
    /// Largest file, in bytes.
    pub max_size: Option<u64>,
    /// Allowed extensions, lower-case without the dot; empty means any.
    pub extensions: Vec<String>,
    /// Allowed download hosts, lower-case; empty means any.
    pub allowed_hosts: Vec<String>,
    /// `customErrorText`.
    pub custom: Custom,
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

mod date;
mod email;
mod files;
mod length;
mod list;
mod mask;
mod number;
pub(crate) mod pattern;

pub(crate) use email::is_email;

use crate::pointer::Pointer;
use crate::types::{Cx, Measure, Parsed};

impl Rules {
    /// Runs every validator that applies to `value`'s measure, reporting at `path` (the value's
    /// pointer). `required` is not checked here: emptiness is the engine's decision, since a
    /// default value or clearing may apply.
    pub(crate) fn check(&self, value: &Parsed<'_>, path: &Pointer, cx: &mut Cx<'_>) {
        match &value.measure {
            Measure::Text(s) => {
                if let Some(r) = &self.length {
                    length::check(r, s, path, cx);
                }
                if let Some(custom) = &self.email {
                    email::check(custom, s, path, cx);
                }
                if let Some(r) = &self.pattern {
                    pattern::check(r, s, path, cx);
                }
                if let Some(r) = &self.mask {
                    mask::check(r, s, path, cx);
                }
            }
            Measure::Number(n) => {
                if let Some(r) = &self.number {
                    number::check(r, *n, path, cx);
                }
            }
            Measure::Instant(at) => {
                if let Some(r) = &self.date {
                    date::check(r, at, path, cx);
                }
            }
            Measure::Items(n) => {
                if let Some(r) = &self.list {
                    list::check(r, *n, path, cx);
                }
            }
            Measure::Files(files) => {
                if let Some(r) = &self.files {
                    files::check(r, files, path, cx);
                }
                if let Some(r) = &self.list {
                    list::check(r, files.len(), path, cx);
                }
            }
            Measure::Nothing => {}
        }
    }
}
