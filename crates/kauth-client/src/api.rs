//! The API calls kauth makes, typed: the self reviews (who am I, may I,
//! what may I), ServiceAccount tokens ([`serviceaccounts`]),
//! CertificateSigningRequests ([`certificatesigningrequests`]) and JSON
//! objects, with API errors read from the server's `Status` the way
//! kubectl prints them.

pub mod certificatesigningrequests;
pub mod serviceaccounts;
mod wait;

#[cfg(test)]
mod fake;

pub use wait::POLL_INTERVAL;

use serde::Deserialize;
use serde_json::{Value, json};

use super::{Client, ClientError};
use kauth_auth::UserInfo;
use kauth_auth::authz::rbac::{Attributes, PolicyRule};

/// A failed call: no answer, or an answer that is not 2xx.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error("{}", status_text(*.code, .reason, .message))]
    Status {
        code: u16,
        reason: String,
        message: String,
    },
    #[error("unexpected answer from the server: {0}")]
    Decode(String),
    /// A 2xx answer without what it must hold.
    #[error("{0}")]
    Incomplete(String),
}

/// kubectl's words for an API error (`cmdutil.StandardErrorMessage`).
fn status_text(code: u16, reason: &str, message: &str) -> String {
    if code == 401 {
        return "You must be logged in to the server (Unauthorized)".into();
    }
    if message.is_empty() {
        return format!("the server answered {code} {reason}");
    }
    format!("Error from server ({reason}): {message}")
}

impl ApiError {
    pub fn code(&self) -> Option<u16> {
        match self {
            ApiError::Status { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// 404: the object does not exist.
    pub fn is_not_found(&self) -> bool {
        self.code() == Some(404)
    }

    /// 403: the server refused this client.
    pub fn is_forbidden(&self) -> bool {
        self.code() == Some(403)
    }

    /// 409: an object of that name exists (or changed meanwhile).
    pub fn is_conflict(&self) -> bool {
        self.code() == Some(409)
    }
}

/// The message of a non-2xx answer: the `Status` message kube-apiserver
/// sends, or the plain text a kubelet sends.
pub fn status_message(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => v
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        Err(_) => String::from_utf8_lossy(body)
            .trim()
            .chars()
            .take(200)
            .collect(),
    }
}

/// The `Status` of a non-2xx answer.
fn status_error(code: u16, http_reason: &str, body: &[u8]) -> ApiError {
    let reason = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("reason").and_then(Value::as_str).map(str::to_string))
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| http_reason.replace(' ', ""));
    ApiError::Status {
        code,
        reason,
        message: status_message(body),
    }
}

impl Client {
    /// Sends JSON (or nothing) and reads JSON back.
    pub fn json(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, ApiError> {
        let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
        let bytes = body.map(|b| {
            headers.push(("Content-Type".to_string(), "application/json".to_string()));
            b.to_string().into_bytes()
        });
        let r = self.send(method, path, &headers, bytes.as_deref())?;
        if !(200..300).contains(&r.status) {
            return Err(status_error(r.status, &r.reason, &r.body));
        }
        serde_json::from_slice(&r.body)
            .map_err(|e| ApiError::Decode(format!("{method} {path}: {e}")))
    }

    fn create<T: for<'de> Deserialize<'de>>(&self, path: &str, body: Value) -> Result<T, ApiError> {
        let v = self.json("POST", path, Some(&body))?;
        serde_json::from_value(v["status"].clone())
            .map_err(|e| ApiError::Decode(format!("{path}: status: {e}")))
    }

    /// Who the server takes this client for (SelfSubjectReview).
    pub fn self_subject_review(&self) -> Result<UserInfo, ApiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Status {
            #[serde(default)]
            user_info: UserInfo,
        }
        let s: Status = self.create(
            "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            json!({"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1", "metadata": {}, "spec": {}}),
        )?;
        Ok(s.user_info)
    }

    /// Whether the server allows this client an action
    /// (SelfSubjectAccessReview); `attrs.user` is ignored.
    pub fn self_subject_access_review(&self, attrs: &Attributes) -> Result<AccessReview, ApiError> {
        self.create(
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            json!({"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1", "metadata": {}, "spec": review_spec(attrs)}),
        )
    }

