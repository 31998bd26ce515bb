//! The eighteen OneEntry attribute types: shape checks and canonical stored values.
//!
//! Each type family lives in its own file and exposes one `check` function. `check_value` is
//! the single dispatch `match`. A checker receives the entry's `value` (never `null`: clearing
//! is the engine's business), reports every shape problem it finds through `Cx`, and returns
//! the `Parsed` value: the canonical JSON to store plus a `Measure` that the validators of
//! [`crate::rules`] read (length, number, instant, files, item count).

mod choice;
pub(crate) use choice::value_key;
mod control;
mod datetime;
mod entity;
mod interval;
mod media;
pub(crate) mod moment;
mod scalar;
mod text;

use std::borrow::Cow;
use std::cell::Cell;

use chrono::{DateTime, FixedOffset};

use crate::json::Json;

use crate::error::{Violation, ViolationKind};
use crate::form::Attribute;
use crate::pointer::Pointer;
use crate::record::StoredValue;
use crate::sanitize::Sanitizer;
use crate::CaptchaVerifier;

/// One of OneEntry's eighteen attribute types.
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
}

impl AttrType {
    /// All eighteen, in OneEntry's documentation order.
    pub const ALL: [AttrType; 18] = [
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
        }
    }

    /// The type named `name` (exact, case-sensitive), if any.
    pub fn from_name(name: &str) -> Option<AttrType> {
        AttrType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Types whose values need the form's configuration (options, captcha key) to be checked,
    /// and so cannot be accepted as dynamic properties.
    pub fn needs_form_config(self) -> bool {
        matches!(self, AttrType::RadioButton | AttrType::List | AttrType::Button | AttrType::Spam)
    }
}

/// What the validators measure in a parsed value. It borrows from the body where it can
/// (`'a`, the parsed tree's lifetime), so measuring a string or a file copies nothing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Measure<'a> {
    /// A string, or the plain text of a text value: length, email, pattern and mask rules.
    Text(Cow<'a, str>),
    /// A number: range rules.
    Number(f64),
    /// A point in time: date range rules.
    Instant(DateTime<FixedOffset>),
    /// Files or images: the file rules.
    Files(Vec<FileMeta<'a>>),
    /// A count of chosen items (options, entities, intervals): item-count rules.
    Items(usize),
    /// Nothing to measure (a solved captcha).
    Nothing,
}

/// What the file rules need to know of one file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FileMeta<'a> {
    /// Pointer to the file object in the body.
    pub path: Pointer,
    /// Its `filename`.
    pub filename: &'a str,
    /// Its `size` in bytes.
    pub size: u64,
    /// The host of its `downloadLink`, lower-cased (borrowed when it already was).
    pub host: Cow<'a, str>,
}

/// A value that passed its type's shape checks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Parsed<'a> {
    /// The canonical JSON to store (SPEC §5), as text.
    pub stored: StoredValue,
    /// What the validators look at.
    pub measure: Measure<'a>,
}

impl Parsed<'_> {
    /// True when the value carries nothing: `""`, `[]`, a text with no content. A required
    /// attribute sent empty is a 3045.
    pub fn is_empty(&self) -> bool {
        match &self.measure {
            Measure::Text(s) => s.is_empty(),
            Measure::Files(f) => f.is_empty(),
            Measure::Items(n) => *n == 0,
            Measure::Number(_) | Measure::Instant(_) | Measure::Nothing => false,
        }
    }
}

/// Shared services the checkers may use.
pub(crate) struct Env<'a> {
    /// HTML sanitising and markdown rendering.
    pub sanitizer: &'a Sanitizer,
    /// Captcha verification for `spam`.
    pub captcha: &'a dyn CaptchaVerifier,
    /// How much the value being checked may store.
    pub room: StoreRoom,
}

/// How many bytes a text value may store: the stored-size limits, and the room the record has
/// left for the value being checked, which the validator sets before each one. A text is
/// rendered within the smaller of the two, so its work stops at whichever limit it meets.
#[derive(Debug)]
pub(crate) struct StoreRoom {
    /// `Limits::max_stored_text_bytes`: the HTML plus plain text of one text value.
    pub text_limit: usize,
    /// `Limits::max_record_bytes`: the whole stored record.
    pub record_limit: usize,
    /// Bytes the value being checked may take before the record passes its limit.
    pub record_room: Cell<usize>,
}

impl StoreRoom {
    /// Room under these limits (the record's room is all of it until the validator says).
    pub fn new(text_limit: usize, record_limit: usize) -> Self {
        StoreRoom { text_limit, record_limit, record_room: Cell::new(record_limit) }
    }

    /// No limit: for values that come from the configuration (defaults) and for tests.
    pub fn unlimited() -> Self {
        StoreRoom::new(usize::MAX, usize::MAX)
    }

    /// The budget of a text value, and the violation it meets when it passes that budget.
    pub fn text_budget(&self) -> (usize, ViolationKind) {
        let record = self.record_room.get();
        if self.text_limit <= record {
            (self.text_limit, ViolationKind::StoredTextTooLarge { limit: self.text_limit })
        } else {
            (record, ViolationKind::RecordTooLarge { limit: self.record_limit })
        }
    }
}

