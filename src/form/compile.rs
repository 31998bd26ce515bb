//! Compiling an exported form into a [`Form`], once, at registry load.
//!
//! Everything that can be decided without a body is decided here, per language where the form
//! gives settings per language: the attribute types, the options of choice and entity
//! attributes, the validators (regexes compiled), the default values in canonical shape, which
//! attributes are the logins, the password, the captcha. A form that could only fail later is
//! refused now with every [`LoadError`] found (one per attribute at most); what OneEntry
//! tolerates becomes a [`LoadWarning`].

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::{LoadError, LoadErrorKind};
use super::options::{configs, Reading};
use super::raw::{self, truthy, Found, RawAttribute, RawForm};
use super::{validators, Attribute, Feed, Form, LoadWarning, Role, WarningKind};
use crate::error::ViolationKind;
use crate::json::{Arena, Json};
use crate::pointer::Pointer;
use crate::record::StoredValue;
use crate::report::Report;
use crate::rules::{RuleSets, Rules};
use crate::types::{check_value, AttrType, Cx, Services, TypeConfig};

/// Compiles one form. `file` names it in errors; `default_lang` picks the base settings when
/// validators or options are given per language. `Err` holds every problem found.
pub(crate) fn compile(file: &str, json: Value, default_lang: &str, env: &Services<'_>) -> Result<Form, Vec<LoadError>> {
    let err = |attribute: Option<&str>, kind: LoadErrorKind| LoadError {
        file: file.to_owned(),
        attribute: attribute.map(str::to_owned),
        kind,
    };
    // serde reads a struct from an array too (the first element as `identifier`): say what it is.
    let not_an_object = match &json {
        Value::Object(_) => None,
        Value::Array(_) => Some(
            "a JSON array; one form per file (save each form of a getAllForms or getFormsByPageUrl answer in a file of its own)",
        ),
        Value::Null => Some("null"),
        Value::Bool(_) => Some("a boolean"),
        Value::Number(_) => Some("a number"),
        Value::String(_) => Some("a string"),
    };
    if let Some(what) = not_an_object {
        return Err(vec![err(None, LoadErrorKind::NotAForm(what.to_owned()))]);
    }
    let raw = RawForm::deserialize(&json).map_err(|e| vec![err(None, LoadErrorKind::NotAForm(e.to_string()))])?;
    let identifier = match raw.identifier {
        Some(Value::String(s)) if !s.trim().is_empty() => s,
        _ => return Err(vec![err(None, LoadErrorKind::NoIdentifier)]),
    };
    let found = raw::attributes(raw.attributes).map_err(|kind| vec![err(None, kind)])?;
    // The form's own fields as exported, for services that serve it back (each attribute
    // keeps its own object).
    let mut source = match json {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    source.shift_remove("attributes");

    let mut attrs: Vec<Attribute> = Vec::with_capacity(found.len());
    let mut warnings: Vec<LoadWarning> = Vec::new();
    let mut errors = Vec::new();
    for (index, Found { key, value }) in found.into_iter().enumerate() {
        let label = label(key.as_deref(), &value, index);
        let compiled = RawAttribute::deserialize(&value)
            .map_err(|e| LoadErrorKind::NotAnAttribute(e.to_string()))
            .and_then(|raw| attribute(key, raw, index, default_lang, env))
            .map(|(mut attr, w)| {
                if let Value::Object(m) = value {
                    attr.source = m;
                }
                (attr, w)
            });
        match compiled {
            Ok((attr, _)) if attrs.iter().any(|x| x.marker == attr.marker) => {
                errors.push(err(Some(&label), LoadErrorKind::DuplicateMarker));
            }
            Ok((attr, w)) => {
                for kind in w {
                    let warning = LoadWarning { file: file.to_owned(), attribute: Some(label.clone()), kind };
                    if !warnings.contains(&warning) {
                        warnings.push(warning);
                    }
                }
                attrs.push(attr);
            }
            Err(kind) => errors.push(err(Some(&label), kind)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut form = assemble(file, identifier, attrs, warnings).map_err(|e| vec![e])?;
    form.source = source;
    Ok(form)
}

/// How errors name an attribute: its marker, else its key, else its place.
fn label(key: Option<&str>, value: &Value, index: usize) -> String {
    ["marker", "identifier"]
        .iter()
        .find_map(|k| value.get(k).and_then(Value::as_str))
        .or(key)
        .map_or_else(|| format!("attributes[{index}]"), str::to_owned)
}

/// The form from its compiled attributes: ordered by `position`, its logins, password and
/// captcha found.
fn assemble(
    source: &str,
    identifier: String,
    mut attrs: Vec<Attribute>,
    mut warnings: Vec<LoadWarning>,
) -> Result<Form, LoadError> {
    let err = |attribute: Option<&str>, kind: LoadErrorKind| LoadError {
        file: source.to_owned(),
        attribute: attribute.map(str::to_owned),
        kind,
    };
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
    let mut attributes: IndexMap<String, Attribute, _> = attrs.into_iter().map(|a| (a.marker.clone(), a)).collect();
    settle_comparisons(source, &mut attributes, &mut warnings);
    Ok(Form { identifier, attributes, logins, password, captcha, warnings, source: Map::new() })
}

/// Keeps each `comparisonValidator {operator, marker}` whose `marker` names another attribute
/// whose value is a stored string or number; drops the others with a warning (OneEntry
/// tolerates them; they would compare with nothing).
fn settle_comparisons(
    source: &str,
    attributes: &mut IndexMap<String, Attribute, foldhash::fast::RandomState>,
    warnings: &mut Vec<LoadWarning>,
) {
    let why_not = |own: &str, other: &str| -> Option<&'static str> {
        let Some(a) = attributes.get(other) else { return Some("is not an attribute of this form") };
        Some(if other == own {
            "is the attribute itself"
        } else if a.is_login() || a.is_password() {
            "is a login or the password, whose value is not a form value"
        } else if !matches!(a.kind, AttrType::String | AttrType::Integer | AttrType::Real | AttrType::Float) {
            "is not a string or number attribute"
        } else {
            return None;
        })
    };
    let mut dropped = Vec::new();
    for (own, a) in attributes.iter() {
        // On a login or the password the rule has no form value to compare either.
        let carrier = (a.is_login() || a.is_password()).then_some("is compared from a login or the password");
        for rules in std::iter::once(&a.rules.base).chain(a.rules.by_lang.values()) {
            if let Some(c) = &rules.compare_with {
                if let Some(reason) = carrier.or_else(|| why_not(own, &c.marker)) {
                    dropped.push((own.clone(), c.marker.clone(), reason));
                }
            }
        }
    }
    for (own, marker, reason) in dropped {
        if let Some(a) = attributes.get_mut(&own) {
            let sets = std::iter::once(&mut a.rules.base).chain(a.rules.by_lang.values_mut());
            sets.filter(|r| r.compare_with.as_ref().is_some_and(|c| c.marker == marker))
                .for_each(|r| r.compare_with = None);
        }
        let warning = LoadWarning {
            file: source.to_owned(),
            attribute: Some(own),
            kind: WarningKind::ComparisonNotEnforced { marker, reason },
        };
        if !warnings.contains(&warning) {
            warnings.push(warning);
        }
    }
}

/// Compiles one attribute (`key`: its key in `attributes` keyed by marker); `Err` is the reason
/// it cannot be loaded.
fn attribute(
    key: Option<String>,
    raw: RawAttribute,
    index: usize,
    default_lang: &str,
    env: &Services<'_>,
) -> Result<(Attribute, Vec<WarningKind>), LoadErrorKind> {
    let named = match raw.marker.or(raw.identifier) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s),
        Some(_) => return Err(LoadErrorKind::NoMarker),
        None => None,
    };
    let marker = match (named, key) {
        (Some(marker), Some(key)) if marker != key => return Err(LoadErrorKind::MarkerMismatch { key, marker }),
        (Some(marker), _) | (None, Some(marker)) => marker,
        (None, None) => return Err(LoadErrorKind::NoMarker),
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
    let settings = raw.settings.as_object();
    let read_only = settings.and_then(|s| s.get("readOnly")).is_some_and(truthy);
    let captcha_key = settings
        .and_then(|s| s.get("captcha"))
        .and_then(|c| c.get("key"))
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
        .map(str::to_owned);
    let reading = Reading { kind, multiselect: truthy(&raw.multiselect), captcha_key, default_lang };
    let config = configs(&raw.list_titles, &reading)?;

    let mut attr = Attribute {
        marker,
        kind,
        position,
        config,
        rules: RuleSets::default(),
        read_only,
        role,
        feeds,
        source: Map::new(),
    };
    let (rules, mut warnings) = rule_sets(&attr, &raw.validators, default_lang, env)?;
    if attr.is_password() && (rules.base.trim || rules.by_lang.values().any(|r| r.trim)) {
        warnings.push(WarningKind::PasswordNotTrimmed);
    }
    attr.rules = rules;
    Ok((attr, warnings))
}

/// The attribute's validators: one set, or one per language code; a language whose options
/// are its own gets its own set too, its default value checked against those options.
fn rule_sets(
    attr: &Attribute,
    v: &Value,
    default_lang: &str,
    env: &Services<'_>,
) -> Result<(RuleSets, Vec<WarningKind>), LoadErrorKind> {
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
            let default = default.to_value();
            // The options the default is checked against: the language's own, else the base.
            let own = lang.filter(|l| attr.config.by_lang.contains_key(*l));
            let config = own.map_or(&attr.config.base, |l| attr.config.for_lang(l));
            rules.default = match canonical_default(attr, config, &default, rules.trim, env)? {
                DefaultValue::Valid(stored) => Some(stored),
                DefaultValue::NotAnOption => {
                    let lang = own.map(str::to_owned);
                    warnings.push(WarningKind::DefaultNotAnOption { value: default.to_string(), lang });
                    None
                }
            };
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
    for lang in attr.config.by_lang.keys() {
        if !langs.contains(&lang) {
            langs.push(lang);
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

/// What a default value is.
enum DefaultValue {
    /// A valid value, in canonical shape.
    Valid(StoredValue),
    /// A value of the right shape that is not among the options (OneEntry tolerates it).
    NotAnOption,
}

/// Runs `defaultValueValidator.fieldDefaultValue` through the type's checker, with `config`
/// (one language's options).
fn canonical_default(
    attr: &Attribute,
    config: &TypeConfig,
    default: &Value,
    trim: bool,
    env: &Services<'_>,
) -> Result<DefaultValue, LoadErrorKind> {
    if matches!(attr.kind, AttrType::Button | AttrType::Spam) || attr.is_password() {
        return Err(LoadErrorKind::DefaultNotApplicable);
    }
    let mut report = Report::new();
    let mut cx = Cx { marker: &attr.marker, report: &mut report, env };
    let path = Pointer::root().child("fieldDefaultValue");
    let arena = Arena::new();
    let checked = check_value(attr.kind, config, &Json::from_value(default, &arena), &path, trim, &mut cx);
    let violations = report.violations();
    match checked {
        Some(p) if violations.is_empty() => Ok(DefaultValue::Valid(p.stored)),
        _ if !violations.is_empty() && violations.iter().all(|v| matches!(v.kind, ViolationKind::UnknownOption(_))) => {
            Ok(DefaultValue::NotAnOption)
        }
        _ => Err(LoadErrorKind::BadDefault {
            value: default.to_string(),
            kind: attr.kind.name(),
            reasons: violations.iter().map(|v| v.message()).collect::<Vec<_>>().join("; "),
        }),
    }
}
