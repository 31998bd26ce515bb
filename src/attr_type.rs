//! The names of OneEntry's attribute types.
//!
//! Only the names and the families they form: the checkers are in [`crate::types`], one file
//! per family. This sits below the rules and the types so that both can say which types a
//! validator applies to without depending on each other.

/// One of OneEntry's nineteen attribute types (the SDK's eighteen and the platform's `json`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum AttrType {
    /// `string`
    String,
    /// `integer`
    Integer,
    /// `real`
    Real,
    /// `float`
    Float,
    /// `date`
    Date,
    /// `dateTime`
    DateTime,
    /// `time`
    Time,
    /// `text`
    Text,
    /// `textWithHeader`
    TextWithHeader,
    /// `image`
    Image,
    /// `groupOfImages`
    GroupOfImages,
    /// `file`
    File,
    /// `radioButton`
    RadioButton,
    /// `list`
    List,
    /// `entity`
    Entity,
    /// `timeInterval`
    TimeInterval,
    /// `button`
    Button,
    /// `spam`
    Spam,
    /// `json`: any JSON value, stored as sent.
    Json,
}

impl AttrType {
    /// All nineteen, in OneEntry's documentation order (`json`, which the SDK's list lacks, last).
    pub const ALL: [AttrType; 19] = [
        AttrType::String,
        AttrType::Integer,
        AttrType::Real,
        AttrType::Float,
        AttrType::Date,
        AttrType::DateTime,
        AttrType::Time,
        AttrType::Text,
        AttrType::TextWithHeader,
        AttrType::Image,
        AttrType::GroupOfImages,
        AttrType::File,
        AttrType::RadioButton,
        AttrType::List,
        AttrType::Entity,
        AttrType::TimeInterval,
        AttrType::Button,
        AttrType::Spam,
        AttrType::Json,
    ];

    /// The type's name as OneEntry spells it.
    pub fn name(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Integer => "integer",
            AttrType::Real => "real",
            AttrType::Float => "float",
            AttrType::Date => "date",
            AttrType::DateTime => "dateTime",
            AttrType::Time => "time",
            AttrType::Text => "text",
            AttrType::TextWithHeader => "textWithHeader",
            AttrType::Image => "image",
            AttrType::GroupOfImages => "groupOfImages",
            AttrType::File => "file",
            AttrType::RadioButton => "radioButton",
            AttrType::List => "list",
            AttrType::Entity => "entity",
            AttrType::TimeInterval => "timeInterval",
            AttrType::Button => "button",
            AttrType::Spam => "spam",
            AttrType::Json => "json",
        }
    }

    /// The type named `name` (exact, case-sensitive), if any.
    pub fn from_name(name: &str) -> Option<AttrType> {
        AttrType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// `string`, `text` and `textWithHeader`: what the text validators (lengths) measure.
    pub fn is_textual(self) -> bool {
        matches!(self, AttrType::String | AttrType::Text | AttrType::TextWithHeader)
    }

    /// `integer`, `real` and `float`.
    pub fn is_numeric(self) -> bool {
        matches!(self, AttrType::Integer | AttrType::Real | AttrType::Float)
    }

    /// `date`, `dateTime` and `time`.
    pub fn is_moment(self) -> bool {
        matches!(self, AttrType::Date | AttrType::DateTime | AttrType::Time)
    }

    /// `image`, `groupOfImages` and `file`: values made of files.
    pub fn holds_files(self) -> bool {
        matches!(self, AttrType::Image | AttrType::GroupOfImages | AttrType::File)
    }

    /// Types whose values need the form's configuration (options, captcha key) to be checked,
    /// and so cannot be accepted as dynamic properties.
    pub fn needs_form_config(self) -> bool {
        matches!(self, AttrType::RadioButton | AttrType::List | AttrType::Button | AttrType::Spam)
    }
}

/// Advice for a type name that is a known misspelling: the old SDK's `groupOfImage` (with a
/// leading space, to follow a message); empty for any other name.
pub(crate) fn typo_hint(name: &str) -> &'static str {
    if name == "groupOfImage" {
        " (did you mean `groupOfImages`?)"
    } else {
        ""
    }
}
