//! moment.js format strings, rendered exactly as moment.js (English locale) renders them.
//!
//! A `date`/`dateTime`/`time` value carries a `formattedValue` that the client produced with
//! moment's `format(formatString)`. To check it, the engine renders `fullDate` itself at each
//! candidate UTC offset and compares. [`Format::parse`] compiles a format string once into a
//! list of [`Token`]s; [`Format::render`] then renders one instant cheaply, as often as needed.
//!
//! The compilation mirrors moment's two passes, edge cases included:
//!
//! 1. *Expansion*: the localized formats `LT LTS L LL LLL LLLL l ll lll llll` are replaced by
//!    their English patterns (`[...]` literals and `\`-escaped tokens are left alone).
//! 2. *Tokenizing*, with moment's own regular expression: `[...]` is a literal (its content runs
//!    to the last `]` before the next `[`; an unmatched `[` is a plain character), `\` escapes
//!    the whole token that follows it, a lone trailing `\` disappears, line breaks (outside
//!    brackets) are dropped, and any sequence that is not a token is written as it is.
//!
//! Tokens moment knows but whose output cannot be reproduced faithfully here (eras `N`,
//! era years `y`, zone names `z`/`zz`) are refused with [`MomentError::Unsupported`], so a
//! value is never judged against a guess.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDateTime, Timelike};

/// Why a format string cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum MomentError {
    /// The format string is empty (moment would silently switch to its ISO default).
    #[error("the format string is empty")]
    Empty,
    /// Nothing but line breaks: moment matches no token in it and throws.
    #[error("the format string holds nothing but line breaks")]
    OnlyLineBreaks,
    /// A moment token this renderer does not reproduce.
    #[error("the moment token `{token}` is not supported ({why})")]
    Unsupported {
        /// The token as written.
        token: String,
        /// What it would have rendered.
        why: &'static str,
    },
}

/// A number moment computes from the local (offset-applied) date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// Calendar year (`YYYY`).
    Year,
    /// `year % 100`, sign kept (`YY`).
    YearOfCentury,
    /// 1–4 (`Q`).
    Quarter,
    /// 1–12 (`M`).
    Month,
    /// 1–31 (`D`).
    DayOfMonth,
    /// 1–366 (`DDD`).
    DayOfYear,
    /// 0 (Sunday) – 6 (`d`, and `e` since the English week starts on Sunday).
    Weekday,
    /// 1 (Monday) – 7 (`E`).
    IsoWeekday,
    /// English locale week: starts Sunday, week 1 holds 1 January (`w`).
    Week,
    /// ISO 8601 week (`W`).
    IsoWeek,
    /// The year the locale week belongs to (`gggg`).
    WeekYear,
    /// `WeekYear % 100` (`gg`).
    WeekYearOfCentury,
    /// The year the ISO week belongs to (`GGGG`).
    IsoWeekYear,
    /// `IsoWeekYear % 100` (`GG`).
    IsoWeekYearOfCentury,
    /// 0–23 (`H`).
    Hour,
    /// 1–12 (`h`).
    Hour12,
    /// 1–24, midnight being 24 (`k`).
    Hour24,
    /// 0–59 (`m`).
    Minute,
    /// 0–59 (`s`).
    Second,
}

/// One compiled piece of a format string.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// Text written as it is (adjacent literals are merged).
    Literal(String),
    /// A number, zero-filled to `width` digits (0: as is), or written as an English ordinal.
    Num {
        /// Which number.
        field: Field,
        /// Minimum digits.
        width: u8,
        /// `1st`, `2nd`, ... instead of digits.
        ordinal: bool,
    },
    /// `Y`: the year in four digits up to 9999, else with a `+`.
    YearShort,
    /// `YYYYYY`: the year in six digits, always signed.
    YearSigned,
    /// `MMM` (`short`) or `MMMM`.
    MonthName {
        /// Three-letter name.
        short: bool,
    },
    /// `dd` (2), `ddd` (3) or `dddd` (full): the day's name.
    WeekdayName(u8),
    /// `a` (`lower`) or `A`.
    Meridiem {
        /// `am`/`pm` rather than `AM`/`PM`.
        lower: bool,
    },
    /// `S`…`SSSSSSSSS`: fractional seconds in that many digits (moment keeps milliseconds only).
    Fraction(u8),
    /// `Z` (`colon`, `+03:00`) or `ZZ` (`+0300`).
    Offset {
        /// Separate hours and minutes with `:`.
        colon: bool,
    },
    /// `X`: Unix time in whole seconds.
    UnixSeconds,
    /// `x`: Unix time in milliseconds.
    UnixMillis,
}

