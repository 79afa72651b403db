//! Subject names: the identity a client certificate carries (CN = user,
//! O = groups, the UID attribute), written as DER and read back.
//!
//! Encoding follows Go's `crypto/x509/pkix`: attributes in the order O,
//! CN, then UID, one attribute per RDN, PrintableString where the text
//! allows it and UTF8String otherwise.

use x509_parser::x509::X509Name;

/// OID of the UID attribute kube-apiserver reads (since 1.33).
pub const UID_OID: &[u64] = &[1, 3, 6, 1, 4, 1, 57683, 2];
const CN_OID: &[u64] = &[2, 5, 4, 3];
const O_OID: &[u64] = &[2, 5, 4, 10];
const OU_OID: &[u64] = &[2, 5, 4, 11];

/// The parts of a subject that make a Kubernetes identity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject {
    pub common_name: String,
    pub organizations: Vec<String>,
    pub uid: Option<String>,
}

impl Subject {
    pub fn new(
        common_name: impl Into<String>,
        organizations: &[String],
        uid: Option<&str>,
    ) -> Self {
        Subject {
            common_name: common_name.into(),
            organizations: organizations.to_vec(),
            uid: uid.map(str::to_string),
        }
    }

    /// The Name as DER.
    pub fn to_der(&self) -> Vec<u8> {
        let mut attrs: Vec<(&[u64], &str)> = Vec::new();
        for o in &self.organizations {
            attrs.push((O_OID, o));
        }
        if !self.common_name.is_empty() {
            attrs.push((CN_OID, &self.common_name));
        }
        if let Some(uid) = &self.uid {
            attrs.push((UID_OID, uid));
        }
        yasna::construct_der(|w| {
            w.write_sequence(|w| {
                for (oid, value) in attrs {
                    w.next().write_set(|w| {
                        w.next().write_sequence(|w| {
                            w.next()
                                .write_oid(&yasna::models::ObjectIdentifier::from_slice(oid));
                            if is_printable(value) && oid != UID_OID {
                                w.next().write_printable_string(value);
                            } else {
                                w.next().write_utf8_string(value);
                            }
                        })
                    })
                }
            })
        })
    }

    /// Reads CN, every O, and the first UID attribute of a parsed name as
    /// Go's `pkix.Name.FillFromRDNSequence` does: an attribute whose value
    /// is not a string to Go is skipped, and the last CN wins.
    pub fn from_x509(name: &X509Name) -> Self {
        let mut s = Subject::default();
        for (oid, value) in go_attributes(name) {
            let Ok(Some(text)) = value else {
                continue;
            };
            if oid == CN_OID {
                s.common_name = text;
            } else if oid == O_OID {
                s.organizations.push(text);
            } else if oid == UID_OID {
                s.uid.get_or_insert(text);
            }
        }
        s
    }
}

/// An attribute value as Go's `crypto/x509` parser reads it: `Ok(Some)`
/// a string, `Ok(None)` a value that is not a string to Go (kept, but
/// skipped by `pkix.Name`), `Err` a string whose content is invalid for its
/// type (Go refuses the whole certificate:
/// `x509: invalid RDNSequence: invalid attribute value: <err>`).
pub type GoValue = Result<Option<String>, &'static str>;

/// Every attribute of a name in order, with its value as Go reads it
/// (`parseName` and `parseASN1String` in Go's `crypto/x509/parser.go`).
pub fn go_attributes(name: &X509Name) -> Vec<(Vec<u64>, GoValue)> {
    name.iter_attributes()
        .map(|attr| {
            let oid = attr
                .attr_type()
                .iter()
                .map(|i| i.collect::<Vec<u64>>())
                .unwrap_or_default();
            let value = attr.attr_value();
            let universal = value.header.class()
                == x509_parser::der_parser::asn1_rs::Class::Universal
                && !value.header.is_constructed();
            let text = if universal {
                go_string(value.header.tag().0, value.data)
            } else {
                Ok(None)
            };
            (oid, text)
        })
        .collect()
}

/// The first error Go's parser reports for a name, in Go's words.
pub fn go_name_error(name: &X509Name) -> Option<String> {
    go_attributes(name).into_iter().find_map(|(_, v)| {
        v.err()
            .map(|e| format!("x509: invalid RDNSequence: invalid attribute value: {e}"))
    })
}

