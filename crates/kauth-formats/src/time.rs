//! Time as Go's `time` package prints it.

use time::OffsetDateTime;

/// Go's `time.RFC3339` in UTC.
pub fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Why [`parse_rfc3339`] refused a text (Go's reason, without Go's quoting
/// of the layout).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("cannot parse {0:?} as RFC 3339 (2006-01-02T15:04:05Z07:00)")]
    Layout(String),
    #[error("{0} out of range")]
    Range(&'static str),
    #[error("extra text {0:?} after the time")]
    Extra(String),
}

/// Go's `time.Parse(time.RFC3339, s)`, which kube-apiserver and the
/// bootstrap token code use to read an RFC 3339 text.
///
/// Upstream: Go's `time/format.go` (`Parse`: the `parseRFC3339` fast path,
/// then the general `parse` with the layout `2006-01-02T15:04:05Z07:00`),
/// `time/format_rfc3339.go`. What that accepts and refuses, as Go 1.20 and
/// later do:
/// - the year has four digits, month, day, minute and second two, the hour
///   one or two (the layout's `15` is not fixed-width in the general
///   parser);
/// - `T` and `Z` are upper case; a time zone is `Z` or `+hh:mm`/`-hh:mm`
///   (offset hours up to 24, minutes up to 60, as the general parser
///   checks); nothing may follow it;
/// - fractional seconds after `.` or `,` are accepted although the layout
///   has none; digits past the ninth are ignored;
/// - the day must exist in its month; hour 24 and second 60 are refused.
pub fn parse_rfc3339(s: &str) -> Result<OffsetDateTime, ParseError> {
    let layout = || ParseError::Layout(s.to_string());
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| -> Option<u32> {
        let part = b.get(from..from + n)?;
        part.iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let lit = |at: usize, c: u8| b.get(at) == Some(&c);
    let year = digits(0, 4).ok_or_else(layout)?;
    if !lit(4, b'-') {
        return Err(layout());
    }
    let month = digits(5, 2).ok_or_else(layout)?;
    if !lit(7, b'-') {
        return Err(layout());
    }
    let day = digits(8, 2).ok_or_else(layout)?;
    if !lit(10, b'T') {
        return Err(layout());
    }
    // The hour: one or two digits.
    let (hour, mut at) = match (digits(11, 2), digits(11, 1)) {
        (Some(h), _) => (h, 13),
        (None, Some(h)) => (h, 12),
        _ => return Err(layout()),
    };
    if !lit(at, b':') {
        return Err(layout());
    }
    let minute = digits(at + 1, 2).ok_or_else(layout)?;
    if !lit(at + 3, b':') {
        return Err(layout());
    }
    let second = digits(at + 4, 2).ok_or_else(layout)?;
    at += 6;
    let mut nanos = 0u32;
    if matches!(b.get(at), Some(b'.' | b',')) && b.get(at + 1).is_some_and(u8::is_ascii_digit) {
        let mut end = at + 1;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        // At most nine digits count; the rest are ignored.
        let frac = &b[at + 1..end.min(at + 10)];
        nanos = frac
            .iter()
            .fold(0u32, |acc, &c| acc * 10 + u32::from(c - b'0'))
            * 10u32.pow(9 - frac.len() as u32);
        at = end;
    }
    let offset_seconds: i64 = match b.get(at) {
        Some(b'Z') => {
            at += 1;
            0
        }
        Some(&sign @ (b'+' | b'-')) => {
            let hh = digits(at + 1, 2).ok_or_else(layout)?;
            if !lit(at + 3, b':') {
                return Err(layout());
            }
            let mm = digits(at + 4, 2).ok_or_else(layout)?;
            if hh > 24 {
                return Err(ParseError::Range("time zone offset hour"));
            }
            if mm > 60 {
                return Err(ParseError::Range("time zone offset minute"));
            }
            at += 6;
            let secs = i64::from(hh * 3600 + mm * 60);
            if sign == b'-' { -secs } else { secs }
        }
        _ => return Err(layout()),
    };
    if at < b.len() {
        return Err(ParseError::Extra(s[at..].to_string()));
    }
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .ok_or(ParseError::Range("month"))?;
    if hour >= 24 {
        return Err(ParseError::Range("hour"));
    }
    if minute >= 60 {
        return Err(ParseError::Range("minute"));
    }
    if second >= 60 {
        return Err(ParseError::Range("second"));
    }
    let year = i32::try_from(year).map_err(|_| ParseError::Range("year"))?;
    let date = time::Date::from_calendar_date(year, month, day as u8)
        .map_err(|_| ParseError::Range("day"))?;
    let t = date
        .with_hms_nano(hour as u8, minute as u8, second as u8, nanos)
        .map_err(|_| ParseError::Range("time"))?
        .assume_utc();
    Ok(t - time::Duration::seconds(offset_seconds))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// After Go's `parseTests`/`rfc3339Formats` and `TestParseErrors` in
    /// `time/format_test.go`, for the RFC 3339 layout.
    #[test]
    fn parses_rfc3339_as_go_does() {
        let ok = [
            ("2026-12-03T17:08:05Z", datetime!(2026-12-03 17:08:05 UTC)),
            (
                "2026-12-03T00:38:05+05:30",
                datetime!(2026-12-02 19:08:05 UTC),
            ),
            (
                "2026-12-02T12:08:05-03:00",
                datetime!(2026-12-02 15:08:05 UTC),
            ),
            (
                "2026-12-03T17:08:05.123456Z",
                datetime!(2026-12-03 17:08:05.123456 UTC),
            ),
            (
                "2026-12-03T17:08:05,5Z",
                datetime!(2026-12-03 17:08:05.5 UTC),
            ),
            (
                "2026-12-03T17:08:05.1234567891234Z",
                datetime!(2026-12-03 17:08:05.123456789 UTC),
            ),
            ("2026-12-03T7:08:05Z", datetime!(2026-12-03 07:08:05 UTC)),
            ("2024-02-29T00:00:00Z", datetime!(2024-02-29 00:00 UTC)),
            ("2026-01-01T00:00:00+24:00", datetime!(2025-12-31 00:00 UTC)),
        ];
        for (text, want) in ok {
            assert_eq!(parse_rfc3339(text), Ok(want), "{text}");
        }
        let bad = [
            "2099-01-01T00:00:00",
            "2099-01-01",
            "tomorrow",
            "",
            "2026-12-03t17:08:05Z",
            "2026-12-03T17:08:05z",
            "2026-12-03 17:08:05Z",
            "2026-12-03T17:08:05+0530",
            "2026-12-03T17:08:05+05",
            "2026-12-03T24:00:00Z",
            "2026-12-03T17:60:00Z",
            "2026-12-03T17:08:60Z",
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-12-03T17:08:05Z ",
            "2026-12-03T17:08:05.Z",
            "26-12-03T17:08:05Z",
            "2026-12-03T17:08:05+25:00",
            "2026-12-3T17:08:05Z",
            "２026-12-03T17:08:05Z",
        ];
        for text in bad {
            assert!(parse_rfc3339(text).is_err(), "{text} should fail");
        }
    }
}
