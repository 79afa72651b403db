//! `kauth sa`: ServiceAccount tokens from Secrets or the TokenRequest API,
//! and kubeconfigs built from them.

use std::time::Duration as StdDuration;

use clap::{Args, Subcommand};
use serde_json::Value;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::cli::connection::{ConnectionArgs, api_error, connect};
use crate::cli::output::Spinner;
use crate::cli::{CliError, CliResult, GlobalArgs, error::EXIT_NO, pki_io};
use kauth_auth::authn::jwt::Jwt;
use kauth_auth::authn::service_account;
use kauth_auth::sa::{self, BoundObject, Choice, TokenRequestSpec};
use kauth_client::Client;
use kauth_client::api::serviceaccounts::IssuedToken;
use kauth_store::files::{self, Access, Output};
use kauth_store::kubeconfig::{self, PathOptions};

#[derive(Debug, Subcommand)]
pub enum SaCommand {
    /// Print a ServiceAccount's token: from its token Secret, else a TokenRequest
    #[command(
        after_help = "Examples:\n  TOKEN=$(kauth sa token test/sa1)\n  kauth sa token sa1 -n test --request --duration 1h --audience vault\n  kauth sa token test/sa1 --bound-object-kind Pod --bound-object-name web-0\n  kubectl get secrets -n test -o yaml | kauth sa token test/sa1 --from-file -\n\nThe token alone goes to standard output; where it came from, its identity and expiry to\nstandard error."
    )]
    Token(TokenArgs),
    /// Write a kubeconfig that authenticates as a ServiceAccount (TokenRequest token)
    #[command(
        after_help = "Examples:\n  kauth sa kubeconfig test/sa1 -o sa1.kubeconfig --duration 24h\n  kauth sa kubeconfig test/ci --ca-from-secret > ci.kubeconfig"
    )]
    Kubeconfig(KubeconfigArgs),
    /// Create a long-lived token Secret and wait for the token controller to fill it
    #[command(
        name = "create-token-secret",
        after_help = "Examples:\n  kauth sa create-token-secret test/sa1\n  kauth sa create-token-secret test/ci --name ci-token --timeout 1m\n\nLong-lived tokens never expire; prefer `kauth sa token --request` where the client can renew."
    )]
    CreateTokenSecret(CreateSecretArgs),
}

/// What a TokenRequest asks for.
#[derive(Debug, Args, Clone, Default)]
pub struct RequestArgs {
    /// Token lifetime (at least 10m; the server may shorten it)
    #[arg(long, value_name = "DURATION", value_parser = pki_io::parse_duration)]
    pub duration: Option<time::Duration>,
    /// An audience for the token (repeatable; default: the API server's)
    #[arg(long = "audience", value_name = "AUD")]
    pub audiences: Vec<String>,
    /// Bind the token to an object: Pod, Secret or Node
    #[arg(
        long = "bound-object-kind",
        value_name = "KIND",
        requires = "bound_object_name"
    )]
    pub bound_object_kind: Option<String>,
    /// The name of the object to bind to
    #[arg(
        long = "bound-object-name",
        value_name = "NAME",
        requires = "bound_object_kind"
    )]
    pub bound_object_name: Option<String>,
    /// The UID of the object to bind to
    #[arg(
        long = "bound-object-uid",
        value_name = "UID",
        requires = "bound_object_kind"
    )]
    pub bound_object_uid: Option<String>,
}

impl RequestArgs {
    fn given(&self) -> bool {
        self.duration.is_some() || !self.audiences.is_empty() || self.bound_object_kind.is_some()
    }

