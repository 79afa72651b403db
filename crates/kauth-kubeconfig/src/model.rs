//! The kubeconfig model, shaped like client-go's internal `clientcmd/api`
//! types: named entries live in maps keyed by name (so they come out sorted,
//! as kubectl writes them), and each entry remembers the file it was read
//! from (`origin`, client-go's `LocationOfOrigin`).
//!
//! Upstream: `staging/src/k8s.io/client-go/tools/clientcmd/api/types.go`
//! (internal) and `api/v1/types.go` (the file format, its field names and
//! `omitempty` rules), `api/v1/conversion.go` and `api/v1/defaults.go`.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Map, Value};

use kauth_formats::yaml::{self, Node, NodeKind, Scalar};

pub type Extensions = BTreeMap<String, Value>;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    pub preferences: Preferences,
    pub clusters: BTreeMap<String, Cluster>,
    pub auth_infos: BTreeMap<String, AuthInfo>,
    pub contexts: BTreeMap<String, Context>,
    pub current_context: String,
    pub extensions: Extensions,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Preferences {
    pub colors: bool,
    pub extensions: Extensions,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cluster {
    pub origin: String,
    pub server: String,
    pub tls_server_name: String,
    pub insecure_skip_tls_verify: bool,
    pub certificate_authority: String,
    pub certificate_authority_data: Vec<u8>,
    pub proxy_url: String,
    pub disable_compression: bool,
    pub extensions: Extensions,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthInfo {
    pub origin: String,
    pub client_certificate: String,
    pub client_certificate_data: Vec<u8>,
    pub client_key: String,
    pub client_key_data: Vec<u8>,
    pub token: String,
    pub token_file: String,
    pub impersonate: String,
    pub impersonate_uid: String,
    pub impersonate_groups: Vec<String>,
    pub impersonate_user_extra: BTreeMap<String, Vec<String>>,
    pub username: String,
    pub password: String,
    pub auth_provider: Option<AuthProvider>,
    pub exec: Option<ExecConfig>,
    pub extensions: Extensions,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthProvider {
    pub name: String,
    pub config: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecConfig {
    pub command: String,
    pub args: Option<Vec<String>>,
    pub env: Option<Vec<ExecEnvVar>>,
    pub api_version: String,
    pub install_hint: String,
    pub provide_cluster_info: bool,
    pub interactive_mode: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExecEnvVar {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Context {
    pub origin: String,
    pub cluster: String,
    pub auth_info: String,
    pub namespace: String,
    pub extensions: Extensions,
}

/// Why a kubeconfig document could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    #[error(transparent)]
    Syntax(#[from] yaml::SyntaxError),
    #[error("line {line}: json: cannot unmarshal {found} into field `{field}` of type {expected}")]
    Type {
        line: usize,
        found: &'static str,
        field: String,
        expected: &'static str,
    },
    #[error("line {line}: field `{field}`: illegal base64 data at input byte {offset}")]
    Base64 {
        line: usize,
        field: String,
        offset: usize,
    },
    #[error("line {line}: duplicate name \"{name}\" in `{list}`")]
    DuplicateName {
        line: usize,
        name: String,
        list: &'static str,
    },
    #[error(
        "line {line}: no kind \"{kind}\" is registered for version \"{version}\" (a kubeconfig is kind Config, apiVersion v1)"
    )]
    Kind {
        line: usize,
        kind: String,
        version: String,
    },
}

type Result<T> = std::result::Result<T, DecodeError>;

/// Where a value sits in the document, for error messages. Built on the
/// stack as the decoder descends and formatted only when an error needs it.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Field(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl std::fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Path::Root => write!(f, "(document)"),
            Path::Field(Path::Root, name) => write!(f, "{name}"),
            Path::Field(parent, name) => write!(f, "{parent}.{name}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

impl<'a> Path<'a> {
    fn field(&'a self, name: &'a str) -> Path<'a> {
        Path::Field(self, name)
    }

    fn index(&'a self, i: usize) -> Path<'a> {
        Path::Index(self, i)
    }
}

/// Parses kubeconfig text (YAML or JSON). Empty input is an empty config,
/// as in client-go's `clientcmd.Load`. Entries get `origin` as their file.
pub fn decode(text: &str, origin: &str) -> Result<Config> {
    let Some(mut root) = yaml::parse(text)? else {
        return Ok(Config::default());
    };
    let mut config = Config::default();
    let Some(entries) = map_entries(&mut root, Path::Root, "Config")? else {
        return Ok(config);
    };
    const FIELDS: [&str; 8] = [
        "apiVersion",
        "kind",
        "preferences",
        "clusters",
        "users",
        "contexts",
        "current-context",
        "extensions",
    ];
    type_meta(entries, &FIELDS)?;
    for (key, value) in entries.iter_mut() {
        let Some(name) = field(key_str(key), &FIELDS) else {
            continue;
        };
        let path = Path::Root.field(name);
        match name {
            "apiVersion" | "kind" => {}
            "preferences" => config.preferences = preferences(value, path)?,
            "clusters" => {
                config.clusters = named_list(value, path, "cluster", |n, p| cluster(n, p, origin))?
            }
            "users" => {
                config.auth_infos = named_list(value, path, "user", |n, p| auth_info(n, p, origin))?
            }
            "contexts" => {
                config.contexts = named_list(value, path, "context", |n, p| context(n, p, origin))?
            }
            "current-context" => config.current_context = string(value, path)?,
            _ => config.extensions = extensions(value, path)?,
        }
    }
    Ok(config)
}

/// client-go reads `apiVersion` and `kind` before anything else and knows
/// one pair: `v1` and `Config` (each defaulted when empty). Any other pair
/// is refused, so a Pod manifest given as a kubeconfig is never rewritten.
fn type_meta(entries: &[(Node, Node)], fields: &[&'static str]) -> Result<()> {
    let (mut version, mut kind) = (None, None);
    for (key, value) in entries {
        match field(key_str(key), fields) {
            Some("apiVersion") => {
                version = Some((value, string_of(value, Path::Root.field("apiVersion"))?))
            }
            Some("kind") => kind = Some((value, string_of(value, Path::Root.field("kind"))?)),
            _ => {}
        }
    }
    let line = kind
        .as_ref()
        .or(version.as_ref())
        .map_or(1, |(node, _)| node.line);
    let version = version.map(|(_, v)| v).filter(|v| !v.is_empty());
    let kind = kind.map(|(_, k)| k).filter(|k| !k.is_empty());
    let version = version.unwrap_or_else(|| "v1".to_string());
    let kind = kind.unwrap_or_else(|| "Config".to_string());
    if version == "v1" && kind == "Config" {
        return Ok(());
    }
    Err(DecodeError::Kind {
        line,
        kind,
        version,
    })
}

/// A mapping key as text (`sigs.k8s.io/yaml` turns other scalars into
/// their text; only string keys can match a field).
fn key_str(key: &Node) -> &str {
    match &key.kind {
        NodeKind::Scalar(Scalar::Str(s)) => s,
        _ => "",
    }
}

fn key_name(key: &Node) -> String {
    match &key.kind {
        NodeKind::Scalar(Scalar::Str(s)) => s.clone(),
        NodeKind::Scalar(Scalar::Bool(b)) => b.to_string(),
        NodeKind::Scalar(Scalar::Int(i)) => i.to_string(),
        _ => String::new(),
    }
}

/// Matches a JSON key to a field name the way Go's `encoding/json` does:
/// exactly, or else ignoring ASCII case.
fn field(key: &str, names: &[&'static str]) -> Option<&'static str> {
    names
        .iter()
        .find(|n| **n == key)
        .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(key)))
        .copied()
}

/// A mapping's entries, for the decoder to take their values (strings
/// move into the model rather than being copied out of a tree that is
/// then dropped).
fn map_entries<'n>(
    node: &'n mut Node,
    path: Path,
    expected: &'static str,
) -> Result<Option<&'n mut [(Node, Node)]>> {
    match node.kind {
        NodeKind::Map(ref mut entries) => Ok(Some(entries)),
        NodeKind::Scalar(Scalar::Null) => Ok(None),
        ref other => Err(type_error(node, other.json_kind(), path, expected)),
    }
}

fn type_error(node: &Node, found: &'static str, path: Path, expected: &'static str) -> DecodeError {
    DecodeError::Type {
        line: node.line,
        found,
        field: path.to_string(),
        expected,
    }
}

/// A string value, taken out of the tree.
fn string(node: &mut Node, path: Path) -> Result<String> {
    match node.kind {
        NodeKind::Scalar(Scalar::Str(ref mut s)) => Ok(std::mem::take(s)),
        NodeKind::Scalar(Scalar::Null) => Ok(String::new()),
        ref other => Err(type_error(node, other.json_kind(), path, "string")),
    }
}

/// A string value, copied (where the tree is read twice).
fn string_of(node: &Node, path: Path) -> Result<String> {
    match &node.kind {
        NodeKind::Scalar(Scalar::Str(s)) => Ok(s.clone()),
        NodeKind::Scalar(Scalar::Null) => Ok(String::new()),
        other => Err(type_error(node, other.json_kind(), path, "string")),
    }
}

fn boolean(node: &Node, path: Path) -> Result<bool> {
    match &node.kind {
        NodeKind::Scalar(Scalar::Bool(b)) => Ok(*b),
        NodeKind::Scalar(Scalar::Null) => Ok(false),
        other => Err(type_error(node, other.json_kind(), path, "bool")),
    }
}

fn bytes(node: &Node, path: Path) -> Result<Vec<u8>> {
    let text = match &node.kind {
        NodeKind::Scalar(Scalar::Str(s)) => s.as_str(),
        NodeKind::Scalar(Scalar::Null) => "",
        other => return Err(type_error(node, other.json_kind(), path, "[]byte")),
    };
    kauth_formats::base64::decode_std(text.as_bytes()).map_err(|offset| DecodeError::Base64 {
        line: node.line,
        field: path.to_string(),
        offset,
    })
}

fn string_list(node: &mut Node, path: Path) -> Result<Option<Vec<String>>> {
    match node.kind {
        NodeKind::Seq(ref mut items) => items
            .iter_mut()
            .enumerate()
            .map(|(i, item)| string(item, path.index(i)))
            .collect::<Result<Vec<_>>>()
            .map(Some),
        NodeKind::Scalar(Scalar::Null) => Ok(None),
        ref other => Err(type_error(node, other.json_kind(), path, "[]string")),
    }
}

fn string_map(node: &mut Node, path: Path) -> Result<Option<BTreeMap<String, String>>> {
    let Some(entries) = map_entries(node, path, "map[string]string")? else {
        return Ok(None);
    };
    let mut out = BTreeMap::new();
    for (k, v) in entries.iter_mut() {
        let key = key_name(k);
        let value = string(v, path.field(&key))?;
        out.insert(key, value);
    }
    Ok(Some(out))
}

fn extensions(node: &mut Node, path: Path) -> Result<Extensions> {
    let mut out = Extensions::new();
    let items = match node.kind {
        NodeKind::Seq(ref mut items) => items,
        NodeKind::Scalar(Scalar::Null) => return Ok(out),
        ref other => {
            return Err(type_error(
                node,
                other.json_kind(),
                path,
                "[]NamedExtension",
            ));
        }
    };
    for (i, item) in items.iter_mut().enumerate() {
        let item_path = path.index(i);
        let Some(entries) = map_entries(item, item_path, "NamedExtension")? else {
            continue;
        };
        let mut name = String::new();
        let mut value = Value::Null;
        for (k, v) in entries.iter_mut() {
            match field(key_str(k), &["name", "extension"]) {
                Some("name") => name = string(v, item_path.field("name"))?,
                Some("extension") => value = yaml::to_json(v),
                _ => {}
            }
        }
        if out.contains_key(&name) {
            return Err(DecodeError::DuplicateName {
                line: item.line,
                name,
                list: "extensions",
            });
        }
        out.insert(name, value);
    }
    Ok(out)
}

fn named_list<T>(
    node: &mut Node,
    path: Path,
    inner: &'static str,
    decode_inner: impl Fn(Option<&mut Node>, Path) -> Result<T>,
) -> Result<BTreeMap<String, T>> {
    let list = match path {
        Path::Field(_, name) => name,
        _ => "",
    };
    let list: &'static str = match list {
        "clusters" => "clusters",
        "users" => "users",
        _ => "contexts",
    };
    let mut out = BTreeMap::new();
    let items = match node.kind {
        NodeKind::Seq(ref mut items) => items,
        NodeKind::Scalar(Scalar::Null) => return Ok(out),
        ref other => return Err(type_error(node, other.json_kind(), path, "array")),
    };
    for (i, item) in items.iter_mut().enumerate() {
        let item_path = path.index(i);
        let mut name = String::new();
        let mut body = None;
        if let Some(entries) = map_entries(item, item_path, "object")? {
            for (k, v) in entries.iter_mut() {
                match field(key_str(k), &["name", inner]) {
                    Some("name") => name = string(v, item_path.field("name"))?,
                    Some(_) => body = Some(v),
                    None => {}
                }
            }
        }
        let value = decode_inner(body, item_path.field(inner))?;
        if out.contains_key(&name) {
            return Err(DecodeError::DuplicateName {
                line: item.line,
                name,
                list,
            });
        }
        out.insert(name, value);
    }
    Ok(out)
}

fn preferences(node: &mut Node, path: Path) -> Result<Preferences> {
    let mut p = Preferences::default();
    if let Some(entries) = map_entries(node, path, "Preferences")? {
        for (k, v) in entries.iter_mut() {
            match field(key_str(k), &["colors", "extensions"]) {
                Some("colors") => p.colors = boolean(v, path.field("colors"))?,
                Some(name) => p.extensions = extensions(v, path.field(name))?,
                None => {}
            }
        }
    }
    Ok(p)
}

fn cluster(node: Option<&mut Node>, path: Path, origin: &str) -> Result<Cluster> {
    let mut c = Cluster {
        origin: origin.to_string(),
        ..Cluster::default()
    };
    let Some(entries) = node
        .map(|n| map_entries(n, path, "Cluster"))
        .transpose()?
        .flatten()
    else {
        return Ok(c);
    };
    const FIELDS: [&str; 8] = [
        "server",
        "tls-server-name",
        "insecure-skip-tls-verify",
        "certificate-authority",
        "certificate-authority-data",
        "proxy-url",
        "disable-compression",
        "extensions",
    ];
    for (k, v) in entries.iter_mut() {
        let Some(name) = field(key_str(k), &FIELDS) else {
            continue;
        };
        let p = path.field(name);
        match name {
            "server" => c.server = string(v, p)?,
            "tls-server-name" => c.tls_server_name = string(v, p)?,
            "insecure-skip-tls-verify" => c.insecure_skip_tls_verify = boolean(v, p)?,
            "certificate-authority" => c.certificate_authority = string(v, p)?,
            "certificate-authority-data" => c.certificate_authority_data = bytes(v, p)?,
            "proxy-url" => c.proxy_url = string(v, p)?,
            "disable-compression" => c.disable_compression = boolean(v, p)?,
            _ => c.extensions = extensions(v, p)?,
        }
    }
    Ok(c)
}

fn context(node: Option<&mut Node>, path: Path, origin: &str) -> Result<Context> {
    let mut c = Context {
        origin: origin.to_string(),
        ..Context::default()
    };
    let Some(entries) = node
        .map(|n| map_entries(n, path, "Context"))
        .transpose()?
        .flatten()
    else {
        return Ok(c);
    };
    for (k, v) in entries.iter_mut() {
        let Some(name) = field(key_str(k), &["cluster", "user", "namespace", "extensions"]) else {
            continue;
        };
        let p = path.field(name);
        match name {
            "cluster" => c.cluster = string(v, p)?,
            "user" => c.auth_info = string(v, p)?,
            "namespace" => c.namespace = string(v, p)?,
            _ => c.extensions = extensions(v, p)?,
        }
    }
    Ok(c)
}

const AUTH_INFO_FIELDS: [&str; 15] = [
    "client-certificate",
    "client-certificate-data",
    "client-key",
    "client-key-data",
    "token",
    "tokenFile",
    "as",
    "as-uid",
    "as-groups",
    "as-user-extra",
    "username",
    "password",
    "auth-provider",
    "exec",
    "extensions",
];

fn auth_info(node: Option<&mut Node>, path: Path, origin: &str) -> Result<AuthInfo> {
    let mut a = AuthInfo {
        origin: origin.to_string(),
        ..AuthInfo::default()
    };
    let Some(entries) = node
        .map(|n| map_entries(n, path, "AuthInfo"))
        .transpose()?
        .flatten()
    else {
        return Ok(a);
    };
    for (k, v) in entries.iter_mut() {
        let Some(name) = field(key_str(k), &AUTH_INFO_FIELDS) else {
            continue;
        };
        let p = path.field(name);
        match name {
            "client-certificate" => a.client_certificate = string(v, p)?,
            "client-certificate-data" => a.client_certificate_data = bytes(v, p)?,
            "client-key" => a.client_key = string(v, p)?,
            "client-key-data" => a.client_key_data = bytes(v, p)?,
            "token" => a.token = string(v, p)?,
            "tokenFile" => a.token_file = string(v, p)?,
            "as" => a.impersonate = string(v, p)?,
            "as-uid" => a.impersonate_uid = string(v, p)?,
            "as-groups" => a.impersonate_groups = string_list(v, p)?.unwrap_or_default(),
            "as-user-extra" => {
                let mut extra = BTreeMap::new();
                if let Some(entries) = map_entries(v, p, "map[string][]string")? {
                    for (ek, ev) in entries.iter_mut() {
                        let key = key_name(ek);
                        let values = string_list(ev, p.field(&key))?.unwrap_or_default();
                        extra.insert(key, values);
                    }
                }
                a.impersonate_user_extra = extra;
            }
            "username" => a.username = string(v, p)?,
            "password" => a.password = string(v, p)?,
            "auth-provider" => a.auth_provider = auth_provider(v, p)?,
            "exec" => a.exec = exec(v, p)?,
            _ => a.extensions = extensions(v, p)?,
        }
    }
    Ok(a)
}

fn auth_provider(node: &mut Node, path: Path) -> Result<Option<AuthProvider>> {
    let Some(entries) = map_entries(node, path, "AuthProviderConfig")? else {
        return Ok(None);
    };
    let mut p = AuthProvider::default();
    for (k, v) in entries.iter_mut() {
        match field(key_str(k), &["name", "config"]) {
            Some("name") => p.name = string(v, path.field("name"))?,
            Some(name) => p.config = string_map(v, path.field(name))?,
            None => {}
        }
    }
    Ok(Some(p))
}

fn exec_env(node: &mut Node, path: Path) -> Result<Option<Vec<ExecEnvVar>>> {
    let items = match node.kind {
        NodeKind::Seq(ref mut items) => items,
        NodeKind::Scalar(Scalar::Null) => return Ok(None),
        ref other => return Err(type_error(node, other.json_kind(), path, "[]ExecEnvVar")),
    };
    let mut env = Vec::new();
    for (i, item) in items.iter_mut().enumerate() {
        let ip = path.index(i);
        let mut var = ExecEnvVar::default();
        if let Some(entries) = map_entries(item, ip, "ExecEnvVar")? {
            for (k, v) in entries.iter_mut() {
                match field(key_str(k), &["name", "value"]) {
                    Some("name") => var.name = string(v, ip.field("name"))?,
                    Some(name) => var.value = string(v, ip.field(name))?,
                    None => {}
                }
            }
        }
        env.push(var);
    }
    Ok(Some(env))
}

fn exec(node: &mut Node, path: Path) -> Result<Option<ExecConfig>> {
    let Some(entries) = map_entries(node, path, "ExecConfig")? else {
        return Ok(None);
    };
    let mut e = ExecConfig::default();
    const FIELDS: [&str; 7] = [
        "command",
        "args",
        "env",
        "apiVersion",
        "installHint",
        "provideClusterInfo",
        "interactiveMode",
    ];
    for (k, v) in entries.iter_mut() {
        let Some(name) = field(key_str(k), &FIELDS) else {
            continue;
        };
        let p = path.field(name);
        match name {
            "command" => e.command = string(v, p)?,
            "args" => e.args = string_list(v, p)?,
            "env" => e.env = exec_env(v, p)?,
            "apiVersion" => e.api_version = string(v, p)?,
            "installHint" => e.install_hint = string(v, p)?,
            "provideClusterInfo" => e.provide_cluster_info = boolean(v, p)?,
            _ => e.interactive_mode = string(v, p)?,
        }
    }
    // client-go's SetDefaults_ExecConfig: older plugin API versions default
    // to IfAvailable for backwards compatibility.
    if e.interactive_mode.is_empty()
        && matches!(
            e.api_version.as_str(),
            "client.authentication.k8s.io/v1beta1" | "client.authentication.k8s.io/v1alpha1"
        )
    {
        e.interactive_mode = "IfAvailable".to_string();
    }
    Ok(Some(e))
}

// ---------------------------------------------------------------------------
// Encoding to the v1 file format

/// The v1 document with kubectl's field order (for JSON output); YAML output
/// sorts the keys.
pub fn encode(config: &Config) -> Value {
    let mut m = Map::new();
    m.insert("kind".into(), "Config".into());
    m.insert("apiVersion".into(), "v1".into());
    let mut prefs = Map::new();
    if config.preferences.colors {
        prefs.insert("colors".into(), true.into());
    }
    put_extensions(&mut prefs, &config.preferences.extensions);
    m.insert("preferences".into(), Value::Object(prefs));
    m.insert(
        "clusters".into(),
        named(&config.clusters, "cluster", encode_cluster),
    );
    m.insert(
        "users".into(),
        named(&config.auth_infos, "user", encode_auth_info),
    );
    m.insert(
        "contexts".into(),
        named(&config.contexts, "context", encode_context),
    );
    m.insert(
        "current-context".into(),
        config.current_context.clone().into(),
    );
    put_extensions(&mut m, &config.extensions);
    Value::Object(m)
}

fn named<T>(entries: &BTreeMap<String, T>, inner: &str, f: fn(&T) -> Value) -> Value {
    if entries.is_empty() {
        return Value::Null;
    }
    Value::Array(
        entries
            .iter()
            .map(|(name, v)| {
                let mut m = Map::new();
                m.insert("name".into(), name.clone().into());
                m.insert(inner.into(), f(v));
                Value::Object(m)
            })
            .collect(),
    )
}

fn put_extensions(m: &mut Map<String, Value>, ext: &Extensions) {
    if ext.is_empty() {
        return;
    }
    let list = ext
        .iter()
        .map(|(name, v)| {
            let mut e = Map::new();
            e.insert("name".into(), name.clone().into());
            // client-go holds an extension as Go maps, written with sorted keys.
            e.insert("extension".into(), kauth_formats::json::sorted_keys(v));
            Value::Object(e)
        })
        .collect();
    m.insert("extensions".into(), Value::Array(list));
}

fn put_str(m: &mut Map<String, Value>, key: &str, v: &str) {
    if !v.is_empty() {
        m.insert(key.into(), v.into());
    }
}

fn put_bool(m: &mut Map<String, Value>, key: &str, v: bool) {
    if v {
        m.insert(key.into(), true.into());
    }
}

fn put_bytes(m: &mut Map<String, Value>, key: &str, v: &[u8]) {
    if !v.is_empty() {
        m.insert(
            key.into(),
            base64::engine::general_purpose::STANDARD.encode(v).into(),
        );
    }
}

fn encode_cluster(c: &Cluster) -> Value {
    let mut m = Map::new();
    m.insert("server".into(), c.server.clone().into());
    put_str(&mut m, "tls-server-name", &c.tls_server_name);
    put_bool(
        &mut m,
        "insecure-skip-tls-verify",
        c.insecure_skip_tls_verify,
    );
    put_str(&mut m, "certificate-authority", &c.certificate_authority);
    put_bytes(
        &mut m,
        "certificate-authority-data",
        &c.certificate_authority_data,
    );
    put_str(&mut m, "proxy-url", &c.proxy_url);
    put_bool(&mut m, "disable-compression", c.disable_compression);
    put_extensions(&mut m, &c.extensions);
    Value::Object(m)
}

fn encode_context(c: &Context) -> Value {
    let mut m = Map::new();
    m.insert("cluster".into(), c.cluster.clone().into());
    m.insert("user".into(), c.auth_info.clone().into());
    put_str(&mut m, "namespace", &c.namespace);
    put_extensions(&mut m, &c.extensions);
    Value::Object(m)
}

fn encode_auth_info(a: &AuthInfo) -> Value {
    let mut m = Map::new();
    put_str(&mut m, "client-certificate", &a.client_certificate);
    put_bytes(
        &mut m,
        "client-certificate-data",
        &a.client_certificate_data,
    );
    put_str(&mut m, "client-key", &a.client_key);
    put_bytes(&mut m, "client-key-data", &a.client_key_data);
    put_str(&mut m, "token", &a.token);
    put_str(&mut m, "tokenFile", &a.token_file);
    put_str(&mut m, "as", &a.impersonate);
    put_str(&mut m, "as-uid", &a.impersonate_uid);
    if !a.impersonate_groups.is_empty() {
        m.insert("as-groups".into(), a.impersonate_groups.clone().into());
    }
    if !a.impersonate_user_extra.is_empty() {
        let extra = a
            .impersonate_user_extra
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.clone())))
            .collect();
        m.insert("as-user-extra".into(), Value::Object(extra));
    }
    put_str(&mut m, "username", &a.username);
    put_str(&mut m, "password", &a.password);
    if let Some(p) = &a.auth_provider {
        let mut pm = Map::new();
        pm.insert("name".into(), p.name.clone().into());
        let config = match &p.config {
            Some(c) => Value::Object(
                c.iter()
                    .map(|(k, v)| (k.clone(), Value::from(v.clone())))
                    .collect(),
            ),
            None => Value::Null,
        };
        pm.insert("config".into(), config);
        m.insert("auth-provider".into(), Value::Object(pm));
    }
    if let Some(e) = &a.exec {
        let mut em = Map::new();
        em.insert("command".into(), e.command.clone().into());
        em.insert(
            "args".into(),
            e.args.as_ref().map_or(Value::Null, |a| a.clone().into()),
        );
        let env = e.env.as_ref().map_or(Value::Null, |env| {
            Value::Array(
                env.iter()
                    .map(|v| {
                        let mut vm = Map::new();
                        vm.insert("name".into(), v.name.clone().into());
                        vm.insert("value".into(), v.value.clone().into());
                        Value::Object(vm)
                    })
                    .collect(),
            )
        });
        em.insert("env".into(), env);
        put_str(&mut em, "apiVersion", &e.api_version);
        put_str(&mut em, "installHint", &e.install_hint);
        em.insert("provideClusterInfo".into(), e.provide_cluster_info.into());
        put_str(&mut em, "interactiveMode", &e.interactive_mode);
        m.insert("exec".into(), Value::Object(em));
    }
    put_extensions(&mut m, &a.extensions);
    Value::Object(m)
}

/// The file text kubectl would write for `config`.
pub fn to_yaml(config: &Config) -> String {
    yaml::emit(&encode(config))
}
