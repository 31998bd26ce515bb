//! `listTitles`: the options of a `radioButton` or `list` and the entity options of an
//! `entity`, flat (the Forms API's projection for one language) or keyed by language (the
//! admin side's shape), read once per language at load into a [`TypeConfig`].
//!
//! A language without its own list uses the default language's, so a list keyed by language
//! must have the default language's. Other types ignore `listTitles`.

use serde_json::Value;

use super::error::LoadErrorKind;
use super::raw::lang_keyed;
use super::PerLang;
use crate::types::{value_key, AttrType, ChoiceOption, Choices, EntityOptions, TypeConfig};

/// What the options of one attribute are read with, besides `listTitles`.
pub(super) struct Reading<'a> {
    /// The attribute's type.
    pub kind: AttrType,
    /// `multiselect`.
    pub multiselect: bool,
    /// `settings.captcha.key`, for a `spam` attribute.
    pub captcha_key: Option<String>,
    /// `defaultLangCode`.
    pub default_lang: &'a str,
}

/// The attribute's configuration per language, from its `listTitles`.
pub(super) fn configs(list_titles: &Value, r: &Reading<'_>) -> Result<PerLang<TypeConfig>, LoadErrorKind> {
    if !matches!(r.kind, AttrType::RadioButton | AttrType::List | AttrType::Entity) {
        let base = match r.kind {
            AttrType::Spam => TypeConfig::Captcha(r.captcha_key.clone()),
            _ => TypeConfig::Plain,
        };
        return Ok(PerLang::one(base));
    }
    let in_lang =
        |lang: &str, error: LoadErrorKind| LoadErrorKind::InLanguage { lang: lang.to_owned(), error: Box::new(error) };
    match list_titles {
        Value::Object(m) if lang_keyed(m) => {
            let base_items = m.get(r.default_lang).ok_or_else(|| LoadErrorKind::NoDefaultLanguage {
                field: "listTitles",
                lang: r.default_lang.to_owned(),
            })?;
            let base = items(base_items).and_then(|list| config(list, r)).map_err(|e| in_lang(r.default_lang, e))?;
            let mut by_lang = indexmap::IndexMap::new();
            for (lang, list) in m.iter().filter(|(lang, _)| *lang != r.default_lang) {
                let cfg = items(list).and_then(|list| config(list, r)).map_err(|e| in_lang(lang, e))?;
                by_lang.insert(lang.clone(), cfg);
            }
            Ok(PerLang { base, by_lang })
        }
        flat => Ok(PerLang::one(config(items(flat)?, r)?)),
    }
}

/// The options of one language: an array; `{}` or `null` for none.
fn items(v: &Value) -> Result<&[Value], LoadErrorKind> {
    match v {
        Value::Null => Ok(&[]),
        Value::Object(m) if m.is_empty() => Ok(&[]),
        Value::Array(a) => Ok(a),
        _ => Err(LoadErrorKind::OptionsNotAList),
    }
}

/// One language's configuration from its options.
fn config(items: &[Value], r: &Reading<'_>) -> Result<TypeConfig, LoadErrorKind> {
    if r.kind == AttrType::Entity {
        let options = entity_options(items)?;
        return Ok(if options.is_empty() { TypeConfig::Plain } else { TypeConfig::Entity(options) });
    }
    let options = choice_options(items)?;
    if options.is_empty() {
        return Err(LoadErrorKind::NoOptions(r.kind.name()));
    }
    Ok(TypeConfig::Choice(Choices { options, multiselect: r.multiselect }))
}

/// The options of a choice. A value may be a string, a number or an entity object with an `id`.
fn choice_options(items: &[Value]) -> Result<Vec<ChoiceOption>, LoadErrorKind> {
    let mut out: Vec<ChoiceOption> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let value = item.get("value").ok_or(LoadErrorKind::OptionWithoutValue(index))?;
        let key = option_key(value).ok_or_else(|| LoadErrorKind::BadOptionValue { index, value: value.to_string() })?;
        if out.iter().any(|o| o.key() == key) {
            return Err(LoadErrorKind::DuplicateOption { index, key });
        }
        let title = match item.get("title") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => key.clone(),
        };
        let extended = item.get("extended").cloned().unwrap_or(Value::Null);
        out.push(ChoiceOption::new(key, title, value.clone(), extended));
    }
    Ok(out)
}

/// How an option value is compared: as text, numbers written as JavaScript writes them (the
/// same function reads the body's choices). An entity option is identified by its `id`.
fn option_key(value: &Value) -> Option<String> {
    match value {
        Value::Object(m) => m.get("id").and_then(value_key),
        other => value_key(other),
    }
}

