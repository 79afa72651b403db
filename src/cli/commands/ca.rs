//! `kauth ca init`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::cli::{CliError, CliResult};
use kauth_pki::key::KeyAlgorithm;
use kauth_store::local_ca;

#[derive(Debug, Subcommand)]
pub enum CaCommand {
    /// Create a CA for labs and tests (kauth's local CA without --dir)
    #[command(after_help = "Examples:\n  kauth ca init\n  kauth ca init --cn lab-ca --dir ./pki")]
    Init(InitArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The CA's common name
    #[arg(long, default_value = local_ca::DEFAULT_CN)]
    pub cn: String,
    /// Where to write ca.crt and ca.key (default: kauth's local CA directory)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// rsa, ecdsa-p256, ecdsa-p384 or ed25519
    #[arg(long, default_value = "ecdsa-p256")]
    pub algorithm: String,
    /// RSA key size
    #[arg(long, default_value_t = 2048)]
    pub bits: usize,
    /// Replace an existing CA
    #[arg(long)]
    pub force: bool,
}

pub fn run(cmd: CaCommand) -> CliResult {
    match cmd {
        CaCommand::Init(args) => init(args),
    }
}

fn init(args: InitArgs) -> CliResult {
    let alg = KeyAlgorithm::parse(&args.algorithm, args.bits)
        .map_err(|e| CliError::new(format!("--algorithm: {e}")))?;
    let dir = match args.dir {
        Some(d) => d,
        None => local_ca::ca_dir().map_err(|e| CliError::from_error(&e))?,
    };
    let ca = local_ca::init(
        &dir,
        &args.cn,
        alg,
        time::OffsetDateTime::now_utc(),
        args.force,
    )
    .map_err(|e| CliError::from_error(&e))?;
    eprintln!(
        "created CA {:?} ({alg}) in {}: {} and {} (mode 0600), valid until {}",
        args.cn,
        dir.display(),
        local_ca::CA_CERT,
        local_ca::CA_KEY,
        kauth_formats::time::rfc3339(ca.not_after())
    );
    println!("{}", dir.join(local_ca::CA_CERT).display());
    Ok(())
}
