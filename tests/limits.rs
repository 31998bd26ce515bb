//! The stored-size limits (`Limits::max_stored_text_bytes`, `Limits::max_record_bytes`):
//! body-level 3024s with their own rules, at the value that passes them, reported alone,
//! exact at the boundary, and nothing changed.

use std::sync::Arc;

use serde_json::{json, Value};
use userform::{
    Engine, IdentityKeys, Limits, MemoryStore, Registry, RegistryOptions, Request, Sanitizer, StoredValue, UserRecord,
    UserStore,
};

/// An engine over a form with texts `t`, `u`, a string `s` and a textWithHeader `h`, with
/// these limits, and user `u1` of it holding `state`.
fn engine(limits: Limits, state: Value) -> Engine<MemoryStore> {
    let form = json!({"identifier": "f", "attributes": [
        {"marker": "t", "type": "text", "position": 1},
        {"marker": "u", "type": "text", "position": 2},
        {"marker": "s", "type": "string", "position": 3},
        {"marker": "h", "type": "textWithHeader", "position": 4},
    ]});
    let options = RegistryOptions { limits, ..RegistryOptions::default() };
    let registry = Registry::from_forms([("f.json", form)], options).expect("the form loads");
    let store = MemoryStore::new();
    let mut user = UserRecord::new("u1", "a@example.com", "f");
    user.state = StoredValue::from_value(&state);
    store.insert(&user, &IdentityKeys::of(&user)).unwrap();
    Engine::new(Arc::new(registry), store)
}

/// Limits with these stored-size limits.
fn limits(text: usize, record: usize) -> Limits {
    Limits { max_stored_text_bytes: text, max_record_bytes: record, ..Limits::default() }
}

