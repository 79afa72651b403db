//! `kauth cert sign`: the `openssl x509 -req -CA ca.crt -CAkey ca.key` step.

use clap::Args;
use time::{Duration, OffsetDateTime};

use crate::cli::output::describe_user;
use crate::cli::{CliError, CliResult, pki_io};
use kauth_pki::ca::Ca;
use kauth_pki::cert;
use kauth_store::files::Access;

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The certificate request to sign (its signature is checked first)
    #[arg(long, value_name = "FILE")]
    pub csr: String,
    /// The CA certificate
    #[arg(long, value_name = "FILE")]
    pub ca: String,
    /// The CA's private key
    #[arg(long = "ca-key", value_name = "FILE")]
    pub ca_key: String,
    /// Validity in days
    #[arg(long, conflicts_with = "ttl")]
    pub days: Option<u32>,
    /// Validity as a duration (24h, 30d, ...)
    #[arg(long, value_parser = pki_io::parse_duration)]
    pub ttl: Option<Duration>,
    /// Where to write the certificate (`-` for standard output)
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: String,
    /// Overwrite an existing file
    #[arg(long)]
    pub force: bool,
}

pub const DEFAULT_VALIDITY: Duration = Duration::days(365);

pub fn load_ca(cert_path: &str, key_path: &str) -> Result<Ca, CliError> {
    let certs = pki_io::read_certs(cert_path)?;
    let key = pki_io::read_key(key_path)?;
    Ca::new(certs[0].clone(), key)
        .map_err(|e| CliError::new(format!("--ca {cert_path} / --ca-key {key_path}: {e}")))
}

pub fn run(args: SignArgs) -> CliResult {
    let csr = pki_io::read_csr(&args.csr)?;
    let ca = load_ca(&args.ca, &args.ca_key)?;
    let now = OffsetDateTime::now_utc();
    let validity = pki_io::validity(args.days, args.ttl, DEFAULT_VALIDITY);
    let der = ca
        .sign_client(csr.subject_der.clone(), &csr.public_key_der, now, validity)
        .map_err(|e| CliError::from_error(&e))?;
    pki_io::write_pem(
        &args.out,
        &cert::to_pem("CERTIFICATE", &der),
        Access::Public,
        args.force,
    )?;
    report(&der, &ca, &args.ca, now);
    Ok(())
}

/// Says when the certificate expires and who the API server will think
/// it is, from kauth's model of the server.
pub fn report(der: &[u8], ca: &Ca, ca_path: &str, now: OffsetDateTime) {
    super::print_validity(der, now);
    match super::identity(der, &[], std::slice::from_ref(&ca.cert_der), now) {
        Ok(user) => eprintln!(
            "an API server with --client-ca-file={ca_path} will see {}",
            describe_user(&user)
        ),
        Err(e) => eprintln!(
            "warning: an API server trusting {ca_path} would refuse this certificate: {e}"
        ),
    }
}
