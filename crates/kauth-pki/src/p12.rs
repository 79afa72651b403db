//! PKCS#12 (RFC 7292) bundles: writing them in the forms browsers, OS
//! keychains and Java import, and reading any of them back to say what is
//! inside and who will refuse it.
//!
//! Profiles:
//! - `compat`: PBE-SHA1-3DES for the key and the certificates, SHA-1 MAC:
//!   imports on macOS Keychain, Windows (Server 2016 too), Firefox, Chrome,
//!   Java.
//! - `modern`: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC), HMAC-SHA256 MAC:
//!   what OpenSSL 3 writes by default.
//! - `legacy`: RC2-40 for the certificates, 3DES for the key, SHA-1 MAC: for
//!   very old systems; OpenSSL 3 reads it only with `-legacy`.

use aws_lc_rs::{digest, hmac, pbkdf2};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use yasna::models::ObjectIdentifier;
use yasna::{ASN1Error, BERReader, DERWriter, Tag};
use zeroize::Zeroizing;

use super::key::PrivateKey;

const OID_DATA: &[u64] = &[1, 2, 840, 113549, 1, 7, 1];
const OID_ENCRYPTED_DATA: &[u64] = &[1, 2, 840, 113549, 1, 7, 6];
const OID_KEY_BAG: &[u64] = &[1, 2, 840, 113549, 1, 12, 10, 1, 1];
const OID_SHROUDED_KEY_BAG: &[u64] = &[1, 2, 840, 113549, 1, 12, 10, 1, 2];
const OID_CERT_BAG: &[u64] = &[1, 2, 840, 113549, 1, 12, 10, 1, 3];
const OID_X509_CERT: &[u64] = &[1, 2, 840, 113549, 1, 9, 22, 1];
const OID_FRIENDLY_NAME: &[u64] = &[1, 2, 840, 113549, 1, 9, 20];
const OID_LOCAL_KEY_ID: &[u64] = &[1, 2, 840, 113549, 1, 9, 21];
const OID_PBE_SHA1_3DES: &[u64] = &[1, 2, 840, 113549, 1, 12, 1, 3];
const OID_PBE_SHA1_RC2_128: &[u64] = &[1, 2, 840, 113549, 1, 12, 1, 5];
const OID_PBE_SHA1_RC2_40: &[u64] = &[1, 2, 840, 113549, 1, 12, 1, 6];
const OID_PBES2: &[u64] = &[1, 2, 840, 113549, 1, 5, 13];
const OID_PBKDF2: &[u64] = &[1, 2, 840, 113549, 1, 5, 12];
const OID_HMAC_SHA1: &[u64] = &[1, 2, 840, 113549, 2, 7];
const OID_HMAC_SHA256: &[u64] = &[1, 2, 840, 113549, 2, 9];
const OID_HMAC_SHA384: &[u64] = &[1, 2, 840, 113549, 2, 10];
const OID_HMAC_SHA512: &[u64] = &[1, 2, 840, 113549, 2, 11];
const OID_AES128_CBC: &[u64] = &[2, 16, 840, 1, 101, 3, 4, 1, 2];
const OID_AES192_CBC: &[u64] = &[2, 16, 840, 1, 101, 3, 4, 1, 22];
const OID_AES256_CBC: &[u64] = &[2, 16, 840, 1, 101, 3, 4, 1, 42];
const OID_DES_EDE3_CBC: &[u64] = &[1, 2, 840, 113549, 3, 7];
const OID_SHA1: &[u64] = &[1, 3, 14, 3, 2, 26];
const OID_SHA256: &[u64] = &[2, 16, 840, 1, 101, 3, 4, 2, 1];
const OID_SHA384: &[u64] = &[2, 16, 840, 1, 101, 3, 4, 2, 2];
const OID_SHA512: &[u64] = &[2, 16, 840, 1, 101, 3, 4, 2, 3];

/// kauth's iteration count, as OpenSSL's default.
pub const ITERATIONS: u32 = 2048;

/// How a bundle's bags are encrypted and its MAC computed: the profiles
/// above, which `p12 export --profile` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    Compat,
    Modern,
    Legacy,
}

