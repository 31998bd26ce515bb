//! Rendering compiled tokens for one instant: the English names, moment's zero-filled numbers
//! and ordinals, and the [`Sink`] the text goes to (a `String`, or a comparison).

use std::ops::ControlFlow;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Timelike};

use super::calendar::{Civil, Days};
use super::{Format, Token};
use crate::record::ValueSize;

/// English month names.
pub(super) const MONTHS: [&str; 12] = [
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
pub(super) const WEEKDAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
/// English three-letter weekday names (`ddd`), Sunday first.
const WEEKDAYS_SHORT: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
/// English two-letter weekday names (`dd`), Sunday first.
pub(super) const WEEKDAYS_MIN: [&str; 7] = ["Su", "Mo", "Tu", "We", "Th", "Fr", "Sa"];

impl Format {
    /// Renders `dt` at its own offset.
    pub(crate) fn render(&self, dt: &DateTime<FixedOffset>) -> String {
        let mut out = ValueSize::rendered_date(self.tokens.len()).buffer();
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

    /// Renders the instant `dt` at `offset` (seconds east of UTC), whose local calendar fields
    /// are `local`, into `out`. Stops as soon as `out` breaks, answering the index of the token
    /// it broke at; `None` when every token was taken.
    pub(super) fn render_to<S: Sink>(
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

/// Where rendered text goes: a `String`, or an [`Expect`](super::matching::Expect) comparing it
/// with a sent value.
pub(super) trait Sink {
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

/// Seconds from the midnight starting `utc`'s date to the local time at `offset` seconds east.
fn local_secs(utc: &NaiveDateTime, offset: i32) -> i64 {
    i64::from(utc.num_seconds_from_midnight()) + i64::from(offset)
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
pub(super) fn put_number<S: Sink>(out: &mut S, n: i64, width: u8, force_sign: bool) -> ControlFlow<()> {
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
pub(super) fn english_ordinal(n: i64) -> String {
    format!("{n}{}", ordinal_suffix(n))
}
