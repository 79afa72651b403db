//! Signature checks as Go's `crypto/x509` makes them (`checkSignature`
//! and `getSignatureAlgorithmFromAI` in `x509.go`): the algorithms Go
//! knows, MD5 and (outside CSRs) SHA-1 refused as insecure, RSA-PSS only
//! with the MGF1 hash equal to the message hash and the salt as long as the
//! hash, ECDSA with any of SHA-256/384/512 on P-256, P-384 or P-521.
//! Written by hand because x509-parser's own check knows fewer
//! combinations; the cryptography is aws-lc-rs. Error texts are Go's.

use aws_lc_rs::signature::{self, VerificationAlgorithm};
use x509_parser::prelude::FromDer;
use x509_parser::signature_algorithm::SignatureAlgorithm;
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo};

/// Go's `ErrUnsupportedAlgorithm`.
pub const UNSUPPORTED: &str = "x509: cannot verify signature: algorithm unimplemented";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    None,
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    RsaPss,
    Ecdsa,
    Ed25519,
}

/// Go's `SignatureAlgorithm` for an AlgorithmIdentifier: its name, key
/// type and hash; `None` for `UnknownSignatureAlgorithm`.
fn algorithm(ai: &AlgorithmIdentifier) -> Option<(&'static str, KeyKind, Hash)> {
    let id = ai.algorithm.to_id_string();
    Some(match id.as_str() {
        "1.2.840.113549.1.1.4" => ("MD5-RSA", KeyKind::Rsa, Hash::Md5),
        "1.2.840.113549.1.1.5" => ("SHA1-RSA", KeyKind::Rsa, Hash::Sha1),
        "1.2.840.113549.1.1.11" => ("SHA256-RSA", KeyKind::Rsa, Hash::Sha256),
        "1.2.840.113549.1.1.12" => ("SHA384-RSA", KeyKind::Rsa, Hash::Sha384),
        "1.2.840.113549.1.1.13" => ("SHA512-RSA", KeyKind::Rsa, Hash::Sha512),
        "1.2.840.10045.4.1" => ("ECDSA-SHA1", KeyKind::Ecdsa, Hash::Sha1),
        "1.2.840.10045.4.3.2" => ("ECDSA-SHA256", KeyKind::Ecdsa, Hash::Sha256),
        "1.2.840.10045.4.3.3" => ("ECDSA-SHA384", KeyKind::Ecdsa, Hash::Sha384),
        "1.2.840.10045.4.3.4" => ("ECDSA-SHA512", KeyKind::Ecdsa, Hash::Sha512),
        "1.3.101.112" => ("Ed25519", KeyKind::Ed25519, Hash::None),
        "1.2.840.113549.1.1.10" => {
            let Ok(SignatureAlgorithm::RSASSA_PSS(params)) = SignatureAlgorithm::try_from(ai)
            else {
                return None;
            };
            let hash = params.hash_algorithm_oid().to_id_string();
            let mgf = params.mask_gen_algorithm().ok()?;
            if mgf.mgf.to_id_string() != "1.2.840.113549.1.1.8"
                || mgf.hash.to_id_string() != hash
                || params.trailer_field() != 1
            {
                return None;
            }
            match (hash.as_str(), params.salt_length()) {
                ("2.16.840.1.101.3.4.2.1", 32) => ("SHA256-RSAPSS", KeyKind::RsaPss, Hash::Sha256),
                ("2.16.840.1.101.3.4.2.2", 48) => ("SHA384-RSAPSS", KeyKind::RsaPss, Hash::Sha384),
                ("2.16.840.1.101.3.4.2.3", 64) => ("SHA512-RSAPSS", KeyKind::RsaPss, Hash::Sha512),
                _ => return None,
            }
        }
        _ => return None,
    })
}

/// The public key types Go's parser knows, by SPKI algorithm.
fn key_kind(spki: &SubjectPublicKeyInfo) -> Option<&'static str> {
    match spki.algorithm.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.1" => Some("*rsa.PublicKey"),
        "1.2.840.10045.2.1" => Some("*ecdsa.PublicKey"),
        "1.3.101.112" => Some("ed25519.PublicKey"),
        "1.2.840.10040.4.1" => Some("*dsa.PublicKey"),
        _ => None,
    }
}

/// The named curve of an EC key, as its OID.
pub fn ec_curve(spki: &SubjectPublicKeyInfo) -> Option<String> {
    spki.algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|o| o.to_id_string())
}

/// Curves Go's `crypto/x509` parses: P-224, P-256, P-384, P-521.
pub fn go_supports_curve(oid: &str) -> bool {
    matches!(
        oid,
        "1.3.132.0.33" | "1.2.840.10045.3.1.7" | "1.3.132.0.34" | "1.3.132.0.35"
    )
}