impl std::str::FromStr for Encryption {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "compat" => Ok(Encryption::Compat),
            "modern" => Ok(Encryption::Modern),
            "legacy" => Ok(Encryption::Legacy),
            other => Err(format!(
                "unknown profile `{other}` (compat, modern or legacy)"
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum P12Error {
    #[error("not a PKCS#12 file: {0}")]
    Malformed(String),
    #[error("wrong password: the MAC does not verify")]
    WrongPassword,
    #[error("unsupported {0}")]
    Unsupported(String),
    #[error(
        "the bundle asks for {0} key-derivation iterations; kauth stops at {MAX_ITERATIONS} (each costs a hash, so a hostile bundle could keep it busy for hours)"
    )]
    Iterations(u32),
}

fn malformed(e: impl Why) -> P12Error {
    P12Error::Malformed(e.why())
}

/// Why a structure could not be read, in words (the ASN.1 reader's own
/// text is its debug form).
trait Why {
    fn why(&self) -> String;
}

impl Why for cbc::cipher::InvalidLength {
    fn why(&self) -> String {
        "a key or IV of the wrong length for its cipher".to_string()
    }
}

impl Why for yasna::ASN1Error {
    fn why(&self) -> String {
        use yasna::ASN1ErrorKind as K;
        match self.kind() {
            K::Eof => "the data ends early (a truncated file?)",
            K::Extra => "unexpected bytes after the end of a structure",
            K::IntegerOverflow => "a number is too large",
            K::StackOverflow => "structures nested too deeply",
            K::Invalid => "not valid DER or BER",
        }
        .to_string()
    }
}

/// The most key-derivation iterations kauth runs for a bundle it reads:
/// far above any tool's default (OpenSSL 2,048, Java 10,000; OWASP's advice
/// for PBKDF2-SHA-256 600,000), a few seconds of work.
pub const MAX_ITERATIONS: u32 = 10_000_000;

/// An iteration count read from a bundle, refused above the limit.
fn bounded(iterations: u32) -> Result<u32, P12Error> {
    if iterations > MAX_ITERATIONS {
        return Err(P12Error::Iterations(iterations));
    }
    Ok(iterations)
}

fn oid(parts: &[u64]) -> ObjectIdentifier {
    ObjectIdentifier::from_slice(parts)
}

/// The hashes PKCS#12 uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest(self) -> &'static digest::Algorithm {
        match self {
            Hash::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha256 => &digest::SHA256,
            Hash::Sha384 => &digest::SHA384,
            Hash::Sha512 => &digest::SHA512,
        }
    }

    fn hmac(self) -> hmac::Algorithm {
        match self {
            Hash::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha256 => hmac::HMAC_SHA256,
            Hash::Sha384 => hmac::HMAC_SHA384,
            Hash::Sha512 => hmac::HMAC_SHA512,
        }
    }

    fn pbkdf2(self) -> pbkdf2::Algorithm {
        match self {
            Hash::Sha1 => pbkdf2::PBKDF2_HMAC_SHA1,
            Hash::Sha256 => pbkdf2::PBKDF2_HMAC_SHA256,
            Hash::Sha384 => pbkdf2::PBKDF2_HMAC_SHA384,
            Hash::Sha512 => pbkdf2::PBKDF2_HMAC_SHA512,
        }
    }

    fn oid(self) -> &'static [u64] {
        match self {
            Hash::Sha1 => OID_SHA1,
            Hash::Sha256 => OID_SHA256,
            Hash::Sha384 => OID_SHA384,
            Hash::Sha512 => OID_SHA512,
        }
    }

    fn from_oid(o: &[u64]) -> Option<Hash> {
        [Hash::Sha1, Hash::Sha256, Hash::Sha384, Hash::Sha512]
            .into_iter()
            .find(|h| h.oid() == o)
    }

    fn from_hmac_oid(o: &[u64]) -> Option<Hash> {
        match o {
            o if o == OID_HMAC_SHA1 => Some(Hash::Sha1),
            o if o == OID_HMAC_SHA256 => Some(Hash::Sha256),
            o if o == OID_HMAC_SHA384 => Some(Hash::Sha384),
            o if o == OID_HMAC_SHA512 => Some(Hash::Sha512),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Hash::Sha1 => "SHA-1",
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }
}

