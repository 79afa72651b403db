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
    /// A webhook of an `AuthorizationConfiguration`: its match conditions
    /// are decided offline; a request they let through is the webhook's
    /// to answer, which kauth cannot know.
    Webhook(&'a crate::apiserver::ConfiguredAuthorizer),
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
            Authorizer::Webhook(_) => "Webhook",
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
        /// The authorizer's configured name, when it has one.
        name: String,
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
                    name: String::new(),
                    reasons_so_far: reasons.join("\n"),
                };
            }
            Authorizer::Webhook(a) => match webhook_matches(a, attrs) {
                Matched::No => Verdict::NoOpinion(String::new()),
                Matched::Error(e) if a.webhook.as_ref().is_some_and(|w| w.deny_on_error) => {
                    Verdict::Deny(format!(
                        "webhook {}: a match condition failed to evaluate ({e}), and its failure policy is Deny",
                        a.name
                    ))
                }
                Matched::Error(_) => Verdict::NoOpinion(String::new()),
                Matched::Yes => {
                    return Answer::Unknown {
                        by: "Webhook",
                        name: a.name.clone(),
                        reasons_so_far: reasons.join("\n"),
                    };
                }
            },
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
                    name: String::new(),
                    reasons_so_far: reasons.join("\n"),
                };
            }
        }
    }
    Answer::NoOpinion {
        reason: reasons.join("\n"),
    }
}

enum Matched {
    Yes,
    No,
    Error(String),
}

/// The SubjectAccessReview spec a webhook is sent, as its match conditions
/// see it (`request`): converted to unstructured, so empty fields are absent.
pub fn review_spec(attrs: &Attributes) -> serde_json::Value {
    use serde_json::{Map, Value};
    let mut spec = Map::new();
    let put = |m: &mut Map<String, Value>, k: &str, v: &str| {
        if !v.is_empty() {
            m.insert(k.to_string(), Value::String(v.to_string()));
        }
    };
    let u = &attrs.user;
    put(&mut spec, "user", &u.username);
    if !u.groups.is_empty() {
        spec.insert("groups".into(), serde_json::json!(u.groups));
    }
    if !u.extra.is_empty() {
        spec.insert("extra".into(), serde_json::json!(u.extra));
    }
    put(&mut spec, "uid", &u.uid);
    let mut r = Map::new();
    if attrs.is_resource_request {
        put(&mut r, "namespace", &attrs.namespace);
        put(&mut r, "verb", &attrs.verb);
        put(&mut r, "group", &attrs.api_group);
        put(&mut r, "resource", &attrs.resource);
        put(&mut r, "subresource", &attrs.subresource);
        put(&mut r, "name", &attrs.name);
        spec.insert("resourceAttributes".into(), Value::Object(r));
    } else {
        put(&mut r, "path", &attrs.path);
        put(&mut r, "verb", &attrs.verb);
        spec.insert("nonResourceAttributes".into(), Value::Object(r));
    }
    Value::Object(spec)
}

/// The webhook authorizer's `match`: any condition false skips it (even
/// when another fails to evaluate); otherwise an error decides by the
/// failure policy; all true asks the webhook.
fn webhook_matches(a: &crate::apiserver::ConfiguredAuthorizer, attrs: &Attributes) -> Matched {
    let Some(w) = &a.webhook else {
        return Matched::Yes;
    };
    if w.match_conditions.is_empty() {
        return Matched::Yes;
    }
    let request = review_spec(attrs);
    let mut errors = Vec::new();
    for c in &w.match_conditions {
        match c.eval(&[("request", &request)]) {
            Ok(crate::cel::Outcome::Bool(true)) => {}
            Ok(crate::cel::Outcome::Bool(false)) => return Matched::No,
            Ok(_) => errors.push(format!("expression '{}' must return a boolean", c.source)),
            Err(e) => errors.push(format!("expression '{}' resulted in error: {e}", c.source)),
        }
    }
    if errors.is_empty() {
        Matched::Yes
    } else {
        Matched::Error(errors.join("; "))
    }
}

