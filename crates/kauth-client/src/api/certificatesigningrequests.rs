//! CertificateSigningRequests (certificates.k8s.io/v1): create, read,
//! list, approve or deny, and wait for the certificate. The objects and
//! conditions are [`kauth_pki::csr_api`]'s; this is the HTTP.

use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;

use super::ApiError;
use super::wait::Deadline;
use crate::Client;
use kauth_pki::csr_api::{self, NewRequest, State};

const CSR_PATH: &str = "/apis/certificates.k8s.io/v1/certificatesigningrequests";

fn csr_path(name: &str) -> String {
    format!("{CSR_PATH}/{name}")
}

/// What approving or denying did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    /// The condition was added (or, forced, the object sent again).
    Recorded,
    /// It already carried the condition; nothing was sent.
    AlreadyRecorded,
}

/// Why approving or denying failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecisionError {
    /// Reading the request failed (a 404: there is none).
    #[error(transparent)]
    Read(ApiError),
    /// It carries the opposite decision; nothing was sent.
    #[error("the request is already decided the other way")]
    Contradicted,
    /// Updating the `approval` subresource failed.
    #[error(transparent)]
    Update(ApiError),
}

/// What a wait for the certificate reports between two answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress<'a> {
    /// An answer that does not end the wait: pending, or approved and
    /// not signed yet.
    Polled(&'a State),
    /// Before the pause until the next question.
    Tick,
}

/// How a wait for the certificate ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitOutcome {
    /// Signed: the PEM certificate.
    Issued(Vec<u8>),
    Denied {
        reason: String,
        message: String,
    },
    /// The signer gave up.
    Failed {
        reason: String,
        message: String,
    },
    /// Not signed in time; `approved`: someone approved it.
    TimedOut {
        approved: bool,
    },
}

impl Client {
    /// Creates the request; the answer is the object as stored (with
    /// `spec.username` filled in).
    pub fn create_csr(&self, request: &NewRequest) -> Result<Value, ApiError> {
        self.json("POST", CSR_PATH, Some(&request.object()))
    }

    pub fn get_csr(&self, name: &str) -> Result<Value, ApiError> {
        self.json("GET", &csr_path(name), None)
    }

    /// All requests (they are cluster-scoped).
    pub fn list_csrs(&self) -> Result<Vec<Value>, ApiError> {
        let list = self.json("GET", CSR_PATH, None)?;
        Ok(list["items"].as_array().cloned().unwrap_or_default())
    }

    /// Appends an Approved condition, as `kubectl certificate approve`
    /// does; `force` sends the object even when it already has one.
    pub fn approve_csr(
        &self,
        name: &str,
        reason: &str,
        force: bool,
    ) -> Result<Decided, DecisionError> {
        self.decide_csr(name, true, reason, force)
    }

    /// Appends a Denied condition, as `kubectl certificate deny` does.
    pub fn deny_csr(
        &self,
        name: &str,
        reason: &str,
        force: bool,
    ) -> Result<Decided, DecisionError> {
        self.decide_csr(name, false, reason, force)
    }

    /// GET, then PUT the `approval` subresource with the condition added.
    fn decide_csr(
        &self,
        name: &str,
        approve: bool,
        reason: &str,
        force: bool,
    ) -> Result<Decided, DecisionError> {
        let current = self.get_csr(name).map_err(DecisionError::Read)?;
        let mut updated = csr_api::with_decision(
            &current,
            approve,
            reason,
            &csr_api::decision_message(approve),
            OffsetDateTime::now_utc(),
        );
        if updated.is_none() && force {
            updated = Some(current.clone());
        }
        let Some(updated) = updated else {
            return Ok(Decided::AlreadyRecorded);
        };
        if csr_api::contradicts(approve, &csr_api::state(&current)) {
            return Err(DecisionError::Contradicted);
        }
        self.json(
            "PUT",
            &format!("{}/approval", csr_path(name)),
            Some(&updated),
        )
        .map_err(DecisionError::Update)?;
        Ok(Decided::Recorded)
    }

