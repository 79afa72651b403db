//! kube-apiserver's own configuration, read as the server reads it: the
//! flags that shape authentication and authorization, taken from a static
//! pod manifest (as kubeadm writes `/etc/kubernetes/manifests/
//! kube-apiserver.yaml`), a file of flags, or a flag string; the host paths
//! of the files they name; and the chain of authenticators and authorizers
//! the server builds from them, in the server's order.
//!
//! Upstream: flags and defaults in `pkg/kubeapiserver/options/
//! authentication.go` and `authorization.go`, `staging/src/k8s.io/
//! apiserver/pkg/server/options/authentication.go` (request-header); the
//! order in `pkg/kubeapiserver/authenticator/config.go` (`Config.New`:
//! request-header, x509, then the bearer-token union: token file,
//! ServiceAccounts, bootstrap tokens, JWT authenticators, webhook; the
//! authenticated-group adder; anonymous last and only when no earlier
//! authenticator failed) and `pkg/kubeapiserver/authorizer/config.go`
//! (`system:masters` first, then each `--authorization-mode` in order).
//! Flags parse as pflag parses them: `--name=value`, `--name value`, a
//! boolean alone, list flags split on commas, repeated flags appended.

use std::collections::BTreeMap;

use kauth_formats::yaml;
use serde_json::Value;

use crate::authn::oidc::{ClaimRule, JwtConfig, Mapping};
use crate::cel::Expression;

/// Why a configuration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{0}")]
    Syntax(String),
    #[error("no kube-apiserver container in the pod manifest")]
    NoContainer,
    #[error("`--{flag}`: {reason}")]
    Flag { flag: String, reason: String },
}

/// The flags kauth reads; every other flag is kept but not interpreted.
const BOOL_FLAGS: &[&str] = &[
    "anonymous-auth",
    "enable-bootstrap-token-auth",
    "service-account-lookup",
    "allow-privileged",
    "profiling",
    "enable-aggregator-routing",
    "enable-priority-and-fairness",
    "enable-garbage-collector",
    "contention-profiling",
    "debug-socket-path",
    "storage-migration",
    "enable-logs-handler",
    "logtostderr",
    "alsologtostderr",
    "strict-transport-security-directives",
];

/// The server's command line, in order; the value of a flag given without
/// one is `None` (a boolean).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flags {
    pub args: Vec<(String, Option<String>)>,
}

impl Flags {
    /// Parses arguments (the program name, when first, is skipped).
    pub fn parse(words: &[String]) -> Result<Flags, ConfigError> {
        let mut args = Vec::new();
        let mut it = words.iter().peekable();
        if it.peek().is_some_and(|w| !w.starts_with('-')) {
            it.next();
        }
        while let Some(word) = it.next() {
            let Some(flag) = word.strip_prefix("--").or_else(|| word.strip_prefix('-')) else {
                return Err(ConfigError::Syntax(format!(
                    "`{word}`: kube-apiserver takes no positional arguments"
                )));
            };
            match flag.split_once('=') {
                Some((name, value)) => args.push((name.to_string(), Some(value.to_string()))),
                None if BOOL_FLAGS.contains(&flag) => args.push((flag.to_string(), None)),
                None => {
                    let value =
                        it.next_if(|w| !w.starts_with("--"))
                            .ok_or_else(|| ConfigError::Flag {
                                flag: flag.to_string(),
                                reason: "needs a value".into(),
                            })?;
                    args.push((flag.to_string(), Some(value.clone())));
                }
            }
        }
        Ok(Flags { args })
    }

    /// A file of flags: words separated by blanks and newlines, `#`
    /// comments, `\` line continuations, single or double quotes, and
    /// environment-file assignments (`KUBE_APISERVER_ARGS="--a=b --c=d"`,
    /// as systemd units read them) whose value holds the flags.
    pub fn parse_text(text: &str) -> Result<Flags, ConfigError> {
        let mut words = Vec::new();
        for word in Self::words(text)? {
            let assignment = word.split_once('=').filter(|(name, _)| {
                !name.is_empty()
                    && !name.starts_with('-')
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            });
            match assignment {
                Some((_, value)) => words.extend(Self::words(value)?),
                None => words.push(word),
            }
        }
        let flags = Flags::parse(&words)?;
        if flags.args.is_empty() {
            return Err(ConfigError::Syntax("no kube-apiserver flags found".into()));
        }
        Ok(flags)
    }

    fn words(text: &str) -> Result<Vec<String>, ConfigError> {
        let mut words = Vec::new();
        for line in text.replace("\\\r\n", " ").replace("\\\n", " ").lines() {
            let mut word = String::new();
            let mut has_word = false;
            let mut quote: Option<char> = None;
            for c in line.chars() {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), c) => word.push(c),
                    (None, '"' | '\'') => {
                        quote = Some(c);
                        has_word = true;
                    }
                    (None, '#') if !has_word => break,
                    (None, c) if c.is_whitespace() => {
                        if has_word {
                            words.push(std::mem::take(&mut word));
                            has_word = false;
                        }
                    }
                    (None, c) => {
                        word.push(c);
                        has_word = true;
                    }
                }
            }
            if quote.is_some() {
                return Err(ConfigError::Syntax(format!("unclosed quote in `{line}`")));
            }
            if has_word {
                words.push(word);
            }
        }
        Ok(words)
    }

    /// The last value given for `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.args
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_deref().unwrap_or("true"))
    }

    /// A list flag: every value given, each split on commas.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.args
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.as_deref().unwrap_or("").split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// A repeatable flag whose values are not split (`--service-account-
    /// key-file`, `--service-account-issuer`).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.args
            .iter()
            .filter(|(n, _)| n == name)
            .filter_map(|(_, v)| v.clone())
            .collect()
    }

    pub fn bool(&self, name: &str, default: bool) -> Result<bool, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => kauth_kubeconfig::edit::parse_go_bool(v).ok_or_else(|| ConfigError::Flag {
                flag: name.to_string(),
                reason: format!("strconv.ParseBool: parsing {v:?}: invalid syntax"),
            }),
        }
    }
}

