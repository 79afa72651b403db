//! Pure edits behind the `kubectl config set-*` commands and `set`/`unset`.
//!
//! Each edit takes what the user provided (`Some` when a flag was given,
//! even empty, like kubectl's `cliflag.StringFlag`) and returns the changed
//! entry. Paths are already absolute and files already read by the caller.
//!
//! Upstream: `staging/src/k8s.io/kubectl/pkg/cmd/config/set_cluster.go`,
//! `set_credentials.go`, `set_context.go`, `set.go`, `unset.go`,
//! `navigation_step_parser.go`.

use super::model::{AuthInfo, AuthProvider, Cluster, Config, Context, ExecConfig, ExecEnvVar};

#[derive(Debug, Default, Clone)]
pub struct ClusterEdit {
    pub server: Option<String>,
    pub tls_server_name: Option<String>,
    pub insecure_skip_tls_verify: Option<bool>,
    /// The absolute path, or with `embed` the file's bytes.
    pub certificate_authority: Option<String>,
    pub embedded_ca: Option<Vec<u8>>,
    pub proxy_url: Option<String>,
}

pub fn modify_cluster(mut c: Cluster, e: &ClusterEdit) -> Cluster {
    if let Some(server) = &e.server {
        c.server = server.clone();
        // A new server makes an old TLS server name meaningless.
        c.tls_server_name.clear();
    }
    if let Some(name) = &e.tls_server_name {
        c.tls_server_name = name.clone();
    }
    // kubectl 1.32 sets the flag's value on every `set-cluster` of an
    // entry: without `--insecure-skip-tls-verify` an insecure cluster
    // becomes secure again.
    let insecure = e.insecure_skip_tls_verify.unwrap_or(false);
    c.insecure_skip_tls_verify = insecure;
    // Insecure mode clears any certificate authority.
    if insecure {
        c.certificate_authority.clear();
        c.certificate_authority_data.clear();
    }
    if let Some(data) = &e.embedded_ca {
        c.certificate_authority_data = data.clone();
        c.insecure_skip_tls_verify = false;
        c.certificate_authority.clear();
    } else if let Some(path) = &e.certificate_authority {
        c.certificate_authority = path.clone();
        c.insecure_skip_tls_verify = false;
        c.certificate_authority_data.clear();
    }
    if let Some(proxy) = &e.proxy_url {
        c.proxy_url = proxy.clone();
    }
    c
}

/// A `set-credentials` change. File fields hold an absolute path, or with
/// `--embed-certs` the file's bytes (empty when it could not be read, as
/// kubectl does).
#[derive(Debug, Default, Clone)]
pub struct CredentialsEdit {
    pub client_certificate: Option<FileValue>,
    pub client_key: Option<FileValue>,
    pub token: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub auth_provider: Option<String>,
    pub auth_provider_args: Vec<(String, String)>,
    pub auth_provider_args_to_remove: Vec<String>,
    pub exec_command: Option<String>,
    pub exec_api_version: Option<String>,
    pub exec_args: Option<Vec<String>>,
    pub exec_interactive_mode: Option<String>,
    pub exec_provide_cluster_info: Option<bool>,
    /// `Some` when any `--exec-env` was given.
    pub exec_env: Option<Vec<(String, String)>>,
    pub exec_env_to_remove: Vec<String>,
}

#[derive(Debug, Clone)]
pub enum FileValue {
    Path(String),
    Embedded(Vec<u8>),
}

