//! Go's `base64.StdEncoding` decoding, which `encoding/json` applies to
//! every `[]byte` field of a kubeconfig (`certificate-authority-data`,
//! `client-key-data`, ...) and `kubectl config set` to the values it is
//! given.
//!
//! Written by hand because Go's decoder is not strict and no crate decodes
//! the same set: padding bits that are not zero are accepted (`QR==` is
//! `A`), `\r` and `\n` are skipped anywhere, padding is otherwise required,
//! and an error names the offset Go names (`illegal base64 data at input
//! byte N`, which kubectl prints). One pass, no copy of the input.

/// The bytes `text` encodes, or the offset of the first byte Go's
/// decoder refuses.
pub fn decode_std(text: &[u8]) -> Result<Vec<u8>, usize> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 3);
    let mut at = 0;
    loop {
        at += quads(&text[at..], &mut out);
        match quantum(text, at, &mut out)? {
            Some(next) => at = next,
            None => return Ok(out),
        }
    }
}

/// The fast path: decodes the leading run of eight-alphabet-byte groups of
/// `text` into `out` (each group is two quanta that the slow path would
/// decode the same way); returns the bytes of text used. A group becomes
/// one 48-bit number, written as eight bytes of which the last two are
/// overwritten by the next group or cut off at the end.
fn quads(text: &[u8], out: &mut Vec<u8>) -> usize {
    let start = out.len();
    out.resize(start + text.len() / 8 * 6 + 2, 0);
    let mut at = start;
    let mut used = 0;
    for group in text.chunks_exact(8) {
        let v = [
            VALUE[usize::from(group[0])],
            VALUE[usize::from(group[1])],
            VALUE[usize::from(group[2])],
            VALUE[usize::from(group[3])],
            VALUE[usize::from(group[4])],
            VALUE[usize::from(group[5])],
            VALUE[usize::from(group[6])],
            VALUE[usize::from(group[7])],
        ];
        // Values are below 64; INVALID has the top bit.
        if v.iter().fold(0, |all, &x| all | x) & 0x80 != 0 {
            break;
        }
        let n = v.iter().fold(0u64, |n, &x| n << 6 | u64::from(x)) << 16;
        out[at..at + 8].copy_from_slice(&n.to_be_bytes());
        at += 6;
        used += 8;
    }
    out.truncate(at);
    used
}

/// One quantum from `at`, the slow way: line breaks skipped, padding and
/// the end of the text judged as Go judges them. `None` at the end.
fn quantum(text: &[u8], mut at: usize, out: &mut Vec<u8>) -> Result<Option<usize>, usize> {
    let mut digits = [0u8; 4];
    let mut have = 0;
    while have < 4 {
        let Some(&byte) = text.get(at) else {
            return match have {
                0 => Ok(None),
                // Standard encoding wants its padding.
                _ => Err(at - have),
            };
        };
        at += 1;
        let value = VALUE[usize::from(byte)];
        if value != INVALID {
            digits[have] = value;
            have += 1;
            continue;
        }
        if byte == b'\n' || byte == b'\r' {
            continue;
        }
        if byte != b'=' || have < 2 {
            return Err(at - 1);
        }
        if have == 2 {
            // A second `=` must follow, line breaks aside.
            at = skip_breaks(text, at);
            match text.get(at) {
                None => return Err(text.len()),
                Some(b'=') => at += 1,
                Some(_) => return Err(at - 1),
            }
        }
        at = skip_breaks(text, at);
        if at < text.len() {
            return Err(at);
        }
        push(out, digits, have - 1);
        return Ok(None);
    }
    push(out, digits, 3);
    Ok(Some(at))
}

/// The first `bytes` of the three bytes that four digits encode.
fn push(out: &mut Vec<u8>, digits: [u8; 4], bytes: usize) {
    out.extend_from_slice(&bytes_of(digits)[..bytes]);
}

/// The three bytes four digits encode.
fn bytes_of(digits: [u8; 4]) -> [u8; 3] {
    let n = u32::from(digits[0]) << 18
        | u32::from(digits[1]) << 12
        | u32::from(digits[2]) << 6
        | u32::from(digits[3]);
    let [_, a, b, c] = n.to_be_bytes();
    [a, b, c]
}

fn skip_breaks(text: &[u8], mut at: usize) -> usize {
    while matches!(text.get(at), Some(b'\n' | b'\r')) {
        at += 1;
    }
    at
}

const INVALID: u8 = 0xFF;

/// The value of each alphabet byte; `INVALID` for the rest.
const VALUE: [u8; 256] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_as_go_decodes() {
        let ok = |s: &str| decode_std(s.as_bytes()).unwrap();
        assert_eq!(ok(""), b"");
        assert_eq!(ok("QQ=="), b"A");
        assert_eq!(ok("QR=="), b"A");
        assert_eq!(ok("QUI="), b"AB");
        assert_eq!(ok("QUJD"), b"ABC");
        assert_eq!(ok("QU\nJD\r\n"), b"ABC");
        assert_eq!(ok("QQ=\n="), b"A");
        let err = |s: &str| decode_std(s.as_bytes()).unwrap_err();
        assert_eq!(err("Q"), 0);
        assert_eq!(err("QQ"), 0);
        assert_eq!(err("QQ="), 3);
        assert_eq!(err("Q==="), 1);
        assert_eq!(err("QQ==QQ=="), 4);
        assert_eq!(err("QU*D"), 2);
    }

    /// The decoder without the fast path: one quantum at a time.
    fn slow(text: &[u8]) -> Result<Vec<u8>, usize> {
        let mut out = Vec::new();
        let mut at = 0;
        while let Some(next) = quantum(text, at, &mut out)? {
            at = next;
        }
        Ok(out)
    }

    proptest::proptest! {
        /// Groups of eight decoded at once give what quanta one by one
        /// give, on valid text and on text broken anywhere.
        #[test]
        fn the_fast_path_decodes_as_the_slow_one(
            text in "([A-Za-z0-9+/]{0,40}(=|==|\\n|\\r|\\*| )?){0,4}"
        ) {
            proptest::prop_assert_eq!(decode_std(text.as_bytes()), slow(text.as_bytes()));
        }
    }
}
