//! Compiling an exported form into a [`Form`], once, at registry load.
//!
//! Everything that can be decided without a body is decided here: the attribute types, the
//! options of choice attributes, the validators per language (regexes compiled), the default
//! values in canonical shape, which attributes are the logins, the password, the captcha. A form
//! that could only fail later is refused now with a [`LoadError`].

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::error::{LoadError, LoadErrorKind};
use super::raw::{truthy, RawAttribute, RawForm};
use super::{validators, Attribute, Feed, Form, Role};
use crate::json::{Arena, Json};
use crate::pointer::Pointer;
use crate::record::StoredValue;
use crate::report::Report;
use crate::rules::{RuleSets, Rules};
use crate::types::{check_value, value_key, AttrType, ChoiceOption, Choices, Cx, Services, TypeConfig};

/// Compiles one form. `source` names it in errors; `default_lang` picks the base validator set
/// when validators are given per language.
pub(crate) fn compile(source: &str, json: Value, default_lang: &str, env: &Services<'_>) -> Result<Form, LoadError> {
    let err = |attribute: Option<&str>, kind: LoadErrorKind| LoadError {
        file: source.to_owned(),
        attribute: attribute.map(str::to_owned),
        kind,
    };
    let raw: RawForm = serde_json::from_value(json).map_err(|e| err(None, LoadErrorKind::NotAForm(e.to_string())))?;
    let identifier = match raw.identifier {
        Some(Value::String(s)) if !s.trim().is_empty() => s,
        _ => return Err(err(None, LoadErrorKind::NoIdentifier)),
    };
    let raw_attrs: Vec<Value> = match raw.attributes {
        Value::Null => Vec::new(),
        Value::Object(m) if m.is_empty() => Vec::new(),
        Value::Array(a) => a,
        _ => return Err(err(None, LoadErrorKind::AttributesNotAList)),
    };

    let mut attrs: Vec<Attribute> = Vec::with_capacity(raw_attrs.len());
    let mut warnings = Vec::new();
    for (index, a) in raw_attrs.into_iter().enumerate() {
        let label = a
            .get("marker")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("attributes[{index}]"));
        let raw: RawAttribute =
            serde_json::from_value(a).map_err(|e| err(Some(&label), LoadErrorKind::NotAnAttribute(e.to_string())))?;
        let (attr, w) = attribute(raw, index, default_lang, env).map_err(|kind| err(Some(&label), kind))?;
        if attrs.iter().any(|x| x.marker == attr.marker) {
            return Err(err(Some(&label), LoadErrorKind::DuplicateMarker));
        }
        warnings.extend(w.into_iter().map(|w| format!("{source}: {label}: {w}")));
        attrs.push(attr);
    }
    attrs.sort_by_key(|a| a.position);

    // Any number of logins (an e-mail and a phone, say): each is an identity (SPEC §2).
    let logins: Vec<String> = attrs.iter().filter(|a| a.is_login()).map(|a| a.marker.clone()).collect();
    let passwords: Vec<&Attribute> = attrs.iter().filter(|a| a.is_password()).collect();
    if passwords.len() > 1 {
        return Err(err(Some(&passwords[1].marker), LoadErrorKind::SecondPassword(passwords[0].marker.clone())));
    }
    let captchas: Vec<&Attribute> = attrs.iter().filter(|a| a.kind == AttrType::Spam).collect();
    if captchas.len() > 1 {
        return Err(err(Some(&captchas[1].marker), LoadErrorKind::SecondCaptcha(captchas[0].marker.clone())));
    }
    let password = passwords.first().map(|a| a.marker.clone());
    let captcha = captchas.first().map(|a| a.marker.clone());
    let attributes: IndexMap<String, Attribute, _> = attrs.into_iter().map(|a| (a.marker.clone(), a)).collect();
    Ok(Form { identifier, attributes, logins, password, captcha, warnings })
}

/// Compiles one attribute; `Err` is the reason it cannot be loaded.
fn attribute(
    raw: RawAttribute,
    index: usize,
    default_lang: &str,
    env: &Services<'_>,
) -> Result<(Attribute, Vec<String>), LoadErrorKind> {
    let marker = match raw.marker {
        Some(Value::String(s)) if !s.trim().is_empty() => s,
        _ => return Err(LoadErrorKind::NoMarker),
    };
    let type_name = raw.kind.as_ref().and_then(Value::as_str).ok_or(LoadErrorKind::TypeNotAString)?;
    let kind = AttrType::from_name(type_name).ok_or_else(|| LoadErrorKind::UnknownType { name: type_name.into() })?;
    let position = match &raw.position {
        Value::Number(n) => n.as_f64().map(|f| f as i64).ok_or_else(|| LoadErrorKind::BadPosition(n.to_string()))?,
        Value::String(s) => s.trim().parse::<i64>().map_err(|_| LoadErrorKind::BadPosition(s.clone()))?,
        Value::Null => index as i64,
        other => return Err(LoadErrorKind::BadPosition(other.to_string())),
    };
    let role = match (truthy(&raw.is_login), truthy(&raw.is_password)) {
        (true, true) => return Err(LoadErrorKind::LoginAndPassword),
        (true, false) => Role::Login,
        (false, true) => Role::Password,
        (false, false) => Role::Plain,
    };
    if role != Role::Plain && kind != AttrType::String {
        return Err(LoadErrorKind::CredentialNotAString(kind.name()));
    }
    let feeds = [
        (&raw.is_notification_email, Feed::Email),
        (&raw.is_notification_phone_sms, Feed::PhoneSms),
        (&raw.is_notification_phone_push, Feed::PhonePush),
    ]
    .into_iter()
    .filter_map(|(flag, feed)| truthy(flag).then_some(feed))
    .collect();
    let options = options(&raw.list_titles)?;
    if matches!(kind, AttrType::RadioButton | AttrType::List) && options.is_empty() {
        return Err(LoadErrorKind::NoOptions(kind.name()));
    }
    let settings = raw.settings.as_object();
    let read_only = settings.and_then(|s| s.get("readOnly")).is_some_and(truthy);
    let captcha_key = settings
        .and_then(|s| s.get("captcha"))
        .and_then(|c| c.get("key"))
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
        .map(str::to_owned);

    let config = match kind {
        AttrType::RadioButton | AttrType::List => {
            TypeConfig::Choice(Choices { options, multiselect: truthy(&raw.multiselect) })
        }
        AttrType::Spam => TypeConfig::Captcha(captcha_key),
        _ => TypeConfig::Plain,
    };
    let mut attr = Attribute { marker, kind, position, config, rules: RuleSets::default(), read_only, role, feeds };
    let (rules, mut warnings) = rule_sets(&attr, &raw.validators, default_lang, env)?;
    if attr.is_password() && (rules.base.trim || rules.by_lang.values().any(|r| r.trim)) {
        warnings.push("trimValidator on the password is ignored: passwords are never trimmed".into());
    }
    attr.rules = rules;
    Ok((attr, warnings))
}

