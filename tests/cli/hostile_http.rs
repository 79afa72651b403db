//! The HTTP client against hostile input and a hostile server
//! (tests/cli/support/hostile_server.rs): header injection, unbounded
//! sizes, credentials that must not leak, proxies with user info, IPv6
//! kubelet addresses, `NO_PROXY`, redirects and `-v` logging.

use crate::support::hostile_server::Hostile;
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