/// Go's `parseASN1String` for a universal tag and its content. Tags Go
/// does not read as strings (UniversalString, VisibleString, BIT STRING,
/// SEQUENCE...) give `Ok(None)`.
pub fn go_string(tag: u32, data: &[u8]) -> GoValue {
    match tag {
        // T61String: read as Latin-1, byte for byte.
        20 => Ok(Some(data.iter().map(|&b| char::from(b)).collect())),
        19 => {
            if data.iter().all(|&b| is_go_printable(b)) {
                Ok(Some(String::from_utf8_lossy(data).into_owned()))
            } else {
                Err("invalid PrintableString")
            }
        }
        12 => std::str::from_utf8(data)
            .map(|s| Some(s.to_string()))
            .map_err(|_| "invalid UTF-8 string"),
        // BMPString: UCS-2, one trailing NUL stripped, surrogates and
        // noncharacters refused.
        30 => {
            if !data.len().is_multiple_of(2) {
                return Err("invalid BMPString");
            }
            let mut units: Vec<u16> = data
                .chunks(2)
                .map(|c| u16::from(c[0]) << 8 | u16::from(c[1]))
                .collect();
            if units.last() == Some(&0) {
                units.pop();
            }
            if units.iter().any(|&p| {
                p == 0xfffe
                    || p == 0xffff
                    || (0xfdd0..=0xfdef).contains(&p)
                    || (0xd800..=0xdfff).contains(&p)
            }) {
                return Err("invalid BMPString");
            }
            Ok(Some(String::from_utf16_lossy(&units)))
        }
        22 => {
            if data.is_ascii() {
                Ok(Some(String::from_utf8_lossy(data).into_owned()))
            } else {
                Err("invalid IA5String")
            }
        }
        18 => {
            if data.iter().all(|&b| b.is_ascii_digit() || b == b' ') {
                Ok(Some(String::from_utf8_lossy(data).into_owned()))
            } else {
                Err("invalid NumericString")
            }
        }
        // An INTEGER is read as Go's `encoding/asn1` reads one into an
        // int64: minimal and at most 8 bytes, else the certificate is
        // refused.
        2 => {
            let minimal = match data {
                [] => false,
                [first, second, ..] => {
                    !(*first == 0 && second & 0x80 == 0 || *first == 0xff && second & 0x80 != 0)
                }
                _ => true,
            };
            if minimal && data.len() <= 8 {
                Ok(None)
            } else {
                Err("invalid ASN.1 integer")
            }
        }
        _ => Ok(None),
    }
}

/// Go's `isPrintable`: PrintableString's characters plus `*` and `&`,
/// which Go tolerates.
fn is_go_printable(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b' ' | b'\''
                | b'('
                | b')'
                | b'+'
                | b','
                | b'-'
                | b'.'
                | b'/'
                | b':'
                | b'='
                | b'?'
                | b'*'
                | b'&'
        )
}

/// The organizational units, shown by `cert inspect` (they do not make
/// groups).
pub fn organizational_units(name: &X509Name) -> Vec<String> {
    name.iter_attributes()
        .filter(|a| {
            a.attr_type()
                .iter()
                .map(|i| i.collect::<Vec<u64>>())
                .as_deref()
                == Some(OU_OID)
        })
        .map(attr_text)
        .collect()
}

/// An attribute's text for display: Go's reading when it has one, else
/// the value's bytes as hex (`#...`, as openssl shows a non-string).
fn attr_text(attr: &x509_parser::x509::AttributeTypeAndValue) -> String {
    let value = attr.attr_value();
    match go_string(value.header.tag().0, value.data) {
        Ok(Some(text)) => text,
        Ok(None) | Err(_) => format!(
            "#{}",
            value
                .data
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        ),
    }
}

/// ASN.1 PrintableString characters.
fn is_printable(s: &str) -> bool {
    s.bytes().all(|b| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b' ' | b'\'' | b'(' | b')' | b'+' | b',' | b'-' | b'.' | b'/' | b':' | b'=' | b'?'
            )
    })
}

