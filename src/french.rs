//! French formatting of dates, durations and numbers for the journal and the
//! book (the system locale is never consulted: the output is always French).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike};

const WEEKDAYS: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];
const MONTHS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// The French name of month `month` (1 to 12; out of range is clamped).
pub fn month_name(month: u32) -> &'static str {
    MONTHS[month.clamp(1, 12) as usize - 1]
}

/// « 24 », or « 1er » for the first day of a month (French usage).
fn day_number(day: u32) -> String {
    if day == 1 {
        "1er".to_string()
    } else {
        day.to_string()
    }
}

/// « lundi 24 novembre 2026 », « lundi 1er janvier 2024 ».
pub fn long_date(d: NaiveDate) -> String {
    format!(
        "{} {} {} {}",
        WEEKDAYS[d.weekday().num_days_from_monday() as usize],
        day_number(d.day()),
        MONTHS[d.month0() as usize],
        d.year()
    )
}

/// « 24 novembre 2026 à 21:30 », « 1er janvier 2024 à 08:00 ».
pub fn date_time(t: &DateTime<FixedOffset>) -> String {
    format!(
        "{} {} {} à {:02}:{:02}",
        day_number(t.day()),
        MONTHS[t.month0() as usize],
        t.year(),
        t.hour(),
        t.minute()
    )
}

/// « 21:30:05 ».
pub fn time(t: &DateTime<FixedOffset>) -> String {
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

/// A duration in milliseconds, the French way: « 850 ms », « 2,4 s »,
/// « 1 min 05 s », « 1 h 02 min ».
pub fn duration_ms(ms: u64) -> String {
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        let tenths = (ms + 50) / 100;
        if tenths.is_multiple_of(10) {
            format!("{} s", tenths / 10)
        } else {
            format!("{},{} s", tenths / 10, tenths % 10)
        }
    } else if ms < 3_600_000 {
        let s = ms / 1000;
        format!("{} min {:02} s", s / 60, s % 60)
    } else {
        let m = ms / 60_000;
        format!("{} h {:02} min", m / 60, m % 60)
    }
}

/// A decimal number with a French decimal comma and `decimals` digits; a
/// value that rounds to zero has no sign (an empty sum of floats is -0.0).
pub fn decimal(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}").replace('.', ",");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == ',') => rest.to_string(),
        _ => s,
    }
}

/// Bytes as « 65,9 Mio ».
pub fn bytes(b: f64) -> String {
    const UNITS: [&str; 5] = ["o", "Kio", "Mio", "Gio", "Tio"];
    let mut v = b;
    let mut i = 0;
    while v >= 1024.0 && i < UNITS.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{v:.0} o")
    } else {
        format!("{} {}", decimal(v, 1), UNITS[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_use_a_comma_and_no_negative_zero() {
        assert_eq!(decimal(1.234, 2), "1,23");
        assert_eq!(decimal(-2.5, 1), "-2,5");
        assert_eq!(decimal(Vec::<f64>::new().iter().sum(), 1), "0,0");
        assert_eq!(decimal(-0.0001, 0), "0");
    }

    #[test]
    fn long_dates_are_french() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert_eq!(long_date(d), "mardi 24 novembre 2026");
        let d = NaiveDate::from_ymd_opt(2026, 8, 1).unwrap();
        assert_eq!(long_date(d), "samedi 1er août 2026");
        let t = DateTime::parse_from_rfc3339("2024-01-01T08:05:00+01:00").unwrap();
        assert_eq!(date_time(&t), "1er janvier 2024 à 08:05");
    }

    #[test]
    fn durations_use_decimal_comma() {
        assert_eq!(duration_ms(850), "850 ms");
        assert_eq!(duration_ms(2_400), "2,4 s");
        assert_eq!(duration_ms(3_000), "3 s");
        assert_eq!(duration_ms(65_000), "1 min 05 s");
        assert_eq!(duration_ms(3_720_000), "1 h 02 min");
    }

    #[test]
    fn bytes_are_binary_units() {
        assert_eq!(bytes(69_144_576.0), "65,9 Mio");
        assert_eq!(bytes(12.0), "12 o");
    }
}
