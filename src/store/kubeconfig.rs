//! Loading and saving kubeconfig files the way `kubectl config` does.
//!
//! Upstream: `PathOptions` and `ModifyConfig` in
//! `staging/src/k8s.io/client-go/tools/clientcmd/config.go`, and
//! `ClientConfigLoadingRules.Load` / `LoadFromFile` / `WriteToFile` in
//! `loader.go`. Edits land in the file that defines the entry (its
//! `origin`), new entries in the default file, exactly as there; the
//! difference is that kauth waits for the lock and writes atomically.

use std::path::Path;
use std::time::Duration;

use crate::kubeconfig::model::{self, Config, DecodeError};
use crate::kubeconfig::{merge, paths};

use super::{atomic, env, lock};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("error loading config file \"{file}\": {source}")]
    Load {
        file: String,
        #[source]
        source: DecodeError,
    },
    #[error("error loading config file \"{file}\": {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// One line per file, as kubectl prints an aggregate of errors.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Several(Vec<StoreError>),
    #[error("cannot write \"{file}\": {source}")]
    Write {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Lock(#[from] lock::LockError),
    #[error("no config found to write context")]
    NoFileForContext,
    #[error("no config found to write preferences")]
    NoFileForPreferences,
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Which files a command reads and writes: `--kubeconfig`, else the
/// `KUBECONFIG` list (deduplicated), else `~/.kube/config`.
#[derive(Debug, Clone)]
pub struct PathOptions {
    pub explicit: Option<String>,
    pub env_files: Vec<String>,
    pub global: String,
    pub cwd: String,
    pub lock_timeout: Duration,
}

impl PathOptions {
    /// Reads `KUBECONFIG`, `HOME` and the working directory.
    pub fn from_env(explicit: Option<&str>) -> Self {
        let mut env_files: Vec<String> = Vec::new();
        if let Ok(list) = std::env::var(env::KUBECONFIG)
            && !list.is_empty()
        {
            for f in list.split(':') {
                if !env_files.iter().any(|e| e == f) {
                    env_files.push(f.to_string());
                }
            }
        }
        let home = std::env::var(env::HOME).unwrap_or_default();
        let cwd = std::env::current_dir()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| "/".to_string());
        let lock_timeout = std::env::var(env::LOCK_TIMEOUT)
            .ok()
            .and_then(|v| v.parse::<f64>().ok())
            .map_or(Duration::from_secs(10), Duration::from_secs_f64);
        PathOptions {
            explicit: explicit.filter(|e| !e.is_empty()).map(str::to_string),
            env_files,
            global: format!("{home}/.kube/config"),
            cwd,
            lock_timeout,
        }
    }

    pub fn is_explicit(&self) -> bool {
        self.explicit.is_some()
    }

    pub fn precedence(&self) -> Vec<String> {
        if let Some(e) = &self.explicit {
            return vec![e.clone()];
        }
        if !self.env_files.is_empty() {
            return self.env_files.clone();
        }
        vec![self.global.clone()]
    }

    /// Where new entries go.
    pub fn default_filename(&self) -> String {
        if let Some(e) = &self.explicit {
            return e.clone();
        }
        match self.env_files.as_slice() {
            [] => self.global.clone(),
            [only] => only.clone(),
            files => files
                .iter()
                .find(|f| Path::new(f.as_str()).exists())
                .unwrap_or(&files[files.len() - 1])
                .clone(),
        }
    }

    /// The file named in messages such as `deleted context x from FILE`.
    pub fn config_file(&self) -> String {
        self.default_filename()
    }
}

/// Reads one file; `Ok(None)` when it does not exist.
pub fn load_file(file: &str) -> Result<Option<Config>> {
    let text = match std::fs::read(file) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StoreError::Read {
                file: file.to_string(),
                source,
            });
        }
    };
    let text = String::from_utf8_lossy(&text);
    model::decode(&text, file)
        .map(Some)
        .map_err(|source| StoreError::Load {
            file: file.to_string(),
            source,
        })
}

fn config_from_file(file: &str) -> Result<Config> {
    Ok(load_file(file)?.unwrap_or_default())
}

