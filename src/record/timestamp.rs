//! Timestamps as the record stores them: RFC 3339 with milliseconds, UTC, written straight
//! into a buffer (the fast seam), held to chrono's own output by the test below.

use chrono::{DateTime, SecondsFormat, Utc};

use super::ValueSize;

/// The current time as RFC 3339 with milliseconds, UTC (`2024-05-07T21:02:00.000Z`).
pub(crate) fn now_rfc3339() -> String {
    let mut out = ValueSize::TIMESTAMP.buffer();
    write_timestamp(&mut out, Utc::now());
    out
}

/// Appends `t` as RFC 3339 with milliseconds, UTC, exactly as chrono's
/// `to_rfc3339_opts(SecondsFormat::Millis, true)` writes it. The years 0 to 9999 are written
/// here from the Unix timestamp (chrono's field getters and formatting machinery cost more
/// than the whole of this); chrono writes the rest, and leap seconds.
pub(crate) fn write_timestamp(out: &mut String, t: DateTime<Utc>) {
    let nano = t.timestamp_subsec_nanos();
    let (days, secs) = (t.timestamp().div_euclid(86_400), t.timestamp().rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let (Ok(year @ 0..=9999), 0..=999_999_999) = (u32::try_from(year), nano) else {
        out.push_str(&t.to_rfc3339_opts(SecondsFormat::Millis, true));
        return;
    };
    let secs = secs as u32; // 0..86 400
    let millis = nano / 1_000_000;
    let two = |n: u32| [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8]; // n < 100
    let [c1, c2] = two(year / 100);
    let [y1, y2] = two(year % 100);
    let [mo1, mo2] = two(month);
    let [d1, d2] = two(day);
    let [h1, h2] = two(secs / 3600);
    let [mi1, mi2] = two(secs / 60 % 60);
    let [s1, s2] = two(secs % 60);
    let [ms2, ms3] = two(millis % 100);
    let ms1 = b'0' + (millis / 100) as u8;
    let text = [
        c1, c2, y1, y2, b'-', mo1, mo2, b'-', d1, d2, b'T', h1, h2, b':', mi1, mi2, b':', s1, s2, b'.', ms1, ms2, ms3,
        b'Z',
    ];
    out.push_str(std::str::from_utf8(&text).unwrap_or_default()); // ASCII
}

/// The proleptic Gregorian (year, month, day) `days` days after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for the range chrono's timestamps span).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March first
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_written_as_chrono_writes_them() {
        use chrono::TimeZone;
        let at = |secs: i64, nano: u32| Utc.timestamp_opt(secs, nano).single().expect("in range");
        let mut cases = vec![at(0, 0), at(1_700_000_000, 999_999_999), at(253_402_300_799, 5_000_000), at(-1, 1)];
        cases.extend([at(-62_167_219_200, 0), at(-62_167_219_201, 0), at(253_402_300_800, 0)]); // years 0, -1, 10000
        cases.push(at(1_483_228_799, 1_500_000_000)); // a leap second
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..2000 {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let secs = (state >> 11) as i64 % 300_000_000_000 - 70_000_000_000;
            cases.push(at(secs, (state % 1_000_000_000) as u32));
        }
        for t in cases {
            let mut ours = String::new();
            write_timestamp(&mut ours, t);
            assert_eq!(ours, t.to_rfc3339_opts(SecondsFormat::Millis, true));
        }
    }
}
