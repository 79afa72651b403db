//! Client certificates against a real kube-apiserver: the 479 chains in
//! tests/fixtures/x509 (see its README) and the identity or refusal the
//! server gave each are replayed through `kauth auth whoami --offline` with
//! the same `--client-ca` at the recorded time. kauth must give the same
//! user (name, UID, groups, credential ID), the same anonymous fallback,
//! or a refusal with the server's own reason; and `kauth cert inspect
//! --ca` must not contradict it.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::cargo_bin;
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/x509")
}

/// Cases kauth does not yet answer as the server did, each with the
/// reason. Empty when kauth agrees everywhere.
const KNOWN_DIVERGENCES: &[(&str, &str)] = &[];

/// The least agreement accepted while known divergences remain.
const MIN_AGREEMENT: usize = 450;

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// The user the request ran as (`system:anonymous` when the
    /// certificate made none).
    User(Value),
    /// A 401 or a refused handshake, with the reason as kauth or the
    /// server words it.
    Refused(String),
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(cargo_bin("kauth"))
        .args(args)
        .current_dir(dir())
        .env("NO_COLOR", "1")
        .env("KUBECONFIG", "/nonexistent/kubeconfig")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn whoami(chain: &str, at: &str) -> Outcome {
    let (code, stdout, stderr) = run(&[
        "auth",
        "whoami",
        "--offline",
        "--cert",
        chain,
        "--client-ca",
        "ca.crt",
        "--at",
        at,
        "-o",
        "json",
    ]);
    if code != 0 {
        return Outcome::Refused(format!("exit {code}: {}", stderr.trim()));
    }
    let review: Value = serde_json::from_str(&stdout).unwrap();
    Outcome::User(review["status"]["userInfo"].clone())
}

/// The server's user for a request without a usable certificate.
fn anonymous() -> Outcome {
    Outcome::User(serde_json::json!({
        "username": "system:anonymous",
        "groups": ["system:unauthenticated"],
    }))
}

/// What `cert inspect --ca` says, in the same terms.
fn inspect(chain: &str, at: &str) -> Outcome {
    let (code, stdout, stderr) = run(&[
        "cert", "inspect", chain, "--ca", "ca.crt", "--at", at, "-o", "json",
    ]);
    if stdout.trim().is_empty() {
        return Outcome::Refused(format!("exit {code}: {}", stderr.trim()));
    }
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    let verification = &doc["verification"];
    let error = verification["error"].as_str().unwrap_or_default();
    if verification["accepted"] != true {
        return match error.contains("empty CommonName") {
            true => anonymous(),
            false => Outcome::Refused(error.to_string()),
        };
    }
    match (&doc["userInfo"], doc["userError"].as_str()) {
        (Value::Null, Some(e)) if e.contains("empty CommonName") => anonymous(),
        (Value::Null, e) => Outcome::Refused(e.unwrap_or_default().to_string()),
        (u, _) => Outcome::User(u.clone()),
    }
}

/// The server's answer, or `None` when the recording client could not
/// present the chain at all.
fn expected(server: &Value) -> Option<Outcome> {
    match server["kind"].as_str().unwrap() {
        // The recorder's "anonymous" also covers a certificate user named
        // `system:anonymous`; the userInfo tells them apart.
        "user" | "anonymous" => Some(Outcome::User(server["userInfo"].clone())),
        "unauthorized" | "tls-rejected" => Some(Outcome::Refused(
            server["reason"].as_str().unwrap().to_string(),
        )),
        "client-unsupported" => None,
        other => panic!("unknown server answer kind {other}"),
    }
}

/// Whether kauth's outcome is the server's: the same user, anonymous, or
/// a refusal whose text carries the server's reason.
fn agrees(expected: &Outcome, got: &Outcome) -> bool {
    match (expected, got) {
        (Outcome::Refused(reason), Outcome::Refused(text)) => text.contains(reason.as_str()),
        (a, b) => a == b,
    }
}

/// `cert inspect` contradicts the server when it names another user, or
/// accepts what the server refused.
fn contradicts(expected: &Outcome, inspected: &Outcome) -> bool {
    match (expected, inspected) {
        (Outcome::Refused(_), Outcome::Refused(_)) => false,
        (a, b) => a != b,
    }
}

struct Case {
    name: String,
    asked_at: String,
    expected: Option<Outcome>,
    exercises: String,
}