/// A password as PKCS#12's KDF takes it: BMPString (UTF-16BE) with a
/// terminating NUL.
fn bmp_password(password: &str) -> Zeroizing<Vec<u8>> {
    let mut out = Vec::with_capacity(password.len() * 2 + 2);
    for unit in password.encode_utf16() {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out.extend_from_slice(&[0, 0]);
    Zeroizing::new(out)
}

/// RFC 7292 appendix B.2: the PKCS#12 key derivation, through RustCrypto's
/// `pkcs12`. `id` is 1 for keys, 2 for IVs, 3 for MAC keys. The password
/// is encoded here (UTF-16 with surrogate pairs, as openssl encodes it;
/// the crate's own encoder refuses characters outside the BMP).
pub fn pkcs12_kdf(
    hash: Hash,
    password: &str,
    salt: &[u8],
    iterations: u32,
    id: u8,
    len: usize,
) -> Zeroizing<Vec<u8>> {
    use pkcs12::kdf::{Pkcs12KeyType, derive_key};
    let pass = bmp_password(password);
    let id = match id {
        1 => Pkcs12KeyType::EncryptionKey,
        2 => Pkcs12KeyType::Iv,
        _ => Pkcs12KeyType::Mac,
    };
    // Counts above i32::MAX are refused before (MAX_ITERATIONS).
    let rounds = i32::try_from(iterations).unwrap_or(i32::MAX);
    Zeroizing::new(match hash {
        Hash::Sha1 => derive_key::<sha1::Sha1>(&pass, salt, id, rounds, len),
        Hash::Sha256 => derive_key::<sha2::Sha256>(&pass, salt, id, rounds, len),
        Hash::Sha384 => derive_key::<sha2::Sha384>(&pass, salt, id, rounds, len),
        Hash::Sha512 => derive_key::<sha2::Sha512>(&pass, salt, id, rounds, len),
    })
}

/// An encryption scheme found in or written to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    PbeSha13Des {
        iterations: u32,
    },
    PbeSha1Rc2 {
        bits: usize,
        iterations: u32,
    },
    Pbes2 {
        prf: Hash,
        iterations: u32,
        cipher: &'static str,
    },
    None,
}

impl Scheme {
    pub fn describe(&self) -> String {
        match self {
            Scheme::PbeSha13Des { iterations } => format!("PBE-SHA1-3DES, {iterations} iterations"),
            Scheme::PbeSha1Rc2 { bits, iterations } => {
                format!("PBE-SHA1-RC2-{bits}, {iterations} iterations")
            }
            Scheme::Pbes2 {
                prf,
                iterations,
                cipher,
            } => {
                format!(
                    "PBES2 (PBKDF2-HMAC-{}, {cipher}), {iterations} iterations",
                    prf.name().replace('-', "")
                )
            }
            Scheme::None => "not encrypted".into(),
        }
    }
}

fn write_pbe_params(w: DERWriter, scheme_oid: &[u64], salt: &[u8], iterations: u32) {
    w.write_sequence(|w| {
        w.next().write_oid(&oid(scheme_oid));
        w.next().write_sequence(|w| {
            w.next().write_bytes(salt);
            w.next().write_u32(iterations);
        });
    });
}

fn random(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    let _ = aws_lc_rs::rand::fill(&mut b);
    b
}

/// Encrypts `data`, returning the AlgorithmIdentifier DER and ciphertext.
fn encrypt(scheme: &Scheme, password: &str, data: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let salt = random(8);
    match scheme {
        Scheme::PbeSha13Des { iterations } => {
            let key = pkcs12_kdf(Hash::Sha1, password, &salt, *iterations, 1, 24);
            let iv = pkcs12_kdf(Hash::Sha1, password, &salt, *iterations, 2, 8);
            let ct = cbc::Encryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
                .expect("3DES key and IV sizes")
                .encrypt_padded_vec_mut::<Pkcs7>(data);
            (
                yasna::construct_der(|w| {
                    write_pbe_params(w, OID_PBE_SHA1_3DES, &salt, *iterations)
                }),
                ct,
            )
        }
        Scheme::PbeSha1Rc2 { bits, iterations } => {
            let key = pkcs12_kdf(Hash::Sha1, password, &salt, *iterations, 1, bits / 8);
            let iv = pkcs12_kdf(Hash::Sha1, password, &salt, *iterations, 2, 8);
            let rc2 = rc2::Rc2::new_with_eff_key_len(&key, *bits);
            let ct = <cbc::Encryptor<rc2::Rc2> as cbc::cipher::InnerIvInit>::inner_iv_slice_init(
                rc2, &iv,
            )
            .expect("RC2 IV size")
            .encrypt_padded_vec_mut::<Pkcs7>(data);
            let scheme_oid = if *bits == 40 {
                OID_PBE_SHA1_RC2_40
            } else {
                OID_PBE_SHA1_RC2_128
            };
            (
                yasna::construct_der(|w| write_pbe_params(w, scheme_oid, &salt, *iterations)),
                ct,
            )
        }
        Scheme::Pbes2 {
            prf, iterations, ..
        } => {
            let salt = random(16);
            let iv = random(16);
            let mut key = Zeroizing::new([0u8; 32]);
            pbkdf2::derive(
                prf.pbkdf2(),
                std::num::NonZeroU32::new(*iterations).expect("iterations > 0"),
                &salt,
                password.as_bytes(),
                key.as_mut(),
            );
            let ct = cbc::Encryptor::<aes::Aes256>::new_from_slices(key.as_ref(), &iv)
                .expect("AES-256 key and IV sizes")
                .encrypt_padded_vec_mut::<Pkcs7>(data);
            let alg = yasna::construct_der(|w| {
                w.write_sequence(|w| {
                    w.next().write_oid(&oid(OID_PBES2));
                    w.next().write_sequence(|w| {
                        w.next().write_sequence(|w| {
                            w.next().write_oid(&oid(OID_PBKDF2));
                            w.next().write_sequence(|w| {
                                w.next().write_bytes(&salt);
                                w.next().write_u32(*iterations);
                                w.next().write_sequence(|w| {
                                    w.next().write_oid(&oid(OID_HMAC_SHA256));
                                    w.next().write_null();
                                });
                            });
                        });
                        w.next().write_sequence(|w| {
                            w.next().write_oid(&oid(OID_AES256_CBC));
                            w.next().write_bytes(&iv);
                        });
                    });
                })
            });
            (alg, ct)
        }
        Scheme::None => (Vec::new(), data.to_vec()),
    }
}

