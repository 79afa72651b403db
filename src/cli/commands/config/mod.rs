//! `kauth config`: a drop-in for `kubectl config`.

use clap::Subcommand;

use crate::cli::{CliError, CliResult, GlobalArgs};

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Display the current-context
    CurrentContext,
}

pub fn run(cmd: ConfigCommand, _global: &GlobalArgs) -> CliResult {
    match cmd {
        ConfigCommand::CurrentContext => Err(CliError::kubectl("current-context is being built")),
    }
}
