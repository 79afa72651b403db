//! Bootstrap tokens (`--enable-bootstrap-token-auth`): `abcdef.0123456789abcdef`,
//! looked up in the Secret `kube-system/bootstrap-token-abcdef`.
//!
//! Upstream: `plugin/pkg/auth/authenticator/token/bootstrap/bootstrap.go`
//! (`AuthenticateToken`), `staging/src/k8s.io/cluster-bootstrap/token/api/types.go`
//! (names, the token and group patterns), `cluster-bootstrap/util/tokens`
//! (`ParseToken`) and `cluster-bootstrap/util/secrets` (`GetData`,
//! `GetExpiration`, `GetGroups`). Tests follow `TestTokenAuthenticator` in
//! `bootstrap_test.go` and the recorded kube-apiserver v1.36 exchanges
//! (tests/fixtures/apiserver/chain/bootstrap-token).
//!
//! The checks, in upstream's order: the token matches
//! `^[a-z0-9]{6}\.[a-z0-9]{16}$`; the Secret `bootstrap-token-<id>` exists in
//! `kube-system` and is not being deleted; its type is exactly
//! `bootstrap.kubernetes.io/token` and it has data; `token-secret` equals the
//! token's secret (compared in constant time); `token-id` equals the id;
//! `expiration`, when set, parses as Go's `time.Parse(time.RFC3339)` and is
//! after `now` (an unparseable one counts as expired);
//! `usage-bootstrap-authentication` is exactly `true`; every comma-separated
//! `auth-extra-groups` entry matches
//! `^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$` (one bad entry rejects
//! the token). The user is `system:bootstrap:<id>` with `system:bootstrappers`
//! and the extra groups, sorted and de-duplicated (Go's `sets.String.List`),
//! no UID and no extra (in particular no `credential-id`).
//!
//! # What the caller does with the outcome
//! [`BootstrapTokens::authenticate`] returns `None` when the token is not of
//! the bootstrap form and `Some(Err(_))` when it is but no Secret accepts it.
//! **Both are "no opinion"** in kube-apiserver: the bootstrap authenticator
//! never returns an error, so the token union goes on to the next token
//! authenticator, and when none accepts the token the request is a 401
//! `invalid bearer token` (never anonymous). The [`Rejection`] only says why,
//! in the words of the server's `--v=3` log line, without the secret part.
//! `Some(Ok(user))` authenticates; the chain then adds `system:authenticated`
//! ([`UserInfo::with_authenticated_group`]). In kube-apiserver the bootstrap
//! authenticator comes after the static token file and the ServiceAccount
//! authenticators and before OIDC and webhooks
//! (`pkg/kubeapiserver/authenticator/config.go`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::user::UserInfo;

/// The namespace whose Secrets hold bootstrap tokens.
pub const NAMESPACE: &str = "kube-system";
/// `BootstrapTokenSecretPrefix`: the Secret is named this plus the token id.
pub const SECRET_PREFIX: &str = "bootstrap-token-";
/// `SecretTypeBootstrapToken`.
pub const SECRET_TYPE: &str = "bootstrap.kubernetes.io/token";
/// `BootstrapUserPrefix`.
pub const USER_PREFIX: &str = "system:bootstrap:";
/// `BootstrapDefaultGroup`.
pub const DEFAULT_GROUP: &str = "system:bootstrappers";

const KEY_ID: &str = "token-id";
const KEY_SECRET: &str = "token-secret";
const KEY_EXPIRATION: &str = "expiration";
const KEY_USAGE_AUTHENTICATION: &str = "usage-bootstrap-authentication";
const KEY_EXTRA_GROUPS: &str = "auth-extra-groups";
const GROUP_PREFIX: &str = "system:bootstrappers:";

/// The id of a token of the bootstrap form, `None` otherwise
/// (`ParseToken`: `\A([a-z0-9]{6})\.([a-z0-9]{16})\z`). The secret part is
/// never returned.
pub fn token_id(token: &str) -> Option<&str> {
    split(token).map(|(id, _)| id)
}

