//! What a plain scalar means: go-yaml v2's YAML 1.1 resolution (`resolve.go`:
//! `resolve`, the `allowedTimestampFormats` of `parseTimestamp`; `encode.go`:
//! `isBase60Float`), and the Go number rules it leans on
//! (`strconv.ParseInt`, `strconv.FormatFloat`).

use super::Scalar;

pub(super) fn resolve_tagged(suffix: &str, value: String) -> Scalar {
    match suffix {
        "str" | "binary" => Scalar::Str(value),
        "null" => Scalar::Null,
        _ => match classify_plain(&value) {
            None | Some(Scalar::Null) => Scalar::Str(value),
            Some(other) => other,
        },
    }
}

/// Resolves a plain scalar the way go-yaml v2 does (YAML 1.1 booleans
/// such as `yes`/`on`, octal and hex integers, timestamps stay strings in
/// JSON so they are strings here).
pub fn resolve_plain(s: &str) -> Scalar {
    classify_plain(s).unwrap_or_else(|| Scalar::Str(s.to_string()))
}

/// [`resolve_plain`] without copying a string that stays a string.
pub fn resolve_plain_owned(s: String) -> Scalar {
    classify_plain(&s).unwrap_or(Scalar::Str(s))
}

/// Whether a plain scalar reads as the same string in JSON: not null,
/// a boolean, a number or a timestamp (which go-yaml turns into a time).
pub fn is_plain_string(s: &str) -> bool {
    match s.as_bytes().first() {
        // No number and no time starts with a letter: only the words that
        // `classify_plain` names (five letters at most) are not strings.
        Some(first) if first.is_ascii_alphabetic() => s.len() > 5 || classify_plain(s).is_none(),
        _ => classify_plain(s).is_none() && !is_timestamp(s),
    }
}

/// The non-string value a plain scalar resolves to, if any.
pub(super) fn classify_plain(s: &str) -> Option<Scalar> {
    // Most keys and values: a letter, then five characters or more. The
    // words below are at most five long, and a number or a time starts
    // with a digit, a sign or a dot.
    if s.len() > 5 && s.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    classify_plain_in_full(s)
}

