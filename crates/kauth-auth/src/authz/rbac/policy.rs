//! The roles and bindings that evaluation reads, kept sorted by name and
//! indexed by subject. Upstream reads them from informer caches
//! (`pkg/registry/rbac/validation/rule.go` takes them through its
//! `RoleGetter`, `RoleBindingLister` and friends).

use std::collections::{BTreeMap, HashMap};

use super::{Binding, Role};
use crate::user::{self, UserInfo};

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

impl Policy {
    pub(super) fn insert_binding(&mut self, binding: Binding) {
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
    pub(super) fn cluster_bindings_for<'a>(&'a self, user: &UserInfo) -> Vec<&'a Binding> {
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
}
