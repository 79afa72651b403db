//! From a kubeconfig context to a connection: client-go's
//! `DirectClientConfig` (`tools/clientcmd/client_config.go`) with the
//! command-line overrides on top, and the proxy from the environment as
//! Go's `http.ProxyFromEnvironment` chooses it.

use kauth_store::kubeconfig::{CredentialError, PathOptions, read_referenced, starting_config};

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
    pub settings: crate::Settings,
    pub context: String,
    pub cluster: String,
    pub user: String,
    /// The credential as kauth's auth core takes it, when it can.
    pub credential: Option<kauth_auth::authn::Credential>,
    /// What the credential is, in words.
    pub credential_kind: String,
}

/// Resolves the context as client-go does, with the overrides on top.
pub fn resolve(
    opts: &PathOptions,
    ov: &ClientOverrides,
) -> std::result::Result<Resolved, CredentialError> {
    use crate::{Auth, Impersonation, Settings, exec::ClusterInfo, tls::TlsSettings};
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
    let default_cluster = kauth_kubeconfig::Cluster::default();
    let cluster = match config.clusters.get(&cluster_name) {
        Some(c) => c,
        None if ov.server.is_some() => &default_cluster,
        None => return Err(CredentialError::NoCluster(cluster_name)),
    };
    let default_user = kauth_kubeconfig::AuthInfo::default();
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
        kauth_pki::cert::certificates_from_pem(pem).map_err(|e| CredentialError::File {
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
    // An explicit credential (`--token`, `--cert/--key`) is the one under
    // test: the kubeconfig user's own credentials are left out. This
    // differs from kubectl, whose `--token` is merged over the user (its
    // client certificate is still sent, and kube-apiserver then
    // authenticates the certificate, never the token).
    let explicit = ov.token.is_some() || ov.cert_file.is_some();
    let kubeconfig_user = kauth_kubeconfig::AuthInfo::default();
    // Impersonation is not a credential: the user's `as-*` fields stay.
    let as_info = info;
    let info = if explicit { &kubeconfig_user } else { info };
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
            kauth_pki::key::PrivateKey::from_pem(&String::from_utf8_lossy(k)).map_err(|e| {
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
        (Some(c), Some(t)) => Some(kauth_auth::authn::Credential::CertificateAndToken(
            c.clone(),
            t.to_string(),
        )),
        (Some(c), None) => Some(kauth_auth::authn::Credential::Certificate(c.clone())),
        (None, Some(t)) => Some(kauth_auth::authn::Credential::Token(t.to_string())),
        (None, None) if matches!(auth, Auth::None) => Some(kauth_auth::authn::Credential::None),
        _ => None,
    };
    // Non-empty flags replace the kubeconfig's values one by one, as
    // kubectl's; `--as-group` replaces `as-groups`.
    let impersonate = Impersonation {
        user: ov
            .impersonate_user
            .clone()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| as_info.impersonate.clone()),
        uid: ov
            .impersonate_uid
            .clone()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| as_info.impersonate_uid.clone()),
        groups: if ov.impersonate_groups.is_empty() {
            as_info.impersonate_groups.clone()
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
        crate::env_proxy::ProxyEnvironment::from_env()
            .proxy_for(&server)
            .map_err(CredentialError::Proxy)?
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
            verbosity: 0,
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
        config: &kauth_auth::authn::ServerConfig,
        now: time::OffsetDateTime,
    ) -> Option<kauth_auth::authn::Verdict> {
        use kauth_auth::authn::{Verdict, authenticate};
        let verdict = authenticate(self.credential.as_ref()?, config, now);
        let imp = &self.settings.impersonate;
        if imp.user.is_empty() || verdict.user().is_none() {
            return Some(verdict);
        }
        // The request is then authorized as the impersonated user (if the
        // real one may impersonate).
        let mut user = kauth_auth::authz::explain::impersonated(&imp.user, &imp.groups);
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
