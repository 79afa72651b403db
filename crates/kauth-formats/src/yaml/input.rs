//! What go-yaml's reader (`readerc.go`) lets into the parser: well-formed
//! UTF-8 and only the characters YAML allows (tab, line feed, carriage
//! return, printable ASCII, NEL, and the rest of Unicode but surrogates,
//! C1 controls, U+FFFE and U+FFFF). kubectl refuses any other byte, so a
//! file kauth would have to read lossily (and rewrite with U+FFFD in
//! place of the byte) or that holds a NUL is refused the same way.
//!
//! Written by hand rather than with `str::from_utf8` so that each refusal
//! names what go-yaml names: an invalid leading or trailing octet, an
//! incomplete or overlong sequence, an invalid character.

use super::SyntaxError;

/// `bytes` as text, or the first thing go-yaml's reader would refuse.
pub fn text(bytes: &[u8]) -> Result<&str, SyntaxError> {
    // Nearly every kubeconfig is printable ASCII: one pass that the
    // compiler vectorises settles it.
    if !any_byte(bytes, |b| !matches!(b, 0x20..=0x7E | b'\n' | b'\t' | b'\r')) {
        return std::str::from_utf8(bytes)
            .map_err(|e| error(bytes, e.valid_up_to(), "invalid UTF-8"));
    }
    let mut i = 0;
    while i < bytes.len() {
        let (value, width) = decode(bytes, i)?;
        let allowed = matches!(value, 0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0x85)
            || (0xA0..=0xD7FF).contains(&value)
            || (0xE000..=0xFFFD).contains(&value)
            || (0x1_0000..=0x10_FFFF).contains(&value);
        if !allowed {
            return Err(error(bytes, i, "control characters are not allowed"));
        }
        i += width;
    }
    // Every sequence was checked above, so this cannot fail; were it to,
    // the error is the general one rather than a panic.
    std::str::from_utf8(bytes).map_err(|e| error(bytes, e.valid_up_to(), "invalid UTF-8"))
}

/// Whether any byte of `bytes` satisfies `pred`. The bytes are taken 64 at
/// a time without stopping inside a block, so the compiler vectorises the
/// test (an early exit at every byte keeps it scalar, ten times slower on
/// the megabytes of base64 a kubeconfig holds).
pub fn any_byte(bytes: &[u8], pred: impl Fn(u8) -> bool) -> bool {
    let mut blocks = bytes.chunks_exact(64);
    for block in &mut blocks {
        if block.iter().fold(false, |hit, &b| hit | pred(b)) {
            return true;
        }
    }
    blocks.remainder().iter().any(|&b| pred(b))
}

/// The character at `at` and its width in bytes.
fn decode(bytes: &[u8], at: usize) -> Result<(u32, usize), SyntaxError> {
    let lead = bytes[at];
    let (width, bits) = match lead {
        0x00..=0x7F => return Ok((u32::from(lead), 1)),
        _ if lead & 0xE0 == 0xC0 => (2, lead & 0x1F),
        _ if lead & 0xF0 == 0xE0 => (3, lead & 0x0F),
        _ if lead & 0xF8 == 0xF0 => (4, lead & 0x07),
        _ => return Err(error(bytes, at, "invalid leading UTF-8 octet")),
    };
    if at + width > bytes.len() {
        return Err(error(bytes, at, "incomplete UTF-8 octet sequence"));
    }
    let mut value = u32::from(bits);
    for k in 1..width {
        let octet = bytes[at + k];
        if octet & 0xC0 != 0x80 {
            return Err(error(bytes, at + k, "invalid trailing UTF-8 octet"));
        }
        value = (value << 6) | u32::from(octet & 0x3F);
    }
    let shortest = match width {
        2 => value >= 0x80,
        3 => value >= 0x800,
        _ => value >= 0x1_0000,
    };
    if !shortest {
        return Err(error(bytes, at, "invalid length of a UTF-8 sequence"));
    }
    if (0xD800..=0xDFFF).contains(&value) || value > 0x10_FFFF {
        return Err(error(bytes, at, "invalid Unicode character"));
    }
    Ok((value, width))
}

fn error(bytes: &[u8], at: usize, message: &str) -> SyntaxError {
    SyntaxError {
        line: 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count(),
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_what_go_yaml_names() {
        let cases: [(&[u8], &str); 8] = [
            (b"a: \xff\n", "invalid leading UTF-8 octet"),
            (b"a: 1\n# caf\xe9\nb: 2\n", "invalid trailing UTF-8 octet"),
            (b"a: \xe2\x82", "incomplete UTF-8 octet sequence"),
            (b"a: \xc0\xaf", "invalid length of a UTF-8 sequence"),
            (b"a: \xed\xa0\x80", "invalid Unicode character"),
            (b"a: b\x00c", "control characters are not allowed"),
            (b"a: \x1b[31m", "control characters are not allowed"),
            (b"a: \xc2\x9b", "control characters are not allowed"),
        ];
        for (bytes, message) in cases {
            let err = text(bytes).unwrap_err();
            assert_eq!(err.message, message, "{bytes:?}");
        }
        assert_eq!(text(b"a: 1\n# caf\xe9\nb: 2\n").unwrap_err().line, 2);
    }

    #[test]
    fn what_yaml_allows_is_text() {
        let ok = "\u{feff}a: \"caf\u{e9}\"\r\n\tb: \u{85}\u{1F600}\u{fffd}\n";
        assert_eq!(text(ok.as_bytes()).unwrap(), ok);
    }
}
