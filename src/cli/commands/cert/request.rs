//! `kauth cert request|requests|approve|deny`: client certificates through
//! the CertificateSigningRequest API, for clusters whose CA key you do not
//! hold.

use std::path::{Path, PathBuf};
use std::time::Duration as StdDuration;

use clap::Args;
use time::{Duration, OffsetDateTime};

use super::IdentityArgs;
use super::issue::{file_stem, write_kubeconfig};
use crate::cli::connection::{ConnectionArgs, CredentialFlags, TargetArgs, api_error, connect};
use crate::cli::output::{Spinner, TabWriter, describe_user};
use crate::cli::{CliError, CliResult, GlobalArgs, error::EXIT_NO, pki_io};
use kauth_auth::authz::explain;
use kauth_auth::authz::rbac::Attributes;
use kauth_client::Client;
use kauth_client::api::ApiError;
use kauth_client::api::certificatesigningrequests::{
    Decided, DecisionError, Progress, WaitOutcome,
};
use kauth_pki::cert;
use kauth_pki::csr_api::{self, NewRequest, State};
use kauth_pki::key::{KeyAlgorithm, PrivateKey};
use kauth_store::files::{self, Access, Output};

#[derive(Debug, Args)]
pub struct RequestArgs {
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// Use this key (made there when the file does not exist)
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Key algorithm for a new key: rsa, ecdsa-p256, ecdsa-p384 or ed25519
    #[arg(long, default_value = "ecdsa-p256")]
    pub algorithm: String,
    /// The CertificateSigningRequest's name (default: kauth-USER)
    #[arg(long)]
    pub name: Option<String>,
    /// How long the certificate should last (at least 10m; default: the signer's)
    #[arg(long, value_name = "DURATION", value_parser = pki_io::parse_duration)]
    pub expiration: Option<Duration>,
    /// The signer (kube-apiserver trusts kubernetes.io/kube-apiserver-client)
    #[arg(long, default_value = csr_api::CLIENT_SIGNER)]
    pub signer: String,
    /// Approve it yourself (needs update on certificatesigningrequests/approval)
    #[arg(long)]
    pub approve: bool,
    /// How long to wait for approval and signing
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = pki_io::parse_wait)]
    pub wait: Duration,
    /// Directory for USER.key and USER.crt
    #[arg(long = "out-dir", value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
    /// Overwrite existing files
    #[arg(long)]
    pub force: bool,
    /// Also write the certificate and key, embedded, as this kubeconfig user
    #[arg(long = "set-credentials", value_name = "NAME")]
    pub set_credentials: Option<String>,
    /// Also create or update this context for the user (with --cluster)
    #[arg(
        long = "set-context",
        value_name = "NAME",
        requires = "set_credentials"
    )]
    pub set_context: Option<String>,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    /// CertificateSigningRequest names
    #[arg(required = true)]
    pub names: Vec<String>,
    /// Update even if it already carries the condition
    #[arg(long)]
    pub force: bool,
    /// The reason recorded in the condition
    #[arg(long)]
    pub reason: Option<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

fn in_dir(dir: &Path, file: String) -> PathBuf {
    if dir == Path::new(".") {
        PathBuf::from(file)
    } else {
        dir.join(file)
    }
}

