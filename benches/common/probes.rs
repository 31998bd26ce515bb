//! How each parser of `parsers.rs` *reads* JSON, beside `serde_json` (with `float_roundtrip`,
//! as the library builds it): numbers, duplicate keys, lone surrogates, key order, depth, and
//! a sweep of random floats. A parser the engine used would have to read every body exactly
//! as `serde_json` does (stored values are written back from what was read), so a difference
//! here is a reason on its own not to switch, whatever the speed. `benches/paired.rs` prints
//! the table and checks every contender reads each bench body alike before timing it.

use serde_json::Value;
use simd_json::prelude::{TypedScalarValue, ValueAsScalar};
use sonic_rs::{JsonContainerTrait, JsonNumberTrait, JsonValueTrait};

use super::parsers::{self, Arena, Num, SimdJson, Tree};

/// A parsed value in one form for every parser: numbers by kind, objects as the parser kept
/// them (duplicate keys included), so that two readings compare with `==`.
#[derive(Debug, Clone, PartialEq)]
pub enum Plain {
    Null,
    Bool(bool),
    Int(i128),
    /// The bits, so that `-0.0` differs from `0.0`.
    Float(u64),
    Str(String),
    Arr(Vec<Plain>),
    Obj(Vec<(String, Plain)>),
}

impl Plain {
    /// Compact text: floats as Rust prints them (`-0.0`, `6e84`), integers without a point.
    pub fn text(&self) -> String {
        match self {
            Plain::Null => "null".into(),
            Plain::Bool(b) => b.to_string(),
            Plain::Int(i) => i.to_string(),
            Plain::Float(bits) => format!("{:?}", f64::from_bits(*bits)),
            Plain::Str(s) => format!("{s:?}"),
            Plain::Arr(a) => format!("[{}]", a.iter().map(Plain::text).collect::<Vec<_>>().join(",")),
            Plain::Obj(o) => {
                format!("{{{}}}", o.iter().map(|(k, v)| format!("{k:?}:{}", v.text())).collect::<Vec<_>>().join(","))
            }
        }
    }

    fn num(n: Num) -> Plain {
        match n {
            Num::PosInt(u) => Plain::Int(i128::from(u)),
            Num::NegInt(i) => Plain::Int(i128::from(i)),
            Num::Float(f) => Plain::Float(f.to_bits()),
        }
    }

    pub fn of_serde(v: &Value) -> Plain {
        match v {
            Value::Null => Plain::Null,
            Value::Bool(b) => Plain::Bool(*b),
            Value::Number(n) => n
                .as_i64()
                .map(i128::from)
                .or(n.as_u64().map(i128::from))
                .map_or_else(|| Plain::Float(n.as_f64().unwrap_or(f64::NAN).to_bits()), Plain::Int),
            Value::String(s) => Plain::Str(s.clone()),
            Value::Array(a) => Plain::Arr(a.iter().map(Plain::of_serde).collect()),
            Value::Object(o) => Plain::Obj(o.iter().map(|(k, v)| (k.clone(), Plain::of_serde(v))).collect()),
        }
    }

    pub fn of_tree(t: &Tree<'_>) -> Plain {
        match t {
            Tree::Null => Plain::Null,
            Tree::Bool(b) => Plain::Bool(*b),
            Tree::Number(n) => Plain::num(*n),
            Tree::String(s) => Plain::Str((*s).to_owned()),
            Tree::Array(a) => Plain::Arr(a.iter().map(Plain::of_tree).collect()),
            Tree::Object(o) => Plain::Obj(o.iter().map(|(k, v)| ((*k).to_owned(), Plain::of_tree(v))).collect()),
        }
    }

    pub fn of_simd(v: &simd_json::BorrowedValue<'_>) -> Plain {
        use simd_json::BorrowedValue as B;
        match v {
            B::Static(_) if v.is_null() => Plain::Null,
            B::Static(_) => v
                .as_bool()
                .map(Plain::Bool)
                .or(v.as_i64().map(|i| Plain::Int(i.into())))
                .or(v.as_u64().map(|u| Plain::Int(u.into())))
                .unwrap_or_else(|| Plain::Float(v.as_f64().unwrap_or(f64::NAN).to_bits())),
            B::String(s) => Plain::Str(s.to_string()),
            B::Array(a) => Plain::Arr(a.iter().map(Plain::of_simd).collect()),
            B::Object(o) => Plain::Obj(o.iter().map(|(k, v)| (k.to_string(), Plain::of_simd(v))).collect()),
        }
    }

    pub fn of_sonic(v: &sonic_rs::Value) -> Plain {
        if let Some(o) = v.as_object() {
            return Plain::Obj(o.iter().map(|(k, v)| (k.to_owned(), Plain::of_sonic(v))).collect());
        }
        if let Some(a) = v.as_array() {
            return Plain::Arr(a.iter().map(Plain::of_sonic).collect());
        }
        if let Some(s) = v.as_str() {
            return Plain::Str(s.to_owned());
        }
        if let Some(b) = v.as_bool() {
            return Plain::Bool(b);
        }
        match v.as_number() {
            Some(n) if n.is_f64() => Plain::Float(n.as_f64().unwrap_or(f64::NAN).to_bits()),
            Some(n) => Plain::Int(n.as_i64().map(i128::from).or(n.as_u64().map(i128::from)).unwrap_or(0)),
            None => Plain::Null,
        }
    }
}

