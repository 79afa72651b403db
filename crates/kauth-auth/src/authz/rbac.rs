//! RBAC as kube-apiserver's RBAC authorizer applies it.
//!
//! Upstream: `plugin/pkg/auth/authorizer/rbac/rbac.go` (`RBACAuthorizer`,
//! `RuleAllows`), `pkg/registry/rbac/validation/rule.go`
//! (`VisitRulesFor`, `appliesTo`, the binding describers),
//! `pkg/apis/rbac/v1/evaluation_helpers.go` (`VerbMatches`,
//! `APIGroupMatches`, `ResourceMatches`, `ResourceNameMatches`,
//! `NonResourceURLMatches`) and `pkg/controller/clusterroleaggregation`.
//! Bindings are visited ClusterRoleBindings first, then the RoleBindings of
//! the request's namespace, each sorted by name (upstream walks an
//! informer cache, whose order is not defined).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::user::{self, UserInfo};

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyRule {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub api_groups: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        rename = "nonResourceURLs"
    )]
    pub non_resource_urls: Vec<String>,
    #[serde(default)]
    pub verbs: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Subject {
    pub kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_group: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleRef {
    #[serde(default)]
    pub api_group: String,
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelectorRequirement {
    pub key: String,
    pub operator: String,
    #[serde(default)]
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    #[serde(default)]
    pub match_labels: BTreeMap<String, String>,
    #[serde(default)]
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

impl LabelSelector {
    /// `metav1.LabelSelectorAsSelector` then `Matches`. An empty selector
    /// matches everything.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|r| {
                let value = labels.get(&r.key);
                match r.operator.as_str() {
                    "In" => value.is_some_and(|v| r.values.contains(v)),
                    "NotIn" => value.is_none_or(|v| !r.values.contains(v)),
                    "Exists" => value.is_some(),
                    "DoesNotExist" => value.is_none(),
                    _ => false,
                }
            })
    }
}

/// A Role or a ClusterRole.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Role {
    pub name: String,
    /// Empty for a ClusterRole.
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub rules: Vec<PolicyRule>,
    /// ClusterRoles only: the selectors whose roles' rules this one gathers.
    pub aggregation: Option<Vec<LabelSelector>>,
    /// Where it was read from (a file, or the built-in defaults).
    pub origin: String,
}

/// A RoleBinding or a ClusterRoleBinding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Binding {
    pub name: String,
    /// Empty for a ClusterRoleBinding.
    pub namespace: String,
    pub role_ref: RoleRef,
    pub subjects: Vec<Subject>,
    pub origin: String,
}

impl Binding {
    pub fn is_cluster(&self) -> bool {
        self.namespace.is_empty()
    }

    pub fn kind(&self) -> &'static str {
        if self.is_cluster() {
            "ClusterRoleBinding"
        } else {
            "RoleBinding"
        }
    }

    /// How upstream names a binding in "allowed by" reasons:
    /// `ClusterRoleBinding "x" of ClusterRole "y" to Group "z"` or
    /// `RoleBinding "x/ns" of Role "y" to ServiceAccount "sa/ns"`.
    pub fn describe(&self, subject: &Subject) -> String {
        let name = if self.is_cluster() {
            format!("{:?}", self.name)
        } else {
            format!("{:?}", format!("{}/{}", self.name, self.namespace))
        };
        format!(
            "{} {name} of {} {:?} to {}",
            self.kind(),
            self.role_ref.kind,
            self.role_ref.name,
            describe_subject(subject, &self.namespace)
        )
    }
}

pub fn describe_subject(s: &Subject, binding_namespace: &str) -> String {
    if s.kind == "ServiceAccount" {
        let ns = if s.namespace.is_empty() {
            binding_namespace
        } else {
            &s.namespace
        };
        format!("{} {:?}", s.kind, format!("{}/{ns}", s.name))
    } else {
        format!("{} {:?}", s.kind, s.name)
    }
}

/// What is asked: kube-apiserver's `authorizer.Attributes`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    pub user: UserInfo,
    pub verb: String,
    pub is_resource_request: bool,
    pub namespace: String,
    pub api_group: String,
    pub resource: String,
    pub subresource: String,
    pub name: String,
    /// For non-resource requests.
    pub path: String,
}

