//! The CertificateSigningRequest flow on the real binary against the test
//! API server (which validates CSRs as kube-apiserver does and runs a
//! kube-apiserver-client signer that can be turned off).

use std::path::PathBuf;
use std::process::Command;

use crate::support::apiserver::TestServer;
use crate::support::{Run, kauth};

fn setup() -> (tempfile::TempDir, TestServer, PathBuf) {
    crate::support::apiserver::with_admin()
}

fn run(tmp: &tempfile::TempDir, kc: &std::path::Path, args: &[&str]) -> Run {
    kauth(tmp.path(), kc, args, None)
}

#[test]
fn request_approve_and_receive_a_certificate_the_server_accepts() {
    let (tmp, server, kc) = setup();
    let r = run(
        &tmp,
        &kc,
        &[
            "cert",
            "request",
            "--cn",
            "kfree",
            "--group",
            "dev",
            "--approve",
            "--expiration",
            "24h",
            "--set-credentials",
            "kfree",
            "--set-context",
            "kfree@test",
            "--cluster",
            "test",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "kfree.crt\n");
    assert!(
        r.stderr
            .contains("created certificatesigningrequest kauth-kfree (requested by kadmin)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "the API server will see user \"kfree\", groups \"dev\", \"system:authenticated\""
        ),
        "{}",
        r.stderr
    );
    // What was sent: the CSR object, then the approval.
    let seen = server.requests();
    let create = seen.iter().find(|s| s.method == "POST").unwrap();
    let body: serde_json::Value = serde_json::from_slice(&create.body).unwrap();
    assert_eq!(
        body["spec"]["signerName"],
        "kubernetes.io/kube-apiserver-client"
    );
    assert_eq!(body["spec"]["usages"], serde_json::json!(["client auth"]));
    assert_eq!(body["spec"]["expirationSeconds"], 86400);
    let approval = seen.iter().find(|s| s.method == "PUT").unwrap();
    assert_eq!(
        approval.path,
        "/apis/certificates.k8s.io/v1/certificatesigningrequests/kauth-kfree/approval"
    );
    let body: serde_json::Value = serde_json::from_slice(&approval.body).unwrap();
    assert_eq!(body["status"]["conditions"][0]["type"], "Approved");
    // The files: a private key and its certificate; openssl agrees they pair.
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(tmp.path().join("kfree.key"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    let modulus = |args: &[&str]| {
        Command::new("openssl")
            .args(args)
            .current_dir(tmp.path())
            .output()
            .unwrap()
            .stdout
    };
    assert_eq!(
        modulus(&["x509", "-in", "kfree.crt", "-noout", "-pubkey"]),
        modulus(&["pkey", "-in", "kfree.key", "-pubout"])
    );
    let verify = Command::new("openssl")
        .args([
            "verify",
            "-purpose",
            "sslclient",
            "-CAfile",
            "cluster-ca.crt",
            "kfree.crt",
        ])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
    // The kubeconfig context works against the server as kfree.
    let who = run(&tmp, &kc, &["auth", "whoami", "--context", "kfree@test"]);
    assert_eq!(who.code, 0, "{}", who.stderr);
    assert!(who.stdout.contains("kfree"), "{}", who.stdout);
    // And the list shows it.
    let list = run(&tmp, &kc, &["cert", "requests"]);
    assert!(list.stdout.starts_with("NAME"), "{}", list.stdout);
    let line = list
        .stdout
        .lines()
        .find(|l| l.starts_with("kauth-kfree"))
        .unwrap();
    assert!(
        line.contains("kubernetes.io/kube-apiserver-client")
            && line.contains("kadmin")
            && line.contains("24h"),
        "{line}"
    );
    assert!(
        line.contains("kfree (dev)") && line.ends_with("Approved,Issued"),
        "{line}"
    );
}

#[test]
fn a_denied_request_says_so_and_writes_no_certificate() {
    let (tmp, _server, kc) = setup();
    // Someone denies it while kauth waits.
    let kc2 = kc.clone();
    let dir = tmp.path().to_path_buf();
    let denier = std::thread::spawn(move || {
        // Once the CSR exists, let kauth poll it as pending (polls are
        // 250 ms apart) before denying it.
        let exists = || {
            kauth(&dir, &kc2, &["cert", "requests"], None)
                .stdout
                .contains("kauth-kdenied")
        };
        for _ in 0..100 {
            if exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        std::thread::sleep(std::time::Duration::from_millis(800));
        for _ in 0..40 {
            std::thread::sleep(std::time::Duration::from_millis(100));
            let r = kauth(
                &dir,
                &kc2,
                &["cert", "deny", "kauth-kdenied", "--reason", "NotOurs"],
                None,
            );
            if r.code == 0 {
                return r;
            }
        }
        panic!("the CSR never appeared");
    });
    let r = run(
        &tmp,
        &kc,
        &["cert", "request", "--cn", "kdenied", "--wait", "20s"],
    );
    let denied = denier.join().unwrap();
    assert_eq!(
        denied.stdout,
        "certificatesigningrequest.certificates.k8s.io/kauth-kdenied denied\n"
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("waiting for an approver: kubectl certificate approve kauth-kdenied"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("was denied (NotOurs)"), "{}", r.stderr);
    assert!(!tmp.path().join("kdenied.crt").exists());
    // Approving a denied request: refused before the server would.
    let r = run(&tmp, &kc, &["cert", "approve", "kauth-kdenied"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("already denied"), "{}", r.stderr);
}

#[test]
fn approved_but_never_issued_names_the_missing_signer() {
    let (tmp, server, kc) = setup();
    server
        .signer
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let r = run(
        &tmp,
        &kc,
        &[
            "cert",
            "request",
            "--cn",
            "kmanaged",
            "--approve",
            "--wait",
            "1s",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("is approved but no certificate was issued after 1 seconds: no signer is running for kubernetes.io/kube-apiserver-client"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("managed control planes"), "{}", r.stderr);
    // The key was kept (the request stays on the server); re-running with it
    // picks the same request up once a signer runs.
    assert!(tmp.path().join("kmanaged.key").exists());
    server
        .signer
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let r = run(
        &tmp,
        &kc,
        &[
            "cert",
            "request",
            "--cn",
            "kmanaged",
            "--key",
            "kmanaged.key",
            "--wait",
            "5s",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("exists for this key; carrying on"),
        "{}",
        r.stderr
    );
    assert!(tmp.path().join("kmanaged.crt").exists());
}

#[test]
fn name_collisions_permissions_and_bad_input_are_diagnosed() {
    let (tmp, server, kc) = setup();
    let r = run(
        &tmp,
        &kc,
        &["cert", "request", "--cn", "kcol", "--wait", "0s"],
    );
    assert_eq!(r.code, 1, "pending: {}", r.stderr);
    assert!(r.stderr.contains("still pending"), "{}", r.stderr);
    // Another key, same name.
    std::fs::create_dir_all(tmp.path().join("other")).unwrap();
    let r = run(
        &tmp,
        &kc,
        &[
            "cert",
            "request",
            "--cn",
            "kcol",
            "--out-dir",
            "other",
            "--wait",
            "0",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("certificatesigningrequest kauth-kcol already exists for another key (requested by kadmin, for kcol, Pending"), "{}", r.stderr);
    assert!(r.stderr.contains("--name"), "{}", r.stderr);
    assert!(
        !tmp.path().join("other/kcol.key").exists(),
        "no key is left behind by a failed request"
    );
    // A user without permission: the missing rule.
    let kfree = server.cert_kubeconfig("kfree", "kfree", &["dev"]);
    let r = run(
        &tmp,
        &kfree,
        &["cert", "request", "--cn", "kx", "--out-dir", "other"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("Error from server (Forbidden): certificatesigningrequests.certificates.k8s.io is forbidden: User \"kfree\" cannot create resource"), "{}", r.stderr);
    assert!(r.stderr.contains("kind: ClusterRole"), "{}", r.stderr);
    assert!(
        r.stderr.contains("certificatesigningrequests"),
        "{}",
        r.stderr
    );
    // Input checked before anything is sent.
    let before = server.requests().len();
    let r = run(
        &tmp,
        &kc,
        &["cert", "request", "--cn", "ky", "--expiration", "5m"],
    );
    assert!(r.stderr.contains("--expiration"), "{}", r.stderr);
    std::fs::write(tmp.path().join("kz.crt"), "keep").unwrap();
    let r = run(&tmp, &kc, &["cert", "request", "--cn", "kz"]);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("kz.crt")).unwrap(),
        "keep"
    );
    assert_eq!(server.requests().len(), before);
}
