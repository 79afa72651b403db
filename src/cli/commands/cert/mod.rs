//! `kauth cert`: sign, issue and inspect client certificates.

mod inspect;
mod issue;
mod request;
mod sign;

use clap::{Args, Subcommand};
use time::OffsetDateTime;

use crate::cli::{CliError, CliResult, GlobalArgs};
use kauth_auth::UserInfo;
use kauth_auth::authn::x509::{self, Cert};
use kauth_pki::name::Subject;

#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Sign a CSR with a CA as a client certificate
    #[command(
        after_help = "Examples:\n  kauth cert sign --csr kfree.csr --ca ca.crt --ca-key ca.key --days 30 -o kfree.crt"
    )]
    Sign(sign::SignArgs),
    /// Make a key and a CA-signed client certificate in one step
    #[command(
        after_help = "Examples:\n  kauth cert issue --cn kfree --group dev\n  kauth cert issue --cn kfree --group dev --ca /etc/kubernetes/pki/ca.crt --ca-key /etc/kubernetes/pki/ca.key --ttl 24h\n  kauth cert issue --cn kfree --set-credentials kfree --set-context kfree@lab --cluster lab"
    )]
    Issue(issue::IssueArgs),
    /// Show a certificate and the identity the API server gives it
    #[command(
        after_help = "Examples:\n  kauth cert inspect kfree.crt\n  kauth cert inspect kfree.crt --ca ca.crt -o json\n  kauth cert inspect --user kubernetes-admin"
    )]
    Inspect(inspect::InspectArgs),
    /// Get a client certificate through the CertificateSigningRequest API
    #[command(
        after_help = "Examples:\n  kauth cert request --cn kfree --group dev --approve\n  kauth cert request --cn kfree --group dev --expiration 24h --set-credentials kfree --set-context kfree@prod --cluster prod\n  kauth cert request --cn ci --key ci.key --wait 5m    # someone else approves\n\nWithout the CA key: the API server's signer (kube-controller-manager) signs it once approved."
    )]
    Request(request::RequestArgs),
    /// List CertificateSigningRequests with the identity each asks for
    #[command(after_help = "Examples:\n  kauth cert requests")]
    Requests(request::ListArgs),
    /// Approve CertificateSigningRequests
    #[command(after_help = "Examples:\n  kauth cert approve kauth-kfree")]
    Approve(request::DecideArgs),
    /// Deny CertificateSigningRequests
    #[command(after_help = "Examples:\n  kauth cert deny kauth-kfree --reason NotOurUser")]
    Deny(request::DecideArgs),
}

pub fn run(cmd: CertCommand, global: &GlobalArgs) -> CliResult {
    match cmd {
        CertCommand::Sign(args) => sign::run(args),
        CertCommand::Issue(args) => issue::run(args, global),
        CertCommand::Inspect(args) => inspect::run(args, global),
        CertCommand::Request(args) => request::request(args, global),
        CertCommand::Requests(args) => request::list(args, global),
        CertCommand::Approve(args) => request::approve_or_deny(args, global, true),
        CertCommand::Deny(args) => request::approve_or_deny(args, global, false),
    }
}

/// The identity flags of `csr create` and `cert issue`.
#[derive(Debug, Args, Clone)]
pub struct IdentityArgs {
    /// The user name (the certificate's CN)
    #[arg(long, value_name = "USER")]
    pub cn: String,
    /// A group (an O entry); repeat for several
    #[arg(long = "group", value_name = "GROUP")]
    pub groups: Vec<String>,
    /// The user's UID (read by kube-apiserver 1.33+)
    #[arg(long)]
    pub uid: Option<String>,
}

impl IdentityArgs {
    pub fn subject(&self) -> Result<Subject, CliError> {
        if self.cn.trim().is_empty() {
            return Err(CliError::new(
                "--cn: a user name is required (the API server ignores certificates without one)",
            ));
        }
        if let Some(g) = self.groups.iter().find(|g| g.is_empty()) {
            return Err(CliError::new(format!("--group: empty group name {g:?}")));
        }
        Ok(Subject::new(
            self.cn.clone(),
            &self.groups,
            self.uid.as_deref(),
        ))
    }
}

/// `valid until 2027-11-23T12:00:00Z (in 364 days)` on stderr.
pub fn print_validity(der: &[u8], now: OffsetDateTime) {
    if let Ok(f) = kauth_pki::inspect::facts(der)
        && let Some(end) = f.not_after_time
    {
        eprintln!(
            "valid until {}",
            crate::cli::pki_io::describe_expiry(end, now)
        );
    }
}

/// The user the API server would give `leaf` when its client CA bundle is
/// `roots` (an error text when it would refuse the certificate).
pub fn identity(
    leaf_der: &[u8],
    intermediates: &[Vec<u8>],
    roots: &[Vec<u8>],
    now: OffsetDateTime,
) -> Result<UserInfo, String> {
    let leaf = Cert::from_der(leaf_der).map_err(|e| e.to_string())?;
    let parse = |list: &[Vec<u8>]| -> Result<Vec<Cert>, String> {
        list.iter()
            .map(|d| Cert::from_der(d).map_err(|e| e.to_string()))
            .collect()
    };
    let intermediates = parse(intermediates)?;
    let roots = parse(roots)?;
    x509::verify(&leaf, &intermediates, &roots, now).map_err(|e| e.to_string())?;
    x509::user_from_certificate(&leaf)
        .map(UserInfo::with_authenticated_group)
        .map_err(|e| e.to_string())
}
