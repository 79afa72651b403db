//! A front proxy's request: `whoami --offline --proxy-cert ... --remote-user`
//! judged with the request-header settings of a recorded kube-apiserver
//! v1.36 (`tests/fixtures/apiserver/chain/requestheader-allowed`), and
//! `kauth request --proxy-cert` sending exactly the headers such a proxy
//! sends, with the proxy's certificate as its only credential.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::apiserver_chain::flags_file;
use crate::support::apiserver::TestServer;
use crate::support::kauth;

const SCENARIO: &str = "requestheader-allowed";
/// A moment when the recorded certificates were valid (a recorded case's).
const AT: &str = "2026-12-02T17:08:16Z";

fn cert(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/apiserver/chain")
        .join(SCENARIO)
        .join(format!("config/files/client-certs/{name}.crt"))
}

fn whoami(dir: &Path, flags: &Path, proxy: &str, extra: &[&str]) -> crate::support::Run {
    let c = cert(proxy);
    let mut args = vec![
        "auth",
        "whoami",
        "--offline",
        "--apiserver",
        flags.to_str().unwrap(),
        "--proxy-cert",
        c.to_str().unwrap(),
        "--at",
        AT,
        "-o",
        "json",
        "--kubeconfig",
        "/dev/null",
    ];
    args.extend(extra);
    kauth(dir, &dir.join("none"), &args, None)
}

#[test]
fn whoami_judges_a_front_proxy_as_the_recorded_server_did() {
    let tmp = tempfile::tempdir().unwrap();
    let flags = flags_file(SCENARIO, tmp.path());
    let user = [
        "--remote-user",
        "bob",
        "--remote-group",
        "dev",
        "--remote-group",
        "qa",
        "--remote-uid",
        "u-7",
        "--remote-extra",
        "Example.com/Team=a b",
    ];
    // The allowed proxy: the user of its headers, extra key case kept.
    let run = whoami(tmp.path(), &flags, "fp-client", &user);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        got["status"]["userInfo"],
        json!({"username": "bob", "uid": "u-7", "groups": ["dev", "qa", "system:authenticated"],
               "extra": {"Example.com/Team": ["a b"]}})
    );
    assert!(run.stderr.contains("request-header"), "{}", run.stderr);
    // A proxy whose CN is not allowed: 401, the server's reason first.
    let run = whoami(tmp.path(), &flags, "fp-other-cn", &user);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stderr.contains("is not in the allowed list"),
        "{}",
        run.stderr
    );
    // A trusted proxy naming no user: not anonymous, a 401 (x509 then
    // refuses the proxy's certificate).
    let run = whoami(tmp.path(), &flags, "fp-client", &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    // A certificate of the client CA is its own user: the headers are ignored.
    let run = whoami(tmp.path(), &flags, "cluster-ca-client", &user);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_ne!(got["status"]["userInfo"]["username"], "bob");
    // A malformed extra is named.
    let run = whoami(
        tmp.path(),
        &flags,
        "fp-client",
        &["--remote-user", "bob", "--remote-extra", "novalue"],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--remote-extra \"novalue\""),
        "{}",
        run.stderr
    );
}

#[test]
fn request_sends_what_a_front_proxy_sends() {
    let tmp = tempfile::tempdir().unwrap();
    let server = TestServer::start(tmp.path(), "", "t0k3n,alice,1,\"\"\n");
    let (crt, key) = server.client_cert("proxy", "front-proxy-client", &[]);
    // The kubeconfig user has a token: it must not be sent.
    let kubeconfig = server.kubeconfig("token.kubeconfig", "    token: t0k3n");
    let run = kauth(
        tmp.path(),
        &kubeconfig,
        &[
            "request",
            "GET",
            "/api/v1/namespaces/test/pods",
            "--proxy-cert",
            crt.to_str().unwrap(),
            "--proxy-key",
            key.to_str().unwrap(),
            "--remote-user",
            "bob",
            "--remote-group",
            "dev",
            "--remote-group",
            "qa",
            "--remote-extra",
            "Example.com/Team=a",
        ],
        None,
    );
    let seen = server.requests();
    // (A refusal is explained after, with a SelfSubjectReview: find the GET.)
    let last = seen
        .iter()
        .find(|s| s.method == "GET")
        .unwrap_or_else(|| panic!("no request: {}", run.stderr));
    let values = |name: &str| -> Vec<&str> {
        last.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    };
    assert_eq!(values("X-Remote-User"), ["bob"], "{}", run.stderr);
    assert_eq!(values("X-Remote-Group"), ["dev", "qa"]);
    assert_eq!(values("X-Remote-Extra-%45xample.com%2F%54eam"), ["a"]);
    assert!(values("Authorization").is_empty(), "{:?}", last.headers);
    // The server saw the proxy's certificate as the client certificate.
    assert_eq!(
        last.user.as_ref().map(|u| u.username.as_str()),
        Some("front-proxy-client")
    );
}
