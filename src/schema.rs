//! JSON Schema (draft 2020-12) export of the `IUserBody` that one form accepts.
//!
//! [`Registry::json_schema`] describes, for one form, every body the engine could accept:
//! `formIdentifier` pinned to the form, each `formData` entry one of the form's markers (any
//! marker when `dynamicProperties` is on) with its `type` pinned and its `value` described by
//! the attribute's type and by the validators that JSON Schema can express exactly
//! (`requiredValidator`, string lengths, a `regExpValidator` that means the same in ECMA 262,
//! `fieldMaskValidator`, number bounds, options, item counts, file sizes and extensions, the
//! captcha site key), `authData` limited to the login and password, `langCode` and the
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

use serde_json::{json, Map, Value};

use crate::form::{Attribute, Form};
use crate::registry::Registry;
use crate::rules::{FilesRule, ListRule, MaskRule, NumberRule, PatternRule, Rules};
use crate::types::{value_key, AttrType};

/// The `$schema` of every schema this module writes.
pub const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

/// `fullDate` of a `date`: RFC 3339 or a bare `YYYY-MM-DD`; both start like this.
const DATE_PREFIX: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}";
/// An RFC 3339 date-time, as far as a pattern can tell it without rejecting what chrono
/// accepts (separator `T`, `t` or a space; the fraction and the offset are not checked).
const DATE_TIME_PREFIX: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}";
/// E.164: `+`, then 7 to 15 digits, the first not `0`.
const E164: &str = "^\\+[1-9][0-9]{6,14}$";
/// A language code shaped like `en_US`.
const LANG_SHAPED: &str = "^[a-z]{2}_[A-Z]{2}$";
/// Above this magnitude an `i64` compared as an `f64` may round onto a bound.
const EXACT_BOUND: f64 = 9_007_199_254_740_992.0; // 2^53

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

/// What a form adds to a type's shape. The default adds nothing.
#[derive(Default)]
struct Shape {
    /// Option values (`radioButton`, `list`); `None`: any string or number.
    options: Option<Vec<Value>>,
    /// `list`: several choices allowed (`true` when the form is unknown).
    single: bool,
    /// Fewest items of a non-empty array value (`listInspectionValidator.minItems`).
    min_items: Option<usize>,
    /// Most items (`listInspectionValidator.maxItems`, `checkingFilesValidator.maxUnits`).
    max_items: Option<usize>,
    /// `[]` is refused (a required attribute without a default).
    non_empty: bool,
    /// Largest file size (`checkingFilesValidator.maxValue`).
    max_size: Option<u64>,
    /// A pattern every file name must match (`checkingFilesValidator.extensions`).
    filename_pattern: Option<String>,
    /// The only non-empty `siteKey` a captcha may send.
    site_key: Option<String>,
}

fn shape(kind: AttrType, s: &Shape) -> Value {
    match kind {
        AttrType::String => json!({"type": "string"}),
        AttrType::Integer => json!({"anyOf": [
            {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX},
            {"type": "string", "pattern": "[0-9]", "description": "a numeric string such as \"42\" or \" -7 \""}
        ]}),
        AttrType::Real | AttrType::Float => json!({"anyOf": [
            {"type": "number"},
            {"type": "string", "pattern": "[0-9]", "description": "a numeric string such as \"1.75\""}
        ]}),
        AttrType::Date | AttrType::DateTime | AttrType::Time => one_or_single_array(date_object(kind)),
        AttrType::Text | AttrType::TextWithHeader => one_or_single_array(text_object(kind == AttrType::TextWithHeader)),
        AttrType::Image => one_or_single_array(file_object(true, s)),
        AttrType::GroupOfImages | AttrType::File => {
            let item = file_object(kind == AttrType::GroupOfImages, s);
            lone_or_array(item, s, false)
        }
        AttrType::RadioButton => one_or_single_array(choice(s)),
        AttrType::List => lone_or_array(choice(s), s, true),
        AttrType::Entity => lone_or_array(entity_id(), s, true),
        AttrType::TimeInterval => {
            let bound = json!({"type": "string", "pattern": DATE_TIME_PREFIX});
            let pair = json!({"type": "array", "minItems": 2, "maxItems": 2, "items": bound,
                "description": "[start, end], RFC 3339, start before end"});
            counted(pair, s, false)
        }
        AttrType::Button => Value::Bool(false),
        AttrType::Spam => {
            let site_key = match &s.site_key {
                Some(k) => json!({"anyOf": [{"type": "null"}, {"enum": ["", k]}]}),
                None => json!({"type": ["string", "null"]}),
            };
            json!({
                "type": "object",
                "required": ["event"],
                "properties": {"event": {
                    "type": "object",
                    "required": ["token"],
                    "properties": {"token": {"type": "string", "minLength": 1}, "siteKey": site_key}
                }}
            })
        }
    }
}

