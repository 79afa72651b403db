//! What a certificate says, for `kauth cert inspect`.

use serde::Serialize;
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;

use super::cert::{self, CertError};
use super::name::{self, Subject};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CertificateFacts {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    pub is_ca: bool,
    pub subject_alt_names: Vec<String>,
    pub key_usage: Vec<String>,
    pub extended_key_usage: Vec<String>,
    pub public_key: String,
    pub signature_algorithm: String,
    pub sha256_fingerprint: String,
    pub version: u32,
    #[serde(skip)]
    pub subject_identity: Subject,
    #[serde(skip)]
    pub not_after_time: Option<OffsetDateTime>,
    #[serde(skip)]
    pub not_before_time: Option<OffsetDateTime>,
}

pub fn facts(der: &[u8]) -> Result<CertificateFacts, CertError> {
    let (_, c) = X509Certificate::from_der(der)
        .map_err(|e| CertError::Malformed(crate::cert::der_reason(&e)))?;
    let mut f = CertificateFacts {
        subject: name::one_line(c.subject()),
        issuer: name::one_line(c.issuer()),
        serial: c
            .raw_serial()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
        not_before: kauth_formats::time::rfc3339(c.validity().not_before.to_datetime()),
        not_after: kauth_formats::time::rfc3339(c.validity().not_after.to_datetime()),
        is_ca: false,
        subject_alt_names: Vec::new(),
        key_usage: Vec::new(),
        extended_key_usage: Vec::new(),
        public_key: public_key_description(&c),
        signature_algorithm: signature_name(&c),
        sha256_fingerprint: cert::fingerprint(der),
        version: c.version().0 + 1,
        subject_identity: Subject::from_x509(c.subject()),
        not_after_time: Some(c.validity().not_after.to_datetime()),
        not_before_time: Some(c.validity().not_before.to_datetime()),
    };
    for ext in c.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::BasicConstraints(bc) => f.is_ca = bc.ca,
            ParsedExtension::KeyUsage(ku) => {
                for (set, label) in [
                    (ku.digital_signature(), "Digital Signature"),
                    (ku.non_repudiation(), "Non Repudiation"),
                    (ku.key_encipherment(), "Key Encipherment"),
                    (ku.data_encipherment(), "Data Encipherment"),
                    (ku.key_agreement(), "Key Agreement"),
                    (ku.key_cert_sign(), "Certificate Sign"),
                    (ku.crl_sign(), "CRL Sign"),
                ] {
                    if set {
                        f.key_usage.push(label.to_string());
                    }
                }
            }
            ParsedExtension::ExtendedKeyUsage(eku) => {
                for (set, label) in [
                    (eku.any, "Any"),
                    (eku.server_auth, "TLS Web Server Authentication"),
                    (eku.client_auth, "TLS Web Client Authentication"),
                    (eku.code_signing, "Code Signing"),
                    (eku.email_protection, "E-mail Protection"),
                    (eku.time_stamping, "Time Stamping"),
                    (eku.ocsp_signing, "OCSP Signing"),
                ] {
                    if set {
                        f.extended_key_usage.push(label.to_string());
                    }
                }
                for other in &eku.other {
                    f.extended_key_usage.push(other.to_id_string());
                }
            }
            ParsedExtension::SubjectAlternativeName(san) => {
                for n in &san.general_names {
                    f.subject_alt_names.push(match n {
                        GeneralName::DNSName(d) => format!("DNS:{d}"),
                        GeneralName::IPAddress(ip) => format!("IP:{}", ip_text(ip)),
                        GeneralName::RFC822Name(e) => format!("email:{e}"),
                        GeneralName::URI(u) => format!("URI:{u}"),
                        other => format!("{other}"),
                    });
                }
            }
            _ => {}
        }
    }
    Ok(f)
}

/// Where a certificate stands at `now`, for `config lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    Valid,
    /// Valid now, but not any more `within` from now.
    Expiring(OffsetDateTime),
    Expired(OffsetDateTime),
}

