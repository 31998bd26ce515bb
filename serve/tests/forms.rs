//! `GET /api/content/forms/marker/{m}?langCode=` over every shape the registry loads (the Forms
//! API's array, the admin side's object keyed by marker, `{}`), in several languages; forms
//! the registry left out are not served; `userform serve` logs each load error and warning at
//! start, and `--strict-forms` refuses to start.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use clap::Parser;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;
use userform_serve::config::{Cli, Command as Sub, ServeArgs, StartError};
use userform_serve::http;

const TOKEN: &str = "forms-test-token";

/// The Forms API's shape: `attributes` an array, settings flat, positions out of file order.
fn contact() -> Value {
    json!({"id": 40, "identifier": "contact", "localizeInfos": {"title": "Contact us"}, "processingType": "email",
    "attributes": [
        {"marker": "message", "type": "text", "position": "3", "localizeInfos": {"title": "Message"},
         "validators": {"requiredValidator": {"strict": true}}, "listTitles": [], "additionalFields": {}},
        {"marker": "name", "type": "string", "position": 1, "isVisible": true, "localizeInfos": {"title": "Name"},
         "validators": {}, "additionalFields": {"placeholder": {"marker": "placeholder", "type": "string", "value": "Jane"}}},
        {"marker": "topic", "type": "list", "position": 2, "localizeInfos": {"title": "Topic"},
         "listTitles": [{"title": "Sales", "value": "sales", "position": 1}, {"title": "Help", "value": "help", "position": 2}]}
    ]})
}

/// The admin side's shape: `attributes` keyed by marker (named `identifier`, or only by the
/// key), no positions, every setting keyed by locale, some languages missing.
fn feedback() -> Value {
    json!({"identifier": "feedback",
    "localizeInfos": {"en_US": {"title": "Feedback"}, "fr_FR": {"title": "Avis"}},
    "attributes": {
        "email": {"id": 11, "identifier": "email", "type": "string", "isLogin": "true",
            "localizeInfos": {"en_US": {"title": "Email"}, "fr_FR": {"title": "Courriel"}},
            "validators": {"en_US": {"requiredValidator": {"strict": true}, "emailInspectionValidator": true},
                           "fr_FR": {"emailInspectionValidator": true}}},
        "password": {"id": 12, "identifier": "password", "type": "string", "isPassword": true,
            "localizeInfos": {"en_US": {"title": "Password"}}},
        "mood": {"type": "radioButton",
            "localizeInfos": {"en_US": {"title": "Mood"}, "fr_FR": {"title": "Humeur"}},
            "listTitles": {"en_US": [{"title": "Happy", "value": "happy"}, {"title": "Sad", "value": "sad"}],
                           "fr_FR": [{"title": "Content", "value": "happy"}, {"title": "Triste", "value": "sad"}]}},
        "remark": {"identifier": "remark", "type": "string",
            "localizeInfos": {"en_US": {"title": "Remark"}},
            "validators": {"requiredValidator": {"strict": false},
                "stringInspectionValidator": {"en_US": {"stringMax": "10"}, "fr_FR": {"stringMax": "12"}}},
            "additionalFields": {"en_US": {"placeholder": {"type": "string", "value": "Anything else?"}},
                                 "fr_FR": {"placeholder": {"type": "string", "value": "Autre chose ?"}}}}
    }})
}

/// A directory of forms: three that load, and three the registry leaves out.
fn forms_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, v: &Value| std::fs::write(dir.path().join(name), v.to_string()).unwrap();
    write("contact.json", &contact());
    write("feedback.json", &feedback());
    write("empty.json", &json!({"identifier": "empty", "attributes": {}}));
    // An unknown type, and a login and a password: neither a form nor a provider.
    write(
        "broken.json",
        &json!({"identifier": "broken", "attributes": {
        "email": {"type": "string", "isLogin": true}, "password": {"type": "string", "isPassword": true},
        "photos": {"type": "groupOfImage"}, "color": {"type": "list", "validators": {"fooValidator": {}}}}}),
    );
    // A second `contact`: the first file's stays.
    write("dup.json", &json!({"identifier": "contact", "localizeInfos": {"title": "Impostor"}, "attributes": []}));
    std::fs::write(dir.path().join("torn.json"), "{\"identifier\": ").unwrap();
    dir
}

