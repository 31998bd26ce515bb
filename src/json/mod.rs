//! A JSON document that borrows from the body's bytes: what the decoder parses into.
//!
//! [`Json`] mirrors `serde_json::Value` (same variants, same accessors) with differences that
//! make decoding several times cheaper: strings without escapes are borrowed from the input
//! instead of copied; arrays, objects and unescaped strings live in one [`Arena`] (a bump
//! allocator the caller owns: one allocation per body instead of one per container, and nothing
//! to free value by value); objects are slices of `(key, value)` pairs instead of hash maps.
//! Duplicate keys resolve as `serde_json::Value` (and JavaScript's `JSON.parse`) resolve them:
//! the last value wins, at the position of the first.
//!
//! Parsing tracks nesting depth itself and stops at the limit (see [`parse`]), so a hostile body
//! can neither recurse the parser deeply nor make it build a deep tree. A small parser of our
//! own ([`fast`]) reads the plain JSON clients send; anything else, errors included, goes to
//! `serde_json`, and a differential test holds the two to the same answers.
//!
//! Checkers read values as [`Json`] and write the canonical JSON text they store with
//! [`write`](mod@write); messages print a value the same way.

mod fast;
mod number;
pub(crate) mod write;

pub(crate) use number::{Num, EXACT_FLOAT_INTEGERS};

/// The deepest nesting of arrays and objects any JSON text here may have: `serde_json`'s
/// (its recursion limit is 128 and it refuses the 128th nested container). Every parser here
/// stops at the same depth, so whatever is parsed, stored or serialised can be read back.
pub(crate) const MAX_NESTING: usize = 127;

use std::cell::Cell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
#[cfg(test)]
use serde_json::Map;
use serde_json::Value;

/// Where a parsed [`Json`] tree lives.
pub(crate) type Arena = bumpalo::Bump;

/// A JSON value borrowing from the parsed bytes and its [`Arena`]. `Copy`: a copy is shallow.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) enum Json<'a> {
    /// `null`
    #[default]
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, exactly as `serde_json` reads it.
    Number(Num),
    /// A string (borrowed from the input when it had no escapes).
    String(&'a str),
    /// An array.
    Array(&'a [Json<'a>]),
    /// An object.
    Object(Object<'a>),
}

/// A JSON object: keys in order of first appearance, each once.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Object<'a>(&'a [(&'a str, Json<'a>)]);

