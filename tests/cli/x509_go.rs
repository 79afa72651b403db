//! kauth's client-certificate judgement against Go's own `crypto/x509`
//! (tests/go/x509: `ParseCertificate`, `Verify` with clientAuth, and
//! kube-apiserver's CN/O/UID rules), on every recorded chain of
//! tests/fixtures/x509 (including those the recording client could not
//! present, which have no server answer) and on generated chains with
//! random names, string types and key types.

use std::path::Path;

use kauth_auth::authn::{Credential, ServerConfig, Verdict, authenticate};
use kauth_pki::cert;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::support::go::Oracle;

/// kauth's answer in the oracle's terms.
fn kauth(chain: &[Vec<u8>], roots: &[Vec<u8>], at: OffsetDateTime) -> Value {
    let server = ServerConfig {
        client_ca: Some(roots.to_vec()),
        ..ServerConfig::default()
    };
    match authenticate(&Credential::Certificate(chain.to_vec()), &server, at) {
        Verdict::Authenticated { user, .. } => {
            // The groups the certificate names, before the server adds
            // system:authenticated.
            let leaf = kauth_auth::authn::x509::Cert::from_der(&chain[0]).unwrap();
            let groups = kauth_auth::authn::x509::user_from_certificate(&leaf)
                .unwrap()
                .groups;
            let mut a = json!({"stage": "ok", "username": user.username});
            if !user.uid.is_empty() {
                a["uid"] = json!(user.uid);
            }
            if !groups.is_empty() {
                a["groups"] = json!(groups);
            }
            a
        }
        Verdict::Anonymous { .. } => json!({"stage": "anonymous"}),
        Verdict::Unauthorized { reasons } => {
            let r = &reasons[0];
            if r.starts_with("tls: failed to parse client certificate") {
                json!({"stage": "parse", "error": r})
            } else if let Some((_, e)) = r
                .split_once(" failed: ")
                .filter(|_| r.starts_with("verifying certificate"))
            {
                json!({"stage": "verify", "error": e})
            } else {
                json!({"stage": "user", "error": r})
            }
        }
        Verdict::Unknown { reason } => json!({"stage": "unknown", "error": reason}),
    }
}

fn pem_of(ders: &[Vec<u8>]) -> String {
    ders.iter()
        .map(|d| cert::to_pem("CERTIFICATE", d))
        .collect()
}

fn ask(go: &mut Oracle, chain: &[Vec<u8>], roots: &[Vec<u8>], at: &str) -> Value {
    go.ask(&json!({"chain": pem_of(chain), "roots": pem_of(roots), "at": at}))
}

#[test]
fn recorded_chains_are_judged_as_go_judges_them() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/x509");
    let roots = cert::certificates_from_pem(&std::fs::read(dir.join("ca.crt")).unwrap()).unwrap();
    let mut go = Oracle::start("x509");
    let mut diverged = Vec::new();
    let text = std::fs::read_to_string(dir.join("cases.jsonl")).unwrap();
    let mut count = 0;
    for line in text.lines() {
        let case: Value = serde_json::from_str(line).unwrap();
        let name = case["name"].as_str().unwrap();
        let at = case["server"]["asked_at"]
            .as_str()
            .unwrap_or("2026-12-02T16:57:55Z");
        let pem = std::fs::read(dir.join("cases").join(name).join("chain.pem")).unwrap();
        let Ok(chain) = cert::certificates_from_pem(&pem) else {
            continue;
        };
        count += 1;
        let when =
            OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).unwrap();
        let ours = kauth(&chain, &roots, when);
        let theirs = ask(&mut go, &chain, &roots, at);
        if ours != theirs {
            diverged.push(format!("{name}:\n    go:    {theirs}\n    kauth: {ours}"));
        }
    }
    eprintln!(
        "x509 vs Go: {}/{count} recorded chains agree",
        count - diverged.len()
    );
    assert!(diverged.is_empty(), "{}", diverged.join("\n"));
}

