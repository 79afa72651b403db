//! Why RBAC allows or denies a request: the grant, or the near misses and
//! the smallest Role and RoleBinding that would allow it. kauth's own:
//! kube-apiserver says only "forbidden".

use serde_json::{Value, json};

use super::rbac::{
    Attributes, Binding, Policy, PolicyRule, Subject, api_group_matches, non_resource_url_matches,
    resource_matches, resource_name_matches, rule_allows, subject_applies, verb_matches,
};
use crate::user::{self, UserInfo};

/// A reason the request came close to being allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearMiss {
    /// Where: `ClusterRoleBinding "x" -> ClusterRole "y"`.
    pub via: String,
    pub what: String,
}

fn via(b: &Binding) -> String {
    let binding = if b.is_cluster() {
        format!("ClusterRoleBinding {:?}", b.name)
    } else {
        format!("RoleBinding {:?} in namespace {:?}", b.name, b.namespace)
    };
    format!("{binding} -> {} {:?}", b.role_ref.kind, b.role_ref.name)
}

fn list(v: &[String]) -> String {
    format!("[{}]", v.join(", "))
}

/// The attributes of `rule` that do not match `a`; empty when it allows.
fn mismatches(a: &Attributes, rule: &PolicyRule) -> Vec<String> {
    let mut out = Vec::new();
    if !verb_matches(rule, &a.verb) {
        out.push(format!(
            "verb {:?} is not in verbs {}",
            a.verb,
            list(&rule.verbs)
        ));
    }
    if a.is_resource_request {
        if !api_group_matches(rule, &a.api_group) {
            out.push(format!(
                "API group {:?} is not in apiGroups {}",
                a.api_group,
                list(&rule.api_groups)
            ));
        }
        if !resource_matches(rule, &a.combined_resource(), &a.subresource) {
            if !a.subresource.is_empty() && resource_matches(rule, &a.resource, "") {
                out.push(format!(
                    "the rule lists {:?} but not the subresource {:?} (add {:?} to resources)",
                    a.resource,
                    a.combined_resource(),
                    a.combined_resource()
                ));
            } else {
                out.push(format!(
                    "resource {:?} is not in resources {}",
                    a.combined_resource(),
                    list(&rule.resources)
                ));
            }
        }
        if !resource_name_matches(rule, &a.name) {
            if a.name.is_empty() {
                out.push(format!(
                    "the rule is limited to resourceNames {}, which cannot apply to {} without a name",
                    list(&rule.resource_names),
                    a.verb
                ));
            } else {
                out.push(format!(
                    "name {:?} is not in resourceNames {}",
                    a.name,
                    list(&rule.resource_names)
                ));
            }
        }
        if !rule.non_resource_urls.is_empty() && rule.resources.is_empty() {
            out.push("the rule is for non-resource URLs only".into());
        }
    } else if !non_resource_url_matches(rule, &a.path) {
        if rule.non_resource_urls.is_empty() {
            out.push(format!(
                "the rule is for resources, not the path {:?}",
                a.path
            ));
        } else {
            out.push(format!(
                "path {:?} is not in nonResourceURLs {}",
                a.path,
                list(&rule.non_resource_urls)
            ));
        }
    }
    out
}

/// Subjects that name the user almost: a ServiceAccount without its
/// namespace in a ClusterRoleBinding, another namespace, a kind mix-up.
fn subject_near_miss(user: &UserInfo, s: &Subject, binding: &Binding) -> Option<String> {
    let sa = user.service_account();
    match s.kind.as_str() {
        "ServiceAccount" => {
            let (ns, name) = sa?;
            if s.name != name {
                return None;
            }
            if binding.is_cluster() && s.namespace.is_empty() {
                return Some(format!(
                    "its subject ServiceAccount {:?} has no namespace; in a ClusterRoleBinding it must say `namespace: {ns}`",
                    s.name
                ));
            }
            let subject_ns = if s.namespace.is_empty() {
                &binding.namespace
            } else {
                &s.namespace
            };
            (subject_ns != ns).then(|| {
                format!(
                    "its subject is ServiceAccount {:?} in namespace {subject_ns:?}, not {ns:?}",
                    s.name
                )
            })
        }
        "User" if user.in_group(&s.name) => Some(format!(
            "it names {:?} as a User, but that is one of your groups: use `kind: Group`",
            s.name
        )),
        "Group" if s.name == user.username => Some(format!(
            "it names {:?} as a Group, but that is your user name: use `kind: User`",
            s.name
        )),
        "User" if sa.is_some_and(|(_, name)| name == s.name) => Some(format!(
            "it names {:?} as a User; a ServiceAccount needs `kind: ServiceAccount` with its namespace",
            s.name
        )),
        "User" | "Group"
            if s.name.eq_ignore_ascii_case(&user.username) && s.name != user.username =>
        {
            Some(format!(
                "its subject {:?} differs from your user name {:?} only in case",
                s.name, user.username
            ))
        }
        _ => None,
    }
}

