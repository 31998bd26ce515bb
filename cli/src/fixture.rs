//! The conformance fixture runner, shared by the conformance test (`tests/conformance.rs`, one
//! named trial per fixture) and `validate-body --fixtures`, so the two can never disagree. It is
//! test tooling, so it lives here rather than in the library, which keeps only the answer format
//! ([`userform::answer`]). The fixture format is described in `docs/CONTRACT.md`.
//!
//! A fixture sets up forms, registry options, users (stored records, or OneEntry's
//! `IUserEntity` in the body's language) and a session, sends one body, and states
//! what must come back: `result`, `code`, some `errors` (each must be found among the actual
//! ones, comparing only the keys it lists) and a partial `user` (matched against the target's
//! record as stored after the attempt). What loading the forms reported (the errors of forms
//! left out, the warnings) is checked against `expect.forms` (`errors` and `warnings`, matched
//! as `errors` are) when the fixture gives it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde::Deserialize;
use serde_json::{json, Map, Value};

use userform::{
    answer, password, AppCredentials, Engine, IdentityKeys, MemoryStore, Registry, RegistryOptions, Request,
    StaticTokens, UserRecord, UserStore,
};

/// The default user's id, identity and password (SPEC §8).
pub const DEFAULT_USER: (&str, &str, &str) = ("u1", "alice@example.com", "correct horse battery");

/// One fixture file.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fixture {
    /// What the case shows.
    #[serde(default)]
    pub description: String,
    /// Inline forms; default: the repository's `schemas/forms`.
    pub forms: Option<Vec<Value>>,
    /// Registry options, plus `spamTokens`.
    pub registry: Option<Map<String, Value>>,
    /// Stored users; default: one user `u1` of the body's form.
    pub users: Option<Vec<Value>>,
    /// `{"userId": …}`; absent: the first user; `null`: nobody logged in.
    #[serde(default, deserialize_with = "present")]
    pub session: Option<Option<Value>>,
    /// The record targeted; default: the session's user.
    pub target: Option<String>,
    /// The application credentials presented.
    pub app: Option<PresentedApp>,
    /// The body, as JSON.
    pub body: Option<Value>,
    /// The body as raw text (for malformed input).
    pub body_raw: Option<String>,
    /// The expected answer.
    pub expect: Expect,
}

/// `app` of a fixture.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresentedApp {
    /// Application id.
    #[serde(default)]
    pub id: String,
    /// Secret key.
    #[serde(default)]
    pub secret_key: String,
}

/// `expect` of a fixture.
#[derive(Debug, Deserialize)]
pub struct Expect {
    /// `true` or `false`.
    pub result: bool,
    /// The top-level code (`null` for success), when checked.
    #[serde(default, deserialize_with = "present")]
    pub code: Option<Option<u16>>,
    /// Errors that must be present; `[]` means none.
    pub errors: Option<Vec<Value>>,
    /// Partial expected record after the attempt.
    pub user: Option<Value>,
    /// What loading the forms must report; absent: not checked.
    pub forms: Option<ExpectForms>,
}

/// `expect.forms` of a fixture: the load errors (of the forms left out) and the warnings, each
/// `{file, attribute, code, message}` matched as `expect.errors` are (absent: not checked;
/// `[]`: none; each listed one must be among the actual ones, comparing the keys it lists).
#[derive(Debug, Deserialize, serde::Serialize)]
pub struct ExpectForms {
    /// Load errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<Value>>,
    /// Load warnings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<Value>>,
}

/// Distinguishes an absent key (`None`) from an explicit `null` (`Some(None)`).
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Runs the fixture at `path`. `default_forms` is the directory used when it has no `forms`.
/// `Err` describes every difference, with expected and actual as pretty JSON.
pub fn run_file(path: &Path, default_forms: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    let fixture: Fixture = serde_json::from_str(&text).map_err(|e| format!("not a fixture: {e}"))?;
    run(&fixture, default_forms)
}