mod generated {
    use super::*;
    use kauth_pki::cert::{CertSpec, EKU_CLIENT_AUTH, EKU_SERVER_AUTH, Issuer, Usage};
    use kauth_pki::key::{KeyAlgorithm, PrivateKey};
    use proptest::prelude::*;
    use std::sync::OnceLock;
    use time::Duration;

    const AT: &str = "2026-12-02T12:00:00Z";

    /// One key per algorithm, made once (RSA generation is slow).
    fn keys() -> &'static [PrivateKey] {
        static KEYS: OnceLock<Vec<PrivateKey>> = OnceLock::new();
        KEYS.get_or_init(|| {
            [
                KeyAlgorithm::EcdsaP256,
                KeyAlgorithm::EcdsaP384,
                KeyAlgorithm::EcdsaP521,
                KeyAlgorithm::Ed25519,
                KeyAlgorithm::Rsa { bits: 2048 },
            ]
            .into_iter()
            .map(|a| PrivateKey::generate(a).unwrap())
            .collect()
        })
    }

    const CN: &[u64] = &[2, 5, 4, 3];
    const O: &[u64] = &[2, 5, 4, 10];
    const OU: &[u64] = &[2, 5, 4, 11];
    const UID: &[u64] = &[1, 3, 6, 1, 4, 1, 57683, 2];
    const SAMPLES: &[&str] = &[
        "alice", "Zoë", "a_b", "12 3", "x@y", "", "𝔘ni", "team-a", "*&",
    ];
    /// UTF8, Printable, T61, IA5, Numeric, BMP, Universal, BIT STRING.
    const TAGS: &[u8] = &[12, 19, 20, 22, 18, 30, 28, 3];

    fn value(tag: u8, text: &str) -> Vec<u8> {
        let content: Vec<u8> = match tag {
            30 => text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect(),
            28 => text
                .chars()
                .flat_map(|c| (c as u32).to_be_bytes())
                .collect(),
            3 => std::iter::once(0).chain(text.bytes()).collect(),
            _ => text.as_bytes().to_vec(),
        };
        let mut der = vec![tag, content.len() as u8];
        der.extend(content);
        der
    }

    fn name(attrs: &[(&[u64], u8, &str)]) -> Vec<u8> {
        yasna::construct_der(|w| {
            w.write_sequence(|w| {
                for (oid, tag, text) in attrs {
                    w.next().write_set(|w| {
                        w.next().write_sequence(|w| {
                            w.next()
                                .write_oid(&yasna::models::ObjectIdentifier::from_slice(oid));
                            w.next().write_der(&value(*tag, text));
                        })
                    })
                }
            })
        })
    }

    #[derive(Debug, Clone)]
    struct Shape {
        attrs: Vec<(usize, usize, usize)>,
        root_key: usize,
        leaf_key: usize,
        inter: Option<(usize, bool)>,
        ca_key_usage: usize,
        leaf_eku: usize,
        expired: bool,
    }

    fn shape() -> impl Strategy<Value = Shape> {
        (
            proptest::collection::vec((0..4usize, 0..TAGS.len(), 0..SAMPLES.len()), 0..5),
            0..5usize,
            0..5usize,
            proptest::option::of((0..5usize, any::<bool>())),
            0..4usize,
            0..3usize,
            proptest::bool::weighted(0.1),
        )
            .prop_map(
                |(attrs, root_key, leaf_key, inter, ca_key_usage, leaf_eku, expired)| Shape {
                    attrs,
                    root_key,
                    leaf_key,
                    inter,
                    ca_key_usage,
                    leaf_eku,
                    expired,
                },
            )
    }

    fn build(
        subject: Vec<u8>,
        key: &PrivateKey,
        usage: Usage,
        issuer: (&PrivateKey, &[u8]),
        at: OffsetDateTime,
        expired: bool,
    ) -> Vec<u8> {
        let spki = key.public_key_der().unwrap();
        let (not_before, not_after) = if expired {
            (at - Duration::days(3), at - Duration::days(1))
        } else {
            (at - Duration::days(1), at + Duration::days(30))
        };
        let spec = CertSpec {
            subject_der: subject,
            public_key_der: &spki,
            serial: cert::random_serial(),
            not_before,
            not_after,
            usage,
        };
        cert::build_certificate(
            &spec,
            &Issuer {
                name_der: issuer.1,
                key: issuer.0,
                key_id: None,
            },
        )
        .unwrap()
    }

    fn chain(s: &Shape) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
        let at = OffsetDateTime::parse(AT, &time::format_description::well_known::Rfc3339).unwrap();
        let k = keys();
        let mut ca_usage = Usage::ca();
        ca_usage.key_usage = [None, Some(0), Some(0x80 | 0x04 | 0x02), Some(0x80)][s.ca_key_usage];
        let root_name = name(&[(CN, 12, "gen root")]);
        let root_key = &k[s.root_key];
        let root = build(
            root_name.clone(),
            root_key,
            ca_usage.clone(),
            (root_key, &root_name),
            at,
            false,
        );
        let oids = [CN, O, OU, UID];
        let attrs: Vec<(&[u64], u8, &str)> = s
            .attrs
            .iter()
            .map(|&(o, t, v)| (oids[o], TAGS[t], SAMPLES[v]))
            .collect();
        let mut leaf_usage = Usage::client(false);
        leaf_usage.ext_key_usage = [
            None,
            Some(vec![EKU_CLIENT_AUTH]),
            Some(vec![EKU_SERVER_AUTH]),
        ][s.leaf_eku]
            .clone();
        let leaf_subject = name(&attrs);
        match s.inter {
            None => {
                let leaf = build(
                    leaf_subject,
                    &k[s.leaf_key],
                    leaf_usage,
                    (root_key, &root_name),
                    at,
                    s.expired,
                );
                (vec![leaf], vec![root])
            }
            Some((ik, sent)) => {
                let inter_name = name(&[(CN, 19, "gen inter")]);
                let inter = build(
                    inter_name.clone(),
                    &k[ik],
                    Usage::ca(),
                    (root_key, &root_name),
                    at,
                    false,
                );
                let leaf = build(
                    leaf_subject,
                    &k[s.leaf_key],
                    leaf_usage,
                    (&k[ik], &inter_name),
                    at,
                    s.expired,
                );
                let mut sent_chain = vec![leaf];
                if sent {
                    sent_chain.push(inter);
                }
                (sent_chain, vec![root])
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256 * crate::support::go::scale() as u32, failure_persistence: None, ..ProptestConfig::default() })]
        /// Random names in every string type, every key type, key usages,
        /// EKUs, validity and missing intermediates: kauth and Go agree.
        #[test]
        fn generated_chains_are_judged_as_go_judges_them(s in shape()) {
            static GO: OnceLock<std::sync::Mutex<Oracle>> = OnceLock::new();
            let go = GO.get_or_init(|| std::sync::Mutex::new(Oracle::start("x509")));
            let (sent, roots) = chain(&s);
            let at = OffsetDateTime::parse(AT, &time::format_description::well_known::Rfc3339).unwrap();
            let ours = kauth(&sent, &roots, at);
            let theirs = ask(&mut go.lock().unwrap_or_else(|e| e.into_inner()), &sent, &roots, AT);
            prop_assert_eq!(&ours, &theirs, "chain:\n{}roots:\n{}", pem_of(&sent), pem_of(&roots));
        }
    }
}

