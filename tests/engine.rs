//! End-to-end behaviour the fixture format cannot express (absence of keys, hashes, repeated
//! updates), through the public API only. One helper, `setup`, builds the engine.

use std::sync::Arc;

use serde_json::{json, Value};
use userform::{
    password, Engine, IdentityKeys, MemoryStore, Registry, RegistryOptions, Request, StaticTokens, UserRecord,
    UserStore,
};

fn setup(options: RegistryOptions) -> Engine<MemoryStore> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/forms");
    let registry = Registry::load_dir(dir, options).expect("repo forms load");
    let store = MemoryStore::new();
    let mut alice = UserRecord::signed_up("u1", "alice@example.com", "reg");
    alice.password_hash = Some(password::hash("correct horse battery").unwrap());
    store.insert(&alice, &IdentityKeys::of(&alice)).unwrap();
    let bob = UserRecord::signed_up("u2", "bob@example.com", "reg");
    store.insert(&bob, &IdentityKeys::of(&bob)).unwrap();
    Engine::new(Arc::new(registry), store).with_captcha(StaticTokens::new(["good-token"]))
}

fn update(engine: &Engine<MemoryStore>, body: Value) -> Result<UserRecord, userform::Rejection> {
    let bytes = serde_json::to_vec(&body).unwrap();
    engine.update(&Request::new("u1", &bytes))
}

fn stored(engine: &Engine<MemoryStore>) -> UserRecord {
    engine.store().get("u1").unwrap().unwrap()
}

#[test]
fn password_is_hashed_and_never_output() {
    let engine = setup(RegistryOptions::default());
    let user = update(
        &engine,
        json!({"formIdentifier": "reg", "authData": [{"marker": "password", "value": "new secret pw"}]}),
    )
    .unwrap();
    assert!(user.password_hash.is_none(), "the returned record carries no hash");
    let text = serde_json::to_string(&user.public()).unwrap();
    assert!(!text.contains("new secret pw") && !text.contains("argon2") && !text.contains("password"));
    let hash = stored(&engine).password_hash.unwrap();
    assert!(hash.starts_with("$argon2id$"));
    assert!(password::verify("new secret pw", &hash));
    assert!(!password::verify("correct horse battery", &hash));
}

#[test]
fn a_password_in_form_data_is_hashed_never_stored_and_empty_keeps_it() {
    let engine = setup(RegistryOptions::default());
    let save = |pw: &str| {
        json!({"formIdentifier": "reg", "authData": [{"marker": "password", "value": pw}], "formData": {"en_US": [
            {"marker": "password", "type": "string", "value": pw},
            {"marker": "first_name", "type": "string", "value": "Al"}]}})
    };
    let user = update(&engine, save("")).unwrap();
    assert_eq!(user.value("en_US", "password"), None, "the empty password input is not stored");
    let hash = stored(&engine).password_hash.unwrap();
    assert!(password::verify("correct horse battery", &hash), "an empty password keeps the old one");
    let user = update(&engine, save("new secret pw")).unwrap();
    assert_eq!(user.value("en_US", "password"), None, "the password is never stored in formData");
    assert!(!serde_json::to_string(&user.public()).unwrap().contains("new secret pw"));
    assert!(password::verify("new secret pw", &stored(&engine).password_hash.unwrap()));
    assert_eq!(user.version, 3);
}

#[test]
fn null_removes_an_entry_and_state_null_deletes_a_key() {
    let engine = setup(RegistryOptions::default());
    update(&engine, json!({"formIdentifier": "reg", "formData": [{"marker": "first_name", "type": "string", "value": "Al"}], "state": {"a": 1, "b": {"c": 2}}})).unwrap();
    let u = update(&engine, json!({"formIdentifier": "reg", "formData": [{"marker": "first_name", "type": "string", "value": null}], "state": {"a": null, "b": {"d": 3}}})).unwrap();
    assert_eq!(u.value("en_US", "first_name"), None);
    assert!(!u.form_data.contains_key("en_US"), "an emptied language is removed");
    assert_eq!(u.state.to_value(), json!({"b": {"c": 2, "d": 3}}));
    assert_eq!(u.version, 3);
}