/// The entity options: each option's `value` is an entity `{id, depth, parentId, ...}` (or a
/// bare id), identified by its id as a reference is.
fn entity_options(items: &[Value]) -> Result<EntityOptions, LoadErrorKind> {
    let mut options = EntityOptions::default();
    for (index, item) in items.iter().enumerate() {
        let value = item.get("value").ok_or(LoadErrorKind::OptionWithoutValue(index))?;
        let bad = || LoadErrorKind::BadOptionValue { index, value: value.to_string() };
        let id = match value {
            Value::Object(m) => m.get("id").ok_or_else(bad)?,
            other => other,
        };
        match options.insert(id) {
            Some(true) => {}
            Some(false) => return Err(LoadErrorKind::DuplicateOption { index, key: id_text(id) }),
            None => return Err(bad()),
        }
    }
    Ok(options)
}

/// An id as text, for messages.
fn id_text(id: &Value) -> String {
    value_key(id).unwrap_or_else(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(kind: AttrType, list_titles: Value) -> Result<PerLang<TypeConfig>, LoadErrorKind> {
        configs(&list_titles, &Reading { kind, multiselect: false, captcha_key: None, default_lang: "en_US" })
    }

    fn keys(c: &TypeConfig) -> Vec<&str> {
        c.choices().options.iter().map(ChoiceOption::key).collect()
    }

    #[test]
    fn flat_and_keyed_by_language() {
        let flat =
            read(AttrType::List, json!([{"title": "red", "value": 1}, {"title": "yellow", "value": "2"}])).unwrap();
        assert_eq!(keys(&flat.base), ["1", "2"]);
        assert!(flat.by_lang.is_empty());
        let keyed = json!({"en_US": [{"title": "Cherry", "value": "cherry"}], "fr_FR": [{"title": "Cerise", "value": "cerise"}]});
        let keyed = read(AttrType::RadioButton, keyed).unwrap();
        assert_eq!(keys(&keyed.base), ["cherry"]);
        assert_eq!(keys(keyed.for_lang("fr_FR")), ["cerise"]);
        assert_eq!(keys(keyed.for_lang("de_DE")), ["cherry"], "a language without its own uses the default's");
    }

    #[test]
    fn refusals_name_the_language() {
        let no_default = read(AttrType::List, json!({"fr_FR": [{"value": "a"}]})).unwrap_err();
        assert_eq!(no_default, LoadErrorKind::NoDefaultLanguage { field: "listTitles", lang: "en_US".into() });
        let empty_fr = read(AttrType::List, json!({"en_US": [{"value": "a"}], "fr_FR": []})).unwrap_err();
        assert_eq!(empty_fr.code(), "no-options");
        assert_eq!(empty_fr.to_string(), "a `list` needs a non-empty `listTitles` (listTitles for fr_FR)");
        assert_eq!(read(AttrType::List, json!({"colours": []})).unwrap_err(), LoadErrorKind::OptionsNotAList);
        assert_eq!(read(AttrType::List, json!("red")).unwrap_err(), LoadErrorKind::OptionsNotAList);
        let dup = read(AttrType::List, json!([{"value": 1}, {"value": "1"}])).unwrap_err();
        assert_eq!(dup, LoadErrorKind::DuplicateOption { index: 1, key: "1".into() });
    }

    #[test]
    fn entity_options_and_other_types() {
        let e = read(
            AttrType::Entity,
            json!([{"title": "Stores", "value": {"id": 9, "depth": 0, "parentId": null}}, {"title": "Oxford Street", "value": {"id": "169", "parentId": 9}}]),
        )
        .unwrap();
        assert_eq!(e.base.entity_options().map(EntityOptions::len), Some(2));
        assert_eq!(read(AttrType::Entity, json!([])).unwrap().base, TypeConfig::Plain);
        let dup = read(AttrType::Entity, json!([{"value": {"id": 9}}, {"value": "09"}])).unwrap_err();
        assert_eq!(dup, LoadErrorKind::DuplicateOption { index: 1, key: "09".into() });
        assert_eq!(read(AttrType::Entity, json!([{"value": {"id": "a b"}}])).unwrap_err().code(), "bad-option-value");
        assert_eq!(read(AttrType::Entity, json!([{"value": {"title": "x"}}])).unwrap_err().code(), "bad-option-value");
        // listTitles mean nothing to other types, whatever their shape.
        assert_eq!(read(AttrType::String, json!("anything")).unwrap().base, TypeConfig::Plain);
    }
}
