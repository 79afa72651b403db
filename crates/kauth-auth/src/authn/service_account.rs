//! ServiceAccount tokens, legacy (from token Secrets) and bound (from the
//! TokenRequest API), checked as kube-apiserver checks them, as far as
//! that can be done offline.
//!
//! Upstream: `pkg/serviceaccount/jwt.go` (`JWTTokenAuthenticator`: issuer,
//! signature with the `--service-account-key-file` keys, audiences against
//! `--api-audiences`), `claims.go` (bound tokens: `exp`/`nbf`/`iat` with a
//! one-minute leeway, the `kubernetes.io` claim), `legacy.go` (legacy
//! claims) and `staging/src/k8s.io/apiserver/pkg/authentication/serviceaccount/util.go`
//! (user name, groups and the `authentication.kubernetes.io/*` extras).
//! What needs the cluster (the ServiceAccount, Secret, Pod or Node still
//! existing with the same UID, a legacy Secret marked invalid) is reported
//! as not checked.

use std::collections::BTreeMap;

use serde_json::Value;
use time::OffsetDateTime;

use super::jwt::{Jwt, JwtError, PublicKey};
use crate::user::{self, CREDENTIAL_ID_KEY, UserInfo};

pub const LEGACY_ISSUER: &str = "kubernetes/serviceaccount";
/// go-jose's `jwt.DefaultLeeway`.
pub const LEEWAY_SECONDS: i64 = 60;

pub const POD_NAME_KEY: &str = "authentication.kubernetes.io/pod-name";
pub const POD_UID_KEY: &str = "authentication.kubernetes.io/pod-uid";
pub const NODE_NAME_KEY: &str = "authentication.kubernetes.io/node-name";
pub const NODE_UID_KEY: &str = "authentication.kubernetes.io/node-uid";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A token from a `kubernetes.io/service-account-token` Secret.
    Legacy,
    /// A TokenRequest token, bound to an audience and a lifetime.
    Bound,
}

/// What the server's checks make of a token, as far as kauth can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Passed(String),
    Failed(String),
    NotChecked(String),
}

/// The server's flags that matter, as kube-apiserver takes them.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--service-account-key-file` keys; none: the signature is not checked.
    pub keys: Vec<PublicKey>,
    /// `--service-account-issuer` values; none: any issuer is taken.
    pub issuers: Vec<String>,
    /// `--api-audiences`; none: the first issuer, as kube-apiserver defaults.
    pub api_audiences: Vec<String>,
}

/// What [`review`] makes of a token: its kind, the user it authenticates
/// as, the server's checks and the claims shown next to them.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenReview {
    pub kind: TokenKind,
    pub user: UserInfo,
    pub checks: Vec<Check>,
    pub issued_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub not_before: Option<i64>,
    pub audiences: Vec<String>,
    pub issuer: String,
    /// `kubernetes.io.warnafter`, when set.
    pub warn_after: Option<i64>,
    /// The object the token is bound to (`Pod "p1" (uid ...)`).
    pub bound_object: Option<String>,
}

impl TokenReview {
    /// True when no check failed (some may not have been made).
    pub fn accepted(&self) -> bool {
        !self.checks.iter().any(|c| matches!(c, Check::Failed(_)))
    }

