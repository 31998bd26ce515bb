//! The schema of a whole body for one form: `formIdentifier`, `formData` in its three shapes,
//! `authData`, `langCode`, `notificationData`, `state`, one definition per validator set.

use serde_json::{json, Map, Value};

use super::values::{attribute_value, string_value};
use super::{value_shape, DRAFT_2020_12, E164, LANG_SHAPED};
use crate::form::{Attribute, Form};
use crate::record::NotificationData;
use crate::registry::Registry;
use crate::rules::Rules;
use crate::types::{AttrType, TypeConfig};

// ---------------------------------------------------------------------------------------------
// One form.

/// A validator set: `None` is the base set, `Some(lang)` the set of that language.
pub(super) type ValidatorSet<'a> = Option<&'a str>;

pub(super) fn rules_for<'a>(a: &'a Attribute, set: ValidatorSet<'_>) -> &'a Rules {
    match set {
        Some(lang) => a.rules.for_lang(lang),
        None => &a.rules.base,
    }
}

/// The options (and other configuration) of `a` in a validator set's language.
pub(super) fn config_for<'a>(a: &'a Attribute, set: ValidatorSet<'_>) -> &'a TypeConfig {
    match set {
        Some(lang) => a.config_in(lang),
        None => &a.config.base,
    }
}

pub(super) fn def_name(base: &str, set: ValidatorSet<'_>) -> String {
    match set {
        Some(lang) => format!("{base}.{lang}"),
        None => base.to_owned(),
    }
}

pub(super) fn def_ref(base: &str, set: ValidatorSet<'_>) -> Value {
    json!({"$ref": format!("#/$defs/{}", def_name(base, set))})
}

pub(super) fn export(reg: &Registry, form: &Form) -> Value {
    let mut langs: Vec<&str> =
        form.attributes.values().flat_map(|a| a.rules.by_lang.keys().map(String::as_str)).collect();
    langs.sort_unstable();
    langs.dedup();
    let sets: Vec<ValidatorSet<'_>> = std::iter::once(None).chain(langs.iter().map(|l| Some(*l))).collect();

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
    // A push id: not blank, no control character (maxLength counts characters, the engine's
    // limit bytes: the schema is the looser of the two).
    let push_id = json!({"type": "string", "maxLength": NotificationData::MAX_PUSH_ID_BYTES,
        "allOf": [{"pattern": "\\S"}, {"pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"}]});
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
                "phonePush": {"type": ["array", "null"], "items": push_id},
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
pub(super) fn language_key(reg: &Registry) -> Value {
    match &reg.options().languages {
        Some(list) => json!({"enum": list}),
        None => json!({"pattern": LANG_SHAPED}),
    }
}

pub(super) fn form_data(reg: &Registry, form: &Form, set: ValidatorSet<'_>, langs: &[&str]) -> Value {
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

pub(super) fn entry(reg: &Registry, form: &Form, set: ValidatorSet<'_>) -> Value {
    let dynamic = reg.options().dynamic_properties;
    let refused: Vec<&str> =
        form.attributes.values().filter(|a| a.kind == AttrType::Button).map(|a| a.marker.as_str()).collect();
    let allowed: Vec<&Attribute> = form.attributes.values().filter(|a| a.kind != AttrType::Button).collect();
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
                "then": {"properties": {"type": {"const": a.kind.name()}, "value": if a.is_password() {
                    password_value(rules_for(a, set))
                } else {
                    attribute_value(a, config_for(a, set), rules_for(a, set))
                }}}
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

/// A password, in `authData` or `formData`: checked as sent (never trimmed); `""` or `null`
/// leaves it unchanged.
fn password_value(rules: &Rules) -> Value {
    json!({"anyOf": [{"type": "null"}, string_value(&rules.narrowing(), true, false)]})
}

pub(super) fn auth_data(form: &Form, set: ValidatorSet<'_>) -> Value {
    let mut markers = Vec::new();
    let mut branches = Vec::new();
    for a in form.attributes.values().filter(|a| a.is_login() || a.is_password()) {
        markers.push(a.marker.as_str());
        let rules = rules_for(a, set);
        let value = if a.is_password() { password_value(rules) } else { attribute_value(a, config_for(a, set), rules) };
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
        "description": "[{marker, value}] of the logins and the password (a lone object is accepted too)",
        "items": item.clone(),
        "if": {"type": "object"},
        "then": item
    })
}