    /// GETs the request until it is signed, denied or failed, for at most
    /// `timeout`; `on_progress` hears every other answer and each pause.
    pub fn wait_for_certificate(
        &self,
        name: &str,
        timeout: Duration,
        mut on_progress: impl FnMut(Progress<'_>),
    ) -> Result<WaitOutcome, ApiError> {
        let deadline = Deadline::after(timeout);
        loop {
            let state = csr_api::state(&self.get_csr(name)?);
            match state {
                State::Issued(pem) => return Ok(WaitOutcome::Issued(pem)),
                State::Denied { reason, message } => {
                    return Ok(WaitOutcome::Denied { reason, message });
                }
                State::Failed { reason, message } => {
                    return Ok(WaitOutcome::Failed { reason, message });
                }
                State::Pending | State::Approved => {}
            }
            on_progress(Progress::Polled(&state));
            if deadline.passed() {
                return Ok(WaitOutcome::TimedOut {
                    approved: state == State::Approved,
                });
            }
            on_progress(Progress::Tick);
            deadline.pause();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::fake::{recorded, requests, serve};
    use serde_json::json;

    fn events(log: &mut Vec<String>) -> impl FnMut(Progress<'_>) + '_ {
        |p| {
            log.push(match p {
                Progress::Polled(s) => format!("{s:?}"),
                Progress::Tick => "tick".into(),
            })
        }
    }

    #[test]
    fn the_wait_reports_each_answer_until_the_certificate() {
        let (client, seen) = serve(vec![
            (200, recorded("csr-get-pending.json")),
            (200, recorded("csr-get-approved.json")),
            (200, recorded("csr-get-issued.json")),
        ]);
        let mut log = Vec::new();
        let outcome = client
            .wait_for_certificate("kauth-kcsr", Duration::from_secs(30), events(&mut log))
            .unwrap();
        assert!(
            matches!(outcome, WaitOutcome::Issued(pem) if pem.starts_with(b"-----BEGIN CERTIFICATE-----"))
        );
        assert_eq!(log, ["Pending", "tick", "Approved", "tick"]);
        assert_eq!(
            requests(&seen)[0],
            "GET /apis/certificates.k8s.io/v1/certificatesigningrequests/kauth-kcsr"
        );
    }

    #[test]
    fn the_wait_tells_denial_from_a_missing_signer() {
        let (client, _) = serve(vec![
            (200, recorded("csr-get-denied.json")),
            (200, recorded("csr-get-approved.json")),
        ]);
        let mut log = Vec::new();
        assert_eq!(
            client
                .wait_for_certificate("x", Duration::from_secs(30), events(&mut log))
                .unwrap(),
            WaitOutcome::Denied {
                reason: "KauthDeny".into(),
                message: "This CSR was denied by kauth certificate deny".into()
            }
        );
        assert!(log.is_empty());
        assert_eq!(
            client
                .wait_for_certificate("x", Duration::ZERO, events(&mut log))
                .unwrap(),
            WaitOutcome::TimedOut { approved: true }
        );
        assert_eq!(log, ["Approved"]);
    }

    #[test]
    fn decisions_put_the_approval_subresource_once() {
        let pending = recorded("csr-get-pending.json");
        let (client, seen) = serve(vec![
            (200, pending.clone()),
            (200, recorded("csr-get-approved.json")),
            (200, recorded("csr-get-approved.json")),
            (200, recorded("csr-get-approved.json")),
            (
                404,
                json!({"kind": "Status", "reason": "NotFound", "code": 404}),
            ),
        ]);
        assert_eq!(
            client.approve_csr("c", "KauthApprove", false),
            Ok(Decided::Recorded)
        );
        assert_eq!(
            client.approve_csr("c", "KauthApprove", false),
            Ok(Decided::AlreadyRecorded)
        );
        assert_eq!(
            client.deny_csr("c", "KauthDeny", false),
            Err(DecisionError::Contradicted)
        );
        assert!(matches!(
            client.approve_csr("c", "KauthApprove", false),
            Err(DecisionError::Read(e)) if e.is_not_found()
        ));
        let path = "/apis/certificates.k8s.io/v1/certificatesigningrequests/c";
        assert_eq!(
            requests(&seen),
            [
                format!("GET {path}"),
                format!("PUT {path}/approval"),
                format!("GET {path}"),
                format!("GET {path}"),
                format!("GET {path}"),
            ]
        );
        let put = &seen.lock().unwrap()[1].1;
        assert_eq!(
            csr_api::state(put),
            State::Approved,
            "the condition is appended"
        );
        assert_eq!(
            put["status"]["conditions"][0]["message"],
            "This CSR was approved by kauth certificate approve"
        );
    }
}
