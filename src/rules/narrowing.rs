//! What JSON Schema can say exactly about a value under a set of validators: each validator's
//! contribution to the exported schema, written by the validator's own file (the `describe`
//! of its line in [`super::VALIDATORS`]) and placed into the value's shape by `crate::schema`.
//!
//! A contribution only narrows: bounds meet (the larger minimum, the smaller maximum),
//! patterns add up, so the order of the table does not change what the schema accepts. A
//! validator that JSON Schema cannot state exactly (an e-mail's syntax, a date's bounds, a
//! comparison) contributes nothing, which keeps the export sound: every value the engine
//! accepts is valid against it.

use super::{Rules, VALIDATORS};

/// What the validators of one attribute say about its value, in JSON Schema's terms. The
/// default says nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Narrowing {
    /// An empty value is refused (`requiredValidator`), unless a default fills it.
    pub refuses_empty: bool,
    /// An empty value takes a default (`defaultValueValidator`).
    pub fills_empty: bool,
    /// Strings are trimmed before they are checked (`trimValidator`): of the string
    /// constraints, only a minimum length still holds for the value as sent.
    pub trimmed: bool,
    /// Fewest characters of a string (`0`: no minimum).
    pub min_chars: usize,
    /// Most characters of a string.
    pub max_chars: Option<usize>,
    /// Patterns (ECMA 262) every string must match, in the table's order.
    pub patterns: Vec<String>,
    /// Smallest number, when JSON Schema compares it as the engine does.
    pub minimum: Option<f64>,
    /// Largest number, when JSON Schema compares it as the engine does.
    pub maximum: Option<f64>,
    /// Fewest items of a non-empty array.
    pub min_items: Option<usize>,
    /// Most items of an array.
    pub max_items: Option<usize>,
    /// Largest file, in bytes.
    pub max_file_bytes: Option<u64>,
    /// The pattern every file name matches (only `checkingFilesValidator` says one).
    pub file_name_pattern: Option<String>,
}

/// The smaller of two optional upper bounds (`None`: unbounded).
fn lower<T: Ord>(a: Option<T>, b: T) -> Option<T> {
    Some(match a {
        Some(a) => a.min(b),
        None => b,
    })
}

impl Narrowing {
    /// At least `n` characters.
    pub(crate) fn at_least_chars(&mut self, n: usize) {
        self.min_chars = self.min_chars.max(n);
    }

    /// At most `n` characters.
    pub(crate) fn at_most_chars(&mut self, n: usize) {
        self.max_chars = lower(self.max_chars, n);
    }

    /// Matching `pattern` (ECMA 262, as a JSON Schema `pattern` reads it).
    pub(crate) fn matching(&mut self, pattern: String) {
        self.patterns.push(pattern);
    }

    /// At least `n`.
    pub(crate) fn at_least(&mut self, n: f64) {
        self.minimum = Some(self.minimum.map_or(n, |m| m.max(n)));
    }

    /// At most `n`.
    pub(crate) fn at_most(&mut self, n: f64) {
        self.maximum = Some(self.maximum.map_or(n, |m| m.min(n)));
    }

    /// A non-empty array has at least `n` items.
    pub(crate) fn at_least_items(&mut self, n: usize) {
        self.min_items = Some(self.min_items.map_or(n, |m| m.max(n)));
    }

    /// An array has at most `n` items.
    pub(crate) fn at_most_items(&mut self, n: usize) {
        self.max_items = lower(self.max_items, n);
    }

    /// Each file has at most `bytes` bytes.
    pub(crate) fn files_at_most(&mut self, bytes: u64) {
        self.max_file_bytes = lower(self.max_file_bytes, bytes);
    }
}

impl Rules {
    /// What these validators say about a value, each through its own line of the table.
    pub(crate) fn narrowing(&self) -> Narrowing {
        let mut n = Narrowing::default();
        for v in &VALIDATORS {
            (v.describe)(self, &mut n);
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{LengthRule, ListRule, NumberRule};

    #[test]
    fn bounds_meet() {
        let mut n = Narrowing::default();
        n.at_least_chars(2);
        n.at_least_chars(1);
        n.at_most_chars(9);
        n.at_most_chars(5);
        n.at_most_items(3);
        n.at_most_items(4);
        n.at_least(1.5);
        n.at_least(-1.0);
        n.at_most(2.0);
        n.files_at_most(10);
        n.files_at_most(20);
        assert_eq!((n.min_chars, n.max_chars, n.max_items), (2, Some(5), Some(3)));
        assert_eq!((n.minimum, n.maximum, n.max_file_bytes), (Some(1.5), Some(2.0), Some(10)));
    }

    /// Each validator's own file says what it contributes; the table collects them.
    #[test]
    fn the_table_collects_every_contribution() {
        assert_eq!(Rules::default().narrowing(), Narrowing::default());
        let rules = Rules {
            length: Some(LengthRule { min: Some(1), max: Some(8), exact: Some(4), custom: None }),
            number: Some(NumberRule { min: Some(0.0), max: Some(1e300), custom: None }),
            list: Some(ListRule { min_items: Some(2), max_items: None, custom: None }),
            trim: true,
            ..Rules::default()
        };
        let n = rules.narrowing();
        assert_eq!((n.min_chars, n.max_chars, n.trimmed), (4, Some(4), true));
        assert_eq!((n.minimum, n.maximum), (Some(0.0), None), "a bound beyond 2^53 is not exact in JSON Schema");
        assert_eq!((n.min_items, n.max_items), (Some(2), None));
    }
}