/// What a bundle holds, in the order the bags come.
pub struct Contents {
    pub certificates: Vec<Vec<u8>>,
    pub key: Option<PrivateKey>,
    pub friendly_name: Option<String>,
}

/// Writes a bundle. The first certificate is the key's; the rest (CA
/// certificates) follow without a local key ID.
pub fn export(
    profile: Encryption,
    password: &str,
    key: &PrivateKey,
    certificates: &[Vec<u8>],
    friendly_name: Option<&str>,
) -> Vec<u8> {
    let (cert_scheme, key_scheme, mac_hash) = match profile {
        Encryption::Compat => (
            Scheme::PbeSha13Des {
                iterations: ITERATIONS,
            },
            Scheme::PbeSha13Des {
                iterations: ITERATIONS,
            },
            Hash::Sha1,
        ),
        Encryption::Modern => {
            let s = Scheme::Pbes2 {
                prf: Hash::Sha256,
                iterations: ITERATIONS,
                cipher: "AES-256-CBC",
            };
            (s.clone(), s, Hash::Sha256)
        }
        Encryption::Legacy => (
            Scheme::PbeSha1Rc2 {
                bits: 40,
                iterations: ITERATIONS,
            },
            Scheme::PbeSha13Des {
                iterations: ITERATIONS,
            },
            Hash::Sha1,
        ),
    };
    let local_key_id = digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, &certificates[0])
        .as_ref()
        .to_vec();
    let attributes = |w: DERWriter, with_id: bool| {
        w.write_set(|w| {
            if let Some(name) = friendly_name {
                w.next().write_sequence(|w| {
                    w.next().write_oid(&oid(OID_FRIENDLY_NAME));
                    w.next().write_set(|w| w.next().write_bmp_string(name));
                });
            }
            if with_id {
                w.next().write_sequence(|w| {
                    w.next().write_oid(&oid(OID_LOCAL_KEY_ID));
                    w.next().write_set(|w| w.next().write_bytes(&local_key_id));
                });
            }
        })
    };
    let cert_safe = yasna::construct_der(|w| {
        w.write_sequence(|w| {
            for (i, der) in certificates.iter().enumerate() {
                w.next().write_sequence(|w| {
                    w.next().write_oid(&oid(OID_CERT_BAG));
                    w.next().write_tagged(Tag::context(0), |w| {
                        w.write_sequence(|w| {
                            w.next().write_oid(&oid(OID_X509_CERT));
                            w.next()
                                .write_tagged(Tag::context(0), |w| w.write_bytes(der));
                        })
                    });
                    if i == 0 {
                        attributes(w.next(), true);
                    }
                });
            }
        })
    });
    let pkcs8 = key.pkcs8_der();
    let (key_alg, key_ct) = encrypt(&key_scheme, password, pkcs8);
    let key_safe = yasna::construct_der(|w| {
        w.write_sequence(|w| {
            w.next().write_sequence(|w| {
                w.next().write_oid(&oid(OID_SHROUDED_KEY_BAG));
                w.next().write_tagged(Tag::context(0), |w| {
                    w.write_sequence(|w| {
                        w.next().write_der(&key_alg);
                        w.next().write_bytes(&key_ct);
                    })
                });
                attributes(w.next(), true);
            });
        })
    });
    let (cert_alg, cert_ct) = encrypt(&cert_scheme, password, &cert_safe);
    let auth_safe = yasna::construct_der(|w| {
        w.write_sequence(|w| {
            // The certificates, encrypted.
            w.next().write_sequence(|w| {
                w.next().write_oid(&oid(OID_ENCRYPTED_DATA));
                w.next().write_tagged(Tag::context(0), |w| {
                    w.write_sequence(|w| {
                        w.next().write_u8(0);
                        w.next().write_sequence(|w| {
                            w.next().write_oid(&oid(OID_DATA));
                            w.next().write_der(&cert_alg);
                            w.next().write_tagged_implicit(Tag::context(0), |w| {
                                w.write_bytes(&cert_ct)
                            });
                        });
                    })
                });
            });
            // The key, in a plain data safe (the bag itself is encrypted).
            w.next().write_sequence(|w| {
                w.next().write_oid(&oid(OID_DATA));
                w.next()
                    .write_tagged(Tag::context(0), |w| w.write_bytes(&key_safe));
            });
        })
    });
    let mac_salt = random(if mac_hash == Hash::Sha1 { 8 } else { 16 });
    let mac_key = pkcs12_kdf(
        mac_hash,
        password,
        &mac_salt,
        ITERATIONS,
        3,
        mac_hash.digest().output_len(),
    );
    let tag = hmac::sign(&hmac::Key::new(mac_hash.hmac(), &mac_key), &auth_safe);
    yasna::construct_der(|w| {
        w.write_sequence(|w| {
            w.next().write_u8(3);
            w.next().write_sequence(|w| {
                w.next().write_oid(&oid(OID_DATA));
                w.next()
                    .write_tagged(Tag::context(0), |w| w.write_bytes(&auth_safe));
            });
            w.next().write_sequence(|w| {
                w.next().write_sequence(|w| {
                    w.next().write_sequence(|w| {
                        w.next().write_oid(&oid(mac_hash.oid()));
                        w.next().write_null();
                    });
                    w.next().write_bytes(tag.as_ref());
                });
                w.next().write_bytes(&mac_salt);
                w.next().write_u32(ITERATIONS);
            });
        })
    })
}

