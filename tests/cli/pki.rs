//! `kauth key|csr|cert|ca` on the real binary, with the real openssl as
//! the judge of everything kauth writes.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use assert_cmd::cargo::cargo_bin;

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

fn kauth(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(cargo_bin("kauth"))
        .args(args)
        .current_dir(dir)
        .env("HOME", dir.join("home"))
        .env_remove("XDG_DATA_HOME")
        .env_remove("KAUTH_CAROOT")
        .env("KUBECONFIG", dir.join("kubeconfig"))
        .output()
        .unwrap();
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap(),
    }
}

use crate::support::openssl;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn cert_issue_uses_a_local_ca_made_on_first_use() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let r = kauth(d, &["cert", "issue", "--cn", "kfree", "--group", "dev"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "kfree.crt\n");
    assert!(
        r.stderr.contains("created kauth's local CA"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("will see user \"kfree\", groups \"dev\", \"system:authenticated\""),
        "{}",
        r.stderr
    );
    let ca = d.join("home/.local/share/kauth/ca");
    assert_eq!(mode(&ca.join("ca.key")), 0o600);
    assert_eq!(mode(&ca), 0o700);
    assert_eq!(mode(&d.join("kfree.key")), 0o600);
    assert_eq!(mode(&d.join("kfree.crt")), 0o644);
    let ca_crt = ca.join("ca.crt");
    let (ok, text) = openssl(
        d,
        &[
            "verify",
            "-purpose",
            "sslclient",
            "-CAfile",
            ca_crt.to_str().unwrap(),
            "kfree.crt",
        ],
    );
    assert!(ok, "{text}");
    let (ok, text) = openssl(
        d,
        &[
            "x509",
            "-in",
            "kfree.crt",
            "-noout",
            "-subject",
            "-nameopt",
            "oneline",
        ],
    );
    assert!(ok && text.contains("O = dev, CN = kfree"), "{text}");

    // Not again without --force, and nothing changes.
    let before = std::fs::read(d.join("kfree.key")).unwrap();
    let r = kauth(d, &["cert", "issue", "--cn", "kfree"]);
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "error: `kfree.key` already exists; pass --force to overwrite it\n"
    );
    assert_eq!(std::fs::read(d.join("kfree.key")).unwrap(), before);
    // The second certificate comes from the same CA.
    let r = kauth(
        d,
        &["cert", "issue", "--cn", "kfree", "--force", "--ttl", "2h"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("created kauth's local CA"));
    assert_ne!(std::fs::read(d.join("kfree.key")).unwrap(), before);
    assert_eq!(mode(&d.join("kfree.key")), 0o600);
    let (ok, text) = openssl(
        d,
        &[
            "verify",
            "-purpose",
            "sslclient",
            "-CAfile",
            ca_crt.to_str().unwrap(),
            "kfree.crt",
        ],
    );
    assert!(ok, "{text}");
}

#[test]
fn key_csr_and_sign_work_with_openssl_made_cas() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // A kubeadm-like RSA CA (PKCS#1 key) and a k3s-like EC CA (SEC1 key).
    for (name, genkey) in [
        (
            "rsa",
            vec!["genrsa", "-traditional", "-out", "ca-rsa.key", "2048"],
        ),
        (
            "ec",
            vec![
                "ecparam",
                "-name",
                "prime256v1",
                "-genkey",
                "-noout",
                "-out",
                "ca-ec.key",
            ],
        ),
    ] {
        assert!(openssl(d, &genkey).0);
        let (ok, text) = openssl(
            d,
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                &format!("ca-{name}.key"),
                "-subj",
                "/CN=kubernetes",
                "-days",
                "10",
                "-out",
                &format!("ca-{name}.crt"),
            ],
        );
        assert!(ok, "{text}");
    }
    for alg in ["rsa", "ecdsa-p256", "ecdsa-p384", "ed25519"] {
        let key = format!("u-{alg}.key");
        let r = kauth(d, &["key", "generate", "--algorithm", alg, "-o", &key]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(mode(&d.join(&key)), 0o600);
        assert!(
            openssl(d, &["pkey", "-in", &key, "-noout"]).0,
            "openssl reads {alg}"
        );
        let csr = format!("u-{alg}.csr");
        let r = kauth(
            d,
            &[
                "csr", "create", "--key", &key, "--cn", "kfree", "--group", "dev", "--group",
                "ops", "-o", &csr,
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        let (ok, text) = openssl(d, &["req", "-in", &csr, "-verify", "-noout"]);
        assert!(ok && text.contains("verify OK"), "{alg}: {text}");
        for ca in ["rsa", "ec"] {
            let crt = format!("u-{alg}-{ca}.crt");
            let r = kauth(
                d,
                &[
                    "cert",
                    "sign",
                    "--csr",
                    &csr,
                    "--ca",
                    &format!("ca-{ca}.crt"),
                    "--ca-key",
                    &format!("ca-{ca}.key"),
                    "--days",
                    "3",
                    "-o",
                    &crt,
                ],
            );
            assert_eq!(r.code, 0, "{}", r.stderr);
            assert!(
                r.stderr
                    .contains("groups \"dev\", \"ops\", \"system:authenticated\""),
                "{}",
                r.stderr
            );
            let (ok, text) = openssl(
                d,
                &[
                    "verify",
                    "-purpose",
                    "sslclient",
                    "-CAfile",
                    &format!("ca-{ca}.crt"),
                    &crt,
                ],
            );
            assert!(ok, "{alg} by {ca}: {text}");
        }
    }
    // An openssl-made CSR signs too.
    assert!(
        openssl(
            d,
            &[
                "req",
                "-new",
                "-key",
                "u-rsa.key",
                "-subj",
                "/CN=jane/O=qa",
                "-out",
                "jane.csr"
            ]
        )
        .0
    );
    let r = kauth(
        d,
        &[
            "cert",
            "sign",
            "--csr",
            "jane.csr",
            "--ca",
            "ca-ec.crt",
            "--ca-key",
            "ca-ec.key",
            "-o",
            "-",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(
        r.stderr.contains("user \"jane\", groups \"qa\""),
        "{}",
        r.stderr
    );
}

#[test]
fn bad_inputs_are_refused_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    assert!(kauth(d, &["ca", "init", "--dir", "ca1"]).code == 0);
    assert!(kauth(d, &["ca", "init", "--dir", "ca2"]).code == 0);
    assert_eq!(mode(&d.join("ca1/ca.key")), 0o600);
    assert!(kauth(d, &["key", "generate", "-o", "u.key"]).code == 0);
    assert!(
        kauth(
            d,
            &[
                "csr", "create", "--key", "u.key", "--cn", "u", "-o", "u.csr"
            ]
        )
        .code
            == 0
    );
    let r = kauth(
        d,
        &[
            "cert",
            "sign",
            "--csr",
            "u.csr",
            "--ca",
            "ca1/ca.crt",
            "--ca-key",
            "ca2/ca.key",
            "-o",
            "u.crt",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("the CA key does not match the CA certificate"),
        "{}",
        r.stderr
    );
    assert!(!d.join("u.crt").exists());
    // A client certificate is not a CA.
    assert!(
        kauth(
            d,
            &[
                "cert",
                "sign",
                "--csr",
                "u.csr",
                "--ca",
                "ca1/ca.crt",
                "--ca-key",
                "ca1/ca.key",
                "-o",
                "u.crt"
            ]
        )
        .code
            == 0
    );
    let r = kauth(
        d,
        &[
            "cert", "sign", "--csr", "u.csr", "--ca", "u.crt", "--ca-key", "u.key", "-o", "v.crt",
        ],
    );
    assert!(r.stderr.contains("is not a CA"), "{}", r.stderr);
    // An encrypted key names its format.
    assert!(
        openssl(
            d,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-aes256",
                "-pass",
                "pass:x",
                "-out",
                "enc.key"
            ]
        )
        .0
    );
    let r = kauth(
        d,
        &[
            "csr", "create", "--key", "enc.key", "--cn", "u", "-o", "x.csr",
        ],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("`enc.key`") && r.stderr.contains("ENCRYPTED PRIVATE KEY"),
        "{}",
        r.stderr
    );
    // Missing CN.
    let r = kauth(
        d,
        &[
            "cert",
            "issue",
            "--cn",
            "",
            "--ca",
            "ca1/ca.crt",
            "--ca-key",
            "ca1/ca.key",
        ],
    );
    assert!(r.stderr.contains("--cn"), "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
}

#[test]
fn cert_inspect_reads_files_and_kubeconfig_users() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kubeconfig");
    std::fs::copy(fixtures.join("kubeadm.yaml"), d.join("kubeconfig")).unwrap();
    std::fs::copy(fixtures.join("ca.crt"), d.join("ca.crt")).unwrap();
    let r = kauth(d, &["cert", "inspect", "--ca", "ca.crt"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("Subject:        O = system:masters, CN = kubernetes-admin"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "user \"kubernetes-admin\", groups \"system:masters\", \"system:authenticated\""
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("accepted by --client-ca-file=ca.crt"),
        "{}",
        r.stdout
    );
    let r = kauth(
        d,
        &[
            "cert",
            "inspect",
            "--user",
            "kubernetes-admin",
            "-o",
            "json",
            "--at",
            "2200-01-01T00:00:00Z",
            "--ca",
            "ca.crt",
        ],
    );
    assert_eq!(r.code, 1, "expired then: {}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["verification"]["accepted"], false);
    assert!(
        v["verification"]["error"]
            .as_str()
            .unwrap()
            .contains("is after 2126-"),
        "{v}"
    );
    assert_eq!(v["userInfo"]["username"], "kubernetes-admin");
}

#[test]
fn cert_issue_writes_the_kubeconfig_user_kubectl_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let r = kauth(
        d,
        &[
            "cert",
            "issue",
            "--cn",
            "kfree",
            "--group",
            "dev",
            "--set-credentials",
            "kfree",
            "--set-context",
            "kfree@lab",
            "--cluster",
            "lab",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(mode(&d.join("kubeconfig")), 0o600);
    let r = kauth(
        d,
        &[
            "config",
            "view",
            "--raw",
            "-o",
            "jsonpath={.users[0].user.client-certificate-data}",
        ],
    );
    use base64::Engine as _;
    let embedded = base64::engine::general_purpose::STANDARD
        .decode(r.stdout.trim())
        .unwrap();
    assert_eq!(embedded, std::fs::read(d.join("kfree.crt")).unwrap());
    let r = kauth(d, &["cert", "inspect", "--context", "kfree@lab"]);
    assert!(
        r.stdout.contains("user \"kfree\", groups \"dev\""),
        "{}",
        r.stdout
    );
}

/// `--force` replaces all outputs or none: a certificate path that cannot
/// be written (a directory) is refused before the key is touched, and the
/// old key and certificate are kept byte for byte.
#[test]
fn force_never_loses_the_old_files_when_an_output_cannot_be_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let r = kauth(dir, &["cert", "issue", "--cn", "kfree", "--group", "dev"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let old_key = std::fs::read(dir.join("kfree.key")).unwrap();
    std::fs::remove_file(dir.join("kfree.crt")).unwrap();
    std::fs::create_dir(dir.join("kfree.crt")).unwrap();
    let r = kauth(
        dir,
        &[
            "cert", "issue", "--cn", "kfree", "--group", "dev", "--force",
        ],
    );
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("kfree.crt"), "{}", r.stderr);
    assert_eq!(r.stderr.trim_end().lines().count(), 1, "{}", r.stderr);
    assert_eq!(std::fs::read(dir.join("kfree.key")).unwrap(), old_key);
    assert_eq!(mode(&dir.join("kfree.key")), 0o600);
    // A successful --force replaces both, and leaves no temporary file.
    std::fs::remove_dir(dir.join("kfree.crt")).unwrap();
    std::fs::write(dir.join("kfree.crt"), "old").unwrap();
    let r = kauth(
        dir,
        &[
            "cert", "issue", "--cn", "kfree", "--group", "dev", "--force",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_ne!(std::fs::read(dir.join("kfree.key")).unwrap(), old_key);
    assert_ne!(std::fs::read(dir.join("kfree.crt")).unwrap(), b"old");
    assert_eq!(mode(&dir.join("kfree.key")), 0o600);
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".kauth-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A DER file, a PEM block cut before its END line, a file holding other
/// blocks, a damaged DER structure and a damaged PKCS#12 bundle are each
/// refused in one line that says which it is, never in a parser's debug
/// form.
#[test]
fn unreadable_inputs_say_what_is_wrong_in_words() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let r = kauth(dir, &["cert", "issue", "--cn", "kfree"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let pem = std::fs::read_to_string(dir.join("kfree.crt")).unwrap();
    let (ok, _) = openssl(
        dir,
        &[
            "x509",
            "-in",
            "kfree.crt",
            "-outform",
            "der",
            "-out",
            "der.crt",
        ],
    );
    assert!(ok);
    std::fs::write(dir.join("cut.crt"), &pem[..pem.len() / 2]).unwrap();
    std::fs::write(
        dir.join("bad.crt"),
        "-----BEGIN CERTIFICATE-----\nMAMCAQM=\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    std::fs::write(dir.join("bad.p12"), [0x30, 0x03, 0x02, 0x01, 0x03]).unwrap();
    for (args, says) in [
        (&["cert", "inspect", "der.crt"][..], "-inform der"),
        (
            &["cert", "inspect", "cut.crt"],
            "no `-----END CERTIFICATE-----` line",
        ),
        (
            &["cert", "inspect", "kfree.key"],
            "the file holds: PRIVATE KEY",
        ),
        (&["cert", "inspect", "bad.crt"], "not valid DER"),
        (
            &["p12", "inspect", "bad.p12", "--password-file", "kfree.crt"],
            "ends early",
        ),
    ] {
        let r = kauth(dir, args);
        assert_ne!(r.code, 0, "{args:?}");
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
        assert_eq!(
            r.stderr.trim_end().lines().count(),
            1,
            "{args:?}: {}",
            r.stderr
        );
        for debug in ["{ ", "Der(", "ASN1Error", "Tag("] {
            assert!(!r.stderr.contains(debug), "{args:?}: {}", r.stderr);
        }
    }
}
