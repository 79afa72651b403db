//! Constants in actions: Go's `strconv.Unquote`/`UnquoteChar` for strings
//! and characters, and `parse.newNumber` with `strconv.ParseInt`,
//! `ParseUint` and `ParseFloat` for numbers (base prefixes, `_`
//! separators, hexadecimal floats, imaginary parts).

use super::lex::ItemType;
use super::parse::Number;

/// `strconv.Unquote` of a `"..."` or `` `...` `` literal; `None` where Go
/// says "invalid syntax". Escapes such as `\xff` may leave bytes that are
/// not UTF-8, as in Go.
pub(super) fn unquote(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if b.len() < 2 || b[0] != b[b.len() - 1] {
        return None;
    }
    let inner = &s[1..s.len() - 1];
    match b[0] {
        b'`' => {
            if inner.contains('`') {
                return None;
            }
            Some(inner.replace('\r', "").into_bytes())
        }
        b'"' => {
            let mut out = Vec::with_capacity(inner.len());
            let mut rest = inner;
            while !rest.is_empty() {
                if rest.starts_with('\n') {
                    return None;
                }
                let (c, multibyte, tail) = unquote_char(rest, '"')?;
                if multibyte {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(char::from_u32(c)?.encode_utf8(&mut buf).as_bytes());
                } else {
                    out.push(c as u8);
                }
                rest = tail;
            }
            Some(out)
        }
        _ => None,
    }
}

/// `strconv.UnquoteChar`: the first character of `s` (an escape or not),
/// whether it is to be written as UTF-8, and the rest.
fn unquote_char(s: &str, quote: char) -> Option<(u32, bool, &str)> {
    let mut chars = s.chars();
    let c = chars.next()?;
    if c == quote && (quote == '\'' || quote == '"') {
        return None;
    }
    if !c.is_ascii() {
        return Some((c as u32, true, chars.as_str()));
    }
    if c != '\\' {
        return Some((c as u32, false, chars.as_str()));
    }
    let rest = chars.as_str();
    let e = rest.chars().next()?;
    let after = &rest[1..];
    let simple = |v: char| Some((v as u32, false, after));
    match e {
        'a' => simple('\x07'),
        'b' => simple('\x08'),
        'f' => simple('\x0c'),
        'n' => simple('\n'),
        'r' => simple('\r'),
        't' => simple('\t'),
        'v' => simple('\x0b'),
        '\\' => simple('\\'),
        '\'' | '"' if e == quote => simple(e),
        'x' | 'u' | 'U' => {
            let n = match e {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            let digits = after.get(..n)?;
            if !digits.bytes().all(|d| d.is_ascii_hexdigit()) {
                return None;
            }
            let v = u32::from_str_radix(digits, 16).ok()?;
            if e == 'x' {
                return Some((v, false, &after[n..]));
            }
            char::from_u32(v)?;
            Some((v, true, &after[n..]))
        }
        '0'..='7' => {
            let digits = rest.get(..3)?;
            if !digits.bytes().all(|d| (b'0'..=b'7').contains(&d)) {
                return None;
            }
            let v = u32::from_str_radix(digits, 8).ok()?;
            if v > 255 {
                return None;
            }
            Some((v, false, &rest[3..]))
        }
        _ => None,
    }
}

/// `parse.newNumber`: a number constant's int, uint, float and complex
/// readings; the error text where it has none.
pub(super) fn number(pos: usize, text: &str, typ: ItemType) -> Result<Number, String> {
    let mut n = Number {
        pos,
        text: text.to_string(),
        int: None,
        uint: None,
        float: None,
        complex: None,
    };
    match typ {
        ItemType::CharConstant => {
            let (c, _, tail) = unquote_char(&text[1..], '\'').ok_or("invalid syntax")?;
            if tail != "'" {
                return Err(format!("malformed character constant: {text}"));
            }
            n.int = Some(c as i64);
            n.uint = Some(c as u64);
            n.float = Some(c as f64);
            return Ok(n);
        }
        ItemType::Complex => {
            let (re, im) = parse_complex(text)?;
            n.complex = Some((re, im));
            simplify_complex(&mut n);
            return Ok(n);
        }
        _ => {}
    }
    if let Some(body) = text.strip_suffix('i')
        && let Some(f) = parse_float(body)
    {
        n.complex = Some((0.0, f));
        simplify_complex(&mut n);
        return Ok(n);
    }
    let u = parse_uint(text);
    n.uint = u;
    if let Some(i) = parse_int(text) {
        n.int = Some(i);
        if i == 0 {
            n.uint = Some(0);
        }
    }
    if let Some(i) = n.int {
        n.float = Some(i as f64);
    } else if let Some(u) = n.uint {
        n.float = Some(u as f64);
    } else if let Some(f) = parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!(
                "integer overflow: {}",
                super::fmt::quote(text.as_bytes())
            ));
        }
        n.float = Some(f);
        n.int = exact_i64(f);
        n.uint = exact_u64(f);
    }
    if n.int.is_none() && n.uint.is_none() && n.float.is_none() {
        return Err(format!(
            "illegal number syntax: {}",
            super::fmt::quote(text.as_bytes())
        ));
    }
    Ok(n)
}

/// `f` as an int64 where `float64(int64(f)) == f`.
pub(super) fn exact_i64(f: f64) -> Option<i64> {
    let fits = (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f);
    (fits && f.fract() == 0.0).then_some(f as i64)
}

/// `f` as a uint64 where `float64(uint64(f)) == f`.
fn exact_u64(f: f64) -> Option<u64> {
    let fits = (0.0..1.844_674_407_370_955_2e19).contains(&f);
    (fits && f.fract() == 0.0).then_some(f as u64)
}