/// A one-line rendering like openssl's `-nameopt oneline` (`O = dev, CN = kfree`).
pub fn one_line(name: &X509Name) -> String {
    let mut parts = Vec::new();
    for attr in name.iter_attributes() {
        let oid: Vec<u64> = attr
            .attr_type()
            .iter()
            .map(|i| i.collect())
            .unwrap_or_default();
        let label = match oid.as_slice() {
            [2, 5, 4, 3] => "CN".to_string(),
            [2, 5, 4, 10] => "O".to_string(),
            [2, 5, 4, 11] => "OU".to_string(),
            [2, 5, 4, 6] => "C".to_string(),
            [2, 5, 4, 7] => "L".to_string(),
            [2, 5, 4, 8] => "ST".to_string(),
            o if o == UID_OID => "UID".to_string(),
            o => o.iter().map(u64::to_string).collect::<Vec<_>>().join("."),
        };
        parts.push(format!("{label} = {}", attr_text(attr)));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::prelude::FromDer;

    #[test]
    fn round_trips_groups_and_uid() {
        let s = Subject::new(
            "kfree",
            &["dev".to_string(), "ops team".to_string()],
            Some("u-1"),
        );
        let der = s.to_der();
        let (_, name) = X509Name::from_der(&der).unwrap();
        assert_eq!(Subject::from_x509(&name), s);
        assert_eq!(
            one_line(&name),
            "O = dev, O = ops team, CN = kfree, UID = u-1"
        );
        let s = Subject::new("ünïcode@x", &[], None);
        let der = s.to_der();
        let (_, name) = X509Name::from_der(&der).unwrap();
        assert_eq!(Subject::from_x509(&name).common_name, "ünïcode@x");
    }
}

#[cfg(test)]
mod go_strings {
    use super::*;
    use x509_parser::prelude::FromDer;

    /// A Name with one attribute per RDN, each value DER `tag` + bytes.
    fn name(attrs: &[(&[u64], u8, &[u8])]) -> Vec<u8> {
        yasna::construct_der(|w| {
            w.write_sequence(|w| {
                for (oid, tag, bytes) in attrs {
                    w.next().write_set(|w| {
                        w.next().write_sequence(|w| {
                            w.next()
                                .write_oid(&yasna::models::ObjectIdentifier::from_slice(oid));
                            let mut der = vec![*tag, bytes.len() as u8];
                            der.extend_from_slice(bytes);
                            w.next().write_der(&der);
                        })
                    })
                }
            })
        })
    }

    fn subject(attrs: &[(&[u64], u8, &[u8])]) -> (Subject, Option<String>) {
        let der = name(attrs);
        let (_, n) = X509Name::from_der(&der).unwrap();
        (Subject::from_x509(&n), go_name_error(&n))
    }

    fn bmp(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect()
    }

    /// Each string type as Go's `parseASN1String` reads it.
    #[test]
    fn attribute_values_read_as_go_reads_them() {
        let (s, err) = subject(&[(CN_OID, 30, &bmp("alice"))]);
        assert_eq!((s.common_name.as_str(), err), ("alice", None));
        let mut nul = bmp("bob-x");
        nul.extend([0, 0]);
        assert_eq!(subject(&[(CN_OID, 30, &nul)]).0.common_name, "bob-x");
        assert_eq!(subject(&[(CN_OID, 30, &bmp("Zoë"))]).0.common_name, "Zoë");
        // T61String is Latin-1: UTF-8 bytes come out as mojibake, as in Go.
        assert_eq!(
            subject(&[(CN_OID, 20, "José".as_bytes())]).0.common_name,
            "JosÃ©"
        );
        assert_eq!(subject(&[(CN_OID, 20, b"Jos\xe9")]).0.common_name, "José");
        // UniversalString and BIT STRING are not strings to Go.
        let universal: Vec<u8> = "judy"
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect();
        let (s, err) = subject(&[(O_OID, 12, b"dev"), (CN_OID, 28, &universal)]);
        assert_eq!((s.common_name.as_str(), err), ("", None));
        assert_eq!(s.organizations, vec!["dev".to_string()]);
        let (s, _) = subject(&[(O_OID, 28, &universal), (O_OID, 12, b"g4")]);
        assert_eq!(s.organizations, vec!["g4".to_string()]);
        assert_eq!(subject(&[(CN_OID, 3, b"\0bits")]).0.common_name, "");
        // Invalid content refuses the certificate.
        for (tag, bytes, what) in [
            (19u8, &b"user@example"[..], "invalid PrintableString"),
            (19, b"a_b", "invalid PrintableString"),
            (22, "Zoë".as_bytes(), "invalid IA5String"),
            (18, b"12a", "invalid NumericString"),
            (12, b"\xff", "invalid UTF-8 string"),
            (30, b"\0a\0", "invalid BMPString"),
            (30, b"\xd8\x00", "invalid BMPString"),
        ] {
            assert_eq!(
                subject(&[(CN_OID, tag, bytes)]).1,
                Some(format!(
                    "x509: invalid RDNSequence: invalid attribute value: {what}"
                )),
                "tag {tag}"
            );
        }
        // Go tolerates `*` and `&` in a PrintableString.
        assert_eq!(subject(&[(CN_OID, 19, b"*.a&b")]).1, None);
    }
}