/// Where the server's files are on the host: a path inside the container
/// under a `hostPath` volume's mount is that volume's host path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathMap {
    /// (mount path in the container, host path), longest mount first.
    pub mounts: Vec<(String, String)>,
}

impl PathMap {
    pub fn host_path(&self, path: &str) -> String {
        for (mount, host) in &self.mounts {
            let mount = mount.trim_end_matches('/');
            if let Some(rest) = path.strip_prefix(mount)
                && (rest.is_empty() || rest.starts_with('/'))
            {
                return format!("{}{rest}", host.trim_end_matches('/'));
            }
        }
        path.to_string()
    }
}

/// The command line of the `kube-apiserver` container of a static pod
/// manifest, and where its `hostPath` volumes put its files.
pub fn from_manifest(text: &str) -> Result<(Flags, PathMap), ConfigError> {
    let node = yaml::parse(text)
        .map_err(|e| ConfigError::Syntax(e.to_string()))?
        .ok_or(ConfigError::NoContainer)?;
    let pod = yaml::to_json(&node);
    let containers = pod["spec"]["containers"]
        .as_array()
        .ok_or(ConfigError::NoContainer)?;
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let container = containers
        .iter()
        .find(|c| c["name"] == "kube-apiserver")
        .or_else(|| {
            containers.iter().find(|c| {
                strings(&c["command"])
                    .first()
                    .is_some_and(|p| p.ends_with("kube-apiserver"))
            })
        })
        .ok_or(ConfigError::NoContainer)?;
    let mut words = strings(&container["command"]);
    words.extend(strings(&container["args"]));
    let flags = Flags::parse(&words)?;
    let volumes: BTreeMap<&str, &str> = pod["spec"]["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| Some((v["name"].as_str()?, v["hostPath"]["path"].as_str()?)))
        .collect();
    let mut mounts: Vec<(String, String)> = container["volumeMounts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| {
            let host = volumes.get(m["name"].as_str()?)?;
            Some((m["mountPath"].as_str()?.to_string(), host.to_string()))
        })
        .collect();
    mounts.sort_by_key(|(m, _)| std::cmp::Reverse(m.len()));
    Ok((flags, PathMap { mounts }))
}

/// Reads a configuration file: a pod manifest when it is YAML with
/// `kind: Pod`, otherwise a file of flags.
pub fn from_file_text(text: &str) -> Result<(Flags, PathMap), ConfigError> {
    let looks_like_pod = text
        .lines()
        .any(|l| l.trim_start().starts_with("kind:") && l.contains("Pod"));
    if looks_like_pod {
        from_manifest(text)
    } else {
        Ok((Flags::parse_text(text)?, PathMap::default()))
    }
}

// ---------------------------------------------------------------------------
// The settings the flags make

/// `--requestheader-*`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RequestHeader {
    pub client_ca_file: String,
    pub allowed_names: Vec<String>,
    pub username_headers: Vec<String>,
    pub uid_headers: Vec<String>,
    pub group_headers: Vec<String>,
    pub extra_headers_prefix: Vec<String>,
}

/// The legacy `--oidc-*` flags.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Oidc {
    pub issuer_url: String,
    pub client_id: String,
    pub ca_file: Option<String>,
    pub username_claim: String,
    pub username_prefix: Option<String>,
    pub groups_claim: Option<String>,
    pub groups_prefix: Option<String>,
    pub signing_algs: Vec<String>,
    pub required_claims: BTreeMap<String, String>,
}

impl Oidc {
    /// The JWT authenticator the server makes of the flags
    /// (`pkg/kubeapiserver/options/authentication.go`): without
    /// `--oidc-username-prefix`, every claim but `email` is prefixed with
    /// the issuer URL and `#`; `-` means no prefix.
    pub fn to_jwt(&self) -> JwtConfig {
        let prefix = match self.username_prefix.as_deref() {
            Some("-") => String::new(),
            None | Some("") if self.username_claim != "email" => format!("{}#", self.issuer_url),
            other => other.unwrap_or_default().to_string(),
        };
        JwtConfig {
            issuer: self.issuer_url.clone(),
            audiences: vec![self.client_id.clone()],
            username: Mapping {
                claim: Some(self.username_claim.clone()),
                prefix: Some(prefix),
                expression: None,
            },
            groups: Mapping {
                claim: self.groups_claim.clone().filter(|g| !g.is_empty()),
                prefix: self.groups_prefix.clone(),
                expression: None,
            },
            claim_rules: self
                .required_claims
                .iter()
                .map(|(claim, value)| ClaimRule::Required {
                    claim: claim.clone(),
                    value: value.clone(),
                })
                .collect(),
            signing_algorithms: self.signing_algs.clone(),
            ..JwtConfig::default()
        }
    }
}

