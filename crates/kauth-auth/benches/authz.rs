//! RBAC evaluation speed: checks per second against 2,000 roles and
//! 10,000 bindings (plus kube-apiserver's defaults), for allowed and
//! denied requests. `cargo bench --bench authz`; under `cargo test` it runs
//! once on a small policy as a smoke test.

use std::time::Instant;

use kauth_auth::UserInfo;
use kauth_auth::authz::{self, rbac::Attributes};

fn policy_yaml(roles: usize, bindings: usize, namespaces: usize) -> String {
    let mut out = String::new();
    for r in 0..roles {
        let ns = format!("ns-{}", r % namespaces);
        out.push_str(&format!(
            "---\nkind: Role\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {{name: role-{r}, namespace: {ns}}}\nrules:\n- apiGroups: ['', apps]\n  resources: [pods, deployments, res-{r}]\n  verbs: [get, list]\n- apiGroups: ['']\n  resources: [configmaps]\n  resourceNames: [cm-{r}]\n  verbs: [update]\n"
        ));
    }
    for b in 0..bindings {
        let r = b % roles;
        let ns = format!("ns-{}", r % namespaces);
        let subject = match b % 3 {
            0 => format!("{{kind: User, name: user-{b}}}"),
            1 => format!("{{kind: Group, name: group-{}}}", b % 500),
            _ => format!("{{kind: ServiceAccount, name: sa-{b}, namespace: {ns}}}"),
        };
        out.push_str(&format!(
            "---\nkind: RoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {{name: rb-{b}, namespace: {ns}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: role-{r}}}\nsubjects: [{subject}]\n"
        ));
    }
    out
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (roles, bindings, namespaces, checks) = if full {
        (2000, 10000, 200, 200_000)
    } else {
        (20, 100, 4, 100)
    };
    let text = policy_yaml(roles, bindings, namespaces);
    let start = Instant::now();
    let mut policy = authz::default_policy();
    policy
        .add_text(&text, "generated")
        .expect("generated policy loads");
    policy.aggregate();
    policy.index();
    let load = start.elapsed();

    let requests: Vec<Attributes> = (0..1000)
        .map(|i| {
            let b = (i * 7919) % bindings;
            let r = b % roles;
            let user = match b % 3 {
                0 => UserInfo::new(format!("user-{b}"), ["system:authenticated"]),
                1 => UserInfo::new(
                    format!("someone-{i}"),
                    [format!("group-{}", b % 500), "system:authenticated".into()],
                ),
                _ => UserInfo::new(
                    format!("system:serviceaccount:ns-{}:sa-{b}", r % namespaces),
                    [
                        "system:serviceaccounts".to_string(),
                        "system:authenticated".into(),
                    ],
                ),
            };
            Attributes {
                user,
                verb: if i % 2 == 0 {
                    "list".into()
                } else {
                    "delete".into()
                },
                is_resource_request: true,
                namespace: format!("ns-{}", r % namespaces),
                resource: "pods".into(),
                ..Attributes::default()
            }
        })
        .collect();
    let start = Instant::now();
    let mut allowed = 0usize;
    for i in 0..checks {
        if authz::authorize(&policy, &requests[i % requests.len()]).allowed() {
            allowed += 1;
        }
    }
    let elapsed = start.elapsed();
    assert!(
        allowed > 0 && allowed < checks,
        "a mix of allowed and denied requests"
    );
    println!(
        "rbac: {roles} roles, {bindings} bindings (+ defaults); policy loaded in {:.1} ms; {checks} checks in {:.1} ms: {:.0} checks/s ({allowed} allowed)",
        load.as_secs_f64() * 1000.0,
        elapsed.as_secs_f64() * 1000.0,
        checks as f64 / elapsed.as_secs_f64()
    );
}