fn split(token: &str) -> Option<(&str, &str)> {
    let (id, secret) = token.split_once('.')?;
    let ok = |s: &str, n: usize| {
        s.len() == n
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    (ok(id, 6) && ok(secret, 16)).then_some((id, secret))
}

/// `ValidateBootstrapGroupName`: `\Asystem:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]\z`.
pub fn valid_extra_group(group: &str) -> bool {
    let Some(rest) = group.strip_prefix(GROUP_PREFIX) else {
        return false;
    };
    let rest = rest.as_bytes();
    let Some((&last, body)) = rest.split_last() else {
        return false;
    };
    body.len() <= 255
        && body
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b':' || b == b'-')
        && (last.is_ascii_lowercase() || last.is_ascii_digit())
}

/// Why the objects given cannot be read as the API server would hold them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretsError {
    #[error("object {index}: not a JSON object")]
    NotAnObject { index: usize },
    #[error("Secret {index}: `metadata.name` is missing or not a string")]
    NoName { index: usize },
    #[error("Secret `{name}`: `{field}` must be a map of strings")]
    NotAMap { name: String, field: &'static str },
    /// The API server refuses such a Secret; the value is not repeated.
    #[error(
        "Secret `{name}`: `data.{key}` is not base64 (illegal base64 data at input byte {offset})"
    )]
    Base64 {
        name: String,
        key: String,
        offset: usize,
    },
}

/// One bootstrap Secret as the server stores it: `data` decoded, with
/// `stringData` merged over it as the API server merges it on write.
#[derive(Clone)]
struct Secret {
    type_: String,
    deleting: bool,
    data: Option<BTreeMap<String, Zeroizing<Vec<u8>>>>,
}

impl Secret {
    /// `GetData`: the value as a string, empty when missing.
    fn get(&self, key: &str) -> String {
        self.data
            .as_ref()
            .and_then(|d| d.get(key))
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .unwrap_or_default()
    }

    fn get_bytes(&self, key: &str) -> &[u8] {
        self.data
            .as_ref()
            .and_then(|d| d.get(key))
            .map(|v| v.as_slice())
            .unwrap_or_default()
    }
}

/// The bootstrap token Secrets of `kube-system`. `Debug` shows no secret.
#[derive(Clone, Default)]
pub struct BootstrapTokens {
    secrets: BTreeMap<String, Secret>,
    /// Objects given that the server would not look at (other namespaces,
    /// later duplicates), one line each.
    pub warnings: Vec<String>,
}

impl std::fmt::Debug for BootstrapTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "BootstrapTokens({} Secrets in kube-system",
            self.secrets.len()
        )?;
        if !self.secrets.is_empty() {
            let names: Vec<&str> = self.secrets.keys().map(String::as_str).collect();
            write!(f, ": {}", names.join(", "))?;
        }
        write!(f, ")")
    }
}

/// Why a token of the bootstrap form does not authenticate. The server's
/// `--v=3` log words; the token's secret part is never in them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("no secret of name {secret} to match bootstrap bearer token")]
    NoSecret { secret: String },
    #[error(
        "bootstrap secret kube-system/{secret} matching bearer token is deleted and awaiting removal"
    )]
    Deleted { secret: String },
    #[error(
        "bootstrap secret kube-system/{secret} matching bearer token has invalid type {type_:?}, expected {SECRET_TYPE}"
    )]
    Type { secret: String, type_: String },
    #[error("bootstrap secret kube-system/{secret} matching bearer token has no data")]
    NoData { secret: String },
    #[error(
        "bootstrap secret kube-system/{secret} matching bearer token has invalid value for key token-secret"
    )]
    WrongSecret { secret: String },
    #[error(
        "bootstrap secret kube-system/{secret} matching bearer token has invalid value for key token-id ({found:?}, expected {expected:?})"
    )]
    WrongId {
        secret: String,
        found: String,
        expected: String,
    },
    #[error("bootstrap secret kube-system/{secret}: expired at {expiration}")]
    Expired { secret: String, expiration: String },
    #[error(
        "bootstrap secret kube-system/{secret}: unparseable expiration time {expiration:?} ({reason}), treated as expired"
    )]
    BadExpiration {
        secret: String,
        expiration: String,
        reason: String,
    },
    #[error(
        "bootstrap secret kube-system/{secret} matching bearer token not marked usage-bootstrap-authentication=true (it is {found:?})"
    )]
    NotForAuthentication { secret: String, found: String },
    #[error(
        "bootstrap secret kube-system/{secret} matching bearer token has invalid value for key auth-extra-groups: bootstrap group {group:?} is invalid (must match \\Asystem:bootstrappers:[a-z0-9:-]{{0,255}}[a-z0-9]\\z)"
    )]
    BadGroup { secret: String, group: String },
}

