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

use kauth_auth::authz::rbac::{Attributes, Policy, rule_allows, subject_applies};
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

/// Whether the binding an "allowed by" reason names grants the request in
/// kauth's model, through the subject the reason names. Which of several
/// granting bindings the server names depends on the iteration order of
/// its informer cache (a Go map), so kauth's own reason may name another.
fn names_a_granting_binding(p: &Policy, attrs: &Attributes, reason: &str) -> bool {
    p.cluster_bindings
        .iter()
        .chain(p.bindings.get(&attrs.namespace).into_iter().flatten())
        .any(|b| {
            let Some(subject) = b
                .subjects
                .iter()
                .find(|s| subject_applies(&attrs.user, s, &b.namespace))
            else {
                return false;
            };
            format!("RBAC: allowed by {}", b.describe(subject)) == reason
                && p.role_rules(b)
                    .is_ok_and(|rules| rules.iter().any(|r| rule_allows(attrs, r)))
        })
}

/// Every disagreement of kauth with the server for one seed and mode: the
/// decision, the reason of a refusal, the binding an allowance names.
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
        let named_binding_differs = want
            && !server_reason(case).is_empty()
            && !names_a_granting_binding(&p, &attrs, server_reason(case));
        if outcome.allowed() != want || reason_differs || named_binding_differs {
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

/// `kauth auth can-i` as a user would type it for a recorded case, or
/// `None` where kubectl's syntax cannot ask exactly that (a namespace on
/// a cluster-scoped resource, a resource kauth would name differently).
fn can_i_args(case: &Value) -> Option<Vec<String>> {
    let a = attributes(case);
    let mut args: Vec<String> = vec!["auth".into(), "can-i".into(), a.verb.clone()];
    if !a.is_resource_request {
        args.push(a.path.clone());
    } else {
        let type_name = if a.api_group.is_empty() {
            a.resource.clone()
        } else {
            format!("{}.{}", a.resource, a.api_group)
        };
        let resolved = kauth_auth::resources::resolve(&type_name);
        let cluster_scoped = resolved.known.is_some_and(|k| !k.namespaced);
        if resolved.resource != a.resource
            || resolved.group != a.api_group
            || (cluster_scoped && !a.namespace.is_empty())
        {
            return None;
        }
        args.push(if a.name.is_empty() {
            type_name
        } else {
            format!("{type_name}/{}", a.name)
        });
        if !a.subresource.is_empty() {
            args.extend(["--subresource".into(), a.subresource.clone()]);
        }
        if a.namespace.is_empty() {
            args.push("-A".into());
        } else {
            args.extend(["-n".into(), a.namespace.clone()]);
        }
    }
    args.extend(["--as".into(), a.user.username.clone()]);
    for g in &a.user.groups {
        args.extend(["--as-group".into(), g.clone()]);
    }
    Some(args)
}

/// Every 50th case of each seed through the real binary, in each mode:
/// `yes` and exit 0 where the server allowed, `no` and exit 1 where not.
#[test]
fn a_sample_of_recorded_decisions_through_the_binary() {
    let tmp = tempfile::tempdir().unwrap();
    let kubeconfig = tmp.path().join("config");
    let mut asked = 0;
    let mut wrong = Vec::new();
    for seed in SEEDS {
        let d = dir(seed);
        let dump = d.join("dump.yaml").display().to_string();
        let applied = d.join("policy.yaml").display().to_string();
        let modes: [Vec<&str>; 3] = [
            vec!["--rbac", &dump, "--no-defaults"],
            vec!["--rbac", &dump],
            vec!["--rbac", &applied],
        ];
        for case in cases(seed).iter().step_by(50) {
            let Some(args) = can_i_args(case) else {
                continue;
            };
            let want = case["allowed"].as_bool().unwrap();
            for mode in &modes {
                let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
                all.extend(mode);
                let run = crate::support::kauth(tmp.path(), &kubeconfig, &all, None);
                asked += 1;
                let (answer, code) = if want { ("yes", 0) } else { ("no", 1) };
                if run.stdout.trim() != answer || run.code != code {
                    wrong.push(format!(
                        "{seed} case {}: server allowed={want}; kauth {} said {:?} (exit {}): {}",
                        case["id"],
                        all.join(" "),
                        run.stdout.trim(),
                        run.code,
                        run.stderr.trim()
                    ));
                }
            }
        }
    }
    eprintln!("binary: {}/{asked} agree", asked - wrong.len());
    assert!(asked > 200, "only {asked} cases could be asked");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The example of a RoleBinding to the built-in `admin`: the server grants
/// `edit`'s and `view`'s rules through it, since `admin` aggregates
/// `edit`, which aggregates `view`; a ClusterRole of the user's labelled
/// to join `view` reaches `admin` too, and a chain of custom aggregated
/// roles reaches its top.
#[test]
fn a_binding_to_admin_grants_what_admin_aggregates() {
    let tmp = tempfile::tempdir().unwrap();
    let kubeconfig = tmp.path().join("config");
    std::fs::write(
        tmp.path().join("rb.yaml"),
        r#"apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dave-admin, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: dave}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-view
  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
rules:
- {apiGroups: [example.com], resources: [widgets], verbs: [get]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: a-top}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {example.com/to-top: "true"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: b-middle
  labels: {example.com/to-top: "true"}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {example.com/to-middle: "true"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: c-leaf
  labels: {example.com/to-middle: "true"}
rules:
- {apiGroups: [example.com], resources: [gadgets], verbs: [list]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: erin-top, namespace: team-a}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: a-top}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: erin}
"#,
    )
    .unwrap();
    for (args, answer) in [
        (&["list", "pods", "--as", "dave"][..], "yes"),
        (&["create", "deployments.apps", "--as", "dave"], "yes"),
        (&["get", "widgets.example.com", "--as", "dave"], "yes"),
        (&["list", "gadgets.example.com", "--as", "erin"], "yes"),
        (&["list", "pods", "--as", "erin"], "no"),
    ] {
        let mut all = vec!["auth", "can-i"];
        all.extend(args);
        all.extend(["-n", "team-a", "--rbac", "rb.yaml"]);
        let run = crate::support::kauth(tmp.path(), &kubeconfig, &all, None);
        assert_eq!(run.stdout.trim(), answer, "{all:?}: {}", run.stderr);
    }
}
