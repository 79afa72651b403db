//! Building certificates and CSRs as DER, and reading certificates and
//! CSRs back (with their signatures checked).

use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::prelude::FromDer;
use yasna::models::ObjectIdentifier;

use super::key::{KeyError, PrivateKey};
use super::name::Subject;

fn sha256(data: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data)
        .as_ref()
        .to_vec()
}

/// Only for key identifiers, which RFC 5280 defines with SHA-1.
fn sha1(data: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, data)
        .as_ref()
        .to_vec()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("not a PEM certificate: {0}")]
    NotPem(String),
    #[error("malformed certificate: {0}")]
    Malformed(String),
    #[error("not a PEM certificate request: {0}")]
    NotCsr(String),
    #[error("malformed certificate request: {0}")]
    MalformedCsr(String),
    #[error(
        "the certificate request's signature does not verify: it was altered or signed with another key"
    )]
    CsrSignature,
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// x509-parser's error in words: its own text is a debug form
/// (`Der(UnexpectedTag { expected: Some(Tag(16)), actual: Tag(2) })`).
pub fn der_reason(e: &x509_parser::nom::Err<x509_parser::error::X509Error>) -> String {
    use x509_parser::error::X509Error;
    use x509_parser::nom::Err;
    let ends_early = "the data ends early (a truncated file?)".to_string();
    match e {
        Err::Incomplete(_) => ends_early,
        Err::Error(X509Error::Der(d)) | Err::Failure(X509Error::Der(d)) => {
            if matches!(d, x509_parser::der_parser::error::Error::Incomplete(_)) {
                ends_early
            } else {
                "not valid DER where the structure calls for it".to_string()
            }
        }
        Err::Error(other) | Err::Failure(other) => other.to_string(),
    }
}

pub const EKU_CLIENT_AUTH: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 2];
pub const EKU_SERVER_AUTH: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 1];
pub const EKU_ANY: &[u64] = &[2, 5, 29, 37, 0];

/// What a certificate is for, as its extensions say it: basicConstraints,
/// keyUsage and extKeyUsage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    /// basicConstraints: `None` leaves the extension out; `Some((ca,
    /// path_len))` writes it, critical.
    pub basic_constraints: Option<(bool, Option<u8>)>,
    /// keyUsage bits (digitalSignature = 0x80, keyEncipherment = 0x20,
    /// keyCertSign = 0x04, cRLSign = 0x02); `None` leaves it out.
    pub key_usage: Option<u8>,
    /// extKeyUsage OIDs; `None` leaves it out.
    pub ext_key_usage: Option<Vec<&'static [u64]>>,
    /// An unknown extension marked critical (for tests of verifiers).
    pub unknown_critical: bool,
}

impl Usage {
    /// A CA: basicConstraints CA:TRUE, digitalSignature, keyCertSign and
    /// cRLSign.
    pub fn ca() -> Self {
        Usage {
            basic_constraints: Some((true, None)),
            key_usage: Some(0x80 | 0x04 | 0x02),
            ext_key_usage: None,
            unknown_critical: false,
        }
    }

    /// A client certificate: clientAuth, CA:FALSE, digitalSignature (and
    /// keyEncipherment for RSA keys, as kubeadm's).
    pub fn client(rsa: bool) -> Self {
        Usage {
            basic_constraints: Some((false, None)),
            key_usage: Some(if rsa { 0x80 | 0x20 } else { 0x80 }),
            ext_key_usage: Some(vec![EKU_CLIENT_AUTH]),
            unknown_critical: false,
        }
    }
}

/// Whether a SubjectPublicKeyInfo holds an RSA key.
pub fn is_rsa_key(spki_der: &[u8]) -> bool {
    x509_parser::x509::SubjectPublicKeyInfo::from_der(spki_der)
        .map(|(_, spki)| {
            spki.algorithm
                .algorithm
                .iter()
                .map(|i| i.collect::<Vec<u64>>())
                .as_deref()
                == Some(&[1, 2, 840, 113549, 1, 1, 1][..])
        })
        .unwrap_or(false)
}

/// The issuer side of a signature.
pub struct Issuer<'a> {
    /// The issuer's subject Name, as DER, copied byte for byte.
    pub name_der: &'a [u8],
    pub key: &'a PrivateKey,
    /// The issuer's subject key identifier, for the AKI extension.
    pub key_id: Option<Vec<u8>>,
}

pub struct CertSpec<'a> {
    pub subject_der: Vec<u8>,
    pub public_key_der: &'a [u8],
    pub serial: [u8; 16],
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub usage: Usage,
}

/// A random positive 128-bit serial number.
pub fn random_serial() -> [u8; 16] {
    let mut serial = [0u8; 16];
    let _ = aws_lc_rs::rand::fill(&mut serial);
    serial[0] &= 0x7f;
    if serial[0] == 0 {
        serial[0] = 0x40;
    }
    serial
}