impl BootstrapTokens {
    /// Reads Secrets (and `List`s of them) as parsed YAML or JSON objects;
    /// other kinds and Secrets outside `kube-system` are ignored, as the
    /// server's lister ignores them. A Secret the API server would refuse
    /// (undecodable `data`) is an error.
    pub fn from_secrets(objects: &[Value]) -> Result<BootstrapTokens, SecretsError> {
        let mut out = BootstrapTokens::default();
        let mut index = 0;
        for object in objects {
            out.add(object, &mut index, 0)?;
        }
        Ok(out)
    }

    /// How many Secrets of `kube-system` are held.
    pub fn len(&self) -> usize {
        self.secrets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    fn add(&mut self, object: &Value, index: &mut usize, depth: usize) -> Result<(), SecretsError> {
        *index += 1;
        let at = *index;
        let map = object
            .as_object()
            .ok_or(SecretsError::NotAnObject { index: at })?;
        let kind = map.get("kind").and_then(Value::as_str).unwrap_or("");
        if kind.ends_with("List") {
            // Lists of lists are not something the API returns; one level.
            if depth == 0
                && let Some(items) = map.get("items").and_then(Value::as_array)
            {
                for item in items {
                    self.add(item, index, depth + 1)?;
                }
            }
            return Ok(());
        }
        if kind != "Secret" {
            return Ok(());
        }
        let meta = map.get("metadata").and_then(Value::as_object);
        let name = meta
            .and_then(|m| m.get("name"))
            .and_then(Value::as_str)
            .ok_or(SecretsError::NoName { index: at })?
            .to_string();
        let namespace = meta
            .and_then(|m| m.get("namespace"))
            .and_then(Value::as_str)
            .unwrap_or("");
        if namespace != NAMESPACE {
            if name.starts_with(SECRET_PREFIX) {
                self.warnings.push(format!(
                    "Secret `{name}` is in namespace `{}`, not kube-system: the server does not look at it",
                    if namespace.is_empty() { "(none)" } else { namespace }
                ));
            }
            return Ok(());
        }
        let deleting = meta
            .and_then(|m| m.get("deletionTimestamp"))
            .is_some_and(|t| !t.is_null());
        let type_ = map
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let mut data: Option<BTreeMap<String, Zeroizing<Vec<u8>>>> = None;
        if let Some(d) = map.get("data").filter(|d| !d.is_null()) {
            let d = d.as_object().ok_or_else(|| SecretsError::NotAMap {
                name: name.clone(),
                field: "data",
            })?;
            let entries = data.get_or_insert_with(BTreeMap::new);
            for (key, value) in d {
                let text = value.as_str().ok_or_else(|| SecretsError::NotAMap {
                    name: name.clone(),
                    field: "data",
                })?;
                let bytes =
                    kauth_formats::base64::decode_std(text.as_bytes()).map_err(|offset| {
                        SecretsError::Base64 {
                            name: name.clone(),
                            key: key.clone(),
                            offset,
                        }
                    })?;
                entries.insert(key.clone(), Zeroizing::new(bytes));
            }
        }
        if let Some(d) = map.get("stringData").filter(|d| !d.is_null()) {
            let d = d.as_object().ok_or_else(|| SecretsError::NotAMap {
                name: name.clone(),
                field: "stringData",
            })?;
            let entries = data.get_or_insert_with(BTreeMap::new);
            for (key, value) in d {
                let text = value.as_str().ok_or_else(|| SecretsError::NotAMap {
                    name: name.clone(),
                    field: "stringData",
                })?;
                entries.insert(key.clone(), Zeroizing::new(text.as_bytes().to_vec()));
            }
        }
        // The server stores an empty map as none at all.
        let data = data.filter(|d| !d.is_empty());
        let secret = Secret {
            type_,
            deleting,
            data,
        };
        if self.secrets.insert(name.clone(), secret).is_some() {
            self.warnings.push(format!(
                "Secret kube-system/{name} is given twice: the later one counts, as after an apply"
            ));
        }
        Ok(())
    }

    /// The user `token` authenticates as at `now`; see the module
    /// documentation for what `None` and `Some(Err(_))` mean to the chain.
    pub fn authenticate(
        &self,
        token: &str,
        now: OffsetDateTime,
    ) -> Option<Result<UserInfo, Rejection>> {
        let (id, token_secret) = split(token)?;
        Some(self.check(id, token_secret, now))
    }

    fn check(
        &self,
        id: &str,
        token_secret: &str,
        now: OffsetDateTime,
    ) -> Result<UserInfo, Rejection> {
        let name = format!("{SECRET_PREFIX}{id}");
        let secret_name = || name.clone();
        let s = self.secrets.get(&name).ok_or_else(|| Rejection::NoSecret {
            secret: secret_name(),
        })?;
        if s.deleting {
            return Err(Rejection::Deleted {
                secret: secret_name(),
            });
        }
        if s.type_ != SECRET_TYPE {
            return Err(Rejection::Type {
                secret: secret_name(),
                type_: s.type_.clone(),
            });
        }
        if s.data.is_none() {
            return Err(Rejection::NoData {
                secret: secret_name(),
            });
        }
        if !constant_time_eq(s.get_bytes(KEY_SECRET), token_secret.as_bytes()) {
            return Err(Rejection::WrongSecret {
                secret: secret_name(),
            });
        }
        let stored_id = s.get(KEY_ID);
        if stored_id != id {
            return Err(Rejection::WrongId {
                secret: secret_name(),
                found: stored_id,
                expected: id.to_string(),
            });
        }
        let expiration = s.get(KEY_EXPIRATION);
        if !expiration.is_empty() {
            match kauth_formats::time::parse_rfc3339(&expiration) {
                Err(e) => {
                    return Err(Rejection::BadExpiration {
                        secret: secret_name(),
                        expiration,
                        reason: e.to_string(),
                    });
                }
                // `timeRemaining <= 0` is expired.
                Ok(t) if t <= now => {
                    return Err(Rejection::Expired {
                        secret: secret_name(),
                        expiration,
                    });
                }
                Ok(_) => {}
            }
        }
        let usage = s.get(KEY_USAGE_AUTHENTICATION);
        if usage != "true" {
            return Err(Rejection::NotForAuthentication {
                secret: secret_name(),
                found: usage,
            });
        }
        let mut groups = BTreeSet::from([DEFAULT_GROUP.to_string()]);
        let extra = s.get(KEY_EXTRA_GROUPS);
        if !extra.is_empty() {
            for group in extra.split(',') {
                if !valid_extra_group(group) {
                    return Err(Rejection::BadGroup {
                        secret: secret_name(),
                        group: group.to_string(),
                    });
                }
                groups.insert(group.to_string());
            }
        }
        Ok(UserInfo {
            username: format!("{USER_PREFIX}{stored_id}"),
            groups: groups.into_iter().collect(),
            ..UserInfo::default()
        })
    }
}

/// Go's `subtle.ConstantTimeCompare`: different lengths differ at once, equal
/// lengths are compared without an early exit.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-02 17:08:00 UTC);
    const ID: &str = "foobar";
    const SECRET: &str = "circumnavigation";

