//! A bearer token is judged as the server reads it from the header that
//! client-go sends (`Bearer <token>`, trimmed, split at spaces).

use crate::support::kauth;

#[test]
fn whoami_offline_reads_the_token_as_the_server_reads_the_header() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tokens.csv"), "abc,alice,u1,dev\n").unwrap();
    let kubeconfig = dir.path().join("none.yaml");
    let whoami = |token: &str| {
        kauth(
            dir.path(),
            &kubeconfig,
            &[
                "auth",
                "whoami",
                "--offline",
                "--token",
                token,
                "--token-file",
                "tokens.csv",
            ],
            None,
        )
    };
    // Trailing white space is trimmed with the header; an inner space ends
    // the token.
    for token in ["abc", "abc \t", "abc def"] {
        let run = whoami(token);
        assert_eq!(run.code, 0, "{token:?}: {}", run.stderr);
        assert!(run.stdout.contains("alice"), "{token:?}: {}", run.stdout);
    }
    // A leading space leaves the server an empty token, which it ignores
    // with a Warning: the request is anonymous (recorded from a v1.36
    // server: tests/fixtures/apiserver/chain README, `Bearer  <tok>`).
    let run = whoami(" abc");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("system:anonymous"), "{}", run.stdout);
    assert!(
        run.stderr.contains(
            "Warning: the provided Authorization header contains extra space before the bearer token, and is ignored"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("alice"));
}
