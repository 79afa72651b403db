//! The HTTP client against hostile input and a hostile server
//! (tests/cli/support/hostile_server.rs): header injection, unbounded
//! sizes, credentials that must not leak, proxies with user info, IPv6
//! kubelet addresses, `NO_PROXY`, redirects, `-v` logging, and explicit
//! credential flags that replace the kubeconfig user's credentials.

use crate::support::apiserver::TestServer;
use crate::support::hostile_server::{Answer, Hostile};
use crate::support::kauth;

const OK: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";

fn no_injected_header(server: &Hostile) {
    for r in server.requests() {
        let lower = r.to_ascii_lowercase();
        assert!(
            !lower.contains("\nx-injected") && !lower.contains("\nx-evil"),
            "an injected header reached the wire: {r:?}"
        );
    }
}

#[test]
fn a_token_with_a_line_break_is_refused_and_not_printed() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Hostile::answering(OK);
    let kc = server.kubeconfig(tmp.path(), "    token: \"abc\\r\\nX-Injected: 1\"");
    let r = kauth(tmp.path(), &kc, &["request", "/version"], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("invalid header field value for \"Authorization\""),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("abc"), "{}", r.stderr);
    assert!(!r.stderr.contains("X-Injected"), "{}", r.stderr);
    no_injected_header(&server);
    assert!(server.requests().is_empty());
}

#[test]
fn an_impersonated_user_with_a_line_break_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Hostile::answering(OK);
    let kc = server.kubeconfig(tmp.path(), "    {}");
    for args in [
        vec!["request", "/version", "--as", "bob\nX-Evil: yes"],
        vec![
            "request",
            "/version",
            "--as",
            "bob",
            "--as-group",
            "g\rX-Evil: yes",
        ],
        vec!["request", "/version", "-H", "Accept: a\u{7f}b"],
    ] {
        let r = kauth(tmp.path(), &kc, &args, None);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("invalid header field value for \""),
            "{args:?}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("X-Evil"), "{}", r.stderr);
    }
    no_injected_header(&server);
    // A tab and non-ASCII text are valid in values, as in Go.
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/version", "--as", "bob\tthe builder é"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(server.requests()[0].contains("Impersonate-User: bob\tthe builder é\r\n"));
}

#[test]
fn a_bad_header_name_or_path_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Hostile::answering(OK);
    let kc = server.kubeconfig(tmp.path(), "    {}");
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/version", "-H", "X Bad: 1"],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("invalid header field name \"X Bad\""),
        "{}",
        r.stderr
    );
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/v HTTP/1.1\r\nX-Evil: 1\r\n"],
        None,
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("invalid request path"), "{}", r.stderr);
    assert!(server.requests().is_empty());
}

/// Runs `kauth request /version` against a server giving `answer`, and
/// returns stderr after checking for a clean exit 2 (not an abort).
fn refused(answer: Answer) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let server = Hostile::start(move |_| answer.clone());
    let kc = server.kubeconfig(tmp.path(), "    {}");
    let started = std::time::Instant::now();
    let r = kauth(tmp.path(), &kc, &["request", "/version"], None);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    r.stderr
}

fn head(text: &str) -> Vec<u8> {
    text.as_bytes().to_vec()
}

#[test]
fn a_huge_content_length_is_refused_not_allocated() {
    let e = refused(Answer::Bytes(head(
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999\r\n\r\n{}",
    )));
    assert!(
        e.contains("the server announces 99999999999999 bytes, over kauth's limit of 256 MiB"),
        "{e}"
    );
    let e = refused(Answer::Bytes(head(
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}",
    )));
    assert!(
        e.contains("the response ended after 2 of the 10 bytes"),
        "{e}"
    );
    let e = refused(Answer::Bytes(head(
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
    )));
    assert!(e.contains("bad Content-Length \"-1\""), "{e}");
}

#[test]
fn endless_headers_are_cut_at_a_limit() {
    let e = refused(Answer::Endless {
        head: head("HTTP/1.1 200 OK\r\nX-Long: "),
        filler: vec![b'a'; 65536],
    });
    assert!(
        e.contains("response headers exceed kauth's limit of 1 MiB"),
        "{e}"
    );
    let e = refused(Answer::Endless {
        head: head("HTTP/1.1 200 OK\r\n"),
        filler: b"X-Many: b\r\n".repeat(1000),
    });
    assert!(
        e.contains("response headers exceed kauth's limit of 1 MiB"),
        "{e}"
    );
    let e = refused(Answer::Endless {
        head: head("HTTP/1.1 "),
        filler: vec![b'2'; 65536],
    });
    assert!(e.contains("limit of 1 MiB"), "{e}");
}