/// Every reason the denied request came close.
pub fn near_misses(policy: &Policy, a: &Attributes) -> Vec<NearMiss> {
    let mut out = Vec::new();
    let in_scope = |b: &Binding| b.is_cluster() || b.namespace == a.namespace;
    let all = policy
        .cluster_bindings
        .iter()
        .chain(policy.bindings.values().flatten());
    for b in all {
        let applies = b
            .subjects
            .iter()
            .any(|s| subject_applies(&a.user, s, &b.namespace));
        let rules = match policy.role_rules(b) {
            Ok(r) => r,
            Err(e) => {
                if applies && in_scope(b) {
                    out.push(NearMiss {
                        via: via(b),
                        what: format!("the binding applies to you, but its role is missing: {e}"),
                    });
                }
                continue;
            }
        };
        let allows = rules.iter().any(|r| rule_allows(a, r));
        if applies && in_scope(b) {
            if rules.is_empty()
                && let Some(role) = policy.cluster_roles.get(&b.role_ref.name)
                && role.aggregation.is_some()
            {
                out.push(NearMiss {
                    via: via(b),
                    what: "its ClusterRole aggregates no rules (no ClusterRole carries the labels its aggregationRule selects)".into(),
                });
            }
            for rule in rules {
                let miss = mismatches(a, rule);
                if miss.len() == 1 {
                    out.push(NearMiss {
                        via: via(b),
                        what: format!("a rule matches all but one attribute: {}", miss[0]),
                    });
                }
            }
        } else if applies && allows {
            out.push(NearMiss {
                via: via(b),
                what: if a.namespace.is_empty() {
                    format!(
                        "it would allow this in namespace {:?}, but a RoleBinding cannot grant cluster-scoped or all-namespaces requests",
                        b.namespace
                    )
                } else {
                    format!("it would allow this, but in namespace {:?}, not {:?}", b.namespace, a.namespace)
                },
            });
        } else if allows && in_scope(b) {
            for s in &b.subjects {
                if let Some(why) = subject_near_miss(&a.user, s, b) {
                    out.push(NearMiss {
                        via: via(b),
                        what: why,
                    });
                }
            }
        }
    }
    out
}

/// The smallest Role and RoleBinding (ClusterRole and ClusterRoleBinding
/// for cluster-scoped requests and paths) that would allow `a`, as YAML
/// kubectl can apply.
pub fn suggestion(a: &Attributes) -> String {
    let cluster = a.namespace.is_empty() || !a.is_resource_request;
    let what = if a.is_resource_request {
        a.combined_resource().replace('/', "-")
    } else {
        a.path.trim_matches('/').replace(['/', '*'], "-")
    };
    let name = format!(
        "kauth-{}-{}",
        a.verb,
        if what.is_empty() { "root".into() } else { what }
    );
    let mut rule = serde_json::Map::new();
    if a.is_resource_request {
        rule.insert("apiGroups".into(), json!([a.api_group]));
        rule.insert("resources".into(), json!([a.combined_resource()]));
        if !a.name.is_empty() && matches!(a.verb.as_str(), "get" | "update" | "patch" | "delete") {
            rule.insert("resourceNames".into(), json!([a.name]));
        }
    } else {
        rule.insert("nonResourceURLs".into(), json!([a.path]));
    }
    rule.insert("verbs".into(), json!([a.verb]));
    let subject = match a.user.service_account() {
        Some((ns, sa)) => json!({"kind": "ServiceAccount", "name": sa, "namespace": ns}),
        None => {
            json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": a.user.username})
        }
    };
    let (role_kind, binding_kind) = if cluster {
        ("ClusterRole", "ClusterRoleBinding")
    } else {
        ("Role", "RoleBinding")
    };
    let mut meta = json!({"name": name});
    if !cluster {
        meta["namespace"] = Value::String(a.namespace.clone());
    }
    let role = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": role_kind,
        "metadata": meta,
        "rules": [Value::Object(rule)],
    });
    let binding = json!({
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": binding_kind,
        "metadata": meta,
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": name},
        "subjects": [subject],
    });
    format!(
        "{}---\n{}",
        kauth_formats::yaml::emit(&role),
        kauth_formats::yaml::emit(&binding)
    )
}

