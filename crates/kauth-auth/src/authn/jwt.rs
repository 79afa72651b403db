//! JSON Web Tokens as kube-apiserver reads them: compact JWS, the
//! signature algorithms it accepts, public keys from PEM files (as
//! `--service-account-key-file`) or a JWKS, and signing for tests.

use base64::Engine as _;
use serde_json::Value;

use kauth_pki::key::{KeyAlgorithm, PrivateKey};

/// The algorithms kube-apiserver's ServiceAccount authenticator accepts.
pub const ACCEPTED_ALGORITHMS: &[&str] = &[
    "RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("not a JWT: expected three base64url parts separated by dots")]
    Shape,
    #[error("not a JWT: the {0} is not base64url-encoded JSON")]
    Encoding(&'static str),
    #[error("the token's algorithm `{0}` is not one kube-apiserver accepts")]
    Algorithm(String),
    #[error("cannot read public key {0}: {1}")]
    Key(String, String),
}

/// A decoded token. The raw parts are kept for signature checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Jwt {
    pub header: Value,
    pub claims: Value,
    signing_input: String,
    signature: Vec<u8>,
}

/// Go's `base64.RawURLEncoding`, as go-jose and the ServiceAccount
/// authenticator decode each part: padding is refused, line breaks are
/// skipped and the unused low bits of the last character are not checked.
pub(crate) fn b64(s: &str) -> Result<Vec<u8>, ()> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const RAW_URL: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        GeneralPurposeConfig::new()
            .with_encode_padding(false)
            .with_decode_padding_mode(DecodePaddingMode::RequireNone)
            .with_decode_allow_trailing_bits(true),
    );
    if s.contains(['\r', '\n']) {
        RAW_URL.decode(s.replace(['\r', '\n'], "")).map_err(|_| ())
    } else {
        RAW_URL.decode(s).map_err(|_| ())
    }
}

impl Jwt {
    pub fn parse(token: &str) -> Result<Jwt, JwtError> {
        let token = token.trim();
        let parts: Vec<&str> = token.split('.').collect();
        let [h, c, s] = parts.as_slice() else {
            return Err(JwtError::Shape);
        };
        let json = |part: &str, what: &'static str| -> Result<Value, JwtError> {
            let bytes = b64(part).map_err(|_| JwtError::Encoding(what))?;
            serde_json::from_slice(&bytes).map_err(|_| JwtError::Encoding(what))
        };
        Ok(Jwt {
            header: json(h, "header")?,
            claims: json(c, "payload")?,
            signing_input: format!("{h}.{c}"),
            signature: b64(s).map_err(|_| JwtError::Encoding("signature"))?,
        })
    }

    pub fn algorithm(&self) -> &str {
        self.header.get("alg").and_then(Value::as_str).unwrap_or("")
    }

    pub fn key_id(&self) -> Option<&str> {
        self.header.get("kid").and_then(Value::as_str)
    }

    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// `aud` as a list (a single string is a list of one).
    pub fn audiences(&self) -> Vec<String> {
        match self.claims.get("aud") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn numeric_claim(&self, name: &str) -> Option<i64> {
        match self.claims.get(name)? {
            Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
            _ => None,
        }
    }

    /// Whether one of `keys` verifies the signature.
    pub fn verify(&self, keys: &[PublicKey]) -> Result<bool, JwtError> {
        let alg = self.algorithm();
        if !ACCEPTED_ALGORITHMS.contains(&alg) {
            return Err(JwtError::Algorithm(alg.to_string()));
        }
        Ok(keys
            .iter()
            .any(|k| k.verifies(alg, self.signing_input.as_bytes(), &self.signature)))
    }
}

/// A public key that can check JWT signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// PKCS#1 RSAPublicKey DER.
    Rsa(Vec<u8>),
    /// An uncompressed EC point on the named curve.
    Ec { curve: &'static str, point: Vec<u8> },
}

