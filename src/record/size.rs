//! How big a stored value and a stored record will be: the one place that says so.
//!
//! [`ValueSize`] is what a checker reserves before it writes a value's canonical text, by the
//! shape it writes (a date object, intervals, rendered texts, files…): the checkers never guess
//! a capacity themselves, so every estimate can be read, compared and tuned here. An estimate
//! never limits anything (a text grows past it when it must), it only saves the copies of a
//! buffer that grows; it is exact wherever the parts are known before writing.
//!
//! [`RecordSize`] is the stored size of the record an update builds, kept value by value as
//! validation goes, so that the record limit (`Limits::max_record_bytes`) is met at the value
//! that passes it and a text is rendered within the room left for it.

use super::UserRecord;

/// The bytes a value's canonical JSON text is expected to take, by the shape written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ValueSize(usize);

/// The two quotes of a JSON string.
const QUOTES: usize = 2;
/// A moment.js token as rendered (`YYYY`, `MM`, `-`, `dddd`…), on average.
const RENDERED_TOKEN: usize = 4;
/// `{"fullDate":"","formattedValue":"","formatString":""}` is 53 bytes; a few more for escapes.
const DATE_KEYS: usize = 56;
/// One `["…","…"]` pair of RFC 3339 times with offsets and fractions, and its comma.
const INTERVAL_PAIR: usize = 64;
/// A text pair's keys (`htmlValue`, `plainValue`, `mdValue`, `header`, `params`…), per pair.
const TEXT_KEYS: usize = 96;
/// One file object: `filename`, `downloadLink`, `size` and an image's `previewLink`/`params`.
const FILE_OBJECT: usize = 256;
/// One entity id in an array: a short number or text and its comma, on average.
const ENTITY_ID: usize = 8;
/// What a merge patch typically adds to the stored state.
const STATE_GROWTH: usize = 256;

impl ValueSize {
    /// The bytes to reserve.
    pub(crate) fn bytes(self) -> usize {
        self.0
    }

    /// Exactly `bytes` (the parts are known: a list of stored option texts, a JSON value's
    /// serialised length).
    pub(crate) const fn exact(bytes: usize) -> Self {
        ValueSize(bytes)
    }

    /// A JSON string of `s`: its bytes and the quotes (escapes grow the buffer when they come).
    pub(crate) fn string(s: &str) -> Self {
        ValueSize(s.len() + QUOTES)
    }

    /// A float as the JSON writer prints it: at most 24 bytes (`-2.2250738585072014e-308`).
    pub(crate) const FLOAT: ValueSize = ValueSize(24);

    /// An RFC 3339 timestamp with milliseconds in UTC (`2024-05-07T21:02:00.000Z`), exactly.
    pub(crate) const TIMESTAMP: ValueSize = ValueSize(24);

    /// A date object: its three texts and its keys.
    pub(crate) fn date(full: &str, formatted: &str, format: &str) -> Self {
        ValueSize(full.len() + formatted.len() + format.len() + DATE_KEYS)
    }

    /// A date rendered with a format of `tokens` moment.js tokens (a `formattedValue`).
    pub(crate) fn rendered_date(tokens: usize) -> Self {
        ValueSize(RENDERED_TOKEN.saturating_mul(tokens))
    }

    /// An array of `pairs` `[start, end]` intervals.
    pub(crate) fn intervals(pairs: usize) -> Self {
        ValueSize(INTERVAL_PAIR.saturating_mul(pairs).saturating_add(2))
    }

    /// `pairs` text objects whose renderings (HTML, plain text, markdown source, header) take
    /// `rendered` bytes: an eighth more for the escapes of markup's quotes and newlines, and
    /// the keys.
    pub(crate) fn texts(rendered: usize, pairs: usize) -> Self {
        ValueSize(rendered.saturating_add(rendered / 8).saturating_add(TEXT_KEYS.saturating_mul(pairs)))
    }

    /// An array of `files` file objects (or one object).
    pub(crate) fn files(files: usize) -> Self {
        ValueSize(FILE_OBJECT.saturating_mul(files).saturating_add(2))
    }