/// Go's `checkSignature(algo, signed, signature, publicKey, allowSHA1)`.
pub fn check(
    ai: &AlgorithmIdentifier,
    signed: &[u8],
    signature_bytes: &[u8],
    public_key: &SubjectPublicKeyInfo,
    allow_sha1: bool,
) -> Result<(), String> {
    let Some((name, kind, hash)) = algorithm(ai) else {
        return Err(UNSUPPORTED.into());
    };
    match hash {
        Hash::Md5 => {
            return Err(format!(
                "x509: cannot verify signature: insecure algorithm {name}"
            ));
        }
        Hash::Sha1 if !allow_sha1 => {
            return Err(format!(
                "x509: cannot verify signature: insecure algorithm {name}"
            ));
        }
        _ => {}
    }
    let have = key_kind(public_key).ok_or_else(|| UNSUPPORTED.to_string())?;
    let wanted = match kind {
        KeyKind::Rsa | KeyKind::RsaPss => ("RSA", "*rsa.PublicKey"),
        KeyKind::Ecdsa => ("ECDSA", "*ecdsa.PublicKey"),
        KeyKind::Ed25519 => ("Ed25519", "ed25519.PublicKey"),
    };
    if have != wanted.1 {
        if have == "*dsa.PublicKey" {
            return Err(UNSUPPORTED.into());
        }
        return Err(format!(
            "x509: signature algorithm specifies an {} public key, but have public key of type {have}",
            wanted.0
        ));
    }
    let key = public_key.subject_public_key.data.as_ref();
    let verify = |alg: &'static dyn VerificationAlgorithm| {
        signature::UnparsedPublicKey::new(alg, key)
            .verify(signed, signature_bytes)
            .is_ok()
    };
    match kind {
        KeyKind::Rsa | KeyKind::RsaPss => {
            let bits = rsa_bits(key).unwrap_or(0);
            // Go's rsa1024min, on by default since Go 1.24.
            if (1..1024).contains(&bits) {
                return Err(format!(
                    "crypto/rsa: {bits}-bit keys are insecure (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)"
                ));
            }
            let alg: Option<&'static dyn VerificationAlgorithm> = match (kind, hash, bits >= 2048) {
                (KeyKind::Rsa, Hash::Sha1, true) => {
                    Some(&signature::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY)
                }
                (KeyKind::Rsa, Hash::Sha1, false) => {
                    Some(&signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY)
                }
                (KeyKind::Rsa, Hash::Sha256, true) => Some(&signature::RSA_PKCS1_2048_8192_SHA256),
                (KeyKind::Rsa, Hash::Sha256, false) => {
                    Some(&signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY)
                }
                (KeyKind::Rsa, Hash::Sha384, _) => Some(&signature::RSA_PKCS1_2048_8192_SHA384),
                (KeyKind::Rsa, Hash::Sha512, true) => Some(&signature::RSA_PKCS1_2048_8192_SHA512),
                (KeyKind::Rsa, Hash::Sha512, false) => {
                    Some(&signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY)
                }
                (KeyKind::RsaPss, Hash::Sha256, _) => Some(&signature::RSA_PSS_2048_8192_SHA256),
                (KeyKind::RsaPss, Hash::Sha384, _) => Some(&signature::RSA_PSS_2048_8192_SHA384),
                (KeyKind::RsaPss, Hash::Sha512, _) => Some(&signature::RSA_PSS_2048_8192_SHA512),
                _ => None,
            };
            let ok = match alg {
                // aws-lc-rs verifies PSS, and PKCS#1 v1.5 with SHA-384,
                // only from 2048 bits; Go from 1024.
                Some(alg) if bits >= 2048 || kind == KeyKind::Rsa && hash != Hash::Sha384 => {
                    verify(alg)
                }
                Some(_) => {
                    small_rsa_verify(key, kind == KeyKind::RsaPss, hash, signed, signature_bytes)
                }
                None => false,
            };
            if ok {
                Ok(())
            } else {
                Err("crypto/rsa: verification error".into())
            }
        }
        KeyKind::Ecdsa => {
            let curve = ec_curve(public_key).unwrap_or_default();
            let alg: Option<&'static dyn VerificationAlgorithm> = match (curve.as_str(), hash) {
                ("1.2.840.10045.3.1.7", Hash::Sha1) => Some(&signature::ECDSA_P256_SHA1_ASN1),
                ("1.2.840.10045.3.1.7", Hash::Sha256) => Some(&signature::ECDSA_P256_SHA256_ASN1),
                ("1.2.840.10045.3.1.7", Hash::Sha384) => Some(&signature::ECDSA_P256_SHA384_ASN1),
                ("1.2.840.10045.3.1.7", Hash::Sha512) => Some(&signature::ECDSA_P256_SHA512_ASN1),
                ("1.3.132.0.34", Hash::Sha256) => Some(&signature::ECDSA_P384_SHA256_ASN1),
                ("1.3.132.0.34", Hash::Sha384) => Some(&signature::ECDSA_P384_SHA384_ASN1),
                ("1.3.132.0.34", Hash::Sha512) => Some(&signature::ECDSA_P384_SHA512_ASN1),
                ("1.3.132.0.35", Hash::Sha1) => Some(&signature::ECDSA_P521_SHA1_ASN1),
                ("1.3.132.0.35", Hash::Sha256) => Some(&signature::ECDSA_P521_SHA256_ASN1),
                ("1.3.132.0.35", Hash::Sha384) => Some(&signature::ECDSA_P521_SHA384_ASN1),
                ("1.3.132.0.35", Hash::Sha512) => Some(&signature::ECDSA_P521_SHA512_ASN1),
                _ => None,
            };
            let ok = match alg {
                Some(alg) => verify(alg),
                None if curve == "1.3.132.0.33" => p224_verify(key, hash, signed, signature_bytes),
                None => false,
            };
            if ok {
                Ok(())
            } else {
                Err("x509: ECDSA verification failure".into())
            }
        }
        KeyKind::Ed25519 => {
            if verify(&signature::ED25519) {
                Ok(())
            } else {
                Err("x509: Ed25519 verification failure".into())
            }
        }
    }
}

