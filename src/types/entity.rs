//! `entity`: links to pages, products and other entities, as an array of references.
//!
//! A reference is an id, or an object that carries one:
//!
//! - a page number: a whole JSON number `>= 0` within `u64` (a whole float such as `2.0` is the
//!   integer `2`), or a string of ASCII digits (a page number sent as text, kept as a string);
//! - a product id or a marker: a string shaped `^[A-Za-z][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$`
//!   (`p-1-123`, `blog_post`), 1 to 128 characters;
//! - an object `{id, title, value, parentId, depth, ...}`, as OneEntry's own examples send them:
//!   identified by its `id` (a number or a string as above), the rest ignored;
//!
//! A lone reference is taken as a one-element array. Older content may carry, instead of the
//! array, a brace-wrapped string of quoted ids, `{"a","b"}` (a PostgreSQL array literal;
//! unquoted items are read too): it stands for the array of those ids. Ids are compared as text to find
//! duplicates, with the leading zeros of numeric strings ignored: `1`, `"1"` and `"01"` name the
//! same page.
//!
//! When the attribute's `listTitles` lists entity options ([`EntityOptions`]), every reference
//! must be one of them (`unknown-option` otherwise) and is stored as the option's id as the form
//! writes it. Without options, the stored value is the list of ids as sent (JSON integers stay
//! integers, strings stay strings). Either way it is an array of ids, whatever shape was sent.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use indexmap::IndexMap;
use serde_json::Value;

use crate::json::write::ArrayWriter;
use crate::json::{self, Arena, Json, EXACT_FLOAT_INTEGERS};
use crate::record::{StoredValue, ValueSize};

use super::{CheckedValue, Cx, Measure};
use crate::error::ViolationKind;
use crate::pointer::Pointer;

/// The longest string id accepted.
const MAX_ID_LEN: usize = 128;

/// The shape of an entity value, for messages.
const EXPECT: &str = "an array of entity references (ids, or objects with an `id`)";

/// The entity options of an attribute (its `listTitles`): the ids a reference may name, each
/// with the stored JSON of the id as the form writes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EntityOptions {
    /// Page numbers (and digit strings within `u64`), by value.
    numbers: IndexMap<u64, String>,
    /// Product ids, markers and digit strings beyond `u64`, by text.
    texts: IndexMap<String, String>,
}

impl EntityOptions {
    /// Adds the option whose id is `id` (a number or a string, as a reference's id is read):
    /// `Some(true)` when it is new, `Some(false)` when the options already have it, `None` when
    /// `id` is not an entity id.
    pub fn insert(&mut self, id: &Value) -> Option<bool> {
        let arena = Arena::new();
        let json = Json::from_value(id, &arena);
        let (stored, key) = entity_id(&json)?;
        let mut text = String::new();
        stored.write(&mut text);
        // The first option with an id names it; a second is a duplicate, and changes nothing.
        Some(match key {
            Id::Number(n) if self.numbers.contains_key(&n) => false,
            Id::Number(n) => self.numbers.insert(n, text).is_none(),
            Id::Text(t) if self.texts.contains_key(t.as_ref()) => false,
            Id::Text(t) => self.texts.insert(t.into_owned(), text).is_none(),
        })
    }

    /// How many options.
    pub fn len(&self) -> usize {
        self.numbers.len() + self.texts.len()
    }

    /// True when there is none (every reference is then accepted).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The stored id of the option `key` names, if it is one.
    fn get(&self, key: &Id<'_>) -> Option<&str> {
        match key {
            Id::Number(n) => self.numbers.get(n),
            Id::Text(t) => self.texts.get(t.as_ref()),
        }
        .map(String::as_str)
    }
}

