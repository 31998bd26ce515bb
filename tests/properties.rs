//! Property tests: no input makes the engine panic, and a rejected update changes nothing.

use std::sync::Arc;

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use userform::IdentityKeys;
use userform::{Engine, MemoryStore, Registry, RegistryOptions, Request, UserRecord, UserStore};

fn engine() -> Engine<MemoryStore> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/forms");
    let registry = Registry::load_dir(dir, RegistryOptions { dynamic_properties: true, ..Default::default() }).unwrap();
    let store = MemoryStore::new();
    let u = UserRecord::signed_up("u1", "alice@example.com", "reg");
    store.insert(&u, &IdentityKeys::of(&u)).unwrap();
    Engine::new(Arc::new(registry), store)
}

/// Arbitrary JSON, biased towards the strings and shapes the engine looks for.
fn json_value() -> impl Strategy<Value = Value> {
    let names = prop_oneof![
        Just("marker"),
        Just("type"),
        Just("value"),
        Just("fullDate"),
        Just("formattedValue"),
        Just("formatString"),
        Just("htmlValue"),
        Just("mdValue"),
        Just("plainValue"),
        Just("filename"),
        Just("downloadLink"),
        Just("size"),
        Just("title"),
        Just("event"),
        Just("token"),
        Just("en_US"),
        Just("x"),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
        "[ -~]{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("2024-05-07T21:02:00.000Z"),
            Just("DD-MM-YYYY HH:mm"),
            Just("<p onclick=x>a</p>"),
            Just("http://a.b/c.png"),
            Just("1"),
            Just("Do [at] YYYY")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((names.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Map<_, _>>())),
        ]
    })
}

fn marker() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("email"),
        Just("password"),
        Just("first_name"),
        Just("age"),
        Just("height"),
        Just("birthday"),
        Just("meeting"),
        Just("wake_up"),
        Just("about"),
        Just("bio"),
        Just("avatar"),
        Just("gallery"),
        Just("picture"),
        Just("selector"),
        Just("colors"),
        Just("entity-selector"),
        Just("interval"),
        Just("member_since"),
        Just("submit"),
        Just("dyn"),
    ]
}

fn type_name() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("string"),
        Just("integer"),
        Just("real"),
        Just("date"),
        Just("dateTime"),
        Just("time"),
        Just("text"),
        Just("textWithHeader"),
        Just("image"),
        Just("groupOfImages"),
        Just("file"),
        Just("radioButton"),
        Just("list"),
        Just("entity"),
        Just("timeInterval"),
        Just("button"),
        Just("spam"),
        Just("groupOfImage"),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let e = engine();
        let _ = e.update(&Request::new("u1", &bytes));
    }

    #[test]
    fn arbitrary_json_bodies_never_panic(body in json_value()) {
        let e = engine();
        let bytes = serde_json::to_vec(&body).unwrap();
        let _ = e.update(&Request::new("u1", &bytes));
    }

    #[test]
    fn arbitrary_entries_never_panic_and_rejections_change_nothing(
        entries in prop::collection::vec((marker(), type_name(), json_value()), 1..6),
        state in json_value(),
    ) {
        let e = engine();
        let before = serde_json::to_string(&e.store().get("u1").unwrap()).unwrap();
        let form_data: Vec<Value> = entries.iter().map(|(m, t, v)| json!({"marker": m, "type": t, "value": v})).collect();
        let body = json!({"formIdentifier": "reg", "formData": form_data, "state": state});
        let bytes = serde_json::to_vec(&body).unwrap();
        match e.update(&Request::new("u1", &bytes)) {
            Ok(u) => prop_assert_eq!(u.version, 2),
            Err(r) => {
                prop_assert!(!r.violations().is_empty());
                let after = serde_json::to_string(&e.store().get("u1").unwrap()).unwrap();
                prop_assert_eq!(before, after);
            }
        }
    }
}
