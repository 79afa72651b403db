//! What one authorizer decides, and how kube-apiserver's chain of
//! authorizers (`--authorization-mode=ABAC,RBAC`, `Node,RBAC`) combines
//! their decisions.
//!
//! Upstream: `staging/src/k8s.io/apiserver/pkg/authorization/authorizer/interfaces.go`
//! (`Decision`) and `staging/src/k8s.io/apiserver/pkg/authorization/union/union.go`
//! (`unionAuthzHandler.Authorize`). The tests follow `TestAuthorizationSecondPasses`,
//! `TestAuthorizationFirstPasses`, `TestAuthorizationNonePasses` and
//! `TestAuthorizationUnequivocalDeny` in `union_test.go`.

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

/// The authorizer chain as upstream's union runs it: the first decision
/// that is not "no opinion" wins, with its own reason; when every
/// authorizer has no opinion, the result is no opinion with their
/// non-empty reasons joined by newlines. `decisions` is consumed lazily,
/// so later authorizers are not asked once one decides.
pub fn union(decisions: impl IntoIterator<Item = Decision>) -> Decision {
    let mut reasons: Vec<String> = Vec::new();
    for d in decisions {
        match d {
            Decision::NoOpinion { reason } => {
                if !reason.is_empty() {
                    reasons.push(reason);
                }
            }
            decided => return decided,
        }
    }
    Decision::NoOpinion {
        reason: reasons.join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deny(r: &str) -> Decision {
        Decision::Deny { reason: r.into() }
    }

    /// `TestAuthorizationFirstPasses`, `TestAuthorizationSecondPasses`,
    /// `TestAuthorizationNonePasses` and `TestAuthorizationUnequivocalDeny`
    /// in upstream's `union_test.go`, plus the joined reasons.
    #[test]
    fn union_follows_upstream() {
        // The first allows: the second is never asked.
        let mut asked = 0;
        let d = union(
            [Decision::allow(), Decision::no_opinion("x")]
                .into_iter()
                .inspect(|_| asked += 1),
        );
        assert!(d.allowed());
        assert_eq!(asked, 1);
        // The second allows.
        assert!(union([Decision::no_opinion(""), Decision::allow()]).allowed());
        // None allows: no opinion, reasons joined.
        let d = union([
            Decision::no_opinion("No policy matched."),
            Decision::no_opinion(""),
            Decision::no_opinion("RBAC: role missing"),
        ]);
        assert_eq!(
            d,
            Decision::no_opinion("No policy matched.\nRBAC: role missing")
        );
        // A deny stops the chain even before an allow.
        let d = union([Decision::no_opinion("a"), deny("no"), Decision::allow()]);
        assert_eq!(d, deny("no"));
        // Nothing at all: no opinion, empty reason.
        assert_eq!(union([]), Decision::no_opinion(""));
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
