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

use kauth_kubeconfig::model::{self, Config, DecodeError};
use kauth_kubeconfig::{merge, paths};

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
            kauth_pki::cert::certificates_from_pem(&pem).map_err(|e| CredentialError::File {
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