/// What [`inspect`] finds in a bundle: its MAC, the schemes its bags are
/// encrypted with, the certificates, key and friendly names (what
/// `p12 inspect` reports).
#[derive(Debug)]
pub struct Inspection {
    pub mac: Option<(Hash, u32)>,
    pub certificate_schemes: Vec<Scheme>,
    pub key_schemes: Vec<Scheme>,
    pub certificates: Vec<Vec<u8>>,
    pub key: Option<PrivateKey>,
    pub friendly_names: Vec<String>,
}

impl Inspection {
    /// Who will refuse this bundle, and why.
    pub fn refused_by(&self, password_empty: bool) -> Vec<String> {
        let mut out = Vec::new();
        let all: Vec<&Scheme> = self
            .certificate_schemes
            .iter()
            .chain(&self.key_schemes)
            .collect();
        let pbes2 = all.iter().any(|s| matches!(s, Scheme::Pbes2 { .. }));
        let rc2 = all.iter().any(|s| matches!(s, Scheme::PbeSha1Rc2 { .. }));
        let sha2_mac = self.mac.is_some_and(|(h, _)| h != Hash::Sha1);
        if pbes2 || sha2_mac {
            out.push(
                "macOS Keychain before macOS 14 (PBES2/AES or a SHA-2 MAC: \"wrong password\")"
                    .into(),
            );
            out.push("Windows Server 2016 and Windows 10 before 1709 (AES: \"The password you entered is incorrect\")".into());
        }
        if rc2 {
            out.push("OpenSSL 3 without -legacy (RC2 is in the legacy provider)".into());
        }
        if password_empty {
            out.push("macOS Keychain (it refuses empty passwords)".into());
        }
        out
    }
}

/// A reader that keeps the (possibly BER) bytes of the parts it needs.
fn read_alg(r: BERReader) -> Result<(Vec<u64>, Vec<u8>), ASN1Error> {
    let der = r.read_der()?;
    let (o, params) = yasna::parse_der(&der, |r| {
        r.read_sequence(|r| {
            let o = r.next().read_oid()?;
            let params = r.read_optional(|r| r.read_der())?.unwrap_or_default();
            Ok((o, params))
        })
    })?;
    Ok((o.components().to_vec(), params))
}

