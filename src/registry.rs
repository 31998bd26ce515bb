//! The form registry: every form, compiled once, plus the options every update obeys.
//!
//! Built from a directory of exported forms ([`Registry::load_dir`]) or from JSON values
//! ([`Registry::from_forms`]). Immutable once built, so it can be shared behind an `Arc` by any
//! number of threads.

use std::fmt;
use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

use crate::form::{compile::compile, Form, LoadError, LoadErrorKind};
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
}

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            dynamic_properties: false,
            languages: None,
            default_lang_code: "en_US".into(),
            application: None,
            limits: Limits::default(),
        }
    }
}

/// Every form, compiled, with the options and the shared HTML sanitizer.
#[derive(Debug)]
pub struct Registry {
    /// Forms by identifier, sorted. Hashed with foldhash, as a form's attributes are: the keys
    /// come from the configuration, and a body only looks them up.
    forms: IndexMap<String, Form, foldhash::fast::RandomState>,
    options: RegistryOptions,
    sanitizer: Sanitizer,
}

impl Registry {
    /// Compiles forms given as `(source name, JSON)` pairs. Fails on the first bad form, or on
    /// two forms with the same identifier.
    pub fn from_forms<I, S>(forms: I, options: RegistryOptions) -> Result<Registry, LoadError>
    where
        I: IntoIterator<Item = (S, Value)>,
        S: AsRef<str>,
    {
        let sanitizer = Sanitizer::default();
        let captcha = StaticTokens::default();
        let env = Services { sanitizer: &sanitizer, captcha: &captcha, room: StoreRoom::unlimited() };
        let mut compiled: IndexMap<String, Form, foldhash::fast::RandomState> = IndexMap::default();
        let mut sources: IndexMap<String, String> = IndexMap::new();
        for (source, json) in forms {
            let source = source.as_ref();
            let form = compile(source, json, &options.default_lang_code, &env)?;
            if let Some(first) = sources.get(&form.identifier) {
                let kind = LoadErrorKind::DuplicateForm { identifier: form.identifier, first: first.clone() };
                return Err(LoadError { file: source.to_owned(), attribute: None, kind });
            }
            sources.insert(form.identifier.clone(), source.to_owned());
            compiled.insert(form.identifier.clone(), form);
        }
        compiled.sort_keys();
        Ok(Registry { forms: compiled, options, sanitizer })
    }

