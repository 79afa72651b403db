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

    /// Reads CN, every O, and the UID attribute of a parsed name.
    pub fn from_x509(name: &X509Name) -> Self {
        let mut s = Subject::default();
        for attr in name.iter_attributes() {
            let Some(oid) = attr.attr_type().iter().map(|i| i.collect::<Vec<u64>>()) else {
                continue;
            };
            let text = attr_text(attr);
            if oid == CN_OID {
                // Go keeps the last CN when several are present.
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

fn attr_text(attr: &x509_parser::x509::AttributeTypeAndValue) -> String {
    attr.as_str()
        .map(str::to_string)
        .unwrap_or_else(|_| String::from_utf8_lossy(attr.attr_value().data).into_owned())
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
