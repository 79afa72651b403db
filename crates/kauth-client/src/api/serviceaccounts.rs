//! ServiceAccounts and their tokens: the ServiceAccount, its token Secrets,
//! TokenRequests, and a long-lived token Secret filled by the token
//! controller. Choosing a Secret and building bodies is
//! [`kauth_auth::sa`]'s; this is the HTTP.

use std::time::Duration;

use serde_json::Value;
use zeroize::Zeroizing;

use super::ApiError;
use super::wait::Deadline;
use crate::Client;
use kauth_auth::sa::{self, TokenRequestSpec, TokenSecret};

/// What kauth reads of a ServiceAccount.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceAccount {
    /// `metadata.uid`, which tells it apart from an earlier one of its name.
    pub uid: Option<String>,
}

/// A token the TokenRequest API issued.
#[derive(Clone)]
pub struct IssuedToken {
    pub token: Zeroizing<String>,
    /// `status.expirationTimestamp`, as the server wrote it.
    pub expires: Option<String>,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IssuedToken(<redacted>, expires {:?})", self.expires)
    }
}

fn service_account_path(namespace: &str, name: &str) -> String {
    format!("/api/v1/namespaces/{namespace}/serviceaccounts/{name}")
}

fn secrets_path(namespace: &str) -> String {
    format!("/api/v1/namespaces/{namespace}/secrets")
}

impl Client {
    /// GET the ServiceAccount.
    pub fn get_service_account(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<ServiceAccount, ApiError> {
        let v = self.json("GET", &service_account_path(namespace, name), None)?;
        Ok(ServiceAccount {
            uid: v["metadata"]["uid"].as_str().map(str::to_string),
        })
    }

    /// The Secrets of type `kubernetes.io/service-account-token` in the
    /// namespace (selected by type, not from `.secrets[]`).
    pub fn list_token_secrets(&self, namespace: &str) -> Result<Vec<Value>, ApiError> {
        let path = format!(
            "{}?fieldSelector=type%3Dkubernetes.io%2Fservice-account-token",
            secrets_path(namespace)
        );
        let list = self.json("GET", &path, None)?;
        Ok(sa::objects(&list).into_iter().cloned().collect())
    }

    /// A TokenRequest for the ServiceAccount. An answer without a token
    /// is [`ApiError::Incomplete`].
    pub fn create_token_request(
        &self,
        namespace: &str,
        name: &str,
        spec: &TokenRequestSpec,
    ) -> Result<IssuedToken, ApiError> {
        let path = format!("{}/token", service_account_path(namespace, name));
        let answer = self.json("POST", &path, Some(&spec.body()))?;
        let token = answer["status"]["token"]
            .as_str()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::Incomplete("the TokenRequest answer holds no status.token".into())
            })?;
        Ok(IssuedToken {
            token: Zeroizing::new(token.to_string()),
            expires: answer["status"]["expirationTimestamp"]
                .as_str()
                .map(str::to_string),
        })
    }

    /// Creates an empty long-lived token Secret for the ServiceAccount,
    /// for the token controller to fill.
    pub fn create_token_secret(
        &self,
        namespace: &str,
        secret_name: &str,
        account: &str,
    ) -> Result<(), ApiError> {
        let manifest = sa::token_secret_manifest(namespace, secret_name, account);
        self.json("POST", &secrets_path(namespace), Some(&manifest))?;
        Ok(())
    }

    /// GETs the Secret until it holds the ServiceAccount's token, for at
    /// most `timeout`; `on_tick` runs before each pause. `None`: not
    /// filled in time.
    pub fn wait_for_token_secret(
        &self,
        namespace: &str,
        secret_name: &str,
        account: &str,
        timeout: Duration,
        mut on_tick: impl FnMut(),
    ) -> Result<Option<TokenSecret>, ApiError> {
        let path = format!("{}/{secret_name}", secrets_path(namespace));
        let deadline = Deadline::after(timeout);
        loop {
            let secret = self.json("GET", &path, None)?;
            if let Some(Ok(s)) = sa::token_secret(&secret, namespace, account)
                && s.token.is_some()
            {
                return Ok(Some(s));
            }
            if deadline.passed() {
                return Ok(None);
            }
            on_tick();
            deadline.pause();
        }
    }
}