/// Chains whose CA signs with every RSA scheme and size openssl makes
/// (PKCS#1 v1.5 and PSS with SHA-256/384/512, 512- to 4096-bit keys, RSA-PSS
/// keys) and with ECDSA on P-224: kauth and Go agree on each.
#[test]
fn openssl_signed_chains_with_every_rsa_scheme_are_judged_as_go_judges_them() {
    let dir = tempfile::tempdir().unwrap();
    let try_openssl = |args: &[&str]| crate::support::openssl(dir.path(), args).0;
    let openssl = |args: &[&str]| crate::support::openssl_ok(dir.path(), args);
    let read = |name: &str| {
        cert::certificates_from_pem(&std::fs::read(dir.path().join(name)).unwrap()).unwrap()
    };
    std::fs::write(
        dir.path().join("ext.cnf"),
        "[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n\
         [leaf]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n",
    )
    .unwrap();
    openssl(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        "leaf.key",
    ]);
    openssl(&[
        "req",
        "-new",
        "-key",
        "leaf.key",
        "-subj",
        "/CN=alice/O=dev",
        "-out",
        "leaf.csr",
    ]);
    let cas: Vec<(String, Vec<&str>)> = [512, 768, 1024, 1536, 2047, 2048, 4096]
        .iter()
        .map(|bits| (format!("rsa{bits}"), vec!["-algorithm", "RSA", "-pkeyopt"]))
        .chain([
            (
                "pss2048".to_string(),
                vec!["-algorithm", "RSA-PSS", "-pkeyopt"],
            ),
            ("p224".to_string(), vec!["-algorithm", "EC", "-pkeyopt"]),
        ])
        .collect();
    let mut go = Oracle::start("x509");
    let when = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() + time::Duration::days(1);
    let at = &when
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let mut count = 0;
    let mut diverged = Vec::new();
    for (name, mut args) in cas {
        let opt = match name.as_str() {
            "p224" => "ec_paramgen_curve:P-224".to_string(),
            n => format!(
                "rsa_keygen_bits:{}",
                n.trim_start_matches(|c: char| !c.is_ascii_digit())
            ),
        };
        args.push(&opt);
        let key = format!("{name}.key");
        let mut gen_args = vec!["genpkey"];
        gen_args.extend(&args);
        gen_args.extend(["-out", &key]);
        openssl(&gen_args);
        let ca = format!("{name}.crt");
        openssl(&[
            "req",
            "-x509",
            "-new",
            "-key",
            &key,
            "-subj",
            "/CN=ca",
            "-days",
            "3650",
            "-sha256",
            "-extensions",
            "ca",
            "-config",
            "ext.cnf",
            "-out",
            &ca,
        ]);
        let schemes: &[&[&str]] = if name == "p224" {
            &[&["-sha256"], &["-sha384"], &["-sha512"]]
        } else {
            &[
                &["-sha256"],
                &["-sha384"],
                &["-sha512"],
                &[
                    "-sha256",
                    "-sigopt",
                    "rsa_padding_mode:pss",
                    "-sigopt",
                    "rsa_pss_saltlen:digest",
                ],
                &[
                    "-sha384",
                    "-sigopt",
                    "rsa_padding_mode:pss",
                    "-sigopt",
                    "rsa_pss_saltlen:digest",
                ],
                &[
                    "-sha512",
                    "-sigopt",
                    "rsa_padding_mode:pss",
                    "-sigopt",
                    "rsa_pss_saltlen:digest",
                ],
                &[
                    "-sha256",
                    "-sigopt",
                    "rsa_padding_mode:pss",
                    "-sigopt",
                    "rsa_pss_saltlen:20",
                ],
            ]
        };
        for (i, scheme) in schemes.iter().enumerate() {
            let leaf = format!("{name}-{i}.crt");
            let mut sign = vec![
                "x509",
                "-req",
                "-in",
                "leaf.csr",
                "-CA",
                &ca,
                "-CAkey",
                &key,
                "-set_serial",
                "7",
                "-days",
                "30",
                "-extfile",
                "ext.cnf",
                "-extensions",
                "leaf",
                "-out",
                &leaf,
            ];
            sign.extend(scheme.iter());
            // A key too small for the digest cannot sign with it.
            if !try_openssl(&sign) {
                continue;
            }
            let (chain, roots) = (read(&leaf), read(&ca));
            count += 1;
            let ours = kauth(&chain, &roots, when);
            let theirs = ask(&mut go, &chain, &roots, at);
            if ours != theirs {
                diverged.push(format!(
                    "{name} {scheme:?}:\n    go:    {theirs}\n    kauth: {ours}"
                ));
            }
        }
    }
    eprintln!(
        "x509 vs Go: {}/{count} openssl-signed chains agree",
        count - diverged.len()
    );
    assert!(diverged.is_empty(), "{}", diverged.join("\n"));
}

