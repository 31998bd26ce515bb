//! The form registry: every form, compiled once, plus the options every update obeys.
//!
//! Built from a directory of exported forms ([`Registry::load_dir`]) or from JSON values
//! ([`Registry::from_forms`]). A form with an error is left out and the others load; its
//! errors are kept ([`Registry::load_errors`]), as are the warnings of the forms that loaded
//! ([`Registry::warnings`]). With [`RegistryOptions::strict_forms`] any error refuses the whole
//! registry. Immutable once built, so it can be shared behind an `Arc` by any number of
//! threads.

use std::fmt;
use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

use crate::form::{compile::compile, Form, LoadError, LoadErrorKind, LoadWarning, RegistryError};
use crate::lang::lang_shaped;
use crate::redact::Redacted;
use crate::sanitize::Sanitizer;
use crate::types::{Services, StoreRoom};
use crate::StaticTokens;

/// Limits on a body and on what it stores; each exceeded limit is a body-level 3024 and nothing
/// changes (SPEC §4).
///
/// The stored limits bound what an update *writes*, which text rendering can make larger than
/// what it reads: they are enforced while a text is rendered, so the work stops at the limit.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Limits {
    /// Largest body, in bytes (1 MiB).
    pub max_body_bytes: usize,
    /// Deepest nesting of arrays and objects, the body itself being level 1 (32; at most 127,
    /// `serde_json`'s limit, whatever is set here).
    pub max_depth: usize,
    /// Most `formData` plus `authData` entries (1 000).
    pub max_entries: usize,
    /// Longest string (keys included), in bytes of UTF-8 (64 KiB).
    pub max_string_bytes: usize,
    /// Largest `state`, serialized, in bytes (16 KiB).
    pub max_state_bytes: usize,
    /// Largest stored text: the sanitised HTML plus the plain text of one `text` or
    /// `textWithHeader` value, in bytes (256 KiB). A string at the 64 KiB limit of ordinary
    /// markdown or HTML stores about 1.3 times its size as HTML plus its plain text, so any
    /// ordinary text the string limit lets in fits; only amplifying markup reaches it.
    pub max_stored_text_bytes: usize,
    /// Largest stored record: the canonical JSON of every stored `formData` value of every
    /// language plus `state`, in bytes (4 MiB). A whole 1 MiB body of ordinary markdown stores
    /// about 3.3 MiB (source, HTML and plain text), so one update of real content fits.
    pub max_record_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 1 << 20,
            max_depth: 32,
            max_entries: 1000,
            max_string_bytes: 64 << 10,
            max_state_bytes: 16 << 10,
            max_stored_text_bytes: 256 << 10,
            max_record_bytes: 4 << 20,
        }
    }
}

/// The application an update must present (Backendless' application id and secret key).
/// `Debug` shows the id, never the key.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// The application id.
    pub id: String,
    /// The secret key (OneEntry's app token).
    pub secret_key: String,
    /// `false` answers 2002 to everyone ("version is disabled").
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

impl fmt::Debug for Application {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Application")
            .field("id", &self.id)
            .field("secret_key", &Redacted)
            .field("enabled", &self.enabled)
            .finish()
    }
}

/// An application is enabled unless its settings say `"enabled": false`.
fn enabled_by_default() -> bool {
    true
}

/// Registry options (SPEC §2).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RegistryOptions {
    /// Accept markers the form does not define (default `false`: secure by default).
    pub dynamic_properties: bool,
    /// Accepted language codes; `None` accepts any code shaped like `en_US`.
    pub languages: Option<Vec<String>>,
    /// The language of a body without `langCode` (`en_US`).
    pub default_lang_code: String,
    /// When set, every update must present this application's id and key.
    pub application: Option<Application>,
    /// Body limits.
    pub limits: Limits,
    /// Refuse the whole registry when any form has an error (default `false`: a form with an
    /// error is left out and the others load). The project's own CI loads `schemas/forms` so.
    pub strict_forms: bool,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            dynamic_properties: false,
            languages: None,
            default_lang_code: "en_US".into(),
            application: None,
            limits: Limits::default(),
            strict_forms: false,
        }
    }
}

