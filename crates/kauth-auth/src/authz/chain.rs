//! kube-apiserver's authorizer chain: `system:masters` first, then each
//! authorizer in `--authorization-mode` order; the first that allows or
//! denies decides, one with no opinion passes the request on, and when
//! none decides the request is denied with the reasons of all of them.
//!
//! Upstream: `pkg/kubeapiserver/authorizer/config.go` (the order, the
//! privileged group authorizer), `staging/src/k8s.io/apiserver/pkg/
//! authorization/union/union.go` (the union), `authorizerfactory/
//! builtin.go` (AlwaysAllow, AlwaysDeny, privileged groups).

use super::rbac::{Attributes, Decision as RbacDecision, Policy};
use crate::user;

/// What one authorizer says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allow(String),
    Deny(String),
    NoOpinion(String),
    /// The authorizer would decide, but kauth cannot tell how offline.
    Undecided,
}

/// One authorizer of the chain.
pub enum Authorizer<'a> {
    /// `system:masters`, always first.
    PrivilegedGroup,
    AlwaysAllow,
    AlwaysDeny,
    Rbac(&'a Policy),
    /// An authorizer whose answer kauth cannot know here: a webhook (a
    /// remote service), or one whose inputs were not given.
    Opaque(&'static str),
    /// Any other authorizer kauth models (Node, ABAC), by name.
    Other {
        name: &'static str,
        decide: &'a dyn Fn(&Attributes) -> Verdict,
    },
}

impl Authorizer<'_> {
    pub fn name(&self) -> &'static str {
        match self {
            Authorizer::PrivilegedGroup => "system:masters",
            Authorizer::AlwaysAllow => "AlwaysAllow",
            Authorizer::AlwaysDeny => "AlwaysDeny",
            Authorizer::Rbac(_) => "RBAC",
            Authorizer::Opaque(name) => name,
            Authorizer::Other { name, .. } => name,
        }
    }
}

/// The chain's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Allowed or denied by the authorizer named, with its reason.
    Decided {
        by: &'static str,
        allowed: bool,
        reason: String,
    },
    /// No authorizer decided: denied, with every reason given on its way.
    NoOpinion { reason: String },
    /// An opaque authorizer (a webhook) was reached before any authorizer
    /// decided: the answer is its, which kauth cannot know.
    Unknown {
        by: &'static str,
        reasons_so_far: String,
    },
}

impl Answer {
    /// `None` when the webhook decides.
    pub fn allowed(&self) -> Option<bool> {
        match self {
            Answer::Decided { allowed, .. } => Some(*allowed),
            Answer::NoOpinion { .. } => Some(false),
            Answer::Unknown { .. } => None,
        }
    }
}

pub fn authorize(chain: &[Authorizer], attrs: &Attributes) -> Answer {
    let mut reasons: Vec<String> = Vec::new();
    for authorizer in chain {
        let verdict = match authorizer {
            Authorizer::PrivilegedGroup if attrs.user.in_group(user::SYSTEM_PRIVILEGED_GROUP) => {
                Verdict::Allow(String::new())
            }
            Authorizer::PrivilegedGroup => Verdict::NoOpinion(String::new()),
            Authorizer::AlwaysAllow => Verdict::Allow(String::new()),
            // Not a denial: a later authorizer may still allow.
            Authorizer::AlwaysDeny => Verdict::NoOpinion("Everything is forbidden.".to_string()),
            Authorizer::Rbac(policy) => match policy.authorize(attrs) {
                RbacDecision::Allow { reason, .. } => Verdict::Allow(reason),
                RbacDecision::NoOpinion { reason, .. } => Verdict::NoOpinion(reason),
            },
            Authorizer::Opaque(name) => {
                return Answer::Unknown {
                    by: name,
                    reasons_so_far: reasons.join("\n"),
                };
            }
            Authorizer::Other { decide, .. } => decide(attrs),
        };
        match verdict {
            Verdict::Allow(reason) => {
                return Answer::Decided {
                    by: authorizer.name(),
                    allowed: true,
                    reason,
                };
            }
            Verdict::Deny(reason) => {
                return Answer::Decided {
                    by: authorizer.name(),
                    allowed: false,
                    reason,
                };
            }
            Verdict::NoOpinion(reason) if !reason.is_empty() => reasons.push(reason),
            Verdict::NoOpinion(_) => {}
            Verdict::Undecided => {
                return Answer::Unknown {
                    by: authorizer.name(),
                    reasons_so_far: reasons.join("\n"),
                };
            }
        }
    }
    Answer::NoOpinion {
        reason: reasons.join("\n"),
    }
}