    /// What the server allows this client in a namespace
    /// (SelfSubjectRulesReview).
    pub fn self_subject_rules_review(&self, namespace: &str) -> Result<RulesReview, ApiError> {
        self.create(
            "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
            json!({"kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1", "metadata": {}, "spec": {"namespace": namespace}}),
        )
    }
}

/// A SelfSubjectAccessReview's spec for the attributes, as kubectl builds
/// it (empty fields left out).
pub fn review_spec(attrs: &Attributes) -> Value {
    if attrs.is_resource_request {
        let mut r = serde_json::Map::new();
        for (k, v) in [
            ("namespace", &attrs.namespace),
            ("verb", &attrs.verb),
            ("group", &attrs.api_group),
            ("resource", &attrs.resource),
            ("subresource", &attrs.subresource),
            ("name", &attrs.name),
        ] {
            if !v.is_empty() {
                r.insert(k.into(), json!(v));
            }
        }
        json!({"resourceAttributes": r})
    } else {
        json!({"nonResourceAttributes": {"path": attrs.path, "verb": attrs.verb}})
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessReview {
    #[serde(default)]
    pub allowed: bool,
    #[serde(default)]
    pub denied: bool,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub evaluation_error: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RulesReview {
    #[serde(default)]
    pub resource_rules: Vec<PolicyRule>,
    #[serde(default)]
    pub non_resource_rules: Vec<PolicyRule>,
    #[serde(default)]
    pub incomplete: bool,
    #[serde(default)]
    pub evaluation_error: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_read_like_kubectl() {
        let body = br#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods is forbidden: User \"kfree\" cannot list resource \"pods\" in API group \"\" in the namespace \"test\"","reason":"Forbidden","details":{"kind":"pods"},"code":403}"#;
        let e = status_error(403, "Forbidden", body);
        assert_eq!(
            e.to_string(),
            "Error from server (Forbidden): pods is forbidden: User \"kfree\" cannot list resource \"pods\" in API group \"\" in the namespace \"test\""
        );
        assert_eq!(
            status_error(401, "Unauthorized", b"{\"kind\":\"Status\",\"code\":401}").to_string(),
            "You must be logged in to the server (Unauthorized)"
        );
        // A kubelet's plain-text body.
        let e = status_error(
            403,
            "Forbidden",
            b"Forbidden (user=kfree, verb=get, resource=nodes, subresource(s)=[metrics])\n",
        );
        assert!(e.to_string().contains("subresource(s)=[metrics]"), "{e}");
    }

    #[test]
    fn review_specs_leave_out_empty_fields() {
        let a = Attributes {
            verb: "get".into(),
            is_resource_request: true,
            namespace: "test".into(),
            resource: "pods".into(),
            subresource: "log".into(),
            ..Attributes::default()
        };
        assert_eq!(
            review_spec(&a),
            json!({"resourceAttributes": {"namespace": "test", "verb": "get", "resource": "pods", "subresource": "log"}})
        );
        let n = Attributes {
            verb: "get".into(),
            path: "/metrics".into(),
            ..Attributes::default()
        };
        assert_eq!(
            review_spec(&n),
            json!({"nonResourceAttributes": {"path": "/metrics", "verb": "get"}})
        );
    }

    #[test]
    fn recorded_reviews_decode() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/apiserver");
        let read = |f: &str| -> Value {
            let v: Value = serde_json::from_slice(&std::fs::read(dir.join(f)).unwrap()).unwrap();
            v["response"]["body"]["status"].clone()
        };
        let rr: RulesReview = serde_json::from_value(read("ssrr-kfree-test.json")).unwrap();
        assert!(
            rr.resource_rules
                .iter()
                .any(|r| r.resources.contains(&"selfsubjectreviews".to_string()))
        );
        assert!(
            rr.non_resource_rules
                .iter()
                .any(|r| r.non_resource_urls.contains(&"/healthz".to_string()))
        );
        let ar: AccessReview =
            serde_json::from_value(read("ssar-sa1-get-pod-allowed.json")).unwrap();
        assert!(ar.allowed);
        assert!(ar.reason.contains("RBAC: allowed by"), "{}", ar.reason);
        let ar: AccessReview =
            serde_json::from_value(read("ssar-kfree-create-pods-denied.json")).unwrap();
        assert!(!ar.allowed);
    }
}
