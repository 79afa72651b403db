//! Aggregated ClusterRoles, as the clusterrole-aggregation controller fills
//! them.
//!
//! Upstream: `pkg/controller/clusterroleaggregation`.

use super::{Policy, PolicyRule};

impl Policy {
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
}