    /// Loads every `*.json` file of `dir` (in name order), one form per file.
    pub fn load_dir(dir: impl AsRef<Path>, options: RegistryOptions) -> Result<Registry, LoadError> {
        let dir = dir.as_ref();
        let io = |file: &Path, e: std::io::Error| LoadError {
            file: file.display().to_string(),
            attribute: None,
            kind: LoadErrorKind::Io(e.to_string()),
        };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(|e| io(dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        let mut forms = Vec::with_capacity(files.len());
        for f in files {
            let text = std::fs::read(&f).map_err(|e| io(&f, e))?;
            let json: Value = serde_json::from_slice(&text).map_err(|e| LoadError {
                file: f.display().to_string(),
                attribute: None,
                kind: LoadErrorKind::NotJson(e.to_string()),
            })?;
            forms.push((f.display().to_string(), json));
        }
        Registry::from_forms(forms, options)
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

    /// Every loader warning (unknown or inapplicable validators), form by form.
    pub fn warnings(&self) -> impl Iterator<Item = &str> {
        self.forms.values().flat_map(|f| f.warnings.iter().map(String::as_str))
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
    use crate::record::StoredValue;
    use crate::rules::SettingsError;
    use serde_json::json;

    fn attr(marker: &str, kind: &str) -> Value {
        json!({"marker": marker, "type": kind, "position": 1, "validators": {}})
    }

    fn load(attrs: Value) -> Result<Registry, LoadError> {
        Registry::from_forms([("f.json", json!({"identifier": "f", "attributes": attrs}))], RegistryOptions::default())
    }

    #[test]
    fn loads_the_repo_forms() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/forms");
        let r = Registry::load_dir(dir, RegistryOptions::default()).unwrap();
        let reg = r.form("reg").unwrap();
        assert_eq!(reg.logins, ["email"]);
        assert_eq!(reg.password.as_deref(), Some("password"));
        assert_eq!(r.form("profile").unwrap().captcha.as_deref(), Some("captcha"));
        assert!(r.warnings().next().is_none(), "{:?}", r.warnings().collect::<Vec<_>>());
    }

    #[test]
    fn several_logins_load_in_position_order() {
        let logins = json!([
            {"marker": "phone", "type": "string", "position": 2, "isLogin": true},
            {"marker": "email", "type": "string", "position": 1, "isLogin": true},
            {"marker": "nick", "type": "string", "position": 3}
        ]);
        let r = load(logins).unwrap();
        let f = r.form("f").unwrap();
        assert_eq!(f.logins(), ["email", "phone"]);
        assert_eq!(f.login(), Some("email"));
        assert!(f.attribute("phone").unwrap().is_login() && !f.attribute("nick").unwrap().is_login());
        let none = load(json!([attr("a", "string")])).unwrap();
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
        let e = load(json!([attr("a", "string"), attr("a", "integer")])).unwrap_err();
        assert_eq!((e.file.as_str(), e.attribute.as_deref()), ("f.json", Some("a")));
        assert_eq!(e.kind, LoadErrorKind::DuplicateMarker);
        let e = load(json!([attr("g", "groupOfImage")])).unwrap_err();
        assert_eq!(e.kind, LoadErrorKind::UnknownType { name: "groupOfImage".into() });
        assert!(e.to_string().contains("groupOfImages"), "{e}");
        let both = json!([{"marker": "a", "type": "string", "isLogin": true, "isPassword": true}]);
        assert_eq!(load(both).unwrap_err().kind, LoadErrorKind::LoginAndPassword);
        assert_eq!(load(json!([attr("l", "list")])).unwrap_err().kind, LoadErrorKind::NoOptions("list"));
        let bad = json!([{"marker": "a", "type": "string", "validators": {"regExpValidator": {"patternValue": "(("}}}]);
        let e = load(bad).unwrap_err();
        assert!(
            matches!(&e.kind, LoadErrorKind::Validator { lang: None, error } if matches!(&**error, SettingsError::Pattern { pattern, .. } if pattern == "((")),
            "{e}"
        );
        let bad_default = json!([{"marker": "n", "type": "integer", "validators": {"defaultValueValidator": {"fieldDefaultValue": "ten"}}}]);
        assert!(matches!(load(bad_default).unwrap_err().kind, LoadErrorKind::BadDefault { kind: "integer", .. }));
        let no_identifier = Registry::from_forms([("x.json", json!({"attributes": []}))], RegistryOptions::default());
        let e = no_identifier.unwrap_err();
        assert_eq!((e.attribute, e.kind), (None, LoadErrorKind::NoIdentifier));
    }

    #[test]
    fn per_language_validators_and_defaults() {
        let r = load(json!([{"marker": "n", "type": "integer", "validators": {
            "en_US": {"numberInspectionValidator": {"max": "10"}, "defaultValueValidator": {"fieldDefaultValue": "7"}},
            "fr_FR": {"numberInspectionValidator": {"max": "20"}}
        }}]))
        .unwrap();
        let a = r.form("f").unwrap().attribute("n").unwrap();
        assert_eq!(a.rules.for_lang("fr_FR").number.as_ref().unwrap().max, Some(20.0));
        assert_eq!(a.rules.for_lang("de_DE").number.as_ref().unwrap().max, Some(10.0));
        assert_eq!(a.rules.for_lang("en_US").default.as_ref().map(StoredValue::json), Some("7"));
    }
}
