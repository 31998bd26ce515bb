//! moment.js format strings, rendered exactly as moment.js (English locale) renders them.
//!
//! A `date`/`dateTime`/`time` value carries a `formattedValue` that the client produced with
//! moment's `format(formatString)`. To check it, the engine renders `fullDate` itself at each
//! candidate UTC offset and compares. [`Format::parse`] compiles a format string once into a
//! list of [`Token`]s; [`Format::render`] then renders one instant cheaply, as often as needed,
//! and [`Format::matches_at_some_offset`] does the whole check, comparing as it renders and
//! skipping the offsets that would render what has already failed.
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

use std::ops::ControlFlow;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Timelike};

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

impl Token {
    /// What of the local date-time (or the offset) this token's output depends on.
    fn depends(&self) -> Depends {
        match self {
            // Milliseconds and Unix time are the same at every offset.
            Token::Literal(_) | Token::Fraction(_) | Token::UnixSeconds | Token::UnixMillis => Depends::Nothing,
            Token::Num { field: Field::Hour | Field::Hour12 | Field::Hour24, .. } | Token::Meridiem { .. } => {
                Depends::Hour
            }
            Token::Num { field: Field::Minute, .. } => Depends::Minute,
            Token::Num { field: Field::Second, .. } => Depends::Second,
            Token::Num { .. }
            | Token::YearShort
            | Token::YearSigned
            | Token::MonthName { .. }
            | Token::WeekdayName(_) => Depends::Day,
            Token::Offset { .. } => Depends::Offset,
        }
    }
}

/// What a compiled format's output depends on, besides the instant itself: two offsets that
/// give the same local value at this resolution render the same text. Ordered coarse to fine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Depends {
    /// Nothing that changes with the offset (literals, fractions, Unix time).
    Nothing,
    /// The local date.
    Day,
    /// The local date and hour.
    Hour,
    /// The local date, hour and minute.
    Minute,
    /// The local date and time to the second (fractions never change with the offset).
    Second,
    /// The offset itself (`Z`, `ZZ`): every offset renders differently.
    Offset,
}

impl Depends {
    /// What identifies the output at the local time `local_secs` (seconds from the UTC date's
    /// midnight, offset applied): equal keys render equal text. `None` when nothing but the
    /// offset itself identifies it.
    fn key(self, local_secs: i64) -> Option<i64> {
        let unit = match self {
            Depends::Nothing => return Some(0),
            Depends::Day => SECS_PER_DAY,
            Depends::Hour => 3_600,
            Depends::Minute => 60,
            Depends::Second => 1,
            Depends::Offset => return None,
        };
        Some(local_secs.div_euclid(unit))
    }
}

/// Why one try of [`Format::matches_at_some_offset`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Failure {
    /// What the text rendered up to the differing token depends on.
    depends: Depends,
    /// Its key ([`Depends::key`]) at the offset tried.
    key: Option<i64>,
}

impl Failure {
    /// True when a try at the local time `local_secs` renders the same text up to the
    /// differing token, and so fails the same way.
    fn recurs_at(self, local_secs: i64) -> bool {
        self.key.is_some() && self.depends.key(local_secs) == self.key
    }
}

/// Seconds in a (non-leap) day.
const SECS_PER_DAY: i64 = 86_400;