/// `listTitles` → options. A value may be a string, a number or an entity object with an `id`.
fn options(list_titles: &Value) -> Result<Vec<ChoiceOption>, LoadErrorKind> {
    let items = match list_titles {
        Value::Null => return Ok(Vec::new()),
        Value::Object(m) if m.is_empty() => return Ok(Vec::new()),
        Value::Array(a) => a,
        _ => return Err(LoadErrorKind::OptionsNotAList),
    };
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

/// The attribute's validators: one set, or one per language code.
fn rule_sets(
    attr: &Attribute,
    v: &Value,
    default_lang: &str,
    env: &Services<'_>,
) -> Result<(RuleSets, Vec<String>), LoadErrorKind> {
    let empty = Map::new();
    let map = match v {
        Value::Null => &empty,
        Value::Array(a) if a.is_empty() => &empty,
        Value::Object(m) => m,
        other => return Err(LoadErrorKind::ValidatorsNotAnObject(other.to_string())),
    };
    let mut warnings = Vec::new();
    let mut one = |set: &Map<String, Value>, lang: Option<&str>| -> Result<Rules, LoadErrorKind> {
        let (mut rules, w) = validators::parse(attr.kind, set)
            .map_err(|error| LoadErrorKind::Validator { lang: lang.map(str::to_owned), error: Box::new(error) })?;
        warnings.extend(w);
        if let Some(default) = rules.default.take() {
            rules.default = Some(canonical_default(attr, &default.to_value(), rules.trim, env)?);
        }
        Ok(rules)
    };
    // Two per-language shapes exist in the wild: the whole set keyed by language, and one
    // validator's settings keyed by language. Both become one flat set per language; a
    // language a validator does not list uses the default language's settings, if any.
    let per_set = validators::is_per_language(map);
    let mut langs: Vec<&String> = Vec::new();
    if per_set {
        langs.extend(map.keys());
    } else {
        for cfg in map.values().filter_map(Value::as_object).filter(|c| validators::is_per_language(c)) {
            langs.extend(cfg.keys().filter(|k| !langs.contains(k)).collect::<Vec<_>>());
        }
    }
    let flat = |lang: &str| -> Map<String, Value> {
        let pick = |m: &Map<String, Value>| m.get(lang).or_else(|| m.get(default_lang)).cloned();
        if per_set {
            return pick(map).and_then(|v| v.as_object().cloned()).unwrap_or_default();
        }
        map.iter()
            .filter_map(|(name, cfg)| match cfg.as_object() {
                Some(c) if validators::is_per_language(c) => pick(c).map(|v| (name.clone(), v)),
                _ => Some((name.clone(), cfg.clone())),
            })
            .collect()
    };
    let base = one(&flat(default_lang), None)?;
    let mut by_lang = IndexMap::new();
    for lang in langs {
        if lang != default_lang {
            by_lang.insert(lang.clone(), one(&flat(lang), Some(lang))?);
        }
    }
    Ok((RuleSets { base, by_lang }, warnings))
}

/// Runs `defaultValueValidator.fieldDefaultValue` through the type's checker.
fn canonical_default(
    attr: &Attribute,
    default: &Value,
    trim: bool,
    env: &Services<'_>,
) -> Result<StoredValue, LoadErrorKind> {
    if matches!(attr.kind, AttrType::Button | AttrType::Spam) || attr.is_password() {
        return Err(LoadErrorKind::DefaultNotApplicable);
    }
    let mut report = Report::new();
    let mut cx = Cx { marker: &attr.marker, report: &mut report, env };
    let path = Pointer::root().child("fieldDefaultValue");
    let arena = Arena::new();
    match check_value(attr.kind, &attr.config, &Json::from_value(default, &arena), &path, trim, &mut cx) {
        Some(p) if report.is_empty() => Ok(p.stored),
        _ => Err(LoadErrorKind::BadDefault {
            value: default.to_string(),
            kind: attr.kind.name(),
            reasons: report.violations().iter().map(|v| v.message()).collect::<Vec<_>>().join("; "),
        }),
    }
}
