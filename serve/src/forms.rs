//! The forms as OneEntry's Forms API serves them (`IFormsEntity`), for one language.
//!
//! The forms are the registry's: its one reading of the files, so a form it left out is not
//! served and a served form is exactly what the engine validates against. Each answer is built
//! from the JSON the form was compiled from ([`userform::Form::source`]), in the Forms API's
//! projection for one language:
//!
//! - `attributes` is an array of the form's attributes in `position` order, each with the
//!   `marker` and `position` the engine uses (an attribute keyed by marker, or naming its
//!   marker `identifier`, gets its `marker`; one without a position gets its place) and
//!   `isLogin` / `isPassword` as the engine reads them;
//! - every setting keyed by locale (the form's `localizeInfos`; an attribute's `localizeInfos`,
//!   `validators` — the whole set or one validator's settings — `listTitles` and
//!   `additionalFields`) is replaced by the requested language's entry, else the default
//!   language's, else none (`{}`, or `[]` for `listTitles`), as the engine reads them; a flat
//!   setting is the projection already and is left as it is;
//! - the fields the SDK's `FormEntitySchema` requires are filled in where the file leaves them
//!   out or gives a value of another JSON type.
//!
//! Loading logs, one structured line each, every form left out (its errors) and every warning.

use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value};
use userform::{Attribute, Form, LoadError, Registry, RegistryError, RegistryOptions};

/// The registry's forms, answered as `IFormsEntity`.
#[derive(Debug, Clone)]
pub struct Forms {
    registry: Arc<Registry>,
}

impl Forms {
    /// Loads the forms of `dir` into a registry and logs what the operator must know: each
    /// error of a form left out, each warning, then a summary. With
    /// [`RegistryOptions::strict_forms`], any error is `Err` (each error logged first).
    pub fn load(dir: &Path, options: RegistryOptions) -> Result<Forms, RegistryError> {
        let strict = options.strict_forms;
        match Registry::load_dir(dir, options) {
            Ok(registry) => {
                log_loaded(dir, &registry);
                Ok(Forms::new(Arc::new(registry)))
            }
            Err(e) => {
                for error in &e.errors {
                    log_error(error, strict);
                }
                Err(e)
            }
        }
    }

    /// The forms of a registry already built.
    pub fn new(registry: Arc<Registry>) -> Forms {
        Forms { registry }
    }

    /// The registry the forms come from.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// The form `marker` as `IFormsEntity` for `lang`; `None` for a form the registry does not
    /// hold (unknown, or left out with an error).
    pub fn localized(&self, marker: &str, lang: &str) -> Option<Value> {
        let form = self.registry.form(marker)?;
        // `id` and `position` for a file that gives none: the form's place by identifier.
        let place = self.registry.forms().position(|f| f.identifier() == marker).unwrap_or(0) as u64 + 1;
        let default_lang = self.registry.options().default_lang_code.as_str();
        Some(entity(form, place, &Langs { lang, default: default_lang }))
    }
}

/// Logs each error of the forms the registry left out, each warning, and a summary.
fn log_loaded(dir: &Path, registry: &Registry) {
    for error in registry.load_errors() {
        log_error(error, false);
    }
    let mut warnings = 0usize;
    for w in registry.warnings() {
        warnings += 1;
        tracing::warn!(
            file = %w.file,
            attribute = w.attribute.as_deref(),
            code = w.kind.code(),
            reason = %w.kind,
            "form warning: ignored, the form loads"
        );
    }
    let mut left_out: Vec<&str> = registry.load_errors().iter().map(|e| e.file.as_str()).collect();
    left_out.dedup();
    tracing::info!(
        dir = %dir.display(),
        forms = registry.forms().count(),
        left_out = left_out.len(),
        warnings,
        "forms loaded"
    );
}

/// One structured line for a load error.
fn log_error(e: &LoadError, strict: bool) {
    let (file, attribute, code, reason) = (&e.file, e.attribute.as_deref(), e.kind.code(), &e.kind);
    if strict {
        tracing::error!(%file, attribute, code, %reason, "form error: refusing to start (--strict-forms)");
    } else {
        tracing::error!(%file, attribute, code, %reason, "form error: the form is left out");
    }
}

/// The language asked for and the registry's default.
struct Langs<'a> {
    lang: &'a str,
    default: &'a str,
}

impl Langs<'_> {
    /// The entry of a map keyed by locale for the language, else the default language's.
    fn pick<'v>(&self, m: &'v Map<String, Value>) -> Option<&'v Value> {
        m.get(self.lang).or_else(|| m.get(self.default))
    }
}