impl PublicKey {
    fn verifies(&self, alg: &str, message: &[u8], signature: &[u8]) -> bool {
        use aws_lc_rs::signature::{self as sig, UnparsedPublicKey, VerificationAlgorithm};
        let (algorithm, bytes): (&dyn VerificationAlgorithm, &[u8]) = match (self, alg) {
            (PublicKey::Rsa(k), "RS256") => (&sig::RSA_PKCS1_2048_8192_SHA256, k),
            (PublicKey::Rsa(k), "RS384") => (&sig::RSA_PKCS1_2048_8192_SHA384, k),
            (PublicKey::Rsa(k), "RS512") => (&sig::RSA_PKCS1_2048_8192_SHA512, k),
            (PublicKey::Rsa(k), "PS256") => (&sig::RSA_PSS_2048_8192_SHA256, k),
            (PublicKey::Rsa(k), "PS384") => (&sig::RSA_PSS_2048_8192_SHA384, k),
            (PublicKey::Rsa(k), "PS512") => (&sig::RSA_PSS_2048_8192_SHA512, k),
            (
                PublicKey::Ec {
                    curve: "P-256",
                    point,
                },
                "ES256",
            ) => (&sig::ECDSA_P256_SHA256_FIXED, point),
            (
                PublicKey::Ec {
                    curve: "P-384",
                    point,
                },
                "ES384",
            ) => (&sig::ECDSA_P384_SHA384_FIXED, point),
            (
                PublicKey::Ec {
                    curve: "P-521",
                    point,
                },
                "ES512",
            ) => (&sig::ECDSA_P521_SHA512_FIXED, point),
            _ => return false,
        };
        UnparsedPublicKey::new(algorithm, bytes)
            .verify(message, signature)
            .is_ok()
    }

    /// From a SubjectPublicKeyInfo.
    pub fn from_spki(der: &[u8]) -> Result<PublicKey, String> {
        use x509_parser::prelude::FromDer;
        let (_, spki) =
            x509_parser::x509::SubjectPublicKeyInfo::from_der(der).map_err(|e| e.to_string())?;
        let bits = spki.subject_public_key.data.to_vec();
        match spki.algorithm.algorithm.to_id_string().as_str() {
            "1.2.840.113549.1.1.1" => Ok(PublicKey::Rsa(bits)),
            "1.2.840.10045.2.1" => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.as_oid().ok())
                    .map(|o| o.to_id_string());
                let curve = match curve.as_deref() {
                    Some("1.2.840.10045.3.1.7") => "P-256",
                    Some("1.3.132.0.34") => "P-384",
                    Some("1.3.132.0.35") => "P-521",
                    other => return Err(format!("unsupported EC curve {other:?}")),
                };
                Ok(PublicKey::Ec { curve, point: bits })
            }
            other => Err(format!("unsupported key type {other}")),
        }
    }

    /// Every key of a PEM file: `PUBLIC KEY`, `RSA PUBLIC KEY`,
    /// `CERTIFICATE`, or a private key's public half (kube-apiserver
    /// accepts all of these in `--service-account-key-file`).
    pub fn from_pem(text: &[u8], name: &str) -> Result<Vec<PublicKey>, JwtError> {
        let err = |m: String| JwtError::Key(name.to_string(), m);
        let blocks = pem::parse_many(text).map_err(|e| err(e.to_string()))?;
        let mut keys = Vec::new();
        for b in &blocks {
            match b.tag() {
                "PUBLIC KEY" => keys.push(PublicKey::from_spki(b.contents()).map_err(err)?),
                "RSA PUBLIC KEY" => keys.push(PublicKey::Rsa(b.contents().to_vec())),
                "CERTIFICATE" => {
                    let (_, c) = x509_parser::parse_x509_certificate(b.contents())
                        .map_err(|e| err(e.to_string()))?;
                    keys.push(PublicKey::from_spki(c.public_key().raw).map_err(err)?);
                }
                tag if tag.ends_with("PRIVATE KEY") => {
                    let key =
                        PrivateKey::from_pem(&pem::encode(b)).map_err(|e| err(e.to_string()))?;
                    let spki = key.public_key_der().map_err(|e| err(e.to_string()))?;
                    keys.push(PublicKey::from_spki(&spki).map_err(err)?);
                }
                _ => {}
            }
        }
        if keys.is_empty() {
            return Err(err("no public key, certificate or private key in it".into()));
        }
        Ok(keys)
    }

    /// The keys of a JWKS document (`{"keys": [...]}`), as served at the
    /// issuer's `/openid/v1/jwks`.
    pub fn from_jwks(text: &[u8], name: &str) -> Result<Vec<PublicKey>, JwtError> {
        let err = |m: &str| JwtError::Key(name.to_string(), m.to_string());
        let doc: Value = serde_json::from_slice(text).map_err(|_| err("not JSON"))?;
        let list = doc
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| err("no `keys` array"))?;
        let field = |k: &Value, f: &str| -> Result<Vec<u8>, JwtError> {
            let s = k
                .get(f)
                .and_then(Value::as_str)
                .ok_or_else(|| err(&format!("a key lacks `{f}`")))?;
            b64(s).map_err(|_| err(&format!("`{f}` is not base64url")))
        };
        let mut keys = Vec::new();
        for k in list {
            match k.get("kty").and_then(Value::as_str) {
                Some("RSA") => {
                    let (n, e) = (field(k, "n")?, field(k, "e")?);
                    let der = yasna::construct_der(|w| {
                        w.write_sequence(|w| {
                            w.next().write_bigint_bytes(&n, true);
                            w.next().write_bigint_bytes(&e, true);
                        })
                    });
                    keys.push(PublicKey::Rsa(der));
                }
                Some("EC") => {
                    let curve = match k.get("crv").and_then(Value::as_str) {
                        Some("P-256") => "P-256",
                        Some("P-384") => "P-384",
                        Some("P-521") => "P-521",
                        _ => return Err(err("unsupported `crv`")),
                    };
                    let mut point = vec![4u8];
                    point.extend(field(k, "x")?);
                    point.extend(field(k, "y")?);
                    keys.push(PublicKey::Ec { curve, point });
                }
                _ => {}
            }
        }
        Ok(keys)
    }
}