pub fn modify_auth_info(mut a: AuthInfo, e: &CredentialsEdit) -> AuthInfo {
    match &e.client_certificate {
        Some(FileValue::Embedded(data)) => {
            a.client_certificate_data = data.clone();
            a.client_certificate.clear();
        }
        Some(FileValue::Path(path)) => {
            a.client_certificate = path.clone();
            if !path.is_empty() {
                a.client_certificate_data.clear();
            }
        }
        None => {}
    }
    match &e.client_key {
        Some(FileValue::Embedded(data)) => {
            a.client_key_data = data.clone();
            a.client_key.clear();
        }
        Some(FileValue::Path(path)) => {
            a.client_key = path.clone();
            if !path.is_empty() {
                a.client_key_data.clear();
            }
        }
        None => {}
    }
    let mut set_token = false;
    let mut set_basic = false;
    if let Some(token) = &e.token {
        a.token = token.clone();
        set_token = !token.is_empty();
    }
    if let Some(username) = &e.username {
        a.username = username.clone();
        set_basic |= !username.is_empty();
    }
    if let Some(password) = &e.password {
        a.password = password.clone();
        set_basic |= !password.is_empty();
    }
    if let Some(name) = &e.auth_provider
        && a.auth_provider.as_ref().is_none_or(|p| &p.name != name)
    {
        a.auth_provider = Some(AuthProvider {
            name: name.clone(),
            config: None,
        });
    }
    if let Some(provider) = a.auth_provider.as_mut() {
        let config = provider.config.get_or_insert_with(Default::default);
        for key in &e.auth_provider_args_to_remove {
            config.remove(key);
        }
        for (key, value) in &e.auth_provider_args {
            config.insert(key.clone(), value.clone());
        }
    }
    if let Some(command) = &e.exec_command {
        match a.exec.as_mut() {
            None => {
                a.exec = Some(ExecConfig {
                    command: command.clone(),
                    ..ExecConfig::default()
                });
            }
            Some(exec) => {
                exec.command = command.clone();
                exec.args = None;
            }
        }
    }
    if let Some(exec) = a.exec.as_mut() {
        if let Some(version) = &e.exec_api_version {
            exec.api_version = version.clone();
        }
        if let Some(args) = &e.exec_args {
            exec.args = Some(args.clone());
        }
        if let Some(mode) = &e.exec_interactive_mode {
            exec.interactive_mode = mode.clone();
        }
        if let Some(provide) = e.exec_provide_cluster_info {
            exec.provide_cluster_info = provide;
        }
        if let Some(new_env) = &e.exec_env {
            let mut env: Vec<ExecEnvVar> = exec
                .env
                .take()
                .unwrap_or_default()
                .into_iter()
                .filter(|v| !e.exec_env_to_remove.contains(&v.name))
                .collect();
            for (name, value) in new_env {
                match env.iter_mut().find(|v| &v.name == name) {
                    Some(existing) => existing.value = value.clone(),
                    None => env.push(ExecEnvVar {
                        name: name.clone(),
                        value: value.clone(),
                    }),
                }
            }
            exec.env = Some(env);
        }
    }
    // Token and basic auth exclude each other: setting one clears the other.
    if set_token || set_basic {
        if !set_token {
            a.token.clear();
        }
        if !set_basic {
            a.username.clear();
            a.password.clear();
        }
    }
    a
}

#[derive(Debug, Default, Clone)]
pub struct ContextEdit {
    pub cluster: Option<String>,
    pub user: Option<String>,
    pub namespace: Option<String>,
}

pub fn modify_context(mut c: Context, e: &ContextEdit) -> Context {
    if let Some(cluster) = &e.cluster {
        c.cluster = cluster.clone();
    }
    if let Some(user) = &e.user {
        c.auth_info = user.clone();
    }
    if let Some(namespace) = &e.namespace {
        c.namespace = namespace.clone();
    }
    c
}

/// Pairs to add (`key=value`) and keys to remove (`key-`).
pub type PairEdits = (Vec<(String, String)>, Vec<String>);

/// kubectl's `ParsePairs`: `key=value` adds, `key-` removes.
pub fn parse_pairs(args: &[String], flag: &str) -> Result<PairEdits, String> {
    let mut add = Vec::new();
    let mut remove = Vec::new();
    let mut invalid = Vec::new();
    for arg in args {
        if let Some((k, v)) = arg.split_once('=') {
            add.retain(|(key, _): &(String, String)| key != k);
            add.push((k.to_string(), v.to_string()));
        } else if let Some(k) = arg.strip_suffix('-') {
            remove.push(k.to_string());
        } else {
            invalid.push(arg.as_str());
        }
    }
    if !invalid.is_empty() {
        return Err(format!("invalid {flag} format: {}", invalid.join(", ")));
    }
    Ok((add, remove))
}