    /// An array of `items` entity ids (a few bytes each, written as sent or as the form's
    /// option), capped: a body can carry many thousands, and the buffer grows when they come.
    pub(crate) fn ids(items: usize) -> Self {
        ValueSize(items.saturating_mul(ENTITY_ID).min(1 << 16).saturating_add(2))
    }

    /// The stored state of `stored` bytes with a merge patch applied.
    pub(crate) fn merged_state(stored: usize) -> Self {
        ValueSize(stored.saturating_add(STATE_GROWTH))
    }

    /// An empty buffer of this size, for a checker that writes its text piece by piece.
    pub(crate) fn buffer(self) -> String {
        String::with_capacity(self.0)
    }
}

/// The stored size of the record an update builds, kept value by value: the canonical JSON of
/// every stored `formData` value of every language, plus `state` (`Limits::max_record_bytes`).
pub(crate) struct RecordSize {
    /// The record's size as the changes so far leave it.
    total: usize,
    /// The most it may hold: the limit, or the stored record's size when that is larger
    /// already (a record a lowered limit would refuse can still be updated, not grown).
    ceiling: usize,
}

impl RecordSize {
    /// The size of the stored `record`, under `limit`.
    pub(crate) fn of(record: &UserRecord, limit: usize) -> Self {
        let values = record.form_data.values().flatten().map(|e| e.value.json().len());
        let total = values.fold(record.state.json().len(), usize::saturating_add);
        RecordSize { total, ceiling: limit.max(total) }
    }

    /// How large a value that replaces one of `old` bytes may be.
    pub(crate) fn room(&self, old: usize) -> usize {
        self.ceiling.saturating_sub(self.total.saturating_sub(old))
    }

    /// Replaces a value of `old` bytes by one of `new`; false if the record passes its limit.
    pub(crate) fn replace(&mut self, old: usize, new: usize) -> bool {
        self.total = self.total.saturating_sub(old).saturating_add(new);
        self.total <= self.ceiling
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::StoredValue;
    use serde_json::json;

    /// The estimates that claim exactness are exact.
    #[test]
    fn exact_sizes_are_exact() {
        assert_eq!(ValueSize::string("abc").bytes(), r#""abc""#.len());
        assert_eq!(ValueSize::TIMESTAMP.bytes(), "2024-05-07T21:02:00.000Z".len());
        assert_eq!(ValueSize::FLOAT.bytes(), "-2.2250738585072014e-308".len());
        let date = r#"{"fullDate":"","formattedValue":"","formatString":""}"#;
        assert!(ValueSize::date("", "", "").bytes() >= date.len());
        let mut out = ValueSize::files(3).buffer();
        assert!(out.capacity() >= 3 * 256);
        out.push('x');
        assert_eq!(ValueSize::intervals(usize::MAX).bytes(), usize::MAX, "saturates, never wraps");
    }

    #[test]
    fn counts_values_of_every_language_and_state() {
        let mut r = UserRecord::new("u", "a@b.c", "f");
        r.state = StoredValue::from_value(&json!({"k": 1})); // 7 bytes
        let size = RecordSize::of(&r, 100);
        assert_eq!((size.total, size.ceiling), (7, 100));
        let mut size = RecordSize::of(&r, 3);
        assert_eq!(size.ceiling, 7, "a record over a lowered limit may keep its size");
        assert_eq!(size.room(0), 0);
        assert!(size.replace(7, 7), "replacing state by one as large");
        assert!(!size.replace(0, 1), "but not growing");
    }

    #[test]
    fn room_is_what_the_limit_leaves_beside_the_other_values() {
        let mut size = RecordSize { total: 60, ceiling: 100 };
        assert_eq!(size.room(0), 40, "a new value");
        assert_eq!(size.room(10), 50, "a value replacing one of 10 bytes");
        assert!(size.replace(10, 50));
        assert_eq!(size.total, 100);
        assert!(!size.replace(0, 1));
        assert_eq!(size.room(200), 100, "never more than the ceiling");
    }
}