    fn spec(&self) -> Result<TokenRequestSpec, CliError> {
        let expiration = self.duration.map(|d| d.whole_seconds());
        if let Some(s) = expiration
            && s < sa::MIN_EXPIRATION_SECONDS
        {
            return Err(CliError::new(format!(
                "--duration: the API server refuses tokens shorter than 10 minutes ({s}s given)"
            )));
        }
        let bound = match (&self.bound_object_kind, &self.bound_object_name) {
            (Some(kind), Some(name)) => {
                sa::check_bound_kind(kind)
                    .map_err(|e| CliError::new(format!("--bound-object-kind: {e}")))?;
                Some(BoundObject {
                    kind: kind.clone(),
                    name: name.clone(),
                    uid: self.bound_object_uid.clone().unwrap_or_default(),
                })
            }
            _ => None,
        };
        Ok(TokenRequestSpec {
            audiences: self.audiences.clone(),
            expiration_seconds: expiration,
            bound_object: bound,
        })
    }
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// NAMESPACE/NAME, or NAME with -n
    pub target: String,
    /// Always ask the TokenRequest API (implied by --duration, --audience, --bound-object-*)
    #[arg(long, conflicts_with = "from_file")]
    pub request: bool,
    #[command(flatten)]
    pub token_request: RequestArgs,
    /// Offline: find the token in Secrets printed by kubectl (YAML or JSON, a List too), `-` for stdin
    #[arg(long = "from-file", value_name = "FILE")]
    pub from_file: Option<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct KubeconfigArgs {
    /// NAMESPACE/NAME, or NAME with -n
    pub target: String,
    #[command(flatten)]
    pub token_request: RequestArgs,
    /// Trust the CA in the ServiceAccount's token Secret (ca.crt) instead of the context's
    #[arg(long = "ca-from-secret")]
    pub ca_from_secret: bool,
    /// Where to write it (mode 0600); default: standard output
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: Option<String>,
    /// Overwrite an existing file
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct CreateSecretArgs {
    /// NAMESPACE/NAME, or NAME with -n
    pub target: String,
    /// The Secret's name (default: NAME-token)
    #[arg(long)]
    pub name: Option<String>,
    /// How long to wait for the token controller
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = pki_io::parse_duration)]
    pub timeout: time::Duration,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

pub fn run(cmd: SaCommand, global: &GlobalArgs) -> CliResult {
    match cmd {
        SaCommand::Token(args) => token(args, global),
        SaCommand::Kubeconfig(args) => kubeconfig_cmd(args, global),
        SaCommand::CreateTokenSecret(args) => create_token_secret(args, global),
    }
}

/// The namespace and name, with kubectl's namespace rules for NAME alone.
fn target(text: &str, global: &GlobalArgs) -> Result<(String, String), CliError> {
    if text.contains('/') && global.namespace.is_some() {
        return Err(CliError::new(format!(
            "{text:?} names its namespace; leave out -n"
        )));
    }
    let ns = global.namespace.clone().unwrap_or_else(|| {
        kubeconfig::context_namespace(
            &PathOptions::from_env(global.kubeconfig.as_deref()),
            global.context.as_deref(),
        )
    });
    sa::parse_target(text, &ns).map_err(CliError::new)
}

fn token(args: TokenArgs, global: &GlobalArgs) -> CliResult {
    let (ns, name) = target(&args.target, global)?;
    let now = OffsetDateTime::now_utc();
    if let Some(file) = &args.from_file {
        let docs = read_documents(file)?;
        let objects: Vec<&Value> = docs.iter().flat_map(sa::objects).collect();
        let choice = sa::choose(&objects, &ns, &name, None);
        report_passed_over(&choice);
        let Some(secret) = choice.secret else {
            return Err(CliError::new(format!(
                "{file}: no usable token Secret for ServiceAccount {ns}/{name} (type {}, annotation {}={name})",
                sa::TOKEN_SECRET_TYPE,
                sa::NAME_ANNOTATION
            )));
        };
        let token = secret.token.clone().unwrap_or_default();
        println!("{}", token.as_str());
        eprintln!("kauth: the token of Secret {ns}/{} in {file}", secret.name);
        describe_token(&token, now);
        return Ok(());
    }
    let resolved = args.connection.resolve(global)?;
    let client = connect(&resolved)?;
    if !args.request && !args.token_request.given() {
        let choice = find_secret(&client, &ns, &name)?;
        report_passed_over(&choice);
        if let Some(secret) = choice.secret {
            let token = secret.token.clone().unwrap_or_default();
            println!("{}", token.as_str());
            eprintln!(
                "kauth: the token of Secret {ns}/{} (legacy, long-lived{})",
                secret.name,
                secret
                    .last_used
                    .as_deref()
                    .map(|d| format!("; last used {d}"))
                    .unwrap_or_default()
            );
            describe_token(&token, now);
            return Ok(());
        }
        eprintln!(
            "kauth: ServiceAccount {ns}/{name} has no usable token Secret; asking the TokenRequest API"
        );
    }
    let IssuedToken { token, expires } = request_token(&client, &ns, &name, &args.token_request)?;
    println!("{}", token.as_str());
    eprintln!(
        "kauth: a TokenRequest token{}",
        expires
            .map(|e| format!(", expires {e}"))
            .unwrap_or_default()
    );
    describe_token(&token, now);
    Ok(())
}

/// The ServiceAccount's token Secrets, listed by type (not only those in
/// `.secrets[]`), and the one to use.
fn find_secret(client: &Client, ns: &str, name: &str) -> Result<Choice, CliError> {
    let uid = match client.get_service_account(ns, name) {
        Ok(account) => account.uid,
        Err(e) if e.is_not_found() => {
            return Err(
                CliError::new(format!("serviceaccount {ns}/{name} not found")).code(EXIT_NO),
            );
        }
        Err(e) if e.is_forbidden() => {
            eprintln!(
                "kauth: cannot read the ServiceAccount ({e}); Secrets of an earlier one of that name cannot be told apart"
            );
            None
        }
        Err(e) => return Err(api_error(&e)),
    };
    match client.list_token_secrets(ns) {
        Ok(secrets) => {
            let objects: Vec<&Value> = secrets.iter().collect();
            Ok(sa::choose(&objects, ns, name, uid.as_deref()))
        }
        Err(e) if e.is_forbidden() => {
            eprintln!("kauth: cannot list Secrets in {ns} ({e})");
            Ok(Choice::default())
        }
        Err(e) => Err(api_error(&e)),
    }
}

fn report_passed_over(choice: &Choice) {
    for p in &choice.passed_over {
        eprintln!("warning: {p}");
    }
}

/// A TokenRequest for the flags.
fn request_token(
    client: &Client,
    ns: &str,
    name: &str,
    args: &RequestArgs,
) -> Result<IssuedToken, CliError> {
    let spec = args.spec()?;
    client.create_token_request(ns, name, &spec).map_err(|e| {
        if e.is_not_found() {
            CliError::new(format!("serviceaccount {ns}/{name} not found")).code(EXIT_NO)
        } else {
            api_error(&e)
        }
    })
}

/// The identity and expiry of a token, on stderr.
fn describe_token(token: &str, now: OffsetDateTime) {
    let Ok(jwt) = Jwt::parse(token) else {
        eprintln!("  (not a JWT)");
        return;
    };
    // Only refusals matter here: kauth has no keys to check with.
    let review = service_account::review(token, &service_account::Options::default(), now)
        .ok()
        .map(|mut r| {
            r.checks
                .retain(|c| matches!(c, service_account::Check::Failed(_)));
            r
        });
    for line in super::token::describe(&jwt, review.as_ref(), None, now) {
        eprintln!("  {line}");
    }
}

fn read_documents(file: &str) -> Result<Vec<Value>, CliError> {
    let bytes = files::read_input(file).map_err(|e| CliError::from_error(&e))?;
    let text = String::from_utf8(bytes).map_err(|_| CliError::new(format!("{file}: not text")))?;
    let docs = kauth_formats::yaml::parse_documents(&text)
        .map_err(|e| CliError::new(format!("{file}: {e}")))?;
    Ok(docs
        .iter()
        .map(kauth_formats::yaml::to_json)
        .filter(|v| !v.is_null())
        .collect())
}

fn kubeconfig_cmd(args: KubeconfigArgs, global: &GlobalArgs) -> CliResult {
    let (ns, name) = target(&args.target, global)?;
    let resolved = args.connection.resolve(global)?;
    let client = connect(&resolved)?;
    let mut ca_pem: Vec<u8> = resolved
        .settings
        .tls
        .ca
        .iter()
        .flatten()
        .flat_map(|der| kauth_pki::cert::to_pem("CERTIFICATE", der).into_bytes())
        .collect();
    if args.ca_from_secret {
        let choice = find_secret(&client, &ns, &name)?;
        ca_pem = choice.secret.and_then(|s| s.ca_crt).ok_or_else(|| {
            CliError::new(format!(
                "--ca-from-secret: ServiceAccount {ns}/{name} has no token Secret with a ca.crt"
            ))
        })?;
    }
    let mut request = args.token_request.clone();
    if request.duration.is_none() {
        request.duration = Some(time::Duration::hours(24));
    }
    let IssuedToken { token, expires } = request_token(&client, &ns, &name, &request)?;
    let cluster = sa::ClusterAccess {
        name: if resolved.cluster.is_empty() {
            "cluster".into()
        } else {
            resolved.cluster.clone()
        },
        server: resolved.settings.server.clone(),
        ca_pem,
        tls_server_name: resolved
            .settings
            .tls
            .server_name
            .clone()
            .unwrap_or_default(),
        insecure: resolved.settings.tls.insecure,
        proxy_url: resolved.settings.proxy.clone().unwrap_or_default(),
    };
    let config = sa::kubeconfig(&cluster, &ns, &name, &token);
    let yaml = Zeroizing::new(kauth_kubeconfig::model::to_yaml(&config));
    match args.out.as_deref() {
        None | Some("-") => print!("{}", yaml.as_str()),
        Some(out) => {
            files::write_all(
                &[Output {
                    path: out.as_ref(),
                    contents: yaml.as_bytes(),
                    access: Access::Private,
                }],
                args.force,
            )
            .map_err(|e| CliError::from_error(&e))?;
            eprintln!("wrote {out} (mode 0600)");
        }
    }
    eprintln!(
        "kauth: context {name}@{} authenticates as system:serviceaccount:{ns}:{name}{}",
        cluster.name,
        expires
            .map(|e| format!("; the token expires {e}"))
            .unwrap_or_default()
    );
    Ok(())
}

fn create_token_secret(args: CreateSecretArgs, global: &GlobalArgs) -> CliResult {
    let (ns, name) = target(&args.target, global)?;
    let secret_name = args.name.clone().unwrap_or_else(|| format!("{name}-token"));
    let resolved = args.connection.resolve(global)?;
    let client = connect(&resolved)?;
    match client.get_service_account(&ns, &name) {
        Ok(_) => {}
        Err(e) if e.is_not_found() => {
            return Err(CliError::new(format!(
                "serviceaccount {ns}/{name} not found (the token controller deletes token Secrets of missing ServiceAccounts)"
            ))
            .code(EXIT_NO));
        }
        Err(e) => return Err(api_error(&e)),
    }
    client
        .create_token_secret(&ns, &secret_name, &name)
        .map_err(|e| {
            if e.is_conflict() {
                CliError::new(format!("secret {ns}/{secret_name} already exists"))
                    .code(EXIT_NO)
                    .hint(format!(
                        "`kauth sa token {ns}/{name}` prints its token; --name picks another name"
                    ))
            } else {
                api_error(&e)
            }
        })?;
    println!("secret/{secret_name} created");
    eprintln!(
        "warning: the token in {ns}/{secret_name} never expires; delete the Secret to revoke it"
    );
    let timeout = StdDuration::from_secs_f64(args.timeout.as_seconds_f64());
    let mut spinner = Spinner::new(format!(
        "waiting for the token controller to fill {ns}/{secret_name}"
    ));
    let filled = client
        .wait_for_token_secret(&ns, &secret_name, &name, timeout, || spinner.tick())
        .map_err(|e| api_error(&e))?;
    spinner.finish("");
    if filled.is_some() {
        eprintln!("kauth: the token is ready: `kauth sa token {ns}/{name}` prints it");
        return Ok(());
    }
    Err(CliError::new(format!(
        "no controller filled secret {ns}/{secret_name} with a token within {}: kube-controller-manager's token controller is not running or has no --service-account-private-key-file",
        pki_io::human(args.timeout)
    ))
    .code(EXIT_NO)
    .hint(format!(
        "the Secret was left in place (kubectl delete secret -n {ns} {secret_name}); `kauth sa token {ns}/{name} --request` needs no controller"
    )))
}