/// A user as `kauth auth can-i --as` builds it: kube-apiserver's
/// impersonation adds `system:authenticated` (or, for the anonymous user,
/// `system:unauthenticated`), and a ServiceAccount's groups when none are
/// given (`filters/impersonation.go`).
pub fn impersonated(name: &str, groups: &[String]) -> UserInfo {
    let mut groups = groups.to_vec();
    if groups.is_empty()
        && let Some((ns, _)) = user::split_service_account_username(name)
    {
        groups = user::service_account_groups(ns);
    }
    if name == user::ANONYMOUS {
        if !groups.iter().any(|g| g == user::ALL_UNAUTHENTICATED) {
            groups.push(user::ALL_UNAUTHENTICATED.into());
        }
    } else if !groups
        .iter()
        .any(|g| g == user::ALL_AUTHENTICATED || g == user::ALL_UNAUTHENTICATED)
    {
        groups.push(user::ALL_AUTHENTICATED.into());
    }
    UserInfo::new(name, groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(yaml: &str) -> Policy {
        let mut p = Policy::default();
        p.add_text(yaml, "t.yaml").unwrap();
        p.aggregate();
        p.index();
        p
    }

    fn pods(user: UserInfo, verb: &str, ns: &str, sub: &str) -> Attributes {
        Attributes {
            user,
            verb: verb.into(),
            is_resource_request: true,
            namespace: ns.into(),
            resource: "pods".into(),
            subresource: sub.into(),
            ..Attributes::default()
        }
    }

    const READ_PODS: &str = "
kind: Role
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: read-pod, namespace: test}
rules: [{apiGroups: [''], resources: [pods], verbs: [get, list]}]
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: read-pod, namespace: test}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-pod}
subjects: [{kind: ServiceAccount, name: sa1, namespace: test}, {kind: User, name: dev}]
---
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: reader}
rules: [{apiGroups: [''], resources: [pods], verbs: [get]}]
---
kind: ClusterRoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: sa-without-namespace}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: ServiceAccount, name: sa2}]
";

    #[test]
    fn near_misses_name_the_one_attribute_that_differs() {
        let p = policy(READ_PODS);
        let sa1 = impersonated("system:serviceaccount:test:sa1", &[]);
        let misses = |a: &Attributes| {
            near_misses(&p, a)
                .into_iter()
                .map(|m| m.what)
                .collect::<Vec<_>>()
        };
        let log = misses(&pods(sa1.clone(), "get", "test", "log"));
        assert!(
            log.iter()
                .any(|m| m.contains("not the subresource \"pods/log\"")),
            "{log:?}"
        );
        let del = misses(&pods(sa1.clone(), "delete", "test", ""));
        assert!(
            del.iter()
                .any(|m| m.contains("verb \"delete\" is not in verbs [get, list]")),
            "{del:?}"
        );
        let other_ns = misses(&pods(sa1, "get", "other", ""));
        assert!(
            other_ns
                .iter()
                .any(|m| m.contains("in namespace \"test\", not \"other\"")),
            "{other_ns:?}"
        );
        let sa2 = impersonated("system:serviceaccount:kube-system:sa2", &[]);
        let crb = misses(&pods(sa2, "get", "x", ""));
        assert!(
            crb.iter().any(|m| m.contains("has no namespace")),
            "{crb:?}"
        );
        let group_as_user = misses(&pods(
            impersonated("kfree", &["dev".into()]),
            "get",
            "test",
            "",
        ));
        assert!(
            group_as_user
                .iter()
                .any(|m| m.contains("use `kind: Group`")),
            "{group_as_user:?}"
        );
    }

    #[test]
    fn suggestions_are_applicable_yaml_that_grants_the_request() {
        let kfree = impersonated("kfree", &["dev".into()]);
        let a = pods(kfree, "get", "test", "log");
        let yaml = suggestion(&a);
        let p = policy(&yaml);
        assert!(p.authorize(&a).allowed(), "{yaml}");
        assert!(
            yaml.contains("kind: RoleBinding") && yaml.contains("- pods/log"),
            "{yaml}"
        );
        let node = Attributes {
            namespace: String::new(),
            resource: "nodes".into(),
            subresource: String::new(),
            ..a.clone()
        };
        let p = policy(&suggestion(&node));
        assert!(p.authorize(&node).allowed());
        let path = Attributes {
            user: impersonated("system:serviceaccount:test:sa1", &[]),
            verb: "get".into(),
            path: "/metrics".into(),
            ..Attributes::default()
        };
        let yaml = suggestion(&path);
        assert!(
            yaml.contains("kind: ServiceAccount") && yaml.contains("- /metrics"),
            "{yaml}"
        );
        assert!(policy(&yaml).authorize(&path).allowed());
    }

    #[test]
    fn impersonation_adds_groups_like_the_server() {
        assert_eq!(impersonated("kfree", &[]).groups, ["system:authenticated"]);
        assert_eq!(
            impersonated("system:serviceaccount:ns:x", &[]).groups,
            [
                "system:serviceaccounts",
                "system:serviceaccounts:ns",
                "system:authenticated"
            ]
        );
        assert_eq!(
            impersonated("system:anonymous", &[]).groups,
            ["system:unauthenticated"]
        );
        assert_eq!(
            impersonated("u", &["system:unauthenticated".into()]).groups,
            ["system:unauthenticated"]
        );
    }
}