/// The merged config a command starts from (client-go's
/// `GetStartingConfig`: paths left as written, missing files skipped).
pub fn starting_config(opts: &PathOptions) -> Result<Config> {
    let files: Vec<String> = opts
        .precedence()
        .into_iter()
        .filter(|f| !f.is_empty())
        .collect();
    let mut configs = Vec::new();
    let mut errors = Vec::new();
    for loaded in files.iter().map(|f| load_file(f)) {
        match loaded {
            Ok(Some(config)) => configs.push(config),
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    match errors.len() {
        0 => Ok(merge::merge(configs)),
        1 => Err(errors.remove(0)),
        _ => Err(StoreError::Several(errors)),
    }
}

/// Writes a whole file the way kubectl serialises it; new files are 0600.
pub fn write_file(config: &Config, file: &str) -> Result<()> {
    let text = model::to_yaml(config);
    atomic::write(Path::new(file), text.as_bytes(), 0o600).map_err(|source| StoreError::Write {
        file: file.to_string(),
        source,
    })
}

/// Runs `edit` on the starting config under the lock of every file in
/// play and saves what changed (client-go's `ModifyConfig`). `edit` returns
/// a value for the caller; an error from it leaves every file untouched.
pub fn modify<T, E: From<StoreError>>(
    opts: &PathOptions,
    relativize: bool,
    edit: impl FnOnce(&mut Config) -> std::result::Result<T, E>,
) -> std::result::Result<T, E> {
    let _locks = lock::lock_all(&opts.precedence(), opts.lock_timeout).map_err(StoreError::from)?;
    let starting = starting_config(opts)?;
    let mut new = starting.clone();
    let out = edit(&mut new)?;
    save_changes(opts, &starting, &new, relativize)?;
    Ok(out)
}

fn dest_for(origin: &str, opts: &PathOptions) -> String {
    if origin.is_empty() {
        opts.default_filename()
    } else {
        origin.to_string()
    }
}

fn abs_dir(opts: &PathOptions, file: &str) -> String {
    paths::abs(&opts.cwd, &paths::dir(file))
}

fn save_changes(
    opts: &PathOptions,
    starting: &Config,
    new: &Config,
    relativize: bool,
) -> Result<()> {
    if starting == new {
        return Ok(());
    }
    if starting.current_context != new.current_context {
        write_current_context(opts, starting, &new.current_context)?;
    }
    if starting.preferences != new.preferences {
        write_preferences(opts, new)?;
    }
    for (name, cluster) in &new.clusters {
        if starting.clusters.get(name) != Some(cluster) {
            let dest = dest_for(&cluster.origin, opts);
            let mut file = config_from_file(&dest)?;
            let mut c = cluster.clone();
            c.origin = dest.clone();
            if relativize {
                paths::relativize_cluster(&mut c, &abs_dir(opts, &dest));
            }
            file.clusters.insert(name.clone(), c);
            write_file(&file, &dest)?;
        }
    }
    let mut seen: Vec<(String, Config)> = Vec::new();
    for (name, context) in &new.contexts {
        if starting.contexts.get(name) != Some(context) {
            let dest = dest_for(&context.origin, opts);
            let index = match seen.iter().position(|(f, _)| *f == dest) {
                Some(i) => i,
                None => {
                    seen.push((dest.clone(), config_from_file(&dest)?));
                    seen.len() - 1
                }
            };
            seen[index].1.contexts.insert(name.clone(), context.clone());
        }
    }
    for (dest, file) in &seen {
        write_file(file, dest)?;
    }
    for (name, user) in &new.auth_infos {
        if starting.auth_infos.get(name) != Some(user) {
            let dest = dest_for(&user.origin, opts);
            let mut file = config_from_file(&dest)?;
            let mut u = user.clone();
            u.origin = dest.clone();
            if relativize {
                paths::relativize_auth_info(&mut u, &abs_dir(opts, &dest));
            }
            file.auth_infos.insert(name.clone(), u);
            write_file(&file, &dest)?;
        }
    }
    delete_removed(
        opts,
        &starting.clusters,
        &new.clusters,
        |c| &c.origin,
        |f| &mut f.clusters,
    )?;
    delete_removed(
        opts,
        &starting.contexts,
        &new.contexts,
        |c| &c.origin,
        |f| &mut f.contexts,
    )?;
    delete_removed(
        opts,
        &starting.auth_infos,
        &new.auth_infos,
        |u| &u.origin,
        |f| &mut f.auth_infos,
    )?;
    Ok(())
}

/// Removes, from the file that holds it, each entry of `starting` that
/// `new` no longer has.
fn delete_removed<T>(
    opts: &PathOptions,
    starting: &std::collections::BTreeMap<String, T>,
    new: &std::collections::BTreeMap<String, T>,
    origin: fn(&T) -> &str,
    entries: fn(&mut Config) -> &mut std::collections::BTreeMap<String, T>,
) -> Result<()> {
    for (name, entry) in starting {
        if !new.contains_key(name) {
            let dest = dest_for(origin(entry), opts);
            let mut file = config_from_file(&dest)?;
            entries(&mut file).remove(name);
            write_file(&file, &dest)?;
        }
    }
    Ok(())
}

fn write_current_context(opts: &PathOptions, starting: &Config, new_context: &str) -> Result<()> {
    if starting.current_context == new_context {
        return Ok(());
    }
    if let Some(file) = &opts.explicit {
        let mut config = config_from_file(file)?;
        config.current_context = new_context.to_string();
        return write_file(&config, file);
    }
    if !new_context.is_empty() {
        let dest = opts.default_filename();
        let mut config = config_from_file(&dest)?;
        config.current_context = new_context.to_string();
        return write_file(&config, &dest);
    }
    // Clearing: find the first file that sets it.
    for file in opts.precedence() {
        if Path::new(&file).exists() {
            let mut config = config_from_file(&file)?;
            if !config.current_context.is_empty() {
                config.current_context.clear();
                return write_file(&config, &file);
            }
        }
    }
    Err(StoreError::NoFileForContext)
}

fn write_preferences(opts: &PathOptions, new: &Config) -> Result<()> {
    if let Some(file) = &opts.explicit {
        let mut config = config_from_file(file)?;
        config.preferences = new.preferences.clone();
        return write_file(&config, file);
    }
    for file in opts.precedence() {
        let mut config = config_from_file(&file)?;
        if config.preferences != new.preferences {
            config.preferences = new.preferences.clone();
            return write_file(&config, &file);
        }
    }
    Err(StoreError::NoFileForPreferences)
}

/// Why a user's credential could not be found in the kubeconfig.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no current context is set; pass --context or --user")]
    NoCurrentContext,
    #[error("context `{0}` not found in the kubeconfig")]
    NoContext(String),
    #[error("user `{0}` not found in the kubeconfig")]
    NoUser(String),
    #[error("user `{0}` has no client certificate")]
    NoCertificate(String),
    #[error("user `{0}` has no client key")]
    NoKey(String),
    #[error("cluster `{0}` not found in the kubeconfig")]
    NoCluster(String),
    #[error("requesting uid, groups or user-extra for {0} without impersonating a user")]
    ImpersonationWithoutUser(String),
    #[error("cluster `{0}` has no server; pass --server")]
    NoServer(String),
    #[error("user `{user}`: cannot read `{path}`: {source}")]
    File {
        user: String,
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Picks a user: `--user`, else the user of `--context` or of the current
/// context. Returns its name.
pub fn select_user(
    config: &Config,
    user: Option<&str>,
    context: Option<&str>,
) -> std::result::Result<String, CredentialError> {
    if let Some(u) = user.filter(|u| !u.is_empty()) {
        return Ok(u.to_string());
    }
    let name = match context.filter(|c| !c.is_empty()) {
        Some(c) => c.to_string(),
        None if config.current_context.is_empty() => return Err(CredentialError::NoCurrentContext),
        None => config.current_context.clone(),
    };
    let ctx = config
        .contexts
        .get(&name)
        .ok_or(CredentialError::NoContext(name))?;
    Ok(ctx.auth_info.clone())
}

/// Reads a file named in a kubeconfig entry: relative paths are relative
/// to the file the entry came from.
pub fn read_referenced(opts: &PathOptions, origin: &str, path: &str) -> std::io::Result<Vec<u8>> {
    let full = if paths::is_abs(path) {
        path.to_string()
    } else {
        paths::join(&paths::abs(&opts.cwd, &paths::dir(origin)), path)
    };
    std::fs::read(full)
}

/// A user's client certificate (PEM) and where it came from.
pub fn client_certificate(
    opts: &PathOptions,
    user: Option<&str>,
    context: Option<&str>,
) -> std::result::Result<(Vec<u8>, String), CredentialError> {
    let config = starting_config(opts)?;
    let name = select_user(&config, user, context)?;
    let info = config
        .auth_infos
        .get(&name)
        .ok_or_else(|| CredentialError::NoUser(name.clone()))?;
    if !info.client_certificate_data.is_empty() {
        return Ok((
            info.client_certificate_data.clone(),
            format!("user `{name}` (client-certificate-data)"),
        ));
    }
    if info.client_certificate.is_empty() {
        return Err(CredentialError::NoCertificate(name));
    }
    let data = read_referenced(opts, &info.origin, &info.client_certificate).map_err(|source| {
        CredentialError::File {
            user: name.clone(),
            path: info.client_certificate.clone(),
            source,
        }
    })?;
    Ok((data, format!("user `{name}` ({})", info.client_certificate)))
}

/// A user's client certificate and key (PEM), and where they came from.
pub fn client_certificate_and_key(
    opts: &PathOptions,
    user: Option<&str>,
    context: Option<&str>,
) -> std::result::Result<(Vec<u8>, Vec<u8>, String), CredentialError> {
    let (cert, source) = client_certificate(opts, user, context)?;
    let config = starting_config(opts)?;
    let name = select_user(&config, user, context)?;
    let info = config
        .auth_infos
        .get(&name)
        .ok_or_else(|| CredentialError::NoUser(name.clone()))?;
    let key = if !info.client_key_data.is_empty() {
        info.client_key_data.clone()
    } else if !info.client_key.is_empty() {
        read_referenced(opts, &info.origin, &info.client_key).map_err(|source| {
            CredentialError::File {
                user: name.clone(),
                path: info.client_key.clone(),
                source,
            }
        })?
    } else {
        return Err(CredentialError::NoKey(name));
    };
    Ok((cert, key, source))
}

/// What a kubeconfig user presents to the server.
#[derive(Clone, PartialEq, Eq)]
pub enum UserCredential {
    /// Certificate chain (DER, leaf first) and maybe a token as well.
    Certificate {
        chain: Vec<Vec<u8>>,
        token: Option<String>,
    },
    Token(String),
    /// An exec plugin: the credential exists only when it runs.
    Exec {
        command: String,
    },
    /// An auth-provider (`oidc`, `gcp`, ...), with its id-token if any.
    AuthProvider {
        name: String,
        id_token: Option<String>,
    },
    /// Basic auth, which kube-apiserver removed in 1.19.
    Basic {
        username: String,
    },
    None,
}

impl std::fmt::Debug for UserCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UserCredential::Certificate { chain, token } => write!(
                f,
                "Certificate({} certs{})",
                chain.len(),
                if token.is_some() { ", token" } else { "" }
            ),
            UserCredential::Token(_) => write!(f, "Token(<redacted>)"),
            UserCredential::Exec { command } => write!(f, "Exec({command})"),
            UserCredential::AuthProvider { name, .. } => write!(f, "AuthProvider({name})"),
            UserCredential::Basic { username } => write!(f, "Basic({username})"),
            UserCredential::None => write!(f, "None"),
        }
    }
}