pub fn request(args: RequestArgs, global: &GlobalArgs) -> CliResult {
    let subject = args.identity.subject()?;
    let stem = file_stem(&subject.common_name);
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| format!("kauth-{}", stem.to_lowercase()));
    let expiration = args.expiration.map(|d| d.whole_seconds());
    if let Some(s) = expiration.filter(|s| *s < csr_api::MIN_EXPIRATION_SECONDS) {
        return Err(CliError::new(format!(
            "--expiration: the API server refuses less than 10 minutes ({s}s given)"
        )));
    }
    let cert_path = in_dir(&args.out_dir, format!("{stem}.crt"));
    let (key, key_path, new_key) = match &args.key {
        Some(p) if p.exists() => (
            pki_io::read_key(&p.display().to_string())?,
            p.clone(),
            false,
        ),
        Some(p) => (generate(&args.algorithm)?, p.clone(), true),
        None => (
            generate(&args.algorithm)?,
            in_dir(&args.out_dir, format!("{stem}.key")),
            true,
        ),
    };
    // Refuse before anything is sent.
    let mut targets = vec![cert_path.as_path()];
    if new_key {
        targets.push(key_path.as_path());
    }
    files::check_writable(&targets, args.force).map_err(|e| CliError::from_error(&e))?;
    let csr_der = cert::build_csr(&subject, &key).map_err(|e| CliError::from_error(&e))?;
    let csr_pem = cert::to_pem("CERTIFICATE REQUEST", &csr_der);
    let spki = key.public_key_der().map_err(|e| CliError::from_error(&e))?;

    let resolved = args
        .target
        .resolve_with(&CredentialFlags::default(), global)?;
    let client = connect(&resolved)?;
    let new_request = NewRequest {
        name: name.clone(),
        csr_pem,
        signer: args.signer.clone(),
        expiration_seconds: expiration,
    };
    match client.create_csr(&new_request) {
        Ok(created) => eprintln!(
            "created certificatesigningrequest {name} (requested by {})",
            csr_api::requestor(&created).unwrap_or("?")
        ),
        Err(e) if e.is_conflict() => resume_or_explain(&client, &name, &spki)?,
        Err(e) if e.is_forbidden() => return Err(forbidden(&client, &e, "create", "")),
        Err(e) => return Err(api_error(&e)),
    }
    if new_key {
        let pem = key.to_pem();
        files::write_all(
            &[Output {
                path: &key_path,
                contents: pem.as_bytes(),
                access: Access::Private,
            }],
            args.force,
        )
        .map_err(|e| CliError::from_error(&e))?;
        eprintln!("wrote {} (mode 0600)", key_path.display());
    }
    if args.approve {
        decide(&client, &name, true, "KauthApprove", false)?;
    }
    let cert_pem = wait_for_certificate(&client, &name, &args.signer, args.wait, args.approve)?;
    let chain = cert::certificates_from_pem(&cert_pem)
        .map_err(|e| CliError::new(format!("the issued certificate: {e}")))?;
    let leaf = chain
        .first()
        .ok_or_else(|| CliError::new("the issued certificate is empty"))?;
    let (_, parsed) = x509_parser::parse_x509_certificate(leaf)
        .map_err(|e| CliError::new(format!("the issued certificate: {e}")))?;
    if parsed.public_key().raw != spki.as_slice() {
        return Err(CliError::new(format!(
            "the certificate issued for {name} is not for {}'s key: the request was replaced or the signer misbehaved",
            key_path.display()
        )));
    }
    files::write_all(
        &[Output {
            path: &cert_path,
            contents: &cert_pem,
            access: Access::Public,
        }],
        args.force,
    )
    .map_err(|e| CliError::from_error(&e))?;
    eprintln!("wrote {}", cert_path.display());
    report_identity(leaf, &resolved.settings.tls.ca);
    if let Some(user) = &args.set_credentials {
        write_kubeconfig(
            global,
            user,
            args.set_context.as_deref(),
            &cert_pem,
            key.to_pem().as_bytes(),
        )?;
    }
    println!("{}", cert_path.display());
    Ok(())
}

fn generate(algorithm: &str) -> Result<PrivateKey, CliError> {
    let alg = KeyAlgorithm::parse(algorithm, 2048)
        .map_err(|e| CliError::new(format!("--algorithm: {e}")))?;
    PrivateKey::generate(alg).map_err(|e| CliError::from_error(&e))
}