/// A compiled moment.js format string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Format {
    /// The pieces, in order.
    tokens: Vec<Token>,
}

/// English month names.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
/// English weekday names, Sunday first.
const WEEKDAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
/// English two-letter weekday names (`dd`), Sunday first.
const WEEKDAYS_MIN: [&str; 7] = ["Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"];

/// Renders `dt` (in its own offset) with the moment.js `format`, English locale.
///
/// Compiles the format each time: to render one format many times, use [`Format`].
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn render(dt: &DateTime<FixedOffset>, format: &str) -> Result<String, MomentError> {
    Ok(Format::parse(format)?.render(dt))
}

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
        Ok(Format { tokens })
    }

    /// Renders `dt` at its own offset.
    pub(crate) fn render(&self, dt: &DateTime<FixedOffset>) -> String {
        let mut out = String::with_capacity(self.tokens.len() * 4);
        self.render_into(dt, &mut out);
        out
    }

    /// Renders `dt` at its own offset, appending to `out` (so one buffer can serve many tries).
    pub(crate) fn render_into(&self, dt: &DateTime<FixedOffset>, out: &mut String) {
        let local = dt.naive_local();
        for token in &self.tokens {
            match token {
                Token::Literal(s) => out.push_str(s),
                Token::Num { field, width, ordinal } => {
                    let n = field_value(*field, &local);
                    if *ordinal {
                        out.push_str(&english_ordinal(n));
                    } else {
                        zero_fill(out, n, *width, false);
                    }
                }
                Token::YearShort => {
                    let y = i64::from(local.year());
                    if y <= 9999 {
                        zero_fill(out, y, 4, false);
                    } else {
                        out.push('+');
                        out.push_str(&y.to_string());
                    }
                }
                Token::YearSigned => zero_fill(out, i64::from(local.year()), 6, true),
                Token::MonthName { short } => {
                    let name = MONTHS[local.month0() as usize % 12];
                    out.push_str(if *short { &name[..3] } else { name });
                }
                Token::WeekdayName(width) => {
                    let d = local.weekday().num_days_from_sunday() as usize % 7;
                    out.push_str(match width {
                        2 => WEEKDAYS_MIN[d],
                        3 => &WEEKDAYS[d][..3],
                        _ => WEEKDAYS[d],
                    });
                }
                Token::Meridiem { lower } => {
                    let pm = local.hour() > 11;
                    out.push_str(match (pm, lower) {
                        (true, true) => "pm",
                        (true, false) => "PM",
                        (false, true) => "am",
                        (false, false) => "AM",
                    });
                }
                Token::Fraction(digits) => {
                    // moment keeps milliseconds: `S` is tenths, `SSSS` milliseconds * 10, ...
                    let ms = i64::from(local.nanosecond() % 1_000_000_000 / 1_000_000);
                    let n = match *digits {
                        d @ 1..=3 => ms / 10_i64.pow(3 - u32::from(d)),
                        d => ms * 10_i64.pow(u32::from(d) - 3),
                    };
                    zero_fill(out, n, *digits, false);
                }
                Token::Offset { colon } => {
                    let minutes = dt.offset().local_minus_utc() / 60;
                    out.push(if minutes < 0 { '-' } else { '+' });
                    let minutes = i64::from(minutes.abs());
                    zero_fill(out, minutes / 60, 2, false);
                    if *colon {
                        out.push(':');
                    }
                    zero_fill(out, minutes % 60, 2, false);
                }
                Token::UnixSeconds => out.push_str(&dt.timestamp().to_string()),
                Token::UnixMillis => out.push_str(&dt.timestamp_millis().to_string()),
            }
        }
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

/// The value of `field` for the local date-time `t`.
fn field_value(field: Field, t: &NaiveDateTime) -> i64 {
    let year = i64::from(t.year());
    let doy = i64::from(t.ordinal());
    match field {
        Field::Year => year,
        Field::YearOfCentury => year % 100,
        Field::Quarter => i64::from(t.month0() / 3 + 1),
        Field::Month => i64::from(t.month()),
        Field::DayOfMonth => i64::from(t.day()),
        Field::DayOfYear => doy,
        Field::Weekday => i64::from(t.weekday().num_days_from_sunday()),
        Field::IsoWeekday => i64::from(t.weekday().number_from_monday()),
        Field::Week => week_of_year(year, doy, 0, 6).0,
        Field::IsoWeek => week_of_year(year, doy, 1, 4).0,
        Field::WeekYear => week_of_year(year, doy, 0, 6).1,
        Field::WeekYearOfCentury => week_of_year(year, doy, 0, 6).1 % 100,
        Field::IsoWeekYear => week_of_year(year, doy, 1, 4).1,
        Field::IsoWeekYearOfCentury => week_of_year(year, doy, 1, 4).1 % 100,
        Field::Hour => i64::from(t.hour()),
        Field::Hour12 => match t.hour() % 12 {
            0 => 12,
            h => i64::from(h),
        },
        Field::Hour24 => match t.hour() {
            0 => 24,
            h => i64::from(h),
        },
        Field::Minute => i64::from(t.minute()),
        Field::Second => i64::from(t.second()),
    }
}

/// moment's `zeroFill`: the sign (`-`, or `+` when forced), then `|n|` padded to `width`.
fn zero_fill(out: &mut String, n: i64, width: u8, force_sign: bool) {
    if n < 0 {
        out.push('-');
    } else if force_sign {
        out.push('+');
    }
    // Digits by hand: this runs for every token of every candidate offset, and `fmt` is slow.
    let mut abs = n.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut len = 0;
    loop {
        digits[len] = b'0' + (abs % 10) as u8;
        len += 1;
        abs /= 10;
        if abs == 0 {
            break;
        }
    }
    for _ in len..usize::from(width) {
        out.push('0');
    }
    out.extend(digits[..len].iter().rev().map(|&d| char::from(d)));
}

/// The English locale's ordinal: `1st 2nd 3rd 4th 11th 12th 13th 21st 101st 111th`.
fn english_ordinal(n: i64) -> String {
    let suffix = if (n % 100) / 10 == 1 {
        "th"
    } else {
        match n % 10 {
            1 => "st",
            2 => "nd",
            3 => "rd",
            _ => "th",
        }
    };
    format!("{n}{suffix}")
}

/// Day of the week (0 = Sunday) of a proleptic Gregorian date (Sakamoto's method); `day`
/// may run past the end of January, as JavaScript's `Date.UTC` allows.
fn weekday_of_january(year: i64, day: i64) -> i64 {
    // January counts as month 13 of the previous year.
    let y = year - 1;
    (y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400) + day).rem_euclid(7)
}