/// Checks an `entity` value: every element must be a reference, no id may appear twice, and
/// with `options`, every id must be one of them.
pub(crate) fn check(
    options: Option<&EntityOptions>,
    value: &Json<'_>,
    path: &Pointer,
    cx: &mut Cx<'_>,
) -> Option<CheckedValue<'static>> {
    if let Json::String(s) = value {
        if s.starts_with('{') {
            return braced(options, s, path, cx);
        }
    }
    let (items, in_array) = match value {
        Json::Array(a) => (*a, true),
        Json::Number(_) | Json::String(_) | Json::Object(_) => (std::slice::from_ref(value), false),
        _ => {
            cx.report(path.clone(), ViolationKind::InvalidValue { expected: EXPECT });
            return None;
        }
    };
    let options = options.filter(|o| !o.is_empty());

    let before = cx.report.len();
    let mut stored = ValueSize::ids(items.len()).buffer();
    let mut ids = ArrayWriter::new(&mut stored);
    let mut count = 0usize;
    // A set, not a list: a body can carry hundreds of thousands of ids.
    let mut seen: HashSet<Id<'_>> = HashSet::with_capacity(items.len());
    // Pointers are built only when something is reported.
    let ptr = |i: usize| if in_array { path.child(i) } else { path.clone() };
    for (i, item) in items.iter().enumerate() {
        let (sent, key) = match reference(item) {
            Ok(one) => one,
            Err(Refused::Shape) => {
                cx.report(ptr(i), ViolationKind::InvalidValue { expected: EXPECT });
                continue;
            }
            Err(Refused::Id(false)) => {
                cx.report(ptr(i), ViolationKind::EntityId(short(item)));
                continue;
            }
            Err(Refused::Id(true)) => {
                let id = item.as_object().and_then(|o| o.get("id")).map(short).unwrap_or_default();
                cx.report(ptr(i).child("id"), ViolationKind::EntityId(id));
                continue;
            }
        };
        let at = || if matches!(item, Json::Object(_)) { ptr(i).child("id") } else { ptr(i) };
        if let Err(kind) = add(&mut ids, &mut seen, options, sent, key) {
            cx.report(at(), kind);
            continue;
        }
        count += 1;
    }
    ids.end();
    if cx.report.len() != before {
        return None;
    }
    Some(CheckedValue { stored: StoredValue::from_json_text(stored), measure: Measure::Items(count) })
}

/// Adds one id to the stored list: as the option names it when there are options, else as
/// sent. `Err` when it is there already, or is not one of the options.
fn add<'j>(
    ids: &mut ArrayWriter<'_>,
    seen: &mut HashSet<Id<'j>>,
    options: Option<&EntityOptions>,
    sent: Id<'j>,
    key: Id<'j>,
) -> Result<(), ViolationKind> {
    if seen.contains(&key) {
        return Err(ViolationKind::DuplicateOption(key.to_string()));
    }
    match options {
        Some(options) => match options.get(&key) {
            Some(id) => ids.item().push_str(id),
            None => return Err(ViolationKind::UnknownOption(key.to_string())),
        },
        None => sent.write(ids.item()),
    }
    seen.insert(key);
    Ok(())
}

/// A brace-wrapped string, `{"a","b"}`: the array of the ids it holds. Its problems are
/// reported at the string.
fn braced(options: Option<&EntityOptions>, s: &str, path: &Pointer, cx: &mut Cx<'_>) -> Option<CheckedValue<'static>> {
    let Some(items) = brace_items(s) else {
        cx.report(path.clone(), ViolationKind::EntityId(short(&Json::String(s))));
        return None;
    };
    let before = cx.report.len();
    let mut stored = ValueSize::string(s).buffer();
    let mut ids = ArrayWriter::new(&mut stored);
    let mut seen: HashSet<Id<'_>> = HashSet::with_capacity(items.len());
    let mut count = 0usize;
    for text in items {
        let Some((sent, key)) = text_id(text.clone()) else {
            cx.report(path.clone(), ViolationKind::EntityId(short(&Json::String(&text))));
            continue;
        };
        match add(&mut ids, &mut seen, options, sent, key) {
            Ok(()) => count += 1,
            Err(kind) => cx.report(path.clone(), kind),
        }
    }
    ids.end();
    if cx.report.len() != before {
        return None;
    }
    Some(CheckedValue { stored: StoredValue::from_json_text(stored), measure: Measure::Items(count) })
}

/// Why an element is not a reference.
enum Refused {
    /// Not an id, an object or a brace-wrapped string.
    Shape,
    /// Not an id; `true` when it is an object's `id` that is not one.
    Id(bool),
}

/// The id one element stands for (an id, or an object's `id`), as sent and as compared.
fn reference<'j>(item: &'j Json<'_>) -> Result<(Id<'j>, Id<'j>), Refused> {
    match item {
        Json::Object(o) => match o.get("id") {
            Some(id) => entity_id(id).ok_or(Refused::Id(true)),
            None => Err(Refused::Shape),
        },
        _ => entity_id(item).ok_or(Refused::Id(false)),
    }
}

/// An id, in one of two roles. As stored: a JSON integer, or the string as sent. As compared
/// (the key): `1`, `"1"` and `"01"` are all `Number(1)`; digit strings too long for a `u64` (no
/// JSON number reads that large) and product ids are compared as text.
#[derive(Clone, PartialEq, Eq, Hash)]
enum Id<'j> {
    Number(u64),
    Text(Cow<'j, str>),
}

