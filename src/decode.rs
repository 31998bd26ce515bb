//! Bytes → [`Body`]: the first step of the flow.
//!
//! Hostile input is bounded before anything is allocated for it: the size is checked first,
//! then the document is parsed into a borrowed [`Json`] tree by a parser that counts nesting
//! and stops at the depth limit (so it can never recurse or build deeper than the limit),
//! then the tree is walked for string lengths (only when the body is longer than the string
//! limit), entry counts and the size of `state`. Any of these, malformed JSON, or a body whose parts
//! have no accepted shape, is a body-level 3024 that stops processing.
//!
//! `formData` comes in three shapes (one entry, an array of entries, or an object keyed by
//! language code whose values are an entry or an array); all become a flat list of [`Entry`]s
//! that remember their language and their JSON Pointer in the body as sent.

use crate::error::{Violation, ViolationKind};
use crate::json::{self, Arena, Json, Object, ParseError};
use crate::pointer::Pointer;
use crate::registry::Limits;

/// A decoded `IUserBody`, borrowing from the bytes. Values are still unchecked JSON: checking
/// needs the form.
#[derive(Debug, Clone)]
pub(crate) struct Body<'a> {
    /// Where the tree lives; later steps put their own short-lived trees there too.
    pub arena: &'a Arena,
    /// `formIdentifier`.
    pub form_identifier: &'a str,
    /// `langCode`, when the body gives one.
    pub lang_code: Option<&'a str>,
    /// `authData` entries.
    pub auth: Vec<AuthEntry<'a>>,
    /// `formData` entries, in body order.
    pub entries: Vec<Entry<'a>>,
    /// `notificationData`, when given.
    pub notification: Option<Object<'a>>,
    /// `state`, when given and not `null`.
    pub state: Option<Json<'a>>,
}

/// One `formData` entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry<'a> {
    /// The language it belongs to: the key of the keyed shape, else `None` (the body's
    /// `langCode`, or the default).
    pub lang: Option<&'a str>,
    /// Its marker.
    pub marker: &'a str,
    /// Its `type`, as sent (`None` when absent).
    pub kind: Option<Json<'a>>,
    /// Its `value`, as sent (`None` when absent).
    pub value: Option<Json<'a>>,
    /// Pointer to the entry object.
    pub path: Pointer,
}

/// One `authData` entry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AuthEntry<'a> {
    /// Its marker.
    pub marker: &'a str,
    /// Its value, as sent (`None` when absent).
    pub value: Option<Json<'a>>,
    /// Pointer to the entry object.
    pub path: Pointer,
}

/// How much longer than the body `state`'s compact text can be, at most (see `decode`).
const STATE_GROWTH: usize = 8;

/// Decodes `bytes` within `limits`; the parsed tree lives in `arena`.
pub(crate) fn decode<'a>(bytes: &'a [u8], arena: &'a Arena, limits: &Limits) -> Result<Body<'a>, Box<Violation>> {
    let root = Pointer::root();
    if bytes.len() > limits.max_body_bytes {
        return Err(Box::new(Violation::new(
            root,
            ViolationKind::BodyTooLarge { size: bytes.len(), limit: limits.max_body_bytes },
        )));
    }
    // No configured limit takes a body past what `serde_json` can read back.
    let max_depth = limits.max_depth.min(json::MAX_NESTING);
    let doc = json::parse(bytes, arena, max_depth).map_err(|e| {
        let kind = match e {
            ParseError::TooDeep => ViolationKind::TooDeep { limit: max_depth },
            ParseError::Malformed(m) => ViolationKind::MalformedJson(m),
        };
        Box::new(Violation::new(Pointer::root(), kind))
    })?;
    check_strings(&doc, bytes.len(), limits.max_string_bytes)?;
    let Json::Object(top) = doc else {
        return Err(shape(root, "the body must be a JSON object"));
    };

    let form_identifier = match top.get("formIdentifier").copied() {
        Some(Json::String(s)) if !s.is_empty() => s,
        _ => return Err(Box::new(Violation::new(root.child("formIdentifier"), ViolationKind::MissingFormIdentifier))),
    };
    let lang_code = match top.get("langCode").copied() {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) => Some(s),
        Some(_) => return Err(shape(root.child("langCode"), "langCode must be a string")),
    };
    let entries = form_data(top.get("formData").copied().unwrap_or_default(), &root.child("formData"))?;
    let auth = auth_data(top.get("authData").copied().unwrap_or_default(), &root.child("authData"))?;
    let count = entries.len() + auth.len();
    if count > limits.max_entries {
        return Err(Box::new(Violation::new(root, ViolationKind::TooManyEntries { count, limit: limits.max_entries })));
    }
    let notification = match top.get("notificationData").copied() {
        None | Some(Json::Null) => None,
        Some(Json::Object(m)) => Some(m),
        Some(_) => return Err(shape(root.child("notificationData"), "notificationData must be an object")),
    };
    let state = match top.get("state").copied() {
        None | Some(Json::Null) => None,
        Some(s) => {
            // Compact text is never longer than the text read, but for numbers (`1e15` prints
            // as `1000000000000000.0`), and those grow less than fivefold with their
            // separator: a body within an eighth of the limit needs no measuring.
            let size = if bytes.len() <= limits.max_state_bytes / STATE_GROWTH { 0 } else { s.serialized_len() };
            if size > limits.max_state_bytes {
                return Err(Box::new(Violation::new(
                    root.child("state"),
                    ViolationKind::StateTooLarge { size, limit: limits.max_state_bytes },
                )));
            }
            Some(s)
        }
    };
    Ok(Body { arena, form_identifier, lang_code, auth, entries, notification, state })
}

