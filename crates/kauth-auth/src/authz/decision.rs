//! What one authorizer (ABAC, Node) decides, with its reason; the chain
//! ([`super::chain`]) takes it as a [`Verdict`].
//!
//! Upstream: `staging/src/k8s.io/apiserver/pkg/authorization/authorizer/interfaces.go`
//! (`Decision`).

use super::chain::Verdict;
use super::rbac;

/// One authorizer's answer, with the reason a SubjectAccessReview carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Allowed; the chain stops here.
    Allow { reason: String },
    /// Denied outright; the chain stops here. (No authorizer kauth models
    /// denies: ABAC, Node and RBAC only allow or have no opinion.)
    Deny { reason: String },
    /// No opinion: the next authorizer is asked; when none is left the
    /// request is denied.
    NoOpinion { reason: String },
}

impl Decision {
    pub fn allow() -> Decision {
        Decision::Allow {
            reason: String::new(),
        }
    }

    pub fn no_opinion(reason: impl Into<String>) -> Decision {
        Decision::NoOpinion {
            reason: reason.into(),
        }
    }

    pub fn allowed(&self) -> bool {
        matches!(self, Decision::Allow { .. })
    }

    pub fn is_no_opinion(&self) -> bool {
        matches!(self, Decision::NoOpinion { .. })
    }

    /// The reason, possibly empty.
    pub fn reason(&self) -> &str {
        match self {
            Decision::Allow { reason }
            | Decision::Deny { reason }
            | Decision::NoOpinion { reason } => reason,
        }
    }
}

impl From<&rbac::Decision> for Decision {
    fn from(d: &rbac::Decision) -> Decision {
        match d {
            rbac::Decision::Allow { reason, .. } => Decision::Allow {
                reason: reason.clone(),
            },
            rbac::Decision::NoOpinion { reason, .. } => Decision::NoOpinion {
                reason: reason.clone(),
            },
        }
    }
}

impl From<rbac::Decision> for Decision {
    fn from(d: rbac::Decision) -> Decision {
        Decision::from(&d)
    }
}

impl From<Decision> for Verdict {
    fn from(d: Decision) -> Verdict {
        match d {
            Decision::Allow { reason } => Verdict::Allow(reason),
            Decision::Deny { reason } => Verdict::Deny(reason),
            Decision::NoOpinion { reason } => Verdict::NoOpinion(reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_become_chain_verdicts() {
        assert_eq!(
            Verdict::from(Decision::allow()),
            Verdict::Allow(String::new())
        );
        assert_eq!(
            Verdict::from(Decision::no_opinion("No policy matched.")),
            Verdict::NoOpinion("No policy matched.".into())
        );
        assert_eq!(
            Verdict::from(Decision::Deny {
                reason: "no".into()
            }),
            Verdict::Deny("no".into())
        );
    }

    #[test]
    fn rbac_decisions_convert_with_their_reason() {
        let a = rbac::Decision::Allow {
            reason: "RBAC: allowed by X".into(),
            grant: None,
        };
        assert_eq!(
            Decision::from(&a),
            Decision::Allow {
                reason: "RBAC: allowed by X".into()
            }
        );
        let n = rbac::Decision::NoOpinion {
            reason: String::new(),
            errors: vec![],
        };
        assert!(Decision::from(n).is_no_opinion());
    }
}
