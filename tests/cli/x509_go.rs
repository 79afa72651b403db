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
