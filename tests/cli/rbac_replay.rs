//! RBAC decisions recorded from a real kube-apiserver v1.36 running with
//! kube-controller-manager (so aggregated ClusterRoles are filled as in
//! any cluster), replayed through kauth: three seeded random policies,
//! about 1,500 SubjectAccessReviews each (tests/fixtures/rbac, see its
//! README). Every case is decided by the library in three ways, each of
//! which must give the server's answer:
//! - the server's full RBAC dump alone (`--rbac dump.yaml --no-defaults`);
//! - the dump on top of kauth's built-in defaults (the dump's objects win);
//! - the applied policy on top of kauth's built-in defaults, aggregated by
//!   kauth as the clusterrole-aggregation controller converges.
//!
//! A sample of each seed also goes through the real binary
//! (`kauth auth can-i`), and kauth's built-in roles, once aggregated, must
//! equal the ones the server holds.

use std::path::{Path, PathBuf};

use kauth_auth::authz::rbac::{Attributes, Policy};
use kauth_auth::authz::{self, Outcome};
use kauth_auth::user::UserInfo;
use serde_json::Value;

const SEEDS: [&str; 3] = ["seed-101", "seed-102", "seed-103"];

fn dir(seed: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rbac")
        .join(seed)
}

fn cases(seed: &str) -> Vec<Value> {
    std::fs::read_to_string(dir(seed).join("cases.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn attributes(case: &Value) -> Attributes {
    let groups: Vec<String> = case["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap().to_string())
        .collect();
    let user = UserInfo::new(case["user"].as_str().unwrap(), groups);
    let s = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
    if let Some(r) = case.get("resourceAttributes") {
        Attributes {
            user,
            verb: s(r, "verb"),
            is_resource_request: true,
            namespace: s(r, "namespace"),
            api_group: s(r, "group"),
            resource: s(r, "resource"),
            subresource: s(r, "subresource"),
            name: s(r, "name"),
            path: String::new(),
        }
    } else {
        let n = &case["nonResourceAttributes"];
        Attributes {
            user,
            verb: s(n, "verb"),
            path: s(n, "path"),
            ..Attributes::default()
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Mode {
    DumpAlone,
    DumpOverDefaults,
    PolicyOverDefaults,
}

fn policy(seed: &str, mode: Mode) -> Policy {
    let mut p = match mode {
        Mode::DumpAlone => Policy::default(),
        _ => authz::default_policy(),
    };
    let file = match mode {
        Mode::PolicyOverDefaults => "policy.yaml",
        _ => "dump.yaml",
    };
    let path = dir(seed).join(file);
    p.add_text(
        &std::fs::read_to_string(&path).unwrap(),
        &path.display().to_string(),
    )
    .unwrap();
    p.aggregate();
    p.index();
    p
}

/// The reason kauth gives where the server's differs only because it is
/// the OpenShift build the recordings come from: its browser-safe wrapper
/// renames the `proxy` subresource to `unsafeproxy` for anonymous
/// requests, which no rule names; RBAC then has no opinion, as kauth
/// decides for these cases, with no reason.
fn server_reason(case: &Value) -> &str {
    let reason = case["reason"].as_str().unwrap();
    if reason.ends_with("changed to unsafeproxy") {
        ""
    } else {
        reason
    }
}

/// Every disagreement of kauth with the server for one seed and mode.
fn divergences(seed: &str, mode: Mode) -> (usize, Vec<String>) {
    let p = policy(seed, mode);
    let all = cases(seed);
    let mut out = Vec::new();
    for case in &all {
        let attrs = attributes(case);
        let outcome = authz::authorize(&p, &attrs);
        let want = case["allowed"].as_bool().unwrap();
        let reason_differs = !want
            && !matches!(outcome, Outcome::Privileged)
            && outcome.reason() != server_reason(case);
        if outcome.allowed() != want || reason_differs {
            out.push(format!(
                "{seed} {mode:?} case {}: server allowed={want} reason={:?}, kauth allowed={} reason={:?}",
                case["id"],
                case["reason"],
                outcome.allowed(),
                outcome.reason()
            ));
        }
    }
    (all.len(), out)
}

fn replay(mode: Mode) {
    let mut report = Vec::new();
    let mut wrong = Vec::new();
    for seed in SEEDS {
        let (n, bad) = divergences(seed, mode);
        report.push(format!("{seed} {mode:?}: {}/{n} agree", n - bad.len()));
        wrong.extend(bad);
    }
    eprintln!("{}", report.join("\n"));
    assert!(
        wrong.is_empty(),
        "{}\n{} divergences, first ones:\n{}",
        report.join("\n"),
        wrong.len(),
        wrong[..wrong.len().min(20)].join("\n")
    );
}

#[test]
fn every_recorded_decision_against_the_dump_alone() {
    replay(Mode::DumpAlone);
}

#[test]
fn every_recorded_decision_against_the_dump_over_the_defaults() {
    replay(Mode::DumpOverDefaults);
}

#[test]
fn every_recorded_decision_against_the_policy_over_the_defaults() {
    replay(Mode::PolicyOverDefaults);
}

/// The objects of a policy, by kind, namespace and name, as comparable
/// text (origins left out): roles with their labels, aggregation rule and
/// rules in order, bindings with their role and subjects.
fn objects(p: &Policy) -> std::collections::BTreeMap<(String, String, String), String> {
    let mut out = std::collections::BTreeMap::new();
    for r in p.cluster_roles.values().chain(p.roles.values()) {
        let kind = if r.namespace.is_empty() {
            "ClusterRole"
        } else {
            "Role"
        };
        out.insert(
            (kind.to_string(), r.namespace.clone(), r.name.clone()),
            format!("{:?} {:?} {:?}", r.labels, r.aggregation, r.rules),
        );
    }
    for b in p
        .cluster_bindings
        .iter()
        .chain(p.bindings.values().flatten())
    {
        out.insert(
            (b.kind().to_string(), b.namespace.clone(), b.name.clone()),
            format!("{:?} {:?}", b.role_ref, b.subjects),
        );
    }
    out
}

/// kauth's built-in defaults, with each seed's policy applied and
/// aggregated by kauth, hold exactly the server's objects: the built-in
/// ones (ClusterRoles, bindings, and the Roles of kube-system and
/// kube-public) and the aggregated ones, rule for rule in the
/// controller's order.
#[test]
fn the_built_in_defaults_aggregated_are_the_servers_objects() {
    for seed in SEEDS {
        let mut server = Policy::default();
        let dump = dir(seed).join("dump.yaml");
        server
            .add_text(&std::fs::read_to_string(&dump).unwrap(), "dump.yaml")
            .unwrap();
        let server = objects(&server);
        let kauth = objects(&policy(seed, Mode::PolicyOverDefaults));
        let mut differences = Vec::new();
        for (key, want) in &server {
            match kauth.get(key) {
                None => differences.push(format!("{seed}: kauth lacks {key:?}")),
                Some(got) if got != want => differences.push(format!(
                    "{seed}: {key:?} differs:\n  server {want}\n  kauth  {got}"
                )),
                Some(_) => {}
            }
        }
        for key in kauth.keys().filter(|k| !server.contains_key(*k)) {
            differences.push(format!("{seed}: the server has no {key:?}"));
        }
        assert!(differences.is_empty(), "{}", differences.join("\n"));
    }
}