/// [`classify_plain`] without the shortcut (which a test holds to this).
fn classify_plain_in_full(s: &str) -> Option<Scalar> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Scalar::Null),
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Some(Scalar::Bool(true));
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Some(Scalar::Bool(false));
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Some(Scalar::Float(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return Some(Scalar::Float(f64::NEG_INFINITY)),
        ".nan" | ".NaN" | ".NAN" => return Some(Scalar::Float(f64::NAN)),
        _ => {}
    }
    let first = s.as_bytes()[0];
    if first == b'.' {
        return is_yaml_float(s)
            .then(|| s.parse::<f64>().ok().map(Scalar::Float))
            .flatten();
    }
    if !(first.is_ascii_digit() || first == b'-' || first == b'+') {
        return None;
    }
    let plain: String = s.chars().filter(|&c| c != '_').collect();
    if let Some(i) = go_parse_int(&plain) {
        return Some(i);
    }
    if is_yaml_float(&plain) {
        return plain.parse::<f64>().ok().map(Scalar::Float);
    }
    None
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseInt(s, 0, 64)` then `ParseUint(s, 0, 64)`.
fn go_parse_int(s: &str) -> Option<Scalar> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(rest) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (16, rest)
    } else if let Some(rest) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        (2, rest)
    } else if let Some(rest) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        (8, rest)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        if magnitude <= i64::MAX as u64 + 1 {
            return Some(Scalar::Int((magnitude as i128).wrapping_neg() as i64));
        }
        return None;
    }
    if magnitude <= i64::MAX as u64 {
        Some(Scalar::Int(magnitude as i64))
    } else {
        Some(Scalar::Uint(magnitude))
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)` for the values YAML holds.
pub(super) fn format_go_float(f: f64) -> String {
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if f.is_nan() {
        return "NaN".to_string();
    }
    let exp = if f == 0.0 {
        0
    } else {
        f.abs().log10().floor() as i32
    };
    if !(-4..21).contains(&exp) {
        let s = format!("{f:e}");
        let (mantissa, e) = s.split_once('e').unwrap_or((&s, "0"));
        let e: i32 = e.parse().unwrap_or(0);
        let sign = if e < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", e.abs());
    }
    format!("{f}")
}

/// go-yaml v2 resolves plain scalars that `time.Parse` accepts in one of
/// its timestamp layouts (`2006-1-2T15:4:5.999999999Z07:00`, the same with
/// a lower-case `t`, `2006-1-2 15:4:5.999999999`, `2006-1-2`) as
/// timestamps, so such strings are written quoted.
pub fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let year: u32 = s[..4].parse().unwrap_or(0);
    let mut i = 5;
    // Go's getnum: one or two digits.
    let num = |i: &mut usize| -> Option<u32> {
        let start = *i;
        while *i < b.len() && *i - start < 2 && b[*i].is_ascii_digit() {
            *i += 1;
        }
        if *i == start {
            return None;
        }
        s[start..*i].parse().ok()
    };
    let Some(month) = num(&mut i) else {
        return false;
    };
    if i >= b.len() || b[i] != b'-' {
        return false;
    }
    i += 1;
    let Some(day) = num(&mut i) else { return false };
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day < 1 || day > days {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let zoned = match b[i] {
        b'T' | b't' => true,
        b' ' => false,
        _ => return false,
    };
    i += 1;
    let Some(hour) = num(&mut i) else {
        return false;
    };
    if i >= b.len() || b[i] != b':' {
        return false;
    }
    i += 1;
    let Some(minute) = num(&mut i) else {
        return false;
    };
    if i >= b.len() || b[i] != b':' {
        return false;
    }
    i += 1;
    let Some(second) = num(&mut i) else {
        return false;
    };
    if hour > 23 || minute > 59 || second > 59 {
        return false;
    }
    if i + 1 < b.len() && (b[i] == b'.' || b[i] == b',') && b[i + 1].is_ascii_digit() {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if !zoned {
        return i == b.len();
    }
    match &b[i..] {
        [b'Z'] => true,
        [sign, h1, h2, b':', m1, m2] if (*sign == b'+' || *sign == b'-') => {
            [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

/// go-yaml v2 quotes strings such as `1:20` (YAML 1.1 sexagesimal floats).
pub(super) fn is_base60_float(s: &str) -> bool {
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() {
        return false;
    }
    i += 1;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() && i - start < 2 {
            i += 1;
        }
        let len = i - start;
        if len == 0 || (len == 2 && b[start] > b'5') {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml11_booleans_and_numbers_resolve_like_go_yaml_v2() {
        assert_eq!(resolve_plain("on"), Scalar::Bool(true));
        assert_eq!(resolve_plain("No"), Scalar::Bool(false));
        assert_eq!(resolve_plain("0x1F"), Scalar::Int(31));
        assert_eq!(resolve_plain("017"), Scalar::Int(15));
        assert_eq!(resolve_plain("1_000"), Scalar::Int(1000));
        assert_eq!(resolve_plain("1.5e3"), Scalar::Float(1500.0));
        assert_eq!(resolve_plain("09"), Scalar::Float(9.0));
        assert_eq!(resolve_plain("~"), Scalar::Null);
        assert_eq!(resolve_plain("1.2.3"), Scalar::Str("1.2.3".into()));
        assert_eq!(resolve_plain("onion"), Scalar::Str("onion".into()));
    }

    proptest::proptest! {
        /// The shortcuts for scalars that start with a letter decide as
        /// the full rules do.
        #[test]
        fn shortcuts_agree_with_the_full_rules(
            s in "[a-zA-Z0-9.+_:~-][a-zA-Z0-9.+_: -]{0,8}|(y|Y|n|N|o|O|t|T|f|F|\\.|-|\\+|~)[a-zA-Z.]{0,6}"
        ) {
            let full = classify_plain_in_full(&s);
            let resolved = classify_plain(&s);
            // NaN is not equal to itself: compare the debug forms.
            proptest::prop_assert_eq!(format!("{resolved:?}"), format!("{full:?}"));
            proptest::prop_assert_eq!(is_plain_string(&s), full.is_none() && !is_timestamp(&s));
        }
    }

    #[test]
    fn every_word_is_still_a_word() {
        for word in [
            "y", "Yes", "NO", "on", "Off", "true", "FALSE", "null", "Null", ".inf", "-.Inf", ".NaN",
        ] {
            assert!(!is_plain_string(word), "{word}");
            assert_eq!(
                format!("{:?}", classify_plain(word)),
                format!("{:?}", classify_plain_in_full(word))
            );
        }
        for string in ["name", "token", "server", "falsey", "nullable", "yesterday"] {
            assert!(is_plain_string(string), "{string}");
        }
    }
}