/// What kauth reads of an `AuthenticationConfiguration` file
/// (`apiserver.config.k8s.io/v1`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct AuthenticationFile {
    /// Each `jwt` entry, checked and its expressions compiled.
    #[serde(skip)]
    pub authenticators: Vec<JwtConfig>,
    /// `anonymous.enabled` and its path conditions, when the file sets it.
    pub anonymous: Option<(bool, Vec<String>)>,
}

impl AuthenticationFile {
    pub fn parse(text: &str) -> Result<AuthenticationFile, ConfigError> {
        let doc = match yaml::parse(text).map_err(|e| ConfigError::Syntax(e.to_string()))? {
            Some(node) => yaml::to_json(&node),
            None => Value::Null,
        };
        if doc["kind"] != "AuthenticationConfiguration" {
            return Err(ConfigError::Syntax(
                "not an AuthenticationConfiguration (kind)".into(),
            ));
        }
        let authenticators = doc["jwt"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, j)| JwtConfig::from_entry(i, j))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ConfigError::Syntax(e.to_string()))?;
        let anonymous = doc.get("anonymous").filter(|a| a.is_object()).map(|a| {
            let paths = a["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["path"].as_str().map(str::to_string))
                .collect();
            (a["enabled"] == true, paths)
        });
        Ok(AuthenticationFile {
            authenticators,
            anonymous,
        })
    }
}

/// One authorizer of an `AuthorizationConfiguration`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ConfiguredAuthorizer {
    /// `type`: one of [`MODES`].
    pub kind: String,
    pub name: String,
    /// A webhook's settings.
    #[serde(skip)]
    pub webhook: Option<WebhookAuthorizer>,
}

/// A `Webhook` authorizer's settings that decide whether it is asked.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookAuthorizer {
    /// `failurePolicy: Deny`: a match condition that fails to evaluate
    /// denies; `NoOpinion` skips the webhook.
    pub deny_on_error: bool,
    /// `matchConditions`: CEL over `request` (a SubjectAccessReview spec);
    /// the webhook is asked only when all are true.
    pub match_conditions: Vec<Expression>,
    /// `connectionInfo.kubeConfigFile`, when given.
    pub kubeconfig: Option<String>,
}

/// What kauth reads of an `AuthorizationConfiguration` file
/// (`apiserver.config.k8s.io/v1`), checked as the server checks it
/// (`pkg/apis/apiserver/validation`: `ValidateAuthorizationConfiguration`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct AuthorizationFile {
    pub authorizers: Vec<ConfiguredAuthorizer>,
}

