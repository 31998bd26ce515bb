//! The JSON Schemas against the engine.
//!
//! - `schemas/form.schema.json` and `schemas/user-body.schema.json` are valid draft 2020-12
//!   schemas; every repository form, and every inline fixture form that loads, is valid against
//!   the form schema; forms in every shape real OneEntry instances hold (attributes keyed by
//!   marker, settings keyed by locale, entity options) are valid and load; the body schema's
//!   value shapes are those of [`userform::schema::value_shape`].
//! - Soundness: every fixture body the engine accepts is valid against the body schema and
//!   against the schema the registry exports for its form (`Registry::json_schema`); so is every
//!   body of a deterministic sweep (each attribute of several forms × a pool of values × the
//!   `formData` shapes) that the engine accepts.
//! - Sanity: bodies the engine refuses for their shape are invalid against the exported schema.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jsonschema::Validator;
use serde_json::{json, Map, Value};
use userform::AttrType;
use userform::IdentityKeys;
use userform::{Engine, MemoryStore, Registry, RegistryOptions, Request, StaticTokens, UserRecord, UserStore};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A validator for `schema`, which must itself be a valid draft 2020-12 schema.
fn compile(schema: &Value, what: &str) -> Validator {
    if let Err(e) = jsonschema::draft202012::meta::validate(schema) {
        panic!("{what} is not a valid draft 2020-12 schema: {e}");
    }
    jsonschema::draft202012::new(schema).unwrap_or_else(|e| panic!("{what} does not compile: {e}"))
}

/// Why `instance` is invalid against `v`, or `None` when it is valid.
fn invalid(v: &Validator, instance: &Value) -> Option<String> {
    let errors: Vec<String> = v.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    (!errors.is_empty()).then(|| errors.join("\n  "))
}

fn body_schema() -> Validator {
    compile(&read_json(&root().join("schemas/user-body.schema.json")), "schemas/user-body.schema.json")
}

fn form_schema() -> Validator {
    compile(&read_json(&root().join("schemas/form.schema.json")), "schemas/form.schema.json")
}

fn repo_forms() -> Vec<(PathBuf, Value)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("schemas/forms"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files.into_iter().map(|p| (p.clone(), read_json(&p))).collect()
}

