//! kauth's ABAC and Node authorizers against a real kube-apiserver v1.36:
//! the `abac` (`--authorization-mode=ABAC,RBAC`) and `node-authorizer`
//! (`Node,RBAC`) scenarios recorded in tests/fixtures/apiserver/chain (see
//! the README there). Every SubjectAccessReview is decided by kauth's
//! chain (`authz::chain` for `ABAC,RBAC` or `Node,RBAC`: the privileged
//! `system:masters` group, then ABAC or Node, then RBAC with the bootstrap
//! roles; the first decision that is not "no opinion" wins) and must give the server's `allowed`, and its `reason`
//! wherever the server's reason is deterministic (an RBAC allow that two
//! bindings grant names either one, so that reason is not compared). Every
//! real request is authenticated from its recorded credential (static
//! token, client certificate or none) at the recorded time, read with
//! kauth's request-info parser, and must be allowed or refused as the
//! server did, with the server's 403 message.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kauth_auth::UserInfo;
use kauth_auth::authn::token_file::TokenFile;
use kauth_auth::authn::{Credential, ServerConfig, authenticate};
use kauth_auth::authz::abac::Abac;
use kauth_auth::authz::chain::{self, Verdict};
use kauth_auth::authz::node::{FieldEquals, NodeAuthorizer, NodeGraph};
use kauth_auth::authz::rbac::{Attributes, Policy, rule_allows};
use kauth_auth::authz::{self, Decision};
use kauth_auth::request_info;
use kauth_pki::cert;
use serde_json::Value;

use crate::support::apiserver::review_attributes;
use time::OffsetDateTime;

fn dir(scenario: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/apiserver/chain")
        .join(scenario)
}

fn read(scenario: &str, file: &str) -> String {
    std::fs::read_to_string(dir(scenario).join(file)).unwrap()
}