impl Attributes {
    pub fn from_request(user: UserInfo, info: &crate::request_info::RequestInfo) -> Self {
        Attributes {
            user,
            verb: info.verb.clone(),
            is_resource_request: info.is_resource_request,
            namespace: info.namespace.clone(),
            api_group: info.api_group.clone(),
            resource: info.resource.clone(),
            subresource: info.subresource.clone(),
            name: info.name.clone(),
            path: info.path.clone(),
        }
    }

    /// `pods` or `pods/log`.
    pub fn combined_resource(&self) -> String {
        if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        }
    }

    /// The text of a 403: upstream's `forbiddenMessage`.
    pub fn forbidden_message(&self) -> String {
        let user = &self.user.username;
        if !self.is_resource_request {
            return format!("User {user:?} cannot {} path {:?}", self.verb, self.path);
        }
        let resource = self.combined_resource();
        if self.namespace.is_empty() {
            format!(
                "User {user:?} cannot {} resource {resource:?} in API group {:?} at the cluster scope",
                self.verb, self.api_group
            )
        } else {
            format!(
                "User {user:?} cannot {} resource {resource:?} in API group {:?} in the namespace {:?}",
                self.verb, self.api_group, self.namespace
            )
        }
    }
}

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

/// Why a loaded object was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("{origin}: {kind} {name:?}: {message}")]
    Invalid {
        origin: String,
        kind: String,
        name: String,
        message: String,
    },
    #[error("{origin}: {message}")]
    Syntax { origin: String, message: String },
}

