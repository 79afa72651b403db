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
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data).as_ref().to_vec()
}

/// Only for key identifiers, which RFC 5280 defines with SHA-1.
fn sha1(data: &[u8]) -> Vec<u8> {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, data)
        .as_ref()
        .to_vec()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error("not a PEM certificate (no `-----BEGIN CERTIFICATE-----` block)")]
    NotPem,
    #[error("malformed certificate: {0}")]
    Malformed(String),
    #[error("not a PEM certificate request (no `-----BEGIN CERTIFICATE REQUEST-----` block)")]
    NotCsr,
    #[error("malformed certificate request: {0}")]
    MalformedCsr(String),
    #[error("the certificate request's signature does not verify: it was altered or signed with another key")]
    CsrSignature,
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// What kind of certificate to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// A CA: basicConstraints CA:TRUE, keyCertSign and cRLSign.
    Ca,
    /// A client certificate: clientAuth, digitalSignature (and
    /// keyEncipherment for RSA keys, as kubeadm's).
    Client,
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
    pub profile: Profile,
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
    let alg_der = issuer.key.algorithm().signature_algorithm_der();
    let ski = key_identifier(spec.public_key_der)?;
    let rsa = spec.public_key_der.windows(9).any(|w| w == [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]);
    let tbs = yasna::construct_der(|w| {
        w.write_sequence(|w| {
            w.next().write_tagged(yasna::Tag::context(0), |w| w.write_u8(2));
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
                    match spec.profile {
                        Profile::Ca => {
                            extension(w, &[2, 5, 29, 15], true, key_usage_der(0x80 | 0x04 | 0x02));
                            extension(
                                w,
                                &[2, 5, 29, 19],
                                true,
                                yasna::construct_der(|w| w.write_sequence(|w| w.next().write_bool(true))),
                            );
                        }
                        Profile::Client => {
                            let usage = if rsa { 0x80 | 0x20 } else { 0x80 };
                            extension(w, &[2, 5, 29, 15], true, key_usage_der(usage));
                            extension(
                                w,
                                &[2, 5, 29, 37],
                                false,
                                yasna::construct_der(|w| {
                                    w.write_sequence(|w| w.next().write_oid(&oid(&[1, 3, 6, 1, 5, 5, 7, 3, 2])))
                                }),
                            );
                            extension(w, &[2, 5, 29, 19], true, yasna::construct_der(|w| w.write_sequence(|_| {})));
                        }
                    }
                    extension(w, &[2, 5, 29, 14], false, yasna::construct_der(|w| w.write_bytes(&ski)));
                    if let Some(aki) = &issuer.key_id {
                        extension(
                            w,
                            &[2, 5, 29, 35],
                            false,
                            yasna::construct_der(|w| {
                                w.write_sequence(|w| {
                                    w.next().write_tagged_implicit(yasna::Tag::context(0), |w| w.write_bytes(aki))
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
            w.next().write_tagged_implicit(yasna::Tag::context(0), |w| w.write_set(|_| {}));
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
    let blocks = pem::parse_many(text).map_err(|_| CertError::NotPem)?;
    let certs: Vec<Vec<u8>> = blocks
        .into_iter()
        .filter(|b| b.tag() == "CERTIFICATE")
        .map(|b| b.into_contents())
        .collect();
    if certs.is_empty() {
        return Err(CertError::NotPem);
    }
    for der in &certs {
        X509Certificate::from_der(der).map_err(|e| CertError::Malformed(e.to_string()))?;
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
    let blocks = pem::parse_many(text).map_err(|_| CertError::NotCsr)?;
    let block = blocks
        .into_iter()
        .find(|b| b.tag() == "CERTIFICATE REQUEST" || b.tag() == "NEW CERTIFICATE REQUEST")
        .ok_or(CertError::NotCsr)?;
    let der = block.contents();
    let (_, csr) = X509CertificationRequest::from_der(der).map_err(|e| CertError::MalformedCsr(e.to_string()))?;
    csr.verify_signature().map_err(|_| CertError::CsrSignature)?;
    let info = &csr.certification_request_info;
    Ok(CsrInfo {
        subject: Subject::from_x509(&info.subject),
        subject_der: info.subject.as_raw().to_vec(),
        public_key_der: info.subject_pki.raw.to_vec(),
    })
}

/// SHA-256 fingerprint as upper-case hex pairs joined by colons.
pub fn fingerprint(der: &[u8]) -> String {
    sha256(der).iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

/// Lower-case hex SHA-256 of `der`.
pub fn sha256_hex(der: &[u8]) -> String {
    sha256(der).iter().map(|b| format!("{b:02x}")).collect()
}