impl Id<'_> {
    /// Appends the id as JSON.
    fn write(&self, out: &mut String) {
        match self {
            Id::Number(u) => json::write::unsigned(out, *u),
            Id::Text(s) => json::write::string(out, s),
        }
    }
}

impl fmt::Display for Id<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Id::Number(n) => n.fmt(f),
            Id::Text(s) => f.write_str(s),
        }
    }
}

/// The stored form of an id and the key it is compared by, or `None` if `v` is no id.
fn entity_id<'j>(v: &'j Json<'_>) -> Option<(Id<'j>, Id<'j>)> {
    match v {
        Json::Number(n) => {
            let u = match n.as_u64() {
                Some(u) => u,
                None if n.is_i64() => return None, // negative
                None => {
                    let f = n.as_f64()?;
                    if !(f.is_finite() && f.fract() == 0.0 && (0.0..=EXACT_FLOAT_INTEGERS).contains(&f)) {
                        return None;
                    }
                    f as u64
                }
            };
            Some((Id::Number(u), Id::Number(u)))
        }
        Json::String(s) => text_id(Cow::Borrowed(s)),
        _ => None,
    }
}

/// [`entity_id`] of a string id.
fn text_id(s: Cow<'_, str>) -> Option<(Id<'_>, Id<'_>)> {
    if is_numeric_id(&s) {
        let digits = s.trim_start_matches('0');
        let key = match digits.parse::<u64>() {
            Ok(n) => Id::Number(n),
            Err(_) if digits.is_empty() => Id::Number(0),
            Err(_) => Id::Text(Cow::Owned(digits.to_owned())),
        };
        return Some((Id::Text(s), key));
    }
    is_product_id(&s).then(|| (Id::Text(s.clone()), Id::Text(s)))
}

/// The items of a brace-wrapped string `{"a","b"}` (PostgreSQL's array literal: items
/// separated by commas, each double-quoted with `\` escapes, or bare), `None` when it is not
/// one. `{}` has no items; a bare `NULL` is refused.
fn brace_items(s: &str) -> Option<Vec<Cow<'_, str>>> {
    let inner = s.strip_prefix('{')?.strip_suffix('}')?;
    let mut items = Vec::new();
    if inner.trim().is_empty() {
        return Some(items);
    }
    let mut rest = inner;
    loop {
        rest = rest.trim_start();
        let (item, after) = if let Some(quoted) = rest.strip_prefix('"') {
            let (item, len) = quoted_item(quoted)?;
            (item, quoted.get(len..)?.trim_start())
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            let bare = rest.get(..end)?.trim();
            if bare.is_empty() || bare.eq_ignore_ascii_case("null") || bare.contains(['"', '{', '}', '\\']) {
                return None;
            }
            (Cow::Borrowed(bare), rest.get(end..)?)
        };
        items.push(item);
        match after.strip_prefix(',') {
            Some(next) => rest = next,
            None if after.is_empty() => return Some(items),
            None => return None,
        }
    }
}

/// The text of a quoted item up to its closing quote (`s` starts after the opening one), and
/// how many bytes of `s` it took, the quote included.
fn quoted_item(s: &str) -> Option<(Cow<'_, str>, usize)> {
    let mut owned: Option<String> = None;
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                let item = match owned {
                    Some(text) => Cow::Owned(text),
                    None => Cow::Borrowed(s.get(..i)?),
                };
                return Some((item, i + 1));
            }
            '\\' => {
                let (_, escaped) = chars.next()?;
                owned.get_or_insert_with(|| s.get(..i).unwrap_or_default().to_owned()).push(escaped);
            }
            c => {
                if let Some(text) = owned.as_mut() {
                    text.push(c);
                }
            }
        }
    }
    None
}

