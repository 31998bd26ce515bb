//! Tests: moment's recorded output, edge cases (literals, escapes, extreme years, chrono's range
//! ends), and the fast paths checked against a plain reference renderer and against trying
//! every offset in turn.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};

use super::render::{english_ordinal, put_number, MONTHS, WEEKDAYS, WEEKDAYS_MIN};
use super::*;

/// Renders `dt` (in its own offset) with the moment.js `format`, compiling it each time.
fn render(dt: &DateTime<FixedOffset>, format: &str) -> Result<String, MomentError> {
    Ok(Format::parse(format)?.render(dt))
}

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
        assert!(matches!(Format::parse(format), Err(MomentError::Unsupported { .. })), "{format} should be refused");
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

    use super::super::calendar::week_of_year;
    use super::super::render::{english_ordinal, MONTHS, WEEKDAYS, WEEKDAYS_MIN};
    use super::super::{Field, Token};

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
}

/// The UTC offsets of `datetime::REAL_OFFSETS` (minutes east), west to east.
const OFFSETS: [i32; 40] = [
    -720, -660, -600, -570, -540, -480, -420, -360, -300, -240, -210, -180, -150, -120, -60, 0, 60, 120, 180, 210, 240,
    270, 300, 330, 345, 360, 390, 420, 480, 525, 540, 570, 600, 630, 660, 720, 765, 780, 825, 840,
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