/// The credential of a kubeconfig user (`--user`, or the context's).
pub fn user_credential(
    opts: &PathOptions,
    user: Option<&str>,
    context: Option<&str>,
) -> std::result::Result<(String, UserCredential), CredentialError> {
    let config = starting_config(opts)?;
    let name = select_user(&config, user, context)?;
    let info = config
        .auth_infos
        .get(&name)
        .ok_or_else(|| CredentialError::NoUser(name.clone()))?;
    let read = |path: &str| {
        read_referenced(opts, &info.origin, path).map_err(|source| CredentialError::File {
            user: name.clone(),
            path: path.to_string(),
            source,
        })
    };
    let token = if !info.token.is_empty() {
        Some(info.token.clone())
    } else if !info.token_file.is_empty() {
        Some(
            String::from_utf8_lossy(&read(&info.token_file)?)
                .trim()
                .to_string(),
        )
    } else {
        None
    };
    let cert_pem = if !info.client_certificate_data.is_empty() {
        Some(info.client_certificate_data.clone())
    } else if !info.client_certificate.is_empty() {
        Some(read(&info.client_certificate)?)
    } else {
        None
    };
    let credential = if let Some(pem) = cert_pem {
        let chain =
            crate::pki::cert::certificates_from_pem(&pem).map_err(|e| CredentialError::File {
                user: name.clone(),
                path: "client certificate".into(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
            })?;
        UserCredential::Certificate { chain, token }
    } else if let Some(t) = token {
        UserCredential::Token(t)
    } else if let Some(exec) = &info.exec {
        UserCredential::Exec {
            command: exec.command.clone(),
        }
    } else if let Some(p) = &info.auth_provider {
        UserCredential::AuthProvider {
            name: p.name.clone(),
            id_token: p.config.as_ref().and_then(|c| c.get("id-token").cloned()),
        }
    } else if !info.username.is_empty() {
        UserCredential::Basic {
            username: info.username.clone(),
        }
    } else {
        UserCredential::None
    };
    Ok((name, credential))
}

/// The namespace of `--context` or the current context ("default" when
/// it names none), as kubectl picks it.
pub fn context_namespace(opts: &PathOptions, context: Option<&str>) -> String {
    let Ok(config) = starting_config(opts) else {
        return "default".into();
    };
    let name = context
        .filter(|c| !c.is_empty())
        .unwrap_or(&config.current_context);
    config
        .contexts
        .get(name)
        .map(|c| c.namespace.clone())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "default".into())
}