/// A CSR of that name exists: carry on when it is this key's, else say
/// whose it is.
fn resume_or_explain(client: &Client, name: &str, spki: &[u8]) -> Result<(), CliError> {
    let existing = client.get_csr(name).map_err(|e| api_error(&e))?;
    if csr_api::requested_key(&existing).as_deref() == Some(spki) {
        eprintln!("certificatesigningrequest {name} exists for this key; carrying on with it");
        return Ok(());
    }
    let row = csr_api::row(&existing, OffsetDateTime::now_utc());
    Err(CliError::new(format!(
        "certificatesigningrequest {name} already exists for another key (requested by {}, for {}, {}, {} old)",
        row.requestor, row.identity, row.condition, row.age
    ))
    .code(EXIT_NO)
    .hint(format!("pick another name with --name, or delete it: kubectl delete csr {name}")))
}

/// A 403, with the permission that is missing and a ClusterRole that
/// grants it.
fn forbidden(client: &Client, e: &ApiError, verb: &str, subresource: &str) -> CliError {
    let mut err = api_error(e);
    let user = client.self_subject_review().unwrap_or_default();
    let attrs = Attributes {
        user,
        verb: verb.into(),
        is_resource_request: true,
        api_group: "certificates.k8s.io".into(),
        resource: "certificatesigningrequests".into(),
        subresource: subresource.into(),
        ..Attributes::default()
    };
    let mut hint = format!(
        "needs `{verb}` on certificatesigningrequests{} (cluster scope); this would allow it:\n{}",
        if subresource.is_empty() {
            String::new()
        } else {
            format!("/{subresource}")
        },
        explain::suggestion(&attrs)
    );
    if subresource == "approval" {
        hint.push_str(&format!(
            "\nand `approve` on signers.certificates.k8s.io, resourceNames [{}]",
            csr_api::CLIENT_SIGNER
        ));
    }
    err = err.hint(hint);
    err
}

/// Appends an Approved or Denied condition (PUT .../approval); false
/// when it was already there.
fn decide(
    client: &Client,
    name: &str,
    approve: bool,
    reason: &str,
    force: bool,
) -> Result<bool, CliError> {
    let decided = if approve {
        client.approve_csr(name, reason, force)
    } else {
        client.deny_csr(name, reason, force)
    };
    match decided {
        Ok(d) => Ok(d == Decided::Recorded),
        Err(DecisionError::Read(e)) if e.is_not_found() => {
            Err(CliError::new(format!("certificatesigningrequest {name} not found")).code(EXIT_NO))
        }
        Err(DecisionError::Read(e)) => Err(api_error(&e)),
        Err(DecisionError::Contradicted) => Err(CliError::new(format!(
            "certificatesigningrequest {name} is already {}: Approved and Denied are exclusive",
            if approve { "denied" } else { "approved" }
        ))
        .code(EXIT_NO)),
        Err(DecisionError::Update(e)) if e.is_forbidden() => {
            Err(forbidden(client, &e, "update", "approval"))
        }
        Err(DecisionError::Update(e)) => Err(api_error(&e)),
    }
}

