//! RBAC as kube-apiserver's RBAC authorizer applies it, one file per job
//! (each names the upstream source it follows):
//! - `types`: roles, bindings, rules and subjects;
//! - `attributes`: what is asked, and the text of a refusal;
//! - `matching`: whether a rule covers a request, a subject a user;
//! - `load`: reading the objects from JSON or YAML into a [`Policy`];
//! - `policy`: the roles and bindings, sorted and indexed;
//! - `aggregate`: the rules of aggregated ClusterRoles;
//! - `evaluate`: the rules granted to a user, and the decision.

mod aggregate;
mod attributes;
mod evaluate;
#[cfg(test)]
mod fixtures;
mod load;
mod matching;
mod policy;
mod types;

pub use attributes::Attributes;
pub use evaluate::{Decision, Grant, OwnedGrant};
pub use load::LoadError;
pub use matching::{
    api_group_matches, non_resource_url_matches, resource_matches, resource_name_matches,
    rule_allows, subject_applies, verb_matches,
};
pub use policy::Policy;
pub use types::{
    Binding, LabelSelector, LabelSelectorRequirement, PolicyRule, Role, RoleRef, Subject,
    describe_subject,
};
