//! `kauth auth`: who the API server thinks you are, and whether it lets
//! you do something, decided offline by kauth's model of kube-apiserver.

mod can_i;
mod chain;
mod explain;
mod who_can;
mod whoami;

pub use whoami::differences;

use std::path::PathBuf;

use clap::{Args, Subcommand};
use time::OffsetDateTime;

use crate::cli::connection::ConnectionArgs;
use crate::cli::{CliError, CliResult, GlobalArgs, pki_io};
use kauth_auth::apiserver::Settings;
use kauth_auth::authn::jwt::PublicKey;
use kauth_auth::authn::oidc;
use kauth_auth::authn::token_file::TokenFile;
use kauth_auth::authn::{self, Credential, ServerConfig, Verdict};
use kauth_store::kubeconfig::{self, PathOptions, UserCredential};

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// The identity the API server gives your credential
    #[command(
        after_help = "Examples:\n  kauth auth whoami --offline\n  kauth auth whoami --offline --cert kfree.crt --client-ca /etc/kubernetes/pki/ca.crt\n  kauth auth whoami --offline --token - --sa-key sa.pub --issuer https://kubernetes.default.svc.cluster.local < token\n  kauth auth whoami --offline --at 2027-01-01T00:00:00Z -o json"
    )]
    Whoami(whoami::WhoamiArgs),
    /// Whether an action is allowed, and why
    #[command(
        name = "can-i",
        after_help = "Examples:\n  kauth auth can-i list pods -n test --as system:serviceaccount:test:sa1 --rbac manifests/\n  kauth auth can-i get pods --subresource log --as kfree --as-group dev --rbac rbac.yaml\n  kauth auth can-i get /metrics --as system:anonymous --rbac rbac.yaml\n  kauth auth can-i --list -n test --as kfree --rbac rbac.yaml"
    )]
    CanI(can_i::CanIArgs),
    /// Which subjects may perform an action
    #[command(
        name = "who-can",
        after_help = "Examples:\n  kauth auth who-can delete secrets -n prod --rbac cluster-dump.yaml"
    )]
    WhoCan(who_can::WhoCanArgs),
    /// How the API server reads an HTTP request (verb, resource, namespace)
    #[command(
        after_help = "Examples:\n  kauth auth explain GET '/api/v1/namespaces/test/pods?watch=1'\n  kauth auth explain DELETE /apis/apps/v1/namespaces/prod/deployments -o json"
    )]
    Explain(explain::ExplainArgs),
    /// The authenticators and authorizers kube-apiserver runs, from its configuration
    #[command(
        after_help = "Examples:\n  kauth auth chain --apiserver /etc/kubernetes/manifests/kube-apiserver.yaml\n  kauth auth chain --apiserver-flags '--client-ca-file=ca.crt --authorization-mode=Node,RBAC' -o json"
    )]
    Chain(chain::ChainArgs),
}

pub fn run(cmd: AuthCommand, global: &GlobalArgs) -> CliResult {
    match cmd {
        AuthCommand::Whoami(args) => whoami::run(args, global),
        AuthCommand::CanI(args) => can_i::run(args, global),
        AuthCommand::WhoCan(args) => who_can::run(args, global),
        AuthCommand::Explain(args) => explain::run(args),
        AuthCommand::Chain(args) => chain::run(args),
    }
}

/// kube-apiserver's own configuration.
#[derive(Debug, Args, Clone, Default)]
pub struct ApiServerArgs {
    /// kube-apiserver's configuration: its static pod manifest (as kubeadm writes
    /// /etc/kubernetes/manifests/kube-apiserver.yaml) or a file of its flags
    #[arg(long, value_name = "FILE", conflicts_with = "apiserver_flags")]
    pub apiserver: Option<String>,
    /// kube-apiserver's flags, as one string
    #[arg(long, value_name = "FLAGS", allow_hyphen_values = true)]
    pub apiserver_flags: Option<String>,
    /// Read the files the server's flags name under DIR (a copy of a control-plane node's files)
    #[arg(long, value_name = "DIR")]
    pub apiserver_root: Option<String>,
    /// The settings, once read: a command asks for them at each step.
    #[arg(skip)]
    loaded: std::sync::OnceLock<Box<Option<Settings>>>,
}