#[test]
fn captcha_is_verified_and_never_stored() {
    let engine = setup(RegistryOptions::default());
    let profile = UserRecord::signed_up("p1", "carol@example.com", "profile");
    engine.store().insert(&profile, &IdentityKeys::of(&profile)).unwrap();
    let body = json!({"formIdentifier": "profile", "formData": [
        {"marker": "last_name", "type": "string", "value": "Doe"},
        {"marker": "captcha", "type": "spam", "value": {"event": {"token": "good-token", "siteKey": "site-key-1"}}}]});
    let bytes = serde_json::to_vec(&body).unwrap();
    let u = engine.update(&Request::new("p1", &bytes)).unwrap();
    assert_eq!(u.value("en_US", "captcha"), None);
    assert_eq!(u.value("en_US", "last_name"), Some(json!("Doe")));
    let no_captcha = serde_json::to_vec(
        &json!({"formIdentifier": "profile", "formData": [{"marker": "last_name", "type": "string", "value": "X"}]}),
    )
    .unwrap();
    let err = engine.update(&Request::new("p1", &no_captcha)).unwrap_err();
    assert_eq!(err.violations()[0].rule(), "captcha-required");
}

#[test]
fn login_sets_the_identifier_not_form_data() {
    let engine = setup(RegistryOptions::default());
    let u = update(&engine, json!({"formIdentifier": "reg", "formData": [{"marker": "email", "type": "string", "value": "  Alice.New@Example.com "}]})).unwrap();
    assert_eq!(u.identifier, "Alice.New@Example.com");
    assert_eq!(u.value("en_US", "email"), None);
    assert_eq!(u.notification_data.email.as_deref(), Some("Alice.New@Example.com"));
    // The old identity is free again; Bob may take it, in another case.
    let bytes = serde_json::to_vec(
        &json!({"formIdentifier": "reg", "authData": [{"marker": "email", "value": "ALICE@example.com"}]}),
    )
    .unwrap();
    assert!(engine.update(&Request::new("u2", &bytes)).is_ok());
    // ...and now Alice cannot take it back.
    let err = update(
        &engine,
        json!({"formIdentifier": "reg", "authData": [{"marker": "email", "value": "alice@example.com"}]}),
    )
    .unwrap_err();
    assert_eq!(err.code().as_u16(), 3018);
}

#[test]
fn dry_run_writes_nothing() {
    let engine = setup(RegistryOptions::default());
    let before = serde_json::to_string(&stored(&engine)).unwrap();
    let bytes = serde_json::to_vec(
        &json!({"formIdentifier": "reg", "formData": [{"marker": "age", "type": "integer", "value": "42"}]}),
    )
    .unwrap();
    let would = engine.check(&Request::new("u1", &bytes)).unwrap();
    assert_eq!(would.value("en_US", "age"), Some(json!(42)));
    assert_eq!(serde_json::to_string(&stored(&engine)).unwrap(), before);
}

#[test]
fn entries_are_stored_in_form_position_order() {
    let engine = setup(RegistryOptions::default());
    let u = update(
        &engine,
        json!({"formIdentifier": "reg", "formData": [
        {"marker": "age", "type": "integer", "value": 30},
        {"marker": "first_name", "type": "string", "value": "Al"},
        {"marker": "last_name", "type": "string", "value": "Li"}]}),
    )
    .unwrap();
    let order: Vec<&str> = u.form_data["en_US"].iter().map(|e| &*e.marker).collect();
    assert_eq!(order, ["first_name", "last_name", "age"]);
}

#[test]
fn languages_keep_their_order_and_an_emptied_one_goes() {
    let engine = setup(RegistryOptions::default());
    let name = |v: &str| json!([{"marker": "first_name", "type": "string", "value": v}]);
    update(&engine, json!({"formIdentifier": "reg", "formData": {"en_US": name("Al"), "fr_FR": name("Alain"), "de_DE": name("Albrecht")}})).unwrap();
    // Each language's new entries come against the form's order: the first run's list is put
    // in order when the next run starts, the last run's after the loop.
    let against_order = |last: &str| json!([{"marker": "age", "type": "integer", "value": 40}, {"marker": "last_name", "type": "string", "value": last}]);
    let u = update(
        &engine,
        json!({"formIdentifier": "reg", "formData": {
            "de_DE": against_order("Lang"),
            "fr_FR": [{"marker": "first_name", "type": "string", "value": null}],
            "en_US": against_order("Li")}}),
    )
    .unwrap();
    assert!(u.form_data.keys().eq(["en_US", "de_DE"]), "{:?}", u.form_data.keys().collect::<Vec<_>>());
    let order = |lang: &str| u.form_data[lang].iter().map(|e| e.marker.to_string()).collect::<Vec<_>>();
    assert_eq!(order("de_DE"), ["first_name", "last_name", "age"]);
    assert_eq!(order("en_US"), ["first_name", "last_name", "age"]);
    assert_eq!(stored(&engine), UserRecord { password_hash: stored(&engine).password_hash, ..u });
}