/// Signs `claims` as a compact JWS with `key` (RS256 for RSA keys, ES256
/// or ES384 for EC keys), with `kid` when given. For tests and labs.
pub fn sign(key: &PrivateKey, kid: Option<&str>, claims: &Value) -> Result<String, String> {
    let alg = match key.algorithm() {
        KeyAlgorithm::Rsa { .. } => "RS256",
        KeyAlgorithm::EcdsaP256 => "ES256",
        KeyAlgorithm::EcdsaP384 => "ES384",
        KeyAlgorithm::EcdsaP521 => "ES512",
        KeyAlgorithm::Ed25519 => {
            return Err("Ed25519 keys cannot sign ServiceAccount tokens".into());
        }
    };
    let mut header = serde_json::json!({"alg": alg});
    if let Some(kid) = kid {
        header["kid"] = Value::String(kid.to_string());
    }
    let enc = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let input = format!("{}.{}", enc(&header), enc(claims));
    let signature = key
        .sign_fixed(input.as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "{input}.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signature)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn signs_and_verifies_with_rsa_and_ec_keys() {
        for alg in [
            KeyAlgorithm::Rsa { bits: 2048 },
            KeyAlgorithm::EcdsaP256,
            KeyAlgorithm::EcdsaP384,
        ] {
            let key = PrivateKey::generate(alg).unwrap();
            let token = sign(&key, Some("k1"), &json!({"sub": "x", "aud": ["a", "b"]})).unwrap();
            let jwt = Jwt::parse(&token).unwrap();
            assert_eq!(jwt.key_id(), Some("k1"));
            assert_eq!(jwt.audiences(), ["a", "b"]);
            let public = PublicKey::from_pem(key.to_pem().as_bytes(), "k").unwrap();
            assert_eq!(jwt.verify(&public), Ok(true), "{alg}");
            let other = PrivateKey::generate(alg).unwrap();
            let wrong = PublicKey::from_pem(other.to_pem().as_bytes(), "o").unwrap();
            assert_eq!(jwt.verify(&wrong), Ok(false));
            let mut tampered = token.clone();
            tampered.insert(tampered.find('.').unwrap() + 2, 'A');
            assert!(
                Jwt::parse(&tampered).is_err()
                    || Jwt::parse(&tampered).unwrap().verify(&public) == Ok(false)
            );
        }
        assert_eq!(Jwt::parse("a.b").unwrap_err(), JwtError::Shape);
        // A part with `=` padding is refused, as Go's RawURLEncoding refuses it.
        let padded = format!(
            "{}.{}.",
            base64::engine::general_purpose::URL_SAFE.encode(r#"{"alg":"RS256" }"#),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("{}")
        );
        assert!(padded.split('.').next().unwrap().ends_with('='));
        assert_eq!(
            Jwt::parse(&padded).unwrap_err(),
            JwtError::Encoding("header")
        );
        assert!(Jwt::parse(&padded.replace('=', "")).is_ok());
        let none = format!(
            "{}.{}.",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode("{}")
        );
        assert_eq!(
            Jwt::parse(&none).unwrap().verify(&[]),
            Err(JwtError::Algorithm("none".into()))
        );
    }
}