/// Runs one fixture.
pub fn run(f: &Fixture, default_forms: &Path) -> Result<(), String> {
    let mut reg = f.registry.clone().unwrap_or_default();
    let tokens: Vec<String> = match reg.remove("spamTokens") {
        Some(v) => serde_json::from_value(v).map_err(|e| format!("registry.spamTokens: {e}"))?,
        None => Vec::new(),
    };
    let options: RegistryOptions = serde_json::from_value(Value::Object(reg)).map_err(|e| format!("registry: {e}"))?;
    let default_lang = options.default_lang_code.clone();
    let registry = match &f.forms {
        Some(forms) => {
            Registry::from_forms(forms.iter().enumerate().map(|(i, v)| (format!("forms[{i}]"), v.clone())), options)
        }
        None => Registry::load_dir(default_forms, options),
    }
    .map_err(|e| format!("forms do not load: {e}"))?;
    let load_errors = serde_json::to_value(registry.load_errors()).map_err(|e| e.to_string())?;
    let warnings = serde_json::to_value(registry.warnings().collect::<Vec<_>>()).map_err(|e| e.to_string())?;

    let body: Vec<u8> = match (&f.body_raw, &f.body) {
        (Some(raw), _) => raw.as_bytes().to_vec(),
        (None, Some(b)) => serde_json::to_vec(b).map_err(|e| e.to_string())?,
        (None, None) => return Err("fixture has neither body nor bodyRaw".into()),
    };
    let body_form = f
        .body
        .as_ref()
        .and_then(|b| b.get("formIdentifier"))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| serde_json::from_slice::<Value>(&body).ok()?.get("formIdentifier")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| "reg".to_owned());
    // A user given as an `IUserEntity` holds the entries of the language the body is applied in.
    let parsed_body = || f.body.clone().or_else(|| serde_json::from_slice::<Value>(&body).ok());
    let lang = parsed_body()
        .and_then(|b| b.get("langCode").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or(default_lang);

    let store = MemoryStore::new();
    let users = match &f.users {
        Some(u) => u.clone(),
        None => vec![
            json!({"id": DEFAULT_USER.0, "identifier": DEFAULT_USER.1, "formIdentifier": body_form, "password": DEFAULT_USER.2, "version": 1}),
        ],
    };
    let mut first_id = None;
    for u in users {
        let record = setup_user(u, &body_form, &lang, &registry)?;
        first_id.get_or_insert_with(|| record.id.clone());
        store.insert(&record, &IdentityKeys::of(&record)).map_err(|e| format!("users: {e}"))?;
    }
    let session: Option<String> = match &f.session {
        None => first_id.clone(),
        Some(None) => None,
        Some(Some(s)) => {
            Some(s.get("userId").and_then(Value::as_str).ok_or("session.userId must be a string")?.to_owned())
        }
    };
    let target = f.target.clone().or_else(|| session.clone());
    let engine = Engine::new(Arc::new(registry), store).with_captcha(StaticTokens::new(tokens));
    let req = Request {
        session: session.as_deref(),
        target: target.as_deref(),
        app: f.app.as_ref().map(|a| AppCredentials { id: &a.id, secret_key: &a.secret_key }),
        lang: None,
        body: &body,
    };
    let outcome = engine.update(&req);
    let actual = answer(&outcome);
    // With nobody logged in there is no target: the record that must stay unchanged is the first user's.
    let watched = target.clone().or(first_id);
    let stored = watched.as_deref().and_then(|t| engine.store().get(t).ok().flatten());
    let mut actual = actual;
    let loaded_quietly =
        load_errors.as_array().is_some_and(Vec::is_empty) && warnings.as_array().is_some_and(Vec::is_empty);
    if let Value::Object(o) = &mut actual {
        if f.expect.forms.is_some() || !loaded_quietly {
            o.insert("forms".into(), json!({"errors": load_errors, "warnings": warnings}));
        }
    }
    compare(&f.expect, &actual, stored.as_ref())
}

/// Builds a stored record from a fixture user (a stored record, or an `IUserEntity` whose
/// entries are `lang`'s), hashing a clear `password`, settled against its form
/// (`Form::settle_user`).
fn setup_user(mut u: Value, body_form: &str, lang: &str, registry: &Registry) -> Result<UserRecord, String> {
    let obj = u.as_object_mut().ok_or("a user must be an object")?;
    let clear = obj.remove("password");
    obj.entry("formIdentifier").or_insert_with(|| Value::from(body_form));
    obj.entry("version").or_insert_with(|| Value::from(1));
    let mut record = UserRecord::from_json(u, lang).map_err(|e| format!("users: {e}"))?;
    if let Some(form) = registry.form(&record.form_identifier) {
        form.settle_user(&mut record);
    }
    if record.created_at.is_empty() {
        record.created_at = "2024-01-01T00:00:00.000Z".into();
        record.updated_at = record.created_at.clone();
    }
    if let Some(p) = clear {
        let p = p.as_str().ok_or("users: password must be a string")?;
        record.password_hash = Some(cached_hash(p)?);
    }
    Ok(record)
}

/// Argon2 is slow by design; fixtures reuse one hash per clear password.
fn cached_hash(clear: &str) -> Result<String, String> {
    static CACHE: OnceLock<Mutex<BTreeMap<String, String>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(h) = cache.lock().map_err(|e| e.to_string())?.get(clear) {
        return Ok(h.clone());
    }
    let h = password::hash(clear)?;
    cache.lock().map_err(|e| e.to_string())?.insert(clear.to_owned(), h.clone());
    Ok(h)
}