#[cold]
fn shape(path: Pointer, what: &str) -> Box<Violation> {
    Box::new(Violation::new(path, ViolationKind::InvalidShape(what.to_owned())))
}

/// Every string and key within `max` bytes. Allocates nothing unless one is too long (then
/// its pointer is built on the way back up); a body no longer than `max` is not walked at all.
/// Recursion is bounded by the depth limit.
fn check_strings(v: &Json<'_>, body_len: usize, max: usize) -> Result<(), Box<Violation>> {
    if body_len <= max {
        return Ok(());
    }
    match long_string(v, max) {
        None => Ok(()),
        Some((segments, len)) => {
            let path = segments.iter().rev().fold(Pointer::root(), |p, s| p.child(s));
            Err(Box::new(Violation::new(path, ViolationKind::StringTooLong { len, limit: max })))
        }
    }
}

/// The first string (or key) longer than `max`: its path segments, innermost first, and length.
fn long_string(v: &Json<'_>, max: usize) -> Option<(Vec<String>, usize)> {
    let inside = |seg: String, found: Option<(Vec<String>, usize)>| {
        found.map(|(mut p, len)| {
            p.push(seg);
            (p, len)
        })
    };
    match v {
        Json::String(s) if s.len() > max => Some((Vec::new(), s.len())),
        Json::Array(a) => a.iter().enumerate().find_map(|(i, x)| inside(i.to_string(), long_string(x, max))),
        Json::Object(m) => m.iter().find_map(|(k, x)| {
            if k.len() > max {
                Some((Vec::new(), k.len()))
            } else {
                inside(k.to_owned(), long_string(x, max))
            }
        }),
        _ => None,
    }
}

/// The three shapes of `formData`.
fn form_data<'a>(v: Json<'a>, path: &Pointer) -> Result<Vec<Entry<'a>>, Box<Violation>> {
    let mut out = Vec::new();
    match v {
        Json::Null => {}
        Json::Object(m) if m.contains_key("marker") => out.push(entry(m, None, path.clone())?),
        Json::Array(items) => entries(items, None, path, &mut out)?,
        Json::Object(by_lang) => {
            for (lang, v) in by_lang.iter() {
                let p = path.child(lang);
                match v {
                    Json::Object(m) => out.push(entry(*m, Some(lang), p)?),
                    Json::Array(items) => entries(items, Some(lang), &p, &mut out)?,
                    _ => return Err(shape(p, "formData keyed by language must hold an entry or an array of entries")),
                }
            }
        }
        _ => {
            return Err(shape(
                path.clone(),
                "formData must be an entry, an array of entries or an object keyed by language",
            ))
        }
    }
    Ok(out)
}