/// 1 to 128 ASCII digits.
fn is_numeric_id(s: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// `^[A-Za-z][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*$`, 1 to 128 characters.
fn is_product_id(s: &str) -> bool {
    if !(1..=MAX_ID_LEN).contains(&s.len()) || !s.as_bytes()[0].is_ascii_alphabetic() {
        return false;
    }
    // Parts between hyphens are non-empty: no `--`, no trailing `-` (the first byte is a letter).
    let b = s.as_bytes();
    b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
        && !b.ends_with(b"-")
        && !b.windows(2).any(|w| w == b"--")
}

/// A short rendering of a refused element for the message (at most 64 characters).
fn short(v: &Json<'_>) -> String {
    let s = match v {
        Json::String(s) => s.to_string(),
        other => other.to_string(),
    };
    match s.char_indices().nth(64) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Violation;
    use serde_json::json;

    fn run_with(options: Option<&EntityOptions>, v: Value) -> (Option<CheckedValue<'static>>, Vec<Violation>) {
        crate::types::testing::run("m", |p, cx| check(options, &Json::from(&v), p, cx))
    }

    fn run(v: Value) -> (Option<CheckedValue<'static>>, Vec<Violation>) {
        run_with(None, v)
    }

    fn stored(v: Value) -> Value {
        let (p, e) = run(v);
        assert!(e.is_empty(), "{e:?}");
        p.unwrap().stored.to_value()
    }

    fn errs(v: Value) -> Vec<(String, &'static str)> {
        run(v).1.iter().map(|e| (e.path.to_string(), e.rule())).collect()
    }

    /// The options of the fashion demo's store picker: a category and a store under it.
    fn stores() -> EntityOptions {
        let mut o = EntityOptions::default();
        for id in [json!(9), json!(169), json!("p-1-123")] {
            assert_eq!(o.insert(&id), Some(true));
        }
        assert_eq!(o.insert(&json!("0169")), Some(false), "the same page");
        assert_eq!(o.insert(&json!("not an id")), None);
        assert_eq!(o.len(), 3);
        o
    }

    #[test]
    fn seed_ids() {
        let (p, _) = run(json!([1, 2]));
        let p = p.unwrap();
        assert_eq!(p.stored, json!([1, 2]));
        assert_eq!(p.measure, Measure::Items(2));
    }

    #[test]
    fn pages_and_products() {
        assert_eq!(stored(json!([1, "p-1-123"])), json!([1, "p-1-123"]));
        assert_eq!(stored(json!(["12", 0, "Product_2-a-B9"])), json!(["12", 0, "Product_2-a-B9"]));
        assert_eq!(stored(json!([u64::MAX])), json!([u64::MAX]));
        assert_eq!(stored(json!([2.0, 1e3])), json!([2, 1000]));
        assert_eq!(stored(json!(7)), json!([7]));
        assert_eq!(stored(json!("p-1-123")), json!(["p-1-123"]));
        let (p, _) = run(json!([]));
        let p = p.unwrap();
        assert_eq!(p.stored, json!([]));
        assert!(p.is_empty());
        assert!(is_product_id(&"a".repeat(128)));
        assert!(!is_product_id(&"a".repeat(129)));
        assert!(is_numeric_id(&"9".repeat(128)));
    }

    #[test]
    fn objects_are_identified_by_their_id() {
        // The npm README's shape, and the SDK's with a numeric id and a depth.
        let readme = json!([{"id": "1", "title": "red", "value": "1", "parentId": "null"}]);
        assert_eq!(stored(readme), json!(["1"]));
        assert_eq!(stored(json!([{"id": 1, "title": "red", "value": "1", "parentId": null, "depth": 0}])), json!([1]));
        assert_eq!(stored(json!({"id": "p-2"})), json!(["p-2"]), "a lone object is one reference");
        assert_eq!(stored(json!([3, {"id": "p-2"}, "4"])), json!([3, "p-2", "4"]));
        assert_eq!(errs(json!([{"id": 1}, 1])), [("/value/1".into(), "duplicate-option")]);
        assert_eq!(errs(json!([1, {"id": "01"}])), [("/value/1/id".into(), "duplicate-option")]);
        assert_eq!(errs(json!([{"id": -1}])), [("/value/0/id".into(), "entity-id")]);
        assert_eq!(errs(json!([{"id": null}])), [("/value/0/id".into(), "entity-id")]);
        assert_eq!(errs(json!([{"title": "red"}])), [("/value/0".into(), "invalid-value")]);
        assert_eq!(errs(json!({"id": true})), [("/value/id".into(), "entity-id")]);
    }

    #[test]
    fn brace_wrapped_strings_of_older_content() {
        assert_eq!(stored(json!("{\"a\",\"b-1\"}")), json!(["a", "b-1"]));
        assert_eq!(stored(json!("{ \"a\" , b ,12}")), json!(["a", "b", "12"]));
        assert_eq!(stored(json!("{}")), json!([]));
        assert_eq!(stored(json!("{\"x\\_y\"}")), json!(["x_y"]), "a backslash escapes the next character");
        for bad in ["{", "{\"a\"", "{\"a\" b}", "{a,,b}", "{NULL}", "{\"a b\"}", "{\"-\"}", "{a}}"] {
            assert_eq!(errs(json!(bad)), [("/value".into(), "entity-id")], "{bad}");
        }
        assert_eq!(errs(json!("{a,b,a}")), [("/value".into(), "duplicate-option")]);
        assert_eq!(errs(json!(["{a}"])), [("/value/0".into(), "entity-id")], "only the whole value may be braced");
        let (p, _) = run(json!("{a,b}"));
        assert_eq!(p.unwrap().measure, Measure::Items(2));
    }

    #[test]
    fn options_restrict_and_name_the_stored_id() {
        let o = stores();
        let (p, e) =
            run_with(Some(&o), json!([{"id": "169", "title": "Oxford Street", "parentId": 9}, "009", "p-1-123"]));
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(p.unwrap().stored, json!([169, 9, "p-1-123"]), "stored as the form writes the ids");
        assert_eq!(run_with(Some(&o), json!("{169}")).0.unwrap().stored, json!([169]));
        let e = run_with(Some(&o), json!([{"id": 170}, 9, "p-1-124", 9])).1;
        let got: Vec<_> = e.iter().map(|e| (e.path.to_string(), e.rule())).collect();
        assert_eq!(
            got,
            [
                ("/value/0/id".into(), "unknown-option"),
                ("/value/2".into(), "unknown-option"),
                ("/value/3".into(), "duplicate-option")
            ]
        );
        assert_eq!(e[0].kind, ViolationKind::UnknownOption("170".into()));
        assert_eq!(e[0].code(), crate::ErrorCode::Update);
        // No options: anything shaped like a reference.
        let none = EntityOptions::default();
        assert!(run_with(Some(&none), json!([170])).1.is_empty());
    }

    #[test]
    fn refused_ids() {
        for bad in [
            json!(1.5),
            json!(-1),
            json!(true),
            json!(null),
            json!([1]),
            json!(""),
            json!("-1"),
            json!("1-p"),
            json!("p--1"),
            json!("p-"),
            json!("-p"),
            json!("p 1"),
            json!("p.1"),
            json!("пример"),
            json!("_p"),
            json!(1e300),
            json!(-0.5),
        ] {
            assert_eq!(errs(json!([bad])), [("/value/0".into(), "entity-id")], "{bad}");
        }
        assert_eq!(errs(json!([{}])), [("/value/0".into(), "invalid-value")]);
        assert_eq!(errs(json!([1.5])), [("/value/0".into(), "entity-id")]);
        assert_eq!(errs(json!(1.5)), [("/value".into(), "entity-id")]);
        assert_eq!(errs(json!(true)), [("/value".into(), "invalid-value")]);
        assert_eq!(errs(json!("1,2")), [("/value".into(), "entity-id")]);
    }

    #[test]
    fn duplicates() {
        assert_eq!(errs(json!([1, 2, 1])), [("/value/2".into(), "duplicate-option")]);
        assert_eq!(errs(json!([1, "1"])), [("/value/1".into(), "duplicate-option")]);
        assert_eq!(errs(json!(["001", 1.0])), [("/value/1".into(), "duplicate-option")]);
        assert_eq!(errs(json!(["0", "000"])), [("/value/1".into(), "duplicate-option")]);
        assert_eq!(errs(json!(["p-1", "p-1"])), [("/value/1".into(), "duplicate-option")]);
        assert_eq!(stored(json!(["p-1", "P-1"])), json!(["p-1", "P-1"]), "product ids are case-sensitive");
        // The largest number and its digits are one id; digits beyond a u64 compare as text.
        assert_eq!(errs(json!([u64::MAX, "018446744073709551615"])), [("/value/1".into(), "duplicate-option")]);
        let huge = "18446744073709551616";
        assert_eq!(errs(json!([huge, format!("00{huge}")])), [("/value/1".into(), "duplicate-option")]);
        assert_eq!(stored(json!([huge, u64::MAX])), json!([huge, u64::MAX]));
        let e = run(json!([1, 1])).1;
        assert_eq!(e[0].kind, ViolationKind::DuplicateOption("1".into()));
    }

    #[test]
    fn every_problem_is_reported() {
        let e = run(json!([1, -1, true, 1, "ok", "x".repeat(200)])).1;
        let got: Vec<_> = e.iter().map(|e| (e.path.to_string(), e.rule())).collect();
        assert_eq!(
            got,
            [
                ("/value/1".into(), "entity-id"),
                ("/value/2".into(), "entity-id"),
                ("/value/3".into(), "duplicate-option"),
                ("/value/5".into(), "entity-id"),
            ]
        );
        assert_eq!(e[0].kind, ViolationKind::EntityId("-1".into()));
        let ViolationKind::EntityId(long) = &e[3].kind else { panic!() };
        assert!(long.chars().count() <= 65);
    }
}