/// RFC 5280 method 1 key identifier: SHA-1 of the subjectPublicKey bits.
pub fn key_identifier(spki_der: &[u8]) -> Result<Vec<u8>, CertError> {
    let (_, spki) = x509_parser::x509::SubjectPublicKeyInfo::from_der(spki_der)
        .map_err(|e| CertError::Malformed(format!("public key: {e}")))?;
    Ok(sha1(&spki.subject_public_key.data))
}

fn oid(parts: &[u64]) -> ObjectIdentifier {
    ObjectIdentifier::from_slice(parts)
}

/// UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5).
fn time_der(t: OffsetDateTime) -> Vec<u8> {
    let t = t.to_offset(time::UtcOffset::UTC);
    let (tag, text) = if (1950..2050).contains(&t.year()) {
        (
            0x17u8,
            format!(
                "{:02}{:02}{:02}{:02}{:02}{:02}Z",
                t.year() % 100,
                t.month() as u8,
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
        )
    } else {
        (
            0x18u8,
            format!(
                "{:04}{:02}{:02}{:02}{:02}{:02}Z",
                t.year(),
                t.month() as u8,
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
        )
    };
    let mut der = vec![tag, text.len() as u8];
    der.extend_from_slice(text.as_bytes());
    der
}

/// A BIT STRING of key usage flags, minimal as DER wants it.
fn key_usage_der(bits: u8) -> Vec<u8> {
    if bits == 0 {
        // No bit set: an empty BIT STRING.
        return vec![0x03, 0x01, 0x00];
    }
    let len = 8 - bits.trailing_zeros() as usize;
    yasna::construct_der(|w| w.write_bitvec_bytes(&[bits], len))
}

fn extension(w: &mut yasna::DERWriterSeq, id: &[u64], critical: bool, value: Vec<u8>) {
    w.next().write_sequence(|w| {
        w.next().write_oid(&oid(id));
        if critical {
            w.next().write_bool(true);
        }
        w.next().write_bytes(&value);
    });
}

/// Builds and signs a certificate.
pub fn build_certificate(spec: &CertSpec, issuer: &Issuer) -> Result<Vec<u8>, CertError> {
    build_certificate_with(spec, issuer, &[])
}

/// An extension as (OID, critical, DER value).
pub type RawExtension<'a> = (&'a [u64], bool, Vec<u8>);

/// Builds and signs a certificate with extra extensions (a server's SANs,
/// for test servers).
pub fn build_certificate_with(
    spec: &CertSpec,
    issuer: &Issuer,
    extra: &[RawExtension],
) -> Result<Vec<u8>, CertError> {
    let alg_der = issuer.key.algorithm().signature_algorithm_der();
    let ski = key_identifier(spec.public_key_der)?;
    let usage = &spec.usage;
    let tbs = yasna::construct_der(|w| {
        w.write_sequence(|w| {
            w.next()
                .write_tagged(yasna::Tag::context(0), |w| w.write_u8(2));
            w.next().write_bigint_bytes(&spec.serial, true);
            w.next().write_der(&alg_der);
            w.next().write_der(issuer.name_der);
            w.next().write_sequence(|w| {
                w.next().write_der(&time_der(spec.not_before));
                w.next().write_der(&time_der(spec.not_after));
            });
            w.next().write_der(&spec.subject_der);
            w.next().write_der(spec.public_key_der);
            w.next().write_tagged(yasna::Tag::context(3), |w| {
                w.write_sequence(|w| {
                    if let Some(bits) = usage.key_usage {
                        extension(w, &[2, 5, 29, 15], true, key_usage_der(bits));
                    }
                    if let Some(usages) = &usage.ext_key_usage {
                        let value = yasna::construct_der(|w| {
                            w.write_sequence(|w| {
                                for eku in usages {
                                    w.next().write_oid(&oid(eku));
                                }
                            })
                        });
                        extension(w, &[2, 5, 29, 37], false, value);
                    }
                    if let Some((ca, path_len)) = usage.basic_constraints {
                        let value = yasna::construct_der(|w| {
                            w.write_sequence(|w| {
                                if ca {
                                    w.next().write_bool(true);
                                }
                                if let Some(n) = path_len {
                                    w.next().write_u8(n);
                                }
                            })
                        });
                        extension(w, &[2, 5, 29, 19], true, value);
                    }
                    for (id, critical, value) in extra {
                        extension(w, id, *critical, value.clone());
                    }
                    if usage.unknown_critical {
                        extension(
                            w,
                            &[1, 3, 6, 1, 4, 1, 57683, 99],
                            true,
                            yasna::construct_der(|w| w.write_null()),
                        );
                    }
                    extension(
                        w,
                        &[2, 5, 29, 14],
                        false,
                        yasna::construct_der(|w| w.write_bytes(&ski)),
                    );
                    if let Some(aki) = &issuer.key_id {
                        extension(
                            w,
                            &[2, 5, 29, 35],
                            false,
                            yasna::construct_der(|w| {
                                w.write_sequence(|w| {
                                    w.next().write_tagged_implicit(yasna::Tag::context(0), |w| {
                                        w.write_bytes(aki)
                                    })
                                })
                            }),
                        );
                    }
                })
            });
        })
    });
    let (signature, alg_der) = issuer.key.sign(&tbs)?;
    Ok(yasna::construct_der(|w| {
        w.write_sequence(|w| {
            w.next().write_der(&tbs);
            w.next().write_der(&alg_der);
            w.next().write_bitvec_bytes(&signature, signature.len() * 8);
        })
    }))
}

/// A PKCS#10 request for `subject`, signed by `key`.
pub fn build_csr(subject: &Subject, key: &PrivateKey) -> Result<Vec<u8>, CertError> {
    let spki = key.public_key_der()?;
    let info = yasna::construct_der(|w| {
        w.write_sequence(|w| {
            w.next().write_u8(0);
            w.next().write_der(&subject.to_der());
            w.next().write_der(&spki);
            // No attributes: an empty [0] IMPLICIT SET.
            w.next()
                .write_tagged_implicit(yasna::Tag::context(0), |w| w.write_set(|_| {}));
        })
    });
    let (signature, alg_der) = key.sign(&info)?;
    Ok(yasna::construct_der(|w| {
        w.write_sequence(|w| {
            w.next().write_der(&info);
            w.next().write_der(&alg_der);
            w.next().write_bitvec_bytes(&signature, signature.len() * 8);
        })
    }))
}

pub fn to_pem(tag: &str, der: &[u8]) -> String {
    pem::encode_config(
        &pem::Pem::new(tag, der.to_vec()),
        pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
    )
}

/// Every `CERTIFICATE` block of a PEM text, as DER.
pub fn certificates_from_pem(text: &[u8]) -> Result<Vec<Vec<u8>>, CertError> {
    let missing = || {
        CertError::NotPem(crate::pem_hint::why_missing(
            text,
            "CERTIFICATE",
            "x509",
            |l| l == "CERTIFICATE",
        ))
    };
    let blocks = pem::parse_many(text).map_err(|_| missing())?;
    let certs: Vec<Vec<u8>> = blocks
        .into_iter()
        .filter(|b| b.tag() == "CERTIFICATE")
        .map(|b| b.into_contents())
        .collect();
    if certs.is_empty() {
        return Err(missing());
    }
    for der in &certs {
        X509Certificate::from_der(der).map_err(|e| CertError::Malformed(der_reason(&e)))?;
    }
    Ok(certs)
}

/// A checked CSR: its subject and public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrInfo {
    pub subject: Subject,
    pub subject_der: Vec<u8>,
    pub public_key_der: Vec<u8>,
}

