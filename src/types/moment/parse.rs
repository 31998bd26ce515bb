//! Compiling a moment.js format string into [`Token`]s: moment's two passes, the expansion
//! of the localized formats (`LT`, `LL`...) and the tokenizing with moment's own regular
//! expression (`[...]` literals, `\` escapes, line breaks, runs of token letters).

use super::matching::Depends;
use super::{Field, Format, MomentError, Token};

impl Format {
    /// Compiles `format`: expands the localized formats, then tokenizes as moment does.
    pub(crate) fn parse(format: &str) -> Result<Format, MomentError> {
        if format.is_empty() {
            return Err(MomentError::Empty);
        }
        if format.chars().all(is_line_terminator) {
            return Err(MomentError::OnlyLineBreaks);
        }
        let expanded: Vec<char> = expand_localized(format).chars().collect();
        let s = expanded.as_slice();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < s.len() {
            let c = s[i];
            if c == '[' {
                if let Some(end) = bracket_end(s, i) {
                    push_literal(&mut tokens, s[i + 1..end].iter().collect::<String>());
                    i = end + 1;
                    continue;
                }
            }
            if c == '\\' {
                match s.get(i + 1) {
                    Some(&n) if !is_line_terminator(n) => {
                        // `\` escapes the whole token after it; moment then strips backslashes.
                        let len = token_len(s, i + 1);
                        let text: String = s[i + 1..i + 1 + len].iter().filter(|&&ch| ch != '\\').collect();
                        push_literal(&mut tokens, text);
                        i += 1 + len;
                    }
                    // A lone backslash is matched by itself and then stripped.
                    _ => i += 1,
                }
                continue;
            }
            if is_line_terminator(c) {
                // moment's `.` does not match line breaks, so they never reach the output.
                i += 1;
                continue;
            }
            let len = token_len(s, i);
            let text: String = s[i..i + len].iter().collect();
            match compile_token(&text)? {
                Some(compiled) => tokens.extend(compiled),
                None => push_literal(&mut tokens, text),
            }
            i += len;
        }
        let prefix_depends: Vec<Depends> = tokens
            .iter()
            .scan(Depends::Nothing, |finest, token| {
                *finest = (*finest).max(token.depends());
                Some(*finest)
            })
            .collect();
        let depends = prefix_depends.last().copied().unwrap_or(Depends::Nothing);
        Ok(Format { tokens, prefix_depends, depends })
    }
}

/// True for the characters JavaScript's `.` does not match.
fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// Where the `[...]` literal opened at `s[start]` closes: the last `]` before the next `[`
/// (moment's `\[[^\[]*\]`), or `None` when there is none.
fn bracket_end(s: &[char], start: usize) -> Option<usize> {
    let stop = s[start + 1..].iter().position(|&c| c == '[').map_or(s.len(), |p| start + 1 + p);
    s[start + 1..stop].iter().rposition(|&c| c == ']').map(|p| start + 1 + p)
}

/// Appends literal text, merging it with a preceding literal.
fn push_literal(tokens: &mut Vec<Token>, text: String) {
    if text.is_empty() {
        return;
    }
    if let Some(Token::Literal(prev)) = tokens.last_mut() {
        prev.push_str(&text);
    } else {
        tokens.push(Token::Literal(text));
    }
}

/// How many characters of `s` starting at `i` equal `c` (at most `max`).
fn run(s: &[char], i: usize, c: char, max: usize) -> usize {
    s[i..].iter().take(max).take_while(|&&x| x == c).count()
}

/// True when `s[i..]` starts with `pat`.
fn starts_with(s: &[char], i: usize, pat: &str) -> bool {
    (i..).zip(pat.chars()).all(|(k, p)| s.get(k) == Some(&p))
}

/// The length of moment's token at `s[i]` (never a bracket, never a line break): the first
/// alternative of moment's `formattingTokens` that matches, in its order; at least 1.
fn token_len(s: &[char], i: usize) -> usize {
    let c = s[i];
    let next = s.get(i + 1).copied();
    match c {
        'H' | 'h' if starts_with(s, i + 1, "mm") => {
            if starts_with(s, i + 3, "ss") {
                5
            } else {
                3
            }
        }
        'M' if next == Some('o') => 2,
        'M' => run(s, i, 'M', 4),
        'D' if next == Some('o') => 2,
        'D' if starts_with(s, i, "DDDo") => 4,
        'D' => run(s, i, 'D', 4),
        'd' if next == Some('d') => run(s, i, 'd', 4),
        'd' if next == Some('o') => 2,
        'w' | 'W' if matches!(next, Some('o') | Some('|')) || next == Some(c) => 2,
        'Q' if next == Some('o') => 2,
        'N' => run(s, i, 'N', 5),
        'Y' => match run(s, i, 'Y', 6) {
            n @ 4..=6 => n,
            n @ 2..=3 => n.min(2),
            _ => 1,
        },
        'y' => match run(s, i, 'y', 4) {
            1 if next == Some('o') => 2,
            n => n,
        },
        'g' | 'G' => match run(s, i, c, 5) {
            n @ 4..=5 => n,
            n => n.min(2),
        },
        'h' | 'H' | 'k' | 'm' | 's' | 'z' | 'Z' => run(s, i, c, 2),
        'S' => run(s, i, 'S', 9),
        _ => 1,
    }
}