impl<'a> Object<'a> {
    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&'a Json<'a>> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// True if `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a Json<'a>)> {
        self.0.iter().map(|(k, v)| (*k, v))
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The object as a `serde_json` map (tests compare with `serde_json`'s reading).
    #[cfg(test)]
    pub fn to_map(self) -> Map<String, Value> {
        self.0.iter().map(|(k, v)| (k.to_string(), v.to_value())).collect()
    }

    /// Copies the pairs of `slice` into `arena` as an object (a shallow copy: strings and containers are
    /// already there), resolving duplicate keys: last value, first position (as
    /// `serde_json::Value` does).
    fn in_arena(arena: &'a Arena, slice: &[(&'a str, Json<'a>)]) -> Self {
        let has_dup = if slice.len() <= 16 {
            slice.iter().enumerate().any(|(i, (k, _))| slice[..i].iter().any(|(p, _)| p == k))
        } else {
            let mut seen = HashSet::with_capacity(slice.len());
            !slice.iter().all(|(k, _)| seen.insert(*k))
        };
        if !has_dup {
            return Object(arena.alloc_slice_copy(slice));
        }
        let mut out: indexmap::IndexMap<&'a str, Json<'a>> = indexmap::IndexMap::with_capacity(slice.len());
        for (k, v) in slice {
            out.insert(k, *v);
        }
        Object(arena.alloc_slice_fill_iter(out))
    }
}

impl<'a> Json<'a> {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&'a [Json<'a>]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// The value as `serde_json::Value` (tests compare with `serde_json`'s reading).
    #[cfg(test)]
    pub fn to_value(self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(b),
            Json::Number(n) => Value::Number(n.to_number()),
            Json::String(s) => Value::String(s.to_owned()),
            Json::Array(a) => Value::Array(a.iter().map(|v| v.to_value()).collect()),
            Json::Object(o) => Value::Object(o.to_map()),
        }
    }
}

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => s.serialize_unit(),
            Json::Bool(b) => s.serialize_bool(*b),
            Json::Number(n) => n.to_number().serialize(s),
            Json::String(v) => s.serialize_str(v),
            Json::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.len()))?;
                for v in a.iter() {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Json::Object(o) => {
                let mut map = s.serialize_map(Some(o.len()))?;
                for (k, v) in o.iter() {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'a> Json<'a> {
    /// A view of a `serde_json::Value`, its containers in `arena` (form defaults are checked
    /// through it; tests build their inputs with `json!`).
    pub fn from_value(v: &'a Value, arena: &'a Arena) -> Self {
        match v {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => Json::Number(n.into()),
            Value::String(s) => Json::String(s),
            Value::Array(a) => Json::Array(arena.alloc_slice_fill_iter(a.iter().map(|v| Json::from_value(v, arena)))),
            Value::Object(o) => Json::Object(Object(
                arena.alloc_slice_fill_iter(o.iter().map(|(k, v)| (k.as_str(), Json::from_value(v, arena)))),
            )),
        }
    }
}

/// Compact JSON, as `serde_json::Value` prints it (used in messages only).
impl fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write(&mut out);
        f.write_str(&out)
    }
}

/// Why [`parse`] failed.
#[derive(Debug)]
pub(crate) enum ParseError {
    /// Not JSON (the parser's message).
    Malformed(String),
    /// Arrays and objects nest deeper than the limit.
    TooDeep,
}

/// Parses `bytes` as one JSON document whose arrays and objects nest at most `max_depth` deep
/// (the document's own object or array is level 1).
pub(crate) fn parse<'a>(bytes: &'a [u8], arena: &'a Arena, max_depth: usize) -> Result<Json<'a>, ParseError> {
    // SIMD: a body in a language other than English is mostly multi-byte characters, which
    // std's check takes a byte at a time.
    let Ok(text) = simdutf8::basic::from_utf8(bytes) else {
        return by_serde(bytes, arena, max_depth); // which words the error
    };
    parse_str(text, arena, max_depth)
}

/// [`parse`] for text already known to be UTF-8 (stored values), without checking it again.
pub(crate) fn parse_str<'a>(text: &'a str, arena: &'a Arena, max_depth: usize) -> Result<Json<'a>, ParseError> {
    if let Some(v) = fast::parse(text, arena, max_depth) {
        return Ok(v);
    }
    by_serde(text.as_bytes(), arena, max_depth)
}

/// [`parse`] by `serde_json`: the reference the fast path is held to, and the one that words
/// every error.
fn by_serde<'a>(bytes: &'a [u8], arena: &'a Arena, max_depth: usize) -> Result<Json<'a>, ParseError> {
    let too_deep = Cell::new(false);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    // The seed counts depth itself and stops at the same place serde_json's own limit would, so
    // that limit is lifted to let the seed's `too deep` be the error reported.
    de.disable_recursion_limit();
    let seed = Seed { depth: 0, max: max_depth.min(MAX_NESTING), too_deep: &too_deep, arena };
    let parsed = seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    match parsed {
        Ok(v) => Ok(v),
        Err(_) if too_deep.get() => Err(ParseError::TooDeep),
        Err(e) => Err(ParseError::Malformed(e.to_string())),
    }
}

/// Parses one value at nesting `depth` (arrays and objects around it).
#[derive(Clone, Copy)]
struct Seed<'c, 'de> {
    depth: usize,
    max: usize,
    too_deep: &'c Cell<bool>,
    arena: &'de Arena,
}

impl Seed<'_, '_> {
    /// The seed for the members of a container opened here, or the too-deep error.
    fn inner<E: de::Error>(self) -> Result<Self, E> {
        if self.depth >= self.max {
            self.too_deep.set(true);
            return Err(E::custom("nested too deep"));
        }
        Ok(Seed { depth: self.depth + 1, ..self })
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_, 'de> {
    type Value = Json<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_, 'de> {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Json<'de>, E> {
        Ok(if n.is_finite() { Json::Number(Num::Float(n)) } else { Json::Null })
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(s))
    }

    fn visit_str<E>(self, s: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(self.arena.alloc_str(s)))
    }

    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Json<'de>, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let inner = self.inner()?;
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(v) = seq.next_element_seed(inner)? {
            items.push(v);
        }
        Ok(Json::Array(self.arena.alloc_slice_fill_iter(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json<'de>, A::Error> {
        let inner = self.inner()?;
        let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        while let Some(k) = map.next_key_seed(Key(self.arena))? {
            let v = map.next_value_seed(inner)?;
            pairs.push((k, v));
        }
        Ok(Json::Object(Object::in_arena(self.arena, &pairs)))
    }
}

/// Parses an object key, borrowed when it had no escapes, else copied into the arena.
struct Key<'de>(&'de Arena);

impl<'de> DeserializeSeed<'de> for Key<'de> {
    type Value = &'de str;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<&'de str, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'de> {
    type Value = &'de str;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<&'de str, E> {
        Ok(s)
    }

    fn visit_str<E>(self, s: &str) -> Result<&'de str, E> {
        Ok(self.0.alloc_str(s))
    }
}