/// A compiled moment.js format string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Format {
    /// The pieces, in order.
    tokens: Vec<Token>,
    /// What the output up to and including each token depends on (the finest of those
    /// tokens' needs): `prefix_depends[i]` for `tokens[..=i]`.
    prefix_depends: Vec<Depends>,
    /// What the whole output depends on.
    depends: Depends,
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
/// English three-letter month names (`MMM`).
const MONTHS_SHORT: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
/// English weekday names, Sunday first.
const WEEKDAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
/// English three-letter weekday names (`ddd`), Sunday first.
const WEEKDAYS_SHORT: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
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

    /// Renders `dt` at its own offset.
    pub(crate) fn render(&self, dt: &DateTime<FixedOffset>) -> String {
        let mut out = String::with_capacity(self.tokens.len() * 4);
        self.render_into(dt, &mut out);
        out
    }

    /// Renders `dt` at its own offset, appending to `out` (so one buffer can serve many tries).
    pub(crate) fn render_into(&self, dt: &DateTime<FixedOffset>, out: &mut String) {
        let offset = dt.offset().local_minus_utc();
        let utc = dt.naive_utc();
        let mut days = Days::around(utc.date());
        let mut local = Civil::new(&mut days, local_secs(&utc, offset), utc.nanosecond());
        // A `String` never stops the rendering.
        self.render_to(dt, offset, &mut local, out);
    }

    /// True when `dt` renders as `sent` at its own offset or at one of `offsets_minutes`
    /// (minutes east of UTC; those equal to `dt`'s own offset, or beyond what a
    /// [`FixedOffset`] can hold, are passed over).
    ///
    /// The same as rendering at each offset in turn and comparing, only cheaper: the calendar
    /// fields of each local date are computed once, the comparison stops at the first piece
    /// that differs, and an offset is not tried when it is known to fail. A failed try stopped
    /// at some token, so the text up to there depends only on the local time at some
    /// resolution (day, hour, minute, second; or the offset itself, or nothing); an offset
    /// whose local time is the same at that resolution as at the own offset's failed try, or
    /// as at the last failed try, would fail the same way. With offsets listed west to east, a
    /// date-only format thus renders at most four times, whatever the number of offsets.
    pub(crate) fn matches_at_some_offset(
        &self,
        dt: &DateTime<FixedOffset>,
        offsets_minutes: &[i32],
        sent: &str,
    ) -> bool {
        let own = dt.offset().local_minus_utc();
        let utc = dt.naive_utc();
        let nano = utc.nanosecond();
        let utc_secs = i64::from(utc.num_seconds_from_midnight());
        let mut days = Days::around(utc.date());
        // `None` on a match, else what made the try fail.
        let mut try_at = |offset: i32| {
            let local_secs = utc_secs + i64::from(offset);
            let mut local = Civil::new(&mut days, local_secs, nano);
            let mut expect = Expect { rest: sent.as_bytes() };
            let depends = match self.render_to(dt, offset, &mut local, &mut expect) {
                Some(at) => self.prefix_depends.get(at).copied().unwrap_or(self.depends),
                None if expect.rest.is_empty() => return None,
                None => self.depends, // `sent` is longer
            };
            Some(Failure { depends, key: depends.key(local_secs) })
        };
        let Some(own_failure) = try_at(own) else { return true };
        let mut last_failure = own_failure;
        for &minutes in offsets_minutes {
            let Some(offset) = minutes.checked_mul(60) else { continue };
            if offset == own || FixedOffset::east_opt(offset).is_none() {
                continue;
            }
            let local_secs = utc_secs + i64::from(offset);
            if own_failure.recurs_at(local_secs) || last_failure.recurs_at(local_secs) {
                continue;
            }
            match try_at(offset) {
                None => return true,
                Some(failure) => last_failure = failure,
            }
        }
        false
    }

    /// Renders the instant `dt` at `offset` (seconds east of UTC), whose local calendar fields
    /// are `local`, into `out`. Stops as soon as `out` breaks, answering the index of the token
    /// it broke at; `None` when every token was taken.
    fn render_to<S: Sink>(
        &self,
        dt: &DateTime<FixedOffset>,
        offset: i32,
        local: &mut Civil<'_>,
        out: &mut S,
    ) -> Option<usize> {
        self.tokens.iter().position(|token| render_token(token, dt, offset, local, out).is_break())
    }
}

