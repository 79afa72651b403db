//! Whether one rule covers a request, and whether a subject names a user.
//!
//! Upstream: `pkg/apis/rbac/v1/evaluation_helpers.go` (`VerbMatches`,
//! `APIGroupMatches`, `ResourceMatches`, `ResourceNameMatches`,
//! `NonResourceURLMatches`), `plugin/pkg/auth/authorizer/rbac/rbac.go`
//! (`RuleAllows`) and `pkg/registry/rbac/validation/rule.go`
//! (`appliesTo`, `appliesToUser`).

use super::{Attributes, PolicyRule, Subject};
use crate::user::{self, UserInfo};

pub fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == "*" || v == verb)
}

pub fn api_group_matches(rule: &PolicyRule, group: &str) -> bool {
    rule.api_groups.iter().any(|g| g == "*" || g == group)
}

pub fn resource_matches(rule: &PolicyRule, combined: &str, subresource: &str) -> bool {
    rule.resources.iter().any(|r| {
        r == "*"
            || r == combined
            || (!subresource.is_empty()
                && r.len() == subresource.len() + 2
                && r.starts_with("*/")
                && r.ends_with(subresource))
    })
}

pub fn resource_name_matches(rule: &PolicyRule, name: &str) -> bool {
    rule.resource_names.is_empty() || rule.resource_names.iter().any(|n| n == name)
}

pub fn non_resource_url_matches(rule: &PolicyRule, path: &str) -> bool {
    rule.non_resource_urls.iter().any(|u| {
        u == "*" || u == path || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*')))
    })
}

/// Upstream's `RuleAllows`.
pub fn rule_allows(a: &Attributes, rule: &PolicyRule) -> bool {
    if a.is_resource_request {
        verb_matches(rule, &a.verb)
            && api_group_matches(rule, &a.api_group)
            && resource_matches(rule, &a.combined_resource(), &a.subresource)
            && resource_name_matches(rule, &a.name)
    } else {
        verb_matches(rule, &a.verb) && non_resource_url_matches(rule, &a.path)
    }
}

/// Upstream's `appliesToUser`: `namespace` is the binding's (empty for a
/// ClusterRoleBinding, so a ServiceAccount subject needs its own).
pub fn subject_applies(user: &UserInfo, subject: &Subject, namespace: &str) -> bool {
    match subject.kind.as_str() {
        "User" => user.username == subject.name,
        "Group" => user.in_group(&subject.name),
        "ServiceAccount" => {
            let ns = if subject.namespace.is_empty() {
                namespace
            } else {
                &subject.namespace
            };
            !ns.is_empty() && user.username == user::service_account_username(ns, &subject.name)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{rule, url};
    use super::*;

    /// `TestRuleMatches` in upstream's `rbac_test.go`.
    #[test]
    fn rule_matching_from_upstream() {
        let r = |verb: &str, group: &str, resource: &str, sub: &str| Attributes {
            verb: verb.into(),
            api_group: group.into(),
            resource: resource.into(),
            subresource: sub.into(),
            is_resource_request: true,
            ..Attributes::default()
        };
        let cases: Vec<(PolicyRule, Vec<(Attributes, bool)>)> = vec![
            (
                rule("*", "group1", "resource1", ""),
                vec![
                    (r("verb1", "group1", "resource1", ""), true),
                    (r("verb1", "group2", "resource1", ""), false),
                    (r("verb1", "group1", "resource2", ""), false),
                    (r("verb2", "group1", "resource1", ""), true),
                ],
            ),
            (
                rule("verb1", "*", "resource1", ""),
                vec![
                    (r("verb1", "group1", "resource1", ""), true),
                    (r("verb1", "group2", "resource1", ""), true),
                    (r("verb1", "group1", "resource2", ""), false),
                    (r("verb2", "group1", "resource1", ""), false),
                ],
            ),
            (
                rule("verb1", "group1", "*", ""),
                vec![
                    (r("verb1", "group1", "resource1", ""), true),
                    (r("verb1", "group1", "resource2", ""), true),
                    (r("verb1", "group2", "resource1", ""), false),
                    (r("verb2", "group1", "resource1", ""), false),
                ],
            ),
            (
                rule("verb1,verb2", "group1,group2", "resource1,resource2", ""),
                vec![
                    (r("verb1", "group1", "resource1", ""), true),
                    (r("verb2", "group2", "resource2", ""), true),
                    (r("verb2", "group1", "resource2", ""), true),
                ],
            ),
            (
                rule("*", "*", "resource1/subresource1", ""),
                vec![
                    (r("verb1", "group1", "resource1", "subresource1"), true),
                    (r("verb1", "group2", "resource1", "subresource2"), false),
                    (r("verb1", "group1", "resource2", "subresource1"), false),
                ],
            ),
            (
                rule("*", "*", "*/subresource1", ""),
                vec![
                    (r("verb1", "group1", "resource1", "subresource1"), true),
                    (r("verb1", "group1", "resource2", "subresource1"), true),
                    (r("verb1", "group1", "resource1", "subresource2"), false),
                    (r("verb1", "group1", "resource1", ""), false),
                ],
            ),
        ];
        for (rule, requests) in cases {
            for (a, want) in requests {
                assert_eq!(rule_allows(&a, &rule), want, "{rule:?} {a:?}");
            }
        }
        let u = |verb: &str, path: &str| url("", "", verb, path);
        let any = rule("verb1", "", "", "*");
        for (a, want) in [
            (u("verb1", "/foo"), true),
            (u("verb1", "/foo/bar/one"), true),
            (u("verb2", "/foo"), false),
        ] {
            assert_eq!(rule_allows(&a, &any), want, "{a:?}");
        }
        let sub = rule("verb1", "", "", "/foo/*");
        for (a, want) in [
            (u("verb1", "/foo"), false),
            (u("verb1", "/foo/bar"), true),
            (u("verb1", "/foo/bar/one"), true),
            (u("verb1", "/foot"), false),
        ] {
            assert_eq!(rule_allows(&a, &sub), want, "{a:?}");
        }
        let names = PolicyRule {
            resource_names: vec!["a".into()],
            ..rule("get", "", "pods", "")
        };
        assert!(rule_allows(
            &Attributes {
                name: "a".into(),
                ..r("get", "", "pods", "")
            },
            &names
        ));
        assert!(!rule_allows(
            &Attributes {
                name: "b".into(),
                ..r("get", "", "pods", "")
            },
            &names
        ));
        assert!(!rule_allows(&r("list", "", "pods", ""), &names));
    }
}
