//! Regex text that ECMA 262 (JSON Schema's `pattern`) and the `regex` crate read alike: a small
//! parser of the subset both read identically, which decides whether a `regExpValidator`
//! can be exported as it is, and the escaping of literal characters for the patterns the
//! other validators' schemas write (a mask, file extensions).

use super::PatternRule;

/// Characters escaped with a backslash in a pattern (the same in ECMA 262 and `regex`).
const META: &str = "^$\\.*+?()[]{}|/";

/// `c` as a pattern literal, outside a class: escaped when it is one of [`META`].
pub(super) fn literal(c: char) -> String {
    if META.contains(c) {
        format!("\\{c}")
    } else {
        c.to_string()
    }
}

/// The engine's `regExpValidator` as a JSON Schema `pattern`, when it provably matches the
/// same strings under ECMA 262 as under the `regex` crate; `None` when unsure. The rule keeps
/// its source and flags, so nothing is guessed: `i` changes what a pattern with letters
/// matches and `m` what an anchored one matches (the subset has no `.`, so `s` changes
/// nothing), and a JSON Schema `pattern` takes no flags.
pub(super) fn portable_pattern(rule: &PatternRule) -> Option<String> {
    let parsed = Pattern::parse(&rule.source)?;
    let flags = rule.flags;
    if flags.case_insensitive && parsed.has_letters() || flags.multi_line && (parsed.start || parsed.end) {
        return None;
    }
    Some(rule.source.clone())
}

/// A regex in the subset that ECMA 262 and the `regex` crate read the same way.
struct Pattern {
    /// A leading `^`.
    start: bool,
    /// A trailing `$`.
    end: bool,
    /// Top-level alternatives.
    alts: Vec<Seq>,
}

type Seq = Vec<(Node, u32, Option<u32>)>;

enum Node {
    /// One ASCII character.
    Lit(char),
    /// A non-negated class of ASCII ranges.
    Class(Vec<(char, char)>),
    /// A group of alternatives.
    Group(Vec<Seq>),
}

/// Characters that stand for themselves outside a class.
const SAFE_LITERAL: &str = " _,:;@#%!=<>'\"/&~-`";
/// Characters that stand for themselves inside a class.
const SAFE_CLASS_LITERAL: &str = " _,:;@#%!=<>'\"/.+*?(){}$|`";

struct Parser<'a> {
    c: &'a [char],
    i: usize,
    end: usize,
}

impl Pattern {
    fn parse(src: &str) -> Option<Pattern> {
        let c: Vec<char> = src.chars().collect();
        let mut p = Parser { c: &c, i: 0, end: c.len() };
        let start = p.eat('^');
        let mut end = false;
        if c.len() > p.i && c.last() == Some(&'$') {
            let backslashes = c[..c.len() - 1].iter().rev().take_while(|&&x| x == '\\').count();
            if backslashes % 2 == 0 {
                end = true;
                p.end = c.len() - 1;
            }
        }
        let alts = p.alternation(0)?;
        if p.i != p.end || ((start || end) && alts.len() > 1) {
            return None;
        }
        Some(Pattern { start, end, alts })
    }

