//! JSON Schema (draft 2020-12) export of the `IUserBody` that one form accepts.
//!
//! [`Registry::json_schema`] describes, for one form, every body the engine could accept:
//! `formIdentifier` pinned to the form, each `formData` entry one of the form's markers (any
//! marker when `dynamicProperties` is on) with its `type` pinned and its `value` described by
//! the attribute's type and by the validators that JSON Schema can express exactly
//! (`requiredValidator`, string lengths, a `regExpValidator` that means the same in ECMA 262,
//! `fieldMaskValidator`, number bounds, options, item counts, file sizes and extensions, the
//! captcha site key), `authData` limited to the logins and the password, `langCode` and the
//! language keys limited to the accepted languages.
//!
//! The export is **sound**: every body the engine accepts is valid against it. It is looser
//! where a rule cannot be written in JSON Schema (uniqueness of the identity, read-only values,
//! duplicate markers, `formattedValue` against `fullDate`, HTML and its plain text, email
//! syntax, date bounds, limits) and wherever a faithful translation is uncertain. In
//! particular:
//!
//! - a validator only constrains what the engine checks: an empty value (`""`, `[]`) of an
//!   optional attribute skips the validators, so the schema lets it through too;
//! - with `trimValidator` only the minimum length survives (a raw string is never shorter than
//!   its trimmed self), and only for values that must not be empty;
//! - a `regExpValidator` is exported as `pattern` only when it is written in a subset of the
//!   syntax that ECMA 262 and the `regex` crate read identically (ASCII literals, non-negated
//!   ASCII classes, groups, alternation, quantifiers, a leading `^` and a trailing `$`) and the
//!   compiled regex provably carries none of the `i`/`m` flags a `/…/im` literal may set;
//! - number bounds are exported only below 2^53 in magnitude, where an `i64` compared as an
//!   `f64` (as the engine does) and exactly (as JSON Schema does) agree;
//! - validators given per language: entries keyed by a language use that language's set;
//!   unkeyed entries use the set of `langCode`, or, without one, any of the sets (the engine
//!   then uses the request's language, which the body does not show).
//!
//! [`value_shape`] gives the shape of a value of each type without any form configuration;
//! `schemas/user-body.schema.json` uses the same shapes for the form-independent schema.

mod body;
mod shapes;
mod values;

use serde_json::Value;

use crate::registry::Registry;
use crate::types::AttrType;
use body::export;
use shapes::{shape, Shape};

/// The `$schema` of every schema this module writes.
pub const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// `fullDate` of a `date`: RFC 3339 or a bare `YYYY-MM-DD`; both start like this.
const DATE_PREFIX: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}";
/// An RFC 3339 date-time, as far as a pattern can tell it without rejecting what chrono
/// accepts (separator `T`, `t` or a space; the fraction and the offset are not checked).
const DATE_TIME_PREFIX: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}";
/// E.164: `+`, then 7 to 15 digits, the first not `0`; phone punctuation (spaces, dashes, dots,
/// parentheses) anywhere, as the engine removes it before checking.
const E164: &str = "^[\\s().-]*\\+[\\s().-]*[1-9](?:[\\s().-]*[0-9]){6,14}[\\s().-]*$";
/// A language code shaped like `en_US`.
const LANG_SHAPED: &str = "^[a-z]{2}_[A-Z]{2}$";
/// Above this magnitude an `i64` compared as an `f64` may round onto a bound.
const EXACT_BOUND: f64 = crate::json::EXACT_FLOAT_INTEGERS;

impl Registry {
    /// A draft 2020-12 JSON Schema of the `IUserBody` that the form `form` accepts, or `None`
    /// when the registry has no such form.
    ///
    /// The schema is sound with respect to the engine (every body the engine accepts for this
    /// form, under this registry's options, is valid against it) and looser where the engine's
    /// rules cannot be written in JSON Schema; see the [module documentation](self).
    pub fn json_schema(&self, form: &str) -> Option<Value> {
        self.form(form).map(|f| export(self, f))
    }
}

/// The JSON Schema of a non-null `value` of type `kind` as the type's checker accepts it,
/// without any form configuration (no validators, any option value, any captcha site key).
///
/// `button` is `false`: a button never takes a value. Within a form, [`Registry::json_schema`]
/// narrows these shapes with the attribute's options and validators.
pub fn value_shape(kind: AttrType) -> Value {
    let open = Shape::default();
    shape(kind, &open)
}