impl ApiServerArgs {
    pub fn settings(&self) -> Result<Option<Settings>, CliError> {
        if let Some(settings) = self.loaded.get() {
            return Ok(settings.as_ref().clone());
        }
        let root = self.apiserver_root.as_deref();
        let loaded = match (&self.apiserver, &self.apiserver_flags) {
            (Some(file), _) => kauth_store::apiserver::load(file, root),
            (None, Some(words)) => kauth_store::apiserver::load_flags(words, root),
            (None, None) => return Ok(None),
        };
        let settings = loaded.map(Some).map_err(|e| CliError::from_error(&e))?;
        Ok(self
            .loaded
            .get_or_init(|| Box::new(settings))
            .as_ref()
            .clone())
    }
}

/// The server flags kauth models, and the credential to judge.
#[derive(Debug, Args, Clone, Default)]
pub struct ServerArgs {
    #[command(flatten)]
    pub apiserver: ApiServerArgs,
    /// The API server's --client-ca-file (checks certificate chains)
    #[arg(long = "client-ca", value_name = "FILE")]
    pub client_ca: Option<String>,
    /// The API server's --token-auth-file (static tokens)
    #[arg(long = "token-file", value_name = "CSV")]
    pub token_file: Option<String>,
    /// The API server's --service-account-key-file (repeatable)
    #[arg(long = "sa-key", value_name = "FILE")]
    pub sa_keys: Vec<String>,
    /// ServiceAccount signing keys as a JWKS (the issuer's /openid/v1/jwks)
    #[arg(long, value_name = "FILE")]
    pub jwks: Vec<String>,
    /// A JWT issuer's keys as a JWKS file, for the JWT authenticators of
    /// --apiserver: ISSUER=FILE, or FILE when there is one issuer (repeatable)
    #[arg(long = "jwt-keys", value_name = "[ISSUER=]FILE")]
    pub jwt_keys: Vec<String>,
    /// The API server's --service-account-issuer (repeatable)
    #[arg(long = "issuer", value_name = "URL")]
    pub issuers: Vec<String>,
    /// The API server's --api-audiences (repeatable)
    #[arg(long = "api-audience", value_name = "AUD")]
    pub api_audiences: Vec<String>,
    /// Answer for this moment instead of now (RFC 3339)
    #[arg(long, value_parser = pki_io::parse_time)]
    pub at: Option<OffsetDateTime>,
    /// Cluster objects as YAML or JSON (bootstrap token Secrets; pods, nodes,
    /// PVs, ... for the Node authorizer), for the parts of the chain that read them
    #[arg(long = "objects", value_name = "FILE")]
    pub objects: Vec<String>,
}

impl ServerArgs {
    /// The server's settings: from `--apiserver`, with the flags given
    /// here on top.
    fn effective(&self) -> Result<ServerArgs, CliError> {
        let mut args = self.clone();
        let Some(s) = self.apiserver.settings()? else {
            return Ok(args);
        };
        args.client_ca = args.client_ca.or(s.client_ca_file);
        args.token_file = args.token_file.or(s.token_auth_file);
        if args.sa_keys.is_empty() {
            args.sa_keys = s.service_account_key_files;
        }
        if args.issuers.is_empty() {
            args.issuers = s.service_account_issuers;
        }
        if args.api_audiences.is_empty() {
            args.api_audiences = s.api_audiences;
        }
        Ok(args)
    }