// ---------------------------------------------------------------------------
// `kubectl config set` and `unset`: dotted property paths over the internal
// types' JSON names (note `act-as`, the internal name of `as`).

#[derive(Debug, Clone, Copy, PartialEq)]
enum Ty {
    Config,
    Preferences,
    Cluster,
    AuthInfo,
    Context,
    Str,
    Bool,
    Bytes,
    StrSlice,
    ClusterMap,
    UserMap,
    ContextMap,
    ExtensionMap,
    UserExtraMap,
    Pointer,
}

impl Ty {
    /// The Go type kubectl names in its parse errors.
    fn go_name(self) -> &'static str {
        match self {
            Ty::Config => "api.Config",
            Ty::Preferences => "api.Preferences",
            Ty::Cluster => "api.Cluster",
            Ty::AuthInfo => "api.AuthInfo",
            Ty::Context => "api.Context",
            Ty::Str => "string",
            Ty::Bool => "bool",
            Ty::Bytes => "[]uint8",
            Ty::StrSlice => "[]string",
            Ty::ClusterMap => "map[string]*api.Cluster",
            Ty::UserMap => "map[string]*api.AuthInfo",
            Ty::ContextMap => "map[string]*api.Context",
            Ty::ExtensionMap => "map[string]runtime.Object",
            Ty::UserExtraMap => "map[string][]string",
            Ty::Pointer => "pointer",
        }
    }
}

