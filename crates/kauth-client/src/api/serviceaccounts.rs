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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::fake::{requests, serve};
    use base64::Engine as _;
    use serde_json::json;

    #[test]
    fn token_requests_post_the_spec_and_read_the_token() {
        let (client, seen) = serve(vec![
            (
                201,
                json!({"status": {"token": "t1", "expirationTimestamp": "2026-11-23T00:00:00Z"}}),
            ),
            (201, json!({"status": {}})),
            (
                404,
                json!({"kind": "Status", "reason": "NotFound", "code": 404}),
            ),
        ]);
        let spec = TokenRequestSpec {
            audiences: vec!["vault".into()],
            expiration_seconds: Some(3600),
            bound_object: None,
        };
        let t = client.create_token_request("test", "sa1", &spec).unwrap();
        assert_eq!(t.token.as_str(), "t1");
        assert_eq!(t.expires.as_deref(), Some("2026-11-23T00:00:00Z"));
        let e = client
            .create_token_request("test", "sa1", &spec)
            .unwrap_err();
        assert_eq!(
            e,
            ApiError::Incomplete("the TokenRequest answer holds no status.token".into())
        );
        assert!(
            client
                .create_token_request("test", "sa1", &spec)
                .unwrap_err()
                .is_not_found()
        );
        let seen = seen.lock().unwrap();
        assert_eq!(
            seen[0].0,
            "POST /api/v1/namespaces/test/serviceaccounts/sa1/token"
        );
        assert_eq!(seen[0].1, spec.body());
    }

    #[test]
    fn token_secrets_are_listed_by_type() {
        let (client, seen) = serve(vec![
            (200, json!({"metadata": {"uid": "u1"}})),
            (
                200,
                json!({"kind": "SecretList", "items": [{"kind": "Secret"}]}),
            ),
        ]);
        assert_eq!(
            client
                .get_service_account("test", "sa1")
                .unwrap()
                .uid
                .as_deref(),
            Some("u1")
        );
        assert_eq!(client.list_token_secrets("test").unwrap().len(), 1);
        assert_eq!(
            requests(&seen),
            [
                "GET /api/v1/namespaces/test/serviceaccounts/sa1",
                "GET /api/v1/namespaces/test/secrets?fieldSelector=type%3Dkubernetes.io%2Fservice-account-token"
            ]
        );
    }

    #[test]
    fn the_wait_ends_when_the_controller_fills_the_secret() {
        let empty = sa::token_secret_manifest("test", "sa1-token", "sa1");
        let mut filled = empty.clone();
        filled["data"] =
            json!({"token": base64::engine::general_purpose::STANDARD.encode("the-token")});
        let (client, seen) = serve(vec![
            (201, empty.clone()),
            (200, empty.clone()),
            (200, filled),
        ]);
        client
            .create_token_secret("test", "sa1-token", "sa1")
            .unwrap();
        let mut ticks = 0;
        let s = client
            .wait_for_token_secret("test", "sa1-token", "sa1", Duration::from_secs(30), || {
                ticks += 1
            })
            .unwrap()
            .unwrap();
        assert_eq!(s.token.unwrap().as_str(), "the-token");
        assert_eq!(ticks, 1);
        let seen = seen.lock().unwrap();
        assert_eq!(seen[0].0, "POST /api/v1/namespaces/test/secrets");
        assert_eq!(seen[0].1, empty);
        assert_eq!(seen[2].0, "GET /api/v1/namespaces/test/secrets/sa1-token");
    }

    #[test]
    fn the_wait_gives_up_after_the_timeout() {
        let empty = sa::token_secret_manifest("test", "sa1-token", "sa1");
        let (client, _) = serve(vec![(200, empty)]);
        let mut ticks = 0;
        let s = client
            .wait_for_token_secret("test", "sa1-token", "sa1", Duration::ZERO, || ticks += 1)
            .unwrap();
        assert!(s.is_none());
        assert_eq!(ticks, 0);
    }
}
