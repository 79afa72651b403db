//! Authorization: RBAC with kube-apiserver's default roles, ABAC, the
//! Node authorizer ([`Decision`] is what ABAC and Node answer), and the
//! parts of its authorizer chain around them ([`chain`]).

pub mod abac;
pub mod chain;
mod decision;
pub mod explain;
pub mod node;
pub mod rbac;

pub use decision::Decision;
use rbac::{Attributes, Policy};

use crate::user;

/// kube-apiserver's decision for `Node,RBAC` authorization with the
/// privileged group authorizer in front (`pkg/kubeapiserver/authorizer`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// `system:masters`: allowed before any authorizer runs, no reason.
    Privileged,
    /// What RBAC decided.
    Rbac(rbac::Decision),
}

impl Outcome {
    pub fn allowed(&self) -> bool {
        match self {
            Outcome::Privileged => true,
            Outcome::Rbac(d) => d.allowed(),
        }
    }

    /// The `reason` a SubjectAccessReview would carry.
    pub fn reason(&self) -> &str {
        match self {
            Outcome::Privileged => "",
            Outcome::Rbac(rbac::Decision::Allow { reason, .. })
            | Outcome::Rbac(rbac::Decision::NoOpinion { reason, .. }) => reason,
        }
    }
}

/// Whether the Node authorizer ([`node`], which needs the cluster's pods
/// and volumes) has a say for this user.
pub fn is_node_identity(u: &crate::UserInfo) -> bool {
    u.username.starts_with(user::NODE_USER_PREFIX) && u.in_group(user::NODES_GROUP)
}

pub fn authorize(policy: &Policy, attrs: &Attributes) -> Outcome {
    if attrs.user.in_group(user::SYSTEM_PRIVILEGED_GROUP) {
        return Outcome::Privileged;
    }
    Outcome::Rbac(policy.authorize(attrs))
}

/// kube-apiserver's default ClusterRoles and ClusterRoleBindings (its RBAC
/// bootstrap policy, v1.36 with default feature gates).
pub const DEFAULTS_YAML: &str = include_str!("defaults.yaml");

/// The built-in default policy.
pub fn default_policy() -> Policy {
    let mut policy = Policy::default();
    policy
        .add_text(DEFAULTS_YAML, "(kube-apiserver defaults)")
        .expect("the built-in defaults parse; a test checks it");
    policy
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::user::UserInfo;
    use rbac::Attributes;

    fn url(user: UserInfo, verb: &str, path: &str) -> Attributes {
        Attributes {
            user,
            verb: verb.into(),
            path: path.into(),
            ..Attributes::default()
        }
    }

    #[test]
    fn defaults_load_and_grant_what_a_fresh_cluster_grants() {
        let mut p = default_policy();
        p.aggregate();
        p.index();
        assert!(p.cluster_roles.len() >= 60, "{}", p.cluster_roles.len());
        for name in [
            "cluster-admin",
            "admin",
            "edit",
            "view",
            "system:discovery",
            "system:basic-user",
            "system:public-info-viewer",
        ] {
            assert!(p.cluster_roles.contains_key(name), "{name}");
        }
        assert!(
            p.cluster_roles["view"].rules.len() > 5,
            "view is aggregated from system:aggregate-to-view"
        );
        let anon = UserInfo::anonymous();
        assert!(p.authorize(&url(anon.clone(), "get", "/healthz")).allowed());
        assert!(p.authorize(&url(anon.clone(), "get", "/version")).allowed());
        assert!(!p.authorize(&url(anon, "get", "/metrics")).allowed());
        let kfree = UserInfo::new("kfree", ["dev"]).with_authenticated_group();
        let d = p.authorize(&url(kfree.clone(), "get", "/api"));
        assert!(d.allowed(), "{d:?}");
        let create_ssar = Attributes {
            user: kfree,
            verb: "create".into(),
            is_resource_request: true,
            api_group: "authorization.k8s.io".into(),
            resource: "selfsubjectaccessreviews".into(),
            ..Attributes::default()
        };
        assert!(p.authorize(&create_ssar).allowed());
    }
}