/// The compiled form of one moment token, `None` when `text` is not a token (it is then a
/// literal), or an error for a token this renderer refuses.
fn compile_token(text: &str) -> Result<Option<Vec<Token>>, MomentError> {
    use Field::*;
    let num = |field, width| Token::Num { field, width, ordinal: false };
    let ord = |field| Token::Num { field, width: 0, ordinal: true };
    let one = |t: Token| Ok(Some(vec![t]));
    let unsupported = |why| Err(MomentError::Unsupported { token: text.to_owned(), why });
    match text {
        "Hmm" => Ok(Some(vec![num(Hour, 0), num(Minute, 2)])),
        "Hmmss" => Ok(Some(vec![num(Hour, 0), num(Minute, 2), num(Second, 2)])),
        "hmm" => Ok(Some(vec![num(Hour12, 0), num(Minute, 2)])),
        "hmmss" => Ok(Some(vec![num(Hour12, 0), num(Minute, 2), num(Second, 2)])),
        "M" => one(num(Month, 0)),
        "Mo" => one(ord(Month)),
        "MM" => one(num(Month, 2)),
        "MMM" => one(Token::MonthName { short: true }),
        "MMMM" => one(Token::MonthName { short: false }),
        "D" => one(num(DayOfMonth, 0)),
        "Do" => one(ord(DayOfMonth)),
        "DD" => one(num(DayOfMonth, 2)),
        "DDD" => one(num(DayOfYear, 0)),
        "DDDo" => one(ord(DayOfYear)),
        "DDDD" => one(num(DayOfYear, 3)),
        "d" | "e" => one(num(Weekday, 0)),
        "do" => one(ord(Weekday)),
        "dd" => one(Token::WeekdayName(2)),
        "ddd" => one(Token::WeekdayName(3)),
        "dddd" => one(Token::WeekdayName(4)),
        "E" => one(num(IsoWeekday, 0)),
        "w" => one(num(Week, 0)),
        "wo" => one(ord(Week)),
        "ww" => one(num(Week, 2)),
        "W" => one(num(IsoWeek, 0)),
        "Wo" => one(ord(IsoWeek)),
        "WW" => one(num(IsoWeek, 2)),
        "Q" => one(num(Quarter, 0)),
        "Qo" => one(ord(Quarter)),
        "Y" => one(Token::YearShort),
        "YY" => one(num(YearOfCentury, 2)),
        "YYYY" => one(num(Year, 4)),
        "YYYYY" => one(num(Year, 5)),
        "YYYYYY" => one(Token::YearSigned),
        "gg" => one(num(WeekYearOfCentury, 2)),
        "gggg" => one(num(WeekYear, 4)),
        "ggggg" => one(num(WeekYear, 5)),
        "GG" => one(num(IsoWeekYearOfCentury, 2)),
        "GGGG" => one(num(IsoWeekYear, 4)),
        "GGGGG" => one(num(IsoWeekYear, 5)),
        "a" => one(Token::Meridiem { lower: true }),
        "A" => one(Token::Meridiem { lower: false }),
        "H" => one(num(Hour, 0)),
        "HH" => one(num(Hour, 2)),
        "h" => one(num(Hour12, 0)),
        "hh" => one(num(Hour12, 2)),
        "k" => one(num(Hour24, 0)),
        "kk" => one(num(Hour24, 2)),
        "m" => one(num(Minute, 0)),
        "mm" => one(num(Minute, 2)),
        "s" => one(num(Second, 0)),
        "ss" => one(num(Second, 2)),
        "Z" => one(Token::Offset { colon: true }),
        "ZZ" => one(Token::Offset { colon: false }),
        "X" => one(Token::UnixSeconds),
        "x" => one(Token::UnixMillis),
        t if t.starts_with('S') => one(Token::Fraction(t.len() as u8)),
        t if t.starts_with('N') => unsupported("era names"),
        t if t.starts_with('y') => unsupported("era years"),
        "z" | "zz" => unsupported("time zone names depend on the client's zone"),
        _ => Ok(None),
    }
}

/// moment's first pass: replaces `LT LTS L LL LLL LLLL l ll lll llll` by their English
/// patterns, leaving `[...]` literals and `\`-escaped ones as they are.
fn expand_localized(format: &str) -> String {
    let s: Vec<char> = format.chars().collect();
    let mut out = String::with_capacity(format.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == '[' {
            if let Some(end) = bracket_end(&s, i) {
                out.extend(&s[i..=end]);
                i = end + 1;
                continue;
            }
        }
        let escaped = s[i] == '\\';
        let at = i + usize::from(escaped);
        let len = if starts_with(&s, at, "LTS") {
            3
        } else if starts_with(&s, at, "LT") {
            2
        } else {
            match s.get(at) {
                Some('L') => run(&s, at, 'L', 4),
                Some('l') => run(&s, at, 'l', 4),
                _ => 0,
            }
        };
        if len == 0 {
            out.push(s[i]);
            i += 1;
            continue;
        }
        let token: String = s[at..at + len].iter().collect();
        match (escaped, long_date_format(&token)) {
            (false, Some(pattern)) => out.push_str(pattern),
            _ => out.extend(&s[i..at + len]),
        }
        i = at + len;
    }
    out
}

/// The English locale's long date formats (the lower-case ones are moment's derived forms).
fn long_date_format(token: &str) -> Option<&'static str> {
    Some(match token {
        "LTS" => "h:mm:ss A",
        "LT" => "h:mm A",
        "L" => "MM/DD/YYYY",
        "LL" => "MMMM D, YYYY",
        "LLL" => "MMMM D, YYYY h:mm A",
        "LLLL" => "dddd, MMMM D, YYYY h:mm A",
        "l" => "M/D/YYYY",
        "ll" => "MMM D, YYYY",
        "lll" => "MMM D, YYYY h:mm A",
        "llll" => "ddd, MMM D, YYYY h:mm A",
        _ => return None,
    })
}
