//! How commands that talk to a server reach it: kubectl's connection
//! flags over the kubeconfig context, and the client built from them.

use clap::Args;

use crate::cli::error::EXIT_NO;
use crate::cli::{CliError, GlobalArgs, error::EXIT_ERROR};
use kauth_client::api::ApiError;
use kauth_client::resolve::{self, ClientOverrides, Resolved};
use kauth_client::{Client, http::Response};
use kauth_store::kubeconfig::PathOptions;

/// Exit status for a failure before any response.
const EXIT_NO_RESPONSE: i32 = EXIT_ERROR;

/// How to reach the server, as kubectl's flags and a few of kauth's own:
/// where ([`TargetArgs`]) and with which credential.
#[derive(Debug, Args, Clone, Default)]
pub struct ConnectionArgs {
    #[command(flatten)]
    pub credential: CredentialFlags,
    #[command(flatten)]
    pub target: TargetArgs,
}

/// A credential given on the command line instead of the kubeconfig user's:
/// either flag replaces all the user's credentials (certificate, token,
/// basic auth, exec plugin, auth provider), so the one given is the one
/// the server tests. kubectl's `--token` instead still sends the user's
/// client certificate, which kube-apiserver authenticates first.
#[derive(Debug, Args, Clone, Default)]
pub struct CredentialFlags {
    /// A client certificate (with --key)
    #[arg(long, value_name = "FILE")]
    pub cert: Option<String>,
    /// The client certificate's key
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<String>,
    /// A bearer token (replaces the kubeconfig user's credentials); `-` reads it from standard input
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
}

/// A request as a front proxy (an aggregation layer, an authenticating
/// ingress) sends it: the proxy's client certificate, and the user it
/// vouches for in `X-Remote-*` headers, which kube-apiserver believes when
/// the certificate chains to its `--requestheader-client-ca-file`.
#[derive(Debug, Args, Clone, Default)]
pub struct FrontProxyArgs {
    /// The front proxy's client certificate (signed by the server's --requestheader-client-ca-file)
    #[arg(long = "proxy-cert", value_name = "FILE", conflicts_with = "cert")]
    pub proxy_cert: Option<String>,
    /// The front proxy's private key
    #[arg(long = "proxy-key", value_name = "FILE", requires = "proxy_cert")]
    pub proxy_key: Option<String>,
    /// The user the proxy vouches for (X-Remote-User)
    #[arg(long = "remote-user", value_name = "USER", requires = "proxy_cert")]
    pub remote_user: Option<String>,
    /// A group of that user (X-Remote-Group; repeatable)
    #[arg(long = "remote-group", value_name = "GROUP", requires = "remote_user")]
    pub remote_groups: Vec<String>,
    /// The user's UID (X-Remote-Uid)
    #[arg(long = "remote-uid", value_name = "UID", requires = "remote_user")]
    pub remote_uid: Option<String>,
    /// An extra value of that user, KEY=VALUE (X-Remote-Extra-KEY; repeatable)
    #[arg(
        long = "remote-extra",
        value_name = "KEY=VALUE",
        requires = "remote_user"
    )]
    pub remote_extra: Vec<String>,
}

impl FrontProxyArgs {
    pub fn given(&self) -> bool {
        self.proxy_cert.is_some()
    }

    /// The header lines the proxy sends, with the server's header names.
    pub fn headers(
        &self,
        names: &kauth_auth::authn::request_header::ProxyHeaderNames,
    ) -> Result<Vec<(String, String)>, CliError> {
        let Some(username) = &self.remote_user else {
            return Ok(Vec::new());
        };
        let mut user = kauth_auth::UserInfo {
            username: username.clone(),
            uid: self.remote_uid.clone().unwrap_or_default(),
            groups: self.remote_groups.clone(),
            ..Default::default()
        };
        for e in &self.remote_extra {
            let (k, v) = e
                .split_once('=')
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| {
                    CliError::new(format!("--remote-extra {e:?}: expected KEY=VALUE"))
                })?;
            user.extra
                .entry(k.to_string())
                .or_default()
                .push(v.to_string());
        }
        Ok(kauth_auth::authn::request_header::proxy_headers(
            names, &user,
        ))
    }
}

/// Which server, how to trust it, as whom to act, how long to wait.
#[derive(Debug, Args, Clone, Default)]
pub struct TargetArgs {
    /// The server URL (instead of the kubeconfig cluster's)
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// The CA that signs the server's certificate
    #[arg(long, value_name = "FILE")]
    pub ca: Option<String>,
    /// Do not verify the server's certificate (insecure)
    #[arg(long = "insecure", alias = "insecure-skip-tls-verify")]
    pub insecure: bool,
    /// Verify the server's certificate for this name
    #[arg(long = "tls-server-name", value_name = "NAME")]
    pub tls_server_name: Option<String>,
    /// Act as this user (Impersonate-User)
    #[arg(long = "as", value_name = "USER")]
    pub as_user: Option<String>,
    /// Act as a member of this group (repeatable)
    #[arg(long = "as-group", value_name = "GROUP")]
    pub as_groups: Vec<String>,
    /// Act with this UID
    #[arg(long = "as-uid", value_name = "UID")]
    pub as_uid: Option<String>,
    /// How long to wait: 0 for ever, or 30s, 1m...
    #[arg(long = "request-timeout", value_name = "DURATION", default_value = "0")]
    pub request_timeout: String,
}