impl AuthorizationFile {
    pub fn parse(text: &str) -> Result<AuthorizationFile, ConfigError> {
        let doc = match yaml::parse(text).map_err(|e| ConfigError::Syntax(e.to_string()))? {
            Some(node) => yaml::to_json(&node),
            None => Value::Null,
        };
        if doc["kind"] != "AuthorizationConfiguration" {
            return Err(ConfigError::Syntax(
                "not an AuthorizationConfiguration (kind)".into(),
            ));
        }
        let bad = |at: String, reason: &str| ConfigError::Syntax(format!("{at}: {reason}"));
        let list = doc["authorizers"].as_array().cloned().unwrap_or_default();
        if list.is_empty() {
            return Err(bad(
                "authorizers".into(),
                "Required value: at least one authorizer",
            ));
        }
        let mut authorizers: Vec<ConfiguredAuthorizer> = Vec::new();
        for (i, a) in list.iter().enumerate() {
            let at = |f: &str| format!("authorizers[{i}].{f}");
            let kind = a["type"].as_str().unwrap_or_default().to_string();
            if !MODES.contains(&kind.as_str()) {
                return Err(bad(
                    at("type"),
                    &format!(
                        "Unsupported value: {kind:?}: supported values: {}",
                        MODES.join(", ")
                    ),
                ));
            }
            if kind != "Webhook" && authorizers.iter().any(|b| b.kind == kind) {
                return Err(bad(at("type"), &format!("Duplicate value: {kind:?}")));
            }
            let name = a["name"].as_str().unwrap_or_default().to_string();
            let dns_label = !name.is_empty()
                && name.len() <= 63
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !name.starts_with('-')
                && !name.ends_with('-');
            if !dns_label {
                return Err(bad(
                    at("name"),
                    &format!("Invalid value: {name:?}: must be a DNS-1123 label"),
                ));
            }
            if authorizers.iter().any(|b| b.name == name) {
                return Err(bad(at("name"), &format!("Duplicate value: {name:?}")));
            }
            let w = &a["webhook"];
            let webhook = match (kind.as_str(), w.is_object()) {
                ("Webhook", false) => {
                    return Err(bad(at("webhook"), "Required value"));
                }
                ("Webhook", true) => {
                    let deny_on_error = match w["failurePolicy"].as_str() {
                        Some("Deny") => true,
                        Some("NoOpinion") => false,
                        other => {
                            return Err(bad(
                                at("webhook.failurePolicy"),
                                &format!(
                                    "Unsupported value: {:?}: supported values: \"NoOpinion\", \"Deny\"",
                                    other.unwrap_or("")
                                ),
                            ));
                        }
                    };
                    let mut match_conditions = Vec::new();
                    for (j, c) in w["matchConditions"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .enumerate()
                    {
                        let source = c["expression"].as_str().unwrap_or_default();
                        let e = crate::cel::compile(source).map_err(|e| {
                            bad(
                                at(&format!("webhook.matchConditions[{j}].expression")),
                                &e.to_string(),
                            )
                        })?;
                        match_conditions.push(e);
                    }
                    let connection = &w["connectionInfo"];
                    match connection["type"].as_str() {
                        Some("InClusterConfig") => {}
                        Some("KubeConfigFile") => match connection["kubeConfigFile"].as_str() {
                            Some(p) if p.starts_with('/') => {}
                            Some(_) => {
                                return Err(bad(
                                    at("webhook.connectionInfo.kubeConfigFile"),
                                    "Invalid value: must be an absolute path",
                                ));
                            }
                            None => {
                                return Err(bad(
                                    at("webhook.connectionInfo.kubeConfigFile"),
                                    "Required value",
                                ));
                            }
                        },
                        other => {
                            return Err(bad(
                                at("webhook.connectionInfo.type"),
                                &format!(
                                    "Unsupported value: {:?}: supported values: \"InClusterConfig\", \"KubeConfigFile\"",
                                    other.unwrap_or("")
                                ),
                            ));
                        }
                    }
                    Some(WebhookAuthorizer {
                        deny_on_error,
                        match_conditions,
                        kubeconfig: w["connectionInfo"]["kubeConfigFile"]
                            .as_str()
                            .map(str::to_string),
                    })
                }
                (_, true) => {
                    return Err(bad(
                        at("webhook"),
                        "Invalid value: non-null webhook config is only allowed for the Webhook type",
                    ));
                }
                (_, false) => None,
            };
            authorizers.push(ConfiguredAuthorizer {
                kind,
                name,
                webhook,
            });
        }
        Ok(AuthorizationFile { authorizers })
    }
}

/// Everything the server's flags say about authentication and
/// authorization, file paths as host paths.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Settings {
    pub client_ca_file: Option<String>,
    pub token_auth_file: Option<String>,
    pub service_account_key_files: Vec<String>,
    pub service_account_issuers: Vec<String>,
    pub api_audiences: Vec<String>,
    pub service_account_lookup: bool,
    pub bootstrap_token_auth: bool,
    pub request_header: Option<RequestHeader>,
    pub oidc: Option<Oidc>,
    pub authentication_config: Option<String>,
    /// What `authentication_config` holds, once read (by the caller).
    pub authentication_file: Option<AuthenticationFile>,
    pub token_webhook_config: Option<String>,
    pub anonymous_auth: bool,
    /// Whether `--anonymous-auth` was given (it may not be, with an
    /// anonymous section in the authentication file).
    pub anonymous_flag_set: bool,
    pub authorization_modes: Vec<String>,
    pub authorization_config: Option<String>,
    /// What `authorization_config` holds, once read (by the caller).
    pub authorization_file: Option<AuthorizationFile>,
    pub authorization_policy_file: Option<String>,
    pub authorization_webhook_config: Option<String>,
}

/// The authorization modes kube-apiserver knows.
pub const MODES: &[&str] = &[
    "AlwaysAllow",
    "AlwaysDeny",
    "ABAC",
    "Webhook",
    "RBAC",
    "Node",
];

