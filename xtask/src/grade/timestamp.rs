//! UTC timestamps in the one form the gradebook uses, `2026-12-01T21:05:00Z`, and
//! the forms a submission time may be written in.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Seconds since 1970 as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format(time: SystemTime) -> String {
    let seconds = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Reads `YYYY-MM-DDTHH:MM:SSZ`, `YYYY-MM-DD HH:MM:SS` (UTC), an explicit offset
/// such as `+02:00`, or a bare date (midnight UTC).
pub fn parse(text: &str) -> Result<SystemTime, String> {
    let text = text.trim();
    let fail = || {
        format!(
            "`{text}` is not a time. Fix: write it as 2026-12-01T23:59:00Z (UTC) or 2026-12-01T23:59:00+01:00"
        )
    };
    let number = |part: &str| part.parse::<i64>().map_err(|_| fail());
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((date, time)) => (date, time),
        None => (text, "00:00:00Z"),
    };
    let mut fields = date.split('-');
    let (Some(year), Some(month), Some(day), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(fail());
    };
    let (year, month, day) = (number(year)?, number(month)?, number(day)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return Err(fail());
    }
    let (clock, offset) = if let Some(clock) = time.strip_suffix('Z') {
        (clock, 0)
    } else if let Some(at) = time.rfind(['+', '-']) {
        let (clock, zone) = time.split_at(at);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let (hours, minutes) = zone[1..].split_once(':').ok_or_else(fail)?;
        (
            clock,
            sign * (number(hours)? * 3600 + number(minutes)? * 60),
        )
    } else {
        (time, 0)
    };
    let mut parts = clock.split(':');
    let hour = number(parts.next().ok_or_else(fail)?)?;
    let minute = number(parts.next().unwrap_or("0"))?;
    let second = number(parts.next().unwrap_or("0"))?;
    if parts.next().is_some() || hour > 23 || minute > 59 || second > 60 {
        return Err(fail());
    }
    let seconds =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    u64::try_from(seconds)
        .map(|s| UNIX_EPOCH + Duration::from_secs(s))
        .map_err(|_| fail())
}

// The proleptic Gregorian calendar, by Howard Hinnant's well-known day-count method.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_and_offsets_count() {
        for text in [
            "1970-01-01T00:00:00Z",
            "2026-12-01T21:05:09Z",
            "2024-02-29T23:59:59Z",
        ] {
            assert_eq!(format(parse(text).unwrap()), text);
        }
        assert_eq!(
            parse("2026-12-01T23:00:00+01:00").unwrap(),
            parse("2026-12-01T22:00:00Z").unwrap()
        );
        assert_eq!(
            parse("2026-12-01").unwrap(),
            parse("2026-12-01 00:00:00").unwrap()
        );
        for bad in ["yesterday", "2026-13-01", "2026-12-01T25:00:00Z", ""] {
            assert!(parse(bad).unwrap_err().contains("Fix:"), "{bad}");
        }
    }
}