impl CredentialFlags {
    /// `--token`, read from standard input when `-`.
    pub fn read_token(&self) -> Result<Option<String>, CliError> {
        self.token.as_deref().map(token_argument).transpose()
    }
}

/// A token given as an argument, or `-` to read it from standard input
/// (where no other user can see it).
pub fn token_argument(arg: &str) -> Result<String, CliError> {
    if arg != "-" {
        return Ok(arg.to_string());
    }
    let bytes = kauth_store::files::read_input("-").map_err(|e| CliError::from_error(&e))?;
    Ok(String::from_utf8_lossy(&bytes).trim().to_string())
}

impl ConnectionArgs {
    /// `--token`, read from standard input when `-`.
    pub fn read_token(&self) -> Result<Option<String>, CliError> {
        self.credential.read_token()
    }

    /// The client for the kubeconfig context with these overrides.
    pub fn resolve(&self, global: &GlobalArgs) -> Result<Resolved, CliError> {
        self.target.resolve_with(&self.credential, global)
    }
}

impl TargetArgs {
    /// The client for the kubeconfig context with these overrides and
    /// the credential flags.
    pub fn resolve_with(
        &self,
        credential: &CredentialFlags,
        global: &GlobalArgs,
    ) -> Result<Resolved, CliError> {
        if credential.cert.is_some() && credential.key.is_none() {
            return Err(CliError::new("--cert needs --key to connect").code(EXIT_NO_RESPONSE));
        }
        let token = credential.read_token()?.map(zeroize::Zeroizing::new);
        let timeout = kauth_client::parse_timeout(&self.request_timeout)
            .map_err(|e| CliError::new(format!("--request-timeout: {e}")).code(EXIT_NO_RESPONSE))?;
        let ov = ClientOverrides {
            context: global.context.clone(),
            cluster: global.cluster.clone(),
            user: global.user.clone(),
            server: self.server.clone(),
            ca_file: self.ca.clone(),
            insecure: self.insecure,
            tls_server_name: self.tls_server_name.clone(),
            cert_file: credential.cert.clone(),
            key_file: credential.key.clone(),
            token,
            impersonate_user: self.as_user.clone(),
            impersonate_groups: self.as_groups.clone(),
            impersonate_uid: self.as_uid.clone(),
            timeout,
        };
        let opts = PathOptions::from_env(global.kubeconfig.as_deref());
        let mut resolved = resolve::resolve(&opts, &ov)
            .map_err(|e| CliError::from_error(&e).code(EXIT_NO_RESPONSE))?;
        resolved.settings.verbosity = global.verbosity.unwrap_or(0);
        if matches!(
            resolved.credential,
            Some(kauth_auth::authn::Credential::CertificateAndToken(..))
        ) {
            eprintln!(
                "warning: both a client certificate and a bearer token are sent; kube-apiserver tries the certificate first, so the token only counts if the certificate is not trusted"
            );
        }
        let plain = resolved
            .settings
            .server
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
        let sends_credential = !matches!(resolved.settings.auth, kauth_client::Auth::None)
            || resolved.settings.server.contains('@');
        if plain && sends_credential {
            eprintln!(
                "warning: the server URL is http://, so the credential is sent unencrypted; anyone on the path can read and reuse it"
            );
        }
        if resolved.settings.tls.insecure {
            eprintln!(
                "warning: the server's certificate is not verified (insecure-skip-tls-verify)"
            );
        }
        Ok(resolved)
    }
}

pub fn connect(resolved: &Resolved) -> Result<Client, CliError> {
    Client::new(resolved.settings.clone())
        .map_err(|e| CliError::from_error(&e).code(EXIT_NO_RESPONSE))
}

/// Sends and maps transport failures to exit status 2.
pub fn send(
    client: &Client,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: Option<&[u8]>,
) -> Result<Response, CliError> {
    client.send(method, path, headers, body).map_err(|e| {
        CliError::new(format!(
            "{}: {e}",
            kauth_client::http::redacted(&client.settings().server)
        ))
        .code(EXIT_NO_RESPONSE)
    })
}

/// An API error as kubectl prints it: exit 1 for the server's refusal,
/// 2 when there was no answer.
pub fn api_error(e: &ApiError) -> CliError {
    match e {
        ApiError::Status { .. } => CliError::new(e.to_string()).code(EXIT_NO),
        _ => CliError::new(e.to_string()).code(EXIT_NO_RESPONSE),
    }
}
