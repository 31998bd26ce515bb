//! The nineteen OneEntry attribute types: shape checks and canonical stored values.
//!
//! Each type family lives in its own file and exposes one `check` function. `check_value` is
//! the single dispatch `match`. A checker receives the entry's `value` (never `null`: clearing
//! is the engine's business), reports every shape problem it finds through `Cx`, and returns
//! the `CheckedValue` value: the canonical JSON to store plus a `Measure` that the validators of
//! [`crate::rules`] read (length, number, instant, files, item count).

mod choice;
pub(crate) use choice::value_key;
pub use choice::{ChoiceOption, Choices};
mod control;
mod datetime;
mod entity;
pub use entity::EntityOptions;
mod interval;
mod json;
mod media;
pub(crate) mod moment;
mod scalar;
mod text;

use std::cell::Cell;

use crate::json::Json;

pub use crate::attr_type::AttrType;
use crate::error::ViolationKind;
use crate::pointer::Pointer;
use crate::record::StoredValue;
use crate::report::Report;
pub(crate) use crate::rules::{FileMeta, Measure};
use crate::sanitize::Sanitizer;
use crate::CaptchaVerifier;

/// A value that passed its type's shape checks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CheckedValue<'a> {
    /// The canonical JSON to store (SPEC §5), as text.
    pub stored: StoredValue,
    /// What the validators look at.
    pub measure: Measure<'a>,
}

impl CheckedValue<'_> {
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
pub(crate) struct Services<'a> {
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

/// The checking context of one entry: which marker, where violations go, shared services.
pub(crate) struct Cx<'a> {
    /// The marker of the entry being checked.
    pub marker: &'a str,
    /// The whole update's violations so far.
    pub report: &'a mut Report,
    /// Shared services.
    pub env: &'a Services<'a>,
}

impl Cx<'_> {
    /// Adds a violation at `path` about this entry's marker.
    pub fn report(&mut self, path: Pointer, kind: ViolationKind) {
        self.report.add_for(self.marker, path, kind);
    }
}

/// What checking a value needs to know of its attribute beyond the type, built once by the
/// form compiler; the checkers see this, never the form's attribute.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum TypeConfig {
    /// Nothing: the type's own shape decides.
    #[default]
    Plain,
    /// A `radioButton` or `list`: its options.
    Choice(Choices),
    /// An `entity` whose `listTitles` lists entity options: the ids a reference may name.
    Entity(EntityOptions),
    /// A `spam` captcha: the site key from `settings.captcha.key`, if the form gives one.
    Captcha(Option<String>),
}

impl TypeConfig {
    /// The options of a choice attribute; none for any other, so every choice is unknown (a
    /// form never gives a choice type without options, and a dynamic property cannot be one).
    pub fn choices(&self) -> &Choices {
        static NONE: Choices = Choices { options: Vec::new(), multiselect: false };
        if let TypeConfig::Choice(c) = self {
            c
        } else {
            &NONE
        }
    }

    /// The entity options of an `entity` attribute, if the form lists some.
    pub fn entity_options(&self) -> Option<&EntityOptions> {
        if let TypeConfig::Entity(options) = self {
            Some(options)
        } else {
            None
        }
    }

    /// The captcha site key of a `spam` attribute, if the form gives one.
    pub fn site_key(&self) -> Option<&str> {
        if let TypeConfig::Captcha(key) = self {
            key.as_deref()
        } else {
            None
        }
    }
}

/// Checks `value` (at `path`, never `null`) as a value of type `kind` configured by `config`
/// and returns its canonical form, or `None` after reporting why it is not one.
///
/// `trim` is the attribute's `trimValidator` for the entry's language (strings are trimmed
/// before they are checked and stored).
pub(crate) fn check_value<'a>(
    kind: AttrType,
    config: &TypeConfig,
    value: &Json<'a>,
    path: &Pointer,
    trim: bool,
    cx: &mut Cx<'_>,
) -> Option<CheckedValue<'a>> {
    match kind {
        AttrType::String => scalar::string(value, path, trim, cx),
        AttrType::Integer => scalar::integer(value, path, cx),
        AttrType::Real | AttrType::Float => scalar::real(value, path, cx),
        AttrType::Date | AttrType::DateTime | AttrType::Time => datetime::check(kind, value, path, cx),
        AttrType::Text | AttrType::TextWithHeader => text::check(kind, value, path, cx),
        AttrType::Image | AttrType::GroupOfImages | AttrType::File => media::check(kind, value, path, cx),
        AttrType::RadioButton | AttrType::List => choice::check(kind, config.choices(), value, path, cx),
        AttrType::Entity => entity::check(config.entity_options(), value, path, cx),
        AttrType::TimeInterval => interval::check(value, path, cx),
        AttrType::Button => control::button(path, cx),
        AttrType::Spam => control::spam(config.site_key(), value, path, cx),
        AttrType::Json => Some(json::check(value)),
    }
}

/// What the checkers' unit tests share: one way to run a checker.
#[cfg(test)]
pub(crate) mod testing {
    use super::{CheckedValue, Cx, Services, StoreRoom};
    use crate::error::Violation;
    use crate::pointer::Pointer;
    use crate::report::Report;
    use crate::sanitize::Sanitizer;
    use crate::{CaptchaVerifier, StaticTokens};

    /// Runs `check` on a value at `/value` for `marker`, with a verifier accepting the captcha
    /// token `good`; asserts a result comes back exactly when nothing was reported.
    pub(crate) fn run(
        marker: &str,
        check: impl FnOnce(&Pointer, &mut Cx<'_>) -> Option<CheckedValue<'static>>,
    ) -> (Option<CheckedValue<'static>>, Vec<Violation>) {
        run_with(&StaticTokens::new(["good"]), marker, check)
    }

    /// [`run`] with another captcha verifier.
    pub(crate) fn run_with(
        verifier: &dyn CaptchaVerifier,
        marker: &str,
        check: impl FnOnce(&Pointer, &mut Cx<'_>) -> Option<CheckedValue<'static>>,
    ) -> (Option<CheckedValue<'static>>, Vec<Violation>) {
        let sanitizer = Sanitizer::default();
        let env = Services { sanitizer: &sanitizer, captcha: verifier, room: StoreRoom::unlimited() };
        let mut report = Report::new();
        let r = check(&Pointer::root().child("value"), &mut Cx { marker, report: &mut report, env: &env });
        let out = report.into_violations();
        assert_eq!(r.is_some(), out.is_empty(), "a result exactly when nothing was reported: {out:?}");
        if let Some(p) = &r {
            // What a checker stores is canonical JSON text: what serde_json prints for it.
            let text = p.stored.json();
            let parsed: serde_json::Value = serde_json::from_str(text).expect("stored text is JSON");
            assert_eq!(serde_json::to_string(&parsed).unwrap(), text, "stored text is canonical");
        }
        (r, out)
    }
}