    fn secret(name: &str, data: Value) -> Value {
        json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name, "namespace": "kube-system"},
            "type": "bootstrap.kubernetes.io/token",
            "stringData": data,
        })
    }

    fn valid(extra: &[(&str, &str)]) -> Value {
        let mut data = json!({
            "token-id": ID, "token-secret": SECRET, "usage-bootstrap-authentication": "true",
        });
        for (k, v) in extra {
            data[*k] = json!(v);
        }
        secret(&format!("bootstrap-token-{ID}"), data)
    }

    fn run(secrets: &[Value], token: &str) -> Option<Result<UserInfo, Rejection>> {
        BootstrapTokens::from_secrets(secrets)
            .unwrap()
            .authenticate(token, NOW)
    }

    /// After `TestTokenAuthenticator` in upstream's `bootstrap_test.go`: each
    /// case there, by name, with the user or "not found".
    #[test]
    fn follows_upstream_token_authenticator_table() {
        let token = format!("{ID}.{SECRET}");
        let user = |groups: &[&str]| {
            Some(UserInfo::new(
                format!("system:bootstrap:{ID}"),
                groups.iter().copied(),
            ))
        };
        let mut deleted = valid(&[]);
        deleted["metadata"]["deletionTimestamp"] = json!("2026-12-02T17:00:00Z");
        let mut bad_name = valid(&[]);
        bad_name["metadata"]["name"] = json!("bad-name");
        let mut no_usage = valid(&[]);
        no_usage["stringData"]
            .as_object_mut()
            .unwrap()
            .remove("usage-bootstrap-authentication");
        let short = secret(
            "bootstrap-token-foo",
            json!({"token-id": "foo", "token-secret": SECRET, "usage-bootstrap-authentication": "true"}),
        );
        let cases: Vec<(&str, Value, String, Option<UserInfo>)> = vec![
            (
                "valid token",
                valid(&[]),
                token.clone(),
                user(&["system:bootstrappers"]),
            ),
            (
                "valid token with extra group",
                valid(&[("auth-extra-groups", "system:bootstrappers:foo")]),
                token.clone(),
                user(&["system:bootstrappers", "system:bootstrappers:foo"]),
            ),
            (
                "invalid group",
                valid(&[("auth-extra-groups", "foo")]),
                token.clone(),
                None,
            ),
            ("invalid secret name", bad_name, token.clone(), None),
            ("no usage", no_usage, token.clone(), None),
            ("wrong token", valid(&[]), format!("barfoo.{SECRET}"), None),
            ("deleted token", deleted, token.clone(), None),
            (
                "expired token",
                valid(&[("expiration", "2009-11-10T23:00:00Z")]),
                token.clone(),
                None,
            ),
            (
                "not expired token",
                valid(&[("expiration", "2109-11-10T23:00:00Z")]),
                token.clone(),
                user(&["system:bootstrappers"]),
            ),
            (
                "token id wrong length",
                short,
                format!("foo.{SECRET}"),
                None,
            ),
        ];
        for (name, s, token, want) in cases {
            let got = run(&[s], &token);
            match want {
                Some(u) => assert_eq!(got, Some(Ok(u)), "{name}"),
                None => assert!(!matches!(got, Some(Ok(_))), "{name}: {got:?}"),
            }
        }
    }

    /// Extra keys of the Secret, and the extra groups or a rejection text.
    type Case<'a> = (&'a [(&'a str, &'a str)], Result<&'a [&'a str], &'a str>);

    /// The README's observations about bootstrap tokens (recorded from
    /// kube-apiserver v1.36), each as a case.
    #[test]
    fn expiration_usage_and_groups_as_the_server_judged_them() {
        let token = format!("{ID}.{SECRET}");
        let cases: &[Case] = &[
            (&[("expiration", "2099-01-01T00:00:00")], Err("unparseable")),
            (&[("expiration", "2099-01-01")], Err("unparseable")),
            (&[("expiration", "tomorrow")], Err("unparseable")),
            (&[("expiration", "2026-12-03T17:08:05.123456Z")], Ok(&[])),
            (&[("expiration", "2026-12-03T00:38:05+05:30")], Ok(&[])),
            (
                &[("expiration", "2026-12-02T12:08:05-03:00")],
                Err("expired at"),
            ),
            // Exactly now: `timeRemaining <= 0`.
            (&[("expiration", "2026-12-02T17:08:00Z")], Err("expired at")),
            (
                &[("usage-bootstrap-authentication", "True")],
                Err("not marked"),
            ),
            (
                &[("usage-bootstrap-authentication", "1")],
                Err("not marked"),
            ),
            (
                &[("usage-bootstrap-authentication", "false")],
                Err("not marked"),
            ),
            (
                &[("auth-extra-groups", "system:bootstrappers")],
                Err("invalid value for key auth-extra-groups"),
            ),
            (
                &[("auth-extra-groups", "system:bootstrappers:a,")],
                Err("bootstrap group \"\""),
            ),
            (
                &[(
                    "auth-extra-groups",
                    "system:bootstrappers:a, system:bootstrappers:b",
                )],
                Err("auth-extra-groups"),
            ),
            (
                &[("auth-extra-groups", "system:bootstrappers:Workers")],
                Err("auth-extra-groups"),
            ),
            (
                &[("auth-extra-groups", "system:bootstrappers:my_group")],
                Err("auth-extra-groups"),
            ),
            (
                &[("auth-extra-groups", "system:bootstrappers:")],
                Err("auth-extra-groups"),
            ),
            (
                &[("auth-extra-groups", "system:bootstrappers:ok,devs")],
                Err("bootstrap group \"devs\""),
            ),
            (
                &[("auth-extra-groups", "system:nodes")],
                Err("auth-extra-groups"),
            ),
            (&[("auth-extra-groups", "")], Ok(&[])),
            (
                &[(
                    "auth-extra-groups",
                    "system:bootstrappers:team-a,system:bootstrappers:edge-98,system:bootstrappers:team-a",
                )],
                Ok(&[
                    "system:bootstrappers:edge-98",
                    "system:bootstrappers:team-a",
                ]),
            ),
            (
                &[(
                    "auth-extra-groups",
                    "system:bootstrappers:kubeadm:default-node-token",
                )],
                Ok(&["system:bootstrappers:kubeadm:default-node-token"]),
            ),
        ];
        for (extra, want) in cases {
            let got = run(&[valid(extra)], &token).expect("of the bootstrap form");
            match (want, got) {
                (Ok(groups), Ok(user)) => {
                    let mut all = vec!["system:bootstrappers"];
                    all.extend(groups.iter());
                    assert_eq!(user.groups, all, "{extra:?}");
                    assert!(user.extra.is_empty() && user.uid.is_empty());
                }
                (Err(text), Err(e)) => {
                    let e = e.to_string();
                    assert!(e.contains(text), "{extra:?}: {e}");
                    assert!(!e.contains(SECRET), "{e}");
                }
                (want, got) => panic!("{extra:?}: want {want:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn secret_variants_as_the_server_judged_them() {
        let token = format!("{ID}.{SECRET}");
        // Type must be exact.
        for t in ["Opaque", "bootstrap.kubernetes.io/Token", ""] {
            let mut s = valid(&[]);
            s["type"] = json!(t);
            assert!(
                matches!(run(&[s], &token), Some(Err(Rejection::Type { .. }))),
                "{t}"
            );
        }
        // The id in the Secret's data must be the token's.
        let mut s = valid(&[]);
        s["stringData"]["token-id"] = json!("gp1von");
        assert!(matches!(
            run(&[s], &token),
            Some(Err(Rejection::WrongId { .. }))
        ));
        // Another namespace is not looked at (and said so).
        let mut s = valid(&[]);
        s["metadata"]["namespace"] = json!("default");
        let tokens = BootstrapTokens::from_secrets(&[s]).unwrap();
        assert!(matches!(
            tokens.authenticate(&token, NOW),
            Some(Err(Rejection::NoSecret { .. }))
        ));
        assert_eq!(tokens.warnings.len(), 1);
        // No token-secret, an upper-case stored secret, a wrong secret.
        let mut s = valid(&[]);
        s["stringData"]
            .as_object_mut()
            .unwrap()
            .remove("token-secret");
        assert!(matches!(
            run(&[s], &token),
            Some(Err(Rejection::WrongSecret { .. }))
        ));
        let mut s = valid(&[]);
        s["stringData"]["token-secret"] = json!(SECRET.to_uppercase());
        assert!(matches!(
            run(&[s], &token),
            Some(Err(Rejection::WrongSecret { .. }))
        ));
        // `data` is base64 and `stringData` wins over it.
        let mut s = valid(&[]);
        s["data"] = json!({"token-secret": "d3Jvbmc=", "auth-extra-groups": "c3lzdGVtOmJvb3RzdHJhcHBlcnM6eA=="});
        let user = run(&[s], &token).unwrap().unwrap();
        assert_eq!(
            user.groups,
            ["system:bootstrappers", "system:bootstrappers:x"]
        );
        // No data at all.
        let mut s = valid(&[]);
        s.as_object_mut().unwrap().remove("stringData");
        assert!(matches!(
            run(&[s], &token),
            Some(Err(Rejection::NoData { .. }))
        ));
    }

    #[test]
    fn only_the_exact_form_is_a_bootstrap_token() {
        for t in [
            "HG3XUX.y3sbbjhzk3ifg9i2",
            "hg3xux-y3sbbjhzk3ifg9i2",
            "hg3xux.y3sbbjhzk3ifg9i2x",
            "hg3xux.y3sbbjhzk3ifg9i",
            "hg3xu.y3sbbjhzk3ifg9i2",
            "hg3xux.y3sbbjhzk3ifg9i2 ",
            "hg3xux..y3sbbjhzk3ifg9i",
            "",
            "hg3xux.y3sbbjhzk3ifg9\u{e9}",
        ] {
            assert_eq!(token_id(t), None, "{t:?}");
            assert_eq!(
                BootstrapTokens::default().authenticate(t, NOW),
                None,
                "{t:?}"
            );
        }
        assert_eq!(token_id("hg3xux.y3sbbjhzk3ifg9i2"), Some("hg3xux"));
    }

    #[test]
    fn group_pattern_bounds() {
        let body = |n: usize| format!("system:bootstrappers:{}", "a".repeat(n));
        assert!(valid_extra_group(&body(1)));
        assert!(valid_extra_group(&body(256)));
        assert!(!valid_extra_group(&body(257)));
        assert!(valid_extra_group("system:bootstrappers:a:b-c"));
        assert!(!valid_extra_group("system:bootstrappers:a-"));
        assert!(!valid_extra_group("system:bootstrappers:a:"));
        assert!(!valid_extra_group("xsystem:bootstrappers:a"));
    }

    #[test]
    fn hostile_secrets_are_errors_that_hide_values() {
        let bad = [
            json!("not an object"),
            json!({"kind": "Secret", "metadata": {"namespace": "kube-system"}}),
            json!({"kind": "Secret", "metadata": {"name": "x", "namespace": "kube-system"}, "data": []}),
            json!({"kind": "Secret", "metadata": {"name": "x", "namespace": "kube-system"}, "data": {"token-secret": 5}}),
            json!({"kind": "Secret", "metadata": {"name": "x", "namespace": "kube-system"}, "stringData": {"a": null}}),
            json!({"kind": "Secret", "metadata": {"name": "x", "namespace": "kube-system"}, "data": {"token-secret": "c2VjcmV0!!"}}),
        ];
        for b in bad {
            let e = BootstrapTokens::from_secrets(std::slice::from_ref(&b))
                .unwrap_err()
                .to_string();
            assert!(!e.contains("c2VjcmV0"), "{e}");
            assert!(!e.is_empty());
        }
        // A List of Secrets is read; other kinds are skipped.
        let list = json!({"kind": "SecretList", "items": [valid(&[]), {"kind": "ConfigMap"}]});
        let tokens = BootstrapTokens::from_secrets(&[list]).unwrap();
        assert_eq!(tokens.len(), 1);
        let debug = format!("{tokens:?}");
        assert!(!debug.contains(SECRET), "{debug}");
        assert!(debug.contains("bootstrap-token-foobar"), "{debug}");
        // A huge, odd Secret does not panic.
        let huge = valid(&[
            (
                "auth-extra-groups",
                &"system:bootstrappers:a,".repeat(100_000),
            ),
            ("expiration", &"9".repeat(100_000)),
        ]);
        assert!(run(&[huge], &format!("{ID}.{SECRET}")).unwrap().is_err());
    }
}