/// Keeps a test's input alive as long as the test process, for the trees and measures that
/// borrow from it (tests only: never freed). The one place the tests leak.
#[cfg(test)]
pub(crate) fn test_keep<T: ?Sized>(value: Box<T>) -> &'static T {
    Box::leak(value)
}

/// A fresh arena that lives as long as the test process.
#[cfg(test)]
pub(crate) fn test_arena() -> &'static Arena {
    test_keep(Box::new(Arena::new()))
}

/// A view of a `serde_json::Value` in a [`test_arena`] (tests build their inputs with `json!`).
#[cfg(test)]
impl<'a> From<&'a Value> for Json<'a> {
    fn from(v: &'a Value) -> Self {
        Json::from_value(v, test_arena())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same_as_value(text: &str) {
        let fast = fast::parse(text, test_arena(), 128);
        let reference = by_serde(text.as_bytes(), test_arena(), 128);
        match (&fast, &reference) {
            (Some(f), Ok(r)) => assert_eq!(f, r, "{text}"),
            (Some(f), Err(e)) => panic!("{text}: the fast path accepts {f:?}, serde_json says {e:?}"),
            (None, _) => {}
        }
        let ours = parse(text.as_bytes(), test_arena(), 128);
        let theirs: Result<Value, _> = serde_json::from_str(text);
        match (ours, theirs) {
            (Ok(j), Ok(v)) => {
                assert_eq!(j.to_value(), v, "{text}");
                assert_eq!(j.serialized_len(), serde_json::to_vec(&v).unwrap().len(), "{text}");
                assert_eq!(j.to_string(), v.to_string(), "{text}");
            }
            (Err(ParseError::Malformed(_)), Err(_)) => {}
            (a, b) => panic!("{text}: ours {a:?}, serde_json {b:?}"),
        }
    }

    #[test]
    fn reads_like_serde_json_value() {
        for text in [
            r#"{"a":1,"b":[true,null,-0,1e3,1.5,18446744073709551615,-9223372036854775808],"c":"x\"y"}"#,
            r#"{"a":1,"a":2,"b":3,"a":4}"#,
            r#""\ud83d\ude00 \u00e9""#,
            "1e400",
            "[1,]",
            "{\"a\":1} x",
            "",
            "\"\\ud800\"",
        ] {
            same_as_value(text);
        }
    }

    #[test]
    fn duplicate_keys_keep_first_position_last_value() {
        let j = parse(br#"{"a":1,"b":2,"a":3}"#, test_arena(), 8).unwrap();
        let keys: Vec<_> = j.as_object().unwrap().iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "b"]);
        assert_eq!(j.as_object().unwrap().get("a"), Some(&Json::Number(Num::PosInt(3))));
        let many: String =
            format!("{{{}}}", (0..40).map(|i| format!("\"k{}\":{i}", i % 20)).collect::<Vec<_>>().join(","));
        same_as_value(&many);
    }

    #[test]
    fn depth_is_limited_while_parsing() {
        let ok = format!("{}1{}", "[".repeat(4), "]".repeat(4));
        assert!(parse(ok.as_bytes(), test_arena(), 4).is_ok());
        let deep = format!("{}1{}", "[".repeat(5), "]".repeat(5));
        assert!(matches!(parse(deep.as_bytes(), test_arena(), 4), Err(ParseError::TooDeep)));
        let unclosed = "[{\"a\":".repeat(100_000);
        assert!(matches!(parse(unclosed.as_bytes(), test_arena(), 32), Err(ParseError::TooDeep)));
        assert!(matches!(parse(b"[1", test_arena(), 32), Err(ParseError::Malformed(_))));
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let bytes = br#"{"k":"plain","e":"a\nb"}"#;
        let j = parse(bytes, test_arena(), 8).unwrap();
        let o = j.as_object().unwrap();
        let inside = |s: &str| bytes.as_ptr_range().contains(&s.as_ptr());
        assert!(matches!(o.get("k"), Some(Json::String(s)) if *s == "plain" && inside(s)));
        assert!(matches!(o.get("e"), Some(Json::String(s)) if *s == "a\nb" && !inside(s)));
    }

    #[test]
    fn fast_path_reads_what_clients_send() {
        for text in [
            r#"{"formIdentifier":"reg","formData":{"en_US":[{"marker":"a","type":"string","value":"x"}]}}"#,
            r#" { "a" : [ 1 , -2 , 0 , 123456789012345678 , true , false , null , "" ] } "#,
            r#"["\u00e9\ud83d\ude00\n\t\"\\\/\b\f\r", "é😀"]"#,
        ] {
            assert!(fast::parse(text, test_arena(), 32).is_some(), "{text}");
            same_as_value(text);
        }
        for text in ["-0", "1.5", "1e3", "12345678901234567890", "-1234567890123456789", "-0.0", "1E+2"] {
            same_as_value(text);
        }
        for refused in [
            "01",
            "-",
            "1.",
            ".5",
            "1e",
            "+1",
            "[1,]",
            r#"{"a":1,}"#,
            r#""\u12""#,
            r#""\ud800""#,
            r#""\udc00""#,
            r#""\ud800\u0041""#,
            "\"a\u{0}\"",
            "\"\t\"",
            r#""\x""#,
            "tru",
            "nul",
            "[",
            r#"{"a"}"#,
            "1 2",
            "\u{feff}1",
        ] {
            assert!(fast::parse(refused, test_arena(), 32).is_none(), "{refused}");
            same_as_value(refused);
        }
        assert!(matches!(parse(b"\"\xff\"", test_arena(), 32), Err(ParseError::Malformed(_))), "invalid UTF-8");
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        assert!(fast::parse(&deep, test_arena(), 1000).is_none(), "recursion is capped at MAX_NESTING");
    }

    /// Around the cap, the fast parser, the serde fallback and `serde_json` itself accept
    /// exactly the same depths: nothing one of them reads is refused by another.
    #[test]
    fn nesting_cap_is_serde_jsons() {
        for n in MAX_NESTING - 2..=MAX_NESTING + 2 {
            for (open, close) in [("[", "]"), (r#"{"k":"#, "}")] {
                let text = format!("{}1{}", open.repeat(n), close.repeat(n));
                let serde_reads = serde_json::from_str::<Value>(&text).is_ok();
                assert_eq!(serde_reads, n <= MAX_NESTING, "serde_json at depth {n}");
                assert_eq!(fast::parse(&text, test_arena(), usize::MAX).is_some(), serde_reads, "fast at {n}");
                assert_eq!(by_serde(text.as_bytes(), test_arena(), usize::MAX).is_ok(), serde_reads, "fallback at {n}");
                assert_eq!(parse(text.as_bytes(), test_arena(), usize::MAX).is_ok(), serde_reads, "parse at {n}");
            }
        }
    }

    /// Any JSON value, as text.
    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
            "\\PC{0,40}".prop_map(Value::from),
            "[\"\\\\/\u{0}-\u{1f}a\u{e9}\u{1f600}]{0,40}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
                proptest::collection::vec(("[a-c\"\\\\]{0,3}", inner), 0..6)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_text_reads_like_serde_json(text in "[\\[\\]{}\":,0-9a-z\\\\ .eE+-]{0,40}") {
            same_as_value(&text);
        }

        #[test]
        fn any_value_reads_back_like_serde_json(v in any_json(), pretty in any::<bool>()) {
            let text = if pretty { serde_json::to_string_pretty(&v) } else { serde_json::to_string(&v) };
            let text = text.expect("a Value serialises");
            prop_assert!(fast::parse(&text, test_arena(), 128).is_some(), "{}", text);
            same_as_value(&text);
        }

        #[test]
        fn any_mutation_reads_like_serde_json(v in any_json(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
            let mut bytes = serde_json::to_vec(&v).expect("a Value serialises");
            let i = at.index(bytes.len() + 1);
            bytes.insert(i, byte);
            if let Ok(text) = std::str::from_utf8(&bytes) {
                same_as_value(text);
            } else {
                prop_assert!(matches!(parse(&bytes, test_arena(), 128), Err(ParseError::Malformed(_))));
            }
        }
    }
}