fn fields(ty: Ty) -> &'static [(&'static str, Ty)] {
    use Ty::*;
    match ty {
        Config => &[
            ("kind", Str),
            ("apiVersion", Str),
            ("preferences", Preferences),
            ("clusters", ClusterMap),
            ("users", UserMap),
            ("contexts", ContextMap),
            ("current-context", Str),
            ("extensions", ExtensionMap),
        ],
        Preferences => &[("colors", Bool), ("extensions", ExtensionMap)],
        Cluster => &[
            ("-", Str),
            ("server", Str),
            ("tls-server-name", Str),
            ("insecure-skip-tls-verify", Bool),
            ("certificate-authority", Str),
            ("certificate-authority-data", Bytes),
            ("proxy-url", Str),
            ("disable-compression", Bool),
            ("extensions", ExtensionMap),
        ],
        AuthInfo => &[
            ("-", Str),
            ("client-certificate", Str),
            ("client-certificate-data", Bytes),
            ("client-key", Str),
            ("client-key-data", Bytes),
            ("token", Str),
            ("tokenFile", Str),
            ("act-as", Str),
            ("act-as-uid", Str),
            ("act-as-groups", StrSlice),
            ("act-as-user-extra", UserExtraMap),
            ("username", Str),
            ("password", Str),
            ("auth-provider", Pointer),
            ("exec", Pointer),
            ("extensions", ExtensionMap),
        ],
        Context => &[
            ("-", Str),
            ("cluster", Str),
            ("user", Str),
            ("namespace", Str),
            ("extensions", ExtensionMap),
        ],
        _ => &[],
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PropertyError {
    /// kubectl prints the steps parsed so far and the Go type it was at.
    #[error("unable to parse {path} after [{steps}] at {at}")]
    Parse {
        path: String,
        steps: String,
        at: &'static str,
    },
    #[error("unable to parse one or more field values of {0}")]
    FieldValues(String),
    #[error("can't set a map to a value: map[{0}]")]
    MapValue(String),
    #[error("current map key `{0}` is invalid")]
    InvalidKey(String),
    #[error("unrecognized slice type. string")]
    Slice,
    #[error("error decoding input value: illegal base64 data at input byte {0}")]
    Base64(usize),
    #[error("strconv.ParseBool: parsing \"{0}\": invalid syntax")]
    Bool(String),
    #[error("you cannot use set to unset a property")]
    EmptyValue,
    #[error("you must specify a property")]
    EmptyProperty,
}

/// The steps of a property path: map keys may contain dots, and extend up to
/// the next part that names a field of the map's value type.
fn navigation_steps(path: &str) -> Result<Vec<(String, Ty)>, PropertyError> {
    let parts: Vec<&str> = path.split('.').collect();
    let mut steps = Vec::new();
    let mut ty = Ty::Config;
    let mut i = 0;
    while i < parts.len() {
        match ty {
            Ty::ClusterMap | Ty::UserMap | Ty::ContextMap => {
                let value_ty = match ty {
                    Ty::ClusterMap => Ty::Cluster,
                    Ty::UserMap => Ty::AuthInfo,
                    _ => Ty::Context,
                };
                let known = fields(value_ty);
                let rest = &parts[i..];
                let len = rest[1..]
                    .iter()
                    .position(|p| known.iter().any(|(n, _)| n == p))
                    .map_or(rest.len(), |pos| pos + 1);
                steps.push((rest[..len].join("."), value_ty));
                i += len;
                ty = value_ty;
            }
            Ty::Config | Ty::Preferences | Ty::Cluster | Ty::AuthInfo | Ty::Context => {
                let part = parts[i];
                let Some((_, field_ty)) = fields(ty).iter().find(|(n, _)| *n == part) else {
                    let steps = steps
                        .iter()
                        .map(|(name, ty): &(String, Ty)| format!("{{{name} {}}}", ty.go_name()))
                        .collect::<Vec<_>>()
                        .join(" ");
                    return Err(PropertyError::Parse {
                        path: path.to_string(),
                        steps,
                        at: ty.go_name(),
                    });
                };
                steps.push((part.to_string(), *field_ty));
                i += 1;
                ty = *field_ty;
            }
            // kubectl panics on extension maps; kauth refuses them cleanly.
            _ => return Err(PropertyError::FieldValues(path.to_string())),
        }
    }
    if matches!(ty, Ty::ExtensionMap | Ty::Pointer) && steps.len() < parts.len() {
        return Err(PropertyError::FieldValues(path.to_string()));
    }
    Ok(steps)
}

enum Op<'a> {
    Set { value: &'a str, raw_bytes: bool },
    Unset,
}

/// `kubectl config set PATH VALUE`.
pub fn set_property(
    config: &mut Config,
    path: &str,
    value: &str,
    raw_bytes: bool,
) -> Result<(), PropertyError> {
    if value.is_empty() {
        return Err(PropertyError::EmptyValue);
    }
    if path.is_empty() {
        return Err(PropertyError::EmptyProperty);
    }
    apply(config, path, Op::Set { value, raw_bytes })
}

/// `kubectl config unset PATH`.
pub fn unset_property(config: &mut Config, path: &str) -> Result<(), PropertyError> {
    if path.is_empty() {
        return Err(PropertyError::EmptyProperty);
    }
    apply(config, path, Op::Unset)
}

fn apply(config: &mut Config, path: &str, op: Op) -> Result<(), PropertyError> {
    let steps = navigation_steps(path)?;
    let (first, rest) = steps.split_first().ok_or(PropertyError::EmptyProperty)?;
    let unset = matches!(op, Op::Unset);
    match first.0.as_str() {
        "kind" | "apiVersion" => Ok(()),
        "current-context" => leaf_str(&mut config.current_context, &op),
        "preferences" => match rest.split_first() {
            None if unset => {
                config.preferences = Default::default();
                Ok(())
            }
            Some(((name, _), [])) if name == "colors" => {
                leaf_bool(&mut config.preferences.colors, &op)
            }
            Some(((name, _), [])) if name == "extensions" && unset => {
                config.preferences.extensions.clear();
                Ok(())
            }
            _ => Err(PropertyError::FieldValues(path.to_string())),
        },
        "extensions" if rest.is_empty() && unset => {
            config.extensions.clear();
            Ok(())
        }
        "clusters" => map_step(&mut config.clusters, rest, &op, cluster_field),
        "users" => map_step(&mut config.auth_infos, rest, &op, auth_info_field),
        "contexts" => map_step(&mut config.contexts, rest, &op, context_field),
        _ => Err(PropertyError::FieldValues(path.to_string())),
    }
}

fn map_step<T: Default + Clone>(
    map: &mut std::collections::BTreeMap<String, T>,
    steps: &[(String, Ty)],
    op: &Op,
    field_fn: fn(&mut T, &str, &Op) -> Result<(), PropertyError>,
) -> Result<(), PropertyError> {
    let unset = matches!(op, Op::Unset);
    let Some(((key, _), rest)) = steps.split_first() else {
        if unset {
            map.clear();
            return Ok(());
        }
        return Err(PropertyError::MapValue(String::new()));
    };
    if rest.is_empty() {
        if unset {
            map.remove(key);
            return Ok(());
        }
        return Err(PropertyError::MapValue(String::new()));
    }
    if !map.contains_key(key) {
        if unset {
            return Err(PropertyError::InvalidKey(key.clone()));
        }
        map.insert(key.clone(), T::default());
    }
    let entry = map
        .get_mut(key)
        .ok_or(PropertyError::InvalidKey(key.clone()))?;
    let (field, _) = &rest[0];
    field_fn(entry, field, op)
}

fn leaf_str(target: &mut String, op: &Op) -> Result<(), PropertyError> {
    match op {
        Op::Set { value, .. } => *target = value.to_string(),
        Op::Unset => target.clear(),
    }
    Ok(())
}

fn leaf_bool(target: &mut bool, op: &Op) -> Result<(), PropertyError> {
    match op {
        Op::Set { value, .. } => {
            *target = parse_go_bool(value).ok_or_else(|| PropertyError::Bool(value.to_string()))?
        }
        Op::Unset => *target = false,
    }
    Ok(())
}

fn leaf_bytes(target: &mut Vec<u8>, op: &Op) -> Result<(), PropertyError> {
    match op {
        Op::Set {
            value,
            raw_bytes: true,
        } => *target = value.as_bytes().to_vec(),
        Op::Set {
            value,
            raw_bytes: false,
        } => {
            *target = kauth_formats::base64::decode_std(value.as_bytes())
                .map_err(PropertyError::Base64)?;
        }
        Op::Unset => target.clear(),
    }
    Ok(())
}

/// Go's `strconv.ParseBool`.
pub fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

fn cluster_field(c: &mut Cluster, field: &str, op: &Op) -> Result<(), PropertyError> {
    match field {
        "server" => leaf_str(&mut c.server, op),
        "tls-server-name" => leaf_str(&mut c.tls_server_name, op),
        "insecure-skip-tls-verify" => leaf_bool(&mut c.insecure_skip_tls_verify, op),
        "certificate-authority" => leaf_str(&mut c.certificate_authority, op),
        "certificate-authority-data" => leaf_bytes(&mut c.certificate_authority_data, op),
        "proxy-url" => leaf_str(&mut c.proxy_url, op),
        "disable-compression" => leaf_bool(&mut c.disable_compression, op),
        "-" => leaf_str(&mut c.origin, op),
        _ => unset_extensions(&mut c.extensions, op),
    }
}

fn auth_info_field(a: &mut AuthInfo, field: &str, op: &Op) -> Result<(), PropertyError> {
    match field {
        "client-certificate" => leaf_str(&mut a.client_certificate, op),
        "client-certificate-data" => leaf_bytes(&mut a.client_certificate_data, op),
        "client-key" => leaf_str(&mut a.client_key, op),
        "client-key-data" => leaf_bytes(&mut a.client_key_data, op),
        "token" => leaf_str(&mut a.token, op),
        "tokenFile" => leaf_str(&mut a.token_file, op),
        "act-as" => leaf_str(&mut a.impersonate, op),
        "act-as-uid" => leaf_str(&mut a.impersonate_uid, op),
        "act-as-groups" => match op {
            Op::Unset => {
                a.impersonate_groups.clear();
                Ok(())
            }
            Op::Set { .. } => Err(PropertyError::Slice),
        },
        "act-as-user-extra" => match op {
            Op::Unset => {
                a.impersonate_user_extra.clear();
                Ok(())
            }
            Op::Set { .. } => Err(PropertyError::MapValue(String::new())),
        },
        "username" => leaf_str(&mut a.username, op),
        "password" => leaf_str(&mut a.password, op),
        "auth-provider" => match op {
            Op::Unset => {
                a.auth_provider = None;
                Ok(())
            }
            Op::Set { .. } => Err(PropertyError::FieldValues(field.to_string())),
        },
        "exec" => match op {
            Op::Unset => {
                a.exec = None;
                Ok(())
            }
            Op::Set { .. } => Err(PropertyError::FieldValues(field.to_string())),
        },
        "-" => leaf_str(&mut a.origin, op),
        _ => unset_extensions(&mut a.extensions, op),
    }
}

fn context_field(c: &mut Context, field: &str, op: &Op) -> Result<(), PropertyError> {
    match field {
        "cluster" => leaf_str(&mut c.cluster, op),
        "user" => leaf_str(&mut c.auth_info, op),
        "namespace" => leaf_str(&mut c.namespace, op),
        "-" => leaf_str(&mut c.origin, op),
        _ => unset_extensions(&mut c.extensions, op),
    }
}

fn unset_extensions(ext: &mut super::model::Extensions, op: &Op) -> Result<(), PropertyError> {
    match op {
        Op::Unset => {
            ext.clear();
            Ok(())
        }
        Op::Set { .. } => Err(PropertyError::MapValue(String::new())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_keys_may_contain_dots() {
        let mut c = Config::default();
        set_property(&mut c, "clusters.10.0.0.1.server", "https://x", false).unwrap();
        assert_eq!(c.clusters["10.0.0.1"].server, "https://x");
        set_property(
            &mut c,
            "clusters.10.0.0.1.insecure-skip-tls-verify",
            "t",
            false,
        )
        .unwrap();
        assert!(c.clusters["10.0.0.1"].insecure_skip_tls_verify);
    }

    #[test]
    fn set_and_unset_follow_kubectl_errors() {
        let mut c = Config::default();
        assert_eq!(
            set_property(&mut c, "contexts.x.nope", "v", false),
            Err(PropertyError::MapValue(String::new()))
        );
        assert_eq!(
            set_property(&mut c, "users.u.client-key-data", "!!", false),
            Err(PropertyError::Base64(0))
        );
        assert_eq!(
            unset_property(&mut Config::default(), "users.u.token"),
            Err(PropertyError::InvalidKey("u".into()))
        );
        set_property(&mut c, "users.u.client-key-data", "raw", true).unwrap();
        assert_eq!(c.auth_infos["u"].client_key_data, b"raw");
        assert_eq!(
            set_property(&mut c, "nope", "v", false),
            Err(PropertyError::Parse {
                path: "nope".into(),
                steps: String::new(),
                at: "api.Config"
            })
        );
    }

    #[test]
    fn set_credentials_token_clears_basic_auth() {
        let a = AuthInfo {
            username: "u".into(),
            password: "p".into(),
            ..AuthInfo::default()
        };
        let e = CredentialsEdit {
            token: Some("t".into()),
            ..CredentialsEdit::default()
        };
        let out = modify_auth_info(a, &e);
        assert_eq!((out.token.as_str(), out.username.as_str()), ("t", ""));
    }

    #[test]
    fn parse_pairs_adds_and_removes() {
        let args = vec!["a=1".to_string(), "b-".to_string()];
        let (add, remove) = parse_pairs(&args, "exec-env").unwrap();
        assert_eq!(add, vec![("a".to_string(), "1".to_string())]);
        assert_eq!(remove, vec!["b".to_string()]);
        assert!(parse_pairs(&["x".to_string()], "exec-env").is_err());
    }
}