fn entries<'a>(
    items: &'a [Json<'a>],
    lang: Option<&'a str>,
    path: &Pointer,
    out: &mut Vec<Entry<'a>>,
) -> Result<(), Box<Violation>> {
    out.reserve(items.len());
    for (i, item) in items.iter().enumerate() {
        let p = path.child(i);
        match item {
            Json::Object(m) => out.push(entry(*m, lang, p)?),
            _ => return Err(shape(p, "a formData entry must be an object {marker, type, value}")),
        }
    }
    Ok(())
}

fn entry<'a>(m: Object<'a>, lang: Option<&'a str>, path: Pointer) -> Result<Entry<'a>, Box<Violation>> {
    let marker = match m.get("marker") {
        Some(Json::String(s)) if !s.is_empty() => s,
        _ => return Err(shape(path.child("marker"), "an entry's marker must be a non-empty string")),
    };
    Ok(Entry { lang, marker, kind: m.get("type").copied(), value: m.get("value").copied(), path })
}

fn auth_data<'a>(v: Json<'a>, path: &Pointer) -> Result<Vec<AuthEntry<'a>>, Box<Violation>> {
    let lone;
    let items = match &v {
        Json::Null => return Ok(Vec::new()),
        Json::Array(items) => {
            lone = false;
            *items
        }
        Json::Object(_) => {
            lone = true;
            std::slice::from_ref(&v)
        }
        _ => return Err(shape(path.clone(), "authData must be an array of {marker, value}")),
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let p = if lone { path.clone() } else { path.child(i) };
        let Json::Object(m) = item else {
            return Err(shape(p, "an authData entry must be an object {marker, value}"));
        };
        let marker = match m.get("marker") {
            Some(Json::String(s)) if !s.is_empty() => s,
            _ => return Err(shape(p.child("marker"), "an authData marker must be a non-empty string")),
        };
        out.push(AuthEntry { marker, value: m.get("value").copied(), path: p });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_in<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Body<'a>, Box<Violation>> {
        decode(bytes, crate::json::test_arena(), limits)
    }
    use serde_json::{json, Value};

    fn dec(v: Value) -> Result<Body<'static>, Box<Violation>> {
        let bytes: &'static [u8] = crate::json::test_keep(serde_json::to_vec(&v).unwrap().into_boxed_slice());
        decode_in(bytes, &Limits::default())
    }

    fn paths(b: &Body) -> Vec<(Option<String>, String, String)> {
        b.entries.iter().map(|e| (e.lang.map(str::to_owned), e.marker.to_string(), e.path.to_string())).collect()
    }

    /// A limit set above `serde_json`'s depth is held at it: a body nested 128 deep is
    /// `too-deep` at 127, never parsed into something that could not be read back.
    #[test]
    fn depth_limit_never_exceeds_what_serde_json_reads() {
        let limits = Limits { max_depth: 1000, ..Limits::default() };
        let deep = |n: usize| format!(r#"{{"formIdentifier":"reg","state":{}1{}}}"#, "[".repeat(n), "]".repeat(n));
        let refused = deep(127);
        let err = decode_in(refused.as_bytes(), &limits).map(|_| ()).unwrap_err();
        assert_eq!(err.kind, ViolationKind::TooDeep { limit: 127 });
        let accepted = deep(126);
        assert!(decode_in(accepted.as_bytes(), &limits).is_ok(), "126 arrays inside the body is 127 levels");
    }

    #[test]
    fn three_form_data_shapes() {
        let one =
            dec(json!({"formIdentifier": "reg", "formData": {"marker": "a", "type": "string", "value": "x"}})).unwrap();
        assert_eq!(paths(&one), vec![(None, "a".into(), "/formData".into())]);
        let arr = dec(json!({"formIdentifier": "reg", "formData": [{"marker": "a"}, {"marker": "b"}]})).unwrap();
        assert_eq!(paths(&arr)[1], (None, "b".into(), "/formData/1".into()));
        let keyed =
            dec(json!({"formIdentifier": "reg", "formData": {"en_US": [{"marker": "a"}], "ru_RU": {"marker": "b"}}}))
                .unwrap();
        assert_eq!(
            paths(&keyed),
            vec![
                (Some("en_US".into()), "a".into(), "/formData/en_US/0".into()),
                (Some("ru_RU".into()), "b".into(), "/formData/ru_RU".into())
            ]
        );
    }

    #[test]
    fn body_level_errors() {
        let rule = |v: Value| dec(v).unwrap_err().rule();
        assert_eq!(rule(json!([])), "invalid-shape");
        assert_eq!(rule(json!({})), "missing-form-identifier");
        assert_eq!(rule(json!({"formIdentifier": 5})), "missing-form-identifier");
        assert_eq!(rule(json!({"formIdentifier": "r", "formData": 5})), "invalid-shape");
        assert_eq!(rule(json!({"formIdentifier": "r", "formData": [{"type": "string"}]})), "invalid-shape");
        assert_eq!(rule(json!({"formIdentifier": "r", "formData": {"en_US": "x"}})), "invalid-shape");
        assert_eq!(rule(json!({"formIdentifier": "r", "authData": "x"})), "invalid-shape");
        assert_eq!(decode_in(b"{\"formIdentifier\": ", &Limits::default()).unwrap_err().rule(), "malformed-json");
        assert_eq!(decode_in(b"\xff\xfe", &Limits::default()).unwrap_err().rule(), "malformed-json");
    }

    #[test]
    fn limits() {
        let l = Limits::default();
        let deep = format!("{}{}", "[".repeat(33), "]".repeat(33));
        assert_eq!(decode_in(deep.as_bytes(), &l).unwrap_err().rule(), "too-deep");
        let deep_ok = format!("{{\"formIdentifier\":\"r\",\"state\":{}1{}}}", "[".repeat(31), "]".repeat(31));
        assert!(decode_in(deep_ok.as_bytes(), &l).is_ok());
        let brackets_in_string = format!("{{\"formIdentifier\":\"{}\\\"\"}}", "[".repeat(100));
        assert!(decode_in(brackets_in_string.as_bytes(), &l).is_ok());
        let huge = vec![b' '; (1 << 20) + 1];
        assert_eq!(decode_in(&huge, &l).unwrap_err().rule(), "body-too-large");
        let long =
            dec(json!({"formIdentifier": "r", "formData": [{"marker": "a", "value": "x".repeat(65537)}]})).unwrap_err();
        assert_eq!((long.rule(), long.path.as_str()), ("string-too-long", "/formData/0/value"));
        let many: Vec<Value> = (0..1001).map(|i| json!({"marker": format!("m{i}")})).collect();
        assert_eq!(dec(json!({"formIdentifier": "r", "formData": many})).unwrap_err().rule(), "too-many-entries");
        let state = dec(json!({"formIdentifier": "r", "state": {"k": "x".repeat(17000)}})).unwrap_err();
        assert_eq!(state.rule(), "state-too-large");
    }

    /// `decode` skips measuring `state` in bodies within `1 / STATE_GROWTH` of its limit: no
    /// number may print more than that many times longer than it was sent (with a separator).
    #[test]
    fn numbers_grow_less_than_the_state_bound() {
        let mut worst = (0.0, String::new());
        for mantissa in ["1", "9", "-9", "0", "-0", "0.1", "5", "-1.5", "1.7976931348623157"] {
            for exp in ["", "e", "E", "e+", "e-", "E-"] {
                for power in (0..400).map(|p| p.to_string()).chain([String::new()]) {
                    let sent = format!("{mantissa}{exp}{power}");
                    let Ok(v) = serde_json::from_str::<Value>(&sent) else { continue };
                    let growth = (serde_json::to_string(&v).unwrap().len() + 1) as f64 / (sent.len() + 1) as f64;
                    if growth > worst.0 {
                        worst = (growth, sent);
                    }
                }
            }
        }
        assert!(worst.0 < 5.0, "less than fivefold, as `decode` says: {worst:?}");
        assert!(5.0 < STATE_GROWTH as f64);
        // Beyond the skip, a state that grows past the limit is measured and refused.
        let limits = Limits { max_state_bytes: 8 * 64, ..Limits::default() };
        let grown = format!("{{\"formIdentifier\":\"r\",\"state\":[{}1e15]}}", "1e15,".repeat(30));
        assert_eq!(decode_in(grown.as_bytes(), &limits).unwrap_err().rule(), "state-too-large");
    }
}