/// The certificate's subject (one line) and whether it has expired at
/// `now` or will within `within` (Go's `x509.Verify` rejects it when `now`
/// is after `NotAfter`).
pub fn expiry(
    der: &[u8],
    now: OffsetDateTime,
    within: time::Duration,
) -> Result<(String, Expiry), CertError> {
    let (_, c) = X509Certificate::from_der(der)
        .map_err(|e| CertError::Malformed(crate::cert::der_reason(&e)))?;
    let not_after = c.validity().not_after.to_datetime();
    let state = if now > not_after {
        Expiry::Expired(not_after)
    } else if now.checked_add(within).is_none_or(|t| t > not_after) {
        Expiry::Expiring(not_after)
    } else {
        Expiry::Valid
    };
    Ok((name::one_line(c.subject()), state))
}

/// Whether `key` is the private key of the certificate `cert_der`: their
/// public keys are the same (Go's `tls.X509KeyPair` check).
pub fn key_matches(cert_der: &[u8], key: &crate::key::PrivateKey) -> Result<bool, CertError> {
    let (_, c) = X509Certificate::from_der(cert_der)
        .map_err(|e| CertError::Malformed(crate::cert::der_reason(&e)))?;
    Ok(key.public_key_der()? == c.public_key().raw)
}

fn ip_text(bytes: &[u8]) -> String {
    match bytes.len() {
        4 => std::net::Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3]).to_string(),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(bytes);
            std::net::Ipv6Addr::from(a).to_string()
        }
        _ => bytes.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

fn public_key_description(c: &X509Certificate) -> String {
    match c.public_key().parsed() {
        Ok(PublicKey::RSA(rsa)) => format!("RSA {} bits", rsa.key_size()),
        Ok(PublicKey::EC(ec)) => {
            let curve = c
                .public_key()
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|o| o.to_id_string());
            match curve.as_deref() {
                Some("1.2.840.10045.3.1.7") => "ECDSA P-256".into(),
                Some("1.3.132.0.34") => "ECDSA P-384".into(),
                Some("1.3.132.0.35") => "ECDSA P-521".into(),
                _ => format!("EC {} bits", ec.key_size()),
            }
        }
        _ => match c.public_key().algorithm.algorithm.to_id_string().as_str() {
            "1.3.101.112" => "Ed25519".into(),
            other => format!("unknown ({other})"),
        },
    }
}

fn signature_name(c: &X509Certificate) -> String {
    match c.signature_algorithm.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.11" => "SHA256-RSA".into(),
        "1.2.840.113549.1.1.12" => "SHA384-RSA".into(),
        "1.2.840.113549.1.1.13" => "SHA512-RSA".into(),
        "1.2.840.113549.1.1.5" => "SHA1-RSA".into(),
        "1.2.840.113549.1.1.10" => "RSA-PSS".into(),
        "1.2.840.10045.4.3.2" => "ECDSA-SHA256".into(),
        "1.2.840.10045.4.3.3" => "ECDSA-SHA384".into(),
        "1.2.840.10045.4.3.4" => "ECDSA-SHA512".into(),
        "1.3.101.112" => "Ed25519".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ca::Ca;
    use crate::key::{KeyAlgorithm, PrivateKey};
    use time::Duration;

    #[test]
    fn expiry_is_judged_at_the_given_moment() {
        let now = OffsetDateTime::now_utc();
        let ca = Ca::create("lint-ca", KeyAlgorithm::EcdsaP256, now, Duration::days(10)).unwrap();
        let end = ca.not_after();
        let (subject, state) = expiry(&ca.cert_der, now, Duration::days(30)).unwrap();
        assert_eq!(subject, "CN = lint-ca");
        assert_eq!(state, Expiry::Expiring(end));
        assert_eq!(
            expiry(&ca.cert_der, now, Duration::days(5)).unwrap().1,
            Expiry::Valid
        );
        let later = now + Duration::days(11);
        assert_eq!(
            expiry(&ca.cert_der, later, Duration::days(5)).unwrap().1,
            Expiry::Expired(end)
        );
        assert!(expiry(b"not der", now, Duration::ZERO).is_err());
    }

    #[test]
    fn a_key_matches_only_its_own_certificate() {
        let now = OffsetDateTime::now_utc();
        let ca = Ca::create("lint-ca", KeyAlgorithm::EcdsaP256, now, Duration::days(1)).unwrap();
        assert!(key_matches(&ca.cert_der, &ca.key).unwrap());
        let other = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        assert!(!key_matches(&ca.cert_der, &other).unwrap());
    }
}