/// The form as `IFormsEntity` for one language.
fn entity(form: &Form, place: u64, langs: &Langs<'_>) -> Value {
    let mut out = form.source().clone();
    out.insert("identifier".into(), form.identifier().into());
    let info = one_language(out.get("localizeInfos"), langs, Value::Object(Map::new()));
    out.insert("localizeInfos".into(), info);
    complete(&mut out, place);
    let attributes = form.attributes().map(|a| Value::Object(attribute(a, langs))).collect();
    out.insert("attributes".into(), Value::Array(attributes));
    Value::Object(out)
}

/// One attribute in the Forms API's projection for one language.
fn attribute(a: &Attribute, langs: &Langs<'_>) -> Map<String, Value> {
    let mut out = a.source().clone();
    out.insert("marker".into(), a.marker().into());
    out.insert("position".into(), a.position().into());
    let per_locale = [
        ("localizeInfos", Value::Object(Map::new())),
        ("listTitles", Value::Array(Vec::new())),
        ("additionalFields", Value::Object(Map::new())),
    ];
    for (key, empty) in per_locale {
        let v = one_language(out.get(key), langs, empty);
        out.insert(key.into(), v);
    }
    let validators = validators(out.get("validators"), langs);
    out.insert("validators".into(), validators);
    if !out.get("settings").is_some_and(Value::is_object) {
        out.insert("settings".into(), Value::Object(Map::new()));
    }
    out.insert("isLogin".into(), a.is_login().into());
    out.insert("isPassword".into(), a.is_password().into());
    out
}

/// A setting that may be keyed by locale: the language's entry (else the default language's,
/// else `empty`); a flat one as it is; `empty` when absent or `null`.
fn one_language(v: Option<&Value>, langs: &Langs<'_>, empty: Value) -> Value {
    match v {
        Some(Value::Object(m)) if keyed_by_locale(m) => langs.pick(m).cloned().unwrap_or(empty),
        None | Some(Value::Null) => empty,
        Some(flat) => flat.clone(),
    }
}

/// `validators` for one language, read as the engine reads them: the whole set keyed by locale,
/// or one validator's settings keyed by locale (a validator the language and the default
/// language both lack is left out), or flat.
fn validators(v: Option<&Value>, langs: &Langs<'_>) -> Value {
    let empty = || Value::Object(Map::new());
    match v {
        Some(Value::Object(m)) if set_per_locale(m) => {
            langs.pick(m).filter(|s| s.is_object()).cloned().unwrap_or_else(empty)
        }
        Some(Value::Object(m)) => Value::Object(
            m.iter()
                .filter_map(|(name, settings)| match settings {
                    Value::Object(s) if set_per_locale(s) => langs.pick(s).map(|s| (name.clone(), s.clone())),
                    _ => Some((name.clone(), settings.clone())),
                })
                .collect(),
        ),
        None | Some(Value::Null) => empty(),
        Some(Value::Array(a)) if a.is_empty() => empty(),
        Some(other) => other.clone(),
    }
}

/// A map keyed by locale: not empty, every key shaped like `en_US` (the library's reading).
fn keyed_by_locale(m: &Map<String, Value>) -> bool {
    !m.is_empty() && m.keys().all(|k| locale_shaped(k))
}

/// A validator set (or one validator's settings) keyed by locale: keyed by locale, every
/// entry an object.
fn set_per_locale(m: &Map<String, Value>) -> bool {
    keyed_by_locale(m) && m.values().all(Value::is_object)
}

/// `xx_XX`, the shape of OneEntry's language codes.
fn locale_shaped(k: &str) -> bool {
    matches!(k.as_bytes(), [a, b, b'_', c, d]
        if a.is_ascii_lowercase() && b.is_ascii_lowercase() && c.is_ascii_uppercase() && d.is_ascii_uppercase())
}

/// What a field of `FormEntitySchema` must hold.
#[derive(Clone, Copy)]
enum Shape {
    Number,
    NumberOrNull,
    Text,
    TextOrNull,
    ObjectOrArray,
}

impl Shape {
    fn holds(self, v: &Value) -> bool {
        match self {
            Shape::Number => v.is_number(),
            Shape::NumberOrNull => v.is_number() || v.is_null(),
            Shape::Text => v.is_string(),
            Shape::TextOrNull => v.is_string() || v.is_null(),
            Shape::ObjectOrArray => v.is_object() || v.is_array(),
        }
    }
}

