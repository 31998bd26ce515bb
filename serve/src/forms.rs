//! The forms as OneEntry serves them (`IFormsEntity`): the exported JSON the registry compiled,
//! kept as it was read, and answered for one language.
//!
//! The registry keeps only what validation needs, so the service reads the same files again.
//! An answer has every `localizeInfos` map keyed by language (`{"en_US": {...}}`) replaced by
//! the requested language's entry (or the default language's, or the first), and the fields
//! the SDK's schema requires filled in where a file leaves them out.

use std::path::Path;

use indexmap::IndexMap;
use serde_json::{Map, Value};

/// The raw forms, by identifier.
#[derive(Debug, Default)]
pub struct Forms {
    forms: IndexMap<String, Value>,
    default_lang: String,
}

/// Why the forms could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {reason}")]
pub struct FormsError {
    file: String,
    reason: String,
}

impl Forms {
    /// Reads every `*.json` form of `dir` (the files `Registry::load_dir` compiled).
    pub fn load_dir(dir: &Path, default_lang: &str) -> Result<Forms, FormsError> {
        let err = |file: &Path, reason: String| FormsError { file: file.display().to_string(), reason };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| err(dir, e.to_string()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        let mut forms = IndexMap::new();
        for (i, f) in files.iter().enumerate() {
            let text = std::fs::read(f).map_err(|e| err(f, e.to_string()))?;
            let mut json: Value = serde_json::from_slice(&text).map_err(|e| err(f, e.to_string()))?;
            let Some(identifier) = json.get("identifier").and_then(Value::as_str).map(str::to_owned) else {
                return Err(err(f, "no `identifier`".into()));
            };
            complete(&mut json, i as u64 + 1);
            forms.insert(identifier, json);
        }
        Ok(Forms { forms, default_lang: default_lang.to_owned() })
    }

    /// The form `marker` for `lang`, as `IFormsEntity`.
    pub fn localized(&self, marker: &str, lang: &str) -> Option<Value> {
        let form = self.forms.get(marker)?;
        Some(localize(form, lang, &self.default_lang))
    }
}

/// Fills in what the SDK's `FormEntitySchema` requires and an exported form may omit.
fn complete(form: &mut Value, id: u64) {
    let Value::Object(map) = form else { return };
    let defaults: [(&str, Value); 8] = [
        ("id", Value::from(id)),
        ("attributeSetId", Value::Null),
        ("type", Value::Null),
        ("localizeInfos", Value::Object(Map::new())),
        ("version", Value::from(1)),
        ("position", Value::from(id)),
        ("processingType", Value::from("db")),
        ("templateId", Value::Null),
    ];
    for (key, value) in defaults {
        map.entry(key).or_insert(value);
    }
    if !map.get("attributes").is_some_and(Value::is_array) {
        map.insert("attributes".into(), Value::Array(Vec::new()));
    }
}

/// A copy of `v` with every `localizeInfos` keyed by language reduced to one language.
fn localize(v: &Value, lang: &str, default_lang: &str) -> Value {
    match v {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                let v = if k == "localizeInfos" { pick(v, lang, default_lang) } else { v };
                out.insert(k.clone(), localize(v, lang, default_lang));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| localize(i, lang, default_lang)).collect()),
        other => other.clone(),
    }
}

/// The entry of a per-language map for `lang`, else the default language's, else the first;
/// anything that is not such a map is left alone.
fn pick<'a>(v: &'a Value, lang: &str, default_lang: &str) -> &'a Value {
    let Value::Object(map) = v else { return v };
    let per_language = !map.is_empty() && map.keys().all(|k| language_code(k));
    if !per_language {
        return v;
    }
    map.get(lang).or_else(|| map.get(default_lang)).or_else(|| map.values().next()).unwrap_or(v)
}

/// `xx_XX`, the shape of OneEntry's language codes.
fn language_code(k: &str) -> bool {
    let b = k.as_bytes();
    b.len() == 5
        && b[..2].iter().all(u8::is_ascii_lowercase)
        && b[2] == b'_'
        && b[3..].iter().all(u8::is_ascii_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_language_and_required_fields() {
        let mut form = json!({"identifier": "f", "localizeInfos": {"en_US": {"title": "Hi"}, "fr_FR": {"title": "Salut"}},
            "attributes": [{"marker": "a", "localizeInfos": {"en_US": {"title": "A"}}}]});
        complete(&mut form, 7);
        let forms = Forms { forms: [("f".to_owned(), form)].into_iter().collect(), default_lang: "en_US".into() };
        let fr = forms.localized("f", "fr_FR").unwrap();
        assert_eq!(fr["localizeInfos"], json!({"title": "Salut"}));
        assert_eq!(fr["attributes"][0]["localizeInfos"], json!({"title": "A"}), "falls back to the default");
        assert_eq!(
            (fr["id"].as_u64(), fr["version"].as_u64(), fr["processingType"].as_str()),
            (Some(7), Some(1), Some("db"))
        );
        assert!(fr["templateId"].is_null() && fr["type"].is_null());
        assert!(forms.localized("g", "en_US").is_none());
    }

    #[test]
    fn reads_the_repository_forms() {
        let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/forms"));
        let forms = Forms::load_dir(dir, "en_US").unwrap();
        let reg = forms.localized("reg", "en_US").unwrap();
        assert_eq!(reg["identifier"], "reg");
        assert_eq!(reg["localizeInfos"]["title"], "Registration");
    }
}
