//! What kauth's PKI code writes, read by the real openssl, and what
//! openssl writes, read by kauth.

use kauth_pki::cert::{self, CertSpec, Issuer, Usage};
use kauth_pki::key::{KeyAlgorithm, PrivateKey};
use kauth_pki::name::Subject;
use time::{Duration, OffsetDateTime};

use crate::support::openssl;

fn self_signed_ca(key: &PrivateKey, cn: &str) -> Vec<u8> {
    let subject = Subject::new(cn, &[], None).to_der();
    let spki = key.public_key_der().unwrap();
    let now = OffsetDateTime::now_utc();
    cert::build_certificate(
        &CertSpec {
            subject_der: subject.clone(),
            public_key_der: &spki,
            serial: cert::random_serial(),
            not_before: now - Duration::minutes(5),
            not_after: now + Duration::days(3650),
            usage: Usage::ca(),
        },
        &Issuer {
            name_der: &subject,
            key,
            key_id: Some(cert::key_identifier(&spki).unwrap()),
        },
    )
    .unwrap()
}

#[test]
fn openssl_accepts_kauth_cas_csrs_and_client_certificates() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for (ca_alg, leaf_alg) in [
        (KeyAlgorithm::EcdsaP256, KeyAlgorithm::EcdsaP256),
        (KeyAlgorithm::Rsa { bits: 2048 }, KeyAlgorithm::Ed25519),
        (KeyAlgorithm::EcdsaP384, KeyAlgorithm::Rsa { bits: 2048 }),
    ] {
        let ca_key = PrivateKey::generate(ca_alg).unwrap();
        let ca = self_signed_ca(&ca_key, "kauth test CA");
        std::fs::write(dir.join("ca.crt"), cert::to_pem("CERTIFICATE", &ca)).unwrap();
        let (ok, text) = openssl(dir, &["x509", "-in", "ca.crt", "-noout", "-text"]);
        assert!(
            ok && text.contains("CA:TRUE") && text.contains("Certificate Sign"),
            "{text}"
        );

        let key = PrivateKey::generate(leaf_alg).unwrap();
        std::fs::write(dir.join("kfree.key"), key.to_pem().as_bytes()).unwrap();
        let (ok, text) = openssl(dir, &["pkey", "-in", "kfree.key", "-noout"]);
        assert!(ok, "openssl reads the key: {text}");

        let subject = Subject::new("kfree", &["dev".into(), "ops".into()], Some("uid-1"));
        let csr = cert::build_csr(&subject, &key).unwrap();
        std::fs::write(
            dir.join("kfree.csr"),
            cert::to_pem("CERTIFICATE REQUEST", &csr),
        )
        .unwrap();
        let (ok, text) = openssl(dir, &["req", "-in", "kfree.csr", "-verify", "-noout"]);
        assert!(ok && text.contains("verify OK"), "{leaf_alg}: {text}");

        let info = cert::read_csr(cert::to_pem("CERTIFICATE REQUEST", &csr).as_bytes()).unwrap();
        assert_eq!(info.subject, subject);
        let (_, ca_x509) = x509_parser::parse_x509_certificate(&ca).unwrap();
        let now = OffsetDateTime::now_utc();
        let leaf = cert::build_certificate(
            &CertSpec {
                subject_der: info.subject_der.clone(),
                public_key_der: &info.public_key_der,
                serial: cert::random_serial(),
                not_before: now - Duration::minutes(5),
                not_after: now + Duration::days(365),
                usage: Usage::client(cert::is_rsa_key(&info.public_key_der)),
            },
            &Issuer {
                name_der: ca_x509.subject().as_raw(),
                key: &ca_key,
                key_id: Some(cert::key_identifier(ca_x509.public_key().raw).unwrap()),
            },
        )
        .unwrap();
        std::fs::write(dir.join("kfree.crt"), cert::to_pem("CERTIFICATE", &leaf)).unwrap();
        let (ok, text) = openssl(
            dir,
            &[
                "verify",
                "-purpose",
                "sslclient",
                "-CAfile",
                "ca.crt",
                "kfree.crt",
            ],
        );
        assert!(
            ok && text.contains("kfree.crt: OK"),
            "{ca_alg} -> {leaf_alg}: {text}"
        );
        let (ok, text) = openssl(
            dir,
            &[
                "x509",
                "-in",
                "kfree.crt",
                "-noout",
                "-text",
                "-nameopt",
                "oneline",
            ],
        );
        assert!(ok, "{text}");
        for want in [
            "O = dev, O = ops, CN = kfree",
            "TLS Web Client Authentication",
            "Digital Signature",
            "CA:FALSE",
        ] {
            assert!(text.contains(want), "{want} missing in:\n{text}");
        }
        // The key and certificate belong together for openssl too.
        let (_, cert_pub) = openssl(dir, &["x509", "-in", "kfree.crt", "-noout", "-pubkey"]);
        let (_, key_pub) = openssl(dir, &["pkey", "-in", "kfree.key", "-pubout"]);
        assert_eq!(cert_pub, key_pub);
    }
}

