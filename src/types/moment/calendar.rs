//! The local calendar fields of an instant at an offset, computed as chrono's `naive_local`
//! would (and on past the ends of chrono's range), with moment's week arithmetic (`w`, `W`,
//! `gggg`, `GGGG`) reproduced from its source.

use chrono::{Datelike, NaiveDate};

use super::Field;

/// Seconds in a (non-leap) day.
pub(super) const SECS_PER_DAY: i64 = 86_400;

/// The calendar fields of one local date (the week numbers once a token asks for them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Day {
    /// Calendar year (proleptic Gregorian, astronomical numbering).
    pub(super) year: i64,
    /// 0–11.
    pub(super) month0: u32,
    /// 1–31.
    day: u32,
    /// 1–366.
    ordinal: u32,
    /// 0 (Sunday) – 6.
    pub(super) weekday: u32,
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
pub(super) struct Days {
    /// The instant's UTC date.
    utc: NaiveDate,
    /// The day before, the UTC date, the day after.
    known: [Option<Day>; 3],
}

impl Days {
    /// None computed yet around the UTC date `utc`.
    pub(super) fn around(utc: NaiveDate) -> Days {
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
pub(super) struct Civil<'a> {
    /// The local date.
    pub(super) date: &'a mut Day,
    /// 0–23.
    pub(super) hour: u32,
    /// 0–59.
    minute: u32,
    /// 0–59 (a leap second is 59 with `nano` ≥ 10⁹, as in chrono).
    second: u32,
    /// Nanoseconds, 10⁹ and more during a leap second.
    pub(super) nano: u32,
}

impl<'a> Civil<'a> {
    /// The fields at `local_secs` seconds from the midnight starting the UTC date of `days`
    /// (from one day before it to two days after, as an offset allows), `nano` being the
    /// instant's nanoseconds: what chrono's `naive_local` gives.
    pub(super) fn new(days: &'a mut Days, local_secs: i64, nano: u32) -> Civil<'a> {
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
    pub(super) fn value(&mut self, field: Field) -> i64 {
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
pub(super) fn week_of_year(year: i64, day_of_year: i64, dow: i64, doy: i64) -> (i64, i64) {
    let week = (day_of_year - first_week_offset(year, dow, doy) - 1).div_euclid(7) + 1;
    if week < 1 {
        (week + weeks_in_year(year - 1, dow, doy), year - 1)
    } else if week > weeks_in_year(year, dow, doy) {
        (week - weeks_in_year(year, dow, doy), year + 1)
    } else {
        (week, year)
    }
}
