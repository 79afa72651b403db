//! ServiceAccount tokens: which token Secret of a ServiceAccount the API
//! server still accepts, TokenRequest bodies, and token Secret manifests.
//!
//! Upstream: the token controller (`pkg/controller/serviceaccount/tokens_controller.go`)
//! fills Secrets of type `kubernetes.io/service-account-token` that name
//! the ServiceAccount in the `kubernetes.io/service-account.name`
//! annotation; since 1.24 none is made automatically, and since 1.29 the
//! legacy token cleaner labels unused ones
//! `kubernetes.io/legacy-token-invalid-since`, after which the
//! authenticator refuses them (`pkg/serviceaccount/legacy.go`). Tools that
//! read `ServiceAccount.secrets[0]` miss Secrets made by hand, which never
//! appear there.

use base64::Engine as _;
use serde_json::{Value, json};
use zeroize::Zeroizing;

pub const TOKEN_SECRET_TYPE: &str = "kubernetes.io/service-account-token";
pub const NAME_ANNOTATION: &str = "kubernetes.io/service-account.name";
pub const UID_ANNOTATION: &str = "kubernetes.io/service-account.uid";
pub const INVALID_SINCE_LABEL: &str = "kubernetes.io/legacy-token-invalid-since";
pub const LAST_USED_LABEL: &str = "kubernetes.io/legacy-token-last-used";
/// The shortest TokenRequest lifetime the API server takes.
pub const MIN_EXPIRATION_SECONDS: i64 = 600;

/// `NAMESPACE/NAME`, or `NAME` in the default namespace given.
pub fn parse_target(text: &str, namespace: &str) -> Result<(String, String), String> {
    let (ns, name) = match text.split_once('/') {
        Some((ns, name)) => (ns.to_string(), name.to_string()),
        None => (namespace.to_string(), text.to_string()),
    };
    let valid = |s: &str| {
        !s.is_empty()
            && s.len() <= 253
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
            && !s.starts_with(['-', '.'])
            && !s.ends_with(['-', '.'])
    };
    if !valid(&ns) || !valid(&name) {
        return Err(format!(
            "{text:?} is not NAMESPACE/NAME or NAME (lowercase letters, digits, '-' and '.')"
        ));
    }
    Ok((ns, name))
}

/// A token Secret, decoded.
#[derive(Clone)]
pub struct TokenSecret {
    pub namespace: String,
    pub name: String,
    pub created: String,
    /// The ServiceAccount UID the token controller recorded.
    pub service_account_uid: String,
    pub token: Option<Zeroizing<String>>,
    pub ca_crt: Option<Vec<u8>>,
    pub invalid_since: Option<String>,
    pub last_used: Option<String>,
}

impl std::fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "TokenSecret({}/{}, token: {})",
            self.namespace,
            self.name,
            self.token.is_some()
        )
    }
}

/// The objects of a document: a List's items, or the object itself.
pub fn objects(doc: &Value) -> Vec<&Value> {
    match doc.get("items").and_then(Value::as_array) {
        Some(items) => items.iter().collect(),
        None => vec![doc],
    }
}

fn text<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut cur = v;
    for p in path {
        match cur.get(p) {
            Some(next) => cur = next,
            None => return "",
        }
    }
    cur.as_str().unwrap_or("")
}

/// Why an object is not a token Secret of the ServiceAccount, or the
/// decoded Secret.
pub fn token_secret(
    obj: &Value,
    namespace: &str,
    account: &str,
) -> Option<Result<TokenSecret, String>> {
    let kind = text(obj, &["kind"]);
    if !(kind.is_empty() || kind == "Secret") || text(obj, &["type"]) != TOKEN_SECRET_TYPE {
        return None;
    }
    let ns = text(obj, &["metadata", "namespace"]);
    if text(obj, &["metadata", "annotations", NAME_ANNOTATION]) != account
        || !(ns.is_empty() || ns == namespace)
    {
        return None;
    }
    let name = text(obj, &["metadata", "name"]).to_string();
    let decode = |key: &str| -> Result<Option<Vec<u8>>, String> {
        match obj
            .get("data")
            .and_then(|d| d.get(key))
            .and_then(Value::as_str)
        {
            None | Some("") => Ok(None),
            Some(b64) => base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map(Some)
                .map_err(|_| format!("Secret {name:?}: data.{key} is not base64")),
        }
    };
    let result = (|| {
        let token = match decode("token")? {
            Some(bytes) => {
                Some(Zeroizing::new(String::from_utf8(bytes).map_err(|_| {
                    format!("Secret {name:?}: data.token is not text")
                })?))
            }
            None => None,
        };
        let label = |k: &str| {
            Some(text(obj, &["metadata", "labels", k]).to_string()).filter(|s| !s.is_empty())
        };
        Ok(TokenSecret {
            namespace: namespace.to_string(),
            name: name.clone(),
            created: text(obj, &["metadata", "creationTimestamp"]).to_string(),
            service_account_uid: text(obj, &["metadata", "annotations", UID_ANNOTATION])
                .to_string(),
            token,
            ca_crt: decode("ca.crt")?,
            invalid_since: label(INVALID_SINCE_LABEL),
            last_used: label(LAST_USED_LABEL),
        })
    })();
    Some(result)
}

