//! Writing canonical JSON text straight into a `String`: how checkers build the values they
//! store (a [`crate::StoredValue`] is that text).
//!
//! The text is exactly what `serde_json::to_string` prints for the same value: compact, keys in
//! the order written, strings escaped as `serde_json` escapes them (`\"`, `\\`, the short forms
//! `\b \f \n \r \t`, other control characters as `\u00xx`, nothing else), numbers as
//! `serde_json::Number` prints them. Tests hold every checker's output to that.

use std::fmt::Write as _;

use super::{fast, Json, Num};

/// Appends `s` as a JSON string literal.
pub(crate) fn string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let b = s.as_bytes();
    let mut run = 0;
    let mut i = fast::plain_run_end(b, 0);
    while let Some(&c) = b.get(i) {
        // The second character of the escape: `n` for `\n`; `u` for `\u00xx`; 0 for none.
        let escape = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0x08 => b'b',
            0x0c => b'f',
            0..=0x1f => b'u',
            _ => 0,
        };
        if escape == 0 {
            i += 1; // only in the last bytes, which `plain_run_end` leaves to us
            continue;
        }
        out.push_str(&s[run..i]); // `c` is ASCII, so `i` is a char boundary
        out.push('\\');
        out.push(char::from(escape));
        if escape == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("00");
            out.push(char::from(HEX[usize::from(c >> 4)]));
            out.push(char::from(HEX[usize::from(c & 0xf)]));
        }
        i += 1;
        run = i;
        i = fast::plain_run_end(b, i);
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// Appends a number as `serde_json` prints it.
pub(crate) fn number(out: &mut String, n: Num) {
    match n {
        Num::PosInt(u) => unsigned(out, u),
        Num::NegInt(i) => {
            out.push('-');
            unsigned(out, i.unsigned_abs());
        }
        Num::Float(_) => {
            let _ = write!(out, "{n}"); // writing to a String cannot fail
        }
    }
}

/// Appends an unsigned integer.
pub(crate) fn unsigned(out: &mut String, n: u64) {
    out.push_str(decimal(n, &mut [0; 20]));
}

/// `n` in decimal, written at the end of `digits` (twenty digits hold any `u64`); numbers below
/// 100 (indices, counts) come from a table.
pub(crate) fn decimal(mut n: u64, digits: &mut [u8; 20]) -> &str {
    const SMALL: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839\
                         40414243444546474849505152535455565758596061626364656667686970717273747576777879\
                         8081828384858687888990919293949596979899";
    if n < 100 {
        let at = 2 * n as usize + usize::from(n < 10); // one digit below 10
        return SMALL.get(at..2 * n as usize + 2).unwrap_or_default();
    }
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&digits[at..]).unwrap_or_default() // ASCII digits
}

impl Json<'_> {
    /// Appends the value as compact JSON (members in their order, duplicates already resolved).
    pub fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(true) => out.push_str("true"),
            Json::Bool(false) => out.push_str("false"),
            Json::Number(n) => number(out, *n),
            Json::String(s) => string(out, s),
            Json::Array(items) => {
                let mut w = ArrayWriter::new(out);
                for v in items.iter() {
                    v.write(w.item());
                }
                w.end();
            }
            Json::Object(obj) => {
                let mut w = ObjectWriter::new(out);
                for (k, v) in obj.iter() {
                    v.write(w.key(k));
                }
                w.end();
            }
        }
    }
}

impl Json<'_> {
    /// The length of [`Json::write`]'s output, computed without writing it. Recursion is
    /// bounded by the parser's depth limit.
    pub fn serialized_len(&self) -> usize {
        match self {
            Json::Null | Json::Bool(true) => 4,
            Json::Bool(false) => 5,
            Json::Number(n) => number_len(*n),
            Json::String(s) => string_len(s),
            Json::Array(items) => {
                2 + items.len().saturating_sub(1) + items.iter().map(Json::serialized_len).sum::<usize>()
            }
            Json::Object(obj) => {
                2 + obj.len().saturating_sub(1)
                    + obj.iter().map(|(k, v)| string_len(k) + 1 + v.serialized_len()).sum::<usize>()
            }
        }
    }
}

/// The length of `s` written by [`string`].
fn string_len(s: &str) -> usize {
    let escapes: usize = s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 1,
            0..=0x1f => 5,
            _ => 0,
        })
        .sum();
    s.len() + escapes + 2
}

/// The length of [`number`]'s output.
fn number_len(n: Num) -> usize {
    struct Count(usize);
    impl std::fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = write!(count, "{n}"); // counting cannot fail
    count.0
}

