//! [`Format::matches_at_some_offset`]: checking a sent value against the renderings at many
//! offsets, comparing piece by piece as it renders ([`Expect`]) and skipping the offsets whose
//! local time would render the part that already failed ([`Depends`], [`Failure`]).

use std::ops::ControlFlow;

use chrono::{DateTime, FixedOffset, Timelike};

use super::calendar::{Civil, Days, SECS_PER_DAY};
use super::render::Sink;
use super::{Field, Format, Token};

impl Token {
    /// What of the local date-time (or the offset) this token's output depends on.
    pub(super) fn depends(&self) -> Depends {
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
pub(super) enum Depends {
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
    /// The local times (seconds from the UTC date's midnight, offset applied) that render as
    /// `local_secs` does at this resolution, as a half-open span: one division here, and a try
    /// at another offset is then told apart by two comparisons. `None` when nothing but the
    /// offset itself identifies the output.
    fn span(self, local_secs: i64) -> Option<(i64, i64)> {
        let unit = match self {
            Depends::Nothing => return Some((i64::MIN, i64::MAX)),
            Depends::Day => SECS_PER_DAY,
            Depends::Hour => 3_600,
            Depends::Minute => 60,
            Depends::Second => 1,
            Depends::Offset => return None,
        };
        let start = local_secs - local_secs.rem_euclid(unit);
        Some((start, start.saturating_add(unit)))
    }
}

/// Why one try of [`Format::matches_at_some_offset`] failed: the local times at which the text
/// rendered up to the differing token is the same ([`Depends::span`] at the offset tried).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Failure(Option<(i64, i64)>);

impl Failure {
    /// True when a try at the local time `local_secs` renders the same text up to the
    /// differing token, and so fails the same way.
    fn recurs_at(self, local_secs: i64) -> bool {
        matches!(self.0, Some((start, end)) if start <= local_secs && local_secs < end)
    }
}

impl Format {
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
            Some(Failure(depends.span(local_secs)))
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
}

/// Compares a rendering, piece by piece, with the text expected, breaking at the first difference.
pub(super) struct Expect<'a> {
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