/// Renders one token (see [`Format::render_to`]).
fn render_token<S: Sink>(
    token: &Token,
    dt: &DateTime<FixedOffset>,
    offset: i32,
    local: &mut Civil<'_>,
    out: &mut S,
) -> ControlFlow<()> {
    match token {
        Token::Literal(s) => out.put(s)?,
        Token::Num { field, width, ordinal } => {
            let n = local.value(*field);
            put_number(out, n, *width, false)?;
            if *ordinal {
                out.put(ordinal_suffix(n))?;
            }
        }
        Token::YearShort => {
            // Four digits up to 9999, else signed.
            put_number(out, local.date.year, 4, local.date.year > 9999)?;
        }
        Token::YearSigned => put_number(out, local.date.year, 6, true)?,
        Token::MonthName { short } => {
            let m = local.date.month0 as usize % 12;
            out.put(if *short { MONTHS_SHORT[m] } else { MONTHS[m] })?;
        }
        Token::WeekdayName(width) => {
            let d = local.date.weekday as usize % 7;
            out.put(match width {
                2 => WEEKDAYS_MIN[d],
                3 => WEEKDAYS_SHORT[d],
                _ => WEEKDAYS[d],
            })?;
        }
        Token::Meridiem { lower } => {
            let pm = local.hour > 11;
            out.put(match (pm, lower) {
                (true, true) => "pm",
                (true, false) => "PM",
                (false, true) => "am",
                (false, false) => "AM",
            })?;
        }
        Token::Fraction(digits) => {
            // moment keeps milliseconds: `S` is tenths, `SSSS` milliseconds * 10, ...
            let ms = i64::from(local.nano % 1_000_000_000 / 1_000_000);
            let n = match *digits {
                d @ 1..=3 => ms / 10_i64.pow(3 - u32::from(d)),
                d => ms * 10_i64.pow(u32::from(d) - 3),
            };
            put_number(out, n, *digits, false)?;
        }
        Token::Offset { colon } => {
            let minutes = offset / 60;
            out.put(if minutes < 0 { "-" } else { "+" })?;
            let minutes = i64::from(minutes.abs());
            put_number(out, minutes / 60, 2, false)?;
            if *colon {
                out.put(":")?;
            }
            put_number(out, minutes % 60, 2, false)?;
        }
        Token::UnixSeconds => put_number(out, dt.timestamp(), 0, false)?,
        Token::UnixMillis => put_number(out, dt.timestamp_millis(), 0, false)?,
    }
    ControlFlow::Continue(())
}

/// Where rendered text goes: a `String`, or an [`Expect`] comparing it with a sent value.
trait Sink {
    /// Takes the next piece of the rendering; `Break` stops the rendering.
    fn put(&mut self, text: &str) -> ControlFlow<()>;

    /// [`Sink::put`] for a piece known to be ASCII (signs and digits).
    fn put_ascii(&mut self, bytes: &[u8]) -> ControlFlow<()>;
}

impl Sink for String {
    fn put(&mut self, text: &str) -> ControlFlow<()> {
        self.push_str(text);
        ControlFlow::Continue(())
    }

    fn put_ascii(&mut self, bytes: &[u8]) -> ControlFlow<()> {
        for &b in bytes {
            // ASCII by contract; the mask lets `push` skip its multi-byte paths.
            self.push(char::from(b & 0x7f));
        }
        ControlFlow::Continue(())
    }
}

/// Compares a rendering, piece by piece, with the text expected, breaking at the first difference.
struct Expect<'a> {
    /// What the rest of the rendering must be.
    rest: &'a [u8],
}

impl Expect<'_> {
    /// Consumes `bytes` from the text expected, or breaks when it does not start with them.
    fn take(&mut self, bytes: &[u8]) -> ControlFlow<()> {
        match self.rest.split_at_checked(bytes.len()) {
            // Byte by byte: the pieces are short, a `memcmp` call costs more.
            Some((head, rest)) if head.iter().zip(bytes).all(|(a, b)| a == b) => {
                self.rest = rest;
                ControlFlow::Continue(())
            }
            _ => ControlFlow::Break(()),
        }
    }
}

impl Sink for Expect<'_> {
    fn put(&mut self, text: &str) -> ControlFlow<()> {
        self.take(text.as_bytes())
    }

    fn put_ascii(&mut self, bytes: &[u8]) -> ControlFlow<()> {
        self.take(bytes)
    }
}

/// Seconds from the midnight starting `utc`'s date to the local time at `offset` seconds east.
fn local_secs(utc: &NaiveDateTime, offset: i32) -> i64 {
    i64::from(utc.num_seconds_from_midnight()) + i64::from(offset)
}

/// The calendar fields of one local date (the week numbers once a token asks for them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Day {
    /// Calendar year (proleptic Gregorian, astronomical numbering).
    year: i64,
    /// 0–11.
    month0: u32,
    /// 1–31.
    day: u32,
    /// 1–366.
    ordinal: u32,
    /// 0 (Sunday) – 6.
    weekday: u32,
    /// (week, week-year) in the English locale, once computed.
    week: Option<(i64, i64)>,
    /// (week, week-year) in ISO 8601, once computed.
    iso_week: Option<(i64, i64)>,
}