/// Reads a PEM CSR (`CERTIFICATE REQUEST`, or openssl's older `NEW
/// CERTIFICATE REQUEST`) and checks its self-signature.
pub fn read_csr(text: &[u8]) -> Result<CsrInfo, CertError> {
    let is_csr = |l: &str| l == "CERTIFICATE REQUEST" || l == "NEW CERTIFICATE REQUEST";
    let missing = || {
        CertError::NotCsr(crate::pem_hint::why_missing(
            text,
            "CERTIFICATE REQUEST",
            "req",
            is_csr,
        ))
    };
    let blocks = pem::parse_many(text).map_err(|_| missing())?;
    let block = blocks
        .into_iter()
        .find(|b| is_csr(b.tag()))
        .ok_or_else(missing)?;
    let der = block.contents();
    let (_, csr) = X509CertificationRequest::from_der(der)
        .map_err(|e| CertError::MalformedCsr(der_reason(&e)))?;
    // As Go's `CertificateRequest.CheckSignature`: SHA-1 still allowed.
    super::signature::check(
        &csr.signature_algorithm,
        csr.certification_request_info.raw,
        &csr.signature_value.data,
        &csr.certification_request_info.subject_pki,
        true,
    )
    .map_err(|_| CertError::CsrSignature)?;
    let info = &csr.certification_request_info;
    Ok(CsrInfo {
        subject: Subject::from_x509(&info.subject),
        subject_der: info.subject.as_raw().to_vec(),
        public_key_der: info.subject_pki.raw.to_vec(),
    })
}

/// SHA-256 fingerprint as upper-case hex pairs joined by colons.
pub fn fingerprint(der: &[u8]) -> String {
    sha256(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// Lower-case hex SHA-256 of `der`.
pub fn sha256_hex(der: &[u8]) -> String {
    sha256(der).iter().map(|b| format!("{b:02x}")).collect()
}
