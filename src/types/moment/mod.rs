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
//!
//! The code is laid out by stage:
//!
//! - [`parse`]: compiling a format string into [`Token`]s ([`Format::parse`]);
//! - [`render`](mod@render): writing the tokens for one instant ([`Format::render`],
//!   [`Format::render_into`]);
//! - [`calendar`]: the local calendar fields of an instant, week numbers included;
//! - [`matching`]: [`Format::matches_at_some_offset`], comparing while rendering and skipping
//!   the offsets known to fail.

mod calendar;
mod matching;
mod parse;
mod render;
#[cfg(test)]
mod tests;

use matching::Depends;

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
    /// What the output up to and including each token depends on (the finest of those
    /// tokens' needs): `prefix_depends[i]` for `tokens[..=i]`.
    prefix_depends: Vec<Depends>,
    /// What the whole output depends on.
    depends: Depends,
}