/// Every form, compiled, with the options and the shared HTML sanitizer.
#[derive(Debug)]
pub struct Registry {
    /// Forms by identifier, sorted. Hashed with foldhash, as a form's attributes are: the keys
    /// come from the configuration, and a body only looks them up.
    forms: IndexMap<String, Form, foldhash::fast::RandomState>,
    /// The errors of the forms left out, in file order.
    load_errors: Vec<LoadError>,
    options: RegistryOptions,
    sanitizer: Sanitizer,
}

impl Registry {
    /// Compiles forms given as `(source name, JSON)` pairs. A form with an error (or a second
    /// form with an identifier already taken) is left out, its errors kept; with
    /// `strict_forms`, any error is `Err`, listing every one.
    pub fn from_forms<I, S>(forms: I, options: RegistryOptions) -> Result<Registry, RegistryError>
    where
        I: IntoIterator<Item = (S, Value)>,
        S: AsRef<str>,
    {
        Registry::build(forms.into_iter().map(|(source, json)| (source.as_ref().to_owned(), Ok(json))), options)
    }

    /// Loads every `*.json` file of `dir` (in name order), one form per file. A file that cannot
    /// be read or is not JSON is a form with an error; a directory that cannot be read is `Err`.
    pub fn load_dir(dir: impl AsRef<Path>, options: RegistryOptions) -> Result<Registry, RegistryError> {
        let dir = dir.as_ref();
        let io = |e: std::io::Error| LoadErrorKind::Io(e.to_string());
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| RegistryError {
                errors: vec![LoadError { file: dir.display().to_string(), attribute: None, kind: io(e) }],
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        let forms = files.into_iter().map(|f| {
            let json = std::fs::read(&f)
                .map_err(io)
                .and_then(|text| serde_json::from_slice(&text).map_err(|e| LoadErrorKind::NotJson(e.to_string())));
            (f.display().to_string(), json)
        });
        Registry::build(forms, options)
    }

    /// Compiles each form, keeping those without errors.
    fn build(
        forms: impl Iterator<Item = (String, Result<Value, LoadErrorKind>)>,
        options: RegistryOptions,
    ) -> Result<Registry, RegistryError> {
        let sanitizer = Sanitizer::default();
        let captcha = StaticTokens::default();
        let env = Services { sanitizer: &sanitizer, captcha: &captcha, room: StoreRoom::unlimited() };
        let mut compiled: IndexMap<String, Form, foldhash::fast::RandomState> = IndexMap::default();
        let mut sources: IndexMap<String, String> = IndexMap::new();
        let mut load_errors = Vec::new();
        for (source, json) in forms {
            let form = json
                .map_err(|kind| vec![LoadError { file: source.clone(), attribute: None, kind }])
                .and_then(|json| compile(&source, json, &options.default_lang_code, &env));
            let form = match form {
                Ok(form) => form,
                Err(mut errors) => {
                    load_errors.append(&mut errors);
                    continue;
                }
            };
            if let Some(first) = sources.get(&form.identifier) {
                let kind = LoadErrorKind::DuplicateForm { identifier: form.identifier, first: first.clone() };
                load_errors.push(LoadError { file: source, attribute: None, kind });
                continue;
            }
            sources.insert(form.identifier.clone(), source);
            compiled.insert(form.identifier.clone(), form);
        }
        if options.strict_forms && !load_errors.is_empty() {
            return Err(RegistryError { errors: load_errors });
        }
        compiled.sort_keys();
        Ok(Registry { forms: compiled, load_errors, options, sanitizer })
    }

    /// The form with this identifier.
    pub fn form(&self, identifier: &str) -> Option<&Form> {
        self.forms.get(identifier)
    }

    /// Every form, ordered by identifier.
    pub fn forms(&self) -> impl Iterator<Item = &Form> {
        self.forms.values()
    }

    /// The options.
    pub fn options(&self) -> &RegistryOptions {
        &self.options
    }

    /// The shared sanitizer.
    pub fn sanitizer(&self) -> &Sanitizer {
        &self.sanitizer
    }

    /// Every warning of the forms that loaded (what OneEntry tolerates and the engine ignores:
    /// unknown or inapplicable validators, a default not among the options, ...), form by form.
    pub fn warnings(&self) -> impl Iterator<Item = &LoadWarning> {
        self.forms.values().flat_map(|f| f.warnings.iter())
    }

    /// The errors of the forms left out (never any with `strict_forms`), in file order.
    pub fn load_errors(&self) -> &[LoadError] {
        &self.load_errors
    }

    /// True if `code` is an accepted language code.
    pub fn accepts_language(&self, code: &str) -> bool {
        match &self.options.languages {
            Some(list) => list.iter().any(|l| l == code),
            None => lang_shaped(code),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::WarningKind;
    use crate::record::StoredValue;
    use crate::rules::SettingsError;
    use serde_json::json;

    fn attr(marker: &str, kind: &str) -> Value {
        json!({"marker": marker, "type": kind, "position": 1, "validators": {}})
    }

    fn load(attrs: Value) -> Registry {
        Registry::from_forms([("f.json", json!({"identifier": "f", "attributes": attrs}))], RegistryOptions::default())
            .expect("not strict: a bad form is left out")
    }

    /// The one load error of a form of `attrs`, which is left out.
    fn refused(attrs: Value) -> LoadError {
        let r = load(attrs);
        assert!(r.form("f").is_none(), "a form with an error is left out");
        match r.load_errors() {
            [e] => e.clone(),
            other => panic!("one error expected: {other:?}"),
        }
    }

    fn warnings(r: &Registry) -> Vec<(Option<&str>, &WarningKind)> {
        r.warnings().map(|w| (w.attribute.as_deref(), &w.kind)).collect()
    }

    #[test]
    fn loads_the_repo_forms_strictly() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/forms");
        let r = Registry::load_dir(dir, RegistryOptions { strict_forms: true, ..RegistryOptions::default() }).unwrap();
        let reg = r.form("reg").unwrap();
        assert_eq!(reg.logins, ["email"]);
        assert_eq!(reg.password.as_deref(), Some("password"));
        assert_eq!(r.form("profile").unwrap().captcha.as_deref(), Some("captcha"));
        assert!(r.warnings().next().is_none(), "{:?}", r.warnings().collect::<Vec<_>>());
        assert!(r.load_errors().is_empty());
    }

    #[test]
    fn several_logins_load_in_position_order() {
        let logins = json!([
            {"marker": "phone", "type": "string", "position": 2, "isLogin": true},
            {"marker": "email", "type": "string", "position": 1, "isLogin": true},
            {"marker": "nick", "type": "string", "position": 3}
        ]);
        let r = load(logins);
        let f = r.form("f").unwrap();
        assert_eq!(f.logins(), ["email", "phone"]);
        assert_eq!(f.login(), Some("email"));
        assert!(f.attribute("phone").unwrap().is_login() && !f.attribute("nick").unwrap().is_login());
        let none = load(json!([attr("a", "string")]));
        assert!(none.form("f").unwrap().logins().is_empty() && none.form("f").unwrap().login().is_none());
    }

    #[test]
    fn empty_form_as_object() {
        let r = Registry::from_forms(
            [("e.json", json!({"identifier": "e", "attributes": {}}))],
            RegistryOptions::default(),
        )
        .unwrap();
        assert!(r.form("e").unwrap().attributes.is_empty());
    }

    #[test]
    fn refuses_bad_forms_with_file_attribute_reason() {
        let e = refused(json!([attr("a", "string"), attr("a", "integer")]));
        assert_eq!((e.file.as_str(), e.attribute.as_deref()), ("f.json", Some("a")));
        assert_eq!(e.kind, LoadErrorKind::DuplicateMarker);
        let e = refused(json!([attr("g", "groupOfImage")]));
        assert_eq!(e.kind, LoadErrorKind::UnknownType { name: "groupOfImage".into() });
        assert!(e.to_string().contains("groupOfImages"), "{e}");
        let both = json!([{"marker": "a", "type": "string", "isLogin": true, "isPassword": true}]);
        assert_eq!(refused(both).kind, LoadErrorKind::LoginAndPassword);
        assert_eq!(refused(json!([attr("l", "list")])).kind, LoadErrorKind::NoOptions("list"));
        let bad = json!([{"marker": "a", "type": "string", "validators": {"regExpValidator": {"patternValue": "(("}}}]);
        let e = refused(bad);
        assert!(
            matches!(&e.kind, LoadErrorKind::Validator { lang: None, error } if matches!(&**error, SettingsError::Pattern { pattern, .. } if pattern == "((")),
            "{e}"
        );
        let bad_unit = json!([{"marker": "cv", "type": "file", "validators": {"checkingFilesValidator": {"maxUnits": "tb", "maxValue": "1"}}}]);
        let e = refused(bad_unit);
        assert!(
            matches!(&e.kind, LoadErrorKind::Validator { error, .. } if matches!(&**error, SettingsError::NotAUnit { .. })),
            "{e}"
        );
        assert_eq!(e.kind.code(), "bad-validator");
        let bad_default = json!([{"marker": "n", "type": "integer", "validators": {"defaultValueValidator": {"fieldDefaultValue": "ten"}}}]);
        assert!(matches!(refused(bad_default).kind, LoadErrorKind::BadDefault { kind: "integer", .. }));
        let no_identifier = Registry::from_forms([("x.json", json!({"attributes": []}))], RegistryOptions::default());
        let e = no_identifier.unwrap().load_errors()[0].clone();
        assert_eq!((e.attribute.as_deref(), &e.kind), (None, &LoadErrorKind::NoIdentifier));
        // getAllForms' answer saved as one file: an array of forms, not a form.
        let array = Registry::from_forms(
            [("all.json", json!([{"identifier": "a", "attributes": []}]))],
            RegistryOptions::default(),
        );
        let e = array.unwrap().load_errors()[0].clone();
        assert_eq!(e.kind.code(), "not-a-form");
        assert!(e.to_string().contains("one form per file"), "{e}");
    }

    #[test]
    fn every_bad_attribute_is_reported_and_the_other_forms_load() {
        let bad =
            json!({"identifier": "bad", "attributes": [attr("a", "colour"), attr("b", "string"), attr("c", "list")]});
        let good = json!({"identifier": "good", "attributes": [attr("a", "string")]});
        let again = json!({"identifier": "good", "attributes": []});
        let r = Registry::from_forms(
            [("bad.json", bad), ("good.json", good), ("again.json", again)],
            RegistryOptions::default(),
        )
        .unwrap();
        assert!(r.form("bad").is_none());
        assert_eq!(r.form("good").unwrap().attributes.len(), 1, "the first of two forms with one identifier stays");
        let got: Vec<_> =
            r.load_errors().iter().map(|e| (e.file.as_str(), e.attribute.as_deref(), e.kind.code())).collect();
        assert_eq!(
            got,
            [
                ("bad.json", Some("a"), "unknown-type"),
                ("bad.json", Some("c"), "no-options"),
                ("again.json", None, "duplicate-form")
            ]
        );
        let json = serde_json::to_value(&r.load_errors()[0]).unwrap();
        assert_eq!(
            json,
            json!({"file": "bad.json", "attribute": "a", "code": "unknown-type", "message": "unknown type `colour`"})
        );
    }

    #[test]
    fn strict_forms_makes_any_error_fatal() {
        let strict = RegistryOptions { strict_forms: true, ..RegistryOptions::default() };
        let forms = [
            ("a.json", json!({"identifier": "a", "attributes": [attr("x", "colour")]})),
            ("b.json", json!({"identifier": "b", "attributes": [attr("x", "string"), attr("x", "string")]})),
            ("c.json", json!({"identifier": "c", "attributes": []})),
        ];
        let e = Registry::from_forms(forms.clone(), strict.clone()).unwrap_err();
        let codes: Vec<_> = e.errors.iter().map(|e| e.kind.code()).collect();
        assert_eq!(codes, ["unknown-type", "duplicate-marker"]);
        assert_eq!(e.to_string().lines().count(), 2, "{e}");
        assert!(Registry::from_forms(forms[2..].to_vec(), strict).is_ok());
        let missing = Registry::load_dir("/nonexistent/forms", RegistryOptions::default()).unwrap_err();
        assert_eq!(missing.errors[0].kind.code(), "unreadable", "a directory that cannot be read is fatal");
    }

    #[test]
    fn attributes_keyed_by_marker() {
        // The admin side's shape: keyed by marker, the marker named `identifier`, no position.
        let r = load(json!({
            "login": {"id": 1, "identifier": "login", "type": "string", "isLogin": true},
            "password": {"id": 2, "identifier": "password", "type": "string", "isPassword": true},
            "nick": {"type": "string"}
        }));
        let f = r.form("f").unwrap();
        let markers: Vec<_> = f.attributes().map(|a| (a.marker(), a.position())).collect();
        assert_eq!(markers, [("login", 0), ("password", 1), ("nick", 2)]);
        assert_eq!((f.login(), f.password()), (Some("login"), Some("password")));
        let e = refused(json!({"login": {"identifier": "email", "type": "string"}}));
        assert_eq!((e.attribute.as_deref(), e.kind.code()), (Some("email"), "marker-mismatch"));
        assert_eq!(refused(json!({"a": "string"})).kind.code(), "not-an-attribute");
        assert_eq!(refused(json!([{"type": "string"}])).kind, LoadErrorKind::NoMarker);
        let r = load(json!([{"identifier": "city", "type": "string", "localizeInfos": {"en_US": {"title": "City"}},
            "additionalFields": {"en_US": {"placeholder": {"type": "string", "value": "London"}}}}]));
        assert!(
            r.form("f").unwrap().attribute("city").is_some(),
            "an array attribute may be named by `identifier` too"
        );
    }

    #[test]
    fn each_form_and_attribute_keeps_its_source() {
        let nick = json!({"type": "string", "localizeInfos": {"en_US": {"title": "Nick"}}, "x-extra": [1]});
        let r = Registry::from_forms(
            [(
                "f.json",
                json!({"id": 7, "identifier": "f", "localizeInfos": {"en_US": {"title": "F"}},
                "attributes": {"nick": nick.clone()}}),
            )],
            RegistryOptions::default(),
        )
        .unwrap();
        let f = r.form("f").unwrap();
        assert_eq!(
            Value::Object(f.source().clone()),
            json!({"id": 7, "identifier": "f", "localizeInfos": {"en_US": {"title": "F"}}})
        );
        let a = f.attribute("nick").unwrap();
        assert_eq!(Value::Object(a.source().clone()), nick, "as written: no marker, no position");
        assert_eq!((a.marker(), a.position()), ("nick", 0));
    }

    #[test]
    fn a_comparison_carried_by_a_login_or_the_password_is_a_warning() {
        let r = load(json!([
            {"marker": "mail", "type": "string", "isLogin": true,
             "validators": {"comparisonValidator": {"operator": "!=", "marker": "nick"}}},
            {"marker": "pw", "type": "string", "isPassword": true,
             "validators": {"comparisonValidator": {"operator": "=", "marker": "confirm"}}},
            {"marker": "nick", "type": "string"},
            {"marker": "confirm", "type": "string"}]));
        let f = r.form("f").unwrap();
        for marker in ["mail", "pw"] {
            assert!(f.attribute(marker).unwrap().rules.base.compare_with.is_none(), "{marker}: dropped");
        }
        let reasons: Vec<_> = warnings(&r)
            .into_iter()
            .map(|(a, w)| match w {
                WarningKind::ComparisonNotEnforced { reason, .. } => (a, *reason),
                other => panic!("{other:?}"),
            })
            .collect();
        let why = "is compared from a login or the password";
        assert_eq!(reasons, [(Some("mail"), why), (Some("pw"), why)]);
    }

    #[test]
    fn what_oneentry_tolerates_is_a_warning() {
        // The npm README's attribute: the default 11 is not one of the options 1 and 2.
        let r = load(json!([{"type": "list", "marker": "list1", "position": 192,
            "validators": {"requiredValidator": {"strict": true}, "defaultValueValidator": {"fieldDefaultValue": 11}},
            "listTitles": [{"title": "red", "value": 1, "position": 1}, {"title": "yellow", "value": 2, "position": 2}]},
            {"marker": "age", "type": "integer", "validators": {"emailInspectionValidator": true, "fooValidator": {},
                "sizeInPixelsValidator": {"maxX": "500"}, "comparisonValidator": {"operator": ">", "marker": "start"}}}]));
        let a = r.form("f").unwrap().attribute("list1").unwrap();
        assert!(a.rules.base.default.is_none(), "the default is ignored");
        assert!(a.required_in("en_US"), "and the attribute is required without it");
        assert_eq!(
            warnings(&r),
            [
                (Some("list1"), &WarningKind::DefaultNotAnOption { value: "11".into(), lang: None }),
                (
                    Some("age"),
                    &WarningKind::ValidatorNotApplicable { name: "emailInspectionValidator".into(), kind: "integer" }
                ),
                (Some("age"), &WarningKind::UnknownValidator { name: "fooValidator".into() }),
                (Some("age"), &WarningKind::AdminOnlyValidator { name: "sizeInPixelsValidator".into() }),
                (
                    Some("age"),
                    &WarningKind::ComparisonNotEnforced {
                        marker: "start".into(),
                        reason: "is not an attribute of this form"
                    }
                ),
            ]
        );
        assert!(r.load_errors().is_empty());
    }

    #[test]
    fn per_language_validators_and_defaults() {
        let r = load(json!([{"marker": "n", "type": "integer", "validators": {
            "en_US": {"numberInspectionValidator": {"max": "10"}, "defaultValueValidator": {"fieldDefaultValue": "7"}},
            "fr_FR": {"numberInspectionValidator": {"max": "20"}}
        }}]));
        let a = r.form("f").unwrap().attribute("n").unwrap();
        assert_eq!(a.rules.for_lang("fr_FR").number.as_ref().unwrap().max, Some(20.0));
        assert_eq!(a.rules.for_lang("de_DE").number.as_ref().unwrap().max, Some(10.0));
        assert_eq!(a.rules.for_lang("en_US").default.as_ref().map(StoredValue::json), Some("7"));
        assert!(r.warnings().next().is_none(), "one warning per problem, not one per language");
    }

    #[test]
    fn per_language_options_are_compiled_per_language() {
        let r = load(json!([{"marker": "fruit", "type": "radioButton",
            "validators": {"defaultValueValidator": {"fieldDefaultValue": "cherry"}},
            "listTitles": {"en_US": [{"title": "Cherry", "value": "cherry"}], "fr_FR": [{"title": "Cerise", "value": "cerise"}]}}]));
        let a = r.form("f").unwrap().attribute("fruit").unwrap();
        assert_eq!(a.config_in("fr_FR").choices().options[0].key(), "cerise");
        assert_eq!(a.config_in("de_DE").choices().options[0].key(), "cherry");
        assert_eq!(
            a.rules.for_lang("en_US").default.as_ref().map(StoredValue::json),
            Some(r#"{"title":"Cherry","value":"cherry","extended":null}"#)
        );
        assert!(a.rules.for_lang("fr_FR").default.is_none(), "`cherry` is not a French option");
        assert_eq!(
            warnings(&r),
            [(
                Some("fruit"),
                &WarningKind::DefaultNotAnOption { value: "\"cherry\"".into(), lang: Some("fr_FR".into()) }
            )]
        );
        let e = refused(json!([{"marker": "l", "type": "list", "listTitles": {"fr_FR": [{"value": "a"}]}}]));
        assert_eq!(e.kind.code(), "no-default-language");
    }
}
