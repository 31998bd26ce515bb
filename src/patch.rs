//! JSON Merge Patch (RFC 7386), for `state`.

use serde_json::{Map, Value};

use crate::json::Json;

/// Applies `patch` (read from the body) to `target`: objects merge key by key, `null` members
/// delete, anything else replaces. Recursion is bounded by the body's depth limit.
pub(crate) fn merge(target: &mut Value, patch: &Json<'_>) {
    let Json::Object(p) = patch else {
        *target = patch.to_value();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in p.iter() {
            if v.is_null() {
                t.shift_remove(k);
            } else if let Some(slot) = t.get_mut(k) {
                merge(slot, v);
            } else {
                let mut slot = Value::Null;
                merge(&mut slot, v);
                t.insert(k.to_owned(), slot);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::merge;
    use crate::json::Json;
    use serde_json::json;

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
        ];
        for (mut t, p, want) in cases {
            merge(&mut t, &Json::from(&p));
            assert_eq!(t, want);
        }
    }
}