/// `item` or a one-element array of it.
fn one_or_single_array(item: Value) -> Value {
    json!({"anyOf": [item.clone(), {"type": "array", "minItems": 1, "maxItems": 1, "items": item}]})
}

/// An array of `item`s with the count constraints of `s`, or (when one item may do) a lone
/// `item`.
fn lone_or_array(item: Value, s: &Shape, unique: bool) -> Value {
    let array = counted(item.clone(), s, unique);
    if s.min_items.unwrap_or(0) <= 1 {
        json!({"anyOf": [item, array]})
    } else {
        array
    }
}

/// An array of `item`s: at most `max_items` (1 for a single-choice list); at least
/// `min_items` unless empty (validators skip empty values), and not empty when `non_empty`.
fn counted(item: Value, s: &Shape, unique: bool) -> Value {
    let mut a = Map::new();
    a.insert("type".into(), json!("array"));
    a.insert("items".into(), item);
    if unique {
        a.insert("uniqueItems".into(), json!(true));
    }
    let max = if s.single { Some(s.max_items.map_or(1, |m| m.min(1))) } else { s.max_items };
    if let Some(max) = max {
        a.insert("maxItems".into(), json!(max));
    }
    let min = s.min_items.unwrap_or(0);
    if s.non_empty {
        a.insert("minItems".into(), json!(min.max(1)));
    } else if min >= 2 {
        a.insert("anyOf".into(), json!([{"maxItems": 0}, {"minItems": min}]));
    }
    Value::Object(a)
}

fn date_object(kind: AttrType) -> Value {
    let pattern = if kind == AttrType::Date { DATE_PREFIX } else { DATE_TIME_PREFIX };
    json!({
        "type": "object",
        "required": ["fullDate"],
        "properties": {
            "fullDate": {"type": "string", "pattern": pattern, "description": "RFC 3339 (a date may also be YYYY-MM-DD)"},
            "formattedValue": {"type": ["string", "null"], "description": "fullDate rendered with formatString at a real UTC offset"},
            "formatString": {"type": ["string", "null"], "description": "moment.js tokens"}
        }
    })
}

fn text_object(with_header: bool) -> Value {
    let mut keys = vec!["htmlValue", "plainValue", "mdValue"];
    if with_header {
        keys.push("header");
    }
    let mut props = Map::new();
    for k in &keys {
        props.insert((*k).into(), json!({"type": ["string", "null"]}));
    }
    props.insert(
        "params".into(),
        json!({
            "type": ["object", "null"],
            "properties": {
                "editorMode": {"type": ["string", "null"]},
                "isEditorDisabled": {"type": ["boolean", "null"]},
                "isImageCompressed": {"type": ["boolean", "null"]}
            }
        }),
    );
    let content: Vec<Value> =
        keys.iter().map(|k| json!({"required": [k], "properties": {*k: {"type": "string"}}})).collect();
    json!({"type": "object", "properties": props, "anyOf": content})
}