/// The chain for `--authorization-mode`: Node and ABAC come from `other`
/// (as `Other`), and a mode it does not supply is opaque.
pub fn for_modes<'a>(
    modes: &[String],
    rbac: &'a Policy,
    mut other: impl FnMut(&str) -> Option<Authorizer<'a>>,
) -> Vec<Authorizer<'a>> {
    let mut chain = vec![Authorizer::PrivilegedGroup];
    for mode in modes {
        chain.push(match mode.as_str() {
            "AlwaysAllow" => Authorizer::AlwaysAllow,
            "AlwaysDeny" => Authorizer::AlwaysDeny,
            "RBAC" => Authorizer::Rbac(rbac),
            m => match other(m) {
                Some(a) => a,
                None => Authorizer::Opaque(
                    crate::apiserver::MODES
                        .iter()
                        .find(|known| **known == m)
                        .copied()
                        .unwrap_or("Webhook"),
                ),
            },
        });
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::user::UserInfo;

    fn attrs(user: &str, groups: &[&str]) -> Attributes {
        Attributes {
            user: UserInfo {
                username: user.into(),
                groups: groups.iter().map(|g| g.to_string()).collect(),
                ..UserInfo::default()
            },
            verb: "get".into(),
            is_resource_request: true,
            resource: "pods".into(),
            namespace: "default".into(),
            ..Attributes::default()
        }
    }

    // Follows union_test.go: TestAuthorizationFirstPasses,
    // TestAuthorizationSecondPasses, TestAuthorizationNilPasses.
    #[test]
    fn the_first_that_decides_wins_and_no_opinion_passes_on() {
        let empty = Policy::default();
        let none = |_: &Attributes| Verdict::NoOpinion("No policy matched.".into());
        let deny = |_: &Attributes| Verdict::Deny("nope".into());
        let chain = [
            Authorizer::PrivilegedGroup,
            Authorizer::Other {
                name: "ABAC",
                decide: &none,
            },
            Authorizer::Rbac(&empty),
        ];
        let a = authorize(&chain, &attrs("alice", &["system:authenticated"]));
        assert_eq!(
            a,
            Answer::NoOpinion {
                reason: "No policy matched.".into()
            }
        );
        let m = authorize(&chain, &attrs("root", &["system:masters"]));
        assert_eq!(
            m,
            Answer::Decided {
                by: "system:masters",
                allowed: true,
                reason: String::new()
            }
        );
        let chain = [
            Authorizer::Other {
                name: "X",
                decide: &deny,
            },
            Authorizer::AlwaysAllow,
        ];
        assert_eq!(authorize(&chain, &attrs("a", &[])).allowed(), Some(false));
        let chain = [
            Authorizer::Other {
                name: "ABAC",
                decide: &none,
            },
            Authorizer::Opaque("Webhook"),
            Authorizer::AlwaysDeny,
        ];
        assert_eq!(
            authorize(&chain, &attrs("a", &[])),
            Answer::Unknown {
                by: "Webhook",
                reasons_so_far: "No policy matched.".into()
            }
        );
    }

    #[test]
    fn modes_build_the_chain_in_order() {
        let p = Policy::default();
        let chain = for_modes(
            &["AlwaysDeny".into(), "RBAC".into(), "Node".into()],
            &p,
            |_| None,
        );
        let names: Vec<&str> = chain.iter().map(|a| a.name()).collect();
        assert_eq!(names, ["system:masters", "AlwaysDeny", "RBAC", "Node"]);
        // AlwaysDeny has no opinion (builtin.go): the opaque Node decides.
        let a = authorize(&chain, &attrs("a", &[]));
        assert_eq!(
            a,
            Answer::Unknown {
                by: "Node",
                reasons_so_far: "Everything is forbidden.".into()
            }
        );
        let chain = for_modes(&["AlwaysDeny".into(), "AlwaysAllow".into()], &p, |_| None);
        assert_eq!(authorize(&chain, &attrs("a", &[])).allowed(), Some(true));
        let chain = for_modes(&["AlwaysDeny".into()], &p, |_| None);
        assert_eq!(
            authorize(&chain, &attrs("a", &[])),
            Answer::NoOpinion {
                reason: "Everything is forbidden.".into()
            }
        );
    }
}