fn decrypt(
    alg_oid: &[u64],
    params: &[u8],
    password: &str,
    data: &[u8],
) -> Result<(Scheme, Zeroizing<Vec<u8>>), P12Error> {
    let pbe = |params: &[u8]| -> Result<(Vec<u8>, u32), P12Error> {
        yasna::parse_ber(params, |r| {
            r.read_sequence(|r| Ok((r.next().read_bytes()?, r.next().read_u32()?)))
        })
        .map_err(malformed)
    };
    let wrong = |_| P12Error::WrongPassword;
    match alg_oid {
        o if o == OID_PBE_SHA1_3DES => {
            let (salt, iterations) = pbe(params)?;
            let iterations = bounded(iterations)?;
            let key = pkcs12_kdf(Hash::Sha1, password, &salt, iterations, 1, 24);
            let iv = pkcs12_kdf(Hash::Sha1, password, &salt, iterations, 2, 8);
            let pt = cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
                .map_err(malformed)?
                .decrypt_padded_vec_mut::<Pkcs7>(data)
                .map_err(wrong)?;
            Ok((Scheme::PbeSha13Des { iterations }, Zeroizing::new(pt)))
        }
        o if o == OID_PBE_SHA1_RC2_40 || o == OID_PBE_SHA1_RC2_128 => {
            let bits = if o == OID_PBE_SHA1_RC2_40 { 40 } else { 128 };
            let (salt, iterations) = pbe(params)?;
            let iterations = bounded(iterations)?;
            let key = pkcs12_kdf(Hash::Sha1, password, &salt, iterations, 1, bits / 8);
            let iv = pkcs12_kdf(Hash::Sha1, password, &salt, iterations, 2, 8);
            let rc2 = rc2::Rc2::new_with_eff_key_len(&key, bits);
            let pt = <cbc::Decryptor<rc2::Rc2> as cbc::cipher::InnerIvInit>::inner_iv_slice_init(
                rc2, &iv,
            )
            .map_err(malformed)?
            .decrypt_padded_vec_mut::<Pkcs7>(data)
            .map_err(wrong)?;
            Ok((Scheme::PbeSha1Rc2 { bits, iterations }, Zeroizing::new(pt)))
        }
        o if o == OID_PBES2 => {
            let (kdf, cipher) = yasna::parse_ber(params, |r| {
                r.read_sequence(|r| {
                    let kdf = read_alg(r.next())?;
                    let cipher = read_alg(r.next())?;
                    Ok((kdf, cipher))
                })
            })
            .map_err(malformed)?;
            if kdf.0 != OID_PBKDF2 {
                return Err(P12Error::Unsupported(
                    "PBES2 key derivation (not PBKDF2)".into(),
                ));
            }
            let (salt, iterations, prf) = yasna::parse_ber(&kdf.1, |r| {
                r.read_sequence(|r| {
                    let salt = r.next().read_bytes()?;
                    let iterations = r.next().read_u32()?;
                    let _key_len = r.read_optional(|r| r.read_u32())?;
                    let prf = r.read_optional(read_alg)?;
                    Ok((salt, iterations, prf))
                })
            })
            .map_err(malformed)?;
            let iterations = bounded(iterations)?;
            let prf = match prf {
                None => Hash::Sha1,
                Some((o, _)) => Hash::from_hmac_oid(&o)
                    .ok_or_else(|| P12Error::Unsupported("PBKDF2 PRF".into()))?,
            };
            let iv = yasna::parse_ber(&cipher.1, |r| r.read_bytes()).map_err(malformed)?;
            let (key_len, name) = match cipher.0.as_slice() {
                o if o == OID_AES128_CBC => (16, "AES-128-CBC"),
                o if o == OID_AES192_CBC => (24, "AES-192-CBC"),
                o if o == OID_AES256_CBC => (32, "AES-256-CBC"),
                o if o == OID_DES_EDE3_CBC => (24, "3DES-CBC"),
                _ => return Err(P12Error::Unsupported("PBES2 cipher".into())),
            };
            let mut key = Zeroizing::new(vec![0u8; key_len]);
            pbkdf2::derive(
                prf.pbkdf2(),
                std::num::NonZeroU32::new(iterations.max(1)).expect("at least 1"),
                &salt,
                password.as_bytes(),
                &mut key,
            );
            let pt = match key_len {
                16 if name.starts_with("AES") => {
                    cbc::Decryptor::<aes::Aes128>::new_from_slices(&key, &iv)
                        .map_err(malformed)?
                        .decrypt_padded_vec_mut::<Pkcs7>(data)
                }
                24 if name.starts_with("AES") => {
                    cbc::Decryptor::<aes::Aes192>::new_from_slices(&key, &iv)
                        .map_err(malformed)?
                        .decrypt_padded_vec_mut::<Pkcs7>(data)
                }
                32 => cbc::Decryptor::<aes::Aes256>::new_from_slices(&key, &iv)
                    .map_err(malformed)?
                    .decrypt_padded_vec_mut::<Pkcs7>(data),
                _ => cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
                    .map_err(malformed)?
                    .decrypt_padded_vec_mut::<Pkcs7>(data),
            }
            .map_err(wrong)?;
            Ok((
                Scheme::Pbes2 {
                    prf,
                    iterations,
                    cipher: name,
                },
                Zeroizing::new(pt),
            ))
        }
        other => Err(P12Error::Unsupported(format!(
            "encryption {}",
            other
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(".")
        ))),
    }
}