    pub fn server_config(&self) -> Result<ServerConfig, CliError> {
        let mut config = self.effective()?.config_from_flags()?;
        let Some(s) = self.apiserver.settings()? else {
            return Ok(config);
        };
        config.anonymous_disabled = !s.anonymous_auth;
        config.jwt = self.jwt_authenticators(&s)?;
        config.all_token_authenticators = true;
        if let Some(rh) = &s.request_header {
            let flags = kauth_auth::authn::request_header::Flags {
                client_ca: pki_io::read_certs(&rh.client_ca_file)?,
                allowed_names: rh.allowed_names.clone(),
                username_headers: rh.username_headers.clone(),
                uid_headers: rh.uid_headers.clone(),
                group_headers: rh.group_headers.clone(),
                extra_headers_prefix: rh.extra_headers_prefix.clone(),
            };
            config.request_header = Some(
                kauth_auth::authn::request_header::RequestHeader::new(&flags)
                    .map_err(|e| CliError::from_error(&e))?,
            );
        }
        if s.bootstrap_token_auth && !self.objects.is_empty() {
            let objects = self.object_values()?;
            let tokens = kauth_auth::authn::bootstrap::BootstrapTokens::from_secrets(&objects)
                .map_err(|e| CliError::new(format!("--objects: {e}")))?;
            config.bootstrap = Some(tokens);
        }
        Ok(config)
    }

    /// The server's JWT authenticators, each with the keys `--jwt-keys`
    /// gives for its issuer.
    fn jwt_authenticators(&self, s: &Settings) -> Result<Vec<oidc::Authenticator>, CliError> {
        let mut configs: Vec<oidc::JwtConfig> = s.oidc.iter().map(|o| o.to_jwt()).collect();
        if let Some(file) = &s.authentication_file {
            configs.extend(file.authenticators.iter().cloned());
        }
        let mut keys: Vec<Option<Vec<oidc::IssuerKey>>> = vec![None; configs.len()];
        for given in &self.jwt_keys {
            let (issuer, file) = match given.split_once('=') {
                Some((i, f)) if i.contains("://") => (Some(i), f),
                _ => (None, given.as_str()),
            };
            let index = match issuer {
                Some(i) => configs.iter().position(|c| c.issuer == i).ok_or_else(|| {
                    CliError::new(format!(
                        "--jwt-keys {given}: the server has no JWT authenticator for issuer {i}"
                    ))
                })?,
                None if configs.len() == 1 => 0,
                None => {
                    return Err(CliError::new(format!(
                        "--jwt-keys {given}: the server has {} JWT authenticators: say whose keys these are (ISSUER=FILE)",
                        configs.len()
                    )));
                }
            };
            let bytes =
                kauth_store::files::read_input(file).map_err(|e| CliError::from_error(&e))?;
            let found = oidc::jwks_keys(&bytes, file).map_err(|e| CliError::from_error(&e))?;
            keys[index].get_or_insert_with(Vec::new).extend(found);
        }
        Ok(configs
            .into_iter()
            .zip(keys)
            .map(|(config, keys)| oidc::Authenticator { config, keys })
            .collect())
    }

    fn config_from_flags(&self) -> Result<ServerConfig, CliError> {
        let mut config = ServerConfig::default();
        if let Some(ca) = &self.client_ca {
            config.client_ca = Some(pki_io::read_certs(ca)?);
        }
        if let Some(file) = &self.token_file {
            let text = std::fs::read_to_string(file)
                .map_err(|e| CliError::new(format!("--token-file {file}: {e}")))?;
            config.token_file =
                Some(TokenFile::parse(&text, file).map_err(|e| CliError::from_error(&e))?);
        }
        for k in &self.sa_keys {
            let bytes =
                std::fs::read(k).map_err(|e| CliError::new(format!("--sa-key {k}: {e}")))?;
            config
                .service_accounts
                .keys
                .extend(PublicKey::from_pem(&bytes, k).map_err(|e| CliError::from_error(&e))?);
        }
        for k in &self.jwks {
            let bytes = std::fs::read(k).map_err(|e| CliError::new(format!("--jwks {k}: {e}")))?;
            config
                .service_accounts
                .keys
                .extend(PublicKey::from_jwks(&bytes, k).map_err(|e| CliError::from_error(&e))?);
        }
        config.service_accounts.issuers = self.issuers.clone();
        config.service_accounts.api_audiences = self.api_audiences.clone();
        Ok(config)
    }