/// The token Secret to use, and what was passed over and why.
#[derive(Debug, Default)]
pub struct Choice {
    pub secret: Option<TokenSecret>,
    pub passed_over: Vec<String>,
}

/// Picks the newest Secret whose token the server still accepts: filled,
/// not labelled invalid, and (when the ServiceAccount's UID is known)
/// made for this ServiceAccount rather than an earlier one of its name.
pub fn choose(
    objects: &[&Value],
    namespace: &str,
    account: &str,
    account_uid: Option<&str>,
) -> Choice {
    let mut usable: Vec<TokenSecret> = Vec::new();
    let mut passed_over = Vec::new();
    for obj in objects {
        let secret = match token_secret(obj, namespace, account) {
            None => continue,
            Some(Err(e)) => {
                passed_over.push(e);
                continue;
            }
            Some(Ok(s)) => s,
        };
        let name = &secret.name;
        if secret.token.is_none() {
            passed_over.push(format!(
                "Secret {name:?} has no token yet: the token controller (kube-controller-manager) has not filled it"
            ));
        } else if let Some(since) = &secret.invalid_since {
            passed_over.push(format!(
                "Secret {name:?} is labelled {INVALID_SINCE_LABEL}={since}: the server refuses its token (remove the label to use it again: kubectl label secret -n {namespace} {name} {INVALID_SINCE_LABEL}-)"
            ));
        } else if let Some(uid) = account_uid
            .filter(|u| !secret.service_account_uid.is_empty() && *u != secret.service_account_uid)
        {
            passed_over.push(format!(
                "Secret {name:?} was made for an earlier ServiceAccount {account:?} (uid {}, now {uid}): the server refuses its token",
                secret.service_account_uid
            ));
        } else {
            usable.push(secret);
        }
    }
    // RFC 3339 in UTC sorts as text; the name breaks ties.
    usable.sort_by(|a, b| (&b.created, &a.name).cmp(&(&a.created, &b.name)));
    Choice {
        secret: usable.into_iter().next(),
        passed_over,
    }
}

/// The object a TokenRequest binds its token to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BoundObject {
    pub kind: String,
    pub name: String,
    pub uid: String,
}

/// What a TokenRequest asks for: audiences (none: the API server's), a
/// lifetime, and an object the token is bound to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenRequestSpec {
    pub audiences: Vec<String>,
    pub expiration_seconds: Option<i64>,
    pub bound_object: Option<BoundObject>,
}

impl TokenRequestSpec {
    /// The TokenRequest to POST, as `kubectl create token` sends it.
    pub fn body(&self) -> Value {
        token_request(
            &self.audiences,
            self.expiration_seconds,
            self.bound_object.as_ref(),
        )
    }
}

/// A TokenRequest, as `kubectl create token` sends it.
pub fn token_request(
    audiences: &[String],
    expiration_seconds: Option<i64>,
    bound: Option<&BoundObject>,
) -> Value {
    let mut spec = serde_json::Map::new();
    if !audiences.is_empty() {
        spec.insert("audiences".into(), json!(audiences));
    }
    if let Some(s) = expiration_seconds {
        spec.insert("expirationSeconds".into(), json!(s));
    }
    if let Some(b) = bound {
        let mut r = json!({"kind": b.kind, "apiVersion": "v1", "name": b.name});
        if !b.uid.is_empty() {
            r["uid"] = json!(b.uid);
        }
        spec.insert("boundObjectRef".into(), r);
    }
    json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec})
}

/// The kinds a token can be bound to (kube-apiserver's TokenRequest REST).
pub fn check_bound_kind(kind: &str) -> Result<(), String> {
    match kind {
        "Pod" | "Secret" | "Node" => Ok(()),
        _ => Err(format!(
            "cannot bind a token to a {kind:?}: Pod, Secret or Node"
        )),
    }
}