/// Waits for the certificate; diagnoses denial, failure, and an approval
/// no signer acts on.
fn wait_for_certificate(
    client: &Client,
    name: &str,
    signer: &str,
    wait: Duration,
    approved_by_us: bool,
) -> Result<Vec<u8>, CliError> {
    let timeout = StdDuration::from_secs_f64(wait.as_seconds_f64().max(0.0));
    let mut spinner = Spinner::new(format!("waiting for {name} to be approved and signed"));
    let mut said_pending = approved_by_us;
    let outcome = client
        .wait_for_certificate(name, timeout, |p| match p {
            Progress::Polled(State::Pending) if !said_pending => {
                spinner.finish("");
                eprintln!(
                    "waiting for an approver: kubectl certificate approve {name} (or kauth cert approve {name})"
                );
                said_pending = true;
            }
            Progress::Polled(_) => {}
            Progress::Tick => spinner.tick(),
        })
        .map_err(|e| api_error(&e))?;
    spinner.finish("");
    let waited = pki_io::human(wait);
    match outcome {
        WaitOutcome::Issued(pem) => Ok(pem),
        WaitOutcome::Denied { reason, message } => Err(CliError::new(format!(
            "certificatesigningrequest {name} was denied ({reason}): {message}"
        ))
        .code(EXIT_NO)),
        WaitOutcome::Failed { reason, message } => Err(CliError::new(format!(
            "the signer failed certificatesigningrequest {name} ({reason}): {message}"
        ))
        .code(EXIT_NO)),
        WaitOutcome::TimedOut { approved: true } => Err(CliError::new(format!(
            "certificatesigningrequest {name} is approved but no certificate was issued after {waited}: no signer is running for {signer}"
        ))
        .code(EXIT_NO)
        .hint(if signer == csr_api::CLIENT_SIGNER {
            "kube-controller-manager signs it with --cluster-signing-cert-file/--cluster-signing-key-file (kubeadm's default); managed control planes (EKS, GKE, AKS) do not: use their IAM/OIDC access, or a ServiceAccount (`kauth sa kubeconfig`)".to_string()
        } else {
            format!("a controller for the signer {signer} must be installed and watching")
        })),
        WaitOutcome::TimedOut { approved: false } => Err(CliError::new(format!(
            "certificatesigningrequest {name} is still pending after {waited}: nobody approved it"
        ))
        .code(EXIT_NO)
        .hint(format!(
            "approve it (kubectl certificate approve {name}), then run the same command again with --key to pick it up"
        ))),
    }
}

/// Who the API server will take the certificate for.
fn report_identity(leaf: &[u8], cluster_ca: &Option<Vec<Vec<u8>>>) {
    let now = OffsetDateTime::now_utc();
    super::print_validity(leaf, now);
    let roots = cluster_ca.as_deref().unwrap_or(&[]);
    match super::identity(leaf, &[], roots, now) {
        Ok(user) => eprintln!("the API server will see {}", describe_user(&user)),
        Err(e) if roots.is_empty() => {
            eprintln!("kauth cannot check the chain (no cluster CA in the kubeconfig): {e}")
        }
        Err(e) => eprintln!(
            "warning: the certificate does not chain to the cluster's CA ({e}); it works only if the server's --client-ca-file holds the signer's CA"
        ),
    }
}

pub fn list(args: ListArgs, global: &GlobalArgs) -> CliResult {
    let resolved = args.connection.resolve(global)?;
    let client = connect(&resolved)?;
    let items = client.list_csrs().map_err(|e| api_error(&e))?;
    if items.is_empty() {
        eprintln!("No resources found");
        return Ok(());
    }
    let now = OffsetDateTime::now_utc();
    let mut t = TabWriter::kubectl();
    t.row([
        "NAME",
        "AGE",
        "SIGNERNAME",
        "REQUESTOR",
        "REQUESTEDDURATION",
        "IDENTITY",
        "CONDITION",
    ]);
    for item in &items {
        let r = csr_api::row(item, now);
        t.row([
            r.name,
            r.age,
            r.signer,
            r.requestor,
            r.duration,
            r.identity,
            r.condition,
        ]);
    }
    print!("{}", t.render());
    Ok(())
}

pub fn approve_or_deny(args: DecideArgs, global: &GlobalArgs, approve: bool) -> CliResult {
    let resolved = args.connection.resolve(global)?;
    let client = connect(&resolved)?;
    let default_reason = if approve { "KauthApprove" } else { "KauthDeny" };
    let reason = args.reason.as_deref().unwrap_or(default_reason);
    for name in &args.names {
        let changed = decide(&client, name, approve, reason, args.force)?;
        let verb = if approve { "approved" } else { "denied" };
        println!("certificatesigningrequest.certificates.k8s.io/{name} {verb}");
        if !changed {
            eprintln!("kauth: {name} was already {verb}");
        }
    }
    Ok(())
}