/// Command-line overrides of the kubeconfig for a connection (kubectl's
/// global flags and `kauth request`'s own).
#[derive(Debug, Clone, Default)]
pub struct ClientOverrides {
    pub context: Option<String>,
    pub cluster: Option<String>,
    pub user: Option<String>,
    pub server: Option<String>,
    pub ca_file: Option<String>,
    pub insecure: bool,
    pub tls_server_name: Option<String>,
    pub cert_file: Option<String>,
    pub key_file: Option<String>,
    pub token: Option<zeroize::Zeroizing<String>>,
    pub impersonate_user: Option<String>,
    pub impersonate_groups: Vec<String>,
    pub impersonate_uid: Option<String>,
    pub timeout: Option<std::time::Duration>,
}

/// A connection's settings, and what kauth can say offline about the
/// credential (for explaining a 401 or 403).
#[derive(Debug)]
pub struct Resolved {
    pub settings: crate::client::Settings,
    pub context: String,
    pub cluster: String,
    pub user: String,
    /// The credential as kauth's auth core takes it, when it can.
    pub credential: Option<crate::auth::authn::Credential>,
    /// What the credential is, in words.
    pub credential_kind: String,
}

/// Resolves the context as client-go does, with the overrides on top.
pub fn resolve(
    opts: &PathOptions,
    ov: &ClientOverrides,
) -> std::result::Result<Resolved, CredentialError> {
    use crate::client::{Auth, Impersonation, Settings, exec::ClusterInfo, tls::TlsSettings};
    let config = starting_config(opts)?;
    let context_name = ov
        .context
        .clone()
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| config.current_context.clone());
    let context = if context_name.is_empty() {
        None
    } else {
        Some(
            config
                .contexts
                .get(&context_name)
                .ok_or_else(|| CredentialError::NoContext(context_name.clone()))?,
        )
    };
    if context.is_none() && ov.server.is_none() {
        return Err(CredentialError::NoCurrentContext);
    }
    let cluster_name = ov
        .cluster
        .clone()
        .or_else(|| context.map(|c| c.cluster.clone()))
        .unwrap_or_default();
    let user_name = ov
        .user
        .clone()
        .or_else(|| context.map(|c| c.auth_info.clone()))
        .unwrap_or_default();
    let default_cluster = crate::kubeconfig::Cluster::default();
    let cluster = match config.clusters.get(&cluster_name) {
        Some(c) => c,
        None if ov.server.is_some() => &default_cluster,
        None => return Err(CredentialError::NoCluster(cluster_name)),
    };
    let default_user = crate::kubeconfig::AuthInfo::default();
    let info = config.auth_infos.get(&user_name).unwrap_or(&default_user);
    let read = |origin: &str, path: &str, what: &str| {
        read_referenced(opts, origin, path).map_err(|source| CredentialError::File {
            user: if what == "user" {
                user_name.clone()
            } else {
                format!("cluster {cluster_name}")
            },
            path: path.to_string(),
            source,
        })
    };
    let cert_list = |pem: &[u8], source: &str| {
        crate::pki::cert::certificates_from_pem(pem).map_err(|e| CredentialError::File {
            user: user_name.clone(),
            path: source.to_string(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
        })
    };
    // TLS.
    let mut tls = TlsSettings::default();
    let ca_pem = if let Some(f) = &ov.ca_file {
        tls.ca_source = format!("--ca {f}");
        Some(std::fs::read(f).map_err(|source| CredentialError::File {
            user: "--ca".into(),
            path: f.clone(),
            source,
        })?)
    } else if !cluster.certificate_authority_data.is_empty() {
        tls.ca_source = format!("the certificate-authority-data of cluster {cluster_name:?}");
        Some(cluster.certificate_authority_data.clone())
    } else if !cluster.certificate_authority.is_empty() {
        tls.ca_source = format!(
            "{} (cluster {cluster_name:?})",
            cluster.certificate_authority
        );
        Some(read(
            &cluster.origin,
            &cluster.certificate_authority,
            "cluster",
        )?)
    } else {
        tls.ca_source = "the system roots".into();
        None
    };
    tls.insecure = ov.insecure || (cluster.insecure_skip_tls_verify && ov.ca_file.is_none());
    if !tls.insecure
        && let Some(pem) = &ca_pem
    {
        tls.ca = Some(cert_list(pem, &tls.ca_source)?);
    }
    tls.server_name = ov
        .tls_server_name
        .clone()
        .or_else(|| (!cluster.tls_server_name.is_empty()).then(|| cluster.tls_server_name.clone()));
    // Client certificate.
    let (cert_pem, key_pem) = match (&ov.cert_file, &ov.key_file) {
        (Some(c), Some(k)) => (
            Some(std::fs::read(c).map_err(|source| CredentialError::File {
                user: "--cert".into(),
                path: c.clone(),
                source,
            })?),
            Some(std::fs::read(k).map_err(|source| CredentialError::File {
                user: "--key".into(),
                path: k.clone(),
                source,
            })?),
        ),
        (None, None) => {
            let cert = if !info.client_certificate_data.is_empty() {
                Some(info.client_certificate_data.clone())
            } else if !info.client_certificate.is_empty() {
                Some(read(&info.origin, &info.client_certificate, "user")?)
            } else {
                None
            };
            let key = if !info.client_key_data.is_empty() {
                Some(info.client_key_data.clone())
            } else if !info.client_key.is_empty() {
                Some(read(&info.origin, &info.client_key, "user")?)
            } else {
                None
            };
            (cert, key)
        }
        _ => {
            return Err(CredentialError::NoKey(
                "--cert and --key go together".into(),
            ));
        }
    };
    let mut chain = None;
    if let (Some(c), Some(k)) = (&cert_pem, &key_pem) {
        let certs = cert_list(c, "client certificate")?;
        let key =
            crate::pki::key::PrivateKey::from_pem(&String::from_utf8_lossy(k)).map_err(|e| {
                CredentialError::File {
                    user: user_name.clone(),
                    path: "client key".into(),
                    source: std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()),
                }
            })?;
        tls.client_cert = Some((certs.clone(), key.pkcs8_der().to_vec()));
        chain = Some(certs);
    }
    // Token, basic auth, exec, auth-provider.
    let token: Option<zeroize::Zeroizing<String>> = if let Some(t) = &ov.token {
        Some(t.clone())
    } else if !info.token.is_empty() {
        Some(zeroize::Zeroizing::new(info.token.clone()))
    } else if !info.token_file.is_empty() {
        Some(zeroize::Zeroizing::new(
            String::from_utf8_lossy(&read(&info.origin, &info.token_file, "user")?)
                .trim()
                .to_string(),
        ))
    } else {
        None
    };
    let mut kind = Vec::new();
    if chain.is_some() {
        kind.push("client certificate".to_string());
    }
    let auth = if let Some(t) = &token {
        kind.push("bearer token".into());
        Auth::Bearer(t.clone())
    } else if ov.cert_file.is_none() && !info.username.is_empty() {
        kind.push("basic auth (removed from kube-apiserver in 1.19)".into());
        Auth::Basic {
            username: info.username.clone(),
            password: zeroize::Zeroizing::new(info.password.clone()),
        }
    } else if let (None, Some(exec)) = (&ov.cert_file, &info.exec) {
        kind.push(format!("exec plugin `{}`", exec.command));
        Auth::Exec(
            Box::new(exec.clone()),
            Box::new(ClusterInfo {
                server: ov.server.clone().unwrap_or_else(|| cluster.server.clone()),
                tls_server_name: cluster.tls_server_name.clone(),
                insecure_skip_tls_verify: cluster.insecure_skip_tls_verify,
                certificate_authority_data: ca_pem.clone().unwrap_or_default(),
                proxy_url: cluster.proxy_url.clone(),
                disable_compression: cluster.disable_compression,
                config: cluster
                    .extensions
                    .get("client.authentication.k8s.io/exec")
                    .cloned(),
            }),
        )
    } else if let Some(id_token) = info
        .auth_provider
        .as_ref()
        .filter(|p| p.name == "oidc")
        .and_then(|p| p.config.as_ref())
        .and_then(|c| c.get("id-token"))
    {
        kind.push("OIDC id-token".into());
        Auth::Bearer(zeroize::Zeroizing::new(id_token.clone()))
    } else {
        Auth::None
    };
    let credential = match (&chain, &token) {
        (Some(c), Some(t)) => Some(crate::auth::authn::Credential::CertificateAndToken(
            c.clone(),
            t.to_string(),
        )),
        (Some(c), None) => Some(crate::auth::authn::Credential::Certificate(c.clone())),
        (None, Some(t)) => Some(crate::auth::authn::Credential::Token(t.to_string())),
        (None, None) if matches!(auth, Auth::None) => Some(crate::auth::authn::Credential::None),
        _ => None,
    };
    // Non-empty flags replace the kubeconfig's values one by one, as
    // kubectl's; `--as-group` replaces `as-groups`.
    let impersonate = Impersonation {
        user: ov
            .impersonate_user
            .clone()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| info.impersonate.clone()),
        uid: ov
            .impersonate_uid
            .clone()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| info.impersonate_uid.clone()),
        groups: if ov.impersonate_groups.is_empty() {
            info.impersonate_groups.clone()
        } else {
            ov.impersonate_groups.clone()
        },
        extra: info
            .impersonate_user_extra
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    };
    if impersonate.user.is_empty()
        && (!impersonate.uid.is_empty()
            || !impersonate.groups.is_empty()
            || !impersonate.extra.is_empty())
    {
        return Err(CredentialError::ImpersonationWithoutUser(user_name));
    }
    let server = ov.server.clone().unwrap_or_else(|| cluster.server.clone());
    let proxy = if cluster.proxy_url.is_empty() {
        environment_proxy(&server)
    } else {
        Some(cluster.proxy_url.clone())
    };
    if server.is_empty() {
        return Err(CredentialError::NoServer(cluster_name));
    }
    Ok(Resolved {
        settings: Settings {
            server,
            tls,
            proxy,
            auth,
            impersonate,
            timeout: ov.timeout,
            user_agent: format!("kauth/{}", env!("CARGO_PKG_VERSION")),
        },
        context: context_name,
        cluster: cluster_name,
        user: user_name,
        credential,
        credential_kind: if kind.is_empty() {
            "no credential (anonymous)".into()
        } else {
            kind.join(" and ")
        },
    })
}