#[test]
fn huge_or_broken_chunks_are_refused() {
    let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    let e = refused(Answer::Bytes(head(&format!("{chunked}FFFFFFFFFFFF\r\n"))));
    assert!(
        e.contains("a chunk of 281474976710655 bytes, over kauth's limit of 256 MiB"),
        "{e}"
    );
    let e = refused(Answer::Bytes(head(&format!(
        "{chunked}FFFFFFFFFFFFFFFFFFFFFFFF\r\n"
    ))));
    assert!(
        e.contains("bad chunk size \"FFFFFFFFFFFFFFFFFFFFFFFF\""),
        "{e}"
    );
    let e = refused(Answer::Endless {
        head: head(&format!("{chunked}1")),
        filler: vec![b'0'; 65536],
    });
    assert!(e.contains("a chunk size line longer than 4 KiB"), "{e}");
    let e = refused(Answer::Bytes(head(&format!("{chunked}5\r\nab"))));
    assert!(e.contains("the response ended inside a chunk"), "{e}");
    let e = refused(Answer::Bytes(head(&format!(
        "{chunked}2\r\nabcdef\r\n0\r\n\r\n"
    ))));
    assert!(e.contains("a chunk is longer than its size says"), "{e}");
    let e = refused(Answer::Bytes(head(&format!("{chunked}2\r\nab\r\n"))));
    assert!(
        e.contains("the response ended inside its chunked body"),
        "{e}"
    );
}

#[test]
fn an_endless_body_without_a_length_is_cut_at_the_limit() {
    let e = refused(Answer::Endless {
        head: head("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"),
        filler: vec![b'a'; 1 << 20],
    });
    assert!(
        e.contains("the response has no length and goes on, over kauth's limit of 256 MiB"),
        "{e}"
    );
}

// Explicit credential flags are the credential under test: the
// kubeconfig user's own credentials are not sent beside them.

const TOKENS: &str = "s3cr3t-alice-token,alice,1001,\"readers\"\n";

#[test]
fn an_explicit_token_replaces_the_kubeconfig_certificate() {
    let tmp = tempfile::tempdir().unwrap();
    let server = TestServer::start(tmp.path(), "", TOKENS);
    let kc = server.cert_kubeconfig("admin", "kadmin", &["system:masters"]);
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/version", "--token", "s3cr3t-alice-token"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].user.as_ref().unwrap().username, "alice");
    assert_eq!(
        seen[0].header("Authorization"),
        Some("Bearer s3cr3t-alice-token")
    );
}

#[test]
fn an_explicit_certificate_replaces_the_kubeconfig_token() {
    let tmp = tempfile::tempdir().unwrap();
    let server = TestServer::start(tmp.path(), "", TOKENS);
    let kc = server.kubeconfig("alice.kubeconfig", "    token: s3cr3t-alice-token");
    let (crt, key) = server.client_cert("kfree", "kfree", &["dev"]);
    let r = kauth(
        tmp.path(),
        &kc,
        &[
            "request",
            "/version",
            "--cert",
            crt.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let seen = server.requests();
    assert_eq!(seen[0].user.as_ref().unwrap().username, "kfree");
    assert!(seen[0].header("Authorization").is_none());
}

#[test]
fn an_explicit_token_skips_the_kubeconfig_exec_plugin() {
    let tmp = tempfile::tempdir().unwrap();
    let server = TestServer::start(tmp.path(), "", TOKENS);
    let ran = tmp.path().join("ran");
    let kc = server.kubeconfig(
        "exec.kubeconfig",
        &format!(
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: sh\n      args: [-c, 'touch {}; exit 1']\n      interactiveMode: Never",
            ran.display()
        ),
    );
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/version", "--token", "s3cr3t-alice-token"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!ran.exists());
    assert_eq!(
        server.requests()[0].user.as_ref().unwrap().username,
        "alice"
    );
}

#[test]
fn a_kubeconfig_with_both_warns_once() {
    let tmp = tempfile::tempdir().unwrap();
    let server = TestServer::start(tmp.path(), "", TOKENS);
    let (crt, key) = server.client_cert("kfree", "kfree", &["dev"]);
    let kc = server.kubeconfig(
        "both.kubeconfig",
        &format!(
            "    client-certificate: {}\n    client-key: {}\n    token: s3cr3t-alice-token",
            crt.display(),
            key.display()
        ),
    );
    let r = kauth(
        tmp.path(),
        &kc,
        &["request", "/api/v1/namespaces/test/secrets"],
        None,
    );
    assert_eq!(r.stderr.matches("warning: both").count(), 1, "{}", r.stderr);
}

/// A credential sent to an `http://` server is sent in the clear: kauth
/// says so (once) and never prints the credential; without a credential
/// there is nothing to warn about.
#[test]
fn a_credential_over_plain_http_is_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Hostile::answering(OK);
    let kc = server.kubeconfig(tmp.path(), "    token: plain-http-token");
    let r = kauth(tmp.path(), &kc, &["request", "/version"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("sent unencrypted").count(),
        1,
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("plain-http-token"), "{}", r.stderr);
    let server = Hostile::answering(OK);
    let anonymous = server.kubeconfig(tmp.path(), "    {}");
    let r = kauth(tmp.path(), &anonymous, &["request", "/version"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("unencrypted"), "{}", r.stderr);
}
