//! `kauth sa` and `kauth token` on the real binary: token Secrets found by
//! type and annotation, TokenRequests, kubeconfigs and the token
//! controller, against the test API server (tokens signed with its own
//! ServiceAccount key), and offline from Secrets as kubectl prints them.

use std::path::{Path, PathBuf};

use crate::support::apiserver::TestServer;
use crate::support::{Run, kauth};
use serde_json::json;

use crate::support::apiserver_fixtures as fixtures;

/// A server, a kubeconfig whose user is cluster-admin, and its directory.
fn setup() -> (tempfile::TempDir, TestServer, PathBuf) {
    crate::support::apiserver::with_admin()
}

fn run(tmp: &tempfile::TempDir, kc: &Path, args: &[&str]) -> Run {
    kauth(tmp.path(), kc, args, None)
}

#[test]
fn the_token_secret_the_server_still_accepts_is_found_by_type_and_annotation() {
    let (tmp, server, kc) = setup();
    let uid = server.service_account("test", "sa1");
    let good = server.token_secret(
        "test",
        "sa1",
        "sa1-token",
        &uid,
        "2026-01-01T00:00:00Z",
        json!({}),
    );
    server.token_secret(
        "test",
        "sa1",
        "sa1-token-newer-invalid",
        &uid,
        "2026-06-01T00:00:00Z",
        json!({"kubernetes.io/legacy-token-invalid-since": "2026-10-01"}),
    );
    server.token_secret(
        "test",
        "sa1",
        "sa1-token-earlier-sa",
        "uid-of-a-deleted-sa",
        "2026-07-01T00:00:00Z",
        json!({}),
    );
    server.token_secret(
        "test",
        "other",
        "other-token",
        "uid-x",
        "2026-08-01T00:00:00Z",
        json!({}),
    );
    let r = run(&tmp, &kc, &["sa", "token", "test/sa1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        format!("{good}\n"),
        "stdout holds the token alone"
    );
    assert!(r.stderr.contains("Secret test/sa1-token"), "{}", r.stderr);
    assert!(
        r.stderr.contains("legacy-token-invalid-since=2026-10-01"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("earlier ServiceAccount"), "{}", r.stderr);
    assert!(
        r.stderr.contains("user \"system:serviceaccount:test:sa1\""),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(&good), "the token never goes to stderr");
    // The same with NAME and -n; and the token works against the server.
    let r2 = run(&tmp, &kc, &["sa", "token", "sa1", "-n", "test"]);
    assert_eq!(r2.stdout, r.stdout);
    let anon = server.kubeconfig("anon.kubeconfig", "    {}");
    let who = kauth(
        tmp.path(),
        &anon,
        &["auth", "whoami", "--token", "-"],
        Some(&good),
    );
    assert!(
        who.stdout.contains("system:serviceaccount:test:sa1"),
        "{}",
        who.stderr
    );
    // --token replaces the kubeconfig's certificate (kubectl --token would
    // still send it, and the certificate would win): the token is tested.
    let both = kauth(
        tmp.path(),
        &kc,
        &["auth", "whoami", "--token", "-"],
        Some(&good),
    );
    assert!(
        both.stdout.contains("system:serviceaccount:test:sa1"),
        "{}",
        both.stdout
    );
    assert!(
        !both.stderr.contains("both a client certificate"),
        "{}",
        both.stderr
    );
}

#[test]
fn without_a_token_secret_a_token_request_is_made() {
    let (tmp, server, kc) = setup();
    server.service_account("test", "sa1");
    let r = run(&tmp, &kc, &["sa", "token", "test/sa1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("no usable token Secret; asking the TokenRequest API"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("bound ServiceAccount token"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("(in 59 minutes)") || r.stderr.contains("(in 60 minutes)"),
        "{}",
        r.stderr
    );
    let token = r.stdout.trim();
    assert_eq!(server.last_body("/token")["spec"], json!({}));
    // The token authenticates as the ServiceAccount.
    let anon = server.kubeconfig("anon.kubeconfig", "    {}");
    let who = kauth(
        tmp.path(),
        &anon,
        &["auth", "whoami", "--token", "-"],
        Some(token),
    );
    assert!(
        who.stdout.contains("system:serviceaccount:test:sa1"),
        "{}",
        who.stderr
    );

    // TokenRequest flags imply --request and reach the body.
    let r = run(
        &tmp,
        &kc,
        &[
            "sa",
            "token",
            "test/sa1",
            "--duration",
            "2h",
            "--audience",
            "vault",
            "--bound-object-kind",
            "Pod",
            "--bound-object-name",
            "web-0",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        server.last_body("/token")["spec"],
        json!({"audiences": ["vault"], "expirationSeconds": 7200, "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "web-0"}})
    );
    assert!(
        r.stderr.contains("bound to:   Pod \"web-0\""),
        "{}",
        r.stderr
    );
    // Refused before asking: too short, or an unbindable kind.
    let before = server.requests().len();
    let r = run(&tmp, &kc, &["sa", "token", "test/sa1", "--duration", "5m"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--duration"), "{}", r.stderr);
    let r = run(
        &tmp,
        &kc,
        &[
            "sa",
            "token",
            "test/sa1",
            "--bound-object-kind",
            "Deployment",
            "--bound-object-name",
            "x",
        ],
    );
    assert!(r.stderr.contains("--bound-object-kind"), "{}", r.stderr);
    assert_eq!(server.requests().len(), before);
    let r = run(&tmp, &kc, &["sa", "token", "test/nope"]);
    assert_eq!((r.stdout.as_str(), r.code), ("", 1));
    assert!(
        r.stderr.contains("serviceaccount test/nope not found"),
        "{}",
        r.stderr
    );
}

#[test]
fn from_file_reads_secrets_as_kubectl_prints_them() {
    let tmp = tempfile::tempdir().unwrap();
    let none = tmp.path().join("no-kubeconfig");
    let dir = fixtures().join("kubectl");
    let yaml = dir.join("secret-sa1-token.yaml");
    let r = kauth(
        tmp.path(),
        &none,
        &[
            "sa",
            "token",
            "test/sa1",
            "--from-file",
            yaml.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let secret: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("secret-sa1-token.json")).unwrap())
            .unwrap();
    use base64::Engine as _;
    let want = base64::engine::general_purpose::STANDARD
        .decode(secret["data"]["token"].as_str().unwrap())
        .unwrap();
    assert_eq!(r.stdout.trim().as_bytes(), want.as_slice());
    assert!(
        r.stderr.contains("legacy ServiceAccount token"),
        "{}",
        r.stderr
    );
    // A List in JSON from stdin with both Secrets: the invalidated one is passed over.
    let old = std::fs::read_to_string(dir.join("secret-sa1-token-old.yaml")).unwrap();
    let both = format!("{}---\n{old}", std::fs::read_to_string(&yaml).unwrap());
    let r = kauth(
        tmp.path(),
        &none,
        &["sa", "token", "test/sa1", "--from-file", "-"],
        Some(&both),
    );
    assert_eq!(r.stdout.trim().as_bytes(), want.as_slice(), "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "sa1-token-old\" is labelled kubernetes.io/legacy-token-invalid-since=2026-11-22"
        ),
        "{}",
        r.stderr
    );
    let r = kauth(
        tmp.path(),
        &none,
        &["sa", "token", "test/sa1", "--from-file", "-"],
        Some(&old),
    );
    assert_eq!((r.stdout.as_str(), r.code), ("", 2));
    assert!(
        r.stderr
            .contains("no usable token Secret for ServiceAccount test/sa1"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(
            "kubectl label secret -n test sa1-token-old kubernetes.io/legacy-token-invalid-since-"
        ),
        "{}",
        r.stderr
    );
    let list = json!({"kind": "List", "apiVersion": "v1", "items": [secret]}).to_string();
    let r = kauth(
        tmp.path(),
        &none,
        &["sa", "token", "sa1", "-n", "test", "--from-file", "-"],
        Some(&list),
    );
    assert_eq!(r.stdout.trim().as_bytes(), want.as_slice(), "{}", r.stderr);
}

#[test]
fn sa_kubeconfig_writes_a_working_private_kubeconfig() {
    let (tmp, server, kc) = setup();
    server.service_account("test", "ci");
    let out = tmp.path().join("ci.kubeconfig");
    let r = run(
        &tmp,
        &kc,
        &["sa", "kubeconfig", "test/ci", "-o", out.to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        server.last_body("/token")["spec"]["expirationSeconds"],
        86400
    );
    // The new kubeconfig alone reaches the server as the ServiceAccount.
    let who = kauth(tmp.path(), &out, &["auth", "whoami"], None);
    assert_eq!(who.code, 0, "{}", who.stderr);
    assert!(
        who.stdout.contains("system:serviceaccount:test:ci"),
        "{}",
        who.stdout
    );
    // kubectl reads it the same way.
    if let Some(kubectl) = crate::support::kubectl() {
        let o = std::process::Command::new(kubectl)
            .args([
                "config",
                "view",
                "--kubeconfig",
                out.to_str().unwrap(),
                "-o",
                "jsonpath={.contexts[0].context.namespace} {.current-context} {.users[0].name}",
            ])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&o.stdout),
            "test ci@test system:serviceaccount:test:ci"
        );
    }
    // Never overwritten without --force.
    let before = std::fs::read(&out).unwrap();
    let r = run(
        &tmp,
        &kc,
        &["sa", "kubeconfig", "test/ci", "-o", out.to_str().unwrap()],
    );
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), before);
    // --ca-from-secret needs a token Secret with a ca.crt.
    let r = run(
        &tmp,
        &kc,
        &["sa", "kubeconfig", "test/ci", "--ca-from-secret"],
    );
    assert!(
        r.stderr.contains("has no token Secret with a ca.crt"),
        "{}",
        r.stderr
    );
    let uid = server.service_account("test", "ci2");
    server.token_secret(
        "test",
        "ci2",
        "ci2-token",
        &uid,
        "2026-01-01T00:00:00Z",
        json!({}),
    );
    let r = run(
        &tmp,
        &kc,
        &["sa", "kubeconfig", "test/ci2", "--ca-from-secret"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    use base64::Engine as _;
    assert!(
        r.stdout
            .contains(&base64::engine::general_purpose::STANDARD.encode(&server.ca_pem)),
        "{}",
        r.stdout
    );
}

#[test]
fn create_token_secret_waits_for_the_token_controller() {
    let (tmp, server, kc) = setup();
    server.service_account("test", "sa2");
    let r = run(&tmp, &kc, &["sa", "create-token-secret", "test/sa2"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "secret/sa2-token created\n");
    assert!(r.stderr.contains("never expires"), "{}", r.stderr);
    assert!(r.stderr.contains("the token is ready"), "{}", r.stderr);
    let created = server
        .requests()
        .into_iter()
        .find(|s| s.method == "POST")
        .unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&created.body).unwrap(),
        json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
               "metadata": {"name": "sa2-token", "namespace": "test", "annotations": {"kubernetes.io/service-account.name": "sa2"}}})
    );
    // It is now found by `sa token`.
    let r = run(&tmp, &kc, &["sa", "token", "test/sa2"]);
    assert!(r.stderr.contains("Secret test/sa2-token"), "{}", r.stderr);
    // The name is taken.
    let r = run(&tmp, &kc, &["sa", "create-token-secret", "test/sa2"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("secret test/sa2-token already exists"),
        "{}",
        r.stderr
    );
    // No controller: a clear timeout.
    server
        .token_controller
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let r = run(
        &tmp,
        &kc,
        &[
            "sa",
            "create-token-secret",
            "test/sa2",
            "--name",
            "sa2-b",
            "--timeout",
            "1s",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("no controller filled secret test/sa2-b"),
        "{}",
        r.stderr
    );
    let r = run(&tmp, &kc, &["sa", "create-token-secret", "test/ghost"]);
    assert!(
        r.stderr.contains("serviceaccount test/ghost not found"),
        "{}",
        r.stderr
    );
}

#[test]
fn token_inspect_tells_legacy_from_bound_and_checks_signatures() {
    let tmp = tempfile::tempdir().unwrap();
    let none = tmp.path().join("none");
    let secret: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("kubectl/secret-sa1-token.json")).unwrap(),
    )
    .unwrap();
    use base64::Engine as _;
    let legacy = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(secret["data"]["token"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    let sa_pub = fixtures().join("certs/sa.pub");
    let r = kauth(
        tmp.path(),
        &none,
        &["token", "inspect", "-", "--key", sa_pub.to_str().unwrap()],
        Some(&legacy),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("issuer:     kubernetes/serviceaccount"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("legacy ServiceAccount token"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("expires:    never"), "{}", r.stdout);
    assert!(
        r.stdout.contains("user \"system:serviceaccount:test:sa1\""),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("checked:     signature (RS256)"),
        "{}",
        r.stdout
    );
    // Another key: refused.
    let other = tmp.path().join("other.pub");
    let key =
        kauth_pki::key::PrivateKey::generate(kauth_pki::key::KeyAlgorithm::EcdsaP256).unwrap();
    std::fs::write(
        &other,
        kauth_pki::cert::to_pem("PUBLIC KEY", &key.public_key_der().unwrap()),
    )
    .unwrap();
    let r = kauth(
        tmp.path(),
        &none,
        &[
            "token",
            "inspect",
            "-",
            "--key",
            other.to_str().unwrap(),
            "-o",
            "json",
        ],
        Some(&legacy),
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["accepted"], false);
    assert_eq!(
        v["claims"]["kubernetes.io/serviceaccount/secret.name"],
        "sa1-token"
    );
    // A bound token, recorded from the real server.
    let rec: serde_json::Value = serde_json::from_slice(
        &std::fs::read(fixtures().join("tokenrequest-bound-secret.json")).unwrap(),
    )
    .unwrap();
    let bound = rec["response"]["body"]["status"]["token"].as_str().unwrap();
    let r = kauth(
        tmp.path(),
        &none,
        &["token", "inspect", bound, "--at", "2026-11-22T21:36:00Z"],
        None,
    );
    assert!(
        r.stdout.contains("bound ServiceAccount token"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("bound to:   Secret \"sa1-token\""),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("audience:   https://kubernetes.default.svc.cluster.local, kauth-test"),
        "{}",
        r.stdout
    );
    // A bootstrap token is recognised: its id, never its secret part.
    for output in ["text", "json"] {
        let r = kauth(
            tmp.path(),
            &none,
            &["token", "inspect", "abcdef.0123456789abcdef", "-o", output],
            None,
        );
        assert_eq!(r.code, 0, "{output}: {}", r.stderr);
        assert!(r.stdout.contains("abcdef"), "{output}: {}", r.stdout);
        assert!(
            r.stdout.contains("kube-system/bootstrap-token-abcdef"),
            "{}",
            r.stdout
        );
        assert!(r.stdout.contains("system:bootstrap:abcdef"), "{}", r.stdout);
        assert!(!r.stdout.contains("0123456789abcdef"), "{}", r.stdout);
        assert!(!r.stderr.contains("0123456789abcdef"), "{}", r.stderr);
    }
    let r = kauth(
        tmp.path(),
        &none,
        &["token", "inspect", "abcdef.0123456789abcdef", "-o", "json"],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["kind"], "BootstrapToken");
    assert_eq!(v["tokenID"], "abcdef");
    // Upper case is not the bootstrap form: the server never matches it.
    let r = kauth(
        tmp.path(),
        &none,
        &["token", "inspect", "ABCDEF.0123456789abcdef"],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a JWT"), "{}", r.stderr);
    assert!(r.stderr.contains("lower-case"), "{}", r.stderr);
    // Said once, not twice.
    assert_eq!(r.stderr.matches("not a JWT").count(), 1, "{}", r.stderr);

    // An unsigned token is described, then refused.
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let unsigned = format!(
        "{}.{}.",
        b64(r#"{"alg":"none"}"#),
        b64(r#"{"iss":"x","sub":"system:serviceaccount:a:b"}"#)
    );
    for output in ["text", "json"] {
        let r = kauth(
            tmp.path(),
            &none,
            &["token", "inspect", &unsigned, "-o", output],
            None,
        );
        assert_ne!(r.code, 0, "{output}: {}", r.stdout);
        assert!(r.stdout.contains("none"), "{output}: {}", r.stdout);
        assert!(r.stderr.contains("unsigned"), "{output}: {}", r.stderr);
    }
}