fn args(forms: &Path, db: &Path, extra: &[&str]) -> ServeArgs {
    let db = format!("sqlite:{}", db.join("users.db").display());
    let forms = forms.to_str().unwrap();
    let mut argv = vec!["userform", "serve", "--db", &db, "--forms", forms, "--app-token", TOKEN];
    argv.extend_from_slice(extra);
    match Cli::try_parse_from(argv).unwrap().command {
        Sub::Serve(a) => a,
        Sub::User(_) => unreachable!("parsed `serve`"),
    }
}

struct Harness {
    app: Router,
    _forms: tempfile::TempDir,
    _db: tempfile::TempDir,
}

fn harness() -> Harness {
    let (forms, db) = (forms_dir(), tempfile::tempdir().unwrap());
    let service = Arc::new(args(forms.path(), db.path(), &[]).build().unwrap());
    Harness { app: http::router(service), _forms: forms, _db: db }
}

impl Harness {
    async fn send(&self, req: Request<Body>) -> (StatusCode, Value) {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    async fn form(&self, marker: &str, lang: Option<&str>) -> (StatusCode, Value) {
        let query = lang.map(|l| format!("?langCode={l}")).unwrap_or_default();
        let uri = format!("/api/content/forms/marker/{marker}{query}");
        self.send(Request::get(uri).header("x-app-token", TOKEN).body(Body::empty()).unwrap()).await
    }

    /// The form, which must be served.
    async fn ok(&self, marker: &str, lang: &str) -> Value {
        let (status, body) = self.form(marker, Some(lang)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

fn markers(form: &Value) -> Vec<(&str, i64)> {
    let attrs = form["attributes"].as_array().expect("attributes is an array");
    attrs.iter().map(|a| (a["marker"].as_str().unwrap(), a["position"].as_i64().unwrap())).collect()
}

/// What `FormEntitySchema` (the SDK's zod schema of a form) requires, and `IFormAttribute`'s
/// shape for what the projection fills.
fn assert_sdk_shape(form: &Value) {
    for key in ["id", "version", "position"] {
        assert!(form[key].is_number(), "{key}: {form}");
    }
    assert!(form["identifier"].is_string() && form["processingType"].is_string(), "{form}");
    for key in ["type", "attributeSetId", "templateId"] {
        assert!(form.get(key).is_some(), "{key} present (may be null): {form}");
    }
    assert!(form["localizeInfos"].is_object(), "{form}");
    for a in form["attributes"].as_array().unwrap() {
        assert!(a["marker"].is_string() && a["type"].is_string() && a["position"].is_i64(), "{a}");
        for key in ["localizeInfos", "validators", "settings", "additionalFields"] {
            assert!(a[key].is_object(), "{key}: {a}");
        }
        assert!(a["listTitles"].is_array() && a["isLogin"].is_boolean() && a["isPassword"].is_boolean(), "{a}");
    }
}

#[tokio::test]
async fn the_forms_api_shape_is_served_ordered_by_position() {
    let h = harness();
    let en = h.ok("contact", "en_US").await;
    assert_sdk_shape(&en);
    assert_eq!(markers(&en), [("name", 1), ("topic", 2), ("message", 3)], "a position `\"3\"` is the number 3");
    assert_eq!((en["id"].as_u64(), en["processingType"].as_str()), (Some(40), Some("email")), "as the file says");
    assert_eq!(en["localizeInfos"], json!({"title": "Contact us"}), "the first `contact` file, not dup.json's");
    assert_eq!(en["attributes"][0]["additionalFields"]["placeholder"]["value"], "Jane");
    assert_eq!(en["attributes"][1]["listTitles"][1], json!({"title": "Help", "value": "help", "position": 2}));
    assert_eq!(en["attributes"][2]["validators"], json!({"requiredValidator": {"strict": true}}));
    // Flat settings are the projection already: every language reads the same.
    let fr = h.ok("contact", "fr_FR").await;
    assert_eq!(fr, en);
    let (status, default) = h.form("contact", None).await;
    assert_eq!((status, &default), (StatusCode::OK, &en), "no langCode: the default language");
}

#[tokio::test]
async fn the_admin_shape_is_served_for_one_language() {
    let h = harness();
    let en = h.ok("feedback", "en_US").await;
    assert_sdk_shape(&en);
    assert_eq!(markers(&en), [("email", 0), ("password", 1), ("mood", 2), ("remark", 3)], "file order, by place");
    assert_eq!(en["localizeInfos"], json!({"title": "Feedback"}));
    let email = &en["attributes"][0];
    assert_eq!((email["isLogin"].as_bool(), email["isPassword"].as_bool()), (Some(true), Some(false)));
    assert_eq!(email["id"], 11, "other keys are kept");
    assert_eq!(email["validators"], json!({"requiredValidator": {"strict": true}, "emailInspectionValidator": true}));
    assert_eq!(en["attributes"][1]["isPassword"], true);
    let mood = &en["attributes"][2];
    assert_eq!(mood["listTitles"][0], json!({"title": "Happy", "value": "happy"}));
    assert_eq!(mood["validators"], json!({}), "absent: none");
    let remark = &en["attributes"][3];
    assert_eq!(remark["additionalFields"]["placeholder"]["value"], "Anything else?");
    assert_eq!(remark["listTitles"], json!([]), "absent: none");
    let validators = json!({"requiredValidator": {"strict": false}, "stringInspectionValidator": {"stringMax": "10"}});
    assert_eq!(remark["validators"], validators, "one validator's settings keyed by locale");

    let fr = h.ok("feedback", "fr_FR").await;
    assert_sdk_shape(&fr);
    assert_eq!(markers(&fr), markers(&en));
    assert_eq!(fr["localizeInfos"], json!({"title": "Avis"}));
    let email = &fr["attributes"][0];
    assert_eq!(email["localizeInfos"], json!({"title": "Courriel"}));
    assert_eq!(email["validators"], json!({"emailInspectionValidator": true}), "French has its own set");
    assert_eq!(fr["attributes"][1]["localizeInfos"], json!({"title": "Password"}), "no French: the default's");
    let mood = &fr["attributes"][2];
    assert_eq!(mood["localizeInfos"], json!({"title": "Humeur"}));
    assert_eq!(mood["listTitles"][1], json!({"title": "Triste", "value": "sad"}));
    let remark = &fr["attributes"][3];
    assert_eq!(remark["additionalFields"]["placeholder"]["value"], "Autre chose ?");
    let validators = json!({"requiredValidator": {"strict": false}, "stringInspectionValidator": {"stringMax": "12"}});
    assert_eq!(remark["validators"], validators);

    // A language the form does not have reads the default language's everywhere.
    let de = h.ok("feedback", "de_DE").await;
    assert_eq!(de, en);
}

#[tokio::test]
async fn an_empty_form_is_served_with_no_attributes() {
    let h = harness();
    let empty = h.ok("empty", "en_US").await;
    assert_sdk_shape(&empty);
    assert_eq!(empty["attributes"], json!([]));
    assert_eq!(empty["localizeInfos"], json!({}));
    // No `id` in the file: the form's place among the forms served, by identifier.
    let ids: Vec<_> = ids_of(&h, &["contact", "empty", "feedback"]).await;
    assert_eq!(ids, [40, 2, 3]);
}

async fn ids_of(h: &Harness, markers: &[&str]) -> Vec<u64> {
    let mut ids = Vec::new();
    for m in markers {
        ids.push(h.ok(m, "en_US").await["id"].as_u64().unwrap());
    }
    ids
}

#[tokio::test]
async fn a_form_left_out_is_not_served() {
    let h = harness();
    for marker in ["broken", "torn", "no-such-form"] {
        let (status, body) = h.form(marker, Some("en_US")).await;
        assert_eq!(
            (status, body["code"].as_u64(), body["rule"].as_str()),
            (StatusCode::NOT_FOUND, Some(3024), Some("unknown-form"))
        );
    }
    // Nor is it an auth provider, though it has a login and a password.
    let body = json!({"formIdentifier": "broken", "authData": [{"marker": "email", "value": "a@b.c"},
        {"marker": "password", "value": "long enough"}], "formData": []});
    let req = Request::post("/api/content/users-auth-providers/marker/broken/users/sign-up")
        .header("x-app-token", TOKEN)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, body) = h.send(req).await;
    assert_eq!((status, body["rule"].as_str()), (StatusCode::NOT_FOUND, Some("unknown-provider")), "{body}");
}

#[test]
fn strict_forms_refuses_to_build() {
    let (forms, db) = (forms_dir(), tempfile::tempdir().unwrap());
    let Err(StartError::Forms(e)) = args(forms.path(), db.path(), &["--strict-forms"]).build() else {
        panic!("--strict-forms must refuse a directory with bad forms");
    };
    let codes: Vec<_> = e.errors.iter().map(|e| e.kind.code()).collect();
    assert_eq!(codes, ["unknown-type", "no-options", "duplicate-form", "not-json"]);
    let clean = tempfile::tempdir().unwrap();
    std::fs::write(clean.path().join("contact.json"), contact().to_string()).unwrap();
    assert!(args(clean.path(), db.path(), &["--strict-forms"]).build().is_ok());
}

/// Runs `userform serve` until it listens (then stops it: the status is `None`) or exits (its
/// status), and returns the JSON lines it logged on stderr.
fn run(forms: &Path, db: &Path, extra: &[&str]) -> (Option<i32>, Vec<Value>) {
    let db = format!("sqlite:{}", db.join("users.db").display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_userform"))
        .args(["serve", "--listen", "127.0.0.1:0", "--db", &db, "--forms"])
        .arg(forms)
        .args(extra)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Started (the listening line on stdout) or stopped (stdout closed).
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let status = if line.contains("listening on") {
        child.kill().unwrap();
        child.wait().unwrap();
        None
    } else {
        child.wait().unwrap().code()
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let lines = stderr.lines().filter_map(|l| serde_json::from_str::<Value>(l).ok()).collect();
    (status, lines)
}

/// `(message, file name, attribute, code)` of the log lines about forms.
fn form_lines(lines: &[Value]) -> Vec<(String, String, Option<String>, String)> {
    lines
        .iter()
        .filter_map(|l| {
            let f = &l["fields"];
            let file = Path::new(f["file"].as_str()?).file_name()?.to_str()?.to_owned();
            let message = f["message"].as_str()?.to_owned();
            Some((message, file, f["attribute"].as_str().map(str::to_owned), f["code"].as_str()?.to_owned()))
        })
        .collect()
}

#[test]
fn serve_logs_each_load_error_and_warning_then_starts() {
    let (forms, db) = (forms_dir(), tempfile::tempdir().unwrap());
    let (status, lines) = run(forms.path(), db.path(), &[]);
    assert_eq!(status, None, "started: {lines:?}");
    let left_out = "form error: the form is left out".to_owned();
    let s = |x: &str| x.to_owned();
    assert_eq!(
        form_lines(&lines),
        [
            (left_out.clone(), s("broken.json"), Some(s("photos")), s("unknown-type")),
            (left_out.clone(), s("broken.json"), Some(s("color")), s("no-options")),
            (left_out.clone(), s("dup.json"), None, s("duplicate-form")),
            (left_out, s("torn.json"), None, s("not-json")),
        ]
    );
    let reason = lines.iter().find_map(|l| l["fields"]["reason"].as_str()).unwrap();
    assert!(reason.contains("groupOfImages"), "the reason, with its hint: {reason}");
    let summary = lines.iter().find(|l| l["fields"]["message"] == "forms loaded").expect("a summary line");
    assert_eq!((summary["fields"]["forms"].as_u64(), summary["fields"]["left_out"].as_u64()), (Some(3), Some(3)));

    // A warning: the form loads, the line says what was ignored.
    let warned = tempfile::tempdir().unwrap();
    let form = json!({"identifier": "w", "attributes": [{"marker": "age", "type": "integer",
        "validators": {"fooValidator": {}, "emailInspectionValidator": true}}]});
    std::fs::write(warned.path().join("w.json"), form.to_string()).unwrap();
    let (status, lines) = run(warned.path(), db.path(), &["--strict-forms"]);
    assert_eq!(status, None, "warnings never stop it, even strict: {lines:?}");
    let warning = "form warning: ignored, the form loads".to_owned();
    assert_eq!(
        form_lines(&lines),
        [
            (warning.clone(), "w.json".into(), Some("age".into()), "unknown-validator".into()),
            (warning, "w.json".into(), Some("age".into()), "validator-not-applicable".into()),
        ]
    );
}

#[test]
fn serve_strict_forms_refuses_to_start() {
    let (forms, db) = (forms_dir(), tempfile::tempdir().unwrap());
    let (status, lines) = run(forms.path(), db.path(), &["--strict-forms"]);
    assert_eq!(status, Some(2));
    let lines = form_lines(&lines);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(lines.iter().all(|(message, ..)| message == "form error: refusing to start (--strict-forms)"), "{lines:?}");
}