/// A rejection as the tests compare it: the top-level code and each violation's (path, rule).
type Refusal = (u16, Vec<(String, &'static str)>);

/// Sends `body` (the form `f` added); the record, or the rejection.
fn send(engine: &Engine<MemoryStore>, mut body: Value) -> Result<UserRecord, Refusal> {
    body["formIdentifier"] = json!("f");
    let bytes = serde_json::to_vec(&body).unwrap();
    engine.update(&Request::new("u1", &bytes)).map_err(|r| {
        let errors = r.violations().iter().map(|v| (v.path.to_string(), v.rule())).collect();
        (r.code().as_u16(), errors)
    })
}

/// The stored HTML plus plain text of `md`, as the engine stores them.
fn text_size(md: &str) -> usize {
    let (html, plain) = Sanitizer::new().markdown_document(md);
    html.len() + plain.len()
}

#[test]
fn a_text_over_its_limit_is_refused_at_its_value_exact_at_the_boundary() {
    let md = "|a|b|c|\n|-|-|-|\n| 1 | 2 | 3 |\n\n> **quoted** [link](https://example.com)\n";
    let size = text_size(md);
    let fits = engine(limits(size, 1 << 20), json!({}));
    let user = send(&fits, json!({"formData": [{"marker": "t", "type": "text", "value": {"mdValue": md}}]})).unwrap();
    let stored = user.value("en_US", "t").unwrap();
    assert_eq!(stored["htmlValue"].as_str().unwrap().len() + stored["plainValue"].as_str().unwrap().len(), size);

    let over = engine(limits(size - 1, 1 << 20), json!({}));
    for (key, source) in [("mdValue", md), ("htmlValue", &*stored["htmlValue"].as_str().unwrap().to_owned())] {
        let body = json!({"formData": [{"marker": "t", "type": "text", "value": [{key: source}]}]});
        let err = send(&over, body).unwrap_err();
        assert_eq!(err, (3024, vec![("/formData/0/value/0".into(), "stored-text-too-large")]), "{key}");
    }
    let plain = "line\n".repeat(100);
    let (html, text) = Sanitizer::new().plain_document(&plain);
    let tight = engine(limits(html.len() + text.len() - 1, 1 << 20), json!({}));
    let err =
        send(&tight, json!({"formData": [{"marker": "h", "type": "textWithHeader", "value": {"plainValue": plain}}]}));
    assert_eq!(err.unwrap_err().1, vec![("/formData/0/value".into(), "stored-text-too-large")]);
    assert_eq!(over.store().get("u1").unwrap().unwrap().version, 0, "nothing changed");
}

#[test]
fn a_body_level_limit_stops_processing_and_is_reported_alone() {
    let e = engine(limits(200, 1 << 20), json!({}));
    let big = "> x\n".repeat(100);
    let body = json!({"formData": [
        {"marker": "nope", "type": "string", "value": "an unknown marker: 3031"},
        {"marker": "s", "type": "integer", "value": 5},
        {"marker": "t", "type": "text", "value": {"mdValue": big}},
        {"marker": "u", "type": "text", "value": 7},
    ]});
    let err = send(&e, body).unwrap_err();
    assert_eq!(err, (3024, vec![("/formData/2/value".into(), "stored-text-too-large")]));
}

#[test]
fn the_record_limit_counts_every_language_and_state() {
    let md = "Some *text* worth storing.";
    let value = |_: &str| json!({"marker": "t", "type": "text", "value": {"mdValue": md}});
    let one = engine(limits(1 << 20, 1 << 20), json!({}));
    let user = send(&one, json!({"formData": {"en_US": [value("")]}})).unwrap();
    let per_value = user.stored("en_US", "t").unwrap().json().len();
    let state = r#"{"k":"v"}"#.len();

    // Three languages and the state fit exactly; one byte less and the third language, where
    // the record passes the limit, is refused.
    let body =
        json!({"formData": {"en_US": [value("")], "fr_FR": [value("")], "de_DE": [value("")]}, "state": {"k": "v"}});
    let exact = engine(limits(1 << 20, 3 * per_value + state), json!({}));
    send(&exact, body.clone()).unwrap();
    let short = engine(limits(1 << 20, 3 * per_value + state - 1), json!({}));
    assert_eq!(send(&short, body.clone()).unwrap_err(), (3024, vec![("/state".into(), "record-too-large")]));
    let shorter = engine(limits(1 << 20, 3 * per_value - 1), json!({}));
    let err = send(&shorter, body).unwrap_err();
    assert_eq!(err, (3024, vec![("/formData/de_DE/0/value".into(), "record-too-large")]));
}

#[test]
fn the_record_limit_counts_what_the_record_already_holds() {
    let big = "x".repeat(1000);
    let e = engine(limits(1 << 20, 1500), json!({"k": big}));
    // The state takes 1 008 bytes: a 600-byte string no longer fits beside it.
    let err = send(&e, json!({"formData": [{"marker": "s", "type": "string", "value": "y".repeat(600)}]}));
    assert_eq!(err.unwrap_err(), (3024, vec![("/formData/0/value".into(), "record-too-large")]));
    // A smaller state makes room for it.
    send(&e, json!({"state": {"k": null}})).unwrap();
    send(&e, json!({"formData": [{"marker": "s", "type": "string", "value": "y".repeat(600)}]})).unwrap();
}

#[test]
fn a_record_over_a_lowered_limit_can_be_updated_but_not_grown() {
    let e = engine(limits(1 << 20, 10), json!({"k": "a long enough state"}));
    send(&e, json!({"state": {"k": "shorter"}})).unwrap();
    let err = send(&e, json!({"state": {"k": "shorter, then longer again"}})).unwrap_err();
    assert_eq!(err, (3024, vec![("/state".into(), "record-too-large")]));
}

#[test]
fn a_text_meets_the_record_limit_while_it_renders() {
    // The text alone is within its own limit but not within the room the record has left:
    // the rule is the record's, at the text.
    let md = "> quoted\n".repeat(50);
    let e = engine(limits(1 << 20, text_size(&md) - 1), json!({}));
    let err = send(&e, json!({"formData": [{"marker": "t", "type": "text", "value": {"mdValue": md}}]}));
    assert_eq!(err.unwrap_err(), (3024, vec![("/formData/0/value".into(), "record-too-large")]));
}

#[test]
fn the_defaults_store_any_ordinary_text_the_string_limit_lets_in() {
    let defaults = Limits::default();
    assert_eq!((defaults.max_stored_text_bytes, defaults.max_record_bytes), (256 << 10, 4 << 20));
    let prose = "## Heading\n\nA paragraph with **bold**, *em*, `code` and [a link](https://example.com/a/b).\n\n- item\n- item\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n";
    let md = prose.repeat((64 << 10) / prose.len());
    assert!(text_size(&md) < defaults.max_stored_text_bytes);
    let e = engine(defaults, json!({}));
    send(&e, json!({"formData": [{"marker": "t", "type": "text", "value": {"mdValue": md}}]})).unwrap();
}

#[test]
fn a_hostile_body_in_many_languages_is_refused_within_the_record_limit() {
    // Fourteen languages of blockquote-dense markdown (about 29 times its size stored):
    // each text fits its own limit, the record passes 4 MiB part-way, and is refused there.
    let md = ">>>>>>>>>>>>>>>>x\n\n".repeat((8 << 10) / 19);
    assert!(text_size(&md) < 256 << 10);
    let langs = [
        "en_US", "fr_FR", "de_DE", "es_ES", "it_IT", "pt_PT", "ru_RU", "ja_JP", "zh_CN", "ko_KR", "nl_NL", "pl_PL",
        "sv_SE", "tr_TR",
    ];
    let mut form_data = serde_json::Map::new();
    for lang in langs {
        let entries: Vec<Value> =
            ["t", "u"].iter().map(|m| json!({"marker": m, "type": "text", "value": {"mdValue": md}})).collect();
        form_data.insert(lang.into(), Value::Array(entries));
    }
    let e = engine(Limits::default(), json!({}));
    let (code, errors) = send(&e, json!({ "formData": form_data })).unwrap_err();
    assert_eq!(code, 3024);
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].1, "record-too-large");
}

#[test]
fn a_value_replaced_by_one_as_large_needs_no_more_room() {
    let md = "A *text* of some length, stored twice over.";
    let value = |m: &str| json!({"formData": [{"marker": "t", "type": "text", "value": {"mdValue": m}}]});
    let sizer = engine(limits(1 << 20, 1 << 20), json!({}));
    let size = send(&sizer, value(md)).unwrap().stored("en_US", "t").unwrap().json().len();
    let e = engine(limits(1 << 20, size + 2), json!({})); // the value and the empty state
    send(&e, value(md)).unwrap();
    send(&e, value(&md.replace("twice", "again"))).unwrap();
    let err = send(&e, value(&md.replace("twice", "thrice"))).unwrap_err();
    assert_eq!(err, (3024, vec![("/formData/0/value".into(), "record-too-large")]));
}