/// The checking context of one entry: where it is, which marker, where violations go.
pub(crate) struct Cx<'a> {
    /// The marker of the entry being checked.
    pub marker: &'a str,
    /// Violations found so far (the whole update's list).
    pub out: &'a mut Vec<Violation>,
    /// Shared services.
    pub env: &'a Env<'a>,
}

impl Cx<'_> {
    /// Records a violation at `path` about this entry's marker. Cold: the happy path never
    /// reports, and its code stays together without the reporting blocks.
    #[cold]
    pub fn report(&mut self, path: Pointer, kind: ViolationKind) {
        self.out.push(Violation::new(path, kind).with_marker(self.marker));
    }

    /// Records a violation whose message the form may have replaced with `customErrorText`.
    #[cold]
    pub fn report_custom(&mut self, path: Pointer, kind: ViolationKind, custom: Option<&str>) {
        let mut v = Violation::new(path, kind).with_marker(self.marker);
        v.custom_message = custom.map(str::to_owned);
        self.out.push(v);
    }
}

/// Checks `value` (at `path`, never `null`) as a value of `attr`'s type and returns its
/// canonical form, or `None` after reporting why it is not one.
///
/// `trim` is the attribute's `trimValidator` for the entry's language (strings are trimmed
/// before they are checked and stored).
pub(crate) fn check_value<'a>(
    kind: AttrType,
    attr: Option<&Attribute>,
    value: &Json<'a>,
    path: &Pointer,
    trim: bool,
    cx: &mut Cx<'_>,
) -> Option<Parsed<'a>> {
    match kind {
        AttrType::String => scalar::string(value, path, trim, cx),
        AttrType::Integer => scalar::integer(value, path, cx),
        AttrType::Real | AttrType::Float => scalar::real(value, path, cx),
        AttrType::Date | AttrType::DateTime | AttrType::Time => datetime::check(kind, value, path, cx),
        AttrType::Text | AttrType::TextWithHeader => text::check(kind, value, path, cx),
        AttrType::Image | AttrType::GroupOfImages | AttrType::File => media::check(kind, value, path, cx),
        AttrType::RadioButton | AttrType::List => choice::check(kind, attr?, value, path, cx),
        AttrType::Entity => entity::check(value, path, cx),
        AttrType::TimeInterval => interval::check(value, path, cx),
        AttrType::Button => control::button(path, cx),
        AttrType::Spam => control::spam(attr?, value, path, cx),
    }
}

/// What the checkers' unit tests share: one way to run a checker, one test attribute.
#[cfg(test)]
pub(crate) mod testing {
    use super::{AttrType, Cx, Env, Parsed, StoreRoom};
    use crate::error::Violation;
    use crate::form::Attribute;
    use crate::pointer::Pointer;
    use crate::sanitize::Sanitizer;
    use crate::{CaptchaVerifier, StaticTokens};

    /// Runs `check` on a value at `/value` for `marker`, with a verifier accepting the captcha
    /// token `good`; asserts a result comes back exactly when nothing was reported.
    pub(crate) fn run(
        marker: &str,
        check: impl FnOnce(&Pointer, &mut Cx<'_>) -> Option<Parsed<'static>>,
    ) -> (Option<Parsed<'static>>, Vec<Violation>) {
        run_with(&StaticTokens::new(["good"]), marker, check)
    }

    /// [`run`] with another captcha verifier.
    pub(crate) fn run_with(
        verifier: &dyn CaptchaVerifier,
        marker: &str,
        check: impl FnOnce(&Pointer, &mut Cx<'_>) -> Option<Parsed<'static>>,
    ) -> (Option<Parsed<'static>>, Vec<Violation>) {
        let sanitizer = Sanitizer::default();
        let env = Env { sanitizer: &sanitizer, captcha: verifier, room: StoreRoom::unlimited() };
        let mut out = vec![];
        let r = check(&Pointer::root().child("value"), &mut Cx { marker, out: &mut out, env: &env });
        assert_eq!(r.is_some(), out.is_empty(), "a result exactly when nothing was reported: {out:?}");
        if let Some(p) = &r {
            // What a checker stores is canonical JSON text: what serde_json prints for it.
            let text = p.stored.json();
            let parsed: serde_json::Value = serde_json::from_str(text).expect("stored text is JSON");
            assert_eq!(serde_json::to_string(&parsed).unwrap(), text, "stored text is canonical");
        }
        (r, out)
    }

    /// An attribute of `kind` with no options, validators or flags.
    pub(crate) fn attribute(marker: &str, kind: AttrType) -> Attribute {
        Attribute {
            marker: marker.into(),
            kind,
            position: 1,
            options: vec![],
            multiselect: false,
            rules: Default::default(),
            read_only: false,
            is_login: false,
            is_password: false,
            notify_email: false,
            notify_push: false,
            notify_sms: false,
            captcha_key: None,
        }
    }
}
