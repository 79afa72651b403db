//! A certificate authority: making one, checking one given by the user
//! (kubeadm's, k3s's, openssl's), and signing client certificates with it.

use time::{Duration, OffsetDateTime};
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

use super::cert::{self, CertError, CertSpec, Issuer, Usage};
use super::key::{KeyAlgorithm, KeyError, PrivateKey};
use super::name::Subject;

/// Certificates are dated this much in the past against clock skew.
pub const BACKDATE: Duration = Duration::minutes(5);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaError {
    #[error("the CA certificate is not a CA (basicConstraints CA:TRUE is missing)")]
    NotCa,
    #[error("the CA key does not match the CA certificate (their public keys differ)")]
    KeyMismatch,
    #[error("the CA certificate may not sign certificates (its keyUsage lacks keyCertSign)")]
    NoCertSign,
    #[error("the CA certificate expired on {0}")]
    Expired(String),
    #[error("the validity ends after the year 9999, the last a certificate can name")]
    TooLong,
    #[error(transparent)]
    Cert(#[from] CertError),
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// A CA certificate with its key, checked to belong together.
#[derive(Debug)]
pub struct Ca {
    pub cert_der: Vec<u8>,
    pub key: PrivateKey,
    subject_der: Vec<u8>,
    key_id: Vec<u8>,
    not_after: OffsetDateTime,
}

impl Ca {
    /// Checks that `cert_der` is a CA certificate and `key` its key.
    pub fn new(cert_der: Vec<u8>, key: PrivateKey) -> Result<Ca, CaError> {
        let (_, c) = X509Certificate::from_der(&cert_der)
            .map_err(|e| CertError::Malformed(crate::cert::der_reason(&e)))?;
        match c.basic_constraints() {
            Ok(Some(bc)) if bc.value.ca => {}
            _ => return Err(CaError::NotCa),
        }
        if let Ok(Some(ku)) = c.key_usage()
            && !ku.value.key_cert_sign()
        {
            return Err(CaError::NoCertSign);
        }
        if key.public_key_der()? != c.public_key().raw {
            return Err(CaError::KeyMismatch);
        }
        let key_id = match c
            .get_extension_unique(&x509_parser::oid_registry::OID_X509_EXT_SUBJECT_KEY_IDENTIFIER)
        {
            Ok(Some(ext)) => match ext.parsed_extension() {
                x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(id) => id.0.to_vec(),
                _ => cert::key_identifier(c.public_key().raw)?,
            },
            _ => cert::key_identifier(c.public_key().raw)?,
        };
        Ok(Ca {
            subject_der: c.subject().as_raw().to_vec(),
            not_after: c.validity().not_after.to_datetime(),
            key_id,
            key,
            cert_der,
        })
    }

    /// A new self-signed CA.
    pub fn create(
        common_name: &str,
        algorithm: KeyAlgorithm,
        now: OffsetDateTime,
        validity: Duration,
    ) -> Result<Ca, CaError> {
        let not_after = now
            .checked_add(validity)
            .filter(|end| end.year() <= 9999)
            .ok_or(CaError::TooLong)?;
        let key = PrivateKey::generate(algorithm)?;
        let subject = Subject::new(common_name, &[], None).to_der();
        let spki = key.public_key_der()?;
        let der = cert::build_certificate(
            &CertSpec {
                subject_der: subject.clone(),
                public_key_der: &spki,
                serial: cert::random_serial(),
                not_before: now - BACKDATE,
                not_after,
                usage: Usage::ca(),
            },
            &Issuer {
                name_der: &subject,
                key: &key,
                key_id: Some(cert::key_identifier(&spki)?),
            },
        )?;
        Ca::new(der, key)
    }

    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }

    /// Signs a client certificate for `subject_der` and `public_key_der`,
    /// valid from now (backdated) for `validity`, cut at the CA's own end.
    pub fn sign_client(
        &self,
        subject_der: Vec<u8>,
        public_key_der: &[u8],
        now: OffsetDateTime,
        validity: Duration,
    ) -> Result<Vec<u8>, CaError> {
        if now > self.not_after {
            return Err(CaError::Expired(kauth_formats::time::rfc3339(
                self.not_after,
            )));
        }
        // A validity past the calendar's end is past the CA's end too.
        let not_after = now
            .checked_add(validity)
            .map_or(self.not_after, |end| end.min(self.not_after));
        Ok(cert::build_certificate(
            &CertSpec {
                subject_der,
                public_key_der,
                serial: cert::random_serial(),
                not_before: now - BACKDATE,
                not_after,
                usage: Usage::client(cert::is_rsa_key(public_key_der)),
            },
            &Issuer {
                name_der: &self.subject_der,
                key: &self.key,
                key_id: Some(self.key_id.clone()),
            },
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_non_ca_certificates_and_foreign_keys() {
        let now = OffsetDateTime::now_utc();
        let ca = Ca::create("ca", KeyAlgorithm::EcdsaP256, now, Duration::days(10)).unwrap();
        let other = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        assert_eq!(
            Ca::new(ca.cert_der.clone(), other).unwrap_err(),
            CaError::KeyMismatch
        );
        let leaf_key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let spki = leaf_key.public_key_der().unwrap();
        let leaf = ca
            .sign_client(
                Subject::new("kfree", &[], None).to_der(),
                &spki,
                now,
                Duration::days(1),
            )
            .unwrap();
        assert_eq!(Ca::new(leaf, leaf_key).unwrap_err(), CaError::NotCa);
        // A certificate never outlives its CA.
        let long = ca
            .sign_client(
                Subject::new("k", &[], None).to_der(),
                &spki,
                now,
                Duration::days(100),
            )
            .unwrap();
        let (_, c) = X509Certificate::from_der(&long).unwrap();
        assert_eq!(c.validity().not_after.to_datetime(), ca.not_after());
    }
}
