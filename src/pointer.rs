//! JSON Pointers (RFC 6901) into the body *as sent*.
//!
//! Every violation carries one so a client can highlight the offending field. Pointers are
//! built lazily: the checkers hold the pointer of the value they look at and only build a
//! child pointer when they report something. The pointers the happy path does build (one per
//! entry and one per entry's `value`) are short, and a pointer of up to 38 bytes is
//! kept inline, so the happy path allocates nothing here.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

/// Pointers up to this many bytes live inside the value: `/formData/en_US/12/value` needs 24.
const INLINE: usize = 38;

/// A JSON Pointer such as `/formData/en_US/0/value/fullDate`. The empty pointer is the whole body.
#[derive(Clone)]
pub struct Pointer(Repr);

#[derive(Clone)]
enum Repr {
    /// The first `len` bytes of `bytes`, always whole UTF-8 (only whole `str`s are appended).
    Inline {
        len: u8,
        bytes: [u8; INLINE],
    },
    Heap(String),
}

impl Pointer {
    /// The pointer to the whole document.
    pub fn root() -> Self {
        Pointer(Repr::Inline { len: 0, bytes: [0; INLINE] })
    }

    /// The pointer to `segment` inside this one (`~` and `/` are escaped as RFC 6901 says).
    pub fn child(&self, segment: impl Segment) -> Pointer {
        let mut p = self.clone();
        p.push_byte(b'/');
        segment.push_escaped(&mut p);
        p
    }

    /// The pointer as text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Always valid: only whole `str`s are ever appended.
            Repr::Inline { len, bytes } => std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default(),
            Repr::Heap(s) => s,
        }
    }

    /// Appends the ASCII byte `c`.
    fn push_byte(&mut self, c: u8) {
        debug_assert!(c.is_ascii());
        match &mut self.0 {
            Repr::Inline { len, bytes } if usize::from(*len) < INLINE => {
                bytes[usize::from(*len)] = c;
                *len += 1;
            }
            _ => self.push_str(char::from(c).encode_utf8(&mut [0; 4])),
        }
    }

    /// Appends `s` as it is (segments escape themselves first).
    fn push_str(&mut self, s: &str) {
        match &mut self.0 {
            Repr::Inline { len, bytes } => {
                let at = usize::from(*len);
                match bytes.get_mut(at..at + s.len()) {
                    Some(room) => {
                        room.copy_from_slice(s.as_bytes());
                        *len += s.len() as u8; // at most INLINE, which fits a u8
                    }
                    _ => {
                        let mut heap = String::with_capacity(at + s.len() + 16);
                        heap.push_str(self.as_str());
                        heap.push_str(s);
                        self.0 = Repr::Heap(heap);
                    }
                }
            }
            Repr::Heap(heap) => heap.push_str(s),
        }
    }
}

impl Default for Pointer {
    fn default() -> Self {
        Pointer::root()
    }
}

impl PartialEq for Pointer {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Pointer {}

impl Hash for Pointer {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl PartialOrd for Pointer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Pointer {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Debug for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Pointer").field(&self.as_str()).finish()
    }
}

/// What a pointer segment can be made of: a key or an array index (implemented for the string
/// types and the integer types).
pub trait Segment {
    /// Appends the segment to `out`, with `~` and `/` escaped as `~0` and `~1`.
    fn push_escaped(&self, out: &mut Pointer);
}

impl Segment for str {
    fn push_escaped(&self, out: &mut Pointer) {
        if !self.bytes().any(|b| b == b'~' || b == b'/') {
            return out.push_str(self); // the usual key
        }
        let mut rest = self;
        while let Some(at) = rest.bytes().position(|b| b == b'~' || b == b'/') {
            out.push_str(&rest[..at]);
            out.push_str(if rest.as_bytes()[at] == b'~' { "~0" } else { "~1" });
            rest = &rest[at + 1..];
        }
        out.push_str(rest);
    }
}

impl Segment for String {
    fn push_escaped(&self, out: &mut Pointer) {
        self.as_str().push_escaped(out)
    }
}

impl Segment for std::borrow::Cow<'_, str> {
    fn push_escaped(&self, out: &mut Pointer) {
        self.as_ref().push_escaped(out)
    }
}

impl<T: Segment + ?Sized> Segment for &T {
    fn push_escaped(&self, out: &mut Pointer) {
        (**self).push_escaped(out)
    }
}

/// Array indices (and numbers used as keys), in decimal.
macro_rules! integer_segments {
    ($($t:ty),*) => {$(
        impl Segment for $t {
            fn push_escaped(&self, out: &mut Pointer) {
                #[allow(unused_comparisons)] // unsigned types are never negative
                if *self < 0 {
                    out.push_byte(b'-');
                }
                // Every magnitude of these types fits a u64 (i64::MIN's is 2^63).
                push_decimal(out, (*self as i128).unsigned_abs() as u64);
            }
        }
    )*};
}
integer_segments!(usize, u32, u64, i32, i64);

/// Appends `n` in decimal.
fn push_decimal(out: &mut Pointer, n: u64) {
    out.push_str(crate::json::write::decimal(n, &mut [0; 20]));
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<Pointer> for String {
    fn from(p: Pointer) -> String {
        match p.0 {
            Repr::Heap(s) => s,
            Repr::Inline { .. } => p.as_str().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_tilde_and_slash() {
        let p = Pointer::root().child("formData").child("a/b~c").child(0);
        assert_eq!(p.as_str(), "/formData/a~1b~0c/0");
    }

    #[test]
    fn integer_segments() {
        let p = Pointer::root().child(0usize).child(1234567890u64).child(-12i32).child(i64::MIN);
        assert_eq!(p.as_str(), "/0/1234567890/-12/-9223372036854775808");
    }

    #[test]
    fn long_pointers_move_to_the_heap_unchanged() {
        let mut p = Pointer::root();
        let mut text = String::new();
        for i in 0..40 {
            let seg = if i % 3 == 0 { "é/~x".to_owned() } else { i.to_string() };
            p = p.child(seg.as_str());
            text.push('/');
            text.push_str(&seg.replace('~', "~0").replace('/', "~1"));
            assert_eq!(p.as_str(), text);
        }
        assert!(text.len() > INLINE);
        let short = Pointer::root().child("formData").child("en_US").child(12).child("value");
        assert!(matches!(short.0, Repr::Inline { .. }), "the happy path's pointers stay inline");
        assert_eq!(String::from(short.clone()), "/formData/en_US/12/value");
        assert_eq!(String::from(p.clone()), text);
        assert!(short < p.clone() || short > p.clone());
        assert_eq!(format!("{short:?}"), "Pointer(\"/formData/en_US/12/value\")");
    }

    #[test]
    fn root_is_empty() {
        assert_eq!(Pointer::root().to_string(), "");
    }
}
