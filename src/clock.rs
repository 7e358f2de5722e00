//! The wall clock. [`now_unix`] is the one place elbtls reads it (the code that judges
//! certificates takes the time as a parameter, so tests fix it); [`rfc3339`] writes a time for
//! reports.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in whole seconds since the Unix epoch (0 on a clock set before 1970).
pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `2026-11-27T06:11:25Z` from Unix seconds (proleptic Gregorian, UTC).
pub fn rfc3339(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// The end (23:59:59 UTC) of the day `YYYY-MM-DD`, in Unix seconds; `None` for anything else
/// (or a day that does not exist, such as 2026-02-30).
pub fn end_of_day(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-');
    let year: i64 = parts.next().filter(|y| y.len() == 4)?.parse().ok()?;
    let month: i64 = parts.next().filter(|m| m.len() == 2)?.parse().ok()?;
    let day: i64 = parts.next().filter(|d| d.len() == 2)?.parse().ok()?;
    if !(1..=12).contains(&month) || day < 1 {
        return None;
    }
    // Howard Hinnant's days-from-civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let end = days * 86_400 + 86_399;
    // A day past the month's end comes back as another date.
    rfc3339(end).starts_with(date).then_some(end)
}

/// Unix seconds from an RFC 3339 UTC time as [`rfc3339`] writes it (`2026-11-27T06:11:25Z`);
/// `None` for anything else.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    let (date, time) = text.strip_suffix('Z')?.split_once('T')?;
    let mut parts = time.splitn(3, ':');
    let mut field = |max: i64| -> Option<i64> {
        let part = parts.next().filter(|p| p.len() == 2)?;
        part.parse::<i64>().ok().filter(|n| (0..=max).contains(n))
    };
    let (hours, minutes, seconds) = (field(23)?, field(59)?, field(59)?);
    Some(end_of_day(date)? - 86_399 + hours * 3600 + minutes * 60 + seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_760_000), "2026-11-27T06:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn reads_back_what_it_writes() {
        for unix in [0, 1_795_760_000, 951_782_400, 1_740_614_399] {
            assert_eq!(parse_rfc3339(&rfc3339(unix)), Some(unix));
        }
        for bad in [
            "2026-11-27T06:11:25",
            "2026-11-27 06:11:25Z",
            "2026-11-27T24:00:00Z",
            "2026-11-27T06:60:00Z",
            "2026-11-27T6:11:25Z",
            "2026-02-30T00:00:00Z",
            "",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_a_day() {
        assert_eq!(end_of_day("1970-01-01"), Some(86_399));
        assert_eq!(
            end_of_day("2000-02-29").map(rfc3339).as_deref(),
            Some("2000-02-29T23:59:59Z")
        );
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "26-01-01",
            "2026-1-1",
            "tomorrow",
            "",
        ] {
            assert_eq!(end_of_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn now_is_after_this_code_was_written() {
        assert!(now_unix() > 1_795_000_000);
    }
}