/// A long-lived token Secret for the ServiceAccount.
pub fn token_secret_manifest(namespace: &str, secret_name: &str, account: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": secret_name, "namespace": namespace, "annotations": {NAME_ANNOTATION: account}},
        "type": TOKEN_SECRET_TYPE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(name: &str, created: &str, token: Option<&str>, labels: Value, uid: &str) -> Value {
        let mut s = json!({
            "kind": "Secret", "type": TOKEN_SECRET_TYPE,
            "metadata": {"name": name, "namespace": "test", "creationTimestamp": created, "labels": labels,
                         "annotations": {NAME_ANNOTATION: "sa1", UID_ANNOTATION: uid}},
        });
        if let Some(t) = token {
            s["data"] = json!({"token": base64::engine::general_purpose::STANDARD.encode(t)});
        }
        s
    }

    #[test]
    fn targets_read_like_kubectl_names() {
        assert_eq!(
            parse_target("test/sa1", "default").unwrap(),
            ("test".into(), "sa1".into())
        );
        assert_eq!(
            parse_target("sa1", "dev").unwrap(),
            ("dev".into(), "sa1".into())
        );
        assert!(parse_target("Test/sa1", "x").is_err());
        assert!(parse_target("test/", "x").is_err());
        assert!(parse_target("a/b/c", "x").is_err());
    }

    #[test]
    fn the_newest_accepted_token_wins() {
        let docs = [
            secret(
                "old",
                "2026-01-01T00:00:00Z",
                Some("t-old"),
                json!({}),
                "u1",
            ),
            secret(
                "new",
                "2026-06-01T00:00:00Z",
                Some("t-new"),
                json!({}),
                "u1",
            ),
            secret(
                "newest-invalid",
                "2026-09-01T00:00:00Z",
                Some("t-x"),
                json!({INVALID_SINCE_LABEL: "2026-10-01"}),
                "u1",
            ),
            secret("empty", "2026-10-01T00:00:00Z", None, json!({}), "u1"),
            secret(
                "earlier-sa",
                "2026-11-01T00:00:00Z",
                Some("t-y"),
                json!({}),
                "u0",
            ),
            json!({"kind": "Secret", "type": "Opaque", "metadata": {"name": "other"}}),
        ];
        let refs: Vec<&Value> = docs.iter().collect();
        let c = choose(&refs, "test", "sa1", Some("u1"));
        assert_eq!(c.secret.as_ref().unwrap().name, "new");
        assert_eq!(c.secret.unwrap().token.unwrap().as_str(), "t-new");
        assert_eq!(c.passed_over.len(), 3, "{:?}", c.passed_over);
        assert!(
            c.passed_over
                .iter()
                .any(|p| p.contains("invalid-since=2026-10-01"))
        );
        assert!(c.passed_over.iter().any(|p| p.contains("has no token yet")));
        assert!(
            c.passed_over
                .iter()
                .any(|p| p.contains("earlier ServiceAccount"))
        );
        // Without the UID the earlier ServiceAccount's Secret cannot be told apart.
        let c = choose(&refs, "test", "sa1", None);
        assert_eq!(c.secret.unwrap().name, "earlier-sa");
        // Another ServiceAccount's Secrets are not considered at all.
        assert!(choose(&refs, "test", "sa2", None).secret.is_none());
    }

    #[test]
    fn kubectl_printed_secrets_decode() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/apiserver/kubectl");
        let text = std::fs::read_to_string(dir.join("secret-sa1-token.json")).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let s = token_secret(&v, "test", "sa1").unwrap().unwrap();
        assert!(s.token.as_ref().unwrap().starts_with("eyJ"));
        assert!(
            String::from_utf8(s.ca_crt.unwrap())
                .unwrap()
                .starts_with("-----BEGIN CERTIFICATE-----")
        );
        assert_eq!(s.last_used.as_deref(), Some("2026-11-22"));
    }

    #[test]
    fn token_requests_are_shaped_as_kubectl_sends_them() {
        assert_eq!(token_request(&[], None, None)["spec"], json!({}));
        let b = BoundObject {
            kind: "Secret".into(),
            name: "sa1-token".into(),
            uid: String::new(),
        };
        let r = token_request(
            &[
                "https://kubernetes.default.svc.cluster.local".into(),
                "kauth-test".into(),
            ],
            Some(600),
            Some(&b),
        );
        let recorded: Value = serde_json::from_str(
            &std::fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../../tests/fixtures/apiserver/tokenrequest-bound-secret.json"),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(r, recorded["request"]["body"]);
        assert!(check_bound_kind("Deployment").is_err());
    }
}

/// Where a kubeconfig's cluster is and how to trust it.
#[derive(Debug, Clone, Default)]
pub struct ClusterAccess {
    pub name: String,
    pub server: String,
    /// PEM; empty: the system roots.
    pub ca_pem: Vec<u8>,
    pub tls_server_name: String,
    pub insecure: bool,
    pub proxy_url: String,
}

/// A kubeconfig with one context: the ServiceAccount's token for the
/// cluster, in the ServiceAccount's namespace.
pub fn kubeconfig(
    cluster: &ClusterAccess,
    namespace: &str,
    account: &str,
    token: &str,
) -> kauth_kubeconfig::Config {
    use kauth_kubeconfig::{AuthInfo, Cluster, Config, Context};
    let user = crate::user::service_account_username(namespace, account);
    let context = format!("{account}@{}", cluster.name);
    let mut config = Config {
        current_context: context.clone(),
        ..Config::default()
    };
    config.clusters.insert(
        cluster.name.clone(),
        Cluster {
            server: cluster.server.clone(),
            certificate_authority_data: cluster.ca_pem.clone(),
            tls_server_name: cluster.tls_server_name.clone(),
            insecure_skip_tls_verify: cluster.insecure,
            proxy_url: cluster.proxy_url.clone(),
            ..Cluster::default()
        },
    );
    config.auth_infos.insert(
        user.clone(),
        AuthInfo {
            token: token.to_string(),
            ..AuthInfo::default()
        },
    );
    config.contexts.insert(
        context,
        Context {
            cluster: cluster.name.clone(),
            auth_info: user,
            namespace: namespace.to_string(),
            ..Context::default()
        },
    );
    config
}
