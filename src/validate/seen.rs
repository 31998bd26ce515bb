//! Which (language, marker) pairs a body has used, for duplicate-marker detection: flags per
//! attribute in the request's arena, a fast path that the validator asks once per entry.

use std::collections::{HashMap, HashSet};

use bumpalo::collections::Vec as ArenaVec;

use crate::json::Arena;

/// The (language, marker) pairs a body has used, for duplicate detection.
///
/// A form's markers are flags per language, by attribute index, kept in the request's arena
/// (nothing to allocate or free per request). Languages are found by a scan while there are
/// few, through a SipHash index beyond that (their names come from the body), and the last one
/// is remembered (entries come grouped by language). Markers the form does not define
/// (dynamic properties) come from the body, so they go to a SipHash set.
pub(super) struct Seen<'b> {
    /// Languages met so far, in order: language `n` owns `flags[n * count..][..count]`.
    langs: ArenaVec<'b, &'b str>,
    /// Language → its number, once there are more than [`Seen::SCAN`] languages.
    index: HashMap<&'b str, usize>,
    /// Per language, per attribute index: seen yet?
    flags: ArenaVec<'b, bool>,
    /// The language looked up last and its number.
    last: Option<(&'b str, usize)>,
    /// (language, marker) pairs of markers the form does not define.
    pub(super) other: HashSet<(&'b str, &'b str)>,
}

impl<'b> Seen<'b> {
    /// Up to this many languages are found by a scan.
    const SCAN: usize = 8;

    pub(super) fn new(arena: &'b Arena) -> Self {
        Seen {
            langs: ArenaVec::new_in(arena),
            index: HashMap::new(),
            flags: ArenaVec::new_in(arena),
            last: None,
            other: HashSet::new(),
        }
    }

    /// Marks attribute `index` (of `count`) as seen in `lang`; true if it was not yet.
    pub(super) fn attribute(&mut self, lang: &'b str, index: usize, count: usize) -> bool {
        debug_assert!(index < count, "attribute {index} of {count}: it would mark another language's flag");
        let row = match self.last {
            Some((last, row)) if last == lang => row,
            _ => {
                let row = self.row(lang, count);
                self.last = Some((lang, row));
                row
            }
        };
        match self.flags.get_mut(row * count + index) {
            Some(flag) => !std::mem::replace(flag, true),
            None => true, // never: every language has one flag per attribute
        }
    }

    /// The number of `lang`, given one (and its flags) if it has none yet.
    fn row(&mut self, lang: &'b str, count: usize) -> usize {
        let found = if self.langs.len() <= Self::SCAN {
            self.langs.iter().position(|l| *l == lang)
        } else {
            self.index.get(lang).copied()
        };
        if let Some(row) = found {
            return row;
        }
        let row = self.langs.len();
        self.langs.push(lang);
        self.flags.resize(self.flags.len() + count, false);
        if self.langs.len() > Self::SCAN {
            if self.index.is_empty() {
                self.index.extend(self.langs.iter().enumerate().map(|(n, l)| (*l, n)));
            } else {
                self.index.insert(lang, row);
            }
        }
        row
    }
}

#[cfg(test)]
mod tests {
    use super::Seen;

    #[test]
    fn seen_tracks_each_language_apart_even_when_interleaved() {
        let arena = crate::json::Arena::new();
        let mut seen = Seen::new(&arena);
        assert!(seen.attribute("en_US", 0, 3));
        assert!(seen.attribute("en_US", 2, 3));
        assert!(!seen.attribute("en_US", 0, 3), "a duplicate in the same language");
        assert!(seen.attribute("de_DE", 0, 3), "the same marker in another language is new");
        assert!(!seen.attribute("en_US", 2, 3), "found again after switching languages");
        assert!(!seen.attribute("de_DE", 0, 3));
        assert!(seen.attribute("", 0, 3), "the credentials' slot is a language of its own");
        assert!(seen.attribute("en_US", 1, 3));
        assert!(seen.other.insert(("en_US", "dyn")) && !seen.other.insert(("en_US", "dyn")));
    }

    #[test]
    fn seen_keeps_track_past_the_languages_it_scans() {
        let langs: Vec<String> = (0..3 * Seen::SCAN).map(|n| format!("l{n}")).collect();
        let arena = crate::json::Arena::new();
        let mut seen = Seen::new(&arena);
        for round in 0..2 {
            for (n, lang) in langs.iter().enumerate() {
                assert_eq!(seen.attribute(lang, n % 4, 4), round == 0, "{lang} in round {round}");
                assert!(seen.attribute(lang, (n + 1) % 4, 4) == (round == 0), "{lang}, second attribute");
            }
        }
        assert!(seen.attribute("l3", 2, 4) && !seen.attribute("l3", 2, 4));
    }
}