impl Settings {
    pub fn from_flags(flags: &Flags, paths: &PathMap) -> Result<Settings, ConfigError> {
        let file = |name: &str| {
            flags
                .get(name)
                .filter(|v| !v.is_empty())
                .map(|p| paths.host_path(p))
        };
        let files = |name: &str| -> Vec<String> {
            flags.all(name).iter().map(|p| paths.host_path(p)).collect()
        };
        let issuers = flags.all("service-account-issuer");
        let mut api_audiences = flags.list("api-audiences");
        if api_audiences.is_empty()
            && let Some(first) = issuers.first()
        {
            // The server's default: the first issuer is the audience.
            api_audiences.push(first.clone());
        }
        let request_header = file("requestheader-client-ca-file").map(|ca| RequestHeader {
            client_ca_file: ca,
            allowed_names: flags.list("requestheader-allowed-names"),
            username_headers: flags.list("requestheader-username-headers"),
            uid_headers: flags.list("requestheader-uid-headers"),
            group_headers: flags.list("requestheader-group-headers"),
            extra_headers_prefix: flags.list("requestheader-extra-headers-prefix"),
        });
        let oidc = match (flags.get("oidc-issuer-url"), flags.get("oidc-client-id")) {
            (Some(url), Some(id)) if !url.is_empty() && !id.is_empty() => Some(Oidc {
                issuer_url: url.to_string(),
                client_id: id.to_string(),
                ca_file: file("oidc-ca-file"),
                username_claim: flags
                    .get("oidc-username-claim")
                    .unwrap_or("sub")
                    .to_string(),
                username_prefix: flags.get("oidc-username-prefix").map(str::to_string),
                groups_claim: flags.get("oidc-groups-claim").map(str::to_string),
                groups_prefix: flags.get("oidc-groups-prefix").map(str::to_string),
                signing_algs: match flags.list("oidc-signing-algs") {
                    l if l.is_empty() => vec!["RS256".to_string()],
                    l => l,
                },
                required_claims: flags
                    .list("oidc-required-claim")
                    .iter()
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            }),
            _ => None,
        };
        let authentication_config = file("authentication-config");
        if authentication_config.is_some()
            && (oidc.is_some() || flags.get("oidc-issuer-url").is_some())
        {
            return Err(ConfigError::Flag {
                flag: "authentication-config".into(),
                reason: "cannot be used together with the --oidc-* flags".into(),
            });
        }
        let authorization_config = file("authorization-config");
        let explicit_modes = flags.list("authorization-mode");
        if authorization_config.is_some() && !explicit_modes.is_empty() {
            return Err(ConfigError::Flag {
                flag: "authorization-config".into(),
                reason: "cannot be used together with --authorization-mode".into(),
            });
        }
        let authorization_modes = if explicit_modes.is_empty() && authorization_config.is_none() {
            vec!["AlwaysAllow".to_string()]
        } else {
            explicit_modes
        };
        let mut seen = Vec::new();
        for mode in &authorization_modes {
            if !MODES.contains(&mode.as_str()) {
                return Err(ConfigError::Flag {
                    flag: "authorization-mode".into(),
                    reason: format!(
                        "authorization mode {mode:?} is not one of {}",
                        MODES.join(", ")
                    ),
                });
            }
            if seen.contains(mode) {
                return Err(ConfigError::Flag {
                    flag: "authorization-mode".into(),
                    reason: format!("authorization mode {mode:?} is given twice"),
                });
            }
            seen.push(mode.clone());
        }
        let settings = Settings {
            client_ca_file: file("client-ca-file"),
            token_auth_file: file("token-auth-file"),
            service_account_key_files: files("service-account-key-file"),
            service_account_issuers: issuers,
            api_audiences,
            service_account_lookup: flags.bool("service-account-lookup", true)?,
            bootstrap_token_auth: flags.bool("enable-bootstrap-token-auth", false)?,
            request_header,
            oidc,
            authentication_config,
            authentication_file: None,
            token_webhook_config: file("authentication-token-webhook-config-file"),
            anonymous_auth: flags.bool("anonymous-auth", true)?,
            anonymous_flag_set: flags.get("anonymous-auth").is_some(),
            authorization_modes,
            authorization_config,
            authorization_file: None,
            authorization_policy_file: file("authorization-policy-file"),
            authorization_webhook_config: file("authorization-webhook-config-file"),
        };
        for (mode, needs, flag) in [
            (
                "ABAC",
                &settings.authorization_policy_file,
                "authorization-policy-file",
            ),
            (
                "Webhook",
                &settings.authorization_webhook_config,
                "authorization-webhook-config-file",
            ),
        ] {
            if settings.authorization_modes.iter().any(|m| m == mode) && needs.is_none() {
                return Err(ConfigError::Flag {
                    flag: "authorization-mode".into(),
                    reason: format!("authorization mode {mode} needs --{flag}"),
                });
            }
        }
        Ok(settings)
    }

    /// Takes in the authentication file's content.
    pub fn with_authentication_file(
        mut self,
        file: AuthenticationFile,
    ) -> Result<Settings, ConfigError> {
        if let Some((enabled, _)) = &file.anonymous {
            if self.anonymous_flag_set {
                return Err(ConfigError::Flag {
                    flag: "anonymous-auth".into(),
                    reason: "cannot be given when the authentication configuration file sets `anonymous`".into(),
                });
            }
            self.anonymous_auth = *enabled;
        }
        self.authentication_file = Some(file);
        Ok(self)
    }

    /// Takes in the authorization file's content: its authorizers become
    /// the modes, in its order.
    pub fn with_authorization_file(mut self, file: AuthorizationFile) -> Settings {
        self.authorization_modes = file.authorizers.iter().map(|a| a.kind.clone()).collect();
        self.authorization_file = Some(file);
        self
    }

    /// Whether a request with no credential to `path` (query included or
    /// not) is let through as `system:anonymous`: anonymous requests on,
    /// and, where the authentication file lists path conditions, the path
    /// one of them exactly (upstream: `anonymous.NewAuthenticator` with
    /// conditions, matched on the URL path alone).
    pub fn anonymous_allowed(&self, path: &str) -> bool {
        if !self.anonymous_auth {
            return false;
        }
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        match self
            .authentication_file
            .as_ref()
            .and_then(|f| f.anonymous.as_ref())
        {
            Some((_, conditions)) if !conditions.is_empty() => conditions.iter().any(|c| c == path),
            _ => true,
        }
    }

