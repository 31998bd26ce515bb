//! JSON Pointers (RFC 6901) into the body *as sent*.
//!
//! Every violation carries one so a client can highlight the offending field. Pointers are
//! built lazily: the checkers hold the pointer of the value they look at and only build a
//! child pointer when they report something, so the happy path allocates nothing here.

use std::fmt;

/// A JSON Pointer such as `/formData/en_US/0/value/fullDate`. The empty pointer is the whole body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pointer(String);

impl Pointer {
    /// The pointer to the whole document.
    pub fn root() -> Self {
        Pointer(String::new())
    }

    /// The pointer to `segment` inside this one (`~` and `/` are escaped as RFC 6901 says).
    pub fn child(&self, segment: impl Segment) -> Pointer {
        let mut s = String::with_capacity(self.0.len() + 24);
        s.push_str(&self.0);
        s.push('/');
        segment.push_escaped(&mut s);
        Pointer(s)
    }

    /// The pointer as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a pointer segment can be made of: a key or an array index.
pub trait Segment {
    /// Appends the segment to `out`, with `~` and `/` escaped as `~0` and `~1`.
    fn push_escaped(&self, out: &mut String);
}

impl Segment for str {
    fn push_escaped(&self, out: &mut String) {
        if !self.contains(['~', '/']) {
            out.push_str(self);
            return;
        }
        for ch in self.chars() {
            match ch {
                '~' => out.push_str("~0"),
                '/' => out.push_str("~1"),
                c => out.push(c),
            }
        }
    }
}

impl Segment for String {
    fn push_escaped(&self, out: &mut String) {
        self.as_str().push_escaped(out)
    }
}

impl Segment for std::borrow::Cow<'_, str> {
    fn push_escaped(&self, out: &mut String) {
        self.as_ref().push_escaped(out)
    }
}

impl<T: Segment + ?Sized> Segment for &T {
    fn push_escaped(&self, out: &mut String) {
        (**self).push_escaped(out)
    }
}

/// Array indices (and numbers used as keys), in decimal.
macro_rules! integer_segments {
    ($($t:ty),*) => {$(
        impl Segment for $t {
            fn push_escaped(&self, out: &mut String) {
                #[allow(unused_comparisons)] // unsigned types are never negative
                if *self < 0 {
                    out.push('-');
                }
                push_decimal(out, (*self as i128).unsigned_abs());
            }
        }
    )*};
}
integer_segments!(usize, u32, u64, i32, i64);

/// Appends `n` in decimal.
fn push_decimal(out: &mut String, mut n: u128) {
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| d as char));
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Pointer> for String {
    fn from(p: Pointer) -> String {
        p.0
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
    fn root_is_empty() {
        assert_eq!(Pointer::root().to_string(), "");
    }
}
