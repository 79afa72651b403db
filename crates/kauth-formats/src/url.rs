//! Go's `net/url` escapes, where kauth reads what Go's URL parser reads:
//! request paths and queries (kube-apiserver's request info) and the user
//! information of server and proxy URLs (Go's client).

/// Go's URL unescaping (`%2F` becomes `/` in `URL.Path`); the error is the
/// first `%` sequence that is not `%` and two hex digits, as Go quotes it
/// (at most three bytes).
pub fn unescape(s: &str) -> Result<String, &str> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let hex = |at: usize| bytes.get(at).and_then(|&b| (b as char).to_digit(16));
        let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) else {
            let end = (i + 3).min(bytes.len());
            return Err(s.get(i..end).unwrap_or(&s[i..]));
        };
        out.push((hi * 16 + lo) as u8);
        i += 3;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}
