//! The command-line layer: clap types, output and error rendering.
//! Each command is a thin function over library code.

pub mod commands;
pub mod error;

use clap::{Args, Parser, Subcommand};

pub use error::{CliError, CliResult};

#[derive(Debug, Parser)]
#[command(
    name = "kauth",
    version,
    about = "Kubernetes credentials and kubeconfig files",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes, spelled as kubectl spells them.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Path to the kubeconfig file to use
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<String>,
    /// The name of the kubeconfig context to use
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// The name of the kubeconfig cluster to use
    #[arg(long, global = true, value_name = "NAME")]
    pub cluster: Option<String>,
    /// The name of the kubeconfig user to use
    #[arg(long, global = true, value_name = "NAME")]
    pub user: Option<String>,
    /// The namespace scope for this request
    #[arg(short = 'n', long, global = true, value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// Log level verbosity
    #[arg(short = 'v', long = "v", global = true, value_name = "LEVEL")]
    pub verbosity: Option<u8>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Modify kubeconfig files, the way `kubectl config` does
    #[command(subcommand)]
    Config(commands::config::ConfigCommand),
}

/// Parses the arguments, runs the command and returns the exit status.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Config(cmd) => commands::config::run(cmd, &cli.global),
    };
    match result {
        Ok(()) => 0,
        Err(err) => {
            eprintln!("{err}");
            err.code
        }
    }
}
