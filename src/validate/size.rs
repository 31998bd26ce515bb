//! The stored size of the record an update builds, kept value by value as validation goes, so
//! that the record limit (`Limits::max_record_bytes`) is met at the value that passes it and a
//! text is rendered within the room left for it.

use crate::record::UserRecord;

/// The stored size of the record an update builds, kept value by value: the canonical JSON of
/// every stored `formData` value of every language, plus `state` (`Limits::max_record_bytes`).
pub(super) struct RecordSize {
    /// The record's size as the changes so far leave it.
    total: usize,
    /// The most it may hold: the limit, or the stored record's size when that is larger
    /// already (a record a lowered limit would refuse can still be updated, not grown).
    ceiling: usize,
}

impl RecordSize {
    /// The size of the stored `record`, under `limit`.
    pub(super) fn of(record: &UserRecord, limit: usize) -> Self {
        let values = record.form_data.values().flatten().map(|e| e.value.json().len());
        let total = values.fold(record.state.json().len(), usize::saturating_add);
        RecordSize { total, ceiling: limit.max(total) }
    }

    /// How large a value that replaces one of `old` bytes may be.
    pub(super) fn room(&self, old: usize) -> usize {
        self.ceiling.saturating_sub(self.total.saturating_sub(old))
    }

    /// Replaces a value of `old` bytes by one of `new`; false if the record passes its limit.
    pub(super) fn replace(&mut self, old: usize, new: usize) -> bool {
        self.total = self.total.saturating_sub(old).saturating_add(new);
        self.total <= self.ceiling
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::StoredValue;
    use serde_json::json;

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