/// 366 for leap years, else 365.
fn days_in_year(year: i64) -> i64 {
    if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
        366
    } else {
        365
    }
}

/// moment's `firstWeekOffset`: where week 1 starts, relative to 1 January, for a week
/// starting on `dow` (0 = Sunday) whose first week holds January `7 + dow - doy`.
fn first_week_offset(year: i64, dow: i64, doy: i64) -> i64 {
    let fwd = 7 + dow - doy;
    let fwdlw = (7 + weekday_of_january(year, fwd) - dow).rem_euclid(7);
    -fwdlw + fwd - 1
}

/// moment's `weeksInYear`.
fn weeks_in_year(year: i64, dow: i64, doy: i64) -> i64 {
    (days_in_year(year) - first_week_offset(year, dow, doy) + first_week_offset(year + 1, dow, doy)) / 7
}

/// moment's `weekOfYear`: (week, week-year) of day `day_of_year` of `year`.
fn week_of_year(year: i64, day_of_year: i64, dow: i64, doy: i64) -> (i64, i64) {
    let week = (day_of_year - first_week_offset(year, dow, doy) - 1).div_euclid(7) + 1;
    if week < 1 {
        (week + weeks_in_year(year - 1, dow, doy), year - 1)
    } else if week > weeks_in_year(year, dow, doy) {
        (week - weeks_in_year(year, dow, doy), year + 1)
    } else {
        (week, year)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `iso` seen at `minutes` east of UTC.
    fn at(iso: &str, minutes: i32) -> DateTime<FixedOffset> {
        let offset = FixedOffset::east_opt(minutes * 60).expect("offset");
        DateTime::parse_from_rfc3339(iso).expect("rfc 3339").with_timezone(&offset)
    }

    /// Renders, panicking on a refused format.
    fn r(iso: &str, minutes: i32, format: &str) -> String {
        render(&at(iso, minutes), format).expect("renderable")
    }

    const SEED: &str = "2024-05-07T21:02:00.000Z";

    /// (instant, offset minutes, format, moment 2.x output), recorded from moment itself.
    const KNOWN: &[(&str, i32, &str, &str)] = &[
        (SEED, 180, "DD-MM-YYYY HH:mm", "08-05-2024 00:02"),
        (SEED, 180, "dddd, MMMM Do YYYY, h:mm:ss a", "Wednesday, May 8th 2024, 12:02:00 am"),
        (
            SEED,
            180,
            "Q Qo M Mo MM MMM MMMM D DD DDD DDDo DDDD d do dd ddd dddd e E w wo ww W Wo WW gggg GGGG gg GG",
            "2 2nd 5 5th 05 May May 8 08 129 129th 129 3 3rd We Wed Wednesday 3 3 19 19th 19 19 19th 19 2024 2024 24 24",
        ),
        (SEED, 180, "Z ZZ X x", "+03:00 +0300 1715115720 1715115720000"),
        (SEED, -570, "Z ZZ HH:mm", "-09:30 -0930 11:32"),
        (SEED, 345, "Z ZZ HH:mm", "+05:45 +0545 02:47"),
        (SEED, 840, "Z ZZ DD-MM-YYYY HH:mm", "+14:00 +1400 08-05-2024 11:02"),
        (SEED, 0, "Z ZZ", "+00:00 +0000"),
        (
            "2024-05-07T21:02:00.123Z",
            0,
            "S SS SSS SSSS SSSSS SSSSSS SSSSSSS SSSSSSSS SSSSSSSSS X x",
            "1 12 123 1230 12300 123000 1230000 12300000 123000000 1715115720 1715115720123",
        ),
        ("1969-12-31T23:59:59.999Z", 0, "X x", "-1 -1"),
        ("2024-05-07T21:05:00.000Z", 180, "h:mm A k kk H HH hh a", "12:05 AM 24 24 0 00 12 am"),
        ("2024-05-07T09:30:00.000Z", 180, "h:mm A k kk", "12:30 PM 12 12"),
        ("2024-05-07T10:30:00.000Z", 0, "h:mm A k kk", "10:30 AM 10 10"),
        ("2024-05-07T23:59:00.000Z", 0, "h:mm A k kk", "11:59 PM 23 23"),
        ("2024-12-29T12:00:00.000Z", 0, "dddd w gggg W GGGG", "Sunday 1 2025 52 2024"),
        ("2021-01-01T12:00:00.000Z", 0, "dddd w gggg W GGGG WW", "Friday 1 2021 53 2020 53"),
        (
            "9999-12-31T23:59:59.999Z",
            840,
            "YYYY Y YY YYYYY YYYYYY DD-MM-YYYY HH:mm dddd",
            "10000 +10000 00 10000 +010000 01-01-10000 13:59 Saturday",
        ),
        (
            "0000-01-01T00:00:00.000Z",
            -720,
            "YYYY Y YY YYYYYY DD-MM-YYYY HH:mm",
            "-0001 -0001 -01 -000001 31-12--0001 12:00",
        ),
        ("2024-02-29T12:00:00.000Z", 0, "DDD DDDD DDDo Do dddd", "60 060 60th 29th Thursday"),
        ("2023-04-11T00:00:00.000Z", 0, "DDD DDDo Do", "101 101st 11th"),
        ("2023-04-21T00:00:00.000Z", 0, "DDDo", "111th"),
        ("2023-01-12T00:00:00.000Z", 0, "Do DDDo", "12th 12th"),
    ];

    #[test]
    fn matches_recorded_moment_output() {
        for (iso, minutes, format, want) in KNOWN {
            assert_eq!(r(iso, *minutes, format), *want, "{iso} at {minutes} with {format:?}");
        }
    }

    #[test]
    fn seed_case() {
        assert_eq!(r(SEED, 180, "DD-MM-YYYY HH:mm"), "08-05-2024 00:02");
        assert_eq!(r(SEED, 0, "DD-MM-YYYY HH:mm"), "07-05-2024 21:02");
    }

    #[test]
    fn day_of_month_ordinals() {
        let want = [
            (1, "1st"),
            (2, "2nd"),
            (3, "3rd"),
            (4, "4th"),
            (11, "11th"),
            (12, "12th"),
            (13, "13th"),
            (21, "21st"),
            (22, "22nd"),
            (23, "23rd"),
            (24, "24th"),
            (31, "31st"),
        ];
        for (day, ordinal) in want {
            assert_eq!(r(&format!("2024-01-{day:02}T12:00:00Z"), 0, "Do"), ordinal);
        }
        assert_eq!(english_ordinal(0), "0th");
        assert_eq!(english_ordinal(111), "111th");
        assert_eq!(english_ordinal(112), "112th");
        assert_eq!(english_ordinal(101), "101st");
        assert_eq!(english_ordinal(366), "366th");
    }

    #[test]
    fn twelve_and_twenty_four_hour_clocks() {
        assert_eq!(r("2024-05-07T00:05:00Z", 0, "h:mm A"), "12:05 AM");
        assert_eq!(r("2024-05-07T12:00:00Z", 0, "h:mm a"), "12:00 pm");
        assert_eq!(r("2024-05-07T13:07:00Z", 0, "hh:mm A"), "01:07 PM");
        assert_eq!(r("2024-05-07T00:05:00Z", 0, "k kk H HH"), "24 24 0 00");
        assert_eq!(r("2024-05-07T01:05:00Z", 0, "k kk"), "1 01");
        assert_eq!(r("2024-05-07T09:08:07Z", 0, "Hmmss hmm Hmm"), "90807 908 908");
    }

    #[test]
    fn localized_formats_are_english() {
        assert_eq!(
            r(SEED, 180, "LT|LTS|L|LL|LLL|LLLL|l|ll|lll|llll"),
            "12:02 AM|12:02:00 AM|05/08/2024|May 8, 2024|May 8, 2024 12:02 AM|\
             Wednesday, May 8, 2024 12:02 AM|5/8/2024|May 8, 2024|May 8, 2024 12:02 AM|\
             Wed, May 8, 2024 12:02 AM"
        );
        // Expansion happens on the text: `L` then `Y` makes `YYYYY`.
        assert_eq!(r(SEED, 180, "LY"), "05/08/02024");
        assert_eq!(r(SEED, 180, "LLLLL"), "Wednesday, May 8, 2024 12:02 AM05/08/2024");
    }

    #[test]
    fn literals_and_escapes_follow_moment() {
        assert_eq!(r(SEED, 180, "[Today is] dddd"), "Today is Wednesday");
        assert_eq!(r(SEED, 180, "[a]b]c"), "a]bc");
        assert_eq!(r(SEED, 180, "[L"), "[05/08/2024");
        assert_eq!(r(SEED, 180, "\\YYYY \\\\ YYYY\\"), "YYYY  2024");
        assert_eq!(r(SEED, 180, "\\[L] [[x]] []"), "[L] [x] ");
        assert_eq!(r(SEED, 180, "a\nb"), "amb");
        assert_eq!(r(SEED, 180, "[a\nb]"), "a\nb");
        assert_eq!(r(SEED, 180, "YYY|ggg|w|W|T|DDo|Mo"), "242024|24g|w|W|T|08o|5th");
        assert_eq!(r(SEED, 180, "é→ b c f i j n o p q r t u v B C F I J"), "é→ b c f i j n o p q r t u v B C F I J");
    }

    #[test]
    fn month_and_weekday_names() {
        for (month, name) in MONTHS.iter().enumerate() {
            let iso = format!("2023-{:02}-15T12:00:00Z", month + 1);
            assert_eq!(r(&iso, 0, "MMMM|MMM"), format!("{name}|{}", &name[..3]));
        }
        // 2024-05-05 is a Sunday.
        for (day, name) in WEEKDAYS.iter().enumerate() {
            let iso = format!("2024-05-{:02}T12:00:00Z", day + 5);
            let want = format!("{name}|{}|{}|{day}|{}", &name[..3], WEEKDAYS_MIN[day], if day == 0 { 7 } else { day });
            assert_eq!(r(&iso, 0, "dddd|ddd|dd|d|E"), want);
        }
    }

    #[test]
    fn iso_weeks_agree_with_chrono() {
        use chrono::{Datelike, Duration, NaiveDate};
        let mut day = NaiveDate::from_ymd_opt(1998, 12, 20).expect("date");
        let format = Format::parse("W-GGGG").expect("format");
        while day.year() < 2032 {
            let dt = day.and_hms_opt(12, 0, 0).expect("time").and_utc().fixed_offset();
            let week = day.iso_week();
            assert_eq!(format.render(&dt), format!("{}-{}", week.week(), week.year()), "{day}");
            day += Duration::days(1);
        }
    }

    #[test]
    fn compiled_once_renders_like_render() {
        let format = Format::parse("[at] LLLL Z").expect("format");
        for minutes in [-720, -570, 0, 180, 345, 840] {
            let dt = at(SEED, minutes);
            assert_eq!(format.render(&dt), render(&dt, "[at] LLLL Z").expect("format"));
        }
        // Adjacent literals are merged into one token.
        assert_eq!(Format::parse("[a] - [b]").expect("format").tokens, vec![Token::Literal("a - b".into())]);
    }

    #[test]
    fn unsupported_and_empty_formats_are_refused() {
        assert_eq!(Format::parse(""), Err(MomentError::Empty));
        assert_eq!(Format::parse("\n\r"), Err(MomentError::OnlyLineBreaks));
        for format in ["N", "NNNN", "y", "yo", "yyyy", "z", "zz", "DD z"] {
            assert!(
                matches!(Format::parse(format), Err(MomentError::Unsupported { .. })),
                "{format} should be refused"
            );
        }
        // ...but escaped or bracketed they are plain text.
        assert_eq!(r(SEED, 0, "[N y z] \\N"), "N y z N");
    }

    #[test]
    fn extreme_years_do_not_panic() {
        let all = "YYYY YY Y Q Qo M Mo MM MMM MMMM D Do DD DDD DDDo DDDD d do dd ddd dddd e E w wo ww W Wo WW \
                   gggg GGGG A a H HH h hh k kk m mm s ss S SS SSS SSSSSSSSS Z ZZ X x LLLL llll LTS";
        let format = Format::parse(all).expect("format");
        for iso in ["0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "2016-12-31T23:59:60Z"] {
            for minutes in [-720, 0, 840] {
                assert!(!format.render(&at(iso, minutes)).is_empty());
            }
        }
        let leap = at("2016-12-31T23:59:60.5Z", 0);
        assert_eq!(Format::parse("ss.SSS").expect("format").render(&leap), "59.500");
    }
}
