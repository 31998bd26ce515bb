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
    pub fn child(&self, segment: impl fmt::Display) -> Pointer {
        let segment = segment.to_string();
        let mut s = String::with_capacity(self.0.len() + segment.len() + 1);
        s.push_str(&self.0);
        s.push('/');
        for ch in segment.chars() {
            match ch {
                '~' => s.push_str("~0"),
                '/' => s.push_str("~1"),
                c => s.push(c),
            }
        }
        Pointer(s)
    }

    /// The pointer as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
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
    fn root_is_empty() {
        assert_eq!(Pointer::root().to_string(), "");
    }
}