/// The contenders, by name, each reading one text into a [`Plain`] (`None`: refused).
pub const READERS: [&str; 6] =
    ["serde_json", "ours", "simd-json value", "simd-json → Json", "sonic-rs value", "sonic-rs → Json"];

/// Every contender's reading of `text`, in [`READERS`]' order.
#[allow(clippy::let_and_return)] // the `let` orders the drops: see below
pub fn readings(text: &[u8], simd: &mut SimdJson) -> Vec<Option<Plain>> {
    let arena = Arena::new();
    // A `let`, so that the values borrowing from the arena are dropped before it.
    let read = vec![
        serde_json::from_slice::<Value>(text).ok().as_ref().map(Plain::of_serde),
        parsers::ours(text, &arena).and_then(|j| serde_json::to_value(j).ok()).as_ref().map(Plain::of_serde),
        simd.value(text, &arena).as_ref().map(Plain::of_simd),
        simd.tree(text, &arena).as_ref().map(Plain::of_tree),
        parsers::sonic_value(text).as_ref().map(Plain::of_sonic),
        parsers::sonic_tree(text, &arena).as_ref().map(Plain::of_tree),
    ];
    read
}

/// The hand-picked probes: what each is about, and its text.
fn probes() -> Vec<(&'static str, Vec<u8>)> {
    let keys = (0..40).map(|i| format!("\"k{}\":{i}", (i * 7) % 40)).collect::<Vec<_>>().join(",");
    let nest = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
    let probes: Vec<(&str, String)> = vec![
        ("6e84 (float_roundtrip)", "6e84".into()),
        ("0.1 + 0.2", "0.30000000000000004".into()),
        ("17 digits, near a tie", "2.2250738585072011e-308".into()),
        ("smallest subnormal", "5e-324".into()),
        ("overflow", "1e400".into()),
        ("negative zero", "-0".into()),
        ("negative zero, float", "-0.0".into()),
        ("u64::MAX + 1", "18446744073709551616".into()),
        ("i64::MIN - 1", "-9223372036854775809".into()),
        ("duplicate keys", r#"{"a":1,"b":2,"a":3}"#.into()),
        ("lone surrogate", r#""\ud800""#.into()),
        ("escaped NUL", r#""a\u0000b""#.into()),
        ("escaped key", r#"{"k\u00e9\n":1}"#.into()),
        ("40 keys, order", format!("{{{keys}}}")),
        ("127 levels", nest(127)),
        ("128 levels", nest(128)),
        ("trailing comma", "[1,]".into()),
    ];
    let mut probes: Vec<(&str, Vec<u8>)> = probes.into_iter().map(|(what, text)| (what, text.into_bytes())).collect();
    probes.push(("invalid UTF-8", vec![b'"', 0x80, b'"']));
    probes
}

/// The probe table: each probe's reading by `serde_json`, then `=` where a contender reads the
/// same, `refused` or its own reading where not. The number of differences comes back.
pub fn print_table(simd: &mut SimdJson) -> usize {
    let mut differences = 0;
    println!("| probe | text | {} |", READERS.join(" | "));
    println!("|---|---|{}", "---|".repeat(READERS.len()));
    for (what, bytes) in probes() {
        let read = readings(&bytes, simd);
        let reference = read.first().cloned().flatten();
        let show = |r: &Option<Plain>| r.as_ref().map_or("refused".to_owned(), |p| short(&p.text()));
        let cells: Vec<String> = read
            .iter()
            .enumerate()
            .map(|(i, r)| {
                if i > 0 && *r == reference {
                    return "=".to_owned();
                }
                if i > 0 {
                    differences += 1;
                    return format!("**{}**", show(r));
                }
                show(r)
            })
            .collect();
        println!("| {what} | `{}` | {} |", short(&String::from_utf8_lossy(&bytes)), cells.join(" | "));
    }
    differences
}

/// At most 40 characters of `s`.
fn short(s: &str) -> String {
    if s.chars().count() <= 40 {
        return s.to_owned();
    }
    format!("{}…", s.chars().take(39).collect::<String>())
}

/// Random floats read by every contender: per contender, how many of `n` it reads to other
/// bits than `serde_json` does (or refuses). Three spellings per float: Rust's shortest
/// round-trip form, 17 significant digits, and 20 random digits with a random exponent (where
/// approximate readers go wrong).
pub fn float_sweep(n: usize, simd: &mut SimdJson) -> Vec<usize> {
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut wrong = vec![0; READERS.len()];
    for i in 0..n {
        let f = f64::from_bits(next());
        let text = match i % 3 {
            _ if !f.is_finite() => continue,
            0 => format!("{f:e}"),
            1 => format!("{f:.16e}"),
            _ => {
                let sign = if next() % 2 == 0 { "-" } else { "" };
                format!("{}.{:019}e{sign}{}", next() % 9 + 1, next() % 10_000_000_000_000_000_000, next() % 330)
            }
        };
        let read = readings(text.as_bytes(), simd);
        let reference = read.first().cloned().flatten();
        for (w, r) in wrong.iter_mut().zip(&read) {
            *w += usize::from(*r != reference);
        }
    }
    wrong
}
