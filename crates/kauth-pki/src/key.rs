//! Private keys: generation, reading in every format clusters write
//! (kubeadm's PKCS#1 `RSA PRIVATE KEY`, k3s's SEC1 `EC PRIVATE KEY`,
//! PKCS#8 `PRIVATE KEY`) and writing as PKCS#8, which openssl, Go and
//! kubectl all read.

use std::fmt;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::signature::KeyPair as _;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, ECDSA_P384_SHA384_ASN1_SIGNING, ECDSA_P521_SHA512_ASN1_SIGNING,
    EcdsaKeyPair, EcdsaSigningAlgorithm, Ed25519KeyPair,
};
use zeroize::Zeroizing;

/// The kinds of key kauth makes and reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    Rsa { bits: usize },
    EcdsaP256,
    EcdsaP384,
    EcdsaP521,
    Ed25519,
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyAlgorithm::Rsa { bits } => write!(f, "RSA {bits}"),
            KeyAlgorithm::EcdsaP256 => write!(f, "ECDSA P-256"),
            KeyAlgorithm::EcdsaP384 => write!(f, "ECDSA P-384"),
            KeyAlgorithm::EcdsaP521 => write!(f, "ECDSA P-521"),
            KeyAlgorithm::Ed25519 => write!(f, "Ed25519"),
        }
    }
}

impl KeyAlgorithm {
    /// Parses `rsa`, `ecdsa-p256`, `ecdsa-p384`, `ed25519` with the RSA size.
    pub fn parse(name: &str, rsa_bits: usize) -> Result<Self, KeyError> {
        match name {
            "rsa" => match rsa_bits {
                2048 | 3072 | 4096 => Ok(KeyAlgorithm::Rsa { bits: rsa_bits }),
                other => Err(KeyError::Unsupported(format!(
                    "RSA size {other} (use 2048, 3072 or 4096)"
                ))),
            },
            "ecdsa-p256" | "ecdsa" | "ec" | "p256" => Ok(KeyAlgorithm::EcdsaP256),
            "ecdsa-p384" | "p384" => Ok(KeyAlgorithm::EcdsaP384),
            "ed25519" => Ok(KeyAlgorithm::Ed25519),
            other => Err(KeyError::Unsupported(format!(
                "key algorithm `{other}` (use rsa, ecdsa-p256, ecdsa-p384 or ed25519)"
            ))),
        }
    }

