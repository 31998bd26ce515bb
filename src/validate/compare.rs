//! `comparisonValidator {operator, marker}`: an attribute compared with another attribute of
//! the same form, in the same language, once every entry of the body has been checked — the
//! only rule that needs two values ([`crate::rules::AttributeComparison`]).
//!
//! Each side's value is what the record will hold: the body's new value where the body changes
//! it, else the stored one. A pair is checked only when the body changes one of its two sides
//! in that language (a record stored before the rule keeps its values until one is touched),
//! both sides hold a value (emptiness is `requiredValidator`'s to judge) and neither side was
//! refused already (its own violation says what is wrong). The violation is reported at the
//! entry the body sent: the compared attribute's when it sent it, else the other's.

use std::collections::BTreeSet;

use serde_json::Value;

use super::Validator;
use crate::decode::Body;
use crate::pointer::Pointer;
use crate::record::StoredValue;

impl<'b> Validator<'_, 'b> {
    /// Checks every attribute comparison the body's changes touch.
    pub(super) fn compare_attributes(&mut self, body: &'b Body<'b>, lang: &'b str) {
        let langs: BTreeSet<&'b str> = self.plan.changes.iter().map(|c| c.lang).collect();
        for l in langs {
            for (marker, attr) in &self.form.attributes {
                let Some(rule) = &attr.rules.for_lang(l).compare_with else { continue };
                let (mine, theirs) = (self.planned(l, marker), self.planned(l, &rule.marker));
                if mine.is_none() && theirs.is_none() {
                    continue;
                }
                if self.refused(marker) || self.refused(&rule.marker) {
                    continue;
                }
                let value = |planned: Option<Option<&StoredValue>>, m: &str| {
                    planned.unwrap_or_else(|| self.record.stored(l, m)).map(StoredValue::to_value)
                };
                let (Some(a), Some(b)) = (value(mine, marker), value(theirs, &rule.marker)) else { continue };
                if is_empty(&a) || is_empty(&b) {
                    continue;
                }
                let Some(kind) = rule.check(&a, &b) else { continue };
                let (at, path) = match mine {
                    Some(_) => (marker.as_str(), sent_at(body, lang, l, marker)),
                    None => (rule.marker.as_str(), sent_at(body, lang, l, &rule.marker)),
                };
                self.out.add_custom(at, path.child("value"), kind, rule.custom.as_deref());
            }
        }
    }

    /// `Some(value)` when the plan changes `marker` in `lang` (`Some(None)`: clears it).
    fn planned(&self, lang: &str, marker: &str) -> Option<Option<&StoredValue>> {
        self.plan.changes.iter().find(|c| c.lang == lang && c.marker == marker).map(|c| c.value.as_ref())
    }

    /// True when a violation was already found for `marker`'s entry.
    fn refused(&self, marker: &str) -> bool {
        self.out.violations().iter().any(|v| v.marker.as_deref() == Some(marker))
    }
}

/// An empty text, list or object: nothing to compare.
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Where the body sent `marker`'s entry in `lang` (`default`: the language of entries that do
/// not name one).
fn sent_at(body: &Body<'_>, default: &str, lang: &str, marker: &str) -> Pointer {
    body.entries
        .iter()
        .find(|e| e.marker == marker && e.lang.unwrap_or(default) == lang)
        .map_or_else(|| Pointer::root().child("formData"), |e| e.path.clone())
}