fn cases() -> Vec<Case> {
    std::fs::read_to_string(dir().join("cases.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            // The server's clock when it judged validity, when its message
            // gives it (`current time ... is after ...`): `asked_at` was
            // taken around the request and can be a second off.
            let reason = v["server"]["reason"].as_str().unwrap_or_default();
            let judged_at = reason
                .split_once("current time ")
                .and_then(|(_, rest)| rest.split(' ').next());
            Case {
                name: v["name"].as_str().unwrap().to_string(),
                asked_at: judged_at
                    .or(v["server"]["asked_at"].as_str())
                    .unwrap_or("2026-12-02T16:58:00Z")
                    .to_string(),
                expected: expected(&v["server"]),
                exercises: v["exercises"].as_str().unwrap_or_default().to_string(),
            }
        })
        .collect()
}

#[test]
fn every_recorded_certificate_gets_the_servers_answer() {
    let cases = cases();
    assert_eq!(cases.len(), 479);
    let judged: Vec<&Case> = cases.iter().filter(|c| c.expected.is_some()).collect();
    let results: Vec<(String, Outcome, Outcome)> = std::thread::scope(|s| {
        let chunks: Vec<_> = judged
            .chunks(judged.len().div_ceil(4))
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|c| {
                            let chain = format!("cases/{}/chain.pem", c.name);
                            (
                                c.name.clone(),
                                whoami(&chain, &c.asked_at),
                                inspect(&chain, &c.asked_at),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        chunks.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let mut agree = 0;
    let mut divergences = Vec::new();
    let mut contradictions = Vec::new();
    for ((name, got, inspected), case) in results.iter().zip(&judged) {
        let want = case.expected.as_ref().unwrap();
        let allowed = KNOWN_DIVERGENCES.iter().any(|(n, _)| n == name);
        if agrees(want, got) {
            agree += 1;
        } else if !allowed {
            divergences.push(format!(
                "{name} ({}):\n    server: {want:?}\n    kauth:  {got:?}",
                case.exercises
            ));
        }
        if contradicts(want, inspected) && !allowed {
            contradictions.push(format!(
                "{name}: server {want:?}, cert inspect {inspected:?}"
            ));
        }
    }
    eprintln!(
        "x509 replay: {agree}/{} agree ({} cases the recording client could not present)",
        judged.len(),
        cases.len() - judged.len()
    );
    for d in &divergences {
        eprintln!("{d}");
    }
    for c in &contradictions {
        eprintln!("{c}");
    }
    assert!(
        agree >= MIN_AGREEMENT,
        "agreement fell to {agree}/{}",
        judged.len()
    );
    if MIN_AGREEMENT == judged.len() - KNOWN_DIVERGENCES.len() {
        assert!(divergences.is_empty(), "{} divergences", divergences.len());
        assert!(
            contradictions.is_empty(),
            "{} contradictions",
            contradictions.len()
        );
    }
}

/// `openssl req -sha512` CSRs and a P-521 CA: kauth signs the request and
/// accepts the certificate it made, as Go would (it used to call the CSR
/// "altered or signed with another key").
#[test]
fn openssl_sha512_requests_and_p521_cas_are_accepted() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(d)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    openssl(&[
        "ecparam",
        "-name",
        "secp521r1",
        "-genkey",
        "-noout",
        "-out",
        "ca.key",
    ]);
    openssl(&[
        "req",
        "-x509",
        "-new",
        "-key",
        "ca.key",
        "-sha512",
        "-subj",
        "/CN=p521-ca",
        "-days",
        "3",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
        "-out",
        "ca.crt",
    ]);
    openssl(&["genrsa", "-out", "u.key", "2048"]);
    openssl(&[
        "req",
        "-new",
        "-key",
        "u.key",
        "-sha512",
        "-subj",
        "/O=dev/CN=kfree",
        "-out",
        "u.csr",
    ]);
    let run = |args: &[&str]| {
        let out = Command::new(cargo_bin("kauth"))
            .args(args)
            .current_dir(d)
            .env("KUBECONFIG", d.join("none"))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, _, err) = run(&[
        "cert", "sign", "--csr", "u.csr", "--ca", "ca.crt", "--ca-key", "ca.key", "--days", "1",
        "-o", "u.crt",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = run(&[
        "auth",
        "whoami",
        "--offline",
        "--cert",
        "u.crt",
        "--client-ca",
        "ca.crt",
        "-o",
        "json",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let review: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(review["status"]["userInfo"]["username"], "kfree");
}