impl Day {
    /// The fields of `date`.
    fn of(date: NaiveDate) -> Day {
        Day {
            year: i64::from(date.year()),
            month0: date.month0(),
            day: date.day(),
            ordinal: date.ordinal(),
            weekday: date.weekday().num_days_from_sunday(),
            week: None,
            iso_week: None,
        }
    }

    /// The day `shift` (−1, 0 or 1) days from `date`, as chrono's `naive_local` gives it, and
    /// also just past the ends of chrono's range (where chrono gives up): a last date is a
    /// 31 December, a first one a 1 January.
    fn shifted(date: NaiveDate, shift: i64) -> Day {
        match shift {
            ..=-1 => date.pred_opt().map_or_else(
                || {
                    let day = Day::of(date);
                    let year = day.year - 1;
                    let ordinal = u32::try_from(days_in_year(year)).unwrap_or(365);
                    Day { year, month0: 11, day: 31, ordinal, weekday: (day.weekday + 6) % 7, ..day }
                },
                Day::of,
            ),
            0 => Day::of(date),
            1.. => date.succ_opt().map_or_else(
                || {
                    let day = Day::of(date);
                    Day { year: day.year + 1, month0: 0, day: 1, ordinal: 1, weekday: (day.weekday + 1) % 7, ..day }
                },
                Day::of,
            ),
        }
    }

    /// (week, week-year) in the English locale: weeks start on Sunday, week 1 holds 1 January.
    fn week(&mut self) -> (i64, i64) {
        let (year, ordinal) = (self.year, i64::from(self.ordinal));
        *self.week.get_or_insert_with(|| week_of_year(year, ordinal, 0, 6))
    }

    /// (week, week-year) in ISO 8601.
    fn iso_week(&mut self) -> (i64, i64) {
        let (year, ordinal) = (self.year, i64::from(self.ordinal));
        *self.iso_week.get_or_insert_with(|| week_of_year(year, ordinal, 1, 4))
    }
}

/// The local dates one instant can have: its UTC date and the days before and after it (an
/// offset is less than a day), each computed on first use and then kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Days {
    /// The instant's UTC date.
    utc: NaiveDate,
    /// The day before, the UTC date, the day after.
    known: [Option<Day>; 3],
}

impl Days {
    /// None computed yet around the UTC date `utc`.
    fn around(utc: NaiveDate) -> Days {
        Days { utc, known: [None; 3] }
    }

    /// The day `shift` days from the UTC date (clamped to −1..=1).
    fn get(&mut self, shift: i64) -> &mut Day {
        let shift = shift.clamp(-1, 1);
        let utc = self.utc;
        let slot = match shift {
            -1 => &mut self.known[0],
            0 => &mut self.known[1],
            _ => &mut self.known[2],
        };
        slot.get_or_insert_with(|| Day::shifted(utc, shift))
    }
}

/// The local fields of one instant at one offset.
#[derive(Debug, PartialEq, Eq)]
struct Civil<'a> {
    /// The local date.
    date: &'a mut Day,
    /// 0–23.
    hour: u32,
    /// 0–59.
    minute: u32,
    /// 0–59 (a leap second is 59 with `nano` ≥ 10⁹, as in chrono).
    second: u32,
    /// Nanoseconds, 10⁹ and more during a leap second.
    nano: u32,
}

