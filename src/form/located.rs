//! Where a load problem is: [`Located`] pairs a kind (an error's or a warning's) with the file
//! and the attribute, and shows both the same way — `file: attribute `m`: message` as text and
//! `{"file", "attribute", "code", "message"}` as JSON, what `validate-body` and the fixtures show.

use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

/// A kind of load problem with a stable kebab-case code, what fixtures and tools match on.
pub trait Coded: fmt::Display {
    /// The stable name of the problem.
    fn code(&self) -> &'static str;
}

/// A load problem of kind `K` and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<K> {
    /// The file (or other source name) the form came from.
    pub file: String,
    /// The attribute's marker (or its place, `attributes[3]`, when it has no marker), or `None`
    /// when the problem is the form's.
    pub attribute: Option<String>,
    /// What is wrong or was ignored.
    pub kind: K,
}

impl<K: fmt::Display> fmt::Display for Located<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.attribute {
            Some(attribute) => write!(f, "{}: attribute `{attribute}`: {}", self.file, self.kind),
            None => write!(f, "{}: {}", self.file, self.kind),
        }
    }
}

impl<K: std::error::Error> std::error::Error for Located<K> {}

impl<K: Coded> Serialize for Located<K> {
    /// `{"file", "attribute", "code", "message"}` (`attribute` is `null` for the form's own).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("file", &self.file)?;
        m.serialize_entry("attribute", &self.attribute)?;
        m.serialize_entry("code", self.kind.code())?;
        m.serialize_entry("message", &self.kind.to_string())?;
        m.end()
    }
}