/// RSA signatures by 1024- to 2047-bit keys in the schemes aws-lc-rs
/// only verifies from 2048 bits (PSS with the salt as long as the hash, as
/// Go's `PSSSaltLengthEqualsHash`; PKCS#1 v1.5 with SHA-384), through
/// RustCrypto's `rsa`. The caller has refused keys under 1024 bits, as Go
/// does.
fn small_rsa_verify(der: &[u8], pss: bool, hash: Hash, signed: &[u8], sig: &[u8]) -> bool {
    use rsa::pkcs1::DecodeRsaPublicKey;
    use sha2::Digest;
    let Ok(key) = rsa::RsaPublicKey::from_pkcs1_der(der) else {
        return false;
    };
    fn run<D>(key: &rsa::RsaPublicKey, pss: bool, signed: &[u8], sig: &[u8]) -> bool
    where
        D: Digest + sha2::digest::DynDigest + sha2::digest::const_oid::AssociatedOid,
        D: Send + Sync + 'static,
    {
        let digest = D::digest(signed);
        if pss {
            key.verify(rsa::Pss::new::<D>(), &digest, sig).is_ok()
        } else {
            key.verify(rsa::Pkcs1v15Sign::new::<D>(), &digest, sig)
                .is_ok()
        }
    }
    match hash {
        Hash::Sha256 => run::<sha2::Sha256>(&key, pss, signed, sig),
        Hash::Sha384 => run::<sha2::Sha384>(&key, pss, signed, sig),
        Hash::Sha512 => run::<sha2::Sha512>(&key, pss, signed, sig),
        _ => false,
    }
}

/// ECDSA on P-224, which Go's `crypto/x509` verifies and aws-lc-rs does
/// not, through RustCrypto's `p224`; the digest is truncated to the curve
/// as Go truncates it.
fn p224_verify(point: &[u8], hash: Hash, signed: &[u8], sig: &[u8]) -> bool {
    use p224::ecdsa::signature::hazmat::PrehashVerifier;
    use sha2::Digest;
    let (Ok(key), Ok(sig)) = (
        p224::ecdsa::VerifyingKey::from_sec1_bytes(point),
        p224::ecdsa::Signature::from_der(sig),
    ) else {
        return false;
    };
    let digest = match hash {
        Hash::Sha1 => {
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, signed)
                .as_ref()
                .to_vec()
        }
        Hash::Sha256 => sha2::Sha256::digest(signed).to_vec(),
        Hash::Sha384 => sha2::Sha384::digest(signed).to_vec(),
        Hash::Sha512 => sha2::Sha512::digest(signed).to_vec(),
        _ => return false,
    };
    key.verify_prehash(&digest, &sig).is_ok()
}

/// The modulus size of a PKCS#1 RSAPublicKey, in bits.
fn rsa_bits(der: &[u8]) -> Option<usize> {
    let (_, key) = x509_parser::public_key::RSAPublicKey::from_der(der).ok()?;
    let modulus = key.modulus;
    let first = modulus.iter().position(|&b| b != 0)?;
    Some((modulus.len() - first) * 8 - modulus[first].leading_zeros() as usize)
}