    pub fn failures(&self) -> Vec<&str> {
        self.checks
            .iter()
            .filter_map(|c| match c {
                Check::Failed(m) => Some(m.as_str()),
                _ => None,
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error(transparent)]
    Jwt(#[from] JwtError),
    #[error("not a ServiceAccount token: {0}")]
    NotServiceAccount(String),
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

/// Reads a ServiceAccount token and applies the server's checks at `now`.
pub fn review(token: &str, opts: &Options, now: OffsetDateTime) -> Result<TokenReview, TokenError> {
    let jwt = Jwt::parse(token)?;
    let issuer = jwt.claim_str("iss").unwrap_or("").to_string();
    let claims = &jwt.claims;
    let (kind, namespace, name, uid) = if issuer == LEGACY_ISSUER {
        let get = |k: &str| {
            claims
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        (
            TokenKind::Legacy,
            get("kubernetes.io/serviceaccount/namespace"),
            get("kubernetes.io/serviceaccount/service-account.name"),
            get("kubernetes.io/serviceaccount/service-account.uid"),
        )
    } else if let Some(k) = claims.get("kubernetes.io") {
        (
            TokenKind::Bound,
            str_at(k, &["namespace"]).unwrap_or("").to_string(),
            str_at(k, &["serviceaccount", "name"])
                .unwrap_or("")
                .to_string(),
            str_at(k, &["serviceaccount", "uid"])
                .unwrap_or("")
                .to_string(),
        )
    } else {
        return Err(TokenError::NotServiceAccount(format!(
            "issuer {issuer:?}, and no `kubernetes.io` claim (an OIDC or other JWT?)"
        )));
    };
    let mut checks = Vec::new();
    if kind == TokenKind::Legacy {
        // legacy.go: the claims that must be there, then `sub`.
        let sub = jwt.claim_str("sub").unwrap_or("");
        let secret = claims
            .get("kubernetes.io/serviceaccount/secret.name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let missing = [
            (sub, "sub claim is missing"),
            (namespace.as_str(), "namespace claim is missing"),
            (secret, "secretName claim is missing"),
            (name.as_str(), "serviceAccountName claim is missing"),
            (uid.as_str(), "serviceAccountUID claim is missing"),
        ]
        .into_iter()
        .find(|(v, _)| v.is_empty());
        if let Some((_, why)) = missing {
            checks.push(Check::Failed(why.into()));
        } else if user::split_service_account_username(sub)
            != Some((namespace.as_str(), name.as_str()))
        {
            checks.push(Check::Failed("sub claim is invalid".into()));
        }
    } else if namespace.is_empty() || name.is_empty() {
        checks.push(Check::Failed(
            "the token names no ServiceAccount namespace or name".into(),
        ));
    }
    // Issuer: legacy tokens are always accepted by their own authenticator.
    if kind == TokenKind::Bound {
        if opts.issuers.is_empty() {
            checks.push(Check::NotChecked(format!(
                "issuer {issuer:?} (pass --issuer to check it)"
            )));
        } else if opts.issuers.contains(&issuer) {
            checks.push(Check::Passed(format!("issuer {issuer:?}")));
        } else {
            // The server's authenticator skips tokens of other issuers.
            checks.push(Check::Failed(format!(
                "issuer {issuer:?} is not one of the server's issuers {:?}",
                opts.issuers
            )));
        }
    }
    // Signature.
    if opts.keys.is_empty() {
        checks.push(Check::NotChecked(format!(
            "signature ({}, key id {:?}): pass --sa-key or --jwks to check it",
            jwt.algorithm(),
            jwt.key_id().unwrap_or("")
        )));
    } else {
        match jwt.verify(&opts.keys) {
            Ok(true) => checks.push(Check::Passed(format!("signature ({})", jwt.algorithm()))),
            Ok(false) => checks.push(Check::Failed(
                "invalid bearer token: the signature does not verify with any given key".into(),
            )),
            Err(e) => checks.push(Check::Failed(e.to_string())),
        }
    }
    // Audiences: legacy tokens have none and count as the API's.
    let audiences = jwt.audiences();
    let implicit: Vec<String> = if !opts.api_audiences.is_empty() {
        opts.api_audiences.clone()
    } else {
        opts.issuers.first().cloned().into_iter().collect()
    };
    if kind == TokenKind::Bound {
        if implicit.is_empty() {
            checks.push(Check::NotChecked(format!(
                "audiences {audiences:?} (pass --api-audience or --issuer to check them)"
            )));
        } else if audiences.iter().any(|a| implicit.contains(a)) {
            checks.push(Check::Passed(format!("audiences {audiences:?}")));
        } else {
            checks.push(Check::Failed(format!(
                "token audiences {audiences:?} is invalid for the target audiences {implicit:?}"
            )));
        }
    }
    // Time: bound tokens only (legacy tokens never expire).
    let exp = jwt.numeric_claim("exp");
    let nbf = jwt.numeric_claim("nbf");
    let iat = jwt.numeric_claim("iat");
    let now_s = now.unix_timestamp();
    if kind == TokenKind::Bound {
        match exp {
            Some(e) if now_s > e + LEEWAY_SECONDS => {
                checks.push(Check::Failed("service account token has expired".into()))
            }
            Some(_) => checks.push(Check::Passed("not expired".into())),
            None => {}
        }
        if let Some(n) = nbf
            && now_s < n - LEEWAY_SECONDS
        {
            checks.push(Check::Failed(
                "service account token is not valid yet".into(),
            ));
        }
        if let Some(i) = iat
            && now_s < i - LEEWAY_SECONDS
        {
            checks.push(Check::Failed(
                "service account token is issued in the future".into(),
            ));
        }
    }
    checks.push(Check::NotChecked(match kind {
        TokenKind::Legacy => "that the ServiceAccount and its token Secret still exist, and the Secret is not marked invalid (needs the cluster)".into(),
        TokenKind::Bound => "that the ServiceAccount and the bound object still exist with the same UIDs (needs the cluster)".into(),
    }));

    let mut extra = BTreeMap::new();
    let mut bound_object = None;
    let mut warn_after = None;
    if kind == TokenKind::Bound {
        let k = &claims["kubernetes.io"];
        if let (Some(pn), Some(pu)) = (str_at(k, &["pod", "name"]), str_at(k, &["pod", "uid"])) {
            extra.insert(POD_NAME_KEY.to_string(), vec![pn.to_string()]);
            extra.insert(POD_UID_KEY.to_string(), vec![pu.to_string()]);
            bound_object = Some(format!("Pod {pn:?} (uid {pu})"));
        }
        if let Some(nn) = str_at(k, &["node", "name"]).filter(|n| !n.is_empty()) {
            extra.insert(NODE_NAME_KEY.to_string(), vec![nn.to_string()]);
            let nu = str_at(k, &["node", "uid"]).unwrap_or("");
            if !nu.is_empty() {
                extra.insert(NODE_UID_KEY.to_string(), vec![nu.to_string()]);
            }
            bound_object.get_or_insert(format!("Node {nn:?} (uid {nu})"));
        }
        if let (Some(sn), Some(su)) = (
            str_at(k, &["secret", "name"]),
            str_at(k, &["secret", "uid"]),
        ) {
            bound_object.get_or_insert(format!("Secret {sn:?} (uid {su})"));
        }
        if let Some(jti) = jwt.claim_str("jti").filter(|j| !j.is_empty()) {
            extra.insert(CREDENTIAL_ID_KEY.to_string(), vec![format!("JTI={jti}")]);
        }
        warn_after = k.get("warnafter").and_then(Value::as_i64);
    }
    let user = UserInfo {
        username: user::service_account_username(&namespace, &name),
        uid,
        groups: user::service_account_groups(&namespace),
        extra,
    };
    Ok(TokenReview {
        kind,
        user,
        checks,
        issued_at: iat,
        expires_at: exp,
        not_before: nbf,
        audiences,
        issuer,
        warn_after,
        bound_object,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kauth_pki::key::{KeyAlgorithm, PrivateKey};
    use serde_json::json;
    use time::macros::datetime;

    const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

    fn recorded(file: &str) -> Value {
        let path = format!(
            "{}/../../tests/fixtures/apiserver/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    fn sa_key() -> Vec<PublicKey> {
        let path = format!(
            "{}/../../tests/fixtures/apiserver/certs/sa.pub",
            env!("CARGO_MANIFEST_DIR")
        );
        PublicKey::from_pem(&std::fs::read(path).unwrap(), "sa.pub").unwrap()
    }

    /// The identities a real v1.36 server gave these tokens
    /// (ssr-bound-sa-token.json, ssr-legacy-sa-token.json).
    #[test]
    fn recorded_tokens_give_the_recorded_identities() {
        let at = datetime!(2026-11-22 21:35:40 UTC);
        let opts = Options {
            keys: sa_key(),
            issuers: vec![ISSUER.into()],
            api_audiences: vec![],
        };
        let bound = recorded("tokenrequest-default.json")["response"]["body"]["status"]["token"]
            .as_str()
            .unwrap()
            .to_string();
        let r = review(&bound, &opts, at).unwrap();
        assert_eq!(r.kind, TokenKind::Bound);
        assert!(r.accepted(), "{:?}", r.checks);
        let want = &recorded("ssr-bound-sa-token.json")["response"]["body"]["status"]["userInfo"];
        let mut user = r.user.clone().with_authenticated_group();
        // The recorded request used a later token of the same account: the
        // JTI differs, everything else must be equal.
        user.extra.clear();
        assert_eq!(user.username, want["username"].as_str().unwrap());
        assert_eq!(user.uid, want["uid"].as_str().unwrap());
        assert_eq!(serde_json::to_value(&user.groups).unwrap(), want["groups"]);
        assert!(r.user.extra[CREDENTIAL_ID_KEY][0].starts_with("JTI="));

        let secret = recorded("secret-get-sa1-token.json");
        let legacy = secret["decoded_data"]["token"].as_str().unwrap();
        let r = review(legacy, &opts, datetime!(2030-01-01 00:00 UTC)).unwrap();
        assert_eq!(r.kind, TokenKind::Legacy);
        assert!(r.accepted(), "legacy tokens do not expire: {:?}", r.checks);
        let want = &recorded("ssr-legacy-sa-token.json")["response"]["body"]["status"]["userInfo"];
        let user = r.user.with_authenticated_group();
        assert_eq!(serde_json::to_value(&user).unwrap(), *want);

        // An hour and two minutes later the bound token has expired.
        let late = review(&bound, &opts, datetime!(2026-11-22 22:38:00 UTC)).unwrap();
        assert_eq!(late.failures(), ["service account token has expired"]);
    }

    /// Cases after `TestTokenGenerateAndValidate` in upstream's
    /// `jwt_test.go`, on tokens kauth signs.
    #[test]
    fn checks_follow_the_server() {
        let key = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let keys = PublicKey::from_pem(key.to_pem().as_bytes(), "k").unwrap();
        let now = datetime!(2026-11-23 12:00 UTC).unix_timestamp();
        let claims = |aud: &str, exp: i64| {
            json!({
                "iss": ISSUER, "aud": [aud], "sub": "system:serviceaccount:ns:sa",
                "iat": now - 10, "nbf": now - 10, "exp": exp, "jti": "j-1",
                "kubernetes.io": {"namespace": "ns", "serviceaccount": {"name": "sa", "uid": "u-1"},
                                  "pod": {"name": "p", "uid": "pu"}, "node": {"name": "n1", "uid": "nu"}}
            })
        };
        let opts = Options {
            keys: keys.clone(),
            issuers: vec![ISSUER.into()],
            api_audiences: vec![],
        };
        let at = datetime!(2026-11-23 12:00 UTC);
        let ok = review(
            &crate::authn::jwt::sign(&key, None, &claims(ISSUER, now + 600)).unwrap(),
            &opts,
            at,
        )
        .unwrap();
        assert!(ok.accepted(), "{:?}", ok.checks);
        assert_eq!(ok.user.username, "system:serviceaccount:ns:sa");
        assert_eq!(
            ok.user.groups,
            ["system:serviceaccounts", "system:serviceaccounts:ns"]
        );
        for k in [
            POD_NAME_KEY,
            POD_UID_KEY,
            NODE_NAME_KEY,
            NODE_UID_KEY,
            CREDENTIAL_ID_KEY,
        ] {
            assert!(ok.user.extra.contains_key(k), "{k}");
        }
        assert_eq!(ok.bound_object.as_deref(), Some("Pod \"p\" (uid pu)"));

        let wrong_aud = review(
            &crate::authn::jwt::sign(&key, None, &claims("kauth-test", now + 600)).unwrap(),
            &opts,
            at,
        )
        .unwrap();
        assert_eq!(
            wrong_aud.failures(),
            [
                "token audiences [\"kauth-test\"] is invalid for the target audiences [\"https://kubernetes.default.svc.cluster.local\"]"
            ]
        );
        // Within the leeway, an expired token still passes.
        let just = review(
            &crate::authn::jwt::sign(&key, None, &claims(ISSUER, now - 30)).unwrap(),
            &opts,
            at,
        )
        .unwrap();
        assert!(just.accepted());
        let other = PrivateKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let forged = review(
            &crate::authn::jwt::sign(&other, None, &claims(ISSUER, now + 600)).unwrap(),
            &opts,
            at,
        )
        .unwrap();
        assert!(forged.failures()[0].contains("signature does not verify"));
        let unchecked = review(
            &crate::authn::jwt::sign(&other, None, &claims(ISSUER, now + 600)).unwrap(),
            &Options::default(),
            at,
        )
        .unwrap();
        assert!(unchecked.accepted());
        assert!(
            unchecked
                .checks
                .iter()
                .any(|c| matches!(c, Check::NotChecked(m) if m.starts_with("signature")))
        );
        assert!(review("x.y.z", &opts, at).is_err());
        let oidc =
            crate::authn::jwt::sign(&key, None, &json!({"iss": "https://idp", "sub": "alice"}))
                .unwrap();
        assert!(matches!(
            review(&oidc, &opts, at),
            Err(TokenError::NotServiceAccount(_))
        ));
    }
}