    fn has_letters(&self) -> bool {
        fn seq(s: &Seq) -> bool {
            s.iter().any(|(n, _, _)| match n {
                Node::Lit(c) => c.is_ascii_alphabetic(),
                Node::Class(ranges) => ranges.iter().any(|&(lo, hi)| (lo..=hi).any(|c| c.is_ascii_alphabetic())),
                Node::Group(alts) => alts.iter().any(seq),
            })
        }
        self.alts.iter().any(seq)
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        (self.i < self.end).then(|| self.c[self.i])
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn alternation(&mut self, depth: usize) -> Option<Vec<Seq>> {
        if depth > 16 {
            return None;
        }
        let mut alts = vec![self.sequence(depth)?];
        while self.eat('|') {
            alts.push(self.sequence(depth)?);
        }
        Some(alts)
    }

    fn sequence(&mut self, depth: usize) -> Option<Seq> {
        let mut seq = Vec::new();
        while let Some(c) = self.peek() {
            let node = match c {
                '|' | ')' => break,
                '(' => {
                    self.i += 1;
                    if self.eat('?') && !self.eat(':') {
                        return None;
                    }
                    let alts = self.alternation(depth + 1)?;
                    if !self.eat(')') {
                        return None;
                    }
                    Node::Group(alts)
                }
                '[' => {
                    self.i += 1;
                    self.class()?
                }
                '\\' => {
                    self.i += 1;
                    let e = self.peek().filter(|e| META.contains(*e))?;
                    self.i += 1;
                    Node::Lit(e)
                }
                c if c.is_ascii_alphanumeric() || SAFE_LITERAL.contains(c) => {
                    self.i += 1;
                    Node::Lit(c)
                }
                _ => return None,
            };
            let (min, max) = self.quantifier()?;
            seq.push((node, min, max));
        }
        Some(seq)
    }

    /// An optional quantifier (lazy or not); `(1, Some(1))` when there is none.
    fn quantifier(&mut self) -> Option<(u32, Option<u32>)> {
        let q = match self.peek() {
            Some('*') => (0, None),
            Some('+') => (1, None),
            Some('?') => (0, Some(1)),
            Some('{') => {
                self.i += 1;
                let min = self.number()?;
                let max = if self.eat(',') {
                    if self.peek() == Some('}') {
                        None
                    } else {
                        Some(self.number()?)
                    }
                } else {
                    Some(min)
                };
                if self.peek() != Some('}') || max.is_some_and(|m| m < min) {
                    return None;
                }
                (min, max)
            }
            _ => return Some((1, Some(1))),
        };
        self.i += 1;
        self.eat('?');
        if matches!(self.peek(), Some('*' | '+' | '?' | '{')) {
            return None;
        }
        Some(q)
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if self.i == start || self.i - start > 4 {
            return None;
        }
        self.c[start..self.i].iter().collect::<String>().parse().ok()
    }

    /// A class after its `[`, through its `]`.
    fn class(&mut self) -> Option<Node> {
        if matches!(self.peek(), Some('^' | ']')) {
            return None;
        }
        let mut ranges = Vec::new();
        let first = self.i;
        loop {
            let c = self.peek()?;
            if c == ']' {
                self.i += 1;
                break;
            }
            let lo = match c {
                '\\' => {
                    self.i += 1;
                    let e = self.peek().filter(|e| META.contains(*e) || *e == '-')?;
                    self.i += 1;
                    (e, false)
                }
                '-' if self.i == first || self.c.get(self.i + 1) == Some(&']') => {
                    self.i += 1;
                    ('-', false)
                }
                c if c.is_ascii_alphanumeric() => {
                    self.i += 1;
                    (c, true)
                }
                c if SAFE_CLASS_LITERAL.contains(c) => {
                    self.i += 1;
                    (c, false)
                }
                _ => return None,
            };
            if self.peek() == Some('-') && self.c.get(self.i + 1).is_some_and(|&n| n != ']') {
                self.i += 1;
                let hi = self.peek().filter(char::is_ascii_alphanumeric)?;
                self.i += 1;
                if !lo.1 || hi < lo.0 {
                    return None;
                }
                ranges.push((lo.0, hi));
            } else {
                ranges.push((lo.0, lo.0));
            }
        }
        (!ranges.is_empty()).then_some(Node::Class(ranges))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::pattern::{compile, Flags};

    fn portable(src: &str, flags: (bool, bool)) -> Option<String> {
        let flags = Flags { case_insensitive: flags.0, multi_line: flags.1, dot_all: false };
        let regex = compile(src, flags).unwrap();
        portable_pattern(&PatternRule { source: src.into(), flags, regex, custom: None })
    }

    #[test]
    fn portable_patterns() {
        for p in
            ["^[a-z0-9_]{3,16}$", "^\\+[0-9]{7,15}$", "^(?:ab|cd)+-x?$", "[A-Z]", "^a{2,}$", "foo|bar", "^[-a-c.]$"]
        {
            assert_eq!(portable(p, (false, false)).as_deref(), Some(p), "{p}");
        }
        for p in ["^\\d+$", "^.+$", "^[^@]+$", "\\bx", "(?i)a", "^é$", "^(?<n>a)$", "^a|b$", "[a&&b]", "[[a]]"] {
            assert_eq!(portable(p, (false, false)), None, "{p}");
        }
        assert_eq!(portable("^[a-z]+$", (true, false)), None, "case-insensitive");
        assert_eq!(portable("^[0-9]+$", (false, true)), None, "multi-line");
        assert_eq!(portable("^[0-9]+$", (true, false)).as_deref(), Some("^[0-9]+$"), "no letters: `i` changes nothing");
        assert_eq!(portable("[a-z]", (false, true)).as_deref(), Some("[a-z]"), "no anchors: `m` changes nothing");
    }
}