fn fixtures() -> Vec<(PathBuf, Value)> {
    // Every `*.json` under `fixtures/`, recursively, sorted by path.
    let mut files = Vec::new();
    let mut dirs = vec![root().join("fixtures")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(!files.is_empty());
    files.into_iter().map(|p| (p.clone(), read_json(&p))).collect()
}

/// The registry a fixture runs against: its inline forms or the repository's, with its
/// `registry` options less `spamTokens` (which configures the captcha verifier instead).
fn fixture_registry(f: &Value) -> Option<Registry> {
    let mut options = f.get("registry").cloned().unwrap_or_else(|| json!({}));
    options.as_object_mut()?.remove("spamTokens");
    let options: RegistryOptions = serde_json::from_value(options).ok()?;
    match f.get("forms").and_then(Value::as_array) {
        Some(forms) => {
            Registry::from_forms(forms.iter().enumerate().map(|(i, v)| (format!("forms[{i}]"), v.clone())), options)
                .ok()
        }
        None => Registry::load_dir(root().join("schemas/forms"), options).ok(),
    }
}

/// The body a fixture sends, as JSON (`bodyRaw` parsed, when it parses).
fn fixture_body(f: &Value) -> Option<Value> {
    match (f.get("bodyRaw").and_then(Value::as_str), f.get("body")) {
        (Some(raw), _) => serde_json::from_str(raw).ok(),
        (None, Some(b)) => Some(b.clone()),
        (None, None) => None,
    }
}

// ---------------------------------------------------------------------------------------------
// (a) the static schemas

#[test]
fn static_schemas_are_valid_and_repo_forms_match() {
    let forms = form_schema();
    let _ = body_schema();
    let repo = repo_forms();
    assert!(repo.len() >= 2);
    for (path, form) in &repo {
        if let Some(why) = invalid(&forms, form) {
            panic!("{} is invalid against form.schema.json:\n  {why}", path.display());
        }
    }
}

#[test]
fn inline_fixture_forms_that_load_match_the_form_schema_and_the_others_say_why() {
    let forms = form_schema();
    let mut checked = 0;
    for (path, f) in fixtures() {
        let Some(inline) = f.get("forms").and_then(Value::as_array) else { continue };
        for (i, form) in inline.iter().enumerate() {
            if loads(form) {
                checked += 1;
                if let Some(why) = invalid(&forms, form) {
                    panic!("{} forms[{i}] loads but is invalid against form.schema.json:\n  {why}", path.display());
                }
            } else {
                // The runner does not check load errors a fixture does not state: ours state them.
                let stated = f["expect"]["forms"]["errors"].as_array().is_some_and(|e| !e.is_empty());
                assert!(stated, "{} forms[{i}] does not load, and expect.forms.errors does not say so", path.display());
            }
        }
    }
    assert!(checked > 10, "only {checked} inline forms checked");
}

/// True when `form` loads without an error (warnings allowed).
fn loads(form: &Value) -> bool {
    let strict = RegistryOptions { strict_forms: true, ..RegistryOptions::default() };
    Registry::from_forms([("f", form.clone())], strict).is_ok()
}

#[test]
fn forms_as_real_instances_hold_them_are_valid_and_load() {
    let forms = form_schema();
    let shapes = [
        // The admin side: keyed by marker, the marker named `identifier` (or only the key).
        json!({"identifier": "signup", "attributes": {
            "login": {"id": 1, "identifier": "login", "type": "string", "isLogin": true,
                "localizeInfos": {"en_US": {"title": "Login"}}, "validators": {"en_US": {"requiredValidator": {"strict": true}}}},
            "password": {"id": 2, "type": "string", "isPassword": true},
            "question": {"type": "text", "identifier": "question", "additionalFields": {"en_US": {"hint": {"type": "string", "value": "?"}}}}
        }}),
        // An array attribute named by `identifier`; flat localizeInfos, additionalFields as an array.
        json!({"identifier": "f", "attributes": [{"identifier": "city", "type": "string", "localizeInfos": {"title": "City"},
            "additionalFields": [{"type": "string", "value": "Rome", "marker": "placeholder"}]}]}),
        // listTitles keyed by locale, for a list and a radioButton; an option with an extended image.
        json!({"identifier": "f", "attributes": [
            {"marker": "labels", "type": "list", "multiselect": true, "listTitles": {"en_US": [{"title": "Cherry", "value": "cherry", "position": 1,
                "extended": {"type": "image", "value": {"filename": "c.png", "downloadLink": "https://example.com/c.png"}}}],
                "it_IT": [{"title": "Ciliegia", "value": "ciliegia"}]}},
            {"marker": "size", "type": "radioButton", "listTitles": {"en_US": [{"value": 1}, {"value": 2}]}}]}),
        // Entity options, as the store picker of a demo shop holds them; an entity without.
        json!({"identifier": "f", "attributes": [
            {"marker": "store", "type": "entity", "listTitles": [{"title": "Stores", "value": {"id": 9, "depth": 0, "parentId": null}, "position": 0},
                {"title": "Via Roma", "value": {"id": 169, "depth": 1, "parentId": 9}}, {"title": "Outlet", "value": "p-4-1"}]},
            {"marker": "pages", "type": "entity", "listTitles": {}}]}),
        // Settings as OneEntry sends them: flags and numbers as strings, padded; dates both ways.
        json!({"identifier": "f", "attributes": [
            {"marker": "a", "type": "string", "isLogin": "true", "validators": {"stringInspectionValidator": {"stringMin": " 2 ", "stringMax": "20.0", "stringLength": 0}}},
            {"marker": "b", "type": "file", "validators": {"checkingFilesValidator": {"maxUnits": "mb", "maxValue": "1.5", "maxCount": "3", "extensions": []}}},
            {"marker": "c", "type": "real", "validators": {"numberInspectionValidator": {"min": "-.5e-3", "max": "1E+05"}, "roundingNumberValidator": {"decimalPlaces": "2"}}},
            {"marker": "d", "type": "date", "validators": {"minMaxDateValidator": {"min": "1900-01-01", "max": "2100-12-31T23:59:59.999+03:00"}}}]}),
        // What OneEntry tolerates loads, with warnings: a default that is not an option.
        json!({"identifier": "f", "attributes": [{"type": "list", "marker": "list1", "validators": {"defaultValueValidator": {"fieldDefaultValue": 11}},
            "listTitles": [{"title": "red", "value": 1}, {"title": "yellow", "value": 2}]}]}),
    ];
    for form in shapes {
        if let Some(why) = invalid(&forms, &form) {
            panic!("form.schema.json refuses {form}:\n  {why}");
        }
        assert!(loads(&form), "the loader refuses {form}");
    }
}

#[test]
fn form_schema_refuses_what_the_loader_refuses_for_shape() {
    let forms = form_schema();
    let bad = [
        json!({"attributes": []}),
        json!({"identifier": "", "attributes": []}),
        json!({"identifier": "f", "attributes": "x"}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "groupOfImage"}]}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "list"}]}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "string", "isLogin": true, "isPassword": true}]}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "integer", "isLogin": true}]}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "string", "validators": {"stringInspectionValidator": {"stringMin": -1}}}]}),
        json!({"identifier": "f", "attributes": {"a": "string"}}),
        json!({"identifier": "f", "attributes": [{"type": "string"}]}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "list", "listTitles": {"colours": [{"value": 1}]}}]}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "list", "listTitles": {"en_US": []}}]}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "list", "listTitles": {"en_US": [{"value": 1}], "fr_FR": []}}]}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "entity", "listTitles": [{"value": {"id": "a b"}}]}]}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "entity", "listTitles": [{"value": {"id": -1}}]}]}),
        // Flags as OneEntry exports them: `"true"`, `"1"` and non-zero numbers are on.
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "integer", "isLogin": "TRUE"}]}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "list", "listTitles": [{"value": 1}], "isPassword": 1}]}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "string", "isLogin": "1", "isPassword": -1}]}),
        // Numbers as strings must be numbers; dates must be dates.
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "string", "validators": {"stringInspectionValidator": {"stringMax": "ten"}}}]}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "string", "validators": {"stringInspectionValidator": {"stringMax": "1.5"}}}]}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "integer", "validators": {"numberInspectionValidator": {"min": "inf"}}}]}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "date", "validators": {"minMaxDateValidator": {"min": "yesterday"}}}]}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "date", "validators": {"dateInspectionValidator": {"max": "2024-13-01"}}}]}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "file", "validators": {"checkingFilesValidator": {"maxUnits": "kb", "maxValue": "-2"}}}]}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "real", "validators": {"roundingNumberValidator": {"decimalPlaces": "21"}}}]}),
        // A comparison needs its operator, with a fixed value or another attribute.
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "integer", "validators": {"comparisonValidator": {"value": 3}}}]}),
        json!({"identifier": "f", "attributes": [{"marker": "a", "type": "integer", "validators": {"comparisonValidator": {"marker": "b", "operator": " "}}}]}),
    ];
    for form in bad {
        assert!(!loads(&form), "the loader accepts {form}");
        assert!(invalid(&forms, &form).is_some(), "form.schema.json accepts {form}");
    }
}