    /// The header names the server's front proxy uses (`X-Remote-*`
    /// without `--apiserver`).
    pub fn proxy_header_names(
        &self,
    ) -> Result<kauth_auth::authn::request_header::ProxyHeaderNames, CliError> {
        use kauth_auth::authn::request_header::ProxyHeaderNames;
        Ok(
            match self.apiserver.settings()?.and_then(|s| s.request_header) {
                Some(rh) => ProxyHeaderNames::from_flags(
                    &rh.username_headers,
                    &rh.uid_headers,
                    &rh.group_headers,
                    &rh.extra_headers_prefix,
                ),
                None => ProxyHeaderNames::default(),
            },
        )
    }

    /// The text of every `--objects` file.
    pub fn object_texts(&self) -> Result<Vec<(String, String)>, CliError> {
        self.objects
            .iter()
            .map(|f| {
                let bytes =
                    kauth_store::files::read_input(f).map_err(|e| CliError::from_error(&e))?;
                let text = kauth_formats::yaml::text(&bytes)
                    .map_err(|e| CliError::new(format!("--objects {f}: {e}")))?;
                Ok((f.clone(), text.to_string()))
            })
            .collect()
    }

    /// Every object of the `--objects` files.
    pub fn object_values(&self) -> Result<Vec<serde_json::Value>, CliError> {
        let mut out = Vec::new();
        for (file, text) in self.object_texts()? {
            let docs = kauth_formats::yaml::parse_documents(&text)
                .map_err(|e| CliError::new(format!("--objects {file}: {e}")))?;
            out.extend(docs.iter().map(kauth_formats::yaml::to_json));
        }
        Ok(out)
    }

    pub fn now(&self) -> OffsetDateTime {
        self.at.unwrap_or_else(OffsetDateTime::now_utc)
    }
}

/// The credential to judge: `--cert`/`--token`, else the kubeconfig user.
/// Returns it with a description of its source, or why there is none.
pub fn credential(
    args: &ConnectionArgs,
    global: &GlobalArgs,
) -> Result<(Credential, String), CliError> {
    let token = args.read_token()?;
    if let Some(cert) = &args.credential.cert {
        let chain = pki_io::read_certs(cert)?;
        return Ok(match token {
            Some(t) => (
                Credential::CertificateAndToken(chain, t),
                format!("{cert} and --token"),
            ),
            None => (Credential::Certificate(chain), cert.clone()),
        });
    }
    if let Some(t) = token {
        return Ok((Credential::Token(t), "--token".into()));
    }
    let opts = PathOptions::from_env(global.kubeconfig.as_deref());
    let (name, cred) =
        kubeconfig::user_credential(&opts, global.user.as_deref(), global.context.as_deref())
            .map_err(|e| CliError::from_error(&e))?;
    let source = format!("kubeconfig user {name:?}");
    match cred {
        UserCredential::Certificate { chain, token: None } => Ok((Credential::Certificate(chain), source)),
        UserCredential::Certificate { chain, token: Some(t) } => Ok((Credential::CertificateAndToken(chain, t), source)),
        UserCredential::Token(t) => Ok((Credential::Token(t), source)),
        UserCredential::None => Ok((Credential::None, source)),
        UserCredential::Exec { command } => Err(CliError::new(format!(
            "{source} authenticates with the exec plugin `{command}`: its credential exists only when the plugin runs, so kauth cannot judge it offline"
        ))
        .hint("ask the server instead, or pass the plugin's token with --token")),
        UserCredential::AuthProvider { name, id_token } => Err(CliError::new(format!(
            "{source} uses the `{name}` auth-provider{}: the user it maps to depends on the server's OIDC flags (--oidc-username-claim, --oidc-groups-claim), which kauth does not know",
            if id_token.is_some() { " (its id-token is an OIDC token)" } else { "" }
        ))
        .hint("`kauth token inspect` shows the id-token's claims")),
        UserCredential::Basic { username } => Err(CliError::new(format!(
            "{source} uses basic auth (username {username:?}), which kube-apiserver removed in 1.19: every request with it is unauthorized"
        ))),
    }
}