/// Reads a bundle with `password`: the MAC first (a wrong password is
/// named as such), then every bag.
pub fn inspect(der: &[u8], password: &str) -> Result<Inspection, P12Error> {
    let (auth_safe, mac) = yasna::parse_ber(der, |r| {
        r.read_sequence(|r| {
            let version = r.next().read_u32()?;
            if version != 3 {
                return Err(ASN1Error::new(yasna::ASN1ErrorKind::Invalid));
            }
            let auth_safe = r.next().read_sequence(|r| {
                let o = r.next().read_oid()?;
                if o.components().as_slice() != OID_DATA {
                    return Err(ASN1Error::new(yasna::ASN1ErrorKind::Invalid));
                }
                r.next().read_tagged(Tag::context(0), |r| r.read_bytes())
            })?;
            let mac = r.read_optional(|r| {
                r.read_sequence(|r| {
                    let (alg, digest) = r.next().read_sequence(|r| {
                        let (o, _) = read_alg(r.next())?;
                        Ok((o, r.next().read_bytes()?))
                    })?;
                    let salt = r.next().read_bytes()?;
                    let iterations = r.read_default(1u32, |r| r.read_u32())?;
                    Ok((alg, digest, salt, iterations))
                })
            })?;
            Ok((auth_safe, mac))
        })
    })
    .map_err(malformed)?;
    let mut report = Inspection {
        mac: None,
        certificate_schemes: Vec::new(),
        key_schemes: Vec::new(),
        certificates: Vec::new(),
        key: None,
        friendly_names: Vec::new(),
    };
    if let Some((alg, expected, salt, iterations)) = mac {
        let iterations = bounded(iterations)?;
        let hash = Hash::from_oid(&alg.to_vec())
            .ok_or_else(|| P12Error::Unsupported("MAC digest".into()))?;
        let key = pkcs12_kdf(
            hash,
            password,
            &salt,
            iterations,
            3,
            hash.digest().output_len(),
        );
        hmac::verify(&hmac::Key::new(hash.hmac(), &key), &auth_safe, &expected)
            .map_err(|_| P12Error::WrongPassword)?;
        report.mac = Some((hash, iterations));
    }
    // AuthenticatedSafe: a sequence of ContentInfo.
    let infos: Vec<(Vec<u64>, Vec<u8>)> = yasna::parse_ber(&auth_safe, |r| {
        r.collect_sequence_of(|r| {
            r.read_sequence(|r| {
                let o = r.next().read_oid()?;
                let body = r.next().read_tagged(Tag::context(0), |r| r.read_der())?;
                Ok((o.components().to_vec(), body))
            })
        })
    })
    .map_err(malformed)?;
    for (content_type, body) in infos {
        let (safe, scheme) = if content_type == OID_DATA {
            (
                yasna::parse_ber(&body, |r| r.read_bytes()).map_err(malformed)?,
                Scheme::None,
            )
        } else if content_type == OID_ENCRYPTED_DATA {
            let (alg, params, ct) = yasna::parse_ber(&body, |r| {
                r.read_sequence(|r| {
                    r.next().read_u32()?;
                    r.next().read_sequence(|r| {
                        r.next().read_oid()?;
                        let (o, p) = read_alg(r.next())?;
                        let ct = r
                            .next()
                            .read_tagged_implicit(Tag::context(0), |r| r.read_bytes())?;
                        Ok((o, p, ct))
                    })
                })
            })
            .map_err(malformed)?;
            let (scheme, pt) = decrypt(&alg, &params, password, &ct)?;
            (pt.to_vec(), scheme)
        } else {
            continue;
        };
        read_safe(&safe, &scheme, password, &mut report)?;
    }
    Ok(report)
}

type Bag = (Vec<u64>, Vec<u8>, Vec<(Vec<u64>, Vec<u8>)>);

