//! CertificateSigningRequest objects (certificates.k8s.io/v1): the object
//! to create, approval conditions, and where a request stands.
//!
//! Upstream: `pkg/apis/certificates` (validation: approval conditions are
//! exclusive, `expirationSeconds` at least 600), kubectl's
//! `certificate approve|deny` (it appends one condition and PUTs the
//! `approval` subresource) and its `get csr` columns.

use base64::Engine as _;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::cert::{self, CertError};
use super::name::Subject;

/// The signer for client certificates kube-apiserver trusts.
pub const CLIENT_SIGNER: &str = "kubernetes.io/kube-apiserver-client";
pub const MIN_EXPIRATION_SECONDS: i64 = 600;

/// The object `kauth cert request` creates.
pub fn object(name: &str, csr_pem: &str, signer: &str, expiration_seconds: Option<i64>) -> Value {
    let mut spec = json!({
        "request": base64::engine::general_purpose::STANDARD.encode(csr_pem),
        "signerName": signer,
        "usages": ["client auth"],
    });
    if let Some(s) = expiration_seconds {
        spec["expirationSeconds"] = json!(s);
    }
    json!({"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": name}, "spec": spec})
}

/// A request to create: its name, the PEM CSR, the signer, and the
/// lifetime asked for (none: the signer's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub name: String,
    pub csr_pem: String,
    pub signer: String,
    pub expiration_seconds: Option<i64>,
}

impl NewRequest {
    /// The object to POST.
    pub fn object(&self) -> Value {
        object(
            &self.name,
            &self.csr_pem,
            &self.signer,
            self.expiration_seconds,
        )
    }
}

/// Who asked (`spec.username`, which the API server fills in).
pub fn requestor(obj: &Value) -> Option<&str> {
    obj["spec"]["username"].as_str()
}

/// Where a request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Pending,
    /// Approved, not yet signed.
    Approved,
    Denied {
        reason: String,
        message: String,
    },
    Failed {
        reason: String,
        message: String,
    },
    /// Signed: the PEM certificate.
    Issued(Vec<u8>),
}

fn conditions(obj: &Value) -> &[Value] {
    obj["status"]["conditions"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn condition<'a>(obj: &'a Value, kind: &str) -> Option<&'a Value> {
    conditions(obj)
        .iter()
        .find(|c| c["type"] == kind && c["status"].as_str().unwrap_or("True") == "True")
}

pub fn state(obj: &Value) -> State {
    let text = |c: &Value, k: &str| c[k].as_str().unwrap_or("").to_string();
    if let Some(c) = condition(obj, "Denied") {
        return State::Denied {
            reason: text(c, "reason"),
            message: text(c, "message"),
        };
    }
    if let Some(c) = condition(obj, "Failed") {
        return State::Failed {
            reason: text(c, "reason"),
            message: text(c, "message"),
        };
    }
    let certificate = obj["status"]["certificate"]
        .as_str()
        .filter(|s| !s.is_empty())
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok());
    match (condition(obj, "Approved"), certificate) {
        (Some(_), Some(pem)) => State::Issued(pem),
        (Some(_), None) => State::Approved,
        _ => State::Pending,
    }
}

/// The object with an Approved or Denied condition appended, as `kubectl
/// certificate approve|deny` PUTs it to the `approval` subresource. None
/// when it already has that condition.
pub fn with_decision(
    obj: &Value,
    approve: bool,
    reason: &str,
    message: &str,
    now: OffsetDateTime,
) -> Option<Value> {
    let kind = if approve { "Approved" } else { "Denied" };
    if condition(obj, kind).is_some() {
        return None;
    }
    let mut out = obj.clone();
    let stamp = kauth_formats::time::rfc3339(now);
    let c = json!({"type": kind, "status": "True", "reason": reason, "message": message, "lastUpdateTime": stamp});
    match out["status"]["conditions"].as_array_mut() {
        Some(list) => list.push(c),
        None => out["status"]["conditions"] = json!([c]),
    }
    Some(out)
}

/// The message of the condition `kauth cert approve|deny` appends.
pub fn decision_message(approve: bool) -> String {
    format!(
        "This CSR was {} by kauth certificate {}",
        if approve { "approved" } else { "denied" },
        if approve { "approve" } else { "deny" }
    )
}

/// Whether the decision contradicts where the request stands: Approved
/// and Denied are exclusive.
pub fn contradicts(approve: bool, state: &State) -> bool {
    matches!(
        (approve, state),
        (false, State::Approved | State::Issued(_)) | (true, State::Denied { .. })
    )
}

/// kubectl's CONDITION column: the condition types, `Issued` when signed,
/// else `Pending`.
pub fn condition_column(obj: &Value) -> String {
    let mut parts: Vec<String> = conditions(obj)
        .iter()
        .filter_map(|c| c["type"].as_str().map(str::to_string))
        .collect();
    if obj["status"]["certificate"]
        .as_str()
        .is_some_and(|s| !s.is_empty())
    {
        parts.push("Issued".into());
    }
    if parts.is_empty() {
        "Pending".into()
    } else {
        parts.join(",")
    }
}

/// The subject the request asks for.
pub fn requested_subject(obj: &Value) -> Result<Subject, CertError> {
    let pem = obj["spec"]["request"]
        .as_str()
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .ok_or_else(|| CertError::NotCsr("`spec.request` is not base64".into()))?;
    Ok(cert::read_csr(&pem)?.subject)
}

/// The public key (SubjectPublicKeyInfo DER) the request is for.
pub fn requested_key(obj: &Value) -> Option<Vec<u8>> {
    let pem = obj["spec"]["request"]
        .as_str()
        .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())?;
    cert::read_csr(&pem).ok().map(|c| c.public_key_der)
}