/// Fills in (or replaces, when of another JSON type) what the SDK's `FormEntitySchema`
/// requires, and drops an optional field it would refuse: a form file is free to leave out
/// what the engine does not read, and the SDK refuses the whole answer for one wrong field.
fn complete(form: &mut Map<String, Value>, place: u64) {
    let required: [(&str, Shape, Value); 8] = [
        ("id", Shape::Number, Value::from(place)),
        ("attributeSetId", Shape::NumberOrNull, Value::Null),
        ("type", Shape::TextOrNull, Value::Null),
        ("localizeInfos", Shape::ObjectOrArray, Value::Object(Map::new())),
        ("version", Shape::Number, Value::from(1)),
        ("position", Shape::Number, Value::from(place)),
        ("processingType", Shape::Text, Value::from("db")),
        ("templateId", Shape::NumberOrNull, Value::Null),
    ];
    for (key, shape, fallback) in required {
        if !form.get(key).is_some_and(|v| shape.holds(v)) {
            form.insert(key.into(), fallback);
        }
    }
    if form.get("total").is_some_and(|v| !(v.is_number() || v.is_string())) {
        form.shift_remove("total");
    }
    if form.get("moduleFormConfigs").is_some_and(|v| !v.is_array()) {
        form.shift_remove("moduleFormConfigs");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn forms(files: Vec<(&str, Value)>) -> Forms {
        Forms::new(Arc::new(Registry::from_forms(files, RegistryOptions::default()).unwrap()))
    }

    #[test]
    fn validators_in_both_per_locale_shapes() {
        let langs = Langs { lang: "fr_FR", default: "en_US" };
        let whole = json!({"en_US": {"requiredValidator": {"strict": true}}, "fr_FR": {"stringInspectionValidator": {"stringMax": "9"}}});
        assert_eq!(validators(Some(&whole), &langs), json!({"stringInspectionValidator": {"stringMax": "9"}}));
        let de = Langs { lang: "de_DE", default: "en_US" };
        assert_eq!(validators(Some(&whole), &de), json!({"requiredValidator": {"strict": true}}));
        let one = json!({"requiredValidator": {"strict": true},
            "stringInspectionValidator": {"en_US": {"stringMax": "5"}, "fr_FR": {"stringMax": "9"}},
            "regExpValidator": {"de_DE": {"patternValue": "x"}}});
        assert_eq!(
            validators(Some(&one), &langs),
            json!({"requiredValidator": {"strict": true}, "stringInspectionValidator": {"stringMax": "9"}}),
            "a validator neither French nor default-language is left out, as the engine leaves it"
        );
        let no_default = Langs { lang: "fr_FR", default: "ru_RU" };
        assert_eq!(validators(Some(&json!({"en_US": {"requiredValidator": true}})), &no_default), json!({}));
        assert_eq!(validators(Some(&json!([])), &langs), json!({}));
        assert_eq!(validators(None, &langs), json!({}));
    }

    #[test]
    fn a_flat_setting_is_left_as_it_is() {
        let langs = Langs { lang: "fr_FR", default: "en_US" };
        let flat = json!({"title": "Nom", "en": "x"});
        assert_eq!(one_language(Some(&flat), &langs, json!({})), flat);
        assert_eq!(one_language(Some(&json!({})), &langs, json!([])), json!({}), "`{{}}` is not keyed by locale");
        assert_eq!(one_language(Some(&json!({"de_DE": {"title": "D"}})), &langs, json!({})), json!({}));
        assert!(locale_shaped("en_US") && !locale_shaped("en-US") && !locale_shaped("EN_us") && !locale_shaped("é_US"));
    }

    #[test]
    fn the_fields_the_sdk_requires() {
        let f = forms(vec![
            (
                "a.json",
                json!({"identifier": "a", "attributes": [], "id": "seven", "version": 3, "total": {}, "moduleFormConfigs": {}}),
            ),
            ("b.json", json!({"identifier": "b", "attributes": {}, "localizeInfos": "B"})),
        ]);
        let a = f.localized("a", "en_US").unwrap();
        assert_eq!((a["id"].as_u64(), a["version"].as_u64(), a["position"].as_u64()), (Some(1), Some(3), Some(1)));
        assert!(a.get("total").is_none() && a.get("moduleFormConfigs").is_none());
        assert_eq!((a["processingType"].as_str(), a["attributes"].clone()), (Some("db"), json!([])));
        assert!(a["type"].is_null() && a["templateId"].is_null() && a["attributeSetId"].is_null());
        let b = f.localized("b", "en_US").unwrap();
        assert_eq!(
            (b["id"].as_u64(), b["localizeInfos"].clone(), b["attributes"].clone()),
            (Some(2), json!({}), json!([]))
        );
    }

    #[test]
    fn reads_the_repository_forms() {
        let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/forms"));
        let forms = Forms::load(dir, RegistryOptions { strict_forms: true, ..RegistryOptions::default() }).unwrap();
        let reg = forms.localized("reg", "en_US").unwrap();
        assert_eq!((reg["identifier"].as_str(), reg["id"].as_u64()), (Some("reg"), Some(1)));
        assert_eq!(reg["localizeInfos"]["title"], "Registration");
        assert_eq!(reg["attributes"][0]["marker"], "email");
        assert_eq!(reg["attributes"][0]["localizeInfos"], json!({"title": "Email"}));
        assert!(forms.localized("nope", "en_US").is_none());
    }
}