    /// Every file the settings name, with the flag that names it.
    pub fn files(&self) -> Vec<(&'static str, &str)> {
        let mut out: Vec<(&'static str, &str)> = [
            ("client-ca-file", &self.client_ca_file),
            ("token-auth-file", &self.token_auth_file),
            ("authentication-config", &self.authentication_config),
            (
                "authentication-token-webhook-config-file",
                &self.token_webhook_config,
            ),
            ("authorization-config", &self.authorization_config),
            ("authorization-policy-file", &self.authorization_policy_file),
            (
                "authorization-webhook-config-file",
                &self.authorization_webhook_config,
            ),
        ]
        .into_iter()
        .filter_map(|(flag, v)| v.as_deref().map(|p| (flag, p)))
        .collect();
        if let Some(rh) = &self.request_header {
            out.push(("requestheader-client-ca-file", rh.client_ca_file.as_str()));
        }
        if let Some(ca) = self.oidc.as_ref().and_then(|o| o.ca_file.as_deref()) {
            out.push(("oidc-ca-file", ca));
        }
        for k in &self.service_account_key_files {
            out.push(("service-account-key-file", k.as_str()));
        }
        out
    }

    /// The chain the server builds, in its order.
    pub fn chain(&self) -> Chain {
        let mut authn = Vec::new();
        if let Some(rh) = &self.request_header {
            let mut s = vec![format!("client CA {}", rh.client_ca_file)];
            if !rh.allowed_names.is_empty() {
                s.push(format!("allowed names {}", rh.allowed_names.join(", ")));
            }
            for (what, list) in [
                ("user", &rh.username_headers),
                ("uid", &rh.uid_headers),
                ("groups", &rh.group_headers),
                ("extra", &rh.extra_headers_prefix),
            ] {
                if !list.is_empty() {
                    s.push(format!("{what} {}", list.join(", ")));
                }
            }
            authn.push(Step::new(
                "request-header",
                "front proxy: the user in the request's headers",
                s,
            ));
        }
        if let Some(ca) = &self.client_ca_file {
            authn.push(Step::new(
                "x509",
                "client certificates: CN the user, O the groups",
                vec![format!("client CA {ca}")],
            ));
        }
        if let Some(f) = &self.token_auth_file {
            authn.push(Step::new(
                "token-file",
                "static bearer tokens",
                vec![f.clone()],
            ));
        }
        if !self.service_account_key_files.is_empty() {
            let mut s = vec![format!(
                "keys {}",
                self.service_account_key_files.join(", ")
            )];
            if !self.service_account_issuers.is_empty() {
                s.push(format!(
                    "issuers {}",
                    self.service_account_issuers.join(", ")
                ));
            }
            if !self.api_audiences.is_empty() {
                s.push(format!("audiences {}", self.api_audiences.join(", ")));
            }
            s.push(format!("lookup {}", self.service_account_lookup));
            authn.push(Step::new(
                "service-account",
                "ServiceAccount tokens (JWTs)",
                s,
            ));
        }
        if self.bootstrap_token_auth {
            authn.push(Step::new(
                "bootstrap-token",
                "bootstrap tokens: bootstrap-token-<id> Secrets in kube-system",
                vec![],
            ));
        }
        if let Some(o) = &self.oidc {
            authn.push(Step::new(
                "oidc",
                "OpenID Connect ID tokens (--oidc-* flags)",
                o.to_jwt().describe(),
            ));
        }
        if let Some(f) = &self.authentication_config {
            match &self.authentication_file {
                Some(file) => {
                    for a in &file.authenticators {
                        authn.push(Step::new(
                            "jwt",
                            "a JWT authenticator of the authentication configuration",
                            a.describe(),
                        ));
                    }
                }
                None => authn.push(Step::new(
                    "authentication-config",
                    "JWT authenticators and anonymous conditions from AuthenticationConfiguration",
                    vec![f.clone()],
                )),
            }
        }
        if let Some(f) = &self.token_webhook_config {
            authn.push(Step::new(
                "webhook",
                "a remote token review service: its answers cannot be known offline",
                vec![f.clone()],
            ));
        }
        if self.anonymous_auth {
            let paths = self
                .authentication_file
                .as_ref()
                .and_then(|f| f.anonymous.as_ref())
                .map(|(_, paths)| paths.clone())
                .unwrap_or_default();
            let settings = if paths.is_empty() {
                vec![]
            } else {
                vec![format!("only for the paths {}", paths.join(", "))]
            };
            authn.push(Step::new(
                "anonymous",
                "a request with no credential is system:anonymous in system:unauthenticated",
                settings,
            ));
        }
        let mut authz = vec![Step::new(
            "system:masters",
            "every request from a member of system:masters is allowed",
            vec![],
        )];
        let configured: Vec<(String, Option<&ConfiguredAuthorizer>)> =
            match &self.authorization_file {
                Some(f) => f
                    .authorizers
                    .iter()
                    .map(|a| (a.kind.clone(), Some(a)))
                    .collect(),
                None => self
                    .authorization_modes
                    .iter()
                    .map(|m| (m.clone(), None))
                    .collect(),
            };
        for (mode, entry) in configured {
            let mut step = match mode.as_str() {
                "AlwaysAllow" => Step::new("AlwaysAllow", "allows every request", vec![]),
                "AlwaysDeny" => Step::new("AlwaysDeny", "denies every request", vec![]),
                "Node" => Step::new(
                    "Node",
                    "kubelets (system:node:<name> in system:nodes) reach what their pods use",
                    vec![],
                ),
                "RBAC" => Step::new("RBAC", "Roles, ClusterRoles and their bindings", vec![]),
                "ABAC" => Step::new(
                    "ABAC",
                    "policy lines",
                    self.authorization_policy_file.iter().cloned().collect(),
                ),
                _ => Step::new(
                    "Webhook",
                    "a remote SubjectAccessReview service: its answers cannot be known offline",
                    self.authorization_webhook_config.iter().cloned().collect(),
                ),
            };
            if let Some(a) = entry {
                step.settings.insert(0, format!("name {}", a.name));
                if let Some(w) = &a.webhook {
                    if let Some(k) = &w.kubeconfig {
                        step.settings.push(k.clone());
                    }
                    step.settings.push(format!(
                        "failure policy {}",
                        if w.deny_on_error { "Deny" } else { "NoOpinion" }
                    ));
                    for c in &w.match_conditions {
                        step.settings.push(format!("asked only if {}", c.source));
                    }
                }
            }
            authz.push(step);
        }
        Chain {
            authentication: authn,
            authorization: authz,
        }
    }
}