impl Resolved {
    /// What kauth's auth core expects the server to make of this client's
    /// credential (and impersonation), or None when it cannot know offline
    /// (exec plugins, auth providers).
    pub fn predict(
        &self,
        config: &crate::auth::authn::ServerConfig,
        now: time::OffsetDateTime,
    ) -> Option<crate::auth::authn::Verdict> {
        use crate::auth::authn::{Verdict, authenticate};
        let verdict = authenticate(self.credential.as_ref()?, config, now);
        let imp = &self.settings.impersonate;
        if imp.user.is_empty() || verdict.user().is_none() {
            return Some(verdict);
        }
        // The request is then authorized as the impersonated user (if the
        // real one may impersonate).
        let mut user = crate::auth::authz::explain::impersonated(&imp.user, &imp.groups);
        user.uid = imp.uid.clone();
        user.extra = imp.extra.iter().cloned().collect();
        Some(Verdict::Authenticated {
            method: format!(
                "impersonated by {}",
                verdict
                    .user()
                    .map(|u| u.username.as_str())
                    .unwrap_or_default()
            ),
            user,
            checks: Vec::new(),
        })
    }
}

/// The proxy from `HTTPS_PROXY`/`HTTP_PROXY` (upper or lower case) for the
/// server, unless `NO_PROXY` exempts its host, as Go's
/// `http.ProxyFromEnvironment` (client-go's default when a cluster has no
/// `proxy-url`).
fn environment_proxy(server: &str) -> Option<String> {
    let var = |name: &str| {
        std::env::var(name)
            .or_else(|_| std::env::var(name.to_lowercase()))
            .ok()
            .filter(|v| !v.is_empty())
    };
    let https = server.starts_with("https://");
    let proxy = var(if https { "HTTPS_PROXY" } else { "HTTP_PROXY" })?;
    let host = server.split("://").nth(1)?.split(['/', '?']).next()?;
    let host_only = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    // Go never proxies requests to localhost or loopback addresses.
    let loopback = host_only.eq_ignore_ascii_case("localhost")
        || host_only
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if loopback {
        return None;
    }
    if let Some(no_proxy) = var("NO_PROXY")
        && no_proxy_matches(&no_proxy, host_only, host)
    {
        return None;
    }
    Some(if proxy.contains("://") {
        proxy
    } else {
        format!("http://{proxy}")
    })
}

