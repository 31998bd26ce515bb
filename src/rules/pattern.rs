//! `regExpValidator {patternValue}`: the pattern must match somewhere in the value, as
//! JavaScript's `RegExp.test` does (anchor it with `^…$` to match the whole value). The pattern
//! is bare or a JavaScript literal `/…/flags`; `i`, `m` and `s` change matching, the other
//! flags change nothing for one test.

use regex::{Regex, RegexBuilder};
use serde_json::Value;

use super::ecma::portable_pattern;
use super::settings::text;
use super::{string_only, Custom, Narrowing, Rules, SettingsError, Validator};
use crate::error::ViolationKind;

/// The table's line for `regExpValidator`.
pub(super) const VALIDATOR: Validator =
    Validator { name: "regExpValidator", applies_to: string_only, install, describe };

/// An empty `patternValue` sets no rule.
fn install(cfg: &Value, custom: Custom, rules: &mut Rules) -> Result<(), SettingsError> {
    let written = text(cfg, "patternValue");
    if written.is_empty() {
        return Ok(());
    }
    let (source, flags) = match written.strip_prefix('/').and_then(|rest| rest.rsplit_once('/')) {
        Some((body, flags)) if flags.chars().all(|c| "dgimsuy".contains(c)) => (body.to_owned(), Flags::of(flags)),
        _ => (written.clone(), Flags::default()),
    };
    let regex =
        compile(&source, flags).map_err(|e| SettingsError::Pattern { pattern: written, reason: e.to_string() })?;
    rules.pattern = Some(PatternRule { source, flags, regex, custom });
    Ok(())
}

/// `pattern`, when the regex provably means the same under ECMA 262 (see `ecma.rs`).
fn describe(rules: &Rules, n: &mut Narrowing) {
    if let Some(pattern) = rules.pattern.as_ref().and_then(portable_pattern) {
        n.matching(pattern);
    }
}

/// `regExpValidator`: the pattern as written (without the literal's slashes), its flags, and
/// the compiled regex.
#[derive(Debug, Clone)]
pub struct PatternRule {
    /// The pattern, without the slashes and flags of a literal.
    pub source: String,
    /// The literal's flags that change matching.
    pub flags: Flags,
    /// The compiled pattern.
    pub regex: Regex,
    /// `customErrorText`.
    pub custom: Custom,
}

impl PatternRule {
    /// `Some` when the pattern matches nowhere in `s`.
    pub(crate) fn check(&self, s: &str) -> Option<ViolationKind> {
        (!self.regex.is_match(s)).then(|| ViolationKind::Pattern(self.source.clone()))
    }
}

/// The largest compiled program one pattern may grow to, in bytes. Unicode classes are large
/// once compiled, and a bounded repetition copies its class: `^[\p{L}\p{N}\s.,!?'-]{0,500}$`
/// needs 32 MiB, `^[\p{L} '\-]{1,64}$` 4 MiB, more than the `regex` crate's default of 10 MiB
/// allows for the first. This admits a Unicode class repeated about a thousand times and still
/// refuses a pattern that would take the registry's memory.
pub(crate) const COMPILED_SIZE_LIMIT: usize = 64 << 20;

/// Deepest nesting of groups and repetitions in one pattern.
const NEST_LIMIT: u32 = 64;

/// What the flags of a JavaScript literal `/…/flags` change about matching (`g`, `y`, `d` and
/// `u` change nothing for a single test: classes here are always Unicode-aware).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flags {
    /// `i`
    pub case_insensitive: bool,
    /// `m`
    pub multi_line: bool,
    /// `s`
    pub dot_all: bool,
}

impl Flags {
    /// The flags of a literal's flag letters.
    fn of(letters: &str) -> Flags {
        Flags {
            case_insensitive: letters.contains('i'),
            multi_line: letters.contains('m'),
            dot_all: letters.contains('s'),
        }
    }
}

/// Compiles a `regExpValidator` pattern under the limits above: the one place patterns are
/// compiled, for checking and for the schema export alike.
pub(crate) fn compile(pattern: &str, flags: Flags) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .case_insensitive(flags.case_insensitive)
        .multi_line(flags.multi_line)
        .dot_matches_new_line(flags.dot_all)
        .size_limit(COMPILED_SIZE_LIMIT)
        .nest_limit(NEST_LIMIT)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Patterns real forms use for names, handles and free text. Each compiles, and matches
    /// what it should.
    #[test]
    fn ordinary_unicode_patterns_compile() {
        let cases = [
            (r"^[\p{L} '\-]{1,64}$", "Zoë O'Brien-Łukasz", "<b>"),
            (r"^[\p{L}\p{M}\s'.-]{2,100}$", "Nguyễn Văn A.", "x1"),
            (r"^[\w.+-]{1,64}@[\w-]{1,63}\.[\w.]{2,63}$", "jörg@bücher.de", "a@b"),
            (r"^[\p{L}\p{N}\s.,!?'-]{0,500}$", "Привет, мир! 2024", "<script>"),
            (r"^[\p{L}][\p{L}\p{N} ]{0,254}$", "Ωmega 3", "3mega"),
            (r"^[\p{L}\p{N}_]{3,30}$", "user_名前", "ab"),
        ];
        for (pattern, good, bad) in cases {
            for case_insensitive in [false, true] {
                let flags = Flags { case_insensitive, ..Flags::default() };
                let re = compile(pattern, flags).unwrap_or_else(|e| panic!("{pattern}: {e}"));
                assert!(re.is_match(good), "{pattern} should match {good:?}");
                assert!(!re.is_match(bad), "{pattern} should not match {bad:?}");
            }
        }
    }

    #[test]
    fn literals_flags_and_bad_patterns() {
        let rule = |written: &str| VALIDATOR.read(&serde_json::json!({ "patternValue": written })).map(|r| r.pattern);
        let r = rule("/^ab+$/i").unwrap().unwrap();
        assert_eq!((r.source.as_str(), r.flags.case_insensitive), ("^ab+$", true));
        assert_eq!(r.check("ABB"), None);
        assert_eq!(r.check("AC"), Some(ViolationKind::Pattern("^ab+$".into())));
        assert!(matches!(rule("(unclosed"), Err(SettingsError::Pattern { .. })));
        assert!(rule("").unwrap().is_none());
        let bare = rule("/a/x").unwrap().unwrap();
        assert_eq!((bare.source.as_str(), bare.flags), ("/a/x", Flags::default()), "x is no JavaScript flag");
    }

    /// Still bounded: a pattern whose program would be far larger is refused, not built.
    #[test]
    fn huge_patterns_are_refused() {
        for pattern in [r"^[\p{L}\p{N}\s]{0,5000}$", r"^(\w{1,100}){1,100}$"] {
            let err = compile(pattern, Flags::default()).expect_err(pattern);
            assert!(matches!(err, regex::Error::CompiledTooBig(_)), "{pattern}: {err}");
        }
    }
}
