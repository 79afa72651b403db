//! `kauth key generate`.

use clap::{Args, Subcommand};

use crate::cli::{CliError, CliResult, pki_io};
use kauth_pki::key::{KeyAlgorithm, PrivateKey};
use kauth_store::files::Access;

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Generate a private key (PKCS#8 PEM, written 0600)
    #[command(
        after_help = "Examples:\n  kauth key generate -o kfree.key\n  kauth key generate --algorithm rsa --bits 4096 -o ca.key"
    )]
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// rsa, ecdsa-p256, ecdsa-p384 or ed25519
    #[arg(long, default_value = "ecdsa-p256")]
    pub algorithm: String,
    /// RSA key size: 2048, 3072 or 4096
    #[arg(long, default_value_t = 2048)]
    pub bits: usize,
    /// Where to write the key (`-` for standard output)
    #[arg(short = 'o', long = "out", value_name = "FILE")]
    pub out: String,
    /// Overwrite an existing file
    #[arg(long)]
    pub force: bool,
}

pub fn run(cmd: KeyCommand) -> CliResult {
    match cmd {
        KeyCommand::Generate(args) => generate(args),
    }
}

fn generate(args: GenerateArgs) -> CliResult {
    let alg = KeyAlgorithm::parse(&args.algorithm, args.bits)
        .map_err(|e| CliError::new(format!("--algorithm: {e}")))?;
    let key = PrivateKey::generate(alg).map_err(|e| CliError::from_error(&e))?;
    pki_io::write_pem(&args.out, &key.to_pem(), Access::Private, args.force)
}
