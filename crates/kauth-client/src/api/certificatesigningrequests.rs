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
