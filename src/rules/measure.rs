//! What the validators look at in a value that passed its type's shape checks.
//!
//! The type checkers ([`crate::types`]) build a [`Measure`] for each value; the rules read it.
//! It borrows from the body where it can (`'a`, the parsed tree's lifetime), so measuring a
//! string or a file copies nothing.

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset};

use crate::pointer::Pointer;

/// What the validators measure in a parsed value. It borrows from the body where it can
/// (`'a`, the parsed tree's lifetime), so measuring a string or a file copies nothing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Measure<'a> {
    /// A string, or the plain text of a text value: length, email, pattern and mask rules.
    Text(Cow<'a, str>),
    /// A number: range rules.
    Number(f64),
    /// A point in time: date range rules.
    Instant(DateTime<FixedOffset>),
    /// Files or images: the file rules.
    Files(Vec<FileMeta<'a>>),
    /// A count of chosen items (options, entities, intervals): item-count rules.
    Items(usize),
    /// Nothing to measure (a solved captcha).
    Nothing,
}

/// What the file rules need to know of one file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FileMeta<'a> {
    /// Pointer to the file object in the body.
    pub path: Pointer,
    /// Its `filename`.
    pub filename: &'a str,
    /// Its `size` in bytes.
    pub size: u64,
    /// The host of its `downloadLink`, lower-cased (borrowed when it already was).
    pub host: Cow<'a, str>,
}