fn read_safe(
    safe: &[u8],
    outer: &Scheme,
    password: &str,
    report: &mut Inspection,
) -> Result<(), P12Error> {
    let bags: Vec<Bag> = yasna::parse_ber(safe, |r| {
        r.collect_sequence_of(|r| {
            r.read_sequence(|r| {
                let o = r.next().read_oid()?;
                let value = r.next().read_tagged(Tag::context(0), |r| r.read_der())?;
                let attrs = r
                    .read_optional(|r| {
                        r.collect_set_of(|r| {
                            r.read_sequence(|r| {
                                let o = r.next().read_oid()?;
                                let values = r.next().read_der()?;
                                Ok((o.components().to_vec(), values))
                            })
                        })
                    })?
                    .unwrap_or_default();
                Ok((o.components().to_vec(), value, attrs))
            })
        })
    })
    .map_err(malformed)?;
    for (bag_type, value, attrs) in bags {
        for (o, values) in &attrs {
            if o == OID_FRIENDLY_NAME
                && let Ok(names) =
                    yasna::parse_ber(values, |r| r.collect_set_of(|r| r.read_bmp_string()))
            {
                report.friendly_names.extend(names);
            }
        }
        if bag_type == OID_CERT_BAG {
            let der = yasna::parse_ber(&value, |r| {
                r.read_sequence(|r| {
                    r.next().read_oid()?;
                    r.next().read_tagged(Tag::context(0), |r| r.read_bytes())
                })
            })
            .map_err(malformed)?;
            report.certificates.push(der);
            report.certificate_schemes.push(outer.clone());
        } else if bag_type == OID_SHROUDED_KEY_BAG {
            let (alg, params, ct) = yasna::parse_ber(&value, |r| {
                r.read_sequence(|r| {
                    let (o, p) = read_alg(r.next())?;
                    Ok((o, p, r.next().read_bytes()?))
                })
            })
            .map_err(malformed)?;
            let (scheme, pkcs8) = decrypt(&alg, &params, password, &ct)?;
            report.key_schemes.push(scheme);
            report.key = Some(
                PrivateKey::from_pkcs8_der(&pkcs8)
                    .map_err(|e| P12Error::Unsupported(e.to_string()))?,
            );
        } else if bag_type == OID_KEY_BAG {
            report.key_schemes.push(outer.clone());
            let pkcs8 = yasna::parse_ber(&value, |r| r.read_der()).map_err(malformed)?;
            report.key = Some(
                PrivateKey::from_pkcs8_der(&pkcs8)
                    .map_err(|e| P12Error::Unsupported(e.to_string()))?,
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::KeyAlgorithm;

    /// RFC 7292's KDF against a known answer (from OpenSSL's test vectors,
    /// pkcs12 key gen with SHA-1: password "smeg", salt 0A58CF64530D823F,
    /// 1 iteration, ID 1, 24 bytes).
    #[test]
    fn kdf_matches_the_known_answer() {
        let salt = [0x0a, 0x58, 0xcf, 0x64, 0x53, 0x0d, 0x82, 0x3f];
        let key = pkcs12_kdf(Hash::Sha1, "smeg", &salt, 1, 1, 24);
        let hex: String = key.iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(hex, "8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3");
    }

    #[test]
    fn every_profile_round_trips() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let cert = vec![0x30, 0x03, 0x02, 0x01, 0x01];
        for profile in [Encryption::Compat, Encryption::Modern, Encryption::Legacy] {
            let der = export(
                profile,
                "pässword",
                &key,
                std::slice::from_ref(&cert),
                Some("kfree"),
            );
            let r = inspect(&der, "pässword").unwrap();
            assert_eq!(r.certificates, std::slice::from_ref(&cert));
            assert_eq!(
                r.key.unwrap().public_key_der().unwrap(),
                key.public_key_der().unwrap()
            );
            assert_eq!(r.friendly_names, ["kfree", "kfree"]);
            assert_eq!(inspect(&der, "wrong").unwrap_err(), P12Error::WrongPassword);
        }
    }

    /// A bundle whose MAC asks for billions of iterations is refused at
    /// once instead of hashing for hours.
    #[test]
    fn a_huge_iteration_count_is_refused_at_once() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let cert = vec![0x30, 0x03, 0x02, 0x01, 0x01];
        let der = export(Encryption::Compat, "pw", &key, &[cert], None);
        let (auth_safe, digest_info, salt) = yasna::parse_der(&der, |r| {
            r.read_sequence(|r| {
                r.next().read_u32()?;
                let auth_safe = r.next().read_der()?;
                let (d, s) = r.next().read_sequence(|r| {
                    let d = r.next().read_der()?;
                    let s = r.next().read_bytes()?;
                    r.next().read_u32()?;
                    Ok((d, s))
                })?;
                Ok((auth_safe, d, s))
            })
        })
        .unwrap();
        let hostile = yasna::construct_der(|w| {
            w.write_sequence(|w| {
                w.next().write_u32(3);
                w.next().write_der(&auth_safe);
                w.next().write_sequence(|w| {
                    w.next().write_der(&digest_info);
                    w.next().write_bytes(&salt);
                    w.next().write_u32(u32::MAX);
                });
            })
        });
        let started = std::time::Instant::now();
        assert_eq!(
            inspect(&hostile, "pw").unwrap_err(),
            P12Error::Iterations(u32::MAX)
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }
}
