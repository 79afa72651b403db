//! Policies and requests for the unit tests.

use super::{Attributes, Binding, Policy, PolicyRule, Role, RoleRef, Subject};
use crate::user::UserInfo;

pub(super) fn rule(verbs: &str, groups: &str, resources: &str, urls: &str) -> PolicyRule {
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

pub(super) fn policy(
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

pub(super) fn res(
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

pub(super) fn url(user: &str, groups: &str, verb: &str, path: &str) -> Attributes {
    Attributes {
        user: UserInfo::new(user, groups.split(',').filter(|g| !g.is_empty())),
        verb: verb.into(),
        path: path.into(),
        ..Attributes::default()
    }
}