/// One authenticator or authorizer of the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Step {
    pub name: String,
    pub what: String,
    pub settings: Vec<String>,
}

impl Step {
    fn new(name: &str, what: &str, settings: Vec<String>) -> Step {
        Step {
            name: name.to_string(),
            what: what.to_string(),
            settings,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Chain {
    pub authentication: Vec<Step>,
    pub authorization: Vec<Step>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn flags_parse_as_pflag_parses_them() {
        let f = Flags::parse(&words(
            "kube-apiserver --anonymous-auth --authorization-mode Node,RBAC --service-account-issuer=a --service-account-issuer b --api-audiences=x,y -v=2",
        ))
        .unwrap();
        assert_eq!(f.get("anonymous-auth"), Some("true"));
        assert_eq!(f.list("authorization-mode"), ["Node", "RBAC"]);
        assert_eq!(f.all("service-account-issuer"), ["a", "b"]);
        assert_eq!(f.list("api-audiences"), ["x", "y"]);
        assert_eq!(f.get("v"), Some("2"));
        let err = Flags::parse(&words("--client-ca-file")).unwrap_err();
        assert_eq!(err.to_string(), "`--client-ca-file`: needs a value");
        assert!(Flags::parse(&words("kube-apiserver stray")).is_err());
    }

    #[test]
    fn a_flags_file_takes_comments_quotes_and_continuations() {
        let f = Flags::parse_text(
            "# kube-apiserver flags\nKUBE_APISERVER \\\n  --client-ca-file='/etc/k8s/ca.crt' \\\n  --token-auth-file \"/etc/k8s/tokens file.csv\"  # static\n",
        )
        .unwrap();
        assert_eq!(f.get("client-ca-file"), Some("/etc/k8s/ca.crt"));
        assert_eq!(f.get("token-auth-file"), Some("/etc/k8s/tokens file.csv"));
        assert!(Flags::parse_text("--a='open").is_err());
        let env = Flags::parse_text("# /etc/default/kube-apiserver\nKUBE_APISERVER_ARGS=\"\\\n  --authorization-mode=RBAC \\\n  --anonymous-auth=false\"\n").unwrap();
        assert_eq!(env.list("authorization-mode"), ["RBAC"]);
        assert_eq!(env.get("anonymous-auth"), Some("false"));
        assert!(Flags::parse_text("# nothing here\n").is_err());
    }

    #[test]
    fn defaults_are_the_servers() {
        let s = Settings::from_flags(&Flags::default(), &PathMap::default()).unwrap();
        assert_eq!(s.authorization_modes, ["AlwaysAllow"]);
        assert!(s.anonymous_auth && s.service_account_lookup && !s.bootstrap_token_auth);
        let f = Flags::parse(&words(
            "--service-account-issuer=https://i --service-account-issuer=https://j",
        ))
        .unwrap();
        let s = Settings::from_flags(&f, &PathMap::default()).unwrap();
        assert_eq!(s.api_audiences, ["https://i"]);
    }

    #[test]
    fn contradictory_flags_are_refused() {
        for (args, want) in [
            (
                "--authorization-mode=RBAC,Magic",
                "authorization mode \"Magic\" is not one of",
            ),
            ("--authorization-mode=RBAC,RBAC", "given twice"),
            (
                "--authorization-mode=ABAC",
                "needs --authorization-policy-file",
            ),
            (
                "--authorization-mode=RBAC --authorization-config=a.yaml",
                "cannot be used together",
            ),
            (
                "--authentication-config=a.yaml --oidc-issuer-url=https://i --oidc-client-id=k",
                "--oidc-*",
            ),
            ("--anonymous-auth=maybe", "invalid syntax"),
        ] {
            let f = Flags::parse(&words(args)).unwrap();
            let err = Settings::from_flags(&f, &PathMap::default()).unwrap_err();
            assert!(err.to_string().contains(want), "{args}: {err}");
        }
    }

    #[test]
    fn manifest_paths_map_to_host_paths() {
        let manifest = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    command:\n    - kube-apiserver\n    - --client-ca-file=/etc/kubernetes/pki/ca.crt\n    - --token-auth-file=/srv/auth/tokens.csv\n    volumeMounts:\n    - name: k8s-certs\n      mountPath: /etc/kubernetes/pki\n    - name: auth\n      mountPath: /srv/auth\n  volumes:\n  - name: k8s-certs\n    hostPath: {path: /etc/kubernetes/pki}\n  - name: auth\n    hostPath: {path: /var/lib/auth}\n";
        let (flags, paths) = from_file_text(manifest).unwrap();
        let s = Settings::from_flags(&flags, &paths).unwrap();
        assert_eq!(
            s.client_ca_file.as_deref(),
            Some("/etc/kubernetes/pki/ca.crt")
        );
        assert_eq!(
            s.token_auth_file.as_deref(),
            Some("/var/lib/auth/tokens.csv")
        );
        assert_eq!(paths.host_path("/srv/authx/a"), "/srv/authx/a");
    }

    // The recorded server's answers (tests/fixtures/apiserver/chain/
    // jwt-authn-config): conditions match the exact path only.
    #[test]
    fn anonymous_conditions_match_the_exact_path() {
        let file = AuthenticationFile::parse(
            "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\nanonymous:\n  enabled: true\n  conditions:\n  - path: /livez\n  - path: /readyz\n",
        )
        .unwrap();
        let s = Settings::from_flags(&Flags::default(), &PathMap::default())
            .unwrap()
            .with_authentication_file(file)
            .unwrap();
        for (path, allowed) in [
            ("/livez", true),
            ("/readyz?verbose", true),
            ("/livez/ping", false),
            ("/livez/", false),
            ("/LIVEZ", false),
            ("/api", false),
        ] {
            assert_eq!(s.anonymous_allowed(path), allowed, "{path}");
        }
        let both = Flags::parse(&words("--anonymous-auth=true")).unwrap();
        let file = AuthenticationFile::parse(
            "kind: AuthenticationConfiguration\nanonymous: {enabled: false}\n",
        )
        .unwrap();
        let err = Settings::from_flags(&both, &PathMap::default())
            .unwrap()
            .with_authentication_file(file)
            .unwrap_err();
        assert!(err.to_string().contains("cannot be given"), "{err}");
    }

    #[test]
    fn the_chain_is_in_the_servers_order() {
        let f = Flags::parse(&words(
            "--requestheader-client-ca-file=/p/front.crt --client-ca-file=/p/ca.crt --token-auth-file=/t.csv --service-account-key-file=/sa.pub --enable-bootstrap-token-auth --authentication-token-webhook-config-file=/w.yaml --authorization-mode=Node,RBAC",
        ))
        .unwrap();
        let chain = Settings::from_flags(&f, &PathMap::default())
            .unwrap()
            .chain();
        let names = |steps: &[Step]| steps.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&chain.authentication),
            [
                "request-header",
                "x509",
                "token-file",
                "service-account",
                "bootstrap-token",
                "webhook",
                "anonymous"
            ]
        );
        assert_eq!(
            names(&chain.authorization),
            ["system:masters", "Node", "RBAC"]
        );
    }

    /// What the server refuses in an `AuthorizationConfiguration`
    /// (upstream's `TestValidateAuthorizationConfiguration`, in part).
    #[test]
    fn authorization_files_the_server_refuses() {
        let head = "apiVersion: apiserver.config.k8s.io/v1\nkind: AuthorizationConfiguration\n";
        for (body, want) in [
            ("authorizers: []\n", "at least one authorizer"),
            (
                "authorizers:\n- type: Foo\n  name: foo\n",
                "Unsupported value: \"Foo\"",
            ),
            (
                "authorizers:\n- type: RBAC\n  name: a\n- type: RBAC\n  name: b\n",
                "Duplicate value: \"RBAC\"",
            ),
            (
                "authorizers:\n- type: RBAC\n  name: x\n- type: Node\n  name: x\n",
                "Duplicate value: \"x\"",
            ),
            (
                "authorizers:\n- type: RBAC\n  name: Not_A_Label\n",
                "DNS-1123",
            ),
            (
                "authorizers:\n- type: Webhook\n  name: w\n",
                "webhook: Required value",
            ),
            (
                "authorizers:\n- type: Webhook\n  name: w\n  webhook:\n    timeout: 3s\n",
                "failurePolicy: Unsupported value",
            ),
            (
                "authorizers:\n- type: RBAC\n  name: r\n  webhook:\n    failurePolicy: Deny\n",
                "only allowed for the Webhook type",
            ),
            (
                "authorizers:\n- type: Webhook\n  name: w\n  webhook:\n    failurePolicy: Deny\n    matchConditions:\n    - expression: 'request.('\n",
                "matchConditions[0].expression",
            ),
        ] {
            let err = AuthorizationFile::parse(&format!("{head}{body}"))
                .unwrap_err()
                .to_string();
            assert!(err.contains(want), "{body}: {err}");
        }
        let ok = AuthorizationFile::parse(&format!(
            "{head}authorizers:\n- type: Webhook\n  name: w\n  webhook:\n    failurePolicy: NoOpinion\n    connectionInfo:\n      type: InClusterConfig\n- type: Webhook\n  name: w2\n  webhook:\n    failurePolicy: Deny\n    connectionInfo:\n      type: InClusterConfig\n- type: RBAC\n  name: rbac\n"
        ))
        .unwrap();
        let kinds: Vec<&str> = ok.authorizers.iter().map(|a| a.kind.as_str()).collect();
        assert_eq!(kinds, ["Webhook", "Webhook", "RBAC"]);
    }
}