/// The `,` before every element or member but the first of its container.
fn comma_unless_first(out: &mut String, first: &mut bool) {
    if !std::mem::replace(first, false) {
        out.push(',');
    }
}

/// Writes one JSON array element by element: `[`, then the elements, then `]` on
/// [`ArrayWriter::end`].
pub(crate) struct ArrayWriter<'o> {
    out: &'o mut String,
    empty: bool,
}

impl<'o> ArrayWriter<'o> {
    /// Opens an array.
    pub fn new(out: &'o mut String) -> Self {
        out.push('[');
        ArrayWriter { out, empty: true }
    }

    /// Writes a comma when needed and hands back the text for the next element, which the
    /// caller must then write, exactly one.
    pub fn item(&mut self) -> &mut String {
        comma_unless_first(self.out, &mut self.empty);
        self.out
    }

    /// Closes the array.
    pub fn end(self) {
        self.out.push(']');
    }
}

/// Writes one JSON object member by member: `{`, then `"key":value` pairs, then `}` on
/// [`ObjectWriter::end`].
pub(crate) struct ObjectWriter<'o> {
    out: &'o mut String,
    empty: bool,
}

impl<'o> ObjectWriter<'o> {
    /// Opens an object.
    pub fn new(out: &'o mut String) -> Self {
        out.push('{');
        ObjectWriter { out, empty: true }
    }

    /// Writes `"key":` (after a comma when needed) and hands back the text for the value,
    /// which the caller must then write, exactly one.
    pub fn key(&mut self, key: &str) -> &mut String {
        comma_unless_first(self.out, &mut self.empty);
        string(self.out, key);
        self.out.push(':');
        self.out
    }

    /// Writes `"name":` for a name the code knows (`fullDate`, `params`...), which needs no
    /// escaping, and hands back the text for the value, as [`ObjectWriter::key`] does.
    pub fn field(&mut self, name: &'static str) -> &mut String {
        debug_assert!(name.bytes().all(|c| c >= 0x20 && c != b'"' && c != b'\\'), "{name} needs escaping");
        comma_unless_first(self.out, &mut self.empty);
        self.out.push('"');
        self.out.push_str(name);
        self.out.push_str("\":");
        self.out
    }

    /// A string member under a known name.
    pub fn str(&mut self, name: &'static str, value: &str) -> &mut Self {
        string(self.field(name), value);
        self
    }

    /// A member under a known name whose value is already JSON text.
    pub fn raw(&mut self, name: &'static str, json: &str) -> &mut Self {
        self.field(name).push_str(json);
        self
    }

    /// Closes the object.
    pub fn end(self) {
        self.out.push('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn decimals_are_to_string() {
        for n in (0..1000).chain([9_999, 10_000, 123_456_789, u64::MAX - 1, u64::MAX]) {
            assert_eq!(decimal(n, &mut [0; 20]), n.to_string());
        }
    }

    fn written(v: &Value) -> String {
        let mut out = String::new();
        Json::from(v).write(&mut out);
        out
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut all: String = (0u8..0x80).map(char::from).collect();
        all.push_str("é😀\u{2028}\u{7f}\u{80}\"\\/ end");
        for s in [all.as_str(), "", "plain", "\"", "a\\b", "tab\there", "0123456789abcdef\u{1}"] {
            let mut out = String::new();
            string(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn values_are_written_as_serde_json_writes_them() {
        let v = json!({"a": [1, -2, 3.5, 1e300, 0.1, null, true, false, "x\ny"], "b": {}, "c": [], "é": {"k": "v"}});
        assert_eq!(written(&v), serde_json::to_string(&v).unwrap());
    }

    #[test]
    fn object_writer_separates_members() {
        let mut out = String::new();
        let mut w = ObjectWriter::new(&mut out);
        w.str("a", "1").raw("b", "[2]");
        unsigned(w.field("c"), 3);
        string(w.key("d\"e"), "f");
        w.end();
        assert_eq!(out, r#"{"a":"1","b":[2],"c":3,"d\"e":"f"}"#);
        let mut out = String::new();
        ObjectWriter::new(&mut out).end();
        assert_eq!(out, "{}");
        let mut out = String::new();
        let mut w = ArrayWriter::new(&mut out);
        unsigned(w.item(), 1);
        w.item().push_str("{}");
        w.end();
        assert_eq!(out, "[1,{}]");
        let mut out = String::new();
        ArrayWriter::new(&mut out).end();
        assert_eq!(out, "[]");
    }

    proptest::proptest! {
        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(s in "\\PC*|[\\x00-\\x7f]{0,40}") {
            let mut out = String::new();
            string(&mut out, &s);
            proptest::prop_assert_eq!(out, serde_json::to_string(&s).unwrap());
        }
    }
}