fn simplify_complex(n: &mut Number) {
    let Some((re, im)) = n.complex else { return };
    if im == 0.0 {
        n.float = Some(re);
        n.int = exact_i64(re);
        n.uint = exact_u64(re);
    }
}

/// `a+bi` or `a-bi` as `fmt.Sscan` reads a complex128: two float tokens
/// (`complexTokens`), each then read by `strconv.ParseFloat`.
fn parse_complex(text: &str) -> Result<(f64, f64), String> {
    let syntax = || "syntax error scanning complex number".to_string();
    let (real, rest) = float_token(text);
    let sign = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '+' | '-'))
        .ok_or_else(syntax)?;
    let (imag, rest) = float_token(&rest[1..]);
    if !rest.starts_with('i') {
        return Err(syntax());
    }
    let convert = |s: &str| {
        parse_float_checked(s).map_err(|reason| {
            format!(
                "strconv.ParseFloat: parsing {}: {reason}",
                super::fmt::quote(s.as_bytes())
            )
        })
    };
    let re = convert(real)?;
    let im = convert(&format!("{sign}{imag}"))?;
    Ok((re, im))
}

/// fmt's `floatToken`: the longest float-looking prefix of `s`.
fn float_token(s: &str) -> (&str, &str) {
    let b = s.as_bytes();
    let mut i = 0;
    let accept = |i: &mut usize, set: &[u8]| {
        if *i < b.len() && set.contains(&b[*i]) {
            *i += 1;
            true
        } else {
            false
        }
    };
    if accept(&mut i, b"nN") && accept(&mut i, b"aA") && accept(&mut i, b"nN") {
        return s.split_at(i);
    }
    i = 0;
    accept(&mut i, b"+-");
    let signed = i;
    if accept(&mut i, b"iI") && accept(&mut i, b"nN") && accept(&mut i, b"fF") {
        return s.split_at(i);
    }
    let mut digits: &[u8] = b"0123456789_";
    let mut exp: &[u8] = b"eEpP";
    if b.get(signed) == Some(&b'0') {
        i = signed + 1;
        if accept(&mut i, b"xX") {
            digits = b"0123456789aAbBcCdDeEfF_";
            exp = b"pP";
        }
    }
    while accept(&mut i, digits) {}
    if accept(&mut i, b".") {
        while accept(&mut i, digits) {}
    }
    if accept(&mut i, exp) {
        accept(&mut i, b"+-");
        while accept(&mut i, b"0123456789_") {}
    }
    s.split_at(i)
}

/// Go's `underscoreOK`: `_` only between digits (a base prefix counts as
/// one).
fn underscore_ok(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s).as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if s.len() >= 2 && s[0] == b'0' && matches!(s[1] | 0x20, b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = s[1] | 0x20 == b'x';
    }
    while i < s.len() {
        let c = s[i];
        if c.is_ascii_digit() || (hex && (b'a'..=b'f').contains(&(c | 0x20))) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// `strconv.ParseUint(s, 0, 64)`.
pub(super) fn parse_uint(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    let (base, digits) = if b[0] == b'0' {
        match b.get(1).map(|c| c | 0x20) {
            Some(b'b') if b.len() >= 3 => (2, &s[2..]),
            Some(b'o') if b.len() >= 3 => (8, &s[2..]),
            Some(b'x') if b.len() >= 3 => (16, &s[2..]),
            _ => (8, &s[1..]),
        }
    } else {
        (10, s)
    };
    let mut n: u64 = 0;
    let mut underscores = false;
    for c in digits.bytes() {
        if c == b'_' {
            underscores = true;
            continue;
        }
        let d = (c as char).to_digit(36)? as u64;
        if d >= base {
            return None;
        }
        n = n.checked_mul(base)?.checked_add(d)?;
    }
    if underscores && !underscore_ok(s) {
        return None;
    }
    Some(n)
}

/// `strconv.ParseInt(s, 0, 64)`.
pub(super) fn parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let u = parse_uint(body)?;
    if neg {
        if u > 1 << 63 {
            return None;
        }
        Some((u as i64).wrapping_neg())
    } else {
        i64::try_from(u).ok()
    }
}

/// `strconv.ParseFloat(s, 64)` for what the template scanner lets through:
/// decimal and hexadecimal (`0x1.8p3`) forms; out of range is an error.
pub(super) fn parse_float(s: &str) -> Option<f64> {
    parse_float_checked(s).ok()
}

/// `strconv.ParseFloat(s, 64)`, or why not (Go's `NumError` reason).
fn parse_float_checked(s: &str) -> Result<f64, &'static str> {
    parse_float_value(s).ok_or("invalid syntax").and_then(|f| {
        if f.is_infinite() {
            Err("value out of range")
        } else {
            Ok(f)
        }
    })
}

fn parse_float_value(s: &str) -> Option<f64> {
    if s.contains('_') && !underscore_ok(s) {
        return None;
    }
    let clean = s.replace('_', "");
    let (neg, body) = match clean.as_bytes().first() {
        Some(b'-') => (true, &clean[1..]),
        Some(b'+') => (false, &clean[1..]),
        _ => (false, clean.as_str()),
    };
    let value = if let Some(hex) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        parse_hex_float(hex)?
    } else {
        let b = body.as_bytes();
        let valid = !b.is_empty()
            && b.iter()
                .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
            && b[0] != b'+'
            && b[0] != b'-';
        if !valid {
            return None;
        }
        body.parse::<f64>().ok()?
    };
    Some(if neg { -value } else { value })
}

fn parse_hex_float(s: &str) -> Option<f64> {
    let (mantissa, exp) = s.split_once(['p', 'P'])?;
    let exp: i32 = exp.parse().ok()?;
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut value = 0f64;
    for c in int.chars() {
        value = value * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        value += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    Some(value * 2f64.powi(exp))
}