/// The request `whoami` judges.
const SELF_SUBJECT_REVIEW: &str = "/apis/authentication.k8s.io/v1/selfsubjectreviews";

fn anonymous_paths(settings: &Settings) -> String {
    match settings
        .authentication_file
        .as_ref()
        .and_then(|f| f.anonymous.as_ref())
    {
        Some((true, paths)) if !paths.is_empty() => paths.join(", "),
        _ => "no path (anonymous requests are off)".to_string(),
    }
}

/// Authenticates with kauth's model of the server. With `--apiserver`, a
/// token the modelled authenticators refuse is undecided when the server
/// also runs token authenticators kauth does not model.
pub fn authenticate(cred: &Credential, server: &ServerArgs) -> Result<Verdict, CliError> {
    authenticate_request(cred, &[], server)
}

/// [`authenticate`], for a request that also carries `headers` (a front
/// proxy's).
pub fn authenticate_request(
    cred: &Credential,
    headers: &[(String, String)],
    server: &ServerArgs,
) -> Result<Verdict, CliError> {
    let headers = kauth_auth::authn::request_header::Headers::read(headers)
        .map_err(|e| CliError::new(format!("the proxy's headers: {e}")))?;
    let verdict =
        authn::authenticate_request(cred, &headers, &server.server_config()?, server.now());
    let Some(settings) = server.apiserver.settings()? else {
        return Ok(verdict);
    };
    if let Verdict::Anonymous { .. } = &verdict
        && !settings.anonymous_allowed(SELF_SUBJECT_REVIEW)
    {
        return Ok(Verdict::Unauthorized {
            reasons: vec![format!(
                "no credential, and the server lets anonymous requests through only for {}",
                anonymous_paths(&settings)
            )],
        });
    }
    let has_token = matches!(
        cred,
        Credential::Token(_) | Credential::CertificateAndToken(..)
    );
    if let (true, Verdict::Unauthorized { reasons }) = (has_token, &verdict) {
        let others: Vec<String> = settings
            .chain()
            .authentication
            .into_iter()
            .filter(|s| {
                let without_objects = s.name == "bootstrap-token" && server.objects.is_empty();
                s.name != "request-header"
                    && (without_objects || !chain::MODELLED_AUTHN.contains(&s.name.as_str()))
            })
            .map(|s| s.name)
            .collect();
        if !others.is_empty() {
            return Ok(Verdict::Unknown {
                reason: format!(
                    "refused by the authenticators kauth models ({}), but the server also tries {}, which kauth does not model",
                    reasons.join("; "),
                    others.join(", ")
                ),
            });
        }
    }
    Ok(verdict)
}

/// kauth's prediction for a resolved client, with the server flags given.
pub fn predict(
    resolved: &kauth_client::resolve::Resolved,
    server: &ServerArgs,
) -> Result<Option<Verdict>, CliError> {
    Ok(resolved.predict(&server.server_config()?, server.now()))
}

/// `--rbac PATH...` and `--no-defaults`.
#[derive(Debug, Args, Clone, Default)]
pub struct PolicyArgs {
    /// RBAC objects: YAML or JSON files, or directories of them (repeatable)
    #[arg(long = "rbac", value_name = "PATH")]
    pub rbac: Vec<PathBuf>,
    /// Leave out kube-apiserver's default ClusterRoles and bindings
    #[arg(long = "no-defaults")]
    pub no_defaults: bool,
}

impl PolicyArgs {
    pub fn load(&self) -> Result<kauth_auth::authz::rbac::Policy, CliError> {
        let (policy, _) = kauth_store::rbac::load(&self.rbac, self.no_defaults)
            .map_err(|e| CliError::from_error(&e))?;
        Ok(policy)
    }
}
