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

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::Value;

use super::Validator;
use crate::decode::Body;
use crate::pointer::Pointer;
use crate::record::StoredValue;

impl<'b> Validator<'_, 'b> {
    /// Checks every attribute comparison the body's changes touch. Each lookup is by map, so
    /// the work grows with the changes plus the comparisons, not with their product (a body may
    /// carry a thousand entries in as many languages).
    pub(super) fn compare_attributes(&mut self, body: &'b Body<'b>, lang: &'b str) {
        // Most forms compare nothing: then this is one pass over the attributes.
        let comparing: Vec<_> = self
            .form
            .attributes
            .iter()
            .filter(|(_, a)| {
                std::iter::once(&a.rules.base).chain(a.rules.by_lang.values()).any(|r| r.compare_with.is_some())
            })
            .collect();
        if comparing.is_empty() || self.plan.changes.is_empty() {
            return;
        }
        let planned: HashMap<(&str, &str), Option<&StoredValue>> =
            self.plan.changes.iter().map(|c| ((c.lang, c.marker), c.value.as_ref())).collect();
        let langs: BTreeSet<&str> = self.plan.changes.iter().map(|c| c.lang).collect();
        let refused: HashSet<&str> = self.out.violations().iter().filter_map(|v| v.marker.as_deref()).collect();
        let mut found = Vec::new();
        for l in langs {
            for &(marker, attr) in &comparing {
                let Some(rule) = &attr.rules.for_lang(l).compare_with else { continue };
                let (mine, theirs) = (planned.get(&(l, marker)), planned.get(&(l, rule.marker.as_str())));
                if mine.is_none() && theirs.is_none() {
                    continue;
                }
                if refused.contains(marker.as_str()) || refused.contains(rule.marker.as_str()) {
                    continue;
                }
                let value = |planned: Option<&Option<&StoredValue>>, m: &str| {
                    planned.copied().unwrap_or_else(|| self.record.stored(l, m)).map(StoredValue::to_value)
                };
                let (Some(a), Some(b)) = (value(mine, marker), value(theirs, &rule.marker)) else { continue };
                if is_empty(&a) || is_empty(&b) {
                    continue;
                }
                let Some(kind) = rule.check(&a, &b) else { continue };
                let at = if mine.is_some() { marker.as_str() } else { rule.marker.as_str() };
                found.push((l, at, kind, rule.custom.as_deref()));
            }
        }
        if found.is_empty() {
            return;
        }
        // Where each entry was sent, for the few comparisons that failed.
        let sent: HashMap<(&str, &str), &Pointer> =
            body.entries.iter().rev().map(|e| ((e.lang.unwrap_or(lang), e.marker), &e.path)).collect();
        for (l, at, kind, custom) in found {
            let path = sent.get(&(l, at)).map_or_else(|| Pointer::root().child("formData"), |p| p.child("value"));
            self.out.add_custom(at, path, kind, custom);
        }
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
