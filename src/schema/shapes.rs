//! The shape of a value of each type, narrowed by what a form adds (options, counts, file
//! rules, a captcha's site key).

use serde_json::{json, Map, Value};

use super::{DATE_PREFIX, DATE_TIME_PREFIX};
use crate::types::AttrType;

/// What a form adds to a type's shape. The default adds nothing.
#[derive(Default)]
pub(super) struct Shape {
    /// Option values (`radioButton`, `list`); `None`: any string or number.
    pub(super) options: Option<Vec<Value>>,
    /// `list`: several choices allowed (`true` when the form is unknown).
    pub(super) single: bool,
    /// Fewest items of a non-empty array value (`listInspectionValidator.minItems`).
    pub(super) min_items: Option<usize>,
    /// Most items (`listInspectionValidator.maxItems`, `checkingFilesValidator.maxCount`).
    pub(super) max_items: Option<usize>,
    /// `[]` is refused (a required attribute without a default).
    pub(super) non_empty: bool,
    /// Largest file size in bytes (`checkingFilesValidator.maxValue` in `maxUnits`).
    pub(super) max_size: Option<u64>,
    /// A pattern every file name must match (`checkingFilesValidator.extensions`).
    pub(super) filename_pattern: Option<String>,
    /// The only non-empty `siteKey` a captcha may send.
    pub(super) site_key: Option<String>,
}

pub(super) fn shape(kind: AttrType, s: &Shape) -> Value {
    match kind {
        // A number is stored as the string JavaScript prints for it.
        AttrType::String => json!({"type": ["string", "number"]}),
        AttrType::Integer => json!({"anyOf": [
            {"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX},
            {"type": "string", "pattern": "[0-9]", "description": "a numeric string such as \"42\" or \" -7 \""}
        ]}),
        AttrType::Real | AttrType::Float => json!({"anyOf": [
            {"type": "number"},
            {"type": "string", "pattern": "[0-9]", "description": "a numeric string such as \"1.75\""}
        ]}),
        AttrType::Date | AttrType::DateTime | AttrType::Time => one_or_single_array(date_object(kind)),
        AttrType::Text => one_or_single_array(text_object(false)),
        AttrType::TextWithHeader => {
            let pair = text_object(true);
            json!({"anyOf": [pair.clone(), {"type": "array", "minItems": 1, "items": pair,
                "description": "several heading-and-text pairs"}]})
        }
        AttrType::Image => one_or_single_array(file_object(true, s)),
        AttrType::GroupOfImages | AttrType::File => {
            let item = file_object(kind == AttrType::GroupOfImages, s);
            lone_or_array(item, s, false)
        }
        AttrType::RadioButton => one_or_single_array(choice(s)),
        AttrType::List => lone_or_array(choice(s), s, true),
        AttrType::Entity => {
            let reference = entity_reference();
            let braced = json!({"type": "string", "pattern": "^[{][\\s\\S]*[}]$",
                "description": "older content: a brace-wrapped string of quoted ids, {\"a\",\"b\"}"});
            let array = counted(reference.clone(), s, true);
            if s.min_items.unwrap_or(0) <= 1 {
                json!({"anyOf": [reference, braced, array]})
            } else {
                json!({"anyOf": [braced, array]})
            }
        }
        AttrType::TimeInterval => {
            let bound = json!({"type": "string", "pattern": DATE_TIME_PREFIX});
            let pair = json!({"type": "array", "minItems": 2, "maxItems": 2, "items": bound,
                "description": "[start, end], RFC 3339, start before end"});
            counted(pair, s, false)
        }
        AttrType::Button => Value::Bool(false),
        // Any JSON value, stored as sent.
        AttrType::Json => json!({}),
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
pub(super) fn one_or_single_array(item: Value) -> Value {
    json!({"anyOf": [item.clone(), {"type": "array", "minItems": 1, "maxItems": 1, "items": item}]})
}

/// An array of `item`s with the count constraints of `s`, or (when one item may do) a lone
/// `item`.
pub(super) fn lone_or_array(item: Value, s: &Shape, unique: bool) -> Value {
    let array = counted(item.clone(), s, unique);
    if s.min_items.unwrap_or(0) <= 1 {
        json!({"anyOf": [item, array]})
    } else {
        array
    }
}

/// An array of `item`s: at most `max_items` (1 for a single-choice list); at least
/// `min_items` unless empty (validators skip empty values), and not empty when `non_empty`.
pub(super) fn counted(item: Value, s: &Shape, unique: bool) -> Value {
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

pub(super) fn date_object(kind: AttrType) -> Value {
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

pub(super) fn text_object(with_header: bool) -> Value {
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

pub(super) fn file_object(image: bool, s: &Shape) -> Value {
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
pub(super) fn choice(s: &Shape) -> Value {
    let value = match &s.options {
        Some(values) => json!({"enum": values}),
        None => json!({"type": ["string", "number"]}),
    };
    json!({"anyOf": [
        value.clone(),
        {"type": "object", "required": ["value"], "properties": {"value": value}}
    ]})
}

/// One entity reference: an id, or an object that carries one (`{id, title, value, parentId,
/// depth, ...}`).
pub(super) fn entity_reference() -> Value {
    json!({"anyOf": [
        entity_id(),
        {"type": "object", "required": ["id"], "properties": {"id": entity_id()},
         "description": "an entity object, identified by its id"}
    ]})
}

pub(super) fn entity_id() -> Value {
    json!({"anyOf": [
        {"type": "integer", "minimum": 0, "description": "a page id"},
        {"type": "string", "minLength": 1, "maxLength": 128,
         "pattern": "^([0-9]+|[A-Za-z][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*)$",
         "description": "a page id as text, or a product id such as p-1-123"}
    ]})
}
