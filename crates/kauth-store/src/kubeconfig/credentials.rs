//! The credentials a kubeconfig user entry names: which user a command
//! means, and its certificate, key or token, read from the entry or from
//! the files it names. Relative paths resolve against the file the entry
//! came from, as client-go's `ResolveLocalPaths` (`loader.go`) resolves
//! them.

use kauth_kubeconfig::model::Config;
use kauth_kubeconfig::paths;

use super::{PathOptions, StoreError, starting_config};

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
    /// Go refuses the proxy the environment names.
    #[error("{0}")]
    Proxy(String),
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
    std::fs::read(referenced_path(opts, origin, path))
}

/// Where a path named in a kubeconfig entry points: relative paths are
/// relative to the directory of the file the entry came from.
pub fn referenced_path(opts: &PathOptions, origin: &str, path: &str) -> String {
    if paths::is_abs(path) {
        path.to_string()
    } else {
        paths::join(&paths::abs(&opts.cwd, &paths::dir(origin)), path)
    }
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