#[test]
fn an_empty_language_list_from_the_store_is_not_kept() {
    let engine = setup(RegistryOptions::default());
    let mut r = stored(&engine);
    r.form_data.insert("fr_FR".into(), Vec::new());
    r.version += 1;
    engine.store().commit(r.version - 1, &r, &IdentityKeys::of(&r)).unwrap();
    let u = update(
        &engine,
        json!({"formIdentifier": "reg", "formData": [{"marker": "first_name", "type": "string", "value": "Al"}]}),
    )
    .unwrap();
    assert!(u.form_data.keys().eq(["en_US"]), "{:?}", u.form_data.keys().collect::<Vec<_>>());
}

#[test]
fn every_violation_is_reported_in_body_order() {
    let engine = setup(RegistryOptions::default());
    let err = update(&engine, json!({"formIdentifier": "reg", "formData": [
        {"marker": "age", "type": "integer", "value": "x"},
        {"marker": "nope", "type": "string", "value": "y"},
        {"marker": "last_name", "type": "string", "value": ""},
        {"marker": "birthday", "type": "date", "value": {"fullDate": "2024-05-07T21:02:00.000Z", "formattedValue": "07-05-2024 21:03", "formatString": "DD-MM-YYYY HH:mm"}}]}))
    .unwrap_err();
    let rules: Vec<&str> = err.violations().iter().map(|v| v.rule()).collect();
    assert_eq!(rules, ["not-a-number", "unknown-marker", "required", "formatted-value"]);
    assert_eq!(err.code().as_u16(), 3031);
    assert_eq!(stored(&engine).version, 1);
}

#[test]
fn a_blank_login_cannot_empty_the_identity() {
    let form = json!({"identifier": "f", "attributes": [{"marker": "login", "type": "string", "isLogin": true}]});
    let registry = Registry::from_forms([("f.json", form)], RegistryOptions::default()).unwrap();
    let store = MemoryStore::new();
    let user = UserRecord::new("u1", "a@b.co", "f");
    store.insert(&user, &IdentityKeys::of(&user)).unwrap();
    let engine = Engine::new(Arc::new(registry), store);
    for blank in ["   ", "\u{3000}"] {
        let bytes =
            serde_json::to_vec(&json!({"formIdentifier": "f", "authData": [{"marker": "login", "value": blank}]}))
                .unwrap();
        let err = engine.update(&Request::new("u1", &bytes)).unwrap_err();
        assert_eq!(err.code().as_u16(), 3045, "{blank:?}");
    }
    assert_eq!(engine.store().get("u1").unwrap().unwrap().identifier, "a@b.co");
}

#[test]
fn a_stored_state_too_deep_to_read_refuses_a_state_patch_and_keeps_everything() {
    let engine = setup(RegistryOptions::default());
    // Only the API can store such a state (bodies nest at most 32 deep).
    let mut alice = stored(&engine);
    let deep = (0..150).fold(json!(1), |v, _| json!([v]));
    alice.state = json!({"keep": "me", "deep": deep}).into();
    let renamed = UserRecord { version: 2, ..alice.clone() };
    engine.store().commit(1, &renamed, &IdentityKeys::of(&renamed)).unwrap();
    let before = stored(&engine);
    let r = update(&engine, json!({"formIdentifier": "reg", "state": {"x": 1}})).unwrap_err();
    assert_eq!(r.code().as_u16(), 3024);
    assert_eq!(r.violations()[0].rule(), "storage");
    assert_eq!(r.violations()[0].path.as_str(), "/state");
    assert_eq!(stored(&engine), before, "nothing changed");
    // A body that leaves state alone still updates the record.
    update(
        &engine,
        json!({"formIdentifier": "reg", "formData": [{"marker": "first_name", "type": "string", "value": "Al"}]}),
    )
    .unwrap();
}
