//! PKCS#12 bundles read by the real readers: openssl, Java's keytool and
//! Python's `cryptography`; and bundles openssl makes, read by kauth.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use assert_cmd::cargo::cargo_bin;

/// ASCII: Java's PKCS#12 reader refuses other passwords ("Password is not
/// ASCII"); a non-ASCII one is checked with openssl below.
const PASSWORD: &str = "s3cret-Password";

fn kauth(dir: &Path, args: &[&str]) -> Output {
    Command::new(cargo_bin("kauth"))
        .args(args)
        .current_dir(dir)
        .env("HOME", dir.join("home"))
        .env("KUBECONFIG", dir.join("kubeconfig"))
        .env_remove("KAUTH_CAROOT")
        .env_remove("XDG_DATA_HOME")
        .output()
        .unwrap()
}

fn run(dir: &Path, program: &str, args: &[&str]) -> (bool, String) {
    match Command::new(program).args(args).current_dir(dir).output() {
        Ok(out) => (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        ),
        Err(e) => (false, format!("{program}: {e}")),
    }
}

fn setup(dir: &Path) {
    std::fs::write(dir.join("pw.txt"), format!("{PASSWORD}\n")).unwrap();
    for alg in ["ecdsa-p256", "rsa"] {
        let out = kauth(
            dir,
            &[
                "cert",
                "issue",
                "--cn",
                &format!("kfree-{alg}"),
                "--group",
                "dev",
                "--algorithm",
                alg,
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::copy(
        dir.join("home/.local/share/kauth/ca/ca.crt"),
        dir.join("ca.crt"),
    )
    .unwrap();
}

fn python_has_cryptography() -> bool {
    run(Path::new("."), "python3", &["-c", "import cryptography"]).0
}

#[test]
fn every_profile_is_read_by_openssl_keytool_and_python() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    let python = python_has_cryptography();
    if !python {
        eprintln!("note: python3 has no `cryptography` module; .ci/run installs it");
    }
    for alg in ["ecdsa-p256", "rsa"] {
        for profile in ["compat", "modern", "legacy"] {
            let out = format!("{alg}-{profile}.p12");
            let o = kauth(
                d,
                &[
                    "p12",
                    "export",
                    "--cert",
                    &format!("kfree-{alg}.crt"),
                    "--key",
                    &format!("kfree-{alg}.key"),
                    "--ca",
                    "ca.crt",
                    "--profile",
                    profile,
                    "--password-file",
                    "pw.txt",
                    "-o",
                    &out,
                ],
            );
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            assert_eq!(
                std::fs::metadata(d.join(&out))
                    .unwrap()
                    .permissions()
                    .mode()
                    & 0o777,
                0o600
            );

            // openssl: without -legacy for compat and modern, with it for legacy.
            let mut args = vec![
                "pkcs12",
                "-in",
                &out,
                "-passin",
                "file:pw.txt",
                "-nodes",
                "-info",
            ];
            if profile == "legacy" {
                args.push("-legacy");
            }
            let (ok, text) = run(d, "openssl", &args);
            assert!(ok, "openssl reads {out}: {text}");
            let expect = match profile {
                "compat" => "pbeWithSHA1And3-KeyTripleDES-CBC",
                "modern" => "AES-256-CBC",
                _ => "pbeWithSHA1And40BitRC2-CBC",
            };
            assert!(text.contains(expect), "{out}: {text}");
            assert!(
                text.contains(&format!("subject=O = dev, CN = kfree-{alg}"))
                    || text.contains(&format!("CN = kfree-{alg}")),
                "{text}"
            );
            // The key read back is the key that went in.
            let (_, back) = run(
                d,
                "openssl",
                &["pkey", "-in", &format!("kfree-{alg}.key"), "-pubout"],
            );
            let mut args = vec![
                "pkcs12",
                "-in",
                &out,
                "-passin",
                "file:pw.txt",
                "-nocerts",
                "-nodes",
            ];
            if profile == "legacy" {
                args.push("-legacy");
            }
            let (ok, key_pem) = run(d, "openssl", &args);
            assert!(ok);
            std::fs::write(d.join("back.key"), key_pem).unwrap();
            let (_, back2) = run(d, "openssl", &["pkey", "-in", "back.key", "-pubout"]);
            assert_eq!(back, back2, "{out}: the key read back differs");
            if profile != "legacy" {
                let (ok, text) = run(
                    d,
                    "openssl",
                    &["pkcs12", "-in", &out, "-passin", "pass:wrong", "-nokeys"],
                );
                assert!(
                    !ok && text.contains("verify"),
                    "a wrong password is refused: {text}"
                );
            }

            // Java keytool.
            let (ok, text) = run(
                d,
                "keytool",
                &[
                    "-list",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    &out,
                    "-storepass",
                    PASSWORD,
                    "-v",
                ],
            );
            assert!(ok, "keytool reads {out}: {text}");
            assert!(
                text.contains("PrivateKeyEntry") && text.contains(&format!("CN=kfree-{alg}")),
                "{out}: {text}"
            );
            assert!(
                text.contains("Certificate chain length: 2"),
                "{out}: {text}"
            );

            // Python cryptography.
            if python {
                let script = format!(
                    "from cryptography.hazmat.primitives.serialization import pkcs12, Encoding, PublicFormat\n\
                     from cryptography import x509\n\
                     k, c, extra = pkcs12.load_key_and_certificates(open('{out}','rb').read(), {PASSWORD:?}.encode())\n\
                     want = x509.load_pem_x509_certificate(open('kfree-{alg}.crt','rb').read())\n\
                     assert c == want, 'certificate differs'\n\
                     assert k.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo) == want.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)\n\
                     assert len(extra) == 1\n"
                );
                let (ok, text) = run(d, "python3", &["-c", &script]);
                assert!(ok, "python reads {out}: {text}");
            }
        }
    }
}

#[test]
fn kauth_inspects_bundles_openssl_makes() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    for (legacy, expect) in [
        (false, "PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC)"),
        (true, "PBE-SHA1-RC2-40"),
    ] {
        let mut args = vec![
            "pkcs12",
            "-export",
            "-in",
            "kfree-rsa.crt",
            "-inkey",
            "kfree-rsa.key",
            "-certfile",
            "ca.crt",
            "-name",
            "from-openssl",
            "-passout",
            "file:pw.txt",
            "-out",
            "o.p12",
        ];
        if legacy {
            args.push("-legacy");
        }
        let (ok, text) = run(d, "openssl", &args);
        assert!(ok, "{text}");
        let o = kauth(d, &["p12", "inspect", "o.p12", "--password-file", "pw.txt"]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(out.contains(expect), "{out}");
        assert!(out.contains("Friendly name:  from-openssl"), "{out}");
        assert!(out.contains("Key type:       RSA 2048"), "{out}");
        assert!(
            out.contains("Key matches:    the first certificate"),
            "{out}"
        );
        if legacy {
            assert!(out.contains("OpenSSL 3 without -legacy"), "{out}");
        } else {
            assert!(out.contains("macOS Keychain before macOS 14"), "{out}");
        }
    }
    // MACs over SHA-384 and SHA-512 (openssl -macalg) verify too.
    for (macalg, shown) in [("sha384", "HMAC-SHA384"), ("sha512", "HMAC-SHA512")] {
        let (ok, text) = run(
            d,
            "openssl",
            &[
                "pkcs12",
                "-export",
                "-in",
                "kfree-rsa.crt",
                "-inkey",
                "kfree-rsa.key",
                "-macalg",
                macalg,
                "-passout",
                "file:pw.txt",
                "-out",
                "m.p12",
            ],
        );
        assert!(ok, "{text}");
        let o = kauth(d, &["p12", "inspect", "m.p12", "--password-file", "pw.txt"]);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(out.contains(&format!("MAC:            {shown}")), "{out}");
    }
    std::fs::write(d.join("bad.txt"), "nope\n").unwrap();
    let o = kauth(
        d,
        &["p12", "inspect", "o.p12", "--password-file", "bad.txt"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "error: `o.p12`: wrong password: the MAC does not verify\n"
    );
}

#[test]
fn export_refuses_mismatches_empty_passwords_and_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    setup(d);
    let o = kauth(
        d,
        &[
            "p12",
            "export",
            "--cert",
            "kfree-rsa.crt",
            "--key",
            "kfree-ecdsa-p256.key",
            "--password-file",
            "pw.txt",
            "-o",
            "x.p12",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("does not match"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!d.join("x.p12").exists());
    std::fs::write(d.join("empty.txt"), "\n").unwrap();
    let o = kauth(
        d,
        &[
            "p12",
            "export",
            "--cert",
            "kfree-rsa.crt",
            "--key",
            "kfree-rsa.key",
            "--password-file",
            "empty.txt",
            "-o",
            "x.p12",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("empty password refused") && err.contains("macOS"),
        "{err}"
    );
    let o = kauth(
        d,
        &[
            "p12",
            "export",
            "--cert",
            "kfree-rsa.crt",
            "--key",
            "kfree-rsa.key",
            "--password-file",
            "empty.txt",
            "--allow-empty-password",
            "-o",
            "x.p12",
        ],
    );
    assert!(o.status.success());
    let (ok, text) = run(
        d,
        "openssl",
        &[
            "pkcs12", "-in", "x.p12", "-passin", "pass:", "-nodes", "-info",
        ],
    );
    assert!(ok, "{text}");
    let o = kauth(
        d,
        &[
            "p12",
            "export",
            "--cert",
            "kfree-rsa.crt",
            "--key",
            "kfree-rsa.key",
            "--password-file",
            "pw.txt",
            "-o",
            "x.p12",
        ],
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists"));
    // A non-ASCII password is a BMPString for the PKCS#12 KDF and UTF-8 for
    // PBKDF2, as openssl has it; a character outside the BMP is a
    // surrogate pair.
    std::fs::write(d.join("utf8.txt"), "pässwörd🔑\n").unwrap();
    for profile in ["compat", "modern"] {
        let o = kauth(
            d,
            &[
                "p12",
                "export",
                "--cert",
                "kfree-rsa.crt",
                "--key",
                "kfree-rsa.key",
                "--profile",
                profile,
                "--password-file",
                "utf8.txt",
                "-o",
                &format!("u-{profile}.p12"),
            ],
        );
        assert!(o.status.success());
        let (ok, text) = run(
            d,
            "openssl",
            &[
                "pkcs12",
                "-in",
                &format!("u-{profile}.p12"),
                "-passin",
                "file:utf8.txt",
                "-nodes",
                "-info",
            ],
        );
        assert!(ok, "{profile}: {text}");
    }
    // From the kubeconfig, through stdin.
    let o = kauth(
        d,
        &[
            "cert",
            "issue",
            "--cn",
            "alice",
            "--set-credentials",
            "alice",
            "--set-context",
            "alice@lab",
            "--cluster",
            "lab",
        ],
    );
    assert!(o.status.success());
    let mut child = Command::new(cargo_bin("kauth"))
        .args([
            "p12",
            "export",
            "--from-kubeconfig",
            "--user",
            "alice",
            "--password-stdin",
            "-o",
            "alice.p12",
        ])
        .current_dir(d)
        .env("HOME", d.join("home"))
        .env("KUBECONFIG", d.join("kubeconfig"))
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (ok, text) = run(
        d,
        "openssl",
        &[
            "pkcs12",
            "-in",
            "alice.p12",
            "-passin",
            "file:pw.txt",
            "-nodes",
            "-info",
        ],
    );
    assert!(ok && text.contains("CN = alice"), "{text}");
}
