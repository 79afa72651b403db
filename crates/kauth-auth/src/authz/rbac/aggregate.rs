//! Aggregated ClusterRoles, as the clusterrole-aggregation controller of
//! kube-controller-manager leaves them once it has converged.
//!
//! Upstream: `pkg/controller/clusterroleaggregation` (`syncClusterRole`).
//! One sync of an aggregated ClusterRole replaces its rules with, for each
//! selector in order, the rules of the ClusterRoles it selects (itself
//! left out) in name order, each rule once. The controller syncs every
//! aggregated role again whenever any ClusterRole changes, so aggregation
//! is transitive: `admin` selects `edit`, which is itself aggregated from
//! `system:aggregate-to-edit` and from `view`'s sources. kauth repeats
//! the syncs, in name order and each on the latest rules, until nothing
//! changes (a cycle of aggregated roles settles the same way; it can only
//! copy rules around, never make new ones).
//! A role with a selector the API would not accept (an unknown operator,
//! `In`/`NotIn` without values, `Exists`/`DoesNotExist` with values) is
//! left as it is, as the controller gives up on its sync.

use super::{LabelSelector, Policy, PolicyRule};

/// A bound on the rounds of syncs: an acyclic chain of aggregated roles
/// settles in as many rounds as it is long, and a cycle within a few more.
const MAX_ROUNDS: usize = 10_000;

impl LabelSelector {
    /// Whether `metav1.LabelSelectorAsSelector` accepts the selector.
    fn is_valid(&self) -> bool {
        self.match_expressions
            .iter()
            .all(|r| match r.operator.as_str() {
                "In" | "NotIn" => !r.values.is_empty(),
                "Exists" | "DoesNotExist" => r.values.is_empty(),
                _ => false,
            })
    }
}

impl Policy {
    /// The rules one controller sync gives the aggregated ClusterRole
    /// `name`, or `None` if it is not aggregated or cannot be synced.
    fn synced_rules(&self, name: &str) -> Option<Vec<PolicyRule>> {
        let role = self.cluster_roles.get(name)?;
        let selectors = role.aggregation.as_ref()?;
        if !selectors.iter().all(LabelSelector::is_valid) {
            return None;
        }
        let mut rules: Vec<PolicyRule> = Vec::new();
        for selector in selectors {
            // `cluster_roles` is a BTreeMap: name order, as the controller
            // sorts what its lister returns.
            for other in self.cluster_roles.values() {
                if other.name == role.name || !selector.matches(&other.labels) {
                    continue;
                }
                for rule in &other.rules {
                    if !rules.contains(rule) {
                        rules.push(rule.clone());
                    }
                }
            }
        }
        Some(rules)
    }

    /// Fills aggregated ClusterRoles as the clusterrole-aggregation
    /// controller converges (see the module comment).
    pub fn aggregate(&mut self) {
        let aggregated: Vec<String> = self
            .cluster_roles
            .values()
            .filter(|r| r.aggregation.is_some())
            .map(|r| r.name.clone())
            .collect();
        for _ in 0..MAX_ROUNDS {
            let mut changed = false;
            for name in &aggregated {
                let Some(rules) = self.synced_rules(name) else {
                    continue;
                };
                let role = self
                    .cluster_roles
                    .get_mut(name)
                    .expect("the name was taken from the map");
                if role.rules != rules {
                    role.rules = rules;
                    changed = true;
                }
            }
            if !changed {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::{LabelSelectorRequirement, Role};
    use super::*;

    fn rule(verb: &str, resource: &str) -> PolicyRule {
        PolicyRule {
            api_groups: vec![String::new()],
            resources: vec![resource.into()],
            verbs: vec![verb.into()],
            ..PolicyRule::default()
        }
    }

    fn selector(key: &str) -> LabelSelector {
        LabelSelector {
            match_labels: BTreeMap::from([(key.to_string(), "true".to_string())]),
            ..LabelSelector::default()
        }
    }

    fn role(name: &str, labels: &[&str], aggregates: &[&str], rules: Vec<PolicyRule>) -> Role {
        Role {
            name: name.into(),
            labels: labels
                .iter()
                .map(|l| (l.to_string(), "true".to_string()))
                .collect(),
            rules,
            aggregation: (!aggregates.is_empty())
                .then(|| aggregates.iter().map(|k| selector(k)).collect()),
            ..Role::default()
        }
    }

    fn policy(roles: Vec<Role>) -> Policy {
        let mut p = Policy::default();
        for r in roles {
            p.cluster_roles.insert(r.name.clone(), r);
        }
        p.aggregate();
        p
    }

    #[test]
    fn aggregation_is_transitive_through_aggregated_roles() {
        // Names chosen so that one pass in name order would fill `a-top`
        // before `b-middle` has any rules.
        let p = policy(vec![
            role("a-top", &[], &["to-top"], vec![]),
            role("b-middle", &["to-top"], &["to-middle"], vec![]),
            role("c-leaf", &["to-middle"], &[], vec![rule("get", "pods")]),
            role("d-direct", &["to-top"], &[], vec![rule("list", "pods")]),
        ]);
        assert_eq!(p.cluster_roles["b-middle"].rules, vec![rule("get", "pods")]);
        assert_eq!(
            p.cluster_roles["a-top"].rules,
            vec![rule("get", "pods"), rule("list", "pods")]
        );
    }

    #[test]
    fn rules_follow_selector_order_then_role_names_each_once() {
        let mut top = role("top", &[], &["second", "first"], vec![rule("x", "own")]);
        top.aggregation = Some(vec![selector("second"), selector("first")]);
        let p = policy(vec![
            top,
            role("a", &["first"], &[], vec![rule("get", "a")]),
            role(
                "b",
                &["second"],
                &[],
                vec![rule("get", "b"), rule("get", "a")],
            ),
            role("c", &["second", "first"], &[], vec![rule("get", "c")]),
        ]);
        assert_eq!(
            p.cluster_roles["top"].rules,
            vec![rule("get", "b"), rule("get", "a"), rule("get", "c")],
            "the aggregated role's own rules are replaced"
        );
    }

    #[test]
    fn an_invalid_selector_leaves_the_role_as_it_is() {
        let mut bad = role("bad", &[], &["x"], vec![rule("get", "own")]);
        bad.aggregation = Some(vec![LabelSelector {
            match_expressions: vec![LabelSelectorRequirement {
                key: "x".into(),
                operator: "In".into(),
                values: vec![],
            }],
            ..LabelSelector::default()
        }]);
        let p = policy(vec![
            bad,
            role("src", &["x"], &[], vec![rule("get", "pods")]),
        ]);
        assert_eq!(p.cluster_roles["bad"].rules, vec![rule("get", "own")]);
    }

    #[test]
    fn a_cycle_of_aggregated_roles_settles() {
        let p = policy(vec![
            role("a", &["to-b"], &["to-a"], vec![rule("get", "a")]),
            role("b", &["to-a"], &["to-b"], vec![rule("get", "b")]),
        ]);
        assert_eq!(p.cluster_roles["a"].rules, p.cluster_roles["b"].rules);
    }
}