impl<'a> Civil<'a> {
    /// The fields at `local_secs` seconds from the midnight starting the UTC date of `days`
    /// (from one day before it to two days after, as an offset allows), `nano` being the
    /// instant's nanoseconds: what chrono's `naive_local` gives.
    fn new(days: &'a mut Days, local_secs: i64, nano: u32) -> Civil<'a> {
        let secs = u32::try_from(local_secs.rem_euclid(SECS_PER_DAY)).unwrap_or_default();
        Civil {
            date: days.get(local_secs.div_euclid(SECS_PER_DAY)),
            hour: secs / 3_600,
            minute: secs / 60 % 60,
            second: secs % 60,
            nano,
        }
    }

    /// The value of `field`.
    fn value(&mut self, field: Field) -> i64 {
        let date = &mut *self.date;
        match field {
            Field::Year => date.year,
            Field::YearOfCentury => date.year % 100,
            Field::Quarter => i64::from(date.month0 / 3 + 1),
            Field::Month => i64::from(date.month0 + 1),
            Field::DayOfMonth => i64::from(date.day),
            Field::DayOfYear => i64::from(date.ordinal),
            Field::Weekday => i64::from(date.weekday),
            Field::IsoWeekday => match date.weekday {
                0 => 7,
                d => i64::from(d),
            },
            Field::Week => date.week().0,
            Field::IsoWeek => date.iso_week().0,
            Field::WeekYear => date.week().1,
            Field::WeekYearOfCentury => date.week().1 % 100,
            Field::IsoWeekYear => date.iso_week().1,
            Field::IsoWeekYearOfCentury => date.iso_week().1 % 100,
            Field::Hour => i64::from(self.hour),
            Field::Hour12 => match self.hour % 12 {
                0 => 12,
                h => i64::from(h),
            },
            Field::Hour24 => match self.hour {
                0 => 24,
                h => i64::from(h),
            },
            Field::Minute => i64::from(self.minute),
            Field::Second => i64::from(self.second),
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

/// "00", "01", ... "99": two digits per number below 100.
const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// Room for the longest number written: a sign and 20 digits (or 9 with zeros).
const NUMBER_ROOM: usize = 24;

/// moment's `zeroFill`: the sign (`-`, or `+` when forced), then `|n|` padded with zeros to
/// `width` digits. Built on the stack without `fmt`: this runs for most tokens of every try.
fn put_number<S: Sink>(out: &mut S, n: i64, width: u8, force_sign: bool) -> ControlFlow<()> {
    if let (Ok(small @ 0..=99), 0..=2, false) = (usize::try_from(n), width, force_sign) {
        // The common case (days, months, hours, minutes...): at most two digits, no sign.
        let wide = small >= 10 || width == 2;
        let pair = DIGIT_PAIRS.get(small * 2 + usize::from(!wide)..small * 2 + 2).unwrap_or_default();
        return out.put_ascii(pair);
    }
    let mut buf = [b'0'; NUMBER_ROOM];
    let mut start = buf.len();
    let mut abs = n.unsigned_abs();
    // Two digits at a time, from the right.
    while abs >= 100 {
        let pair = (abs % 100) as usize * 2;
        abs /= 100;
        start -= 2;
        buf[start..start + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if abs >= 10 {
        let pair = abs as usize * 2;
        start -= 2;
        buf[start..start + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        start -= 1;
        buf[start] = b'0' + abs as u8;
    }
    // The buffer is all zeros left of the digits, so padding is moving `start` (`width` is at
    // most 9, for `SSSSSSSSS`); at most 20 digits leave room for the sign.
    start = start.min(buf.len().saturating_sub(usize::from(width))).max(1);
    if n < 0 {
        start -= 1;
        buf[start] = b'-';
    } else if force_sign {
        start -= 1;
        buf[start] = b'+';
    }
    out.put_ascii(&buf[start..])
}

/// The English locale's ordinal suffix: `1st 2nd 3rd 4th 11th 12th 13th 21st 101st 111th`.
fn ordinal_suffix(n: i64) -> &'static str {
    if (n % 100) / 10 == 1 {
        "th"
    } else {
        match n % 10 {
            1 => "st",
            2 => "nd",
            3 => "rd",
            _ => "th",
        }
    }
}

/// The English ordinal of `n`, as moment's `do`, `Do`... write it.
#[cfg(test)]
fn english_ordinal(n: i64) -> String {
    format!("{n}{}", ordinal_suffix(n))
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

    /// The renderer as it was before rendering was made incremental (`naive_local`, `String`
    /// pushes, one field at a time), kept as a reference for the fast one.
    mod reference {
        use chrono::{DateTime, Datelike, FixedOffset, NaiveDateTime, Timelike};

        use super::super::{week_of_year, Field, Token, MONTHS, WEEKDAYS, WEEKDAYS_MIN};

        /// Renders `dt` at its own offset.
        pub(super) fn render(tokens: &[Token], dt: &DateTime<FixedOffset>) -> String {
            let mut out = String::new();
            let local = dt.naive_local();
            for token in tokens {
                match token {
                    Token::Literal(s) => out.push_str(s),
                    Token::Num { field, width, ordinal } => {
                        let n = field_value(*field, &local);
                        if *ordinal {
                            out.push_str(&english_ordinal(n));
                        } else {
                            zero_fill(&mut out, n, *width, false);
                        }
                    }
                    Token::YearShort => {
                        let y = i64::from(local.year());
                        if y <= 9999 {
                            zero_fill(&mut out, y, 4, false);
                        } else {
                            out.push('+');
                            out.push_str(&y.to_string());
                        }
                    }
                    Token::YearSigned => zero_fill(&mut out, i64::from(local.year()), 6, true),
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
                        let ms = i64::from(local.nanosecond() % 1_000_000_000 / 1_000_000);
                        let n = match *digits {
                            d @ 1..=3 => ms / 10_i64.pow(3 - u32::from(d)),
                            d => ms * 10_i64.pow(u32::from(d) - 3),
                        };
                        zero_fill(&mut out, n, *digits, false);
                    }
                    Token::Offset { colon } => {
                        let minutes = dt.offset().local_minus_utc() / 60;
                        out.push(if minutes < 0 { '-' } else { '+' });
                        let minutes = i64::from(minutes.abs());
                        zero_fill(&mut out, minutes / 60, 2, false);
                        if *colon {
                            out.push(':');
                        }
                        zero_fill(&mut out, minutes % 60, 2, false);
                    }
                    Token::UnixSeconds => out.push_str(&dt.timestamp().to_string()),
                    Token::UnixMillis => out.push_str(&dt.timestamp_millis().to_string()),
                }
            }
            out
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

        /// moment's `zeroFill`.
        pub(super) fn zero_fill(out: &mut String, n: i64, width: u8, force_sign: bool) {
            if n < 0 {
                out.push('-');
            } else if force_sign {
                out.push('+');
            }
            let digits = n.unsigned_abs().to_string();
            for _ in digits.len()..usize::from(width) {
                out.push('0');
            }
            out.push_str(&digits);
        }

        /// `1st`, `2nd`...
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
    }

    /// The UTC offsets of `datetime::REAL_OFFSETS` (minutes east), west to east.
    const OFFSETS: [i32; 40] = [
        -720, -660, -600, -570, -540, -480, -420, -360, -300, -240, -210, -180, -150, -120, -60, 0, 60, 120, 180, 210,
        240, 270, 300, 330, 345, 360, 390, 420, 480, 525, 540, 570, 600, 630, 660, 720, 765, 780, 825, 840,
    ];

    /// Offsets (seconds east) an instant may carry, odd ones included.
    const OWN_OFFSETS: [i32; 9] = [0, 345 * 60, 840 * 60, -720 * 60, -570 * 60, 30, -86_399, 86_399, 60 * 60];

    /// Formats covering every kind of token.
    const FORMATS: &[&str] = &[
        "DD-MM-YYYY",
        "DD-MM-YYYY HH:mm",
        "HH:mm",
        "YYYY-MM-DD[T]HH:mm:ss.SSSZ",
        "dddd, MMMM Do YYYY, h:mm:ss a",
        "Q Qo M Mo MM MMM MMMM D DD DDD DDDo DDDD d do dd ddd dddd e E",
        "w wo ww W Wo WW gggg GGGG gg GG ggggg GGGGG",
        "[week] wo [of] gggg, [ISO] W-GGGG",
        "LLLL",
        "llll LTS",
        "L l",
        "X",
        "x SSSSSSSSS S",
        "Z ZZ",
        "ZZ DD",
        "h A k kk",
        "Hmmss hmm",
        "YYYYYY Y YY YYYYY",
        "[nothing but a literal]",
        "\\",
        "m:s mm:ss",
        "DDDo DDDD",
        "Do [of] MMMM, hh a",
        "H",
        "D",
        "h:m",
    ];

    /// Instants (UTC) from year 0 to 9999, leap days and leap seconds, then pseudo-random ones.
    fn instants() -> Vec<DateTime<chrono::Utc>> {
        let mut out: Vec<DateTime<chrono::Utc>> = [
            "0000-01-01T00:00:00Z",
            "0000-01-01T11:59:59.999Z",
            "0000-12-31T23:30:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "9999-12-31T10:15:00Z",
            "9999-01-01T00:00:00Z",
            "2016-12-31T23:59:60.5Z",
            "2024-02-29T12:00:00.123Z",
            "2024-05-07T21:02:00Z",
            "1986-08-16T21:00:00Z",
            "2020-12-31T18:45:00Z",
            "2021-01-03T05:00:00Z",
            "1969-12-31T23:59:59.999Z",
            "1970-01-01T00:00:00Z",
        ]
        .iter()
        .map(|iso| DateTime::parse_from_rfc3339(iso).expect("rfc 3339").to_utc())
        .collect();
        let (first, last) = (-62_167_219_200_i64, 253_402_300_799_i64); // 0000-01-01 .. 9999-12-31
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..16 {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let secs = first + i64::try_from((state >> 11) % (last - first) as u64).expect("fits");
            let nanos = u32::try_from((state >> 7) % 1_000_000_000).expect("fits");
            out.push(DateTime::from_timestamp(secs, nanos).expect("in range"));
        }
        out
    }

    /// The check `datetime.rs` did before `matches_at_some_offset`: render at the own offset,
    /// then at every other offset of the list, and compare.
    fn naive_matches(format: &Format, dt: &DateTime<FixedOffset>, offsets: &[i32], sent: &str) -> bool {
        let mut buf = String::new();
        let mut renders_as_sent = |at: &DateTime<FixedOffset>| {
            buf.clear();
            format.render_into(at, &mut buf);
            buf == sent
        };
        if renders_as_sent(dt) {
            return true;
        }
        let own = dt.offset().local_minus_utc();
        offsets
            .iter()
            .filter_map(|&minutes| minutes.checked_mul(60))
            .filter(|&secs| secs != own)
            .filter_map(FixedOffset::east_opt)
            .any(|offset| renders_as_sent(&dt.with_timezone(&offset)))
    }

    /// `secs` east of UTC.
    fn offset(secs: i32) -> FixedOffset {
        FixedOffset::east_opt(secs).expect("offset")
    }

    #[test]
    fn render_into_agrees_with_the_reference_renderer() {
        for format in FORMATS {
            let compiled = Format::parse(format).expect("format");
            for instant in instants() {
                for own in OWN_OFFSETS.iter().copied().chain(OFFSETS.iter().map(|m| m * 60)) {
                    let dt = instant.with_timezone(&offset(own));
                    let mut out = String::from("kept:");
                    compiled.render_into(&dt, &mut out);
                    let want = format!("kept:{}", reference::render(&compiled.tokens, &dt));
                    assert_eq!(out, want, "{format:?} at {dt}");
                }
            }
        }
    }

    #[test]
    fn matches_at_some_offset_agrees_with_trying_every_offset() {
        let mut reversed = OFFSETS;
        reversed.reverse();
        let odd = [1440, -1440, 0, 345, 345, i32::MAX, i32::MIN, 840, -720, 1, -1, 23 * 60 + 59];
        let lists: [&[i32]; 4] = [&OFFSETS, &reversed, &odd, &[]];
        let (mut checks, mut matched) = (0, 0);
        for format in FORMATS {
            let compiled = Format::parse(format).expect("format");
            for (i, instant) in instants().into_iter().enumerate() {
                let own = OWN_OFFSETS[i % OWN_OFFSETS.len()];
                let dt = instant.with_timezone(&offset(own));
                // What a client may have sent: renderings at the own offset, at listed offsets
                // (+05:45, +14:00, -12:00 among them), at unlisted ones, and near misses.
                let mut sents: Vec<String> = [own, 345 * 60, 840 * 60, -720 * 60, OFFSETS[i % 40] * 60, 83 * 60, -30]
                    .iter()
                    .map(|&secs| compiled.render(&dt.with_timezone(&offset(secs))))
                    .collect();
                let base = sents[1].clone();
                let mut longer = base.clone();
                longer.push('0');
                let mut chars: Vec<char> = base.chars().collect();
                chars.pop();
                let shorter: String = chars.iter().collect();
                let changed: String = base.chars().map(|c| if c == '1' { '2' } else { c }).collect();
                sents.extend([longer, shorter, changed, String::new(), base.to_uppercase()]);
                // A rendering at the own offset that is a prefix of one at another offset.
                sents.extend(["1", "3", ":5"].map(|tail| format!("{}{tail}", sents[0])));
                for sent in &sents {
                    for list in lists {
                        let want = naive_matches(&compiled, &dt, list, sent);
                        let got = compiled.matches_at_some_offset(&dt, list, sent);
                        assert_eq!(got, want, "{format:?} at {dt} for {sent:?} with {list:?}");
                        checks += 1;
                        matched += usize::from(got);
                    }
                }
            }
        }
        // Both outcomes are well represented.
        assert!(matched > checks / 4 && matched < checks * 3 / 4, "{matched} of {checks}");
    }

    #[test]
    fn matches_at_some_offset_seed_cases() {
        let format = Format::parse("DD-MM-YYYY").expect("format");
        let dt = at("1986-08-16T21:00:00.000Z", 0);
        assert!(format.matches_at_some_offset(&dt, &OFFSETS, "17-08-1986"));
        assert!(format.matches_at_some_offset(&dt, &OFFSETS, "16-08-1986"));
        assert!(!format.matches_at_some_offset(&dt, &OFFSETS, "18-08-1986"));
        assert!(!format.matches_at_some_offset(&dt, &[], "17-08-1986"));
        assert!(!format.matches_at_some_offset(&dt, &OFFSETS, "17-08-19860"));
        assert!(!format.matches_at_some_offset(&dt, &OFFSETS, "17-08-198"));
        // Only +05:45 (of these) shows 02:47 on 8 May.
        let format = Format::parse("DD-MM-YYYY HH:mm").expect("format");
        let dt = at(SEED, 180);
        assert!(format.matches_at_some_offset(&dt, &OFFSETS, "08-05-2024 02:47"));
        assert!(!format.matches_at_some_offset(&dt, &[300, 360], "08-05-2024 02:47"));
        assert!(!format.matches_at_some_offset(&dt, &OFFSETS, "08-05-2024 02:48"));
        // `Z` tells the offsets apart; an offset equal to the own one is not tried twice.
        let format = Format::parse("HH:mm Z").expect("format");
        assert!(format.matches_at_some_offset(&dt, &OFFSETS, "11:02 +14:00"));
        assert!(format.matches_at_some_offset(&dt, &[], "00:02 +03:00"));
        assert!(!format.matches_at_some_offset(&dt, &OFFSETS, "11:02 +03:00"));
    }

    #[test]
    fn numbers_are_zero_filled_like_moment() {
        let values = [0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10_000, 123_456_789, i64::MAX, i64::MIN + 1, i64::MIN];
        for n in values.iter().flat_map(|&n| [n, n.saturating_neg()]) {
            for width in 0..=9 {
                for force_sign in [false, true] {
                    let mut got = String::new();
                    let _ = put_number(&mut got, n, width, force_sign);
                    let mut want = String::new();
                    reference::zero_fill(&mut want, n, width, force_sign);
                    assert_eq!(got, want, "{n} {width} {force_sign}");
                }
            }
        }
    }

    #[test]
    fn dates_past_chronos_range_render_without_panicking() {
        let last = NaiveDate::MAX.and_hms_opt(23, 0, 0).expect("time").and_utc();
        let first = NaiveDate::MIN.and_hms_opt(0, 30, 0).expect("time").and_utc();
        let format = Format::parse("DD-MM-YYYY HH:mm DDD dddd w W gggg GGGG X Z").expect("format");
        let after = last.with_timezone(&offset(840 * 60));
        let rendered = format.render(&after);
        let next_year = NaiveDate::MAX.year() + 1;
        assert!(rendered.starts_with(&format!("01-01-{next_year} 13:00 1 ")), "{rendered}");
        let before = first.with_timezone(&offset(-720 * 60));
        let rendered = format.render(&before);
        let previous_year = NaiveDate::MIN.year() - 1;
        assert!(rendered.starts_with(&format!("31-12-{previous_year} 12:30 ")), "{rendered}");
        for dt in [after, before, last.fixed_offset(), first.fixed_offset()] {
            let sent = format.render(&dt);
            assert!(format.matches_at_some_offset(&dt, &OFFSETS, &sent));
            assert!(!format.matches_at_some_offset(&dt, &OFFSETS, "01-01-2024 00:00"));
        }
        // The weekdays run on across the edge.
        let day = Format::parse("d").expect("format");
        let max_weekday = NaiveDate::MAX.weekday().num_days_from_sunday();
        assert_eq!(day.render(&after), ((max_weekday + 1) % 7).to_string());
    }
}
