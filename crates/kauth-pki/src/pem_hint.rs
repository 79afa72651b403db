//! Why a file holds no PEM block of the kind a command wants, in the
//! words a user can act on: a DER file, a block cut off before its END
//! line, or other blocks than the one asked for.

/// The reason `text` has no `label` block; `tool` is the openssl command
/// that converts DER of that kind (`x509`, `req`, `pkey`). `matches` says
/// which labels count (several key formats share one request).
pub fn why_missing(text: &[u8], label: &str, tool: &str, matches: impl Fn(&str) -> bool) -> String {
    if text.first() == Some(&0x30) {
        return format!(
            "the file is DER (binary), not PEM; convert it with `openssl {tool} -inform der -in FILE -out FILE.pem`"
        );
    }
    let text = String::from_utf8_lossy(text);
    let labels: Vec<&str> = text
        .match_indices("-----BEGIN ")
        .filter_map(|(at, _)| {
            let rest = &text[at + 11..];
            rest.find("-----").map(|end| &rest[..end])
        })
        .collect();
    if let Some(open) = labels.iter().find(|l| matches(l))
        && !text.contains(&format!("-----END {open}-----"))
    {
        return format!(
            "the `-----BEGIN {open}-----` block has no `-----END {open}-----` line (a truncated file?)"
        );
    }
    if let Some(open) = labels.iter().find(|l| matches(l)) {
        return format!("the `{open}` block is not valid PEM (base64 damaged?)");
    }
    if labels.is_empty() {
        return format!("no `-----BEGIN {label}-----` block");
    }
    let mut found = labels.clone();
    found.dedup();
    format!("no `{label}` block (the file holds: {})", found.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_names_what_to_do() {
        let cert = |t: &[u8]| why_missing(t, "CERTIFICATE", "x509", |l| l == "CERTIFICATE");
        assert!(cert(&[0x30, 0x82, 1, 2]).contains("-inform der"));
        assert!(
            cert(b"-----BEGIN CERTIFICATE-----\nMIIB")
                .contains("no `-----END CERTIFICATE-----` line")
        );
        assert!(
            cert(b"-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----\n")
                .contains("holds: RSA PRIVATE KEY")
        );
        assert_eq!(cert(b"hello"), "no `-----BEGIN CERTIFICATE-----` block");
    }
}