/// The chain of an `AuthorizationConfiguration`, in its order; Node and
/// ABAC come from `other`, as for [`for_modes`].
pub fn for_file<'a>(
    file: &'a crate::apiserver::AuthorizationFile,
    rbac: &'a Policy,
    mut other: impl FnMut(&str) -> Option<Authorizer<'a>>,
) -> Vec<Authorizer<'a>> {
    let mut chain = vec![Authorizer::PrivilegedGroup];
    for a in &file.authorizers {
        chain.push(match a.kind.as_str() {
            "AlwaysAllow" => Authorizer::AlwaysAllow,
            "AlwaysDeny" => Authorizer::AlwaysDeny,
            "RBAC" => Authorizer::Rbac(rbac),
            "Webhook" => Authorizer::Webhook(a),
            m => other(m).unwrap_or(Authorizer::Opaque(if m == "Node" {
                "Node"
            } else {
                "ABAC"
            })),
        });
    }
    chain
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
                name: String::new(),
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
                name: String::new(),
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

    /// The webhook authorizer's match conditions, after upstream's
    /// `TestV1WebhookMatchConditions` (webhook_v1_test.go):
    /// a false condition skips the webhook even when another errs; an
    /// error alone follows the failure policy; all true asks it.
    #[test]
    fn webhook_match_conditions_decide_whether_it_is_asked() {
        use crate::apiserver::AuthorizationFile;
        let file = |policy: &str, conditions: &[&str]| {
            let mut text = format!(
                "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\nauthorizers:\n- type: Webhook\n  name: wh\n  webhook:\n    failurePolicy: {policy}\n    connectionInfo:\n      type: InClusterConfig\n    matchConditions:\n"
            );
            for c in conditions {
                text.push_str(&format!("    - expression: {c:?}\n"));
            }
            text.push_str("- type: AlwaysAllow\n  name: allow\n");
            AuthorizationFile::parse(&text).unwrap()
        };
        let p = Policy::default();
        let ask = |f: &AuthorizationFile, a: &Attributes| authorize(&for_file(f, &p, |_| None), a);
        let pods = attrs("alice", &["system:authenticated"]);
        let mut nodes = pods.clone();
        nodes.resource = "nodes".into();
        nodes.namespace.clear();
        let unknown = |a: Answer| matches!(a, Answer::Unknown { by: "Webhook", ref name, .. } if name == "wh");
        // All true: the webhook decides.
        assert!(unknown(ask(
            &file("Deny", &["request.user == 'alice'"]),
            &pods
        )));
        // False: skipped, the next authorizer allows.
        assert_eq!(
            ask(&file("Deny", &["request.user == 'bob'"]), &pods).allowed(),
            Some(true)
        );
        // An error (no namespace on a cluster-scoped request) denies under Deny...
        let ns = "request.resourceAttributes.namespace == 'default'";
        assert_eq!(ask(&file("Deny", &[ns]), &nodes).allowed(), Some(false));
        // ... and skips under NoOpinion.
        assert_eq!(ask(&file("NoOpinion", &[ns]), &nodes).allowed(), Some(true));
        // A false condition wins over an error.
        assert_eq!(
            ask(&file("Deny", &[ns, "request.user == 'bob'"]), &nodes).allowed(),
            Some(true)
        );
        // A non-boolean result is an error.
        assert_eq!(
            ask(&file("Deny", &["request.user"]), &pods).allowed(),
            Some(false)
        );
        // No conditions: always asked.
        assert!(unknown(ask(&file("Deny", &[]), &pods)));
        // Non-resource requests carry nonResourceAttributes only.
        let mut health = pods.clone();
        health.is_resource_request = false;
        health.path = "/healthz".into();
        assert_eq!(
            ask(&file("Deny", &["has(request.resourceAttributes)"]), &health).allowed(),
            Some(true)
        );
        assert!(unknown(ask(
            &file(
                "Deny",
                &["request.nonResourceAttributes.path == '/healthz'"]
            ),
            &health
        )));
    }
}
