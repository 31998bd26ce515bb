//! JSON Merge Patch (RFC 7386), for `state`.
//!
//! The stored state is JSON text (a [`StoredValue`]); the merge reads it with the body's own
//! parser and writes the result in one pass, without building a `serde_json::Value`. Key order
//! is `serde_json::Map`'s (with `preserve_order`): a key keeps its place, a deleted key drops
//! out, a new key goes last, in the patch's order.

use crate::json::write::ObjectWriter;
use crate::json::{self, Arena, Json, Num, Object};
use crate::record::{StoredValue, ValueSize};

/// Objects larger than this are looked up by binary search in a sorted copy of their keys
/// instead of by scanning, so a merge stays O(n log n) in its inputs whatever their keys.
const SCAN_LIMIT: usize = 8;

/// Applies `patch` (read from the body) to the stored `target`: objects merge key by key,
/// `null` members delete, anything else replaces. Recursion is bounded by the inputs' depth.
///
/// The stored text is parsed into `arena` (the request's). A patch that changes nothing (a
/// client re-sending the state it read) hands back `target` itself, shared, unwritten.
///
/// `None` when the stored state cannot be read back: nested deeper than [`json::MAX_NESTING`] levels, which no
/// body can produce but a record built through the API can hold. The caller refuses the update
/// then, rather than merging over a state it cannot see.
pub(crate) fn merge(target: &StoredValue, patch: &Json<'_>, arena: &Arena) -> Option<StoredValue> {
    let t = json::parse_str(target.json(), arena, json::MAX_NESTING).ok()?;
    if changes_nothing(&t, patch) {
        return Some(target.clone());
    }
    Some(StoredValue::written(ValueSize::merged_state(target.json().len()), |out| write_merged(out, Some(&t), patch)))
}

/// True exactly when merging `patch` into the object `target` would write `target`'s own text
/// back: every `null` member of the patch is absent from the target, every other one present
/// with the same value (objects member by member, recursively; anything else [`identical`]).
/// Keys are looked up as the merge looks them up ([`Lookup`]).
fn changes_nothing(target: &Json<'_>, patch: &Json<'_>) -> bool {
    let (Json::Object(t), Json::Object(p)) = (target, patch) else { return false };
    let t = Lookup::new(t);
    p.iter().all(|(k, pv)| match (t.get(k), pv) {
        (None, Json::Null) => true,
        (Some(_), Json::Null) | (None, _) => false, // a deletion, an addition
        (Some(tv), Json::Object(_)) => changes_nothing(tv, pv),
        (Some(tv), _) => identical(tv, pv),
    })
}

/// The same JSON text once written: objects compared member by member in order (the parser
/// has resolved duplicate keys), floats bit for bit (`0.0` and `-0.0` are equal numbers but
/// not the same text). Recursion is bounded by the inputs' depth.
fn identical(a: &Json<'_>, b: &Json<'_>) -> bool {
    match (a, b) {
        (Json::Array(x), Json::Array(y)) => x.len() == y.len() && x.iter().zip(y.iter()).all(|(x, y)| identical(x, y)),
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|((kx, x), (ky, y))| kx == ky && identical(x, y))
        }
        (Json::Number(Num::Float(x)), Json::Number(Num::Float(y))) => x.to_bits() == y.to_bits(),
        _ => a == b,
    }
}

/// Writes `merge(target, patch)`; `None` is an absent target.
fn write_merged(out: &mut String, target: Option<&Json<'_>>, patch: &Json<'_>) {
    let Json::Object(p) = patch else {
        patch.write(out);
        return;
    };
    let t = target.and_then(Json::as_object);
    let patch_of = Lookup::new(p);
    let mut w = ObjectWriter::new(out);
    if let Some(t) = t {
        for (k, tv) in t.iter() {
            match patch_of.get(k) {
                None => tv.write(w.key(k)),
                Some(Json::Null) => {} // deleted
                Some(pv) => write_merged(w.key(k), Some(tv), pv),
            }
        }
    }
    let in_target = t.map(Lookup::new);
    for (k, pv) in p.iter() {
        if !pv.is_null() && in_target.as_ref().is_none_or(|t| t.get(k).is_none()) {
            write_merged(w.key(k), None, pv);
        }
    }
    w.end();
}