fn compare(expect: &Expect, actual: &Value, stored: Option<&UserRecord>) -> Result<(), String> {
    let mut problems = Vec::new();
    if actual["result"] != Value::Bool(expect.result) {
        problems.push(format!("result: expected {}, got {}", expect.result, actual["result"]));
    }
    if let Some(code) = &expect.code {
        let want = code.map(Value::from).unwrap_or(Value::Null);
        if actual["code"] != want {
            problems.push(format!("code: expected {want}, got {}", actual["code"]));
        }
    }
    let mut listed = |what: &str, expected: &Option<Vec<Value>>, got: &Value| {
        let Some(expected) = expected else { return };
        let got = got.as_array().cloned().unwrap_or_default();
        if expected.is_empty() && !got.is_empty() {
            problems.push(format!("{what}: expected none"));
        }
        for e in expected {
            if !got.iter().any(|g| matches(e, g, "").is_ok()) {
                problems.push(format!("{what}: no actual one matches {e}"));
            }
        }
    };
    listed("errors", &expect.errors, &actual["errors"]);
    if let Some(forms) = &expect.forms {
        listed("forms.errors", &forms.errors, &actual["forms"]["errors"]);
        listed("forms.warnings", &forms.warnings, &actual["forms"]["warnings"]);
    }
    if let Some(user) = &expect.user {
        let got = stored.map(UserRecord::public).unwrap_or(Value::Null);
        if let Err(e) = matches(user, &got, "/user") {
            problems.push(format!("user: {e}\nstored user:\n{}", pretty(&got)));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let expected = serde_json::to_value(ExpectView(expect)).unwrap_or(Value::Null);
    Err(format!("{}\nexpected:\n{}\nactual:\n{}", problems.join("\n"), pretty(&expected), pretty(actual)))
}

struct ExpectView<'a>(&'a Expect);

impl serde::Serialize for ExpectView<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.0;
        let mut m = Map::new();
        m.insert("result".into(), Value::Bool(e.result));
        if let Some(c) = &e.code {
            m.insert("code".into(), c.map(Value::from).unwrap_or(Value::Null));
        }
        if let Some(errs) = &e.errors {
            m.insert("errors".into(), Value::Array(errs.clone()));
        }
        if let Some(u) = &e.user {
            m.insert("user".into(), u.clone());
        }
        if let Some(forms) = &e.forms {
            m.insert("forms".into(), serde_json::to_value(forms).unwrap_or(Value::Null));
        }
        Value::Object(m).serialize(s)
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// Partial match of SPEC §8: objects key by key; arrays of entries with a `marker` by marker;
/// other arrays element by element with equal length; numbers by value; other scalars equal.
pub fn matches(expected: &Value, actual: &Value, at: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e.iter().try_for_each(|(k, ev)| match a.get(k) {
            Some(av) => matches(ev, av, &format!("{at}/{k}")),
            None => Err(format!("{at}/{k}: missing (expected {ev})")),
        }),
        (Value::Array(e), Value::Array(a)) if !e.is_empty() && e.iter().all(|x| x.get("marker").is_some()) => {
            e.iter().try_for_each(|ev| {
                let m = &ev["marker"];
                match a.iter().find(|av| &av["marker"] == m) {
                    Some(av) => matches(ev, av, &format!("{at}[marker={m}]")),
                    None => Err(format!("{at}: no entry with marker {m}")),
                }
            })
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                return Err(format!("{at}: expected {} elements, got {}", e.len(), a.len()));
            }
            e.iter().zip(a).enumerate().try_for_each(|(i, (ev, av))| matches(ev, av, &format!("{at}/{i}")))
        }
        (Value::Number(e), Value::Number(a)) if e.as_f64() == a.as_f64() => Ok(()),
        (e, a) if e == a => Ok(()),
        (e, a) => Err(format!("{at}: expected {e}, got {a}")),
    }
}

/// Every `*.json` fixture under `dir`, recursively, sorted by path.
pub fn discover(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::matches;
    use serde_json::json;

    #[test]
    fn partial_matching() {
        let actual = json!({"a": 1, "b": [{"marker": "x", "value": 2.0}, {"marker": "y", "value": "z"}], "c": [1, 2]});
        assert!(matches(&json!({"b": [{"marker": "y"}], "a": 1.0}), &actual, "").is_ok());
        assert!(matches(&json!({"b": [{"marker": "x", "value": 2}]}), &actual, "").is_ok());
        assert!(matches(&json!({"c": [1]}), &actual, "").is_err());
        assert!(matches(&json!({"d": null}), &actual, "").is_err());
        assert!(matches(&json!({"b": [{"marker": "q"}]}), &actual, "").is_err());
    }
}
