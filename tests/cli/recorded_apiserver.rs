//! kauth's model of kube-apiserver against a real one: every exchange
//! recorded from kube-apiserver v1.36 (tests/fixtures/apiserver, see its
//! README) is replayed through kauth's authentication and authorization
//! core with the same client CA, token file, ServiceAccount key and RBAC
//! objects, at the recorded time. kauth must reach the same decision: 401,
//! 403 with the same message, or allowed; the same SelfSubjectReview
//! identity; the same SelfSubjectAccessReview answer and reason.

use std::path::{Path, PathBuf};

use kauth_auth::authn::jwt::PublicKey;
use kauth_auth::authn::service_account::Check;
use kauth_auth::authn::token_file::TokenFile;
use kauth_auth::authn::{Credential, ServerConfig, Verdict, authenticate};
use kauth_auth::authz::rbac::{Attributes, Policy};
use kauth_auth::authz::{self, Outcome};
use kauth_auth::request_info;
use kauth_pki::cert;
use serde_json::Value;
use time::OffsetDateTime;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/apiserver")
}

/// The server's flags, as the recording's README gives them.
fn server() -> ServerConfig {
    let d = dir();
    let mut s = ServerConfig {
        client_ca: Some(cert::certificates_from_pem(&std::fs::read(d.join("certs/ca.crt")).unwrap()).unwrap()),
        // The static tokens the README lists.
        token_file: Some(
            TokenFile::parse(
                "oracle-admin-token,token-admin,uid-token-admin,system:masters\noracle-alice-token,alice,uid-alice,\"devs,qa\"\noracle-bob-token,bob,uid-bob\n",
                "tokens.csv",
            )
            .unwrap(),
        ),
        ..ServerConfig::default()
    };
    s.service_accounts.keys =
        PublicKey::from_pem(&std::fs::read(d.join("certs/sa.pub")).unwrap(), "sa.pub").unwrap();
    s.service_accounts.issuers = vec!["https://kubernetes.default.svc.cluster.local".into()];
    s
}

fn policy() -> Policy {
    let mut p = authz::default_policy();
    p.add_text(
        &std::fs::read_to_string(dir().join("manifests/setup.yaml")).unwrap(),
        "setup.yaml",
    )
    .unwrap();
    p.aggregate();
    p.index();
    p
}

/// The credential of a recorded request.
fn credential(request: &Value) -> Credential {
    let auth = request["auth"].as_str().unwrap_or("");
    let bearer = request["headers"]["Authorization"]
        .as_str()
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::to_string);
    let cert_file = [
        ("CN=kauth-admin", "admin.crt"),
        ("CN=kfree", "kfree.crt"),
        ("CN=kexpired", "expired.crt"),
        ("CN=kstranger", "unknownca.crt"),
        ("CN=carol", "carol.crt"),
        ("CN=kcsr", "kcsr.crt"),
    ]
    .iter()
    .find(|(needle, _)| auth.contains(needle))
    .map(|(_, f)| *f)
    .filter(|_| auth.starts_with("client certificate"));
    let chain = cert_file.map(|f| {
        cert::certificates_from_pem(&std::fs::read(dir().join("certs").join(f)).unwrap()).unwrap()
    });
    match (chain, bearer) {
        (Some(c), Some(t)) => Credential::CertificateAndToken(c, t),
        (Some(c), None) => Credential::Certificate(c),
        (None, Some(t)) => Credential::Token(t),
        (None, None) => Credential::None,
    }
}

fn recorded_time(response: &Value) -> OffsetDateTime {
    let date = response["headers"]["Date"].as_str().expect("a Date header");
    OffsetDateTime::parse(date, &time::format_description::well_known::Rfc2822).unwrap()
}

#[test]
fn kauth_decides_every_recorded_request_as_the_server_did() {
    let server = server();
    let policy = policy();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut checked = 0;
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let doc: Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        let (req, resp) = (&doc["request"], &doc["response"]);
        let status = resp["status"].as_u64().unwrap();
        let now = recorded_time(resp);
        let verdict = authenticate(&credential(req), &server, now);
        let path = req["path"].as_str().unwrap();
        let url = match req["query"].as_str() {
            Some(q) => format!("{path}?{q}"),
            None => path.to_string(),
        };
        checked += 1;
        if status == 401 {
            match &verdict {
                Verdict::Unauthorized { .. } => {}
                // The Secret of this legacy token carries the
                // legacy-token-invalid-since label: only the cluster knows.
                Verdict::Authenticated { checks, .. }
                    if name == "authn-legacy-token-invalidated.json"
                        && checks.iter().any(|c| matches!(c, Check::NotChecked(m) if m.contains("not marked invalid"))) => {}
                other => failures.push(format!("{name}: the server said 401, kauth {other:?}")),
            }
            continue;
        }
        let Some(user) = verdict.user().cloned() else {
            failures.push(format!(
                "{name}: the server authenticated the request, kauth {verdict:?}"
            ));
            continue;
        };
        let (info, _) = request_info::parse(req["method"].as_str().unwrap(), &url);
        let attrs = Attributes::from_request(user.clone(), &info);
        let outcome = authz::authorize(&policy, &attrs);
        if status == 403 {
            let want = resp["body"]["message"].as_str().unwrap();
            if outcome.allowed() {
                failures.push(format!(
                    "{name}: the server said 403, kauth allows ({})",
                    outcome.reason()
                ));
            } else if crate::support::apiserver::forbidden_status(&attrs) != want {
                failures.push(format!(
                    "{name}: forbidden message\n  server: {want}\n  kauth:  {}",
                    crate::support::apiserver::forbidden_status(&attrs)
                ));
            }
            continue;
        }
        if !outcome.allowed() {
            failures.push(format!(
                "{name}: the server allowed ({status}), kauth denies: {}",
                attrs.forbidden_message()
            ));
            continue;
        }
        // Reviews: compare the answer itself.
        let body = &resp["body"];
        match body["kind"].as_str() {
            Some("SelfSubjectReview") => {
                let got = serde_json::to_value(&user).unwrap();
                if got != body["status"]["userInfo"] {
                    failures.push(format!(
                        "{name}: userInfo\n  server: {}\n  kauth:  {got}",
                        body["status"]["userInfo"]
                    ));
                }
            }
            Some("SelfSubjectAccessReview") => {
                let spec = &req["body"]["spec"];
                let a = crate::support::apiserver::review_attributes(spec, &user);
                let o = authz::authorize(&policy, &a);
                let want_allowed = body["status"]["allowed"].as_bool().unwrap();
                let want_reason = body["status"]["reason"].as_str().unwrap_or("");
                let got_reason = if o.allowed() { o.reason() } else { "" };
                if o.allowed() != want_allowed || got_reason != want_reason {
                    failures.push(format!(
                        "{name}: access review\n  server: {want_allowed} {want_reason:?}\n  kauth:  {} {got_reason:?}",
                        o.allowed()
                    ));
                }
                if matches!(o, Outcome::Privileged) != user.in_group("system:masters") {
                    failures.push(format!("{name}: privileged group handling"));
                }
            }
            _ => {}
        }
    }
    eprintln!("replayed {checked} recorded exchanges");
    assert!(checked >= 100, "only {checked} recordings found");
    assert!(
        failures.is_empty(),
        "{} of {checked} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
