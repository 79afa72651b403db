//! The RBAC authorizer's decision: the rules the bindings grant a user, and
//! the first of them that allows the request.
//!
//! Upstream: `plugin/pkg/auth/authorizer/rbac/rbac.go` (`RBACAuthorizer`)
//! and `pkg/registry/rbac/validation/rule.go` (`VisitRulesFor`).
//! Bindings are visited ClusterRoleBindings first, then the RoleBindings of
//! the request's namespace, each sorted by name (upstream walks an
//! informer cache, whose order is not defined).

use super::{Attributes, Binding, Policy, PolicyRule, Subject, rule_allows, subject_applies};
use crate::user::UserInfo;

impl Policy {
    /// The rules a binding grants, or why it grants none.
    pub fn role_rules(&self, binding: &Binding) -> Result<&[PolicyRule], String> {
        let r = &binding.role_ref;
        let role = match r.kind.as_str() {
            "ClusterRole" => self.cluster_roles.get(&r.name),
            "Role" => self.roles.get(&(binding.namespace.clone(), r.name.clone())),
            _ => None,
        };
        match role {
            Some(role) => Ok(&role.rules),
            None if r.kind == "Role" => Err(format!(
                "role.rbac.authorization.k8s.io {:?} not found",
                r.name
            )),
            None => Err(format!(
                "clusterrole.rbac.authorization.k8s.io {:?} not found",
                r.name
            )),
        }
    }

    /// Upstream's `VisitRulesFor`: every rule that applies to `user` in
    /// `namespace`, with the binding and subject that grant it, until
    /// `visit` returns false. Missing roles are reported as errors.
    pub fn visit_rules<'a>(
        &'a self,
        user: &UserInfo,
        namespace: &str,
        mut visit: impl FnMut(Grant<'a>) -> bool,
        errors: &mut Vec<String>,
    ) {
        let namespaced = if namespace.is_empty() {
            Vec::new()
        } else {
            self.bindings
                .get(namespace)
                .map(|b| b.iter().collect())
                .unwrap_or_default()
        };
        for binding in self
            .cluster_bindings_for(user)
            .into_iter()
            .chain(namespaced)
        {
            let Some(subject) = binding
                .subjects
                .iter()
                .find(|s| subject_applies(user, s, &binding.namespace))
            else {
                continue;
            };
            match self.role_rules(binding) {
                Ok(rules) => {
                    for rule in rules {
                        if !visit(Grant {
                            binding,
                            subject,
                            rule,
                        }) {
                            return;
                        }
                    }
                }
                Err(e) => errors.push(e),
            }
        }
    }

    /// RBAC's decision on `attrs`.
    pub fn authorize(&self, attrs: &Attributes) -> Decision {
        let mut found = None;
        let mut errors = Vec::new();
        self.visit_rules(
            &attrs.user,
            &attrs.namespace,
            |grant| {
                if rule_allows(attrs, grant.rule) {
                    found = Some(grant.to_owned());
                    false
                } else {
                    true
                }
            },
            &mut errors,
        );
        match found {
            Some(grant) => Decision::Allow {
                reason: format!(
                    "RBAC: allowed by {}",
                    grant.binding.describe(&grant.subject)
                ),
                grant: Some(Box::new(grant)),
            },
            None => {
                errors.dedup();
                let reason = match errors.as_slice() {
                    [] => String::new(),
                    [one] => format!("RBAC: {one}"),
                    many => format!("RBAC: [{}]", many.join(", ")),
                };
                Decision::NoOpinion { reason, errors }
            }
        }
    }
}

/// One rule reached through a binding.
#[derive(Debug, Clone, Copy)]
pub struct Grant<'a> {
    pub binding: &'a Binding,
    pub subject: &'a Subject,
    pub rule: &'a PolicyRule,
}

