//! Reading an instant, the one way the engine reads them: a body's `fullDate` and a validator's
//! date bounds alike.

use chrono::{DateTime, FixedOffset, NaiveDate, Timelike};

/// `text` as an instant: RFC 3339 (leap seconds refused, as JavaScript's `Date` refuses them),
/// or, where `bare_date` allows it, exactly `YYYY-MM-DD` taken as midnight UTC.
pub(crate) fn read(text: &str, bare_date: bool) -> Option<DateTime<FixedOffset>> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return (dt.nanosecond() < 1_000_000_000).then_some(dt);
    }
    if !bare_date || !is_bare_date(text) {
        return None;
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().fixed_offset())
}

/// True for exactly `DDDD-DD-DD` (ASCII digits).
fn is_bare_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10 && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_3339_and_bare_dates() {
        assert!(read("2100-01-01T00:00:00+03:00", false).is_some());
        assert_eq!(read("1900-01-01", true), read("1900-01-01T00:00:00Z", false));
        assert!(read("1900-01-01", false).is_none(), "a bare date only where allowed");
        assert!(read("1900-1-1", true).is_none() && read("yesterday", true).is_none());
        assert!(read("2016-12-31T23:59:60Z", false).is_none(), "a leap second");
    }
}