/// Go's NO_PROXY rules, without CIDR ranges: `*`, a host (and its
/// subdomains), `.domain`, or `host:port`.
fn no_proxy_matches(list: &str, host: &str, host_port: &str) -> bool {
    list.split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            if entry == "*" || entry == host_port {
                return true;
            }
            let e = entry.trim_start_matches('.');
            let e = e
                .rsplit_once(':')
                .filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
                .map_or(e, |(h, _)| h);
            host.eq_ignore_ascii_case(e)
                || host
                    .to_ascii_lowercase()
                    .ends_with(&format!(".{}", e.to_ascii_lowercase()))
        })
}

#[cfg(test)]
mod proxy_tests {
    use super::no_proxy_matches;

    #[test]
    fn no_proxy_reads_like_go() {
        assert!(no_proxy_matches(
            "localhost,10.0.0.1",
            "10.0.0.1",
            "10.0.0.1:6443"
        ));
        assert!(no_proxy_matches(
            ".example.com",
            "api.example.com",
            "api.example.com:443"
        ));
        assert!(no_proxy_matches(
            "example.com",
            "api.example.com",
            "api.example.com:443"
        ));
        assert!(no_proxy_matches("*", "x", "x:1"));
        assert!(!no_proxy_matches(
            "example.com",
            "example.org",
            "example.org:443"
        ));
        assert!(!no_proxy_matches("", "x", "x:1"));
    }
}