#[test]
fn kauth_reads_openssl_keys_csrs_and_certificates() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let cases: &[(&[&str], KeyAlgorithm, &str)] = &[
        (
            &["genrsa", "-traditional", "-out", "k.pem", "2048"],
            KeyAlgorithm::Rsa { bits: 2048 },
            "RSA PRIVATE KEY",
        ),
        (
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:3072",
                "-out",
                "k.pem",
            ],
            KeyAlgorithm::Rsa { bits: 3072 },
            "PRIVATE KEY",
        ),
        (
            &[
                "ecparam",
                "-name",
                "prime256v1",
                "-genkey",
                "-noout",
                "-out",
                "k.pem",
            ],
            KeyAlgorithm::EcdsaP256,
            "EC PRIVATE KEY",
        ),
        (
            &[
                "ecparam",
                "-name",
                "secp384r1",
                "-genkey",
                "-noout",
                "-out",
                "k.pem",
            ],
            KeyAlgorithm::EcdsaP384,
            "EC PRIVATE KEY",
        ),
        (
            &["genpkey", "-algorithm", "ed25519", "-out", "k.pem"],
            KeyAlgorithm::Ed25519,
            "PRIVATE KEY",
        ),
    ];
    for (args, alg, format) in cases {
        let (ok, text) = openssl(dir, args);
        assert!(ok, "{text}");
        let key =
            PrivateKey::from_pem(&std::fs::read_to_string(dir.join("k.pem")).unwrap()).unwrap();
        assert_eq!((key.algorithm(), key.source_format()), (*alg, *format));
        let (ok, text) = openssl(
            dir,
            &[
                "req",
                "-new",
                "-key",
                "k.pem",
                "-subj",
                "/CN=kfree/O=dev/O=ops",
                "-out",
                "r.csr",
            ],
        );
        assert!(ok, "{text}");
        let csr = cert::read_csr(&std::fs::read(dir.join("r.csr")).unwrap()).unwrap();
        assert_eq!(
            csr.subject,
            Subject::new("kfree", &["dev".into(), "ops".into()], None)
        );
        assert_eq!(csr.public_key_der, key.public_key_der().unwrap());
    }
    // A CSR whose signature was altered is refused.
    let (ok, _) = openssl(
        dir,
        &[
            "req", "-new", "-key", "k.pem", "-subj", "/CN=a", "-outform", "DER", "-out", "r.der",
        ],
    );
    assert!(ok);
    let mut der = std::fs::read(dir.join("r.der")).unwrap();
    let last = der.len() - 1;
    der[last] ^= 0xff;
    let pem = cert::to_pem("CERTIFICATE REQUEST", &der);
    assert_eq!(
        cert::read_csr(pem.as_bytes()).unwrap_err(),
        cert::CertError::CsrSignature
    );
}