/// All roles and bindings, indexed for evaluation.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// ClusterRoles by name.
    pub cluster_roles: BTreeMap<String, Role>,
    /// Roles by (namespace, name).
    pub roles: BTreeMap<(String, String), Role>,
    /// ClusterRoleBindings, sorted by name.
    pub cluster_bindings: Vec<Binding>,
    /// RoleBindings by namespace, each sorted by name.
    pub bindings: BTreeMap<String, Vec<Binding>>,
    /// Subject index over ClusterRoleBindings: (kind, name) -> positions.
    cluster_index: HashMap<(String, String), Vec<usize>>,
    /// Kinds that were skipped (not RBAC), with a count.
    pub skipped: BTreeMap<String, usize>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AggregationRule {
    #[serde(default)]
    cluster_role_selectors: Vec<LabelSelector>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Object {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    api_version: String,
    #[serde(default)]
    metadata: Option<Meta>,
    #[serde(default)]
    rules: Option<Vec<PolicyRule>>,
    #[serde(default)]
    aggregation_rule: Option<AggregationRule>,
    #[serde(default)]
    role_ref: Option<RoleRef>,
    #[serde(default)]
    subjects: Option<Vec<Subject>>,
    #[serde(default)]
    items: Option<Vec<serde_json::Value>>,
}

impl Policy {
    /// Adds the objects of one JSON or YAML text (one object, a
    /// multi-document stream, or `List` kinds). `origin` names the text in
    /// errors and explanations.
    pub fn add_text(&mut self, text: &str, origin: &str) -> Result<usize, LoadError> {
        let docs = kauth_formats::yaml::parse_documents(text).map_err(|e| LoadError::Syntax {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        let mut added = 0;
        for doc in docs {
            added += self.add_value(kauth_formats::yaml::to_json(&doc), origin)?;
        }
        Ok(added)
    }

    /// Adds one object (or the items of a List).
    pub fn add_value(
        &mut self,
        value: serde_json::Value,
        origin: &str,
    ) -> Result<usize, LoadError> {
        let object: Object = serde_json::from_value(value).map_err(|e| LoadError::Syntax {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        if let Some(items) = object.items.filter(|_| object.kind.ends_with("List")) {
            let mut added = 0;
            for item in items {
                added += self.add_value(item, origin)?;
            }
            return Ok(added);
        }
        let rbac_group = object.api_version.is_empty()
            || object.api_version.starts_with("rbac.authorization.k8s.io/");
        let meta = object.metadata.unwrap_or(Meta {
            name: String::new(),
            namespace: String::new(),
            labels: BTreeMap::new(),
        });
        let invalid = |message: &str| LoadError::Invalid {
            origin: origin.to_string(),
            kind: object.kind.clone(),
            name: meta.name.clone(),
            message: message.to_string(),
        };
        if !rbac_group {
            *self.skipped.entry(object.kind.clone()).or_default() += 1;
            return Ok(0);
        }
        match object.kind.as_str() {
            "ClusterRole" | "Role" => {
                if meta.name.is_empty() {
                    return Err(invalid("metadata.name is required"));
                }
                let cluster = object.kind == "ClusterRole";
                if !cluster && meta.namespace.is_empty() {
                    return Err(invalid("a Role needs metadata.namespace"));
                }
                let role = Role {
                    name: meta.name.clone(),
                    namespace: if cluster {
                        String::new()
                    } else {
                        meta.namespace.clone()
                    },
                    labels: meta.labels,
                    rules: object.rules.unwrap_or_default(),
                    aggregation: if cluster {
                        object.aggregation_rule.map(|a| a.cluster_role_selectors)
                    } else {
                        None
                    },
                    origin: origin.to_string(),
                };
                if cluster {
                    self.cluster_roles.insert(role.name.clone(), role);
                } else {
                    self.roles
                        .insert((role.namespace.clone(), role.name.clone()), role);
                }
                Ok(1)
            }
            "ClusterRoleBinding" | "RoleBinding" => {
                if meta.name.is_empty() {
                    return Err(invalid("metadata.name is required"));
                }
                let cluster = object.kind == "ClusterRoleBinding";
                if !cluster && meta.namespace.is_empty() {
                    return Err(invalid("a RoleBinding needs metadata.namespace"));
                }
                let role_ref = object
                    .role_ref
                    .ok_or_else(|| invalid("roleRef is required"))?;
                if cluster && role_ref.kind != "ClusterRole" {
                    return Err(invalid(
                        "a ClusterRoleBinding can only refer to a ClusterRole",
                    ));
                }
                let binding = Binding {
                    name: meta.name.clone(),
                    namespace: if cluster {
                        String::new()
                    } else {
                        meta.namespace.clone()
                    },
                    role_ref,
                    subjects: object.subjects.unwrap_or_default(),
                    origin: origin.to_string(),
                };
                self.insert_binding(binding);
                Ok(1)
            }
            other => {
                *self.skipped.entry(other.to_string()).or_default() += 1;
                Ok(0)
            }
        }
    }

    fn insert_binding(&mut self, binding: Binding) {
        let list = if binding.is_cluster() {
            &mut self.cluster_bindings
        } else {
            self.bindings.entry(binding.namespace.clone()).or_default()
        };
        match list.binary_search_by(|b| b.name.cmp(&binding.name)) {
            Ok(i) => list[i] = binding,
            Err(i) => list.insert(i, binding),
        }
        // A new binding makes the subject index stale.
        self.cluster_index.clear();
    }

    /// Fills aggregated ClusterRoles (the clusterrole-aggregation
    /// controller): the union of the rules of every ClusterRole whose labels
    /// match a selector, by role name, without duplicates.
    pub fn aggregate(&mut self) {
        let aggregated: Vec<(String, Vec<PolicyRule>)> = self
            .cluster_roles
            .values()
            .filter_map(|role| {
                let selectors = role.aggregation.as_ref()?;
                let mut rules: Vec<PolicyRule> = Vec::new();
                for other in self.cluster_roles.values() {
                    if other.name == role.name
                        || !selectors.iter().any(|s| s.matches(&other.labels))
                    {
                        continue;
                    }
                    for rule in &other.rules {
                        if !rules.contains(rule) {
                            rules.push(rule.clone());
                        }
                    }
                }
                Some((role.name.clone(), rules))
            })
            .collect();
        for (name, rules) in aggregated {
            if let Some(role) = self.cluster_roles.get_mut(&name) {
                role.rules = rules;
            }
        }
    }

    /// Builds the subject index over ClusterRoleBindings; evaluation works
    /// without it, only slower.
    pub fn index(&mut self) {
        self.cluster_index.clear();
        for (i, b) in self.cluster_bindings.iter().enumerate() {
            for s in &b.subjects {
                let key = match s.kind.as_str() {
                    "ServiceAccount" => (
                        "User".to_string(),
                        user::service_account_username(&s.namespace, &s.name),
                    ),
                    kind => (kind.to_string(), s.name.clone()),
                };
                let entry = self.cluster_index.entry(key).or_default();
                if entry.last() != Some(&i) {
                    entry.push(i);
                }
            }
        }
    }

    /// The ClusterRoleBindings that may apply to `user`, in name order.
    fn cluster_bindings_for<'a>(&'a self, user: &UserInfo) -> Vec<&'a Binding> {
        if self.cluster_index.is_empty() {
            return self.cluster_bindings.iter().collect();
        }
        let mut positions: Vec<usize> = Vec::new();
        let mut add = |key: (String, String)| {
            if let Some(p) = self.cluster_index.get(&key) {
                positions.extend(p);
            }
        };
        add(("User".to_string(), user.username.clone()));
        for g in &user.groups {
            add(("Group".to_string(), g.clone()));
        }
        positions.sort_unstable();
        positions.dedup();
        positions
            .into_iter()
            .map(|i| &self.cluster_bindings[i])
            .collect()
    }

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
    use super::*;

    fn rule(verbs: &str, groups: &str, resources: &str, urls: &str) -> PolicyRule {
        let split = |s: &str| s.split(',').map(str::to_string).collect();
        PolicyRule {
            verbs: split(verbs),
            api_groups: split(groups),
            resources: split(resources),
            non_resource_urls: split(urls),
            resource_names: Vec::new(),
        }
    }

    fn subjects(list: &[&str]) -> Vec<Subject> {
        list.iter()
            .map(|s| {
                let (kind, name) = s.split_once(':').unwrap();
                Subject {
                    kind: kind.to_string(),
                    name: name.to_string(),
                    ..Subject::default()
                }
            })
            .collect()
    }

    fn policy(
        cluster_roles: &[(&str, PolicyRule)],
        crbs: &[(&str, &[&str])],
        rbs: &[(&str, &str, &[&str])],
    ) -> Policy {
        let mut p = Policy::default();
        for (name, r) in cluster_roles {
            p.cluster_roles.insert(
                name.to_string(),
                Role {
                    name: name.to_string(),
                    rules: vec![r.clone()],
                    ..Role::default()
                },
            );
        }
        for (i, (role, subs)) in crbs.iter().enumerate() {
            p.insert_binding(Binding {
                name: format!("crb-{i}"),
                role_ref: RoleRef {
                    api_group: "rbac.authorization.k8s.io".into(),
                    kind: "ClusterRole".into(),
                    name: role.to_string(),
                },
                subjects: subjects(subs),
                ..Binding::default()
            });
        }
        for (i, (ns, role, subs)) in rbs.iter().enumerate() {
            p.insert_binding(Binding {
                name: format!("rb-{i}"),
                namespace: ns.to_string(),
                role_ref: RoleRef {
                    api_group: "rbac.authorization.k8s.io".into(),
                    kind: "ClusterRole".into(),
                    name: role.to_string(),
                },
                subjects: subjects(subs),
                ..Binding::default()
            });
        }
        p.index();
        p
    }

    fn res(
        user: &str,
        groups: &str,
        verb: &str,
        resource: &str,
        sub: &str,
        ns: &str,
    ) -> Attributes {
        Attributes {
            user: UserInfo::new(user, groups.split(',').filter(|g| !g.is_empty())),
            verb: verb.into(),
            is_resource_request: true,
            namespace: ns.into(),
            resource: resource.into(),
            subresource: sub.into(),
            ..Attributes::default()
        }
    }

    fn url(user: &str, groups: &str, verb: &str, path: &str) -> Attributes {
        Attributes {
            user: UserInfo::new(user, groups.split(',').filter(|g| !g.is_empty())),
            verb: verb.into(),
            path: path.into(),
            ..Attributes::default()
        }
    }

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

    #[test]
    fn forbidden_messages_match_the_server() {
        let a = res("kfree", "dev", "list", "pods", "", "test");
        assert_eq!(
            a.forbidden_message(),
            "User \"kfree\" cannot list resource \"pods\" in API group \"\" in the namespace \"test\""
        );
        let a = res("kfree", "dev", "get", "nodes", "proxy", "");
        assert_eq!(
            a.forbidden_message(),
            "User \"kfree\" cannot get resource \"nodes/proxy\" in API group \"\" at the cluster scope"
        );
        let a = url("system:anonymous", "", "get", "/metrics");
        assert_eq!(
            a.forbidden_message(),
            "User \"system:anonymous\" cannot get path \"/metrics\""
        );
    }
}