fn cases(scenario: &str) -> Vec<Value> {
    read(scenario, "cases.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The bootstrap roles plus the scenario's own RBAC objects (none in
/// these two scenarios: their objects are namespaces, pods and volumes).
fn rbac(scenario: &str) -> Policy {
    let mut p = authz::default_policy();
    p.add_text(&read(scenario, "objects.yaml"), "objects.yaml")
        .unwrap();
    p.aggregate();
    p.index();
    p
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn review_user(spec: &Value) -> UserInfo {
    UserInfo::new(
        spec["user"].as_str().unwrap_or(""),
        strings(&spec["groups"]),
    )
}

/// How many distinct RBAC bindings allow the request: with more than one
/// the server's allow reason may name any of them.
fn allowing_bindings(policy: &Policy, a: &Attributes) -> usize {
    let mut names = BTreeSet::new();
    let mut errors = Vec::new();
    policy.visit_rules(
        &a.user,
        &a.namespace,
        |g| {
            if rule_allows(a, g.rule) {
                names.insert((g.binding.namespace.clone(), g.binding.name.clone()));
            }
            true
        },
        &mut errors,
    );
    names.len()
}

/// `pods "x" is forbidden: User ... : reason`, as the server words a 403.
fn forbidden_status(a: &Attributes, reason: &str) -> String {
    let head = crate::support::apiserver::forbidden_status(a);
    if reason.is_empty() {
        head
    } else {
        format!("{head}: {reason}")
    }
}

/// One scenario's chain: `first` is ABAC or Node (given the request's raw
/// field selector), then RBAC.
struct Chain<'a> {
    mode: &'static str,
    first: &'a dyn Fn(&Attributes, &str) -> Decision,
    rbac: Policy,
    server: ServerConfig,
}

impl Chain<'_> {
    /// Through kauth's chain (`authz::chain`), `system:masters` first.
    fn decide(&self, a: &Attributes, field_selector: &str) -> Decision {
        let first = |a: &Attributes| Verdict::from((self.first)(a, field_selector));
        let modes = [self.mode.to_string(), "RBAC".to_string()];
        let authorizers = chain::for_modes(&modes, &self.rbac, |m| {
            (m == self.mode).then_some(chain::Authorizer::Other {
                name: self.mode,
                decide: &first,
            })
        });
        match chain::authorize(&authorizers, a) {
            chain::Answer::Decided {
                allowed: true,
                reason,
                ..
            } => Decision::Allow { reason },
            chain::Answer::Decided { reason, .. } => Decision::Deny { reason },
            chain::Answer::NoOpinion { reason } => Decision::NoOpinion { reason },
            other => panic!("{other:?}"),
        }
    }
}

#[derive(Default)]
struct Tally {
    reviews: usize,
    reasons_compared: usize,
    real: usize,
    failures: Vec<String>,
}

fn replay(scenario: &str, chain: &Chain, credential: impl Fn(&Value) -> Credential) -> Tally {
    let mut t = Tally::default();
    for case in cases(scenario) {
        let id = case["id"].as_str().unwrap().to_string();
        let req = &case["request"];
        let path = req["path"].as_str().unwrap();
        let body = &req["body"];
        if path.ends_with("/subjectaccessreviews") && body["kind"] == "SubjectAccessReview" {
            t.reviews += 1;
            let spec = &body["spec"];
            let a = review_attributes(spec, &review_user(spec));
            let raw = spec["resourceAttributes"]["fieldSelector"]["rawSelector"]
                .as_str()
                .unwrap_or("");
            let d = chain.decide(&a, raw);
            let want_allowed = case["result"]["allowed"].as_bool().unwrap();
            let want_reason = case["result"]["reason"].as_str().unwrap_or("");
            if d.allowed() != want_allowed {
                t.failures.push(format!(
                    "{id}: server allowed={want_allowed} {want_reason:?}, kauth {d:?}"
                ));
                continue;
            }
            let ambiguous = d.allowed()
                && d.reason().starts_with("RBAC:")
                && allowing_bindings(&chain.rbac, &a) > 1;
            if !ambiguous {
                t.reasons_compared += 1;
                if d.reason() != want_reason {
                    t.failures.push(format!(
                        "{id}: reason\n  server: {want_reason:?}\n  kauth:  {:?}",
                        d.reason()
                    ));
                }
            }
            continue;
        }
        t.real += 1;
        let now =
            OffsetDateTime::from_unix_timestamp(case["request_time_unix"].as_f64().unwrap() as i64)
                .unwrap();
        let verdict = authenticate(&credential(&case["credential"]), &chain.server, now);
        let Some(user) = verdict.user().cloned() else {
            t.failures
                .push(format!("{id}: not authenticated: {verdict:?}"));
            continue;
        };
        let (info, err) = request_info::parse(req["method"].as_str().unwrap(), path);
        assert!(err.is_none(), "{id}: {err:?}");
        let a = Attributes::from_request(user.clone(), &info);
        let d = chain.decide(&a, &info.field_selector);
        let status = case["status"].as_u64().unwrap();
        if status == 403 {
            let want = case["response"]["message"].as_str().unwrap();
            let got = forbidden_status(&a, d.reason());
            if d.allowed() || got != want {
                t.failures.push(format!(
                    "{id}: the server said 403\n  server: {want}\n  kauth:  {got} ({d:?})"
                ));
            }
            continue;
        }
        if !d.allowed() {
            t.failures.push(format!(
                "{id}: the server answered {status}, kauth denies: {d:?}"
            ));
            continue;
        }
        // A SelfSubjectAccessReview: its answer too.
        if body["kind"] == "SelfSubjectAccessReview" {
            let a = review_attributes(&body["spec"], &user);
            let d = chain.decide(&a, "");
            let status = &case["response"]["status"];
            let (want_allowed, want_reason) = (
                status["allowed"].as_bool().unwrap(),
                status["reason"].as_str().unwrap_or(""),
            );
            if d.allowed() != want_allowed || d.reason() != want_reason {
                t.failures.push(format!(
                    "{id}: self review\n  server: {want_allowed} {want_reason:?}\n  kauth:  {d:?}"
                ));
            }
        }
    }
    t
}

fn report(scenario: &str, t: &Tally, reviews: usize, real: usize) {
    eprintln!(
        "{scenario}: {} SubjectAccessReviews agree on allowed, {} of them on the reason; {} real requests agree",
        t.reviews - t.failures.len().min(t.reviews),
        t.reasons_compared,
        t.real
    );
    assert!(
        t.failures.is_empty(),
        "{scenario}: {} differ:\n{}",
        t.failures.len(),
        t.failures.join("\n")
    );
    assert_eq!((t.reviews, t.real), (reviews, real), "{scenario}: cases");
}

/// `--authorization-mode=ABAC,RBAC` with the recorded policy file; tokens
/// from tokens.csv, or none (anonymous).
#[test]
fn abac_rbac_chain_decides_as_the_server() {
    let abac = Abac::parse(&read("abac", "abac-policy.jsonl")).unwrap();
    assert_eq!(abac.rules().len(), 27, "25 v1beta1 lines and 2 v0 lines");
    assert_eq!(abac.unversioned_lines(), 2);
    let first = |a: &Attributes, _: &str| abac.authorize(a);
    let chain = Chain {
        mode: "ABAC",
        first: &first,
        rbac: rbac("abac"),
        server: ServerConfig {
            token_file: Some(TokenFile::parse(&read("abac", "tokens.csv"), "tokens.csv").unwrap()),
            ..ServerConfig::default()
        },
    };
    let t = replay("abac", &chain, |c| match c["type"].as_str() {
        Some("bearer") => Credential::Token(c["token"].as_str().unwrap().into()),
        Some("none") => Credential::None,
        other => panic!("credential {other:?}"),
    });
    report("abac", &t, 43, 8);
    // Most reasons are deterministic here: ABAC allows with "" and
    // refuses with "No policy matched.".
    assert!(t.reasons_compared >= 40, "{}", t.reasons_compared);
}

/// The default `Node,RBAC` with the recorded objects as the graph; the
/// real requests present the node's client certificate.
#[test]
fn node_rbac_chain_decides_as_the_server() {
    let graph = NodeGraph::from_text(&read("node-authorizer", "objects.yaml")).unwrap();
    let node = NodeAuthorizer::new(graph);
    let first =
        |a: &Attributes, fields: &str| node.authorize_with_fields(a, &FieldEquals::parse(fields));
    let pem = |f: &str| cert::certificates_from_pem(read("node-authorizer", f).as_bytes()).unwrap();
    let chain = Chain {
        mode: "Node",
        first: &first,
        rbac: rbac("node-authorizer"),
        server: ServerConfig {
            client_ca: Some(pem("ca.crt")),
            ..ServerConfig::default()
        },
    };
    let t = replay("node-authorizer", &chain, |c| {
        assert_eq!(c["client_cert"], "node-n1", "{c}");
        Credential::Certificate(pem("node-n1.crt"))
    });
    report("node-authorizer", &t, 64, 6);
    assert!(t.reasons_compared >= 60, "{}", t.reasons_compared);
}