/// kubectl's age and duration columns (`duration.HumanDuration`).
pub fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".into();
    }
    let s = seconds.max(0);
    let (m, h, d) = (s / 60, s / 3600, s / 86400);
    let y = d / 365;
    match s {
        _ if s < 120 => format!("{s}s"),
        _ if m < 10 => match s % 60 {
            0 => format!("{m}m"),
            r => format!("{m}m{r}s"),
        },
        _ if h < 3 => format!("{m}m"),
        _ if h < 8 => match m % 60 {
            0 => format!("{h}h"),
            r => format!("{h}h{r}m"),
        },
        _ if h < 48 => format!("{h}h"),
        _ if h < 192 => match h % 24 {
            0 => format!("{d}d"),
            r => format!("{d}d{r}h"),
        },
        _ if y < 2 => format!("{d}d"),
        _ if y < 8 => match d - y * 365 {
            0 => format!("{y}y"),
            r => format!("{y}y{r}d"),
        },
        _ => format!("{y}y"),
    }
}

/// One row of `kauth cert requests`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    pub age: String,
    pub signer: String,
    pub requestor: String,
    pub duration: String,
    /// The user and groups the certificate would carry.
    pub identity: String,
    pub condition: String,
}

pub fn row(obj: &Value, now: OffsetDateTime) -> Row {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    let age = obj["metadata"]["creationTimestamp"]
        .as_str()
        .and_then(|t| OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok())
        .map(|t| human_duration((now - t).whole_seconds()))
        .unwrap_or_else(|| "<unknown>".into());
    let identity = match requested_subject(obj) {
        Ok(sub) if sub.organizations.is_empty() => sub.common_name.clone(),
        Ok(sub) => format!("{} ({})", sub.common_name, sub.organizations.join(",")),
        Err(_) => "<unreadable>".into(),
    };
    Row {
        name: s(&obj["metadata"]["name"]),
        age,
        signer: s(&obj["spec"]["signerName"]),
        requestor: s(&obj["spec"]["username"]),
        duration: obj["spec"]["expirationSeconds"]
            .as_i64()
            .map(human_duration)
            .unwrap_or_else(|| "<none>".into()),
        identity,
        condition: condition_column(obj),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(file: &str) -> Value {
        let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/apiserver")
            .join(file);
        let v: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        v["response"]["body"].clone()
    }

    #[test]
    fn states_of_recorded_requests() {
        assert_eq!(state(&recorded("csr-get-pending.json")), State::Pending);
        assert_eq!(state(&recorded("csr-get-approved.json")), State::Approved);
        match state(&recorded("csr-get-issued.json")) {
            State::Issued(pem) => assert!(
                String::from_utf8(pem)
                    .unwrap()
                    .starts_with("-----BEGIN CERTIFICATE-----")
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            state(&recorded("csr-get-denied.json")),
            State::Denied {
                reason: "KauthDeny".into(),
                message: "This CSR was denied by kauth certificate deny".into()
            }
        );
        assert_eq!(
            condition_column(&recorded("csr-get-issued.json")),
            "Approved,Issued"
        );
        assert_eq!(
            condition_column(&recorded("csr-get-pending.json")),
            "Pending"
        );
        assert_eq!(condition_column(&recorded("csr-get-denied.json")), "Denied");
    }

    #[test]
    fn decisions_are_shaped_as_recorded() {
        let pending = recorded("csr-create.json");
        let now = OffsetDateTime::parse(
            "2026-11-22T21:36:49Z",
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        let put = with_decision(
            &pending,
            true,
            "KauthApprove",
            "This CSR was approved by kauth certificate approve",
            now,
        )
        .unwrap();
        let sent: Value = {
            let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/fixtures/apiserver/csr-approve.json");
            let v: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
            v["request"]["body"].clone()
        };
        assert_eq!(
            put["status"]["conditions"][0]["type"],
            sent["status"]["conditions"][0]["type"]
        );
        assert_eq!(
            put["status"]["conditions"][0]["reason"],
            sent["status"]["conditions"][0]["reason"]
        );
        assert!(with_decision(&recorded("csr-get-approved.json"), true, "r", "m", now).is_none());
        assert_eq!(
            decision_message(true),
            "This CSR was approved by kauth certificate approve"
        );
        assert_eq!(
            decision_message(false),
            "This CSR was denied by kauth certificate deny"
        );
        assert!(contradicts(false, &State::Approved));
        assert!(contradicts(true, &state(&recorded("csr-get-denied.json"))));
        assert!(!contradicts(true, &State::Approved));
        assert!(!contradicts(false, &State::Pending));
        let c = object("n", "PEM", CLIENT_SIGNER, Some(3600));
        assert_eq!(c["spec"]["usages"], json!(["client auth"]));
        assert_eq!(c["spec"]["expirationSeconds"], 3600);
    }

    #[test]
    fn rows_read_like_kubectl_get_csr() {
        let now = OffsetDateTime::parse(
            "2026-11-22T21:41:49Z",
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        let r = row(&recorded("csr-get-issued.json"), now);
        assert_eq!(r.age, "5m");
        assert_eq!(r.duration, "60m");
        assert_eq!(r.requestor, "kauth-admin");
        assert_eq!(r.identity, "kcsr (dev,ops)");
        for (s, want) in [
            (0, "0s"),
            (119, "119s"),
            (150, "2m30s"),
            (600, "10m"),
            (3 * 3600, "3h"),
            (3 * 3600 + 60, "3h1m"),
            (30 * 3600, "30h"),
            (50 * 3600, "2d2h"),
            (400 * 86400, "400d"),
            (3 * 365 * 86400 + 86400, "3y1d"),
        ] {
            assert_eq!(human_duration(s), want, "{s}");
        }
    }
}
