//! Go's `time.ParseDuration` (`src/time/format.go`): an optional sign, then
//! one or more decimal numbers, each with an optional fraction and a unit
//! (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`), e.g. `1h30m`, `-1.5h`,
//! `300ms`; a bare `0` is zero. Every step is checked: a value beyond
//! ±2^63 ns (about 292 years) is an invalid duration, never a wrap or a
//! panic. Error texts are Go's, word for word.
//!
//! Written by hand because no crate parses with Go's semantics (its
//! rounding of fractions, its limits and its messages); the Go oracle in
//! `tests/go/duration` holds it to them.

/// Nanoseconds in each of Go's units.
const GO_UNITS: [(&str, u64); 8] = [
    ("ns", 1),
    ("us", 1_000),
    ("\u{b5}s", 1_000),
    ("\u{3bc}s", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// kauth's additions for certificate lifetimes (`--ttl 30d`): days and weeks.
pub const DAY_UNITS: [(&str, u64); 2] = [("d", 86_400_000_000_000), ("w", 604_800_000_000_000)];

/// Why a text is not a duration, as Go words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("time: invalid duration {}", quote(.0))]
    Invalid(String),
    #[error("time: missing unit in duration {}", quote(.0))]
    MissingUnit(String),
    #[error("time: unknown unit {} in duration {}", quote(.unit), quote(.text))]
    UnknownUnit { unit: String, text: String },
    /// A bare number of seconds beyond Go's longest duration.
    #[error("invalid duration {}: too long", quote(.0))]
    TooLong(String),
}

/// `text` in nanoseconds, exactly as Go's `time.ParseDuration`.
pub fn parse(text: &str) -> Result<i64, DurationError> {
    parse_with(text, &[])
}

/// kubectl's reading of `--request-timeout` and kauth's of `--ttl`: a bare
/// integer is seconds, anything else a duration with `extra` units.
pub fn parse_seconds_or(text: &str, extra: &[(&str, u64)]) -> Result<i64, DurationError> {
    match text.parse::<i64>() {
        Ok(secs) => secs
            .checked_mul(1_000_000_000)
            .ok_or_else(|| DurationError::TooLong(text.to_string())),
        Err(_) => parse_with(text, extra),
    }
}

/// As [`parse`], with `extra` units beside Go's.
pub fn parse_with(text: &str, extra: &[(&str, u64)]) -> Result<i64, DurationError> {
    const LIMIT: u64 = 1 << 63;
    let invalid = || DurationError::Invalid(text.to_string());
    let mut s = text.as_bytes();
    let mut negative = false;
    if let Some(&c) = s.first()
        && (c == b'-' || c == b'+')
    {
        negative = c == b'-';
        s = &s[1..];
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(invalid());
        }
        let (whole, rest) = leading_int(s).ok_or_else(invalid)?;
        let had_whole = rest.len() != s.len();
        s = rest;
        let (mut fraction, mut scale, mut had_fraction) = (0u64, 1f64, false);
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let (f, sc, rest) = leading_fraction(s);
            had_fraction = rest.len() != s.len();
            (fraction, scale, s) = (f, sc, rest);
        }
        if !had_whole && !had_fraction {
            return Err(invalid());
        }
        let unit_len = s
            .iter()
            .position(|&c| c == b'.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        if unit_len == 0 {
            return Err(DurationError::MissingUnit(text.to_string()));
        }
        let unit_bytes = &s[..unit_len];
        s = &s[unit_len..];
        let unit = GO_UNITS
            .iter()
            .chain(extra)
            .find(|(name, _)| name.as_bytes() == unit_bytes)
            .map(|&(_, ns)| ns)
            .ok_or_else(|| DurationError::UnknownUnit {
                unit: String::from_utf8_lossy(unit_bytes).into_owned(),
                text: text.to_string(),
            })?;
        if whole > LIMIT / unit {
            return Err(invalid());
        }
        let mut value = whole * unit;
        if fraction > 0 {
            // Go converts through float64 here, and so does this.
            value = value
                .checked_add((fraction as f64 * (unit as f64 / scale)) as u64)
                .filter(|&v| v <= LIMIT)
                .ok_or_else(invalid)?;
        }
        total = total
            .checked_add(value)
            .filter(|&t| t <= LIMIT)
            .ok_or_else(invalid)?;
    }
    if negative {
        // -2^63 is representable.
        return Ok((total as i64).wrapping_neg());
    }
    i64::try_from(total).map_err(|_| invalid())
}

/// The leading digits of `s` as a number up to 2^63, and what follows.
fn leading_int(s: &[u8]) -> Option<(u64, &[u8])> {
    let end = s
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(s.len());
    let mut x: u64 = 0;
    for &c in &s[..end] {
        x = x.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
        if x > 1 << 63 {
            return None;
        }
    }
    Some((x, &s[end..]))
}

/// The digits after a decimal point: their value (digits past what fits
/// are dropped), the power of ten they are scaled by, and what follows.
fn leading_fraction(s: &[u8]) -> (u64, f64, &[u8]) {
    let end = s
        .iter()
        .position(|c| !c.is_ascii_digit())
        .unwrap_or(s.len());
    let (mut x, mut scale, mut overflow) = (0u64, 1f64, false);
    for &c in &s[..end] {
        if overflow {
            continue;
        }
        match x.checked_mul(10).map(|y| y + u64::from(c - b'0')) {
            Some(y) if x <= (i64::MAX as u64) / 10 && y <= 1 << 63 => {
                x = y;
                scale *= 10.0;
            }
            _ => overflow = true,
        }
    }
    (x, scale, &s[end..])
}

/// Go's `time.quote`: double quotes, `"` and `\` escaped, bytes of
/// control and non-ASCII characters as `\xNN`.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c < ' ' || !c.is_ascii() {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_as_go_parses_them() {
        let cases: [(&str, i64); 12] = [
            ("0", 0),
            ("-0", 0),
            ("1h30m", 5_400_000_000_000),
            ("-1.5h", -5_400_000_000_000),
            ("+5s", 5_000_000_000),
            (".5s", 500_000_000),
            ("5.s", 5_000_000_000),
            ("1\u{b5}s", 1_000),
            ("1.0000000000000000000001s", 1_000_000_000),
            ("2562047h47m16.854775807s", i64::MAX),
            ("-2562047h47m16.854775808s", i64::MIN),
            ("1ns1us1ms", 1_001_001),
        ];
        for (text, ns) in cases {
            assert_eq!(parse(text), Ok(ns), "{text}");
        }
    }

    #[test]
    fn errors_are_go_s() {
        let cases = [
            ("", "time: invalid duration \"\""),
            ("-", "time: invalid duration \"-\""),
            (".s", "time: invalid duration \".s\""),
            ("1", "time: missing unit in duration \"1\""),
            ("1d", "time: unknown unit \"d\" in duration \"1d\""),
            (
                "99999999999999999999h",
                "time: invalid duration \"99999999999999999999h\"",
            ),
            ("2562048h", "time: invalid duration \"2562048h\""),
            ("inf", "time: invalid duration \"inf\""),
            (
                "1é",
                "time: unknown unit \"\\xc3\\xa9\" in duration \"1\\xc3\\xa9\"",
            ),
        ];
        for (text, message) in cases {
            assert_eq!(parse(text).unwrap_err().to_string(), message, "{text}");
        }
        assert_eq!(parse_with("30d", &DAY_UNITS), Ok(30 * 86_400_000_000_000));
    }
}