#[test]
fn body_schema_value_shapes_are_the_engines() {
    let schema = read_json(&root().join("schemas/user-body.schema.json"));
    for kind in AttrType::ALL {
        let mut def = schema["$defs"][format!("value.{}", kind.name())].clone();
        def.as_object_mut().unwrap().remove("description");
        let expected = match userform::schema::value_shape(kind) {
            Value::Bool(false) => json!({"not": {}}),
            other => other,
        };
        assert_eq!(def, expected, "$defs/value.{} differs from userform::schema::value_shape", kind.name());
    }
}

#[test]
fn exported_schemas_are_valid() {
    let registry = Registry::load_dir(root().join("schemas/forms"), RegistryOptions::default()).unwrap();
    for form in registry.forms() {
        let schema = registry.json_schema(form.identifier()).unwrap();
        compile(&schema, &format!("the exported schema of `{}`", form.identifier()));
    }
    assert!(registry.json_schema("no-such-form").is_none());
}

// ---------------------------------------------------------------------------------------------
// (b) soundness on the fixtures

#[test]
fn accepted_fixture_bodies_are_valid() {
    let body = body_schema();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (path, f) in fixtures() {
        if f["expect"]["result"] != json!(true) {
            continue;
        }
        let name = path.strip_prefix(root()).unwrap_or(&path).display().to_string();
        let instance = fixture_body(&f).unwrap_or_else(|| panic!("{name}: accepted, but its body is not JSON"));
        if let Some(why) = invalid(&body, &instance) {
            failures.push(format!("{name}: invalid against user-body.schema.json:\n  {why}"));
        }
        let registry = fixture_registry(&f).unwrap_or_else(|| panic!("{name}: its registry does not load"));
        let form = instance["formIdentifier"].as_str().unwrap();
        let exported = registry.json_schema(form).unwrap_or_else(|| panic!("{name}: no form `{form}`"));
        let v = compile(&exported, &format!("{name}: the exported schema of `{form}`"));
        if let Some(why) = invalid(&v, &instance) {
            failures.push(format!("{name}: invalid against json_schema(\"{form}\"):\n  {why}"));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 100, "only {checked} accepted fixtures");
}

// ---------------------------------------------------------------------------------------------
// (c) sanity: shape errors are caught by the exported schema

#[test]
fn exported_schema_refuses_bodies_of_the_wrong_shape() {
    let registry = Registry::load_dir(root().join("schemas/forms"), RegistryOptions::default()).unwrap();
    let v = compile(&registry.json_schema("reg").unwrap(), "reg");
    let entry = |marker: &str, kind: &str, value: Value| json!({"formIdentifier": "reg", "formData": [{"marker": marker, "type": kind, "value": value}]});
    let good = entry("last_name", "string", json!("Doe"));
    assert!(invalid(&v, &good).is_none(), "{:?}", invalid(&v, &good));
    let bad = [
        json!({"formData": []}),
        json!({"formIdentifier": "profile"}),
        json!({"formIdentifier": "reg", "formData": 5}),
        json!({"formIdentifier": "reg", "formData": [{"type": "string", "value": "x"}]}),
        json!({"formIdentifier": "reg", "formData": [{"marker": "last_name", "type": "string"}]}),
        json!({"formIdentifier": "reg", "formData": {"en-US": [{"marker": "last_name", "value": "x"}]}}),
        json!({"formIdentifier": "reg", "langCode": "english"}),
        json!({"formIdentifier": "reg", "state": 5}),
        json!({"formIdentifier": "reg", "notificationData": {"phoneSMS": "5551234"}}),
        json!({"formIdentifier": "reg", "authData": [{"marker": "first_name", "value": "x"}]}),
        json!({"formIdentifier": "reg", "authData": [{"marker": "password", "value": "abc"}]}),
        json!({"formIdentifier": "reg", "notificationData": {"phonePush": [" "]}}),
        json!({"formIdentifier": "reg", "notificationData": {"phonePush": ["a\u{7}b"]}}),
        entry("nickname", "string", json!("x")),
        entry("last_name", "integer", json!("Doe")),
        entry("last_name", "string", json!(null)),
        entry("last_name", "string", json!("")),
        entry("last_name", "string", json!(true)),
        entry("password", "string", json!("abc")),
        entry("phone", "string", json!("+7 912 345 67 89")),
        entry("sms_phone", "string", json!("5551234")),
        entry("age", "integer", json!(151)),
        entry("age", "integer", json!(1.5)),
        entry("age", "integer", json!("abc")),
        entry("height", "real", json!(0.2)),
        entry("birthday", "date", json!("2024-05-07")),
        entry("birthday", "date", json!({"fullDate": "07.05.2024"})),
        entry(
            "meeting",
            "dateTime",
            json!([{"fullDate": "2024-05-07T21:02:00Z"}, {"fullDate": "2024-05-07T21:02:00Z"}]),
        ),
        entry("about", "text", json!("<p>x</p>")),
        entry("about", "text", json!({"params": {}})),
        entry("avatar", "image", json!({"filename": "a.gif", "downloadLink": "https://x.io/a.gif", "size": 1})),
        entry("avatar", "image", json!({"filename": "a.png", "downloadLink": "https://x.io/a.png", "size": 99999999})),
        entry("picture", "file", json!({"filename": "../a.txt", "downloadLink": "https://x.io/a", "size": 1})),
        entry("picture", "file", json!({"filename": "a.txt", "downloadLink": "ftp://x.io/a", "size": 1})),
        entry("picture", "file", json!({"filename": "a.txt", "downloadLink": "https://x.io/a", "size": -1})),
        entry("selector", "radioButton", json!("purple")),
        entry("selector", "radioButton", json!([])),
        entry("colors", "list", json!(["1", "1"])),
        entry("colors", "list", json!(["1", "2", "3"])),
        entry("country", "list", json!(["fr", "de"])),
        entry("entity-selector", "entity", json!(["-bad-"])),
        entry("entity-selector", "entity", json!([1, 1])),
        entry("interval", "timeInterval", json!(["2025-02-11T16:00:00.000Z", "2025-02-13T16:00:00.000Z"])),
        entry("submit", "button", json!(null)),
        entry("undeclared", "string", json!("x")),
    ];
    for body in bad {
        assert!(invalid(&v, &body).is_some(), "the exported schema of `reg` accepts {body}");
    }
    let profile = compile(&registry.json_schema("profile").unwrap(), "profile");
    let no_captcha =
        json!({"formIdentifier": "profile", "formData": [{"marker": "last_name", "type": "string", "value": "Doe"}]});
    assert!(invalid(&profile, &no_captcha).is_some(), "a form with a captcha needs it");
    assert!(invalid(&profile, &json!({"formIdentifier": "profile", "formData": {"en_US": []}})).is_some());
}

#[test]
fn choices_compare_numbers_by_value() {
    // The exported enum lists `1` for the option "1": 1.0 must match it too.
    let v = jsonschema::draft202012::new(&json!({"enum": ["1", 1]})).unwrap();
    assert!(v.is_valid(&serde_json::from_str::<Value>("1.0").unwrap()));
    assert!(!v.is_valid(&json!(1.5)));
}

// ---------------------------------------------------------------------------------------------
// Soundness sweep: bodies built from a pool of values, checked by the engine (dry run).

/// A form that exercises what the repository forms do not: per-language validators, trimmed
/// and exact lengths, a regex literal with flags, masks with a hint, defaults, required lists
/// and files, item counts, upper-case extensions, a captcha key.
fn edge_form() -> Value {
    json!({"identifier": "edge", "attributes": [
        {"marker": "login", "type": "string", "isLogin": true, "validators": {"trimValidator": true}},
        {"marker": "pw", "type": "string", "isPassword": true, "validators": {"stringInspectionValidator": {"stringMin": 3, "stringMax": 8}, "trimValidator": true}},
        {"marker": "code", "type": "string", "validators": {
            "en_US": {"stringInspectionValidator": {"stringLength": "3"}},
            "fr_FR": {"stringInspectionValidator": {"stringMin": "2", "stringMax": "4"}, "requiredValidator": true}}},
        {"marker": "ci", "type": "string", "validators": {"regExpValidator": {"patternValue": "/^[a-c]+$/i"}}},
        {"marker": "ml", "type": "string", "validators": {"regExpValidator": {"patternValue": "/^ab$/m"}}},
        {"marker": "digits", "type": "string", "validators": {"regExpValidator": {"patternValue": "^\\d{2}$"}}},
        {"marker": "masked", "type": "string", "validators": {"fieldMaskValidator": {"maskValue": "99-##", "hint": "+1 "}}},
        {"marker": "trimmed", "type": "string", "validators": {"trimValidator": true, "requiredValidator": true, "stringInspectionValidator": {"stringMin": "2", "stringMax": "3"}}},
        {"marker": "dflt", "type": "string", "validators": {"requiredValidator": true, "defaultValueValidator": {"fieldDefaultValue": "zz"}, "stringInspectionValidator": {"stringMin": 2}}},
        {"marker": "n", "type": "integer", "validators": {"numberInspectionValidator": {"min": "-5", "max": 10},
            "fr_FR": {}}},
        {"marker": "r", "type": "float", "validators": {"numberInspectionValidator": {"min": "", "max": "1e300"}}},
        {"marker": "req_list", "type": "list", "multiselect": true, "validators": {"requiredValidator": true, "listInspectionValidator": {"minItems": 2, "maxItems": 3}},
            "listTitles": [{"title": "a", "value": "a"}, {"title": "one", "value": 1}, {"title": "half", "value": 1.5}, {"title": "e", "value": {"id": 7}}]},
        {"marker": "opt_list", "type": "list", "multiselect": true, "validators": {"listInspectionValidator": {"minItems": "2"}},
            "listTitles": [{"title": "a", "value": "a"}, {"title": "b", "value": "b"}, {"title": "one", "value": "1"}]},
        {"marker": "radio", "type": "radioButton", "listTitles": [{"value": 2}, {"value": "x"}]},
        {"marker": "files", "type": "file", "validators": {"requiredValidator": true, "checkingFilesValidator": {"maxCount": 2, "extensions": "PNG, .Mkv", "maxValue": "100"}}},
        {"marker": "gallery", "type": "groupOfImages", "validators": {"listInspectionValidator": {"minItems": 2}}},
        {"marker": "ents", "type": "entity", "validators": {"listInspectionValidator": {"minItems": 2, "maxItems": 3}}},
        {"marker": "stores", "type": "entity", "listTitles": [{"title": "Stores", "value": {"id": 1, "depth": 0}}, {"title": "P", "value": {"id": "p-1-123"}}, {"value": 7}]},
        {"marker": "fruit", "type": "radioButton", "validators": {"defaultValueValidator": {"fieldDefaultValue": "a"}},
            "listTitles": {"en_US": [{"value": "a"}, {"value": 1}], "fr_FR": [{"value": "x"}, {"value": "7"}]}},
        {"marker": "spans", "type": "timeInterval", "validators": {"requiredValidator": true}},
        {"marker": "when", "type": "dateTime", "validators": {"requiredValidator": true}},
        {"marker": "data", "type": "json", "validators": {"requiredValidator": true}},
        {"marker": "faq", "type": "textWithHeader"},
        {"marker": "bio", "type": "textWithHeader", "validators": {"requiredValidator": true, "stringInspectionValidator": {"stringMax": 3}}},
        {"marker": "ro", "type": "string", "settings": {"readOnly": true}},
        {"marker": "go", "type": "button"},
        {"marker": "captcha", "type": "spam", "settings": {"captcha": {"key": "site-1"}}}
    ]})
}

fn file(name: &str, size: Value) -> Value {
    json!({"filename": name, "downloadLink": "https://cdn.example.com/f", "size": size, "previewLink": "", "params": {"isImageCompressed": false}})
}

fn pool() -> Vec<Value> {
    let mut p = vec![
        json!(null),
        json!(true),
        json!({}),
        json!([]),
        json!([[]]),
        json!(0),
        json!(-0.0),
        json!(1),
        json!(1.0),
        json!(1.5),
        json!(-1),
        json!(-5),
        json!(-6),
        json!(2),
        json!(7),
        json!(10),
        json!(11),
        json!(42),
        json!(150),
        json!(151),
        json!(0.3),
        json!(0.29),
        json!(3),
        json!(3.01),
        json!(1e300),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(9_007_199_254_740_993u64),
        json!(5.0),
    ];
    let strings = [
        "",
        " ",
        "  ",
        "\u{85}",
        "\u{85}ab\u{85}",
        " ab ",
        "  x  ",
        "a",
        "ab",
        "abc",
        "abcd",
        "ABC",
        "AbC",
        "abd",
        "Ab_9",
        "abc_123",
        "Федор",
        "😀😀",
        "١٢",
        "12",
        "1a",
        "ab\n",
        "\nab",
        "xy\nab\nz",
        "+1 12-34",
        "+1 12-3",
        "12-34",
        "+7 (912) 345-67-89",
        "+15551234567",
        "5551234",
        "alice@example.com",
        " bob@example.com ",
        "not-an-email",
        "0",
        "-7",
        "1e3",
        " 42 ",
        "1.75",
        "+5",
        ".5",
        "5.",
        "NaN",
        "0x10",
        "1,5",
        "-0",
        "150",
        "151",
        "1e400",
        "9223372036854775808",
        "2024-05-07",
        "p-1-123",
        "1",
        "2",
        "x",
        "a",
        "fr",
        "de",
        "blue",
        "1.5",
        "1.50",
        "7",
        "zz",
    ];
    p.extend(strings.iter().map(|s| json!(s)));
    p.push(json!("x".repeat(60)));
    p.push(json!("a".repeat(17)));
    for date in [
        json!({"fullDate": "2024-05-07T21:02:00.000Z", "formattedValue": "08-05-2024 00:02", "formatString": "DD-MM-YYYY HH:mm"}),
        json!({"fullDate": "2024-05-07T21:02:00.000Z"}),
        json!({"fullDate": "2024-05-07"}),
        json!({"fullDate": "1899-01-01"}),
        json!({"fullDate": "2024-05-07 21:02:00Z", "formatString": "HH:mm", "formattedValue": null}),
        json!({"fullDate": "2024-05-07t21:02:00+05:45"}),
        json!({"fullDate": "bad"}),
    ] {
        p.push(json!([date.clone()]));
        p.push(date);
    }
    for text in [
        json!({"htmlValue": "<p>x</p>"}),
        json!({"htmlValue": "<p>long text</p>"}),
        json!({"plainValue": ""}),
        json!({"htmlValue": "<script>x</script>"}),
        json!({"mdValue": "# hi", "params": {"editorMode": "markdown", "isEditorDisabled": false}}),
        json!({"header": "H"}),
        json!({"htmlValue": "", "header": "Hd"}),
        json!({"htmlValue": null, "plainValue": "ab", "params": null}),
        json!({"params": {"editorMode": 5}, "plainValue": "x"}),
    ] {
        p.push(json!([text.clone()]));
        p.push(text);
    }
    // Several heading-and-text pairs (textWithHeader), good and bad.
    p.push(json!([{"header": "Q1", "plainValue": "A1"}, {"header": "Q2", "htmlValue": "<p>A2</p>"}]));
    p.push(json!([{"header": "Q1"}, {"params": {}}]));
    p.push(json!([{"header": ""}, {"header": ""}]));
    let files = [
        file("a/b.png", json!(10)),
        file("b.PNG", json!("12")),
        file("c.mkv", json!(100)),
        file("d.mK\u{212A}", json!(1)),
        file("e.gif", json!(1)),
        file("f.png", json!(101)),
        file("g.png", json!(20_000_000)),
        file("../x.png", json!(1)),
        file("C:x.png", json!(1)),
        file("x/", json!(1)),
        file("h.png", json!(-1)),
        file("i.png", json!(1.0)),
        json!({"filename": "j.png", "downloadLink": "HTTP:example.com/j", "size": 3}),
        json!({"filename": "k.png", "downloadLink": "ftp://example.com/k", "size": 3}),
        json!({"filename": "l.png", "downloadLink": "https://example.com/l", "size": 3, "previewLink": "nope"}),
    ];
    for f in &files {
        p.push(f.clone());
        p.push(json!([f]));
    }
    p.push(json!([files[0], files[1]]));
    p.push(json!([files[0], files[1], files[2]]));
    p.push(json!([files[0], files[4]]));
    for c in [
        json!("1"),
        json!({"value": "1"}),
        json!({"title": "x", "value": 2}),
        json!({"value": 1.5}),
        json!({"value": "7"}),
        json!(["1"]),
        json!(["a", 1]),
        json!(["a", "b"]),
        json!(["a", "b", "1"]),
        json!(["a", 1, 1.5, "7"]),
        json!(["a", "a"]),
        json!([1, "1"]),
        json!([1, 1.0]),
        json!(["fr"]),
        json!(["fr", "de"]),
        json!(["1", "2"]),
        json!([{"value": "a"}, {"value": 1}]),
        json!([2]),
        json!(["x"]),
        json!([{"value": null}]),
    ] {
        p.push(c);
    }
    for e in [
        json!([1, "p-1-123"]),
        json!(5),
        json!([1, 1]),
        json!([1, "01"]),
        json!(["-x"]),
        json!([1, 2, 3]),
        json!([1, 2, 3, 4]),
        json!([-1]),
        json!([{"id": 1, "title": "red", "value": "1", "parentId": null, "depth": 0}]),
        json!([{"id": "p-1-123", "title": "x"}, 7]),
        json!({"id": "7"}),
        json!([{"id": 1}, {"id": 1}]),
        json!([{"id": 1}, 1]),
        json!([{"title": "no id"}]),
        json!("{\"a\",\"p-1-123\"}"),
        json!("{1,7}"),
        json!("{}"),
        json!("{1,1}"),
        json!("{\"a"),
    ] {
        p.push(e);
    }
    let (a, b) = ("2025-02-11T16:00:00.000Z", "2025-02-13T16:00:00.000Z");
    for i in [json!([[a, b]]), json!([[b, a]]), json!([["x", "y"]]), json!([a, b]), json!([[a, b], [a, b]])] {
        p.push(i);
    }
    for s in [
        json!({"event": {"token": "good", "siteKey": "site-1"}}),
        json!({"event": {"token": "good"}}),
        json!({"event": {"token": "good", "siteKey": ""}}),
        json!({"event": {"token": "good", "siteKey": "other"}}),
        json!({"event": {"token": "bad"}}),
        json!({"event": null}),
    ] {
        p.push(s);
    }
    p
}

/// An engine over `registry` with one user `u1` of form `form` and the captcha token `good`.
fn engine(registry: Registry, form: &str) -> Engine<MemoryStore> {
    let store = MemoryStore::new();
    let user: UserRecord = serde_json::from_value(
        json!({"id": "u1", "identifier": "alice@example.com", "formIdentifier": form, "version": 1}),
    )
    .unwrap();
    store.insert(&user, &IdentityKeys::of(&user)).unwrap();
    Engine::new(Arc::new(registry), store).with_captcha(StaticTokens::new(["good"]))
}

fn accepted(engine: &Engine<MemoryStore>, body: &Value) -> bool {
    let bytes = serde_json::to_vec(body).unwrap();
    engine.check(&Request::new("u1", &bytes)).is_ok()
}

/// Runs the sweep for every form of `registry`; returns how many bodies the engine accepted.
fn sweep(forms: Vec<Value>, options: Value) -> usize {
    let options: RegistryOptions = serde_json::from_value(options).unwrap();
    let load = || Registry::from_forms(forms.iter().map(|f| ("f", f.clone())), options.clone()).unwrap();
    let registry = load();
    let body_schema = body_schema();
    let pool = pool();
    let mut accepted_count = 0;
    let mut failures = Vec::new();
    for form in registry.forms() {
        let id = form.identifier();
        let exported = compile(&registry.json_schema(id).unwrap(), id);
        let engine = engine(load(), id);
        let captcha =
            form.captcha().map(|m| json!({"marker": m, "type": "spam", "value": {"event": {"token": "good"}}}));
        let mut check = |body: Value| {
            if !accepted(&engine, &body) {
                return;
            }
            accepted_count += 1;
            for (what, v) in [("json_schema", &exported), ("user-body.schema.json", &body_schema)] {
                if let Some(why) = invalid(v, &body) {
                    failures
                        .push(format!("{id}: the engine accepts a body invalid against {what}:\n  {body}\n  {why}"));
                }
            }
        };
        let mut markers: Vec<(String, Option<&'static str>)> =
            form.attributes().map(|a| (a.marker().to_owned(), Some(a.kind().name()))).collect();
        markers.push(("dynamic".into(), Some("string")));
        markers.push(("dynamic_n".into(), Some("integer")));
        markers.push(("dynamic_f".into(), Some("file")));
        for (marker, kind) in markers {
            let attr = form.attribute(&marker);
            if attr.is_some_and(|a| a.is_password()) {
                continue; // below, via authData
            }
            for value in &pool {
                let entry = json!({"marker": marker, "type": kind, "value": value});
                let untyped = json!({"marker": marker, "value": value});
                let with_captcha = |e: Value| match (&captcha, attr.is_some_and(|a| a.kind() == AttrType::Spam)) {
                    (Some(c), false) => vec![e, c.clone()],
                    _ => vec![e],
                };
                check(json!({"formIdentifier": id, "formData": with_captcha(entry.clone())}));
                check(json!({"formIdentifier": id, "formData": with_captcha(untyped.clone())}));
                check(json!({"formIdentifier": id, "langCode": "fr_FR", "formData": with_captcha(entry.clone())}));
                check(json!({"formIdentifier": id, "formData": {"fr_FR": with_captcha(entry.clone())}}));
                if captcha.is_none() || attr.is_some_and(|a| a.kind() == AttrType::Spam) {
                    check(json!({"formIdentifier": id, "formData": entry.clone()}));
                    check(json!({"formIdentifier": id, "formData": {"en_US": entry.clone()}}));
                }
                if attr.is_some_and(|a| a.is_login()) {
                    let mut body = json!({"formIdentifier": id, "authData": [{"marker": marker, "value": value}]});
                    if let Some(c) = &captcha {
                        body["formData"] = json!([c]);
                    }
                    check(body);
                }
            }
        }
        if let Some(pw) = form.password() {
            // Hashing is slow: strings only.
            for value in pool.iter().filter(|v| v.is_string() || v.is_null()).take(40) {
                let mut body = json!({"formIdentifier": id, "authData": {"marker": pw, "value": value}});
                let mut in_form_data = vec![json!({"marker": pw, "value": value})];
                if let Some(c) = &captcha {
                    body["formData"] = json!([c]);
                    in_form_data.push(c.clone());
                }
                check(body);
                check(json!({"formIdentifier": id, "formData": in_form_data}));
            }
        }
    }
    assert!(failures.is_empty(), "{} unsound cases:\n{}", failures.len(), failures.join("\n"));
    accepted_count
}

#[test]
fn sweep_repo_forms() {
    let forms: Vec<Value> = repo_forms().into_iter().map(|(_, f)| f).collect();
    let n = sweep(forms, json!({}));
    assert!(n > 300, "only {n} accepted bodies");
}

#[test]
fn sweep_edge_form() {
    let n = sweep(vec![edge_form()], json!({"languages": ["en_US", "fr_FR"]}));
    assert!(n > 300, "only {n} accepted bodies");
}

#[test]
fn sweep_dynamic_properties() {
    let mut forms: Vec<Value> = repo_forms().into_iter().map(|(_, f)| f).collect();
    forms.push(json!({"identifier": "empty", "attributes": {}}));
    let n = sweep(forms, json!({"dynamicProperties": true}));
    assert!(n > 300, "only {n} accepted bodies");
}

#[test]
fn exported_schema_pins_what_it_can() {
    let registry = Registry::from_forms(
        [("edge", edge_form())],
        serde_json::from_value(json!({"languages": ["en_US", "fr_FR"]})).unwrap(),
    )
    .unwrap();
    let schema = registry.json_schema("edge").unwrap();
    let text = schema.to_string();
    // A regex with `i` or `m`, or with `\d` (Unicode digits in Rust, ASCII in ECMA 262), is not exported.
    assert!(!text.contains("[a-c]") && !text.contains("^ab$") && !text.contains("\\\\d"), "{text}");
    // The mask is.
    assert!(text.contains("^\\\\+1 [0-9][0-9]-[0-9][0-9]$"), "{text}");
    let v = compile(&schema, "edge");
    let captcha = json!({"marker": "captcha", "value": {"event": {"token": "t"}}});
    let with = |e: Value| json!({"formIdentifier": "edge", "formData": [e, captcha]});
    let en = json!({"formIdentifier": "edge", "langCode": "en_US", "formData": [{"marker": "code", "value": "ab"}, captcha]});
    assert!(invalid(&v, &en).is_some(), "en_US: exactly 3");
    // Without langCode the request's language applies, which may be fr_FR.
    assert!(invalid(&v, &with(json!({"marker": "code", "value": "ab"}))).is_none());
    assert!(invalid(&v, &json!({"formIdentifier": "edge", "langCode": "fr_FR", "formData": [{"marker": "code", "value": "ab"}, captcha]})).is_none());
    assert!(invalid(
        &v,
        &json!({"formIdentifier": "edge", "formData": {"fr_FR": [{"marker": "code", "value": "ab"}, captcha]}})
    )
    .is_none());
    assert!(invalid(
        &v,
        &json!({"formIdentifier": "edge", "formData": {"en_US": [{"marker": "code", "value": "ab"}, captcha]}})
    )
    .is_some());
    assert!(invalid(&v, &with(json!({"marker": "captcha", "value": {"event": {"token": "t", "siteKey": "other"}}})))
        .is_some());
    assert!(invalid(&v, &with(json!({"marker": "req_list", "value": ["a"]}))).is_some());
    assert!(invalid(&v, &with(json!({"marker": "opt_list", "value": []}))).is_none());
    assert!(invalid(
        &v,
        &with(json!({"marker": "files", "value": {"filename": "a.gif", "downloadLink": "https://x.io/a", "size": 1}}))
    )
    .is_some());
    assert!(invalid(&v, &with(json!({"marker": "go", "value": null}))).is_some());
    let _: Map<String, Value> = schema.as_object().unwrap().clone();
}