fn file_object(image: bool, s: &Shape) -> Value {
    const CONTROL: &str = "[\\x00-\\x1F\\x7F-\\x9F]";
    let link = json!({"type": "string", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?:", "not": {"pattern": CONTROL}});
    let mut filename = json!({
        "type": "string",
        "minLength": 1,
        "description": "a relative path: no leading /, no backslash, no .. segment, no drive letter, no control character",
        "not": {"anyOf": [
            {"pattern": "^/"},
            {"pattern": "\\\\"},
            {"pattern": "^[A-Za-z]:"},
            {"pattern": "(^|/)\\.\\.(/|$)"},
            {"pattern": "(^|/)\\.?$"},
            {"pattern": CONTROL}
        ]}
    });
    if let Some(p) = &s.filename_pattern {
        filename["pattern"] = json!(p);
    }
    let mut size_int = json!({"type": "integer", "minimum": 0});
    if let Some(max) = s.max_size {
        size_int["maximum"] = json!(max);
    }
    let size = json!({"anyOf": [size_int, {"type": "string", "pattern": "^[0-9]+$"}], "description": "bytes"});
    let mut props = Map::new();
    props.insert("filename".into(), filename);
    props.insert("downloadLink".into(), link.clone());
    props.insert("size".into(), size);
    if image {
        props.insert("previewLink".into(), json!({"anyOf": [{"type": "null"}, {"const": ""}, link]}));
        props.insert(
            "params".into(),
            json!({"type": ["object", "null"], "properties": {"isImageCompressed": {"type": ["boolean", "null"]}}}),
        );
    }
    json!({"type": "object", "required": ["filename", "downloadLink", "size"], "properties": props})
}

/// One choice: an option value, or an option object whose `value` is one.
fn choice(s: &Shape) -> Value {
    let value = match &s.options {
        Some(values) => json!({"enum": values}),
        None => json!({"type": ["string", "number"]}),
    };
    json!({"anyOf": [
        value.clone(),
        {"type": "object", "required": ["value"], "properties": {"value": value}}
    ]})
}

fn entity_id() -> Value {
    json!({"anyOf": [
        {"type": "integer", "minimum": 0, "description": "a page id"},
        {"type": "string", "minLength": 1, "maxLength": 128,
         "pattern": "^([0-9]+|[A-Za-z][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*)$",
         "description": "a page id as text, or a product id such as p-1-123"}
    ]})
}

// ---------------------------------------------------------------------------------------------
// One form.

/// A validator set: `None` is the base set, `Some(lang)` the set of that language.
type Set<'a> = Option<&'a str>;

fn rules_for<'a>(a: &'a Attribute, set: Set<'_>) -> &'a Rules {
    match set {
        Some(lang) => a.rules.for_lang(lang),
        None => &a.rules.base,
    }
}

fn def_name(base: &str, set: Set<'_>) -> String {
    match set {
        Some(lang) => format!("{base}.{lang}"),
        None => base.to_owned(),
    }
}

fn def_ref(base: &str, set: Set<'_>) -> Value {
    json!({"$ref": format!("#/$defs/{}", def_name(base, set))})
}

fn export(reg: &Registry, form: &Form) -> Value {
    let mut langs: Vec<&str> =
        form.attributes.values().flat_map(|a| a.rules.by_lang.keys().map(String::as_str)).collect();
    langs.sort_unstable();
    langs.dedup();
    let sets: Vec<Set<'_>> = std::iter::once(None).chain(langs.iter().map(|l| Some(*l))).collect();

    let mut defs = Map::new();
    for &set in &sets {
        defs.insert(def_name("entry", set), entry(reg, form, set));
        defs.insert(
            def_name("entries", set),
            json!({"anyOf": [def_ref("entry", set), {"type": "array", "items": def_ref("entry", set)}]}),
        );
        defs.insert(def_name("formData", set), form_data(reg, form, set, &langs));
        defs.insert(def_name("authData", set), auth_data(form, set));
    }

    let key = language_key(reg);
    let lang_code = match key.get("enum").and_then(Value::as_array) {
        Some(list) => {
            let mut list = list.clone();
            list.push(Value::Null);
            json!({"enum": list})
        }
        None => json!({"anyOf": [{"type": "null"}, {"type": "string", "pattern": LANG_SHAPED}]}),
    };
    let phone = json!({"type": "string", "pattern": E164});
    // A string with nothing but white space (no printable ASCII) counts as absent.
    let blank = json!({"not": {"pattern": "[!-~]"}});
    let mut props = Map::new();
    props.insert("formIdentifier".into(), json!({"const": form.identifier}));
    props.insert("langCode".into(), lang_code);
    props.insert(
        "notificationData".into(),
        json!({
            "type": ["object", "null"],
            "properties": {
                "email": {"anyOf": [{"type": "null"}, {"type": "string", "anyOf": [{"pattern": "@"}, blank]}]},
                "phonePush": {"type": ["array", "null"], "items": phone},
                "phoneSMS": {"anyOf": [{"type": "null"}, {"type": "string", "anyOf": [{"pattern": E164}, blank]}]}
            }
        }),
    );
    props.insert(
        "state".into(),
        json!({"type": ["object", "null"], "description": "a JSON Merge Patch (RFC 7386) of the stored state"}),
    );

    let mut top = Map::new();
    top.insert("$schema".into(), json!(DRAFT_2020_12));
    top.insert("title".into(), json!(format!("IUserBody for the form `{}`", form.identifier)));
    top.insert(
        "description".into(),
        json!("Exported by userform: every body the engine accepts for this form is valid against this schema; the engine checks more (identity uniqueness, read-only values, duplicate markers, formatted dates, HTML, email syntax, limits)."),
    );
    top.insert("type".into(), json!("object"));
    let mut required = vec![json!("formIdentifier")];
    if form.captcha.is_some() {
        required.push(json!("formData"));
    }
    top.insert("required".into(), Value::Array(required));
    if langs.is_empty() {
        props.insert("formData".into(), def_ref("formData", None));
        props.insert("authData".into(), def_ref("authData", None));
    } else {
        // Unkeyed entries and authData use the rules of `langCode`; without one, of whichever
        // language the request names.
        let branches: Vec<Value> = sets
            .iter()
            .map(|&set| {
                let code = match set {
                    Some(lang) => json!({"enum": [Value::Null, lang]}),
                    None => json!({"not": {"enum": langs}}),
                };
                json!({"properties": {"langCode": code, "formData": def_ref("formData", set), "authData": def_ref("authData", set)}})
            })
            .collect();
        top.insert("anyOf".into(), Value::Array(branches));
    }
    top.insert("properties".into(), Value::Object(props));
    top.insert("$defs".into(), Value::Object(defs));
    Value::Object(top)
}

/// The keys of the keyed `formData` shape: the accepted languages.
fn language_key(reg: &Registry) -> Value {
    match &reg.options().languages {
        Some(list) => json!({"enum": list}),
        None => json!({"pattern": LANG_SHAPED}),
    }
}

fn form_data(reg: &Registry, form: &Form, set: Set<'_>, langs: &[&str]) -> Value {
    let keyed_props: Map<String, Value> =
        langs.iter().map(|l| ((*l).to_owned(), def_ref("entries", Some(l)))).collect();
    let mut s = json!({
        "type": ["object", "array", "null"],
        "description": "one entry, an array of entries, or an object keyed by language code",
        "items": def_ref("entry", set),
        "if": {"type": "object", "required": ["marker"]},
        "then": def_ref("entry", set),
        "else": {"propertyNames": language_key(reg), "properties": keyed_props, "additionalProperties": def_ref("entries", None)}
    });
    if let Some(captcha) = &form.captcha {
        // A form with a captcha rejects a body that does not carry it, in any language.
        let has = json!({"type": "object", "required": ["marker"], "properties": {"marker": {"const": captcha}}});
        let has_in_lang = json!({"anyOf": [has.clone(), {"type": "array", "contains": has.clone()}]});
        s["type"] = json!(["object", "array"]);
        s["allOf"] = json!([{"anyOf": [
            has.clone(),
            {"type": "array", "contains": has},
            {"type": "object", "not": {"anyOf": [{"required": ["marker"]}, {"additionalProperties": {"not": has_in_lang}}]}}
        ]}]);
    }
    s
}

fn entry(reg: &Registry, form: &Form, set: Set<'_>) -> Value {
    let dynamic = reg.options().dynamic_properties;
    let refused: Vec<&str> = form
        .attributes
        .values()
        .filter(|a| a.is_password || a.kind == AttrType::Button)
        .map(|a| a.marker.as_str())
        .collect();
    let allowed: Vec<&Attribute> =
        form.attributes.values().filter(|a| !a.is_password && a.kind != AttrType::Button).collect();
    let marker = if dynamic {
        let mut m = json!({"type": "string", "minLength": 1});
        if !refused.is_empty() {
            m["not"] = json!({"enum": refused});
        }
        m
    } else if allowed.is_empty() {
        return Value::Bool(false);
    } else {
        json!({"enum": allowed.iter().map(|a| a.marker.as_str()).collect::<Vec<_>>()})
    };
    let mut branches: Vec<Value> = allowed
        .iter()
        .map(|a| {
            json!({
                "if": {"properties": {"marker": {"const": a.marker}}},
                "then": {"properties": {"type": {"const": a.kind.name()}, "value": attribute_value(a, rules_for(a, set))}}
            })
        })
        .collect();
    if dynamic {
        // Types a dynamic property may have (the others need the form's configuration).
        let dynamic_types = || AttrType::ALL.into_iter().filter(|t| !t.needs_form_config());
        let types: Vec<&str> = dynamic_types().map(|t| t.name()).collect();
        let by_type: Vec<Value> = dynamic_types()
            .map(|t| {
                json!({
                    "if": {"properties": {"type": {"const": t.name()}}},
                    "then": {"properties": {"value": {"anyOf": [{"type": "null"}, value_shape(t)]}}}
                })
            })
            .collect();
        let then = json!({"required": ["type"], "properties": {"type": {"enum": types}}, "allOf": by_type});
        if form.attributes.is_empty() {
            branches.push(then);
        } else {
            let markers: Vec<&str> = form.attributes.keys().map(String::as_str).collect();
            branches.push(json!({"if": {"properties": {"marker": {"not": {"enum": markers}}}}, "then": then}));
        }
    }
    json!({
        "type": "object",
        "required": ["marker", "value"],
        "properties": {"marker": marker},
        "allOf": branches
    })
}

fn auth_data(form: &Form, set: Set<'_>) -> Value {
    let mut markers = Vec::new();
    let mut branches = Vec::new();
    for a in form.attributes.values().filter(|a| a.is_login || a.is_password) {
        markers.push(a.marker.as_str());
        let rules = rules_for(a, set);
        // The password is checked as sent (never trimmed) and can never be empty.
        let value = if a.is_password { string_value(rules, false, false) } else { attribute_value(a, rules) };
        branches.push(
            json!({"if": {"properties": {"marker": {"const": a.marker}}}, "then": {"properties": {"value": value}}}),
        );
    }
    let item = if markers.is_empty() {
        Value::Bool(false)
    } else {
        json!({"type": "object", "required": ["marker", "value"], "properties": {"marker": {"enum": markers}}, "allOf": branches})
    };
    json!({
        "type": ["array", "object", "null"],
        "description": "[{marker, value}] of the login and the password (a lone object is accepted too)",
        "items": item.clone(),
        "if": {"type": "object"},
        "then": item
    })
}

/// The `value` of an entry of `a` under `rules`, `null` included when it is accepted.
fn attribute_value(a: &Attribute, rules: &Rules) -> Value {
    // An empty value (null, "", [], ...) skips the validators: it takes the default, or is a
    // 3045 when required, or clears the attribute.
    let empty_ok = rules.default.is_some() || (rules.required.is_none() && !a.is_login && a.kind != AttrType::Spam);
    let value = match a.kind {
        AttrType::String => string_value(rules, empty_ok, rules.trim),
        AttrType::Integer | AttrType::Real | AttrType::Float => number_value(a.kind, rules.number.as_ref()),
        AttrType::Image | AttrType::GroupOfImages | AttrType::File => {
            let mut s = counts(rules.list.as_ref(), !empty_ok);
            if let Some(f) = &rules.files {
                apply_files(&mut s, f);
            }
            shape(a.kind, &s)
        }
        AttrType::RadioButton | AttrType::List => {
            let mut s = counts(rules.list.as_ref(), !empty_ok);
            s.options = Some(option_values(a));
            s.single = a.kind == AttrType::List && !a.config.choices().multiselect;
            shape(a.kind, &s)
        }
        AttrType::Entity | AttrType::TimeInterval => shape(a.kind, &counts(rules.list.as_ref(), !empty_ok)),
        AttrType::Spam => {
            shape(a.kind, &Shape { site_key: a.config.site_key().map(str::to_owned), ..Shape::default() })
        }
        kind => value_shape(kind),
    };
    if empty_ok {
        json!({"anyOf": [{"type": "null"}, value]})
    } else {
        value
    }
}

fn counts(list: Option<&ListRule>, non_empty: bool) -> Shape {
    Shape {
        min_items: list.and_then(|l| l.min_items),
        max_items: list.and_then(|l| l.max_items),
        non_empty,
        ..Shape::default()
    }
}

fn apply_files(s: &mut Shape, f: &FilesRule) {
    s.max_items = match (s.max_items, f.max_units) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    s.max_size = f.max_size;
    s.filename_pattern = extension_pattern(&f.extensions);
}

/// A string value. Without trimming, every string validator JSON Schema can express; with
/// it, only the minimum length of a value that must not be empty.
fn string_value(rules: &Rules, empty_ok: bool, trim: bool) -> Value {
    let (mut min, mut max) = (0, None::<usize>);
    if let Some(l) = &rules.length {
        min = l.min.unwrap_or(0).max(l.exact.unwrap_or(0));
        max = match (l.max, l.exact) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    let mut out = Map::new();
    out.insert("type".into(), json!("string"));
    if trim {
        if !empty_ok {
            out.insert("minLength".into(), json!(min.max(1)));
        }
        return Value::Object(out);
    }
    let mut c = Map::new();
    if min > 0 {
        c.insert("minLength".into(), json!(min));
    }
    if let Some(max) = max {
        c.insert("maxLength".into(), json!(max));
    }
    let patterns: Vec<String> = rules
        .pattern
        .as_ref()
        .and_then(portable_pattern)
        .into_iter()
        .chain(rules.mask.as_ref().map(mask_pattern))
        .collect();
    match patterns.as_slice() {
        [] => {}
        [one] => {
            c.insert("pattern".into(), json!(one));
        }
        many => {
            c.insert("allOf".into(), Value::Array(many.iter().map(|p| json!({"pattern": p})).collect()));
        }
    }
    if empty_ok {
        if !c.is_empty() {
            out.insert("anyOf".into(), json!([{"maxLength": 0}, c]));
        }
    } else {
        let min = c.get("minLength").and_then(Value::as_u64).unwrap_or(0).max(1);
        c.insert("minLength".into(), json!(min));
        out.extend(c);
    }
    Value::Object(out)
}

/// A number: the bounds apply to JSON numbers (numeric strings are not compared by JSON
/// Schema). Bounds at or beyond 2^53 in magnitude are left out.
fn number_value(kind: AttrType, rule: Option<&NumberRule>) -> Value {
    let mut v = value_shape(kind);
    let exact = |b: Option<f64>| b.filter(|b| b.abs() < EXACT_BOUND).map(json_number);
    if let Some(rule) = rule {
        let number = &mut v["anyOf"][0];
        if let Some(min) = exact(rule.min) {
            number["minimum"] = min;
        }
        if let Some(max) = exact(rule.max) {
            number["maximum"] = max;
        }
    }
    v
}

fn json_number(f: f64) -> Value {
    if f.fract() == 0.0 {
        json!(f as i64)
    } else {
        json!(f)
    }
}

/// Every JSON value a body may give for one of `a`'s options: the option's text, and the
/// numbers JavaScript writes as that text (`"1"` → `1`, `"1.5"` → `1.5`, `"1e+21"` → `1e21`).
fn option_values(a: &Attribute) -> Vec<Value> {
    let mut out = Vec::new();
    for o in &a.config.choices().options {
        let k = o.key();
        out.push(Value::String(k.to_owned()));
        let int = k.parse::<i64>().ok().filter(|i| i.to_string() == k).map(Value::from);
        let int = int.or_else(|| k.parse::<u64>().ok().filter(|u| u.to_string() == k).map(Value::from));
        let exact_float = |f: f64| f.fract() == 0.0 && f.abs() < EXACT_BOUND;
        let float = k
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Value::from)
            .filter(|v| value_key(v).as_deref() == Some(k))
            .filter(|v| !(int.is_some() && v.as_f64().is_some_and(exact_float)));
        out.extend(int);
        out.extend(float);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Patterns.

/// Characters escaped with a backslash in a pattern (the same in ECMA 262 and `regex`).
const META: &str = "^$\\.*+?()[]{}|/";

/// `c` as a pattern literal, outside a class.
fn literal(c: char) -> String {
    if META.contains(c) {
        format!("\\{c}")
    } else {
        c.to_string()
    }
}

/// `fieldMaskValidator` as a pattern: the hint, then the mask with `9` and `#` as digits.
fn mask_pattern(m: &MaskRule) -> String {
    let mut p = String::from("^");
    p.extend(m.hint.chars().map(literal));
    for c in m.mask.chars() {
        if c == '9' || c == '#' {
            p.push_str("[0-9]");
        } else {
            p.push_str(&literal(c));
        }
    }
    p.push('$');
    p
}

/// `checkingFilesValidator.extensions` as a pattern on the file name, when every extension is
/// ASCII letters and digits (compared case-insensitively: `K` also stands for U+212A KELVIN
/// SIGN, which lower-cases to `k`).
fn extension_pattern(extensions: &[String]) -> Option<String> {
    if extensions.is_empty()
        || !extensions.iter().all(|e| !e.is_empty() && e.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return None;
    }
    let alternatives: Vec<String> = extensions
        .iter()
        .map(|e| {
            e.chars()
                .map(|c| match c {
                    'k' | 'K' => "[kK\u{212A}]".to_owned(),
                    c if c.is_ascii_alphabetic() => format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase()),
                    c => c.to_string(),
                })
                .collect()
        })
        .collect();
    Some(format!("\\.(?:{})$", alternatives.join("|")))
}

/// The engine's `regExpValidator` as a JSON Schema `pattern`, when it provably matches the
/// same strings under ECMA 262 as under the `regex` crate; `None` when unsure. The rule keeps
/// its source and flags, so nothing is guessed: `i` changes what a pattern with letters
/// matches and `m` what an anchored one matches (the subset has no `.`, so `s` changes
/// nothing), and a JSON Schema `pattern` takes no flags.
fn portable_pattern(rule: &PatternRule) -> Option<String> {
    let parsed = Pattern::parse(&rule.source)?;
    let flags = rule.flags;
    if flags.case_insensitive && parsed.has_letters() || flags.multi_line && (parsed.start || parsed.end) {
        return None;
    }
    Some(rule.source.clone())
}

/// A regex in the subset that ECMA 262 and the `regex` crate read the same way.
struct Pattern {
    /// A leading `^`.
    start: bool,
    /// A trailing `$`.
    end: bool,
    /// Top-level alternatives.
    alts: Vec<Seq>,
}

type Seq = Vec<(Node, u32, Option<u32>)>;

enum Node {
    /// One ASCII character.
    Lit(char),
    /// A non-negated class of ASCII ranges.
    Class(Vec<(char, char)>),
    /// A group of alternatives.
    Group(Vec<Seq>),
}

/// Characters that stand for themselves outside a class.
const SAFE_LITERAL: &str = " _,:;@#%!=<>'\"/&~-`";
/// Characters that stand for themselves inside a class.
const SAFE_CLASS_LITERAL: &str = " _,:;@#%!=<>'\"/.+*?(){}$|`";

struct Parser<'a> {
    c: &'a [char],
    i: usize,
    end: usize,
}

impl Pattern {
    fn parse(src: &str) -> Option<Pattern> {
        let c: Vec<char> = src.chars().collect();
        let mut p = Parser { c: &c, i: 0, end: c.len() };
        let start = p.eat('^');
        let mut end = false;
        if c.len() > p.i && c.last() == Some(&'$') {
            let backslashes = c[..c.len() - 1].iter().rev().take_while(|&&x| x == '\\').count();
            if backslashes % 2 == 0 {
                end = true;
                p.end = c.len() - 1;
            }
        }
        let alts = p.alternation(0)?;
        if p.i != p.end || ((start || end) && alts.len() > 1) {
            return None;
        }
        Some(Pattern { start, end, alts })
    }

    fn has_letters(&self) -> bool {
        fn seq(s: &Seq) -> bool {
            s.iter().any(|(n, _, _)| match n {
                Node::Lit(c) => c.is_ascii_alphabetic(),
                Node::Class(ranges) => ranges.iter().any(|&(lo, hi)| (lo..=hi).any(|c| c.is_ascii_alphabetic())),
                Node::Group(alts) => alts.iter().any(seq),
            })
        }
        self.alts.iter().any(seq)
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        (self.i < self.end).then(|| self.c[self.i])
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn alternation(&mut self, depth: usize) -> Option<Vec<Seq>> {
        if depth > 16 {
            return None;
        }
        let mut alts = vec![self.sequence(depth)?];
        while self.eat('|') {
            alts.push(self.sequence(depth)?);
        }
        Some(alts)
    }

    fn sequence(&mut self, depth: usize) -> Option<Seq> {
        let mut seq = Vec::new();
        while let Some(c) = self.peek() {
            let node = match c {
                '|' | ')' => break,
                '(' => {
                    self.i += 1;
                    if self.eat('?') && !self.eat(':') {
                        return None;
                    }
                    let alts = self.alternation(depth + 1)?;
                    if !self.eat(')') {
                        return None;
                    }
                    Node::Group(alts)
                }
                '[' => {
                    self.i += 1;
                    self.class()?
                }
                '\\' => {
                    self.i += 1;
                    let e = self.peek().filter(|e| META.contains(*e))?;
                    self.i += 1;
                    Node::Lit(e)
                }
                c if c.is_ascii_alphanumeric() || SAFE_LITERAL.contains(c) => {
                    self.i += 1;
                    Node::Lit(c)
                }
                _ => return None,
            };
            let (min, max) = self.quantifier()?;
            seq.push((node, min, max));
        }
        Some(seq)
    }

    /// An optional quantifier (lazy or not); `(1, Some(1))` when there is none.
    fn quantifier(&mut self) -> Option<(u32, Option<u32>)> {
        let q = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                self.i += 1;
                let min = self.number()?;
                let max = if self.eat(',') {
                    if self.peek() == Some('}') {
                        None
                    } else {
                        Some(self.number()?)
                    }
                } else {
                    Some(min)
                };
                if self.peek() != Some('}') || max.is_some_and(|m| m < min) {
                    return None;
                }
                (min, max)
            }
            _ => return Some((1, Some(1))),
        };
        self.i += 1;
        self.eat('?');
        if matches!(self.peek(), Some('*' | '+' | '?' | '{')) {
            return None;
        }
        Some(q)
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if self.i == start || self.i - start > 4 {
            return None;
        }
        self.c[start..self.i].iter().collect::<String>().parse().ok()
    }

    /// A class after its `[`, through its `]`.
    fn class(&mut self) -> Option<Node> {
        if matches!(self.peek(), Some('^' | ']')) {
            return None;
        }
        let mut ranges = Vec::new();
        let first = self.i;
        loop {
            let c = self.peek()?;
            if c == ']' {
                self.i += 1;
                break;
            }
            let lo = match c {
                '\\' => {
                    self.i += 1;
                    let e = self.peek().filter(|e| META.contains(*e) || *e == '-')?;
                    self.i += 1;
                    (e, false)
                }
                '-' if self.i == first || self.c.get(self.i + 1) == Some(&']') => {
                    self.i += 1;
                    ('-', false)
                }
                c if c.is_ascii_alphanumeric() => {
                    self.i += 1;
                    (c, true)
                }
                c if SAFE_CLASS_LITERAL.contains(c) => {
                    self.i += 1;
                    (c, false)
                }
                _ => return None,
            };
            if self.peek() == Some('-') && self.c.get(self.i + 1).is_some_and(|&n| n != ']') {
                self.i += 1;
                let hi = self.peek().filter(char::is_ascii_alphanumeric)?;
                self.i += 1;
                if !lo.1 || hi < lo.0 {
                    return None;
                }
                ranges.push((lo.0, hi));
            } else {
                ranges.push((lo.0, lo.0));
            }
        }
        (!ranges.is_empty()).then_some(Node::Class(ranges))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::pattern::Flags;

    fn portable(src: &str, flags: (bool, bool)) -> Option<String> {
        let flags = Flags { case_insensitive: flags.0, multi_line: flags.1, dot_all: false };
        let regex = crate::rules::pattern::compile(src, flags).unwrap();
        portable_pattern(&PatternRule { source: src.into(), flags, regex, custom: None })
    }

    #[test]
    fn portable_patterns() {
        for p in
            ["^[a-z0-9_]{3,16}$", "^\\+[0-9]{7,15}$", "^(?:ab|cd)+-x?$", "[A-Z]", "^a{2,}$", "foo|bar", "^[-a-c.]$"]
        {
            assert_eq!(portable(p, (false, false)).as_deref(), Some(p), "{p}");
        }
        for p in ["^\\d+$", "^.+$", "^[^@]+$", "\\bx", "(?i)a", "^é$", "^(?<n>a)$", "^a|b$", "[a&&b]", "[[a]]"] {
            assert_eq!(portable(p, (false, false)), None, "{p}");
        }
        assert_eq!(portable("^[a-z]+$", (true, false)), None, "case-insensitive");
        assert_eq!(portable("^[0-9]+$", (false, true)), None, "multi-line");
        assert_eq!(portable("^[0-9]+$", (true, false)).as_deref(), Some("^[0-9]+$"), "no letters: `i` changes nothing");
        assert_eq!(portable("[a-z]", (false, true)).as_deref(), Some("[a-z]"), "no anchors: `m` changes nothing");
    }

    #[test]
    fn masks_extensions_and_options() {
        let m = MaskRule { mask: "+9 (999) 99#".into(), hint: "x.".into(), custom: None };
        assert_eq!(mask_pattern(&m), "^x\\.\\+[0-9] \\([0-9][0-9][0-9]\\) [0-9][0-9][0-9]$");
        assert_eq!(extension_pattern(&["png".into(), "mk4".into()]).unwrap(), "\\.(?:[pP][nN][gG]|[mM][kK\u{212A}]4)$");
        assert_eq!(extension_pattern(&["tar.gz".into()]), None);
        let mut a = Attribute::plain("c", AttrType::List);
        let options = ["1", "1.5", "-0", "1e+21", "1152921504606847000", "x"]
            .map(|key| crate::form::ChoiceOption::new(key.into(), key.into(), json!(key), Value::Null));
        a.config =
            crate::types::TypeConfig::Choice(crate::form::Choices { options: options.into(), multiselect: true });
        let values = option_values(&a);
        assert_eq!(
            values,
            vec![
                json!("1"),
                json!(1),
                json!("1.5"),
                json!(1.5),
                json!("-0"),
                json!("1e+21"),
                json!(1e21),
                json!("1152921504606847000"),
                json!(1152921504606847000i64),
                json!(1152921504606847000f64),
                json!("x")
            ]
        );
    }
}