impl Grant<'_> {
    pub fn to_owned(self) -> OwnedGrant {
        OwnedGrant {
            binding: self.binding.clone(),
            subject: self.subject.clone(),
            rule: self.rule.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedGrant {
    pub binding: Binding,
    pub subject: Subject,
    pub rule: PolicyRule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Allow {
        reason: String,
        grant: Option<Box<OwnedGrant>>,
    },
    /// RBAC has no opinion: the request is denied unless another
    /// authorizer allows it. `errors` are roles that could not be found.
    NoOpinion { reason: String, errors: Vec<String> },
}

impl Decision {
    pub fn allowed(&self) -> bool {
        matches!(self, Decision::Allow { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{policy, res, rule, url};
    use super::*;
    use crate::user;

    /// `TestAuthorizer` in upstream's `rbac_test.go`.
    #[test]
    fn authorizer_cases_from_upstream() {
        let p = policy(
            &[("admin", rule("*", "*", "*", "*"))],
            &[],
            &[("ns1", "admin", &["User:admin", "Group:admins"])],
        );
        for a in [
            res("admin", "", "get", "Pods", "", "ns1"),
            res("admin", "", "watch", "Pods", "", "ns1"),
            res("admin", "group1", "watch", "Foobar", "", "ns1"),
            res("joe", "admins", "watch", "Foobar", "", "ns1"),
            res("joe", "group1,admins", "watch", "Foobar", "", "ns1"),
        ] {
            assert!(p.authorize(&a).allowed(), "{a:?}");
        }
        for a in [
            res("admin", "", "GET", "Pods", "", "ns2"),
            res("admin", "", "GET", "Nodes", "", ""),
            res("admin", "admins", "GET", "Pods", "", "ns2"),
            res("admin", "admins", "GET", "Nodes", "", ""),
        ] {
            assert!(!p.authorize(&a).allowed(), "{a:?}");
        }

        let p = policy(
            &[
                ("non-resource-url-getter", rule("get", "", "", "/apis")),
                ("non-resource-url", rule("*", "", "", "/apis")),
                ("non-resource-url-prefix", rule("get", "", "", "/apis/*")),
            ],
            &[
                ("non-resource-url-getter", &["User:foo", "Group:bar"]),
                ("non-resource-url", &["User:admin", "Group:admin"]),
                (
                    "non-resource-url-prefix",
                    &["User:prefixed", "Group:prefixed"],
                ),
            ],
            &[],
        );
        for a in [
            url("foo", "", "get", "/apis"),
            url("", "bar", "get", "/apis"),
            url("admin", "", "get", "/apis"),
            url("", "admin", "get", "/apis"),
            url("admin", "", "watch", "/apis"),
            url("", "admin", "watch", "/apis"),
            url("prefixed", "", "get", "/apis/v1"),
            url("", "prefixed", "get", "/apis/v1"),
            url("prefixed", "", "get", "/apis/v1/foobar"),
            url("", "prefixed", "get", "/apis/v1/foorbar"),
        ] {
            assert!(p.authorize(&a).allowed(), "{a:?}");
        }
        for a in [
            url("foo", "", "watch", "/apis"),
            url("", "bar", "watch", "/apis"),
            url("foo", "", "get", "/api/v1"),
            url("", "bar", "get", "/api/v1"),
            url("admin", "", "get", "/api/v1"),
            url("", "admin", "get", "/api/v1"),
            url("prefixed", "", "get", "/api/v1"),
            url("", "prefixed", "get", "/api/v1"),
        ] {
            assert!(!p.authorize(&a).allowed(), "{a:?}");
        }

        let p = policy(
            &[("admin", rule("*", "*", "pods", "*"))],
            &[],
            &[("ns1", "admin", &["User:admin"])],
        );
        assert!(
            p.authorize(&res("admin", "", "get", "pods", "", "ns1"))
                .allowed()
        );
        assert!(
            !p.authorize(&res("admin", "", "get", "pods", "status", "ns1"))
                .allowed()
        );
        let p = policy(
            &[("admin", rule("*", "*", "pods/status", "*"))],
            &[],
            &[("ns1", "admin", &["User:admin"])],
        );
        assert!(
            p.authorize(&res("admin", "", "get", "pods", "status", "ns1"))
                .allowed()
        );
        assert!(
            !p.authorize(&res("admin", "", "get", "pods", "", "ns1"))
                .allowed()
        );
    }

    #[test]
    fn service_account_subjects_need_a_namespace_in_cluster_bindings() {
        let sa = UserInfo::new(
            user::service_account_username("test", "sa1"),
            user::service_account_groups("test"),
        );
        let yaml = "
kind: ClusterRole
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: reader}
rules: [{apiGroups: [''], resources: [pods], verbs: [get]}]
---
kind: ClusterRoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: no-namespace}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: ServiceAccount, name: sa1}]
---
kind: RoleBinding
apiVersion: rbac.authorization.k8s.io/v1
metadata: {name: local, namespace: test}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: ServiceAccount, name: sa1}]
";
        let mut p = Policy::default();
        assert_eq!(p.add_text(yaml, "t.yaml").unwrap(), 3);
        p.index();
        let a = Attributes {
            user: sa,
            verb: "get".into(),
            is_resource_request: true,
            resource: "pods".into(),
            ..Attributes::default()
        };
        assert!(
            !p.authorize(&Attributes {
                namespace: "other".into(),
                ..a.clone()
            })
            .allowed()
        );
        let d = p.authorize(&Attributes {
            namespace: "test".into(),
            ..a
        });
        let Decision::Allow { reason, .. } = d else {
            panic!("{d:?}")
        };
        assert_eq!(
            reason,
            "RBAC: allowed by RoleBinding \"local/test\" of ClusterRole \"reader\" to ServiceAccount \"sa1/test\""
        );
    }

    #[test]
    fn missing_roles_are_reported_and_aggregation_fills_roles() {
        let yaml = "
apiVersion: v1
kind: List
items:
- kind: ClusterRoleBinding
  apiVersion: rbac.authorization.k8s.io/v1
  metadata: {name: b}
  roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: gone}
  subjects: [{kind: User, name: kfree}]
- kind: ClusterRole
  apiVersion: rbac.authorization.k8s.io/v1
  metadata: {name: monitoring}
  aggregationRule:
    clusterRoleSelectors: [{matchLabels: {agg: 'true'}}]
- kind: ClusterRole
  apiVersion: rbac.authorization.k8s.io/v1
  metadata: {name: endpoints, labels: {agg: 'true'}}
  rules: [{apiGroups: [''], resources: [endpoints], verbs: [list]}]
- kind: ConfigMap
  apiVersion: v1
  metadata: {name: ignored}
";
        let mut p = Policy::default();
        p.add_text(yaml, "l.yaml").unwrap();
        p.aggregate();
        p.index();
        assert_eq!(p.cluster_roles["monitoring"].rules.len(), 1);
        assert_eq!(
            p.skipped.get("ConfigMap"),
            Some(&1),
            "other objects are counted, not read"
        );
        let d = p.authorize(&res("kfree", "", "get", "pods", "", "test"));
        assert_eq!(
            d,
            Decision::NoOpinion {
                reason: "RBAC: clusterrole.rbac.authorization.k8s.io \"gone\" not found".into(),
                errors: vec!["clusterrole.rbac.authorization.k8s.io \"gone\" not found".into()],
            }
        );
    }
}