/// Key lookup in an object: a scan when it is small, a binary search when it is not (no
/// hashing of keys that come from the body).
enum Lookup<'o, 'a> {
    Scan(&'o Object<'a>),
    Sorted(Vec<(&'a str, &'a Json<'a>)>),
}

impl<'o, 'a> Lookup<'o, 'a> {
    fn new(obj: &'o Object<'a>) -> Self {
        if obj.len() <= SCAN_LIMIT {
            Lookup::Scan(obj)
        } else {
            // Keys are unique: the parser resolved duplicates.
            let mut sorted: Vec<_> = obj.iter().collect();
            sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
            Lookup::Sorted(sorted)
        }
    }

    fn get(&self, key: &str) -> Option<&'a Json<'a>> {
        match self {
            Lookup::Scan(obj) => obj.get(key),
            Lookup::Sorted(sorted) => sorted.binary_search_by(|(k, _)| (*k).cmp(key)).ok().map(|i| sorted[i].1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::merge;
    use crate::json::{Arena, Json};
    use crate::record::StoredValue;
    use serde_json::{json, Map, Value};

    /// RFC 7386's algorithm on `Value`s, as the reference.
    fn reference(target: &mut Value, patch: &Value) {
        let Value::Object(p) = patch else {
            *target = patch.clone();
            return;
        };
        if !target.is_object() {
            *target = Value::Object(Map::new());
        }
        if let Value::Object(t) = target {
            for (k, v) in p {
                if v.is_null() {
                    t.shift_remove(k);
                } else {
                    reference(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
    }

    fn merged(target: &Value, patch: &Value) -> String {
        merge(&StoredValue::from_value(target), &Json::from(patch), &Arena::new()).expect("readable").json().to_owned()
    }

    #[test]
    fn a_stored_state_too_deep_to_read_is_not_merged_over() {
        let deep = (0..150).fold(json!(1), |v, _| json!([v]));
        let target = StoredValue::from_value(&json!({"keep": "me", "deep": deep}));
        assert_eq!(merge(&target, &Json::from(&json!({"x": 1})), &Arena::new()), None);
    }

    #[test]
    fn rfc7386_examples() {
        let cases = [
            (json!({"a": "b"}), json!({"a": "c"}), json!({"a": "c"})),
            (json!({"a": "b"}), json!({"b": "c"}), json!({"a": "b", "b": "c"})),
            (json!({"a": "b"}), json!({"a": null}), json!({})),
            (json!({"a": [{"b": "c"}]}), json!({"a": [1]}), json!({"a": [1]})),
            (json!({"a": {"b": "c"}}), json!({"a": {"b": "d", "c": null}}), json!({"a": {"b": "d"}})),
            (json!(["a"]), json!({"a": "b"}), json!({"a": "b"})),
            (json!({}), json!({"a": {"bb": {"ccc": null}}}), json!({"a": {"bb": {}}})),
            (json!({"e": null}), json!({"a": 1}), json!({"e": null, "a": 1})),
            (json!({"a": 1}), json!([null, {"x": null}]), json!([null, {"x": null}])),
        ];
        for (t, p, want) in cases {
            assert_eq!(merged(&t, &p), serde_json::to_string(&want).unwrap(), "{t} + {p}");
        }
    }

    #[test]
    fn patches_that_change_nothing() {
        use super::changes_nothing;
        let t = json!({"onboarding": {"step": 3, "done": false, "gone": null}, "theme": "dark", "tags": [{"a": 1, "b": 2}]});
        let unchanged = |p: Value| changes_nothing(&Json::from(&t), &Json::from(&p));
        assert!(!unchanged(t.clone()), "re-sending a null deletes it");
        assert!(unchanged(json!({"theme": "dark", "absent": null, "onboarding": {"step": 3}})));
        assert!(unchanged(json!({"tags": [{"a": 1, "b": 2}]})));
        assert!(!unchanged(json!({"tags": [{"b": 2, "a": 1}]})), "arrays are written as sent");
        assert!(!unchanged(json!({"theme": "light"})));
        assert!(!unchanged(json!({"onboarding": {"gone": null}})), "a stored null is deleted");
        assert!(!unchanged(json!({"new": 1})));
        assert!(!unchanged(json!({"theme": {"x": 1}})));
        assert!(!unchanged(json!({"onboarding": {"step": 3.0}})), "3.0 is written as 3.0");
        let zero = json!({"x": 0.0});
        assert!(!changes_nothing(&Json::from(&zero), &Json::from(&json!({"x": -0.0}))), "-0.0 is written as -0.0");
        assert!(changes_nothing(&Json::from(&zero), &Json::from(&json!({"x": 0.0}))));
        assert!(!changes_nothing(&Json::from(&json!([1])), &Json::from(&json!({}))));
        // Objects past the scan limit are looked up by binary search, the same answers.
        let big: Value = (0..40).map(|i| (format!("k{i}"), json!(i))).collect::<Map<_, _>>().into();
        assert!(changes_nothing(&Json::from(&big), &Json::from(&big)));
        let mut other = big.clone();
        other["k39"] = json!(-1);
        assert!(!changes_nothing(&Json::from(&big), &Json::from(&other)));
    }

    #[test]
    fn key_order_is_serde_json_maps_order() {
        let t = json!({"a": 1, "b": 2, "c": 3});
        let p = json!({"d": 4, "b": null, "a": {"x": 1}});
        assert_eq!(merged(&t, &p), r#"{"a":{"x":1},"c":3,"d":4}"#);
    }

    #[test]
    fn large_objects_merge_like_small_ones() {
        let t: Value = (0..40).map(|i| (format!("k{i}"), json!(i))).collect::<Map<_, _>>().into();
        let p: Value = (20..60)
            .map(|i| (format!("k{i}"), if i % 3 == 0 { Value::Null } else { json!(-i) }))
            .collect::<Map<_, _>>()
            .into();
        let mut want = t.clone();
        reference(&mut want, &p);
        assert_eq!(merged(&t, &p), serde_json::to_string(&want).unwrap());
    }

    /// Small JSON values with few distinct keys, so that patches hit the target's keys.
    fn value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let floats = prop_oneof![Just(0.0), Just(-0.0), Just(3.0), Just(1.5)].prop_map(Value::from);
        let strings = prop_oneof![Just("a"), Just("a\"b"), Just("é\n")].prop_map(Value::from);
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (-3i64..3).prop_map(Value::from),
            floats,
            strings
        ];
        leaf.prop_recursive(4, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::from),
                proptest::collection::vec(("[abc]", inner), 0..4)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn merges_as_rfc_7386_says(t in value(), p in value()) {
            let mut want = t.clone();
            reference(&mut want, &p);
            proptest::prop_assert_eq!(merged(&t, &p), serde_json::to_string(&want).unwrap());
        }

        /// The shortcut fires exactly when the full merge (written without it) would give the
        /// stored text back.
        #[test]
        fn a_patch_that_changes_nothing_is_seen_as_such(t in value(), p in value()) {
            for p in [&p, &t] {
                let (tj, pj) = (Json::from(&t), Json::from(p));
                let mut full = String::new();
                super::write_merged(&mut full, Some(&tj), &pj);
                let unchanged = t.is_object() && full == serde_json::to_string(&t).unwrap();
                proptest::prop_assert_eq!(super::changes_nothing(&tj, &pj), unchanged, "{} + {}", t, p);
            }
        }
    }
}
