//! `kauth csr create`.

use clap::{Args, Subcommand};

use super::cert::IdentityArgs;
use crate::cli::{CliError, CliResult, pki_io};
use kauth_pki::cert;
use kauth_store::files::Access;

#[derive(Debug, Subcommand)]
pub enum CsrCommand {
    /// Create a PKCS#10 certificate request for a Kubernetes user
    #[command(
        after_help = "Examples:\n  kauth csr create --key kfree.key --cn kfree --group dev -o kfree.csr"
    )]
    Create(CreateArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The private key to sign the request with
    #[arg(long, value_name = "FILE")]
    pub key: String,
    #[command(flatten)]
    pub identity: IdentityArgs,
    /// Where to write the request (`-` for standard output)
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: String,
    /// Overwrite an existing file
    #[arg(long)]
    pub force: bool,
}

pub fn run(cmd: CsrCommand) -> CliResult {
    match cmd {
        CsrCommand::Create(args) => create(args),
    }
}

fn create(args: CreateArgs) -> CliResult {
    let key = pki_io::read_key(&args.key)?;
    let subject = args.identity.subject()?;
    let der = cert::build_csr(&subject, &key).map_err(|e| CliError::from_error(&e))?;
    pki_io::write_pem(
        &args.out,
        &cert::to_pem("CERTIFICATE REQUEST", &der),
        Access::Public,
        args.force,
    )
}