    fn ecdsa(self) -> Option<&'static EcdsaSigningAlgorithm> {
        match self {
            KeyAlgorithm::EcdsaP256 => Some(&ECDSA_P256_SHA256_ASN1_SIGNING),
            KeyAlgorithm::EcdsaP384 => Some(&ECDSA_P384_SHA384_ASN1_SIGNING),
            KeyAlgorithm::EcdsaP521 => Some(&ECDSA_P521_SHA512_ASN1_SIGNING),
            _ => None,
        }
    }

    /// The DER AlgorithmIdentifier of the signatures this key makes.
    pub fn signature_algorithm_der(self) -> Vec<u8> {
        let oid: &[u64] = match self {
            KeyAlgorithm::Rsa { .. } => &[1, 2, 840, 113549, 1, 1, 11],
            KeyAlgorithm::EcdsaP256 => &[1, 2, 840, 10045, 4, 3, 2],
            KeyAlgorithm::EcdsaP384 => &[1, 2, 840, 10045, 4, 3, 3],
            KeyAlgorithm::EcdsaP521 => &[1, 2, 840, 10045, 4, 3, 4],
            KeyAlgorithm::Ed25519 => &[1, 3, 101, 112],
        };
        yasna::construct_der(|w| {
            w.write_sequence(|w| {
                w.next()
                    .write_oid(&yasna::models::ObjectIdentifier::from_slice(oid));
                // RSA signature algorithms carry explicit NULL parameters.
                if matches!(self, KeyAlgorithm::Rsa { .. }) {
                    w.next().write_null();
                }
            })
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("not a PEM private key: {0}")]
    NotPem(String),
    #[error("the key is encrypted ({0}); decrypt it first, e.g. `openssl pkey -in KEY -out PLAIN`")]
    Encrypted(&'static str),
    #[error("unsupported key: {0}")]
    Unsupported(String),
    #[error("cannot read the {0} key: malformed or unsupported parameters")]
    Malformed(&'static str),
    #[error("key generation failed")]
    Generate,
}

/// A private key, held as PKCS#8 DER (wiped when dropped).
pub struct PrivateKey {
    algorithm: KeyAlgorithm,
    pkcs8: Zeroizing<Vec<u8>>,
    /// The PEM label the key was read with (`RSA PRIVATE KEY`, ...).
    source_format: &'static str,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PrivateKey({}, <redacted>)", self.algorithm)
    }
}

impl PrivateKey {
    pub fn generate(algorithm: KeyAlgorithm) -> Result<Self, KeyError> {
        let pkcs8: Vec<u8> = match algorithm {
            KeyAlgorithm::Rsa { bits } => {
                let size = match bits {
                    2048 => aws_lc_rs::rsa::KeySize::Rsa2048,
                    3072 => aws_lc_rs::rsa::KeySize::Rsa3072,
                    4096 => aws_lc_rs::rsa::KeySize::Rsa4096,
                    _ => return Err(KeyError::Unsupported(format!("RSA size {bits}"))),
                };
                let key =
                    aws_lc_rs::rsa::KeyPair::generate(size).map_err(|_| KeyError::Generate)?;
                key.as_der()
                    .map_err(|_| KeyError::Generate)?
                    .as_ref()
                    .to_vec()
            }
            KeyAlgorithm::Ed25519 => Ed25519KeyPair::generate()
                .and_then(|k| k.to_pkcs8v1())
                .map_err(|_| KeyError::Generate)?
                .as_ref()
                .to_vec(),
            ec => {
                let alg = ec.ecdsa().ok_or(KeyError::Generate)?;
                EcdsaKeyPair::generate(alg)
                    .and_then(|k| k.to_pkcs8v1())
                    .map_err(|_| KeyError::Generate)?
                    .as_ref()
                    .to_vec()
            }
        };
        Ok(PrivateKey {
            algorithm,
            pkcs8: Zeroizing::new(pkcs8),
            source_format: "PRIVATE KEY",
        })
    }

    /// Reads the first private key of a PEM text (other blocks, such as a
    /// certificate in the same file, are skipped).
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        if text.contains("Proc-Type: 4,ENCRYPTED") {
            return Err(KeyError::Encrypted("legacy PEM encryption"));
        }
        let missing = || {
            KeyError::NotPem(crate::pem_hint::why_missing(
                text.as_bytes(),
                "PRIVATE KEY",
                "pkey",
                |l| l.ends_with("PRIVATE KEY"),
            ))
        };
        let blocks = pem::parse_many(text).map_err(|_| missing())?;
        let block = blocks
            .into_iter()
            .find(|b| b.tag().ends_with("PRIVATE KEY"))
            .ok_or_else(missing)?;
        let der = Zeroizing::new(block.contents().to_vec());
        match block.tag() {
            "ENCRYPTED PRIVATE KEY" => Err(KeyError::Encrypted("PKCS#8 ENCRYPTED PRIVATE KEY")),
            "RSA PRIVATE KEY" => Self::from_rsa_pkcs1(&der),
            "EC PRIVATE KEY" => Self::from_ec(&der, "EC PRIVATE KEY"),
            "PRIVATE KEY" => Self::from_pkcs8(&der),
            "OPENSSH PRIVATE KEY" => Err(KeyError::Unsupported(
                "OpenSSH private key format (convert: ssh-keygen -p -m PKCS8 -f KEY)".into(),
            )),
            "DSA PRIVATE KEY" => Err(KeyError::Unsupported("DSA keys".into())),
            other => Err(KeyError::Unsupported(format!("PEM block `{other}`"))),
        }
    }

    fn from_rsa_pkcs1(der: &[u8]) -> Result<Self, KeyError> {
        let key = aws_lc_rs::rsa::KeyPair::from_der(der)
            .map_err(|_| KeyError::Malformed("PKCS#1 RSA"))?;
        let pkcs8 = key
            .as_der()
            .map_err(|_| KeyError::Malformed("PKCS#1 RSA"))?
            .as_ref()
            .to_vec();
        Ok(PrivateKey {
            algorithm: KeyAlgorithm::Rsa {
                bits: key.public_modulus_len() * 8,
            },
            pkcs8: Zeroizing::new(pkcs8),
            source_format: "RSA PRIVATE KEY",
        })
    }

    fn from_ec(der: &[u8], format: &'static str) -> Result<Self, KeyError> {
        for alg in [
            KeyAlgorithm::EcdsaP256,
            KeyAlgorithm::EcdsaP384,
            KeyAlgorithm::EcdsaP521,
        ] {
            let Some(signing) = alg.ecdsa() else { continue };
            if let Ok(key) = EcdsaKeyPair::from_private_key_der(signing, der) {
                let pkcs8 = key
                    .to_pkcs8v1()
                    .map_err(|_| KeyError::Malformed("EC"))?
                    .as_ref()
                    .to_vec();
                return Ok(PrivateKey {
                    algorithm: alg,
                    pkcs8: Zeroizing::new(pkcs8),
                    source_format: format,
                });
            }
        }
        Err(KeyError::Unsupported(
            "EC key on a curve other than P-256, P-384 or P-521".into(),
        ))
    }

    /// From PKCS#8 DER (a PKCS#12 key bag, for example).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        Self::from_pkcs8(der)
    }

    /// The key as PKCS#8 DER; it is secret.
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }

    fn from_pkcs8(der: &[u8]) -> Result<Self, KeyError> {
        if let Ok(key) = aws_lc_rs::rsa::KeyPair::from_pkcs8(der) {
            return Ok(PrivateKey {
                algorithm: KeyAlgorithm::Rsa {
                    bits: key.public_modulus_len() * 8,
                },
                pkcs8: Zeroizing::new(der.to_vec()),
                source_format: "PRIVATE KEY",
            });
        }
        if Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).is_ok() {
            return Ok(PrivateKey {
                algorithm: KeyAlgorithm::Ed25519,
                pkcs8: Zeroizing::new(der.to_vec()),
                source_format: "PRIVATE KEY",
            });
        }
        Self::from_ec(der, "PRIVATE KEY")
            .map_err(|_| KeyError::Unsupported("PKCS#8 key of an unsupported type".into()))
    }

    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// The PEM label the key was read with.
    pub fn source_format(&self) -> &'static str {
        self.source_format
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`).
    pub fn to_pem(&self) -> Zeroizing<String> {
        let block = pem::Pem::new("PRIVATE KEY", self.pkcs8.to_vec());
        Zeroizing::new(pem::encode_config(
            &block,
            pem::EncodeConfig::new().set_line_ending(pem::LineEnding::LF),
        ))
    }

    /// The SubjectPublicKeyInfo (DER) of the key.
    pub fn public_key_der(&self) -> Result<Vec<u8>, KeyError> {
        let malformed = |_| KeyError::Malformed("PKCS#8");
        let der = match self.algorithm {
            KeyAlgorithm::Rsa { .. } => aws_lc_rs::rsa::KeyPair::from_pkcs8(&self.pkcs8)
                .map_err(|_| KeyError::Malformed("PKCS#8"))?
                .public_key()
                .as_der()
                .map_err(malformed)?,
            KeyAlgorithm::Ed25519 => Ed25519KeyPair::from_pkcs8_maybe_unchecked(&self.pkcs8)
                .map_err(|_| KeyError::Malformed("PKCS#8"))?
                .public_key()
                .as_der()
                .map_err(malformed)?,
            ec => {
                let alg = ec.ecdsa().ok_or(KeyError::Malformed("EC"))?;
                EcdsaKeyPair::from_pkcs8(alg, &self.pkcs8)
                    .map_err(|_| KeyError::Malformed("PKCS#8"))?
                    .public_key()
                    .as_der()
                    .map_err(malformed)?
            }
        };
        Ok(der.as_ref().to_vec())
    }

    /// Signs `message` as JWS does: RSA PKCS#1 v1.5 with SHA-256, ECDSA with
    /// fixed-size `r || s` (SHA-256/384/512 by curve).
    pub fn sign_fixed(&self, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        use aws_lc_rs::signature::{
            ECDSA_P256_SHA256_FIXED_SIGNING, ECDSA_P384_SHA384_FIXED_SIGNING,
            ECDSA_P521_SHA512_FIXED_SIGNING,
        };
        let alg = match self.algorithm {
            KeyAlgorithm::EcdsaP256 => &ECDSA_P256_SHA256_FIXED_SIGNING,
            KeyAlgorithm::EcdsaP384 => &ECDSA_P384_SHA384_FIXED_SIGNING,
            KeyAlgorithm::EcdsaP521 => &ECDSA_P521_SHA512_FIXED_SIGNING,
            _ => return self.sign(message).map(|(sig, _)| sig),
        };
        let rng = aws_lc_rs::rand::SystemRandom::new();
        Ok(EcdsaKeyPair::from_pkcs8(alg, &self.pkcs8)
            .map_err(|_| KeyError::Malformed("PKCS#8"))?
            .sign(&rng, message)
            .map_err(|_| KeyError::Malformed("signing"))?
            .as_ref()
            .to_vec())
    }

    /// Signs `message` with the algorithm kauth uses for this key (SHA-256
    /// for RSA and P-256, SHA-384 for P-384, SHA-512 for P-521, Ed25519),
    /// returning the signature and the DER AlgorithmIdentifier that names it.
    pub fn sign(&self, message: &[u8]) -> Result<(Vec<u8>, Vec<u8>), KeyError> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let failed = |_| KeyError::Malformed("signing");
        let signature = match self.algorithm {
            KeyAlgorithm::Rsa { .. } => {
                let key = aws_lc_rs::rsa::KeyPair::from_pkcs8(&self.pkcs8)
                    .map_err(|_| KeyError::Malformed("PKCS#8"))?;
                let mut sig = vec![0; key.public_modulus_len()];
                key.sign(
                    &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                    &rng,
                    message,
                    &mut sig,
                )
                .map_err(failed)?;
                sig
            }
            KeyAlgorithm::Ed25519 => Ed25519KeyPair::from_pkcs8_maybe_unchecked(&self.pkcs8)
                .map_err(|_| KeyError::Malformed("PKCS#8"))?
                .sign(message)
                .as_ref()
                .to_vec(),
            ec => {
                let alg = ec.ecdsa().ok_or(KeyError::Malformed("EC"))?;
                EcdsaKeyPair::from_pkcs8(alg, &self.pkcs8)
                    .map_err(|_| KeyError::Malformed("PKCS#8"))?
                    .sign(&rng, message)
                    .map_err(failed)?
                    .as_ref()
                    .to_vec()
            }
        };
        Ok((signature, self.algorithm.signature_algorithm_der()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_algorithm_round_trips_through_pem() {
        for alg in [
            KeyAlgorithm::Rsa { bits: 2048 },
            KeyAlgorithm::EcdsaP256,
            KeyAlgorithm::EcdsaP384,
            KeyAlgorithm::Ed25519,
        ] {
            let key = PrivateKey::generate(alg).unwrap();
            let pem = key.to_pem();
            assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{alg}");
            let back = PrivateKey::from_pem(&pem).unwrap();
            assert_eq!(back.algorithm(), alg);
            assert_eq!(
                back.public_key_der().unwrap(),
                key.public_key_der().unwrap()
            );
        }
    }

    #[test]
    fn unusable_keys_name_their_format() {
        let enc =
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        assert_eq!(
            PrivateKey::from_pem(enc).unwrap_err(),
            KeyError::Encrypted("PKCS#8 ENCRYPTED PRIVATE KEY")
        );
        let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        assert!(matches!(
            PrivateKey::from_pem(legacy),
            Err(KeyError::Encrypted(_))
        ));
        assert_eq!(
            PrivateKey::from_pem("hello").unwrap_err(),
            KeyError::NotPem("no `-----BEGIN PRIVATE KEY-----` block".into())
        );
        let ssh = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
        assert!(
            PrivateKey::from_pem(ssh)
                .unwrap_err()
                .to_string()
                .contains("OpenSSH")
        );
        assert!(
            !format!(
                "{:?}",
                PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap()
            )
            .contains("0x")
        );
    }
}