/// Chains of two intermediates and a leaf with random certificate
/// policies, policy mappings (anyPolicy included), requireExplicitPolicy,
/// inhibitPolicyMapping and inhibitAnyPolicy, made by openssl: kauth's
/// policy graph and Go's agree on each chain.
#[test]
fn policy_constraints_and_mappings_are_judged_as_go_judges_them() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| crate::support::openssl_ok(dir.path(), args);
    run(&[
        "ecparam",
        "-name",
        "prime256v1",
        "-genkey",
        "-noout",
        "-out",
        "k.pem",
    ]);
    for name in ["inter1", "inter2", "leaf"] {
        run(&[
            "req",
            "-new",
            "-key",
            "k.pem",
            "-subj",
            &format!("/CN={name}"),
            "-out",
            &format!("{name}.csr"),
        ]);
    }
    const POLICIES: [&str; 4] = ["1.2.3.1", "1.2.3.2", "1.2.3.3", "2.5.29.32.0"];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut section = |ca: bool| {
        let mut s = if ca {
            "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n".to_string()
        } else {
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n"
                .to_string()
        };
        let chosen: Vec<&str> = POLICIES.iter().copied().filter(|_| next(3) == 0).collect();
        if !chosen.is_empty() {
            s += &format!("certificatePolicies={}\n", chosen.join(","));
        }
        let mut constraints = Vec::new();
        if next(3) == 0 {
            constraints.push(format!("requireExplicitPolicy:{}", next(3)));
        }
        if ca {
            let mappings: Vec<String> = (0..next(3))
                .map(|_| {
                    format!(
                        "{}:{}",
                        POLICIES[next(4) as usize],
                        POLICIES[next(4) as usize]
                    )
                })
                .collect();
            if !mappings.is_empty() {
                s += &format!("policyMappings={}\n", mappings.join(","));
            }
            if next(4) == 0 {
                constraints.push(format!("inhibitPolicyMapping:{}", next(2)));
            }
            if next(4) == 0 {
                s += &format!("inhibitAnyPolicy={}\n", next(2));
            }
        }
        if !constraints.is_empty() {
            s += &format!("policyConstraints=critical,{}\n", constraints.join(","));
        }
        s
    };
    run(&[
        "req",
        "-x509",
        "-new",
        "-key",
        "k.pem",
        "-subj",
        "/CN=root",
        "-days",
        "30",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
        "-out",
        "root.crt",
    ]);
    let roots =
        cert::certificates_from_pem(&std::fs::read(dir.path().join("root.crt")).unwrap()).unwrap();
    let when = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap() + time::Duration::days(1);
    let at = &when
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let mut go = Oracle::start("x509");
    let cases = 150 * crate::support::go::scale();
    let (mut diverged, mut refused) = (Vec::new(), 0);
    for _ in 0..cases {
        let config = format!(
            "[inter1]\n{}[inter2]\n{}[leaf]\n{}",
            section(true),
            section(true),
            section(false)
        );
        std::fs::write(dir.path().join("ext.cnf"), &config).unwrap();
        for (name, issuer) in [("inter1", "root"), ("inter2", "inter1"), ("leaf", "inter2")] {
            run(&[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                &format!("{issuer}.crt"),
                "-CAkey",
                "k.pem",
                "-set_serial",
                "9",
                "-days",
                "30",
                "-extfile",
                "ext.cnf",
                "-extensions",
                name,
                "-out",
                &format!("{name}.crt"),
            ]);
        }
        let chain: Vec<Vec<u8>> = ["leaf", "inter2", "inter1"]
            .iter()
            .flat_map(|n| {
                cert::certificates_from_pem(
                    &std::fs::read(dir.path().join(format!("{n}.crt"))).unwrap(),
                )
                .unwrap()
            })
            .collect();
        let ours = kauth(&chain, &roots, when);
        let theirs = ask(&mut go, &chain, &roots, at);
        refused += usize::from(theirs["stage"] != "ok");
        if ours != theirs {
            diverged.push(format!("{config}\n    go:    {theirs}\n    kauth: {ours}"));
        }
    }
    eprintln!(
        "x509 policies vs Go: {}/{cases} chains agree ({refused} refused by Go)",
        cases - diverged.len()
    );
    assert!(diverged.is_empty(), "{}", diverged.join("\n"));
}
