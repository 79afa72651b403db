//! Reading Roles, ClusterRoles and their bindings from JSON or YAML texts
//! into a [`Policy`]: one object, a multi-document stream, or `List` kinds;
//! objects of other kinds are counted and skipped. kauth's own: the
//! apiserver gets these objects through its API.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Binding, LabelSelector, Policy, PolicyRule, Role, RoleRef, Subject};

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

/// The API group of RBAC objects.
const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// The API's defaults for a binding, as the server stores it
/// (`pkg/apis/rbac/v1/defaults.go`): an empty `roleRef.apiGroup`, and an
/// empty `apiGroup` of a `User` or `Group` subject, become
/// `rbac.authorization.k8s.io`.
fn set_defaults(role_ref: &mut RoleRef, subjects: &mut [Subject]) {
    if role_ref.api_group.is_empty() {
        role_ref.api_group = RBAC_GROUP.to_string();
    }
    for s in subjects {
        if s.api_group.is_empty() && matches!(s.kind.as_str(), "User" | "Group") {
            s.api_group = RBAC_GROUP.to_string();
        }
    }
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
                let mut role_ref = object
                    .role_ref
                    .ok_or_else(|| invalid("roleRef is required"))?;
                let mut subjects = object.subjects.unwrap_or_default();
                set_defaults(&mut role_ref, &mut subjects);
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
                    subjects,
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bindings_get_the_apis_defaults_for_empty_api_groups() {
        let mut p = Policy::default();
        p.add_text(
            "kind: RoleBinding\napiVersion: rbac.authorization.k8s.io/v1\nmetadata: {name: b, namespace: ns}\nroleRef: {kind: ClusterRole, name: admin}\nsubjects:\n- {kind: User, name: u}\n- {kind: Group, name: g}\n- {kind: ServiceAccount, name: sa}\n- {kind: User, name: v, apiGroup: other}\n",
            "b.yaml",
        )
        .unwrap();
        let b = &p.bindings["ns"][0];
        assert_eq!(b.role_ref.api_group, RBAC_GROUP);
        let groups: Vec<&str> = b.subjects.iter().map(|s| s.api_group.as_str()).collect();
        assert_eq!(groups, [RBAC_GROUP, RBAC_GROUP, "", "other"]);
    }
}
